"""GB/T 8170 rounding of input concentrations (HJ 633-2026 §4.2.2), vectorised and exact."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianfang.assess.gbt8170 import round_decimal, round_half_even

from ._air_vectors import read_csv

CASES = read_csv("air_gbt8170_rounding.csv")


@pytest.mark.parametrize("case", CASES, ids=[f"{c['value']}@{c['decimals']}" for c in CASES])
def test_vector(case: dict[str, str]) -> None:
    decimals = int(case["decimals"])
    assert round_half_even(float(case["value"]), decimals) == float(case["rounded"])
    assert round_decimal(Decimal(case["value"]), decimals) == Decimal(case["rounded"])


def test_python_round_is_not_enough() -> None:
    assert round(2.45, 1) == 2.5  # binary value rounded: wrong for the decimal 2.45
    assert round_half_even(2.45, 1) == 2.4


def test_nan_and_shape() -> None:
    got = round_half_even(np.array([[np.nan, 0.5], [1.5, np.inf]]))
    assert np.isnan(got[0, 0])
    assert got[0, 1] == 0
    assert got[1, 0] == 2
    assert got[1, 1] == np.inf
    with pytest.raises(ValueError):
        round_half_even(1.0, 16)


@settings(max_examples=500, deadline=None)
@given(
    n=st.integers(min_value=-(10**9), max_value=10**9), places=st.integers(0, 4), decimals=st.integers(0, 3)
)
def test_equals_decimal_rounding(n: int, places: int, decimals: int) -> None:
    value = Decimal(n).scaleb(-places)
    assert round_half_even(float(value), decimals) == float(round_decimal(value, decimals))
