"""Station status from hourly tables (pure logic: Arrow tables in, classes and AQI out)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from lianfang.model import BEIJING, Station, StationKind, WaterBody
from lianfang.store.base import OBSERVATION_SCHEMA
from lianfang.web.status import air_status, hour_floor, water_status

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=BEIJING)
TOP = hour_floor(NOW)
HOUR = timedelta(hours=1)

RIVER = Station("R", "river", StationKind.WATER, "SC")
LAKE = Station("L", "lake", StationKind.WATER, "SC", water_body=WaterBody.LAKE)
AIR = Station("A", "air", StationKind.AIR, "SC")

Row = tuple[str, str, datetime, float | None, str]


def table(rows: list[Row], kind: str = "hour") -> pa.Table:
    return pa.table(
        {
            "mn": [r[0] for r in rows],
            "param": [r[1] for r in rows],
            "kind": [kind] * len(rows),
            "time": [r[2] for r in rows],
            "value": [r[3] for r in rows],
            "flag": [r[4] for r in rows],
        },
        schema=OBSERVATION_SCHEMA,
    )


def hours_back(n: int) -> list[datetime]:
    return [TOP - k * HOUR for k in range(1, n + 1)]


def test_hour_floor_is_the_same_in_utc_and_beijing() -> None:
    assert hour_floor(NOW) == datetime(2026, 6, 15, 10, 0, tzinfo=BEIJING)


def test_mean_of_24_whole_hours_decides_the_class() -> None:
    # NH3-N alternating 1.2 and 0.6: mean 0.9 → class III, though half the hours are class IV
    rows: list[Row] = [("R", "w21003", t, 1.2 if i % 2 else 0.6, "N") for i, t in enumerate(hours_back(24))]
    rows.append(("R", "w21003", TOP, 9.0, "N"))  # the hour in progress: not a whole hour yet
    rows.append(("R", "w21003", TOP - 25 * HOUR, 9.0, "N"))  # before the window
    status = water_status(table(rows), [RIVER], NOW)["R"]
    assert (status.code, status.hours) == (3, 24)


def test_flagged_and_unclassed_parameters_are_ignored() -> None:
    rows: list[Row] = [("R", "w21003", t, 0.4, "N") for t in hours_back(3)]
    rows.append(("R", "w21003", TOP - 4 * HOUR, 6.0, "D"))  # instrument fault
    rows.append(("R", "w01014", TOP - HOUR, 900.0, "N"))  # conductivity: GB 3838 has no class for it
    status = water_status(table(rows), [RIVER], NOW)["R"]
    assert status.code == 2
    assert status.hours == 3


def test_lake_sections_use_the_lake_tp_limits() -> None:
    # TP 0.04 mg/L: class II in rivers (≤ 0.1), class III in lakes (0.025 < 0.04 ≤ 0.05)
    rows: list[Row] = [(mn, "w21011", t, 0.04, "N") for mn in ("R", "L") for t in hours_back(2)]
    status = water_status(table(rows), [RIVER, LAKE], NOW)
    assert (status["R"].code, status["L"].code) == (2, 3)


def test_worse_than_class_iii_names_main_pollutants() -> None:
    rows: list[Row] = [("R", "w21003", TOP - HOUR, 1.8, "N"), ("R", "w21011", TOP - HOUR, 0.5, "N")]
    status = water_status(table(rows), [RIVER], NOW)["R"]
    assert status.code == 6  # TP 0.5 > 0.4 (V)
    assert status.main_pollutants == ("TP", "NH3N")
    assert status.as_json()["label"] == "劣V"


def test_no_values_no_class() -> None:
    status = water_status(table([]), [RIVER], NOW)["R"]
    assert (status.code, status.hours) == (0, 0)
    assert status.as_json()["label"] is None


AIR_ITEMS = {"a21026": 5.0, "a21004": 10.0, "a21005": 0.4, "a05024": 40.0, "a34002": 30.0}


def air_rows(t: datetime, pm25: float, skip: str = "") -> list[Row]:
    rows: list[Row] = [("A", p, t, v, "N") for p, v in AIR_ITEMS.items() if p != skip]
    rows.append(("A", "a34004", t, pm25, "N"))
    return rows


def test_newest_published_hour_and_todays_good_hours() -> None:
    rows: list[Row] = []
    for t in hours_back(12):  # 22:30 yesterday … 09:00 today
        rows += air_rows(t, 80.0 if t.astimezone(BEIJING).hour < 3 else 20.0)
    status = air_status(table(rows), [AIR], NOW)["A"]
    assert status.time == TOP - HOUR
    # HJ 633-2026 Table 3: PM10 30 → IAQI 30, PM2.5 20 → 29 (28.6 ceil), O3 40 → 13, NO2 10 → 5, …
    assert status.aqi == 30
    assert status.level == 1
    assert status.primary == ()  # AQI ≤ 50: no primary pollutant (HJ 633 §4.4.2 / 2026 §4.3.1)
    # today 00:00–09:00 = 10 hours; PM2.5 80 at 00–02 h → IAQI 119 (> 100, not good)
    assert (status.hours_today, status.good_hours_today) == (10, 7)


def test_missing_pollutant_hides_an_aqi_at_or_below_100() -> None:
    # HJ 633-2026 §5.3: with an item missing, the AQI is published only above 100
    rows = air_rows(TOP - HOUR, 20.0, skip="a21005") + air_rows(TOP - 2 * HOUR, 20.0)
    status = air_status(table(rows), [AIR], NOW)["A"]
    assert status.time == TOP - 2 * HOUR
    polluted = air_status(table(air_rows(TOP - HOUR, 200.0, skip="a21005")), [AIR], NOW)["A"]
    assert polluted.time == TOP - HOUR
    assert polluted.aqi is not None
    assert polluted.aqi > 100
    assert polluted.primary == ("PM2.5",)


def test_station_without_values() -> None:
    status = air_status(table([]), [AIR], NOW)["A"]
    assert (status.aqi, status.level, status.time, status.hours_today) == (None, None, None, 0)
    assert status.as_json()["colour"] is None


def test_metals_in_micrograms_and_impossible_values() -> None:
    # Pb (w20120) arrives in µg/L (HJ 212 table unit): 30 µg/L = 0.03 mg/L → class III (0.01 < x ≤ 0.05)
    rows: list[Row] = [("R", "w20120", TOP - HOUR, 30.0, "N")]
    rows.append(("R", "w21003", TOP - HOUR, -0.2, "N"))  # a negative concentration cannot be
    rows.append(("R", "w01001", TOP - HOUR, 15.0, "N"))  # nor a pH above 14
    status = water_status(table(rows), [RIVER], NOW)["R"]
    assert status.code == 3
