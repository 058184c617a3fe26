"""`lianfang observations`: the JSON/CSV/table shapes other tools rely on (issue 2 §7)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lianfang.cli import main
from lianfang.model import BEIJING, DataKind, Observation, ObservationBatch
from lianfang.store.duckdb import open_store
from tests.conftest import store_held_by_another_process

T0 = datetime(2024, 5, 1, 8, tzinfo=BEIJING)


@pytest.fixture
def data(data_dir: Path) -> Path:
    b = ObservationBatch()
    for h in range(4):
        b.append(Observation("SC01", "w21003", DataKind.HOUR, T0 + timedelta(hours=h), 0.25 * h))
    b.append(Observation("SC01", "w01001", DataKind.HOUR, T0, None, "D"))
    b.append(Observation("CQ01", "a34004", DataKind.DAY, T0 - timedelta(hours=8), math.nan))
    b.append(Observation("CQ01", "a34004", DataKind.RTD, T0 + timedelta(seconds=37), 35.0))
    with open_store(data_dir / "lianfang.duckdb") as store:
        store.write_observations(b)
    return data_dir


def run(data: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["observations", "--data", str(data), *args], catch_exceptions=False)


def lines(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_lines_shape(data: Path) -> None:
    rows = lines(run(data, "--format", "json"))
    assert rows[0] == {
        "mn": "CQ01",
        "param": "a34004",
        "kind": "day",
        "time": "2024-05-01T00:00:00+08:00",
        "value": None,  # NaN has no JSON form
        "flag": "N",
    }
    assert list(rows[0]) == ["mn", "param", "kind", "time", "value", "flag"]
    assert rows[1] == {
        "mn": "CQ01",
        "param": "a34004",
        "kind": "rtd",
        "time": "2024-05-01T08:00:37+08:00",
        "value": 35.0,
        "flag": "N",
    }
    assert [(r["mn"], r["param"]) for r in rows] == sorted((r["mn"], r["param"]) for r in rows)
    assert len(rows) == 7
    assert lines(run(data)) == rows  # json is the default


def test_filters(data: Path) -> None:
    rows = lines(run(data, "--station", "SC01", "--param", "w21003", "--kind", "hour"))
    assert [r["value"] for r in rows] == [0.0, 0.25, 0.5, 0.75]
    assert [r["mn"] for r in lines(run(data, "--station", "CQ01", "--station", "XX"))] == ["CQ01", "CQ01"]
    assert [r["kind"] for r in lines(run(data, "--kind", "rtd", "--kind", "day"))] == ["day", "rtd"]
    assert lines(run(data, "--station", "nobody")) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-05-01T09:00", "2024-05-01T11:00", ["09", "10"]),  # naive = Beijing time
        ("2024-05-01T01:00:00Z", "2024-05-01T03:00+00:00", ["09", "10"]),
        ("2024-05-01 10:00", "2024-05-02", ["10", "11"]),
        ("20240501090000", "2024050110", ["09"]),  # HJ 212 DataTime form
    ],
)
def test_from_to(data: Path, start: str, end: str, expected: list[str]) -> None:
    rows = lines(run(data, "--param", "w21003", "--from", start, "--to", end))
    assert [str(r["time"])[11:13] for r in rows] == expected


def test_bad_times(data: Path) -> None:
    assert run(data, "--from", "yesterday").exit_code == 2
    backwards = run(data, "--from", "2024-05-02", "--to", "2024-05-01")
    assert backwards.exit_code == 2
    assert "is not after" in backwards.output


def test_limit(data: Path) -> None:
    assert len(lines(run(data, "--limit", "2"))) == 2


def test_csv(data: Path) -> None:
    result = run(data, "--format", "csv", "--station", "SC01")
    assert result.exit_code == 0
    out = result.stdout.splitlines()
    assert out[0] == "mn,param,kind,time,value,flag"
    assert out[1] == "SC01,w01001,hour,2024-05-01T08:00:00+08:00,,D"
    assert out[2] == "SC01,w21003,hour,2024-05-01T08:00:00+08:00,0.0,N"
    assert len(out) == 6


def test_table(data: Path) -> None:
    result = run(data, "--format", "table", "--station", "SC01", "--param", "w21003")
    assert result.exit_code == 0
    assert "4 observations" in result.stdout
    assert "2024-05-01T11:00:00+08:00" in result.stdout
    assert "0.75" in result.stdout


def test_no_store_is_one_line(data_dir: Path) -> None:
    result = run(data_dir)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "no store" in result.stderr
    assert not (data_dir / "lianfang.duckdb").exists()  # reading creates nothing


def test_store_held_by_a_server_points_to_the_api(data: Path) -> None:
    with store_held_by_another_process(data / "lianfang.duckdb"):
        result = run(data)
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1
        assert "in use by another process" in result.stderr
        assert "HTTP API" in result.stderr
