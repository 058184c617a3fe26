"""Evaluation of $filter / $orderby expressions on entities (18-088 §9.3.3.5, OData 4.0 semantics).

Null propagates through functions and arithmetic; a comparison with null is false except ``eq null``
/ ``ne null``; values of different types never compare equal (no implicit casts). A path through a
to-many relation (``Datastreams/ObservedProperty/name``) yields several values and a comparison on it
holds when it holds for any of them, as in FROST.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from lianfang.api.sensorthings.entities import Entity, Relation
from lianfang.api.sensorthings.expr import (
    Binary,
    Call,
    Expr,
    GeoValue,
    In,
    Lambda,
    Literal,
    Negate,
    Not,
    Path,
)
from lianfang.api.sensorthings.functions import FUNCTIONS
from lianfang.api.sensorthings.geo import as_geometry
from lianfang.api.sensorthings.parser import OrderItem

__all__ = [
    "EvalContext",
    "Many",
    "Navigator",
    "evaluate",
    "is_constant",
    "matches",
    "sort_entities",
    "sort_key",
]


class Navigator(Protocol):
    def related(self, entity: Entity, relation: Relation) -> list[Entity]:
        """Entities ``relation`` leads to from ``entity`` (zero or one for a to-one relation)."""
        ...


@dataclass(frozen=True, slots=True)
class EvalContext:
    navigator: Navigator
    now: datetime  # one "now()" for the whole request


class Many(list[Any]):
    """The values of a path through a to-many relation."""


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparable(a: Any, b: Any) -> tuple[Any, Any] | None:
    """``(a, b)`` made comparable, or None when their types do not compare."""
    if _is_number(a) and _is_number(b):
        return a, b
    if isinstance(a, datetime) or isinstance(b, datetime):
        a, b = _as_datetime(a), _as_datetime(b)
        return None if a is None or b is None else (a, b)
    for kind in (str, bool, date, time, timedelta):
        if isinstance(a, kind) and isinstance(b, kind):
            return a, b
    return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):  # a date compares as its midnight, UTC
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, Many):
        return any(_compare(op, x, b) for x in a)
    if isinstance(b, Many):
        return any(_compare(op, a, y) for y in b)
    if a is None or b is None:
        if op == "eq":
            return a is None and b is None
        if op == "ne":
            return not (a is None and b is None)
        return False
    if isinstance(a, GeoValue) or isinstance(b, GeoValue):
        ga, gb = as_geometry(a), as_geometry(b)
        same = ga is not None and gb is not None and bool(ga.equals(gb))
        return same if op == "eq" else (not same if op == "ne" else False)
    pair = _comparable(a, b)
    if pair is None:
        return op == "ne"
    x, y = pair
    if op == "eq":
        return bool(x == y)
    if op == "ne":
        return bool(x != y)
    return _COMPARE[op](x, y)


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if _is_number(a) and _is_number(b):
        if op == "add":
            return a + b
        if op == "sub":
            return a - b
        if op == "mul":
            return a * b
        if b == 0:
            return None
        if op == "div":
            if isinstance(a, int) and isinstance(b, int):
                return int(a / b)  # integer division truncates toward zero, as in SQL
            return a / b
        return a - b * int(a / b) if isinstance(a, int) and isinstance(b, int) else a % b
    if isinstance(a, datetime) and isinstance(b, timedelta) and op in ("add", "sub"):
        return a + b if op == "add" else a - b
    if isinstance(a, timedelta) and isinstance(b, datetime) and op == "add":
        return b + a
    if isinstance(a, datetime) and isinstance(b, datetime) and op == "sub":
        return _as_datetime(a) - _as_datetime(b)  # type: ignore[operator]
    if isinstance(a, timedelta) and isinstance(b, timedelta) and op in ("add", "sub"):
        return a + b if op == "add" else a - b
    return None


def _truth(value: Any) -> bool:
    if isinstance(value, Many):
        return any(_truth(v) for v in value)
    return value is True


def _entities(path: Path, entity: Entity, ctx: EvalContext, env: dict[str, Entity]) -> list[Entity]:
    """The entities a navigation-only path leads to (the range of a lambda)."""
    current = [env[path.var] if path.var else entity]
    for name in path.segments:
        relation = current[0].etype.relation(name) if current else None
        if relation is None:
            return []
        current = [nxt for e in current for nxt in ctx.navigator.related(e, relation)]
    return current


def _path_value(path: Path, entity: Entity, ctx: EvalContext, env: dict[str, Entity]) -> Any:
    current = [env[path.var] if path.var else entity]
    many = False
    values: list[Any] = []
    segments = path.segments
    for i, name in enumerate(segments):
        if not current:
            values = []
            break
        if name in ("@iot.id", "id"):
            values = [e.id for e in current]
            break
        relation = current[0].etype.relation(name)
        if relation is not None:
            many = many or relation.many
            current = [nxt for e in current for nxt in ctx.navigator.related(e, relation)]
            continue
        values = [e.props.get(name) for e in current]
        for sub in segments[i + 1 :]:
            values = [_member(v, sub) for v in values]
        break
    if many:
        return Many(values)
    return values[0] if values else None


def _member(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, list) and name.isdigit() and int(name) < len(value):
        return value[int(name)]
    return None


def _call(expr: Call, entity: Entity, ctx: EvalContext, env: dict[str, Entity]) -> Any:
    if expr.name == "now":
        return ctx.now
    impl = FUNCTIONS[expr.name][2]
    args = [evaluate(arg, entity, ctx, env) for arg in expr.args]
    if any(isinstance(a, Many) for a in args):
        choices = [a if isinstance(a, Many) else [a] for a in args]
        return Many(impl(*combo) for combo in itertools.product(*choices))
    return impl(*args)


def evaluate(expr: Expr, entity: Entity, ctx: EvalContext, env: dict[str, Entity] | None = None) -> Any:
    scope = env if env is not None else {}
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Path):
        return _path_value(expr, entity, ctx, scope)
    if isinstance(expr, Binary):
        op = expr.op
        if op == "and":
            return _truth(evaluate(expr.left, entity, ctx, scope)) and _truth(
                evaluate(expr.right, entity, ctx, scope)
            )
        if op == "or":
            return _truth(evaluate(expr.left, entity, ctx, scope)) or _truth(
                evaluate(expr.right, entity, ctx, scope)
            )
        left = evaluate(expr.left, entity, ctx, scope)
        right = evaluate(expr.right, entity, ctx, scope)
        if op in ("eq", "ne", "gt", "ge", "lt", "le"):
            return _compare(op, left, right)
        if isinstance(left, Many) or isinstance(right, Many):
            lefts = left if isinstance(left, Many) else [left]
            rights = right if isinstance(right, Many) else [right]
            return Many(_arithmetic(op, x, y) for x in lefts for y in rights)
        return _arithmetic(op, left, right)
    if isinstance(expr, Not):
        value = evaluate(expr.operand, entity, ctx, scope)
        if value is None:
            return None
        return not _truth(value)
    if isinstance(expr, Negate):
        value = evaluate(expr.operand, entity, ctx, scope)
        if _is_number(value) or isinstance(value, timedelta):
            return -value
        return None
    if isinstance(expr, Call):
        return _call(expr, entity, ctx, scope)
    if isinstance(expr, In):
        left = evaluate(expr.left, entity, ctx, scope)
        items = [evaluate(item, entity, ctx, scope) for item in expr.items]
        if len(items) == 1 and isinstance(items[0], list) and not isinstance(items[0], Many):
            items = items[0]  # 'tag' in properties/tags
        return any(_compare("eq", left, item) for item in items)
    # Lambda
    members = _entities(expr.path, entity, ctx, scope)
    if expr.body is None or expr.var is None:
        return bool(members)
    body, var = expr.body, expr.var

    def test(member: Entity) -> bool:
        return _truth(evaluate(body, entity, ctx, {**scope, var: member}))

    return any(map(test, members)) if expr.op == "any" else all(map(test, members))


def matches(expr: Expr, entity: Entity, ctx: EvalContext) -> bool:
    return _truth(evaluate(expr, entity, ctx))


def is_constant(expr: Expr) -> bool:
    """True when ``expr`` reads no property (it can be folded once, before any row is seen)."""
    if isinstance(expr, Literal):
        return True
    if isinstance(expr, Path | Lambda):
        return False
    if isinstance(expr, Call):
        return all(is_constant(a) for a in expr.args)
    if isinstance(expr, Binary):
        return is_constant(expr.left) and is_constant(expr.right)
    if isinstance(expr, Not | Negate):
        return is_constant(expr.operand)
    return is_constant(expr.left) and all(is_constant(i) for i in expr.items)


_RANKS: Sequence[tuple[type, int]] = (
    (bool, 3),
    (int, 1),
    (float, 1),
    (str, 2),
    (datetime, 4),
    (date, 5),
    (time, 6),
    (timedelta, 7),
)


def sort_key(value: Any) -> tuple[int, Any]:
    """Total order for $orderby: null first (OData: null sorts lowest), then by type, then value."""
    if isinstance(value, Many):
        value = value[0] if value else None
    if value is None:
        return (0, 0)
    for kind, rank in _RANKS:
        if isinstance(value, kind):
            if isinstance(value, datetime):
                return (rank, _as_datetime(value))
            return (rank, value)
    return (9, str(value))


def sort_entities(entities: list[Entity], items: Sequence[OrderItem], ctx: EvalContext) -> None:
    """Sort in place by several $orderby keys (stable sorts, last key first)."""
    for item in reversed(items):
        expr = item.expr

        def key(entity: Entity, expr: Expr = expr) -> tuple[int, Any]:
            return sort_key(evaluate(expr, entity, ctx))

        entities.sort(key=key, reverse=item.descending)
