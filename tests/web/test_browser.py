"""The dashboard in a real browser: Debian chromium driven by Playwright, against the app served by
uvicorn on a free 127.0.0.1 port over a prepared DuckDB file (stations, hourly values, tokens).

Set ``LIANFANG_WEB_SHOTS=DIR`` to keep screenshots of the dashboard and the station drawer.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from lianfang.api.app import create_app
from lianfang.api.auth import shared_reader_of
from lianfang.model import BEIJING
from lianfang.store.duckdb import open_store
from tests.web.world import World, build_world

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (apt install chromium)"
    ),
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs the playwright package (pip install playwright)"
)

TIMEOUT_MS = 15_000


class ServerThread:
    """The app under uvicorn in a thread, on a socket bound to a free port of 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port: int = self.socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("browser") / "data", datetime.now(UTC))


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[ServerThread]:
    store = open_store(world.path)
    app = create_app(store=store)
    try:
        with ServerThread(app) as running:
            yield running
    finally:
        reader = shared_reader_of(app)
        if reader is not None:
            reader.close()
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: ServerThread) -> Iterator[Any]:
    """A fresh tab (own sessionStorage) in Chinese; every request it makes is recorded."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.requested = []
    tab.errors = []
    tab.on("request", lambda r: tab.requested.append(r.url))
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    context.close()


def _open(page: Any, server: ServerThread, token: str) -> None:
    page.goto(f"{server.base_url}/#token={token}")
    page.wait_for_selector("#station-table tbody tr[data-mn]")
    page.wait_for_function("() => !!document.querySelector('#map canvas')")


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("LIANFANG_WEB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _map_option(page: Any) -> dict[str, Any]:
    option: dict[str, Any] = page.evaluate(
        "() => { const o = echarts.getInstanceByDom(document.getElementById('map')).getOption();"
        " return {series: o.series.map(s => ({id: s.id, type: s.type,"
        " data: (s.data || []).map(d => ({mn: d.mn, name: d.name, value: d.value, coords: d.coords,"
        " color: d.itemStyle && d.itemStyle.color}))})), geo: o.geo.map(g => g.map)}; }"
    )
    return option


def test_map_renders_visible_stations_coloured_by_status(
    page: Any, server: ServerThread, world: World
) -> None:
    _open(page, server, world.tokens["SC"])
    option = _map_option(page)
    assert option["geo"] == ["sc_cq"]
    series = {s["id"]: s for s in option["series"]}
    water = {d["mn"]: d for d in series["water"]["data"]}
    air = {d["mn"]: d for d in series["air"]["data"]}
    assert set(water) == {"SCW1", "SCW2", "CQW1"}  # CQ's unshared stations never reach the page
    assert set(air) == {"SCA1"}
    assert water["SCW1"]["value"] == [106.30, 30.27]
    assert water["SCW1"]["color"] == "#2ca25f"  # class III: green (环办[2011]22号)
    assert water["SCW2"]["color"] == "#d7301f"  # 劣V: red
    assert air["SCA1"]["color"] == "#FFFF00"  # AQI level 2: yellow (HJ 633 Annex A)
    [jialing] = series["rivers"]["data"]
    assert jialing["coords"] == [[106.02, 30.69], [106.30, 30.27], [106.28, 30.0]]  # ordered by river km
    assert page.evaluate("() => window.location.hash") == ""  # the token left the address bar …
    assert (
        page.evaluate("() => sessionStorage.getItem('lianfang.token')") == world.tokens["SC"]
    )  # … for the tab
    assert page.is_visible("#sim-badge")
    assert "尚未配置预警规则" in page.locator("#alerts [data-state=no-rules]").inner_text()
    assert "四川省（SC）" in page.inner_text("#whoami")
    sharing = page.inner_text("#sharing")
    assert "协议 #1" in sharing
    assert "重庆市 → 四川省" in sharing
    assert all(url.startswith(server.base_url) for url in page.requested), "no request may leave the origin"
    assert page.errors == []
    _shot(page, "dashboard-zh")


def test_station_list_shows_latest_values_units_flags_and_beijing_time(
    page: Any, server: ServerThread, world: World
) -> None:
    _open(page, server, world.tokens["SC"])
    headers = page.inner_text("#station-table thead")
    assert "氨氮" in headers
    assert "mg/L" in headers
    row = page.locator("tr[data-mn=SCW1]")
    text = row.inner_text()
    nh3 = page.evaluate(
        "() => { const heads = [...document.querySelectorAll('#station-table thead th')];"
        " const k = heads.findIndex(h => h.title.endsWith('w21003'));"
        " return document.querySelector('tr[data-mn=SCW1]').children[k].innerText; }"
    )
    assert nh3 == "0.8"  # NH3-N [mg/L], with the column's decimals (3.0 and 0.4 in the other rows)
    assert "III" in text
    assert "模拟" in text
    assert "跨界" in text
    assert world.latest_hour.astimezone(BEIJING).strftime("%m-%d %H:%M") in text
    flagged = page.locator("tr[data-mn=SCW2] td.flagged")
    assert flagged.count() == 1  # SCW2's newest TP carries flag M
    assert "M" in flagged.inner_text()
    assert "维护" in (flagged.get_attribute("title") or "")
    assert "协议 #1" in page.inner_text("tr[data-mn=CQW1]")
    page.click("#list-tabs button[data-kind=air]")
    air = page.locator("tr[data-mn=SCA1]").inner_text()
    assert "100" in air
    assert "良" in air
    assert "60" in air


def test_clicking_a_station_draws_its_hourly_charts(page: Any, server: ServerThread, world: World) -> None:
    _open(page, server, world.tokens["SC"])
    page.click("tr[data-mn=SCW1]")
    page.wait_for_selector("#charts .chart-card canvas")
    assert page.inner_text("#drawer-title") == "嘉陵江武胜"
    assert "模拟数据" in page.inner_text("#drawer-meta")
    cards = page.locator("#charts .chart-card")
    assert cards.count() == 5  # pH, DO, CODMn, NH3-N, TP
    points = page.evaluate(
        "() => [...document.querySelectorAll('#charts .chart-card')].map(c => {"
        " const o = echarts.getInstanceByDom(c.querySelector('.chart')).getOption();"
        " const valid = o.series[0].data.filter(d => d[1] !== null).length;"
        " return [c.dataset.param, valid, o.series[1].data.length]; })"
    )
    by_param = {p: (line, flagged) for p, line, flagged in points}
    assert by_param["w21003"] == (23, 1)  # 24 hours: 23 valid, 1 flagged M drawn apart
    assert by_param["w01001"] == (24, 0)
    _shot(page, "drawer-24h")
    page.click("#range button[data-hours='168']")
    valid = page.wait_for_function(
        "() => { const c = document.querySelector('#charts .chart-card[data-param=w21003] .chart');"
        " const i = c && echarts.getInstanceByDom(c);"
        " const n = i && i.getOption().series[0].data.filter(d => d[1] !== null).length;"
        " return n > 23 && n; }"
    ).json_value()
    assert valid == 24  # 7 days: the 23 of the last day and the value of 27 h ago


def test_language_switch_changes_labels(page: Any, server: ServerThread, world: World) -> None:
    _open(page, server, world.tokens["SC"])
    assert page.inner_text("#map-title") == "监测站点分布"
    page.click("#lang-en")
    assert page.inner_text("#map-title") == "Monitoring stations"
    assert "Station" in page.inner_text("#station-table thead")
    assert "NH3-N" in page.inner_text("#station-table thead")
    assert "No warning rules configured yet" in page.locator("#alerts [data-state=no-rules]").inner_text()
    assert "Sichuan (SC)" in page.inner_text("#whoami")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.evaluate("() => localStorage.getItem('lianfang.lang')") == "en"
    _shot(page, "dashboard-en")
    page.click("#lang-zh")
    assert page.inner_text("#summary-title") == "区域概况"


def test_browser_language_sets_the_default(browser: Any, server: ServerThread, world: World) -> None:
    context = browser.new_context(locale="en-GB")
    try:
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.goto(f"{server.base_url}/")
        tab.wait_for_selector("#login:not([hidden])")
        assert tab.inner_text("#login h2") == "Enter your access token"
    finally:
        context.close()


def test_bad_token_shows_the_login_box_with_an_error_then_a_good_one_works(
    page: Any, server: ServerThread, world: World
) -> None:
    page.goto(f"{server.base_url}/#token=not-a-token")
    page.wait_for_selector("#login-error:not([hidden])")
    assert page.is_visible("#login")
    assert not page.is_visible("#main")
    assert "令牌无效" in page.inner_text("#login-error")
    assert page.evaluate("() => sessionStorage.getItem('lianfang.token')") is None
    page.fill("#token-input", world.tokens["CQ"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#station-table tbody tr[data-mn]")
    assert not page.is_visible("#login")
    assert "重庆市（CQ）" in page.inner_text("#whoami")
    page.click("#logout")
    page.wait_for_selector("#login:not([hidden])")
    assert page.evaluate("() => sessionStorage.getItem('lianfang.token')") is None
