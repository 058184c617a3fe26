"""The OData expression parser, literals and query options of the SensorThings API (pure logic)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from lianfang.api.sensorthings.entities import ENTITY_SETS
from lianfang.api.sensorthings.expr import Binary, Call, In, Lambda, Literal, Negate, Not, Path
from lianfang.api.sensorthings.options import (
    UnsupportedOptionError,
    check_options,
    expand_text,
    option_pairs,
    parse_options,
)
from lianfang.api.sensorthings.parser import parse_filter, parse_orderby
from lianfang.api.sensorthings.paths import parse_path
from lianfang.errors import InputError


def test_precedence_or_and_not_comparison_arithmetic() -> None:
    expr = parse_filter("a eq 1 or not b gt 2 add 3 mul 4 and c")
    assert expr == Binary(
        "or",
        Binary("eq", Path(("a",)), Literal(1)),
        Binary(
            "and",
            Not(Binary("gt", Path(("b",)), Binary("add", Literal(2), Binary("mul", Literal(3), Literal(4))))),
            Path(("c",)),
        ),
    )
    assert parse_filter("(a add 1) mul 2 eq 4") == Binary(
        "eq", Binary("mul", Binary("add", Path(("a",)), Literal(1)), Literal(2)), Literal(4)
    )
    assert parse_filter("a sub b sub c") == Binary(
        "sub", Binary("sub", Path(("a",)), Path(("b",))), Path(("c",))
    )


def test_literals() -> None:
    def value(text: str) -> object:
        expr = parse_filter(f"x eq {text}")
        assert isinstance(expr, Binary)
        assert isinstance(expr.right, Literal)
        return expr.right.value

    assert value("'it''s'") == "it's"
    assert value("42") == 42
    assert value("-1.5e2") == -150.0
    assert value("true") is True
    assert value("null") is None
    assert value("2024-01-01T08:00:00+08:00") == datetime(2024, 1, 1, tzinfo=UTC)
    assert value("2024-01-01T00:00:00.250Z") == datetime(2024, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)
    assert value("2024-01-01T08:00-05:00").utcoffset() == timezone(timedelta(hours=-5)).utcoffset(None)  # type: ignore[attr-defined]
    assert value("2024-02-29") == date(2024, 2, 29)
    assert value("12:30:00") == time(12, 30)
    assert value("duration'P1DT2H30M'") == timedelta(days=1, hours=2, minutes=30)
    assert value("duration'-PT90S'") == timedelta(seconds=-90)
    geo = value("geography'SRID=4326;POINT(104 30)'")
    assert geo.geometry.x == 104  # type: ignore[attr-defined]


def test_paths_functions_in_and_lambdas() -> None:
    assert parse_filter("Datastream/Thing/@iot.id eq 'x'") == Binary(
        "eq", Path(("Datastream", "Thing", "@iot.id")), Literal("x")
    )
    call = parse_filter("geo.distance(location, geometry'POINT(1 2)') lt 1")
    assert isinstance(call, Binary)
    assert isinstance(call.left, Call)
    assert call.left.name == "geo.distance"
    assert parse_filter("name in ('a', 'b')") == In(Path(("name",)), (Literal("a"), Literal("b")))
    assert parse_filter("-result gt 1") == Binary("gt", Negate(Path(("result",))), Literal(1))
    assert parse_filter("Datastreams/any(d: d/name eq 'x')") == Lambda(
        Path(("Datastreams",)), "any", "d", Binary("eq", Path(("name",), "d"), Literal("x"))
    )
    assert parse_filter("Datastreams/any()") == Lambda(Path(("Datastreams",)), "any", None, None)
    assert parse_filter("now() gt mindatetime()") == Binary("gt", Call("now", ()), Call("mindatetime", ()))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "name eq",
        "name eq 'x",
        "name eq 'x' and",
        "(name eq 'x'",
        "name eq 'x')",
        "name == 'x'",
        "frobnicate(name)",
        "length(name, 2)",
        "substring(name)",
        "name eq 1 1",
        "eq eq 1",
        "phenomenonTime gt duration'P1M'",
        "phenomenonTime gt duration'1D'",
        "st_within(location, geography'POLYGON((0 0, 1 1'))",
        "st_within(location, geography'SRID=3857;POINT(1 1)')",
        "name eq 2024-13-01",
        "Datastreams/all()",
    ],
)
def test_malformed_filters_are_input_errors(text: str) -> None:
    with pytest.raises(InputError):
        parse_filter(text)


def test_orderby_items_and_directions() -> None:
    items = parse_orderby("phenomenonTime DESC, Datastream/Thing/name, result asc")
    assert [(i.expr, i.descending) for i in items] == [
        (Path(("phenomenonTime",)), True),
        (Path(("Datastream", "Thing", "name")), False),
        (Path(("result",)), False),
    ]
    with pytest.raises(InputError):
        parse_orderby("name up")


def test_options_expand_nesting_merge_and_round_trip() -> None:
    options = parse_options(
        [
            (
                "$expand",
                "Datastreams($filter=name eq 'a;b(c)';$top=2;$expand=Observations($top=1)),"
                "Datastreams/Sensor",
            ),
            ("$select", "id,name"),
            ("$top", "5"),
            ("custom", "ignored"),
        ]
    )
    assert options.select == ["@iot.id", "name"]
    (streams,) = options.expand
    assert streams.relation == "Datastreams"
    assert streams.options.top == 2
    assert [e.relation for e in streams.options.expand] == ["Observations", "Sensor"]
    assert expand_text(options.expand) == (
        "Datastreams($filter=name eq 'a;b(c)';$expand=Observations($top=1),Sensor;$top=2)"
    )
    again = parse_options(option_pairs(options))
    assert expand_text(again.expand) == expand_text(options.expand)
    check_options(options, ENTITY_SETS["Things"])
    assert option_pairs(options, top=5, skiptoken="abc")[-1] == ("$skiptoken", "abc")


@pytest.mark.parametrize(
    "pairs",
    [
        [("$top", "-1")],
        [("$skip", "1.5")],
        [("$count", "1")],
        [("$top", "1"), ("$top", "2")],
        [("$unknown", "1")],
        [("$expand", "Datastreams($top=1")],
        [("$expand", "Datastreams(top=1)")],
        [("$select", "name,")],
    ],
)
def test_bad_options(pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(InputError):
        parse_options(pairs)


def test_unsupported_options_are_501() -> None:
    with pytest.raises(UnsupportedOptionError) as raised:
        parse_options([("$resultFormat", "dataArray")])
    assert raised.value.status == 501


@pytest.mark.parametrize(
    ("entity_set", "pairs"),
    [
        ("Things", [("$filter", "nosuch eq 1")]),
        ("Things", [("$filter", "name/sub eq 1")]),
        ("Things", [("$filter", "Datastreams eq 1")]),
        ("Things", [("$filter", "Datastreams/Observations/result gt 1")]),
        ("Things", [("$orderby", "Locations/nosuch")]),
        ("Things", [("$expand", "Datastreams($filter=nosuch eq 1)")]),
        ("Observations", [("$select", "name")]),
        ("Datastreams", [("$expand", "Things")]),
    ],
)
def test_names_checked_against_the_entity_model(entity_set: str, pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(InputError):
        check_options(parse_options(pairs), ENTITY_SETS[entity_set])


def test_json_sub_properties_and_ids_pass_the_check() -> None:
    options = parse_options(
        [("$filter", "parameters/a/b eq 1 and Datastream/unitOfMeasurement/symbol eq 'mg/L' and id eq 'x'")]
    )
    check_options(options, ENTITY_SETS["Observations"])


def test_resource_paths() -> None:
    path = parse_path("Things('SC''01')/Datastreams('a:b:hour')/Observations/$ref")
    assert [(s.name, s.key) for s in path.segments] == [
        ("Things", "SC'01"),
        ("Datastreams", "a:b:hour"),
        ("Observations", None),
    ]
    assert path.ref
    assert parse_path("Things(42)/name/$value").value
    assert parse_path("Observations('a/b')").segments[0].key == "a/b"
    for bad in ("Things(x)", "$value", "Things/$ref/name", "Things('a'b')", "Things('x"):
        with pytest.raises(InputError):
            parse_path(bad)
