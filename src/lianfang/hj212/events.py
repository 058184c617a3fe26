"""Events: what :meth:`Connection.next_event` returns and what :meth:`Connection.send` takes.

Answers (9011–9014) are one class each for both directions: received ones carry the ``packet``
they came in; outgoing ones are built with ``for_packet`` (answering a packet) or field by field.
Answers use ``ST=91`` and ``Flag=4`` [HJ 212-2017 §6.5, Appendix C examples]; for an HJ/T 212-2005
peer they take the 2005 form, with the answered QN inside CP [HJ/T 212-2005 Appendix C].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Final, Literal, TypeAlias

from .packet import Packet, ProtocolVersion

__all__ = [
    "NEED_DATA",
    "DataAck",
    "DataUpload",
    "Event",
    "ExecutionResult",
    "HistoryRequest",
    "NeedData",
    "NotificationAck",
    "OtherPacket",
    "OutgoingEvent",
    "RequestAnswer",
    "SetTime",
    "TimeCalibrationRequest",
    "Upload",
]


class _NeedData(Enum):
    NEED_DATA = "NEED_DATA"

    def __repr__(self) -> str:
        return "NEED_DATA"


#: Returned by :meth:`Connection.next_event` when no complete frame is buffered.
NEED_DATA: Final = _NeedData.NEED_DATA
NeedData: TypeAlias = Literal[_NeedData.NEED_DATA]

#: ST of interaction answers [HJ 212-2017 Table 5: "91 系统交互"].
ST_SYSTEM: Final = "91"


def _answered_qn(packet: Packet) -> str | None:
    # HJ/T 212-2005 answers carry the request's QN inside CP, not in the header.
    return packet.qn if packet.qn is not None else packet.cp.fields.get("QN")


# --------------------------------------------------------------------------- received uploads


@dataclass(frozen=True, slots=True)
class DataUpload:
    """Data pushed by a logger (CN 2011 real-time, 2051 minute, 2061 hourly, 2031 daily, 2041, 2021).

    For split packets (PNUM/PNO) one DataUpload covers all parts: ``items`` is the union of the
    parts' items under their shared DataTime, ``packets`` holds every part (each part with A=1
    needs its own 9014). ``complete`` is False for a group given up before all parts came
    (:meth:`Connection.flush_partial`, or evicted when too many groups are pending).
    """

    cn: str
    data_time: datetime | None
    items: dict[str, dict[str, str]]
    packets: tuple[Packet, ...]
    complete: bool = True

    @property
    def mn(self) -> str | None:
        return self.packets[0].mn

    @property
    def pw(self) -> str | None:
        return self.packets[0].pw

    @property
    def st(self) -> str | None:
        return self.packets[0].st

    @property
    def fields(self) -> dict[str, str]:
        """Plain CP fields of all parts (DataTime …), later parts winning."""
        merged: dict[str, str] = {}
        for packet in self.packets:
            merged.update(packet.cp.fields)
        return merged

    @property
    def ack_packets(self) -> tuple[Packet, ...]:
        """The parts whose Flag asks for a 9014 (send each after its data is durable)."""
        return tuple(p for p in self.packets if p.wants_ack)


# --------------------------------------------------------------------------- answers (both ways)


@dataclass(frozen=True, slots=True)
class RequestAnswer:
    """CN 9011: answer to a request, ``QnRtn`` [HJ 212-2017 Table 7: 1 ready … 9 CRC wrong, 100 unknown]."""

    qn: str | None = None
    pw: str | None = None
    mn: str | None = None
    qn_rtn: int = 1
    st: str = ST_SYSTEM
    version: ProtocolVersion = ProtocolVersion.HJ212_2017
    packet: Packet | None = None

    @classmethod
    def for_packet(cls, request: Packet, qn_rtn: int) -> RequestAnswer:
        return cls(request.qn, request.pw, request.mn, qn_rtn, version=request.version)

    @classmethod
    def received(cls, packet: Packet, qn_rtn: int) -> RequestAnswer:
        return cls(
            _answered_qn(packet), packet.pw, packet.mn, qn_rtn, packet.st or ST_SYSTEM, packet.version, packet
        )


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """CN 9012: result of executing a request, ``ExeRtn`` [HJ 212-2017 Table 6: 1 success … 100 no data]."""

    qn: str | None = None
    pw: str | None = None
    mn: str | None = None
    exe_rtn: int = 1
    st: str = ST_SYSTEM
    version: ProtocolVersion = ProtocolVersion.HJ212_2017
    packet: Packet | None = None

    @classmethod
    def for_packet(cls, request: Packet, exe_rtn: int) -> ExecutionResult:
        return cls(request.qn, request.pw, request.mn, exe_rtn, version=request.version)

    @classmethod
    def received(cls, packet: Packet, exe_rtn: int) -> ExecutionResult:
        return cls(
            _answered_qn(packet),
            packet.pw,
            packet.mn,
            exe_rtn,
            packet.st or ST_SYSTEM,
            packet.version,
            packet,
        )


@dataclass(frozen=True, slots=True)
class NotificationAck:
    """CN 9013: answer to a notification (1013 from a logger; 2012/2022 from the platform)."""

    qn: str | None = None
    pw: str | None = None
    mn: str | None = None
    st: str = ST_SYSTEM
    version: ProtocolVersion = ProtocolVersion.HJ212_2017
    packet: Packet | None = None

    @classmethod
    def for_packet(cls, notification: Packet) -> NotificationAck:
        return cls(notification.qn, notification.pw, notification.mn, version=notification.version)

    @classmethod
    def received(cls, packet: Packet) -> NotificationAck:
        return cls(_answered_qn(packet), packet.pw, packet.mn, packet.st or ST_SYSTEM, packet.version, packet)


@dataclass(frozen=True, slots=True)
class DataAck:
    """CN 9014: answer to an upload that asked for one (Flag A=1), same QN/PW/MN, ``CP=&&&&``.

    ``acked_cn`` is the CN of the answered upload; only the HJ/T 212-2005 form carries it (in CP).
    """

    qn: str | None = None
    pw: str | None = None
    mn: str | None = None
    acked_cn: str | None = None
    st: str = ST_SYSTEM
    version: ProtocolVersion = ProtocolVersion.HJ212_2017
    packet: Packet | None = None

    @classmethod
    def for_packet(cls, upload: Packet) -> DataAck:
        return cls(upload.qn, upload.pw, upload.mn, upload.cn, version=upload.version)

    @classmethod
    def received(cls, packet: Packet) -> DataAck:
        acked = packet.cp.fields.get("CN")
        return cls(
            _answered_qn(packet), packet.pw, packet.mn, acked, packet.st or ST_SYSTEM, packet.version, packet
        )


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    """Platform asks a logger to resend a range: CN 2051 minute, 2061 hourly, 2031 daily.

    ``begin``/``end`` are aware instants (sent as Beijing ``YYYYMMDDhhmmss``); both bounds are
    inclusive as in the standard's examples (Begin = End = one record) [HJ 212-2017 C.20–C.22].
    """

    cn: str
    qn: str
    st: str
    pw: str
    mn: str
    begin: datetime
    end: datetime
    wants_ack: bool = True
    packet: Packet | None = None


@dataclass(frozen=True, slots=True)
class SetTime:
    """CN 1012: platform sets the logger's clock to ``system_time`` (optionally one instrument)."""

    qn: str
    st: str
    pw: str
    mn: str
    system_time: datetime
    pol_id: str | None = None
    packet: Packet | None = None


@dataclass(frozen=True, slots=True)
class TimeCalibrationRequest:
    """CN 1013: a logger asks for time calibration (answer 9013, then usually 1012)."""

    packet: Packet

    @property
    def pol_id(self) -> str | None:
        return self.packet.cp.fields.get("PolId")


@dataclass(frozen=True, slots=True)
class OtherPacket:
    """Any valid frame without a dedicated event. Sending one writes ``packet.raw``."""

    packet: Packet


# --------------------------------------------------------------------------- logger side


@dataclass(frozen=True, slots=True)
class Upload:
    """A logger's data upload (simulator, tests); split into PNUM/PNO frames when too large.

    ``items`` as in :class:`DataUpload`; ``fields`` are extra plain CP fields after DataTime.
    Split parts get QNs ``qn``, ``qn`` + 1 ms, … [HJ 212-2017 C.50 uses consecutive QNs].
    """

    cn: str
    qn: str
    st: str
    pw: str
    mn: str
    data_time: datetime
    items: dict[str, dict[str, str]]
    wants_ack: bool = True
    version: ProtocolVersion = ProtocolVersion.HJ212_2017
    fields: dict[str, str] = field(default_factory=dict)


#: Everything :meth:`Connection.next_event` can return besides NEED_DATA.
Event: TypeAlias = (
    DataUpload
    | RequestAnswer
    | ExecutionResult
    | NotificationAck
    | DataAck
    | TimeCalibrationRequest
    | HistoryRequest
    | SetTime
    | OtherPacket
)

#: Everything :meth:`Connection.send` accepts.
OutgoingEvent: TypeAlias = (
    DataAck
    | RequestAnswer
    | ExecutionResult
    | NotificationAck
    | HistoryRequest
    | SetTime
    | Upload
    | TimeCalibrationRequest
    | OtherPacket
)
