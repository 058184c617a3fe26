"""``GET /api/v1/dashboard/overview`` over a real DuckDB file: classes, AQI, summary, sharing, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lianfang.api.app import create_app
from lianfang.api.auth import shared_reader_of
from lianfang.model import BEIJING
from lianfang.store.duckdb import DuckDBStore, open_store
from tests.web.world import World, build_world

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=BEIJING)
PATH = "/api/v1/dashboard/overview"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("overview") / "data", NOW)


@pytest.fixture(scope="module")
def store(world: World) -> Iterator[DuckDBStore]:
    s = open_store(world.path)
    yield s
    s.close()


@pytest.fixture
def client(store: DuckDBStore) -> Iterator[TestClient]:
    app = create_app(store=store, clock=lambda: NOW)
    with TestClient(app) as c:
        yield c
    reader = shared_reader_of(app)
    assert reader is not None
    reader.close()


def _overview(client: TestClient, token: str) -> dict[str, Any]:
    response = client.get(PATH, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["ok"] is True
    return body["data"]


def _by_mn(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["mn"]: s for s in data["stations"]}


def test_sc_sees_own_stations_and_the_shared_one_only(client: TestClient, world: World) -> None:
    data = _overview(client, world.tokens["SC"])
    stations = _by_mn(data)
    assert set(stations) == {"SCW1", "SCW2", "SCA1", "CQW1"}
    assert data["caller"]["agency"] == "SC"
    assert data["caller"]["agency_name"] == "四川省"
    assert data["caller"]["role"] == "viewer"
    assert stations["SCW1"]["own"] is True
    assert stations["SCW1"]["agreements"] == []
    assert stations["CQW1"]["own"] is False
    [received] = data["agreements"]["received"]
    assert stations["CQW1"]["agreements"] == [received["id"]]
    assert received["owner"] == "CQ"
    assert received["grantee"] == "SC"
    assert received["visible_stations"] == 1
    assert data["agreements"]["granted"] == []
    assert stations["SCW1"]["simulated"] is True
    assert stations["SCW2"]["simulated"] is False


def test_cq_sees_what_it_grants(client: TestClient, world: World) -> None:
    data = _overview(client, world.tokens["CQ"])
    assert set(_by_mn(data)) == {"CQW1", "CQW2", "CQA1"}
    assert data["agreements"]["received"] == []
    [granted] = data["agreements"]["granted"]
    assert granted["stations"] == ["CQW1"]
    assert granted["resolution"] == "hour"


def test_water_classes_use_valid_hourly_values_of_the_last_24_hours(client: TestClient, world: World) -> None:
    stations = _by_mn(_overview(client, world.tokens["SC"]))
    w1 = stations["SCW1"]["water"]
    # NH3-N 0.8 (class III); the flagged 5.0, the 9.0 of 26 h ago and the rtd 9.0 do not count
    assert (w1["class"], w1["label"], w1["status"], w1["colour"]) == (3, "III", "良好", "green")
    assert w1["main_pollutants"] == []
    assert w1["hours"] == 24
    w2 = stations["SCW2"]["water"]
    assert (w2["class"], w2["label"]) == (6, "劣V")
    assert w2["main_pollutants"] == ["NH3N"]
    assert stations["CQW1"]["water"]["label"] == "II"
    assert stations["SCA1"]["water"] is None


def test_air_station_shows_its_newest_hourly_aqi(client: TestClient, world: World) -> None:
    air = _by_mn(_overview(client, world.tokens["SC"]))["SCA1"]["air"]
    # HJ 633-2026 hourly PM2.5 on the daily breakpoints (Table 3): 60 µg/m³ is IAQI 100, level 2 (良)
    assert air["aqi"] == 100
    assert air["level"] == 2
    assert air["category_zh"] == "良"
    assert air["colour"] == "#FFFF00"
    assert air["primary"] == ["PM2.5"]
    assert air["time"] == "2026-06-15T09:00:00+08:00"
    # today 00:00–09:00 Beijing: 120 µg/m³ (IAQI 158) until 04:00, 60 from 05:00
    assert air["hours_today"] == 10
    assert air["good_hours_today"] == 5


def test_regional_summary(client: TestClient, world: World) -> None:
    summary = {r["code"]: r for r in _overview(client, world.tokens["SC"])["summary"]}
    assert list(summary) == ["SC", "CQ"]  # own jurisdiction first
    sc, cq = summary["SC"], summary["CQ"]
    assert (sc["own"], cq["own"]) == (True, False)
    assert (sc["stations"], sc["water_stations"], sc["air_stations"], sc["simulated"]) == (3, 2, 1, 1)
    assert sc["water"]["assessed"] == 2
    assert sc["water"]["classes"]["3"] == 1
    assert sc["water"]["classes"]["6"] == 1
    assert sc["water"]["share_i_iii"] == 0.5
    assert sc["water"]["share_worse_v"] == 0.5
    assert sc["air"]["levels"]["2"] == 1
    assert sc["air"]["share_good_now"] == 1.0
    assert sc["air"]["share_good_hours_today"] == 0.5
    assert cq["stations"] == 1  # only the shared section: CQ's others stay invisible in the summary too
    assert cq["water"]["share_i_iii"] == 1.0
    assert cq["air"]["share_good_now"] is None


def test_legends_catalogue_and_no_warning_module(client: TestClient, world: World) -> None:
    data = _overview(client, world.tokens["SC"])
    assert [c["label"] for c in data["legend"]["water"]] == ["I", "II", "III", "IV", "V", "劣V"]
    assert [lv["level"] for lv in data["legend"]["aqi"]] == [1, 2, 3, 4, 5, 6]
    nh3 = data["parameters"]["w21003"]
    assert (nh3["zh"], nh3["unit"], nh3["class_iii"], nh3["short_en"]) == ("氨氮", "mg/L", 1.0, "NH3-N")
    assert data["parameters"]["w01009"]["class_iii_min"] == 5
    assert data["parameters"]["w01001"]["range"] == [6.0, 9.0]
    assert data["rivers"]["嘉陵江"] == "Jialing"
    assert data["alerts"] is None  # no /api/v1/alerts route yet: the panel says no rules are configured
    assert data["now"] == "2026-06-15T10:30:00+08:00"


def test_reads_across_the_border_are_audited_as_dashboard(
    client: TestClient, store: DuckDBStore, world: World
) -> None:
    _overview(client, world.tokens["SC"])
    _overview(client, world.tokens["CQ"])  # own data only: not audited
    reader = shared_reader_of(client.app)  # type: ignore[arg-type]
    assert reader is not None
    reader.flush_audit()
    entries = store.audit_entries(agency="SC")
    assert entries, "a read of CQ's data through the dashboard must be audited"
    assert {(e.reader, e.owner, e.via) for e in entries} == {("SC", "CQ", "dashboard")}
    assert sum(e.values for e in entries) > 0


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
def test_needs_a_valid_token(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get(PATH, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
