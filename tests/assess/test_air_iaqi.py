"""IAQI: the worked vectors, exactness against Fraction arithmetic, monotonicity."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianfang.assess.aqi_tables import BREAKPOINTS, Indicator, breakpoint_column
from lianfang.assess.editions import AqiEdition
from lianfang.assess.iaqi import above_table, as_fraction, iaqi_array, iaqi_exact, table_top

from ._air_vectors import read_csv

CASES = read_csv("air_iaqi_cases.csv")


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['edition']}-{c['indicator']}-{c['concentration']}" for c in CASES]
)
def test_vector(case: dict[str, str]) -> None:
    expected = int(case["iaqi"])
    assert iaqi_exact(case["indicator"], Decimal(case["concentration"]), case["edition"]) == expected
    assert iaqi_exact(case["indicator"], float(case["concentration"]), case["edition"]) == expected
    got = iaqi_array(case["indicator"], [float(case["concentration"])], case["edition"])
    assert got.tolist() == [expected]


def test_naive_float_ceil_would_be_wrong_here() -> None:
    # the reason for exact arithmetic: IEEE gives 55.000000000000007 for CO 2.2
    naive = np.ceil(50 + (2.2 - 2) * (100 - 50) / (4 - 2))
    assert naive == 56
    assert iaqi_array("co_24h", 2.2, "HJ633-2012") == 55


def test_array_keeps_shape_and_nan() -> None:
    x = np.array([[np.nan, 35.0], [75.0, 2000.0]])
    got = iaqi_array("pm25_24h", x, "HJ633-2012")
    assert got.shape == (2, 2)
    assert np.isnan(got[0, 0])
    assert got[0, 1] == 50
    assert got[1, 0] == 100
    assert got[1, 1] == 500
    assert above_table("pm25_24h", x, "HJ633-2012").tolist() == [[False, False], [False, True]]


def test_negative_and_non_numbers_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        iaqi_exact("pm25_24h", -1, "HJ633-2012")
    with pytest.raises(ValueError, match="negative"):
        iaqi_array("pm25_24h", [1.0, -0.1], "HJ633-2012")
    with pytest.raises(ValueError, match="finite"):
        as_fraction("abc")
    with pytest.raises(ValueError, match="finite"):
        as_fraction(float("nan"))
    with pytest.raises(ValueError):
        iaqi_exact("pm1_24h", 1, "HJ633-2012")


def test_table_top() -> None:
    assert table_top("so2_1h", "HJ633-2012") == 800
    assert table_top("o3_8h", "HJ633-2026") == 800
    assert table_top("pm25_1h", "HJ633-2026") == 500


def test_peer_failure_modes_differ_from_ours() -> None:
    # python-aqi truncates CO to whole mg/m3: 3.9 -> 3 -> 75; we index 3.9 itself
    assert iaqi_exact("co_24h", 3, "HJ633-2012") == 75
    assert iaqi_exact("co_24h", "3.9", "HJ633-2012") == 98
    # EPA-style segments (36-75 -> 51-100) would give 51 for PM2.5 36; continuous segments give 52
    epa_style = round(51 + (100 - 51) / (75 - 36) * (36 - 36))
    assert epa_style == 51
    assert iaqi_exact("pm25_24h", 36, "HJ633-2012") == 52


editions = st.sampled_from(list(AqiEdition))
indicators = st.sampled_from(list(Indicator))
# decimals with up to 3 places, as loggers and users write them, over and beyond every table
decimals = st.integers(min_value=0, max_value=4_500_000).map(lambda n: Decimal(n).scaleb(-3))


@settings(max_examples=400, deadline=None)
@given(edition=editions, indicator=indicators, values=st.lists(decimals, min_size=1, max_size=30))
def test_array_equals_exact(edition: AqiEdition, indicator: Indicator, values: list[Decimal]) -> None:
    got = iaqi_array(indicator, [float(v) for v in values], edition)
    assert got.tolist() == [iaqi_exact(indicator, v, edition) for v in values]


@settings(max_examples=300, deadline=None)
@given(edition=editions, indicator=indicators, a=decimals, b=decimals)
def test_higher_concentration_never_lower_iaqi(
    edition: AqiEdition, indicator: Indicator, a: Decimal, b: Decimal
) -> None:
    lo, hi = sorted((a, b))
    assert iaqi_exact(indicator, lo, edition) <= iaqi_exact(indicator, hi, edition)
    arr = iaqi_array(indicator, [float(lo), float(hi)], edition)
    assert arr[0] <= arr[1]


@pytest.mark.parametrize("edition", list(AqiEdition))
def test_every_breakpoint_and_every_whole_iaqi_is_hit_exactly(edition: AqiEdition) -> None:
    # at the concentration where the exact IAQI is an integer k, the result is k (not k+1)
    for column, bps in BREAKPOINTS[edition].items():
        indicator = next(i for i in Indicator if breakpoint_column(i) == column)
        steps = (0, 50, 100, 150, 200, 300, 400, 500)
        for seg in range(1, len(bps)):
            for k in range(steps[seg - 1], steps[seg] + 1):
                c = bps[seg - 1] + Fraction(k - steps[seg - 1]) * (bps[seg] - bps[seg - 1]) / (
                    steps[seg] - steps[seg - 1]
                )
                as_decimal = Decimal(c.numerator) / Decimal(c.denominator)
                assert iaqi_exact(indicator, c, edition) == k
                assert iaqi_array(indicator, float(as_decimal), edition) == k, (column, k, as_decimal)
