"""Regional summaries from station statuses (pure logic)."""

from __future__ import annotations

from datetime import datetime

from lianfang.model import BEIJING, Jurisdiction, Station, StationKind
from lianfang.web.status import AirStatus, WaterStatus
from lianfang.web.summary import region_summaries

T = datetime(2026, 6, 15, 9, 0, tzinfo=BEIJING)
JURISDICTIONS = [Jurisdiction("SC", "四川省"), Jurisdiction("CQ", "重庆市")]


def water(mn: str, j: str) -> Station:
    return Station(mn, mn, StationKind.WATER, j, simulated=True)


def air(mn: str, j: str) -> Station:
    return Station(mn, mn, StationKind.AIR, j)


def test_shares_count_only_assessed_stations_and_own_region_comes_first() -> None:
    stations = [water("C1", "CQ"), water("S1", "SC"), water("S2", "SC"), water("S3", "SC"), water("S4", "SC"),
                air("A1", "SC"), air("A2", "SC"), air("A3", "SC")]  # fmt: skip
    classes = {"S1": 2, "S2": 3, "S3": 6, "S4": 0, "C1": 4}
    water_status = {mn: WaterStatus(code, 24 if code else 0, ()) for mn, code in classes.items()}
    air_status = {
        "A1": AirStatus(45, 1, T, (), 10, 10),
        "A2": AirStatus(160, 4, T, ("PM2.5",), 10, 4),
        "A3": AirStatus(None, None, None, (), 0, 0),
    }
    sc, cq = region_summaries(stations, JURISDICTIONS, water_status, air_status, own="SC")
    assert (sc.code, sc.own, cq.code, cq.own) == ("SC", True, "CQ", False)
    body = sc.as_json()
    assert (body["stations"], body["water_stations"], body["air_stations"], body["simulated"]) == (7, 4, 3, 4)
    assert body["water"]["assessed"] == 3  # S4 has no class
    assert body["water"]["share_i_iii"] == round(2 / 3, 4)
    assert body["water"]["share_worse_v"] == round(1 / 3, 4)
    assert body["water"]["classes"] == {"1": 0, "2": 1, "3": 1, "4": 0, "5": 0, "6": 1}
    assert body["air"]["assessed"] == 2
    assert body["air"]["share_good_now"] == 0.5
    assert (body["air"]["hours_today"], body["air"]["share_good_hours_today"]) == (20, 0.7)
    cq_body = cq.as_json()
    assert cq_body["name"] == "重庆市"
    assert cq_body["water"]["share_i_iii"] == 0.0
    assert cq_body["air"]["share_good_now"] is None  # no air station: no share, not 0 %


def test_no_stations_no_regions() -> None:
    assert region_summaries([], JURISDICTIONS, {}, {}, own="SC") == []
