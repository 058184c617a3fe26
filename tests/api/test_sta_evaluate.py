"""$filter evaluation semantics, built-in functions and geospatial functions (pure logic)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lianfang.api.sensorthings.entities import ENTITY_TYPES, Entity, Relation
from lianfang.api.sensorthings.evaluate import EvalContext, Many, evaluate, is_constant, matches, sort_key
from lianfang.api.sensorthings.parser import parse_filter

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


class Links:
    """A fake navigator over explicit links (the real one is the store-backed Catalogue)."""

    def __init__(self) -> None:
        self.links: dict[tuple[int, str], list[Entity]] = {}

    def link(self, entity: Entity, relation: str, targets: list[Entity]) -> None:
        self.links[(id(entity), relation)] = targets

    def related(self, entity: Entity, relation: Relation) -> list[Entity]:
        return self.links.get((id(entity), relation.name), [])


def thing(name: str, **properties: Any) -> Entity:
    return Entity(ENTITY_TYPES["Thing"], name, {"name": name, "description": "", "properties": properties})


@pytest.fixture
def world() -> tuple[Links, Entity]:
    links = Links()
    station = thing("  Jialing Wusheng ", river="Jialing", target=3, tags=["a", "b"])
    location = Entity(
        ENTITY_TYPES["Location"],
        "L1",
        {"name": "L1", "location": {"type": "Point", "coordinates": [106.3, 30.27]}},
    )
    streams = [
        Entity(ENTITY_TYPES["Datastream"], f"D{i}", {"name": f"D{i}", "properties": {"kind": kind}})
        for i, kind in enumerate(("hour", "day"))
    ]
    links.link(station, "Locations", [location])
    links.link(station, "Datastreams", streams)
    return links, station


def check(world: tuple[Links, Entity], text: str) -> bool:
    links, station = world
    return matches(parse_filter(text), station, EvalContext(links, NOW))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name eq '  Jialing Wusheng '", True),
        ("properties/target ge 3 and properties/target lt 4", True),
        ("properties/target eq '3'", False),  # no implicit casts
        ("properties/target ne '3'", True),
        ("properties/nothing eq null", True),
        ("properties/nothing ne null", False),
        ("properties/nothing gt 1", False),
        ("not (properties/nothing gt 1)", True),
        ("not startswith(properties/nothing, 'x')", False),  # null stays unknown under not
        ("properties/target add 2 eq 5 and properties/target sub 5 eq -2", True),
        (
            "properties/target mul 2 eq 6 and properties/target div 2 eq 1 and properties/target mod 2 eq 1",
            True,
        ),
        ("properties/target div 0 eq null", True),
        ("properties/target div 2.0 eq 1.5", True),
        ("properties/tags/1 eq 'b'", True),
        ("'a' in properties/tags", True),
        ("properties/river in ('Min', 'Jialing')", True),
        ("trim(name) eq 'Jialing Wusheng'", True),
        ("length(trim(name)) eq 15 and indexof(trim(name), 'Wu') eq 8", True),
        ("substring(trim(name), 8, 3) eq 'Wus' and substring(trim(name), 8) eq 'Wusheng'", True),
        ("tolower(trim(name)) eq 'jialing wusheng' and toupper(properties/river) eq 'JIALING'", True),
        ("substringof('Wus', name) and contains(name, 'Wus') and endswith(trim(name), 'heng')", True),
        ("concat(properties/river, '!') eq 'Jialing!'", True),
        ("round(2.5) eq 3 and round(-2.5) eq -3 and floor(-1.5) eq -2 and ceiling(1.2) eq 2", True),
        ("now() eq 2024-06-01T20:00:00+08:00", True),
        ("year(now()) eq 2024 and month(now()) eq 6 and day(now()) eq 1", True),
        (
            "hour(2024-06-01T08:30:15.5+08:00) eq 0 and minute(now()) eq 0 "
            "and second(2024-06-01T00:00:15Z) eq 15",
            True,
        ),
        ("fractionalseconds(2024-06-01T00:00:15.25Z) eq 0.25", True),
        ("totaloffsetminutes(2024-06-01T08:00:00+08:00) eq 480", True),
        ("date(2024-06-01T23:30:00-02:00) eq 2024-06-02 and time(now()) eq 12:00:00", True),
        ("now() sub duration'P1D' eq 2024-05-31T12:00:00Z", True),
        ("now() sub 2024-06-01T11:00:00Z eq duration'PT1H'", True),
        ("mindatetime() lt now() and maxdatetime() gt now()", True),
        ("2024-06-01 lt now()", True),  # a date compares as its midnight
        ("Datastreams/properties/kind eq 'day'", True),  # any of a to-many path
        ("Datastreams/properties/kind eq 'min'", False),
        ("Datastreams/any(d: d/properties/kind eq 'hour')", True),
        ("Datastreams/all(d: d/properties/kind eq 'hour')", False),
        ("Datastreams/any()", True),
        (
            "Locations/any(l: st_within(l/location, "
            "geography'POLYGON((106 30, 107 30, 107 31, 106 31, 106 30))'))",
            True,
        ),
        ("geo.distance(Locations/location, geography'POINT(106.3 30.37)') lt 0.11", True),
        ("st_equals(Locations/location, geography'POINT(106.3 30.27)')", True),
        ("Locations/location eq geography'POINT(106.3 30.27)'", True),
        ("st_relate(Locations/location, geography'POINT(106.3 30.27)', 'T*F**FFF*')", True),
        ("st_crosses(geography'LINESTRING(0 0, 2 2)', geography'LINESTRING(0 2, 2 0)')", True),
        (
            "st_overlaps(geography'POLYGON((0 0, 2 0, 2 2, 0 2, 0 0))', "
            "geography'POLYGON((1 1, 3 1, 3 3, 1 3, 1 1))')",
            True,
        ),
        ("geo.length(geography'LINESTRING(0 0, 3 4)') eq 5", True),
        ("st_within(properties/river, geography'POINT(1 1)')", False),  # not a geometry: null
    ],
)
def test_filter_semantics(world: tuple[Links, Entity], text: str, expected: bool) -> None:
    assert check(world, text) is expected


def test_to_many_paths_yield_many_values(world: tuple[Links, Entity]) -> None:
    links, station = world
    value = evaluate(parse_filter("Datastreams/name"), station, EvalContext(links, NOW))
    assert isinstance(value, Many)
    assert sorted(value) == ["D0", "D1"]


def test_constant_detection() -> None:
    assert is_constant(parse_filter("now() sub duration'P1D' gt 2020-01-01T00:00:00Z"))
    assert not is_constant(parse_filter("result gt 1"))
    assert not is_constant(parse_filter("Datastreams/any()"))


def test_sort_key_orders_nulls_first_and_types_apart() -> None:
    values: list[Any] = [3, None, "b", 1.5, datetime(2024, 1, 1, tzinfo=UTC), "a", timedelta(1)]
    ordered = sorted(values, key=sort_key)
    assert ordered[0] is None
    assert ordered[1:3] == [1.5, 3]
    assert ordered[3:5] == ["a", "b"]
