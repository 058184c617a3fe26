"""``python -m bench ingest``: HJ 212 ingest throughput, lianfang's gateway against a naive one.

Three processes: this orchestrator, the server under test (``serve``) and the load client
(``load``), so that the client's CPU is not the server's. Both servers store into a DuckDB file
on the same disk and answer 9014 only after the values are committed:

* **lianfang**: :class:`lianfang.gateway.Gateway` (group commit across connections) over the
  embedded store, backfill off (the load client does not answer history requests);
* **naive**: the textbook gateway written below: per packet, parse (the same codec), check the
  password, ``INSERT … ON CONFLICT`` the values, ``COMMIT``, answer.

Loads: hourly packets with 9 values and Flag A=1 (HJ 212-2017 C.17), each to a new key,
**pipelined** (a window of packets in flight per connection), **stop-and-wait** (one in flight,
as most field loggers behave) and one **lone** stop-and-wait logger (the ack latency at rest). Finally the
lianfang server's resident memory with ``--idle`` idle logger connections (each has sent one
packet, so its session, codec and station entry exist).

Station passwords are hashed with a small scrypt cost here (``n=2**4``): the first packet of each
station pays one KDF run, which is not what this benchmark measures.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from lianfang.hj212 import NEED_DATA, Connection, DataAck, DataUpload, Role, crc16
from lianfang.model import BEIJING

__all__ = ["main"]

PW = "123456"
CODES = ("w01001", "w01009", "w21003", "w01019", "w21011", "w21001", "w01014", "w01003", "w01010")
BASE_HOUR = datetime(2024, 1, 1, tzinfo=BEIJING)


def _mn(i: int) -> str:
    """Every connection of every load is its own station, so no two packets share a key."""
    return f"BENCH{i:019d}"


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ------------------------------------------------------------------------------- load client


class _Frames:
    """Hourly upload frames of one connection, built fast (the client must not be the bottleneck)."""

    def __init__(self, station: int) -> None:
        self.mn = _mn(station)
        self.next_hour = 0
        self.seq = station * 10_000_000
        self.bodies = [
            ";".join(f"{c}-Avg={(i * 7 + k) % 100 + 0.123:.3f},{c}-Flag=N" for k, c in enumerate(CODES))
            for i in range(16)
        ]

    def take(self, n: int) -> bytes:
        out = []
        for _ in range(n):
            hour = self.next_hour
            self.next_hour += 1
            self.seq += 1
            when = (BASE_HOUR - timedelta(hours=hour)).strftime("%Y%m%d%H%M%S")
            qn = f"2026{self.seq % 10**13:013d}"
            body = self.bodies[hour & 15]
            seg = f"QN={qn};ST=21;CN=2061;PW={PW};MN={self.mn};Flag=5;CP=&&DataTime={when};{body}&&".encode()
            out.append(b"##%04d%s%04X\r\n" % (len(seg), seg, crc16(seg)))
        return b"".join(out)


@dataclass(slots=True)
class _LoadResult:
    mode: str
    connections: int
    seconds: float
    acked: int = 0
    refused: int = 0
    latencies_ms: dict[str, float] = field(default_factory=dict)


class _LoadProtocol(asyncio.Protocol):
    def __init__(self, frames: _Frames, window: int, result: _LoadResult, lat: list[float], stop_at: float):
        self.frames, self.window, self.result, self.lat, self.stop_at = frames, window, result, lat, stop_at
        self.sent_at: collections.deque[float] = collections.deque()
        self.transport: asyncio.Transport | None = None
        self.done = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._send(self.window)

    def _send(self, n: int) -> None:
        assert self.transport is not None
        now = time.perf_counter()
        if now >= self.stop_at:
            if not self.sent_at and not self.done.done():
                self.done.set_result(None)
            return
        self.transport.write(self.frames.take(n))
        self.sent_at.extend([now] * n)

    def data_received(self, data: bytes) -> None:
        n = data.count(b"\n")  # every answer frame ends in CR LF and holds no other LF
        if b"CN=9011" in data:
            self.result.refused += data.count(b"CN=9011")
        now = time.perf_counter()
        for _ in range(min(n, len(self.sent_at))):
            sent = self.sent_at.popleft()
            if now <= self.stop_at:
                self.lat.append(now - sent)
                self.result.acked += 1
        self._send(n)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def _load(
    port: int, mode: str, connections: int, seconds: float, window: int, offset: int
) -> _LoadResult:
    loop = asyncio.get_running_loop()
    result = _LoadResult(mode, connections, seconds)
    lat: list[float] = []
    per_window = 1 if mode == "stopwait" else window
    stop_at = time.perf_counter() + 1e9
    protocols: list[_LoadProtocol] = []
    for c in range(connections):
        frames = _Frames(offset + c)
        proto = _LoadProtocol(frames, 0, result, lat, stop_at)
        await loop.create_connection(lambda p=proto: p, "127.0.0.1", port)  # type: ignore[misc]
        protocols.append(proto)
    # warm-up: one packet per connection so every station's password is checked and cached
    for p in protocols:
        p._send(1)
    while result.acked < connections:
        await asyncio.sleep(0.01)
    result.acked, lat[:] = 0, []
    start = time.perf_counter()
    stop_at = start + seconds
    for p in protocols:
        p.stop_at, p.window = stop_at, per_window
        p._send(per_window)
    await asyncio.sleep(seconds)
    for p in protocols:
        if p.transport is not None:
            p.transport.close()
    lat.sort()
    if lat:
        result.latencies_ms = {
            "p50": lat[len(lat) // 2] * 1000,
            "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
            "max": lat[-1] * 1000,
        }
    return result


async def _idle(port: int, connections: int, offset: int) -> None:
    """Open ``connections`` loggers that each send one packet, then idle until stdin closes."""
    loop = asyncio.get_running_loop()
    result = _LoadResult("idle", connections, 0)
    protocols = []
    for c in range(connections):
        proto = _LoadProtocol(_Frames(offset + c), 0, result, [], time.perf_counter() + 1e9)
        await loop.create_connection(lambda p=proto: p, "127.0.0.1", port)  # type: ignore[misc]
        proto._send(1)
        protocols.append(proto)
    while result.acked < connections:
        await asyncio.sleep(0.05)
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)


# ------------------------------------------------------------------------------- servers


async def _serve_lianfang(data: Path, port: int, stations: int) -> None:
    from lianfang.cli.run_cmd import GIL_SWITCH_INTERVAL
    from lianfang.gateway import BackfillConfig, Gateway, GatewayConfig
    from lianfang.store.duckdb import open_store

    sys.setswitchinterval(float(os.environ.get("BENCH_SWITCH", GIL_SWITCH_INTERVAL)))  # as `lianfang run`
    store = open_store(data / "lianfang.duckdb")
    config = GatewayConfig(
        host="127.0.0.1", port=port, max_connections=20_000, backfill=BackfillConfig(enabled=False)
    )
    gateway = Gateway(store, config)
    await gateway.start()
    await _until_sigterm()
    await gateway.close()
    store.close()
    m = gateway.metrics
    stats = {
        "commits": m.commits,
        "values": m.values_stored,
        "acks": m.acks,
        "commit_ms_mean": m.commit_latency.total / max(1, m.commit_latency.count) * 1000,
    }
    print(json.dumps(stats), flush=True)


async def _serve_naive(data: Path, port: int, stations: int) -> None:
    import duckdb

    con = duckdb.connect(str(data / "naive.duckdb"))
    con.execute(
        "CREATE TABLE IF NOT EXISTS observations (mn VARCHAR, param VARCHAR, kind VARCHAR, time TIMESTAMPTZ,"
        " value DOUBLE, flag VARCHAR, qn VARCHAR, PRIMARY KEY (mn, param, kind, time))"
    )
    passwords = {_mn(i): PW for i in range(stations)}
    kinds = {"2011": "rtd", "2051": "min", "2061": "hour", "2031": "day"}

    async def logger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        codec = Connection(Role.PLATFORM)
        while chunk := await reader.read(65536):
            codec.receive_data(chunk)
            while True:
                try:
                    event = codec.next_event()
                except Exception:
                    continue
                if event is NEED_DATA:
                    break
                if not isinstance(event, DataUpload) or passwords.get(event.mn or "") != event.pw:
                    continue
                rows = [
                    (
                        event.mn,
                        code,
                        kinds.get(event.cn, "hour"),
                        event.data_time,
                        float(f["Avg"]),
                        f.get("Flag", "N"),
                        event.packets[0].qn,
                    )
                    for code, f in event.items.items()
                ]
                con.execute("BEGIN")
                con.executemany(
                    "INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
                    " SET value = excluded.value, flag = excluded.flag",
                    rows,
                )
                con.execute("COMMIT")
                for packet in event.packets:
                    if packet.wants_ack:
                        writer.write(codec.send(DataAck.for_packet(packet)))
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(logger, "127.0.0.1", port, backlog=4096)
    await _until_sigterm()
    server.close()
    con.close()
    print(json.dumps({}), flush=True)


async def _until_sigterm() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()


# ------------------------------------------------------------------------------- orchestrator


def _prepare_lianfang(data: Path, stations: int) -> None:
    from lianfang.credentials import hash_secret
    from lianfang.model import Jurisdiction, Station, StationKind
    from lianfang.store.duckdb import open_store

    store = open_store(data / "lianfang.duckdb")
    store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    digest = hash_secret(PW, n=2**4)
    for i in range(stations):
        store.upsert_station(Station(_mn(i), f"bench {i}", StationKind.WATER, "SC", password_hash=digest))
    store.close()


def _spawn(*args: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "bench.ingest", *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ready"):
        raise RuntimeError(f"{' '.join(args)} did not start: {line!r}")
    return proc


def _run_load(
    port: int, mode: str, connections: int, seconds: float, window: int, offset: int
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "bench.ingest",
        "load",
        str(port),
        mode,
        str(connections),
        str(seconds),
        str(window),
        str(offset),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _stop(proc: subprocess.Popen[str]) -> dict[str, Any]:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def _measure(impl: str, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Each load against a fresh server process on the same (growing) store file."""
    stations = args.connections + args.stopwait + 1 + args.idle
    out: dict[str, Any] = {}
    loads = [
        ("pipelined", args.connections, args.window, 0),
        ("stopwait", args.stopwait, 1, args.connections),
        ("lone", 1, 1, args.connections + args.stopwait),  # one logger alone: ack latency at rest
    ]
    for mode, connections, window, first_station in loads:
        port = _free_port()
        server = _spawn("serve", impl, str(data), str(port), str(stations))
        try:
            out[mode] = _run_load(port, mode, connections, args.seconds, window, first_station)
        finally:
            # the naive server may sit on a long backlog of unanswered packets: no point waiting
            out[mode]["server"] = _stop(server) if impl == "lianfang" else _kill(server)
    if impl == "lianfang" and args.idle:
        port = _free_port()
        server = _spawn("serve", impl, str(data), str(port), str(stations))
        try:
            out["rss_fresh_mb"] = _rss_mb(server.pid)
            idle = _spawn("idle", str(port), str(args.idle), str(args.connections + args.stopwait + 1))
            time.sleep(1.0)
            out["rss_idle_mb"] = _rss_mb(server.pid)
            assert idle.stdin is not None
            idle.stdin.close()
            idle.wait(30)
        finally:
            _stop(server)
    return out


def _kill(proc: subprocess.Popen[str]) -> dict[str, Any]:
    proc.kill()
    proc.communicate(timeout=30)
    return {}


def _report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    def rate(impl: str, mode: str) -> float:
        r = results[impl][mode]
        return float(r["acked"]) / float(r["seconds"])

    print(
        f"HJ 212 ingest: hourly packets, 9 values, Flag A=1, acked after commit; {args.seconds:g} s per load"
    )
    print(f"{'':10}{'load':32}{'packets/s':>12}{'values/s':>12}{'p50 ms':>9}{'p99 ms':>9}")
    for impl in results:
        for mode, label in (
            ("pipelined", f"pipelined x{args.connections} (window {args.window})"),
            ("stopwait", f"stop-and-wait x{args.stopwait}"),
            ("lone", "one logger, stop-and-wait"),
        ):
            r = results[impl][mode]
            lat = r.get("latencies_ms") or {}
            p = rate(impl, mode)
            print(
                f"{impl:10}{label:32}{p:12,.0f}{p * 9:12,.0f}{lat.get('p50', 0):9.1f}{lat.get('p99', 0):9.1f}"
            )
    for mode in ("pipelined", "stopwait", "lone") if len(results) == 2 else ():
        naive = rate("naive", mode)
        ratio = rate("lianfang", mode) / naive if naive else float("inf")
        print(f"ratio lianfang/naive, {mode}: {ratio:.1f}x")
    lf = results.get("lianfang", {})
    if "rss_idle_mb" in lf:
        print(
            f"lianfang RSS: {lf['rss_fresh_mb']:.0f} MB started, "
            f"{lf['rss_idle_mb']:.0f} MB with {args.idle} idle logger connections"
        )
    server = lf.get("pipelined", {}).get("server", {})
    print(
        f"lianfang pipelined: {server.get('commits')} commits for {server.get('values')} values, "
        f"mean commit {server.get('commit_ms_mean', 0):.1f} ms"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest", description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=50, help="pipelining connections")
    parser.add_argument("--window", type=int, default=64, help="packets in flight per pipelining connection")
    parser.add_argument("--stopwait", type=int, default=200, help="stop-and-wait connections")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each load")
    parser.add_argument("--idle", type=int, default=2000, help="idle connections for the memory figure")
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON too")
    parser.add_argument("--only", choices=["lianfang", "naive"], help="measure one gateway (no ratio)")
    args = parser.parse_args(argv)
    _raise_fd_limit()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="lianfang-bench-") as tmp:
        for impl in [args.only] if args.only else ["lianfang", "naive"]:
            data = Path(tmp) / impl
            data.mkdir()
            if impl == "lianfang":
                _prepare_lianfang(data, args.connections + args.stopwait + 1 + args.idle)
            results[impl] = _measure(impl, data, args)
    _report(results, args)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


def _subcommand(argv: list[str]) -> int:
    _raise_fd_limit()
    role = argv[0]
    if role == "serve":
        impl, data, port, stations = argv[1], Path(argv[2]), int(argv[3]), int(argv[4])
        serve = _serve_lianfang if impl == "lianfang" else _serve_naive
        asyncio.run(serve(data, port, stations))
    elif role == "load":
        port, mode, conns, secs, window, offset = argv[1:7]
        result = asyncio.run(_load(int(port), mode, int(conns), float(secs), int(window), int(offset)))
        print(json.dumps(asdict(result)))
    elif role == "idle":
        asyncio.run(_idle(int(argv[1]), int(argv[2]), int(argv[3])))
    else:
        return main(argv)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(_subcommand(sys.argv[1:]))
