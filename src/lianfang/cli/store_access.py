"""The ``--data DIR`` option of the sharing commands and opening its store with one-line errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from lianfang.errors import LianfangError, StoreLockedError
from lianfang.settings import load_settings
from lianfang.store import open_store
from lianfang.store.duckdb import DuckDBStore

__all__ = ["data_option", "fail", "open_data_store"]

F = TypeVar("F", bound=Callable[..., object])


def data_option(fn: F) -> F:
    return click.option(
        "--data",
        "data",
        type=click.Path(file_okay=False, path_type=Path),
        required=True,
        help="Data directory of the store (holds lianfang.duckdb).",
    )(fn)


def fail(message: str, status: int = 2) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(status)


@contextmanager
def open_data_store(data: Path) -> Iterator[DuckDBStore]:
    """The store of ``data``; LianfangErrors inside the block end the command with one line."""
    try:
        store = open_store(load_settings(None, data_dir=data).store_path)
    except StoreLockedError as exc:
        fail(f"{exc.message} (while the server runs, manage agreements through POST /api/v1/agreements)")
    except LianfangError as exc:
        fail(exc.message)
    try:
        yield store
    except LianfangError as exc:
        fail(exc.message)
    finally:
        store.close()
