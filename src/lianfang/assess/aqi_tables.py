"""HJ 633 tables as constants: IAQI breakpoints (2012 Table 1, 2026 Table 3) and AQI levels.

Units: [µg/m³] for every pollutant except CO [mg/m³]. All breakpoints are integers, which the exact
IAQI arithmetic in :mod:`lianfang.assess.iaqi` relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from lianfang.assess.editions import AqiEdition

__all__ = [
    "AQI_LEVELS",
    "BREAKPOINTS",
    "IAQI_STEPS",
    "AqiItem",
    "AqiLevel",
    "Indicator",
    "breakpoint_column",
]


class Indicator(StrEnum):
    """A concentration statistic a report may use; the value is the CLI key.

    ``o3_8h`` is the 8-h moving mean (hourly report) or the daily maximum 8-h mean (daily report);
    ``o3_1h`` the 1-h value or the daily maximum hour. ``*_24h`` are 24-h (daily) means.
    """

    SO2_1H = "so2_1h"
    SO2_24H = "so2_24h"
    NO2_1H = "no2_1h"
    NO2_24H = "no2_24h"
    CO_1H = "co_1h"
    CO_24H = "co_24h"
    O3_1H = "o3_1h"
    O3_8H = "o3_8h"
    PM10_1H = "pm10_1h"
    PM10_24H = "pm10_24h"
    PM25_1H = "pm25_1h"
    PM25_24H = "pm25_24h"


class AqiItem(StrEnum):
    """A pollutant as it appears in an AQI report (IAQI keys, primary pollutants).

    O3 keeps its averaging time: HJ 633-2012 daily reports carry both O3 1-h and O3 8-h and either can
    be the primary pollutant (2012 Table 3), so they are reported separately in both editions.
    """

    SO2 = "SO2"
    NO2 = "NO2"
    CO = "CO"
    O3_1H = "O3_1h"
    O3_8H = "O3_8h"
    PM10 = "PM10"
    PM25 = "PM2.5"


#: HJ 633-2012 Table 1 / HJ 633-2026 Table 3, first column: the IAQI of each breakpoint row.
IAQI_STEPS: Final = (0, 50, 100, 150, 200, 300, 400, 500)

_BP_2012: dict[str, tuple[int, ...]] = {
    # HJ 633-2012 Table 1 "空气质量分指数及对应的污染物项目浓度限值".
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    # Note (2): "二氧化硫（SO2）1小时平均浓度值高于800 μg/m³的，不再进行其空气质量分指数计算，
    # 二氧化硫（SO2）空气质量分指数按24小时平均浓度计算的分指数报告。"
    "so2_1h": (0, 150, 500, 650, 800),
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),  # [mg/m³]
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),  # [mg/m³]
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    # Note (3): "臭氧（O3）8小时平均浓度值高于800 μg/m³的，不再进行其空气质量分指数计算，
    # 臭氧（O3）空气质量分指数按1小时平均浓度计算的分指数报告。"
    "o3_8h": (0, 100, 160, 215, 265, 800),
    "pm25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
}

# HJ 633-2026 Table 3: identical to 2012 except the IAQI-100 row of the particulates
# (PM10 150 → 120, PM2.5 75 → 60). Notes b/c: SO2 1 h > 800 counts as IAQI 200, O3 8 h > 800 as 300,
# which is what capping at the last row of these two shorter columns gives.
_BP_2026: dict[str, tuple[int, ...]] = {
    **_BP_2012,
    "pm10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
    "pm25_24h": (0, 35, 60, 115, 150, 250, 350, 500),
}

#: edition -> breakpoint column -> concentrations at IAQI_STEPS[0..len-1]
BREAKPOINTS: Final = MappingProxyType(
    {
        AqiEdition.HJ633_2012: MappingProxyType(_BP_2012),
        AqiEdition.HJ633_2026: MappingProxyType(_BP_2026),
    }
)


def breakpoint_column(indicator: Indicator) -> str:
    """The Table 1/3 column an indicator is interpolated on.

    PM 1-h values use the 24-h column: HJ 633-2026 formula (1) note says so ("PM10、PM2.5 的 1 小时
    平均浓度…按日平均浓度限值计算"); HJ 633-2012 is silent and every peer does the same (reference §6.12).
    """
    if indicator is Indicator.PM10_1H:
        return "pm10_24h"
    if indicator is Indicator.PM25_1H:
        return "pm25_24h"
    return indicator.value


@dataclass(frozen=True, slots=True)
class AqiLevel:
    """One row of HJ 633-2012 Table 2 / HJ 633-2026 Table 1 and Annex A (colours)."""

    level: int  # 1..6 (一级 … 六级)
    upper: int | None  # highest AQI in this level; None for the open top level
    category_zh: str
    category_en: str
    colour_zh: str
    colour_hex: str  # Annex A RGB as #RRGGBB


#: HJ 633-2012 Table 2 = HJ 633-2026 Table 1 (AQI 0–50 in 2012, 1–50 in 2026), colours from Annex A.
AQI_LEVELS: Final = (
    AqiLevel(1, 50, "优", "Excellent", "绿色", "#00E400"),
    AqiLevel(2, 100, "良", "Good", "黄色", "#FFFF00"),
    AqiLevel(3, 150, "轻度污染", "Lightly polluted", "橙色", "#FF7E00"),
    AqiLevel(4, 200, "中度污染", "Moderately polluted", "红色", "#FF0000"),
    AqiLevel(5, 300, "重度污染", "Heavily polluted", "紫色", "#99004C"),
    AqiLevel(6, None, "严重污染", "Severely polluted", "褐红色", "#7E0023"),
)
