"""The gateway over real sockets against a real DuckDB file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from lianfang.hj212 import DataAck, NotificationAck, RequestAnswer, SetTime, make_qn
from lianfang.hj212.encode import encode_frame
from lianfang.model import BEIJING, DataKind
from lianfang.store.base import ObservationQuery, Store

from .conftest import INACTIVE_MN, MN, OTHER_MN, PW, run, running
from .fake_logger import FakeLogger, hourly_items, past_hour


def stored(store: Store, mn: str = MN) -> dict[tuple[str, str], tuple[float, str]]:
    table = store.read_observations(ObservationQuery(mns=[mn])).to_pylist()
    return {(r["param"], r["time"].isoformat()): (r["value"], r["flag"]) for r in table}


def test_upload_is_acknowledged_after_commit_and_stored(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            when = past_hour(2)
            qn, frame = logger.upload(when, hourly_items(0.5, 3))
            await logger.write(frame)
            ack = await logger.event()
            assert isinstance(ack, DataAck)
            assert ack.qn == qn
            # the ack was written after the commit: the values are readable the moment it arrives
            values = stored(store)
            assert len(values) == 3
            key = ("w01001", when.astimezone(UTC).isoformat())
            assert values[key] == (0.5, "N")
            assert gw.metrics.acks == 1
            assert gw.metrics.values_stored == 3
            await logger.close()

    run(scenario())


def test_kinds_flags_and_non_numbers(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            when = past_hour(1)
            items = {
                "w01001": {"Rtd": "7.1", "Flag": "N"},
                "w01009": {"Rtd": "8.2", "Flag": "M"},
                "w21003": {"Rtd": "--", "Flag": "D"},  # not a number: skipped, counted
                "w01019": {"Rtd": "nan"},
            }
            for cn in ("2011", "2051", "2031"):
                _, frame = logger.upload(when, items, cn=cn)
                await logger.write(frame)
                assert isinstance(await logger.event(), DataAck)
            table = store.read_observations(ObservationQuery(mns=[MN])).to_pylist()
            kinds = {(r["kind"], r["param"]): (r["value"], r["flag"]) for r in table}
            assert kinds[("rtd", "w01001")] == (7.1, "N")
            assert kinds[("min", "w01009")] == (8.2, "M")
            assert kinds[("day", "w01001")] == (7.1, "N")  # daily without Avg: Rtd is used
            assert len(kinds) == 6
            assert gw.metrics.values_skipped["not_numeric"] == 6
            await logger.close()

    run(scenario())


def test_resend_is_no_duplicate_and_change_is_a_correction(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            when = past_hour(3)
            _, frame = logger.upload(when, hourly_items(1.0, 2))
            for _ in range(2):
                await logger.write(frame)
                assert isinstance(await logger.event(), DataAck)
            assert store.count_observations() == 2
            assert gw.metrics.values_unchanged == 2
            _, changed = logger.upload(when, {"w01001": {"Avg": "9.5", "Flag": "N"}})
            await logger.write(changed)
            assert isinstance(await logger.event(), DataAck)
            assert store.count_observations() == 2
            assert gw.metrics.values_corrected == 1
            assert sorted(v for v, _ in stored(store).values()) == [2.0, 9.5]
            await logger.close()

    run(scenario())


@pytest.mark.parametrize(
    ("mn", "pw", "qn_rtn", "reason"),
    [
        (MN, "wrong!", 3, "bad_password"),  # HJ 212-2017 Table 7: 3 = PW 错误
        ("XX9999999999999999999999", PW, 4, "unknown_mn"),  # 4 = MN 错误
        (INACTIVE_MN, PW, 4, "unknown_mn"),
        (OTHER_MN, PW, 3, "bad_password"),  # another station's password
    ],
)
def test_refused_packets_get_9011_and_the_connection_goes_on(
    store: Store, mn: str, pw: str, qn_rtn: int, reason: str
) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            qn, bad = logger.upload(past_hour(1), hourly_items(), mn=mn, pw=pw)
            _, good = logger.upload(past_hour(1), hourly_items(), cn="2011")
            await logger.write(bad + good)  # the good frame right beside the refused one
            answer = await logger.event()
            assert isinstance(answer, RequestAnswer)
            assert (answer.qn, answer.qn_rtn) == (qn, qn_rtn)
            assert isinstance(await logger.event(), DataAck)
            assert gw.metrics.rejects[reason] == 1
            assert store.count_observations() == 3
            # the same refusal again comes from the cache, as fast and with the same answer
            await logger.write(bad)
            again = await logger.event()
            assert isinstance(again, RequestAnswer)
            assert again.qn_rtn == qn_rtn
            await logger.close()

    run(scenario())


def test_bad_crc_gets_9011_qnrtn_9_and_good_frames_beside_it_are_kept(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            qn, frame = logger.upload(past_hour(1), hourly_items())
            crc = frame[-6:-2]
            corrupt = frame[:-6] + (b"0000" if crc != b"0000" else b"FFFF") + b"\r\n"
            _, good = logger.upload(past_hour(2), hourly_items())
            await logger.write(good + corrupt + good)
            events = [await logger.event() for _ in range(3)]
            answers = [e for e in events if isinstance(e, RequestAnswer)]
            assert len(answers) == 1
            assert (answers[0].qn, answers[0].qn_rtn) == (qn, 9)  # Table 7: 9 = CRC 校验错误
            assert sum(isinstance(e, DataAck) for e in events) == 2
            assert gw.metrics.rejects["crc_mismatch"] == 1
            assert store.count_observations() == 3
            # garbage between frames is skipped too
            await logger.write(b"\x00garbage##12" + good)
            assert isinstance(await logger.event(), DataAck)
            await logger.close()

    run(scenario())


def test_split_upload_stored_whole_and_every_part_acknowledged(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            items = {f"w{20000 + i:05d}": {"Avg": f"{i}.5", "Flag": "N"} for i in range(60)}
            _, frames = logger.upload(past_hour(1), items)
            parts = frames.count(b"##")
            assert parts > 1  # the codec had to split it
            await logger.write(frames)
            acks = [await logger.event() for _ in range(parts)]
            assert all(isinstance(a, DataAck) for a in acks)
            assert store.count_observations() == 60
            await logger.close()

    run(scenario())


def test_split_parts_sent_stop_and_wait_are_stored_after_split_wait(store: Store) -> None:
    async def scenario() -> None:
        async with running(store, split_wait=0.2) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            items = {f"w{20000 + i:05d}": {"Avg": f"{i}.5", "Flag": "N"} for i in range(60)}
            _, frames = logger.upload(past_hour(1), items)
            chunks = [b"##" + c for c in frames.split(b"##") if c]
            for chunk in chunks:  # wait for each part's 9014 before the next, as C.50 loggers do
                await logger.write(chunk)
                assert isinstance(await logger.event(), DataAck)
            assert store.count_observations() == 60
            assert gw.metrics.acks == len(chunks)

    run(scenario())


def test_byte_by_byte_delivery(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            qn, frame = logger.upload(past_hour(1), hourly_items(2.0, 2))
            for i in range(len(frame)):
                await logger.write(frame[i : i + 1])
            ack = await logger.event()
            assert isinstance(ack, DataAck)
            assert ack.qn == qn
            assert store.count_observations() == 2
            await logger.close()

    run(scenario())


def test_pipelined_burst_from_many_connections_shares_commits(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            loggers = [await FakeLogger(MN, PW).connect(gw.port) for _ in range(5)]
            per = 40
            for n, logger in enumerate(loggers):
                frames = b"".join(
                    logger.upload(past_hour(200 + n * per + i), hourly_items(float(i), 3))[1]
                    for i in range(per)
                )
                await logger.write(frames)
            for logger in loggers:
                for _ in range(per):
                    assert isinstance(await logger.event(), DataAck)
            assert store.count_observations() == 5 * per * 3
            assert gw.metrics.commits < 5 * per  # grouped, not one commit per packet
            for logger in loggers:
                await logger.close()

    run(scenario())


def test_backpressure_pauses_and_loses_nothing(store: Store) -> None:
    async def scenario() -> None:
        async with running(store, max_pending_values=30) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            frames = b"".join(logger.upload(past_hour(500 + i), hourly_items(1.0, 9))[1] for i in range(100))
            await logger.write(frames)
            for _ in range(100):
                assert isinstance(await logger.event(), DataAck)
            assert store.count_observations() == 900
            await logger.close()

    run(scenario())


def test_time_calibration_request_gets_9013_then_1012(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            qn = make_qn(past_hour(0))
            # HJ 212-2017 C.4: 现场机请求校时 (1013) is a notification with an answer wanted
            frame = encode_frame(f"QN={qn};ST=21;CN=1013;PW={PW};MN={MN};Flag=5;CP=&&&&")
            await logger.write(frame)
            first, second = await logger.event(), await logger.event()
            assert isinstance(first, NotificationAck)
            assert first.qn == qn
            assert isinstance(second, SetTime)
            assert abs((second.system_time - datetime.now(BEIJING)).total_seconds()) < 5
            await logger.close()

    run(scenario())


def test_idle_connection_is_closed(store: Store) -> None:
    async def scenario() -> None:
        async with running(store, idle_timeout=0.3) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            with pytest.raises(EOFError):
                await logger.event(timeout=3.0)
            assert gw.metrics.idle_timeouts == 1
            assert not gw.sessions

    run(scenario())


def test_connection_limit(store: Store) -> None:
    async def scenario() -> None:
        async with running(store, max_connections=1) as gw:
            first = await FakeLogger(MN, PW).connect(gw.port)
            second = await FakeLogger(MN, PW).connect(gw.port)
            with pytest.raises((EOFError, ConnectionError)):
                await second.event(timeout=3.0)
            _, frame = first.upload(past_hour(1), hourly_items())
            await first.write(frame)
            assert isinstance(await first.event(), DataAck)
            assert gw.metrics.connections_refused == 1
            await first.close()

    run(scenario())


def test_close_commits_and_answers_what_was_received(store: Store) -> None:
    async def scenario() -> None:
        gw_cm = running(store)
        gw = await gw_cm.__aenter__()
        logger = await FakeLogger(MN, PW).connect(gw.port)
        frames = b"".join(logger.upload(past_hour(300 + i), hourly_items(1.0, 9))[1] for i in range(50))
        await logger.write(frames)
        while gw.metrics.packets < 50:
            await asyncio.sleep(0.005)
        await gw_cm.__aexit__(None, None, None)
        acks = 0
        while True:
            try:
                event = await logger.event(timeout=2.0)
            except EOFError:
                break
            acks += isinstance(event, DataAck)
        assert acks == 50
        assert store.count_observations() == 450

    run(scenario())


def test_kind_of_each_upload_command() -> None:
    from lianfang.gateway.translate import UPLOAD_KINDS

    assert UPLOAD_KINDS == {
        "2011": DataKind.RTD,
        "2051": DataKind.MIN,
        "2061": DataKind.HOUR,
        "2031": DataKind.DAY,
    }
    assert BEIJING.utcoffset(None).total_seconds() == 8 * 3600  # type: ignore[union-attr]


def test_rejects_are_logged_with_reason_peer_and_mn_never_the_password(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            bad_time = encode_frame(f"QN=1;ST=21;CN=2061;PW=topsecret;MN={MN};Flag=5;CP=&&DataTime=bad&&")
            _, wrong_pw = logger.upload(past_hour(1), hourly_items(), pw="topsecret")
            await logger.write(bad_time + wrong_pw)
            answer = await logger.event()
            assert isinstance(answer, RequestAnswer)
            assert gw.metrics.rejects["format"] == 1
            await logger.close()

    with caplog.at_level("WARNING", logger="lianfang.gateway"):
        run(scenario())
    text = caplog.text
    assert "rejected format from 127.0.0.1:" in text
    assert f"mn={MN}" in text
    assert "rejected bad_password" in text
    assert "topsecret" not in text
