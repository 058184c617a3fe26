from __future__ import annotations

import pytest

from lianfang.hj212 import ProtocolVersion
from lianfang.hj212.segment import SegmentSyntaxError, format_segment, parse_segment

MN = "010000A8900016F000169DC0"


def test_standard_order() -> None:
    p = parse_segment(f"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN={MN};Flag=5;CP=&&RtdInterval=30&&")
    assert (p.qn, p.st, p.cn, p.pw, p.mn, p.flag, p.pnum, p.pno) == (
        "20160801085857223", "32", "1062", "100000", MN, 5, None, None
    )  # fmt: skip
    assert p.cp.fields == {"RtdInterval": "30"}
    assert p.version is ProtocolVersion.HJ212_2017
    assert p.wants_ack
    assert not p.is_split


def test_fields_by_name_in_any_order() -> None:
    # HJ/T 212-2005 examples: "ST=32;CN=2051;QN=…;PW=…;MN=…;PNO=1;PNUM=1;CP=…"
    p = parse_segment(f"ST=32;CN=2051;QN=20040516010101001;MN={MN};PW=123456;PNO=1;PNUM=1;Flag=3;CP=&&&&")
    assert (p.qn, p.pw, p.mn, p.pnum, p.pno, p.flag) == ("20040516010101001", "123456", MN, 1, 1, 3)
    assert p.is_split
    assert p.version is ProtocolVersion.HJT212_2005
    assert p.header == {
        "ST": "32", "CN": "2051", "QN": "20040516010101001", "MN": MN, "PW": "123456",
        "PNO": "1", "PNUM": "1", "Flag": "3",
    }  # fmt: skip


def test_field_written_after_cp_is_read() -> None:
    # xiaoyao9184/hj-t212-parser#24: a generator wrote Flag after CP
    p = parse_segment("QN=1;ST=32;CN=2011;PW=1;MN=1;CP=&&DataTime=20160801085857&&;Flag=5")
    assert p.flag == 5
    assert p.cp.fields == {"DataTime": "20160801085857"}


def test_2005_packet_without_qn_or_flag() -> None:
    p = parse_segment(
        "ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817;B01-Rtd=36.91&&"
    )
    assert p.qn is None
    assert p.flag is None
    assert p.version is ProtocolVersion.HJT212_2005
    assert not p.wants_ack


@pytest.mark.parametrize(
    ("flag", "version", "ack", "split_bit"),
    [(4, ProtocolVersion.HJ212_2017, False, False), (5, ProtocolVersion.HJ212_2017, True, False),
     (7, ProtocolVersion.HJ212_2017, True, True), (8, ProtocolVersion.HJ212_2025, False, False),
     (9, ProtocolVersion.HJ212_2025, True, False), (1, ProtocolVersion.HJT212_2005, True, False),
     (255, ProtocolVersion.UNKNOWN, True, True)],
)  # fmt: skip
def test_flag_bits(flag: int, version: ProtocolVersion, ack: bool, split_bit: bool) -> None:
    p = parse_segment(f"QN=1;ST=32;CN=2011;PW=1;MN=1;Flag={flag};CP=&&&&")
    assert p.version is version
    assert p.wants_ack is ack
    assert bool(p.flag is not None and p.flag & 2) is split_bit
    assert not p.is_split  # D=1 without PNUM/PNO is not a split packet


def test_data_time_is_beijing_time() -> None:
    p = parse_segment("CN=2061;CP=&&DataTime=20160801080000&&")
    assert p.data_time is not None
    assert p.data_time.isoformat() == "2016-08-01T08:00:00+08:00"
    assert parse_segment("CN=2061;CP=&&DataTime=2016-08-01&&").data_time is None


@pytest.mark.parametrize(
    "segment",
    [
        "QN=1;ST=32;CN=2011",  # no CP
        "QN=1;CN=2011;CP=&&DataTime=1",  # CP not closed
        "QN=1;ST=32;CP=&&&&",  # no CN
        "QN=1;CN=2011;Flag=x;CP=&&&&",  # Flag not an integer
        "QN=1;CN=2011;PNUM=-1;PNO=1;CP=&&&&",
        "QN=1;CN=2011;CN=2012;CP=&&&&",  # duplicate header field
        "QN=1;CN=2011;junk;CP=&&&&",
        "QN=1;CN=2011;CP=&&&&junk",  # text after CP
        "QN=1;CN=2011;CP=&&a-Rtd&&",  # CP item without '='
    ],
)
def test_format_errors(segment: str) -> None:
    with pytest.raises(SegmentSyntaxError):
        parse_segment(segment)


def test_format_segment_orders_and_omits() -> None:
    text = format_segment([("QN", "1"), ("ST", "91"), ("CN", "9014"), ("PW", None), ("Flag", "4")], "")
    assert text == "QN=1;ST=91;CN=9014;Flag=4;CP=&&&&"
    with pytest.raises(ValueError, match="invalid header"):
        format_segment([("MN", "a;b")], "")
