from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lianfang.errors import InputError
from lianfang.iotools.uci_beijing import UCI_STATIONS, locate_uci_csv, read_uci_beijing, uci_mn, uci_registry

HEADER = "No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station\n"


def test_sample_converts_units_times_and_skips_gaps(tmp_path: Path) -> None:
    f = tmp_path / "bj.csv"
    f.write_text(
        HEADER
        + "1,2013,3,1,0,4.0,4.0,4.0,7.0,2200.0,77.0,-0.7,1023.0,-18.8,0.0,NNW,4.4,Dongsi\n"
        + "2,2013,3,1,1,,8.0,4.0,7.0,300.0,77.0,-1.1,1023.2,-18.2,0.0,N,4.7,Dongsi\n",
        encoding="utf-8",
    )
    (chunk,) = list(read_uci_beijing(f))
    frame = chunk.frame
    assert chunk.rows_read == 2
    assert len(frame) == 11  # 12 values less the empty PM2.5 cell
    co = frame[(frame["param"] == "a21005")].sort_values("time")
    assert list(co["value"]) == [2.2, 0.3]  # µg/m³ -> mg/m³, exact
    first = frame["time"].min()
    assert first == pd.Timestamp("2013-02-28T16:00:00Z")  # 2013-03-01 00:00 Beijing, period start
    assert set(frame["mn"]) == {uci_mn("Dongsi")}
    (end_chunk,) = list(read_uci_beijing(f, hour_label="end"))
    assert end_chunk.frame["time"].min() == pd.Timestamp("2013-02-28T15:00:00Z")


def test_unknown_station_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "bj.csv"
    f.write_text(HEADER + "1,2013,3,1,0,4,4,4,7,300,77,0,0,0,0,N,1,Chengdu\n", encoding="utf-8")
    with pytest.raises(InputError, match="Chengdu"):
        list(read_uci_beijing(f))


def test_registry_is_beijing_and_labelled() -> None:
    stations = uci_registry()
    assert len(stations) == len(UCI_STATIONS) == 12
    assert {s.jurisdiction for s in stations} == {"BJ"}
    assert all("UCI Beijing" in s.name for s in stations)
    # Beijing stations stay in Beijing: never moved onto the Sichuan–Chongqing map.
    assert all(115.4 < (s.lon or 0) < 117.6 and 39.4 < (s.lat or 0) < 41.1 for s in stations)


def test_installed_file_is_found() -> None:
    path = locate_uci_csv()
    assert path.name == "beijing.csv"
    assert path.stat().st_size > 30_000_000
    with pytest.raises(InputError):
        locate_uci_csv(Path("/nonexistent/beijing.csv"))
