"""The CP data area (``CP=&&…&&``) [HJ 212-2017 §6.3.3]."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CpData"]


@dataclass(frozen=True, slots=True)
class CpData:
    """Parsed CP: ``fields`` for plain keys (``DataTime``, ``QnRtn`` …), ``items`` for coded ones.

    ``items`` maps a code to its suffixes: ``{"w21003": {"Avg": "0.52", "Flag": "N"}}``.
    Values are the trimmed strings sent (``1.230`` stays ``1.230``). ``duplicates`` lists keys
    that appeared more than once (the last value wins).
    """

    fields: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict[str, str]] = field(default_factory=dict)
    duplicates: tuple[str, ...] = ()
