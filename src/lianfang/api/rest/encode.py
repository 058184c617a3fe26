"""Rendering API results: observation tables as JSON rows, CSV, Parquet; stations as JSON and GeoJSON.

Times leave as ISO 8601 in Beijing time with the offset (``2026-06-01T08:00:00+08:00``): the
instant is unambiguous and reads as the wall-clock time the stations report.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from fastapi import Response

from lianfang.model import Station

__all__ = [
    "JSON_MEDIA",
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


def json_response(body: Any, *, status: int = 200, media_type: str = JSON_MEDIA) -> Response:
    """Serialise with the standard library (faster than FastAPI's encoder on long row lists)."""
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(),
        status_code=status,
        media_type=media_type,
    )


def with_iso_times(table: pa.Table) -> pa.Table:
    """``table`` with its ``time`` column as ISO 8601 text in Beijing time."""
    # shift the UTC instant by +8 h and format it as a naive wall-clock time
    micros = pc.add(pc.cast(table.column("time"), pa.int64()), _BEIJING_OFFSET_US)
    seconds = pc.divide(micros, 1_000_000)  # HJ 212 times have whole seconds
    local: Any = pc.cast(seconds, pa.timestamp("s"))  # (the stubs do not type strftime's input)
    text = pc.strftime(local, format="%Y-%m-%dT%H:%M:%S+08:00")
    return table.set_column(table.schema.get_field_index("time"), "time", text)


def observation_rows(table: pa.Table) -> list[dict[str, Any]]:
    """OBSERVATION_SCHEMA rows as dicts; a non-finite value (never valid JSON) becomes null."""
    rendered = with_iso_times(table)
    columns = {name: rendered.column(name).to_pylist() for name in rendered.column_names}
    values = columns["value"]
    columns["value"] = [v if v is None or math.isfinite(v) else None for v in values]
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


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
