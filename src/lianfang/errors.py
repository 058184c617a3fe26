"""The lianfang exception tree (the hj212 codec keeps its own, being standalone).

::

    LianfangError
    ├── ConfigError                 bad settings, unreadable data directory
    ├── StoreError                  persistence failed (driver errors mapped here, ``raise … from``)
    │   ├── StoreLockedError        another process holds the embedded store
    │   └── NotFoundError           a station, token, agreement … that does not exist   (404)
    ├── InputError                  a value or file a user gave is invalid                (400)
    ├── AuthError                   no or bad credentials                                 (401)
    └── ForbiddenError              valid credentials, no right to this                   (403)

HTTP-facing errors carry ``status`` and a stable ``code`` used in the JSON error shape
``{"ok": false, "error": code, "message": ..., "status": N}``.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ConfigError",
    "ForbiddenError",
    "InputError",
    "LianfangError",
    "NotFoundError",
    "StoreError",
    "StoreLockedError",
]


class LianfangError(Exception):
    status: int = 500
    code: str = "internal"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ConfigError(LianfangError):
    status = 500
    code = "config"


class StoreError(LianfangError):
    status = 500
    code = "store"


class StoreLockedError(StoreError):
    code = "store_locked"


class NotFoundError(StoreError):
    status = 404
    code = "not_found"


class InputError(LianfangError):
    status = 400
    code = "bad_request"


class AuthError(LianfangError):
    status = 401
    code = "unauthorized"


class ForbiddenError(LianfangError):
    status = 403
    code = "forbidden"
