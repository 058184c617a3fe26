"""What the dashboard needs to label values: parameter names and units, class III guide lines, rivers.

Names and units come from the SensorThings catalogue (:mod:`lianfang.api.sensorthings.units`, HJ 212-2017
Appendix B with the project's unit convention); limits from GB 3838-2002 Table 1
(:mod:`lianfang.assess.water_limits`); colours of the class and level legends from the same modules
that assess, so the legend can never disagree with the classes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lianfang.api.sensorthings.units import PARAMETERS
from lianfang.assess.aqi_tables import AQI_LEVELS
from lianfang.assess.water import COLOUR_BY_CLASS, STATUS_BY_CLASS
from lianfang.assess.water_limits import (
    CLASS_LABELS,
    DO_LIMITS,
    LAKE_TP_LIMITS,
    LIMITS,
    PH_RANGE,
    UnknownItemError,
    canonical_item,
)
from lianfang.sim.network import demo_rivers

__all__ = ["aqi_legend", "parameter_catalogue", "river_names", "water_legend"]

_CLASS_III = 2  # index of class III in a Table 1 row (I, II, III, IV, V)

#: short English labels for table headers where the catalogue name has no abbreviation in brackets
_SHORT_EN: dict[str, str] = {
    "w01010": "WT",
    "w01009": "DO",
    "w01014": "Cond.",
    "w01003": "Turb.",
    "w21011": "TP",
    "w21001": "TN",
    "a01001": "Temp.",
    "a01002": "RH",
}


def _guide(code: str) -> dict[str, Any]:
    """GB 3838-2002 Table 1 class III limit of a water parameter, for a guide line on its chart."""
    try:
        item = canonical_item(code)
    except UnknownItemError:
        return {}
    if item == "pH":
        return {"range": list(PH_RANGE)}  # Table 1 item 2: 6~9
    if item == "DO":
        return {"class_iii_min": DO_LIMITS[_CLASS_III]}  # Table 1 item 3: "≥"
    if item in LIMITS:
        guide: dict[str, Any] = {"class_iii": LIMITS[item][_CLASS_III]}
        if item == "TP":
            guide["class_iii_lake"] = LAKE_TP_LIMITS[_CLASS_III]
        return guide
    return {}


def _bracketed(name: str) -> str:
    """``"ammonia nitrogen (NH3-N)"`` → ``"NH3-N"``; a name without brackets as it is."""
    head, _, tail = name.partition(" (")
    return tail.rstrip(")") if tail else head


@lru_cache(maxsize=1)
def parameter_catalogue() -> dict[str, dict[str, Any]]:
    """HJ 212 code → ``{"zh", "en", "short_en", "unit"}`` and, for water items, the class III guide."""
    out: dict[str, dict[str, Any]] = {}
    for code, info in PARAMETERS.items():
        entry: dict[str, Any] = {
            "zh": info.name_zh,
            "en": info.name_en,
            "short_en": _SHORT_EN.get(code) or _bracketed(info.name_en),
            "unit": info.unit.symbol,
        }
        if code.startswith("w"):
            entry.update(_guide(code))
        out[code] = entry
    return out


def water_legend() -> list[dict[str, Any]]:
    """Class code, label, 环办[2011]22号 status and colour name, I … 劣V."""
    return [
        {"class": c, "label": CLASS_LABELS[c], "status": STATUS_BY_CLASS[c], "colour": COLOUR_BY_CLASS[c]}
        for c in range(1, len(CLASS_LABELS))
    ]


def aqi_legend() -> list[dict[str, Any]]:
    """HJ 633 AQI levels with their upper bound, categories and Annex A colours."""
    return [
        {
            "level": lv.level,
            "upper": lv.upper,
            "category_zh": lv.category_zh,
            "category_en": lv.category_en,
            "colour": lv.colour_hex,
        }
        for lv in AQI_LEVELS
    ]


@lru_cache(maxsize=1)
def river_names() -> dict[str, str]:
    """Chinese river name → English, for the rivers of the demo network."""
    return {river.name: river.name_en for river in demo_rivers()}
