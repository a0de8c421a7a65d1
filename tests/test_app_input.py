"""Hostile query strings against every route of the viewer (issue 13 item 5): a bad value is
a 400 with a message in Bahasa Indonesia and English (JSON under /api and /healthz, the
error page elsewhere), never a 500, never silently ignored; ``/healthz`` says 503 and why
when the project cannot be read.

The routes come from ``app.url_map``, so a route added later is fuzzed too.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import pytest
import shapely.geometry
from _viewer_city import build_city, rt_polygon_4326, write_mbtiles
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app import create_app
from app.views.args import PARAMS
from kumuhgis.outputs import dashboard, webmap

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("masukan")
    city = build_city(tmp / "kota_uji.gpkg")
    basemap, _ = write_mbtiles(tmp / "citra.mbtiles")
    return create_app({"STORE": str(city), "BASEMAP": str(basemap), "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def _is_json_route(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/healthz"


def _error_message(resp) -> str:
    """The message of an error answer, checked to come in the route's form."""
    path = resp.request.path
    if path == "/ogc" or path.startswith("/ogc/"):  # OGC API exception: {"code", "description"}
        assert resp.mimetype == "application/json", path
        body = resp.get_json()
        assert body["code"] in ("InvalidParameterValue", "NotFound"), body
        return body["description"]
    if _is_json_route(path):
        assert resp.mimetype == "application/json", path
        body = resp.get_json()
        assert body["status"] == resp.status_code
        return body["error"]
    assert resp.mimetype == "text/html", path
    html = resp.get_data(as_text=True)
    assert f"Galat {resp.status_code}" in html or f"Error {resp.status_code}" in html
    return html_lib.unescape(re.search(r'id="error-message">(.*?)</p>', html, re.S).group(1))


def _assert_bilingual_400(resp, *, fragment: str = "") -> str:
    assert resp.status_code == 400, (resp.request.url, resp.get_data(as_text=True)[:300])
    message = _error_message(resp)
    # "<Bahasa Indonesia> / <English>" (conventions.md "Errors")
    assert " / " in message and message.split(" / ")[0].strip(), message
    assert fragment in message, message
    return message


# --------------------------------------------------------------------------- known bad cases

KNOWN_BAD = [
    # the holes of issue 13: 500, coordinates rounded away, a truncated page
    ("/api/layers/rt?simplify=-5", "simplify='-5' di luar 0–100000"),
    ("/api/layers/rt?precision=400", "precision='400' di luar 3–15"),
    ("/api/layers/rt?precision=-3", "precision='-3' di luar 3–15"),
    ("/api/layers/rt?limit=-1", "limit='-1' di luar 1–1000000"),
    # found while closing them
    ("/api/layers/kolaborasi?precision=99999999999999999999999", "outside 3–15"),
    ("/api/layers/rt?precision=1_000", "bukan bilangan bulat"),
    ("/api/layers/rt?limit=" + "9" * 5000, "di luar 1–1000000"),
    ("/api/layers/rt?limit=0", "limit='0' di luar"),
    ("/api/layers/wilayah?simplify=-1", "simplify='-1'"),
    ("/api/layers/rt?simplify=1e308", "di luar 0–100000"),
    ("/api/layers/rt?simplify=inf", "bukan angka"),
    ("/api/layers/rt?bbox=-200,-100,200,100", "di luar bujur -180–180, lintang -90–90"),
    ("/api/layers/rt?bbox=111,-2.5,110,-2.6", "bbox harus 'barat,selatan,timur,utara'"),
    ("/api/layers/rt?bbox=110,nan,111,-2.5", "bbox harus"),
    ("/api/layers/rt?tahun=2016&tahun=2017", "diberikan 2 kali"),
    ("/api/layers/rt?no_sk=SK-2016", "no_sk hanya untuk layer delineasi"),
    ("/api/layers/kolaborasi?nilai_rp=1e999", "bukan angka"),
    ("/api/layers/rt?lang=fr", "lang='fr': pilih id, en"),
    ("/api/search?q=uji&limit=-1", "limit='-1' di luar"),
    ("/api/search?q=" + "a" * 201, "lebih dari 200 karakter"),
    ("/api/rt/at?lon=1e308&lat=0", "lon='1e308' di luar -180–180"),
    ("/api/rt/at?lon=110.95&lat=-91", "lat='-91' di luar -90–90"),
    ("/api/kolaborasi?semua=mungkin", "semua='mungkin': pilih"),
    ("/api/kolaborasi?kel=6202999999", "kelurahan '6202999999' tidak ada"),
    ("/api/kolaborasi?tahun=1850", "tahun='1850' di luar 1900–2100"),
    ("/api/ringkasan?dari=1&sampai=99999999999999999999", "di luar 1900–2100"),
    ("/api?halaman=2", "parameter 'halaman' tidak dikenal"),
    ("/api/tiles/rt/16/0/0.json?tahun=2016&z=1", "parameter 'z' tidak dikenal"),
    ("/healthz?x=1", "parameter 'x' tidak dikenal"),
    ("/peta?pilih=rt:TIDAK-ADA", "rt 'TIDAK-ADA' tidak ada"),
    ("/peta?pilih=jalan", "pilih harus LAYER:KODE"),
    ("/peta?dasar=satelit", "dasar='satelit': pilih"),
    ("/peta?tahun=99999999999999999999", "di luar 1900–2100"),
    ("/peta/gambar.png?ukuran=A0", "ukuran gambar harus"),
    ("/kolaborasi?semua=2", "semua='2'"),
    ("/ringkasan?kel=&dari=2016&dari=2017", "diberikan 2 kali"),
    ("/verifikasi?no_sk=SK-9", "SK 'SK-9' tidak ada"),
    ("/unduh?format=csv", "parameter 'format' tidak dikenal"),
    ("/tentang?x=%00", "parameter 'x' tidak dikenal"),
]


@pytest.mark.parametrize(("url", "fragment"), KNOWN_BAD, ids=[u[:60] for u, _ in KNOWN_BAD])
def test_known_bad_values_are_400_bilingual(client, url, fragment):
    _assert_bilingual_400(client.get(url), fragment=fragment)


def test_values_at_the_ends_of_each_range_are_answered(client):
    """The ends of every range are valid requests (200), one step past them is a 400."""
    c = rt_polygon_4326("K1-RT01").centroid
    for url in (
        "/api/layers/rt?precision=3",
        "/api/layers/rt?precision=15",
        "/api/layers/wilayah?simplify=0",
        "/api/layers/wilayah?simplify=100000",
        "/api/layers/rt?limit=1",
        "/api/layers/rt?limit=1000000",
        "/api/layers/rt?bbox=-180,-90,180,90",
        "/api/rt/at?lon=180&lat=-90&tahun=2016",
        f"/api/rt/at?lon={c.x}&lat={c.y}&tahun=",
        "/api/kolaborasi?semua=tidak",
        "/api/search?q=uji&limit=1000000",
        "/peta?pilih=rt:K1-RT01&lang=en",
    ):
        assert client.get(url).status_code == 200, url
    for url in (
        "/api/layers/rt?precision=2",
        "/api/layers/rt?precision=16",
        "/api/layers/wilayah?simplify=100000.5",
        "/api/layers/rt?limit=1000001",
        "/api/layers/rt?bbox=-180.1,-90,180,90",
        "/api/rt/at?lon=180.1&lat=0",
    ):
        _assert_bilingual_400(client.get(url))


def test_precision_keeps_every_coordinate(client):
    """The coarsest precision still draws each RT (100 m) as a polygon, not a point."""
    fc = client.get("/api/layers/rt?precision=3").get_json()
    assert fc["count"] == 8
    for f in fc["features"]:
        assert shapely.geometry.shape(f["geometry"]).area > 0, f["id"]


def test_every_route_refuses_an_unknown_parameter(app, client):
    """Nothing is ignored silently: a parameter no route takes is a 400 on every route."""
    kode_rt = client.get("/api/layers/rt").get_json()["features"][0]["id"]
    for rule in _rules(app):
        if rule.endpoint in ("static", "ogc.unknown"):  # files; the OGC API's 404 for any path
            continue
        values = {a: _EXAMPLE_PATH_VALUE.get(a, "1") for a in rule.arguments}
        if rule.endpoint.startswith("ogc."):  # an existing collection and feature
            values.update(name="rt", feature_id=kode_rt, part="queryables")
        path = _build(rule, values)
        _assert_bilingual_400(client.get(path + "?tidak_dikenal=1"), fragment="tidak_dikenal")


def test_every_declared_parameter_is_documented():
    """app/README.md lists every parameter of app.views.args.PARAMS with its range."""
    readme = (ROOT / "app" / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Query parameters", 1)[1].split("\n## ", 1)[0]
    for name, p in PARAMS.items():
        row = re.search(rf"^\| `{name}` \|(.*)$", table, re.M)
        assert row, f"{name} is not in app/README.md 'Query parameters'"
        if p.low is not None:
            lo, hi = (str(int(v)) if float(v).is_integer() else str(v) for v in (p.low, p.high))
            assert lo in row.group(1).replace(" ", "") and hi in row.group(1).replace(" ", ""), (
                name,
                row.group(1),
            )
        for choice in p.choices:
            assert f"`{choice}`" in row.group(1), (name, choice)


# --------------------------------------------------------------------------- /healthz


# GDAL's warning on the plain SQLite file (which the answer then reports), not an error here
@pytest.mark.filterwarnings("ignore:GPKG. bad application_id:RuntimeWarning")
def test_healthz_503_when_the_project_cannot_be_read(tmp_path):
    """A copy of the project removed, replaced by a folder, overwritten, truncated or turned
    into a plain SQLite file while the app runs: 503 with the reason; back to 200 when the
    file is put back."""
    good = build_city(tmp_path / "asli.gpkg")
    path = tmp_path / "proyek.gpkg"
    shutil.copyfile(good, path)
    c = create_app({"STORE": str(path)}).test_client()

    def health(status: int, *reason: str) -> None:
        r = c.get("/healthz")
        assert r.status_code == status and r.mimetype == "application/json"
        body = r.get_json()
        assert body["status"] == ("ok" if status == 200 else "error")
        assert set(body["versions"]) >= {"kumuhgis", "gdal", "flask"}
        for text in reason:
            assert text in body["error"], body["error"]

    health(200)
    assert c.get("/api").status_code == 200  # the project is open and read
    data = path.read_bytes()

    path.unlink()
    health(503, "Proyek tidak ditemukan", "project not found", str(path))
    path.mkdir()
    health(503, "tidak bisa dibaca / cannot be read")
    path.rmdir()
    path.write_bytes(b"bukan geopackage" * 100)
    health(503, "tidak bisa dibaca / cannot be read")
    path.write_bytes(data[: len(data) // 2])
    health(503, str(path), " / ")
    path.unlink()
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE catatan (teks TEXT)")
    con.close()
    health(503, str(path), " / ")

    path.write_bytes(data)
    health(200)
    assert c.get("/api").status_code == 200


def test_healthz_finds_a_damaged_page_the_pages_do_not_read(tmp_path):
    """Damage deep in the file (a page no meta read touches) is found by SQLite's
    quick_check, once per version of the file."""
    path = build_city(tmp_path / "proyek.gpkg")
    c = create_app({"STORE": str(path)}).test_client()
    assert c.get("/healthz").status_code == 200
    data = bytearray(path.read_bytes())
    with sqlite3.connect(path) as con:
        page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    last = len(data) // page - 1  # the last page: a table's leaf, far from the schema
    data[last * page : (last + 1) * page] = b"\xff" * page
    path.write_bytes(bytes(data))
    r = c.get("/healthz")
    assert r.status_code == 503, r.get_json()
    assert " / " in r.get_json()["error"]


# --------------------------------------------------------------------------- fuzzing

_EXAMPLE_PATH_VALUE = {
    "layer": "rt",
    "name": "tingkat",
    "fmt": "csv",
    "z": 2,
    "x": 3,
    "y": 2,
    "filename": "kumuhgis/map.js",
}
_PATH_WORDS = (
    *webmap.LAYER_KEYS,
    *dashboard.DOWNLOAD_LAYERS,
    *dashboard.DOWNLOAD_REPORTS,
    "tingkat",
    "parameter",
    "target",
    "permen-14-2018",
    "csv",
    "xlsx",
    "geojson",
    "gpkg",
    "zip",
    "html",
    "kumuhgis/map.js",
    "../../pyproject.toml",
)
_WORDS = (
    "",
    " ",
    "0",
    "-0",
    "1",
    "-1",
    "3",
    "15",
    "16",
    "2016",
    "2017",
    "1999",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e999",
    "-1e999",
    "1_000",
    "0x10",
    "１２",
    "٣",
    "1,5",
    "abc",
    "%00",
    "\x00",
    "rt:K1-RT01",
    "kolaborasi:KLB-1",
    "SK-2016",
    "6202990001",
    "luar",
    "APBN",
    "ya",
    "en",
    "osm",
    "local",
    "a3",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE rt; --",
)


def _number_text():
    return st.one_of(
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=1890, max_value=2110).map(str),
    )


def _bbox_text():
    """Boxes around the test city in every order of their numbers, and any four floats."""
    valid = (110.94, -2.55, 110.96, -2.53)
    return st.one_of(
        st.permutations(valid).map(lambda v: ",".join(map(str, v))),
        st.lists(st.floats(), min_size=0, max_size=6).map(lambda v: ",".join(map(repr, v))),
    )


_HOSTILE = st.one_of(
    st.sampled_from(_WORDS),
    _number_text(),
    _bbox_text(),
    st.text(max_size=30),
    st.text(max_size=300).map(lambda s: s * 3),
)
_COLUMNS = ("kode_kel", "kode_rt", "tingkat", "status", "jenis", "nilai_rp", "luas_ha")
_NAME = st.one_of(st.sampled_from((*PARAMS, *_COLUMNS)), st.text(max_size=12))


# values the test project has (_viewer_city), so that valid requests reach the deeper code
_PROJECT = {
    "tahun": ("2016", "2017"),
    "dari": ("2016", "2017"),
    "sampai": ("2016", "2017"),
    "kel": ("6202990001", "6202990002"),
    "no_sk": ("SK-2016", "SK-2020"),
    "pilih": ("rt:K1-RT01", "kolaborasi:KLB-1", "infrastruktur:INF-2", "delineasi:KWS-01"),
    "q": ("uji", "RT 1 RW 1", "KWS", "KLB-2", "6202990002"),
    "status": ("dalam", "sebagian", "batas", "luar"),
    "sumber_dana": ("APBN", "Swasta/CSR"),
    "ukuran": ("proyektor",),  # a3 (200 dpi) is drawn only when _WORDS gives it
    "kode_kel": ("6202990001",),
    "tingkat": ("KB", "KS,KR"),
}


def _good(name: str) -> st.SearchStrategy:
    """Anything within the declared range of ``name`` (where the deeper code runs), and the
    test project's words."""
    p = PARAMS.get(name)
    project = st.sampled_from(_PROJECT.get(name, _WORDS))
    if p is None or p.kind == "text":
        return st.one_of(project, st.sampled_from(_WORDS))
    if p.kind == "int":
        good = st.integers(min_value=int(p.low), max_value=int(p.high)).map(str)
    elif p.kind == "float":
        good = st.floats(min_value=p.low, max_value=p.high).map(repr)
    elif p.kind == "bbox":
        good = _bbox_text()
    else:
        good = st.sampled_from(p.choices)
    return st.one_of(project, good, st.sampled_from(_WORDS))


def _query(accepted: tuple[str, ...]) -> st.SearchStrategy:
    """Query strings of up to four parameters: in-range values of the parameters the route
    takes; those mixed with hostile values and names; the same name twice."""
    name = st.one_of(st.sampled_from(accepted), _NAME) if accepted else _NAME
    hostile = name.flatmap(lambda n: st.tuples(st.just(n), st.one_of(_good(n), _HOSTILE)))
    kinds = [
        st.lists(hostile, max_size=4, unique_by=lambda kv: kv[0]),
        st.lists(hostile, max_size=4),
    ]
    if accepted:
        good = st.sampled_from(accepted).flatmap(lambda n: st.tuples(st.just(n), _good(n)))
        kinds.insert(0, st.lists(good, max_size=4, unique_by=lambda kv: kv[0]))
    return st.one_of(kinds)


def _rules(app) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if "GET" in r.methods),
        key=lambda r: (r.rule, r.endpoint),
    )


def _build(rule, values: dict) -> str:
    built = rule.build(values, append_unknown=False)
    assert built is not None, (rule.rule, values)
    return built[1]


_ARGUMENT = re.compile(r"<(?:(\w+(?:\([^)]*\))?):)?(\w+)>")


def _converters(rule) -> dict[str, str]:
    """Argument → converter name (``int``, ``path``, ``string`` ...) of a route."""
    return {arg: conv or "string" for conv, arg in _ARGUMENT.findall(rule.rule)}


_PATH_GOOD = {
    "layer": webmap.LAYER_KEYS,
    "name": ("tingkat", "parameter", "target", "permen-14-2018", "rt", "wilayah", "skor"),
    "fmt": ("csv", "geojson", "xlsx"),
}


def _path_value(arg: str, converter: str) -> st.SearchStrategy:
    if converter.startswith("any("):  # werkzeug's any(a, b): only those words route here
        return st.sampled_from([w.strip() for w in converter[4:-1].split(",")])
    if converter.split("(")[0] in ("int", "float"):
        return st.one_of(
            st.integers(min_value=0, max_value=25),
            st.integers(min_value=0, max_value=10**30),
        )
    return st.one_of(
        st.sampled_from(_PATH_GOOD.get(arg, _PATH_WORDS)),
        st.sampled_from(_PATH_WORDS),
        st.text(min_size=1, max_size=20),
    )


_RULES = _rules(create_app())  # nothing is read: the routes of the application


@pytest.mark.parametrize("rule", _RULES, ids=[f"{r.rule} [{r.endpoint}]" for r in _RULES])
@settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_parameters_never_500(app, client, rule, data):
    values = {
        arg: data.draw(_path_value(arg, conv), label=arg) for arg, conv in _converters(rule).items()
    }
    accepted = getattr(app.view_functions[rule.endpoint], "query_params", ())
    query = data.draw(_query(accepted), label="query")
    path = _build(rule, values)
    url = path + ("?" + urlencode(query) if query else "")
    resp = client.get(url)
    event(f"HTTP {resp.status_code}")  # --hypothesis-show-statistics: what the examples reached
    try:
        assert resp.status_code < 500, (url, resp.get_data(as_text=True)[:500])
        if resp.status_code == 400:
            _assert_bilingual_400(resp)
        if resp.status_code == 200 and resp.mimetype == "application/json":
            json.loads(resp.get_data(as_text=True), parse_constant=_no_constant)
    finally:
        resp.close()  # a file sent whole (the project download) is closed as a server would


def _no_constant(name: str):
    raise AssertionError(f"{name} in a JSON answer")
