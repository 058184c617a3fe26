"""Compaction (lianfang.store.compaction) on a real DuckDB file: every row kept, cold months put
in (sid, time) order, reads and writes during it, a kill -9 in the middle, the background thread."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from lianfang.model import BEIJING, DataKind
from lianfang.store.base import ObservationQuery, ObservationSlice
from lianfang.store.compaction import cold_months
from lianfang.store.duckdb import DuckDBStore, open_store

START = datetime(2024, 3, 1, tzinfo=BEIJING)
NOW = datetime(2024, 5, 20, tzinfo=BEIJING)  # March and April are cold, May is not
STATIONS, PARAMS = 40, ("w01001", "w21003")
MARCH, APRIL = datetime(2024, 3, 1, tzinfo=BEIJING), datetime(2024, 4, 1, tzinfo=BEIJING)


def hourly(stations: int, first: datetime, hours: int, *, prefix: str = "8888888000") -> pa.Table:
    """Hour-major rows (as ingest writes them) of ``stations`` × PARAMS from ``first``."""
    mns = np.array([f"{prefix}{i:04d}" for i in range(stations)], dtype=object)
    n = hours * stations * len(PARAMS)
    hour = np.repeat(np.arange(hours), stations * len(PARAMS))
    start = np.datetime64(first.astimezone(BEIJING).replace(tzinfo=None) - timedelta(hours=8), "us")
    return pa.table(
        {
            "mn": pa.array(np.tile(np.repeat(mns, len(PARAMS)), hours), pa.string()),
            "param": pa.array(np.tile(np.array(PARAMS, dtype=object), stations * hours), pa.string()),
            "kind": pa.array(["hour"] * n, pa.string()),
            "time": pa.array(start + hour.astype("timedelta64[h]"), pa.timestamp("us", tz="UTC")),
            "value": pa.array(np.arange(n) % 97 / 7.0),
            "flag": pa.array(["N"] * n, pa.string()),
        }
    )


def fill(store: DuckDBStore) -> None:
    hours = int((NOW - START).total_seconds() // 3600)
    table = hourly(STATIONS, START, hours)
    for offset in range(0, table.num_rows, 24 * STATIONS * len(PARAMS)):  # a day per commit
        store.write_observation_table(table.slice(offset, 24 * STATIONS * len(PARAMS)))


@pytest.fixture
def filled(store: DuckDBStore) -> DuckDBStore:
    fill(store)
    return store


def everything(store: DuckDBStore) -> list[tuple[Any, ...]]:
    """A fingerprint of the table's rows: changes if any row is lost, doubled or altered."""
    return store._fetch(
        "SELECT count(*), count(DISTINCT (sid, time)), "
        "sum(hash(mn, param, kind, time, value, flag, qn, received_at, sid)::HUGEINT) FROM observations",
        action="test",
    )


def stored_order(store: DuckDBStore, start: datetime, end: datetime) -> list[tuple[int, datetime]]:
    """(sid, time) of a month's rows in the order they are stored."""
    return [
        (sid, t)
        for sid, t in store._fetch(
            "SELECT sid, time FROM observations WHERE time >= ? AND time < ? ORDER BY rowid",
            [start, end],
            action="test",
        )
    ]


def test_cold_months_are_put_in_series_order_and_keep_every_row(filled: DuckDBStore) -> None:
    before = everything(filled)
    latest = filled.latest().to_pylist()
    report = filled.compact(now=NOW, step_rows=20_000)
    assert (report.months, report.rows) == (2, 40 * 2 * 24 * (31 + 30))
    assert report.steps >= 4  # months are taken in several transactions
    assert everything(filled) == before
    assert filled.latest().to_pylist() == latest
    for start, end in ((MARCH, APRIL), (APRIL, datetime(2024, 5, 1, tzinfo=BEIJING))):
        order = stored_order(filled, start, end)
        assert order == sorted(order)
    may = stored_order(filled, datetime(2024, 5, 1, tzinfo=BEIJING), NOW)
    assert may != sorted(may)  # the month that is not cold yet stays in arrival order
    ledger = filled._fetch("SELECT month, rows FROM observation_compactions ORDER BY 1", action="test")
    assert ledger == [(MARCH, 40 * 2 * 24 * 31), (APRIL, 40 * 2 * 24 * 30)]
    assert filled.compact(now=NOW).steps == 0  # nothing left to do


def test_a_month_that_grew_is_compacted_again(filled: DuckDBStore) -> None:
    filled.compact(now=NOW)
    filled.write_observation_table(hourly(3, MARCH, 24 * 31, prefix="LATE"))  # +7.5 % backfill
    with filled._cursor() as con:
        assert [m.start for m in cold_months(con, NOW)] == [MARCH]
    report = filled.compact(now=NOW)
    assert report.months == 1
    order = stored_order(filled, MARCH, APRIL)
    assert order == sorted(order)


def test_station_reads_skip_row_groups_after_compaction(store_path: Path) -> None:
    """MNs share a long prefix (as real ones do): only the sid condition lets DuckDB skip row groups."""
    station = "88888880000042"
    with open_store(store_path) as store:
        table = hourly(100, START, 24 * 61)  # March and April: 292,800 rows, three row groups
        for offset in range(0, table.num_rows, 100_000):
            store.write_observation_table(table.slice(offset, 100_000))
        condition = store._series.condition([station])
        assert condition is not None
        before = _row_groups_read(store, f"mn = '{station}' AND {condition[0]}", condition[1])
        store.compact(now=NOW)
        after = _row_groups_read(store, f"mn = '{station}' AND {condition[0]}", condition[1])
        by_name = _row_groups_read(store, f"mn = '{station}'", [])
    assert before == (3, 3)
    assert after == (2, 3)  # one per month
    assert by_name == (3, 3)


def _row_groups_read(store: DuckDBStore, where: str, params: list[int]) -> tuple[int, int]:
    """(row groups read, row groups in the table) when counting the rows ``where`` holds."""
    profile = store.path.parent / "profile.json"
    with store._cursor() as con:
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{profile}'")
        rows = con.execute(f"SELECT count(*) FROM observations WHERE {where}", params).fetchall()
        con.execute("PRAGMA disable_profiling")
    assert rows == [(2 * 24 * 61,)]
    query = json.loads(profile.read_text())["query"]
    return int(query["total_row_groups_scanned"]), int(query["total_row_groups_to_scan"])


def test_reads_and_writes_go_on_during_compaction(filled: DuckDBStore) -> None:
    mns = tuple(f"8888888000{i:04d}" for i in range(STATIONS))
    march = [ObservationSlice(mns=mns, kinds=(DataKind.HOUR,), start=MARCH, end=APRIL)]
    expected = filled.count_slices(march)
    counts: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            counts.append(filled.count_slices(march))

    reader = threading.Thread(target=read)
    reader.start()
    late = hourly(2, MARCH, 24 * 31, prefix="LATE")
    futures = []
    try:
        compacting = threading.Thread(target=filled.compact, kwargs={"now": NOW, "step_rows": 5_000})
        compacting.start()
        for offset in range(0, late.num_rows, 48):  # small backfill batches meanwhile
            futures.append(filled.submit_observation_table(late.slice(offset, 48)))
        compacting.join()
    finally:
        stop.set()
        reader.join()
    assert all(f.result(timeout=30).inserted == 48 for f in futures)
    assert counts
    assert all(expected <= c <= expected + late.num_rows for c in counts)
    assert filled.count_slices(march) == expected
    assert filled.read_observations(ObservationQuery(mns=["LATE0001"])).num_rows == late.num_rows // 2


_COMPACT = """
import sys
from datetime import datetime
from lianfang.model import BEIJING
from lianfang.store.duckdb import open_store

store = open_store(sys.argv[1])
print("start", flush=True)
store.compact(now=datetime(2024, 5, 20, tzinfo=BEIJING), step_rows=2_000)
print("finished", flush=True)
"""


def test_kill_9_during_compaction_loses_nothing(store_path: Path) -> None:
    with open_store(store_path) as store:
        fill(store)
        before = everything(store)
    child = subprocess.Popen(
        [sys.executable, "-c", _COMPACT, str(store_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "start\n"
        time.sleep(0.5)  # some steps done, not all (about 60 of 2,000 rows each)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    with open_store(store_path) as store:
        assert everything(store) == before
        done = store._fetch("SELECT count(*) FROM observation_compactions", action="test")
        assert done in ([(0,)], [(1,)])  # killed in the middle
        store.compact(now=NOW)
        assert everything(store) == before
        done = store._fetch("SELECT count(*) FROM observation_compactions", action="test")
    assert done == [(2,)]


@pytest.fixture
def quick_compaction(monkeypatch: pytest.MonkeyPatch) -> None:
    from lianfang.store import compaction

    monkeypatch.setattr(compaction.MaintenanceThread, "BUSY_ROWS", 1_000_000)


def test_background_compaction_runs_and_stops_at_close(store_path: Path, quick_compaction: None) -> None:
    with open_store(store_path) as store:
        store.write_observation_table(hourly(5, MARCH, 24 * 31))  # long cold by now
        store.start_compaction(interval=0.05)
        deadline = time.monotonic() + 20
        while not store._fetch("SELECT * FROM observation_compactions", action="test"):
            assert time.monotonic() < deadline, "the background compaction did not run"
            time.sleep(0.05)
        started = time.monotonic()
    assert time.monotonic() - started < 5
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        order = con.execute("SELECT sid, time FROM observations ORDER BY rowid").fetchall()
    finally:
        con.close()
    assert order == sorted(order)
