"""The web dashboard: a page with a map, station list, charts and regional summary, over ``/api/v1``.

``create_web_router()`` serves the page at ``/``, its assets at ``/static/…``, the province outlines
and the dashboard's one extra API route (``/api/v1/dashboard/overview``); ``create_app`` includes it.
``ensure_demo_tokens`` gives the embedded demo (``lianfang run``) a viewer token per agency.
"""

from __future__ import annotations

from fastapi import APIRouter

from lianfang.web import overview, pages
from lianfang.web.demo import dashboard_url, ensure_demo_agreements, ensure_demo_tokens

__all__ = ["create_web_router", "dashboard_url", "ensure_demo_agreements", "ensure_demo_tokens"]


def create_web_router() -> APIRouter:
    """The dashboard's routes (page, assets, outlines, ``/api/v1/dashboard/overview``)."""
    router = APIRouter()
    router.include_router(pages.router)
    router.include_router(overview.router, prefix="/api/v1")
    return router
