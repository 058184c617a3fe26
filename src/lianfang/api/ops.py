"""Operations endpoints: ``/healthz`` (JSON) and ``/metrics`` (Prometheus text).

Both are plain callables handed in by the composition root, so the router knows nothing of the
gateway or the store: ``health()`` returns the JSON body and whether all is well; ``metrics()``
returns the exposition text. They run on the event loop (the gateway's counters live there);
``health`` does its blocking work in a thread itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.params import Depends
from fastapi.responses import JSONResponse, PlainTextResponse

__all__ = ["PROMETHEUS_CONTENT_TYPE", "HealthCheck", "ops_router"]

#: Prometheus text exposition format, version 0.0.4.
PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: Returns (body, healthy); an unhealthy answer is sent with status 503.
HealthCheck = Callable[[], Awaitable[tuple[dict[str, Any], bool]]]


def ops_router(
    *,
    health: HealthCheck,
    metrics: Callable[[], str] | None = None,
    metrics_dependencies: Sequence[Depends] = (),
) -> APIRouter:
    """``metrics_dependencies`` guard ``/metrics`` (e.g. a Bearer token); ``/healthz`` stays open,
    the one route a load balancer or service manager may call without credentials."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness and readiness: store and gateway status")
    async def healthz() -> JSONResponse:
        body, healthy = await health()
        return JSONResponse({"ok": healthy, **body}, status_code=200 if healthy else 503)

    if metrics is not None:
        render = metrics

        @router.get(
            "/metrics",
            summary="Prometheus metrics",
            response_class=PlainTextResponse,
            dependencies=list(metrics_dependencies),
        )
        async def prometheus() -> PlainTextResponse:
            return PlainTextResponse(render(), media_type=PROMETHEUS_CONTENT_TYPE)

    return router
