"""Encoding: events → frames (``##`` + length + data segment + ``%04X`` CRC + CR LF).

Length is the number of bytes of the encoded data segment (reference/hj212.md §13 item 1: the
standard says "ASCII characters" yet allows UTF-8 Chinese; bytes is the only reading that
byte-oriented peers agree on).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from .cp import format_cp
from .crc import crc16
from .errors import LocalProtocolError
from .events import (
    DataAck,
    ExecutionResult,
    HistoryRequest,
    NotificationAck,
    OtherPacket,
    OutgoingEvent,
    RequestAnswer,
    SetTime,
    TimeCalibrationRequest,
    Upload,
)
from .hjtime import format_timestamp, make_qn, parse_qn
from .packet import FLAG_ACK, FLAG_SPLIT, ProtocolVersion
from .segment import format_segment

__all__ = ["STANDARD_MAX_DATA_LEN", "encode_event", "encode_frame", "encode_segment", "split_upload"]

#: HJ 212-2017 Table 2: "数据段 … 0≤n≤1024".
STANDARD_MAX_DATA_LEN: Final = 1024
_LEGACY = ProtocolVersion.HJT212_2005

Header = list[tuple[str, str | None]]


def encode_frame(segment: str, *, encoding: str = "utf-8", max_data_len: int = 9999) -> bytes:
    """Frame a data segment: ``##`` + 4-digit byte length + data + CRC ``%04X`` + CR LF."""
    data = segment.encode(encoding)
    if len(data) > max_data_len:
        raise LocalProtocolError(f"data segment of {len(data)} bytes exceeds {max_data_len}")
    return b"##%04d%s%04X\r\n" % (len(data), data, crc16(data))


def encode_segment(header: Iterable[tuple[str, str | None]], cp_body: str) -> str:
    try:
        return format_segment(header, cp_body)
    except ValueError as exc:
        raise LocalProtocolError(str(exc)) from None


def _cp(fields: Mapping[str, str], items: Mapping[str, Mapping[str, str]] | None = None) -> str:
    try:
        return format_cp(fields, items or {})
    except ValueError as exc:
        raise LocalProtocolError(str(exc)) from None


def _answer_flag(version: ProtocolVersion) -> str:
    # HJ 212-2017 Appendix C: answers carry Flag=4 (this version, no split, no answer wanted).
    # An unknown version (extensible bits) is answered in the version we speak.
    if version is ProtocolVersion.UNKNOWN:
        version = ProtocolVersion.HJ212_2017
    return str(version.flag_bits)


def _answer(cn: str, event: RequestAnswer | ExecutionResult | NotificationAck, cp: dict[str, str]) -> str:
    if event.version is _LEGACY:
        # HJ/T 212-2005 Appendix C: "ST=91;CN=9011;PW=…;MN=…;Flag=0;CP=&&QN=…;QnRtn=1&&"
        legacy_cp = ({"QN": event.qn} if event.qn else {}) | cp
        header: Header = [("ST", event.st), ("CN", cn), ("PW", event.pw), ("MN", event.mn), ("Flag", "0")]
        return encode_segment(header, _cp(legacy_cp))
    header = [
        ("QN", event.qn),
        ("ST", event.st),
        ("CN", cn),
        ("PW", event.pw),
        ("MN", event.mn),
        ("Flag", _answer_flag(event.version)),
    ]
    return encode_segment(header, _cp(cp))


def _data_ack(event: DataAck) -> str:
    if event.version is _LEGACY:
        # HJ/T 212-2005 Appendix C: "ST=91;CN=9014;CP=&&QN=…;CN=2051&&" (no PW, MN or Flag)
        cp = {"QN": event.qn} if event.qn else {}
        if event.acked_cn:
            cp["CN"] = event.acked_cn
        return encode_segment([("ST", event.st), ("CN", "9014")], _cp(cp))
    header: Header = [
        ("QN", event.qn),
        ("ST", event.st),
        ("CN", "9014"),
        ("PW", event.pw),
        ("MN", event.mn),
        ("Flag", _answer_flag(event.version)),
    ]
    return encode_segment(header, "")


def _request_header(cn: str, qn: str, st: str, pw: str, mn: str, wants_ack: bool) -> Header:
    flag = ProtocolVersion.HJ212_2017.flag_bits | (FLAG_ACK if wants_ack else 0)
    return [("QN", qn), ("ST", st), ("CN", cn), ("PW", pw), ("MN", mn), ("Flag", str(flag))]


def _history_request(event: HistoryRequest) -> str:
    if event.begin > event.end:
        raise LocalProtocolError(f"history request begins {event.begin} after it ends {event.end}")
    cp = {"BeginTime": format_timestamp(event.begin), "EndTime": format_timestamp(event.end)}
    header = _request_header(event.cn, event.qn, event.st, event.pw, event.mn, event.wants_ack)
    return encode_segment(header, _cp(cp))


def _set_time(event: SetTime) -> str:
    # HJ 212-2017 C.3: "CN=1012;…;Flag=5;CP=&&PolId=w01018;SystemTime=20160801085857&&"
    cp = {"PolId": event.pol_id} if event.pol_id else {}
    cp["SystemTime"] = format_timestamp(event.system_time)
    return encode_segment(_request_header("1012", event.qn, event.st, event.pw, event.mn, True), _cp(cp))


def _upload_header(upload: Upload, qn: str, part: tuple[int, int] | None) -> Header:
    flag = FLAG_ACK if upload.wants_ack else 0
    if part is not None:
        flag |= FLAG_SPLIT
    if upload.version is ProtocolVersion.UNKNOWN:
        raise LocalProtocolError("cannot send an upload in an UNKNOWN protocol version")
    flag |= upload.version.flag_bits
    # HJ/T 212-2005 uploads usually omit Flag; it is written only when it says something.
    flag_text = None if upload.version is _LEGACY and flag == 0 else str(flag)
    header: Header = [
        ("QN", qn),
        ("ST", upload.st),
        ("CN", upload.cn),
        ("PW", upload.pw),
        ("MN", upload.mn),
        ("Flag", flag_text),
    ]
    if part is not None:
        # HJ 212-2017 Table 3 gives at most 4 digits; its examples write them plainly ("PNUM=2;PNO=1").
        header += [("PNUM", str(part[0])), ("PNO", str(part[1]))]
    return header


def split_upload(upload: Upload, max_data_len: int = STANDARD_MAX_DATA_LEN) -> list[str]:
    """Data segments for ``upload``: one, or PNUM/PNO parts each within ``max_data_len`` bytes.

    Parts repeat DataTime (and ``fields``) and partition the pollutant groups, a group never
    cut [HJ 212-2017 C.49/C.50]; part k gets QN = ``qn`` + k ms.
    """
    fields = {"DataTime": format_timestamp(upload.data_time)} | dict(upload.fields)
    whole = encode_segment(_upload_header(upload, upload.qn, None), _cp(fields, upload.items))
    if len(whole.encode()) <= max_data_len:
        return [whole]
    start = parse_qn(upload.qn)
    if start is None:
        raise LocalProtocolError(f"a split upload needs a 17-digit time QN for its parts, not {upload.qn!r}")
    # size with the widest header (QN has 17 digits in every part; PNUM/PNO at most 4 digits)
    probe = encode_segment(_upload_header(upload, upload.qn, (9999, 9999)), _cp(fields))
    room = max_data_len - len(probe.encode())
    groups: list[list[str]] = [[]]
    used = 0
    for code, suffixes in upload.items.items():
        text = _cp({}, {code: suffixes})
        cost = len(text.encode()) + 1  # ";" before it
        if cost > room:
            raise LocalProtocolError(f"pollutant group {code} alone does not fit in {max_data_len} bytes")
        if used + cost > room:
            groups.append([])
            used = 0
        groups[-1].append(text)
        used += cost
    total = len(groups)
    if total > 9999:
        raise LocalProtocolError("upload needs more than 9999 parts")
    segments = []
    for number, group in enumerate(groups, start=1):
        qn = make_qn(start, number - 1)
        body = ";".join([_cp(fields), *group])
        segments.append(encode_segment(_upload_header(upload, qn, (total, number)), body))
    return segments


def encode_event(event: OutgoingEvent, *, max_data_len: int = STANDARD_MAX_DATA_LEN) -> bytes:
    """Bytes for one outgoing event (several frames for a split upload)."""
    if isinstance(event, Upload):
        return b"".join(encode_frame(s, max_data_len=max_data_len) for s in split_upload(event, max_data_len))
    if isinstance(event, OtherPacket | TimeCalibrationRequest):
        if not event.packet.raw:
            raise LocalProtocolError("packet has no raw frame to send")
        return event.packet.raw
    if isinstance(event, RequestAnswer):
        segment = _answer("9011", event, {"QnRtn": str(event.qn_rtn)})
    elif isinstance(event, ExecutionResult):
        segment = _answer("9012", event, {"ExeRtn": str(event.exe_rtn)})
    elif isinstance(event, NotificationAck):
        segment = _answer("9013", event, {})
    elif isinstance(event, DataAck):
        segment = _data_ack(event)
    elif isinstance(event, HistoryRequest):
        segment = _history_request(event)
    elif isinstance(event, SetTime):
        segment = _set_time(event)
    else:  # pragma: no cover - exhaustive over OutgoingEvent
        raise LocalProtocolError(f"cannot send {type(event).__name__}")
    return encode_frame(segment, max_data_len=max_data_len)
