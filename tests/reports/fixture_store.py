"""A small generated store with designed values, so that the assessments have known answers.

Air (year 2025, hourly, kind ``hour``), jurisdiction SC assessed as a city of two stations:

* ``SC-AIR-1``: PM2.5 30, ``SC-AIR-2``: PM2.5 50 µg/m³ every hour → city 40 (IAQI 57, 良);
  PM10 = 1.5 × PM2.5, SO2 10, NO2 30, CO 0.8 mg/m³, O3 80 µg/m³ at both.
* 2025-01-05 … 01-14 (10 days): PM2.5 300 at both → AQI 350, 严重污染 (heavy or worse).
* 2025-03-01: every value of SC-AIR-1 flagged ``M`` (144 values) → the city is SC-AIR-2 alone that
  day: PM2.5 50 (IAQI 69).
* 2025-06-10 00:00–05:00: SC-AIR-2 sends nothing (18 h left: that station-day is not valid).
* ``CQ-AIR-1`` (simulated): PM2.5 20 only in January 2025, O3 and the rest as above.

Water (2025, every 4 h, kind ``hour``, items in mg/L unless noted): see :data:`SECTIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from lianfang.model import BEIJING, Jurisdiction, Station, StationKind, WaterBody
from lianfang.store import open_store

__all__ = [
    "AIR_STATIONS",
    "FLAGGED_SECTION",
    "SECTIONS",
    "YEAR",
    "WaterSection",
    "build_store",
    "shared_store",
]

YEAR = 2025
AIR_STATIONS = (
    Station("SC-AIR-1", "成都 测试一", StationKind.AIR, "SC", 104.06, 30.67),
    Station("SC-AIR-2", "成都 测试二", StationKind.AIR, "SC", 104.10, 30.60),
    Station("CQ-AIR-1", "重庆 模拟", StationKind.AIR, "CQ", 106.55, 29.56, simulated=True),
)


@dataclass(frozen=True)
class WaterSection:
    station: Station
    values: dict[str, float]  # HJ 212 code -> value in the stored unit
    expected: str  # class of its monthly and annual means


def _section(
    mn: str,
    name: str,
    jur: str,
    river: str,
    target: int,
    values: dict[str, float],
    expected: str,
    body: WaterBody = WaterBody.RIVER,
    simulated: bool = False,
) -> WaterSection:
    station = Station(
        mn,
        name,
        StationKind.WATER,
        jur,
        106.0,
        30.0,
        river=river,
        target_class=target,
        water_body=body,
        simulated=simulated,
    )
    return WaterSection(station, values, expected)


_BASE = {"w01001": 7.5, "w01009": 8.0, "w01019": 1.5, "w01010": 18.0, "w01014": 320.0}
#: NH3-N (w21003) and TP (w21011) set the classes; pH, DO and CODMn stay class I.
SECTIONS = (
    _section("W-JL-1", "嘉陵江一", "SC", "嘉陵江", 2, {**_BASE, "w21003": 0.4, "w21011": 0.05}, "II"),
    _section("W-JL-2", "嘉陵江二", "SC", "嘉陵江", 2, {**_BASE, "w21003": 0.3, "w21011": 0.08}, "II"),
    _section("W-JL-3", "嘉陵江三", "SC", "嘉陵江", 3, {**_BASE, "w21003": 0.9, "w21011": 0.15}, "III"),
    # Pb 30 µg/L (HJ 212 default unit) = 0.03 mg/L: class III, not 劣V
    _section("W-JL-4", "嘉陵江四", "CQ", "嘉陵江", 3, {**_BASE, "w21003": 0.8, "w20120": 30.0}, "III"),
    _section("W-JL-5", "嘉陵江五", "CQ", "嘉陵江", 3, {**_BASE, "w21003": 1.2, "w21011": 0.1}, "IV"),
    _section("W-JL-6", "嘉陵江六", "CQ", "嘉陵江", 3, {**_BASE, "w21003": 2.3, "w21011": 0.32}, "劣V"),
    _section("W-QJ-1", "渠江一", "SC", "渠江", 3, {**_BASE, "w21003": 0.6, "w21011": 0.12}, "III"),
    _section("W-QJ-2", "渠江二", "CQ", "渠江", 3, {**_BASE, "w21003": 1.4, "w21011": 0.18}, "IV"),
    # TP 0.04: lake class III (0.025 < 0.04 ≤ 0.05); as a river it would be II
    _section(
        "W-CS-1",
        "长寿湖",
        "CQ",
        "长寿湖",
        3,
        {**_BASE, "w21003": 0.2, "w21011": 0.04},
        "III",
        body=WaterBody.LAKE,
        simulated=True,
    ),
)
#: W-JL-1 reports NH3-N 99 flagged D (fault) every day at 08:00 in 2025 (365 values), excluded.
FLAGGED_SECTION = "W-JL-1"


def _hours(start: date, n_days: int, step: int = 1) -> pd.DatetimeIndex:
    first = pd.Timestamp(datetime(start.year, start.month, start.day, tzinfo=BEIJING))
    return pd.date_range(first, periods=n_days * 24 // step, freq=f"{step}h")


def _air_rows() -> pd.DataFrame:
    times = _hours(date(YEAR, 1, 1), 365)
    local = times.tz_convert(BEIJING)
    day = local.normalize()
    heavy = (day >= pd.Timestamp("2025-01-05", tz=BEIJING)) & (day <= pd.Timestamp("2025-01-14", tz=BEIJING))
    frames = []
    for station, pm25 in (("SC-AIR-1", 30.0), ("SC-AIR-2", 50.0), ("CQ-AIR-1", 20.0)):
        pm = np.where(heavy, 300.0, pm25)
        series = {
            "a34004": pm,
            "a34002": 1.5 * pm,
            "a21026": 10.0,
            "a21004": 30.0,
            "a21005": 0.8,
            "a05024": 80.0,
        }
        keep = np.ones(len(times), dtype=bool)
        if station == "SC-AIR-2":
            keep &= ~((day == pd.Timestamp("2025-06-10", tz=BEIJING)) & (local.hour < 6))
        if station == "CQ-AIR-1":
            keep &= local.month == 1
        flag = np.where((station == "SC-AIR-1") & (day == pd.Timestamp("2025-03-01", tz=BEIJING)), "M", "N")
        for code, value in series.items():
            frames.append(
                pd.DataFrame(
                    {
                        "mn": station,
                        "param": code,
                        "kind": "hour",
                        "time": times,
                        "value": np.broadcast_to(value, len(times)).astype(float),
                        "flag": flag,
                    }
                )[keep]
            )
    return pd.concat(frames, ignore_index=True)


def _water_rows() -> pd.DataFrame:
    times = _hours(date(YEAR, 1, 1), 365, step=4)
    frames = []
    for section in SECTIONS:
        for code, value in section.values.items():
            frames.append(
                pd.DataFrame(
                    {
                        "mn": section.station.mn,
                        "param": code,
                        "kind": "hour",
                        "time": times,
                        "value": value,
                        "flag": "N",
                    }
                )
            )
    flagged_times = times[times.tz_convert(BEIJING).hour == 8]
    frames.append(
        pd.DataFrame(
            {
                "mn": FLAGGED_SECTION,
                "param": "w21003",
                "kind": "hour",
                "time": flagged_times,
                "value": 99.0,
                "flag": "D",
            }
        )
    )
    rows = pd.concat(frames, ignore_index=True)
    # The flagged row replaces the normal one at 08:00 (same key): drop the normal duplicates.
    return rows.drop_duplicates(subset=["mn", "param", "kind", "time"], keep="last")


def build_store(data_dir: Path) -> Path:
    """Write the jurisdictions, stations and observations above into ``data_dir/lianfang.duckdb``."""
    path = data_dir / "lianfang.duckdb"
    store = open_store(path)
    try:
        for jur in (Jurisdiction("SC", "四川省"), Jurisdiction("CQ", "重庆市")):
            store.upsert_jurisdiction(jur)
        store.upsert_stations([*AIR_STATIONS, *(s.station for s in SECTIONS)])
        for rows in (_air_rows(), _water_rows()):
            rows["time"] = pd.to_datetime(rows["time"], utc=True)
            store.write_observation_table(pa.Table.from_pandas(rows, preserve_index=False))
    finally:
        store.close()
    return path


_BUILT: dict[Path, Path] = {}


def shared_store(factory: pytest.TempPathFactory) -> Path:
    """The generated data directory, built once per test session (tests only read it)."""
    base = factory.getbasetemp()
    if base not in _BUILT:
        data = factory.mktemp("generated") / "data"
        data.mkdir()
        build_store(data)
        _BUILT[base] = data
    return _BUILT[base]
