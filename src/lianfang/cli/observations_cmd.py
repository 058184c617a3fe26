"""``lianfang observations``: stored values straight from the store file (when no server holds it).

JSON output is one object per line (other tools read it):
``{"mn", "param", "kind": "rtd"|"min"|"hour"|"day", "time": ISO 8601 with offset, "value", "flag"}``
with times shown in Beijing time (+08:00) and ``value`` a number, or null when the logger sent none.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from lianfang.cli.common import data_option, open_data_store
from lianfang.model import BEIJING, DataKind
from lianfang.store.base import ObservationQuery

__all__ = ["observations", "parse_time"]

_FIELDS = ("mn", "param", "kind", "time", "value", "flag")
# HJ 212-2017 DataTime is YYYYMMDDhhmmss; shorter forms name the start of that day/hour/minute.
_COMPACT = {8: "%Y%m%d", 10: "%Y%m%d%H", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
_LOCKED_HINT = " (while the server runs, read observations through its HTTP API)"


def parse_time(text: str) -> datetime:
    """An ISO 8601 date or date-time, or HJ 212 ``YYYYMMDDhhmmss``; without a zone it is Beijing time."""
    raw = text.strip()
    try:
        if raw.isdigit() and len(raw) in _COMPACT:  # HJ 212 DataTime, possibly shortened
            moment = datetime.strptime(raw, _COMPACT[len(raw)])
        else:
            moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise click.BadParameter(
            f"{text!r} is not a date or time (e.g. 2024-05-01 or 2024-05-01T08:00)"
        ) from exc
    return moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment


class _Time(click.ParamType[datetime]):
    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        return value if isinstance(value, datetime) else parse_time(str(value))


def _rows(table: pa.Table) -> Iterator[dict[str, Any]]:
    """Output records: Beijing-time ISO strings, NaN as null (JSON has no NaN)."""
    for batch in table.to_batches(max_chunksize=10_000):
        for row in batch.to_pylist():
            value = row["value"]
            yield {
                "mn": row["mn"],
                "param": row["param"],
                "kind": row["kind"],
                "time": row["time"].astimezone(BEIJING).isoformat(),
                "value": None if value is None or math.isnan(value) else value,
                "flag": row["flag"],
            }


def _print_table(table: pa.Table) -> None:
    view = Table(*_FIELDS, title=f"{table.num_rows} observations (Beijing time)")
    for row in _rows(table):
        view.add_row(
            row["mn"],
            row["param"],
            row["kind"],
            row["time"],
            "" if row["value"] is None else f"{row['value']:g}",
            row["flag"],
        )
    Console().print(view)


@click.command()
@data_option
@click.option("--station", "stations", multiple=True, metavar="MN", help="Only this station (repeatable).")
@click.option("--param", "params", multiple=True, metavar="CODE", help="Only this HJ 212 code (repeatable).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([str(k) for k in DataKind]),
    help="Only this kind (repeatable).",
)
@click.option("--from", "start", type=_Time(), help="From this time on (inclusive); no zone = Beijing time.")
@click.option("--to", "end", type=_Time(), help="Before this time (exclusive); no zone = Beijing time.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv", "table"]), default="json", show_default=True
)
def observations(
    data: Path | None,
    stations: tuple[str, ...],
    params: tuple[str, ...],
    kinds: tuple[str, ...],
    start: datetime | None,
    end: datetime | None,
    limit: int | None,
    fmt: str,
) -> None:
    """Print stored observations, ordered by station, parameter, kind and time."""
    if start is not None and end is not None and end <= start:
        raise click.BadParameter(
            f"--to {end.isoformat()} is not after --from {start.isoformat()}", param_hint="--to"
        )
    query = ObservationQuery(
        mns=list(stations) or None,
        params=list(params) or None,
        kinds=[DataKind(k) for k in kinds] or None,
        start=start,
        end=end,
        limit=limit,
    )
    with open_data_store(data, read_only=True, locked_hint=_LOCKED_HINT) as store:
        table = store.read_observations(query)
    if fmt == "json":
        out = sys.stdout
        for row in _rows(table):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_rows(table))
    else:
        _print_table(table)
