"""City summary: what a Pokja PKP or Korkot asks first about a project.

Counts of kelurahan, RT and kawasan, SK versions, luas kumuh by level (domain.md §4–§5:
an RT's whole luas counts under its level; kelurahan and city figures are sums of RT
figures, domain.md §2) for the baseline year and the chosen year, and kolaborasi counts and
rupiah by year and funding source (domain.md §9).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .area import hectares
from .store import Store

__all__ = ["CitySummary", "city_summary", "render_summary"]

_LEVEL_ORDER = ("KB", "KS", "KR", "TK")
_LEVEL_NAME = {
    "KB": ("kumuh berat", "heavy slum"),
    "KS": ("kumuh sedang", "medium slum"),
    "KR": ("kumuh ringan", "light slum"),
    "TK": ("tidak kumuh", "not slum"),
}


@dataclass
class CitySummary:
    kota: str
    counts: dict[str, int]
    luas_delineasi_ha: float
    sk_versions: pd.DataFrame  # no_sk, tanggal_sk, lokasi, luas_sk_ha
    years: tuple[int, ...] = ()  # years with RT conditions
    baseline_year: int | None = None
    year: int | None = None
    levels: pd.DataFrame = field(default_factory=pd.DataFrame)  # tingkat x (rt, luas_ha) per year
    kolaborasi_by_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    kolaborasi_by_source: pd.DataFrame = field(default_factory=pd.DataFrame)


def _levels_table(scores: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """RT count and Σ luas_ha per level for each year (domain.md §5 measure 1)."""
    rows = []
    for y in years:
        s = scores[scores["tahun"] == y]
        for lvl in _LEVEL_ORDER:
            part = s[s["tingkat"] == lvl]
            rows.append(
                {
                    "tahun": y,
                    "tingkat": lvl,
                    "jumlah_rt": len(part),
                    "luas_ha": float(part["luas_ha"].sum()),
                }
            )
    return pd.DataFrame(rows, columns=["tahun", "tingkat", "jumlah_rt", "luas_ha"])


def city_summary(store: Store, *, year: int | None = None) -> CitySummary:
    """Summarise a city project for the terminal or a dashboard.

    ``year`` is the condition year to show beside the baseline year (default: the latest
    year with RT conditions, observed or derived from kolaborasi, domain.md §5).
    """
    from .scoring import condition_year, score_store

    meta = store.meta()
    wilayah = store.read("wilayah")
    rt = store.read("rt")
    delineasi = store.read("delineasi")
    sk = store.read("sk_kumuh")
    baseline = store.read("baseline")
    kolab = store.read("kolaborasi")
    infra = store.read("infrastruktur")
    counts = {
        "kecamatan": int(wilayah["kecamatan"].nunique()) if len(wilayah) else 0,
        "kelurahan": len(wilayah),
        "rt": len(rt),
        "kawasan": len(delineasi),
        "sk_versi": int(sk["no_sk"].nunique()) if len(sk) else 0,
        "infrastruktur": len(infra),
        "kolaborasi": len(kolab),
    }
    luas_del = float(hectares(delineasi.geometry).sum()) if len(delineasi) else 0.0
    if len(sk):
        versions = (
            sk.groupby(["no_sk", "tanggal_sk"], sort=False)
            .agg(lokasi=("kode_kawasan", "count"), luas_sk_ha=("luas_sk_ha", "sum"))
            .reset_index()
            .sort_values("tanggal_sk")
        )
    else:
        versions = pd.DataFrame(columns=["no_sk", "tanggal_sk", "lokasi", "luas_sk_ha"])

    summary = CitySummary(
        kota=meta.get("kota", ""),
        counts=counts,
        luas_delineasi_ha=luas_del,
        sk_versions=versions.reset_index(drop=True),
    )
    if len(baseline):
        scored = score_store(store, year=None).scores
        all_years = sorted(int(y) for y in scored["tahun"].unique())
        summary.years = tuple(all_years)
        summary.baseline_year = all_years[0]
        summary.year = condition_year(all_years, year)
        shown = sorted({summary.baseline_year, summary.year})
        summary.levels = _levels_table(scored, shown)
    if len(kolab):
        k = pd.DataFrame(kolab.drop(columns=kolab.geometry.name))
        summary.kolaborasi_by_year = (
            k.groupby("tahun")
            .agg(kegiatan=("kode_kegiatan", "count"), nilai_rp=("nilai_rp", "sum"))
            .reset_index()
        )
        summary.kolaborasi_by_source = (
            k.groupby("sumber_dana")
            .agg(kegiatan=("kode_kegiatan", "count"), nilai_rp=("nilai_rp", "sum"))
            .reset_index()
            .sort_values("nilai_rp", ascending=False)
        )
    return summary


def render_summary(summary: CitySummary, console, *, lang: str = "id") -> None:
    """Print the summary as rich tables (Bahasa Indonesia by default)."""
    from rich.table import Table

    from .numeric import format_number_id, format_rupiah

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
        for lvl in _LEVEL_ORDER:
            row = [f"{lvl} {_LEVEL_NAME[lvl][0 if id_ else 1]}"]
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
