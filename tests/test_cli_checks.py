"""The check commands on the demo city: ``verify-sk``, ``kolaborasi``, ``kolaborasi-override``."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pandas as pd
import pytest

from kumuhgis.analysis.kolaborasi import OUTPUT_COLUMNS
from kumuhgis.analysis.verification import FINDING_COLUMNS, FLAGS
from kumuhgis.cli import main
from kumuhgis.store import create_store, open_store


@pytest.fixture(scope="module")
def demo(demo_project, demo_city):
    return demo_project, demo_city  # shared, read-only (tests/conftest.py)


@pytest.fixture
def project(demo, tmp_path):
    path = tmp_path / "kota.gpkg"
    shutil.copyfile(demo[0], path)
    return path, demo[1]


def read_csv(path):
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)


# --------------------------------------------------------------------------- verify-sk


def test_verify_sk_every_format(project, tmp_path, capsys):
    store, city = project
    for ext in ("csv", "xlsx", "html", "geojson"):
        assert main(["verify-sk", str(store), "--out", str(tmp_path / f"v.{ext}")]) == 0
    out = capsys.readouterr().out
    p = city.planted
    assert p["sk_asli"] in out and p["sk_revisi"] in out and "terbitkan SK baru" in out
    f = read_csv(tmp_path / "v.csv")
    assert list(f.columns[:8]) == list(FINDING_COLUMNS)
    assert set(f["flag"]) <= set(FLAGS)
    mism = f[(f["flag"] == "luas_mismatch") & (f["no_sk"] == p["sk_asli"])]
    assert set(mism["kode_kawasan"]) == set(p["luas_mismatch"][p["sk_asli"]])
    assert (mism["luas_sk_ha"] != "").all() and (mism["luas_delineasi_ha"] != "").all()
    wb = openpyxl.load_workbook(tmp_path / "v.xlsx")
    assert wb.sheetnames[0] == "Ringkasan" and "luas_mismatch" in wb.sheetnames
    page = (tmp_path / "v.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and p["nama_tidak_cocok"]["kelurahan_sk"] in page
    gj = json.loads((tmp_path / "v.geojson").read_text(encoding="utf-8"))
    assert {feat["properties"]["flag"] for feat in gj["features"]} >= {
        "luas_mismatch",
        "rt_kumuh_di_luar_sk",
        "lintas_kelurahan",
    }


def test_verify_sk_one_version_compared_with_another(project, tmp_path):
    store, city = project
    p = city.planted
    out = tmp_path / "rev.csv"
    assert (
        main(
            [
                "verify-sk",
                str(store),
                "--sk",
                p["sk_asli"],
                "--banding",
                p["sk_revisi"],
                "--out",
                str(out),
            ]
        )
        == 0
    )
    f = read_csv(out)
    assert set(f["no_sk"]) == {p["sk_asli"]}
    # seen from the original SK, the revision's added kawasan is "removed" and vice versa
    assert set(f[f["flag"] == "lokasi_dihapus"]["kode_kawasan"]) == set(p["revisi"]["ditambah"])
    assert set(f[f["flag"] == "lokasi_ditambah"]["kode_kawasan"]) == set(p["revisi"]["dihapus"])


def test_verify_sk_bad_usage_exits_2_and_writes_nothing(project, tmp_path, capsys):
    store, _ = project
    assert main(["verify-sk", str(store), "--out", str(tmp_path / "v.pdf")]) == 2
    assert (
        main(["verify-sk", str(store), "--sk", "SK/TIDAK/ADA", "--out", str(tmp_path / "x.csv")])
        == 2
    )
    assert main(["verify-sk", str(tmp_path / "none.gpkg"), "--out", str(tmp_path / "y.csv")]) == 2
    bare = create_store(tmp_path / "bare.gpkg", kota="x")
    assert main(["verify-sk", str(bare.path), "--out", str(tmp_path / "z.csv")]) == 2
    err = capsys.readouterr().err
    assert "SK/TIDAK/ADA" in err and "sk_kumuh" in err
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".csv", ".pdf", ".geojson")]


def _files(folder, prefix):
    """The outputs of one run: ``{name: bytes}``, ``None`` for a folder."""
    return {
        p.name: p.read_bytes() if p.is_file() else None
        for p in sorted(folder.iterdir())
        if p.name.startswith(prefix)
    }


def test_verify_sk_says_which_sibling_it_replaced(project, tmp_path, capsys):
    store, _ = project
    (tmp_path / "v.geojson").write_text("lama", encoding="utf-8")
    assert main(["verify-sk", str(store), "--out", str(tmp_path / "v.csv")]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'v.geojson'} (diganti / replaced)" in out
    assert json.loads((tmp_path / "v.geojson").read_text(encoding="utf-8"))["features"]
    assert main(["verify-sk", str(store), "--out", str(tmp_path / "w.csv")]) == 0
    assert "diganti" not in capsys.readouterr().out  # nothing stood there before


def test_verify_sk_writes_both_files_or_neither(project, tmp_path, capsys):
    """A folder where the GeoJSON goes: the move onto it fails after the workbook has been
    moved into place; the old workbook comes back and the command exits 2."""
    store, _ = project
    (tmp_path / "v.xlsx").write_bytes(b"lama")
    (tmp_path / "v.geojson").mkdir()
    before = _files(tmp_path, "v.")
    assert main(["verify-sk", str(store), "--out", str(tmp_path / "v.xlsx")]) == 2
    assert "v.geojson" in capsys.readouterr().err
    assert _files(tmp_path, "v.") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".kumuhgis")]


def test_help_of_every_check_command(capsys):
    for cmd in ("verify-sk", "kolaborasi", "kolaborasi-override"):
        with pytest.raises(SystemExit) as exc:
            main([cmd, "--help"])
        assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "luas_mismatch" in text and "_korkot.xlsx" in text and "kolaborasi_status" in text


# --------------------------------------------------------------------------- kolaborasi


def test_kolaborasi_demo_classifies_every_work_and_writes_the_korkot_list(
    project, tmp_path, capsys
):
    store, city = project
    out = tmp_path / "kolab.xlsx"
    assert main(["kolaborasi", str(store), "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [
        "Kolaborasi",
        "Daftar Korkot",
        "Ringkasan tahun",
        "Ringkasan sumber dana",
        "Ringkasan kelurahan",
        "Pencegahan tahun",
        "Pencegahan sumber dana",
        "Pencegahan kelurahan",
        "Keterangan",
    ]
    assert (tmp_path / "kolab_korkot.xlsx").exists()
    gj = json.loads((tmp_path / "kolab_korkot.geojson").read_text(encoding="utf-8"))
    luar = [f["properties"]["nilai_rp_luar"] for f in gj["features"]]
    assert luar == sorted(luar, reverse=True) and len(luar) > 0
    csv = tmp_path / "kolab.csv"
    assert main(["kolaborasi", str(store), "--out", str(csv)]) == 0
    assert (tmp_path / "kolab_ringkasan.xlsx").exists()
    f = read_csv(csv)
    assert len(f) == len(city.layers["kolaborasi"])
    for c in OUTPUT_COLUMNS:
        assert c in f.columns
    planted = city.planted["kolaborasi"]
    for status in ("sebagian", "batas", "luar"):
        assert set(f[f["status_lokasi"] == status]["kode_kegiatan"]) == set(planted[status]), status
    assert (f["status_lokasi"] != "").all()
    part = f[f["status_lokasi"] == "sebagian"]["porsi_dalam"].astype(float)
    assert ((part > 0) & (part < 1)).all()
    far = f[f["status_lokasi"] == "luar"]["jarak_m"].astype(float)
    assert (far > 10).all()
    flagged = set(f[f["flag_bukan_kebutuhan"] == "True"]["kode_kegiatan"])
    assert set(planted["kriteria_tanpa_gap"]) <= flagged
    out_txt = capsys.readouterr().out
    assert f"sebagian {len(planted['sebagian'])}" in out_txt


def test_kolaborasi_writes_every_file_or_none_and_names_what_it_replaced(project, tmp_path, capsys):
    store, _ = project
    out = tmp_path / "k.csv"
    out.write_text("lama", encoding="utf-8")
    (tmp_path / "k_ringkasan.xlsx").write_bytes(b"lama")
    (tmp_path / "k_korkot.geojson").mkdir()  # the last of the four files cannot be written
    before = _files(tmp_path, "k")
    assert main(["kolaborasi", str(store), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "k_korkot.geojson" in err and "folder" in err
    assert _files(tmp_path, "k") == before  # k.csv and k_ringkasan.xlsx as they were
    assert not (tmp_path / "k_korkot.xlsx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".kumuhgis")]
    (tmp_path / "k_korkot.geojson").rmdir()
    assert main(["kolaborasi", str(store), "--out", str(out)]) == 0
    written = capsys.readouterr().out
    assert f"{tmp_path / 'k_ringkasan.xlsx'} (diganti / replaced)" in written
    assert f"{tmp_path / 'k_korkot.xlsx'}," in written  # new: no mark
    assert f"{out} (diganti" not in written  # the named file is no news
    assert len(read_csv(out)) > 0
    assert openpyxl.load_workbook(tmp_path / "k_ringkasan.xlsx").sheetnames[0] == "Ringkasan tahun"


def test_kolaborasi_tolerance_option_and_bad_usage(project, tmp_path):
    store, city = project
    wide = tmp_path / "wide.csv"
    assert main(["kolaborasi", str(store), "--tolerance-m", "300", "--out", str(wide)]) == 0
    f = read_csv(wide)
    outside = f[f["status_lokasi"].isin(["batas", "luar"])]
    near = outside["jarak_m"].astype(float) <= 300
    assert (outside.loc[near, "status_lokasi"] == "batas").all()
    assert (outside.loc[~near, "status_lokasi"] == "luar").all()
    assert near.sum() > len(city.planted["kolaborasi"]["batas"])  # the wider band holds more work
    assert (
        main(["kolaborasi", str(store), "--tolerance-m", "-5", "--out", str(tmp_path / "neg.csv")])
        == 2
    )
    assert main(["kolaborasi", str(store), "--out", str(tmp_path / "k.html")]) == 2
    assert not (tmp_path / "neg.csv").exists()


def test_kolaborasi_with_only_delineasi_and_kolaborasi(project, tmp_path):
    _, city = project
    small = create_store(
        tmp_path / "kecil.gpkg",
        kota="x",
        layers={"delineasi": city.layers["delineasi"], "kolaborasi": city.layers["kolaborasi"]},
    )
    out = tmp_path / "k.geojson"
    assert main(["kolaborasi", str(small.path), "--out", str(out)]) == 0
    gj = json.loads(out.read_text(encoding="utf-8"))
    statuses = {feat["properties"]["status_lokasi"] for feat in gj["features"]}
    assert statuses <= {"dalam", "sebagian", "batas", "luar"} and "dalam" in statuses


def test_override_command_persists_audits_and_shows_everywhere(
    project, tmp_path, capsys, monkeypatch
):
    store, city = project
    target = city.planted["kolaborasi"]["batas"][0]
    reason = "Titik GPS bergeser 5 m; kegiatan melayani RT di dalam kawasan"
    assert (
        main(
            [
                "kolaborasi-override",
                str(store),
                target,
                "--status",
                "dalam",
                "--alasan",
                reason,
                "--oleh",
                "Korkot Sampit",
            ]
        )
        == 0
    )
    monkeypatch.setenv("KUMUHGIS_USER", "ani")
    assert main(["kolaborasi-override", str(store), target, "--status", "dalam"]) == 2  # no reason
    assert (
        main(
            [
                "kolaborasi-override",
                str(store),
                "KLB-TIDAK-ADA",
                "--status",
                "luar",
                "--alasan",
                "x",
            ]
        )
        == 2
    )
    assert (
        main(
            [
                "kolaborasi-override",
                str(store),
                target,
                "--status",
                "luar",
                "--hapus",
                "--alasan",
                "x",
            ]
        )
        == 2
    )
    hist = open_store(store).read_table("kolaborasi_status")
    assert len(hist) == 1 and hist.iloc[0]["oleh"] == "Korkot Sampit"
    audit = open_store(store).audit()
    assert "kolaborasi-override" in audit[audit["layer"] == "kolaborasi_status"].iloc[0]["perintah"]
    out = tmp_path / "k.csv"
    assert main(["kolaborasi", str(store), "--out", str(out)]) == 0
    f = read_csv(out).set_index("kode_kegiatan")
    assert f.at[target, "status_lokasi"] == "batas"
    assert f.at[target, "status_manual"] == "dalam" and f.at[target, "status_akhir"] == "dalam"
    assert f.at[target, "alasan_manual"] == reason and f.at[target, "oleh"] == "Korkot Sampit"
    assert f.at[target, "waktu"] != ""
    korkot = openpyxl.load_workbook(tmp_path / "k_korkot.xlsx")["Daftar Korkot"]
    cells = [c for row in korkot.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert reason in cells and "Korkot Sampit" in cells
    gj = json.loads((tmp_path / "k_korkot.geojson").read_text(encoding="utf-8"))
    props = {feat["properties"]["kode_kegiatan"]: feat["properties"] for feat in gj["features"]}
    assert props[target]["alasan_manual"] == reason
    assert (
        main(
            [
                "kolaborasi-override",
                str(store),
                target,
                "--hapus",
                "--alasan",
                "cek lapangan: memang di luar",
            ]
        )
        == 0
    )
    assert main(["kolaborasi-override", str(store), "--daftar"]) == 0
    listing = capsys.readouterr().out
    assert "Korkot Sampit" in listing and "ani" in listing
    assert main(["kolaborasi", str(store), "--out", str(out)]) == 0
    f = read_csv(out).set_index("kode_kegiatan")
    assert f.at[target, "status_manual"] == "" and f.at[target, "status_akhir"] == "batas"
