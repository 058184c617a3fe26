"""Frozen settings, built once by a composition root (``api``, ``web``, ``cli``) from TOML and env.

Precedence: explicit keyword arguments > environment (``LIANFANG_*``) > TOML file > defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from lianfang.errors import ConfigError

__all__ = ["Settings", "load_settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("data")
    hj212_host: str = "0.0.0.0"
    hj212_port: int = 6000
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    max_connections: int = 10_000
    idle_timeout: float = 600.0  # [s] a logger silent this long is disconnected
    max_frame: int = 1024  # [bytes] HJ 212-2017 §6.3.1: data segment 0..1024
    simulate: bool = True

    @property
    def store_path(self) -> Path:
        return self.data_dir / "lianfang.duckdb"


def _coerce(name: str, raw: Any, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "yes", "on"}
        if isinstance(default, Path):
            return Path(raw)
        return type(default)(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: cannot use {raw!r}") from exc


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    base = Settings()
    values: dict[str, Any] = {}
    if config is not None:
        try:
            values.update(tomllib.loads(config.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config {config}: {exc}") from exc
    for f in fields(Settings):
        env = os.environ.get(f"LIANFANG_{f.name.upper()}")
        if env is not None:
            values[f.name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - {f.name for f in fields(Settings)}
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    coerced = {k: _coerce(k, v, getattr(base, k)) for k, v in values.items()}
    return replace(base, **coerced)
