"""SharedReader over a real DuckDB store, checked against the oracle in network.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from lianfang.errors import NotFoundError
from lianfang.model import DataKind, StationKind
from lianfang.share import Caller, Role, SeriesKey, SharedReader
from lianfang.share.agreements import revoke_agreement
from lianfang.store.base import ObservationQuery
from lianfang.store.duckdb import DuckDBStore, open_store
from tests.share.network import AGENCIES, STATIONS, Network, populate

Key = tuple[str, str, str, datetime]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DuckDBStore, Network]]:
    path: Path = tmp_path_factory.mktemp("reader") / "lianfang.duckdb"
    store = open_store(path)
    net = populate(store)
    yield store, net
    store.close()


@pytest.fixture
def reader(world: tuple[DuckDBStore, Network]) -> Iterator[SharedReader]:
    store, net = world
    shared = SharedReader(store, clock=lambda: net.anchor + timedelta(seconds=30))
    yield shared
    # Audit rows are written by the store's writer thread after the read returns; wait for them so
    # that a later test in this module counting audit rows does not see them land mid-test.
    shared.close()


def caller(agency: str, role: Role = Role.VIEWER) -> Caller:
    return Caller(agency=agency, role=role, token_id=f"tk_{agency}", name=f"{agency} tester")


def keys(table: pa.Table) -> list[Key]:
    return [(r["mn"], r["param"], r["kind"], r["time"]) for r in table.to_pylist()]


@pytest.mark.parametrize("agency", AGENCIES)
def test_observations_are_exactly_what_the_oracle_allows(
    agency: str, reader: SharedReader, world: tuple[DuckDBStore, Network]
) -> None:
    _, net = world
    now = net.anchor + timedelta(seconds=30)
    got = keys(reader.observations(caller(agency), ObservationQuery(), via="test"))
    assert len(got) == len(set(got)), "a row appeared twice"
    assert set(got) == net.visible_rows(agency, now)
    assert got == sorted(got)


@pytest.mark.parametrize("agency", AGENCIES)
def test_stations_and_station(agency: str, reader: SharedReader, world: tuple[DuckDBStore, Network]) -> None:
    _, net = world
    now = net.anchor + timedelta(seconds=30)
    expected = sorted(s.mn for s in STATIONS if net.sees_station(agency, s.mn, now))
    assert [s.mn for s in reader.stations(caller(agency))] == expected
    assert [s.mn for s in reader.stations(caller(agency), kind=StationKind.AIR)] == [
        mn for mn in expected if mn[2] == "A"
    ]
    for station in STATIONS:
        if station.mn in expected:
            assert reader.station(caller(agency), station.mn) == station
        else:
            with pytest.raises(NotFoundError, match="no station"):
                reader.station(caller(agency), station.mn)
            with pytest.raises(NotFoundError):
                reader.parameters(caller(agency), station.mn)
    with pytest.raises(NotFoundError):
        reader.station(caller(agency), "NOPE")


def test_partial_agreement_limits_parameters_and_kinds(reader: SharedReader) -> None:
    cq = caller("CQ")
    assert reader.parameters(cq, "SCW02") == ["w21003"]
    assert reader.kinds(cq, "SCW02") == [DataKind.HOUR, DataKind.DAY]
    assert reader.parameters(cq, "SCW01") == ["w01001", "w01018", "w21003"]
    assert reader.kinds(cq, "SCW01") == list(DataKind)
    assert reader.kinds(caller("SC"), "CQA01") == [DataKind.DAY]
    streams = reader.datastreams(cq, mns=["SCW02"])
    assert streams == [
        SeriesKey("SCW02", "w21003", DataKind.DAY),
        SeriesKey("SCW02", "w21003", DataKind.HOUR),
    ]


@pytest.mark.parametrize("agency", AGENCIES)
def test_latest_is_the_newest_visible_value(
    agency: str, reader: SharedReader, world: tuple[DuckDBStore, Network]
) -> None:
    _, net = world
    now = net.anchor + timedelta(seconds=30)
    newest: dict[tuple[str, str, str], datetime] = {}
    for mn, param, kind, time in net.visible_rows(agency, now):
        newest[(mn, param, kind)] = max(time, newest.get((mn, param, kind), time))
    got = reader.latest(caller(agency), via="test").to_pylist()
    assert {(r["mn"], r["param"], r["kind"]): r["time"] for r in got} == newest
    hourly = reader.latest(caller(agency), kind=DataKind.HOUR, mns=["SCW03"], via="test").to_pylist()
    if agency == "CQ":  # 6 h delay: the newest hour visible ended at least 6 h ago
        assert hourly
        assert all(r["time"] + timedelta(hours=1) <= now - timedelta(hours=6) for r in hourly)


def test_paging_with_cursor_and_offset_walks_the_same_rows(reader: SharedReader) -> None:
    cq = caller("CQ")
    full = keys(reader.observations(cq, ObservationQuery(kinds=[DataKind.HOUR]), via="test"))
    walked: list[Key] = []
    after = None
    while True:
        page = keys(
            reader.observations(
                cq, ObservationQuery(kinds=[DataKind.HOUR], limit=97), via="test", after=after
            )
        )
        walked += page
        if len(page) < 97:
            break
        after = page[-1]
    assert walked == full
    by_offset = keys(
        reader.observations(cq, ObservationQuery(kinds=[DataKind.HOUR], limit=50, offset=100), via="t")
    )
    assert by_offset == full[100:150]
    down = keys(reader.observations(cq, ObservationQuery(kinds=[DataKind.HOUR], descending=True), via="test"))
    assert down == full[::-1]
    assert reader.count_observations(cq, ObservationQuery(kinds=[DataKind.HOUR]), via="test") == len(full)
    assert reader.count_observations(cq, ObservationQuery(kinds=[DataKind.HOUR]), via="test", cap=10) == 10


def test_a_query_for_a_finer_kind_than_granted_returns_nothing(reader: SharedReader) -> None:
    query = ObservationQuery(mns=["SCW02"], kinds=[DataKind.RTD, DataKind.MIN])
    assert reader.observations(caller("CQ"), query, via="test").num_rows == 0
    assert reader.observations(caller("SC"), query, via="test").num_rows > 0


def test_cross_jurisdiction_reads_are_audited_per_agreement(world: tuple[DuckDBStore, Network]) -> None:
    store, net = world
    now = net.anchor + timedelta(minutes=1)
    reader = SharedReader(store, clock=lambda: now)
    before = len(store.audit_entries())
    cq = Caller("CQ", Role.ANALYST, "tk_audit", "auditor")
    table = reader.observations(cq, ObservationQuery(mns=["SCW01", "SCW02", "CQW01"]), via="export")
    reader.observations(
        Caller("SC", Role.VIEWER, "tk_own", "own"), ObservationQuery(mns=["SCW01"]), via="rest"
    )
    reader.flush_audit()
    new = [e for e in store.audit_entries() if e.token_id in {"tk_audit", "tk_own"}]
    assert len(store.audit_entries()) == before + len(new)
    assert {e.agreement_id for e in new} == {net.agreement_ids["granted"], net.agreement_ids["partial"]}
    foreign = sum(1 for r in table.to_pylist() if r["mn"] != "CQW01")
    assert sum(e.values for e in new) == foreign
    assert all(e.reader == "CQ" and e.owner == "SC" and e.via == "export" for e in new)
    assert all(e.at == now and e.reader_name == "auditor" for e in new)
    assert "stations=SCW01,SCW02,CQW01" in new[0].scope


def test_revoking_stops_access_on_the_next_read(tmp_path: Path) -> None:
    store = open_store(tmp_path / "lianfang.duckdb")
    try:
        net = populate(store)
        clock = [net.anchor]
        reader = SharedReader(store, clock=lambda: clock[0])
        cq = caller("CQ")
        assert reader.observations(cq, ObservationQuery(mns=["SCW01"]), via="t").num_rows > 0
        revoked = revoke_agreement(store, net.agreement_ids["granted"], now=net.anchor, by="test")
        assert revoked.version == 2
        assert reader.observations(cq, ObservationQuery(mns=["SCW01"]), via="t").num_rows == 0
        assert "SCW01" not in [s.mn for s in reader.stations(cq)]
        # expiry is evaluated at every read too: "expired" ended an hour before the anchor
        sc = caller("SC")
        clock[0] = net.anchor - timedelta(hours=1, seconds=1)
        assert "CQW01" in [s.mn for s in reader.stations(sc)]
        assert reader.observations(sc, ObservationQuery(mns=["CQW01"]), via="t").num_rows > 0
        clock[0] = net.anchor - timedelta(hours=1)
        assert "CQW01" not in [s.mn for s in reader.stations(sc)]
        assert reader.observations(sc, ObservationQuery(mns=["CQW01"]), via="t").num_rows == 0
    finally:
        store.close()


def test_reads_on_an_unknown_station_are_empty_not_errors(reader: SharedReader) -> None:
    assert reader.observations(caller("CQ"), ObservationQuery(mns=["NOPE"]), via="t").num_rows == 0
    assert reader.latest(caller("GZ"), mns=["SCW01"], via="t").num_rows == 0
    assert reader.datastreams(caller("GZ"), mns=["SCW01"]) == []
