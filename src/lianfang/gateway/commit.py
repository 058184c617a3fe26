"""Group commit across connections, and acknowledgements written only after the commit.

Every accepted upload appends its rows to one pending :class:`ObservationBatch` and its 9014
answers to one pending list. At the end of the event-loop turn the pending group is handed to the
store, unless two groups are already there (one committing, the next converted and queued); then
new uploads wait and go together into the group after, handed over the moment a commit ends. The
store's writer commits whatever is queued when its previous commit ends (natural group commit).
A lone packet is therefore committed and acknowledged within milliseconds, and a burst shares
one transaction without any fixed flush interval.

DESIGN.md: "An acknowledgement goes back to a logger only after the values it covers are durable."
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from lianfang.model import ObservationBatch, WriteResult
from lianfang.store.base import Store

from .metrics import Metrics

__all__ = ["AckSink", "CommitQueue"]

log = logging.getLogger(__name__)

#: Groups handed to the store at once: while one commits, the next is already converted to Arrow
#: and queued, so the store's writer starts it the moment the first commit ends.
MAX_INFLIGHT = 2


class AckSink(Protocol):
    """Where a committed group's answers go: the session that received the packets."""

    def write_acks(self, frames: list[bytes]) -> None: ...


@dataclass(slots=True, eq=False)
class _Group:
    batch: ObservationBatch = field(default_factory=ObservationBatch)
    acks: dict[AckSink, list[bytes]] = field(default_factory=dict)
    ack_count: int = 0
    received: list[float] = field(default_factory=list)  # perf_counter when each acked packet came
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


class CommitQueue:
    """Collects rows and acks from every session and commits them in natural groups."""

    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        *,
        high_water: int,
        on_pressure: Callable[[bool], None],
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._high = high_water
        self._low = high_water // 2
        self._on_pressure = on_pressure
        self._pending = _Group()
        self._inflight: list[_Group] = []  # oldest first; they commit in this order
        self._inflight_rows = 0
        self._scheduled = False
        self._pressure = False
        self._loop = asyncio.get_running_loop()
        # Turning the batch into Arrow (the store's submit) takes milliseconds per thousand rows:
        # done on a thread of its own so the event loop keeps serving sockets meanwhile.
        self._stager = ThreadPoolExecutor(1, thread_name_prefix="lianfang-stage")

    @property
    def batch(self) -> ObservationBatch:
        """The batch the next commit writes; sessions append rows to it directly."""
        return self._pending.batch

    @property
    def pending_values(self) -> int:
        return len(self._pending.batch.mn) + self._inflight_rows

    @property
    def under_pressure(self) -> bool:
        return self._pressure

    def add_acks(self, sink: AckSink, frames: list[bytes], received: float) -> None:
        """Queue ``frames`` (encoded 9014s) to be written to ``sink`` after the next commit."""
        group = self._pending
        if frames:
            group.acks.setdefault(sink, []).extend(frames)
            group.ack_count += len(frames)
            group.received.append(received)
        self._schedule()

    def rows_added(self) -> None:
        """Rows were appended to :attr:`batch`; commit them soon, and push back if too many wait."""
        self._schedule()
        if not self._pressure and self.pending_values >= self._high:
            self._pressure = True
            self._on_pressure(True)

    def forget(self, sink: AckSink) -> None:
        """A session closed: its answers can no longer be written (its rows are still committed)."""
        self._pending.acks.pop(sink, None)

    async def committed(self) -> None:
        """Resolve once everything queued so far has been committed (or failed)."""
        if not len(self._pending.batch) and not self._pending.acks and not self._inflight:
            return
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._pending.waiters.append(waiter)
        self._schedule()
        await waiter

    async def drain(self) -> None:
        """Commit everything pending and in flight (shutdown)."""
        while len(self._pending.batch) or self._pending.acks or self._inflight:
            await self.committed()

    # --- internals -----------------------------------------------------------------------
    def _schedule(self) -> None:
        if not self._scheduled and len(self._inflight) < MAX_INFLIGHT:
            self._scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        if len(self._inflight) >= MAX_INFLIGHT:
            return
        group, self._pending = self._pending, _Group()
        if not len(group.batch):
            if self._inflight:  # nothing to store, but answered only after what came before it
                last = self._inflight[-1]
                for sink, frames in group.acks.items():
                    last.acks.setdefault(sink, []).extend(frames)
                last.ack_count += group.ack_count
                last.received += group.received
                last.waiters += group.waiters
            else:
                self._deliver(group)  # answers with nothing to store (e.g. 2021 uploads)
            return
        self._inflight.append(group)
        self._inflight_rows += len(group.batch)
        started = time.perf_counter()
        submitted = self._loop.run_in_executor(self._stager, self._store.submit_observations, group.batch)
        submitted.add_done_callback(lambda f: self._submitted(group, f, started))

    def close(self) -> None:
        self._stager.shutdown(wait=False)

    def _submitted(
        self, group: _Group, submitted: asyncio.Future[Future[WriteResult]], started: float
    ) -> None:
        exc = submitted.exception() if not submitted.cancelled() else asyncio.CancelledError()
        if exc is not None:  # store closed, broken, or the batch invalid: fail this group, not the loop
            self._done_error(group, exc)
            self._relieve()
            if len(self._pending.batch) or self._pending.acks or self._pending.waiters:
                self._flush()
            return
        submitted.result().add_done_callback(
            lambda f: self._loop.call_soon_threadsafe(self._done, group, f, started)
        )

    def _done(self, group: _Group, future: Future[WriteResult], started: float) -> None:
        self._forget_inflight(group)
        exc = future.exception()
        if exc is not None:
            self._done_error(group, exc)
        else:
            result = future.result()
            m = self._metrics
            m.commits += 1
            m.commit_latency.observe(time.perf_counter() - started)
            m.values_stored += len(group.batch)
            m.values_inserted += result.inserted
            m.values_unchanged += result.unchanged
            m.values_corrected += result.corrected
            self._deliver(group)
        self._relieve()
        if len(self._pending.batch) or self._pending.acks or self._pending.waiters:
            self._flush()  # the next commit starts as soon as this one ends

    def _forget_inflight(self, group: _Group) -> None:
        if group in self._inflight:
            self._inflight.remove(group)
            self._inflight_rows -= len(group.batch)

    def _done_error(self, group: _Group, exc: BaseException) -> None:
        self._forget_inflight(group)
        self._metrics.commit_errors += 1
        # No 9014 for these packets: the loggers keep them and resend (HJ 212-2017 §6.2 retries).
        log.error("store commit of %d values failed, not acknowledged: %s", len(group.batch), exc)
        for waiter in group.waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _deliver(self, group: _Group) -> None:
        if group.ack_count:
            now = time.perf_counter()
            for sink, frames in group.acks.items():
                sink.write_acks(frames)
            self._metrics.acks += group.ack_count
            observe = self._metrics.ack_delay.observe
            for received in group.received:
                observe(now - received)
        for waiter in group.waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _relieve(self) -> None:
        if self._pressure and self.pending_values <= self._low:
            self._pressure = False
            self._on_pressure(False)
