"""The monthly report as one HTML page per language: figures in the agencies' form, ECharts charts
(the library is loaded from a file next to the page — no CDN), tables, notes.

Every text from the data is escaped; the chart options travel as JSON in a ``<script
type="application/json">`` element, read by a few lines of script that draw each chart as SVG and
record on ``<body>`` how many were drawn (``data-charts``) and any error (``data-chart-errors``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from lianfang.assess.water_grade import PROPORTION_MIN_SECTIONS, STATUS_LEVELS, proportion_level
from lianfang.model import BEIJING
from lianfang.reports.exclusions import Exclusions
from lianfang.reports.monthly import TREND_MONTHS, AirMonth, MonthlyReport, months_back
from lianfang.reports.records import percent
from lianfang.reports.report_charts import aqi_calendar, class_distribution, daily_lines, trend_lines
from lianfang.reports.report_labels import (
    Lang,
    class_name,
    exclusion_reason,
    item_name,
    month_name,
    status_name,
    text,
)

__all__ = ["render_report"]


def _cell(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return escape(str(value))


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{_cell(v)}</td>' if k in numeric else f"<td>{_cell(v)}</td>"
            for k, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _badge(lang: Lang) -> str:
    return f'<span class="badge">{escape(text("simulated", lang))}</span>'


def _num(value: object) -> str:
    return f'<span class="number">{_cell(value)}</span>'


def _main_pollutants(raw: str, lang: Lang) -> str:
    """``NH3N(1.3)、TP(0.6)`` → ``氨氮(1.3)、总磷(0.6)`` / ``ammonia nitrogen (1.3), …``."""
    parts = []
    for part in filter(None, raw.split("、")):
        item, _, rest = part.partition("(")
        shown = item_name(item, lang)
        parts.append(f"{shown}({rest}" if rest and lang == "zh" else f"{shown} ({rest}" if rest else shown)
    return ("、" if lang == "zh" else ", ").join(parts)


def _water_section(report: MonthlyReport, lang: Lang, charts: dict[str, Any]) -> str:
    out = [f"<h2>{escape(text('water', lang))}</h2>"]
    water = report.water
    if water is None:
        return out[0] + f"<p>{escape(text('no_water', lang))}</p>"
    names = {j.code: j.name for j in report.jurisdictions}
    sections = water.sections
    simulated_codes = set(sections.loc[sections["simulated"], "jurisdiction"])
    rows = water.jurisdictions.to_dict("records")
    if len(rows) > 1:
        n, good, bad = len(sections), int((sections["class"] <= 3).sum()), int((sections["class"] == 6).sum())
        level = int(proportion_level(good, bad, n)) if n >= PROPORTION_MIN_SECTIONS else None
        rows.append(
            {
                "jurisdiction": "",
                "n_sections": n,
                "n_i_iii": good,
                "n_worse_than_v": bad,
                "status": "" if level is None else STATUS_LEVELS[level],
                **{
                    label: int((sections["class"] == code).sum())
                    for code, label in enumerate(("", "I", "II", "III", "IV", "V", "劣V"))
                    if code
                },
            }
        )
    for rec in rows:
        code = str(rec["jurisdiction"])
        name = names.get(code, code) if code else text("all", lang)
        n = int(rec["n_sections"])
        sentence = text(
            "water_sentence",
            lang,
            name=escape(name),
            n=_num(n),
            good=_num(percent(int(rec["n_i_iii"]), n)),
            bad=_num(percent(int(rec["n_worse_than_v"]), n)),
            status=escape(status_name(str(rec["status"]), lang)) or "—",
        )
        counts = [
            f"{class_name(k, lang)} {int(rec[label])}"
            for k, label in enumerate(("", "I", "II", "III", "IV", "V", "劣V"))
            if k and int(rec[label])
        ]
        detail = escape(text("class_counts", lang, parts=("、" if lang == "zh" else ", ").join(counts)))
        badge = _badge(lang) if (code in simulated_codes or (not code and simulated_codes)) else ""
        out.append(f'<p class="figure">{sentence}{"" if lang == "zh" else " "}{detail}{badge}</p>')
    option = class_distribution(report, lang)
    if option is not None:
        charts["chart-classes"] = option
        out.append('<div class="chart" id="chart-classes"></div>')
    out.append(f"<h3>{escape(text('table_rivers', lang))}</h3>")
    river_rows = [
        [
            r["river"],
            status_name(str(r["status"]), lang),
            text(f"method_{r['method']}", lang),
            int(r["n_sections"]),
            percent(int(r["n_i_iii"]), int(r["n_sections"])),
            percent(int(r["n_worse_than_v"]), int(r["n_sections"])),
        ]
        for r in water.rivers.to_dict("records")
    ]
    out.append(
        _table(
            [
                text(k, lang)
                for k in ("col_river", "col_status", "col_method", "col_n", "col_share_good", "col_share_bad")
            ],
            river_rows,
            numeric=(3, 4, 5),
        )
    )
    out.append(f"<h3>{escape(text('table_sections', lang))}</h3>")
    failing = sections[sections["meets_target"] == False]  # noqa: E712  (None = no target)
    if failing.empty:
        out.append(f"<p>{escape(text('all_meet', lang))}</p>")
    else:
        rows_failing = [
            [
                f"{r['name']} ({r['mn']})",
                names.get(r["jurisdiction"], r["jurisdiction"]),
                r["river"],
                class_name(int(r["class"]), lang),
                r["target"],
                _main_pollutants(str(r["main_pollutants"]), lang),
            ]
            for r in failing.to_dict("records")
        ]
        out.append(
            _table(
                [
                    text(k, lang)
                    for k in (
                        "col_section",
                        "col_jurisdiction",
                        "col_river",
                        "col_class",
                        "col_target",
                        "col_main",
                    )
                ],
                rows_failing,
            )
        )
    return "".join(out)


def _air_sentence(air: AirMonth, lang: Lang) -> str:
    f = air.figures
    sentence = text(
        "air_sentence",
        lang,
        name=escape(air.jurisdiction.name),
        n=_num(len(air.stations)),
        rate=_num(f["good_day_rate"]),
        good=_num(f["good_days"]),
        valid=_num(f["valid_days"]),
        pm25=_num(f["pm25_mean"]),
        pm10=_num(f["pm10_mean"]),
        heavy=_num(f["heavy_or_worse_days"]),
    )
    if not air.official:
        sentence += escape(text("not_official", lang))
    return f'<p class="figure">{sentence}{_badge(lang) if air.simulated else ""}</p>'


def _air_section(report: MonthlyReport, lang: Lang, charts: dict[str, Any]) -> str:
    out = [f"<h2>{escape(text('air', lang))}</h2>"]
    if not report.air:
        return out[0] + f"<p>{escape(text('no_air', lang))}</p>"
    out += [_air_sentence(air, lang) for air in report.air]
    rows = []
    for air in report.air:
        f = air.figures
        rows.append(
            [
                air.jurisdiction.name + (f" ({text('simulated', lang)})" if air.simulated else ""),
                f["pm25_mean"],
                f["pm10_mean"],
                f["so2_mean"],
                f["no2_mean"],
                f["co_p95"],
                f["o3_8h_p90"],
                f["good_day_rate"],
                f["heavy_or_worse_days"],
            ]
        )
    headers = [
        text(k, lang)
        for k in (
            "col_jurisdiction",
            "col_pm25",
            "col_pm10",
            "col_so2",
            "col_no2",
            "col_co",
            "col_o3",
            "col_rate",
            "col_heavy",
        )
    ]
    out.append(f"<h3>{escape(text('table_air', lang))}</h3>")
    out.append(_table(headers, rows, numeric=tuple(range(1, 9))))
    for air in report.air:
        code, name = air.jurisdiction.code, air.jurisdiction.name
        charts[f"chart-calendar-{code}"] = aqi_calendar(air, lang, name)
        charts[f"chart-daily-{code}"] = daily_lines(air, lang, name)
        out.append(f'<div class="chart calendar" id="chart-calendar-{escape(code)}"></div>')
        out.append(f'<div class="chart" id="chart-daily-{escape(code)}"></div>')
    return "".join(out)


def _rate(figures: dict[str, object]) -> float | None:
    rate = figures["good_day_rate"]
    return float(rate) if isinstance(rate, int | float) else None


def _trend_section(report: MonthlyReport, lang: Lang, charts: dict[str, Any]) -> str:
    out = [f"<h2>{escape(text('trend', lang))}</h2>"]
    if report.air:
        months = [label for label, _ in report.air[0].trend]
        series = {a.jurisdiction.name: [_rate(dict(a.trend)[m]) for m in months] for a in report.air}
        charts["chart-trend-air"] = trend_lines(text("chart_good_rate", lang), months, series)
        out.append('<div class="chart" id="chart-trend-air"></div>')
    if report.water_trend:
        # the air chart's twelve months, so that both charts read alike; a month without data is a gap
        first = report.month.first
        months = [m.label() for m in months_back(first.year, first.month, TREND_MONTHS)]
        names = {j.code: j.name for j in report.jurisdictions}
        by_code: dict[str, dict[str, float | None]] = {}
        for month, code, _, good, _ in report.water_trend:
            by_code.setdefault(code, {})[month] = good
        series_w = {names.get(c, c): [v.get(m) for m in months] for c, v in sorted(by_code.items())}
        charts["chart-trend-water"] = trend_lines(text("chart_good_share", lang), months, series_w)
        out.append('<div class="chart" id="chart-trend-water"></div>')
    return "".join(out)


def _excluded(exclusions: Exclusions, lang: Lang) -> str:
    """``剔除31个数值（标志D 31）`` / ``31 values excluded (flag D 31)``."""
    counts = exclusions.by_reason().items()
    if lang == "zh":
        reasons = "、".join(f"{exclusion_reason(r, lang)} {n}" for r, n in counts)
        return text("excluded_count", lang, total=exclusions.total, reasons=reasons)
    reasons = "; ".join(f"{r} {n:,}" for r, n in counts)
    return text("excluded_count", lang, total=f"{exclusions.total:,}", reasons=reasons)


def _notes(report: MonthlyReport, lang: Lang, csv_files: Sequence[str]) -> str:
    excluded = []
    if report.water is not None and report.water.exclusions.total:
        excluded.append(text("excluded_water", lang, summary=_excluded(report.water.exclusions, lang)))
    excluded += [
        text("excluded_air", lang, name=a.jurisdiction.name, summary=_excluded(a.daily.exclusions, lang))
        for a in report.air
        if a.daily.exclusions.total
    ]
    joined = ("；" if lang == "zh" else "; ").join(excluded)
    note = text("note_methods", lang, excluded=joined or text("excluded_none", lang))
    links = "".join(f'<li><a href="{escape(name)}">{escape(name)}</a></li>' for name in csv_files)
    return (
        f'<h2>{escape(text("notes", lang))}</h2><p class="notes">{escape(note)}</p>'
        f"<h3>{escape(text('csv_files', lang))}</h3><ul>{links}</ul>"
    )


def render_report(
    report: MonthlyReport,
    lang: Lang,
    *,
    echarts_src: str = "echarts.min.js",
    csv_files: Sequence[str] = (),
    generated: datetime | None = None,
) -> str:
    """The report page in ``lang`` (``zh`` or ``en``)."""
    when = (generated or datetime.now(BEIJING)).astimezone(BEIJING)
    month = month_name(report.month.first.year, report.month.first.month, lang)
    names = [j.name for j in report.jurisdictions]
    title = text("title", lang, name="、".join(names) if lang == "zh" else ", ".join(names) or "lianfang")
    charts: dict[str, Any] = {}
    body = [
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(text("period", lang, month=month))}</p>',
        f'<p class="meta">{escape(text("generated", lang, when=f"{when:%Y-%m-%d %H:%M}"))}</p>',
    ]
    if report.simulated:
        body.append(f'<p class="banner">{escape(text("simulated_banner", lang))}</p>')
    body.append("</header>")
    body.append(f'<section id="water">{_water_section(report, lang, charts)}</section>')
    body.append(f'<section id="air">{_air_section(report, lang, charts)}</section>')
    body.append(f'<section id="trend">{_trend_section(report, lang, charts)}</section>')
    body.append(f'<section id="notes">{_notes(report, lang, csv_files)}</section>')
    template = Template((files("lianfang.reports") / "templates" / "report.html").read_text(encoding="utf-8"))
    return template.substitute(
        lang="zh-CN" if lang == "zh" else "en",
        title=escape(f"{title} — {month}"),
        body="\n".join(body),
        echarts_src=escape(echarts_src),
        charts=json.dumps(charts, ensure_ascii=False).replace("</", "<\\/"),
    )
