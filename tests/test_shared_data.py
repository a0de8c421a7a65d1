"""Real public files from ../shared/data import cleanly (see its README for sources)."""

from __future__ import annotations

import json

import pytest

from kumuhgis.cli import main
from kumuhgis.core.errors import ValidationError
from kumuhgis.geo.area import hectares
from kumuhgis.ingest.load import import_file, validate_file
from kumuhgis.store import open_store

BOUNDARIES = [
    ("kel_kotawaringin_timur_62.02.geojson", 185),
    ("kel_balikpapan_64.71.geojson", 34),
    ("kel_pontianak_61.71.geojson", 29),
]


@pytest.mark.parametrize(("name", "count"), BOUNDARIES)
def test_kelurahan_boundaries_import_strict(shared_data, tmp_path, name, count):
    src = shared_data / "cahyadsn_wilayah_boundaries" / name
    out = import_file(tmp_path / "k.gpkg", "wilayah", src)
    assert (out.rows_in, out.rows_stored, out.rows_rejected) == (count, count, 0)
    w = open_store(tmp_path / "k.gpkg").read("wilayah")
    # 'kode', 'nama', 'nama_kec', 'nama_kab' are mapped by the header variants alone
    assert w["kode_kel"].str.match(r"^\d\d\.\d\d\.\d\d\.\d{4}$").all()
    assert w["kelurahan"].notna().all() and w["kota"].nunique() == 1
    assert "kode_kab" in w.columns  # unknown columns kept
    assert (hectares(w.geometry) > 0).all()


def test_madiun_invalid_ring_refused_strict_repaired_lenient(shared_data, tmp_path):
    src = shared_data / "cahyadsn_wilayah_boundaries" / "kel_kab_madiun_35.19.geojson"
    with pytest.raises(ValidationError) as err:
        import_file(tmp_path / "k.gpkg", "wilayah", src)
    bad = [p for p in err.value.problems if p.severity == "error"]
    assert len(bad) == 1 and bad[0].column == "geometry"
    assert not (tmp_path / "k.gpkg").exists()
    out = import_file(tmp_path / "k.gpkg", "wilayah", src, lenient=True)
    assert (out.rows_in, out.rows_stored, out.rows_rejected) == (206, 206, 0)
    assert len([p for p in out.problems if p.severity == "repaired"]) == 1
    assert open_store(tmp_path / "k.gpkg").read("wilayah").geometry.is_valid.all()


def test_jakarta_shapefile_with_map(shared_data, tmp_path):
    src = shared_data / "inasafe_data" / "jakarta_boundaries" / "kelurahan_jakarta.shp"
    out = import_file(
        tmp_path / "k.gpkg",
        "wilayah",
        src,
        mapping={
            "ID": "kode_kel",
            "KEL_NAME_1": "kelurahan",
            "KEC_NAME_1": "kecamatan",
            "KAB_NAME_1": "kota",
        },
    )
    assert out.rows_stored == 261


def test_serang_table_reports_missing_columns_not_a_crash(shared_data):
    src = shared_data / "jiwasharing_kumuh_serang" / "sumber_data_baru.csv"
    result = validate_file("baseline", src)
    missing = {p.column for p in result.errors if p.row is None}
    # the Serang file is a needs table, not a baseline: kode_rt, volumes, ... are missing
    assert {"kode_rt", "tahun", "v_1a"} <= missing
    assert result.rows_in == 602


def test_area_of_web_mercator_buildings(shared_data, capsys):
    src = shared_data / "inasafe_data" / "lembang_osm" / "lembang_osm_20121003.sqlite"
    assert main(["area", str(src), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["features"]) == 2517
    # EPSG:3857 inflates areas by 1/cos²(lat) ≈ 1.0144 at Lembang (-6.8°); we must not
    assert main(["area", str(src), "--json", "--method", "utm"]) == 0
    utm = json.loads(capsys.readouterr().out)
    assert out["total_ha"] == pytest.approx(utm["total_ha"], rel=2e-3)
    assert "EPSG:9488" in utm["features"][0]["metode"] or "9488" in str(
        utm["features"][0].get("epsg")
    )


OSM_FILL = ["--fill", "jenis=hidran umum", "kriteria=7b", "tahun=2020", "sumber_dana=Lainnya",
            "kondisi=baik"]  # fmt: skip


def test_osm_hydrants_import_with_fill(shared_data, tmp_path, capsys):
    """OSM fire hydrants of Semarang (59 points, tag columns such as ``fire_hydrant:type``):
    an OSM extract has no funding source, condition or year, so the Pokja gives them with
    ``--fill``; every OSM tag is kept beside the layer's columns."""
    src = shared_data / "gilangabdul_semarang_osm_poi" / "hydrant.gpkg"
    store = tmp_path / "semarang.gpkg"
    base = ["import", str(store), "infrastruktur", str(src), "--map", "osm_id=kode_infra"]
    assert main(base) == 2  # strict: the missing columns, each named with --fill as a way out
    err = capsys.readouterr().err
    assert "kondisi" in err and "--fill" in err and not store.exists()
    assert main([*base, *OSM_FILL]) == 0
    stored = open_store(store).read("infrastruktur")
    assert len(stored) == 59 and (stored["jenis"] == "hidran umum").all()
    assert (stored["tahun"] == 2020).all() and (stored["sumber_dana"] == "Lainnya").all()
    assert "emergency" in stored.columns  # the OSM tags stay
    # a bad value is one file problem, not 59 row problems, and nothing is stored
    bad = [*base, "--fill", "jenis=hidran umum", "kriteria=7b", "tahun=20x1",
           "sumber_dana=Lainnya", "kondisi=baik"]  # fmt: skip
    before = open_store(store).read("infrastruktur")
    assert main(bad) == 2
    err = capsys.readouterr().err
    assert err.count("--fill tahun=20x1") == 1
    assert open_store(store).read("infrastruktur").equals(before)


def test_osm_waste_points_without_id_rejected_by_row(shared_data, tmp_path):
    """Semarang's TPS (MultiPoint, 9 features): three have no osm_id; strict names them,
    lenient stores the six that have one."""
    src = shared_data / "gilangabdul_semarang_osm_poi" / "tps.gpkg"
    store = tmp_path / "semarang.gpkg"
    fill = dict(pair.split("=", 1) for pair in OSM_FILL[1:])
    with pytest.raises(ValidationError) as exc:
        import_file(store, "infrastruktur", src, mapping={"osm_id": "kode_infra"}, fill=fill)
    assert sorted({p.row for p in exc.value.problems}) == [7, 8, 9]  # their fid in QGIS
    out = import_file(store, "infrastruktur", src, mapping={"osm_id": "kode_infra"}, fill=fill,
                      lenient=True)  # fmt: skip
    assert (out.rows_in, out.rows_stored, out.rows_rejected) == (9, 6, 3)
