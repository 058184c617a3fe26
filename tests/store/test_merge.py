"""Resend / correction semantics of observation writes (lianfang.store.merge), on a real file."""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from lianfang.errors import InputError
from lianfang.model import BEIJING, DataKind, ObservationBatch, WriteResult
from lianfang.store.base import ObservationQuery
from lianfang.store.duckdb import DuckDBStore, open_store
from lianfang.store.merge import STAGE_SCHEMA, stage_batch

from .conftest import batch, hours


@contextmanager
def writer_held(store: DuckDBStore) -> Iterator[None]:
    """Keep the writer thread busy so that everything submitted meanwhile forms one group."""
    started, release = threading.Event(), threading.Event()

    def hold(_con: object) -> None:
        started.set()
        release.wait(10)

    future = store._submit(hold, "holding the writer")
    assert started.wait(10)
    try:
        yield
    finally:
        release.set()
        future.result()


def values(store: DuckDBStore) -> dict[tuple[str, str, int], tuple[float | None, str]]:
    table = store.read_observations(ObservationQuery())
    return {
        (r["mn"], r["param"], int((r["time"] - hours(0)).total_seconds() // 3600)): (r["value"], r["flag"])
        for r in table.to_pylist()
    }


def test_new_rows_are_inserted(store: DuckDBStore) -> None:
    result = store.write_observations(
        batch(("A", "w21003", 0, 0.5), ("A", "w21003", 1, 0.6), ("B", "w01001", 0, 7.1))
    )
    assert result == WriteResult(inserted=3)
    assert values(store) == {
        ("A", "w21003", 0): (0.5, "N"),
        ("A", "w21003", 1): (0.6, "N"),
        ("B", "w01001", 0): (7.1, "N"),
    }


def test_resend_is_a_no_op(store: DuckDBStore) -> None:
    b = batch(("A", "w21003", 0, 0.5), ("A", "w21003", 1, None))
    store.write_observations(b)
    assert store.write_observations(b) == WriteResult(unchanged=2)
    assert store.count_observations() == 2
    assert store.read_corrections(ObservationQuery()).num_rows == 0


def test_changed_value_or_flag_is_a_correction_with_audit(store: DuckDBStore) -> None:
    store.write_observations(
        batch(("A", "w21003", 0, 0.5), ("A", "w21003", 1, 0.6), ("A", "w21003", 2, None))
    )
    result = store.write_observations(
        batch(
            ("A", "w21003", 0, 0.7),
            ("A", "w21003", 1, 0.6, "D"),
            ("A", "w21003", 2, 1.0),
            ("A", "w21003", 3, 2.0),
        )
    )
    assert result == WriteResult(inserted=1, corrected=3)
    assert store.count_observations() == 4
    assert values(store)[("A", "w21003", 0)] == (0.7, "N")
    assert values(store)[("A", "w21003", 1)] == (0.6, "D")
    audit = store.read_corrections(ObservationQuery()).to_pylist()
    changes = {int((r["time"] - hours(0)).total_seconds() // 3600): r for r in audit}
    assert {
        h: (r["old_value"], r["old_flag"], r["new_value"], r["new_flag"]) for h, r in changes.items()
    } == {
        0: (0.5, "N", 0.7, "N"),
        1: (0.6, "N", 0.6, "D"),
        2: (None, "N", 1.0, "N"),
    }
    assert all(isinstance(r["corrected_at"], datetime) for r in audit)


def test_duplicates_inside_a_batch_last_wins(store: DuckDBStore) -> None:
    result = store.write_observations(batch(("A", "p", 0, 1.0), ("A", "p", 0, 2.0), ("A", "p", 0, 3.0)))
    assert result == WriteResult(inserted=1)
    assert values(store) == {("A", "p", 0): (3.0, "N")}
    result = store.write_observations(batch(("A", "p", 0, 9.0), ("A", "p", 0, 3.0)))
    assert result == WriteResult(unchanged=1)  # the last one equals the stored value
    assert store.read_corrections(ObservationQuery()).num_rows == 0


def test_batches_in_one_group_behave_as_if_written_in_order(store: DuckDBStore) -> None:
    store.write_observations(batch(("A", "p", 0, 1.0)))
    with writer_held(store):
        futures = [
            store.submit_observations(batch(("A", "p", 0, 2.0), ("A", "p", 1, 5.0))),  # correct, insert
            store.submit_observations(batch(("A", "p", 0, 2.0), ("A", "p", 1, 5.0))),  # both resends
            store.submit_observations(batch(("A", "p", 0, 1.0), ("A", "p", 1, 6.0))),  # correct both
            store.submit_observations(batch(("A", "p", 2, 7.0), ("A", "p", 2, 8.0))),  # insert, last wins
        ]
        commits_before = store.write_stats().commits
    results = [f.result(timeout=10) for f in futures]
    assert store.write_stats().commits == commits_before + 2  # the hold, then one group
    assert results == [
        WriteResult(inserted=1, corrected=1),
        WriteResult(unchanged=2),
        WriteResult(corrected=2),
        WriteResult(inserted=1),
    ]
    assert values(store) == {("A", "p", 0): (1.0, "N"), ("A", "p", 1): (6.0, "N"), ("A", "p", 2): (8.0, "N")}
    audit = [(r["old_value"], r["new_value"]) for r in store.read_corrections(ObservationQuery()).to_pylist()]
    assert sorted(audit) == sorted([(1.0, 2.0), (2.0, 1.0), (5.0, 6.0)])


def test_kinds_are_separate_keys(store: DuckDBStore) -> None:
    b = ObservationBatch(
        mn=["A", "A"],
        param=["p", "p"],
        kind=[DataKind.HOUR, DataKind.DAY],
        time=[hours(0), hours(0)],
        value=[1.0, 2.0],
        flag=["N", "N"],
    )
    assert store.write_observations(b) == WriteResult(inserted=2)


def test_same_instant_in_other_zones_is_the_same_key(store: DuckDBStore) -> None:
    from datetime import UTC

    store.write_observations(batch(("A", "p", 0, 1.0)))
    b = ObservationBatch(
        mn=["A"], param=["p"], kind=["hour"], time=[hours(0).astimezone(UTC)], value=[1.0], flag=["N"]
    )
    assert store.write_observations(b) == WriteResult(unchanged=1)


def test_nan_resend_is_unchanged(store: DuckDBStore) -> None:
    store.write_observations(batch(("A", "p", 0, math.nan)))
    assert store.write_observations(batch(("A", "p", 0, math.nan))) == WriteResult(unchanged=1)


def test_empty_batch(store: DuckDBStore) -> None:
    assert store.write_observations(ObservationBatch()) == WriteResult()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.time.__setitem__(0, datetime(2024, 5, 1, 8)), "no zone|not a datetime with a zone"),
        (lambda b: b.time.__setitem__(0, date(2024, 5, 1)), "not a datetime"),
        (lambda b: b.kind.__setitem__(0, "week"), "kind 'week'"),
        (lambda b: b.flag.__setitem__(0, None), "flag missing"),
        (lambda b: b.mn.__setitem__(0, ""), "empty mn"),
        (lambda b: b.value.__setitem__(0, "high"), "observation batch"),
        (lambda b: b.param.append("x"), "2 param values for 1 rows"),
    ],
)
def test_bad_batches_are_refused_before_queueing(store: DuckDBStore, change: object, message: str) -> None:
    b = batch(("A", "p", 0, 1.0))
    change(b)  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        store.submit_observations(b)
    assert store.pending_observations() == 0
    assert store.count_observations() == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [(datetime(2024, 5, 1, 8), "not a datetime with a zone"), (date(2024, 5, 1), "not a datetime")],
)
def test_bad_times_in_a_large_batch_are_refused(store: DuckDBStore, bad: object, message: str) -> None:
    b = batch(*[("A", f"p{i}", 0, 1.0) for i in range(100)])  # staged as Arrow
    b.received_at = [hours(5)] * 100
    b.time[70] = bad  # type: ignore[call-overload]
    with pytest.raises(InputError, match=message):
        store.submit_observations(b)
    b.time[70] = hours(0)
    b.received_at[99] = bad  # type: ignore[call-overload]
    with pytest.raises(InputError, match=f"received_at.*{message}"):
        store.submit_observations(b)
    assert store.pending_observations() == 0


def test_large_batch_of_shared_time_objects_keeps_each_instant() -> None:
    # The gateway repeats one datetime object per packet; times are converted per object.
    times = [hours(i % 7) for i in range(10)]
    b = batch(*[("A", f"p{i}", 0, 1.0) for i in range(100)])
    b.time = [times[i % 10] for i in range(100)]
    b.time[3] = hours(3).astimezone(BEIJING)  # another object, same instant, another zone
    b.received_at = [times[(i * 3) % 10] for i in range(100)]
    staged = stage_batch(b)
    assert isinstance(staged, pa.Table)
    assert staged["time"].to_pylist() == [t.astimezone(UTC) for t in b.time]
    assert staged["received_at"].to_pylist() == [t.astimezone(UTC) for t in b.received_at]


@pytest.mark.parametrize("rows", [1, 100])  # staged as Python lists / as Arrow
def test_qn_and_received_at_may_be_omitted(store: DuckDBStore, rows: int) -> None:
    b = ObservationBatch(
        mn=["A"] * rows, param=["p"] * rows, kind=["hour"] * rows, time=[hours(h) for h in range(rows)],
        value=[1] * rows, flag=["N"] * rows,
    )  # fmt: skip
    staged = stage_batch(b)
    table = staged if isinstance(staged, pa.Table) else pa.Table.from_pydict(staged, schema=STAGE_SCHEMA)
    assert table["qn"].null_count == rows
    assert table["received_at"].null_count == 0
    assert store.write_observations(b) == WriteResult(inserted=rows)
    assert store.read_observations(ObservationQuery())["value"].to_pylist() == [1.0] * rows


def test_small_batches_are_copied_when_queued(store: DuckDBStore) -> None:
    b = batch(("A", "p", 0, 1.0))
    with writer_held(store):
        future = store.submit_observations(b)
        b.value[0] = 99.0  # a caller reusing its batch must not change what was submitted
    future.result(timeout=10)
    assert values(store) == {("A", "p", 0): (1.0, "N")}


def test_arrow_tables_from_bulk_imports(store: DuckDBStore) -> None:
    ns_utc = pa.timestamp("ns", tz="UTC")
    table = pa.table(
        {
            "mn": ["A", "A", "A"],
            "param": ["p", "p", "p"],
            "kind": ["hour", "hour", "hour"],
            "time": pa.array([hours(0), hours(1), hours(1)], type=ns_utc),
            "value": [1.0, 2.0, 3.0],
            "flag": ["N", "N", "N"],
        }
    )
    assert store.write_observation_table(table) == WriteResult(inserted=2)
    assert values(store) == {("A", "p", 0): (1.0, "N"), ("A", "p", 1): (3.0, "N")}
    assert store.submit_observation_table(table).result(timeout=10) == WriteResult(unchanged=2)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            pa.table({"mn": ["A"], "param": ["p"], "kind": ["hour"], "time": [hours(0)], "flag": ["N"]}),
            "no column value",
        ),
        (
            pa.table(
                {
                    "mn": ["A"],
                    "param": ["p"],
                    "kind": ["hour"],
                    "time": pa.array([datetime(2024, 5, 1)], pa.timestamp("s")),
                    "value": [1.0],
                    "flag": ["N"],
                }
            ),
            "not a timestamp with a zone",
        ),
        (
            pa.table(
                {
                    "mn": ["A"],
                    "param": ["p"],
                    "kind": ["hour"],
                    "time": pa.array([hours(0)], pa.timestamp("us", tz="UTC")),
                    "value": ["x"],
                    "flag": ["N"],
                }
            ),
            "observation table",
        ),
    ],
)
def test_bad_arrow_tables(store: DuckDBStore, table: pa.Table, message: str) -> None:
    with pytest.raises(InputError, match=message):
        store.write_observation_table(table)
    assert store.count_observations() == 0


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [("kind", "week", "kind 'week'"), ("flag", None, "flag missing"), ("param", "", "empty param")],
)
def test_large_batches_are_checked_with_arrow(
    store: DuckDBStore, column: str, bad: object, message: str
) -> None:
    b = batch(*[("A", "p", h, 1.0) for h in range(100)])
    getattr(b, column)[70] = bad
    with pytest.raises(InputError, match=message):
        store.submit_observations(b)


Key = tuple[str, str, int]
Cell = tuple[float | None, str]


def _same(a: Cell, b: Cell) -> bool:
    (va, fa), (vb, fb) = a, b
    both_nan = va is not None and vb is not None and math.isnan(va) and math.isnan(vb)
    return fa == fb and (va == vb or both_nan)


def _reference(
    state: dict[Key, Cell], rows: list[tuple[str, str, int, float | None, str]]
) -> tuple[WriteResult, list[tuple[Key, Cell, Cell]]]:
    """The documented semantics in plain Python: last wins in a batch, then insert/unchanged/correct."""
    last: dict[Key, Cell] = {}
    for mn, param, hour, value, flag in rows:
        last[(mn, param, hour)] = (value, flag)
    counts = [0, 0, 0]
    audit = []
    for key, cell in last.items():
        if key not in state:
            counts[0] += 1
        elif _same(state[key], cell):
            counts[1] += 1
        else:
            counts[2] += 1
            audit.append((key, state[key], cell))
        state[key] = cell
    return WriteResult(*counts), audit


def _comparable(cell: Cell) -> tuple[str, str]:
    return (repr(cell[0]), cell[1])


def test_both_merge_paths_match_a_reference_model(store: DuckDBStore, tmp_path: Path) -> None:
    """Random batches over a small key space (NULL, NaN, flag changes, repeats in and across batches):
    written one per commit, and all in one group, both give what the reference model says."""
    rng = random.Random(212)
    grouped = open_store(tmp_path / "grouped.duckdb")
    state: dict[Key, Cell] = {}
    expected_audit: list[tuple[Key, Cell, Cell]] = []
    try:
        for _round in range(30):
            batches = [
                [
                    (
                        rng.choice("AB"),
                        rng.choice(("p", "q")),
                        rng.randrange(3),
                        rng.choice((None, math.nan, 1.0, 2.0)),
                        rng.choice("ND"),
                    )
                    for _ in range(rng.randrange(1, 6))
                ]
                for _ in range(rng.randrange(1, 5))
            ]
            expected = []
            for rows in batches:
                result, audit = _reference(state, rows)
                expected.append(result)
                expected_audit += audit
            one_by_one = [store.write_observations(batch(*rows)) for rows in batches]
            with writer_held(grouped):
                futures = [grouped.submit_observations(batch(*rows)) for rows in batches]
            assert one_by_one == expected
            assert [f.result(timeout=10) for f in futures] == expected
        want = {k: _comparable(v) for k, v in state.items()}
        want_audit = sorted((k, _comparable(old), _comparable(new)) for k, old, new in expected_audit)
        for s in (store, grouped):
            assert {k: _comparable(v) for k, v in values(s).items()} == want
            got_audit = sorted(
                (
                    (r["mn"], r["param"], int((r["time"] - hours(0)).total_seconds() // 3600)),
                    _comparable((r["old_value"], r["old_flag"])),
                    _comparable((r["new_value"], r["new_flag"])),
                )
                for r in s.read_corrections(ObservationQuery()).to_pylist()
            )
            assert got_audit == want_audit
    finally:
        grouped.close()
