"""Writing the monthly report: HTML pages (one per language), the ECharts library beside them, CSVs.

Files in ``out`` (``M`` = ``YYYY-MM``)::

    report-M.zh.html  report-M.en.html   the pages
    echarts.min.js                        ECharts, copied from the vendored file (no CDN)
    water-sections-M.csv                  class per section (report month)
    water-rivers-M.csv                    grade per river or lake
    water-jurisdictions-M.csv             class counts and shares per jurisdiction
    air-daily-M.csv                       daily AQI and concentrations, city and stations
    air-month-M.csv                       monthly evaluation per city and station
    trend-M.csv                           12 months: good-day rate, class I–III share

CSVs are UTF-8 with a byte-order mark (so that spreadsheet programs in Chinese locales read them),
figures rounded as published.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from pathlib import Path

from lianfang.errors import InputError
from lianfang.reports.monthly import MonthlyReport
from lianfang.reports.records import (
    air_daily_rows,
    air_evaluation_rows,
    jurisdiction_rows,
    river_rows,
    section_rows,
)
from lianfang.reports.report_html import render_report
from lianfang.reports.report_labels import Lang

__all__ = ["write_report"]


def _cell(value: object) -> object:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else value


def _write_csv(path: Path, rows: Sequence[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        if not rows:
            return
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)


def _csv_tables(report: MonthlyReport) -> dict[str, list[dict[str, object]]]:
    m = report.label
    tables: dict[str, list[dict[str, object]]] = {}
    if report.water is not None:
        tables[f"water-sections-{m}.csv"] = section_rows(report.water)
        tables[f"water-rivers-{m}.csv"] = river_rows(report.water)
        tables[f"water-jurisdictions-{m}.csv"] = jurisdiction_rows(report.water)
    if report.air:
        tables[f"air-daily-{m}.csv"] = [
            row for a in report.air for row in air_daily_rows(a.daily, city=a.jurisdiction.code)
        ]
        tables[f"air-month-{m}.csv"] = [
            {**row, "official": a.official}
            for a in report.air
            for row in air_evaluation_rows(a.evaluation, jurisdiction=a.jurisdiction.code)
        ]
    trend: list[dict[str, object]] = [
        {
            "month": month,
            "jurisdiction": a.jurisdiction.code,
            "indicator": "good_day_rate",
            "value": fig["good_day_rate"],
        }
        for a in report.air
        for month, fig in a.trend
    ]
    trend += [
        {"month": month, "jurisdiction": code, "indicator": "share_I_III", "value": good}
        for month, code, _, good, _ in report.water_trend
    ]
    if trend:
        tables[f"trend-{m}.csv"] = trend
    return tables


def write_report(
    report: MonthlyReport, out: Path, *, langs: Sequence[Lang] = ("zh", "en"), echarts_js: Path
) -> list[Path]:
    """Write the report's files into ``out`` (created if missing); return them, pages first."""
    if not echarts_js.is_file():
        raise InputError(f"the ECharts library is missing: {echarts_js}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {out}: {exc.strerror or exc}") from exc
    tables = _csv_tables(report)
    written: list[Path] = []
    for lang in langs:
        page = out / f"report-{report.label}.{lang}.html"
        page.write_text(render_report(report, lang, csv_files=list(tables)), encoding="utf-8")
        written.append(page)
    shutil.copyfile(echarts_js, out / "echarts.min.js")
    written.append(out / "echarts.min.js")
    for name, rows in tables.items():
        _write_csv(out / name, rows)
        written.append(out / name)
    return written
