"""``GET /api/v1/dashboard/overview``: everything the dashboard's map, summary and sharing panels show.

The REST API has stations and latest values but no assessment or regional summary, so this route adds
them, reading observations only through :class:`lianfang.share.SharedReader` (``via="dashboard"``, so a
read of another agency's data is audited like any other). One request per refresh:

- the caller (agency, role) and the agreements in force that bring in, or send out, data;
- every visible station with its public fields, whether it is the caller's own, the agreements that
  show it, and its current water class or AQI (:mod:`lianfang.web.status`);
- a summary per jurisdiction (:mod:`lianfang.web.summary`);
- legends, the parameter catalogue and river names, so the page has no tables of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from lianfang.api.auth import CallerDep, ReaderDep, now, sharing_store
from lianfang.api.rest.agreements import agreement_json
from lianfang.api.rest.encode import json_response, station_json
from lianfang.model import BEIJING, DataKind, Station
from lianfang.share import SharedStore
from lianfang.share.agreements import is_in_force
from lianfang.share.grants import Access
from lianfang.store.base import Agreement, ObservationQuery
from lianfang.web.catalogue import aqi_legend, parameter_catalogue, river_names, water_legend
from lianfang.web.status import AQI_HOURS, WATER_HOURS, air_status, hour_floor, water_status
from lianfang.web.summary import region_summaries

__all__ = ["ALERTS_PATH", "OVERVIEW_PATH", "router"]

OVERVIEW_PATH = "/api/v1/dashboard/overview"
#: where the warning module's alert list will live; the panel shows "no rules yet" until it exists
ALERTS_PATH = "/api/v1/alerts"

router = APIRouter(tags=["dashboard"])

StoreDep = Annotated[SharedStore, Depends(sharing_store)]
NowDep = Annotated[datetime, Depends(now)]


def _agreements_by_station(access: Access) -> dict[str, list[int]]:
    shown: dict[str, list[int]] = {}
    for grant in access.grants:
        if grant.agreement is None:
            continue
        for mn in grant.mns:
            ids = shown.setdefault(mn, [])
            if grant.agreement.id not in ids:
                ids.append(grant.agreement.id)
    return shown


def _agreement_entry(agreement: Agreement, stations: int | None) -> dict[str, Any]:
    entry = agreement_json(agreement)
    if stations is not None:
        entry["visible_stations"] = stations
    return entry


def _has_route(request: Request, path: str) -> bool:
    return any(getattr(route, "path", None) == path for route in request.app.routes)


@router.get(
    "/dashboard/overview",
    summary="Dashboard overview: visible stations with water class / AQI, regional summary, agreements",
)
def overview(request: Request, caller: CallerDep, reader: ReaderDep, store: StoreDep, at: NowDep) -> Response:
    access = reader.access(caller)
    stations: list[Station] = list(access.stations.values())
    start = hour_floor(at) - timedelta(hours=max(WATER_HOURS, AQI_HOURS))
    hourly = reader.observations(
        caller, ObservationQuery(kinds=[DataKind.HOUR], start=start), via="dashboard"
    )
    water = water_status(hourly, stations, at)
    air = air_status(hourly, stations, at)
    shown_by = _agreements_by_station(access)
    jurisdictions = store.jurisdictions()
    station_rows = []
    for station in stations:
        row = station_json(station)
        row["own"] = station.jurisdiction == caller.agency
        row["agreements"] = shown_by.get(station.mn, [])
        row["water"] = water[station.mn].as_json() if station.mn in water else None
        row["air"] = air[station.mn].as_json() if station.mn in air else None
        station_rows.append(row)
    received = [
        _agreement_entry(a, sum(1 for ids in shown_by.values() if a.id in ids)) for a in access.agreements
    ]
    granted = [
        _agreement_entry(a, None)
        for a in store.agreements(owner=caller.agency)
        if a.grantee != caller.agency and is_in_force(a, at)
    ]
    body = {
        "now": at.astimezone(BEIJING).isoformat(),
        "caller": {
            "agency": caller.agency,
            "agency_name": next((j.name for j in jurisdictions if j.code == caller.agency), caller.agency),
            "role": caller.role.value,
            "name": caller.name,
            "token_id": caller.token_id,
        },
        "jurisdictions": [{"code": j.code, "name": j.name} for j in jurisdictions],
        "stations": station_rows,
        "summary": [
            r.as_json() for r in region_summaries(stations, jurisdictions, water, air, own=caller.agency)
        ],
        "agreements": {"received": received, "granted": granted},
        "alerts": ALERTS_PATH if _has_route(request, ALERTS_PATH) else None,
        "legend": {"water": water_legend(), "aqi": aqi_legend()},
        "parameters": parameter_catalogue(),
        "rivers": river_names(),
    }
    return json_response({"ok": True, "data": body})
