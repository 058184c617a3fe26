"""The rule-set registry: effective dates of HJ 633-2026 / GB 3095-2026 and its two limit phases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from lianfang.assess.editions import (
    AIR_RULE_SETS,
    AqiEdition,
    LimitPhase,
    air_rules,
    air_rules_for,
    edition_for_days,
)
from lianfang.assess.gb3095_limits import Averaging, limit


def test_rule_sets_cover_every_day_without_overlap() -> None:
    for day in (date(2013, 1, 1), date(2026, 2, 28), date(2026, 3, 1), date(2030, 12, 31), date(2031, 1, 1)):
        assert sum(r.in_force(day) for r in AIR_RULE_SETS) == 1


@pytest.mark.parametrize(
    ("day", "edition", "phase"),
    [
        (date(2013, 3, 1), AqiEdition.HJ633_2012, LimitPhase.GB3095_2012),
        (date(2026, 2, 28), AqiEdition.HJ633_2012, LimitPhase.GB3095_2012),
        (date(2026, 3, 1), AqiEdition.HJ633_2026, LimitPhase.GB3095_2026_TRANSITION),
        (date(2030, 12, 31), AqiEdition.HJ633_2026, LimitPhase.GB3095_2026_TRANSITION),
        (date(2031, 1, 1), AqiEdition.HJ633_2026, LimitPhase.GB3095_2026_FINAL),
    ],
)
def test_in_force(day: date, edition: AqiEdition, phase: LimitPhase) -> None:
    rules = air_rules_for(day)
    assert (rules.edition, rules.limit_phase) == (edition, phase)


def test_datetimes_count_in_beijing() -> None:
    # 2026-02-28 16:30 UTC is 2026-03-01 00:30 in Beijing: the 2026 rules
    assert air_rules_for(datetime(2026, 2, 28, 16, 30, tzinfo=UTC)).edition is AqiEdition.HJ633_2026
    assert air_rules_for(datetime(2026, 2, 28, 15, 30, tzinfo=UTC)).edition is AqiEdition.HJ633_2012


def test_named_edition_wins_and_picks_its_phase() -> None:
    assert air_rules("HJ633-2012", date(2027, 1, 1)).limit_phase is LimitPhase.GB3095_2012
    assert air_rules("HJ633-2026", date(2020, 1, 1)).limit_phase is LimitPhase.GB3095_2026_TRANSITION
    assert air_rules("HJ633-2026", date(2035, 1, 1)).limit_phase is LimitPhase.GB3095_2026_FINAL
    assert air_rules("HJ633-2026").limit_phase is LimitPhase.GB3095_2026_TRANSITION
    with pytest.raises(ValueError, match="unknown AQI edition"):
        air_rules("HJ633-2030")


def test_vectorised_edition_flag() -> None:
    start = np.datetime64("2026-02-26")
    days = start + np.arange(5)
    assert edition_for_days(days).tolist() == [False, False, False, True, True]


def test_gb3095_limits_by_phase() -> None:
    # reference §4.1, from the primary tables
    assert limit(LimitPhase.GB3095_2012, "PM2.5", Averaging.DAY) == 75
    assert limit(LimitPhase.GB3095_2026_TRANSITION, "PM2.5", Averaging.DAY) == 60
    assert limit(LimitPhase.GB3095_2026_FINAL, "PM2.5", Averaging.DAY) == 50
    assert limit(LimitPhase.GB3095_2026_TRANSITION, "PM10", Averaging.ANNUAL) == 60
    assert limit(LimitPhase.GB3095_2026_FINAL, "NO2", Averaging.DAY) == 50  # not 60 (misreport, §6.16)
    assert limit(LimitPhase.GB3095_2026_FINAL, "PM10", Averaging.DAY) == 100  # not 70
    assert limit(LimitPhase.GB3095_2026_FINAL, "SO2", Averaging.ANNUAL) == 20  # not 40
    assert limit(LimitPhase.GB3095_2012, "O3", Averaging.MDA8, grade=1) == 100
    with pytest.raises(ValueError):
        limit(LimitPhase.GB3095_2012, "CO", Averaging.ANNUAL)
    with pytest.raises(ValueError):
        limit(LimitPhase.GB3095_2012, "CO", Averaging.DAY, grade=3)
