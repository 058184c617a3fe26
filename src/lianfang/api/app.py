"""The FastAPI application factory. Routes live in routers, one module each; this file wires them.

``create_app(store=…, metrics=…, gateway_status=…)`` serves at least ``/healthz`` and ``/metrics``;
further routers (observations, sharing, SensorThings, dashboard) are added here by their modules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from lianfang.api.auth import require_caller
from lianfang.api.errors import install_error_handlers
from lianfang.api.ops import ops_router
from lianfang.api.rest import install_rest
from lianfang.api.sensorthings import create_sta_router
from lianfang.gateway.metrics import Metrics
from lianfang.store.base import SharingStore, Store
from lianfang.web import create_web_router

__all__ = ["create_app"]


def create_app(
    *,
    store: Store,
    metrics: Metrics | None = None,
    gateway_status: Callable[[], dict[str, object]] | None = None,
    routers: Sequence[APIRouter] = (),
    title: str = "lianfang",
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """An app over ``store``; ``metrics``/``gateway_status`` come from an embedded gateway, if any."""
    app = FastAPI(title=title, docs_url="/docs", redoc_url=None)
    install_error_handlers(app)

    async def health() -> tuple[dict[str, Any], bool]:
        body: dict[str, Any] = {}
        healthy = True
        try:
            count = await run_in_threadpool(store.count_observations)
            body["store"] = {"ok": True, "observations": count}
        except Exception as exc:  # report, do not raise: this is what a health check is for
            healthy = False
            body["store"] = {"ok": False, "error": str(exc)}
        if gateway_status is not None:
            status = gateway_status()
            body["gateway"] = {"ok": bool(status.get("listening")), **status}
            healthy = healthy and bool(status.get("listening"))
        return body, healthy

    sharing = isinstance(store, SharingStore)
    app.include_router(
        ops_router(
            health=health,
            metrics=metrics.render_prometheus if metrics else None,
            # Every request but /healthz carries a token where there are tokens (Prometheus
            # scrapes with `authorization: {credentials: …}`).
            metrics_dependencies=[Depends(require_caller)] if sharing else (),
        )
    )
    if isinstance(store, SharingStore):
        # /api/v1 and the SharedReader every data route (REST, STA, exports) reads through
        install_rest(app, store, clock=clock)
        app.include_router(create_sta_router())  # OGC SensorThings API 1.1 at /sta/v1.1
        app.include_router(create_web_router())  # dashboard at /, /static, /api/v1/dashboard/overview
    for router in routers:
        app.include_router(router)
    return app
