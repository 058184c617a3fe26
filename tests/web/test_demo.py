"""Demo tokens and agreements for ``lianfang run``, in a real DuckDB file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lianfang.credentials import token_digest
from lianfang.errors import ConfigError
from lianfang.model import Jurisdiction
from lianfang.share import Caller, Role, SharedReader
from lianfang.share.agreements import revoke_agreement
from lianfang.share.tokens import authenticate
from lianfang.sim.network import demo_stations, register_demo_network
from lianfang.store.duckdb import DuckDBStore, open_store
from lianfang.web import dashboard_url, ensure_demo_agreements, ensure_demo_tokens
from lianfang.web.demo import demo_token

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
SECRET = "test-secret"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBStore]:
    s = open_store(tmp_path / "lianfang.duckdb")
    register_demo_network(s, demo_stations(12, secret=SECRET))
    yield s
    s.close()


def test_one_viewer_token_per_agency_found_again_on_restart(store: DuckDBStore) -> None:
    tokens = ensure_demo_tokens(store, SECRET, now=NOW)
    assert set(tokens) == {"SC", "CQ"}
    assert tokens["SC"] != tokens["CQ"]
    for agency, token in tokens.items():
        caller = authenticate(store, token, NOW)
        assert (caller.agency, caller.role) == (agency, Role.VIEWER)
    assert ensure_demo_tokens(store, SECRET, now=NOW + timedelta(days=1)) == tokens
    assert len(store.tokens()) == 2  # nothing added the second time
    assert all(t.digest != tokens[t.agency] for t in store.tokens())  # only digests are stored


def test_another_secret_gives_other_tokens(store: DuckDBStore) -> None:
    first = ensure_demo_tokens(store, SECRET, now=NOW)
    second = ensure_demo_tokens(store, "another", now=NOW)
    assert set(first.values()).isdisjoint(second.values())


def test_a_revoked_demo_token_is_replaced_not_revived(store: DuckDBStore) -> None:
    tokens = ensure_demo_tokens(store, SECRET, now=NOW)
    found = store.token_by_digest(token_digest(tokens["SC"]))
    assert found is not None
    store.revoke_token(found.id, NOW)
    renewed = ensure_demo_tokens(store, SECRET, now=NOW + timedelta(minutes=1))
    assert renewed["SC"] == demo_token(SECRET, "SC", 1)
    assert renewed["CQ"] == tokens["CQ"]
    assert authenticate(store, renewed["SC"], NOW + timedelta(minutes=1)).agency == "SC"


def test_unknown_agency_is_a_config_error(tmp_path: Path) -> None:
    s = open_store(tmp_path / "empty.duckdb")
    try:
        s.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
        with pytest.raises(ConfigError, match="CQ"):
            ensure_demo_tokens(s, SECRET, now=NOW)
    finally:
        s.close()


def test_demo_agreements_are_created_once_and_share_water_both_ways(store: DuckDBStore) -> None:
    created = ensure_demo_agreements(store, now=NOW)
    assert {(a.owner, a.grantee) for a in created} == {("SC", "CQ"), ("CQ", "SC")}
    reader = SharedReader(store, clock=lambda: NOW + timedelta(minutes=1))
    sc = Caller("SC", Role.VIEWER, "tk", "t")
    seen = reader.stations(sc)
    cq_seen = [s for s in seen if s.jurisdiction == "CQ"]
    assert cq_seen
    assert all(s.kind.value == "water" for s in cq_seen)
    cq = Caller("CQ", Role.VIEWER, "tk", "t")
    sc_seen = [s for s in reader.stations(cq) if s.jurisdiction == "SC"]
    assert sc_seen
    assert all(s.section_level is not None and s.section_level.value == "cross-border" for s in sc_seen)
    reader.close()
    # a revoked demo agreement stays revoked across restarts
    revoke_agreement(store, created[0].id, now=NOW + timedelta(hours=1))
    assert ensure_demo_agreements(store, now=NOW + timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/#token=lf_x"),
        ("0.0.0.0", "http://127.0.0.1:8000/#token=lf_x"),
        ("::1", "http://[::1]:8000/#token=lf_x"),
        ("demo.local", "http://demo.local:8000/#token=lf_x"),
    ],
)
def test_dashboard_url_keeps_the_token_in_the_fragment(host: str, url: str) -> None:
    assert dashboard_url(host, 8000, "lf_x") == url
    assert dashboard_url(host, 8000).endswith(":8000/")
