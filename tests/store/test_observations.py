"""Reads, and group commit under concurrent submitters, on a real DuckDB file."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from lianfang.errors import InputError, StoreError
from lianfang.model import DataKind, Observation, ObservationBatch, WriteResult
from lianfang.store.base import OBSERVATION_SCHEMA, ObservationQuery
from lianfang.store.duckdb import DuckDBStore, open_store

from .conftest import T0, batch, hours


def _fill(store: DuckDBStore) -> None:
    b = ObservationBatch()
    for mn in ("A", "B"):
        for param in ("w01001", "w21003"):
            for h in range(5):
                b.append(Observation(mn, param, DataKind.HOUR, hours(h), float(h), "N"))
            b.append(Observation(mn, param, DataKind.DAY, hours(0), 10.0, "N"))
    store.write_observations(b)


def test_read_all_in_key_order_and_schema(store: DuckDBStore) -> None:
    _fill(store)
    table = store.read_observations(ObservationQuery())
    assert table.schema == OBSERVATION_SCHEMA
    assert table.num_rows == 24
    keys = [(r["mn"], r["param"], r["kind"], r["time"]) for r in table.to_pylist()]
    assert keys == sorted(keys)
    assert table["time"][0].as_py() == datetime(2024, 5, 1, tzinfo=UTC)


def test_filters_combine(store: DuckDBStore) -> None:
    _fill(store)
    q = ObservationQuery(mns=["B"], params=["w21003"], kinds=[DataKind.HOUR], start=hours(1), end=hours(3))
    rows = store.read_observations(q).to_pylist()
    assert [(r["mn"], r["param"], r["kind"], r["value"]) for r in rows] == [
        ("B", "w21003", "hour", 1.0),
        ("B", "w21003", "hour", 2.0),
    ]


def test_empty_list_filter_matches_nothing(store: DuckDBStore) -> None:
    _fill(store)
    assert store.read_observations(ObservationQuery(mns=[])).num_rows == 0
    assert store.read_observations(ObservationQuery(mns=["nobody"])).schema == OBSERVATION_SCHEMA


def test_descending_limit_offset(store: DuckDBStore) -> None:
    _fill(store)
    q = ObservationQuery(
        mns=["A"], params=["w01001"], kinds=[DataKind.HOUR], descending=True, limit=2, offset=1
    )
    assert store.read_observations(q)["value"].to_pylist() == [3.0, 2.0]


def test_naive_bounds_are_refused(store: DuckDBStore) -> None:
    with pytest.raises(InputError, match="no zone"):
        store.read_observations(ObservationQuery(start=datetime(2024, 5, 1)))


def test_latest_per_series(store: DuckDBStore) -> None:
    _fill(store)
    store.write_observations(batch(("A", "w01001", 3, 99.0)))  # a correction, not newer
    latest = store.latest(mns=["A"], kind=DataKind.HOUR)
    assert latest.schema == OBSERVATION_SCHEMA
    assert [(r["param"], r["time"], r["value"]) for r in latest.to_pylist()] == [
        ("w01001", hours(4), 4.0),
        ("w21003", hours(4), 4.0),
    ]
    assert store.latest().num_rows == 8  # 2 stations x 2 params x 2 kinds
    assert store.latest(mns=[]).num_rows == 0


def test_observation_times_for_gap_detection(store: DuckDBStore) -> None:
    store.write_observations(
        batch(("A", "p", 0, 1.0), ("A", "q", 0, 1.0), ("A", "p", 1, 1.0), ("A", "p", 4, 1.0))
    )
    times = store.observation_times("A", DataKind.HOUR, hours(0), hours(4))
    assert times == [hours(0), hours(1)]
    assert all(t.tzinfo is UTC for t in times)
    assert store.observation_times("A", DataKind.DAY, hours(0), hours(9)) == []


def test_count(store: DuckDBStore) -> None:
    assert store.count_observations() == 0
    _fill(store)
    assert store.count_observations() == 24


def test_group_commit_from_many_threads(store: DuckDBStore) -> None:
    threads, per_thread = 8, 60
    base = store.write_stats()

    def submit(thread: int) -> list[WriteResult]:
        futures = []
        for i in range(per_thread):
            b = ObservationBatch()
            for p in range(9):  # an HJ 212 hourly packet carries ~9 values
                b.append(
                    Observation(f"MN{thread}", f"p{p}", DataKind.HOUR, T0 + timedelta(hours=i), float(p))
                )
            if i % 10 == 0:  # and some resends of the previous packet
                b.append(Observation(f"MN{thread}", "p0", DataKind.HOUR, T0 + timedelta(hours=i - 1), 0.0))
            futures.append(store.submit_observations(b))
        return [f.result(timeout=30) for f in futures]

    with ThreadPoolExecutor(threads) as pool:
        results = [r for rs in pool.map(submit, range(threads)) for r in rs]
    stats = store.write_stats()
    batches = threads * per_thread
    assert stats.batches - base.batches == batches
    assert stats.commits - base.commits < batches  # natural grouping while a commit is under way
    assert sum(r.inserted for r in results) == batches * 9 + threads  # + hour -1 of each station
    assert sum(r.unchanged for r in results) == threads * (per_thread // 10 - 1)
    assert sum(r.inserted + r.unchanged + r.corrected for r in results) == batches * 9 + threads * (
        per_thread // 10
    )
    assert store.count_observations() == batches * 9 + threads  # hour -1 of each station
    assert store.pending_observations() == 0


def test_readers_see_consistent_snapshots_while_writing(store: DuckDBStore) -> None:
    """Every batch holds 9 rows; a reader must never see a partial one."""
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                seen.append(store.count_observations())
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for r in readers:
        r.start()
    futures = [
        store.submit_observations(batch(*[("A", f"p{p}", i, 1.0) for p in range(9)])) for i in range(200)
    ]
    for f in futures:
        f.result(timeout=30)
    stop.set()
    for r in readers:
        r.join()
    assert not errors
    assert seen
    assert all(n % 9 == 0 for n in seen)
    assert store.count_observations() == 1800


def test_cancelled_future_is_not_written(store: DuckDBStore) -> None:
    from .test_merge import writer_held

    with writer_held(store):
        cancelled = store.submit_observations(batch(("A", "p", 0, 1.0)))
        kept = store.submit_observations(batch(("A", "p", 1, 1.0)))
        assert cancelled.cancel()
    assert kept.result(timeout=10) == WriteResult(inserted=1)
    assert store.count_observations() == 1
    assert store.pending_observations() == 0


def test_close_flushes_the_queue_and_refuses_more(store_path: object) -> None:
    from pathlib import Path

    path = Path(str(store_path))
    s = open_store(path)
    futures = [s.submit_observations(batch(("A", "p", i, 1.0))) for i in range(50)]
    s.close()
    assert all(f.done() for f in futures)
    with pytest.raises(StoreError, match="closed"):
        s.submit_observations(batch(("A", "p", 99, 1.0)))
    with pytest.raises(StoreError, match="closed"):
        s.count_observations()
    s.close()  # idempotent
    with open_store(path) as again:
        assert again.count_observations() == 50
    assert not Path(str(path) + ".wal").exists()  # checkpointed


def test_read_only_store_reads_but_refuses_writes(store_path: object) -> None:
    from pathlib import Path

    path = Path(str(store_path))
    with open_store(path) as s:
        s.write_observations(batch(("A", "p", 0, 1.0)))
    with open_store(path, read_only=True) as ro:
        assert ro.count_observations() == 1
        with pytest.raises(StoreError, match="read-only"):
            ro.write_observations(batch(("A", "p", 1, 1.0)))


def test_arrow_value_column_keeps_nulls(store: DuckDBStore) -> None:
    store.write_observations(batch(("A", "p", 0, None)))
    assert store.read_observations(ObservationQuery())["value"] == pa.chunked_array([[None]], pa.float64())


def test_write_observation_table_bulk_path(tmp_path: Path) -> None:
    store = open_store(tmp_path / "bulk.duckdb")
    try:
        times = pa.array(
            [datetime(2026, 5, 1, h, tzinfo=UTC) for h in range(3)], type=pa.timestamp("us", tz="UTC")
        )
        table = pa.table(
            {
                "mn": ["S1"] * 3,
                "param": ["w21003"] * 3,
                "kind": ["hour"] * 3,
                "time": times,
                "value": [0.1, 0.2, 0.3],
                "flag": ["N"] * 3,
            }
        )
        assert store.write_observation_table(table, chunk_rows=2).inserted == 3
        again = store.write_observation_table(table.set_column(4, "value", pa.array([0.1, 0.2, 0.4])))
        assert (again.inserted, again.unchanged, again.corrected) == (0, 2, 1)
        assert store.count_observations() == 3
        with pytest.raises(InputError, match="zone"):
            store.write_observation_table(
                table.set_column(3, "time", pa.array([1, 2, 3], pa.timestamp("us")))
            )
        with pytest.raises(InputError, match="no column"):
            store.write_observation_table(table.drop_columns(["flag"]))
    finally:
        store.close()
