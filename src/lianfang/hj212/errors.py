"""The hj212 exception tree (standalone: the codec imports nothing from lianfang).

::

    Hj212Error                      (alias ProtocolError)
    ├── LocalProtocolError          we tried to send something the protocol cannot carry
    └── RemoteProtocolError         the peer sent a frame we reject; carries .code and .response

The receive path (:meth:`Connection.next_event`) raises only :class:`RemoteProtocolError`.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "REJECT_CODES",
    "Hj212Error",
    "LocalProtocolError",
    "ProtocolError",
    "RemoteProtocolError",
]

#: Reason codes of :class:`RemoteProtocolError`, stable (the CLI and the gateway's metrics use them).
REJECT_CODES: Final = (
    "crc_mismatch",  # CRC field differs from HJ 212 Appendix A over the data segment
    "length_mismatch",  # the 4-digit length does not match where the frame really ends
    "bad_length_field",  # "##" not followed by 4 decimal digits
    "missing_tail",  # no <CR><LF> where the frame should end
    "length_exceeds_1024",  # data segment over the configured maximum (1024 by the standard)
    "not_utf8",  # data segment is not valid in the station's encoding (UTF-8 by default)
    "format",  # the data segment does not follow the field grammar
)


class Hj212Error(Exception):
    """Base of every error raised by :mod:`lianfang.hj212`."""


#: Name used in DESIGN.md.
ProtocolError = Hj212Error


class LocalProtocolError(Hj212Error):
    """We were asked to send something invalid (e.g. a header value containing ``;``)."""


class RemoteProtocolError(Hj212Error):
    """A frame received from the peer is rejected; the frame is dropped, the stream stays usable.

    ``code`` is one of :data:`REJECT_CODES`; ``response`` is the protocol answer to send back, if
    the standard defines one (HJ 212-2017 Table 7: 9011 with ``QnRtn=9`` "CRC wrong"), else None;
    ``frame`` holds the rejected bytes, so nothing is lost.
    """

    def __init__(self, code: str, message: str, response: bytes | None = None, frame: bytes = b"") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.response = response
        self.frame = frame
