"""STA ids round-trip lianfang keys; the unit catalogue covers every parameter lianfang produces."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from lianfang.api.sensorthings.ids import (
    datastream_id,
    observation_id,
    parse_datastream_id,
    parse_observation_id,
    parse_sensor_id,
    sensor_id,
)
from lianfang.api.sensorthings.units import PARAMETERS, parameter_info
from lianfang.errors import NotFoundError
from lianfang.model import DataKind
from lianfang.share import SeriesKey


@pytest.mark.parametrize("mn", ["51010020210001", "SCW001", "odd:mn"])
@pytest.mark.parametrize("kind", list(DataKind))
def test_ids_round_trip(mn: str, kind: DataKind) -> None:
    key = SeriesKey(mn, "w21003", kind)
    assert parse_datastream_id(datastream_id(key)) == key
    assert parse_sensor_id(sensor_id(mn, "w21003")) == (mn, "w21003")
    for time in (
        datetime(2024, 6, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))),
        datetime(2024, 6, 1, 0, 0, 0, 123456, tzinfo=UTC),
    ):
        text = observation_id(key, time)
        assert parse_observation_id(text) == (key, time)
    assert observation_id(key, datetime(2024, 6, 1, 8, tzinfo=timezone(timedelta(hours=8)))).endswith(
        ":20240601T000000Z"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "a:b",
        "a:b:year",
        "::hour",
        "a:b:hour:2024",
        "a:b:hour:20240601T000000",
        "a:b:hour:2024060XT000000Z",
    ],
)
def test_foreign_ids_are_not_found(text: str) -> None:
    with pytest.raises(NotFoundError):
        parse_observation_id(text)


def test_datastream_and_sensor_ids_reject_foreign_text() -> None:
    for text in ("", "a", "a:b", "a:b:weekly"):
        with pytest.raises(NotFoundError):
            parse_datastream_id(text)
    with pytest.raises(NotFoundError):
        parse_sensor_id("nocolon")


def test_catalogue_covers_the_parameters_lianfang_produces() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "lianfang"
    used = set()
    for module in [*(src / "sim").glob("*.py"), *(src / "assess").glob("*.py")]:
        used |= set(re.findall(r'"([aw]\d{5})"', module.read_text(encoding="utf-8")))
    assert used, "no parameter codes found: the scan is broken"
    assert used <= set(PARAMETERS), sorted(used - set(PARAMETERS))


def test_units_follow_the_project_convention() -> None:
    assert parameter_info("w21003").unit.symbol == "mg/L"
    assert parameter_info("a34004").unit.symbol == "µg/m³"  # not the table's ng/m³ misprint
    assert parameter_info("a21005").unit.symbol == "mg/m³"  # CO
    assert parameter_info("w20111").unit.symbol == "µg/L"  # mercury
    unknown = parameter_info("x99999")
    assert unknown.name_en == "x99999"
    assert unknown.unit.symbol == ""
    for info in PARAMETERS.values():
        assert info.unit.definition.startswith("http://qudt.org/vocab/unit/"), info.code
