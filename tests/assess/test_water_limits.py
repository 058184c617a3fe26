"""GB 3838-2002 Table 1 constants against an independent copy of the table, item names and units."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from lianfang.assess.water_limits import (
    ALL_ITEMS,
    ASSESSED_ITEMS,
    CLASS_LABELS,
    DO_LIMITS,
    HJ212_DEFAULT_UNITS,
    HJ212_ITEMS,
    LAKE_TP_LIMITS,
    LIMITS,
    REFERENCE_ITEMS,
    UnknownItemError,
    canonical_item,
    class_code,
    class_iii_limit,
    class_label,
    to_gb3838_unit,
)

VECTORS = Path(__file__).parents[1] / "vectors"


def _table1() -> list[dict[str, str]]:
    with (VECTORS / "water_gb3838_table1.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def test_limits_match_table1_transcription() -> None:
    rows = {r["item_code_en"]: r for r in _table1()}
    assert tuple(rows) == ALL_ITEMS
    for item, limits in LIMITS.items():
        expected = tuple(float(rows[item][c]) for c in ("I", "II", "III", "IV", "V"))
        assert limits == expected, item
    assert tuple(float(rows["DO"][c].split()[0]) for c in ("I", "II", "III", "IV", "V")) == DO_LIMITS
    assert tuple(float(rows["TP"][f"lake_{c}"]) for c in ("I", "II", "III", "IV", "V")) == LAKE_TP_LIMITS
    # Every "≤" item of the table is in LIMITS; pH, DO and WT are handled by their own rules.
    le_items = {i for i, r in rows.items() if r["direction"] == "<="}
    assert le_items == set(LIMITS)


def test_limits_never_decrease_with_class() -> None:
    for item, limits in (*LIMITS.items(), ("TP lake", LAKE_TP_LIMITS)):
        assert list(limits) == sorted(limits), item
    assert list(DO_LIMITS) == sorted(DO_LIMITS, reverse=True)


def test_assessed_items_are_the_21_of_the_2011_method() -> None:
    # 环办[2011]22号 (reference §2.1): Table 1 without water temperature, TN and faecal coliforms.
    assert len(ASSESSED_ITEMS) == 21
    assert set(ALL_ITEMS) - set(ASSESSED_ITEMS) == {"WT", "TN", "FC"}
    assert "COD" in ASSESSED_ITEMS  # one web copy of the list drops COD (reference §6 item 5)
    assert set(REFERENCE_ITEMS) == {"TN", "FC"}


@pytest.mark.parametrize(
    ("name", "item"),
    [
        ("w21003", "NH3N"),
        ("W01019", "CODMn"),
        ("w21011", "TP"),
        ("nh3n", "NH3N"),
        ("PH", "pH"),
        (" Cr6 ", "Cr6"),
    ],
)
def test_canonical_item_accepts_names_and_hj212_codes(name: str, item: str) -> None:
    assert canonical_item(name) == item


@pytest.mark.parametrize("name", ["NH3-N", "w20116", "", "TOC", "w01014"])
def test_unknown_items_raise(name: str) -> None:
    with pytest.raises(UnknownItemError, match="unknown item"):
        canonical_item(name)


def test_hj212_mapping_covers_every_item_once() -> None:
    assert set(HJ212_ITEMS.values()) == set(ALL_ITEMS) - {"LAS"}  # no LAS code in HJ 212-2017 Table B.1
    assert len(set(HJ212_ITEMS.values())) == len(HJ212_ITEMS)
    assert set(HJ212_DEFAULT_UNITS) <= set(HJ212_ITEMS)


def test_unit_conversion() -> None:
    # HJ 212 sends Pb in µg/L by default; GB 3838 limits are in mg/L.
    assert to_gb3838_unit("w20120", [50.0], HJ212_DEFAULT_UNITS["w20120"]).tolist() == [0.05]
    assert to_gb3838_unit("NH3N", 1.5, "mg/L") == 1.5
    assert to_gb3838_unit("FC", 300, "个/L") == 300
    with pytest.raises(ValueError, match="unknown concentration unit"):
        to_gb3838_unit("Pb", 1, "ppm")
    with pytest.raises(ValueError, match="measured in"):
        to_gb3838_unit("pH", 7, "mg/L")


def test_class_iii_limit() -> None:
    assert class_iii_limit("TP") == 0.2
    assert class_iii_limit("TP", lake=True) == 0.05
    assert class_iii_limit("w21003") == 1.0
    with pytest.raises(ValueError, match="no exceedance multiple"):
        class_iii_limit("DO")


def test_class_labels_round_trip() -> None:
    assert class_label(np.arange(7)).tolist() == list(CLASS_LABELS)
    for code, label in enumerate(CLASS_LABELS[1:], start=1):
        assert class_code(label) == code
    assert class_code("劣Ⅴ") == 6
    assert class_code("Ⅲ") == 3
    assert class_code("iv") == 4
    with pytest.raises(ValueError, match="unknown water class"):
        class_code("VI")
