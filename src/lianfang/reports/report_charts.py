"""ECharts options of the monthly report's charts, as plain dicts (serialised to JSON in the page).

* class distribution of water sections: stacked bars per jurisdiction, one series per class;
* AQI calendar: a calendar heat map of the city's daily AQI coloured by HJ 633 level (Annex A colours);
* daily AQI and PM2.5 of the month: lines;
* twelve-month trends: good-day rate and share of class I–III sections per jurisdiction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from lianfang.assess.aqi_tables import AQI_LEVELS, Indicator
from lianfang.reports.monthly import AirMonth, MonthlyReport
from lianfang.reports.records import one_decimal
from lianfang.reports.report_labels import CLASS_COLOURS, Lang, class_name, text

__all__ = ["aqi_calendar", "class_distribution", "daily_lines", "trend_lines"]

Option = dict[str, Any]


def class_distribution(report: MonthlyReport, lang: Lang) -> Option | None:
    """Sections per class, stacked, one bar per jurisdiction (the report month)."""
    if report.water is None:
        return None
    sections = report.water.sections
    codes = sorted(set(sections["jurisdiction"]))
    names = {j.code: j.name for j in report.jurisdictions}
    series = []
    for code in range(1, 7):
        counts = [
            int(((sections["jurisdiction"] == j) & (sections["class"] == code)).sum()) or None for j in codes
        ]
        series.append(
            {
                "name": class_name(code, lang),
                "type": "bar",
                "stack": "classes",
                "data": counts,
                "itemStyle": {"color": CLASS_COLOURS[code - 1]},
                "label": {"show": True, "formatter": "{c}"},
            }
        )
    return {
        "title": {"text": text("chart_classes", lang), "left": "center"},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 90, "right": 30, "top": 40, "bottom": 50},
        "xAxis": {"type": "value", "name": text("sections", lang), "minInterval": 1},
        "yAxis": {"type": "category", "data": [names.get(c, c) for c in codes]},
        "series": series,
    }


def _pieces() -> list[dict[str, Any]]:
    pieces: list[dict[str, Any]] = []
    lower = 0
    for level in AQI_LEVELS:
        piece: dict[str, Any] = {"min": lower, "color": level.colour_hex, "label": level.category_zh}
        if level.upper is not None:
            piece["max"] = level.upper
            lower = level.upper + 1
        pieces.append(piece)
    return pieces


def _city_aqi(air: AirMonth) -> list[float | None]:
    values = np.asarray(air.daily.city_aqi.aqi, dtype=np.float64)
    return [None if math.isnan(v) else float(v) for v in values.tolist()]


def aqi_calendar(air: AirMonth, lang: Lang, name: str) -> Option:
    """The month as a calendar, each day coloured by the city's AQI level."""
    first = air.daily.days.first
    days = np.datetime64(first, "D") + np.arange(air.daily.days.n_days)
    data = [[str(d), v] for d, v in zip(days, _city_aqi(air), strict=True) if v is not None]
    pieces = _pieces()
    if lang == "en":
        for piece, level in zip(pieces, AQI_LEVELS, strict=True):
            piece["label"] = level.category_en
    return {
        "title": {"text": text("chart_calendar", lang, name=name), "left": "center"},
        "tooltip": {"formatter": "{c}"},
        "visualMap": {
            "type": "piecewise",
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "pieces": pieces,
            "dimension": 1,
        },
        "calendar": {
            "range": f"{first:%Y-%m}",
            "orient": "vertical",
            "cellSize": [64, 36],
            "top": 70,
            "left": "center",
            "dayLabel": {"nameMap": "ZH" if lang == "zh" else "EN", "firstDay": 1},
            "monthLabel": {"nameMap": "ZH" if lang == "zh" else "EN"},
            "yearLabel": {"show": False},
        },
        "series": [
            {
                "type": "heatmap",
                "coordinateSystem": "calendar",
                "data": data,
                "label": {"show": True, "formatter": "{@[1]}"},
            }
        ],
    }


def daily_lines(air: AirMonth, lang: Lang, name: str) -> Option:
    """The city's daily AQI and PM2.5 [µg/m³] over the month."""
    first = air.daily.days.first
    days = [str(d) for d in np.datetime64(first, "D") + np.arange(air.daily.days.n_days)]
    pm25 = np.asarray(air.daily.city_daily.values[Indicator.PM25_24H], dtype=np.float64)
    return {
        "title": {"text": text("chart_daily", lang, name=name), "left": "center"},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 50, "top": 40, "bottom": 50},
        "xAxis": {"type": "category", "data": [d[5:] for d in days]},
        "yAxis": [{"type": "value", "name": "AQI"}, {"type": "value", "name": text("pm25", lang)}],
        "series": [
            {
                "name": "AQI",
                "type": "line",
                "data": _city_aqi(air),
                "connectNulls": False,
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "data": [{"yAxis": 100}],
                    "lineStyle": {"type": "dashed"},
                },
            },
            {
                "name": "PM2.5",
                "type": "line",
                "yAxisIndex": 1,
                "data": [one_decimal(v) for v in pm25.tolist()],
            },
        ],
    }


def trend_lines(
    title: str, months: Sequence[str], series: dict[str, list[float | None]], y_max: float | None = 100
) -> Option:
    """One line per jurisdiction over the trend months."""
    return {
        "title": {"text": title, "left": "center"},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 50, "right": 30, "top": 40, "bottom": 50},
        "xAxis": {"type": "category", "data": list(months)},
        "yAxis": {"type": "value", "min": 0, "max": y_max},
        "series": [
            {"name": name, "type": "line", "data": data, "connectNulls": False}
            for name, data in series.items()
        ],
    }
