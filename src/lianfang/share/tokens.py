"""API tokens: issued once in clear, stored as a SHA-256 digest, resolved to a :class:`Caller`."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from lianfang.credentials import new_token, token_digest
from lianfang.errors import AuthError, InputError, NotFoundError
from lianfang.share.caller import Caller, Role
from lianfang.store.base import ApiToken, SharingStore

__all__ = [
    "agency_token",
    "authenticate",
    "is_usable",
    "issue_token",
    "parse_role",
    "revoke_agency_token",
    "token_status",
]


def parse_role(text: str) -> Role:
    aliases = {"duty-officer": Role.DUTY, "duty_officer": Role.DUTY, "officer": Role.DUTY}
    lowered = text.strip().lower()
    if lowered in aliases:
        return aliases[lowered]
    try:
        return Role(lowered)
    except ValueError as exc:
        raise InputError(f"bad role {text!r}: one of {', '.join(r.value for r in Role)}") from exc


def issue_token(
    store: SharingStore,
    *,
    agency: str,
    role: Role,
    known_agencies: Sequence[str],
    now: datetime,
    name: str = "",
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Store a new token and return it with its secret (the only time the secret exists in clear)."""
    if agency not in known_agencies:
        raise InputError(f"unknown agency {agency!r}; known: {', '.join(sorted(known_agencies)) or 'none'}")
    if expires_at is not None and expires_at <= now:
        raise InputError(f"expiry {expires_at.isoformat()} is in the past")
    token_id = "tk_" + secrets.token_hex(4)
    secret = new_token("lf")
    record = ApiToken(
        id=token_id,
        agency=agency,
        role=role.value,
        name=name or f"{agency}-{role.value}",
        digest=token_digest(secret),
        created_at=now,
        expires_at=expires_at,
    )
    store.add_token(record)
    return record, secret


def is_usable(token: ApiToken, now: datetime) -> bool:
    if token.revoked_at is not None and token.revoked_at <= now:
        return False
    return token.expires_at is None or now < token.expires_at


def token_status(token: ApiToken, now: datetime) -> str:
    """``active``, ``revoked`` or ``expired``."""
    if token.revoked_at is not None:
        return "revoked"
    return "active" if is_usable(token, now) else "expired"


def agency_token(store: SharingStore, agency: str, token_id: str) -> ApiToken:
    """``agency``'s token ``token_id``. Another agency's id is NotFoundError exactly like an unknown
    one, so an admin cannot learn which ids exist elsewhere."""
    for token in store.tokens(agency=agency):
        if token.id == token_id:
            return token
    raise NotFoundError(f"no token {token_id!r}")


def revoke_agency_token(store: SharingStore, *, agency: str, token_id: str, now: datetime) -> ApiToken:
    """Revoke one of ``agency``'s own tokens (NotFoundError for any other id). Revoking twice keeps
    the first time. The next request with it fails: :func:`authenticate` reads the store every time."""
    agency_token(store, agency, token_id)
    return store.revoke_token(token_id, now)


def authenticate(store: SharingStore, secret: str, now: datetime) -> Caller:
    """The caller a bearer token stands for; AuthError if unknown, revoked or expired (one message for
    all three, so the response does not tell an attacker which tokens exist)."""
    token = store.token_by_digest(token_digest(secret)) if secret else None
    if token is None or not is_usable(token, now):
        raise AuthError("invalid, revoked or expired token")
    return Caller(agency=token.agency, role=Role(token.role), token_id=token.id, name=token.name)
