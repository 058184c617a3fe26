"""The figures of the monthly report: per jurisdiction, the month's air evaluation and daily AQI, the
water sections' classes, river grades and class shares, and twelve months of trend for each.

Air figures of a month are computed from whatever valid days exist (HJ 663 needs 27 valid days, 25 in
February, for an official monthly statistic); :attr:`AirMonth.official` says whether they qualify, and
the report marks those that do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lianfang.errors import InputError, NotFoundError
from lianfang.model import Jurisdiction, Station, StationKind
from lianfang.reports.air_service import AirDays, AirPeriodEvaluation, air_days, evaluate_air_days
from lianfang.reports.records import air_evaluation_object, percent
from lianfang.reports.scope import DayRange
from lianfang.reports.water_service import WaterResult, assess_water
from lianfang.store.base import Store

__all__ = ["TREND_MONTHS", "AirMonth", "MonthlyReport", "build_monthly_report", "months_back"]

#: Months shown in the trend charts, the report's month included.
TREND_MONTHS = 12


def months_back(year: int, month: int, count: int) -> list[DayRange]:
    """The ``count`` calendar months ending with ``year``-``month``, oldest first."""
    index = year * 12 + month - 1
    return [DayRange.month(k // 12, k % 12 + 1) for k in range(index - count + 1, index + 1)]


@dataclass(frozen=True)
class AirMonth:
    """One jurisdiction's air in the report month, as a city (mean over its stations, HJ 663)."""

    jurisdiction: Jurisdiction
    stations: tuple[Station, ...]
    evaluation: AirPeriodEvaluation  # the month, from the valid days there are
    official: bool  # every pollutant has HJ 663's valid days for a monthly statistic
    daily: AirDays  # the report month's days
    trend: tuple[tuple[str, dict[str, object]], ...]  # (YYYY-MM, evaluation object) oldest first

    @property
    def simulated(self) -> bool:
        return any(s.simulated for s in self.stations)

    @property
    def figures(self) -> dict[str, object]:
        """The month's evaluation object (``month``, ``pm25_mean`` … ``good_day_rate``)."""
        return air_evaluation_object(self.evaluation.city)


@dataclass(frozen=True)
class MonthlyReport:
    month: DayRange
    jurisdictions: tuple[Jurisdiction, ...]
    air: tuple[AirMonth, ...]
    water: WaterResult | None  # the report month's sections (period = month)
    water_trend: tuple[tuple[str, str, int, float | None, float | None], ...]  # (YYYY-MM, code, n, G, D)

    @property
    def simulated(self) -> bool:
        return any(a.simulated for a in self.air) or bool(self.water and self.water.simulated)

    @property
    def label(self) -> str:
        return self.month.label()


def _air_month(
    store: Store, jurisdiction: Jurisdiction, stations: Sequence[Station], months: list[DayRange]
) -> AirMonth | None:
    span = DayRange(months[0].first, months[-1].last)
    source = air_days(store, stations, span)
    if not source.stations:
        return None
    trend: list[tuple[str, dict[str, object]]] = []
    for month in months:
        evaluation = evaluate_air_days(source, month, require_valid=False)
        trend.append((month.label(), air_evaluation_object(evaluation.city)))
    report_month = months[-1]
    evaluation = evaluate_air_days(source, report_month, require_valid=False)
    official = all(bool(p.valid) for p in evaluation.city.pollutants.values())
    this_month = air_days(store, stations, report_month)
    return AirMonth(jurisdiction, tuple(source.stations), evaluation, official, this_month, tuple(trend))


def _water_trend(
    store: Store, stations: Sequence[Station], months: list[DayRange]
) -> tuple[WaterResult | None, list[tuple[str, str, int, float | None, float | None]]]:
    span = DayRange(months[0].first, months[-1].last)
    result = assess_water(store, stations, span, period="month")
    rows: list[tuple[str, str, int, float | None, float | None]] = []
    for rec in result.jurisdictions.to_dict("records"):
        n = int(rec["n_sections"])
        label = f"{rec['period']:%Y-%m}"
        rows.append(
            (
                label,
                str(rec["jurisdiction"]),
                n,
                percent(int(rec["n_i_iii"]), n),
                percent(int(rec["n_worse_than_v"]), n),
            )
        )
    this_month = assess_water(store, stations, months[-1], period="month")
    return (this_month if not this_month.sections.empty else None), rows


def build_monthly_report(
    store: Store, year: int, month: int, *, jurisdiction: str | None = None
) -> MonthlyReport:
    """Compute the report of ``year``-``month`` for one jurisdiction or every one with stations."""
    if not 1 <= month <= 12:
        raise InputError(f"month {month} is not 1..12")
    known = {j.code: j for j in store.jurisdictions()}
    if jurisdiction is not None and jurisdiction not in known:
        raise NotFoundError(
            f"jurisdiction {jurisdiction!r} is not registered (known: {', '.join(sorted(known))})"
        )
    codes = [jurisdiction] if jurisdiction is not None else sorted(known)
    months = months_back(year, month, TREND_MONTHS)
    air: list[AirMonth] = []
    water_stations: list[Station] = []
    for code in codes:
        air_stations = store.stations(jurisdiction=code, kind=StationKind.AIR)
        if air_stations:
            found = _air_month(store, known[code], air_stations, months)
            if found is not None:
                air.append(found)
        water_stations += store.stations(jurisdiction=code, kind=StationKind.WATER)
    water: WaterResult | None = None
    trend: list[tuple[str, str, int, float | None, float | None]] = []
    if water_stations:
        water, trend = _water_trend(store, water_stations, months)
    with_data = {a.jurisdiction.code for a in air} | {t[1] for t in trend}
    return MonthlyReport(
        month=months[-1],
        jurisdictions=tuple(known[c] for c in codes if c in with_data),
        air=tuple(air),
        water=water,
        water_trend=tuple(trend),
    )
