"""``python -m bench store``: the embedded store's write and read paths, each next to a baseline
measured in the same run on the same machine.

**write** — a store of ``--stations`` stations × 9 parameters with a day of hourly values:

* *lone*: one 9-value batch at a time, as from a stop-and-wait logger (latency p50/p95);
* *hour*: a whole hour of every station in one commit (values/s);

for lianfang (latest values kept in memory, see ``lianfang.store.latest``) and for the previous
design, where every merge transaction also upserted a ``latest_observations`` table with a primary
key (``INSERT … ON CONFLICT``, the exact statement it ran). Both stores are copies of one file and
take turns, so that both see the same load from other processes.

**read** — a store of ``--rows`` hourly observations written hour-major as ingest writes them
(5,000 stations × 2 parameters, like ``bench api``), and a copy of it after ``compact()``:

* *year page*: the first 1,000 rows of one station-year (``read_slices`` as the REST API calls it);
* *day walk*: 5 pages of one parameter over one day, every station (no sid filter: 5,000 series);

asked of both files in turns.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from lianfang.model import DataKind, ObservationBatch, WriteResult
from lianfang.store.base import ObservationSlice
from lianfang.store.duckdb import DuckDBStore, open_store
from lianfang.store.merge import stage_group

__all__ = ["main"]

PARAMS = tuple(f"w{21000 + i}" for i in range(9))
END = datetime(2026, 1, 1, tzinfo=UTC)
PAGE = 1_000

# --- the previous design, for the baseline -------------------------------------------------------

_OLD_TABLE = """
CREATE TABLE IF NOT EXISTS bench_latest (
    mn VARCHAR NOT NULL, param VARCHAR NOT NULL, kind VARCHAR NOT NULL, time TIMESTAMPTZ NOT NULL,
    value DOUBLE, flag VARCHAR NOT NULL, PRIMARY KEY (mn, param, kind)
)
"""
_OLD_UPSERT = """
INSERT INTO bench_latest (mn, param, kind, time, value, flag)
SELECT mn, param, kind, time, value, flag FROM lf_latest_batch
QUALIFY row_number() OVER (PARTITION BY mn, param, kind ORDER BY time DESC, ord DESC) = 1
ON CONFLICT (mn, param, kind) DO UPDATE SET time = excluded.time, value = excluded.value,
flag = excluded.flag WHERE excluded.time >= bench_latest.time
"""


class UpsertingStore(DuckDBStore):
    """The store as it was: the latest values upserted inside every merge transaction."""

    def _merge(self, con: duckdb.DuckDBPyConnection, staged: Sequence[Any]) -> list[WriteResult]:
        results = super()._merge(con, staged)
        stage = stage_group(staged)
        batch = stage.select(["mn", "param", "kind", "time", "value", "flag"])
        con.register("lf_latest_batch", batch.append_column("ord", stage["seq"]))
        try:
            con.execute(_OLD_UPSERT).fetchall()
        finally:
            con.unregister("lf_latest_batch")
        return results


# --- measuring -----------------------------------------------------------------------------------


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _hour_table(mns: np.ndarray[Any, Any], hour: int) -> pa.Table:
    n = len(mns) * len(PARAMS)
    start = np.datetime64(END.replace(tzinfo=None), "us") - np.timedelta64(10_000 - hour, "h")
    return pa.table(
        {
            "mn": pa.array(np.repeat(mns, len(PARAMS)), pa.string()),
            "param": pa.array(np.tile(np.array(PARAMS, dtype=object), len(mns)), pa.string()),
            "kind": pa.array(["hour"] * n, pa.string()),
            "time": pa.array(np.full(n, start), pa.timestamp("us", tz="UTC")),
            "value": pa.array(np.random.default_rng(hour).random(n)),
            "flag": pa.array(["N"] * n, pa.string()),
        }
    )


def _packet(mn: str, hour: int) -> ObservationBatch:
    at = END - timedelta(hours=10_000 - hour)
    b = ObservationBatch()
    for i, param in enumerate(PARAMS):
        b.mn.append(mn)
        b.param.append(param)
        b.kind.append("hour")
        b.time.append(at)
        b.value.append(float(i))
        b.flag.append("N")
    return b


def bench_write(workdir: Path, stations: int, rounds: int) -> None:
    mns = np.array([f"88888880{i:010d}" for i in range(stations)], dtype=object)
    seed = workdir / "write-seed.duckdb"
    with open_store(seed) as store:
        store._write(lambda con: con.execute(_OLD_TABLE).fetchall(), "bench table")
        for hour in range(24):
            store.write_observation_table(_hour_table(mns, hour))
    files = {"lianfang": workdir / "write-new.duckdb", "upsert (before)": workdir / "write-old.duckdb"}
    for path in files.values():
        shutil.copy(seed, path)
    kinds: dict[str, Callable[[Path], DuckDBStore]] = {
        "lianfang": open_store,
        "upsert (before)": UpsertingStore,
    }
    lone: dict[str, list[float]] = {k: [] for k in files}
    hourly: dict[str, list[float]] = {k: [] for k in files}
    next_hour = {k: 24 for k in files}
    for _ in range(rounds):
        for name, path in files.items():
            store = kinds[name](path)
            try:
                hour = next_hour[name]
                for i in range(60):  # lone packets, each to a new key
                    started = time.perf_counter()
                    store.write_observations(_packet(str(mns[i % stations]), hour + i // stations))
                    lone[name].append((time.perf_counter() - started) * 1000)
                hour += 60 // stations + 1
                for _ in range(3):
                    table = _hour_table(mns, hour)
                    started = time.perf_counter()
                    store.write_observation_table(table)
                    hourly[name].append(table.num_rows / (time.perf_counter() - started))
                    hour += 1
                next_hour[name] = hour
            finally:
                store.close()
    print(f"\nwrite path: {stations:,} stations × {len(PARAMS)} values, {rounds} rounds taking turns")
    print(f"{'design':16} {'lone p50 ms':>12} {'lone p95 ms':>12} {'hour values/s':>14}")
    rows = {}
    for name in files:
        p50, p95 = _percentiles(lone[name][5:])
        rate = statistics.median(hourly[name])
        rows[name] = (p50, rate)
        print(f"{name:16} {p50:12.1f} {p95:12.1f} {rate:14,.0f}")
    (new_p50, new_rate), (old_p50, old_rate) = rows["lianfang"], rows["upsert (before)"]
    ratios = f"lone latency {new_p50 / old_p50:.2f}x, hour throughput {new_rate / old_rate:.2f}x"
    print(f"lianfang / before: {ratios}")


# --- reads ---------------------------------------------------------------------------------------


def _mn(i: int) -> str:
    return f"{'SC' if i % 2 == 0 else 'CQ'}{i:08d}"


def build_read_store(path: Path, rows: int, stations: int) -> int:
    hours = max(1, rows // (stations * 2))
    mns = np.array([_mn(i) for i in range(stations)], dtype=object)
    per_chunk = max(1, 500_000 // (stations * 2))
    start = np.datetime64(END.replace(tzinfo=None), "us") - np.timedelta64(hours, "h")
    rng = np.random.default_rng(0)
    with open_store(path) as store:
        for first in range(0, hours, per_chunk):
            n_hours = min(per_chunk, hours - first)
            hour = np.repeat(np.arange(first, first + n_hours), stations * 2)
            n = len(hour)
            store.write_observation_table(
                pa.table(
                    {
                        "mn": pa.array(np.tile(np.repeat(mns, 2), n_hours), pa.string()),
                        "param": pa.array(
                            np.tile(np.array(["w01001", "w21003"], dtype=object), stations * n_hours)
                        ),
                        "kind": pa.array(["hour"] * n, pa.string()),
                        "time": pa.array(start + hour.astype("timedelta64[h]"), pa.timestamp("us", tz="UTC")),
                        "value": pa.array(rng.random(n) * 10.0),
                        "flag": pa.array(["N"] * n, pa.string()),
                    }
                )
            )
    return hours


def _year_page(store: DuckDBStore, rng: random.Random, stations: int, hours: int) -> int:
    start = max(END - timedelta(hours=hours), END - timedelta(days=365))
    slices = [
        ObservationSlice(mns=(_mn(rng.randrange(stations)),), kinds=(DataKind.HOUR,), start=start, end=END)
    ]
    return store.read_slices(slices, limit=PAGE).num_rows


def _day_walk(store: DuckDBStore, rng: random.Random, stations: int, hours: int) -> int:
    day = END - timedelta(hours=hours) + timedelta(days=rng.randrange(max(1, hours // 24 - 1)))
    mns = tuple(sorted(_mn(i) for i in range(stations)))
    slices = [
        ObservationSlice(
            mns=mns, kinds=(DataKind.HOUR,), params=("w21003",), start=day, end=day + timedelta(days=1)
        )
    ]
    total, after = 0, None
    for _ in range(5):
        page = store.read_slices(slices, limit=PAGE, after=after)
        total += page.num_rows
        if page.num_rows < PAGE:
            break
        last = page.slice(page.num_rows - 1).to_pylist()[0]
        after = (last["mn"], last["param"], last["kind"], last["time"])
    return total


def bench_read(workdir: Path, rows: int, stations: int, repeat: int) -> None:
    plain, compacted = workdir / "read-time-major.duckdb", workdir / "read-compacted.duckdb"
    started = time.perf_counter()
    hours = build_read_store(plain, rows, stations)
    elapsed = time.perf_counter() - started
    print(f"\nread path: {stations * 2 * hours:,} observations written in {elapsed:.0f} s", file=sys.stderr)
    shutil.copy(plain, compacted)
    with open_store(compacted) as store:
        report = store.compact(now=datetime.now(UTC))
    each = report.seconds / max(1, report.steps)
    print(
        f"compaction: {report.months} months, {report.rows:,} rows, {report.steps} transactions, "
        f"{report.seconds:.1f} s of the writer's time ({each:.2f} s each)"
    )
    queries = {"year page": _year_page, "day walk": _day_walk}
    samples: dict[tuple[str, str], list[float]] = {}
    stores = {
        "time-major": open_store(plain, read_only=True),
        "compacted": open_store(compacted, read_only=True),
    }
    try:
        for qname, query in queries.items():
            rngs = {name: random.Random(1) for name in stores}  # the same questions of both files
            for i in range(repeat + 3):
                for name, store in stores.items():
                    started = time.perf_counter()
                    query(store, rngs[name], stations, hours)
                    if i >= 3:
                        samples.setdefault((qname, name), []).append((time.perf_counter() - started) * 1000)
    finally:
        for store in stores.values():
            store.close()
    print(f"{'query':10} {'file':11} {'p50 ms':>8} {'p95 ms':>8}")
    for qname in queries:
        p95s = {}
        for name in stores:
            p50, p95 = _percentiles(samples[(qname, name)])
            p95s[name] = p95
            print(f"{qname:10} {name:11} {p50:8.1f} {p95:8.1f}")
        print(f"{qname:10} compacted / time-major p95: {p95s['compacted'] / p95s['time-major']:.2f}x")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench store", description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=2_000, help="stations of the write benchmark")
    parser.add_argument("--rounds", type=int, default=3, help="turns of the write benchmark per design")
    parser.add_argument("--rows", type=int, default=10_000_000, help="observations of the read benchmark")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query and file")
    parser.add_argument("--only", choices=["write", "read"], default=None)
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: a new temp dir)")
    args = parser.parse_args(argv)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="lianfang-bench-store-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.only in (None, "write"):
            bench_write(workdir, args.stations, args.rounds)
        if args.only in (None, "read"):
            bench_read(workdir, args.rows, 5_000, args.repeat)
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
