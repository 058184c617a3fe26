"""The base every DuckDB table family builds on: the file, the writer thread, reader cursors.

A table family (registry, observations, sharing …) is a class deriving from :class:`DuckDBCore`
that writes through :meth:`DuckDBCore._write` (runs on the writer thread, in a transaction of its
own) and reads through :meth:`DuckDBCore._fetch` / :meth:`DuckDBCore._fetch_arrow` (a fresh cursor
per read, so reads run on any thread and see committed data only, MVCC-consistent while the writer
commits). Driver errors come out of all three as one-line :class:`~lianfang.errors.StoreError`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from lianfang.errors import StoreError
from lianfang.model import WriteResult
from lianfang.store.connection import driver_errors, open_connection
from lianfang.store.merge import merge_group
from lianfang.store.schema import MIGRATIONS, apply_migrations, schema_version
from lianfang.store.writer import GroupWriter, WriterStats

__all__ = ["DuckDBCore"]

T = TypeVar("T")


class DuckDBCore:
    """An open DuckDB file with its migrations applied and (unless read-only) a writer thread.

    ``read_only=True`` opens without a writer and without migrating (another process may read the
    same file read-only at the same time, but not while a writer holds it).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._closed = False
        self._root = open_connection(self.path, read_only=read_only)
        self._writer: GroupWriter | None = None
        try:
            self._migrate()
            if not read_only:
                self._writer = GroupWriter(self._root.cursor(), self._merge)
        except BaseException:
            self._root.close()
            raise

    def _migrate(self) -> None:
        with driver_errors(f"cannot migrate store {self.path}"):
            if not self.read_only:
                try:
                    apply_migrations(self._root)
                except ValueError as exc:
                    raise StoreError(f"{self.path}: {exc}") from exc
                return
            version = schema_version(self._root)
        if version != len(MIGRATIONS):
            raise StoreError(
                f"store {self.path} is at schema version {version}, this lianfang needs "
                f"{len(MIGRATIONS)}; open it read-write once to migrate"
            )

    # --- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Commit everything queued, checkpoint the WAL into the file, close. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            if self._writer is not None:
                self._writer.close()
                with driver_errors(f"cannot checkpoint store {self.path}"):
                    self._root.execute("CHECKPOINT").fetchall()
        finally:
            self._root.close()

    def __enter__(self) -> DuckDBCore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_stats(self) -> WriterStats:
        """Commit counters of the writer thread (all zero when read-only)."""
        return WriterStats() if self._writer is None else self._writer.stats()

    # --- for table families --------------------------------------------------------------------
    def _merge(self, con: duckdb.DuckDBPyConnection, staged: Sequence[Any]) -> list[WriteResult]:
        results = merge_group(con, staged)
        self._after_merge(con, staged)
        return results

    def _after_merge(self, con: duckdb.DuckDBPyConnection, staged: Sequence[Any]) -> None:
        """Hook for families that keep derived tables in step with observation writes (the
        sharing family's latest values): runs on the writer thread inside the merge's
        transaction, with the staged batches (see ``merge``). Overrides call ``super()``."""

    def _writer_or_fail(self) -> GroupWriter:
        if self._writer is None:
            raise StoreError(f"store {self.path} is open read-only")
        return self._writer

    def _submit(self, fn: Callable[[duckdb.DuckDBPyConnection], T], action: str) -> Future[T]:
        """Run ``fn(con)`` on the writer thread in its own transaction; the future resolves after
        COMMIT. Driver errors resolve it with ``StoreError(f"{action}: …")``."""
        return self._writer_or_fail().submit_call(fn, action)

    def _write(self, fn: Callable[[duckdb.DuckDBPyConnection], T], action: str) -> T:
        """:meth:`_submit` and wait."""
        return self._submit(fn, action).result()

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            if self._closed:
                raise StoreError(f"store {self.path} is closed")
            cursor = self._root.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def _fetch(self, sql: str, params: Sequence[Any] | None = None, *, action: str) -> list[tuple[Any, ...]]:
        """Rows of a read on a fresh cursor."""
        with self._cursor() as cursor, driver_errors(action):
            return cursor.execute(sql, params).fetchall()

    def _fetch_arrow(self, sql: str, params: Sequence[Any] | None = None, *, action: str) -> pa.Table:
        """A read on a fresh cursor, as an Arrow table."""
        with self._cursor() as cursor, driver_errors(action):
            table: pa.Table = cursor.sql(sql, params=params).to_arrow_table()
            return table
