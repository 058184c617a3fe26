"""SQL for sharing on DuckDB: tokens, versioned agreements, the audit log, reads limited to slices.

Functions take a connection (a cursor of the embedded store) so that the store decides threading:
reads run on per-thread cursors, writes on its single writer. Tables: :mod:`.sharing_schema`.

Slice reads name a few stations most of the time; given the store's
:class:`~lianfang.store.series.SeriesIndex` they add a condition on the series numbers, so DuckDB
skips the row groups of other series (see :mod:`.series` and :mod:`.compaction`). Latest values
come from the store's in-memory copy (:mod:`.latest`).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from lianfang.errors import NotFoundError
from lianfang.model import DataKind, StationKind
from lianfang.store.base import (
    OBSERVATION_SCHEMA,
    Agreement,
    ApiToken,
    AuditEntry,
    ObservationKey,
    ObservationSlice,
)
from lianfang.store.connection import driver_errors
from lianfang.store.core import DuckDBCore
from lianfang.store.series import SeriesIndex

__all__ = [
    "SharingTables",
    "SliceFilter",
    "add_agreement",
    "add_agreement_version",
    "add_token",
    "agreement",
    "agreements",
    "audit_entries",
    "count_slices",
    "insert_audit",
    "latest_slices",
    "read_slices",
    "revoke_token",
    "series_slices",
    "slice_filter",
    "token_by_digest",
    "tokens",
]

_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OBS_COLUMNS = "mn, param, kind, time, value, flag"

# --- tokens ----------------------------------------------------------------------------------

_TOKEN_FIELDS = "id, agency, role, name, digest, created_at, expires_at, revoked_at"  # noqa: S105  (column names)


def _token(row: tuple[Any, ...]) -> ApiToken:
    return ApiToken(*row)


def add_token(con: duckdb.DuckDBPyConnection, token: ApiToken) -> None:
    con.execute(
        f"INSERT INTO api_tokens ({_TOKEN_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            token.id,
            token.agency,
            token.role,
            token.name,
            token.digest,
            token.created_at,
            token.expires_at,
            token.revoked_at,
        ],
    )


def token_by_digest(con: duckdb.DuckDBPyConnection, digest: str) -> ApiToken | None:
    row = con.execute(f"SELECT {_TOKEN_FIELDS} FROM api_tokens WHERE digest = ?", [digest]).fetchone()
    return _token(row) if row is not None else None


def tokens(con: duckdb.DuckDBPyConnection, *, agency: str | None = None) -> list[ApiToken]:
    rows = con.execute(
        f"SELECT {_TOKEN_FIELDS} FROM api_tokens WHERE ? IS NULL OR agency = ? ORDER BY created_at, id",
        [agency, agency],
    ).fetchall()
    return [_token(r) for r in rows]


def revoke_token(con: duckdb.DuckDBPyConnection, token_id: str, at: datetime) -> ApiToken:
    con.execute("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", [at, token_id])
    row = con.execute(f"SELECT {_TOKEN_FIELDS} FROM api_tokens WHERE id = ?", [token_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no token {token_id!r}")
    return _token(row)


# --- agreements ------------------------------------------------------------------------------

_AGREEMENT_COLUMNS = (
    "id, version, owner, grantee, valid_from, created_at, stations, river, station_kind, params, "
    "resolution, delay_us, until, purpose, created_by, revoked_at"
)


def _agreement(row: tuple[Any, ...]) -> Agreement:
    (id_, version, owner, grantee, valid_from, created_at, stations, river, kind, params) = row[:10]
    (resolution, delay_us, until, purpose, created_by, revoked_at) = row[10:]
    return Agreement(
        id=id_,
        version=version,
        owner=owner,
        grantee=grantee,
        valid_from=valid_from,
        created_at=created_at,
        stations=tuple(stations) if stations is not None else None,
        river=river,
        station_kind=StationKind(kind) if kind is not None else None,
        params=tuple(params) if params is not None else None,
        resolution=DataKind(resolution),
        delay=delay_us * _US,
        until=until,
        purpose=purpose,
        created_by=created_by,
        revoked_at=revoked_at,
    )


def _insert_agreement(con: duckdb.DuckDBPyConnection, a: Agreement) -> None:
    con.execute(
        f"INSERT INTO agreements ({_AGREEMENT_COLUMNS}) VALUES ({', '.join('?' * 16)})",
        [
            a.id,
            a.version,
            a.owner,
            a.grantee,
            a.valid_from,
            a.created_at,
            list(a.stations) if a.stations is not None else None,
            a.river,
            a.station_kind.value if a.station_kind is not None else None,
            list(a.params) if a.params is not None else None,
            a.resolution.value,
            a.delay // _US,
            a.until,
            a.purpose,
            a.created_by,
            a.revoked_at,
        ],
    )


def add_agreement(con: duckdb.DuckDBPyConnection, draft: Agreement) -> Agreement:
    """Insert version 1 under the next free id (call on the single writer: max+1 is not atomic)."""
    row = con.execute("SELECT coalesce(max(id), 0) + 1 FROM agreements").fetchone()
    assert row is not None
    stored = Agreement(**{**_fields(draft), "id": int(row[0]), "version": 1})
    _insert_agreement(con, stored)
    return stored


def add_agreement_version(con: duckdb.DuckDBPyConnection, a: Agreement) -> Agreement:
    current = agreement(con, a.id)
    if current is None:
        raise NotFoundError(f"no agreement {a.id}")
    stored = Agreement(**{**_fields(a), "version": current.version + 1})
    _insert_agreement(con, stored)
    return stored


def agreement(con: duckdb.DuckDBPyConnection, agreement_id: int) -> Agreement | None:
    row = con.execute(
        f"SELECT {_AGREEMENT_COLUMNS} FROM agreements WHERE id = ? ORDER BY version DESC LIMIT 1",
        [agreement_id],
    ).fetchone()
    return _agreement(row) if row is not None else None


def agreements(
    con: duckdb.DuckDBPyConnection,
    *,
    owner: str | None = None,
    grantee: str | None = None,
    history: bool = False,
) -> list[Agreement]:
    current = "" if history else "QUALIFY version = max(version) OVER (PARTITION BY id)"
    rows = con.execute(
        f"SELECT {_AGREEMENT_COLUMNS} FROM agreements "
        "WHERE (? IS NULL OR owner = ?) AND (? IS NULL OR grantee = ?) "
        f"{current} ORDER BY id, version",
        [owner, owner, grantee, grantee],
    ).fetchall()
    return [_agreement(r) for r in rows]


def _fields(a: Agreement) -> dict[str, Any]:
    return {name: getattr(a, name) for name in Agreement.__dataclass_fields__}


# --- audit -----------------------------------------------------------------------------------

_AUDIT_COLUMNS = (
    "read_at, reader, token_id, reader_name, owner, agreement_id, agreement_version, "
    "via, action, scope, n_values"
)


def insert_audit(con: duckdb.DuckDBPyConnection, entries: Sequence[AuditEntry]) -> None:
    if not entries:
        return
    con.executemany(
        f"INSERT INTO audit_log ({_AUDIT_COLUMNS}) VALUES ({', '.join('?' * 11)})",
        [
            [
                e.at,
                e.reader,
                e.token_id,
                e.reader_name,
                e.owner,
                e.agreement_id,
                e.agreement_version,
                e.via,
                e.action,
                e.scope,
                e.values,
            ]
            for e in entries
        ],
    )


def audit_entries(
    con: duckdb.DuckDBPyConnection,
    *,
    agency: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[AuditEntry]:
    rows = con.execute(
        f"SELECT {_AUDIT_COLUMNS} FROM audit_log "
        "WHERE (? IS NULL OR reader = ? OR owner = ?) "
        "AND (? IS NULL OR read_at >= ?) AND (? IS NULL OR read_at < ?) "
        "ORDER BY read_at, agreement_id",
        [agency, agency, agency, start, start, end, end],
    ).fetchall()
    return [AuditEntry(*r) for r in rows]


# --- observations limited to slices ----------------------------------------------------------


_INLINE_MAX = 64  # longer station lists are joined as a registered Arrow table, not bound one by one


class SliceFilter:
    """A WHERE condition true exactly for rows in the union of ``slices``, with its parameters and
    the station lists it reads from registered Arrow tables (bind them with :meth:`bound`).

    With ``series``, a condition on ``sid`` that the rows of the slices meet is added outside the
    OR (when they are few series), so that zone maps skip the row groups of other series."""

    _names = itertools.count()

    def __init__(
        self, slices: Sequence[ObservationSlice], *, bounds: bool = True, series: SeriesIndex | None = None
    ) -> None:
        self.params: list[Any] = []
        self.tables: dict[str, pa.Table] = {}
        terms = [self._term(s, bounds) for s in slices]
        self.sql = "(" + " OR ".join(terms) + ")" if terms else "false"
        if len(slices) > 1:
            self.sql += self._hoisted(slices, bounds)
        if series is not None and slices:
            self._series_condition(slices, series)

    def _series_condition(self, slices: Sequence[ObservationSlice], series: SeriesIndex) -> None:
        mns = sorted({m for s in slices for m in s.mns})
        kinds = sorted({k.value for s in slices for k in s.kinds})
        params = (
            None
            if any(s.params is None for s in slices)
            else sorted({p for s in slices for p in s.params or ()})
        )
        condition = series.condition(mns, kinds, params)
        if condition is not None:
            self.sql += f" AND {condition[0]}"
            self.params.extend(condition[1])

    def _hoisted(self, slices: Sequence[ObservationSlice], bounds: bool) -> str:
        """What every slice requires, repeated outside the OR: DuckDB pushes only top-level
        conjuncts into the scan, and a time range there lets zone maps skip row groups."""
        parts = [self._in("kind", sorted({k.value for s in slices for k in s.kinds}))]
        if all(s.params is not None for s in slices):
            parts.append(self._in("param", sorted({p for s in slices for p in s.params or ()})))
        mns = sorted({m for s in slices for m in s.mns})
        if len(mns) <= _INLINE_MAX:
            parts.append(self._in("mn", mns))
        if bounds and all(s.start is not None for s in slices):
            parts.append("time >= ?")
            self.params.append(min(s.start for s in slices if s.start is not None))
        if bounds and all(s.end is not None for s in slices):
            parts.append("time < ?")
            self.params.append(max(s.end for s in slices if s.end is not None))
        return "".join(f" AND {p}" for p in parts)

    def _term(self, s: ObservationSlice, bounds: bool) -> str:
        parts = [self._in("mn", s.mns), self._in("kind", [k.value for k in s.kinds])]
        if s.params is not None:
            parts.append(self._in("param", s.params))
        if bounds and s.start is not None:
            parts.append("time >= ?")
            self.params.append(s.start)
        if bounds and s.end is not None:
            parts.append("time < ?")
            self.params.append(s.end)
        return "(" + " AND ".join(parts) + ")"

    def _in(self, column: str, values: Sequence[str]) -> str:
        if not values:
            return "false"
        if len(values) == 1:
            self.params.append(values[0])
            return f"{column} = ?"
        if len(values) <= _INLINE_MAX:
            self.params.extend(values)
            return f"{column} IN ({', '.join('?' * len(values))})"
        name = f"lf_slice_{next(self._names)}"
        self.tables[name] = pa.table({"v": pa.array(values, pa.string())})
        return f"{column} IN (SELECT v FROM {name})"

    @contextmanager
    def bound(self, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        for name, table in self.tables.items():
            con.register(name, table)
        try:
            yield
        finally:
            for name in self.tables:
                con.unregister(name)


def slice_filter(slices: Sequence[ObservationSlice]) -> tuple[str, list[Any]]:
    """The WHERE condition of ``slices`` with every value bound as a parameter (for small reads and
    tests; the reads below use :class:`SliceFilter`)."""
    if not slices:
        return "false", []
    params: list[Any] = []
    terms = []
    for s in slices:
        parts = [f"mn IN ({', '.join('?' * len(s.mns))})", f"kind IN ({', '.join('?' * len(s.kinds))})"]
        params += [*s.mns, *(k.value for k in s.kinds)]
        if s.params is not None:
            parts.append(f"param IN ({', '.join('?' * len(s.params))})")
            params += s.params
        for bound, op in ((s.start, ">="), (s.end, "<")):
            if bound is not None:
                parts.append(f"time {op} ?")
                params.append(bound)
        terms.append("(" + " AND ".join(parts) + ")")
    return "(" + " OR ".join(terms) + ")", params


def _arrow(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pa.Table:
    table = con.sql(sql, params=params).to_arrow_table()
    return OBSERVATION_SCHEMA.empty_table() if table is None else table.cast(OBSERVATION_SCHEMA)


def read_slices(
    con: duckdb.DuckDBPyConnection,
    slices: Sequence[ObservationSlice],
    *,
    limit: int | None = None,
    offset: int = 0,
    descending: bool = False,
    after: ObservationKey | None = None,
    series: SeriesIndex | None = None,
) -> pa.Table:
    where = SliceFilter(slices, series=series)
    sql, params = where.sql, list(where.params)
    direction = "DESC" if descending else "ASC"
    if after is not None:
        # the plain bound on mn lets the scan skip row groups; the tuple makes the cut exact
        op = "<" if descending else ">"
        sql += f" AND mn {op}= ? AND (mn, param, kind, time) {op} (?, ?, ?, ?::TIMESTAMPTZ)"
        params += [after[0], *after]
    sql = (
        f"SELECT {_OBS_COLUMNS} FROM observations WHERE {sql} "
        f"ORDER BY mn {direction}, param {direction}, kind {direction}, time {direction}"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    if offset:
        sql += " OFFSET ?"
        params.append(offset)
    with where.bound(con):
        return _arrow(con, sql, params)


def count_slices(
    con: duckdb.DuckDBPyConnection,
    slices: Sequence[ObservationSlice],
    *,
    cap: int | None = None,
    series: SeriesIndex | None = None,
) -> int:
    where = SliceFilter(slices, series=series)
    with where.bound(con):
        # fetchall, not fetchone: a pending result would keep the registered slice tables in use
        if cap is None:
            sql = f"SELECT count(*) FROM observations WHERE {where.sql}"
            rows = con.execute(sql, where.params).fetchall()
        else:
            rows = con.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM observations WHERE {where.sql} LIMIT ?)",
                [*where.params, cap],
            ).fetchall()
    return int(rows[0][0])


_LOOKBACK = timedelta(days=2)  # first window searched before a slice's end for a delayed latest value


def latest_slices(
    con: duckdb.DuckDBPyConnection,
    slices: Sequence[ObservationSlice],
    latest: pa.Table,
    *,
    series: SeriesIndex | None = None,
) -> pa.Table:
    """Newest row per (mn, param, kind) within the union of ``slices``; ``latest`` is the newest
    row of every series (the store's in-memory copy, OBSERVATION_SCHEMA ordered by key).

    The newest row of a series answers whenever it lies inside a slice. Otherwise (a slice ends
    before it: a delay) the newest row before the end is searched in the observations, first in a
    short window before the end (zone maps skip the rest), then without a window for the series
    still unanswered.
    """
    if not slices or latest.num_rows == 0:
        return OBSERVATION_SCHEMA.empty_table()
    in_series = _slice_mask(latest, slices, bounds=False)
    inside_mask = _slice_mask(latest, slices, bounds=True)
    inside = latest.filter(pa.array(inside_mask))
    outside = latest.filter(pa.array(in_series & ~inside_mask)).select(["mn", "param", "kind"])
    if outside.num_rows == 0:
        return inside
    found = _latest_before(con, slices, outside, window=_LOOKBACK, series=series)
    answered = {(r["mn"], r["param"], r["kind"]) for r in found.select(["mn", "param", "kind"]).to_pylist()}
    rest = [r for r in outside.to_pylist() if (r["mn"], r["param"], r["kind"]) not in answered]
    parts = [inside, found]
    if rest:
        parts.append(
            _latest_before(
                con, slices, pa.Table.from_pylist(rest, schema=outside.schema), window=None, series=series
            )
        )
    return _sorted(pa.concat_tables(parts))


def _slice_mask(
    table: pa.Table, slices: Sequence[ObservationSlice], *, bounds: bool
) -> npt.NDArray[np.bool_]:
    """Rows of ``table`` (OBSERVATION_SCHEMA) inside the union of ``slices``, computed in Arrow."""
    micros = pc.cast(table.column("time"), pa.int64()).to_numpy(zero_copy_only=False)
    union = np.zeros(table.num_rows, dtype=bool)
    for s in slices:
        mask = _member(table, "mn", s.mns) & _member(table, "kind", [k.value for k in s.kinds])
        if s.params is not None:
            mask &= _member(table, "param", s.params)
        if bounds and s.start is not None:
            mask &= micros >= _micros(s.start)
        if bounds and s.end is not None:
            mask &= micros < _micros(s.end)
        union |= mask
    return union


def _member(table: pa.Table, column: str, values: Sequence[str]) -> npt.NDArray[np.bool_]:
    found = pc.is_in(table.column(column), value_set=pa.array(values, pa.string()))
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _micros(instant: datetime) -> int:
    return (instant - _EPOCH) // _US


def _latest_before(
    con: duckdb.DuckDBPyConnection,
    slices: Sequence[ObservationSlice],
    keys: pa.Table,
    *,
    window: timedelta | None,
    series: SeriesIndex | None,
) -> pa.Table:
    """Newest observation inside ``slices`` for each of ``keys`` (mn, param, kind)."""
    where = SliceFilter([_window(s, window) for s in slices], series=series)
    con.register("lf_latest_series", keys)
    try:
        with where.bound(con):
            return _arrow(
                con,
                "SELECT mn, param, kind, max(time) AS time, arg_max(value, time) AS value, "
                f"arg_max(flag, time) AS flag FROM observations WHERE {where.sql} "
                "AND (mn, param, kind) IN (SELECT (mn, param, kind) FROM lf_latest_series) "
                "GROUP BY mn, param, kind",
                where.params,
            )
    finally:
        con.unregister("lf_latest_series")


def _window(s: ObservationSlice, window: timedelta | None) -> ObservationSlice:
    """``s`` narrowed to the ``window`` before its end (unchanged without an end or a window)."""
    if window is None or s.end is None:
        return s
    start = s.end - window if s.start is None else max(s.start, s.end - window)
    return ObservationSlice(mns=s.mns, kinds=s.kinds, params=s.params, start=start, end=s.end)


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([("mn", "ascending"), ("param", "ascending"), ("kind", "ascending")])


def series_slices(slices: Sequence[ObservationSlice], latest: pa.Table) -> list[tuple[str, str, str]]:
    """Distinct (mn, param, kind) with data in the union of ``slices``, whatever their time bounds
    (a series exists even while its values are too new to be shown), from the latest values."""
    if not slices:
        return []
    rows = latest.filter(pa.array(_slice_mask(latest, slices, bounds=False))).select(["mn", "param", "kind"])
    return sorted((str(r["mn"]), str(r["param"]), str(r["kind"])) for r in rows.to_pylist())


class SharingTables(DuckDBCore):
    """The :class:`~lianfang.store.base.SharingStore` half of the DuckDB store."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self._audit_lock = threading.Lock()
        self._audit_pending: list[AuditEntry] = []
        self._audit_future: Future[None] | None = None
        self._agreements_generation = 0
        self._generation_lock = threading.Lock()
        super().__init__(path, read_only=read_only)

    # --- tokens --------------------------------------------------------------------------------
    def add_token(self, token: ApiToken) -> None:
        self._write(lambda con: add_token(con, token), "adding token")

    def token_by_digest(self, digest: str) -> ApiToken | None:
        with self._cursor() as con, driver_errors("reading token"):
            return token_by_digest(con, digest)

    def tokens(self, *, agency: str | None = None) -> list[ApiToken]:
        with self._cursor() as con, driver_errors("reading tokens"):
            return tokens(con, agency=agency)

    def revoke_token(self, token_id: str, at: datetime) -> ApiToken:
        return self._write(lambda con: revoke_token(con, token_id, at), "revoking token")

    # --- agreements ----------------------------------------------------------------------------
    def add_agreement(self, agreement: Agreement) -> Agreement:
        try:
            return self._write(lambda con: add_agreement(con, agreement), "adding agreement")
        finally:
            self._bump_agreements()

    def add_agreement_version(self, agreement: Agreement) -> Agreement:
        try:
            return self._write(lambda con: add_agreement_version(con, agreement), "amending agreement")
        finally:
            self._bump_agreements()

    def agreements_generation(self) -> int:
        with self._generation_lock:
            return self._agreements_generation

    def _bump_agreements(self) -> None:
        with self._generation_lock:
            self._agreements_generation += 1

    def agreement(self, agreement_id: int) -> Agreement | None:
        with self._cursor() as con, driver_errors("reading agreement"):
            return agreement(con, agreement_id)

    def agreements(
        self, *, owner: str | None = None, grantee: str | None = None, history: bool = False
    ) -> list[Agreement]:
        with self._cursor() as con, driver_errors("reading agreements"):
            return agreements(con, owner=owner, grantee=grantee, history=history)

    # --- audit ---------------------------------------------------------------------------------
    def submit_audit(self, entries: Sequence[AuditEntry]) -> Future[None]:
        """Queue entries; everything queued while one audit write waits for the writer joins it,
        so a burst of reads costs one transaction, not one each."""
        with self._audit_lock:
            self._audit_pending.extend(entries)
            if self._audit_future is None:
                self._audit_future = self._submit(self._drain_audit, "writing audit log")
            return self._audit_future

    def _drain_audit(self, con: duckdb.DuckDBPyConnection) -> None:
        with self._audit_lock:
            entries, self._audit_pending, self._audit_future = self._audit_pending, [], None
        insert_audit(con, entries)

    def audit_entries(
        self,
        *,
        agency: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[AuditEntry]:
        with self._cursor() as con, driver_errors("reading audit log"):
            return audit_entries(con, agency=agency, start=start, end=end)

    # --- reads limited to slices ---------------------------------------------------------------
    def read_slices(
        self,
        slices: Sequence[ObservationSlice],
        *,
        limit: int | None = None,
        offset: int = 0,
        descending: bool = False,
        after: ObservationKey | None = None,
    ) -> pa.Table:
        with self._cursor() as con, driver_errors("reading observations"):
            return read_slices(
                con,
                slices,
                limit=limit,
                offset=offset,
                descending=descending,
                after=after,
                series=self._series,
            )

    def count_slices(self, slices: Sequence[ObservationSlice], *, cap: int | None = None) -> int:
        with self._cursor() as con, driver_errors("counting observations"):
            return count_slices(con, slices, cap=cap, series=self._series)

    def latest_slices(self, slices: Sequence[ObservationSlice]) -> pa.Table:
        latest = self._latest_table()
        with self._cursor() as con, driver_errors("reading latest observations"):
            return latest_slices(con, slices, latest, series=self._series)

    def series_slices(self, slices: Sequence[ObservationSlice]) -> list[tuple[str, str, str]]:
        return series_slices(slices, self._latest_table())
