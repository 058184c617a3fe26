"""``lianfang serve`` as a subprocess on a free 127.0.0.1 port, for tests from outside the process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

__all__ = ["LiveServer"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    """Start ``lianfang serve --config FILE`` on ``data``; stop it with SIGTERM (audit flushed)."""

    def __init__(self, data: Path, *, startup_timeout: float = 30.0) -> None:
        self.data = data
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.config = data.parent / f"serve-{self.port}.toml"
        self.config.write_text(
            f'data_dir = "{data}"\nhttp_host = "127.0.0.1"\nhttp_port = {self.port}\n', encoding="utf-8"
        )
        self.log = data.parent / f"serve-{self.port}.log"
        self._timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> LiveServer:
        exe = Path(sys.executable).with_name("lianfang")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(exe), "serve", "--config", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"lianfang serve exited early:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"lianfang serve did not answer /healthz in {self._timeout}s:\n{self.log.read_text()}"
        )

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=5)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30.0)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
