"""Province outlines and the GCJ-02 <-> WGS 84 conversion."""

from __future__ import annotations

import json

import numpy as np
import pytest
from shapely.geometry import Point, shape

from lianfang.sim.geography import gcj02_to_wgs84, province_outlines, province_shape, wgs84_to_gcj02
from lianfang.sim.network import demo_stations

KM_PER_DEGREE = 111.2


def _metres(lon: float, lat: float, d: np.ndarray) -> float:
    return float(np.hypot(d[0] * KM_PER_DEGREE * np.cos(np.radians(lat)), d[1] * KM_PER_DEGREE) * 1000)


@pytest.mark.parametrize(
    ("city", "lon", "lat", "metres"),
    # offsets measured with the cnmaps API, reference/data-sources.md §3a: ≈ 360 m and ≈ 480 m
    [("Chengdu", 104.06, 30.67, 360), ("Chongqing", 106.55, 29.56, 480)],
)
def test_gcj02_offset_matches_the_published_size(city: str, lon: float, lat: float, metres: float) -> None:
    shifted = wgs84_to_gcj02([[lon, lat]])[0]
    assert _metres(lon, lat, shifted - np.array([lon, lat])) == pytest.approx(metres, abs=25)


def test_gcj02_to_wgs84_inverts_the_forward_formula() -> None:
    rng = np.random.default_rng(0)
    wgs = np.column_stack([rng.uniform(97, 111, 200), rng.uniform(26, 35, 200)])
    back = gcj02_to_wgs84(wgs84_to_gcj02(wgs))
    assert np.abs(back - wgs).max() < 1e-8  # < 1 mm


def test_every_demo_station_lies_inside_its_province_away_from_the_border() -> None:
    for station, _ in demo_stations():
        assert station.lon is not None
        assert station.lat is not None
        point = Point(station.lon, station.lat)
        own = province_shape(station.jurisdiction)
        other = province_shape("CQ" if station.jurisdiction == "SC" else "SC")
        assert own.contains(point), f"{station.name} ({station.mn}) is outside {station.jurisdiction}"
        assert not other.contains(point), station.name
        # ≥ 1 km inside: the ~0.4 km GCJ-02 offset cannot put it on the wrong side
        assert own.boundary.distance(point) * KM_PER_DEGREE * np.cos(np.radians(station.lat)) > 1.0, (
            station.name
        )


def test_the_outline_is_the_raw_cnmaps_geometry_shifted_by_the_datum() -> None:
    raw_chengdu_gcj = wgs84_to_gcj02([[104.06, 30.67]])[0]
    assert province_shape("SC").contains(Point(104.06, 30.67))
    assert province_shape("CQ").contains(Point(106.55, 29.56))
    assert not province_shape("CQ").contains(Point(*raw_chengdu_gcj))
    with pytest.raises(ValueError, match="no outline"):
        province_shape("XX")


def test_province_outlines_is_a_small_valid_feature_collection() -> None:
    outlines = province_outlines()
    text = json.dumps(outlines, ensure_ascii=False, separators=(",", ":"))
    assert 10_000 < len(text.encode()) < 200_000
    assert outlines["type"] == "FeatureCollection"
    names = {f["properties"]["name"]: f for f in outlines["features"]}
    assert set(names) == {"四川省", "重庆市"}
    sichuan = shape(names["四川省"]["geometry"])
    assert sichuan.is_valid
    assert sichuan.area == pytest.approx(province_shape("SC").area, rel=0.01)
    assert sichuan.contains(Point(104.06, 30.67))
    outlines["features"].clear()  # callers get their own copy
    assert len(province_outlines()["features"]) == 2
