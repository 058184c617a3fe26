"""Published forms: GB/T 8170 rounding of concentrations and shares, period labels, exclusion tallies."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lianfang.reports.exclusions import Exclusions
from lianfang.reports.records import one_decimal, percent, period_label


@pytest.mark.parametrize(
    ("count", "total", "shown"),
    [(73, 74, 98.6), (1, 8, 12.5), (2, 3, 66.7), (1, 16, 6.2), (3, 16, 18.8), (0, 5, 0.0), (5, 5, 100.0)],
)
def test_percent_rounds_the_exact_fraction_half_to_even(count: int, total: int, shown: float) -> None:
    assert percent(count, total) == shown


def test_percent_of_nothing_is_none() -> None:
    assert percent(0, 0) is None


def test_one_decimal() -> None:
    assert one_decimal(84.39725) == 84.4
    assert one_decimal(0.25) == 0.2  # half to even (GB/T 8170)
    assert one_decimal(0.35) == 0.4
    assert one_decimal(math.nan) is None


def test_period_labels() -> None:
    start = pd.Timestamp("2025-04-01", tz="Asia/Shanghai")
    assert [period_label(start, p) for p in ("year", "quarter", "month", "ten-day")] == [
        "2025",
        "2025Q2",
        "2025-04",
        "2025-04-01",
    ]


def test_exclusion_tallies() -> None:
    rows = pd.DataFrame({"mn": ["A", "A", "B"], "param": ["x", "x", "y"]})
    flags = Exclusions.tally(rows, pd.Series(["flag M", "flag M", "flag D"]))
    joined = Exclusions.concat([flags, Exclusions.tally(rows.iloc[:1], "negative value"), Exclusions.empty()])
    assert joined.total == 4
    assert joined.by_reason() == {"flag D": 1, "flag M": 2, "negative value": 1}
    assert joined.by_station() == {"A": 3, "B": 1}
    assert joined.for_stations(["B"]).total == 1
    assert joined.summary() == "4 values excluded (flag D 1; flag M 2; negative value 1)"
    assert Exclusions.empty().summary() == "no value excluded"
