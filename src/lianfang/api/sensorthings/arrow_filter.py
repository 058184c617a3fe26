"""Residual Observation filters as Arrow compute expressions, so a scan filters 10⁴ rows per call.

Covers comparisons of ``result``, ``phenomenonTime`` and ``resultQuality`` with constants, combined
with ``and``/``or``/``not`` — the common residual terms (``result gt 0.5``,
``resultQuality eq 'N'``). Anything else returns None and the caller evaluates row by row; both paths
give the same answers (:mod:`evaluate` semantics: a comparison with null is false except ``ne``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lianfang.api.sensorthings.evaluate import EvalContext, evaluate, is_constant
from lianfang.api.sensorthings.expr import Binary, Expr, Not, Path
from lianfang.api.sensorthings.pushdown import probe
from lianfang.model import DataKind
from lianfang.share import SeriesKey

__all__ = ["to_arrow"]

_COLUMNS = {"result": "value", "phenomenonTime": "time", "resultQuality": "flag"}
_FLIP = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}
_TIME = pa.timestamp("us", tz="UTC")
#: pyarrow-stubs type compute functions for arrays and scalars only; they accept Expressions too
_coalesce: Any = pc.coalesce
_expression_scalar: Any = pc.scalar


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparison(op: str, column: str, constant: Any) -> pc.Expression | None:
    field = pc.field(column)
    if constant is None:
        if op == "eq":
            return pc.is_null(field)
        if op == "ne":
            return pc.is_valid(field)
        return pc.scalar(False)
    if column == "value" and _is_number(constant):
        scalar = pc.scalar(float(constant))
    elif column == "time" and isinstance(constant, datetime):
        aware = constant if constant.tzinfo else constant.replace(tzinfo=UTC)
        scalar = _expression_scalar(pa.scalar(aware.astimezone(UTC), _TIME))
    elif column == "flag" and isinstance(constant, str):
        scalar = pc.scalar(constant)
    else:
        return None  # a type the row-by-row evaluator treats specially: leave it to it
    compared = {
        "eq": field == scalar,
        "ne": field != scalar,
        "gt": field > scalar,
        "ge": field >= scalar,
        "lt": field < scalar,
        "le": field <= scalar,
    }[op]
    if op == "ne":  # null ne c is true in OData terms
        return _coalesce(compared, pc.scalar(True))  # type: ignore[no-any-return]
    return _coalesce(compared, pc.scalar(False))  # type: ignore[no-any-return]


def _translate(expr: Expr, ctx: EvalContext) -> pc.Expression | None:
    if isinstance(expr, Binary):
        if expr.op in ("and", "or"):
            left, right = _translate(expr.left, ctx), _translate(expr.right, ctx)
            if left is None or right is None:
                return None
            return left & right if expr.op == "and" else left | right
        if expr.op in _FLIP:
            if isinstance(expr.left, Path) and is_constant(expr.right):
                op, path, other = expr.op, expr.left, expr.right
            elif isinstance(expr.right, Path) and is_constant(expr.left):
                op, path, other = _FLIP[expr.op], expr.right, expr.left
            else:
                return None
            column = _COLUMNS.get(path.segments[0]) if path.var is None and len(path.segments) == 1 else None
            if column is None:
                return None
            constant = evaluate(other, probe(SeriesKey("", "", DataKind.RTD)), ctx)
            return _comparison(op, column, constant)
    if isinstance(expr, Not):
        inner = _translate(expr.operand, ctx)
        return None if inner is None else ~inner
    return None


def to_arrow(terms: list[Expr], ctx: EvalContext) -> pc.Expression | None:
    """One Arrow expression for the conjunction of ``terms``, or None if any term needs Python."""
    combined: pc.Expression | None = None
    for term in terms:
        translated = _translate(term, ctx)
        if translated is None:
            return None
        combined = translated if combined is None else combined & translated
    return combined
