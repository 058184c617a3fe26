"""System query options of 18-088 §9.3 ($expand, $select, $orderby, $top, $skip, $count, $filter).

Parsed once per request into :class:`QueryOptions`; ``$expand`` items carry their own nested options
(``Datastreams($filter=…;$top=2;$expand=ObservedProperty)``) and the path form
``Datastreams/ObservedProperty`` is the same as a nested expand. ``raw`` keeps the text of each option
so next links can repeat them. Checking names against an entity type is :func:`check_options`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from lianfang.api.sensorthings.entities import ENTITY_TYPES, EntityType
from lianfang.api.sensorthings.expr import Expr
from lianfang.api.sensorthings.parser import OrderItem, parse_filter, parse_orderby
from lianfang.api.sensorthings.paths_check import check_expr
from lianfang.errors import InputError, LianfangError

__all__ = [
    "DEFAULT_TOP",
    "MAX_TOP",
    "ExpandItem",
    "QueryOptions",
    "UnsupportedOptionError",
    "check_options",
    "expand_text",
    "option_pairs",
    "parse_options",
]

#: $top when the client gives none, and the most a page may hold (FROST: 100 and 10,000)
DEFAULT_TOP: Final = 100
MAX_TOP: Final = 1000

_OPTIONS: Final = frozenset(
    {"$filter", "$orderby", "$top", "$skip", "$count", "$select", "$expand", "$skiptoken"}
)
#: options of other STA extensions or OData that lianfang does not implement → 501
_KNOWN_UNSUPPORTED: Final = frozenset({"$resultFormat", "$search", "$apply", "$format", "$levels"})


class UnsupportedOptionError(LianfangError):
    """18-088 req/request-data/query-status-code: a request with an unsupported option fails."""

    status = 501
    code = "not_implemented"


@dataclass(slots=True)
class ExpandItem:
    relation: str
    options: QueryOptions


@dataclass(slots=True)
class QueryOptions:
    filter: Expr | None = None
    orderby: list[OrderItem] = field(default_factory=list)
    top: int | None = None  # None: the default applies
    skip: int = 0
    count: bool = False
    select: list[str] | None = None  # property / navigation names, "@iot.id" for id
    expand: list[ExpandItem] = field(default_factory=list)
    skiptoken: str | None = None
    raw: dict[str, str] = field(default_factory=dict)  # option → text as given

    def page_size(self) -> int:
        return DEFAULT_TOP if self.top is None else min(self.top, MAX_TOP)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside parentheses and quoted strings."""
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted  # '' inside a string toggles twice: still inside
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise InputError(f"unbalanced ')' in {text!r}")
        elif ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth != 0 or quoted:
        raise InputError(f"unbalanced parentheses or quotes in {text!r}")
    parts.append(text[start:])
    return parts


def _non_negative(option: str, text: str) -> int:
    value = text.strip()
    if not value.isdigit():
        raise InputError(f"{option} must be a non-negative integer, got {text!r}")
    return int(value)


def _parse_expand(text: str) -> list[ExpandItem]:
    items: list[ExpandItem] = []
    for part in _split_top_level(text, ","):
        part = part.strip()
        if not part:
            raise InputError(f"$expand: empty item in {text!r}")
        nested_text = None
        if part.endswith(")"):
            open_at = part.find("(")
            if open_at <= 0:
                raise InputError(f"$expand: malformed item {part!r}")
            nested_text = part[open_at + 1 : -1]
            part = part[:open_at]
        segments = [s.strip() for s in part.split("/")]
        if not all(segments):
            raise InputError(f"$expand: malformed path {part!r}")
        nested = QueryOptions()
        if nested_text is not None and nested_text.strip():
            pairs = []
            for option in _split_top_level(nested_text, ";"):
                name, eq, value = option.partition("=")
                if not eq:
                    raise InputError(f"$expand: option {option!r} needs name=value")
                pairs.append((name.strip(), value))
            nested = parse_options(pairs, nested=True)
        # Datastreams/Sensor(…) ≡ Datastreams($expand=Sensor(…))
        for segment in reversed(segments[1:]):
            nested = QueryOptions(expand=[ExpandItem(segment, nested)], raw={"$expand": segment})
        _merge_expand(items, ExpandItem(segments[0], nested))
    return items


def _merge_expand(items: list[ExpandItem], new: ExpandItem) -> None:
    """``$expand=Datastreams/Thing,Datastreams/Sensor`` expands Datastreams once with both."""
    for item in items:
        if item.relation == new.relation:
            for sub in new.options.expand:
                _merge_expand(item.options.expand, sub)
            return
    items.append(new)


def parse_options(pairs: Iterable[tuple[str, str]], *, nested: bool = False) -> QueryOptions:
    """Options from query-string pairs; custom (non-``$``) parameters of a URL are ignored (18-088
    §9.3), inside ``$expand(…)`` only system options may appear."""
    options = QueryOptions()
    for name, value in pairs:
        if not name.startswith("$"):
            if nested:
                raise InputError(f"$expand: {name!r} is not a system query option")
            continue
        if name in _KNOWN_UNSUPPORTED:
            raise UnsupportedOptionError(f"query option {name} is not implemented")
        if name not in _OPTIONS:
            raise InputError(f"unknown query option {name}")
        if name in options.raw:
            raise InputError(f"query option {name} given twice")
        options.raw[name] = value
        if name == "$filter":
            options.filter = parse_filter(value)
        elif name == "$orderby":
            options.orderby = parse_orderby(value)
        elif name == "$top":
            options.top = _non_negative("$top", value)
        elif name == "$skip":
            options.skip = _non_negative("$skip", value)
        elif name == "$count":
            if value not in ("true", "false"):
                raise InputError(f"$count must be true or false, got {value!r}")
            options.count = value == "true"
        elif name == "$select":
            names = [s.strip() for s in value.split(",")]
            if not all(names):
                raise InputError(f"$select: empty name in {value!r}")
            options.select = ["@iot.id" if n in ("id", "@iot.id") else n for n in names]
        elif name == "$expand":
            options.expand = _parse_expand(value)
        else:
            options.skiptoken = value
    return options


def check_options(options: QueryOptions, etype: EntityType) -> None:
    """Check every name in ``options`` against ``etype`` (InputError → 400), nested expands too."""
    if options.filter is not None:
        check_expr(options.filter, etype, "$filter")
    for item in options.orderby:
        check_expr(item.expr, etype, "$orderby")
    for name in options.select or ():
        if name != "@iot.id" and name not in etype.properties and name not in etype.relations:
            raise InputError(f"$select: {etype.name} has no property {name!r}")
    for expand in options.expand:
        relation = etype.relation(expand.relation)
        if relation is None:
            raise InputError(f"$expand: {etype.name} has no navigation property {expand.relation!r}")
        check_options(expand.options, ENTITY_TYPES[relation.target])


def expand_text(items: Iterable[ExpandItem]) -> str:
    """``$expand`` text for ``items`` (rebuilt, so merged path-form expands are repeated correctly)."""
    parts = []
    for item in items:
        inner = ";".join(f"{k}={v}" for k, v in option_pairs(item.options))
        parts.append(f"{item.relation}({inner})" if inner else item.relation)
    return ",".join(parts)


def option_pairs(
    options: QueryOptions, *, top: int | None = None, skip: int | None = None, skiptoken: str | None = None
) -> list[tuple[str, str]]:
    """Query options to repeat in a link: the given ones, with $top/$skip/$skiptoken replaced if set."""
    pairs: list[tuple[str, str]] = []
    for name in ("$filter", "$orderby", "$select", "$count"):
        if name in options.raw:
            pairs.append((name, options.raw[name]))
    if options.expand:
        pairs.append(("$expand", expand_text(options.expand)))
    chosen_top = top if top is not None else options.top
    if chosen_top is not None:
        pairs.append(("$top", str(chosen_top)))
    if skiptoken is not None:
        pairs.append(("$skiptoken", skiptoken))
    else:
        chosen_skip = skip if skip is not None else options.skip
        if chosen_skip:
            pairs.append(("$skip", str(chosen_skip)))
    return pairs
