"""Encoding of every event the platform sends, and of the logger's uploads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lianfang.hj212 import (
    BEIJING,
    Connection,
    DataAck,
    ExecutionResult,
    HistoryRequest,
    LocalProtocolError,
    NotificationAck,
    OtherPacket,
    ProtocolVersion,
    RequestAnswer,
    Role,
    SetTime,
    Upload,
)
from lianfang.hj212.encode import encode_frame, split_upload
from lianfang.hj212.segment import parse_segment

MN = "010000A8900016F000169DC0"
QN = "20160801085857223"


def send(event: object) -> bytes:
    return Connection().send(event)  # type: ignore[arg-type]


def test_request_answer_matches_a_published_frame() -> None:
    # liruoyu2008/HJ212Interpreter README publishes this 9011 frame, CRC CC01
    frame = send(RequestAnswer("20231008125115215", "123456", MN, 1, st="22"))
    published = f"##0094QN=20231008125115215;ST=22;CN=9011;PW=123456;MN={MN};Flag=4;CP=&&QnRtn=1&&CC01\r\n"
    assert frame == published.encode()


def test_request_answer_for_a_packet() -> None:
    request = parse_segment(f"QN={QN};ST=32;CN=1062;PW=100000;MN={MN};Flag=5;CP=&&RtdInterval=30&&")
    assert send(RequestAnswer.for_packet(request, 1)) == encode_frame(
        f"QN={QN};ST=91;CN=9011;PW=100000;MN={MN};Flag=4;CP=&&QnRtn=1&&"
    )


def test_execution_result_and_notification_ack() -> None:
    assert send(ExecutionResult(QN, "123456", MN, 100)) == encode_frame(
        f"QN={QN};ST=91;CN=9012;PW=123456;MN={MN};Flag=4;CP=&&ExeRtn=100&&"
    )
    assert send(NotificationAck(QN, "123456", MN)) == encode_frame(
        f"QN={QN};ST=91;CN=9013;PW=123456;MN={MN};Flag=4;CP=&&&&"
    )


def test_data_ack_in_each_version() -> None:
    upload_2025 = parse_segment(f"QN={QN};ST=32;CN=2011;PW=123456;MN={MN};Flag=9;CP=&&DataTime=1&&")
    # caoyiliang/HJ212 Test/Program.cs: the 2025 answer "…;ST=91;CN=9014;…;Flag=8;CP=&&&&"
    assert send(DataAck.for_packet(upload_2025)) == encode_frame(
        f"QN={QN};ST=91;CN=9014;PW=123456;MN={MN};Flag=8;CP=&&&&"
    )
    upload_2005 = parse_segment(
        "ST=32;CN=2051;QN=20040516010101001;PW=123456;MN=88888880000001;CP=&&DataTime=1&&"
    )
    # HJ/T 212-2005 Appendix C: "ST=91;CN=9014;CP=&&QN=…;CN=2051&&"
    assert send(DataAck.for_packet(upload_2005)) == encode_frame(
        "ST=91;CN=9014;CP=&&QN=20040516010101001;CN=2051&&"
    )
    unknown = parse_segment(f"QN={QN};ST=32;CN=2011;PW=1;MN={MN};Flag=65;CP=&&&&")
    assert b";Flag=4;" in send(DataAck.for_packet(unknown))


def test_2005_request_answer() -> None:
    answer = RequestAnswer(
        "20040516010101001", "123456", "88888880000001", 1, version=ProtocolVersion.HJT212_2005
    )
    assert send(answer) == encode_frame(
        "ST=91;CN=9011;PW=123456;MN=88888880000001;Flag=0;CP=&&QN=20040516010101001;QnRtn=1&&"
    )


@pytest.mark.parametrize(("cn", "begin", "end"), [
    ("2061", "20160801080000", "20160801080000"),
    ("2051", "20160801084000", "20160801085000"),
    ("2031", "20160801000000", "20160803000000"),
])  # fmt: skip
def test_history_requests(cn: str, begin: str, end: str) -> None:
    def t(text: str) -> datetime:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)

    frame = send(HistoryRequest(cn, QN, "21", "123456", MN, t(begin), t(end)))
    # HJ 212-2017 C.20: "CN=2061;…;Flag=5;CP=&&BeginTime=20160801080000;EndTime=20160801080000&&"
    assert frame == encode_frame(
        f"QN={QN};ST=21;CN={cn};PW=123456;MN={MN};Flag=5;CP=&&BeginTime={begin};EndTime={end}&&"
    )


def test_history_request_times_are_sent_in_beijing_time() -> None:
    utc = datetime(2016, 8, 1, 0, tzinfo=UTC)
    frame = send(HistoryRequest("2061", QN, "21", "123456", MN, utc, utc))
    assert b"BeginTime=20160801080000;EndTime=20160801080000" in frame


def test_history_request_range_must_not_be_reversed() -> None:
    with pytest.raises(LocalProtocolError, match="after it ends"):
        send(
            HistoryRequest(
                "2061",
                QN,
                "21",
                "1",
                MN,
                datetime(2016, 8, 2, tzinfo=BEIJING),
                datetime(2016, 8, 1, tzinfo=BEIJING),
            )
        )


def test_set_time() -> None:
    when = datetime(2016, 8, 1, 8, 58, 57, tzinfo=BEIJING)
    assert send(SetTime(QN, "32", "123456", MN, when)) == encode_frame(
        f"QN={QN};ST=32;CN=1012;PW=123456;MN={MN};Flag=5;CP=&&SystemTime=20160801085857&&"
    )
    # HJ 212-2017 C.3 with an instrument: "CP=&&PolId=w01018;SystemTime=20160801085857&&"
    assert b"CP=&&PolId=w01018;SystemTime=20160801085857&&" in send(
        SetTime(QN, "32", "1", MN, when, "w01018")
    )


def test_invalid_header_values_are_local_errors() -> None:
    with pytest.raises(LocalProtocolError):
        send(NotificationAck(QN, "12;34", MN))
    with pytest.raises(LocalProtocolError):
        send(RequestAnswer(QN, "1", "a\r\nb", 1))


def test_other_packet_is_sent_as_is() -> None:
    frame = encode_frame(f"QN={QN};ST=32;CN=1013;PW=123456;MN={MN};Flag=4;CP=&&&&")
    assert send(OtherPacket(parse_segment(frame[6:-6].decode(), frame))) == frame
    with pytest.raises(LocalProtocolError):
        send(OtherPacket(parse_segment(frame[6:-6].decode())))


HOUR = datetime(2016, 8, 1, 8, tzinfo=BEIJING)


def test_small_upload_is_one_frame() -> None:
    items = {"w21003": {"Avg": "0.52", "Flag": "N"}, "w01001": {"Avg": "7.50", "Flag": "N"}}
    frame = Connection(Role.LOGGER).send(Upload("2061", QN, "21", "123456", MN, HOUR, items))
    assert frame == encode_frame(
        f"QN={QN};ST=21;CN=2061;PW=123456;MN={MN};Flag=5;"
        "CP=&&DataTime=20160801080000;w21003-Avg=0.52,w21003-Flag=N;w01001-Avg=7.50,w01001-Flag=N&&"
    )
    no_ack = Connection(Role.LOGGER).send(Upload("2061", QN, "21", "1", MN, HOUR, items, wants_ack=False))
    assert b";Flag=4;" in no_ack


def test_upload_versions() -> None:
    items = {"w21003": {"Avg": "0.52"}}
    old = Upload("2061", QN, "21", "1", MN, HOUR, items, wants_ack=False, version=ProtocolVersion.HJT212_2005)
    assert b"Flag" not in send(old)
    new = Upload("2061", QN, "21", "1", MN, HOUR, items, version=ProtocolVersion.HJ212_2025)
    assert b";Flag=9;" in send(new)
    with pytest.raises(LocalProtocolError):
        send(Upload("2061", QN, "21", "1", MN, HOUR, items, version=ProtocolVersion.UNKNOWN))


def test_large_upload_is_split_on_group_boundaries() -> None:
    items = {f"w{i:05d}": {"Avg": f"{i}.123", "Min": "0.1", "Max": "9.9", "Flag": "N"} for i in range(40)}
    upload = Upload("2061", QN, "21", "123456", MN, HOUR, items, fields={"Note": "x"})
    segments = split_upload(upload, 300)
    parts = [parse_segment(s) for s in segments]
    assert len(parts) > 1
    assert all(len(s.encode()) <= 300 for s in segments)
    assert [p.qn for p in parts] == [f"20160801085857{223 + k:03d}" for k in range(len(parts))]
    assert {p.pnum for p in parts} == {len(parts)}
    assert [p.pno for p in parts] == list(range(1, len(parts) + 1))
    assert {p.flag for p in parts} == {7}
    assert all(p.cp.fields == {"DataTime": "20160801080000", "Note": "x"} for p in parts)
    merged: dict[str, dict[str, str]] = {}
    for p in parts:
        assert not set(p.cp.items) & set(merged)  # a pollutant group is never cut
        merged.update(p.cp.items)
    assert merged == items


def test_split_failures_are_local_errors() -> None:
    huge = {"w00001": {"Info": "x" * 2000}}
    with pytest.raises(LocalProtocolError, match="alone does not fit"):
        send(Upload("2061", QN, "21", "1", MN, HOUR, huge))
    many = {f"w{i:05d}": {"Avg": "1"} for i in range(200)}
    with pytest.raises(LocalProtocolError, match="17-digit"):
        send(Upload("2061", "not-a-time", "21", "1", MN, HOUR, many))


def test_connection_never_sends_more_than_1024() -> None:
    many = {f"w{i:05d}": {"Avg": "1"} for i in range(200)}
    wire = Connection(Role.LOGGER, max_data_len=4096).send(Upload("2061", QN, "21", "1", MN, HOUR, many))
    frames = wire.split(b"\r\n")[:-1]
    assert len(frames) > 1
    assert all(int(f[2:6]) <= 1024 for f in frames)


def test_encode_frame_limit() -> None:
    with pytest.raises(LocalProtocolError):
        encode_frame("x" * 1025, max_data_len=1024)
