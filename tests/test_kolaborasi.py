"""Kolaborasi inside or outside the delineation (domain.md §7).

Geometry is drawn in metres in SRGI2013 / UTM zone 49S (EPSG:9489, around Sampit) and
stored in EPSG:4326 as a real project would; kumuhgis measures back in the same zone, so
the distances below are the hand-drawn ones (to a millimetre).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from kumuhgis.analysis import kolaborasi as K
from kumuhgis.analysis.city import classify_city
from kumuhgis.core.errors import CRSError, UsageError
from kumuhgis.core.sk import sk_in_force
from kumuhgis.core.snapshot import OVERRIDE_TABLE
from kumuhgis.ingest.project import set_override
from kumuhgis.store import create_store, open_store
from kumuhgis.store.snapshot import load_snapshot

UTM = "EPSG:9489"
X0, Y0 = 690_000.0, 9_719_000.0  # near Sampit (112.7°E, 2.5°S)


def sq(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def pt(x, y):
    return Point(X0 + x, Y0 + y)


def ln(*xy):
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def gdf(records: list[dict], crs=UTM) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(records, geometry="geometry", crs=crs).to_crs(4326)


def delineasi(**polys) -> gpd.GeoDataFrame:
    return gdf([
        {"kode_kawasan": c, "nama_kawasan": f"Kawasan {c}", "kode_kel": "1", "tahun": 2016, "geometry": p}
        for c, p in polys.items()
    ])  # fmt: skip


def works(*items) -> gpd.GeoDataFrame:
    """items: (kode, geometry, tahun, nilai_rp[, kriteria])"""
    rows = []
    for it in items:
        kode, geom, tahun, nilai = it[:4]
        rows.append({
            "kode_kegiatan": kode, "nama_kegiatan": f"Kegiatan {kode}", "tahun": tahun, "sumber_dana": "APBN",
            "nilai_rp": float(nilai), "kriteria": it[4] if len(it) > 4 else "4b", "volume": 10.0, "satuan": "m",
            "geometry": geom,
        })  # fmt: skip
    out = gdf(rows)
    out["tahun"] = out["tahun"].astype("Int64")
    return out


# Two adjacent kawasan sharing the edge x = 100, and a third one apart.
K1, K2, K3 = sq(0, 0, 100, 100), sq(100, 0, 200, 100), sq(400, 0, 500, 100)


def by_code(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("kode_kegiatan")


# --------------------------------------------------------------------------- statuses


def test_point_on_boundary_and_within_one_centimetre_is_inside():
    dl = delineasi(K1=K1, K3=K3)
    kol = works(
        ("on_edge", pt(100, 50), 2017, 1),  # on K1's east edge (reprojected twice)
        ("corner", pt(0, 0), 2017, 1),
        ("mm_out", pt(-0.005, 50), 2017, 1),  # 5 mm outside: reprojection rounding, inside
        ("cm2_out", pt(-0.02, 50), 2017, 1),  # 2 cm outside: outside, in the tolerance band
    )
    out = by_code(K.classify_kolaborasi(kol, dl))
    for k in ("on_edge", "corner", "mm_out"):
        assert out.at[k, "status_lokasi"] == "dalam", k
        assert out.at[k, "jarak_m"] == 0.0
        assert out.at[k, "porsi_dalam"] == 1.0
        assert out.at[k, "kode_kawasan"] == "K1"
    assert out.at["cm2_out", "status_lokasi"] == "batas"
    assert out.at["cm2_out", "jarak_m"] == pytest.approx(0.02, abs=1e-3)


def test_within_and_beyond_tolerance_with_distance_in_metres():
    dl = delineasi(K1=K1, K3=K3)
    kol = works(
        ("p9", pt(-9.5, 50), 2017, 1),  # 9.5 m west of K1
        ("p10", pt(50, 110.5), 2017, 1),  # 10.5 m north of K1
        ("far", pt(300, 50), 2017, 1),  # 100 m from K3 (x=400), 200 m from K1 (x=100)
        ("line_near", ln((-30, 20), (-30, 80)), 2017, 1),  # 30 m west of K1
        ("poly_near", sq(-8, 40, -3, 60), 2017, 1),  # 3 m west of K1
    )
    out = by_code(K.classify_kolaborasi(kol, dl, tolerance_m=10))
    assert out.at["p9", "status_lokasi"] == "batas"
    assert out.at["p9", "jarak_m"] == pytest.approx(9.5, abs=1e-3)
    assert out.at["p10", "status_lokasi"] == "luar"
    assert out.at["p10", "jarak_m"] == pytest.approx(10.5, abs=1e-3)
    assert out.at["far", "status_lokasi"] == "luar"
    assert out.at["far", "jarak_m"] == pytest.approx(100.0, abs=1e-3)
    assert out.at["far", "kode_kawasan"] == "K3"  # nearest kawasan
    assert out.at["line_near", "status_lokasi"] == "luar"
    assert out.at["line_near", "jarak_m"] == pytest.approx(30.0, abs=1e-3)
    assert out.at["poly_near", "status_lokasi"] == "batas"
    assert out.at["poly_near", "jarak_m"] == pytest.approx(3.0, abs=1e-3)
    assert (out.loc[["p9", "p10", "far", "line_near", "poly_near"], "porsi_dalam"] == 0).all()
    wider = by_code(K.classify_kolaborasi(kol, dl, tolerance_m=35))
    assert wider.at["p10", "status_lokasi"] == "batas"
    assert wider.at["line_near", "status_lokasi"] == "batas"
    assert wider.at["far", "status_lokasi"] == "luar"


def test_line_across_two_adjacent_kawasan_is_entirely_inside():
    dl = delineasi(K1=K1, K2=K2, K3=K3)
    kol = works(
        ("across", ln((20, 50), (180, 50)), 2017, 1),  # 80 m in K1, 80 m in K2
        ("mostly_k2", ln((90, 30), (190, 30)), 2017, 1),  # 10 m in K1, 90 m in K2
        ("along_edge", ln((100, 10), (100, 90)), 2017, 1),  # on the shared edge
    )
    out = by_code(K.classify_kolaborasi(kol, dl))
    for k in ("across", "mostly_k2", "along_edge"):
        assert out.at[k, "status_lokasi"] == "dalam", k
        assert out.at[k, "porsi_dalam"] == 1.0
        assert out.at[k, "jarak_m"] == 0.0
    assert out.at["mostly_k2", "kode_kawasan"] == "K2"  # the kawasan holding the largest part


def test_partly_inside_line_and_polygon_report_the_share():
    dl = delineasi(K1=K1, K2=K2, K3=K3)
    kol = works(
        # 10 × 10 m square with x from 195 to 205: 5 × 10 = 50 m² of 100 m² inside K2
        ("poly_half", sq(195, 40, 205, 50), 2017, 1),
        # 40 × 10 m rectangle, 16 m of its width inside K3: 0.4
        ("poly_04", sq(376, 40, 416, 50), 2017, 1),
        # line from x=-30 to x=50: 50 of 80 m inside = 0.625
        ("line", ln((-30, 50), (50, 50)), 2017, 1),
        # line leaving K2 and entering K3: 100 + 100 m inside of 300 m (x 200..400 outside is 200 m)
        ("bridge", ln((100, 50), (500, 50)), 2017, 1),
    )
    out = by_code(K.classify_kolaborasi(kol, dl))
    expect = {"poly_half": 0.5, "poly_04": 0.4, "line": 50 / 80, "bridge": 200 / 400}
    for k, share in expect.items():
        assert out.at[k, "status_lokasi"] == "sebagian", k
        assert out.at[k, "porsi_dalam"] == pytest.approx(share, abs=1e-6), k
        assert out.at[k, "jarak_m"] == 0.0
    assert out.at["poly_04", "kode_kawasan"] == "K3"


def test_line_digitised_along_the_boundary_within_a_centimetre_is_inside():
    # a road on the kawasan border, its vertices 4 mm outside (reprojection rounding)
    dl = delineasi(K1=K1, K3=K3)
    kol = works(
        ("road", ln((-0.004, 10), (-0.004, 90)), 2017, 1),
        ("road_3cm", ln((-0.03, 10), (-0.03, 90)), 2017, 1),
    )
    out = by_code(K.classify_kolaborasi(kol, dl))
    assert out.at["road", "status_lokasi"] == "dalam"
    assert out.at["road_3cm", "status_lokasi"] == "batas"
    assert out.at["road_3cm", "jarak_m"] == pytest.approx(0.03, abs=1e-3)


def test_sk_version_in_force_decides_the_delineation():
    dl = delineasi(K1=K1, K3=K3)
    sk = pd.DataFrame([
        {"no_sk": "SK-2016", "tanggal_sk": "2016-08-22", "kode_kawasan": "K1", "nama_lokasi": "a", "kelurahan": "x", "kecamatan": "y", "luas_sk_ha": 1.0},
        {"no_sk": "SK-2020", "tanggal_sk": "2020-03-16", "kode_kawasan": "K1", "nama_lokasi": "a", "kelurahan": "x", "kecamatan": "y", "luas_sk_ha": 1.0},
        {"no_sk": "SK-2020", "tanggal_sk": "2020-03-16", "kode_kawasan": "K3", "nama_lokasi": "b", "kelurahan": "x", "kecamatan": "y", "luas_sk_ha": 1.0},
    ])  # fmt: skip
    # the same spot inside K3, in four years
    kol = works(
        *[(f"k3_{y}", pt(450, 50), y, 1) for y in (2015, 2016, 2019, 2020)],
        ("k1_2015", pt(50, 50), 2015, 1),
    )
    out = by_code(K.classify_kolaborasi(kol, dl, sk_kumuh=sk))
    assert out.at["k3_2015", "no_sk"] == "SK-2016"  # before the first SK: the first one
    assert out.at["k3_2015", "status_lokasi"] == "luar"
    assert out.at["k3_2016", "status_lokasi"] == "luar"
    assert out.at["k3_2019", "status_lokasi"] == "luar"
    assert out.at["k3_2019", "jarak_m"] == pytest.approx(350.0, abs=1e-3)  # to K1 (x = 100)
    assert out.at["k3_2020", "no_sk"] == "SK-2020"
    assert out.at["k3_2020", "status_lokasi"] == "dalam"
    assert out.at["k3_2020", "kode_kawasan"] == "K3"
    assert out.at["k1_2015", "status_lokasi"] == "dalam"
    assert sk_in_force(sk, 2019) == "SK-2016"
    assert sk_in_force(sk, 2020) == "SK-2020"  # dated March 2020: in force that year
    assert sk_in_force(None, 2020) is None


def test_no_sk_means_every_polygon_counts_and_crs_is_required():
    dl = delineasi(K1=K1, K3=K3)
    kol = works(("in_k3", pt(450, 50), 2010, 1))
    out = K.classify_kolaborasi(kol, dl)
    assert out["status_lokasi"].tolist() == ["dalam"]
    assert out["no_sk"].isna().all()
    naked = kol.set_crs(None, allow_override=True)
    with pytest.raises(CRSError):
        K.classify_kolaborasi(naked, dl)
    with pytest.raises(UsageError):
        K.classify_kolaborasi(kol, dl, tolerance_m=-1)


def test_input_is_not_modified_and_index_and_crs_are_kept():
    dl = delineasi(K1=K1)
    kol = works(("a", pt(50, 50), 2017, 1), ("b", pt(150, 50), 2017, 2)).set_index(
        pd.Index([10, 20])
    )
    before = kol.copy()
    out = K.classify_kolaborasi(kol, dl)
    pd.testing.assert_frame_equal(kol, before)
    assert out.index.tolist() == [10, 20]
    assert out.crs == kol.crs
    assert list(out.columns[: len(kol.columns) - 1]) == [c for c in kol.columns if c != "geometry"]
    for c in K.OUTPUT_COLUMNS:
        assert c in out.columns


# --------------------------------------------------------------------------- RT, gap flag, rupiah


def _rt_layer():
    # four RTs of 100 × 100 m; RT1/RT2 make K1+K2, RT3 is K3, RT4 lies outside
    rows = []
    for code, poly in (("RT1", K1), ("RT2", K2), ("RT3", K3), ("RT4", sq(200, 0, 300, 100))):
        rows.append({"kode_rt": code, "rt": "1", "rw": "1", "kode_kel": "1", "geometry": poly})
    return gdf(rows)


def _conditions():
    base = {f"v_{c}": 1.0 for c in ("1a", "1b", "2a", "3a", "4b", "5a")}
    rows = [
        {"kode_rt": "RT1", "tahun": 2016, **base, "v_3a": 0.0},  # drinking water fine in RT1
        {"kode_rt": "RT2", "tahun": 2016, **base},
        {"kode_rt": "RT1", "tahun": 2018, **base, "v_3a": 0.0, "v_5a": 0.0},
    ]
    return pd.DataFrame(rows)


def test_kode_rt_and_criteria_that_are_no_gap_are_flagged():
    dl = delineasi(K1=K1, K2=K2, K3=K3)
    kol = works(
        ("rt1_3a", pt(50, 50), 2017, 100, "3a"),  # 3a = 0 in RT1 in 2016 → flag
        ("rt1_3a5a", pt(50, 50), 2017, 100, "3a;5a"),  # 5a is a gap → no flag
        ("rt1_5a_2019", pt(60, 50), 2019, 100, "5a"),  # 2018 survey: 5a = 0 → flag
        ("rt2_3a", pt(150, 50), 2017, 100, "3a"),  # RT2 has a 3a gap
        (
            "line",
            ln((20, 50), (180, 50)),
            2017,
            100,
            "4b",
        ),  # 80 m in RT1, 80 m in RT2: RT1 (lowest)
        ("mostly_rt2", ln((90, 30), (190, 30)), 2017, 100, "4b"),
        ("outside", pt(250, 50), 2017, 100, "3a"),  # in RT4, outside: no kode_rt, no flag
    )
    out = by_code(K.classify_kolaborasi(kol, dl, rt=_rt_layer(), conditions=_conditions()))
    assert out.at["rt1_3a", "kode_rt"] == "RT1"
    assert bool(out.at["rt1_3a", "flag_bukan_kebutuhan"]) is True
    assert out.at["rt1_3a", "kriteria_tanpa_gap"] == "3a"
    assert out.at["rt1_3a", "tahun_kondisi"] == 2016
    assert bool(out.at["rt1_3a5a", "flag_bukan_kebutuhan"]) is False
    assert out.at["rt1_3a5a", "kriteria_tanpa_gap"] == "3a"
    assert bool(out.at["rt1_5a_2019", "flag_bukan_kebutuhan"]) is True
    assert out.at["rt1_5a_2019", "tahun_kondisi"] == 2018
    assert bool(out.at["rt2_3a", "flag_bukan_kebutuhan"]) is False
    assert out.at["line", "kode_rt"] == "RT1"
    assert out.at["mostly_rt2", "kode_rt"] == "RT2"
    assert pd.isna(out.at["outside", "kode_rt"])
    assert out.at["outside", "kode_rt_lokasi"] == "RT4"
    assert pd.isna(out.at["outside", "flag_bukan_kebutuhan"])
    counted = K.kolaborasi_in_rt(kol, _rt_layer(), dl)
    # a line counts in every RT it crosses, by its length in each (domain.md §5):
    # "line" 80 m + 80 m → ½ and ½; "mostly_rt2" 10 m in RT1 (x 90–100), 90 m in RT2
    got = {(k, r): round(s, 9) for k, r, s in
           zip(counted["kode_kegiatan"], counted["kode_rt"], counted["porsi_rt"], strict=True)}  # fmt: skip
    assert got == {
        ("rt1_3a", "RT1"): 1.0, ("rt1_3a5a", "RT1"): 1.0, ("rt1_5a_2019", "RT1"): 1.0,
        ("rt2_3a", "RT2"): 1.0, ("line", "RT1"): 0.5, ("line", "RT2"): 0.5,
        ("mostly_rt2", "RT1"): 0.1, ("mostly_rt2", "RT2"): 0.9,
    }  # fmt: skip


def test_rupiah_inside_and_outside_by_year_source_kelurahan():
    dl = delineasi(K1=K1, K3=K3)
    kol = works(
        ("a", pt(50, 50), 2017, 100_000_000),  # dalam
        ("b", ln((-30, 50), (50, 50)), 2017, 80_000_000),  # sebagian, 50/80 inside
        ("c", pt(-5, 50), 2018, 40_000_000),  # batas
        ("d", pt(250, 50), 2018, 30_000_000),  # luar
    )
    kol.loc[kol["kode_kegiatan"] == "d", "sumber_dana"] = "DAK"
    out = K.classify_kolaborasi(kol, dl)
    by_year = K.summarize(out, "tahun").set_index("tahun")
    # 2017: 100 000 000 + 80 000 000 × 50/80 = 150 000 000 inside, 30 000 000 outside
    assert by_year.at[2017, "nilai_rp_dalam"] == pytest.approx(150_000_000)
    assert by_year.at[2017, "nilai_rp_luar"] == pytest.approx(30_000_000)
    assert by_year.at[2017, "jumlah_sebagian"] == 1
    # 2018: nothing inside; 40 000 000 of the 70 000 000 outside lies in the batas band
    assert by_year.at[2018, "nilai_rp_dalam"] == 0
    assert by_year.at[2018, "nilai_rp_luar"] == pytest.approx(70_000_000)
    assert by_year.at[2018, "nilai_rp_batas"] == pytest.approx(40_000_000)
    assert by_year.at[2018, "persen_rp_luar"] == 100.0
    by_source = K.summarize(out, "sumber_dana").set_index("sumber_dana")
    assert by_source.at["DAK", "jumlah_luar"] == 1
    assert by_source.at["APBN", "jumlah_kegiatan"] == 3
    by_kel = K.summarize(out, "kelurahan")
    assert by_kel["kelurahan"].tolist() == ["(tidak diketahui)"]  # no wilayah layer
    korkot = K.korkot_list(out)
    # sorted by rupiah outside: d 30 000 000 (luar), b 30 000 000 (sebagian; 80 M), c 40 000 000
    assert korkot["kode_kegiatan"].tolist() == ["c", "b", "d"]
    assert "a" not in korkot["kode_kegiatan"].tolist()
    assert korkot["alasan_flag"].str.len().min() > 0


# --------------------------------------------------------------------------- overrides


def _project(tmp_path, *, with_sk=False):
    dl = delineasi(K1=K1, K3=K3)
    kol = works(
        ("a", pt(50, 50), 2017, 100), ("b", pt(-5, 50), 2017, 50), ("c", pt(250, 50), 2018, 30)
    )
    layers = {"delineasi": dl, "kolaborasi": kol}
    return create_store(tmp_path / "p.gpkg", kota="Uji", layers=layers)


def test_override_is_persisted_audited_and_shown(tmp_path, monkeypatch):
    store = _project(tmp_path)
    monkeypatch.setenv("KUMUHGIS_USER", "korkot-uji")
    set_override(
        store,
        "b",
        "dalam",
        alasan="GPS meleset 5 m; saluran di dalam kawasan",
        command="uji override",
    )
    set_override(
        store, "c", "batas", alasan="sementara", oleh="Ani", waktu="2021-01-02T03:04:05+00:00"
    )
    set_override(store, "c", None, alasan="dicabut setelah cek lapangan", oleh="Ani")
    reopened = open_store(tmp_path / "p.gpkg")
    current = K.overrides_in_force(load_snapshot(reopened).override_history)
    assert current["kode_kegiatan"].tolist() == ["b"]
    assert current.iloc[0]["oleh"] == "korkot-uji"
    history = load_snapshot(reopened).override_history
    assert history["kode_kegiatan"].tolist() == ["b", "c", "c"]
    assert history.iloc[1]["waktu"] == "2021-01-02T03:04:05+00:00"
    audit = reopened.audit()
    rows = audit[audit["layer"] == OVERRIDE_TABLE]
    assert len(rows) == 3 and rows.iloc[0]["perintah"] == "uji override"
    out = by_code(classify_city(load_snapshot(reopened)))
    assert out.at["b", "status_lokasi"] == "batas"  # the computed status stays visible
    assert out.at["b", "status_manual"] == "dalam"
    assert out.at["b", "status_akhir"] == "dalam"
    assert out.at["b", "alasan_manual"].startswith("GPS meleset")
    assert out.at["b", "porsi_efektif"] == 1.0
    assert out.at["b", "nilai_rp_dalam"] == 50
    assert pd.isna(out.at["c", "status_manual"])  # withdrawn
    assert out.at["c", "status_akhir"] == "luar"
    korkot = K.korkot_list(out.reset_index())
    assert "b" in korkot["kode_kegiatan"].tolist()  # reviewed work stays visible
    assert "status diubah Korkot" in korkot.set_index("kode_kegiatan").at["b", "alasan_flag"]


def test_override_refuses_bad_input(tmp_path):
    store = _project(tmp_path)
    with pytest.raises(UsageError):
        set_override(store, "a", "kumuh", alasan="x")
    with pytest.raises(UsageError):
        set_override(store, "a", "luar", alasan="  ")
    with pytest.raises(UsageError):
        set_override(store, "zzz", "luar", alasan="x")
    assert load_snapshot(store).override_history.empty


def test_store_with_only_delineasi_and_kolaborasi(tmp_path):
    store = _project(tmp_path)
    assert sorted(store.layers()) == ["delineasi", "kolaborasi"]
    out = by_code(classify_city(load_snapshot(store), tolerance_m=10))
    assert out["status_lokasi"].to_dict() == {"a": "dalam", "b": "batas", "c": "luar"}
    assert out.at["c", "jarak_m"] == pytest.approx(150.0, abs=1e-3)
    assert out["kode_rt"].isna().all()


def test_tolerance_from_settings():
    assert K.tolerance_from_settings({}) == 10.0
    assert K.tolerance_from_settings({"kolaborasi": {"toleransi_m": 25}}) == 25.0
    with pytest.raises(UsageError):
        K.tolerance_from_settings({"kolaborasi": {"toleransi_m": "jauh"}})
