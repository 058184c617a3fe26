"""``lianfang simulate``: simulated HJ 212 loggers of the demo network pushing to a gateway.

Thin skin over :mod:`lianfang.sim`. The stations must be known to the gateway's store: either
``--register DIR`` (before the gateway opens DIR: only one process may open the store) or
``--list-stations --format csv`` piped into ``lianfang station import``.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import signal
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from lianfang.errors import LianfangError
from lianfang.model import BEIJING, Station
from lianfang.sim.fleet import Fleet, FleetStats
from lianfang.sim.logger import LoggerConfig
from lianfang.sim.network import DEMO_SECRET, demo_stations, register_demo_network

__all__ = ["STATION_CSV_COLUMNS", "simulate", "station_rows"]

#: Columns of ``--list-stations --format csv``: the options of ``lianfang station add``
#: (--mn --password --kind --jurisdiction --name --lon --lat --river --target-class), then the rest
#: of the Station fields.
STATION_CSV_COLUMNS = (
    "mn",
    "password",
    "kind",
    "jurisdiction",
    "name",
    "lon",
    "lat",
    "river",
    "target_class",
    "river_km",
    "section_level",
    "water_body",
    "min_interval",
    "simulated",
)

_SHOWN = ("connected", "records", "sent", "acked", "resent", "timeouts", "unacked", "faults",
          "history_requests", "history_records", "connect_failures")  # fmt: skip


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)


def _target(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        _fail(f"--target {text!r} is not HOST:PORT")
    return host.strip("[]"), int(port)  # [::1]:6000 -> ::1


def _start(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--start {text!r} is not an ISO 8601 time, e.g. 2025-07-01T08:00")
    return when.replace(tzinfo=BEIJING) if when.tzinfo is None else when


def station_rows(pairs: list[tuple[Station, str]]) -> Iterator[dict[str, str]]:
    """One row per station with :data:`STATION_CSV_COLUMNS` (empty string = not set)."""
    for station, password in pairs:
        values: dict[str, object] = {
            "mn": station.mn,
            "password": password,
            "kind": station.kind.value,
            "jurisdiction": station.jurisdiction,
            "name": station.name,
            "lon": station.lon,
            "lat": station.lat,
            "river": station.river,
            "target_class": station.target_class,
            "river_km": station.river_km,
            "section_level": station.section_level.value if station.section_level else None,
            "water_body": station.water_body.value,
            "min_interval": station.min_interval,
            "simulated": "true" if station.simulated else "false",
        }
        yield {k: "" if v is None else str(v) for k, v in values.items()}


def _list(pairs: list[tuple[Station, str]], fmt: str) -> None:
    rows = list(station_rows(pairs))
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=STATION_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        columns = ("mn", "password", "kind", "jurisdiction", "name", "river", "river_km", "target_class")
        table = Table(title=f"{len(rows)} simulated stations")
        for column in columns:
            table.add_column(column, no_wrap=column in ("mn", "password"))
        for row in rows:
            table.add_row(*(row[c] for c in columns))
        Console().print(table)


def _register(directory: Path, pairs: list[tuple[Station, str]]) -> int:
    from lianfang.store import open_store  # lazy: DuckDB only when registering

    try:
        with contextlib.closing(open_store(directory / "lianfang.duckdb")) as store:
            return register_demo_network(store, pairs)
    except LianfangError as exc:
        _fail(exc.message)


def _view(stats: FleetStats, fleet: Fleet, target: tuple[str, int]) -> Table:
    totals = stats.totals()
    when = fleet.clock.now()
    title = f"SIMULATED loggers → {target[0]}:{target[1]}"
    table = Table(title=title, caption=f"simulated time {when:%Y-%m-%d %H:%M}", min_width=len(title) + 4)
    table.add_column("counter")
    table.add_column("value", justify="right")
    for name in ("stations", *_SHOWN):
        table.add_row(name.replace("_", " "), f"{totals[name]:,}")
    return table


def _line(stats: FleetStats, fleet: Fleet) -> str:
    totals = stats.totals()
    parts = " ".join(f"{name}={totals[name]}" for name in _SHOWN)
    return f"simulate sim_time={fleet.clock.now():%Y-%m-%dT%H:%M:%S%z} stations={totals['stations']} {parts}"


async def _run(fleet: Fleet, target: tuple[str, int], duration: float | None, live: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    task = asyncio.create_task(fleet.run(stop))
    deadline = None if duration is None else time.monotonic() + duration
    console = Console(stderr=True)
    last_line = time.monotonic()

    async def tick() -> bool:
        """Wait a little; True when it is time to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
        if deadline is not None and time.monotonic() >= deadline:
            stop.set()
        return stop.is_set() or task.done()

    if live:
        with Live(_view(fleet.stats, fleet, target), console=console, refresh_per_second=2) as view:
            while not await tick():
                view.update(_view(fleet.stats, fleet, target))
            view.update(_view(fleet.stats, fleet, target))
    else:
        while not await tick():
            if time.monotonic() - last_line >= 10.0:
                click.echo(_line(fleet.stats, fleet), err=True)
                last_line = time.monotonic()
    stop.set()
    await task
    click.echo(_line(fleet.stats, fleet), err=True)


@click.command("simulate")
@click.option(
    "--target",
    default="127.0.0.1:6000",
    show_default=True,
    metavar="HOST:PORT",
    help="The HJ 212 gateway to push to.",
)
@click.option(
    "--stations",
    "count",
    type=click.IntRange(min=1),
    default=None,
    help="Simulate N demo stations (a balanced mix of SC/CQ, water/air). Default: all.",
)
@click.option(
    "--speedup",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Simulated seconds per real second (3600: one simulated hour per second).",
)
@click.option(
    "--faults",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Probability per upload of a fault: bad CRC, dropped packet or disconnect.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of values and faults.")
@click.option(
    "--duration",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Stop after this many real seconds (default: until Ctrl-C).",
)
@click.option(
    "--start",
    "start_text",
    default=None,
    metavar="TIME",
    help="Simulated start, ISO 8601 (Beijing time without a zone). Default: now.",
)
@click.option(
    "--prefill",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="HOURS",
    help="Hours before the start already in each logger's buffer, for the gateway to backfill.",
)
@click.option(
    "--ack-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds to wait for a 9014 before resending (HJ 212-2017 Table 1: 10).",
)
@click.option(
    "--secret",
    envvar="LIANFANG_DEMO_SECRET",
    default=DEMO_SECRET,
    show_default=False,
    help="Derive the station passwords from this secret (default: the public demo secret).",
)
@click.option(
    "--register",
    "register_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="First register the simulated stations in the store of data directory DIR.",
)
@click.option("--list-stations", is_flag=True, help="Print the stations with their passwords and exit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output of --list-stations (csv: importable by `lianfang station import`).",
)
def simulate(
    target: str,
    count: int | None,
    speedup: float,
    faults: float,
    seed: int,
    duration: float | None,
    start_text: str | None,
    prefill: int,
    ack_timeout: float,
    secret: str,
    register_dir: Path | None,
    list_stations: bool,
    fmt: str,
) -> None:
    """Run simulated HJ 212-2017 data loggers of the demo SC/CQ network against a gateway.

    Values are simulated (plausible daily and seasonal cycles, noise, episodes), never measured.
    Ctrl-C stops cleanly.
    """
    pairs = demo_stations(count, secret=secret)
    if list_stations:
        _list(pairs, fmt)
        return
    address = _target(target)
    start = _start(start_text)
    if register_dir is not None:
        written = _register(register_dir, pairs)
        click.echo(f"registered {written} simulated stations in {register_dir}", err=True)
    else:
        click.echo(
            "the gateway must know these stations: start it after `lianfang simulate --register DIR`, or "
            "import `lianfang simulate --list-stations --format csv` with `lianfang station import`",
            err=True,
        )
    config = LoggerConfig(ack_timeout=ack_timeout, prefill=timedelta(hours=prefill))
    fleet = Fleet(address, pairs, speedup=speedup, faults=faults, seed=seed, start=start, config=config)
    click.echo(f"simulating {len(pairs)} stations → {address[0]}:{address[1]} at ×{speedup:g}", err=True)
    asyncio.run(_run(fleet, address, duration, live=sys.stderr.isatty()))
