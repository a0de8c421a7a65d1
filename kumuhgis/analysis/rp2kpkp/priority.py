"""Priority of a kawasan and the handling-pattern matrix (domain.md §8).

pertimbangan lain = strategic (ya 5 / tidak 1) + density class (≤ 150 rendah 1, ≤ 400
sedang 3, above tinggi 5 people/ha) + socio-economic potential (ya 5 / tidak 1); the sum
11–15 → tinggi, 6–10 → sedang, 3–5 → rendah. Priority = the matrix cell of (pertimbangan,
level): tinggi 1 2 3, sedang 4 5 6, rendah 7 8 9 for berat, sedang, ringan. Pattern: legal
and berat/sedang → peremajaan; legal and ringan → pemugaran; ilegal → permukiman kembali;
not a slum (TK) → pencegahan — applied per RT (:mod:`kumuhgis.analysis.rp2kpkp.pattern`).
All numbers are data (:mod:`kumuhgis.analysis.rp2kpkp.rules`),
overridable in the project settings.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kumuhgis.analysis.rp2kpkp.rules import (
    LEGALITY_VALUES,
    PERTIMBANGAN_CATEGORIES,
    PlanRules,
)
from kumuhgis.analysis.scoring import LEVEL_COLUMN, TOTAL_COLUMN
from kumuhgis.core.numeric import is_missing
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = [
    "density_class",
    "pertimbangan_category",
    "priority_of",
    "pattern_of",
    "pertimbangan_lain",
    "priority_ranking",
    "priority_matrix_counts",
]


def density_class(kepadatan_jiwa_ha: float | None, *, plan: PlanRules) -> str | None:
    """Density class of a kawasan (domain.md §8, bands **configurable**).

    ``d ≤ b₁ → "rendah"``; ``b₁ < d ≤ b₂ → "sedang"``; ``d > b₂ → "tinggi"``, with
    ``(b₁, b₂)`` = ``plan.kepadatan_batas`` (default 150 and 400 people/ha: "≤150,
    151–400, >400"). ``None`` when the density is unknown.
    """
    if is_missing(kepadatan_jiwa_ha) or not math.isfinite(float(kepadatan_jiwa_ha)):
        return None
    d = float(kepadatan_jiwa_ha)
    lo, hi = plan.kepadatan_batas
    return "rendah" if d <= lo else "sedang" if d <= hi else "tinggi"


def pertimbangan_category(total: int | None, *, plan: PlanRules) -> str | None:
    """Category of the pertimbangan-lain sum (domain.md §8, bands **configurable**): the
    highest of tinggi / sedang / rendah whose minimum the sum reaches (default 11, 6, 3,
    i.e. 11–15 tinggi, 6–10 sedang, 3–5 rendah); ``None`` when unknown or below every
    minimum."""
    if is_missing(total):
        return None
    for cat in PERTIMBANGAN_CATEGORIES:
        if int(total) >= plan.kategori_min[cat]:
            return cat
    return None


def priority_of(pertimbangan: str | None, tingkat: str | None, *, plan: PlanRules) -> int | None:
    """Priority 1–9 of a kawasan (domain.md §8): the cell of the matrix

    ==============  ======  ======  ======
    pertimbangan    berat   sedang  ringan
    ==============  ======  ======  ======
    tinggi          1       2       3
    sedang          4       5       6
    rendah          7       8       9
    ==============  ======  ======  ======

    ``None`` for a level without a column (TK: not a slum → prevention) or an unknown
    input.
    """
    if is_missing(pertimbangan) or is_missing(tingkat):
        return None
    row = plan.prioritas.get(str(pertimbangan))
    if row is None:
        return None
    return row.get(str(tingkat))


def pattern_of(legalitas: str | None, tingkat: str | None, *, plan: PlanRules) -> str | None:
    """Handling pattern (pola penanganan) of an RT (domain.md §8).

    Legal land and berat or sedang → ``peremajaan``; legal and ringan → ``pemugaran``;
    ilegal land at any slum level → ``permukiman kembali``; not a slum (TK) →
    ``pencegahan``. With legality unknown the pattern is known only where both rows of the
    matrix agree (TK); otherwise ``None``.
    """
    if is_missing(tingkat):
        return None
    t = str(tingkat)
    if is_missing(legalitas):
        values = {plan.pola[row].get(t) for row in LEGALITY_VALUES}
        return values.pop() if len(values) == 1 else None
    row = plan.pola.get(str(legalitas))
    return None if row is None else row.get(t)


def pertimbangan_lain(frame: pd.DataFrame, *, plan: PlanRules) -> pd.DataFrame:
    """Scores of the non-physical considerations per row (domain.md §8).

    From ``nilai_strategis`` and ``sosial_ekonomi`` ("ya"/"tidak"/NA) and
    ``kepadatan_jiwa_ha``: ``skor_strategis`` (ya 5 / tidak 1), ``kelas_kepadatan``
    (:func:`density_class`) and ``skor_kepadatan`` (1 / 3 / 5), ``skor_sosial_ekonomi``
    (ya 5 / tidak 1), ``skor_pertimbangan`` (their sum; NA when any is unknown) and
    ``pertimbangan`` (:func:`pertimbangan_category`). Returns a new frame on the input's
    index.
    """

    def yn(col: str, table: dict[str, int]) -> pd.Series:
        vals = frame[col] if col in frame.columns else pd.Series(pd.NA, index=frame.index)
        return pd.Series(
            [table.get(str(v)) if not is_missing(v) else pd.NA for v in vals],
            index=frame.index,
            dtype="Int64",
        )

    s1 = yn("nilai_strategis", plan.strategis)
    s3 = yn("sosial_ekonomi", plan.sosial_ekonomi)
    dens = (
        frame["kepadatan_jiwa_ha"]
        if "kepadatan_jiwa_ha" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    kelas = [density_class(v, plan=plan) for v in dens.tolist()]
    s2 = pd.Series(
        [plan.kepadatan_nilai[k] if k else pd.NA for k in kelas], index=frame.index, dtype="Int64"
    )
    total = s1 + s2 + s3
    cat = [pertimbangan_category(v, plan=plan) for v in total.tolist()]
    return pd.DataFrame(
        {
            "skor_strategis": s1,
            "kelas_kepadatan": pd.Series(kelas, index=frame.index, dtype="str"),
            "skor_kepadatan": s2,
            "skor_sosial_ekonomi": s3,
            "skor_pertimbangan": total,
            "pertimbangan": pd.Series(cat, index=frame.index, dtype="str"),
        },
        index=frame.index,
    )


def priority_ranking(profil: pd.DataFrame) -> pd.DataFrame:
    """The priority ranking (domain.md §8): kawasan with a priority first, by priority
    (1 first), then total nilai (higher first), then luas kumuh (larger first), then code;
    ``peringkat`` numbers them 1, 2, … Kawasan without a priority follow, without rank:
    TK kawasan (``pencegahan``) and those whose priority could not be determined."""
    p = profil.copy()
    has = p["prioritas"].notna()
    key = pd.DataFrame(
        {
            "a": (~has).astype(int),
            "b": p["prioritas"].fillna(99).astype(int),
            "c": -pd.to_numeric(p[TOTAL_COLUMN], errors="coerce").fillna(-1),
            "d": -pd.to_numeric(p["luas_kumuh_ha"], errors="coerce").fillna(0),
            "e": p["kode_kawasan"].astype(str),
        }
    )
    order = key.sort_values(["a", "b", "c", "d", "e"], kind="stable").index
    p = p.loc[order].reset_index(drop=True)
    n = int(has.sum())
    p.insert(
        0, "peringkat", pd.array(list(range(1, n + 1)) + [pd.NA] * (len(p) - n), dtype="Int64")
    )
    return p


def priority_matrix_counts(
    profil: pd.DataFrame, *, plan: PlanRules, rules: RuleSet | str | None = None
) -> pd.DataFrame:
    """The priority matrix (domain.md §8) with, in each cell, the priority number, the
    kawasan codes and their summed luas: one row per pertimbangan category, one column
    group per kumuh level."""
    rules = load_rules(rules)
    rows = []
    for cat in PERTIMBANGAN_CATEGORIES:
        row: dict[str, Any] = {"pertimbangan": cat}
        for code in plan.kumuh_codes:
            m = (profil["pertimbangan"].astype(str) == cat) & (
                profil[LEVEL_COLUMN].astype(str) == code
            )
            sub = profil[m]
            row[f"prioritas_{code.lower()}"] = plan.prioritas[cat][code]
            row[f"kawasan_{code.lower()}"] = ", ".join(sub["kode_kawasan"].astype(str))
            row[f"luas_{code.lower()}_ha"] = float(sub["luas_ha"].sum()) if len(sub) else 0.0
        rows.append(row)
    return pd.DataFrame(rows)
