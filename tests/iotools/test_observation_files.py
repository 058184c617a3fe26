from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from lianfang.errors import InputError
from lianfang.iotools.observation_files import read_observation_file
from lianfang.model import DataKind


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_are_validated_and_good_rows_kept(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "lab.csv",
        "station,code,kind,time,value,flag\n"
        "S1,PFOS,rtd,2026-05-01T10:00:00,0.012,N\n"  # naive: Beijing time
        "S1,PFOS,rtd,2026-05-01T10:00:00+00:00,0.013,\n"  # explicit zone kept; empty flag -> N
        "S1,PFOS,weekly,2026-05-01T10:00:00,0.5,N\n"  # bad kind
        ",PFOS,rtd,2026-05-01T10:00:00,0.5,N\n"  # no station
        "S1,PFOS,rtd,yesterday,0.5,N\n"  # bad time
        "S1,PFOS,rtd,2026-05-01T11:00:00,n/a,N\n"  # bad value
        "S1,PFOA,rtd,2026-05-01T11:00:00,,N\n",  # empty value: a gap, skipped silently
    )
    (chunk,) = list(read_observation_file(f))
    assert chunk.rows_read == 7
    assert [(r.line, r.reason) for r in chunk.rejects] == [
        (4, "kind is not one of rtd, min, hour, day"),
        (5, "empty mn"),
        (6, "time is not ISO 8601"),
        (7, "value is not a number"),
    ]
    frame = chunk.frame
    assert list(frame["line"]) == [2, 3]
    assert list(frame["flag"]) == ["N", "N"]
    assert frame["time"].iloc[0] == pd.Timestamp(datetime(2026, 5, 1, 2, 0, tzinfo=UTC))
    assert frame["time"].iloc[1] == pd.Timestamp(datetime(2026, 5, 1, 10, 0, tzinfo=UTC))
    assert list(frame["value"]) == [0.012, 0.013]


def test_default_kind_and_missing_columns(tmp_path: Path) -> None:
    f = _write(tmp_path / "a.csv", "mn,param,time,value\nS1,w21003,2026-05-01 08:00,0.4\n")
    with pytest.raises(InputError, match="kind"):
        list(read_observation_file(f))
    (chunk,) = list(read_observation_file(f, default_kind=DataKind.HOUR))
    assert list(chunk.frame["kind"]) == ["hour"]
    bad = _write(tmp_path / "b.csv", "mn,time\nS1,2026-05-01\n")
    with pytest.raises(InputError, match="missing column"):
        list(read_observation_file(bad, default_kind=DataKind.HOUR))


def test_parquet_and_unsupported(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "mn": ["S1", "S2"],
            "param": ["w21003", "w21003"],
            "kind": ["hour", "hour"],
            "time": ["2026-05-01T08:00:00+08:00", "2026-05-01T09:00:00+08:00"],
            "value": [0.4, 0.5],
        }
    )
    path = tmp_path / "b.parquet"
    frame.to_parquet(path)
    (chunk,) = list(read_observation_file(path))
    assert len(chunk.frame) == 2
    assert not chunk.rejects
    with pytest.raises(InputError, match="unsupported"):
        list(read_observation_file(_write(tmp_path / "x.txt", "")))
