"""Stations the caller may see, as JSON or GeoJSON, and one station with its series."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from lianfang.api.auth import CallerDep, ReaderDep
from lianfang.api.rest.encode import json_response, station_feature, station_json
from lianfang.model import StationKind

__all__ = ["router"]

router = APIRouter(tags=["stations"])

KindQuery = Annotated[StationKind | None, Query(description="water, air or source")]
JurisdictionQuery = Annotated[str | None, Query(description="jurisdiction code, e.g. SC")]
MnPath = Annotated[str, Path(description="station MN (HJ 212)")]


@router.get("/stations", summary="Stations visible to the caller")
def list_stations(
    caller: CallerDep, reader: ReaderDep, kind: KindQuery = None, jurisdiction: JurisdictionQuery = None
) -> Response:
    stations = reader.stations(caller, kind=kind, jurisdiction=jurisdiction)
    return json_response({"ok": True, "count": len(stations), "data": [station_json(s) for s in stations]})


@router.get("/stations.geojson", summary="Stations visible to the caller as a GeoJSON FeatureCollection")
def stations_geojson(
    caller: CallerDep, reader: ReaderDep, kind: KindQuery = None, jurisdiction: JurisdictionQuery = None
) -> Response:
    stations = reader.stations(caller, kind=kind, jurisdiction=jurisdiction)
    body = {"type": "FeatureCollection", "features": [station_feature(s) for s in stations]}
    return json_response(body, media_type="application/geo+json")


@router.get("/stations/{mn}", summary="One station with the parameters and kinds the caller may read")
def get_station(mn: MnPath, caller: CallerDep, reader: ReaderDep) -> Response:
    station = reader.station(caller, mn)
    body = station_json(
        station,
        parameters=reader.parameters(caller, mn),
        kinds=[k.value for k in reader.kinds(caller, mn)],
    )
    return json_response({"ok": True, "data": body})
