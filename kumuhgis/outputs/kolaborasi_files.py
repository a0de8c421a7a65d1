"""The files of ``kumuhgis kolaborasi`` (domain.md §7): the classification of every work,
the Korkot's flag list, the summaries inside vs outside the delineation and the prevention
report (work outside, domain.md §5).

:func:`write_kolaborasi` writes the file the user named and its companions all together
or not at all (:func:`kumuhgis.outputs.fileset.write_together`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from kumuhgis.analysis.kolaborasi import DEFAULT_TOLERANCE_M, korkot_list, summarize
from kumuhgis.analysis.prevention import prevention
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.outputs.files import write_frame
from kumuhgis.outputs.fileset import Written, check_format, write_together
from kumuhgis.outputs.workbook import Sheet, write_workbook

__all__ = ["FORMATS", "kolaborasi_paths", "kolaborasi_sheets", "write_kolaborasi"]

#: Formats of the file the user names.
FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".geojson", ".gpkg")

_SUMMARY_LABELS = {
    "tahun": ("Tahun", ""),
    "sumber_dana": ("Sumber dana", ""),
    "kelurahan": ("Kelurahan/desa", ""),
    "jumlah_kegiatan": ("Jumlah kegiatan", ""),
    "jumlah_dalam": ("Dalam delineasi", "keg."),
    "jumlah_sebagian": ("Sebagian di dalam", "keg."),
    "jumlah_batas": ("Batas (dalam toleransi)", "keg."),
    "jumlah_luar": ("Luar delineasi", "keg."),
    "nilai_rp": ("Nilai", "Rp"),
    "nilai_rp_dalam": ("Nilai di dalam delineasi", "Rp"),
    "nilai_rp_luar": ("Nilai di luar delineasi", "Rp"),
    "nilai_rp_batas": ("… di antaranya batas", "Rp"),
    "persen_rp_luar": ("Nilai di luar", "%"),
}


def _prevention_labels(rules: RuleSet) -> dict[str, tuple[str, str]]:
    labels = {
        **{k: v for k, v in _SUMMARY_LABELS.items() if k in ("tahun", "sumber_dana", "kelurahan")},
        "jumlah_kegiatan": ("Kegiatan dengan bagian di luar", "keg."),
        "jumlah_sebagian": ("… sebagian di luar", "keg."),
        "jumlah_batas": ("… batas (tinjau Korkot)", "keg."),
        "jumlah_luar": ("… di luar delineasi", "keg."),
        "nilai_rp_pencegahan": ("Nilai pencegahan (di luar)", "Rp"),
    }
    for c in rules.criteria:
        labels[f"volume_{c.code}"] = (f"Volume {c.code} {c.label_id}", c.unit)
    return labels


def _prevention_sheets(classified, rules: RuleSet) -> list[Sheet]:
    labels = _prevention_labels(rules)
    return [
        Sheet(f"Pencegahan {label}", prevention(classified, key, rules=rules), columns=labels,
              totals=[c for c in labels if c.startswith(("jumlah", "nilai", "volume"))],
              title=[f"Kolaborasi di luar delineasi sebagai pencegahan (bukan pengurangan), menurut {label}",
                     "Prevention: work outside the delineation (luar, batas, the outside part of sebagian)"])
        for key, label in (("tahun", "tahun"), ("sumber_dana", "sumber dana"), ("kelurahan", "kelurahan"))
    ]  # fmt: skip


def _notes(tolerance_m: float) -> list[str]:
    return [
        "Status lokasi (domain.md §7): dalam = seluruhnya di dalam delineasi (titik di batas, ≤ 1 cm, dihitung di dalam); "
        "sebagian = garis/poligon sebagian di dalam (porsi_dalam menurut panjang/luas); "
        f"batas = di luar tetapi ≤ {tolerance_m:g} m dari kawasan; luar = di luar (jarak_m ke kawasan terdekat).",
        "Delineasi yang dipakai: SK Kumuh yang berlaku pada tahun kegiatan (kolom no_sk); tanpa SK, semua poligon delineasi.",
        "status_akhir = status_manual Korkot bila ada (dengan alasan, oleh, waktu), selain itu status_lokasi.",
        "Nilai di dalam = nilai_rp × porsi efektif (dalam 1, sebagian porsi_dalam, batas/luar 0); nilai di luar = sisanya.",
        "flag_bukan_kebutuhan: semua kriteria kegiatan bervolume 0 di RT-nya pada tahun sebelum kegiatan (tahun_kondisi).",
        "Pengurangan (domain.md §5): volume per kriteria × porsi di dalam delineasi yang berlaku, dibagi antar-RT menurut panjang/luas "
        "di tiap RT; titik ke RT tempatnya. Pencegahan: bagian di luar (luar, batas, bagian luar dari sebagian) — rupiah, volume per "
        "kriteria dan jumlah kegiatan menurut tahun, sumber dana dan kelurahan (lembar 'Pencegahan'); batas tetap di luar sampai "
        "diubah Korkot dan tercantum di Daftar Korkot untuk ditinjau.",
        "Status: in / partly in / border (within tolerance) / outside the slum delineation of the SK in force in the work's year.",
    ]


def kolaborasi_paths(path) -> list[Path]:
    """The files :func:`write_kolaborasi` writes for ``path``, the named one first:
    ``path``, then (unless ``path`` is ``.xlsx``) ``<stem>_ringkasan.xlsx``, then
    ``<stem>_korkot.xlsx`` and ``<stem>_korkot.geojson``."""
    path = Path(path)
    stem = path.with_suffix("")
    extra = [] if path.suffix.lower() == ".xlsx" else [Path(f"{stem}_ringkasan.xlsx")]
    return [path, *extra, Path(f"{stem}_korkot.xlsx"), Path(f"{stem}_korkot.geojson")]


def kolaborasi_sheets(
    classified: gpd.GeoDataFrame,
    korkot: gpd.GeoDataFrame,
    *,
    tolerance_m: float,
    rules: RuleSet | str | None = None,
) -> dict[str, list[Sheet]]:
    """The sheets of the three workbooks: ``"kolaborasi"`` (every work, the Korkot list,
    the summaries, the prevention report, notes), ``"ringkasan"`` (summaries, prevention,
    notes) and ``"korkot"`` (the Korkot list, notes)."""
    prevention_sheets = _prevention_sheets(classified, load_rules(rules))
    summary_sheets = [
        Sheet(f"Ringkasan {label}", summarize(classified, key), columns=_SUMMARY_LABELS, totals=[c for c in _SUMMARY_LABELS if c.startswith(("jumlah", "nilai"))],
              title=[f"Kolaborasi di dalam dan di luar delineasi, menurut {label}", f"Toleransi batas {tolerance_m:g} m"])
        for key, label in (("tahun", "tahun"), ("sumber_dana", "sumber dana"), ("kelurahan", "kelurahan"))
    ]  # fmt: skip
    plain = pd.DataFrame(classified.drop(columns=[classified.geometry.name]))
    korkot_plain = pd.DataFrame(korkot.drop(columns=[korkot.geometry.name]))
    korkot_sheet = Sheet(
        "Daftar Korkot", korkot_plain, title=["Daftar tandai Korkot, urut nilai di luar delineasi", "Korkot flag list, by rupiah outside the delineation"],
        totals=["nilai_rp", "nilai_rp_luar"],
    )  # fmt: skip
    notes = Sheet("Keterangan", None, notes=_notes(tolerance_m))
    works = Sheet("Kolaborasi", plain, title=["Klasifikasi kolaborasi terhadap delineasi"])
    return {
        "kolaborasi": [works, korkot_sheet, *summary_sheets, *prevention_sheets, notes],
        "ringkasan": [*summary_sheets, *prevention_sheets, notes],
        "korkot": [korkot_sheet, notes],
    }


def _frame_writer(frame: pd.DataFrame, target: Path) -> Callable[[Path], object]:
    """Write ``frame`` like :func:`write_frame` to ``target``: a GeoPackage keeps the
    other layers of an existing file."""

    def write(tmp: Path) -> None:
        if target.suffix.lower() == ".gpkg" and target.is_file():
            shutil.copy2(target, tmp)
        write_frame(frame, tmp)

    return write


def write_kolaborasi(
    classified: gpd.GeoDataFrame,
    path,
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    rules: RuleSet | str | None = None,
) -> Written:
    """Write the classification and its companions, all or none (domain.md §7).

    ``path`` by extension: ``.csv`` (one row per work, geometry as WKT), ``.geojson``,
    ``.gpkg`` or ``.xlsx`` (sheets: every work, the Korkot list, summaries by year, funding
    source and kelurahan, the prevention report by the same keys with volumes per
    criterion of ``rules``, notes). Always also ``<stem>_korkot.xlsx`` and
    ``<stem>_korkot.geojson`` (the Korkot's flag list sorted by rupiah outside) and, unless
    ``path`` is ``.xlsx``, ``<stem>_ringkasan.xlsx`` (the summaries): see
    :func:`kolaborasi_paths`. Existing files are replaced and listed in
    :attr:`Written.replaced`.

    Raises
    ------
    UsageError
        An unsupported extension, or a target that is a folder; no file is changed.
    """
    path = Path(path)
    ext = check_format(path, FORMATS)
    korkot = korkot_list(classified)
    sheets = kolaborasi_sheets(classified, korkot, tolerance_m=tolerance_m, rules=rules)
    targets = kolaborasi_paths(path)
    writers: dict[Path, Callable[[Path], object]] = {}
    if ext == ".xlsx":
        writers[path] = lambda p: write_workbook(p, sheets["kolaborasi"])
    else:
        writers[path] = _frame_writer(classified, path)
        writers[targets[1]] = lambda p: write_workbook(p, sheets["ringkasan"])
    writers[targets[-2]] = lambda p: write_workbook(p, sheets["korkot"])
    writers[targets[-1]] = lambda p: write_frame(korkot, p)
    return write_together(writers)
