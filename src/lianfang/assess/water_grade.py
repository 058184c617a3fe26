"""River, basin and water-system grades and their trend (环办[2011]22号, reference §2.5).

* Fewer than 5 sections: average each item over the sections, classify the averages by the single-factor
  method, and take the status of that class.
* 5 sections or more ("含5个"; the Shenzhen FAQ's "大于5个" would leave 5 undefined, reference §6 item 3):
  the status follows the share G of sections in class I–III and the share D in 劣V (:func:`proportion_level`).

The "重度污染" row reads "G < 60% and D ≥ 40%" in the method (SQL seed, recall) and "G < 75% and D ≥ 40%"
in the Shenzhen FAQ (reference §6 item 2). Since G + D ≤ 100%, both readings agree everywhere except at
G = 60%, D = 40% exactly, which the "< 60%" reading leaves without a row. We grade that point 重度污染
(it fails 中度污染's "D < 40%", and the other reading says so) and flag it in :attr:`RiverGrade.note`.

Shares are compared with exact integer arithmetic: 9 of 10 sections is exactly 90% → 优.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from lianfang.assess.water import assess, section_class
from lianfang.assess.water_limits import ALL_ITEMS, ASSESSED_ITEMS, CLASS_LABELS, class_code
from lianfang.assess.water_period import group_means

__all__ = [
    "BOUNDARY_NOTE",
    "CLASS_LEVEL",
    "PROPORTION_MIN_SECTIONS",
    "STATUS_COLOURS",
    "STATUS_LEVELS",
    "RiverGrade",
    "Trend",
    "grade_by_mean",
    "grade_by_proportion",
    "proportion_level",
    "river_grade",
    "river_grades",
    "river_main_pollutants",
    "river_trend",
    "trend_by_proportion",
    "trend_by_status",
]

#: 环办[2011]22号 status grades, best first; a trend counts steps along this scale.
STATUS_LEVELS: Final[tuple[str, ...]] = ("优", "良好", "轻度污染", "中度污染", "重度污染")
STATUS_COLOURS: Final[tuple[str, ...]] = ("blue", "green", "yellow", "orange", "red")
#: Section class code (0..6) -> status level (-1 for "no class").
CLASS_LEVEL: Final[tuple[int, ...]] = (-1, 0, 0, 1, 2, 3, 4)

#: 环办[2011]22号: 5 sections or more are graded by the section-class proportion method.
PROPORTION_MIN_SECTIONS: Final = 5

BOUNDARY_NOTE: Final = (
    "I–III share 60% and 劣V share 40%: no row of 环办[2011]22号 as read with 'I–III < 60%' matches; "
    "graded 重度污染 (the 'I–III < 75%' reading)"
)


def proportion_level(n_i_iii: ArrayLike, n_worse_than_v: ArrayLike, n: ArrayLike) -> NDArray[np.int8]:
    """Status level (index into :data:`STATUS_LEVELS`) from section counts, exactly, for arrays of groups.

    环办[2011]22号 table: G ≥ 90% 优; 75% ≤ G < 90% 良好; G < 75% and D < 20% 轻度污染; G < 75% and
    20% ≤ D < 40% 中度污染; G < 60% and D ≥ 40% 重度污染 (G = 60%, D = 40% also 重度污染, see module doc).
    """
    g = 100 * np.asarray(n_i_iii, dtype=np.int64)
    d = 100 * np.asarray(n_worse_than_v, dtype=np.int64)
    total = np.asarray(n, dtype=np.int64)
    if np.any(total <= 0):
        raise ValueError("a grade needs at least one classed section")
    if np.any(g + d > 100 * total) or np.any((g < 0) | (d < 0)):
        raise ValueError("section counts exceed the number of sections")
    level = np.select(
        [g >= 90 * total, g >= 75 * total, d < 20 * total, d < 40 * total],
        [0, 1, 2, 3],
        default=4,
    )
    return level.astype(np.int8)


@dataclass(frozen=True)
class RiverGrade:
    """Grade of one river, basin or lake group in one period. Shares are in [%], unrounded."""

    status: str
    colour: str
    method: Literal["proportion", "mean"]
    n_sections: int
    n_i_iii: int
    n_worse_than_v: int
    mean_class: str | None = None  # "mean" method: class of the averaged concentrations
    main_pollutants: tuple[str, ...] = ()
    note: str | None = None

    @property
    def share_i_iii(self) -> float:
        return 100.0 * self.n_i_iii / self.n_sections

    @property
    def share_worse_than_v(self) -> float:
        return 100.0 * self.n_worse_than_v / self.n_sections

    @property
    def level(self) -> int:
        return STATUS_LEVELS.index(self.status)


def _classes(section_classes: ArrayLike) -> NDArray[np.int8]:
    raw = np.asarray(section_classes)
    if raw.dtype.kind in "UO":
        return np.asarray([class_code(str(c)) for c in raw.ravel()], dtype=np.int8)
    codes = raw.astype(np.int8).ravel()
    if np.any((codes < 1) | (codes > 6)):
        raise ValueError("section class codes must be 1..6 (I..V, 劣V); drop unclassed sections first")
    return codes


def grade_by_proportion(section_classes: ArrayLike, *, main_pollutants: tuple[str, ...] = ()) -> RiverGrade:
    """Grade from section classes (codes 1..6 or labels "I".."劣V") by the proportion method.

    This does not check the 5-section minimum; :func:`river_grade` chooses the method.
    """
    codes = _classes(section_classes)
    n = int(codes.size)
    good = int(np.count_nonzero(codes <= 3))
    bad = int(np.count_nonzero(codes == 6))
    level = int(proportion_level(good, bad, n))
    boundary = 100 * good == 60 * n and 100 * bad == 40 * n
    return RiverGrade(
        status=STATUS_LEVELS[level],
        colour=STATUS_COLOURS[level],
        method="proportion",
        n_sections=n,
        n_i_iii=good,
        n_worse_than_v=bad,
        main_pollutants=main_pollutants,
        note=BOUNDARY_NOTE if boundary else None,
    )


def grade_by_mean(section_means: pd.DataFrame, *, lake: bool = False) -> RiverGrade:
    """Grade from per-section means (rows = sections, columns = items [mg/L]) by averaging each item
    over the sections and classifying the averages (环办[2011]22号, fewer than 5 sections)."""
    classes = section_class(section_means, lake=lake)
    classes = classes[classes > 0]
    if classes.size == 0:
        raise ValueError("no section has an assessed item")
    pooled = assess(section_means.mean(axis=0, skipna=True).to_frame().T, lake=lake)
    code = int(pooled.section_class[0])
    level = CLASS_LEVEL[code]
    return RiverGrade(
        status=STATUS_LEVELS[level],
        colour=STATUS_COLOURS[level],
        method="mean",
        n_sections=int(classes.size),
        n_i_iii=int(np.count_nonzero(classes <= 3)),
        n_worse_than_v=int(np.count_nonzero(classes == 6)),
        mean_class=CLASS_LABELS[code],
        # Fewer than 5 sections: main pollutants by the section rule, on the averages (reference §2.5).
        main_pollutants=tuple(p for p in pooled.main_pollutants[0].tolist() if p is not None),
    )


def river_main_pollutants(item_classes: pd.DataFrame) -> tuple[str, ...]:
    """Up to three assessed items with the highest section exceedance rate (share of the sections that
    measured the item where it is worse than class III), ties in GB 3838 Table 1 order.

    ``item_classes``: class codes, rows = sections, columns = canonical items (``WaterAssessment.
    item_class_frame()``).
    """
    rates: list[tuple[Fraction, int, str]] = []
    for item in item_classes.columns:
        if item not in ASSESSED_ITEMS:
            continue
        col = item_classes[item].to_numpy(dtype=np.int8)
        measured = int(np.count_nonzero(col > 0))
        worse = int(np.count_nonzero(col > 3))
        if worse:
            rates.append((Fraction(worse, measured), ALL_ITEMS.index(item), str(item)))
    rates.sort(key=lambda r: (-r[0], r[1]))
    return tuple(item for _, _, item in rates[:3])


def river_grade(section_means: pd.DataFrame, *, lake: bool = False) -> RiverGrade:
    """Grade one river, basin or water system from its sections' period means (rows = sections,
    columns = items [mg/L]), choosing the method by the number of classed sections."""
    result = assess(section_means, lake=lake)
    classes = result.section_class[result.section_class > 0]
    if classes.size < PROPORTION_MIN_SECTIONS:
        return grade_by_mean(section_means, lake=lake)
    frame = result.item_class_frame()[result.section_class > 0]
    return grade_by_proportion(classes, main_pollutants=river_main_pollutants(frame))


def river_grades(
    means: pd.DataFrame, groups: Mapping[str, str], *, section: str = "section", lake: bool = False
) -> pd.DataFrame:
    """Grades of many rivers (or basins) and periods at once from section period means.

    ``means``: rows indexed by ``section`` and period (``PeriodMeans.means``), columns = items [mg/L];
    ``groups`` maps each section to its river. Returns one row per (group, period) with ``status``,
    ``colour``, ``method``, ``n_sections``, ``n_i_iii``, ``n_worse_than_v``, ``share_i_iii`` and
    ``share_worse_than_v`` [%], ``mean_class`` (mean method) and ``note``. Unclassed sections are left
    out. River main pollutants are not computed here; use :func:`river_grade` for one river.
    """
    codes = section_class(means, lake=lake)
    sections = means.index.get_level_values(section)
    missing = sorted({str(s) for s in sections if s not in groups})
    if missing:
        raise ValueError(f"sections without a group: {', '.join(missing[:5])}")
    keys = [pd.Index(sections.map(groups), name="group")]
    keys += [means.index.get_level_values(k) for k, n in enumerate(means.index.names) if n != section]
    classed = codes > 0
    tally = (
        pd.DataFrame(
            {"n_sections": classed, "n_i_iii": classed & (codes <= 3), "n_worse_than_v": codes == 6},
            index=means.index,
        )
        .groupby(keys)
        .sum()
    )
    tally = tally[tally["n_sections"] > 0].astype(np.int64)
    n, good, bad = (tally[c].to_numpy() for c in ("n_sections", "n_i_iii", "n_worse_than_v"))
    levels = proportion_level(good, bad, n)
    few = n < PROPORTION_MIN_SECTIONS
    mean_class = np.full(len(tally), "", dtype=object)
    if few.any():
        # Fewer than 5 sections: average each item over the group's classed sections, then classify.
        pooled = group_means(means[classed], groups, section=section).reindex(tally.index[few])
        pooled_codes = section_class(pooled, lake=lake)
        levels[few] = np.asarray(CLASS_LEVEL, dtype=np.int8)[pooled_codes]
        mean_class[few] = np.asarray(CLASS_LABELS, dtype=object)[pooled_codes]
    boundary = ~few & (100 * good == 60 * n) & (100 * bad == 40 * n)
    return tally.assign(
        status=np.asarray(STATUS_LEVELS, dtype=object)[levels],
        colour=np.asarray(STATUS_COLOURS, dtype=object)[levels],
        method=np.where(few, "mean", "proportion"),
        share_i_iii=100.0 * good / n,
        share_worse_than_v=100.0 * bad / n,
        mean_class=mean_class,
        note=np.where(boundary, BOUNDARY_NOTE, ""),
    )


@dataclass(frozen=True)
class Trend:
    """Change between two periods (环办[2011]22号, reference §2.5).

    ``direction``: +1 better, -1 worse, 0 no marked change. ``steps``: status grades moved (status
    method); ``delta``: ΔG − ΔD in percentage points (proportion method).
    """

    method: Literal["status", "proportion"]
    change: Literal["无明显变化", "有所好转", "有所变差", "明显好转", "明显变差"]
    direction: int
    steps: int | None = None
    delta: Fraction | None = None


def trend_by_status(before: str, after: str) -> Trend:
    """Trend from two statuses: same grade → 无明显变化; one grade → 有所好转/变差; two or more → 明显."""
    for status in (before, after):
        if status not in STATUS_LEVELS:
            raise ValueError(f"unknown status {status!r}: expected one of {' '.join(STATUS_LEVELS)}")
    moved = STATUS_LEVELS.index(before) - STATUS_LEVELS.index(after)  # > 0: better
    steps = abs(moved)
    direction = (moved > 0) - (moved < 0)
    return Trend("status", _change(direction, steps >= 2), direction, steps=steps)


def _change(
    direction: int, marked: bool
) -> Literal["无明显变化", "有所好转", "有所变差", "明显好转", "明显变差"]:
    if direction == 0:
        return "无明显变化"
    if direction > 0:
        return "明显好转" if marked else "有所好转"
    return "明显变差" if marked else "有所变差"


def trend_by_proportion(before: RiverGrade, after: RiverGrade) -> Trend:
    """Trend by the combined class proportions: Δ = (G2 − G1) − (D2 − D1) [percentage points];
    |Δ| ≤ 10 无明显变化, 10 < |Δ| ≤ 20 有所好转/变差, > 20 明显好转/变差; the sign gives the direction."""
    g1 = Fraction(100 * before.n_i_iii, before.n_sections)
    d1 = Fraction(100 * before.n_worse_than_v, before.n_sections)
    g2 = Fraction(100 * after.n_i_iii, after.n_sections)
    d2 = Fraction(100 * after.n_worse_than_v, after.n_sections)
    delta = (g2 - g1) - (d2 - d1)
    if abs(delta) <= 10:
        return Trend("proportion", "无明显变化", 0, delta=delta)
    direction = 1 if delta > 0 else -1
    return Trend("proportion", _change(direction, abs(delta) > 20), direction, delta=delta)


def river_trend(before: RiverGrade, after: RiverGrade) -> Trend:
    """Trend of a river between two periods: the proportion method when both grades used it (5 sections
    or more), else the status method. The method is named in the result."""
    if before.method == "proportion" and after.method == "proportion":
        return trend_by_proportion(before, after)
    return trend_by_status(before.status, after.status)
