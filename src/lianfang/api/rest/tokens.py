"""API tokens over HTTP: an agency's admins list, issue and revoke the agency's own tokens.

DuckDB lets one process hold the store, so while ``lianfang serve`` or ``run`` holds it the ``lianfang
token`` commands cannot run; these routes are how a compromised token is revoked without a restart.
A revocation takes effect on the very next request: every request looks its token up in the store
(:func:`lianfang.share.tokens.authenticate` keeps no cache).

Secrets leave once, in the answer to the POST that creates them; lists show ids, never secrets or
digests. Every change is logged (ids, agency, role, holder, who did it; never a secret) at WARNING,
the level ``lianfang serve`` shows by default: a credential changing on a running server is
something its operator should see.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from lianfang.api.auth import CallerDep, now, sharing_store
from lianfang.api.rest.encode import beijing_iso, json_response
from lianfang.share import Permission, SharedStore, authorize
from lianfang.share.terms import parse_instant
from lianfang.share.tokens import issue_token, parse_role, revoke_agency_token, token_status
from lianfang.store.base import ApiToken

__all__ = ["TokenRequest", "router", "token_json"]

log = logging.getLogger(__name__)

router = APIRouter(tags=["tokens"])

StoreDep = Annotated[SharedStore, Depends(sharing_store)]
NowDep = Annotated[datetime, Depends(now)]
TokenIdPath = Annotated[str, Path(min_length=1, max_length=64)]


class TokenRequest(BaseModel):
    """A new token for the caller's own agency."""

    role: str = Field(description="viewer, analyst, duty (duty officer) or admin")
    name: str = Field("", max_length=200, description="who holds it (person or system)")
    expires: str | None = Field(
        None,
        description="expiry date or date-time (Beijing time without an offset); a date includes that day",
    )


def token_json(token: ApiToken, at: datetime) -> dict[str, Any]:
    """A token as listed: never its secret nor its digest."""
    return {
        "id": token.id,
        "agency": token.agency,
        "role": token.role,
        "name": token.name,
        "created_at": beijing_iso(token.created_at),
        "expires_at": beijing_iso(token.expires_at),
        "revoked_at": beijing_iso(token.revoked_at),
        "status": token_status(token, at),
    }


@router.get("/tokens", summary="The caller's agency's API tokens, without secrets (admin)")
def list_tokens(caller: CallerDep, store: StoreDep, at: NowDep) -> Response:
    authorize(caller, Permission.MANAGE_TOKENS)
    found = store.tokens(agency=caller.agency)
    return json_response({"ok": True, "count": len(found), "data": [token_json(t, at) for t in found]})


@router.post(
    "/tokens", status_code=201, summary="Issue a token for the caller's agency; secret shown once (admin)"
)
def create_token(body: TokenRequest, caller: CallerDep, store: StoreDep, at: NowDep) -> Response:
    authorize(caller, Permission.MANAGE_TOKENS)
    record, secret = issue_token(
        store,
        agency=caller.agency,
        role=parse_role(body.role),
        known_agencies=[j.code for j in store.jurisdictions()],
        now=at,
        name=body.name,
        expires_at=parse_instant(body.expires, end_of_day=True) if body.expires else None,
    )
    log.warning(
        "token %s issued for %s (role %s, holder %r, expires %s) by %r (%s)",
        record.id,
        record.agency,
        record.role,
        record.name,
        beijing_iso(record.expires_at) or "never",
        caller.name,
        caller.token_id,
    )
    response = json_response({"ok": True, "data": {**token_json(record, at), "token": secret}}, status=201)
    response.headers["Cache-Control"] = "no-store"  # the only copy of the secret: keep it out of caches
    return response


@router.delete("/tokens/{token_id}", summary="Revoke one of the agency's tokens at once (admin)")
def revoke_token(token_id: TokenIdPath, caller: CallerDep, store: StoreDep, at: NowDep) -> Response:
    authorize(caller, Permission.MANAGE_TOKENS)
    revoked = revoke_agency_token(store, agency=caller.agency, token_id=token_id, now=at)
    if revoked.revoked_at != at:  # revoked before: the store kept the first time, nothing changed
        return json_response({"ok": True, "data": token_json(revoked, at)})
    log.warning(
        "token %s of %s (holder %r) revoked by %r (%s)",
        revoked.id,
        revoked.agency,
        revoked.name,
        caller.name,
        caller.token_id,
    )
    return json_response({"ok": True, "data": token_json(revoked, at)})
