"""Years (observed/derived), kolaborasi attribution and the three reduction measures
(domain.md §2, §5), with the office workbook and charts.

The small city used here (hand-calculated below) has three RTs:

* R1 (kelurahan K1, kawasan KW1): the domain.md §4 golden RT, luas 4.63 ha, surveyed in
  2019 only. Kolaborasi K-1 (2020, 2b, 200 m) and K-2 (2021, 2b, 500 m) lie inside it.
  2b: 605 → 405 → max(0, 405 − 500) = 0 m of 780 m, i.e. 77.56 % (5) → 51.92 % (3) → 0 % (0).
  Totals 38 (KS) → 36 (KR) → 33 (KR). Sectoral 50.86 → 49.03 → 45.32:
  2020: (17.33 + (12.82 + 51.92)/2 + 45 + 26.84 + 21.67 + 100 + 100) / 7 = 343.21 / 7 = 49.03;
  2021: (17.33 + 12.82/2 + 45 + 26.84 + 21.67 + 200) / 7 = 317.25 / 7 = 45.32.
* R2 (K1, KW1): luas 2.5 ha, 40 buildings, 30 KK; only 6a = 6b = 30 KK and 7a = 7b = 40
  units (all 100 %): total 20 (KR), sectoral 200/7 = 28.57. Surveyed again in 2021 with
  7a = 7b = 0: total 10 (TK), sectoral 100/7 = 14.29. K-3 (2021, 7a) lies inside it, but
  the 2021 survey wins.
* R3 (K2, outside the delineation, listed in SK kawasan KW2): golden volumes, luas 1.2 ha,
  KS in every year. K-4 (2020, 6a, 60 KK) lies inside it but outside the delineation, so
  it changes nothing. K-5 is a line across R1 and R2, inside neither: it counts nowhere.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from shapely.geometry import LineString, Point, box

from kumuhgis.analysis.city import reduction_city
from kumuhgis.analysis.reduction import reduction, rt_kawasan, rt_units
from kumuhgis.analysis.scoring import score
from kumuhgis.analysis.years import attribute_kolaborasi, derive_conditions
from kumuhgis.core.errors import CRSError, UsageError, ValidationError
from kumuhgis.core.schema import CRITERIA_CODES
from kumuhgis.core.vocabulary import work_kriteria
from kumuhgis.outputs.charts import chart_levels_by_year, reduction_charts
from kumuhgis.outputs.reduction_files import write_reduction
from kumuhgis.outputs.workbook import Column, Sheet, write_workbook
from kumuhgis.store.snapshot import load_snapshot

D = 0.001  # RT squares of 0.001° (about 110 m)
X0, Y0 = 112.9, -7.5
GOLDEN_VOLUMES = [13, 0, 13, 100, 605, 54, 0, 0, 0, 310, 10, 16, 60, 60, 50, 50]


def _square(i: int):
    return box(X0 + i * D, Y0, X0 + (i + 1) * D, Y0 + D)


def _rt_row(kode: str, tahun: int, *, golden: bool = True, **changes) -> dict:
    row = {
        "kode_rt": kode, "tahun": tahun, "luas_ha": 4.63, "jumlah_bangunan": 50, "jumlah_penduduk": 201,
        "jumlah_kk": 60, "panjang_jalan_ideal_m": 780.0, "panjang_drainase_ideal_m": 385.0,
    }  # fmt: skip
    vols = GOLDEN_VOLUMES if golden else [0] * 16
    row.update({f"v_{c}": float(v) for c, v in zip(CRITERIA_CODES, vols, strict=True)})
    row.update(changes)
    return row


def _r2(tahun: int, **changes) -> dict:
    header = dict(luas_ha=2.5, jumlah_bangunan=40, jumlah_penduduk=100, jumlah_kk=30)
    header.update(panjang_jalan_ideal_m=500.0, panjang_drainase_ideal_m=200.0)
    volumes = {"v_6a": 30.0, "v_6b": 30.0, "v_7a": 40.0, "v_7b": 40.0, **changes}
    return _rt_row("R2", tahun, golden=False, **header, **volumes)


def city() -> dict:
    crs = "EPSG:4326"
    rt = gpd.GeoDataFrame(
        {
            "kode_rt": ["R1", "R2", "R3"],
            "rt": ["001", "002", "001"],
            "rw": ["01", "01", "02"],
            "kode_kel": ["K1", "K1", "K2"],
        },
        geometry=[_square(0), _square(1), _square(2)],
        crs=crs,
    )
    wilayah = gpd.GeoDataFrame(
        {
            "kode_kel": ["K1", "K2"],
            "kelurahan": ["Baamang Hulu", "Mentawa Baru Hulu"],
            "kecamatan": ["Baamang", "MB Ketapang"],
            "kota": ["Sampit", "Sampit"],
        },
        geometry=[box(X0, Y0, X0 + 2 * D, Y0 + D), _square(2)],
        crs=crs,
    )
    delineasi = gpd.GeoDataFrame(
        {
            "kode_kawasan": ["KW1", "KW3"],
            "nama_kawasan": ["Kawasan Satu", "Kawasan Baru"],
            "kode_kel": ["K1", "K2"],
            "tahun": [2019, 2022],
        },
        geometry=[box(X0, Y0, X0 + 2 * D, Y0 + D), _square(2)],
        crs=crs,
    )
    sk = pd.DataFrame(
        {"no_sk": ["1/2019"], "tanggal_sk": ["2019-03-01"], "kode_kawasan": ["KW2"], "nama_lokasi": ["Kawasan Dua"],
         "kelurahan": ["Mentawa Baru Hulu"], "kecamatan": ["MB Ketapang"], "luas_sk_ha": [1.2], "kode_rt": ["R3"]}
    )  # fmt: skip
    mid = Y0 + D / 2
    kolaborasi = gpd.GeoDataFrame(
        {
            "kode_kegiatan": ["K-1", "K-2", "K-3", "K-4", "K-5"],
            "nama_kegiatan": ["Paving", "Rabat beton", "Hidran", "Gerobak sampah", "Saluran"],
            "tahun": [2020, 2021, 2021, 2020, 2020],
            "sumber_dana": ["APBD Kab/Kota", "APBN", "Swasta/CSR", "DAK", "APBN"],
            "nilai_rp": [1e8, 2e8, 5e7, 3e7, 9e7],
            "kriteria": ["2b", "2B", "7a", "6a", "4b"],
            "volume": [200.0, 500.0, 40.0, 60.0, 150.0],
            "satuan": ["m", "m", "unit", "KK", "m"],
        },
        geometry=[
            Point(X0 + 0.3 * D, mid), Point(X0 + 0.6 * D, mid), Point(X0 + 1.5 * D, mid),
            Point(X0 + 2.5 * D, mid), LineString([(X0 + 0.5 * D, mid), (X0 + 1.5 * D, mid)]),
        ],
        crs=crs,
    )  # fmt: skip
    baseline = pd.DataFrame(
        [
            _rt_row("R1", 2019),
            _r2(2019),
            _rt_row("R3", 2019, luas_ha=1.2),
            _r2(2021, v_7a=0.0, v_7b=0.0),
        ]
    )
    return {
        "rt": rt,
        "wilayah": wilayah,
        "delineasi": delineasi,
        "sk_kumuh": sk,
        "kolaborasi": kolaborasi,
        "baseline": baseline,
    }


@pytest.fixture(scope="module")
def scored():
    c = city()
    att = attribute_kolaborasi(c["kolaborasi"], c["rt"], delineasi=c["delineasi"])
    cond = derive_conditions(c["baseline"], att)
    units = rt_units(c["rt"], c["wilayah"], delineasi=c["delineasi"], sk_kumuh=c["sk_kumuh"])
    return {"city": c, "att": att, "cond": cond, "scores": score(cond.conditions), "units": units}


# --------------------------------------------------------------------------- years


def test_work_kriteria():
    assert work_kriteria("2a; 2B,4b 2a") == ["2a", "2b", "4b"]
    assert work_kriteria(None) == [] and work_kriteria(float("nan")) == []
    # both rule sets' codes are known; a stray token is left out, not an error
    assert work_kriteria("4d/6c\nxyz") == ["4d", "6c"]


def test_attribution_is_containment_inside_rt_and_delineation(scored):
    att = scored["att"]
    assert sorted(zip(att["kode_kegiatan"], att["kode_rt"], att["kriteria"], strict=True)) == [
        ("K-1", "R1", "2b"),
        ("K-2", "R1", "2b"),  # "2B" read as 2b
        ("K-3", "R2", "7a"),
    ]  # K-4: outside the delineation in force in 2020; K-5: a line inside no single RT


def test_attribution_edge_cases():
    c = city()
    on_edge = c["kolaborasi"].iloc[[0]].copy()
    on_edge["geometry"] = [Point(X0 + D, Y0 + D / 2)]  # on the shared edge of R1 and R2
    att = attribute_kolaborasi(on_edge, c["rt"], delineasi=c["delineasi"])
    assert att["kode_rt"].tolist() == ["R1"]  # counted once, for the first kode_rt
    later = c["kolaborasi"].iloc[[3]].copy()
    later["tahun"] = [2023]  # KW3 (delineated 2022) is in force by 2023
    assert attribute_kolaborasi(later, c["rt"], delineasi=c["delineasi"])["kode_rt"].tolist() == [
        "R3"
    ]
    # without a delineation layer only the RT containment counts
    assert len(attribute_kolaborasi(c["kolaborasi"], c["rt"])) == 4
    no_crs = c["kolaborasi"].set_crs(None, allow_override=True)
    with pytest.raises(CRSError):
        attribute_kolaborasi(no_crs, c["rt"])
    assert attribute_kolaborasi(c["kolaborasi"].iloc[0:0], c["rt"]).empty


def test_attribution_can_follow_another_classifier():
    c = city()
    placement = pd.DataFrame(
        {"kode_kegiatan": ["K-5", "K-4", "K-9"], "kode_rt": ["R2", None, "R1"]}
    )
    att = attribute_kolaborasi(
        c["kolaborasi"], c["rt"], delineasi=c["delineasi"], placement=placement
    )
    # only listed works with an RT count, wherever their geometry lies
    assert list(zip(att["kode_kegiatan"], att["kode_rt"], att["kriteria"], strict=True)) == [
        ("K-5", "R2", "4b")
    ]


def test_project_setting_switches_attribution_to_the_korkot_classification(tmp_path):
    from kumuhgis.analysis.city import city_conditions
    from kumuhgis.store import create_store

    c = city()
    # the SK in force must list KW1 for its works to lie inside the delineation (domain.md §7)
    sk = pd.concat(
        [
            c["sk_kumuh"],
            c["sk_kumuh"].assign(kode_kawasan="KW1", nama_lokasi="Kawasan Satu", kode_rt="R1;R2"),
        ]
    )
    store = create_store(tmp_path / "kota.gpkg", settings={"atribusi_kolaborasi": "klasifikasi"})
    with store.transaction(command="test") as tx:
        for layer in ("wilayah", "rt", "delineasi", "kolaborasi", "baseline"):
            tx.write(layer, c[layer])
        tx.write("sk_kumuh", sk)
    cond = city_conditions(load_snapshot(store))
    # the classifier places the line K-5 in the RT holding most of it; containment counted it nowhere
    assert set(cond.attribution["kode_kegiatan"]) == {"K-1", "K-2", "K-3", "K-5"}
    tr = cond.trace.set_index(["kode_rt", "tahun", "kriteria"])
    assert tr.loc[("R1", 2021, "2b"), "volume_after"] == 0.0
    with pytest.raises(UsageError, match="atribusi_kolaborasi"):
        city_conditions(load_snapshot(store, settings={"atribusi_kolaborasi": "acak"}))


def test_observed_and_derived_years(scored):
    cond = scored["cond"].conditions.set_index(["kode_rt", "tahun"])
    assert cond.loc[("R1", 2019), "asal"] == "observed"
    assert cond.loc[("R1", 2020), "asal"] == "derived"
    assert cond.loc[("R2", 2021), "asal"] == "observed"
    # R1 2b: 605 → 405 → max(0, 405 − 500) = 0
    assert [cond.loc[("R1", y), "v_2b"] for y in (2019, 2020, 2021)] == [605.0, 405.0, 0.0]
    # R2 2021: the survey wins over K-3 (7a 40 − 40 would also be 0; 7b has no kolaborasi)
    assert (cond.loc[("R2", 2021), "v_7a"], cond.loc[("R2", 2021), "v_7b"]) == (0.0, 0.0)
    assert cond.loc[("R2", 2020), "v_7b"] == 40.0
    # R3: K-4 lies outside the delineation → 6a unchanged
    assert cond.loc[("R3", 2021), "v_6a"] == 60.0
    # header columns are carried into derived years
    assert cond.loc[("R3", 2021), "luas_ha"] == 1.2
    assert len(cond) == 9


def test_trace_names_the_kolaborasi_behind_every_derived_figure(scored):
    tr = scored["cond"].trace.set_index(["kode_rt", "tahun", "kriteria"])
    r = tr.loc[("R1", 2021, "2b")]
    assert (r["asal"], r["volume_before"], r["kode_kegiatan"]) == ("derived", 405.0, "K-2")
    assert (r["volume_kolaborasi"], r["volume_subtracted"], r["volume_after"]) == (
        500.0,
        405.0,
        0.0,
    )
    r = tr.loc[("R1", 2020, "2b")]
    assert (r["kode_kegiatan"], r["volume_subtracted"], r["volume_after"]) == ("K-1", 200.0, 405.0)
    r = tr.loc[("R2", 2021, "7a")]
    assert (r["asal"], r["kode_kegiatan"], r["volume_subtracted"], r["volume_after"]) == (
        "observed",
        "K-3",
        0.0,
        0.0,
    )
    # the trace holds the cells a kolaborasi touched or whose volume moved: K-4 lies
    # outside (R3 6a unchanged) and the first survey has nothing before it
    assert ("R3", 2020, "6a") not in tr.index
    assert ("R1", 2019, "2b") not in tr.index


def test_scores_of_the_multi_year_example(scored):
    s = scored["scores"].set_index(["kode_rt", "tahun"])
    assert [s.loc[("R1", y), "total_nilai"] for y in (2019, 2020, 2021)] == [38, 36, 33]
    assert [s.loc[("R1", y), "tingkat"] for y in (2019, 2020, 2021)] == ["KS", "KR", "KR"]
    assert [s.loc[("R1", y), "rata_sektoral"] for y in (2019, 2020, 2021)] == [50.86, 49.03, 45.32]
    assert [s.loc[("R2", y), "tingkat"] for y in (2019, 2020, 2021)] == ["KR", "KR", "TK"]
    assert [s.loc[("R2", y), "rata_sektoral"] for y in (2019, 2021)] == [28.57, 14.29]


def test_duplicate_survey_rows_are_refused():
    base = pd.DataFrame([_rt_row("R1", 2019), _rt_row("R1", 2019)])
    with pytest.raises(ValidationError) as exc:
        derive_conditions(base)
    assert [p.row for p in exc.value.problems] == [2, 3]


def test_until_extends_the_years():
    cond = derive_conditions(pd.DataFrame([_rt_row("R1", 2019)]), until=2022).conditions
    assert cond["tahun"].tolist() == [2019, 2020, 2021, 2022]
    assert cond["asal"].tolist() == ["observed", "derived", "derived", "derived"]


# --------------------------------------------------------------------------- units


def test_rt_to_kawasan_by_delineation_then_sk(scored):
    k = rt_kawasan(
        scored["city"]["rt"],
        delineasi=scored["city"]["delineasi"],
        sk_kumuh=scored["city"]["sk_kumuh"],
    )
    # R3's representative point lies in KW3 (delineated 2022) — the polygon wins over the SK list
    assert k.set_index("kode_rt")["kode_kawasan"].to_dict() == {
        "R1": "KW1",
        "R2": "KW1",
        "R3": "KW3",
    }
    c = city()
    k = rt_kawasan(c["rt"], delineasi=c["delineasi"].iloc[[0]], sk_kumuh=c["sk_kumuh"])
    assert k.set_index("kode_rt")[["kode_kawasan", "sumber_kawasan"]].loc["R3"].tolist() == [
        "KW2",
        "sk",
    ]
    u = rt_units(c["rt"], c["wilayah"], delineasi=c["delineasi"].iloc[[0]])
    assert u.set_index("kode_rt").loc["R3", "kode_kawasan"] == "(di luar delineasi)"
    assert u.set_index("kode_rt").loc["R3", "kecamatan"] == "MB Ketapang"


# --------------------------------------------------------------------------- reduction


def _red(scored, by="kelurahan", **kw):
    c = city()
    units = rt_units(
        c["rt"], c["wilayah"], delineasi=c["delineasi"].iloc[[0]], sk_kumuh=c["sk_kumuh"]
    )
    return reduction(
        scored["scores"], units, year_from=2019, year_to=2021, by=by,
        targets={2020: 1.0, 2021: 2.0}, trace=scored["cond"].trace, **kw,
    )  # fmt: skip


def test_measure_1_luas_kumuh_by_kelurahan_and_city(scored):
    r = _red(scored)
    w = r.wilayah.set_index("kode_kel")
    # K1: R1 4.63 (KS) + R2 2.5 (KR) = 7.13 → R1 4.63 (KR), R2 TK → 4.63: −2.5
    assert w.loc["K1", "luas_kumuh_awal_ha"] == 7.13
    assert w.loc["K1", "luas_kumuh_akhir_ha"] == 4.63
    assert w.loc["K1", "pengurangan_luas_kumuh_ha"] == 2.5
    assert w.loc["K2", "pengurangan_luas_kumuh_ha"] == 0.0
    assert w.loc["K1", "kelurahan"] == "Baamang Hulu"
    assert r.totals["luas_kumuh_awal_ha"] == 8.33  # 4.63 + 2.5 + 1.2
    assert r.totals["luas_kumuh_akhir_ha"] == 5.83
    assert r.totals["pengurangan_luas_kumuh_ha"] == 2.5


def test_hectares_per_level_per_year(scored):
    py = _red(scored, by="kota").per_tahun.set_index("tahun")
    # 2019: KS R1 + R3 = 5.83, KR R2 = 2.5; 2020: KS R3 1.2, KR R1 + R2 = 7.13;
    # 2021: KS 1.2, KR 4.63, TK 2.5
    assert py[["luas_kb_ha", "luas_ks_ha", "luas_kr_ha", "luas_tk_ha"]].loc[2019].tolist() == [
        0.0,
        5.83,
        2.5,
        0.0,
    ]
    assert py[["luas_kb_ha", "luas_ks_ha", "luas_kr_ha", "luas_tk_ha"]].loc[2020].tolist() == [
        0.0,
        1.2,
        7.13,
        0.0,
    ]
    assert py[["luas_kb_ha", "luas_ks_ha", "luas_kr_ha", "luas_tk_ha"]].loc[2021].tolist() == [
        0.0,
        1.2,
        4.63,
        2.5,
    ]
    assert py["jumlah_rt_tk"].tolist() == [0, 0, 1]
    assert py["luas_kumuh_ha"].tolist() == [8.33, 8.33, 5.83]
    # kontribusi t−1 → t: 2020 only R1: 4.63 × (50.86 − 49.03) / 50.86;
    # 2021: R1 4.63 × (49.03 − 45.32) / 49.03 + R2 2.5 × (28.57 − 14.29) / 28.57
    assert np.isnan(py.loc[2019, "kontribusi_ha"])
    assert py.loc[2020, "kontribusi_ha"] == pytest.approx(4.63 * 183 / 5086, abs=1e-9)
    assert py.loc[2021, "kontribusi_ha"] == pytest.approx(
        4.63 * 371 / 4903 + 2.5 * 1428 / 2857, abs=1e-9
    )


def test_measure_2_hectare_equivalent_by_parameter_and_aspect(scored):
    r = _red(scored, by="kriteria")
    k = r.kriteria.set_index("kode")
    # 2b: R1 4.63 × 77.56 / 100 = 3.591028 → 0; 7a and 7b: R2 2.5 × 100 / 100 = 2.5 → 0
    assert k.loc["2b", "ha_setara_awal_ha"] == pytest.approx(3.591028 + 1.2 * 0.7756, abs=1e-12)
    assert k.loc["2b", "pengurangan_ha_setara_ha"] == 3.591028
    assert k.loc["7a", "pengurangan_ha_setara_ha"] == 2.5
    assert k.loc["7b", "pengurangan_ha_setara_ha"] == 2.5
    assert k.loc["3a", "pengurangan_ha_setara_ha"] == 0.0
    # aspects are means of their criteria: jalan (0 + 3.591028) / 2, kebakaran (2.5 + 2.5) / 2
    assert k.loc["jalan", "pengurangan_ha_setara_ha"] == 1.795514
    assert k.loc["kebakaran", "pengurangan_ha_setara_ha"] == 2.5
    # sectoral: mean of the 7 aspects = (1.795514 + 2.5) / 7
    assert k.loc["sektoral", "pengurangan_ha_setara_ha"] == pytest.approx(4.295514 / 7, abs=1e-15)
    assert r.view is r.kriteria
    assert r.wilayah["kota"].tolist() == ["Sampit"]
    p = _red(scored, by="kelurahan").parameter.set_index("kode_kel")
    assert p.loc["K1", "pengurangan_ha_2b"] == 3.591028
    assert p.loc["K2", "pengurangan_ha_2b"] == 0.0


def test_measure_3_kontribusi_penanganan(scored):
    r = _red(scored)
    w = r.wilayah.set_index("kode_kel")
    # K1: R1 4.63 × (50.86 − 45.32) / 50.86 + R2 2.5 × (28.57 − 14.29) / 28.57
    k1 = 4.63 * 554 / 5086 + 2.5 * 1428 / 2857
    assert w.loc["K1", "kontribusi_ha"] == pytest.approx(k1, abs=1e-9)
    assert w.loc["K1", "kontribusi"] == pytest.approx(k1 / 7.13, abs=1e-9)
    assert w.loc["K2", "kontribusi_ha"] == 0.0
    assert r.totals["kontribusi"] == pytest.approx(k1 / 8.33, abs=1e-9)


def test_progress_against_cumulative_targets(scored):
    # default: targets are the reduction since the baseline year aimed for by each year end
    t = _red(scored).target.set_index("tahun")  # targets {2020: 1.0, 2021: 2.0}
    assert t["pengurangan_tahunan_ha"].tolist() == [0.0, 0.0, 2.5]
    assert t["pengurangan_kumulatif_ha"].tolist() == [0.0, 0.0, 2.5]
    assert t.loc[2021, "target_kumulatif_ha"] == 2.0
    assert t.loc[2021, "target_tahunan_ha"] == 1.0  # 2.0 − 1.0
    assert t.loc[2021, "capaian_kumulatif_persen"] == 125.0  # 2.5 / 2.0
    assert t.loc[2021, "capaian_tahunan_persen"] == 250.0  # 2.5 / 1.0
    assert t.loc[2020, "capaian_tahunan_persen"] == 0.0
    assert np.isnan(t.loc[2019, "target_kumulatif_ha"])


def test_progress_against_yearly_targets(scored):
    t = _red(scored, target_kind="tahunan").target.set_index("tahun")
    assert t.loc[2021, "target_tahunan_ha"] == 2.0
    assert t.loc[2021, "target_kumulatif_ha"] == 3.0  # 1.0 + 2.0
    assert t.loc[2021, "capaian_kumulatif_persen"] == pytest.approx(100 * 2.5 / 3.0)
    assert t.loc[2021, "capaian_tahunan_persen"] == 125.0
    with pytest.raises(UsageError, match="kumulatif"):
        _red(scored, target_kind="bulanan")


@pytest.mark.parametrize(
    "by, keys",
    [
        ("rt", ["R1", "R2", "R3"]),
        ("kawasan", ["KW1", "KW2"]),
        ("kecamatan", ["Baamang", "MB Ketapang"]),
        ("kota", ["Sampit"]),
    ],
)
def test_every_roll_up_unit(scored, by, keys):
    r = _red(scored, by=by)
    col = {"rt": "kode_rt", "kawasan": "kode_kawasan", "kecamatan": "kecamatan", "kota": "kota"}[by]
    assert r.wilayah[col].tolist() == keys
    assert r.wilayah["pengurangan_luas_kumuh_ha"].sum() == 2.5
    assert "pengurangan_ha_7a" in r.view.columns


def test_kawasan_from_sk_listing(scored):
    c = city()
    units = rt_units(
        c["rt"], c["wilayah"], delineasi=c["delineasi"].iloc[[0]], sk_kumuh=c["sk_kumuh"]
    )
    r = reduction(scored["scores"], units, year_from=2019, year_to=2021, by="kawasan")
    assert r.wilayah["kode_kawasan"].tolist() == ["KW1", "KW2"]
    assert r.wilayah.set_index("kode_kawasan").loc["KW2", "luas_kumuh_awal_ha"] == 1.2


def test_reduction_refuses_bad_options(scored):
    with pytest.raises(UsageError, match="--by"):
        _red(scored, by="provinsi")
    with pytest.raises(UsageError, match="2018"):
        reduction(scored["scores"], scored["units"], year_from=2018, year_to=2021)
    with pytest.raises(UsageError, match="--from"):
        reduction(scored["scores"], scored["units"], year_from=2021, year_to=2019)


# --------------------------------------------------------------------------- properties


def _random_city(draw, *, n_rt: int):
    rows0, rows1, units = [], [], []
    for i in range(n_rt):
        luas = draw(st.integers(1, 2000)) / 100
        head = dict(
            luas_ha=luas, jumlah_bangunan=draw(st.integers(0, 200)), jumlah_penduduk=10,
            jumlah_kk=draw(st.integers(0, 200)), panjang_jalan_ideal_m=float(draw(st.integers(0, 2000))),
            panjang_drainase_ideal_m=float(draw(st.integers(0, 2000))),
        )  # fmt: skip
        v0 = {f"v_{c}": draw(st.integers(0, 30000)) / 100 for c in CRITERIA_CODES}
        factor = {c: draw(st.integers(0, 100)) for c in CRITERIA_CODES}
        v1 = {f"v_{c}": float(int(v0[f"v_{c}"] * factor[c]) / 100) for c in CRITERIA_CODES}
        rows0.append({"kode_rt": f"R{i}", "tahun": 2019, **head, **v0})
        rows1.append({"kode_rt": f"R{i}", "tahun": 2020, **head, **v1})
        kel = draw(st.sampled_from(["K1", "K2", "K3"]))
        units.append(
            {
                "kode_rt": f"R{i}",
                "kode_kel": kel,
                "kelurahan": kel,
                "kecamatan": "C" + kel[-1:] if kel != "K3" else "C1",
                "kota": "Kota",
            }
        )
    return pd.DataFrame(rows0 + rows1), pd.DataFrame(units)


@st.composite
def falling_cities(draw):
    return _random_city(draw, n_rt=draw(st.integers(1, 6)))


@settings(max_examples=30, deadline=None)
@given(falling_cities())
def test_reduction_is_never_negative_when_volumes_only_fall(data):
    rows, units = data
    r = reduction(score(rows), units, year_from=2019, year_to=2020, by="kelurahan")
    w = r.wilayah
    assert (w["pengurangan_luas_kumuh_ha"] >= 0).all()
    assert (w["pengurangan_ha_setara_ha"] >= 0).all()
    assert (w["kontribusi_ha"] >= 0).all()
    assert (r.parameter.drop(columns=["kode_kel"]) >= 0).all().all()
    assert (r.kriteria["pengurangan_ha_setara_ha"] >= 0).all()


def _units_e10(values) -> int:
    return sum(round(v * 10**10) for v in values)


@settings(max_examples=30, deadline=None)
@given(falling_cities())
def test_kelurahan_figures_add_up_to_the_city_exactly(data):
    rows, units = data
    kel = reduction(score(rows), units, year_from=2019, year_to=2020, by="kelurahan")
    kota = reduction(score(rows), units, year_from=2019, year_to=2020, by="kota")
    kec = reduction(score(rows), units, year_from=2019, year_to=2020, by="kecamatan")
    additive = [
        "luas_ha",
        "luas_kumuh_awal_ha",
        "luas_kumuh_akhir_ha",
        "pengurangan_luas_kumuh_ha",
        "kontribusi_ha",
    ]
    for col in additive:
        city_value = kota.wilayah[col].item()
        # in the exact unit of 10⁻¹⁰ ha: Σ kelurahan = Σ kecamatan = kota = totals
        assert _units_e10(kel.wilayah[col]) == round(city_value * 10**10)
        assert _units_e10(kec.wilayah[col]) == round(city_value * 10**10)
        assert kel.totals[col] == city_value
    for c in CRITERIA_CODES:
        assert _units_e10(kel.parameter[f"pengurangan_ha_{c}"]) == round(
            kota.parameter[f"pengurangan_ha_{c}"].item() * 10**10
        )
    # aspect and sectoral figures are sums of exact fractions, converted once
    assert kel.wilayah["pengurangan_ha_setara_ha"].sum() == pytest.approx(
        kota.wilayah["pengurangan_ha_setara_ha"].item(), abs=1e-9
    )


# --------------------------------------------------------------------------- store


def test_reduction_from_a_real_project(tmp_path):
    from kumuhgis.store import create_store

    c = city()
    # this fixture's SK lists a kawasan without a polygon (KW2), so the plain containment
    # test is asked for explicitly; the default classification is tested below
    store = create_store(
        tmp_path / "kota.gpkg",
        kota="Sampit",
        settings={"target_pengurangan_ha": {2021: 2.0}, "atribusi_kolaborasi": "kontainmen"},
    )
    with store.transaction(command="test") as tx:
        for layer in ("wilayah", "rt", "delineasi", "sk_kumuh", "kolaborasi", "baseline"):
            tx.write(layer, c[layer])
    # official scope: SK 1/2019 lists KW2 = R3 only (1.2 ha, kumuh throughout): no reduction;
    # the whole city: R2 (2.5 ha) left the slums. Kumuh outside every SK: none (R1, R2 lie in
    # the delineation KW1)
    r = reduction_city(load_snapshot(store), year_from=2019, year_to=2021, by="kelurahan")
    assert r.lingkup == "sk" and r.lingkup_label.startswith("SK 1/2019")
    assert (r.totals["jumlah_rt"], r.totals["pengurangan_luas_kumuh_ha"]) == (1, 0.0)
    scope = r.lingkup_tabel.set_index("lingkup")
    assert scope.loc["sk", "luas_kumuh_awal_ha"] == 1.2
    assert scope.loc["kota", "luas_kumuh_awal_ha"] == 8.33
    assert scope.loc["kota", "pengurangan_luas_kumuh_ha"] == 2.5
    assert scope.loc["kumuh_di_luar_sk", "jumlah_rt"] == 0
    r = reduction_city(
        load_snapshot(store), year_from=2019, year_to=2021, by="kelurahan", scope="kota"
    )
    assert r.totals["pengurangan_luas_kumuh_ha"] == 2.5
    target = r.target.set_index("tahun")
    assert target.loc[2021, "capaian_kumulatif_persen"] == 125.0  # 2.5 of a cumulative 2.0
    assert np.isnan(target.loc[2021, "target_tahunan_ha"])  # no 2020 target to difference
    assert r.jejak is not None and set(r.jejak["kode_kegiatan"]) >= {"K-1", "K-2", "K-3"}


def test_default_attribution_follows_the_sk_in_force(tmp_path):
    """By default only work inside the delineation of the SK in force that year counts (§7)."""
    from kumuhgis.store import create_store

    c = city()
    sk = c["sk_kumuh"].assign(kode_kawasan=["KW1"], kode_rt=["R1;R2"])  # the 2019 SK: KW1 only
    store = create_store(tmp_path / "kota.gpkg", kota="Sampit")
    with store.transaction(command="test") as tx:
        for layer in ("wilayah", "rt", "delineasi", "kolaborasi", "baseline"):
            tx.write(layer, c[layer])
        tx.write("sk_kumuh", sk)
    r = reduction_city(load_snapshot(store), year_from=2019, year_to=2021, by="kelurahan")
    counted = set(r.jejak["kode_kegiatan"].str.split(";").explode())
    # K-1, K-2 (R1/R2) and K-3 (R2) lie in KW1; K-4 lies in KW3, delineated 2022 and in no SK
    assert {"K-1", "K-2", "K-3"} <= counted
    assert "K-4" not in counted


def test_luas_from_the_rt_polygon_when_the_baseline_has_none(tmp_path):
    from kumuhgis.analysis.years import fill_luas_from_polygons
    from kumuhgis.geo.area import hectares

    c = city()
    base = c["baseline"].copy()
    base.loc[0, "luas_ha"] = np.nan
    out = fill_luas_from_polygons(base, c["rt"])
    expected = hectares(c["rt"].iloc[[0]]).item()  # the ellipsoidal area of R1's square
    assert out.loc[0, "luas_ha"] == expected
    assert out["sumber_luas"].tolist() == ["poligon (geodesic)", "baseline", "baseline", "baseline"]
    assert base["luas_ha"].isna().sum() == 1  # input untouched


# --------------------------------------------------------------------------- outputs


def test_reduction_workbook_is_laid_out_for_an_office(scored, tmp_path):
    r = _red(scored)
    path = write_reduction(r, tmp_path / "pengurangan.xlsx", kota="Sampit")
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Ringkasan",
        "Per parameter",
        "Per kriteria",
        "Lingkup",
        "Per tingkat per tahun",
        "Target",
        "Jejak kolaborasi",
        "Keterangan",
    ]
    ws = wb["Ringkasan"]
    assert ws["A1"].value.startswith("Pengurangan kawasan kumuh Sampit 2019–2021")
    header = [c.value for c in ws[4]]
    assert header[:3] == ["Kode kelurahan", "Kelurahan/desa", "Kecamatan"]
    assert "[1] Luas kumuh 2019 (ha)" in header
    assert "[2] Pengurangan hektar setara (rata-rata sektoral; negatif = bertambah) (ha)" in header
    assert "[3] Kontribusi penanganan (ha)" in header
    assert ws.freeze_panes == "D5"
    col = header.index("[1] Pengurangan luas kumuh (ha)") + 1
    assert [ws.cell(row=r_, column=col).value for r_ in (5, 6)] == [2.5, 0.0]
    assert ws.cell(row=7, column=1).value == "Jumlah kota"
    assert ws.cell(row=7, column=col).value == 2.5
    assert ws.cell(row=7, column=col).number_format == "#,##0.00"
    assert ws.cell(row=7, column=col).font.bold
    notes = [row[0].value for row in wb["Keterangan"].iter_rows() if row[0].value]
    assert any(n.startswith("[1] Luas kumuh (resmi, biner per RT)") for n in notes)
    assert any(n.startswith("[3] Kontribusi penanganan") for n in notes)
    csv = write_reduction(r, tmp_path / "pengurangan.csv")
    back = pd.read_csv(csv, encoding="utf-8-sig", dtype={"kode_kel": str})
    assert back["pengurangan_luas_kumuh_ha"].tolist() == [2.5, 0.0]
    assert "pengurangan_ha_2b" in back.columns
    with pytest.raises(UsageError):
        write_reduction(r, tmp_path / "pengurangan.pdf")


def test_generic_workbook_writer(tmp_path):
    frame = pd.DataFrame(
        {
            "tahun": [2019, 2020],
            "kode_rt": ["001", "002"],
            "jumlah_rt": [3, 1200],
            "luas_ha": [1.234, np.nan],
            "rasio": [0.5, 0.25],
        }
    )
    sheets = [
        Sheet("Data/2019: [a]", frame, columns={"luas_ha": ("Luas", "ha"), "rasio": Column("Rasio", "0–1", "0.000", 12)}, totals=["luas_ha", "jumlah_rt"], notes=["Catatan."]),
        Sheet("Data/2019: [a]", frame, totals=True),
        Sheet("Teks", None, notes=["baris satu", "baris dua"]),
    ]  # fmt: skip
    path = write_workbook(tmp_path / "buku.xlsx", sheets, properties={"title": "Uji"})
    wb = load_workbook(path)
    assert wb.sheetnames == ["Data-2019- -a-", "Data-2019- -a- (2)", "Teks"]
    assert wb.properties.title == "Uji"
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["tahun", "kode_rt", "jumlah_rt", "Luas (ha)", "Rasio (0–1)"]
    assert ws.freeze_panes == "A2"
    assert ws["A2"].number_format == "0"  # a year is not 2.019
    assert ws["C3"].number_format == "#,##0"
    assert ws["D2"].number_format == "#,##0.00"
    assert ws["E2"].number_format == "0.000"
    assert ws["D3"].value is None  # NaN → empty cell
    assert (ws["A4"].value, ws["C4"].value, ws["D4"].value, ws["E4"].value) == (
        "Jumlah",
        1203,
        1.234,
        None,
    )
    assert ws["A6"].value == "Catatan."
    ws2 = wb.worksheets[1]
    assert (ws2["C4"].value, ws2["D4"].value, ws2["E4"].value) == (None, 1.234, 0.75)  # floats only
    assert wb["Teks"]["A2"].value == "baris dua"
    with pytest.raises(UsageError):
        write_workbook(tmp_path / "buku.csv", sheets)


def test_charts_are_written_as_png(scored, tmp_path):
    r = _red(scored)
    paths = reduction_charts(r, tmp_path / "grafik")
    assert [p.name for p in paths] == [
        "pengurangan_per_kriteria.png",
        "luas_per_tingkat.png",
        "capaian_target.png",
    ]
    for p in paths:
        data = p.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    no_target = _red(scored).target.assign(target_kumulatif_ha=np.nan)
    from kumuhgis.outputs.charts import chart_target

    assert chart_target(no_target, tmp_path / "t.png", lang="en").exists()
    assert chart_levels_by_year(r.per_tahun, tmp_path / "l.png", rules=r.rules, lang="en").exists()


def test_workbook_text_starting_with_equals_stays_text(tmp_path):
    import openpyxl
    import pandas as pd

    from kumuhgis.outputs.workbook import Sheet, write_workbook

    path = write_workbook(
        tmp_path / "t.xlsx", [Sheet("catatan", pd.DataFrame({"catatan": ["=lihat RPLP", "biasa"]}))]
    )
    ws = openpyxl.load_workbook(path).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "=lihat RPLP" in values and "biasa" in values
