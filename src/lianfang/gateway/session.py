"""One logger connection: bytes in, HJ 212 events through the codec, answers out.

A session feeds what it reads into its :class:`lianfang.hj212.Connection` and handles the events
in arrival order. Uploads from a station whose MN and password check out are appended to the
shared group commit; their 9014 answers are written only after that commit. A packet that fails
the check gets the protocol's 9011 answer, is counted and logged, and the connection goes on.

Reading stops (the codec keeps the unread bytes) while a password is being checked, while the
store is behind (backpressure) and while the peer does not read our answers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from lianfang.hj212 import (
    NEED_DATA,
    Connection,
    DataUpload,
    Event,
    ExecutionResult,
    HistoryRequest,
    NotificationAck,
    OtherPacket,
    Packet,
    RemoteProtocolError,
    RequestAnswer,
    Role,
    SetTime,
    TimeCalibrationRequest,
    make_qn,
)
from lianfang.model import BEIJING, DataKind, Station
from lianfang.store.base import Store

from .acks import AckEncoder
from .backfill import Backfiller
from .commit import CommitQueue
from .config import GatewayConfig
from .metrics import LastUpload, Metrics
from .registry import StationDirectory, Verdict
from .rejectlog import RejectLog
from .translate import append_upload

__all__ = ["QN_RTN", "Session", "SessionContext"]

log = logging.getLogger(__name__)

#: HJ 212-2017 §6.6.3 Table 7 (请求应答 QnRtn): 3 = "PW 错误", 4 = "MN 错误".
QN_RTN: dict[Verdict, int] = {Verdict.BAD_PASSWORD: 3, Verdict.UNKNOWN_MN: 4}

_MN_IN_FRAME = re.compile(rb"MN=([^;&]{1,40})")
_PW_IN_TEXT = re.compile(r"PW=[^;,&'\"]*")  # codec messages may quote header text: never log a password
_AUTH, _PRESSURE, _WRITE, _SHUTDOWN = "auth", "pressure", "write", "shutdown"

#: Events that are acted on only for a registered station with the right password.
_Checked = DataUpload | TimeCalibrationRequest | OtherPacket


@dataclass(slots=True)
class SessionContext:
    """What every session shares: the gateway's parts, handed over by :class:`Gateway`."""

    config: GatewayConfig
    store: Store
    metrics: Metrics
    directory: StationDirectory
    commits: CommitQueue
    rejects: RejectLog
    acks: AckEncoder
    read_buffer: bytearray
    now: Callable[[], datetime]
    sessions: set[Session]
    online: dict[str, int]  # mn -> open sessions it is authenticated on
    shutting_down: bool = False


class Session(asyncio.BufferedProtocol):
    """The protocol object of one logger TCP connection."""

    def __init__(self, ctx: SessionContext) -> None:
        self._ctx = ctx
        self._codec = Connection(
            Role.PLATFORM, max_data_len=ctx.config.max_data_len, tolerance=ctx.config.tolerance
        )
        self._view = memoryview(ctx.read_buffer)
        self._transport: asyncio.Transport | None = None
        self.peer = "?"
        self._blocks: set[str] = set()
        self._closed = False
        self._stations: dict[str, Station] = {}
        # the last (mn, password) that checked out on this connection, against which station record
        self._auth: tuple[str | None, str | None, Station | None] = (None, None, None)
        self._last_read = 0.0
        self._received_at: datetime | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._split_timer: asyncio.TimerHandle | None = None
        self._backfill: Backfiller | None = None

    # --- asyncio protocol ----------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        ctx = self._ctx
        if len(ctx.sessions) >= ctx.config.max_connections or ctx.shutting_down:
            ctx.metrics.connections_refused += 1
            ctx.rejects.note("max_connections", self.peer, None, "connection limit reached")
            self._closed = True
            transport.abort()
            return
        ctx.sessions.add(self)
        ctx.metrics.connections_total += 1
        transport.set_write_buffer_limits(high=64 * 1024)
        loop = asyncio.get_running_loop()
        self._last_read = loop.time()
        self._idle = loop.call_at(self._last_read + ctx.config.idle_timeout, self._idle_check)
        if ctx.commits.under_pressure:
            self._block(_PRESSURE)
        log.debug("logger connected from %s", self.peer)

    def get_buffer(self, sizehint: int) -> memoryview:
        # One buffer for all connections: asyncio fills it and calls buffer_updated at once, and
        # the codec copies what it keeps. Idle connections thus hold no read buffer of their own.
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        self._last_read = asyncio.get_running_loop().time()
        self._received_at = None
        self._ctx.metrics.bytes_received += nbytes
        self._codec.receive_data(bytes(self._view[:nbytes]))
        self._pump()
        if self._split_timer is None and self._codec.pending_splits:
            loop = asyncio.get_running_loop()
            self._split_timer = loop.call_at(self._last_read + self._ctx.config.split_wait, self._split_check)

    def eof_received(self) -> bool | None:
        self._codec.receive_data(b"")
        self._pump()
        return None  # close our side too

    def pause_writing(self) -> None:
        self._block(_WRITE)  # the peer does not read our answers: stop reading its packets

    def resume_writing(self) -> None:
        self._unblock(_WRITE)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._closed and self not in self._ctx.sessions:
            return
        self._closed = True
        ctx = self._ctx
        ctx.sessions.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        if self._split_timer is not None:
            self._split_timer.cancel()
        if self._backfill is not None:
            self._backfill.close()
        self._store_partial()  # split uploads cut short: keep what arrived (no one to ack)
        ctx.commits.forget(self)
        for mn in self._stations:
            left = ctx.online.get(mn, 1) - 1
            if left > 0:
                ctx.online[mn] = left
            else:
                ctx.online.pop(mn, None)
        log.debug("logger %s disconnected (%s)", self.peer, exc or "closed")

    # --- used by the gateway -------------------------------------------------------------
    def write_acks(self, frames: list[bytes]) -> None:
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.write(b"".join(frames) if len(frames) > 1 else frames[0])

    def set_pressure(self, on: bool) -> None:
        if on:
            self._block(_PRESSURE)
        else:
            self._unblock(_PRESSURE)

    def begin_shutdown(self) -> None:
        """Stop reading; store split uploads cut short (acknowledged after their commit)."""
        self._block(_SHUTDOWN)
        if self._backfill is not None:
            self._backfill.close()
        self._store_partial()

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    # --- event handling ------------------------------------------------------------------
    def _pump(self) -> None:
        codec = self._codec
        while not self._blocks:
            try:
                event = codec.next_event()
            except RemoteProtocolError as exc:
                self._reject_frame(exc)
                continue
            if event is NEED_DATA:
                return
            self._dispatch(event)

    def _dispatch(self, event: Event) -> None:
        if isinstance(event, DataUpload):
            self._ctx.metrics.packets += len(event.packets)
            self._authorised(event, event.packets[0])
        elif isinstance(event, TimeCalibrationRequest):
            self._ctx.metrics.packets += 1
            self._authorised(event, event.packet)
        elif isinstance(event, RequestAnswer):
            self._ctx.metrics.packets += 1
            if self._backfill is not None:
                self._backfill.answer_received(event.qn, event.qn_rtn)
        elif isinstance(event, ExecutionResult):
            self._ctx.metrics.packets += 1
            if self._backfill is not None:
                self._backfill.result_received(event.qn, event.exe_rtn)
        elif isinstance(event, OtherPacket) and event.packet.wants_ack:
            # e.g. 2081 logger power-on time: nothing we store, but it asks for a 9014 (§6.5).
            self._ctx.metrics.packets += 1
            self._authorised(event, event.packet)
        else:  # 9013/9014 answers to what we sent, or commands a platform does not act on
            self._ctx.metrics.packets += 1

    def _authorised(self, event: _Checked, packet: Packet) -> None:
        mn, pw = packet.mn, packet.pw
        memo_mn, memo_pw, memo_station = self._auth
        if mn is not None and mn == memo_mn and pw == memo_pw:
            station = self._ctx.directory.station(mn)
            if station is memo_station and station is not None:
                self._apply(event, Verdict.OK, station)
                return
        verdict = self._ctx.directory.check_cached(mn, pw)
        if verdict is None:  # needs a store read or scrypt: hold the stream until we know
            self._block(_AUTH)
            asyncio.get_running_loop().create_task(self._check_then_apply(event, mn, pw))
            return
        station = self._ctx.directory.station(mn) if mn is not None else None
        self._apply(event, verdict, station)

    async def _check_then_apply(self, event: _Checked, mn: str | None, pw: str | None) -> None:
        try:
            verdict, station = await self._ctx.directory.check(mn, pw)
        except Exception as exc:  # registry unreadable: answer nothing, the logger will resend
            self._ctx.rejects.note("registry_error", self.peer, mn, str(exc))
        else:
            self._apply(event, verdict, station)
        self._unblock(_AUTH)

    def _apply(self, event: _Checked, verdict: Verdict, station: Station | None) -> None:
        packets = event.packets if isinstance(event, DataUpload) else (event.packet,)
        if verdict is not Verdict.OK or station is None:
            self._refuse(packets, verdict)
            return
        first = packets[0]
        self._auth = (first.mn, first.pw, station)
        mn = station.mn
        if mn not in self._stations:
            self._station_seen(station, first)
        if isinstance(event, DataUpload):
            self._accept(event, mn)
        elif isinstance(event, TimeCalibrationRequest):
            self._calibrate_time(first)
        else:
            self._ctx.commits.add_acks(self, [self._ctx.acks.encode(first, self._codec)], time.perf_counter())

    def _station_seen(self, station: Station, packet: Packet) -> None:
        ctx = self._ctx
        self._stations[station.mn] = station
        ctx.online[station.mn] = ctx.online.get(station.mn, 0) + 1
        if self._backfill is None:
            self._backfill = Backfiller(
                config=ctx.config.backfill,
                store=ctx.store,
                metrics=ctx.metrics,
                send=self._send_request,
                committed=ctx.commits.committed,
                now=ctx.now,
                peer=self.peer,
            )
        self._backfill.station_seen(station, packet.st or "", packet.pw or "")

    def _accept(self, upload: DataUpload, mn: str) -> None:
        ctx = self._ctx
        metrics = ctx.metrics
        if upload.data_time is None and upload.cn in ("2011", "2051", "2061", "2031"):
            # Without DataTime the values have no time; no 9014, so the logger keeps them.
            metrics.rejects["no_data_time"] += 1
            ctx.rejects.note("no_data_time", self.peer, mn, f"CN={upload.cn} without DataTime")
            return
        received_at = self._received_at
        if received_at is None:
            received_at = self._received_at = ctx.now()
        commits = ctx.commits
        result = append_upload(commits.batch, upload, mn, received_at)
        metrics.uploads += 1
        if result.not_numeric:
            metrics.values_skipped["not_numeric"] += result.not_numeric
            ctx.rejects.note("not_numeric", self.peer, mn, f"{result.not_numeric} value(s) not numbers")
        if result.no_value:
            metrics.values_skipped["no_value"] += result.no_value
        if result.stored:
            commits.rows_added()
        codec, encode = self._codec, ctx.acks.encode
        acks = [encode(p, codec) for p in upload.packets if p.wants_ack]
        if acks:
            commits.add_acks(self, acks, time.perf_counter())
        kind = result.kind
        if kind is not None and upload.data_time is not None:
            metrics.last_uploads[mn] = LastUpload(upload.cn, upload.data_time, upload.items)
            backfill = self._backfill
            if (kind is DataKind.HOUR or kind is DataKind.MIN) and backfill is not None and backfill.enabled:
                backfill.upload_seen(mn, kind, upload.data_time)

    def _refuse(self, packets: tuple[Packet, ...], verdict: Verdict) -> None:
        ctx = self._ctx
        reason = verdict.value
        ctx.metrics.rejects[reason] += len(packets)
        ctx.rejects.note(reason, self.peer, packets[0].mn, f"CN={packets[0].cn}")
        frames = [self._codec.send(RequestAnswer.for_packet(p, QN_RTN[verdict])) for p in packets]
        ctx.metrics.answers_sent += len(frames)
        self.write_acks(frames)

    def _calibrate_time(self, packet: Packet) -> None:
        # HJ 212-2017 Appendix C.4 / §6.5: 1013 (现场机请求校时) is a notification: answer 9013,
        # then set the logger's clock with a 1012 request.
        now = self._ctx.now().astimezone(BEIJING)
        pw, mn = packet.pw or "", packet.mn or ""
        frames = [
            self._codec.send(NotificationAck.for_packet(packet)),
            self._codec.send(SetTime(qn=make_qn(now), st=packet.st or "", pw=pw, mn=mn, system_time=now)),
        ]
        self._ctx.metrics.answers_sent += len(frames)
        self.write_acks(frames)

    def _reject_frame(self, exc: RemoteProtocolError) -> None:
        ctx = self._ctx
        ctx.metrics.rejects[exc.code] += 1
        found = _MN_IN_FRAME.search(exc.frame or b"")
        mn = found.group(1).decode("ascii", "replace") if found else None
        ctx.rejects.note(exc.code, self.peer, mn, _PW_IN_TEXT.sub("PW=***", exc.message))
        if exc.response:
            ctx.metrics.answers_sent += 1
            self.write_acks([exc.response])

    def _send_request(self, request: HistoryRequest) -> None:
        self.write_acks([self._codec.send(request)])

    def _store_partial(self) -> None:
        for upload in self._codec.flush_partial():
            self._ctx.metrics.packets += len(upload.packets)
            self._authorised(upload, upload.packets[0])

    # --- flow control and timers ---------------------------------------------------------
    def _block(self, reason: str) -> None:
        if not self._blocks and self._transport is not None and not self._closed:
            self._transport.pause_reading()
        self._blocks.add(reason)

    def _unblock(self, reason: str) -> None:
        if reason not in self._blocks:
            return
        self._blocks.discard(reason)
        if not self._blocks and self._transport is not None and not self._closed:
            self._transport.resume_reading()
            self._pump()

    def _split_check(self) -> None:
        # A logger that waits for the 9014 of part 1 before sending part 2 (HJ 212-2017 C.50 with
        # answers) would wait forever for a merged upload: after ``split_wait`` of silence the parts
        # that came are stored and acknowledged as they are.
        self._split_timer = None
        if self._closed or not self._codec.pending_splits:
            return
        loop = asyncio.get_running_loop()
        due = self._last_read + self._ctx.config.split_wait
        if self._blocks or loop.time() < due:
            self._split_timer = loop.call_at(max(due, loop.time() + 0.1), self._split_check)
            return
        self._store_partial()

    def _idle_check(self) -> None:
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        timeout = self._ctx.config.idle_timeout
        if self._blocks or (self._backfill is not None and self._backfill.busy):
            self._idle = loop.call_at(now + timeout, self._idle_check)  # silent because of us
        elif now - self._last_read >= timeout:
            self._ctx.metrics.idle_timeouts += 1
            log.info("logger %s idle for %.0f s: disconnecting", self.peer, timeout)
            self._store_partial()
            self.close()
        else:
            self._idle = loop.call_at(self._last_read + timeout, self._idle_check)
