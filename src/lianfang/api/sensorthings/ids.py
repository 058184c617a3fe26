"""Stable string ids of SensorThings entities, derived from lianfang's keys (18-088 allows string ids).

=================  ================================  ==============================
entity             id                                example
=================  ================================  ==============================
Thing, Location,   station MN                        ``51010020210001``
HistoricalLocation,
FeatureOfInterest
Sensor             MN:parameter                      ``51010020210001:w21003``
ObservedProperty   parameter code                    ``w21003``
Datastream         MN:parameter:kind                 ``51010020210001:w21003:hour``
Observation        MN:parameter:kind:UTC time        ``51010020210001:w21003:hour:20240101T080000Z``
=================  ================================  ==============================

Ids are split from the right, so an MN containing ``:`` still round-trips.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lianfang.errors import NotFoundError
from lianfang.model import DataKind
from lianfang.share import SeriesKey

__all__ = [
    "datastream_id",
    "observation_id",
    "parse_datastream_id",
    "parse_observation_id",
    "parse_sensor_id",
    "sensor_id",
]

_TIME_FORMAT = "%Y%m%dT%H%M%S"


def sensor_id(mn: str, param: str) -> str:
    return f"{mn}:{param}"


def datastream_id(key: SeriesKey) -> str:
    return f"{key.mn}:{key.param}:{key.kind.value}"


def observation_id(key: SeriesKey, time: datetime) -> str:
    utc = time.astimezone(UTC)
    stamp = utc.strftime(_TIME_FORMAT)
    if utc.microsecond:
        stamp += f".{utc.microsecond:06d}"
    return f"{datastream_id(key)}:{stamp}Z"


def parse_sensor_id(value: str) -> tuple[str, str]:
    """``(mn, param)``; NotFoundError for anything that cannot be a Sensor id (404, as an unknown id)."""
    mn, sep, param = value.rpartition(":")
    if not sep or not mn or not param:
        raise NotFoundError(f"no Sensor with id '{value}'")
    return mn, param


def parse_datastream_id(value: str) -> SeriesKey:
    parts = value.rsplit(":", 2)
    if len(parts) != 3 or not all(parts):
        raise NotFoundError(f"no Datastream with id '{value}'")
    mn, param, kind = parts
    try:
        return SeriesKey(mn, param, DataKind(kind))
    except ValueError:
        raise NotFoundError(f"no Datastream with id '{value}'") from None


def parse_observation_id(value: str) -> tuple[SeriesKey, datetime]:
    head, sep, stamp = value.rpartition(":")
    if not sep or not stamp.endswith("Z"):
        raise NotFoundError(f"no Observation with id '{value}'")
    key = parse_datastream_id(head)
    body = stamp[:-1]
    whole, dot, fraction = body.partition(".")
    try:
        time = datetime.strptime(whole, _TIME_FORMAT).replace(tzinfo=UTC)
        if dot:
            if not (fraction.isdigit() and len(fraction) == 6):
                raise ValueError(fraction)
            time = time.replace(microsecond=int(fraction))
    except ValueError:
        raise NotFoundError(f"no Observation with id '{value}'") from None
    return key, time
