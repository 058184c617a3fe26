"""`lianfang station add|list|import|passwd` on a real DuckDB file in a temp directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lianfang.cli import main
from lianfang.credentials import verify_secret
from lianfang.model import Jurisdiction, SectionLevel, StationKind, WaterBody
from lianfang.store.duckdb import open_store
from tests.conftest import store_held_by_another_process


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["station", *args], input=input, catch_exceptions=False)


def add(data: Path, mn: str, *extra: str, password: str = "123456") -> Result:
    return run("add", "--data", str(data), "--mn", mn, "--password", password, *extra)


def stations(data: Path) -> dict[str, dict[str, object]]:
    result = run("list", "--data", str(data), "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["mn"]: row for row in map(json.loads, result.stdout.splitlines())}


def test_add_with_every_option_and_list(tmp_path: Path) -> None:
    data = tmp_path / "data"  # created by add
    result = add(
        data,
        "SC0001",
        "--kind", "water", "--jurisdiction", "sc", "--name", "朱沱", "--lon", "105.85", "--lat", "29.02",
        "--river", "长江", "--river-km", "2630.5", "--target-class", "Ⅲ类", "--section-level", "cross-border",
        "--lake", "--min-interval", "10",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert stations(data)["SC0001"] == {
        "mn": "SC0001",
        "name": "朱沱",
        "kind": "water",
        "jurisdiction": "SC",
        "lon": 105.85,
        "lat": 29.02,
        "river": "长江",
        "river_km": 2630.5,
        "section_level": "cross-border",
        "target_class": 3,
        "water_body": "lake",
        "min_interval": 10,
        "simulated": False,
        "active": True,
    }
    with open_store(data / "lianfang.duckdb") as store:
        saved = store.station("SC0001")
        assert saved is not None
        assert verify_secret("123456", saved.password_hash)
        assert saved.section_level is SectionLevel.CROSS_BORDER
        assert saved.water_body is WaterBody.LAKE
        assert store.jurisdictions() == [Jurisdiction("SC", "四川省")]


@pytest.mark.parametrize(("given", "expected"), [("I", 1), ("ii", 2), ("3", 3), ("Ⅳ", 4), ("V类", 5)])
def test_target_class_forms(data_dir: Path, given: str, expected: int) -> None:
    assert (
        add(data_dir, "M1", "--kind", "water", "--jurisdiction", "CQ", "--target-class", given).exit_code == 0
    )
    assert stations(data_dir)["M1"]["target_class"] == expected


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target-class", "VI"], "target class 'VI'"),
        (["--section-level", "city"], "section level 'city'"),
        (["--lon", "200"], "--lon"),
        (["--kind", "wind"], "--kind"),
    ],
)
def test_bad_options_are_usage_errors(data_dir: Path, extra: list[str], message: str) -> None:
    args = ["--kind", "water", "--jurisdiction", "SC", *extra]
    if "--kind" in extra:
        args = ["--jurisdiction", "SC", *extra]
    result = add(data_dir, "M1", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not (data_dir / "lianfang.duckdb").exists()


def test_bad_mn_and_password(data_dir: Path) -> None:
    assert "MN 'A B'" in add(data_dir, "A B", "--kind", "air", "--jurisdiction", "SC").output
    result = add(data_dir, "M1", "--kind", "air", "--jurisdiction", "SC", password="12;34")
    assert result.exit_code == 2
    assert "password" in result.output


def test_jurisdictions_are_created_with_known_names(data_dir: Path) -> None:
    for mn, code in (("M1", "CQ"), ("M2", "bj"), ("M3", "ZZ")):
        assert add(data_dir, mn, "--kind", "air", "--jurisdiction", code).exit_code == 0
    with open_store(data_dir / "lianfang.duckdb") as store:
        assert store.jurisdictions() == [
            Jurisdiction("BJ", "北京市"),
            Jurisdiction("CQ", "重庆市"),
            Jurisdiction("ZZ", "ZZ"),
        ]


def test_existing_station_needs_replace(data_dir: Path) -> None:
    assert add(data_dir, "M1", "--kind", "air", "--jurisdiction", "SC").exit_code == 0
    again = add(data_dir, "M1", "--kind", "water", "--jurisdiction", "SC", "--name", "new")
    assert again.exit_code == 1
    assert again.stderr.strip() == "Error: station M1 exists (use --replace to overwrite it)"
    assert (
        add(data_dir, "M1", "--kind", "water", "--jurisdiction", "SC", "--name", "new", "--replace").exit_code
        == 0
    )
    assert stations(data_dir)["M1"]["name"] == "new"


def test_password_is_prompted_for_and_never_printed(data_dir: Path) -> None:
    result = run(
        "add",
        "--data",
        str(data_dir),
        "--mn",
        "M1",
        "--kind",
        "air",
        "--jurisdiction",
        "SC",
        input="s3cret\ns3cret\n",
    )
    assert result.exit_code == 0, result.output
    for fmt in ("table", "json", "csv"):
        listing = run("list", "--data", str(data_dir), "--format", fmt)
        assert "M1" in listing.stdout
        assert "scrypt" not in listing.stdout
        assert "s3cret" not in listing.stdout
    with open_store(data_dir / "lianfang.duckdb") as store:
        saved = store.station("M1")
        assert saved is not None
        assert verify_secret("s3cret", saved.password_hash)


def test_passwd(data_dir: Path) -> None:
    add(data_dir, "M1", "--kind", "air", "--jurisdiction", "SC")
    assert run("passwd", "--data", str(data_dir), "--mn", "M1", "--password", "654321").exit_code == 0
    prompted = run("passwd", "--data", str(data_dir), "--mn", "M1", input="abcdef\nabcdef\n")
    assert prompted.exit_code == 0
    with open_store(data_dir / "lianfang.duckdb") as store:
        saved = store.station("M1")
        assert saved is not None
        assert verify_secret("abcdef", saved.password_hash)
    missing = run("passwd", "--data", str(data_dir), "--mn", "M9", "--password", "x")
    assert missing.exit_code == 2  # an unknown name is bad input
    assert missing.stderr == "Error: no station with MN M9\n"


def test_list_filters_and_csv(data_dir: Path) -> None:
    add(data_dir, "S1", "--kind", "water", "--jurisdiction", "SC", "--target-class", "II")
    add(data_dir, "C1", "--kind", "air", "--jurisdiction", "CQ")
    result = run("list", "--data", str(data_dir), "--format", "csv", "--jurisdiction", "sc")
    lines = result.stdout.splitlines()
    assert lines[0].split(",")[:4] == ["mn", "name", "kind", "jurisdiction"]
    assert [line.split(",")[0] for line in lines[1:]] == ["S1"]
    assert list(stations(data_dir)) == ["C1", "S1"]
    kind = run("list", "--data", str(data_dir), "--format", "json", "--kind", "air")
    assert [json.loads(line)["mn"] for line in kind.stdout.splitlines()] == ["C1"]
    table = run("list", "--data", str(data_dir))
    assert "II" in table.stdout


CSV = """mn,password,kind,jurisdiction,name,lon,lat,river,Target-Class,section_level,lake
SC01,pw1,water,SC,朱沱,105.85,29.02,长江,III,cross-border,no
SC02,,water,SC,no password,,,,,,
SC03,pw3,wind,SC,,,,,,,
SC04,pw4,air,CQ,,200,,,,,
SC01,pw5,air,SC,again,,,,,,
CQ01,pw6,water,cq,长寿湖,,,,2,,yes
"""


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "stations.csv"
    file.write_text(CSV, encoding="utf-8")
    result = run("import", "--data", str(data_dir), str(file))
    assert result.exit_code == 1
    assert "imported 2 stations" in result.stdout
    assert result.stderr.splitlines() == [
        f"{file}:3: password is empty for new station SC02",
        f"{file}:4: kind 'wind' is not one of water, air, source",
        f"{file}:5: lon 200.0 is not within -180..180",
        f"{file}:6: MN SC01 already given on line 2",
        "Error: 4 row(s) with errors were skipped (listed above)",
    ]
    saved = stations(data_dir)
    assert list(saved) == ["CQ01", "SC01"]
    assert saved["SC01"]["target_class"] == 3
    assert saved["CQ01"]["water_body"] == "lake"
    assert saved["CQ01"]["jurisdiction"] == "CQ"


def test_import_updates_and_an_empty_password_keeps_the_old_one(data_dir: Path, tmp_path: Path) -> None:
    add(data_dir, "SC01", "--kind", "water", "--jurisdiction", "SC", password="first")
    exported = run("list", "--data", str(data_dir), "--format", "csv").stdout
    file = tmp_path / "again.csv"
    file.write_text(exported.replace("SC01,SC01", "SC01,renamed"), encoding="utf-8")
    result = run("import", "--data", str(data_dir), str(file))
    assert result.exit_code == 0, result.output
    assert "(0 new, 1 updated)" in result.stdout
    assert stations(data_dir)["SC01"]["name"] == "renamed"
    with open_store(data_dir / "lianfang.duckdb") as store:
        saved = store.station("SC01")
        assert saved is not None
        assert saved.kind is StationKind.WATER
        assert verify_secret("first", saved.password_hash)


def test_import_gb18030_file(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "gbk.csv"
    file.write_bytes("mn,password,kind,jurisdiction,name\nSC01,pw,water,SC,朱沱\n".encode("gb18030"))
    assert run("import", "--data", str(data_dir), str(file)).exit_code == 0
    assert stations(data_dir)["SC01"]["name"] == "朱沱"


def test_import_refuses_unknown_columns(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "typo.csv"
    file.write_text("mn,password,kind,jurisdicton\nSC01,pw,water,SC\n", encoding="utf-8")
    result = run("import", "--data", str(data_dir), str(file))
    assert result.exit_code == 1
    assert "unknown column(s) jurisdicton" in result.stderr


def test_missing_parent_directory_is_one_line(tmp_path: Path) -> None:
    result = add(tmp_path / "no" / "data", "M1", "--kind", "air", "--jurisdiction", "SC")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "does not exist" in result.stderr


def test_store_held_by_another_process_is_one_line(data_dir: Path) -> None:
    with store_held_by_another_process(data_dir / "lianfang.duckdb") as pid:
        result = run("list", "--data", str(data_dir))
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1
        assert f"PID {pid}" in result.stderr
