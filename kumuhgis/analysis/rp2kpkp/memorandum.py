"""The memorandum program of the RP2KPKP annex (domain.md §8): the draft the annex
proposes, the program the Pokja imported, and the per-year view RP2KPKP documents print.

The draft places each kawasan's needs in one year of the five: kawasan in ranking order,
spread evenly over the years (the first fifth of the ranking in year 1, ...), funding
source proposed per aspect. The Pokja edits it in Excel and imports it back
(:func:`kumuhgis.ingest.memorandum.import_memorandum`); the project's table then replaces
the draft in every output.
"""

from __future__ import annotations

import pandas as pd

from kumuhgis.analysis.rp2kpkp.rules import PlanRules
from kumuhgis.core.memorandum import MEMORANDUM_COLUMNS, coerce_memorandum
from kumuhgis.core.numeric import is_missing
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.snapshot import CitySnapshot

__all__ = ["draft_memorandum", "stored_memorandum", "memorandum_pivot"]


def _note(prioritas, pola) -> str:
    note = f"Prioritas {int(prioritas)}" if not is_missing(prioritas) else "Tanpa prioritas"
    return note + (f"; pola {pola}" if not is_missing(pola) else "; pola belum dapat ditentukan")


def draft_memorandum(
    ranking: pd.DataFrame,
    kebutuhan: pd.DataFrame,
    *,
    plan: PlanRules,
    rules: RuleSet | str | None = None,
    start_year: int,
) -> pd.DataFrame:
    """A draft 5-year memorandum program (domain.md §8) for the Pokja to edit.

    One row per kawasan × criterion with a remaining need: the volume, unit cost and cost
    of :func:`kumuhgis.analysis.rp2kpkp.needs.needs`, the year and a proposed funding
    source. Kawasan are taken in the order of ``ranking``
    (:func:`kumuhgis.analysis.rp2kpkp.priority.priority_ranking`: ranked kawasan first)
    and spread evenly over the ``n`` years from ``start_year``: the ``i``-th of ``m``
    kawasan with needs (0-based) goes to ``start_year + ⌊i × n / m⌋``. The funding source
    is the aspect's ``memorandum.sumber_dana_awal``; ``keterangan`` records the kawasan's
    priority and pattern.
    """
    rules = load_rules(rules)
    aspect_key = {a.label_id: a.key for a in rules.aspects}
    n_years = int(plan.memorandum["jumlah_tahun"])
    with_needs = [
        k for k in ranking["kode_kawasan"].astype(str) if (kebutuhan["kode_kawasan"] == k).any()
    ]
    m = len(with_needs)
    year_of = {k: int(start_year) + (i * n_years) // m for i, k in enumerate(with_needs)}
    info = ranking.set_index(ranking["kode_kawasan"].astype(str))
    rows = []
    for k in with_needs:
        note = _note(info.at[k, "prioritas"], info.at[k, "pola_penanganan"])
        for _, r in kebutuhan[kebutuhan["kode_kawasan"] == k].iterrows():
            rows.append(
                {
                    "kode_kawasan": k,
                    "nama_kawasan": r["nama_kawasan"],
                    "kriteria": r["kriteria"],
                    "uraian_kegiatan": r["uraian_kegiatan"],
                    "volume": r["volume"],
                    "satuan": r["satuan"],
                    "harga_satuan_rp": r["harga_satuan_rp"],
                    "biaya_rp": r["biaya_rp"],
                    "tahun": year_of[k],
                    "sumber_dana": plan.memorandum["sumber_dana_awal"][aspect_key[r["aspek"]]],
                    "rincian_dana": None,
                    "keterangan": note,
                }
            )
    return coerce_memorandum(pd.DataFrame(rows, columns=list(MEMORANDUM_COLUMNS)))


def stored_memorandum(snapshot: CitySnapshot) -> pd.DataFrame | None:
    """The memorandum program imported into a project (``None`` when there is none), in
    the table's storage types (:func:`kumuhgis.core.memorandum.coerce_memorandum`)."""
    if snapshot.memorandum is None:
        return None
    return coerce_memorandum(pd.DataFrame(snapshot.memorandum))


def memorandum_pivot(memo: pd.DataFrame, *, years: list[int] | None = None) -> pd.DataFrame:
    """The memorandum program as RP2KPKP documents show it: one row per kawasan, activity
    and funding source, one cost column per year (``rp_<tahun>``) and the total."""
    years = years or sorted(int(y) for y in memo["tahun"].unique())
    keys = ["kode_kawasan", "nama_kawasan", "kriteria", "uraian_kegiatan", "satuan", "sumber_dana"]
    m = memo.assign(**{k: memo[k].fillna("").astype(str) for k in keys})
    g = m.groupby(keys, sort=False, dropna=False)
    base = g.agg(volume=("volume", "sum")).reset_index()
    for y in years:
        s = m[m["tahun"] == y].groupby(keys, sort=False, dropna=False)["biaya_rp"].sum()
        base[f"rp_{y}"] = pd.MultiIndex.from_frame(base[keys]).map(s.to_dict()).astype("float64")
        base[f"rp_{y}"] = base[f"rp_{y}"].fillna(0.0)
    base["rp_total"] = base[[f"rp_{y}" for y in years]].sum(axis=1)
    return base
