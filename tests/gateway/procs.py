"""Running ``lianfang run`` as a subprocess for durability and CLI tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

__all__ = ["free_port", "healthz", "start_server", "stop_server"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, hj212_port: int, http_port: int, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LIANFANG_HJ212_HOST": "127.0.0.1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lianfang", "run", "--data", str(data_dir), "--hj212-port", str(hj212_port),
         "--http-port", str(http_port), "--no-sim", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}"
            )
        try:
            healthz(http_port)
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not come up")


def healthz(http_port: int) -> dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=2) as response:
        body: dict[str, object] = json.loads(response.read())
        return body


def stop_server(proc: subprocess.Popen[str], timeout: float = 20) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
