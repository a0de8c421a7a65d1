"""``kumuhgis score``, ``reduction`` and ``explain`` end to end, on a real GeoPackage.

The project: two RTs in one kelurahan. A is the domain.md §4 golden RT (4.63 ha, total 38,
KS) surveyed in 2019; kolaborasi K-1 (2020, "2a;2b", 100 m for each: 2a and 2b split one
ideal length, so it gives one volume per criterion, domain.md §5) lies inside it and inside the
delineation, so in 2020 2a = 100 − 100 = 0 m (0 %, score 0 as before) and 2b = 605 − 100
= 505 m of 780 m = 64.74 % (score 5 → 3): total 38 − 2 = 36 → KR (still kumuh). B (2 ha) has only 7a = 7b =
100 % in 2019 (total 10, TK) and is not kumuh in any year.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from shapely.geometry import Point, box

from kumuhgis.cli import main
from kumuhgis.core.schema import CRITERIA_CODES
from kumuhgis.store import create_store

GOLDEN_VOLUMES = [13, 0, 13, 100, 605, 54, 0, 0, 0, 310, 10, 16, 60, 60, 50, 50]
X, Y, D = 113.0, -2.5, 0.001


def _row(kode, tahun, vols, **header):
    row = {
        "kode_rt": kode, "tahun": tahun, "luas_ha": 4.63, "jumlah_bangunan": 50, "jumlah_penduduk": 201,
        "jumlah_kk": 60, "panjang_jalan_ideal_m": 780.0, "panjang_drainase_ideal_m": 385.0,
    }  # fmt: skip
    row.update(header)
    row.update({f"v_{c}": float(v) for c, v in zip(CRITERIA_CODES, vols, strict=True)})
    return row


@pytest.fixture
def project(tmp_path):
    crs = "EPSG:4326"
    store = create_store(
        tmp_path / "kota.gpkg", kota="Kota Contoh", settings={"target_pengurangan_ha": {2020: 1.5}}
    )
    b_vols = [0] * 14 + [40, 40]
    layers = {
        "wilayah": gpd.GeoDataFrame(
            {"kode_kel": ["6202"], "kelurahan": ["Baamang Hulu"], "kecamatan": ["Baamang"], "kota": ["Kota Contoh"]},
            geometry=[box(X, Y, X + 2 * D, Y + D)], crs=crs,
        ),
        "rt": gpd.GeoDataFrame(
            {"kode_rt": ["A", "B"], "rt": ["001", "002"], "rw": ["01", "01"], "kode_kel": ["6202", "6202"]},
            geometry=[box(X, Y, X + D, Y + D), box(X + D, Y, X + 2 * D, Y + D)], crs=crs,
        ),
        "delineasi": gpd.GeoDataFrame(
            {"kode_kawasan": ["KW1"], "nama_kawasan": ["Kawasan Satu"], "kode_kel": ["6202"], "tahun": [2019]},
            geometry=[box(X, Y, X + 2 * D, Y + D)], crs=crs,
        ),
        "kolaborasi": gpd.GeoDataFrame(
            {"kode_kegiatan": ["K-1"], "nama_kegiatan": ["Paving blok"], "tahun": [2020], "sumber_dana": ["APBN"],
             "nilai_rp": [150_000_000.0], "kriteria": ["2a;2b"], "volume": [100.0], "satuan": ["m"],
             "volume_kriteria": ["100;100"]},
            geometry=[Point(X + D / 2, Y + D / 2)], crs=crs,
        ),
        "baseline": pd.DataFrame(
            [_row("A", 2019, GOLDEN_VOLUMES), _row("B", 2019, b_vols, luas_ha=2.0, jumlah_bangunan=40, panjang_jalan_eksisting_m=500.0)]
            + [_row("B", 2020, b_vols, luas_ha=2.0, jumlah_bangunan=40, panjang_jalan_eksisting_m=500.0)]
        ),
    }  # fmt: skip
    with store.transaction(command="test") as tx:
        for name, frame in layers.items():
            tx.write(name, frame)
    return tmp_path / "kota.gpkg"


def test_score_a_project_all_years_to_csv(project, tmp_path, capsys):
    out = tmp_path / "nilai.csv"
    assert main(["score", str(project), "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig").set_index(["kode_rt", "tahun"])
    assert len(table) == 4
    assert table.loc[("A", 2019), "total_nilai"] == 38
    assert table.loc[("A", 2020), "asal"] == "derived"
    assert table.loc[("A", 2020), "v_2b"] == 505.0
    assert table.loc[("A", 2020), "p_2b"] == 64.74
    assert (table.loc[("A", 2020), "total_nilai"], table.loc[("A", 2020), "tingkat"]) == (36, "KR")
    assert table.loc[("B", 2020), "asal"] == "observed"
    assert "4 baris RT-tahun dinilai" in capsys.readouterr().out


def test_score_one_year_to_xlsx_and_geojson(project, tmp_path):
    out = tmp_path / "nilai.xlsx"
    assert main(["score", str(project), "--year", "2020", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Nilai per RT", "Rekap per tahun"]
    ws = wb["Nilai per RT"]
    header = [c.value for c in ws[4]]
    years = [r[header.index("Tahun")] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert years == [2020, 2020]
    geo = tmp_path / "nilai.geojson"
    assert main(["score", str(project), "--year", "2019", "--out", str(geo)]) == 0
    back = gpd.read_file(geo)
    assert back.geometry.notna().all() and back["tingkat"].tolist() == ["KS", "TK"]


def test_score_explain_option(project, capsys):
    assert main(["score", str(project), "--explain", "A", "--year", "2020"]) == 0
    text = capsys.readouterr().out
    assert "Penjelasan nilai kumuh RT 001/RW 01 (A), tahun 2020" in text
    assert (
        "2b Kualitas permukaan jalan lingkungan: volume 605 → 505 m (77,56% → 64,74%, nilai 5 → 3)"
        in text
    )
    assert "K-1 (Paving blok, APBN, 100 m)" in text
    assert "tingkat KS → KR" in text


def test_explain_command_in_english(project, capsys):
    assert main(["--lang", "en", "explain", str(project), "A", "--year", "2020"]) == 0
    text = capsys.readouterr().out
    assert "Slum score explained for RT 001/RW 01 (A), year 2020" in text
    assert "because of kolaborasi: K-1" in text
    assert main(["explain", str(project), "ZZZ"]) == 2


def test_score_a_csv_with_indonesian_numbers(tmp_path, capsys):
    src = tmp_path / "rt.csv"
    head = "Kode RT;Tahun;Luas (Ha);Jumlah Bangunan;Jumlah Penduduk;Jumlah KK;Panjang Jalan Ideal (m);Panjang Drainase Ideal (m);"
    head += ";".join(CRITERIA_CODES)
    row = "3517-01-05;2016;4,63;50;201;60;780;385;" + ";".join(map(str, GOLDEN_VOLUMES))
    src.write_text(head + "\n" + row + "\n", encoding="utf-8")
    out = tmp_path / "nilai.csv"
    assert main(["score", str(src), "--out", str(out)]) == 0
    got = pd.read_csv(out, encoding="utf-8-sig").iloc[0]
    assert (got["total_nilai"], got["tingkat"], got["rata_sektoral"], got["p_2b"]) == (
        38,
        "KS",
        50.86,
        77.56,
    )


def test_score_an_xlsx_table_for_one_year(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    header = ["kode_rt", "tahun", "luas_ha", "jumlah_bangunan", "jumlah_penduduk", "jumlah_kk"]
    header += [
        "panjang_jalan_ideal_m",
        "panjang_drainase_ideal_m",
        *(f"v_{c}" for c in CRITERIA_CODES),
    ]
    ws.append(header)
    ws.append(["A", 2016, 4.63, 50, 201, 60, 780, 385, *GOLDEN_VOLUMES])
    # the same RT a year later with 2b repaired: 77.56 % (5) → 0 % (0), total 38 − 5 = 33 → KR
    ws.append(["A", 2017, 4.63, 50, 201, 60, 780, 385, *GOLDEN_VOLUMES[:4], 0, *GOLDEN_VOLUMES[5:]])
    src = tmp_path / "rt.xlsx"
    wb.save(src)
    out = tmp_path / "nilai.xlsx"
    assert main(["score", str(src), "--year", "2017", "--out", str(out)]) == 0
    sheet = load_workbook(out)["Nilai per RT"]
    header = [c.value for c in sheet[4]]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 1
    assert rows[0][header.index("Total nilai")] == 33
    assert rows[0][header.index("Tingkat kekumuhan")] == "KR"


def test_score_refuses_a_bad_table_and_writes_nothing(tmp_path, capsys):
    src = tmp_path / "rt.csv"
    head = "kode_rt,tahun,luas_ha,jumlah_bangunan,jumlah_penduduk,jumlah_kk,panjang_jalan_ideal_m,panjang_drainase_ideal_m,"
    head += ",".join(f"v_{c}" for c in CRITERIA_CODES)
    good = "A,2016,4.63,50,201,60,780,385," + ",".join(map(str, GOLDEN_VOLUMES))
    bad = "B,2016,4.63,50,201,60,780,385,abc," + ",".join(map(str, GOLDEN_VOLUMES[1:]))
    src.write_text("\n".join([head, good, bad]) + "\n", encoding="utf-8")
    out = tmp_path / "nilai.csv"
    assert main(["score", str(src), "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "v_1a" in err and "3" in err


def test_score_usage_errors(project, tmp_path):
    assert main(["score", str(project)]) == 2  # neither --out nor --explain
    assert main(["score", str(project), "--out", str(tmp_path / "x.pdf")]) == 2
    assert main(["score", str(tmp_path / "none.gpkg"), "--out", str(tmp_path / "x.csv")]) == 2
    assert main(["score", str(project), "--year", "2031", "--out", str(tmp_path / "x.csv")]) == 2
    assert not (tmp_path / "x.csv").exists()
    with pytest.raises(SystemExit) as exc:
        main(["score", str(project), "--rules", "permen-1-1999", "--out", str(tmp_path / "x.csv")])
    assert exc.value.code == 2


def test_settings_file_overrides_the_2b_denominator(project, tmp_path):
    settings = tmp_path / "aturan.yaml"
    settings.write_text(
        yaml.safe_dump(
            {
                "aturan_override": {
                    "permen-14-2018": {
                        "criteria": {"2b": {"denominator": "panjang_jalan_eksisting_m"}}
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "nilai.csv"
    # A has no panjang_jalan_eksisting_m → refused with the column named
    assert main(["score", str(project), "--settings", str(settings), "--out", str(out)]) == 2
    bad = tmp_path / "rusak.yaml"
    bad.write_text("aturan_override: [", encoding="utf-8")
    assert main(["score", str(project), "--settings", str(bad), "--out", str(out)]) == 2
    assert not out.exists()


def test_reduction_by_kelurahan_csv(project, tmp_path, capsys):
    out = tmp_path / "pengurangan.csv"
    assert (
        main(
            [
                "reduction",
                str(project),
                "--from",
                "2019",
                "--to",
                "2020",
                "--by",
                "kelurahan",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"kode_kel": str})
    assert table["kode_kel"].tolist() == ["6202"]
    # A stays kumuh (KS → KR), B is TK: luas kumuh 4.63 → 4.63
    assert table["pengurangan_luas_kumuh_ha"].tolist() == [0.0]
    # 2a: 4.63 × 12.82 % = 0.593566 ha → 0; 2b: 4.63 × (77.56 − 64.74) % = 0.593566 ha
    assert table["pengurangan_ha_2a"].tolist() == [0.593566]
    assert table["pengurangan_ha_2b"].tolist() == [0.593566]
    text = capsys.readouterr().out
    assert "[1] luas kumuh 4,63 → 4,63 ha" in text
    assert "[2] hektar setara (rata-rata sektoral per kriteria) berkurang" in text
    assert "Seluruh kota (semua RT)" in text  # both scopes, labelled


def test_reduction_by_kriteria_xlsx_and_charts(project, tmp_path):
    out = tmp_path / "pengurangan.xlsx"
    charts = tmp_path / "grafik"
    assert (
        main(
            [
                "reduction",
                str(project),
                "--from",
                "2019",
                "--to",
                "2020",
                "--by",
                "kriteria",
                "--out",
                str(out),
                "--charts",
                str(charts),
            ]
        )
        == 0
    )
    wb = load_workbook(out)
    assert "Per kriteria" in wb.sheetnames and "Target" in wb.sheetnames
    ws = wb["Target"]
    header = [c.value for c in ws[3]]
    assert "Target tahunan (ha)" in header
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[1][header.index("Target tahunan (ha)")] == 1.5  # from the project settings
    assert sorted(p.name for p in charts.iterdir()) == [
        "capaian_target.png",
        "luas_per_tingkat.png",
        "pengurangan_per_kriteria.png",
    ]


def test_reduction_table_and_charts_all_or_none(project, tmp_path, capsys):
    out = tmp_path / "pengurangan.csv"
    out.write_text("lama", encoding="utf-8")
    charts = tmp_path / "grafik"
    (charts / "capaian_target.png").mkdir(parents=True)  # a folder where the last chart goes
    argv = ["reduction", str(project), "--from", "2019", "--to", "2020", "--out", str(out)]
    assert main([*argv, "--charts", str(charts)]) == 2
    assert "capaian_target.png" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "lama"
    assert sorted(p.name for p in charts.iterdir()) == ["capaian_target.png"]
    (charts / "capaian_target.png").rmdir()
    (charts / "luas_per_tingkat.png").write_bytes(b"lama")
    assert main([*argv, "--charts", str(charts)]) == 0
    text = capsys.readouterr().out
    assert f"grafik / chart: {charts / 'luas_per_tingkat.png'} (diganti / replaced)" in text
    assert f"grafik / chart: {charts / 'capaian_target.png'}\n" in text
    assert (charts / "luas_per_tingkat.png").read_bytes().startswith(b"\x89PNG")


def test_reduction_usage_errors(project, tmp_path):
    out = tmp_path / "r.csv"
    assert (
        main(["reduction", str(project), "--from", "2020", "--to", "2019", "--out", str(out)]) == 2
    )
    assert (
        main(["reduction", str(project), "--from", "2015", "--to", "2020", "--out", str(out)]) == 2
    )
    assert (
        main(
            [
                "reduction",
                str(tmp_path / "none.gpkg"),
                "--from",
                "2019",
                "--to",
                "2020",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert (
        main(
            [
                "reduction",
                str(project),
                "--from",
                "2019",
                "--to",
                "2020",
                "--out",
                str(tmp_path / "r.png"),
            ]
        )
        == 2
    )
    assert not out.exists()


@pytest.mark.parametrize("command", ["score", "reduction", "explain"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "--rules" in capsys.readouterr().out


def test_score_csv_writes_two_decimals_as_published(tmp_path):
    """The Jombang example (domain.md §4) as an office would send it: ';' and decimal comma."""
    from kumuhgis.cli import main

    src = tmp_path / "rt.csv"
    src.write_text(
        "kode_rt;tahun;Luas (Ha);jumlah_bangunan;jumlah_penduduk;jumlah_kk;panjang_jalan_ideal_m;"
        "panjang_drainase_ideal_m;v_1a;v_1b;v_1c;v_2a;v_2b;v_3a;v_3b;v_4a;v_4b;v_4c;v_5a;v_5b;v_6a;v_6b;v_7a;v_7b\n"
        "RT01-RW05;2016;4,63;50;201;60;780;385;13;0;13;100;605;54;0;0;0;310;10;16;60;60;50;50\n",
        encoding="utf-8",
    )
    out = tmp_path / "skor.csv"
    assert main(["score", str(src), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    header, row = text.strip().splitlines()
    got = dict(zip(header.split(","), row.split(","), strict=True))
    assert [got[f"p_{c}"] for c in ("1a", "2a", "2b", "4c", "5a", "6a")] == [
        "26.00",
        "12.82",
        "77.56",
        "80.52",
        "16.67",
        "100.00",
    ]
    assert (got["rata_air_minum"], got["rata_sektoral"], got["total_nilai"], got["tingkat"]) == (
        "45.00",
        "50.86",
        "38",
        "KS",
    )
