"""Individual air quality index (IAQI, 空气质量分指数) of one indicator, exact.

HJ 633-2012 §4.2 / HJ 633-2026 formula (1)::

    IAQI_P = (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) · (C_P − BP_Lo) + IAQI_Lo

on *continuous* segments (each segment starts where the previous ends, not at "51"), then rounded up:
HJ 633-2012 §6.2 "空气质量分指数及空气质量指数的计算结果应全部进位取整数，不保留小数"; HJ 633-2026
§4.2.6 "全部向上进位取整数". The result is ceil of the *exact* value: CO 24 h 2.2 mg/m³ gives exactly 55
(IEEE doubles give 55.000000000000007 and a naive ceil says 56).

Two implementations that agree (a property test checks it):

* :func:`iaqi_exact` — one value, with :class:`fractions.Fraction` arithmetic; the reference.
* :func:`iaqi_array` — numpy, any shape. It takes the float ceiling and then corrects it by comparing
  C with the concentrations at which the IAQI is exactly an integer. Those are
  ``BP_Lo + (k − IAQI_Lo)·(BP_Hi − BP_Lo)/(IAQI_Hi − IAQI_Lo)``: decimals with at most two places
  (integer breakpoints, IAQI steps of 50 or 100), computed as the correctly rounded quotient of two exact
  integers. Comparing a float with the float nearest such a decimal decides exactly how the decimal the
  float stands for compares with it — so ceil is exact for every input a user or logger can write.

Above the table (C beyond the last breakpoint of a column) neither edition defines a value (reference
§6.13). We give the last row's IAQI — 500, or 200 for SO2 1 h and 300 for O3 8 h, which is exactly
HJ 633-2026 Table 3 notes b and c — and report it as "above the table"
(:func:`above_table`). The 2012 fallbacks for SO2 1 h and O3 8 h above 800 live in
:mod:`lianfang.assess.air`, which never feeds those values here.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from lianfang.assess.aqi_tables import BREAKPOINTS, IAQI_STEPS, Indicator, breakpoint_column
from lianfang.assess.editions import AqiEdition

__all__ = ["above_table", "as_fraction", "iaqi_array", "iaqi_exact", "table_top"]

Concentration = Decimal | Fraction | int | float | str


def as_fraction(value: Concentration) -> Fraction:
    """An exact, non-negative concentration; a float counts as the shortest decimal that maps to it."""
    try:
        if isinstance(value, float):
            exact = Fraction(Decimal(repr(value)))
        elif isinstance(value, str):
            exact = Fraction(Decimal(value.strip()))
        else:
            exact = Fraction(value)
    except (InvalidOperation, ValueError, OverflowError):
        raise ValueError(f"not a finite number: {value!r}") from None
    if exact < 0:
        raise ValueError(f"a concentration cannot be negative: {value!r}")
    return exact


def _column(indicator: Indicator | str, edition: AqiEdition | str) -> tuple[int, ...]:
    return BREAKPOINTS[AqiEdition(edition)][breakpoint_column(Indicator(indicator))]


def table_top(indicator: Indicator | str, edition: AqiEdition | str) -> int:
    """The last breakpoint of an indicator's column [µg/m³; CO mg/m³]."""
    return _column(indicator, edition)[-1]


def iaqi_exact(indicator: Indicator | str, concentration: Concentration, edition: AqiEdition | str) -> int:
    """IAQI of one concentration [µg/m³; CO mg/m³], exactly, ceil-rounded; capped at the table's top."""
    column = _column(indicator, edition)
    c = as_fraction(concentration)
    if c > column[-1]:
        return IAQI_STEPS[len(column) - 1]
    seg = next(i for i in range(1, len(column)) if c <= column[i])
    bp_lo, bp_hi = column[seg - 1], column[seg]
    i_lo, i_hi = IAQI_STEPS[seg - 1], IAQI_STEPS[seg]
    return math.ceil(Fraction(i_hi - i_lo, bp_hi - bp_lo) * (c - bp_lo) + i_lo)


def above_table(
    indicator: Indicator | str, values: npt.ArrayLike, edition: AqiEdition | str
) -> npt.NDArray[np.bool_]:
    """True where a concentration lies beyond the last breakpoint of its column."""
    with np.errstate(invalid="ignore"):
        return np.asarray(values, dtype=np.float64) > table_top(indicator, edition)


def iaqi_array(
    indicator: Indicator | str, values: npt.ArrayLike, edition: AqiEdition | str
) -> npt.NDArray[np.float64]:
    """IAQI of every concentration [µg/m³; CO mg/m³], exactly as :func:`iaqi_exact`; NaN stays NaN.

    Returns float64 holding whole numbers (so that NaN can mark missing values). Negative
    concentrations raise ``ValueError``: clean or flag them before, as HJ 663 validity rules require.
    """
    column = _column(indicator, edition)
    x = np.asarray(values, dtype=np.float64)
    if np.any(x < 0):
        raise ValueError(f"{Indicator(indicator).value}: negative concentrations cannot be indexed")
    bp = np.asarray(column, dtype=np.float64)
    steps = np.asarray(IAQI_STEPS[: len(column)], dtype=np.float64)
    seg = np.clip(np.searchsorted(bp, x, side="left"), 1, len(column) - 1)
    bp_lo, bp_hi = bp[seg - 1], bp[seg]
    i_lo, i_hi = steps[seg - 1], steps[seg]
    width, rise = bp_hi - bp_lo, i_hi - i_lo
    with np.errstate(invalid="ignore"):
        m = np.ceil(i_lo + rise * (x - bp_lo) / width)

        def exact_at(k: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            # concentration where the IAQI is exactly k: (BP_Lo·ΔI + (k − I_Lo)·ΔBP) / ΔI, integers over ΔI
            return (bp_lo * rise + (k - i_lo) * width) / rise

        m = np.where(x <= exact_at(m - 1.0), m - 1.0, m)
        m = np.where(x > exact_at(m), m + 1.0, m)
        capped = np.where(x > bp[-1], steps[-1], m)
    return np.where(np.isnan(x), np.nan, capped)
