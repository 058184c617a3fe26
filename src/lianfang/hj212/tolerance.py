"""Per-station tolerance of known vendor deviations from HJ 212 (all strict by default).

Only lowercase CRC hex is accepted by default: the standard says only "hexadecimal integer"
[HJ 212-2017 §6.3.1 Table 2] and several generators emit lowercase.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["CRC_VARIANTS", "Tolerance"]

#: Non-conforming CRC algorithms seen on real devices (reference/hj212.md §6.2).
CRC_VARIANTS = ("modbus", "modbus_swapped")


@dataclass(frozen=True, slots=True)
class Tolerance:
    """What a receiving :class:`~lianfang.hj212.Connection` forgives.

    - ``lowercase_crc``: accept ``1c80`` for ``1C80``.
    - ``max_data_len``: largest data segment [bytes]; the standard says 1024, some loggers send
      up to ~1623 instead of splitting (use 4096 for such known vendors).
    - ``lf_only_tail``: accept ``<LF>`` alone as the packet tail.
    - ``char_count_length``: accept a length field counting characters instead of UTF-8 bytes.
    - ``encoding``: text encoding of the data segment (``"gbk"`` for some old loggers).
    - ``crc_variants``: also accept these CRC algorithms (names from :data:`CRC_VARIANTS`).
    """

    lowercase_crc: bool = True
    max_data_len: int = 1024
    lf_only_tail: bool = False
    char_count_length: bool = False
    encoding: str = "utf-8"
    crc_variants: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [v for v in self.crc_variants if v not in CRC_VARIANTS]
        if unknown:
            raise ValueError(f"unknown CRC variant(s) {unknown}; known: {', '.join(CRC_VARIANTS)}")
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {self.encoding!r}") from None
        if not 0 <= self.max_data_len <= 9999:
            raise ValueError("max_data_len must be 0..9999 (the length field has 4 digits)")
