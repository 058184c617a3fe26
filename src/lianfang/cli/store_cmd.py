"""``lianfang store compact``: re-order cold months of observations by series (see docs/storage.md).

``lianfang run`` does the same in the background while it runs; this command is for a store that
no server holds (after an import, or from a nightly job).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from lianfang.cli.common import data_option, open_data_store
from lianfang.store.compaction import COLD_AFTER

__all__ = ["store"]


@click.group()
def store() -> None:
    """Maintain the store."""


@store.command()
@data_option
@click.option(
    "--cold-after",
    type=click.FloatRange(min=0),
    default=COLD_AFTER.total_seconds() / 3600,
    show_default=True,
    help="Compact a month once it ended this many hours ago [h].",
)
def compact(data: Path | None, cold_after: float) -> None:
    """Re-order cold months by (series, time), so that reads of a few stations skip the rest."""
    with open_data_store(data, locked_hint=" (a running server compacts by itself)") as opened:
        report = opened.compact(cold_after=timedelta(hours=cold_after))
    if report.steps == 0:
        click.echo("nothing to compact")
        return
    click.echo(
        f"compacted {report.months} month(s): {report.rows:,} rows in {report.steps} "
        f"transaction(s), {report.seconds:.1f} s"
    )
