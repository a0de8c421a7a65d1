"""The kawasan profile of the RP2KPKP annex (domain.md §2, §4, §5, §8).

A kawasan is the set of RTs that :func:`kumuhgis.analysis.reduction.rt_units` places in it
(its delineation polygon, else the SK's RT list). Its figures are **sums of RT figures** —
luas, buildings, people, KK, ideal road and drainage lengths and the volume of every
criterion — and the kawasan is **scored as one unit** by
:func:`kumuhgis.analysis.scoring.score` on those summed inputs (percentages recomputed from
summed volumes, never averages of percentages). ``luas_kumuh_ha`` is the official binary
measure of domain.md §5 (Σ luas of its RTs that are not TK).

Legality and handling pattern: per RT
-------------------------------------
Land legality and the handling pattern are decided per RT
(:mod:`kumuhgis.analysis.rp2kpkp.pattern`; ``legalitas``, or ``status_lahan`` and
``kesesuaian_rtr`` together). The kawasan's ``pola_penanganan`` is the mix of its RTs'
patterns with hectares and RT counts, ``legalitas`` the mix of their legality (legal,
ilegal, sebagian ilegal) and ``luas_ilegal_ha`` how much of it is ilegal. One ilegal RT
never turns the whole kawasan into resettlement (domain.md §8).

RT → kawasan for the other optional columns
-------------------------------------------
``nilai_strategis`` and ``sosial_ekonomi`` are recorded per RT and describe the kawasan
as a whole; its value follows the method set in the project settings
(``rp2kpkp.agregasi``; default ``mayoritas_luas``: "ya" when RTs marked "ya" hold at
least half of the kawasan's luas). An RT value that is empty (or not a recognised word)
is never replaced by a default: the kawasan's value is decided only when the missing RTs
cannot change it, and is otherwise unknown. Every missing input is named in the
``data_kurang`` column, with what could not be determined because of it.

``tipologi`` is the typology holding the largest share of the kawasan's luas;
``tipologi_rinci`` lists every typology with its share.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kumuhgis.analysis.rp2kpkp.legality import aggregate_flag, normal_word, yes_no_flags
from kumuhgis.analysis.rp2kpkp.pattern import pattern_mix, rt_patterns
from kumuhgis.analysis.rp2kpkp.priority import pertimbangan_lain, priority_of
from kumuhgis.analysis.rp2kpkp.rules import PlanRules, load_plan_rules
from kumuhgis.analysis.scoring import (
    LEVEL_COLUMN,
    MICRO,
    TOTAL_COLUMN,
    score,
    score_columns,
    to_micro,
)
from kumuhgis.core.errors import UsageError
from kumuhgis.core.numeric import is_missing
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = ["kawasan_profile"]

_NO_RT = "tidak ada RT di kawasan ini (delineasi dan daftar RT SK tidak cocok dengan layer RT/baseline) — profil, prioritas dan pola tidak dapat ditentukan"  # fmt: skip
_LEGALITY_COLUMNS = ("legalitas", "status_lahan", "status_tanah", "kesesuaian_rtr", "kesesuaian_tata_ruang")  # fmt: skip
# (name, column, what cannot be decided without it)
_RT_INPUTS = (
    ("nilai_strategis", "nilai_strategis", "prioritas"),
    ("sosial_ekonomi", "sosial_ekonomi", "prioritas"),
)


def _micro_sum(frame: pd.DataFrame, columns: list[str], by: str) -> pd.DataFrame:
    """Exact sums (in millionths) of decimal columns per group, as floats at the end."""
    data = {"_g": frame[by].astype(str).to_numpy()}
    for c in columns:
        data[c] = to_micro(pd.to_numeric(frame[c], errors="coerce").fillna(0).to_numpy())
    sums = pd.DataFrame(data).groupby("_g", sort=True).sum()
    return pd.DataFrame(
        {c: [int(x) / MICRO for x in sums[c].tolist()] for c in columns}, index=sums.index
    )


def _micro_by(values: np.ndarray, group: pd.Series, index: pd.Index) -> list[float]:
    """Exact per-group sums of millionths, as floats on ``index`` (0 where absent)."""
    s = pd.Series(values, index=group.index).groupby(group).sum()
    return [int(x) / MICRO for x in s.reindex(index).fillna(0).astype("int64").tolist()]


def _text_join(values: Iterable) -> str:
    seen = [str(v) for v in dict.fromkeys(values) if not is_missing(v) and str(v).strip()]
    return ", ".join(seen)


def _rts_of_kawasan(
    scores: pd.DataFrame, units: pd.DataFrame, sk_rows: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[str], pd.DataFrame | None]:
    """(the scored RTs with their kawasan, the kawasan codes in order, the SK rows)."""
    places = [c for c in ("nama_kawasan", "kelurahan", "kecamatan") if c in units.columns]
    u = units[["kode_rt", "kode_kawasan", *places]]
    u = u.assign(kode_rt=u["kode_rt"].astype(str)).drop_duplicates("kode_rt")
    df = scores.assign(kode_rt=scores["kode_rt"].astype(str)).merge(u, on="kode_rt", how="inner")
    if sk_rows is not None and len(sk_rows) > 0:
        sk = sk_rows.assign(kode_kawasan=sk_rows["kode_kawasan"].astype(str)).drop_duplicates(
            "kode_kawasan"
        )
        codes = sk["kode_kawasan"].tolist()
    else:
        delineated = units.loc[
            units.get("sumber_kawasan", pd.Series("", index=units.index)).astype(str) != "",
            "kode_kawasan",
        ]
        codes = sorted(set(delineated.astype(str)))
        sk = None
    df = df[df["kode_kawasan"].astype(str).isin(codes)].reset_index(drop=True)
    return df, codes, sk


def _places(out: pd.DataFrame, df: pd.DataFrame, sk: pd.DataFrame | None) -> None:
    """Name, kelurahan and kecamatan of each kawasan: the SK's, else its RTs'."""
    first = df.drop_duplicates("kode_kawasan").set_index("kode_kawasan")
    nama, kel, kec = [], [], []
    for k in out.index:
        row_sk = sk[sk["kode_kawasan"] == k].iloc[0] if sk is not None else None
        rts = df[df["kode_kawasan"] == k]
        if row_sk is not None:
            nm = row_sk["nama_lokasi"]
        else:
            nm = first["nama_kawasan"].get(k, "") if "nama_kawasan" in first else ""
        nama.append(str(nm) if not is_missing(nm) else "")
        for name, values in (("kelurahan", kel), ("kecamatan", kec)):
            if len(rts) and name in rts:
                values.append(_text_join(rts[name]))
            else:
                values.append(str(row_sk[name]) if row_sk is not None else "")
    out["nama_kawasan"] = pd.Series(nama, index=out.index, dtype="str")
    out["kelurahan"] = pd.Series(kel, index=out.index, dtype="str")
    out["kecamatan"] = pd.Series(kec, index=out.index, dtype="str")


def _sk_columns(out: pd.DataFrame, sk: pd.DataFrame | None, verified: pd.DataFrame | None) -> None:
    """SK number and luas, and the verified luas and findings of each location."""
    if sk is not None:
        s = sk.set_index("kode_kawasan")
        out["no_sk"] = s["no_sk"].astype(str).reindex(out.index) if "no_sk" in s else ""
        out["luas_sk_ha"] = pd.to_numeric(s["luas_sk_ha"], errors="coerce").reindex(out.index)
    if verified is None or not len(verified):
        return
    v = (
        verified.assign(kode_kawasan=verified["kode_kawasan"].astype(str))
        .drop_duplicates("kode_kawasan")
        .set_index("kode_kawasan")
    )
    for col in ("luas_delineasi_ha", "luas_terverifikasi_ha"):
        if col in v:
            out[col] = pd.to_numeric(v[col], errors="coerce").reindex(out.index)
    for src, dst in (("temuan", "temuan_sk"), ("rekomendasi", "rekomendasi_sk")):
        if src in v:
            out[dst] = v[src].astype(str).reindex(out.index).fillna("").astype("str")


def _sums_and_levels(
    out: pd.DataFrame, df: pd.DataFrame, sums: pd.DataFrame, sum_cols: list[str], rules: RuleSet
) -> None:
    """RT count, summed figures, luas kumuh (domain.md §5), RTs per level, density."""
    out["jumlah_rt"] = (
        df.groupby("kode_kawasan").size().reindex(out.index).fillna(0).astype("int64")
    )
    for c in sum_cols:
        out[c] = sums[c].reindex(out.index) if c in sums else np.nan
    level = df[LEVEL_COLUMN].astype(str)
    kumuh = ~level.isin(rules.not_kumuh_codes)
    lv_micro = to_micro(pd.to_numeric(df["luas_ha"], errors="coerce").fillna(0).to_numpy())
    out["luas_kumuh_ha"] = _micro_by(np.where(kumuh, lv_micro, 0), df["kode_kawasan"], out.index)
    for lv in rules.levels:
        cnt = (level == lv.code).groupby(df["kode_kawasan"]).sum()
        out[f"jumlah_rt_{lv.code.lower()}"] = cnt.reindex(out.index).fillna(0).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        luas = out["luas_ha"].to_numpy(dtype=float)
        out["kepadatan_jiwa_ha"] = np.where(
            luas > 0,
            out["jumlah_penduduk"].to_numpy(dtype=float) / np.where(luas > 0, luas, 1),
            np.nan,
        )


def _score_columns(out: pd.DataFrame, sums: pd.DataFrame, rules: RuleSet) -> None:
    """Percentages, scores, aspect averages, total and level of the summed inputs."""
    if len(sums):
        scored = score(sums.reset_index(drop=True), rules=rules).set_index(sums.index)
        scored.index.name = "kode_kawasan"
    else:
        scored = pd.DataFrame(
            {c: pd.Series([], dtype="float64") for c in score_columns(rules)},
            index=pd.Index([], name="kode_kawasan", dtype="str"),
        )
    for c in scored.columns:
        if c.startswith(("p_", "n_", "rata_")) or c in (TOTAL_COLUMN, LEVEL_COLUMN):
            out[c] = scored[c].reindex(out.index)
    out[TOTAL_COLUMN] = (
        out[TOTAL_COLUMN].astype("Int64")
        if TOTAL_COLUMN in out
        else pd.array([pd.NA] * len(out), dtype="Int64")
    )
    for c in rules.criteria:
        if c.n_column in out:
            out[c.n_column] = out[c.n_column].astype("Int64")
    if LEVEL_COLUMN not in out:
        out[LEVEL_COLUMN] = pd.Series([pd.NA] * len(out), index=out.index, dtype="str")
    out[LEVEL_COLUMN] = out[LEVEL_COLUMN].astype("str")


def _input_notes(
    agg: pd.DataFrame, bad: pd.Series, group: pd.Series, present: bool, spec: tuple, notes: dict
) -> None:
    """Name what is missing of one RT input in each kawasan, and what it leaves undecided."""
    _name, column, needed_for = spec
    for k in notes:
        n = int(agg.at[k, "n_rt"]) if not pd.isna(agg.at[k, "n_rt"]) else 0
        if n == 0:
            continue
        kosong = int(agg.at[k, "n_kosong"])
        if not present:
            notes[k].append(
                f"kolom {column} tidak ada di baseline ({needed_for} tidak dapat ditentukan)"
            )
            continue
        if kosong:
            decided = not pd.isna(agg.at[k, "nilai"])
            words = bad[(group == k).to_numpy()].dropna().unique().tolist()
            what = f"{column} kosong/tidak dikenal di {kosong} dari {n} RT"
            if words:
                what += f" (nilai tidak dikenal: {', '.join(repr(w) for w in words[:3])})"
            what += (
                " — tidak mengubah hasil" if decided else f" — {needed_for} tidak dapat ditentukan"
            )
            notes[k].append(what)


def _rt_inputs(out: pd.DataFrame, df: pd.DataFrame, plan: PlanRules, notes: dict) -> None:
    """Strategic location and socio-economic potential: RT → kawasan."""
    group = df["kode_kawasan"].astype(str)
    words = ("ya", "tidak")
    for spec in _RT_INPUTS:
        name, column, _needed_for = spec
        present = column in df.columns
        if present:
            flag, bad = yes_no_flags(df[column])
        else:
            flag = pd.Series(pd.NA, index=df.index, dtype="boolean")
            bad = pd.Series(pd.NA, index=df.index, dtype="str")
        agg = aggregate_flag(flag, df["luas_ha"], group, method=plan.agregasi[name])
        agg = agg.reindex(out.index)
        _input_notes(agg, bad, group, present, spec, notes)
        out[name] = pd.Series(
            [pd.NA if pd.isna(x) else (words[0] if x else words[1]) for x in agg["nilai"]],
            index=out.index,
            dtype="str",
        )
    for k in notes:
        if out.at[k, "jumlah_rt"] > 0 and not (out.at[k, "luas_ha"] > 0):
            notes[k].append("luas_ha = 0 — kepadatan dan prioritas tidak dapat ditentukan")


def _legality_notes(rt: pd.DataFrame, present: bool, notes: dict) -> None:
    """Name the RTs whose legality is unknown, and whether that leaves a pattern open."""
    for k, sub in rt[rt["dalam_sk"]].groupby("kode_kawasan", sort=False):
        if k not in notes:
            continue
        if not present:
            notes[k].append(
                "kolom legalitas tidak ada di baseline (atau status_lahan dan kesesuaian_rtr) — pola penanganan RT kumuh tidak dapat ditentukan"
            )
            continue
        unknown = sub[sub["legalitas_lahan"].isna()]
        if not len(unknown):
            continue
        open_ = int(unknown["pola_penanganan"].isna().sum())
        why = [str(x) for x in dict.fromkeys(unknown["catatan_legalitas"].dropna())][:3]
        text = f"legalitas belum diketahui di {len(unknown)} dari {len(sub)} RT"
        if why:
            text += f" ({'; '.join(why)})"
        text += (
            f" — pola {open_} RT belum dapat ditentukan, kebutuhannya belum masuk program"
            if open_
            else " — tidak mengubah pola (RT tidak kumuh)"
        )
        notes[k].append(text)


def _legality_and_pattern(
    out: pd.DataFrame, scores: pd.DataFrame, units: pd.DataFrame, plan: PlanRules,
    rules: RuleSet, notes: dict,
) -> None:  # fmt: skip
    """Legality and pattern per RT, and each kawasan's mix of them (domain.md §8)."""
    rt = rt_patterns(scores, units, plan=plan, kawasan=list(out.index), rules=rules)
    _legality_notes(rt, any(c in scores.columns for c in _LEGALITY_COLUMNS), notes)
    mix = pattern_mix(rt, out.index)
    for c in mix.columns:
        out[c] = mix[c]


def _typology_of(sub: pd.DataFrame, plan: PlanRules, note: list[str]) -> tuple:
    """(dominant typology, every typology with its share of luas) of one kawasan."""
    known = sub.dropna(subset=["t"])
    if len(sub) and len(known) < len(sub):
        note.append(f"tipologi kosong di {len(sub) - len(known)} dari {len(sub)} RT")
    unknown_words = sorted(set(known["t"]) - set(plan.tipologi))
    if unknown_words:
        note.append(
            f"tipologi di luar daftar ({', '.join(plan.tipologi)}): {', '.join(unknown_words)}"
        )
    if known.empty:
        return pd.NA, pd.NA
    order = {t: i for i, t in enumerate(plan.tipologi)}
    shares = known.groupby("t")["u"].sum()
    tot = int(shares.sum())
    ranked = sorted(shares.items(), key=lambda kv: (-int(kv[1]), order.get(kv[0], 99), kv[0]))
    rinci = "; ".join(
        f"{t} {round(100 * int(s) / tot) if tot else round(100 / len(ranked))}%" for t, s in ranked
    )
    return ranked[0][0], rinci


def _typology(out: pd.DataFrame, df: pd.DataFrame, plan: PlanRules, notes: dict) -> None:
    """``tipologi`` (largest share of luas) and ``tipologi_rinci`` (every share)."""
    tip, rinci = [], []
    if "tipologi" in df.columns:
        group = df["kode_kawasan"].astype(str)
        lv_micro = to_micro(pd.to_numeric(df["luas_ha"], errors="coerce").fillna(0).to_numpy())
        w = df["tipologi"].map(normal_word)
        for k in notes:
            m = (group == k).to_numpy()
            t, r = _typology_of(
                pd.DataFrame({"t": w[m].to_numpy(), "u": lv_micro[m]}), plan, notes[k]
            )
            tip.append(t)
            rinci.append(r)
    else:
        for k in notes:
            tip.append(pd.NA)
            rinci.append(pd.NA)
            if out.at[k, "jumlah_rt"] > 0:
                notes[k].append("kolom tipologi tidak ada di baseline")
    out["tipologi"] = pd.Series(tip, index=out.index, dtype="str")
    out["tipologi_rinci"] = pd.Series(rinci, index=out.index, dtype="str")


def _priority(out: pd.DataFrame, plan: PlanRules) -> None:
    pl = pertimbangan_lain(out, plan=plan)
    for c in pl.columns:
        out[c] = pl[c]
    out["prioritas"] = pd.Series(
        [
            priority_of(p, t, plan=plan)
            for p, t in zip(out["pertimbangan"], out[LEVEL_COLUMN], strict=True)
        ],
        index=out.index,
        dtype="Int64",
    )


def kawasan_profile(
    scores: pd.DataFrame,
    units: pd.DataFrame,
    *,
    rules: RuleSet | str | None = None,
    plan: PlanRules | None = None,
    sk_rows: pd.DataFrame | None = None,
    verified: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Profile, pertimbangan lain, legality, priority, pattern mix and typology per
    kawasan (domain.md §2, §4, §8; module docstring).

    For kawasan ``K`` with RTs ``r``: ``X_K = Σ_r X_r`` for ``luas_ha``,
    ``jumlah_bangunan``, ``jumlah_penduduk``, ``jumlah_kk``, every denominator and every
    volume; the percentages, scores, aspect averages, total and level of ``K`` are
    :func:`kumuhgis.analysis.scoring.score` of those sums; ``kepadatan_jiwa_ha =
    jumlah_penduduk / luas_ha``; ``luas_kumuh_ha = Σ luas_ha`` of its RTs not TK.

    Parameters
    ----------
    scores
        Score output of **one** year (kode_rt, the baseline columns, ``tingkat``).
    units
        :func:`kumuhgis.analysis.reduction.rt_units` (``kode_rt`` → ``kode_kawasan``,
        ``kelurahan``, ``kecamatan``).
    sk_rows
        The rows of the SK version in force (``kode_kawasan``, ``nama_lokasi``,
        ``kelurahan``, ``kecamatan``, ``luas_sk_ha``, ``no_sk``): the kawasan of the
        profile, in SK order. ``None``/empty: every delineated kawasan.
    verified
        SK verification per location (:attr:`kumuhgis.analysis.verification.Verification.locations`
        of that version): adds ``luas_delineasi_ha``, ``luas_terverifikasi_ha``,
        ``temuan_sk`` and ``rekomendasi_sk``.

    Returns
    -------
    pandas.DataFrame
        One row per kawasan; see :func:`kumuhgis.outputs.annex_workbook.column_labels`
        for every column. Inputs that are missing leave their outputs empty and are named
        in ``data_kurang``.
    """
    rules = load_rules(rules)
    plan = plan or load_plan_rules(rules=rules)
    if scores["tahun"].nunique() > 1:
        raise UsageError(
            "kawasan_profile perlu nilai satu tahun saja / needs the scores of one year"
        )
    df, codes, sk = _rts_of_kawasan(scores, units, sk_rows)
    denoms = list(dict.fromkeys([c for c in rules.denominator_columns if c != "luas_ha"]))
    counts = ["jumlah_bangunan", "jumlah_penduduk", "jumlah_kk"]
    sum_cols = list(dict.fromkeys(["luas_ha", *counts, *denoms, *rules.volume_columns]))
    missing_cols = [c for c in sum_cols if c not in df.columns]
    if missing_cols:
        raise UsageError(
            f"Kolom nilai RT tidak lengkap: {', '.join(missing_cols)} / RT scores lack {', '.join(missing_cols)}"
        )
    sums = _micro_sum(df, sum_cols, "kode_kawasan")
    out = pd.DataFrame(index=pd.Index(codes, name="kode_kawasan", dtype="str"))
    _places(out, df, sk)
    _sk_columns(out, sk, verified)
    _sums_and_levels(out, df, sums, sum_cols, rules)
    _score_columns(out, sums, rules)
    notes: dict[str, list[str]] = {k: [] for k in codes}
    for k in codes:
        if out.at[k, "jumlah_rt"] == 0:
            notes[k].append(_NO_RT)
    _rt_inputs(out, df, plan, notes)
    _legality_and_pattern(out, scores, units, plan, rules, notes)
    _typology(out, df, plan, notes)
    _priority(out, plan)
    out["data_kurang"] = pd.Series(
        ["; ".join(notes[k]) for k in codes], index=out.index, dtype="str"
    )
    return out.reset_index()
