"""A fleet of simulated loggers sharing one simulated clock, run inside an existing event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lianfang.model import Station
from lianfang.sim.clock import SimClock
from lianfang.sim.logger import LoggerConfig, LoggerStats, SimulatedLogger

__all__ = ["Fleet", "FleetStats", "run_fleet"]


@dataclass(slots=True)
class FleetStats:
    """Live view of every logger's counters (the objects the loggers update)."""

    loggers: list[LoggerStats]

    @property
    def connected(self) -> int:
        return sum(1 for s in self.loggers if s.connected)

    def totals(self) -> dict[str, int]:
        """Each counter summed over the fleet, plus ``stations`` and ``connected``."""
        out: dict[str, int] = {"stations": len(self.loggers), "connected": self.connected}
        for stats in self.loggers:
            for name, value in stats.counters().items():
                out[name] = out.get(name, 0) + value
        return out


class Fleet:
    """Loggers for ``stations`` (station, password) pushing to ``target`` (host, port).

    The simulated clock starts when the fleet is created: ``start`` (default: now) advancing
    ``speedup`` times faster than the wall clock. Each logger draws its faults and jitter from its
    own generator seeded by ``seed`` and its MN, and its values from ``seed`` too (deterministic).
    """

    def __init__(
        self,
        target: tuple[str, int],
        stations: Sequence[tuple[Station, str]],
        *,
        speedup: float = 1.0,
        faults: float = 0.0,
        seed: int = 0,
        start: datetime | None = None,
        config: LoggerConfig | None = None,
    ) -> None:
        self.clock = SimClock(start, speedup)
        self.loggers = [
            SimulatedLogger(
                station,
                password,
                target,
                clock=self.clock,
                config=config or LoggerConfig(),
                faults=faults,
                seed=seed,
            )
            for station, password in stations
        ]
        self.stats = FleetStats([logger.stats for logger in self.loggers])

    async def run(self, stop: asyncio.Event) -> FleetStats:
        """Run every logger until ``stop`` is set; returns once all have closed their connections."""
        await asyncio.gather(*(logger.run(stop) for logger in self.loggers))
        return self.stats


async def run_fleet(
    target: tuple[str, int],
    stations: Sequence[tuple[Station, str]],
    *,
    speedup: float = 1.0,
    faults: float = 0.0,
    seed: int = 0,
    stop: asyncio.Event,
    start: datetime | None = None,
    config: LoggerConfig | None = None,
) -> FleetStats:
    """Run a fleet in the current event loop until ``stop`` is set; the final counters.

    To watch counters while it runs, build a :class:`Fleet` and read ``fleet.stats``.
    """
    fleet = Fleet(target, stations, speedup=speedup, faults=faults, seed=seed, start=start, config=config)
    return await fleet.run(stop)
