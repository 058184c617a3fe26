"""Shared fixtures: a fresh data directory per test; a store held by another process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_HOLD_STORE = (
    "import sys; from lianfang.store.duckdb import open_store; s = open_store(sys.argv[1]); "
    "print('OPEN', flush=True); sys.stdin.read(); s.close()"
)


@contextmanager
def store_held_by_another_process(store_file: Path) -> Iterator[int]:
    """Open ``store_file`` in a child process (as a running server would) and yield its PID."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_STORE, str(store_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "OPEN"
        yield holder.pid
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d
