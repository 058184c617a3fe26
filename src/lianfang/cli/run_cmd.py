"""``lianfang run``: the embedded deployment in one process.

Store (DuckDB file in ``--data``) + HJ 212 gateway + HTTP (``/healthz``, ``/metrics`` and whatever
:func:`lianfang.api.app.create_app` serves) + the simulated demo network (unless ``--no-sim``),
all in one event loop. In a terminal it shows a live view; otherwise it writes log lines.
SIGTERM or Ctrl-C shuts down cleanly: the simulator stops, the gateway commits and answers what it
received, the HTTP server stops, the store closes, exit status 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import uvicorn

from lianfang.errors import ConfigError, LianfangError
from lianfang.gateway import BackfillConfig, Gateway, GatewayConfig, Metrics
from lianfang.model import Station
from lianfang.settings import Settings, load_settings
from lianfang.store.base import Store

__all__ = ["run"]

log = logging.getLogger("lianfang.run")

DEMO_SECRET_FILE = "demo_secret"  # noqa: S105 - a file name; kept in the data directory: same demo passwords across restarts


@click.command()
# readable=False: an unusable directory is reported by _data_dir in one line, not as a usage error
@click.option(
    "--data", "data_dir", type=click.Path(path_type=Path, readable=False), help="Data directory (store file)."
)
@click.option("--hj212-port", type=int, help="TCP port for HJ 212 data loggers [default: 6000].")
@click.option("--http-port", type=int, help="HTTP port for the API, /healthz, /metrics [default: 8000].")
@click.option("--no-sim", is_flag=True, help="Run the gateway alone, for real loggers (no demo network).")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="TOML settings file.")
def run(
    data_dir: Path | None,
    hj212_port: int | None,
    http_port: int | None,
    no_sim: bool,
    config_file: Path | None,
) -> None:
    """Run the platform: store, HJ 212 gateway, HTTP API and (by default) the simulated demo network."""
    try:
        settings = load_settings(
            config_file,
            data_dir=data_dir,
            hj212_port=hj212_port,
            http_port=http_port,
            simulate=False if no_sim else None,
        )
        asyncio.run(_main(settings, interactive=sys.stdout.isatty()))
    except LianfangError as exc:
        click.echo(f"lianfang run: {exc.message}", err=True)
        raise click.exceptions.Exit(1) from None
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        raise click.exceptions.Exit(130) from None


@dataclass(slots=True)
class _Parts:
    store: Store | None = None
    gateway: Gateway | None = None
    http: uvicorn.Server | None = None
    http_task: asyncio.Task[None] | None = None
    sim_task: asyncio.Task[Any] | None = None
    fleet: Any = None


#: [s] GIL switch interval. The store's writer thread needs the GIL between its DuckDB calls; with
#: the default 5 ms it waits behind a busy event loop for most of each commit.
GIL_SWITCH_INTERVAL = 0.0005


async def _main(settings: Settings, *, interactive: bool) -> None:
    _configure_logging(interactive)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parts = _Parts()
    try:
        await _start(settings, parts, stop)
        from lianfang.cli.run_view import watch

        await watch(settings, parts.gateway, parts.fleet, stop, interactive=interactive)  # type: ignore[arg-type]
    finally:
        await _shutdown(parts, stop)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def _start(settings: Settings, parts: _Parts, stop: asyncio.Event) -> None:
    from lianfang.store.duckdb import open_store

    data_dir = _data_dir(settings.data_dir)
    parts.store = store = await asyncio.to_thread(open_store, settings.store_path)
    store.start_compaction()  # re-orders cold months in the background, yielding to ingest
    stations: list[tuple[Station, str]] = []
    demo_tokens: dict[str, str] = {}
    if settings.simulate:
        from lianfang.sim.network import demo_stations, load_or_create_demo_secret, register_demo_network

        secret = load_or_create_demo_secret(data_dir / DEMO_SECRET_FILE)
        stations = demo_stations(secret=secret)
        await asyncio.to_thread(register_demo_network, store, stations)
        from lianfang.web import ensure_demo_agreements, ensure_demo_tokens

        # a viewer token per demo agency for the dashboard, and (once) demo agreements between them
        demo_tokens = await asyncio.to_thread(ensure_demo_tokens, store, secret)
        await asyncio.to_thread(ensure_demo_agreements, store)
    metrics = Metrics()
    gateway = Gateway(store, _gateway_config(settings), metrics=metrics)
    await gateway.start()
    parts.gateway = gateway
    http_socket = _bind_http(settings.http_host, settings.http_port)
    parts.http = _http_server(store, gateway)
    parts.http_task = asyncio.get_running_loop().create_task(parts.http.serve(sockets=[http_socket]))
    log.info("HTTP on http://%s:%d (/healthz, /metrics)", settings.http_host, settings.http_port)
    if demo_tokens:
        from lianfang.web import dashboard_url

        for agency, token in demo_tokens.items():
            url = dashboard_url(settings.http_host, settings.http_port, token)
            click.echo(f"Dashboard ({agency} viewer): {url}")
    if stations:
        from lianfang.sim.fleet import Fleet
        from lianfang.sim.logger import LoggerConfig

        # The simulated loggers keep two days in their buffers, so the gateway's backfill on
        # connect has history to fetch (as real loggers have after an outage).
        fleet = Fleet(("127.0.0.1", gateway.port), stations, config=LoggerConfig(prefill=timedelta(hours=48)))
        parts.fleet = fleet
        parts.sim_task = asyncio.get_running_loop().create_task(fleet.run(stop))
        log.info("simulating %d demo stations (values labelled simulated)", len(stations))


async def _shutdown(parts: _Parts, stop: asyncio.Event) -> None:
    stop.set()
    if parts.sim_task is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(parts.sim_task, 10)
    if parts.gateway is not None:
        await parts.gateway.close()
    if parts.http is not None and parts.http_task is not None:
        parts.http.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(parts.http_task, 5)
    if parts.store is not None:
        await asyncio.to_thread(parts.store.close)
    log.info("stopped")


def _data_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".lianfang-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"data directory {path} is not usable: {exc.strerror or exc}") from exc
    return path


def _gateway_config(settings: Settings) -> GatewayConfig:
    return GatewayConfig(
        host=settings.hj212_host,
        port=settings.hj212_port,
        max_connections=settings.max_connections,
        idle_timeout=settings.idle_timeout,
        max_data_len=settings.max_frame,
        backfill=BackfillConfig(),
    )


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside our loop: the signals are ours (we stop the gateway first)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _http_server(store: Store, gateway: Gateway) -> uvicorn.Server:
    from lianfang.api.app import create_app

    app = create_app(store=store, metrics=gateway.metrics, gateway_status=gateway.status)
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="off")
    return _EmbeddedServer(config)


def _bind_http(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"HTTP port {host}:{port} is already in use") from exc
        raise ConfigError(f"cannot listen on HTTP port {host}:{port}: {exc.strerror or exc}") from exc
    sock.setblocking(False)
    return sock


def _configure_logging(interactive: bool) -> None:
    root = logging.getLogger()
    if root.handlers:
        return
    if interactive:
        from rich.logging import RichHandler

        from lianfang.cli.run_view import CONSOLE

        handler: logging.Handler = RichHandler(console=CONSOLE, show_path=False)
        root.setLevel(logging.WARNING)
    else:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.setLevel(logging.INFO)
    root.addHandler(handler)
