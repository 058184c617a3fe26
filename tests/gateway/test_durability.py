"""kill -9 under load loses no acknowledged value, and the loggers' resends make no duplicates.

The server is ``lianfang run --no-sim`` in a subprocess on a real DuckDB file; the loggers here
record every 9014 they get, the server is killed with SIGKILL mid-stream, restarted, and the
loggers resend everything (as loggers without acks do).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import UTC
from pathlib import Path

import pytest

from lianfang.hj212 import DataAck
from lianfang.model import Jurisdiction
from lianfang.store.base import ObservationQuery
from lianfang.store.duckdb import open_store

from .conftest import MN, PW, register
from .fake_logger import FakeLogger, hourly_items, past_hour
from .procs import free_port, start_server, stop_server

CONNECTIONS = 4
PACKETS = 1500  # per connection, 3 values each


def packets_for(conn: int) -> list[tuple[str, bytes, list[tuple[str, str, float]]]]:
    """(qn, frame, [(param, time, value)]) for every packet connection ``conn`` will send."""
    logger = FakeLogger(MN, PW)
    out = []
    for i in range(PACKETS):
        when = past_hour(10 + conn * PACKETS + i)
        items = hourly_items(float(i % 97), 3)
        qn, frame = logger.upload(when, items)
        key_time = when.astimezone(UTC).isoformat()
        out.append((qn, frame, [(code, key_time, float(f["Avg"])) for code, f in items.items()]))
    return out


async def push(
    port: int, plan: list[tuple[str, bytes, list[tuple[str, str, float]]]], acked: set[str], pace: float = 0.0
) -> None:
    """Pipeline every packet of ``plan`` (``pace`` [s] between chunks of 50) and note the QN of
    every 9014 until the link drops."""
    logger = await FakeLogger(MN, PW).connect(port)

    async def read() -> None:
        with contextlib.suppress(EOFError, ConnectionError, OSError, TimeoutError):
            while len(acked) < len(plan):
                event = await logger.event(timeout=10.0)
                if isinstance(event, DataAck) and event.qn is not None:
                    acked.add(event.qn)

    reader = asyncio.create_task(read())
    with contextlib.suppress(ConnectionError, OSError):
        for start in range(0, len(plan), 50):
            await logger.write(b"".join(frame for _, frame, _ in plan[start : start + 50]))
            await asyncio.sleep(pace)
    await reader
    await logger.close()


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_value(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    store = open_store(data / "lianfang.duckdb")
    store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    register(store)
    store.close()
    plans = [packets_for(c) for c in range(CONNECTIONS)]
    hj212, http = free_port(), free_port()

    async def first_run() -> list[set[str]]:
        proc = start_server(data, hj212, http)
        acked: list[set[str]] = [set() for _ in plans]
        pushers = [
            asyncio.create_task(push(hj212, plan, acks)) for plan, acks in zip(plans, acked, strict=True)
        ]
        while sum(map(len, acked)) < 800:  # well under way, then pull the plug
            await asyncio.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        await asyncio.gather(*pushers)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
        return acked

    acked = asyncio.run(first_run())
    total_acked = sum(map(len, acked))
    assert 800 <= total_acked < CONNECTIONS * PACKETS, "the kill should land mid-stream"

    # every value acknowledged before the kill is in the store
    store = open_store(data / "lianfang.duckdb")
    rows = store.read_observations(ObservationQuery(mns=[MN])).to_pylist()
    have = {(r["param"], r["time"].isoformat()): r["value"] for r in rows}
    store.close()
    for plan, acks in zip(plans, acked, strict=True):
        for qn, _, values in plan:
            if qn in acks:
                for param, when, value in values:
                    assert have.get((param, when)) == value

    # restart; the loggers resend everything (acked or not): no duplicates, nothing missing
    async def second_run() -> None:
        proc = start_server(data, hj212, http)
        again: list[set[str]] = [set() for _ in plans]
        await asyncio.gather(*(push(hj212, plan, acks) for plan, acks in zip(plans, again, strict=True)))
        assert all(len(a) == PACKETS for a in again)
        assert stop_server(proc) == 0

    asyncio.run(second_run())
    store = open_store(data / "lianfang.duckdb")
    try:
        assert store.count_observations() == CONNECTIONS * PACKETS * 3
        rows = store.read_observations(ObservationQuery(mns=[MN])).to_pylist()
        assert len({(r["param"], r["time"]) for r in rows}) == len(rows)
    finally:
        store.close()


def test_sigterm_commits_answers_and_exits_0(tmp_path: Path) -> None:
    """SIGTERM mid-stream: what was read is committed and answered, nothing else; exit status 0."""
    data = tmp_path / "data"
    data.mkdir()
    store = open_store(data / "lianfang.duckdb")
    store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    register(store)
    store.close()
    plan = packets_for(0)
    hj212, http = free_port(), free_port()

    async def scenario() -> tuple[set[str], int]:
        proc = start_server(data, hj212, http)
        acked: set[str] = set()
        pusher = asyncio.create_task(push(hj212, plan, acked, pace=0.02))
        while len(acked) < 200:
            await asyncio.sleep(0.001)
        proc.send_signal(signal.SIGTERM)
        await pusher  # reads answers until the server closes the connection
        code = await asyncio.to_thread(proc.wait, 20)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
        return acked, code

    acked, code = asyncio.run(scenario())
    assert code == 0
    assert 200 <= len(acked) < PACKETS
    store = open_store(data / "lianfang.duckdb")
    try:
        rows = store.read_observations(ObservationQuery(mns=[MN])).to_pylist()
    finally:
        store.close()
    have = {(r["param"], r["time"].isoformat()): r["value"] for r in rows}
    expected = {(p, t): v for qn, _, values in plan if qn in acked for p, t, v in values}
    assert have == expected  # every acknowledged value, and no value that was not acknowledged
