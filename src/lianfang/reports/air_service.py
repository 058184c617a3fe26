"""Air assessments over stored data: daily AQI series and monthly/annual HJ 663 evaluations, per
station and per city (a jurisdiction's stations taken together).

City values (HJ 663, reference §4.5): the city's daily concentration of each statistic is the arithmetic
mean over its stations valid that day, and the city AQI is computed from those means — never by
averaging station AQIs (:func:`lianfang.assess.air_daily.city_daily`).

Editions: each day's AQI uses the HJ 633 edition in force that day; a month or year is judged against
the limits in force on its last day (:mod:`lianfang.assess.editions`), unless an edition is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lianfang.assess.air import AqiArrays
from lianfang.assess.air_daily import POLLUTANTS, DailyAir, city_daily, daily_air, daily_aqi
from lianfang.assess.air_evaluation import PERCENTILES, AirEvaluation, EvaluationPeriod, evaluate_air
from lianfang.assess.editions import AqiEdition, air_rules
from lianfang.assess.stats import HOURS_PER_DAY
from lianfang.errors import InputError
from lianfang.model import Station
from lianfang.reports.exclusions import Exclusions
from lianfang.reports.reading import read_air_hours
from lianfang.reports.scope import DayRange
from lianfang.store.base import Store

__all__ = ["AirDays", "AirPeriodEvaluation", "air_days", "evaluate_air_days", "slice_daily"]


@dataclass(frozen=True)
class AirDays:
    """Daily statistics and daily AQI of stations (leading axis, ``stations`` order) and of their city.

    ``invalid_days[p]``: station-days with values of pollutant ``p`` but too few for a valid daily
    statistic (GB 3095 Table 4: 20 h for a daily mean; HJ 663: 14 windows for the O3 daily max 8 h).
    ``missing``: stations of the scope without one usable hourly value in these days.
    """

    days: DayRange
    stations: tuple[Station, ...]
    missing: tuple[Station, ...]
    station_daily: DailyAir
    city_daily: DailyAir
    station_aqi: AqiArrays
    city_aqi: AqiArrays
    values_used: int
    exclusions: Exclusions
    invalid_days: dict[str, int]

    @property
    def simulated(self) -> bool:
        """True when any station behind these figures is a simulated one."""
        return any(s.simulated for s in self.stations)


def _invalid_days(cube: npt.NDArray[np.float64], daily: DailyAir) -> dict[str, int]:
    n_st, n_hours, n_pol = cube.shape
    per_day = (~np.isnan(cube)).reshape(n_st, n_hours // HOURS_PER_DAY, HOURS_PER_DAY, n_pol).sum(axis=2)
    out: dict[str, int] = {}
    for j, pollutant in enumerate(POLLUTANTS):
        statistic = daily.values[PERCENTILES[pollutant][0]]
        out[pollutant] = int(np.count_nonzero((per_day[:, :, j] > 0) & np.isnan(statistic)))
    return out


def air_days(
    store: Store,
    stations: Sequence[Station],
    days: DayRange,
    *,
    edition: AqiEdition | str | None = None,
    min_stations: int = 1,
) -> AirDays:
    """Read the hourly data of ``stations`` over ``days`` and compute daily statistics and AQIs.

    ``edition`` names an HJ 633 edition for every day (default: the one in force each day).
    ``min_stations``: fewest valid stations behind a city daily value (HJ 663-2013's minimum share was
    not available to us; the default takes any valid station).
    """
    by_mn = {s.mn: s for s in stations}
    hours = read_air_hours(store, list(by_mn), days)
    station_daily = daily_air(hours.cube, days.first)
    city = city_daily(station_daily, min_stations=min_stations)
    present = tuple(by_mn[mn] for mn in hours.stations)
    return AirDays(
        days=days,
        stations=present,
        missing=tuple(s for mn, s in by_mn.items() if mn not in hours.stations),
        station_daily=station_daily,
        city_daily=city,
        station_aqi=daily_aqi(station_daily, edition=edition),
        city_aqi=daily_aqi(city, edition=edition),
        values_used=hours.values_used,
        exclusions=hours.exclusions,
        invalid_days=_invalid_days(hours.cube, station_daily),
    )


def slice_daily(daily: DailyAir, days: DayRange) -> DailyAir:
    """The days of ``daily`` that fall within ``days`` (last axis)."""
    d = np.asarray(daily.days, dtype="datetime64[D]")
    mask = (d >= np.datetime64(days.first, "D")) & (d <= np.datetime64(days.last, "D"))
    if not mask.any():
        raise InputError(f"no day of {days.label()} in the data read")
    return DailyAir(days=d[mask], values={k: v[..., mask] for k, v in daily.values.items()})


@dataclass(frozen=True)
class AirPeriodEvaluation:
    """HJ 663 evaluation of one calendar month or year: ``station`` (leading axis = ``stations``) and
    ``city`` (all of them together)."""

    days: DayRange
    period: EvaluationPeriod
    stations: tuple[Station, ...]
    station: AirEvaluation
    city: AirEvaluation
    source: AirDays

    @property
    def simulated(self) -> bool:
        return self.source.simulated


def evaluate_air_days(
    source: AirDays,
    days: DayRange | None = None,
    *,
    edition: AqiEdition | str | None = None,
    require_valid: bool = True,
) -> AirPeriodEvaluation:
    """Evaluate one calendar month or year (``days``, default all of ``source``) by HJ 663.

    With ``require_valid=False`` statistics are computed from whatever valid days exist (not official:
    HJ 663 needs 324 valid days a year and 27 a month, February 25).
    """
    span = days or source.days
    if span.is_year:
        period = EvaluationPeriod.YEAR
    elif span.is_month:
        period = EvaluationPeriod.MONTH
    else:
        raise InputError(f"an evaluation covers one calendar month or year, not {span.label()}")
    rules = None if edition is None else air_rules(edition, span.last)
    stations_daily = slice_daily(source.station_daily, span)
    city = slice_daily(source.city_daily, span)
    return AirPeriodEvaluation(
        days=span,
        period=period,
        stations=source.stations,
        station=evaluate_air(
            stations_daily, period=period, rules=rules, edition=edition, require_valid=require_valid
        ),
        city=evaluate_air(city, period=period, rules=rules, edition=edition, require_valid=require_valid),
        source=source,
    )
