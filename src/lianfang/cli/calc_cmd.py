"""Calculators: ``lianfang water-class``, ``lianfang river-grade`` (and ``lianfang aqi``).

Thin skins over :mod:`lianfang.assess`. Bad input (unknown item, non-number, impossible value) prints one
line on stderr and exits with status 2. JSON shapes are a contract other tools rely on.
"""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NoReturn

import click
from rich.console import Console
from rich.table import Table

from lianfang.assess.air import AqiReport, Period, aqi_report, items_of
from lianfang.assess.aqi_tables import AqiItem, Indicator
from lianfang.assess.editions import AqiEdition, air_rules_for, today_beijing
from lianfang.assess.gbt8170 import round_decimal
from lianfang.assess.water import SampleAssessment, assess_sample
from lianfang.assess.water_grade import PROPORTION_MIN_SECTIONS, grade_by_proportion
from lianfang.assess.water_limits import ALL_ITEMS, GB3838_UNITS, canonical_item, class_code

__all__ = ["aqi", "river_grade", "water_class"]

_STYLE = {"blue": "bold blue", "green": "bold green", "yellow": "bold yellow", "orange": "bold dark_orange",
          "red": "bold red"}  # fmt: skip


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(2)


def _parse_items(pairs: tuple[str, ...]) -> dict[str, float]:
    if not pairs:
        _fail("give at least one ITEM=VALUE, e.g. NH3N=0.8")
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            _fail(f"{pair!r} is not ITEM=VALUE")
        try:
            item = canonical_item(name)
        except ValueError as exc:
            _fail(str(exc))
        try:
            value = float(text)
        except ValueError:
            _fail(f"{name}: {text!r} is not a number")
        if not math.isfinite(value):
            _fail(f"{name}: {text!r} is not a finite number")
        if item in values:
            _fail(f"{item} given twice")
        values[item] = value
    return values


@click.command("water-class")
@click.option("--lake", is_flag=True, help="Lake or reservoir: TP is classed on the lake limits.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.argument("pairs", nargs=-1, metavar="ITEM=VALUE...")
def water_class(lake: bool, as_json: bool, pairs: tuple[str, ...]) -> None:
    """GB 3838-2002 class of one sample or period mean, by the 环办[2011]22号 single-factor method.

    ITEM is a GB 3838 item (pH DO CODMn COD BOD5 NH3N TP TN Cu Zn F Se As Hg Cd Cr6 Pb CN VPhenol Oil LAS
    S2 FC, WT) or an HJ 212 code (w21003 …). VALUE is in mg/L (FC in 个/L, pH dimensionless) whatever
    the name: convert HJ 212 µg/L metals first. TN and FC are classed but, like WT, not in the class.
    """
    values = _parse_items(pairs)
    try:
        result = assess_sample(values, lake=lake)
    except ValueError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    _print_sample(values, result, lake=lake)


def _print_sample(values: dict[str, float], result: SampleAssessment, *, lake: bool) -> None:
    water = "lake/reservoir" if lake else "river"
    table = Table(title=f"GB 3838-2002 ({water}), 环办[2011]22号 single-factor method")
    for header in ("item", "value", "unit", "class", "× III", "note"):
        table.add_column(header, justify="right" if header in ("value", "× III") else "left")
    ranks = {item: n for n, item in enumerate(result.main_pollutants, start=1)}
    for item in sorted(values, key=ALL_ITEMS.index):
        if item == "WT":
            note = "not classed"
        elif item in result.not_assessed:
            note = "reference item, not in the class"
        else:
            note = f"main pollutant {ranks[item]}" if item in ranks else ""
        multiple = result.exceedance.get(item)
        table.add_row(
            item,
            f"{values[item]:g}",
            GB3838_UNITS[item],
            result.item_classes.get(item, "—"),
            "" if multiple is None else f"{multiple:.2f}",
            note,
        )
    console = Console()
    console.print(table)
    style = _STYLE[result.colour]
    console.print(f"class [{style}]{result.water_class}[/] — [{style}]{result.status}[/] ({result.colour})")


def _percent(count: int, total: int) -> float:
    # Published as percentages with one decimal; GB/T 8170 rounding of the exact fraction.
    exact = Fraction(100 * count, total)
    return float(round_decimal(Decimal(exact.numerator) / Decimal(exact.denominator), 1))


@click.command("river-grade")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.argument("classes", nargs=-1, metavar="CLASS...")
def river_grade(as_json: bool, classes: tuple[str, ...]) -> None:
    """Status of a river, basin or water system from its section classes (I II III IV V 劣V), by the
    环办[2011]22号 proportion method. Shares are percentages with one decimal (GB/T 8170).

    The method needs 5 sections or more; fewer are graded by averaging their concentrations, which
    classes alone cannot do.
    """
    try:
        codes = [class_code(c) for c in classes]
    except ValueError as exc:
        _fail(str(exc))
    if len(codes) < PROPORTION_MIN_SECTIONS:
        _fail(
            f"{len(codes)} section(s): 环办[2011]22号 grades fewer than {PROPORTION_MIN_SECTIONS} sections "
            "by averaging their concentrations, not by class shares"
        )
    grade = grade_by_proportion(codes)
    share_good = _percent(grade.n_i_iii, grade.n_sections)
    share_bad = _percent(grade.n_worse_than_v, grade.n_sections)
    if grade.note:
        click.echo(f"Note: {grade.note}", err=True)
    if as_json:
        shape = {"status": grade.status, "share_I_III": share_good, "share_worse_than_V": share_bad}
        click.echo(json.dumps(shape, ensure_ascii=False))
        return
    style = _STYLE[grade.colour]
    console = Console()
    console.print(
        f"{grade.n_sections} sections: I–III {grade.n_i_iii} ({share_good:.1f}%), "
        f"劣V {grade.n_worse_than_v} ({share_bad:.1f}%)"
    )
    console.print(f"status [{style}]{grade.status}[/] ({grade.colour})")


# ---- lianfang aqi -------------------------------------------------------------------------------

_AQI_STYLE = {1: "bold green", 2: "bold yellow", 3: "bold dark_orange", 4: "bold red", 5: "bold magenta",
              6: "bold dark_red"}  # fmt: skip


def _parse_concentrations(pairs: tuple[str, ...]) -> dict[Indicator, Decimal]:
    keys = " ".join(i.value for i in Indicator)
    if not pairs:
        _fail(f"give at least one KEY=VALUE, e.g. pm25_24h=80 (keys: {keys})")
    values: dict[Indicator, Decimal] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            _fail(f"{pair!r} is not KEY=VALUE")
        try:
            indicator = Indicator(name.strip().lower())
        except ValueError:
            _fail(f"unknown key {name!r}; keys: {keys}")
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            _fail(f"{name}: {text!r} is not a number")
        if not value.is_finite():
            _fail(f"{name}: {text!r} is not a finite number")
        if value < 0:
            _fail(f"{name}: {text!r} is negative; concentrations are ≥ 0")
        if indicator in values:
            _fail(f"{indicator} given twice")
        values[indicator] = value
    return values


@click.command("aqi")
@click.option(
    "--standard",
    type=click.Choice([e.value for e in AqiEdition]),
    help="Edition of HJ 633; default: the one in force on --date (HJ633-2026 from 2026-03-01).",
)
@click.option(
    "--period",
    type=click.Choice([p.value for p in Period]),
    default=Period.DAY.value,
    show_default=True,
    help="day: daily report (24-h means, o3_8h = daily max 8-h, o3_1h = daily max hour); hour: real-time.",
)
@click.option(
    "--date", "day_text", metavar="YYYY-MM-DD", help="Day the values belong to (default: today, Beijing)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.argument("pairs", nargs=-1, metavar="KEY=VALUE...")
def aqi(
    standard: str | None, period: str, day_text: str | None, as_json: bool, pairs: tuple[str, ...]
) -> None:
    """Air quality index by HJ 633-2012 or HJ 633-2026 (exact, ceil-rounded IAQI).

    KEY is one of so2_1h so2_24h no2_1h no2_24h co_1h co_24h o3_1h o3_8h pm10_1h pm10_24h pm25_1h
    pm25_24h; VALUE in µg/m³ (CO in mg/m³). Keys the report does not use are listed and ignored.
    """
    values = _parse_concentrations(pairs)
    day = None
    if day_text is not None:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            _fail(f"--date {day_text!r} is not YYYY-MM-DD")
    when = day or today_beijing()
    edition = AqiEdition(standard) if standard else air_rules_for(when).edition
    try:
        report = aqi_report(values, period=period, edition=edition)
    except ValueError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))
        return
    _print_aqi(values, report, chosen=standard is not None, day=when)


def _print_aqi(values: dict[Indicator, Decimal], report: AqiReport, *, chosen: bool, day: date) -> None:
    why = "as requested" if chosen else f"in force on {day.isoformat()}"
    table = Table(title=f"{report.edition.value} {report.period.value} report ({why})")
    for header in ("item", "from", "value", "unit", "IAQI", "note"):
        table.add_column(header, justify="right" if header in ("value", "IAQI") else "left")
    used: set[Indicator] = set()
    for rule in items_of(report.edition, report.period):
        used.update([rule.source] + ([rule.fallback] if rule.fallback else []))
        shown = report.sources[rule.item]
        value = report.concentrations.get(shown)
        iaqi = report.iaqi.get(rule.item)
        note = "primary" if rule.item in report.primary_pollutants else ""
        if rule.item in report.missing:
            note = "missing"
        table.add_row(
            rule.item.value,
            shown.value,
            "—" if value is None else f"{value:g}",
            "mg/m³" if rule.item is AqiItem.CO else "µg/m³",
            "—" if iaqi is None else str(iaqi),
            note,
        )
    console = Console()
    console.print(table)
    if report.aqi is None or report.level is None:
        console.print("AQI NA (not published)")
    else:
        style = _AQI_STYLE[report.level.level]
        primary = ", ".join(report.primary_pollutants) or "none (AQI ≤ 50)"
        console.print(
            f"AQI [{style}]{report.aqi}[/] — level {report.level.level}, "
            f"[{style}]{report.level.category_zh}[/] ({report.level.category_en}), "
            f"{report.level.colour_zh} {report.level.colour_hex}; "
            f"primary pollutant: {primary}"
        )
    for note in report.notes:
        console.print(f"note: {note}")
    ignored = [i.value for i in values if i not in used]
    if ignored:
        console.print(f"ignored (not used by this report): {', '.join(ignored)}")
