"""A tiny HJ 212 platform for simulator tests: a real asyncio TCP server built on the codec.

Not the gateway: it only records what arrives and answers as a test tells it to, so each test can
see exactly what the simulated logger sent and when.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from lianfang.hj212 import (
    NEED_DATA,
    Connection,
    DataAck,
    DataUpload,
    Event,
    HistoryRequest,
    Packet,
    RemoteProtocolError,
    Role,
    SetTime,
)

__all__ = ["Received", "TinyPlatform"]


@dataclass(frozen=True)
class Received:
    event: Event
    at: float  # time.monotonic() on arrival
    connection: int  # 1 for the first connection, 2 for the next …


@dataclass
class TinyPlatform:
    """``ack(packet) -> bool`` decides whether an upload part gets its 9014 (default: always)."""

    ack: Callable[[Packet], bool] = lambda packet: True
    ack_delay: float = 0.0  # [s] before each 9014
    close_after_uploads: int | None = None  # close a connection after this many uploads on it
    received: list[Received] = field(default_factory=list)
    rejects: list[RemoteProtocolError] = field(default_factory=list)
    acks_sent: list[tuple[str, float]] = field(default_factory=list)  # (QN, monotonic time)
    connections: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return "127.0.0.1", int(port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in self.writers:
                writer.close()
            await self._server.wait_closed()

    def uploads(self, cn: str | None = None) -> list[DataUpload]:
        return [
            r.event
            for r in self.received
            if isinstance(r.event, DataUpload) and (cn is None or r.event.cn == cn)
        ]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("condition not reached in time")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def send(self, event: HistoryRequest | SetTime, connection: int = -1) -> None:
        """Send a request to the logger on the newest (default) connection."""
        writer = self.writers[connection]
        writer.write(Connection(Role.PLATFORM).send(event))
        await writer.drain()

    def history_request(
        self, cn: str, mn: str, pw: str, begin: datetime, end: datetime, qn: str
    ) -> HistoryRequest:
        return HistoryRequest(cn=cn, qn=qn, st="21", pw=pw, mn=mn, begin=begin, end=end)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        self.writers.append(writer)
        self._changed.set()
        conn = Connection(Role.PLATFORM)
        uploads_here = 0
        try:
            while True:
                data = await reader.read(65536)
                conn.receive_data(data)
                while True:
                    try:
                        event = conn.next_event()
                    except RemoteProtocolError as exc:
                        self.rejects.append(exc)
                        self._changed.set()
                        continue
                    if event is NEED_DATA:
                        break
                    self.received.append(Received(event, time.monotonic(), number))
                    self._changed.set()
                    if isinstance(event, DataUpload):
                        uploads_here += 1
                        for packet in event.ack_packets:
                            if self.ack(packet):
                                if self.ack_delay:
                                    await asyncio.sleep(self.ack_delay)
                                writer.write(conn.send(DataAck.for_packet(packet)))
                                self.acks_sent.append((packet.qn or "", time.monotonic()))
                        if self.close_after_uploads is not None and uploads_here >= self.close_after_uploads:
                            writer.close()
                            return
                if not data:
                    return
        except (ConnectionError, OSError):
            return
        except asyncio.CancelledError:
            return  # the test is over (Python 3.11 streams log a cancelled handler as an error)
        finally:
            writer.close()
