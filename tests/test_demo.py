"""Tests of the demo city (kumuhgis.demo).

The levels, percentages and derived-year volumes here are computed by small helpers written
for these tests straight from domain.md §4 and §5 — not by the code under test — so that
the planted discrepancies are checked against the rules, not against the generator.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from kumuhgis.core.schema import CRITERIA_CODES, LAYERS, unique_key
from kumuhgis.demo import DemoCity, build_demo
from kumuhgis.geo.area import hectares

UTM49S = "EPSG:32749"
SEEDS = (2016, 7)

# domain.md §3: denominator and unit of every criterion
DENOMINATOR = {
    "1a": "jumlah_bangunan", "1b": "luas_ha", "1c": "jumlah_bangunan",
    "2a": "panjang_jalan_ideal_m", "2b": "panjang_jalan_ideal_m",
    "3a": "jumlah_kk", "3b": "jumlah_kk", "4a": "luas_ha",
    "4b": "panjang_drainase_ideal_m", "4c": "panjang_drainase_ideal_m",
    "5a": "jumlah_kk", "5b": "jumlah_kk", "6a": "jumlah_kk", "6b": "jumlah_kk",
    "7a": "jumlah_bangunan", "7b": "jumlah_bangunan",
}  # fmt: skip
UNIT = {"1a": "unit", "1b": "ha", "1c": "unit", "2a": "m", "2b": "m", "3a": "KK", "3b": "KK",
        "4a": "ha", "4b": "m", "4c": "m", "5a": "KK", "5b": "KK", "6a": "KK", "6b": "KK",
        "7a": "unit", "7b": "unit"}  # fmt: skip
# domain.md §9
SUMBER_DANA = {"APBN", "APBD Provinsi", "APBD Kab/Kota", "DAK", "Dana Desa", "Hibah/donor",
               "Swasta/CSR", "Swadaya masyarakat", "Lainnya"}  # fmt: skip


# --------------------------------------------------------------------------- helpers


def tingkat(row) -> str:
    """Level of one RT row by domain.md §4 (decimal half-up rounding of percentages)."""
    total = 0
    for c in CRITERIA_CODES:
        d, v = Decimal(str(row[DENOMINATOR[c]])), Decimal(str(row[f"v_{c}"]))
        p = Decimal(0) if d <= 0 else min(v * 100 / d, Decimal(100))
        p = p.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        total += 5 if p >= 76 else 3 if p >= 51 else 1 if p >= 25 else 0
    return "KB" if total >= 60 else "KS" if total >= 38 else "KR" if total >= 16 else "TK"


def works_in_rt(city: DemoCity) -> pd.DataFrame:
    """Kolaborasi inside the delineation, with the RT each lies in (domain.md §5)."""
    kol, rt = city.layers["kolaborasi"], city.layers["rt"]
    inside = kol[kol.within(city.layers["delineasi"].union_all())]
    joined = gpd.sjoin(inside, rt[["kode_rt", "geometry"]], predicate="within")
    return pd.DataFrame(joined.drop(columns="geometry"))


def condition(city: DemoCity, year: int, works: pd.DataFrame) -> pd.DataFrame:
    """Every RT's row for ``year``: observed when surveyed, else derived from the year
    before minus the kolaborasi of that year inside the RT (domain.md §5)."""
    base = city.layers["baseline"]
    per_rt_year = defaultdict(lambda: defaultdict(float))
    for _, w in works.iterrows():
        for c in w["kriteria"].split(";"):
            per_rt_year[(w["kode_rt"], int(w["tahun"]))][c] += float(w["volume"])
    rows = []
    for kode, grp in base.groupby("kode_rt"):
        obs = {int(t): r for t, r in zip(grp["tahun"], grp.to_dict("records"), strict=True)}
        state = dict(obs[2016])
        for t in range(2017, year + 1):
            if t in obs:
                state = dict(obs[t])
                continue
            for c, vol in per_rt_year[(kode, t)].items():
                state[f"v_{c}"] = max(0.0, state[f"v_{c}"] - vol)
            state["tahun"] = t
        rows.append(state)
    return pd.DataFrame(rows)


def sk_rts(sk: pd.DataFrame) -> set[str]:
    return {r for cell in sk["kode_rt"] for r in cell.split(";")}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def city(request) -> DemoCity:
    return build_demo(seed=request.param)


@pytest.fixture(scope="module")
def works(city) -> pd.DataFrame:
    return works_in_rt(city)


@pytest.fixture(scope="module")
def kondisi_2020(city, works) -> pd.DataFrame:
    out = condition(city, 2020, works)
    out["tingkat"] = out.apply(tingkat, axis=1)
    return out


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_frames():
    a, b = build_demo(seed=11), build_demo(seed=11)
    assert list(a.layers) == list(b.layers) == list(LAYERS)
    for name in LAYERS:
        fa, fb = a.layers[name], b.layers[name]
        if isinstance(fa, gpd.GeoDataFrame):
            assert fa.geometry.geom_equals_exact(fb.geometry, tolerance=0).all(), name
            fa, fb = (
                pd.DataFrame(fa.drop(columns="geometry")),
                pd.DataFrame(fb.drop(columns="geometry")),
            )
        pd.testing.assert_frame_equal(fa, fb)
    assert a.settings == b.settings
    assert a.planted == b.planted


def test_other_seed_gives_another_town_at_the_same_place():
    a, b = build_demo(seed=2016), build_demo(seed=11)
    # same kelurahan names and codes ...
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.layers["wilayah"].drop(columns="geometry")),
        pd.DataFrame(b.layers["wilayah"].drop(columns="geometry")),
    )
    # ... but other shapes, kawasan and works
    assert (
        not a.layers["wilayah"].geometry.geom_equals_exact(b.layers["wilayah"].geometry, 1e-9).all()
    )
    assert hectares(a.layers["rt"]).sum() != pytest.approx(hectares(b.layers["rt"]).sum(), rel=1e-6)
    assert set(a.layers["kolaborasi"]["nilai_rp"]) != set(b.layers["kolaborasi"]["nilai_rp"])


def test_default_seed_is_2016():
    a = build_demo()
    assert a.seed == 2016
    b = build_demo(seed=2016)
    assert a.layers["rt"].geometry.geom_equals_exact(b.layers["rt"].geometry, tolerance=0).all()


# --------------------------------------------------------------------------- schema


@pytest.mark.parametrize("layer", list(LAYERS))
def test_layer_follows_schema(city, layer):
    schema = LAYERS[layer]
    frame = city.layers[layer]
    assert len(frame) > 0
    for col in schema.columns:
        if not col.required and col.name not in frame.columns:
            continue
        assert col.name in frame.columns, f"{layer}.{col.name} missing"
        values = frame[col.name]
        if col.required:
            assert values.notna().all(), f"{layer}.{col.name} has blanks"
        if col.type == "int":
            assert pd.api.types.is_integer_dtype(values), (layer, col.name, values.dtype)
        elif col.type in ("float", "rupiah"):
            assert pd.api.types.is_float_dtype(values), (layer, col.name, values.dtype)
        else:
            assert pd.api.types.is_string_dtype(values), (layer, col.name, values.dtype)
        if col.minimum is not None:
            assert (values >= col.minimum).all(), (layer, col.name)
        if col.choices:
            assert set(values) <= set(col.choices), (layer, col.name)
        if col.type == "date":
            pd.to_datetime(values, format="%Y-%m-%d")  # ISO dates, as validation stores them
    if schema.unique:
        assert not unique_key(frame, schema).duplicated().any(), f"{layer} ids not unique"
    if schema.spatial:
        assert isinstance(frame, gpd.GeoDataFrame)
        assert frame.crs.to_epsg() == 4326
        allowed = set(schema.geometry) | {f"Multi{g}" for g in schema.geometry}
        assert set(frame.geom_type) <= allowed, (layer, set(frame.geom_type))
        assert frame.is_valid.all() and not frame.is_empty.any()
        x0, y0, x1, y1 = frame.total_bounds
        assert x0 >= 94.0 and x1 <= 141.5 and y0 >= -11.5 and y1 <= 6.5, "outside Indonesia"
        # ... and at Sampit, on the Mentaya
        assert x0 > 112.90 and x1 < 113.00 and y0 > -2.60 and y1 < -2.48
    else:
        assert not isinstance(frame, gpd.GeoDataFrame)


def test_codes_units_and_vocabularies(city):
    kol, infra = city.layers["kolaborasi"], city.layers["infrastruktur"]
    for frame in (kol, infra):
        codes = {c for cell in frame["kriteria"] for c in cell.split(";")}
        assert codes <= set(CRITERIA_CODES)
        assert set(frame["sumber_dana"]) <= SUMBER_DANA
    # the volume unit of a work is the unit of the criteria it addresses (domain.md §3)
    for krit, satuan in zip(kol["kriteria"], kol["satuan"], strict=True):
        assert {UNIT[c] for c in krit.split(";")} == {satuan}, (krit, satuan)
    assert set(infra["kondisi"]) == {"baik", "rusak ringan", "rusak berat"}
    lines = infra[infra.geom_type == "LineString"]
    points = infra[infra.geom_type == "Point"]
    assert set(lines["jenis"]) == {"jalan lingkungan", "saluran drainase"}
    assert set(points["jenis"]) == {
        "hidran umum",
        "MCK",
        "septic tank komunal",
        "TPS",
        "APAR",
        "sumur bor",
    }
    assert set(lines.loc[lines["jenis"] == "saluran drainase", "kriteria"]) == {"4b;4c"}
    assert set(points.loc[points["jenis"] == "MCK", "kriteria"]) == {"5a"}


def test_kelurahan_carry_real_names_and_codes(city, shared_data):
    path = shared_data / "cahyadsn_wilayah_boundaries" / "kel_kotawaringin_timur_62.02.geojson"
    if not path.exists():
        pytest.skip(f"{path} not found")
    real = gpd.read_file(path, columns=["kode", "nama", "nama_kec"], read_geometry=False)
    real_names = {
        k.replace(".", ""): (n.lower(), kec) for k, n, kec in real.itertuples(index=False)
    }
    wil = city.layers["wilayah"]
    for kode, nama, kec in wil[["kode_kel", "kelurahan", "kecamatan"]].itertuples(index=False):
        assert real_names[kode] == (nama.lower(), kec)
    assert wil["kecamatan"].nunique() == 3
    assert wil["kode_kel"].str.fullmatch(r"6202\d{6}").all()
    assert (wil["kode_kec"] == wil["kode_kel"].str[:6]).all()


# --------------------------------------------------------------------------- geometry


def test_rts_tile_each_kelurahan_exactly(city):
    wil, rt = city.layers["wilayah"], city.layers["rt"]
    assert set(rt["kode_kel"]) == set(wil["kode_kel"])
    assert shapely.coverage_is_valid(rt.geometry.values)  # no overlaps, edges match
    assert (rt.geom_type == "Polygon").all()
    rt_ha = hectares(rt)
    kel_ha = dict(zip(wil["kode_kel"], hectares(wil), strict=True))
    for kode, grp in rt.groupby("kode_kel"):
        union = gpd.GeoSeries([grp.union_all()], crs=rt.crs)
        assert hectares(union).iloc[0] == pytest.approx(kel_ha[kode], rel=1e-6)
        assert rt_ha[grp.index].sum() == pytest.approx(kel_ha[kode], rel=1e-6)  # no overlap
    # RTs lie inside their own kelurahan
    joined = gpd.sjoin(rt.set_geometry(rt.representative_point()), wil, predicate="within")
    assert (joined["kode_kel_left"] == joined["kode_kel_right"]).all()


def test_kelurahan_are_single_polygons_and_do_not_overlap(city):
    wil = city.layers["wilayah"]
    assert (wil.geom_type == "Polygon").all()
    utm = wil.to_crs(UTM49S)
    assert utm.union_all().area == pytest.approx(utm.area.sum(), rel=1e-9)


def test_kawasan_are_unions_of_whole_rts(city):
    dl, rt, sk = city.layers["delineasi"], city.layers["rt"], city.layers["sk_kumuh"]
    rt_utm, dl_utm = rt.to_crs(UTM49S), dl.to_crs(UTM49S)
    rt_ha = dict(zip(rt["kode_rt"], hectares(rt), strict=True))
    dl_ha = hectares(dl)
    for i, k in dl_utm.iterrows():
        shared = rt_utm.intersection(k.geometry).area / rt_utm.area
        # every RT is wholly inside or wholly outside the kawasan
        assert ((shared > 1 - 1e-9) | (shared < 1e-9)).all(), k["kode_kawasan"]
        members = set(rt_utm.loc[shared > 0.5, "kode_rt"])
        assert sum(rt_ha[m] for m in members) == pytest.approx(dl_ha[i], rel=1e-6)
        # the SK lists exactly these RTs
        for cell in sk.loc[sk["kode_kawasan"] == k["kode_kawasan"], "kode_rt"]:
            assert set(cell.split(";")) == members
        # kode_kel is the kelurahan holding most of the kawasan
        by_kel = (
            rt_utm[rt_utm["kode_rt"].isin(members)]
            .groupby("kode_kel")
            .geometry.apply(lambda g: g.area.sum())
        )
        assert by_kel.idxmax() == k["kode_kel"]
    # kawasan neither overlap nor touch one another
    assert dl_utm.union_all().area == pytest.approx(dl_utm.area.sum(), rel=1e-9)
    assert (dl.geom_type == "Polygon").all()
    assert dl["nama_kawasan"].is_unique and dl["nama_kawasan"].str.startswith("Kawasan ").all()


def test_counts_and_sizes(city):
    lay = city.layers
    assert len(lay["wilayah"]) == 15
    assert 250 <= len(lay["rt"]) <= 350
    rt_ha = hectares(lay["rt"])
    assert rt_ha.min() >= 1.0 and rt_ha.max() <= 9.0  # typical Indonesian RTs
    assert 2.0 <= rt_ha.median() <= 5.0
    assert 18 <= len(lay["delineasi"]) <= 24
    assert 120 <= len(lay["infrastruktur"]) <= 180
    assert 200 <= len(lay["kolaborasi"]) <= 300
    assert set(lay["kolaborasi"]["tahun"]) == {2017, 2018, 2019, 2020}
    kinds = lay["kolaborasi"].geom_type.value_counts()
    assert kinds["Point"] >= 60 and kinds["LineString"] >= 60 and kinds["Polygon"] >= 2
    # RT/RW numbers: three digits, RT numbering restarts in every RW of a kelurahan
    rt = lay["rt"]
    assert rt["rt"].str.fullmatch(r"\d{3}").all() and rt["rw"].str.fullmatch(r"\d{3}").all()
    assert not rt.duplicated(["kode_kel", "rw", "rt"]).any()
    assert (rt.groupby(["kode_kel", "rw"])["rt"].min() == "001").all()
    assert rt.groupby(["kode_kel", "rw"]).size().between(3, 12).all()
    kode = rt["kode_kel"] + "-RW" + rt["rw"].str[1:] + "-RT" + rt["rt"].str[1:]
    assert (kode == rt["kode_rt"]).all()


# --------------------------------------------------------------------------- baseline


def test_baseline_rows_are_consistent(city):
    base, rt = city.layers["baseline"], city.layers["rt"]
    first = base[base["tahun"] == 2016]
    assert set(first["kode_rt"]) == set(rt["kode_rt"]) and len(first) == len(rt)
    assert set(base["kode_rt"]) == set(rt["kode_rt"])
    assert set(base["tahun"]) == {2016, 2017, 2018, 2019, 2020}
    assert (base.groupby("tahun").size().drop(2016) >= 10).all()  # yearly surveys of some RTs
    # luas_ha is the RT polygon's ellipsoidal area, rounded to 2 decimals
    ha = dict(zip(rt["kode_rt"], hectares(rt).round(2), strict=True))
    assert (base["luas_ha"] == base["kode_rt"].map(ha)).all()
    # volumes never exceed their denominators; paired stretches never overlap
    for c in CRITERIA_CODES:
        assert (base[f"v_{c}"] <= base[DENOMINATOR[c]] + 1e-9).all(), c
        assert (base[f"v_{c}"] >= 0).all()
    assert (base["v_2a"] + base["v_2b"] <= base["panjang_jalan_ideal_m"]).all()
    assert (base["v_4b"] + base["v_4c"] <= base["panjang_drainase_ideal_m"]).all()
    for c in CRITERIA_CODES:  # counts of buildings, KK and metres are whole numbers
        if UNIT[c] != "ha":
            assert (base[f"v_{c}"] % 1 == 0).all(), c
    density = base["jumlah_penduduk"] / base["luas_ha"]
    assert density.between(40, 300).all()
    per_kk = base["jumlah_penduduk"] / base["jumlah_kk"]
    assert per_kk.between(3.3, 4.7).all()
    assert (base["jumlah_bangunan"] <= base["jumlah_kk"] * 1.1).all()
    assert set(base["tipologi"]) == {"tepi air", "dataran rendah"}


def test_tepi_air_rts_touch_the_river(city):
    base, rt = city.layers["baseline"], city.layers["rt"]
    first = base[base["tahun"] == 2016].set_index("kode_rt")
    # on the west bank (not kecamatan Seranau), tepi-air RTs are the easternmost: the river side
    west = rt[~rt["kode_kel"].str.startswith("620212")].to_crs(UTM49S)
    tepi = first.loc[west["kode_rt"], "tipologi"].eq("tepi air").to_numpy()
    east_edge = west.geometry.bounds["maxx"].to_numpy()
    assert tepi.sum() >= 15
    assert np.median(east_edge[tepi]) > np.median(east_edge[~tepi]) + 500


def test_level_mix_of_the_2016_baseline(city):
    base, sk = city.layers["baseline"], city.layers["sk_kumuh"]
    first = base[base["tahun"] == 2016].copy()
    first["tingkat"] = first.apply(tingkat, axis=1)
    listed = first["kode_rt"].isin(sk_rts(sk))
    inside = first.loc[listed, "tingkat"].value_counts()
    outside = first.loc[~listed, "tingkat"].value_counts()
    assert "TK" not in inside  # every RT of a kawasan is kumuh at the baseline
    assert inside.get("KR", 0) + inside.get("KS", 0) >= 0.8 * inside.sum()
    assert 1 <= inside.get("KB", 0) <= 0.15 * inside.sum()  # a few berat
    assert outside.get("TK", 0) >= 0.95 * outside.sum()


# --------------------------------------------------------------------------- kolaborasi


def test_about_a_fifth_of_kolaborasi_lies_outside_the_delineation(city):
    kol = city.layers["kolaborasi"]
    share = 1 - kol.within(city.layers["delineasi"].union_all()).mean()
    assert 0.12 <= share <= 0.30


def test_kolaborasi_inside_lie_in_one_rt_of_a_kawasan_in_force(city, works):
    kol, dl, sk = city.layers["kolaborasi"], city.layers["delineasi"], city.layers["sk_kumuh"]
    inside = kol[kol.within(dl.union_all())]
    assert works.index.is_unique and set(works.index) == set(inside.index)  # exactly one RT each
    # the SK in force: the 2016 original until the 2020 revision
    asli = set(sk.loc[sk["no_sk"] == city.planted["sk_asli"], "kode_kawasan"])
    revisi = set(sk.loc[sk["no_sk"] == city.planted["sk_revisi"], "kode_kawasan"])
    joined = gpd.sjoin(inside, dl[["kode_kawasan", "geometry"]], predicate="within")
    for tahun, kode in zip(joined["tahun"], joined["kode_kawasan"], strict=True):
        assert kode in (revisi if tahun >= 2020 else asli), (tahun, kode)


def test_kolaborasi_outside_exercise_every_status(city):
    kol = city.layers["kolaborasi"].to_crs(UTM49S).set_index("kode_kegiatan")
    dl = city.layers["delineasi"].to_crs(UTM49S)
    union = dl.union_all()
    planted = city.planted["kolaborasi"]
    dist = kol.distance(union)
    for kode in planted["sebagian"]:
        g = kol.geometry[kode]
        assert g.geom_type == "LineString" and g.crosses(union)
        assert 0.1 < g.intersection(union).length / g.length < 0.9
    for kode in planted["batas"]:
        assert 2.0 < dist[kode] <= 10.0  # within the default 10 m tolerance of §7
        g = kol.geometry[kode]
        probe = (
            shapely.line_interpolate_point(g, np.linspace(0, 1, 21), normalized=True)
            if g.length
            else [g]
        )
        assert shapely.distance(probe, union).max() <= 10.0  # wholly inside the band
    for kode in planted["luar"]:
        assert dist[kode] > 30.0
    assert (
        len(planted["sebagian"]) >= 8 and len(planted["batas"]) >= 8 and len(planted["luar"]) >= 15
    )
    assert (kol.geom_type[planted["batas"]] == "LineString").any()
    outside = set(kol.index[~kol.within(union)])
    assert outside == set(planted["sebagian"]) | set(planted["batas"]) | set(planted["luar"])


def test_kolaborasi_names_and_values_are_realistic(city):
    kol = city.layers["kolaborasi"]
    assert (kol["nilai_rp"] % 1000 == 0).all()
    assert (
        kol["nama_kegiatan"].str.contains(r" RT \d{3}/RW \d{3} (?:Kel\.|Desa) ", regex=True).all()
    )

    def per(prefix):
        return kol[kol["nama_kegiatan"].str.startswith(prefix)]

    paving = per("Pembangunan jalan paving blok")
    assert len(paving) and (paving["nilai_rp"] / paving["volume"]).between(0.8e6, 1.2e6).all()
    mck = per("Pembangunan MCK komunal")
    assert mck["nilai_rp"].between(150e6, 250e6).all()
    apar = per("Pengadaan APAR")
    assert (apar["nilai_rp"] / apar["volume"]).between(1.35e6, 1.65e6).all()
    hidran = per("Pembangunan hidran umum")
    assert hidran["nilai_rp"].between(27e6, 33e6).all()
    # a line's volume is its length in metres, a polygon's in ha its area
    utm = kol.to_crs(UTM49S)
    lines = utm[utm.geom_type == "LineString"]
    assert np.allclose(lines["volume"], lines.length, atol=0.6)
    ha = utm[(utm.geom_type == "Polygon") & (utm["satuan"] == "ha")]
    assert np.allclose(ha["volume"], ha.area / 1e4, atol=0.006)
    # Dana Desa only pays for works in a desa
    assert kol.loc[kol["sumber_dana"] == "Dana Desa", "nama_kegiatan"].str.contains(" Desa ").all()
    shares = kol["sumber_dana"].value_counts(normalize=True)
    assert shares.index[0] in ("APBD Kab/Kota", "APBN") and len(shares) >= 7


def test_planted_kriteria_tanpa_gap(city, works):
    planted = city.planted["kolaborasi"]["kriteria_tanpa_gap"]
    assert len(planted) == 2
    for kode in planted:
        w = works[works["kode_kegiatan"] == kode].iloc[0]
        before = condition(city, int(w["tahun"]) - 1, works)
        row = before[before["kode_rt"] == w["kode_rt"]].iloc[0]
        for c in w["kriteria"].split(";"):
            assert row[f"v_{c}"] == 0, (kode, c)


def test_every_other_work_addresses_a_real_gap(city, works):
    """Only the planted works address a criterion that is no gap (before their year) in
    an RT they touch — the Korkot flag of domain.md §7."""
    kol, rt = city.layers["kolaborasi"], city.layers["rt"]
    before = {
        t: condition(city, t - 1, works).set_index("kode_rt") for t in (2017, 2018, 2019, 2020)
    }
    touch = gpd.sjoin(kol, rt[["kode_rt", "geometry"]], predicate="intersects")
    no_gap = set()
    for kode, tahun, krit, r, geom in zip(touch["kode_kegiatan"], touch["tahun"], touch["kriteria"],
                                          touch["kode_rt"], touch.geometry, strict=True):  # fmt: skip
        rt_geom = rt.geometry[rt["kode_rt"] == r].iloc[0]
        if geom.geom_type == "LineString" and geom.intersection(rt_geom).length < 1e-7:
            continue  # only touches the RT's border
        if any(before[int(tahun)].loc[r, f"v_{c}"] == 0 for c in krit.split(";")):
            no_gap.add(kode)
    assert no_gap == set(city.planted["kolaborasi"]["kriteria_tanpa_gap"])


# --------------------------------------------------------------------------- SK Kumuh


def test_two_sk_versions_with_dates(city):
    sk = city.layers["sk_kumuh"]
    asli, revisi = city.planted["sk_asli"], city.planted["sk_revisi"]
    assert set(sk["no_sk"]) == {asli, revisi}
    dates = sk.groupby("no_sk")["tanggal_sk"].unique()
    assert dates[asli].tolist()[0].startswith("2016-") and dates[revisi].tolist()[0].startswith(
        "2020-"
    )
    assert (sk["no_sk"] == asli).sum() == 20
    wil = city.layers["wilayah"]
    kec = dict(zip(wil["kode_kel"], wil["kecamatan"], strict=True))
    dl = city.layers["delineasi"].set_index("kode_kawasan")
    for kode, kecamatan in zip(sk["kode_kawasan"], sk["kecamatan"], strict=True):
        assert kec[dl.loc[kode, "kode_kel"]] == kecamatan


def test_planted_luas_mismatch(city):
    sk = city.layers["sk_kumuh"]
    dl = city.layers["delineasi"]
    luas = dict(zip(dl["kode_kawasan"], hectares(dl), strict=True))
    for no_sk, planted in city.planted["luas_mismatch"].items():
        rows = sk[sk["no_sk"] == no_sk]
        diff = (rows["luas_sk_ha"] - rows["kode_kawasan"].map(luas)).abs()
        rel = diff / rows["kode_kawasan"].map(luas)
        flagged = set(rows.loc[(diff > 0.5) & (rel > 0.05), "kode_kawasan"])
        assert flagged == set(planted) and len(planted) >= 2  # exactly the planted ones
        assert (rel[~rows["kode_kawasan"].isin(planted)] < 0.03).all()
    assert len(city.planted["luas_mismatch"][city.planted["sk_asli"]]) == 4


def test_planted_misspelled_kelurahan(city):
    sk, wil, dl = city.layers["sk_kumuh"], city.layers["wilayah"], city.layers["delineasi"]
    planted = city.planted["nama_tidak_cocok"]
    assert planted["kelurahan_sk"] not in set(wil["kelurahan"])
    assert planted["kelurahan"] in set(wil["kelurahan"])
    odd = sk[~sk["kelurahan"].isin(wil["kelurahan"])]
    assert set(odd["kelurahan"]) == {planted["kelurahan_sk"]}
    assert set(odd["kode_kawasan"]) == set(planted["kode_kawasan"]) != set()
    kel_of = dict(zip(dl["kode_kawasan"], dl["kode_kel"], strict=True))
    assert {kel_of[k] for k in odd["kode_kawasan"]} == {planted["kode_kel"]}
    # every other row names the kelurahan holding the kawasan, spelled as in wilayah
    name = dict(zip(wil["kode_kel"], wil["kelurahan"], strict=True))
    ok = sk[sk["kelurahan"].isin(wil["kelurahan"])]
    assert (ok["kelurahan"] == ok["kode_kawasan"].map(kel_of).map(name)).all()


def test_planted_rt_no_longer_kumuh(city, kondisi_2020):
    planted = city.planted["rt_tidak_kumuh_di_sk"]
    sk = city.layers["sk_kumuh"]
    listed = sk_rts(sk[sk["no_sk"] == planted["no_sk"]])
    assert planted["kode_rt"] in listed
    lvl = kondisi_2020.set_index("kode_rt")["tingkat"]
    assert lvl[planted["kode_rt"]] == "TK"
    # it was kumuh at the baseline, and it is the only listed RT that is TK in 2020
    base = city.layers["baseline"]
    first = base[(base["tahun"] == 2016) & (base["kode_rt"] == planted["kode_rt"])].iloc[0]
    assert tingkat(first) != "TK"
    assert {r for r in listed if lvl[r] == "TK"} == {planted["kode_rt"]}


def test_planted_rt_kumuh_outside_every_sk(city, kondisi_2020):
    planted = city.planted["rt_kumuh_di_luar_sk"]
    sk = city.layers["sk_kumuh"]
    revisi = sk_rts(sk[sk["no_sk"] == city.planted["sk_revisi"]])
    assert planted["kode_rt"] not in sk_rts(sk)
    lvl = kondisi_2020.set_index("kode_rt")["tingkat"]
    outside_kumuh = {r for r, t in lvl.items() if t != "TK" and r not in revisi}
    assert outside_kumuh == {planted["kode_rt"]}
    # against the original SK, the RTs of the kawasan added in 2020 are also kumuh outside it
    base = city.layers["baseline"]
    first = base[base["tahun"] == 2016].set_index("kode_rt")
    asli = sk_rts(sk[sk["no_sk"] == city.planted["sk_asli"]])
    kumuh_2016 = {r for r, row in first.iterrows() if tingkat(row) != "TK"}
    assert kumuh_2016 - asli == {planted["kode_rt"], *planted["di_luar_sk_asli"]}


def test_revision_adds_removes_and_changes(city, kondisi_2020):
    sk, dl = city.layers["sk_kumuh"], city.layers["delineasi"]
    rev = city.planted["revisi"]
    asli = sk[sk["no_sk"] == city.planted["sk_asli"]].set_index("kode_kawasan")
    revisi = sk[sk["no_sk"] == city.planted["sk_revisi"]].set_index("kode_kawasan")
    assert sorted(set(revisi.index) - set(asli.index)) == rev["ditambah"]
    assert sorted(set(asli.index) - set(revisi.index)) == rev["dihapus"]
    common = sorted(set(asli.index) & set(revisi.index))
    changed = [k for k in common if asli.loc[k, "luas_sk_ha"] != revisi.loc[k, "luas_sk_ha"]]
    assert changed == rev["luas_berubah"] and len(changed) >= 2
    assert set(dl["kode_kawasan"]) == set(asli.index) | set(revisi.index)
    tahun = dict(zip(dl["kode_kawasan"], dl["tahun"], strict=True))
    assert all(tahun[k] > 2016 for k in rev["ditambah"])
    # the removed kawasan was handled: all its RTs are TK by 2020
    lvl = kondisi_2020.set_index("kode_rt")["tingkat"]
    for k in rev["dihapus"]:
        assert all(lvl[r] == "TK" for r in asli.loc[k, "kode_rt"].split(";"))


def test_one_or_two_kawasan_cross_a_kelurahan_border(city):
    rt, dl = city.layers["rt"], city.layers["delineasi"]
    kel = dict(zip(rt["kode_rt"], rt["kode_kel"], strict=True))
    sk = city.layers["sk_kumuh"].drop_duplicates("kode_kawasan").set_index("kode_kawasan")
    crossing = sorted(
        k for k in dl["kode_kawasan"] if len({kel[r] for r in sk.loc[k, "kode_rt"].split(";")}) > 1
    )
    assert crossing == sorted(city.planted["lintas_kelurahan"])
    assert 1 <= len(crossing) <= 2


def test_settings(city):
    s = city.settings
    assert s["kota"] == "Kabupaten Kotawaringin Timur" and s["provinsi"] == "Kalimantan Tengah"
    assert set(city.layers["wilayah"]["kota"]) == {s["kota"]}
    target = s["target_pengurangan_ha"]
    assert list(target) == [2017, 2018, 2019, 2020]
    values = list(target.values())
    assert all(0 < a < b for a, b in zip(values, values[1:], strict=False))
    # targets are shares of the 2016 luas kumuh: Σ luas of RTs not TK (domain.md §5)
    base = city.layers["baseline"]
    first = base[base["tahun"] == 2016]
    kumuh = first[first.apply(tingkat, axis=1) != "TK"]["luas_ha"].sum()
    assert s["luas_kumuh_baseline_ha"] == pytest.approx(kumuh, abs=0.01)
    assert values[-1] < kumuh
