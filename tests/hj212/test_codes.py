from __future__ import annotations

import re

from lianfang.hj212.codes import ANSWER_CNS, COMMANDS, EXE_RTN, HISTORY_CNS, LEGACY_CODES, QN_RTN, UPLOAD_CNS


def test_tables_are_consistent() -> None:
    assert HISTORY_CNS <= UPLOAD_CNS <= set(COMMANDS)
    assert set(COMMANDS) >= ANSWER_CNS
    assert QN_RTN[9] == "CRC wrong"
    assert EXE_RTN[100] == "no data"


def test_legacy_codes_map_to_2017_codes() -> None:
    assert LEGACY_CODES["060"] == "w21003"  # NH3-N, HJ 212-2017 Table B.1
    assert all(re.fullmatch(r"[wa]\d{5}", code) for code in LEGACY_CODES.values())
