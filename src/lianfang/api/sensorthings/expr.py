"""Syntax tree of $filter / $orderby expressions (OData 4.0 as profiled by 18-088 §9.3.3.5)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COMPARISONS",
    "Binary",
    "Call",
    "Expr",
    "GeoValue",
    "In",
    "Lambda",
    "Literal",
    "Negate",
    "Not",
    "Path",
    "walk",
]

#: 18-088 Table 25 comparison operators
COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})


@dataclass(frozen=True, slots=True)
class GeoValue:
    """A geometry literal: its WKT and the parsed shapely geometry (typed Any: shapely is untyped)."""

    wkt: str
    geometry: Any


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any  # str, int, float, bool, None, datetime, date, time, timedelta, GeoValue


@dataclass(frozen=True, slots=True)
class Path:
    """``Datastream/Thing/properties/river``; ``var`` is a lambda variable the path starts from."""

    segments: tuple[str, ...]
    var: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # eq ne gt ge lt le | and or | add sub mul div mod
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Expr


@dataclass(frozen=True, slots=True)
class In:
    left: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Lambda:
    """``Datastreams/any(d: d/ObservedProperty/name eq 'NO2')`` (OData 4.0 lambda operators)."""

    path: Path  # the collection the lambda ranges over
    op: str  # "any" or "all"
    var: str | None
    body: Expr | None


Expr = Literal | Path | Call | Binary | Not | Negate | In | Lambda


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of ``expr``, parents before children."""
    yield expr
    if isinstance(expr, Call):
        for arg in expr.args:
            yield from walk(arg)
    elif isinstance(expr, Binary):
        yield from walk(expr.left)
        yield from walk(expr.right)
    elif isinstance(expr, Not | Negate):
        yield from walk(expr.operand)
    elif isinstance(expr, In):
        yield from walk(expr.left)
        for item in expr.items:
            yield from walk(item)
    elif isinstance(expr, Lambda):
        yield expr.path
        if expr.body is not None:
            yield from walk(expr.body)
