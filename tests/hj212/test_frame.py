"""Framing and frame checks: every reject code, resync, partial headers, tolerance switches."""

from __future__ import annotations

import pytest

from lianfang.hj212 import Tolerance, crc16
from lianfang.hj212.crc import crc16_modbus
from lianfang.hj212.encode import encode_frame
from lianfang.hj212.frame import MAX_FRAME
from lianfang.hj212.reader import PacketReader

from .feeding import MODES, read_packets

SEGMENT = (
    "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
)
GOOD = encode_frame(SEGMENT)
ZH = "QN=20240601085857223;ST=21;CN=3020;PW=123456;MN=1;Flag=4;CP=&&i11001-Info=//仪器故障//&&"


def frame_with(
    data: bytes, *, length: int | None = None, crc: bytes | None = None, tail: bytes = b"\r\n"
) -> bytes:
    n = len(data) if length is None else length
    return b"##%04d" % n + data + (crc if crc is not None else b"%04X" % crc16(data)) + tail


def codes(results: list[dict[str, object]]) -> list[object]:
    return [r["cn"] if r["ok"] else r["error"] for r in results]


@pytest.mark.parametrize("mode", MODES)
def test_good_frame(mode: str) -> None:
    assert codes(read_packets(GOOD, mode)) == ["1062"]


@pytest.mark.parametrize("mode", MODES)
def test_several_frames_with_garbage_between(mode: str) -> None:
    stream = b"garbage\r\n" + GOOD + GOOD + b"[2020-09-22 18:17:47]\n" + GOOD + b"\x00\xff#" + GOOD
    assert codes(read_packets(stream, mode)) == ["1062"] * 4


def test_garbage_is_counted_and_not_buffered() -> None:
    reader = PacketReader()
    reader.receive_data(b"x" * 100_000)
    assert reader.next_packet() is None
    assert reader.buffered == 0
    assert reader.discarded_bytes == 100_000


def test_a_trailing_hash_is_kept_for_the_next_read() -> None:
    reader = PacketReader()
    reader.receive_data(b"noise#")
    assert reader.next_packet() is None
    assert reader.buffered == 1
    reader.receive_data(GOOD[1:])
    packet = reader.next_packet()
    assert packet is not None
    assert packet.cn == "1062"


@pytest.mark.parametrize("mode", MODES)
def test_three_hashes(mode: str) -> None:
    assert codes(read_packets(b"#" + GOOD, mode)) == ["1062"]


@pytest.mark.parametrize("mode", MODES)
def test_bad_length_field(mode: str) -> None:
    stream = b"##01a1QN=1;CN=2011;CP=&&&&FFFF\r\n" + GOOD
    assert codes(read_packets(stream, mode)) == ["bad_length_field", "1062"]


@pytest.mark.parametrize("mode", MODES)
def test_length_field_too_small(mode: str) -> None:
    data = SEGMENT.encode()
    stream = frame_with(data, length=len(data) - 5) + GOOD
    assert codes(read_packets(stream, mode)) == ["length_mismatch", "1062"]


@pytest.mark.parametrize("mode", MODES)
def test_length_field_too_large(mode: str) -> None:
    data = SEGMENT.encode()
    stream = frame_with(data, length=len(data) + 300) + GOOD
    assert codes(read_packets(stream, mode)) == ["length_mismatch", "1062"]


def test_too_large_length_is_reported_without_waiting_for_more_bytes() -> None:
    # a stop-and-wait logger sends nothing more until answered: do not stall on the length field
    data = SEGMENT.encode()
    results = read_packets(frame_with(data, length=900), eof=False)
    assert codes(results) == ["length_mismatch"]
    assert "says 900 bytes" in str(results[0]["message"])


@pytest.mark.parametrize("mode", MODES)
def test_missing_tail_before_the_next_frame(mode: str) -> None:
    stream = frame_with(SEGMENT.encode(), tail=b"") + GOOD
    assert codes(read_packets(stream, mode)) == ["missing_tail", "1062"]


@pytest.mark.parametrize("mode", MODES)
def test_lf_only_tail(mode: str) -> None:
    stream = frame_with(SEGMENT.encode(), tail=b"\n") + GOOD
    assert codes(read_packets(stream, mode)) == ["missing_tail", "1062"]
    tolerant = Tolerance(lf_only_tail=True)
    assert codes(read_packets(stream, mode, tolerance=tolerant)) == ["1062", "1062"]


@pytest.mark.parametrize("mode", MODES)
def test_stream_ends_inside_a_frame(mode: str) -> None:
    assert codes(read_packets(GOOD + GOOD[:50], mode)) == ["1062", "missing_tail"]
    expected = "bad_length_field" if mode == "trailing" else "missing_tail"  # "##01\r\n…"
    assert codes(read_packets(GOOD + b"##01", mode)) == ["1062", expected]


@pytest.mark.parametrize("mode", MODES)
def test_data_segment_over_1024(mode: str) -> None:
    segment = "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=X;Flag=4;CP=&&DataTime=20160801085857;"
    segment += ";".join(f"w{i:05d}-Rtd=1.000" for i in range(80)) + "&&"
    frame = encode_frame(segment)
    assert len(segment) > 1024
    assert codes(read_packets(frame + GOOD, mode)) == ["length_exceeds_1024", "1062"]
    assert codes(read_packets(frame + GOOD, mode, max_data_len=4096)) == ["2011", "1062"]


def test_exactly_1024_bytes_is_accepted() -> None:
    head = "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=X;Flag=4;CP=&&DataTime=20160801085857;a=&&"
    segment = head.replace("a=", "a=" + "1" * (1024 - len(head)))
    assert len(segment) == 1024
    assert codes(read_packets(encode_frame(segment))) == ["2011"]


@pytest.mark.parametrize("mode", MODES)
def test_crc_mismatch(mode: str) -> None:
    stream = frame_with(SEGMENT.encode(), crc=b"1C08") + GOOD
    results = read_packets(stream, mode)
    assert codes(results) == ["crc_mismatch", "1062"]
    assert "computed 1C80" in str(results[0]["message"])


def test_crc_field_not_hex() -> None:
    assert codes(read_packets(frame_with(SEGMENT.encode(), crc=b"1C8Z"))) == ["crc_mismatch"]
    assert codes(read_packets(frame_with(SEGMENT.encode(), crc=b"+C80"))) == ["crc_mismatch"]


def test_lowercase_crc_accepted_unless_switched_off() -> None:
    frame = frame_with(SEGMENT.encode(), crc=b"1c80")
    assert codes(read_packets(frame)) == ["1062"]
    assert codes(read_packets(frame, tolerance=Tolerance(lowercase_crc=False))) == ["crc_mismatch"]


@pytest.mark.parametrize(("variant", "swap"), [("modbus", False), ("modbus_swapped", True)])
def test_crc_variants_only_when_tolerated(variant: str, swap: bool) -> None:
    data = SEGMENT.encode()
    m = crc16_modbus(data)
    field = b"%04X" % (((m & 0xFF) << 8 | m >> 8) if swap else m)
    frame = frame_with(data, crc=field)
    assert codes(read_packets(frame)) == ["crc_mismatch"]
    assert codes(read_packets(frame, tolerance=Tolerance(crc_variants=(variant,)))) == ["1062"]


@pytest.mark.parametrize("mode", MODES)
def test_not_utf8(mode: str) -> None:
    data = "QN=1;ST=32;CN=3020;PW=1;MN=1;Flag=4;CP=&&i11001-Info=//仪器故障//&&".encode("gbk")
    stream = frame_with(data) + GOOD
    assert codes(read_packets(stream, mode)) == ["not_utf8", "1062"]
    gbk = read_packets(stream, mode, tolerance=Tolerance(encoding="gbk"))
    assert codes(gbk) == ["3020", "1062"]
    assert gbk[0]["cp"] == {"i11001": {"Info": "//仪器故障//"}}


@pytest.mark.parametrize("mode", MODES)
def test_format(mode: str) -> None:
    no_cp = frame_with(b"QN=1;ST=32;CN=2011;PW=1;MN=1")
    no_cn = frame_with(b"QN=1;ST=32;PW=1;MN=1;CP=&&&&")
    assert codes(read_packets(no_cp + no_cn + GOOD, mode)) == ["format", "format", "1062"]


def test_length_is_utf8_bytes_and_char_count_is_a_tolerance() -> None:
    data = ZH.encode()
    assert codes(read_packets(frame_with(data))) == ["3020"]
    by_chars = frame_with(data, length=len(ZH))
    assert len(ZH) < len(data)
    assert codes(read_packets(by_chars)) == ["length_mismatch"]
    assert codes(read_packets(by_chars, tolerance=Tolerance(char_count_length=True))) == ["3020"]


def test_buffer_stays_bounded_without_a_tail() -> None:
    reader = PacketReader()
    reader.receive_data(b"##0100" + b"A" * (MAX_FRAME + 200))
    with pytest.raises(Exception, match="missing_tail"):
        reader.next_packet()
    while reader.next_packet() is not None:
        pass
    assert reader.buffered <= MAX_FRAME


def test_empty_data_segment_frame_is_rejected_as_format() -> None:
    assert codes(read_packets(b"##0000FFFF\r\n" + GOOD)) == ["format", "1062"]


@pytest.mark.parametrize("mode", MODES)
def test_a_wrong_frame_before_a_good_one_never_swallows_it(mode: str) -> None:
    for junk in (b"##0999abc\r\n", b"##0999abc", b"##0050QN=1;CN=2011\r\n", b"##0999&&1C80"):
        results = read_packets(junk + GOOD, mode)
        assert codes(results)[-1] == "1062", junk


def test_a_following_frame_ends_the_wait_without_eof() -> None:
    results = read_packets(b"##0999abc\r\n" + GOOD, eof=False)
    assert codes(results) == ["length_mismatch", "1062"]
