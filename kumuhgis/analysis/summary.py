"""City summary: what a Pokja PKP or Korkot asks first about a project.

Counts of kelurahan, RT and kawasan, SK versions, luas kumuh by level (domain.md §4–§5:
an RT's whole luas counts under its level; kelurahan and city figures are sums of RT
figures, domain.md §2) for the baseline year and the chosen year, and kolaborasi counts and
rupiah by year and funding source (domain.md §9).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kumuhgis.core.snapshot import CitySnapshot
from kumuhgis.geo.area import hectares

__all__ = ["CitySummary", "city_summary", "LEVEL_NAMES", "LEVEL_ORDER"]

LEVEL_ORDER = ("KB", "KS", "KR", "TK")
LEVEL_NAMES = {
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
        for lvl in LEVEL_ORDER:
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


def city_summary(snapshot: CitySnapshot, *, year: int | None = None) -> CitySummary:
    """Summarise a city project for the terminal or a dashboard.

    ``year`` is the condition year to show beside the baseline year (default: the latest
    year with RT conditions, observed or derived from kolaborasi, domain.md §5).
    """
    from kumuhgis.analysis.city import score_city
    from kumuhgis.analysis.scoring import condition_year

    meta = snapshot.meta
    wilayah, rt, delineasi = snapshot.wilayah, snapshot.rt, snapshot.delineasi
    sk, baseline = snapshot.sk_kumuh, snapshot.baseline
    kolab, infra = snapshot.kolaborasi, snapshot.infrastruktur
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
    sv = snapshot.sk_versions
    versions = pd.DataFrame(
        {
            "no_sk": sv["no_sk"],
            "tanggal_sk": sv["tanggal_sk"].dt.strftime("%Y-%m-%d"),
            "lokasi": sv["jumlah_lokasi"],
            "luas_sk_ha": sv["luas_sk_ha"],
        }
    )

    summary = CitySummary(
        kota=meta.get("kota", ""),
        counts=counts,
        luas_delineasi_ha=luas_del,
        sk_versions=versions.reset_index(drop=True),
    )
    if len(baseline):
        scored = score_city(snapshot).scores
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
