"""The files of ``kumuhgis score`` (contracts.md "Score output", domain.md §4): a CSV
table, an office workbook (scores per RT, level summary per year, the kolaborasi trace,
the rule set) or the scores joined to the RT polygons.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from kumuhgis.analysis.scoring import level_summary, score_labels
from kumuhgis.core.errors import UsageError
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.outputs.files import write_frame
from kumuhgis.outputs.reduction_files import column_labels
from kumuhgis.outputs.workbook import Sheet, write_workbook

__all__ = ["score_sheets", "write_scores"]


def score_sheets(
    scores: pd.DataFrame,
    *,
    rules: RuleSet | str | None = None,
    trace: pd.DataFrame | None = None,
    title: str = "",
):
    """The sheets of a score workbook: scores per RT, level summary per year, trace, rules."""
    rules = load_rules(rules)
    labels = score_labels(rules)
    summary = level_summary(scores, rules=rules)
    sum_labels = {
        "tahun": ("Tahun", ""),
        "luas_kumuh_ha": ("Luas kumuh (bukan TK)", "ha"),
        "luas_ha": ("Luas seluruh RT", "ha"),
    }
    for lv in rules.levels:
        sum_labels[f"jumlah_rt_{lv.code.lower()}"] = (f"Jumlah RT {lv.label_id} ({lv.code})", "RT")
        sum_labels[f"luas_{lv.code.lower()}_ha"] = (f"Luas {lv.label_id} ({lv.code})", "ha")
    head = [title or "Penilaian kekumuhan per RT", f"Aturan: {rules.title_id}"]
    sheets = [
        Sheet(
            "Nilai per RT",
            scores,
            columns=labels,
            title=head,
            freeze_columns=2 if "tahun" in scores.columns else 1,
        ),
        Sheet(
            "Rekap per tahun",
            summary,
            columns=sum_labels,
            title=[*head, "Jumlah RT dan luas per tingkat kekumuhan"],
        ),
    ]
    if trace is not None and len(trace):
        changed = (trace["kode_kegiatan"].astype(str) != "") | (
            trace["volume_before"].notna() & (trace["volume_before"] != trace["volume_after"])
        )
        sheets.append(
            Sheet("Jejak kolaborasi", trace[changed].head(1_000_000), columns=column_labels(rules), title=[
                "Jejak perubahan volume per RT, tahun dan kriteria",
                "derived: volume tahun lalu dikurangi kolaborasi di dalam RT (tidak di bawah 0); observed: hasil survei baru",
            ])
        )  # fmt: skip
    desc = rules.describe()
    sheets.append(
        Sheet("Aturan", desc, columns={
            "kode": ("Kode", ""), "aspek": ("Aspek", ""), "kriteria": ("Kriteria", ""), "satuan": ("Satuan volume", ""),
            "kolom_volume": ("Kolom volume", ""), "penyebut": ("Kolom penyebut", ""),
        }, title=[f"Aturan: {rules.title_id}"], notes=_rules_notes(rules))
    )  # fmt: skip
    return sheets


def _rules_notes(rules: RuleSet) -> list[str]:
    lines = [
        "Persen = 100 × volume ÷ penyebut, maksimal 100; penyebut 0 → 0; dibulatkan setengah ke atas dua desimal."
    ]
    lines.append(
        "Nilai: " + "; ".join(f"persen ≥ {b.min_pct} → {b.score}" for b in rules.score_bands)
    )
    lines.append(
        "Rata-rata aspek = rata-rata persen kriteria yang sudah dibulatkan; rata-rata sektoral = rata-rata ketujuh aspek."
    )
    lines.append(
        "Tingkat: "
        + "; ".join(
            f"{lv.code} ({lv.label_id}) {'–'.join(map(str, rules.level_range(lv.code)))}"
            for lv in rules.levels
        )
    )
    if rules.overrides:
        lines.append(f"Pengaturan proyek yang mengubah aturan: {rules.overrides}")
    return lines


def write_scores(
    scores: pd.DataFrame,
    path,
    *,
    rules: RuleSet | str | None = None,
    trace: pd.DataFrame | None = None,
    rt: pd.DataFrame | None = None,
    title: str = "",
):
    """Write the score output by extension (contracts.md "Score output").

    ``.csv``: the score table only; ``.xlsx``: office workbook (:func:`score_sheets`);
    ``.geojson``/``.gpkg``: the table joined to the RT polygons (``rt`` needed).
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".csv":
        # percentages and averages always with their two decimals (26.00, not 26.0)
        two = [c for c in scores.columns if c.startswith(("p_", "rata_"))]
        shown = scores.assign(
            **{c: scores[c].map(lambda v: "" if pd.isna(v) else f"{v:.2f}") for c in two}
        )
        return write_frame(shown, path)
    if ext == ".xlsx":
        return write_workbook(
            path,
            score_sheets(scores, rules=rules, trace=trace, title=title),
            properties={"title": title or "Penilaian kekumuhan"},
        )
    if ext in (".geojson", ".gpkg"):
        if rt is None or len(rt) == 0:
            raise UsageError(
                f"Keluaran {ext} perlu poligon RT (masukan berupa proyek) / {ext} output needs RT polygons (a project input)"
            )
        geo = (
            rt[["kode_rt", rt.geometry.name]]
            .assign(kode_rt=rt["kode_rt"].astype(str))
            .drop_duplicates("kode_rt")
        )
        joined = scores.assign(kode_rt=scores["kode_rt"].astype(str)).merge(
            geo, on="kode_rt", how="left"
        )
        joined = gpd.GeoDataFrame(joined, geometry=rt.geometry.name, crs=rt.crs)
        return write_frame(joined, path, layer="nilai_kumuh")
    raise UsageError(
        f"Format keluaran '{ext or path.name}' tidak didukung; pakai .csv, .xlsx, .geojson atau .gpkg / "
        f"unsupported output '{ext or path.name}'; use .csv, .xlsx, .geojson or .gpkg"
    )
