"""Bearer-token authentication and the app's SharedReader, as FastAPI dependencies.

``install_sharing(app, store)`` is called once by the composition root; routes then declare
``caller: CallerDep`` and ``reader: ReaderDep``. Every route except ``/healthz`` needs a caller.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from lianfang.errors import AuthError, ConfigError
from lianfang.share import Caller, SharedReader, SharedStore
from lianfang.share.tokens import authenticate

__all__ = [
    "CallerDep",
    "ReaderDep",
    "install_sharing",
    "now",
    "require_caller",
    "shared_reader",
    "shared_reader_of",
    "sharing_store",
]


def install_sharing(
    app: FastAPI, store: SharedStore, *, clock: Callable[[], datetime] | None = None
) -> SharedReader:
    """Attach the store's SharedReader (and the clock used for token expiry) to ``app``."""
    reader = SharedReader(store, clock=clock)
    app.state.shared_reader = reader
    app.state.sharing_store = store
    app.state.sharing_clock = clock or (lambda: datetime.now(UTC))
    return reader


def shared_reader_of(app: FastAPI) -> SharedReader | None:
    reader = getattr(app.state, "shared_reader", None)
    return reader if isinstance(reader, SharedReader) else None


def shared_reader(request: Request) -> SharedReader:
    reader = getattr(request.app.state, "shared_reader", None)
    if not isinstance(reader, SharedReader):
        raise ConfigError("the app has no SharedReader: call lianfang.api.auth.install_sharing(app, store)")
    return reader


def sharing_store(request: Request) -> SharedStore:
    shared_reader(request)  # same configuration check
    store: SharedStore = request.app.state.sharing_store
    return store


def now(request: Request) -> datetime:
    """The app's clock (tests and the leak matrix may pin it)."""
    clock: Callable[[], datetime] = request.app.state.sharing_clock
    return clock()


def require_caller(request: Request) -> Caller:
    """``Authorization: Bearer TOKEN`` → Caller, or 401 in the JSON error shape."""
    header = request.headers.get("authorization")
    if not header:
        raise AuthError("missing Authorization: Bearer token")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header must be 'Bearer TOKEN'")
    caller = authenticate(sharing_store(request), token.strip(), now(request))
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(require_caller)]
ReaderDep = Annotated[SharedReader, Depends(shared_reader)]
