"""Server mode in a real Chromium (Debian's, driven by Playwright, every non-local request
blocked, console errors failing the test): a Korkot logs in, uploads kolaborasi, sees the
Korkot list change, overrides one work with a reason, sees who/when/why in the history,
logs out and finds no edit control (issue 15)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
from _live_server import live_server

from kumuhgis.store import open_store
from kumuhgis.store.users import add_user

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM = next(
    (c for c in (os.environ.get("KUMUHGIS_CHROMIUM"), *CANDIDATES, shutil.which("chromium"))
     if c and Path(c).is_file() and os.access(c, os.X_OK)),
    None,
)  # fmt: skip
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed; run scripts/install_browser.sh (CI does)",
)
PASSWORD = "sandi-korkot-1"


@pytest.fixture
def project(demo_project, tmp_path) -> Path:
    path = tmp_path / "kota.gpkg"
    shutil.copy(demo_project, path)
    add_user(open_store(path), "korkot", "korkot", PASSWORD, command="test")
    return path


def _work_outside(project: Path, out: Path) -> Path:
    """One new work in the city but outside every kawasan: the Korkot list flags it."""
    store = open_store(project)
    city = store.read("wilayah").geometry.union_all()
    outside = city.difference(store.read("delineasi").geometry.union_all().buffer(0.002))
    frame = gpd.GeoDataFrame({
        "kode_kegiatan": ["WEB-LUAR-01"], "nama_kegiatan": ["Jalan lingkungan baru"],
        "tahun": [2019], "sumber_dana": ["APBD Kab/Kota"], "nilai_rp": [150_000_000],
        "kriteria": ["2a"], "volume": [120], "satuan": ["m"]},
        geometry=[outside.representative_point()], crs="EPSG:4326")  # fmt: skip
    frame.to_file(out, driver="GeoJSON")
    return out


def test_korkot_uploads_decides_and_logs_out(project, tmp_path):
    server = contextlib.ExitStack()
    url = server.enter_context(live_server(project))  # the app in its own process
    pw = sync_api.sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM)
    errors, blocked = [], []
    try:
        page = browser.new_page(viewport={"width": 1300, "height": 900})

        def route(r):  # exactly one argument, or Playwright waits forever
            if r.request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        _walk(page, url, _work_outside(project, tmp_path / "kegiatan.geojson"))
        assert blocked == [] and errors == []
    finally:
        browser.close()
        pw.stop()
        server.close()


def _walk(page, url: str, upload: Path) -> None:
    expect = sync_api.expect
    page.goto(f"{url}/kolaborasi")
    assert page.locator("#nav-ubah, .kg-ubah-status, #form-status").count() == 0
    before = page.inner_text("#kolab-count")
    page.click("#masuk")
    page.fill("#nama", "korkot")
    page.fill("#sandi", PASSWORD)
    page.click("#tombol-masuk")
    expect(page.locator("#pengguna-aktif")).to_have_text("korkot")
    assert page.url.endswith("/kolaborasi")  # back where the login was asked for

    page.click("#nav-ubah")
    page.select_option("#unggah-layer", "kolaborasi")
    page.set_input_files("#unggah-berkas", str(upload))
    page.click("#tombol-unggah")
    expect(page.locator("#baris-disimpan")).to_have_text("1")
    expect(page.locator("#mode-unggah")).to_have_text("ganti per kunci")  # not "append"
    expect(page.locator("#baris-ditambah")).to_have_text("1")
    assert page.locator("#unggah-ganti-layer").count() == 0  # the Pokja's only
    page.click("#ke-kolaborasi")
    row = page.locator("#tabel-kolaborasi tr", has_text="WEB-LUAR-01")
    expect(row).to_have_count(1)
    page.goto(f"{url}/kolaborasi")
    assert page.inner_text("#kolab-count") != before  # the Korkot's list changed
    page.goto(f"{url}/kolaborasi?semua=1")

    reason = "Dicek di lapangan: jalan ini menyambung ke kawasan, dihitung dalam"
    row.locator(".kg-ubah-status").click()
    page.select_option("#status-baru", "dalam")
    page.fill("#alasan", reason)
    page.screenshot(path=str(upload.with_name("keputusan.png")))
    page.click("#simpan-status")
    history = page.locator("#tabel-riwayat-status tr", has_text="WEB-LUAR-01")
    expect(history).to_have_count(1)
    text = history.inner_text()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert reason in text and "korkot" in text and today in text  # why, who, when
    expect(page.locator("#pesan")).to_contain_text("WEB-LUAR-01")

    page.click("#keluar")
    page.goto(f"{url}/kolaborasi?semua=1&ubah=WEB-LUAR-01")
    expect(page.locator("#masuk")).to_have_count(1)
    assert page.locator("#nav-ubah, .kg-ubah-status, #form-status, #keluar").count() == 0
    expect(page.locator("#tabel-riwayat-status")).to_contain_text(reason)  # readers see why
    page.goto(f"{url}/ubah/unggah")
    assert "/masuk" in page.url  # the edit page asks for a login
