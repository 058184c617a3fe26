"""Plausible water and air values for simulated stations: pure functions of (station, time, seed).

Nothing here is measured. The levels are the simulator's choice, picked so that sections mostly meet
their GB 3838-2002 target class and air stations look like a Sichuan-basin city (PM2.5 ≈ 38 µg/m³ a
year, winter haze, summer afternoon ozone). Every value is a product of:

- a level (water: by the station's target class; air: a city level times a per-station factor),
- seasonal and daily cycles in Beijing time (water temperature, dissolved oxygen and pH follow the sun;
  PM and NO2 peak at the morning and evening rush, O3 in the afternoon),
- smooth noise (sums of incommensurate sines with per-station phases) and white noise per sample,
- episodes: discharges that travel down a river at 1 m/s and fade with distance (so an upstream
  station in one province sees an event hours before a downstream one in the other), local runoff
  events, regional haze and ozone episodes shared by one jurisdiction's air stations,
- maintenance windows whose values carry the HJ 212 data flag ``M``.

Determinism: the same (station, time, seed) always gives the same value, whatever was asked before.
Per-sample noise comes from a numpy ``Generator`` seeded with (seed, station, second); schedules from
``Generator``s seeded with (seed, river or station or jurisdiction, day), cached because they are pure.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np

from lianfang.model import BEIJING, Station, StationKind

__all__ = [
    "AIR_PARAMETERS",
    "PARAMETERS",
    "WATER_PARAMETERS",
    "Aggregate",
    "ParameterSpec",
    "Reading",
    "format_value",
    "hourly_values",
    "instant_values",
    "parameters_for",
    "period_values",
]


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    code: str  # HJ 212-2017 code
    name: str
    unit: str
    decimals: int  # digits after the point in packets


# HJ 212-2017 Table B.1 (water) and B.2 (air) give codes and data types (N3.1 = 1 decimal …);
# turbidity w01003 and ozone a05024 are HJ 525/524-2009 codes the 2017 tables omit (reference/hj212.md
# §8). Air pollutants are sent in µg/m³ and CO in mg/m³, as ambient stations do, not in the table's
# mg/m³ (§8.2, §10.13).
PARAMETERS: dict[str, ParameterSpec] = {
    spec.code: spec
    for spec in (
        ParameterSpec("w01001", "pH", "", 2),  # N2.2
        ParameterSpec("w01009", "dissolved oxygen", "mg/L", 1),  # N3.1
        ParameterSpec("w01019", "permanganate index CODMn", "mg/L", 1),  # N3.1
        ParameterSpec("w21003", "ammonia nitrogen NH3-N", "mg/L", 2),  # N4.2
        ParameterSpec("w21011", "total phosphorus TP", "mg/L", 3),  # N3.2 in the table; 3 kept for class I/II
        ParameterSpec("w21001", "total nitrogen TN", "mg/L", 2),  # N4.2
        ParameterSpec("w01010", "water temperature", "°C", 1),  # N3.1
        ParameterSpec("w01014", "conductivity", "µS/cm", 1),  # N3.1
        ParameterSpec("w01003", "turbidity", "NTU", 1),
        ParameterSpec("a21026", "SO2", "µg/m³", 0),
        ParameterSpec("a21004", "NO2", "µg/m³", 0),
        ParameterSpec("a21005", "CO", "mg/m³", 3),  # N3.3
        ParameterSpec("a05024", "O3", "µg/m³", 0),
        ParameterSpec("a34002", "PM10", "µg/m³", 0),
        ParameterSpec("a34004", "PM2.5", "µg/m³", 0),
    )
}
WATER_PARAMETERS = ("w01001", "w01009", "w01019", "w21003", "w21011", "w21001", "w01010", "w01014", "w01003")
AIR_PARAMETERS = ("a21026", "a21004", "a21005", "a05024", "a34002", "a34004")

# Simulation choice, not a standard: the typical level [mg/L] of a section that is meant to meet class
# I..V — about the middle of the GB 3838-2002 Table 1 band of that class (e.g. NH3-N class III band
# 0.5–1.0 mg/L -> 0.6), so noise alone seldom breaks the target but an episode does. TN is not assessed
# for rivers; its levels follow the nitrogen-rich rivers of the basin.
_TYPICAL_LEVEL: dict[str, tuple[float, float, float, float, float]] = {
    "w01019": (1.5, 2.6, 4.2, 7.5, 11.0),
    "w21003": (0.08, 0.25, 0.6, 1.2, 1.7),
    "w21011": (0.012, 0.06, 0.13, 0.24, 0.33),
    "w21001": (0.4, 1.2, 1.8, 2.5, 3.2),
}
# Dissolved oxygen as a fraction of saturation, by target class (class III at 26 °C: 0.82 × 8.1 ≈ 6.6 mg/L,
# above the 5 mg/L limit).
_DO_SATURATION = (0.98, 0.92, 0.82, 0.6, 0.45)
# Response of each water parameter to a discharge of excess E: value × (1 + E × weight).
_EPISODE_WEIGHT = {"w21003": 1.0, "w21011": 0.7, "w01019": 0.5, "w21001": 0.4, "w01003": 0.8, "w01014": 0.15}

_RIVER_SPEED = 3.6  # [km/h] = 1 m/s, a middle-of-the-road velocity for the basin's rivers
_RIVER_FADE = 120.0  # [km] e-folding distance of an episode's excess (dilution, decay)
_RIVER_REACH = 300.0  # [km] beyond this an episode is no longer simulated
_RIVER_SEGMENT = 100.0  # [km] discharges are drawn per 100 km of river and day
_DISCHARGES_PER_SEGMENT_DAY = 0.05
_NOISE_PERIODS_H = (4.7, 11.3, 29.0, 83.0)  # incommensurate, so the smooth noise never repeats visibly


@dataclass(frozen=True, slots=True)
class Reading:
    """One sampled value with its HJ 212 data flag (``N`` normal, ``M`` maintenance)."""

    value: float
    flag: str = "N"


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A period's statistics as HJ 212 minute/hourly uploads carry them (``-Avg``, ``-Min``, ``-Max``)."""

    avg: float
    min: float
    max: float
    flag: str
    count: int


def parameters_for(station: Station) -> tuple[str, ...]:
    """The HJ 212 codes a simulated station of this kind measures."""
    if station.kind is StationKind.WATER:
        return WATER_PARAMETERS
    if station.kind is StationKind.AIR:
        return AIR_PARAMETERS
    raise ValueError(f"no value model for {station.kind.value} stations ({station.mn})")


def format_value(code: str, value: float) -> str:
    """``value`` as written into a packet, with the parameter's decimals (HJ 212 N-type)."""
    spec = PARAMETERS.get(code)
    return f"{value:.{spec.decimals if spec else 3}f}"


# --- time helpers ---------------------------------------------------------------------------------


def _local_hour(when: datetime) -> float:
    local = when.astimezone(BEIJING)
    return local.hour + local.minute / 60 + local.second / 3600


def _day_of_year(when: datetime) -> float:
    return float(when.astimezone(BEIJING).timetuple().tm_yday)


def _epoch_hours(when: datetime) -> float:
    return when.timestamp() / 3600.0


def _epoch_day(when: datetime) -> int:
    """Days since 1970-01-01 in Beijing time."""
    return int((when.timestamp() + 8 * 3600) // 86400)


def _bump(hour: float, centre: float, width: float) -> float:
    """A Gaussian bump on the 24-h circle, 1 at ``centre`` [h]."""
    d = (hour - centre + 12.0) % 24.0 - 12.0
    return math.exp(-0.5 * (d / width) ** 2)


def _yearly(day: float, peak_day: float) -> float:
    """cos over the year, 1 at ``peak_day``, -1 half a year later."""
    return math.cos(2.0 * math.pi * (day - peak_day) / 365.25)


def _key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


# --- per-station constants and schedules (pure, hence cacheable) ----------------------------------


@dataclass(frozen=True, slots=True)
class _StationTraits:
    level: dict[str, float]  # multiplicative per-parameter factor around the typical level
    phases: dict[str, tuple[float, ...]]  # smooth-noise phases per parameter


@lru_cache(maxsize=4096)
def _traits(seed: int, mn: str, codes: tuple[str, ...]) -> _StationTraits:
    rng = np.random.default_rng([seed, _key(mn), 1])
    level = {code: float(math.exp(rng.normal(0.0, 0.12))) for code in codes}
    phases = {
        code: tuple(float(p) for p in rng.uniform(0, 2 * math.pi, len(_NOISE_PERIODS_H))) for code in codes
    }
    return _StationTraits(level=level, phases=phases)


def _smooth(traits: _StationTraits, code: str, hours: float) -> float:
    """Smooth noise with unit variance."""
    total = sum(
        math.sin(2.0 * math.pi * hours / period + phase)
        for period, phase in zip(_NOISE_PERIODS_H, traits.phases[code], strict=True)
    )
    return total / math.sqrt(len(_NOISE_PERIODS_H) / 2.0)


@dataclass(frozen=True, slots=True)
class _Episode:
    start: float  # [h since epoch]
    excess: float  # peak multiplier minus one
    width: float  # [h] decay time
    km: float = 0.0  # where it starts on the river [km from source]


def _pulse(tau: float, width: float) -> float:
    """Episode shape: rises within about an hour, decays over ``width`` hours."""
    if tau <= 0.0:
        return 0.0
    return (1.0 - math.exp(-tau / 0.5)) * math.exp(-tau / width)


@lru_cache(maxsize=65536)
def _river_discharges(seed: int, river: str, segment: int, day: int) -> tuple[_Episode, ...]:
    rng = np.random.default_rng([seed, _key(river), segment, day, 2])
    count = int(rng.poisson(_DISCHARGES_PER_SEGMENT_DAY))
    return tuple(
        _Episode(
            start=day * 24.0 - 8.0 + float(rng.uniform(0, 24)),
            excess=float(rng.uniform(1.0, 3.0)),
            width=float(rng.uniform(3.0, 10.0)),
            km=(segment + float(rng.uniform(0, 1))) * _RIVER_SEGMENT,
        )
        for _ in range(count)
    )


@dataclass(frozen=True, slots=True)
class _Day:
    """One station-day: a local episode (runoff, a sewer overflow) and a maintenance window, if any."""

    episode: _Episode | None
    maintenance: tuple[float, float] | None  # [h since epoch) start, end


@lru_cache(maxsize=65536)
def _station_day(seed: int, mn: str, day: int) -> _Day:
    rng = np.random.default_rng([seed, _key(mn), day, 3])
    episode = None
    if rng.random() < 0.04:
        episode = _Episode(
            start=day * 24.0 - 8.0 + float(rng.uniform(0, 24)),
            excess=float(rng.uniform(0.5, 2.0)),
            width=float(rng.uniform(2.0, 8.0)),
        )
    maintenance = None
    if rng.random() < 0.03:  # a monthly-ish visit; instruments flagged M while the crew works
        begin = day * 24.0 - 8.0 + float(rng.uniform(8, 14))
        maintenance = (begin, begin + float(rng.uniform(1.0, 4.0)))
    return _Day(episode=episode, maintenance=maintenance)


@lru_cache(maxsize=16384)
def _regional_day(seed: int, jurisdiction: str, day: int) -> tuple[_Episode, _Episode | None]:
    """Air episodes that start on ``day`` over a jurisdiction: (haze, ozone); excess 0 = none."""
    rng = np.random.default_rng([seed, _key(jurisdiction), day, 4])
    day_of_year = (date(1970, 1, 1) + timedelta(days=day)).timetuple().tm_yday
    winter = max(0.0, _yearly(day_of_year, 15.0))
    summer = max(0.0, _yearly(day_of_year, 190.0))
    haze = _Episode(start=0.0, excess=0.0, width=1.0)
    if rng.random() < 0.12 * winter:
        haze = _Episode(
            start=day * 24.0 - 8.0 + float(rng.uniform(0, 24)),
            excess=float(rng.uniform(0.6, 1.6)),
            width=float(rng.uniform(24.0, 60.0)),
        )
    ozone = None
    if rng.random() < 0.15 * summer:
        ozone = _Episode(
            start=day * 24.0 - 8.0, excess=float(rng.uniform(0.2, 0.5)), width=float(rng.uniform(20, 40))
        )
    return haze, ozone


def _river_excess(seed: int, station: Station, hours: float, day: int) -> float:
    """Sum of the excesses of all discharges upstream that reach the station at ``hours``."""
    if station.river is None or station.river_km is None:
        return 0.0
    km = station.river_km
    total = 0.0
    lookback = int((_RIVER_REACH / _RIVER_SPEED + 5 * 16.0) // 24) + 1
    first_segment = max(0, int((km - _RIVER_REACH) // _RIVER_SEGMENT))
    for segment in range(first_segment, int(km // _RIVER_SEGMENT) + 1):
        for d in range(day - lookback, day + 1):
            for ep in _river_discharges(seed, station.river, segment, d):
                distance = km - ep.km
                if distance < 0 or distance > _RIVER_REACH:
                    continue
                arrival = ep.start + distance / _RIVER_SPEED
                width = ep.width + distance / 20.0  # dispersion spreads the pulse downstream
                total += ep.excess * math.exp(-distance / _RIVER_FADE) * _pulse(hours - arrival, width)
    return total


def _local_state(seed: int, station: Station, hours: float, day: int) -> tuple[float, bool]:
    """(local episode excess, under maintenance) at ``hours``."""
    excess = 0.0
    maintained = False
    for d in (day - 2, day - 1, day):
        info = _station_day(seed, station.mn, d)
        if info.episode is not None:
            excess += info.episode.excess * _pulse(hours - info.episode.start, info.episode.width)
        if info.maintenance is not None and info.maintenance[0] <= hours < info.maintenance[1]:
            maintained = True
    return excess, maintained


def _do_saturation(temp_c: float) -> float:
    """Dissolved-oxygen saturation [mg/L] of fresh water at sea level (a standard cubic fit, 0–40 °C)."""
    return 14.652 - 0.41022 * temp_c + 0.007991 * temp_c**2 - 0.000077774 * temp_c**3


def _white(seed: int, mn: str, when: datetime, size: int) -> list[float]:
    rng = np.random.default_rng([seed, _key(mn), int(when.timestamp()), 5])
    return [float(x) for x in rng.standard_normal(size)]


# --- the models -----------------------------------------------------------------------------------


def _water(station: Station, when: datetime, seed: int) -> dict[str, Reading]:
    cls = min(max(station.target_class or 3, 1), 5) - 1
    traits = _traits(seed, station.mn, WATER_PARAMETERS)
    hours, hour, doy, day = _epoch_hours(when), _local_hour(when), _day_of_year(when), _epoch_day(when)
    white = dict(zip(WATER_PARAMETERS, _white(seed, station.mn, when, len(WATER_PARAMETERS)), strict=True))
    flood = math.exp(-(((doy - 200.0) / 40.0) ** 2))  # wet season, peaking in mid-July
    local, maintained = _local_state(seed, station, hours, day)
    excess = local + _river_excess(seed, station, hours, day)
    flag = "M" if maintained else "N"

    def noisy(code: str, sigma_smooth: float, sigma_white: float) -> float:
        return traits.level[code] * math.exp(
            sigma_smooth * _smooth(traits, code, hours) + sigma_white * white[code]
        )

    # per-station offsets: ±1.5 °C (altitude, shading) and ±0.1 pH (geology)
    temp = 17.5 + 12.0 * math.log(traits.level["w01010"]) + 7.5 * _yearly(doy, 215.0)
    temp += 0.6 * math.cos(2 * math.pi * (hour - 16.0) / 24.0)
    temp += 0.4 * _smooth(traits, "w01010", hours) + 0.05 * white["w01010"]
    values: dict[str, float] = {"w01010": temp}
    photosynthesis = math.cos(2 * math.pi * (hour - 15.0) / 24.0)  # 1 mid-afternoon, -1 before dawn
    do_fraction = _DO_SATURATION[cls] * (1.0 + 0.07 * photosynthesis) / (1.0 + 0.3 * excess)
    values["w01009"] = _do_saturation(temp) * do_fraction * noisy("w01009", 0.03, 0.01)
    values["w01001"] = (
        7.9
        + 0.8 * math.log(traits.level["w01001"])
        + 0.12 * photosynthesis
        - 0.1 * min(excess, 2.0)
        + 0.06 * _smooth(traits, "w01001", hours)
        + 0.02 * white["w01001"]
    )
    for code, levels in _TYPICAL_LEVEL.items():
        season = 1.0 + (0.3 * flood if code == "w21011" else 0.0)  # particulate P with the floods
        values[code] = levels[cls] * season * (1.0 + _EPISODE_WEIGHT[code] * excess) * noisy(code, 0.15, 0.05)
    values["w01014"] = 320.0 * (1.0 - 0.2 * flood) * (1.0 + _EPISODE_WEIGHT["w01014"] * excess)
    values["w01014"] *= noisy("w01014", 0.05, 0.01)
    values["w01003"] = 12.0 * (1.0 + 5.0 * flood) * (1.0 + _EPISODE_WEIGHT["w01003"] * excess)
    values["w01003"] *= noisy("w01003", 0.3, 0.08)
    return {code: Reading(round(values[code], PARAMETERS[code].decimals), flag) for code in WATER_PARAMETERS}


def _air(station: Station, when: datetime, seed: int) -> dict[str, Reading]:
    traits = _traits(seed, station.mn, AIR_PARAMETERS)
    hours, hour, doy, day = _epoch_hours(when), _local_hour(when), _day_of_year(when), _epoch_day(when)
    white = dict(zip(AIR_PARAMETERS, _white(seed, station.mn, when, len(AIR_PARAMETERS)), strict=True))
    _, maintained = _local_state(seed, station, hours, day)
    haze = ozone = 0.0
    for d in range(day - 4, day + 1):
        h_ep, o_ep = _regional_day(seed, station.jurisdiction, d)
        haze += h_ep.excess * _pulse(hours - h_ep.start, h_ep.width)
        if o_ep is not None:
            ozone += o_ep.excess * _pulse(hours - o_ep.start, o_ep.width)
    winter = _yearly(doy, 15.0)  # 1 in mid-January

    def noisy(code: str, sigma_smooth: float, sigma_white: float) -> float:
        return traits.level[code] * math.exp(
            sigma_smooth * _smooth(traits, code, hours) + sigma_white * white[code]
        )

    rush = 1.0 + 0.35 * _bump(hour, 8.5, 1.5) + 0.45 * _bump(hour, 20.5, 2.5) - 0.35 * _bump(hour, 14.0, 3.0)
    pm_cycle = (
        1.0 + 0.18 * _bump(hour, 9.0, 2.0) + 0.22 * _bump(hour, 21.5, 2.5) - 0.15 * _bump(hour, 15.0, 3.0)
    )
    sunlight = 0.35 + 1.8 * _bump(hour, 15.0, 3.0)
    pm25 = 38.0 * (1.0 + 0.55 * winter) * pm_cycle * (1.0 + haze) * noisy("a34004", 0.25, 0.06)
    values = {
        "a34004": pm25,
        "a34002": pm25 * 1.55 * noisy("a34002", 0.1, 0.05),
        "a21004": 32.0 * (1.0 + 0.3 * winter) * rush * (1.0 + 0.3 * haze) * noisy("a21004", 0.2, 0.08),
        "a21026": 8.0
        * (1.0 + 0.3 * winter)
        * (1.0 + 0.2 * _bump(hour, 11.0, 3.0))
        * noisy("a21026", 0.2, 0.1),
        "a21005": 0.7
        * (1.0 + 0.3 * winter)
        * (0.6 + 0.4 * rush)
        * (1.0 + 0.4 * haze)
        * noisy("a21005", 0.15, 0.05),
        "a05024": 50.0
        * (1.0 - 0.55 * winter)
        * sunlight
        * (1.0 + ozone)
        / (1.0 + 0.2 * haze)
        * noisy("a05024", 0.15, 0.06),
    }
    flag = "M" if maintained else "N"
    return {
        code: Reading(round(max(values[code], 0.0), PARAMETERS[code].decimals), flag)
        for code in AIR_PARAMETERS
    }


def instant_values(station: Station, when: datetime, *, seed: int = 0) -> dict[str, Reading]:
    """The station's readings at ``when`` (aware), one per code of :func:`parameters_for`."""
    if when.tzinfo is None:
        raise ValueError("instant_values needs an aware datetime (HJ 212 times are Beijing time)")
    when = when.replace(microsecond=0)
    if station.kind is StationKind.WATER:
        return _water(station, when, seed)
    if station.kind is StationKind.AIR:
        return _air(station, when, seed)
    parameters_for(station)  # raises the clear error
    return {}


def period_values(
    station: Station,
    start: datetime,
    length: timedelta,
    *,
    seed: int = 0,
    step: timedelta = timedelta(minutes=5),
) -> dict[str, Aggregate]:
    """Aggregates over [start, start + length) from samples every ``step``, as a logger computes them.

    Flag: ``N`` when at least 75 % of samples are normal, else the most common other flag (after the
    HJ 212-2017 Table C.17 note for flue gas: "≥75 % normal → N").
    """
    count = max(1, int(length / step))
    samples = [instant_values(station, start + i * step, seed=seed) for i in range(count)]
    out: dict[str, Aggregate] = {}
    for code in samples[0]:
        values = [s[code].value for s in samples]
        flags = [s[code].flag for s in samples]
        normal = flags.count("N")
        flag = "N" if normal >= 0.75 * count else max(set(flags) - {"N"}, key=flags.count)
        avg = round(sum(values) / count, PARAMETERS[code].decimals)
        out[code] = Aggregate(avg=avg, min=min(values), max=max(values), flag=flag, count=count)
    return out


def hourly_values(station: Station, hour_start: datetime, *, seed: int = 0) -> dict[str, Aggregate]:
    """The hour beginning at ``hour_start`` (CN 2061 period start), from 12 five-minute samples."""
    return period_values(station, hour_start, timedelta(hours=1), seed=seed)
