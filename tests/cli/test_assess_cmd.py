"""``lianfang assess air|water`` on the generated store: JSON contract, CSV, tables, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianfang.cli import main
from lianfang.reports.records import AIR_EVALUATION_KEYS
from tests.reports.fixture_store import shared_store


@pytest.fixture
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_store(tmp_path_factory)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["assess", *args])
    return result.exit_code, result.stdout, result.stderr


def test_city_year_json_contract(generated_data: Path) -> None:
    code, out, err = _run(
        "air", "--data", str(generated_data), "--jurisdiction", "SC", "--year", "2025", "--format", "json"
    )
    assert code == 0, err
    assert out.count("\n") == 1
    got = json.loads(out)
    assert tuple(got) == AIR_EVALUATION_KEYS
    assert got == {
        "year": 2025,
        "standard": "HJ633-2012",
        "pm25_mean": 47.1,
        "pm10_mean": 70.7,
        "so2_mean": 10.0,
        "no2_mean": 30.0,
        "co_p95": 0.8,
        "o3_8h_p90": 80.0,
        "valid_days": 365,
        "good_days": 355,
        "good_day_rate": 97.3,
        "heavy_or_worse_days": 10,
    }
    assert "144 values excluded (flag M 144)" in err


def test_station_and_month_json(generated_data: Path) -> None:
    code, out, _ = _run(
        "air",
        "--data",
        str(generated_data),
        "--station",
        "SC-AIR-1",
        "--month",
        "2025-01",
        "--format",
        "json",
    )
    assert code == 0
    got = json.loads(out)
    assert (got["mn"], got["month"], got["pm25_mean"], got["heavy_or_worse_days"]) == (
        "SC-AIR-1",
        "2025-01",
        round((21 * 30 + 3000) / 31, 1),
        10,
    )


def test_invalid_year_is_null_with_a_note(generated_data: Path) -> None:
    code, out, err = _run(
        "air", "--data", str(generated_data), "--jurisdiction", "CQ", "--year", "2025", "--format", "json"
    )
    assert code == 0
    got = json.loads(out)
    assert got["pm25_mean"] is None
    assert got["valid_days"] == 31
    assert "lack the valid days HJ 663 requires" in err
    assert "simulated" in err
    _, lenient, _ = _run(
        "air",
        "--data",
        str(generated_data),
        "--jurisdiction",
        "CQ",
        "--year",
        "2025",
        "--format",
        "json",
        "--lenient",
    )
    assert json.loads(lenient)["pm25_mean"] == round((21 * 20 + 3000) / 31, 1)


def test_every_jurisdiction_and_csv(generated_data: Path) -> None:
    code, out, _ = _run("air", "--data", str(generated_data), "--month", "2025-01", "--format", "json")
    assert code == 0
    assert [row["jurisdiction"] for row in json.loads(out)] == ["CQ", "SC"]
    code, out, _ = _run("air", "--data", str(generated_data), "--month", "2025-01", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["scope"] for r in rows] == ["city CQ", "station", "city SC", "station", "station"]
    assert rows[2]["heavy_or_worse_days"] == "10"
    assert rows[2]["excluded_values"] == "0"


def test_daily_series(generated_data: Path) -> None:
    code, out, _ = _run(
        "air",
        "--data",
        str(generated_data),
        "--jurisdiction",
        "SC",
        "--from",
        "2025-01-04",
        "--to",
        "2025-01-05",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    city = [r for r in rows if r["scope"] == "city SC"]
    assert [(r["date"], r["aqi"], r["category"], r["primary_pollutants"]) for r in city] == [
        ("2025-01-04", 57, "良", ["PM2.5"]),
        ("2025-01-05", 350, "严重污染", ["PM2.5"]),
    ]
    assert city[0]["pm25"] == 40.0
    assert city[0]["standard"] == "HJ633-2012"
    assert len(rows) == 2 + 2 * 2  # the city, then each station
    code, table, _ = _run(
        "air",
        "--data",
        str(generated_data),
        "--jurisdiction",
        "SC",
        "--from",
        "2025-01-04",
        "--to",
        "2025-01-05",
    )
    assert code == 0
    assert "严重污染" in table
    assert "350" in table


def test_water_json_and_csv(generated_data: Path) -> None:
    code, out, err = _run("water", "--data", str(generated_data), "--month", "2025-01", "--format", "json")
    assert code == 0
    got = json.loads(out)
    assert set(got) == {
        "from",
        "to",
        "period",
        "sections",
        "rivers",
        "jurisdictions",
        "unclassed",
        "exclusions",
        "simulated",
    }
    assert got["exclusions"]["by_reason"] == {"flag D": 31}
    assert {j["jurisdiction"]: j["share_I_III"] for j in got["jurisdictions"]} == {"CQ": 40.0, "SC": 100.0}
    assert "not GB 3838 items" in err
    code, out, _ = _run(
        "water",
        "--data",
        str(generated_data),
        "--river",
        "嘉陵江",
        "--year",
        "2025",
        "--format",
        "csv",
        "--table",
        "rivers",
    )
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert (row["river"], row["period"], row["status"], row["share_I_III"]) == (
        "嘉陵江",
        "2025",
        "轻度污染",
        "66.7",
    )
    code, table, _ = _run("water", "--data", str(generated_data), "--station", "W-JL-6", "--month", "2025-01")
    assert code == 0
    assert "劣V" in table
    assert "NH3N(1.3)" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["air", "--year", "2025", "--month", "2025-01"], "one form"),
        (["air", "--year", "2025", "--jurisdiction", "XX"], "'XX' is not registered"),
        (["air", "--year", "2025", "--station", "W-JL-1"], "is a water station"),
        (["water", "--year", "2025", "--river", "长江"], "no water section on river"),
        (
            [
                "air",
                "--from",
                "2025-01-01",
                "--to",
                "2025-01-31",
                "--jurisdiction",
                "SC",
                "--station",
                "SC-AIR-1",
            ],
            "one of --station",
        ),
    ],
)
def test_errors_are_one_line(generated_data: Path, args: list[str], message: str) -> None:
    code, out, err = _run(*args[:1], "--data", str(generated_data), *args[1:])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err
    assert err.startswith("Error: ")


def test_no_store_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    code, _, err = _run("water", "--data", str(tmp_path), "--year", "2025")
    assert code == 2
    assert "no store in" in err
    assert list(tmp_path.iterdir()) == []
