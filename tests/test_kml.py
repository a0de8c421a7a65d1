"""KML/KMZ read whole (issue 13): ExtendedData that GDAL misses survives into the store and
into ``kumuhgis area --json``.

The fixture is a Pontianak-style slum delineation as offices publish it: a Shapefile
exported to KMZ (Google Earth's "Save Place As"; QGIS and ArcGIS write the same shape), a
``<Schema>`` whose id (``S_delineasi_pontianak_SSSSSSS``: one letter per field type) differs
from its name, placemarks in a folder, ``SchemaData schemaUrl="#S_…"`` with Indonesian
decimals. The polygons are real Kota Pontianak kelurahan boundaries from
``../shared/data/cahyadsn_wilayah_boundaries`` (read there, never copied into the repo).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from kumuhgis.cli import main
from kumuhgis.ingest.kml import read_extended_data
from kumuhgis.ingest.readers import read_file
from kumuhgis.store import open_store

FOUR = ("KECAMATAN", "KELURAHAN", "Status", "LUAS_HA")
SCHEMA_ID = "S_delineasi_pontianak_SSSSSSS"
# kawasan code, kelurahan (as in the boundary file), status, luas as the office wrote it
ROWS = [
    ("KWS-01", "Tambelansampit", "Kumuh Sedang", "12,35"),
    ("KWS-02", "Dalambugis", "Kumuh Ringan", "8,9"),
    ("KWS-03", "Banjar Serasan", "Kumuh Ringan", "21,07"),
    ("KWS-04", "Mariana", "Kumuh Sedang", "3,5"),
]


def _coords(ring) -> str:
    return " ".join(f"{x:.7f},{y:.7f},0" for x, y in ring.coords)


def _placemark(i: int, row, kel) -> str:
    kode, nama, status, luas = row
    poly = kel.geometry
    return f"""
  <Placemark>
    <name>{nama}</name>
    <Style><LineStyle><color>ff0000ff</color></LineStyle><PolyStyle><fill>0</fill></PolyStyle></Style>
    <ExtendedData><SchemaData schemaUrl="#{SCHEMA_ID}">
      <SimpleData name="KODE_KWS">{kode}</SimpleData>
      <SimpleData name="KODE_KEL">{kel.kode}</SimpleData>
      <SimpleData name="TAHUN">2016</SimpleData>
      <SimpleData name="KECAMATAN">{kel.nama_kec}</SimpleData>
      <SimpleData name="KELURAHAN">{nama}</SimpleData>
      <SimpleData name="Status">{status}</SimpleData>
      <SimpleData name="LUAS_HA">{luas}</SimpleData>
    </SchemaData></ExtendedData>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>{_coords(poly.exterior)}</coordinates>
    </LinearRing></outerBoundaryIs></Polygon>
  </Placemark>"""


def pontianak_kml(shared_data: Path) -> str:
    kel = gpd.read_file(
        shared_data / "cahyadsn_wilayah_boundaries" / "kel_pontianak_61.71.geojson"
    ).set_index("nama", drop=False)
    fields = "".join(
        f'<SimpleField type="string" name="{n}"></SimpleField>'
        for n in ("KODE_KWS", "KODE_KEL", "TAHUN", *FOUR)
    )
    marks = "".join(_placemark(i, row, kel.loc[row[1]]) for i, row in enumerate(ROWS))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>
  <name>delineasi_pontianak.kmz</name>
  <Schema name="delineasi_pontianak" id="{SCHEMA_ID}">{fields}</Schema>
  <Folder id="delineasi_pontianak"><name>delineasi_pontianak</name>{marks}
  </Folder>
</Document>
</kml>
"""


@pytest.fixture
def pontianak_kmz(shared_data, tmp_path) -> Path:
    path = tmp_path / "delineasi_pontianak.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", pontianak_kml(shared_data))
    return path


def test_gdal_alone_misses_the_schema_data(pontianak_kmz):
    """Documents GDAL's behaviour (3.12, LIBKML): geometry and names, none of the fields."""
    raw = pyogrio.read_dataframe(pontianak_kmz)
    assert len(raw) == len(ROWS)
    assert raw["Name"].tolist() == [r[1] for r in ROWS]
    assert not set(FOUR) & set(raw.columns)


def test_reader_keeps_every_field_as_written(pontianak_kmz):
    read = read_file(pontianak_kmz)
    assert read.problems == []
    frame = read.frame
    assert set(FOUR) <= set(frame.columns)
    assert frame["LUAS_HA"].tolist() == [r[3] for r in ROWS]
    assert frame["Status"].tolist() == [r[2] for r in ROWS]
    assert frame["KECAMATAN"].iloc[0] == "Pontianak Timur"
    assert (frame["folder"] == "delineasi_pontianak").all()
    assert frame.geometry.is_valid.all() and len(frame) == len(ROWS)


def test_map_takes_several_pairs_after_one_option(pontianak_kmz, tmp_path, capsys):
    """``--map A=B C=D`` (as contracts.md writes it) maps like ``--map A=B --map C=D``; a
    positional swallowed by a leading ``--map`` is refused, with where to put it."""
    one, two = tmp_path / "one.gpkg", tmp_path / "two.gpkg"
    assert main(["import", str(one), "delineasi", str(pontianak_kmz),
                 "--map", "KODE_KWS=kode_kawasan", "name=nama_kawasan"]) == 0  # fmt: skip
    assert main(["import", str(two), "delineasi", str(pontianak_kmz),
                 "--map", "KODE_KWS=kode_kawasan", "--map", "name=nama_kawasan"]) == 0  # fmt: skip
    a, b = open_store(one).read("delineasi"), open_store(two).read("delineasi")
    assert a["kode_kawasan"].tolist() == b["kode_kawasan"].tolist() == [r[0] for r in ROWS]
    capsys.readouterr()
    assert main(["audit-baseline", str(pontianak_kmz), "--map", "a=b", "c",
                 "--out", str(tmp_path / "x.csv")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "letakkan --map setelah nama berkas" in err and "'c'" in err
    assert not (tmp_path / "x.csv").exists()


def test_import_keeps_all_four_and_area_json_carries_them(pontianak_kmz, tmp_path, capsys):
    store = tmp_path / "pontianak.gpkg"
    argv = ["import", str(store), "delineasi", str(pontianak_kmz),
            "--map", "KODE_KWS=kode_kawasan", "--map", "name=nama_kawasan"]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    stored = open_store(store).read("delineasi")
    assert stored["kelurahan"].tolist() == [r[1] for r in ROWS]
    assert stored["status"].tolist() == [r[2] for r in ROWS]
    assert stored["kecamatan"].iloc[0] == "Pontianak Timur"
    # LUAS_HA is the delineation's declared luas, read the Indonesian way (12,35 → 12.35)
    assert stored["luas_tercatat_ha"].tolist() == [12.35, 8.9, 21.07, 3.5]
    assert stored["luas_tercatat_ha"].dtype == "float64"

    assert main(["area", str(pontianak_kmz), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    features = out["features"]
    assert [f["LUAS_HA"] for f in features] == [r[3] for r in ROWS]
    assert [f["KELURAHAN"] for f in features] == [r[1] for r in ROWS]
    assert all(f["KECAMATAN"] and f["Status"] for f in features)
    assert all(f["luas_ha"] > 10 for f in features)  # whole kelurahan polygons


def test_kml_driver_without_extended_data_is_joined_by_name(tmp_path):
    """Data/value pairs, a placemark without geometry (GDAL's KML driver drops it), folders
    with the same name: joined by container, order and name."""
    pm = (
        '<Placemark id="p{0}"><name>{0}</name><ExtendedData><Data name="Nilai"><value>{1}'
        "</value></Data></ExtendedData>{2}</Placemark>"
    )
    point = "<Point><coordinates>109.33,-0.03</coordinates></Point>"
    doc = (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>d</name>'
        f"<Folder><name>A</name>{pm.format('a1', '1,5', point)}{pm.format('a2', '', '')}</Folder>"
        f"<Folder><name>A</name>{pm.format('a3', '2', point)}</Folder></Document></kml>"
    )
    attrs = read_extended_data(io.BytesIO(doc.encode()))
    assert attrs.fields == ["Nilai"]
    assert [c.name for c in attrs.containers] == ["d", "A", "A"]
    assert [p.has_geometry for p in attrs.containers[1].placemarks] == [True, False]
    path = tmp_path / "data.kml"
    path.write_text(doc)
    frame = read_file(path).frame
    assert frame["Nilai"].tolist() == ["1,5", None, "2"]
    assert frame["folder"].tolist() == ["A", "A", "A (#2)"]
