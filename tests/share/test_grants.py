"""The access policy as pure logic: stations × agreements × time → grants and store slices."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from lianfang.model import DataKind, Station, StationKind
from lianfang.share.grants import Access
from lianfang.store.base import OBSERVATION_SCHEMA, Agreement, ObservationQuery

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)

STATIONS = [
    Station("SCW1", "Jialing A", StationKind.WATER, "SC", river="Jialing", min_interval=10),
    Station("SCW2", "Jialing B", StationKind.WATER, "SC", river="Jialing"),
    Station("SCA1", "Chengdu air", StationKind.AIR, "SC"),
    Station("CQW1", "Yangtze C", StationKind.WATER, "CQ", river="Yangtze"),
]


def agreement(id_: int = 1, **terms: object) -> Agreement:
    base = Agreement(
        id=id_,
        version=1,
        owner="SC",
        grantee="CQ",
        valid_from=NOW - timedelta(days=1),
        created_at=NOW - timedelta(days=1),
    )
    return replace(base, **terms)  # type: ignore[arg-type]


def test_own_stations_are_fully_visible_without_agreements() -> None:
    access = Access.of("SC", STATIONS, [], NOW)
    assert list(access.stations) == ["SCA1", "SCW1", "SCW2"]
    assert access.kinds("SCW1") == [DataKind.RTD, DataKind.MIN, DataKind.HOUR, DataKind.DAY]
    assert access.params("SCW1") is None
    (only,) = access.slices(ObservationQuery())
    assert set(only.mns) == {"SCW1", "SCW2", "SCA1"}
    assert only.params is None
    assert only.end is None
    assert access.agreements_for(ObservationQuery()) == []


def test_other_agency_sees_nothing_without_agreement() -> None:
    access = Access.of("CQ", STATIONS, [], NOW)
    assert list(access.stations) == ["CQW1"]
    assert access.slices(ObservationQuery(mns=["SCW1"])) == []
    assert not access.visible("SCW1")


def test_river_selector_params_resolution_and_delay() -> None:
    terms = agreement(river="jialing", params=("w21003",), resolution=DataKind.HOUR, delay=timedelta(hours=2))
    access = Access.of("CQ", STATIONS, [terms], NOW)
    assert list(access.stations) == ["CQW1", "SCW1", "SCW2"]
    assert access.kinds("SCW1") == [DataKind.HOUR, DataKind.DAY]
    assert access.params("SCW1") == frozenset({"w21003"})
    slices = access.slices(ObservationQuery(mns=["SCW1", "CQW1"], params=["w21003", "w01001"]))
    own = [s for s in slices if s.mns == ("CQW1",)]
    foreign = {s.kinds: s for s in slices if s.mns == ("SCW1",)}
    assert own[0].params == ("w01001", "w21003")
    assert own[0].end is None
    # an hourly value is visible once its hour ended 2 h ago: time + 1 h <= now - 2 h
    assert foreign[(DataKind.HOUR,)].end == NOW - timedelta(hours=3) + TICK
    assert foreign[(DataKind.DAY,)].end == NOW - timedelta(days=1, hours=2) + TICK
    assert foreign[(DataKind.HOUR,)].params == ("w21003",)
    assert access.agreements_for(ObservationQuery(mns=["SCW1"])) == [terms]


def test_finer_kind_than_granted_is_never_sliced() -> None:
    access = Access.of("CQ", STATIONS, [agreement(resolution=DataKind.DAY)], NOW)
    assert access.slices(ObservationQuery(mns=["SCW1"], kinds=[DataKind.RTD, DataKind.HOUR])) == []
    assert access.agreements_for(ObservationQuery(mns=["SCW1"], kinds=[DataKind.HOUR])) == []


def test_minute_period_follows_the_station_interval() -> None:
    access = Access.of("CQ", STATIONS, [agreement(resolution=DataKind.MIN, delay=timedelta(0))], NOW)
    ends = {
        s.mns: s.end for s in access.slices(ObservationQuery(kinds=[DataKind.MIN])) if "CQW1" not in s.mns
    }
    assert ends[("SCW1",)] == NOW - timedelta(minutes=10) + TICK
    assert ends[("SCW2", "SCA1")] == NOW - timedelta(minutes=1) + TICK


def test_revoked_expired_and_not_yet_valid_agreements_grant_nothing() -> None:
    for terms in (
        agreement(revoked_at=NOW - timedelta(seconds=1)),
        agreement(until=NOW),
        agreement(valid_from=NOW + timedelta(seconds=1)),
        agreement(grantee="XZ"),
    ):
        access = Access.of("CQ", STATIONS, [terms], NOW)
        assert list(access.stations) == ["CQW1"], terms
        assert access.slices(ObservationQuery(mns=["SCW1"])) == []


def test_query_window_beyond_the_delay_is_empty() -> None:
    access = Access.of("CQ", STATIONS, [agreement(delay=timedelta(days=30))], NOW)
    assert access.slices(ObservationQuery(mns=["SCW1"], start=NOW - timedelta(days=1))) == []


def test_explicit_stations_and_kind_selectors() -> None:
    by_list = Access.of("CQ", STATIONS, [agreement(stations=("SCA1", "CQW1"))], NOW)
    assert list(by_list.stations) == ["CQW1", "SCA1"]
    by_kind = Access.of("CQ", STATIONS, [agreement(station_kind=StationKind.AIR)], NOW)
    assert list(by_kind.stations) == ["CQW1", "SCA1"]


def test_agreements_add_up_and_values_are_attributed_to_the_first() -> None:
    narrow = agreement(1, stations=("SCW1",), params=("w21003",))
    wide = agreement(2, stations=("SCW1",), params=("w21003", "w01018"), resolution=DataKind.HOUR)
    access = Access.of("CQ", STATIONS, [wide, narrow], NOW)
    assert access.params("SCW1") == frozenset({"w21003", "w01018"})
    assert access.kinds("SCW1") == [DataKind.RTD, DataKind.MIN, DataKind.HOUR, DataKind.DAY]
    t = NOW - timedelta(days=2)
    table = pa.Table.from_pylist(
        [
            {"mn": "SCW1", "param": "w21003", "kind": "hour", "time": t, "value": 1.0, "flag": "N"},
            {"mn": "SCW1", "param": "w01018", "kind": "hour", "time": t, "value": 2.0, "flag": "N"},
            {"mn": "SCW1", "param": "w01018", "kind": "day", "time": t, "value": 3.0, "flag": "N"},
            {"mn": "CQW1", "param": "w01018", "kind": "day", "time": t, "value": 4.0, "flag": "N"},
        ],
        schema=OBSERVATION_SCHEMA,
    )
    assert access.attribute(table) == {narrow: 1, wide: 2}
