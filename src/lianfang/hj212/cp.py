"""The CP data area (``CP=&&…&&``) [HJ 212-2017 §6.3.3]."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["CpData", "CpSyntaxError", "format_cp", "format_cp_entries", "parse_cp"]


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


class CpSyntaxError(ValueError):
    """The CP area breaks the ``key=value`` grammar (the connection turns it into ``format``)."""


def _split_protected(body: str) -> list[str]:
    """Split on ``;`` and ``,`` except inside ``//…//`` text values [HJ 212-2017 Table C.40 notes]."""
    tokens: list[str] = []
    start = 0
    i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c == ";" or c == ",":
            tokens.append(body[start:i])
            start = i + 1
        elif c == "/" and body.startswith("//", i) and body[start:i].rstrip().endswith("="):
            close = body.find("//", i + 2)
            if close < 0:
                break  # unterminated text: the rest is its value
            i = close + 2
            continue
        i += 1
    tokens.append(body[start:])
    return tokens


def parse_cp(body: str) -> CpData:
    """Parse the text between ``CP=&&`` and ``&&``.

    HJ 212-2017 §6.3.3.1: "字段与其值用'='连接；在数据区中，同一项目的不同分类值间用','来分隔，
    不同项目之间用';'来分隔". The standard's own examples mix the two (``BeginTime=…,EndTime=…``),
    so both separate items; keys ``code-Suffix`` are grouped by the code before the last ``-``.
    Stray spaces (present in the standard's examples) are trimmed; empty items are skipped.
    """
    tokens = _split_protected(body) if "//" in body else body.replace(",", ";").split(";")
    trim = " " in body or "\t" in body  # hot path: most loggers send no whitespace
    fields: dict[str, str] = {}
    items: dict[str, dict[str, str]] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep:
            if token and not token.isspace():
                raise CpSyntaxError(f"CP item {token.strip()[:40]!r} has no '='")
            continue
        if trim:
            key = key.strip()
            value = value.strip()
        code, dash, suffix = key.rpartition("-")
        if dash and code:
            group = items.get(code)
            if group is None:
                items[code] = {suffix: value}
            else:
                group[suffix] = value
        elif key:
            fields[key] = value
        else:
            raise CpSyntaxError(f"CP item {token.strip()[:40]!r} has an empty name")
    stored = len(fields) + sum(map(len, items.values()))
    duplicates = () if stored == body.count("=") else _duplicates(tokens)
    return CpData(fields, items, duplicates)


def _duplicates(tokens: list[str]) -> tuple[str, ...]:
    """Keys given more than once (slow path, only when the counts disagree)."""
    seen: set[str] = set()
    repeated: list[str] = []
    for token in tokens:
        key, sep, _ = token.partition("=")
        key = key.strip()
        if sep and key:
            if key in seen:
                repeated.append(key)
            seen.add(key)
    return tuple(repeated)


def format_cp(fields: Mapping[str, str], items: Mapping[str, Mapping[str, str]]) -> str:
    """CP body for ``fields`` then ``items``: ``k=v`` joined by ``;``, one code's values by ``,``.

    Raises ValueError for text that would break the grammar (``;``, ``,``, ``=``, ``&&``, CR/LF in
    keys; ``;``, ``,``, ``&&``, CR/LF in values other than ``//…//`` texts).
    """
    return format_cp_entries([*fields.items(), *items.items()])


def format_cp_entries(entries: Iterable[tuple[str, str | Mapping[str, str]]]) -> str:
    """CP body from entries in the order given: a string value is a field, a mapping a code's group.

    In a group, the suffix ``""`` stands for a bare ``code=value``.
    """
    parts: list[str] = []
    for key, value in entries:
        if isinstance(value, str):
            parts.append(f"{_key(key)}={_value(value)}")
        else:
            parts.append(
                ",".join(
                    f"{_key(key)}-{_key(s)}={_value(v)}" if s else f"{_key(key)}={_value(v)}"
                    for s, v in value.items()
                )
            )
    return ";".join(parts)


_FORBIDDEN_KEY = (";", ",", "=", "&", "\r", "\n")
_FORBIDDEN_VALUE = (";", ",", "&&", "\r", "\n")


def _key(text: str) -> str:
    if not text or any(c in text for c in _FORBIDDEN_KEY):
        raise ValueError(f"invalid CP key {text!r}")
    return text


def _value(text: str) -> str:
    if text.startswith("//") and text.endswith("//") and len(text) >= 4:
        if "\r" in text or "\n" in text or "&&" in text or "//" in text[2:-2]:
            raise ValueError(f"invalid CP text value {text!r}")
        return text
    if any(c in text for c in _FORBIDDEN_VALUE):
        raise ValueError(f"invalid CP value {text!r}")
    return text
