"""Water assessments over stored data: section classes per period, river grades, jurisdiction summary.

The method is 环办[2011]22号 on GB 3838-2002 (:mod:`lianfang.assess.water` and friends):

1. each section's samples are averaged per Beijing calendar period under the method's minimums
   (:func:`lianfang.assess.water_period.period_means`: a year is the mean of at least 8 monthly means);
2. each (section, period) mean is classed by the single-factor method over the 21 assessed items, lakes
   and reservoirs on the lake TP limits;
3. rivers (and lakes, by their name in ``Station.river``) are graded per period: fewer than 5 sections
   by averaging, 5 or more by the shares of class I–III and 劣V;
4. each jurisdiction's sections are tallied per period: the published "I–III 类水质断面比例" and
   "劣Ⅴ类断面比例", with the status the proportion method gives (5 sections or more).

Values left out are counted: flagged or impossible values (:mod:`.reading`) and values of a
(section, period, item) that miss the period's minimum (:data:`.exclusions.TOO_FEW_FOR_PERIOD`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from lianfang.assess.water import COLOUR_BY_CLASS, STATUS_BY_CLASS, assess
from lianfang.assess.water_grade import (
    PROPORTION_MIN_SECTIONS,
    STATUS_COLOURS,
    STATUS_LEVELS,
    grade_by_mean,
    proportion_level,
    river_grades,
)
from lianfang.assess.water_limits import CLASS_LABELS
from lianfang.assess.water_period import Period, PeriodMeans, period_means
from lianfang.errors import InputError
from lianfang.model import DataKind, Station, WaterBody
from lianfang.reports.exclusions import TOO_FEW_FOR_PERIOD, Exclusions
from lianfang.reports.reading import WaterSamples, read_water_samples
from lianfang.reports.scope import DayRange
from lianfang.store.base import Store

__all__ = ["SECTION_COLUMNS", "WaterResult", "assess_water", "period_for", "water_result"]

#: Columns of :attr:`WaterResult.sections`.
SECTION_COLUMNS: Final = (
    "mn",
    "name",
    "jurisdiction",
    "river",
    "water_body",
    "period",
    "class",
    "label",
    "status",
    "colour",
    "target",
    "meets_target",
    "main_pollutants",
    "simulated",
)


def period_for(days: DayRange, period: Period | None = None) -> Period:
    """The averaging period: as named, else ``year`` for a calendar year and ``month`` otherwise."""
    if period is not None:
        return period
    return "year" if days.is_year else "month"


@dataclass(frozen=True)
class WaterResult:
    """Water assessment of some sections over some days, per averaging period.

    * ``sections``: one row per (section, period) with a class (:data:`SECTION_COLUMNS`); ``class`` is
      the code 1..6, ``label`` I…劣V, ``main_pollutants`` e.g. ``氨氮`` style item codes with multiples
      ("NH3N(1.3)、TP(0.6)"), ``meets_target`` None without a target class.
    * ``item_means``: the period means behind the classes [mg/L], same rows, one column per item.
    * ``rivers``: one row per (river, period): status, colour, method, counts and shares [%].
    * ``jurisdictions``: one row per (jurisdiction, period): sections, count per class, shares [%],
      status (proportion method, 5 sections or more; otherwise by averaging).
    * ``unclassed``: sections of the scope without a class in any period (no data, or too little).
    """

    days: DayRange
    period: Period
    stations: tuple[Station, ...]
    sections: pd.DataFrame
    item_means: pd.DataFrame
    rivers: pd.DataFrame
    jurisdictions: pd.DataFrame
    unclassed: tuple[Station, ...]
    values_used: int
    exclusions: Exclusions
    unassessed: Mapping[str, int]
    kinds: Mapping[str, DataKind]

    @property
    def simulated(self) -> bool:
        classed = set(self.sections["mn"])
        return any(s.simulated for s in self.stations if s.mn in classed)


def _main_pollutants(names: Sequence[object], multiples: pd.Series) -> str:
    parts = []
    for name in names:
        if name is None:
            continue
        multiple = multiples.get(str(name))
        shown = "" if multiple is None or np.isnan(multiple) else f"({multiple:.1f})"
        parts.append(f"{name}{shown}")
    return "、".join(parts)


def _too_few(samples: WaterSamples, averaged: PeriodMeans) -> Exclusions:
    """Samples behind the (section, period, item) means that missed the period's minimum."""
    short = (averaged.counts > 0) & (averaged.counts < averaged.min_values)
    if samples.frame.empty or not short.to_numpy().any():
        return Exclusions.empty()
    if averaged.period == "year":
        # The year's minimum counts months; the samples behind them are the monthly counts.
        monthly = period_means(samples.frame, "month", section="section", time="time").counts
        years = pd.DatetimeIndex(monthly.index.get_level_values("period")).year
        samples_per = monthly.groupby([monthly.index.get_level_values("section"), years]).sum()
        short.index = pd.MultiIndex.from_arrays(
            [
                short.index.get_level_values("section"),
                pd.DatetimeIndex(short.index.get_level_values("period")).year,
            ]
        )
        counts = samples_per.reindex(short.index).where(short, 0)
    else:
        counts = averaged.counts.where(short, 0)
    per_item = counts.groupby(level=0).sum()
    long = per_item.stack().reset_index()
    long.columns = pd.Index(["mn", "param", "count"])
    long = long[long["count"] > 0].assign(reason=TOO_FEW_FOR_PERIOD)
    return Exclusions(
        long[["mn", "param", "reason", "count"]].astype({"count": "int64"}).reset_index(drop=True)
    )


def _tally(sections: pd.DataFrame, key: str) -> pd.DataFrame:
    codes = sections["class"].to_numpy(dtype=np.int8)
    counts = pd.DataFrame(
        {label: (codes == code) for code, label in enumerate(CLASS_LABELS) if code},
        index=pd.MultiIndex.from_arrays([sections[key], sections["period"]], names=[key, "period"]),
    )
    return counts.groupby(level=[0, 1], sort=True).sum().astype(np.int64)


def _jurisdiction_table(sections: pd.DataFrame, means: pd.DataFrame, lake: pd.Series) -> pd.DataFrame:
    if sections.empty:
        return pd.DataFrame(
            columns=[
                "jurisdiction",
                "period",
                "n_sections",
                *CLASS_LABELS[1:],
                "n_i_iii",
                "n_worse_than_v",
                "share_i_iii",
                "share_worse_than_v",
                "status",
                "colour",
                "method",
            ]
        )
    tally = _tally(sections, "jurisdiction")
    n = tally.sum(axis=1).to_numpy()
    good = tally[["I", "II", "III"]].sum(axis=1).to_numpy()
    bad = tally["劣V"].to_numpy()
    levels = proportion_level(good, bad, n)
    method = np.where(n >= PROPORTION_MIN_SECTIONS, "proportion", "mean")
    for row, (code, period) in enumerate(tally.index):
        if n[row] >= PROPORTION_MIN_SECTIONS:
            continue
        # Fewer than 5 sections (环办[2011]22号): average each item over the sections, then classify.
        rows = ((sections["jurisdiction"] == code) & (sections["period"] == period)).to_numpy()
        subset = means[rows]
        all_lake = bool(lake[rows].all())
        levels[row] = STATUS_LEVELS.index(grade_by_mean(subset, lake=all_lake).status)
    out = tally.reset_index()
    return out.assign(
        n_sections=n,
        n_i_iii=good,
        n_worse_than_v=bad,
        share_i_iii=100.0 * good / n,
        share_worse_than_v=100.0 * bad / n,
        status=np.asarray(STATUS_LEVELS, dtype=object)[levels],
        colour=np.asarray(STATUS_COLOURS, dtype=object)[levels],
        method=method,
    )


def _river_table(means: pd.DataFrame, stations: Mapping[str, Station], lake_rows: np.ndarray) -> pd.DataFrame:
    frames = []
    for is_lake in (False, True):
        rows = lake_rows == is_lake
        subset = means[rows]
        groups = {mn: st.river for mn, st in stations.items() if st.river}
        keep = subset.index.get_level_values("section").isin(list(groups))
        subset = subset[keep]
        if subset.empty:
            continue
        graded = river_grades(subset, groups, section="section", lake=is_lake).reset_index()
        graded = graded.rename(columns={"group": "river"})
        graded["water_body"] = WaterBody.LAKE.value if is_lake else WaterBody.RIVER.value
        frames.append(graded)
    if not frames:
        return pd.DataFrame(
            columns=[
                "river",
                "period",
                "water_body",
                "status",
                "colour",
                "method",
                "n_sections",
                "n_i_iii",
                "n_worse_than_v",
                "share_i_iii",
                "share_worse_than_v",
                "mean_class",
                "note",
            ]
        )
    return pd.concat(frames, ignore_index=True).sort_values(["river", "period"], ignore_index=True)


def water_result(samples: WaterSamples, stations: Sequence[Station], period: Period) -> WaterResult:
    """Classes, grades and tallies from samples already read (:func:`assess_water` reads them)."""
    by_mn = {s.mn: s for s in stations}
    averaged = period_means(samples.frame, period, section="section", time="time")
    means = averaged.means
    too_few = _too_few(samples, averaged)
    lake_rows = np.asarray(
        [by_mn[mn].water_body is WaterBody.LAKE for mn in means.index.get_level_values("section")], dtype=bool
    )
    result = assess(means, lake=lake_rows)
    classed = result.section_class > 0
    frame = result.to_frame()
    multiples = result.exceedance_frame()
    periods = means.index.get_level_values("period")
    mns = means.index.get_level_values("section")
    mains = [
        _main_pollutants(row, multiples.iloc[k]) for k, row in enumerate(result.main_pollutants.tolist())
    ]
    targets = [by_mn[mn].target_class for mn in mns]
    codes = result.section_class
    sections = pd.DataFrame(
        {
            "mn": np.asarray(mns, dtype=object),
            "name": [by_mn[mn].name for mn in mns],
            "jurisdiction": [by_mn[mn].jurisdiction for mn in mns],
            "river": [by_mn[mn].river or "" for mn in mns],
            "water_body": [by_mn[mn].water_body.value for mn in mns],
            "period": periods,
            "class": codes,
            "label": frame["label"].to_numpy(),
            "status": np.asarray(STATUS_BY_CLASS, dtype=object)[codes],
            "colour": np.asarray(COLOUR_BY_CLASS, dtype=object)[codes],
            "target": [CLASS_LABELS[t] if t else "" for t in targets],
            "meets_target": [
                None if not t else bool(c <= t) for c, t in zip(codes.tolist(), targets, strict=True)
            ],
            "main_pollutants": mains,
            "simulated": [by_mn[mn].simulated for mn in mns],
        }
    )[classed].reset_index(drop=True)
    kept_means = means[classed]
    lake_kept = lake_rows[classed]
    classed_mns = set(sections["mn"])
    return WaterResult(
        days=samples.days,
        period=period,
        stations=tuple(stations),
        sections=sections,
        item_means=kept_means.reset_index(),
        rivers=_river_table(kept_means, by_mn, lake_kept),
        jurisdictions=_jurisdiction_table(sections, kept_means, pd.Series(lake_kept)),
        unclassed=tuple(s for s in stations if s.mn not in classed_mns),
        values_used=samples.values_used,
        exclusions=Exclusions.concat([samples.exclusions, too_few]),
        unassessed=samples.unassessed,
        kinds=samples.kinds,
    )


def assess_water(
    store: Store,
    stations: Sequence[Station],
    days: DayRange,
    *,
    period: Period | None = None,
    kind: DataKind | None = None,
) -> WaterResult:
    """Read and assess the water sections ``stations`` over ``days`` (see the module docstring).

    ``period``: averaging period (default :func:`period_for`); periods are Beijing calendar periods
    clipped to ``days`` (only samples inside ``days`` are read). ``kind``: data kind to assess from
    (default: per section, the first of hour, day, min, rtd it has).
    """
    if not stations:
        raise InputError("no water section to assess")
    chosen = period_for(days, period)
    samples = read_water_samples(store, [s.mn for s in stations], days, kind=kind)
    return water_result(samples, stations, chosen)
