"""HJ 663 / GB 3095 statistics on whole arrays: validity, daily means, O3 8-h means, percentiles.

Conventions for every function here:

* Hourly series lie on the **last axis**, one slot per hour, starting at 00:00 Beijing time of the first
  day; slot ``h`` is the hour ``h:00–h+1:00`` (lianfang stores period starts; HJ 663 labels the same
  hour ``h+1``). Leading axes (stations, pollutants …) are carried through.
* NaN marks a missing or invalid value (flagged values are NaN before they get here).
* Sums of up to 24 values are taken directly, never as differences of running totals, so that means of
  whole-number data are correctly rounded (the input rounding of HJ 633-2026 then sees exact ties).

Rules (GB 3095-2012/2026 Table 4 "污染物浓度数据有效性的最低要求"; HJ 663-2013, reference §4.2):

* daily mean: at least 20 hourly values in the calendar day;
* 8-h mean: at least 6 hourly values in the 8 h;
* O3 daily maximum 8-h mean: the 17 windows ending 08:00 … 24:00 (slots 0–7 … 16–23), at least 14 of
  them valid — or fewer, when the maximum already exceeds the limit;
* annual statistics: at least 324 daily values a year and 27 a month (February 25); monthly: 27 (25).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt

__all__ = [
    "HOURS_PER_DAY",
    "MDA8_MIN_WINDOWS",
    "MIN_DAYS_PER_MONTH",
    "MIN_DAYS_PER_MONTH_FEB",
    "MIN_DAYS_PER_YEAR",
    "MIN_HOURS_PER_8H",
    "MIN_HOURS_PER_DAY",
    "annual_valid",
    "daily_max_hour",
    "daily_mean",
    "exceedance_multiple",
    "hj663_percentile",
    "monthly_valid",
    "moving_8h_mean",
    "o3_mda8",
    "valid_days_per_month",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

HOURS_PER_DAY = 24
#: GB 3095 Table 4: "每日至少有20个小时平均浓度值或采样时间"
MIN_HOURS_PER_DAY = 20
#: GB 3095 Table 4: "每8小时至少有6个小时平均浓度值"
MIN_HOURS_PER_8H = 6
#: HJ 663-2013 (as quoted, reference §4.2): "至少有14个有效8小时平均浓度值"
MDA8_MIN_WINDOWS = 14
#: GB 3095 Table 4: "每年至少有324个日平均浓度值"
MIN_DAYS_PER_YEAR = 324
#: GB 3095 Table 4: "每月至少有27个日平均浓度值（二月至少有25个日平均浓度值）"
MIN_DAYS_PER_MONTH = 27
MIN_DAYS_PER_MONTH_FEB = 25

_WINDOW = 8
_MDA8_WINDOWS = HOURS_PER_DAY - _WINDOW + 1  # 17: windows ending 08:00 … 24:00


def _by_day(hourly: npt.ArrayLike) -> FloatArray:
    x = np.asarray(hourly, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] % HOURS_PER_DAY:
        raise ValueError(f"the hour axis must hold whole days (a multiple of 24), got shape {x.shape}")
    return x.reshape(*x.shape[:-1], x.shape[-1] // HOURS_PER_DAY, HOURS_PER_DAY)


def daily_mean(hourly: npt.ArrayLike, *, min_hours: int = MIN_HOURS_PER_DAY) -> FloatArray:
    """Daily (24-h) means, shape ``(..., days)``; NaN for days with fewer than ``min_hours`` values."""
    x = _by_day(hourly)
    valid = ~np.isnan(x)
    count = valid.sum(axis=-1)
    total = np.sum(x, axis=-1, where=valid)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= min_hours, total / count, np.nan)


def daily_max_hour(hourly: npt.ArrayLike, *, min_hours: int = MIN_HOURS_PER_DAY) -> FloatArray:
    """Daily maximum hourly value (O3 1 h in HJ 633-2012 daily reports), shape ``(..., days)``.

    Validity is not stated for this statistic; we require the daily-mean rule (``min_hours`` values), so
    a day's maximum is not taken from a few hours.
    """
    x = _by_day(hourly)
    count = (~np.isnan(x)).sum(axis=-1)
    peak = np.max(x, axis=-1, initial=-np.inf, where=~np.isnan(x))
    return np.where(count >= min_hours, peak, np.nan)


def _window_sums(x: FloatArray, n_windows: int) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Sums and counts of the ``n_windows`` 8-slot windows starting at slots 0, 1, … of the last axis."""
    valid = ~np.isnan(x)
    zeroed = np.where(valid, x, 0.0)
    total = np.zeros((*x.shape[:-1], n_windows))
    count = np.zeros((*x.shape[:-1], n_windows), dtype=np.int64)
    for k in range(_WINDOW):  # eight shifted adds: exact for whole numbers, no running-total drift
        total += zeroed[..., k : k + n_windows]
        count += valid[..., k : k + n_windows]
    return total, count


def moving_8h_mean(hourly: npt.ArrayLike, *, min_hours: int = MIN_HOURS_PER_8H) -> FloatArray:
    """8-h moving means (GB 3095-2026 §3: "连续8个小时平均浓度的算术平均值"), same shape as the input.

    Element ``h`` is the mean of slots ``h−7 … h`` (the window ending at the end of hour ``h``), NaN when
    fewer than ``min_hours`` of them are valid; slots before the start of the array count as missing.
    """
    x = np.asarray(hourly, dtype=np.float64)
    padded = np.concatenate([np.full((*x.shape[:-1], _WINDOW - 1), np.nan), x], axis=-1)
    total, count = _window_sums(padded, x.shape[-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= min_hours, total / count, np.nan)


def o3_mda8(
    hourly: npt.ArrayLike,
    *,
    limit: float = 160.0,
    min_windows: int = MDA8_MIN_WINDOWS,
    min_hours: int = MIN_HOURS_PER_8H,
) -> FloatArray:
    """O3 daily maximum 8-h mean [µg/m³], shape ``(..., days)``.

    Over the 17 windows inside the calendar day (HJ 663 Table A.1: windows ending 08:00 … 24:00). Valid
    with ≥ ``min_windows`` valid windows, or with fewer when the maximum exceeds ``limit`` (HJ 663:
    an exceedance cannot be undone by missing hours). ``limit``: GB 3095 grade-2 O3 8-h limit, 160.
    """
    x = _by_day(hourly)
    total, count = _window_sums(x, _MDA8_WINDOWS)
    ok = count >= min_hours
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(ok, total / count, np.nan)
    n_ok = ok.sum(axis=-1)
    peak = np.max(means, axis=-1, initial=-np.inf, where=ok)
    valid = (n_ok >= min_windows) | ((n_ok > 0) & (peak > limit))
    return np.where(valid, peak, np.nan)


def hj663_percentile(values: npt.ArrayLike, p: float, *, axis: int = -1) -> FloatArray:
    """The p-th percentile by HJ 663-2013 Annex A, ignoring NaN; NaN where no value.

    Sort ascending X(1)…X(n); k = 1 + (n − 1)·p/100, s = ⌊k⌋; m_p = X(s) + (X(s+1) − X(s))·(k − s).
    (numpy's default "linear" method.) Vectorised: one sort along ``axis``.
    """
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, not {p}")
    x = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    ordered = np.sort(x, axis=-1)  # NaN sort last
    n = (~np.isnan(ordered)).sum(axis=-1)
    # k − 1 = (n − 1)·p/100 in integers, so that an integral k is recognised exactly (n=101, p=98)
    share = Fraction(str(p)) / 100
    scaled = (np.maximum(n, 1) - 1) * share.numerator
    s = 1 + scaled // share.denominator
    frac = (scaled % share.denominator) / share.denominator
    lo = np.take_along_axis(ordered, (s - 1)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(ordered, np.minimum(s, np.maximum(n, 1) - 1)[..., None], axis=-1)[..., 0]
    result = np.where(frac > 0, lo + (hi - lo) * frac, lo)
    return np.where(n > 0, result, np.nan)


def valid_days_per_month(
    valid: npt.ArrayLike, days: npt.ArrayLike
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.int64]]:
    """Count valid days per calendar month: ``(months, counts)``, counts shape ``(..., n_months)``.

    ``valid`` has days on its last axis; ``days`` (``datetime64[D]``, ascending, one per slot) labels it.
    """
    v = np.asarray(valid, dtype=bool)
    d = np.asarray(days, dtype="datetime64[D]")
    if d.ndim != 1 or d.shape[0] != v.shape[-1]:
        raise ValueError("days must label the last axis of valid, one day per slot")
    if d.size and np.any(np.diff(d) <= np.timedelta64(0, "D")):
        raise ValueError("days must be strictly ascending")
    month = d.astype("datetime64[M]")
    months, starts = np.unique(month, return_index=True)
    if d.size == 0:
        return months, np.zeros((*v.shape[:-1], 0), dtype=np.int64)
    counts = np.add.reduceat(v.astype(np.int64), starts, axis=-1)
    return months, counts


def _month_minimum(months: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    is_feb = (months.astype(np.int64) % 12) == 1  # datetime64[M] counts months from 1970-01
    return np.where(is_feb, MIN_DAYS_PER_MONTH_FEB, MIN_DAYS_PER_MONTH)


def monthly_valid(valid: npt.ArrayLike, days: npt.ArrayLike) -> tuple[npt.NDArray[np.datetime64], BoolArray]:
    """Per calendar month: enough valid days for a monthly statistic (≥ 27, February ≥ 25)."""
    months, counts = valid_days_per_month(valid, days)
    return months, counts >= _month_minimum(months)


def annual_valid(valid: npt.ArrayLike, days: npt.ArrayLike) -> BoolArray:
    """Enough valid days for an annual statistic: ≥ 324 in the year and every month valid.

    ``days`` must cover one calendar year (a month absent from ``days`` has no valid day, so fails).
    """
    d = np.asarray(days, dtype="datetime64[D]")
    years = np.unique(d.astype("datetime64[Y]"))
    if years.size != 1:
        raise ValueError(f"annual validity needs days of exactly one calendar year, got {years.size}")
    months, ok = monthly_valid(valid, d)
    total = np.asarray(valid, dtype=bool).sum(axis=-1)
    enough: BoolArray = (total >= MIN_DAYS_PER_YEAR) & (months.size == 12) & np.all(ok, axis=-1)
    return enough


def exceedance_multiple(concentration: npt.ArrayLike, limit: npt.ArrayLike) -> FloatArray:
    """Air exceedance multiple B = (C − S)/S (HJ 663) [dimensionless]; negative means below the limit.

    Rounded to 10 decimals against float noise (e.g. 0.4 over 0.35 would otherwise drift).
    """
    c = np.asarray(concentration, dtype=np.float64)
    s = np.asarray(limit, dtype=np.float64)
    return np.asarray(np.round((c - s) / s, 10), dtype=np.float64)
