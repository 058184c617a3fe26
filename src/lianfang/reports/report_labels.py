"""Words of the monthly report in Chinese and English, and the sentences in the form agencies publish.

Chinese follows the wording of 生态环境状况公报 and monthly bulletins: "I～III类水质断面比例为 xx.x%",
"劣Ⅴ类断面比例", "优良天数比例为 xx.x%", "重度及以上污染天数"; class numerals are written Ⅰ…Ⅴ as there.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "CLASS_COLOURS",
    "ITEM_NAMES",
    "Lang",
    "class_name",
    "exclusion_reason",
    "item_name",
    "month_name",
    "status_name",
    "text",
]

Lang = Literal["zh", "en"]

#: GB 3838-2002 Table 1 item names (zh, en), for main pollutants.
ITEM_NAMES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "WT": ("水温", "water temperature"),
        "pH": ("pH", "pH"),
        "DO": ("溶解氧", "dissolved oxygen"),
        "CODMn": ("高锰酸盐指数", "permanganate index"),
        "COD": ("化学需氧量", "COD"),
        "BOD5": ("五日生化需氧量", "BOD5"),
        "NH3N": ("氨氮", "ammonia nitrogen"),
        "TP": ("总磷", "total phosphorus"),
        "TN": ("总氮", "total nitrogen"),
        "Cu": ("铜", "copper"),
        "Zn": ("锌", "zinc"),
        "F": ("氟化物", "fluoride"),
        "Se": ("硒", "selenium"),
        "As": ("砷", "arsenic"),
        "Hg": ("汞", "mercury"),
        "Cd": ("镉", "cadmium"),
        "Cr6": ("六价铬", "chromium(VI)"),
        "Pb": ("铅", "lead"),
        "CN": ("氰化物", "cyanide"),
        "VPhenol": ("挥发酚", "volatile phenol"),
        "Oil": ("石油类", "petroleum"),
        "LAS": ("阴离子表面活性剂", "anionic surfactant"),
        "S2": ("硫化物", "sulfide"),
        "FC": ("粪大肠菌群", "faecal coliforms"),
    }
)

#: Colours of the class bars: blue for Ⅰ–Ⅱ (优), green Ⅲ (良好), yellow Ⅳ, orange Ⅴ, red 劣Ⅴ
#: (环办[2011]22号 status colours; two blues tell Ⅰ from Ⅱ).
CLASS_COLOURS: Final = ("#3a8ee6", "#1f5fbf", "#2ca02c", "#e6c200", "#f08300", "#d62728")

_CLASS_ZH = ("", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ")
_CLASS_EN = ("", "I", "II", "III", "IV", "V", "worse than V")

_TEXT: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "title": ("{name}环境质量月报", "Environmental quality monthly report — {name}"),
        "all": ("联防区域", "joint area"),
        "period": ("统计时段：{month}", "Period: {month}"),
        "generated": ("生成时间：{when}（北京时间）", "Generated {when} (Beijing time)"),
        "simulated_banner": (
            "本报告含模拟数据：标注“模拟”的数字来自演示用的模拟站点，不是实测值。",
            "This report contains simulated data: figures marked “simulated” come from demo stations, "
            "not measurements.",
        ),
        "simulated": ("模拟", "simulated"),
        "water": ("一、地表水环境质量", "1. Surface water"),
        "air": ("二、环境空气质量", "2. Ambient air"),
        "trend": ("三、近12个月变化趋势", "3. Trends over 12 months"),
        "notes": ("说明", "Notes"),
        "no_water": ("本月无可评价的地表水断面数据。", "No water section could be assessed this month."),
        "no_air": ("本月无可评价的空气质量数据。", "No air-quality data could be assessed this month."),
        "water_sentence": (
            "{name}纳入评价的{n}个断面中，Ⅰ～Ⅲ类水质断面比例为{good}%，劣Ⅴ类断面比例为{bad}%，水质状况{status}。",
            "Of the {n} sections assessed in {name}, {good}% were class I–III and {bad}% worse than class V; "
            "status: {status}.",
        ),
        "class_counts": ("其中{parts}。", "By class: {parts}."),
        "air_sentence": (
            "{name}（{n}个站点）优良天数比例为{rate}%（{good}/{valid}天），PM2.5平均浓度为{pm25}微克/立方米，"
            "PM10平均浓度为{pm10}微克/立方米，重度及以上污染{heavy}天。",
            "{name} ({n} stations): good-day rate {rate}% ({good} of {valid} days), PM2.5 mean {pm25} µg/m³, "
            "PM10 mean {pm10} µg/m³, {heavy} days heavily polluted or worse.",
        ),
        "not_official": (
            "（有效天数不足HJ 663月评价要求，仅供参考）",
            " (fewer valid days than HJ 663 requires for a monthly statistic: indicative only)",
        ),
        "chart_classes": ("断面水质类别分布", "Sections by water class"),
        "chart_calendar": ("{name} 每日空气质量指数（AQI）", "{name}: daily AQI"),
        "chart_daily": ("{name} 每日AQI与PM2.5浓度", "{name}: daily AQI and PM2.5"),
        "chart_good_rate": ("优良天数比例（%）", "Good-day rate (%)"),
        "chart_good_share": ("Ⅰ～Ⅲ类断面比例（%）", "Share of sections in class I–III (%)"),
        "sections": ("断面", "section"),
        "pm25": ("PM2.5（微克/立方米）", "PM2.5 (µg/m³)"),
        "table_rivers": ("河流（湖库）水质", "Rivers and lakes"),
        "table_sections": ("未达到水质目标的断面", "Sections below their target class"),
        "table_air": ("空气质量主要指标", "Air quality, main figures"),
        "col_river": ("河流/湖库", "river / lake"),
        "col_status": ("水质状况", "status"),
        "col_method": ("评价方法", "method"),
        "col_share_good": ("Ⅰ～Ⅲ类比例%", "I–III %"),
        "col_share_bad": ("劣Ⅴ类比例%", "worse than V %"),
        "col_n": ("断面数", "sections"),
        "col_section": ("断面", "section"),
        "col_class": ("水质类别", "class"),
        "col_target": ("目标", "target"),
        "col_main": ("主要污染指标", "main pollutants"),
        "col_jurisdiction": ("地区", "jurisdiction"),
        "col_pm25": ("PM2.5", "PM2.5"),
        "col_pm10": ("PM10", "PM10"),
        "col_so2": ("SO2", "SO2"),
        "col_no2": ("NO2", "NO2"),
        "col_co": ("CO-95per", "CO P95"),
        "col_o3": ("O3-8h-90per", "O3 8-h P90"),
        "col_rate": ("优良天数比例%", "good-day rate %"),
        "col_heavy": ("重度及以上天数", "heavy+ days"),
        "method_proportion": ("断面比例法", "class shares"),
        "method_mean": ("平均值法", "mean concentrations"),
        "all_meet": ("所有断面均达到水质目标。", "Every section met its target class."),
        "csv_files": ("数据文件（CSV）", "Data files (CSV)"),
        "note_methods": (
            "水质按GB 3838-2002及《地表水环境质量评价办法（试行）》（环办[2011]22号）单因子评价，"
            "月均值参与评价；5个及以上断面的河流按断面比例法、不足5个按平均值法。"
            "空气质量按HJ 633（各日适用版本）计算日AQI，城市浓度为各站点日均值的算术平均（HJ 663），"
            "优良天数比例=AQI≤100的天数/有效天数；未扣除沙尘天气。数据标志非N的数值不参与评价：{excluded}。",
            "Water: GB 3838-2002 single-factor method of 环办[2011]22号 on monthly means; rivers with 5 "
            "sections or more are graded by class shares, fewer by mean concentrations. Air: daily AQI by "
            "the HJ 633 edition in force each day; city concentrations are the mean of its stations' daily "
            "values (HJ 663); good-day rate = days with AQI ≤ 100 / valid days; no sand-and-dust deduction. "
            "Values flagged other than N are excluded: {excluded}.",
        ),
        "excluded_none": ("无", "none"),
        "excluded_count": ("剔除{total}个数值（{reasons}）", "{total} values excluded ({reasons})"),
        "excluded_water": ("地表水：{summary}", "surface water: {summary}"),
        "excluded_air": ("{name}环境空气：{summary}", "air, {name}: {summary}"),
    }
)

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def text(key: str, lang: Lang, **values: object) -> str:
    """The ``key`` sentence in ``lang`` with ``values`` filled in."""
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def class_name(code: int, lang: Lang) -> str:
    """``Ⅲ类`` / ``III``; ``劣Ⅴ类`` / ``worse than V``."""
    if lang == "zh":
        return f"{_CLASS_ZH[code]}类"
    return _CLASS_EN[code]


_STATUS_EN: Final[Mapping[str, str]] = MappingProxyType(
    {
        "优": "excellent",
        "良好": "good",
        "轻度污染": "slightly polluted",
        "中度污染": "moderately polluted",
        "重度污染": "heavily polluted",
    }
)


def status_name(status: str, lang: Lang) -> str:
    """环办[2011]22号 water status in ``lang`` (the Chinese term is the official one)."""
    return status if lang == "zh" else _STATUS_EN.get(status, status)


def item_name(item: str, lang: Lang) -> str:
    names = ITEM_NAMES.get(item)
    if names is None:
        return item
    return names[0] if lang == "zh" else names[1]


#: Chinese names of the reasons of lianfang.reports.exclusions (a flag reason is ``flag X``).
_REASON_ZH: Final[Mapping[str, str]] = MappingProxyType(
    {
        "no value": "空值",
        "negative value": "负值",
        "impossible value": "不可能的数值",
        "not on the hour": "非整点数据",
        "too few values for the period": "时段内样本数不足",
    }
)


def exclusion_reason(reason: str, lang: Lang) -> str:
    """Why values were excluded, in ``lang``: ``flag M`` is ``标志M`` in Chinese."""
    if lang == "en":
        return reason
    if reason.startswith("flag "):
        return f"标志{reason.removeprefix('flag ')}"
    return _REASON_ZH.get(reason, reason)


def month_name(year: int, month: int, lang: Lang) -> str:
    return f"{year}年{month}月" if lang == "zh" else f"{_MONTHS_EN[month - 1]} {year}"
