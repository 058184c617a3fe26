"""A simulated HJ 212-2017 data logger (数采仪): an asyncio TCP client in the logger role.

It behaves like a field device: it pushes real-time (CN 2011), minute (CN 2051, when the station has a
``min_interval``) and hourly (CN 2061) uploads on a simulated clock; asks for a 9014 on each upload and
waits for it before sending the next (stop-and-wait, one packet in flight, as most devices do); resends
on timeout (HJ 212-2017 §6.2 Table 1: 10 s and 3 retries over GPRS/4G) and at once after a 9011 that
rejects the packet (e.g. ``QnRtn=9`` CRC wrong); reconnects with exponential back-off; keeps its own
buffer of period records and answers history requests from it (9011 ``QnRtn=1``, the records as new
uploads with new QNs, 9012 ``ExeRtn=1``, or ``ExeRtn=100`` "no data" — Appendix C.20/C.48); answers a
1012 time set.

Records produced while disconnected are only buffered: the platform is expected to notice the gap
and ask for them, as it must for real loggers.

Fault injection (``faults=P``): each upload transmission, with probability P, is sent with a corrupt
CRC, not sent at all (a gap to backfill), or replaced by closing the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections import deque
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np

from lianfang.hj212 import (
    NEED_DATA,
    Connection,
    DataAck,
    Event,
    ExecutionResult,
    HistoryRequest,
    NotificationAck,
    OtherPacket,
    RemoteProtocolError,
    RequestAnswer,
    Role,
    SetTime,
    Upload,
    make_qn,
)
from lianfang.model import Station
from lianfang.sim.buffer import Items, Record, RecordBuffer
from lianfang.sim.clock import SimClock
from lianfang.sim.network import system_code
from lianfang.sim.values import format_value, instant_values, period_values

__all__ = [
    "CN_HOURLY",
    "CN_MINUTE",
    "CN_REALTIME",
    "Fault",
    "LoggerConfig",
    "LoggerStats",
    "SimulatedLogger",
    "corrupt_crc",
]

log = logging.getLogger(__name__)

CN_REALTIME, CN_MINUTE, CN_HOURLY = "2011", "2051", "2061"
# HJ 212-2017 Table 9: platform -> logger notifications, answered with 9013.
_NOTIFICATIONS = frozenset({"2012", "2022"})
_QN_RTN_READY, _QN_RTN_REJECTED, _QN_RTN_PW_WRONG, _QN_RTN_MN_WRONG = 1, 2, 3, 4  # Table 7
_EXE_RTN_SUCCESS, _EXE_RTN_NO_DATA = 1, 100  # Table 6


class Fault(StrEnum):
    BAD_CRC = "bad_crc"
    DROP = "drop"
    DISCONNECT = "disconnect"


@dataclass(frozen=True, slots=True)
class LoggerConfig:
    ack_timeout: float = 10.0  # [s real] wait for a 9014; HJ 212-2017 Table 1 default over GPRS/4G
    retries: int = 3  # resends after the first try; Table 1 default
    wants_ack: bool = True  # Flag A=1 on uploads (Appendix C.14–C.17 examples use Flag=5)
    realtime: bool = True  # push CN 2011
    rtd_interval: float = 30.0  # [s simulated] RtdInterval (Appendix C.5 example: 30)
    rtd_min_gap: float = 1.0  # [s real] never push real-time data more often than this when sped up
    report_delay: tuple[float, float] = (
        5.0,
        90.0,
    )  # [s simulated] a period is uploaded this long after it ends
    backoff_initial: float = 0.5  # [s real]
    backoff_max: float = 30.0  # [s real]
    connect_timeout: float = 5.0  # [s real]
    retention: timedelta = timedelta(days=30)  # records kept for history requests
    prefill: timedelta = timedelta(0)  # hours before the start already in the buffer (never pushed)
    outbox_limit: int = 1000  # queued uploads beyond this are left to backfill
    fault_kinds: tuple[Fault, ...] = (Fault.BAD_CRC, Fault.DROP, Fault.DISCONNECT)


@dataclass(slots=True)
class LoggerStats:
    """Counters of one simulated logger (all since start)."""

    mn: str
    connected: bool = False
    connects: int = 0
    connect_failures: int = 0
    disconnects: int = 0  # connections that ended while running (either side)
    records: int = 0  # minute and hourly records produced (buffered)
    sent: int = 0  # upload frames written, first tries and resends
    acked: int = 0  # upload frames answered with a 9014
    resent: int = 0  # retransmissions after a timeout or a rejecting 9011
    timeouts: int = 0
    rejected: int = 0  # 9011 answers refusing one of our uploads (QnRtn != 1)
    unacked: int = 0  # uploads given up after all retries
    skipped: int = 0  # queued uploads abandoned (disconnect, backlog): left for the platform to backfill
    bad_crc: int = 0  # injected faults …
    dropped: int = 0
    disconnected: int = 0
    history_requests: int = 0
    history_records: int = 0  # records resent in answer to history requests
    time_sets: int = 0
    bad_frames: int = 0  # frames from the platform that the codec rejected

    @property
    def faults(self) -> int:
        return self.bad_crc + self.dropped + self.disconnected

    def counters(self) -> dict[str, int]:
        """Every integer counter by name (for the run view and metrics)."""
        out = {f.name: int(getattr(self, f.name)) for f in fields(self) if f.name not in ("mn", "connected")}
        out["faults"] = self.faults
        return out


@dataclass(frozen=True, slots=True)
class _Job:
    cn: str
    data_time: datetime
    items: Items
    retries: int


class _LinkLostError(Exception):
    """The connection is gone (peer closed, reset, or an injected disconnect)."""


@dataclass(slots=True)
class _Link:
    """State of one TCP connection."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    conn: Connection = field(default_factory=lambda: Connection(Role.LOGGER))
    waiting: dict[str, asyncio.Future[int]] = field(default_factory=dict)  # QN -> 0 acked / QnRtn
    requests: deque[HistoryRequest | SetTime] = field(default_factory=deque)
    healthy: bool = False  # the platform acknowledged something on this connection
    lost: bool = False

    async def write(self, data: bytes) -> None:
        if self.lost:
            raise _LinkLostError("connection closed")
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, OSError) as exc:
            self.lose()
            raise _LinkLostError(str(exc)) from exc

    def lose(self) -> None:
        self.lost = True
        for future in self.waiting.values():
            future.cancel()  # wakes the sender, which sees ``lost``
        self.waiting.clear()


_FRAME_HEAD = re.compile(rb"##(\d{4})")
_QN = re.compile(rb"(?:^|;)QN=(\d+)")


def _frames(data: bytes) -> list[bytes]:
    """Split our own encoded bytes into frames (``##`` + 4-digit length + data + CRC + CR LF)."""
    frames, i = [], 0
    while i < len(data):
        head = _FRAME_HEAD.match(data, i)
        if head is None:
            raise ValueError("not a frame boundary")
        end = i + 6 + int(head.group(1)) + 6
        frames.append(data[i:end])
        i = end
    return frames


def _qn_of(frame: bytes) -> str:
    found = _QN.search(frame[6 : 6 + int(frame[2:6])])
    if found is None:
        raise ValueError("frame without QN")
    return found.group(1).decode()


def corrupt_crc(data: bytes) -> bytes:
    """``data`` with the CRC of its first frame changed, so a conforming receiver rejects it."""
    n = int(data[2:6])
    crc = int(data[6 + n : 10 + n], 16)
    return data[: 6 + n] + b"%04X" % (crc ^ 0x5A5A) + data[10 + n :]


def _period_items(station: Station, start: datetime, length: timedelta, seed: int) -> Items:
    return {
        code: {
            "Avg": format_value(code, agg.avg),
            "Min": format_value(code, agg.min),
            "Max": format_value(code, agg.max),
            "Flag": agg.flag,
        }
        for code, agg in period_values(station, start, length, seed=seed).items()
    }


def _rtd_items(station: Station, when: datetime, seed: int) -> Items:
    return {
        code: {"Rtd": format_value(code, r.value), "Flag": r.flag}
        for code, r in instant_values(station, when, seed=seed).items()
    }


def _floor(when: datetime, step: timedelta) -> datetime:
    midnight = when.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + ((when - midnight) // step) * step


class SimulatedLogger:
    """One station's logger. Run it with ``await logger.run(stop)``; read ``logger.stats`` any time."""

    def __init__(
        self,
        station: Station,
        password: str,
        target: tuple[str, int],
        *,
        clock: SimClock,
        config: LoggerConfig = LoggerConfig(),
        faults: float = 0.0,
        seed: int = 0,
    ) -> None:
        if not 0.0 <= faults <= 1.0:
            raise ValueError(f"fault probability must be within 0..1, not {faults}")
        self.station = station
        self.password = password
        self.target = target
        self.clock = clock
        self.config = config
        self.faults = faults
        self.seed = seed
        self.stats = LoggerStats(mn=station.mn)
        self.buffer = RecordBuffer(config.retention)
        key = int.from_bytes(hashlib.blake2b(station.mn.encode(), digest_size=8).digest(), "big")
        self._rng = np.random.default_rng([seed, key, 6])  # faults and back-off jitter
        self._st = system_code(station.kind)
        self._offset = timedelta(0)  # set by a 1012 time set when the clock runs at real speed
        self._last_qn = datetime.min.replace(tzinfo=clock.start.tzinfo)
        self._outbox: deque[_Job] = deque()
        self._rtd_queued = False
        self._wake = asyncio.Event()
        self._link: _Link | None = None

    # ------------------------------------------------------------------ clock and records

    def now(self) -> datetime:
        """The logger's own clock (the simulated clock, plus any offset set by a 1012)."""
        return self.clock.now() + self._offset

    def _next_qn(self) -> datetime:
        moment = self.now().replace(microsecond=self.now().microsecond // 1000 * 1000)
        if moment <= self._last_qn:
            moment = self._last_qn + timedelta(milliseconds=1)
        return moment

    def _record(self, cn: str, start: datetime, length: timedelta) -> Record:
        record = Record(cn, start, _period_items(self.station, start, length, self.seed))
        self.buffer.add(record)
        self.stats.records += 1
        return record

    def _enqueue(self, job: _Job) -> None:
        if self._link is None:
            self.stats.skipped += 1  # offline: the record waits in the buffer for a history request
            return
        if len(self._outbox) >= self.config.outbox_limit:
            self._outbox.popleft()
            self.stats.skipped += 1
        self._outbox.append(job)
        self._wake.set()

    async def _sleep_until(self, when: datetime, stop: asyncio.Event) -> bool:
        """Sleep until simulated ``when``; True if ``stop`` was set meanwhile."""
        delay = self.clock.real_delay(when - self._offset)
        if delay <= 0:
            await asyncio.sleep(0)
            return stop.is_set()
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except TimeoutError:
            return False
        return True

    async def _prefill(self) -> None:
        """Buffer the hours before the start, as a logger that ran before the platform knew it."""
        hour = timedelta(hours=1)
        end = _floor(self.now(), hour)
        start = end - (self.config.prefill // hour) * hour
        while start < end:
            self._record(CN_HOURLY, start, hour)
            start += hour
            await asyncio.sleep(0)  # ~1 ms of CPU per record: let the event loop breathe

    async def _produce(self, stop: asyncio.Event) -> None:
        """Make records on schedule: hourly and minute periods after they end, real-time samples."""
        hour = timedelta(hours=1)
        minute = timedelta(minutes=self.station.min_interval) if self.station.min_interval else None
        delay = timedelta(seconds=float(self._rng.uniform(*self.config.report_delay)))
        now = self.now()
        next_hour = _floor(now, hour) + hour
        next_min = _floor(now, minute) + minute if minute else None
        rtd_step = timedelta(
            seconds=max(self.config.rtd_interval, self.config.rtd_min_gap * self.clock.speedup)
        )
        next_rtd = now if self.config.realtime else None
        while True:
            dues = [next_hour + delay]
            if next_min is not None:
                dues.append(next_min + delay / 4)
            if next_rtd is not None:
                dues.append(next_rtd)
            if await self._sleep_until(min(dues), stop):
                return
            now = self.now()
            while now >= next_hour + delay:  # catches up hour by hour if the loop fell behind
                record = self._record(CN_HOURLY, next_hour - hour, hour)
                self._enqueue(_Job(record.cn, record.data_time, record.items, self.config.retries))
                next_hour += hour
            while minute is not None and next_min is not None and now >= next_min + delay / 4:
                record = self._record(CN_MINUTE, next_min - minute, minute)
                self._enqueue(_Job(record.cn, record.data_time, record.items, self.config.retries))
                next_min += minute
            if next_rtd is not None and now >= next_rtd:
                self._enqueue_rtd()
                next_rtd = now + rtd_step

    def _enqueue_rtd(self) -> None:
        """Queue one real-time sample, unless one is already waiting (they are never resent either:
        a late real-time value is worth nothing)."""
        if self._rtd_queued or self._link is None:
            return
        sample_time = self.now().replace(microsecond=0)
        self._rtd_queued = True
        self._enqueue(_Job(CN_REALTIME, sample_time, _rtd_items(self.station, sample_time, self.seed), 0))

    # ------------------------------------------------------------------ connection

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, push, answer, reconnect — until ``stop`` is set; then close cleanly."""
        if self.config.prefill > timedelta(0):
            await self._prefill()
        producer = asyncio.create_task(self._produce(stop), name=f"sim-produce-{self.station.mn}")
        try:
            await self._connect_loop(stop)
        finally:
            producer.cancel()
            await asyncio.gather(producer, return_exceptions=True)

    async def _pause(self, seconds: float, stop: asyncio.Event) -> None:
        jittered = seconds * float(self._rng.uniform(0.8, 1.2))  # loggers must not reconnect in lockstep
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), jittered)

    async def _connect_loop(self, stop: asyncio.Event) -> None:
        backoff = self.config.backoff_initial
        while not stop.is_set():
            host, port = self.target  # read each time: a caller may point the logger elsewhere
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), self.config.connect_timeout
                )
            except (OSError, TimeoutError) as exc:
                self.stats.connect_failures += 1
                log.debug("%s: cannot connect to %s:%s: %s", self.station.mn, host, port, exc)
                await self._pause(backoff, stop)
                backoff = min(backoff * 2, self.config.backoff_max)
                continue
            self.stats.connects += 1
            self.stats.connected = True
            link = _Link(reader, writer)
            self._link = link
            if self.config.realtime:
                self._enqueue_rtd()  # say who we are at once: the platform learns the MN from a packet
            try:
                await self._serve(link, stop)
            finally:
                self._link = None
                self.stats.connected = False
                self.stats.skipped += len(self._outbox)
                self._outbox.clear()
                self._rtd_queued = False
                await _close(writer)
            if stop.is_set():
                return
            self.stats.disconnects += 1
            if link.healthy:
                backoff = self.config.backoff_initial
            await self._pause(backoff, stop)
            backoff = min(backoff * 2, self.config.backoff_max)

    async def _serve(self, link: _Link, stop: asyncio.Event) -> None:
        tasks = {
            asyncio.create_task(self._read(link), name=f"sim-read-{self.station.mn}"),
            asyncio.create_task(self._send_loop(link), name=f"sim-send-{self.station.mn}"),
            asyncio.create_task(stop.wait()),
        }
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        link.lose()
        for task in done:
            exc = task.exception()
            if exc is not None and not isinstance(exc, _LinkLostError | ConnectionError):
                log.error("%s: simulated logger failed: %r", self.station.mn, exc, exc_info=exc)

    async def _read(self, link: _Link) -> None:
        while True:
            try:
                data = await link.reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            link.conn.receive_data(data)
            while True:
                try:
                    event = link.conn.next_event()
                except RemoteProtocolError as exc:
                    self.stats.bad_frames += 1
                    log.debug("%s: bad frame from platform: %s", self.station.mn, exc)
                    continue
                if event is NEED_DATA:
                    break
                self._on_event(link, event)
            if not data:
                link.lose()
                return

    def _on_event(self, link: _Link, event: Event) -> None:
        if isinstance(event, DataAck):
            future = link.waiting.get(event.qn or "")
            if future is not None and not future.done():
                future.set_result(0)
        elif isinstance(event, RequestAnswer):
            future = link.waiting.get(event.qn or "")
            if future is not None and not future.done() and event.qn_rtn != _QN_RTN_READY:
                future.set_result(event.qn_rtn)  # e.g. QnRtn=9: our CRC was wrong, resend now
        elif isinstance(event, HistoryRequest | SetTime):
            link.requests.append(event)
            self._wake.set()
        elif isinstance(event, OtherPacket):
            self._on_other(link, event)

    def _on_other(self, link: _Link, event: OtherPacket) -> None:
        packet = event.packet
        if packet.cn in _NOTIFICATIONS:
            answer = link.conn.send(NotificationAck.for_packet(packet))
        elif packet.wants_ack and packet.cn is not None and packet.cn < "9000":
            answer = link.conn.send(RequestAnswer.for_packet(packet, _QN_RTN_REJECTED))  # not simulated
        else:
            return
        if not link.lost:
            link.writer.write(answer)  # one write() call: never interleaves with another frame

    # ------------------------------------------------------------------ sending

    async def _send_loop(self, link: _Link) -> None:
        while True:
            if link.requests:
                request = link.requests.popleft()
                if isinstance(request, HistoryRequest):
                    await self._answer_history(link, request)
                else:
                    await self._answer_set_time(link, request)
            elif self._outbox:
                job = self._outbox.popleft()
                if job.cn == CN_REALTIME:
                    self._rtd_queued = False
                await self._push(link, job)
            else:
                self._wake.clear()
                await self._wake.wait()

    def _roll_fault(self) -> Fault | None:
        if self.faults <= 0.0 or not self.config.fault_kinds or self._rng.random() >= self.faults:
            return None
        return self.config.fault_kinds[int(self._rng.integers(len(self.config.fault_kinds)))]

    async def _push(self, link: _Link, job: _Job) -> bool:
        """Send one upload, stop-and-wait; True once acknowledged (or sent, when no ack is wanted)."""
        qn_time = self._next_qn()
        upload = Upload(
            cn=job.cn,
            qn=make_qn(qn_time),
            st=self._st,
            pw=self.password,
            mn=self.station.mn,
            data_time=job.data_time,
            items=job.items,
            wants_ack=self.config.wants_ack,
        )
        data = link.conn.send(upload)
        qns = [_qn_of(frame) for frame in _frames(data)]
        self._last_qn = qn_time + timedelta(milliseconds=len(qns) - 1)
        loop = asyncio.get_running_loop()
        for attempt in range(1 + job.retries):
            if attempt:
                self.stats.resent += 1
            fault = self._roll_fault()
            if fault is Fault.DROP:
                self.stats.dropped += 1
                return False
            if fault is Fault.DISCONNECT:
                self.stats.disconnected += 1
                link.lose()
                raise _LinkLostError("injected disconnect")
            futures = {qn: loop.create_future() for qn in qns} if self.config.wants_ack else {}
            link.waiting.update(futures)
            if fault is Fault.BAD_CRC:
                self.stats.bad_crc += 1
            await link.write(corrupt_crc(data) if fault is Fault.BAD_CRC else data)
            self.stats.sent += len(qns)
            if not futures:
                return True
            try:
                await asyncio.wait(futures.values(), timeout=self.config.ack_timeout)
            finally:
                for qn in qns:
                    link.waiting.pop(qn, None)
            if link.lost:
                raise _LinkLostError("connection closed while waiting for 9014")
            if not all(f.done() for f in futures.values()):
                self.stats.timeouts += 1
                continue
            if all(f.result() == 0 for f in futures.values()):
                self.stats.acked += len(qns)
                link.healthy = True
                return True
            self.stats.rejected += 1
        self.stats.unacked += 1
        return False

    async def _answer_history(self, link: _Link, request: HistoryRequest) -> None:
        """HJ 212-2017 C.20/C.48: 9011, then each record as an upload with a new QN, then 9012."""
        self.stats.history_requests += 1
        if request.mn != self.station.mn:
            rtn = _QN_RTN_MN_WRONG
        elif request.pw != self.password:
            rtn = _QN_RTN_PW_WRONG
        else:
            rtn = _QN_RTN_READY
        await link.write(link.conn.send(RequestAnswer(request.qn, request.pw, request.mn, rtn)))
        if rtn != _QN_RTN_READY:
            return
        records = self.buffer.between(request.cn, request.begin, request.end)
        for record in records:
            await self._push(link, _Job(record.cn, record.data_time, record.items, self.config.retries))
            self.stats.history_records += 1
        exe_rtn = _EXE_RTN_SUCCESS if records else _EXE_RTN_NO_DATA
        await link.write(link.conn.send(ExecutionResult(request.qn, request.pw, request.mn, exe_rtn)))

    async def _answer_set_time(self, link: _Link, request: SetTime) -> None:
        """HJ 212-2017 C.3: 9011, set the clock, 9012.

        The clock is moved only at real speed: a sped-up simulation keeps its own timeline, or a
        platform that sets the time on every connect would send it back and forth.
        """
        self.stats.time_sets += 1
        await link.write(link.conn.send(RequestAnswer(request.qn, request.pw, request.mn, _QN_RTN_READY)))
        if self.clock.speedup == 1.0:
            self._offset = request.system_time - self.clock.now()
        await link.write(
            link.conn.send(ExecutionResult(request.qn, request.pw, request.mn, _EXE_RTN_SUCCESS))
        )


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError, TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), 1.0)
