"""``lianfang aqi``: the JSON contract, the default edition by date, the table, one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lianfang.cli import main

DAY12 = ["so2_24h=5", "no2_24h=10", "co_24h=0.5", "o3_1h=20", "o3_8h=20", "pm10_24h=20"]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["aqi", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_contract() -> None:
    code, out, _ = _run("--standard", "HJ633-2012", "--period", "day", "--json", *DAY12, "pm25_24h=80")
    assert code == 0
    assert json.loads(out) == {
        "standard": "HJ633-2012",
        "period": "day",
        "aqi": 107,
        "level": 3,
        "category": "轻度污染",
        "colour": "#FF7E00",
        "primary_pollutants": ["PM2.5"],
        "iaqi": {"SO2": 5, "NO2": 13, "CO": 13, "O3_1h": 7, "O3_8h": 10, "PM10": 20, "PM2.5": 107},
    }
    assert out.count("\n") == 1


def test_default_edition_follows_date() -> None:
    _, before, _ = _run("--date", "2026-02-28", "--json", "pm25_24h=80")
    _, after, _ = _run("--date", "2026-03-01", "--json", "pm25_24h=80")
    assert json.loads(before)["standard"] == "HJ633-2012"
    assert json.loads(before)["aqi"] == 107
    assert json.loads(after)["standard"] == "HJ633-2026"
    assert json.loads(after)["aqi"] == 119
    _, named, _ = _run("--date", "2026-03-01", "--standard", "HJ633-2012", "--json", "pm25_24h=80")
    assert json.loads(named)["standard"] == "HJ633-2012"


def test_not_published_is_null() -> None:
    code, out, _ = _run("--standard", "HJ633-2026", "--json", "pm25_24h=50")
    assert code == 0
    got = json.loads(out)
    assert (got["aqi"], got["level"], got["category"], got["colour"]) == (None, None, None, None)
    assert got["primary_pollutants"] == []
    assert got["iaqi"] == {"PM2.5": 80}


def test_hour_period() -> None:
    code, out, _ = _run("--standard", "HJ633-2026", "--period", "hour", "--json", "so2_1h=801", "pm25_1h=10")
    assert code == 0
    got = json.loads(out)
    assert got["period"] == "hour"
    assert got["iaqi"] == {"SO2": 200, "PM2.5": 15}
    assert got["primary_pollutants"] == ["SO2"]


def test_table_output() -> None:
    hour = ["no2_1h=10", "co_1h=0.5", "o3_1h=20", "o3_8h=20", "pm10_1h=20", "pm25_1h=10"]
    args = ["--standard", "HJ633-2012", "--period", "hour", "so2_1h=900", "so2_24h=100", "pm25_24h=3", *hour]
    code, out, _ = _run(*args)
    assert code == 0
    assert "HJ633-2012 hour report" in out
    assert "AQI 75" in out
    assert "so2_24h" in out  # SO2 shown from its 24-h mean
    assert "note 2" in out
    assert "ignored (not used by this report): pm25_24h" in out
    _, partial, _ = _run("--standard", "HJ633-2026", "pm25_24h=50")
    assert "AQI NA" in partial


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "at least one KEY=VALUE"),
        (("pm25=3",), "unknown key 'pm25'"),
        (("pm25_24h",), "is not KEY=VALUE"),
        (("pm25_24h=abc",), "is not a number"),
        (("pm25_24h=inf",), "not a finite number"),
        (("pm25_24h=-1",), "negative"),
        (("pm25_24h=1", "PM25_24H=2"), "given twice"),
        (("--date", "2026-02-30", "pm25_24h=1"), "not YYYY-MM-DD"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: tuple[str, ...], message: str) -> None:
    code, out, err = _run(*args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err
