"""Parameter catalogue for SensorThings: names and units of measurement of HJ 212 parameter codes.

Source: HJ 212-2017 Appendix B (Tables B.1 water, B.2 air) as summarised in
``reference/hj212.md`` §8, with the project's unit convention (DESIGN.md "Units"): values are kept in
the unit the station sends, which for air pollutants is µg/m³ in practice (CO mg/m³), not the table's
mg/m³ or its "ng/m³" misprint for particulates; Pb, Cd, Hg, As, Cr(VI) and Se are in µg/L.

Unit definitions are QUDT unit URIs (http://qudt.org/vocab/unit/…), which STA's
``unitOfMeasurement.definition`` expects to be a resolvable reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["PARAMETERS", "ParameterInfo", "UnitOfMeasurement", "parameter_info"]


@dataclass(frozen=True, slots=True)
class UnitOfMeasurement:
    """STA 1.1 §8.2.4 ``unitOfMeasurement``: name, symbol, definition (a URI)."""

    name: str
    symbol: str
    definition: str


@dataclass(frozen=True, slots=True)
class ParameterInfo:
    code: str  # HJ 212-2017 code, e.g. "w21003"
    name_en: str
    name_zh: str
    unit: UnitOfMeasurement


_QUDT = "http://qudt.org/vocab/unit/"

MG_L = UnitOfMeasurement("milligram per litre", "mg/L", _QUDT + "MilliGM-PER-L")
UG_L = UnitOfMeasurement("microgram per litre", "µg/L", _QUDT + "MicroGM-PER-L")
UG_M3 = UnitOfMeasurement("microgram per cubic metre", "µg/m³", _QUDT + "MicroGM-PER-M3")
MG_M3 = UnitOfMeasurement("milligram per cubic metre", "mg/m³", _QUDT + "MilliGM-PER-M3")
DEG_C = UnitOfMeasurement("degree Celsius", "°C", _QUDT + "DEG_C")
PH = UnitOfMeasurement("pH", "pH", _QUDT + "PH")
US_CM = UnitOfMeasurement("microsiemens per centimetre", "µS/cm", _QUDT + "MicroS-PER-CentiM")
NTU = UnitOfMeasurement("nephelometric turbidity unit", "NTU", _QUDT + "NTU")
COUNT_L = UnitOfMeasurement("count per litre", "count/L", _QUDT + "NUM-PER-L")
L_S = UnitOfMeasurement("litre per second", "L/s", _QUDT + "L-PER-SEC")
PERCENT = UnitOfMeasurement("percent", "%", _QUDT + "PERCENT")
KPA = UnitOfMeasurement("kilopascal", "kPa", _QUDT + "KiloPA")
M_S = UnitOfMeasurement("metre per second", "m/s", _QUDT + "M-PER-SEC")
DEGREE = UnitOfMeasurement("degree", "°", _QUDT + "DEG")
DB = UnitOfMeasurement("decibel", "dB", _QUDT + "DeciB")
UNKNOWN = UnitOfMeasurement("unknown", "", "")


def _p(code: str, name_en: str, name_zh: str, unit: UnitOfMeasurement) -> tuple[str, ParameterInfo]:
    return code, ParameterInfo(code, name_en, name_zh, unit)


#: HJ 212-2017 Table B.1 (surface water, ST=21) and Table B.2 (air, ST=22) parameters lianfang
#: serves, plus the HJ 525-2009 codes real packets use although the 2017 table omits them.
PARAMETERS: Final[dict[str, ParameterInfo]] = dict(
    [
        # Table B.1, surface water
        _p("w01010", "water temperature", "水温", DEG_C),
        _p("w01001", "pH", "pH值", PH),
        _p("w01009", "dissolved oxygen", "溶解氧", MG_L),
        _p("w01014", "conductivity", "电导率", US_CM),
        _p("w01003", "turbidity", "浑浊度", NTU),  # HJ 525-2009, not in Table B.1
        _p("w01019", "permanganate index (CODMn)", "高锰酸盐指数", MG_L),
        _p("w21003", "ammonia nitrogen (NH3-N)", "氨氮", MG_L),
        _p("w21011", "total phosphorus", "总磷", MG_L),
        _p("w21001", "total nitrogen", "总氮", MG_L),
        _p("w01018", "chemical oxygen demand (CODcr)", "化学需氧量", MG_L),
        _p("w01017", "five-day biochemical oxygen demand (BOD5)", "五日生化需氧量", MG_L),
        _p("w01020", "total organic carbon", "总有机碳", MG_L),
        _p("w01016", "chlorophyll a", "叶绿素", UG_L),  # HJ 525-2009, not in Table B.1
        _p("w23002", "volatile phenol", "挥发酚", MG_L),
        _p("w22001", "petroleum", "石油类", MG_L),
        _p("w21017", "fluoride", "氟化物", MG_L),
        _p("w21016", "cyanide", "氰化物", MG_L),
        _p("w21019", "sulfide", "硫化物", MG_L),
        _p("w21007", "nitrate nitrogen", "硝酸盐氮", MG_L),
        _p("w21006", "nitrite nitrogen", "亚硝酸盐氮", MG_L),
        _p("w02003", "fecal coliform", "粪大肠菌群", COUNT_L),
        _p("w20122", "total copper", "总铜", MG_L),
        _p("w20123", "total zinc", "总锌", MG_L),
        _p("w20120", "total lead", "总铅", UG_L),
        _p("w20115", "total cadmium", "总镉", UG_L),
        _p("w20111", "total mercury", "总汞", UG_L),
        _p("w20119", "total arsenic", "总砷", UG_L),
        _p("w20116", "total chromium", "总铬", MG_L),
        _p("w20117", "hexavalent chromium", "六价铬", UG_L),
        _p("w20121", "total nickel", "总镍", MG_L),
        _p("w20128", "total selenium", "总硒", UG_L),
        _p("w20125", "total iron", "总铁", MG_L),
        _p("w20124", "total manganese", "总锰", MG_L),
        _p("w00000", "waste-water flow", "污水流量", L_S),
        # Table B.2, ambient air (µg/m³ in practice, CO mg/m³)
        _p("a21026", "sulfur dioxide (SO2)", "二氧化硫", UG_M3),
        _p("a21004", "nitrogen dioxide (NO2)", "二氧化氮", UG_M3),
        _p("a21002", "nitrogen oxides (NOx)", "氮氧化物", UG_M3),
        _p("a21003", "nitric oxide (NO)", "一氧化氮", UG_M3),
        _p("a21005", "carbon monoxide (CO)", "一氧化碳", MG_M3),
        _p("a05024", "ozone (O3)", "臭氧", UG_M3),  # used by air stations, not in Table B.2
        _p("a34002", "PM10", "可吸入颗粒物", UG_M3),
        _p("a34004", "PM2.5", "细颗粒物", UG_M3),
        _p("a34001", "total suspended particulates (TSP)", "总悬浮颗粒物", UG_M3),
        _p("a34005", "PM1.0", "PM1.0", UG_M3),
        _p("a01001", "air temperature", "温度", DEG_C),
        _p("a01002", "relative humidity", "湿度", PERCENT),
        _p("a01006", "air pressure", "气压", KPA),
        _p("a01007", "wind speed", "风速", M_S),
        _p("a01008", "wind direction", "风向", DEGREE),
        _p("a24088", "non-methane hydrocarbons (NMHC)", "非甲烷总烃", MG_M3),
        # Table B.3, noise
        _p("LA", "A-weighted sound level", "A声级", DB),
        _p("Leq", "equivalent continuous sound level", "等效声级", DB),
    ]
)


def parameter_info(code: str) -> ParameterInfo:
    """The catalogue entry for ``code``; an unknown code (HJ 212 tables are extensible) gets its code
    as name and an unknown unit rather than an error, so stations with local codes still show up."""
    info = PARAMETERS.get(code)
    if info is not None:
        return info
    return ParameterInfo(code, code, code, UNKNOWN)
