"""``lianfang water-class`` and ``lianfang river-grade``: JSON shapes, tables, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lianfang.cli import main

EXAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "water_examples.json").read_text(encoding="utf-8")
)


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("case", EXAMPLES["section"], ids=lambda c: str(c["name"]))
def test_water_class_json_shape_and_values(case: dict[str, Any]) -> None:
    args = ["water-class", "--json", *(f"{k}={v}" for k, v in case["values"].items())]
    if case["water"] == "lake":
        args.insert(1, "--lake")
    result = _run(*args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out) == ["class", "status", "item_classes", "main_pollutants", "exceedance"]
    assert out["class"] == case["class"]
    assert out["status"] == case["status"]
    assert out["main_pollutants"] == case["main_pollutants"]
    assert out["exceedance"] == case["exceedance"]
    assert set(out["item_classes"]) == set(case["values"])
    assert set(out["item_classes"].values()) <= {"I", "II", "III", "IV", "V", "劣V"}


def test_water_class_accepts_hj212_codes() -> None:
    result = _run("water-class", "--json", "w21003=1.2", "w01019=3", "w01009=7.6", "w01010=18")
    out = json.loads(result.stdout)
    assert out["item_classes"] == {"DO": "I", "CODMn": "II", "NH3N": "IV"}  # WT is not classed
    assert out["class"] == "IV"
    assert out["main_pollutants"] == ["NH3N"]
    assert out["exceedance"] == {"NH3N": 0.2}


def test_water_class_table() -> None:
    result = _run("water-class", "NH3N=2.3", "TP=0.32", "COD=24", "TN=3", "WT=20")
    assert result.exit_code == 0
    for text in ("NH3N", "劣V", "重度污染", "main pollutant 1", "reference item", "not classed", "1.30"):
        assert text in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NH3N=abc"], "not a number"),
        (["XX=1"], "unknown item"),
        (["NH3N"], "not ITEM=VALUE"),
        (["NH3N=-1"], "impossible"),
        (["NH3N=inf"], "finite"),
        (["NH3N=1", "w21003=1"], "given twice"),
        (["TN=1"], "no assessed item"),
        ([], "at least one"),
    ],
)
def test_water_class_bad_input_is_one_line_exit_2(args: list[str], message: str) -> None:
    result = _run("water-class", "--json", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("case", EXAMPLES["river_grade"], ids=lambda c: f"{c['status']}-{len(c['classes'])}")
def test_river_grade_json(case: dict[str, Any]) -> None:
    result = _run("river-grade", "--json", *case["classes"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out == {
        "status": case["status"],
        "share_I_III": case["share_I_III"],
        "share_worse_than_V": case["share_worse_than_V"],
    }
    assert ("Note:" in result.stderr) == case.get("note", False)


def test_river_grade_table_and_errors() -> None:
    result = _run("river-grade", "Ⅰ", "Ⅱ", "Ⅲ", "劣Ⅴ", "IV")
    assert result.exit_code == 0
    assert "中度污染" in result.stdout
    few = _run("river-grade", "--json", "I", "II")
    assert few.exit_code == 2
    assert "averaging" in few.stderr
    bad = _run("river-grade", "I", "II", "III", "IV", "VI")
    assert bad.exit_code == 2
    assert "unknown water class" in bad.stderr


def test_console_script_end_to_end() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lianfang", "water-class", "--json", "--lake", "TP=0.06", "NH3N=0.3"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["class"] == "IV"
