"""Observation filters pushed into store queries, and reads that never load a whole table to page it.

The plan tests are pure; the paging tests run the engine on a real DuckDB store through a
SharedReader that records every read it serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianfang.api.sensorthings import mapping, observations, scan
from lianfang.api.sensorthings.arrow_filter import to_arrow
from lianfang.api.sensorthings.engine import Engine
from lianfang.api.sensorthings.evaluate import EvalContext, matches
from lianfang.api.sensorthings.parser import parse_filter
from lianfang.api.sensorthings.pushdown import conjuncts, plan_filter
from lianfang.errors import InputError
from lianfang.model import DataKind
from lianfang.share import Caller, Role, SeriesKey, SharedReader
from lianfang.store.base import ObservationKey, ObservationQuery
from tests.api.sta_world import HOURS, NOW, T0, World, build_world, value_of


class NoNavigation:
    def related(self, entity: Any, relation: Any) -> list[Any]:
        raise AssertionError("a pushed-down term must not navigate")


CTX = EvalContext(NoNavigation(), NOW)


def test_time_bounds_ids_series_tests_and_residual() -> None:
    plan = plan_filter(
        parse_filter(
            "phenomenonTime ge 2024-06-01T00:00:00Z and 2024-06-05T00:00:00Z gt phenomenonTime "
            "and Datastream/Thing/@iot.id in ('A', 'B') and Datastream/ObservedProperty/id eq 'w21003' "
            "and Datastream/properties/kind eq 'hour' and Datastream/Thing/properties/river eq 'X' "
            "and result gt 1 and (resultQuality eq 'N' or result eq null)"
        ),
        CTX,
    )
    assert plan.start == datetime(2024, 6, 1, tzinfo=UTC)
    assert plan.end == datetime(2024, 6, 5, tzinfo=UTC)
    assert plan.mns == {"A", "B"}
    assert plan.params == {"w21003"}
    assert plan.kinds == {DataKind.HOUR}
    assert len(plan.series_tests) == 1
    assert len(plan.residual) == 2
    assert not plan.empty


def test_bounds_are_exact_and_contradictions_empty() -> None:
    plan = plan_filter(
        parse_filter("phenomenonTime gt 2024-01-01T00:00:00Z and phenomenonTime le 2024-01-02T00:00:00Z"), CTX
    )
    assert plan.start == datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
    assert plan.end == datetime(2024, 1, 2, 0, 0, 0, 1, tzinfo=UTC)
    eq = plan_filter(parse_filter("phenomenonTime eq now() sub duration'PT1H'"), CTX)
    assert (eq.start, eq.end) == (
        NOW - timedelta(hours=1),
        NOW - timedelta(hours=1) + timedelta(microseconds=1),
    )
    assert plan_filter(
        parse_filter("phenomenonTime lt 2024-01-01T00:00:00Z and phenomenonTime gt 2024-02-01T00:00:00Z"), CTX
    ).empty
    assert plan_filter(parse_filter("1 eq 2"), CTX).empty
    assert plan_filter(parse_filter("Datastream/@iot.id eq 'not-an-id'"), CTX).empty
    assert not plan_filter(parse_filter("1 eq 1 and phenomenonTime ne 2024-01-01T00:00:00Z"), CTX).empty
    ored = plan_filter(
        parse_filter("Datastream/@iot.id eq 'A:p:hour' or Datastream/@iot.id eq 'B:q:day'"), CTX
    )
    assert ored.series == {SeriesKey("A", "p", DataKind.HOUR), SeriesKey("B", "q", DataKind.DAY)}


def test_conjuncts_split_only_top_level_and() -> None:
    assert len(conjuncts(parse_filter("a eq 1 and (b eq 2 or c eq 3) and d eq 4"))) == 3


_TERMS = st.sampled_from(
    [
        "result gt 0.5",
        "result le 0.2",
        "result eq null",
        "result ne 0.3",
        "result ne null",
        "resultQuality eq 'N'",
        "resultQuality ne 'D'",
        "phenomenonTime ge 2024-06-01T03:00:00Z",
        "2024-06-01T05:00:00Z gt phenomenonTime",
        "0.4 lt result",
        "resultQuality eq null",
    ]
)


@st.composite
def _filters(draw: st.DrawFn) -> str:
    text: str = draw(_TERMS)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["and", "or"]))
        other = draw(_TERMS)
        text = f"({text}) {op} {'not ' if draw(st.booleans()) else ''}({other})"
    return text


@settings(max_examples=150, deadline=None)
@given(
    text=_filters(),
    values=st.lists(st.one_of(st.none(), st.floats(0, 1, allow_nan=False)), min_size=1, max_size=12),
    flags=st.lists(st.sampled_from(["N", "D", None]), min_size=12, max_size=12),
)
def test_arrow_and_row_by_row_evaluation_agree(
    text: str, values: list[float | None], flags: list[str | None]
) -> None:
    times = [datetime(2024, 6, 1, tzinfo=UTC) + timedelta(hours=i) for i in range(len(values))]
    table = pa.table(
        {
            "mn": ["A"] * len(values),
            "param": ["w21003"] * len(values),
            "kind": ["hour"] * len(values),
            "time": pa.array(times, pa.timestamp("us", tz="UTC")),
            "value": pa.array(values, pa.float64()),
            "flag": pa.array(flags[: len(values)], pa.string()),
        }
    )
    terms = conjuncts(parse_filter(text))
    expression = to_arrow(terms, CTX)
    assert expression is not None, text
    vectorised = table.filter(expression).column("time").to_pylist()
    key = SeriesKey("A", "w21003", DataKind.HOUR)
    by_row = [
        t
        for t, v, f in zip(times, values, flags, strict=False)
        if all(matches(term, mapping.observation(key, t, v, f, timedelta(hours=1)), CTX) for term in terms)
    ]
    assert vectorised == by_row, text


def test_terms_arrow_cannot_express_fall_back_to_rows() -> None:
    assert to_arrow(conjuncts(parse_filter("hour(phenomenonTime) eq 3")), CTX) is None
    assert (
        to_arrow(conjuncts(parse_filter("result gt 1 and resultTime gt 2024-01-01T00:00:00Z")), CTX) is None
    )


# --- reads against a real store -----------------------------------------------------------------


class SpyReader(SharedReader):
    """Records (limit, offset, after, rows returned) of every observation read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: list[tuple[int | None, int, ObservationKey | None, int]] = []
        self.counts: list[int | None] = []

    def observations(
        self, caller: Caller, query: ObservationQuery, *, via: str, after: Any = None
    ) -> pa.Table:
        table = super().observations(caller, query, via=via, after=after)
        self.reads.append((query.limit, query.offset, after, table.num_rows))
        return table

    def count_observations(
        self, caller: Caller, query: ObservationQuery, *, via: str, cap: int | None = None
    ) -> int:
        self.counts.append(cap)
        return super().count_observations(caller, query, via=via, cap=cap)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("pushdown")) / "lianfang.duckdb")
    yield built
    built.store.close()


@pytest.fixture
def spy(world: World) -> SpyReader:
    return SpyReader(world.store, clock=lambda: NOW)


def run(spy: SpyReader, url: str) -> Any:
    path, _, query = url.partition("?")
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    caller = Caller("SC", Role.VIEWER, "tk_test", "test")
    reply = Engine(spy, caller, "http://x/sta/v1.1", NOW).handle(path, pairs)  # type: ignore[arg-type]
    return reply.body


def test_paging_a_datastream_reads_one_page_at_a_time(spy: SpyReader) -> None:
    url = "Datastreams('SCW001:w21003:hour')/Observations?$top=20&$orderby=phenomenonTime desc"
    seen: list[float] = []
    for _ in range(3):
        body = run(spy, url)
        seen += [o["result"] for o in body["value"]]
        url = body["@iot.nextLink"].removeprefix("http://x/sta/v1.1/").replace("%20", " ")
    assert seen == [value_of("SCW001", "w21003", DataKind.HOUR, k) for k in range(60)]
    assert [r[0] for r in spy.reads] == [21, 21, 21]  # top + 1, never the whole series
    assert sum(r[3] for r in spy.reads) == 63
    assert spy.reads[1][2] is not None  # keyset cursor, not offset, on later pages


def test_skip_uses_counts_and_offsets_not_reads(spy: SpyReader) -> None:
    body = run(spy, "Datastreams('SCW001:w21003:hour')/Observations?$skip=200&$top=5")
    assert [o["result"] for o in body["value"]] == [
        value_of("SCW001", "w21003", DataKind.HOUR, k)
        for k in (HOURS - 201, HOURS - 202, HOURS - 203, HOURS - 204, HOURS - 205)
    ]
    assert spy.reads == [(6, 200, None, 6)]
    assert spy.counts == [201]


def test_count_is_bounded_and_filters_are_pushed(spy: SpyReader) -> None:
    body = run(
        spy,
        "Observations?$count=true&$top=3&$filter=Datastream/Thing/@iot.id eq 'SCW001' and "
        "phenomenonTime ge 2024-06-09T00:00:00Z",
    )
    assert body["@iot.count"] == 2 * (25 + 1 + 6 + 12)  # per parameter: hours since 06-09, day, rtd, min
    assert spy.counts
    assert all(cap is not None for cap in spy.counts)
    assert all(limit is not None and limit <= 4 for limit, *_ in spy.reads)


def test_residual_filters_scan_in_bounded_chunks(spy: SpyReader) -> None:
    body = run(spy, "Datastreams('SCW001:w21003:hour')/Observations?$filter=result gt 2.3&$top=100")
    assert len(body["value"]) == sum(
        1 for k in range(HOURS) if value_of("SCW001", "w21003", DataKind.HOUR, k) > 2.3
    )
    assert all(limit is not None for limit, *_ in spy.reads)


def test_latest_expand_is_one_store_call(spy: SpyReader, world: World) -> None:
    calls: list[Any] = []
    original = spy.latest

    def counting(*args: Any, **kwargs: Any) -> pa.Table:
        calls.append(kwargs)
        return original(*args, **kwargs)

    spy.latest = counting  # type: ignore[method-assign]
    body = run(spy, "Things?$expand=Datastreams($expand=Observations($top=1;$orderby=phenomenonTime desc))")
    assert len(calls) == 1
    assert spy.reads == []
    newest = {
        d["@iot.id"]: d["Observations"][0]["phenomenonTime"] for t in body["value"] for d in t["Datastreams"]
    }
    assert newest["SCW001:w21003:hour"] == T0.isoformat().replace("+00:00", "Z")
    assert newest["SCW001:w21003:day"] == (T0 - timedelta(days=1)).isoformat().replace("+00:00", "Z")


def test_budgets_refuse_unbounded_work_with_400(spy: SpyReader, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(observations, "MERGE_MAX_SERIES", 2)
    monkeypatch.setattr(observations, "SORT_BUDGET", 50)
    with pytest.raises(InputError, match="sorts in memory"):
        run(spy, "Observations?$orderby=phenomenonTime desc&$top=5")
    # a narrow enough window is sorted in memory, in the right order
    body = run(
        spy,
        "Observations?$orderby=phenomenonTime desc,id&$top=5&$filter=Datastream/Thing/@iot.id eq 'SCW001' "
        "and Datastream/properties/kind eq 'hour' and phenomenonTime ge 2024-06-09T22:00:00Z",
    )
    assert [o["@iot.id"] for o in body["value"]] == [
        "SCW001:w01001:hour:20240610T000000Z",
        "SCW001:w21003:hour:20240610T000000Z",
        "SCW001:w01001:hour:20240609T230000Z",
        "SCW001:w21003:hour:20240609T230000Z",
        "SCW001:w01001:hour:20240609T220000Z",
    ]
    monkeypatch.setattr(scan, "PYTHON_SCAN_BUDGET", 100)
    monkeypatch.setattr(scan, "FIRST_CHUNK", 50)
    monkeypatch.setattr(scan, "CHUNK", 50)
    with pytest.raises(InputError, match="scanned"):
        run(spy, "Datastreams('SCW001:w21003:hour')/Observations?$filter=hour(phenomenonTime) eq 99")


def test_count_cap_reports_a_lower_bound(spy: SpyReader, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "COUNT_CAP", 100)
    body = run(spy, "Observations?$count=true&$top=1")
    assert body["@iot.count"] == 100
    assert body["@lianfang.countIsLowerBound"] is True
    exact = run(spy, "Datastreams('SCW001:w21003:day')/Observations?$count=true&$top=1")
    assert exact["@iot.count"] == 10
    assert "@lianfang.countIsLowerBound" not in exact
