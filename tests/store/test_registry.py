from __future__ import annotations

import pytest

from lianfang.credentials import hash_secret, verify_secret
from lianfang.errors import InputError, NotFoundError
from lianfang.model import Jurisdiction, SectionLevel, Station, StationKind, WaterBody
from lianfang.store.duckdb import DuckDBStore

FULL = Station(
    mn="SC0000000000000000000001",
    name="朱沱",
    kind=StationKind.WATER,
    jurisdiction="CQ",
    lon=105.85,
    lat=29.02,
    river="长江",
    river_km=2630.5,
    section_level=SectionLevel.CROSS_BORDER,
    target_class=3,
    water_body=WaterBody.LAKE,
    simulated=True,
    min_interval=10,
    active=False,
    password_hash="scrypt$16$8$1$00$11",
)


def test_jurisdictions_upsert_and_list(store: DuckDBStore) -> None:
    store.upsert_jurisdiction(Jurisdiction("BJ", "北京"))
    store.upsert_jurisdiction(Jurisdiction("BJ", "北京市"))
    assert store.jurisdictions() == [
        Jurisdiction("BJ", "北京市"),
        Jurisdiction("CQ", "重庆市"),
        Jurisdiction("SC", "四川省"),
    ]
    with pytest.raises(InputError):
        store.upsert_jurisdiction(Jurisdiction(" ", "x"))


def test_station_round_trips_every_field(store: DuckDBStore) -> None:
    store.upsert_station(FULL)
    got = store.station(FULL.mn)
    assert got == FULL
    assert got is not None
    assert got.password_hash == FULL.password_hash
    assert store.station("nope") is None


def test_empty_hash_keeps_the_stored_one(store: DuckDBStore) -> None:
    hashed = hash_secret("123456", n=2**4)
    store.upsert_station(Station("M1", "a", StationKind.AIR, "SC", password_hash=hashed))
    store.upsert_station(Station("M1", "renamed", StationKind.AIR, "SC"))
    got = store.station("M1")
    assert got is not None
    assert got.name == "renamed"
    assert verify_secret("123456", got.password_hash)


def test_set_password(store: DuckDBStore) -> None:
    store.upsert_station(Station("M1", "a", StationKind.AIR, "SC", password_hash="old"))
    store.set_station_password("M1", "new")
    got = store.station("M1")
    assert got is not None
    assert got.password_hash == "new"
    with pytest.raises(NotFoundError, match="M2"):
        store.set_station_password("M2", "x")
    with pytest.raises(InputError):
        store.set_station_password("M1", "")


def test_unknown_jurisdiction_is_refused_and_nothing_is_written(store: DuckDBStore) -> None:
    with pytest.raises(NotFoundError, match="XX"):
        store.upsert_stations(
            [Station("M1", "a", StationKind.AIR, "SC"), Station("M2", "b", StationKind.AIR, "XX")]
        )
    assert store.stations() == []


def test_filters_and_order(store: DuckDBStore) -> None:
    store.upsert_stations(
        [
            Station("M3", "c", StationKind.WATER, "SC"),
            Station("M1", "a", StationKind.AIR, "SC"),
            Station("M2", "b", StationKind.WATER, "CQ"),
            Station("M1", "a2", StationKind.AIR, "SC"),  # a later duplicate wins
        ]
    )
    assert [s.mn for s in store.stations()] == ["M1", "M2", "M3"]
    assert store.station("M1") is not None
    assert store.station("M1").name == "a2"  # type: ignore[union-attr]
    assert [s.mn for s in store.stations(jurisdiction="SC")] == ["M1", "M3"]
    assert [s.mn for s in store.stations(kind=StationKind.WATER)] == ["M2", "M3"]
    assert [s.mn for s in store.stations(jurisdiction="SC", kind=StationKind.WATER)] == ["M3"]


@pytest.mark.parametrize(
    ("station", "message"),
    [
        (Station("", "a", StationKind.AIR, "SC"), "MN is empty"),
        (Station("M", " ", StationKind.AIR, "SC"), "empty name"),
        (Station("M", "a", StationKind.WATER, "SC", target_class=6), "target class 6"),
        (Station("M", "a", StationKind.WATER, "SC", lon=181.0), "longitude"),
        (Station("M", "a", StationKind.WATER, "SC", lat=float("nan")), "latitude"),
        (Station("M", "a", "lake", "SC"), "station 'M'"),  # type: ignore[arg-type]
    ],
)
def test_invalid_stations(store: DuckDBStore, station: Station, message: str) -> None:
    with pytest.raises(InputError, match=message):
        store.upsert_station(station)
