"""A small SC/CQ world in a real DuckDB file, with values chosen so the expected classes are known by hand.

Relative to ``now`` (hour ``H`` = the hour in progress, values are hourly period starts):

- ``SCW1`` (SC, water, simulated): for the 24 h before ``H``: pH 7.5, DO 8 (I), CODMn 3 (II), NH3-N 0.8
  (III), TP 0.1 (II) → class **III**. Noise that must not count: an NH3-N of 5.0 flagged ``M`` 5 h ago,
  an NH3-N of 9.0 26 h ago (outside the 24 h), and a real-time (rtd) NH3-N of 9.0.
- ``SCW2`` (SC, water): NH3-N 3.0 → **劣V** (GB 3838 Table 1: V ≤ 2.0), main pollutant NH3N; its
  newest TP value carries flag ``M``.
- ``SCA1`` (SC, air): SO2 5, NO2 10, CO 0.5, O3 50, PM10 40 every hour; PM2.5 120 µg/m³ (IAQI 158, level 4)
  until 5 h before ``H`` and 60 (IAQI 100 by HJ 633-2026 Table 3, level 2 "良") after → current AQI
  **100**, primary PM2.5.
- ``CQW1`` (CQ, water): pH 7, DO 7, CODMn 3.5, NH3-N 0.4, TP 0.08 → class **II**; shared with SC by
  agreement (hourly).
- ``CQW2`` (CQ, water) and ``CQA1`` (CQ, air): not shared; SC must never see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from lianfang.model import (
    BEIJING,
    DataKind,
    Jurisdiction,
    Observation,
    ObservationBatch,
    SectionLevel,
    Station,
    StationKind,
)
from lianfang.share import Role
from lianfang.share.agreements import create_agreement
from lianfang.share.tokens import issue_token
from lianfang.store.duckdb import DuckDBStore, open_store

__all__ = ["STATIONS", "World", "build_world"]

HOUR = timedelta(hours=1)

STATIONS: tuple[Station, ...] = (
    Station("SCW1", "嘉陵江武胜", StationKind.WATER, "SC", 106.30, 30.27, river="嘉陵江", river_km=905,
            section_level=SectionLevel.CROSS_BORDER, target_class=3, simulated=True),
    Station("SCW2", "嘉陵江南充", StationKind.WATER, "SC", 106.02, 30.69, river="嘉陵江", river_km=760,
            target_class=3),
    Station("SCA1", "南充高坪", StationKind.AIR, "SC", 106.10, 30.78),
    Station("CQW1", "嘉陵江合川", StationKind.WATER, "CQ", 106.28, 30.00, river="嘉陵江", river_km=1000,
            target_class=3),
    Station("CQW2", "长江寸滩", StationKind.WATER, "CQ", 106.60, 29.61, river="长江", river_km=3835),
    Station("CQA1", "重庆解放碑", StationKind.AIR, "CQ", 106.58, 29.56),
)  # fmt: skip

WATER_SC1 = {"w01001": 7.5, "w01009": 8.0, "w01019": 3.0, "w21003": 0.8, "w21011": 0.1}
WATER_SC2 = {"w01001": 7.4, "w01009": 6.5, "w01019": 4.0, "w21003": 3.0, "w21011": 0.15}
WATER_CQ1 = {"w01001": 7.0, "w01009": 7.0, "w01019": 3.5, "w21003": 0.4, "w21011": 0.08}
AIR_BASE = {"a21026": 5.0, "a21004": 10.0, "a21005": 0.5, "a05024": 50.0, "a34002": 40.0}
PM25 = "a34004"


@dataclass(frozen=True)
class World:
    path: Path
    now: datetime
    tokens: dict[str, str]  # agency -> viewer token
    latest_hour: datetime  # period start of the newest hourly values


def _hours(now: datetime, count: int) -> list[datetime]:
    top = now.replace(minute=0, second=0, microsecond=0)
    return [top - k * HOUR for k in range(count, 0, -1)]  # oldest first, newest = top - 1 h


def _observations(now: datetime) -> ObservationBatch:
    batch = ObservationBatch()

    def add(
        mn: str, param: str, time: datetime, value: float, flag: str = "N", kind: DataKind = DataKind.HOUR
    ) -> None:
        batch.append(Observation(mn, param, kind, time, value, flag))

    hours = _hours(now, 30)
    last24 = hours[-24:]
    for t in last24:
        for param, value in WATER_SC1.items():
            if param == "w21003" and t == last24[-6]:
                add("SCW1", param, t, 5.0, "M")  # flagged (maintenance): excluded from the class
            else:
                add("SCW1", param, t, value)
        for param, value in WATER_CQ1.items():
            add("CQW1", param, t, value)
            add("CQW2", param, t, value)
        for param, value in WATER_SC2.items():
            add("SCW2", param, t, value, "M" if (param == "w21011" and t == last24[-1]) else "N")
    add("SCW1", "w21003", hours[3], 9.0)  # 26 h before the newest hour: outside the window
    add("SCW1", "w21003", now - timedelta(minutes=5), 9.0, kind=DataKind.RTD)  # not an hourly value
    for k, t in enumerate(hours):
        for param, value in AIR_BASE.items():
            add("SCA1", param, t, value)
            add("CQA1", param, t, value)
        add("SCA1", PM25, t, 120.0 if k < len(hours) - 5 else 60.0)
        add("CQA1", PM25, t, 30.0)
    return batch


def build_world(data: Path, now: datetime) -> World:
    """Create ``data/lianfang.duckdb`` with the stations, values, a viewer token per agency and the
    agreement CQ → SC for ``CQW1`` (hourly, no delay)."""
    data.mkdir(parents=True, exist_ok=True)
    path = data / "lianfang.duckdb"
    store: DuckDBStore = open_store(path)
    try:
        for jurisdiction in (Jurisdiction("SC", "四川省"), Jurisdiction("CQ", "重庆市")):
            store.upsert_jurisdiction(jurisdiction)
        store.upsert_stations(list(STATIONS))
        store.write_observations(_observations(now))
        tokens = {}
        for agency in ("SC", "CQ"):
            _, secret = issue_token(
                store,
                agency=agency,
                role=Role.VIEWER,
                known_agencies=["SC", "CQ"],
                now=now - HOUR,
                name="test",
            )
            tokens[agency] = secret
        create_agreement(
            store,
            owner="CQ",
            grantee="SC",
            known_agencies=["SC", "CQ"],
            now=now - 48 * HOUR,
            stations=["CQW1"],
            resolution=DataKind.HOUR,
            purpose="test: Jialing downstream section",
        )
    finally:
        store.close()
    latest = now.astimezone(BEIJING).replace(minute=0, second=0, microsecond=0) - HOUR
    return World(path=path, now=now, tokens=tokens, latest_hour=latest)
