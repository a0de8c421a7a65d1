"""Import and validation: every bad-input case of the foundation issue, through real files.

Each case checks the message (row, column, what is wrong) and that the store is unchanged,
byte for byte. Lenient imports keep rows in = rows stored + rows rejected.
"""

from __future__ import annotations

import hashlib
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from kumuhgis.cli import main
from kumuhgis.core.errors import ValidationError
from kumuhgis.core.schema import VOLUME_COLUMNS
from kumuhgis.ingest.load import import_file, validate_file
from kumuhgis.store import create_store, open_store

LON, LAT = 112.95, -2.54  # Sampit, UTM zone 49S


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rt_frame(n=4) -> gpd.GeoDataFrame:
    d = 0.001
    return gpd.GeoDataFrame(
        {
            "Kode RT": [f"6202061007-01-{i + 1:03d}" for i in range(n)],
            "RT": [f"{i + 1:03d}" for i in range(n)],
            "RW": ["001"] * n,
            "KODE_KEL": ["6202061007"] * n,
        },
        geometry=[box(LON + i * d, LAT, LON + (i + 1) * d, LAT + d) for i in range(n)],
        crs="EPSG:4326",
    )


def _baseline_rows(n=3, tahun=2016) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "kode_rt": [f"6202061007-01-{i + 1:03d}" for i in range(n)],
            "tahun": [str(tahun)] * n,
            "Luas (Ha)": ["4,63"] * n,
            "Jumlah Bangunan": ["50"] * n,
            "jumlah_penduduk": ["201"] * n,
            "JML_KK": ["60"] * n,
            "panjang_jalan_ideal_m": ["780"] * n,
            "panjang_drainase_ideal_m": ["385"] * n,
        }
    )
    for v, val in zip(
        VOLUME_COLUMNS, [13, 0, 13, 100, 605, 54, 0, 0, 0, 310, 10, 16, 60, 60, 50, 50], strict=True
    ):
        df[v] = str(val)
    return df


@pytest.fixture
def project(tmp_path):
    """A project with 4 RTs already stored."""
    src = tmp_path / "rt_ok.gpkg"
    pyogrio.write_dataframe(_rt_frame(), src, layer="rt")
    store_path = tmp_path / "kota.gpkg"
    import_file(store_path, "rt", src)
    return store_path


def _assert_strict_fails(
    store_path, layer, path, *, match_row=None, match_col=None, match=None, **kw
):
    """Strict import must raise with the expected problem and leave the store byte-identical."""
    before = _sha(store_path) if store_path.exists() else None
    with pytest.raises(ValidationError) as err:
        import_file(store_path, layer, path, **kw)
    problems = [p for p in err.value.problems if p.severity == "error"]
    assert problems, "a failed import must list its problems"
    hits = [
        p
        for p in problems
        if (match_row is None or p.row == match_row)
        and (match_col is None or p.column == match_col)
        and (match is None or match in (p.masalah + " " + p.problem))
    ]
    assert hits, [p.text("en") for p in problems]
    for p in problems:  # every problem says what and how, in both languages
        assert p.masalah and p.problem
    after = _sha(store_path) if store_path.exists() else None
    assert after == before
    return problems


# --- formats (each through real GDAL) --------------------------------------------------


def test_shapefile_zip_and_folder_import(tmp_path):
    shp_dir = tmp_path / "rt_shp"
    shp_dir.mkdir()
    pyogrio.write_dataframe(_rt_frame(), shp_dir / "rt.shp")
    zpath = tmp_path / "rt.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for f in shp_dir.iterdir():
            z.write(f, f.name)
    for i, src in enumerate((zpath, shp_dir)):
        out = import_file(tmp_path / f"k{i}.gpkg", "rt", src)
        assert (out.rows_in, out.rows_stored, out.rows_rejected) == (4, 4, 0)
        rt = open_store(tmp_path / f"k{i}.gpkg").read("rt")
        assert rt["kode_rt"].tolist()[0] == "6202061007-01-001"  # "Kode RT" header mapped
        assert rt["kode_kel"].iloc[0] == "6202061007"


def test_cp1252_dbf_without_cpg(tmp_path):
    gdf = _rt_frame(2).assign(nama_gang=["Gang H. Ma’ruf – Blok B", "Gang Melati"])
    shp = tmp_path / "rt.shp"
    pyogrio.write_dataframe(gdf, shp, encoding="cp1252")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    out = import_file(tmp_path / "k.gpkg", "rt", shp)
    rt = open_store(tmp_path / "k.gpkg").read("rt")
    assert (
        rt["nama_gang"].iloc[0] == "Gang H. Ma’ruf – Blok B"
    )  # unknown column kept, decoded right
    assert any("1252" in p.masalah + p.problem for p in out.problems)


def test_geopackage_kml_kmz_geojson(tmp_path):
    gdf = _rt_frame(3)
    gpkg = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(gdf, gpkg, layer="rt_2016")
    pyogrio.write_dataframe(gdf.iloc[:1], gpkg, layer="lain")
    assert import_file(tmp_path / "a.gpkg", "rt", gpkg, source_layer="rt_2016").rows_stored == 3
    gj = tmp_path / "rt.geojson"
    pyogrio.write_dataframe(gdf, gj, driver="GeoJSON")
    assert import_file(tmp_path / "b.gpkg", "rt", gj).rows_stored == 3

    def placemark(name, lon, lat, kode):
        return (
            f"<Placemark><name>{name}</name><ExtendedData><Data name='kode_kegiatan'><value>{kode}</value></Data>"
            f"<Data name='tahun'><value>2019</value></Data><Data name='sumber_dana'><value>APBD II</value></Data>"
            f"<Data name='nilai_rp'><value>Rp 150.000.000,00</value></Data><Data name='kriteria'><value>2a;2b</value></Data>"
            f"<Data name='volume'><value>120;0</value></Data><Data name='satuan'><value>m</value></Data></ExtendedData>"
            f"<Point><coordinates>{lon},{lat},0</coordinates></Point></Placemark>"
        )

    kml = (
        "<?xml version='1.0' encoding='UTF-8'?><kml xmlns='http://www.opengis.net/kml/2.2'><Document>"
        f"<Folder><name>2019 Jalan</name>{placemark('Paving RT 1', LON, LAT, 'K1')}{placemark('Paving RT 2', LON + 0.001, LAT, 'K2')}</Folder>"
        f"<Folder><name>2019 Drainase</name>{placemark('Saluran RT 3', LON + 0.002, LAT, 'K3')}</Folder>"
        "</Document></kml>"
    )
    kml_path = tmp_path / "kolab.kml"
    kml_path.write_text(kml, encoding="utf-8")
    kmz = tmp_path / "kolab.kmz"
    with zipfile.ZipFile(kmz, "w") as z:
        z.writestr("doc.kml", kml)
    for i, src in enumerate((kml_path, kmz)):
        out = import_file(
            tmp_path / f"c{i}.gpkg", "kolaborasi", src, mapping={"name": "nama_kegiatan"}
        )
        assert out.rows_stored == 3
        k = open_store(tmp_path / f"c{i}.gpkg").read("kolaborasi")
        assert sorted(k["folder"].unique()) == ["2019 Drainase", "2019 Jalan"]
        assert k["nilai_rp"].tolist() == [150_000_000.0] * 3
        assert set(k["sumber_dana"]) == {"APBD Kab/Kota"}


def test_csv_and_xlsx_with_lonlat_and_without_geometry(tmp_path):
    pts = pd.DataFrame(
        {
            "KODE": ["H01", "H02"],
            "Jenis": ["hidran umum", "MCK"],
            "Kriteria": ["3a", "5a"],
            "Tahun": ["2018", "2019"],
            "Sumber Dana": ["APBN", "Swadaya"],
            "Kondisi": ["baik", "rusak ringan"],
            "Bujur": ["112,9512", "112,9523"],
            "Lintang": ["-2,5401", "-2,5399"],
        }
    )
    csv = tmp_path / "infra.csv"
    pts.to_csv(csv, sep=";", index=False)
    xlsx = tmp_path / "infra.xlsx"
    pts.to_excel(xlsx, index=False)
    for i, src in enumerate((csv, xlsx)):
        out = import_file(tmp_path / f"i{i}.gpkg", "infrastruktur", src)
        infra = open_store(tmp_path / f"i{i}.gpkg").read("infrastruktur")
        assert out.rows_stored == 2
        assert infra.geometry.iloc[0].x == pytest.approx(112.9512)
        assert any(
            "4326" in p.masalah + p.problem for p in out.problems
        )  # CRS assumed, with a warning
    base = tmp_path / "baseline.xlsx"
    _baseline_rows().to_excel(base, index=False)
    out = import_file(tmp_path / "b.gpkg", "baseline", base)
    b = open_store(tmp_path / "b.gpkg").read("baseline")
    assert out.rows_stored == 3 and b["luas_ha"].tolist() == [4.63] * 3
    assert b["jumlah_kk"].tolist() == [60] * 3


# --- bad input: strict refuses with a precise message, store unchanged -------------------


def test_missing_required_column(project, tmp_path):
    src = tmp_path / "no_rw.gpkg"
    pyogrio.write_dataframe(_rt_frame().drop(columns=["RW"]), src)
    _assert_strict_fails(project, "rt", src, match_col="rw", match="required column")


def test_null_and_empty_geometry(project, tmp_path):
    gdf = _rt_frame()
    gdf.loc[1, "geometry"] = None
    gdf.loc[2, "geometry"] = Polygon()
    src = tmp_path / "null.gpkg"
    pyogrio.write_dataframe(gdf, src)
    probs = _assert_strict_fails(
        project, "rt", src, match_row=2, match_col="geometry", match="null or empty"
    )
    assert {p.row for p in probs} == {2, 3}


def test_wrong_geometry_type(project, tmp_path):
    gdf = _rt_frame()
    gdf = gdf.set_geometry(
        [gdf.geometry.iloc[0], Point(LON, LAT), gdf.geometry.iloc[2], gdf.geometry.iloc[3]]
    )
    src = tmp_path / "mixed.geojson"
    pyogrio.write_dataframe(gdf, src, driver="GeoJSON")
    _assert_strict_fails(project, "rt", src, match_row=2, match_col="geometry", match="not allowed")


def test_outside_indonesia(project, tmp_path):
    gdf = _rt_frame()
    gdf.loc[3, "geometry"] = box(12.95, -2.54, 12.96, -2.53)  # a digit lost: Gabon, not Sampit
    src = tmp_path / "far.gpkg"
    pyogrio.write_dataframe(gdf, src)
    _assert_strict_fails(project, "rt", src, match_row=4, match="outside Indonesia")


def test_duplicate_ids_in_file_and_against_store(project, tmp_path):
    gdf = _rt_frame()
    gdf.loc[2, "Kode RT"] = gdf.loc[0, "Kode RT"]
    src = tmp_path / "dup.gpkg"
    pyogrio.write_dataframe(gdf, src)
    probs = _assert_strict_fails(project, "rt", src, match="duplicate id")
    assert {p.row for p in probs} == {1, 3}
    # appending RTs that are already stored
    src2 = tmp_path / "again.gpkg"
    pyogrio.write_dataframe(_rt_frame(), src2)
    _assert_strict_fails(project, "rt", src2, append=True, match="already stored")


def test_bowtie_strict_refused_lenient_repaired(project, tmp_path):
    gdf = _rt_frame()
    bowtie = Polygon(
        [(LON, LAT), (LON + 0.001, LAT + 0.001), (LON + 0.001, LAT), (LON, LAT + 0.001), (LON, LAT)]
    )
    gdf.loc[1, "geometry"] = bowtie
    src = tmp_path / "bowtie.gpkg"
    pyogrio.write_dataframe(gdf, src)
    _assert_strict_fails(project, "rt", src, match_row=2, match="invalid geometry")
    out = import_file(project, "rt", src, lenient=True)
    assert (out.rows_in, out.rows_stored, out.rows_rejected) == (4, 4, 0)
    assert [p.row for p in out.problems if p.severity == "repaired"] == [2]
    rt = open_store(project).read("rt")
    assert rt.geometry.is_valid.all() and rt.geometry.iloc[1].area > 0
    assert out.report_file is not None and out.report_file.exists()


def test_projected_without_crs_refused_naming_zones(project, tmp_path):
    utm = _rt_frame().to_crs(32749)
    shp = tmp_path / "utm.shp"
    pyogrio.write_dataframe(utm, shp)
    shp.with_suffix(".prj").unlink()
    probs = _assert_strict_fails(project, "rt", shp, match="CRS")
    text = " ".join(p.masalah + p.problem + p.perbaikan + p.fix for p in probs)
    assert "49S" in text or "9489" in text or "32749" in text
    # the user tells the CRS: the same file imports
    out = import_file(project, "rt", shp, assume_crs="EPSG:32749")
    assert out.rows_stored == 4
    assert open_store(project).read("rt").geometry.iloc[0].bounds[0] == pytest.approx(LON, abs=1e-6)


def test_lonlat_without_crs_assumed_4326_with_warning(project, tmp_path):
    shp = tmp_path / "ll.shp"
    pyogrio.write_dataframe(_rt_frame(), shp)
    shp.with_suffix(".prj").unlink()
    out = import_file(project, "rt", shp)
    warn = [p for p in out.problems if p.severity == "warning" and "4326" in p.masalah + p.problem]
    assert warn and out.rows_stored == 4


def test_bad_numbers_ambiguous_and_garbage(project, tmp_path):
    df = _baseline_rows(3)
    df["Luas (Ha)"] = [
        "1.234",
        "5",
        "6",
    ]  # 1234 or 1.234? nothing in the column settles it: refused
    df.loc[1, "JML_KK"] = "enam puluh"
    df.loc[2, "v_2b"] = "-5"
    src = tmp_path / "base.csv"
    df.to_csv(src, index=False)
    probs = _assert_strict_fails(project, "baseline", src, match_row=2, match_col="luas_ha")
    assert any(p.row == 3 and p.column == "jumlah_kk" for p in probs)
    assert any(p.row == 4 and p.column == "v_2b" and "≥" in p.problem for p in probs)


def test_unknown_funding_bad_criteria_bad_date_bad_choice(project, tmp_path):
    k = pd.DataFrame(
        {
            "kode_kegiatan": ["K1", "K2"],
            "nama_kegiatan": ["Paving", "MCK"],
            "tahun": ["2019", "2019"],
            "sumber_dana": ["Arisan RT", "APBN"],
            "nilai_rp": ["Rp 100.000.000", "Rp 200.000.000"],
            "kriteria": ["2a", "9z"],
            "volume": ["100", "1"],
            "satuan": ["m", "unit"],
            "wkt": [f"POINT ({LON} {LAT})", f"POINT ({LON + 0.001} {LAT})"],
        }
    )
    src = tmp_path / "k.csv"
    k.to_csv(src, index=False)
    probs = _assert_strict_fails(project, "kolaborasi", src, match_row=3, match_col="kriteria")
    assert any(p.row == 2 and p.column == "sumber_dana" for p in probs)
    sk = pd.DataFrame(
        {
            "no_sk": ["188/1/2016"],
            "tanggal_sk": ["tiga puluh"],
            "kode_kawasan": ["KW01"],
            "nama_lokasi": ["Tepian"],
            "kelurahan": ["Ketapang"],
            "kecamatan": ["MB Ketapang"],
            "luas_sk_ha": ["12,5"],
        }
    )
    sk_path = tmp_path / "sk.csv"
    sk.to_csv(sk_path, index=False)
    _assert_strict_fails(project, "sk_kumuh", sk_path, match_row=2, match_col="tanggal_sk")
    base = _baseline_rows(1).assign(legalitas=["setengah"])
    bp = tmp_path / "b.csv"
    base.to_csv(bp, index=False)
    _assert_strict_fails(project, "baseline", bp, match_row=2, match_col="legalitas")


def test_required_value_empty_and_bad_map(project, tmp_path):
    gdf = _rt_frame()
    gdf.loc[0, "RW"] = ""
    src = tmp_path / "empty.gpkg"
    pyogrio.write_dataframe(gdf, src)
    _assert_strict_fails(project, "rt", src, match_row=1, match_col="rw", match="required")
    _assert_strict_fails(project, "rt", src, mapping={"NO_SUCH": "rw"}, match="--map")


def test_bad_coordinate_cell(project, tmp_path):
    df = pd.DataFrame({"kode_infra": ["A", "B"], "jenis": ["TPS", "TPS"], "kriteria": ["6a", "6a"],
                       "tahun": ["2019", "2019"], "sumber_dana": ["APBD II", "APBD II"], "kondisi": ["baik", "baik"],
                       "lon": ["112.95", "112.9x"], "lat": ["-2.54", "-2.54"]})  # fmt: skip
    src = tmp_path / "bad.csv"
    df.to_csv(src, index=False)
    _assert_strict_fails(project, "infrastruktur", src, match_row=3)


def test_sk_versions_side_by_side_replaced_only_by_their_own_number(project, tmp_path):
    def sk(no, luas):
        return pd.DataFrame(
            {
                "No SK": [no, no],
                "Tanggal SK": ["2016-07-12", "2016-07-12"],
                "kode_kawasan": ["KW01", "KW02"],
                "nama_lokasi": ["Tepian Mentaya", "Pasar Lama"],
                "kelurahan": ["Mentawa Baru Hulu", "Ketapang"],
                "kecamatan": ["Mentawa Baru Ketapang"] * 2,
                "Luas (Ha)": luas,
            }
        )

    a = tmp_path / "sk2016.xlsx"
    sk("188.45/287/HUK/2016", ["12,50", "8,25"]).to_excel(a, index=False)
    b = tmp_path / "sk2020.xlsx"
    sk("188.45/112/HUK/2020", ["11,00", "9,75"]).to_excel(b, index=False)
    import_file(project, "sk_kumuh", a)
    import_file(project, "sk_kumuh", b)  # no --append needed: versions accumulate
    rows = open_store(project).read("sk_kumuh")
    assert sorted(rows["no_sk"].unique()) == ["188.45/112/HUK/2020", "188.45/287/HUK/2016"]
    assert rows.loc[rows["no_sk"].str.endswith("2016"), "luas_sk_ha"].tolist() == [12.5, 8.25]
    # appending a "revision" under an already stored number is refused: 2016 stays as it was
    _assert_strict_fails(project, "sk_kumuh", a, match_col="no_sk", match="already stored",
                         append=True)  # fmt: skip
    # without --append the same number is a corrected transcript: that SK's rows are
    # replaced (the history keeps the old ones), the 2020 version stays
    sk("188.45/287/HUK/2016", ["12,75", "8,25"]).to_excel(a, index=False)
    out = import_file(project, "sk_kumuh", a)
    assert (out.rows_added, out.rows_replaced, out.rows_kept) == (0, 2, 2)
    rows = open_store(project).read("sk_kumuh")
    assert rows.loc[rows["no_sk"].str.endswith("2016"), "luas_sk_ha"].tolist() == [12.75, 8.25]
    assert rows.loc[rows["no_sk"].str.endswith("2020"), "luas_sk_ha"].tolist() == [11.0, 9.75]


def test_lenient_accounts_for_every_row(project, tmp_path):
    gdf = _rt_frame(6)
    gdf.loc[1, "geometry"] = None
    gdf.loc[3, "Kode RT"] = gdf.loc[4, "Kode RT"]
    gdf.loc[5, "geometry"] = LineString([(LON, LAT), (LON + 0.001, LAT)])
    src = tmp_path / "mixed.geojson"
    pyogrio.write_dataframe(gdf, src, driver="GeoJSON")
    out = import_file(project, "rt", src, lenient=True)
    assert out.rows_in == 6 and out.rows_in == out.rows_stored + out.rows_rejected
    assert (out.rows_stored, out.rows_rejected) == (2, 4)
    rejected = pd.read_csv(out.rejected_file, dtype=str)
    assert sorted(rejected["_row"].astype(int)) == [2, 4, 5, 6]
    assert rejected["alasan"].str.len().min() > 0
    audit = open_store(project).audit().iloc[-1]
    assert (audit["baris_masuk"], audit["baris_disimpan"], audit["baris_ditolak"]) == (6, 2, 4)


def test_validate_reports_without_storing(tmp_path):
    df = _baseline_rows(2)
    df.loc[1, "tahun"] = "20199"
    src = tmp_path / "b.csv"
    df.to_csv(src, index=False)
    result = validate_file("baseline", src)
    assert [(p.row, p.column) for p in result.errors] == [(3, "tahun")]
    assert not list(tmp_path.glob("*.gpkg"))


# --- the command line ------------------------------------------------------------------


def test_cli_strict_exit_2_full_report_store_untouched(project, tmp_path, capsys):
    gdf = _rt_frame()
    gdf.loc[0, "geometry"] = None
    gdf.loc[2, "KODE_KEL"] = None
    src = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(gdf, src)
    before = _sha(project)
    assert main(["import", str(project), "rt", str(src)]) == 2
    err = capsys.readouterr().err
    assert "geometri kosong" in err and "kode_kel" in err  # both problems, one report
    assert _sha(project) == before
    assert main(["--lang", "en", "validate", "rt", str(src)]) == 2
    assert "null or empty" in capsys.readouterr().err


def test_cli_new_store_not_created_on_failure(tmp_path, capsys):
    src = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(_rt_frame().drop(columns=["RT"]), src)
    target = tmp_path / "new.gpkg"
    assert main(["import", str(target), "rt", str(src)]) == 2
    assert not target.exists()
    assert main(["import", str(target), "nosuchlayer", str(src)]) == 2
    assert main(["import", str(target), "rt", str(tmp_path / "missing.shp")]) == 2


def test_cli_lenient_and_map(project, tmp_path, capsys):
    gdf = _rt_frame().rename(columns={"RW": "NOMOR_RUKUN_WARGA"})
    src = tmp_path / "m.gpkg"
    pyogrio.write_dataframe(gdf, src)
    assert main(["import", str(project), "rt", str(src), "--map", "NOMOR_RUKUN_WARGA=rw"]) == 0
    out = capsys.readouterr().out
    assert "4 disimpan" in out
    assert "4 diganti, 0 tetap" in out  # a replacing import says what it replaced
    assert open_store(project).read("rt")["rw"].tolist() == ["001"] * 4


def test_store_created_by_import_is_a_project(tmp_path):
    src = tmp_path / "w.gpkg"
    w = gpd.GeoDataFrame(
        {"kode_kel": ["6202061007"], "kelurahan": ["Mentawa Baru Hulu"], "kecamatan": ["Mentawa Baru Ketapang"],
         "kota": ["Kotawaringin Timur"]}, geometry=[box(LON, LAT, LON + 0.01, LAT + 0.01)], crs=4326)  # fmt: skip
    pyogrio.write_dataframe(w, src)
    import_file(tmp_path / "k.gpkg", "wilayah", src)
    s = open_store(tmp_path / "k.gpkg")
    assert s.meta()["kota"] == "Kotawaringin Timur"
    assert s.layers() == ["wilayah"]
    create_store(tmp_path / "other.gpkg")  # create → import into an existing empty project
    import_file(tmp_path / "other.gpkg", "wilayah", src)
    assert len(open_store(tmp_path / "other.gpkg").read("wilayah")) == 1
