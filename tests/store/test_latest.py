"""Latest values (lianfang.store.latest) against a scan of the stored rows, on a real DuckDB file:
resends, corrections, backfill, repeats in a group, rollbacks, clean close and unclean exits."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lianfang.model import DataKind, Observation, ObservationBatch
from lianfang.store import core, merge
from lianfang.store.base import ObservationQuery
from lianfang.store.duckdb import DuckDBStore, open_store

from .conftest import batch, hours
from .test_merge import writer_held

Row = dict[str, Any]


def scanned_latest(store: DuckDBStore) -> list[Row]:
    """The oracle: newest stored row per (mn, param, kind), from a full SQL read of the table."""
    newest: dict[tuple[str, str, str], Row] = {}
    for row in store.read_observations(ObservationQuery()).to_pylist():
        key = (row["mn"], row["param"], row["kind"])
        if key not in newest or row["time"] > newest[key]["time"]:
            newest[key] = row
    return [newest[k] for k in sorted(newest)]


def same(a: list[Row], b: list[Row]) -> bool:
    """Row lists equal, NaN equal to NaN (the store keeps NaN values as sent)."""

    def norm(rows: list[Row]) -> list[tuple[Any, ...]]:
        return [tuple("nan" if v != v else v for v in r.values()) for r in rows]

    return norm(a) == norm(b)


def test_latest_follows_backfill_resends_and_corrections(store: DuckDBStore) -> None:
    def latest() -> tuple[object, ...]:
        (row,) = store.latest(mns=["A"]).to_pylist()
        return row["time"], row["value"], row["flag"]

    store.write_observations(batch(("A", "p", 5, 1.0)))
    assert latest() == (hours(5), 1.0, "N")
    store.write_observations(batch(("A", "p", 2, 9.0)))  # backfill: older, changes nothing
    assert latest() == (hours(5), 1.0, "N")
    store.write_observations(batch(("A", "p", 5, 1.0)))  # resend
    assert latest() == (hours(5), 1.0, "N")
    store.write_observations(batch(("A", "p", 5, 3.0, "D")))  # correction of the latest row
    assert latest() == (hours(5), 3.0, "D")
    store.write_observations(batch(("A", "p", 6, None)))
    assert latest() == (hours(6), None, "N")
    store.write_observations(batch(("A", "p", 8, 1.0), ("A", "p", 8, 4.0), ("A", "p", 7, 5.0)))
    assert latest() == (hours(8), 4.0, "N")  # inside one batch the last write of a key wins
    with writer_held(store):
        first = store.submit_observations(batch(("A", "p", 9, 1.0)))
        second = store.submit_observations(batch(("A", "p", 9, 2.0)))
    first.result(timeout=10)
    second.result(timeout=10)
    assert latest() == (hours(9), 2.0, "N")  # and so it does across the batches of a group
    assert same(store.latest().to_pylist(), scanned_latest(store))


def test_random_writes_keep_latest_equal_to_a_scan(store: DuckDBStore) -> None:
    rng = random.Random(11)
    for round_ in range(30):
        rows = [
            (
                rng.choice("ABC"),
                rng.choice(("p1", "p2")),
                rng.randrange(0, 40),
                rng.choice((0.0, 1.0, 2.0, None, float("nan"))),
                rng.choice("NND"),
            )
            for _ in range(rng.randrange(1, 15))
        ]
        kinds = rng.choice((DataKind.HOUR, DataKind.DAY))
        parts = [ObservationBatch() for _ in range(3)]
        for i, (mn, param, hour, value, flag) in enumerate(rows):
            parts[i % 3].append(Observation(mn, param, kinds, hours(hour), value, flag))
        if round_ % 2:
            with writer_held(store):  # one group, keys repeating across its batches
                futures = [store.submit_observations(p) for p in parts]
        else:
            futures = [store.submit_observations(p) for p in parts]
        for f in futures:
            f.result(timeout=10)
        assert same(store.latest().to_pylist(), scanned_latest(store)), f"round {round_}"


def test_a_failed_transaction_publishes_nothing(store: DuckDBStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write_observations(batch(("A", "p", 1, 1.0)))
    real = merge.merge_group

    def failing(con: duckdb.DuckDBPyConnection, stage: Any, batches: int) -> Any:
        if "BAD" in stage["mn"].to_pylist():
            raise duckdb.ConstraintException("injected failure")
        return real(con, stage, batches)

    monkeypatch.setattr(core, "merge_group", failing)
    with writer_held(store):  # a group of three: the failing one is retried alone, the others commit
        futures = [
            store.submit_observations(batch(("A", "p", 2, 2.0))),
            store.submit_observations(batch(("BAD", "p", 3, 3.0), ("A", "p", 4, 4.0))),
            store.submit_observations(batch(("NEW", "q", 1, 5.0))),
        ]
    futures[0].result(timeout=10)
    futures[2].result(timeout=10)
    with pytest.raises(Exception, match="injected failure"):
        futures[1].result(timeout=10)
    assert same(store.latest().to_pylist(), scanned_latest(store))
    assert [r["mn"] for r in store.latest().to_pylist()] == ["A", "NEW"]
    assert store._series.sids(["BAD"])[0] == []
    monkeypatch.setattr(core, "merge_group", real)
    store.write_observations(batch(("BAD", "p", 3, 3.0)))
    path = store.path
    store.close()
    con = duckdb.connect(str(path), read_only=True)
    stored = con.execute("SELECT sid, mn, param FROM series ORDER BY sid").fetchall()
    con.close()
    assert [r[1:] for r in stored] == [("A", "p"), ("NEW", "q"), ("BAD", "p")]
    assert [r[0] for r in stored] == [1, 2, 3]


def _state(path: Path) -> tuple[bool, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        ((clean,),) = con.execute("SELECT clean FROM latest_state").fetchall()
        ((saved,),) = con.execute("SELECT count(*) FROM latest_observations").fetchall()
        return bool(clean), int(saved)
    finally:
        con.close()


def test_close_saves_the_latest_values(store_path: Path) -> None:
    with open_store(store_path) as store:
        store.write_observations(batch(("A", "p", 1, 1.0), ("A", "q", 2, None), ("B", "p", 0, 7.0)))
        expected = store.latest().to_pylist()
    assert _state(store_path) == (True, 3)
    with open_store(store_path) as again:
        assert again.latest().to_pylist() == expected
    with open_store(store_path, read_only=True) as read_only:
        assert read_only.latest().to_pylist() == expected


# Writes after a clean snapshot, then exits without closing (as kill -9 would: no cleanup at all).
_UNCLEAN = """
import os, sys
from datetime import datetime, timedelta
from lianfang.model import BEIJING, DataKind, Observation, ObservationBatch
from lianfang.store.duckdb import open_store

store = open_store(sys.argv[1])
t0 = datetime(2024, 5, 1, 8, tzinfo=BEIJING)
for i, (mn, value) in enumerate([("A", 5.0), ("C", 6.0), ("A", None)]):
    b = ObservationBatch()
    b.append(Observation(mn, "p", DataKind.HOUR, t0 + timedelta(hours=10 + i), value))
    b.append(Observation("B", "p", DataKind.HOUR, t0, 70.0))  # a correction of an older row
    store.write_observations(b)
print("written", flush=True)
os._exit(0)
"""


def test_an_unclean_exit_leaves_a_snapshot_that_is_not_trusted(store_path: Path) -> None:
    with open_store(store_path) as store:
        store.write_observations(batch(("A", "p", 1, 1.0), ("B", "p", 0, 7.0)))
    assert _state(store_path) == (True, 2)
    done = subprocess.run(
        [sys.executable, "-c", _UNCLEAN, str(store_path)], capture_output=True, text=True, timeout=60
    )
    assert done.stdout == "written\n", done.stderr
    assert _state(store_path) == (False, 2)  # the stale snapshot is still there, marked invalid
    with open_store(store_path, read_only=True) as read_only:  # rebuilt in memory, nothing written
        rebuilt = read_only.latest().to_pylist()
        assert same(rebuilt, scanned_latest(read_only))
    assert [(r["mn"], r["value"]) for r in rebuilt] == [("A", None), ("B", 70.0), ("C", 6.0)]
    assert _state(store_path) == (False, 2)
    with open_store(store_path) as store:  # read-write: rebuilt and saved at open
        assert store.latest().to_pylist() == rebuilt
        assert store._fetch("SELECT clean FROM latest_state", action="test") == [(True,)]
        assert store._fetch("SELECT count(*) FROM latest_observations", action="test") == [(3,)]
