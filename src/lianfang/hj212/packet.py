"""A decoded HJ 212 frame: header fields by name, CP data, and the raw bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from .cp import CpData
from .hjtime import parse_timestamp

__all__ = ["FLAG_ACK", "FLAG_SPLIT", "Packet", "ProtocolVersion", "version_of_flag"]

# HJ 212-2017 §6.3.2 Table 3: Flag = V5 V4 V3 V2 V1 V0 D A (MSB→LSB), written in decimal.
FLAG_ACK = 0b01  # "A: 命令是否应答：1-应答，0-不应答"
FLAG_SPLIT = (
    0b10  # "D: 是否有数据包序号：1-数据包中包含包号和总包数两部分，0-数据包中不包含包号和总包数两部分"
)


class ProtocolVersion(Enum):
    """Standard version named by the Flag bits V5..V0 (no Flag at all = HJ/T 212-2005)."""

    HJT212_2005 = 0  # V5..V0 = 000000 [HJ 212-2017 Table 3]
    HJ212_2017 = 1  # 000001
    HJ212_2025 = 2  # 000010 (from open-source 2025 stacks, reference/hj212.md §3; text not read)
    UNKNOWN = -1  # any other version bits: accepted, never rejected (flag is extensible)

    @property
    def flag_bits(self) -> int:
        """The version as it sits in Flag (``value << 2``); UNKNOWN has none."""
        if self is ProtocolVersion.UNKNOWN:
            raise ValueError("UNKNOWN has no Flag bits")
        return int(self.value) << 2


def version_of_flag(flag: int | None) -> ProtocolVersion:
    if flag is None:
        return ProtocolVersion.HJT212_2005
    try:
        return ProtocolVersion(flag >> 2)
    except ValueError:
        return ProtocolVersion.UNKNOWN


@dataclass(frozen=True, slots=True)
class Packet:
    """One received (or built) frame. Header values are the strings sent; ``raw`` is the whole frame."""

    qn: str | None
    st: str | None
    cn: str | None
    pw: str | None
    mn: str | None
    flag: int | None
    pnum: int | None
    pno: int | None
    cp: CpData
    header: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""

    @property
    def version(self) -> ProtocolVersion:
        return version_of_flag(self.flag)

    @property
    def wants_ack(self) -> bool:
        """Flag bit A: the sender wants an answer (9014 for an upload)."""
        return self.flag is not None and bool(self.flag & FLAG_ACK)

    @property
    def is_split(self) -> bool:
        """PNUM and PNO are present (bit D alone is not trusted: loggers set it without them)."""
        return self.pnum is not None and self.pno is not None

    @property
    def data_time(self) -> datetime | None:
        """CP ``DataTime`` as an aware Beijing time, or None when absent or not a time."""
        text = self.cp.fields.get("DataTime")
        return None if text is None else parse_timestamp(text)
