"""RP2KPKP tables (domain.md §8): priority and handling-pattern rules on every cell of their
matrices, the RT → kawasan aggregation, needs and cost, and the memorandum program's round
trip through Excel (kumuhgis.analysis.rp2kpkp, kumuhgis.ingest.memorandum,
``kumuhgis memorandum-import``).

Golden values are from domain.md §8 (matrices, bands) and §4 (the Jombang RT), or hand
calculations written next to each test.
"""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kumuhgis.analysis.rp2kpkp import (
    aggregate_flag,
    build_annex,
    density_class,
    kawasan_profile,
    land_legality,
    load_plan_rules,
    load_unit_costs,
    pattern_of,
    pertimbangan_category,
    pertimbangan_lain,
    priority_of,
    priority_ranking,
    stored_memorandum,
)
from kumuhgis.analysis.scoring import score
from kumuhgis.cli import main
from kumuhgis.core.errors import UsageError, ValidationError
from kumuhgis.core.schema import CRITERIA_CODES
from kumuhgis.ingest.memorandum import import_memorandum, parse_memorandum, read_memorandum_file
from kumuhgis.outputs.annex_workbook import write_memorandum_workbook
from kumuhgis.store.snapshot import load_snapshot

PLAN = load_plan_rules()
GOLDEN_VOLUMES = [13, 0, 13, 100, 605, 54, 0, 0, 0, 310, 10, 16, 60, 60, 50, 50]
GOLDEN_P = [26, 0, 26, 12.82, 77.56, 90, 0, 0, 0, 80.52, 16.67, 26.67, 100, 100, 100, 100]


# --------------------------------------------------------------------------- matrices

# domain.md §8: rows pertimbangan tinggi/sedang/rendah, columns berat/sedang/ringan.
PRIORITY_CELLS = [
    ("tinggi", "KB", 1), ("tinggi", "KS", 2), ("tinggi", "KR", 3),
    ("sedang", "KB", 4), ("sedang", "KS", 5), ("sedang", "KR", 6),
    ("rendah", "KB", 7), ("rendah", "KS", 8), ("rendah", "KR", 9),
]  # fmt: skip


@pytest.mark.parametrize(("pertimbangan", "tingkat", "expected"), PRIORITY_CELLS)
def test_every_cell_of_the_priority_matrix(pertimbangan, tingkat, expected):
    assert priority_of(pertimbangan, tingkat, plan=PLAN) == expected


@pytest.mark.parametrize("pertimbangan", ["tinggi", "sedang", "rendah", None])
def test_no_priority_for_a_non_slum_or_an_unknown_input(pertimbangan):
    assert priority_of(pertimbangan, "TK", plan=PLAN) is None  # TK: prevention, no priority
    assert priority_of(None, "KB", plan=PLAN) is None
    assert priority_of(pertimbangan, None, plan=PLAN) is None


# domain.md §8: legal & berat/sedang → peremajaan; legal & ringan → pemugaran; ilegal at
# any level → permukiman kembali; non-slum → pencegahan.
PATTERN_CELLS = [
    ("legal", "KB", "peremajaan"), ("legal", "KS", "peremajaan"), ("legal", "KR", "pemugaran"),
    ("legal", "TK", "pencegahan"),
    ("ilegal", "KB", "permukiman kembali"), ("ilegal", "KS", "permukiman kembali"),
    ("ilegal", "KR", "permukiman kembali"), ("ilegal", "TK", "pencegahan"),
]  # fmt: skip


@pytest.mark.parametrize(("legalitas", "tingkat", "expected"), PATTERN_CELLS)
def test_every_cell_of_the_handling_pattern_matrix(legalitas, tingkat, expected):
    assert pattern_of(legalitas, tingkat, plan=PLAN) == expected


def test_pattern_with_unknown_legality_is_known_only_where_both_rows_agree():
    assert pattern_of(None, "TK", plan=PLAN) == "pencegahan"
    for level in ("KB", "KS", "KR"):
        assert pattern_of(None, level, plan=PLAN) is None
    assert pattern_of("legal", None, plan=PLAN) is None


@pytest.mark.parametrize(
    ("tanah", "tata_ruang", "expected"),
    [
        (True, True, "legal"), (True, False, "ilegal"), (False, True, "ilegal"), (False, False, "ilegal"),
        # one of the two alone never decides (issue 12): "belum diketahui", never legal
        (True, None, None), (None, True, None), (None, None, None), (False, None, None), (None, False, None),
    ],
)  # fmt: skip
def test_land_is_legal_only_when_tenure_and_spatial_plan_are_both_positive(
    tanah, tata_ruang, expected
):
    assert land_legality(tanah, tata_ruang) == expected


@pytest.mark.parametrize(
    ("density", "expected"),
    [(0, "rendah"), (150, "rendah"), (150.01, "sedang"), (151, "sedang"), (400, "sedang"), (400.5, "tinggi"), (1200, "tinggi"), (np.nan, None), (None, None)],
)  # fmt: skip
def test_density_bands_default_150_and_400_people_per_ha(density, expected):
    assert density_class(density, plan=PLAN) == expected


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (3, "rendah"),
        (5, "rendah"),
        (6, "sedang"),
        (10, "sedang"),
        (11, "tinggi"),
        (15, "tinggi"),
        (None, None),
    ],
)
def test_pertimbangan_bands_11_15_6_10_3_5(total, expected):
    assert pertimbangan_category(total, plan=PLAN) == expected


def test_pertimbangan_lain_scores_by_hand():
    frame = pd.DataFrame(
        {
            "nilai_strategis": ["ya", "tidak", "tidak", "ya", None],
            "kepadatan_jiwa_ha": [420.0, 100.0, 200.0, 150.0, 500.0],
            "sosial_ekonomi": ["tidak", "tidak", "ya", "ya", "ya"],
        },
        index=[10, 11, 12, 13, 14],
    )
    out = pertimbangan_lain(frame, plan=PLAN)
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    # 5 + 5 + 1 = 11 tinggi; 1 + 1 + 1 = 3 rendah; 1 + 3 + 5 = 9 sedang; 5 + 1 + 5 = 11 tinggi
    assert out["skor_pertimbangan"].tolist()[:4] == [11, 3, 9, 11]
    assert out["pertimbangan"].tolist()[:4] == ["tinggi", "rendah", "sedang", "tinggi"]
    assert out["kelas_kepadatan"].tolist() == ["tinggi", "rendah", "sedang", "rendah", "tinggi"]
    # unknown strategic location: no sum, no category (never defaulted)
    assert pd.isna(out["skor_pertimbangan"].iloc[4]) and pd.isna(out["pertimbangan"].iloc[4])
    assert "kepadatan_jiwa_ha" not in out.columns and frame.shape == (5, 3)


def test_project_settings_change_bands_and_matrices():
    plan = load_plan_rules(
        {
            "rp2kpkp": {
                "pertimbangan_lain": {"kepadatan": {"batas_jiwa_per_ha": [200, 500]}},
                "prioritas": {"tinggi": {"KB": 10}},
            }
        }
    )
    assert density_class(180, plan=plan) == "rendah"  # default bands would say sedang
    assert density_class(450, plan=plan) == "sedang"
    assert priority_of("tinggi", "KB", plan=plan) == 10
    assert priority_of("tinggi", "KS", plan=plan) == 2  # merged key by key


@pytest.mark.parametrize(
    "override",
    [
        {"prioritas": {"tinggi": {"KB": 2}}},  # 2 twice
        {"prioritas": {"tinggi": {"TK": 0}}},  # TK has no priority column
        {"pertimbangan_lain": {"kepadatan": {"batas_jiwa_per_ha": [400, 150]}}},
        {"pertimbangan_lain": {"kategori_min": {"tinggi": 5}}},
        {"agregasi": {"legalitas": "rata_rata"}},
        {"memorandum": {"sumber_dana_awal": {"jalan": "dana entah"}}},
        {"pola_penanganan": {"legal": {"KB": ""}}},
        {"salah_ketik": 1},
    ],
)
def test_bad_settings_are_refused_with_the_key(override):
    with pytest.raises(UsageError, match="rp2kpkp"):
        load_plan_rules({"rp2kpkp": override})


def test_the_02_2016_rule_set_uses_the_same_level_codes():
    plan = load_plan_rules(rules="permen-02-2016")
    assert plan.kumuh_codes == ("KB", "KS", "KR")
    assert priority_of("rendah", "KR", plan=plan) == 9


# --------------------------------------------------------------------------- RT → kawasan


def test_aggregate_flag_never_defaults_a_missing_rt():
    flag = pd.Series([True, pd.NA, False, False, pd.NA, pd.NA, True, False], dtype="boolean")
    luas = pd.Series([1.0, 5.0, 1.0, 1.0, 2.0, 1.0, 3.0, 1.0])
    group = pd.Series(["A", "A", "B", "B", "C", "C", "D", "D"])
    any_ = aggregate_flag(flag, luas, group, method="salah_satu")["nilai"]
    # A: one True decides; B: all known False; C: nothing known; D: one True
    assert any_.tolist() == [True, False, pd.NA, True]
    all_ = aggregate_flag(flag, luas, group, method="semua")["nilai"]
    # A: a missing RT could be False → unknown; B/D: a False decides
    assert all_.tolist() == [pd.NA, False, pd.NA, False]
    maj = aggregate_flag(flag, luas, group, method="mayoritas_luas")
    # A: True holds 1 of 6 ha, missing 5: could still reach half → unknown
    # B: 0 of 2 → False; C: unknown; D: True holds 3 of 4 ha ≥ half → True
    assert maj["nilai"].tolist() == [pd.NA, False, pd.NA, True]
    assert maj["n_kosong"].tolist() == [1, 0, 2, 0]
    assert maj["luas_true_ha"].tolist() == [1.0, 0.0, 0.0, 3.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([True, False, None]), st.integers(0, 5)), min_size=1, max_size=6
    ),
    st.sampled_from(["salah_satu", "semua", "mayoritas_luas"]),
)
def test_aggregate_flag_decides_exactly_when_every_completion_agrees(rts, method):
    """Three-valued soundness: a decided kawasan value is what every way of filling the
    missing RT values would give; an undecided one could go either way."""
    flags = pd.Series([f if f is not None else pd.NA for f, _ in rts], dtype="boolean")
    luas = pd.Series([float(u) for _, u in rts])
    group = pd.Series(["K"] * len(rts))
    got = aggregate_flag(flags, luas, group, method=method)["nilai"].iloc[0]
    missing = [i for i, (f, _) in enumerate(rts) if f is None]
    outcomes = set()
    for bits in itertools.product([True, False], repeat=len(missing)):
        full = [f for f, _ in rts]
        for i, b in zip(missing, bits, strict=True):
            full[i] = b
        done = aggregate_flag(pd.Series(full, dtype="boolean"), luas, group, method=method)[
            "nilai"
        ].iloc[0]
        assert not pd.isna(done)  # complete data always decides
        outcomes.add(bool(done))
    if pd.isna(got):
        assert outcomes == {True, False}
    else:
        assert outcomes == {bool(got)}


def _rt(kode, *, golden=True, **changes) -> dict:
    row = {
        "kode_rt": kode, "tahun": 2024, "luas_ha": 4.63, "jumlah_bangunan": 50, "jumlah_penduduk": 201,
        "jumlah_kk": 60, "panjang_jalan_ideal_m": 780.0, "panjang_drainase_ideal_m": 385.0,
    }  # fmt: skip
    for c, v in zip(CRITERIA_CODES, GOLDEN_VOLUMES if golden else [0] * 16, strict=True):
        row[f"v_{c}"] = float(v)
    row.update(changes)
    return row


def _units(mapping: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kode_rt": list(mapping),
            "kode_kawasan": list(mapping.values()),
            "nama_kawasan": [f"Kawasan {k}" for k in mapping.values()],
            "kelurahan": ["Sumbermulyo"] * len(mapping),
            "kecamatan": ["Jogoroto"] * len(mapping),
            "sumber_kawasan": ["delineasi"] * len(mapping),
        }
    )


def test_a_kawasan_of_the_golden_rt_scores_as_domain_md_section_4():
    sc = score(
        pd.DataFrame(
            [
                _rt(
                    "R1",
                    legalitas="legal",
                    nilai_strategis="ya",
                    sosial_ekonomi="ya",
                    tipologi="tepi air",
                )
            ]
        )
    )
    p = kawasan_profile(sc, _units({"R1": "K1"}), plan=PLAN).iloc[0]
    assert [p[f"p_{c}"] for c in CRITERIA_CODES] == GOLDEN_P
    assert p["total_nilai"] == 38 and p["tingkat"] == "KS"
    assert p["rata_sektoral"] == 50.86
    # pertimbangan: strategis 5 + density 201/4.63 = 43.4 → rendah 1 + sosek 5 = 11 → tinggi
    assert p["kepadatan_jiwa_ha"] == pytest.approx(201 / 4.63)
    assert p["skor_pertimbangan"] == 11 and p["pertimbangan"] == "tinggi"
    assert p["prioritas"] == 2  # tinggi × sedang
    assert p["pola_penanganan"] == "peremajaan 4,63 ha (1 RT)"  # its one RT: legal × sedang
    assert p["legalitas"] == "legal" and p["luas_peremajaan_ha"] == 4.63
    assert p["luas_kumuh_ha"] == 4.63 and p["data_kurang"] == ""


def test_kawasan_percentages_come_from_summed_volumes_not_averaged_percentages():
    # R1: 9 of 10 buildings irregular (90 %); R2: 0 of 90 (0 %).
    # Kawasan: 9 / 100 = 9 % → score 0; the mean of the RT percentages would be 45 % → 1.
    a = _rt("R1", golden=False, jumlah_bangunan=10, v_1a=9.0, luas_ha=1.0, jumlah_penduduk=100)
    b = _rt("R2", golden=False, jumlah_bangunan=90, luas_ha=3.0, jumlah_penduduk=700)
    sc = score(pd.DataFrame([a, b]))
    p = kawasan_profile(sc, _units({"R1": "K1", "R2": "K1"}), plan=PLAN).iloc[0]
    assert p["p_1a"] == 9.0 and p["n_1a"] == 0
    assert p["jumlah_bangunan"] == 100 and p["luas_ha"] == 4.0 and p["jumlah_rt"] == 2
    assert p["kepadatan_jiwa_ha"] == 200.0  # 800 people / 4 ha (not the mean of 100 and 233)


def test_missing_inputs_are_named_and_never_defaulted():
    rows = [
        # K1: one RT ilegal, one unknown: the ilegal RT is resettled, the other undecided
        _rt(
            "A1", legalitas="ilegal", nilai_strategis="ya", sosial_ekonomi="ya", tipologi="tepi air"
        ),
        _rt("A2", legalitas=None, nilai_strategis="ya", sosial_ekonomi="ya", tipologi="tepi air"),
        # K2: one RT legal, one unknown: the legal RT (sedang) is renewed, the other undecided
        _rt(
            "B1",
            legalitas="legal",
            nilai_strategis="ya",
            sosial_ekonomi="ya",
            tipologi="dataran rendah",
        ),
        _rt("B2", legalitas=None, nilai_strategis="mungkin", sosial_ekonomi="ya", tipologi=None),
    ]
    sc = score(pd.DataFrame(rows))
    prof = kawasan_profile(
        sc, _units({"A1": "K1", "A2": "K1", "B1": "K2", "B2": "K2"}), plan=PLAN
    ).set_index("kode_kawasan")
    k1, k2 = prof.loc["K1"], prof.loc["K2"]
    # the kawasan's legality is decided only when the unknown RT cannot change it
    assert pd.isna(k1["legalitas"]) and pd.isna(k2["legalitas"])
    assert k1["pola_penanganan"] == (
        "permukiman kembali 4,63 ha (1 RT); belum dapat ditentukan 4,63 ha (1 RT)"
    )
    assert (
        k2["pola_penanganan"] == "peremajaan 4,63 ha (1 RT); belum dapat ditentukan 4,63 ha (1 RT)"
    )
    want = "legalitas belum diketahui di 1 dari 2 RT — pola 1 RT belum dapat ditentukan"
    assert want in k1["data_kurang"] and want in k2["data_kurang"]
    assert k1["luas_ilegal_ha"] == 4.63 and k2["luas_ilegal_ha"] == 0.0
    # "mungkin" is not a yes/no word: named; B1 "ya" holds half the luas → ya is decided
    assert k2["nilai_strategis"] == "ya"
    assert "'mungkin'" in k2["data_kurang"]
    assert "tipologi kosong di 1 dari 2 RT" in k2["data_kurang"]
    assert k2["tipologi"] == "dataran rendah"


def test_absent_optional_columns_leave_priority_and_pattern_empty():
    sc = score(pd.DataFrame([_rt("R1")]))  # no legalitas, nilai_strategis, sosial_ekonomi, tipologi
    p = kawasan_profile(sc, _units({"R1": "K1"}), plan=PLAN).iloc[0]
    assert pd.isna(p["prioritas"]) and pd.isna(p["legalitas"])
    assert p["pola_penanganan"] == "belum dapat ditentukan 4,63 ha (1 RT)"
    for name in ("legalitas", "nilai_strategis", "sosial_ekonomi", "tipologi"):
        assert f"kolom {name} tidak ada di baseline" in p["data_kurang"]


def test_legality_from_tenure_and_spatial_plan_columns():
    rows = [
        _rt("A1", status_lahan="SHM", kesesuaian_rtr="sesuai"),
        _rt("B1", status_lahan="SHM", kesesuaian_rtr="tidak sesuai"),
        _rt("C1", status_lahan="SHM", kesesuaian_rtr=None),  # tenure alone: not legal
        _rt("D1", status_lahan="sengketa", kesesuaian_rtr=None),  # nor ilegal
    ]
    units = _units({"A1": "K1", "B1": "K2", "C1": "K3", "D1": "K4"})
    prof = kawasan_profile(score(pd.DataFrame(rows)), units, plan=PLAN)
    assert prof["legalitas"].tolist()[:2] == ["legal", "ilegal"]
    assert prof["legalitas"].iloc[2:].isna().all()
    assert prof["pola_penanganan"].tolist() == [
        "peremajaan 4,63 ha (1 RT)", "permukiman kembali 4,63 ha (1 RT)",
        "belum dapat ditentukan 4,63 ha (1 RT)", "belum dapat ditentukan 4,63 ha (1 RT)",
    ]  # fmt: skip
    assert (
        "kesesuaian_rtr kosong — status lahan dan kesesuaian RTR harus keduanya diisi"
        in (prof["data_kurang"].iloc[2])
    )
    # the older column names are read the same way
    old = [_rt("A1", status_tanah="SHM", kesesuaian_tata_ruang="tidak sesuai")]
    p_old = kawasan_profile(score(pd.DataFrame(old)), _units({"A1": "K1"}), plan=PLAN)
    assert p_old["legalitas"].tolist() == ["ilegal"]


def test_sk_rows_choose_the_kawasan_and_a_kawasan_without_rts_is_reported():
    sc = score(
        pd.DataFrame(
            [
                _rt(
                    "R1",
                    legalitas="legal",
                    nilai_strategis="tidak",
                    sosial_ekonomi="tidak",
                    tipologi="tepi air",
                )
            ]
        )
    )
    sk = pd.DataFrame(
        {"no_sk": ["1/2024", "1/2024"], "kode_kawasan": ["K9", "K1"], "nama_lokasi": ["Tanpa RT", "Kampung Satu"],
         "kelurahan": ["X", "Sumbermulyo"], "kecamatan": ["Y", "Jogoroto"], "luas_sk_ha": [2.0, 4.5]}
    )  # fmt: skip
    prof = kawasan_profile(sc, _units({"R1": "K1"}), plan=PLAN, sk_rows=sk)
    assert prof["kode_kawasan"].tolist() == ["K9", "K1"]  # SK order
    k9 = prof.iloc[0]
    assert k9["jumlah_rt"] == 0 and pd.isna(k9["tingkat"]) and pd.isna(k9["prioritas"])
    assert "tidak ada RT" in k9["data_kurang"]
    assert prof.iloc[1]["nama_kawasan"] == "Kampung Satu" and prof.iloc[1]["luas_sk_ha"] == 4.5
    # pertimbangan 1 + 1 + 1 = 3 rendah × KS → 8
    assert prof.iloc[1]["prioritas"] == 8


def test_ranking_orders_by_priority_then_total_then_luas():
    prof = pd.DataFrame(
        {
            "kode_kawasan": ["A", "B", "C", "D", "E"],
            "prioritas": pd.array([6, 2, 6, pd.NA, 6], dtype="Int64"),
            "total_nilai": pd.array([20, 40, 30, 10, 30], dtype="Int64"),
            "luas_kumuh_ha": [5.0, 1.0, 2.0, 0.0, 8.0],
        }
    )
    r = priority_ranking(prof)
    assert r["kode_kawasan"].tolist() == ["B", "E", "C", "A", "D"]
    assert r["peringkat"].tolist()[:4] == [1, 2, 3, 4] and pd.isna(r["peringkat"].iloc[4])


# --------------------------------------------------------------------------- needs


def test_unit_costs_must_match_the_criterion_unit():
    with pytest.raises(UsageError, match="satuan 'm' berbeda"):
        load_unit_costs({"biaya_satuan": {"permen-14-2018": {"3a": {"satuan": "m"}}}})
    with pytest.raises(UsageError, match="harga_rp"):
        load_unit_costs({"biaya_satuan": {"permen-14-2018": {"3a": {"harga_rp": -5}}}})
    # the older rule set has its own table (4d, 4e, 6c exist there)
    assert "6c" in load_unit_costs(rules="permen-02-2016").table["kode"].tolist()


# --------------------------------------------------------------------------- memorandum round trip


@pytest.fixture(scope="module")
def demo_store(demo_project):
    return demo_project  # shared, read-only (tests/conftest.py)


@pytest.fixture
def store_copy(demo_store, tmp_path):
    import shutil

    from kumuhgis.store import open_store

    path = tmp_path / "kota.gpkg"
    shutil.copyfile(demo_store, path)
    return open_store(path)


@pytest.fixture(scope="module")
def demo_annex(demo_store):
    from kumuhgis.store import open_store

    return build_annex(load_snapshot(open_store(demo_store)))


def test_demo_annex_profile_is_consistent(demo_annex):
    p = demo_annex.profil
    assert len(p) == 20 and p["kode_kawasan"].is_unique
    # every kawasan sum is a sum of its RTs: luas kumuh never exceeds the kawasan's luas
    assert (p["luas_kumuh_ha"] <= p["luas_ha"] + 1e-9).all()
    # priorities only in 1..9 and only for slum levels; pattern for every kawasan
    assert set(p["prioritas"].dropna()) <= set(range(1, 10))
    assert p["pola_penanganan"].notna().all()
    assert (p["legalitas"] == "sebagian ilegal").sum() >= 1  # riverbank RTs on illegal land
    assert p["luas_terverifikasi_ha"].notna().all()  # SK verification was used
    assert demo_annex.memorandum_asal == "draf" and demo_annex.memorandum_tahun == [
        2021,
        2022,
        2023,
        2024,
        2025,
    ]
    # the phased program and what it leaves unfunded add up to the need (rupiah rounding
    # of the split lines aside: at most Rp 1 per part)
    assert demo_annex.memorandum["biaya_rp"].sum() + demo_annex.belum_terdanai[
        "biaya_rp"
    ].sum() == pytest.approx(demo_annex.kebutuhan["biaya_rp"].sum(), abs=len(demo_annex.memorandum))


def test_memorandum_xlsx_round_trip_without_loss(demo_annex, store_copy, tmp_path):
    path = write_memorandum_workbook(demo_annex, tmp_path / "memorandum_program.xlsx")
    kawasan = dict(
        zip(demo_annex.profil["kode_kawasan"], demo_annex.profil["nama_kawasan"], strict=True)
    )
    back = read_memorandum_file(path, kawasan=kawasan)
    pd.testing.assert_frame_equal(back, demo_annex.memorandum)
    # through the project table and back
    import_memorandum(store_copy, path)
    pd.testing.assert_frame_equal(
        stored_memorandum(load_snapshot(store_copy)), demo_annex.memorandum
    )
    # and again: written from the stored table, read back the same
    again = build_annex(load_snapshot(store_copy))
    assert again.memorandum_asal == "proyek"
    path2 = write_memorandum_workbook(again, tmp_path / "lagi.xlsx")
    pd.testing.assert_frame_equal(
        read_memorandum_file(path2, kawasan=kawasan), demo_annex.memorandum
    )


def _header_columns(ws) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows(min_row=1, max_row=10):
        values = [c.value for c in row]
        if "Kode kawasan" in values:
            return row[0].row, {v: i + 1 for i, v in enumerate(values) if v}
    raise AssertionError("header row not found")


def test_pokja_edits_in_excel_import_back(demo_annex, store_copy, tmp_path):
    path = write_memorandum_workbook(demo_annex, tmp_path / "memo.xlsx")
    wb = load_workbook(path)
    ws = wb["Memorandum program"]
    h, col = _header_columns(ws)
    first = h + 1
    ws.cell(first, col["Volume"]).value = "1.234,5"  # Indonesian number typed as text
    ws.cell(first, col["Biaya (Rp)"]).value = "Rp 350.000.000"
    ws.cell(first, col["Sumber dana"]).value = "APBD II"  # office spelling of APBD Kab/Kota
    apbn = next(
        r
        for r in range(first + 1, ws.max_row + 1)
        if ws.cell(r, col["Sumber dana"]).value == "APBN"
    )
    ws.cell(apbn, col["Sumber dana"]).value = "BPM"  # APBN with detail BPM/BDI
    ws.cell(apbn, col["Keterangan"]).value = 'Usulan musrenbang kecamatan — tahap 2; "prioritas"'
    ws.cell(first + 2, col["Tahun"]).value = "2027"
    n_before = len(demo_annex.memorandum)
    assert apbn > first + 3
    ws.delete_rows(first + 3)  # the Pokja removes an activity
    apbn -= 1
    new = ws.max_row + 1  # and adds a non-physical one (no criterion)
    for header, value in {
        "Kode kawasan": "KWS-02", "Kegiatan": "Pelatihan KSM dan KPP", "Volume": 2, "Satuan": "paket",
        "Biaya satuan (Rp)": "25.000.000", "Biaya (Rp)": 50000000, "Tahun": 2026, "Sumber dana": "CSR", "Rencana": "catatan bebas",
    }.items():  # fmt: skip
        if header not in col:
            col[header] = ws.max_column + 1
            ws.cell(h, col[header]).value = header  # an extra column, kept as text
        ws.cell(new, col[header]).value = value
    wb.save(path)

    frame = import_memorandum(store_copy, path)
    stored = stored_memorandum(load_snapshot(store_copy))
    pd.testing.assert_frame_equal(stored, frame)
    assert len(stored) == n_before  # one removed, one added
    r0, r1, r2 = stored.iloc[0], stored.iloc[apbn - h - 1], stored.iloc[2]
    assert (
        r0["volume"] == 1234.5
        and r0["biaya_rp"] == 350_000_000.0
        and r0["sumber_dana"] == "APBD Kab/Kota"
    )
    assert r1["sumber_dana"] == "APBN" and r1["rincian_dana"] == "BPM/BDI"
    assert r1["keterangan"] == 'Usulan musrenbang kecamatan — tahap 2; "prioritas"'
    assert r2["tahun"] == 2027
    last = stored.iloc[-1]
    assert pd.isna(last["kriteria"]) and last["kegiatan"] == "Pelatihan KSM dan KPP"
    assert last["biaya_satuan_rp"] == 25_000_000.0 and last["sumber_dana"] == "Swasta/CSR"
    assert last["rencana"] == "catatan bebas" and pd.isna(stored.iloc[0]["rencana"])
    # the changed first row warns that biaya ≠ volume × harga, but is stored as written
    warnings = frame.attrs["problems"]
    assert any(
        p.column == "biaya_rp" and p.row == first and p.severity == "warning" for p in warnings
    )


def test_bad_edits_are_all_reported_and_the_store_is_untouched(
    demo_annex, store_copy, tmp_path, capsys
):
    path = write_memorandum_workbook(demo_annex, tmp_path / "memo.xlsx")
    wb = load_workbook(path)
    ws = wb["Memorandum program"]
    h, col = _header_columns(ws)
    r = h + 1
    ws.cell(r, col["Kode kawasan"]).value = "KWS-99"
    ws.cell(r + 1, col["Volume"]).value = "dua ratus"
    ws.cell(r + 2, col["Biaya (Rp)"]).value = "1.23.456"  # thousands groups of 2 digits
    ws.cell(r + 3, col["Sumber dana"]).value = "APBD"  # Provinsi or Kab/Kota?
    ws.cell(r + 4, col["Tahun"]).value = 1890
    ws.cell(r + 5, col["Kriteria"]).value = "2a; 2b"
    ws.cell(r + 6, col["Kegiatan"]).value = None
    ws.cell(r + 7, col["Volume"]).value = -3
    ws.cell(r + 8, col["Kriteria"]).value = "9z"
    wb.save(path)
    before = hashlib.sha256(store_copy.path.read_bytes()).hexdigest()
    with pytest.raises(ValidationError) as err:
        import_memorandum(store_copy, path)
    found = {(p.row, p.column) for p in err.value.problems if p.severity == "error"}
    assert found == {
        (r, "kode_kawasan"), (r + 1, "volume"), (r + 2, "biaya_rp"), (r + 3, "sumber_dana"), (r + 4, "tahun"),
        (r + 5, "kriteria"), (r + 6, "kegiatan"), (r + 7, "volume"), (r + 8, "kriteria"),
    }  # fmt: skip
    assert hashlib.sha256(store_copy.path.read_bytes()).hexdigest() == before
    assert store_copy.read_table("memorandum_program") is None
    # the command line: exit 2, the problems printed, nothing stored
    assert main(["memorandum-import", str(store_copy.path), str(path)]) == 2
    out = capsys.readouterr().err
    assert "KWS-99" in out and "kode_kawasan" in out
    assert hashlib.sha256(store_copy.path.read_bytes()).hexdigest() == before


def test_a_memorandum_without_required_columns_is_refused():
    raw = pd.DataFrame({"_row": [2], "Kode kawasan": ["K1"], "Uraian kegiatan": ["x"]})
    with pytest.raises(ValidationError) as err:
        parse_memorandum(raw, kawasan={"K1": "Satu"})
    missing = {p.column for p in err.value.problems}
    assert missing == {"volume", "biaya_rp", "tahun", "sumber_dana"}


def test_memorandum_from_csv_with_english_headers_variants(tmp_path):
    path = tmp_path / "memo.csv"
    path.write_text(
        "kode;kegiatan;vol;satuan;anggaran (Rp);tahun anggaran;sumber\n"
        "K1;Perbaikan jalan;1.250,5;m;Rp 12.500.000,00;2026;Dana Desa\n",
        encoding="utf-8",
    )
    frame = read_memorandum_file(path, kawasan={"K1": "Satu"})
    row = frame.iloc[0]
    assert (
        row["kode_kawasan"],
        row["volume"],
        row["biaya_rp"],
        row["tahun"],
        row["sumber_dana"],
    ) == ("K1", 1250.5, 12_500_000.0, 2026, "Dana Desa")


def test_memorandum_import_command(demo_annex, store_copy, tmp_path, capsys):
    path = write_memorandum_workbook(demo_annex, tmp_path / "memo.xlsx")
    assert main(["memorandum-import", str(store_copy.path), str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{len(demo_annex.memorandum)} baris memorandum program disimpan" in out
    audit = store_copy.audit()
    assert audit["layer"].iloc[-1] == "memorandum_program"
    assert main(["memorandum-import", str(store_copy.path), str(tmp_path / "tidak-ada.xlsx")]) == 2
