"""The leak matrix, from outside the process: ``lianfang serve`` in a subprocess, queried over HTTP.

Every endpoint × every agency (SC, CQ, GZ) × the scenarios of tests/share/network.py (granted,
partial, delayed, revoked, expired, not yet valid), plus requests without a token or with a bad,
revoked or expired one. A leak is any station, parameter, kind or value the oracle does not allow;
the tests also check that what is allowed is complete, and that crossing reads are audited.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from lianfang.model import DataKind
from lianfang.store.duckdb import open_store
from tests.api.live_server import LiveServer
from tests.share.network import AGENCIES, STATIONS, TERMS, Network, populate

Key = tuple[str, str, str, datetime]

#: every data endpoint of /api/v1 (paths with {mn} are filled with a station)
ENDPOINTS: tuple[str, ...] = (
    "/api/v1/me",
    "/api/v1/stations",
    "/api/v1/stations.geojson",
    "/api/v1/stations/{mn}",
    "/api/v1/stations/{mn}/latest",
    "/api/v1/stations/{mn}/observations",
    "/api/v1/latest",
    "/api/v1/observations",
    "/api/v1/observations.csv",
    "/api/v1/observations.parquet",
    "/api/v1/agreements",
    "/api/v1/agreements/1",
    "/api/v1/audit",
    "/api/v1/tokens",
    "/api/v1/assessments/water?station={mn}&from=2026-01-01&to=2026-01-31",
    "/api/v1/assessments/aqi?station=SCA01&from=2026-01-01&to=2026-01-31",
    "/sta/v1.1",
    "/sta/v1.1/Things",
    "/sta/v1.1/Things('{mn}')",
    "/sta/v1.1/Datastreams",
    "/sta/v1.1/Observations",
    "/sta/v1.1/Datastreams('{mn}:w21003:hour')/Observations",
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Network]]:
    data = tmp_path_factory.mktemp("matrix") / "data"
    data.mkdir()
    store = open_store(data / "lianfang.duckdb")
    net = populate(store)
    store.close()
    with LiveServer(data) as server:
        yield server, net


def _key(row: dict[str, Any]) -> Key:
    return (row["mn"], row["param"], row["kind"], datetime.fromisoformat(row["time"]).astimezone(UTC))


def _walk(client: httpx.Client, path: str, params: dict[str, Any]) -> list[Key]:
    """All rows of a paged endpoint, following ``next`` links."""
    rows: list[Key] = []
    response = client.get(path, params={**params, "limit": 150})
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        rows += [_key(r) for r in body["data"]]
        if body["next"] is None:
            return rows
        response = client.get(body["next"])


def _no_leak_and_complete(got: list[Key], net: Network, agency: str, before: datetime, after: datetime,
                          wanted: Any = None) -> None:  # fmt: skip
    got_set = set(got)
    assert len(got_set) == len(got), "duplicate rows"
    allowed = net.visible_rows(agency, after)
    leaks = got_set - allowed
    assert not leaks, f"{agency} received rows it may not see: {sorted(leaks)[:5]}"
    expected = {k for k in net.visible_rows(agency, before) if wanted is None or wanted(k)}
    missing = expected - got_set
    assert not missing, f"{agency} is missing rows it may see: {sorted(missing)[:5]}"


def _now() -> datetime:
    return datetime.now(UTC)


# --- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("credential", ["none", "malformed", "bad", "revoked", "expired"])
def test_every_endpoint_refuses_missing_or_bad_tokens(
    live: tuple[LiveServer, Network], path: str, credential: str
) -> None:
    server, net = live
    headers = {
        "none": {},
        "malformed": {"Authorization": f"Basic {net.tokens['SC:admin']}"},
        "bad": {"Authorization": "Bearer lf_not-a-token"},
        "revoked": {"Authorization": f"Bearer {net.tokens['CQ:revoked']}"},
        "expired": {"Authorization": f"Bearer {net.tokens['CQ:expired']}"},
    }[credential]
    response = httpx.get(server.base_url + path.format(mn="SCW01"), headers=headers, timeout=30)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"ok", "error", "message", "status"}
    assert (body["ok"], body["error"], body["status"]) == (False, "unauthorized", 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "SCW01" not in response.text


def test_healthz_needs_no_token(live: tuple[LiveServer, Network]) -> None:
    server, _ = live
    assert httpx.get(server.base_url + "/healthz", timeout=30).status_code == 200


# --- stations ------------------------------------------------------------------------------------


@pytest.mark.parametrize("agency", AGENCIES)
def test_station_lists_show_exactly_the_visible_stations(
    live: tuple[LiveServer, Network], agency: str
) -> None:
    server, net = live
    expected = sorted(s.mn for s in STATIONS if net.sees_station(agency, s.mn, _now()))
    with server.client(net.tokens[f"{agency}:viewer"]) as client:
        listed = client.get("/api/v1/stations").json()["data"]
        geo = client.get("/api/v1/stations.geojson")
    assert [s["mn"] for s in listed] == expected
    assert geo.headers["content-type"].startswith("application/geo+json")
    assert sorted(f["id"] for f in geo.json()["features"]) == expected
    assert all("password" not in key for s in listed for key in s)


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("mn", [s.mn for s in STATIONS])
def test_station_detail_is_404_alike_when_not_shared(
    live: tuple[LiveServer, Network], agency: str, mn: str
) -> None:
    server, net = live
    with server.client(net.tokens[f"{agency}:viewer"]) as client:
        detail = client.get(f"/api/v1/stations/{mn}")
        latest = client.get(f"/api/v1/stations/{mn}/latest")
        observations = client.get(f"/api/v1/stations/{mn}/observations")
        absent = client.get("/api/v1/stations/NOPE00")
    if not net.sees_station(agency, mn, _now()):
        for response in (detail, latest, observations):
            assert response.status_code == 404
            assert response.json() == {
                **absent.json(),
                "message": absent.json()["message"].replace("NOPE00", mn),
            }
        return
    assert detail.status_code == latest.status_code == observations.status_code == 200
    body = detail.json()["data"]
    now = _now()
    station = next(s for s in STATIONS if s.mn == mn)
    allowed_params = {
        r.param for r in net.rows if r.mn == mn and net.sees_row(agency, mn, r.param, r.kind, r.time, now)
    }
    assert set(body["parameters"]) <= {r.param for r in net.rows if r.mn == mn}
    assert set(body["parameters"]) >= allowed_params
    if station.jurisdiction != agency:
        terms = [t for t in TERMS if t.grantee == agency and mn in t.stations and net.in_force(t, now)]
        granted_params = set().union(*((t.params or set(body["parameters"])) for t in terms))
        assert set(body["parameters"]) <= granted_params
        finest = min(["rtd", "min", "hour", "day"].index(t.resolution.value) for t in terms)
        assert body["kinds"] == ["rtd", "min", "hour", "day"][finest:]


# --- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize("agency", AGENCIES)
def test_observation_walk_is_exactly_the_allowed_rows(live: tuple[LiveServer, Network], agency: str) -> None:
    server, net = live
    with server.client(net.tokens[f"{agency}:viewer"]) as client:
        before = _now()
        rows = _walk(client, "/api/v1/observations", {})
        after = _now()
    _no_leak_and_complete(rows, net, agency, before, after)
    assert rows == sorted(rows)


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize(
    "params",
    [
        {"kind": "rtd"},
        {"kind": "min,hour"},
        {"param": "w21003"},
        {"station": "SCW01,SCW02,SCW03,SCA01"},
        {"station": "CQW01", "kind": "day"},
        {"station": "SCW02", "param": "w01001", "kind": "hour"},
    ],
)
def test_filtered_observations_never_widen(
    live: tuple[LiveServer, Network], agency: str, params: dict[str, str]
) -> None:
    server, net = live

    def wanted(k: Key) -> bool:
        mn, param, kind, _ = k
        return all(
            value in params.get(name, value).split(",")
            for name, value in (("station", mn), ("param", param), ("kind", kind))
        )

    with server.client(net.tokens[f"{agency}:analyst"]) as client:
        before = _now()
        rows = _walk(client, "/api/v1/observations", {**params, "order": "desc"})
        after = _now()
    assert all(wanted(k) for k in rows)
    _no_leak_and_complete(rows, net, agency, before, after, wanted)
    assert rows == sorted(rows, reverse=True)


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("mn", [s.mn for s in STATIONS])
def test_station_observations_match_the_oracle(
    live: tuple[LiveServer, Network], agency: str, mn: str
) -> None:
    server, net = live
    with server.client(net.tokens[f"{agency}:duty"]) as client:
        if not net.sees_station(agency, mn, _now()):
            assert (
                client.get(f"/api/v1/stations/{mn}/observations", params={"kind": "day"}).status_code == 404
            )
            return
        before = _now()
        rows = _walk(client, f"/api/v1/stations/{mn}/observations", {})
        after = _now()
    _no_leak_and_complete(rows, net, agency, before, after, lambda k: k[0] == mn)


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("kind", [None, "hour"])
def test_latest_values_are_the_newest_allowed(
    live: tuple[LiveServer, Network], agency: str, kind: str | None
) -> None:
    server, net = live
    with server.client(net.tokens[f"{agency}:viewer"]) as client:
        before = _now()
        body = client.get("/api/v1/latest", params={"kind": kind} if kind else {}).json()
        after = _now()
    got = {(k[0], k[1], k[2]): k[3] for k in map(_key, body["data"])}
    assert len(got) == body["count"]
    allowed = net.visible_rows(agency, after)
    assert all((*series, t) in allowed for series, t in got.items()), "latest leaked a row"
    newest: dict[tuple[str, str, str], datetime] = {}
    for mn, param, k, t in net.visible_rows(agency, before):
        if kind is None or k == kind:
            newest[(mn, param, k)] = max(t, newest.get((mn, param, k), t))
    assert set(got) == set(newest)
    assert all(got[s] >= newest[s] for s in newest)


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_exports_match_the_oracle_and_need_the_export_role(
    live: tuple[LiveServer, Network], agency: str, fmt: str
) -> None:
    server, net = live
    with server.client(net.tokens[f"{agency}:viewer"]) as viewer:
        refused = viewer.get(f"/api/v1/observations.{fmt}")
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    with server.client(net.tokens[f"{agency}:analyst"]) as client:
        before = _now()
        response = client.get(f"/api/v1/observations.{fmt}")
        after = _now()
    assert response.status_code == 200
    if fmt == "csv":
        lines = response.text.strip().splitlines()
        assert lines[0] == '"mn","param","kind","time","value","flag"'
        rows = []
        for line in lines[1:]:
            mn, param, kind, t, *_ = (cell.strip('"') for cell in line.split(","))
            rows.append((mn, param, kind, datetime.fromisoformat(t).astimezone(UTC)))
    else:
        table = pq.read_table(io.BytesIO(response.content))
        rows = [(r["mn"], r["param"], r["kind"], r["time"]) for r in table.to_pylist()]
    _no_leak_and_complete(rows, net, agency, before, after)


# --- the SensorThings API reads through the same policy ----------------------------------------


def _sta_key(entity_id: str) -> Key:
    mn, param, kind, stamp = entity_id.split(":")
    return (mn, param, kind, datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC))


def _sta_walk(client: httpx.Client, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    body = client.get(path, params=params).json()
    entities = list(body["value"])
    while "@iot.nextLink" in body:
        body = client.get(body["@iot.nextLink"]).json()
        entities += body["value"]
    return entities


@pytest.mark.parametrize("agency", AGENCIES)
def test_sensorthings_things_datastreams_and_observations(
    live: tuple[LiveServer, Network], agency: str
) -> None:
    server, net = live
    with server.client(net.tokens[f"{agency}:viewer"]) as client:
        before = _now()
        things = [t["@iot.id"] for t in _sta_walk(client, "/sta/v1.1/Things")]
        streams = [d["@iot.id"] for d in _sta_walk(client, "/sta/v1.1/Datastreams")]
        observations = [_sta_key(o["@iot.id"]) for o in _sta_walk(client, "/sta/v1.1/Observations")]
        after = _now()
    assert sorted(things) == sorted(s.mn for s in STATIONS if net.sees_station(agency, s.mn, before))
    stored = {(r.mn, r.param, r.kind) for r in net.rows}
    granted = {(mn, p, k.value) for mn, p, k in stored if net.sees_series(agency, mn, p, k, after)}
    assert {tuple(d.split(":")) for d in streams} == granted  # a delayed series is listed, its values wait
    _no_leak_and_complete(observations, net, agency, before, after)


def test_sensorthings_filters_and_paths_cannot_widen(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    with server.client(net.tokens["CQ:viewer"]) as cq:
        filtered = _sta_walk(cq, "/sta/v1.1/Observations", {"$filter": "Datastream/Thing/@iot.id eq 'SCW02'"})
        assert {_sta_key(o["@iot.id"])[1:3] for o in filtered} == {("w21003", "hour"), ("w21003", "day")}
        for path in (
            "/sta/v1.1/Things('SCA01')",  # revoked
            "/sta/v1.1/Datastreams('SCW02:w01001:hour')",  # partial: parameter not shared
            "/sta/v1.1/Datastreams('SCW02:w21003:rtd')/Observations",  # finer than granted
        ):
            assert cq.get(path).status_code == 404, path
        expanded = cq.get("/sta/v1.1/Things('SCW03')", params={"$expand": "Datastreams/Observations"}).json()
        rows = [_sta_key(o["@iot.id"]) for d in expanded["Datastreams"] for o in d["Observations"]]
        assert rows
        assert all(net.sees_row("CQ", mn, p, DataKind(k), t, _now()) for mn, p, k, t in rows)  # delayed


# --- scenarios spelled out -----------------------------------------------------------------------


def test_scenarios_one_by_one(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    now = _now()
    with server.client(net.tokens["CQ:viewer"]) as cq:
        granted = {k[2] for k in _walk(cq, "/api/v1/stations/SCW01/observations", {})}
        assert granted == {k.value for k in DataKind}  # granted: every kind
        partial = _walk(cq, "/api/v1/stations/SCW02/observations", {})
        assert {(k[1], k[2]) for k in partial} == {("w21003", "hour"), ("w21003", "day")}  # partial
        delayed = _walk(cq, "/api/v1/stations/SCW03/observations", {})
        assert delayed
        assert max(k[3] for k in delayed if k[2] == "hour") <= now.replace(minute=0, second=0, microsecond=0)
        assert all(k[3] <= now - (TERMS[2].delay) for k in delayed)  # delayed: nothing newer than now - 6 h
        assert cq.get("/api/v1/stations/SCA01").status_code == 404  # revoked
    with server.client(net.tokens["SC:viewer"]) as sc:
        assert sc.get("/api/v1/stations/CQW01").status_code == 404  # expired
        coarse = _walk(sc, "/api/v1/stations/CQA01/observations", {})
        assert coarse
        assert {k[2] for k in coarse} == {"day"}  # day resolution and a day's delay
        own = _walk(sc, "/api/v1/stations/SCW01/observations", {"kind": "rtd"})
        assert max(k[3] for k in own) > now  # a clock-drifted logger: its owner sees it
    with server.client(net.tokens["GZ:viewer"]) as gz:
        assert gz.get("/api/v1/stations/SCW01").status_code == 404  # not yet valid
        assert [s["mn"] for s in gz.get("/api/v1/stations").json()["data"]] == ["GZW01"]


# --- agreements and audit ------------------------------------------------------------------------


@pytest.mark.parametrize("agency", AGENCIES)
def test_agreements_are_listed_only_to_their_parties(live: tuple[LiveServer, Network], agency: str) -> None:
    server, net = live
    with server.client(net.tokens[f"{agency}:viewer"]) as client:
        listed = client.get("/api/v1/agreements").json()["data"]
        one = {i: client.get(f"/api/v1/agreements/{i}").status_code for i in net.agreement_ids.values()}
    parties = {net.agreement_ids[t.label] for t in TERMS if agency in {t.owner, t.grantee}}
    assert {a["id"] for a in listed} == parties
    assert one == {i: 200 if i in parties else 404 for i in net.agreement_ids.values()}


def test_crossing_reads_are_audited_for_the_owner(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    with server.client(net.tokens["CQ:viewer"]) as cq:
        n_rows = len(_walk(cq, "/api/v1/observations", {"station": "SCW01", "to": "2099-01-01"}))
    deadline = time.monotonic() + 10
    while True:
        with server.client(net.tokens["SC:admin"]) as sc:
            entries = sc.get("/api/v1/audit").json()["data"]
        mine = [e for e in entries if e["reader"] == "CQ" and "to=2099-01-01" in e["scope"]]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert sum(e["values"] for e in mine) == n_rows
    assert {e["agreement_id"] for e in mine} == {net.agreement_ids["granted"]}
    assert all(e["owner"] == "SC" and e["via"] == "rest" and e["reader_name"] == "cq-viewer" for e in mine)
    # reads through revoked, expired or not-yet-valid agreements never happen, so never show up
    never = {net.agreement_ids[label] for label in ("revoked", "expired", "not yet valid")}
    assert not [e for e in entries if e["agreement_id"] in never]
    assert all("SC" in {e["reader"], e["owner"]} for e in entries)
    assert all(e["reader"] != e["owner"] for e in entries)
    with server.client(net.tokens["GZ:admin"]) as gz:
        assert gz.get("/api/v1/audit").json()["data"] == []  # nobody shares with GZ, GZ shares nothing
    with server.client(net.tokens["CQ:analyst"]) as analyst:
        assert analyst.get("/api/v1/audit").status_code == 403


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("role", ["viewer", "analyst", "duty", "admin"])
def test_token_lists_are_the_own_agencys_to_its_admins_only(
    live: tuple[LiveServer, Network], agency: str, role: str
) -> None:
    server, net = live
    with server.client(net.tokens[f"{agency}:{role}"]) as client:
        response = client.get("/api/v1/tokens")
    if role != "admin":
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
        return
    assert response.status_code == 200
    listed = response.json()["data"]
    assert {t["agency"] for t in listed} == {agency}
    own = {f"{agency.lower()}-{r}" for r in ("viewer", "analyst", "duty", "admin")}
    assert own <= {t["name"] for t in listed}
    assert len(listed) == len(own) + (2 if agency == "CQ" else 0)  # CQ: a revoked and an expired one
    assert all(set(t) == {"id", "agency", "role", "name", "created_at", "expires_at", "revoked_at", "status"}
               for t in listed)  # fmt: skip
    assert not [secret for secret in net.tokens.values() if secret in response.text]


def test_lianfang_audit_cli_after_the_server_stops(tmp_path: Path) -> None:
    """Revoke over HTTP while serving (takes effect on the next request), stop, read the audit CLI."""
    data = tmp_path / "data"
    data.mkdir()
    store = open_store(data / "lianfang.duckdb")
    net = populate(store)
    store.close()
    with LiveServer(data) as server, server.client(net.tokens["CQ:viewer"]) as cq:
        assert cq.get("/api/v1/stations/SCW01/latest").json()["count"] > 0
        with server.client(net.tokens["SC:admin"]) as sc:
            revoked = sc.post(f"/api/v1/agreements/{net.agreement_ids['granted']}/revoke")
            assert revoked.status_code == 200
            assert revoked.json()["data"]["version"] == 2
        assert cq.get("/api/v1/stations/SCW01/latest").status_code == 404
        assert cq.get("/api/v1/observations", params={"station": "SCW01"}).json()["data"] == []
    assert server.process is not None
    assert server.process.returncode == 0
    exe = Path(sys.executable).with_name("lianfang")
    out = subprocess.run(
        [str(exe), "audit", "--data", str(data), "--agency", "SC", "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith("at,reader,token_id,reader_name,owner,agreement_id")
    rows = [line.split(",") for line in out[1:]]
    assert len(rows) == 1
    assert rows[0][1:2] + rows[0][4:6] + rows[0][8:9] == ["CQ", "SC", "1", "latest"]
