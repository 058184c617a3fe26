from __future__ import annotations

import pytest

from lianfang.hj212 import Connection, Tolerance


def test_defaults_are_strict_except_lowercase_crc() -> None:
    t = Tolerance()
    assert t.lowercase_crc
    assert (t.max_data_len, t.lf_only_tail, t.char_count_length, t.encoding, t.crc_variants) == (
        1024, False, False, "utf-8", ()
    )  # fmt: skip


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown CRC variant"):
        Tolerance(crc_variants=("crc32",))
    with pytest.raises(ValueError, match=r"0\.\.9999"):
        Tolerance(max_data_len=10000)


def test_receive_limit_raised_by_tolerance_send_limit_never_above_1024() -> None:
    conn = Connection(tolerance=Tolerance(max_data_len=4096))
    assert (conn.receive_limit, conn.send_limit) == (4096, 1024)
    small = Connection(max_data_len=300)
    assert (small.receive_limit, small.send_limit) == (1024, 300)


def test_unknown_encoding_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="unknown encoding"):
        Tolerance(encoding="no-such-codec")
    assert Tolerance(encoding="gbk").encoding == "gbk"
