"""The UCI "Beijing Multi-Site Air-Quality Data" set (UCI ML Repository #501, CC BY 4.0).

Real hourly measurements of the six criteria pollutants at 12 national-control stations of Beijing,
2013-03-01 to 2017-02-28, from the Beijing Municipal Environmental Monitoring Center (Zhang et al.
2017, Proc. R. Soc. A 473:20170457). The full file ships inside the ``qolmat==0.2.0`` wheel as
``qolmat/data/beijing.csv`` (installed with ``pip install --no-deps qolmat==0.2.0``).

Facts of the file this reader relies on (UCI's description and the file itself):

* columns ``station,date,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,…`` — ``hour`` 0..23;
* all six pollutants in [µg/m³], **CO included** (values 100–10,000). lianfang stores CO in
  [mg/m³], as ambient stations report it and HJ 633 tabulates it, so CO is divided by 1,000;
* times are Beijing local time; empty cells are missing values.

Hour label: the file says only "hour of data in this row". lianfang labels an hourly value by the
start of its period (HJ 212-2017 Table 4: 2061 DataTime is the period start), so by default hour
``h`` is stored as the period h:00–h+1:00. ``hour_label="end"`` reads it as the period that ends at
h:00 instead (the convention of China's real-time publishing platform); the choice shifts one hour
between adjacent days and is discussed in docs/assessment-air.md.

The stations are registered under jurisdiction ``BJ`` and are labelled as Beijing data. Their
coordinates are not in the file: the values below are approximate positions (±1 km) of the
national-control sites of the same names, for the map only.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from lianfang.errors import InputError
from lianfang.iotools.observation_files import ObservationChunk
from lianfang.model import SectionLevel, Station, StationKind

__all__ = [
    "UCI_JURISDICTION",
    "UCI_PARAMS",
    "UCI_STATIONS",
    "UciStation",
    "locate_uci_csv",
    "read_uci_beijing",
    "uci_mn",
    "uci_registry",
]

UCI_JURISDICTION = ("BJ", "北京市")

#: UCI column -> (HJ 212 code, divisor to the stored unit; a division keeps 2200/1000 == 2.2 exact
#: where a multiplication by 0.001 would not). HJ 212-2017 Table B.2 codes; O3 a05024
#: from HJ 524-2009 (not in Table B.2; used by real air-station packets, see reference/hj212.md §8.2).
UCI_PARAMS: dict[str, tuple[str, float]] = {
    "PM2.5": ("a34004", 1.0),  # [µg/m³]
    "PM10": ("a34002", 1.0),  # [µg/m³]
    "SO2": ("a21026", 1.0),  # [µg/m³]
    "NO2": ("a21004", 1.0),  # [µg/m³]
    "CO": ("a21005", 1000.0),  # UCI [µg/m³] -> stored [mg/m³]
    "O3": ("a05024", 1.0),  # [µg/m³]
}


@dataclass(frozen=True, slots=True)
class UciStation:
    name: str  # as in the file
    name_zh: str
    lon: float  # approximate [degrees, WGS 84]
    lat: float


UCI_STATIONS: tuple[UciStation, ...] = (
    UciStation("Aotizhongxin", "奥体中心", 116.407, 40.003),
    UciStation("Changping", "昌平镇", 116.230, 40.196),
    UciStation("Dingling", "定陵", 116.170, 40.286),
    UciStation("Dongsi", "东四", 116.434, 39.952),
    UciStation("Guanyuan", "官园", 116.361, 39.942),
    UciStation("Gucheng", "古城", 116.225, 39.927),
    UciStation("Huairou", "怀柔镇", 116.644, 40.394),
    UciStation("Nongzhanguan", "农展馆", 116.473, 39.972),
    UciStation("Shunyi", "顺义新城", 116.655, 40.127),
    UciStation("Tiantan", "天坛", 116.434, 39.874),
    UciStation("Wanliu", "海淀区万柳", 116.315, 39.987),
    UciStation("Wanshouxigong", "万寿西宫", 116.366, 39.878),
)


def uci_mn(name: str) -> str:
    """The MN lianfang gives a UCI station (the file has none)."""
    return f"BJ-UCI-{name}"


def uci_registry() -> list[Station]:
    return [
        Station(
            mn=uci_mn(s.name),
            name=f"北京 {s.name_zh} ({s.name}, UCI Beijing data)",
            kind=StationKind.AIR,
            jurisdiction=UCI_JURISDICTION[0],
            lon=s.lon,
            lat=s.lat,
            section_level=SectionLevel.NATIONAL,
        )
        for s in UCI_STATIONS
    ]


def locate_uci_csv(file: Path | None = None) -> Path:
    """``file`` if given, else ``beijing.csv`` inside the installed qolmat package (not imported)."""
    if file is not None:
        if not file.is_file():
            raise InputError(f"{file}: no such file")
        return file
    spec = importlib.util.find_spec("qolmat")
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            "the UCI Beijing data set was not found: install it with "
            '`pip install --no-deps "qolmat==0.2.0"` (make does) or pass --file PATH'
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "beijing.csv"
    if not path.is_file():
        raise InputError(f"{path}: missing from the installed qolmat package")
    return path


def read_uci_beijing(
    path: Path, *, hour_label: Literal["start", "end"] = "start", chunk_rows: int = 100_000
) -> Iterator[ObservationChunk]:
    """Yield chunks of long rows (mn, param, kind, time [UTC], value, flag, line) from the UCI file.

    Missing cells are skipped (they are gaps, not values). Unknown station names raise
    :class:`InputError`, since the registry would not know them.
    """
    known = {s.name for s in UCI_STATIONS}
    usecols = ["station", "year", "month", "day", "hour", *UCI_PARAMS]
    try:
        reader = pd.read_csv(path, usecols=usecols, chunksize=chunk_rows)
        first = 2  # line 1 is the header
        for wide in reader:
            unknown = set(wide["station"].unique()) - known
            if unknown:
                raise InputError(f"{path}: unknown station(s) {sorted(unknown)}")
            local = pd.to_datetime(wide[["year", "month", "day", "hour"]])
            if hour_label == "end":
                local = local - pd.Timedelta(hours=1)
            wide = wide.assign(
                time=local.dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC"),
                line=range(first, first + len(wide)),
            )
            long = wide.melt(
                id_vars=["station", "time", "line"],
                value_vars=list(UCI_PARAMS),
                var_name="column",
                value_name="value",
            ).dropna(subset=["value"])
            codes = {col: code for col, (code, _) in UCI_PARAMS.items()}
            divisors = {col: divisor for col, (_, divisor) in UCI_PARAMS.items()}
            frame = pd.DataFrame(
                {
                    "mn": long["station"].map(uci_mn),
                    "param": long["column"].map(codes),
                    "kind": "hour",
                    "time": long["time"],
                    "value": long["value"].astype(float) / long["column"].map(divisors).astype(float),
                    "flag": "N",
                    "line": long["line"],
                }
            ).reset_index(drop=True)
            yield ObservationChunk(frame=frame, rows_read=len(wide))
            first += len(wide)
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise InputError(f"{path}: cannot read the UCI Beijing file: {exc}") from exc
