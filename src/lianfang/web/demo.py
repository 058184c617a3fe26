"""What the embedded demo (``lianfang run``) needs to open the dashboard: tokens and two agreements.

Tokens: one viewer token per demo agency (SC, CQ), derived from the data directory's demo secret with
HMAC-SHA256, so a restart finds the same token in the store (only its digest is stored) and prints the
same URL. A demo token that was revoked or has expired is not revived: the next derivation
("generation") takes its place.

Agreements: a demo of *sharing* needs something shared, so when SC and CQ have never had an agreement
(no version in the history), the demo grants each other hourly water data. Revoking them sticks:
they are created once, never again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from lianfang.credentials import token_digest
from lianfang.errors import ConfigError
from lianfang.model import DataKind, SectionLevel, StationKind
from lianfang.share import Role, SharedStore
from lianfang.share.agreements import create_agreement
from lianfang.share.tokens import is_usable
from lianfang.store.base import Agreement, ApiToken

__all__ = [
    "DEMO_AGENCIES",
    "dashboard_url",
    "demo_token",
    "ensure_demo_agreements",
    "ensure_demo_tokens",
]

DEMO_AGENCIES: Final = ("SC", "CQ")
_MAX_GENERATIONS: Final = 1000
_CREATED_BY: Final = "lianfang run (demo)"


def demo_token(secret: str, agency: str, generation: int = 0) -> str:
    """The demo viewer token of ``agency`` (same form as :func:`lianfang.credentials.new_token`)."""
    message = f"lianfang-demo-dashboard:{agency}:{generation}".encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return "lf_" + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _token_id(agency: str, digest: str) -> str:
    # from the digest: another demo secret (a new data directory's) must not collide with the old id
    return f"tk_demo_{agency.lower()}_{digest[:8]}"


def ensure_demo_tokens(
    store: SharedStore,
    secret: str,
    *,
    agencies: Sequence[str] = DEMO_AGENCIES,
    now: datetime | None = None,
) -> dict[str, str]:
    """A usable viewer token per agency (created, or found again from ``secret``): agency → token."""
    at = now or datetime.now(UTC)
    known = {j.code for j in store.jurisdictions()}
    tokens: dict[str, str] = {}
    for agency in agencies:
        if agency not in known:
            raise ConfigError(f"demo agency {agency!r} is not registered; register the demo network first")
        for generation in range(_MAX_GENERATIONS):
            secret_token = demo_token(secret, agency, generation)
            digest = token_digest(secret_token)
            found = store.token_by_digest(digest)
            if found is None:
                store.add_token(
                    ApiToken(
                        id=_token_id(agency, digest),
                        agency=agency,
                        role=Role.VIEWER.value,
                        name=f"demo dashboard ({agency})",
                        digest=digest,
                        created_at=at,
                    )
                )
                tokens[agency] = secret_token
                break
            if found.agency == agency and is_usable(found, at):
                tokens[agency] = secret_token
                break
        else:
            raise ConfigError(f"no usable demo token left for {agency}; use 'lianfang token create'")
    return tokens


def ensure_demo_agreements(store: SharedStore, *, now: datetime | None = None) -> list[Agreement]:
    """Create the two demo agreements if SC and CQ never had one; returns those created."""
    at = now or datetime.now(UTC)
    pair = set(DEMO_AGENCIES)
    if any({a.owner, a.grantee} == pair for a in store.agreements(history=True)):
        return []
    known = [j.code for j in store.jurisdictions()]
    cross_border = [
        s.mn
        for s in store.stations(jurisdiction="SC", kind=StationKind.WATER)
        if s.section_level is SectionLevel.CROSS_BORDER
    ]
    created = []
    if cross_border:
        created.append(
            create_agreement(
                store,
                owner="SC",
                grantee="CQ",
                known_agencies=known,
                now=at,
                stations=cross_border,
                resolution=DataKind.HOUR,
                purpose="演示：四川出境断面小时数据，供重庆联防预警 / demo: SC cross-border sections, hourly",
                created_by=_CREATED_BY,
            )
        )
    created.append(
        create_agreement(
            store,
            owner="CQ",
            grantee="SC",
            known_agencies=known,
            now=at,
            station_kind=StationKind.WATER,
            resolution=DataKind.HOUR,
            purpose="演示：重庆地表水断面小时数据，供川渝跨界河流联防 / demo: CQ water sections, hourly",
            created_by=_CREATED_BY,
        )
    )
    return created


def dashboard_url(host: str, port: int, token: str | None = None) -> str:
    """``http://HOST:PORT/`` with the token in the fragment (browsers never send a fragment)."""
    shown = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/" + (f"#token={token}" if token else "")
