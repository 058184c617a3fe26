"""A simulated logger's own store of past period records (minute, hourly), for history requests.

Real data loggers keep weeks of records and resend them when the platform asks (HJ 212-2017 CN
2051/2061/2031 requests with BeginTime/EndTime, Appendix C.20–C.22). Records are kept per upload
command code in time order; records older than ``retention`` behind the newest are forgotten.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["Record", "RecordBuffer"]

Items = dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Record:
    cn: str  # upload command code: "2051" minute, "2061" hourly
    data_time: datetime  # period start
    items: Items  # code -> suffix -> value, as uploaded


@dataclass(slots=True)
class _Series:
    times: list[datetime] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


class RecordBuffer:
    def __init__(self, retention: timedelta = timedelta(days=30)) -> None:
        self.retention = retention
        self._series: dict[str, _Series] = {}

    def add(self, record: Record) -> None:
        """Keep ``record``; a record for a time already held replaces it."""
        series = self._series.setdefault(record.cn, _Series())
        i = bisect.bisect_left(series.times, record.data_time)
        if i < len(series.times) and series.times[i] == record.data_time:
            series.records[i] = record
        else:
            series.times.insert(i, record.data_time)
            series.records.insert(i, record)
        cutoff = series.times[-1] - self.retention
        drop = bisect.bisect_left(series.times, cutoff)
        if drop:
            del series.times[:drop]
            del series.records[:drop]

    def between(self, cn: str, begin: datetime, end: datetime) -> list[Record]:
        """Records of ``cn`` with ``begin <= data_time <= end`` (both inclusive, as in HJ 212-2017 C.20)."""
        series = self._series.get(cn)
        if series is None:
            return []
        lo = bisect.bisect_left(series.times, begin)
        hi = bisect.bisect_right(series.times, end)
        return series.records[lo:hi]

    def __len__(self) -> int:
        return sum(len(s.times) for s in self._series.values())
