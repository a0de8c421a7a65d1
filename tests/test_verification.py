"""SK Kumuh verification (domain.md §6): every flag triggered by a small hand-drawn case.

The town, in metres in SRGI2013 / UTM 49S (EPSG:9489), stored in EPSG:4326::

    kelurahan A "Mentawa Baru Hulu" x 0–1000, B "Ketapang" x 1000–2000 (y 0–1000)
    RTs of 200 × 200 m = 4 ha: R1 [0,200]  R2 [200,400]  R3 [800,1000]  R4 [1000,1200]
    (all y 0–200), R5 [600,800]×[600,800], R6 [0,200]×[600,800], R7 [400,600]×[400,600]
    kawasan K1 = R1 ∪ R2 (8 ha), K2 = R3 ∪ R4 (8 ha, half of it in B), K3 = R7 (4 ha),
    K5 = [300,500]×[0,100] (2 ha, overlapping K1 by [300,400]×[0,100] = 1 ha); K4 has no polygon.

Planar UTM hectares differ from the ellipsoidal ones by the zone's scale (k² ≈ 1.0003 here),
so areas are compared to 0.01 ha.
"""

from __future__ import annotations

import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from kumuhgis.analysis import verification as V
from kumuhgis.analysis.city import verify_city
from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.verification_files import render_html, write_verification
from kumuhgis.store import open_store
from kumuhgis.store.snapshot import load_snapshot

UTM = "EPSG:9489"
X0, Y0 = 690_000.0, 9_719_000.0
A, B = "6202061001", "6202061003"
SK1, SK2 = "SK-1/HUK/2016", "SK-2/HUK/2020"


def sq(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def layer(rows):
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM).to_crs(4326)


RT_SQ = {
    "R1": ((0, 0, 200, 200), A), "R2": ((200, 0, 400, 200), A), "R3": ((800, 0, 1000, 200), A),
    "R4": ((1000, 0, 1200, 200), B), "R5": ((600, 600, 800, 800), A), "R6": ((0, 600, 200, 800), A),
    "R7": ((400, 400, 600, 600), A),
}  # fmt: skip


def town():
    wilayah = layer([
        {"kode_kel": A, "kelurahan": "Mentawa Baru Hulu", "kecamatan": "Mentawa Baru Ketapang", "kota": "Kab. Uji", "geometry": sq(0, 0, 1000, 1000)},
        {"kode_kel": B, "kelurahan": "Ketapang", "kecamatan": "Mentawa Baru Ketapang", "kota": "Kab. Uji", "geometry": sq(1000, 0, 2000, 1000)},
    ])  # fmt: skip
    rt = layer(
        [
            {"kode_rt": k, "rt": k[1:], "rw": "1", "kode_kel": kel, "geometry": sq(*xy)}
            for k, (xy, kel) in RT_SQ.items()
        ]
    )
    delineasi = layer([
        {"kode_kawasan": "K1", "nama_kawasan": "Satu", "kode_kel": A, "tahun": 2016, "geometry": sq(0, 0, 400, 200)},
        {"kode_kawasan": "K2", "nama_kawasan": "Dua", "kode_kel": A, "tahun": 2016, "geometry": sq(800, 0, 1200, 200)},
        {"kode_kawasan": "K3", "nama_kawasan": "Tiga", "kode_kel": A, "tahun": 2016, "geometry": sq(400, 400, 600, 600)},
        {"kode_kawasan": "K5", "nama_kawasan": "Lima", "kode_kel": A, "tahun": 2019, "geometry": sq(300, 0, 500, 100)},
    ])  # fmt: skip

    def row(no, tgl, k, nama, kel, luas, rts):
        return {"no_sk": no, "tanggal_sk": tgl, "kode_kawasan": k, "nama_lokasi": nama, "kelurahan": kel,
                "kecamatan": "Mentawa Baru Ketapang", "luas_sk_ha": luas, "kode_rt": rts}  # fmt: skip

    sk = pd.DataFrame([
        row(SK1, "2016-08-22", "K1", "Satu", "MB. Hulu", 8.2, "R1;R2"),
        row(SK1, "2016-08-22", "K2", "Dua", "Mentawa Baru Hulu", 10.0, "R3;R4"),
        row(SK1, "2016-08-22", "K3", "Tiga", "Mentawa Baru Hulu", 4.0, None),
        row(SK1, "2016-08-22", "K4", "Empat", "Mentawa Baru Hulu", 4.0, "R6;RX"),
        row(SK2, "2020-03-16", "K1", "Satu", "Mentawa Baru Hulu", 8.0, "R1;R2"),
        row(SK2, "2020-03-16", "K2", "Dua", "Mentawa Baru Hulu, Ketapang", 8.0, "R3;R4"),
        row(SK2, "2020-03-16", "K3", "Tiga", "Mentawa Baru Hulu", 4.0, None),
        row(SK2, "2020-03-16", "K5", "Lima", "Mentawa Baru Hulu", 2.0, "R2"),
    ])  # fmt: skip
    levels = {
        2016: {"R1": ("KR", 20), "R2": ("TK", 10), "R3": ("KS", 40), "R4": ("KS", 45), "R5": ("KR", 18), "R6": ("TK", 5), "R7": ("KR", 30)},
        2019: {"R1": ("KR", 20), "R2": ("KR", 17), "R3": ("KS", 40), "R4": ("KS", 45), "R5": ("TK", 9), "R6": ("TK", 5), "R7": ("TK", 12)},
    }  # fmt: skip
    scores = pd.DataFrame([
        {"kode_rt": k, "tahun": y, "tingkat": lv, "total_nilai": n, "luas_ha": 4.0}
        for y, d in levels.items() for k, (lv, n) in d.items()
    ])  # fmt: skip
    return {"wilayah": wilayah, "rt": rt, "delineasi": delineasi, "sk_kumuh": sk, "scores": scores}


def run(**kw):
    t = town()
    return V.verify_sk(
        t["sk_kumuh"], t["delineasi"], rt=t["rt"], wilayah=t["wilayah"], scores=t["scores"], **kw
    )


def flags(result, no_sk):
    f = result.findings[result.findings["no_sk"] == no_sk]
    return {(r.flag, r.kode_kawasan, r.kode_rt) for r in f.itertuples()}


@pytest.fixture(scope="module")
def result():
    return run()


def test_first_version_every_flag_with_its_numbers(result):
    assert flags(result, SK1) == {
        ("rt_tidak_kumuh_di_sk", "K1", "R2"),  # R2 is TK in 2016
        ("nama_tidak_cocok", "K1", ""),  # "MB. Hulu"
        ("luas_mismatch", "K2", ""),  # 10 ha in the SK, 8 ha drawn
        ("lintas_kelurahan", "K2", ""),  # half of K2 lies in Ketapang
        ("tanpa_rincian_rt", "K3", ""),  # no RT list
        ("tanpa_geometri", "K4", ""),  # no polygon
        ("tanpa_rincian_rt", "K4", ""),  # RX is not an RT
        ("rt_tidak_kumuh_di_sk", "K4", "R6"),  # R6 is TK
        ("rt_kumuh_di_luar_sk", "", "R5"),  # R5 is KR and in no location
    }
    f = result.findings.set_index(["no_sk", "flag", "kode_kawasan", "kode_rt"])
    mm = f.loc[(SK1, "luas_mismatch", "K2", "")]
    assert mm["luas_sk_ha"] == 10.0
    assert mm["luas_delineasi_ha"] == pytest.approx(8.0, abs=0.01)
    assert mm["luas_rt_ha"] == 8.0  # 2 RTs × 4 ha from the baseline
    # |10 − 8| = 2 ha > 0.5 ha and 2 / 8 = 25 % > 5 %
    assert "selisih 2,00 ha" in mm["detail"] and "25,0 %" in mm["detail"]
    name = f.loc[(SK1, "nama_tidak_cocok", "K1", "")]
    assert name["saran"] == "Mentawa Baru Hulu"
    assert "MB. Hulu" in name["detail"]
    lintas = f.loc[(SK1, "lintas_kelurahan", "K2", "")]
    assert "Ketapang 4,00 ha" in lintas["detail"] and "50,0 %" in lintas["detail"]
    tk = f.loc[(SK1, "rt_tidak_kumuh_di_sk", "K1", "R2")]
    assert (
        tk["tahun_tingkat"] == 2016 and "2016" in tk["detail"] and "total nilai 10" in tk["detail"]
    )
    assert tk["luas_rt_ha"] == 4.0
    out = f.loc[(SK1, "rt_kumuh_di_luar_sk", "", "R5")]
    assert "KR" in out["detail"] and out["luas_rt_ha"] == 4.0
    assert "RX" in f.loc[(SK1, "tanpa_rincian_rt", "K4", "")]["detail"]


def test_second_version_levels_of_2019_overlap_and_comparison(result):
    assert flags(result, SK2) == {
        ("rt_tidak_kumuh_di_sk", "K3", "R7"),  # TK in 2019 (latest year up to 2020)
        ("tanpa_rincian_rt", "K3", ""),
        ("luas_mismatch", "K5", ""),  # 2 ha drawn and in the SK, but its RT R2 is 4 ha
        ("tumpang_tindih", "K1", ""),  # K1 and K5 overlap by 1 ha
        ("lokasi_ditambah", "K5", ""),
        ("lokasi_dihapus", "K4", ""),
        ("luas_berubah", "K1", ""),  # 8.2 → 8.0
        ("luas_berubah", "K2", ""),  # 10 → 8
    }
    f = result.findings.set_index(["no_sk", "flag", "kode_kawasan", "kode_rt"])
    assert f.loc[(SK2, "rt_tidak_kumuh_di_sk", "K3", "R7")]["tahun_tingkat"] == 2019
    overlap = f.loc[(SK2, "tumpang_tindih", "K1", "")]
    assert "K5" in overlap["detail"] and "1,00" in overlap["detail"]
    changed = f.loc[(SK2, "luas_berubah", "K2", "")]
    assert changed["no_sk_pembanding"] == SK1
    assert (
        "10,00 ha" in changed["detail"]
        and "8,00 ha" in changed["detail"]
        and "-2,00" in changed["detail"]
    )
    assert f.loc[(SK2, "lokasi_dihapus", "K4", "")]["luas_sk_ha"] == 4.0


def test_recommendations_and_verified_hectares(result):
    s = result.summary.set_index("no_sk")
    assert s.at[SK1, "rekomendasi"] == "terbitkan SK baru"  # R5 kumuh outside, K4 all TK
    assert s.at[SK1, "tahun_tingkat"] == 2016
    assert s.at[SK1, "n_luas_mismatch"] == 1 and s.at[SK1, "n_rt_kumuh_di_luar_sk"] == 1
    # kept locations: K1 (R1 kumuh 4 ha), K2 (R3, R4: 8 ha), K3 (R7: 4 ha); K4 removed; + R5 4 ha
    assert s.at[SK1, "luas_terverifikasi_ha"] == pytest.approx(20.0)
    assert s.at[SK1, "luas_rt_kumuh_di_luar_ha"] == pytest.approx(4.0)
    loc = result.locations.set_index(["no_sk", "kode_kawasan"])
    assert loc.at[(SK1, "K4"), "rekomendasi"] == "hapus"
    assert loc.at[(SK1, "K2"), "rekomendasi"] == "revisi"
    assert loc.at[(SK1, "K1"), "luas_terverifikasi_ha"] == pytest.approx(4.0)
    assert loc.at[(SK2, "K1"), "rekomendasi"] == "pertahankan"
    assert loc.at[(SK2, "K3"), "rekomendasi"] == "hapus"
    assert s.at[SK2, "rekomendasi"] == "terbitkan SK baru"
    assert s.at[SK2, "dibandingkan_dengan"] == SK1


def test_clean_sk_is_kept():
    t = town()
    sk = pd.DataFrame([
        {"no_sk": "SK-OK", "tanggal_sk": "2019-05-01", "kode_kawasan": "K1", "nama_lokasi": "Satu", "kelurahan": "Mentawa Baru Hulu",
         "kecamatan": "Mentawa Baru Ketapang", "luas_sk_ha": 8.0, "kode_rt": "R1;R2"},
        {"no_sk": "SK-OK", "tanggal_sk": "2019-05-01", "kode_kawasan": "K2", "nama_lokasi": "Dua", "kelurahan": "Mentawa Baru Hulu; Ketapang",
         "kecamatan": "Mentawa Baru Ketapang", "luas_sk_ha": 8.3, "kode_rt": "R3;R4"},
    ])  # fmt: skip
    scores = t["scores"][t["scores"]["tahun"] == 2019].copy()
    scores = scores[scores["kode_rt"].isin(["R1", "R2", "R3", "R4"]) | (scores["tingkat"] == "TK")]
    res = V.verify_sk(sk, t["delineasi"], rt=t["rt"], wilayah=t["wilayah"], scores=scores)
    assert res.findings.empty
    assert res.summary.iloc[0]["rekomendasi"] == "pertahankan"
    assert res.summary.iloc[0]["luas_terverifikasi_ha"] == pytest.approx(16.0)
    # 8.3 vs 8.0: 0.3 ha and 3.75 % — within the default tolerance, beyond a stricter one
    strict = V.verify_sk(sk, t["delineasi"], rt=t["rt"], wilayah=t["wilayah"], scores=scores,
                         tolerances={"toleransi_luas_ha": 0.25, "toleransi_luas_persen": 3})  # fmt: skip
    assert set(strict.findings["flag"]) == {"luas_mismatch"}
    assert strict.summary.iloc[0]["rekomendasi"] == "revisi SK"


def test_tolerances_are_configurable():
    loose = run(no_sk=SK1, tolerances={"toleransi_luas_ha": 3})
    assert "luas_mismatch" not in set(loose.findings["flag"])
    assert loose.tolerances["toleransi_luas_ha"] == 3.0
    assert (
        V.tolerances_from_settings({"verifikasi_sk": {"toleransi_luas_persen": 10}})[
            "toleransi_luas_persen"
        ]
        == 10
    )
    with pytest.raises(UsageError):
        V.tolerances_from_settings({"verifikasi_sk": {"toleransi_x": 1}})
    with pytest.raises(UsageError):
        V.tolerances_from_settings({"verifikasi_sk": {"toleransi_luas_ha": -1}})


def test_level_year_chosen_by_caller_and_version_selection():
    res = run(no_sk=SK1, year=2019)
    got = flags(res, SK1)
    assert ("rt_kumuh_di_luar_sk", "", "R5") not in got  # R5 is TK in 2019
    assert ("rt_tidak_kumuh_di_sk", "K1", "R2") not in got  # R2 is KR in 2019
    assert ("rt_tidak_kumuh_di_sk", "K3", "R7") in got
    assert set(res.findings["no_sk"]) == {SK1}
    # no comparison for the first version
    assert not set(res.findings["flag"]) & {"lokasi_ditambah", "lokasi_dihapus", "luas_berubah"}
    with pytest.raises(UsageError):
        run(no_sk="SK-?")


def test_compare_any_two_versions():
    t = town()
    diff = V.compare_sk(t["sk_kumuh"], SK2, SK1)  # backwards: what SK1 has that SK2 does not
    got = {(r.flag, r.kode_kawasan) for r in diff.itertuples()}
    assert got == {
        ("lokasi_ditambah", "K4"),
        ("lokasi_dihapus", "K5"),
        ("luas_berubah", "K1"),
        ("luas_berubah", "K2"),
    }
    assert (diff["no_sk"] == SK1).all() and (diff["no_sk_pembanding"] == SK2).all()
    assert list(diff.columns[:8]) == list(V.FINDING_COLUMNS)
    res = run(no_sk=SK2, compare_with=SK2)  # compared with itself: nothing
    assert not set(res.findings["flag"]) & {"lokasi_ditambah", "lokasi_dihapus", "luas_berubah"}


def test_missing_layers_are_said_not_guessed():
    t = town()
    res = V.verify_sk(t["sk_kumuh"], t["delineasi"])
    assert {
        "rt_tidak_kumuh_di_sk",
        "rt_kumuh_di_luar_sk",
        "nama_tidak_cocok",
        "lintas_kelurahan",
    }.isdisjoint(res.findings["flag"])
    assert any("rt" in n and "tidak diperiksa" in n for n in res.notes)
    assert any("wilayah" in n for n in res.notes)
    assert "luas_mismatch" in set(res.findings["flag"])
    with pytest.raises(UsageError):
        V.verify_sk(t["sk_kumuh"].iloc[0:0], t["delineasi"])


def test_writers_csv_xlsx_html_geojson(result, tmp_path):
    csv = tmp_path / "v.csv"
    written = write_verification(result, csv)
    assert written.paths == (csv, tmp_path / "v.geojson")
    frame = pd.read_csv(csv, encoding="utf-8-sig", keep_default_na=False)
    assert list(frame.columns[:8]) == list(V.FINDING_COLUMNS)
    assert len(frame) == len(result.findings)
    gj = json.loads((tmp_path / "v.geojson").read_text(encoding="utf-8"))
    # every finding has a place on the map except those about K4's missing polygon
    f = result.findings
    no_place = (f["kode_kawasan"] == "K4") & (f["kode_rt"] == "")
    assert no_place.sum() == 3  # tanpa_geometri, tanpa_rincian_rt, lokasi_dihapus
    assert len(gj["features"]) == int((~no_place).sum())
    kinds = {f["properties"]["flag"]: f["geometry"]["type"] for f in gj["features"]}
    assert kinds["rt_kumuh_di_luar_sk"] in ("Polygon", "MultiPolygon")
    xlsx = tmp_path / "v.xlsx"
    write_verification(result, xlsx, title="Uji")
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[:3] == ["Ringkasan", "Rekomendasi", "Temuan"]
    assert set(V.FLAGS) <= set(wb.sheetnames)
    values = [
        c for row in wb["Ringkasan"].iter_rows(values_only=True) for c in row if c is not None
    ]
    assert "terbitkan SK baru" in values
    html_path = tmp_path / "v.html"
    write_verification(result, html_path)
    text = html_path.read_text(encoding="utf-8")
    assert "Terbitkan SK baru" in text and "luas_mismatch" in text and "MB. Hulu" in text
    with pytest.raises(UsageError):
        write_verification(result, tmp_path / "v.pdf")


def test_recorded_luas_of_the_delineation_beside_the_sk_and_computed(tmp_path):
    """Issue 13: the luas an office wrote on its delineation (``luas_tercatat_ha``) is shown
    beside the SK's and the computed hectares — in the location table, the luas_mismatch
    sentence, the workbook and the HTML — and never replaces the computed figure."""
    t = town()
    dl = t["delineasi"].copy()
    dl["luas_tercatat_ha"] = [8.1, 9.75, None, 2.0]  # K1, K2, K3 (none written), K5
    res = V.verify_sk(t["sk_kumuh"], dl, rt=t["rt"], wilayah=t["wilayah"], scores=t["scores"])
    loc = res.locations.set_index(["no_sk", "kode_kawasan"])
    assert list(res.locations.columns).index("luas_tercatat_ha") == (
        list(res.locations.columns).index("luas_delineasi_ha") + 1
    )
    assert loc.loc[(SK1, "K2"), "luas_tercatat_ha"] == 9.75
    assert loc.loc[(SK1, "K2"), "luas_delineasi_ha"] == pytest.approx(8.0, abs=0.01)
    assert pd.isna(loc.loc[(SK1, "K3"), "luas_tercatat_ha"])
    assert pd.isna(loc.loc[(SK1, "K4"), "luas_tercatat_ha"])  # no polygon at all
    # the flags are decided on the computed figures: the same as without the column
    assert flags(res, SK1) == flags(run(), SK1)
    mm = res.findings.set_index(["no_sk", "flag", "kode_kawasan"]).loc[(SK1, "luas_mismatch", "K2")]
    assert "luas tercatat pada berkas delineasi 9,75 ha" in mm["detail"]
    assert "area written in the delineation file 9.75 ha" in mm["detail_en"]
    xlsx = tmp_path / "v.xlsx"
    write_verification(res, xlsx)
    header = next(
        r
        for r in openpyxl.load_workbook(xlsx)["Rekomendasi"].iter_rows(values_only=True)
        if r[0] == "No. SK"
    )
    assert "Luas tercatat (berkas delineasi) (ha)" in header
    assert "Luas tercatat (ha)" in render_html(res)
    # a delineation without the column: no empty column in the tables
    plain = run()
    assert "luas_tercatat_ha" not in plain.locations.columns
    assert "Luas tercatat" not in render_html(plain)


def test_html_escapes_every_text():
    t = town()
    sk = t["sk_kumuh"].copy()
    sk.loc[0, "kelurahan"] = "<script>alert('x')</script>"
    sk.loc[0, "nama_lokasi"] = "Gang <b>Merdeka</b> & Co"
    res = V.verify_sk(sk, t["delineasi"], rt=t["rt"], wilayah=t["wilayah"], scores=t["scores"])
    page = render_html(res, title="Kota <Uji>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>Merdeka" not in page and "Gang &lt;b&gt;Merdeka&lt;/b&gt; &amp; Co" in page
    assert "Kota &lt;Uji&gt;" in page


def test_store_level_and_demo_planted_discrepancies(demo_city, demo_project):
    city = demo_city
    store = open_store(demo_project)
    res = verify_city(load_snapshot(store))
    p = city.planted
    f = res.findings
    for no_sk, kawasan in p["luas_mismatch"].items():
        got = set(f[(f["no_sk"] == no_sk) & (f["flag"] == "luas_mismatch")]["kode_kawasan"])
        assert got == set(kawasan), no_sk
    name = f[f["flag"] == "nama_tidak_cocok"]
    assert set(name["kode_kawasan"]) == set(p["nama_tidak_cocok"]["kode_kawasan"])
    assert set(name["saran"]) == {p["nama_tidak_cocok"]["kelurahan"]}
    tk = p["rt_tidak_kumuh_di_sk"]
    hit = f[(f["flag"] == "rt_tidak_kumuh_di_sk") & (f["no_sk"] == tk["no_sk"])]
    assert set(zip(hit["kode_kawasan"], hit["kode_rt"], strict=True)) == {
        (tk["kode_kawasan"], tk["kode_rt"])
    }
    out = p["rt_kumuh_di_luar_sk"]
    first = set(f[(f["flag"] == "rt_kumuh_di_luar_sk") & (f["no_sk"] == p["sk_asli"])]["kode_rt"])
    assert first == {out["kode_rt"], *out["di_luar_sk_asli"]}
    later = set(f[(f["flag"] == "rt_kumuh_di_luar_sk") & (f["no_sk"] == p["sk_revisi"])]["kode_rt"])
    assert later == {out["kode_rt"]}
    for no_sk in (p["sk_asli"], p["sk_revisi"]):
        got = set(f[(f["flag"] == "lintas_kelurahan") & (f["no_sk"] == no_sk)]["kode_kawasan"])
        assert got == set(p["lintas_kelurahan"])
    rev = f[f["no_sk"] == p["sk_revisi"]]
    assert set(rev[rev["flag"] == "lokasi_ditambah"]["kode_kawasan"]) == set(
        p["revisi"]["ditambah"]
    )
    assert set(rev[rev["flag"] == "lokasi_dihapus"]["kode_kawasan"]) == set(p["revisi"]["dihapus"])
    assert set(rev[rev["flag"] == "luas_berubah"]["kode_kawasan"]) == set(
        p["revisi"]["luas_berubah"]
    )
    assert (f["detail"].str.len() > 20).all()
