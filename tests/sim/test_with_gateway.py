"""The simulator against the real gateway and a real DuckDB file: faults leave gaps, backfill fills them."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lianfang.gateway import BackfillConfig, Gateway, GatewayConfig
from lianfang.model import BEIJING, DataKind
from lianfang.sim.fleet import Fleet
from lianfang.sim.logger import CN_HOURLY, LoggerConfig
from lianfang.sim.network import demo_stations, register_demo_network
from lianfang.store import ObservationQuery, Store, open_store

START = datetime(2025, 7, 1, 8, 30, tzinfo=BEIJING)


def _gateway(store: Store, fleet: Fleet) -> Gateway:
    backfill = BackfillConfig(
        initial_delay=0.1, hour_window=timedelta(days=3), backoff_base=0.2, backoff_max=1.0
    )
    config = GatewayConfig(host="127.0.0.1", port=0, backfill=backfill)
    return Gateway(store, config, now=fleet.clock.now)


def test_every_buffered_hour_reaches_the_store_once_despite_faults(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="lianfang.gateway")  # rejects are expected here
    pairs = demo_stations(3)
    config = LoggerConfig(
        ack_timeout=0.3, backoff_initial=0.05, backoff_max=0.2, realtime=False, prefill=timedelta(hours=6)
    )

    async def main() -> None:
        with open_store(data_dir / "lianfang.duckdb") as store:
            register_demo_network(store, pairs)
            fleet = Fleet(
                ("127.0.0.1", 0), pairs, speedup=7200.0, faults=0.2, seed=2, start=START, config=config
            )
            first = _gateway(store, fleet)
            await first.start()
            for logger in fleet.loggers:
                logger.target = ("127.0.0.1", first.port)
            stop = asyncio.Event()
            task = asyncio.create_task(fleet.run(stop))
            await asyncio.sleep(2.5)  # five simulated hours with bad CRCs, drops and disconnects
            for logger in fleet.loggers:
                logger.faults = 0.0
            # A restart: every logger reconnects and the gateway looks for gaps in its window. (A
            # history record lost in transit is otherwise asked for again only on the next connect.)
            await first.close()
            second = _gateway(store, fleet)
            await second.start()
            for logger in fleet.loggers:
                logger.target = ("127.0.0.1", second.port)

            def missing() -> dict[str, list[datetime]]:
                cutoff = fleet.clock.now() - timedelta(hours=2)
                out = {}
                for logger in fleet.loggers:
                    held = logger.buffer.between(CN_HOURLY, START - timedelta(days=1), cutoff)
                    have = set(
                        store.observation_times(
                            logger.station.mn, DataKind.HOUR, START - timedelta(days=1), cutoff
                        )
                    )
                    out[logger.station.mn] = [r.data_time for r in held if r.data_time not in have]
                return out

            deadline = time.monotonic() + 20
            while any(missing().values()) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            left = missing()
            stop.set()
            await task
            await second.close()

            totals = fleet.stats.totals()
            assert totals["bad_crc"] > 0
            assert totals["dropped"] > 0
            assert totals["disconnected"] > 0
            assert totals["history_records"] > 0
            assert not any(left.values()), left
            # what the loggers measured is what is stored, once per (station, parameter, hour)
            table = store.read_observations(ObservationQuery(kinds=[DataKind.HOUR]))
            rows = table.to_pylist()
            keys = [(r["mn"], r["param"], r["time"]) for r in rows]
            assert len(keys) == len(set(keys))
            stored = {(r["mn"], r["param"], r["time"]): r["value"] for r in rows}
            for logger in fleet.loggers:
                for record in logger.buffer.between(
                    CN_HOURLY, START - timedelta(hours=6), START + timedelta(hours=4)
                ):
                    for code, values in record.items.items():
                        key = (logger.station.mn, code, record.data_time)
                        assert stored[key] == pytest.approx(float(values["Avg"])), key

    asyncio.run(main())
