"""Slum scoring per RT and year: volumes → percentages → scores → total → level.

Implements domain.md §4 exactly, vectorised over all rows (contracts.md "Score output").

Exact decimal arithmetic without Python ``Decimal`` per cell
-----------------------------------------------------------
Every volume and denominator is scaled to an integer number of millionths
(``V = round(v × 10⁶)``), so the decimal a user typed (at most six decimals) is held
exactly in ``int64``. A percentage rounded half up to two decimals, in hundredths of a
percent, is then one integer division::

    P = round_half_up(10000 × V / D) = (2 × 10000 × V + D) // (2 × D)      (V, D ≥ 0, D > 0)

e.g. 26.315 % (``V/D = 0.26315``) gives ``P = 2632`` → 26.32, where a binary float rounds
to 26.31. Aspect averages use the same identity on the sum of the rounded percentages:
``A = (2 × ΣP + n) // (2 × n)``.

Precision limit: inputs are read to 6 decimals (a seventh decimal is rounded away) and
each cell may be at most :data:`MAX_VALUE` (4 × 10⁸; the capped numerator
``2 × 10⁴ × V`` must fit in 63 bits). Real RT figures are many orders of magnitude smaller.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kumuhgis.core.errors import Problem, UsageError, ValidationError
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = [
    "MICRO",
    "MAX_VALUE",
    "LEVEL_COLUMN",
    "TOTAL_COLUMN",
    "SECTORAL_COLUMN",
    "to_micro",
    "percent_hundredths",
    "average_hundredths",
    "score",
    "score_columns",
    "ScoredYears",
    "explain",
    "condition_year",
    "score_labels",
    "level_summary",
]

#: Scale of the exact integer representation of inputs (millionths).
MICRO = 1_000_000
#: Largest volume or denominator accepted in one cell (see the module docstring).
MAX_VALUE = 400_000_000
TOTAL_COLUMN = "total_nilai"
LEVEL_COLUMN = "tingkat"
SECTORAL_COLUMN = "rata_sektoral"


# --------------------------------------------------------------------------- integer core


def to_micro(values) -> np.ndarray:
    """Scale decimal inputs to exact ``int64`` millionths: ``round(v × 10⁶)``.

    ``values`` must be finite; callers validate first (:func:`score` does).
    """
    arr = np.asarray(values, dtype=np.float64)
    return np.rint(arr * MICRO).astype(np.int64)


def percent_hundredths(volume_micro: np.ndarray, denominator_micro: np.ndarray) -> np.ndarray:
    """Percentage rounded half up to two decimals, in hundredths (domain.md §4.1–§4.2).

    ``p = 100 × v / d`` capped at 100, and 0 when ``d = 0``; returned as the integer
    ``P = round_half_up(100 p) = (2 × 10000 × min(V, D) + D) // (2 × D)``.

    Parameters
    ----------
    volume_micro, denominator_micro
        Non-negative ``int64`` millionths (:func:`to_micro`), broadcastable.

    Returns
    -------
    numpy.ndarray
        ``int64`` hundredths of a percent (0 … 10000).
    """
    v = np.asarray(volume_micro, dtype=np.int64)
    d = np.asarray(denominator_micro, dtype=np.int64)
    v = np.minimum(v, d)  # cap at 100 %
    positive = d > 0
    den = np.where(positive, 2 * d, 1)
    return np.where(positive, (20_000 * v + d) // den, 0)


def average_hundredths(hundredths_sum: np.ndarray, count: int) -> np.ndarray:
    """Mean of ``count`` values given as their integer sum, rounded half up (domain.md §4.4).

    ``A = round_half_up(S / n) = (2 S + n) // (2 n)`` for ``S ≥ 0``.
    """
    s = np.asarray(hundredths_sum, dtype=np.int64)
    return (2 * s + count) // (2 * count)


# --------------------------------------------------------------------------- scoring


def score_columns(rules: RuleSet) -> list[str]:
    """The columns :func:`score` adds, in output order."""
    return [
        *(c.p_column for c in rules.criteria),
        *(c.n_column for c in rules.criteria),
        *rules.aspect_columns,
        SECTORAL_COLUMN,
        TOTAL_COLUMN,
        LEVEL_COLUMN,
    ]


def _row_labels(frame: pd.DataFrame) -> np.ndarray:
    """Row numbers a user sees: the reader's ``_row`` when present, else position + 2."""
    if "_row" in frame.columns:
        return pd.to_numeric(frame["_row"], errors="coerce").fillna(0).astype(int).to_numpy()
    return np.arange(2, len(frame) + 2)


def _who(frame: pd.DataFrame, i: int) -> str:
    parts = []
    if "kode_rt" in frame.columns:
        parts.append(f"RT {frame['kode_rt'].iloc[i]}")
    if "tahun" in frame.columns:
        parts.append(f"tahun {frame['tahun'].iloc[i]}")
    return " ".join(parts)


def _numeric_inputs(frame: pd.DataFrame, rules: RuleSet) -> dict[str, np.ndarray]:
    """Every volume and denominator column as float64, after collecting every problem."""
    needed = list(dict.fromkeys([*rules.volume_columns, *rules.denominator_columns]))
    problems: list[Problem] = []
    missing = [c for c in needed if c not in frame.columns]
    for c in missing:
        problems.append(
            Problem(
                None,
                c,
                None,
                f"kolom '{c}' diperlukan oleh aturan {rules.name} tetapi tidak ada",
                f"column '{c}' is needed by rule set {rules.name} but is missing",
                "tambahkan kolom itu, atau pilih aturan lain dengan --rules",
                "add the column, or choose another rule set with --rules",
            )
        )
    values: dict[str, np.ndarray] = {}
    rows = _row_labels(frame)
    for c in needed:
        if c in missing:
            continue
        col = frame[c]
        try:
            arr = pd.to_numeric(col, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            arr = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            bad_text = np.isnan(arr) & col.notna().to_numpy()
            for i in np.flatnonzero(bad_text):
                problems.append(
                    Problem(
                        int(rows[i]), c, str(col.iloc[i]),
                        f"{_who(frame, i)}: bukan angka", f"{_who(frame, i)}: not a number",
                        "tulis angka, mis. 1234,5 atau 1234.5", "write a number, e.g. 1234.5",
                    )
                )  # fmt: skip
            arr = np.where(bad_text, 0.0, arr)
        bad = ~np.isfinite(arr) | (arr < 0) | (arr > MAX_VALUE)
        for i in np.flatnonzero(bad):
            v = arr[i]
            if np.isnan(v):
                what = (
                    "kosong; setiap volume dan penyebut perlu nilai",
                    "empty; every volume and denominator needs a value",
                )
                fix = (
                    "isi nilainya (0 bila tidak ada masalah)",
                    "fill it in (0 when there is no problem)",
                )
            elif v < 0:
                what = ("bernilai negatif", "is negative")
                fix = (
                    "volume dan penyebut tidak boleh negatif",
                    "volumes and denominators cannot be negative",
                )
            else:
                what = (f"melebihi batas {MAX_VALUE:,}", f"exceeds the limit {MAX_VALUE:,}")
                fix = ("periksa satuannya", "check the unit")
            who = _who(frame, i)
            problems.append(
                Problem(
                    int(rows[i]), c, None if np.isnan(v) else repr(float(v)),
                    f"{who}: {what[0]}".lstrip(": "), f"{who}: {what[1]}".lstrip(": "), fix[0], fix[1],
                )
            )  # fmt: skip
        values[c] = arr
    if problems:
        raise ValidationError(problems, source="input penilaian / scoring input", layer="baseline")
    return values


@dataclass(frozen=True)
class _Core:
    """Integer results, one row per criterion/aspect (C-contiguous ``(k, n)`` arrays)."""

    p: np.ndarray  # (criteria, rows) int64 hundredths
    n: np.ndarray  # (criteria, rows) int64 scores
    aspect: np.ndarray  # (aspects, rows) int64 hundredths
    sectoral: np.ndarray  # (rows,) int64 hundredths
    total: np.ndarray  # (rows,) int64
    level: np.ndarray  # (rows,) object codes


def _score_core(values: dict[str, np.ndarray], rules: RuleSet, n_rows: int) -> _Core:
    micro = {c: to_micro(v) for c, v in values.items()}
    p = np.empty((len(rules.criteria), n_rows), dtype=np.int64)
    for j, c in enumerate(rules.criteria):
        p[j] = percent_hundredths(micro[c.volume], micro[c.denominator])
    n = rules.scores_for(p)  # highest band whose minimum the rounded percentage reaches
    index = {c.code: j for j, c in enumerate(rules.criteria)}
    aspect = np.empty((len(rules.aspects), n_rows), dtype=np.int64)
    for k, a in enumerate(rules.aspects):
        rows = [index[code] for code in a.codes]
        aspect[k] = average_hundredths(p[rows].sum(axis=0), len(rows))
    sectoral = average_hundredths(aspect.sum(axis=0), len(rules.aspects))
    total = n.sum(axis=0)
    level = rules.levels_for(total)
    return _Core(p=p, n=n, aspect=aspect, sectoral=sectoral, total=total, level=level)


def score(
    frame: pd.DataFrame,
    *,
    rules: RuleSet | str | None = None,
    settings: dict | None = None,
) -> pd.DataFrame:
    """Score every row (one RT in one year) by domain.md §4.

    For every criterion ``c`` of the rule set, with ``v`` its volume column and ``d`` its
    denominator column:

    1. ``p_c = 100 × v / d``, capped at 100; ``d = 0`` gives 0 (§4.1);
    2. rounded half up to two decimals, exactly (§4.2; see the module docstring);
    3. ``n_c`` = the score band reached by the rounded ``p_c``: ≥ 76 → 5, ≥ 51 → 3,
       ≥ 25 → 1, else 0 under both shipped rule sets (§4.3);
    4. aspect average ``rata_<aspek>`` = mean of the aspect's rounded ``p_c``, rounded half
       up; ``rata_sektoral`` = mean of the aspect averages, rounded half up (§4.4);
    5. ``total_nilai = Σ n_c``; ``tingkat`` = the level whose range holds the total
       (14/2018: 60–80 KB, 38–59 KS, 16–37 KR, below 16 TK) (§4.5).

    Parameters
    ----------
    frame
        Rows with the rule set's volume and denominator columns (contracts.md
        "baseline"). Not modified. Output columns already present are replaced.
    rules
        A rule set or its name; ``None`` → the project default (:func:`kumuhgis.core.rules.load_rules`).
    settings
        Project settings holding rule overrides (used when ``rules`` is a name or None).

    Returns
    -------
    pandas.DataFrame
        The input columns followed by ``p_<c>`` (float, two decimals), ``n_<c>`` (int),
        the seven ``rata_*`` columns, ``rata_sektoral``, ``total_nilai`` and ``tingkat``,
        on the input's index.

    Raises
    ------
    ValidationError
        A needed column is missing, or a value is empty, negative, not a number or above
        :data:`MAX_VALUE`; every problem is listed, with row and column.
    """
    rules = load_rules(rules, settings=settings)
    values = _numeric_inputs(frame, rules)
    core = _score_core(values, rules, len(frame))
    idx = frame.index
    # 2-D blocks built from (k, n) arrays: .T is the layout pandas stores, so no copy
    parts = [
        pd.DataFrame(
            (core.p / 100).T, index=idx, columns=[c.p_column for c in rules.criteria], copy=False
        ),
        pd.DataFrame(core.n.T, index=idx, columns=[c.n_column for c in rules.criteria], copy=False),
        pd.DataFrame(
            (core.aspect / 100).T, index=idx, columns=list(rules.aspect_columns), copy=False
        ),
        pd.DataFrame(
            {
                SECTORAL_COLUMN: core.sectoral / 100,
                TOTAL_COLUMN: core.total,
                LEVEL_COLUMN: pd.array(core.level, dtype="str"),
            },
            index=idx,
        ),
    ]
    base = frame.drop(columns=[c for c in _all_score_columns() if c in frame.columns])
    return pd.concat([base, *parts], axis=1)


@functools.cache
def _all_score_columns() -> frozenset[str]:
    """Every column any shipped rule set's :func:`score` writes (dropped before rescoring)."""
    from kumuhgis.core.rules import available_rules

    cols: set[str] = set()
    for name in available_rules():
        cols.update(score_columns(load_rules(name)))
    return frozenset(cols)


@dataclass(frozen=True)
class ScoredYears:
    """Scores of every RT and year of a project, with the trace of derived years."""

    scores: pd.DataFrame  # score output + asal
    trace: pd.DataFrame  # kumuhgis.analysis.years trace table
    rules: RuleSet


def condition_year(years, year: int | None = None) -> int:
    """``year`` if RT conditions exist for it, else the latest year when ``year`` is None.

    The one check behind every ``--year``/``tahun`` option; raises :class:`UsageError`
    (exit status 2) naming the years that do exist.
    """
    present = sorted({int(y) for y in years})
    if not present:
        raise UsageError(
            "Belum ada kondisi RT (baseline kosong) / no RT conditions yet (empty baseline)"
        )
    if year is None:
        return present[-1]
    if int(year) not in present:
        listed = ", ".join(map(str, present))
        raise UsageError(
            f"Tidak ada kondisi RT untuk tahun {year}; tahun yang ada (survei atau kolaborasi): {listed} / "
            f"no RT conditions for {year}; years with surveys or kolaborasi: {listed}"
        )
    return int(year)


# --------------------------------------------------------------------------- explain


def _fmt(x, decimals: int = 2, lang: str = "id") -> str:
    from kumuhgis.core.numeric import format_number_id

    if lang == "id":
        return format_number_id(x, decimals)
    from decimal import ROUND_HALF_UP, Decimal

    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{q:,.{decimals}f}"


def _fmt_vol(x, lang: str) -> str:
    """A volume with as many decimals as it needs (up to 6)."""
    if x is None or pd.isna(x):
        return "-"
    x = float(x)
    for d in (0, 1, 2, 3, 4, 5, 6):
        if round(x, d) == x:
            return _fmt(x, d, lang)
    return _fmt(x, 6, lang)


_TEXT = {
    "id": {
        "head": "Penjelasan nilai kumuh RT {rt}, tahun {tahun}",
        "rules": "Aturan: {title}",
        "observed": "Asal data: hasil survei (baseline) tahun {tahun}.",
        "derived": "Asal data: turunan — kondisi tahun {prev} dikurangi volume kolaborasi tahun {tahun} yang berada di dalam RT ini (domain.md §5).",
        "header": "Data RT: luas {luas} ha; {bangunan} bangunan; {kk} KK; {penduduk} jiwa; jalan ideal {jalan} m; drainase ideal {drain} m.",
        "step1": "1. Volume → persentase → nilai (persen = 100 × volume ÷ penyebut, maks. 100, dibulatkan setengah ke atas dua desimal; ≥76 → 5, ≥51 → 3, ≥25 → 1, lainnya 0):",
        "line": "   {kode} {label}: {v} {unit} dari {d} ({den}) = {p}% → nilai {n}",
        "zero": "   {kode} {label}: penyebut {den} = 0, maka persentase 0% → nilai 0",
        "step2": "2. Rata-rata kondisi per aspek (rata-rata persentase yang sudah dibulatkan):",
        "aspect": "   {label}: {p}%",
        "sect": "   Rata-rata sektoral (rata-rata ketujuh aspek): {p}%",
        "step3": "3. Total nilai = jumlah nilai {k} kriteria = {total} (dari maks. {max}).",
        "step4": "4. Tingkat: total {total} berada pada rentang {lo}–{hi} → {label} ({code}).",
        "change": "5. Perubahan sejak {prev}: total nilai {t0} → {t1}; tingkat {l0} → {l1}; rata-rata sektoral {s0}% → {s1}%.",
        "nochange_vol": "   Tidak ada volume yang berubah.",
        "first": "5. Tidak ada data tahun sebelumnya untuk RT ini; ini tahun pertamanya.",
        "vchange": "   {kode} {label}: volume {a} → {b} {unit} ({p0}% → {p1}%, nilai {n0} → {n1})",
        "cause": "      karena kolaborasi: {items}",
        "cause_capped": "      (volume kolaborasi {k} {unit} lebih besar dari sisa masalah; volume tidak bisa di bawah 0)",
        "survey": "      menurut survei baru tahun {tahun}",
        "survey_k": "      menurut survei baru tahun {tahun} (kolaborasi tercatat di RT ini tahun itu: {items})",
    },
    "en": {
        "head": "Slum score explained for RT {rt}, year {tahun}",
        "rules": "Rule set: {title}",
        "observed": "Source: survey (baseline) of {tahun}.",
        "derived": "Source: derived — the {prev} condition minus the volume of {tahun} kolaborasi lying inside this RT (domain.md §5).",
        "header": "RT data: area {luas} ha; {bangunan} buildings; {kk} households; {penduduk} people; ideal road {jalan} m; ideal drainage {drain} m.",
        "step1": "1. Volume → percentage → score (percent = 100 × volume ÷ denominator, max 100, rounded half up to two decimals; ≥76 → 5, ≥51 → 3, ≥25 → 1, else 0):",
        "line": "   {kode} {label}: {v} {unit} of {d} ({den}) = {p}% → score {n}",
        "zero": "   {kode} {label}: denominator {den} = 0, so 0% → score 0",
        "step2": "2. Aspect averages (mean of the rounded percentages):",
        "aspect": "   {label}: {p}%",
        "sect": "   Sectoral average (mean of the seven aspects): {p}%",
        "step3": "3. Total score = sum of the {k} criterion scores = {total} (of max. {max}).",
        "step4": "4. Level: total {total} lies in {lo}–{hi} → {label} ({code}).",
        "change": "5. Change since {prev}: total {t0} → {t1}; level {l0} → {l1}; sectoral average {s0}% → {s1}%.",
        "nochange_vol": "   No volume changed.",
        "first": "5. No earlier year for this RT; this is its first year.",
        "vchange": "   {kode} {label}: volume {a} → {b} {unit} ({p0}% → {p1}%, score {n0} → {n1})",
        "cause": "      because of kolaborasi: {items}",
        "cause_capped": "      (kolaborasi volume {k} {unit} exceeds the remaining gap; a volume cannot go below 0)",
        "survey": "      according to the new {tahun} survey",
        "survey_k": "      according to the new {tahun} survey (kolaborasi recorded in this RT that year: {items})",
    },
}


def _kolab_items(codes: str, kolaborasi: pd.DataFrame | None, lang: str) -> str:
    if not codes:
        return ""
    out = []
    for code in str(codes).split(";"):
        code = code.strip()
        if not code:
            continue
        text = code
        if kolaborasi is not None and len(kolaborasi) and "kode_kegiatan" in kolaborasi.columns:
            hit = kolaborasi[kolaborasi["kode_kegiatan"].astype(str) == code]
            if len(hit):
                row = hit.iloc[0]
                bits = [str(row.get("nama_kegiatan", "") or "")]
                if "sumber_dana" in row and pd.notna(row["sumber_dana"]):
                    bits.append(str(row["sumber_dana"]))
                if "volume" in row and pd.notna(row["volume"]):
                    bits.append(
                        f"{_fmt_vol(row['volume'], lang)} {row.get('satuan', '') or ''}".strip()
                    )
                text = f"{code} ({', '.join(b for b in bits if b)})"
        out.append(text)
    return "; ".join(out)


def explain(
    scores: pd.DataFrame,
    *,
    kode_rt: str,
    tahun: int | None = None,
    rules: RuleSet | str | None = None,
    trace: pd.DataFrame | None = None,
    kolaborasi: pd.DataFrame | None = None,
    rt: pd.DataFrame | None = None,
    lang: str = "id",
) -> str:
    """Plain-language breakdown of one RT's score in one year (domain.md §4–§5).

    Walks through volumes → percentages → scores → aspect averages → total → level, then
    what changed since the RT's previous year and which kolaborasi caused it (from the
    trace table of :func:`kumuhgis.analysis.years.derive_conditions`).

    Parameters
    ----------
    scores
        Score output (:func:`score`) for one or more years; needs ``kode_rt`` and
        ``tahun``; an ``asal`` column (observed/derived) is used when present.
    kode_rt, tahun
        The RT and year; ``tahun=None`` takes the RT's latest year.
    trace
        The trace table, to name the kolaborasi behind each change.
    kolaborasi
        The kolaborasi layer (or the attribution table), to give names and funding.
    rt
        The ``rt`` layer, to name the RT by its RT/RW numbers.
    lang
        ``"id"`` (Bahasa Indonesia, default) or ``"en"``.

    Raises
    ------
    UsageError
        The RT or year is not in ``scores``.
    """
    rules = load_rules(rules)
    t = _TEXT["en" if lang == "en" else "id"]
    rows = scores[scores["kode_rt"].astype(str) == str(kode_rt)]
    if rows.empty:
        raise UsageError(f"RT '{kode_rt}' tidak ditemukan / RT '{kode_rt}' not found")
    years = sorted(int(y) for y in rows["tahun"].dropna().unique())
    if tahun is None:
        tahun = years[-1]
    if int(tahun) not in years:
        raise UsageError(
            f"RT '{kode_rt}' tidak punya data tahun {tahun}; tahun yang ada: {', '.join(map(str, years))} / "
            f"RT '{kode_rt}' has no data for {tahun}; years present: {', '.join(map(str, years))}"
        )
    cur = rows[rows["tahun"] == int(tahun)].iloc[0]
    earlier = [y for y in years if y < int(tahun)]
    prev = rows[rows["tahun"] == earlier[-1]].iloc[0] if earlier else None
    lines = _explain_head(cur, prev, kode_rt, tahun, earlier, rules, rt, t, lang)
    lines += _explain_steps(cur, rules, t, lang)
    lines.append("")
    if prev is None:
        lines.append(t["first"])
        return "\n".join(lines)
    lines += _explain_change(
        cur, prev, earlier[-1], kode_rt, tahun, rules, trace, kolaborasi, t, lang
    )
    return "\n".join(lines)


def _explain_head(cur, prev, kode_rt, tahun, earlier, rules, rt, t, lang) -> list[str]:
    """Title, rule set, where the data comes from (survey or derived) and the RT header."""
    rt_name = str(kode_rt)
    names = cur
    if rt is not None and len(rt) and {"kode_rt", "rt", "rw"} <= set(rt.columns):
        hit = rt[rt["kode_rt"].astype(str) == str(kode_rt)]
        names = hit.iloc[0] if len(hit) else cur
    if "rt" in names and "rw" in names and pd.notna(names.get("rt")) and pd.notna(names.get("rw")):
        rt_name = f"{names['rt']}/RW {names['rw']} ({kode_rt})"
    lines = [
        t["head"].format(rt=rt_name, tahun=tahun),
        t["rules"].format(title=getattr(rules, f"title_{lang if lang == 'en' else 'id'}")),
    ]
    asal = str(cur.get("asal", "observed"))
    if asal == "derived" and prev is not None:
        lines.append(t["derived"].format(prev=earlier[-1], tahun=tahun))
    else:
        lines.append(t["observed"].format(tahun=tahun))

    def g(name, d=0):
        return _fmt_vol(cur[name], lang) if name in cur and pd.notna(cur[name]) else "-"

    lines.append(
        t["header"].format(
            luas=_fmt(cur["luas_ha"], 2, lang) if "luas_ha" in cur else "-",
            bangunan=g("jumlah_bangunan"),
            kk=g("jumlah_kk"),
            penduduk=g("jumlah_penduduk"),
            jalan=g("panjang_jalan_ideal_m"),
            drain=g("panjang_drainase_ideal_m"),
        )
    )
    lines.append("")
    return lines


def _explain_steps(cur, rules: RuleSet, t: dict, lang: str) -> list[str]:
    """Steps 1–4: volume → percentage → score per criterion, aspect averages, total, level."""
    lab = "label_en" if lang == "en" else "label_id"
    lines = [t["step1"]]
    for c in rules.criteria:
        d = cur[c.denominator]
        if not d:
            lines.append(t["zero"].format(kode=c.code, label=getattr(c, lab), den=c.denominator))
            continue
        lines.append(
            t["line"].format(
                kode=c.code,
                label=getattr(c, lab),
                v=_fmt_vol(cur[c.volume], lang),
                unit=c.unit,
                d=_fmt_vol(d, lang),
                den=c.denominator,
                p=_fmt(cur[c.p_column], 2, lang),
                n=int(cur[c.n_column]),
            )
        )
    lines.append(t["step2"])
    for a in rules.aspects:
        lines.append(t["aspect"].format(label=getattr(a, lab), p=_fmt(cur[a.column], 2, lang)))
    lines.append(t["sect"].format(p=_fmt(cur[SECTORAL_COLUMN], 2, lang)))
    total = int(cur[TOTAL_COLUMN])
    level = rules.level(str(cur[LEVEL_COLUMN]))
    lo, hi = rules.level_range(level.code)
    lines.append(t["step3"].format(k=len(rules.criteria), total=total, max=rules.max_total))
    lines.append(
        t["step4"].format(total=total, lo=lo, hi=hi, label=getattr(level, lab), code=level.code)
    )
    return lines


def _explain_change(
    cur, prev, prev_year, kode_rt, tahun, rules, trace, kolaborasi, t, lang
) -> list[str]:
    """Step 5: what changed since the RT's previous year, and the kolaborasi or survey
    behind each changed volume (the trace table)."""
    lab = "label_en" if lang == "en" else "label_id"
    level = rules.level(str(cur[LEVEL_COLUMN]))
    lines = [
        t["change"].format(
            prev=prev_year,
            t0=int(prev[TOTAL_COLUMN]),
            t1=int(cur[TOTAL_COLUMN]),
            l0=prev[LEVEL_COLUMN],
            l1=level.code,
            s0=_fmt(prev[SECTORAL_COLUMN], 2, lang),
            s1=_fmt(cur[SECTORAL_COLUMN], 2, lang),
        )
    ]
    asal = str(cur.get("asal", "observed"))
    tr = None
    if trace is not None and len(trace):
        tr = trace[(trace["kode_rt"].astype(str) == str(kode_rt)) & (trace["tahun"] == int(tahun))]
        tr = tr.set_index("kriteria")
    changed = False
    for c in rules.criteria:
        a, b = prev[c.volume], cur[c.volume]
        if not (pd.isna(a) or pd.isna(b)) and float(a) == float(b):
            continue
        changed = True
        lines.append(
            t["vchange"].format(
                kode=c.code,
                label=getattr(c, lab),
                a=_fmt_vol(a, lang),
                b=_fmt_vol(b, lang),
                unit=c.unit,
                p0=_fmt(prev[c.p_column], 2, lang),
                p1=_fmt(cur[c.p_column], 2, lang),
                n0=int(prev[c.n_column]),
                n1=int(cur[c.n_column]),
            )
        )
        if tr is not None and c.code in tr.index:
            row = tr.loc[c.code]
            items = _kolab_items(row.get("kode_kegiatan", ""), kolaborasi, lang)
            if row.get("asal") == "derived" and items:
                lines.append(t["cause"].format(items=items))
                if float(row["volume_kolaborasi"]) > float(row["volume_subtracted"]):
                    lines.append(
                        t["cause_capped"].format(
                            k=_fmt_vol(row["volume_kolaborasi"], lang), unit=c.unit
                        )
                    )
            elif row.get("asal") == "observed":
                lines.append(
                    (t["survey_k"] if items else t["survey"]).format(tahun=tahun, items=items)
                )
        elif asal == "observed":
            lines.append(t["survey"].format(tahun=tahun))
    if not changed:
        lines.append(t["nochange_vol"])
    return lines


# --------------------------------------------------------------------------- labels and summary

_BASE_LABELS = {
    "kode_rt": ("Kode RT", ""),
    "tahun": ("Tahun", ""),
    "asal": ("Asal data (observed = survei, derived = turunan)", ""),
    "luas_ha": ("Luas RT", "ha"),
    "sumber_luas": ("Sumber luas", ""),
    "jumlah_bangunan": ("Jumlah bangunan", "unit"),
    "jumlah_penduduk": ("Jumlah penduduk", "jiwa"),
    "jumlah_kk": ("Jumlah KK", "KK"),
    "panjang_jalan_ideal_m": ("Panjang jalan ideal", "m"),
    "panjang_drainase_ideal_m": ("Panjang drainase ideal", "m"),
    "panjang_jalan_eksisting_m": ("Panjang jalan eksisting", "m"),
    "legalitas": ("Legalitas lahan", ""),
    "nilai_strategis": ("Lokasi strategis", ""),
    "sosial_ekonomi": ("Potensi sosial ekonomi", ""),
    "tipologi": ("Tipologi", ""),
    SECTORAL_COLUMN: ("Rata-rata sektoral", "%"),
    TOTAL_COLUMN: ("Total nilai", ""),
    LEVEL_COLUMN: ("Tingkat kekumuhan", ""),
}


def score_labels(rules: RuleSet) -> dict[str, tuple[str, str]]:
    """Indonesian header label and unit of every score-output column."""
    labels = dict(_BASE_LABELS)
    for c in rules.criteria:
        labels[c.volume] = (f"Volume {c.code} {c.label_id}", c.unit)
        labels[c.p_column] = (f"Persen {c.code}", "%")
        labels[c.n_column] = (f"Nilai {c.code}", "")
    for a in rules.aspects:
        labels[a.column] = (f"Rata-rata {a.label_id.lower()}", "%")
    return labels


def level_summary(scores: pd.DataFrame, *, rules: RuleSet | str | None = None) -> pd.DataFrame:
    """Number of RTs and hectares per level per year (sums of RT figures, domain.md §2).

    Hectares are summed exactly (in millionths of a hectare) and converted at the end.
    """
    rules = load_rules(rules)
    micro = to_micro(pd.to_numeric(scores["luas_ha"], errors="coerce").fillna(0).to_numpy())
    frame = pd.DataFrame(
        {
            "tahun": pd.to_numeric(scores["tahun"]).astype("int64").to_numpy(),
            "tingkat": scores[LEVEL_COLUMN].astype(str).to_numpy(),
            "u": micro,
        }
    )
    years = sorted(frame["tahun"].unique())
    out = pd.DataFrame({"tahun": np.array(years, dtype=np.int64)})
    for lv in rules.levels:
        sub = frame[frame["tingkat"] == lv.code].groupby("tahun")
        out[f"jumlah_rt_{lv.code.lower()}"] = (
            sub.size().reindex(years, fill_value=0).to_numpy(dtype=np.int64)
        )
        out[f"luas_{lv.code.lower()}_ha"] = (
            sub["u"].sum().reindex(years, fill_value=0).to_numpy(dtype=np.int64) / MICRO
        )
    kumuh = ~frame["tingkat"].isin(rules.not_kumuh_codes)
    out["luas_kumuh_ha"] = (
        frame[kumuh]
        .groupby("tahun")["u"]
        .sum()
        .reindex(years, fill_value=0)
        .to_numpy(dtype=np.int64)
        / MICRO
    )
    out["luas_ha"] = (
        frame.groupby("tahun")["u"].sum().reindex(years, fill_value=0).to_numpy(dtype=np.int64)
        / MICRO
    )
    return out
