"""Query parameters shared by the REST routes: observation filters, paging, keyset cursors.

Lists may be repeated or comma-separated (``?station=A&station=B`` or ``?station=A,B``). Times are
ISO 8601; without an offset they are Beijing time, as HJ 212 times are.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Query, Request

from lianfang.errors import InputError
from lianfang.model import DataKind
from lianfang.share.terms import parse_instant
from lianfang.store.base import ObservationKey, ObservationQuery

__all__ = [
    "MAX_PAGE",
    "FilterDep",
    "Page",
    "PageDep",
    "decode_cursor",
    "encode_cursor",
    "next_link",
    "observation_filter",
    "page",
    "split_list",
]

MAX_PAGE = 10_000  # rows per page, like FROST's maxTop
DEFAULT_PAGE = 1_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def split_list(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    items = [item.strip() for value in values for item in value.split(",")]
    return list(dict.fromkeys(item for item in items if item)) or None


def _kinds(values: list[str] | None) -> list[DataKind] | None:
    names = split_list(values)
    if names is None:
        return None
    try:
        return [DataKind(n.lower()) for n in names]
    except ValueError as exc:
        raise InputError(f"bad kind in {names}: use {', '.join(k.value for k in DataKind)}") from exc


def observation_filter(
    station: Annotated[list[str] | None, Query(description="station MN(s)")] = None,
    param: Annotated[list[str] | None, Query(description="HJ 212 parameter code(s), e.g. w21003")] = None,
    kind: Annotated[list[str] | None, Query(description="rtd, min, hour, day")] = None,
    start: Annotated[str | None, Query(alias="from", description="inclusive, ISO 8601")] = None,
    end: Annotated[str | None, Query(alias="to", description="exclusive, ISO 8601")] = None,
) -> ObservationQuery:
    query = ObservationQuery(
        mns=split_list(station),
        params=split_list(param),
        kinds=_kinds(kind),
        start=parse_instant(start) if start else None,
        end=parse_instant(end) if end else None,
    )
    if query.start is not None and query.end is not None and query.start >= query.end:
        raise InputError("'from' must be before 'to'")
    return query


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int
    after: ObservationKey | None
    descending: bool


def page(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0)] = 0,
    cursor: Annotated[str | None, Query(description="from the previous page's 'next' link")] = None,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
) -> Page:
    after = decode_cursor(cursor) if cursor else None
    if after is not None and offset:
        raise InputError("use either 'cursor' or 'offset', not both")
    return Page(limit=limit, offset=offset, after=after, descending=order == "desc")


def encode_cursor(key: ObservationKey) -> str:
    mn, param, kind, time = key
    micros = (time - _EPOCH) // timedelta(microseconds=1)
    raw = json.dumps([mn, param, kind, micros], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> ObservationKey:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        mn, param, kind, micros = json.loads(raw)
        if not all(isinstance(x, str) for x in (mn, param, kind)) or not isinstance(micros, int):
            raise ValueError("cursor fields")
        return (mn, param, kind, _EPOCH + timedelta(microseconds=micros))
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, OverflowError) as exc:
        raise InputError("bad cursor: pass the 'next' link of the previous page unchanged") from exc


def next_link(request: Request, key: ObservationKey) -> str:
    url = request.url.remove_query_params("offset").include_query_params(cursor=encode_cursor(key))
    return str(url)


FilterDep = Annotated[ObservationQuery, Depends(observation_filter)]
PageDep = Annotated[Page, Depends(page)]
