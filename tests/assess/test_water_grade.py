"""River and basin grades, main pollutants and trends (环办[2011]22号, reference §2.5)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lianfang.assess.water import assess
from lianfang.assess.water_grade import (
    BOUNDARY_NOTE,
    STATUS_LEVELS,
    RiverGrade,
    grade_by_proportion,
    proportion_level,
    river_grade,
    river_grades,
    river_main_pollutants,
    river_trend,
    trend_by_proportion,
    trend_by_status,
)

EXAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "water_examples.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", EXAMPLES["river_grade"], ids=lambda c: f"{c['status']}-{len(c['classes'])}")
def test_worked_grade_examples(case: dict[str, Any]) -> None:
    grade = grade_by_proportion(case["classes"])
    assert grade.status == case["status"]
    assert round(grade.share_i_iii, 1) == case["share_I_III"]
    assert round(grade.share_worse_than_v, 1) == case["share_worse_than_V"]
    assert (grade.note == BOUNDARY_NOTE) == case.get("note", False)


def test_proportion_level_is_exact_and_vectorised() -> None:
    # Compared in integers: 27 of 30 is exactly 90% → 优; 1 of 5 is exactly 20% → 中度污染.
    levels = proportion_level([27, 26, 3, 3, 2], [0, 0, 0, 1, 2], [30, 30, 5, 5, 5])
    assert [STATUS_LEVELS[n] for n in levels.tolist()] == ["优", "良好", "轻度污染", "中度污染", "重度污染"]
    with pytest.raises(ValueError, match="at least one"):
        proportion_level(0, 0, 0)
    with pytest.raises(ValueError, match="exceed"):
        proportion_level(4, 3, 5)


def _sections(nh3n: list[float]) -> pd.DataFrame:
    n = len(nh3n)
    return pd.DataFrame(
        {"NH3N": nh3n, "TP": [0.05] * n, "CODMn": [3.0] * n}, index=[f"S{i}" for i in range(n)]
    )


def test_fewer_than_five_sections_average_then_classify() -> None:
    # Sections II, II, 劣V: averages NH3N (0.4 + 0.4 + 2.5)/3 = 1.1 → IV → 轻度污染.
    grade = river_grade(_sections([0.4, 0.4, 2.5]))
    assert grade.method == "mean"
    assert grade.mean_class == "IV"
    assert grade.status == "轻度污染"
    assert (grade.n_sections, grade.n_i_iii, grade.n_worse_than_v) == (3, 2, 1)
    assert grade.main_pollutants == ("NH3N",)


def test_five_sections_use_the_proportion_method() -> None:
    # Exactly 5 counts as "5 or more" (含5个, reference §6 item 3).
    grade = river_grade(_sections([0.4, 0.4, 0.4, 0.4, 2.5]))
    assert grade.method == "proportion"
    assert grade.status == "良好"  # 4 of 5 = 80%
    assert grade.main_pollutants == ("NH3N",)


def test_river_main_pollutants_by_section_exceedance_rate() -> None:
    frame = pd.DataFrame(
        {
            "NH3N": [1.2, 1.2, 0.5, 0.5, 0.5],  # 2 of 5 worse than III
            "TP": [0.3, 0.3, 0.3, 0.1, 0.1],  # 3 of 5
            "CODMn": [7, 3, 3, 3, np.nan],  # 1 of 4
            "COD": [25, 10, 10, 10, 10],  # 1 of 5: ties lose to CODMn's higher rate
            "TN": [5, 5, 5, 5, 5],  # not assessed
        }
    )
    classes = assess(frame).item_class_frame()
    assert river_main_pollutants(classes) == ("TP", "NH3N", "CODMn")


@pytest.mark.parametrize("case", EXAMPLES["trend_by_status"], ids=lambda c: f"{c['before']}-{c['after']}")
def test_worked_status_trends(case: dict[str, Any]) -> None:
    assert trend_by_status(case["before"], case["after"]).change == case["change"]


def _grade(good: int, bad: int, n: int) -> RiverGrade:
    return grade_by_proportion(["III"] * good + ["劣V"] * bad + ["IV"] * (n - good - bad))


@pytest.mark.parametrize("case", EXAMPLES["trend_by_proportion"], ids=lambda c: str(c["delta"]))
def test_worked_proportion_trends(case: dict[str, Any]) -> None:
    trend = trend_by_proportion(_grade(*case["before"]), _grade(*case["after"]))
    assert trend.delta == Fraction(case["delta"])
    assert trend.change == case["change"]


def test_river_trend_picks_the_method() -> None:
    many = river_trend(_grade(8, 0, 10), _grade(9, 0, 10))
    assert many.method == "proportion"
    few = river_trend(river_grade(_sections([0.4, 0.4])), river_grade(_sections([1.6, 1.6])))
    assert few.method == "status"
    assert few.change == "明显变差"  # 优 → 中度污染
    with pytest.raises(ValueError, match="unknown status"):
        trend_by_status("good", "优")


_CLASSES = st.lists(st.integers(min_value=1, max_value=6), min_size=5, max_size=40)


@given(classes=_CLASSES, pick=st.integers(min_value=0), worse=st.integers(min_value=1, max_value=6))
def test_a_worse_section_never_improves_the_grade(classes: list[int], pick: int, worse: int) -> None:
    before = grade_by_proportion(classes)
    changed = list(classes)
    i = pick % len(changed)
    changed[i] = max(changed[i], worse)
    after = grade_by_proportion(changed)
    assert after.level >= before.level
    assert river_trend(before, after).direction <= 0


def test_river_grades_many_rivers_match_one_by_one() -> None:
    rng = np.random.default_rng(11)
    sections = [f"S{i:02d}" for i in range(16)]
    # river A: 8 sections (proportion), B: 5 (proportion, exactly 5), C: 3 (mean)
    groups = {s: "A" if i < 8 else "B" if i < 13 else "C" for i, s in enumerate(sections)}
    periods = pd.date_range("2023-01-01", periods=3, freq="MS", tz="Asia/Shanghai")
    index = pd.MultiIndex.from_product([sections, periods], names=["section", "period"])
    means = pd.DataFrame(
        {"NH3N": rng.uniform(0, 2.5, len(index)), "TP": rng.uniform(0, 0.45, len(index))}, index=index
    )
    grades = river_grades(means, groups)
    assert len(grades) == 9
    for (river, period), row in grades.iterrows():
        members = [s for s, r in groups.items() if r == river]
        one = river_grade(means.xs(period, level="period").loc[members])
        assert row["status"] == one.status
        assert row["method"] == one.method
        assert (row["n_sections"], row["n_i_iii"], row["n_worse_than_v"]) == (
            one.n_sections,
            one.n_i_iii,
            one.n_worse_than_v,
        )
        assert row["mean_class"] == (one.mean_class or "")
    with pytest.raises(ValueError, match="without a group"):
        river_grades(means, {"S00": "A"})
