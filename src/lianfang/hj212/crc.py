"""CRC16 of HJ 212 Appendix A (identical in HJ/T 212-2005 Appendix A).

The algorithm: register 0xFFFF; per byte, the register is *replaced* by ``(reg >> 8) ^ byte``,
then shifted right 8 times, XOR-ing 0xA001 whenever the dropped bit was 1. The result is written
high byte first as 4 hex digits. It is not CRC-16/MODBUS (which XORs the byte into the whole
register), and it can take only 256 values (reference/hj212.md §6.1).

Decoding is on the gateway's hot path, so :func:`crc16` does not loop over bytes in Python.
Only the register's high byte ``h`` survives into the next step: ``h' = M(h ^ b)`` where ``M``
(8 shift rounds, high byte) is linear over GF(2) and ``M**8`` is the identity. So the state
after bytes ``b1 … bm`` is ``M**m(0xFF)`` XOR ``M**(m-k+1)(bk)`` summed over k, and bytes
whose distance from the end is equal modulo 8 can be XOR-ed together first: one big-integer
fold, then 8 table lookups. :func:`crc16_reference` is the standard's bit loop, for tests.
"""

from __future__ import annotations

from typing import Final

__all__ = ["STEP", "crc16", "crc16_modbus", "crc16_reference", "format_crc"]


def _shift8(value: int) -> int:
    for _ in range(8):
        value = (value >> 1) ^ 0xA001 if value & 1 else value >> 1
    return value


#: STEP[x] = register after one byte when ``(reg >> 8) ^ byte == x`` [HJ 212-2017 Appendix A].
STEP: Final[tuple[int, ...]] = tuple(_shift8(x) for x in range(256))


def _powers() -> tuple[tuple[int, ...], ...]:
    """POWER[j][x] = M**j(x), the high byte after j steps that each XOR in a zero byte."""
    high = [v >> 8 for v in STEP]
    rows = [tuple(range(256))]
    for _ in range(7):
        rows.append(tuple(high[x] for x in rows[-1]))
    if tuple(high[x] for x in rows[-1]) != rows[0]:  # pragma: no cover - a property of 0xA001
        raise AssertionError("M**8 is not the identity")
    return tuple(rows)


_POWER: Final = _powers()
#: POWER[(i + 1) % 8] for byte lane i of the folded word (lane 0 = the byte before the last).
_LANE: Final = tuple(_POWER[(i + 1) % 8] for i in range(8))
_START: Final = tuple(_POWER[m][0xFF] for m in range(8))


def crc16(data: bytes) -> int:
    """HJ 212 CRC16 of ``data`` (the data segment bytes, between the length field and the CRC)."""
    m = len(data) - 1  # every byte but the last only moves the one-byte state
    if m < 0:
        return 0xFFFF
    x = int.from_bytes(data[:m], "big")  # byte at distance d from the end sits in lane d % 8
    bits = (m + 7) // 8 * 64
    while bits > 64:
        half = bits // 128 * 64
        x = (x >> half) ^ (x & ((1 << half) - 1))
        bits -= half
    lane = _LANE
    h = (
        _START[m & 7]
        ^ lane[0][x & 0xFF]
        ^ lane[1][(x >> 8) & 0xFF]
        ^ lane[2][(x >> 16) & 0xFF]
        ^ lane[3][(x >> 24) & 0xFF]
        ^ lane[4][(x >> 32) & 0xFF]
        ^ lane[5][(x >> 40) & 0xFF]
        ^ lane[6][(x >> 48) & 0xFF]
        ^ lane[7][x >> 56]
    )
    return STEP[h ^ data[m]]


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
