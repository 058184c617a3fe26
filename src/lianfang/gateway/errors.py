"""Gateway errors: the ones an operator sees when the gateway cannot start."""

from __future__ import annotations

from lianfang.errors import ConfigError

__all__ = ["ListenError"]


class ListenError(ConfigError):
    """The HJ 212 port cannot be bound (taken, not permitted, bad address)."""

    code = "listen"
