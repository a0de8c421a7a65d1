"""The audit report of a published table (``kumuhgis audit-baseline``).

``.csv``: exactly the finding rows (:data:`kumuhgis.analysis.audit.FINDING_COLUMNS`).
``.xlsx``: the findings and a summary sheet (records read, findings per code, the share
of records with no finding, the percentage convention assumed per column). Both appear
only when complete.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from kumuhgis.analysis.audit import AuditResult
from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.files import write_frame
from kumuhgis.outputs.workbook import Sheet, write_workbook

__all__ = ["AUDIT_FORMATS", "audit_notes", "audit_sheets", "write_audit"]

#: Extensions :func:`write_audit` writes.
AUDIT_FORMATS: tuple[str, ...] = (".csv", ".xlsx")

_FINDING_LABELS = {
    "baris": ("Baris", ""),
    "id": ("Id / RT", ""),
    "tahun": ("Tahun", ""),
    "temuan": ("Temuan", ""),
    "kriteria": ("Kriteria", ""),
    "nilai_terbit": ("Nilai terbit", ""),
    "nilai_hitung": ("Nilai hitung", ""),
    "keterangan": ("Keterangan / explanation", ""),
}
_SUMMARY_LABELS = {
    "temuan": ("Temuan", ""),
    "uraian": ("Uraian", ""),
    "description": ("Description", ""),
    "jumlah_temuan": ("Jumlah temuan", ""),
    "jumlah_baris": ("Baris dengan temuan", "baris"),
    "baris_diperiksa": ("Baris diperiksa", "baris"),
    "catatan": ("Catatan", ""),
    "note": ("Note", ""),
}


def audit_notes(result: AuditResult, conventions: pd.DataFrame | None = None) -> list[str]:
    """Lines under the summary: records, share without findings, conventions, columns left out."""
    lines = [
        f"Baris dibaca / records read: {result.records}",
        f"Baris tanpa temuan / records with no finding: {result.clean_records} "
        f"({result.clean_share:.1%})",
    ]
    if conventions is not None and len(conventions):
        lines.append("Konvensi persentase per kolom / percentage convention per column:")
        for _, c in conventions.iterrows():
            shown = (
                c["kolom"]
                if c["kolom"] == c["kolom_terbit"]
                else f"{c['kolom_terbit']} ({c['kolom']})"
            )
            lines.append(f"  {shown}: {c['konvensi']} — {c['dasar']} / {c['basis']}")
    if result.ignored:
        cols = ", ".join(result.ignored)
        lines.append(
            f"Kolom kriteria di luar aturan {result.rules.name}, tidak diperiksa / "
            f"criterion columns outside {result.rules.name}, not checked: {cols}"
        )
    return lines


def audit_sheets(
    result: AuditResult, *, conventions: pd.DataFrame | None = None, source: str = ""
) -> list[Sheet]:
    """The two sheets of the XLSX report: ``Temuan`` and ``Ringkasan``."""
    head = ["Audit tabel kekumuhan terbit / audit of a published slum table"]
    if source:
        head.append(f"Sumber / source: {source}")
    return [
        Sheet("Temuan", result.findings, columns=_FINDING_LABELS, title=head, freeze_columns=2),
        Sheet(
            "Ringkasan",
            result.summary,
            columns=_SUMMARY_LABELS,
            title=[*head, f"Aturan / rule set: {result.rules.title_id}"],
            notes=audit_notes(result, conventions),
        ),
    ]


def write_audit(
    result: AuditResult,
    path: str | os.PathLike,
    *,
    conventions: pd.DataFrame | None = None,
    source: str = "",
) -> Path:
    """Write the audit report chosen by extension (module docstring).

    Raises
    ------
    UsageError
        An extension other than ``.csv`` or ``.xlsx``.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".csv":
        return write_frame(result.findings, path)
    if ext == ".xlsx":
        return write_workbook(
            path,
            audit_sheets(result, conventions=conventions, source=source),
            properties={"title": "Audit tabel kekumuhan terbit"},
        )
    raise UsageError(
        f"Format keluaran '{ext or path.name}' tidak didukung; pakai .csv atau .xlsx / "
        f"unsupported output '{ext or path.name}'; use .csv or .xlsx"
    )
