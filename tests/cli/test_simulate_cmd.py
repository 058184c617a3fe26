"""``lianfang simulate``: station listing, registration, and a short run against a real socket."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianfang.cli import main
from lianfang.cli.simulate_cmd import STATION_CSV_COLUMNS
from lianfang.credentials import verify_secret
from lianfang.store import open_store
from tests.sim.tiny_platform import TinyPlatform


@pytest.fixture
def platform() -> Iterator[tuple[TinyPlatform, int]]:
    """A tiny HJ 212 platform on its own event loop in a thread (the command runs its own loop)."""
    tiny = TinyPlatform()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        port.append(loop.run_until_complete(tiny.start())[1])
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    yield tiny, port[0]
    asyncio.run_coroutine_threadsafe(tiny.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_list_stations_as_csv_for_station_import() -> None:
    result = CliRunner().invoke(main, ["simulate", "--list-stations", "--format", "csv", "--stations", "6"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 6
    assert tuple(rows[0]) == STATION_CSV_COLUMNS
    assert {r["jurisdiction"] for r in rows} == {"SC", "CQ"}
    assert {r["kind"] for r in rows} == {"water", "air"}
    assert all(r["simulated"] == "true" and len(r["mn"]) == 24 and len(r["password"]) == 6 for r in rows)


def test_a_short_run_pushes_to_the_target_and_stops(platform: tuple[TinyPlatform, int]) -> None:
    tiny, port = platform
    result = CliRunner().invoke(
        main,
        ["simulate", "--target", f"127.0.0.1:{port}", "--stations", "3", "--speedup", "36000",
         "--duration", "1.5", "--start", "2025-07-01T08:00"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    hourly = [u for u in tiny.uploads("2061")]
    assert len({u.mn for u in hourly}) == 3
    assert min(u.data_time for u in hourly if u.data_time).isoformat() == "2025-07-01T08:00:00+08:00"
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("simulate ")
    assert "stations=3" in last_line
    assert "acked=" in last_line


def test_register_writes_the_stations_into_the_store(data_dir: Path) -> None:
    # nothing listens on the target: the loggers just retry until --duration ends
    result = CliRunner().invoke(
        main,
        ["simulate", "--register", str(data_dir), "--stations", "2", "--target", "127.0.0.1:9",
         "--duration", "0.3", "--secret", "s3cret"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "registered 2 simulated stations" in result.stderr
    listed = CliRunner().invoke(
        main, ["simulate", "--list-stations", "--format", "csv", "--stations", "2", "--secret", "s3cret"]
    )
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    with open_store(data_dir / "lianfang.duckdb") as store:
        for row in rows:
            station = store.station(row["mn"])
            assert station is not None
            assert station.simulated
            assert verify_secret(row["password"], station.password_hash)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "nowhere"], "is not HOST:PORT"),
        (["--target", "127.0.0.1:70000"], "is not HOST:PORT"),
        (["--start", "yesterday"], "is not an ISO 8601 time"),
        (["--faults", "2"], "2"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["simulate", *args, "--duration", "0"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_the_station_csv_imports_with_station_import(tmp_path: Path, data_dir: Path) -> None:
    listed = CliRunner().invoke(main, ["simulate", "--list-stations", "--format", "csv", "--stations", "5"])
    csv_file = tmp_path / "stations.csv"
    csv_file.write_text(listed.stdout, encoding="utf-8")
    result = CliRunner().invoke(main, ["station", "import", "--data", str(data_dir), str(csv_file)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    with open_store(data_dir / "lianfang.duckdb") as store:
        for row in rows:
            station = store.station(row["mn"])
            assert station is not None
            assert station.simulated
            assert station.name == row["name"]
            assert str(station.section_level.value if station.section_level else "") == row["section_level"]
            assert verify_secret(row["password"], station.password_hash)
