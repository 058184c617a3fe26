"""Gap detection (pure) and history requests answered by a fake logger over a real socket."""

from __future__ import annotations

from datetime import datetime, timedelta

from lianfang.gateway import BackfillConfig
from lianfang.gateway.backfill import expected_slots, missing_ranges, slot_floor
from lianfang.hj212 import DataAck, ExecutionResult, HistoryRequest, RequestAnswer
from lianfang.model import BEIJING, DataKind
from lianfang.store.base import ObservationQuery, Store

from .conftest import MN, PW, run, running
from .fake_logger import FakeLogger, hourly_items

H = timedelta(hours=1)
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=BEIJING)


def test_slots_align_to_beijing_time() -> None:
    assert slot_floor(T0 + timedelta(minutes=59), H) == T0
    five = timedelta(minutes=5)
    assert slot_floor(T0 + timedelta(minutes=7, seconds=3), five) == T0 + five
    slots = expected_slots(T0 - timedelta(minutes=30), T0 + 2 * H, H)
    assert slots == [T0, T0 + H]


def test_missing_ranges_are_coalesced_and_chunked() -> None:
    expected = [T0 + i * H for i in range(10)]
    present = [T0 + 2 * H, T0 + 3 * H, T0 + 7 * H]
    gaps = missing_ranges(MN, DataKind.HOUR, expected, present, H, max_slots=3)
    assert [(g.begin, g.end, g.slots) for g in gaps] == [
        (T0, T0 + H, 2),
        (T0 + 4 * H, T0 + 6 * H, 3),
        (T0 + 8 * H, T0 + 9 * H, 2),
    ]
    assert missing_ranges(MN, DataKind.HOUR, expected, expected, H, max_slots=3) == []
    # present times in another zone are the same instants
    utc = [t.astimezone(BEIJING.utcoffset(None) and __import__("datetime").UTC) for t in expected]
    assert missing_ranges(MN, DataKind.HOUR, expected, utc, H, max_slots=3) == []


async def answer_history(logger: FakeLogger, request: HistoryRequest, *, skip_9011: bool = False) -> int:
    """Answer like a logger [HJ 212-2017 C.20-C.22]: 9011, one upload per hour (each acked), 9012."""
    assert request.packet is not None
    if not skip_9011:
        await logger.write(logger.codec.send(RequestAnswer.for_packet(request.packet, 1)))
    t, sent = request.begin, 0
    while t <= request.end:
        _, frame = logger.upload(t, hourly_items(float(t.hour), 3))
        await logger.write(frame)
        assert isinstance(await logger.event(), DataAck)
        t += H
        sent += 1
    await logger.write(logger.codec.send(ExecutionResult.for_packet(request.packet, 1)))
    return sent


def hours_stored(store: Store) -> set[datetime]:
    rows = store.read_observations(ObservationQuery(mns=[MN], kinds=[DataKind.HOUR])).to_pylist()
    return {r["time"].astimezone(BEIJING) for r in rows}


FAST = BackfillConfig(
    hour_window=timedelta(hours=6),
    grace=timedelta(0),
    initial_delay=0.0,
    answer_timeout=0.3,
    execution_timeout=0.3,
    backoff_base=0.1,
)


def test_reconnect_gap_is_requested_and_filled(store: Store) -> None:
    now = T0 + timedelta(minutes=30)

    async def scenario() -> None:
        async with running(store, backfill=FAST, now=lambda: now) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            _, frame = logger.upload(T0 - H, hourly_items(1.0, 3))  # the live hourly packet
            await logger.write(frame)
            assert isinstance(await logger.event(), DataAck)
            request = await logger.event()
            assert isinstance(request, HistoryRequest)
            assert request.cn == "2061"
            # window 09:30 back to 04:30 -> slots 05:00..09:00; 09:00 was just sent
            assert (request.begin, request.end) == (T0 - 5 * H, T0 - 2 * H)
            assert await answer_history(logger, request) == 4
            await _until(lambda: gw.metrics.backfill["filled"] == 1)
            assert hours_stored(store) == {T0 - i * H for i in range(1, 6)}
            await logger.close()

    run(scenario())


def test_gap_seen_in_live_data_is_requested(store: Store) -> None:
    now = T0 + timedelta(minutes=30)

    async def scenario() -> None:
        config = BackfillConfig(hour_window=timedelta(hours=1), grace=timedelta(0), initial_delay=0.0)
        async with running(store, backfill=config, now=lambda: now) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            for t in (T0 - H, T0 + 3 * H):  # 10:00, 11:00, 12:00 never came
                _, frame = logger.upload(t, hourly_items(1.0, 2))
                await logger.write(frame)
                assert isinstance(await logger.event(), DataAck)
            request = await logger.event()
            assert isinstance(request, HistoryRequest)
            assert (request.begin, request.end) == (T0, T0 + 2 * H)
            await answer_history(logger, request, skip_9011=True)  # many loggers skip the 9011
            await _until(lambda: gw.metrics.backfill["filled"] == 1)
            assert hours_stored(store) == {T0 + i * H for i in range(-1, 4)}
            await logger.close()

    run(scenario())


def test_unanswered_request_is_retried_with_backoff(store: Store) -> None:
    now = T0 + timedelta(minutes=30)

    async def scenario() -> None:
        config = BackfillConfig(
            hour_window=timedelta(hours=3),
            grace=timedelta(0),
            initial_delay=0.0,
            answer_timeout=0.2,
            execution_timeout=0.2,
            backoff_base=0.2,
        )
        async with running(store, backfill=config, now=lambda: now) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            _, frame = logger.upload(T0 - H, hourly_items(1.0, 2))
            await logger.write(frame)
            assert isinstance(await logger.event(), DataAck)
            first = await logger.event()
            assert isinstance(first, HistoryRequest)
            # no answer at all: after the timeouts and a back-off the same range is asked again
            second = await logger.event(timeout=5.0)
            assert isinstance(second, HistoryRequest)
            assert second.qn != first.qn
            assert (second.begin, second.end) == (first.begin, first.end)
            assert gw.metrics.backfill["timeout"] == 1
            # "no data" (ExeRtn=100) ends the matter for this connection
            assert second.packet is not None
            await logger.write(logger.codec.send(RequestAnswer.for_packet(second.packet, 1)))
            await logger.write(logger.codec.send(ExecutionResult.for_packet(second.packet, 100)))
            await _until(lambda: gw.metrics.backfill["no_data"] == 1)
            await logger.close()

    run(scenario())


async def _until(condition: object, timeout: float = 5.0) -> None:
    import asyncio

    assert callable(condition)
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
