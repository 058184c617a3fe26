"""Recording reads that cross a jurisdiction: who read, whose data, under which agreement, how much.

Entries go to the store's writer queue (:meth:`SharingStore.submit_audit`), so a read never waits for
the audit's commit; :meth:`AuditTrail.flush` waits for everything queued so far.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, wait
from datetime import datetime

from lianfang.share.caller import Caller
from lianfang.store.base import Agreement, AuditEntry, ObservationQuery, SharingStore

__all__ = ["AuditTrail", "describe_query"]

_SCOPE_MAX = 400  # [characters] enough to say what was asked for without storing huge MN lists


def describe_query(query: ObservationQuery) -> str:
    """A short, stable text of what a query asked for, for the audit's ``scope`` column."""

    def listed(values: Iterable[str] | None) -> str:
        return ",".join(values) if values is not None else "*"

    parts = [
        f"stations={listed(query.mns)}",
        f"params={listed(query.params)}",
        f"kinds={listed(str(k) for k in query.kinds) if query.kinds is not None else '*'}",
    ]
    if query.start is not None:
        parts.append(f"from={query.start.isoformat()}")
    if query.end is not None:
        parts.append(f"to={query.end.isoformat()}")
    text = " ".join(parts)
    return text if len(text) <= _SCOPE_MAX else text[: _SCOPE_MAX - 1] + "…"


class AuditTrail:
    """Turns per-agreement value counts into audit entries and queues them for the writer."""

    def __init__(self, store: SharingStore) -> None:
        self._store = store
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def record(
        self,
        caller: Caller,
        counts: Mapping[Agreement, int],
        *,
        at: datetime,
        via: str,
        action: str,
        scope: str,
    ) -> None:
        entries = [
            AuditEntry(
                at=at,
                reader=caller.agency,
                token_id=caller.token_id,
                reader_name=caller.name,
                owner=agreement.owner,
                agreement_id=agreement.id,
                agreement_version=agreement.version,
                via=via,
                action=action,
                scope=scope,
                values=values,
            )
            for agreement, values in sorted(counts.items(), key=lambda kv: kv[0].id)
        ]
        if not entries:
            return
        future = self._store.submit_audit(entries)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def flush(self, timeout: float | None = 30.0) -> None:
        """Wait until every entry queued so far is committed; re-raise a failed write."""
        with self._lock:
            pending = list(self._pending)
        done, _ = wait(pending, timeout=timeout)
        for future in done:
            future.result()
