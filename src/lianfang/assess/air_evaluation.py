"""Annual and monthly air evaluation by HJ 663 / GB 3095, vectorised over stations.

Per pollutant (HJ 663-2013 Table 1; the same items in HJ 663-2026, reference §4.4):

=========  ==============  ===========================  =========================
pollutant  period mean     percentile of daily values   compared with
=========  ==============  ===========================  =========================
SO2        annual mean     24-h mean P98                annual / 24-h limit
NO2        annual mean     24-h mean P98                annual / 24-h limit
PM10       annual mean     24-h mean P95                annual / 24-h limit
PM2.5      annual mean     24-h mean P95                annual / 24-h limit
CO         —               24-h mean P95                24-h limit
O3         —               daily max 8-h mean P90       8-h limit
=========  ==============  ===========================  =========================

A pollutant attains the standard only when each of its statistics meets its limit.

Choices (docs/assessment-air.md): statistics are compared and indexed in their *reported* form —
rounded by GB/T 8170 to whole µg/m³ and CO to 0.1 mg/m³, as bulletins publish them and as the worked
composite-index example uses them; the raw values are kept alongside. The composite index is the
unweighted sum of the six sub-indices (the PM2.5×3/NO2×2/O3×2 weights one repository attributes to
HJ 663-2026 are unverified, reference §6.1). A day counts as a valid monitoring day for the good-day rate
when its daily AQI is published (all items valid, or AQI > 100 — reference §6.19 left open). Without
``rules``, limits are those in force on the period's last day; daily AQIs always use each day's edition
unless ``edition`` is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from lianfang.assess.air import level_of
from lianfang.assess.air_daily import POLLUTANTS, DailyAir, daily_aqi
from lianfang.assess.aqi_tables import Indicator
from lianfang.assess.editions import AirRuleSet, AqiEdition, LimitPhase, air_rules_for
from lianfang.assess.gb3095_limits import Averaging, limit
from lianfang.assess.gbt8170 import round_half_even
from lianfang.assess.stats import annual_valid, exceedance_multiple, hj663_percentile, monthly_valid

__all__ = [
    "PERCENTILES",
    "AirEvaluation",
    "AqiDayCounts",
    "EvaluationPeriod",
    "PollutantEvaluation",
    "aqi_day_counts",
    "composite_index",
    "evaluate_air",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class EvaluationPeriod(StrEnum):
    YEAR = "year"
    MONTH = "month"


#: HJ 663-2013 Table 1: pollutant -> (daily statistic, percentile rank)
PERCENTILES: dict[str, tuple[Indicator, int]] = {
    "SO2": (Indicator.SO2_24H, 98),
    "NO2": (Indicator.NO2_24H, 98),
    "CO": (Indicator.CO_24H, 95),
    "O3": (Indicator.O3_8H, 90),
    "PM10": (Indicator.PM10_24H, 95),
    "PM2.5": (Indicator.PM25_24H, 95),
}
_HAS_MEAN = ("SO2", "NO2", "PM10", "PM2.5")


@dataclass(frozen=True, slots=True)
class PollutantEvaluation:
    """One pollutant's statistics, each shaped like the leading axes (e.g. stations).

    Values NaN where the period lacks the valid days HJ 663 requires (unless not enforced).
    ``*_reported``: GB/T 8170-rounded as published [µg/m³ whole; CO 0.1 mg/m³].
    """

    pollutant: str
    valid_days: npt.NDArray[np.int64]
    valid: BoolArray  # enough valid days for this period's statistics
    mean: FloatArray | None  # period mean (SO2, NO2, PM10, PM2.5)
    mean_reported: FloatArray | None
    mean_limit: float | None  # GB 3095 annual limit
    percentile_rank: int
    percentile: FloatArray
    percentile_reported: FloatArray
    percentile_limit: float  # GB 3095 24-h limit (O3: 8-h)
    mean_exceedance: FloatArray | None  # (C − S)/S, negative = below
    percentile_exceedance: FloatArray
    attained: BoolArray  # valid and every statistic within its limit


@dataclass(frozen=True, slots=True)
class AirEvaluation:
    """Evaluation of a period (a calendar year or month) for every series on the leading axes."""

    rules: AirRuleSet
    period: EvaluationPeriod
    first_day: date
    last_day: date
    grade: int
    pollutants: dict[str, PollutantEvaluation]
    composite_index: FloatArray  # Σ C_i/S_i over the six pollutants (NaN if any is missing)
    composite_subindex: dict[str, FloatArray]
    composite_primary: npt.NDArray[np.str_]  # pollutant with the largest sub-index ("" if none)
    aqi_valid_days: npt.NDArray[np.int64]  # days with a published daily AQI
    good_days: npt.NDArray[np.int64]  # daily AQI ≤ 100 (优 and 良)
    heavy_or_worse_days: npt.NDArray[np.int64]  # daily AQI > 200 (重度 and 严重污染)
    good_day_rate: FloatArray  # [%] good_days / aqi_valid_days × 100
    days_per_level: npt.NDArray[np.int64]  # (..., 6) days at AQI levels 1..6


def _reported(pollutant: str, values: FloatArray) -> FloatArray:
    return round_half_even(values, 1 if pollutant == "CO" else 0)


def _period_mean(x: FloatArray) -> FloatArray:
    valid = ~np.isnan(x)
    count = valid.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.sum(x, axis=-1, where=valid) / count, np.nan)


def _check_period(days: npt.NDArray[np.datetime64], period: EvaluationPeriod) -> None:
    unit = "datetime64[Y]" if period is EvaluationPeriod.YEAR else "datetime64[M]"
    if days.size == 0 or np.unique(days.astype(unit)).size != 1:
        raise ValueError(f"a {period.value} evaluation needs days of exactly one calendar {period.value}")


def evaluate_air(
    daily: DailyAir,
    *,
    period: EvaluationPeriod | str = EvaluationPeriod.YEAR,
    rules: AirRuleSet | None = None,
    edition: AqiEdition | str | None = None,
    grade: int = 2,
    require_valid: bool = True,
) -> AirEvaluation:
    """Evaluate one calendar year or month of daily statistics (see the module docstring).

    ``daily`` comes from :func:`lianfang.assess.air_daily.daily_air` (or ``city_daily``). With
    ``require_valid=False`` statistics are computed from whatever valid days exist (for exploration;
    such figures are not official).
    """
    per = EvaluationPeriod(period)
    days = np.asarray(daily.days, dtype="datetime64[D]")
    _check_period(days, per)
    first, last = days[0].astype(date), days[-1].astype(date)
    in_force = rules or air_rules_for(last)
    phase = in_force.limit_phase

    results: dict[str, PollutantEvaluation] = {}
    subindex: dict[str, FloatArray] = {}
    for pollutant in POLLUTANTS:
        indicator, rank = PERCENTILES[pollutant]
        x = np.asarray(daily.values.get(indicator, np.full(daily.shape, np.nan)), dtype=np.float64)
        valid_mask = ~np.isnan(x)
        if per is EvaluationPeriod.YEAR:
            enough = annual_valid(valid_mask, days)
        else:
            enough = monthly_valid(valid_mask, days)[1][..., 0]
        keep = enough if require_valid else valid_mask.any(axis=-1)
        pct = np.where(keep, hj663_percentile(x, rank), np.nan)
        pct_rep = _reported(pollutant, pct)
        pct_limit = limit(phase, pollutant, Averaging.MDA8 if pollutant == "O3" else Averaging.DAY, grade)
        attained = keep & (pct_rep <= pct_limit)
        mean = mean_rep = mean_exc = None
        mean_limit = None
        if pollutant in _HAS_MEAN:
            mean = np.where(keep, _period_mean(x), np.nan)
            mean_rep = _reported(pollutant, mean)
            mean_limit = limit(phase, pollutant, Averaging.ANNUAL, grade)
            mean_exc = exceedance_multiple(mean_rep, mean_limit)
            attained &= mean_rep <= mean_limit
        results[pollutant] = PollutantEvaluation(
            pollutant=pollutant,
            valid_days=valid_mask.sum(axis=-1),
            valid=enough,
            mean=mean,
            mean_reported=mean_rep,
            mean_limit=mean_limit,
            percentile_rank=rank,
            percentile=pct,
            percentile_reported=pct_rep,
            percentile_limit=pct_limit,
            mean_exceedance=mean_exc,
            percentile_exceedance=exceedance_multiple(pct_rep, pct_limit),
            attained=attained,
        )
        subindex[pollutant] = (mean_rep if mean_rep is not None else pct_rep) / _composite_limit(
            phase, pollutant, grade
        )

    composite, primary = _sum_subindices(subindex)
    daily_index = daily_aqi(daily, edition=edition)
    counts = aqi_day_counts(daily_index.aqi)
    return AirEvaluation(
        rules=in_force,
        period=per,
        first_day=first,
        last_day=last,
        grade=grade,
        pollutants=results,
        composite_index=composite,
        composite_subindex=subindex,
        composite_primary=primary,
        aqi_valid_days=counts.valid_days,
        good_days=counts.good_days,
        heavy_or_worse_days=counts.heavy_or_worse_days,
        good_day_rate=counts.good_day_rate,
        days_per_level=counts.days_per_level,
    )


def _composite_limit(phase: LimitPhase, pollutant: str, grade: int) -> float:
    if pollutant in _HAS_MEAN:
        return limit(phase, pollutant, Averaging.ANNUAL, grade)
    return limit(phase, pollutant, Averaging.MDA8 if pollutant == "O3" else Averaging.DAY, grade)


def _sum_subindices(subindex: Mapping[str, FloatArray]) -> tuple[FloatArray, npt.NDArray[np.str_]]:
    names = tuple(subindex)
    stacked = np.stack([subindex[p] for p in names], axis=-1)
    total = stacked.sum(axis=-1)
    any_value = ~np.all(np.isnan(stacked), axis=-1)
    biggest = np.argmax(np.where(np.isnan(stacked), -np.inf, stacked), axis=-1)
    return total, np.where(any_value, np.asarray(names)[biggest], "")


def composite_index(
    concentrations: Mapping[str, npt.ArrayLike], *, phase: LimitPhase, grade: int = 2
) -> tuple[FloatArray, dict[str, FloatArray], npt.NDArray[np.str_]]:
    """环境空气质量综合指数 I_sum = Σ C_i/S_i over SO2, NO2, PM10, PM2.5, CO, O3 (unweighted).

    ``concentrations``: period means of SO2, NO2, PM10, PM2.5 [µg/m³], CO 24-h P95 [mg/m³], O3 daily
    max 8-h P90 [µg/m³], as reported. S_i: GB 3095 annual limits for the four, the 24-h limit for CO,
    the 8-h limit for O3 (reference §4.5). Returns (I_sum, {pollutant: I_i}, pollutant with largest I_i).
    Bulletins print I_sum with two decimals.
    """
    missing = set(POLLUTANTS) - set(concentrations)
    if missing:
        raise ValueError(f"the composite index needs all six pollutants; missing {sorted(missing)}")
    subindex = {
        p: np.asarray(concentrations[p], dtype=np.float64) / _composite_limit(phase, p, grade)
        for p in POLLUTANTS
    }
    total, primary = _sum_subindices(subindex)
    return total, subindex, primary


@dataclass(frozen=True, slots=True)
class AqiDayCounts:
    valid_days: npt.NDArray[np.int64]  # days with a published AQI
    good_days: npt.NDArray[np.int64]  # AQI ≤ 100
    heavy_or_worse_days: npt.NDArray[np.int64]  # AQI > 200
    good_day_rate: FloatArray  # [%]
    days_per_level: npt.NDArray[np.int64]  # (..., 6)


def aqi_day_counts(daily_aqi_values: npt.ArrayLike) -> AqiDayCounts:
    """Good-day rate (优良天数比例) and day counts from daily AQIs (days on the last axis; NaN = no AQI).

    Good-day rate = days with AQI ≤ 100 ÷ valid days × 100 [%] (reference §4.5; bulletins print one
    decimal, e.g. 86/91 → 94.5 %). Sand-and-dust and exceptional-event deductions are not applied.
    """
    aqi = np.asarray(daily_aqi_values, dtype=np.float64)
    published = ~np.isnan(aqi)
    valid = published.sum(axis=-1)
    with np.errstate(invalid="ignore"):
        good = (published & (aqi <= 100)).sum(axis=-1)
        heavy = (published & (aqi > 200)).sum(axis=-1)
    level = level_of(aqi)
    per_level = np.stack([(level == k).sum(axis=-1) for k in range(1, 7)], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(valid > 0, good / valid * 100.0, np.nan)
    return AqiDayCounts(valid, good, heavy, rate, per_level)
