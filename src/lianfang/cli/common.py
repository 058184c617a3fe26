"""What every command that works on a data directory shares: ``--data DIR`` and opening its store.

Errors end the command with one line on stderr (``Error: …``), never a traceback:
:func:`open_data_store` turns every :class:`~lianfang.errors.LianfangError` raised while opening the
store or inside its block into a :class:`CommandError`. Exit status 2 means the user's input was
wrong (the error's HTTP status is 4xx: bad value, unknown name), 1 that the command could not run
(store locked, unreadable directory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from lianfang.errors import LianfangError, StoreLockedError
from lianfang.settings import load_settings
from lianfang.store.duckdb import DuckDBStore, open_store

__all__ = ["BadInputError", "CommandError", "data_option", "fail", "open_data_store"]

F = TypeVar("F", bound=Callable[..., object])


class CommandError(click.ClickException):
    """The command could not run: one line ``Error: …``, exit status 1."""


class BadInputError(CommandError):
    """The user's input was wrong: one line ``Error: …``, exit status 2."""

    exit_code = 2


def fail(message: str, status: int = 2) -> NoReturn:
    """End the command: ``Error: message`` on stderr, exit ``status`` (2: bad input, 1: other)."""
    raise (BadInputError if status == 2 else CommandError)(message)


def _as_command_error(exc: LianfangError, hint: str = "") -> CommandError:
    kind = BadInputError if 400 <= exc.status < 500 else CommandError
    return kind(f"{exc.message}{hint}")


def data_option(fn: F) -> F:
    """``--data DIR`` (passed as ``data``): the data directory, default ``$LIANFANG_DATA_DIR`` or ``data``."""
    return click.option(
        "--data",
        "data",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Data directory holding the store (lianfang.duckdb) [default: $LIANFANG_DATA_DIR or ./data].",
    )(fn)


@contextmanager
def open_data_store(
    data: Path | None, *, create: bool = False, read_only: bool = False, locked_hint: str = ""
) -> Iterator[DuckDBStore]:
    """The store in directory ``data``, closed (flushed, checkpointed) when the block ends.

    ``create`` makes the directory if it is missing (not its parents: a mistyped path should fail).
    ``read_only`` opens without taking the write lock, so several readers may run at once; it needs
    an existing store. ``locked_hint`` is added to the message when a server holds the store.
    """
    try:
        settings = load_settings(None, data_dir=data)
        if create:
            _make_directory(settings.data_dir)
        store = open_store(settings.store_path, read_only=read_only)
    except StoreLockedError as exc:
        raise _as_command_error(exc, locked_hint) from exc
    except LianfangError as exc:
        raise _as_command_error(exc) from exc
    try:
        yield store
    except LianfangError as exc:
        raise _as_command_error(exc) from exc
    finally:
        try:
            store.close()
        except LianfangError as exc:
            raise _as_command_error(exc) from exc


def _make_directory(path: Path) -> None:
    try:
        path.mkdir(exist_ok=True)
    except FileNotFoundError as exc:
        raise click.ClickException(f"data directory {path}: its parent {path.parent} does not exist") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot create data directory {path}: {exc.strerror or exc}") from exc
