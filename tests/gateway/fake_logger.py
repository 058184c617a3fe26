"""A scriptable HJ 212 data logger over a real socket, built on the codec's LOGGER role."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from lianfang.hj212 import NEED_DATA, Connection, Event, Role, Upload, make_qn
from lianfang.model import BEIJING

__all__ = ["FakeLogger", "hourly_items", "past_hour"]


def past_hour(hours_ago: int) -> datetime:
    """The start of the Beijing hour ``hours_ago`` hours before this one."""
    now = datetime.now(BEIJING).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=hours_ago)


def hourly_items(base: float = 1.0, n: int = 3) -> dict[str, dict[str, str]]:
    codes = ["w01001", "w01009", "w21003", "w01019", "w21011", "w21001", "w01014", "w01003", "w01010"]
    return {code: {"Avg": f"{base + i:.3f}", "Flag": "N"} for i, code in enumerate(codes[:n])}


class FakeLogger:
    def __init__(self, mn: str, pw: str, st: str = "21") -> None:
        self.mn, self.pw, self.st = mn, pw, st
        self.codec = Connection(Role.LOGGER)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self._seq = 0

    async def connect(self, port: int) -> FakeLogger:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        return self

    def upload(
        self,
        when: datetime,
        items: dict[str, dict[str, str]],
        *,
        cn: str = "2061",
        wants_ack: bool = True,
        pw: str | None = None,
        mn: str | None = None,
    ) -> tuple[str, bytes]:
        self._seq += 1
        qn = make_qn(datetime.now(BEIJING), self._seq)
        frame = self.codec.send(
            Upload(cn, qn, self.st, pw or self.pw, mn or self.mn, when, items, wants_ack=wants_ack)
        )
        return qn, frame

    async def write(self, data: bytes) -> None:
        assert self.writer is not None
        self.writer.write(data)
        await self.writer.drain()

    async def event(self, timeout: float = 5.0) -> Event:
        """The next event from the platform; EOFError if it closed the connection."""
        assert self.reader is not None
        async with asyncio.timeout(timeout):
            while True:
                event = self.codec.next_event()
                if event is not NEED_DATA:
                    return event
                chunk = await self.reader.read(65536)
                if not chunk:
                    raise EOFError("platform closed the connection")
                self.codec.receive_data(chunk)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
