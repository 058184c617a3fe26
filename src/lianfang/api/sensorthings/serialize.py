"""JSON encoding of STA responses: values, self links, navigation links, next links (18-088 §9.2.3).

Times are written in UTC with ``Z`` (``2024-01-01T00:00:00Z``), the zone the store keeps; a
fraction appears only when present. Links are absolute, as 18-088's examples show.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from lianfang.api.sensorthings.entities import Entity, EntityType
from lianfang.api.sensorthings.expr import GeoValue

__all__ = ["entity_link", "jsonify", "next_link", "query_string", "self_link"]

_SAFE_ID = "':@-._~!$&*+,;="
_SAFE_QUERY = "$'(),/:@;="
_PLAIN_ID = re.compile(r"[A-Za-z0-9:._-]*")


def jsonify(value: Any) -> Any:
    """``value`` as plain JSON types (times as ISO 8601 text, non-finite floats as null)."""
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        text = aware.astimezone(UTC).isoformat()
        return text.replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"PT{value.total_seconds():g}S"
    if isinstance(value, dict):
        return {str(k): jsonify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonify(v) for v in value]
    if isinstance(value, GeoValue):
        return value.wkt
    return str(value)


def entity_link(base: str, etype: EntityType, entity_id: str) -> str:
    if _PLAIN_ID.fullmatch(entity_id):  # MNs, parameter codes and our ids: nothing to escape
        return f"{base}/{etype.plural}('{entity_id}')"
    escaped = entity_id.replace("'", "''")
    return f"{base}/{etype.plural}('{quote(escaped, safe=_SAFE_ID)}')"


def self_link(base: str, entity: Entity) -> str:
    if entity.link is None:  # an entity is linked from several places in one response
        entity.link = entity_link(base, entity.etype, entity.id)
    return entity.link


def query_string(pairs: Sequence[tuple[str, str]]) -> str:
    return urlencode(list(pairs), safe=_SAFE_QUERY, quote_via=quote)


def next_link(url: str, pairs: Sequence[tuple[str, str]]) -> str:
    return f"{url}?{query_string(pairs)}" if pairs else url
