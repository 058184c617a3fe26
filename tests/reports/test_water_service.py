"""Water assessments over a real DuckDB store: designed sections with known classes, grades and
shares; exclusions (flags, period minimums), unit conversion at the edge, the data-kind choice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from lianfang.model import BEIJING, DataKind, Jurisdiction, Station, StationKind
from lianfang.reports.records import jurisdiction_rows, river_rows, section_rows
from lianfang.reports.scope import DayRange
from lianfang.reports.water_service import assess_water
from lianfang.store import open_store
from lianfang.store.duckdb import DuckDBStore
from tests.reports.fixture_store import FLAGGED_SECTION, SECTIONS

STATIONS = [s.station for s in SECTIONS]


@pytest.fixture
def store(generated_data: Path) -> Iterator[DuckDBStore]:
    opened = open_store(generated_data / "lianfang.duckdb", read_only=True)
    yield opened
    opened.close()


@pytest.mark.parametrize("days", [DayRange.month(2025, 1), DayRange.year(2025)])
def test_section_classes(store: DuckDBStore, days: DayRange) -> None:
    result = assess_water(store, STATIONS, days)
    assert result.period == ("year" if days.is_year else "month")
    got = dict(zip(result.sections["mn"], result.sections["label"], strict=True))
    assert got == {s.station.mn: s.expected for s in SECTIONS}
    rows = {r["mn"]: r for r in section_rows(result)}
    assert rows["W-JL-6"]["main_pollutants"] == "NH3N(1.3)、TP(0.6)"
    assert rows["W-JL-6"]["meets_target"] is False
    assert rows["W-JL-1"]["meets_target"] is True
    assert rows["W-CS-1"]["water_body"] == "lake"
    # NH3-N 99 flagged D at 08:00 each day: excluded (W-JL-1 stays class II) and counted
    flagged = 31 if days.is_month else 365
    assert result.exclusions.by_reason() == {"flag D": flagged}
    assert result.exclusions.by_station() == {FLAGGED_SECTION: flagged}
    assert result.unassessed == {"w01014": len(SECTIONS) * days.n_days * 6}
    assert result.unclassed == ()
    assert result.simulated  # the lake is a simulated section


def test_river_grades_and_jurisdiction_shares(store: DuckDBStore) -> None:
    result = assess_water(store, STATIONS, DayRange.month(2025, 1))
    rivers = {r["river"]: r for r in river_rows(result)}
    assert rivers["嘉陵江"] == {
        "river": "嘉陵江",
        "water_body": "river",
        "period": "2025-01",
        "status": "轻度污染",
        "method": "proportion",
        "n_sections": 6,
        "share_I_III": 66.7,
        "share_worse_than_V": 16.7,
        "mean_class": None,
        "note": None,
    }
    assert (rivers["渠江"]["method"], rivers["渠江"]["mean_class"], rivers["渠江"]["status"]) == (
        "mean",
        "III",
        "良好",
    )
    assert (rivers["长寿湖"]["water_body"], rivers["长寿湖"]["mean_class"]) == ("lake", "III")
    shares = {r["jurisdiction"]: r for r in jurisdiction_rows(result)}
    assert shares["CQ"]["classes"] == {"I": 0, "II": 0, "III": 2, "IV": 2, "V": 0, "劣V": 1}
    assert (shares["CQ"]["share_I_III"], shares["CQ"]["share_worse_than_V"], shares["CQ"]["status"]) == (
        40.0,
        20.0,
        "中度污染",
    )
    assert (shares["SC"]["n_sections"], shares["SC"]["share_I_III"], shares["SC"]["method"]) == (
        4,
        100.0,
        "mean",
    )


def test_quarter_minimum_counts_exclusions(data_dir: Path) -> None:
    """A quarter needs 2 samples (环办[2011]22号): one sample gives no class and is counted."""
    station = Station("LAB-1", "lab section", StationKind.WATER, "TT", river="测试河", target_class=3)
    times = [
        pd.Timestamp("2025-02-10 09:00", tz=BEIJING),
        pd.Timestamp("2025-05-10 09:00", tz=BEIJING),
        pd.Timestamp("2025-06-10 09:00", tz=BEIJING),
    ]
    rows = pd.DataFrame(
        {
            "mn": "LAB-1",
            "param": "NH3N",
            "kind": "rtd",
            "time": pd.to_datetime(times, utc=True),
            "value": [0.4, 1.2, 1.0],
            "flag": "N",
        }
    )
    store = open_store(data_dir / "lianfang.duckdb")
    try:
        store.upsert_jurisdiction(Jurisdiction("TT", "test"))
        store.upsert_stations([station])
        store.write_observation_table(pa.Table.from_pandas(rows, preserve_index=False))
        result = assess_water(store, [station], DayRange.year(2025), period="quarter")
    finally:
        store.close()
    assert result.kinds == {"LAB-1": "rtd"}  # lab samples: nothing coarser stored
    assert list(result.sections["label"]) == ["IV"]  # Q2: (1.2 + 1.0) / 2 = 1.1 mg/L
    assert [r["period"] for r in section_rows(result)] == ["2025Q2"]
    assert result.exclusions.by_reason() == {"too few values for the period": 1}


def test_year_needs_eight_months_and_kind_preference(data_dir: Path) -> None:
    station = Station("AUTO-1", "auto", StationKind.WATER, "TT", river="测试河")
    months = pd.date_range(pd.Timestamp("2025-01-15", tz=BEIJING), periods=7, freq="MS") + pd.Timedelta(
        days=14
    )
    hourly = pd.DataFrame(
        {"mn": "AUTO-1", "param": "w21003", "kind": "hour", "time": months, "value": 0.3, "flag": "N"}
    )
    rtd = hourly.assign(kind="rtd", value=5.0)  # the logger's real-time values: not pooled with hour data
    store = open_store(data_dir / "lianfang.duckdb")
    try:
        store.upsert_jurisdiction(Jurisdiction("TT", "test"))
        store.upsert_stations([station])
        for rows in (hourly, rtd):
            rows = rows.assign(time=pd.to_datetime(rows["time"], utc=True))
            store.write_observation_table(pa.Table.from_pandas(rows, preserve_index=False))
        year = assess_water(store, [station], DayRange.year(2025))
        month = assess_water(store, [station], DayRange.month(2025, 2))
        forced = assess_water(store, [station], DayRange.month(2025, 2), kind=DataKind.RTD)
    finally:
        store.close()
    assert year.sections.empty
    assert [s.mn for s in year.unclassed] == ["AUTO-1"]
    assert year.exclusions.by_reason() == {"too few values for the period": 7}  # 7 months < 8
    assert month.kinds == {"AUTO-1": "hour"}
    assert list(month.sections["label"]) == ["II"]
    assert list(forced.sections["label"]) == ["劣V"]


def test_months_of_a_range_are_clipped(store: DuckDBStore) -> None:
    result = assess_water(store, STATIONS[:1], DayRange(date(2025, 1, 20), date(2025, 2, 5)))
    assert [r["period"] for r in section_rows(result)] == ["2025-01", "2025-02"]
