"""Connection: events per CN and role, split reassembly, protocol answers for rejected frames."""

from __future__ import annotations

from datetime import datetime

import pytest

from lianfang.hj212 import (
    BEIJING,
    NEED_DATA,
    Connection,
    DataAck,
    DataUpload,
    ExecutionResult,
    LocalProtocolError,
    NotificationAck,
    OtherPacket,
    ProtocolVersion,
    RemoteProtocolError,
    RequestAnswer,
    Role,
    TimeCalibrationRequest,
    Upload,
)
from lianfang.hj212.encode import encode_frame

from .feeding import MODES, read_events

MN = "010000A8900016F000169DC0"
HOUR = datetime(2016, 8, 1, 8, tzinfo=BEIJING)


def part(pno: int, pnum: int, qn_ms: int, items: str, *, flag: int = 7, mn: str = MN) -> bytes:
    return encode_frame(
        f"QN=20160801085857{qn_ms:03d};ST=21;CN=2061;PW=123456;MN={mn};Flag={flag};PNUM={pnum};PNO={pno};"
        f"CP=&&DataTime=20160801080000;{items}&&"
    )


def test_upload_event() -> None:
    frame = encode_frame(
        f"QN=20160801085857223;ST=21;CN=2061;PW=123456;MN={MN};Flag=5;"
        "CP=&&DataTime=20160801080000;w21003-Avg=0.52,w21003-Flag=N&&"
    )
    (event,) = read_events(Connection(), frame)
    assert isinstance(event, DataUpload)
    assert (event.cn, event.mn, event.pw, event.st, event.complete) == ("2061", MN, "123456", "21", True)
    assert event.data_time == HOUR
    assert event.items == {"w21003": {"Avg": "0.52", "Flag": "N"}}
    assert event.ack_packets == event.packets
    assert event.fields == {"DataTime": "20160801080000"}


@pytest.mark.parametrize("mode", MODES)
def test_split_upload_reassembled_out_of_order(mode: str) -> None:
    stream = (
        part(2, 3, 2, "w21011-Avg=0.1,w21011-Flag=N")
        + part(3, 3, 3, "w01001-Avg=7.5")
        + part(1, 3, 1, "w21003-Avg=0.52,w21003-Flag=N")
    )
    conn = Connection()
    (event,) = read_events(conn, stream, mode)
    assert isinstance(event, DataUpload)
    assert event.complete
    assert event.data_time == HOUR
    assert event.items == {
        "w21003": {"Avg": "0.52", "Flag": "N"},
        "w21011": {"Avg": "0.1", "Flag": "N"},
        "w01001": {"Avg": "7.5"},
    }
    assert [p.pno for p in event.packets] == [1, 2, 3]
    assert [p.qn for p in event.ack_packets] == [
        "20160801085857001",
        "20160801085857002",
        "20160801085857003",
    ]
    assert conn.pending_splits == 0


def test_partial_split_is_flushed_not_lost() -> None:
    conn = Connection()
    assert read_events(conn, part(1, 2, 1, "w21003-Avg=0.52")) == []
    assert conn.pending_splits == 1
    (partial,) = conn.flush_partial()
    assert not partial.complete
    assert partial.items == {"w21003": {"Avg": "0.52"}}
    assert conn.flush_partial() == []


def test_pending_split_groups_are_bounded_oldest_given_up_first() -> None:
    conn = Connection(max_pending_splits=2)
    events = read_events(conn, part(1, 2, 1, "a-Avg=1", mn="A") + part(1, 2, 2, "b-Avg=1", mn="B"))
    assert events == []
    (evicted,) = read_events(conn, part(1, 2, 3, "c-Avg=1", mn="C"))
    assert isinstance(evicted, DataUpload)
    assert (evicted.mn, evicted.complete) == ("A", False)
    assert conn.pending_splits == 2


def test_resent_part_replaces_the_first_copy() -> None:
    conn = Connection()
    stream = part(1, 2, 1, "a-Avg=1") + part(1, 2, 5, "a-Avg=2") + part(2, 2, 2, "b-Avg=3")
    (event,) = read_events(conn, stream)
    assert isinstance(event, DataUpload)
    assert event.items == {"a": {"Avg": "2"}, "b": {"Avg": "3"}}


@pytest.mark.parametrize(
    ("header", "message"),
    [("PNUM=2;PNO=3", "outside"), ("PNUM=2;PNO=0", "outside"), ("PNUM=2", "together"), ("PNO=1", "together")],
)
def test_bad_split_numbers_are_format_errors(header: str, message: str) -> None:
    frame = encode_frame(f"QN=1;ST=21;CN=2061;PW=1;MN=1;Flag=7;{header};CP=&&DataTime=20160801080000&&")
    (error,) = read_events(Connection(), frame)
    assert isinstance(error, RemoteProtocolError)
    assert error.code == "format"
    assert message in error.message
    assert error.frame == frame


@pytest.mark.parametrize("cp", ["w21003-Avg=1", "DataTime=2016-08-01;w21003-Avg=1"])
def test_upload_needs_a_data_time(cp: str) -> None:
    (error,) = read_events(Connection(), encode_frame(f"QN=1;ST=21;CN=2061;PW=1;MN=1;Flag=5;CP=&&{cp}&&"))
    assert isinstance(error, RemoteProtocolError)
    assert error.code == "format"


def test_answers_from_a_logger() -> None:
    stream = (
        encode_frame(f"QN=20160801085857223;ST=91;CN=9011;PW=123456;MN={MN};Flag=4;CP=&&QnRtn=1&&")
        + encode_frame(f"QN=20160801085857223;ST=91;CN=9012;PW=123456;MN={MN};Flag=4;CP=&&ExeRtn=100&&")
        + encode_frame(f"QN=20160801085857223;ST=91;CN=9013;PW=123456;MN={MN};Flag=4;CP=&&&&")
        + encode_frame(f"QN=20160801085857223;ST=91;CN=9014;PW=123456;MN={MN};Flag=4;CP=&&&&")
        + encode_frame(f"QN=20160801085857223;ST=32;CN=1013;PW=123456;MN={MN};Flag=4;CP=&&PolId=w01018&&")
        + encode_frame(f"QN=20160801085857223;ST=32;CN=2081;PW=123456;MN={MN};Flag=4;CP=&&RestartTime=1&&")
    )
    answer, result, note_ack, data_ack, calibration, other = read_events(Connection(), stream)
    assert isinstance(answer, RequestAnswer)
    assert (answer.qn, answer.qn_rtn, answer.mn) == ("20160801085857223", 1, MN)
    assert isinstance(result, ExecutionResult)
    assert result.exe_rtn == 100
    assert isinstance(note_ack, NotificationAck)
    assert isinstance(data_ack, DataAck)
    assert isinstance(calibration, TimeCalibrationRequest)
    assert calibration.pol_id == "w01018"
    assert isinstance(other, OtherPacket)


def test_2005_answer_carries_the_request_qn_in_cp() -> None:
    # HJ/T 212-2005: "ST=91;CN=9011;PW=…;MN=…;Flag=0;CP=&&QN=20040516010101001;QnRtn=1&&"
    frame = encode_frame(
        "ST=91;CN=9011;PW=123456;MN=88888880000001;Flag=0;CP=&&QN=20040516010101001;QnRtn=1&&"
    )
    (answer,) = read_events(Connection(), frame)
    assert isinstance(answer, RequestAnswer)
    assert answer.qn == "20040516010101001"
    assert answer.version is ProtocolVersion.HJT212_2005
    ack = encode_frame("ST=91;CN=9014;CP=&&QN=20040516010101001;CN=2051&&")
    (data_ack,) = read_events(Connection(Role.LOGGER), ack)
    assert isinstance(data_ack, DataAck)
    assert (data_ack.qn, data_ack.acked_cn) == ("20040516010101001", "2051")


def test_answer_without_integer_return_code_is_a_format_error() -> None:
    (error,) = read_events(Connection(), encode_frame("QN=1;ST=91;CN=9011;PW=1;MN=1;Flag=4;CP=&&QnRtn=x&&"))
    assert isinstance(error, RemoteProtocolError)
    assert error.code == "format"


def test_crc_mismatch_carries_the_9011_crc_wrong_answer() -> None:
    good = encode_frame(f"QN=20160801085857223;ST=21;CN=2061;PW=123456;MN={MN};Flag=5;CP=&&DataTime=1&&")
    bad = good[:-6] + b"0000\r\n"
    (error,) = read_events(Connection(), bad)
    assert isinstance(error, RemoteProtocolError)
    assert error.code == "crc_mismatch"
    # HJ 212-2017 Table 7: QnRtn 9 = CRC wrong; answers use ST=91, Flag=4 and the request's QN
    assert error.response == encode_frame(
        f"QN=20160801085857223;ST=91;CN=9011;PW=123456;MN={MN};Flag=4;CP=&&QnRtn=9&&"
    )
    assert error.frame == bad


def test_no_answer_to_a_bad_answer_or_an_unreadable_header() -> None:
    answer = encode_frame(f"QN=20160801085857223;ST=91;CN=9014;PW=123456;MN={MN};Flag=4;CP=&&&&")
    (error,) = read_events(Connection(), answer[:-6] + b"0000\r\n")
    assert isinstance(error, RemoteProtocolError)
    assert error.response is None
    garbled = b"##0020QN=1;garbage;xyzwabc0000\r\n"
    (error,) = read_events(Connection(), garbled)
    assert isinstance(error, RemoteProtocolError)
    assert (error.code, error.response) == ("crc_mismatch", None)


def test_stream_stays_usable_after_each_rejection() -> None:
    good = encode_frame(f"QN=20160801085857223;ST=91;CN=9014;PW=123456;MN={MN};Flag=4;CP=&&&&")
    stream = good[:-6] + b"0000\r\n" + b"##01x1\r\n" + good + b"##9999&&1C80\r\n" + good
    kinds = [type(e).__name__ for e in read_events(Connection(), stream)]
    assert kinds == [
        "RemoteProtocolError",
        "RemoteProtocolError",
        "DataAck",
        "RemoteProtocolError",
        "DataAck",
    ]


def test_eof_and_data_after_eof() -> None:
    conn = Connection()
    conn.receive_data(b"##0101QN=")
    assert conn.next_event() is NEED_DATA
    conn.receive_data(b"")
    assert conn.eof
    with pytest.raises(RemoteProtocolError, match="missing_tail"):
        conn.next_event()
    assert conn.next_event() is NEED_DATA
    with pytest.raises(LocalProtocolError):
        conn.receive_data(b"more")


def test_logger_and_platform_talk() -> None:
    """A simulated logger and the platform, through bytes only."""
    logger = Connection(Role.LOGGER)
    platform = Connection(Role.PLATFORM)
    items = {f"w0{i}001": {"Avg": f"{i}.5", "Flag": "N"} for i in range(60)}
    upload = Upload("2061", "20160801090000001", "21", "123456", MN, HOUR, items)
    wire = logger.send(upload)
    assert wire.count(b"##") > 1  # too big for one frame: split
    platform.receive_data(wire)
    event = platform.next_event()
    assert isinstance(event, DataUpload)
    assert event.items == items
    assert platform.next_event() is NEED_DATA
    acks = b"".join(platform.send(DataAck.for_packet(p)) for p in event.ack_packets)
    logger.receive_data(acks)
    got = [logger.next_event() for _ in event.ack_packets]
    assert [a.qn for a in got if isinstance(a, DataAck)] == [p.qn for p in event.packets]
