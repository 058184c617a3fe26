"""Who the token belongs to (a cheap way for a client to check its token)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from lianfang.api.auth import CallerDep
from lianfang.api.rest.encode import json_response
from lianfang.share import ROLE_PERMISSIONS

__all__ = ["router"]

router = APIRouter(tags=["auth"])


@router.get("/me", summary="The caller: agency, role, token id and permissions")
def me(caller: CallerDep) -> Response:
    permissions = sorted(p.value for p in ROLE_PERMISSIONS[caller.role])
    body = {
        "agency": caller.agency,
        "role": caller.role.value,
        "token_id": caller.token_id,
        "name": caller.name,
        "permissions": permissions,
    }
    return json_response({"ok": True, "data": body})
