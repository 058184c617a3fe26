"""``lianfang run`` as a subprocess: health over HTTP, clean SIGTERM, one-line errors."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gateway.procs import free_port, healthz, start_server, stop_server


def _viewer_token(data: Path) -> str:
    """A station of SC (so the agency exists) and a viewer token of SC, made before the server starts."""
    lianfang = [sys.executable, "-m", "lianfang"]
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *lianfang,
            "station",
            "add",
            "--data",
            str(data),
            "--mn",
            "M1",
            "--password",
            "123456",
            "--kind",
            "water",
            "--jurisdiction",
            "SC",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    created = subprocess.run(
        [*lianfang, "token", "create", "--data", str(data), "--agency", "SC", "--role", "viewer"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return created.stdout.strip().splitlines()[-1]


def test_run_no_sim_serves_healthz_metrics_and_stops_on_sigterm(tmp_path: Path) -> None:
    hj212, http = free_port(), free_port()
    token = _viewer_token(tmp_path / "data")
    proc = start_server(tmp_path / "data", hj212, http)
    body = healthz(http)
    assert body["ok"] is True
    assert body["store"] == {"ok": True, "observations": 0}
    gateway = body["gateway"]
    assert isinstance(gateway, dict)
    assert gateway["listening"] is True
    assert gateway["port"] == hj212
    import urllib.error
    import urllib.request

    url = f"http://127.0.0.1:{http}/metrics"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=2)
    assert refused.value.code == 401  # every request but /healthz carries a token
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=2) as response:
        text = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/plain")
    assert "lianfang_gateway_packets_total 0" in text
    with socket.create_connection(("127.0.0.1", hj212), timeout=2):
        pass  # the HJ 212 port accepts loggers
    assert stop_server(proc) == 0
    assert (tmp_path / "data" / "lianfang.duckdb").exists()


def _run_fails(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lianfang", "run", "--no-sim", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_taken_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for flag, other in (("--hj212-port", "--http-port"), ("--http-port", "--hj212-port")):
            result = _run_fails("--data", str(tmp_path / "d"), flag, str(port), other, str(free_port()))
            assert result.returncode != 0
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, result.stderr
            assert "already in use" in lines[0]
            assert "Traceback" not in result.stderr


def test_store_held_by_another_process_is_a_one_line_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = start_server(data, free_port(), free_port())
    try:
        result = _run_fails(
            "--data", str(data), "--hj212-port", str(free_port()), "--http-port", str(free_port())
        )
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    finally:
        assert stop_server(proc) == 0


def test_unusable_data_directory_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = _run_fails("--data", str(blocker / "data"), "--hj212-port", str(free_port()), "--http-port", "0")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "data directory" in result.stderr


def _without_root_powers() -> list[str]:
    """A command prefix under which file permissions apply (root normally bypasses them)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", "--"]


def test_unreadable_data_directory_is_a_one_line_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    try:
        command = [*_without_root_powers(), sys.executable, "-m", "lianfang", "run", "--no-sim"]
        command += ["--data", str(locked), "--hj212-port", str(free_port()), "--http-port", str(free_port())]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        locked.chmod(0o700)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "data directory" in result.stderr
    assert "Traceback" not in result.stderr
