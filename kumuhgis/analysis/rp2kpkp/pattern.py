"""The handling pattern per RT and a kawasan's mix of patterns (domain.md §8).

Legality and the pattern are decided **per RT**: legal land and berat/sedang →
peremajaan; legal and ringan → pemugaran; ilegal land → permukiman kembali; TK →
pencegahan (:func:`kumuhgis.analysis.rp2kpkp.priority.pattern_of` on the RT's own level
and legality). RTs outside every kawasan of the SK in force get prevention too (a kumuh
RT there is a candidate for the next SK, not part of this program). A kawasan's pattern is
the mix of its RTs' patterns with hectares and RT counts — "peremajaan 11,89 ha (4 RT);
permukiman kembali 2,38 ha (1 RT)" — so one illegal RT never resettles a whole kawasan.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kumuhgis.analysis.rp2kpkp.legality import kawasan_legality, rt_legality
from kumuhgis.analysis.rp2kpkp.priority import pattern_of
from kumuhgis.analysis.rp2kpkp.rules import PlanRules
from kumuhgis.analysis.scoring import LEVEL_COLUMN, MICRO, to_micro
from kumuhgis.core.memorandum import POLA, POLA_PREVENTION, pola_key
from kumuhgis.core.numeric import format_number_id, is_missing
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = ["UNDECIDED", "rt_patterns", "pattern_mix", "mix_text", "pattern_summary"]

#: How a mix names the RTs whose pattern cannot be decided (legality unknown).
UNDECIDED = "belum dapat ditentukan"
_OUTSIDE_NOTE = {True: "kumuh di luar kawasan SK", False: "tidak kumuh, di luar kawasan SK"}


def rt_patterns(
    scores: pd.DataFrame,
    units: pd.DataFrame,
    *,
    plan: PlanRules,
    kawasan: Iterable[str],
    rules: RuleSet | str | None = None,
) -> pd.DataFrame:
    """Legality and handling pattern of every scored RT (domain.md §8; module docstring).

    Parameters
    ----------
    scores
        Score output of one year (``kode_rt``, ``tingkat``, the baseline columns).
    units
        :func:`kumuhgis.analysis.reduction.rt_units` (RT → kelurahan and kawasan).
    kawasan
        The kawasan codes of the SK in force: RTs of other kawasan count as outside.

    Returns
    -------
    pandas.DataFrame
        One row per RT: ``kode_rt``, ``kode_kawasan`` (empty outside the SK's kawasan),
        ``kode_kel``, ``kelurahan``, ``dalam_sk``, ``luas_ha``, ``jumlah_kk``,
        ``tingkat``, ``legalitas_lahan`` (legal / ilegal / NA),
        ``catatan_legalitas``, ``pola_penanganan`` (NA when it cannot be decided),
        ``catatan_pola``, then the volume columns of the rule set.
    """
    rules = load_rules(rules)
    codes = {str(k) for k in kawasan}
    u = pd.DataFrame(
        {
            c: units[c].astype(str).fillna("") if c in units.columns else ""
            for c in ("kode_rt", "kode_kel", "kelurahan", "kode_kawasan")
        }
    )
    df = (
        scores.assign(kode_rt=scores["kode_rt"].astype(str))
        .merge(u.drop_duplicates("kode_rt"), on="kode_rt", how="left")
        .reset_index(drop=True)
    )
    inside = df["kode_kawasan"].isin(codes).to_numpy()
    legal = rt_legality(df)
    kumuh = ~df[LEVEL_COLUMN].astype(str).isin(rules.not_kumuh_codes)
    pola, note = [], []
    for i, (lg, t) in enumerate(zip(legal["legalitas_lahan"], df[LEVEL_COLUMN], strict=True)):
        if not inside[i]:
            pola.append(POLA_PREVENTION)
            note.append(_OUTSIDE_NOTE[bool(kumuh.iloc[i])])
            continue
        p = pattern_of(None if is_missing(lg) else lg, t, plan=plan)
        pola.append(p)
        note.append(None if p is not None else "legalitas belum diketahui")
    vols = [c for c in rules.volume_columns if c in df.columns]
    out = pd.DataFrame(
        {
            "kode_rt": df["kode_rt"],
            "kode_kawasan": np.where(inside, df["kode_kawasan"], ""),
            "kode_kel": df["kode_kel"].fillna(""),
            "kelurahan": df["kelurahan"].fillna(""),
            "dalam_sk": inside,
            "luas_ha": pd.to_numeric(df["luas_ha"], errors="coerce"),
            "jumlah_kk": pd.to_numeric(df["jumlah_kk"], errors="coerce"),
            LEVEL_COLUMN: df[LEVEL_COLUMN].astype("str"),
            "legalitas_lahan": legal["legalitas_lahan"],
            "catatan_legalitas": legal["catatan_legalitas"],
            "pola_penanganan": pd.Series(pola, dtype="str"),
            "catatan_pola": pd.Series(note, dtype="str"),
        }
    )
    for c in vols:
        out[c] = pd.to_numeric(df[c], errors="coerce").fillna(0.0)
    return out.astype({"kode_kawasan": "str", "kode_kel": "str", "kelurahan": "str"})


def mix_text(parts: Iterable[tuple[str, float, int]]) -> str:
    """``"peremajaan 11,89 ha (4 RT); permukiman kembali 2,38 ha (1 RT)"`` from
    (pattern, hectares, RT count) parts, in the order given."""
    return "; ".join(f"{p} {format_number_id(ha, 2)} ha ({n} RT)" for p, ha, n in parts)


def _pola_sums(rt: pd.DataFrame) -> pd.DataFrame:
    """Exact hectares and RT counts per (kawasan, pattern) of the RTs in the SK."""
    d = rt[rt["dalam_sk"]]
    frame = pd.DataFrame(
        {
            "k": d["kode_kawasan"].astype(str).to_numpy(),
            "p": d["pola_penanganan"].fillna(UNDECIDED).astype(str).to_numpy(),
            "u": to_micro(pd.to_numeric(d["luas_ha"], errors="coerce").fillna(0).to_numpy()),
        }
    )
    return frame.groupby(["k", "p"], sort=False).agg(u=("u", "sum"), n=("u", "size"))


def pattern_mix(rt: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """Each kawasan's mix of handling patterns (domain.md §8) from :func:`rt_patterns`.

    Returns
    -------
    pandas.DataFrame
        Indexed by the kawasan ``codes`` (in their order): ``legalitas`` (the RTs' mix:
        :func:`kumuhgis.analysis.rp2kpkp.legality.kawasan_legality`), ``luas_ilegal_ha``,
        ``pola_penanganan`` (:func:`mix_text`, patterns in the order of
        :data:`kumuhgis.core.memorandum.POLA`, undecided RTs last; NA without RTs), and
        ``luas_<pola>_ha`` / ``jumlah_rt_<pola>`` for every pattern.
    """
    codes = [str(k) for k in codes]
    sums = _pola_sums(rt)
    d = rt[rt["dalam_sk"]]
    out = pd.DataFrame(index=pd.Index(codes, name="kode_kawasan", dtype="str"))
    by_k = d.groupby(d["kode_kawasan"].astype(str))
    legal = by_k["legalitas_lahan"].agg(kawasan_legality)
    out["legalitas"] = legal.reindex(out.index).astype("str")
    il = d[d["legalitas_lahan"] == "ilegal"]
    il_u = pd.Series(
        to_micro(pd.to_numeric(il["luas_ha"], errors="coerce").fillna(0).to_numpy()),
        index=il.index,
    )
    il_sum = il_u.groupby(il["kode_kawasan"].astype(str)).sum()
    out["luas_ilegal_ha"] = [int(x) / MICRO for x in il_sum.reindex(out.index).fillna(0)]
    texts = []
    for k in codes:
        parts = [
            (p, int(sums.at[(k, p), "u"]) / MICRO, int(sums.at[(k, p), "n"]))
            for p in (*POLA, UNDECIDED)
            if (k, p) in sums.index
        ]
        texts.append(mix_text(parts) if parts else pd.NA)
    out["pola_penanganan"] = pd.Series(texts, index=out.index, dtype="str")
    for p in POLA:
        key = pola_key(p)
        has = [(k, p) in sums.index for k in codes]
        out[f"luas_{key}_ha"] = [
            int(sums.at[(k, p), "u"]) / MICRO if h else 0.0 for k, h in zip(codes, has, strict=True)
        ]
        out[f"jumlah_rt_{key}"] = pd.array(
            [int(sums.at[(k, p), "n"]) if h else 0 for k, h in zip(codes, has, strict=True)],
            dtype="int64",
        )
    return out


def pattern_summary(rt: pd.DataFrame) -> pd.DataFrame:
    """RTs, hectares, KK and kawasan per handling pattern (domain.md §8): one row per
    pattern of the RTs in the SK's kawasan (undecided last), then one row for the
    prevention of the RTs outside them (``lingkup`` says which)."""
    rows = []
    d = rt[rt["dalam_sk"]]
    d = d.assign(p=d["pola_penanganan"].fillna(UNDECIDED))
    for p in (*POLA, UNDECIDED):
        sub = d[d["p"] == p]
        if len(sub):
            rows.append(_summary_row(sub, p, "kawasan SK"))
    outside = rt[~rt["dalam_sk"]]
    if len(outside):
        rows.append(_summary_row(outside, POLA_PREVENTION, "di luar kawasan SK"))
    cols = ["pola_penanganan", "lingkup", "jumlah_rt", "luas_ha", "jumlah_kk", "jumlah_kawasan", "kawasan"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    return out.astype(
        {"pola_penanganan": "str", "lingkup": "str", "jumlah_rt": "int64", "luas_ha": "float64",
         "jumlah_kk": "float64", "jumlah_kawasan": "int64", "kawasan": "str"}
    )  # fmt: skip


def _summary_row(sub: pd.DataFrame, pola: str, lingkup: str) -> dict:
    kaw = [str(k) for k in dict.fromkeys(sub["kode_kawasan"].fillna("")) if k]
    u = to_micro(pd.to_numeric(sub["luas_ha"], errors="coerce").fillna(0).to_numpy())
    return {
        "pola_penanganan": pola,
        "lingkup": lingkup,
        "jumlah_rt": len(sub),
        "luas_ha": int(u.sum()) / MICRO,
        "jumlah_kk": float(pd.to_numeric(sub["jumlah_kk"], errors="coerce").fillna(0).sum()),
        "jumlah_kawasan": len(kaw),
        "kawasan": ", ".join(sorted(kaw)),
    }
