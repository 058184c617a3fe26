"""Latest values and observation pages, all read through the SharedReader (via ``rest``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Path, Query, Request, Response

from lianfang.api.auth import CallerDep, ReaderDep
from lianfang.api.rest.encode import json_response, observation_rows
from lianfang.api.rest.params import FilterDep, PageDep, next_link, split_list
from lianfang.errors import InputError
from lianfang.model import DataKind
from lianfang.share import Caller, SharedReader
from lianfang.store.base import ObservationKey, ObservationQuery

__all__ = ["router"]

router = APIRouter(tags=["observations"])

MnPath = Annotated[str, Path(description="station MN (HJ 212)")]
KindQuery = Annotated[DataKind | None, Query(description="rtd, min, hour or day")]
ParamQuery = Annotated[list[str] | None, Query(description="parameter code(s)")]
StationQuery = Annotated[list[str] | None, Query(description="station MN(s); all visible when absent")]


def _latest_body(table: pa.Table, params: list[str] | None) -> Response:
    if params is not None:
        table = table.filter(pc.is_in(table.column("param"), value_set=pa.array(params, pa.string())))
    return json_response({"ok": True, "count": table.num_rows, "data": observation_rows(table)})


@router.get("/latest", summary="Newest visible value per station, parameter and kind")
def latest(
    caller: CallerDep,
    reader: ReaderDep,
    station: StationQuery = None,
    param: ParamQuery = None,
    kind: KindQuery = None,
) -> Response:
    table = reader.latest(caller, mns=split_list(station), kind=kind, via="rest")
    return _latest_body(table, split_list(param))


@router.get("/stations/{mn}/latest", summary="Newest visible values of one station")
def station_latest(
    mn: MnPath, caller: CallerDep, reader: ReaderDep, param: ParamQuery = None, kind: KindQuery = None
) -> Response:
    reader.station(caller, mn)  # 404 when not visible
    return _latest_body(reader.latest(caller, mns=[mn], kind=kind, via="rest"), split_list(param))


def _page(
    request: Request, caller: Caller, reader: SharedReader, query: ObservationQuery, page: PageDep
) -> Response:
    paged = replace(query, limit=page.limit, offset=page.offset, descending=page.descending)
    table = reader.observations(caller, paged, via="rest", after=page.after)
    next_url = None
    if table.num_rows == page.limit:
        last = table.slice(table.num_rows - 1).to_pylist()[0]
        key: ObservationKey = (last["mn"], last["param"], last["kind"], last["time"])
        next_url = next_link(request, key)
    body = {"ok": True, "count": table.num_rows, "data": observation_rows(table), "next": next_url}
    return json_response(body)


@router.get(
    "/observations",
    summary="Observations by station, parameter, kind and time range, paged",
    description="Ordered by (station, parameter, kind, time). Follow `next` (a keyset cursor) for the "
    "following page; `offset` also works for shallow pages.",
)
def observations(
    request: Request, caller: CallerDep, reader: ReaderDep, query: FilterDep, page: PageDep
) -> Response:
    return _page(request, caller, reader, query, page)


@router.get("/stations/{mn}/observations", summary="Observations of one station, paged")
def station_observations(
    mn: MnPath, request: Request, caller: CallerDep, reader: ReaderDep, query: FilterDep, page: PageDep
) -> Response:
    reader.station(caller, mn)
    if query.mns is not None and query.mns != [mn]:
        raise InputError("the station is given by the path; drop the 'station' parameter")
    return _page(request, caller, reader, replace(query, mns=[mn]), page)
