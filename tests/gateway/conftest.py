"""Gateway fixtures: a real DuckDB file with registered stations, a gateway on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from lianfang.credentials import hash_secret
from lianfang.gateway import BackfillConfig, Gateway, GatewayConfig
from lianfang.model import Jurisdiction, Station, StationKind
from lianfang.store.base import Store
from lianfang.store.duckdb import open_store

MN = "SC0000000000000000000001"
PW = "123456"
OTHER_MN = "CQ0000000000000000000002"
INACTIVE_MN = "SC0000000000000000000099"

#: Test config: any free port, no backfill unless a test asks for it.
TEST_CONFIG = GatewayConfig(host="127.0.0.1", port=0, backfill=BackfillConfig(enabled=False))


def register(store: Store, mn: str = MN, pw: str = PW, **kw: Any) -> Station:
    station = Station(
        mn=mn,
        name=kw.pop("name", f"station {mn[-4:]}"),
        kind=kw.pop("kind", StationKind.WATER),
        jurisdiction=kw.pop("jurisdiction", mn[:2]),
        password_hash=hash_secret(pw, n=2**4),  # cheap KDF cost: tests, not security
        **kw,
    )
    store.upsert_station(station)
    return station


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "lianfang.duckdb")
    s.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    s.upsert_jurisdiction(Jurisdiction("CQ", "重庆市"))
    register(s)
    register(s, OTHER_MN, "654321")
    register(s, INACTIVE_MN, PW, active=False)
    yield s
    s.close()


@asynccontextmanager
async def running(
    store: Store,
    config: GatewayConfig = TEST_CONFIG,
    now: Callable[[], datetime] | None = None,
    **changes: Any,
) -> AsyncIterator[Gateway]:
    config = replace(config, **changes) if changes else config
    gateway = Gateway(store, config, now=now) if now else Gateway(store, config)
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.close()


def run(coro: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coro, 30))
