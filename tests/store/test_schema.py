from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lianfang.errors import StoreError
from lianfang.store.duckdb import open_store
from lianfang.store.schema import MIGRATIONS, Migration, apply_migrations, schema_version


def _ledger(path: Path) -> list[tuple[int, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [
            (v, n)
            for v, n in con.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
        ]
    finally:
        con.close()


def test_new_store_records_every_migration(store_path: Path) -> None:
    open_store(store_path).close()
    assert _ledger(store_path) == [(m.version, m.name) for m in MIGRATIONS]


def test_reopen_applies_nothing_and_keeps_data(store_path: Path) -> None:
    from lianfang.model import Jurisdiction

    with open_store(store_path) as s:
        s.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    before = _ledger(store_path)
    for _ in range(2):
        with open_store(store_path) as s:
            assert s.jurisdictions() == [Jurisdiction("SC", "四川省")]
    assert _ledger(store_path) == before


def test_appended_migration_runs_once(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    extra = [*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "extra", "CREATE TABLE extra (x INTEGER)")]
    assert apply_migrations(con) == [m.version for m in MIGRATIONS]
    assert apply_migrations(con, extra) == [len(MIGRATIONS) + 1]
    assert apply_migrations(con, extra) == []
    assert schema_version(con) == len(extra)
    con.close()


def test_failed_migration_leaves_no_trace(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    apply_migrations(con)
    broken = [*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "broken", "CREATE TABLE half (x INTEGER); SELEC 1")]
    with pytest.raises(duckdb.Error):
        apply_migrations(con, broken)
    assert schema_version(con) == len(MIGRATIONS)
    assert con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half'"
    ).fetchall() == [(0,)]
    con.close()


def test_versions_must_be_consecutive(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    with pytest.raises(ValueError, match="in order"):
        apply_migrations(con, [*MIGRATIONS, Migration(len(MIGRATIONS) + 2, "gap", "SELECT 1")])
    con.close()


def test_store_newer_than_code_is_refused(store_path: Path) -> None:
    open_store(store_path).close()
    con = duckdb.connect(str(store_path))
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')").fetchall()
    con.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(store_path)


def test_read_only_open_needs_a_migrated_store(store_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        open_store(store_path, read_only=True)
    con = duckdb.connect(str(store_path))
    apply_migrations(con, MIGRATIONS[:0])  # ledger only, version 0
    con.close()
    with pytest.raises(StoreError, match="schema version 0"):
        open_store(store_path, read_only=True)
    open_store(store_path).close()
    with open_store(store_path, read_only=True) as s:
        assert s.count_observations() == 0
