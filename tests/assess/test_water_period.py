"""Period means (环办[2011]22号 §2.2 of the reference) against a straightforward pandas group-by."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from lianfang.assess.water_period import MIN_VALUES, group_means, period_means
from lianfang.model import BEIJING


def _four_hourly(sections: list[str], start: str, end: str, seed: int = 3) -> pd.DataFrame:
    times = pd.date_range(start, end, freq="4h", tz=BEIJING)
    index = pd.MultiIndex.from_product([sections, times], names=["section", "time"])
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {"w21003": rng.uniform(0, 2, len(index)), "TP": rng.uniform(0, 0.4, len(index))}, index=index
    )
    frame.iloc[::5, 0] = np.nan
    return frame


def _pandas_reference(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    flat = frame.reset_index()
    flat["period"] = flat["time"].dt.tz_convert(BEIJING).dt.tz_localize(None).dt.to_period(freq)
    return flat.groupby(["section", "period"])[list(frame.columns)].agg(["mean", "count"])


@pytest.mark.parametrize(("period", "freq"), [("month", "M"), ("quarter", "Q"), ("week", "W-SUN")])
def test_matches_pandas_groupby(period: str, freq: str) -> None:
    frame = _four_hourly(["A", "B", "C"], "2023-01-01", "2023-12-31 20:00")
    result = period_means(frame, period)  # type: ignore[arg-type]
    ref = _pandas_reference(frame, freq)
    assert list(result.means.columns) == ["NH3N", "TP"]
    for col, item in (("w21003", "NH3N"), ("TP", "TP")):
        np.testing.assert_allclose(result.means[item].to_numpy(), ref[(col, "mean")].to_numpy(), rtol=1e-12)
        assert result.counts[item].tolist() == ref[(col, "count")].tolist()
    starts = result.means.index.get_level_values("period")
    expected = pd.PeriodIndex(ref.index.get_level_values("period")).start_time.tz_localize(BEIJING)
    assert (starts == expected).all()


def test_ten_day_periods() -> None:
    frame = _four_hourly(["A"], "2024-02-01", "2024-02-29 20:00")
    result = period_means(frame, "ten-day")
    starts = [t.day for t in result.means.index.get_level_values("period")]
    assert starts == [1, 11, 21]
    # 旬: days 1–10, 11–20, 21–end of month (29 in February 2024).
    assert result.counts["TP"].tolist() == [60, 60, 54]


def test_beijing_calendar_for_aware_and_naive_times() -> None:
    # 2023-01-31T16:30Z is 2023-02-01 00:30 in Beijing: February.
    utc = pd.DatetimeIndex([datetime.fromisoformat("2023-01-31T16:30:00+00:00")])
    naive = pd.DatetimeIndex([datetime(2023, 2, 1, 0, 30)])
    for times in (utc, naive):
        index = pd.MultiIndex.from_arrays([["A"], times], names=["section", "time"])
        result = period_means(pd.DataFrame({"TP": [0.1]}, index=index), "month")
        start = result.means.index.get_level_values("period")[0]
        assert start == pd.Timestamp("2023-02-01", tz=BEIJING)


def test_quarter_needs_two_values() -> None:
    times = pd.to_datetime(["2023-01-15", "2023-04-15", "2023-05-15"]).tz_localize(BEIJING)
    index = pd.MultiIndex.from_arrays([["A"] * 3, times], names=["section", "time"])
    result = period_means(pd.DataFrame({"TP": [0.1, 0.2, 0.3]}, index=index), "quarter")
    assert np.isnan(result.means["TP"].iloc[0])
    assert result.means["TP"].iloc[1] == pytest.approx(0.25)
    assert result.excluded["TP"].tolist() == [True, False]
    assert MIN_VALUES["quarter"] == 2


def test_year_is_the_mean_of_monthly_means_with_eight_months() -> None:
    # One sample a month in 8 months, plus extra samples in January: each month weighs the same.
    times = [f"2023-{m:02d}-10" for m in range(1, 9)] + ["2023-01-20", "2023-01-25"]
    values = [1.0] * 8 + [4.0, 4.0]
    index = pd.MultiIndex.from_arrays(
        [["A"] * 10, pd.to_datetime(times).tz_localize(BEIJING)], names=["section", "time"]
    )
    result = period_means(pd.DataFrame({"NH3N": values}, index=index), "year")
    assert result.counts["NH3N"].tolist() == [8]
    assert result.means["NH3N"].iloc[0] == pytest.approx((3.0 + 7 * 1.0) / 8)
    # Seven months are too few: the mean is dropped and the exclusion counted.
    seven = period_means(pd.DataFrame({"NH3N": values}, index=index).iloc[1:8], "year")
    assert np.isnan(seven.means["NH3N"].iloc[0])
    assert seven.excluded["NH3N"].tolist() == [True]


def test_bad_input() -> None:
    frame = _four_hourly(["A"], "2023-01-01", "2023-01-02")
    with pytest.raises(ValueError, match="unknown period"):
        period_means(frame, "decade")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown item"):
        period_means(frame.rename(columns={"TP": "phosphate"}), "month")


def test_group_means_average_sections_per_period() -> None:
    frame = _four_hourly(["A", "B", "C"], "2023-01-01", "2023-02-28 20:00")
    monthly = period_means(frame, "month").means
    pooled = group_means(monthly, {"A": "river1", "B": "river1", "C": "river2"})
    jan = pd.Timestamp("2023-01-01", tz=BEIJING)
    expected = monthly.xs(jan, level="period").loc[["A", "B"], "TP"].mean()
    assert pooled.loc[("river1", jan), "TP"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="without a group"):
        group_means(monthly, {"A": "river1"})


def test_index_levels_must_exist() -> None:
    frame = _four_hourly(["A"], "2023-01-01", "2023-01-02")
    with pytest.raises(ValueError, match="no index level named 'station'"):
        period_means(frame, "month", section="station")
