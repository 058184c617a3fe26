"""Decoding of OData literal tokens into Python values (times, durations, geometries)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import shapely.errors
import shapely.wkt

from lianfang.api.sensorthings.expr import GeoValue
from lianfang.errors import InputError

__all__ = ["parse_date", "parse_datetime", "parse_duration", "parse_geometry", "parse_number", "parse_time"]

_DURATION = re.compile(
    r"(?P<sign>-)?P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)
_SRID = re.compile(r"^\s*SRID=(\d+)\s*;", re.IGNORECASE)


def parse_datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"invalid date-time literal {text!r}") from None


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"invalid date literal {text!r}") from None


def parse_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InputError(f"invalid time-of-day literal {text!r}") from None


def parse_number(text: str) -> int | float:
    if re.fullmatch(r"\d+", text):
        return int(text)
    return float(text)


def parse_duration(text: str) -> timedelta:
    """ISO 8601 duration with weeks, days, hours, minutes, seconds. Years and months have no fixed
    length, so ``P1Y``/``P1M`` are refused rather than guessed."""
    m = _DURATION.fullmatch(text.strip())
    if m is None or text.strip().upper() in ("P", "PT", "-P", "-PT"):
        if re.search(r"\d+[YM]", text.split("T")[0], re.IGNORECASE):
            raise InputError(f"duration {text!r}: years and months have no fixed length; use days")
        raise InputError(f"invalid duration literal {text!r} (ISO 8601, e.g. P1DT2H)")
    parts = {k: v for k, v in m.groupdict().items() if k != "sign"}
    value = timedelta(
        weeks=int(parts["w"] or 0),
        days=int(parts["d"] or 0),
        hours=int(parts["h"] or 0),
        minutes=int(parts["m"] or 0),
        seconds=float(parts["s"] or 0),
    )
    return -value if m.group("sign") else value


def parse_geometry(text: str) -> GeoValue:
    """WKT, optionally prefixed ``SRID=4326;`` (OData geography literals). Only WGS 84 is served."""
    wkt = text
    srid = _SRID.match(text)
    if srid:
        if srid.group(1) != "4326":
            raise InputError(f"geometry SRID {srid.group(1)} not supported: coordinates are WGS 84 (4326)")
        wkt = text[srid.end() :]
    try:
        geometry = shapely.wkt.loads(wkt)
    except shapely.errors.ShapelyError as exc:
        raise InputError(f"invalid WKT geometry {text!r}: {exc}") from None
    return GeoValue(wkt.strip(), geometry)
