"""Agreements over HTTP: each agency lists those it is party to; its admins grant and revoke.

Changes take effect on the next request (the SharedReader reads agreements fresh every time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from lianfang.api.auth import CallerDep, now, sharing_store
from lianfang.api.rest.encode import beijing_iso, json_response
from lianfang.errors import ForbiddenError, NotFoundError
from lianfang.model import DataKind, StationKind
from lianfang.share import Caller, Permission, SharedStore, authorize
from lianfang.share.agreements import agreement_record, create_agreement, review_agreement, revoke_agreement
from lianfang.share.terms import parse_duration, parse_instant
from lianfang.store.base import Agreement

__all__ = ["AgreementRequest", "agreement_json", "router"]

router = APIRouter(tags=["agreements"])

StoreDep = Annotated[SharedStore, Depends(sharing_store)]
NowDep = Annotated[datetime, Depends(now)]
IdPath = Annotated[int, Path(ge=1)]


class AgreementRequest(BaseModel):
    """Terms of a new agreement; the owner is the caller's agency."""

    grantee: str = Field(description="agency (jurisdiction code) granted access")
    stations: list[str] | None = Field(None, description="explicit station MNs")
    river: str | None = Field(None, description="every station on this river")
    kind: StationKind | None = Field(None, description="every station of this kind")
    params: list[str] | None = Field(None, description="parameter codes; all when absent")
    resolution: DataKind = DataKind.RTD
    delay: str = Field("0", description="e.g. 2h, 1d, PT30M")
    valid_from: str | None = None
    until: str | None = Field(None, description="end of validity; a bare date includes that day")
    purpose: str = ""


def agreement_json(a: Agreement) -> dict[str, Any]:
    """Times out are Beijing time with their offset (docs/api.md), whatever zone the store gave."""
    return agreement_record(a, beijing_iso)


def _party(caller: Caller, agreement: Agreement | None, agreement_id: int) -> Agreement:
    if agreement is None or caller.agency not in {agreement.owner, agreement.grantee}:
        raise NotFoundError(f"no agreement {agreement_id}")
    return agreement


@router.get("/agreements", summary="Agreements the caller's agency owns or is granted")
def list_agreements(caller: CallerDep, store: StoreDep, history: bool = False) -> Response:
    found = [a for a in store.agreements(history=history) if caller.agency in {a.owner, a.grantee}]
    return json_response({"ok": True, "count": len(found), "data": [agreement_json(a) for a in found]})


@router.get("/agreements/{agreement_id}", summary="One agreement (current version)")
def get_agreement(agreement_id: IdPath, caller: CallerDep, store: StoreDep) -> Response:
    agreement = _party(caller, store.agreement(agreement_id), agreement_id)
    return json_response({"ok": True, "data": agreement_json(agreement)})


@router.post("/agreements", status_code=201, summary="Grant another agency access to own stations (admin)")
def add_agreement(body: AgreementRequest, caller: CallerDep, store: StoreDep, at: NowDep) -> Response:
    authorize(caller, Permission.MANAGE_AGREEMENTS)
    agreement = create_agreement(
        store,
        owner=caller.agency,
        grantee=body.grantee,
        known_agencies=[j.code for j in store.jurisdictions()],
        now=at,
        stations=body.stations,
        river=body.river,
        station_kind=body.kind,
        params=body.params,
        resolution=body.resolution,
        delay=parse_duration(body.delay),
        valid_from=parse_instant(body.valid_from) if body.valid_from else None,
        until=parse_instant(body.until, end_of_day=True) if body.until else None,
        purpose=body.purpose,
        created_by=f"{caller.name} ({caller.token_id})",
    )
    # valid terms that may not be what was meant (a selector matching nothing, unseen codes)
    warnings = list(review_agreement(store, agreement).warnings)
    return json_response({"ok": True, "data": agreement_json(agreement), "warnings": warnings}, status=201)


@router.post("/agreements/{agreement_id}/revoke", summary="Revoke an agreement at once (owner's admin)")
def revoke(agreement_id: IdPath, caller: CallerDep, store: StoreDep, at: NowDep) -> Response:
    authorize(caller, Permission.MANAGE_AGREEMENTS)
    agreement = _party(caller, store.agreement(agreement_id), agreement_id)
    if agreement.owner != caller.agency:
        raise ForbiddenError("only the owner agency can revoke an agreement")
    revoked = revoke_agreement(store, agreement_id, now=at, by=f"{caller.name} ({caller.token_id})")
    return json_response({"ok": True, "data": agreement_json(revoked)})
