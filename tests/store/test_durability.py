"""kill -9 of a writing process loses no acknowledged row (real file, real SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb

from lianfang.store.base import ObservationQuery
from lianfang.store.duckdb import open_store

# Four threads submit 9-value batches; each prints "ACK thread i" once its future resolved.
_WRITER = """
import sys, threading
from datetime import datetime, timedelta
from lianfang.model import BEIJING, DataKind, Observation, ObservationBatch
from lianfang.store.duckdb import open_store

store = open_store(sys.argv[1])
t0 = datetime(2024, 1, 1, tzinfo=BEIJING)
lock = threading.Lock()

def run(thread):
    for i in range(1_000_000):
        b = ObservationBatch()
        for p in range(9):
            b.append(Observation(f"MN{thread}", f"p{p}", DataKind.HOUR, t0 + timedelta(hours=i), float(i)))
        store.submit_observations(b).result()
        with lock:
            print(f"ACK {thread} {i}", flush=True)

for t in range(4):
    threading.Thread(target=run, args=(t,), daemon=True).start()
threading.Event().wait()
"""


def test_acknowledged_rows_survive_kill_9(store_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(store_path)], stdout=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(60, child.kill)  # a writer that stops acknowledging must not hang the test
    watchdog.start()
    acked: list[tuple[int, int]] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            _, thread, i = line.split()
            acked.append((int(thread), int(i)))
            if len(acked) == 150:
                os.kill(child.pid, signal.SIGKILL)
                break
        acked += [(int(t), int(i)) for _, t, i in (line.split() for line in child.stdout)]
    finally:
        watchdog.cancel()
        child.kill()
        child.wait(timeout=30)
    assert len(acked) >= 150, "the writer stopped acknowledging"
    assert child.returncode == -signal.SIGKILL

    with open_store(store_path) as store:
        rows = store.read_observations(ObservationQuery()).to_pylist()
    stored = {(r["mn"], r["param"], r["value"]) for r in rows}
    missing = [(t, i) for t, i in acked if any((f"MN{t}", f"p{p}", float(i)) not in stored for p in range(9))]
    assert not missing
    assert len(rows) % 9 == 0  # a batch is all or nothing
    con = duckdb.connect(str(store_path), read_only=True)
    sql = "SELECT count(DISTINCT (mn, param, kind, time)) FROM observations"
    ((distinct,),) = con.execute(sql).fetchall()
    con.close()
    assert distinct == len(rows)
