"""Opening the file: a second process, missing directories, files that are not stores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lianfang.errors import ConfigError, StoreError, StoreLockedError
from lianfang.store.duckdb import open_store

_HOLDER = """
import sys
from lianfang.store.duckdb import open_store
store = open_store(sys.argv[1])
print("OPEN", flush=True)
sys.stdin.read()
store.close()
"""


def test_file_held_by_another_process(store_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(store_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "OPEN"
        for read_only in (False, True):
            with pytest.raises(StoreLockedError) as caught:
                open_store(store_path, read_only=read_only)
            message = caught.value.message
            assert "\n" not in message
            assert str(store_path) in message
            assert f"PID {holder.pid}" in message
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    open_store(store_path).close()  # free again


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as caught:
        open_store(tmp_path / "nope" / "lianfang.duckdb")
    assert "\n" not in caught.value.message


def test_directory_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(ConfigError, match="not a directory"):
        open_store(tmp_path / "plain" / "lianfang.duckdb")


def test_store_path_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "lianfang.duckdb").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        open_store(tmp_path / "lianfang.duckdb")


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    path = tmp_path / "lianfang.duckdb"
    path.write_bytes(b"not a database" * 1000)
    with pytest.raises(StoreError, match="cannot open store") as caught:
        open_store(path)
    assert "\n" not in caught.value.message
    assert caught.value.__cause__ is not None
