"""The page, its assets and the outlines: served without a token, same-origin only, no CDN anywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lianfang.api.app import create_app
from lianfang.model import Jurisdiction
from lianfang.store.duckdb import DuckDBStore, open_store
from lianfang.web.pages import GEO_PATH, STATIC_DIR, TEMPLATES_DIR

OWN_FILES = sorted(
    p
    for p in [*STATIC_DIR.rglob("*"), *TEMPLATES_DIR.rglob("*")]
    if p.is_file() and "vendor" not in p.parts and p.suffix in {".html", ".js", ".css", ".svg"}
)
ECHARTS = STATIC_DIR / "vendor" / "echarts" / "echarts.min.js"
# a URL with a host; XML namespaces in inline SVG are identifiers, not fetches
REMOTE = re.compile(r"(?:https?:)?//(?!www\.w3\.org/)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store: DuckDBStore = open_store(tmp_path_factory.mktemp("pages") / "lianfang.duckdb")
    store.upsert_jurisdiction(Jurisdiction("SC", "四川省"))
    with TestClient(create_app(store=store)) as c:
        yield c
    store.close()


def test_dashboard_page_is_served_with_a_same_origin_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<div id="map"' in html
    assert 'id="station-table"' in html
    assert 'id="login"' in html
    assert '<script src="/static/vendor/echarts/echarts.min.js"' in html
    assert '<script type="module" src="/static/js/app.js">' in html
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    assert "http" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"


def test_every_script_and_stylesheet_the_page_names_exists(client: TestClient) -> None:
    html = client.get("/").text
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs, "the page names its assets"
    for ref in refs:
        assert ref.startswith("/static/"), f"{ref} is not a local asset"
        assert client.get(ref).status_code == 200, ref


def test_module_imports_resolve(client: TestClient) -> None:
    for path in (STATIC_DIR / "js").glob("*.js"):
        for target in re.findall(r'from "\./([\w.]+)"', path.read_text(encoding="utf-8")):
            assert (STATIC_DIR / "js" / target).is_file(), f"{path.name} imports missing {target}"


@pytest.mark.parametrize(
    ("asset", "media"),
    [
        ("js/app.js", "text/javascript"),
        ("css/dashboard.css", "text/css"),
        ("vendor/echarts/echarts.min.js", "text/javascript"),
        ("favicon.svg", "image/svg+xml"),
    ],
)
def test_static_assets(client: TestClient, asset: str, media: str) -> None:
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (STATIC_DIR / asset).read_bytes()


def test_vendored_echarts_is_the_full_build() -> None:
    head = ECHARTS.read_bytes()[:2000].decode("latin-1")
    assert ECHARTS.stat().st_size > 1_000_000  # echarts.simple.min.js (~0.5 MB) lacks geo/map
    assert "Apache" in head or "echarts" in head.lower()


@pytest.mark.parametrize(
    "asset", ["../pages.py", "..%2Fpages.py", "js/../../pages.py", "nope.js", "js", "%2e%2e/%2e%2e/model.py"]
)
def test_nothing_outside_the_static_folder_and_no_directories(client: TestClient, asset: str) -> None:
    response = client.get(f"/static/{asset}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_no_remote_urls_in_our_html_js_css(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not REMOTE.findall(text), f"{path.name} refers to a remote host"


def test_remote_url_detector_catches_a_cdn() -> None:
    assert REMOTE.findall('<script src="https://cdn.jsdelivr.net/npm/echarts"></script>')
    assert REMOTE.findall("import x from '//unpkg.com/x.js'")
    assert not REMOTE.findall('<svg xmlns="http://www.w3.org/2000/svg">')


def test_ui_strings_exist_in_both_languages() -> None:
    source = (STATIC_DIR / "js" / "i18n.js").read_text(encoding="utf-8")
    zh_block = source.split("  zh: {", 1)[1].split("\n  },", 1)[0]
    en_block = source.split("  en: {", 1)[1].split("\n  },", 1)[0]
    zh = set(re.findall(r'^\s+"([\w.-]+)":', zh_block, flags=re.M))
    en = set(re.findall(r'^\s+"([\w.-]+)":', en_block, flags=re.M))
    assert len(zh) > 100
    assert zh - en == set(), "keys missing in English"
    assert en - zh <= {"jur.SC", "jur.CQ"}, "keys missing in Chinese"
    used: set[str] = set()
    for path in [*OWN_FILES]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'data-i18n(?:-placeholder|-title)?="([\w.-]+)"', text))
        used |= set(re.findall(r'\bt\("([\w.-]+)"', text))
    assert used - zh == set(), "strings used but not translated"


def test_province_outlines(client: TestClient) -> None:
    response = client.get(GEO_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    geo = json.loads(response.content)
    assert geo["type"] == "FeatureCollection"
    names = {f["properties"]["name"]: f for f in geo["features"]}
    assert set(names) == {"四川省", "重庆市"}
    assert "AMap" in geo["attribution"]
    assert "WGS 84" in geo["attribution"]
    lon, lat = _first_point(names["重庆市"]["geometry"])
    assert 105 < lon < 111
    assert 28 < lat < 33
    assert len(response.content) < 200_000  # simplified for the browser


def _first_point(geometry: dict[str, object]) -> tuple[float, float]:
    coords: object = geometry["coordinates"]
    while isinstance(coords, list) and isinstance(coords[0], list):
        coords = coords[0]
    assert isinstance(coords, list)
    return float(coords[0]), float(coords[1])
