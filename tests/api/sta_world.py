"""A small two-province network for the SensorThings tests, written into a real DuckDB store.

Sichuan (SC) owns two water sections and one air station, Chongqing (CQ) one of each; Guizhou (GZ)
owns nothing. One agreement lets CQ read SCW002's ammonia nitrogen (w21003) at hourly resolution or
coarser; Chongqing shares all of its stations with Sichuan. Every value is a formula of its key
(:func:`value_of`), so tests can state expectations without reading the store back.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from lianfang.api.app import create_app
from lianfang.model import (
    DataKind,
    Jurisdiction,
    Observation,
    ObservationBatch,
    SectionLevel,
    Station,
    StationKind,
)
from lianfang.share import Role
from lianfang.share.tokens import issue_token
from lianfang.store import open_store
from lianfang.store.base import Agreement
from lianfang.store.duckdb import DuckDBStore

#: newest hour of data; the app's clock stands one hour after it
T0 = datetime(2024, 6, 10, 0, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
HOURS = 240  # ten days of hourly values per series
DAYS = 10
RTD = 6
MINUTES = 12

STATIONS: tuple[Station, ...] = (
    Station(
        "SCW001", "嘉陵江广元", StationKind.WATER, "SC", 105.83, 32.42, river="嘉陵江", river_km=420,
        section_level=SectionLevel.NATIONAL, target_class=2, min_interval=10,
    ),
    Station(
        "SCW002", "嘉陵江武胜", StationKind.WATER, "SC", 106.30, 30.27, river="嘉陵江", river_km=905,
        section_level=SectionLevel.CROSS_BORDER, target_class=3,
    ),
    Station("SCA001", "成都金泉", StationKind.AIR, "SC", 104.07, 30.67),
    Station(
        "CQW001", "嘉陵江合川", StationKind.WATER, "CQ", 106.28, 30.00, river="嘉陵江", river_km=1000,
        section_level=SectionLevel.NATIONAL, target_class=3,
    ),
    Station("CQA001", "重庆两路", StationKind.AIR, "CQ", 106.62, 29.72, simulated=True),
)  # fmt: skip
BY_MN = {s.mn: s for s in STATIONS}
PARAMS = {StationKind.WATER: ("w01001", "w21003"), StationKind.AIR: ("a21026", "a34004")}


def value_of(mn: str, param: str, kind: DataKind, index: int) -> float:
    """The value stored for the ``index``-th newest period of a series (deterministic)."""
    station = STATIONS.index(BY_MN[mn])
    base = {"w01001": 7.0, "w21003": 0.2, "a21026": 10.0, "a34004": 35.0}[param]
    return round(
        base + station * 0.5 + index * 0.01 + {"rtd": 0, "min": 0.001, "hour": 0, "day": 0.5}[kind], 4
    )


def flag_of(index: int) -> str:
    return "D" if index % 50 == 7 else "N"


def series_rows() -> Iterator[Observation]:
    for station in STATIONS:
        for param in PARAMS[station.kind]:
            for k in range(HOURS):
                yield Observation(
                    station.mn, param, DataKind.HOUR, T0 - timedelta(hours=k),
                    value_of(station.mn, param, DataKind.HOUR, k), flag_of(k),
                )  # fmt: skip
            for k in range(DAYS):
                yield Observation(
                    station.mn, param, DataKind.DAY, T0 - timedelta(days=k + 1),
                    value_of(station.mn, param, DataKind.DAY, k),
                )  # fmt: skip
            if station.kind is StationKind.WATER:
                for k in range(RTD):
                    yield Observation(
                        station.mn, param, DataKind.RTD, T0 - timedelta(minutes=5 * k),
                        value_of(station.mn, param, DataKind.RTD, k),
                    )  # fmt: skip
            if station.min_interval:
                for k in range(MINUTES):
                    yield Observation(
                        station.mn, param, DataKind.MIN, T0 - timedelta(minutes=10 * k),
                        value_of(station.mn, param, DataKind.MIN, k),
                    )  # fmt: skip


@dataclass
class World:
    store: DuckDBStore
    tokens: dict[str, str] = field(default_factory=dict)  # agency → bearer secret
    rows: list[Observation] = field(default_factory=list)

    def headers(self, agency: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[agency]}"}


def build_world(path: Path) -> World:
    store = open_store(path)
    for code, name in (("SC", "四川省"), ("CQ", "重庆市"), ("GZ", "贵州省")):
        store.upsert_jurisdiction(Jurisdiction(code, name))
    for station in STATIONS:
        store.upsert_station(station)
    world = World(store, rows=list(series_rows()))
    batch = ObservationBatch()
    batch.extend(world.rows)
    store.write_observations(batch)
    store.add_agreement(
        Agreement(
            id=0,
            version=1,
            owner="SC",
            grantee="CQ",
            valid_from=T0 - timedelta(days=30),
            created_at=T0 - timedelta(days=30),
            stations=("SCW002",),
            params=("w21003",),
            resolution=DataKind.HOUR,
            purpose="cross-border section ammonia nitrogen",
            created_by="tests",
        )
    )
    store.add_agreement(  # Chongqing shares everything with Sichuan
        Agreement(
            id=0,
            version=1,
            owner="CQ",
            grantee="SC",
            valid_from=T0 - timedelta(days=30),
            created_at=T0 - timedelta(days=30),
            purpose="joint prevention and control",
            created_by="tests",
        )
    )
    for agency in ("SC", "CQ", "GZ"):
        _, secret = issue_token(
            store,
            agency=agency,
            role=Role.VIEWER,
            known_agencies=["SC", "CQ", "GZ"],
            now=T0 - timedelta(days=1),
        )
        world.tokens[agency] = secret
    return world


def make_app(world: World) -> FastAPI:
    return create_app(store=world.store, clock=lambda: NOW)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
