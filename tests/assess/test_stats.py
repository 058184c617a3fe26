"""HJ 663 / GB 3095 statistics: validity rules, 8-h means, daily maximum 8-h O3, the percentile."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lianfang.assess.stats import (
    annual_valid,
    daily_max_hour,
    daily_mean,
    exceedance_multiple,
    hj663_percentile,
    monthly_valid,
    moving_8h_mean,
    o3_mda8,
    valid_days_per_month,
)

from ._air_vectors import read_json

EXAMPLES = read_json("air_hj663_examples.json")


def test_daily_mean_needs_20_hours() -> None:
    day = np.arange(24, dtype=float)
    day20 = day.copy()
    day20[:4] = np.nan  # 20 valid
    day19 = day.copy()
    day19[:5] = np.nan  # 19 valid
    got = daily_mean(np.concatenate([day, day20, day19]))
    assert got[0] == 11.5
    assert got[1] == np.mean(day[4:])
    assert np.isnan(got[2])


def test_daily_mean_of_whole_numbers_is_correctly_rounded() -> None:
    # 24 hours summing to 1452 -> 60.5 exactly (so that HJ 633-2026 rounding sees the tie)
    hours = np.array([60.0] * 12 + [61.0] * 12)
    assert daily_mean(hours)[0] == 60.5


def test_hour_axis_must_hold_whole_days() -> None:
    with pytest.raises(ValueError, match="whole days"):
        daily_mean(np.zeros(25))


def test_daily_max_hour() -> None:
    x = np.arange(48, dtype=float)
    x[24:29] = np.nan  # 19 valid on day 2
    assert daily_max_hour(x)[0] == 23
    assert np.isnan(daily_max_hour(x)[1])


def test_moving_8h_mean_needs_6_of_8_hours() -> None:
    x = np.arange(16, dtype=float)
    got = moving_8h_mean(x)
    assert np.isnan(got[4])  # only 5 hours so far
    assert got[5] == np.mean(x[0:6])
    assert got[7] == np.mean(x[0:8])
    assert got[15] == np.mean(x[8:16])
    y = x.copy()
    y[[9, 11, 13]] = np.nan  # window 8..15 has 5 valid
    assert np.isnan(moving_8h_mean(y)[15])
    y[13] = 13.0  # 6 valid
    assert moving_8h_mean(y)[15] == np.mean(y[8:16][~np.isnan(y[8:16])])


def test_mda8_uses_the_17_windows_of_the_day() -> None:
    day = np.zeros(24)
    day[16:24] = 200.0  # the window ending 24:00 (slots 16-23)
    assert o3_mda8(day)[0] == 200.0
    # windows never reach into the next day: high values early next day do not count for this day
    two = np.concatenate([np.zeros(24), np.full(24, 0.0)])
    two[24:28] = 800.0
    assert o3_mda8(two)[0] == 0.0
    assert o3_mda8(two)[1] == 400.0  # window 0-7 of day 2: (4·800)/8


def test_mda8_needs_14_valid_windows_unless_it_already_exceeds() -> None:
    day = np.full(24, 100.0)
    day[:5] = np.nan  # windows starting at slots 0..2 have < 6 hours: 14 valid windows (3..16)
    assert o3_mda8(day)[0] == 100.0
    day[5] = np.nan  # now the window starting at slot 3 fails too: 13 valid windows
    assert np.isnan(o3_mda8(day)[0])
    day[12:24] = 170.0  # fewer than 14 windows, but the max exceeds 160: still valid
    assert o3_mda8(day)[0] == 170.0
    assert np.isnan(o3_mda8(day, limit=170.0)[0])  # not above the limit: invalid


def test_percentile_worked_example() -> None:
    case = EXAMPLES["percentile"]
    assert hj663_percentile(case["values"], case["p"]) == case["expected"]


def test_percentile_edges() -> None:
    assert hj663_percentile([5.0], 98) == 5.0
    assert np.isnan(hj663_percentile([np.nan, np.nan], 90))
    assert hj663_percentile([1.0, np.nan, 3.0], 50) == 2.0
    # n = 101, p = 98: k = 99 exactly -> X(99), no interpolation drift
    values = np.arange(101, dtype=float) ** 2
    assert hj663_percentile(values, 98) == 98.0**2
    with pytest.raises(ValueError):
        hj663_percentile([1.0], 101)


@settings(max_examples=200, deadline=None)
@given(
    x=arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 40)),
             elements=st.floats(0, 1000, allow_nan=False) | st.just(np.nan)),
    p=st.sampled_from([50, 90, 95, 98]),
)  # fmt: skip
def test_percentile_is_linear_type_7(x: np.ndarray, p: int) -> None:
    got = hj663_percentile(x, p)
    for row, value in zip(x, got, strict=True):
        finite = row[~np.isnan(row)]
        if finite.size == 0:
            assert np.isnan(value)
        else:
            assert value == pytest.approx(np.percentile(finite, p), rel=1e-12, abs=1e-9)


def _year(valid_per_month: list[int]) -> tuple[np.ndarray, np.ndarray]:
    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2024-01-01"))
    months = days.astype("datetime64[M]")
    valid = np.zeros(days.size, dtype=bool)
    for m, n in enumerate(valid_per_month):
        idx = np.flatnonzero(months == np.datetime64("2023-01") + m)
        valid[idx[:n]] = True
    return valid, days


def test_annual_validity_324_days_and_27_per_month() -> None:
    valid, days = _year([27] * 12)  # 324 days, every month 27
    assert annual_valid(valid, days)
    valid, days = _year([27, 25] + [27] * 10)  # February may have 25 ... but then only 322 days
    assert not annual_valid(valid, days)
    valid, days = _year([27, 25] + [27] * 9 + [28])  # 323 days
    assert not annual_valid(valid, days)
    valid, days = _year([31, 25] + [27] * 10)  # 326 days, February 25
    assert annual_valid(valid, days)
    valid, days = _year([31, 31, 26] + [31] * 9)  # March 26: fails however many days in total
    assert not annual_valid(valid, days)


def test_monthly_validity() -> None:
    valid, days = _year([27, 25, 26] + [31] * 9)
    months, ok = monthly_valid(valid, days)
    assert months[0] == np.datetime64("2023-01")
    assert ok[:3].tolist() == [True, True, False]
    _, counts = valid_days_per_month(np.stack([valid, ~valid]), days)
    assert counts.shape == (2, 12)
    assert counts[0, 2] == 26
    assert counts[1, 2] == 5


def test_validity_needs_one_ascending_year() -> None:
    days = np.arange(np.datetime64("2023-12-01"), np.datetime64("2024-02-01"))
    with pytest.raises(ValueError, match="one calendar year"):
        annual_valid(np.ones(days.size, bool), days)
    with pytest.raises(ValueError, match="ascending"):
        valid_days_per_month(np.ones(2, bool), np.array(["2023-01-02", "2023-01-01"], dtype="datetime64[D]"))


def test_exceedance_multiple() -> None:
    assert exceedance_multiple(0.4, 0.35).tolist() == pytest.approx(0.1428571429)
    assert exceedance_multiple([96.0, 75.0, 60.0], 75.0).tolist() == [0.28, 0.0, -0.2]
