"""AQI reports: the worked report vectors, vector/scalar agreement, monotonicity, the edition switch."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianfang.assess.air import Period, aqi_arrays, aqi_by_day, aqi_report, items_of, level_of
from lianfang.assess.aqi_tables import AqiItem, Indicator
from lianfang.assess.editions import AqiEdition

from ._air_vectors import read_json

VECTORS = read_json("air_aqi_reports.json")


def _case_inputs(case: dict[str, Any]) -> tuple[dict[str, Decimal], str, str]:
    base = case["base"]
    values = {k: Decimal(v) for k, v in {**VECTORS["bases"][base], **case["set"]}.items()}
    standard = case.get("standard") or ("HJ633-2012" if base.endswith("12") else "HJ633-2026")
    return values, standard, case.get("period", "day")


def _expected(case: dict[str, Any]) -> dict[str, Any]:
    expect = dict(case["expect"])
    if "iaqi_exact" in expect:
        expect["iaqi"] = expect.pop("iaqi_exact")
    elif "iaqi" in expect:
        expect["iaqi"] = {**VECTORS["base_iaqi"][case["base"]], **expect["iaqi"]}
    return expect


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_report_vector(case: dict[str, Any]) -> None:
    values, standard, period = _case_inputs(case)
    got = aqi_report(values, period=period, edition=standard).to_json()
    expected = _expected(case)
    assert {k: got[k] for k in expected} == expected
    assert got["standard"] == standard
    assert got["period"] == period


def test_json_shape_is_exact() -> None:
    got = aqi_report({"pm25_24h": 80}, period="day", edition="HJ633-2012").to_json()
    assert list(got) == [
        "standard",
        "period",
        "aqi",
        "level",
        "category",
        "colour",
        "primary_pollutants",
        "iaqi",
    ]


def test_notes_make_special_rules_visible() -> None:
    report = aqi_report({"so2_1h": 900, "so2_24h": 100}, period="hour", edition="HJ633-2012")
    assert any("note 2" in n for n in report.notes)
    report = aqi_report({"o3_8h": 900}, period="day", edition="HJ633-2026")
    assert any("note c" in n for n in report.notes)
    report = aqi_report({"pm25_24h": 700}, period="day", edition="HJ633-2026")
    assert any("above the top of the table" in n for n in report.notes)
    assert report.missing == (AqiItem.SO2, AqiItem.NO2, AqiItem.CO, AqiItem.O3_8H, AqiItem.PM10)


def test_report_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown indicator"):
        aqi_report({"pm1_24h": 3}, period="day", edition="HJ633-2012")
    with pytest.raises(ValueError, match="negative"):
        aqi_report({"pm25_24h": -3}, period="day", edition="HJ633-2012")
    with pytest.raises(ValueError):
        aqi_report({"pm25_24h": 3}, period="week", edition="HJ633-2012")
    # a finite decimal beyond the range of a double ("1e400" from the command line) is bad input too
    with pytest.raises(ValueError, match="too large"):
        aqi_report({"pm25_24h": "1e400"}, period="day", edition="HJ633-2012")


def test_edition_follows_the_day_unless_named() -> None:
    values = {"pm25_24h": 70}
    assert aqi_report(values, period="day", day=date(2026, 2, 28)).edition is AqiEdition.HJ633_2012
    assert aqi_report(values, period="day", day=date(2026, 3, 1)).edition is AqiEdition.HJ633_2026
    named = aqi_report(values, period="day", day=date(2026, 3, 1), edition="HJ633-2012")
    assert named.edition is AqiEdition.HJ633_2012


def test_items_per_report() -> None:
    assert [r.item for r in items_of("HJ633-2012", "day")] == [
        AqiItem.SO2, AqiItem.NO2, AqiItem.CO, AqiItem.O3_1H, AqiItem.O3_8H, AqiItem.PM10, AqiItem.PM25,
    ]  # fmt: skip
    assert AqiItem.O3_1H not in [r.item for r in items_of("HJ633-2026", "day")]
    assert [r.source for r in items_of("HJ633-2026", "hour")][-2:] == [Indicator.PM10_1H, Indicator.PM25_1H]


def test_level_of() -> None:
    assert level_of([0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500, np.nan]).tolist() == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 0,
    ]  # fmt: skip


def test_arrays_agree_with_reports_element_wise() -> None:
    rng = np.random.default_rng(7)
    n = 400
    cube = {
        "so2_24h": rng.integers(0, 900, n).astype(float),
        "no2_24h": rng.integers(0, 400, n).astype(float),
        "co_24h": np.round(rng.uniform(0, 30, n), 2),
        "o3_1h": rng.integers(0, 1300, n).astype(float),
        "o3_8h": rng.integers(0, 900, n).astype(float),
        "pm10_24h": np.round(rng.uniform(0, 700, n), 1),
        "pm25_24h": np.round(rng.uniform(0, 600, n), 1),
    }
    cube["pm25_24h"][::7] = np.nan  # some missing
    for edition in AqiEdition:
        res = aqi_arrays(cube, edition=edition, period="day")
        for j in range(0, n, 13):
            one = {k: float(v[j]) for k, v in cube.items() if not np.isnan(v[j])}
            report = aqi_report(one, period="day", edition=edition)
            assert report.aqi == (None if np.isnan(res.aqi[j]) else int(res.aqi[j]))
            assert report.primary_pollutants == tuple(i for i in res.items if res.primary[i][j])


def test_switch_exactly_at_2026_03_01() -> None:
    days = np.array(["2026-02-28", "2026-03-01"], dtype="datetime64[D]")
    base = {"so2_24h": 5.0, "no2_24h": 10.0, "co_24h": 0.5, "o3_1h": 20.0, "o3_8h": 20.0, "pm10_24h": 20.0}
    values = {k: np.full(2, v) for k, v in {**base, "pm25_24h": 70.0}.items()}
    res = aqi_by_day(values, days, period=Period.DAY)
    assert res.hj633_2026.tolist() == [False, True]
    # PM2.5 70: 2012 -> 50+35*50/40 = 93.75 -> 94; 2026 -> 100+10*50/55 = 109.09 -> 110
    assert res.aqi.tolist() == [94.0, 110.0]
    assert np.isnan(res.iaqi[AqiItem.O3_1H][1])
    assert res.iaqi[AqiItem.O3_1H][0] == 7
    assert not res.missing[AqiItem.O3_1H][1]


@settings(max_examples=200, deadline=None)
@given(offset=st.integers(min_value=-3000, max_value=3000))
def test_edition_by_day_property(offset: int) -> None:
    day = date(2026, 3, 1) + timedelta(days=offset)
    report = aqi_report({"pm25_24h": 70}, period="day", day=day)
    assert (report.edition is AqiEdition.HJ633_2026) == (day >= date(2026, 3, 1))
    res = aqi_by_day({"pm25_24h": [70.0]}, [np.datetime64(day, "D")], period="day")
    assert bool(res.hj633_2026[0]) == (day >= date(2026, 3, 1))


_conc = st.integers(min_value=0, max_value=7000).map(lambda n: n / 10)


@settings(max_examples=200, deadline=None)
@given(
    edition=st.sampled_from(list(AqiEdition)),
    period=st.sampled_from(list(Period)),
    base=st.lists(_conc, min_size=12, max_size=12),
    which=st.integers(min_value=0, max_value=11),
    bump=_conc,
)
def test_raising_one_concentration_never_lowers_the_aqi(
    edition: AqiEdition, period: Period, base: list[float], which: int, bump: float
) -> None:
    keys = [i.value for i in Indicator]
    values = dict(zip(keys, base, strict=True))
    higher = {**values, keys[which]: values[keys[which]] + bump}
    before = aqi_report(values, period=period, edition=edition).aqi
    after = aqi_report(higher, period=period, edition=edition).aqi
    assert before is not None
    assert after is not None
    if edition is AqiEdition.HJ633_2012 and keys[which] in ("so2_1h", "o3_8h"):
        return  # 2012 notes 2/3 switch to another indicator above 800: not monotone by design
    assert after >= before
