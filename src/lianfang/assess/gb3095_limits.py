"""GB 3095 ambient concentration limits (Table 1) for the six AQI pollutants, by phase and grade.

Units [µg/m³], CO [mg/m³]. Grade 1 applies to class-1 zones (nature reserves, national parks),
grade 2 to class-2 zones (residential, commercial, industrial, rural) — the one city rankings use.

* GB 3095-2012 Table 1 (with the 2018 amendment's reference state).
* GB 3095-2026 Table 1, §4.4: "过渡阶段" limits until 2030-12-31, final limits from 2031-01-01.
  (One public repository lists PM10 daily 70, NO2 daily 60 and SO2 annual 40; the primary table says
  otherwise and is what we use — reference §6.16.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from lianfang.assess.editions import LimitPhase

__all__ = ["GB3095_LIMITS", "Averaging", "Limit", "limit"]


class Averaging(StrEnum):
    ANNUAL = "annual"
    DAY = "24h"
    HOUR = "1h"
    MDA8 = "mda8"  # daily maximum 8-h mean (O3)


@dataclass(frozen=True, slots=True)
class Limit:
    grade1: float
    grade2: float


_L = Limit
_A, _D, _H, _M = Averaging.ANNUAL, Averaging.DAY, Averaging.HOUR, Averaging.MDA8

_GB3095_2012: dict[tuple[str, Averaging], Limit] = {
    # GB 3095-2012 Table 1 "环境空气污染物基本项目浓度限值"
    ("SO2", _A): _L(20, 60),
    ("SO2", _D): _L(50, 150),
    ("SO2", _H): _L(150, 500),
    ("NO2", _A): _L(40, 40),
    ("NO2", _D): _L(80, 80),
    ("NO2", _H): _L(200, 200),
    ("CO", _D): _L(4, 4),
    ("CO", _H): _L(10, 10),
    ("O3", _M): _L(100, 160),
    ("O3", _H): _L(160, 200),
    ("PM10", _A): _L(40, 70),
    ("PM10", _D): _L(50, 150),
    ("PM2.5", _A): _L(15, 35),
    ("PM2.5", _D): _L(35, 75),
}

# GB 3095-2026 Table 1, transition column (§4.4: until 2030-12-31): particulates tightened.
_GB3095_2026_TRANSITION: dict[tuple[str, Averaging], Limit] = {
    **_GB3095_2012,
    ("PM10", _A): _L(40, 60),
    ("PM10", _D): _L(50, 120),
    ("PM2.5", _A): _L(15, 30),
    ("PM2.5", _D): _L(35, 60),
}

# GB 3095-2026 Table 1, final column (§4.4: from 2031-01-01).
_GB3095_2026_FINAL: dict[tuple[str, Averaging], Limit] = {
    **_GB3095_2026_TRANSITION,
    ("SO2", _A): _L(20, 20),
    ("SO2", _D): _L(50, 50),
    ("SO2", _H): _L(150, 150),
    ("NO2", _A): _L(30, 30),
    ("NO2", _D): _L(50, 50),
    ("PM10", _A): _L(20, 50),
    ("PM10", _D): _L(50, 100),
    ("PM2.5", _A): _L(10, 25),
    ("PM2.5", _D): _L(25, 50),
}

#: phase -> (pollutant, averaging) -> limit. Pollutants are "SO2", "NO2", "CO", "O3", "PM10", "PM2.5".
GB3095_LIMITS: Final = MappingProxyType(
    {
        LimitPhase.GB3095_2012: MappingProxyType(_GB3095_2012),
        LimitPhase.GB3095_2026_TRANSITION: MappingProxyType(_GB3095_2026_TRANSITION),
        LimitPhase.GB3095_2026_FINAL: MappingProxyType(_GB3095_2026_FINAL),
    }
)


def limit(phase: LimitPhase, pollutant: str, averaging: Averaging, grade: int = 2) -> float:
    """The concentration limit [µg/m³; CO mg/m³] of ``pollutant`` for ``averaging`` and zone ``grade``."""
    if grade not in (1, 2):
        raise ValueError(f"GB 3095 zone grade is 1 or 2, not {grade}")
    try:
        row = GB3095_LIMITS[phase][(pollutant, averaging)]
    except KeyError:
        raise ValueError(f"GB 3095 sets no {averaging.value} limit for {pollutant}") from None
    return row.grade1 if grade == 1 else row.grade2
