"""The memorandum program of the RP2KPKP annex (domain.md §8): the draft the annex
proposes, the program the Pokja imported, and the per-year view RP2KPKP documents print.

The draft is the costed lines of :func:`kumuhgis.analysis.rp2kpkp.needs.needs` (costs
follow the handling pattern) phased by priority within the yearly ceilings per funding
source (:func:`kumuhgis.analysis.rp2kpkp.phasing.phase_program`). The Pokja edits it in
Excel and imports it back (:func:`kumuhgis.ingest.memorandum.import_memorandum`); the
project's table then replaces the draft in every output.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kumuhgis.analysis.rp2kpkp.phasing import Phasing, phase_program
from kumuhgis.analysis.rp2kpkp.rules import PlanRules
from kumuhgis.core.memorandum import coerce_memorandum
from kumuhgis.core.snapshot import CitySnapshot

__all__ = ["draft_memorandum", "stored_memorandum", "memorandum_pivot"]


def draft_memorandum(
    ranking: pd.DataFrame,
    kebutuhan: pd.DataFrame,
    *,
    plan: PlanRules,
    years: Sequence[int],
) -> Phasing:
    """The draft 5-year memorandum program (domain.md §8) for the Pokja to edit: the
    lines of ``kebutuhan`` (:func:`kumuhgis.analysis.rp2kpkp.needs.needs`) phased over
    ``years`` in the order of ``ranking``
    (:func:`kumuhgis.analysis.rp2kpkp.priority.priority_ranking`) within the project's
    yearly ceilings ``plan.pagu`` (:func:`kumuhgis.analysis.rp2kpkp.phasing.phase_program`),
    prevention reserved first unless ``rp2kpkp.memorandum.pencegahan_dulu`` is false.
    """
    return phase_program(
        kebutuhan,
        order=ranking["kode_kawasan"].astype(str).tolist(),
        years=years,
        ceilings=plan.pagu,
        prevention_first=plan.memorandum["pencegahan_dulu"],
    )


def stored_memorandum(snapshot: CitySnapshot) -> pd.DataFrame | None:
    """The memorandum program imported into a project (``None`` when there is none), in
    the table's storage types (:func:`kumuhgis.core.memorandum.coerce_memorandum`)."""
    if snapshot.memorandum is None:
        return None
    return coerce_memorandum(pd.DataFrame(snapshot.memorandum))


def memorandum_pivot(memo: pd.DataFrame, *, years: list[int] | None = None) -> pd.DataFrame:
    """The memorandum program as RP2KPKP documents show it: one row per kawasan (or
    kelurahan, for prevention), pattern, activity and funding source, one cost column per
    year (``rp_<tahun>``) and the total."""
    years = years or sorted(int(y) for y in memo["tahun"].unique())
    keys = ["kode_kawasan", "nama_kawasan", "kelurahan", "pola", "kriteria", "kegiatan", "satuan", "sumber_dana"]  # fmt: skip
    m = memo.assign(**{k: memo[k].fillna("").astype(str) for k in keys})
    g = m.groupby(keys, sort=False, dropna=False)
    base = g.agg(volume=("volume", "sum")).reset_index()
    for y in years:
        s = m[m["tahun"] == y].groupby(keys, sort=False, dropna=False)["biaya_rp"].sum()
        base[f"rp_{y}"] = pd.MultiIndex.from_frame(base[keys]).map(s.to_dict()).astype("float64")
        base[f"rp_{y}"] = base[f"rp_{y}"].fillna(0.0)
    base["rp_total"] = base[[f"rp_{y}" for y in years]].sum(axis=1)
    kelurahan_rows = (base["kode_kawasan"] == "").astype(int)
    return base.loc[kelurahan_rows.sort_values(kind="stable").index].reset_index(drop=True)
