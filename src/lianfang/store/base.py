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
from dataclasses import dataclass
from datetime import datetime
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

__all__ = ["OBSERVATION_SCHEMA", "ObservationQuery", "Store"]

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
