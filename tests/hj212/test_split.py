from __future__ import annotations

import pytest

from lianfang.hj212.segment import parse_segment
from lianfang.hj212.split import SplitAssembler, merge_upload


def part(pno: int, pnum: int, items: str, mn: str = "M", data_time: str = "20160801080000") -> object:
    return parse_segment(
        f"QN=1;ST=21;CN=2061;MN={mn};Flag=7;PNUM={pnum};PNO={pno};CP=&&DataTime={data_time};{items}&&"
    )


def test_groups_are_keyed_by_station_command_and_data_time() -> None:
    assembler = SplitAssembler()
    assert assembler.add(part(1, 2, "a-Avg=1"), None) == []  # type: ignore[arg-type]
    assert assembler.add(part(1, 2, "b-Avg=1", mn="OTHER"), None) == []  # type: ignore[arg-type]
    assert assembler.add(part(2, 2, "c-Avg=1", data_time="20160801090000"), None) == []  # type: ignore[arg-type]
    assert len(assembler) == 3
    (done,) = assembler.add(part(2, 2, "d-Avg=1"), None)  # type: ignore[arg-type]
    assert done.items == {"a": {"Avg": "1"}, "d": {"Avg": "1"}}
    assert len(assembler) == 2
    assert [u.complete for u in assembler.flush()] == [False, False]
    assert len(assembler) == 0


def test_single_part_group_completes_at_once() -> None:
    (done,) = SplitAssembler().add(part(1, 1, "a-Avg=1"), None)  # type: ignore[arg-type]
    assert done.complete


def test_merge_keeps_every_suffix_of_a_code_spread_over_parts() -> None:
    upload = merge_upload([part(2, 2, "a-Flag=N"), part(1, 2, "a-Avg=1")], None, complete=True)  # type: ignore[list-item]
    assert upload.items == {"a": {"Avg": "1", "Flag": "N"}}
    assert [p.pno for p in upload.packets] == [1, 2]


def test_bound_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SplitAssembler(0)
