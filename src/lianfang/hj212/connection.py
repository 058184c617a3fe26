"""Connection: the sans-IO state of one HJ 212 byte stream (like h11, no sockets, no clocks)."""

from __future__ import annotations

from enum import Enum

from .events import DataUpload, Event, NeedData, OutgoingEvent
from .tolerance import Tolerance

__all__ = ["Connection", "Role"]


class Role(Enum):
    """Which end of the link we are: the platform (上位机) or the field data logger (现场机)."""

    PLATFORM = "platform"
    LOGGER = "logger"


class Connection:
    """Feed bytes with :meth:`receive_data`, pull events with :meth:`next_event`, encode with :meth:`send`."""

    def __init__(
        self,
        role: Role = Role.PLATFORM,
        *,
        max_data_len: int = 1024,
        tolerance: Tolerance = Tolerance(),  # noqa: B008 - frozen, shared safely
        max_pending_splits: int = 64,
    ) -> None:
        self.role = role
        self.tolerance = tolerance
        self.max_data_len = max(max_data_len, tolerance.max_data_len)
        self.max_pending_splits = max_pending_splits

    def receive_data(self, data: bytes) -> None:
        """Append received bytes; ``b""`` means the peer closed the stream (EOF)."""
        raise NotImplementedError

    def next_event(self) -> Event | NeedData:
        """Next event, or NEED_DATA; raises RemoteProtocolError for a bad frame (then call again)."""
        raise NotImplementedError

    def send(self, event: OutgoingEvent) -> bytes:
        """Bytes to write for ``event`` (one or more frames)."""
        raise NotImplementedError

    def flush_partial(self) -> list[DataUpload]:
        """Incomplete split uploads still waiting (``complete=False``); forgets them."""
        raise NotImplementedError
