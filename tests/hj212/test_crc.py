from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lianfang.hj212 import crc16
from lianfang.hj212.crc import STEP, crc16_modbus, crc16_reference, format_crc

# HJ 212-2017 §6.3 example packet; its CRC is 1C80 (the prose's "1C08" is a typo).
STANDARD_SEGMENT = (
    b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
)


def test_standard_example_is_1c80() -> None:
    assert crc16(STANDARD_SEGMENT) == 0x1C80
    assert crc16_reference(STANDARD_SEGMENT) == 0x1C80
    assert format_crc(crc16(STANDARD_SEGMENT)) == "1C80"


def test_standard_example_differs_from_modbus() -> None:
    # reference/hj212.md §6.1: Modbus over the same bytes is 0759, a different algorithm
    assert crc16_modbus(STANDARD_SEGMENT) == 0x0759


def test_empty_segment_is_the_initial_register() -> None:
    assert crc16(b"") == crc16_reference(b"") == 0xFFFF


@pytest.mark.parametrize("size", [*range(0, 40), 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 9999])
def test_fast_equals_appendix_a_at_every_length_class(size: int) -> None:
    data = bytes((i * 131 + 7) % 256 for i in range(size))
    assert crc16(data) == crc16_reference(data)


@given(st.binary(max_size=2048))
def test_fast_equals_appendix_a(data: bytes) -> None:
    assert crc16(data) == crc16_reference(data)


@given(st.binary(min_size=1, max_size=300))
def test_one_byte_recurrence(data: bytes) -> None:
    # crc(data) == T[(crc(data[:-1]) >> 8) ^ data[-1]]  (reference/hj212.md §6.1)
    assert crc16(data) == STEP[(crc16(data[:-1]) >> 8) ^ data[-1]]


@given(st.binary(min_size=1, max_size=300))
def test_low_byte_is_one_of_eight_values(data: bytes) -> None:
    assert crc16(data) & 0xFF in {0x00, 0x01, 0x40, 0x41, 0x80, 0x81, 0xC0, 0xC1}


def test_chinese_text_is_crc_over_utf8_bytes() -> None:
    text = "QN=1;CN=3020;CP=&&i11001-Info=//仪器故障//&&".encode()
    assert crc16(text) == crc16_reference(text)


def test_format_pads_to_four_uppercase_digits() -> None:
    assert format_crc(0x880) == "0880"
    assert format_crc(0xC1) == "00C1"
