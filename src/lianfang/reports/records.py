"""Assessment results as plain rows and objects (JSON, CSV, tables), in the form agencies publish.

Rounding (GB/T 8170, half to even, as bulletins print): concentrations to one decimal [µg/m³] and CO
to one decimal [mg/m³]; shares and rates [%] to one decimal from the exact fraction (73 of 74 → 98.6).
NaN (a statistic HJ 663 does not allow for lack of valid days) becomes ``None`` (JSON ``null``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import numpy as np
import pandas as pd

from lianfang.assess.air import AqiArrays
from lianfang.assess.air_daily import DailyAir
from lianfang.assess.air_evaluation import AirEvaluation, EvaluationPeriod
from lianfang.assess.aqi_tables import AQI_LEVELS, Indicator
from lianfang.assess.gbt8170 import round_decimal, round_half_even
from lianfang.reports.air_service import AirDays, AirPeriodEvaluation
from lianfang.reports.water_service import WaterResult

__all__ = [
    "AIR_EVALUATION_KEYS",
    "DAILY_KEYS",
    "air_daily_rows",
    "air_evaluation_object",
    "air_evaluation_rows",
    "jurisdiction_rows",
    "one_decimal",
    "percent",
    "period_label",
    "river_rows",
    "section_rows",
]

#: ``lianfang assess air --jurisdiction J --year Y --format json``: exactly these keys (a contract).
AIR_EVALUATION_KEYS: Final = (
    "year",
    "standard",
    "pm25_mean",
    "pm10_mean",
    "so2_mean",
    "no2_mean",
    "co_p95",
    "o3_8h_p90",
    "valid_days",
    "good_days",
    "good_day_rate",
    "heavy_or_worse_days",
)

#: Daily statistics in series rows: key -> indicator [µg/m³; co mg/m³].
DAILY_KEYS: Final = {
    "pm25": Indicator.PM25_24H,
    "pm10": Indicator.PM10_24H,
    "so2": Indicator.SO2_24H,
    "no2": Indicator.NO2_24H,
    "co": Indicator.CO_24H,
    "o3_8h": Indicator.O3_8H,
    "o3_1h": Indicator.O3_1H,
}


def one_decimal(value: float | np.floating[Any]) -> float | None:
    """GB/T 8170 rounding to one decimal; ``None`` for NaN."""
    x = float(value)
    if math.isnan(x):
        return None
    return float(round_half_even(x, 1))


def percent(count: int, total: int) -> float | None:
    """``count / total`` in [%] with one decimal, GB/T 8170 on the exact fraction; None when total is 0."""
    if total <= 0:
        return None
    exact = Fraction(100 * count, total)
    return float(round_decimal(Decimal(exact.numerator) / Decimal(exact.denominator), 1))


def period_label(value: object, period: str) -> str:
    """A period start as published: ``2015`` (year), ``2015Q1``, ``2015-01``, else the first day."""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if period == "year":
        return f"{stamp.year}"
    if period == "quarter":
        return f"{stamp.year}Q{(stamp.month - 1) // 3 + 1}"
    if period == "month":
        return f"{stamp.year}-{stamp.month:02d}"
    return stamp.date().isoformat()


def _at(values: np.ndarray | None, index: tuple[int, ...]) -> float:
    if values is None:
        return math.nan
    return float(np.asarray(values)[index])


def air_evaluation_object(evaluation: AirEvaluation, index: tuple[int, ...] = ()) -> dict[str, object]:
    """The annual (or monthly) evaluation of one series (``index`` into the leading axes) as the CLI's
    JSON object: :data:`AIR_EVALUATION_KEYS`; a month gives ``"month": "YYYY-MM"`` instead of ``year``."""
    p = evaluation.pollutants
    valid = int(np.asarray(evaluation.aqi_valid_days)[index])
    good = int(np.asarray(evaluation.good_days)[index])
    if evaluation.period is EvaluationPeriod.YEAR:
        when: dict[str, object] = {"year": evaluation.first_day.year}
    else:
        when = {"month": f"{evaluation.first_day:%Y-%m}"}
    return {
        **when,
        "standard": evaluation.rules.edition.value,
        "pm25_mean": one_decimal(_at(p["PM2.5"].mean, index)),
        "pm10_mean": one_decimal(_at(p["PM10"].mean, index)),
        "so2_mean": one_decimal(_at(p["SO2"].mean, index)),
        "no2_mean": one_decimal(_at(p["NO2"].mean, index)),
        "co_p95": one_decimal(_at(p["CO"].percentile, index)),
        "o3_8h_p90": one_decimal(_at(p["O3"].percentile, index)),
        "valid_days": valid,
        "good_days": good,
        "good_day_rate": percent(good, valid),
        "heavy_or_worse_days": int(np.asarray(evaluation.heavy_or_worse_days)[index]),
    }


def _evaluation_extras(evaluation: AirEvaluation, index: tuple[int, ...]) -> dict[str, object]:
    p = evaluation.pollutants
    composite = float(np.asarray(evaluation.composite_index)[index])
    valid = {name: bool(np.asarray(e.valid)[index]) for name, e in p.items()}
    attained = {name: bool(np.asarray(e.attained)[index]) for name, e in p.items()}
    return {
        "so2_p98": one_decimal(_at(p["SO2"].percentile, index)),
        "no2_p98": one_decimal(_at(p["NO2"].percentile, index)),
        "pm10_p95": one_decimal(_at(p["PM10"].percentile, index)),
        "pm25_p95": one_decimal(_at(p["PM2.5"].percentile, index)),
        "composite_index": None if math.isnan(composite) else float(round_half_even(composite, 2)),
        "composite_primary": str(np.asarray(evaluation.composite_primary)[index]) or None,
        "attained": ",".join(name for name, ok in attained.items() if ok),
        "not_attained": ",".join(name for name, ok in attained.items() if valid[name] and not ok),
        "not_valid": ",".join(name for name, ok in valid.items() if not ok),
    }


def air_evaluation_rows(result: AirPeriodEvaluation, *, jurisdiction: str | None) -> list[dict[str, object]]:
    """Rows for tables and CSV: the city (when ``jurisdiction``) then each station, with the JSON keys,
    percentiles, composite index, attainment and exclusion counts."""
    excluded = result.source.exclusions.by_station()
    rows: list[dict[str, object]] = []
    if jurisdiction is not None:
        rows.append(
            {
                "scope": f"city {jurisdiction}",
                "mn": "",
                "name": f"{jurisdiction} ({len(result.stations)} stations)",
                "simulated": result.simulated,
                **air_evaluation_object(result.city),
                **_evaluation_extras(result.city, ()),
                "excluded_values": result.source.exclusions.total,
            }
        )
    for k, station in enumerate(result.stations):
        rows.append(
            {
                "scope": "station",
                "mn": station.mn,
                "name": station.name,
                "simulated": station.simulated,
                **air_evaluation_object(result.station, (k,)),
                **_evaluation_extras(result.station, (k,)),
                "excluded_values": excluded.get(station.mn, 0),
            }
        )
    return rows


def _daily_rows(
    scope: str, mn: str, days: np.ndarray, daily: DailyAir, aqi: AqiArrays, index: tuple[int, ...]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    items = aqi.items
    for d, day in enumerate(days):
        at = (*index, d)
        value = float(aqi.aqi[at])
        level = int(aqi.level[at])
        published = not math.isnan(value)
        row: dict[str, object] = {
            "date": str(np.datetime64(day, "D")),
            "scope": scope,
            "mn": mn,
            "standard": "HJ633-2026" if bool(aqi.hj633_2026[at]) else "HJ633-2012",
            "aqi": int(value) if published else None,
            "level": level if published else None,
            "category": AQI_LEVELS[level - 1].category_zh if published else None,
            "primary_pollutants": [i.value for i in items if bool(aqi.primary[i][at])],
        }
        for key, indicator in DAILY_KEYS.items():
            series = daily.values.get(indicator)
            row[key] = None if series is None else one_decimal(series[at])
        rows.append(row)
    return rows


def air_daily_rows(result: AirDays, *, city: str | None, stations: bool = True) -> list[dict[str, object]]:
    """Daily AQI series: the city's rows (when ``city`` is a jurisdiction code) then each station's."""
    days = np.asarray(result.days.first, dtype="datetime64[D]") + np.arange(result.days.n_days)
    rows: list[dict[str, object]] = []
    if city is not None:
        rows += _daily_rows(f"city {city}", "", days, result.city_daily, result.city_aqi, ())
    if stations:
        for k, station in enumerate(result.stations):
            rows += _daily_rows("station", station.mn, days, result.station_daily, result.station_aqi, (k,))
    return rows


def section_rows(result: WaterResult) -> list[dict[str, object]]:
    """One row per classed (section, period)."""
    out: list[dict[str, object]] = []
    for rec in result.sections.to_dict("records"):
        out.append(
            {
                "mn": rec["mn"],
                "name": rec["name"],
                "jurisdiction": rec["jurisdiction"],
                "river": rec["river"],
                "water_body": rec["water_body"],
                "period": period_label(rec["period"], result.period),
                "class": rec["label"],
                "status": rec["status"],
                "target": rec["target"] or None,
                "meets_target": rec["meets_target"],
                "main_pollutants": rec["main_pollutants"],
                "simulated": bool(rec["simulated"]),
            }
        )
    return out


def _shares(rec: Mapping[Hashable, Any]) -> dict[str, object]:
    n = int(rec["n_sections"])
    return {
        "n_sections": n,
        "share_I_III": percent(int(rec["n_i_iii"]), n),
        "share_worse_than_V": percent(int(rec["n_worse_than_v"]), n),
    }


def river_rows(result: WaterResult) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for rec in result.rivers.to_dict("records"):
        out.append(
            {
                "river": rec["river"],
                "water_body": rec["water_body"],
                "period": period_label(rec["period"], result.period),
                "status": rec["status"],
                "method": rec["method"],
                **_shares(rec),
                "mean_class": rec["mean_class"] or None,
                "note": rec["note"] or None,
            }
        )
    return out


def jurisdiction_rows(
    result: WaterResult, labels: Sequence[str] = ("I", "II", "III", "IV", "V", "劣V")
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for rec in result.jurisdictions.to_dict("records"):
        out.append(
            {
                "jurisdiction": rec["jurisdiction"],
                "period": period_label(rec["period"], result.period),
                **_shares(rec),
                "classes": {label: int(rec[label]) for label in labels},
                "status": rec["status"],
                "method": rec["method"],
            }
        )
    return out
