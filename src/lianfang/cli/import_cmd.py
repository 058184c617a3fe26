"""``lianfang import``: observation files (CSV/Parquet) and known open data sets into the store."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import pyarrow as pa
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from lianfang.cli.common import data_option, fail, open_data_store
from lianfang.errors import LianfangError
from lianfang.iotools.observation_files import ObservationChunk, RowReject, read_observation_file
from lianfang.iotools.uci_beijing import UCI_JURISDICTION, locate_uci_csv, read_uci_beijing, uci_registry
from lianfang.model import DataKind, Jurisdiction
from lianfang.store.duckdb import DuckDBStore

__all__ = ["import_"]

_SHOWN_REJECTS = 20
_STORED_COLUMNS = ["mn", "param", "kind", "time", "value", "flag"]


@dataclass(slots=True)
class _Tally:
    read: int = 0
    inserted: int = 0
    unchanged: int = 0
    corrected: int = 0
    rejects: list[RowReject] = field(default_factory=list)

    def summary(self, source: str) -> str:
        return (
            f"{source}: {self.read:,} rows read, {self.inserted:,} values inserted, "
            f"{self.unchanged:,} unchanged, {self.corrected:,} corrected, {len(self.rejects):,} rows rejected"
        )


def _write_chunk(store: DuckDBStore, chunk: ObservationChunk, tally: _Tally, known_mns: set[str]) -> None:
    tally.read += chunk.rows_read
    tally.rejects.extend(chunk.rejects)
    frame = chunk.frame
    unknown = ~frame["mn"].isin(known_mns)
    if unknown.any():
        tally.rejects.extend(
            RowReject(int(line), f"station {mn} is not registered")
            for line, mn in zip(frame.loc[unknown, "line"], frame.loc[unknown, "mn"], strict=True)
        )
        frame = frame[~unknown]
    if frame.empty:
        return
    table = pa.Table.from_pandas(frame[_STORED_COLUMNS].reset_index(drop=True), preserve_index=False)
    result = store.write_observation_table(table)
    tally.inserted += result.inserted
    tally.unchanged += result.unchanged
    tally.corrected += result.corrected


def _report(tally: _Tally, source: str, rejects_file: Path | None) -> None:
    click.echo(tally.summary(source))
    tally.rejects.sort(key=lambda r: r.line)
    for reject in tally.rejects[:_SHOWN_REJECTS]:
        click.echo(f"  line {reject.line}: {reject.reason}", err=True)
    if len(tally.rejects) > _SHOWN_REJECTS:
        more = len(tally.rejects) - _SHOWN_REJECTS
        hint = f" (all in {rejects_file})" if rejects_file else " (--rejects FILE lists them all)"
        click.echo(f"  … {more:,} more rejected rows{hint}", err=True)
    if rejects_file is not None:
        with rejects_file.open("a", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            if out.tell() == 0:
                writer.writerow(["source", "line", "reason"])
            writer.writerows((source, r.line, r.reason) for r in tally.rejects)


@click.command("import")
@data_option
@click.option("--dataset", type=click.Choice(["uci-beijing"]), help="A known open data set to import.")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path), help="The data set's file.")
@click.option(
    "--kind",
    type=click.Choice([str(k) for k in DataKind]),
    help="Data kind for files without a kind column (lab samples: rtd).",
)
@click.option(
    "--hour-label",
    type=click.Choice(["start", "end"]),
    default="start",
    show_default=True,
    help="uci-beijing: whether the file's hour is the start or the end of its period.",
)
@click.option(
    "--rejects",
    "rejects_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write rejected rows here.",
)
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(
    data: Path,
    dataset: str | None,
    file: Path | None,
    kind: str | None,
    hour_label: str,
    rejects_file: Path | None,
    files: tuple[Path, ...],
) -> None:
    """Import observations from CSV/Parquet FILES, or a known --dataset.

    Files are long: columns mn, param, [kind], time, value, [flag]; a time without an offset is
    Beijing time. Stations must be registered first (``lianfang station add|import``); rows of other
    stations, and rows that cannot be read, are rejected with their line number and the rest kept.
    """
    if dataset is None and not files:
        fail("name FILES to import, or --dataset uci-beijing")
    if dataset is not None and files:
        fail("--dataset imports its own file (--file PATH to point at it); do not also name FILES")
    console = Console(stderr=True)
    sources: list[tuple[str, Iterator[ObservationChunk]]]
    with open_data_store(data, create=True) as store:
        if dataset == "uci-beijing":
            path = locate_uci_csv(file)
            store.upsert_jurisdiction(Jurisdiction(*UCI_JURISDICTION))
            for station in uci_registry():
                store.upsert_station(station)
            chunks = read_uci_beijing(path, hour_label="end" if hour_label == "end" else "start")
            sources = [("uci-beijing", chunks)]
        else:
            default_kind = DataKind(kind) if kind else None
            sources = [(str(p), read_observation_file(p, default_kind=default_kind)) for p in files]
        known = {s.mn for s in store.stations()}
        failed: list[str] = []
        for source, chunks in sources:
            tally = _Tally()
            progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]import {task.description}"),
                TextColumn("{task.completed:,} rows"),
                TimeElapsedColumn(),
                console=console,
                disable=not console.is_terminal,
            )
            with progress:
                task = progress.add_task(Path(source).name, total=None)
                try:
                    for chunk in chunks:
                        _write_chunk(store, chunk, tally, known)
                        progress.update(task, advance=chunk.rows_read)
                except LianfangError as exc:
                    failed.append(f"{source}: {exc.message}")
            _report(tally, source, rejects_file)
        if failed:
            fail("; ".join(failed), status=1)
