"""The files of ``kumuhgis reduction`` (domain.md §5): the ``--by`` view as CSV, or an
office workbook with one sheet per view, the targets, the trace and an explanation of the
three measures.
"""

from __future__ import annotations

from pathlib import Path

from kumuhgis.analysis.reduction import Reduction, group_keys
from kumuhgis.core.errors import UsageError
from kumuhgis.core.rules import RuleSet
from kumuhgis.outputs.files import write_frame
from kumuhgis.outputs.workbook import Sheet, write_workbook

__all__ = [
    "change_words",
    "column_labels",
    "explanation_lines",
    "reduction_sheets",
    "write_reduction",
]


def change_words(reduction_ha: float, *, lang: str = "id") -> tuple[str, float]:
    """How a reduction reads: ``("berkurang", x)`` for a fall, ``("bertambah", x)`` for a
    rise (a negative reduction), ``x`` ≥ 0 (domain.md §5: never "berkurang -x ha")."""
    up = reduction_ha < 0
    if lang == "id":
        return ("bertambah" if up else "berkurang"), abs(reduction_ha)
    return ("up" if up else "down"), abs(reduction_ha)


def column_labels(
    rules: RuleSet, *, year_from: int | None = None, year_to: int | None = None
) -> dict[str, tuple[str, str]]:
    """Indonesian header label and unit of every column of the reduction frames."""
    y0 = f" {year_from}" if year_from is not None else " awal"
    y1 = f" {year_to}" if year_to is not None else " akhir"
    labels: dict[str, tuple[str, str]] = {
        "kode_rt": ("Kode RT", ""),
        "rt": ("RT", ""),
        "rw": ("RW", ""),
        "kode_kel": ("Kode kelurahan", ""),
        "kelurahan": ("Kelurahan/desa", ""),
        "kecamatan": ("Kecamatan", ""),
        "kota": ("Kota/kabupaten", ""),
        "kode_kawasan": ("Kode kawasan", ""),
        "nama_kawasan": ("Nama kawasan", ""),
        "tahun": ("Tahun", ""),
        "jumlah_rt": ("Jumlah RT", "RT"),
        "luas_ha": ("Luas RT", "ha"),
        "luas_kumuh_awal_ha": (f"[1] Luas kumuh{y0}", "ha"),
        "luas_kumuh_akhir_ha": (f"[1] Luas kumuh{y1}", "ha"),
        "pengurangan_luas_kumuh_ha": ("[1] Pengurangan luas kumuh", "ha"),
        "ha_setara_awal_ha": (f"[2] Hektar setara{y0} (rata-rata sektoral)", "ha"),
        "ha_setara_akhir_ha": (f"[2] Hektar setara{y1} (rata-rata sektoral)", "ha"),
        "pengurangan_ha_setara_ha": ("[2] Pengurangan hektar setara", "ha"),
        "kontribusi_ha": ("[3] Kontribusi penanganan", "ha"),
        "kontribusi": ("[3] Kontribusi penanganan (proporsi)", "0–1"),
        "lingkup": ("Lingkup", ""),
        "luas_kumuh_ha": ("[1] Luas kumuh", "ha"),
        "ha_setara_ha": ("[2] Hektar setara (rata-rata sektoral)", "ha"),
        "jenis": ("Jenis", ""),
        "kode": ("Kode", ""),
        "aspek": ("Aspek", ""),
        "uraian": ("Uraian", ""),
        "pengurangan_persen": ("Pengurangan", "%"),
        "pengurangan_tahunan_ha": ("[1] Pengurangan tahun itu", "ha"),
        "pengurangan_kumulatif_ha": (f"[1] Pengurangan kumulatif sejak{y0}", "ha"),
        "target_tahunan_ha": ("Target tahunan", "ha"),
        "target_kumulatif_ha": ("Target kumulatif", "ha"),
        "capaian_tahunan_persen": ("Capaian tahunan", "%"),
        "capaian_kumulatif_persen": ("Capaian kumulatif", "%"),
        "kriteria": ("Kriteria", ""),
        "asal": ("Asal data", ""),
        "volume_before": ("Volume tahun sebelumnya", ""),
        "kode_kegiatan": ("Kode kegiatan kolaborasi", ""),
        "volume_kolaborasi": ("Volume kolaborasi", ""),
        "volume_subtracted": ("Volume dikurangkan", ""),
        "volume_after": ("Volume tahun ini", ""),
    }
    labels["ha_setara_awal_ha"] = (f"[2] Hektar setara{y0} (rata-rata sektoral per kriteria)", "ha")
    labels["ha_setara_akhir_ha"] = (
        f"[2] Hektar setara{y1} (rata-rata sektoral per kriteria)",
        "ha",
    )
    labels["pengurangan_ha_setara_ha"] = (
        "[2] Pengurangan hektar setara (rata-rata sektoral; negatif = bertambah)",
        "ha",
    )
    for lv in rules.levels:
        labels[f"jumlah_rt_{lv.code.lower()}"] = (f"Jumlah RT {lv.label_id} ({lv.code})", "RT")
        labels[f"luas_{lv.code.lower()}_ha"] = (f"Luas {lv.label_id} ({lv.code})", "ha")
    for c in rules.criteria:
        labels[f"pengurangan_ha_{c.code}"] = (f"[2] Pengurangan {c.code} {c.label_id}", "ha")
    for a in rules.aspects:
        labels[f"pengurangan_ha_{a.key}"] = (f"[2] Pengurangan aspek {a.label_id.lower()}", "ha")
    return labels


# --------------------------------------------------------------------------- output

_BY_ID = {
    "rt": "RT",
    "kawasan": "kawasan",
    "kelurahan": "kelurahan/desa",
    "kecamatan": "kecamatan",
    "kota": "kota/kabupaten",
    "kriteria": "kriteria",
}


def explanation_lines(result: Reduction) -> list[str]:
    """The text of the "Keterangan" sheet: what each measure means and how it is computed."""
    r = result.rules
    return [
        f"Pengurangan kawasan kumuh {result.year_from}–{result.year_to} (tahun dasar {result.year_from}); aturan: {r.title_id}.",
        "Tiga ukuran berbeda, selalu diberi label dan tidak boleh dicampur atau dijumlahkan satu sama lain (domain.md §5):",
        "[1] Luas kumuh (resmi, biner per RT): seluruh luas RT dihitung kumuh selama tingkatnya bukan TK. "
        "Luas kumuh kelurahan/kota = jumlah luas RT kumuh. Pengurangan = luas kumuh tahun dasar − luas kumuh tahun t.",
        "[2] Hektar setara per kriteria (per parameter): ha_c = luas RT × persen kriteria c ÷ 100. "
        "Pengurangan = ha_c tahun dasar − ha_c tahun t. Hektar setara aspek = rata-rata kriterianya; sektoral = rata-rata ketujuh aspek.",
        "[3] Kontribusi penanganan (indikator proporsional): (rata-rata sektoral tahun sebelumnya − tahun ini) ÷ rata-rata sektoral "
        "tahun sebelumnya, dibatasi 0–1; hektar = luas RT × kontribusi. Untuk rentang tahun: tahun dasar → tahun akhir.",
        "Angka kawasan, kelurahan, kecamatan dan kota adalah jumlah angka RT (bukan rata-rata persentase); "
        "jumlah angka kelurahan sama persis dengan angka kota. Angka dibulatkan hanya saat ditampilkan.",
        "Kondisi tahun tanpa survei diturunkan dari tahun sebelumnya: per kriteria, volume dikurangi volume kolaborasi untuk kriteria itu "
        "× porsinya di RT (bagian di dalam delineasi yang berlaku, dibagi antar-RT menurut panjang/luasnya; titik: RT tempatnya). "
        "Satu volume untuk beberapa kriteria berlaku bagi masing-masing, kecuali kriteria yang berbagi satu panjang ideal (2a/2b, 4b/4c): "
        "di sana satu volume per kriteria. Kolaborasi di luar delineasi (dan bagian luar dari 'sebagian') tidak mengurangi volume RT mana pun: "
        "itu pencegahan (lembar 'Jejak kolaborasi').",
        f"Lingkup: {result.lingkup_label if result.lingkup == 'sk' else 'seluruh kota (semua RT)'}. Lembar 'Lingkup' memberi angka kota "
        "untuk SK yang berlaku (angka resmi), seluruh kota, dan RT kumuh di luar semua kawasan SK (calon SK berikutnya).",
        "RT → kawasan: titik representatif RT di dalam poligon delineasi, atau tercantum di kolom kode_rt SK Kumuh.",
        "Target: pengaturan proyek 'target_pengurangan_ha' (ha per tahun; 'target_pengurangan_jenis': kumulatif sejak "
        "tahun dasar, bawaan, atau tahunan), dibandingkan dengan pengurangan luas kumuh [1].",
        "",
        "Three measures, never mixed: [1] official binary slum area, [2] hectare-equivalent per criterion, "
        "[3] handling contribution (proportional indicator). Area figures are exact sums of RT figures.",
    ]


def reduction_sheets(result: Reduction, *, kota: str = ""):
    """The sheets of a reduction workbook, one per view (:class:`Reduction`)."""
    labels = column_labels(result.rules, year_from=result.year_from, year_to=result.year_to)
    by = "kota" if result.by == "kriteria" else result.by
    where = f" {kota}" if kota else ""
    scope = result.lingkup_label if result.lingkup == "sk" else "seluruh kota (semua RT)"
    head = [
        f"Pengurangan kawasan kumuh{where} {result.year_from}–{result.year_to}, per {_BY_ID[by]}; lingkup: {scope}",
        f"Aturan: {result.rules.title_id}. [1] luas kumuh resmi (biner per RT) · [2] hektar setara per kriteria · "
        "[3] kontribusi penanganan — tiga ukuran berbeda, jangan dijumlahkan satu sama lain.",
    ]
    keys, lab = group_keys(result.by)
    freeze = len(keys) + len(lab)
    additive = {k: v for k, v in result.totals.items() if k in result.wilayah.columns}
    param = result.parameter
    if lab:
        param = result.wilayah[keys + lab].merge(param, on=keys, how="right")
    sheets = [
        Sheet("Ringkasan", result.wilayah, columns=labels, title=head, totals=additive, totals_label="Jumlah kota", freeze_columns=freeze),
        Sheet(
            "Per parameter", param, columns=labels, freeze_columns=freeze,
            title=[f"[2] Pengurangan hektar setara per kriteria dan aspek, {result.year_from}–{result.year_to}, per {_BY_ID[by]}"],
            totals={k: v for k, v in result.totals.items() if k.startswith("pengurangan_ha_")}, totals_label="Jumlah kota",
        ),
        Sheet(
            "Per kriteria", result.kriteria, columns=labels,
            title=[f"[2] Hektar setara per kriteria, aspek dan sektoral ({scope}), {result.year_from}–{result.year_to}"],
        ),
        *_scope_sheet(result, labels),
        Sheet(
            "Per tingkat per tahun", result.per_tahun, columns=labels, freeze_columns=freeze,
            title=[f"[1] Luas per tingkat kekumuhan per tahun, per {_BY_ID[by]}; [2] hektar setara; [3] kontribusi tahun t−1 → t"],
        ),
        Sheet(
            "Target", result.target, columns=labels,
            title=["Capaian pengurangan luas kumuh [1] terhadap target tahunan proyek (target_pengurangan_ha)"],
        ),
    ]  # fmt: skip
    if result.jejak is not None and len(result.jejak):
        sheets.append(
            Sheet(
                "Jejak kolaborasi", result.jejak.head(1_000_000), columns=labels,
                title=["Jejak perubahan volume: kolaborasi di dalam RT (derived) atau survei baru (observed)"],
            )
        )  # fmt: skip
    sheets.append(Sheet("Keterangan", None, notes=explanation_lines(result)))
    return sheets


def _scope_sheet(result: Reduction, labels) -> list:
    """The "Lingkup" sheet: the city totals of every measure for the SK in force, the whole
    city and the kumuh RTs outside every SK (domain.md §5)."""
    table = result.lingkup_tabel
    if table is None or table.empty:
        return []
    scope_labels = {**labels, "uraian": ("Lingkup", "")}
    cols = [c for c in table.columns if c != "lingkup"]
    return [
        Sheet(
            "Lingkup", table[cols], columns=scope_labels,
            title=[f"Semua ukuran per lingkup, {result.year_from}–{result.year_to}: SK yang berlaku (angka resmi), "
                   "seluruh kota, dan RT kumuh di luar semua kawasan SK — lingkup berbeda, jangan dijumlahkan"],
        )
    ]  # fmt: skip


def write_reduction(result: Reduction, path, *, kota: str = ""):
    """Write a reduction by extension: ``.csv`` the ``--by`` view (:attr:`Reduction.view`),
    ``.xlsx`` the office workbook (:func:`reduction_sheets`)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".csv":
        return write_frame(result.view, path)
    if ext == ".xlsx":
        return write_workbook(
            path,
            reduction_sheets(result, kota=kota),
            properties={"title": f"Pengurangan kumuh {result.year_from}-{result.year_to}"},
        )
    raise UsageError(
        f"Format keluaran '{ext or path.name}' tidak didukung; pakai .csv atau .xlsx (grafik: --charts DIR) / "
        f"unsupported output '{ext or path.name}'; use .csv or .xlsx (charts: --charts DIR)"
    )
