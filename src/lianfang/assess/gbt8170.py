"""GB/T 8170 rounding ("四舍六入五成双"), exact on the decimal a float stands for, vectorised.

GB/T 8170-2008 §3.2 (进舍规则): when the discarded part is exactly half the last kept unit, the kept digit
becomes even ("拟舍弃数字的最左一位数字为5，且其后无数字或皆为0时，若所保留的末位数字为奇数则进一，
为偶数则舍去"); otherwise round to nearest. That is round-half-even on the *decimal* value.

A float such as ``2.45`` is really 2.4500000000000001776…; rounding its binary value would round up,
rounding the decimal it was written as rounds to 2.4. We round the decimal: every comparison is made
against the float nearest to an exact decimal boundary, which IEEE division of two exact integers gives
correctly rounded. So a float is treated as the shortest decimal that maps to it — what a user typed or a
logger sent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import numpy.typing as npt

__all__ = ["round_decimal", "round_half_even"]


def round_half_even(values: npt.ArrayLike, decimals: int = 0) -> npt.NDArray[np.float64]:
    """Round to ``decimals`` places by GB/T 8170 (half to even), element-wise; NaN stays NaN.

    ``decimals`` must lie in 0..15; values must have ``|x|·10^decimals < 2^52`` (always true for
    concentrations).
    """
    if not 0 <= decimals <= 15:
        raise ValueError(f"decimals must be within 0..15, not {decimals}")
    x = np.asarray(values, dtype=np.float64)
    scale = float(10**decimals)
    with np.errstate(invalid="ignore"):
        n = np.floor(x * scale)
        # x*scale is itself rounded; move n so that the decimal n/10^d <= x < (n+1)/10^d.
        n = np.where(x < n / scale, n - 1.0, n)
        n = np.where(x >= (n + 1.0) / scale, n + 1.0, n)
        tie = (2.0 * n + 1.0) / (2.0 * scale)  # float nearest to the decimal (n + 1/2)/10^d
        odd = np.fmod(n, 2.0) != 0.0
        up = (x > tie) | ((x == tie) & odd)
        rounded = (n + up) / scale
    return np.where(np.isfinite(x), rounded, x)


def round_decimal(value: Decimal, decimals: int = 0) -> Decimal:
    """The scalar reference: GB/T 8170 rounding of an exact decimal."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
