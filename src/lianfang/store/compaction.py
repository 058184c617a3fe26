"""Compaction: re-order the rows of cold months by (sid, time), so that a series is read in one piece.

Rows arrive time-major: every row group of ``observations`` holds a little of every station, so a
read of one station-year could skip nothing and scanned the whole table. After compaction a month
of one series lies in one or two row groups, which DuckDB's zone maps on ``sid`` find (see
:mod:`.series`). On 50 M rows (``python -m bench api``) the first page of a station-year through
REST went from 232–295 / 286–369 ms p50 / p95 to 19–30 / 22–38 ms (docs/storage.md).

A month is compacted once it ended more than :data:`COLD_AFTER` ago (Beijing calendar months), and
again if it has grown by more than :data:`REGROW` since (late backfill). Its series are taken in
sid ranges of about :data:`STEP_ROWS` rows; each step is one transaction on the writer thread:

1. copy the step's rows into a temporary table, ordered by (sid, time);
2. delete them from ``observations``;
3. append the copy (DuckDB keeps an ``INSERT … ORDER BY`` in order).

Readers see either the old or the new rows (MVCC), never both or neither; a crash keeps either
(the WAL replays whole transactions). Observation writes queued meanwhile commit between steps.
Row groups emptied by the deletes are dropped at the next checkpoint. The ledger
``observation_compactions`` gets the month's row count in the transaction of its last step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import duckdb

from lianfang.errors import LianfangError
from lianfang.model import BEIJING

__all__ = [
    "COLD_AFTER",
    "REGROW",
    "STEP_ROWS",
    "CompactionReport",
    "MaintenanceThread",
    "Month",
    "Step",
    "cold_months",
    "compact_step",
    "month_steps",
]

log = logging.getLogger(__name__)

#: A month is compacted once it ended this long ago (late values of the last hours arrive first).
COLD_AFTER = timedelta(hours=24)
#: A compacted month is compacted again when it has more rows than this times its count then.
REGROW = 1.05
#: Rows per transaction (about 0.5 s of the writer's time on the 2-core test machine).
STEP_ROWS = 500_000
_MAX_SID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Month:
    start: datetime  # inclusive, a Beijing midnight
    end: datetime  # exclusive
    rows: int  # when planned


@dataclass(frozen=True, slots=True)
class Step:
    low: int  # sid range, inclusive
    high: int
    rows: int
    last: bool  # the month's last step: record it in the ledger


@dataclass(frozen=True, slots=True)
class CompactionReport:
    """What one :meth:`~lianfang.store.observations.ObservationTables.compact` call did."""

    months: int = 0  # months finished
    steps: int = 0  # transactions
    rows: int = 0  # rows re-ordered
    seconds: float = 0.0  # [s] spent in the steps (the writer's time)

    def add(self, rows: int, seconds: float, *, last: bool) -> CompactionReport:
        return CompactionReport(self.months + last, self.steps + 1, self.rows + rows, self.seconds + seconds)


def _month_start(instant: datetime) -> datetime:
    local = instant.astimezone(BEIJING)
    return datetime(local.year, local.month, 1, tzinfo=BEIJING)


def _next_month(start: datetime) -> datetime:
    return datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=BEIJING)


def cold_months(con: duckdb.DuckDBPyConnection, before: datetime) -> list[Month]:
    """Months ending at or before ``before`` that hold rows and are not compacted, or grew since."""
    ((first, last),) = con.execute(
        "SELECT min(time), max(time) FROM observations"
    ).fetchall()  # from statistics
    if first is None:
        return []
    ledger = dict(con.execute("SELECT month, rows FROM observation_compactions").fetchall())
    compacted = {m.astimezone(BEIJING): rows for m, rows in ledger.items()}
    months: list[Month] = []
    start = _month_start(first)
    while start <= last and _next_month(start) <= before:
        end = _next_month(start)
        ((rows,),) = con.execute(
            "SELECT count(*) FROM observations WHERE time >= ? AND time < ?", [start, end]
        ).fetchall()
        done = compacted.get(start)
        if rows and (done is None or rows > done * REGROW):
            months.append(Month(start, end, int(rows)))
        start = end
    return months


def month_steps(con: duckdb.DuckDBPyConnection, month: Month, step_rows: int = STEP_ROWS) -> list[Step]:
    """Consecutive sid ranges of about ``step_rows`` rows covering ``month`` (a series is never split)."""
    counts = con.execute(
        "SELECT sid, count(*) FROM observations WHERE time >= ? AND time < ? GROUP BY sid ORDER BY sid",
        [month.start, month.end],
    ).fetchall()
    steps: list[Step] = []
    low, rows = 0, 0  # ranges are contiguous: a series that gets rows after planning is not missed
    for sid, n in counts:
        rows += n
        if rows >= step_rows:
            steps.append(Step(low, sid, rows, last=False))
            low, rows = sid + 1, 0
    if rows or not steps:
        steps.append(Step(low, _MAX_SID, rows, last=True))
    else:
        steps[-1] = replace(steps[-1], high=_MAX_SID, last=True)
    return steps


def compact_step(con: duckdb.DuckDBPyConnection, month: Month, step: Step) -> int:
    """One step, inside the caller's transaction (the writer's); returns the rows re-ordered."""
    where = "time >= ? AND time < ? AND sid BETWEEN ? AND ?"
    params = [month.start, month.end, step.low, step.high]
    con.execute("DROP TABLE IF EXISTS temp.lf_compact")
    con.execute(
        f"CREATE TEMP TABLE lf_compact AS SELECT * FROM observations WHERE {where} ORDER BY sid, time", params
    )
    ((moved,),) = con.execute(f"DELETE FROM observations WHERE {where}", params).fetchall()
    con.execute("INSERT INTO observations SELECT * FROM temp.lf_compact ORDER BY sid, time")
    con.execute("DROP TABLE temp.lf_compact")
    if step.last:
        ((rows,),) = con.execute(
            "SELECT count(*) FROM observations WHERE time >= ? AND time < ?", [month.start, month.end]
        ).fetchall()
        con.execute(
            "INSERT OR REPLACE INTO observation_compactions (month, rows, compacted_at) VALUES (?, ?, now())",
            [month.start, rows],
        )
    return int(moved)


class MaintenanceThread:
    """Calls ``compact(cold_after=…, stop=…, busy_rows=…, rest=1.0)`` every ``interval`` [s] in a
    daemon thread: compaction waits while ingest has more than :data:`BUSY_ROWS` rows queued and
    rests after each step as long as the step took, so it takes at most half of the writer's time."""

    BUSY_ROWS = 20_000

    def __init__(
        self, compact: Callable[..., CompactionReport], *, interval: float, cold_after: timedelta
    ) -> None:
        self._compact = compact
        self._interval = interval
        self._cold_after = cold_after
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lianfang-store-compaction", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current step (if any) and wait for the thread."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            started = time.monotonic()
            try:
                report = self._compact(
                    cold_after=self._cold_after, stop=self._stop, busy_rows=self.BUSY_ROWS, rest=1.0
                )
            except LianfangError as exc:  # a failed step rolled back: try again next time
                if not self._stop.is_set():  # (while closing, the store refuses work: no news)
                    log.warning("compaction failed: %s", exc)
                continue
            if report.steps:
                log.info(
                    "compacted %d month(s), %d rows in %.1f s (%.1f s elapsed)",
                    report.months,
                    report.rows,
                    report.seconds,
                    time.monotonic() - started,
                )
