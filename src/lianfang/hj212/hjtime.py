"""HJ 212 timestamps: Beijing time (UTC+8) written without a zone.

HJ 212-2017 §6.3.3.2.2: times are ``YYYYMMDDhhmmss`` (N14); QN is ``YYYYMMDDhhmmsszzz`` (17 digits,
milliseconds). The codec never reads a clock: callers pass the instants.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Final

__all__ = ["BEIJING", "format_timestamp", "make_qn", "parse_qn", "parse_timestamp"]

#: China Standard Time, the zone of every HJ 212 time.
BEIJING: Final = timezone(timedelta(hours=8), "Asia/Shanghai")


def _to_beijing(when: datetime) -> datetime:
    return when.replace(tzinfo=BEIJING) if when.tzinfo is None else when.astimezone(BEIJING)


@lru_cache(maxsize=4096)  # hot path: every station's hourly upload repeats the same DataTime
def parse_timestamp(text: str) -> datetime | None:
    """``YYYYMMDDhhmmss`` (also the 17-digit form some loggers send) → aware Beijing time, or None."""
    if len(text) not in (14, 17) or not text.isdigit() or not text.isascii():
        return None
    try:
        moment = datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
            int(text[14:17]) * 1000 if len(text) == 17 else 0,
            tzinfo=BEIJING,
        )
    except ValueError:
        return None
    return moment


def parse_qn(qn: str) -> datetime | None:
    """QN ``YYYYMMDDhhmmsszzz`` → aware Beijing time (ms precision), or None if it is no time."""
    return parse_timestamp(qn) if len(qn) == 17 else None


def format_timestamp(when: datetime) -> str:
    """Aware (or naive Beijing) instant → ``YYYYMMDDhhmmss`` in Beijing time."""
    return _to_beijing(when).strftime("%Y%m%d%H%M%S")


def make_qn(when: datetime, seq: int = 0) -> str:
    """17-digit QN ``YYYYMMDDhhmmsszzz`` [HJ 212-2017 Table 3] for ``when`` plus ``seq`` milliseconds.

    ``seq`` lets a caller issue distinct QNs within one millisecond (split packets, bursts).
    """
    moment = _to_beijing(when) + timedelta(milliseconds=seq)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
