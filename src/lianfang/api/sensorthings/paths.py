"""Resource paths of 18-088 §9.2: entity sets, entities by id, navigation, properties, $value, $ref.

``Things('SC001')/Datastreams('SC001:w21003:hour')/Observations`` → segments
``[Things('SC001'), Datastreams('SC001:w21003:hour'), Observations]``; ``Things('x')/name/$value`` →
segments ``[Things('x')]``, properties ``[name]``, value. Ids are OData literals: ``'text'`` (``''`` for
a quote) or digits. Which names are relations and which are properties is decided while resolving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lianfang.errors import InputError

__all__ = ["ResourcePath", "Segment", "parse_path"]

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*|\$ref|\$value)(?:\((?P<key>.*)\))?$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    key: str | None = None  # the id given in parentheses, decoded


@dataclass(slots=True)
class ResourcePath:
    segments: list[Segment]
    ref: bool = False  # …/$ref
    value: bool = False  # …/$value
    properties: list[str] = field(default_factory=list)  # filled in while resolving


def _split(path: str) -> list[str]:
    """Split on '/' outside quoted ids (an id may contain '/')."""
    parts: list[str] = []
    quoted = False
    current: list[str] = []
    for ch in path:
        if ch == "'":
            quoted = not quoted
        if ch == "/" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    if quoted:
        raise InputError(f"unterminated quoted id in path {path!r}")
    parts.append("".join(current))
    return parts


def _key(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        body = text[1:-1]
        if re.search(r"(?<!')'(?!')", body.replace("''", "")):
            raise InputError(f"malformed id literal {text}")
        return body.replace("''", "'")
    if text.isdigit():
        return text
    raise InputError(f"malformed id {text!r}: quote string ids, e.g. ('SC001')")


def parse_path(path: str) -> ResourcePath:
    """Parse the part after the service root; InputError (400) for malformed syntax."""
    parts = _split(path.strip("/"))
    if not parts or parts == [""]:
        raise InputError("empty resource path")
    segments: list[Segment] = []
    result = ResourcePath(segments)
    for i, part in enumerate(parts):
        m = _SEGMENT.match(part)
        if m is None:
            raise InputError(f"malformed path segment {part!r}")
        name, key = m.group("name"), m.group("key")
        last = i == len(parts) - 1
        if name in ("$ref", "$value"):
            if not last or key is not None or i == 0:
                raise InputError(f"{name} must end the path")
            result.ref = name == "$ref"
            result.value = name == "$value"
            continue
        segments.append(Segment(name, _key(key) if key is not None else None))
    return result
