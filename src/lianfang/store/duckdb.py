"""The embedded store: one DuckDB file, one writer thread, readers on their own cursors.

:class:`DuckDBStore` is assembled from table families, each a class deriving from
:class:`~lianfang.store.core.DuckDBCore`:

* :class:`~lianfang.store.registry.RegistryTables` — jurisdictions, stations;
* :class:`~lianfang.store.observations.ObservationTables` — observations and their corrections.

How to extend it with your own tables (e.g. sharing: tokens, agreements, audit):

1. Put the DDL in a migration: append one line to ``lianfang.store.schema.MIGRATIONS``,
   ``Migration(2, "sharing: tokens, agreements, audit", SHARING_SQL)``; keep ``SHARING_SQL`` in
   ``schema.py`` or a module that imports nothing from ``lianfang.store`` (no import cycle).
2. Write ``class SharingTables(DuckDBCore)`` in ``lianfang/store/sharing.py``. Write with
   ``self._write(fn, action)`` (``fn(con)`` runs on the writer thread in its own transaction and
   its return value comes back; raise a ``LianfangError`` inside ``fn`` to roll back) or
   ``self._submit`` (a Future, for callers that must not block); read with
   ``self._fetch(sql, params, action=…)`` / ``self._fetch_arrow(...)`` (a fresh cursor each).
   Never keep a connection or cursor of your own: only the writer thread writes.
3. Add ``SharingTables`` to the bases of :class:`DuckDBStore` below.

Open a store with :func:`open_store` (also exported as ``lianfang.store.open_store``).
"""

from __future__ import annotations

from pathlib import Path

from lianfang.store.observations import ObservationTables
from lianfang.store.registry import RegistryTables
from lianfang.store.sharing import SharingTables

__all__ = ["DuckDBStore", "open_store"]


class DuckDBStore(RegistryTables, ObservationTables, SharingTables):
    """A :class:`~lianfang.store.base.Store` on a DuckDB file (see the module docstring)."""

    def __enter__(self) -> DuckDBStore:
        return self


def open_store(path: str | Path, *, read_only: bool = False) -> DuckDBStore:
    """Open (creating and migrating if needed) the DuckDB store file at ``path``.

    Raises ``ConfigError`` for a missing or unusable directory, ``StoreLockedError`` when another
    process holds the file, ``StoreError`` for anything else; every message is one line.
    ``read_only=True`` neither creates nor migrates and refuses writes.
    """
    return DuckDBStore(path, read_only=read_only)
