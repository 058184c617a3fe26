"""Gap detection and history requests ("backfill") for one logger connection.

The platform knows each station's expected series: one hourly value per hour (CN 2061) and, where
``Station.min_interval`` is set, one minute value per interval (CN 2051). When a station connects
the last ``window`` is checked against the store; when a live upload is newer than the previous
one by more than one step, the skipped slots are checked. Slots still missing are requested from
the logger with history requests, coalesced into ranges, one request in flight per connection.

HJ 212-2017 §6.5 / Appendix C.20-C.22: the platform sends ``CN=2061;Flag=5;CP=&&BeginTime=…;
EndTime=…&&``; the logger answers 9011 (QnRtn), uploads the records (each answered by 9014 if it
asks) and ends with 9012 (ExeRtn; 100 = no data). Begin and End are both inclusive. Many loggers
skip the 9011/9012 and just send the data, so the outcome is decided by re-reading the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count

from lianfang.hj212 import HistoryRequest, make_qn
from lianfang.model import BEIJING, DataKind, Station
from lianfang.store.base import Store

from .metrics import Metrics

__all__ = [
    "HISTORY_CN",
    "BackfillConfig",
    "Backfiller",
    "GapRange",
    "expected_slots",
    "missing_ranges",
    "slot_floor",
]

log = logging.getLogger(__name__)

#: HJ 212-2017 Table 9: "2061 提取污染物小时历史数据", "2051 提取污染物分钟数据".
HISTORY_CN: dict[DataKind, str] = {DataKind.HOUR: "2061", DataKind.MIN: "2051"}

#: HJ 212-2017 Table 6: ExeRtn 1 = 执行成功, 100 = 没有数据.
EXE_SUCCESS = 1
EXE_NO_DATA = 100
#: HJ 212-2017 Table 7: QnRtn 1 = 准备执行请求.
QN_READY = 1


@dataclass(frozen=True, slots=True)
class BackfillConfig:
    enabled: bool = True
    hour_window: timedelta = timedelta(hours=48)  # how far back hourly gaps are looked for
    minute_window: timedelta = timedelta(hours=6)  # … and minute gaps, for stations with min_interval
    grace: timedelta = timedelta(minutes=10)  # a slot is due this long after it ends
    initial_delay: float = 5.0  # [s] after connect, so the logger's own catch-up goes first
    answer_timeout: float = 10.0  # [s] HJ 212-2017 Table 1: 10 s over mobile networks
    execution_timeout: float = 60.0  # [s] of silence while the logger answers
    backoff_base: float = 30.0  # [s] first retry delay, doubled per failure
    backoff_max: float = 3600.0  # [s]
    max_attempts: int = 5  # per range; then given up until the next connection
    max_slots_per_request: int = 24


@dataclass(frozen=True, slots=True)
class GapRange:
    """Missing slots ``begin`` … ``end`` (both inclusive, slot starts) of one station's series."""

    mn: str
    kind: DataKind
    begin: datetime
    end: datetime
    step: timedelta

    @property
    def slots(self) -> int:
        return (self.end - self.begin) // self.step + 1


def slot_floor(t: datetime, step: timedelta) -> datetime:
    """The start of the slot holding ``t``; slots are aligned to Beijing midnight."""
    local = t.astimezone(BEIJING)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + ((local - midnight) // step) * step


def expected_slots(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """Slot starts ``t`` with ``start <= t < end``, aligned as :func:`slot_floor`."""
    t = slot_floor(start, step)
    if t < start:
        t += step
    out: list[datetime] = []
    while t < end:
        out.append(t)
        t += step
    return out


def missing_ranges(
    mn: str,
    kind: DataKind,
    expected: Sequence[datetime],
    present: Sequence[datetime],
    step: timedelta,
    max_slots: int,
) -> list[GapRange]:
    """Coalesce the expected slots not in ``present`` into ranges of at most ``max_slots``."""
    have = set(present)  # aware datetimes compare and hash as instants, whatever their zone
    out: list[GapRange] = []
    begin: datetime | None = None
    prev: datetime | None = None
    for t in expected:
        if t in have:
            continue
        if begin is not None and prev is not None and t - prev == step and (t - begin) // step < max_slots:
            prev = t
            continue
        if begin is not None and prev is not None:
            out.append(GapRange(mn, kind, begin, prev, step))
        begin = prev = t
    if begin is not None and prev is not None:
        out.append(GapRange(mn, kind, begin, prev, step))
    return out


@dataclass(slots=True)
class _Logger:
    """What the backfiller knows of one station on this connection."""

    station: Station
    st: str
    pw: str
    latest: dict[DataKind, datetime] = field(default_factory=dict)


@dataclass(slots=True)
class _Check:
    mn: str
    kind: DataKind
    start: datetime
    end: datetime  # exclusive


@dataclass(slots=True)
class _Pending:
    gap: GapRange
    attempts: int = 0


class Backfiller:
    """Finds a connection's gaps and asks its logger for them, one history request at a time."""

    def __init__(
        self,
        *,
        config: BackfillConfig,
        store: Store,
        metrics: Metrics,
        send: Callable[[HistoryRequest], None],
        committed: Callable[[], Awaitable[None]],
        now: Callable[[], datetime],
        peer: str,
    ) -> None:
        self._config = config
        self._store = store
        self._metrics = metrics
        self._send = send
        self._committed = committed  # resolves once everything received so far is durable
        self._now = now
        self._peer = peer
        self._loggers: dict[str, _Logger] = {}
        self._checks: list[_Check] = []
        self._queue: list[_Pending] = []
        self._task: asyncio.Task[None] | None = None
        self._answer: asyncio.Future[int] | None = None
        self._result: asyncio.Future[int] | None = None
        self._waiting_qn: str | None = None
        self._activity = 0.0
        self._seq = count()
        self._closed = False

    # --- events from the session ---------------------------------------------------------
    def station_seen(self, station: Station, st: str, pw: str) -> None:
        """First authenticated packet of ``station`` on this connection: check its recent past."""
        known = self._loggers.get(station.mn)
        if known is not None:
            known.station, known.st, known.pw = station, st, pw
            return
        self._loggers[station.mn] = _Logger(station, st, pw)
        if not self._config.enabled:
            return
        now = self._now()
        due = now - self._config.grace
        self._checks.append(_Check(station.mn, DataKind.HOUR, now - self._config.hour_window, due))
        if station.min_interval:
            self._checks.append(_Check(station.mn, DataKind.MIN, now - self._config.minute_window, due))
        self._wake(initial=True)

    @property
    def enabled(self) -> bool:
        return self._config.enabled

    def upload_seen(self, mn: str, kind: DataKind, time: datetime) -> None:
        """A stored upload: note activity, and check the slots it skipped over, if any."""
        self._activity = asyncio.get_running_loop().time()
        known = self._loggers.get(mn)
        step = self._step(known.station, kind) if known is not None else None
        if known is None or step is None:
            return
        previous = known.latest.get(kind)
        if previous is None or time > previous:
            known.latest[kind] = time
        if previous is not None and time - previous > step and self._config.enabled:
            self._checks.append(_Check(mn, kind, previous + step, time))
            self._wake(initial=False)

    def answer_received(self, qn: str | None, qn_rtn: int) -> None:
        if qn is not None and qn == self._waiting_qn and self._answer and not self._answer.done():
            self._answer.set_result(qn_rtn)

    def result_received(self, qn: str | None, exe_rtn: int) -> None:
        if qn is not None and qn == self._waiting_qn and self._result and not self._result.done():
            self._result.set_result(exe_rtn)

    def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    # --- the worker ----------------------------------------------------------------------
    def _step(self, station: Station, kind: DataKind) -> timedelta | None:
        if kind is DataKind.HOUR:
            return timedelta(hours=1)
        if kind is DataKind.MIN and station.min_interval:
            return timedelta(minutes=station.min_interval)
        return None

    def _wake(self, *, initial: bool) -> None:
        if self._closed or self.busy:
            return
        delay = self._config.initial_delay if initial else 0.0
        self._task = asyncio.get_running_loop().create_task(self._work(delay))

    async def _work(self, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            while self._checks or self._queue:
                if self._checks:
                    await self._run_checks()
                    continue
                await self._serve(self._queue[0])
        except asyncio.CancelledError:
            raise
        except Exception:  # a store read failing must not take the connection down
            log.exception("backfill stopped for %s", self._peer)

    async def _run_checks(self) -> None:
        checks, self._checks = self._checks, []
        await self._committed()
        for check in checks:
            known = self._loggers.get(check.mn)
            step = self._step(known.station, check.kind) if known else None
            if step is None:
                continue
            # only whole slots: the one still running at check.end is not due yet
            end = slot_floor(check.end, step)
            gaps = await self._find_gaps(check.mn, check.kind, check.start, end, step)
            queued = {(p.gap.mn, p.gap.kind, p.gap.begin) for p in self._queue}
            for gap in gaps:
                if (gap.mn, gap.kind, gap.begin) not in queued:
                    self._queue.append(_Pending(gap))
                    self._metrics.backfill["gaps_found"] += 1

    async def _find_gaps(
        self, mn: str, kind: DataKind, start: datetime, end: datetime, step: timedelta
    ) -> list[GapRange]:
        expected = expected_slots(start, end, step)
        if not expected:
            return []
        loop = asyncio.get_running_loop()
        present = await loop.run_in_executor(
            None, self._store.observation_times, mn, kind, expected[0], expected[-1] + step
        )
        return missing_ranges(mn, kind, expected, present, step, self._config.max_slots_per_request)

    async def _serve(self, pending: _Pending) -> None:
        outcome = await self._request(pending.gap)
        self._metrics.backfill[outcome] += 1
        if outcome in {"filled", "done", "no_data", "unknown_station"}:
            self._queue.remove(pending)
            return
        pending.attempts += 1
        if pending.attempts >= self._config.max_attempts:
            self._queue.remove(pending)
            self._metrics.backfill["given_up"] += 1
            log.warning(
                "backfill given up: mn=%s kind=%s %s..%s after %d attempts (peer %s)",
                pending.gap.mn,
                pending.gap.kind,
                pending.gap.begin.isoformat(),
                pending.gap.end.isoformat(),
                pending.attempts,
                self._peer,
            )
            return
        delay = min(self._config.backoff_max, self._config.backoff_base * 2 ** (pending.attempts - 1))
        await asyncio.sleep(delay)

    async def _request(self, gap: GapRange) -> str:
        known = self._loggers.get(gap.mn)
        if known is None:
            return "unknown_station"
        loop = asyncio.get_running_loop()
        qn = make_qn(self._now().astimezone(BEIJING), next(self._seq) % 1000)
        self._answer, self._result, self._waiting_qn = loop.create_future(), loop.create_future(), qn
        begin, end = gap.begin.astimezone(BEIJING), gap.end.astimezone(BEIJING)
        request = HistoryRequest(
            cn=HISTORY_CN[gap.kind], qn=qn, st=known.st, pw=known.pw, mn=gap.mn, begin=begin, end=end
        )
        self._metrics.backfill["requests"] += 1
        log.info("backfill request: mn=%s cn=%s %s..%s", gap.mn, request.cn, begin, end)
        self._send(request)
        self._activity = loop.time()
        try:
            # the 9012 may come without a 9011 before it: waiting for either ends the first phase
            await self._await((self._answer, self._result), self._config.answer_timeout)
            qn_rtn = self._answer.result() if self._answer.done() else None
            if qn_rtn is not None and qn_rtn != QN_READY:
                return "refused"
            await self._await((self._result,), self._config.execution_timeout)
            exe_rtn = self._result.result() if self._result.done() else None
        finally:
            self._waiting_qn = None
        if exe_rtn == EXE_NO_DATA:
            return "no_data"
        await self._committed()
        left = await self._find_gaps(gap.mn, gap.kind, gap.begin, gap.end + gap.step, gap.step)
        if not left:
            return "filled"
        if exe_rtn == EXE_SUCCESS:
            return "done"  # the logger sent all it has; what is still missing it does not have
        return "failed" if exe_rtn is not None else "timeout"

    async def _await(self, futures: tuple[asyncio.Future[int], ...], timeout: float) -> None:
        """Wait until one of ``futures`` is done or ``timeout`` passes without the logger sending."""
        loop = asyncio.get_running_loop()
        while not any(f.done() for f in futures):
            remaining = self._activity + timeout - loop.time()
            if remaining <= 0:
                return
            await asyncio.wait(futures, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
