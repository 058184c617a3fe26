"""The HJ 212 TCP server: accepts logger connections and runs them against one store.

::

    gateway = Gateway(store, GatewayConfig(port=6000))
    await gateway.start()          # binds; ListenError with a one-line message if it cannot
    ...
    await gateway.close()          # stop accepting, commit what is pending, answer it, disconnect

Every connection is a :class:`~lianfang.gateway.session.Session`; they share one group commit
(:class:`~lianfang.gateway.commit.CommitQueue`), one station directory and one set of counters.
When more than ``max_pending_values`` values await commit, every connection stops reading until
the backlog is half gone: loggers then wait in their TCP send buffers, nothing is dropped.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable
from datetime import datetime

from lianfang.model import BEIJING
from lianfang.store.base import Store

from .acks import AckEncoder
from .commit import CommitQueue
from .config import GatewayConfig
from .errors import ListenError
from .metrics import Metrics
from .registry import StationDirectory
from .rejectlog import RejectLog
from .session import Session, SessionContext

__all__ = ["Gateway"]

log = logging.getLogger(__name__)


def _beijing_now() -> datetime:
    return datetime.now(BEIJING)


class Gateway:
    """Many concurrent HJ 212 logger connections, acknowledged only after their data is durable."""

    def __init__(
        self,
        store: Store,
        config: GatewayConfig | None = None,
        *,
        metrics: Metrics | None = None,
        now: Callable[[], datetime] = _beijing_now,
    ) -> None:
        self.store = store
        self.config = config or GatewayConfig()
        self.metrics = metrics or Metrics()
        self._now = now
        self._server: asyncio.Server | None = None
        self._ctx: SessionContext | None = None
        self._reload_task: asyncio.Task[None] | None = None
        self.directory = StationDirectory(store, recheck_interval=self.config.station_recheck)
        self._closing = False
        m = self.metrics
        m.add_gauge("lianfang_gateway_connections", "Open logger connections.", lambda: len(self.sessions))
        m.add_gauge("lianfang_gateway_stations_online", "Stations with an open connection.", self._online)
        m.add_gauge("lianfang_gateway_pending_values", "Values awaiting commit.", self._pending)
        m.add_gauge(
            "lianfang_gateway_backpressure", "1 while reading is paused for the store.", self._pressed
        )

    # --- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        """Load the station registry and start listening."""
        await self.directory.load()
        commits = CommitQueue(
            self.store, self.metrics, high_water=self.config.max_pending_values, on_pressure=self._pressure
        )
        self._ctx = SessionContext(
            config=self.config,
            store=self.store,
            metrics=self.metrics,
            directory=self.directory,
            commits=commits,
            rejects=RejectLog(),
            acks=AckEncoder(),
            read_buffer=bytearray(self.config.max_read),
            now=self._now,
            sessions=set(),
            online={},
        )
        ctx = self._ctx
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                lambda: Session(ctx),
                self.config.host,
                self.config.port,
                backlog=min(4096, max(128, self.config.max_connections)),
                reuse_address=True,
            )
        except OSError as exc:
            raise ListenError(_listen_message(self.config.host, self.config.port, exc)) from exc
        if self.config.station_reload > 0:
            self._reload_task = loop.create_task(self._reload_forever())
        log.info("HJ 212 gateway listening on %s:%d", self.config.host, self.port)

    @property
    def port(self) -> int:
        """The bound port (useful with ``port=0``)."""
        if self._server is None or not self._server.sockets:
            return self.config.port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def sessions(self) -> set[Session]:
        return self._ctx.sessions if self._ctx is not None else set()

    @property
    def online(self) -> dict[str, int]:
        """MN -> number of open connections it sent valid packets on."""
        return self._ctx.online if self._ctx is not None else {}

    async def reload_stations(self) -> None:
        """Re-read the registry now (after stations were added or passwords changed in-process)."""
        await self.directory.load()

    def forget_password(self, mn: str | None = None) -> None:
        """Drop checked passwords of ``mn`` (or all): the next packet is verified against the store."""
        self.directory.invalidate(mn)

    async def close(self) -> None:
        """Stop accepting, commit what was received, write its answers, then disconnect everyone."""
        if self._closing or self._ctx is None:
            return
        self._closing = True
        ctx = self._ctx
        ctx.shutting_down = True
        if self._server is not None:
            self._server.close()
        if self._reload_task is not None:
            self._reload_task.cancel()
        for session in list(ctx.sessions):
            session.begin_shutdown()
        try:
            await asyncio.wait_for(ctx.commits.drain(), self.config.shutdown_timeout)
        except TimeoutError:
            log.error(
                "shutdown: store did not commit within %.0f s; unanswered packets will be resent",
                self.config.shutdown_timeout,
            )
        for session in list(ctx.sessions):
            session.close()  # the transport writes its buffered answers before closing
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        while ctx.sessions and loop.time() < deadline:
            await asyncio.sleep(0.01)
        self.directory.close()
        ctx.commits.close()
        log.info("HJ 212 gateway stopped")

    def status(self) -> dict[str, object]:
        """Health and level summary for /healthz and the terminal view."""
        commits = self._ctx.commits if self._ctx else None
        return {
            "listening": self._server is not None and self._server.is_serving(),
            "port": self.port,
            "connections": len(self.sessions),
            "stations_online": len(self.online),
            "stations_registered": len(self.directory),
            "pending_values": commits.pending_values if commits else 0,
            "backpressure": bool(commits and commits.under_pressure),
        }

    # --- internals -----------------------------------------------------------------------
    def _pressure(self, on: bool) -> None:
        assert self._ctx is not None
        commits = self._ctx.commits
        if on:
            log.warning("store behind: %d values await commit; pausing loggers", commits.pending_values)
        for session in list(self._ctx.sessions):
            if not on and commits.under_pressure:
                break  # resuming the earlier sessions refilled the backlog; the rest stay paused
            session.set_pressure(on)

    async def _reload_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.station_reload)
            try:
                await self.directory.load()
            except Exception as exc:  # keep serving from the last good registry
                log.error("station registry reload failed: %s", exc)

    def _online(self) -> float:
        return float(len(self.online))

    def _pending(self) -> float:
        return float(self._ctx.commits.pending_values) if self._ctx else 0.0

    def _pressed(self) -> float:
        return 1.0 if self._ctx and self._ctx.commits.under_pressure else 0.0


def _listen_message(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"HJ 212 port {host}:{port} is already in use"
    if exc.errno == errno.EACCES:
        return f"not permitted to listen on HJ 212 port {host}:{port}"
    return f"cannot listen on HJ 212 port {host}:{port}: {exc.strerror or exc}"
