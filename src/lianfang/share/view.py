"""A read-only :class:`~lianfang.store.base.Store` seen through one caller's eyes.

Services written against the Store protocol (the assessment reports, exports, the dashboard) can be
handed a ``CallerStore`` instead of the store: every read goes through the :class:`SharedReader`
(clipped to what the caller may see, audited under ``via``) and every write is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from lianfang.errors import ForbiddenError, NotFoundError
from lianfang.model import DataKind, Jurisdiction, ObservationBatch, Station, StationKind, WriteResult
from lianfang.share.caller import Caller
from lianfang.share.reader import SharedReader
from lianfang.store.base import ObservationQuery

__all__ = ["CallerStore"]


class CallerStore:
    """The store as ``caller`` may read it through ``reader``; reads are audited as ``via``."""

    def __init__(self, reader: SharedReader, caller: Caller, *, via: str) -> None:
        self._reader = reader
        self._caller = caller
        self._via = via

    # --- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Nothing to close: the underlying store belongs to whoever opened it."""

    # --- registry --------------------------------------------------------------------------------
    def jurisdictions(self) -> list[Jurisdiction]:
        return self._reader.jurisdictions()

    def station(self, mn: str) -> Station | None:
        try:
            return self._reader.station(self._caller, mn)
        except NotFoundError:
            return None

    def stations(self, *, jurisdiction: str | None = None, kind: StationKind | None = None) -> list[Station]:
        return self._reader.stations(self._caller, kind=kind, jurisdiction=jurisdiction)

    # --- observations ----------------------------------------------------------------------------
    def read_observations(self, query: ObservationQuery) -> pa.Table:
        return self._reader.observations(self._caller, query, via=self._via)

    def latest(self, *, mns: Sequence[str] | None = None, kind: DataKind | None = None) -> pa.Table:
        return self._reader.latest(self._caller, mns=mns, kind=kind, via=self._via)

    def observation_times(self, mn: str, kind: DataKind, start: datetime, end: datetime) -> list[datetime]:
        table = self.read_observations(ObservationQuery(mns=[mn], kinds=[kind], start=start, end=end))
        return sorted(t for t in pc.unique(table.column("time")).to_pylist() if isinstance(t, datetime))

    def count_observations(self) -> int:
        return self._reader.count_observations(self._caller, ObservationQuery(), via=self._via)

    def pending_observations(self) -> int:
        return 0

    # --- writes are not this view's business -------------------------------------------------------
    def _refuse(self) -> ForbiddenError:
        return ForbiddenError("this view of the store is read-only")

    def upsert_jurisdiction(self, jurisdiction: Jurisdiction) -> None:
        raise self._refuse()

    def upsert_station(self, station: Station) -> None:
        raise self._refuse()

    def upsert_stations(self, stations: Sequence[Station]) -> None:
        raise self._refuse()

    def set_station_password(self, mn: str, password_hash: str) -> None:
        raise self._refuse()

    def write_observations(self, batch: ObservationBatch) -> WriteResult:
        raise self._refuse()

    def submit_observations(self, batch: ObservationBatch) -> Future[WriteResult]:
        raise self._refuse()

    def write_observation_table(self, table: pa.Table) -> WriteResult:
        raise self._refuse()
