"""The web map in a real Chromium (Debian's package, driven by Playwright) with every
request that would leave the machine blocked and every console error failing the test.

The app runs in a background thread (werkzeug) on 127.0.0.1 with an ephemeral port. Each
test's page fails on: a console error, an uncaught exception, a dialog (an ``alert`` from
injected markup) or any request to another host. Screenshots and the A3 PDF are saved in
``build/test-artifacts`` (or ``$KUMUHGIS_TEST_ARTIFACTS``).

Chromium comes from ``scripts/install_browser.sh`` (``apt-get install chromium``); the
tests skip, saying so, only when no Chromium binary is installed (CI installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from _viewer_city import HOSTILE, build_city, rt_polygon_4326, write_orthophoto

from app import create_app
from kumuhgis.outputs.webmap import export_map_html, load_map_data
from kumuhgis.store import open_store
from kumuhgis.store.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("KUMUHGIS_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts"))
CHROMIUM_CANDIDATES = (
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
)
READY = "window.kumuhgisReady === true"


def _chromium() -> str | None:
    for c in (os.environ.get("KUMUHGIS_CHROMIUM"), *CHROMIUM_CANDIDATES, shutil.which("chromium")):
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    return None


sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
CHROMIUM = _chromium()
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed; run scripts/install_browser.sh (CI does)",
    ),
    # rasterio builds affine transforms with `*`, which affine 3 flags as pending deprecation
    pytest.mark.filterwarnings("ignore:Use `@` matmul:PendingDeprecationWarning"),
]


# --------------------------------------------------------------------------- fixtures


class _Server:
    """A Flask app served from a background thread on 127.0.0.1 and a free port."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.httpd = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    pw = sync_api.sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM)
    yield b
    b.close()
    pw.stop()


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return build_city(tmp_path_factory.mktemp("browser") / "kota_uji.gpkg")


@pytest.fixture(scope="module")
def server(city):
    s = _Server(create_app({"STORE": str(city)}))
    yield s
    s.close()


class Watch:
    """What a page did that a test must see: console errors, blocked requests, dialogs."""

    def __init__(self):
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.responses: list = []

    def assert_clean(self):
        assert self.dialogs == [], f"dialog opened (injected markup ran?): {self.dialogs}"
        assert self.blocked == [], f"requests to other hosts: {self.blocked}"
        assert self.errors == [], f"console errors: {self.errors}"


def _local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1:", "file://", "data:", "blob:"))


@pytest.fixture
def watched(browser):
    """A fresh page (1400 × 900) that blocks every non-local request and records errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    watch = Watch()

    def route(r):  # exactly one argument, or Playwright waits forever
        if _local(r.request.url):
            r.continue_()
        else:
            watch.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"uncaught: {e}"))
    page.on("response", lambda r: watch.responses.append(r))

    def on_dialog(d):
        watch.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    yield page, watch
    context.close()


def _ready(page, url: str):
    page.goto(url)
    page.wait_for_function(READY, timeout=30_000)
    page.wait_for_timeout(300)  # Leaflet fades tiles in over 0.2 s


def _shot(page, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _set_view(page, lat: float, lon: float, zoom: int):
    """Centre the map and wait for the RT tiles of the new view (or 3 s)."""
    page.evaluate(
        """([lat, lon, z]) => new Promise((done) => {
            const s = KG.state;
            const t = setTimeout(() => done(false), 3000);
            s.layers.rt.once('load', () => { clearTimeout(t); done(true); });
            s.map.setView([lat, lon], z, {animate: false});
        })""",
        [lat, lon, zoom],
    )
    page.wait_for_timeout(300)


def _click_latlng(page, lat: float, lon: float):
    x, y = page.evaluate(
        """([lat, lon]) => {
            const m = KG.state.map, p = m.latLngToContainerPoint([lat, lon]);
            const r = m.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        [lat, lon],
    )
    page.mouse.click(x, y)


def _popup_text(page, expect: str = "") -> str:
    """The text of the open popup, once one is open (holding ``expect``)."""
    page.wait_for_function(
        "(t) => { const p = document.querySelector('.leaflet-popup-content .kg-popup');"
        " return p !== null && p.textContent.includes(t); }",
        arg=expect,
        timeout=10_000,
    )
    return page.inner_text(".leaflet-popup-content")


def _painted_rt_pixels(page) -> int:
    """Opaque pixels on the RT tile canvases (what the canvas layer really drew)."""
    return page.evaluate(
        """() => {
            let n = 0;
            for (const c of document.querySelectorAll('.leaflet-kg-rt-pane canvas.leaflet-tile')) {
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            }
            return n;
        }"""
    )


# --------------------------------------------------------------------------- the map


def test_map_renders_with_features_drawn(watched, server):
    page, watch = watched
    _ready(page, server.url + "/peta")
    stats = page.evaluate("KG.state.stats")
    assert stats["features"] == {"wilayah": 2, "delineasi": 1, "infrastruktur": 2, "kolaborasi": 3}
    assert stats["rtTiles"] >= 1 and stats["rtDrawn"] >= 8
    assert _painted_rt_pixels(page) > 500
    # two kelurahan labels, delineation and boundary paths, two infrastructure icons
    assert page.locator(".kg-label").count() == 2
    assert (
        page.locator(".leaflet-kg-delineasi-pane path.leaflet-interactive").count() == 1
    )  # SK-2020: KWS-01
    assert page.locator(".kg-infra-icon").count() >= 1
    assert page.locator("#kg-legend").inner_text().count("Kumuh") >= 3
    assert page.locator(".leaflet-control-scale-line").inner_text().endswith(("m", "km"))
    _shot(page, "peta.png")
    watch.assert_clean()


def test_layers_toggle(watched, server):
    page, watch = watched
    _ready(page, server.url + "/peta")
    control = page.locator(".leaflet-control-layers-overlays label")
    kolab = control.filter(has_text="Kegiatan kolaborasi").locator("input")
    markers = "path.leaflet-interactive, .kg-infra-icon"
    before = page.locator(markers).count()
    kolab.uncheck()
    assert page.evaluate("KG.state.map.hasLayer(KG.state.layers.kolaborasi)") is False
    assert page.locator(markers).count() == before - 3  # KLB-1 and KLB-2 circles, KLB-3 line
    kolab.check()
    assert page.locator(markers).count() == before
    rt = control.filter(has_text="RT per tingkat").locator("input")
    rt.uncheck()
    assert page.locator(".leaflet-kg-rt-pane canvas").count() == 0
    rt.check()
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-kg-rt-pane canvas.leaflet-tile-loaded').length > 0"
    )
    watch.assert_clean()


def test_popups_open_for_rt_and_kolaborasi(watched, server):
    page, watch = watched
    _ready(page, server.url + "/peta")
    c = rt_polygon_4326("K2-RT03").centroid
    _set_view(page, c.y, c.x, 18)
    _click_latlng(page, c.y, c.x)
    text = _popup_text(page, "K2-RT03")
    assert "K2-RT03" in text and "Tidak kumuh (TK)" in text and HOSTILE in text
    # the kolaborasi point KLB-1 (a circle marker on top of RT K1-RT01)
    k = page.evaluate(
        """() => { let ll; KG.state.layers.kolaborasi.eachLayer(l => {
              if (l.feature.properties.kode_kegiatan === 'KLB-1') ll = l.getLatLng(); });
              return [ll.lat, ll.lng]; }"""
    )
    page.evaluate("KG.state.map.closePopup()")
    _set_view(page, k[0], k[1], 18)
    _click_latlng(page, *k)
    text = _popup_text(page, "KLB-1")
    assert "Sumur bor RT 01" in text and "Di dalam delineasi" in text and "Rp 50.000.000" in text
    watch.assert_clean()


def test_year_and_funding_filters(watched, server):
    page, watch = watched
    _ready(page, server.url + "/peta")
    tiles_before = len([r for r in watch.responses if "tahun=2016" in r.url])
    page.select_option("#kg-year", "2016")
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-kg-rt-pane canvas.leaflet-tile-loaded').length > 0"
    )
    page.wait_for_timeout(300)
    assert (
        len([r for r in watch.responses if "/api/tiles/rt/" in r.url and "tahun=2016" in r.url])
        > tiles_before
    )
    c = rt_polygon_4326("K1-RT01").centroid
    _set_view(page, c.y - 0.0002, c.x - 0.0003, 19)  # away from the kolaborasi point
    _click_latlng(page, c.y - 0.0002, c.x - 0.0003)
    assert "Kumuh berat (KB)" in _popup_text(page, "K1-RT01")  # K1-RT01 was KB in 2016 (KR in 2017)
    page.select_option("#kg-filter-source", "APBN")
    page.wait_for_function(
        "KG.state.stats.features.kolaborasi === 1 && KG.state.stats.features.infrastruktur === 1"
    )
    page.select_option("#kg-filter-source", "")
    page.select_option("#kg-sk", "SK-2016")
    page.wait_for_function("KG.state.stats.features.delineasi === 2")
    watch.assert_clean()


def test_search_finds_a_kelurahan_and_zooms_to_it(watched, server):
    page, watch = watched
    _ready(page, server.url + "/peta")
    page.fill("#kg-search-input", "uji satu")
    page.click("#kg-search-button")
    hit = page.locator("#kg-search-results .kg-hit").first
    hit.wait_for()
    assert hit.locator("strong").inner_text() == "Uji Satu"
    hit.click()
    assert "Uji Satu" in _popup_text(page, "6202990001")
    page.wait_for_function("KG.state.layers.highlight.getLayers().length === 1")
    bounds = page.evaluate(
        "(() => { const b = KG.state.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    kel = rt_polygon_4326("K1-RT01").union(rt_polygon_4326("K1-RT04")).bounds
    assert (
        bounds[0] <= kel[0] and bounds[1] <= kel[1] and bounds[2] >= kel[2] and bounds[3] >= kel[3]
    )
    assert bounds[2] - bounds[0] < 0.01  # zoomed in (the whole city with KLB-2 is 0.018° wide)
    page.fill("#kg-search-input", "tidak ada yang begini")
    page.click("#kg-search-button")
    page.wait_for_selector("#kg-search-results .kg-none")
    watch.assert_clean()


def test_hostile_name_stays_text(watched, server):
    page, watch = watched
    _ready(page, server.url + "/peta")
    labels = page.locator(".kg-label span").all_inner_texts()
    assert HOSTILE in labels
    page.fill("#kg-search-input", "img src")
    page.click("#kg-search-button")
    hit = page.locator("#kg-search-results .kg-hit").filter(has_text=HOSTILE).first
    hit.click()
    assert page.inner_text(".leaflet-popup-content .kg-popup-title") == HOSTILE
    page.wait_for_timeout(300)
    assert page.locator('img[src="x"]').count() == 0
    for path in ("/kolaborasi", "/ringkasan", "/verifikasi"):
        page.goto(server.url + path)
        assert HOSTILE in page.inner_text("main")
        assert page.locator('img[src="x"]').count() == 0
    watch.assert_clean()


def test_selection_link_from_the_kolaborasi_list(watched, server):
    page, watch = watched
    page.goto(server.url + "/kolaborasi")
    rows = page.locator("#tabel-kolaborasi tbody tr")
    assert rows.count() == 2
    page.locator("a.kg-maplink", has_text="KLB-3").click()
    page.wait_for_url(re.compile(r"/peta\?pilih=kolaborasi:KLB-3"))
    page.wait_for_function(READY)
    text = _popup_text(page, "KLB-3")
    assert "Jalan lintas batas" in text and "Sebagian di dalam" in text and "50 %" in text
    page.wait_for_function("KG.state.layers.highlight.getLayers().length === 1")
    watch.assert_clean()


def test_every_page_works_in_the_browser(watched, server):
    page, watch = watched
    for path, marker in (
        ("/ringkasan", "#tabel-tingkat"),
        ("/ringkasan?kel=6202990001", "#tabel-parameter"),
        ("/verifikasi", "#tabel-temuan"),
        ("/kolaborasi", "#tabel-kolaborasi"),
        ("/unduh", "#unduh-layer"),
        ("/tentang", "#tabel-versi"),
    ):
        page.goto(server.url + path)
        page.wait_for_selector(marker)
        page.wait_for_load_state("load")
    charts = page.goto(server.url + "/ringkasan") and page.locator(".kg-charts img")
    charts.first.wait_for()
    page.wait_for_function(
        "[...document.querySelectorAll('.kg-charts img')].every(i => i.complete && i.naturalWidth > 400)"
    )
    _shot(page, "ringkasan.png")
    page.click("#lang-switch")
    page.wait_for_selector("text=Slum summary")
    assert page.locator("#nav-peta").inner_text() == "Map"
    watch.assert_clean()


def test_osm_is_only_requested_when_chosen(watched, server):
    """Nothing leaves the machine with no basemap; choosing OpenStreetMap does (and is blocked
    here, which also shows the blocking works)."""
    page, watch = watched
    _ready(page, server.url + "/peta")
    assert watch.blocked == []
    page.locator(".leaflet-control-layers-base label", has_text="OpenStreetMap").locator(
        "input"
    ).check()
    page.wait_for_timeout(1000)
    assert watch.blocked and all("tile.openstreetmap.org" in u for u in watch.blocked)


def test_print_layout_is_a3_landscape(watched, server):
    page, watch = watched
    _ready(page, server.url + "/peta")
    page.evaluate("KG.printLayout(true)")
    page.wait_for_timeout(800)
    assert page.is_visible("#kg-print-title") and "Kota Uji" in page.inner_text("#kg-print-title")
    assert not page.is_visible(".kg-panel")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "peta-a3.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1  # one sheet
    w, h = (float(v) for v in boxes[0])
    # A3 landscape is 420 × 297 mm = 1190.55 × 841.89 pt
    assert w == pytest.approx(1190.55, abs=2) and h == pytest.approx(841.89, abs=2)
    watch.assert_clean()


def test_geotiff_basemap_tiles_in_the_browser(watched, city, tmp_path):
    page, watch = watched
    tif = write_orthophoto(tmp_path / "orto.tif")
    srv = _Server(create_app({"STORE": str(city), "BASEMAP": str(tif)}))
    try:
        _ready(page, srv.url + "/peta")
        c = rt_polygon_4326("K1-RT03").centroid
        _set_view(page, c.y, c.x, 17)
        page.wait_for_function("document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
        ok = [r for r in watch.responses if "/api/basemap/" in r.url and r.status == 200]
        assert ok and all(r.headers["content-type"].startswith("image/") for r in ok)
        _shot(page, "peta-ortofoto.png")
    finally:
        srv.close()
    watch.assert_clean()


# --------------------------------------------------------------------------- export, weight


def test_exported_html_renders_offline(watched, city, tmp_path):
    page, watch = watched
    out = tmp_path / "flashdisk" / "peta.html"
    out.parent.mkdir()
    out.write_text(
        export_map_html(load_map_data(load_snapshot(open_store(city)))), encoding="utf-8"
    )
    _ready(page, out.as_uri())
    assert all(r.url.startswith(("file://", "data:")) for r in watch.responses)
    stats = page.evaluate("KG.state.stats")
    assert stats["features"]["rt"] == 8 and stats["features"]["wilayah"] == 2
    assert page.locator(".leaflet-kg-rt-pane canvas").count() == 1
    assert HOSTILE in page.locator(".kg-label span").all_inner_texts()
    page.fill("#kg-search-input", "uji satu")
    page.click("#kg-search-button")
    page.locator("#kg-search-results .kg-hit").first.click()
    assert "Uji Satu" in _popup_text(page, "6202990001")
    page.select_option("#kg-filter-source", "APBN")
    page.wait_for_function("KG.state.stats.features.kolaborasi === 1")
    _shot(page, "peta-ekspor.png")
    watch.assert_clean()


def test_demo_map_page_weighs_under_3_mb(watched, demo_project, demo_city):
    path, demo = demo_project, demo_city
    srv = _Server(create_app({"STORE": str(path)}))
    page, watch = watched
    try:
        _ready(page, srv.url + "/peta")
        page.wait_for_load_state("networkidle")
        total = sum(len(r.body()) for r in watch.responses if r.status == 200)
        stats = page.evaluate("KG.state.stats")
    finally:
        srv.close()
    assert stats["features"]["wilayah"] == len(demo.layers["wilayah"])
    assert stats["rtDrawn"] >= len(demo.layers["rt"]) * 0.9
    assert total < 3_000_000, f"demo map page weighs {total} bytes"
    watch.assert_clean()
