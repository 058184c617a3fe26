"""Read observation files (CSV, Parquet) for import: lab samples, backfills, open data sets.

The file format is long: one value per row. Columns (case-insensitive; aliases in brackets):

============  ========================================================================
``mn``        station MN [``station``]
``param``     parameter code, e.g. ``w21003`` or a lab code such as ``PFOS`` [``parameter``, ``code``]
``kind``      ``rtd`` | ``min`` | ``hour`` | ``day`` (optional; the reader's ``default_kind``)
``time``      ISO 8601; without an offset it is Beijing time (UTC+8), as HJ 212 times are
``value``     number in the station's unit for that parameter
``flag``      HJ 212 data flag (optional, default ``N``)
============  ========================================================================

Rows that cannot be read are returned as :class:`RowReject` with their line number and reason;
the good rows beside them are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lianfang.errors import InputError
from lianfang.model import DataKind

__all__ = [
    "IMPORT_COLUMNS",
    "ObservationChunk",
    "RowReject",
    "observation_chunks",
    "read_observation_file",
]

#: The columns of every chunk, in this order; ``time`` is a UTC instant; ``line`` is where the row
#: stands in its file (for error messages; not stored).
IMPORT_COLUMNS = ("mn", "param", "kind", "time", "value", "flag", "line")
_ALIASES = {"station": "mn", "parameter": "param", "code": "param"}
_KINDS = frozenset(str(k) for k in DataKind)
_BEIJING_OFFSET = "+08:00"


@dataclass(frozen=True, slots=True)
class RowReject:
    line: int  # 1-based line in the file, the header being line 1 (row index for Parquet)
    reason: str


@dataclass(slots=True)
class ObservationChunk:
    """Good rows of one slice of a file as a frame of :data:`IMPORT_COLUMNS`, and its rejects."""

    frame: pd.DataFrame
    rejects: list[RowReject] = field(default_factory=list)
    rows_read: int = 0


def _normalise_columns(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = {c: _ALIASES.get(str(c).strip().lower(), str(c).strip().lower()) for c in frame.columns}
    return frame.rename(columns=renamed)


def _parse_times(raw: pd.Series) -> pd.Series:
    """ISO 8601 strings to UTC instants; naive ones are Beijing time. Unparsable → NaT."""
    text = raw.astype("string").str.strip()
    has_zone = text.str.contains(r"(?:[+-]\d\d:?\d\d|Z)$", regex=True, na=False)
    text = text.where(has_zone, text + _BEIJING_OFFSET)
    return pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")


def observation_chunks(
    frame: pd.DataFrame, *, first_line: int, default_kind: DataKind | None
) -> ObservationChunk:
    """Validate one raw slice of a file (already read) into an :class:`ObservationChunk`."""
    frame = _normalise_columns(frame)
    missing = [c for c in ("mn", "param", "time", "value") if c not in frame.columns]
    if "kind" not in frame.columns and default_kind is None:
        missing.append("kind")
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(missing)} (have: {', '.join(map(str, frame.columns))})"
        )
    n = len(frame)
    lines = np.arange(first_line, first_line + n)
    out = pd.DataFrame(
        {
            "mn": frame["mn"].astype("string").str.strip(),
            "param": frame["param"].astype("string").str.strip(),
            "kind": (
                frame["kind"].astype("string").str.strip().str.lower()
                if "kind" in frame.columns
                else pd.Series([str(default_kind)] * n, dtype="string", index=frame.index)
            ),
            "time": _parse_times(frame["time"]),
            "value": pd.to_numeric(frame["value"], errors="coerce"),
            "flag": (
                frame["flag"].astype("string").str.strip().fillna("N").replace("", "N")
                if "flag" in frame.columns
                else pd.Series(["N"] * n, dtype="string", index=frame.index)
            ),
            "line": lines,
        }
    )
    raw_value = frame["value"].astype("string").str.strip()
    reasons = pd.Series(pd.NA, index=frame.index, dtype="string")
    checks = [
        (out["mn"].isna() | (out["mn"] == ""), "empty mn"),
        (out["param"].isna() | (out["param"] == ""), "empty param"),
        (~out["kind"].isin(_KINDS), "kind is not one of rtd, min, hour, day"),
        (out["time"].isna(), "time is not ISO 8601"),
        (out["value"].isna() & raw_value.notna() & (raw_value != ""), "value is not a number"),
    ]
    for mask, reason in reversed(checks):  # the first failing check names the row's reason
        reasons = reasons.mask(mask.fillna(True).to_numpy(dtype=bool), reason)
    bad = reasons.notna().to_numpy()
    rejects = [
        RowReject(int(line), str(reason)) for line, reason in zip(lines[bad], reasons[bad], strict=True)
    ]
    # An empty value cell is a missing measurement, not an error: it is skipped without a reject.
    keep = ~bad & out["value"].notna().to_numpy()
    return ObservationChunk(frame=out[keep].reset_index(drop=True), rejects=rejects, rows_read=n)


def read_observation_file(
    path: Path, *, default_kind: DataKind | None = None, chunk_rows: int = 200_000
) -> Iterator[ObservationChunk]:
    """Yield validated chunks of a ``.csv``/``.csv.gz`` or ``.parquet`` observation file."""
    suffixes = "".join(path.suffixes).lower()
    try:
        if suffixes.endswith(".parquet"):
            parquet = pq.ParquetFile(path)
            first = 0
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                frame = pa.Table.from_batches([batch]).to_pandas()
                yield observation_chunks(frame, first_line=first, default_kind=default_kind)
                first += len(frame)
            return
        if not (suffixes.endswith(".csv") or suffixes.endswith(".csv.gz")):
            raise InputError(f"{path}: unsupported file type (use .csv, .csv.gz or .parquet)")
        first = 2  # line 1 is the header
        with pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunk_rows) as reader:
            for frame in reader:
                yield observation_chunks(frame, first_line=first, default_kind=default_kind)
                first += len(frame)
    except (OSError, pd.errors.ParserError, pa.ArrowException, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: {exc}") from exc
