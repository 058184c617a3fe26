"""SharedReader: the one place that decides what a caller sees, and audits reads across jurisdictions.

Every read path — REST, SensorThings, exports, the dashboard, webhooks — reads observations through
this class; nothing else turns a caller into store queries.
"""

from __future__ import annotations

import threading
import time as monotonic_time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import pyarrow as pa

from lianfang.errors import NotFoundError
from lianfang.model import DataKind, Jurisdiction, Station, StationKind
from lianfang.share.audit import AuditTrail, describe_query
from lianfang.share.caller import Caller
from lianfang.share.grants import Access, Coverage
from lianfang.store.base import (
    OBSERVATION_SCHEMA,
    Agreement,
    ObservationKey,
    ObservationQuery,
    SharingStore,
    Store,
)

__all__ = ["SeriesKey", "SharedReader", "SharedStore"]

REGISTRY_TTL = 5.0  # [s] station registry cache; agreements and tokens are read fresh on every request


class SharedStore(Store, SharingStore, Protocol):
    """What the reader needs: the observation store and its sharing tables."""


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """One series (a SensorThings Datastream): station × parameter × data kind."""

    mn: str
    param: str
    kind: DataKind


class SharedReader:
    def __init__(self, store: SharingStore, *, clock: Callable[[], datetime] | None = None) -> None:
        if not isinstance(store, Store):
            raise TypeError("SharedReader needs a store implementing both Store and SharingStore")
        self._store: SharedStore = store
        self._clock = clock or (lambda: datetime.now(UTC))
        self._audit = AuditTrail(store)
        self._lock = threading.Lock()
        self._registry: list[Station] = []
        self._registry_at = float("-inf")
        self._agreements: tuple[int, list[Agreement]] | None = None  # (generation, agreements)
        self._coverage: dict[str, tuple[list[Station], int, Coverage]] = {}

    # --- policy ------------------------------------------------------------------------------
    def access(self, caller: Caller) -> Access:
        """What ``caller``'s agency may see now. Agreements are re-read whenever one is written
        (and coverage re-evaluated whenever one starts, ends or is revoked); the station registry
        is cached for :data:`REGISTRY_TTL` seconds."""
        now = self._clock()
        registry = self._stations()
        generation = self._store.agreements_generation()
        with self._lock:
            cached = self._coverage.get(caller.agency)
        if cached is not None:
            cached_registry, cached_generation, coverage = cached
            if cached_registry is registry and cached_generation == generation and coverage.holds_at(now):
                return coverage.at(now)
        coverage = Coverage(caller.agency, registry, self._current_agreements(generation), now)
        with self._lock:
            self._coverage[caller.agency] = (registry, generation, coverage)
        return coverage.at(now)

    def invalidate_registry(self) -> None:
        with self._lock:
            self._registry_at = float("-inf")

    def _stations(self) -> list[Station]:
        with self._lock:
            if monotonic_time.monotonic() - self._registry_at <= REGISTRY_TTL:
                return self._registry
        registry = self._store.stations()
        with self._lock:
            self._registry, self._registry_at = registry, monotonic_time.monotonic()
        return registry

    def _current_agreements(self, generation: int) -> list[Agreement]:
        with self._lock:
            if self._agreements is not None and self._agreements[0] == generation:
                return self._agreements[1]
        agreements = self._store.agreements()
        with self._lock:
            self._agreements = (generation, agreements)
        return agreements

    # --- stations ----------------------------------------------------------------------------
    def jurisdictions(self) -> list[Jurisdiction]:
        """Every jurisdiction (public: codes and names only)."""
        return self._store.jurisdictions()

    def stations(
        self, caller: Caller, *, kind: StationKind | None = None, jurisdiction: str | None = None
    ) -> list[Station]:
        return [
            s
            for s in self.access(caller).stations.values()
            if (kind is None or s.kind == kind) and (jurisdiction is None or s.jurisdiction == jurisdiction)
        ]

    def station(self, caller: Caller, mn: str) -> Station:
        station = self.access(caller).stations.get(mn)
        if station is None:
            raise NotFoundError(f"no station {mn!r}")  # same answer whether absent or not shared
        return station

    def kinds(self, caller: Caller, mn: str) -> list[DataKind]:
        access = self.access(caller)
        if not access.visible(mn):
            raise NotFoundError(f"no station {mn!r}")
        return access.kinds(mn)

    def parameters(self, caller: Caller, mn: str) -> list[str]:
        access = self.access(caller)
        if not access.visible(mn):
            raise NotFoundError(f"no station {mn!r}")
        return sorted({s.param for s in self._series(access, [mn], None)})

    def datastreams(
        self, caller: Caller, *, mns: Sequence[str] | None = None, kind: DataKind | None = None
    ) -> list[SeriesKey]:
        return self._series(self.access(caller), mns, kind)

    def _series(self, access: Access, mns: Sequence[str] | None, kind: DataKind | None) -> list[SeriesKey]:
        query = ObservationQuery(mns=mns, kinds=[kind] if kind is not None else None)
        slices = access.slices(query)
        if not slices:
            return []
        return [SeriesKey(mn, param, DataKind(k)) for mn, param, k in self._store.series_slices(slices)]

    # --- values ------------------------------------------------------------------------------
    def observations(
        self,
        caller: Caller,
        query: ObservationQuery,
        *,
        via: str,
        after: ObservationKey | None = None,
    ) -> pa.Table:
        access = self.access(caller)
        slices = access.slices(query)
        if not slices:
            table = OBSERVATION_SCHEMA.empty_table()
        else:
            table = self._store.read_slices(
                slices, limit=query.limit, offset=query.offset, descending=query.descending, after=after
            )
        self._record(caller, access, query, table, via=via, action="observations")
        return table

    def latest(
        self,
        caller: Caller,
        *,
        mns: Sequence[str] | None = None,
        kind: DataKind | None = None,
        via: str,
    ) -> pa.Table:
        access = self.access(caller)
        query = ObservationQuery(mns=mns, kinds=[kind] if kind is not None else None)
        slices = access.slices(query)
        table = self._store.latest_slices(slices) if slices else OBSERVATION_SCHEMA.empty_table()
        self._record(caller, access, query, table, via=via, action="latest")
        return table

    def count_observations(
        self, caller: Caller, query: ObservationQuery, *, via: str, cap: int | None = None
    ) -> int:
        access = self.access(caller)
        slices = access.slices(query)
        total = self._store.count_slices(slices, cap=cap) if slices else 0
        involved = access.agreements_for(query)
        if involved:
            # a count delivers no values; it is still a look at the owner's data, so it is recorded
            self._audit.record(
                caller,
                dict.fromkeys(involved, 0),
                at=access.now,
                via=via,
                action="count",
                scope=describe_query(query),
            )
        return total

    # --- audit -------------------------------------------------------------------------------
    def _record(
        self,
        caller: Caller,
        access: Access,
        query: ObservationQuery,
        table: pa.Table,
        *,
        via: str,
        action: str,
    ) -> None:
        involved = access.agreements_for(query)
        if not involved:
            return
        counts = dict.fromkeys(involved, 0)
        counts.update(access.attribute(table))
        self._audit.record(caller, counts, at=access.now, via=via, action=action, scope=describe_query(query))

    def flush_audit(self, timeout: float | None = 30.0) -> None:
        self._audit.flush(timeout)

    def close(self) -> None:
        """Wait for queued audit entries (the store itself belongs to whoever opened it)."""
        self._audit.flush()
