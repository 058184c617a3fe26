from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lianfang.hj212 import BEIJING, make_qn
from lianfang.hj212.hjtime import format_timestamp, parse_qn, parse_timestamp


def test_make_qn_is_17_digits_of_beijing_time() -> None:
    assert make_qn(datetime(2016, 8, 1, 0, 58, 57, 223000, tzinfo=UTC)) == "20160801085857223"
    assert make_qn(datetime(2016, 8, 1, 8, 58, 57, 999000, tzinfo=BEIJING), seq=1) == "20160801085858000"
    assert make_qn(datetime(2016, 8, 1, 8, 58, 57)) == "20160801085857000"  # naive = Beijing wall clock


def test_parse_timestamp() -> None:
    assert parse_timestamp("20160801080000") == datetime(2016, 8, 1, 8, tzinfo=BEIJING)
    # xiaoyao9184/hj-t212-parser#5: some loggers send a 17-digit DataTime
    assert parse_timestamp("20160824003817123") == datetime(2016, 8, 24, 0, 38, 17, 123000, tzinfo=BEIJING)
    assert parse_qn("20160801085857223") == datetime(2016, 8, 1, 8, 58, 57, 223000, tzinfo=BEIJING)


@pytest.mark.parametrize(
    "text", ["", "2016080108000", "20161301080000", "2016080108000x", "２０１６０８０１０８００００"]
)
def test_unparseable_timestamps_are_none(text: str) -> None:
    assert parse_timestamp(text) is None


def test_format_timestamp_converts_to_beijing() -> None:
    assert format_timestamp(datetime(2016, 8, 1, 0, tzinfo=UTC)) == "20160801080000"
