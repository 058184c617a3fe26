"""``lianfang report``: the monthly report (HTML in Chinese and English, charts, CSVs) from the store.

A thin skin over :mod:`lianfang.reports.monthly` and :mod:`lianfang.reports.report_files`. The
ECharts library is the one vendored with the web dashboard, copied next to the pages (no CDN).
"""

from __future__ import annotations

import re
from importlib.resources import as_file, files
from pathlib import Path
from typing import cast

import click
from rich.console import Console

from lianfang.cli.common import data_option, fail, open_data_store
from lianfang.errors import LianfangError
from lianfang.reports.monthly import build_monthly_report
from lianfang.reports.report_files import write_report
from lianfang.reports.report_labels import Lang
from lianfang.settings import load_settings

__all__ = ["report"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@click.command("report")
@data_option
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to report.")
@click.option("--jurisdiction", metavar="CODE", help="One jurisdiction (default: every one with stations).")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both", show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the files [default: ./report-YYYY-MM].",
)
def report(data: Path, month: str, jurisdiction: str | None, lang: str, out: Path | None) -> None:
    """Write the monthly report of --month: water classes, air quality (AQI calendar), 12-month trends.

    Figures are in the form the agencies publish (I–III 类水质断面比例, 优良天数比例 …); figures from
    simulated stations are marked as such.
    """
    found = _MONTH.match(month.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        fail(f"--month {month!r} is not a month (YYYY-MM)")
    year, number = int(found.group(1)), int(found.group(2))
    try:
        store_path = load_settings(None, data_dir=data).store_path
    except LianfangError as exc:
        fail(exc.message)
    if not store_path.is_file():
        fail(f"no store in {data} (expected {store_path.name})")
    langs: tuple[Lang, ...] = ("zh", "en") if lang == "both" else (cast(Lang, lang),)
    target = out or Path(f"report-{month.strip()}")
    console = Console(stderr=True)
    with open_data_store(data) as store:
        with console.status(f"computing the report of {month}"):
            built = build_monthly_report(store, year, number, jurisdiction=jurisdiction)
        # through the lianfang package: importing lianfang.web would pull in the web framework
        echarts = files("lianfang") / "web" / "static" / "vendor" / "echarts" / "echarts.min.js"
        with as_file(echarts) as echarts_path:
            written = write_report(built, target, langs=langs, echarts_js=echarts_path)
    if built.simulated:
        click.echo("Note: the report contains figures from simulated stations (marked as such)", err=True)
    for path in written:
        click.echo(str(path))
