"""Rate-limited logging of rejected input, so a flood of bad frames cannot flood the log.

Each line names the reason, the peer and the MN (never the password). Per reason, at most
``burst`` lines are written per ``interval``; the rest are counted and summarised in the next line.
"""

from __future__ import annotations

import logging
import time

__all__ = ["RejectLog"]

log = logging.getLogger("lianfang.gateway.rejects")


class RejectLog:
    def __init__(self, *, burst: int = 20, interval: float = 60.0) -> None:
        self._burst = burst
        self._interval = interval
        self._window: dict[str, tuple[float, int, int]] = {}  # reason -> (start, logged, suppressed)

    def note(self, reason: str, peer: str, mn: str | None, detail: str) -> None:
        now = time.monotonic()
        start, logged, suppressed = self._window.get(reason, (now, 0, 0))
        if now - start >= self._interval:
            start, logged = now, 0
        if logged >= self._burst:
            self._window[reason] = (start, logged, suppressed + 1)
            return
        more = f" (+{suppressed} similar suppressed)" if suppressed else ""
        log.warning("rejected %s from %s mn=%s: %s%s", reason, peer, mn or "-", detail, more)
        self._window[reason] = (start, logged + 1, 0)
