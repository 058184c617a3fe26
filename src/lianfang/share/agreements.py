"""Sharing agreements: what an owner grants a grantee, and when an agreement is in force.

An agreement is immutable once stored; a change (today: a revocation) is stored as its next version,
so the audit can name the exact terms a read was made under.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from lianfang.errors import InputError, NotFoundError
from lianfang.model import DataKind, Station, StationKind
from lianfang.share.terms import format_duration
from lianfang.store.base import Agreement, ObservationSlice, SharingStore

__all__ = [
    "KIND_ORDER",
    "AgreementReview",
    "AgreementStore",
    "agreement_record",
    "covers",
    "create_agreement",
    "granted_kinds",
    "is_in_force",
    "period",
    "review_agreement",
    "revoke_agreement",
]

_NAMED_MAX = 20  # station MNs named in one error message; the rest are counted

#: data kinds from finest to coarsest; granting one grants it and every coarser one
KIND_ORDER: tuple[DataKind, ...] = (DataKind.RTD, DataKind.MIN, DataKind.HOUR, DataKind.DAY)

_PERIOD: dict[DataKind, timedelta] = {
    DataKind.RTD: timedelta(0),  # an instant
    DataKind.HOUR: timedelta(hours=1),
    DataKind.DAY: timedelta(days=1),
}


def granted_kinds(resolution: DataKind) -> tuple[DataKind, ...]:
    """Kinds no finer in time than ``resolution``: ``hour`` → (hour, day)."""
    return KIND_ORDER[KIND_ORDER.index(resolution) :]


def period(kind: DataKind, station: Station) -> timedelta:
    """How long a value of ``kind`` covers from its time stamp (period start) [timedelta]."""
    if kind is DataKind.MIN:
        return timedelta(minutes=station.min_interval or 1)
    return _PERIOD[kind]


def is_in_force(agreement: Agreement, at: datetime) -> bool:
    """Not revoked, and ``valid_from <= at < until``."""
    if agreement.revoked_at is not None and agreement.revoked_at <= at:
        return False
    if at < agreement.valid_from:
        return False
    return agreement.until is None or at < agreement.until


def covers(agreement: Agreement, station: Station) -> bool:
    """Whether the agreement's station selector includes ``station`` (an owner's station)."""
    if station.jurisdiction != agreement.owner:
        return False
    if agreement.stations is not None:
        return station.mn in agreement.stations
    if agreement.river is not None:
        return station.river is not None and station.river.casefold() == agreement.river.casefold()
    if agreement.station_kind is not None:
        return station.kind == agreement.station_kind
    return True


class AgreementStore(SharingStore, Protocol):
    """What creating an agreement needs: the sharing tables and the station registry."""

    def stations(
        self, *, jurisdiction: str | None = None, kind: StationKind | None = None
    ) -> list[Station]: ...


@dataclass(frozen=True, slots=True)
class AgreementReview:
    """An agreement's stations today, and what in its (valid) terms may not be what was meant."""

    stations: tuple[str, ...]  # MNs the selector covers now (river and kind selectors grow later)
    warnings: tuple[str, ...]


def _check_stations(store: AgreementStore, owner: str, stations: Sequence[str]) -> None:
    """Refuse MNs that are not registered stations of ``owner``. One message for unregistered and
    foreign stations: over HTTP the owner is any agency's admin, and the answer must not tell it
    which MNs exist in another jurisdiction (the same rule as a 404 for an invisible station)."""
    owned = {s.mn for s in store.stations(jurisdiction=owner)}
    strangers = [mn for mn in dict.fromkeys(stations) if mn not in owned]
    if not strangers:
        return
    named = ", ".join(strangers[:_NAMED_MAX])
    if len(strangers) > _NAMED_MAX:
        named += f" (+{len(strangers) - _NAMED_MAX} more)"
    raise InputError(f"not registered stations of {owner}: {named}")


def create_agreement(
    store: AgreementStore,
    *,
    owner: str,
    grantee: str,
    known_agencies: Sequence[str],
    now: datetime,
    stations: Sequence[str] | None = None,
    river: str | None = None,
    station_kind: StationKind | None = None,
    params: Sequence[str] | None = None,
    resolution: DataKind = DataKind.RTD,
    delay: timedelta = timedelta(0),
    valid_from: datetime | None = None,
    until: datetime | None = None,
    purpose: str = "",
    created_by: str = "",
) -> Agreement:
    """Validate the terms and store version 1 of a new agreement.

    Explicit ``stations`` must be registered stations of ``owner``. A river or kind selector may
    match no station yet, and parameter codes are not checked against a catalogue (the store keeps
    none): :func:`review_agreement` says so instead of refusing.
    """
    if owner not in known_agencies:
        raise InputError(f"unknown owner agency {owner!r}; known: {', '.join(sorted(known_agencies))}")
    if grantee not in known_agencies:
        raise InputError(f"unknown grantee agency {grantee!r}; known: {', '.join(sorted(known_agencies))}")
    if owner == grantee:
        raise InputError("an agency always sees its own stations; owner and grantee must differ")
    if sum(x is not None for x in (stations, river, station_kind)) > 1:
        raise InputError("choose at most one station selector: stations, river or kind")
    if stations is not None and not stations:
        raise InputError("empty station list")
    if stations is not None:
        _check_stations(store, owner, stations)
    if params is not None and not params:
        raise InputError("empty parameter list")
    if delay < timedelta(0):
        raise InputError("delay must not be negative")
    start = valid_from or now
    if until is not None and until <= max(start, now):
        raise InputError(f"--until {until.isoformat()} is not in the future of the agreement's start")
    draft = Agreement(
        id=0,
        version=1,
        owner=owner,
        grantee=grantee,
        valid_from=start,
        created_at=now,
        stations=tuple(dict.fromkeys(stations)) if stations is not None else None,
        river=river,
        station_kind=station_kind,
        params=tuple(dict.fromkeys(params)) if params is not None else None,
        resolution=resolution,
        delay=delay,
        until=until,
        purpose=purpose,
        created_by=created_by,
    )
    return store.add_agreement(draft)


def agreement_record(a: Agreement, instant: Callable[[datetime | None], str | None]) -> dict[str, object]:
    """An agreement's terms as one JSON object, the same keys for the HTTP API and the CLI; each
    renders instants its own way (``instant``)."""
    return {
        "id": a.id,
        "version": a.version,
        "owner": a.owner,
        "grantee": a.grantee,
        "stations": list(a.stations) if a.stations is not None else None,
        "river": a.river,
        "kind": a.station_kind.value if a.station_kind else None,
        "params": list(a.params) if a.params is not None else None,
        "resolution": a.resolution.value,
        "delay": format_duration(a.delay),
        "valid_from": instant(a.valid_from),
        "until": instant(a.until),
        "purpose": a.purpose,
        "created_at": instant(a.created_at),
        "created_by": a.created_by,
        "revoked_at": instant(a.revoked_at),
    }


def _selector_text(agreement: Agreement) -> str:
    if agreement.river is not None:
        return f"on river {agreement.river!r}"
    if agreement.station_kind is not None:
        return f"of kind {agreement.station_kind.value}"
    return "at all"


def review_agreement(store: AgreementStore, agreement: Agreement) -> AgreementReview:
    """What the agreement covers now, with warnings: a selector matching no station of the owner,
    parameter codes never observed at the stations it covers (a typo such as ``w12003`` would
    otherwise share nothing, silently)."""
    covered = tuple(s.mn for s in store.stations(jurisdiction=agreement.owner) if covers(agreement, s))
    if not covered:
        where = _selector_text(agreement)
        warning = f"no station of {agreement.owner} {where} is registered yet: nothing is shared until one is"
        return AgreementReview(covered, (warning,))
    if agreement.params is None:
        return AgreementReview(covered, ())
    observed = {param for _, param, _ in store.series_slices([ObservationSlice(covered, KIND_ORDER)])}
    unseen = [p for p in agreement.params if p not in observed]
    if not unseen:
        return AgreementReview(covered, ())
    warning = (
        f"parameter code(s) {', '.join(unseen)} never observed at the {len(covered)} station(s) "
        "covered: check the codes (HJ 212-2017 Appendix B, e.g. w21003 ammonia nitrogen)"
    )
    return AgreementReview(covered, (warning,))


def revoke_agreement(store: SharingStore, agreement_id: int, *, now: datetime, by: str = "") -> Agreement:
    """Store a revoked next version; takes effect on the next read. Revoking twice is a no-op."""
    current = store.agreement(agreement_id)
    if current is None:
        raise NotFoundError(f"no agreement {agreement_id}")
    if current.revoked_at is not None:
        return current
    return store.add_agreement_version(
        replace(current, version=current.version + 1, created_at=now, created_by=by, revoked_at=now)
    )
