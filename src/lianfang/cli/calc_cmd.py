"""Calculators: ``lianfang water-class``, ``lianfang river-grade`` (and ``lianfang aqi``).

Thin skins over :mod:`lianfang.assess`. Bad input (unknown item, non-number, impossible value) prints one
line on stderr and exits with status 2. JSON shapes are a contract other tools rely on.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction
from typing import NoReturn

import click
from rich.console import Console
from rich.table import Table

from lianfang.assess.gbt8170 import round_decimal
from lianfang.assess.water import SampleAssessment, assess_sample
from lianfang.assess.water_grade import PROPORTION_MIN_SECTIONS, grade_by_proportion
from lianfang.assess.water_limits import ALL_ITEMS, GB3838_UNITS, canonical_item, class_code

__all__ = ["river_grade", "water_class"]

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
