"""Rendering API results: observation tables as JSON rows, CSV, Parquet; stations as JSON and GeoJSON.

Times leave as ISO 8601 in Beijing time with the offset (``2026-06-01T08:00:00+08:00``): the
instant is unambiguous and reads as the wall-clock time the stations report.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from fastapi import Response

from lianfang.model import BEIJING, Station

__all__ = [
    "JSON_MEDIA",
    "beijing_iso",
    "csv_bytes",
    "json_response",
    "observation_rows",
    "parquet_bytes",
    "station_feature",
    "station_json",
    "with_iso_times",
]

JSON_MEDIA = "application/json"
_BEIJING_OFFSET_US = 8 * 3600 * 1_000_000  # China has kept UTC+8 without DST since 1991


def beijing_iso(at: datetime | None) -> str | None:
    """An instant as ISO 8601 in Beijing time with its offset (docs/api.md), whatever zone it came in."""
    return at.astimezone(BEIJING).isoformat() if at is not None else None


def json_response(body: Any, *, status: int = 200, media_type: str = JSON_MEDIA) -> Response:
    """Serialise with orjson: a 10,000-row page takes ~3 ms against ~20 ms with ``json``."""
    return Response(orjson.dumps(body), status_code=status, media_type=media_type)


def with_iso_times(table: pa.Table) -> pa.Table:
    """``table`` with its ``time`` column as ISO 8601 text in Beijing time."""
    # pages repeat few distinct times (every station at the same hour): format each one once
    micros = pc.cast(table.column("time"), pa.int64()).to_numpy(zero_copy_only=False)
    distinct, index = np.unique(micros, return_inverse=True)
    seconds = pa.array((distinct + _BEIJING_OFFSET_US) // 1_000_000, pa.int64())  # whole seconds
    local: Any = pc.cast(seconds, pa.timestamp("s"))  # (the stubs do not type strftime's input)
    text = pc.strftime(local, format="%Y-%m-%dT%H:%M:%S+08:00").to_numpy(zero_copy_only=False)
    column = pa.array(text[index], pa.string())
    return table.set_column(table.schema.get_field_index("time"), "time", column)


def observation_rows(table: pa.Table) -> list[dict[str, Any]]:
    """OBSERVATION_SCHEMA rows as dicts; a non-finite value (never valid JSON) becomes null."""
    rendered = with_iso_times(table)
    value = rendered.column("value")
    finite = pc.if_else(pc.is_finite(value), value, pa.scalar(None, pa.float64()))
    columns = [rendered.column(c).to_pylist() for c in ("mn", "param", "kind", "time")]
    return [
        {"mn": mn, "param": param, "kind": kind, "time": time, "value": v, "flag": flag}
        for mn, param, kind, time, v, flag in zip(
            *columns, finite.to_pylist(), rendered.column("flag").to_pylist(), strict=True
        )
    ]


def csv_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pa_csv.write_csv(with_iso_times(table), sink)
    return sink.getvalue()


def parquet_bytes(table: pa.Table) -> bytes:
    """Parquet keeps the typed instant (UTC) rather than text."""
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def station_json(
    station: Station, *, parameters: Sequence[str] | None = None, kinds: Sequence[str] | None = None
) -> dict[str, Any]:
    """Public fields of a station (never its password hash)."""
    body: dict[str, Any] = {
        "mn": station.mn,
        "name": station.name,
        "kind": station.kind.value,
        "jurisdiction": station.jurisdiction,
        "lon": station.lon,
        "lat": station.lat,
        "river": station.river,
        "river_km": station.river_km,
        "section_level": station.section_level.value if station.section_level else None,
        "target_class": station.target_class,
        "water_body": station.water_body.value,
        "simulated": station.simulated,
        "active": station.active,
    }
    if parameters is not None:
        body["parameters"] = list(parameters)
    if kinds is not None:
        body["kinds"] = list(kinds)
    return body


def station_feature(station: Station) -> dict[str, Any]:
    """A GeoJSON (RFC 7946) Feature; coordinates are [lon, lat] in WGS 84."""
    geometry = (
        {"type": "Point", "coordinates": [station.lon, station.lat]}
        if station.lon is not None and station.lat is not None
        else None
    )
    properties = station_json(station)
    del properties["lon"], properties["lat"]
    return {"type": "Feature", "id": station.mn, "geometry": geometry, "properties": properties}
