"""``lianfang assess air|water``: assessments over the stored data, a thin skin over
:mod:`lianfang.reports` (the service layer) and :mod:`lianfang.assess` (the standards).

Output contract: ``assess air --jurisdiction J --year Y --format json`` prints one JSON object with
exactly the keys of :data:`lianfang.reports.records.AIR_EVALUATION_KEYS` — the city-level annual
evaluation in the edition in force that year. Notes (values excluded, invalid periods, simulated
stations) go to stderr so stdout stays machine-readable. Errors are one line on stderr, status 2.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console
from rich.table import Table

from lianfang.assess.editions import AqiEdition
from lianfang.cli.common import data_option, fail, open_data_store
from lianfang.errors import LianfangError
from lianfang.model import DataKind, StationKind
from lianfang.reports.air_service import AirDays, AirPeriodEvaluation, air_days, evaluate_air_days
from lianfang.reports.records import (
    air_daily_rows,
    air_evaluation_object,
    air_evaluation_rows,
    jurisdiction_rows,
    river_rows,
    section_rows,
)
from lianfang.reports.scope import DayRange, Scope, day_range, resolve_scope
from lianfang.reports.water_service import WaterResult, assess_water
from lianfang.settings import load_settings
from lianfang.store.duckdb import DuckDBStore

__all__ = ["assess"]

F = TypeVar("F", bound=Callable[..., object])

_FORMATS = click.Choice(["table", "json", "csv"])


def _period_options(fn: F) -> F:
    for option in reversed(
        [
            click.option("--from", "start", metavar="YYYY-MM-DD", help="First day (Beijing calendar)."),
            click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day, inclusive."),
            click.option("--year", metavar="YYYY", help="A calendar year (annual evaluation)."),
            click.option("--month", metavar="YYYY-MM", help="A calendar month (monthly evaluation)."),
            click.option("--format", "fmt", type=_FORMATS, default="table", show_default=True),
        ]
    ):
        fn = option(fn)
    return fn


@contextmanager
def _reading(data: Path) -> Iterator[DuckDBStore]:
    """The store of ``data`` (never created here: an assessment of nothing is an error)."""
    try:
        path = load_settings(None, data_dir=data).store_path
    except LianfangError as exc:
        fail(exc.message)
    if not path.is_file():
        fail(f"no store in {data} (expected {path.name}; import or collect data first)")
    with open_data_store(data) as store:
        try:
            yield store
        except (LianfangError, ValueError) as exc:
            fail(exc.message if isinstance(exc, LianfangError) else str(exc))


def _note(message: str) -> None:
    click.echo(f"Note: {message}", err=True)


def _print_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


def _print_csv(rows: Sequence[dict[str, object]]) -> None:
    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _print_table(title: str, rows: Sequence[dict[str, object]], columns: Sequence[str]) -> None:
    """A rich table of ``columns`` (keys of ``rows``), headed by their short names in :data:`_HEADERS`."""
    table = Table(title=title)
    for column in columns:
        table.add_column(_HEADERS.get(column, column), no_wrap=column in ("mn", "date", "period"))
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    Console(width=220).print(table)


_HEADERS = {
    "pm25_mean": "PM2.5",
    "pm10_mean": "PM10",
    "so2_mean": "SO2",
    "no2_mean": "NO2",
    "co_p95": "CO P95",
    "o3_8h_p90": "O3-8h P90",
    "valid_days": "valid d",
    "good_days": "good d",
    "good_day_rate": "good %",
    "heavy_or_worse_days": "heavy+ d",
    "composite_index": "composite",
    "not_attained": "not attained",
    "not_valid": "not valid",
    "excluded_values": "excluded",
    "primary_pollutants": "primary",
    "meets_target": "meets",
    "main_pollutants": "main pollutants",
    "share_I_III": "I–III %",
    "share_worse_than_V": "劣V %",
    "n_sections": "sections",
    "mean_class": "mean class",
}


# --- air -------------------------------------------------------------------------------------------


@click.group("assess")
def assess() -> None:
    """Assess stored observations by the national standards (GB 3838 / HJ 633 / HJ 663)."""


def _air_groups(scope: Scope) -> list[tuple[str | None, Scope]]:
    if scope.jurisdiction is not None or len(scope.stations) > 1:
        return [
            (code, Scope(scope.kind, members, f"jurisdiction {code}", jurisdiction=code))
            for code, members in scope.by_jurisdiction().items()
        ]
    return [(None, scope)]


def _air_notes(source: AirDays, label: str) -> None:
    if source.exclusions.total:
        _note(f"{label}: {source.exclusions.summary()}")
    invalid = {p: n for p, n in source.invalid_days.items() if n}
    if invalid:
        parts = ", ".join(f"{p} {n}" for p, n in invalid.items())
        _note(f"{label}: station-days with too few hours for a valid daily value (GB 3095 Table 4): {parts}")
    if source.missing:
        _note(f"{label}: no hourly data for {', '.join(s.mn for s in source.missing)}")
    if source.simulated:
        _note(f"{label}: figures include simulated stations (not measurements)")


def _evaluation_notes(result: AirPeriodEvaluation, label: str, lenient: bool) -> None:
    city = result.city
    invalid = [p for p, e in city.pollutants.items() if not bool(e.valid)]
    if invalid:
        rule = "324 valid days a year and 27 a month (February 25)"
        if result.period.value == "month":
            rule = "27 valid days (February 25)"
        shown = "computed anyway (--lenient: not official)" if lenient else "not reported (null)"
        _note(f"{label}: {', '.join(invalid)} lack the valid days HJ 663 requires ({rule}): {shown}")


@assess.command("air")
@data_option
@_period_options
@click.option("--station", metavar="MN", help="One station.")
@click.option("--jurisdiction", metavar="CODE", help="A jurisdiction's stations, assessed as one city.")
@click.option(
    "--standard",
    type=click.Choice([e.value for e in AqiEdition]),
    help="Name an HJ 633 edition for every day (default: the one in force each day).",
)
@click.option("--lenient", is_flag=True, help="Compute statistics even without HJ 663's valid days.")
def air(
    data: Path,
    start: str | None,
    end: str | None,
    year: str | None,
    month: str | None,
    fmt: str,
    station: str | None,
    jurisdiction: str | None,
    standard: str | None,
    lenient: bool,
) -> None:
    """Daily AQI series (--from/--to) or the HJ 663 evaluation of a --year or --month.

    A jurisdiction is assessed as one city: its daily concentration is the mean over its stations
    (HJ 663), and the city AQI is computed from those means. Values flagged other than N are excluded
    and counted.
    """
    try:
        days = day_range(start=start, end=end, year=year, month=month)
    except LianfangError as exc:
        fail(exc.message)
    with _reading(data) as store:
        scope = resolve_scope(store, StationKind.AIR, station=station, jurisdiction=jurisdiction)
        groups = _air_groups(scope)
        sources = [(code, air_days(store, group.stations, days, edition=standard)) for code, group in groups]
    for code, source in sources:
        _air_notes(source, f"jurisdiction {code}" if code else scope.label)
    if year is None and month is None:
        _print_air_series(sources, fmt)
        return
    results = [
        (code, evaluate_air_days(src, edition=standard, require_valid=not lenient)) for code, src in sources
    ]
    for code, result in results:
        _evaluation_notes(result, f"jurisdiction {code}" if code else scope.label, lenient)
    _print_air_evaluation(
        results, days, fmt, single_station=scope.jurisdiction is None and station is not None
    )


def _print_air_series(sources: list[tuple[str | None, AirDays]], fmt: str) -> None:
    rows = [row for code, src in sources for row in air_daily_rows(src, city=code)]
    if fmt == "json":
        _print_json(rows)
    elif fmt == "csv":
        _print_csv(rows)
    else:
        shown = [r for r in rows if r["scope"] != "station"] or rows
        columns = [
            "date",
            "scope",
            "mn",
            "aqi",
            "category",
            "primary_pollutants",
            "pm25",
            "pm10",
            "so2",
            "no2",
            "co",
            "o3_8h",
            "o3_1h",
            "standard",
        ]
        caption = (
            "daily AQI (city rows; --format csv|json lists every station)" if len(shown) < len(rows) else ""
        )
        _print_table(caption or "daily AQI", shown, columns)


def _print_air_evaluation(
    results: list[tuple[str | None, AirPeriodEvaluation]], days: DayRange, fmt: str, *, single_station: bool
) -> None:
    if fmt == "json":
        if single_station:
            result = results[0][1]
            _print_json({"mn": result.stations[0].mn, **air_evaluation_object(result.station, (0,))})
        elif len(results) == 1 and results[0][0] is not None:
            _print_json(air_evaluation_object(results[0][1].city))
        else:
            _print_json([{"jurisdiction": code, **air_evaluation_object(r.city)} for code, r in results])
        return
    rows = [row for code, r in results for row in air_evaluation_rows(r, jurisdiction=code)]
    if fmt == "csv":
        _print_csv(rows)
        return
    columns = [
        "scope",
        "mn",
        "standard",
        "pm25_mean",
        "pm10_mean",
        "so2_mean",
        "no2_mean",
        "co_p95",
        "o3_8h_p90",
        "valid_days",
        "good_days",
        "good_day_rate",
        "heavy_or_worse_days",
        "composite_index",
        "not_attained",
        "not_valid",
        "excluded_values",
    ]
    _print_table(f"HJ 663 evaluation {days.label()} [µg/m³; CO mg/m³; rate %]", rows, columns)


# --- water -----------------------------------------------------------------------------------------


@assess.command("water")
@data_option
@_period_options
@click.option("--station", metavar="MN", help="One section.")
@click.option("--river", metavar="NAME", help="The sections of one river (or lake).")
@click.option("--jurisdiction", metavar="CODE", help="A jurisdiction's sections.")
@click.option(
    "--period",
    type=click.Choice(["week", "ten-day", "month", "quarter", "year"]),
    help="Averaging period (default: year for --year, else month).",
)
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DataKind]),
    help="Assess this data kind only (default per section: hour, else day, min, rtd).",
)
@click.option(
    "--table",
    "which",
    type=click.Choice(["sections", "rivers", "jurisdictions"]),
    default="sections",
    show_default=True,
    help="Which table --format csv prints.",
)
def water(
    data: Path,
    start: str | None,
    end: str | None,
    year: str | None,
    month: str | None,
    fmt: str,
    station: str | None,
    river: str | None,
    jurisdiction: str | None,
    period: str | None,
    kind: str | None,
    which: str,
) -> None:
    """Section classes per period, river grades and jurisdiction shares (GB 3838-2002, 环办[2011]22号).

    Values are averaged per Beijing calendar period under the method's minimums, then classed by the
    single-factor method over the 21 assessed items. Values flagged other than N are excluded and
    counted.
    """
    try:
        days = day_range(start=start, end=end, year=year, month=month)
    except LianfangError as exc:
        fail(exc.message)
    with _reading(data) as store:
        scope = resolve_scope(
            store, StationKind.WATER, station=station, river=river, jurisdiction=jurisdiction
        )
        result = assess_water(
            store,
            scope.stations,
            days,
            period=period,  # type: ignore[arg-type]  # click.Choice holds the Period literals
            kind=DataKind(kind) if kind else None,
        )
    _water_notes(result)
    _print_water(result, fmt, which)


def _water_notes(result: WaterResult) -> None:
    if result.exclusions.total:
        _note(result.exclusions.summary())
    if result.unclassed:
        _note(
            f"no class for {len(result.unclassed)} section(s) (no data or too few values): "
            + ", ".join(s.mn for s in result.unclassed[:10])
        )
    if result.unassessed:
        parts = ", ".join(f"{p} {n:,}" for p, n in result.unassessed.items())
        _note(f"parameters that are not GB 3838 items, not assessed: {parts}")
    if result.simulated:
        _note("figures include simulated sections (not measurements)")


def _print_water(result: WaterResult, fmt: str, which: str) -> None:
    tables = {
        "sections": section_rows(result),
        "rivers": river_rows(result),
        "jurisdictions": jurisdiction_rows(result),
    }
    if fmt == "json":
        _print_json(
            {
                "from": result.days.first.isoformat(),
                "to": result.days.last.isoformat(),
                "period": result.period,
                **tables,
                "unclassed": [s.mn for s in result.unclassed],
                "exclusions": result.exclusions.as_json(),
                "simulated": result.simulated,
            }
        )
        return
    if fmt == "csv":
        _print_csv(tables[which])
        return
    span = result.days.label()
    _print_table(
        f"sections, {result.period} means {span} (GB 3838-2002, 环办[2011]22号)",
        tables["sections"],
        ["mn", "name", "river", "period", "class", "status", "target", "meets_target", "main_pollutants"],
    )
    _print_table(
        "rivers and lakes",
        tables["rivers"],
        [
            "river",
            "period",
            "status",
            "method",
            "n_sections",
            "share_I_III",
            "share_worse_than_V",
            "mean_class",
        ],
    )
    _print_table(
        "jurisdictions (shares in %)",
        tables["jurisdictions"],
        ["jurisdiction", "period", "n_sections", "share_I_III", "share_worse_than_V", "classes", "status"],
    )
