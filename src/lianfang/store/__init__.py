"""Persistence edge: the only package that speaks SQL."""

from lianfang.store.base import OBSERVATION_SCHEMA, ObservationQuery, Store

__all__ = ["OBSERVATION_SCHEMA", "ObservationQuery", "Store"]
