"""The terminal view and status line of ``lianfang run`` over a real gateway."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from rich.console import Console

from lianfang.cli.run_view import Rates, _status_line, _view
from lianfang.hj212 import DataAck
from lianfang.model import Jurisdiction
from lianfang.settings import Settings
from lianfang.store.duckdb import open_store
from tests.gateway.conftest import MN, PW, register, running
from tests.gateway.fake_logger import FakeLogger, hourly_items, past_hour


def test_view_shows_counts_and_labels_simulated_values(tmp_path: Path) -> None:
    store = open_store(tmp_path / "lianfang.duckdb")
    store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    register(store, name="长江测试断面", simulated=True)

    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            _, frame = logger.upload(past_hour(1), hourly_items(7.5, 2))
            await logger.write(frame)
            assert isinstance(await logger.event(), DataAck)
            rates = Rates()
            rates.update(0, 0)
            rates.update(gw.metrics.packets, gw.metrics.values_stored)
            console = Console(record=True, width=140)
            console.print(_view(Settings(data_dir=tmp_path), gw, None, rates))
            text = console.export_text()
            assert "stations online  1 / 1 registered" in text
            assert "长江测试断面" in text
            assert "SIMULATED" in text
            assert "w01001=7.500" in text
            line = _status_line(gw, rates)
            assert "values stored 2" in line
            assert "rejects: none" in line
            await logger.close()

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def test_first_status_line_counts_the_packets_of_its_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Packets received before the first status line are in its packets/s, not lost as a baseline."""
    import lianfang.cli.run_view as run_view

    monkeypatch.setattr(run_view, "LOG_PERIOD", 1.0)
    store = open_store(tmp_path / "lianfang.duckdb")
    store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    register(store)

    async def scenario() -> None:
        async with running(store) as gw:
            stop = asyncio.Event()
            watcher = asyncio.create_task(
                run_view.watch(Settings(data_dir=tmp_path), gw, None, stop, interactive=False)
            )
            logger = await FakeLogger(MN, PW).connect(gw.port)
            _, frame = logger.upload(past_hour(1), hourly_items(7.5, 2))
            await logger.write(frame)
            assert isinstance(await logger.event(), DataAck)
            while not any("packets/s" in r.getMessage() for r in caplog.records):
                await asyncio.sleep(0.05)
            stop.set()
            await watcher
            await logger.close()

    caplog.set_level(logging.INFO, logger="lianfang.run")
    try:
        asyncio.run(scenario())
    finally:
        store.close()
    first = next(r.getMessage() for r in caplog.records if "packets/s" in r.getMessage())
    assert "values stored 2" in first
    assert " 0.0 packets/s" not in first, first
