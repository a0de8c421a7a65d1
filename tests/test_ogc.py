"""OGC API – Features at /ogc and the open downloads, checked with real clients.

GDAL's OAPIF driver (pyogrio's GDAL, and Debian's ``ogrinfo``/``ogr2ogr`` when installed)
reads the demo city from a real HTTP server in its own process and must get back every
collection with the store's rows, values and geometries; paging returns each feature once;
the OpenAPI document validates with openapi-spec-validator; downloads in six formats read
back with pyogrio/pandas equal to the store. Expected rows come from the store
(:func:`load_snapshot`) and the analysis entry points, never from the served JSON.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import urllib.parse
import urllib.request

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from _live_server import live_server

from app import create_app
from kumuhgis.analysis.city import classify_city, score_city
from kumuhgis.outputs.catalog import Catalog, make_collection
from kumuhgis.store import open_store
from kumuhgis.store.snapshot import load_snapshot

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
UTM49S = "http://www.opengis.net/def/crs/EPSG/0/9489"  # SRGI2013 / UTM zone 49S (Sampit)
LAYERS = ("wilayah", "rt", "delineasi", "sk_kumuh", "baseline", "infrastruktur", "kolaborasi")
DERIVED = ("skor_rt", "kolaborasi_status", "verifikasi_sk")


@pytest.fixture(scope="module")
def snapshot(demo_project):
    return load_snapshot(open_store(demo_project))


@pytest.fixture(scope="module")
def catalog(snapshot):
    return Catalog(snapshot)


@pytest.fixture(scope="module")
def server(demo_project):
    with live_server(demo_project) as url:
        yield url


@pytest.fixture(scope="module")
def client(demo_project):
    return create_app({"STORE": str(demo_project), "TESTING": True}).test_client()


def _get(url: str, accept: str = "application/json"):
    req = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, dict(r.headers), r.read()


# --------------------------------------------------------------------------- comparing


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v))


def _texts(series: pd.Series, *, empty_is_missing: bool = False) -> list:
    out = []
    for v in series.astype(object):
        if _missing(v) or (empty_is_missing and v == ""):
            out.append(None)
        elif isinstance(v, pd.Timestamp):
            out.append(v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat())
        else:
            out.append(str(v))
    return out


def _truth(v) -> bool:
    """A boolean as readers give it back: a bool, 0/1 (GDAL with nulls), "True"/"False"."""
    return bool(v) if isinstance(v, bool | int | float | np.number) else str(v).lower() == "true"


def assert_values_equal(got: pd.Series, want: pd.Series, kind: str, *, text_only=False):
    """Row by row: numbers exactly equal, text equal, missing equals missing (and, from a
    CSV, an empty cell); a date read back as a date equals its ISO text."""
    where = f"column {want.name!r}"
    assert len(got) == len(want), where
    if kind in ("integer", "number"):
        g = pd.to_numeric(got.replace("", np.nan) if text_only else got).to_numpy(dtype=float)
        w = want.to_numpy(dtype=float, na_value=np.nan)
        assert np.array_equal(g, w, equal_nan=True), where
    elif kind == "boolean":
        g = [
            None if _missing(v) or (text_only and v == "") else _truth(v)
            for v in got.astype(object)
        ]
        w = [None if _missing(v) else bool(v) for v in want.astype(object)]
        assert g == w, where
    else:
        assert _texts(got, empty_is_missing=text_only) == _texts(
            want, empty_is_missing=text_only
        ), where


def assert_geometry_equal(got, want, *, tolerance: float = 0.0, as_file: bool = False):
    """Same geometry type and vertices. ``as_file``: what a file format may do to a
    geometry without changing it: a single polygon stored as a one-part MultiPolygon
    (a GeoPackage layer has one type), rings rewound (RFC 7946 GeoJSON)."""
    got, want = list(got), list(want)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        if b is None or b.is_empty:
            assert a is None or a.is_empty, f"row {i}: expected no geometry"
            continue
        assert a is not None, f"row {i}: no geometry"
        if as_file:
            if a.geom_type == f"Multi{b.geom_type}" and len(a.geoms) == 1:
                a = a.geoms[0]
            a, b = shapely.normalize(a), shapely.normalize(b)
        assert a.geom_type == b.geom_type, f"row {i}: {a.geom_type} vs {b.geom_type}"
        assert shapely.equals_exact(a, b, tolerance=tolerance), f"row {i} differs"


def assert_frame_equal_to(
    got: pd.DataFrame, collection, *, tolerance=0.0, text_only=False, as_file=False
):
    want = collection.frame
    assert len(got) == len(want)
    for col, kind in collection.value_kinds.items():
        assert col in got.columns, f"{col} missing"
        assert_values_equal(got[col], want[col], kind, text_only=text_only)
    if collection.geometry is not None:
        if isinstance(got, gpd.GeoDataFrame):
            geoms = got.geometry
        else:  # CSV, XLSX: a WKT column
            geoms = shapely.from_wkt([w if isinstance(w, str) and w else None for w in got["wkt"]])
        assert_geometry_equal(geoms, collection.geometry, tolerance=tolerance, as_file=as_file)


# --------------------------------------------------------------------------- GDAL


def test_gdal_lists_every_collection(server, catalog):
    layers = pyogrio.list_layers(f"OAPIF:{server}/ogc")
    assert [name for name, _ in layers] == [*LAYERS, *DERIVED] == list(catalog.names)
    kinds = dict(layers)
    assert kinds["rt"] == "MultiPolygon" and kinds["sk_kumuh"] in ("Unknown", None)


@pytest.mark.parametrize("name", [*LAYERS, *DERIVED])
def test_gdal_copies_every_feature_identical_to_the_store(server, catalog, name):
    got = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer=name)
    c = catalog.get(name)
    assert len(got) == len(c.frame) > 0
    assert got["id"].tolist() == c.ids.tolist()  # stable ids, in store order
    assert_frame_equal_to(got, c)
    if c.geometry is not None:
        assert got.crs.equals("OGC:CRS84") or got.crs.to_epsg() == 4326


def test_derived_collections_are_the_analysis_results(catalog, snapshot):
    """The derived rows are those of kumuhgis.analysis.city, keyed as documented."""
    scores = score_city(snapshot).scores
    skor = catalog.get("skor_rt")
    assert skor.ids.tolist() == [
        f"{k}_{t}" for k, t in zip(scores["kode_rt"], scores["tahun"], strict=True)
    ]
    assert skor.frame["tingkat"].tolist() == scores["tingkat"].tolist()
    rt_geom = dict(zip(snapshot.rt["kode_rt"], snapshot.rt.geometry, strict=True))
    assert all(
        g.equals(rt_geom[k])
        for k, g in zip(skor.frame["kode_rt"], skor.frame.geometry, strict=True)
    )
    status = catalog.get("kolaborasi_status")
    classified = classify_city(snapshot)
    assert status.frame["status_lokasi"].tolist() == classified["status_lokasi"].tolist()
    assert status.ids.tolist() == classified["kode_kegiatan"].tolist()
    flags = catalog.get("verifikasi_sk")
    assert set(flags.frame["flag"]) >= {"luas_mismatch", "rt_kumuh_di_luar_sk"}
    assert len(set(flags.ids)) == len(flags.ids)


@pytest.mark.skipif(
    shutil.which("ogr2ogr") is None,
    reason="ogr2ogr not installed (scripts/install_system.sh installs gdal-bin)",
)
def test_ogrinfo_and_ogr2ogr_command_line(server, catalog, tmp_path):
    """Debian's GDAL (another version than pyogrio's) lists the collections with ogrinfo
    and copies the ``rt`` collection with ogr2ogr."""
    out = subprocess.run(
        ["ogrinfo", "-ro", "-q", f"OAPIF:{server}/ogc"], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    listed = re.findall(r"^\s*\d+: (\w+)", out.stdout, re.M)
    assert listed == list(catalog.names)
    target = tmp_path / "rt.gpkg"
    done = subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{server}/ogc", "rt"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert_frame_equal_to(pyogrio.read_dataframe(target, layer="rt"), catalog.get("rt"))


def test_gdal_pages_through_a_collection_larger_than_a_page(server, catalog):
    c = catalog.get("skor_rt")
    got = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="skor_rt", PAGE_SIZE=97)
    assert len(c.frame) > 97 * 10
    assert got["id"].tolist() == c.ids.tolist() and got["id"].is_unique


def test_gdal_reads_the_city_utm_zone(server, catalog):
    got = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="delineasi", CRS="EPSG:9489")
    assert got.crs.to_epsg() == 9489
    want = gpd.GeoSeries(catalog.get("delineasi").geometry, crs=4326).to_crs(9489)
    assert_geometry_equal(got.geometry, want, tolerance=1e-6)


# --------------------------------------------------------------------------- paging


def _follow(url: str) -> tuple[list[str], list[int]]:
    ids, matched = [], []
    while url:
        _, headers, body = _get(url)
        doc = json.loads(body)
        assert headers["Content-Type"].startswith("application/geo+json")
        assert doc["numberReturned"] == len(doc["features"])
        matched.append(doc["numberMatched"])
        ids += [f["id"] for f in doc["features"]]
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
    return ids, matched


def test_paging_returns_each_feature_once(server, catalog):
    c = catalog.get("skor_rt")
    ids, matched = _follow(f"{server}/ogc/collections/skor_rt/items?limit=100")
    assert ids == c.ids.tolist() and len(set(ids)) == len(ids)
    assert set(matched) == {len(c.frame)} and len(matched) == -(-len(c.frame) // 100)
    # with a filter, the next links keep it
    box = "112.94,-2.55,112.96,-2.53"
    ids, matched = _follow(
        f"{server}/ogc/collections/skor_rt/items?limit=50&bbox={box}&datetime=2019"
    )
    want = c.frame[
        (c.frame["tahun"] == 2019) & c.frame.intersects(shapely.box(112.94, -2.55, 112.96, -2.53))
    ]
    assert set(matched) == {len(want)} and ids == [f"{k}_2019" for k in want["kode_rt"]]


def test_prev_links_and_limits(client):
    doc = client.get("/ogc/collections/rt/items?limit=100&offset=250").get_json()
    rels = {link["rel"]: link["href"] for link in doc["links"]}
    assert doc["numberReturned"] == 54 and "next" not in rels
    assert "offset=150" in rels["prev"] and "limit=100" in rels["prev"]
    assert client.get("/ogc/collections/rt/items").get_json()["numberReturned"] == 10
    assert client.get("/ogc/collections/rt/items?limit=99999").get_json()["numberReturned"] == 304
    empty = client.get("/ogc/collections/rt/items?offset=5000").get_json()
    assert (
        empty["numberReturned"] == 0 and empty["features"] == [] and empty["numberMatched"] == 304
    )


# --------------------------------------------------------------------------- filters and CRS


def test_filters_bbox_datetime_and_properties(client, catalog):
    k = catalog.get("kolaborasi").frame

    def ids(query):
        r = client.get(f"/ogc/collections/kolaborasi/items?limit=10000&{query}")
        assert r.status_code == 200, r.get_data(as_text=True)
        return [f["id"] for f in r.get_json()["features"]]

    assert ids("datetime=2019") == k.loc[k["tahun"] == 2019, "kode_kegiatan"].tolist()
    span = k.loc[k["tahun"].between(2018, 2019), "kode_kegiatan"].tolist()
    assert ids("datetime=2018-01-01T00:00:00Z/2019-12-31T23:59:59Z") == span
    assert ids("datetime=2018-03-01/2019-06-30") == span
    assert ids("datetime=../2017-12-31") == k.loc[k["tahun"] <= 2017, "kode_kegiatan"].tolist()
    assert (
        ids("sumber_dana=APBN&tahun=2019")
        == k.loc[(k["sumber_dana"] == "APBN") & (k["tahun"] == 2019), "kode_kegiatan"].tolist()
    )
    box = shapely.box(112.945, -2.55, 112.955, -2.54)
    inside = k.loc[k.intersects(box), "kode_kegiatan"].tolist()
    assert 0 < len(inside) < len(k)
    assert ids("bbox=112.945,-2.55,112.955,-2.54") == inside
    assert (
        ids("bbox=-2.55,112.945,-2.54,112.955&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326")
        == inside
    )
    utm = gpd.GeoSeries([box], crs=4326).to_crs(9489).total_bounds
    near = ids("bbox=" + ",".join(map(str, utm)) + f"&bbox-crs={UTM49S}")
    assert set(inside) <= set(near)  # the UTM box holds the degree box (it is a little larger)
    sk = catalog.get("sk_kumuh").frame
    r = client.get("/ogc/collections/sk_kumuh/items?limit=100&datetime=2020").get_json()
    assert r["numberMatched"] == int(sk["tanggal_sk"].str.startswith("2020").sum()) > 0


def test_output_crs_and_content_crs_header(client, catalog):
    c = catalog.get("rt")
    r = client.get(f"/ogc/collections/rt/items?limit=3&crs={UTM49S}")
    assert r.headers["Content-Crs"] == f"<{UTM49S}>"
    got = [shapely.geometry.shape(f["geometry"]) for f in r.get_json()["features"]]
    want = gpd.GeoSeries(c.geometry[:3], crs=4326).to_crs(9489)
    assert_geometry_equal(got, want, tolerance=1e-6)
    r = client.get("/ogc/collections/rt/items?limit=3&crs=EPSG:4326")  # latitude first
    first = r.get_json()["features"][0]["geometry"]["coordinates"][0][0][0]
    x, y = shapely.get_coordinates(c.geometry[0])[0]
    assert first == [y, x]
    assert client.get("/ogc/collections/rt/items?limit=1").headers["Content-Crs"] == f"<{CRS84}>"


def test_single_features_by_stable_id(client, catalog):
    for name in ("rt", "skor_rt", "verifikasi_sk", "sk_kumuh", "baseline"):
        c = catalog.get(name)
        fid = c.ids[-1]
        r = client.get(f"/ogc/collections/{name}/items/{urllib.parse.quote(fid, safe='')}")
        assert r.status_code == 200 and r.mimetype == "application/geo+json", fid
        doc = r.get_json()
        assert doc["id"] == fid and any(link["rel"] == "self" for link in doc["links"])
    assert "/" in catalog.get("verifikasi_sk").ids[0]  # SK numbers hold slashes
    r = client.get("/ogc/collections/rt/items/tidak-ada")
    assert r.status_code == 404 and r.get_json()["code"] == "NotFound"


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "query",
    [
        "limit=0", "limit=abc", "limit=1.5", "offset=-1", "offset=x",
        "bbox=1,2,3", "bbox=a,b,c,d", "bbox=112,-2,113", "bbox=112,-2,113,-3", "bbox=200,-2,201,-1",
        "bbox=112,-3,113,-2&bbox-crs=EPSG:3857", "bbox=113,-3,112,-2&bbox-crs=EPSG:9489",
        "crs=EPSG:3857", "crs=bukan-crs", "datetime=kemarin", "datetime=2020/2019",
        "datetime=2019-13-45", "datetime=/", "tahun=dua-ribu", "nilai_rp=banyak",
        "tidak_ada=1", "limit=5&limit=6", "f=xml",
    ],
)  # fmt: skip
def test_bad_parameters_are_400_with_both_languages(client, query):
    r = client.get(f"/ogc/collections/kolaborasi/items?{query}")
    assert r.status_code == 400, query
    body = r.get_json()
    assert body["code"] == "InvalidParameterValue" and " / " in body["description"], body


def test_other_bad_requests(client):
    assert client.get("/ogc/collections/rt/items?datetime=2019").status_code == 400  # no time
    assert client.get("/ogc/collections/rt/items/x?crs=foo").status_code == 400
    assert client.get("/ogc/collections?limit=3").status_code == 400
    for path in ("/ogc/collections/jalan", "/ogc/collections/jalan/items", "/ogc/tidak/ada"):
        r = client.get(path)
        assert r.status_code == 404 and r.get_json()["code"] == "NotFound", path
    r = client.get("/ogc/collections/jalan", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_missing_project_is_503(tmp_path):
    r = (
        create_app({"STORE": str(tmp_path / "belum_ada.gpkg")})
        .test_client()
        .get("/ogc/collections")
    )
    assert r.status_code == 503 and "belum_ada.gpkg" in r.get_json()["description"]


# --------------------------------------------------------------------------- documents


def test_openapi_document_validates(client, catalog):
    from openapi_spec_validator import validate

    r = client.get("/ogc/api")
    assert (
        r.status_code == 200
        and r.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    )
    doc = json.loads(r.data)
    validate(doc)
    for name in catalog.names:
        params = doc["paths"][f"/collections/{name}/items"]["get"]["parameters"]
        assert {"$ref": "#/components/parameters/limit"} in params
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert limit["maximum"] == 10000 and limit["default"] == 10


def test_landing_conformance_collections(client, catalog):
    landing = client.get("/ogc").get_json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= rels
    conf = client.get("/ogc/conformance").get_json()["conformsTo"]
    for cls in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{cls}" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    cols = client.get("/ogc/collections").get_json()["collections"]
    assert [c["id"] for c in cols] == list(catalog.names)
    rt = next(c for c in cols if c["id"] == "rt")
    assert rt["crs"] == [CRS84, "http://www.opengis.net/def/crs/EPSG/0/4326", UTM49S]
    assert rt["storageCrs"] == CRS84
    assert rt["extent"]["spatial"]["bbox"][0] == list(catalog.get("rt").bbox)
    kol = next(c for c in cols if c["id"] == "kolaborasi")
    assert kol["extent"]["temporal"]["interval"] == [
        ["2017-01-01T00:00:00Z", "2020-12-31T23:59:59Z"]
    ]
    enclosures = [link["href"] for link in kol["links"] if link["rel"] == "enclosure"]
    assert [h.rsplit(".", 1)[1] for h in enclosures] == [
        "gpkg",
        "fgb",
        "parquet",
        "geojson",
        "csv",
        "xlsx",
    ]
    q = client.get("/ogc/collections/sk_kumuh/queryables").get_json()
    assert q["properties"]["tanggal_sk"] == {
        "title": "tanggal_sk",
        "type": "string",
        "format": "date",
    }
    assert q["properties"]["luas_sk_ha"]["type"] == "number"


_EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//(?!localhost[:/])""")


@pytest.mark.parametrize(
    "path",
    ["/ogc", "/ogc/conformance", "/ogc/api", "/ogc/collections", "/ogc/collections/rt",
     "/ogc/collections/kolaborasi/items?limit=5", "/ogc/collections/rt/items/6202051001-RW01-RT01",
     "/ogc/collections/skor_rt/queryables", "/unduh/data"],
)  # fmt: skip
def test_html_pages(client, path):
    r = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.mimetype == "text/html", path
    html = r.get_data(as_text=True)
    assert not _EXTERNAL.search(html), "the page must work offline"
    assert client.get(path + ("&" if "?" in path else "?") + "f=html").mimetype == "text/html"


def test_html_items_page_has_table_map_and_paging(client):
    html = client.get("/ogc/collections/kolaborasi/items?f=html&limit=5").get_data(as_text=True)
    assert html.count("<tr><td><a href=") == 5 and 'id="ogc-map"' in html and 'rel="next"' in html
    assert "leaflet-1.9.3/leaflet.js" in html


def test_unduh_page_api_index_and_download_list(client, catalog):
    assert 'href="/unduh/data"' in client.get("/unduh").get_data(as_text=True)
    listing = client.get("/api/data").get_json()
    assert [c["name"] for c in listing["collections"]] == list(catalog.names)
    assert listing["ogc"].endswith("/ogc")
    assert "</ogc>" in client.get("/api").headers["Link"]
    page = client.get("/unduh/data").get_data(as_text=True)
    for fmt in ("GeoPackage", "FlatGeobuf", "GeoParquet", "GeoJSON", "CSV", "XLSX"):
        assert page.count(f">{fmt}</a>") == len(catalog.names)


# --------------------------------------------------------------------------- downloads


def _read_back(fmt: str, body: bytes, tmp_path, spatial: bool) -> pd.DataFrame:
    path = tmp_path / f"unduhan.{fmt}"
    path.write_bytes(body)
    if fmt in ("gpkg", "fgb", "geojson"):
        return (
            pyogrio.read_dataframe(path)
            if spatial
            else pd.DataFrame(pyogrio.read_dataframe(path, read_geometry=False))
        )
    if fmt == "parquet":
        return gpd.read_parquet(path) if spatial else pd.read_parquet(path)
    if fmt == "csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return pd.read_excel(io.BytesIO(body), dtype=object, engine="openpyxl")


@pytest.mark.parametrize("fmt", ["gpkg", "fgb", "parquet", "geojson", "csv", "xlsx"])
@pytest.mark.parametrize("name", [*LAYERS, *DERIVED])
def test_downloads_read_back_equal_to_the_store(client, catalog, tmp_path, name, fmt):
    for url in (f"/unduh/data/{name}.{fmt}", f"/api/data/{name}.{fmt}"):
        r = client.get(url)
        assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"], url
    assert r.headers["Content-Disposition"].endswith(f"_{name}.{fmt}")
    c = catalog.get(name)
    got = _read_back(fmt, r.data, tmp_path, c.geometry is not None)
    if fmt == "fgb":  # FlatGeobuf's packed R-tree stores the rows in spatial order
        order = {fid: i for i, fid in enumerate(make_collection(c.spec, got).ids)}
        got = got.iloc[[order[fid] for fid in c.ids]].reset_index(drop=True)
    # GeoJSON (RFC 7946) and XLSX (WKT) keep 7 decimals of a degree, about 1 cm
    tolerance = 1e-7 if fmt in ("geojson", "xlsx") else 0.0
    assert_frame_equal_to(
        got, c, tolerance=tolerance, text_only=fmt in ("csv", "xlsx"), as_file=True
    )
    if fmt in ("gpkg", "fgb", "parquet") and c.geometry is not None:
        assert got.crs.to_epsg() == 4326


def test_download_errors(client):
    assert client.get("/unduh/data/jalan.gpkg").status_code == 404
    r = client.get("/api/data/rt.shp")
    assert r.status_code == 400 and " / " in r.get_json()["error"]
    wb = openpyxl.load_workbook(
        io.BytesIO(client.get("/unduh/data/skor_rt.xlsx").data), read_only=True
    )
    assert wb.active.title == "skor_rt"
