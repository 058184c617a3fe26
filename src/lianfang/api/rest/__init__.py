"""The REST API under ``/api/v1``: thin routes over :class:`lianfang.share.SharedReader`.

``install_rest(app, store)`` wires the error shape, the token authentication and every route; a
composition root (``lianfang serve``, ``lianfang run``) calls it once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, FastAPI

from lianfang.api.auth import install_sharing
from lianfang.api.errors import install_error_handlers
from lianfang.api.rest import (
    agreements,
    assessments,
    audit,
    exports,
    me,
    observations,
    stations,
    tokens,
)
from lianfang.share import SharedReader, SharedStore

__all__ = ["PREFIX", "install_rest", "router"]

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
for _module in (me, stations, observations, exports, assessments, agreements, audit, tokens):
    router.include_router(_module.router)


def install_rest(
    app: FastAPI, store: SharedStore, *, clock: Callable[[], datetime] | None = None
) -> SharedReader:
    """Add ``/api/v1`` to ``app`` and return the SharedReader every route reads through."""
    install_error_handlers(app)
    reader = install_sharing(app, store, clock=clock)
    app.include_router(router)
    return reader
