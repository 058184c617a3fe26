from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lianfang.cli import main
from lianfang.model import Jurisdiction, Station, StationKind
from lianfang.store import ObservationQuery, open_store

HEADER = "station,date,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM\n"


def _register(data: Path, mn: str) -> None:
    store = open_store(data / "lianfang.duckdb")
    try:
        store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
        store.upsert_station(Station(mn=mn, name="lab", kind=StationKind.WATER, jurisdiction="SC"))
    finally:
        store.close()


def test_import_csv_keeps_good_rows_and_reports_bad_ones(data_dir: Path, tmp_path: Path) -> None:
    _register(data_dir, "S1")
    f = tmp_path / "lab.csv"
    f.write_text(
        "mn,param,time,value,flag\n"
        "S1,PFOS,2026-05-01T10:00:00,0.012,N\n"
        "S2,PFOS,2026-05-01T10:00:00,0.5,N\n"  # not registered
        "S1,PFOS,2026-05-01T11:00:00,abc,N\n"  # not a number
        "S1,PFOA,2026-05-01T11:00:00,0.004,N\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    args = ["import", "--data", str(data_dir), "--kind", "rtd", "--rejects", str(rejects), str(f)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "4 rows read, 2 values inserted" in result.output
    assert "line 3: station S2 is not registered" in result.output
    assert "line 4: value is not a number" in result.output
    assert rejects.read_text(encoding="utf-8").count("\n") == 3  # header + 2 rejects
    again = CliRunner().invoke(main, ["import", "--data", str(data_dir), "--kind", "rtd", str(f)])
    assert "0 values inserted, 2 unchanged" in again.output
    store = open_store(data_dir / "lianfang.duckdb")
    try:
        table = store.read_observations(ObservationQuery(mns=["S1"]))
        assert sorted(table["param"].to_pylist()) == ["PFOA", "PFOS"]
        assert set(table["kind"].to_pylist()) == {"rtd"}
    finally:
        store.close()


def test_import_uci_sample_registers_beijing(data_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "beijing.csv"
    f.write_text(
        HEADER
        + "Dongsi,2014-01-01,2014,1,1,0,80,100,10,40,1200,20,0,1020,-10,0,N,1\n"
        + "Tiantan,2014-01-01,2014,1,1,0,,100,10,40,1200,20,0,1020,-10,0,N,1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["import", "--data", str(data_dir), "--dataset", "uci-beijing", "--file", str(f)]
    )
    assert result.exit_code == 0, result.output
    assert "2 rows read, 11 values inserted" in result.output
    store = open_store(data_dir / "lianfang.duckdb")
    try:
        assert {s.mn for s in store.stations(jurisdiction="BJ")} >= {"BJ-UCI-Dongsi", "BJ-UCI-Tiantan"}
        co = store.read_observations(ObservationQuery(mns=["BJ-UCI-Dongsi"], params=["a21005"]))
        assert co["value"].to_pylist() == [1.2]
    finally:
        store.close()


def test_import_usage_errors(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["import", "--data", str(data_dir)])
    assert result.exit_code != 0
    assert "--dataset" in result.output
    missing = CliRunner().invoke(
        main, ["import", "--data", str(data_dir), "--dataset", "uci-beijing", "--file", "/nonexistent.csv"]
    )
    assert missing.exit_code != 0
    assert "no such file" in missing.output
    assert "Traceback" not in missing.output


def test_import_creates_a_missing_data_directory(tmp_path: Path) -> None:
    f = tmp_path / "beijing.csv"
    f.write_text(
        HEADER + "Dongsi,2014-01-01,2014,1,1,0,80,100,10,40,1200,20,0,1020,-10,0,N,1\n", encoding="utf-8"
    )
    data = tmp_path / "new-data"
    result = CliRunner().invoke(
        main, ["import", "--data", str(data), "--dataset", "uci-beijing", "--file", str(f)]
    )
    assert result.exit_code == 0, result.output
    assert (data / "lianfang.duckdb").is_file()
