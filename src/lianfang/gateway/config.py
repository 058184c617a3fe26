"""Gateway limits and timings. The composition root (``lianfang run``) fills it from Settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from lianfang.hj212 import Tolerance

from .backfill import BackfillConfig

__all__ = ["GatewayConfig"]


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    host: str = "0.0.0.0"
    port: int = 6000  # 0 = any free port (tests); Gateway.port tells which
    max_connections: int = 10_000
    idle_timeout: float = 600.0  # [s] a logger that sends nothing this long is disconnected
    # HJ 212-2017 §6.3.1 Table 2: "数据段 … 0≤长度≤1024"; raise only through ``tolerance``.
    max_data_len: int = 1024  # [bytes]
    max_read: int = 64 * 1024  # [bytes] most read from one socket at once = most held while paused
    max_pending_values: int = 200_000  # stop reading from loggers above this many uncommitted values
    split_wait: float = 5.0  # [s] an incomplete split upload is stored as it is after this silence
    station_recheck: float = 30.0  # [s] least time between store reads for one unknown/mismatched MN
    station_reload: float = 300.0  # [s] full registry reload period (0 = never)
    shutdown_timeout: float = 10.0  # [s] for flushing commits and writing the last answers
    tolerance: Tolerance = field(default_factory=Tolerance)
    backfill: BackfillConfig = field(default_factory=BackfillConfig)
