"""Connection: the sans-IO state of one HJ 212 byte stream (like h11: no sockets, no clocks).

Receive path: :meth:`receive_data` → :meth:`next_event`, which returns events or NEED_DATA and
raises only :class:`RemoteProtocolError` (for one bad frame, which is dropped; call again for the
frames after it). Send path: :meth:`send` turns an event into bytes.
"""

from __future__ import annotations

from collections import deque
from enum import Enum

from .codes import ANSWER_CNS, HISTORY_CNS, QN_RTN_CRC_WRONG, UPLOAD_CNS
from .encode import STANDARD_MAX_DATA_LEN, encode_event
from .errors import LocalProtocolError, RemoteProtocolError
from .events import (
    NEED_DATA,
    DataAck,
    DataUpload,
    Event,
    ExecutionResult,
    HistoryRequest,
    NeedData,
    NotificationAck,
    OtherPacket,
    OutgoingEvent,
    RequestAnswer,
    SetTime,
    TimeCalibrationRequest,
)
from .hjtime import parse_timestamp
from .packet import Packet, version_of_flag
from .reader import PacketReader
from .segment import SegmentSyntaxError, parse_segment_header
from .split import SplitAssembler
from .tolerance import Tolerance

__all__ = ["Connection", "Role"]


class Role(Enum):
    """Which end of the link we are: the platform (上位机) or the field data logger (现场机)."""

    PLATFORM = "platform"
    LOGGER = "logger"


class Connection:
    """One HJ 212 stream: feed bytes with :meth:`receive_data`, pull events with :meth:`next_event`,
    encode outgoing events with :meth:`send`.

    ``max_data_len`` is the data-segment limit [bytes] for sending (never above the standard's
    1024: larger uploads are split) and receiving; ``tolerance.max_data_len`` can raise the
    receive limit alone (known vendors, up to 4096). ``max_pending_splits`` bounds the split
    groups held while waiting for their other parts.
    """

    def __init__(
        self,
        role: Role = Role.PLATFORM,
        *,
        max_data_len: int = STANDARD_MAX_DATA_LEN,
        tolerance: Tolerance = Tolerance(),  # noqa: B008 - frozen, shared safely
        max_pending_splits: int = 64,
    ) -> None:
        self.role = role
        self.tolerance = tolerance
        self.send_limit = min(max_data_len, STANDARD_MAX_DATA_LEN)
        self.receive_limit = max(max_data_len, tolerance.max_data_len)
        self._reader = PacketReader(max_data_len=self.receive_limit, tolerance=tolerance)
        self._splits = SplitAssembler(max_pending_splits)
        self._ready: deque[Event] = deque()

    # ------------------------------------------------------------------ receive

    @property
    def buffered(self) -> int:
        """Bytes received and not yet framed (for backpressure)."""
        return self._reader.buffered

    @property
    def discarded_bytes(self) -> int:
        """Bytes skipped outside any frame so far (noise, log prefixes)."""
        return self._reader.discarded_bytes

    @property
    def pending_splits(self) -> int:
        """Split uploads waiting for missing parts."""
        return len(self._splits)

    @property
    def eof(self) -> bool:
        return self._reader.eof

    def receive_data(self, data: bytes) -> None:
        """Append received bytes; ``b""`` means the peer closed the stream (EOF)."""
        self._reader.receive_data(data)

    def next_event(self) -> Event | NeedData:
        """Next event, or NEED_DATA; raises RemoteProtocolError for a bad frame (then call again)."""
        while not self._ready:
            try:
                packet = self._reader.next_packet()
            except RemoteProtocolError as exc:
                if exc.code == "crc_mismatch" and exc.response is None:
                    exc.response = crc_wrong_answer(exc.frame, self.tolerance)
                raise
            if packet is None:
                return NEED_DATA
            self._ready.extend(self._events_of(packet))
        return self._ready.popleft()

    def flush_partial(self) -> list[DataUpload]:
        """Incomplete split uploads still waiting (``complete=False``), oldest first; forgets them."""
        return self._splits.flush()

    def _events_of(self, packet: Packet) -> list[Event]:
        cn = packet.cn
        try:
            if cn in UPLOAD_CNS and self.role is Role.PLATFORM:
                return self._upload(packet)
            if cn == "9011":
                return [RequestAnswer.received(packet, _int_cp(packet, "QnRtn"))]
            if cn == "9012":
                return [ExecutionResult.received(packet, _int_cp(packet, "ExeRtn"))]
            if cn == "9013":
                return [NotificationAck.received(packet)]
            if cn == "9014":
                return [DataAck.received(packet)]
            if cn == "1013":
                return [TimeCalibrationRequest(packet)]
            if self.role is Role.LOGGER and cn in HISTORY_CNS:
                return [_history_request(packet)]
            if self.role is Role.LOGGER and cn == "1012":
                return [_set_time(packet)]
        except SegmentSyntaxError as exc:
            raise RemoteProtocolError("format", str(exc), None, packet.raw) from None
        return [OtherPacket(packet)]

    def _upload(self, packet: Packet) -> list[Event]:
        text = packet.cp.fields.get("DataTime")
        if text is None:
            raise SegmentSyntaxError(f"CN={packet.cn} upload without DataTime")
        data_time = parse_timestamp(text)
        if data_time is None:
            raise SegmentSyntaxError(f"DataTime={text[:20]!r} is not YYYYMMDDhhmmss")
        if packet.pnum is None and packet.pno is None:
            return [DataUpload(packet.cn or "", data_time, packet.cp.items, (packet,), True)]
        if packet.pnum is None or packet.pno is None:
            raise SegmentSyntaxError("PNUM and PNO must come together")
        if not 1 <= packet.pno <= packet.pnum:
            raise SegmentSyntaxError(f"PNO={packet.pno} is outside 1..PNUM={packet.pnum}")
        return list(self._splits.add(packet, data_time))

    # ------------------------------------------------------------------ send

    def send(self, event: OutgoingEvent) -> bytes:
        """Bytes to write for ``event`` (several frames for an Upload that must be split)."""
        return encode_event(event, max_data_len=self.send_limit)


def crc_wrong_answer(frame: bytes, tolerance: Tolerance = Tolerance()) -> bytes | None:  # noqa: B008
    """HJ 212-2017 Table 7: QnRtn 9 "CRC 校验错误" — built when QN/PW/MN can still be read.

    Never for an answer (9011–9014: answering answers would loop) or a header we cannot read.
    """
    try:
        n = int(frame[2:6])
        header = parse_segment_header(frame[6 : 6 + n].decode(tolerance.encoding))
    except (ValueError, UnicodeDecodeError):
        return None
    if header.get("CN") in ANSWER_CNS or "CN" not in header:
        return None
    qn = header.get("QN")
    flag = header.get("Flag")
    version = version_of_flag(int(flag) if flag is not None and flag.isdigit() else None)
    if qn is None and version is not version_of_flag(None):
        return None  # a 2017 packet without QN cannot be matched to an answer
    answer = RequestAnswer(qn, header.get("PW"), header.get("MN"), QN_RTN_CRC_WRONG, version=version)
    try:
        return encode_event(answer)
    except LocalProtocolError:
        return None


def _int_cp(packet: Packet, name: str) -> int:
    text = packet.cp.fields.get(name)
    if text is None or not (text.isdigit() and text.isascii()):
        raise SegmentSyntaxError(f"CN={packet.cn} needs an integer {name}, got {text!r}")
    return int(text)


def _history_request(packet: Packet) -> HistoryRequest:
    begin_text = packet.cp.fields.get("BeginTime", "")
    end_text = packet.cp.fields.get("EndTime", "")
    begin = parse_timestamp(begin_text)
    end = parse_timestamp(end_text)
    if begin is None or end is None:
        raise SegmentSyntaxError(f"CN={packet.cn} request needs BeginTime and EndTime as YYYYMMDDhhmmss")
    return HistoryRequest(
        packet.cn or "",
        packet.qn or "",
        packet.st or "",
        packet.pw or "",
        packet.mn or "",
        begin,
        end,
        packet.wants_ack,
        packet,
    )


def _set_time(packet: Packet) -> SetTime:
    system_time = parse_timestamp(packet.cp.fields.get("SystemTime", ""))
    if system_time is None:
        raise SegmentSyntaxError("CN=1012 needs SystemTime as YYYYMMDDhhmmss")
    pol_id = packet.cp.fields.get("PolId")
    return SetTime(
        packet.qn or "", packet.st or "", packet.pw or "", packet.mn or "", system_time, pol_id, packet
    )
