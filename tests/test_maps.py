"""kumuhgis.outputs.webmap: tile math, RT tiles, layer GeoJSON, search, offline assets, export,
map image and dashboard, on the tiny city of tests/_viewer_city.py (golden values from
hand calculation, see that module)."""

from __future__ import annotations

import base64
import io
import json
import math
import re

import folium
import numpy as np
import pytest
import shapely
from _viewer_city import HOSTILE, LEVEL_2016, LEVEL_2017, UTM, build_city, rt_polygon_4326
from folium import plugins
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs import dashboard, webmap
from kumuhgis.store import open_store
from kumuhgis.store.snapshot import load_snapshot

HALF = 20037508.342789244
TO_MERC = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
FROM_MERC = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return build_city(tmp_path_factory.mktemp("maps") / "kota_uji.gpkg")


@pytest.fixture(scope="module")
def data(city):
    return webmap.load_map_data(load_snapshot(open_store(city)))


# --------------------------------------------------------------------------- tile math


def test_tile_bounds_golden():
    # zoom 0 is the whole square world; zoom 1 tile x=1,y=0 is the north-east quarter
    assert webmap.tile_bounds(0, 0, 0) == pytest.approx((-HALF, -HALF, HALF, HALF))
    assert webmap.tile_bounds(1, 1, 0) == pytest.approx((0.0, 0.0, HALF, HALF), abs=1e-6)
    # tile width at zoom 17 = 2 × 20037508.34 / 131072 = 305.748 m
    b = webmap.tile_bounds(17, 0, 0)
    assert b[2] - b[0] == pytest.approx(305.7481131407, rel=1e-12)


@pytest.mark.parametrize("bad", [(-1, 0, 0), (23, 0, 0), (2, 4, 0), (2, 0, -1)])
def test_tile_out_of_range_is_usage_error(bad):
    with pytest.raises(UsageError):
        webmap.tile_bounds(*bad)


@settings(max_examples=60, deadline=None)
@given(lon=st.floats(94.0, 142.0), lat=st.floats(-11.5, 6.5))
def test_mercator_matches_proj_and_round_trips(lon, lat):
    x, y = webmap.lonlat_to_mercator(lon, lat)
    ex, ey = TO_MERC.transform(lon, lat)
    assert float(x) == pytest.approx(ex, abs=1e-6)
    assert float(y) == pytest.approx(ey, abs=1e-6)
    lon2, lat2 = webmap.mercator_to_lonlat(x, y)
    assert float(lon2) == pytest.approx(lon, abs=1e-9)
    assert float(lat2) == pytest.approx(lat, abs=1e-9)


def test_tiles_for_bounds():
    assert webmap.tiles_for_bounds((112.9, -2.6, 113.0, -2.5), 0) == [(0, 0, 0)]
    # at zoom 1 Indonesia (east of 0°, mostly south) straddles the equator: tiles (1,1,0) and (1,1,1)
    assert webmap.tiles_for_bounds((95.0, -11.0, 141.0, 6.0), 1) == [(1, 1, 0), (1, 1, 1)]
    # a point-sized box gives exactly the tile holding it
    x, y = TO_MERC.transform(112.95, -2.54)
    z = 15
    w = 2 * HALF / 2**z
    expected = (z, int((x + HALF) // w), int((HALF - y) // w))
    assert webmap.tiles_for_bounds((112.95, -2.54, 112.95, -2.54), z) == [expected]


# --------------------------------------------------------------------------- RT tiles


def _decode_rings(entry, tile, q):
    """Rings of a tile entry back to EPSG:4326 polygons (with pyproj, not kumuhgis.outputs.webmap)."""
    z, x, y = tile
    w = 2 * HALF / 2**z
    minx, maxy = -HALF + x * w, HALF - y * w
    px = w / 256
    xy = np.asarray(entry["xy"], dtype=float).reshape(-1, 2)
    rings, k = [], 0
    for n in entry["rings"]:
        pts = np.cumsum(xy[k : k + n], axis=0)  # first point absolute, then differences
        k += n
        mx = minx + pts[:, 0] / q * px
        my = maxy - pts[:, 1] / q * px
        lon, lat = FROM_MERC.transform(mx, my)
        rings.append(np.column_stack([lon, lat]))
    return rings, px


def _tile_of(lon, lat, z):
    return webmap.tiles_for_bounds((lon, lat, lon, lat), z)[0]


def _rt_centre(data):
    b = data.rt.total_bounds
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def test_rt_tile_polygon_matches_the_rt_within_a_quarter_pixel(data):
    poly = rt_polygon_4326("K1-RT03")  # KR in 2016: the only KR RT
    c = poly.representative_point()
    tile = _tile_of(c.x, c.y, 18)
    out = webmap.rt_tile(data, *tile, year=2016)
    kr = [e for e in out["levels"] if e["lv"] == "KR"]
    assert len(kr) == 1 and len(kr[0]["rings"]) == 1 and out["raster"] is None
    rings, px = _decode_rings(kr[0], tile, out["q"])
    decoded = shapely.Polygon(rings[0])
    # compare in metres (UTM) with the RT clipped to the tile (plus its 4-pixel margin)
    tb = webmap.tile_bounds(*tile)
    margin = 4 * px
    lo = FROM_MERC.transform(tb[0] - margin, tb[1] - margin)
    hi = FROM_MERC.transform(tb[2] + margin, tb[3] + margin)
    expected = shapely.clip_by_rect(poly, lo[0], lo[1], hi[0], hi[1])

    def to_m(g):
        return shapely.transform(g, lambda c: np.column_stack(TO_UTM.transform(c[:, 0], c[:, 1])))

    ground_px = px * math.cos(math.radians(c.y))
    assert shapely.hausdorff_distance(to_m(decoded), to_m(expected)) < 0.75 * ground_px


def test_rt_tile_levels_follow_the_year(data):
    tile = _tile_of(*_rt_centre(data), 15)  # every RT is ~20 px wide here
    for year, golden in ((2016, LEVEL_2016), (2017, LEVEL_2017)):
        out = webmap.rt_tile(data, *tile, year=year)
        assert out["n"] == 8 and out["tahun"] == year
        got = {e["lv"]: len(e["rings"]) for e in out["levels"]}
        want: dict[str, int] = {}
        for lv in golden.values():
            want[lv] = want.get(lv, 0) + 1
        assert got == want
        assert out["raster"] is None


def _raster_counts(out) -> dict[str, int]:
    """Painted pixels of a tile's raster, per level (by colour)."""
    from PIL import Image

    img = Image.open(io.BytesIO(base64.b64decode(out["raster"]))).convert("RGBA")
    rgba = np.asarray(img).reshape(-1, 4)
    colours = {webmap.LEVEL_COLORS[lv]: lv for lv in ("KB", "KS", "KR", "TK")}
    got: dict[str, int] = {}
    for r, g, b, _ in rgba[rgba[:, 3] > 0]:
        lv = colours[f"#{r:02x}{g:02x}{b:02x}"]
        got[lv] = got.get(lv, 0) + 1
    return got


def test_rt_tile_small_rts_are_burnt_into_a_raster(data):
    # zoom 14: 9.54 m per pixel at 2.54° S (156543.03 / 2^14 × cos 2.54°), so a 100 m RT
    # is 10.5 px: polygons; at zoom 15 it is 21 px; at zoom 13, 5.2 px: raster pixels
    tile = _tile_of(*_rt_centre(data), 13)
    out = webmap.rt_tile(data, *tile, year=2016)
    assert out["n"] == 8 and out["levels"] == []
    got = _raster_counts(out)
    side = 100.0 / (156543.03392804097 / 2**13 * math.cos(math.radians(2.54)))  # 5.24 px
    per_rt = side**2  # 27.4 pixel centres per RT on average
    # KB, KS: 2 RTs each; KR: 1; TK: 3 (LEVEL_2016), within a pixel row/column per RT
    for lv, n in {"KB": 2, "KS": 2, "KR": 1, "TK": 3}.items():
        assert n * (side - 1) ** 2 <= got[lv] <= n * (side + 1) ** 2, (lv, got[lv], n * per_rt)
    assert sum(got.values()) == pytest.approx(8 * per_rt, rel=0.25)


def test_rt_tile_sub_pixel_rts_keep_a_pixel(data):
    # zoom 9: 305 m per pixel, the 8 RTs (400 m × 200 m) hold at most a few pixel centres;
    # every RT still marks the pixel under its centre, by majority per pixel
    tile = _tile_of(*_rt_centre(data), 9)
    out = webmap.rt_tile(data, *tile, year=2016)
    got = _raster_counts(out)
    assert 1 <= sum(got.values()) <= 8 and set(got) <= {"KB", "KS", "KR", "TK"}


def test_rt_tile_outside_and_default_year(data):
    out = webmap.rt_tile(data, 3, 0, 0)
    assert out["n"] == 0 and out["levels"] == []
    assert out["tahun"] == 2017  # latest year by default
    with pytest.raises(UsageError):
        webmap.rt_tile(data, 15, 0, 0, year=1999)


def test_rt_tile_rings_are_oriented_for_nonzero_fill(tmp_path):
    """A donut RT with an island RT in its hole: hole and outer ring have opposite signs."""
    from _viewer_city import layers

    from kumuhgis.store import create_store

    lay = layers()
    rt = lay["rt"].iloc[:2].copy()
    outer = rt_polygon_4326("K1-RT01").buffer(0.002).exterior
    hole = rt_polygon_4326("K1-RT01").exterior
    rt.loc[rt.index[0], "geometry"] = shapely.Polygon(outer.coords, [hole.coords[::-1]])
    rt.loc[rt.index[1], "geometry"] = rt_polygon_4326("K1-RT01")
    path = create_store(tmp_path / "donut.gpkg", layers={"wilayah": lay["wilayah"], "rt": rt})
    d = webmap.load_map_data(load_snapshot(path))
    c = rt_polygon_4326("K1-RT01").centroid
    out = webmap.rt_tile(d, *_tile_of(c.x, c.y, 15))
    (entry,) = out["levels"]  # no baseline: one "no data" group
    assert entry["lv"] == "" and len(entry["rings"]) == 3
    xy = np.asarray(entry["xy"], dtype=float).reshape(-1, 2)
    signs, k = [], 0
    for n in entry["rings"]:
        p = np.cumsum(xy[k : k + n], axis=0)
        k += n
        signs.append(
            np.sign(np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1]))
        )
    # outer ring, its hole, the island: outer and island turn one way, the hole the other
    assert signs[0] == signs[2] != signs[1]


# --------------------------------------------------------------------------- layer GeoJSON


def _fc(text):
    fc = json.loads(text)
    assert fc["type"] == "FeatureCollection"
    return fc


def test_rt_geojson_levels_per_year(data):
    for year, golden in ((2016, LEVEL_2016), (2017, LEVEL_2017)):
        fc = _fc(webmap.layer_geojson(data, "rt", year=year))
        assert fc["count"] == 8 and fc["tahun"] == year
        assert {f["id"]: f["properties"]["tingkat"] for f in fc["features"]} == golden
    fc = _fc(webmap.layer_geojson(data, "rt", year=2016, filters={"kode_rt": "K1-RT01"}))
    (f,) = fc["features"]
    assert f["properties"]["total_nilai"] == 80 and f["properties"]["asal"] == "observed"
    assert f["properties"]["kelurahan"] == "Uji Satu"
    assert f["properties"]["nama_kawasan"] == "Kawasan Tepi Sungai"
    with pytest.raises(UsageError):
        webmap.layer_geojson(data, "rt", year=2030)


def test_geojson_bbox_and_attribute_filters(data):
    a = rt_polygon_4326("K1-RT01").union(rt_polygon_4326("K1-RT04")).bounds
    inner = (a[0] + 1e-6, a[1] + 1e-6, a[2] - 1e-6, a[3] - 1e-6)
    fc = _fc(webmap.layer_geojson(data, "rt", bbox=",".join(map(str, inner))))
    assert sorted(f["id"] for f in fc["features"]) == ["K1-RT01", "K1-RT02", "K1-RT03", "K1-RT04"]
    assert fc["bbox"] == pytest.approx(list(a), abs=2e-6)
    fc = _fc(webmap.layer_geojson(data, "kolaborasi", filters={"sumber_dana": "apbn"}))
    assert [f["id"] for f in fc["features"]] == ["KLB-1"]
    fc = _fc(webmap.layer_geojson(data, "kolaborasi", filters={"tahun": "2016,2017"}))
    assert fc["count"] == 3
    fc = _fc(webmap.layer_geojson(data, "infrastruktur", filters={"jenis": "sumur bor"}))
    assert [f["properties"]["ikon"] for f in fc["features"]] == ["sumur"]
    with pytest.raises(UsageError, match="tahun"):
        webmap.layer_geojson(data, "kolaborasi", filters={"tahun": "dua ribu"})
    with pytest.raises(UsageError, match="warna_favorit"):
        webmap.layer_geojson(data, "kolaborasi", filters={"warna_favorit": "biru"})
    with pytest.raises(UsageError):
        webmap.layer_geojson(data, "rt", bbox="1,2,3")
    with pytest.raises(UsageError):
        webmap.layer_geojson(data, "jalan")
    fc = _fc(webmap.layer_geojson(data, "kolaborasi", limit=1))
    assert fc["count"] == 1 and fc["truncated"] is True


def test_geojson_precision_and_simplify(data):
    fc = _fc(webmap.layer_geojson(data, "wilayah", precision=5))
    coords = re.findall(r"-?\d+\.\d+", json.dumps(fc["features"][0]["geometry"]))
    assert coords and all(len(c.split(".")[1]) <= 5 for c in coords)
    # a 200 m square has nothing to simplify away at 1 m: still 5 points
    fc = _fc(webmap.layer_geojson(data, "wilayah", simplify_m=1.0))
    assert len(fc["features"][0]["geometry"]["coordinates"][0]) == 5


def test_delineasi_by_sk_version(data):
    fc = _fc(webmap.layer_geojson(data, "delineasi", no_sk="SK-2020"))
    assert [f["id"] for f in fc["features"]] == ["KWS-01"]
    assert fc["features"][0]["properties"]["luas_sk_ha"] == 2.0
    fc = _fc(webmap.layer_geojson(data, "delineasi"))
    sk = {f["id"]: f["properties"]["no_sk"] for f in fc["features"]}
    assert sk == {"KWS-01": "SK-2020", "KWS-02": "SK-2016"}  # the latest SK listing each
    # 200 m × 100 m in UTM 6 km from the central meridian (scale 0.99960): 2.0016 ha on the ellipsoid
    area = {f["id"]: f["properties"]["luas_ha"] for f in fc["features"]}
    assert area["KWS-01"] == pytest.approx(2.0 / 0.9996**2, rel=5e-4)
    with pytest.raises(UsageError):
        webmap.layer_geojson(data, "delineasi", no_sk="SK-1999")


def test_kolaborasi_status_from_the_classification(data):
    fc = _fc(webmap.layer_geojson(data, "kolaborasi"))
    p = {f["id"]: f["properties"] for f in fc["features"]}
    assert data.kolaborasi_classified
    assert p["KLB-1"]["status"] == "dalam"
    assert p["KLB-3"]["status"] == "sebagian" and p["KLB-3"]["porsi_dalam"] == pytest.approx(0.5)
    assert p["KLB-2"]["status"] == "luar"
    # nearest corner of KWS-02 is (1700 m, 1900 m) away: √(1700² + 1900²) = 2549.51 m
    assert p["KLB-2"]["jarak_m"] == pytest.approx(math.hypot(1700, 1900), abs=0.5)
    assert p["KLB-2"]["nama_kegiatan"] == "Drainase jauh " + HOSTILE


def test_rt_at(data):
    c = rt_polygon_4326("K2-RT04").representative_point()
    hit = webmap.rt_at(data, c.x, c.y, year=2016)
    assert hit["kode_rt"] == "K2-RT04" and hit["tingkat"] == "KS" and hit["total_nilai"] == 48
    assert hit["kelurahan"] == HOSTILE
    assert webmap.rt_at(data, 100.0, 0.0) is None


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("query", "layer", "fid"),
    [
        ("uji satu", "wilayah", "6202990001"),
        ("Kel. Uji  Satu", "wilayah", "6202990001"),
        ("6202990002", "wilayah", "6202990002"),
        ("tepi sungai", "delineasi", "KWS-01"),
        ("kws-02", "delineasi", "KWS-02"),
        ("RT 3 RW 1 uji satu", "rt", "K1-RT03"),
        ("K2-RT04", "rt", "K2-RT04"),
        ("KLB-2", "kolaborasi", "KLB-2"),
    ],
)
def test_search_first_hit(data, query, layer, fid):
    hits = webmap.search(data, query)
    assert hits, query
    assert (hits[0]["layer"], hits[0]["id"]) == (layer, fid)
    w, s, e, n = hits[0]["bbox"]
    assert w <= e and s <= n


def test_search_finds_the_hostile_name_as_text_and_nothing_for_empty(data):
    hits = webmap.search(data, "img src")
    assert any(h["label"] == HOSTILE for h in hits)
    assert webmap.search(data, "   ") == []
    assert webmap.search(data, "tidak ada yang begini") == []


# --------------------------------------------------------------------------- assets


def test_localize_assets_maps_or_drops_every_folium_link():
    m = folium.Map(tiles=None)
    plugins.Fullscreen().add_to(m)
    webmap.localize_assets(m, lambda p: "/static/" + p)
    assert dict(m.default_js) == {"leaflet": "/static/vendor/leaflet-1.9.3/leaflet.js"}
    assert dict(m.default_css) == {"leaflet_css": "/static/vendor/leaflet-1.9.3/leaflet.css"}
    html = m.get_root().render()
    assert webmap.external_urls(html) == []
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert (webmap.static_dir() / path).is_file(), path


def test_unknown_cdn_link_is_refused():
    m = folium.Map(tiles=None)
    plugins.MarkerCluster().add_to(m)  # links cdnjs, which kumuhgis does not ship
    with pytest.raises(webmap.AssetError, match="markercluster"):
        webmap.localize_assets(m, lambda p: "/static/" + p)


def test_external_urls_finds_loads_not_links():
    html = (
        '<script src="https://cdn.example/a.js"></script><link rel="stylesheet" href="//cdn.example/b.css">'
        '<img src="http://tiles.example/1.png"><style>.x{background:url(https://img.example/c.png)}'
        '@import "https://css.example/d.css";</style><a href="https://leafletjs.com">Leaflet</a>'
        '<script src="/static/local.js"></script>'
    )
    assert webmap.external_urls(html) == [
        "//cdn.example/b.css",
        "http://tiles.example/1.png",
        "https://cdn.example/a.js",
        "https://css.example/d.css",
        "https://img.example/c.png",
    ]


def test_map_parts_use_local_assets(data):
    cfg = webmap.map_config(data, mode="served", urls={"layer": "/api/layers/__layer__"})
    m = webmap.build_map(data, config=cfg, asset_url=lambda p: "/static/" + p)
    parts = webmap.map_parts(m)
    assert '<script src="/static/vendor/leaflet-1.9.3/leaflet.js"></script>' in parts.header
    assert "/static/kumuhgis/map.js" in parts.header
    assert "KG.init(" in parts.script and HOSTILE not in parts.script
    assert webmap.external_urls(parts.header + parts.html) == []


def test_export_map_is_self_contained(data):
    html = webmap.export_map_html(data)
    assert webmap.external_urls(html) == []
    assert "kumuhgis-asset:" not in html and "/static/" not in html
    assert "L.Map" in html or "L.map" in html  # Leaflet itself is inside
    assert HOSTILE not in html  # only ever as escaped JSON text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "data:image/png;base64," in html  # leaflet.css images inlined
    cfg = json.loads(re.search(r"KG\.init\(\w+, (\{.*?\}), \{", html, re.S).group(1))
    assert cfg["mode"] == "embedded"
    assert cfg["data"]["rt"]["features"][0]["properties"]["levels"]["2016"][0] in {
        "KB",
        "KS",
        "KR",
        "TK",
    }
    assert len(html.encode()) < 3_000_000


# --------------------------------------------------------------------------- image, dashboard


def test_render_map_image_sizes_and_level_colours(data):
    from PIL import Image

    png = webmap.render_map_image(data, year=2016, size="proyektor")
    img = Image.open(io.BytesIO(png))
    assert img.size == (1920, 1080)
    rgb = np.asarray(img.convert("RGB")).reshape(-1, 3)
    kb = np.array([0xD7, 0x19, 0x1C])  # LEVEL_COLORS["KB"]
    assert (np.abs(rgb.astype(int) - kb).sum(axis=1) < 6).sum() > 1000  # two KB RTs drawn
    a3 = Image.open(io.BytesIO(webmap.render_map_image(data, size="a3")))
    assert a3.size == (3308, 2338)  # 16.54 × 11.69 in at 200 dpi (A3 landscape)
    with pytest.raises(UsageError):
        webmap.render_map_image(data, size="poster")


def test_dashboard_city_and_kelurahan(city):
    snap = load_snapshot(open_store(city))
    d = dashboard.dashboard(snap)
    assert (d.year_from, d.year_to) == (2016, 2017)
    lv = d.levels.set_index("tahun")
    # 2016: KB K1-RT01,K2-RT01; KS K1-RT02,K2-RT04; KR K1-RT03; TK three RTs; 1 ha each
    assert lv.loc[
        2016, ["luas_kb_ha", "luas_ks_ha", "luas_kr_ha", "luas_tk_ha"]
    ].tolist() == pytest.approx([2, 2, 1, 3])
    assert lv.loc[
        2017, ["luas_kb_ha", "luas_ks_ha", "luas_kr_ha", "luas_tk_ha"]
    ].tolist() == pytest.approx([1, 2, 2, 3])
    assert d.totals["luas_kumuh_awal_ha"] == pytest.approx(5.0)
    assert d.totals["pengurangan_luas_kumuh_ha"] == pytest.approx(0.0)
    # K1-RT01 goes from 100 % to 30 % in every criterion on 1 ha: 0.70 ha-equivalent for 1a
    p = d.parameter.set_index("kode")
    assert p.loc["1a", "pengurangan_ha_setara_ha"] == pytest.approx(0.70)
    assert d.target["target_kumulatif_ha"].dropna().tolist() == pytest.approx([1.0])
    k = dashboard.dashboard(snap, kode_kel="6202990002")
    assert k.kelurahan == HOSTILE
    assert k.totals["luas_kumuh_awal_ha"] == pytest.approx(2.0)  # K2-RT01 KB + K2-RT04 KS
    with pytest.raises(UsageError):
        dashboard.dashboard(snap, kode_kel="000")
    with pytest.raises(UsageError):
        dashboard.dashboard(snap, year_from=2017, year_to=2016)


def test_kolaborasi_list_for_the_korkot(data):
    res = dashboard.kolaborasi_list(data)
    # flagged: KLB-2 (luar, Rp 75 jt outside) before KLB-3 (sebagian, half of Rp 20 jt outside)
    assert res.rows["kode_kegiatan"].tolist() == ["KLB-2", "KLB-3"]
    assert res.rows["alasan_flag"].str.len().gt(0).all()
    t = res.by_tahun.set_index("tahun")
    assert t.loc[2017, "jumlah_kegiatan"] == 3
    assert t.loc[2017, "nilai_rp_luar"] == pytest.approx(75_000_000 + 10_000_000)
    assert dashboard.kolaborasi_list(data, status="luar").rows["kode_kegiatan"].tolist() == [
        "KLB-2"
    ]
    assert len(dashboard.kolaborasi_list(data, tahun=2016).rows) == 0
    assert len(dashboard.kolaborasi_list(data, flagged_only=False).rows) == 3
    assert dashboard.kolaborasi_list(data, sumber_dana="swasta/csr").rows[
        "kode_kegiatan"
    ].tolist() == ["KLB-2"]
    with pytest.raises(UsageError):
        dashboard.kolaborasi_list(data, status="entah")


def test_software_versions():
    v = dashboard.software_versions()
    for key in ("kumuhgis", "geopandas", "shapely", "geos", "proj", "gdal", "folium"):
        assert v[key] and v[key][0].isdigit(), key
    assert v["folium"] == folium.__version__
