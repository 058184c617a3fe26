"""Air assessments over a real DuckDB store: designed values with known answers, and a differential
check of the store round trip against the engine run on the original cube."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from lianfang.assess.air_daily import POLLUTANTS, city_daily, daily_air
from lianfang.assess.aqi_tables import Indicator
from lianfang.assess.editions import AqiEdition
from lianfang.errors import InputError
from lianfang.model import BEIJING, Jurisdiction, Station, StationKind
from lianfang.reports.air_service import air_days, evaluate_air_days
from lianfang.reports.reading import AIR_CODES
from lianfang.reports.scope import DayRange
from lianfang.store import open_store
from lianfang.store.duckdb import DuckDBStore
from tests.reports.fixture_store import AIR_STATIONS

SC = [s for s in AIR_STATIONS if s.jurisdiction == "SC"]


@pytest.fixture
def store(generated_data: Path) -> Iterator[DuckDBStore]:
    opened = open_store(generated_data / "lianfang.duckdb", read_only=True)
    yield opened
    opened.close()


def test_city_year_from_designed_values(store: DuckDBStore) -> None:
    source = air_days(store, SC, DayRange.year(2025))
    ev = evaluate_air_days(source).city
    assert ev.rules.edition is AqiEdition.HJ633_2012
    # 353 ordinary days at (30 + 50)/2, 10 haze days at 300, 2025-03-01 SC-AIR-2 alone (50, SC-AIR-1
    # flagged M), 2025-06-10 SC-AIR-1 alone (30, SC-AIR-2 has 18 h only).
    expected = (353 * 40 + 10 * 300 + 50 + 30) / 365
    pm25 = ev.pollutants["PM2.5"]
    assert pm25.mean is not None
    assert float(pm25.mean) == pytest.approx(expected, rel=1e-12)
    assert float(ev.pollutants["CO"].percentile) == pytest.approx(0.8)
    assert float(ev.pollutants["O3"].percentile) == pytest.approx(80.0)
    assert (int(ev.aqi_valid_days), int(ev.good_days), int(ev.heavy_or_worse_days)) == (365, 355, 10)
    assert source.exclusions.by_reason() == {"flag M": 144}
    assert source.exclusions.by_station() == {"SC-AIR-1": 144}
    assert source.invalid_days == dict.fromkeys(POLLUTANTS, 1)  # SC-AIR-2, 2025-06-10
    assert not source.simulated
    assert source.missing == ()


def test_station_figures(store: DuckDBStore) -> None:
    result = evaluate_air_days(air_days(store, SC, DayRange.year(2025)))
    order = [s.mn for s in result.stations]
    one = order.index("SC-AIR-1")
    mean = result.station.pollutants["PM2.5"].mean
    assert mean is not None
    # SC-AIR-1: its flagged day is no day at all; 354 days at 30 and 10 at 300
    assert float(mean[one]) == pytest.approx((354 * 30 + 3000) / 364)
    assert int(result.station.aqi_valid_days[one]) == 364


def test_month_and_partial_stations(store: DuckDBStore) -> None:
    january = DayRange.month(2025, 1)
    source = air_days(store, AIR_STATIONS, january)
    ev = evaluate_air_days(source)
    assert ev.period.value == "month"
    assert (int(ev.city.aqi_valid_days), int(ev.city.good_days), int(ev.city.heavy_or_worse_days)) == (
        31,
        21,
        10,
    )
    assert source.simulated  # CQ-AIR-1 is simulated
    # CQ-AIR-1 has January only: a February read finds nothing for it
    feb = air_days(store, AIR_STATIONS, DayRange.month(2025, 2))
    assert [s.mn for s in feb.missing] == ["CQ-AIR-1"]


def test_evaluation_needs_a_calendar_period(store: DuckDBStore) -> None:
    source = air_days(store, SC, DayRange(date(2025, 1, 1), date(2025, 1, 10)))
    with pytest.raises(InputError, match="one calendar month or year"):
        evaluate_air_days(source)


def test_invalid_year_is_nan_unless_lenient(store: DuckDBStore) -> None:
    cq = [s for s in AIR_STATIONS if s.jurisdiction == "CQ"]
    source = air_days(store, cq, DayRange.year(2025))
    strict = evaluate_air_days(source).city.pollutants["PM2.5"]
    lenient = evaluate_air_days(source, require_valid=False).city.pollutants["PM2.5"]
    assert strict.mean is not None
    assert np.isnan(strict.mean)
    assert lenient.mean is not None
    assert float(lenient.mean) == pytest.approx((21 * 20 + 10 * 300) / 31)


def _write(store: DuckDBStore, rows: pd.DataFrame) -> None:
    rows = rows.assign(kind="hour", time=pd.to_datetime(rows["time"], utc=True))
    store.write_observation_table(pa.Table.from_pandas(rows, preserve_index=False))


def test_store_round_trip_matches_the_engine(data_dir: Path) -> None:
    """Random values with gaps and flags, written and read back, give the engine's own results."""
    rng = np.random.default_rng(7)
    days = DayRange(date(2026, 2, 26), date(2026, 3, 3))  # straddles the HJ 633-2026 switch
    stations = [Station(f"T{k}", f"test {k}", StationKind.AIR, "TT") for k in range(3)]
    n_hours = days.n_days * 24
    cube = np.round(rng.gamma(4.0, 15.0, size=(3, n_hours, 6)), 0)
    cube[..., POLLUTANTS.index("CO")] = np.round(rng.gamma(3.0, 0.3, size=(3, n_hours)), 1)
    flags = np.where(rng.random(cube.shape) < 0.05, "D", "N")
    gone = rng.random(cube.shape) < 0.08
    times = pd.date_range(pd.Timestamp("2026-02-26", tz=BEIJING), periods=n_hours, freq="h")
    codes = {pollutant: code for code, pollutant in AIR_CODES.items()}
    rows = [
        pd.DataFrame(
            {"mn": st.mn, "param": codes[p], "time": times, "value": cube[k, :, j], "flag": flags[k, :, j]}
        )[~gone[k, :, j]]
        for k, st in enumerate(stations)
        for j, p in enumerate(POLLUTANTS)
    ]
    store = open_store(data_dir / "lianfang.duckdb")
    try:
        store.upsert_jurisdiction(Jurisdiction("TT", "test"))
        store.upsert_stations(stations)
        _write(store, pd.concat(rows, ignore_index=True))
        source = air_days(store, stations, days)
    finally:
        store.close()
    expected_cube = np.where(gone | (flags != "N"), np.nan, cube)
    engine = daily_air(expected_cube, days.first)
    for indicator, values in engine.values.items():
        np.testing.assert_array_equal(source.station_daily.values[indicator], values, err_msg=indicator)
    city = city_daily(engine)
    np.testing.assert_array_equal(
        source.city_daily.values[Indicator.PM25_24H], city.values[Indicator.PM25_24H]
    )
    assert source.exclusions.total == int(np.count_nonzero(~gone & (flags != "N")))
    # each day by its own edition: 2026-03-01 on is HJ 633-2026
    assert source.city_aqi.hj633_2026.tolist() == [False, False, False, True, True, True]


def test_negative_and_off_hour_values_are_counted(data_dir: Path) -> None:
    station = Station("N1", "neg", StationKind.AIR, "TT")
    t0 = pd.Timestamp("2025-05-01 00:00", tz=BEIJING)
    rows = pd.DataFrame(
        {
            "mn": "N1",
            "param": ["a34004", "a34004", "a34004", "a21026"],
            "time": [t0, t0 + pd.Timedelta(hours=1), t0 + pd.Timedelta(minutes=90), t0],
            "value": [35.0, -3.0, 40.0, None],
            "flag": "N",
        }
    )
    store = open_store(data_dir / "lianfang.duckdb")
    try:
        store.upsert_jurisdiction(Jurisdiction("TT", "test"))
        store.upsert_stations([station])
        _write(store, rows)
        source = air_days(store, [station], DayRange(date(2025, 5, 1), date(2025, 5, 1)))
    finally:
        store.close()
    assert source.exclusions.by_reason() == {"negative value": 1, "no value": 1, "not on the hour": 1}
    assert source.values_used == 1
