"""``lianfang serve --config FILE``: the HTTP API alone (no HJ 212 gateway) over a DuckDB store."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

import click
import uvicorn
from fastapi import FastAPI

from lianfang.api.app import create_app
from lianfang.api.auth import shared_reader_of
from lianfang.cli.common import fail
from lianfang.errors import LianfangError
from lianfang.settings import load_settings
from lianfang.store import open_store

__all__ = ["serve"]


def _exit_quietly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@click.command()
@click.option("--config", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="TOML settings (data_dir, http_host, http_port …).")  # fmt: skip
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory (overrides the config).")  # fmt: skip
@click.option("--host", default=None, help="Listen address (overrides http_host).")
@click.option("--port", type=int, default=None, help="Listen port (overrides http_port).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))  # fmt: skip
def serve(config: Path | None, data: Path | None, host: str | None, port: int | None, log_level: str) -> None:
    """Serve /api/v1 (and every API router the app has) until interrupted."""
    try:
        settings = load_settings(config, data_dir=data, http_host=host, http_port=port)
        store = open_store(settings.store_path)
    except LianfangError as exc:
        fail(exc.message)
    app: FastAPI | None = None
    try:
        app = create_app(store=store)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=settings.http_host,
                port=settings.http_port,
                log_level=log_level,
                access_log=log_level in {"info", "debug"},
            )
        )
        click.echo(
            f"lianfang API on http://{settings.http_host}:{settings.http_port} "
            f"(REST /api/v1, docs /docs), store {settings.store_path}",
            err=True,
        )
        # uvicorn stops gracefully on SIGTERM/SIGINT and then re-raises the signal to whatever
        # handler was installed before it; ours turns it into a normal exit, so that the finally
        # below flushes the audit and checkpoints the store, and the exit status is 0.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _exit_quietly)
        server.run()
    finally:
        reader = shared_reader_of(app) if app is not None else None
        if reader is not None:
            reader.close()  # queued audit rows are committed before the store closes
        store.close()
