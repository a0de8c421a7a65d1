"""Auditing published per-RT tables (issue 14; domain.md §3–§4).

A small table is built here by hand: the published Jombang example of domain.md §4, an
all-zero RT, and one record per planted finding, each a copy of the Jombang record with
one thing changed (the change and why it trips only its own check are written beside
it). It is written as real CSV and XLSX files in the three published layouts (kumuhgis's
own ``v_/p_/n_``, the compact app export ``1av/1ap/1an``, long headers ``Volume 1a``), with
percentages as percent and as proportions; every planted finding must be reported on its
row, and nothing else.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kumuhgis.analysis.audit import FINDING_COLUMNS, FINDINGS, audit_published
from kumuhgis.cli import main
from kumuhgis.core.errors import UsageError, ValidationError
from kumuhgis.core.numeric import parse_number_series
from kumuhgis.core.rules import load_rules
from kumuhgis.core.schema import CRITERIA_CODES
from kumuhgis.core.vocabulary import level_code, parse_level_series
from kumuhgis.ingest.load import import_file
from kumuhgis.ingest.published import (
    PERSEN,
    PROPORSI,
    canonical_name,
    percent_conventions,
    read_published,
)
from kumuhgis.store import open_store

# --------------------------------------------------------------------------- the table

# domain.md §4, Kab. Jombang, Kel. Sumbermulyo, RT01-RW05 (published by East Java's portal)
HEADER = {
    "luas_ha": 4.63, "jumlah_bangunan": 50, "jumlah_penduduk": 201, "jumlah_kk": 60,
    "panjang_jalan_ideal_m": 780, "panjang_drainase_ideal_m": 385,
}  # fmt: skip
DENOMINATORS = tuple(HEADER)
VOLUMES = [13, 0, 13, 100, 605, 54, 0, 0, 0, 310, 10, 16, 60, 60, 50, 50]
PERCENTS = [26, 0, 26, 12.82, 77.56, 90, 0, 0, 0, 80.52, 16.67, 26.67, 100, 100, 100, 100]
SCORES = [1, 0, 1, 0, 5, 5, 0, 0, 0, 5, 0, 1, 5, 5, 5, 5]
ASPECTS = {
    "rata_bangunan": 17.33, "rata_jalan": 45.19, "rata_air_minum": 45.00, "rata_drainase": 26.84,
    "rata_air_limbah": 21.67, "rata_persampahan": 100, "rata_kebakaran": 100,
}  # fmt: skip


def jombang(**changes) -> dict:
    """The published record, in canonical names (total 38 → KS, sectoral 50.86)."""
    row = {"id": "RT01-RW05", "tahun": 2016, **HEADER}
    row.update({f"v_{c}": v for c, v in zip(CRITERIA_CODES, VOLUMES, strict=True)})
    row.update({f"p_{c}": v for c, v in zip(CRITERIA_CODES, PERCENTS, strict=True)})
    row.update({f"n_{c}": v for c, v in zip(CRITERIA_CODES, SCORES, strict=True)})
    row.update(ASPECTS, rata_sektoral=50.86, total_nilai=38, tingkat="KS")
    row.update(changes)
    return row


def zero(**changes) -> dict:
    """An RT with nothing wrong: every volume, percentage, score and average 0 → TK."""
    row = jombang(id="RT02-RW05", tingkat="TK", total_nilai=0, rata_sektoral=0)
    row.update({k: 0 for k in row if k.startswith(("v_", "p_", "n_", "rata_"))})
    row.update(changes)
    return row


BLANK_P = {f"p_{c}": None for c in CRITERIA_CODES}
BLANK_V = {f"v_{c}": None for c in CRITERIA_CODES}
# (record, {(finding, kriteria)}) in spreadsheet row order (header = row 1)
RECORDS = [
    (jombang(), set()),  # row 2: the published example, clean
    (zero(), set()),  # row 3: clean control
    # row 4: total 39; 39 is still KS and the volumes still give KS
    (jombang(id="R04", total_nilai=39), {("total_tidak_sesuai", "")}),
    # row 5: 1a scored 3 at 26 % (band 1); the total follows the scores (40, still KS)
    (jombang(id="R05", n_1a=3, total_nilai=40), {("nilai_tidak_sesuai", "1a")}),
    # row 6: 1a scored 2, which no band gives (percentages not published on this row);
    # total 39 = Σ scores, KS; volumes give KS
    (jombang(id="R06", n_1a=2, total_nilai=39, **BLANK_P), {("nilai_tidak_sesuai", "1a")}),
    # row 7: level KR for a total of 38 (KS); no volumes on this row, so no recomputation
    (jombang(id="R07", tingkat="KR", **BLANK_V), {("tingkat_tidak_sesuai", "")}),
    # row 8: jalan average 45.20, but (12.82 + 77.56) / 2 = 45.19; sectoral stays 50.86
    (jombang(id="R08", rata_jalan=45.20), {("rata_rata_tidak_sesuai", "jalan")}),
    # row 9: 7a at 100.0004 %: above 100, yet rounds to 100.00 = 50 ÷ 50, score 5
    (jombang(id="R09", p_7a=100.0004), {("persen_di_luar_batas", "7a")}),
    # row 10: 1b volume -0.5 ha (its published percentage 0 is not recomputed from it)
    (jombang(id="R10", v_1b=-0.5), {("volume_negatif", "1b")}),
    # row 11: 6a volume 65 KK of 60 KK: capped at 100 %, as published
    (jombang(id="R11", v_6a=65), {("volume_melebihi_penyebut", "6a")}),
    # row 12: 2a published 12.81 %, 100 × 100 ÷ 780 = 12.82; band 0 either way and the
    # jalan average (12.81 + 77.56) / 2 = 45.185 still rounds to 45.19
    (jombang(id="R12", p_2a=12.81), {("persen_tidak_sesuai", "2a")}),
    # row 13: every volume 0 → total 0, TK; the published scores say 38, KS (no
    # percentages on this row, so the zero volumes contradict nothing else)
    (jombang(id="R13", **BLANK_P, **{f"v_{c}": 0 for c in CRITERIA_CODES}), {("hitung_ulang_berbeda", "")}),
]  # fmt: skip
NEEDS_DENOMINATORS = {"volume_melebihi_penyebut", "persen_tidak_sesuai", "hitung_ulang_berbeda"}


def expected(*, denominators: bool = True) -> set[tuple[int, str, str, str]]:
    out = set()
    for i, (record, found) in enumerate(RECORDS):
        for code, kriteria in found:
            if denominators or code not in NEEDS_DENOMINATORS:
                out.add((i + 2, record["id"], code, kriteria))
    return out


# --------------------------------------------------------------------------- layouts

ASPECT_LONG = {
    "rata_bangunan": "Kondisi Bangunan Gedung", "rata_jalan": "Kondisi Jalan Lingkungan",
    "rata_air_minum": "Kondisi Penyediaan Air Minum", "rata_drainase": "Kondisi Drainase Lingkungan",
    "rata_air_limbah": "Kondisi Pengelolaan Air Limbah", "rata_persampahan": "Kondisi Pengelolaan Persampahan",
    "rata_kebakaran": "Kondisi Proteksi Kebakaran",
}  # fmt: skip
COMPACT = {
    "id": "kodeRT", "luas_ha": "luas", "jumlah_bangunan": "jumlahBangunan", "jumlah_kk": "jumlahKK",
    "jumlah_penduduk": "jumlahPenduduk", "panjang_jalan_ideal_m": "panjangJalanIdeal",
    "panjang_drainase_ideal_m": "panjangDrainaseIdeal", "rata_sektoral": "ratarataKekumuhan",
    "total_nilai": "totalNilai", "tingkat": "tingkatKekumuhan",
    **{a: f"{k}r" for k, a in enumerate(ASPECT_LONG, start=1)},
}  # fmt: skip
LONG = {
    "id": "Kode RT", "tahun": "Tahun", "luas_ha": "Luas (Ha)", "jumlah_bangunan": "Jumlah Bangunan (unit)",
    "jumlah_kk": "Jumlah KK", "jumlah_penduduk": "Jumlah Penduduk (jiwa)",
    "panjang_jalan_ideal_m": "Panjang Jalan Ideal (m)", "panjang_drainase_ideal_m": "Panjang Drainase Ideal (m)",
    "rata_sektoral": "Rata-rata Sektoral", "total_nilai": "Total Nilai", "tingkat": "Tingkat Kekumuhan",
    **{a: f"Rata-rata {label}" for a, label in ASPECT_LONG.items()},
}  # fmt: skip
FAMILY = {
    "own": {"v": "v_{}", "p": "p_{}", "n": "n_{}"},
    "compact": {"v": "{}v", "p": "{}p", "n": "{}n"},
    "long": {"v": "Volume {}", "p": "Persentase {}", "n": "Nilai {}"},
}
LEVELS = {
    "own": {"KS": "KS", "TK": "TK", "KR": "KR"},
    "compact": {"KS": "Kumuh Sedang", "TK": "Tidak Kumuh", "KR": "Kumuh Ringan"},
    "long": {"KS": "SEDANG", "TK": "TIDAK KUMUH", "KR": "ringan"},
}


def header(name: str, layout: str) -> str:
    if name[:2] in ("v_", "p_", "n_"):
        return FAMILY[layout][name[0]].format(name[2:])
    if layout == "own":
        return "kode_rt" if name == "id" else name
    return (COMPACT if layout == "compact" else LONG).get(name, name)


def published_rows(layout: str, convention: str, *, denominators: bool = True) -> list[dict]:
    """The records under ``layout``'s headers, percentages as ``convention``."""
    rows = []
    for record, _ in RECORDS:
        row = {}
        for name, value in record.items():
            if name in DENOMINATORS and not denominators:
                continue
            if convention == PROPORSI and name.startswith(("p_", "rata_")) and value is not None:
                value = round(value / 100, 8)
            if name == "tingkat":
                value = LEVELS[layout][value]
            row[header(name, layout)] = value
        rows.append(row)
    return rows


def _text(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    text = np.format_float_positional(value, trim="-") if isinstance(value, float) else str(value)
    return text.replace(".", ",") if decimal_comma else text


def write_table(path: Path, rows: list[dict], *, sheet: str = "Data") -> Path:
    """A real CSV (long layout: Indonesian decimal comma, ``;``) or XLSX file."""
    columns = list(rows[0])
    if path.suffix == ".csv":
        indonesian = "Volume 1a" in columns or "Kode RT" in columns
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter=";" if indonesian else ",")
            w.writerow(columns)
            w.writerows([_text(r.get(c), indonesian) for c in columns] for r in rows)
        return path
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(columns)
    for r in rows:
        ws.append([r.get(c) for c in columns])
    wb.save(path)
    return path


def found(result) -> set[tuple[int, str, str, str]]:
    f = result.findings
    return set(zip(f["baris"], f["id"], f["temuan"], f["kriteria"], strict=True))


# --------------------------------------------------------------------------- planted findings


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
@pytest.mark.parametrize("convention", [PERSEN, PROPORSI])
@pytest.mark.parametrize("layout", ["own", "compact", "long"])
def test_each_planted_finding_on_its_row_and_nothing_else(tmp_path, layout, convention, ext):
    path = write_table(tmp_path / f"terbit{ext}", published_rows(layout, convention))
    table = read_published(path)
    assert set(table.conventions["konvensi"]) == {convention}
    assert len(table.conventions) == 16 + 7 + 1
    result = audit_published(table.frame, conventions=table.convention_map)
    assert found(result) == expected()
    assert result.records == len(RECORDS)
    assert result.clean_records == 2
    assert list(result.findings.columns) == list(FINDING_COLUMNS)
    assert set(result.findings["tahun"]) == {2016}
    assert (result.summary["baris_diperiksa"] > 0).all()  # every check could run
    per_code = dict(zip(result.summary["temuan"], result.summary["jumlah_temuan"], strict=True))
    assert per_code == {code: (2 if code == "nilai_tidak_sesuai" else 1) for code in FINDINGS}


def test_findings_carry_the_published_and_computed_values(tmp_path):
    path = write_table(tmp_path / "t.xlsx", published_rows("own", PROPORSI))
    table = read_published(path)
    f = audit_published(table.frame, conventions=table.convention_map).findings.set_index("temuan")
    assert f.loc["total_tidak_sesuai", ["nilai_terbit", "nilai_hitung"]].tolist() == ["39", "38"]
    assert f.loc["persen_tidak_sesuai", ["nilai_terbit", "nilai_hitung"]].tolist() == ["0.1281", "0.1282"]  # fmt: skip
    assert f.loc["rata_rata_tidak_sesuai", "nilai_hitung"] == "0.4519"  # in the column's convention
    assert f.loc["tingkat_tidak_sesuai", ["nilai_terbit", "nilai_hitung"]].tolist() == ["KR", "KS"]
    assert f.loc["hitung_ulang_berbeda", "nilai_hitung"] == "TK"
    assert "total 0" in f.loc["hitung_ulang_berbeda", "keterangan"]
    assert all(" / " in k for k in f["keterangan"])  # Bahasa Indonesia / English


def test_kumuhgis_score_workbook_audits_clean(tmp_path):
    """kumuhgis's own score workbook (title lines, labelled headers with units) read back
    as a published table: the Jombang record and the zero record add up."""
    from kumuhgis.analysis.scoring import score
    from kumuhgis.outputs.score_files import write_scores

    base = [{k: v for k, v in r.items() if k == "tahun" or k in DENOMINATORS or k.startswith("v_")}
            for r, _ in RECORDS[:2]]  # fmt: skip
    rt = pd.DataFrame(base).assign(kode_rt=["RT01-RW05", "RT02-RW05"])
    write_scores(score(rt), tmp_path / "skor.xlsx")
    table = read_published(tmp_path / "skor.xlsx", sheet="Nilai per RT")
    assert {"v_1a", "p_1a", "n_1a", "rata_air_minum", "rata_sektoral", "total_nilai", "tingkat"} <= set(table.frame.columns)  # fmt: skip
    result = audit_published(table.frame, conventions=table.convention_map)
    assert result.findings.empty and result.clean_records == 2
    assert (result.summary["baris_diperiksa"] == 2).all()


def test_denominators_from_another_sheet_or_file(tmp_path):
    main_rows = published_rows("long", PERSEN, denominators=False)
    rt_rows = [{LONG["id"]: r["id"], **{LONG[d]: r[d] for d in DENOMINATORS}} for r, _ in RECORDS]
    wb = Workbook()
    wb.active.title = "Data"
    for sheet, rows in (("Data", main_rows), ("RT", rt_rows)):
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        ws.append(list(rows[0]))
        for r in rows:
            ws.append(list(r.values()))
    wb.save(tmp_path / "dua_sheet.xlsx")
    table = read_published(tmp_path / "dua_sheet.xlsx", rt_sheet="RT")
    assert found(audit_published(table.frame, conventions=table.convention_map)) == expected()
    csv_main = write_table(tmp_path / "utama.csv", main_rows)
    rt_file = write_table(tmp_path / "rt.csv", rt_rows)
    table = read_published(csv_main, rt_sheet=str(rt_file))
    assert found(audit_published(table.frame, conventions=table.convention_map)) == expected()


def test_without_denominators_only_what_the_data_can_show(tmp_path):
    path = write_table(tmp_path / "t.csv", published_rows("compact", PERSEN, denominators=False))
    table = read_published(path)
    result = audit_published(table.frame, conventions=table.convention_map)
    assert found(result) == expected(denominators=False)
    summary = result.summary.set_index("temuan")
    for code in NEEDS_DENOMINATORS:
        assert summary.loc[code, "baris_diperiksa"] == 0
        assert summary.loc[code, "catatan"].startswith("tidak dapat diperiksa")
        assert summary.loc[code, "jumlah_temuan"] == 0


def test_golden_example_audits_clean_through_the_command(tmp_path):
    """domain.md §4: the Jombang record as published adds up to the last digit."""
    src = write_table(tmp_path / "jombang.csv", [published_rows("own", PERSEN)[0]])
    out = tmp_path / "temuan.csv"
    assert main(["audit-baseline", str(src), "--out", str(out)]) == 0
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert list(back.columns) == list(FINDING_COLUMNS)
    assert back.empty


def test_command_writes_findings_csv_and_workbook(tmp_path, capsys):
    src = write_table(tmp_path / "t.xlsx", published_rows("compact", PROPORSI))
    out = tmp_path / "temuan.csv"
    assert main(["audit-baseline", str(src), "--sheet", "Data", "--out", str(out)]) == 0
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == list(FINDING_COLUMNS)
    got = {(int(b), i, t, k) for b, i, t, k in back[["baris", "id", "temuan", "kriteria"]].values}
    assert got == expected()
    shown = capsys.readouterr().out
    assert f"2 dari {len(RECORDS)}" in shown and "proporsi" in shown
    xlsx = tmp_path / "temuan.xlsx"
    assert main(["audit-baseline", str(src), "--out", str(xlsx)]) == 0
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == ["Temuan", "Ringkasan"]
    summary_text = [c for row in wb["Ringkasan"].iter_rows(values_only=True) for c in row if c]
    assert f"Baris dibaca / records read: {len(RECORDS)}" in summary_text
    assert any(str(c).startswith("  1ap (p_1a): proporsi") for c in summary_text)
    findings = [r for r in wb["Temuan"].iter_rows(values_only=True) if r[0] is not None]
    assert len(findings) == 3 + len(expected())  # title, source, header, then one per finding


def test_command_refuses_bad_output_and_unreadable_cells(tmp_path, capsys):
    src = write_table(tmp_path / "t.csv", published_rows("own", PERSEN))
    assert main(["audit-baseline", str(src), "--out", str(tmp_path / "x.pdf")]) == 2
    rows = published_rows("own", PERSEN)
    rows[3]["v_1a"] = "tiga belas"
    bad = write_table(tmp_path / "bad.csv", rows)
    assert main(["audit-baseline", str(bad), "--out", str(tmp_path / "x.csv")]) == 2
    assert "v_1a" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_map_names_any_column(tmp_path):
    rows = [
        {"Nomor": r["id"], "Bobot": r["total_nilai"], "Status": LEVELS["compact"][r["tingkat"]],
         **{f"skor kriteria {c}": r[f"n_{c}"] for c in CRITERIA_CODES}}
        for r, _ in RECORDS
    ]  # fmt: skip
    path = write_table(tmp_path / "lain.csv", rows)
    mapping = {"Nomor": "id", "Bobot": "Total Nilai", "Status": "tingkat"}
    mapping.update({f"skor kriteria {c}": f"n_{c}" for c in CRITERIA_CODES})
    table = read_published(path, mapping=mapping)
    # no percentages and no volumes: totals, impossible scores and levels are all it can show
    assert found(audit_published(table.frame)) == {
        (4, "R04", "total_tidak_sesuai", ""),
        (6, "R06", "nilai_tidak_sesuai", "1a"),
        (7, "R07", "tingkat_tidak_sesuai", ""),
    }
    with pytest.raises(ValidationError) as err:
        read_published(path, mapping={"Tidak Ada": "total_nilai", "Bobot": "bukan_kolom"})
    assert [p.column for p in err.value.problems] == ["Bobot", "Tidak Ada"]
    assert all("--map" in p.masalah for p in err.value.problems)


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("header_text", "name"),
    [("1av", "v_1a"), ("1ap", "p_1a"), ("7bn", "n_7b"), ("3r", "rata_air_minum"),
     ("totalNilai", "total_nilai"), ("tingkatKekumuhan", "tingkat"),
     ("ratarataKekumuhan", "rata_sektoral"), ("Volume 4c (m)", "v_4c"),
     ("Persentase 2b", "p_2b"), ("Nilai 6a", "n_6a"), ("Rata-rata Kondisi Drainase Lingkungan", "rata_drainase"),
     ("Total Nilai", "total_nilai"), ("Tingkat Kekumuhan", "tingkat"), ("LUAS (Ha)", "luas_ha"),
     ("jumlahKK", "jumlah_kk"), ("RT/RW", "rt"), ("Bobot Kumuh", "total_nilai"),
     ("kode_rt", "id"), ("Nama Kampung", None), ("Nilai 8a", None), ("Nilai 1.a", "n_1a"),
     ("Volume 1a Ketidakteraturan bangunan (unit)", "v_1a"), ("Persen 2b (%)", "p_2b"),
     ("Rata-rata kondisi penyediaan air minum (%)", "rata_air_minum"), ("Rata-rata Air Minum", "rata_air_minum"), ("1a_v", "v_1a")],
)  # fmt: skip
def test_column_families_are_recognised(header_text, name):
    assert canonical_name(header_text) == name


@pytest.mark.parametrize(
    ("text", "code"),
    [("KB", "KB"), ("Kumuh Berat", "KB"), ("berat", "KB"), ("KUMUH SEDANG", "KS"),
     ("sedang", "KS"), ("Kumuh Ringan (KR)", "KR"), ("TK", "TK"), ("Tidak Kumuh", "TK"),
     ("bukan kumuh", "TK"), ("non-kumuh", "TK"), ("moderate slum", "KS"), ("not a slum", "TK"),
     ("kumuh", None), ("berat sedang", None), ("Kumuh Sedng", None), (None, None)],
)  # fmt: skip
def test_level_spellings(text, code):
    levels = load_rules().levels
    assert level_code(text, levels) == code
    assert parse_level_series(pd.Series([text, text]), levels).tolist() == [code or pd.NA] * 2


def test_percent_conventions_from_the_values():
    frame = pd.DataFrame(
        {
            "p_1a": [0.26, 0.5, 1.2, 0.75, 0.1],  # proportions with one value out of range
            "p_1b": [0.0, 0.0, 0.0, 0.0, 0.0],  # nothing to decide: follows the table
            "p_1c": [26.0, 0.5, 80.0, 0.0, 0.0],  # mostly above 1: percent
        }
    )  # the table: 3 of its 8 non-zero values above 1, so proportions
    conv = percent_conventions(frame).set_index("kolom")["konvensi"]
    assert conv.to_dict() == {"p_1a": PROPORSI, "p_1b": PROPORSI, "p_1c": PERSEN}
    signed = percent_conventions(frame, signs={"p_1a": True}).set_index("kolom")["konvensi"]
    assert signed["p_1a"] == PERSEN
    percent_table = frame.assign(
        p_1d=[40.0, 60.0, 90.0, 12.0, 5.0], p_1e=[30.0, 0.4, 55.0, 0.0, 0.0]
    )
    conv = percent_conventions(percent_table).set_index("kolom")["konvensi"]
    assert conv["p_1b"] == PERSEN and conv["p_1a"] == PERSEN  # the table is in percent


def test_percent_signs_and_indonesian_numbers(tmp_path):
    rows = published_rows("own", PERSEN)
    for r in rows:
        r["p_2a"] = None if r["p_2a"] is None else f"{r['p_2a']}".replace(".", ",") + " %"
    table = read_published(write_table(tmp_path / "t.xlsx", rows))
    assert table.convention_map["p_2a"] == PERSEN
    assert found(audit_published(table.frame, conventions=table.convention_map)) == expected()


def test_the_input_frame_is_not_modified(tmp_path):
    table = read_published(write_table(tmp_path / "t.csv", published_rows("own", PERSEN)))
    before = table.frame.copy()
    audit_published(table.frame, conventions=table.convention_map)
    pd.testing.assert_frame_equal(table.frame, before)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"[+-]?[0-9]{1,5}([.,][0-9]{1,4})?", fullmatch=True),
            st.sampled_from(["", "-", "1.234", "12,345", "1.234,5", "1e3", "5.", " 7 ", "0,5"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_number_cells_read_as_the_import_reads_them(tmp_path, cells):
    """Every volume cell reads as :func:`kumuhgis.core.numeric.parse_number_series` reads
    the column (same numbers, same refusals), whichever path the reader takes."""
    path = tmp_path / "angka.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [["kode_rt", "v_1a"], *([f"R{i}", c] for i, c in enumerate(cells))]
        )
    want, failures = parse_number_series(pd.Series([c or None for c in cells], dtype=object))
    if failures:
        with pytest.raises(ValidationError) as err:
            read_published(path)
        assert [p.row for p in err.value.problems] == [i + 2 for i, _, _ in failures]
        return
    got = read_published(path).frame["v_1a"].to_numpy()
    assert np.array_equal(got, want.to_numpy(dtype=float), equal_nan=True)


def test_rule_set_02_2016_bands_and_19_criteria(tmp_path):
    """Permen 02/2016 (domain.md §3): 19 criteria, 95 at most, KB from 71. Every criterion at
    100 % scores 5: total 95, KB; a total of 70 is KS there (it would be KB under 14/2018)."""
    codes = load_rules("permen-02-2016").codes
    assert len(codes) == 19
    full = {"id": "A", **HEADER, "total_nilai": 95, "tingkat": "Kumuh Berat", "rata_sektoral": 100}
    for c, den in zip(
        codes, [d.denominator for d in load_rules("permen-02-2016").criteria], strict=True
    ):
        full.update({f"v_{c}": HEADER[den], f"p_{c}": 100, f"n_{c}": 5})
    full.update({a: 100 for a in ASPECTS})
    wrong = dict(full, id="B", total_nilai=70, **{f"n_{c}": (5 if i < 14 else 0) for i, c in enumerate(codes)})  # fmt: skip
    # 6a 6b 6c 7a 7b at 0: persampahan and kebakaran average 0, sectoral 500 / 7 = 71.43
    wrong.update({f"p_{c}": 0 for c in codes[14:]}, **{f"v_{c}": 0 for c in codes[14:]})
    wrong.update(rata_persampahan=0, rata_kebakaran=0, rata_sektoral=71.43)
    frame = read_published(
        write_table(tmp_path / "t.csv", [full, wrong]), rules="permen-02-2016"
    ).frame
    result = audit_published(frame, rules="permen-02-2016")
    assert found(result) == {
        (3, "B", "tingkat_tidak_sesuai", ""),
        (3, "B", "hitung_ulang_berbeda", ""),
    }
    under_14 = audit_published(frame)  # 16 criteria: 4d, 4e, 6c are left out and said so
    assert set(under_14.ignored) == {f"{f}_{c}" for f in "vpn" for c in ("4d", "4e", "6c")}


# --------------------------------------------------------------------------- import


def test_import_from_published_takes_volumes_and_denominators(tmp_path):
    src = write_table(tmp_path / "t.xlsx", published_rows("compact", PERSEN)[:2])
    store = tmp_path / "kota.gpkg"
    assert main(["import", str(store), "baseline", str(src), "--from-published"]) == 0
    stored = open_store(store).read("baseline").set_index("kode_rt")
    assert list(stored.index) == ["RT01-RW05", "RT02-RW05"]
    assert stored.loc["RT01-RW05", [f"v_{c}" for c in CRITERIA_CODES]].tolist() == VOLUMES
    assert stored.loc["RT01-RW05", list(DENOMINATORS)].tolist() == list(HEADER.values())
    assert not any(c.startswith(("p_", "n_", "rata_")) for c in stored.columns)
    assert int(stored.loc["RT02-RW05", "tahun"]) == 2016


def test_import_from_published_refuses_a_bad_table_and_keeps_the_store(tmp_path, capsys):
    store = tmp_path / "kota.gpkg"
    good = write_table(tmp_path / "good.csv", published_rows("long", PERSEN)[:2])
    assert main(["import", str(store), "baseline", str(good), "--from-published"]) == 0
    before = open_store(store).read("baseline")
    audit_rows = len(open_store(store).audit())
    bad = write_table(tmp_path / "bad.csv", published_rows("long", PERSEN))  # row 10: v_1b < 0
    assert main(["import", str(store), "baseline", str(bad), "--from-published"]) == 2
    assert "v_1b" in capsys.readouterr().err  # row 10's negative volume, named
    pd.testing.assert_frame_equal(open_store(store).read("baseline"), before)
    assert len(open_store(store).audit()) == audit_rows
    with pytest.raises(UsageError, match="baseline"):
        import_file(store, "rt", bad, from_published=True)


def test_import_from_published_without_a_year_takes_it_from_fill(tmp_path, capsys):
    """A published table without a year column: refused with the way out (--fill), then
    imported with ``--fill tahun=2019``; a row that says another year is not overwritten."""
    rows = [
        {k: v for k, v in r.items() if k != "tahun"} for r in published_rows("compact", PERSEN)[:2]
    ]
    src = write_table(tmp_path / "t.xlsx", rows)
    store = tmp_path / "kota.gpkg"
    assert main(["import", str(store), "baseline", str(src), "--from-published"]) == 2
    assert "--fill tahun=" in capsys.readouterr().err
    assert not store.exists()
    argv = ["import", str(store), "baseline", str(src), "--from-published", "--fill", "tahun=2019"]
    assert main(argv) == 0
    stored = open_store(store).read("baseline")
    assert stored["tahun"].tolist() == [2019, 2019]
    other = write_table(tmp_path / "u.xlsx", published_rows("compact", PERSEN)[:2])  # says 2016
    assert (
        main(
            [
                "import",
                str(store),
                "baseline",
                str(other),
                "--from-published",
                "--fill",
                "tahun=2019",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "--fill tahun=2019" in err and "2016" in err
    assert open_store(store).read("baseline")["tahun"].tolist() == [2019, 2019]


# --------------------------------------------------------------------------- a real table

_SERANG_SECTORS = [
    ("BANGUNAN-JALAN LINGKUNGAN (Unit)", "1a"), ("BANGUNAN-RELOKASI (Ha)", "1b"),
    ("BANGUNAN-RTLH (Unit)", "1c"), ("JALAN LINGKUNGAN-JALAN BARU (M)", "2a"),
    ("JALAN LINGKUNGAN-JALAN RUSAK (M)", "2b"), ("AIR MINUM-SAB AKSES (KK)", "3a"),
    ("AIR MINUM-SAB KEBUTUHAN (KK)", "3b"), ("DRAINASE LINGKUNGAN-DRAINASE LIMPASAN (M)", "4a"),
    ("DRAINASE LINGKUNGAN-DRAINASE BARU (M)", "4b"), ("DRAINASE LINGKUNGAN-DRAINASE RUSAK (M)", "4c"),
    ("SANITASI-SETPITENG KOMUNAL (KK)", "5a"), ("SANITASI-JAMBAN PRIBADI (KK)", "5b"),
    ("PERSAMPAHAN-TPS/TPST (KK)", "6a"), ("PERSAMPAHAN-TPS3R/ BANK SAMPAH (KK) ", "6b"),
    ("PROTEKSI KEBAKARAN-JALAN LINGKUNGAN/ SUMBER AIR (KK)", "7a"),
    ("PROTEKSI KEBAKARAN-APAR/ MOBIL/MOTOR DAMKAR", "7b"),
]  # fmt: skip


def _serang_level(total: pd.Series) -> np.ndarray:
    """Level text of a total by hand (domain.md §4.5: 60–80, 38–59, 16–37, below 16)."""
    names = np.array(["TIDAK KUMUH", "KUMUH RINGAN", "KUMUH SEDANG", "KUMUH BERAT"], dtype=object)
    return names[np.searchsorted([16, 38, 60], total.to_numpy(), side="right")]


def _serang_map(columns) -> dict[str, str]:
    mapping = {}
    for prefix, code in _SERANG_SECTORS:
        for col in columns:
            squashed = col.replace(" ", "")
            if squashed.startswith(prefix.replace(" ", "")):
                mapping[col] = f"v_{code}" if col.endswith("KEBUTUHAN") else f"n_{code}"
    return mapping


def test_serang_published_table(shared_data, tmp_path):
    """Kab. Serang's 602 RT rows (../shared/data, section 2): sector scores (-NUMERIK),
    ``Bobot Kumuh`` totals and ``Tingkat Kekumuhan Awal``; no denominators, no percentages.
    Expectations are computed here with plain pandas, then three findings are planted."""
    src = shared_data / "jiwasharing_kumuh_serang" / "sumber_data_baru.csv"
    raw = pd.read_csv(src)
    mapping = _serang_map(raw.columns)
    assert len(mapping) == 32
    numerik = raw[[c for c, t in mapping.items() if t.startswith("n_")]]
    want_total = set(np.flatnonzero(numerik.sum(axis=1) != raw["Bobot Kumuh"]) + 2)
    want_level = set(np.flatnonzero(_serang_level(raw["Bobot Kumuh"]) != raw["Tingkat Kekumuhan Awal"]) + 2)  # fmt: skip
    table = read_published(src, mapping=mapping)
    result = audit_published(table.frame)
    assert result.records == 602
    got = result.findings.groupby("temuan")["baris"].apply(set).to_dict()
    assert got.get("total_tidak_sesuai", set()) == want_total
    assert got.get("tingkat_tidak_sesuai", set()) == want_level
    assert set(got) <= {"total_tidak_sesuai", "tingkat_tidak_sesuai"}
    summary = result.summary.set_index("temuan")
    for code in ("rata_rata_tidak_sesuai", "persen_di_luar_batas", "persen_tidak_sesuai", "hitung_ulang_berbeda"):  # fmt: skip
        assert summary.loc[code, "baris_diperiksa"] == 0  # no percentages, no denominators
    # plant: a total off by one (row 2), a level spelled for another total (row 3), a
    # score of 2 with the total following it (row 4), a negative need (row 5)
    planted = raw.copy()
    planted.loc[0, "Bobot Kumuh"] += 1
    planted.loc[1, "Tingkat Kekumuhan Awal"] = "KUMUH BERAT"
    n7a = "PROTEKSI KEBAKARAN-JALAN LINGKUNGAN/ SUMBER AIR (KK)-NUMERIK"
    planted.loc[2, "Bobot Kumuh"] += 2 - planted.loc[2, n7a]
    planted.loc[2, n7a] = 2
    planted.loc[3, "SANITASI-JAMBAN PRIBADI (KK)-KEBUTUHAN"] = -4
    path = tmp_path / "serang_ditanam.csv"
    planted.to_csv(path, index=False)
    result = audit_published(read_published(path, mapping=mapping).frame)
    new = found(result) - found(audit_published(table.frame))
    ids = table.frame["id"]
    want = {
        (2, ids[0], "total_tidak_sesuai", ""),
        (3, ids[1], "tingkat_tidak_sesuai", ""),
        (4, ids[2], "nilai_tidak_sesuai", "7a"),
        (5, ids[3], "volume_negatif", "5b"),
    }
    for i in (0, 2):  # a changed total that crosses a level boundary also changes the level
        if _serang_level(planted["Bobot Kumuh"])[i] != planted.loc[i, "Tingkat Kekumuhan Awal"]:
            want.add((i + 2, ids[i], "tingkat_tidak_sesuai", ""))
    assert new == want
