"""The files of ``kumuhgis verify-sk`` (domain.md §6): the findings as CSV, an office
workbook, a self-contained HTML report and the flagged features as GeoJSON.

:func:`write_verification` writes the file the user named and, for every format but
``.geojson``, ``<stem>.geojson`` beside it, all together or not at all
(:func:`kumuhgis.outputs.fileset.write_together`).
"""

from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path

import numpy as np
import pandas as pd

from kumuhgis.analysis.verification import FLAG_LABELS, FLAGS, Verification, finding_number
from kumuhgis.outputs.files import write_frame
from kumuhgis.outputs.fileset import Written, check_format, write_together
from kumuhgis.outputs.workbook import Sheet, write_workbook

__all__ = [
    "FORMATS",
    "render_html",
    "verification_paths",
    "verification_sheets",
    "write_verification",
]

#: Formats of the file the user names.
FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".html", ".geojson")
_REK_LABEL = {
    "pertahankan": ("Pertahankan SK", "Keep the SK"),
    "revisi SK": ("Revisi SK", "Revise the SK"),
    "terbitkan SK baru": ("Terbitkan SK baru", "Issue a new SK"),
}
_FINDING_LABELS = {
    "no_sk": "No. SK", "kode_kawasan": "Kode kawasan", "kode_rt": "Kode RT", "flag": "Temuan",
    "luas_sk_ha": ("Luas SK", "ha"), "luas_delineasi_ha": ("Luas delineasi", "ha"), "luas_rt_ha": ("Luas RT", "ha"),
    "detail": "Keterangan", "detail_en": "Detail (English)", "saran": "Saran", "no_sk_pembanding": "Dibandingkan dengan SK",
    "tahun_tingkat": "Tahun tingkat RT",
}  # fmt: skip


def verification_paths(path) -> list[Path]:
    """The files :func:`write_verification` writes for ``path``: ``path`` and, unless it is
    ``.geojson``, ``<stem>.geojson`` (the flagged features)."""
    path = Path(path)
    return [path] if path.suffix.lower() == ".geojson" else [path, path.with_suffix(".geojson")]


def write_verification(result: Verification, path, *, title: str = "") -> Written:
    """Write a verification, all files or none.

    ``path`` by extension: ``.csv`` — one row per finding (:data:`FINDING_COLUMNS`, then
    ``detail_en, saran, no_sk_pembanding, tahun_tingkat``); ``.xlsx`` — a summary sheet
    with the recommendation, the locations, all findings and one sheet per flag; ``.html``
    — a self-contained report; ``.geojson`` — the flagged features. Every format other
    than ``.geojson`` also writes ``<stem>.geojson`` (the flagged features) beside it
    (:func:`verification_paths`); an existing one is replaced and listed in
    :attr:`Written.replaced`.

    Raises
    ------
    UsageError
        An unsupported extension, or a target that is a folder; no file is changed.
    """
    path = Path(path)
    ext = check_format(path, FORMATS)
    writers = {}
    if ext == ".csv":
        writers[path] = lambda p: write_frame(result.findings, p)
    elif ext == ".xlsx":
        writers[path] = lambda p: write_workbook(
            p,
            verification_sheets(result, title=title),
            properties={"title": title or "Verifikasi SK Kumuh", "subject": "domain.md §6"},
        )
    elif ext == ".html":
        writers[path] = lambda p: p.write_text(render_html(result, title=title), encoding="utf-8")
    writers[verification_paths(path)[-1]] = lambda p: write_frame(result.geometries, p)
    return write_together(writers)


def verification_sheets(result: Verification, *, title: str = "") -> list[Sheet]:
    """The sheets of the verification workbook: summary with the recommendation, the
    locations, all findings and one sheet per flag."""
    head = [
        title or "Verifikasi SK Kumuh",
        f"Dibuat / made {_dt.date.today().isoformat()} — domain.md §6",
    ]
    summary_cols = {
        "no_sk": "No. SK", "tanggal_sk": "Tanggal SK", "tahun_tingkat": "Tahun tingkat RT",
        "dibandingkan_dengan": "Dibandingkan dengan", "jumlah_lokasi": "Jumlah lokasi",
        "luas_sk_ha": ("Luas SK", "ha"), "luas_delineasi_ha": ("Luas delineasi", "ha"),
        "luas_rt_kumuh_di_luar_ha": ("RT kumuh di luar SK", "ha"),
        "luas_terverifikasi_ha": ("Luas terverifikasi", "ha"), "jumlah_temuan": "Jumlah temuan",
        **{f"n_{f}": FLAG_LABELS[f][0] for f in FLAGS}, "rekomendasi": "Rekomendasi", "alasan": "Alasan",
        "alasan_en": "Reason",
    }  # fmt: skip
    loc_cols = {
        "no_sk": "No. SK", "kode_kawasan": "Kode kawasan", "nama_lokasi": "Nama lokasi", "kelurahan": "Kelurahan (SK)",
        "kelurahan_saran": "Kelurahan (batas wilayah)", "luas_sk_ha": ("Luas SK", "ha"),
        "luas_delineasi_ha": ("Luas delineasi", "ha"), "luas_tercatat_ha": ("Luas tercatat (berkas delineasi)", "ha"),
        "luas_rt_ha": ("Σ luas RT", "ha"), "jumlah_rt": "Jumlah RT",
        "jumlah_rt_tidak_kumuh": "RT tidak kumuh", "luas_terverifikasi_ha": ("Luas terverifikasi", "ha"),
        "temuan": "Temuan", "rekomendasi": "Rekomendasi", "tahun_tingkat": "Tahun tingkat RT",
    }  # fmt: skip
    notes = [
        *result.notes,
        "Rekomendasi lokasi: hapus = semua RT tidak kumuh; revisi = ada temuan; pertahankan = tanpa temuan.",
        "Rekomendasi SK: terbitkan SK baru bila daftar lokasi berubah (RT kumuh di luar SK, lokasi tidak kumuh lagi); "
        "revisi SK bila angka, nama, rincian RT atau batas perlu diperbaiki.",
        "Luas terverifikasi = Σ luas RT kumuh di lokasi yang dipertahankan + RT kumuh di luar SK.",
    ]
    sheets = [
        Sheet("Ringkasan", result.summary, columns=summary_cols, title=head, notes=notes),
        Sheet("Rekomendasi", result.locations, columns=loc_cols, totals=["luas_sk_ha", "luas_delineasi_ha", "luas_rt_ha", "luas_terverifikasi_ha"],
              title=["Rekomendasi per lokasi", "Recommendation per location"]),
        Sheet("Temuan", result.findings, columns=_FINDING_LABELS, title=["Semua temuan", "All findings"]),
    ]  # fmt: skip
    for flag in FLAGS:
        sub = result.findings[result.findings["flag"] == flag]
        label, label_en = FLAG_LABELS[flag]
        sheets.append(Sheet(flag, sub, columns=_FINDING_LABELS, title=[f"{label} ({flag})", label_en],
                            notes=[] if len(sub) else ["Tidak ada temuan / no findings."]))  # fmt: skip
    return sheets


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #ccc}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top}th{background:#ddebf7;text-align:left}
td.n{text-align:right;white-space:nowrap}.rek{padding:.6em 1em;border-radius:4px;display:inline-block;font-weight:bold}
.pertahankan{background:#e2f0d9}.revisi{background:#fff2cc}.baru{background:#f8cbad}.en{color:#666;font-size:.9em}
"""


def _cell(v, numeric=False) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        text = "-"
    elif numeric and isinstance(v, int | float | np.integer | np.floating):
        text = finding_number(v)
    else:
        text = str(v)
    return f'<td class="n">{html.escape(text)}</td>' if numeric else f"<td>{html.escape(text)}</td>"


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = []
    for _, r in frame.iterrows():
        cells = "".join(_cell(r[c], numeric=c.endswith("_ha")) for c in columns)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(result: Verification, *, title: str = "") -> str:
    """The verification as one self-contained HTML page (every text escaped)."""
    t = html.escape(title or "Verifikasi SK Kumuh")
    parts = [
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">',
        f"<title>{t}</title><style>{_CSS}</style></head><body>",
        f"<h1>{t}</h1>",
        f'<p class="en">SK Kumuh verification against the delineation and the baseline (domain.md §6). '
        f"Dibuat / made {html.escape(_dt.date.today().isoformat())}.</p>",
        "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes) + "</ul>",
    ]
    for _, s in result.summary.iterrows():
        v = str(s["no_sk"])
        cls = {"pertahankan": "pertahankan", "revisi SK": "revisi", "terbitkan SK baru": "baru"}[
            s["rekomendasi"]
        ]
        lab, lab_en = _REK_LABEL[s["rekomendasi"]]
        parts.append(f"<h2>SK {html.escape(v)} ({html.escape(str(s['tanggal_sk']))})</h2>")
        parts.append(
            f'<p><span class="rek {cls}">{html.escape(lab)} / {html.escape(lab_en)}</span> — '
            f'{html.escape(str(s["alasan"]))} <span class="en">({html.escape(str(s["alasan_en"]))})</span></p>'
        )
        parts.append(
            "<p>"
            f"Lokasi: {int(s['jumlah_lokasi'])}; luas SK {html.escape(finding_number(s['luas_sk_ha']))} ha; "
            f"luas delineasi {html.escape(finding_number(s['luas_delineasi_ha']))} ha; "
            f"<b>luas terverifikasi {html.escape(finding_number(s['luas_terverifikasi_ha']))} ha</b> "
            f"(termasuk RT kumuh di luar SK {html.escape(finding_number(s['luas_rt_kumuh_di_luar_ha']))} ha); "
            f"tingkat RT tahun {html.escape(str(s['tahun_tingkat']))}"
            + (
                f"; dibandingkan dengan SK {html.escape(str(s['dibandingkan_dengan']))}"
                if s["dibandingkan_dengan"]
                else ""
            )
            + ".</p>"
        )
        locs = (
            result.locations[result.locations["no_sk"] == v]
            if len(result.locations)
            else result.locations
        )
        if len(locs):
            parts.append("<h3>Rekomendasi per lokasi / per location</h3>")
            recorded = (
                {"luas_tercatat_ha": "Luas tercatat (ha)"}
                if "luas_tercatat_ha" in locs.columns
                else {}
            )
            parts.append(_table(locs, {
                "kode_kawasan": "Kode", "nama_lokasi": "Nama lokasi", "kelurahan": "Kelurahan (SK)",
                "luas_sk_ha": "Luas SK (ha)", "luas_delineasi_ha": "Luas delineasi (ha)", **recorded,
                "luas_rt_ha": "Σ luas RT (ha)", "luas_terverifikasi_ha": "Luas terverifikasi (ha)",
                "temuan": "Temuan", "rekomendasi": "Rekomendasi",
            }))  # fmt: skip
        fv = result.findings[result.findings["no_sk"] == v]
        for flag in FLAGS:
            sub = fv[fv["flag"] == flag]
            if not len(sub):
                continue
            lab, lab_en = FLAG_LABELS[flag]
            parts.append(
                f'<h3>{html.escape(lab)} <span class="en">/ {html.escape(lab_en)} — {html.escape(flag)}</span> ({len(sub)})</h3>'
            )
            parts.append(_table(sub, {
                "kode_kawasan": "Kode kawasan", "kode_rt": "Kode RT", "luas_sk_ha": "Luas SK (ha)",
                "luas_delineasi_ha": "Luas delineasi (ha)", "luas_rt_ha": "Luas RT (ha)", "detail": "Keterangan", "saran": "Saran",
            }))  # fmt: skip
    parts.append("</body></html>")
    return "\n".join(parts)
