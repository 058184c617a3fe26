"""Series numbers (lianfang.store.series): the in-memory index, its SQL condition, the stored
``series`` table and migration 3 of an older store."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from lianfang.model import DataKind
from lianfang.store.base import ObservationQuery, ObservationSlice
from lianfang.store.duckdb import DuckDBStore, open_store
from lianfang.store.schema import MIGRATIONS, apply_migrations
from lianfang.store.series import SID_FILTER_MAX, SeriesIndex

from .conftest import batch, hours


def keys(*rows: tuple[str, str, str]) -> pa.Table:
    mn, param, kind = zip(*rows, strict=True)
    return pa.table({"mn": list(mn), "param": list(param), "kind": list(kind)})


def test_numbers_are_given_in_order_and_published_on_commit() -> None:
    index = SeriesIndex([(1, "A", "p", "hour")])
    sids, new = index.assign(
        keys(("B", "p", "hour"), ("A", "p", "hour"), ("B", "p", "hour"), ("A", "q", "day"))
    )
    assert sids.to_pylist() == [3, 1, 3, 2]  # station by station, A first seen before B
    assert new.to_pylist() == [
        {"sid": 2, "mn": "A", "param": "q", "kind": "day"},
        {"sid": 3, "mn": "B", "param": "p", "kind": "hour"},
    ]
    assert index.sids(["A", "B"]) == ([1], 1)  # pending numbers are not visible to readers
    index.commit()
    assert index.sids(["A", "B"]) == ([1, 2, 3], 3)
    assert index.sids(["A"], kinds=["hour"]) == ([1], 3)
    assert index.sids(["A", "B"], params=["p"]) == ([1, 3], 3)
    again, none = index.assign(keys(("A", "q", "day")))
    assert (again.to_pylist(), none.num_rows) == ([2], 0)


def test_discarded_numbers_are_given_again() -> None:
    index = SeriesIndex()
    index.assign(keys(("A", "p", "hour")))
    index.commit()
    first, _ = index.assign(keys(("B", "p", "hour"), ("C", "p", "hour")))
    index.discard()
    assert index.sids(["B", "C"]) == ([], 1)
    second, new = index.assign(keys(("C", "p", "hour")))
    assert (first.to_pylist(), second.to_pylist()) == ([2, 3], [2])
    assert new.to_pylist() == [{"sid": 2, "mn": "C", "param": "p", "kind": "hour"}]


def test_condition_covers_series_numbered_later() -> None:
    index = SeriesIndex([(1, "A", "p", "hour"), (2, "A", "q", "hour"), (3, "B", "p", "hour")])
    assert index.condition(["A"]) == ("(sid IN (?, ?) OR sid > ?)", [1, 2, 3])
    assert index.condition(["Z"]) == ("sid > ?", [3])  # no series yet: only newer ones can match
    many = SeriesIndex([(i + 1, f"S{i}", "p", "hour") for i in range(SID_FILTER_MAX + 1)])
    assert many.condition([f"S{i}" for i in range(SID_FILTER_MAX + 1)]) is None
    assert many.condition([f"S{i}" for i in range(SID_FILTER_MAX)]) is not None


def test_key_columns_order_sids_by_key() -> None:
    index = SeriesIndex([(1, "B", "p", "hour"), (2, "A", "q", "hour"), (3, "A", "p", "hour")])
    table, order = index.key_columns()
    assert order.tolist() == [3, 2, 1]
    assert table.take(pa.array(order, pa.int64())).to_pylist() == [
        {"mn": "A", "param": "p", "kind": "hour"},
        {"mn": "A", "param": "q", "kind": "hour"},
        {"mn": "B", "param": "p", "kind": "hour"},
    ]


def test_numbers_survive_reopening(store_path: Path) -> None:
    with open_store(store_path) as store:
        store.write_observations(batch(("B", "p", 0, 1.0), ("A", "p", 0, 1.0)))
    with open_store(store_path) as store:
        store.write_observations(batch(("A", "p", 1, 2.0), ("C", "p", 0, 3.0)))
        rows = store._fetch("SELECT sid, mn FROM series ORDER BY sid", action="test")
        on_rows = store._fetch("SELECT DISTINCT sid, mn FROM observations ORDER BY sid", action="test")
    assert rows == on_rows == [(1, "B"), (2, "A"), (3, "C")]


def test_reads_find_series_committed_after_the_numbers_were_read(store: DuckDBStore) -> None:
    """A reader takes the numbers, then its snapshot: rows of a series numbered in between must
    still be found (``OR sid > highest``)."""
    store.write_observations(batch(("A", "p", 0, 1.0)))
    condition = store._series.condition(["A", "B"])
    store.write_observations(batch(("B", "p", 0, 2.0), ("A", "q", 0, 3.0)))
    assert condition is not None
    rows = store._fetch(
        f"SELECT mn, param FROM observations WHERE mn IN ('A', 'B') AND {condition[0]} ORDER BY 1, 2",
        condition[1],
        action="test",
    )
    assert rows == [("A", "p"), ("A", "q"), ("B", "p")]
    slices = [ObservationSlice(mns=("A", "B"), kinds=(DataKind.HOUR,))]
    assert store.count_slices(slices) == 3
    assert store.read_observations(ObservationQuery(mns=["B"]))["value"].to_pylist() == [2.0]
    assert store.observation_times("B", DataKind.HOUR, hours(0), hours(1)) == [hours(0)]


def test_migration_numbers_an_older_store(store_path: Path) -> None:
    con = duckdb.connect(str(store_path))
    apply_migrations(con, MIGRATIONS[:2])
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute(
        "INSERT INTO observations VALUES "
        "('B', 'p', 'hour', '2024-05-01 08:00:00+08', 1.0, 'N', NULL, now()), "
        "('B', 'p', 'hour', '2024-05-01 09:00:00+08', NULL, 'D', NULL, now()), "
        "('A', 'p', 'day', '2024-05-01 00:00:00+08', 2.0, 'N', 'qn', now())"
    )
    con.close()
    with open_store(store_path) as store:
        rows = store._fetch("SELECT mn, kind, sid FROM observations ORDER BY time", action="test")
        assert rows == [("A", "day", 1), ("B", "hour", 2), ("B", "hour", 2)]
        assert store._fetch("SELECT sid, mn, param, kind FROM series", action="test") == [
            (1, "A", "p", "day"),
            (2, "B", "p", "hour"),
        ]
        latest = store.latest().to_pylist()
        assert [(r["mn"], r["value"], r["flag"]) for r in latest] == [("A", 2.0, "N"), ("B", None, "D")]
        assert store.write_observations(batch(("C", "p", 0, 1.0))).inserted == 1
        assert store._series.sids(["C"]) == ([3], 3)
