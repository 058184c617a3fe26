"""GB 3838-2002 water classes by the single-factor method of 环办[2011]22号, vectorised.

Class codes are int8: 0 = no value, 1..5 = I..V, 6 = 劣V (see :mod:`lianfang.assess.water_limits`).
Inputs are concentrations in [mg/L] (pH dimensionless, faecal coliforms FC in [个/L]); NaN means "not
measured" and gives code 0. Item names are GB 3838 short codes or HJ 212 codes (``w21003``).

Choices where the sources leave room (all listed in docs/assessment-water.md):

* A value equal to a limit belongs to the better class ("≤" is inclusive). Limits are compared with a
  relative tolerance of 1e-9 (:data:`REL_TOL`), so that float noise from averaging — (0.1+0.2+0.3)/3 is
  0.20000000000000004 — does not push a value that is the limit in decimal over it. Any real
  difference in a reported digit is far larger than that.
* pH inside 6–9 is class I, outside 劣V; DO class I is 7.5 mg/L (conventions, reference §6 items 7, 8).
* Zero is a value (below detection → the best class), not "missing" as some peers treat it.
* Main pollutants: cyanide and heavy metals first (see ``PRIORITY_ITEMS``), then worse class, then larger
  exceedance multiple, then GB 3838 Table 1 order; pH and DO (no multiple) rank last within their class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from lianfang.assess.water_limits import (
    ALL_ITEMS,
    ASSESSED_ITEMS,
    CLASS_LABELS,
    DO_LIMITS,
    LAKE_TP_LIMITS,
    LIMITS,
    NO_MULTIPLE_ITEMS,
    PH_RANGE,
    PRIORITY_ITEMS,
    canonical_item,
    class_iii_limit,
)

__all__ = [
    "COLOUR_BY_CLASS",
    "MAIN_POLLUTANTS_MAX",
    "MULTIPLE_DECIMALS",
    "REL_TOL",
    "STATUS_BY_CLASS",
    "SampleAssessment",
    "WaterAssessment",
    "assess",
    "assess_sample",
    "exceedance_multiple",
    "item_class",
    "section_class",
    "status_of",
]

#: Relative tolerance on limit comparisons, against float noise only (see the module docstring).
REL_TOL: Final = 1e-9

#: 环办[2011]22号 (reference §2.3) class -> qualitative status, indexed by class code (0 = none).
STATUS_BY_CLASS: Final[tuple[str, ...]] = ("", "优", "优", "良好", "轻度污染", "中度污染", "重度污染")
#: 环办[2011]22号 (reference §2.3) class -> colour, indexed by class code.
COLOUR_BY_CLASS: Final[tuple[str, ...]] = ("", "blue", "blue", "green", "yellow", "orange", "red")

#: Decimal places kept in exceedance multiples: far below any reported digit, above float noise.
MULTIPLE_DECIMALS: Final = 10

#: 环办[2011]22号 (reference §2.4): "up to three items" are named as main pollutants.
MAIN_POLLUTANTS_MAX: Final = 3

_ITEM_ORDER: Final[Mapping[str, int]] = {item: n for n, item in enumerate(ALL_ITEMS)}


def _as_values(item: str, values: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    if np.any(np.isinf(arr)):
        raise ValueError(f"{item}: infinite value")
    # Concentrations cannot be negative; pH lives on 0..14; water temperature is not checked.
    if item == "WT":
        return arr
    bad = (arr < 0) | (arr > 14) if item == "pH" else arr < 0
    if np.any(bad):
        first = float(arr[bad].flat[0])
        raise ValueError(f"{item}: {int(np.count_nonzero(bad))} impossible value(s), e.g. {first:g}")
    return arr


def _ladder(limits: tuple[float, ...], values: NDArray[np.float64]) -> NDArray[np.int8]:
    # GB 3838-2002 Table 1, "≤" items: the best class whose limit the value does not exceed. With limits
    # non-decreasing, that is 1 + the number of limits the value exceeds; a value equal to a shared limit
    # exceeds none of the equal ones, so it gets the better class. (Five comparisons beat a binary search.)
    codes = np.ones(values.shape, dtype=np.int8)
    for limit in limits:
        codes += values > limit * (1 + REL_TOL)
    return codes


def item_class(item: str, values: ArrayLike, *, lake: bool | ArrayLike = False) -> NDArray[np.int8]:
    """GB 3838-2002 Table 1 class code (1..6, 0 for NaN) of each value of ``item``.

    ``values``: concentrations [mg/L] (pH dimensionless, FC [个/L]). ``lake``: True for lakes and reservoirs
    (TP uses the bracketed limits); a boolean array broadcastable to ``values`` classes mixed networks.
    Water temperature has no class and raises ValueError, as do negative or infinite values.
    """
    item = canonical_item(item)
    if item == "WT":
        raise ValueError("water temperature (WT) has no GB 3838 class: Table 1 limits only its change")
    v = _as_values(item, values)
    codes: NDArray[np.int8]
    if item == "pH":
        # Table 1 item 2: "6~9" for every class; outside counts as 劣V by convention (reference §6 item 8).
        low, high = PH_RANGE
        inside = (v >= low * (1 - REL_TOL)) & (v <= high * (1 + REL_TOL))
        codes = np.where(inside, 1, 6).astype(np.int8)
    elif item == "DO":
        # Table 1 item 3 is "≥": the best class whose minimum the value reaches; below 2 mg/L is 劣V.
        codes = np.ones(v.shape, dtype=np.int8)
        for limit in DO_LIMITS:
            codes += v < limit * (1 - REL_TOL)
    elif item == "TP" and np.any(lake):
        lake_codes = _ladder(LAKE_TP_LIMITS, v)
        codes = lake_codes if np.all(lake) else np.where(lake, lake_codes, _ladder(LIMITS["TP"], v))
    else:
        codes = _ladder(LIMITS[item], v)
    out = np.array(codes, dtype=np.int8, copy=None)
    out[np.isnan(v)] = 0
    return out


def exceedance_multiple(
    item: str, values: ArrayLike, *, lake: bool | ArrayLike = False
) -> NDArray[np.float64]:
    """环办[2011]22号 exceedance multiple (C − S_III) / S_III of each value [dimensionless].

    S_III is the class III limit (lake TP: 0.05 mg/L); results are rounded to :data:`MULTIPLE_DECIMALS`
    places against float noise. Negative results mean "below class III"; reports name
    a multiple only for values worse than class III. pH, DO and water temperature have none (ValueError).
    """
    item = canonical_item(item)
    v = _as_values(item, values)
    s_iii: float | NDArray[np.float64] = class_iii_limit(item)
    if item == "TP" and np.any(lake):
        s_iii = np.where(lake, class_iii_limit(item, lake=True), s_iii)
    # Rounded to 10 decimals: drops float noise (2.3 mg/L NH3-N gives 1.3, not 1.2999999999999998).
    return np.asarray(np.round((v - s_iii) / s_iii, MULTIPLE_DECIMALS), dtype=np.float64)


def status_of(codes: ArrayLike) -> NDArray[np.str_]:
    """环办[2011]22号 status (优/良好/轻度污染/中度污染/重度污染; "" for code 0) of each class code."""
    return np.asarray(STATUS_BY_CLASS)[np.asarray(codes, dtype=np.int8)]


def _frame_items(frame: pd.DataFrame) -> list[str]:
    items = [canonical_item(str(col)) for col in frame.columns]
    seen: dict[str, object] = {}
    for col, item in zip(frame.columns, items, strict=True):
        if item in seen:
            raise ValueError(f"columns {seen[item]!r} and {col!r} are both {item}")
        seen[item] = col
    return items


@dataclass(frozen=True)
class WaterAssessment:
    """Classes of many samples or period means at once (one row each, in the input frame's order).

    ``items`` are the classed columns (canonical names, water temperature dropped); ``item_classes`` and
    ``multiples`` are (rows × items). ``multiples`` holds the exceedance multiple where the item is worse
    than class III and has one, NaN elsewhere. ``section_class`` is over the 21 assessed items only.
    """

    index: pd.Index
    items: tuple[str, ...]
    item_classes: NDArray[np.int8]
    multiples: NDArray[np.float64]
    section_class: NDArray[np.int8]
    lake: bool | NDArray[np.bool_] = field(default=False)

    @cached_property
    def main_pollutant_codes(self) -> NDArray[np.int8]:
        """(rows × 3) column numbers into ``items`` of the main pollutants, -1 = none; computed on use."""
        assessed = np.asarray([item in ASSESSED_ITEMS for item in self.items], dtype=bool)
        return _main_pollutant_codes(
            self.items, self.item_classes, self.multiples, self.section_class, assessed
        )

    @property
    def status(self) -> NDArray[np.str_]:
        return status_of(self.section_class)

    @property
    def main_pollutants(self) -> NDArray[np.object_]:
        """(rows × 3) item names in the method's order, None where fewer are named."""
        names = np.asarray([*self.items, None], dtype=object)  # code -1 picks the trailing None
        return np.asarray(names[self.main_pollutant_codes], dtype=object)

    def to_frame(self) -> pd.DataFrame:
        """One row per input row: class (code), label, status, colour, main_pollutants ("、"-joined)."""
        codes = self.section_class
        names = [("、".join(n for n in row if n is not None)) for row in self.main_pollutants.tolist()]
        return pd.DataFrame(
            {
                "class": codes,
                "label": np.asarray(CLASS_LABELS)[codes],
                "status": status_of(codes),
                "colour": np.asarray(COLOUR_BY_CLASS)[codes],
                "main_pollutants": names,
            },
            index=self.index,
        )

    def item_class_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.item_classes, index=self.index, columns=list(self.items))

    def exceedance_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.multiples, index=self.index, columns=list(self.items))


def assess(frame: pd.DataFrame, *, lake: bool | ArrayLike = False) -> WaterAssessment:
    """Classify every row of ``frame`` (columns = items, values [mg/L]; FC [个/L]) in one pass.

    Every column must name an item (put section ids and times in the index); water temperature is
    accepted and ignored. ``lake`` is a bool or a per-row boolean array.
    """
    items = _frame_items(frame)
    lake_arr: bool | NDArray[np.bool_] = lake if isinstance(lake, bool) else np.asarray(lake, dtype=bool)
    classed = [(col, item) for col, item in zip(frame.columns, items, strict=True) if item != "WT"]
    n = len(frame)
    # Column-major: each item fills a contiguous column.
    classes = np.zeros((n, len(classed)), dtype=np.int8, order="F")
    multiples = np.full((n, len(classed)), np.nan, order="F")
    for k, (col, item) in enumerate(classed):
        values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
        classes[:, k] = item_class(item, values, lake=lake_arr)
        if item not in NO_MULTIPLE_ITEMS:
            multiple = exceedance_multiple(item, values, lake=lake_arr)
            multiples[:, k] = np.where(classes[:, k] > 3, multiple, np.nan)
    names = tuple(item for _, item in classed)
    assessed = np.asarray([item in ASSESSED_ITEMS for item in names], dtype=bool)
    section = (
        classes[:, assessed].max(axis=1).astype(np.int8) if assessed.any() else np.zeros(n, dtype=np.int8)
    )
    return WaterAssessment(frame.index, names, classes, multiples, section, lake_arr)


def section_class(frame: pd.DataFrame, *, lake: bool | ArrayLike = False) -> NDArray[np.int8]:
    """Section class code per row: the worst class among the 21 assessed items present (环办[2011]22号).

    0 where no assessed item has a value. TN and FC columns are allowed and do not count.
    """
    items = _frame_items(frame)
    lake_arr: bool | NDArray[np.bool_] = lake if isinstance(lake, bool) else np.asarray(lake, dtype=bool)
    out = np.zeros(len(frame), dtype=np.int8)
    for col, item in zip(frame.columns, items, strict=True):
        if item in ASSESSED_ITEMS:
            values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
            np.maximum(out, item_class(item, values, lake=lake_arr), out=out)
    return out


def _main_pollutant_codes(
    items: tuple[str, ...],
    classes: NDArray[np.int8],
    multiples: NDArray[np.float64],
    section: NDArray[np.int8],
    assessed: NDArray[np.bool_],
) -> NDArray[np.int8]:
    # 环办[2011]22号 (reference §2.4): named only when the section is worse than class III; cyanide and
    # heavy metals that exceed III first, then the worst classes, then the larger exceedance multiple;
    # ties in Table 1 order. Three passes, each taking the best remaining item of every row; the work is
    # column by column (items are few, rows many), which keeps every step an elementwise array operation.
    n, k = classes.shape
    out = np.full((n, MAIN_POLLUTANTS_MAX), -1, dtype=np.int8)
    rows = np.flatnonzero(section > 3)
    if rows.size == 0 or k == 0:
        return out
    by_table = [int(c) for c in np.argsort([_ITEM_ORDER[i] for i in items], kind="stable")]
    ranks: list[NDArray[np.int16]] = []
    mults: list[NDArray[np.float64]] = []
    for c in by_table:
        cls = classes[rows, c].astype(np.int16)
        eligible = (cls > 3) & bool(assessed[c])
        # Rank key (priority, class); 0 = not eligible. pH and DO have no multiple: last in their class.
        ranks.append(np.where(eligible, (8 if items[c] in PRIORITY_ITEMS else 0) + cls, 0).astype(np.int16))
        m = multiples[rows, c]
        mults.append(np.where(np.isnan(m), -np.inf, m))
    picked = np.full((rows.size, MAIN_POLLUTANTS_MAX), -1, dtype=np.int8)
    for slot in range(MAIN_POLLUTANTS_MAX):
        top = np.maximum.reduce(ranks)
        best = np.full(rows.size, -np.inf)
        for rank, mult in zip(ranks, mults, strict=True):
            np.maximum(best, np.where(rank == top, mult, -np.inf), out=best)
        choice = np.full(rows.size, -1, dtype=np.int8)
        for pos in reversed(range(k)):  # reversed: the earliest item in Table 1 order is written last
            hit = (ranks[pos] == top) & (mults[pos] == best) & (top > 0)
            choice[hit] = pos
        found = choice >= 0
        picked[found, slot] = np.asarray(by_table, dtype=np.int8)[choice[found]]
        for pos in range(k):
            ranks[pos][choice == pos] = 0
    out[rows] = picked
    return out


@dataclass(frozen=True)
class SampleAssessment:
    """One sample or period mean of one section, in the shape of ``lianfang water-class --json``.

    ``item_classes`` covers every classed item given (TN and FC included, as reference items);
    ``exceedance`` the items worse than class III that have a multiple; ``main_pollutants`` and
    ``water_class`` only the 21 assessed items.
    """

    water_class: str
    status: str
    colour: str
    item_classes: dict[str, str]
    main_pollutants: list[str]
    exceedance: dict[str, float]
    not_assessed: tuple[str, ...]  # items given that do not count towards the class

    def as_json(self) -> dict[str, object]:
        return {
            "class": self.water_class,
            "status": self.status,
            "item_classes": self.item_classes,
            "main_pollutants": self.main_pollutants,
            "exceedance": self.exceedance,
        }


def assess_sample(values: Mapping[str, float], *, lake: bool = False) -> SampleAssessment:
    """Assess one section from item -> value [mg/L; FC 个/L]. Raises ValueError on bad input or when no
    assessed item (of the 21) is given."""
    frame = pd.DataFrame({name: [float(v)] for name, v in values.items()})
    result = assess(frame, lake=lake)
    code = int(result.section_class[0])
    if code == 0:
        raise ValueError(f"no assessed item given: the class uses {' '.join(ASSESSED_ITEMS)}")
    classes = result.item_classes[0]
    item_classes = {i: CLASS_LABELS[c] for i, c in zip(result.items, classes.tolist(), strict=True) if c}
    exceedance = {
        i: float(m)
        for i, m in zip(result.items, result.multiples[0].tolist(), strict=True)
        if not np.isnan(m)
    }
    given = [canonical_item(name) for name in values]
    return SampleAssessment(
        water_class=CLASS_LABELS[code],
        status=STATUS_BY_CLASS[code],
        colour=COLOUR_BY_CLASS[code],
        item_classes=item_classes,
        main_pollutants=[p for p in result.main_pollutants[0].tolist() if p is not None],
        exceedance=exceedance,
        not_assessed=tuple(i for i in given if i not in ASSESSED_ITEMS),
    )
