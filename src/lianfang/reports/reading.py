"""From stored observations to the inputs of :mod:`lianfang.assess`, counting what is left out.

* Air: hourly values (``kind = hour``, HJ 212 CN 2061, period start) of the six HJ 633 pollutants →
  the cube ``(stations, hours, pollutants)`` of :mod:`lianfang.assess.air_daily`, NaN where missing.
  Units as stored: [µg/m³], CO [mg/m³] (DESIGN.md: air stations send CO in mg/m³).
* Water: samples of the GB 3838 items → a frame indexed by (section, time) with one column per item,
  in [mg/L]: HJ 212 codes whose default unit is µg/L (Pb, Cd, Hg, As, Cr(VI), Se) are converted at this
  edge (``water_limits.to_gb3838_unit``); values stored under a GB 3838 item name are taken as mg/L.

Left out, and counted (:class:`~lianfang.reports.exclusions.Exclusions`): values flagged other than
``N`` (DESIGN.md: "a data flag other than N marks a value that the assessments exclude"; HJ 663 and
环办[2011]22号 assess valid monitoring data only), empty values, negative concentrations, pH outside
0–14, and hourly air values not on the hour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lianfang.assess.air_daily import POLLUTANTS, hourly_cube
from lianfang.assess.water_limits import HJ212_DEFAULT_UNITS, UnknownItemError, canonical_item, to_gb3838_unit
from lianfang.model import DataKind
from lianfang.reports.exclusions import (
    NEGATIVE,
    NO_VALUE,
    NOT_ON_THE_HOUR,
    OUT_OF_RANGE,
    Exclusions,
    flag_reason,
)
from lianfang.reports.scope import DayRange
from lianfang.store.base import OBSERVATION_SCHEMA, ObservationQuery, Store

__all__ = [
    "AIR_CODES",
    "WATER_KIND_PREFERENCE",
    "AirHours",
    "WaterSamples",
    "read_air_hours",
    "read_water_samples",
]

#: HJ 212-2017 Table B.2 code -> HJ 633 pollutant (O3 a05024 is the HJ 524-2009 code air stations use;
#: reference/hj212.md §8.2). Stored units: [µg/m³], CO [mg/m³].
AIR_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {"a21026": "SO2", "a21004": "NO2", "a21005": "CO", "a05024": "O3", "a34002": "PM10", "a34004": "PM2.5"}
)

#: Water data kinds, preferred first: a section is assessed from one kind only, so that the 4-hourly
#: automatic data (CN 2061) and the 30-s real-time values of the same logger are not pooled. Lab samples
#: imported without a kind are ``rtd`` and are used when the section has nothing coarser.
WATER_KIND_PREFERENCE: Final[tuple[DataKind, ...]] = (DataKind.HOUR, DataKind.DAY, DataKind.MIN, DataKind.RTD)

_US_PER_HOUR = 3_600_000_000


FloatArray = npt.NDArray[np.float64]


def _screen(table: pa.Table) -> tuple[pa.Table, list[Exclusions]]:
    """Drop empty and flagged values; return the kept rows and the exclusions."""
    empty = pc.is_null(table["value"])
    flagged = pc.and_(pc.invert(empty), pc.not_equal(table["flag"], pa.scalar("N")))
    dropped = pc.or_(empty, flagged)
    if not pc.any(dropped).as_py():
        return table, []
    excluded = [
        Exclusions.tally(_keys(table.filter(empty)), NO_VALUE),
        _tally_flags(table.filter(flagged)),
    ]
    return table.filter(pc.invert(dropped)), excluded


def _keys(table: pa.Table) -> pd.DataFrame:
    return table.select(["mn", "param"]).to_pandas()


def _tally_flags(table: pa.Table) -> Exclusions:
    rows = table.select(["mn", "param", "flag"]).to_pandas()
    return Exclusions.tally(rows, rows["flag"].map(flag_reason)) if len(rows) else Exclusions.empty()


def _categorical(column: pa.ChunkedArray[Any]) -> pd.Categorical:
    """A string column as a pandas Categorical, without a Python string per row."""
    encoded = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(column.combine_chunks()))
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    categories = pd.Index([str(v) for v in encoded.dictionary.to_pylist()], dtype=object)
    return pd.Categorical.from_codes(codes, categories=categories)


def _utc_micros(column: pa.ChunkedArray[Any]) -> npt.NDArray[np.int64]:
    # The store's times are timestamp[us, UTC]; their integers are microseconds since the epoch.
    micros = pc.cast(column, pa.timestamp("us", tz="UTC")).cast(pa.int64())
    return np.asarray(micros.to_numpy(), dtype=np.int64)


@dataclass(frozen=True)
class AirHours:
    """Hourly air values of some stations over some days.

    ``cube[s, h, p]``: station ``stations[s]``, hour ``h`` from 00:00 Beijing time of ``days.first``,
    pollutant ``POLLUTANTS[p]`` [µg/m³; CO mg/m³]; NaN where missing or excluded. Stations without a
    single usable value are not in the cube.
    """

    days: DayRange
    stations: tuple[str, ...]
    cube: FloatArray
    values_used: int
    exclusions: Exclusions


def read_air_hours(store: Store, mns: Sequence[str], days: DayRange) -> AirHours:
    """Read the hourly values of the six pollutants of ``mns`` over ``days``."""
    table = store.read_observations(
        ObservationQuery(
            mns=list(mns), params=list(AIR_CODES), kinds=[DataKind.HOUR], start=days.start, end=days.end
        )
    )
    kept, dropped = _screen(table.select(["mn", "param", "time", "value", "flag"]))
    negative = pc.less(kept["value"], pa.scalar(0.0))
    if pc.any(negative).as_py():
        dropped.append(Exclusions.tally(_keys(kept.filter(negative)), NEGATIVE))
        kept = kept.filter(pc.invert(negative))
    micros = _utc_micros(kept["time"])
    # Beijing is UTC+8, a whole number of hours: on the hour in UTC is on the hour in Beijing.
    off_hour = (micros % _US_PER_HOUR) != 0
    if off_hour.any():
        dropped.append(Exclusions.tally(_keys(kept.filter(pa.array(off_hour))), NOT_ON_THE_HOUR))
        kept = kept.filter(pa.array(~off_hour))
        micros = micros[~off_hour]
    long = pd.DataFrame(
        {
            "mn": _categorical(kept["mn"]),
            "time": pd.to_datetime(micros, unit="us", utc=True),
            "pollutant": _categorical(kept["param"]).rename_categories(
                lambda code: AIR_CODES.get(str(code), str(code))
            ),
            "value": np.asarray(kept["value"].to_numpy(), dtype=np.float64),
        }
    )
    cube, stations = hourly_cube(long, days.first, days.n_days, pollutants=POLLUTANTS)
    return AirHours(
        days=days,
        stations=tuple(str(s) for s in stations),
        cube=cube,
        values_used=len(long),
        exclusions=Exclusions.concat(dropped),
    )


@dataclass(frozen=True)
class WaterSamples:
    """Samples of water sections: ``frame`` is indexed by (``section``, ``time``) [aware], one column
    per GB 3838 item [mg/L; pH 1; FC 个/L; WT °C]. ``kinds`` says which data kind each section was
    assessed from; ``unassessed`` counts values of parameters that are not GB 3838 items (conductivity,
    turbidity …), which are not exclusions but are reported."""

    days: DayRange
    frame: pd.DataFrame
    kinds: Mapping[str, DataKind]
    values_used: int
    exclusions: Exclusions
    unassessed: Mapping[str, int]


def _water_rows(
    store: Store, mns: Sequence[str], days: DayRange, kind: DataKind | None
) -> tuple[pa.Table, dict[str, DataKind]]:
    kinds: dict[str, DataKind] = {}
    parts: list[pa.Table] = []
    remaining = list(mns)
    for candidate in (kind,) if kind is not None else WATER_KIND_PREFERENCE:
        if not remaining:
            break
        table = store.read_observations(
            ObservationQuery(mns=remaining, kinds=[candidate], start=days.start, end=days.end)
        )
        if table.num_rows == 0:
            continue
        found = {str(mn) for mn in pc.unique(table["mn"]).to_pylist()}
        kinds.update({mn: candidate for mn in found})
        remaining = [mn for mn in remaining if mn not in found]
        parts.append(table.select(["mn", "param", "time", "value", "flag"]))
    if not parts:
        return OBSERVATION_SCHEMA.empty_table().select(["mn", "param", "time", "value", "flag"]), kinds
    return pa.concat_tables(parts), kinds


def _item_of(param: str) -> str | None:
    try:
        return canonical_item(param)
    except UnknownItemError:
        return None


def read_water_samples(
    store: Store, mns: Sequence[str], days: DayRange, *, kind: DataKind | None = None
) -> WaterSamples:
    """Read the GB 3838 items of sections ``mns`` over ``days``; each section from one data kind
    (``kind``, or the first of :data:`WATER_KIND_PREFERENCE` it has)."""
    table, kinds = _water_rows(store, mns, days, kind)
    items = {str(p): _item_of(str(p)) for p in pc.unique(table["param"]).to_pylist()}
    known = pc.is_in(table["param"], pa.array([p for p, i in items.items() if i is not None], pa.string()))
    unassessed = {
        str(k): int(v) for k, v in _keys(table.filter(pc.invert(known))).groupby("param").size().items()
    }
    kept_table, dropped = _screen(table.filter(known))
    kept = pd.DataFrame(
        {
            "mn": kept_table["mn"].to_numpy(),
            "param": kept_table["param"].to_numpy(),
            "time": pd.to_datetime(_utc_micros(kept_table["time"]), unit="us", utc=True),
            "value": np.asarray(kept_table["value"].to_numpy(), dtype=np.float64),
        }
    )
    kept["item"] = kept["param"].map(items)
    values = kept["value"].to_numpy(dtype=np.float64).copy()
    for param in kept["param"].unique():
        unit = HJ212_DEFAULT_UNITS.get(str(param).lower())
        if unit is not None:
            rows = (kept["param"] == param).to_numpy()
            values[rows] = to_gb3838_unit(str(items[str(param)]), values[rows], unit)
    kept["value"] = values
    is_ph = (kept["item"] == "pH").to_numpy()
    is_wt = (kept["item"] == "WT").to_numpy()
    impossible = is_ph & ((values < 0) | (values > 14))
    negative = ~is_ph & ~is_wt & (values < 0)
    dropped.append(Exclusions.tally(kept[impossible], OUT_OF_RANGE))
    dropped.append(Exclusions.tally(kept[negative], NEGATIVE))
    kept = kept[~impossible & ~negative]
    # One value per (section, time, item); two parameters naming the same item at the same time
    # (an HJ 212 code and a lab file's item name) are averaged.
    wide = kept.groupby(["mn", "time", "item"], sort=True)["value"].mean().unstack("item")
    wide.index = wide.index.set_names(["section", "time"])
    wide.columns.name = None
    return WaterSamples(
        days=days,
        frame=wide,
        kinds=kinds,
        values_used=len(kept),
        exclusions=Exclusions.concat(dropped),
        unassessed=unassessed,
    )
