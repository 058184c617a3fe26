"""Gateway counters and their Prometheus text rendering.

Counters are plain attributes bumped on the event-loop thread (no locks: one writer). Anything
that is a current level rather than a count (open connections, values awaiting commit) is read at
render time from a callback the gateway registers with :meth:`Metrics.add_gauge`.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

__all__ = ["Histogram", "LastUpload", "Metrics"]

#: Upper bounds [s] of the latency histograms: commits take milliseconds, acks under load longer.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.001,
    0.002,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


@dataclass(slots=True)
class Histogram:
    """A cumulative Prometheus histogram over fixed bucket bounds [s]."""

    bounds: tuple[float, ...] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, seconds)] += 1
        self.total += seconds
        self.count += 1

    def observe_many(self, seconds: float, n: int) -> None:
        """Record ``n`` observations of the same value (all acks of one commit)."""
        self.counts[bisect.bisect_left(self.bounds, seconds)] += n
        self.total += seconds * n
        self.count += n

    def quantile(self, q: float) -> float:
        """Upper bound [s] of the bucket holding quantile ``q`` (coarse, for the terminal view)."""
        if self.count == 0:
            return 0.0
        rank = q * self.count
        seen = 0
        for bound, n in zip(self.bounds, self.counts, strict=False):
            seen += n
            if seen >= rank:
                return bound
        return float("inf")

    def render(self, name: str, help_text: str) -> list[str]:
        lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
        cumulative = 0
        for bound, n in zip(self.bounds, self.counts, strict=False):
            cumulative += n
            lines.append(f'{name}_bucket{{le="{bound:g}"}} {cumulative}')
        lines.append(f'{name}_bucket{{le="+Inf"}} {self.count}')
        lines.append(f"{name}_sum {self.total:.6f}")
        lines.append(f"{name}_count {self.count}")
        return lines


class LastUpload(NamedTuple):
    """The newest upload of a station, for the terminal view (one per packet: a cheap tuple)."""

    cn: str
    data_time: datetime
    items: dict[str, dict[str, str]]  # code -> suffix -> value, as sent


@dataclass(slots=True)
class Metrics:
    """Everything the gateway counts. Mutated only on the event-loop thread."""

    connections_total: int = 0
    connections_refused: int = 0
    idle_timeouts: int = 0
    packets: int = 0
    bytes_received: int = 0
    uploads: int = 0
    values_stored: int = 0
    values_inserted: int = 0
    values_unchanged: int = 0
    values_corrected: int = 0
    acks: int = 0
    answers_sent: int = 0
    commits: int = 0
    commit_errors: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    values_skipped: Counter[str] = field(default_factory=Counter)
    backfill: Counter[str] = field(default_factory=Counter)
    commit_latency: Histogram = field(default_factory=Histogram)
    ack_delay: Histogram = field(default_factory=Histogram)
    last_uploads: dict[str, LastUpload] = field(default_factory=dict)
    _gauges: list[tuple[str, str, Callable[[], float]]] = field(default_factory=list)

    def add_gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        """Register a level read at render time (e.g. open connections)."""
        self._gauges.append((name, help_text, read))

    def gauge_values(self) -> dict[str, float]:
        return {name: read() for name, _, read in self._gauges}

    def snapshot(self) -> dict[str, object]:
        """A JSON-friendly summary for /healthz and the terminal view."""
        return {
            "packets": self.packets,
            "uploads": self.uploads,
            "values_stored": self.values_stored,
            "values_corrected": self.values_corrected,
            "acks": self.acks,
            "commits": self.commits,
            "commit_errors": self.commit_errors,
            "rejects": dict(self.rejects),
            "values_skipped": dict(self.values_skipped),
            "backfill": dict(self.backfill),
            **self.gauge_values(),
        }

    def render_prometheus(self) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        out: list[str] = []

        def counter(name: str, help_text: str, value: int) -> None:
            out.extend([f"# HELP {name} {help_text}", f"# TYPE {name} counter", f"{name} {value}"])

        def labelled(name: str, help_text: str, label: str, values: Counter[str]) -> None:
            out.extend([f"# HELP {name} {help_text}", f"# TYPE {name} counter"])
            for key in sorted(values):
                out.append(f'{name}{{{label}="{_escape(key)}"}} {values[key]}')

        p = "lianfang_gateway_"
        counter(p + "connections_total", "Logger connections accepted.", self.connections_total)
        counter(p + "connections_refused_total", "Connections refused (limit).", self.connections_refused)
        counter(p + "idle_timeouts_total", "Connections closed for silence.", self.idle_timeouts)
        counter(p + "packets_total", "Good HJ 212 frames decoded.", self.packets)
        counter(p + "received_bytes_total", "Bytes read from loggers.", self.bytes_received)
        counter(p + "uploads_total", "Data uploads accepted (split parts merged).", self.uploads)
        counter(p + "values_stored_total", "Values committed to the store.", self.values_stored)
        counter(p + "values_inserted_total", "Committed values with a new key.", self.values_inserted)
        counter(p + "values_unchanged_total", "Committed values that were resends.", self.values_unchanged)
        counter(
            p + "values_corrected_total", "Committed values that changed a stored one.", self.values_corrected
        )
        counter(p + "acks_total", "9014 data acknowledgements sent after commit.", self.acks)
        counter(p + "answers_total", "9011/9013/1012 answers sent.", self.answers_sent)
        counter(p + "commits_total", "Store transactions (group commits).", self.commits)
        counter(p + "commit_errors_total", "Store transactions that failed.", self.commit_errors)
        labelled(p + "rejects_total", "Frames or packets rejected, by reason.", "reason", self.rejects)
        labelled(p + "values_skipped_total", "Values not stored, by reason.", "reason", self.values_skipped)
        labelled(
            p + "backfill_total", "History (gap backfill) requests, by outcome.", "outcome", self.backfill
        )
        out.extend(self.commit_latency.render(p + "commit_seconds", "Store commit latency."))
        out.extend(self.ack_delay.render(p + "ack_delay_seconds", "Packet received to 9014 written."))
        for name, help_text, read in self._gauges:
            out.extend([f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {read():g}"])
        return "\n".join(out) + "\n"


def _escape(label_value: str) -> str:
    return label_value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
