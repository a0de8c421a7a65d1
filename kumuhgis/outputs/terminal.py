"""The city summary on a terminal (rich tables), Bahasa Indonesia first."""

from __future__ import annotations

from kumuhgis.analysis.summary import LEVEL_NAMES, LEVEL_ORDER, CitySummary

__all__ = ["render_summary"]


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
