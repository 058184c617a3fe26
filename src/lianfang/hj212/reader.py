"""PacketReader: bytes in, Packets out — framing, checks and parsing without event semantics.

:class:`~lianfang.hj212.Connection` builds on it; tools that want every frame as sent (the
``lianfang hj212 decode`` command, captures, tests) use it directly.
"""

from __future__ import annotations

from .errors import LocalProtocolError, RemoteProtocolError
from .frame import Framer
from .packet import Packet
from .segment import SegmentSyntaxError, parse_segment
from .tolerance import Tolerance

__all__ = ["PacketReader"]


class PacketReader:
    """Feed bytes with :meth:`receive_data`; :meth:`next_packet` returns a Packet or None (need data).

    Raises :class:`RemoteProtocolError` for each rejected frame; the frame is dropped and the
    reader stays usable. ``max_data_len`` is the largest accepted data segment [bytes].
    """

    def __init__(self, *, max_data_len: int = 1024, tolerance: Tolerance = Tolerance()) -> None:  # noqa: B008
        self.tolerance = tolerance
        self._framer = Framer(max_data_len, tolerance)

    @property
    def buffered(self) -> int:
        """Bytes received and not yet framed."""
        return self._framer.buffered

    @property
    def discarded_bytes(self) -> int:
        """Bytes skipped outside any frame (noise, log-line prefixes)."""
        return self._framer.discarded

    @property
    def eof(self) -> bool:
        return self._framer.eof

    def receive_data(self, data: bytes) -> None:
        """Append received bytes; ``b""`` means the peer closed the stream (EOF)."""
        if self._framer.eof and data:
            raise LocalProtocolError("receive_data after EOF")
        self._framer.feed(bytes(data))

    def next_packet(self) -> Packet | None:
        frame = self._framer.next_frame()
        if frame is None:
            return None
        try:
            text = frame.data.decode(self.tolerance.encoding)
        except UnicodeDecodeError as exc:
            raise RemoteProtocolError(
                "not_utf8",
                f"data segment is not valid {self.tolerance.encoding} at byte {exc.start}",
                None,
                frame.raw,
            ) from None
        try:
            return parse_segment(text, frame.raw)
        except SegmentSyntaxError as exc:
            raise RemoteProtocolError("format", str(exc), None, frame.raw) from None
