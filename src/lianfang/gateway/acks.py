"""9014 data acknowledgements, encoded fast for the common case.

Every acknowledged upload needs one 9014 frame, so this is on the gateway's hot path. For HJ 212
2017/2025 uploads the frame differs between packets of one logger only in the QN
(HJ 212-2017 §6.5 and Appendix C.14: "QN=…;ST=91;CN=9014;PW=…;MN=…;Flag=4;CP=&&&&"), so the rest
is validated and kept per (PW, MN, version). Anything else (HJ/T 212-2005, a missing QN, odd
characters) goes through the codec. A test checks that both produce the same bytes.
"""

from __future__ import annotations

from lianfang.hj212 import Connection, DataAck, Packet, ProtocolVersion, crc16

__all__ = ["AckEncoder"]

_FORBIDDEN = (";", "=", "&", "\r", "\n")
_MAX_CACHED = 50_000


class AckEncoder:
    def __init__(self) -> None:
        # Keyed by the Flag sent, not the version derived from it: deriving it costs more per
        # packet than the rest of this lookup.
        self._tails: dict[tuple[str, str, int], bytes] = {}

    def encode(self, packet: Packet, codec: Connection) -> bytes:
        qn, pw, mn, flag = packet.qn, packet.pw, packet.mn, packet.flag
        if qn is None or pw is None or mn is None or flag is None or not qn.isdigit():
            return codec.send(DataAck.for_packet(packet))  # no Flag: HJ/T 212-2005
        key = (pw, mn, flag)
        tail = self._tails.get(key)
        if tail is None:
            version = packet.version
            if version is ProtocolVersion.HJT212_2005 or any(c in pw or c in mn for c in _FORBIDDEN):
                return codec.send(DataAck.for_packet(packet))
            # HJ 212-2017 Appendix C: answers carry Flag=4 (this version, no split, no answer);
            # unknown version bits are answered in the version we speak.
            bits = 4 if version is ProtocolVersion.UNKNOWN else version.flag_bits
            tail = f";ST=91;CN=9014;PW={pw};MN={mn};Flag={bits};CP=&&&&".encode()
            if len(self._tails) >= _MAX_CACHED:
                self._tails.clear()
            self._tails[key] = tail
        segment = b"QN=" + qn.encode() + tail
        return b"##%04d%s%04X\r\n" % (len(segment), segment, crc16(segment))
