"""The monthly report: figures from the generated store, the HTML in both languages, the files."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lianfang.errors import InputError, NotFoundError
from lianfang.reports.monthly import MonthlyReport, build_monthly_report, months_back
from lianfang.reports.report_files import write_report
from lianfang.reports.report_html import render_report
from lianfang.store import open_store
from lianfang.store.duckdb import DuckDBStore

ECHARTS = Path(__file__).parents[2] / "src/lianfang/web/static/vendor/echarts/echarts.min.js"


@pytest.fixture
def store(generated_data: Path) -> Iterator[DuckDBStore]:
    opened = open_store(generated_data / "lianfang.duckdb", read_only=True)
    yield opened
    opened.close()


@pytest.fixture
def january(store: DuckDBStore) -> MonthlyReport:
    return build_monthly_report(store, 2025, 1)


def test_months_back() -> None:
    months = months_back(2025, 2, 3)
    assert [m.label() for m in months] == ["2024-12", "2025-01", "2025-02"]


def test_figures(january: MonthlyReport) -> None:
    assert [j.code for j in january.jurisdictions] == ["CQ", "SC"]
    sc = next(a for a in january.air if a.jurisdiction.code == "SC")
    assert sc.official
    assert not sc.simulated
    assert sc.figures["good_day_rate"] == 67.7  # 21 of 31 days: the 10 haze days are not good
    assert sc.figures["pm25_mean"] == round((21 * 40 + 10 * 300) / 31, 1)
    assert len(sc.trend) == 12
    assert sc.trend[-1][0] == "2025-01"
    assert sc.trend[0][1]["good_day_rate"] is None  # no data in 2024-02
    cq = next(a for a in january.air if a.jurisdiction.code == "CQ")
    assert cq.simulated
    assert january.simulated
    assert january.water is not None
    assert len(january.water.sections) == 9
    assert ("2025-01", "CQ", 5, 40.0, 20.0) in january.water_trend


def test_one_jurisdiction_and_errors(store: DuckDBStore) -> None:
    sc = build_monthly_report(store, 2025, 2, jurisdiction="SC")
    assert [j.code for j in sc.jurisdictions] == ["SC"]
    assert not sc.simulated  # CQ's simulated stations are not in it
    assert sc.water is not None
    assert set(sc.water.sections["jurisdiction"]) == {"SC"}
    with pytest.raises(NotFoundError, match="'XX' is not registered"):
        build_monthly_report(store, 2025, 1, jurisdiction="XX")
    with pytest.raises(InputError, match=r"not 1\.\.12"):
        build_monthly_report(store, 2025, 13)


def test_html_in_the_agencies_form(january: MonthlyReport) -> None:
    zh = render_report(january, "zh")
    assert '重庆市纳入评价的<span class="number">5</span>个断面中' in zh
    assert 'Ⅰ～Ⅲ类水质断面比例为<span class="number">40.0</span>%' in zh
    assert '劣Ⅴ类断面比例为<span class="number">20.0</span>%' in zh
    assert '优良天数比例为<span class="number">67.7</span>%' in zh
    assert "2025年1月" in zh
    assert zh.count('<span class="badge">模拟</span>') >= 2  # CQ water and CQ air are simulated
    assert "本报告含模拟数据" in zh
    assert "氨氮(1.3)、总磷(0.6)" in zh  # main pollutants with multiples, by name
    en = render_report(january, "en")
    assert 'good-day rate <span class="number">67.7</span>%' in en
    assert "January 2025" in en
    assert "ammonia nitrogen (1.3), total phosphorus (0.6)" in en
    for page in (zh, en):
        options = json.loads(re.search(r'id="chart-options">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
        assert set(options) == {
            "chart-classes",
            "chart-calendar-CQ",
            "chart-daily-CQ",
            "chart-calendar-SC",
            "chart-daily-SC",
            "chart-trend-air",
            "chart-trend-water",
        }
        for chart_id in options:
            assert f'id="{chart_id}"' in page
        calendar = options["chart-calendar-SC"]["series"][0]["data"]
        assert ["2025-01-05", 350.0] in calendar
        assert '<script src="echarts.min.js"></script>' in page
        assert "http://" not in page
        assert "https://" not in page  # no CDN


def test_text_from_the_data_is_escaped(january: MonthlyReport) -> None:
    from dataclasses import replace

    from lianfang.model import Jurisdiction

    evil = replace(
        january, jurisdictions=(Jurisdiction("CQ", "<script>alert(1)</script>"), *january.jurisdictions[1:])
    )
    page = render_report(evil, "en")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_files(january: MonthlyReport, tmp_path: Path) -> None:
    written = write_report(january, tmp_path / "out", echarts_js=ECHARTS)
    names = [p.name for p in written]
    assert names[:3] == ["report-2025-01.zh.html", "report-2025-01.en.html", "echarts.min.js"]
    assert (tmp_path / "out" / "echarts.min.js").stat().st_size == ECHARTS.stat().st_size
    for name in ("water-sections", "water-rivers", "water-jurisdictions", "air-daily", "air-month", "trend"):
        assert f"{name}-2025-01.csv" in names
    with (tmp_path / "out" / "water-jurisdictions-2025-01.csv").open(encoding="utf-8-sig") as f:
        rows = {r["jurisdiction"]: r for r in csv.DictReader(f)}
    assert (rows["CQ"]["share_I_III"], rows["CQ"]["share_worse_than_V"]) == ("40.0", "20.0")
    with (tmp_path / "out" / "air-month-2025-01.csv").open(encoding="utf-8-sig") as f:
        city = next(r for r in csv.DictReader(f) if r["scope"] == "city SC")
    assert (city["good_day_rate"], city["official"]) == ("67.7", "True")
    page = (tmp_path / "out" / "report-2025-01.zh.html").read_text(encoding="utf-8")
    assert 'href="water-sections-2025-01.csv"' in page
    with pytest.raises(InputError, match="ECharts library is missing"):
        write_report(january, tmp_path / "other", echarts_js=tmp_path / "nope.js")


def test_notes_name_the_excluded_values_in_the_page_language(store: DuckDBStore) -> None:
    march = build_monthly_report(store, 2025, 3)  # water: NH3-N flagged D; SC air: SC-AIR-1 flagged M
    zh = render_report(march, "zh")
    notes = re.search(r'<p class="notes">(.*?)</p>', zh, re.S).group(1)  # type: ignore[union-attr]
    assert "excluded" not in notes
    assert "地表水：剔除31个数值（标志D 31）" in notes
    assert "四川省环境空气：剔除144个数值（标志M 144）" in notes
    en = render_report(march, "en")
    notes = re.search(r'<p class="notes">(.*?)</p>', en, re.S).group(1)  # type: ignore[union-attr]
    assert "surface water: 31 values excluded (flag D 31)" in notes
    assert "air, 四川省: 144 values excluded (flag M 144)" in notes


def test_trend_charts_share_the_twelve_months(january: MonthlyReport) -> None:
    page = render_report(january, "zh")
    options = json.loads(re.search(r'id="chart-options">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    months = [m.label() for m in months_back(2025, 1, 12)]
    assert options["chart-trend-air"]["xAxis"]["data"] == months
    assert options["chart-trend-water"]["xAxis"]["data"] == months  # months without data are gaps
