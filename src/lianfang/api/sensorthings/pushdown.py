"""Split an Observations $filter into what the store can answer and what must be checked per row.

The top-level ``and`` terms of the filter are sorted into:

* **time bounds** — ``phenomenonTime ge|gt|lt|le|eq <constant>``: become ObservationQuery start/end;
* **id narrowing** — ``Datastream/@iot.id``, ``Datastream/Thing/@iot.id``, ``FeatureOfInterest/@iot.id``,
  ``Datastream/ObservedProperty/@iot.id``, ``Datastream/Sensor/@iot.id``, ``Datastream/properties/kind``
  compared with constants (``eq``, ``in``, ``or`` of ``eq``): restrict stations, parameters, kinds;
* **series tests** — any other term that reads only ``Datastream/…`` or ``FeatureOfInterest/…``: decided
  once per Datastream, not per value;
* **residual** — the rest (``result gt 5``, ``hour(phenomenonTime) eq 8`` …), checked per row.

Each pushed term is exact, so it is not evaluated again. Constant terms (``now() gt 2020-01-01T00:00Z``)
are folded; a false one empties the result without a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lianfang.api.sensorthings.entities import ENTITY_TYPES, Entity
from lianfang.api.sensorthings.evaluate import EvalContext, evaluate, is_constant, matches
from lianfang.api.sensorthings.expr import Binary, Expr, In, Lambda, Path, walk
from lianfang.api.sensorthings.ids import parse_datastream_id, parse_sensor_id
from lianfang.errors import NotFoundError
from lianfang.model import DataKind
from lianfang.share import SeriesKey

__all__ = ["ObservationFilterPlan", "conjuncts", "plan_filter", "probe"]

_ONE_MICROSECOND = timedelta(microseconds=1)
_FLIP = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}
_ID = ("@iot.id", "id")


@dataclass(slots=True)
class ObservationFilterPlan:
    mns: set[str] | None = None
    params: set[str] | None = None
    kinds: set[DataKind] | None = None
    series: set[SeriesKey] | None = None  # explicit Datastream ids
    series_tests: list[Expr] = field(default_factory=list)
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive
    residual: list[Expr] = field(default_factory=list)
    empty: bool = False  # nothing can match

    def narrow_mns(self, values: set[str]) -> None:
        self.mns = values if self.mns is None else self.mns & values

    def narrow_params(self, values: set[str]) -> None:
        self.params = values if self.params is None else self.params & values

    def narrow_kinds(self, values: set[DataKind]) -> None:
        self.kinds = values if self.kinds is None else self.kinds & values

    def bound(self, op: str, instant: datetime) -> None:
        if op in ("ge", "gt", "eq"):
            low = instant + _ONE_MICROSECOND if op == "gt" else instant
            self.start = low if self.start is None else max(self.start, low)
        if op in ("lt", "le", "eq"):
            high = instant if op == "lt" else instant + _ONE_MICROSECOND
            self.end = high if self.end is None else min(self.end, high)
        if self.start is not None and self.end is not None and self.start >= self.end:
            self.empty = True


def conjuncts(expr: Expr) -> list[Expr]:
    if isinstance(expr, Binary) and expr.op == "and":
        return conjuncts(expr.left) + conjuncts(expr.right)
    return [expr]


def _disjuncts(expr: Expr) -> list[Expr]:
    if isinstance(expr, Binary) and expr.op == "or":
        return _disjuncts(expr.left) + _disjuncts(expr.right)
    return [expr]


def probe(key: SeriesKey) -> Entity:
    """A value-less Observation of series ``key``: enough to evaluate a series test on it."""
    return Entity(ENTITY_TYPES["Observation"], "", {}, (key, None))


def _constant(expr: Expr, ctx: EvalContext) -> Any:
    return evaluate(expr, probe(SeriesKey("", "", DataKind.RTD)), ctx)


def _as_instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def _time_bound(term: Expr, ctx: EvalContext) -> tuple[str, datetime] | None:
    if not isinstance(term, Binary) or term.op not in _FLIP or term.op == "ne":
        return None
    time_path = Path(("phenomenonTime",))
    if term.left == time_path and is_constant(term.right):
        op, other = term.op, term.right
    elif term.right == time_path and is_constant(term.left):
        op, other = _FLIP[term.op], term.left
    else:
        return None
    instant = _as_instant(_constant(other, ctx))
    return None if instant is None else (op, instant)


def _id_values(term: Expr, ctx: EvalContext) -> tuple[tuple[str, ...], list[Any]] | None:
    """``(path segments, constants)`` when ``term`` is ``path eq c``, ``path in (…)`` or an ``or`` of
    ``path eq c`` on one path; None otherwise."""
    pairs: list[tuple[tuple[str, ...], Any]] = []
    for part in _disjuncts(term):
        if isinstance(part, Binary) and part.op == "eq":
            if isinstance(part.left, Path) and part.left.var is None and is_constant(part.right):
                pairs.append((part.left.segments, _constant(part.right, ctx)))
            elif isinstance(part.right, Path) and part.right.var is None and is_constant(part.left):
                pairs.append((part.right.segments, _constant(part.left, ctx)))
            else:
                return None
        elif isinstance(part, In) and isinstance(part.left, Path) and part.left.var is None:
            if not all(is_constant(i) for i in part.items):
                return None
            pairs.extend((part.left.segments, _constant(i, ctx)) for i in part.items)
        else:
            return None
    paths = {p for p, _ in pairs}
    if len(paths) != 1:
        return None
    return paths.pop(), [v for _, v in pairs]


def _narrow_by_ids(plan: ObservationFilterPlan, term: Expr, ctx: EvalContext) -> bool:
    found = _id_values(term, ctx)
    if found is None:
        return False
    segments, values = found
    strings = {v for v in values if isinstance(v, str)}
    head, tail = segments[:-1], segments[-1]
    if tail in _ID and head in (("Datastream", "Thing"), ("FeatureOfInterest",)):
        plan.narrow_mns(strings)
    elif tail in _ID and head == ("Datastream", "ObservedProperty"):
        plan.narrow_params(strings)
    elif tail in _ID and head == ("Datastream",):
        keys: set[SeriesKey] = set()
        for value in strings:
            try:
                keys.add(parse_datastream_id(value))
            except NotFoundError:
                continue  # not an id of ours: matches nothing
        plan.series = keys if plan.series is None else plan.series & keys
    elif tail in _ID and head == ("Datastream", "Sensor") and len(strings) <= 1:
        for value in strings:
            try:
                mn, param = parse_sensor_id(value)
            except NotFoundError:
                plan.empty = True
                return True
            plan.narrow_mns({mn})
            plan.narrow_params({param})
        if not strings:
            plan.empty = True
    elif segments == ("Datastream", "properties", "kind"):
        plan.narrow_kinds({DataKind(v) for v in strings if v in DataKind._value2member_map_})
    else:
        return False
    return True


def _series_only(term: Expr) -> bool:
    """True when every path of ``term`` starts at the Observation's Datastream or FeatureOfInterest."""
    has_path = False
    for node in walk(term):
        path = node.path if isinstance(node, Lambda) else node
        if isinstance(path, Path) and path.var is None:
            has_path = True
            if not path.segments or path.segments[0] not in ("Datastream", "FeatureOfInterest"):
                return False
    return has_path


def plan_filter(expr: Expr | None, ctx: EvalContext) -> ObservationFilterPlan:
    plan = ObservationFilterPlan()
    if expr is None:
        return plan
    for term in conjuncts(expr):
        if is_constant(term):
            if not matches(term, probe(SeriesKey("", "", DataKind.RTD)), ctx):
                plan.empty = True
            continue
        bound = _time_bound(term, ctx)
        if bound is not None:
            plan.bound(*bound)
            continue
        if _narrow_by_ids(plan, term, ctx):
            continue
        if _series_only(term):
            plan.series_tests.append(term)
            continue
        plan.residual.append(term)
    for narrowed in (plan.mns, plan.params, plan.kinds, plan.series):
        if narrowed is not None and not narrowed:
            plan.empty = True
    return plan
