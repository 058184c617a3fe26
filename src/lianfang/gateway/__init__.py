"""The HJ 212 gateway: the asyncio edge where data loggers connect (the only module with sockets).

Public API: :class:`Gateway` (start/close/status), :class:`GatewayConfig`, :class:`BackfillConfig`,
:class:`Metrics` (counters, Prometheus text), :class:`ListenError`.
"""

from .backfill import BackfillConfig
from .config import GatewayConfig
from .errors import ListenError
from .metrics import Metrics
from .server import Gateway

__all__ = ["BackfillConfig", "Gateway", "GatewayConfig", "ListenError", "Metrics"]
