"""The audit log over HTTP: an agency's admins see how its data was used and what it read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from lianfang.api.auth import CallerDep, sharing_store
from lianfang.api.rest.encode import json_response
from lianfang.model import BEIJING
from lianfang.share import Permission, SharedStore, authorize
from lianfang.share.terms import parse_instant
from lianfang.store.base import AuditEntry

__all__ = ["audit_json", "router"]

router = APIRouter(tags=["audit"])

StoreDep = Annotated[SharedStore, Depends(sharing_store)]


def audit_json(e: AuditEntry) -> dict[str, Any]:
    return {
        "at": e.at.astimezone(BEIJING).isoformat(),  # Beijing time out, as everywhere
        "reader": e.reader,
        "token_id": e.token_id,
        "reader_name": e.reader_name,
        "owner": e.owner,
        "agreement_id": e.agreement_id,
        "agreement_version": e.agreement_version,
        "via": e.via,
        "action": e.action,
        "scope": e.scope,
        "values": e.values,
    }


@router.get(
    "/audit", summary="Reads of the caller's agency's data by others, and its reads of theirs (admin)"
)
def audit(
    caller: CallerDep,
    store: StoreDep,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1_000,
) -> Response:
    authorize(caller, Permission.READ_AUDIT)
    entries = store.audit_entries(
        agency=caller.agency,
        start=parse_instant(start) if start else None,
        end=parse_instant(end) if end else None,
    )[-limit:]
    return json_response({"ok": True, "count": len(entries), "data": [audit_json(e) for e in entries]})
