"""Daily statistics from hourly cubes and the annual/monthly evaluation (HJ 663, GB 3095)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from lianfang.assess.air_daily import POLLUTANTS, city_daily, daily_air, daily_aqi, hourly_cube
from lianfang.assess.air_evaluation import aqi_day_counts, composite_index, evaluate_air
from lianfang.assess.aqi_tables import Indicator
from lianfang.assess.editions import AqiEdition, LimitPhase

from ._air_vectors import read_json

EXAMPLES = read_json("air_hj663_examples.json")
HOURS = 365 * 24


def _cube(n_stations: int = 2) -> np.ndarray:
    """Constant SO2 10, NO2 30, CO 1.0, O3 100, PM10 80; PM2.5 equal to the day number (1..365)."""
    cube = np.empty((n_stations, HOURS, 6))
    cube[:, :, 0], cube[:, :, 1], cube[:, :, 2], cube[:, :, 3], cube[:, :, 4] = 10, 30, 1.0, 100, 80
    cube[:, :, 5] = np.repeat(np.arange(1, 366, dtype=float), 24)
    return cube


def test_composite_index_worked_example() -> None:
    case = EXAMPLES["composite_index"]
    total, sub, primary = composite_index(case["concentrations"], phase=LimitPhase(case["phase"]))
    assert round(float(total), 2) == case["expected_2dp"]
    assert str(primary) == case["expected_primary"]
    assert float(sub["CO"]) == pytest.approx(0.7 / 4)
    with pytest.raises(ValueError, match="six pollutants"):
        composite_index({"PM2.5": 1}, phase=LimitPhase.GB3095_2012)


def test_good_day_rate_worked_example() -> None:
    case = EXAMPLES["good_day_rate"]
    aqi = np.r_[np.full(case["good"], 80.0), np.full(case["valid"] - case["good"], 150.0), np.full(4, np.nan)]
    counts = aqi_day_counts(aqi)
    assert (counts.valid_days, counts.good_days) == (case["valid"], case["good"])
    assert round(float(counts.good_day_rate), 1) == case["expected_percent_1dp"]
    assert counts.days_per_level.tolist() == [0, 86, 5, 0, 0, 0]


def test_daily_air_from_a_cube() -> None:
    daily = daily_air(_cube(), date(2023, 1, 1))
    assert daily.days[0] == np.datetime64("2023-01-01")
    assert daily.days.size == 365
    assert daily.values[Indicator.PM25_24H].shape == (2, 365)
    assert daily.values[Indicator.PM25_24H][0, :3].tolist() == [1.0, 2.0, 3.0]
    assert np.all(daily.values[Indicator.O3_8H] == 100.0)
    assert np.all(daily.values[Indicator.O3_1H] == 100.0)


def test_daily_air_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError, match="pollutants"):
        daily_air(np.zeros((1, 48, 5)), date(2023, 1, 1))
    with pytest.raises(ValueError, match="unknown pollutants"):
        daily_air({"PM1": np.zeros(48)}, date(2023, 1, 1))
    with pytest.raises(ValueError, match="whole days"):
        daily_air({"PM2.5": np.zeros(30)}, date(2023, 1, 1))


def test_annual_evaluation() -> None:
    cube = _cube()
    cube[1, 59 * 24 : 69 * 24, :] = np.nan  # station 1 loses 1-10 March: 21 valid days in March
    ev = evaluate_air(daily_air(cube, date(2023, 1, 1)))
    assert ev.rules.edition is AqiEdition.HJ633_2012
    assert ev.period == "year"
    pm25, pm10, co, o3 = (ev.pollutants[p] for p in ("PM2.5", "PM10", "CO", "O3"))
    assert pm25.valid.tolist() == [True, False]
    assert pm25.mean_reported is not None
    assert pm25.mean_reported[0] == 183.0
    assert np.isnan(pm25.mean_reported[1])
    assert np.isnan(pm25.percentile[1])
    # P95 of 1..365: k = 1 + 364·0.95 = 346.8 -> 346.8 -> reported 347
    assert pm25.percentile[0] == pytest.approx(346.8)
    assert pm25.percentile_reported[0] == 347.0
    assert pm25.percentile_rank == 95
    assert ev.pollutants["SO2"].percentile_rank == 98
    assert o3.percentile_rank == 90
    assert pm10.mean_limit == 70
    assert pm10.mean_exceedance is not None
    assert pm10.mean_exceedance[0] == pytest.approx((80 - 70) / 70)
    assert not pm10.attained[0]
    assert ev.pollutants["SO2"].attained[0]
    assert co.attained[0]
    assert o3.attained[0]
    assert co.mean is None
    assert co.percentile_reported[0] == 1.0
    # composite: 10/60 + 30/40 + 80/70 + 183/35 + 1/4 + 100/160
    expected = 10 / 60 + 30 / 40 + 80 / 70 + 183 / 35 + 1 / 4 + 100 / 160
    assert ev.composite_index[0] == pytest.approx(expected)
    assert ev.composite_primary[0] == "PM2.5"
    # daily AQI (2012): PM10 80 -> 65; PM2.5 d -> good while d <= 75, heavy or worse while d > 150
    assert ev.good_days[0] == 75
    assert ev.aqi_valid_days[0] == 365
    assert ev.heavy_or_worse_days[0] == 215
    assert ev.good_day_rate[0] == pytest.approx(75 / 365 * 100)
    assert ev.aqi_valid_days[1] == 355


def test_year_2026_uses_each_days_edition_for_the_aqi_and_2026_limits() -> None:
    cube = _cube(1)
    cube[:, :, 5] = 70.0  # PM2.5 70: IAQI 94 by 2012, 110 by 2026
    ev = evaluate_air(daily_air(cube, date(2026, 1, 1)))
    assert ev.rules.limit_phase is LimitPhase.GB3095_2026_TRANSITION
    assert ev.good_days[0] == 31 + 28  # January and February under HJ 633-2012 only
    assert ev.pollutants["PM2.5"].percentile_limit == 60
    assert ev.pollutants["PM10"].mean_limit == 60
    named = evaluate_air(daily_air(cube, date(2026, 1, 1)), edition="HJ633-2012")
    assert named.good_days[0] == 365


def test_monthly_evaluation_and_validity() -> None:
    feb = np.full((1, 28 * 24, 6), 20.0)
    feb[0, : 3 * 24, :] = np.nan  # 25 valid days: enough for February
    ev = evaluate_air(daily_air(feb, date(2023, 2, 1)), period="month")
    assert ev.pollutants["PM2.5"].valid.tolist() == [True]
    feb[0, : 4 * 24, :] = np.nan  # 24 valid days
    ev = evaluate_air(daily_air(feb, date(2023, 2, 1)), period="month")
    assert ev.pollutants["PM2.5"].valid.tolist() == [False]
    assert np.isnan(ev.pollutants["PM2.5"].percentile[0])
    loose = evaluate_air(daily_air(feb, date(2023, 2, 1)), period="month", require_valid=False)
    assert loose.pollutants["PM2.5"].percentile[0] == 20.0
    with pytest.raises(ValueError, match="one calendar month"):
        evaluate_air(daily_air(np.zeros((1, 24 * 40, 6)), date(2023, 1, 20)), period="month")


def test_city_daily_is_the_station_mean() -> None:
    cube = _cube(3)
    cube[1, :, 5] += 30.0
    cube[2, :24, :] = np.nan  # station 2 invalid on day 1
    city = city_daily(daily_air(cube, date(2023, 1, 1)))
    assert city.values[Indicator.PM25_24H].shape == (365,)
    assert city.values[Indicator.PM25_24H][0] == pytest.approx((1 + 31) / 2)
    assert city.values[Indicator.PM25_24H][1] == pytest.approx((2 + 32 + 2) / 3)
    assert np.isnan(
        city_daily(daily_air(cube, date(2023, 1, 1)), min_stations=3).values[Indicator.PM25_24H][0]
    )


def test_daily_aqi_arrays_over_stations() -> None:
    res = daily_aqi(daily_air(_cube(), date(2023, 1, 1)))
    assert res.aqi.shape == (2, 365)
    assert res.aqi[0, 0] == 65.0  # PM10 80 -> 65


def _naive_daily(cube: np.ndarray, first: str) -> dict[str, np.ndarray]:
    """A straightforward pandas implementation, as an independent check of the vectorised one."""
    n_st, n_h, _ = cube.shape
    index = pd.date_range(first, periods=n_h, freq="h")
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(POLLUTANTS):
        frame = pd.DataFrame(cube[:, :, j].T, index=index)
        if name == "O3":
            rows = []
            for st in range(n_st):
                s = frame[st]
                per_day = []
                for _, day in s.groupby(s.index.date):
                    roll = day.rolling(8, min_periods=6).mean().iloc[7:]
                    ok = roll.notna().sum()
                    peak = roll.max()
                    per_day.append(peak if ok >= 14 or (ok > 0 and peak > 160) else np.nan)
                rows.append(per_day)
            out[name] = np.array(rows)
        else:
            grouped = frame.groupby(frame.index.date)
            means = grouped.mean().where(grouped.count() >= 20)
            out[name] = means.to_numpy().T
    return out


def test_vectorised_daily_statistics_equal_a_naive_pandas_version() -> None:
    rng = np.random.default_rng(3)
    cube = np.round(rng.gamma(2.0, 40.0, size=(3, 20 * 24, 6)))
    cube[rng.random(cube.shape) < 0.15] = np.nan
    cube[0, 24:40, :] = np.nan
    fast = daily_air(cube, date(2023, 5, 1))
    naive = _naive_daily(cube, "2023-05-01")
    keys = {"SO2": Indicator.SO2_24H, "NO2": Indicator.NO2_24H, "CO": Indicator.CO_24H,
            "O3": Indicator.O3_8H, "PM10": Indicator.PM10_24H, "PM2.5": Indicator.PM25_24H}  # fmt: skip
    for name, ind in keys.items():
        np.testing.assert_allclose(fast.values[ind], naive[name], rtol=1e-12, equal_nan=True, err_msg=name)


def test_hourly_cube_from_a_long_frame() -> None:
    frame = pd.DataFrame(
        {
            "mn": ["B", "A", "A", "A", "A"],
            "time": pd.to_datetime(
                ["2023-01-01 00:00+08:00", "2022-12-31 16:00+00:00", "2023-01-01 05:00+08:00",
                 "2023-01-03 00:00+08:00", "2023-01-01 01:00+08:00"], utc=True
            ),
            "pollutant": ["PM2.5", "SO2", "CO", "PM2.5", "NOx"],
            "value": [35.0, 7.0, 0.8, 99.0, 1.0],
        }
    )  # fmt: skip
    cube, stations = hourly_cube(frame, date(2023, 1, 1), 2)
    assert list(stations) == ["A", "B"]
    assert cube.shape == (2, 48, 6)
    assert cube[0, 0, 0] == 7.0  # 2022-12-31 16:00 UTC is 2023-01-01 00:00 in Beijing
    assert cube[0, 5, 2] == 0.8
    assert cube[1, 0, 5] == 35.0
    assert np.isnan(cube).sum() == cube.size - 3  # outside the days and NOx left out
    late = frame.assign(time=frame["time"] + pd.Timedelta(minutes=30))
    with pytest.raises(ValueError, match="on the hour"):
        hourly_cube(late, date(2023, 1, 1), 2)
    with pytest.raises(ValueError, match="repeated"):
        hourly_cube(pd.concat([frame, frame]), date(2023, 1, 1), 2)
