"""Reading observation blocks in order, with the residual $filter applied chunk by chunk.

A *block* is one exact store query (a set of series, a time range, a direction); a scan reads blocks
one after another in (mn, param, kind, time) order, with ``limit``/``offset`` or a keyset cursor, and
filters rows the store could not (vectorised with Arrow when :mod:`arrow_filter` can express the
terms, row by row otherwise). Budgets keep one request from reading a whole table: a page or count
that would scan more than :data:`SCAN_BUDGET` rows (:data:`PYTHON_SCAN_BUDGET` row by row) is refused
with 400, and ``$count`` stops at :data:`COUNT_CAP`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final

import pyarrow as pa

from lianfang.api.sensorthings.arrow_filter import to_arrow
from lianfang.api.sensorthings.entities import Entity
from lianfang.api.sensorthings.evaluate import EvalContext, matches
from lianfang.api.sensorthings.expr import Expr
from lianfang.errors import InputError
from lianfang.share import Caller, SharedReader
from lianfang.store.base import ObservationKey, ObservationQuery

__all__ = [
    "CHUNK",
    "COUNT_CAP",
    "FIRST_CHUNK",
    "PYTHON_SCAN_BUDGET",
    "SCAN_BUDGET",
    "VIA",
    "Block",
    "Row",
    "Scan",
    "before_cursor",
    "rows_of",
]

COUNT_CAP: Final = 10_000_000  # $count is exact up to here
SCAN_BUDGET: Final = 2_000_000  # rows a vectorised residual filter may scan for one page or count
PYTHON_SCAN_BUDGET: Final = 200_000  # … when the residual needs row-by-row evaluation
CHUNK: Final = 20_000  # most rows per store read while scanning
FIRST_CHUNK: Final = 1_000  # least rows of the first read; chunks double from there up to CHUNK
VIA: Final = "sta"  # the read path named in the audit

Row = tuple[str, str, str, datetime, float | None, str | None]  # mn, param, kind, time, value, flag
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Block:
    """One exact store query, covering series between ``low`` and ``high`` (None: unbounded)."""

    query: ObservationQuery
    low: tuple[str, str, str] | None = None
    high: tuple[str, str, str] | None = None


def rows_of(table: pa.Table) -> list[Row]:
    # times via integers: to_pylist() gives ZoneInfo("UTC") datetimes, whose astimezone() costs ~10 µs
    micros = table.column("time").cast(pa.int64()).to_pylist()
    times = [_EPOCH + timedelta(microseconds=m or 0) for m in micros]  # time is NOT NULL in the store
    columns = [table.column(name).to_pylist() for name in ("mn", "param", "kind")]
    values, flags = table.column("value").to_pylist(), table.column("flag").to_pylist()
    return list(zip(*columns, times, values, flags, strict=True))


class Scan:
    """Reads blocks in order, applying the residual filter chunk by chunk within the scan budget."""

    def __init__(
        self,
        reader: SharedReader,
        caller: Caller,
        ctx: EvalContext,
        residual: list[Expr],
        entity: Callable[[Row], Entity],
    ) -> None:
        self.reader = reader
        self.caller = caller
        self.ctx = ctx
        self.residual = residual
        self.entity = entity  # builds the Observation a row-by-row residual is evaluated on
        self.vector = to_arrow(residual, ctx) if residual else None
        self.budget = SCAN_BUDGET if self.vector is not None or not residual else PYTHON_SCAN_BUDGET
        self.scanned = 0

    def _keep(self, table: pa.Table) -> list[Row]:
        if not self.residual:
            return rows_of(table)
        if self.vector is not None:
            return rows_of(table.filter(self.vector))
        kept = []
        for row in rows_of(table):
            entity = self.entity(row)
            if all(matches(term, entity, self.ctx) for term in self.residual):
                kept.append(row)
        return kept

    def _read(self, query: ObservationQuery, after: ObservationKey | None) -> pa.Table:
        table = self.reader.observations(self.caller, query, via=VIA, after=after)
        self.scanned += table.num_rows
        return table

    def _over_budget(self) -> InputError:
        return InputError(
            f"this $filter needs more than {self.budget} observations scanned; narrow it with a "
            "phenomenonTime range or a Datastream"
        )

    def stream(
        self, blocks: Sequence[Block], *, skip: int, need: int, after: ObservationKey | None
    ) -> list[Row]:
        """The first ``need`` matching rows after skipping ``skip`` (and after the cursor ``after``)."""
        out: list[Row] = []
        for block in blocks:
            descending = block.query.descending
            if after is not None and before_cursor(block, after, descending):
                continue
            cursor = after
            offset = 0
            if not self.residual and cursor is None and skip > 0:
                available = self.reader.count_observations(self.caller, block.query, via=VIA, cap=skip + 1)
                if available <= skip:
                    skip -= available
                    continue
                offset, skip = skip, 0
            chunk = min(CHUNK, max(FIRST_CHUNK, 4 * (need + skip)))
            while True:
                limit = need - len(out) + skip if not self.residual else chunk
                chunk = min(CHUNK, 2 * chunk)  # a sparse match: read further per call
                table = self._read(replace(block.query, limit=limit, offset=offset), cursor)
                raw = rows_of(table) if table.num_rows else []
                kept = self._keep(table) if self.residual else raw
                if skip:
                    dropped = min(skip, len(kept))
                    kept, skip = kept[dropped:], skip - dropped
                out.extend(kept[: need - len(out)])
                if len(out) >= need:
                    return out
                if table.num_rows < limit:
                    break  # this block is exhausted
                if self.scanned > self.budget:
                    raise self._over_budget()
                last = raw[-1]
                cursor, offset = (last[0], last[1], last[2], last[3]), 0
        return out

    def count(self, blocks: Sequence[Block]) -> tuple[int, bool]:
        """(count, capped): exact below COUNT_CAP; residual filters count by scanning (budgeted)."""
        total = 0
        if not self.residual:
            for block in blocks:
                total += self.reader.count_observations(
                    self.caller, block.query, via=VIA, cap=COUNT_CAP - total
                )
                if total >= COUNT_CAP:
                    return COUNT_CAP, True
            return total, False
        for block in blocks:
            cursor: ObservationKey | None = None
            while True:
                table = self._read(replace(block.query, limit=CHUNK, offset=0), cursor)
                total += len(self._keep(table))
                if table.num_rows < CHUNK:
                    break
                if self.scanned > self.budget:
                    raise self._over_budget()
                last = rows_of(table.slice(table.num_rows - 1))[0]
                cursor = (last[0], last[1], last[2], last[3])
        return total, False


def before_cursor(block: Block, after: ObservationKey, descending: bool) -> bool:
    """True when every row of ``block`` comes before the cursor in the read order."""
    prefix = (after[0], after[1], after[2])
    if descending:
        return block.low is not None and block.low > prefix
    return block.high is not None and block.high < prefix
