"""The Store contract every backend fulfils (DuckDB embedded by default, PostgreSQL later).

Only ``lianfang.store`` speaks SQL. Callers pass domain objects and get domain objects or Arrow
tables back. Every write method returns only once its data is durable (committed, fsynced).

Observation key: (mn, param, kind, time). Writing the same key with the same value and flag is a
no-op (``unchanged``); with another value or flag it is a correction: the row is updated and the
previous value kept in the corrections audit table.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

from lianfang.model import (
    DataKind,
    Jurisdiction,
    ObservationBatch,
    Station,
    StationKind,
    WriteResult,
)

__all__ = [
    "OBSERVATION_SCHEMA",
    "Agreement",
    "ApiToken",
    "AuditEntry",
    "ObservationKey",
    "ObservationQuery",
    "ObservationSlice",
    "SharingStore",
    "Store",
]

#: Arrow schema of observation tables returned by reads (``time`` is UTC, tz-aware).
_FIELDS: list[pa.Field[Any]] = [
    pa.field("mn", pa.string()),
    pa.field("param", pa.string()),
    pa.field("kind", pa.string()),
    pa.field("time", pa.timestamp("us", tz="UTC")),
    pa.field("value", pa.float64()),
    pa.field("flag", pa.string()),
]
OBSERVATION_SCHEMA = pa.schema(_FIELDS)


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    """A read of observations; every filter is optional. ``start`` inclusive, ``end`` exclusive."""

    mns: Sequence[str] | None = None
    params: Sequence[str] | None = None
    kinds: Sequence[DataKind] | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int | None = None
    offset: int = 0
    descending: bool = False


@runtime_checkable
class Store(Protocol):
    # --- lifecycle -------------------------------------------------------------------------
    def close(self) -> None: ...

    # --- registry --------------------------------------------------------------------------
    def upsert_jurisdiction(self, jurisdiction: Jurisdiction) -> None: ...
    def jurisdictions(self) -> list[Jurisdiction]: ...
    def upsert_station(self, station: Station) -> None:
        """Insert or replace a station. ``station.password_hash`` is stored as given (already hashed);
        an empty hash on an existing station keeps the stored one."""
        ...

    def upsert_stations(self, stations: Sequence[Station]) -> None:
        """``upsert_station`` for many, in one transaction (all or none)."""
        ...

    def set_station_password(self, mn: str, password_hash: str) -> None: ...
    def station(self, mn: str) -> Station | None: ...
    def stations(
        self, *, jurisdiction: str | None = None, kind: StationKind | None = None
    ) -> list[Station]: ...

    # --- observations ----------------------------------------------------------------------
    def write_observations(self, batch: ObservationBatch) -> WriteResult:
        """Durably write a batch in one transaction (group commit). Thread-safe."""
        ...

    def submit_observations(self, batch: ObservationBatch) -> Future[WriteResult]:
        """Queue a batch for the writer thread and return at once; the future resolves after commit.

        Group commit: the writer takes everything queued when its previous commit ends and writes it in
        one transaction, so a lone batch commits within milliseconds and a burst shares one commit.
        """
        ...

    def pending_observations(self) -> int:
        """Rows submitted and not yet committed: a measure for backpressure."""
        ...

    def write_observation_table(self, table: pa.Table) -> WriteResult:
        """Durably write an Arrow table (mn, param, kind, time [tz-aware], value, flag[, qn,
        received_at]) — the bulk path of imports; same key semantics as ``write_observations``."""
        ...

    def read_observations(self, query: ObservationQuery) -> pa.Table:
        """Observations matching ``query`` ordered by (mn, param, kind, time), as OBSERVATION_SCHEMA."""
        ...

    def latest(self, *, mns: Sequence[str] | None = None, kind: DataKind | None = None) -> pa.Table:
        """The newest observation per (mn, param, kind), as OBSERVATION_SCHEMA."""
        ...

    def observation_times(self, mn: str, kind: DataKind, start: datetime, end: datetime) -> list[datetime]:
        """Distinct times stored for a station and kind in [start, end) — for gap detection."""
        ...

    def count_observations(self) -> int: ...


# --- sharing: tokens, agreements, audit (SQL in lianfang.store.sharing; policy in lianfang.share) --


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token as stored: only the SHA-256 ``digest`` of the secret is kept."""

    id: str  # public id, shown in lists and audit rows
    agency: str  # jurisdiction code of the holder's agency
    role: str  # lianfang.share.Role value
    name: str  # holder (user or system)
    digest: str = field(repr=False)
    created_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    """One version of a sharing agreement; a change (e.g. a revocation) is a new version."""

    id: int
    version: int
    owner: str  # jurisdiction whose stations are shared
    grantee: str  # jurisdiction that may read them
    valid_from: datetime
    created_at: datetime
    stations: tuple[str, ...] | None = None  # selector: explicit MNs …
    river: str | None = None  # … or every station on a river …
    station_kind: StationKind | None = None  # … or every station of a kind; none of them = all
    params: tuple[str, ...] | None = None  # None = every parameter
    resolution: DataKind = DataKind.RTD  # finest kind granted
    delay: timedelta = timedelta(0)
    until: datetime | None = None  # exclusive end of validity
    purpose: str = ""
    created_by: str = ""
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One read of another jurisdiction's data under one agreement."""

    at: datetime
    reader: str  # agency that read
    token_id: str
    reader_name: str
    owner: str  # agency whose data was read
    agreement_id: int
    agreement_version: int
    via: str  # rest, sta, export, dashboard …
    action: str  # observations, latest, count
    scope: str  # what was asked for (stations, parameters, kinds, time range)
    values: int  # how many values were returned (or counted)


@dataclass(frozen=True, slots=True)
class ObservationSlice:
    """A part of the observation table a reader may see: these stations × kinds × parameters,
    time in [start, end). A read asks for the union of several slices."""

    mns: tuple[str, ...]
    kinds: tuple[DataKind, ...]
    params: tuple[str, ...] | None = None  # None = every parameter
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive


#: keyset cursor: (mn, param, kind, time) of the last row of the previous page
ObservationKey = tuple[str, str, str, datetime]


@runtime_checkable
class SharingStore(Protocol):
    """Persistence of tokens, agreements, audit, and reads restricted to a union of slices."""

    # --- tokens ----------------------------------------------------------------------------
    def add_token(self, token: ApiToken) -> None: ...
    def token_by_digest(self, digest: str) -> ApiToken | None: ...
    def tokens(self, *, agency: str | None = None) -> list[ApiToken]: ...
    def revoke_token(self, token_id: str, at: datetime) -> ApiToken:
        """Mark revoked (NotFoundError if unknown); revoking twice keeps the first time."""
        ...

    # --- agreements (versioned) ------------------------------------------------------------
    def add_agreement(self, agreement: Agreement) -> Agreement:
        """Store version 1 of a new agreement; ``agreement.id`` is ignored and a fresh id assigned."""
        ...

    def add_agreement_version(self, agreement: Agreement) -> Agreement:
        """Store ``agreement`` as the next version of its id (NotFoundError if the id is unknown)."""
        ...

    def agreement(self, agreement_id: int) -> Agreement | None:
        """The current (highest) version."""
        ...

    def agreements(
        self, *, owner: str | None = None, grantee: str | None = None, history: bool = False
    ) -> list[Agreement]:
        """Current versions (every version with ``history``), ordered by (id, version)."""
        ...

    def agreements_generation(self) -> int:
        """A number that changes whenever an agreement is written through this store (one process
        owns the file, so readers may cache agreements until it changes)."""
        ...

    # --- audit -----------------------------------------------------------------------------
    def submit_audit(self, entries: Sequence[AuditEntry]) -> Future[None]:
        """Queue audit rows for the writer (batched, off the read path)."""
        ...

    def audit_entries(
        self,
        *,
        agency: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[AuditEntry]:
        """Rows where ``agency`` is the reader or the owner, ``start <= at < end``, ordered by time."""
        ...

    # --- reads restricted to slices --------------------------------------------------------
    def read_slices(
        self,
        slices: Sequence[ObservationSlice],
        *,
        limit: int | None = None,
        offset: int = 0,
        descending: bool = False,
        after: ObservationKey | None = None,
    ) -> pa.Table:
        """Rows in the union of ``slices`` (each once), ordered by (mn, param, kind, time),
        reversed with ``descending``; ``after`` starts after that key (in the chosen order)."""
        ...

    def count_slices(self, slices: Sequence[ObservationSlice], *, cap: int | None = None) -> int: ...
    def latest_slices(self, slices: Sequence[ObservationSlice]) -> pa.Table:
        """Newest row per (mn, param, kind) within each slice's bounds."""
        ...

    def series_slices(self, slices: Sequence[ObservationSlice]) -> list[tuple[str, str, str]]:
        """Distinct (mn, param, kind) present in the union of slices (bounds ignored), sorted."""
        ...
