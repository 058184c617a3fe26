"""``python -m bench assess``: annual air evaluation and water classes, lianfang against pandas.

Two workloads, each computed twice in the same run — by :mod:`lianfang.assess` and by a
straightforward pandas group-by implementation of the same rules (``bench/_assess_pandas.py``):

* **air**: the HJ 663 annual evaluation of ``--stations`` stations × 8,760 hours × 6 pollutants
  (default 2,000: 105 M values): daily means and O3 daily max 8 h with their validity rules, daily AQI
  (HJ 633-2012), annual validity, means and percentiles, good and heavy days, composite index;
* **water**: GB 3838 classes of ``--sections`` sections × a year of 4-hourly samples (default 3,600:
  7.9 M samples × 7 items): every sample's class, monthly means, classes and main pollutants, annual
  means (≥ 8 months) and classes, river grades per month and year.

Each (workload, implementation) runs in a fresh process that first generates its input (the same
seed for both), then resets the kernel's peak-RSS mark (``/proc/self/clear_refs``) and measures the
computation alone: wall time and peak resident memory (input included). The results of both
implementations are compared and the differences counted (the baseline's float ``ceil`` and
running-sum rolling means can move a value lying exactly on a boundary).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main"]

SIZES = {"tiny": (50, 90), "small": (400, 720), "default": (2000, 3600)}
WORKLOADS = {
    "air": "{n:,} stations × 8,760 h × 6, from the store's long rows (station, pollutant, time, value)",
    "air-table": "{n:,} stations × 8,760 h × 6, from an hourly table (both already pivoted)",
    "water": "{n:,} sections × 2,190 samples × 7 items (4-hourly, a year)",
}
_STATUS_FILE = Path("/proc/self/status")


def _rss_kb(field: str) -> int:
    for line in _STATUS_FILE.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


#: Peak memory of the pandas baseline per input value [bytes], measured at the default sizes (11.5 GB
#: for 105 M long rows: the pivot, set_index + unstack, is the hungry step).
_PANDAS_BYTES_PER_VALUE = {"air": 110, "air-table": 34, "water": 40}
#: Share of the memory available at start that the baseline may take (the machine is shared).
_MEMORY_SHARE = 0.6


def _available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def _baseline_size(workload: str, size: int, values_per_unit: int) -> int:
    """The baseline's size: the same as lianfang's, unless its estimated peak would take more than
    :data:`_MEMORY_SHARE` of the memory available now; then the largest size that fits."""
    budget = int(_available_bytes() * _MEMORY_SHARE)
    if budget <= 0:
        return size
    fits = budget // (_PANDAS_BYTES_PER_VALUE[workload] * values_per_unit)
    return int(max(1, min(size, fits)))


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# --- the measured computations -----------------------------------------------------------------------


def _lianfang_air(cube: np.ndarray) -> dict[str, np.ndarray]:
    from bench._assess_data import AIR_FIRST_DAY
    from lianfang.assess.air_daily import daily_air
    from lianfang.assess.air_evaluation import evaluate_air

    ev = evaluate_air(daily_air(cube, AIR_FIRST_DAY))
    out: dict[str, np.ndarray] = {}
    for name, p in ev.pollutants.items():
        out[f"pct_{name}"] = p.percentile
        if p.mean is not None:
            out[f"mean_{name}"] = p.mean
    out["aqi_valid_days"] = ev.aqi_valid_days.astype(float)
    out["good_days"] = ev.good_days.astype(float)
    out["heavy_or_worse_days"] = ev.heavy_or_worse_days.astype(float)
    out["composite_index"] = ev.composite_index
    return out


def _lianfang_air_long(long: Any) -> dict[str, np.ndarray]:
    from bench._assess_data import AIR_FIRST_DAY
    from lianfang.assess.air_daily import hourly_cube

    cube, _ = hourly_cube(long, AIR_FIRST_DAY, 365)
    return _lianfang_air(cube)


def _lianfang_water(frame: Any, rivers: np.ndarray) -> dict[str, np.ndarray]:
    from lianfang.assess.water import assess, section_class
    from lianfang.assess.water_grade import river_grades
    from lianfang.assess.water_period import period_means

    groups = {f"S{s:05d}": int(r) for s, r in enumerate(rivers)}
    samples = section_class(frame)
    months = period_means(frame, "month")
    monthly = assess(months.means)
    years = period_means(frame, "year")
    annual = assess(years.means)
    mains = ["、".join(p for p in row if p is not None) for row in monthly.main_pollutants.tolist()]
    return {
        "sample_class": samples,
        "monthly_class": monthly.section_class,
        "monthly_main": np.asarray(mains, dtype=object),
        "annual_class": annual.section_class,
        "month_grades": river_grades(months.means, groups)["status"].to_numpy(dtype=object),
        "year_grades": river_grades(years.means, groups)["status"].to_numpy(dtype=object),
    }


def _child(workload: str, impl: str, size: int, out: Path) -> None:
    """Generate the input, reset the peak mark, run one implementation, save results and metrics."""
    from bench import _assess_data as data

    if workload in ("air", "air-table"):
        cube = data.air_cube(size)
        if workload == "air":
            inputs: tuple[Any, ...] = (data.air_long(cube),)
        else:
            inputs = (cube,) if impl == "lianfang" else (data.air_frame(cube),)
        del cube
        values = size * data.HOURS * 6
    else:
        rivers = data.water_rivers(size)
        if impl == "lianfang":
            inputs = (data.water_frame(size), rivers)
        else:
            import pandas as pd

            section, times, items = data.water_arrays(size)
            flat = pd.DataFrame(items, columns=list(data.WATER_ITEMS))
            flat.insert(0, "section", section)
            flat.insert(
                1, "time", pd.DatetimeIndex(times, tz="UTC").tz_convert("Asia/Shanghai").tz_localize(None)
            )
            inputs = (flat, rivers)
        values = size * data.SAMPLES * len(data.WATER_ITEMS)
    reset = _reset_peak()
    base = _rss_kb("VmRSS")
    start = time.perf_counter()
    if impl == "lianfang":
        run = {"air": _lianfang_air_long, "air-table": _lianfang_air, "water": _lianfang_water}[workload]
    else:
        from bench._assess_pandas import pandas_air, pandas_air_long, pandas_water

        run = {"air": pandas_air_long, "air-table": pandas_air, "water": pandas_water}[workload]
    result = run(*inputs)
    seconds = time.perf_counter() - start
    peak = _rss_kb("VmHWM")  # since the reset, or since the start when it could not be reset
    np.savez(out, **{k: np.asarray(v) for k, v in result.items()}, allow_pickle=True)
    metrics = {
        "seconds": seconds,
        "peak_mb": peak / 1024,
        "input_mb": base / 1024,
        "values": values,
        "peak_reset": reset,
    }
    out.with_suffix(".json").write_text(json.dumps(metrics))


# --- orchestration -----------------------------------------------------------------------------------


def _run(workload: str, impl: str, size: int, tmp: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    out = tmp / f"{workload}-{impl}.npz"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(
        [sys.executable, "-m", "bench.assess", "_child", workload, impl, str(size), str(out)],
        check=True,
        env=env,
    )
    metrics = json.loads(out.with_suffix(".json").read_text())
    with np.load(out, allow_pickle=True) as loaded:
        arrays = {k: loaded[k] for k in loaded.files}
    return metrics, arrays


def _differences(ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> dict[str, int]:
    diffs: dict[str, int] = {}
    for key, mine in ours.items():
        other = theirs[key]
        if mine.shape != other.shape:
            diffs[key] = -1  # shapes differ: a real disagreement, flagged loudly
            continue
        if mine.dtype.kind in "fi" and other.dtype.kind in "fi":
            a, b = mine.astype(float), other.astype(float)
            same = np.isclose(a, b, rtol=1e-9, atol=1e-9) | (np.isnan(a) & np.isnan(b))
        else:
            same = mine.astype(str) == other.astype(str)
        diffs[key] = int(np.count_nonzero(~same))
    return diffs


def _line(label: str, ours: dict[str, Any], theirs: dict[str, Any] | None) -> str:
    def figures(run: dict[str, Any]) -> str:
        rate = run["values"] / run["seconds"] / 1e6
        return f"{run['seconds']:7.2f} s {run['peak_mb']:8.0f} MB peak ({rate:5.1f} M values/s)"

    text = f"{label:<9} lianfang {figures(ours)}"
    if theirs is None:
        return text
    rate, their_rate = ours["values"] / ours["seconds"], theirs["values"] / theirs["seconds"]
    text += f"\n  {'':<9} pandas   {figures(theirs)}"
    if theirs["values"] == ours["values"]:
        return text + (
            f"\n  {'':<9} lianfang is {theirs['seconds'] / ours['seconds']:.1f}x faster"
            f" with {ours['peak_mb'] / theirs['peak_mb']:.2f}x the peak memory"
        )
    return text + (
        f"\n  {'':<9} pandas ran on {theirs['size']:,} (at full size its peak would exceed"
        f" {_MEMORY_SHARE:.0%} of the free memory): lianfang's throughput is {rate / their_rate:.1f}x pandas'"
    )


def main(argv: list[str]) -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog="python -m bench assess", description=doc.split("\n")[0])
    parser.add_argument(
        "--size", choices=list(SIZES), default="default", help="preset sizes (stations, sections)"
    )
    parser.add_argument("--stations", type=int, help="air stations (default 2,000; small 400; tiny 50)")
    parser.add_argument("--sections", type=int, help="water sections (default 3,600; small 720; tiny 90)")
    parser.add_argument("--only", choices=list(WORKLOADS), help="one workload")
    parser.add_argument("--no-baseline", action="store_true", help="lianfang only (no pandas run, no ratio)")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON too")
    args = parser.parse_args(argv)
    stations, sections = SIZES[args.size]
    sizes = {
        "air": args.stations or stations,
        "air-table": args.stations or stations,
        "water": args.sections or sections,
    }
    workloads = [args.only] if args.only else list(WORKLOADS)
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="lianfang-bench-assess-") as tmp:
        for workload in workloads:
            ours, our_arrays = _run(workload, "lianfang", sizes[workload], Path(tmp))
            theirs = diffs = None
            if not args.no_baseline:
                per_unit = ours["values"] // sizes[workload]
                size = _baseline_size(workload, sizes[workload], per_unit)
                theirs, their_arrays = _run(workload, "pandas", size, Path(tmp))
                theirs["size"] = size
                # results are compared when both ran on the same input
                diffs = _differences(our_arrays, their_arrays) if size == sizes[workload] else None
            what = WORKLOADS[workload].format(n=sizes[workload])
            print(f"{workload}: {what}, {ours['values'] / 1e6:.1f} M values")
            print("  " + _line(workload, ours, theirs))
            if diffs is not None:
                shown = ", ".join(f"{k} {v}" for k, v in diffs.items() if v) or "none"
                print(f"  results differing from the pandas baseline: {shown}")
            report[workload] = {"lianfang": ours, "pandas": theirs, "differences": diffs}
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "_child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))
    else:
        sys.exit(main(sys.argv[1:]))
