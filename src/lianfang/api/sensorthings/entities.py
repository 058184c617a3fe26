"""The SensorThings 1.1 entity types lianfang serves: properties, relations, entity-set names.

OGC 18-088 §8.2 defines eight entity types of the Sensing core; lianfang maps them as
Thing = station, Location / HistoricalLocation = the station's point, Sensor = the analyser of one
parameter at one station, ObservedProperty = HJ 212 parameter, Datastream = station × parameter ×
data kind, Observation = one stored value, FeatureOfInterest = the monitored section or site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

__all__ = [
    "ENTITY_SETS",
    "ENTITY_TYPES",
    "Entity",
    "EntityType",
    "PropertyKind",
    "Relation",
    "entity_set",
]


class PropertyKind(StrEnum):
    """How a property behaves in $filter/$orderby and in property paths."""

    TEXT = "text"
    TIME = "time"  # TM_Instant (a datetime) or, for Datastream times, absent
    JSON = "json"  # free JSON: sub-paths like properties/river are allowed
    GEOMETRY = "geometry"  # GeoJSON geometry: usable in geo.* and st_* functions
    ANY = "any"  # Observation result: a number, or null


@dataclass(frozen=True, slots=True)
class Relation:
    name: str  # navigation property name, e.g. "Datastreams" or "Thing"
    target: str  # entity type name
    many: bool


@dataclass(frozen=True, slots=True)
class EntityType:
    name: str  # singular, e.g. "Thing"
    plural: str  # entity set, e.g. "Things"
    properties: dict[str, PropertyKind]
    relations: dict[str, Relation]
    #: properties 18-088 marks optional; they are left out of the JSON when null
    optional: frozenset[str] = field(default_factory=frozenset)

    def relation(self, name: str) -> Relation | None:
        return self.relations.get(name)


def _rel(*items: tuple[str, str, bool]) -> dict[str, Relation]:
    return {name: Relation(name, target, many) for name, target, many in items}


_T, _TM, _J, _G, _A = (
    PropertyKind.TEXT,
    PropertyKind.TIME,
    PropertyKind.JSON,
    PropertyKind.GEOMETRY,
    PropertyKind.ANY,
)

#: 18-088 §8.2.1–§8.2.8 (properties and relations of each entity type, 1.1 adds ``properties``).
ENTITY_TYPES: Final[dict[str, EntityType]] = {
    t.name: t
    for t in (
        EntityType(
            "Thing",
            "Things",
            {"name": _T, "description": _T, "properties": _J},
            _rel(
                ("Locations", "Location", True),
                ("HistoricalLocations", "HistoricalLocation", True),
                ("Datastreams", "Datastream", True),
            ),
            frozenset({"properties"}),
        ),
        EntityType(
            "Location",
            "Locations",
            {"name": _T, "description": _T, "encodingType": _T, "location": _G, "properties": _J},
            _rel(("Things", "Thing", True), ("HistoricalLocations", "HistoricalLocation", True)),
            frozenset({"properties"}),
        ),
        EntityType(
            "HistoricalLocation",
            "HistoricalLocations",
            {"time": _TM},
            _rel(("Thing", "Thing", False), ("Locations", "Location", True)),
        ),
        EntityType(
            "Datastream",
            "Datastreams",
            {
                "name": _T,
                "description": _T,
                "unitOfMeasurement": _J,
                "observationType": _T,
                "observedArea": _G,
                "phenomenonTime": _TM,
                "resultTime": _TM,
                "properties": _J,
            },
            _rel(
                ("Thing", "Thing", False),
                ("Sensor", "Sensor", False),
                ("ObservedProperty", "ObservedProperty", False),
                ("Observations", "Observation", True),
            ),
            frozenset({"observedArea", "phenomenonTime", "resultTime", "properties"}),
        ),
        EntityType(
            "Sensor",
            "Sensors",
            {"name": _T, "description": _T, "encodingType": _T, "metadata": _J, "properties": _J},
            _rel(("Datastreams", "Datastream", True)),
            frozenset({"properties"}),
        ),
        EntityType(
            "ObservedProperty",
            "ObservedProperties",
            {"name": _T, "definition": _T, "description": _T, "properties": _J},
            _rel(("Datastreams", "Datastream", True)),
            frozenset({"properties"}),
        ),
        EntityType(
            "Observation",
            "Observations",
            {
                "phenomenonTime": _TM,
                "resultTime": _TM,
                "result": _A,
                "resultQuality": _J,
                "validTime": _TM,
                "parameters": _J,
            },
            _rel(("Datastream", "Datastream", False), ("FeatureOfInterest", "FeatureOfInterest", False)),
            frozenset({"resultQuality", "validTime", "parameters"}),
        ),
        EntityType(
            "FeatureOfInterest",
            "FeaturesOfInterest",
            {"name": _T, "description": _T, "encodingType": _T, "feature": _G, "properties": _J},
            _rel(("Observations", "Observation", True)),
            frozenset({"properties"}),
        ),
    )
}

#: entity-set name (as in URLs) → entity type
ENTITY_SETS: Final[dict[str, EntityType]] = {t.plural: t for t in ENTITY_TYPES.values()}


def entity_set(name: str) -> EntityType | None:
    return ENTITY_SETS.get(name)


@dataclass(slots=True, eq=False)
class Entity:
    """One entity as served: its type, id, STA properties (Python values: datetimes, GeoJSON dicts…)
    and the lianfang key it came from (a Station, a SeriesKey …) for navigation."""

    etype: EntityType
    id: str
    props: dict[str, Any]
    key: Any = None
    link: str | None = None  # absolute self link, set once by the serializer
