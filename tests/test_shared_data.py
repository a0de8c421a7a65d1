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
