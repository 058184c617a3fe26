"""lianfang records → SensorThings entities (18-088 §8.2), one builder per entity type.

Choices (documented in docs/sensorthings.md):

* phenomenonTime of an Observation is the instant HJ 212 gives (``DataTime``): the acquisition time
  for real-time data, the *start* of the period for minute, hourly and daily data (HJ 212-2017 Table
  C.16–C.18: 2061 ``DataTime=…080000`` covers 08:00–09:00). The period is the Datastream's
  ``properties.period``; resultTime is the period's end (when the logger could compute the value) and
  null when the period is unknown (minute data of a station without a configured interval).
* resultQuality is the HJ 212 data flag (HJ 212-2017 §6.6.4 Table 8: ``N`` normal, ``D`` fault …).
* A Sensor is the analyser of one parameter at one station (id ``MN:param``); its Datastreams are the
  data kinds that analyser reports.
* HistoricalLocation: the registry keeps no history of station moves, so each located station has one
  HistoricalLocation whose ``time`` is null (unknown), not an invented date.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, Final

from lianfang.api.sensorthings.entities import ENTITY_TYPES, Entity
from lianfang.api.sensorthings.ids import datastream_id, observation_id, sensor_id
from lianfang.api.sensorthings.units import parameter_info
from lianfang.model import DataKind, Station
from lianfang.share import SeriesKey

__all__ = [
    "GEOJSON",
    "OM_MEASUREMENT",
    "datastream",
    "feature_of_interest",
    "historical_location",
    "location",
    "observation",
    "observed_property",
    "period",
    "sensor",
    "station_point",
    "thing",
]

#: 18-088 Table 8-6: encodingType of GeoJSON locations (1.1 uses the RFC 7946 media type)
GEOJSON: Final = "application/geo+json"
#: 18-088 Table 8-9: observationType of numeric results
OM_MEASUREMENT: Final = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"

_KIND_WORDS: Final = {
    DataKind.RTD: "real-time",
    DataKind.MIN: "minute",
    DataKind.HOUR: "hourly",
    DataKind.DAY: "daily",
}
_STATION_WORDS: Final = {
    "water": "surface-water quality automatic monitoring station",
    "air": "ambient air quality automatic monitoring station",
    "source": "pollution source monitoring point",
}


def period(kind: DataKind, station: Station | None) -> timedelta | None:
    """Length of the period a value of ``kind`` covers; None for real-time values (an instant) and
    for minute data of a station whose interval is not configured."""
    if kind is DataKind.HOUR:
        return timedelta(hours=1)
    if kind is DataKind.DAY:
        return timedelta(days=1)
    if kind is DataKind.MIN and station is not None and station.min_interval:
        return timedelta(minutes=station.min_interval)
    return None


@functools.cache
def _iso_period(value: timedelta | None) -> str | None:
    if value is None:
        return None
    if value % timedelta(days=1) == timedelta(0):
        return f"P{value // timedelta(days=1)}D"
    if value % timedelta(hours=1) == timedelta(0):
        return f"PT{value // timedelta(hours=1)}H"
    return f"PT{value // timedelta(minutes=1)}M"


def station_point(station: Station) -> dict[str, Any] | None:
    if station.lon is None or station.lat is None:
        return None
    return {"type": "Point", "coordinates": [station.lon, station.lat]}


def _station_properties(station: Station) -> dict[str, Any]:
    return {
        "mn": station.mn,
        "jurisdiction": station.jurisdiction,
        "kind": station.kind.value,
        "river": station.river,
        "river_km": station.river_km,
        "section_level": station.section_level.value if station.section_level else None,
        "target_class": station.target_class,
        "water_body": station.water_body.value,
        "simulated": station.simulated,
        "active": station.active,
    }


def thing(station: Station) -> Entity:
    word = _STATION_WORDS.get(station.kind.value, "monitoring station")
    return Entity(
        ENTITY_TYPES["Thing"],
        station.mn,
        {
            "name": station.name,
            "description": f"{word} {station.name} ({station.jurisdiction}), HJ 212 MN {station.mn}",
            "properties": _station_properties(station),
        },
        station,
    )


def location(station: Station) -> Entity:
    return Entity(
        ENTITY_TYPES["Location"],
        station.mn,
        {
            "name": station.name,
            "description": f"position of station {station.name} (WGS 84)",
            "encodingType": GEOJSON,
            "location": station_point(station),
            "properties": {"mn": station.mn},
        },
        station,
    )


def historical_location(station: Station) -> Entity:
    return Entity(ENTITY_TYPES["HistoricalLocation"], station.mn, {"time": None}, station)


def feature_of_interest(station: Station) -> Entity:
    what = "monitored water section" if station.kind.value == "water" else "monitored site"
    properties = {
        "mn": station.mn,
        "river": station.river,
        "river_km": station.river_km,
        "section_level": station.section_level.value if station.section_level else None,
        "target_class": station.target_class,
        "water_body": station.water_body.value,
    }
    return Entity(
        ENTITY_TYPES["FeatureOfInterest"],
        station.mn,
        {
            "name": station.name,
            "description": f"{what} {station.name}",
            "encodingType": GEOJSON,
            "feature": station_point(station),
            "properties": properties,
        },
        station,
    )


def observed_property(code: str) -> Entity:
    info = parameter_info(code)
    return Entity(
        ENTITY_TYPES["ObservedProperty"],
        code,
        {
            "name": info.name_en,
            "definition": f"urn:hj212:parameter:{code}",
            "description": f"{info.name_en} ({info.name_zh}), HJ 212 parameter code {code}",
            "properties": {"code": code, "name_zh": info.name_zh, "name_en": info.name_en},
        },
        code,
    )


def sensor(station: Station, param: str) -> Entity:
    info = parameter_info(param)
    text = f"analyser of {info.name_en} ({param}) at station {station.name}, reporting over HJ 212"
    return Entity(
        ENTITY_TYPES["Sensor"],
        sensor_id(station.mn, param),
        {
            "name": f"{station.name} {param} analyser",
            "description": text,
            "encodingType": "text/plain",
            "metadata": text,
            "properties": {"mn": station.mn, "parameter": param},
        },
        (station.mn, param),
    )


def datastream(station: Station, key: SeriesKey) -> Entity:
    info = parameter_info(key.param)
    unit = info.unit
    length = period(key.kind, station)
    return Entity(
        ENTITY_TYPES["Datastream"],
        datastream_id(key),
        {
            "name": f"{station.name} {info.name_en} {key.kind.value}",
            "description": f"{_KIND_WORDS[key.kind]} {info.name_en} at station {station.name}",
            "unitOfMeasurement": {"name": unit.name, "symbol": unit.symbol, "definition": unit.definition},
            "observationType": OM_MEASUREMENT,
            "observedArea": station_point(station),
            "phenomenonTime": None,
            "resultTime": None,
            "properties": {
                "mn": key.mn,
                "parameter": key.param,
                "kind": key.kind.value,
                "period": _iso_period(length),
            },
        },
        key,
    )


def observation(
    key: SeriesKey, time: datetime, value: float | None, flag: str | None, length: timedelta | None
) -> Entity:
    """One stored value; ``length`` is the period of the series (:func:`period`)."""
    if key.kind is DataKind.RTD:
        result_time: datetime | None = time
    else:
        result_time = time + length if length is not None else None
    return Entity(
        ENTITY_TYPES["Observation"],
        observation_id(key, time),
        {
            "phenomenonTime": time,
            "resultTime": result_time,
            "result": value,
            "resultQuality": flag,
        },
        (key, time),
    )
