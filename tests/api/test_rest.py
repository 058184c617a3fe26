"""The REST API's behaviour over HTTP (a ``lianfang serve`` subprocess): shapes, errors, paging,
agreements, assessments. Who-sees-what is the leak matrix's job (test_matrix.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lianfang.store.duckdb import open_store
from tests.api.live_server import LiveServer
from tests.share.network import Network, populate


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Network]]:
    data = tmp_path_factory.mktemp("rest") / "data"
    data.mkdir()
    store = open_store(data / "lianfang.duckdb")
    net = populate(store)
    store.close()
    with LiveServer(data) as server:
        yield server, net


@pytest.fixture
def sc(live: tuple[LiveServer, Network]) -> Iterator[httpx.Client]:
    server, net = live
    with server.client(net.tokens["SC:admin"]) as client:
        yield client


@pytest.fixture
def cq(live: tuple[LiveServer, Network]) -> Iterator[httpx.Client]:
    server, net = live
    with server.client(net.tokens["CQ:analyst"]) as client:
        yield client


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"ok", "error", "message", "status"}
    assert body["ok"] is False
    assert body["status"] == status
    assert body["message"]
    return body


def test_openapi_docs_are_served(live: tuple[LiveServer, Network]) -> None:
    server, _ = live
    spec = httpx.get(server.base_url + "/openapi.json", timeout=30).json()
    for path in ("/api/v1/observations", "/api/v1/stations.geojson", "/api/v1/assessments/water"):
        assert path in spec["paths"]
    assert httpx.get(server.base_url + "/docs", timeout=30).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "10001"},
        {"limit": "ten"},
        {"offset": "-1"},
        {"kind": "week"},
        {"from": "yesterday"},
        {"from": "2026-06-02", "to": "2026-06-01"},
        {"cursor": "not-a-cursor"},
        {"cursor": "WyJhIiwiYiJd"},  # valid base64, wrong content
        {"order": "sideways"},
    ],
)
def test_bad_parameters_are_400(sc: httpx.Client, params: dict[str, str]) -> None:
    assert error_of(sc.get("/api/v1/observations", params=params), 400)["error"] == "bad_request"


def test_cursor_and_offset_together_are_refused(sc: httpx.Client) -> None:
    first = sc.get("/api/v1/observations", params={"limit": 5}).json()
    body = error_of(sc.get(first["next"] + "&offset=5"), 400)
    assert "cursor" in body["message"]


def test_unknown_routes_and_methods(sc: httpx.Client) -> None:
    assert error_of(sc.get("/api/v1/nothing-here"), 404)["error"] == "not_found"
    assert error_of(sc.post("/api/v1/stations"), 405)["error"] == "method_not_allowed"


def test_me(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    with server.client(net.tokens["CQ:viewer"]) as client:
        me = client.get("/api/v1/me").json()["data"]
    assert (me["agency"], me["role"], me["name"], me["permissions"]) == (
        "CQ",
        "viewer",
        "cq-viewer",
        ["read"],
    )
    assert me["token_id"].startswith("tk_")


def test_cursor_pages_equal_offset_pages_and_end_without_next(sc: httpx.Client) -> None:
    query = {"station": "SCW01", "kind": "hour"}
    by_cursor: list[dict[str, Any]] = []
    body = sc.get("/api/v1/observations", params={**query, "limit": 40}).json()
    while True:
        by_cursor += body["data"]
        if body["next"] is None:
            break
        assert "cursor=" in body["next"]
        body = sc.get(body["next"]).json()
    by_offset = []
    for offset in range(0, 200, 40):
        by_offset += sc.get("/api/v1/observations", params={**query, "limit": 40, "offset": offset}).json()[
            "data"
        ]
    assert by_cursor == by_offset
    assert len(by_cursor) == 3 * 48  # three parameters × 48 hours
    desc = sc.get("/api/v1/observations", params={**query, "limit": 1000, "order": "desc"}).json()["data"]
    assert desc == by_cursor[::-1]


def test_times_are_beijing_iso_and_filters_apply(sc: httpx.Client, live: tuple[LiveServer, Network]) -> None:
    _, net = live
    hour0 = net.anchor.replace(minute=0, second=0, microsecond=0)
    params = {
        "station": "SCW01",
        "param": "w21003",
        "kind": "hour",
        "from": (hour0 - timedelta(hours=3)).astimezone(UTC).isoformat(),
        "to": hour0.astimezone(UTC).isoformat(),
    }
    rows = sc.get("/api/v1/observations", params=params).json()["data"]
    assert [datetime.fromisoformat(r["time"]) for r in rows] == [
        hour0 - timedelta(hours=k) for k in (3, 2, 1)
    ]
    assert all(r["time"].endswith("+08:00") for r in rows)
    naive_beijing = (hour0 - timedelta(hours=3)).astimezone(UTC) + timedelta(hours=8)
    same = sc.get(
        "/api/v1/observations", params={**params, "from": naive_beijing.replace(tzinfo=None).isoformat()}
    )
    assert same.json()["data"] == rows


def test_latest_filters_and_station_detail(sc: httpx.Client) -> None:
    latest = sc.get("/api/v1/stations/SCW01/latest", params={"param": "w21003", "kind": "day"}).json()["data"]
    assert [(r["param"], r["kind"]) for r in latest] == [("w21003", "day")]
    detail = sc.get("/api/v1/stations/SCW01").json()["data"]
    assert detail["parameters"] == ["w01001", "w01018", "w21003"]
    assert detail["kinds"] == ["rtd", "min", "hour", "day"]
    assert "password_hash" not in detail


def test_geojson(sc: httpx.Client) -> None:
    features = sc.get("/api/v1/stations.geojson", params={"kind": "air"}).json()["features"]
    by_id = {f["id"]: f for f in features}
    assert set(by_id) == {"SCA01", "CQA01"}  # its own, and CQ's shared (as daily values)
    assert by_id["SCA01"]["geometry"] == {"type": "Point", "coordinates": [104.07, 30.67]}


def test_csv_export_headers(cq: httpx.Client) -> None:
    response = cq.get("/api/v1/observations.csv", params={"station": "SCW01", "kind": "day"})
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="SCW01.csv"' in response.headers["content-disposition"]
    assert response.text.splitlines()[0] == '"mn","param","kind","time","value","flag"'
    assert len(response.text.splitlines()) == 1 + 3 * 2  # today's daily value: its day has not ended


# --- assessments ---------------------------------------------------------------------------------


def _days(net: Network, *, through_today: bool = True) -> dict[str, str]:
    today = (net.anchor.astimezone(UTC) + timedelta(hours=8)).date()
    last = today if through_today else today - timedelta(days=1)
    return {"from": (today - timedelta(days=2)).isoformat(), "to": last.isoformat()}


def test_water_class_sees_what_the_caller_sees(
    sc: httpx.Client, cq: httpx.Client, live: tuple[LiveServer, Network]
) -> None:
    _, net = live
    # until yesterday: hours that have ended, so the grantee has every value the owner has
    params = {"station": "SCW01", **_days(net, through_today=False), "kind": "hour"}
    own = sc.get("/api/v1/assessments/water", params=params).json()
    shared = cq.get("/api/v1/assessments/water", params=params).json()
    assert own["data"]
    assert shared["data"] == own["data"]  # fully granted: the same classes
    today = {**params, **_days(net)}
    assert (
        cq.get("/api/v1/assessments/water", params=today).json()["values_used"]
        < (sc.get("/api/v1/assessments/water", params=today).json()["values_used"])
    )  # the hour in progress is the owner's alone
    partial = cq.get("/api/v1/assessments/water", params={**params, "station": "SCW02"}).json()
    full = sc.get("/api/v1/assessments/water", params={**params, "station": "SCW02"}).json()
    assert partial["values_used"] < full["values_used"]  # only NH3-N is shared
    assert error_of(cq.get("/api/v1/assessments/water", params={**params, "station": "SCA01"}), 404)
    assert error_of(sc.get("/api/v1/assessments/water", params={**params, "station": "SCA01"}), 400)


def test_daily_aqi_uses_only_granted_values(sc: httpx.Client, live: tuple[LiveServer, Network]) -> None:
    _, net = live
    own = sc.get("/api/v1/assessments/aqi", params={"station": "SCA01", **_days(net)}).json()
    assert own["values_used"] > 0
    assert {r["mn"] for r in own["data"]} == {"SCA01"}
    shared = sc.get("/api/v1/assessments/aqi", params={"station": "CQA01", **_days(net)}).json()
    assert shared["values_used"] == 0  # CQ shares CQA01 only as daily values: no hourly data to use
    assert shared["missing"] == ["CQA01"]


# --- agreements over HTTP (last: they change what is shared) -------------------------------------


def test_agreements_are_managed_by_the_owners_admins(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    terms = {"grantee": "SC", "river": "Yangtze", "params": ["w21003"], "resolution": "hour", "delay": "2h"}
    with server.client(net.tokens["CQ:analyst"]) as analyst:
        assert error_of(analyst.post("/api/v1/agreements", json=terms), 403)["error"] == "forbidden"
    with server.client(net.tokens["CQ:admin"]) as admin, server.client(net.tokens["SC:viewer"]) as sc:
        assert sc.get("/api/v1/stations/CQW01").status_code == 404
        error_of(admin.post("/api/v1/agreements", json={**terms, "grantee": "XX"}), 400)
        error_of(admin.post("/api/v1/agreements", json={**terms, "delay": "soon"}), 400)
        error_of(admin.post("/api/v1/agreements", json={"river": "Yangtze"}), 400)
        created = admin.post("/api/v1/agreements", json=terms)
        assert created.status_code == 201
        agreement = created.json()["data"]
        assert (agreement["owner"], agreement["grantee"], agreement["delay"], agreement["version"]) == (
            "CQ", "SC", "2h", 1,
        )  # fmt: skip
        detail = sc.get("/api/v1/stations/CQW01").json()["data"]
        assert (detail["parameters"], detail["kinds"]) == (["w21003"], ["hour", "day"])
        with server.client(net.tokens["SC:admin"]) as sc_admin:
            error_of(sc_admin.post(f"/api/v1/agreements/{agreement['id']}/revoke"), 403)  # grantee
        with server.client(net.tokens["GZ:admin"]) as gz_admin:
            error_of(gz_admin.post(f"/api/v1/agreements/{agreement['id']}/revoke"), 404)  # not a party
        error_of(admin.post("/api/v1/agreements/999/revoke"), 404)
        revoked = admin.post(f"/api/v1/agreements/{agreement['id']}/revoke").json()["data"]
        assert revoked["version"] == 2
        assert revoked["revoked_at"] is not None
        # times out are Beijing time with their offset, like every other time of the API
        for when in ("valid_from", "created_at", "revoked_at"):
            assert agreement[when] is None or agreement[when].endswith("+08:00")
            assert revoked[when].endswith("+08:00")
        assert sc.get("/api/v1/stations/CQW01").status_code == 404
        history = admin.get("/api/v1/agreements", params={"history": "true"}).json()["data"]
        assert [a["version"] for a in history if a["id"] == agreement["id"]] == [1, 2]


def test_agreement_terms_are_checked_against_the_owners_stations(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    with server.client(net.tokens["CQ:admin"]) as admin:
        refused = error_of(
            admin.post("/api/v1/agreements", json={"grantee": "SC", "stations": ["SCW01"]}), 400
        )
        assert refused["message"] == "not registered stations of CQ: SCW01"
        assert [
            a
            for a in admin.get("/api/v1/agreements").json()["data"]
            if a["owner"] == "CQ" and a["stations"] == ["SCW01"]
        ] == []
        nothing = admin.post("/api/v1/agreements", json={"grantee": "GZ", "river": "Jialing"})
        assert nothing.status_code == 201
        assert nothing.json()["warnings"] == ["no station of CQ on river 'Jialing' is registered yet: "
                                              "nothing is shared until one is"]  # fmt: skip
        typo = admin.post(
            "/api/v1/agreements", json={"grantee": "GZ", "stations": ["CQW01"], "params": ["w2103"]}
        )
        (warning,) = typo.json()["warnings"]
        assert warning.startswith("parameter code(s) w2103 never observed at the 1 station(s) covered")
        for created in (nothing, typo):
            admin.post(f"/api/v1/agreements/{created.json()['data']['id']}/revoke")
