"""What an assessment covers: a run of Beijing calendar days and a set of stations.

Days are Beijing calendar days (the standards count days in Beijing time), both ends inclusive; the
store is read from 00:00 of the first day to 24:00 of the last, in Beijing time.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lianfang.errors import InputError, NotFoundError
from lianfang.model import BEIJING, Station, StationKind
from lianfang.store.base import Store

__all__ = ["DayRange", "Scope", "day_range", "resolve_scope"]


@dataclass(frozen=True, slots=True)
class DayRange:
    """Beijing calendar days ``first`` … ``last`` (inclusive)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InputError(f"the period ends ({self.last}) before it starts ({self.first})")

    @property
    def n_days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """00:00 Beijing time of the first day (inclusive bound of a store read)."""
        return datetime.combine(self.first, time(0), tzinfo=BEIJING)

    @property
    def end(self) -> datetime:
        """24:00 Beijing time of the last day (exclusive bound of a store read)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=BEIJING)

    @property
    def is_year(self) -> bool:
        return self.first == date(self.first.year, 1, 1) and self.last == date(self.first.year, 12, 31)

    @property
    def is_month(self) -> bool:
        last = calendar.monthrange(self.first.year, self.first.month)[1]
        return self.first.day == 1 and self.last == self.first.replace(day=last)

    @classmethod
    def year(cls, year: int) -> DayRange:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def month(cls, year: int, month: int) -> DayRange:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    def label(self) -> str:
        """``2015``, ``2015-01`` or ``2015-01-03..2015-02-10``."""
        if self.is_year:
            return f"{self.first.year}"
        if self.is_month:
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _parse_day(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


def day_range(
    *,
    start: str | None = None,
    end: str | None = None,
    year: str | None = None,
    month: str | None = None,
) -> DayRange:
    """The days named by ``--from``/``--to`` (both needed), ``--year YYYY`` or ``--month YYYY-MM``
    (exactly one of the three forms)."""
    forms = sum(x is not None for x in ((start or end), year, month))
    if forms != 1:
        raise InputError(
            "name the period with --year YYYY, --month YYYY-MM, or --from DAY --to DAY (one form)"
        )
    if year is not None:
        if not _YEAR.match(year.strip()):
            raise InputError(f"--year {year!r} is not a year (YYYY)")
        return DayRange.year(int(year))
    if month is not None:
        found = _MONTH.match(month.strip())
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise InputError(f"--month {month!r} is not a month (YYYY-MM)")
        return DayRange.month(int(found.group(1)), int(found.group(2)))
    if start is None or end is None:
        raise InputError("--from and --to go together")
    return DayRange(_parse_day("--from", start), _parse_day("--to", end))


@dataclass(frozen=True, slots=True)
class Scope:
    """The stations an assessment covers and how they were chosen (for titles and errors)."""

    kind: StationKind
    stations: tuple[Station, ...]
    label: str  # "station X", "river 嘉陵江", "jurisdiction BJ", "all water stations"
    jurisdiction: str | None = None  # set when chosen by jurisdiction (a city-level air assessment)

    @property
    def mns(self) -> list[str]:
        return [s.mn for s in self.stations]

    def by_jurisdiction(self) -> dict[str, tuple[Station, ...]]:
        """Stations grouped by jurisdiction code, codes sorted."""
        groups: dict[str, list[Station]] = {}
        for s in self.stations:
            groups.setdefault(s.jurisdiction, []).append(s)
        return {code: tuple(groups[code]) for code in sorted(groups)}


def resolve_scope(
    store: Store,
    kind: StationKind,
    *,
    station: str | None = None,
    river: str | None = None,
    jurisdiction: str | None = None,
) -> Scope:
    """The stations of ``kind`` named by at most one of ``station``, ``river``, ``jurisdiction``
    (none: every station of that kind). Inactive stations are included: their history still counts."""
    named = [x for x in (station, river, jurisdiction) if x is not None]
    if len(named) > 1:
        raise InputError("choose stations with one of --station, --river or --jurisdiction")
    if station is not None:
        found = store.station(station)
        if found is None:
            raise NotFoundError(f"station {station!r} is not registered")
        if found.kind is not kind:
            raise InputError(f"station {station} is a {found.kind.value} station, not {kind.value}")
        return Scope(kind, (found,), f"station {station}")
    if river is not None:
        if kind is not StationKind.WATER:
            raise InputError(
                "--river selects water sections; choose air stations by --station or --jurisdiction"
            )
        stations: Sequence[Station] = [s for s in store.stations(kind=kind) if s.river == river]
        if not stations:
            known = sorted({s.river for s in store.stations(kind=kind) if s.river})
            hint = f" (known: {', '.join(known[:10])})" if known else ""
            raise NotFoundError(f"no water section on river {river!r}{hint}")
        return Scope(kind, tuple(stations), f"river {river}")
    if jurisdiction is not None:
        codes = {j.code for j in store.jurisdictions()}
        if jurisdiction not in codes:
            registered = ", ".join(sorted(codes)) or "none"
            raise NotFoundError(f"jurisdiction {jurisdiction!r} is not registered (known: {registered})")
        stations = store.stations(jurisdiction=jurisdiction, kind=kind)
        if not stations:
            raise NotFoundError(f"jurisdiction {jurisdiction} has no {kind.value} station")
        return Scope(kind, tuple(stations), f"jurisdiction {jurisdiction}", jurisdiction=jurisdiction)
    stations = store.stations(kind=kind)
    if not stations:
        raise NotFoundError(f"the store has no {kind.value} station")
    return Scope(kind, tuple(stations), f"all {kind.value} stations")
