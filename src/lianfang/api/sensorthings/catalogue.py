"""The metadata a caller may see during one request: stations and series, as STA entities.

Everything comes from :class:`~lianfang.share.SharedReader` (stations visible to the caller's agency,
series that exist and are granted), read once per request and memoised, so navigation between
entities (an Observation's Datastream, a Datastream's Thing …) costs no further queries. Nothing is
cached across requests: a revoked agreement hides its stations from the next request on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar, overload

from lianfang.api.sensorthings import mapping
from lianfang.api.sensorthings.entities import Entity, Relation
from lianfang.api.sensorthings.ids import datastream_id, parse_datastream_id, parse_sensor_id, sensor_id
from lianfang.errors import InputError, NotFoundError
from lianfang.model import Station
from lianfang.share import Caller, SeriesKey, SharedReader

__all__ = ["Catalogue", "EntityList"]

_K = TypeVar("_K")


class EntityList(Sequence[Entity], Generic[_K]):
    """A read-only list of entities built from their keys on access."""

    def __init__(self, keys: Sequence[_K], build: Callable[[_K], Entity]) -> None:
        self._keys = keys
        self._build = build

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Entity: ...
    @overload
    def __getitem__(self, index: slice) -> list[Entity]: ...
    def __getitem__(self, index: int | slice) -> Entity | list[Entity]:
        if isinstance(index, slice):
            return [self._build(k) for k in self._keys[index]]
        return self._build(self._keys[index])


class Catalogue:
    """Metadata entities for one caller and one request (also the $filter :class:`Navigator`)."""

    def __init__(self, reader: SharedReader, caller: Caller) -> None:
        self.reader = reader
        self.caller = caller
        self._stations: dict[str, Station] | None = None
        self._series: dict[str, list[SeriesKey]] = {}  # mn → its visible series
        self._all_series = False
        self._entities: dict[tuple[str, str], Entity] = {}

    # --- stations and series ---------------------------------------------------------------------
    def stations(self) -> dict[str, Station]:
        if self._stations is None:
            self._stations = {s.mn: s for s in self.reader.stations(self.caller)}
        return self._stations

    def station(self, mn: str) -> Station:
        station = self.stations().get(mn)
        if station is None:
            raise NotFoundError(f"no Thing with id '{mn}'")
        return station

    def series(self, mns: Iterable[str] | None = None) -> list[SeriesKey]:
        """Visible series of ``mns`` (all stations when None), ordered by (mn, param, kind)."""
        if mns is None:
            if not self._all_series:
                grouped: dict[str, list[SeriesKey]] = {mn: [] for mn in self.stations()}
                for key in self.reader.datastreams(self.caller):
                    grouped.setdefault(key.mn, []).append(key)
                self._series = grouped
                self._all_series = True
            return [key for mn in sorted(self._series) for key in self._series[mn]]
        wanted = sorted(set(mns))
        missing = [mn for mn in wanted if mn not in self._series and mn in self.stations()]
        if missing and not self._all_series:
            for mn in missing:
                self._series[mn] = []
            for key in self.reader.datastreams(self.caller, mns=missing):
                self._series.setdefault(key.mn, []).append(key)
        return [key for mn in wanted for key in self._series.get(mn, ())]

    def series_of(self, mn: str) -> list[SeriesKey]:
        """Visible series of one station (memoised; the hot path of navigation)."""
        found = self._series.get(mn)
        if found is None:
            found = self.series([mn])
        return found

    def has_series(self, key: SeriesKey) -> bool:
        return key in self.series_of(key.mn)

    # --- entities --------------------------------------------------------------------------------
    def _memo(self, type_name: str, entity_id: str, build: Callable[[], Entity]) -> Entity:
        entity = self._entities.get((type_name, entity_id))
        if entity is None:
            entity = build()
            self._entities[(type_name, entity_id)] = entity
        return entity

    def thing(self, station: Station) -> Entity:
        return self._memo("Thing", station.mn, lambda: mapping.thing(station))

    def location(self, station: Station) -> Entity:
        return self._memo("Location", station.mn, lambda: mapping.location(station))

    def historical_location(self, station: Station) -> Entity:
        return self._memo("HistoricalLocation", station.mn, lambda: mapping.historical_location(station))

    def feature(self, station: Station) -> Entity:
        return self._memo("FeatureOfInterest", station.mn, lambda: mapping.feature_of_interest(station))

    def datastream(self, key: SeriesKey) -> Entity:
        return self._memo(
            "Datastream", datastream_id(key), lambda: mapping.datastream(self.station(key.mn), key)
        )

    def sensor(self, mn: str, param: str) -> Entity:
        return self._memo("Sensor", sensor_id(mn, param), lambda: mapping.sensor(self.station(mn), param))

    def observed_property(self, code: str) -> Entity:
        return self._memo("ObservedProperty", code, lambda: mapping.observed_property(code))

    # --- collections -----------------------------------------------------------------------------
    def collection(self, type_name: str) -> Sequence[Entity]:
        """Every visible entity of a metadata type, ordered by id; entities are built when read, so
        an unfiltered page of Datastreams builds 100 of them, not every one the caller may see."""
        stations = sorted(self.stations().values(), key=lambda s: s.mn)
        located = [s for s in stations if mapping.station_point(s) is not None]
        if type_name == "Thing":
            return EntityList(stations, self.thing)
        if type_name == "Location":
            return EntityList(located, self.location)
        if type_name == "HistoricalLocation":
            return EntityList(located, self.historical_location)
        if type_name == "FeatureOfInterest":
            return EntityList(stations, self.feature)
        series = self.series()
        if type_name == "Datastream":
            return EntityList(series, self.datastream)
        if type_name == "Sensor":
            pairs = sorted({(k.mn, k.param) for k in series})
            return EntityList(pairs, lambda pair: self.sensor(*pair))
        if type_name == "ObservedProperty":
            return EntityList(sorted({k.param for k in series}), self.observed_property)
        raise InputError(f"{type_name} is not a metadata collection")

    def get(self, type_name: str, entity_id: str) -> Entity:
        """The entity with ``entity_id``, or NotFoundError (404) — also when the caller may not see it."""
        missing = NotFoundError(f"no {type_name} with id '{entity_id}'")
        if type_name in ("Thing", "FeatureOfInterest", "Location", "HistoricalLocation"):
            station = self.stations().get(entity_id)
            if station is None:
                raise missing
            if type_name == "Thing":
                return self.thing(station)
            if type_name == "FeatureOfInterest":
                return self.feature(station)
            if mapping.station_point(station) is None:
                raise missing
            if type_name == "Location":
                return self.location(station)
            return self.historical_location(station)
        if type_name == "Datastream":
            key = parse_datastream_id(entity_id)
            if key.mn not in self.stations() or not self.has_series(key):
                raise missing
            return self.datastream(key)
        if type_name == "Sensor":
            mn, param = parse_sensor_id(entity_id)
            if mn not in self.stations() or not any(k.param == param for k in self.series([mn])):
                raise missing
            return self.sensor(mn, param)
        if type_name == "ObservedProperty":
            if not any(k.param == entity_id for k in self.series()):
                raise missing
            return self.observed_property(entity_id)
        raise InputError(f"{type_name} is not a metadata entity type")

    # --- navigation ------------------------------------------------------------------------------
    def related(self, entity: Entity, relation: Relation) -> list[Entity]:
        """Entities ``relation`` leads to from ``entity`` (not Observations: see ObservationSource)."""
        source = entity.etype.name
        name = relation.name
        if source in ("Thing", "Location", "HistoricalLocation", "FeatureOfInterest"):
            station: Station = entity.key
            located = mapping.station_point(station) is not None
            if name == "Datastreams":
                return [self.datastream(k) for k in self.series_of(station.mn)]
            if name in ("Locations",):
                return [self.location(station)] if located else []
            if name == "HistoricalLocations":
                return [self.historical_location(station)] if located else []
            if name in ("Things", "Thing"):
                return [self.thing(station)]
        elif source == "Datastream":
            key: SeriesKey = entity.key
            if name == "Thing":
                return [self.thing(self.station(key.mn))]
            if name == "Sensor":
                return [self.sensor(key.mn, key.param)]
            if name == "ObservedProperty":
                return [self.observed_property(key.param)]
        elif source == "Sensor":
            mn, param = entity.key
            return [self.datastream(k) for k in self.series_of(mn) if k.param == param]
        elif source == "ObservedProperty":
            return [self.datastream(k) for k in self.series() if k.param == entity.key]
        elif source == "Observation":
            series: SeriesKey = entity.key[0]
            if name == "Datastream":
                return [self.datastream(series)]
            if name == "FeatureOfInterest":
                return [self.feature(self.station(series.mn))]
        raise InputError(f"navigation {source}/{name} is not served here")

    def datastreams_of(self, keys: Sequence[SeriesKey]) -> list[Entity]:
        return [self.datastream(k) for k in keys]
