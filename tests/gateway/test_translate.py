"""DataUpload -> observation rows: kinds, value suffix fall-backs, flags, non-numbers."""

from __future__ import annotations

from datetime import datetime

from lianfang.gateway.translate import append_upload
from lianfang.hj212 import DataUpload
from lianfang.model import BEIJING, ObservationBatch

T = datetime(2026, 3, 1, 8, tzinfo=BEIJING)
NOW = datetime(2026, 3, 1, 9, 5, tzinfo=BEIJING)


def upload(cn: str, items: dict[str, dict[str, str]]) -> DataUpload:
    return DataUpload(cn, T, items, ())


def test_hourly_prefers_avg_then_rtd_then_cou() -> None:
    batch = ObservationBatch()
    items = {
        "w01001": {"Min": "6.9", "Avg": "7.1", "Max": "7.3", "Rtd": "7.0", "Flag": "N"},
        "w00000": {"Cou": "120.5"},  # discharge total only
        "w21003": {"Rtd": "0.52", "Flag": "T"},
        "w01018": {"SampleTime": "20260301070000", "EFlag": "A01"},
    }
    result = append_upload(batch, upload("2061", items), "MN1", NOW)
    assert (result.stored, result.no_value, result.not_numeric) == (3, 1, 0)
    rows = {o.param: (o.value, o.flag, o.kind.value, o.time) for o in batch}
    assert rows == {
        "w01001": (7.1, "N", "hour", T),
        "w00000": (120.5, "N", "hour", T),  # no -Flag: N (HJ 212-2017 Table 8, normal)
        "w21003": (0.52, "T", "hour", T),
    }


def test_realtime_prefers_rtd_and_skips_what_is_not_a_number() -> None:
    batch = ObservationBatch()
    items = {
        "a34004": {"Rtd": "35", "Avg": "30", "Flag": "N"},
        "a21026": {"Rtd": "inf"},
        "a21004": {"Rtd": "NaN"},
        "a05024": {"Rtd": "—"},
        "a21005": {"Rtd": "-0.4", "Flag": "D"},
    }
    result = append_upload(batch, upload("2011", items), "MN1", NOW)
    assert (result.stored, result.not_numeric) == (2, 3)
    assert [(o.param, o.value, o.kind.value) for o in batch] == [
        ("a34004", 35.0, "rtd"),
        ("a21005", -0.4, "rtd"),
    ]
    assert all(o.received_at == NOW and o.mn == "MN1" for o in batch)


def test_other_upload_commands_store_nothing() -> None:
    batch = ObservationBatch()
    result = append_upload(batch, upload("2021", {"SB1": {"RS": "1"}}), "MN1", NOW)
    assert result.kind is None
    assert len(batch) == 0
    assert append_upload(batch, upload("2031", {"w01001": {"Avg": "7"}}), "MN1", NOW).kind is not None
    assert next(iter(batch)).kind.value == "day"
