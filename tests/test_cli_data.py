"""The data commands end to end: demo, summary, area, settings, layers, --help everywhere."""

from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest
from pyproj import Geod
from shapely.geometry import box

from kumuhgis.cli import build_parser, main
from kumuhgis.core.schema import LAYERS
from kumuhgis.store import open_store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "sampit.gpkg"
    assert main(["demo", "--out", str(path)]) == 0
    return path


def test_demo_builds_all_layers_and_audit(demo):
    store = open_store(demo)
    assert store.layers() == list(LAYERS)
    assert 250 <= len(store.read("rt")) <= 350
    assert store.settings()["target_pengurangan_ha"][2019] > 0
    audit = store.audit()
    assert set(audit["layer"]) >= set(LAYERS)
    assert (audit["baris_masuk"] == audit["baris_disimpan"] + audit["baris_ditolak"]).all()


def test_demo_is_deterministic(tmp_path, demo):
    other = tmp_path / "again.gpkg"
    assert main(["demo", "--out", str(other)]) == 0
    for layer in ("rt", "baseline", "kolaborasi"):
        a, b = open_store(demo).read(layer), open_store(other).read(layer)
        assert a.equals(b), layer
    assert main(["demo", "--out", str(tmp_path / "s7.gpkg"), "--seed", "7"]) == 0
    assert not open_store(tmp_path / "s7.gpkg").read("rt").equals(open_store(demo).read("rt"))
    assert main(["demo", "--out", str(tmp_path / "x.shp")]) == 2


def test_summary_prints_levels_and_kolaborasi(demo, capsys):
    assert main(["summary", str(demo)]) == 0
    out = capsys.readouterr().out
    for text in (
        "Kawasan kumuh",
        "Luas kumuh (KB+KS+KR)",
        "kumuh berat",
        "Kolaborasi per sumber dana",
        "188.45/287/HUK/2016",
    ):
        assert text in out
    assert main(["--lang", "en", "summary", str(demo), "--year", "2018"]) == 0
    out = capsys.readouterr().out
    assert "Slum area by level" in out and "2018" in out
    assert main(["summary", str(demo), "--year", "1999"]) == 2


def test_area_cli_geodesic_and_utm_across_zone_border(tmp_path, capsys):
    # a 2 km x 1 km block straddling 114°E, the border of UTM zones 49 and 50
    poly = box(113.99, -2.55, 114.01, -2.54)
    src = tmp_path / "straddle.geojson"
    pyogrio.write_dataframe(
        gpd.GeoDataFrame({"nama": ["lintas zona"]}, geometry=[poly], crs=4326),
        src,
        driver="GeoJSON",
    )
    assert main(["area", str(src), "--json"]) == 0
    geo = json.loads(capsys.readouterr().out)
    # independent reference: GeographicLib on the densified outline (edges along parallels)
    dense = poly.segmentize(0.0001)
    ref_ha = abs(Geod(ellps="WGS84").geometry_area_perimeter(dense)[0]) / 1e4
    assert geo["features"][0]["luas_ha"] == pytest.approx(ref_ha, rel=1e-4)
    assert main(["area", str(src), "--method", "utm", "--json"]) == 0
    utm = json.loads(capsys.readouterr().out)
    assert "UTM" in utm["features"][0]["metode"]
    assert utm["features"][0]["epsg"] in (9489, 9490)
    assert main(["area", str(src)]) == 0  # the table form
    assert "Total" in capsys.readouterr().out


def test_settings_set_and_file(demo, tmp_path, capsys):
    copy = tmp_path / "k.gpkg"
    copy.write_bytes(demo.read_bytes())
    assert (
        main(
            [
                "settings",
                str(copy),
                "--set",
                "target_pengurangan_ha.2019=103.95",
                "--set",
                "aturan_penilaian=permen-02-2016",
            ]
        )
        == 0
    )
    s = open_store(copy).settings()
    assert s["target_pengurangan_ha"][2019] == 103.95 and s["aturan_penilaian"] == "permen-02-2016"
    f = tmp_path / "s.yaml"
    f.write_text("verifikasi:\n  toleransi_persen: 10\n", encoding="utf-8")
    assert main(["settings", str(copy), "--file", str(f)]) == 0
    assert open_store(copy).settings()["verifikasi"] == {"toleransi_persen": 10}
    assert (
        open_store(copy).settings()["target_pengurangan_ha"][2019] == 103.95
    )  # merged, not replaced
    assert main(["settings", str(copy), "--set", "no-equals-sign"]) == 2
    assert main(["layers", str(copy), "--audit"]) == 0
    assert "settings" in capsys.readouterr().out


def test_help_on_every_command(capsys):
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"demo", "import", "validate", "area", "score", "reduction"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0
        assert "usage: kumuhgis" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
