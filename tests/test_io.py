"""Tests for kumuhgis.ingest.readers: every format written and read through real GDAL / openpyxl.

Fixtures are tiny and built in code: two kawasan polygons near Sampit (Kab. Kotawaringin
Timur, lon ≈ 112.95, lat ≈ -2.54) with Indonesian names.
"""

from __future__ import annotations

import csv
import math
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import CRS
from shapely.geometry import Point, Polygon, box

from kumuhgis.core.errors import CRSError, UsageError, ValidationError
from kumuhgis.ingest.readers import ReadResult, list_layers, read_file
from kumuhgis.outputs.files import write_frame

CP1252_NAME = "Gang H. Ma’ruf – Blok B"  # ’ (0x92) and – (0x96) exist only in cp1252


def _kawasan() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "kode_kaw": ["001", "002"],
            "nama": [CP1252_NAME, "Mentawa Baru Hulu"],
            "luas_ha": [12.5, 3.25],
        },
        geometry=[
            box(112.950, -2.545, 112.955, -2.540),
            Polygon([(112.960, -2.550), (112.965, -2.550), (112.962, -2.545)]),
        ],
        crs="EPSG:4326",
    )


def _write_shp(gdf: gpd.GeoDataFrame, folder: Path, stem: str, encoding: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{stem}.shp"
    pyogrio.write_dataframe(gdf, shp, encoding=encoding)
    return shp


def _zip(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, prefix + p.name)
    return target


def _encoding_warnings(result: ReadResult) -> list:
    return [p for p in result.problems if p.severity == "warning" and ".cpg" in p.problem]


# --------------------------------------------------------------------------- Shapefile


def test_zipped_shapefile_without_cpg_is_read_as_cp1252_with_warning(tmp_path):
    folder = tmp_path / "shp"
    _write_shp(_kawasan(), folder, "delineasi", "cp1252")
    (folder / "delineasi.cpg").unlink()
    # the DBF really holds cp1252 bytes for ’ and –
    assert b"Ma\x92ruf \x96 Blok" in (folder / "delineasi.dbf").read_bytes()
    z = _zip(folder, tmp_path / "delineasi.zip")

    result = read_file(z)

    assert result.format == "shapefile-zip"
    assert result.layer == "delineasi"
    assert result.has_geometry
    assert result.frame["nama"].tolist() == [CP1252_NAME, "Mentawa Baru Hulu"]
    assert result.frame["kode_kaw"].tolist() == ["001", "002"]
    assert result.frame["_row"].tolist() == [1, 2]
    assert list(result.frame.columns)[0] == "_row"
    assert result.source_crs.equals(CRS.from_epsg(4326))
    warns = _encoding_warnings(result)
    assert len(warns) == 1
    assert "cp1252" in warns[0].problem and "cp1252" in warns[0].masalah
    assert result.errors == []


def test_folder_shapefile_with_cpg_utf8_needs_no_warning(tmp_path):
    folder = tmp_path / "kawasan"
    _write_shp(_kawasan(), folder, "delineasi", "UTF-8")
    assert (folder / "delineasi.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")

    result = read_file(folder)

    assert result.format == "shapefile"
    assert result.frame["nama"].iloc[0] == CP1252_NAME
    assert _encoding_warnings(result) == []
    assert result.problems == []


def test_shp_with_cpg_saying_cp1252_is_decoded_without_warning(tmp_path):
    shp = _write_shp(_kawasan(), tmp_path / "a", "rt", "cp1252")
    assert (tmp_path / "a" / "rt.cpg").exists()
    result = read_file(shp)
    assert result.frame["nama"].iloc[0] == CP1252_NAME
    assert result.problems == []


def test_utf8_dbf_without_cpg_is_recognised(tmp_path):
    folder = tmp_path / "u"
    _write_shp(_kawasan(), folder, "rt", "UTF-8")
    (folder / "rt.cpg").unlink()
    result = read_file(folder / "rt.shp")
    # read as cp1252 this would be "Ma’ruf" → "Maâ€™ruf"
    assert result.frame["nama"].iloc[0] == CP1252_NAME
    warns = _encoding_warnings(result)
    assert len(warns) == 1 and "UTF-8" in warns[0].problem


def test_explicit_encoding_overrides_detection(tmp_path):
    folder = tmp_path / "e"
    _write_shp(_kawasan(), folder, "rt", "cp1252")
    (folder / "rt.cpg").unlink()
    result = read_file(folder / "rt.shp", encoding="latin-1")
    # latin-1 maps 0x92 to a C1 control character: the user asked for it
    assert result.frame["nama"].iloc[0] == "Gang H. Ma\x92ruf \x96 Blok B"
    assert result.problems == []


def test_ascii_dbf_without_cpg_gives_no_warning(tmp_path):
    gdf = _kawasan().assign(nama=["Baamang Hilir", "Ketapang"])
    folder = tmp_path / "ascii"
    _write_shp(gdf, folder, "rt", "cp1252")
    (folder / "rt.cpg").unlink()
    result = read_file(folder / "rt.shp")
    assert result.frame["nama"].tolist() == ["Baamang Hilir", "Ketapang"]
    assert result.problems == []


def test_shapefile_without_prj_has_no_source_crs(tmp_path):
    folder = tmp_path / "noprj"
    _write_shp(_kawasan(), folder, "rt", "UTF-8")
    (folder / "rt.prj").unlink()
    result = read_file(folder / "rt.shp")
    assert result.source_crs is None
    assert result.frame.crs is None
    assert len(result.frame) == 2


def test_shapefile_3d_is_dropped_to_2d(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"nama": ["hidran"]}, geometry=[Point(112.95, -2.54, 17.0)], crs="EPSG:4326"
    )
    shp = _write_shp(gdf, tmp_path / "z", "titik", "UTF-8")
    assert pyogrio.read_info(shp)["geometry_type"] == "Point Z"
    result = read_file(shp)
    geom = result.frame.geometry.iloc[0]
    assert not geom.has_z
    assert (geom.x, geom.y) == (112.95, -2.54)


def test_zip_with_two_shapefiles_needs_a_layer_choice(tmp_path):
    folder = tmp_path / "two"
    _write_shp(_kawasan(), folder, "rt", "UTF-8")
    _write_shp(_kawasan().iloc[:1], folder, "delineasi", "UTF-8")
    z = _zip(folder, tmp_path / "kiriman.zip", prefix="data/")
    with zipfile.ZipFile(z, "a") as zf:  # macOS resource forks must be ignored
        zf.writestr("__MACOSX/data/._rt.shp", b"\x00\x05\x16\x07")

    assert list_layers(z) == ["delineasi", "rt"]
    with pytest.raises(UsageError) as err:
        read_file(z)
    msg = str(err.value)
    assert "'delineasi'" in msg and "'rt'" in msg and " / " in msg

    result = read_file(z, layer="delineasi")
    assert result.layer == "delineasi"
    assert len(result.frame) == 1
    with pytest.raises(UsageError, match="jalan"):
        read_file(z, layer="jalan")


def test_folder_with_two_shapefiles_lists_them(tmp_path):
    folder = tmp_path / "f"
    _write_shp(_kawasan(), folder, "rt", "UTF-8")
    _write_shp(_kawasan(), folder, "rw", "UTF-8")
    with pytest.raises(UsageError, match="'rt', 'rw'"):
        read_file(folder)
    assert len(read_file(folder, layer="rw").frame) == 2


def test_zip_missing_dbf_is_reported(tmp_path):
    folder = tmp_path / "broken"
    _write_shp(_kawasan(), folder, "rt", "UTF-8")
    (folder / "rt.dbf").unlink()
    z = _zip(folder, tmp_path / "rt.zip")
    with pytest.raises(ValidationError) as err:
        read_file(z)
    problem = err.value.problems[0]
    assert "rt.dbf" in problem.masalah and "rt.dbf" in problem.problem


# --------------------------------------------------------------------------- GeoPackage, GeoJSON


def test_geopackage_two_layers_choice_and_error(tmp_path):
    gpkg = tmp_path / "kota.gpkg"
    pyogrio.write_dataframe(_kawasan(), gpkg, layer="delineasi")
    pyogrio.write_dataframe(_kawasan().iloc[:1], gpkg, layer="rt")

    with pytest.raises(UsageError) as err:
        read_file(gpkg)
    msg = str(err.value)
    assert "'delineasi'" in msg and "'rt'" in msg
    assert "Pilih" in msg and "Choose" in msg

    result = read_file(gpkg, layer="rt")
    assert (result.format, result.layer, len(result.frame)) == ("gpkg", "rt", 1)
    assert result.frame["nama"].iloc[0] == CP1252_NAME
    assert result.source_crs.to_epsg() == 4326
    assert sorted(list_layers(gpkg)) == ["delineasi", "rt"]
    with pytest.raises(UsageError, match="'delineasi'"):
        read_file(gpkg, layer="wilayah")


def test_geopackage_single_layer_and_attribute_table(tmp_path):
    gpkg = tmp_path / "satu.gpkg"
    pyogrio.write_dataframe(_kawasan(), gpkg, layer="delineasi")
    assert read_file(gpkg).layer == "delineasi"

    table = tmp_path / "sk.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"no_sk": ["050/12/2024"], "luas_sk_ha": [4.5]}), table)
    result = read_file(table)
    assert not result.has_geometry
    assert not isinstance(result.frame, gpd.GeoDataFrame)
    assert result.frame["no_sk"].tolist() == ["050/12/2024"]
    assert result.source_crs is None


def test_geojson_with_z_coordinates(tmp_path):
    path = tmp_path / "titik.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"kode_infra": "007", "jenis": "sumur bor"},'
        ' "geometry": {"type": "Point", "coordinates": [112.9512, -2.5412, 12.0]}},'
        '{"type": "Feature", "properties": {"kode_infra": "008", "jenis": "jalan"},'
        ' "geometry": {"type": "LineString", "coordinates": '
        "[[112.95, -2.54, 3], [112.96, -2.55, 4]]}}]}",
        encoding="utf-8",
    )
    result = read_file(path)
    assert result.format == "geojson"
    assert result.frame["_row"].tolist() == [1, 2]
    assert result.frame["kode_infra"].tolist() == ["007", "008"]
    assert shapely.get_coordinate_dimension(result.frame.geometry.values).tolist() == [2, 2]
    assert result.frame.geometry.iloc[0].equals(Point(112.9512, -2.5412))
    assert result.source_crs.to_epsg() == 4326


# --------------------------------------------------------------------------- KML / KMZ

KML_TEXT = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>Delineasi Sampit 2024</name>
  <Folder>
    <name>Kawasan Mentawa Baru</name>
    <Placemark>
      <name>Mentawa Baru Hulu</name>
      <description>Permukiman tepi Sungai Mentaya</description>
      <ExtendedData>
        <Data name="kode_kawasan"><value>001</value></Data>
        <Data name="tahun"><value>2024</value></Data>
      </ExtendedData>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        112.950,-2.545,10 112.955,-2.545,10 112.955,-2.540,10 112.950,-2.540,10 112.950,-2.545,10
      </coordinates></LinearRing></outerBoundaryIs></Polygon>
    </Placemark>
    <Placemark>
      <name>Ketapang</name>
      <ExtendedData>
        <Data name="kode_kawasan"><value>002</value></Data>
      </ExtendedData>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        112.960,-2.550 112.965,-2.550 112.962,-2.545 112.960,-2.550
      </coordinates></LinearRing></outerBoundaryIs></Polygon>
    </Placemark>
  </Folder>
  <Folder>
    <name>Kawasan Baamang</name>
    <Placemark>
      <name>Baamang Hilir</name>
      <description>Gang H. Ma’ruf</description>
      <ExtendedData>
        <Data name="kode_kawasan"><value>003</value></Data>
      </ExtendedData>
      <Point><coordinates>112.97,-2.53,0</coordinates></Point>
    </Placemark>
  </Folder>
</Document>
</kml>
"""


def _check_kml(result: ReadResult, fmt: str) -> None:
    frame = result.frame
    assert result.format == fmt
    assert frame["folder"].tolist() == [
        "Kawasan Mentawa Baru",
        "Kawasan Mentawa Baru",
        "Kawasan Baamang",
    ]
    assert frame["name"].tolist() == ["Mentawa Baru Hulu", "Ketapang", "Baamang Hilir"]
    assert frame["description"].iloc[0] == "Permukiman tepi Sungai Mentaya"
    assert frame["description"].iloc[2] == "Gang H. Ma’ruf"
    assert frame["kode_kawasan"].tolist() == ["001", "002", "003"]
    assert frame["tahun"].iloc[0] == "2024"
    assert frame["_row"].tolist() == [1, 2, 3]
    assert frame.geometry.geom_type.tolist() == ["Polygon", "Polygon", "Point"]
    assert not frame.geometry.has_z.any()
    assert result.source_crs.to_epsg() == 4326
    # LIBKML bookkeeping columns are not user data
    assert not {"tessellate", "extrude", "visibility", "altitudeMode"} & set(frame.columns)


def test_kml_folders_are_flattened(tmp_path):
    path = tmp_path / "delineasi.kml"
    path.write_text(KML_TEXT, encoding="utf-8")
    _check_kml(read_file(path), "kml")
    assert {"Kawasan Mentawa Baru", "Kawasan Baamang"} <= set(list_layers(path))
    one = read_file(path, layer="Kawasan Baamang")
    assert one.frame["name"].tolist() == ["Baamang Hilir"]
    assert one.frame["_row"].tolist() == [1]


def test_kmz_is_read_like_kml(tmp_path):
    path = tmp_path / "delineasi.kmz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", KML_TEXT)
    _check_kml(read_file(path), "kmz")


# --------------------------------------------------------------------------- CSV


def test_csv_semicolon_decimal_comma_cp1252(tmp_path):
    # what Indonesian Excel saves as "CSV (dipisahkan titik koma)": ';' and decimal commas
    path = tmp_path / "infrastruktur.csv"
    path.write_bytes(
        "kode_infra;jenis;Bujur (BT);Lintang (LS);kondisi\r\n"
        f"001;drainase;112,9512;-2,5412;{CP1252_NAME}\r\n"
        "002;jalan;112,95;-2,54;baik\r\n".encode("cp1252")
    )
    result = read_file(path)
    frame = result.frame
    assert result.format == "csv"
    assert result.layer is None
    assert result.has_geometry and result.source_crs is None
    assert frame["_row"].tolist() == [2, 3]
    assert frame["kode_infra"].tolist() == ["001", "002"]
    assert frame["kondisi"].iloc[0] == CP1252_NAME
    # the source cells stay as text
    assert frame["Bujur (BT)"].tolist() == ["112,9512", "112,95"]
    assert frame.geometry.iloc[0].equals(Point(112.9512, -2.5412))
    assert frame.geometry.iloc[1].equals(Point(112.95, -2.54))
    assert [p.severity for p in result.problems] == ["warning"]
    assert "cp1252" in result.problems[0].problem


def test_csv_with_wkt_column_comma_delimited(tmp_path):
    path = tmp_path / "delineasi.csv"
    wkts = [g.wkt for g in _kawasan().geometry]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["kode_kawasan", "nama_kawasan", "WKT"])
        w.writerow(["001", "Mentawa Baru Hulu", wkts[0]])
        w.writerow(["002", "Ketapang", wkts[1]])
    result = read_file(path)
    frame = result.frame
    assert result.has_geometry
    assert "WKT" not in frame.columns  # became the geometry column
    assert frame.geometry.iloc[0].equals(_kawasan().geometry.iloc[0])
    assert frame["nama_kawasan"].tolist() == ["Mentawa Baru Hulu", "Ketapang"]
    assert result.problems == []  # UTF-8 with BOM: nothing assumed


def test_csv_ewkt_srid_sets_source_crs(tmp_path):
    path = tmp_path / "utm.csv"
    path.write_text('kode,geom\n001,"SRID=32750;POINT Z (716000 9719000 5)"\n', encoding="utf-8")
    result = read_file(path)
    assert result.source_crs.to_epsg() == 32750
    assert result.frame.geometry.iloc[0].equals(Point(716000, 9719000))


def test_csv_tab_delimited_without_geometry_keeps_codes(tmp_path):
    path = tmp_path / "sk.txt"
    path.write_text(
        "no_sk\tkode_kel\tkode_rt\tluas_sk_ha\n"
        "050/123/2024\t62.02.06.1007\t001\t1.234,5\n"
        "\t\t\t\n"
        "050/124/2024\t62.02.05.1001\t010\t0,75\n",
        encoding="utf-8",
    )
    result = read_file(path)
    frame = result.frame
    assert not result.has_geometry
    assert type(frame) is pd.DataFrame
    assert frame["_row"].tolist() == [2, 4]  # the empty row 3 is skipped, numbering kept
    assert frame["kode_kel"].tolist() == ["62.02.06.1007", "62.02.05.1001"]
    assert frame["kode_rt"].tolist() == ["001", "010"]
    assert frame["luas_sk_ha"].tolist() == ["1.234,5", "0,75"]  # not guessed here
    assert all(frame[c].dtype == object for c in frame.columns if c != "_row")


def test_csv_bad_coordinates_are_all_reported(tmp_path):
    path = tmp_path / "titik.csv"
    path.write_text(
        "kode,lon,lat\n"
        "001,112.9512,-2.5412\n"
        '002,"112,95abc",-2.54\n'
        "003,,\n"
        '004,112.96,"-2,5,4"\n'
        "005,112.97,\n"
        '006,"1.234,5,6","x"\n',
        encoding="utf-8",
    )
    result = read_file(path)
    errors = [(p.row, p.column) for p in result.errors]
    assert errors == [(3, "lon"), (5, "lat"), (6, "lat"), (7, "lon"), (7, "lat")]
    assert all(p.masalah and p.problem for p in result.errors)
    geoms = result.frame.geometry
    assert geoms.iloc[0].equals(Point(112.9512, -2.5412))
    assert geoms.iloc[1:].isna().all()  # bad or missing → no geometry
    assert result.frame["_row"].tolist() == [2, 3, 4, 5, 6, 7]


def test_csv_bad_wkt_is_reported_with_row(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(
        "kode;wkt\n001;POINT (112.95 -2.54)\n002;POINT (112,95 -2,54)\n003;POLYGON ((1 2\n",
        encoding="utf-8",
    )
    result = read_file(path)
    assert [(p.row, p.column) for p in result.errors] == [(3, "wkt"), (4, "wkt")]
    assert result.frame.geometry.iloc[0].equals(Point(112.95, -2.54))
    assert result.frame.geometry.iloc[1:].isna().all()


def test_csv_ambiguous_three_decimal_degrees(tmp_path):
    # "-2.541" could be thousands (-2541) or decimals; in a degree column it is decimals
    path = tmp_path / "a.csv"
    path.write_text("kode,lng,lat\n001,112.951,-2.541\n002,112.962,-2.552\n", encoding="utf-8")
    result = read_file(path)
    assert result.errors == []
    assert result.frame.geometry.iloc[1].equals(Point(112.962, -2.552))


def test_csv_explicit_columns_and_google_maps_pairs(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        'kode,Titik Koordinat,timur,selatan\n001,"-2.5412, 112.9512",112.9,-2.5\n',
        encoding="utf-8",
    )
    auto = read_file(path)
    assert auto.frame.geometry.iloc[0].equals(Point(112.9512, -2.5412))
    explicit = read_file(path, x="TIMUR", y="selatan")
    assert explicit.frame.geometry.iloc[0].equals(Point(112.9, -2.5))
    with pytest.raises(UsageError, match="'bujur'"):
        read_file(path, x="bujur", y="selatan")
    with pytest.raises(UsageError):
        read_file(path, x="timur")


def test_csv_duplicate_and_empty_headers(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("kode,nama,,nama\n001,A,x,B\n", encoding="utf-8")
    result = read_file(path)
    assert list(result.frame.columns) == ["_row", "kode", "nama", "kolom_3", "nama_2"]
    assert result.frame.iloc[0].tolist()[1:] == ["001", "A", "x", "B"]
    assert any("nama_2" in p.problem for p in result.problems)


def test_csv_row_with_too_many_cells_is_reported(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("kode,nama\n001,Gang Mawar\n002,Jl. Tidar, Gang 3\n", encoding="utf-8")
    result = read_file(path)
    assert [(p.row, p.severity) for p in result.problems] == [(3, "error")]
    assert result.frame["nama"].tolist() == ["Gang Mawar", "Jl. Tidar"]


# --------------------------------------------------------------------------- XLSX


def _baseline_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Petunjuk"
    ws["A1"] = "Isi sheet 'Data'"
    data = wb.create_sheet("Data")
    data.append(["DATA BASELINE KUMUH KOTA SAMPIT 2024"])
    data.append([])
    data.append(["kode_rt", "kode_kel", "luas_ha", "Longitude", "Latitude", "tanggal"])
    data.append(["001", "62.02.06.1007", 62.020, 112.9512, -2.5412, None])
    data.append([2, "62.02.06.1007", 1.5, "112,95", "-2,54", None])
    data.append([None] * 6)
    data.append(["003", "62.02.05.1001", "1.234,5", "112.96", "bukan angka", None])
    data["A5"].number_format = "000"  # a code typed as number, shown as 002
    import datetime

    data["F4"] = datetime.datetime(2024, 3, 1)
    wb.save(path)
    return path


def test_xlsx_sheet_lonlat_and_cell_types(tmp_path):
    path = _baseline_workbook(tmp_path / "baseline.xlsx")
    assert list_layers(path) == ["Petunjuk", "Data"]
    result = read_file(path, layer="Data")
    frame = result.frame
    assert (result.format, result.layer) == ("xlsx", "Data")
    assert result.has_geometry and result.source_crs is None
    assert frame["_row"].tolist() == [4, 5, 7]  # Excel's own row numbers
    assert frame["kode_rt"].tolist() == ["001", "002", "003"]
    assert frame["kode_kel"].tolist() == ["62.02.06.1007", "62.02.06.1007", "62.02.05.1001"]
    luas = frame["luas_ha"].tolist()
    assert luas[0] == 62.02 and isinstance(luas[0], float)  # a number stays a number
    assert luas[2] == "1.234,5"  # text stays text
    assert frame["tanggal"].iloc[0] == "2024-03-01"
    assert frame.geometry.iloc[0].equals(Point(112.9512, -2.5412))
    assert frame.geometry.iloc[1].equals(Point(112.95, -2.54))
    assert frame.geometry.iloc[2] is None
    assert [(p.row, p.column) for p in result.errors] == [(7, "Latitude")]
    # the title line above the table is reported, not taken as a header
    assert any(p.severity == "warning" and p.row == 3 for p in result.problems)


def test_xlsx_default_first_sheet_and_unknown_sheet(tmp_path):
    path = _baseline_workbook(tmp_path / "b.xlsx")
    first = read_file(path)
    assert first.layer == "Petunjuk"
    assert not first.has_geometry
    with pytest.raises(UsageError) as err:
        read_file(path, layer="Sheet9")
    assert "'Petunjuk', 'Data'" in str(err.value)


def test_xls_and_unknown_extensions_are_usage_errors(tmp_path):
    xls = tmp_path / "lama.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UsageError, match=r"\.xlsx"):
        read_file(xls)
    dwg = tmp_path / "peta.dwg"
    dwg.write_bytes(b"AC1015")
    with pytest.raises(UsageError) as err:
        read_file(dwg)
    assert "GeoPackage" in str(err.value) and "KML" in str(err.value)
    missing = tmp_path / "tidak_ada.gpkg"
    with pytest.raises(UsageError) as err:
        read_file(missing)
    assert str(missing) in str(err.value)
    assert "tidak ditemukan" in str(err.value) and "not found" in str(err.value)


def test_corrupt_geopackage_is_a_validation_error(tmp_path):
    path = tmp_path / "rusak.gpkg"
    path.write_bytes(b"this is not sqlite")
    with pytest.raises(ValidationError) as err:
        read_file(path)
    assert err.value.problems[0].row is None


# --------------------------------------------------------------------------- write_frame


def _frame_for_writing() -> gpd.GeoDataFrame:
    return _kawasan().assign(_row=[1, 2], catatan=["=SUM(A1)", None])


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".shp", ".zip", ".csv", ".xlsx"])
def test_write_frame_round_trip(tmp_path, ext):
    src = _frame_for_writing()
    out = write_frame(src, tmp_path / f"hasil{ext}", layer="delineasi")
    assert out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".kumuhgis-")]

    back = read_file(out, layer="delineasi" if ext in (".gpkg", ".xlsx", ".zip") else None)
    frame = back.frame
    assert back.has_geometry
    # spreadsheet rows for CSV/XLSX (header is row 1), feature numbers otherwise
    assert frame["_row"].tolist() == ([2, 3] if ext in (".csv", ".xlsx") else [1, 2])
    assert "_row_sumber" not in frame.columns  # the reader's _row was not written
    assert frame["nama"].tolist() == [CP1252_NAME, "Mentawa Baru Hulu"]
    assert [str(v) for v in frame["kode_kaw"]] == ["001", "002"]
    assert [float(v) for v in frame["luas_ha"]] == [12.5, 3.25]
    assert frame["catatan"].iloc[0] == "=SUM(A1)"  # text, not an Excel formula
    for got, want in zip(frame.geometry, src.geometry, strict=True):
        assert got.normalize().equals_exact(want.normalize(), tolerance=1e-7)
    if ext in (".gpkg", ".geojson", ".shp", ".zip"):
        assert back.source_crs.to_epsg() == 4326
    else:
        assert back.source_crs is None  # WKT text carries no CRS; it is EPSG:4326 by contract
    assert back.errors == []


def test_write_csv_has_bom_and_wkt_in_4326(tmp_path):
    utm = _kawasan().to_crs(32750)
    out = write_frame(utm, tmp_path / "d.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].split(b"\r\n")[0].decode()
    assert header == "kode_kaw,nama,luas_ha,wkt"
    back = read_file(out).frame
    assert back.geometry.iloc[0].equals_exact(_kawasan().geometry.iloc[0], tolerance=1e-9)


def test_write_geojson_is_rfc7946_in_4326(tmp_path):
    out = write_frame(_kawasan().to_crs(32750), tmp_path / "d.geojson")
    text = out.read_text(encoding="utf-8")
    assert '"crs"' not in text  # RFC 7946 has no crs member: always WGS 84
    info = pyogrio.read_info(out)
    assert CRS.from_user_input(info["crs"]).to_epsg() == 4326
    xmin, ymin, xmax, ymax = info["total_bounds"]
    assert 112.9 < xmin < xmax < 113.0 and -2.6 < ymin < ymax < -2.5


def test_write_gpkg_adds_layers_and_keeps_crs(tmp_path):
    path = tmp_path / "kota.gpkg"
    write_frame(_kawasan(), path, layer="delineasi")
    write_frame(_kawasan().to_crs(23834).iloc[:1], path, layer="rt")
    write_frame(pd.DataFrame({"no_sk": ["050/1/2024"]}), path, layer="sk_kumuh")
    write_frame(_kawasan().iloc[:1], path, layer="delineasi")  # replaces that layer only
    assert sorted(list_layers(path)) == ["delineasi", "rt", "sk_kumuh"]
    assert len(read_file(path, layer="delineasi").frame) == 1
    assert read_file(path, layer="rt").source_crs.to_epsg() == 23834
    assert not read_file(path, layer="sk_kumuh").has_geometry


def test_write_zip_shapefile_holds_cpg_prj_and_short_names(tmp_path):
    src = _kawasan().assign(keterangan_panjang=["a", "b"], keterangan_pendek=["c", "d"])
    out = write_frame(src, tmp_path / "rt.zip")
    with zipfile.ZipFile(out) as zf:
        names = sorted(zf.namelist())
        assert names == ["rt.cpg", "rt.dbf", "rt.prj", "rt.shp", "rt.shx"]
        assert zf.read("rt.cpg").decode().strip() == "UTF-8"
    frame = read_file(out).frame
    assert len({c for c in frame.columns if c.startswith("keterang")}) == 2
    assert all(len(c) <= 10 for c in frame.columns if c != "geometry")
    assert read_file(out).problems == []


def test_write_xlsx_and_csv_without_geometry(tmp_path):
    table = pd.DataFrame(
        {"kode_rt": ["001", "002"], "nilai_rp": [350_000_000, 1_250_000], "tingkat": ["KR", None]}
    )
    for ext in (".xlsx", ".csv"):
        out = write_frame(table, tmp_path / f"skor{ext}")
        back = read_file(out)
        assert not back.has_geometry
        assert back.frame["kode_rt"].tolist() == ["001", "002"]
        assert [int(v) for v in back.frame["nilai_rp"]] == [350_000_000, 1_250_000]
        assert back.frame["tingkat"].tolist() == ["KR", None]


def test_write_frame_refusals(tmp_path):
    with pytest.raises(UsageError, match=r"\.gpkg"):
        write_frame(_kawasan(), tmp_path / "x.dxf")
    no_crs = _kawasan().set_crs(None, allow_override=True)
    with pytest.raises(CRSError):
        write_frame(no_crs, tmp_path / "x.geojson")
    mixed = gpd.GeoDataFrame(
        {"a": [1, 2]}, geometry=[Point(112.95, -2.54), box(112.95, -2.55, 112.96, -2.54)], crs=4326
    )
    with pytest.raises(UsageError, match="gpkg"):
        write_frame(mixed, tmp_path / "x.shp")
    with pytest.raises(UsageError):
        write_frame(pd.DataFrame({"a": [1]}), tmp_path / "x.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_write_xlsx_refuses_geometry_longer_than_a_cell(tmp_path):
    ring = [
        (112.95 + 0.01 * math.cos(t), -2.54 + 0.01 * math.sin(t))
        for t in np.linspace(0, 2 * math.pi, 2000)
    ]
    big = gpd.GeoDataFrame({"kode": ["001"]}, geometry=[Polygon(ring)], crs=4326)
    with pytest.raises(UsageError, match="32767"):
        write_frame(big, tmp_path / "besar.xlsx")
    assert not (tmp_path / "besar.xlsx").exists()


text_cells = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.text(st.sampled_from("0123456789.,;\"' \n"), max_size=10),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(text_cells, text_cells), min_size=1, max_size=6))
def test_csv_and_xlsx_keep_any_text_exactly(tmp_path_factory, rows):
    """Whatever text a cell holds (leading zeros, separators, quotes, newlines) comes back."""
    table = pd.DataFrame(
        {
            "kode": pd.Series([r[0] for r in rows], dtype=object),
            "nama": pd.Series([r[1] for r in rows], dtype=object),
        }
    )
    folder = tmp_path_factory.mktemp("rt")
    for ext in (".csv", ".xlsx"):
        back = read_file(write_frame(table, folder / f"t{ext}")).frame
        expected = [
            (a if a is not None and a.strip() else None, b if b is not None and b.strip() else None)
            for a, b in rows
        ]
        kept = [e for e in expected if e != (None, None)]  # fully empty rows are skipped
        assert list(zip(back["kode"], back["nama"], strict=True)) == kept


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lon=st.floats(95.0, 141.0).map(lambda v: round(v, 5)),
    lat=st.floats(-11.0, 6.0).map(lambda v: round(v, 5)),
    comma=st.booleans(),
)
def test_decimal_comma_coordinates_parse_exactly(tmp_path_factory, lon, lat, comma):
    def fmt(v: float) -> str:
        text = f"{v:.5f}"
        return text.replace(".", ",") if comma else text

    path = tmp_path_factory.mktemp("c") / "t.csv"
    path.write_text(f"kode;bujur;lintang\n001;{fmt(lon)};{fmt(lat)}\n", encoding="utf-8")
    result = read_file(path)
    assert result.errors == []
    point = result.frame.geometry.iloc[0]
    assert (point.x, point.y) == (float(f"{lon:.5f}"), float(f"{lat:.5f}"))


# --------------------------------------------------------------------------- real data


def test_real_geojson_kotawaringin_timur(shared_data):
    path = shared_data / "cahyadsn_wilayah_boundaries" / "kel_kotawaringin_timur_62.02.geojson"
    if not path.exists():
        pytest.skip(f"{path} not present")
    result = read_file(path)
    assert len(result.frame) == 185
    assert result.frame["_row"].tolist() == list(range(1, 186))
    assert result.source_crs.to_epsg() == 4326
    assert "62.02.06.1007" in set(result.frame["kode"])


def test_real_shapefile_jakarta(shared_data):
    path = shared_data / "inasafe_data" / "jakarta_boundaries" / "kelurahan_jakarta.shp"
    if not path.exists():
        pytest.skip(f"{path} not present")
    result = read_file(path)
    assert len(result.frame) == 261
    assert result.source_crs.to_epsg() == 4326
    assert "KEL_NAME_1" in result.frame.columns
    assert result.errors == []
    assert "rw_jakarta" in list_layers(path.parent)


def test_real_geopackage_two_layers(shared_data):
    path = shared_data / "gilangabdul_semarang_osm_poi" / "wtp.gpkg"
    if not path.exists():
        pytest.skip(f"{path} not present")
    with pytest.raises(UsageError) as err:
        read_file(path)
    assert "'pdam'" in str(err.value) and "'wtp_'" in str(err.value)
    pdam = read_file(path, layer="pdam")
    wtp = read_file(path, layer="wtp_")
    assert (len(pdam.frame), len(wtp.frame)) == (6, 14)
    assert set(wtp.frame.geometry.geom_type) == {"MultiPoint"}


def test_real_spatialite_lembang_3857(shared_data):
    path = shared_data / "inasafe_data" / "lembang_osm" / "lembang_osm_20121003.sqlite"
    if not path.exists():
        pytest.skip(f"{path} not present")
    if "SQLite" not in pyogrio.list_drivers():
        pytest.skip("GDAL SQLite driver not available")
    result = read_file(path)
    assert result.format == "sqlite"
    assert len(result.frame) == 2517
    assert result.source_crs.to_epsg() == 3857
    assert set(result.frame.geometry.geom_type) <= {"MultiPolygon", "Polygon"}


def test_real_csv_serang_baseline(shared_data, tmp_path):
    path = shared_data / "jiwasharing_kumuh_serang" / "sumber_data_baru.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    result = read_file(path)
    frame = result.frame
    assert not result.has_geometry
    assert frame.shape == (602, 42)  # 41 columns + _row
    assert frame["_row"].iloc[0] == 2 and frame["_row"].iloc[-1] == 603
    assert {"RT/RW", "LUAS (Ha)", "Bobot Kumuh"} <= set(frame.columns)
    assert frame["RT/RW"].iloc[0] == "RT001-RW001"
    assert result.problems == []
    # and the same table survives a trip through Excel format, cell by cell
    back = read_file(write_frame(frame, tmp_path / "serang.xlsx")).frame
    pd.testing.assert_frame_equal(back, frame)


# --------------------------------------------------------------------------- odds and ends


def test_zip_holding_a_geojson_instead_of_a_shapefile(tmp_path):
    gj = tmp_path / "rt.geojson"
    write_frame(_kawasan(), gj)
    z = tmp_path / "kiriman.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(gj, "folder/rt.geojson")
    result = read_file(z)
    assert result.format == "geojson"
    assert result.frame["nama"].tolist() == [CP1252_NAME, "Mentawa Baru Hulu"]


def test_utf16_tab_text_from_excel(tmp_path):
    # Excel "Unicode Text" (*.txt): UTF-16 with BOM, tab-separated
    path = tmp_path / "unicode.txt"
    path.write_bytes("kode_rt\tnama\r\n001\tGang H. Ma’ruf\r\n".encode("utf-16"))
    result = read_file(path)
    assert result.frame["kode_rt"].tolist() == ["001"]
    assert result.frame["nama"].tolist() == ["Gang H. Ma’ruf"]
    assert result.problems == []
    assert list_layers(path) == []


def test_source_column_named_row_is_kept_under_another_name(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("_row,kode\n10,001\n", encoding="utf-8")
    result = read_file(path)
    assert list(result.frame.columns) == ["_row", "_row_sumber", "kode"]
    assert result.frame.iloc[0].tolist() == [2, "10", "001"]
    assert [p.severity for p in result.problems] == ["warning"]
