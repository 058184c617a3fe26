"""Persistence edge: the only package that speaks SQL.

``open_store`` imports the DuckDB backend on first use, so that importing the contract
(``lianfang.store.base``) stays cheap for modules that only type against it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lianfang.store.base import OBSERVATION_SCHEMA, ObservationQuery, Store

if TYPE_CHECKING:
    from lianfang.store.duckdb import DuckDBStore

__all__ = ["OBSERVATION_SCHEMA", "ObservationQuery", "Store", "open_store"]


def open_store(path: str | Path, *, read_only: bool = False) -> DuckDBStore:
    """:func:`lianfang.store.duckdb.open_store` (imported on first use)."""
    from lianfang.store import duckdb  # lazy: see the module docstring

    return duckdb.open_store(path, read_only=read_only)
