"""A simulated clock that can run faster than the wall clock (``speedup=K``: one simulated hour every
3600/K real seconds), shared by all loggers of a fleet."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from lianfang.model import BEIJING

__all__ = ["SimClock"]


class SimClock:
    """Simulated time: ``start`` at creation, then ``speedup`` simulated seconds per real second.

    ``monotonic`` is the real clock (default :func:`time.monotonic`, the one asyncio uses).
    """

    def __init__(
        self,
        start: datetime | None = None,
        speedup: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speedup <= 0:
            raise ValueError(f"speedup must be positive, not {speedup}")
        if start is not None and start.tzinfo is None:
            raise ValueError("the simulation start must be an aware datetime")
        self.speedup = speedup
        self.start = (start or datetime.now(BEIJING)).astimezone(BEIJING)
        self._monotonic = monotonic
        self._t0 = monotonic()

    def now(self) -> datetime:
        """The simulated instant (Beijing time)."""
        return self.start + timedelta(seconds=(self._monotonic() - self._t0) * self.speedup)

    def real_delay(self, until: datetime) -> float:
        """Real seconds until the simulated instant ``until`` (0 if it has passed)."""
        return max(0.0, (until - self.now()).total_seconds() / self.speedup)

    def real_seconds(self, simulated: float) -> float:
        """Real duration [s] of ``simulated`` seconds of simulated time."""
        return simulated / self.speedup
