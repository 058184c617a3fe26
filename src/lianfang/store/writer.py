"""The writer thread: sole owner of the write connection, committing queued work in groups.

Group commit without a timer: when a commit ends, the thread takes everything queued meanwhile and
writes it in the next transaction. A lone batch is committed at once (a few milliseconds); under
load, batches queue during a commit and share the next one, so the cost of a commit (the WAL
fdatasync, the join against stored rows) is paid once per group instead of once per batch. Every
future resolves only after its COMMIT has returned, i.e. once DuckDB has fsynced the WAL.

Two kinds of work: observation batches (merged together by ``merge`` in one transaction) and
calls ``fn(con)`` (registry and other small writes), each in a transaction of its own so that a
failing call cannot undo anyone else's rows. Work runs in submission order.

``settle(committed)`` runs on the writer thread after each observation transaction ends (True after
COMMIT, False after a rollback) and before any of its futures resolve, so that in-memory state the
merge prepared (series numbers, latest values) is published exactly when its rows are durable.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import duckdb

from lianfang.errors import StoreError
from lianfang.model import WriteResult
from lianfang.store.connection import driver_error
from lianfang.store.merge import Staged, staged_rows

__all__ = ["GroupWriter", "MergeFn", "SettleFn", "WriterStats"]

T = TypeVar("T")
MergeFn = Callable[[duckdb.DuckDBPyConnection, Sequence[Staged]], list[WriteResult]]
SettleFn = Callable[[bool], None]


def _no_settle(committed: bool) -> None:
    """Nothing to publish."""


def _mapped(action: str, exc: Exception) -> Exception:
    """Driver errors become one-line StoreErrors (``from`` the original); others pass as they are."""
    if not isinstance(exc, duckdb.Error):
        return exc
    error = driver_error(action, exc)
    error.__cause__ = exc
    return error


@dataclass(frozen=True, slots=True)
class WriterStats:
    """Counters since the store was opened."""

    commits: int = 0  # transactions committed (observation groups and calls)
    batches: int = 0  # observation batches committed
    rows: int = 0  # observation rows committed (before in-batch de-duplication)
    failures: int = 0  # batches or calls whose future got an exception


@dataclass(slots=True, eq=False)
class _Batch:
    staged: Staged
    rows: int
    future: Future[WriteResult]


@dataclass(slots=True, eq=False)
class _Call:
    fn: Callable[[duckdb.DuckDBPyConnection], Any]
    action: str
    future: Future[Any]
    transaction: bool = True


class GroupWriter:
    """Runs ``merge`` and calls on ``con`` from one daemon thread; see the module docstring."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        merge: MergeFn,
        *,
        settle: SettleFn = _no_settle,
        name: str = "lianfang-store-writer",
    ):
        self._con = con
        self._merge = merge
        self._settle = settle
        self._cond = threading.Condition()
        self._queue: list[_Batch | _Call] = []
        self._pending_rows = 0
        self._closing = False
        self._broken: BaseException | None = None
        self._commits = self._batches = self._rows = self._failures = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # --- producers (any thread) ----------------------------------------------------------------
    def submit_batch(self, staged: Staged) -> Future[WriteResult]:
        future: Future[WriteResult] = Future()
        rows = staged_rows(staged)
        self._enqueue(_Batch(staged, rows, future), rows)
        return future

    def submit_call(
        self, fn: Callable[[duckdb.DuckDBPyConnection], T], action: str, *, transaction: bool = True
    ) -> Future[T]:
        """Queue ``fn(con)``; ``transaction=False`` runs it outside any transaction (CHECKPOINT)."""
        future: Future[T] = Future()
        self._enqueue(_Call(fn, action, future, transaction), 0)
        return future

    def _enqueue(self, item: _Batch | _Call, rows: int) -> None:
        with self._cond:
            if self._broken is not None:
                raise StoreError(f"store writer stopped: {self._broken!r}")
            if self._closing:
                raise StoreError("store is closed")
            self._queue.append(item)
            self._pending_rows += rows
            self._cond.notify()

    def pending_rows(self) -> int:
        """Observation rows submitted and not yet committed."""
        with self._cond:
            return self._pending_rows

    def stats(self) -> WriterStats:
        with self._cond:
            return WriterStats(self._commits, self._batches, self._rows, self._failures)

    def close(self) -> None:
        """Commit everything queued, then stop the thread. Idempotent."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        if self._thread is not threading.current_thread():
            self._thread.join()

    # --- the writer thread ---------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                work, self._queue = self._queue, []
            live: list[_Batch | _Call] = []
            for item in work:
                if item.future.set_running_or_notify_cancel():
                    live.append(item)
                elif isinstance(item, _Batch):  # cancelled by its caller before we started
                    self._done(rows=item.rows)
            try:
                self._process(live)
            except BaseException as exc:  # a bug: fail loudly, but never leave a caller waiting
                self._stop(live, exc)
                raise

    def _stop(self, live: list[_Batch | _Call], exc: BaseException) -> None:
        with self._cond:
            self._closing = True
            self._broken = exc
            queued, self._queue = self._queue, []
        for item in [*live, *queued]:
            if not item.future.done() and (
                item.future.running() or item.future.set_running_or_notify_cancel()
            ):
                item.future.set_exception(StoreError(f"store writer stopped: {exc!r}"))

    def _process(self, work: list[_Batch | _Call]) -> None:
        run: list[_Batch] = []
        for item in work:
            if isinstance(item, _Batch):
                run.append(item)
                continue
            if run:
                self._commit_batches(run)
                run = []
            self._commit_call(item)
        if run:
            self._commit_batches(run)

    def _transaction(self, body: Callable[[], T]) -> T:
        con = self._con
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            result = body()
            con.execute("COMMIT").fetchall()
        except BaseException:
            # The transaction may be gone already (failed COMMIT, invalidated database).
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK").fetchall()
            raise
        return result

    def _commit_batches(self, batches: list[_Batch]) -> None:
        rows = sum(b.rows for b in batches)
        try:
            results = self._transaction(lambda: self._merge(self._con, [b.staged for b in batches]))
        except Exception as exc:
            self._settle(False)
            if len(batches) > 1:
                # One bad batch must not fail the others: retry each alone.
                for b in batches:
                    self._commit_batches([b])
                return
            error: BaseException = (
                driver_error("writing observations", exc) if isinstance(exc, duckdb.Error) else exc
            )
            if error is not exc:
                error.__cause__ = exc
            self._done(rows=rows, failures=1)
            batches[0].future.set_exception(error)
            return
        self._settle(True)
        self._done(rows=rows, commits=1, batches=len(batches), committed=rows)
        for b, result in zip(batches, results, strict=True):
            b.future.set_result(result)

    def _commit_call(self, call: _Call) -> None:
        try:
            result = self._transaction(lambda: call.fn(self._con)) if call.transaction else call.fn(self._con)
        except Exception as exc:
            error = _mapped(call.action, exc)
            self._done(failures=1)
            call.future.set_exception(error)
            return
        self._done(commits=1)
        call.future.set_result(result)

    def _done(
        self, *, rows: int = 0, commits: int = 0, batches: int = 0, committed: int = 0, failures: int = 0
    ) -> None:
        with self._cond:
            self._pending_rows -= rows
            self._commits += commits
            self._batches += batches
            self._rows += committed
            self._failures += failures
