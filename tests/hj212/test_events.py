from __future__ import annotations

from lianfang.hj212 import NEED_DATA, DataAck, DataUpload, ExecutionResult, NotificationAck, RequestAnswer
from lianfang.hj212.segment import parse_segment

MN = "010000A8900016F000169DC0"


def test_answers_for_a_packet_copy_qn_pw_mn_and_version() -> None:
    request = parse_segment(
        f"QN=20240601085857223;ST=32;CN=3012;PW=123456;MN={MN};Flag=9;CP=&&PolId=w01018&&"
    )
    for answer in (
        RequestAnswer.for_packet(request, 1),
        ExecutionResult.for_packet(request, 1),
        NotificationAck.for_packet(request),
        DataAck.for_packet(request),
    ):
        assert (answer.qn, answer.pw, answer.mn, answer.st) == ("20240601085857223", "123456", MN, "91")
        assert answer.version is request.version


def test_upload_helpers() -> None:
    first = parse_segment("QN=1;ST=21;CN=2061;PW=p;MN=m;Flag=7;PNUM=2;PNO=1;CP=&&DataTime=1;Note=a&&")
    second = parse_segment("QN=2;ST=21;CN=2061;PW=p;MN=m;Flag=6;PNUM=2;PNO=2;CP=&&DataTime=1;Extra=b&&")
    upload = DataUpload("2061", None, {}, (first, second))
    assert upload.fields == {"DataTime": "1", "Note": "a", "Extra": "b"}
    assert upload.ack_packets == (first,)
    assert (upload.mn, upload.pw, upload.st) == ("m", "p", "21")


def test_need_data_is_a_singleton_with_a_readable_repr() -> None:
    assert repr(NEED_DATA) == "NEED_DATA"
