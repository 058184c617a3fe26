"""The baseline of ``python -m bench assess``: the same computations written the straightforward way,
with pandas group-bys (what an analyst would write from the standards' text).

Same rules as lianfang: GB 3095 Table 4 validity (20 h a day, 6 h per 8-h window, 14 windows for the
O3 daily max 8 h unless it exceeds 160), HJ 633-2012 daily AQI (7 items, ceil, published with a
missing item only above 100), HJ 663 annual validity (324 days, 27 a month, February 25) and
percentiles (pandas' linear quantile is HJ 663 Annex A), the unweighted composite index; water by
GB 3838-2002 and 环办[2011]22号 (monthly means, annual mean of ≥ 8 monthly means, single-factor class,
main pollutants, river grades by proportion or, under 5 sections, by averaging).

Where it differs: plain float arithmetic (``ceil`` of a float IAQI, running-sum rolling means), which
can move a result sitting exactly on a boundary; the benchmark counts such differences.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["pandas_air", "pandas_air_long", "pandas_water"]

FloatArray = npt.NDArray[np.float64]

# HJ 633-2012 Table 1 (µg/m³; CO mg/m³) and the IAQI of each row.
_IAQI = [0, 50, 100, 150, 200, 300, 400, 500]
_BP = {
    "SO2": [0, 50, 150, 475, 800, 1600, 2100, 2620],
    "NO2": [0, 40, 80, 180, 280, 565, 750, 940],
    "CO": [0, 2, 4, 14, 24, 36, 48, 60],
    "O3_1h": [0, 160, 200, 300, 400, 800, 1000, 1200],
    "O3_8h": [0, 100, 160, 215, 265, 800],
    "PM10": [0, 50, 150, 250, 350, 420, 500, 600],
    "PM2.5": [0, 35, 75, 115, 150, 250, 350, 500],
}
_MEANS = ["SO2", "NO2", "CO", "PM10", "PM2.5"]
_PCT = {"SO2": 0.98, "NO2": 0.98, "CO": 0.95, "O3": 0.90, "PM10": 0.95, "PM2.5": 0.95}
_LIMIT = {"SO2": 60, "NO2": 40, "PM10": 70, "PM2.5": 35, "CO": 4, "O3": 160}  # GB 3095-2012 grade 2


def _iaqi(values: pd.Series, column: str) -> pd.Series:
    bp = _BP[column]
    out = np.ceil(np.interp(values.to_numpy(), bp, _IAQI[: len(bp)]))
    return pd.Series(np.where(values.isna(), np.nan, out), index=values.index)


def pandas_air(frame: pd.DataFrame) -> dict[str, FloatArray]:
    """Annual evaluation per station from a wide hourly table (station, time, six pollutants)."""
    df = frame.assign(day=frame["time"].dt.floor("D"), hour=frame["time"].dt.hour)
    by_day = df.groupby(["station", "day"])
    counts = by_day[[*_MEANS, "O3"]].count()
    daily = by_day[_MEANS].mean().where(counts[_MEANS] >= 20)
    daily["O3_1h"] = by_day["O3"].max().where(counts["O3"] >= 20)
    df["o3_8h"] = df.groupby("station")["O3"].rolling(8, min_periods=6).mean().reset_index(level=0, drop=True)
    windows = df[df["hour"] >= 7].groupby(["station", "day"])["o3_8h"]
    mda8, n_windows = windows.max(), windows.count()
    daily["O3"] = mda8.where((n_windows >= 14) | (mda8 > 160))

    # HJ 633-2012 daily AQI; O3 8 h above 800 is not indexed (O3 is then carried by its 1-h IAQI)
    iaqi = pd.DataFrame({p: _iaqi(daily[p], p) for p in _MEANS})
    iaqi["O3_1h"] = _iaqi(daily["O3_1h"], "O3_1h")
    iaqi["O3_8h"] = _iaqi(daily["O3"].where(daily["O3"] <= 800), "O3_8h")
    missing = iaqi[[*_MEANS, "O3_1h"]].isna().any(axis=1) | daily["O3"].isna()
    partial = iaqi.max(axis=1)
    aqi = partial.where(~missing | (partial > 100))

    daily["month"] = daily.index.get_level_values("day").month
    out: dict[str, FloatArray] = {}
    for pollutant in ["SO2", "NO2", "CO", "O3", "PM10", "PM2.5"]:
        values = daily[pollutant]
        per_month = values.notna().groupby([daily.index.get_level_values("station"), daily["month"]]).sum()
        need = np.where(per_month.index.get_level_values(1) == 2, 25, 27)
        month_ok = (per_month >= need).groupby(level=0).agg(["all", "size"])
        total = values.notna().groupby(level="station").sum()
        valid = month_ok["all"] & (month_ok["size"] == 12) & (total >= 324)
        grouped = values.groupby(level="station")
        pct = grouped.quantile(_PCT[pollutant]).where(valid)
        out[f"pct_{pollutant}"] = pct.to_numpy()
        if pollutant not in ("CO", "O3"):
            out[f"mean_{pollutant}"] = grouped.mean().where(valid).to_numpy()
    good = (aqi <= 100).groupby(level="station").sum()
    out["aqi_valid_days"] = aqi.notna().groupby(level="station").sum().to_numpy().astype(float)
    out["good_days"] = good.to_numpy().astype(float)
    out["heavy_or_worse_days"] = (aqi > 200).groupby(level="station").sum().to_numpy().astype(float)
    composite = sum(
        np.round(
            out[f"mean_{p}" if p in ("SO2", "NO2", "PM10", "PM2.5") else f"pct_{p}"], 1 if p == "CO" else 0
        )
        / _LIMIT[p]
        for p in _LIMIT
    )
    out["composite_index"] = np.asarray(composite, dtype=np.float64)
    return out


def pandas_air_long(long: pd.DataFrame) -> dict[str, FloatArray]:
    """:func:`pandas_air` from the store's long rows: pivot to an hourly table on the full hour grid
    (a missing value has no row, and the rolling 8-h windows need every hour), then the same."""
    local = long["time"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    wide = long.assign(time=local).set_index(["mn", "time", "pollutant"])["value"].unstack("pollutant")
    hours = pd.date_range(local.min().normalize(), periods=8760, freq="h")
    grid = pd.MultiIndex.from_product([wide.index.levels[0], hours], names=["mn", "time"])
    frame = wide.reindex(grid).reset_index().rename(columns={"mn": "station"})
    frame.columns.name = None
    return pandas_air(frame)


# --- water ------------------------------------------------------------------------------------------

_LADDER = {"CODMn": [2, 4, 6, 10, 15], "NH3N": [0.15, 0.5, 1.0, 1.5, 2.0], "TP": [0.02, 0.1, 0.2, 0.3, 0.4]}
_DO = [7.5, 6, 5, 3, 2]
_ASSESSED = ["pH", "DO", "CODMn", "NH3N", "TP"]
_S_III = {"CODMn": 6.0, "NH3N": 1.0, "TP": 0.2}
_TABLE_ORDER = ["pH", "DO", "CODMn", "NH3N", "TP"]
_STATUS = ["优", "良好", "轻度污染", "中度污染", "重度污染"]


def _item_classes(frame: pd.DataFrame) -> pd.DataFrame:
    classes = pd.DataFrame(index=frame.index)
    classes["pH"] = np.where(frame["pH"].between(6, 9), 1, 6)
    classes["DO"] = pd.cut(frame["DO"], [-np.inf, *_DO[::-1], np.inf], right=False, labels=[6, 5, 4, 3, 2, 1])
    for item, limits in _LADDER.items():
        classes[item] = pd.cut(frame[item], [-np.inf, *limits, np.inf], right=True, labels=[1, 2, 3, 4, 5, 6])
    classes = classes.astype(float)
    return classes.where(frame[_ASSESSED].notna(), 0).astype(int)


def _main_pollutants(row: pd.Series, classes: pd.Series) -> str:
    ranked = []
    for item in _ASSESSED:
        if classes[item] > 3:
            multiple = (row[item] - _S_III[item]) / _S_III[item] if item in _S_III else -np.inf
            ranked.append((-classes[item], -multiple, _TABLE_ORDER.index(item), item))
    return "、".join(item for *_, item in sorted(ranked)[:3])


def _grades(section_class: pd.Series, river: pd.Series, means: pd.DataFrame, keys: list[str]) -> pd.Series:
    table = pd.DataFrame({"river": river, "cls": section_class}).join(means)
    table = table[table["cls"] > 0]
    groups = table.groupby(["river", *keys])
    n = groups["cls"].size()
    good = groups["cls"].apply(lambda c: (c <= 3).sum())
    bad = groups["cls"].apply(lambda c: (c == 6).sum())
    g, d = 100 * good / n, 100 * bad / n
    status = pd.Series(np.select([g >= 90, g >= 75, d < 20, d < 40], [0, 1, 2, 3], default=4), index=n.index)
    pooled = groups[_ASSESSED].mean()
    pooled_class = _item_classes(pooled).max(axis=1)
    by_mean = pooled_class.map({1: 0, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4})
    return status.where(n >= 5, by_mean).map(dict(enumerate(_STATUS)))


def pandas_water(frame: pd.DataFrame, rivers: npt.NDArray[np.int64]) -> dict[str, npt.NDArray[np.generic]]:
    """Sample classes, monthly classes and main pollutants, annual classes, river grades (month, year)
    from a flat sample table (section, time [Beijing], items)."""
    sample_class = _item_classes(frame).max(axis=1)
    month = frame["time"].dt.to_period("M")
    monthly = frame.groupby(["section", month])[_ASSESSED].mean()
    monthly_items = _item_classes(monthly)
    monthly_class = monthly_items.max(axis=1)
    worse = monthly_class > 3
    mains = pd.Series("", index=monthly.index)
    mains[worse] = [
        _main_pollutants(monthly.loc[key], monthly_items.loc[key]) for key in monthly.index[worse]
    ]
    by_section = monthly.groupby(level="section")
    annual = by_section.mean().where(by_section.count() >= 8)
    annual_class = _item_classes(annual).max(axis=1)
    sections = monthly.index.get_level_values("section")
    month_grades = _grades(
        monthly_class, pd.Series(rivers[sections], index=monthly.index), monthly, [monthly.index.names[1]]
    )
    year_grades = _grades(annual_class, pd.Series(rivers[annual.index], index=annual.index), annual, [])
    return {
        "sample_class": sample_class.to_numpy(),
        "monthly_class": monthly_class.to_numpy(),
        "monthly_main": mains.to_numpy(dtype=object),
        "annual_class": annual_class.to_numpy(),
        "month_grades": month_grades.to_numpy(dtype=object),
        "year_grades": year_grades.to_numpy(dtype=object),
    }
