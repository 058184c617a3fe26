"""hourly_cube on large-input paths: categorical columns, time units, naive times, steps of rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from lianfang.assess import air_daily
from lianfang.assess.air_daily import POLLUTANTS, hourly_cube


def _frame(rng: np.random.Generator, unit: str) -> tuple[pd.DataFrame, np.ndarray]:
    stations = ["S2", "S0", "S1"]
    expected = np.round(rng.gamma(3.0, 10.0, size=(3, 48, 6)), 0)
    times = pd.date_range("2024-12-31 16:00", periods=48, freq="h", tz="UTC").as_unit(unit)
    rows = [
        pd.DataFrame({"mn": name, "time": times, "pollutant": p, "value": expected[k, :, j]})
        for k, name in enumerate(sorted(stations))
        for j, p in enumerate(POLLUTANTS)
    ]
    frame = pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=3).reset_index(drop=True)
    return frame, expected


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_time_units_and_categoricals(unit: str) -> None:
    frame, expected = _frame(np.random.default_rng(1), unit)
    as_category = frame.astype({"mn": "category", "pollutant": "category"})
    for candidate in (frame, as_category):
        cube, stations = hourly_cube(candidate, date(2025, 1, 1), 2)
        assert list(stations) == ["S0", "S1", "S2"]
        np.testing.assert_array_equal(cube, expected)


def test_naive_times_are_beijing_wall_clock() -> None:
    frame, expected = _frame(np.random.default_rng(2), "us")
    naive = frame.assign(time=frame["time"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None))
    cube, _ = hourly_cube(naive, date(2025, 1, 1), 2)
    np.testing.assert_array_equal(cube, expected)


def test_steps_of_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(air_daily, "_CHUNK_ROWS", 7)
    frame, expected = _frame(np.random.default_rng(3), "us")
    cube, _ = hourly_cube(frame, date(2025, 1, 1), 2)
    np.testing.assert_array_equal(cube, expected)
    # a repeat in a later step than its first occurrence is still found
    with pytest.raises(ValueError, match="repeated"):
        hourly_cube(pd.concat([frame, frame.iloc[:1]], ignore_index=True), date(2025, 1, 1), 2)


def test_unknown_pollutants_and_stations_without_kept_rows() -> None:
    frame = pd.DataFrame(
        {
            "mn": ["A", "B"],
            "time": pd.to_datetime(["2025-01-01 00:00+08:00", "2025-01-01 00:00+08:00"], utc=True),
            "pollutant": ["PM2.5", "NOx"],
            "value": [35.0, 80.0],
        }
    )
    cube, stations = hourly_cube(frame, date(2025, 1, 1), 1)
    assert list(stations) == ["A"]  # B has only a pollutant the cube does not hold
    assert cube.shape == (1, 24, 6)
    assert np.count_nonzero(~np.isnan(cube)) == 1
