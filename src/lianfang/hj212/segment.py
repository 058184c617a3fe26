"""The data segment: header fields by name, then ``CP=&&…&&`` [HJ 212-2017 §6.3.2 Table 3].

Fields are read by name in any order ("MN before PW", "Flag before CN", "PNO before PNUM" all
occur in the field, and HJ/T 212-2005 examples put QN third); a field written after CP (a known
generator bug) is read too. Field names are case-sensitive [HJ 212-2017 §6.3.3.2.1].
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .cp import CpData, CpSyntaxError, parse_cp
from .packet import Packet

__all__ = ["SegmentSyntaxError", "format_segment", "parse_segment", "parse_segment_header"]

_CP_OPEN: Final = "CP=&&"
_CP_CLOSE: Final = "&&"


class SegmentSyntaxError(ValueError):
    """The data segment breaks the field grammar (reported as reject code ``format``)."""


def _split_header(text: str) -> tuple[dict[str, str], str]:
    """Header fields by name, and the CP body (between ``CP=&&`` and the last ``&&``)."""
    open_at = text.find(_CP_OPEN)
    while open_at > 0 and text[open_at - 1] != ";":  # e.g. "xCP=&&" inside a value
        open_at = text.find(_CP_OPEN, open_at + 1)
    if open_at < 0:
        raise SegmentSyntaxError("no 'CP=&&' in the data segment")
    close_at = text.rfind(_CP_CLOSE)
    if close_at < open_at + len(_CP_OPEN):
        raise SegmentSyntaxError("CP area is not closed with '&&'")
    header: dict[str, str] = {}
    _read_fields(text[: max(open_at - 1, 0)], header)
    trailer = text[close_at + 2 :]
    if trailer:
        if trailer[0] != ";":
            raise SegmentSyntaxError(f"unexpected text after the CP area: {trailer[:40]!r}")
        _read_fields(trailer[1:], header)
    return header, text[open_at + len(_CP_OPEN) : close_at]


def _read_fields(text: str, header: dict[str, str]) -> None:
    if not text:
        return
    trim = " " in text or "\t" in text
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if trim:
            name = name.strip()
            value = value.strip()
        if not sep or not name:
            if part and not part.isspace():
                raise SegmentSyntaxError(f"header item {part.strip()[:40]!r} is not NAME=value")
            continue
        if name in header:
            raise SegmentSyntaxError(f"header field {name} appears twice")
        header[name] = value


def _int_field(name: str, text: str | None) -> int | None:
    if text is None:
        return None
    if not (text.isdigit() and text.isascii()) or len(text) > 5:
        raise SegmentSyntaxError(f"{name}={text[:20]!r} is not a decimal integer")
    return int(text)


def parse_segment_header(text: str) -> dict[str, str]:
    """Only the header fields (for answering a frame whose CRC failed); raises SegmentSyntaxError."""
    return _split_header(text)[0]


def parse_segment(text: str, raw: bytes = b"") -> Packet:
    """Decode a data segment (already checked by the framer and decoded to text) into a Packet."""
    header, body = _split_header(text)
    if "CN" not in header:
        raise SegmentSyntaxError("no CN field")
    try:
        cp = parse_cp(body) if body else CpData()
    except CpSyntaxError as exc:
        raise SegmentSyntaxError(str(exc)) from None
    get = header.get
    return Packet(
        qn=get("QN"),
        st=get("ST"),
        cn=header["CN"],
        pw=get("PW"),
        mn=get("MN"),
        flag=_int_field("Flag", get("Flag")),
        pnum=_int_field("PNUM", get("PNUM")),
        pno=_int_field("PNO", get("PNO")),
        cp=cp,
        header=header,
        raw=raw,
    )


_FORBIDDEN: Final = (";", "=", "&&", "\r", "\n")


def format_segment(fields: Iterable[tuple[str, str | None]], cp_body: str) -> str:
    """``NAME=value;…;CP=&&body&&`` with the fields in the order given (None values omitted).

    Raises ValueError for names or values that would break the grammar.
    """
    parts: list[str] = []
    for name, value in fields:
        if value is None:
            continue
        if not name or any(c in name for c in _FORBIDDEN) or any(c in value for c in _FORBIDDEN):
            raise ValueError(f"invalid header field {name}={value!r}")
        parts.append(f"{name}={value}")
    parts.append(f"{_CP_OPEN}{cp_body}{_CP_CLOSE}")
    return ";".join(parts)
