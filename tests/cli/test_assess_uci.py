"""Real measurements: the UCI Beijing data for 2016 imported and evaluated as one city (slow: ~10 s).

The figures are ours, computed from the 12 stations in the file; the published ones (2016 北京市环境
状况公报, as reported by 中新网 2017-06-02) are from all 35 stations of the city's network, so they are
compared within the gaps explained in docs/assessment-air.md, not for equality.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from lianfang.cli import main
from lianfang.errors import InputError
from lianfang.iotools.uci_beijing import locate_uci_csv

#: 2016 北京市环境状况公报: PM2.5 73, PM10 92, SO2 10, NO2 48 µg/m³ (annual means), CO 24-h P95
#: 3.2 mg/m³, O3 daily max 8-h P90 199 µg/m³, 198 days 达标 (68 优 + 130 良), 39 days heavy or worse.
PUBLISHED_2016 = {
    "pm25_mean": 73,
    "pm10_mean": 92,
    "so2_mean": 10,
    "no2_mean": 48,
    "co_p95": 3.2,
    "o3_8h_p90": 199,
    "good_days": 198,
    "heavy_or_worse_days": 39,
}


@pytest.fixture(scope="module")
def uci_2016(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        source = locate_uci_csv(None)
    except InputError:
        pytest.skip("the UCI Beijing data (qolmat==0.2.0) is not installed")
    root = tmp_path_factory.mktemp("uci")
    subset = root / "beijing-2016.csv"
    frame = pd.read_csv(source)
    frame[frame["year"] == 2016].to_csv(subset, index=False)
    data = root / "data"
    data.mkdir()
    result = CliRunner().invoke(
        main, ["import", "--data", str(data), "--dataset", "uci-beijing", "--file", str(subset)]
    )
    assert result.exit_code == 0, result.output
    assert "105,408 rows read" in result.stdout  # 12 stations × 8,784 hours (2016 is a leap year)
    return data


@pytest.mark.slow
def test_beijing_2016_city_evaluation(uci_2016: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "assess",
            "air",
            "--data",
            str(uci_2016),
            "--jurisdiction",
            "BJ",
            "--year",
            "2016",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)
    assert got == {
        "year": 2016,
        "standard": "HJ633-2012",
        "pm25_mean": 71.9,
        "pm10_mean": 94.8,
        "so2_mean": 9.8,
        "no2_mean": 46.4,
        "co_p95": 3.2,
        "o3_8h_p90": 199.3,
        "valid_days": 365,
        "good_days": 198,
        "good_day_rate": 54.2,
        "heavy_or_worse_days": 39,
    }
    # Against the bulletin: within 4 % for the means (12 of 35 stations), equal for the day counts.
    for key in ("pm25_mean", "pm10_mean", "so2_mean", "no2_mean", "co_p95", "o3_8h_p90"):
        assert got[key] == pytest.approx(PUBLISHED_2016[key], rel=0.04), key
    assert got["good_days"] == PUBLISHED_2016["good_days"]
    assert got["heavy_or_worse_days"] == PUBLISHED_2016["heavy_or_worse_days"]
