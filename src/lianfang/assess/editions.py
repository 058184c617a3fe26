"""Which air-quality rules are in force on a given day: the rule-set registry.

Three rule sets, each with an effective period (Beijing calendar days, both ends inclusive):

=====================  ==========================================  ===========================
rule set               standards                                   in force
=====================  ==========================================  ===========================
``HJ633-2012``         HJ 633-2012, HJ 663-2013, GB 3095-2012      until 2026-02-28
``HJ633-2026``         HJ 633-2026, HJ 663-2026, GB 3095-2026      2026-03-01 … 2030-12-31
                       (GB 3095-2026 §4.4 transition limits)
``HJ633-2026``         same, GB 3095-2026 final limits             from 2031-01-01
=====================  ==========================================  ===========================

HJ 633-2026 foreword: issued 2026-02-14, "自2026年3月1日起实施", replacing HJ 633-2012 from that day.
GB 3095-2026 §4.4: transition limits until 2030-12-31, final limits from 2031-01-01.

The day of an hourly value is the Beijing calendar day of its period *start* (lianfang stores period
starts): the hour 2026-02-28 23:00–24:00 is computed with the 2012 rules, 2026-03-01 00:00–01:00 with
the 2026 rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from lianfang.model import BEIJING

__all__ = [
    "AIR_RULE_SETS",
    "EDITION_SWITCH",
    "PHASE2_START",
    "AirRuleSet",
    "AqiEdition",
    "LimitPhase",
    "air_rules",
    "air_rules_for",
    "edition_for_days",
    "today_beijing",
]

#: First day of HJ 633-2026 / GB 3095-2026 / HJ 663-2026 (HJ 633-2026 foreword).
EDITION_SWITCH = date(2026, 3, 1)
#: First day of the GB 3095-2026 final ("phase 2") limits (GB 3095-2026 §4.4).
PHASE2_START = date(2031, 1, 1)


class AqiEdition(StrEnum):
    """An edition of HJ 633; the value is the code the CLI's ``--standard`` takes."""

    HJ633_2012 = "HJ633-2012"
    HJ633_2026 = "HJ633-2026"


class LimitPhase(StrEnum):
    """Which table of GB 3095 concentration limits applies (see :mod:`lianfang.assess.gb3095_limits`)."""

    GB3095_2012 = "GB3095-2012"
    GB3095_2026_TRANSITION = "GB3095-2026-phase1"
    GB3095_2026_FINAL = "GB3095-2026-phase2"


@dataclass(frozen=True, slots=True)
class AirRuleSet:
    """One consistent set of air rules: index, assessment method and limits, with their period."""

    edition: AqiEdition
    limit_phase: LimitPhase
    aqi_standard: str  # e.g. "HJ 633-2012"
    assessment_standard: str  # e.g. "HJ 663-2013"
    ambient_standard: str  # e.g. "GB 3095-2012"
    effective_from: date | None  # first day in force; None: since before any data we hold
    effective_until: date | None  # last day in force; None: open-ended

    def in_force(self, day: date) -> bool:
        """True when ``day`` (a Beijing calendar day) lies in this rule set's period."""
        starts_ok = self.effective_from is None or day >= self.effective_from
        ends_ok = self.effective_until is None or day <= self.effective_until
        return starts_ok and ends_ok


AIR_RULE_SETS: tuple[AirRuleSet, ...] = (
    AirRuleSet(
        edition=AqiEdition.HJ633_2012,
        limit_phase=LimitPhase.GB3095_2012,
        aqi_standard="HJ 633-2012",
        assessment_standard="HJ 663-2013",
        ambient_standard="GB 3095-2012",
        effective_from=None,  # phased in from 2012 to 2016; we compute any earlier day with it too
        effective_until=date(2026, 2, 28),
    ),
    AirRuleSet(
        edition=AqiEdition.HJ633_2026,
        limit_phase=LimitPhase.GB3095_2026_TRANSITION,
        aqi_standard="HJ 633-2026",
        assessment_standard="HJ 663-2026",
        ambient_standard="GB 3095-2026",
        effective_from=EDITION_SWITCH,
        effective_until=date(2030, 12, 31),
    ),
    AirRuleSet(
        edition=AqiEdition.HJ633_2026,
        limit_phase=LimitPhase.GB3095_2026_FINAL,
        aqi_standard="HJ 633-2026",
        assessment_standard="HJ 663-2026",
        ambient_standard="GB 3095-2026",
        effective_from=PHASE2_START,
        effective_until=None,
    ),
)


def today_beijing() -> date:
    """Today's date in Beijing (the calendar the standards count days in)."""
    return datetime.now(BEIJING).date()


def air_rules_for(day: date | datetime) -> AirRuleSet:
    """The rule set in force on ``day``; an aware datetime is first converted to Beijing time."""
    if isinstance(day, datetime):
        day = (day.astimezone(BEIJING) if day.tzinfo is not None else day).date()
    for rules in AIR_RULE_SETS:
        if rules.in_force(day):
            return rules
    raise AssertionError(f"no air rule set covers {day}")  # the registry is gap-free


def air_rules(edition: AqiEdition | str, day: date | None = None) -> AirRuleSet:
    """The rule set of a named ``edition``; ``day`` picks its limit phase (default: the edition's first).

    Naming an edition overrides the date: ``air_rules("HJ633-2012", date(2027, 1, 1))`` gives the 2012
    rules. For HJ633-2026, days before 2031 get the transition limits and later days the final ones.
    """
    try:
        wanted = AqiEdition(edition)
    except ValueError:
        names = ", ".join(e.value for e in AqiEdition)
        raise ValueError(f"unknown AQI edition {edition!r}; known: {names}") from None
    candidates = [r for r in AIR_RULE_SETS if r.edition is wanted]
    if day is not None:
        for rules in candidates:
            if rules.in_force(day):
                return rules
        if candidates[0].effective_from is not None and day < candidates[0].effective_from:
            return candidates[0]
        return candidates[-1]
    return candidates[0]


def edition_for_days(days: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Vectorised edition test: True where a day (``datetime64[D]``) is under HJ 633-2026."""
    as_days = np.asarray(days, dtype="datetime64[D]")
    return as_days >= np.datetime64(EDITION_SWITCH, "D")
