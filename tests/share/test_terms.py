from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lianfang.errors import InputError
from lianfang.model import BEIJING, DataKind
from lianfang.share.terms import format_duration, parse_duration, parse_instant, parse_resolution


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", timedelta(0)),
        ("2h", timedelta(hours=2)),
        ("30min", timedelta(minutes=30)),
        ("30m", timedelta(minutes=30)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("90s", timedelta(seconds=90)),
        ("1w", timedelta(weeks=1)),
        ("PT2H", timedelta(hours=2)),
        ("P1DT30M", timedelta(days=1, minutes=30)),
        ("pt15m", timedelta(minutes=15)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2", "h", "2x", "two hours", "P", "PT", "1h-", "-1h"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(hours=26, minutes=5), timedelta(seconds=61)])
def test_format_duration_round_trips(delta: timedelta) -> None:
    assert parse_duration(format_duration(delta)) == delta


def test_parse_instant_naive_is_beijing_and_dates_can_mean_end_of_day() -> None:
    assert parse_instant("2026-06-30") == datetime(2026, 6, 30, tzinfo=BEIJING)
    assert parse_instant("2026-06-30", end_of_day=True) == datetime(2026, 7, 1, tzinfo=BEIJING)
    assert parse_instant("2026-06-30T08:00") == datetime(2026, 6, 30, 8, tzinfo=BEIJING)
    assert parse_instant("2026-06-30T00:00Z") == datetime(2026, 6, 30, 8, tzinfo=BEIJING)
    with pytest.raises(InputError):
        parse_instant("30/06/2026")


def test_parse_resolution() -> None:
    assert parse_resolution("Hour") is DataKind.HOUR
    with pytest.raises(InputError, match="rtd, min, hour, day"):
        parse_resolution("week")
