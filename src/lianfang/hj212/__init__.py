"""lianfang.hj212 — a sans-IO codec for HJ 212-2017 (and HJ/T 212-2005, HJ 212-2025 Flag bits).

Standard library only; no sockets, clocks or database. Feed bytes to a :class:`Connection`, get
events; give it events, get bytes::

    conn = Connection(Role.PLATFORM)
    conn.receive_data(chunk)
    while (event := conn.next_event()) is not NEED_DATA:
        ...
"""

from .connection import Connection, Role
from .cp import CpData
from .crc import crc16
from .errors import REJECT_CODES, Hj212Error, LocalProtocolError, ProtocolError, RemoteProtocolError
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
    Upload,
)
from .hjtime import BEIJING, make_qn
from .packet import Packet, ProtocolVersion
from .reader import PacketReader
from .tolerance import CRC_VARIANTS, Tolerance

__all__ = [
    "BEIJING",
    "CRC_VARIANTS",
    "NEED_DATA",
    "REJECT_CODES",
    "Connection",
    "CpData",
    "DataAck",
    "DataUpload",
    "Event",
    "ExecutionResult",
    "HistoryRequest",
    "Hj212Error",
    "LocalProtocolError",
    "NeedData",
    "NotificationAck",
    "OtherPacket",
    "OutgoingEvent",
    "Packet",
    "PacketReader",
    "ProtocolError",
    "ProtocolVersion",
    "RemoteProtocolError",
    "RequestAnswer",
    "Role",
    "SetTime",
    "TimeCalibrationRequest",
    "Tolerance",
    "Upload",
    "crc16",
    "make_qn",
]
