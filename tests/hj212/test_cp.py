from __future__ import annotations

import pytest

from lianfang.hj212.cp import CpData, CpSyntaxError, format_cp, parse_cp


def test_items_grouped_by_code_values_kept_as_text() -> None:
    cp = parse_cp("DataTime=20160801085857;w01001-Rtd=7.10,w01001-Flag=N;w01018-Rtd=2.2,w01018-Flag=N")
    assert cp.fields == {"DataTime": "20160801085857"}
    assert cp.items == {"w01001": {"Rtd": "7.10", "Flag": "N"}, "w01018": {"Rtd": "2.2", "Flag": "N"}}


def test_comma_and_semicolon_both_separate_items() -> None:
    # HJ 212-2017 Tables C.23/C.41 write BeginTime=…,EndTime=…
    assert parse_cp("BeginTime=20160801000000,EndTime=20160801000000").fields == {
        "BeginTime": "20160801000000",
        "EndTime": "20160801000000",
    }
    assert parse_cp("a-Rtd=1;a-Flag=N").items == parse_cp("a-Rtd=1,a-Flag=N").items


def test_whitespace_trimmed_as_in_the_standards_examples() -> None:
    # C.2/C.4 "CP=&& PolId=w01018&&", C.42 "i12003-Info =0", 2005 "101-Ala=1.1, AlarmType =1"
    cp = parse_cp(" PolId=w01018; i12003-Info =0;101-Ala=1.1, AlarmType =1 ")
    assert cp.fields == {"PolId": "w01018", "AlarmType": "1"}
    assert cp.items == {"i12003": {"Info": "0"}, "101": {"Ala": "1.1"}}


def test_unknown_codes_and_suffixes_pass_through() -> None:
    cp = parse_cp("LA-td=50.1,LA-Flag=N;pms_rules-Rtd=7;ua19003-5-Rtd=2.5;Flag=N")
    assert cp.items == {
        "LA": {"td": "50.1", "Flag": "N"},
        "pms_rules": {"Rtd": "7"},
        "ua19003-5": {"Rtd": "2.5"},
    }
    assert cp.fields == {"Flag": "N"}


def test_trailing_separator_and_empty_cp() -> None:
    assert parse_cp("a34001-Rtd=217,a34001-Flag=N;").items == {"a34001": {"Rtd": "217", "Flag": "N"}}
    assert parse_cp("") == CpData()


def test_duplicates_last_wins_and_are_reported() -> None:
    cp = parse_cp("a05002-Rtd=1,a05002-Flag=N;a05002-Cou=0,a05002-Flag=D;DataTime=1;DataTime=2")
    assert cp.items["a05002"] == {"Rtd": "1", "Flag": "D", "Cou": "0"}
    assert cp.fields["DataTime"] == "2"
    assert cp.duplicates == ("a05002-Flag", "DataTime")


def test_value_with_equals_sign_is_kept() -> None:
    assert parse_cp("i13004-Info=a=b").items == {"i13004": {"Info": "a=b"}}


def test_info_text_may_contain_separators() -> None:
    cp = parse_cp("DataTime=20160801085857;PolId=w01018;i11001-Info=//报警;温度,过高//;i12001-Info=1")
    assert cp.items == {"i11001": {"Info": "//报警;温度,过高//"}, "i12001": {"Info": "1"}}


@pytest.mark.parametrize("body", ["DataTime=1;garbage", "=5", "a-Rtd=1, ,b"])
def test_items_without_name_or_equals_are_errors(body: str) -> None:
    with pytest.raises(CpSyntaxError):
        parse_cp(body)


def test_format_round_trip() -> None:
    fields = {"DataTime": "20160801085857"}
    items = {"w01001": {"Rtd": "7.1", "Flag": "N"}, "w01018": {"Avg": "1.230"}}
    text = format_cp(fields, items)
    assert text == "DataTime=20160801085857;w01001-Rtd=7.1,w01001-Flag=N;w01018-Avg=1.230"
    assert parse_cp(text) == CpData(fields, items)


@pytest.mark.parametrize(
    ("fields", "items"),
    [
        ({"a;b": "1"}, {}),
        ({"a": "1;2"}, {}),
        ({"a": "x&&y"}, {}),
        ({}, {"w01": {"Rtd": "1,2"}}),
        ({"": "1"}, {}),
    ],
)
def test_format_refuses_text_that_breaks_the_grammar(
    fields: dict[str, str], items: dict[str, dict[str, str]]
) -> None:
    with pytest.raises(ValueError, match="invalid CP"):
        format_cp(fields, items)
