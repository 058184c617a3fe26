"""Assessments over what the caller may see: GB 3838 section classes and HJ 633 daily AQI.

Thin routes over :mod:`lianfang.reports` (the assessment service). The service reads through a
:class:`~lianfang.share.view.CallerStore`, so an assessment sees exactly the values the caller may
read (a delayed or parameter-limited agreement gives a correspondingly limited assessment) and its
reads are audited like any other.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from lianfang.api.auth import CallerDep, ReaderDep
from lianfang.api.rest.encode import json_response
from lianfang.api.rest.params import split_list
from lianfang.assess.editions import AqiEdition
from lianfang.errors import InputError
from lianfang.model import DataKind, Station, StationKind
from lianfang.reports.air_service import air_days
from lianfang.reports.records import air_daily_rows, section_rows
from lianfang.reports.scope import DayRange, day_range
from lianfang.reports.water_service import assess_water
from lianfang.share import Caller, SharedReader
from lianfang.share.view import CallerStore

__all__ = ["router"]

router = APIRouter(tags=["assessments"])

StationsQuery = Annotated[list[str], Query(description="station MN(s), comma-separated or repeated")]
FromQuery = Annotated[str, Query(alias="from", description="first day, YYYY-MM-DD (Beijing calendar)")]
ToQuery = Annotated[str, Query(alias="to", description="last day, inclusive")]
MAX_DAYS = 366 * 5


def _scope(
    caller: Caller, reader: SharedReader, station: list[str], kind: StationKind, start: str, end: str
) -> tuple[list[Station], DayRange]:
    mns = split_list(station) or []
    if not mns:
        raise InputError("give at least one station")
    stations = [reader.station(caller, mn) for mn in mns]  # 404 for any station not visible
    wrong = [s.mn for s in stations if s.kind is not kind]
    if wrong:
        raise InputError(f"not {kind.value} stations: {', '.join(wrong)}")
    days = day_range(start=start, end=end)
    if days.n_days > MAX_DAYS:
        raise InputError(f"at most {MAX_DAYS} days per request")
    return stations, days


@router.get(
    "/assessments/water",
    summary="GB 3838-2002 class of water sections per period (环办[2011]22号 method)",
)
def water_classes(
    caller: CallerDep,
    reader: ReaderDep,
    station: StationsQuery,
    start: FromQuery,
    end: ToQuery,
    period: Annotated[
        Literal["week", "ten-day", "month", "quarter", "year"] | None,
        Query(description="averaging period (default from the length of the range)"),
    ] = None,
    kind: Annotated[DataKind | None, Query(description="data kind to assess from")] = None,
) -> Response:
    stations, days = _scope(caller, reader, station, StationKind.WATER, start, end)
    result = assess_water(CallerStore(reader, caller, via="rest"), stations, days, period=period, kind=kind)
    body = {
        "ok": True,
        "from": days.first.isoformat(),
        "to": days.last.isoformat(),
        "period": result.period,
        "data": section_rows(result),
        "unclassed": [s.mn for s in result.unclassed],
        "values_used": result.values_used,
    }
    return json_response(body)


@router.get("/assessments/aqi", summary="HJ 633 daily AQI of air stations")
def daily_aqi(
    caller: CallerDep,
    reader: ReaderDep,
    station: StationsQuery,
    start: FromQuery,
    end: ToQuery,
    edition: Annotated[AqiEdition | None, Query(description="default: the edition in force each day")] = None,
) -> Response:
    stations, days = _scope(caller, reader, station, StationKind.AIR, start, end)
    result = air_days(CallerStore(reader, caller, via="rest"), stations, days, edition=edition)
    body = {
        "ok": True,
        "from": days.first.isoformat(),
        "to": days.last.isoformat(),
        "data": air_daily_rows(result, city=None),
        "missing": [s.mn for s in result.missing],
        "values_used": result.values_used,
    }
    return json_response(body)
