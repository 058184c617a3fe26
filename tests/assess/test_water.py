"""Item and section classes, exceedance multiples and main pollutants (GB 3838-2002, 环办[2011]22号)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lianfang.assess.water import (
    assess,
    assess_sample,
    exceedance_multiple,
    item_class,
    section_class,
    status_of,
)
from lianfang.assess.water_limits import ASSESSED_ITEMS, CLASS_LABELS, LIMITS, class_code

VECTORS = Path(__file__).parents[1] / "vectors"
EXAMPLES: dict[str, Any] = json.loads((VECTORS / "water_examples.json").read_text(encoding="utf-8"))


def _boundaries() -> list[dict[str, str]]:
    with (VECTORS / "water_class_boundaries.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("row", _boundaries(), ids=lambda r: f"{r['item']}-{r['water']}-{r['value']}")
def test_boundary_vectors(row: dict[str, str]) -> None:
    code = item_class(row["item"], [float(row["value"])], lake=row["water"] == "lake")
    assert CLASS_LABELS[int(code[0])] == row["class"]


def test_boundary_vectors_vectorised_in_one_call() -> None:
    rows = [r for r in _boundaries() if r["item"] == "NH3N"]
    codes = item_class("NH3N", [float(r["value"]) for r in rows])
    assert [CLASS_LABELS[c] for c in codes.tolist()] == [r["class"] for r in rows]
    assert codes.dtype == np.int8


@pytest.mark.parametrize("case", EXAMPLES["item_class"], ids=lambda c: f"{c['item']}={c['value']}")
def test_worked_item_examples(case: dict[str, Any]) -> None:
    code = item_class(case["item"], [case["value"]], lake=case["water"] == "lake")
    assert CLASS_LABELS[int(code[0])] == case["class"]


@pytest.mark.parametrize("case", EXAMPLES["section"], ids=lambda c: str(c["name"]))
def test_worked_section_examples(case: dict[str, Any]) -> None:
    result = assess_sample(case["values"], lake=case["water"] == "lake")
    assert result.water_class == case["class"]
    assert result.status == case["status"]
    assert result.main_pollutants == case["main_pollutants"]
    assert result.exceedance == case["exceedance"]


def test_float_noise_at_a_limit_does_not_change_the_class() -> None:
    mean = np.mean([0.1, 0.2, 0.3])  # 0.20000000000000004
    assert mean > 0.2
    assert item_class("TP", [mean]).tolist() == [3]
    assert item_class("TP", [0.2000001]).tolist() == [4]  # a real difference still counts


def test_nan_is_no_value_and_water_temperature_has_no_class() -> None:
    assert item_class("NH3N", [np.nan, 0.1]).tolist() == [0, 1]
    with pytest.raises(ValueError, match="no GB 3838 class"):
        item_class("WT", [20.0])


@pytest.mark.parametrize(("item", "value"), [("NH3N", -0.1), ("pH", 15.0), ("TP", float("inf"))])
def test_impossible_values_raise(item: str, value: float) -> None:
    with pytest.raises(ValueError, match=item):
        item_class(item, [value])


def test_lake_flag_per_row() -> None:
    codes = item_class("TP", [0.05, 0.05, 0.15], lake=np.array([True, False, True]))
    assert codes.tolist() == [3, 2, 5]
    frame = pd.DataFrame({"TP": [0.05, 0.05], "NH3N": [0.1, 0.1]})
    assert section_class(frame, lake=[True, False]).tolist() == [3, 2]
    result = assess(frame, lake=np.array([True, False]))
    assert result.section_class.tolist() == [3, 2]


def test_exceedance_multiple() -> None:
    # 环办[2011]22号: (C − S_III) / S_III; lake TP against 0.05.
    assert exceedance_multiple("NH3N", [2.3, 0.5]).tolist() == [1.3, -0.5]
    assert exceedance_multiple("TP", [0.1], lake=True).tolist() == [1.0]
    for item in ("pH", "DO", "WT"):
        with pytest.raises(ValueError, match="no exceedance multiple"):
            exceedance_multiple(item, [1.0])


def test_frame_assessment_matches_one_by_one() -> None:
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame(
        {
            "pH": rng.uniform(5.5, 9.5, n),
            "DO": rng.uniform(1, 9, n),
            "CODMn": rng.uniform(1, 18, n),
            "w21003": rng.uniform(0, 2.5, n),
            "TP": rng.uniform(0, 0.5, n),
            "Pb": rng.uniform(0, 0.12, n),
            "CN": rng.uniform(0, 0.25, n),
            "TN": rng.uniform(0, 3, n),
        }
    )
    frame.iloc[::7, 3] = np.nan
    batch = assess(frame)
    table = batch.to_frame()
    for i in range(0, n, 13):
        values = {str(k): float(v) for k, v in frame.iloc[i].items() if not np.isnan(v)}
        one = assess_sample(values)
        assert table["label"].iloc[i] == one.water_class
        assert table["status"].iloc[i] == one.status
        named = [p for p in batch.main_pollutants[i].tolist() if p is not None]
        assert named == one.main_pollutants
    assert np.array_equal(batch.section_class, section_class(frame))


def test_frame_columns_must_be_items() -> None:
    with pytest.raises(ValueError, match="unknown item"):
        assess(pd.DataFrame({"station": ["a"], "NH3N": [0.1]}))
    with pytest.raises(ValueError, match="both NH3N"):
        assess(pd.DataFrame({"NH3N": [0.1], "w21003": [0.2]}))


def test_section_without_assessed_items_is_unclassed() -> None:
    frame = pd.DataFrame({"TN": [3.0], "WT": [20.0]})
    assert section_class(frame).tolist() == [0]
    with pytest.raises(ValueError, match="no assessed item"):
        assess_sample({"TN": 3.0})


def test_status_and_colour_by_class() -> None:
    # 环办[2011]22号 (reference §2.3): I–II 优, III 良好, IV 轻度污染, V 中度污染, 劣V 重度污染.
    assert status_of([1, 2, 3, 4, 5, 6]).tolist() == ["优", "优", "良好", "轻度污染", "中度污染", "重度污染"]
    colours = assess(pd.DataFrame({"NH3N": [0.1, 0.8, 1.2, 1.8, 2.5]})).to_frame()["colour"]
    assert colours.tolist() == ["blue", "green", "yellow", "orange", "red"]


def test_main_pollutants_at_most_three_and_ties_in_table_order() -> None:
    # Equal class and multiple: GB 3838 Table 1 order decides (CODMn before COD before BOD5).
    values = {"CODMn": 12.0, "COD": 40.0, "BOD5": 8.0, "NH3N": 3.0}
    result = assess_sample(values)
    assert result.main_pollutants == ["NH3N", "CODMn", "COD"]
    assert result.exceedance["CODMn"] == result.exceedance["COD"] == 1.0


def test_dissolved_oxygen_can_be_named_after_items_with_multiples() -> None:
    result = assess_sample({"DO": 2.5, "NH3N": 1.8})  # both class V; DO has no multiple
    assert result.main_pollutants == ["NH3N", "DO"]
    assert "DO" not in result.exceedance


_LE_ITEMS = sorted(LIMITS)


@given(
    item=st.sampled_from(_LE_ITEMS),
    a=st.floats(min_value=0, max_value=1e5, allow_nan=False),
    b=st.floats(min_value=0, max_value=1e5, allow_nan=False),
    lake=st.booleans(),
)
def test_higher_concentration_never_gives_a_better_class(item: str, a: float, b: float, lake: bool) -> None:
    low, high = sorted((a, b))
    codes = item_class(item, [low, high], lake=lake)
    assert codes[0] <= codes[1]


@given(a=st.floats(min_value=0, max_value=20), b=st.floats(min_value=0, max_value=20))
def test_more_dissolved_oxygen_never_gives_a_worse_class(a: float, b: float) -> None:
    low, high = sorted((a, b))
    codes = item_class("DO", [low, high])
    assert codes[0] >= codes[1]


@given(
    values=st.dictionaries(
        st.sampled_from(ASSESSED_ITEMS[2:]), st.floats(min_value=0, max_value=100), min_size=1, max_size=8
    ),
    extra=st.sampled_from(ASSESSED_ITEMS[2:]),
    more=st.floats(min_value=0, max_value=100),
)
def test_section_class_is_the_worst_item_and_never_improves(
    values: dict[str, float], extra: str, more: float
) -> None:
    result = assess_sample(values)
    assert class_code(result.water_class) == max(class_code(c) for c in result.item_classes.values())
    worse = dict(values)
    worse[extra] = max(values.get(extra, 0.0), more)
    assert class_code(assess_sample(worse).water_class) >= class_code(result.water_class)
    named = result.main_pollutants
    assert len(named) <= 3
    assert (len(named) > 0) == (class_code(result.water_class) > 3)
