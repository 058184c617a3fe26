"""Lake and reservoir trophic state: 综合营养状态指数 TLI(Σ) of 总站生字[2001]090号 (reference §2.6).

TLI(Σ) = Σ W_j · TLI(j) over chlorophyll a, TP, TN, transparency SD and CODMn, with chl-a as the reference
parameter and W_j = r_ij² / Σ r_ij². Units: chl-a [mg/m³] (= [µg/L]), SD [m], the others [mg/L].

Choices (docs/assessment-water.md):

* With all five parameters we use the weights the method tabulates (0.2663, 0.1879, 0.1790, 0.1834,
  0.1834), as published figures do. With fewer ("m 为评价参数的个数") the weights are r² / Σ r² over the
  parameters present in that row (NaN = absent).
* Grade boundaries as the method transcribes them (reference §6 item 9): < 30 贫营养, 30 ≤ TLI ≤ 50
  中营养, 50 < TLI ≤ 60 轻度富营养, 60 < TLI ≤ 70 中度富营养, > 70 重度富营养. A CSDN summary puts 50 and
  60 in the upper grade instead; only values exactly at 50, 60 or 70 differ. The unrounded TLI is graded.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "TLI_PARAMETERS",
    "TLI_PUBLISHED_WEIGHTS",
    "TLI_R2",
    "TROPHIC_GRADES",
    "tli",
    "tli_of",
    "trophic_grade",
    "trophic_label",
]

#: 总站生字[2001]090号: TLI(j) = 10 (a + b ln x); x in [mg/m³] for chla, [m] for SD, else [mg/L].
TLI_PARAMETERS: Final[Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        "chla": (2.5, 1.086),
        "TP": (9.436, 1.624),
        "TN": (5.453, 1.694),
        "SD": (5.118, -1.94),
        "CODMn": (0.109, 2.661),
    }
)

#: 总站生字[2001]090号 table (金相灿《中国湖泊环境》, 26 lakes): r_ij² with chl-a.
TLI_R2: Final[Mapping[str, float]] = MappingProxyType(
    {"chla": 1.0, "TP": 0.7056, "TN": 0.6724, "SD": 0.6889, "CODMn": 0.6889}
)

#: The tabulated weights W_j for the full five-parameter set (r² / 3.7558, rounded to 4 places).
TLI_PUBLISHED_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {"chla": 0.2663, "TP": 0.1879, "TN": 0.1790, "SD": 0.1834, "CODMn": 0.1834}
)

#: 总站生字[2001]090号 grades, by code 0..4. "富营养" covers codes 2..4 (TLI > 50).
TROPHIC_GRADES: Final[tuple[str, ...]] = ("贫营养", "中营养", "轻度富营养", "中度富营养", "重度富营养")
_UPPER_BOUNDS: Final = np.asarray([30.0, 50.0, 60.0, 70.0])


def tli_of(parameter: str, values: ArrayLike) -> NDArray[np.float64]:
    """TLI(j) of one parameter (``chla``, ``TP``, ``TN``, ``SD`` or ``CODMn``); NaN stays NaN.

    Values must be positive (the formula takes a logarithm); zero or negative raise ValueError.
    """
    if parameter not in TLI_PARAMETERS:
        raise ValueError(f"unknown TLI parameter {parameter!r}: expected one of {', '.join(TLI_PARAMETERS)}")
    x = np.asarray(values, dtype=np.float64)
    if np.any(x <= 0) or np.any(np.isinf(x)):
        raise ValueError(f"{parameter}: TLI needs positive finite values (it takes ln)")
    a, b = TLI_PARAMETERS[parameter]
    return np.asarray(10.0 * (a + b * np.log(x)), dtype=np.float64)


def tli(
    *,
    chla: ArrayLike | None = None,
    tp: ArrayLike | None = None,
    tn: ArrayLike | None = None,
    sd: ArrayLike | None = None,
    codmn: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """综合营养状态指数 TLI(Σ) per row: chla [mg/m³], tp, tn, codmn [mg/L], sd [m]; arrays broadcast.

    A parameter that is None or NaN in a row is left out of that row and the weights are renormalised
    over the others; a row with none is NaN.
    """
    given = {"chla": chla, "TP": tp, "TN": tn, "SD": sd, "CODMn": codmn}
    present = {name: v for name, v in given.items() if v is not None}
    if not present:
        raise ValueError("TLI needs at least one of chla, tp, tn, sd, codmn")
    parts = np.broadcast_arrays(*(tli_of(name, v) for name, v in present.items()))
    stacked = np.stack(parts)  # (parameters, rows...)
    names = list(present)
    r2 = np.asarray([TLI_R2[n] for n in names]).reshape((-1,) + (1,) * (stacked.ndim - 1))
    have = ~np.isnan(stacked)
    weights = np.where(have, r2, 0.0)
    total = weights.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = weights / total
    if len(names) == len(TLI_PUBLISHED_WEIGHTS):
        # Rows with all five parameters use the method's tabulated weights.
        published = np.asarray([TLI_PUBLISHED_WEIGHTS[n] for n in names]).reshape(r2.shape)
        weights = np.where(have.all(axis=0), published, weights)
    result = np.where(have, weights * np.nan_to_num(stacked), 0.0).sum(axis=0)
    return np.asarray(np.where(total > 0, result, np.nan), dtype=np.float64)


def trophic_grade(values: ArrayLike) -> NDArray[np.int8]:
    """Grade code 0..4 (index into :data:`TROPHIC_GRADES`) of each TLI(Σ); -1 for NaN.

    Upper bounds are inclusive except for 贫营养 (< 30): 30 is 中营养, 50 中营养, 50.01 轻度富营养.
    """
    x = np.asarray(values, dtype=np.float64)
    # side="left" puts a value equal to 50, 60 or 70 in the lower grade; 30 is the exception ("< 30").
    codes = np.searchsorted(_UPPER_BOUNDS, x, side="left")
    codes = np.where(x == 30.0, 1, codes)
    return np.asarray(np.where(np.isnan(x), -1, codes), dtype=np.int8)


def trophic_label(values: ArrayLike) -> NDArray[np.str_]:
    """Grade names (贫营养 … 重度富营养; "" for NaN) of each TLI(Σ)."""
    codes = trophic_grade(values)
    return np.asarray((*TROPHIC_GRADES, ""))[codes]
