"""Observations in the DuckDB store: group-committed writes, reads as Arrow tables.

Writes: :meth:`ObservationTables.submit_observations` checks and converts a batch to Arrow on the
caller's thread and queues it; the writer thread merges everything queued in one transaction
(:mod:`lianfang.store.merge` has the semantics and the measurements).

Reads return :data:`~lianfang.store.base.OBSERVATION_SCHEMA` with times in UTC. Reads rely on
DuckDB's zone maps, not on an index (see schema.py): over ``time`` (rows arrive time-major), and
over ``sid`` when a read names stations (months that :mod:`.compaction` re-ordered by series keep
each series in one or two row groups). :meth:`ObservationTables.compact` does that re-ordering.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lianfang.errors import InputError
from lianfang.model import DataKind, ObservationBatch, WriteResult
from lianfang.store.base import OBSERVATION_SCHEMA, ObservationQuery
from lianfang.store.compaction import (
    COLD_AFTER,
    STEP_ROWS,
    CompactionReport,
    MaintenanceThread,
    cold_months,
    compact_step,
    month_steps,
)
from lianfang.store.connection import driver_errors
from lianfang.store.core import DuckDBCore
from lianfang.store.merge import stage_batch, stage_table
from lianfang.store.series import SeriesIndex

__all__ = ["ObservationTables"]

_COLUMNS = "mn, param, kind, time, value, flag"
_CORRECTION_SCHEMA_FIELDS: list[pa.Field[Any]] = [
    pa.field("mn", pa.string()),
    pa.field("param", pa.string()),
    pa.field("kind", pa.string()),
    pa.field("time", pa.timestamp("us", tz="UTC")),
    pa.field("old_value", pa.float64()),
    pa.field("old_flag", pa.string()),
    pa.field("new_value", pa.float64()),
    pa.field("new_flag", pa.string()),
    pa.field("corrected_at", pa.timestamp("us", tz="UTC")),
]
_CORRECTION_SCHEMA = pa.schema(_CORRECTION_SCHEMA_FIELDS)


def _instant(name: str, value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise InputError(f"{name} {value.isoformat()} has no zone (give an aware datetime)")
    return value


def _in_list(column: str, values: Sequence[str], where: list[str], params: list[Any]) -> None:
    where.append(f"{column} IN ({', '.join('?' * len(values))})")
    params.extend(values)


def _where(query: ObservationQuery, series: SeriesIndex | None = None) -> tuple[str, list[Any]] | None:
    """SQL filter for ``query``; ``None`` when it can match nothing (an empty list filter). With
    ``series``, a query naming stations also filters on their series numbers (zone maps)."""
    where: list[str] = []
    params: list[Any] = []
    for column, values in (("mn", query.mns), ("param", query.params), ("kind", query.kinds)):
        if values is None:
            continue
        if len(values) == 0:
            return None
        _in_list(column, [str(v) for v in values], where, params)
    if series is not None and query.mns is not None:
        kinds = None if query.kinds is None else [str(k) for k in query.kinds]
        condition = series.condition(query.mns, kinds, query.params)
        if condition is not None:
            where.append(condition[0])
            params.extend(condition[1])
    if query.start is not None:
        where.append("time >= ?")
        params.append(_instant("start", query.start))
    if query.end is not None:
        where.append("time < ?")
        params.append(_instant("end", query.end))
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _as_schema(table: pa.Table, schema: pa.Schema) -> pa.Table:
    # DuckDB labels instants with the session zone; the instants are the same in UTC.
    return table.select(schema.names).cast(schema)


class ObservationTables(DuckDBCore):
    """The observation half of :class:`~lianfang.store.base.Store` for DuckDB."""

    _maintenance: MaintenanceThread | None = None

    # --- writes --------------------------------------------------------------------------------
    def submit_observations(self, batch: ObservationBatch) -> Future[WriteResult]:
        """Queue ``batch`` for the next group commit; the future resolves after COMMIT.

        A batch that is not valid raises :class:`InputError` here, before anything is queued.
        """
        table = stage_batch(batch)
        return self._writer_or_fail().submit_batch(table)

    def write_observations(self, batch: ObservationBatch) -> WriteResult:
        """Durably write ``batch`` (group-committed with whatever else is queued)."""
        return self.submit_observations(batch).result()

    def write_observation_table(self, table: pa.Table, *, chunk_rows: int = 500_000) -> WriteResult:
        """Durably write an Arrow table of observations (bulk import), in group commits of at most
        ``chunk_rows`` rows; same semantics as :meth:`write_observations`. The whole table is
        checked before anything is queued."""
        staged = stage_table(table)
        futures = [
            self._writer_or_fail().submit_batch(staged.slice(start, chunk_rows))
            for start in range(0, staged.num_rows, chunk_rows)
        ]
        results = [f.result() for f in futures]
        return WriteResult(
            inserted=sum(r.inserted for r in results),
            unchanged=sum(r.unchanged for r in results),
            corrected=sum(r.corrected for r in results),
        )

    def submit_observation_table(self, table: pa.Table) -> Future[WriteResult]:
        """:meth:`submit_observations` for an Arrow table (bulk imports): columns mn, param, kind,
        time (a timestamp with a zone, any unit), value, flag, and optionally qn, received_at."""
        return self._writer_or_fail().submit_batch(stage_table(table))

    def pending_observations(self) -> int:
        """Rows submitted and not yet committed (0 when read-only): a measure for backpressure."""
        return 0 if self._writer is None else self._writer.pending_rows()

    # --- reads ---------------------------------------------------------------------------------
    def read_observations(self, query: ObservationQuery) -> pa.Table:
        """Observations matching ``query`` ordered by (mn, param, kind, time); ``descending``
        reverses that whole order (newest first within one series)."""
        where = _where(query, self._series)
        if where is None:
            return OBSERVATION_SCHEMA.empty_table()
        sql_where, params = where
        direction = " DESC" if query.descending else ""
        order = ", ".join(f"{c}{direction}" for c in ("mn", "param", "kind", "time"))
        sql = f"SELECT {_COLUMNS} FROM observations{sql_where} ORDER BY {order}"
        if query.limit is not None:
            sql += " LIMIT ?"
            params.append(query.limit)
        if query.offset:
            sql += " OFFSET ?"
            params.append(query.offset)
        table = self._fetch_arrow(sql, params, action="reading observations")
        return _as_schema(table, OBSERVATION_SCHEMA)

    def latest(self, *, mns: Sequence[str] | None = None, kind: DataKind | None = None) -> pa.Table:
        """The newest observation per (mn, param, kind), ordered by those three (from the
        in-memory latest values, current as of the last commit)."""
        table = self._latest_table()
        mask = np.ones(table.num_rows, dtype=bool)
        if mns is not None:
            found = pc.is_in(table["mn"], value_set=pa.array([str(m) for m in mns], pa.string()))
            mask &= found.to_numpy(zero_copy_only=False)
        if kind is not None:
            mask &= pc.equal(table["kind"], pa.scalar(str(kind))).to_numpy(zero_copy_only=False)
        return table if mask.all() else table.filter(pa.array(mask))

    def observation_times(self, mn: str, kind: DataKind, start: datetime, end: datetime) -> list[datetime]:
        """Distinct times stored for ``mn`` and ``kind`` in [start, end), ascending, in UTC."""
        sql = "SELECT DISTINCT time FROM observations WHERE mn = ? AND kind = ? AND time >= ? AND time < ?"
        params: list[Any] = [mn, str(kind), _instant("start", start), _instant("end", end)]
        condition = self._series.condition([mn], [str(kind)])
        if condition is not None:
            sql += f" AND {condition[0]}"
            params.extend(condition[1])
        rows = self._fetch(sql + " ORDER BY time", params, action="reading observation times")
        return [row[0].astimezone(UTC) for row in rows]

    def count_observations(self) -> int:
        rows = self._fetch("SELECT count(*) FROM observations", action="counting observations")
        return int(rows[0][0])

    def read_corrections(self, query: ObservationQuery) -> pa.Table:
        """Corrections (old and new value of a key) matching ``query``, oldest correction first."""
        where = _where(query)
        if where is None:
            return _CORRECTION_SCHEMA.empty_table()
        sql_where, params = where
        sql = (
            f"SELECT {', '.join(_CORRECTION_SCHEMA.names)} FROM observation_corrections{sql_where} "
            "ORDER BY corrected_at, mn, param, kind, time, new_received_at"
        )
        if query.limit is not None:
            sql += " LIMIT ?"
            params.append(query.limit)
        table = self._fetch_arrow(sql, params, action="reading corrections")
        return _as_schema(table, _CORRECTION_SCHEMA)

    # --- compaction ----------------------------------------------------------------------------
    def compact(
        self,
        *,
        cold_after: timedelta = COLD_AFTER,
        now: datetime | None = None,
        stop: threading.Event | None = None,
        busy_rows: int | None = None,
        rest: float = 0.0,
        step_rows: int = STEP_ROWS,
    ) -> CompactionReport:
        """Re-order by (series, time) every month that ended more than ``cold_after`` before ``now``
        and is not yet ordered, or grew since (see :mod:`lianfang.store.compaction`).

        Runs on the writer thread in transactions of about ``step_rows`` rows; observation writes
        submitted meanwhile commit between them. ``stop`` ends it between two transactions; with
        ``busy_rows`` it waits while more rows than that are queued for the writer; after each
        transaction it rests ``rest`` times as long as the transaction took. Readers see every row
        exactly once throughout, and a crash loses nothing (a month not finished is redone).
        """
        when = datetime.now(UTC) if now is None else _instant("now", now)
        report = CompactionReport()
        with self._cursor() as con, driver_errors("planning compaction"):
            months = cold_months(con, when - cold_after)
        for month in months:
            with self._cursor() as con, driver_errors("planning compaction"):
                steps = month_steps(con, month, step_rows)
            for step in steps:
                if stop is not None and stop.is_set():
                    return report
                if busy_rows is not None:
                    self._wait_until_quiet(busy_rows, stop)
                started = time.monotonic()
                moved = self._write(
                    lambda con, month=month, step=step: compact_step(con, month, step),  # type: ignore[misc]
                    f"compacting observations of {month.start:%Y-%m}",
                )
                elapsed = time.monotonic() - started
                report = report.add(moved, elapsed, last=step.last)
                if rest and stop is not None and stop.wait(rest * elapsed):
                    return report
            self._checkpoint()
        return report

    def _checkpoint(self) -> None:
        """Write the WAL into the file on the writer thread, between transactions: this drops the
        row groups that compaction emptied (until then scans still visit them). Skipped, not
        failed, while readers hold a transaction: DuckDB checkpoints again on its own later."""

        def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
            with contextlib.suppress(duckdb.TransactionException):
                con.execute("CHECKPOINT").fetchall()

        self._writer_or_fail().submit_call(checkpoint, "checkpointing", transaction=False).result()

    def _wait_until_quiet(self, busy_rows: int, stop: threading.Event | None) -> None:
        waiter = stop or threading.Event()
        while self.pending_observations() > busy_rows and not waiter.wait(0.05):
            pass

    def start_compaction(self, *, interval: float = 600.0, cold_after: timedelta = COLD_AFTER) -> None:
        """Compact in a background thread every ``interval`` [s] (first after one interval), yielding
        to ingest (see :class:`~lianfang.store.compaction.MaintenanceThread`); stopped by close."""
        if self._maintenance is None:
            self._maintenance = MaintenanceThread(self.compact, interval=interval, cold_after=cold_after)
            self._maintenance.start()

    def _before_close(self) -> None:
        if self._maintenance is not None:
            self._maintenance.stop()
        super()._before_close()
