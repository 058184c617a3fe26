"""Air quality index (AQI): hourly (real-time) and daily reports by HJ 633-2012 or HJ 633-2026.

The core, :func:`aqi_arrays`, takes whole arrays (any shape, e.g. stations × days) and applies one
edition's rules; :func:`aqi_by_day` picks the edition in force on each day; :func:`aqi_report` is the
one-value form the CLI uses. IAQI values are exact and ceil-rounded (:mod:`lianfang.assess.iaqi`).

Indicators per report ("indicator → reported item"):

=================  ====================================  =======================================
report             HJ 633-2012 (§5.1.2, §5.1.3)          HJ 633-2026 (§4.2.2, §4.2.3)
=================  ====================================  =======================================
daily              SO2/NO2/CO/PM10/PM2.5 24-h means,     SO2/NO2/CO/PM10/PM2.5 daily means,
                   O3 daily max 1 h, O3 daily max 8 h    O3 daily max 8 h (O3 1 h not used)
hourly             SO2/NO2/CO/O3 1 h, O3 8-h moving      SO2/NO2/CO/O3 1 h,
                   mean, PM10/PM2.5 1 h (see below)      PM10/PM2.5 1 h on the daily breakpoints
=================  ====================================  =======================================

Special rules:

* SO2 1 h > 800 µg/m³ — 2012 Table 1 note (2): no 1-h IAQI; SO2 is reported with its 24-h IAQI
  (``so2_24h`` needed). 2026 Table 3 note b: counts as IAQI 200.
* O3 8 h > 800 µg/m³ — 2012 note (3): no 8-h IAQI; O3 is reported with its 1-h IAQI (item ``O3_1h``).
  2026 note c: counts as IAQI 300. (openaq's docs say "24-hour"; that is wrong, reference §6.15.)
* Input rounding — 2026 §4.2.2/§4.2.3: concentrations are rounded by GB/T 8170 to integers
  [µg/m³], CO to one decimal [mg/m³], before the IAQI. 2012 says nothing: values are used as given
  (reference §6.11; rounding them would move results at x.5 boundaries).
* Primary pollutant(s) — 2012 §3.3/§4.4.2, 2026 §3.3/§4.3.1: only when AQI > 50, every item whose IAQI
  equals the AQI (ties all listed), not "every item above 50".

Choices where the standards are silent or sources conflict (also in docs/assessment-air.md):

* 2012 hourly PM10/PM2.5 — the text does not say whether the 1-h value or the 24-h moving mean feeds the
  IAQI (reference §6.12). We use the 1-h value on the 24-h breakpoints, as all peers do and as 2026 now
  prescribes; ``pm*_24h`` are then not used in an hourly report.
* Above the table — undefined in both (§6.13): the IAQI is capped at the column's last row (500) and the
  item is flagged ``above_table`` (the report's notes say so).
* Missing indicators — 2026 §5.3: the AQI is computed from the others and published only if > 100;
  otherwise AQI, level and primary pollutant are NA. 2012 has no rule; we apply the same one, so a day
  with a missing pollutant never counts as a good day on a partial index.
* AQI range — 2026 §4.1.1 sets 1–500: an AQI of 0 (all concentrations zero after rounding) is given as 1
  under 2026 and 0 under 2012.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from lianfang.assess.aqi_tables import AQI_LEVELS, AqiItem, AqiLevel, Indicator
from lianfang.assess.editions import AqiEdition, air_rules_for, edition_for_days, today_beijing
from lianfang.assess.gbt8170 import round_half_even
from lianfang.assess.iaqi import Concentration, above_table, as_fraction, iaqi_array

__all__ = [
    "AqiArrays",
    "AqiReport",
    "Concentrations",
    "ItemRule",
    "Period",
    "aqi_arrays",
    "aqi_by_day",
    "aqi_report",
    "items_of",
    "level_of",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: indicator (or its CLI key) -> concentrations [µg/m³; CO mg/m³]
Concentrations = Mapping[Indicator, npt.ArrayLike] | Mapping[str, npt.ArrayLike]

#: SO2 1 h and O3 8 h columns end at 800 µg/m³ (2012 notes 2 and 3; 2026 notes b and c).
_SPECIAL_LIMIT = 800.0
#: HJ 633-2026 Table 3 notes b, c: above 800 these count as IAQI 200 and 300 (rules with no fallback)
_COUNTED_2026 = {Indicator.SO2_1H: 200, Indicator.O3_8H: 300}


class Period(StrEnum):
    HOUR = "hour"  # real-time report (实时报)
    DAY = "day"  # daily report (日报)


@dataclass(frozen=True, slots=True)
class ItemRule:
    """How one reported item gets its IAQI in one edition and period."""

    item: AqiItem
    source: Indicator
    # 2012 note (2): above 800 the item's IAQI comes from this indicator instead
    fallback: Indicator | None = None
    # 2012 note (3): above 800 the item is not indexed; the item named here carries the pollutant
    replaced_by: AqiItem | None = None


_I, _A = Indicator, AqiItem
_ITEMS: dict[tuple[AqiEdition, Period], tuple[ItemRule, ...]] = {
    (AqiEdition.HJ633_2012, Period.DAY): (
        ItemRule(_A.SO2, _I.SO2_24H),
        ItemRule(_A.NO2, _I.NO2_24H),
        ItemRule(_A.CO, _I.CO_24H),
        ItemRule(_A.O3_1H, _I.O3_1H),
        ItemRule(_A.O3_8H, _I.O3_8H, replaced_by=_A.O3_1H),
        ItemRule(_A.PM10, _I.PM10_24H),
        ItemRule(_A.PM25, _I.PM25_24H),
    ),
    (AqiEdition.HJ633_2012, Period.HOUR): (
        ItemRule(_A.SO2, _I.SO2_1H, fallback=_I.SO2_24H),
        ItemRule(_A.NO2, _I.NO2_1H),
        ItemRule(_A.CO, _I.CO_1H),
        ItemRule(_A.O3_1H, _I.O3_1H),
        ItemRule(_A.O3_8H, _I.O3_8H, replaced_by=_A.O3_1H),
        ItemRule(_A.PM10, _I.PM10_1H),
        ItemRule(_A.PM25, _I.PM25_1H),
    ),
    (AqiEdition.HJ633_2026, Period.DAY): (
        ItemRule(_A.SO2, _I.SO2_24H),
        ItemRule(_A.NO2, _I.NO2_24H),
        ItemRule(_A.CO, _I.CO_24H),
        ItemRule(_A.O3_8H, _I.O3_8H),
        ItemRule(_A.PM10, _I.PM10_24H),
        ItemRule(_A.PM25, _I.PM25_24H),
    ),
    (AqiEdition.HJ633_2026, Period.HOUR): (
        ItemRule(_A.SO2, _I.SO2_1H),
        ItemRule(_A.NO2, _I.NO2_1H),
        ItemRule(_A.CO, _I.CO_1H),
        ItemRule(_A.O3_1H, _I.O3_1H),
        ItemRule(_A.PM10, _I.PM10_1H),
        ItemRule(_A.PM25, _I.PM25_1H),
    ),
}


def items_of(edition: AqiEdition | str, period: Period | str) -> tuple[ItemRule, ...]:
    """The reported items of an edition's daily or hourly report, in report order."""
    return _ITEMS[(AqiEdition(edition), Period(period))]


def _input_decimals(indicator: Indicator) -> int:
    # HJ 633-2026 §4.2.2: "CO 保留 1 位小数，其他污染物保留整数" (GB/T 8170)
    return 1 if indicator in (Indicator.CO_1H, Indicator.CO_24H) else 0


@dataclass(frozen=True, slots=True)
class AqiArrays:
    """AQI results, element-wise over the input shape. Whole numbers in float arrays; NaN = none.

    ``aqi`` is NaN where not published (nothing measured, or a missing item and AQI ≤ 100);
    ``aqi_partial`` is the maximum over the items present, published or not. ``level`` is 0 where
    ``aqi`` is NaN. ``hj633_2026`` tells which edition each element was computed with.
    """

    period: Period
    items: tuple[AqiItem, ...]
    iaqi: Mapping[AqiItem, FloatArray]
    aqi: FloatArray
    aqi_partial: FloatArray
    level: npt.NDArray[np.int8]
    primary: Mapping[AqiItem, BoolArray]
    missing: Mapping[AqiItem, BoolArray]
    above_table: Mapping[AqiItem, BoolArray]
    substituted: Mapping[AqiItem, BoolArray]  # a 2012 ">800" rule changed where the IAQI came from
    concentration: Mapping[Indicator, FloatArray]  # as used, after the edition's input rounding
    hj633_2026: BoolArray


def level_of(aqi: npt.ArrayLike) -> npt.NDArray[np.int8]:
    """AQI level 1..6 (HJ 633-2012 Table 2 / 2026 Table 1); 0 where the AQI is NaN."""
    a = np.asarray(aqi, dtype=np.float64)
    uppers = np.asarray([lv.upper for lv in AQI_LEVELS[:-1]], dtype=np.float64)
    level = (np.searchsorted(uppers, a, side="left") + 1).astype(np.int8)
    return np.where(np.isnan(a), np.int8(0), level).astype(np.int8)


def aqi_arrays(
    concentrations: Concentrations,
    *,
    edition: AqiEdition | str,
    period: Period | str,
) -> AqiArrays:
    """AQI of every element by one ``edition`` [inputs µg/m³; CO mg/m³; NaN = missing].

    ``concentrations`` maps indicators (``so2_24h`` …) to arrays that broadcast together; indicators the
    report does not use are ignored, indicators it needs and lacks count as missing.
    """
    ed, per = AqiEdition(edition), Period(period)
    given = {Indicator(k): np.asarray(v, dtype=np.float64) for k, v in concentrations.items()}
    shape = np.broadcast_shapes(*(v.shape for v in given.values())) if given else ()
    nan = np.full(shape, np.nan)
    used: dict[Indicator, FloatArray] = {}
    for ind, values in given.items():
        values = np.broadcast_to(values, shape)
        used[ind] = round_half_even(values, _input_decimals(ind)) if ed is AqiEdition.HJ633_2026 else values

    def conc(ind: Indicator | None) -> FloatArray:
        return nan if ind is None else used.get(ind, nan)

    rules = items_of(ed, per)
    iaqi: dict[AqiItem, FloatArray] = {}
    missing: dict[AqiItem, BoolArray] = {}
    above: dict[AqiItem, BoolArray] = {}
    substituted: dict[AqiItem, BoolArray] = {}
    for rule in rules:
        c = conc(rule.source)
        has_special = rule.fallback or rule.replaced_by or rule.source in _COUNTED_2026
        with np.errstate(invalid="ignore"):
            special = (c > _SPECIAL_LIMIT) if has_special else np.zeros(shape, bool)
        source_c = c
        if rule.fallback is not None:
            source_c = np.where(special, conc(rule.fallback), c)
            top = above_table(rule.fallback, source_c, ed) & special
            top |= above_table(rule.source, source_c, ed) & ~special
            value = np.where(
                special, iaqi_array(rule.fallback, source_c, ed), iaqi_array(rule.source, source_c, ed)
            )
        else:
            # 2026 notes b/c ("按 200/300 计") are the last row of these columns: not "above the table"
            top = above_table(rule.source, c, ed) & ~special
            value = iaqi_array(rule.source, c, ed)
        if rule.replaced_by is not None:
            value = np.where(special, np.nan, value)
            top = top & ~special
            replacement = conc(next(r.source for r in rules if r.item is rule.replaced_by))
            missing[rule.item] = np.isnan(c) | (special & np.isnan(replacement))
        else:
            missing[rule.item] = np.isnan(value)
        iaqi[rule.item] = value
        above[rule.item] = top
        substituted[rule.item] = special

    items = tuple(r.item for r in rules)
    stacked = np.stack([iaqi[i] for i in items]) if items else np.full((1, *shape), np.nan)
    all_nan = np.all(np.isnan(stacked), axis=0)
    partial = np.where(all_nan, np.nan, np.nanmax(np.where(all_nan, 0.0, stacked), axis=0))
    any_missing = np.any(np.stack([missing[i] for i in items]), axis=0)
    with np.errstate(invalid="ignore"):
        # HJ 633-2026 §5.3: with an item missing, publish only an AQI above 100
        published = ~np.isnan(partial) & (~any_missing | (partial > 100))
        aqi = np.where(published, partial, np.nan)
        if ed is AqiEdition.HJ633_2026:
            aqi = np.where(aqi == 0, 1.0, aqi)  # HJ 633-2026 §4.1.1: AQI range 1–500
        # primary pollutant only when AQI > 50, all items tied at the maximum
        primary = {i: published & (partial > 50) & (iaqi[i] == partial) for i in items}
    return AqiArrays(
        period=per,
        items=items,
        iaqi=iaqi,
        aqi=aqi,
        aqi_partial=partial,
        level=level_of(aqi),
        primary=primary,
        missing=missing,
        above_table=above,
        substituted=substituted,
        concentration=used,
        hj633_2026=np.full(shape, ed is AqiEdition.HJ633_2026),
    )


def aqi_by_day(
    concentrations: Concentrations,
    days: npt.ArrayLike,
    *,
    period: Period | str,
) -> AqiArrays:
    """As :func:`aqi_arrays`, each element by the edition in force on its day.

    ``days`` (``datetime64[D]``, Beijing calendar days) broadcasts against the concentrations, typically
    shape ``(n_days,)`` against ``(stations, n_days)``. Items of either edition appear; an item the
    element's edition does not report is NaN there (never missing).
    """
    given: dict[Indicator, FloatArray] = {
        Indicator(k): np.asarray(v, dtype=np.float64) for k, v in concentrations.items()
    }
    day_arr = np.asarray(days, dtype="datetime64[D]")
    shape = np.broadcast_shapes(day_arr.shape, *(v.shape for v in given.values()))
    new = np.broadcast_to(edition_for_days(day_arr), shape)
    if not new.any() or new.all():  # one edition only: skip computing the other
        only = aqi_arrays(
            given, edition=AqiEdition.HJ633_2026 if new.any() else AqiEdition.HJ633_2012, period=period
        )
        return replace(only, hj633_2026=new.copy())
    old_res = aqi_arrays(given, edition=AqiEdition.HJ633_2012, period=period)
    new_res = aqi_arrays(given, edition=AqiEdition.HJ633_2026, period=period)
    items = tuple(dict.fromkeys(old_res.items + new_res.items))
    nan = np.full(shape, np.nan)
    no = np.zeros(shape, dtype=bool)

    def pick(
        old: Mapping[AqiItem, npt.NDArray[np.float64]], new_m: Mapping[AqiItem, npt.NDArray[np.float64]]
    ) -> dict[AqiItem, FloatArray]:
        return {i: np.where(new, new_m.get(i, nan), old.get(i, nan)) for i in items}

    def pick_b(
        old: Mapping[AqiItem, BoolArray], new_m: Mapping[AqiItem, BoolArray]
    ) -> dict[AqiItem, BoolArray]:
        return {i: np.where(new, new_m.get(i, no), old.get(i, no)) for i in items}

    aqi = np.where(new, new_res.aqi, old_res.aqi)
    return AqiArrays(
        period=Period(period),
        items=items,
        iaqi=pick(old_res.iaqi, new_res.iaqi),
        aqi=aqi,
        aqi_partial=np.where(new, new_res.aqi_partial, old_res.aqi_partial),
        level=level_of(aqi),
        primary=pick_b(old_res.primary, new_res.primary),
        missing=pick_b(old_res.missing, new_res.missing),
        above_table=pick_b(old_res.above_table, new_res.above_table),
        substituted=pick_b(old_res.substituted, new_res.substituted),
        concentration={
            k: np.where(new, new_res.concentration[k], old_res.concentration[k])
            for k in new_res.concentration
        },
        hj633_2026=new,
    )


@dataclass(frozen=True, slots=True)
class AqiReport:
    """One AQI report, as published: the AQI is ``None`` where HJ 633-2026 §5.3 says NA."""

    edition: AqiEdition
    period: Period
    aqi: int | None
    level: AqiLevel | None
    primary_pollutants: tuple[AqiItem, ...]
    iaqi: Mapping[AqiItem, int]  # items that have a value, in report order
    missing: tuple[AqiItem, ...]
    notes: tuple[str, ...]  # which special rule or lianfang convention shaped the result
    concentrations: Mapping[Indicator, float]  # as used (after input rounding)
    sources: Mapping[AqiItem, Indicator]  # the indicator each item's IAQI came from

    def to_json(self) -> dict[str, object]:
        """The CLI's JSON shape (other tools rely on it: keep it exactly)."""
        return {
            "standard": self.edition.value,
            "period": self.period.value,
            "aqi": self.aqi,
            "level": None if self.level is None else self.level.level,
            "category": None if self.level is None else self.level.category_zh,
            "colour": None if self.level is None else self.level.colour_hex,
            "primary_pollutants": [p.value for p in self.primary_pollutants],
            "iaqi": {k.value: v for k, v in self.iaqi.items()},
        }


def aqi_report(
    concentrations: Mapping[Indicator, Concentration] | Mapping[str, Concentration],
    *,
    period: Period | str,
    edition: AqiEdition | str | None = None,
    day: date | None = None,
) -> AqiReport:
    """The AQI report of one set of concentrations [µg/m³; CO mg/m³].

    Without ``edition`` the edition in force on ``day`` (default: today in Beijing) is used. Values may be
    ``Decimal``, ``Fraction``, ``int``, ``float`` or numeric strings; negative, non-finite or too large
    ones raise ``ValueError``.
    """
    ed = AqiEdition(edition) if edition is not None else air_rules_for(day or today_beijing()).edition
    per = Period(period)
    checked: dict[Indicator, npt.ArrayLike] = {}
    for key, value in concentrations.items():
        try:
            ind = Indicator(key)
        except ValueError:
            raise ValueError(f"unknown indicator {key!r}") from None
        try:
            checked[ind] = float(as_fraction(value))
        except OverflowError:
            raise ValueError(f"{key}: {value} is too large for a concentration") from None
    res = aqi_arrays(checked, edition=ed, period=per)
    notes: list[str] = []
    for rule in items_of(ed, per):
        item = rule.item
        if bool(res.substituted[item]):
            if rule.fallback is not None:
                notes.append(f"{item}: 1-h value > 800, IAQI from the 24-h mean (HJ 633-2012 Table 1 note 2)")
            elif rule.replaced_by is not None:
                notes.append(
                    f"{item}: 8-h value > 800, O3 reported by its 1-h IAQI (HJ 633-2012 Table 1 note 3)"
                )
            else:
                note = "b" if rule.source is Indicator.SO2_1H else "c"
                counted = _COUNTED_2026[rule.source]
                notes.append(
                    f"{item}: value > 800, counted as IAQI {counted} (HJ 633-2026 Table 3 note {note})"
                )
        if bool(res.above_table[item]):
            notes.append(
                f"{item}: above the top of the table, IAQI capped (HJ 633 silent; lianfang convention)"
            )
    missing = tuple(i for i in res.items if bool(res.missing[i]))
    aqi = None if np.isnan(res.aqi) else int(res.aqi)
    if missing:
        shown = "published" if aqi is not None else "not published (NA)"
        rule_src = (
            "HJ 633-2026 §5.3"
            if ed is AqiEdition.HJ633_2026
            else "HJ 633-2026 §5.3 rule, lianfang applies it to 2012"
        )
        notes.append(f"missing {', '.join(missing)}: AQI {shown} ({rule_src})")
    return AqiReport(
        edition=ed,
        period=per,
        aqi=aqi,
        level=None if aqi is None else AQI_LEVELS[int(res.level) - 1],
        primary_pollutants=tuple(i for i in res.items if bool(res.primary[i])),
        iaqi={i: int(res.iaqi[i]) for i in res.items if not np.isnan(res.iaqi[i])},
        missing=missing,
        notes=tuple(notes),
        concentrations={k: float(v) for k, v in res.concentration.items()},
        sources={
            r.item: r.fallback if r.fallback is not None and bool(res.substituted[r.item]) else r.source
            for r in items_of(ed, per)
        },
    )
