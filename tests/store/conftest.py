"""Store fixtures: a real DuckDB file in a temp directory, and batch builders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lianfang.model import BEIJING, DataKind, Jurisdiction, Observation, ObservationBatch
from lianfang.store.duckdb import DuckDBStore, open_store

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=BEIJING)  # = 2024-05-01T00:00Z


def hours(n: int) -> datetime:
    return T0 + timedelta(hours=n)


def batch(
    *rows: tuple[str, str, int, float | None] | tuple[str, str, int, float | None, str],
) -> ObservationBatch:
    """Hourly observations from ``(mn, param, hour offset, value[, flag])`` tuples."""
    b = ObservationBatch()
    for row in rows:
        mn, param, hour, value = row[:4]
        flag = row[4] if len(row) == 5 else "N"
        b.append(Observation(mn, param, DataKind.HOUR, hours(hour), value, flag))
    return b


@pytest.fixture
def store_path(data_dir: Path) -> Path:
    return data_dir / "lianfang.duckdb"


@pytest.fixture
def store(store_path: Path) -> Iterator[DuckDBStore]:
    s = open_store(store_path)
    s.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    s.upsert_jurisdiction(Jurisdiction("CQ", "重庆市"))
    yield s
    s.close()
