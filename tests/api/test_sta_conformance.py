"""SensorThings API 1.1 read conformance, over a real DuckDB store and a real HTTP socket.

The checks follow 18-088 Annex A classes A.1 (sensing core: entities, paths, properties, $value,
$ref, 404s) and A.3 (request data: every query option, their order, status codes), re-expressed from
the specification (the OGC ETS itself cannot run here: see reference/anchors.md §5), plus what the
issue asks beyond it: nested $expand with options, $skip on navigation links, $orderby on times,
geospatial functions and error codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lianfang.model import DataKind
from tests.api.sta_world import (
    BY_MN,
    HOURS,
    PARAMS,
    STATIONS,
    T0,
    World,
    build_world,
    flag_of,
    make_app,
    series_rows,
    serving,
    value_of,
)

STA = "/sta/v1.1"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("sta") / "lianfang.duckdb")
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def app(world: World) -> FastAPI:
    return make_app(world)


@pytest.fixture(scope="module")
def base(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url + STA


@pytest.fixture(scope="module")
def sc(world: World, base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, headers=world.headers("SC"), timeout=30) as client:
        yield client


def ok(client: httpx.Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params or None)
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response.json()


def error(client: httpx.Client, path: str, status: int, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params or None)
    assert response.status_code == status, (path, response.status_code, response.text)
    body: dict[str, Any] = response.json()
    assert body["ok"] is False
    assert body["status"] == status
    assert body["message"]
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [e["@iot.id"] for e in body["value"]]


def walk(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    """Every entity of a collection, following @iot.nextLink to the end."""
    out: list[dict[str, Any]] = []
    next_url: str | None = url
    pages = 0
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        out += body["value"]
        next_url = body.get("@iot.nextLink")
        pages += 1
        assert pages < 500
    return out


# --- service root, authentication ----------------------------------------------------------------


def test_root_lists_every_entity_set_and_honest_conformance(sc: httpx.Client, base: str) -> None:
    body = ok(sc, "")
    names = {v["name"]: v["url"] for v in body["value"]}
    assert set(names) == {
        "Things", "Locations", "HistoricalLocations", "Datastreams", "Sensors",
        "ObservedProperties", "Observations", "FeaturesOfInterest",
    }  # fmt: skip
    assert names["Things"] == f"{base}/Things"
    conformance = body["serverSettings"]["conformance"]
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data" in conformance
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel" in conformance
    assert not any("create-update-delete" in c or "mqtt" in c or "batch" in c for c in conformance)


def test_every_request_needs_a_valid_bearer_token(base: str) -> None:
    for headers in ({}, {"Authorization": "Bearer lf_not-a-token"}, {"Authorization": "Basic eDp5"}):
        response = httpx.get(f"{base}/Things", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"


# --- A.1 sensing core: entities, paths, properties ------------------------------------------------


@pytest.mark.parametrize(
    ("entity_set", "mandatory"),
    [
        ("Things", {"name", "description"}),
        ("Locations", {"name", "description", "encodingType", "location"}),
        ("HistoricalLocations", {"time"}),
        ("Datastreams", {"name", "description", "unitOfMeasurement", "observationType"}),
        ("Sensors", {"name", "description", "encodingType", "metadata"}),
        ("ObservedProperties", {"name", "definition", "description"}),
        ("Observations", {"phenomenonTime", "resultTime", "result"}),
        ("FeaturesOfInterest", {"name", "description", "encodingType", "feature"}),
    ],
)
def test_collections_entities_and_self_links(sc: httpx.Client, entity_set: str, mandatory: set[str]) -> None:
    body = ok(sc, f"/{entity_set}", **{"$top": "2"})
    assert body["value"], entity_set
    for entity in body["value"]:
        assert mandatory <= set(entity), (entity_set, set(entity))
        assert any(k.endswith("@iot.navigationLink") for k in entity)
        again = httpx.get(entity["@iot.selfLink"], headers=sc.headers).json()
        assert again == entity
    for key, link in body["value"][0].items():
        if key.endswith("@iot.navigationLink"):
            response = httpx.get(link, headers=sc.headers, params={"$top": "1"} if key[0].isupper() else None)
            assert response.status_code == 200, (key, response.text)


def test_thing_maps_the_station(sc: httpx.Client) -> None:
    thing = ok(sc, "/Things('SCW002')")
    station = BY_MN["SCW002"]
    assert thing["name"] == station.name
    assert thing["properties"]["jurisdiction"] == "SC"
    assert thing["properties"]["section_level"] == "cross-border"
    assert thing["properties"]["target_class"] == 3
    location = ok(sc, "/Things('SCW002')/Locations")["value"][0]
    assert location["encodingType"] == "application/geo+json"
    assert location["location"] == {"type": "Point", "coordinates": [106.30, 30.27]}


def test_datastream_carries_unit_and_period(sc: httpx.Client) -> None:
    stream = ok(sc, "/Datastreams('SCW001:w21003:hour')")
    assert stream["unitOfMeasurement"]["symbol"] == "mg/L"
    assert stream["unitOfMeasurement"]["definition"].startswith("http://qudt.org/vocab/unit/")
    assert stream["properties"]["period"] == "PT1H"
    assert ok(sc, "/Datastreams('SCW001:w21003:min')")["properties"]["period"] == "PT10M"
    air = ok(sc, "/Datastreams('SCA001:a34004:hour')")
    assert air["unitOfMeasurement"]["symbol"] == "µg/m³"


def test_observation_times_result_and_quality(sc: httpx.Client) -> None:
    url = "/Datastreams('SCW001:w21003:hour')/Observations"
    obs = ok(sc, url, **{"$top": "8", "$orderby": "phenomenonTime desc"})["value"]
    assert obs[0]["phenomenonTime"] == "2024-06-10T00:00:00Z"
    assert obs[0]["resultTime"] == "2024-06-10T01:00:00Z"  # end of the hour
    assert obs[0]["result"] == value_of("SCW001", "w21003", DataKind.HOUR, 0)
    assert obs[7]["resultQuality"] == flag_of(7) == "D"
    rtd = ok(sc, "/Datastreams('SCW001:w21003:rtd')/Observations", **{"$top": "1"})["value"][0]
    assert rtd["resultTime"] == rtd["phenomenonTime"]


def test_navigation_paths(sc: httpx.Client) -> None:
    streams = ids(ok(sc, "/Things('SCW001')/Datastreams"))
    assert streams == sorted(streams)
    assert all(s.startswith("SCW001:") for s in streams)
    assert ok(sc, "/Datastreams('SCW001:w21003:hour')/Thing")["@iot.id"] == "SCW001"
    assert ok(sc, "/Datastreams('SCW001:w21003:hour')/ObservedProperty")["@iot.id"] == "w21003"
    assert ok(sc, "/Datastreams('SCW001:w21003:hour')/Sensor")["@iot.id"] == "SCW001:w21003"
    assert ids(ok(sc, "/Sensors('SCW001:w21003')/Datastreams")) == [
        "SCW001:w21003:day", "SCW001:w21003:hour", "SCW001:w21003:min", "SCW001:w21003:rtd",
    ]  # fmt: skip
    oid = "SCW001:w21003:hour:20240609T230000Z"
    assert ok(sc, f"/Observations('{oid}')/Datastream/Thing")["@iot.id"] == "SCW001"
    assert ok(sc, f"/Observations('{oid}')/FeatureOfInterest")["@iot.id"] == "SCW001"
    assert ok(sc, f"/Datastreams('SCW001:w21003:hour')/Observations('{oid}')")["@iot.id"] == oid
    assert ids(ok(sc, "/Locations('SCW001')/Things")) == ["SCW001"]
    assert ok(sc, "/HistoricalLocations('SCW001')/Thing")["@iot.id"] == "SCW001"
    assert "SCW001:w21003:hour" in ids(ok(sc, "/ObservedProperties('w21003')/Datastreams"))
    foi_obs = ok(sc, "/FeaturesOfInterest('SCW002')/Observations", **{"$top": "500"})["value"]
    assert foi_obs
    assert all(o["@iot.id"].startswith("SCW002:") for o in foi_obs)


def test_missing_entities_are_404_in_the_json_shape(sc: httpx.Client) -> None:
    for path in (
        "/Things('NOPE')",
        "/Datastreams('SCW001:w21003:year')",
        "/Datastreams('SCW001:w99999:hour')",
        "/Observations('SCW001:w21003:hour:20000101T000000Z')",
        "/Sensors('SCW001:a34004')",
        "/ObservedProperties('w99999')",
        "/Things('SCW001')/Datastreams('SCW002:w21003:hour')",
        "/Datastreams('SCW001:w21003:hour')/Observations('SCW001:w01001:hour:20240609T230000Z')",
        "/Things('SCW001')/nosuchproperty",
        "/Things('SCW001')/name/sub",
        "/Widgets",
    ):
        assert error(sc, path, 404)["error"] == "not_found", path


def test_malformed_paths_are_400(sc: httpx.Client) -> None:
    error(sc, "/Things(SCW001)", 400)
    error(sc, "/Things('SCW001')/Locations('SCW001')/$ref/name", 400)


def test_property_paths_and_value(sc: httpx.Client) -> None:
    assert ok(sc, "/Things('SCW001')/name") == {"name": BY_MN["SCW001"].name}
    assert ok(sc, "/Things('SCW001')/properties/river") == {"river": "嘉陵江"}
    assert ok(sc, "/Datastreams('SCW001:w21003:hour')/unitOfMeasurement/symbol") == {"symbol": "mg/L"}
    value = sc.get("/Things('SCW001')/name/$value")
    assert value.status_code == 200
    assert value.text == BY_MN["SCW001"].name
    assert value.headers["content-type"].startswith("text/plain")
    number = sc.get("/Observations('SCW001:w21003:hour:20240610T000000Z')/result/$value")
    assert float(number.text) == value_of("SCW001", "w21003", DataKind.HOUR, 0)
    # HistoricalLocation time is unknown (null): OData answers a null property with 204
    assert sc.get("/HistoricalLocations('SCW001')/time").status_code == 204


def test_ref_on_collections_entities_and_navigation(sc: httpx.Client, base: str) -> None:
    body = ok(sc, "/Things/$ref")
    assert body["value"] == [
        {"@iot.selfLink": f"{base}/Things('{s.mn}')"} for s in sorted(STATIONS, key=lambda s: s.mn)
    ]
    assert ok(sc, "/Datastreams('SCW001:w21003:hour')/Thing/$ref") == {
        "@iot.selfLink": f"{base}/Things('SCW001')"
    }
    page = ok(sc, "/Things('SCW001')/Datastreams/$ref", **{"$top": "2", "$count": "true"})
    assert len(page["value"]) == 2
    assert page["@iot.count"] == 8
    assert "/Things('SCW001')/Datastreams/$ref?" in page["@iot.nextLink"]
    error(sc, "/Things/$ref", 400, **{"$expand": "Datastreams"})


# --- A.3 request data: query options -------------------------------------------------------------


def test_select_limits_properties_and_links(sc: httpx.Client) -> None:
    things = ok(sc, "/Things", **{"$select": "name,Datastreams"})["value"]
    for thing in things:
        assert set(thing) == {"name", "Datastreams@iot.navigationLink"}
    only_id = ok(sc, "/Things('SCW001')", **{"$select": "id"})
    assert set(only_id) == {"@iot.id", "@iot.selfLink"}
    error(sc, "/Things", 400, **{"$select": "name,nosuch"})


def test_expand_nested_with_own_options(sc: httpx.Client) -> None:
    expand = (
        "Datastreams($filter=properties/kind eq 'hour';$orderby=name;$top=1;$count=true;"
        "$select=name,properties;$expand=ObservedProperty($select=name),"
        "Observations($top=2;$orderby=phenomenonTime desc))"
    )
    thing = ok(sc, "/Things('SCW001')", **{"$expand": expand})
    assert thing["Datastreams@iot.count"] == 2  # hour of w01001 and of w21003
    (stream,) = thing["Datastreams"]
    assert stream["properties"]["kind"] == "hour"
    assert stream["properties"]["parameter"] == "w21003"
    assert set(stream) == {
        "name",
        "properties",
        "ObservedProperty",
        "Observations",
        "Observations@iot.nextLink",
    }
    assert stream["ObservedProperty"] == {"name": "ammonia nitrogen (NH3-N)"}
    times = [o["phenomenonTime"] for o in stream["Observations"]]
    assert times == ["2024-06-10T00:00:00Z", "2024-06-09T23:00:00Z"]
    next_page = httpx.get(thing["Datastreams@iot.nextLink"], headers=sc.headers).json()
    assert [d["properties"]["parameter"] for d in next_page["value"]] == ["w01001"]
    assert "ObservedProperty" in next_page["value"][0]  # the nested expand is repeated in the link


def test_expand_path_form_and_to_one(sc: httpx.Client) -> None:
    body = ok(
        sc,
        "/Observations('SCW001:w21003:hour:20240610T000000Z')",
        **{"$expand": "Datastream/Thing/Locations"},
    )
    assert body["Datastream"]["Thing"]["Locations"][0]["@iot.id"] == "SCW001"
    streams = ok(sc, "/Datastreams", **{"$expand": "Thing,Sensor,ObservedProperty", "$top": "5"})["value"]
    for stream in streams:
        assert stream["Thing"]["@iot.id"] == stream["@iot.id"].split(":")[0]
        assert stream["Sensor"]["@iot.id"] == ":".join(stream["@iot.id"].split(":")[:2])
    error(sc, "/Things", 400, **{"$expand": "Observations"})


def test_latest_value_of_every_datastream_by_expand(sc: httpx.Client) -> None:
    body = ok(
        sc,
        "/Things",
        **{"$expand": "Datastreams($expand=Observations($top=1;$orderby=phenomenonTime desc))"},
    )
    for thing in body["value"]:
        for stream in thing["Datastreams"]:
            mn, param, kind = stream["@iot.id"].split(":")
            (newest,) = stream["Observations"]
            expected = max(r.time for r in _rows(mn, param, kind))
            assert newest["phenomenonTime"] == expected.isoformat().replace("+00:00", "Z")


def _rows(mn: str, param: str, kind: str) -> list[Any]:
    return [r for r in series_rows() if (r.mn, r.param, r.kind.value) == (mn, param, kind)]


def test_top_default_max_and_zero(sc: httpx.Client) -> None:
    assert len(ok(sc, "/Observations")["value"]) == 100
    assert len(ok(sc, "/Observations", **{"$top": "5000"})["value"]) == 1000
    empty = ok(sc, "/Observations", **{"$top": "0", "$count": "true"})
    assert empty["value"] == []
    assert empty["@iot.count"] > 1000
    # a page of 0 never advances: a next link would send a client round in a loop
    assert "@iot.nextLink" not in empty
    assert "@iot.nextLink" not in ok(sc, "/Things", **{"$top": "0"})
    assert "@iot.nextLink" not in ok(sc, "/Things/$ref", **{"$top": "0"})
    expanded = ok(sc, "/Things('SCW001')", **{"$expand": "Datastreams($top=0)"})
    assert "Datastreams@iot.nextLink" not in expanded
    error(sc, "/Things", 400, **{"$top": "-1"})
    error(sc, "/Things", 400, **{"$top": "ten"})


def test_skip_on_collections_and_navigation_links(sc: httpx.Client) -> None:
    all_streams = ids(ok(sc, "/Things('SCW001')/Datastreams"))
    assert ids(ok(sc, "/Things('SCW001')/Datastreams", **{"$skip": "3"})) == all_streams[3:]
    assert ids(ok(sc, "/Things('SCW001')/Datastreams", **{"$skip": "2", "$top": "2"})) == all_streams[2:4]
    assert ok(sc, "/Things", **{"$skip": "99"})["value"] == []
    hours = ok(sc, "/Datastreams('SCW001:w21003:hour')/Observations", **{"$skip": "10", "$top": "3"})
    assert [o["result"] for o in hours["value"]] == [
        value_of("SCW001", "w21003", DataKind.HOUR, k) for k in (229, 228, 227)
    ]  # default order is by id: ascending time
    error(sc, "/Things", 400, **{"$skip": "x"})


def test_next_links_walk_the_whole_collection(sc: httpx.Client, world: World) -> None:
    everything = walk(sc, "/Observations?$top=700")
    expected = sorted((r.mn, r.param, r.kind.value, r.time) for r in world.rows)
    got = [tuple(o["@iot.id"].rsplit(":", 1)[0].split(":")) for o in everything]
    assert len(everything) == len(world.rows) == len({o["@iot.id"] for o in everything})
    assert got == [e[:3] for e in expected]
    things = walk(sc, "/Things?$top=2")
    assert [t["@iot.id"] for t in things] == sorted(BY_MN)


def test_count_is_of_the_filtered_collection(sc: httpx.Client) -> None:
    body = ok(sc, "/Datastreams('SCW001:w21003:hour')/Observations", **{"$count": "true", "$top": "1"})
    assert body["@iot.count"] == HOURS
    filtered = ok(
        sc,
        "/Datastreams('SCW001:w21003:hour')/Observations",
        **{"$count": "true", "$top": "1", "$filter": "resultQuality eq 'D'"},
    )
    assert filtered["@iot.count"] == sum(1 for k in range(HOURS) if flag_of(k) == "D")
    assert "@iot.count" not in ok(sc, "/Things", **{"$count": "false"})
    error(sc, "/Things", 400, **{"$count": "yes"})


def test_orderby_several_keys_and_directions(sc: httpx.Client) -> None:
    things = ok(sc, "/Things", **{"$orderby": "properties/jurisdiction desc, name asc"})["value"]
    keys = [(t["properties"]["jurisdiction"], t["name"]) for t in things]
    assert keys == sorted(keys, key=lambda k: (-ord(k[0][0]), k[1]))
    streams = ok(sc, "/Datastreams", **{"$orderby": "id desc", "$top": "4"})
    assert ids(streams) == sorted(ids(streams), reverse=True)
    error(sc, "/Things", 400, **{"$orderby": "name sideways"})


def test_orderby_phenomenon_time_in_one_datastream(sc: httpx.Client) -> None:
    url = "/Datastreams('SCW001:w21003:hour')/Observations"
    desc = walk(sc, f"{url}?$orderby=phenomenonTime desc&$top=50")
    times = [o["phenomenonTime"] for o in desc]
    assert len(times) == HOURS
    assert times == sorted(times, reverse=True)
    asc = ok(sc, url, **{"$orderby": "phenomenonTime asc", "$top": "3"})
    assert [o["phenomenonTime"] for o in asc["value"]] == sorted(times)[:3]


def test_orderby_times_across_datastreams(sc: httpx.Client, world: World) -> None:
    merged = walk(
        sc,
        "/Observations?$filter=Datastream/Thing/@iot.id eq 'SCW001' and phenomenonTime ge "
        "2024-06-09T20:00:00Z&$orderby=phenomenonTime desc&$top=7",
    )
    expected = sorted(
        (r for r in world.rows if r.mn == "SCW001" and r.time >= T0 - timedelta(hours=4)),
        key=lambda r: (r.time, r.mn, r.param, r.kind.value),
        reverse=True,
    )
    assert [(o["phenomenonTime"], o["result"]) for o in merged] == [
        (r.time.isoformat().replace("+00:00", "Z"), r.value) for r in expected
    ]
    by_result_time = ok(
        sc, "/Datastreams('SCW001:w21003:min')/Observations", **{"$orderby": "resultTime desc"}
    )
    times = [o["resultTime"] for o in by_result_time["value"]]
    assert times == sorted(times, reverse=True)
    assert len(times) == 12


# --- $filter ------------------------------------------------------------------------------------


def filtered(client: httpx.Client, path: str, expr: str, **extra: str) -> list[str]:
    return ids(ok(client, path, **{"$filter": expr, "$top": "1000", **extra}))


def test_filter_comparison_logical_arithmetic(sc: httpx.Client) -> None:
    url = "/Datastreams('SCW001:w21003:hour')/Observations"
    values = {k: value_of("SCW001", "w21003", DataKind.HOUR, k) for k in range(HOURS)}
    cases: list[tuple[str, Callable[[float], bool]]] = [
        ("result gt 2.0", lambda v: v > 2.0),
        ("result ge 2.0 and result lt 2.1", lambda v: 2.0 <= v < 2.1),
        ("result le 0.25 or result eq 2.3", lambda v: v <= 0.25 or v == 2.3),
        ("not (result ne 1.0)", lambda v: v == 1.0),
        ("result add 1 gt 3.3", lambda v: v + 1 > 3.3),
        ("result sub 0.2 le 0.05", lambda v: v - 0.2 <= 0.05),
        ("result mul 10 ge 25", lambda v: v * 10 >= 25),
        ("result div 2 lt 0.15", lambda v: v / 2 < 0.15),
        ("(result mul 100) mod 7 eq 0", lambda v: round(v * 100) % 7 == 0 and (v * 100) % 7 == 0),
    ]
    for expr, keep in cases:
        assert len(filtered(sc, url, expr)) == sum(1 for v in values.values() if keep(v)), expr
    assert filtered(sc, "/Things", "name eq '嘉陵江武胜'") == ["SCW002"]
    assert filtered(sc, "/Things", "properties/target_class ge 3") == ["CQW001", "SCW002"]
    assert filtered(sc, "/Things", "properties/simulated eq true") == ["CQA001"]
    assert filtered(sc, "/Things", "properties/river eq null") == ["CQA001", "SCA001"]


def test_filter_string_functions(sc: httpx.Client) -> None:
    things = "/Things"
    assert filtered(sc, things, "substringof('武胜', name)") == ["SCW002"]
    assert filtered(sc, things, "contains(name, '武胜')") == ["SCW002"]
    assert filtered(sc, things, "startswith(name, '嘉陵江')") == ["CQW001", "SCW001", "SCW002"]
    assert filtered(sc, things, "endswith(name, '两路')") == ["CQA001"]
    assert filtered(sc, things, "length(name) eq 4") == ["CQA001", "SCA001"]
    assert filtered(sc, things, "indexof(name, '江') eq 2") == ["CQW001", "SCW001", "SCW002"]
    assert filtered(sc, things, "substring(name, 3) eq '武胜'") == ["SCW002"]
    assert filtered(sc, things, "substring(name, 0, 2) eq '成都'") == ["SCA001"]
    assert filtered(sc, "/ObservedProperties", "tolower(name) eq 'pm2.5'") == ["a34004"]
    assert filtered(sc, "/ObservedProperties", "toupper(name) eq 'PH'") == ["w01001"]
    assert filtered(sc, "/Things", "trim(concat(' ', properties/mn)) eq 'SCW001'") == ["SCW001"]
    assert filtered(sc, "/Things", "concat(properties/jurisdiction, '-x') eq 'CQ-x'") == ["CQA001", "CQW001"]


def test_filter_date_and_math_functions(sc: httpx.Client) -> None:
    url = "/Datastreams('SCW001:w21003:hour')/Observations"
    assert len(filtered(sc, url, "hour(phenomenonTime) eq 23")) == 10
    assert len(filtered(sc, url, "day(phenomenonTime) eq 9 and month(phenomenonTime) eq 6")) == 24
    assert len(filtered(sc, url, "year(phenomenonTime) eq 2024 and minute(phenomenonTime) eq 0")) == HOURS
    assert (
        len(filtered(sc, url, "second(phenomenonTime) eq 0 and fractionalseconds(phenomenonTime) eq 0"))
        == HOURS
    )
    assert len(filtered(sc, url, "date(phenomenonTime) eq 2024-06-09")) == 24
    assert len(filtered(sc, url, "time(phenomenonTime) le 01:00:00")) == 20
    assert len(filtered(sc, url, "totaloffsetminutes(phenomenonTime) eq 0")) == HOURS
    assert len(filtered(sc, url, "phenomenonTime gt now() sub duration'PT3H'")) == 2  # now = T0 + 1 h
    assert (
        len(filtered(sc, url, "phenomenonTime gt mindatetime() and phenomenonTime lt maxdatetime()")) == HOURS
    )
    assert len(filtered(sc, url, "round(result) eq 2")) == sum(
        1 for k in range(HOURS) if 1.5 <= value_of("SCW001", "w21003", DataKind.HOUR, k) < 2.5
    )
    assert len(filtered(sc, url, "floor(result) eq 1")) == sum(
        1 for k in range(HOURS) if 1 <= value_of("SCW001", "w21003", DataKind.HOUR, k) < 2
    )
    assert len(filtered(sc, url, "ceiling(result) eq 1")) == sum(
        1 for k in range(HOURS) if 0 < value_of("SCW001", "w21003", DataKind.HOUR, k) <= 1
    )


def test_filter_geospatial_functions(sc: httpx.Client) -> None:
    chengdu_box = "geography'POLYGON((103.5 30, 105 30, 105 31, 103.5 31, 103.5 30))'"
    assert filtered(sc, "/Locations", f"st_within(location, {chengdu_box})") == ["SCA001"]
    assert filtered(sc, "/Locations", f"st_intersects(location, {chengdu_box})") == ["SCA001"]
    assert filtered(sc, "/Locations", f"geo.intersects(location, {chengdu_box})") == ["SCA001"]
    assert filtered(sc, "/Locations", f"st_disjoint(location, {chengdu_box})") == [
        "CQA001", "CQW001", "SCW001", "SCW002",
    ]  # fmt: skip
    assert filtered(sc, "/FeaturesOfInterest", f"st_contains({chengdu_box}, feature)") == ["SCA001"]
    assert filtered(sc, "/Locations", "st_equals(location, geography'POINT(106.30 30.27)')") == ["SCW002"]
    assert filtered(sc, "/Locations", "geo.distance(location, geography'POINT(106.5 29.6)') lt 0.2") == [
        "CQA001"
    ]
    line = "geography'LINESTRING(106 30.27, 106.30 30.27)'"
    assert filtered(sc, "/Locations", f"st_touches(location, {line})") == ["SCW002"]
    assert filtered(sc, "/Locations", f"st_relate(location, {chengdu_box}, 'T********')") == ["SCA001"]
    assert filtered(sc, "/Locations", "geo.length(location) eq 0") == [
        "CQA001",
        "CQW001",
        "SCA001",
        "SCW001",
        "SCW002",
    ]
    assert (
        filtered(sc, "/Locations", f"st_overlaps(location, {chengdu_box}) or st_crosses(location, {line})")
        == []
    )
    assert filtered(sc, "/Things", f"st_within(Locations/location, {chengdu_box})") == ["SCA001"]
    # Observations whose feature of interest lies in the box: a per-Datastream test, not a row scan
    obs = filtered(sc, "/Observations", f"st_within(FeatureOfInterest/feature, {chengdu_box})")
    assert obs
    assert all(o.startswith("SCA001:") for o in obs)
    error(sc, "/Locations", 400, **{"$filter": "st_within(location, geography'POLYGON((1 2')"})


def test_filter_nested_paths_any_and_in(sc: httpx.Client) -> None:
    obs = filtered(
        sc,
        "/Observations",
        "Datastream/Thing/name eq '嘉陵江武胜' and Datastream/ObservedProperty/@iot.id eq 'w01001' "
        "and Datastream/properties/kind eq 'day'",
    )
    assert obs == [
        f"SCW002:w01001:day:{(T0 - timedelta(days=k)).strftime('%Y%m%dT%H%M%SZ')}" for k in range(10, 0, -1)
    ]
    assert filtered(sc, "/Things", "Datastreams/ObservedProperty/@iot.id eq 'a34004'") == ["CQA001", "SCA001"]
    assert filtered(sc, "/Things", "Datastreams/any(d: d/properties/kind eq 'min')") == ["SCW001"]
    assert filtered(
        sc, "/Things", "Datastreams/all(d: d/properties/kind eq 'hour' or d/properties/kind eq 'day')"
    ) == ["CQA001", "SCA001"]
    assert filtered(sc, "/Things", "properties/mn in ('SCW001', 'CQW001')") == ["CQW001", "SCW001"]
    assert filtered(
        sc, "/Datastreams", "Thing/properties/jurisdiction eq 'CQ' and ObservedProperty/name eq 'PM2.5'"
    ) == ["CQA001:a34004:day", "CQA001:a34004:hour"]
    assert filtered(sc, "/Locations", "Things/properties/kind eq 'air'") == ["CQA001", "SCA001"]
    assert filtered(
        sc,
        "/Observations",
        "Datastream/@iot.id in ('SCW001:w21003:rtd', 'CQW001:w01001:rtd') and result lt 7.5",
    ) == [
        f"SCW001:w21003:rtd:{(T0 - timedelta(minutes=5 * k)).strftime('%Y%m%dT%H%M%SZ')}"
        for k in range(5, -1, -1)
    ]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"$filter": "nosuch(name)"}, 400),
        ({"$filter": "startswith(name)"}, 400),
        ({"$filter": "nosuch eq 1"}, 400),
        ({"$filter": "Datastreams/Observations/result gt 1"}, 400),
        ({"$filter": "name eq 'unterminated"}, 400),
        ({"$filter": "phenomenonTime gt duration'P1Y'"}, 400),
        ({"$orderby": ""}, 400),
        ({"$expand": "Datastreams($top=x)"}, 400),
        ({"$expand": "Nothing"}, 400),
        ({"$frobnicate": "1"}, 400),
        ({"$resultFormat": "dataArray"}, 501),
    ],
)
def test_bad_queries_are_400_and_unimplemented_options_501(
    sc: httpx.Client, query: dict[str, str], status: int
) -> None:
    body = error(sc, "/Things", status, **query)
    assert body["error"] == ("bad_request" if status == 400 else "not_implemented")


def test_an_unimplemented_option_is_no_server_failure_in_the_log(
    sc: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    # a client asking for an extension we lack (501) is not an internal error: no traceback
    with caplog.at_level(logging.WARNING, logger="lianfang.api.errors"):
        error(sc, "/Observations", 501, **{"$resultFormat": "dataArray"})
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_the_service_is_read_only(sc: httpx.Client) -> None:
    assert sc.post("/Things", json={"name": "x", "description": "y"}).status_code == 405
    assert sc.delete("/Things('SCW001')").status_code == 405
    assert sc.patch("/Things('SCW001')", json={"name": "x"}).status_code == 405


def test_duplicate_option_is_400(sc: httpx.Client) -> None:
    response = sc.get("/Things?$top=1&$top=2")
    assert response.status_code == 400


def test_query_option_order_filter_count_orderby_skip_top(sc: httpx.Client) -> None:
    body = ok(
        sc,
        "/Datastreams('SCW001:w21003:hour')/Observations",
        **{"$filter": "result lt 1", "$count": "true", "$orderby": "result desc", "$skip": "2", "$top": "3"},
    )
    matching = sorted(
        (v for k in range(HOURS) if (v := value_of("SCW001", "w21003", DataKind.HOUR, k)) < 1), reverse=True
    )
    assert body["@iot.count"] == len(matching)
    assert [o["result"] for o in body["value"]] == matching[2:5]


# --- sharing policy through STA ------------------------------------------------------------------


def test_other_agency_sees_only_what_the_agreement_grants(world: World, base: str) -> None:
    with httpx.Client(base_url=base, headers=world.headers("CQ"), timeout=30) as cq:
        assert ids(ok(cq, "/Things")) == ["CQA001", "CQW001", "SCW002"]
        assert ids(ok(cq, "/Things('SCW002')/Datastreams")) == ["SCW002:w21003:day", "SCW002:w21003:hour"]
        error(cq, "/Things('SCW001')", 404)
        error(cq, "/Datastreams('SCW002:w01001:hour')", 404)
        error(cq, "/Datastreams('SCW002:w21003:rtd')", 404)
        error(cq, "/Observations('SCW002:w01001:hour:20240610T000000Z')", 404)
        error(cq, "/Things('SCW002')/Datastreams('SCW002:w21003:rtd')", 404)
        seen = walk(cq, "/Observations?$filter=startswith(Datastream/@iot.id, 'SCW')&$top=1000")
        assert {o["@iot.id"].rsplit(":", 1)[0] for o in seen} == {"SCW002:w21003:day", "SCW002:w21003:hour"}
        assert len(seen) == HOURS + 10
        assert filtered(cq, "/Observations", "Datastream/Thing/@iot.id eq 'SCW001'") == []
        assert ids(ok(cq, "/ObservedProperties")) == sorted(
            {*PARAMS[BY_MN["CQW001"].kind], *PARAMS[BY_MN["CQA001"].kind]}
        )
        expanded = ok(
            cq,
            "/Things('SCW002')",
            **{"$expand": "Datastreams($expand=Observations($top=1;$orderby=phenomenonTime desc))"},
        )
        assert [d["@iot.id"] for d in expanded["Datastreams"]] == ["SCW002:w21003:day", "SCW002:w21003:hour"]
    with httpx.Client(base_url=base, headers=world.headers("GZ"), timeout=30) as gz:
        assert ok(gz, "/Things")["value"] == []
        assert ok(gz, "/Observations", **{"$count": "true"})["@iot.count"] == 0
        error(gz, "/Datastreams('SCW002:w21003:hour')/Observations", 404)


def test_cross_border_sta_reads_are_audited(world: World, app: FastAPI, base: str) -> None:
    with httpx.Client(base_url=base, headers=world.headers("CQ"), timeout=30) as cq:
        ok(cq, "/Datastreams('SCW002:w21003:hour')/Observations", **{"$top": "5"})
    app.state.shared_reader.flush_audit()
    entries = [e for e in world.store.audit_entries(agency="SC") if e.via == "sta" and e.reader == "CQ"]
    assert entries
    assert all(e.owner == "SC" for e in entries)
    assert any(e.action == "observations" and e.values == 6 for e in entries)  # a page of 5, read as 5 + 1
    own = [e for e in world.store.audit_entries(agency="SC") if e.reader == e.owner]
    assert own == []  # an agency reading its own data is not audited
