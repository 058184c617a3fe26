"""Counts of stored values an assessment left out, per station, parameter and reason.

DESIGN.md: "a data flag other than N marks a value that the assessments exclude (say which rule)". The
reasons are the constants below; a flagged value is counted under ``flag X`` with its HJ 212 flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "EXCLUSION_COLUMNS",
    "NEGATIVE",
    "NOT_ON_THE_HOUR",
    "NO_VALUE",
    "OUT_OF_RANGE",
    "TOO_FEW_FOR_PERIOD",
    "Exclusions",
    "flag_reason",
]

EXCLUSION_COLUMNS = ("mn", "param", "reason", "count")

#: A stored row whose value is empty.
NO_VALUE = "no value"
#: A concentration below zero cannot be indexed or classed (HJ 633 / GB 3838 tables start at 0).
NEGATIVE = "negative value"
#: pH outside 0–14.
OUT_OF_RANGE = "impossible value"
#: An hourly value whose period does not start on the hour cannot be placed on the HJ 663 hour grid.
NOT_ON_THE_HOUR = "not on the hour"
#: Water: values of a (section, period, item) that miss the 环办[2011]22号 minimum for the period.
TOO_FEW_FOR_PERIOD = "too few values for the period"


def flag_reason(flag: str) -> str:
    """``flag M`` …: HJ 212-2017 data flags other than ``N`` (normal) mark values the standards exclude."""
    return f"flag {flag}"


@dataclass(frozen=True)
class Exclusions:
    """Values left out: one row per (mn, param, reason) with its ``count``."""

    counts: pd.DataFrame

    @classmethod
    def empty(cls) -> Exclusions:
        return cls(
            pd.DataFrame(
                {c: pd.Series(dtype="int64" if c == "count" else "object") for c in EXCLUSION_COLUMNS}
            )
        )

    @classmethod
    def tally(cls, frame: pd.DataFrame, reason: pd.Series | str) -> Exclusions:
        """Count the rows of ``frame`` (columns ``mn``, ``param``) per station, parameter and reason."""
        if frame.empty:
            return cls.empty()
        keyed = frame[["mn", "param"]].assign(reason=reason)
        grouped = keyed.groupby(["mn", "param", "reason"], sort=True).size().rename("count").reset_index()
        return cls(grouped.astype({"count": "int64"}))

    @classmethod
    def concat(cls, parts: Iterable[Exclusions]) -> Exclusions:
        frames = [p.counts for p in parts if not p.counts.empty]
        if not frames:
            return cls.empty()
        joined = pd.concat(frames, ignore_index=True)
        summed = joined.groupby(["mn", "param", "reason"], sort=True)["count"].sum().reset_index()
        return cls(summed.astype({"count": "int64"}))

    @property
    def total(self) -> int:
        return int(self.counts["count"].sum()) if not self.counts.empty else 0

    def by_reason(self) -> dict[str, int]:
        """Total count per reason, reasons sorted."""
        if self.counts.empty:
            return {}
        sums = self.counts.groupby("reason")["count"].sum()
        return {str(k): int(v) for k, v in sums.items()}

    def by_station(self) -> dict[str, int]:
        if self.counts.empty:
            return {}
        sums = self.counts.groupby("mn")["count"].sum()
        return {str(k): int(v) for k, v in sums.items()}

    def for_stations(self, mns: Sequence[str]) -> Exclusions:
        return Exclusions(self.counts[self.counts["mn"].isin(list(mns))].reset_index(drop=True))

    def summary(self) -> str:
        """One line: ``1,234 values excluded (flag M 1,200; negative value 34)`` or ``no value excluded``."""
        reasons = self.by_reason()
        if not reasons:
            return "no value excluded"
        parts = "; ".join(f"{reason} {count:,}" for reason, count in reasons.items())
        return f"{self.total:,} values excluded ({parts})"

    def as_json(self) -> dict[str, object]:
        return {
            "total": self.total,
            "by_reason": self.by_reason(),
            "by_station": self.by_station(),
        }
