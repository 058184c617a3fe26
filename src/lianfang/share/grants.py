"""The access policy: what one agency may see at one instant, as grants and as store slices.

- An agency sees its own stations entirely: every parameter, every kind, no delay.
- Another agency's station is seen only through an agreement in force whose selector covers it:
  only the agreement's parameters, only kinds no finer than its resolution, and only values whose
  period ended ``delay`` ago (``time + period(kind) <= now - delay``).
- Several agreements add up; a value is attributed to the first grant (lowest agreement id) showing it.

:class:`Coverage` is the clock-independent part (which stations, parameters, kinds, and how long a
value must have ended), valid until the next instant an agreement starts, ends or is revoked, so a
reader can keep it between requests; :meth:`Coverage.at` pins it to an instant as an :class:`Access`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from lianfang.model import DataKind, Station
from lianfang.share.agreements import KIND_ORDER, covers, granted_kinds, is_in_force, period
from lianfang.store.base import Agreement, ObservationQuery, ObservationSlice

__all__ = ["Access", "Coverage", "Grant"]

_TICK = timedelta(microseconds=1)  # store resolution: turns "time <= t" into "time < t + tick"

# (stations, parameters or None, start, end) of a slice being assembled
_SliceKey = tuple[tuple[str, ...], tuple[str, ...] | None, datetime | None, datetime | None]


@dataclass(frozen=True, slots=True)
class Grant:
    """Stations of one owner × one kind × parameters; a value is visible once ``lag`` has passed
    since its time stamp (delay + the kind's period; None: at once, no bound at all)."""

    owner: str
    agreement: Agreement | None  # None: the caller's own stations
    mns: tuple[str, ...]
    kind: DataKind
    params: frozenset[str] | None  # None: every parameter
    lag: timedelta | None
    members: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", frozenset(self.mns))

    def end(self, now: datetime) -> datetime | None:
        """Exclusive upper bound on the time stamps visible at ``now``."""
        return None if self.lag is None else now - self.lag + _TICK


class Coverage:
    """What agency ``agency`` is granted, evaluated at ``now``; reusable until :attr:`valid_until`."""

    def __init__(
        self,
        agency: str,
        stations: Iterable[Station],
        agreements: Iterable[Agreement],
        now: datetime,
    ) -> None:
        self.agency = agency
        registry = list(stations)
        relevant = [a for a in agreements if a.grantee == agency and a.owner != agency]
        own = tuple(s.mn for s in registry if s.jurisdiction == agency)
        grants: list[Grant] = [Grant(agency, None, own, k, None, None) for k in KIND_ORDER] if own else []
        visible: dict[str, Station] = {s.mn: s for s in registry if s.jurisdiction == agency}
        in_force = sorted((a for a in relevant if is_in_force(a, now)), key=lambda a: a.id)
        for agreement in in_force:
            covered = [s for s in registry if covers(agreement, s)]
            for station in covered:
                visible.setdefault(station.mn, station)
            grants.extend(_agreement_grants(agreement, covered))
        self.grants: tuple[Grant, ...] = tuple(grants)
        self.stations: dict[str, Station] = dict(sorted(visible.items()))
        self.agreements: tuple[Agreement, ...] = tuple(in_force)
        self.own: frozenset[str] = frozenset(own)
        # the agreements' in-force status, hence this coverage, holds between these two instants
        changes = [t for a in relevant for t in (a.valid_from, a.until, a.revoked_at) if t is not None]
        self.valid_since: datetime | None = max((t for t in changes if t <= now), default=None)
        self.valid_until: datetime | None = min((t for t in changes if t > now), default=None)

    def holds_at(self, now: datetime) -> bool:
        if self.valid_since is not None and now < self.valid_since:
            return False
        return self.valid_until is None or now < self.valid_until

    def at(self, now: datetime) -> Access:
        return Access(self, now)


class Access:
    """Everything an agency may see at ``now`` (a :class:`Coverage` pinned to an instant)."""

    def __init__(self, coverage: Coverage, now: datetime) -> None:
        self.coverage = coverage
        self.agency = coverage.agency
        self.now = now
        self.grants = coverage.grants
        self.stations = coverage.stations
        self.agreements = coverage.agreements

    @classmethod
    def of(
        cls, agency: str, stations: Iterable[Station], agreements: Iterable[Agreement], now: datetime
    ) -> Access:
        return cls(Coverage(agency, stations, agreements, now), now)

    # --- per station -------------------------------------------------------------------------
    def visible(self, mn: str) -> bool:
        return mn in self.stations

    def kinds(self, mn: str) -> list[DataKind]:
        granted = {g.kind for g in self.grants if mn in g.members}
        return [k for k in KIND_ORDER if k in granted]

    def params(self, mn: str) -> frozenset[str] | None:
        """Parameters granted for ``mn`` (None: all of them; empty: none, the station is invisible)."""
        sets = [g.params for g in self.grants if mn in g.members]
        if any(p is None for p in sets):
            return None
        return frozenset().union(*(p for p in sets if p is not None))

    def is_own(self, mn: str) -> bool:
        return mn in self.coverage.own

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
        wanted_mns = list(dict.fromkeys(query.mns)) if query.mns is not None else None
        wanted_params = set(query.params) if query.params is not None else None
        wanted_kinds = {DataKind(k) for k in query.kinds} if query.kinds is not None else None
        for grant in self.grants:
            if wanted_kinds is not None and grant.kind not in wanted_kinds:
                continue
            mns = grant.mns if wanted_mns is None else tuple(m for m in wanted_mns if m in grant.members)
            if not mns:
                continue
            params: frozenset[str] | None = grant.params
            if wanted_params is not None:
                params = frozenset(wanted_params if params is None else params & wanted_params)
                if not params:
                    continue
            end = _earliest(query.end, grant.end(self.now))
            if query.start is not None and end is not None and query.start >= end:
                continue
            yield grant, (mns, tuple(sorted(params)) if params is not None else None, query.start, end)

    def attribute(self, table: pa.Table) -> dict[Agreement, int]:
        """How many rows of ``table`` (OBSERVATION_SCHEMA) each agreement showed; own rows are not counted."""
        counts: dict[Agreement, int] = {}
        if table.num_rows == 0:
            return counts
        mn, kind, param = (_Labels(table.column(c)) for c in ("mn", "kind", "param"))
        micros = pc.cast(table.column("time"), pa.int64()).to_numpy(zero_copy_only=False)
        unassigned = ~mn.member(self.coverage.own)
        for grant in self.grants:
            if grant.agreement is None or not unassigned.any():
                continue
            mask = unassigned & mn.member(grant.members) & kind.member({grant.kind.value})
            if grant.params is not None:
                mask &= param.member(grant.params)
            end = grant.end(self.now)
            if end is not None:
                mask &= micros < _epoch_micros(end)
            hits = int(mask.sum())
            if hits:
                counts[grant.agreement] = counts.get(grant.agreement, 0) + hits
                unassigned &= ~mask
        return counts


class _Labels:
    """A string column, dictionary-encoded once, for fast membership masks."""

    def __init__(self, column: pa.ChunkedArray[Any]) -> None:
        encoded = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(column).combine_chunks())
        self._values: list[str | None] = encoded.dictionary.to_pylist()
        self._indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)

    def member(self, allowed: frozenset[str] | set[str]) -> npt.NDArray[np.bool_]:
        lookup = np.array([v in allowed for v in self._values], dtype=bool)
        result: npt.NDArray[np.bool_] = lookup[self._indices]
        return result


def _agreement_grants(agreement: Agreement, covered: Sequence[Station]) -> list[Grant]:
    params = frozenset(agreement.params) if agreement.params is not None else None
    grants: list[Grant] = []
    for kind in granted_kinds(agreement.resolution):
        if kind is not DataKind.MIN:
            span = period(kind, covered[0]) if covered else timedelta(0)
            grants.append(
                Grant(
                    agreement.owner,
                    agreement,
                    tuple(s.mn for s in covered),
                    kind,
                    params,
                    agreement.delay + span,
                )
            )
            continue
        by_period: dict[timedelta, list[str]] = defaultdict(list)  # minute periods differ by station
        for station in covered:
            by_period[period(kind, station)].append(station.mn)
        for span, mns in sorted(by_period.items()):
            grants.append(Grant(agreement.owner, agreement, tuple(mns), kind, params, agreement.delay + span))
    return grants


def _epoch_micros(instant: datetime) -> int:
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // _TICK


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
