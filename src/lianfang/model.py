"""Domain dataclasses shared by every layer of lianfang.

Times are always timezone-aware instants. HJ 212 times arrive as Beijing time (UTC+8) without a
zone; :data:`BEIJING` is that zone, and :func:`beijing` turns a naive HJ 212 time into an instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum

__all__ = [
    "BEIJING",
    "DataKind",
    "Jurisdiction",
    "Observation",
    "ObservationBatch",
    "Parameter",
    "SectionLevel",
    "Station",
    "StationKind",
    "WaterBody",
    "WriteResult",
    "beijing",
]

#: China Standard Time. HJ 212 DataTime/QN values are in this zone, written without it.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing(naive: datetime) -> datetime:
    """Return ``naive`` (a Beijing wall-clock time) as an aware instant; aware input is converted."""
    if naive.tzinfo is None:
        return naive.replace(tzinfo=BEIJING)
    return naive.astimezone(BEIJING)


class DataKind(StrEnum):
    """Resolution of an observation, after the HJ 212 upload command that carries it."""

    RTD = "rtd"  # CN 2011 real-time data, instant of acquisition
    MIN = "min"  # CN 2051 minute data, period start
    HOUR = "hour"  # CN 2061 hourly data, period start
    DAY = "day"  # CN 2031 daily data, period start


class StationKind(StrEnum):
    WATER = "water"
    AIR = "air"
    SOURCE = "source"


class SectionLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CROSS_BORDER = "cross-border"


class WaterBody(StrEnum):
    """GB 3838-2002 Table 1 sets a stricter TP limit for lakes and reservoirs than for rivers."""

    RIVER = "river"
    LAKE = "lake"


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    code: str  # e.g. "SC", "CQ"
    name: str


@dataclass(frozen=True, slots=True)
class Station:
    """A monitoring station; ``mn`` is its HJ 212 MN and the key everywhere."""

    mn: str
    name: str
    kind: StationKind
    jurisdiction: str
    lon: float | None = None  # [degrees, WGS 84]
    lat: float | None = None  # [degrees, WGS 84]
    river: str | None = None
    river_km: float | None = None  # position along the river [km from its source]
    section_level: SectionLevel | None = None
    target_class: int | None = None  # GB 3838 class 1..5 the section must meet
    water_body: WaterBody = WaterBody.RIVER
    simulated: bool = False  # values come from the demo simulator, not a real logger
    min_interval: int | None = None  # [min] minute-data (CN 2051) interval, if the station pushes it
    active: bool = True
    password_hash: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Parameter:
    code: str  # HJ 212 code, e.g. "w21003"
    name_zh: str
    name_en: str
    unit: str
    standard_item: str | None = None  # GB 3838 item or HJ 633 pollutant it maps to


@dataclass(frozen=True, slots=True)
class Observation:
    """One value. Key: (mn, param, kind, time)."""

    mn: str
    param: str
    kind: DataKind
    time: datetime  # period start (or instant for rtd), timezone-aware
    value: float | None
    flag: str = "N"  # HJ 212 data flag; anything but "N" is excluded by the assessments
    qn: str | None = None
    received_at: datetime | None = None


@dataclass(slots=True)
class ObservationBatch:
    """Columnar batch of observations, the unit of a store write (one group commit)."""

    mn: list[str] = field(default_factory=list)
    param: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    time: list[datetime] = field(default_factory=list)
    value: list[float | None] = field(default_factory=list)
    flag: list[str] = field(default_factory=list)
    qn: list[str | None] = field(default_factory=list)
    received_at: list[datetime] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.mn)

    def append(self, obs: Observation) -> None:
        self.mn.append(obs.mn)
        self.param.append(obs.param)
        self.kind.append(str(obs.kind))
        self.time.append(obs.time)
        self.value.append(obs.value)
        self.flag.append(obs.flag)
        self.qn.append(obs.qn)
        self.received_at.append(obs.received_at or datetime.now(BEIJING))

    def extend(self, items: Iterable[Observation] | ObservationBatch) -> None:
        if isinstance(items, ObservationBatch):
            self.mn += items.mn
            self.param += items.param
            self.kind += items.kind
            self.time += items.time
            self.value += items.value
            self.flag += items.flag
            self.qn += items.qn
            self.received_at += items.received_at
            return
        for obs in items:
            self.append(obs)

    def __iter__(self) -> Iterator[Observation]:
        for i in range(len(self.mn)):
            yield Observation(
                mn=self.mn[i],
                param=self.param[i],
                kind=DataKind(self.kind[i]),
                time=self.time[i],
                value=self.value[i],
                flag=self.flag[i],
                qn=self.qn[i],
                received_at=self.received_at[i],
            )


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one durable write did: new keys, identical resends, changed values (corrections)."""

    inserted: int = 0
    unchanged: int = 0
    corrected: int = 0
