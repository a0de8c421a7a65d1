"""A tiny synthetic city for the web viewer tests (test_maps, test_app, test_browser).

Two kelurahan side by side, each a 2 × 2 grid of 100 m × 100 m RTs (1 ha each), built in
UTM zone 49S (EPSG:32749, the zone of Sampit) and stored in EPSG:4326. The second
kelurahan is named ``<img src=x onerror=alert(1)>`` so every page and popup must show it
as text.

Levels are set by hand from domain.md §4: every criterion at the same percentage p gives
16 equal scores, so total = 16 × score(p): p = 100 → 80 (KB), p = 60 → 48 (KS),
p = 30 → 16 (KR), p = 0 → 0 (TK).

=========  =========  =====  ============  ===========================
kode_rt    kelurahan  p      2016 level    2017 (RT A1 observed again)
=========  =========  =====  ============  ===========================
K1-RT01    A          100    KB            p = 30 → KR
K1-RT02    A          60     KS            KS (derived, no work there)
K1-RT03    A          30     KR            KR
K1-RT04    A          0      TK            TK
K2-RT01    B          100    KB            KB
K2-RT02    B          0      TK            TK
K2-RT03    B          0      TK            TK
K2-RT04    B          60     KS            KS
=========  =========  =====  ============  ===========================

So luas kumuh 2016 = 5 ha (RTs not TK), 2017 = 5 ha (K1-RT01 moves KB → KR, still kumuh).
Kawasan KWS-01 = K1-RT01 + K1-RT02 (2 ha), KWS-02 = K2-RT01 (1 ha). SK "SK-2016" lists
both, SK "SK-2020" only KWS-01.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

HOSTILE = "<img src=x onerror=alert(1)>"
UTM = "EPSG:32749"
# south-west corner of kelurahan A, metres in UTM 49S (about 110.95 E, 2.54 S; 6 km west
# of the zone's central meridian 111 E, where the UTM scale factor is 0.99960)
X0, Y0 = 494_000.0, 9_719_000.0
RT_M = 100.0

_DENOMINATOR = {
    "1a": "jumlah_bangunan", "1b": "luas_ha", "1c": "jumlah_bangunan",
    "2a": "panjang_jalan_ideal_m", "2b": "panjang_jalan_ideal_m",
    "3a": "jumlah_kk", "3b": "jumlah_kk",
    "4a": "luas_ha", "4b": "panjang_drainase_ideal_m", "4c": "panjang_drainase_ideal_m",
    "5a": "jumlah_kk", "5b": "jumlah_kk", "6a": "jumlah_kk", "6b": "jumlah_kk",
    "7a": "jumlah_bangunan", "7b": "jumlah_bangunan",
}  # fmt: skip
HEADER = {
    "luas_ha": 1.0,
    "jumlah_bangunan": 100,
    "jumlah_penduduk": 400,
    "jumlah_kk": 100,
    "panjang_jalan_ideal_m": 1000.0,
    "panjang_drainase_ideal_m": 1000.0,
}
PERCENT_2016 = {
    "K1-RT01": 100, "K1-RT02": 60, "K1-RT03": 30, "K1-RT04": 0,
    "K2-RT01": 100, "K2-RT02": 0, "K2-RT03": 0, "K2-RT04": 60,
}  # fmt: skip
LEVEL_2016 = {
    "K1-RT01": "KB", "K1-RT02": "KS", "K1-RT03": "KR", "K1-RT04": "TK",
    "K2-RT01": "KB", "K2-RT02": "TK", "K2-RT03": "TK", "K2-RT04": "KS",
}  # fmt: skip
LEVEL_2017 = {**LEVEL_2016, "K1-RT01": "KR"}


def rt_box(kel: int, i: int) -> shapely.Polygon:
    """RT ``i`` (0..3, row-major from the south-west) of kelurahan ``kel`` (0 or 1), in UTM."""
    x = X0 + kel * 2 * RT_M + (i % 2) * RT_M
    y = Y0 + (i // 2) * RT_M
    return shapely.box(x, y, x + RT_M, y + RT_M)


def _to_4326(geoms) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geoms), crs=UTM).to_crs("EPSG:4326")


def baseline_row(kode_rt: str, tahun: int, p: float) -> dict:
    row = {"kode_rt": kode_rt, "tahun": tahun, **HEADER}
    for code, den in _DENOMINATOR.items():
        row[f"v_{code}"] = HEADER[den] * p / 100.0
    return row


def layers() -> dict[str, pd.DataFrame]:
    wilayah = gpd.GeoDataFrame(
        {
            "kode_kel": ["6202990001", "6202990002"],
            "kelurahan": ["Uji Satu", HOSTILE],
            "kecamatan": ["Kecamatan Uji", "Kecamatan Uji"],
            "kota": ["Kota Uji", "Kota Uji"],
        },
        geometry=_to_4326(
            [
                shapely.box(X0, Y0, X0 + 2 * RT_M, Y0 + 2 * RT_M),
                shapely.box(X0 + 2 * RT_M, Y0, X0 + 4 * RT_M, Y0 + 2 * RT_M),
            ]
        ),  # fmt: skip
    )
    codes, rts, rws, kels, geoms = [], [], [], [], []
    for kel in (0, 1):
        for i in range(4):
            codes.append(f"K{kel + 1}-RT0{i + 1}")
            rts.append(f"00{i + 1}")
            rws.append("001")
            kels.append(wilayah["kode_kel"].iloc[kel])
            geoms.append(rt_box(kel, i))
    rt = gpd.GeoDataFrame(
        {"kode_rt": codes, "rt": rts, "rw": rws, "kode_kel": kels}, geometry=_to_4326(geoms)
    )
    delineasi = gpd.GeoDataFrame(
        {
            "kode_kawasan": ["KWS-01", "KWS-02"],
            "nama_kawasan": ["Kawasan Tepi Sungai", "Kawasan Pasar"],
            "kode_kel": ["6202990001", "6202990002"],
            "tahun": [2016, 2016],
        },
        geometry=_to_4326([shapely.union(rt_box(0, 0), rt_box(0, 1)), rt_box(1, 0)]),
    )
    sk = pd.DataFrame(
        {
            "no_sk": ["SK-2016", "SK-2016", "SK-2020"],
            "tanggal_sk": ["2016-08-01", "2016-08-01", "2020-03-01"],
            "kode_kawasan": ["KWS-01", "KWS-02", "KWS-01"],
            "nama_lokasi": ["Kawasan Tepi Sungai", "Kawasan Pasar", "Kawasan Tepi Sungai"],
            "kelurahan": ["Uji Satu", HOSTILE, "Uji Satu"],
            "kecamatan": ["Kecamatan Uji"] * 3,
            "luas_sk_ha": [2.0, 1.0, 2.0],
            "kode_rt": ["K1-RT01;K1-RT02", "K2-RT01", "K1-RT01;K1-RT02"],
        }
    )
    rows = [baseline_row(code, 2016, p) for code, p in PERCENT_2016.items()]
    rows.append(baseline_row("K1-RT01", 2017, 30))
    baseline = pd.DataFrame(rows)
    c = rt_box(0, 0).centroid
    infra = gpd.GeoDataFrame(
        {
            "kode_infra": ["INF-1", "INF-2"],
            "jenis": ["sumur bor", "jalan lingkungan"],
            "kriteria": ["3a", "2a"],
            "tahun": [2016, 2016],
            "sumber_dana": ["APBN", "APBD Kab/Kota"],
            "kondisi": ["baik", "baik"],
        },
        geometry=_to_4326(
            [
                shapely.Point(c.x + 10, c.y + 10),
                shapely.LineString([(X0 + 20, Y0 + 150), (X0 + 180, Y0 + 150)]),
            ]
        ),  # fmt: skip
    )
    kolab = gpd.GeoDataFrame(
        {
            "kode_kegiatan": ["KLB-1", "KLB-2", "KLB-3"],
            "nama_kegiatan": ["Sumur bor RT 01", "Drainase jauh " + HOSTILE, "Jalan lintas batas"],
            "tahun": [2017, 2017, 2017],
            "sumber_dana": ["APBN", "Swasta/CSR", "APBD Kab/Kota"],
            "nilai_rp": [50_000_000.0, 75_000_000.0, 20_000_000.0],
            "kriteria": ["3a", "4b", "2a"],
            "volume": [0.0, 10.0, 20.0],
            "satuan": ["KK", "m", "m"],
        },
        geometry=_to_4326([
            shapely.Point(X0 + 60, Y0 + 40),  # inside KWS-01 (K1-RT01)
            shapely.Point(X0 + 2000, Y0 + 2000),  # 1.8 km away: luar
            shapely.LineString([(X0 + 150, Y0 + 50), (X0 + 150, Y0 + 150)]),  # half inside KWS-01
        ]),
    )  # fmt: skip
    return {
        "wilayah": wilayah,
        "rt": rt,
        "delineasi": delineasi,
        "sk_kumuh": sk,
        "baseline": baseline,
        "infrastruktur": infra,
        "kolaborasi": kolab,
    }


def build_city(path: Path) -> Path:
    """Write the test city to ``path`` (a new GeoPackage project)."""
    from kumuhgis.store import create_store

    settings = {"kota": "Kota Uji", "target_pengurangan_ha": {2017: 1.0}}
    create_store(path, kota="Kota Uji", settings=settings, layers=layers(), command="test city")
    return path


def rt_polygon_4326(kode_rt: str):
    """The RT polygon of the fixture in EPSG:4326 (from the same construction)."""
    kel = int(kode_rt[1]) - 1
    i = int(kode_rt[-1]) - 1
    return _to_4326([rt_box(kel, i)]).iloc[0]


__all__ = [
    "HOSTILE",
    "LEVEL_2016",
    "LEVEL_2017",
    "build_city",
    "layers",
    "rt_box",
    "rt_polygon_4326",
    "UTM",
]


def write_orthophoto(path: Path, *, overviews=(2, 4, 8)) -> Path:
    """A 600 m × 400 m RGB GeoTIFF at 0.5 m in UTM 49S around the city: grey, with the RT
    K1-RT03 painted red (pixels whose centre lies in the RT), with average overviews."""
    import numpy as np
    import rasterio
    from affine import Affine
    from rasterio.enums import Resampling

    w, h, res = 1200, 800, 0.5
    x0, y1 = X0 - 100, Y0 + 300
    cols = x0 + (np.arange(w) + 0.5) * res
    rows = y1 - (np.arange(h) + 0.5) * res
    b = rt_box(0, 2).bounds
    inside = ((cols >= b[0]) & (cols < b[2]))[None, :] & ((rows >= b[1]) & (rows < b[3]))[:, None]
    data = np.full((3, h, w), 128, dtype=np.uint8)
    for band, value in enumerate((255, 0, 0)):
        data[band][inside] = value
    profile = dict(driver="GTiff", width=w, height=h, count=3, dtype="uint8", crs=UTM,
                   transform=Affine(res, 0, x0, 0, -res, y1), tiled=True, blockxsize=256,
                   blockysize=256, compress="deflate")  # fmt: skip
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(data)
        if overviews:
            ds.build_overviews(list(overviews), Resampling.average)
    return path


def write_mbtiles(path: Path, *, fmt: str = "png", meta: bool = True) -> tuple[Path, bytes]:
    """An MBTiles file with one blue PNG tile at XYZ 2/3/2 (TMS row 2^2 − 1 − 2 = 1)."""
    import io
    import sqlite3

    from PIL import Image

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
    )
    if meta:
        con.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "Citra Kota"), ("format", fmt),
                        ("bounds", "110.9,-2.6,111.0,-2.5"), ("minzoom", "1"), ("maxzoom", "2"),
                        ("attribution", "Dinas PUPR")])  # fmt: skip
    else:
        con.execute("INSERT INTO metadata VALUES ('format', ?)", (fmt,))
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (0, 128, 255)).save(buf, format="PNG")
    con.execute("INSERT INTO tiles VALUES (2, 3, 1, ?)", (buf.getvalue(),))
    con.commit()
    con.close()
    return path, buf.getvalue()
