"""Periods and station selection: parsing, Beijing-day bounds, one-line errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lianfang.errors import InputError, NotFoundError
from lianfang.model import BEIJING, StationKind
from lianfang.reports.scope import DayRange, day_range, resolve_scope
from lianfang.store import open_store


def test_year_month_and_range() -> None:
    year = day_range(year="2016")
    assert (year.first, year.last, year.n_days, year.is_year, year.label()) == (
        date(2016, 1, 1),
        date(2016, 12, 31),
        366,
        True,
        "2016",
    )
    feb = day_range(month="2024-02")
    assert (feb.last, feb.is_month, feb.is_year, feb.label()) == (date(2024, 2, 29), True, False, "2024-02")
    span = day_range(start="2025-01-03", end="2025-02-10")
    assert span.n_days == 39
    assert span.label() == "2025-01-03..2025-02-10"
    assert not span.is_month
    assert not span.is_year
    assert day_range(start="2025-03-01", end="2025-03-31").is_month


def test_bounds_are_beijing_midnights() -> None:
    days = DayRange(date(2025, 1, 1), date(2025, 1, 2))
    assert days.start == datetime(2025, 1, 1, tzinfo=BEIJING)
    assert days.end == datetime(2025, 1, 3, tzinfo=BEIJING)
    assert days.start == datetime(2024, 12, 31, 16, tzinfo=UTC)  # the same instant in UTC


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "one form"),
        ({"year": "2016", "month": "2016-01"}, "one form"),
        ({"year": "2016", "start": "2016-01-01", "end": "2016-02-01"}, "one form"),
        ({"start": "2016-01-01"}, "go together"),
        ({"year": "16"}, "not a year"),
        ({"month": "2016-13"}, "not a month"),
        ({"month": "2016/01"}, "not a month"),
        ({"start": "2016-02-30", "end": "2016-03-01"}, "not a date"),
        ({"start": "2016-03-02", "end": "2016-03-01"}, "before it starts"),
    ],
)
def test_bad_periods(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        day_range(**kwargs)


def test_resolve_scope(generated_data: Path) -> None:
    store = open_store(generated_data / "lianfang.duckdb", read_only=True)
    try:
        everything = resolve_scope(store, StationKind.WATER)
        assert len(everything.stations) == 9
        assert everything.jurisdiction is None
        river = resolve_scope(store, StationKind.WATER, river="渠江")
        assert sorted(river.mns) == ["W-QJ-1", "W-QJ-2"]
        city = resolve_scope(store, StationKind.AIR, jurisdiction="SC")
        assert sorted(city.mns) == ["SC-AIR-1", "SC-AIR-2"]
        assert city.jurisdiction == "SC"
        one = resolve_scope(store, StationKind.AIR, station="CQ-AIR-1")
        assert one.mns == ["CQ-AIR-1"]
        assert one.jurisdiction is None
        assert list(resolve_scope(store, StationKind.AIR).by_jurisdiction()) == ["CQ", "SC"]
        with pytest.raises(NotFoundError, match="not registered"):
            resolve_scope(store, StationKind.AIR, station="NOPE")
        with pytest.raises(InputError, match="is a water station"):
            resolve_scope(store, StationKind.AIR, station="W-JL-1")
        with pytest.raises(InputError, match="--river selects water sections"):
            resolve_scope(store, StationKind.AIR, river="嘉陵江")
        with pytest.raises(
            NotFoundError, match=r"no water section on river '长江' \(known: 嘉陵江, 渠江, 长寿湖\)"
        ):
            resolve_scope(store, StationKind.WATER, river="长江")
        with pytest.raises(NotFoundError, match=r"'BJ' is not registered \(known: CQ, SC\)"):
            resolve_scope(store, StationKind.AIR, jurisdiction="BJ")
        with pytest.raises(InputError, match="one of --station, --river or --jurisdiction"):
            resolve_scope(store, StationKind.WATER, river="渠江", jurisdiction="SC")
    finally:
        store.close()
