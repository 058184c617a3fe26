"""Tables of the embedded store and their ordered migrations.

A migration is ``(version, name, sql)``. :data:`MIGRATIONS` is applied in order at open, each in its
own transaction together with its row in ``schema_migrations``, so a store is always at a version
that some release knew. Versions are append-only: never edit a migration that has shipped; add the
next one. To add one, append a line to :data:`MIGRATIONS`, e.g. (the sharing tables)::

    Migration(2, "sharing", SHARING_SQL),

and keep its SQL in a module that imports nothing from ``lianfang.store`` (or in this one), so that
``schema`` stays free of import cycles. Version 1 (below) is the core: registry and observations.
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb

from lianfang.store.series_schema import SERIES_SQL
from lianfang.store.sharing_schema import SHARING_SQL

__all__ = ["MIGRATIONS", "Migration", "apply_migrations", "schema_version"]


class Migration(NamedTuple):
    version: int
    name: str
    sql: str


_CORE_SQL = """
CREATE TABLE jurisdictions (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);

CREATE TABLE stations (
    mn VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('water', 'air', 'source')),
    jurisdiction VARCHAR NOT NULL,
    lon DOUBLE CHECK (lon BETWEEN -180 AND 180),
    lat DOUBLE CHECK (lat BETWEEN -90 AND 90),
    river VARCHAR,
    river_km DOUBLE,
    section_level VARCHAR CHECK (section_level IN ('national', 'provincial', 'cross-border')),
    target_class TINYINT CHECK (target_class BETWEEN 1 AND 5),
    water_body VARCHAR NOT NULL DEFAULT 'river' CHECK (water_body IN ('river', 'lake')),
    simulated BOOLEAN NOT NULL DEFAULT false,
    min_interval INTEGER CHECK (min_interval > 0),
    active BOOLEAN NOT NULL DEFAULT true,
    password_hash VARCHAR NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Key (mn, param, kind, time) is kept unique by the single writer's merge, not by an index:
-- measured on 2M rows, a PRIMARY KEY made group commits 2-3x slower and the file 6x larger,
-- and an ART index on (mn, param, time) does not serve range reads (zone maps on time do).
CREATE TABLE observations (
    mn VARCHAR NOT NULL,
    param VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    time TIMESTAMPTZ NOT NULL,
    value DOUBLE,
    flag VARCHAR NOT NULL,
    qn VARCHAR,
    received_at TIMESTAMPTZ NOT NULL
);

-- One row per correction: the value a key had before, and the one that replaced it.
CREATE TABLE observation_corrections (
    mn VARCHAR NOT NULL,
    param VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    time TIMESTAMPTZ NOT NULL,
    old_value DOUBLE,
    old_flag VARCHAR NOT NULL,
    old_qn VARCHAR,
    old_received_at TIMESTAMPTZ,
    new_value DOUBLE,
    new_flag VARCHAR NOT NULL,
    new_qn VARCHAR,
    new_received_at TIMESTAMPTZ,
    corrected_at TIMESTAMPTZ NOT NULL
);
"""

#: Every migration, in order. Append only.
MIGRATIONS: list[Migration] = [
    Migration(1, "core: jurisdictions, stations, observations, corrections", _CORE_SQL),
    Migration(2, "sharing: api tokens, agreements, audit log, latest values", SHARING_SQL),
    Migration(3, "series numbers on observations, latest-values snapshot, compaction ledger", SERIES_SQL),
]

_LEDGER_SQL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


def _check_order(migrations: list[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migration versions must be 1, 2, 3 … in order, got {versions}")


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration, 0 for a new file (no ledger yet)."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()
    if found[0][0] == 0:
        return 0
    rows = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()
    return int(rows[0][0])


def apply_migrations(con: duckdb.DuckDBPyConnection, migrations: list[Migration] | None = None) -> list[int]:
    """Apply the migrations a store lacks, each in its own transaction; return their versions.

    Raises ``ValueError`` when the store is newer than the code (a downgrade): the caller maps it.
    """
    todo = MIGRATIONS if migrations is None else migrations
    _check_order(todo)
    con.execute(_LEDGER_SQL).fetchall()
    current = schema_version(con)
    if current > len(todo):
        raise ValueError(f"store schema version {current} is newer than this lianfang ({len(todo)})")
    applied: list[int] = []
    for migration in todo[current:]:
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            con.execute(migration.sql).fetchall()
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            ).fetchall()
            con.execute("COMMIT").fetchall()
        except BaseException:
            con.execute("ROLLBACK").fetchall()
            raise
        applied.append(migration.version)
    return applied
