"""One STA read request, from resource path and query options to the response body.

Evaluation order of 18-088 §9.3.1 (req/request-data/order): $filter, $count, $orderby, $skip, $top,
then $expand and $select. Expanded collections are computed for all parents of a page together, so a
page of Things with their Datastreams and latest Observations costs a few store calls, not one per
entity.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from lianfang.api.sensorthings.catalogue import Catalogue
from lianfang.api.sensorthings.entities import (
    ENTITY_TYPES,
    Entity,
    EntityType,
    PropertyKind,
    Relation,
    entity_set,
)
from lianfang.api.sensorthings.evaluate import EvalContext, matches, sort_entities
from lianfang.api.sensorthings.expr import Path
from lianfang.api.sensorthings.observations import ObservationScope, ObservationSource
from lianfang.api.sensorthings.options import (
    ExpandItem,
    QueryOptions,
    check_options,
    option_pairs,
    parse_options,
)
from lianfang.api.sensorthings.paths import ResourcePath, parse_path
from lianfang.api.sensorthings.serialize import jsonify, next_link, query_string, self_link
from lianfang.errors import InputError, NotFoundError
from lianfang.share import Caller, SeriesKey, SharedReader

__all__ = ["CONFORMANCE", "Engine", "Reply"]

#: 18-088 Annex A conformance classes this read-only service implements (no create-update-delete,
#: batch requests, MultiDatastream, dataArray or MQTT)
CONFORMANCE: Final = (
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
)


@dataclass(slots=True)
class Reply:
    status: int = 200
    body: Any = None  # JSON body, or
    text: str | None = None  # a raw $value (text/plain)


@dataclass(slots=True)
class _Collection:
    etype: EntityType
    url: str  # absolute URL of the collection, for next links
    entities: Sequence[Entity] | None = None  # metadata collections: every member
    scope: ObservationScope | None = None  # Observation collections


@dataclass(slots=True)
class _Page:
    entities: list[Entity]
    has_more: bool
    count: int | None = None
    count_capped: bool = False
    cursor: str | None = None


class Engine:
    """Answers read requests for one caller; build one per request."""

    def __init__(self, reader: SharedReader, caller: Caller, base: str, now: datetime) -> None:
        self.base = base
        self.catalogue = Catalogue(reader, caller)
        self.ctx = EvalContext(self.catalogue, now)
        self.observations = ObservationSource(self.catalogue, self.ctx)
        self._links: dict[int, str] = {}  # id(options) → encoded next-link query (options live all request)

    # --- service root ----------------------------------------------------------------------------
    def root(self) -> dict[str, Any]:
        """18-088 §9.2.1 service root: entity sets and serverSettings.conformance (1.1)."""
        return {
            "value": [{"name": t.plural, "url": f"{self.base}/{t.plural}"} for t in ENTITY_TYPES.values()],
            "serverSettings": {"conformance": list(CONFORMANCE)},
        }

    # --- requests --------------------------------------------------------------------------------
    def handle(self, path: str, pairs: Sequence[tuple[str, str]]) -> Reply:
        resource = parse_path(path)
        options = parse_options(pairs)
        target = self._resolve(resource)
        if resource.properties:
            if not isinstance(target, Entity):
                raise NotFoundError("a property path needs a single entity")
            return self._property(target, resource)
        if resource.ref:
            return Reply(body=self._ref(target, options))
        if isinstance(target, Entity):
            check_options(options, target.etype)
            return Reply(body=self._render([target], options)[0])
        check_options(options, target.etype)
        page = self._page(target, options)
        body: dict[str, Any] = {}
        if options.count:
            body["@iot.count"] = page.count
            if page.count_capped:
                body["@lianfang.countIsLowerBound"] = True
        if page.has_more and options.page_size():  # $top=0 never advances: no link to loop on
            body["@iot.nextLink"] = self._next(target.url, options, page)
        body["value"] = self._render(page.entities, options)
        return Reply(body=body)

    # --- resource paths --------------------------------------------------------------------------
    def _resolve(self, resource: ResourcePath) -> Entity | _Collection:
        first = resource.segments[0]
        etype = entity_set(first.name)
        if etype is None:
            raise NotFoundError(f"no entity set {first.name!r}")
        current: Entity | _Collection = self._all(etype) if first.key is None else self._get(etype, first.key)
        segments = resource.segments[1:]
        for i, segment in enumerate(segments):
            if not isinstance(current, Entity):
                raise NotFoundError(f"{segment.name!r} cannot follow a collection; address one entity")
            relation = current.etype.relation(segment.name)
            if relation is None:
                if segment.name not in current.etype.properties or segment.key is not None:
                    raise NotFoundError(f"{current.etype.name} has no property or relation {segment.name!r}")
                rest = segments[i:]
                if any(s.key is not None for s in rest):
                    raise InputError("property paths take no ids")
                resource.properties = [s.name for s in rest]
                return current
            current = self._navigate(current, relation, segment.key)
        return current

    def _all(self, etype: EntityType) -> _Collection:
        url = f"{self.base}/{etype.plural}"
        if etype.name == "Observation":
            return _Collection(etype, url, scope=ObservationScope())
        return _Collection(etype, url, entities=self.catalogue.collection(etype.name))

    def _get(self, etype: EntityType, entity_id: str) -> Entity:
        if etype.name == "Observation":
            return self.observations.get(entity_id)
        return self.catalogue.get(etype.name, entity_id)

    def _navigate(self, entity: Entity, relation: Relation, key: str | None) -> Entity | _Collection:
        target = ENTITY_TYPES[relation.target]
        if not relation.many:
            if key is not None:
                raise InputError(f"{relation.name} is a single entity and takes no id")
            found = self.catalogue.related(entity, relation)
            if not found:
                raise NotFoundError(f"{entity.etype.name} '{entity.id}' has no {relation.name}")
            return found[0]
        collection = self._related(entity, relation)
        if key is None:
            return collection
        member = self._get(target, key)
        if collection.scope is not None:
            series: SeriesKey = member.key[0]
            scope = collection.scope
            inside = (scope.mns is None or series.mn in scope.mns) and (
                scope.kinds is None or series.kind in scope.kinds
            )
            inside = inside and (scope.params is None or series.param in scope.params)
        else:
            inside = any(e.id == member.id for e in collection.entities or ())
        if not inside:
            raise NotFoundError(f"no {target.name} '{key}' under {entity.etype.name} '{entity.id}'")
        return member

    def _related(self, entity: Entity, relation: Relation) -> _Collection:
        target = ENTITY_TYPES[relation.target]
        url = f"{self_link(self.base, entity)}/{relation.name}"
        if relation.target == "Observation":
            if entity.etype.name == "Datastream":
                scope = ObservationScope.of_series(entity.key)
            else:  # FeatureOfInterest: every series of its station
                scope = ObservationScope(mns=frozenset({entity.id}))
            return _Collection(target, url, scope=scope)
        return _Collection(target, url, entities=self.catalogue.related(entity, relation))

    # --- collections -----------------------------------------------------------------------------
    def _page(self, collection: _Collection, options: QueryOptions) -> _Page:
        if collection.scope is not None:
            page = self.observations.page(collection.scope, options)
            return _Page(page.entities, page.has_more, page.count, page.count_capped, page.cursor)
        if options.skiptoken is not None:
            raise InputError("$skiptoken is only issued for Observations")
        entities: Sequence[Entity] = collection.entities or []
        if options.filter is not None:
            condition = options.filter
            entities = [e for e in entities if matches(condition, e, self.ctx)]
        count = len(entities) if options.count else None
        if options.orderby:
            ordered = list(entities)
            sort_entities(ordered, options.orderby, self.ctx)
            entities = ordered
        top = options.page_size()
        window = list(entities[options.skip : options.skip + top + 1])
        return _Page(window[:top], len(window) > top, count)

    def _next(self, url: str, options: QueryOptions, page: _Page) -> str:
        top = options.page_size()
        if page.cursor is not None:
            return next_link(url, option_pairs(options, top=top, skiptoken=page.cursor))
        # every parent of an expand shares its options: encode them once per request
        cached = self._links.get(id(options))
        if cached is None:
            cached = query_string(option_pairs(options, top=top, skip=options.skip + top))
            self._links[id(options)] = cached
        return f"{url}?{cached}"

    # --- rendering -------------------------------------------------------------------------------
    def _render(self, entities: list[Entity], options: QueryOptions) -> list[dict[str, Any]]:
        rendered = [self._plain(e, options.select) for e in entities]
        for item in options.expand:
            self._expand(entities, rendered, item)
        return rendered

    def _plain(self, entity: Entity, select: list[str] | None) -> dict[str, Any]:
        etype = entity.etype
        link = self_link(self.base, entity)
        out: dict[str, Any] = {}
        if select is None or "@iot.id" in select:
            out["@iot.id"] = entity.id
            out["@iot.selfLink"] = link
        for name in etype.properties:
            if select is not None and name not in select:
                continue
            value = entity.props.get(name)
            if value is None and name in etype.optional and select is None:
                continue
            out[name] = jsonify(value)
        for name in etype.relations:
            if select is None or name in select:
                out[f"{name}@iot.navigationLink"] = f"{link}/{name}"
        return out

    def _expand(self, parents: list[Entity], rendered: list[dict[str, Any]], item: ExpandItem) -> None:
        if not parents:
            return
        relation = parents[0].etype.relation(item.relation)
        if relation is None:  # check_options has refused it already; keep mypy and readers calm
            raise InputError(f"cannot expand {item.relation}")
        pages = self._children(parents, relation, item.options)
        flat = [child for page in pages for child in page.entities]
        children = self._render(flat, item.options)
        at = 0
        for parent, out, page in zip(parents, rendered, pages, strict=True):
            mine = children[at : at + len(page.entities)]
            at += len(page.entities)
            if not relation.many:
                out[relation.name] = mine[0] if mine else None
                continue
            if item.options.count:
                out[f"{relation.name}@iot.count"] = page.count
            out[relation.name] = mine
            if page.has_more and item.options.page_size():
                url = f"{self_link(self.base, parent)}/{relation.name}"
                out[f"{relation.name}@iot.nextLink"] = self._next(url, item.options, page)

    def _children(self, parents: list[Entity], relation: Relation, options: QueryOptions) -> list[_Page]:
        if not relation.many:
            found = [self.catalogue.related(p, relation) for p in parents]
            return [_Page(f[:1], False) for f in found]
        if relation.name == "Datastreams" and parents[0].etype.name in ("Thing",):
            self.catalogue.series([p.id for p in parents])  # one store call for the whole page
        if (
            relation.target == "Observation"
            and parents[0].etype.name == "Datastream"
            and _latest_only(options)
        ):
            latest = self.observations.latest([p.key for p in parents])
            pages = []
            for parent in parents:
                newest = latest.get(parent.key)
                # a newer-than-newest page cannot exist; an older one may: link to it without counting
                pages.append(_Page([newest] if newest else [], newest is not None))
            return pages
        return [self._page(self._related(p, relation), options) for p in parents]

    # --- properties and references ---------------------------------------------------------------
    def _property(self, entity: Entity, resource: ResourcePath) -> Reply:
        names = resource.properties
        kind = entity.etype.properties[names[0]]
        if len(names) > 1 and kind not in (PropertyKind.JSON, PropertyKind.GEOMETRY):
            raise NotFoundError(f"{entity.etype.name}/{names[0]} has no sub-properties")
        value: Any = entity.props.get(names[0])
        for name in names[1:]:
            value = value.get(name) if isinstance(value, dict) else None
        if value is None:
            return Reply(status=204)  # OData 4.0 §11.2.4: a null property is answered 204 No Content
        encoded = jsonify(value)
        if resource.value:
            return Reply(text=encoded if isinstance(encoded, str) else _json_text(encoded))
        return Reply(body={names[-1]: encoded})

    def _ref(self, target: Entity | _Collection, options: QueryOptions) -> dict[str, Any]:
        if options.select is not None or options.expand:
            raise InputError("$select and $expand do not apply to $ref")
        if isinstance(target, Entity):
            return {"@iot.selfLink": self_link(self.base, target)}
        check_options(options, target.etype)
        page = self._page(target, options)
        body: dict[str, Any] = {}
        if options.count:
            body["@iot.count"] = page.count
        if page.has_more and options.page_size():
            body["@iot.nextLink"] = self._next(f"{target.url}/$ref", options, page)
        body["value"] = [{"@iot.selfLink": self_link(self.base, e)} for e in page.entities]
        return body


def _latest_only(options: QueryOptions) -> bool:
    """``Observations($top=1;$orderby=phenomenonTime desc)``, the "latest value" expand."""
    if options.top != 1 or options.skip or options.count or options.filter is not None:
        return False
    if options.skiptoken is not None or len(options.orderby) != 1:
        return False
    item = options.orderby[0]
    return item.descending and item.expr == Path(("phenomenonTime",))


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
