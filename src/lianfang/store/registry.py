"""Jurisdictions and stations in the DuckDB store.

Passwords are stored only as the hash the caller gives (``lianfang.credentials.hash_secret``); the
store never sees a clear-text password. A station's jurisdiction must exist first
(:meth:`RegistryTables.upsert_jurisdiction`), so a typo in a code cannot create a stray one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from lianfang.errors import InputError, NotFoundError
from lianfang.model import Jurisdiction, SectionLevel, Station, StationKind, WaterBody
from lianfang.store.core import DuckDBCore

__all__ = ["RegistryTables"]

_STATION_SCHEMA_FIELDS: list[pa.Field[Any]] = [
    pa.field("mn", pa.string()),
    pa.field("name", pa.string()),
    pa.field("kind", pa.string()),
    pa.field("jurisdiction", pa.string()),
    pa.field("lon", pa.float64()),
    pa.field("lat", pa.float64()),
    pa.field("river", pa.string()),
    pa.field("river_km", pa.float64()),
    pa.field("section_level", pa.string()),
    pa.field("target_class", pa.int8()),
    pa.field("water_body", pa.string()),
    pa.field("simulated", pa.bool_()),
    pa.field("min_interval", pa.int32()),
    pa.field("active", pa.bool_()),
    pa.field("password_hash", pa.string()),
]
_STATION_SCHEMA = pa.schema(_STATION_SCHEMA_FIELDS)
_COLUMNS = ", ".join(_STATION_SCHEMA.names)
_UPDATES = ", ".join(
    f"{name} = excluded.{name}" for name in _STATION_SCHEMA.names if name not in {"mn", "password_hash"}
)
# Protocol: "an empty hash on an existing station keeps the stored one".
_UPSERT_SQL = f"""
INSERT INTO stations ({_COLUMNS}, updated_at)
SELECT {_COLUMNS}, now() FROM lf_stations
ON CONFLICT (mn) DO UPDATE SET {_UPDATES}, updated_at = now(),
    password_hash = CASE WHEN excluded.password_hash = '' THEN stations.password_hash
                         ELSE excluded.password_hash END
"""


def _check(station: Station) -> None:
    where = f"station {station.mn!r}"
    if not station.mn.strip():
        raise InputError("station MN is empty")
    if not station.name.strip():
        raise InputError(f"{where}: empty name")
    StationKind(station.kind)  # raises ValueError on junk; mapped below
    if station.lon is not None and not (math.isfinite(station.lon) and -180 <= station.lon <= 180):
        raise InputError(f"{where}: longitude {station.lon} is not within -180..180 [degrees]")
    if station.lat is not None and not (math.isfinite(station.lat) and -90 <= station.lat <= 90):
        raise InputError(f"{where}: latitude {station.lat} is not within -90..90 [degrees]")
    # GB 3838-2002 §4: five classes, I to V.
    if station.target_class is not None and not 1 <= station.target_class <= 5:
        raise InputError(f"{where}: target class {station.target_class} is not 1..5 (GB 3838 I–V)")
    if station.min_interval is not None and station.min_interval <= 0:
        raise InputError(f"{where}: minute interval must be positive [min]")


def _row(station: Station) -> dict[str, Any]:
    level = station.section_level
    try:
        _check(station)
        return {
            "mn": station.mn,
            "name": station.name,
            "kind": str(StationKind(station.kind)),
            "jurisdiction": station.jurisdiction,
            "lon": station.lon,
            "lat": station.lat,
            "river": station.river,
            "river_km": station.river_km,
            "section_level": None if level is None else str(SectionLevel(level)),
            "target_class": station.target_class,
            "water_body": str(WaterBody(station.water_body)),
            "simulated": station.simulated,
            "min_interval": station.min_interval,
            "active": station.active,
            "password_hash": station.password_hash,
        }
    except ValueError as exc:  # an enum given a value it does not have
        raise InputError(f"station {station.mn!r}: {exc}") from exc


def _station(row: tuple[Any, ...]) -> Station:
    v = dict(zip(_STATION_SCHEMA.names, row, strict=True))
    return Station(
        mn=v["mn"],
        name=v["name"],
        kind=StationKind(v["kind"]),
        jurisdiction=v["jurisdiction"],
        lon=v["lon"],
        lat=v["lat"],
        river=v["river"],
        river_km=v["river_km"],
        section_level=None if v["section_level"] is None else SectionLevel(v["section_level"]),
        target_class=v["target_class"],
        water_body=WaterBody(v["water_body"]),
        simulated=v["simulated"],
        min_interval=v["min_interval"],
        active=v["active"],
        password_hash=v["password_hash"],
    )


class RegistryTables(DuckDBCore):
    """The registry half of :class:`~lianfang.store.base.Store` for DuckDB."""

    def upsert_jurisdiction(self, jurisdiction: Jurisdiction) -> None:
        code, name = jurisdiction.code.strip(), jurisdiction.name.strip()
        if not code or not name:
            raise InputError(f"jurisdiction needs a code and a name, got {code!r} / {name!r}")

        def save(con: duckdb.DuckDBPyConnection) -> None:
            con.execute(
                "INSERT INTO jurisdictions (code, name) VALUES (?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name",
                [code, name],
            ).fetchall()

        self._write(save, f"saving jurisdiction {code}")

    def jurisdictions(self) -> list[Jurisdiction]:
        rows = self._fetch(
            "SELECT code, name FROM jurisdictions ORDER BY code", action="reading jurisdictions"
        )
        return [Jurisdiction(code, name) for code, name in rows]

    def upsert_station(self, station: Station) -> None:
        """Insert or replace a station; an empty ``password_hash`` keeps the stored one."""
        self.upsert_stations([station])

    def upsert_stations(self, stations: Sequence[Station]) -> None:
        """:meth:`upsert_station` for many, in one transaction (all or none; a later duplicate
        MN wins). Raises :class:`NotFoundError` naming a jurisdiction that does not exist."""
        latest = {s.mn: _row(s) for s in stations}
        if not latest:
            return
        table = pa.Table.from_pylist(list(latest.values()), schema=_STATION_SCHEMA)
        codes = sorted({row["jurisdiction"] for row in latest.values()})

        def save(con: duckdb.DuckDBPyConnection) -> None:
            known = {
                code
                for (code,) in con.execute(
                    f"SELECT code FROM jurisdictions WHERE code IN ({', '.join('?' * len(codes))})", codes
                ).fetchall()
            }
            missing = [code for code in codes if code not in known]
            if missing:
                raise NotFoundError(f"unknown jurisdiction {', '.join(missing)}: add it first")
            con.register("lf_stations", table)
            try:
                con.execute(_UPSERT_SQL).fetchall()
            finally:
                con.unregister("lf_stations")

        self._write(save, "saving stations")

    def set_station_password(self, mn: str, password_hash: str) -> None:
        """Replace the stored hash of station ``mn``. Raises :class:`NotFoundError` for an unknown MN."""
        if not password_hash:
            raise InputError("empty password hash")

        def save(con: duckdb.DuckDBPyConnection) -> None:
            rows = con.execute(
                "UPDATE stations SET password_hash = ?, updated_at = now() WHERE mn = ? RETURNING mn",
                [password_hash, mn],
            ).fetchall()
            if not rows:
                raise NotFoundError(f"no station with MN {mn}")

        self._write(save, f"saving password of station {mn}")

    def station(self, mn: str) -> Station | None:
        rows = self._fetch(
            f"SELECT {_COLUMNS} FROM stations WHERE mn = ?", [mn], action=f"reading station {mn}"
        )
        return _station(rows[0]) if rows else None

    def stations(self, *, jurisdiction: str | None = None, kind: StationKind | None = None) -> list[Station]:
        where: list[str] = []
        params: list[Any] = []
        if jurisdiction is not None:
            where.append("jurisdiction = ?")
            params.append(jurisdiction)
        if kind is not None:
            where.append("kind = ?")
            params.append(str(kind))
        sql_where = " WHERE " + " AND ".join(where) if where else ""
        rows = self._fetch(
            f"SELECT {_COLUMNS} FROM stations{sql_where} ORDER BY mn", params, action="reading stations"
        )
        return [_station(row) for row in rows]
