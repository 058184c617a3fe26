"""The JSON form of a packet, shared by ``lianfang hj212 decode`` / ``encode`` and by tools.

``{"ok": true, "qn", "st", "cn", "pw", "mn", "flag", "pnum", "pno", "cp": {...}}``: header values
are the strings sent (None when absent), Flag/PNUM/PNO integers, and CP holds plain fields as
strings and pollutant groups as objects (``"w21003": {"Avg": "0.52", "Flag": "N"}``).
A rejected frame is ``{"ok": false, "error": CODE, "message": "..."}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .cp import CpData, format_cp_entries
from .encode import encode_frame, encode_segment
from .errors import LocalProtocolError, RemoteProtocolError
from .packet import Packet

__all__ = ["error_json", "frame_from_json", "packet_json"]

_HEADER_ORDER = (("QN", "qn"), ("ST", "st"), ("CN", "cn"), ("PW", "pw"), ("MN", "mn"))
_INT_ORDER = (("Flag", "flag"), ("PNUM", "pnum"), ("PNO", "pno"))


def cp_json(cp: CpData) -> dict[str, Any]:
    merged: dict[str, Any] = dict(cp.fields)
    for code, suffixes in cp.items.items():
        group = dict(suffixes)
        if code in merged:  # a bare "code=value" next to "code-Suffix=…": keep both
            group[""] = merged[code]
        merged[code] = group
    return merged


def packet_json(packet: Packet) -> dict[str, Any]:
    return {
        "ok": True,
        "qn": packet.qn,
        "st": packet.st,
        "cn": packet.cn,
        "pw": packet.pw,
        "mn": packet.mn,
        "flag": packet.flag,
        "pnum": packet.pnum,
        "pno": packet.pno,
        "cp": cp_json(packet.cp),
    }


def error_json(error: RemoteProtocolError) -> dict[str, Any]:
    return {"ok": False, "error": error.code, "message": error.message}


def _text(name: str, value: object) -> str | None:
    if value is None:
        return None
    return _required(name, value)


def _required(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise LocalProtocolError(f"{name} must be a string or a number, not {type(value).__name__}")
    return str(value)


def frame_from_json(obj: Mapping[str, Any], *, encoding: str = "utf-8", max_data_len: int = 1024) -> bytes:
    """Build a frame (length and CRC computed) from the JSON form; fields in the standard's order.

    Numbers are accepted where strings are expected and written with ``str()``; give strings
    to control the exact text (``"1.230"``). Raises LocalProtocolError for unusable input.
    """
    if not isinstance(obj, Mapping):
        raise LocalProtocolError("a packet must be a JSON object")
    unknown = set(obj) - {"ok", "qn", "st", "cn", "pw", "mn", "flag", "pnum", "pno", "cp", "error", "message"}
    if unknown:
        raise LocalProtocolError(f"unknown keys {sorted(unknown)}")
    if obj.get("cn") is None:
        raise LocalProtocolError("cn is required")
    header = [(name, _text(key, obj.get(key))) for name, key in _HEADER_ORDER]
    header += [(name, _text(key, obj.get(key))) for name, key in _INT_ORDER]
    cp = obj.get("cp") or {}
    if not isinstance(cp, Mapping):
        raise LocalProtocolError("cp must be an object")
    entries: list[tuple[str, str | dict[str, str]]] = []
    for key, value in cp.items():
        if isinstance(value, Mapping):
            entries.append((key, {s: _required(f"cp.{key}.{s}", v) for s, v in value.items()}))
        else:
            entries.append((key, _required(f"cp.{key}", value)))
    try:
        body = format_cp_entries(entries)
    except ValueError as exc:
        raise LocalProtocolError(str(exc)) from None
    return encode_frame(encode_segment(header, body), encoding=encoding, max_data_len=max_data_len)
