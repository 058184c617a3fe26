"""FastAPI router of the SensorThings API 1.1 (read) at ``/sta/v1.1``.

Every request carries a Bearer token (:func:`lianfang.api.auth.require_caller`); what the caller
sees comes from the app's SharedReader, the one place that applies sharing agreements and audits
reads across jurisdictions (``via="sta"``). Errors leave in the project's JSON error shape
(``{"ok": false, "error": …, "message": …, "status": N}``): 400 for a bad query, 404 for an unknown
entity, 501 for an unimplemented query option.
"""

from __future__ import annotations

from typing import Any, Final

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from lianfang.api.auth import CallerDep, ReaderDep, now
from lianfang.api.sensorthings.engine import Engine
from lianfang.share import Caller, SharedReader

__all__ = ["STA_PREFIX", "create_sta_router"]

STA_PREFIX: Final = "/sta/v1.1"


def _engine(request: Request, caller: Caller, reader: SharedReader) -> Engine:
    base = str(request.base_url).rstrip("/") + STA_PREFIX
    return Engine(reader, caller, base, now(request))  # the app's clock: now() agrees with the policy


def create_sta_router() -> APIRouter:
    """The STA router; mount it with ``app.include_router(create_sta_router())``."""
    router = APIRouter(prefix=STA_PREFIX, tags=["SensorThings API 1.1"])

    @router.get("", summary="Service root: entity sets and conformance classes")
    def root(request: Request, caller: CallerDep, reader: ReaderDep) -> dict[str, Any]:
        return _engine(request, caller, reader).root()

    @router.get("/", include_in_schema=False)
    def root_slash(request: Request, caller: CallerDep, reader: ReaderDep) -> dict[str, Any]:
        return _engine(request, caller, reader).root()

    @router.get(
        "/{resource:path}",
        summary="Entities, navigation, properties, $value and $ref, with the STA query options",
    )
    def resource(resource: str, request: Request, caller: CallerDep, reader: ReaderDep) -> Response:
        engine = _engine(request, caller, reader)
        reply = engine.handle(resource, request.query_params.multi_items())
        if reply.status == 204:
            return Response(status_code=204)
        if reply.text is not None:
            return PlainTextResponse(reply.text)
        # orjson: a page of 1,000 expanded entities encodes several times faster than with json
        return Response(orjson.dumps(reply.body), media_type="application/json")

    return router
