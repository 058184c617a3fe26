"""Tokens of an agency over a real DuckDB store: one agency's admin reaches only its own tokens, and
a revoked token fails on the very next authentication."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from lianfang.errors import AuthError, NotFoundError
from lianfang.share import Role
from lianfang.share.tokens import (
    agency_token,
    authenticate,
    issue_token,
    revoke_agency_token,
    token_status,
)
from lianfang.store.duckdb import DuckDBStore, open_store
from tests.share.network import AGENCIES, Network, populate


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[DuckDBStore, Network]]:
    store = open_store(tmp_path / "lianfang.duckdb")
    net = populate(store)
    yield store, net
    store.close()


def test_revoking_an_own_token_stops_it_at_once(world: tuple[DuckDBStore, Network]) -> None:
    store, net = world
    now = net.anchor + timedelta(minutes=1)
    record, secret = issue_token(store, agency="SC", role=Role.ANALYST, known_agencies=AGENCIES, now=now)
    assert authenticate(store, secret, now).token_id == record.id
    assert token_status(record, now) == "active"
    revoked = revoke_agency_token(store, agency="SC", token_id=record.id, now=now)
    assert revoked.revoked_at == now
    assert token_status(revoked, now) == "revoked"
    with pytest.raises(AuthError):
        authenticate(store, secret, now)
    again = revoke_agency_token(store, agency="SC", token_id=record.id, now=now + timedelta(hours=1))
    assert again.revoked_at == now  # revoking twice keeps the first time


def test_another_agencys_token_is_not_found_like_an_unknown_one(world: tuple[DuckDBStore, Network]) -> None:
    store, net = world
    now = net.anchor + timedelta(minutes=1)
    record, secret = issue_token(store, agency="CQ", role=Role.VIEWER, known_agencies=AGENCIES, now=now)
    messages = []
    for token_id in (record.id, "tk_00000000"):
        with pytest.raises(NotFoundError) as missing:
            revoke_agency_token(store, agency="SC", token_id=token_id, now=now)
        messages.append(missing.value.message.replace(token_id, "ID"))
    assert messages == ["no token 'ID'", "no token 'ID'"]
    assert authenticate(store, secret, now).agency == "CQ"  # untouched
    assert agency_token(store, "CQ", record.id) == record


def test_an_expired_token_has_its_status(world: tuple[DuckDBStore, Network]) -> None:
    store, net = world
    (expired,) = [t for t in store.tokens(agency="CQ") if t.id == "tk_expired"]
    assert token_status(expired, net.anchor) == "expired"
