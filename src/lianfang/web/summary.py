"""The regional summary: per jurisdiction, stations seen, water class shares and today's air quality.

Shares are over the stations that have a result (a section without a valid value in 24 h is counted
as "not assessed", not as a good or a bad one). Water: share of sections in classes I–III (the
"优良" sections of 环办[2011]22号) and in 劣V. Air: levels of each station's newest hourly AQI, and the
share of today's published station-hours with AQI ≤ 100 (levels 1–2, 优/良) — an hourly share, not
HJ 663's share of good *days*, which needs whole days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lianfang.model import Jurisdiction, Station, StationKind
from lianfang.web.status import AirStatus, WaterStatus

__all__ = ["RegionSummary", "region_summaries"]

_GOOD_CLASSES = frozenset({1, 2, 3})  # I–III
_WORST_CLASS = 6  # 劣V
_GOOD_LEVELS = frozenset({1, 2})  # 优, 良


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(slots=True)
class RegionSummary:
    code: str
    name: str
    stations: int = 0
    water_stations: int = 0
    air_stations: int = 0
    simulated: int = 0
    own: bool = False
    water_classes: dict[int, int] = field(default_factory=dict)  # class code 1..6 -> sections
    water_assessed: int = 0
    air_levels: dict[int, int] = field(default_factory=dict)  # AQI level 1..6 -> stations
    air_assessed: int = 0
    hours_today: int = 0
    good_hours_today: int = 0

    def as_json(self) -> dict[str, Any]:
        good = sum(n for c, n in self.water_classes.items() if c in _GOOD_CLASSES)
        good_now = sum(n for lv, n in self.air_levels.items() if lv in _GOOD_LEVELS)
        return {
            "code": self.code,
            "name": self.name,
            "own": self.own,
            "stations": self.stations,
            "water_stations": self.water_stations,
            "air_stations": self.air_stations,
            "simulated": self.simulated,
            "water": {
                "assessed": self.water_assessed,
                "classes": {str(c): self.water_classes.get(c, 0) for c in range(1, 7)},
                "share_i_iii": _share(good, self.water_assessed),
                "share_worse_v": _share(self.water_classes.get(_WORST_CLASS, 0), self.water_assessed),
            },
            "air": {
                "assessed": self.air_assessed,
                "levels": {str(lv): self.air_levels.get(lv, 0) for lv in range(1, 7)},
                "share_good_now": _share(good_now, self.air_assessed),
                "hours_today": self.hours_today,
                "share_good_hours_today": _share(self.good_hours_today, self.hours_today),
            },
        }


def region_summaries(
    stations: Sequence[Station],
    jurisdictions: Sequence[Jurisdiction],
    water: Mapping[str, WaterStatus],
    air: Mapping[str, AirStatus],
    *,
    own: str,
) -> list[RegionSummary]:
    """One summary per jurisdiction with visible stations, the caller's own (``own``) first."""
    names = {j.code: j.name for j in jurisdictions}
    regions: dict[str, RegionSummary] = {}
    for station in stations:
        code = station.jurisdiction
        region = regions.get(code)
        if region is None:
            region = regions[code] = RegionSummary(code, names.get(code, code), own=code == own)
        region.stations += 1
        region.simulated += station.simulated
        if station.kind is StationKind.WATER:
            region.water_stations += 1
            status = water.get(station.mn)
            if status is not None and status.code:
                region.water_assessed += 1
                region.water_classes[status.code] = region.water_classes.get(status.code, 0) + 1
        elif station.kind is StationKind.AIR:
            region.air_stations += 1
            reading = air.get(station.mn)
            if reading is not None:
                region.hours_today += reading.hours_today
                region.good_hours_today += reading.good_hours_today
                if reading.level:
                    region.air_assessed += 1
                    region.air_levels[reading.level] = region.air_levels.get(reading.level, 0) + 1
    return sorted(regions.values(), key=lambda r: (not r.own, r.code))
