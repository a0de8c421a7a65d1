"""Auditing a published per-RT slum table: every record that does not add up.

A published table (read by :mod:`kumuhgis.ingest.published`) holds, per RT and year, some
of: volumes ``v_<c>``, denominators (``luas_ha``, ``jumlah_bangunan``, ``jumlah_kk``,
ideal lengths), percentages ``p_<c>``, scores ``n_<c>``, aspect averages ``rata_<aspek>``,
``rata_sektoral``, ``total_nilai`` and ``tingkat``. Each record is checked with the rule
set and the exact rounding of domain.md §4, reporting only what the data can show
(a check needs its columns; a record is checked where its cells are filled):

==============================  =====================================================
``total_tidak_sesuai``          published total ≠ Σ of the published criterion scores
``nilai_tidak_sesuai``          a published score ≠ the band of its own published
                                percentage (§4.3), or not a score any band gives
``tingkat_tidak_sesuai``        published level ≠ the level of the published total
                                (Σ of the scores when the table has no total) (§4.5)
``rata_rata_tidak_sesuai``      a published aspect average ≠ the mean of its published
                                percentages; the sectoral average ≠ the mean of the
                                aspect averages (§4.4)
``persen_di_luar_batas``        a percentage below 0 or above 100
``volume_negatif``              a negative volume
``volume_melebihi_penyebut``    a volume above its denominator (§3)
``persen_tidak_sesuai``         published percentage ≠ volume ÷ denominator (§4.1–4.2)
``hitung_ulang_berbeda``        the level recomputed from volumes and denominators by
                                :func:`kumuhgis.analysis.scoring.score` ≠ the published
                                level
==============================  =====================================================

Everything is exact integer arithmetic over whole columns (the engine of
:mod:`kumuhgis.analysis.scoring`): a published percentage is rounded half up to
hundredths of a percent from its value read to six decimals, whether the column holds
percent (0–100) or proportions (0–1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kumuhgis.analysis.scoring import (
    LEVEL_COLUMN,
    MAX_VALUE,
    SECTORAL_COLUMN,
    TOTAL_COLUMN,
    average_hundredths,
    percent_hundredths,
    score,
    to_micro,
)
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = [
    "FINDINGS",
    "FINDING_COLUMNS",
    "FINDING_LABELS",
    "SECTORAL_KEY",
    "AuditResult",
    "audit_published",
]

#: Finding codes, in report order.
FINDINGS: tuple[str, ...] = (
    "total_tidak_sesuai",
    "nilai_tidak_sesuai",
    "tingkat_tidak_sesuai",
    "rata_rata_tidak_sesuai",
    "persen_di_luar_batas",
    "volume_negatif",
    "volume_melebihi_penyebut",
    "persen_tidak_sesuai",
    "hitung_ulang_berbeda",
)
#: Columns of the findings table (one row per finding).
FINDING_COLUMNS: tuple[str, ...] = (
    "baris", "id", "tahun", "temuan", "kriteria", "nilai_terbit", "nilai_hitung", "keterangan",
)  # fmt: skip
#: What each finding means, in Bahasa Indonesia and English.
FINDING_LABELS: dict[str, tuple[str, str]] = {
    "total_tidak_sesuai": ("Total nilai ≠ jumlah nilai kriteria", "Total ≠ sum of the criterion scores"),
    "nilai_tidak_sesuai": ("Nilai kriteria ≠ band persentasenya", "Criterion score ≠ band of its percentage"),
    "tingkat_tidak_sesuai": ("Tingkat ≠ tingkat dari total nilai", "Level ≠ level of the total"),
    "rata_rata_tidak_sesuai": ("Rata-rata ≠ rata-rata persentasenya", "Average ≠ mean of its percentages"),
    "persen_di_luar_batas": ("Persentase di bawah 0 atau di atas 100", "Percentage below 0 or above 100"),
    "volume_negatif": ("Volume negatif", "Negative volume"),
    "volume_melebihi_penyebut": ("Volume melebihi penyebut", "Volume above its denominator"),
    "persen_tidak_sesuai": ("Persentase ≠ volume ÷ penyebut", "Percentage ≠ volume ÷ denominator"),
    "hitung_ulang_berbeda": ("Tingkat hitung ulang ≠ tingkat terbit", "Recomputed level ≠ published level"),
}  # fmt: skip
#: ``kriteria`` of the sectoral-average findings.
SECTORAL_KEY = "sektoral"
_PROPORTION = "proporsi"


@dataclass(frozen=True)
class AuditResult:
    """Outcome of :func:`audit_published`.

    ``findings`` has :data:`FINDING_COLUMNS`, one row per finding, ordered by row,
    finding code and criterion. ``summary`` has one row per code of :data:`FINDINGS`:
    ``temuan``, ``uraian``/``description``, ``jumlah_temuan`` (findings),
    ``jumlah_baris`` (records with that finding), ``baris_diperiksa`` (records the check
    could be applied to) and ``catatan``/``note`` (what is missing when it could not).
    """

    findings: pd.DataFrame
    summary: pd.DataFrame
    records: int
    clean_records: int
    rules: RuleSet
    ignored: tuple[str, ...] = ()  # columns of criteria the rule set does not have

    @property
    def clean_share(self) -> float:
        """Share of records with no finding (1.0 for an empty table)."""
        return self.clean_records / self.records if self.records else 1.0


# --------------------------------------------------------------------------- the table


def _half_up_mean(total: np.ndarray, count: int) -> np.ndarray:
    """:func:`average_hundredths` for sums of either sign (half away from zero)."""
    return np.sign(total) * average_hundredths(np.abs(total), count)


@dataclass(frozen=True)
class _Table:
    frame: pd.DataFrame
    rules: RuleSet
    conventions: Mapping[str, str]
    cache: dict = field(default_factory=dict, compare=False)  # column -> (values, micro, filled)

    def has(self, *names: str) -> bool:
        return all(n in self.frame.columns for n in names)

    def _read(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if name not in self.cache:
            x = pd.to_numeric(self.frame[name], errors="coerce")
            x = x.to_numpy(dtype=np.float64, na_value=np.nan)
            filled = np.isfinite(x)
            micro = to_micro(np.clip(np.where(filled, x, 0.0), -MAX_VALUE, MAX_VALUE))
            self.cache[name] = (x, micro, filled)
        return self.cache[name]

    def values(self, name: str) -> np.ndarray:
        """The column as published (``float64``, NaN when empty)."""
        return self._read(name)[0]

    def micro(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Exact millionths (magnitudes capped at ``MAX_VALUE``) and the filled mask."""
        return self._read(name)[1:]

    def per_hundredth(self, name: str) -> int:
        """Millionths of a published value in one hundredth of a percent."""
        return 100 if self.conventions.get(name) == _PROPORTION else 10_000

    def hundredths(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A published percentage, rounded half up to hundredths of a percent (§4.2)."""
        m, filled = self.micro(name)
        return _half_up_mean(m, self.per_hundredth(name)), filled

    def shown(self, name: str, hundredths: np.ndarray) -> list[str]:
        """Hundredths of a percent written in the column's own convention."""
        proportion = self.per_hundredth(name) == 100
        return [_hundredths_text(h, proportion) for h in hundredths]


def _hundredths_text(h: int, proportion: bool) -> str:
    sign, h = ("-" if h < 0 else ""), abs(int(h))
    if proportion:
        return f"{sign}{h // 10000}.{h % 10000:04d}"
    return f"{sign}{h // 100}.{h % 100:02d}"


def _number_text(x: float) -> str:
    return np.format_float_positional(float(x), trim="-") if np.isfinite(x) else ""


def _pct(h) -> str:
    return _hundredths_text(h, False) + " %"


@dataclass
class _Check:
    """Findings of one check and how many records it could be applied to."""

    pieces: list[dict]  # _piece()
    checked: np.ndarray  # bool per record
    missing: tuple[str, str] = ("", "")


def _piece(mask, code, kriteria, terbit, hitung, ket_id, ket_en) -> dict:
    """Findings at the records of ``mask`` (arrays/lists aligned with them)."""
    pos = np.flatnonzero(mask)
    return {
        "_pos": pos,
        "temuan": [code] * len(pos),
        "kriteria": [kriteria] * len(pos),
        "nilai_terbit": list(terbit),
        "nilai_hitung": list(hitung),
        "keterangan": [f"{a} / {b}" for a, b in zip(ket_id, ket_en, strict=True)],
    }


# --------------------------------------------------------------------------- checks


def _check_totals(t: _Table) -> _Check:
    """``total_tidak_sesuai``: published total ≠ Σ published scores (domain.md §4.5)."""
    n_cols = [c.n_column for c in t.rules.criteria]
    if not t.has(TOTAL_COLUMN, *n_cols):
        return _Check([], np.zeros(len(t.frame), bool), _needs(t, [TOTAL_COLUMN, *n_cols]))
    scores = np.vstack([t.values(c) for c in n_cols])
    total = t.values(TOTAL_COLUMN)
    ok = np.isfinite(scores).all(axis=0) & np.isfinite(total)
    s = np.where(ok, scores.sum(axis=0), 0)
    bad = ok & (s != total)
    k = len(n_cols)
    tot, summed = [_number_text(x) for x in total[bad]], [_number_text(x) for x in s[bad]]
    return _Check(
        [_piece(bad, "total_tidak_sesuai", "", tot, summed,
                [f"total nilai terbit {a} ≠ jumlah {k} nilai kriteria {b}" for a, b in zip(tot, summed, strict=True)],
                [f"published total {a} ≠ sum of the {k} criterion scores {b}" for a, b in zip(tot, summed, strict=True)])],
        ok,
    )  # fmt: skip


def _check_scores(t: _Table) -> _Check:
    """``nilai_tidak_sesuai``: a score ≠ the band of its published percentage (§4.3), or a
    score no band gives (``2`` when the bands give 0, 1, 3, 5)."""
    allowed = sorted({b.score for b in t.rules.score_bands})
    listed = ", ".join(map(str, allowed))
    pieces, checked = [], np.zeros(len(t.frame), bool)
    for c in t.rules.criteria:
        if not t.has(c.n_column):
            continue
        n = t.values(c.n_column)
        rest = np.isfinite(n)
        if t.has(c.p_column):
            p, pf = t.hundredths(c.p_column)
            band = t.rules.scores_for(p)
            ok = rest & pf
            bad = ok & (n != band)
            shown, got = [_pct(x) for x in p[bad]], [_number_text(x) for x in n[bad]]
            pieces.append(_piece(bad, "nilai_tidak_sesuai", c.code, got, [str(b) for b in band[bad]],
                [f"nilai {c.code} terbit {g}, tetapi persentase {s} masuk band nilai {b}" for g, s, b in zip(got, shown, band[bad], strict=True)],
                [f"published score of {c.code} is {g}, but percentage {s} falls in the band of score {b}" for g, s, b in zip(got, shown, band[bad], strict=True)]))  # fmt: skip
            checked |= ok
            rest = rest & ~pf
        odd = rest & ~np.isin(n, allowed)
        got = [_number_text(x) for x in n[odd]]
        pieces.append(_piece(odd, "nilai_tidak_sesuai", c.code, got, [""] * len(got),
            [f"nilai {c.code} terbit {g} bukan nilai band mana pun ({listed})" for g in got],
            [f"published score of {c.code} {g} is not a score of any band ({listed})" for g in got]))  # fmt: skip
        checked |= rest
    note = ("", "") if pieces else _needs(t, ["n_<kriteria>"])
    return _Check(pieces, checked, note)


def _published_level(t: _Table) -> tuple[pd.Series, pd.Series] | None:
    """(level as published, level code) or None when the table has no level."""
    if not t.has(LEVEL_COLUMN):
        return None
    code = t.frame[LEVEL_COLUMN].astype("string")
    text = t.frame["tingkat_terbit"].astype("string") if t.has("tingkat_terbit") else code
    return text, code


def _check_levels(t: _Table) -> _Check:
    """``tingkat_tidak_sesuai``: published level ≠ level of the published total (§4.5);
    the sum of the published scores stands in when the table has no total."""
    level = _published_level(t)
    n_cols = [c.n_column for c in t.rules.criteria]
    if level is None or not (t.has(TOTAL_COLUMN) or t.has(*n_cols)):
        return _Check([], np.zeros(len(t.frame), bool), _needs(t, [LEVEL_COLUMN, TOTAL_COLUMN]))
    text, code = level
    ref = t.values(TOTAL_COLUMN) if t.has(TOTAL_COLUMN) else np.full(len(t.frame), np.nan)
    from_total = np.isfinite(ref)
    if t.has(*n_cols):
        scores = np.vstack([t.values(c) for c in n_cols])
        summed = np.isfinite(scores).all(axis=0)
        ref = np.where(from_total, ref, np.where(summed, scores.sum(axis=0), np.nan))
    ok = text.notna().to_numpy() & np.isfinite(ref)
    expected = t.rules.levels_for(np.where(ok, ref, 0))
    bad = ok & (code.fillna("").to_numpy(dtype=object) != expected)
    shown = text.to_numpy(dtype=object)[bad]
    refs = [_number_text(x) for x in ref[bad]]
    what = [
        ("total" if f else "jumlah nilai", "total" if f else "sum of scores")
        for f in from_total[bad]
    ]
    rng = [t.rules.level_range(e) for e in expected[bad]]
    return _Check(
        [_piece(bad, "tingkat_tidak_sesuai", "", shown, expected[bad],
                [f"tingkat terbit '{s}', tetapi {w[0]} {r} masuk {e} ({lo}–{hi})" for s, w, r, e, (lo, hi) in zip(shown, what, refs, expected[bad], rng, strict=True)],
                [f"published level '{s}', but the {w[1]} {r} falls in {e} ({lo}–{hi})" for s, w, r, e, (lo, hi) in zip(shown, what, refs, expected[bad], rng, strict=True)])],
        ok,
    )  # fmt: skip


def _aspect_means(t: _Table) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per aspect with all its percentages in the table: (mean of the rounded published
    percentages, filled mask) (§4.4)."""
    out = {}
    for a in t.rules.aspects:
        cols = [f"p_{code}" for code in a.codes]
        if t.has(*cols):
            parts = [t.hundredths(c) for c in cols]
            s = np.sum([p for p, _ in parts], axis=0)
            out[a.key] = (_half_up_mean(s, len(cols)), np.all([f for _, f in parts], axis=0))
    return out


def _average_piece(t: _Table, col: str, key: str, expected, ok, what: tuple[str, str]):
    avg, af = t.hundredths(col)
    ok = ok & af
    bad = ok & (avg != expected)
    raw = [_number_text(x) for x in t.values(col)[bad]]
    exp = [_pct(x) for x in expected[bad]]
    piece = _piece(bad, "rata_rata_tidak_sesuai", key, raw, t.shown(col, expected[bad]),
                   [f"rata-rata {key} terbit {r} ≠ {what[0]} {e}" for r, e in zip(raw, exp, strict=True)],
                   [f"published {key} average {r} ≠ {what[1]} {e}" for r, e in zip(raw, exp, strict=True)])  # fmt: skip
    return piece, ok


def _check_averages(t: _Table) -> _Check:
    """``rata_rata_tidak_sesuai``: aspect average ≠ mean of its rounded percentages, and
    sectoral average ≠ mean of the seven aspect averages, all rounded half up (§4.4)."""
    means = _aspect_means(t)
    pieces, checked = [], np.zeros(len(t.frame), bool)
    for a in t.rules.aspects:
        if t.has(a.column) and a.key in means:
            k = len(a.codes)
            piece, ok = _average_piece(t, a.column, a.key, *means[a.key], (f"rata-rata {k} persentase", f"the mean of its {k} percentages"))  # fmt: skip
            pieces.append(piece)
            checked |= ok
    if t.has(SECTORAL_COLUMN):
        values, filled = [], []
        for a in t.rules.aspects:
            if t.has(a.column):
                h, f = t.hundredths(a.column)
                if a.key in means:
                    h, f = np.where(f, h, means[a.key][0]), f | means[a.key][1]
            elif a.key in means:
                h, f = means[a.key]
            else:
                break
            values.append(h)
            filled.append(f)
        else:
            k = len(t.rules.aspects)
            expected = _half_up_mean(np.sum(values, axis=0), k)
            what = (f"rata-rata {k} aspek", f"the mean of the {k} aspect averages")
            piece, ok = _average_piece(t, SECTORAL_COLUMN, SECTORAL_KEY, expected, np.all(filled, axis=0), what)  # fmt: skip
            pieces.append(piece)
            checked |= ok
    note = ("", "") if pieces else _needs(t, ["rata_<aspek> + p_<kriteria>"])
    return _Check(pieces, checked, note)


def _percent_columns(t: _Table) -> list[tuple[str, str]]:
    """(column, kriteria) of every percentage column of the rule set in the table."""
    cols = [(c.p_column, c.code) for c in t.rules.criteria]
    cols += [(a.column, a.key) for a in t.rules.aspects]
    cols.append((SECTORAL_COLUMN, SECTORAL_KEY))
    return [(c, k) for c, k in cols if t.has(c)]


def _check_range(t: _Table) -> _Check:
    """``persen_di_luar_batas``: a percentage (criterion, aspect or sectoral) below 0 or
    above 100 % (above 1 for a column of proportions)."""
    pieces, checked = [], np.zeros(len(t.frame), bool)
    for col, key in _percent_columns(t):
        m, filled = t.micro(col)
        top = 100 * t.per_hundredth(col) * 100  # 100 % in millionths of the column's unit
        bad = filled & ((m < 0) | (m > top))
        raw = [_number_text(x) for x in t.values(col)[bad]]
        unit = "0–1" if t.per_hundredth(col) == 100 else "0–100"
        pieces.append(_piece(bad, "persen_di_luar_batas", key, raw, [""] * len(raw),
                             [f"persentase {key} {r} di luar {unit}" for r in raw],
                             [f"percentage of {key} {r} outside {unit}" for r in raw]))  # fmt: skip
        checked |= filled
    return _Check(pieces, checked, ("", "") if pieces else _needs(t, ["p_<kriteria>"]))


def _check_negative(t: _Table) -> _Check:
    """``volume_negatif``: a volume below 0."""
    pieces, checked = [], np.zeros(len(t.frame), bool)
    for c in t.rules.criteria:
        col = f"v_{c.code}"
        if t.has(col):
            m, filled = t.micro(col)
            bad = filled & (m < 0)
            raw = [_number_text(x) for x in t.values(col)[bad]]
            pieces.append(_piece(bad, "volume_negatif", c.code, raw, [""] * len(raw),
                                 [f"volume {c.code} {r} {c.unit} negatif" for r in raw],
                                 [f"volume of {c.code} {r} {c.unit} is negative" for r in raw]))  # fmt: skip
            checked |= filled
    return _Check(pieces, checked, ("", "") if pieces else _needs(t, ["v_<kriteria>"]))


def _volume_pairs(t: _Table):
    """Per criterion with a volume and its denominator: (criterion, V, D, both usable)."""
    for c in t.rules.criteria:
        if t.has(f"v_{c.code}", c.denominator):
            v, vf = t.micro(f"v_{c.code}")
            d, df = t.micro(c.denominator)
            yield c, v, d, vf & df & (v >= 0) & (d >= 0)


def _check_exceeds(t: _Table) -> _Check:
    """``volume_melebihi_penyebut``: volume > denominator (domain.md §3)."""
    pieces, checked = [], np.zeros(len(t.frame), bool)
    for c, v, d, ok in _volume_pairs(t):
        bad = ok & (v > d)
        raw = [_number_text(x) for x in t.values(f"v_{c.code}")[bad]]
        den = [_number_text(x) for x in t.values(c.denominator)[bad]]
        pieces.append(_piece(bad, "volume_melebihi_penyebut", c.code, raw, [""] * len(raw),
            [f"volume {c.code} {r} {c.unit} > {c.denominator} {e}" for r, e in zip(raw, den, strict=True)],
            [f"volume of {c.code} {r} {c.unit} > {c.denominator} {e}" for r, e in zip(raw, den, strict=True)]))  # fmt: skip
        checked |= ok
    return _Check(pieces, checked, ("", "") if pieces else _needs(t, ["v_<kriteria> + penyebut"]))


def _check_percent(t: _Table) -> _Check:
    """``persen_tidak_sesuai``: published percentage ≠ 100 × volume ÷ denominator, capped
    at 100, 0 when the denominator is 0, rounded half up (§4.1–§4.2)."""
    pieces, checked = [], np.zeros(len(t.frame), bool)
    for c, v, d, ok in _volume_pairs(t):
        if not t.has(c.p_column):
            continue
        p, pf = t.hundredths(c.p_column)
        ok = ok & pf
        computed = percent_hundredths(np.where(ok, v, 0), np.where(ok, d, 0))
        bad = ok & (p != computed)
        raw = [_number_text(x) for x in t.values(c.p_column)[bad]]
        vol = [_number_text(x) for x in t.values(f"v_{c.code}")[bad]]
        den = [_number_text(x) for x in t.values(c.denominator)[bad]]
        exp = [_pct(x) for x in computed[bad]]
        pieces.append(_piece(bad, "persen_tidak_sesuai", c.code, raw, t.shown(c.p_column, computed[bad]),
            [f"persentase {c.code} terbit {r}, tetapi 100 × {a} ÷ {b} = {e}" for r, a, b, e in zip(raw, vol, den, exp, strict=True)],
            [f"published percentage of {c.code} {r}, but 100 × {a} ÷ {b} = {e}" for r, a, b, e in zip(raw, vol, den, exp, strict=True)]))  # fmt: skip
        checked |= ok
    return _Check(pieces, checked, ("", "") if pieces else _needs(t, ["v_<kriteria> + penyebut + p_<kriteria>"]))  # fmt: skip


def _check_recompute(t: _Table) -> _Check:
    """``hitung_ulang_berbeda``: the level :func:`kumuhgis.analysis.scoring.score` gives
    from the volumes and denominators ≠ the published level (§4)."""
    level = _published_level(t)
    inputs = {c.volume: f"v_{c.code}" for c in t.rules.criteria}
    inputs.update({d: d for d in t.rules.denominator_columns})
    if level is None or not t.has(*inputs.values()):
        return _Check([], np.zeros(len(t.frame), bool), _needs(t, [*inputs.values(), LEVEL_COLUMN]))
    text, code = level
    cols = {name: t.values(src) for name, src in inputs.items()}
    ok = text.notna().to_numpy().copy()
    for x in cols.values():
        ok &= np.isfinite(x) & (x >= 0) & (x <= MAX_VALUE)
    scored = score(pd.DataFrame({k: x[ok] for k, x in cols.items()}), rules=t.rules)
    expected = np.full(len(t.frame), "", dtype=object)
    totals = np.zeros(len(t.frame), dtype=np.int64)
    expected[ok] = scored[LEVEL_COLUMN].to_numpy(dtype=object)
    totals[ok] = scored[TOTAL_COLUMN].to_numpy(dtype=np.int64)
    bad = ok & (code.fillna("").to_numpy(dtype=object) != expected)
    shown = text.to_numpy(dtype=object)[bad]
    return _Check(
        [_piece(bad, "hitung_ulang_berbeda", "", shown, expected[bad],
                [f"dihitung ulang dari volume dan penyebut: total {n}, tingkat {e}; terbit '{s}'" for n, e, s in zip(totals[bad], expected[bad], shown, strict=True)],
                [f"recomputed from volumes and denominators: total {n}, level {e}; published '{s}'" for n, e, s in zip(totals[bad], expected[bad], shown, strict=True)])],
        ok,
    )  # fmt: skip


def _needs(t: _Table, columns: list[str]) -> tuple[str, str]:
    """Why a check could not run: the columns it needs that the table lacks."""
    missing = [c for c in columns if "<" in c or c not in t.frame.columns]
    listed = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
    return (f"tidak dapat diperiksa: perlu {listed}", f"cannot be checked: needs {listed}")


_CHECKS = {
    "total_tidak_sesuai": _check_totals,
    "nilai_tidak_sesuai": _check_scores,
    "tingkat_tidak_sesuai": _check_levels,
    "rata_rata_tidak_sesuai": _check_averages,
    "persen_di_luar_batas": _check_range,
    "volume_negatif": _check_negative,
    "volume_melebihi_penyebut": _check_exceeds,
    "persen_tidak_sesuai": _check_percent,
    "hitung_ulang_berbeda": _check_recompute,
}


# --------------------------------------------------------------------------- the audit


def _ignored(frame: pd.DataFrame, rules: RuleSet) -> tuple[str, ...]:
    codes = set(rules.codes)
    return tuple(
        c for c in frame.columns
        if c[:2] in ("v_", "p_", "n_") and len(c) == 4 and c[2:] not in codes
    )  # fmt: skip


def _assemble(t: _Table, pieces: list[dict]) -> pd.DataFrame:
    """Findings with the record's row, id and year, ordered by row, code and criterion."""
    f = t.frame
    cols = ["_pos", *FINDING_COLUMNS[3:]]
    found = pd.DataFrame({c: [x for p in pieces for x in p[c]] for c in cols})
    rank = {code: i for i, code in enumerate(FINDINGS)}
    keys = [*t.rules.codes, *(a.key for a in t.rules.aspects), SECTORAL_KEY]
    crit = {k: i for i, k in enumerate(keys)}
    found = found.assign(
        _r1=found["temuan"].map(rank), _r2=found["kriteria"].map(crit).fillna(-1)
    ).sort_values(["_pos", "_r1", "_r2"], kind="stable")
    pos = found["_pos"].to_numpy(dtype=np.int64)
    rows = f["_row"].to_numpy() if "_row" in f.columns else np.arange(2, len(f) + 2)
    out = pd.DataFrame({"baris": pd.array(np.asarray(rows, dtype=np.int64)[pos], dtype="Int64")})
    out["id"] = pd.array(f["id"].to_numpy(dtype=object)[pos] if "id" in f.columns else [pd.NA] * len(pos), dtype="string")  # fmt: skip
    out["tahun"] = pd.array(f["tahun"].to_numpy(dtype=object)[pos] if "tahun" in f.columns else [pd.NA] * len(pos), dtype="Int64")  # fmt: skip
    for col in FINDING_COLUMNS[3:]:
        out[col] = found[col].to_numpy(dtype=object)
    return out


def _summary(checks: dict[str, _Check], hits: dict[str, np.ndarray]) -> pd.DataFrame:
    rows = []
    for code in FINDINGS:
        check = checks[code]
        note = ("", "") if check.checked.any() else check.missing
        rows.append(
            {
                "temuan": code,
                "uraian": FINDING_LABELS[code][0],
                "description": FINDING_LABELS[code][1],
                "jumlah_temuan": int(len(hits[code])),
                "jumlah_baris": int(len(np.unique(hits[code]))),
                "baris_diperiksa": int(check.checked.sum()),
                "catatan": note[0],
                "note": note[1],
            }
        )
    return pd.DataFrame(rows)


def audit_published(
    frame: pd.DataFrame,
    *,
    rules: RuleSet | str | None = None,
    conventions: Mapping[str, str] | None = None,
) -> AuditResult:
    """Check every record of a published table (module docstring; domain.md §3–§4).

    Parameters
    ----------
    frame
        Canonical columns as read by :func:`kumuhgis.ingest.published.read_published`
        (numbers in their published units, ``tingkat`` a level code and
        ``tingkat_terbit`` the level as published; ``_row``, ``id``, ``tahun`` name the
        record). Any subset of the columns may be present. Not modified.
    rules
        The rule set (criteria, denominators, bands, levels); default: permen-14-2018.
    conventions
        ``{percentage column: "proporsi" | "persen"}``; unlisted columns are percent.

    Returns
    -------
    AuditResult
    """
    rules = load_rules(rules)
    t = _Table(frame.reset_index(drop=True), rules, dict(conventions or {}))
    checks = {code: check(t) for code, check in _CHECKS.items()}
    pieces = [p for c in checks.values() for p in c.pieces]
    hits = {
        code: np.concatenate([np.zeros(0, np.int64), *(p["_pos"] for p in c.pieces)])
        for code, c in checks.items()
    }
    flagged = np.unique(np.concatenate(list(hits.values())))
    return AuditResult(
        findings=_assemble(t, pieces)[list(FINDING_COLUMNS)],
        summary=_summary(checks, hits),
        records=len(t.frame),
        clean_records=len(t.frame) - len(flagged),
        rules=rules,
        ignored=_ignored(t.frame, rules),
    )
