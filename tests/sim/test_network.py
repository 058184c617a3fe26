"""The demo network: identities, rivers, registration in a real DuckDB store."""

from __future__ import annotations

import os
import re
import stat
from collections import Counter
from pathlib import Path

import pytest

from lianfang.credentials import verify_secret
from lianfang.model import SectionLevel, StationKind
from lianfang.sim.network import (
    DEMO_SECRET,
    demo_password,
    demo_rivers,
    demo_stations,
    load_or_create_demo_secret,
    register_demo_network,
)
from lianfang.store import open_store


def test_stations_have_unique_24_hex_mns_and_6_digit_passwords() -> None:
    pairs = demo_stations()
    assert len(pairs) >= 30
    mns = [s.mn for s, _ in pairs]
    assert len(set(mns)) == len(mns)
    assert all(re.fullmatch(r"[0-9A-F]{24}", mn) for mn in mns)
    assert all(re.fullmatch(r"\d{6}", pw) for _, pw in pairs)
    assert all(s.simulated for s, _ in pairs)
    groups = Counter((s.jurisdiction, s.kind) for s, _ in pairs)
    for jurisdiction in ("SC", "CQ"):
        assert groups[(jurisdiction, StationKind.WATER)] >= 8
        assert groups[(jurisdiction, StationKind.AIR)] >= 5


def test_passwords_follow_the_secret() -> None:
    mn = demo_stations(1)[0][0].mn
    assert demo_password(DEMO_SECRET, mn) == demo_stations(1)[0][1]
    assert demo_password("another", mn) == demo_stations(1, secret="another")[0][1]
    assert demo_password("another", mn) != demo_password(DEMO_SECRET, mn)


def test_water_sections_sit_on_known_rivers_with_a_downstream_order() -> None:
    rivers = {r.name: r for r in demo_rivers()}
    water = [s for s, _ in demo_stations() if s.kind is StationKind.WATER]
    for s in water:
        assert s.river in rivers
        assert s.river_km is not None
        assert 0 <= s.river_km <= rivers[s.river].length_km
        assert s.target_class in {1, 2, 3, 4, 5}
        assert s.section_level is not None
    for r in rivers.values():
        assert r.joins is None or (r.joins in rivers and r.joins_at_km is not None)
    # the Jialing flows from Sichuan into Chongqing: every SC section lies upstream of every CQ one
    jialing = sorted((s for s in water if s.river == "嘉陵江"), key=lambda s: s.river_km or 0)
    kinds = [s.jurisdiction for s in jialing]
    assert kinds == sorted(kinds, key=lambda j: j != "SC")
    # and the Laixi flows the other way, from Chongqing into Sichuan
    laixi = sorted((s for s in water if s.river == "濑溪河"), key=lambda s: s.river_km or 0)
    assert laixi[0].jurisdiction == "CQ"
    assert laixi[-1].jurisdiction == "SC"
    # cross-border sections exist on both sides
    assert {s.jurisdiction for s in water if s.section_level is SectionLevel.CROSS_BORDER} == {"SC", "CQ"}


@pytest.mark.parametrize("n", [1, 4, 7, 1000])
def test_a_subset_is_balanced(n: int) -> None:
    pairs = demo_stations(n)
    assert len(pairs) == min(n, len(demo_stations()))
    groups = Counter((s.jurisdiction, s.kind) for s, _ in pairs)
    assert max(groups.values()) - min(groups.values()) <= (1 if n < 30 else 100)
    if n >= 4:
        assert len(groups) == 4
    with pytest.raises(ValueError, match="at least 1"):
        demo_stations(0)


def test_register_demo_network_in_a_duckdb_store(data_dir: Path) -> None:
    pairs = demo_stations(5)
    with open_store(data_dir / "lianfang.duckdb") as store:
        assert register_demo_network(store, pairs) == 5
        assert {j.code for j in store.jurisdictions()} >= {"SC", "CQ"}
        stored = store.station(pairs[0][0].mn)
        assert stored is not None
        assert stored.simulated
        assert stored.river == pairs[0][0].river
        assert verify_secret(pairs[0][1], stored.password_hash)
        first_hash = stored.password_hash
        register_demo_network(store, pairs)  # idempotent: the verified hash is kept
        again = store.station(pairs[0][0].mn)
        assert again is not None
        assert again.password_hash == first_hash
        register_demo_network(store, demo_stations(5, secret="changed"))  # a new secret re-hashes
        changed = store.station(pairs[0][0].mn)
        assert changed is not None
        assert verify_secret(demo_stations(5, secret="changed")[0][1], changed.password_hash)
        assert len(store.stations()) == 5


def test_demo_secret_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "demo-secret"
    secret = load_or_create_demo_secret(path)
    assert len(secret) >= 24
    assert load_or_create_demo_secret(path) == secret
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
