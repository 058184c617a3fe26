"""Synthetic inputs of ``python -m bench assess``, the same for lianfang and the pandas baseline.

Air: a year (2025, HJ 633-2012 throughout) of hourly values of the six pollutants at ``n`` stations,
whole µg/m³ (CO 0.1 mg/m³) as stations report them, gamma-distributed around plausible city levels;
3 % of hours missing at random, and for one station in ten an outage of 1–12 whole days (so that
some days and some station-years are not valid under HJ 663).

Water: a year of 4-hourly samples (2,190 per section) of WT, pH, DO, CODMn, NH3-N, TP and TN at
``n`` sections on ``n // 10`` rivers (plus a few short rivers of 2–4 sections, graded by averaging),
with the decimals automatic stations send; 2 % of samples missing.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from lianfang.assess.air_daily import POLLUTANTS
from lianfang.model import BEIJING

__all__ = [
    "AIR_FIRST_DAY",
    "WATER_ITEMS",
    "air_cube",
    "air_frame",
    "water_arrays",
    "water_frame",
    "water_rivers",
]

AIR_FIRST_DAY = date(2025, 1, 1)
HOURS = 8760
#: pollutant -> (gamma shape, scale, decimals): means ≈ SO2 10, NO2 35, CO 0.8, O3 80, PM10 75, PM2.5 45
_AIR_LEVELS = {
    "SO2": (3.0, 3.5, 0),
    "NO2": (4.0, 9.0, 0),
    "CO": (4.0, 0.2, 1),
    "O3": (3.0, 27.0, 0),
    "PM10": (2.5, 30.0, 0),
    "PM2.5": (2.0, 22.0, 0),
}

WATER_ITEMS = ("WT", "pH", "DO", "CODMn", "NH3N", "TP", "TN")
#: item -> (median, spread (log-normal sigma), decimals)
_WATER_LEVELS = {
    "WT": (18.0, 0.3, 1),
    "pH": (7.6, 0.04, 2),
    "DO": (7.0, 0.2, 2),
    "CODMn": (3.5, 0.45, 2),
    "NH3N": (0.45, 0.8, 3),
    "TP": (0.12, 0.6, 3),
    "TN": (1.6, 0.4, 2),
}
SAMPLES = 2190  # a year every 4 h


def air_cube(n_stations: int, seed: int = 1) -> npt.NDArray[np.float64]:
    """``(stations, 8760, 6)`` hourly values [µg/m³; CO mg/m³], NaN where missing."""
    rng = np.random.default_rng(seed)
    # pollutant-major storage seen as (stations, hours, pollutants), as hourly_cube returns it
    cube = np.moveaxis(np.empty((len(POLLUTANTS), n_stations, HOURS)), 0, -1)
    for j, pollutant in enumerate(POLLUTANTS):
        shape, scale, decimals = _AIR_LEVELS[pollutant]
        level = rng.uniform(0.6, 1.6, size=(n_stations, 1))  # station factor
        cube[:, :, j] = np.round(rng.gamma(shape, scale, size=(n_stations, HOURS)) * level, decimals)
    cube[rng.random(cube.shape) < 0.03] = np.nan
    for station in range(0, n_stations, 10):
        start = int(rng.integers(0, 360)) * 24
        cube[station, start : start + int(rng.integers(1, 13)) * 24, :] = np.nan
    return cube


def air_frame(cube: npt.NDArray[np.float64]) -> pd.DataFrame:
    """The same values as a wide hourly table: ``station``, ``time`` (Beijing), one column per pollutant."""
    n = cube.shape[0]
    times = pd.date_range(pd.Timestamp(AIR_FIRST_DAY, tz=BEIJING), periods=HOURS, freq="h")
    frame = pd.DataFrame(
        {
            "station": np.repeat(np.arange(n, dtype=np.int32), HOURS),
            "time": np.tile(times.tz_localize(None).to_numpy(), n),
        }
    )
    for j, pollutant in enumerate(POLLUTANTS):
        frame[pollutant] = cube[:, :, j].reshape(-1)
    return frame


def air_long(cube: npt.NDArray[np.float64]) -> pd.DataFrame:
    """The same values as the store returns them: one row per value present, ordered by (station,
    pollutant, time) like a store read; station and pollutant as categoricals, time [µs, UTC]."""
    n = cube.shape[0]
    start = pd.Timestamp(AIR_FIRST_DAY, tz=BEIJING).value // 1000  # [µs]
    by_series = np.moveaxis(cube, 2, 1)  # (stations, pollutants, hours)
    total = int(np.count_nonzero(~np.isnan(cube)))
    station = np.empty(total, dtype=np.int16)
    pollutant = np.empty(total, dtype=np.int8)
    micros = np.empty(total, dtype=np.int64)
    values = np.empty(total)
    at = 0
    for lo in range(0, n, 100):  # a block of stations at a time keeps the generator's memory small
        block = by_series[lo : lo + 100]
        st, pol, hour = np.nonzero(~np.isnan(block))
        end = at + st.size
        station[at:end], pollutant[at:end] = st + lo, pol
        micros[at:end] = start + hour * 3_600_000_000
        values[at:end] = block[st, pol, hour]
        at = end
    return pd.DataFrame(
        {
            "mn": pd.Categorical.from_codes(station, categories=pd.Index([f"ST{k:05d}" for k in range(n)])),
            "pollutant": pd.Categorical.from_codes(pollutant, categories=list(POLLUTANTS)),
            "time": pd.DatetimeIndex(micros.view("datetime64[us]"), tz="UTC"),
            "value": values,
        }
    )


def water_rivers(n_sections: int) -> npt.NDArray[np.int64]:
    """River number of each section: rivers of 10 sections, the last 5 % on rivers of 3 (graded by
    averaging, the method for fewer than 5 sections)."""
    long_part = (n_sections * 19 // 20) // 10 * 10
    river = np.empty(n_sections, dtype=np.int64)
    river[:long_part] = np.arange(long_part) // 10
    river[long_part:] = long_part // 10 + np.arange(n_sections - long_part) // 3
    return river


def water_arrays(
    n_sections: int, seed: int = 2
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """(section, time [ns since epoch, UTC], values (rows × items)) of 4-hourly samples, section-major."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(AIR_FIRST_DAY, tz=BEIJING).value
    times = start + np.arange(SAMPLES, dtype=np.int64) * 4 * 3_600_000_000_000
    section = np.repeat(np.arange(n_sections, dtype=np.int64), SAMPLES)
    values = np.empty((n_sections * SAMPLES, len(WATER_ITEMS)))
    for k, item in enumerate(WATER_ITEMS):
        median, sigma, decimals = _WATER_LEVELS[item]
        factor = np.repeat(rng.lognormal(0.0, sigma * 0.8, size=n_sections), SAMPLES)
        noise = rng.lognormal(0.0, sigma * 0.6, size=n_sections * SAMPLES)
        values[:, k] = np.round(median * factor * noise, decimals)
    values[rng.random(values.shape) < 0.02] = np.nan
    return section, np.tile(times, n_sections), values


def water_frame(n_sections: int, seed: int = 2) -> pd.DataFrame:
    """Samples as :mod:`lianfang.reports.reading` gives them: index (section, time), item columns."""
    section, times, values = water_arrays(n_sections, seed)
    index = pd.MultiIndex.from_arrays(
        [
            pd.Index([f"S{s:05d}" for s in range(n_sections)])[section],
            pd.DatetimeIndex(times, tz="UTC"),
        ],
        names=["section", "time"],
    )
    return pd.DataFrame(values, index=index, columns=list(WATER_ITEMS))
