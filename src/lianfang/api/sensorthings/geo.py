"""Geospatial $filter functions (18-088 Table 27 ``geo.*`` and ``st_*``) evaluated with shapely.

Geometries are WGS 84 longitude/latitude as stored (GeoJSON on Locations and FeaturesOfInterest,
WKT in ``geography'…'`` literals). As in FROST, ``geo.distance`` and ``geo.length`` are planar and in
degrees ("in the units of the server"), not metres.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import shapely.errors
import shapely.geometry

from lianfang.api.sensorthings.expr import GeoValue
from lianfang.errors import InputError

__all__ = ["GEO_FUNCTIONS", "as_geometry"]


def as_geometry(value: Any) -> Any:
    """A shapely geometry from a literal or a GeoJSON object; None for null or non-geometries."""
    if value is None:
        return None
    if isinstance(value, GeoValue):
        return value.geometry
    if isinstance(value, dict) and "type" in value:
        if value.get("type") == "Feature":
            return as_geometry(value.get("geometry"))
        try:
            return shapely.geometry.shape(value)
        except (shapely.errors.ShapelyError, KeyError, TypeError, ValueError, AttributeError):
            return None
    return None


def _binary(test: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def apply(a: Any, b: Any) -> Any:
        ga, gb = as_geometry(a), as_geometry(b)
        if ga is None or gb is None:
            return None
        return test(ga, gb)

    return apply


def _length(a: Any) -> float | None:
    g = as_geometry(a)
    return None if g is None else float(g.length)


def _relate(a: Any, b: Any, pattern: Any) -> bool | None:
    ga, gb = as_geometry(a), as_geometry(b)
    if ga is None or gb is None or not isinstance(pattern, str):
        return None
    try:
        return bool(ga.relate_pattern(gb, pattern))
    except shapely.errors.ShapelyError:
        raise InputError(f"st_relate: invalid DE-9IM pattern {pattern!r}") from None


#: name → (min args, max args, implementation)
GEO_FUNCTIONS: Final[dict[str, tuple[int, int, Callable[..., Any]]]] = {
    "geo.distance": (2, 2, _binary(lambda a, b: float(a.distance(b)))),
    "geo.length": (1, 1, _length),
    "geo.intersects": (2, 2, _binary(lambda a, b: bool(a.intersects(b)))),
    "st_equals": (2, 2, _binary(lambda a, b: bool(a.equals(b)))),
    "st_disjoint": (2, 2, _binary(lambda a, b: bool(a.disjoint(b)))),
    "st_touches": (2, 2, _binary(lambda a, b: bool(a.touches(b)))),
    "st_within": (2, 2, _binary(lambda a, b: bool(a.within(b)))),
    "st_overlaps": (2, 2, _binary(lambda a, b: bool(a.overlaps(b)))),
    "st_crosses": (2, 2, _binary(lambda a, b: bool(a.crosses(b)))),
    "st_intersects": (2, 2, _binary(lambda a, b: bool(a.intersects(b)))),
    "st_contains": (2, 2, _binary(lambda a, b: bool(a.contains(b)))),
    "st_relate": (3, 3, _relate),
}
