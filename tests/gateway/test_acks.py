"""The fast 9014 encoder writes exactly what the codec writes."""

from __future__ import annotations

from datetime import datetime

import pytest

from lianfang.gateway.acks import AckEncoder
from lianfang.hj212 import NEED_DATA, Connection, DataAck, DataUpload, Role
from lianfang.hj212.encode import encode_frame
from lianfang.model import BEIJING

from .fake_logger import hourly_items

SEGMENTS = [
    "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20160801085857;w01001-Rtd=7.1,w01001-Flag=N&&",
    "QN=20160801085857223;ST=21;CN=2061;PW=123456;MN=abc-123_x;Flag=9;CP=&&DataTime=20160801080000;w01001-Avg=7.1&&",
    "QN=20160801085857223;ST=21;CN=2061;PW=1;MN=M;Flag=253;CP=&&DataTime=20160801080000;w01001-Avg=7.1&&",
    "ST=32;CN=2051;PW=123456;MN=88888880000001;Flag=1;CP=&&DataTime=20040516020111;101-Avg=1.1&&",
    "QN=2016X;ST=21;CN=2061;PW=123456;MN=M1;Flag=5;CP=&&DataTime=20160801080000;w01001-Avg=7.1&&",
]


@pytest.mark.parametrize("segment", SEGMENTS)
def test_fast_ack_equals_codec_ack(segment: str) -> None:
    codec = Connection(Role.PLATFORM)
    codec.receive_data(encode_frame(segment))
    event = codec.next_event()
    assert event is not NEED_DATA
    assert isinstance(event, DataUpload)
    packet = event.packets[0]
    encoder = AckEncoder()
    expected = codec.send(DataAck.for_packet(packet))
    assert encoder.encode(packet, codec) == expected
    assert encoder.encode(packet, codec) == expected  # cached tail


def test_fast_ack_for_generated_uploads() -> None:
    from lianfang.hj212 import Upload

    logger, platform, encoder = Connection(Role.LOGGER), Connection(Role.PLATFORM), AckEncoder()
    for i in range(50):
        when = datetime(2026, 1, 1, i % 24, tzinfo=BEIJING)
        platform.receive_data(
            logger.send(Upload("2061", f"2026010100000{i:04d}", "21", "pw", "MN1", when, hourly_items()))
        )
        event = platform.next_event()
        assert isinstance(event, DataUpload)
        assert encoder.encode(event.packets[0], platform) == platform.send(
            DataAck.for_packet(event.packets[0])
        )
