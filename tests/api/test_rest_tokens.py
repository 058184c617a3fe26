"""Tokens over HTTP from outside the process (a ``lianfang serve`` subprocess holds the store, so the
CLI cannot): an admin issues a token, it works, the admin revokes it, the next request is a 401."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lianfang.store.duckdb import open_store
from tests.api.live_server import LiveServer
from tests.share.network import Network, populate

#: what a token as listed may carry: never its secret, never its digest
LISTED = {"id", "agency", "role", "name", "created_at", "expires_at", "revoked_at", "status"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Network]]:
    data = tmp_path_factory.mktemp("tokens") / "data"
    data.mkdir()
    store = open_store(data / "lianfang.duckdb")
    net = populate(store)
    store.close()
    with LiveServer(data) as server:
        yield server, net


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"ok", "error", "message", "status"}
    assert (body["ok"], body["status"]) == (False, status)
    return body


def test_the_routes_are_documented(live: tuple[LiveServer, Network]) -> None:
    server, _ = live
    paths = httpx.get(server.base_url + "/openapi.json", timeout=30).json()["paths"]
    assert set(paths["/api/v1/tokens"]) == {"get", "post"}
    assert set(paths["/api/v1/tokens/{token_id}"]) == {"delete"}


def test_create_use_revoke_then_401_on_the_next_request(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    with server.client(net.tokens["SC:admin"]) as admin:
        created = admin.post(
            "/api/v1/tokens",
            json={"role": "duty-officer", "name": "Li Lei\nforged line", "expires": "2099-12-31"},
        )
        assert created.status_code == 201, created.text
        assert created.headers["cache-control"] == "no-store"
        token = created.json()["data"]
        secret = token.pop("token")
        assert secret.startswith("lf_")
        assert set(token) == LISTED
        assert (token["agency"], token["role"], token["status"]) == ("SC", "duty", "active")
        assert token["expires_at"] == "2100-01-01T00:00:00+08:00"  # a bare date includes that day
        with server.client(secret) as holder:
            me = holder.get("/api/v1/me").json()["data"]
            assert (me["agency"], me["role"], me["token_id"]) == ("SC", "duty", token["id"])
            assert holder.get("/api/v1/stations").status_code == 200
            listed = admin.get("/api/v1/tokens")
            assert secret not in listed.text
            assert token["id"] in {t["id"] for t in listed.json()["data"]}
            revoked = admin.delete(f"/api/v1/tokens/{token['id']}")
            assert revoked.status_code == 200, revoked.text
            assert revoked.json()["data"]["status"] == "revoked"
            # the very next request, on the same keep-alive connection as before
            body = error_of(holder.get("/api/v1/stations"), 401)
            assert body["error"] == "unauthorized"
            error_of(holder.get("/sta/v1.1/Things"), 401)
        again = admin.delete(f"/api/v1/tokens/{token['id']}").json()["data"]
        assert again["revoked_at"] == revoked.json()["data"]["revoked_at"]  # the first time is kept
    log = server.log.read_text(encoding="utf-8")
    assert f"token {token['id']} issued for SC (role duty, holder 'Li Lei\\nforged line'" in log
    assert f"token {token['id']} of SC (holder 'Li Lei\\nforged line') revoked by 'sc-admin'" in log
    assert "\nforged line" not in log  # a holder's name cannot write a line of its own
    assert log.count(f"token {token['id']} of SC") == 1  # the second DELETE changed nothing
    assert secret not in log


def test_an_admin_can_revoke_its_own_token(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    with server.client(net.tokens["GZ:admin"]) as gz:
        secret = gz.post("/api/v1/tokens", json={"role": "admin", "name": "gz second admin"}).json()["data"][
            "token"
        ]
    with server.client(secret) as second:
        me = second.get("/api/v1/me").json()["data"]
        assert second.delete(f"/api/v1/tokens/{me['token_id']}").status_code == 200
        error_of(second.get("/api/v1/tokens"), 401)


@pytest.mark.parametrize("role", ["viewer", "analyst", "duty"])
def test_only_admins_manage_tokens(live: tuple[LiveServer, Network], role: str) -> None:
    server, net = live
    victim = next(t for t in _listed(server, net, "CQ") if t["name"] == "cq-admin")
    with server.client(net.tokens[f"CQ:{role}"]) as client:
        for response in (
            client.get("/api/v1/tokens"),
            client.post("/api/v1/tokens", json={"role": "admin", "name": "escalation"}),
            client.delete(f"/api/v1/tokens/{victim['id']}"),
        ):
            assert error_of(response, 403)["error"] == "forbidden"
    assert "escalation" not in {t["name"] for t in _listed(server, net, "CQ")}
    with server.client(net.tokens["CQ:admin"]) as admin:
        assert admin.get("/api/v1/me").status_code == 200  # the DELETE did nothing


def test_another_agencys_token_id_is_404_like_an_unknown_one(live: tuple[LiveServer, Network]) -> None:
    server, net = live
    cq_viewer = next(t for t in _listed(server, net, "CQ") if t["name"] == "cq-viewer")
    with server.client(net.tokens["SC:admin"]) as sc:
        foreign = error_of(sc.delete(f"/api/v1/tokens/{cq_viewer['id']}"), 404)
        unknown = error_of(sc.delete("/api/v1/tokens/tk_00000000"), 404)
        assert cq_viewer["id"] not in {t["id"] for t in sc.get("/api/v1/tokens").json()["data"]}
    assert foreign["message"].replace(cq_viewer["id"], "ID") == unknown["message"].replace(
        "tk_00000000", "ID"
    )
    with server.client(net.tokens["CQ:viewer"]) as cq:
        assert cq.get("/api/v1/me").status_code == 200  # still valid


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"role": "boss"}, "bad role 'boss'"),
        ({"role": "viewer", "expires": "2001-01-01"}, "in the past"),
        ({"role": "viewer", "expires": "soon"}, "bad date/time"),
        ({"name": "no role"}, "role"),
        ({"role": "viewer", "agency": "CQ"}, None),  # the agency is always the caller's: ignored
    ],
)
def test_bad_token_requests(
    live: tuple[LiveServer, Network], body: dict[str, str], message: str | None
) -> None:
    server, net = live
    with server.client(net.tokens["SC:admin"]) as sc:
        response = sc.post("/api/v1/tokens", json=body)
    if message is None:
        assert response.status_code == 201
        assert response.json()["data"]["agency"] == "SC"
        return
    assert message in error_of(response, 400)["message"]


@pytest.mark.parametrize("credential", [None, "lf_not-a-token"])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_writes_need_a_valid_token(
    live: tuple[LiveServer, Network], credential: str | None, method: str
) -> None:
    server, net = live
    before = _listed(server, net, "SC")
    victim = next(t for t in before if t["name"] == "sc-viewer")
    path = "/api/v1/tokens" if method == "POST" else f"/api/v1/tokens/{victim['id']}"
    with server.client(credential) as client:
        response = client.request(method, path, json={"role": "admin"} if method == "POST" else None)
    assert error_of(response, 401)["error"] == "unauthorized"
    after = _listed(server, net, "SC")
    assert next(t for t in after if t["id"] == victim["id"])["status"] == "active"
    assert len(after) == len(before)  # nothing issued either


def _listed(server: LiveServer, net: Network, agency: str) -> list[dict[str, Any]]:
    with server.client(net.tokens[f"{agency}:admin"]) as admin:
        response = admin.get("/api/v1/tokens")
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data
