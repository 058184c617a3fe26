"""Simulated values: deterministic, plausible, with the cycles and episodes they claim."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from lianfang.model import BEIJING, Station, StationKind
from lianfang.sim.network import demo_stations
from lianfang.sim.values import (
    AIR_PARAMETERS,
    PARAMETERS,
    WATER_PARAMETERS,
    format_value,
    hourly_values,
    instant_values,
    parameters_for,
)

STATIONS = {s.name: s for s, _ in demo_stations()}
WATER = STATIONS["嘉陵江武胜烈面"]  # class III, Sichuan, 95 km upstream of Hechuan
DOWNSTREAM = STATIONS["嘉陵江合川东津沱"]  # class III, Chongqing
ZHUTUO = STATIONS["长江永川朱沱"]  # class II
AIR = STATIONS["成都人民公园"]


def _columns(station: Station, start: datetime, hours: int) -> dict[str, np.ndarray]:
    samples = [instant_values(station, start + timedelta(hours=h)) for h in range(hours)]
    return {code: np.array([s[code].value for s in samples]) for code in samples[0]}


def _series(station: Station, start: datetime, hours: int, code: str) -> np.ndarray:
    return _columns(station, start, hours)[code]


def test_same_station_time_and_seed_give_the_same_values_whatever_came_before() -> None:
    when = datetime(2025, 5, 3, 14, 20, 7, tzinfo=BEIJING)
    first = instant_values(WATER, when, seed=7)
    for h in range(50):  # unrelated calls fill the caches in another order
        instant_values(ZHUTUO, when - timedelta(hours=h), seed=7)
    assert instant_values(WATER, when, seed=7) == first
    assert instant_values(WATER, when.astimezone(BEIJING).replace(tzinfo=BEIJING), seed=7) == first
    assert instant_values(WATER, when, seed=8) != first
    assert hourly_values(AIR, when.replace(minute=0, second=0), seed=7) == hourly_values(
        AIR, when.replace(minute=0, second=0), seed=7
    )


def test_every_parameter_is_present_and_physically_possible_over_a_year() -> None:
    start = datetime(2025, 1, 1, tzinfo=BEIJING)
    for station, codes in ((WATER, WATER_PARAMETERS), (AIR, AIR_PARAMETERS)):
        assert parameters_for(station) == codes
        for h in range(0, 24 * 365, 7):
            readings = instant_values(station, start + timedelta(hours=h))
            assert tuple(readings) == codes
            for code, r in readings.items():
                assert r.flag in {"N", "M"}
                assert np.isfinite(r.value), (code, r)
                assert r.value >= 0, (code, r)
            if station is WATER:
                assert 6.0 <= readings["w01001"].value <= 9.0
                assert 0.0 < readings["w01009"].value < 15.0
                assert 3.0 < readings["w01010"].value < 32.0
            else:
                assert readings["a34004"].value < 500
                assert readings["a21005"].value < 10


def test_sections_mostly_meet_their_target_class() -> None:
    start = datetime(2025, 1, 1, tzinfo=BEIJING)
    # GB 3838-2002 Table 1 limits: NH3-N class II 0.5, class III 1.0 mg/L; CODMn II 4, III 6 mg/L
    for station, nh3_limit, codmn_limit in ((ZHUTUO, 0.5, 4.0), (WATER, 1.0, 6.0)):
        columns = _columns(station, start, 24 * 120)
        nh3, codmn = columns["w21003"], columns["w01019"]
        assert 0.85 < np.mean(nh3 <= nh3_limit) < 1.0  # mostly, not always: episodes break it
        assert 0.85 < np.mean(codmn <= codmn_limit) < 1.0
        assert np.median(nh3) > nh3_limit / 4


def test_daily_cycles_of_ozone_particles_and_dissolved_oxygen() -> None:
    july = datetime(2025, 7, 1, tzinfo=BEIJING)
    by_hour = {code: np.zeros(24) for code in ("a05024", "a34004", "a21004")}
    oxygen = np.zeros(24)
    for day in range(28):
        for hour in range(24):
            when = july + timedelta(days=day, hours=hour)
            air = instant_values(AIR, when)
            for code in by_hour:
                by_hour[code][hour] += air[code].value
            oxygen[hour] += instant_values(WATER, when)["w01009"].value
    o3, pm, no2 = by_hour["a05024"], by_hour["a34004"], by_hour["a21004"]
    assert int(np.argmax(o3)) in range(13, 18)  # afternoon ozone peak
    assert o3[13:18].mean() > 3 * o3[3:7].mean()
    assert pm[20:23].mean() > pm[13:17].mean()
    assert pm[8:10].mean() > pm[13:17].mean()
    assert no2[19:22].mean() > 1.3 * no2[13:16].mean()
    assert int(np.argmax(oxygen)) in range(12, 19)
    assert oxygen[3:7].mean() < oxygen[13:17].mean()


def test_seasons_winter_haze_and_summer_ozone_and_warm_water() -> None:
    def monthly_mean(station: Station, month: int, code: str) -> float:
        return float(_series(station, datetime(2025, month, 1, tzinfo=BEIJING), 24 * 28, code).mean())

    assert monthly_mean(AIR, 1, "a34004") > 2 * monthly_mean(AIR, 7, "a34004")
    assert monthly_mean(AIR, 7, "a05024") > 2 * monthly_mean(AIR, 1, "a05024")
    assert monthly_mean(WATER, 8, "w01010") > monthly_mean(WATER, 1, "w01010") + 10
    assert monthly_mean(WATER, 7, "w01003") > 3 * monthly_mean(WATER, 1, "w01003")  # wet-season turbidity


def test_an_upstream_episode_reaches_the_downstream_section_a_day_later() -> None:
    """W03 (Sichuan, km 905) and W04 (Chongqing, km 1000): 95 km at 3.6 km/h ≈ 26 h."""
    start, hours = datetime(2025, 3, 1, tzinfo=BEIJING), 24 * 120
    up = _series(WATER, start, hours, "w21003")
    down = _series(DOWNSTREAM, start, hours, "w21003")
    peaks = np.where(up > 1.8 * np.median(up))[0]
    peaks = peaks[peaks + 48 < hours]
    assert len(peaks) >= 10

    def lifted(lag: int) -> float:
        return float(np.mean(down[peaks + lag]) / np.median(down))

    assert lifted(28) > 1.2  # the wave arrives …
    assert lifted(28) > lifted(0) + 0.2  # … a day later, not at once


def test_hourly_aggregates_bound_their_mean() -> None:
    hour = datetime(2025, 7, 1, 9, tzinfo=BEIJING)
    for station in (WATER, AIR):
        for code, agg in hourly_values(station, hour).items():
            assert agg.count == 12
            assert agg.min <= agg.avg <= agg.max, code
            assert float(format_value(code, agg.avg)) == agg.avg


def test_maintenance_windows_carry_flag_m() -> None:
    start = datetime(2025, 1, 1, tzinfo=BEIJING)
    flags = [instant_values(WATER, start + timedelta(minutes=70 * i))["w21003"].flag for i in range(5000)]
    share = flags.count("M") / len(flags)
    assert 0.0005 < share < 0.02  # a few hours a month


def test_format_value_uses_the_parameter_decimals() -> None:
    assert format_value("w01001", 7.8) == "7.80"  # pH N2.2
    assert format_value("w21003", 0.256) == "0.26"  # NH3-N N4.2
    assert format_value("a34004", 35.4) == "35"
    assert PARAMETERS["a21005"].unit == "mg/m³"


def test_bad_inputs_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="aware"):
        instant_values(WATER, datetime(2025, 1, 1))
    source = replace(WATER, kind=StationKind.SOURCE)
    with pytest.raises(ValueError, match="no value model"):
        instant_values(source, datetime(2025, 1, 1, tzinfo=BEIJING))
