"""``lianfang audit``: reads across jurisdictions — who read whose data, under which agreement, how much."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from lianfang.cli.common import data_option, fail, open_data_store
from lianfang.model import BEIJING
from lianfang.share.terms import parse_instant
from lianfang.store.base import AuditEntry

__all__ = ["audit"]

_COLUMNS = [
    "at",
    "reader",
    "token_id",
    "reader_name",
    "owner",
    "agreement_id",
    "agreement_version",
    "via",
    "action",
    "scope",
    "values",
]


def _record(e: AuditEntry) -> dict[str, object]:
    row = asdict(e)
    row["at"] = e.at.astimezone(BEIJING).isoformat()
    return {c: row[c] for c in _COLUMNS}


@click.command()
@data_option
@click.option(
    "--agency",
    default=None,
    help="Rows where this agency read or was read (owners: how their data was used).",
)
@click.option("--from", "start", default=None, help="From this date/time (Beijing time), inclusive.")
@click.option(
    "--to", "end", default=None, help="To this date/time, exclusive (a bare date includes that day)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
def audit(data: Path, agency: str | None, start: str | None, end: str | None, fmt: str) -> None:
    """Show the audit log of reads that crossed a jurisdiction."""
    code = agency.strip().upper() if agency else None
    with open_data_store(data) as store:
        known = sorted(j.code for j in store.jurisdictions())
        if code is not None and code not in known:
            # an empty log for a mistyped code would read as "nobody used our data"
            fail(f"unknown agency {agency!r}; known: {', '.join(known) or 'none'}")
        entries = store.audit_entries(
            agency=code,
            start=parse_instant(start) if start else None,
            end=parse_instant(end, end_of_day=True) if end else None,
        )
    rows = [_record(e) for e in entries]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        sink = io.StringIO()
        writer = csv.DictWriter(sink, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(sink.getvalue(), nl=False)
    else:
        table = Table(
            "at (Beijing)", "reader", "holder", "owner", "agreement", "via", "action", "values", "scope"
        )
        for e in entries:
            table.add_row(
                e.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                e.reader,
                f"{e.reader_name} ({e.token_id})",
                e.owner,
                f"{e.agreement_id} v{e.agreement_version}",
                e.via,
                e.action,
                str(e.values),
                e.scope,
            )
        Console(width=None if sys.stdout.isatty() else 200).print(table)
        click.echo(f"{len(entries)} row(s)")
