"""Bulk exports (CSV, Parquet) of what the caller may see; needs the export permission."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
from fastapi import APIRouter, Response

from lianfang.api.auth import CallerDep, ReaderDep
from lianfang.api.rest.encode import csv_bytes, parquet_bytes
from lianfang.api.rest.params import FilterDep
from lianfang.errors import InputError
from lianfang.share import Caller, Permission, SharedReader, authorize
from lianfang.store.base import ObservationQuery

__all__ = ["MAX_EXPORT_ROWS", "router"]

router = APIRouter(tags=["exports"])

MAX_EXPORT_ROWS = 2_000_000  # ~100 MB of CSV; larger pulls should page through /observations


def _export(caller: Caller, reader: SharedReader, query: ObservationQuery) -> pa.Table:
    authorize(caller, Permission.EXPORT)
    table = reader.observations(caller, replace(query, limit=MAX_EXPORT_ROWS + 1), via="export")
    if table.num_rows > MAX_EXPORT_ROWS:
        raise InputError(
            f"the export has more than {MAX_EXPORT_ROWS:,} rows: narrow it by station, parameter or time, "
            "or page through /api/v1/observations"
        )
    return table


def _filename(query: ObservationQuery, suffix: str) -> str:
    label = "-".join(query.mns) if query.mns is not None and len(query.mns) <= 3 else "observations"
    return f'attachment; filename="{label}.{suffix}"'


@router.get("/observations.csv", summary="Export observations as CSV (times in Beijing time, ISO 8601)")
def export_csv(caller: CallerDep, reader: ReaderDep, query: FilterDep) -> Response:
    table = _export(caller, reader, query)
    return Response(
        csv_bytes(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _filename(query, "csv")},
    )


@router.get("/observations.parquet", summary="Export observations as Parquet (times as UTC instants)")
def export_parquet(caller: CallerDep, reader: ReaderDep, query: FilterDep) -> Response:
    table = _export(caller, reader, query)
    return Response(
        parquet_bytes(table),
        media_type="application/vnd.apache.parquet",
        headers={"Content-Disposition": _filename(query, "parquet")},
    )
