"""``lianfang store compact`` on a real DuckDB store."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from lianfang.cli import main
from lianfang.model import BEIJING, DataKind, Observation, ObservationBatch
from lianfang.store.duckdb import open_store


def test_compact_orders_cold_months_once(data_dir: Path) -> None:
    batch = ObservationBatch()
    start = datetime(2024, 3, 1, tzinfo=BEIJING)
    for hour in range(24 * 40):  # March and part of April 2024, long cold
        for mn in ("B", "A"):
            batch.append(Observation(mn, "w21003", DataKind.HOUR, start + timedelta(hours=hour), 0.5))
    with open_store(data_dir / "lianfang.duckdb") as store:
        store.write_observations(batch)
    args = ["store", "compact", "--data", str(data_dir)]
    first = CliRunner().invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("compacted 2 month(s): 1,920 rows in 2 transaction(s)")
    again = CliRunner().invoke(main, args, catch_exceptions=False)
    assert again.output == "nothing to compact\n"
    with open_store(data_dir / "lianfang.duckdb", read_only=True) as store:
        order = store._fetch("SELECT sid, time FROM observations ORDER BY rowid", action="test")
    assert order == sorted(order, key=lambda r: (r[1].month, r[0], r[1]))  # month by month


def test_compact_needs_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["store", "compact", "--data", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1
