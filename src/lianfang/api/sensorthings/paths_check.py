"""Static check of property paths in $filter / $orderby against the entity model (400 on a bad name).

A path walks navigation properties (``Datastream/Thing``) and ends in a property; complex properties
(``properties``, ``unitOfMeasurement``, ``parameters``, geometries) accept any sub-path. Paths that
walk *into* Observations from another entity (``Datastreams/Observations/result``) are refused: they
would scan observation tables row by row per entity; ``/Observations?$filter=…`` answers the same
question with the filter pushed down.
"""

from __future__ import annotations

from collections.abc import Mapping

from lianfang.api.sensorthings.entities import ENTITY_TYPES, EntityType, PropertyKind
from lianfang.api.sensorthings.expr import Binary, Call, Expr, In, Lambda, Literal, Negate, Not, Path
from lianfang.errors import InputError

__all__ = ["check_expr", "resolve_path"]

_OPEN_KINDS = (PropertyKind.JSON, PropertyKind.GEOMETRY)


def resolve_path(
    path: Path, etype: EntityType, env: Mapping[str, EntityType], option: str, *, collection: bool = False
) -> EntityType:
    """The entity type the path ends on (its own type for a property path); InputError if invalid.

    ``collection`` is for a lambda's range: the path must end on a to-many navigation property.
    """
    current = etype
    if path.var is not None:
        if path.var not in env:
            raise InputError(f"{option}: unknown lambda variable {path.var!r}")
        current = env[path.var]
    segments = path.segments
    for i, name in enumerate(segments):
        last = i == len(segments) - 1
        if name in ("@iot.id", "id"):
            if not last:
                raise InputError(f"{option}: nothing follows {name} in {'/'.join(segments)!r}")
            return current
        relation = current.relation(name)
        if relation is not None:
            if relation.target == "Observation" and relation.many:
                raise InputError(
                    f"{option}: paths through {current.name}/{name} are not supported; "
                    f"query Observations with a $filter on Datastream/… instead"
                )
            current = ENTITY_TYPES[relation.target]
            if last:
                if collection and relation.many:
                    return current
                raise InputError(f"{option}: {'/'.join(segments)!r} names an entity, not a value")
            continue
        kind = current.properties.get(name)
        if kind is None:
            raise InputError(f"{option}: {current.name} has no property {name!r}")
        if kind in _OPEN_KINDS or last:
            if collection:
                raise InputError(f"{option}: any()/all() needs a to-many navigation path")
            return current
        raise InputError(f"{option}: {current.name}/{name} has no sub-properties")
    raise InputError(f"{option}: empty path")


def check_expr(
    expr: Expr, etype: EntityType, option: str, env: Mapping[str, EntityType] | None = None
) -> None:
    scope: Mapping[str, EntityType] = env or {}
    if isinstance(expr, Literal):
        return
    if isinstance(expr, Path):
        resolve_path(expr, etype, scope, option)
    elif isinstance(expr, Call):
        for arg in expr.args:
            check_expr(arg, etype, option, scope)
    elif isinstance(expr, Binary):
        check_expr(expr.left, etype, option, scope)
        check_expr(expr.right, etype, option, scope)
    elif isinstance(expr, Not | Negate):
        check_expr(expr.operand, etype, option, scope)
    elif isinstance(expr, In):
        check_expr(expr.left, etype, option, scope)
        for item in expr.items:
            check_expr(item, etype, option, scope)
    elif isinstance(expr, Lambda):
        target = resolve_path(expr.path, etype, scope, option, collection=True)
        if expr.body is not None and expr.var is not None:
            check_expr(expr.body, etype, option, {**scope, expr.var: target})
