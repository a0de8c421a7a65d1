"""Kolaborasi counted the way a Korkot counts it (domain.md §5–§7, issue 11).

One small city drawn by hand in metres in SRGI2013 / UTM 49S (stored in EPSG:4326 as a
project would be), so that every figure below can be checked on paper:

* three RTs of 100 m × 100 m (1 ha each) in a row: A (x 0–100), B (100–200), C (200–300);
* one kawasan KW1 = A + B (x 0–200), listed by SK 1/2016 (2016-06-01); C lies outside every
  kawasan;
* ideal road and drainage lengths 200 m, 100 buildings and 50 KK in every RT;
* the 2016 baseline (all surveyed), scores (domain.md §4):
  A: 1a 100 % (5), 1c 100 % (5), 2a 100 m = 50 % (1), 2b 100 m = 50 % (1), 4b 150 m = 75 % (3),
  5a 40 KK = 80 % (5), 5b 30 KK = 60 % (3), 7a 100 % (5) → total 28, KR;
  B: 1a (5), 1c (5), 2a 80 m = 40 % (1), 3a 13 KK = 26 % (1), 4b 100 m = 50 % (1),
  7a 60 % (3) → total 16, KR;
  C: 1a, 1c, 7a, 7b 100 % (5 each) → total 20, KR — a kumuh RT outside the SK;
* four works of 2017:
  L1 a road line across A and B (x 50–150, 100 m, 2a, 100 m): 50 m in each RT → A 2a
  100 − 50 = 50 m, B 2a 80 − 50 = 30 m;
  D1 a drain running out of the kawasan (x 150–250 at y 20, 4b, 100 m, Rp 100 juta):
  ``sebagian``, 50 m inside, all in B → B 4b 100 − 50 = 50 m; the other 50 m and Rp 50 juta
  are prevention;
  I1 an IPAL for 30 KK in A (5a;5b, one volume): it closes 5a and 5b for those 30 KK →
  A 5a 40 − 30 = 10, 5b 30 − 30 = 0;
  P1 a paving road in A, 2a;2b with one volume per criterion 20;10 → A 2a 50 − 20 = 30,
  2b 100 − 10 = 90.
  So in 2017 (derived) A: 2a 30 m = 15 % (0), 2b 90 m = 45 % (1), 5a 20 % (0), 5b 0 % (0):
  total 28 − 1 − 5 − 3 = 19, KR; B: 2a 15 % (0), 4b 25 % (1) → total 15, TK.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from kumuhgis.analysis.city import classify_city, reduction_city, score_city, verify_city
from kumuhgis.analysis.prevention import prevention, prevention_works
from kumuhgis.analysis.verification import compare_sk
from kumuhgis.cli import main
from kumuhgis.core.rules import load_rules
from kumuhgis.core.sk import delineation_of
from kumuhgis.core.volumes import normalize_unit, work_volumes
from kumuhgis.ingest.validation import validate_frame
from kumuhgis.store import create_store
from kumuhgis.store.snapshot import load_snapshot

UTM = "EPSG:9489"
X0, Y0 = 690_000.0, 9_719_000.0


def sq(x0, x1, y0=0.0, y1=100.0):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def pt(x, y):
    return Point(X0 + x, Y0 + y)


def ln(*xy):
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def gdf(records: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(records, geometry="geometry", crs=UTM).to_crs(4326)


HEADER = {"tahun": 2016, "luas_ha": 1.0, "jumlah_bangunan": 100, "jumlah_penduduk": 200,
          "jumlah_kk": 50, "panjang_jalan_ideal_m": 200.0, "panjang_drainase_ideal_m": 200.0}  # fmt: skip
CODES = (
    "1a",
    "1b",
    "1c",
    "2a",
    "2b",
    "3a",
    "3b",
    "4a",
    "4b",
    "4c",
    "5a",
    "5b",
    "6a",
    "6b",
    "7a",
    "7b",
)


def _rt_row(kode, **v):
    return {"kode_rt": kode, **HEADER, **{f"v_{c}": float(v.get(c, 0.0)) for c in CODES}}


def _work(kode, geom, kriteria, volume, satuan, nilai=10_000_000.0, volume_kriteria=None):
    return {"kode_kegiatan": kode, "nama_kegiatan": f"Kegiatan {kode}", "tahun": 2017,
            "sumber_dana": "APBD Kab/Kota", "nilai_rp": nilai, "kriteria": kriteria, "volume": volume,
            "satuan": satuan, "volume_kriteria": volume_kriteria, "geometry": geom}  # fmt: skip


def layers() -> dict:
    rt = gdf([{"kode_rt": k, "rt": f"00{i + 1}", "rw": "001", "kode_kel": "W1", "geometry": sq(100 * i, 100 * i + 100)}
              for i, k in enumerate("ABC")])  # fmt: skip
    wilayah = gdf([{"kode_kel": "W1", "kelurahan": "Baamang Hulu", "kecamatan": "Baamang", "kota": "Sampit",
                    "geometry": sq(0, 300)}])  # fmt: skip
    delineasi = gdf([{"kode_kawasan": "KW1", "nama_kawasan": "Kawasan Satu", "kode_kel": "W1", "tahun": 2016,
                      "geometry": sq(0, 200)}])  # fmt: skip
    sk = pd.DataFrame([{"no_sk": "1/2016", "tanggal_sk": "2016-06-01", "kode_kawasan": "KW1",
                        "nama_lokasi": "Kawasan Satu", "kelurahan": "Baamang Hulu", "kecamatan": "Baamang",
                        "luas_sk_ha": 2.0, "kode_rt": "A;B"}])  # fmt: skip
    baseline = pd.DataFrame([
        _rt_row("A", **{"1a": 100, "1c": 100, "2a": 100, "2b": 100, "4b": 150, "5a": 40, "5b": 30, "7a": 100}),
        _rt_row("B", **{"1a": 100, "1c": 100, "2a": 80, "3a": 13, "4b": 100, "7a": 60}),
        _rt_row("C", **{"1a": 100, "1c": 100, "7a": 100, "7b": 100}),
    ])  # fmt: skip
    kolaborasi = gdf([
        _work("L1", ln((50, 50), (150, 50)), "2a", 100.0, "m"),
        _work("D1", ln((150, 20), (250, 20)), "4b", 100.0, "m", nilai=100_000_000.0),
        _work("I1", pt(50, 80), "5a;5b", 30.0, "KK"),
        _work("P1", ln((10, 90), (40, 90)), "2a;2b", 30.0, "m", volume_kriteria="20;10"),
    ])  # fmt: skip
    kolaborasi["tahun"] = kolaborasi["tahun"].astype("Int64")
    return {"wilayah": wilayah, "rt": rt, "delineasi": delineasi, "sk_kumuh": sk,
            "baseline": baseline, "kolaborasi": kolaborasi}  # fmt: skip


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "kota.gpkg"
    s = create_store(path, kota="Sampit")
    with s.transaction(command="test") as tx:
        for name, frame in layers().items():
            tx.write(name, frame)
    return path


def _snap(path, **settings):
    from kumuhgis.store import open_store

    return load_snapshot(open_store(path), settings=settings or None)


# --------------------------------------------------------------------------- volumes, shares


def test_derived_volumes_follow_volume_per_criterion_and_shares(store):
    cond = score_city(_snap(store)).scores.set_index(["kode_rt", "tahun"])
    a, b, c = (cond.loc[(k, 2017)] for k in "ABC")
    assert a["asal"] == "derived"
    # A: L1 gives half of its 100 m (50 m in A), P1 20 m of 2a and 10 m of 2b, I1 30 KK to 5a and 5b
    assert (a["v_2a"], a["v_2b"], a["v_5a"], a["v_5b"]) == (30.0, 90.0, 10.0, 0.0)
    # B: the other 50 m of L1; D1 counts by its 50 m inside the kawasan, all in B
    assert (b["v_2a"], b["v_4b"]) == (30.0, 50.0)
    assert (int(a["total_nilai"]), a["tingkat"]) == (19, "KR")
    assert (int(b["total_nilai"]), b["tingkat"]) == (15, "TK")
    assert c["v_1a"] == 100.0  # C: no work, outside the SK


def test_score_command_shows_the_derived_volumes(store, tmp_path):
    out = tmp_path / "skor.csv"
    assert main(["score", str(store), "--year", "2017", "--out", str(out)]) == 0
    table = pd.read_csv(out).set_index("kode_rt")
    assert table.loc["A", ["v_2a", "v_2b", "v_5a", "v_5b"]].tolist() == [30.0, 90.0, 10.0, 0.0]
    assert table.loc["B", ["v_2a", "v_4b"]].tolist() == [30.0, 50.0]


def test_a_line_across_two_rts_and_a_sebagian_drain_split_by_length(store):
    att = score_city(_snap(store)).trace
    tr = att.set_index(["kode_rt", "tahun", "kriteria"])
    assert tr.loc[("A", 2017, "2a"), "kode_kegiatan"] == "L1;P1"
    assert tr.loc[("A", 2017, "2a"), "volume_kolaborasi"] == 70.0  # 50 (L1) + 20 (P1)
    assert tr.loc[("B", 2017, "2a"), "volume_kolaborasi"] == 50.0
    assert tr.loc[("B", 2017, "4b"), "volume_kolaborasi"] == 50.0
    classified = classify_city(_snap(store)).set_index("kode_kegiatan")
    assert classified.loc["D1", "status_lokasi"] == "sebagian"
    assert classified.loc["D1", "porsi_dalam"] == pytest.approx(0.5, abs=1e-6)
    assert classified.loc["D1", "nilai_rp_dalam"] == pytest.approx(50_000_000.0)


def test_prevention_is_the_outside_share(store):
    classified = classify_city(_snap(store))
    works = prevention_works(classified).set_index("kode_kegiatan")
    assert list(works.index) == ["D1"]
    assert works.loc["D1", "porsi_luar"] == pytest.approx(0.5, abs=1e-6)
    assert works.loc["D1", "volume_4b"] == pytest.approx(50.0, abs=1e-3)
    assert works.loc["D1", "nilai_rp_pencegahan"] == pytest.approx(50_000_000.0)
    by_year = prevention(classified, "tahun")
    assert by_year[["tahun", "jumlah_kegiatan", "jumlah_sebagian"]].values.tolist() == [
        [2017, 1, 1]
    ]
    assert [c for c in by_year.columns if c.startswith("volume_")] == ["volume_4b"]


def test_one_volume_counts_for_each_criterion_outside_a_split_group():
    rules = load_rules()
    assert work_volumes("5a;5b", 30, None, rules) == {"5a": 30.0, "5b": 30.0}
    assert work_volumes("2a;2b", 35, "35;0", rules) == {"2a": 35.0, "2b": 0.0}
    # a single volume stored for a split group (an old store) goes to the first criterion
    assert work_volumes("2a;2b", 35, None, rules) == {"2a": 35.0, "2b": 0.0}
    assert work_volumes("4b;4d", 10, None, rules) == {"4b": 10.0}  # 4d: not a 14/2018 code
    old = load_rules("permen-02-2016")
    assert old.volume_groups == (("2a", "2b"), ("4b", "4c", "4d", "4e"))
    assert work_volumes("4b;4d", 10, None, old) == {"4b": 10.0, "4d": 0.0}


# --------------------------------------------------------------------------- import checks


def _import(rows: list[dict], **kw):
    frame = gdf([{"kode_kegiatan": f"K{i}", "nama_kegiatan": "x", "tahun": 2017, "sumber_dana": "APBN",
                  "nilai_rp": 1_000_000.0, "geometry": pt(50, 50), **r} for i, r in enumerate(rows)])  # fmt: skip
    return validate_frame(frame, "kolaborasi", **kw)


def test_a_single_volume_for_2a_2b_is_refused_and_lenient_gives_it_to_2a():
    strict = _import([{"kriteria": "2a;2b", "volume": "35", "satuan": "m"}])
    (err,) = strict.errors
    assert (err.row, err.column) == (2, "volume")
    assert "satu volume per kriteria" in err.perbaikan and "one volume per criterion" in err.fix
    lenient = _import([{"kriteria": "2a;2b", "volume": "35", "satuan": "m"}], lenient=True)
    assert lenient.ok and [p.severity for p in lenient.problems] == ["repaired"]
    row = lenient.frame.iloc[0]
    assert (row["volume"], row["volume_kriteria"]) == (35.0, "35;0")


def test_volumes_per_criterion_as_a_list_or_as_columns():
    r = _import([
        {"kriteria": "2a;2b", "volume": "35;0", "satuan": "m"},
        {"kriteria": "2a;2b", "volume_2a": "20", "volume_2b": "15", "satuan": "meter"},
        {"kriteria": "5a;5b", "volume": "30", "satuan": "rumah tangga"},
        {"kriteria": "2a;2b", "volume": "35;1;2", "satuan": "m"},
    ])  # fmt: skip
    assert [p.row for p in r.errors] == [5]  # three volumes for two criteria
    f = r.frame
    assert f["volume"].tolist() == [35.0, 35.0, 30.0]
    assert f["volume_kriteria"].tolist()[:2] == ["35;0", "20;15"]
    assert pd.isna(f["volume_kriteria"].iloc[2])  # one volume counts for 5a and 5b
    assert f["satuan"].tolist() == ["m", "m", "KK"]
    assert "volume_2a" not in f.columns


def test_volume_numbers_in_the_indonesian_style():
    # the file's style is read from all its volume cells: "2,5" proves Indonesian, so
    # "1.234" is 1234 m, and a list "0,15;0,3" is 0.15 ha and 0.3 ha
    r = _import([
        {"kriteria": "4b", "volume": "1.234", "satuan": "m"},
        {"kriteria": "4b", "volume": "2,5", "satuan": "m"},
        {"kriteria": "1b;4a", "volume": "0,15;0,3", "satuan": "ha"},
    ])  # fmt: skip
    assert r.ok
    assert r.frame["volume"].tolist() == [1234.0, 2.5, 0.45]
    assert r.frame["volume_kriteria"].tolist()[2] == "0.15;0.3"


def test_units_are_checked_against_the_criterion():
    r = _import([{"kriteria": "2b", "volume": "35", "satuan": "hektar"},
                 {"kriteria": "1b", "volume": "0,2", "satuan": "hektar"},
                 {"kriteria": "7b", "volume": "4", "satuan": None}])  # fmt: skip
    (err,) = r.errors
    assert (err.row, err.column) == (2, "satuan")
    assert "bukan satuan kriteria 2b (m)" in err.masalah
    (warn,) = r.warnings
    assert (warn.row, warn.column) == (4, "satuan") and "'unit'" in warn.masalah
    assert r.frame["satuan"].tolist() == ["ha", "unit"]
    spellings = load_rules().unit_spellings
    assert [normalize_unit(s, spellings) for s in ("m'", "BH", "SR", "ha")] == [
        "m",
        "unit",
        "KK",
        "ha",
    ]


def test_codes_of_the_other_rule_set_are_refused_naming_the_rule_set():
    r = _import([{"kriteria": "4b;4d", "volume": "10", "satuan": "m"}])
    (err,) = r.errors
    assert (
        err.column == "kriteria"
        and "permen-14-2018" in err.masalah
        and "02/PRT/M/2016" in err.masalah
    )
    lenient = _import([{"kriteria": "4b;4d", "volume": "10", "satuan": "m"}], lenient=True)
    assert lenient.ok and lenient.frame["kriteria"].tolist() == ["4b"]
    assert lenient.repaired[0].column == "kriteria"
    old = _import([{"kriteria": "4b;4d", "volume": "10;5", "satuan": "m"}], rules="permen-02-2016")
    assert old.ok and old.frame["volume_kriteria"].tolist() == ["10;5"]


# --------------------------------------------------------------------------- scope


def test_reduction_scopes_sk_city_and_kumuh_outside_the_sk(store):
    r = reduction_city(_snap(store), year_from=2016, year_to=2017, by="kelurahan")
    scope = r.lingkup_tabel.set_index("lingkup")
    # SK 1/2016: A and B, 2 ha kumuh → B leaves the slums: 1 ha; the city adds C (1 ha, still KR)
    assert scope.loc["sk", ["jumlah_rt", "luas_kumuh_awal_ha", "luas_kumuh_akhir_ha"]].tolist() == [
        2,
        2.0,
        1.0,
    ]
    assert scope.loc[
        "kota", ["jumlah_rt", "luas_kumuh_awal_ha", "luas_kumuh_akhir_ha"]
    ].tolist() == [3, 3.0, 2.0]
    assert scope.loc["kumuh_di_luar_sk", ["jumlah_rt", "luas_kumuh_awal_ha"]].tolist() == [1, 1.0]
    assert r.totals["jumlah_rt"] == 2 and r.lingkup_label.startswith("SK 1/2016")
    # hektar setara of 2a in the SK scope: A 100 → 30 m of 200 (50 % → 15 %), B 40 % → 15 %
    assert r.totals["pengurangan_ha_2a"] == pytest.approx(0.35 + 0.25)


def test_reduction_command_prints_both_scopes(store, tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert (
        main(
            [
                "reduction",
                str(store),
                "--from",
                "2016",
                "--to",
                "2017",
                "--by",
                "kota",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "SK 1/2016" in text and "Seluruh kota (semua RT)" in text and "Kumuh di luar SK" in text
    assert "luas kumuh 2,00 → 1,00 ha (berkurang 1,00 ha)" in text


# --------------------------------------------------------------------------- verification


def _later_sk(store):
    """SK 2/2018 (2018-03-01), KW1 again: judged on the 2016 survey, B is kumuh."""
    from kumuhgis.store import open_store

    s = open_store(store)
    sk = layers()["sk_kumuh"].assign(no_sk="2/2018", tanggal_sk="2018-03-01")
    with s.transaction(command="test") as tx:
        tx.write("sk_kumuh", sk, mode="append")
    return store


def test_verification_uses_observed_surveys_unless_derived_years_are_asked_for(store):
    _later_sk(store)
    observed = verify_city(_snap(store), no_sk="2/2018")
    assert "rt_tidak_kumuh_di_sk" not in set(observed.findings["flag"])
    assert observed.summary["sumber_tingkat"].tolist() == ["survei"]
    derived = verify_city(_snap(store), no_sk="2/2018", derived=True)
    f = derived.findings[derived.findings["flag"] == "rt_tidak_kumuh_di_sk"]
    assert f["kode_rt"].tolist() == ["B"] and "2017" in f["detail"].iloc[0]
    assert derived.summary["sumber_tingkat"].tolist() == ["turunan"]


def test_delineation_versions_and_renumbered_kawasan():
    base = layers()
    sk = pd.concat([base["sk_kumuh"], base["sk_kumuh"].assign(
        no_sk="2/2018", tanggal_sk="2018-03-01", kode_kawasan="KW9", luas_sk_ha=1.9)])  # fmt: skip
    dl = gdf([
        {"kode_kawasan": "KW1", "nama_kawasan": "Satu", "kode_kel": "W1", "tahun": 2016, "versi": "1/2016", "geometry": sq(0, 200)},
        {"kode_kawasan": "KW9", "nama_kawasan": "Satu", "kode_kel": "W1", "tahun": 2018, "versi": "2/2018", "geometry": sq(0, 190)},
    ])  # fmt: skip
    assert delineation_of(dl, sk, "1/2016")["kode_kawasan"].tolist() == ["KW1"]
    assert delineation_of(dl, sk, "2/2018")["kode_kawasan"].tolist() == ["KW9"]
    by_code = compare_sk(sk, "1/2016", "2/2018")
    assert sorted(by_code["flag"]) == ["lokasi_dihapus", "lokasi_ditambah"]
    by_overlap = compare_sk(sk, "1/2016", "2/2018", delineasi=dl)
    assert sorted(by_overlap["flag"]) == ["kode_berubah", "luas_berubah"]  # 2.0 → 1.9 ha
    # a work 5 m east of the 2018 polygon: inside in 2017 (SK 1/2016), batas in 2019
    from kumuhgis.analysis.kolaborasi import classify_kolaborasi

    kol = gdf(
        [_work("W17", pt(195, 50), "7b", 2.0, "unit"), _work("W19", pt(195, 50), "7b", 2.0, "unit")]
    )
    kol["tahun"] = pd.array([2017, 2019], dtype="Int64")
    status = classify_kolaborasi(kol, dl, sk_kumuh=sk)["status_lokasi"].tolist()
    assert status == ["dalam", "batas"]
