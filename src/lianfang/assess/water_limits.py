"""GB 3838-2002 Table 1 limits and the item lists of 环办[2011]22号, as module constants.

Item names are the short codes of ``gb3838_limits.csv`` (``pH DO CODMn COD BOD5 NH3N TP TN Cu Zn F Se As
Hg Cd Cr6 Pb CN VPhenol Oil LAS S2 FC``, plus ``WT`` for water temperature). Every limit is in [mg/L]
except pH [dimensionless], faecal coliforms FC [个/L] and water temperature WT [°C].

HJ 212-2017 parameter codes (``w21003`` …) are accepted wherever an item name is: :data:`HJ212_ITEMS` maps
them, and :func:`canonical_item` resolves either spelling. A code names the item only; values must still
be in the GB 3838 unit — HJ 212 sends Pb, Cd, Hg, As, Cr(VI) and Se in [µg/L] by default
(:data:`HJ212_DEFAULT_UNITS`), and :func:`to_gb3838_unit` converts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ALL_ITEMS",
    "ASSESSED_ITEMS",
    "CLASSED_ITEMS",
    "CLASS_LABELS",
    "DO_LIMITS",
    "GB3838_UNITS",
    "HJ212_DEFAULT_UNITS",
    "HJ212_ITEMS",
    "LAKE_TP_LIMITS",
    "LIMITS",
    "NOT_CLASSED",
    "NO_MULTIPLE_ITEMS",
    "PH_RANGE",
    "PRIORITY_ITEMS",
    "REFERENCE_ITEMS",
    "WATER_RULES",
    "WORSE_THAN_V",
    "UnknownItemError",
    "WaterRuleSet",
    "canonical_item",
    "class_code",
    "class_iii_limit",
    "class_label",
    "to_gb3838_unit",
]


@dataclass(frozen=True, slots=True)
class WaterRuleSet:
    """The water rules in force: one edition of each so far (reference §0: no replacement found)."""

    standard: str
    effective_from: date
    method: str
    method_issued: date

    def in_force(self, day: date) -> bool:
        return day >= self.effective_from


#: GB 3838-2002 (in force from 2002-06-01) assessed by 环办[2011]22号 (issued 2011-03-09), reference §0.
WATER_RULES: Final = WaterRuleSet("GB 3838-2002", date(2002, 6, 1), "环办[2011]22号", date(2011, 3, 9))


class UnknownItemError(ValueError):
    """An item name that is neither a GB 3838 Table 1 item nor a mapped HJ 212 code."""


#: Class codes used in every int8 array of this package: 0 = no value / not classed, 1..5 = I..V, 6 = 劣V.
NOT_CLASSED: Final = 0
WORSE_THAN_V: Final = 6
CLASS_LABELS: Final[tuple[str, ...]] = ("", "I", "II", "III", "IV", "V", "劣V")

#: GB 3838-2002 Table 1 order (items 1-24); ties between equal exceedance multiples are broken by it.
ALL_ITEMS: Final[tuple[str, ...]] = (
    "WT", "pH", "DO", "CODMn", "COD", "BOD5", "NH3N", "TP", "TN", "Cu", "Zn", "F",
    "Se", "As", "Hg", "Cd", "Cr6", "Pb", "CN", "VPhenol", "Oil", "LAS", "S2", "FC",
)  # fmt: skip

#: GB 3838-2002 Table 1, class I..V limits of the "≤" items [mg/L; FC 个/L]. "≤" means the value must not
#: exceed the limit, so a value equal to a limit belongs to that (the better) class (§1.6 rule 1 of the
#: reference). TN is listed for all waters: the row heading says "湖、库" but the standard does not exempt
#: rivers; the assessment method does (see ASSESSED_ITEMS).
LIMITS: Final[Mapping[str, tuple[float, float, float, float, float]]] = MappingProxyType(
    {
        "CODMn": (2, 4, 6, 10, 15),
        "COD": (15, 15, 20, 30, 40),
        "BOD5": (3, 3, 4, 6, 10),
        "NH3N": (0.15, 0.5, 1.0, 1.5, 2.0),
        "TP": (0.02, 0.1, 0.2, 0.3, 0.4),
        "TN": (0.2, 0.5, 1.0, 1.5, 2.0),  # class IV 1.5 per the official scan; web copies misprint "105"
        "Cu": (0.01, 1.0, 1.0, 1.0, 1.0),
        "Zn": (0.05, 1.0, 1.0, 2.0, 2.0),
        "F": (1.0, 1.0, 1.0, 1.5, 1.5),
        "Se": (0.01, 0.01, 0.01, 0.02, 0.02),
        "As": (0.05, 0.05, 0.05, 0.1, 0.1),
        "Hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
        "Cd": (0.001, 0.005, 0.005, 0.005, 0.01),
        "Cr6": (0.01, 0.05, 0.05, 0.05, 0.1),
        "Pb": (0.01, 0.01, 0.05, 0.05, 0.1),
        "CN": (0.005, 0.05, 0.2, 0.2, 0.2),
        "VPhenol": (0.002, 0.002, 0.005, 0.01, 0.1),
        "Oil": (0.05, 0.05, 0.05, 0.5, 1.0),
        "LAS": (0.2, 0.2, 0.2, 0.3, 0.3),
        "S2": (0.05, 0.1, 0.2, 0.5, 1.0),
        "FC": (200, 2000, 10000, 20000, 40000),
    }
)

#: GB 3838-2002 Table 1 item 8, bracketed limits "湖、库" [mg/L]: TP in lakes and reservoirs.
LAKE_TP_LIMITS: Final[tuple[float, float, float, float, float]] = (0.01, 0.025, 0.05, 0.1, 0.2)

#: GB 3838-2002 Table 1 item 3, DO "≥" [mg/L]. Class I reads "饱和率90%（或7.5）"; no source says how to
#: apply the saturation criterion and every peer uses 7.5 mg/L, so do we (reference §6 item 7).
DO_LIMITS: Final[tuple[float, float, float, float, float]] = (7.5, 6, 5, 3, 2)

#: GB 3838-2002 Table 1 item 2: "6~9" for every class. Inside counts as class I, outside as 劣V: a
#: universal convention, not text of the standard (reference §1.6 rule 5, §6 item 8).
PH_RANGE: Final[tuple[float, float]] = (6.0, 9.0)

#: Items that have a class (all of Table 1 but water temperature, which has no per-class value).
CLASSED_ITEMS: Final[tuple[str, ...]] = tuple(i for i in ALL_ITEMS if i != "WT")

#: 环办[2011]22号 §2.1 (reference §2.1): the 21 items assessed — Table 1 without water temperature, TN and
#: faecal coliforms. For lakes and reservoirs TN is reported beside the class, not in it.
ASSESSED_ITEMS: Final[tuple[str, ...]] = tuple(i for i in ALL_ITEMS if i not in ("WT", "TN", "FC"))

#: Classed but reported separately, never in the section class (环办[2011]22号, reference §2.1).
REFERENCE_ITEMS: Final[tuple[str, ...]] = ("TN", "FC")

#: 环办[2011]22号 (reference §2.4): no exceedance multiple for water temperature, pH and DO.
NO_MULTIPLE_ITEMS: Final[frozenset[str]] = frozenset({"WT", "pH", "DO"})

#: 环办[2011]22号 (reference §2.4): "氰化物或铅、铬等重金属超标时，优先作为主要污染指标". The method names
#: only cyanide, lead and chromium; "等重金属" is read here as every Table 1 metal (Cu, Zn, Hg, Cd, Cr6,
#: Pb) plus the metalloid As, which the national heavy-metal plans list with them. Se is a non-metal.
PRIORITY_ITEMS: Final[frozenset[str]] = frozenset({"CN", "Cu", "Zn", "As", "Hg", "Cd", "Cr6", "Pb"})

#: GB 3838 units per item (Table 1 heading: mg/L unless noted).
GB3838_UNITS: Final[Mapping[str, str]] = MappingProxyType(
    {i: ("degC" if i == "WT" else "1" if i == "pH" else "个/L" if i == "FC" else "mg/L") for i in ALL_ITEMS}
)

#: HJ 212-2017 Table B.1 (surface water, reference hj212.md §8.1) code -> GB 3838 item. Only the "total"
#: metal codes are mapped; total chromium (w20116) is not Cr(VI) and stays unmapped.
HJ212_ITEMS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "w01010": "WT",
        "w01001": "pH",
        "w01009": "DO",
        "w01019": "CODMn",
        "w01018": "COD",
        "w01017": "BOD5",
        "w21003": "NH3N",
        "w21011": "TP",
        "w21001": "TN",
        "w20122": "Cu",
        "w20123": "Zn",
        "w21017": "F",
        "w20128": "Se",
        "w20119": "As",
        "w20111": "Hg",
        "w20115": "Cd",
        "w20117": "Cr6",
        "w20120": "Pb",
        "w21016": "CN",
        "w23002": "VPhenol",
        "w22001": "Oil",
        "w21019": "S2",
        "w02003": "FC",
    }
)

#: HJ 212-2017 Table B.1 default units of the mapped codes that differ from GB 3838's (hj212.md §8.1).
HJ212_DEFAULT_UNITS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "w20128": "µg/L",
        "w20119": "µg/L",
        "w20111": "µg/L",
        "w20115": "µg/L",
        "w20117": "µg/L",
        "w20120": "µg/L",
    }
)

_UNIT_FACTORS: Final[Mapping[str, float]] = MappingProxyType(
    {"mg/l": 1.0, "µg/l": 1e-3, "μg/l": 1e-3, "ug/l": 1e-3, "ng/l": 1e-6, "g/l": 1e3}
)

_BY_LOWER: Final[Mapping[str, str]] = MappingProxyType(
    {**{i.lower(): i for i in ALL_ITEMS}, **{c.lower(): i for c, i in HJ212_ITEMS.items()}}
)


def canonical_item(name: str) -> str:
    """Return the GB 3838 item code for ``name`` (item code in any case, or an HJ 212 code)."""
    item = _BY_LOWER.get(name.strip().lower())
    if item is None:
        raise UnknownItemError(
            f"unknown item {name!r}: expected one of {' '.join(ALL_ITEMS)} or an HJ 212 code such as w21003"
        )
    return item


def class_iii_limit(item: str, *, lake: bool = False) -> float:
    """Class III limit S_III [mg/L; FC 个/L], the base of 环办[2011]22号 exceedance multiples."""
    item = canonical_item(item)
    if item in NO_MULTIPLE_ITEMS:
        raise ValueError(f"{item} has no exceedance multiple (环办[2011]22号)")
    return float(LAKE_TP_LIMITS[2] if (item == "TP" and lake) else LIMITS[item][2])


def to_gb3838_unit(item: str, values: ArrayLike, unit: str) -> NDArray[np.float64]:
    """Convert ``values`` given in ``unit`` (mg/L, µg/L, ng/L, g/L) to the GB 3838 unit of ``item``.

    pH, water temperature and faecal coliforms only accept their own unit (1, degC/℃, 个/L or count/L).
    """
    item = canonical_item(item)
    arr = np.asarray(values, dtype=np.float64)
    key = unit.strip().lower().replace(" ", "")
    if GB3838_UNITS[item] != "mg/L":
        own = {"pH": {"1", "", "dimensionless"}, "WT": {"degc", "℃", "°c"}, "FC": {"个/l", "count/l"}}[item]
        if key not in own:
            raise ValueError(f"{item} is measured in {GB3838_UNITS[item]}, not {unit!r}")
        return arr
    factor = _UNIT_FACTORS.get(key)
    if factor is None:
        raise ValueError(f"unknown concentration unit {unit!r} for {item}: expected mg/L, µg/L, ng/L or g/L")
    return arr * factor


def class_label(codes: ArrayLike) -> NDArray[np.str_]:
    """Labels "I".."V", "劣V" ("" for code 0) of an array of class codes."""
    return np.asarray(CLASS_LABELS)[np.asarray(codes, dtype=np.int8)]


_LABEL_CODES: Final[Mapping[str, int]] = MappingProxyType(
    {
        **{label.lower(): code for code, label in enumerate(CLASS_LABELS) if label},
        **{r: c for c, r in enumerate(("", "ⅰ", "ⅱ", "ⅲ", "ⅳ", "ⅴ", "劣ⅴ")) if r},
    }
)


def class_code(label: str) -> int:
    """Class code 1..6 of a label: "I".."V" or "劣V" (ASCII or Unicode roman numerals, any case)."""
    code = _LABEL_CODES.get(label.strip().lower())
    if code is None:
        raise ValueError(f"unknown water class {label!r}: expected I, II, III, IV, V or 劣V")
    return code
