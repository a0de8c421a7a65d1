"""Nothing lost, nothing silent (issue 13): typed extra columns, the declared luas of a
delineation, and a warning for every field a reader could not bring in."""

from __future__ import annotations

import json
import re
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from kumuhgis.core.numeric import number_column
from kumuhgis.ingest.fields import dbf_field_names, missing_fields
from kumuhgis.ingest.load import import_file
from kumuhgis.ingest.readers import read_file
from kumuhgis.store import open_store

LON, LAT = 109.33, -0.03  # Pontianak


@pytest.mark.parametrize(
    ("values", "expected", "dtype"),
    [
        (["12,35", "3,5", None], [12.35, 3.5, None], "float64"),
        (["1.234", "2,5"], [1234.0, 2.5], "float64"),  # 2,5 settles the Indonesian style
        (["1,234.5", "7"], [1234.5, 7.0], "float64"),
        (["2016", " 2017 ", ""], [2016, 2017, None], "Int64"),
        ([3, "4"], [3, 4], "Int64"),
        (["1.234.567", "12"], [1234567.0, 12.0], "float64"),
    ],
)
def test_number_column_reads_numbers(values, expected, dtype):
    out = number_column(pd.Series(values, dtype=object))
    assert out is not None and str(out.dtype) == dtype
    assert [None if pd.isna(v) else v for v in out] == expected


@pytest.mark.parametrize(
    "values",
    [
        ["1.234"],  # ambiguous, nothing settles it
        ["1.234", "12,5", "7.5"],  # both styles in one column
        ["001", "002"],  # codes with their zeros
        ["0812345678"],
        ["3271010101900001"],  # an NIK: 16 digits
        ["61.71.01.1002"],  # a Kemendagri code
        ["12", "dua"],
        ["-", None],  # nothing filled in
        [True, False],
    ],
)
def test_number_column_keeps_text(values):
    assert number_column(pd.Series(values, dtype=object)) is None


def _delineasi_csv(tmp_path, luas_header="LUAS_HA", luas=("12,35", "8,9")):
    path = tmp_path / "delineasi.csv"
    d = 0.002
    rows = [
        ["kode_kawasan", "nama_kawasan", "kode_kel", "tahun", luas_header, "RT_LIST", "Skor",
         "wkt"],
        ["KWS-01", "Tambelan", "6171021007", "2016", luas[0], "001", "1.234",
         box(LON, LAT, LON + d, LAT + d).wkt],
        ["KWS-02", "Bugis", "6171021006", "2016", luas[1], "002", "2,5",
         box(LON + d, LAT, LON + 2 * d, LAT + d).wkt],
    ]  # fmt: skip
    path.write_text("\n".join(";".join(f'"{c}"' for c in r) for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("header", ["LUAS_HA", "Luas (Ha)", "luas"])
def test_declared_luas_of_a_delineation_is_a_number(tmp_path, header):
    store = tmp_path / "p.gpkg"
    import_file(store, "delineasi", _delineasi_csv(tmp_path, header))
    stored = open_store(store).read("delineasi")
    assert stored["luas_tercatat_ha"].tolist() == [12.35, 8.9]
    assert stored["rt_list"].tolist() == ["001", "002"]  # codes stay text
    assert stored["skor"].tolist() == [1234.0, 2.5]  # typed extra column
    assert stored["skor"].dtype == "float64"


def test_declared_luas_refuses_a_bad_number(tmp_path):
    from kumuhgis.core.errors import ValidationError

    with pytest.raises(ValidationError) as exc:
        import_file(
            tmp_path / "p.gpkg", "delineasi", _delineasi_csv(tmp_path, luas=("12,35", "-3"))
        )
    assert any(p.column == "luas_tercatat_ha" and p.row == 3 for p in exc.value.problems)
    assert not (tmp_path / "p.gpkg").exists()


def test_shapefile_text_numbers_become_numbers(tmp_path):
    """A delineation shapefile whose LUAS_HA is a text field holding '12,35'."""
    frame = gpd.GeoDataFrame(
        {
            "KD_KAWASAN": ["A", "B"],
            "LOKASI": ["Satu", "Dua"],
            "KODE_KEL": ["6171021007", "6171021006"],
            "TAHUN": ["2016", "2016"],
            "LUAS_HA": ["12,35", "0,75"],
            "JML_RT": ["4", "12"],
        },
        geometry=[
            box(LON, LAT, LON + 0.001, LAT + 0.001),
            box(LON + 0.001, LAT, LON + 0.002, LAT + 0.001),
        ],
        crs="EPSG:4326",
    )
    shp = tmp_path / "delineasi.shp"
    frame.to_file(shp, engine="pyogrio")
    store = tmp_path / "p.gpkg"
    import_file(store, "delineasi", shp)
    stored = open_store(store).read("delineasi")
    assert stored["luas_tercatat_ha"].tolist() == [12.35, 0.75]
    assert stored["jml_rt"].tolist() == [4, 12]
    assert pd.api.types.is_integer_dtype(stored["jml_rt"])


# --------------------------------------------------------------------------- fewer fields


def test_missing_fields_names_them():
    (p,) = missing_fields(["A", "B", "C", "id"], ["A", "id_data"], "x.kml", where=["F"])
    assert p.severity == "warning"
    assert "'B', 'C'" in p.masalah and "'B', 'C'" in p.problem and "'F'" in p.problem
    assert missing_fields(["A"], ["A", "B"], "x") == []


def test_dbf_header_names(tmp_path):
    frame = gpd.GeoDataFrame(
        {"KODE": ["a"], "LUAS_HA": [1.5]}, geometry=[box(0, 0, 1, 1)], crs=4326
    )
    frame.to_file(tmp_path / "a.shp", engine="pyogrio")
    head = (tmp_path / "a.dbf").read_bytes()
    assert dbf_field_names(head, None) == ["KODE", "LUAS_HA"]
    assert dbf_field_names(head[:20], None) == []


def test_geojson_property_named_geometry_is_reported(tmp_path):
    """GDAL lets the geometry column shadow a property named 'geometry'."""
    path = tmp_path / "x.geojson"
    feature = {
        "type": "Feature",
        "properties": {"kode": "A", "geometry": "poligon RT 3", "Luas": "1,5"},
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature] * 3}))
    read = read_file(path)
    (p,) = read.problems
    assert p.severity == "warning" and "'geometry'" in p.problem and "'geometry'" in p.masalah
    assert "x.geojson" in p.problem


def test_xlsx_with_a_wrong_dimension_is_read_whole(tmp_path):
    """openpyxl's read-only mode trusts the sheet's <dimension>; a file that declares A1:B2
    for four columns and three rows used to lose two columns and a row silently."""
    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    for row in (["a", "b", "c", "d"], [1, 2, 3, 4], [5, 6, 7, 8]):
        wb.active.append(row)
    wb.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', data)
            zout.writestr(item, data)
    frame = read_file(bad).frame
    assert list(frame.columns) == ["_row", "a", "b", "c", "d"]
    assert frame["d"].tolist() == [4, 8]
