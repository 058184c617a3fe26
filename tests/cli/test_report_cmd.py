"""``lianfang report``: files written, figures in the pages, one-line errors; and the charts drawn by a
real browser when Debian's chromium is installed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianfang.cli import main
from tests.reports.fixture_store import shared_store

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_store(tmp_path_factory)


@pytest.fixture
def written(generated_data: Path, tmp_path: Path) -> Path:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main, ["report", "--data", str(generated_data), "--month", "2025-01", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "simulated" in result.stderr
    assert result.stdout.splitlines()[0] == str(out / "report-2025-01.zh.html")
    return out


def test_files_and_figures(written: Path) -> None:
    names = sorted(p.name for p in written.iterdir())
    assert names == sorted(
        [
            "report-2025-01.zh.html",
            "report-2025-01.en.html",
            "echarts.min.js",
            "water-sections-2025-01.csv",
            "water-rivers-2025-01.csv",
            "water-jurisdictions-2025-01.csv",
            "air-daily-2025-01.csv",
            "air-month-2025-01.csv",
            "trend-2025-01.csv",
        ]
    )
    zh = (written / "report-2025-01.zh.html").read_text(encoding="utf-8")
    assert "Ⅰ～Ⅲ类水质断面比例为" in zh
    assert "优良天数比例为" in zh
    assert "四川省" in zh
    en = (written / "report-2025-01.en.html").read_text(encoding="utf-8")
    assert "were class I–III" in en
    assert "good-day rate" in en


def test_one_language(generated_data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "report",
            "--data",
            str(generated_data),
            "--month",
            "2025-02",
            "--jurisdiction",
            "SC",
            "--lang",
            "en",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report-2025-02.en.html").is_file()
    assert not (tmp_path / "report-2025-02.zh.html").exists()
    assert "simulated" not in result.stderr  # SC has no simulated station


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025-13"], "is not a month"),
        (["--month", "2025-01", "--jurisdiction", "XX"], "not registered"),
    ],
)
def test_errors(generated_data: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        main, ["report", "--data", str(generated_data), "--out", str(tmp_path / "r"), *args]
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_are_drawn_in_a_browser(written: Path, lang: str) -> None:
    page = written / f"report-2025-01.{lang}.html"
    dom = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    charts = len(re.findall(r'<div class="chart[^"]*" id="chart-', page.read_text(encoding="utf-8")))
    assert charts == 7
    assert f'data-charts="{charts}"' in dom
    assert "data-chart-errors" not in dom
    assert dom.count("<svg") >= charts  # each chart rendered as SVG
