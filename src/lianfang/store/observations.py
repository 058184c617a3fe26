"""Observations in the DuckDB store: group-committed writes, reads as Arrow tables.

Writes: :meth:`ObservationTables.submit_observations` checks and converts a batch to Arrow on the
caller's thread and queues it; the writer thread merges everything queued in one transaction
(:mod:`lianfang.store.merge` has the semantics and the measurements).

Reads return :data:`~lianfang.store.base.OBSERVATION_SCHEMA` with times in UTC. Series reads rely
on DuckDB's zone maps over ``time`` (rows arrive time-major), not on an index (see schema.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from lianfang.errors import InputError
from lianfang.model import DataKind, ObservationBatch, WriteResult
from lianfang.store.base import OBSERVATION_SCHEMA, ObservationQuery
from lianfang.store.core import DuckDBCore
from lianfang.store.merge import stage_batch, stage_table

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


def _where(query: ObservationQuery) -> tuple[str, list[Any]] | None:
    """SQL filter for ``query``; ``None`` when it can match nothing (an empty list filter)."""
    where: list[str] = []
    params: list[Any] = []
    for column, values in (("mn", query.mns), ("param", query.params), ("kind", query.kinds)):
        if values is None:
            continue
        if len(values) == 0:
            return None
        _in_list(column, [str(v) for v in values], where, params)
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
        where = _where(query)
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
        """The newest observation per (mn, param, kind), ordered by those three."""
        where = _where(ObservationQuery(mns=mns, kinds=None if kind is None else [kind]))
        if where is None:
            return OBSERVATION_SCHEMA.empty_table()
        sql_where, params = where
        sql = (
            f"SELECT {_COLUMNS} FROM observations{sql_where} "
            "QUALIFY row_number() OVER (PARTITION BY mn, param, kind ORDER BY time DESC) = 1 "
            "ORDER BY mn, param, kind"
        )
        table = self._fetch_arrow(sql, params, action="reading latest observations")
        return _as_schema(table, OBSERVATION_SCHEMA)

    def observation_times(self, mn: str, kind: DataKind, start: datetime, end: datetime) -> list[datetime]:
        """Distinct times stored for ``mn`` and ``kind`` in [start, end), ascending, in UTC."""
        rows = self._fetch(
            "SELECT DISTINCT time FROM observations WHERE mn = ? AND kind = ? AND time >= ? AND time < ? "
            "ORDER BY time",
            [mn, str(kind), _instant("start", start), _instant("end", end)],
            action="reading observation times",
        )
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
