"""The city summary and the audit of a published table on a terminal (rich tables), Bahasa
Indonesia first."""

from __future__ import annotations

import pandas as pd

from kumuhgis.analysis.summary import LEVEL_NAMES, LEVEL_ORDER, CitySummary

__all__ = ["render_audit", "render_summary"]


def render_summary(summary: CitySummary, console, *, lang: str = "id") -> None:
    """Print the summary as rich tables (Bahasa Indonesia by default)."""
    from rich.table import Table

    from kumuhgis.core.numeric import format_number_id, format_rupiah

    id_ = lang == "id"

    def num(x, d=2):
        return format_number_id(x, decimals=d) if id_ else f"{x:,.{d}f}"

    c = summary.counts
    title = f"Ringkasan kota — {summary.kota}" if id_ else f"City summary — {summary.kota}"
    t = Table(title=title, show_header=False)
    t.add_column("")
    t.add_column("", justify="right")
    labels = {
        "kecamatan": ("Kecamatan", "Kecamatan (districts)"),
        "kelurahan": ("Kelurahan/desa", "Kelurahan/desa"),
        "rt": ("RT", "RT units"),
        "kawasan": ("Kawasan kumuh (delineasi)", "Delineated slum areas"),
        "sk_versi": ("Versi SK Kumuh", "SK Kumuh versions"),
        "infrastruktur": ("Infrastruktur", "Infrastructure features"),
        "kolaborasi": ("Kegiatan kolaborasi", "Collaboration projects"),
    }
    for key, (li, le) in labels.items():
        t.add_row(li if id_ else le, str(c[key]))
    t.add_row(
        "Luas delineasi (ha, elipsoid)" if id_ else "Delineated area (ha, ellipsoidal)",
        num(summary.luas_delineasi_ha),
    )
    console.print(t)

    if len(summary.sk_versions):
        t = Table(title="Versi SK Kumuh" if id_ else "SK Kumuh versions")
        for col in (
            "No. SK",
            "Tanggal" if id_ else "Date",
            "Lokasi" if id_ else "Locations",
            "Luas SK (ha)",
        ):
            t.add_column(col)
        for _, r in summary.sk_versions.iterrows():
            t.add_row(str(r["no_sk"]), str(r["tanggal_sk"]), str(r["lokasi"]), num(r["luas_sk_ha"]))
        console.print(t)

    if len(summary.levels):
        years = sorted(summary.levels["tahun"].unique())
        title = (
            "Luas kumuh per tingkat (RT utuh, §5)" if id_ else "Slum area by level (whole RTs, §5)"
        )
        t = Table(title=title)
        t.add_column("Tingkat" if id_ else "Level")
        for y in years:
            t.add_column(f"RT {y}", justify="right")
            t.add_column(f"ha {y}", justify="right")
        for lvl in LEVEL_ORDER:
            row = [f"{lvl} {LEVEL_NAMES[lvl][0 if id_ else 1]}"]
            for y in years:
                r = summary.levels[
                    (summary.levels["tahun"] == y) & (summary.levels["tingkat"] == lvl)
                ].iloc[0]
                row += [str(r["jumlah_rt"]), num(r["luas_ha"])]
            t.add_row(*row)
        kumuh = summary.levels[summary.levels["tingkat"] != "TK"].groupby("tahun")["luas_ha"].sum()
        row = ["Luas kumuh (KB+KS+KR)" if id_ else "Slum area (KB+KS+KR)"]
        for y in years:
            row += ["", num(kumuh.get(y, 0.0))]
        t.add_row(*row, style="bold")
        console.print(t)
        if len(years) == 2:
            red = kumuh.get(years[0], 0.0) - kumuh.get(years[1], 0.0)
            console.print(
                f"Pengurangan luas kumuh {years[0]}→{years[1]}: {num(red)} ha"
                if id_
                else f"Slum area reduced {years[0]}→{years[1]}: {num(red)} ha"
            )

    if len(summary.kolaborasi_by_year):
        t = Table(title="Kolaborasi per tahun" if id_ else "Collaboration by year")
        for col in ("Tahun" if id_ else "Year", "Kegiatan" if id_ else "Projects", "Nilai"):
            t.add_column(col, justify="right")
        for _, r in summary.kolaborasi_by_year.iterrows():
            t.add_row(str(r["tahun"]), str(r["kegiatan"]), format_rupiah(r["nilai_rp"]))
        console.print(t)
        t = Table(title="Kolaborasi per sumber dana" if id_ else "Collaboration by funding source")
        for col in (
            "Sumber dana" if id_ else "Funding source",
            "Kegiatan" if id_ else "Projects",
            "Nilai",
        ):
            t.add_column(col)
        for _, r in summary.kolaborasi_by_source.iterrows():
            t.add_row(str(r["sumber_dana"]), str(r["kegiatan"]), format_rupiah(r["nilai_rp"]))
        console.print(t)


def render_audit(result, console, *, conventions=None, lang: str = "id", shown: int = 20) -> None:
    """Print an audit of a published table (:class:`kumuhgis.analysis.audit.AuditResult`):
    findings per code, the share of records with no finding, the percentage convention
    assumed per column and the first ``shown`` findings."""
    from rich.table import Table

    id_ = lang == "id"
    t = Table(
        title=f"Audit — {result.records} baris, aturan {result.rules.name}"
        if id_
        else f"Audit — {result.records} records, rule set {result.rules.name}"
    )
    for col in (("Temuan", "Finding"), ("Jumlah", "Count"), ("Baris", "Records"),
                ("Diperiksa", "Checked"), ("Catatan", "Note")):  # fmt: skip
        t.add_column(
            col[0] if id_ else col[1], justify="left" if col[0] in ("Catatan",) else "right"
        )
    t.columns[0].justify = "left"
    for _, s in result.summary.iterrows():
        note = s["catatan"] if id_ else s["note"]
        t.add_row(s["temuan"], str(s["jumlah_temuan"]), str(s["jumlah_baris"]),
                  str(s["baris_diperiksa"]), note)  # fmt: skip
    console.print(t)
    console.print(
        f"Baris tanpa temuan: [bold]{result.clean_records} dari {result.records} ({result.clean_share:.1%})[/]"
        if id_
        else f"Records with no finding: [bold]{result.clean_records} of {result.records} ({result.clean_share:.1%})[/]"
    )
    if conventions is not None and len(conventions):
        for conv, group in conventions.groupby("konvensi", sort=True):
            head = f"Konvensi {conv}: " if id_ else f"Convention {conv}: "
            console.print(head + ", ".join(map(str, group["kolom_terbit"])))
    if result.ignored:
        console.print(
            ("[yellow]Tidak diperiksa (di luar aturan):[/] " if id_ else "[yellow]Not checked (outside the rule set):[/] ")
            + ", ".join(result.ignored)
        )  # fmt: skip
    if len(result.findings):
        t = Table(title=(f"{shown} temuan pertama" if id_ else f"First {shown} findings"))
        for col in ("baris", "id", "temuan", "kriteria", "nilai_terbit", "nilai_hitung"):
            t.add_column(col)
        for _, f in result.findings.head(shown).iterrows():
            t.add_row(*("" if pd.isna(f[c]) else str(f[c]) for c in ("baris", "id", "temuan", "kriteria", "nilai_terbit", "nilai_hitung")))  # fmt: skip
        console.print(t)
