"""``python -m bench assess``: both implementations compute the same figures on a small input (else the
ratios it prints would compare different work), and the child/parent plumbing runs end to end."""

from __future__ import annotations

import numpy as np
from bench._assess_pandas import pandas_air, pandas_air_long, pandas_water
from bench.assess import _differences, _lianfang_air, _lianfang_air_long, _lianfang_water, main

from bench import _assess_data as data


def test_air_implementations_agree() -> None:
    cube = data.air_cube(12, seed=5)
    ours = _lianfang_air(cube)
    assert _differences(ours, pandas_air(data.air_frame(cube))) == dict.fromkeys(ours, 0)
    from_rows = _lianfang_air_long(data.air_long(cube))
    assert _differences(from_rows, ours) == dict.fromkeys(ours, 0)
    assert _differences(from_rows, pandas_air_long(data.air_long(cube))) == dict.fromkeys(ours, 0)
    assert ours["aqi_valid_days"][0] < 365  # station 0 has an outage of whole days
    assert int(ours["good_days"].sum()) > 0


def test_water_implementations_agree() -> None:
    rivers = data.water_rivers(40)
    ours = _lianfang_water(data.water_frame(40), rivers)
    section, times, items = data.water_arrays(40)
    import pandas as pd

    flat = pd.DataFrame(items, columns=list(data.WATER_ITEMS))
    flat.insert(0, "section", section)
    flat.insert(1, "time", pd.DatetimeIndex(times, tz="UTC").tz_convert("Asia/Shanghai").tz_localize(None))
    theirs = pandas_water(flat, rivers)
    assert _differences(ours, theirs) == dict.fromkeys(ours, 0)
    assert set(ours["monthly_class"].tolist()) >= {2, 3, 4}  # the generated data spans several classes


def test_rivers_include_short_ones() -> None:
    rivers = data.water_rivers(100)
    sizes = np.bincount(rivers)
    assert sizes.max() == 10
    assert sizes.min() < 5  # some rivers are graded by averaging


def test_runs_end_to_end(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--stations", "3", "--sections", "5", "--only", "water"]) == 0
    out = capsys.readouterr().out
    assert "lianfang is" in out
    assert "results differing from the pandas baseline: none" in out
