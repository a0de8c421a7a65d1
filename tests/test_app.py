"""The Flask viewer through create_app: pages, JSON API, downloads, errors (JSON under /api,
HTML elsewhere), the hostile name escaped, and the `serve`/`export-map` commands."""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import openpyxl
import pyogrio
import pytest
from _viewer_city import HOSTILE, LEVEL_2016, build_city, rt_polygon_4326, write_mbtiles
from PIL import Image

from app import create_app
from kumuhgis.cli import main
from kumuhgis.outputs import webmap

ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return build_city(tmp_path_factory.mktemp("app") / "kota_uji.gpkg")


@pytest.fixture(scope="module")
def app(city):
    return create_app({"STORE": str(city), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def _ok(resp, mimetype="text/html"):
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == mimetype
    return resp.get_data(as_text=True)


# --------------------------------------------------------------------------- app creation


def test_create_app_reads_nothing_until_asked(tmp_path):
    app = create_app({"STORE": str(tmp_path / "belum_ada.gpkg")})  # no error: nothing is read yet
    c = app.test_client()
    r = c.get("/api/layers/rt")
    assert r.status_code == 503 and "belum_ada.gpkg" in r.get_json()["error"]
    r = c.get("/peta")
    assert (
        r.status_code == 503
        and r.mimetype == "text/html"
        and "belum_ada.gpkg" in r.get_data(as_text=True)
    )
    r = create_app().test_client().get("/api")
    assert r.status_code == 503 and "STORE" in r.get_json()["error"]
    with pytest.raises(ValueError):
        create_app({"LANG": "fr"})


def test_project_read_once_per_version(tmp_path):
    """Every page, tile and download of one project version shares one snapshot and one
    MapData; a write to the project (a new version) is read once by the next request."""
    import os

    path = build_city(tmp_path / "sekali.gpkg")
    app = create_app({"STORE": str(path)})
    c = app.test_client()
    state = app.extensions["kumuhgis"]
    centre = rt_polygon_4326("K1-RT01").centroid
    (z, x, y) = webmap.tiles_for_bounds((centre.x, centre.y, centre.x, centre.y), 16)[0]
    urls = ("/peta", "/api", "/api/layers/rt?tahun=2016", f"/api/tiles/rt/{z}/{x}/{y}.json",
            f"/api/rt/at?lon={centre.x}&lat={centre.y}", "/api/search?q=uji", "/ringkasan",
            "/api/ringkasan", "/verifikasi", "/kolaborasi", "/api/kolaborasi", "/unduh",
            "/unduh/rt.csv", "/unduh/skor.csv", "/tentang", "/tentang/aturan/permen-14-2018",
            "/healthz")  # fmt: skip
    seen = set()
    for url in urls:
        assert c.get(url).status_code == 200, url
        seen.add((id(state.snapshot()), id(state.map_data())))
    assert len(seen) == 1
    before = state.snapshot()
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # the file changed
    assert c.get("/api").status_code == 200
    after = state.snapshot()
    assert after is not before and after.version != before.version
    assert state.map_data().version_key == after.version
    assert c.get("/ringkasan").status_code == 200 and state.snapshot() is after


def test_healthz_needs_no_project():
    r = create_app().test_client().get("/healthz")
    assert r.status_code == 200 and r.get_json()["status"] == "ok"


# --------------------------------------------------------------------------- pages


def test_map_page_is_offline_and_escaped(client):
    html = _ok(client.get("/"))
    assert '<script src="/static/vendor/leaflet-1.9.3/leaflet.js"></script>' in html
    assert "/static/kumuhgis/map.js" in html and "KG.init(" in html
    assert webmap.external_urls(html) == []
    assert HOSTILE not in html
    cfg = json.loads(re.search(r"KG\.init\(\w+, (\{.*?\}), \{", html, re.S).group(1))
    assert cfg["mode"] == "served" and cfg["years"] == [2016, 2017] and cfg["year"] == 2017
    assert cfg["urls"]["layer"] == "/api/layers/__layer__"
    assert cfg["urls"]["rt_tile"] == "/api/tiles/rt/__z__/__x__/__y__.json"
    assert [v["no_sk"] for v in cfg["sk_versions"]] == ["SK-2016", "SK-2020"]
    # every local asset the page names exists
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        with client.get("/static/" + path) as r:
            assert r.status_code == 200, path
    cfg = json.loads(
        re.search(
            r"KG\.init\(\w+, (\{.*?\}), \{",
            _ok(client.get("/peta?tahun=2016&no_sk=SK-2016&pilih=rt:K1-RT01")),
            re.S,
        ).group(1)
    )
    assert (cfg["year"], cfg["no_sk"], cfg["select"]) == (2016, "SK-2016", "rt:K1-RT01")


def test_map_page_bad_options_are_400_html(client):
    for url in (
        "/peta?tahun=dua",
        "/peta?tahun=1999",
        "/peta?no_sk=SK-9",
        "/peta?dasar=local",
        "/peta?dasar=satelit",
    ):
        r = client.get(url)
        assert r.status_code == 400 and r.mimetype == "text/html", url
        assert "Galat 400" in r.get_data(as_text=True)


def test_language_switch(client):
    html = _ok(client.get("/ringkasan"))
    assert ">Peta</a>" in html and "5,00 ha" in html  # Indonesian number style
    r = client.get("/ringkasan?lang=en")
    html = _ok(r)
    assert ">Map</a>" in html and "5.00 ha" in html and 'lang="en"' in html
    assert "lang=en" in r.headers["Set-Cookie"]
    html = _ok(client.get("/ringkasan"))  # the cookie keeps English
    assert ">Map</a>" in html
    html = _ok(client.get("/ringkasan?lang=id"))
    assert ">Peta</a>" in html


def test_ringkasan_city_and_kelurahan(client):
    html = _ok(client.get("/ringkasan?lang=id"))
    # 2016: 5 RTs of 1 ha not TK (see _viewer_city) → 5,00 ha; unchanged in 2017
    assert re.search(r'id="pengurangan-ha">0,00 ha<', html)
    assert (
        'id="tabel-tingkat"' in html
        and 'id="tabel-parameter"' in html
        and 'id="tabel-target"' in html
    )
    assert ESCAPED in html and HOSTILE not in html  # the kelurahan list
    assert "/ringkasan/grafik/tingkat.png" in html
    # the official figure beside the city's (domain.md §5 scopes): SK-2016 covers K1-RT01,
    # K1-RT02 and K2-RT01 (3 ha kumuh); K1-RT03 (KR) and K2-RT04 (KS) are kumuh outside it
    table = re.search(r'id="tabel-lingkup">(.*?)</table>', html, re.S).group(1)
    rows = {
        m.group(1): [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group(2))]
        for m in re.finditer(r'<tr class="lingkup-(\w+)">(.*?)</tr>', table, re.S)
    }  # fmt: skip
    assert rows["sk"][1:4] == ["3", "3,00", "3,00"] and "angka resmi" in rows["sk"][0]
    assert rows["kota"][1:4] == ["8", "5,00", "5,00"]
    assert rows["kumuh_di_luar_sk"][1:4] == ["2", "2,00", "2,00"]
    html = _ok(client.get("/ringkasan?kel=6202990002"))
    assert 'id="tabel-lingkup"' not in html  # the scopes are city totals
    assert "<h1>Ringkasan kawasan kumuh — " + ESCAPED + "</h1>" in html
    assert "2,00 ha" in html  # K2-RT01 (KB) + K2-RT04 (KS)
    assert client.get("/ringkasan?kel=000").status_code == 400
    for name in ("tingkat", "parameter", "target"):
        r = client.get(f"/ringkasan/grafik/{name}.png")
        assert r.status_code == 200 and r.mimetype == "image/png"
        assert Image.open(io.BytesIO(r.data)).size[0] > 400
    assert client.get("/ringkasan/grafik/target.png?kel=6202990001").status_code == 404
    assert client.get("/ringkasan/grafik/pai.png").status_code == 404


def test_verifikasi_page(client):
    html = _ok(client.get("/verifikasi"))
    assert "SK-2016" in html and "SK-2020" in html
    assert ESCAPED in html and HOSTILE not in html
    assert "/peta?pilih=delineasi:KWS-01" in html
    html = _ok(client.get("/verifikasi?no_sk=SK-2020"))
    # SK-2020 keeps KWS-01 only: the kumuh RTs K1-RT03 (KR), K2-RT01 (KB), K2-RT04 (KS) lie outside it
    rows = re.findall(r'<tr class="flag-rt_kumuh_di_luar_sk">(.*?)</tr>', html, re.S)
    outside = [re.search(r"pilih=rt:([\w-]+)", r).group(1) for r in rows]
    assert sorted(outside) == ["K1-RT03", "K2-RT01", "K2-RT04"]
    assert 'class="flag-lokasi_dihapus"' in html  # KWS-02 dropped since SK-2016
    assert "terbitkan SK baru" in html
    assert client.get("/verifikasi?no_sk=SK-1").status_code == 400


def test_kolaborasi_page_filters_and_links(client):
    html = _ok(client.get("/kolaborasi"))
    codes = re.findall(r'pilih=kolaborasi:(KLB-\d)"', html)
    assert codes == ["KLB-2", "KLB-3"]  # flagged, largest value outside first
    assert "Drainase jauh " + ESCAPED in html and HOSTILE not in html
    html = _ok(client.get("/kolaborasi?semua=1"))
    assert sorted(re.findall(r'pilih=kolaborasi:(KLB-\d)"', html)) == ["KLB-1", "KLB-2", "KLB-3"]
    html = _ok(client.get("/kolaborasi?status=sebagian"))
    assert re.findall(r'pilih=kolaborasi:(KLB-\d)"', html) == ["KLB-3"]
    html = _ok(client.get("/kolaborasi?sumber_dana=APBN"))
    assert re.findall(r'pilih=kolaborasi:(KLB-\d)"', html) == []  # KLB-1 is inside: not flagged
    assert client.get("/kolaborasi?status=entah").status_code == 400


def test_unduh_tentang_aturan_pages(client):
    html = _ok(client.get("/unduh"))
    for link in ("/unduh/rt.gpkg", "/unduh/kolaborasi.zip", "/unduh/baseline.xlsx", "/unduh/skor.xlsx",
                 "/unduh/pengurangan.xlsx", "/unduh/kolaborasi_korkot.xlsx", "/unduh/verifikasi_sk.xlsx",
                 "/unduh/peta.html", "/unduh/proyek.gpkg"):  # fmt: skip
        assert link in html, link
    html = _ok(client.get("/tentang"))
    assert "permen-14-2018" in html and "test city" in html  # rules in force, audit trail
    assert re.search(r"<th>folium</th><td>\d", html) and re.search(r"<th>gdal</th><td>\d", html)
    html = _ok(client.get("/tentang/aturan/permen-14-2018"))
    assert len(re.findall(r"<tr><td>\d[a-z]</td>", html)) == 16
    assert "60–80" in html  # KB range (domain.md §4)
    assert client.get("/tentang/aturan/permen-99").status_code == 404


def test_map_image(client):
    r = client.get("/peta/gambar.png?tahun=2016&ukuran=proyektor")
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert Image.open(io.BytesIO(r.data)).size == (1920, 1080)
    assert client.get("/peta/gambar.png?ukuran=poster").status_code == 400


# --------------------------------------------------------------------------- API


def test_api_index_and_layers(client):
    j = client.get("/api").get_json()
    assert {d["layer"]: d["count"] for d in j["layers"]} == {
        "rt": 8, "wilayah": 2, "delineasi": 2, "infrastruktur": 2, "kolaborasi": 3,
    }  # fmt: skip
    fc = client.get("/api/layers/rt?tahun=2016").get_json()
    assert {f["id"]: f["properties"]["tingkat"] for f in fc["features"]} == LEVEL_2016
    b = rt_polygon_4326("K2-RT04").bounds
    inner = f"{b[0] + 1e-6},{b[1] + 1e-6},{b[2] - 1e-6},{b[3] - 1e-6}"
    fc = client.get(f"/api/layers/rt?bbox={inner}").get_json()
    assert [f["id"] for f in fc["features"]] == ["K2-RT04"]
    assert fc["features"][0]["properties"]["kelurahan"] == HOSTILE  # JSON carries the raw text
    fc = client.get("/api/layers/kolaborasi?tahun=2017&status=luar").get_json()
    assert [f["id"] for f in fc["features"]] == ["KLB-2"]
    fc = client.get("/api/layers/delineasi?no_sk=SK-2020").get_json()
    assert [f["id"] for f in fc["features"]] == ["KWS-01"]
    r = client.get("/api/layers/rt?limit=3&precision=4")
    assert r.get_json()["truncated"] is True and r.mimetype == "application/json"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/layers/jalan", 404),
        ("/api/tidak-ada", 404),
        ("/api/layers/rt?tahun=abc", 400),
        ("/api/layers/rt?tahun=1999", 400),
        ("/api/layers/rt?bbox=1,2,3", 400),
        ("/api/layers/kolaborasi?warna=biru", 400),
        ("/api/layers/rt?simplify=nan", 400),
        ("/api/rt/at?lon=110.95", 400),
        ("/api/tiles/rt/30/0/0.json", 400),
        ("/api/basemap", 404),
        ("/api/basemap/1/0/0", 404),
    ],
)
def test_api_errors_are_json(client, url, status):
    r = client.get(url)
    assert r.status_code == status and r.mimetype == "application/json"
    body = r.get_json()
    assert body["status"] == status and body["error"]


def test_api_tiles_rt_at_search(client):
    c = rt_polygon_4326("K1-RT01").centroid
    (z, x, y) = webmap.tiles_for_bounds((c.x, c.y, c.x, c.y), 16)[0]
    r = client.get(f"/api/tiles/rt/{z}/{x}/{y}.json?tahun=2016")
    tile = r.get_json()
    assert r.status_code == 200 and tile["n"] >= 4 and tile["tahun"] == 2016
    assert "KB" in {e["lv"] for e in tile["levels"]}
    again = client.get(
        f"/api/tiles/rt/{z}/{x}/{y}.json?tahun=2016", headers={"If-None-Match": r.headers["ETag"]}
    )
    assert again.status_code == 304
    j = client.get(f"/api/rt/at?lon={c.x}&lat={c.y}&tahun=2016").get_json()
    assert j["rt"]["kode_rt"] == "K1-RT01" and j["rt"]["tingkat"] == "KB"
    assert client.get("/api/rt/at?lon=100&lat=0").get_json() == {"rt": None}
    hits = client.get("/api/search?q=uji satu").get_json()["results"]
    assert hits[0]["layer"] == "wilayah" and hits[0]["id"] == "6202990001"
    assert client.get("/api/search?q=").get_json()["results"] == []


def test_api_ringkasan_and_kolaborasi(client):
    j = client.get("/api/ringkasan").get_json()
    assert j["tahun"] == [2016, 2017] and j["totals"]["luas_kumuh_awal_ha"] == pytest.approx(5.0)
    lv = {r["tahun"]: r for r in j["tingkat_per_tahun"]}
    assert lv[2017]["luas_kr_ha"] == pytest.approx(2.0)
    j = client.get("/api/ringkasan?kel=6202990002").get_json()
    assert j["kelurahan"] == HOSTILE and j["target"] == []
    j = client.get("/api/kolaborasi?status=luar").get_json()
    assert j["classified"] and [r["kode_kegiatan"] for r in j["rows"]] == ["KLB-2"]
    assert j["per_tahun"][0]["nilai_rp_luar"] == pytest.approx(75_000_000)


def test_healthz_versions(client):
    j = client.get("/healthz").get_json()
    assert j["status"] == "ok"
    for key in ("kumuhgis", "geopandas", "shapely", "geos", "proj", "gdal", "folium", "flask"):
        assert re.match(r"\d", j["versions"][key]), key


def test_server_error_is_500_json_and_html(tmp_path):
    path = build_city(tmp_path / "rusak.gpkg")
    app = create_app({"STORE": str(path)})
    c = app.test_client()
    assert c.get("/api").status_code == 200
    path.write_bytes(b"bukan geopackage" * 100)  # the file breaks under the running app
    r = c.get("/api/layers/rt")
    assert r.status_code == 500 and r.get_json()["status"] == 500
    r = c.get("/ringkasan")
    assert (
        r.status_code == 500
        and r.mimetype == "text/html"
        and "Galat 500" in r.get_data(as_text=True)
    )


# --------------------------------------------------------------------------- downloads


@pytest.mark.parametrize("layer", ["wilayah", "rt", "delineasi", "infrastruktur", "kolaborasi"])
def test_download_spatial_layers(client, tmp_path, layer):
    n = {"wilayah": 2, "rt": 8, "delineasi": 2, "infrastruktur": 2, "kolaborasi": 3}[layer]
    r = client.get(f"/unduh/{layer}.gpkg")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    (tmp_path / "x.gpkg").write_bytes(r.data)
    frame = pyogrio.read_dataframe(tmp_path / "x.gpkg")
    assert len(frame) == n and frame.crs.to_epsg() == 4326
    fc = json.loads(client.get(f"/unduh/{layer}.geojson").data)
    assert len(fc["features"]) == n
    with zipfile.ZipFile(io.BytesIO(client.get(f"/unduh/{layer}.zip").data)) as zf:
        names = zf.namelist()
    assert any(n.endswith(".shp") for n in names) and any(n.endswith(".prj") for n in names)
    if layer in ("infrastruktur", "kolaborasi"):  # points and lines: one Shapefile per kind
        assert {f"{layer}_titik.shp", f"{layer}_garis.shp"} <= set(names)
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/unduh/{layer}.xlsx").data), read_only=True)
    assert wb.active.max_row == n + 1
    text = client.get(f"/unduh/{layer}.csv").data.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == n + 1


def test_download_tables_reports_and_project(client, city):
    assert (
        openpyxl.load_workbook(io.BytesIO(client.get("/unduh/baseline.xlsx").data)).active.max_row
        == 10
    )
    assert client.get("/unduh/sk_kumuh.csv").data.decode("utf-8-sig").count("SK-20") == 3
    assert (
        client.get("/unduh/baseline.gpkg").status_code == 400
    )  # attribute table: no geometry formats
    for name in ("skor", "pengurangan", "kolaborasi_korkot", "verifikasi_sk"):
        r = client.get(f"/unduh/{name}.xlsx")
        assert r.status_code == 200, name
        assert len(openpyxl.load_workbook(io.BytesIO(r.data)).sheetnames) >= 1
    html = client.get("/unduh/peta.html").data.decode()
    assert webmap.external_urls(html) == [] and "KG.init(" in html
    with client.get("/unduh/proyek.gpkg") as r:
        assert r.data == Path(city).read_bytes()
    assert client.get("/unduh/rahasia.gpkg").status_code == 404
    assert client.get("/unduh/rt.exe").status_code == 400


# --------------------------------------------------------------------------- basemap


def test_basemap_from_mbtiles(city, tmp_path):
    path, png = write_mbtiles(tmp_path / "citra.mbtiles")
    c = create_app({"STORE": str(city), "BASEMAP": str(path)}).test_client()
    assert c.get("/api/basemap").get_json()["name"] == "Citra Kota"
    r = c.get("/api/basemap/2/3/2")
    assert r.status_code == 200 and r.data == png and r.mimetype == "image/png"
    r = c.get("/api/basemap/2/3/1")  # nothing there: a transparent tile, marked empty
    assert r.status_code == 200 and r.headers["X-Kumuhgis-Empty"] == "1"
    html = c.get("/peta").get_data(as_text=True)
    cfg = json.loads(re.search(r"KG\.init\(\w+, (\{.*?\}), \{", html, re.S).group(1))
    assert cfg["base_default"] == "local" and cfg["basemaps"] == {"local": "Citra Kota"}
    assert '"/api/basemap/{z}/{x}/{y}"' in html
    assert c.get("/peta?dasar=none").status_code == 200


# --------------------------------------------------------------------------- commands


def test_export_map_command(city, tmp_path, capsys):
    out = tmp_path / "usb" / "peta_kota.html"
    assert main(["export-map", str(city), "--out", str(out), "--tahun", "2016"]) == 0
    html = out.read_text("utf-8")
    assert webmap.external_urls(html) == [] and HOSTILE not in html
    cfg = json.loads(re.search(r"KG\.init\(\w+, (\{.*?\}), \{", html, re.S).group(1))
    assert cfg["year"] == 2016 and cfg["mode"] == "embedded"
    assert main(["export-map", str(city), "--out", str(tmp_path / "peta.pdf")]) == 2
    assert main(["export-map", str(tmp_path / "tidak_ada.gpkg"), "--out", str(out)]) == 2
    assert main(["export-map", str(city), "--out", str(out), "--tahun", "1999"]) == 2
    assert main(["serve", str(tmp_path / "tidak_ada.gpkg")]) == 2
    assert main(["serve", str(city), "--basemap", str(tmp_path / "foto.jpg")]) == 2
    capsys.readouterr()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_answers(city):
    """`kumuhgis serve STORE --port N` (the README's run command) serves the viewer."""
    port = _free_port()
    exe = Path(sys.executable).with_name("kumuhgis")
    proc = subprocess.Popen([str(exe), "serve", str(city), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                break
            except OSError:
                time.sleep(0.3)
        assert body is not None, (
            proc.stderr.read().decode() if proc.poll() is not None else "no answer"
        )
        assert body["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/peta", timeout=10) as r:
            assert b"KG.init(" in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
        proc.stderr.close()
