"""Opening a DuckDB file, and turning driver errors into lianfang's one-line errors.

Every DuckDB exception leaves ``lianfang.store`` as a :class:`~lianfang.errors.StoreError` (or a
subclass) raised ``from`` the driver error, with a message of one line that names what failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from lianfang.errors import ConfigError, StoreError, StoreLockedError

__all__ = ["SESSION_TIMEZONE", "driver_error", "driver_errors", "open_connection"]

#: Zone of SQL date arithmetic in the store (``time::DATE`` is a Beijing calendar day, as the
#: daily statistics of HJ 633 and GB 3838 assessments need). Arrow results are cast to UTC.
SESSION_TIMEZONE = "Asia/Shanghai"

# DuckDB: 'Could not set lock on file "…": Conflicting lock is held in /usr/bin/python3 (PID 123)'
_LOCK_RE = re.compile(r"Could not set lock on file .*?held in (?P<holder>.+?) \(PID (?P<pid>\d+)\)", re.S)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def driver_error(action: str, exc: BaseException) -> StoreError:
    """A one-line :class:`StoreError` for a driver exception raised while doing ``action``."""
    return StoreError(f"{action}: {_first_line(exc)}")


@contextmanager
def driver_errors(action: str) -> Iterator[None]:
    """Re-raise DuckDB errors inside the block as ``StoreError(f"{action}: …") from exc``."""
    try:
        yield
    except duckdb.Error as exc:
        raise driver_error(action, exc) from exc


def _check_location(path: Path, read_only: bool) -> None:
    parent = path.parent
    if not parent.exists():
        raise ConfigError(f"data directory {parent} does not exist")
    if not parent.is_dir():
        raise ConfigError(f"data directory {parent} is not a directory")
    if path.is_dir():
        raise ConfigError(f"store {path} is a directory, not a DuckDB file")
    if read_only and not path.exists():
        raise StoreError(f"no store at {path} (nothing has been written there yet)")


def open_connection(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (or create) the DuckDB file at ``path``; errors are one line naming the file.

    Only one process may open a file read-write (components.md §1: even a read-only open is
    refused while another process holds it), so a held file is :class:`StoreLockedError`.
    """
    _check_location(path, read_only)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        message = str(exc)
        lock = _LOCK_RE.search(message)
        if lock is not None:
            raise StoreLockedError(
                f"store {path} is in use by another process (PID {lock['pid']}); "
                "stop it or use another data directory"
            ) from exc
        raise StoreError(f"cannot open store {path}: {_first_line(exc)}") from exc
    try:
        # GLOBAL, because a cursor() does not inherit a session SET.
        con.execute(f"SET GLOBAL TimeZone = '{SESSION_TIMEZONE}'").fetchall()
    except duckdb.Error as exc:
        con.close()
        raise StoreError(f"cannot configure store {path}: {_first_line(exc)}") from exc
    return con
