"""SharingTables on a real DuckDB file: tokens, agreement versions, batched audit, slice reads."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lianfang.errors import NotFoundError
from lianfang.model import DataKind, Station, StationKind
from lianfang.store.base import Agreement, ApiToken, AuditEntry, ObservationSlice
from lianfang.store.duckdb import DuckDBStore
from tests.store.conftest import batch, hours
from tests.store.test_latest import scanned_latest

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_tokens_round_trip_and_revoke_keeps_the_first_time(store: DuckDBStore) -> None:
    token = ApiToken("tk_1", "SC", "admin", "alice", "d" * 64, NOW, NOW + timedelta(days=1))
    store.add_token(token)
    assert store.token_by_digest("d" * 64) == token
    assert store.token_by_digest("e" * 64) is None
    assert store.tokens(agency="CQ") == []
    first = store.revoke_token("tk_1", NOW + timedelta(hours=1))
    again = store.revoke_token("tk_1", NOW + timedelta(hours=2))
    assert first.revoked_at == again.revoked_at == NOW + timedelta(hours=1)
    with pytest.raises(NotFoundError):
        store.revoke_token("tk_nope", NOW)


def test_agreements_are_versioned(store: DuckDBStore) -> None:
    draft = Agreement(
        id=99,
        version=7,
        owner="SC",
        grantee="CQ",
        valid_from=NOW,
        created_at=NOW,
        stations=("A", "B"),
        params=("w21003",),
        resolution=DataKind.HOUR,
        delay=timedelta(hours=2, minutes=30),
        until=NOW + timedelta(days=30),
        purpose="joint warning",
    )
    first = store.add_agreement(draft)
    second = store.add_agreement(
        replace(draft, stations=None, river="Jialing", station_kind=StationKind.WATER)
    )
    assert (first.id, first.version, second.id) == (1, 1, 2)
    assert store.agreement(1) == replace(draft, id=1, version=1)
    revoked = store.add_agreement_version(replace(first, revoked_at=NOW + timedelta(hours=1)))
    assert revoked.version == 2
    assert store.agreement(1) == revoked
    assert [(a.id, a.version) for a in store.agreements()] == [(1, 2), (2, 1)]
    assert [(a.id, a.version) for a in store.agreements(history=True)] == [(1, 1), (1, 2), (2, 1)]
    assert store.agreements(grantee="SC") == []
    with pytest.raises(NotFoundError):
        store.add_agreement_version(replace(first, id=42))


def _entry(i: int, reader: str = "CQ", owner: str = "SC") -> AuditEntry:
    return AuditEntry(
        NOW + timedelta(seconds=i), reader, "tk", "bob", owner, 1, 1, "rest", "observations", "x", i
    )


def test_audit_submissions_share_transactions(store: DuckDBStore) -> None:
    commits = store.write_stats().commits
    futures = [store.submit_audit([_entry(i)]) for i in range(200)]
    for f in futures:
        f.result(timeout=10)
    assert len(store.audit_entries()) == 200
    assert store.write_stats().commits - commits < 200  # coalesced while waiting for the writer
    assert [
        e.values
        for e in store.audit_entries(start=NOW + timedelta(seconds=10), end=NOW + timedelta(seconds=13))
    ] == [
        10,
        11,
        12,
    ]
    store.submit_audit([_entry(1, reader="SC", owner="CQ")]).result()
    assert len(store.audit_entries(agency="SC")) == 201
    assert len(store.audit_entries(agency="CQ")) == 201
    assert store.audit_entries(agency="GZ") == []


@pytest.fixture
def filled(store: DuckDBStore) -> DuckDBStore:
    for mn in ("A", "B", "C"):
        store.upsert_station(Station(mn, mn, StationKind.WATER, "SC"))
    store.write_observations(
        batch(*[(mn, p, h, float(h)) for mn in ("A", "B", "C") for p in ("p1", "p2") for h in range(10)])
    )
    return store


def test_read_slices_is_the_union_once_in_key_order(filled: DuckDBStore) -> None:
    slices = [
        ObservationSlice(mns=("A", "B"), kinds=(DataKind.HOUR,), params=("p1",), end=hours(5)),
        ObservationSlice(mns=("B",), kinds=(DataKind.HOUR,), start=hours(3)),  # overlaps the first
        ObservationSlice(mns=("C",), kinds=(DataKind.DAY,)),  # nothing stored
    ]
    rows = filled.read_slices(slices).to_pylist()
    keys = [(r["mn"], r["param"], r["time"]) for r in rows]
    expected = {("A", "p1", hours(h)) for h in range(5)}
    expected |= {("B", "p1", hours(h)) for h in range(10)}
    expected |= {("B", "p2", hours(h)) for h in range(3, 10)}
    assert len(keys) == len(set(keys))
    assert set(keys) == expected
    assert keys == sorted(keys)
    assert filled.count_slices(slices) == len(expected)
    assert filled.count_slices(slices, cap=5) == 5
    assert filled.count_slices([]) == 0
    after = rows[6]
    page = filled.read_slices(
        slices, limit=3, after=(after["mn"], after["param"], after["kind"], after["time"])
    )
    assert page.to_pylist() == rows[7:10]
    down = filled.read_slices(slices, descending=True, limit=2).to_pylist()
    assert down == rows[::-1][:2]


def test_latest_and_series_respect_slice_bounds(filled: DuckDBStore) -> None:
    slices = [
        ObservationSlice(mns=("A",), kinds=(DataKind.HOUR,), end=hours(4)),
        ObservationSlice(mns=("A",), kinds=(DataKind.HOUR,), params=("p2",), end=hours(7)),
    ]
    latest = {r["param"]: (r["time"], r["value"]) for r in filled.latest_slices(slices).to_pylist()}
    assert latest == {"p1": (hours(3), 3.0), "p2": (hours(6), 6.0)}
    assert filled.series_slices(slices) == [("A", "p1", "hour"), ("A", "p2", "hour")]
    assert filled.latest_slices([]).num_rows == 0


def test_latest_cache_follows_every_write_like_a_full_scan(store: DuckDBStore) -> None:
    """Random resends, corrections, backfill and in-batch duplicates: the in-memory latest values
    stay equal to a scan of the stored rows."""
    rng = random.Random(7)
    for mn in ("A", "B"):
        store.upsert_station(Station(mn, mn, StationKind.WATER, "SC"))
    everything = [ObservationSlice(mns=("A", "B"), kinds=tuple(DataKind))]
    for _ in range(25):
        rows = [
            (rng.choice("AB"), rng.choice(("p1", "p2")), rng.randrange(0, 30), float(rng.randrange(0, 4)))
            for _ in range(rng.randrange(1, 12))
        ]
        futures = [
            store.submit_observations(batch(*rows[: len(rows) // 2])),
            store.submit_observations(batch(*rows[len(rows) // 2 :])),
        ]
        for f in futures:
            f.result()
        assert store.latest_slices(everything).to_pylist() == scanned_latest(store)


def test_delayed_latest_searches_beyond_the_window(filled: DuckDBStore) -> None:
    filled.write_observations(batch(("A", "p1", 200, 42.0)))  # far newer than the slice's end
    slices = [ObservationSlice(mns=("A",), kinds=(DataKind.HOUR,), params=("p1",), end=hours(150))]
    (row,) = filled.latest_slices(slices).to_pylist()
    assert (row["time"], row["value"]) == (hours(9), 9.0)  # 141 h before the end: outside the 2-day window
    assert filled.latest_slices([replace(slices[0], end=None)]).to_pylist()[0]["value"] == 42.0


def test_long_station_lists_read_like_short_ones(store: DuckDBStore) -> None:
    """More than 64 stations in a slice go through a registered table; the answer must not change."""
    mns = [f"S{i:03d}" for i in range(100)]
    store.upsert_stations([Station(mn, mn, StationKind.WATER, "SC") for mn in mns])
    store.write_observations(batch(*[(mn, "p1", h, float(h)) for mn in mns for h in range(3)]))
    wide = [
        ObservationSlice(mns=tuple(mns[:80]), kinds=(DataKind.HOUR,), end=hours(2)),
        ObservationSlice(mns=tuple(mns[50:]), kinds=(DataKind.HOUR,), start=hours(1)),
    ]
    keys = {(r["mn"], r["time"]) for r in store.read_slices(wide).to_pylist()}
    expected = {(mn, hours(h)) for mn in mns[:80] for h in (0, 1)} | {
        (mn, hours(h)) for mn in mns[50:] for h in (1, 2)
    }
    assert keys == expected
    assert store.count_slices(wide) == len(expected)
    latest = {r["mn"]: r["time"] for r in store.latest_slices(wide).to_pylist()}
    assert latest == {mn: hours(1) if mn in mns[:50] else hours(2) for mn in mns}
    assert len(store.series_slices(wide)) == 100
