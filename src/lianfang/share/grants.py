"""The access policy: what one agency may see at one instant, as grants and as store slices.

- An agency sees its own stations entirely: every parameter, every kind, no delay.
- Another agency's station is seen only through an agreement in force whose selector covers it:
  only the agreement's parameters, only kinds no finer than its resolution, and only values whose
  period ended ``delay`` ago (``time + period(kind) <= now - delay``).
- Several agreements add up; a value is attributed to the first grant (lowest agreement id) showing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lianfang.model import DataKind, Station
from lianfang.share.agreements import KIND_ORDER, covers, granted_kinds, is_in_force, period
from lianfang.store.base import Agreement, ObservationQuery, ObservationSlice

__all__ = ["Access", "Grant"]

_TICK = timedelta(microseconds=1)  # store resolution: turns "time <= t" into "time < t + tick"


# (stations, parameters or None, start, end) of a slice being assembled
_SliceKey = tuple[tuple[str, ...], tuple[str, ...] | None, datetime | None, datetime | None]


@dataclass(frozen=True, slots=True)
class Grant:
    """Stations of one owner × one kind × parameters, values with time < ``end`` (None: no bound)."""

    owner: str
    agreement: Agreement | None  # None: the caller's own stations
    mns: tuple[str, ...]
    kind: DataKind
    params: frozenset[str] | None  # None: every parameter
    end: datetime | None


class Access:
    """Everything agency ``agency`` may see at ``now``, given the registry and the agreements."""

    def __init__(
        self,
        agency: str,
        stations: Iterable[Station],
        agreements: Iterable[Agreement],
        now: datetime,
    ) -> None:
        self.agency = agency
        self.now = now
        registry = list(stations)
        own = tuple(s.mn for s in registry if s.jurisdiction == agency)
        grants: list[Grant] = [Grant(agency, None, own, k, None, None) for k in KIND_ORDER] if own else []
        visible: dict[str, Station] = {s.mn: s for s in registry if s.jurisdiction == agency}
        in_force = sorted(
            (a for a in agreements if a.grantee == agency and a.owner != agency and is_in_force(a, now)),
            key=lambda a: a.id,
        )
        for agreement in in_force:
            covered = [s for s in registry if covers(agreement, s)]
            for station in covered:
                visible.setdefault(station.mn, station)
            grants.extend(_agreement_grants(agreement, covered, now))
        self.grants: tuple[Grant, ...] = tuple(grants)
        self.stations: dict[str, Station] = dict(sorted(visible.items()))
        self.agreements: tuple[Agreement, ...] = tuple(in_force)

    # --- per station -------------------------------------------------------------------------
    def visible(self, mn: str) -> bool:
        return mn in self.stations

    def kinds(self, mn: str) -> list[DataKind]:
        granted = {g.kind for g in self.grants if mn in g.mns}
        return [k for k in KIND_ORDER if k in granted]

    def params(self, mn: str) -> frozenset[str] | None:
        """Parameters granted for ``mn`` (None: all of them; empty: none, the station is invisible)."""
        sets = [g.params for g in self.grants if mn in g.mns]
        if any(p is None for p in sets):
            return None
        return frozenset().union(*(p for p in sets if p is not None))

    def is_own(self, mn: str) -> bool:
        station = self.stations.get(mn)
        return station is not None and station.jurisdiction == self.agency

    # --- reads -------------------------------------------------------------------------------
    def slices(self, query: ObservationQuery) -> list[ObservationSlice]:
        """The store slices whose union is exactly what ``query`` may return to this agency."""
        merged: dict[_SliceKey, list[DataKind]] = defaultdict(list)
        for grant, key in self._matching(query):
            merged[key].append(grant.kind)
        return [
            ObservationSlice(mns=mns, kinds=tuple(kinds), params=params, start=start, end=end)
            for (mns, params, start, end), kinds in merged.items()
        ]

    def agreements_for(self, query: ObservationQuery) -> list[Agreement]:
        """Agreements through which ``query`` reaches another agency's data (ordered by id)."""
        found = {g.agreement.id: g.agreement for g, _ in self._matching(query) if g.agreement is not None}
        return [found[k] for k in sorted(found)]

    def _matching(self, query: ObservationQuery) -> Iterator[tuple[Grant, _SliceKey]]:
        wanted_mns = set(query.mns) if query.mns is not None else None
        wanted_params = set(query.params) if query.params is not None else None
        wanted_kinds = {DataKind(k) for k in query.kinds} if query.kinds is not None else None
        for grant in self.grants:
            if wanted_kinds is not None and grant.kind not in wanted_kinds:
                continue
            mns = grant.mns if wanted_mns is None else tuple(m for m in grant.mns if m in wanted_mns)
            if not mns:
                continue
            params: frozenset[str] | None = grant.params
            if wanted_params is not None:
                params = frozenset(wanted_params if params is None else params & wanted_params)
                if not params:
                    continue
            end = _earliest(query.end, grant.end)
            if query.start is not None and end is not None and query.start >= end:
                continue
            yield grant, (mns, tuple(sorted(params)) if params is not None else None, query.start, end)

    def attribute(self, table: pa.Table) -> dict[Agreement, int]:
        """How many rows of ``table`` (OBSERVATION_SCHEMA) each agreement showed; own rows are not counted."""
        counts: dict[Agreement, int] = {}
        if table.num_rows == 0:
            return counts
        mn = np.asarray(table.column("mn").to_numpy(zero_copy_only=False), dtype=object)
        kind = np.asarray(table.column("kind").to_numpy(zero_copy_only=False), dtype=object)
        param = np.asarray(table.column("param").to_numpy(zero_copy_only=False), dtype=object)
        micros = pc.cast(table.column("time"), pa.int64()).to_numpy(zero_copy_only=False)
        unassigned = ~np.isin(mn, np.array(self._own_mns(), dtype=object))
        for grant in self.grants:
            if grant.agreement is None:
                continue
            mask = unassigned & np.isin(mn, np.array(grant.mns, dtype=object)) & (kind == grant.kind.value)
            if grant.params is not None:
                mask &= np.isin(param, np.array(sorted(grant.params), dtype=object))
            if grant.end is not None:
                mask &= micros < _epoch_micros(grant.end)
            hits = int(mask.sum())
            if hits:
                counts[grant.agreement] = counts.get(grant.agreement, 0) + hits
                unassigned &= ~mask
        return counts

    def _own_mns(self) -> list[str]:
        return [mn for mn, s in self.stations.items() if s.jurisdiction == self.agency]


def _agreement_grants(agreement: Agreement, covered: Sequence[Station], now: datetime) -> list[Grant]:
    params = frozenset(agreement.params) if agreement.params is not None else None
    grants: list[Grant] = []
    for kind in granted_kinds(agreement.resolution):
        by_period: dict[timedelta, list[str]] = defaultdict(list)
        for station in covered:
            by_period[period(kind, station)].append(station.mn)
        for span, mns in sorted(by_period.items()):
            end = now - agreement.delay - span + _TICK
            grants.append(Grant(agreement.owner, agreement, tuple(mns), kind, params, end))
    return grants


def _epoch_micros(instant: datetime) -> int:
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // _TICK


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
