"""CRC16 of HJ 212 Appendix A (identical in HJ/T 212-2005 Appendix A).

The algorithm: register 0xFFFF; per byte, the register is *replaced* by ``(reg >> 8) ^ byte``,
then shifted right 8 times, XOR-ing 0xA001 whenever the dropped bit was 1. The result is written
high byte first as 4 hex digits. It is not CRC-16/MODBUS (which XORs the byte into the whole
register), and it can take only 256 values (reference/hj212.md §6.1).

Since only the register's high byte survives into the next step, the state between bytes is one
byte ``h``: ``h' = HIGH[h ^ b]``. Decoding is on the gateway's hot path, so this module steps two
bytes per table lookup (a 64 KiB table) and finishes with the full 16-bit step for the last byte.
"""

from __future__ import annotations

import sys
from typing import Final

__all__ = ["crc16", "crc16_modbus", "crc16_reference", "format_crc"]


def _shift8(value: int) -> int:
    for _ in range(8):
        value = (value >> 1) ^ 0xA001 if value & 1 else value >> 1
    return value


#: STEP[x] = register after one byte when ``(reg >> 8) ^ byte == x`` [HJ 212-2017 Appendix A].
STEP: Final[tuple[int, ...]] = tuple(_shift8(x) for x in range(256))
_HIGH: Final[bytes] = bytes(v >> 8 for v in STEP)


def _pair_table() -> bytes:
    """PAIR[w] = state after two bytes read as the native 16-bit word ``w ^ state``."""
    if sys.byteorder == "little":  # first byte in the low half
        return bytes(_HIGH[_HIGH[w & 0xFF] ^ (w >> 8)] for w in range(65536))
    return bytes(_HIGH[_HIGH[w >> 8] ^ (w & 0xFF)] for w in range(65536))  # pragma: no cover


_PAIR: Final[bytes] = _pair_table()
_FIRST_BYTE_SHIFT: Final = 0 if sys.byteorder == "little" else 8


def crc16(data: bytes) -> int:
    """HJ 212 CRC16 of ``data`` (the data segment bytes, between the length field and the CRC)."""
    n = len(data)
    if n == 0:
        return 0xFFFF
    body = n - 1  # every byte but the last only moves the one-byte state
    h = 0xFF
    start = 0
    if body & 1:
        h = _HIGH[h ^ data[0]]
        start = 1
    if body > start:
        pair = _PAIR
        shift = _FIRST_BYTE_SHIFT
        for word in memoryview(data)[start:body].cast("H"):
            h = pair[word ^ (h << shift)]
    return STEP[h ^ data[-1]]


def crc16_reference(data: bytes) -> int:
    """The Appendix A algorithm written bit by bit, as in the standard (tests compare against it)."""
    reg = 0xFFFF
    for byte in data:
        reg = (reg >> 8) ^ byte
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS, which some non-conforming loggers send instead (tolerance switch only)."""
    reg = 0xFFFF
    for byte in data:
        reg ^= byte
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
    return reg


def format_crc(value: int) -> str:
    """CRC as sent: 4 uppercase hex digits, zero padded (``%04X``)."""
    return f"{value:04X}"
