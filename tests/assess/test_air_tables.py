"""The HJ 633 constants equal the tables transcribed from the official texts (tests/vectors)."""

from __future__ import annotations

import pytest

from lianfang.assess.aqi_tables import AQI_LEVELS, BREAKPOINTS, IAQI_STEPS, Indicator, breakpoint_column
from lianfang.assess.editions import AqiEdition

from ._air_vectors import read_csv


@pytest.mark.parametrize(
    ("edition", "vector"),
    [
        (AqiEdition.HJ633_2012, "air_hj633_2012_breakpoints.csv"),
        (AqiEdition.HJ633_2026, "air_hj633_2026_breakpoints.csv"),
    ],
)
def test_breakpoints_match_the_standard(edition: AqiEdition, vector: str) -> None:
    rows = read_csv(vector)
    assert tuple(int(r["iaqi"]) for r in rows) == IAQI_STEPS
    columns = [c for c in rows[0] if c != "iaqi"]
    assert set(columns) == set(BREAKPOINTS[edition])
    for column in columns:
        expected = tuple(int(r[column]) for r in rows if r[column] != "")
        assert BREAKPOINTS[edition][column] == expected, column


def test_2026_differs_from_2012_only_in_the_particulate_iaqi_100_row() -> None:
    old, new = BREAKPOINTS[AqiEdition.HJ633_2012], BREAKPOINTS[AqiEdition.HJ633_2026]
    changed = {
        (col, i) for col in old for i, (a, b) in enumerate(zip(old[col], new[col], strict=True)) if a != b
    }
    assert changed == {("pm10_24h", 2), ("pm25_24h", 2)}
    assert (new["pm10_24h"][2], new["pm25_24h"][2]) == (120, 60)


def test_every_indicator_has_a_column() -> None:
    for edition in AqiEdition:
        for indicator in Indicator:
            assert breakpoint_column(indicator) in BREAKPOINTS[edition]
    assert breakpoint_column(Indicator.PM25_1H) == "pm25_24h"


def test_levels_are_hj633_table_2() -> None:
    assert [(lv.level, lv.upper, lv.category_zh) for lv in AQI_LEVELS] == [
        (1, 50, "优"),
        (2, 100, "良"),
        (3, 150, "轻度污染"),
        (4, 200, "中度污染"),
        (5, 300, "重度污染"),
        (6, None, "严重污染"),
    ]
    assert [lv.colour_hex for lv in AQI_LEVELS] == [
        "#00E400",
        "#FFFF00",
        "#FF7E00",
        "#FF0000",
        "#99004C",
        "#7E0023",
    ]
