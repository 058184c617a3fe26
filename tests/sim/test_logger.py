"""The simulated logger against a tiny platform over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from lianfang.hj212 import (
    Connection,
    DataUpload,
    ExecutionResult,
    RemoteProtocolError,
    RequestAnswer,
    Role,
    SetTime,
    Upload,
)
from lianfang.model import BEIJING, Station
from lianfang.sim.clock import SimClock
from lianfang.sim.fleet import run_fleet
from lianfang.sim.logger import CN_HOURLY, Fault, LoggerConfig, SimulatedLogger, corrupt_crc
from lianfang.sim.network import demo_stations
from lianfang.sim.values import format_value, hourly_values

from .tiny_platform import TinyPlatform

START = datetime(2025, 7, 1, 8, 30, tzinfo=BEIJING)
FAST = LoggerConfig(
    ack_timeout=0.15, backoff_initial=0.05, backoff_max=0.2, realtime=False, report_delay=(1, 2)
)


def _water() -> tuple[Station, str]:
    return next(p for p in demo_stations() if p[0].kind.value == "water")


def _run(
    platform: TinyPlatform,
    body: Callable[[SimulatedLogger], Awaitable[None]],
    *,
    speedup: float = 36000.0,  # ten simulated hours per second
    config: LoggerConfig = FAST,
    faults: float = 0.0,
    station: tuple[Station, str] | None = None,
) -> SimulatedLogger:
    """Start the platform and one logger, run ``body``, stop both; the logger for its stats."""
    station_, password = station or _water()

    async def main() -> SimulatedLogger:
        target = await platform.start()
        logger = SimulatedLogger(
            station_, password, target, clock=SimClock(START, speedup), config=config, faults=faults, seed=3
        )
        stop = asyncio.Event()
        task = asyncio.create_task(logger.run(stop))
        try:
            await body(logger)
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)
            await platform.stop()
        return logger

    return asyncio.run(main())


def test_pushes_hourly_uploads_and_waits_for_each_ack() -> None:
    platform = TinyPlatform(ack_delay=0.05)
    station, password = _water()

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: logger.stats.acked >= 3)

    logger = _run(platform, body)
    first = platform.uploads(CN_HOURLY)[0]
    assert first.mn == station.mn
    assert first.pw == password
    assert first.st == "21"
    assert first.packets[0].wants_ack
    assert first.packets[0].flag == 5
    assert first.data_time == START.replace(minute=0)  # the hour in progress at the start, period start
    assert set(first.items) == {
        "w01001",
        "w01009",
        "w01019",
        "w21003",
        "w21011",
        "w21001",
        "w01010",
        "w01014",
        "w01003",
    }
    expected = hourly_values(station, START.replace(minute=0), seed=3)
    assert first.items["w21003"] == {
        "Avg": format_value("w21003", expected["w21003"].avg),
        "Min": format_value("w21003", expected["w21003"].min),
        "Max": format_value("w21003", expected["w21003"].max),
        "Flag": expected["w21003"].flag,
    }
    times = [u.data_time for u in platform.uploads(CN_HOURLY) if u.data_time]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    # stop-and-wait: each upload arrives only after the previous one was acknowledged
    arrivals = [r.at for r in platform.received if isinstance(r.event, DataUpload)]
    for ack_time, next_arrival in zip([t for _, t in platform.acks_sent], arrivals[1:], strict=False):
        assert next_arrival >= ack_time
    assert logger.stats.acked >= 3
    assert logger.stats.resent == 0


def test_resends_the_same_packet_when_no_ack_comes() -> None:
    seen: set[str] = set()

    def ack_second_try(packet: object) -> bool:
        qn = packet.qn  # type: ignore[attr-defined]
        if qn in seen:
            return True
        seen.add(qn)
        return False

    platform = TinyPlatform(ack=ack_second_try)

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: logger.stats.acked >= 2)

    logger = _run(platform, body)
    qns = [u.packets[0].qn for u in platform.uploads(CN_HOURLY)]
    assert qns[0] == qns[1]
    assert qns[2] == qns[3]
    assert platform.uploads(CN_HOURLY)[0].items == platform.uploads(CN_HOURLY)[1].items
    assert logger.stats.timeouts >= 2
    assert logger.stats.resent >= 2


def test_gives_up_after_the_retries() -> None:
    platform = TinyPlatform(ack=lambda packet: False)
    config = LoggerConfig(ack_timeout=0.1, retries=2, realtime=False, report_delay=(1, 2))

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: logger.stats.unacked >= 1)

    logger = _run(platform, body, speedup=36000.0, config=config)
    qns = [u.packets[0].qn for u in platform.uploads(CN_HOURLY)]
    assert qns[:3] == [qns[0]] * 3
    assert qns[3] != qns[0]
    assert logger.stats.acked == 0


def test_answers_a_history_request_from_its_buffer() -> None:
    platform = TinyPlatform()
    station, password = _water()
    config = LoggerConfig(ack_timeout=0.5, realtime=False, prefill=timedelta(hours=6))
    hour0 = START.replace(minute=0)

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: platform.connections == 1 and len(platform.writers) == 1)
        request = platform.history_request(
            CN_HOURLY,
            station.mn,
            password,
            hour0 - timedelta(hours=4),
            hour0 - timedelta(hours=2),
            "20250701083000123",
        )
        await platform.send(request)
        await platform.wait_for(lambda: any(isinstance(r.event, ExecutionResult) for r in platform.received))

    logger = _run(platform, body, speedup=1.0, config=config, station=(station, password))
    events = [r.event for r in platform.received]
    assert isinstance(events[0], RequestAnswer)
    assert events[0].qn == "20250701083000123"
    assert events[0].qn_rtn == 1
    uploads = [e for e in events if isinstance(e, DataUpload)]
    assert [u.data_time for u in uploads] == [
        hour0 - timedelta(hours=h) for h in (4, 3, 2)
    ]  # both ends inclusive
    assert all(u.packets[0].qn != "20250701083000123" for u in uploads)  # new QNs (C.20)
    assert len({u.packets[0].qn for u in uploads}) == 3
    assert uploads[0].items["w01009"]["Avg"] == format_value(
        "w01009", hourly_values(station, hour0 - timedelta(hours=4), seed=3)["w01009"].avg
    )
    assert isinstance(events[-1], ExecutionResult)
    assert events[-1].exe_rtn == 1
    assert events[-1].qn == "20250701083000123"
    assert logger.stats.history_requests == 1
    assert logger.stats.history_records == 3


def test_history_without_data_answers_100_and_a_wrong_password_3() -> None:
    platform = TinyPlatform()
    station, password = _water()
    long_ago = START - timedelta(days=100)

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: len(platform.writers) == 1)
        await platform.send(
            platform.history_request(CN_HOURLY, station.mn, password, long_ago, long_ago, "1")
        )
        await platform.wait_for(lambda: any(isinstance(r.event, ExecutionResult) for r in platform.received))
        await platform.send(
            platform.history_request(CN_HOURLY, station.mn, "999999", long_ago, long_ago, "2")
        )
        await platform.wait_for(
            lambda: any(isinstance(r.event, RequestAnswer) and r.event.qn == "2" for r in platform.received)
        )

    _run(platform, body, speedup=1.0, station=(station, password))
    answers = [r.event for r in platform.received if isinstance(r.event, RequestAnswer | ExecutionResult)]
    assert [(type(a).__name__, a.qn) for a in answers][:3] == [
        ("RequestAnswer", "1"),
        ("ExecutionResult", "1"),
        ("RequestAnswer", "2"),
    ]
    assert isinstance(answers[1], ExecutionResult)
    assert answers[1].exe_rtn == 100
    assert isinstance(answers[2], RequestAnswer)
    assert answers[2].qn_rtn == 3
    assert not platform.uploads()


def test_reconnects_with_backoff_after_the_platform_closes() -> None:
    platform = TinyPlatform(close_after_uploads=1)

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: platform.connections >= 3 and len(platform.uploads()) >= 3)

    logger = _run(platform, body)
    assert logger.stats.connects >= 3
    assert logger.stats.disconnects >= 2
    assert {r.connection for r in platform.received} >= {1, 2, 3}


def test_keeps_retrying_while_nothing_listens() -> None:
    async def main() -> SimulatedLogger:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()  # the port is now closed: connects are refused
        station, password = _water()
        logger = SimulatedLogger(
            station, password, ("127.0.0.1", port), clock=SimClock(START, 1.0), config=FAST
        )
        stop = asyncio.Event()
        task = asyncio.create_task(logger.run(stop))
        await asyncio.sleep(0.6)
        stop.set()
        await asyncio.wait_for(task, 2)
        return logger

    logger = asyncio.run(main())
    # back-off 0.05, 0.1, 0.2, 0.2 … (±20 %): a handful of tries in 0.6 s, not hundreds
    assert 2 <= logger.stats.connect_failures <= 8
    assert logger.stats.connects == 0


def test_bad_crc_faults_are_rejected_by_the_codec_and_resent() -> None:
    platform = TinyPlatform()
    config = LoggerConfig(ack_timeout=0.2, realtime=False, report_delay=(1, 2), fault_kinds=(Fault.BAD_CRC,))

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: len(platform.rejects) >= 2 and logger.stats.acked >= 1)

    logger = _run(platform, body, config=config, faults=0.5)
    assert {exc.code for exc in platform.rejects} == {"crc_mismatch"}
    assert logger.stats.bad_crc >= len(platform.rejects) >= 2
    assert logger.stats.resent >= 1


def test_dropped_packets_leave_gaps_and_disconnect_faults_reconnect() -> None:
    platform = TinyPlatform()
    config = LoggerConfig(
        ack_timeout=0.2, backoff_initial=0.02, backoff_max=0.05, realtime=False, report_delay=(1, 2),
        fault_kinds=(Fault.DROP, Fault.DISCONNECT),
    )  # fmt: skip

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: logger.stats.records >= 20, timeout=10)

    logger = _run(platform, body, config=config, faults=0.3)
    times = sorted({u.data_time for u in platform.uploads(CN_HOURLY) if u.data_time})
    produced = logger.stats.records
    assert logger.stats.dropped >= 1
    assert logger.stats.disconnected >= 1
    assert platform.connections >= 2
    assert len(times) < produced  # gaps the platform should backfill …
    assert len(logger.buffer) == produced  # … which the logger still holds


def test_answers_a_time_set_with_9011_and_9012() -> None:
    platform = TinyPlatform()
    station, password = _water()

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: len(platform.writers) == 1)
        now = datetime.now(BEIJING).replace(microsecond=0)
        await platform.send(
            SetTime(qn="20250701083000999", st="21", pw=password, mn=station.mn, system_time=now)
        )
        await platform.wait_for(lambda: any(isinstance(r.event, ExecutionResult) for r in platform.received))

    logger = _run(platform, body, speedup=1.0, station=(station, password))
    answers = [r.event for r in platform.received if isinstance(r.event, RequestAnswer | ExecutionResult)]
    assert [type(a).__name__ for a in answers] == ["RequestAnswer", "ExecutionResult"]
    assert all(a.qn == "20250701083000999" for a in answers)
    assert abs((logger.now() - datetime.now(BEIJING)).total_seconds()) < 2  # the clock was set
    assert logger.stats.time_sets == 1


def test_real_time_uploads_are_paced_in_real_time() -> None:
    platform = TinyPlatform()
    config = LoggerConfig(ack_timeout=0.3, rtd_min_gap=0.2, report_delay=(1, 2))

    async def body(logger: SimulatedLogger) -> None:
        await asyncio.sleep(1.0)

    _run(platform, body, speedup=3600.0, config=config)
    rtd = platform.uploads("2011")
    assert 3 <= len(rtd) <= 7  # one per 0.2 s of real time, not one per 30 simulated seconds
    assert all(set(items) == {"Rtd", "Flag"} for u in rtd for items in u.items.values())


def test_corrupt_crc_is_detected_by_the_codec() -> None:
    station, password = _water()
    upload = Upload(
        cn="2061", qn="20250701090000000", st="21", pw=password, mn=station.mn,
        data_time=START, items={"w21003": {"Avg": "0.52", "Flag": "N"}},
    )  # fmt: skip
    good = Connection(Role.LOGGER).send(upload)
    receiver = Connection(Role.PLATFORM)
    receiver.receive_data(corrupt_crc(good) + good)
    with pytest.raises(RemoteProtocolError) as caught:
        receiver.next_event()
    assert caught.value.code == "crc_mismatch"
    assert isinstance(receiver.next_event(), DataUpload)  # the good copy after it still decodes


def test_run_fleet_pushes_for_every_station_and_stops() -> None:
    platform = TinyPlatform()
    pairs = demo_stations(4)

    async def main() -> None:
        target = await platform.start()
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_fleet(target, pairs, speedup=3600.0, faults=0.0, seed=1, stop=stop, start=START, config=FAST)
        )
        await platform.wait_for(
            lambda: {u.mn for u in platform.uploads(CN_HOURLY)} == {s.mn for s, _ in pairs}
        )
        stop.set()
        stats = await asyncio.wait_for(task, 5)
        await platform.stop()
        totals = stats.totals()
        assert totals["stations"] == 4
        assert totals["connected"] == 0
        assert totals["acked"] >= 4
        assert totals["sent"] >= totals["acked"]

    asyncio.run(main())
    air = [u for u in platform.uploads(CN_HOURLY) if u.st == "22"]
    assert air
    assert set(air[0].items) == {"a21026", "a21004", "a21005", "a05024", "a34002", "a34004"}


def test_a_real_time_packet_goes_out_at_once_on_every_connect() -> None:
    """The platform learns which station is on a connection only from a packet (e.g. to backfill)."""
    platform = TinyPlatform(close_after_uploads=1)
    config = LoggerConfig(ack_timeout=0.2, backoff_initial=0.05, backoff_max=0.1)  # RtdInterval 30 s

    async def body(logger: SimulatedLogger) -> None:
        await platform.wait_for(lambda: len(platform.uploads("2011")) >= 2, timeout=2)

    _run(platform, body, speedup=1.0, config=config)
    assert [r.connection for r in platform.received if isinstance(r.event, DataUpload)][:2] == [1, 2]
