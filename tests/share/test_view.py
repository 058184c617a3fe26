"""CallerStore: the Store protocol through one caller's eyes (reads clipped and audited, writes refused)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from lianfang.errors import ForbiddenError
from lianfang.model import DataKind, Jurisdiction, ObservationBatch, StationKind
from lianfang.share import Caller, Role, SharedReader
from lianfang.share.view import CallerStore
from lianfang.store.base import ObservationQuery, Store
from lianfang.store.duckdb import DuckDBStore, open_store
from tests.share.network import Network, populate


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DuckDBStore, Network]]:
    store = open_store(tmp_path_factory.mktemp("view") / "lianfang.duckdb")
    yield store, populate(store)
    store.close()


def test_reads_are_the_callers_view(world: tuple[DuckDBStore, Network]) -> None:
    store, net = world
    now = net.anchor + timedelta(seconds=5)
    reader = SharedReader(store, clock=lambda: now)
    view: Store = CallerStore(reader, Caller("CQ", Role.VIEWER, "tk_v", "viewer"), via="report")
    assert [s.mn for s in view.stations(kind=StationKind.WATER)] == ["CQW01", "SCW01", "SCW02", "SCW03"]
    assert view.station("SCA01") is None  # revoked
    assert view.station("SCW02") is not None
    rows = view.read_observations(ObservationQuery(mns=["SCW02"])).to_pylist()
    assert {(r["param"], r["kind"]) for r in rows} == {("w21003", "hour"), ("w21003", "day")}
    latest = view.latest(mns=["SCW03"], kind=DataKind.HOUR).to_pylist()
    assert all(r["time"] + timedelta(hours=7) <= now for r in latest)
    times = view.observation_times("SCW01", DataKind.DAY, net.anchor - timedelta(days=5), net.anchor)
    assert times == sorted(times)
    assert len(times) == 2  # today's daily value has not ended yet
    assert view.count_observations() == len(net.visible_rows("CQ", now))
    assert view.jurisdictions() == [
        Jurisdiction("CQ", "重庆市"),
        Jurisdiction("GZ", "贵州省"),
        Jurisdiction("SC", "四川省"),
    ]
    reader.flush_audit()
    assert {e.via for e in store.audit_entries() if e.token_id == "tk_v"} == {"report"}


def test_writes_are_refused(world: tuple[DuckDBStore, Network]) -> None:
    store, _ = world
    view = CallerStore(SharedReader(store), Caller("SC", Role.ADMIN, "tk", "admin"), via="report")
    with pytest.raises(ForbiddenError):
        view.write_observations(ObservationBatch())
    with pytest.raises(ForbiddenError):
        view.upsert_jurisdiction(Jurisdiction("XZ", "西藏"))
