"""综合营养状态指数 TLI(Σ) (总站生字[2001]090号, reference §2.6)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lianfang.assess.trophic import (
    TLI_PUBLISHED_WEIGHTS,
    TLI_R2,
    TROPHIC_GRADES,
    tli,
    tli_of,
    trophic_grade,
    trophic_label,
)


def test_published_weights_are_r_squared_normalised() -> None:
    # The method's table: W_j = r_ij² / Σ r_ij², printed to 4 places; r_ij = 1, 0.84, 0.82, −0.83, 0.83.
    r = {"chla": 1.0, "TP": 0.84, "TN": 0.82, "SD": -0.83, "CODMn": 0.83}
    assert {k: round(v * v, 4) for k, v in r.items()} == dict(TLI_R2)
    total = sum(TLI_R2.values())
    assert {k: round(v / total, 4) for k, v in TLI_R2.items()} == dict(TLI_PUBLISHED_WEIGHTS)


def test_parameter_indices_at_unit_values() -> None:
    # ln 1 = 0: TLI(j) = 10 a, the constant of each formula.
    ones = {"chla": 25.0, "TP": 94.36, "TN": 54.53, "SD": 51.18, "CODMn": 1.09}
    for name, expected in ones.items():
        assert tli_of(name, [1.0])[0] == pytest.approx(expected, abs=1e-12)
    assert tli_of("chla", [math.e])[0] == pytest.approx(10 * (2.5 + 1.086))
    assert tli_of("SD", [math.e])[0] == pytest.approx(10 * (5.118 - 1.94))


def test_full_set_uses_the_published_weights() -> None:
    values = {"chla": 10.0, "TP": 0.05, "TN": 1.0, "SD": 1.5, "CODMn": 4.0}
    expected = sum(TLI_PUBLISHED_WEIGHTS[k] * tli_of(k, [v])[0] for k, v in values.items())
    got = tli(chla=10.0, tp=0.05, tn=1.0, sd=1.5, codmn=4.0)
    assert float(got) == pytest.approx(expected, abs=1e-12)


def test_missing_parameters_renormalise_the_weights() -> None:
    # Only chla and TP: W = 1/1.7056 and 0.7056/1.7056 ("m 为评价参数的个数").
    expected = (1.0 * tli_of("chla", [5.0])[0] + 0.7056 * tli_of("TP", [0.03])[0]) / 1.7056
    assert float(tli(chla=5.0, tp=0.03)) == pytest.approx(expected, abs=1e-12)
    # NaN in a row drops that parameter in that row only.
    rows = tli(chla=[5.0, 5.0], tp=[0.03, 0.03], tn=[np.nan, 1.0])
    assert rows[0] == pytest.approx(expected, abs=1e-12)
    assert rows[1] != pytest.approx(expected)
    assert np.isnan(tli(chla=[np.nan])[0])


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="positive"):
        tli(chla=0.0)
    with pytest.raises(ValueError, match="at least one"):
        tli()
    with pytest.raises(ValueError, match="unknown TLI parameter"):
        tli_of("DO", [1.0])


def test_grade_boundaries_as_the_method_transcribes_them() -> None:
    # < 30 贫; 30 ≤ TLI ≤ 50 中; 50 < ≤ 60 轻度富; 60 < ≤ 70 中度富; > 70 重度富 (reference §6 item 9).
    values = [29.99, 30.0, 50.0, 50.01, 60.0, 60.01, 70.0, 70.01, np.nan]
    expected = [
        "贫营养",
        "中营养",
        "中营养",
        "轻度富营养",
        "轻度富营养",
        "中度富营养",
        "中度富营养",
        "重度富营养",
        "",
    ]
    assert trophic_label(values).tolist() == expected
    assert trophic_grade(values).tolist() == [0, 1, 1, 2, 2, 3, 3, 4, -1]
    assert len(TROPHIC_GRADES) == 5


_POSITIVE = st.floats(min_value=1e-3, max_value=1e3)


@given(a=_POSITIVE, b=_POSITIVE, name=st.sampled_from(["chla", "TP", "TN", "CODMn"]))
def test_more_nutrients_never_lower_the_index(a: float, b: float, name: str) -> None:
    low, high = sorted((a, b))
    kwargs = {"chla": "chla", "TP": "tp", "TN": "tn", "CODMn": "codmn"}
    base = {"chla": 8.0, "tp": 0.05, "tn": 1.0, "sd": 1.0, "codmn": 4.0}
    lo = tli(**{**base, kwargs[name]: low})
    hi = tli(**{**base, kwargs[name]: high})
    assert lo <= hi
    assert trophic_grade(lo) <= trophic_grade(hi)


@given(a=_POSITIVE, b=_POSITIVE)
def test_clearer_water_never_raises_the_index(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert tli(chla=8.0, sd=high) <= tli(chla=8.0, sd=low)
