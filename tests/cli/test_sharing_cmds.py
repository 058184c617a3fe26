"""``lianfang token``, ``agreement``, ``audit``: in-process CLI runs against a real DuckDB store."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lianfang.cli import main
from lianfang.credentials import token_digest
from lianfang.model import DataKind, Jurisdiction, Observation, ObservationBatch, Station, StationKind
from lianfang.store.base import AuditEntry
from lianfang.store.duckdb import open_store
from tests.conftest import store_held_by_another_process


@pytest.fixture
def data(data_dir: Path) -> Path:
    store = open_store(data_dir / "lianfang.duckdb")
    store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    store.upsert_jurisdiction(Jurisdiction("CQ", "重庆市"))
    store.upsert_station(Station("SCW01", "A", StationKind.WATER, "SC", river="Jialing"))
    store.upsert_station(Station("SCW02", "B", StationKind.WATER, "SC", river="Min"))
    store.close()
    return data_dir


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_token_create_prints_the_secret_last_and_stores_only_its_digest(data: Path) -> None:
    result = run(
        "token", "create", "--data", str(data), "--agency", "sc", "--role", "duty-officer",
        "--name", "Li Lei", "--expires", "2099-12-31",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("lf_")
    assert len(secret) > 40
    store = open_store(data / "lianfang.duckdb")
    try:
        (token,) = store.tokens()
        assert (token.agency, token.role, token.name) == ("SC", "duty", "Li Lei")
        assert store.token_by_digest(token_digest(secret)) == token
        assert token.expires_at == datetime(2100, 1, 1, tzinfo=UTC) - timedelta(hours=8)
    finally:
        store.close()
    listed = run("token", "list", "--data", str(data), "--format", "json")
    assert secret not in listed.output
    assert json.loads(listed.output)[0]["status"] == "active"
    revoked = run("token", "revoke", "--data", str(data), token.id)
    assert revoked.exit_code == 0
    assert (
        json.loads(run("token", "list", "--data", str(data), "--format", "json").output)[0]["status"]
        == "revoked"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agency", "XZ", "--role", "admin"], "unknown agency 'XZ'"),
        (["--agency", "SC", "--role", "boss"], "bad role 'boss'"),
        (["--agency", "SC", "--role", "admin", "--expires", "2001-01-01"], "in the past"),
        (["--agency", "SC", "--role", "admin", "--expires", "soon"], "bad date/time"),
    ],
)
def test_token_create_refuses_bad_input(data: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["token", "create", "--data", str(data), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_agreement_add_list_revoke(data: Path) -> None:
    added = run(
        "agreement", "add", "--data", str(data), "--owner", "SC", "--grantee", "CQ", "--river", "Jialing",
        "--params", "w21003,w01001", "--resolution", "hour", "--delay", "2h", "--until", "2099-06-30",
        "--purpose", "joint warning",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.output.strip().splitlines()[-1] == "1"
    assert "1 station(s)" in added.output
    listed = json.loads(run("agreement", "list", "--data", str(data), "--format", "json").output)
    assert listed[0] | {"created_at": None, "valid_from": None} == {
        "id": 1, "version": 1, "owner": "SC", "grantee": "CQ", "stations": None, "river": "Jialing",
        "kind": None, "params": ["w21003", "w01001"], "resolution": "hour", "delay": "2h",
        "valid_from": None, "until": "2099-07-01T00:00:00+08:00", "purpose": "joint warning",
        "created_at": None, "created_by": "cli", "revoked_at": None, "status": "in force",
    }  # fmt: skip
    assert run("agreement", "revoke", "--data", str(data), "1").exit_code == 0
    history = json.loads(
        run("agreement", "list", "--data", str(data), "--history", "--format", "json").output
    )
    assert [(a["version"], a["status"]) for a in history] == [(1, "in force"), (2, "revoked")]
    assert "revoked" in run("agreement", "list", "--data", str(data)).output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "SC", "--grantee", "SC"], "must differ"),
        (["--owner", "SC", "--grantee", "GZ"], "unknown grantee"),
        (["--owner", "SC", "--grantee", "CQ", "--river", "Min", "--kind", "water"], "at most one"),
        (["--owner", "SC", "--grantee", "CQ", "--resolution", "week"], "bad resolution"),
        (["--owner", "SC", "--grantee", "CQ", "--delay", "a while"], "bad duration"),
        (["--owner", "SC", "--grantee", "CQ", "--until", "2001-01-01"], "not in the future"),
        (["--owner", "SC", "--grantee", "CQ", "--stations", ","], "empty list"),
    ],
)
def test_agreement_add_refuses_bad_terms(data: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["agreement", "add", "--data", str(data), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    revoke = CliRunner().invoke(main, ["agreement", "revoke", "--data", str(data), "7"])
    assert revoke.exit_code == 2
    assert "no agreement 7" in revoke.output


def test_agreement_add_refuses_stations_that_are_not_the_owners(data: Path) -> None:
    store = open_store(data / "lianfang.duckdb")
    store.upsert_station(Station("CQW01", "C", StationKind.WATER, "CQ", river="Jialing"))
    store.close()
    result = CliRunner().invoke(
        main,
        ["agreement", "add", "--data", str(data), "--owner", "SC", "--grantee", "CQ",
         "--stations", "SCW01,CQW01,SCX99"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == "Error: not registered stations of SC: CQW01, SCX99"
    assert "Traceback" not in result.output
    assert json.loads(run("agreement", "list", "--data", str(data), "--format", "json").output) == []


def test_agreement_add_warns_about_a_selector_matching_nothing_and_unseen_codes(data: Path) -> None:
    empty = run(
        "agreement", "add", "--data", str(data), "--owner", "SC", "--grantee", "CQ", "--river", "Yangtze"
    )
    assert empty.exit_code == 0
    assert empty.stdout.splitlines()[-1] == "1"  # created all the same: stations on it may come later
    assert "(0 station(s) now)" in empty.stdout
    assert "Warning: no station of SC on river 'Yangtze' is registered yet" in empty.stderr
    store = open_store(data / "lianfang.duckdb")
    at = datetime(2026, 6, 1, 4, tzinfo=UTC)
    batch = ObservationBatch()
    batch.extend([Observation("SCW01", "w21003", DataKind.HOUR, at, 0.4)])
    store.write_observations(batch)
    store.close()
    typo = run(
        "agreement", "add", "--data", str(data), "--owner", "SC", "--grantee", "CQ", "--stations", "SCW01",
        "--params", "w21003,w12003",
    )  # fmt: skip
    assert typo.exit_code == 0
    assert typo.stdout.splitlines()[-1] == "2"
    (warning,) = typo.stderr.splitlines()
    assert warning.startswith("Warning: parameter code(s) w12003 never observed at the 1 station(s) covered")
    clean = run(
        "agreement", "add", "--data", str(data), "--owner", "SC", "--grantee", "CQ", "--stations", "SCW01",
        "--params", "w21003",
    )  # fmt: skip
    assert clean.stderr == ""


def test_audit_of_an_unknown_agency_is_an_error_not_an_empty_log(data: Path) -> None:
    result = CliRunner().invoke(main, ["audit", "--data", str(data), "--agency", "xz"])
    assert result.exit_code == 2
    assert result.stderr == "Error: unknown agency 'xz'; known: CQ, SC\n"
    assert result.stdout == ""
    assert run("audit", "--data", str(data), "--agency", "sc").exit_code == 0


def test_audit_formats_and_filters(data: Path) -> None:
    store = open_store(data / "lianfang.duckdb")
    at = datetime(2026, 6, 1, 4, tzinfo=UTC)
    later = at + timedelta(days=1)
    store.submit_audit(
        [
            AuditEntry(at, "CQ", "tk_1", "王五", "SC", 1, 1, "rest", "observations", "stations=SCW01", 24),
            AuditEntry(later, "SC", "tk_2", "李四", "CQ", 2, 1, "sta", "latest", "stations=*", 3),
        ]
    ).result()
    store.close()
    rows = json.loads(run("audit", "--data", str(data), "--agency", "CQ", "--format", "json").output)
    assert len(rows) == 2  # CQ read once and was read once
    only_day = run(
        "audit", "--data", str(data), "--from", "2026-06-01", "--to", "2026-06-01", "--format", "csv"
    )
    (row,) = list(csv.DictReader(io.StringIO(only_day.output)))
    assert (row["reader"], row["owner"], row["values"], row["at"]) == (
        "CQ",
        "SC",
        "24",
        "2026-06-01T12:00:00+08:00",
    )
    table = run("audit", "--data", str(data), "--format", "table").output
    assert "王五" in table
    assert "2 row(s)" in table


def test_a_store_held_by_a_server_names_the_way_that_exists(data: Path) -> None:
    with store_held_by_another_process(data / "lianfang.duckdb"):
        agreement = CliRunner().invoke(main, ["agreement", "revoke", "--data", str(data), "1"])
        assert agreement.exit_code == 1
        assert "/api/v1/agreements" in agreement.stderr
        # a compromised token is revoked over HTTP while the server runs (tests/api/test_rest_tokens.py)
        token = CliRunner().invoke(main, ["token", "revoke", "--data", str(data), "tk_x"])
        assert token.exit_code == 1
        assert "in use by another process" in token.stderr
        assert "/api/v1/tokens" in token.stderr
