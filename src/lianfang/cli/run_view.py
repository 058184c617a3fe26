"""What ``lianfang run`` shows while it runs: a rich live view in a terminal, log lines otherwise."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table

from lianfang.gateway import Gateway
from lianfang.model import BEIJING
from lianfang.settings import Settings

__all__ = ["CONSOLE", "Rates", "watch"]

log = logging.getLogger("lianfang.run")

CONSOLE = Console()
LOG_PERIOD = 10.0  # [s] between status lines without a terminal
VIEW_PERIOD = 0.5  # [s] between redraws of the live view
LAST_SHOWN = 12  # stations in the "last values" table


@dataclass(slots=True)
class Rates:
    """Packets/s and values/s between two looks at the counters."""

    at: float = 0.0
    packets: int = 0
    values: int = 0
    packets_per_s: float = 0.0
    values_per_s: float = 0.0

    def update(self, packets: int, values: int) -> None:
        now = time.monotonic()
        if self.at:
            span = max(now - self.at, 1e-6)
            self.packets_per_s = (packets - self.packets) / span
            self.values_per_s = (values - self.values) / span
        self.at, self.packets, self.values = now, packets, values


async def watch(
    settings: Settings, gateway: Gateway, fleet: Any, stop: asyncio.Event, *, interactive: bool
) -> None:
    """Show progress until ``stop`` is set."""
    rates = Rates()
    rates.update(gateway.metrics.packets, gateway.metrics.values_stored)  # baseline: the first period counts
    if not interactive:
        while not await _wait(stop, LOG_PERIOD):
            rates.update(gateway.metrics.packets, gateway.metrics.values_stored)
            log.info(_status_line(gateway, rates))
        return
    with Live(_view(settings, gateway, fleet, rates), console=CONSOLE, refresh_per_second=4) as live:
        while not await _wait(stop, VIEW_PERIOD):
            rates.update(gateway.metrics.packets, gateway.metrics.values_stored)
            live.update(_view(settings, gateway, fleet, rates))


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


def _status_line(gateway: Gateway, rates: Rates) -> str:
    m, status = gateway.metrics, gateway.status()
    rejects = ", ".join(f"{k}={v}" for k, v in sorted(m.rejects.items())) or "none"
    return (
        f"stations online {status['stations_online']}/{status['stations_registered']}, "
        f"connections {status['connections']}, {rates.packets_per_s:.1f} packets/s, "
        f"values stored {m.values_stored} ({rates.values_per_s:.0f}/s), acks {m.acks}, "
        f"pending {status['pending_values']}, rejects: {rejects}"
    )


def _view(settings: Settings, gateway: Gateway, fleet: Any, rates: Rates) -> Group:
    m, status = gateway.metrics, gateway.status()
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row(
        "stations online", f"{status['stations_online']} / {status['stations_registered']} registered"
    )
    summary.add_row("connections", str(status["connections"]))
    summary.add_row("packets/s", f"{rates.packets_per_s:.1f}")
    summary.add_row(
        "values stored", f"{m.values_stored:,}  ({rates.values_per_s:,.0f}/s, {m.values_corrected} corrected)"
    )
    summary.add_row("acks (9014)", f"{m.acks:,}")
    summary.add_row("commits", f"{m.commits:,}  (p50 ≤ {m.commit_latency.quantile(0.5) * 1000:g} ms)")
    rejects = ", ".join(f"{k} {v}" for k, v in sorted(m.rejects.items())) or "none"
    summary.add_row("rejects", rejects)
    backfill = ", ".join(f"{k} {v}" for k, v in sorted(m.backfill.items())) or "none"
    summary.add_row("backfill", backfill)
    if fleet is not None:
        summary.add_row("simulator", f"{fleet.stats.connected} loggers connected (SIMULATED values)")
    title = (
        f"lianfang — HJ 212 on :{status['port']}, HTTP on {settings.http_host}:{settings.http_port}, "
        f"data {settings.data_dir}"
    )
    return Group(Panel(summary, title=title), _last_values(gateway))


def _last_values(gateway: Gateway) -> Table:
    table = Table(title="last values", expand=True)
    for column in ("station", "source", "CN", "time (Beijing)", "values"):
        table.add_column(column, overflow="fold")
    latest = sorted(gateway.metrics.last_uploads.items(), key=lambda kv: kv[1].data_time, reverse=True)
    for mn, upload in latest[:LAST_SHOWN]:
        station = gateway.directory.station(mn)
        name = station.name if station else mn
        source = "SIMULATED" if station is not None and station.simulated else "logger"
        values = "  ".join(
            f"{code}={fields.get('Avg') or fields.get('Rtd') or '?'}"
            for code, fields in list(upload.items.items())[:6]
        )
        when = upload.data_time.astimezone(BEIJING).strftime("%m-%d %H:%M:%S")
        table.add_row(name, source, upload.cn, when, values)
    return table
