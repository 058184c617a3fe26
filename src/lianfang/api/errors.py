"""One JSON error shape for every HTTP error: ``{"ok": false, "error": code, "message": …, "status": N}``.

:class:`~lianfang.errors.LianfangError` subclasses carry their status and code; request validation
errors are 400s; unknown routes 404; anything unexpected a 500 whose details go to the log only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lianfang.errors import AuthError, LianfangError

__all__ = ["error_body", "error_response", "install_error_handlers"]

log = logging.getLogger(__name__)

_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "bad_request",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": code, "message": message, "status": status}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, code, message), status_code=status, headers=headers)


def _lianfang_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LianfangError)
    if exc.status == 500:  # 501 (an option we lack) is the client's request, not our failure
        log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
        return error_response(exc.status, exc.code, "internal error")
    headers = {"WWW-Authenticate": 'Bearer realm="lianfang"'} if isinstance(exc, AuthError) else None
    return error_response(exc.status, exc.code, exc.message, headers)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in {"query", "path", "body"})
        problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return error_response(400, "bad_request", "; ".join(problems) or "invalid request")


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _CODES.get(status, "error" if status < 500 else "internal")
    if status == 404 and exc.detail in {None, "Not Found"}:
        message = f"no such resource: {request.url.path}"
    elif status == 405 and exc.detail in {None, "Method Not Allowed"}:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return error_response(status, code, message, dict(exc.headers) if exc.headers else None)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "internal error")


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` (REST, SensorThings, ops) leave in the one JSON shape."""
    app.add_exception_handler(LianfangError, _lianfang_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
