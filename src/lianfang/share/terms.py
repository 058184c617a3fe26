"""Parsing the terms people write on the command line and in requests: durations, dates, resolutions."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from lianfang.errors import InputError
from lianfang.model import BEIJING, DataKind

__all__ = ["format_duration", "parse_duration", "parse_instant", "parse_resolution"]

_UNITS: dict[str, timedelta] = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_PART = re.compile(r"(\d+(?:\.\d+)?)(min|[smhdw])")
# ISO 8601 durations without years/months (their length varies): P1DT2H30M, PT15M, P2W
_ISO = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def parse_duration(text: str) -> timedelta:
    """``"2h"``, ``"1d12h"``, ``"30min"``, ``"90s"``, ``"0"`` or ISO 8601 ``"PT2H"`` → timedelta."""
    raw = text.strip()
    if raw in {"0", ""}:
        if raw == "":
            raise InputError("empty duration")
        return timedelta(0)
    iso = _ISO.fullmatch(raw.upper())
    if iso and raw.upper() not in {"P", "PT"}:
        w, d, h, m, s = (float(g) if g else 0.0 for g in iso.groups())
        return timedelta(weeks=w, days=d, hours=h, minutes=m, seconds=s)
    lowered = raw.lower().replace(" ", "")
    pos, total = 0, timedelta(0)
    for match in _PART.finditer(lowered):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(lowered) or pos == 0:
        raise InputError(f"bad duration {text!r}: use e.g. 30min, 2h, 1d12h or PT2H")
    return total


def format_duration(delta: timedelta) -> str:
    """The short form :func:`parse_duration` reads back: ``1d2h``, ``30min``, ``0``."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


def parse_instant(text: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or date-time; naive values are Beijing time. A bare date means its midnight, or
    the next midnight with ``end_of_day`` (so ``--until 2027-06-30`` includes 30 June)."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(0), tzinfo=BEIJING)
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"bad date/time {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+08:00]") from exc
    return parsed.replace(tzinfo=BEIJING) if parsed.tzinfo is None else parsed


def parse_resolution(text: str) -> DataKind:
    try:
        return DataKind(text.strip().lower())
    except ValueError as exc:
        choices = ", ".join(k.value for k in DataKind)
        raise InputError(f"bad resolution {text!r}: one of {choices}") from exc
