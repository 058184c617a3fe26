"""``python -m bench api``: latency of typical API reads, next to the straightforward SQL.

A store of ``--rows`` hourly observations (default 50 M: 5,000 stations × 2 parameters × 5,000 hours,
written time-major through ``Store.write_observation_table`` as ingest would write them). Half the
stations are Sichuan's, half Chongqing's; Sichuan shares all of its stations with Chongqing, so a
Chongqing token sees all 5,000 and every read crosses a jurisdiction (policy and audit included).

Two phases in one run, on the same DuckDB file:

1. **sql**: the same questions asked by plain SQL (read-only connection in this process);
2. **api**: ``lianfang serve`` in a subprocess, queried over HTTP with httpx (a keep-alive client).

Queries are a list of :class:`Query` (name, HTTP call, SQL call); add one to :data:`QUERIES` (e.g.
the SensorThings ones) and it is measured and reported like the others. Targets (issue 4): p95 < 50
ms for the latest values of 5,000 stations and for a page of a station-year query.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import numpy as np
import orjson
import pyarrow as pa

__all__ = ["QUERIES", "Context", "Query", "main"]

PARAMS = ("w01001", "w21003")
END = datetime(2026, 1, 1, tzinfo=UTC)  # the newest hour stored is END - 1 h
PAGE = 1_000


@dataclass
class Context:
    """What a query needs: the spec of the store, a random source, and (phase 2) an HTTP client."""

    stations: int
    hours: int
    rng: random.Random
    client: httpx.Client | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def mn(self, i: int) -> str:
        return f"{'SC' if i % 2 == 0 else 'CQ'}{i:08d}"

    def random_mn(self) -> str:
        return self.mn(self.rng.randrange(self.stations))

    @property
    def start(self) -> datetime:
        return END - timedelta(hours=self.hours)

    def year_window(self) -> tuple[datetime, datetime]:
        """The last 365 days stored (or all of it on a small store)."""
        return max(self.start, END - timedelta(days=365)), END


Sql = Callable[[duckdb.DuckDBPyConnection, Context], int]
Http = Callable[[Context], int]


@dataclass(frozen=True)
class Query:
    """One question asked both ways; each callable returns the number of rows it got."""

    name: str
    description: str
    http: Http
    sql: Sql
    target_ms: float | None = None  # p95 target of the http side


def _get(ctx: Context, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    assert ctx.client is not None
    response = ctx.client.get(url, params=params)
    response.raise_for_status()
    body: dict[str, Any] = orjson.loads(response.content)  # as a client that cares would parse it
    return body


# --- latest value of every station -----------------------------------------------------------------


def _latest_http(ctx: Context) -> int:
    return int(_get(ctx, "/api/v1/latest", {"kind": "hour"})["count"])


def _latest_sql(con: duckdb.DuckDBPyConnection, ctx: Context) -> int:
    rows = con.execute(
        "SELECT mn, param, kind, time, value, flag FROM observations WHERE kind = 'hour' "
        "QUALIFY row_number() OVER (PARTITION BY mn, param, kind ORDER BY time DESC) = 1"
    ).fetchall()
    return len(rows)


# --- one station-year of hourly values, paged --------------------------------------------------------


def _year_params(ctx: Context) -> tuple[str, datetime, datetime]:
    start, end = ctx.year_window()
    return ctx.random_mn(), start, end


def _year_page_http(ctx: Context) -> int:
    mn, start, end = _year_params(ctx)
    body = _get(
        ctx,
        f"/api/v1/stations/{mn}/observations",
        {"kind": "hour", "from": start.isoformat(), "to": end.isoformat(), "limit": PAGE},
    )
    return len(body["data"])


def _year_page_sql(con: duckdb.DuckDBPyConnection, ctx: Context) -> int:
    mn, start, end = _year_params(ctx)
    rows = con.execute(
        "SELECT mn, param, kind, time, value, flag FROM observations "
        "WHERE mn = ? AND kind = 'hour' AND time >= ? AND time < ? ORDER BY param, time LIMIT ?",
        [mn, start, end, PAGE],
    ).fetchall()
    return len(rows)


def _year_walk_http(ctx: Context) -> int:
    """Every page of one station-year, following the ``next`` links (keyset cursor)."""
    mn, start, end = _year_params(ctx)
    body = _get(
        ctx,
        f"/api/v1/stations/{mn}/observations",
        {"kind": "hour", "from": start.isoformat(), "to": end.isoformat(), "limit": PAGE},
    )
    total = len(body["data"])
    while body["next"]:
        body = _get(ctx, body["next"])
        total += len(body["data"])
    return total


def _year_walk_sql(con: duckdb.DuckDBPyConnection, ctx: Context) -> int:
    mn, start, end = _year_params(ctx)
    total, offset = 0, 0
    while True:
        rows = con.execute(
            "SELECT mn, param, kind, time, value, flag FROM observations "
            "WHERE mn = ? AND kind = 'hour' AND time >= ? AND time < ? ORDER BY param, time LIMIT ? OFFSET ?",
            [mn, start, end, PAGE, offset],
        ).fetchall()
        total += len(rows)
        offset += PAGE
        if len(rows) < PAGE:
            return total


# --- a filtered, paged walk over Observations ----------------------------------------------------------

WALK_PAGES = 5


def _walk_params(ctx: Context) -> tuple[datetime, datetime]:
    day = ctx.rng.randrange(max(1, ctx.hours // 24 - 1))
    start = ctx.start + timedelta(days=day)
    return start, start + timedelta(days=1)


def _walk_http(ctx: Context) -> int:
    start, end = _walk_params(ctx)
    params = {
        "param": "w21003",
        "kind": "hour",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "limit": PAGE,
    }
    body = _get(ctx, "/api/v1/observations", params)
    total, pages = len(body["data"]), 1
    while body["next"] and pages < WALK_PAGES:
        body = _get(ctx, body["next"])
        total += len(body["data"])
        pages += 1
    return total


def _walk_sql(con: duckdb.DuckDBPyConnection, ctx: Context) -> int:
    start, end = _walk_params(ctx)
    total = 0
    for page in range(WALK_PAGES):
        rows = con.execute(
            "SELECT mn, param, kind, time, value, flag FROM observations "
            "WHERE param = 'w21003' AND kind = 'hour' AND time >= ? AND time < ? "
            "ORDER BY mn, param, kind, time LIMIT ? OFFSET ?",
            [start, end, PAGE, page * PAGE],
        ).fetchall()
        total += len(rows)
        if len(rows) < PAGE:
            break
    return total


#: every measured query; other read paths (SensorThings …) append theirs
QUERIES: list[Query] = [
    Query(
        "latest_all",
        "latest hourly value of every station (5,000 × 2 series)",
        _latest_http,
        _latest_sql,
        50.0,
    ),
    Query(
        "station_year_page",
        "first page (1,000 rows) of one station-year",
        _year_page_http,
        _year_page_sql,
        50.0,
    ),
    Query("station_year_walk", "every page of one station-year", _year_walk_http, _year_walk_sql),
    Query("observations_walk", f"{WALK_PAGES} pages of one parameter over one day", _walk_http, _walk_sql),
]


# --- the same questions through the OGC SensorThings API (/sta/v1.1) -----------------------------------

STA = "/sta/v1.1"
STA_LATEST = (
    "Datastreams($filter=properties/kind eq 'hour';$select=id;"
    "$expand=Observations($top=1;$orderby=phenomenonTime desc;$select=phenomenonTime,result))"
)


def _sta_walk(ctx: Context, body: dict[str, Any], count: Callable[[dict[str, Any]], int], pages: int) -> int:
    """Rows of ``body`` and of up to ``pages - 1`` pages after it, following ``@iot.nextLink``."""
    total, seen = count(body), 1
    while body.get("@iot.nextLink") and seen < pages:
        body = _get(ctx, body["@iot.nextLink"])
        total, seen = total + count(body), seen + 1
    return total


def _sta_latest_http(ctx: Context) -> int:
    """Every station's Datastreams with their newest Observation (pages of 1,000 Things)."""
    body = _get(ctx, f"{STA}/Things", {"$top": PAGE, "$select": "id", "$expand": STA_LATEST})

    def values(page: dict[str, Any]) -> int:
        return sum(len(d["Observations"]) for t in page["value"] for d in t["Datastreams"])

    return _sta_walk(ctx, body, values, pages=sys.maxsize)


def _sta_year_filter(ctx: Context) -> str:
    mn, start, end = _year_params(ctx)
    return (
        f"Datastream/Thing/@iot.id eq '{mn}' and Datastream/properties/kind eq 'hour' "
        f"and phenomenonTime ge {start.isoformat()} and phenomenonTime lt {end.isoformat()}"
    )


def _sta_rows(page: dict[str, Any]) -> int:
    return len(page["value"])


def _sta_year_page_http(ctx: Context) -> int:
    body = _get(ctx, f"{STA}/Observations", {"$filter": _sta_year_filter(ctx), "$top": PAGE})
    return _sta_rows(body)


def _sta_year_walk_http(ctx: Context) -> int:
    body = _get(ctx, f"{STA}/Observations", {"$filter": _sta_year_filter(ctx), "$top": PAGE})
    return _sta_walk(ctx, body, _sta_rows, pages=sys.maxsize)


def _sta_walk_http(ctx: Context) -> int:
    start, end = _walk_params(ctx)
    condition = (
        "Datastream/ObservedProperty/@iot.id eq 'w21003' and Datastream/properties/kind eq 'hour' "
        f"and phenomenonTime ge {start.isoformat()} and phenomenonTime lt {end.isoformat()}"
    )
    body = _get(ctx, f"{STA}/Observations", {"$filter": condition, "$top": PAGE})
    return _sta_walk(ctx, body, _sta_rows, pages=WALK_PAGES)


QUERIES += [
    Query(
        "sta_latest_all", "STA: newest hourly Observation of every Datastream", _sta_latest_http, _latest_sql
    ),
    Query(
        "sta_station_year_page", "STA: first page of one station-year", _sta_year_page_http, _year_page_sql
    ),
    Query(
        "sta_station_year_walk", "STA: every page of one station-year", _sta_year_walk_http, _year_walk_sql
    ),
    Query(
        "sta_observations_walk", f"STA: {WALK_PAGES} pages, one parameter, one day", _sta_walk_http, _walk_sql
    ),
]


# --- the store ---------------------------------------------------------------------------------------


def _spec(stations: int, hours: int) -> dict[str, Any]:
    return {"stations": stations, "hours": hours, "params": list(PARAMS), "end": END.isoformat(), "v": 1}


def build_store(data: Path, *, stations: int, hours: int) -> tuple[str, str]:
    """Write the store (unless ``data`` already holds one of the same spec); return two tokens."""
    from lianfang.model import Jurisdiction, Station, StationKind
    from lianfang.share import Role
    from lianfang.share.tokens import issue_token
    from lianfang.store import open_store
    from lianfang.store.base import Agreement

    ctx = Context(stations, hours, random.Random(0))
    spec_file = data / "bench-api.json"
    store_file = data / "lianfang.duckdb"
    fresh = not (spec_file.exists() and json.loads(spec_file.read_text()) == _spec(stations, hours))
    if fresh and store_file.exists():
        store_file.unlink()
    store = open_store(store_file)
    try:
        if fresh:
            started = time.perf_counter()
            store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
            store.upsert_jurisdiction(Jurisdiction("CQ", "重庆市"))
            store.upsert_stations(
                [
                    Station(ctx.mn(i), f"station {i}", StationKind.WATER, ctx.mn(i)[:2])
                    for i in range(stations)
                ]
            )
            mns = np.array([ctx.mn(i) for i in range(stations)], dtype=object)
            hours_per_chunk = max(1, 500_000 // (stations * len(PARAMS)))
            rng = np.random.default_rng(0)
            for first in range(0, hours, hours_per_chunk):
                n_hours = min(hours_per_chunk, hours - first)
                hour_index = np.repeat(np.arange(first, first + n_hours), stations * len(PARAMS))
                times = np.datetime64(ctx.start.replace(tzinfo=None), "us") + hour_index.astype(
                    "timedelta64[h]"
                )
                n = len(hour_index)
                table = pa.table(
                    {
                        "mn": pa.array(np.tile(np.repeat(mns, len(PARAMS)), n_hours), pa.string()),
                        "param": pa.array(
                            np.tile(np.array(PARAMS, dtype=object), stations * n_hours), pa.string()
                        ),
                        "kind": pa.array(np.full(n, "hour", dtype=object), pa.string()),
                        "time": pa.array(times, pa.timestamp("us", tz="UTC")),
                        "value": pa.array(rng.random(n) * 10.0, pa.float64()),
                        "flag": pa.array(np.full(n, "N", dtype=object), pa.string()),
                    }
                )
                store.write_observation_table(table)
                done = first + n_hours
                if done % max(1, hours // 20) < hours_per_chunk or done == hours:
                    rate = done * stations * len(PARAMS) / (time.perf_counter() - started)
                    print(f"  wrote {done:,}/{hours:,} hours ({rate:,.0f} rows/s)", file=sys.stderr)
            store.add_agreement(
                Agreement(
                    id=0,
                    version=1,
                    owner="SC",
                    grantee="CQ",
                    valid_from=ctx.start - timedelta(days=1),
                    created_at=ctx.start - timedelta(days=1),
                    purpose="benchmark: everything",
                )
            )
            spec_file.write_text(json.dumps(_spec(stations, hours)))
        now = datetime.now(UTC)
        _, cq = issue_token(
            store, agency="CQ", role=Role.VIEWER, known_agencies=["SC", "CQ"], now=now, name="bench"
        )
        _, sc = issue_token(
            store, agency="SC", role=Role.VIEWER, known_agencies=["SC", "CQ"], now=now, name="bench"
        )
        return cq, sc
    finally:
        store.close()


# --- measuring ---------------------------------------------------------------------------------------


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "mean": statistics.fmean(ordered)}


def _measure(call: Callable[[], int], repeat: int, warmup: int) -> tuple[dict[str, float], int]:
    rows = 0
    for _ in range(warmup):
        rows = call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = call()
        samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples), rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench api", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=50_000_000, help="observations in the store (default 50 M)"
    )
    parser.add_argument("--stations", type=int, default=5_000)
    parser.add_argument("--data", type=Path, default=None, help="keep the store here and reuse it next time")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query and side")
    parser.add_argument("--only", nargs="*", default=None, help="query names to run")
    args = parser.parse_args(argv)

    from tests.api.live_server import LiveServer  # the same harness as the leak matrix

    hours = max(1, args.rows // (args.stations * len(PARAMS)))
    data = args.data or Path(tempfile.mkdtemp(prefix="lianfang-bench-api-")) / "data"
    data.mkdir(parents=True, exist_ok=True)
    print(f"store: {args.stations:,} stations × {len(PARAMS)} params × {hours:,} h = "
          f"{args.stations * len(PARAMS) * hours:,} observations in {data}", file=sys.stderr)  # fmt: skip
    started = time.perf_counter()
    token, _ = build_store(data, stations=args.stations, hours=hours)
    print(f"store ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    queries = [q for q in QUERIES if args.only is None or q.name in args.only]

    results: dict[str, dict[str, Any]] = {q.name: {} for q in queries}
    con = duckdb.connect(str(data / "lianfang.duckdb"), read_only=True)
    try:
        for q in queries:
            ctx = Context(args.stations, hours, random.Random(1))
            stats, rows = _measure(lambda q=q, ctx=ctx: q.sql(con, ctx), args.repeat, 2)
            results[q.name]["sql"] = {**stats, "rows": rows}
    finally:
        con.close()
    with LiveServer(data, startup_timeout=120) as server, server.client(token) as client:
        for q in queries:
            ctx = Context(args.stations, hours, random.Random(1), client=client)
            stats, rows = _measure(lambda q=q, ctx=ctx: q.http(ctx), args.repeat, 2)
            results[q.name]["api"] = {**stats, "rows": rows}

    print(
        f"\n{'query':20} {'side':4} {'rows':>7} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}"
        "  api/sql p95  target"
    )
    failed = False
    for q in queries:
        sql, api = results[q.name]["sql"], results[q.name]["api"]
        for side, r in (("sql", sql), ("api", api)):
            print(
                f"{q.name:20} {side:4} {r['rows']:>7} {r['p50']:>9.1f} {r['p95']:>9.1f} {r['p99']:>9.1f}",
                end="",
            )
            if side == "api":
                verdict = ""
                if q.target_ms is not None:
                    ok = api["p95"] < q.target_ms
                    failed |= not ok
                    verdict = f"p95 < {q.target_ms:.0f} ms: {'yes' if ok else 'NO'}"
                print(f"  {api['p95'] / sql['p95']:>10.2f}x  {verdict}", end="")
            print()
    print(json.dumps({"rows": args.stations * len(PARAMS) * hours, "results": results}), file=sys.stderr)
    return 1 if failed else 0
