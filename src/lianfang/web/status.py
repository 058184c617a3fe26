"""Current water class and AQI of each station, from the hourly values a caller may see.

Pure functions over an Arrow table of hourly observations (OBSERVATION_SCHEMA, already clipped by
:class:`lianfang.share.SharedReader`); the assessments themselves are :mod:`lianfang.assess`'s.

- **Water sections**: GB 3838-2002 class of the mean of the last 24 h of valid hourly values, by the
  single-factor method of 环办[2011]22号 (:func:`lianfang.assess.water.assess`). Only values flagged
  ``N`` count (DESIGN.md "Values"); parameters GB 3838 does not class (conductivity, turbidity) are
  left out; metals sent in µg/L are converted to mg/L and impossible values (negative, pH outside 0–14)
  dropped, as the assessment service does. A 24-h mean is the dashboard's choice: steadier than one
  hour, and named on screen.
- **Air stations**: the HJ 633 real-time (hourly) AQI of every hour, by the edition in force that day
  (:func:`lianfang.assess.air.aqi_by_day`); the station shows its newest published hour. O3 8-h moving
  means (HJ 633-2012 hourly reports) come from :func:`lianfang.assess.stats.moving_8h_mean`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from lianfang.assess.air import Period, aqi_by_day
from lianfang.assess.aqi_tables import AQI_LEVELS, Indicator
from lianfang.assess.stats import moving_8h_mean
from lianfang.assess.water import COLOUR_BY_CLASS, STATUS_BY_CLASS, assess
from lianfang.assess.water_limits import (
    CLASS_LABELS,
    HJ212_DEFAULT_UNITS,
    UnknownItemError,
    canonical_item,
    to_gb3838_unit,
)
from lianfang.model import BEIJING, Station, StationKind

__all__ = [
    "AIR_INDICATORS",
    "AQI_HOURS",
    "WATER_HOURS",
    "AirStatus",
    "WaterStatus",
    "air_status",
    "hour_floor",
    "water_status",
]

#: hours behind a section's class (whole hours, ending where the hour in progress begins)
WATER_HOURS: Final = 24
#: hourly slots read for the AQI: today's hours (≤ 24) plus 7 before them for the O3 8-h means
AQI_HOURS: Final = 24 + 7

#: HJ 212 code of an ambient-air parameter → the 1-h indicator of HJ 633 it feeds [µg/m³; CO mg/m³]
AIR_INDICATORS: Final[Mapping[str, Indicator]] = {
    "a21026": Indicator.SO2_1H,
    "a21004": Indicator.NO2_1H,
    "a21005": Indicator.CO_1H,
    "a05024": Indicator.O3_1H,
    "a34002": Indicator.PM10_1H,
    "a34004": Indicator.PM25_1H,
}
_HOUR: Final = timedelta(hours=1)
_VALID_FLAG: Final = "N"


def hour_floor(instant: datetime) -> datetime:
    """The start of the hour holding ``instant`` (Beijing keeps whole-hour UTC+8, so UTC floors agree)."""
    return instant.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class WaterStatus:
    """GB 3838 class of one section over [start, end); ``code`` 0 = no assessed item had a value."""

    code: int
    hours: int  # hourly slots with at least one valid value
    main_pollutants: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "class": self.code,
            "label": CLASS_LABELS[self.code] or None,
            "status": STATUS_BY_CLASS[self.code] or None,
            "colour": COLOUR_BY_CLASS[self.code] or None,
            "main_pollutants": list(self.main_pollutants),
            "hours": self.hours,
            "basis": "24h-mean",
        }


@dataclass(frozen=True, slots=True)
class AirStatus:
    """The newest published hourly AQI of one station, and today's published and good hours."""

    aqi: int | None
    level: int | None
    time: datetime | None  # period start of that hour
    primary: tuple[str, ...]
    hours_today: int  # hours of today (Beijing) with a published AQI
    good_hours_today: int  # … of which AQI ≤ 100 (levels 1–2, 优/良)

    def as_json(self) -> dict[str, Any]:
        level = AQI_LEVELS[self.level - 1] if self.level else None
        return {
            "aqi": self.aqi,
            "level": self.level,
            "category_zh": level.category_zh if level else None,
            "category_en": level.category_en if level else None,
            "colour": level.colour_hex if level else None,
            "time": self.time.astimezone(BEIJING).isoformat() if self.time else None,
            "primary": list(self.primary),
            "hours_today": self.hours_today,
            "good_hours_today": self.good_hours_today,
            "basis": "hourly",
        }


def _valid_hourly(table: pa.Table) -> pd.DataFrame:
    frame = table.select(["mn", "param", "kind", "time", "value", "flag"]).to_pandas()
    keep = (frame["kind"] == "hour") & (frame["flag"] == _VALID_FLAG) & frame["value"].notna()
    frame = frame.loc[keep, ["mn", "param", "time", "value"]]
    finite: pd.DataFrame = frame[np.isfinite(frame["value"].to_numpy(dtype=np.float64))]
    return finite


def _in_gb3838_units(frame: pd.DataFrame, items: Mapping[str, str]) -> pd.DataFrame:
    """Values in GB 3838 units [mg/L], impossible ones dropped — the rules of the assessment service
    (:mod:`lianfang.reports.reading`), which reads the store directly and so cannot serve a caller."""
    values = frame["value"].to_numpy(dtype=np.float64).copy()
    params = frame["param"].to_numpy()
    for code, unit in HJ212_DEFAULT_UNITS.items():  # metals stations send in µg/L (DESIGN.md "Units")
        rows = params == code
        if rows.any():
            values[rows] = to_gb3838_unit(items.get(code, code), values[rows], unit)
    is_ph = np.asarray([items.get(p) == "pH" for p in params], dtype=bool)
    is_wt = np.asarray([items.get(p) == "WT" for p in params], dtype=bool)
    possible = np.where(is_ph, (values >= 0) & (values <= 14), is_wt | (values >= 0))
    converted = frame.assign(value=values)
    kept: pd.DataFrame = converted[possible]
    return kept


def water_status(table: pa.Table, stations: Sequence[Station], now: datetime) -> dict[str, WaterStatus]:
    """Class of every water section in ``stations`` from its valid hourly values of the 24 whole hours
    before the hour in progress at ``now``."""
    sections = [s for s in stations if s.kind is StationKind.WATER]
    if not sections:
        return {}
    frame = _valid_hourly(table)
    end = hour_floor(now)  # the 24 whole hours before the hour in progress
    start = end - timedelta(hours=WATER_HOURS)
    frame = frame[(frame["time"] >= pd.Timestamp(start)) & (frame["time"] < pd.Timestamp(end))]
    frame = frame[frame["mn"].isin([s.mn for s in sections])]
    items: dict[str, str] = {}
    for code in frame["param"].unique().tolist():
        try:
            items[code] = canonical_item(code)
        except UnknownItemError:
            continue  # conductivity, turbidity …: GB 3838 does not class them
    frame = frame[frame["param"].isin(list(items))]
    frame = _in_gb3838_units(frame, items)
    means = frame.pivot_table(index="mn", columns="param", values="value", aggfunc="mean")
    hours = frame.groupby("mn")["time"].nunique()
    means = means.reindex([s.mn for s in sections])
    lake = np.asarray([s.water_body.value == "lake" for s in sections], dtype=bool)
    result = assess(means, lake=lake) if len(means.columns) else None
    out: dict[str, WaterStatus] = {}
    for row, section in enumerate(sections):
        if result is None:
            out[section.mn] = WaterStatus(0, 0, ())
            continue
        names = [str(n) for n in result.main_pollutants[row].tolist() if n is not None]
        out[section.mn] = WaterStatus(
            code=int(result.section_class[row]),
            hours=int(hours.get(section.mn, 0)),
            main_pollutants=tuple(names),
        )
    return out


def air_status(table: pa.Table, stations: Sequence[Station], now: datetime) -> dict[str, AirStatus]:
    """Hourly AQI of every air station in ``stations`` over the hours before ``now``."""
    air = [s for s in stations if s.kind is StationKind.AIR]
    if not air:
        return {}
    end = hour_floor(now)  # the hour in progress has no hourly value yet
    first = end - AQI_HOURS * _HOUR
    frame = _valid_hourly(table)
    frame = frame[frame["param"].isin(list(AIR_INDICATORS)) & frame["mn"].isin([s.mn for s in air])]
    slot = ((frame["time"] - pd.Timestamp(first)) // pd.Timedelta(hours=1)).to_numpy(dtype=np.int64)
    inside = (slot >= 0) & (slot < AQI_HOURS)
    row_of = {s.mn: i for i, s in enumerate(air)}
    rows = frame["mn"].map(row_of).to_numpy(dtype=np.int64)[inside]
    slots = slot[inside]
    params = frame["param"].to_numpy()[inside]
    values = frame["value"].to_numpy(dtype=np.float64)[inside]
    concentrations: dict[Indicator, npt.NDArray[np.float64]] = {}
    for code, indicator in AIR_INDICATORS.items():
        grid = np.full((len(air), AQI_HOURS), np.nan)
        hit = params == code
        grid[rows[hit], slots[hit]] = values[hit]
        concentrations[indicator] = grid
    concentrations[Indicator.O3_8H] = moving_8h_mean(concentrations[Indicator.O3_1H])
    starts = [first + k * _HOUR for k in range(AQI_HOURS)]
    days = np.asarray([t.astimezone(BEIJING).date() for t in starts], dtype="datetime64[D]")
    result = aqi_by_day(concentrations, days, period=Period.HOUR)
    today = np.datetime64(now.astimezone(BEIJING).date(), "D")
    in_today = days == today
    out: dict[str, AirStatus] = {}
    for i, station in enumerate(air):
        aqi_row = result.aqi[i]
        published = ~np.isnan(aqi_row)
        hours_today = int((published & in_today).sum())
        good_today = int((published & in_today & (aqi_row <= 100)).sum())
        if not published.any():
            out[station.mn] = AirStatus(None, None, None, (), hours_today, good_today)
            continue
        k = int(np.flatnonzero(published)[-1])
        primary = tuple(str(item) for item in result.items if bool(result.primary[item][i, k]))
        out[station.mn] = AirStatus(
            aqi=int(aqi_row[k]),
            level=int(result.level[i, k]),
            time=starts[k],
            primary=primary,
            hours_today=hours_today,
            good_hours_today=good_today,
        )
    return out
