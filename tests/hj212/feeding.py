"""Feed a codec input whole, byte by byte, or followed by trailing bytes, and collect the results."""

from __future__ import annotations

from typing import Any

from lianfang.hj212 import NEED_DATA, Connection, Event, RemoteProtocolError, Tolerance
from lianfang.hj212.jsonform import error_json, packet_json
from lianfang.hj212.reader import PacketReader

MODES = ("whole", "bytewise", "trailing")
#: bytes after the last frame: noise, a stray CR LF and half a header; none of it is a frame
TRAILING = b"\r\n-- noise --#"


def chunks(data: bytes, mode: str) -> list[bytes]:
    if mode == "whole":
        return [data]
    if mode == "bytewise":
        return [data[i : i + 1] for i in range(len(data))]
    if mode == "trailing":
        return [data + TRAILING]
    raise ValueError(mode)


def read_packets(
    data: bytes,
    mode: str = "whole",
    *,
    max_data_len: int = 1024,
    tolerance: Tolerance | None = None,
    eof: bool = True,
) -> list[dict[str, Any]]:
    """Every frame in ``data`` in the JSON form of ``lianfang hj212 decode``."""
    tol = tolerance or Tolerance(max_data_len=max_data_len)
    reader = PacketReader(max_data_len=max(max_data_len, tol.max_data_len), tolerance=tol)
    out: list[dict[str, Any]] = []
    pieces = chunks(data, mode) + ([b""] if eof else [])
    for piece in pieces:
        reader.receive_data(piece)
        while True:
            try:
                packet = reader.next_packet()
            except RemoteProtocolError as exc:
                out.append(error_json(exc))
                continue
            if packet is None:
                break
            out.append(packet_json(packet))
    return out


def read_events(conn: Connection, data: bytes, mode: str = "whole") -> list[Event | RemoteProtocolError]:
    """Events (and rejections, in order) of ``data`` fed to ``conn`` in the given mode."""
    out: list[Event | RemoteProtocolError] = []
    for piece in chunks(data, mode):
        conn.receive_data(piece)
        while True:
            try:
                event = conn.next_event()
            except RemoteProtocolError as exc:
                out.append(exc)
                continue
            if event is NEED_DATA:
                break
            out.append(event)
    return out
