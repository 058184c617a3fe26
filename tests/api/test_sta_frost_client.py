"""Fraunhofer's own Python client (``frost-sta-client`` from PyPI) against ``lianfang serve``.

The server runs as a subprocess on a free 127.0.0.1 port over a DuckDB file written beforehand; the
client lists Things, follows Datastreams, pages Observations through @iot.nextLink and filters —
what FROST's users do with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import frost_sta_client as fsc
import pytest
import requests
from frost_sta_client.service.auth_handler import AuthHandler

from lianfang.model import DataKind
from tests.api.live_server import LiveServer
from tests.api.sta_world import BY_MN, DAYS, HOURS, build_world, value_of


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


class BearerAuth(AuthHandler):  # type: ignore[misc]
    """The client only knows Basic auth; lianfang wants ``Authorization: Bearer``."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def add_auth_header(self) -> _Bearer:
        return _Bearer(self.token)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data = tmp_path_factory.mktemp("frost") / "data"
    data.mkdir()
    world = build_world(Path(data) / "lianfang.duckdb")
    tokens = dict(world.tokens)
    world.store.close()  # the server process opens the file itself
    with LiveServer(data) as server:
        yield server, tokens


def service(served: tuple[LiveServer, dict[str, str]], agency: str) -> fsc.SensorThingsService:
    server, tokens = served
    return fsc.SensorThingsService(f"{server.base_url}/sta/v1.1", auth_handler=BearerAuth(tokens[agency]))


def test_client_lists_things_and_follows_datastreams(served: tuple[LiveServer, dict[str, str]]) -> None:
    sta = service(served, "SC")
    things = list(sta.things().query().list())
    assert sorted(t.id for t in things) == sorted(BY_MN)
    thing = sta.things().find("SCW001")
    assert thing.name == BY_MN["SCW001"].name
    streams = list(thing.get_datastreams().query().list())
    assert sorted(d.id for d in streams) == sorted(
        f"SCW001:{p}:{k}" for p in ("w01001", "w21003") for k in ("rtd", "min", "hour", "day")
    )
    hourly = next(d for d in streams if d.id == "SCW001:w21003:hour")
    assert hourly.unit_of_measurement.symbol == "mg/L"
    assert hourly.get_observations().query().top(1).list().entities[0].result is not None


def test_client_pages_observations_through_next_links(served: tuple[LiveServer, dict[str, str]]) -> None:
    sta = service(served, "SC")
    stream = sta.datastreams().find("SCW001:w21003:hour")
    pages = stream.get_observations().query().top(50).orderby("phenomenonTime", "DESC").count().list()
    assert pages.count == HOURS
    assert pages.next_link is not None
    assert "$skiptoken" in str(pages.next_link)
    results = [o.result for o in pages]  # iterating follows @iot.nextLink page by page
    assert results == [value_of("SCW001", "w21003", DataKind.HOUR, k) for k in range(HOURS)]


def test_client_filters_and_expands(served: tuple[LiveServer, dict[str, str]]) -> None:
    sta = service(served, "SC")
    exceedances = (
        sta.observations()
        .query()
        .filter("Datastream/@iot.id eq 'SCW002:w21003:day' and result gt 0.75")
        .list()
    )
    expected = [k for k in range(DAYS) if value_of("SCW002", "w21003", DataKind.DAY, k) > 0.75]
    assert len(exceedances.entities) == len(expected)
    water = sta.things().query().filter("properties/kind eq 'water'").expand("Locations").list()
    assert sorted(t.id for t in water) == ["CQW001", "SCW001", "SCW002"]
    assert all(t.locations.entities[0].location["type"] == "Point" for t in water)


def test_client_sees_policy_and_errors(served: tuple[LiveServer, dict[str, str]]) -> None:
    cq = service(served, "CQ")
    assert sorted(t.id for t in cq.things().query().list()) == ["CQA001", "CQW001", "SCW002"]
    with pytest.raises(requests.exceptions.HTTPError) as missing:
        cq.things().find("SCW001")
    assert missing.value.response.status_code == 404
    with pytest.raises(requests.exceptions.HTTPError) as bad:
        list(cq.things().query().filter("name eq").list())
    assert bad.value.response.status_code == 400
