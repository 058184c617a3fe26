"""Reassembly of split uploads (PNUM/PNO) into one DataUpload.

HJ 212-2017 C.49/C.50: each part is a complete frame with its own QN and CRC and a repeated
DataTime; the pollutant groups are partitioned between the parts. Parts are merged by their
*parsed* items under the shared DataTime (not by concatenating raw CP text, which silently
depends on where the sender cut), in any arrival order. Pending groups are bounded: the oldest
incomplete group is given up (emitted with ``complete=False``) when a new one would exceed it.
"""

from __future__ import annotations

from datetime import datetime

from .events import DataUpload
from .packet import Packet

__all__ = ["SplitAssembler", "merge_upload"]

_GroupKey = tuple[str | None, str | None, str | None, str | None, int]


def merge_upload(parts: list[Packet], data_time: datetime | None, *, complete: bool) -> DataUpload:
    """One DataUpload from parts (sorted by PNO); a later part's value wins on a repeated key."""
    parts = sorted(parts, key=lambda p: p.pno or 0)
    items: dict[str, dict[str, str]] = {}
    for part in parts:
        for code, suffixes in part.cp.items.items():
            group = items.get(code)
            if group is None:
                items[code] = dict(suffixes)
            else:
                group.update(suffixes)
    cn = parts[0].cn or ""
    return DataUpload(cn, data_time, items, tuple(parts), complete)


class SplitAssembler:
    """Holds the parts of split uploads until every PNO of 1..PNUM has arrived."""

    def __init__(self, max_groups: int = 64) -> None:
        if max_groups < 1:
            raise ValueError("max_groups must be at least 1")
        self.max_groups = max_groups
        self._groups: dict[_GroupKey, dict[int, Packet]] = {}
        self._times: dict[_GroupKey, datetime | None] = {}

    def __len__(self) -> int:
        return len(self._groups)

    def add(self, packet: Packet, data_time: datetime | None) -> list[DataUpload]:
        """Add one part (PNUM/PNO validated by the caller); returns completed or evicted uploads."""
        assert packet.pnum is not None
        assert packet.pno is not None
        key: _GroupKey = (packet.mn, packet.st, packet.cn, packet.cp.fields.get("DataTime"), packet.pnum)
        out: list[DataUpload] = []
        group = self._groups.get(key)
        if group is None:
            if len(self._groups) >= self.max_groups:
                oldest = next(iter(self._groups))
                out.append(self._pop(oldest, complete=False))
            group = self._groups[key] = {}
            self._times[key] = data_time
        group[packet.pno] = packet  # a resent part replaces the earlier copy
        if len(group) == packet.pnum:
            out.append(self._pop(key, complete=True))
        return out

    def _pop(self, key: _GroupKey, *, complete: bool) -> DataUpload:
        parts = self._groups.pop(key)
        return merge_upload(list(parts.values()), self._times.pop(key), complete=complete)

    def flush(self) -> list[DataUpload]:
        """Every pending group as an incomplete upload, oldest first; the assembler is left empty."""
        return [self._pop(key, complete=False) for key in list(self._groups)]
