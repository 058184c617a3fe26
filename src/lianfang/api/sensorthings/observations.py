"""Observation collections over big tables: filters, order and paging pushed down to the store.

A collection is a *scope* (stations × parameters × kinds the path allows, e.g. one Datastream) plus
query options. :mod:`pushdown` turns the $filter into ObservationQuery bounds; then, by $orderby:

* **key order** (no $orderby, or ``id``) and **time order on one Datastream** stream straight from the
  store in its (mn, param, kind, time) order with limit/offset, and the next link carries a keyset
  cursor (``$skiptoken``) so deep pages cost what the first one does;
* **time order over several Datastreams** merges per-Datastream streams, each read no further than
  the page needs (up to :data:`MERGE_MAX_SERIES` Datastreams);
* **any other order** sorts in memory, refused with 400 beyond :data:`SORT_BUDGET` rows.

Residual terms (``result gt 5``) are applied to chunks as they stream (:mod:`scan`, with its scan
budgets); ``$count`` is exact up to ``scan.COUNT_CAP``, then reported as the cap with
``@lianfang.countIsLowerBound``.
"""

from __future__ import annotations

import base64
import heapq
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from lianfang.api.sensorthings import mapping
from lianfang.api.sensorthings.catalogue import Catalogue
from lianfang.api.sensorthings.entities import Entity
from lianfang.api.sensorthings.evaluate import EvalContext, matches, sort_entities
from lianfang.api.sensorthings.expr import Path
from lianfang.api.sensorthings.ids import parse_observation_id
from lianfang.api.sensorthings.options import QueryOptions
from lianfang.api.sensorthings.parser import OrderItem
from lianfang.api.sensorthings.pushdown import ObservationFilterPlan, plan_filter, probe
from lianfang.api.sensorthings.scan import VIA, Block, Row, Scan, rows_of
from lianfang.errors import InputError, NotFoundError
from lianfang.model import DataKind
from lianfang.share import SeriesKey
from lianfang.store.base import ObservationKey, ObservationQuery

__all__ = [
    "MERGE_MAX_SERIES",
    "SORT_BUDGET",
    "ObservationPage",
    "ObservationScope",
    "ObservationSource",
]

SORT_BUDGET: Final = 100_000  # rows an in-memory $orderby may hold
MERGE_MAX_SERIES: Final = 200  # Datastreams a phenomenonTime order may merge

_KINDS: Final = {k.value: k for k in DataKind}  # DataKind(text) is an Enum call: slow per row


@dataclass(frozen=True, slots=True)
class ObservationScope:
    """What the resource path allows; None = no restriction (beyond what the caller may see)."""

    mns: frozenset[str] | None = None
    params: frozenset[str] | None = None
    kinds: frozenset[DataKind] | None = None

    @staticmethod
    def of_series(key: SeriesKey) -> ObservationScope:
        return ObservationScope(frozenset({key.mn}), frozenset({key.param}), frozenset({key.kind}))


@dataclass(slots=True)
class ObservationPage:
    entities: list[Entity]
    has_more: bool
    count: int | None = None
    count_capped: bool = False
    cursor: str | None = None  # $skiptoken of the next page, when the order allows keyset paging


def _encode_cursor(row: Row, descending: bool) -> str:
    payload = [row[0], row[1], row[2], row[3].astimezone(UTC).isoformat(), descending]
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _decode_cursor(token: str) -> tuple[ObservationKey, bool]:
    try:
        padded = token + "=" * (-len(token) % 4)
        mn, param, kind, time, descending = json.loads(base64.urlsafe_b64decode(padded))
        return (str(mn), str(param), str(kind), datetime.fromisoformat(time)), bool(descending)
    except (ValueError, TypeError) as exc:
        raise InputError(f"invalid $skiptoken: {exc}") from None


class _Order:
    """How an $orderby maps onto the store: by key, by time, or only in memory."""

    def __init__(self, items: Sequence[OrderItem]) -> None:
        self.items = list(items)
        self.mode = "memory"
        self.descending = False
        if not items:
            self.mode = "key"
            return
        first = items[0].expr
        if isinstance(first, Path) and first.var is None:
            if first.segments in (("@iot.id",), ("id",)):
                self.mode, self.descending = "key", items[0].descending
            elif first.segments == ("phenomenonTime",) and len(items) == 1:
                # one key only: time ties across Datastreams (the merge breaks them by id) are then
                # unspecified; further keys ($orderby=phenomenonTime desc,result) sort in memory
                self.mode, self.descending = "time", items[0].descending


class ObservationSource:
    """Observation reads for one caller and one request, through the SharedReader (audited, clipped)."""

    def __init__(self, catalogue: Catalogue, ctx: EvalContext) -> None:
        self.catalogue = catalogue
        self.reader = catalogue.reader
        self.caller = catalogue.caller
        self.ctx = ctx

    # --- single entities -------------------------------------------------------------------------
    def get(self, entity_id: str) -> Entity:
        key, time = parse_observation_id(entity_id)
        if key.mn not in self.catalogue.stations() or not self.catalogue.has_series(key):
            raise NotFoundError(f"no Observation with id '{entity_id}'")
        query = ObservationQuery(
            mns=[key.mn],
            params=[key.param],
            kinds=[key.kind],
            start=time,
            end=time + timedelta(microseconds=1),
            limit=1,
        )
        rows = rows_of(self.reader.observations(self.caller, query, via=VIA))
        if not rows:
            raise NotFoundError(f"no Observation with id '{entity_id}'")
        return self._entity(rows[0])

    def latest(self, keys: Sequence[SeriesKey]) -> dict[SeriesKey, Entity]:
        """The newest visible Observation of each series in ``keys`` (one store call, cached there)."""
        if not keys:
            return {}
        wanted = set(keys)
        table = self.reader.latest(self.caller, mns=sorted({k.mn for k in keys}), via=VIA)
        found: dict[SeriesKey, Entity] = {}
        for row in rows_of(table):
            key = SeriesKey(row[0], row[1], _KINDS[row[2]])
            if key in wanted:
                found[key] = self._entity(row)
        return found

    def _entity(self, row: Row) -> Entity:
        mn, param, kind, time, value, flag = row
        key = SeriesKey(mn, param, _KINDS[kind])
        length = mapping.period(key.kind, self.catalogue.stations().get(mn))
        return mapping.observation(key, time, value, flag, length)

    # --- collections -----------------------------------------------------------------------------
    def page(self, scope: ObservationScope, options: QueryOptions) -> ObservationPage:
        plan = plan_filter(options.filter, self.ctx)
        mns = _meet(scope.mns, plan.mns)
        params = _meet(scope.params, plan.params)
        kinds = _meet(scope.kinds, plan.kinds)
        if plan.empty or any(s is not None and not s for s in (mns, params, kinds)):
            return ObservationPage([], False, 0 if options.count else None)
        series = self._series_list(plan, mns, params, kinds)
        if series is not None and not series:
            return ObservationPage([], False, 0 if options.count else None)
        order = _Order(options.orderby)
        scan = Scan(self.reader, self.caller, self.ctx, plan.residual, self._entity)
        top = options.page_size()
        single = (series is not None and len(series) == 1) or (
            series is None and all(s is not None and len(s) == 1 for s in (mns, params, kinds))
        )
        cursor: tuple[ObservationKey, bool] | None = None
        if options.skiptoken is not None:
            cursor = _decode_cursor(options.skiptoken)
        count, capped = (None, False)
        if options.count:
            count, capped = scan.count(self._blocks(series, mns, params, kinds, plan, False))
        if order.mode == "key" or (order.mode == "time" and single):
            descending = order.descending
            if cursor is not None and cursor[1] != descending:
                raise InputError("$skiptoken does not belong to this $orderby")
            blocks = self._blocks(series, mns, params, kinds, plan, descending)
            rows = scan.stream(blocks, skip=options.skip, need=top + 1, after=cursor[0] if cursor else None)
            more = len(rows) > top
            rows = rows[:top]
            token = _encode_cursor(rows[-1], descending) if more and rows else None
            return ObservationPage([self._entity(r) for r in rows], more, count, capped, token)
        if cursor is not None:
            raise InputError("$skiptoken does not belong to this $orderby")
        if order.mode == "time":
            listed = series if series is not None else self._cross_series(mns, params, kinds)
            if len(listed) <= MERGE_MAX_SERIES:
                rows = self._merge(scan, listed, plan, options.skip + top + 1, order.descending)
                window = rows[options.skip : options.skip + top + 1]
                return ObservationPage(
                    [self._entity(r) for r in window[:top]], len(window) > top, count, capped
                )
        return self._sorted_page(scan, series, mns, params, kinds, plan, options, order, count, capped)

    def _series_list(
        self,
        plan: ObservationFilterPlan,
        mns: frozenset[str] | None,
        params: frozenset[str] | None,
        kinds: frozenset[DataKind] | None,
    ) -> list[SeriesKey] | None:
        """The Datastreams to read, when the plan needs them listed (None: the cross product is exact)."""
        if plan.series is None and not plan.series_tests:
            return None
        if plan.series is not None:
            wanted = sorted(plan.series, key=_series_sort)
            listed = [k for k in wanted if self.catalogue.has_series(k)]
            listed = [k for k in listed if _within(k, mns, params, kinds)]
        else:
            listed = self._cross_series(mns, params, kinds)
        for test in plan.series_tests:
            listed = [k for k in listed if matches(test, probe(k), self.ctx)]
        return listed

    def _cross_series(
        self,
        mns: frozenset[str] | None,
        params: frozenset[str] | None,
        kinds: frozenset[DataKind] | None,
    ) -> list[SeriesKey]:
        return [k for k in self.catalogue.series(mns) if _within(k, None, params, kinds)]

    def _blocks(
        self,
        series: list[SeriesKey] | None,
        mns: frozenset[str] | None,
        params: frozenset[str] | None,
        kinds: frozenset[DataKind] | None,
        plan: ObservationFilterPlan,
        descending: bool,
    ) -> list[Block]:
        """Exact store queries whose concatenation is the scope in (mn, param, kind, time) order."""

        def query(m: Sequence[str] | None, p: Sequence[str] | None, k: Sequence[DataKind] | None) -> Any:
            return ObservationQuery(
                mns=m, params=p, kinds=k, start=plan.start, end=plan.end, descending=descending
            )

        def ordered(items: set[Any] | frozenset[Any] | None) -> list[Any] | None:
            return None if items is None else sorted(items)

        if series is None:
            return [Block(query(ordered(mns), ordered(params), ordered(kinds)))]
        blocks: list[Block] = []
        if self._covers(series):
            blocks.append(_whole(series, query))
        else:
            by_station: dict[str, list[SeriesKey]] = {}
            for key in series:
                by_station.setdefault(key.mn, []).append(key)
            for group in by_station.values():
                if self._covers(group):
                    blocks.append(_whole(group, query))
                else:
                    blocks.extend(_whole([key], query) for key in group)
        blocks.sort(key=lambda b: b.low or ("", "", ""), reverse=descending)
        return blocks

    def _covers(self, series: list[SeriesKey]) -> bool:
        """True when stations × parameters × kinds of ``series`` holds no other visible series."""
        params = {k.param for k in series}
        kinds = {k.kind for k in series}
        visible = [
            k for k in self.catalogue.series({k.mn for k in series}) if _within(k, None, params, kinds)
        ]
        return len(visible) == len(set(series))

    def _merge(
        self,
        scan: Scan,
        series: list[SeriesKey],
        plan: ObservationFilterPlan,
        need: int,
        descending: bool,
    ) -> list[Row]:
        streams = []
        for key in series:
            block = Block(
                ObservationQuery(
                    mns=[key.mn],
                    params=[key.param],
                    kinds=[key.kind],
                    start=plan.start,
                    end=plan.end,
                    descending=descending,
                )
            )
            streams.append(scan.stream([block], skip=0, need=need, after=None))

        def order(row: Row) -> tuple[datetime, str, str, str]:
            return (row[3], row[0], row[1], row[2])

        merged: Iterator[Row] = heapq.merge(*streams, key=order, reverse=descending)
        return [row for _, row in zip(range(need), merged, strict=False)]

    def _sorted_page(
        self,
        scan: Scan,
        series: list[SeriesKey] | None,
        mns: frozenset[str] | None,
        params: frozenset[str] | None,
        kinds: frozenset[DataKind] | None,
        plan: ObservationFilterPlan,
        options: QueryOptions,
        order: _Order,
        count: int | None,
        capped: bool,
    ) -> ObservationPage:
        blocks = self._blocks(series, mns, params, kinds, plan, False)
        total = 0
        for block in blocks:
            total += self.reader.count_observations(
                self.caller, block.query, via=VIA, cap=SORT_BUDGET + 1 - total
            )
            if total > SORT_BUDGET:
                raise InputError(
                    f"this $orderby sorts in memory and the collection holds more than {SORT_BUDGET} "
                    "observations: narrow the $filter (phenomenonTime range, Datastream) or order by "
                    "phenomenonTime on one Datastream"
                )
        entities = [self._entity(r) for r in scan.stream(blocks, skip=0, need=SORT_BUDGET + 1, after=None)]
        sort_entities(entities, order.items, self.ctx)
        window = entities[options.skip : options.skip + options.page_size() + 1]
        top = options.page_size()
        return ObservationPage(window[:top], len(window) > top, count, capped)


def _meet(a: frozenset[Any] | None, b: set[Any] | None) -> frozenset[Any] | None:
    if a is None:
        return None if b is None else frozenset(b)
    return a if b is None else a & frozenset(b)


def _within(
    key: SeriesKey,
    mns: frozenset[str] | set[str] | None,
    params: frozenset[str] | set[str] | None,
    kinds: frozenset[DataKind] | set[DataKind] | None,
) -> bool:
    return (
        (mns is None or key.mn in mns)
        and (params is None or key.param in params)
        and (kinds is None or key.kind in kinds)
    )


def _series_sort(key: SeriesKey) -> tuple[str, str, str]:
    return (key.mn, key.param, key.kind.value)


def _whole(series: list[SeriesKey], query: Any) -> Block:
    ordered = sorted(series, key=_series_sort)
    block: Block = Block(
        query(
            sorted({k.mn for k in series}),
            sorted({k.param for k in series}),
            sorted({k.kind for k in series}),
        ),
        _series_sort(ordered[0]),
        _series_sort(ordered[-1]),
    )
    return block
