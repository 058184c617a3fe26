"""Built-in $filter functions of 18-088 §9.3.3.5.2 (Table 26): string, date, math; geo in :mod:`geo`.

Semantics follow OData 4.0 URL conventions §5.1.1.5–5.1.1.8: string positions are zero-based, a
null argument gives null, date parts are taken in UTC (the zone lianfang stores and serves), ``round``
rounds half away from zero. ``substringof(a, b)`` is STA 1.0's "a is in b"; ``contains(a, b)`` is
OData 4's "b is in a"; both are served.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from lianfang.api.sensorthings.geo import GEO_FUNCTIONS

__all__ = ["FUNCTIONS", "MAX_DATETIME", "MIN_DATETIME", "TIME_CONSTANTS"]

MIN_DATETIME: Final = datetime(1, 1, 1, tzinfo=UTC)
MAX_DATETIME: Final = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
#: zero-argument functions answered by the evaluator (``now`` is fixed once per request)
TIME_CONSTANTS: Final = frozenset({"now", "mindatetime", "maxdatetime"})


def _strings(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Apply ``fn`` only when every argument is a string; otherwise null (no implicit casts)."""

    def apply(*args: Any) -> Any:
        if not all(isinstance(a, str) for a in args):
            return None
        return fn(*args)

    return apply


def _substring(s: Any, start: Any, length: Any = None) -> str | None:
    if not isinstance(s, str) or not _is_int(start) or (length is not None and not _is_int(length)):
        return None
    begin = max(int(start), 0)
    if length is None:
        return s[begin:]
    return s[begin : begin + max(int(length), 0)]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _part(extract: Callable[[datetime], Any]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        utc = _utc(value)
        if utc is not None:
            return extract(utc)
        if isinstance(value, date) and extract in _DATE_PARTS:
            return extract(datetime(value.year, value.month, value.day, tzinfo=UTC))
        if isinstance(value, time) and extract in _TIME_PARTS:
            return extract(datetime.combine(date(2000, 1, 1), value, UTC))
        return None

    return apply


def _year(t: datetime) -> int:
    return t.year


def _month(t: datetime) -> int:
    return t.month


def _day(t: datetime) -> int:
    return t.day


def _hour(t: datetime) -> int:
    return t.hour


def _minute(t: datetime) -> int:
    return t.minute


def _second(t: datetime) -> int:
    return t.second


def _fraction(t: datetime) -> float:
    return t.microsecond / 1_000_000


_DATE_PARTS = (_year, _month, _day)
_TIME_PARTS = (_hour, _minute, _second, _fraction)


def _date(value: Any) -> date | None:
    utc = _utc(value)
    if utc is not None:
        return utc.date()
    return value if isinstance(value, date) else None


def _time(value: Any) -> time | None:
    utc = _utc(value)
    if utc is not None:
        return utc.time()
    return value if isinstance(value, time) else None


def _offset_minutes(value: Any) -> int | None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    offset = value.utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def _round(value: Any) -> int | None:
    if not _is_number(value):
        return None
    number = float(value)
    return math.floor(number + 0.5) if number >= 0 else -math.floor(-number + 0.5)


def _floor(value: Any) -> int | None:
    return math.floor(value) if _is_number(value) else None


def _ceiling(value: Any) -> int | None:
    return math.ceil(value) if _is_number(value) else None


#: name → (min args, max args, implementation)
FUNCTIONS: Final[dict[str, tuple[int, int, Callable[..., Any]]]] = {
    # string functions
    "substringof": (2, 2, _strings(lambda a, b: a in b)),
    "contains": (2, 2, _strings(lambda a, b: b in a)),
    "startswith": (2, 2, _strings(lambda a, b: a.startswith(b))),
    "endswith": (2, 2, _strings(lambda a, b: a.endswith(b))),
    "length": (1, 1, _strings(len)),
    "indexof": (2, 2, _strings(lambda a, b: a.find(b))),
    "substring": (2, 3, _substring),
    "tolower": (1, 1, _strings(str.lower)),
    "toupper": (1, 1, _strings(str.upper)),
    "trim": (1, 1, _strings(str.strip)),
    "concat": (2, 2, _strings(lambda a, b: a + b)),
    # date functions
    "year": (1, 1, _part(_year)),
    "month": (1, 1, _part(_month)),
    "day": (1, 1, _part(_day)),
    "hour": (1, 1, _part(_hour)),
    "minute": (1, 1, _part(_minute)),
    "second": (1, 1, _part(_second)),
    "fractionalseconds": (1, 1, _part(_fraction)),
    "date": (1, 1, _date),
    "time": (1, 1, _time),
    "totaloffsetminutes": (1, 1, _offset_minutes),
    "now": (0, 0, lambda: None),
    "mindatetime": (0, 0, lambda: MIN_DATETIME),
    "maxdatetime": (0, 0, lambda: MAX_DATETIME),
    # math functions
    "round": (1, 1, _round),
    "floor": (1, 1, _floor),
    "ceiling": (1, 1, _ceiling),
    **GEO_FUNCTIONS,
}
