"""The RP2KPKP annex as office workbooks (domain.md §8): every table in ``rp2kpkp.xlsx``
and the editable memorandum program in ``memorandum_program.xlsx``.

The sheet layout (titles, Indonesian column labels with units, totals, frozen columns) is
here; the figures are :class:`kumuhgis.analysis.rp2kpkp.Annex`. The memorandum sheet has
nothing under its table, so the file the Pokja edits imports back as it is
(:func:`kumuhgis.ingest.memorandum.read_memorandum_file`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from kumuhgis.analysis.rp2kpkp import Annex, method_lines, pattern_summary, priority_matrix_counts
from kumuhgis.analysis.scoring import LEVEL_COLUMN, SECTORAL_COLUMN, TOTAL_COLUMN, score_labels
from kumuhgis.core.memorandum import CEILING_SETTINGS_KEY, MEMORANDUM_COLUMNS, POLA, pola_key
from kumuhgis.core.numeric import format_number_id
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.vocabulary import SUMBER_DANA
from kumuhgis.outputs.workbook import FORMAT_INTEGER, Column, Sheet, write_workbook

__all__ = [
    "column_labels",
    "rt_labels",
    "annex_sheets",
    "memorandum_sheets",
    "write_annex_workbook",
    "write_memorandum_workbook",
]

# Indonesian header label and unit of the annex's own columns (score columns: score_labels)
_LABELS: dict[str, tuple[str, str]] = {
    "peringkat": ("Peringkat", ""),
    "kode_kawasan": ("Kode kawasan", ""),
    "nama_kawasan": ("Nama kawasan", ""),
    "kelurahan": ("Kelurahan/desa", ""),
    "kecamatan": ("Kecamatan", ""),
    "no_sk": ("No. SK", ""),
    "luas_sk_ha": ("Luas SK", "ha"),
    "luas_delineasi_ha": ("Luas delineasi", "ha"),
    "luas_terverifikasi_ha": ("Luas terverifikasi", "ha"),
    "temuan_sk": ("Temuan verifikasi SK", ""),
    "rekomendasi_sk": ("Rekomendasi verifikasi", ""),
    "jumlah_rt": ("Jumlah RT", "RT"),
    "luas_ha": ("Luas (Σ RT)", "ha"),
    "luas_kumuh_ha": ("Luas kumuh (RT bukan TK)", "ha"),
    "kepadatan_jiwa_ha": ("Kepadatan penduduk", "jiwa/ha"),
    "skor_strategis": ("Nilai lokasi strategis", ""),
    "kelas_kepadatan": ("Kelas kepadatan", ""),
    "skor_kepadatan": ("Nilai kepadatan", ""),
    "skor_sosial_ekonomi": ("Nilai potensi sosial ekonomi", ""),
    "skor_pertimbangan": ("Jumlah nilai pertimbangan lain", ""),
    "pertimbangan": ("Pertimbangan lain", ""),
    "luas_ilegal_ha": ("Luas RT ilegal", "ha"),
    "tipologi_rinci": ("Tipologi (rincian luas)", ""),
    "prioritas": ("Prioritas", ""),
    "pola_penanganan": ("Pola penanganan (campuran pola RT)", ""),
    "data_kurang": ("Data kurang", ""),
    "kriteria": ("Kriteria", ""),
    "aspek": ("Aspek", ""),
    "uraian_kriteria": ("Uraian kriteria", ""),
    "kegiatan": ("Kegiatan", ""),
    "kode_kel": ("Kode kelurahan", ""),
    "pola": ("Pola penanganan", ""),
    "volume": ("Volume", ""),
    "satuan": ("Satuan", ""),
    "biaya_satuan_rp": ("Biaya satuan", "Rp"),
    "biaya_rp": ("Biaya", "Rp"),
    "tahun": ("Tahun", ""),
    "dalam_sk": ("Di kawasan SK", ""),
    "legalitas_lahan": ("Legalitas lahan RT", ""),
    "catatan_legalitas": ("Catatan legalitas", ""),
    "catatan_pola": ("Catatan pola", ""),
    "lingkup": ("Lingkup", ""),
    "jumlah_kk": ("Jumlah KK", "KK"),
    "pagu_rp": ("Pagu tahunan", "Rp"),
    "program_rp": ("Program", "Rp"),
    "sisa_rp": ("Sisa pagu", "Rp"),
    "melebihi_pagu": ("Melebihi pagu", ""),
    "belum_terdanai_rp": ("Belum terdanai (jumlah sumber dana)", "Rp"),
    "biaya_total_rp": ("Biaya total", "Rp"),
    "sumber_dana": ("Sumber dana", ""),
    "rincian_dana": ("Rincian dana", ""),
    "keterangan": ("Keterangan", ""),
    "jumlah_kawasan": ("Jumlah kawasan", ""),
    "kawasan": ("Kawasan", ""),
    "kode": ("Kode", ""),
    "harga_rp": ("Harga satuan", "Rp"),
    "uraian": ("Uraian kegiatan", ""),
    "nama_lokasi": ("Nama lokasi", ""),
    "luas_rt_ha": ("Luas Σ RT", "ha"),
    "jumlah_rt_tidak_kumuh": ("Jumlah RT tidak kumuh", "RT"),
    "temuan": ("Temuan", ""),
    "rekomendasi": ("Rekomendasi", ""),
    "tahun_tingkat": ("Tahun tingkat RT", ""),
    "kelurahan_saran": ("Kelurahan (batas wilayah)", ""),
    "rp_total": ("Jumlah", "Rp"),
}

_PERTIMBANGAN_COLUMNS = (
    "kode_kawasan",
    "nama_kawasan",
    "nilai_strategis",
    "skor_strategis",
    "kepadatan_jiwa_ha",
    "kelas_kepadatan",
    "skor_kepadatan",
    "sosial_ekonomi",
    "skor_sosial_ekonomi",
    "skor_pertimbangan",
    "pertimbangan",
    "legalitas",
    "luas_ilegal_ha",
    "tipologi",
    "tipologi_rinci",
    "data_kurang",
)
_RANKING_COLUMNS = (
    "peringkat",
    "kode_kawasan",
    "nama_kawasan",
    "kelurahan",
    "luas_ha",
    "luas_kumuh_ha",
    TOTAL_COLUMN,
    LEVEL_COLUMN,
    "skor_pertimbangan",
    "pertimbangan",
    "prioritas",
    "legalitas",
    "pola_penanganan",
    "data_kurang",
)
_PATTERN_COLUMNS = (
    "kode_kawasan",
    "nama_kawasan",
    LEVEL_COLUMN,
    "legalitas",
    "luas_ilegal_ha",
    "tipologi",
    "pola_penanganan",
    *(f"luas_{pola_key(p)}_ha" for p in POLA),
    *(f"jumlah_rt_{pola_key(p)}" for p in POLA),
    "data_kurang",
)
_RT_PATTERN_COLUMNS = (
    "kode_rt",
    "kode_kawasan",
    "kode_kel",
    "kelurahan",
    "luas_ha",
    "jumlah_kk",
    LEVEL_COLUMN,
    "legalitas_lahan",
    "catatan_legalitas",
    "pola_penanganan",
    "catatan_pola",
)
_SK_COLUMNS = (
    "no_sk",
    "kode_kawasan",
    "nama_lokasi",
    "kelurahan",
    "luas_sk_ha",
    "luas_delineasi_ha",
    "luas_rt_ha",
    "jumlah_rt",
    "jumlah_rt_tidak_kumuh",
    "luas_terverifikasi_ha",
    "temuan",
    "rekomendasi",
)
_MEMORANDUM_HELP = [
    "Cara menyunting memorandum program / how to edit",
    "1. Ubah isi lembar 'Memorandum program': satu baris = satu kegiatan di satu kawasan (pencegahan: satu kelurahan), satu pola, satu kriteria, satu tahun, satu sumber dana.",
    "2. Kolom wajib: Kode kawasan (baris pencegahan: Kode kelurahan), Kegiatan, Volume, Biaya (Rp), Tahun, Sumber dana. Kriteria boleh kosong untuk kegiatan non-fisik. Kode RT: satu atau beberapa kode dipisah titik koma.",
    "Pola penanganan: "
    + ", ".join(POLA)
    + ". RT berpola permukiman kembali hanya mendapat lahan, hunian dan prasarana di lokasi baru — baris pekerjaan di tapak (berkriteria, atau pola pemugaran/peremajaan) untuk RT itu ditolak (lihat lembar 'Pola per RT').",
    f"Pagu tahunan per sumber dana (pengaturan proyek '{CEILING_SETTINGS_KEY}', lembar 'Pagu tahunan'): jumlah satu sumber dana dalam satu tahun tidak boleh melebihi pagunya; baris yang melewatinya ditolak.",
    "3. Angka boleh ditulis gaya Indonesia (1.234,5; Rp 350.000.000) atau Inggris (1,234.5).",
    "4. Sumber dana: "
    + ", ".join(SUMBER_DANA)
    + " (ejaan umum seperti 'APBD II', 'BPM', 'CSR' dikenali).",
    "5. Jangan ubah judul kolom; kolom tambahan boleh, disimpan sebagai teks.",
    "6. Impor kembali: kumuhgis memorandum-import PROYEK.gpkg memorandum_program.xlsx — bila ada kesalahan, semuanya dilaporkan dengan baris dan kolom, dan proyek tidak diubah.",
]
_CRITERIA_LABELS = {
    "kode": "Kode",
    "aspek": "Aspek",
    "kriteria": "Kriteria",
    "satuan": "Satuan volume",
    "kolom_volume": "Kolom volume",
    "penyebut": "Penyebut",
}


def column_labels(rules: RuleSet | str | None = None) -> dict[str, tuple[str, str]]:
    """Indonesian header label and unit of every column of the annex tables."""
    rules = load_rules(rules)
    # the RT/score columns (volumes, percentages, scores, averages, totals) as in the score output
    labels: dict[str, tuple[str, str]] = dict(score_labels(rules))
    labels |= _LABELS
    for lv in rules.levels:
        labels[f"jumlah_rt_{lv.code.lower()}"] = (f"RT {lv.label_id} ({lv.code})", "RT")
    for p in POLA:
        labels[f"luas_{pola_key(p)}_ha"] = (f"Luas {p}", "ha")
        labels[f"jumlah_rt_{pola_key(p)}"] = (f"RT {p}", "RT")
        labels[f"biaya_{pola_key(p)}_rp"] = (f"Biaya {p}", "Rp")
    return labels


def rt_labels(labels: dict) -> dict:
    """``labels`` for a table of RTs: the pattern is the RT's own, not a mix."""
    return {**labels, "pola_penanganan": ("Pola penanganan", "")}


def _memo_columns() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (kind, _req, label, unit, _a) in MEMORANDUM_COLUMNS.items():
        fmt = FORMAT_INTEGER if kind == "rupiah" else None
        out[name] = Column(label, unit, number_format=fmt)
    return out


def _memorandum_sheet(annex: Annex) -> Sheet:
    """The program itself: a title block, then the table with nothing under it."""
    years = annex.memorandum_tahun
    origin = (
        "Isian Pokja dari proyek"
        if annex.memorandum_asal == "proyek"
        else "DRAF otomatis dari kumuhgis"
    )
    title = [
        f"Memorandum program {years[0]}–{years[-1]} — {annex.kota}",
        origin
        + f"; biaya {'indikatif' if annex.costs.indicative else ''} harga {annex.costs.tahun_harga}. Sunting isi sel, tambah atau hapus baris; jangan ubah judul kolom.",
    ]
    return Sheet(
        "Memorandum program",
        annex.memorandum,
        columns=_memo_columns(),
        title=title,
        freeze_columns=2,
    )


def _ceiling_sheet(annex: Annex, labels: dict) -> Sheet:
    """The program's total per funding source and year against its ceiling."""
    note = (
        [
            f"Tanpa pagu tahunan (pengaturan proyek '{CEILING_SETTINGS_KEY}' kosong): program dibagi menurut prioritas saja."
        ]
        if not annex.pagu
        else []
    )
    return Sheet(
        "Pagu tahunan",
        annex.tahapan,
        columns=labels,
        title=["Jumlah program per sumber dana dan tahun terhadap pagu tahunan"],
        notes=note,
    )


def _unfunded_sheet(annex: Annex, labels: dict) -> Sheet:
    """What the ceilings leave out of the draft program."""
    gap = annex.belum_terdanai
    note = "Semua kebutuhan masuk program." if not len(gap) else ""
    if annex.memorandum_asal == "proyek":
        note = "Program isian Pokja: lihat selisih kebutuhan dan program di lembar Keterangan."
    return Sheet(
        "Belum terdanai",
        gap,
        columns=labels,
        title=["Kebutuhan yang belum terdanai dalam pagu tahunan program"],
        totals=["biaya_rp"] if len(gap) else False,
        notes=[note] if note else [],
    )


def memorandum_sheets(annex: Annex) -> list[Sheet]:
    """The sheets of the editable memorandum file: the program (nothing under the table,
    so it imports back as it is), instructions, the ceilings, what is not funded, and the
    valid codes (kawasan, RT with their pattern, criteria)."""
    labels = column_labels(annex.rules)
    kaw = annex.profil[["kode_kawasan", "nama_kawasan", "prioritas", "pola_penanganan"]]
    rts = annex.rt_pola[annex.rt_pola["dalam_sk"]][list(_RT_PATTERN_COLUMNS)]
    return [
        _memorandum_sheet(annex),
        Sheet("Petunjuk", None, notes=list(_MEMORANDUM_HELP)),
        _ceiling_sheet(annex, labels),
        _unfunded_sheet(annex, labels),
        Sheet("Daftar kawasan", kaw, columns=labels, title=["Kode kawasan yang berlaku"]),
        Sheet(
            "Pola per RT",
            rts,
            columns=rt_labels(labels),
            title=["RT di kawasan SK: legalitas lahan dan pola penanganan"],
        ),
        Sheet(
            "Daftar kriteria",
            annex.rules.describe(),
            columns=_CRITERIA_LABELS,
            title=[f"Kriteria {annex.rules.title_id}"],
        ),
    ]


def _profile_columns(r: RuleSet, p: pd.DataFrame) -> list[str]:
    cols = (
        "kode_kawasan",
        "nama_kawasan",
        "kelurahan",
        "kecamatan",
        "no_sk",
        "luas_sk_ha",
        "luas_delineasi_ha",
        "luas_terverifikasi_ha",
        "jumlah_rt",
        "luas_ha",
        "luas_kumuh_ha",
        *[f"jumlah_rt_{lv.code.lower()}" for lv in r.levels],
        "jumlah_bangunan",
        "jumlah_penduduk",
        "jumlah_kk",
        "kepadatan_jiwa_ha",
        *r.aspect_columns,
        SECTORAL_COLUMN,
        TOTAL_COLUMN,
        LEVEL_COLUMN,
        "tipologi",
        "data_kurang",
    )
    return [c for c in cols if c in p.columns]


def _criteria_columns(r: RuleSet, p: pd.DataFrame) -> list[str]:
    return [
        "kode_kawasan",
        "nama_kawasan",
        *[c for c in r.denominator_columns if c in p.columns],
        *r.volume_columns,
        *[c.p_column for c in r.criteria],
        *[c.n_column for c in r.criteria],
        TOTAL_COLUMN,
        LEVEL_COLUMN,
    ]


def _matrix(annex: Annex) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The priority matrix with its cells' kawasan, and its column labels."""
    r = annex.rules
    mat = priority_matrix_counts(annex.profil, plan=annex.plan, rules=r)
    mat_labels: dict[str, Any] = {"pertimbangan": "Pertimbangan lain"}
    for code in annex.plan.kumuh_codes:
        lab = r.level(code).label_id
        mat_labels[f"prioritas_{code.lower()}"] = f"Prioritas ({lab})"
        mat_labels[f"kawasan_{code.lower()}"] = f"Kawasan ({lab})"
        mat_labels[f"luas_{code.lower()}_ha"] = (f"Luas ({lab})", "ha")
    return mat, mat_labels


def _sk_sheet(annex: Annex, labels: dict) -> Sheet:
    sk_cols = [c for c in _SK_COLUMNS if c in annex.sk.columns]
    info = annex.sk_info
    line = f"SK {info.get('no_sk', '')} tanggal {info.get('tanggal_sk', '')}"
    if info.get("rekomendasi"):
        line += f"; rekomendasi: {info['rekomendasi']} ({info.get('alasan', '')}); luas terverifikasi {format_number_id(info.get('luas_terverifikasi_ha'), 2)} ha"
    return Sheet(
        "SK terverifikasi",
        annex.sk[sk_cols],
        columns=labels,
        title=[
            "Tabel SK Kumuh terverifikasi (luas SK, delineasi, Σ RT; tingkat RT; batas dan nama wilayah)",
            line,
        ],
    )


def _gaps_sheet(p: pd.DataFrame, labels: dict) -> Sheet:
    kurang = p.loc[
        p["data_kurang"].fillna("") != "", ["kode_kawasan", "nama_kawasan", "data_kurang"]
    ]
    return Sheet(
        "Data kurang",
        kurang,
        columns=labels,
        title=["Data yang kurang per kawasan (tidak diisi dengan nilai bawaan)"],
        notes=[] if len(kurang) else ["Tidak ada data yang kurang."],
    )


def annex_sheets(annex: Annex) -> list[Sheet]:
    """Every table of the annex as workbook sheets (:mod:`kumuhgis.outputs.workbook`)."""
    r = annex.rules
    labels = column_labels(r)
    p = annex.profil
    where = f" — {annex.kota}" if annex.kota else ""
    head = f"tahun kondisi {annex.tahun}" + (
        f"; SK {annex.sk_info['no_sk']} ({annex.sk_info['tanggal_sk']})" if annex.sk_info else ""
    )
    mat, mat_labels = _matrix(annex)
    sheets = [
        Sheet("Profil kawasan", p[_profile_columns(r, p)], columns=labels, title=[f"Profil kawasan kumuh{where}", head], freeze_columns=2,
              totals={c: float(p[c].sum()) for c in ("luas_sk_ha", "luas_delineasi_ha", "luas_terverifikasi_ha", "luas_ha", "luas_kumuh_ha") if c in p.columns}),
        Sheet("Nilai per kriteria", p[_criteria_columns(r, p)], columns=labels, title=[f"Volume, persen dan nilai per kriteria per kawasan{where}", head + f"; {r.title_id}"], freeze_columns=2),
        Sheet("Pertimbangan & legalitas", p[list(_PERTIMBANGAN_COLUMNS)], columns=labels, title=[f"Pertimbangan lain, legalitas lahan dan tipologi{where}", head], freeze_columns=2),
        Sheet("Prioritas", annex.ranking[list(_RANKING_COLUMNS)], columns=labels, title=[f"Peringkat prioritas penanganan{where}", head], freeze_columns=3),
        Sheet("Matriks prioritas", mat, columns=mat_labels, title=["Matriks prioritas: pertimbangan lain × tingkat kekumuhan (Permen PUPR 14/PRT/M/2018)"]),
        Sheet("Pola penanganan", p[list(_PATTERN_COLUMNS)], columns=labels, title=[f"Pola penanganan per kawasan: campuran pola RT-nya{where}", head], freeze_columns=2),
        Sheet("Pola per RT", annex.rt_pola[list(_RT_PATTERN_COLUMNS)], columns=rt_labels(labels), title=[f"Legalitas lahan dan pola penanganan per RT{where}", head + "; RT di luar kawasan SK: pencegahan"], freeze_columns=1),
        Sheet("Rekap pola", pattern_summary(annex.rt_pola), columns=labels, title=["Jumlah RT, luas, KK dan kawasan per pola penanganan"]),
        Sheet("Kebutuhan & biaya", annex.kebutuhan, columns=labels, title=[f"Kebutuhan penanganan dan biaya indikatif menurut pola{where}", f"Biaya mengikuti pola; sisa volume tahun {annex.tahun}; harga satuan {annex.costs.status}, harga {annex.costs.tahun_harga}"], totals=["biaya_rp"], freeze_columns=2),
        Sheet("Biaya per kawasan", annex.biaya_kawasan, columns=labels, title=[f"Biaya indikatif per kawasan dan pola penanganan{where}", "Pencegahan dihitung per kelurahan (lembar Kebutuhan & biaya)"], totals=True, freeze_columns=2),
        Sheet("Biaya satuan", annex.costs.table, columns=labels, title=[f"Harga satuan per kriteria (pemugaran, peremajaan) — {annex.costs.status.upper()}, tahun harga {annex.costs.tahun_harga}", f"Sumber: {annex.costs.sumber}"]),
        Sheet("Biaya satuan pola", annex.costs.pola_table, columns=labels, title=[f"Harga satuan kegiatan menurut pola — {annex.costs.status.upper()}, tahun harga {annex.costs.tahun_harga}", f"Sumber: {annex.costs.sumber}"]),
        memorandum_sheets(annex)[0],
        _ceiling_sheet(annex, labels),
        _unfunded_sheet(annex, labels),
    ]  # fmt: skip
    if len(annex.sk):
        sheets.append(_sk_sheet(annex, labels))
    sheets.append(_gaps_sheet(p, labels))
    sheets.append(
        Sheet(
            "Keterangan", None, notes=[f"Lampiran RP2KPKP{where}, {head}", "", *method_lines(annex)]
        )
    )
    return sheets


def write_annex_workbook(annex: Annex, path: str | os.PathLike) -> Path:
    """Write every annex table to one office XLSX (:func:`annex_sheets`)."""
    return write_workbook(
        path,
        annex_sheets(annex),
        properties={"title": f"Lampiran RP2KPKP {annex.kota} {annex.tahun}"},
    )


def write_memorandum_workbook(annex: Annex, path: str | os.PathLike) -> Path:
    """Write the editable memorandum program (:func:`memorandum_sheets`)."""
    return write_workbook(
        path, memorandum_sheets(annex), properties={"title": f"Memorandum program {annex.kota}"}
    )
