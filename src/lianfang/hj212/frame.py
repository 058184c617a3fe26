"""Stream framing: cut ``##`` + 4-digit length + data + CRC + CR LF frames out of a byte stream.

HJ 212-2017 §6.3.1 Table 2: 包头 ``##``, 数据段长度 4 decimal digits, 数据段 0 ≤ n ≤ 1024,
CRC 4 hex digits over the data segment, 包尾 ``<CR><LF>``. Frames are cut by the length field,
never by line endings (peers send CR-only, LF-only or no tail, and CR/LF may be garbage).
After garbage the framer resynchronises on the next ``##``; a lone trailing ``#`` is kept since
it may be the first half of the next header. The buffer never holds more than one frame's worth
(the length field has 4 digits, so a frame is at most 10 011 bytes) plus what the caller feeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .crc import crc16, crc16_modbus
from .errors import RemoteProtocolError
from .tolerance import Tolerance

__all__ = ["HEADER", "MAX_FRAME", "TAIL", "Frame", "Framer", "check_crc"]

HEADER: Final = b"##"
TAIL: Final = b"\r\n"
_PREFIX: Final = 6  # "##" + 4 digits
_CRC: Final = 4
#: Largest frame the 4-digit length field can describe [bytes].
MAX_FRAME: Final = _PREFIX + 9999 + _CRC + len(TAIL)
_HEX: Final = frozenset(b"0123456789abcdefABCDEF")
_HEX4: Final = re.compile(rb"[0-9A-Fa-f]{4}")


@dataclass(frozen=True, slots=True)
class Frame:
    """A frame whose length, tail and CRC checked out; ``data`` is the data segment bytes."""

    raw: bytes
    data: bytes


def _looks_like_end(buf: bytearray, crlf: int, start: int) -> bool:
    """``&&XXXX<CR><LF>`` ending at ``crlf``: where a frame really ends, whatever its length field says."""
    return (
        crlf - 6 >= start
        and buf[crlf - 6 : crlf - 4] == b"&&"
        and all(c in _HEX for c in buf[crlf - 4 : crlf])
    )


def check_crc(data: bytes, field: bytes, tolerance: Tolerance) -> str | None:
    """None if ``field`` is the right CRC of ``data``; else why not (for the error message)."""
    if _HEX4.fullmatch(field) is None:
        return f"CRC field {field!r} is not 4 hex digits"
    if not tolerance.lowercase_crc and not field.isupper() and not field.isdigit():
        return f"CRC field {field.decode('ascii')} is lowercase (Tolerance.lowercase_crc is off)"
    sent = int(field, 16)
    expected = crc16(data)
    if sent == expected:
        return None
    for variant in tolerance.crc_variants:
        modbus = crc16_modbus(data)
        if variant == "modbus" and sent == modbus:
            return None
        if variant == "modbus_swapped" and sent == ((modbus & 0xFF) << 8 | modbus >> 8):
            return None
    return f"CRC field {field.decode('ascii')}, computed {expected:04X} over {len(data)} data bytes"


class Framer:
    """Buffer of one stream; :meth:`next_frame` returns checked frames or raises for bad ones."""

    def __init__(self, max_data_len: int = 1024, tolerance: Tolerance = Tolerance()) -> None:  # noqa: B008
        self.max_data_len = max_data_len
        self.tolerance = tolerance
        self._buf = bytearray()
        self._pos = 0
        self.eof = False
        #: bytes dropped outside any frame (noise between frames, log-line prefixes …)
        self.discarded = 0

    @property
    def buffered(self) -> int:
        """Bytes received but not yet consumed."""
        return len(self._buf) - self._pos

    def feed(self, data: bytes) -> None:
        if data:
            self._buf += data
        else:
            self.eof = True

    def _consume(self, end: int) -> bytes:
        chunk = bytes(self._buf[self._pos : end])
        self._pos = end
        if self._pos == len(self._buf):
            self._buf.clear()
            self._pos = 0
        elif self._pos > 65536:
            del self._buf[: self._pos]
            self._pos = 0
        return chunk

    def _reject(self, code: str, message: str, end: int) -> RemoteProtocolError:
        return RemoteProtocolError(code, message, None, self._consume(end))

    def next_frame(self) -> Frame | None:
        """The next good frame, or None when more bytes are needed; raises RemoteProtocolError."""
        buf = self._buf
        size = len(buf)
        start = buf.find(HEADER, self._pos)
        if start < 0:
            # keep a trailing "#": it may be half of the next "##"
            keep = 1 if size > self._pos and buf[-1] == 0x23 else 0
            self.discarded += size - keep - self._pos
            self._consume(size - keep)
            return None
        while start + 2 < size and buf[start + 2] == 0x23:  # "###…": the last "##" starts the frame
            start += 1
        if start > self._pos:
            self.discarded += start - self._pos
            self._consume(start)
        if size - start < _PREFIX:
            if self.eof:
                raise self._reject("missing_tail", "stream ended inside a frame header", size)
            return None
        digits = buf[start + 2 : start + _PREFIX]
        if not digits.isdigit():
            nxt = buf.find(HEADER, start + 2)
            raise self._reject(
                "bad_length_field",
                f"'##' followed by {bytes(digits)!r}, not 4 decimal digits",
                nxt if nxt >= 0 else size,
            )
        n = int(digits)
        crc_at = start + _PREFIX + n
        tail_at = crc_at + _CRC
        if size >= tail_at + 2 and buf[tail_at : tail_at + 2] == TAIL:
            return self._checked(start, n, tail_at + 2)
        if size > tail_at and buf[tail_at] == 0x0A:  # LF-only tail
            if self.tolerance.lf_only_tail:
                return self._checked(start, n, tail_at + 1)
            raise self._reject(
                "missing_tail", "tail is <LF> without <CR> (see Tolerance.lf_only_tail)", tail_at + 1
            )
        return self._misframed(start, n, size)

    def _misframed(self, start: int, n: int, size: int) -> Frame | None:
        """The declared end is not (yet) a tail: find where the frame really ends, or wait."""
        buf = self._buf
        tail_at = start + _PREFIX + n + _CRC
        complete = size >= tail_at + 2
        crlf = buf.find(TAIL, start + _PREFIX)
        nxt = buf.find(HEADER, start + _PREFIX)
        # a complete-looking frame after this one: stop waiting for the bytes our length field wants
        after = buf.find(TAIL, nxt) if nxt >= 0 else -1
        following = after >= 0 and _looks_like_end(buf, after, nxt)
        if crlf >= 0 and (nxt < 0 or crlf < nxt):
            if complete or following or _looks_like_end(buf, crlf, start):
                return self._length_mismatch(start, n, crlf)
        elif nxt >= 0 and (complete or following):
            raise self._reject("missing_tail", "no <CR><LF> before the next '##'", nxt)
        if self.eof:
            raise self._reject("missing_tail", "stream ended inside a frame", nxt if nxt >= 0 else size)
        if size - start > MAX_FRAME:
            raise self._reject("missing_tail", f"no <CR><LF> after the {n}-byte data segment", tail_at)
        return None

    def _length_mismatch(self, start: int, n: int, crlf: int) -> Frame:
        actual = crlf - _CRC - start - _PREFIX
        if self.tolerance.char_count_length and actual >= 0:
            data = bytes(self._buf[start + _PREFIX : crlf - _CRC])
            try:
                chars = len(data.decode(self.tolerance.encoding))
            except (UnicodeDecodeError, LookupError):
                chars = -1
            if chars == n:
                return self._checked(start, actual, crlf + 2)
        raise self._reject(
            "length_mismatch",
            f"length field says {n} bytes, the frame's tail follows {max(actual, 0)} data bytes",
            crlf + 2,
        )

    def _checked(self, start: int, n: int, end: int) -> Frame:
        raw = self._consume(end)
        data = raw[_PREFIX : _PREFIX + n]
        if n > self.max_data_len:
            raise RemoteProtocolError(
                "length_exceeds_1024",
                f"data segment of {n} bytes exceeds the maximum {self.max_data_len} [HJ 212-2017 Table 2]",
                None,
                raw,
            )
        why = check_crc(data, raw[_PREFIX + n : _PREFIX + n + _CRC], self.tolerance)
        if why is not None:
            raise RemoteProtocolError("crc_mismatch", why, None, raw)
        return Frame(raw, data)
