"""The base every DuckDB table family builds on: the file, the writer thread, reader cursors.

A table family (registry, observations, sharing …) is a class deriving from :class:`DuckDBCore`
that writes through :meth:`DuckDBCore._write` (runs on the writer thread, in a transaction of its
own) and reads through :meth:`DuckDBCore._fetch` / :meth:`DuckDBCore._fetch_arrow` (a fresh cursor
per read, so reads run on any thread and see committed data only, MVCC-consistent while the writer
commits). Driver errors come out of all three as one-line :class:`~lianfang.errors.StoreError`.

The core also owns what every observation write keeps in step: the series numbers
(:class:`~lianfang.store.series.SeriesIndex`, ``self._series``) and the latest value of every
series (:class:`~lianfang.store.latest.LatestValues`, read with :meth:`DuckDBCore._latest_table`).
Both are prepared by the merge inside its transaction and published by ``_settle`` after COMMIT.
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
from lianfang.store.latest import LatestDelta, LatestValues, load_latest, mark_unsaved, save_latest
from lianfang.store.merge import merge_group, stage_group
from lianfang.store.schema import MIGRATIONS, apply_migrations, schema_version
from lianfang.store.series import SeriesIndex, insert_series, load_series
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
        self._latest = LatestValues()
        self._latest_lock = threading.Lock()
        self._latest_loaded = False
        self._latest_saved = False  # the stored snapshot equals self._latest
        self._latest_pending: LatestDelta | None = None
        try:
            self._migrate()
            with driver_errors(f"cannot read store {self.path}"):
                self._series: SeriesIndex = load_series(self._root)
            if not read_only:
                self._load_latest()
                self._writer = GroupWriter(self._root.cursor(), self._merge, settle=self._settle)
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
        self._before_close()  # background work stops while the store still serves it
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            if self._writer is not None:
                self._writer.close()
                if not self._latest_saved:
                    with driver_errors(f"cannot save latest values in {self.path}"):
                        self._in_transaction(lambda: save_latest(self._root, self._latest))
                with driver_errors(f"cannot checkpoint store {self.path}"):
                    self._root.execute("CHECKPOINT").fetchall()
        finally:
            self._root.close()

    def _before_close(self) -> None:
        """Hook: runs first in :meth:`close`, while the writer still takes work (a family stops
        its own background threads here). Overrides call ``super()``."""

    def _in_transaction(self, fn: Callable[[], object]) -> None:
        """``fn()`` in a transaction on the root connection (only while no writer thread runs)."""
        self._root.execute("BEGIN TRANSACTION").fetchall()
        try:
            fn()
            self._root.execute("COMMIT").fetchall()
        except BaseException:
            self._root.execute("ROLLBACK").fetchall()
            raise

    def __enter__(self) -> DuckDBCore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write_stats(self) -> WriterStats:
        """Commit counters of the writer thread (all zero when read-only)."""
        return WriterStats() if self._writer is None else self._writer.stats()

    # --- observation writes: runs on the writer thread -----------------------------------------
    def _merge(self, con: duckdb.DuckDBPyConnection, staged: Sequence[Any]) -> list[WriteResult]:
        stage = stage_group(staged)
        sids, new_series = self._series.assign(stage)
        if new_series.num_rows:
            insert_series(con, new_series)
        stage = stage.append_column("sid", sids)
        results = merge_group(con, stage, len(staged))
        self._latest_pending = self._latest.delta(stage)
        if self._latest_saved:
            mark_unsaved(con)  # commits with these rows, so a crash leaves the snapshot invalid
        return results

    def _settle(self, committed: bool) -> None:
        pending, self._latest_pending = self._latest_pending, None
        if not committed:
            self._series.discard()
            return
        self._series.commit()
        if pending is not None:
            self._latest.apply(pending)
            self._latest_saved = False

    # --- latest values -------------------------------------------------------------------------
    def _load_latest(self) -> None:
        """Fill the latest values from the snapshot, or rebuild them (and, read-write, save them)."""
        with self._latest_lock:
            if self._latest_loaded:
                return
            if self.read_only:
                with self._cursor() as cursor, driver_errors(f"cannot read latest values of {self.path}"):
                    self._latest_saved = load_latest(cursor, self._latest)
            else:  # at open, before the writer thread starts: the root connection is ours
                with driver_errors(f"cannot read latest values of {self.path}"):
                    self._latest_saved = load_latest(self._root, self._latest)
                    if not self._latest_saved:
                        self._in_transaction(lambda: save_latest(self._root, self._latest))
                        self._latest_saved = True
            self._latest_loaded = True

    def _latest_table(self) -> pa.Table:
        """The newest observation of every series (OBSERVATION_SCHEMA, ordered by mn, param,
        kind), current as of the last commit; the same object until a commit changes it."""
        if not self._latest_loaded:
            self._load_latest()  # read-only stores load on first use
        return self._latest.table(self._series)

    # --- for table families --------------------------------------------------------------------
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
