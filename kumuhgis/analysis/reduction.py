"""Hectare reduction of slums, year by year (domain.md §5), rolled up per domain.md §2.

Three measures, always labelled and never mixed:

1. **Luas kumuh (resmi, biner per RT)** — an RT's whole ``luas_ha`` counts while its level
   is not TK; ``pengurangan = luas kumuh(Y0) − luas kumuh(t)``; hectares per level per year.
2. **Hektar setara per kriteria (per parameter)** — ``ha_c = luas_ha × p_c / 100`` with the
   rounded percentage ``p_c`` of criterion ``c``; reduction ``ha_c(Y0) − ha_c(t)``; an
   aspect's hectare-equivalent is the mean of its criteria's, the sectoral one the mean of
   the aspects' (the same averaging as ``rata_*`` and ``rata_sektoral``, domain.md §4.4).
3. **Kontribusi penanganan (indikator proporsional)** — per RT
   ``k = clip((sektoral(t−1) − sektoral(t)) / sektoral(t−1), 0, 1)`` and
   ``ha = luas_ha × k``. Areas add ``ha``; their ratio is ``Σ ha / Σ luas_ha``.

Exact sums. Every hectare figure is held per RT and year as an ``int64`` count of
10⁻¹⁰ ha (:data:`HA_UNIT`): ``luas = round(luas_ha × 10⁶) × 10⁴``, ``ha_c = round(luas_ha
× 10⁶) × P_c`` (``P_c`` the percentage in hundredths), and the kontribusi hectares rounded
half up to that unit. Kawasan, kelurahan, kecamatan and kota figures are integer sums of
RT figures (never averages of percentages, domain.md §2), so kelurahan figures add up to
the city figure exactly; conversion to float hectares happens only in the output frames.
Limit: at most 10 000 ha per RT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kumuhgis.analysis.scoring import LEVEL_COLUMN, MICRO, SECTORAL_COLUMN, to_micro
from kumuhgis.analysis.targets import (
    TARGET_KEY,
    TARGET_KIND_KEY,
    target_series,
    targets_from_settings,
)
from kumuhgis.analysis.units import fill_units, rt_kawasan, rt_units
from kumuhgis.core.errors import Problem, UsageError, ValidationError
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = [
    "HA_UNIT",
    "BY_CHOICES",
    "SCOPES",
    "SCOPE_LABELS",
    "TARGET_KEY",
    "TARGET_KIND_KEY",
    "targets_from_settings",
    "Reduction",
    "rt_kawasan",
    "rt_units",
    "rt_measures",
    "reduction",
    "group_keys",
]

#: Integer hectare figures count units of 10⁻¹⁰ ha.
HA_UNIT = 10**10
_HA_PER_MICRO = HA_UNIT // MICRO  # 10⁴
_MAX_LUAS_HA = 10_000
BY_CHOICES = ("rt", "kawasan", "kelurahan", "kecamatan", "kota", "kriteria")
#: Scopes of the reduction views (domain.md §5): the SK in force (official) or the city.
SCOPES = ("sk", "kota")
#: The scope lines, in words.
SCOPE_LABELS = {
    "sk": "SK yang berlaku (RT di dalam kawasannya; angka resmi)",
    "kota": "Seluruh kota (semua RT)",
    "kumuh_di_luar_sk": "Kumuh di luar SK (RT kumuh di luar semua kawasan SK; calon SK berikutnya)",
}

_KEYS = {
    "rt": (["kode_rt"], ["rt", "rw", "kode_kel", "kelurahan", "kode_kawasan"]),
    "kawasan": (["kode_kawasan"], ["nama_kawasan"]),
    "kelurahan": (["kode_kel"], ["kelurahan", "kecamatan"]),
    "kecamatan": (["kecamatan"], ["kota"]),
    "kota": (["kota"], []),
}


# --------------------------------------------------------------------------- RT → units


# --------------------------------------------------------------------------- RT measures


def rt_measures(scores: pd.DataFrame, *, rules: RuleSet | str | None = None) -> pd.DataFrame:
    """Integer hectare measures of every RT and year (domain.md §5), in 10⁻¹⁰ ha.

    From the score output (contracts.md "Score output"): ``luas_u`` (``luas_ha``),
    ``kumuh_u`` (``luas_ha`` when the level is kumuh, else 0), ``lvl_<code>_u`` (per
    level), ``ha_<c>_u = round(luas_ha × 10⁶) × P_c`` for each criterion (``P_c`` the
    rounded percentage in hundredths, so ``ha_c = luas_ha × p_c / 100``) and ``S`` (the
    sectoral average in hundredths). ``kontribusi_u`` is added by :func:`reduction`.
    """
    rules = load_rules(rules)
    need = [
        "kode_rt",
        "tahun",
        "luas_ha",
        LEVEL_COLUMN,
        SECTORAL_COLUMN,
        *(c.p_column for c in rules.criteria),
    ]
    missing = [c for c in need if c not in scores.columns]
    if missing:
        raise UsageError(
            f"Kolom hasil penilaian tidak lengkap: {', '.join(missing)} / score output lacks {', '.join(missing)}"
        )
    luas = pd.to_numeric(scores["luas_ha"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = ~np.isfinite(luas) | (luas < 0) | (luas > _MAX_LUAS_HA)
    if bad.any():
        problems = [
            Problem(
                int(i) + 2, "luas_ha", repr(float(luas[i])),
                f"RT {scores['kode_rt'].iloc[i]} tahun {scores['tahun'].iloc[i]}: luas kosong, negatif atau > {_MAX_LUAS_HA} ha",
                f"RT {scores['kode_rt'].iloc[i]} year {scores['tahun'].iloc[i]}: area empty, negative or > {_MAX_LUAS_HA} ha",
                "isi luas_ha atau sediakan poligon RT", "fill luas_ha or provide the RT polygon",
            )
            for i in np.flatnonzero(bad)
        ]  # fmt: skip
        raise ValidationError(problems, source="luas RT", layer="baseline")
    micro = to_micro(luas)
    level_text = scores[LEVEL_COLUMN].astype("str")
    level_of, level_codes = pd.factorize(level_text)  # a few codes: compare integers
    is_level = {lv.code: level_of == _code_of(level_codes, lv.code) for lv in rules.levels}
    kumuh = ~np.isin(level_of, [_code_of(level_codes, c) for c in rules.not_kumuh_codes])
    cols: dict[str, np.ndarray | pd.Series] = {
        "kode_rt": scores["kode_rt"].astype("str"),
        "tahun": pd.to_numeric(scores["tahun"]).astype("int64").to_numpy(),
        "tingkat": level_text,
        "luas_u": micro * _HA_PER_MICRO,
        "kumuh_u": np.where(kumuh, micro * _HA_PER_MICRO, 0),
        "S": np.rint(scores[SECTORAL_COLUMN].to_numpy(dtype=np.float64) * 100).astype(np.int64),
    }
    for lv in rules.levels:
        cols[f"lvl_{lv.code}_u"] = np.where(is_level[lv.code], micro * _HA_PER_MICRO, 0)
        cols[f"lvl_{lv.code}_n"] = is_level[lv.code].astype(np.int64)
    for c in rules.criteria:
        p = np.rint(scores[c.p_column].to_numpy(dtype=np.float64) * 100).astype(np.int64)
        cols[f"ha_{c.code}_u"] = micro * p
    return pd.DataFrame(cols, index=scores.index)


def _code_of(codes: pd.Index, value: str) -> int:
    """The factorized code of ``value`` (−2, matching nothing, when absent)."""
    hit = codes.get_indexer([value])[0]
    return int(hit) if hit >= 0 else -2


def _kontribusi_u(luas_u: np.ndarray, s_prev: np.ndarray, s_cur: np.ndarray) -> np.ndarray:
    """``round_half_up(luas × clip((S_prev − S_cur) / S_prev, 0, 1))`` in 10⁻¹⁰ ha; 0 when
    ``S_prev`` is 0 or missing (domain.md §5, measure 3)."""
    ok = (s_prev > 0) & (s_cur < s_prev)
    drop = np.where(ok, s_prev - s_cur, 0)
    den = np.where(ok, s_prev, 1)
    return np.where(ok, (2 * luas_u * drop + den) // (2 * den), 0)


# --------------------------------------------------------------------------- result


def _ha(units, den: int = HA_UNIT) -> np.ndarray:
    """Float hectares of exact integer units (only at output): ``units / den`` correctly
    rounded (Python integer true division), so 0.593566 prints as 0.593566."""
    arr = np.asarray(units)
    if arr.ndim == 0:
        return np.float64(int(arr) / den)
    return np.array([int(x) / den for x in arr.astype(np.int64).tolist()], dtype=np.float64)


@dataclass(frozen=True)
class Reduction:
    """Outcome of :func:`reduction`: one frame per view, ready for CSV/XLSX/charts.

    ``wilayah``: the three measures per unit of ``by`` (kota when ``by="kriteria"``),
    from ``year_from`` to ``year_to``; ``parameter``: reduction in hectare-equivalent per
    criterion and aspect for each unit; ``kriteria``: city-wide hectare-equivalent per
    criterion, aspect and sectoral; ``per_tahun``: every year's hectares per level, luas
    kumuh, hectare-equivalent and kontribusi per unit; ``target``: the city's yearly
    reduction against the project's targets; ``totals``: exact city totals of the
    ``wilayah`` columns; ``jejak``: trace rows where a kolaborasi or a survey changed a
    volume. ``lingkup``: the scope of those views (``sk``: the RTs inside the kawasan of
    the SK in force, the official figures; ``kota``: every RT), ``lingkup_label`` what it
    is in words; ``lingkup_tabel``: the city totals of every measure for each scope —
    the SK, the whole city and the kumuh RTs outside every SK (domain.md §5).
    """

    year_from: int
    year_to: int
    by: str
    rules: RuleSet
    wilayah: pd.DataFrame
    parameter: pd.DataFrame
    kriteria: pd.DataFrame
    per_tahun: pd.DataFrame
    target: pd.DataFrame
    totals: dict = field(default_factory=dict)
    jejak: pd.DataFrame | None = None
    lingkup: str = "kota"
    lingkup_label: str = ""
    lingkup_tabel: pd.DataFrame | None = None

    @property
    def view(self) -> pd.DataFrame:
        """The frame a ``--by`` choice asks for (CSV output): units joined with their
        per-parameter reductions, or the per-criterion table for ``by="kriteria"``."""
        if self.by == "kriteria":
            return self.kriteria
        keys = _KEYS[self.by][0]
        return self.wilayah.merge(self.parameter, on=keys, how="left", suffixes=("", "_param"))


def group_keys(by: str) -> tuple[list[str], list[str]]:
    """The key columns of a ``--by`` unit and the label columns that go with them (kota for
    ``by="kriteria"``)."""
    return _KEYS["kota" if by == "kriteria" else by]


def _derived_units(
    sums: pd.DataFrame, rules: RuleSet
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Aspect and sectoral hectare-equivalents as exact integers, with their divisors.

    With ``L = lcm`` of the aspects' criterion counts, aspect ``a`` is
    ``Σ_{c∈a} H_c × (L / n_a)`` over ``L × HA_UNIT`` (the mean of its criteria) and the
    sectoral figure is the sum of those over ``L × n_aspects × HA_UNIT`` (the mean of the
    aspects). Being integers, differences and sums stay exact.
    """
    lcm = int(np.lcm.reduce([len(a.codes) for a in rules.aspects]))
    units: dict[str, np.ndarray] = {}
    for a in rules.aspects:
        tot = sum(sums[f"ha_{c}_u"].to_numpy(dtype=np.int64) for c in a.codes)
        units[a.key] = np.asarray(tot, dtype=np.int64) * (lcm // len(a.codes))
    units["sektoral"] = sum(units[a.key] for a in rules.aspects)
    dens = {a.key: lcm * HA_UNIT for a in rules.aspects}
    dens["sektoral"] = lcm * len(rules.aspects) * HA_UNIT
    return units, dens


def reduction(
    scores: pd.DataFrame,
    units: pd.DataFrame,
    *,
    year_from: int,
    year_to: int,
    by: str = "kelurahan",
    rules: RuleSet | str | None = None,
    targets: dict | None = None,
    target_kind: str = "kumulatif",
    trace: pd.DataFrame | None = None,
    scope: str = "sk",
    scope_label: str = "",
) -> Reduction:
    """The three reduction measures of domain.md §5, by RT, kawasan, kelurahan, kecamatan,
    kota or criterion, from ``year_from`` (the baseline year Y0) to ``year_to``.

    Per unit: ``luas kumuh(Y) = Σ luas_ha of RTs whose level is not TK``;
    ``pengurangan luas kumuh = luas kumuh(Y0) − luas kumuh(Y1)``; hectare-equivalent
    ``ha_c = Σ luas_ha × p_c / 100`` and its reduction ``ha_c(Y0) − ha_c(Y1)`` per criterion,
    per aspect (mean of its criteria) and sectoral (mean of the aspects); kontribusi
    ``ha = Σ luas_ha(Y1) × clip((s(Y0) − s(Y1)) / s(Y0), 0, 1)`` over RTs present in both
    years (``s`` the sectoral average), ratio ``Σ ha / Σ luas_ha``. Yearly figures use
    ``t − 1 → t``. All sums are exact (module docstring).

    Parameters
    ----------
    scores
        Score output for every RT and year in the range (:func:`kumuhgis.analysis.scoring.score`
        of :func:`kumuhgis.analysis.years.derive_conditions`).
    units
        :func:`rt_units` (RTs missing from it count under "(tidak diketahui)").
    year_from, year_to
        Y0 ≤ Y1; both must have scores.
    by
        One of :data:`BY_CHOICES`.
    targets
        ``{year: target in ha}`` (project setting ``target_pengurangan_ha``).
    target_kind
        ``"kumulatif"`` (default): each year's target is the reduction of luas kumuh since
        the project's baseline year aimed for by the end of that year (rebased on
        ``year_from`` when that year has a target too); ``"tahunan"``: the reduction
        aimed for within that year (project setting ``target_pengurangan_jenis``). Both
        the yearly and the cumulative target are reported either way.
    trace
        The trace table of :func:`kumuhgis.analysis.years.derive_conditions` (kept for ``jejak``).
    scope
        ``"sk"`` (default, the official figures): the views cover the RTs of ``units``
        with ``dalam_sk`` (:func:`kumuhgis.analysis.units.rt_units`; every RT when the
        units do not say); ``"kota"``: every RT. :attr:`Reduction.lingkup_tabel` gives both,
        and the kumuh RTs outside every SK kawasan, whatever ``scope`` is (domain.md §5).
    scope_label
        What the SK scope is, in words (e.g. ``"SK 188.45/287/HUK/2016"``).

    Raises
    ------
    UsageError
        Unknown ``by``; ``year_from > year_to``; a year without scores.
    """
    rules = load_rules(rules)
    y0, y1 = _checked_range(scores, by, year_from, year_to)
    if scope not in SCOPES:
        raise UsageError(
            f"Lingkup harus {' atau '.join(SCOPES)}, bukan {scope!r} / scope must be "
            f"{' or '.join(SCOPES)}, not {scope!r}"
        )
    years = list(range(y0, y1 + 1))
    m_all = _measures(scores, units, years, rules)
    m = m_all[m_all["dalam_sk"].to_numpy()] if scope == "sk" else m_all
    sums = _unit_sums(m, by, y0, y1, rules)
    wilayah, totals = _wilayah(sums, rules)
    parameter = _parameter(sums, rules, totals)
    return Reduction(
        year_from=y0,
        year_to=y1,
        by=by,
        rules=rules,
        wilayah=wilayah,
        parameter=parameter,
        kriteria=_kriteria(sums, rules),
        per_tahun=_per_tahun(sums, rules, y0),
        target=_target(m, years, targets or {}, target_kind),
        totals=totals,
        jejak=_jejak(trace, y0, y1),
        lingkup=scope,
        lingkup_label=scope_label or SCOPE_LABELS[scope],
        lingkup_tabel=_scope_table(m_all, y0, y1, rules, scope_label),
    )


def _scope_table(m: pd.DataFrame, y0: int, y1: int, rules: RuleSet, label: str) -> pd.DataFrame:
    """The city totals of every measure for each scope (domain.md §5): the SK (RTs with
    ``dalam_sk``), the whole city, and the RTs outside every SK kawasan that are kumuh in
    Y0 or Y1 ("kumuh di luar SK", candidates for the next SK)."""
    yr, rt = m["tahun"].to_numpy(), m["_rt"].to_numpy()
    kumuh_rt = np.zeros(int(rt.max()) + 1 if len(rt) else 0, dtype=bool)
    kumuh_rt[rt[((yr == y0) | (yr == y1)) & (m["kumuh_u"].to_numpy() > 0)]] = True
    ends = np.flatnonzero((yr == y0) | (yr == y1))  # only Y0 and Y1 are summed
    outside = (m["luar_semua_sk"].to_numpy() & kumuh_rt[rt])[ends]
    arrays = _ScopeArrays.of(m, rules, ends)
    yr = yr[ends]
    rows = []
    for key, text, sel in (
        ("sk", label or SCOPE_LABELS["sk"], m["dalam_sk"].to_numpy()[ends]),
        ("kota", SCOPE_LABELS["kota"], np.ones(len(ends), dtype=bool)),
        ("kumuh_di_luar_sk", SCOPE_LABELS["kumuh_di_luar_sk"], outside),
    ):
        if (sel & (yr == y0)).any() and (sel & (yr == y1)).any():
            sums = _city_sums(arrays, sel, y0, y1, rules)
            _, totals = _wilayah(sums, rules)
            _parameter_totals(sums, rules, totals)
        else:
            totals = {"jumlah_rt": 0}
        rows.append({"lingkup": key, "uraian": text, **totals})
    out = pd.DataFrame(rows)
    return out.astype({"lingkup": "str", "uraian": "str"})


def _checked_range(scores: pd.DataFrame, by: str, year_from, year_to) -> tuple[int, int]:
    """``(Y0, Y1)``, refusing an unknown ``by``, ``Y0 > Y1`` or a year without scores."""
    if by not in BY_CHOICES:
        raise UsageError(
            f"--by harus salah satu dari {', '.join(BY_CHOICES)} / --by must be one of {', '.join(BY_CHOICES)}"
        )
    y0, y1 = int(year_from), int(year_to)
    if y0 > y1:
        raise UsageError(f"--from {y0} lebih besar dari --to {y1} / --from is after --to")
    present = set(pd.to_numeric(scores["tahun"]).astype(int).unique()) if len(scores) else set()
    for y in (y0, y1):
        if y not in present:
            raise UsageError(
                f"Tidak ada data tahun {y}; tahun yang ada: {', '.join(map(str, sorted(present))) or '-'} / "
                f"no data for year {y}; years present: {', '.join(map(str, sorted(present))) or '-'}"
            )
    return y0, y1


def _measures(
    scores: pd.DataFrame, units: pd.DataFrame, years: list[int], rules: RuleSet
) -> pd.DataFrame:
    """:func:`rt_measures` of every RT and year in ``years``, with ``kontribusi_u``
    (measure 3 against the RT's previous year ``t − 1``) and the RT's units."""
    tahun = pd.to_numeric(scores["tahun"]).to_numpy(dtype=np.int64)
    sel = scores[(tahun >= years[0]) & (tahun <= years[-1])]
    rt_of, rts = pd.factorize(sel["kode_rt"].astype(str))
    yi = pd.to_numeric(sel["tahun"]).to_numpy(dtype=np.int64) - years[0]
    cell = rt_of * len(years) + yi
    counts = np.bincount(cell, minlength=len(rts) * len(years))
    if (counts > 1).any():
        first = sel.iloc[int(np.flatnonzero(counts[cell] > 1)[1])]
        raise UsageError(
            f"RT {first['kode_rt']} punya lebih dari satu baris tahun {first['tahun']} / "
            f"RT {first['kode_rt']} has more than one row for {first['tahun']}"
        )
    m = rt_measures(sel, rules=rules).reset_index(drop=True)
    grid = np.zeros((len(rts), len(years) + 1), dtype=np.int64)  # column 0: "no t − 1"
    grid[rt_of, yi + 1] = m["S"].to_numpy()
    s_prev = grid[rt_of, yi]  # no t−1 row: S_prev 0 → kontribusi 0
    m["kontribusi_u"] = _kontribusi_u(m["luas_u"].to_numpy(), s_prev, m["S"].to_numpy())
    u = units.assign(kode_rt=units["kode_rt"].astype(str)).drop_duplicates("kode_rt")
    u = fill_units(u.set_index("kode_rt").reindex(rts).reset_index(names="kode_rt"))
    u = u.drop(columns="kode_rt").take(rt_of).reset_index(drop=True)
    return pd.concat([m.assign(_rt=rt_of), u], axis=1)


@dataclass(frozen=True)
class _Sums:
    """Exact integer sums per unit: every year (``per_year``), the years Y0 and Y1 on the
    union of their units (``s0``, ``s1``), the range kontribusi (``rng``), the city
    totals (``tot0``, ``tot1``) and the derived aspect/sectoral units (``h*``, ``ht*``)
    over their divisors ``dens``."""

    keys: list[str]
    labels: list[str]
    unit_labels: pd.DataFrame | None
    per_year: pd.DataFrame
    base0: pd.DataFrame
    s0: pd.DataFrame
    s1: pd.DataFrame
    rng: pd.DataFrame
    tot0: pd.Series
    tot1: pd.Series
    h0: dict
    h1: dict
    ht0: dict
    ht1: dict
    dens: dict


def _unit_sums(m: pd.DataFrame, by: str, y0: int, y1: int, rules: RuleSet) -> _Sums:
    """The sums of the RT measures ``m`` per unit of ``by`` (module docstring: integer sums,
    never averages of percentages)."""
    keys, labels = group_keys(by)
    sum_cols = _sum_columns(rules)
    per_year = m.groupby([*keys, "tahun"], sort=True)[sum_cols].sum()
    per_year["jumlah_rt"] = m.groupby([*keys, "tahun"], sort=True).size()

    def at(year: int) -> pd.DataFrame:
        try:
            return per_year.xs(year, level="tahun")
        except KeyError:
            return per_year.iloc[0:0].droplevel("tahun")

    s0, s1 = at(y0), at(y1)
    idx = s0.index.union(s1.index)
    s0 = s0.reindex(idx, fill_value=0)
    s1 = s1.reindex(idx, fill_value=0)
    tot0, tot1 = s0[sum_cols].sum(), s1[sum_cols].sum()
    (h0, dens), (h1, _) = _derived_units(s0, rules), _derived_units(s1, rules)
    ht0, _ = _derived_units(tot0.to_frame().T, rules)
    ht1, _ = _derived_units(tot1.to_frame().T, rules)
    return _Sums(
        keys=keys,
        labels=labels,
        unit_labels=m.drop_duplicates(keys).set_index(keys)[labels] if labels else None,
        per_year=per_year,
        base0=at(y0),
        s0=s0,
        s1=s1,
        rng=_range_kontribusi(m, keys, y0, y1).reindex(idx, fill_value=0),
        tot0=tot0,
        tot1=tot1,
        h0=h0,
        h1=h1,
        ht0={k: int(v[0]) for k, v in ht0.items()},
        ht1={k: int(v[0]) for k, v in ht1.items()},
        dens=dens,
    )


def _range_kontribusi(m: pd.DataFrame, keys: list[str], y0: int, y1: int) -> pd.DataFrame:
    """Measure 3 over the whole range Y0 → Y1 per unit, over the RTs present in both years:
    ``kontribusi_rng_u`` and their luas ``luas_both_u``."""
    rng = _range_rows(m, y0, y1)
    return rng.groupby(keys, sort=True)[["kontribusi_rng_u", "luas_both_u"]].sum()


def _range_rows(m: pd.DataFrame, y0: int, y1: int) -> pd.DataFrame:
    """The rows of Y1 with each RT's range kontribusi Y0 → Y1 and its luas when the RT has
    both years (0 otherwise); RTs matched by their integer code ``_rt``."""
    tahun, rt = m["tahun"].to_numpy(), m["_rt"].to_numpy()
    a, b = tahun == y0, tahun == y1
    n = int(rt.max()) + 1 if len(rt) else 0
    s0, has0 = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    s0[rt[a]], has0[rt[a]] = m["S"].to_numpy()[a], True
    rows = m[b]
    has = has0[rt[b]]
    luas = rows["luas_u"].to_numpy()
    k = _kontribusi_u(luas, s0[rt[b]], rows["S"].to_numpy())
    return rows.assign(kontribusi_rng_u=np.where(has, k, 0), luas_both_u=np.where(has, luas, 0))


@dataclass(frozen=True)
class _ScopeArrays:
    """The RT measures as arrays, for column sums over any set of rows."""

    tahun: np.ndarray
    rt: np.ndarray
    values: np.ndarray
    s: np.ndarray
    luas: np.ndarray
    cols: list

    @classmethod
    def of(cls, m: pd.DataFrame, rules: RuleSet, rows: np.ndarray) -> _ScopeArrays:
        """The arrays of ``m``'s rows ``rows`` (positions)."""
        cols = _sum_columns(rules)
        part = m.iloc[rows]
        return cls(
            part["tahun"].to_numpy(), part["_rt"].to_numpy(), part[cols].to_numpy(dtype=np.int64),
            part["S"].to_numpy(), part["luas_u"].to_numpy(), cols,
        )  # fmt: skip


def _city_sums(a: _ScopeArrays, sel: np.ndarray, y0: int, y1: int, rules: RuleSet) -> _Sums:
    """:func:`_unit_sums` of the rows ``sel`` as one unit (``by="kota"``), by column sums:
    the city totals of a scope."""
    at0, at1 = sel & (a.tahun == y0), sel & (a.tahun == y1)
    s0 = pd.DataFrame([a.values[at0].sum(axis=0)], columns=a.cols, index=["kota"])
    s1 = pd.DataFrame([a.values[at1].sum(axis=0)], columns=a.cols, index=["kota"])
    s1["jumlah_rt"] = int(at1.sum())
    s_before = np.zeros(int(a.rt.max()) + 1, dtype=np.int64)
    has0 = np.zeros(len(s_before), dtype=bool)
    s_before[a.rt[at0]], has0[a.rt[at0]] = a.s[at0], True
    has = has0[a.rt[at1]]
    k = _kontribusi_u(a.luas[at1], s_before[a.rt[at1]], a.s[at1])
    rng = pd.DataFrame(
        {"kontribusi_rng_u": [int(k[has].sum())], "luas_both_u": [int(a.luas[at1][has].sum())]},
        index=["kota"],
    )
    tot0, tot1 = s0[a.cols].sum(), s1[a.cols].sum()
    (h0, dens), (h1, _) = _derived_units(s0, rules), _derived_units(s1, rules)
    return _Sums(
        keys=["kota"], labels=[], unit_labels=None, per_year=s0.iloc[0:0], base0=s0, s0=s0,
        s1=s1, rng=rng, tot0=tot0, tot1=tot1, h0=h0, h1=h1,
        ht0={k: int(v[0]) for k, v in h0.items()}, ht1={k: int(v[0]) for k, v in h1.items()},
        dens=dens,
    )  # fmt: skip


def _sum_columns(rules: RuleSet) -> list[str]:
    crit = [f"ha_{c.code}_u" for c in rules.criteria]
    lvl = [f"lvl_{lv.code}_u" for lv in rules.levels] + [f"lvl_{lv.code}_n" for lv in rules.levels]
    return ["luas_u", "kumuh_u", "kontribusi_u", *lvl, *crit]


def _wilayah(sums: _Sums, rules: RuleSet) -> tuple[pd.DataFrame, dict]:
    """The three measures per unit from Y0 to Y1, and the exact city totals of its
    additive columns."""
    s0, s1, rng, dens = sums.s0, sums.s1, sums.rng, sums.dens
    h0, h1, ht0, ht1 = sums.h0, sums.h1, sums.ht0, sums.ht1
    w = pd.DataFrame(index=s0.index)
    if sums.unit_labels is not None:
        for c in sums.labels:
            w[c] = sums.unit_labels[c].reindex(s0.index).astype("str")
    w["jumlah_rt"] = s1["jumlah_rt"].astype("int64")
    w["luas_ha"] = _ha(s1["luas_u"])
    w["luas_kumuh_awal_ha"] = _ha(s0["kumuh_u"])
    w["luas_kumuh_akhir_ha"] = _ha(s1["kumuh_u"])
    w["pengurangan_luas_kumuh_ha"] = _ha(s0["kumuh_u"] - s1["kumuh_u"])
    w["ha_setara_awal_ha"] = _ha(h0["sektoral"], dens["sektoral"])
    w["ha_setara_akhir_ha"] = _ha(h1["sektoral"], dens["sektoral"])
    w["pengurangan_ha_setara_ha"] = _ha(h0["sektoral"] - h1["sektoral"], dens["sektoral"])
    w["kontribusi_ha"] = _ha(rng["kontribusi_rng_u"])
    both_luas = rng["luas_both_u"].to_numpy(dtype=np.float64)
    w["kontribusi"] = np.where(
        both_luas > 0,
        rng["kontribusi_rng_u"].to_numpy(dtype=np.float64) / np.where(both_luas > 0, both_luas, 1),
        np.nan,
    )
    tot0, tot1 = sums.tot0, sums.tot1
    tb = int(rng["luas_both_u"].sum())
    totals = {
        "jumlah_rt": int(s1["jumlah_rt"].sum()),
        "luas_ha": float(_ha(int(tot1["luas_u"]))),
        "luas_kumuh_awal_ha": float(_ha(int(tot0["kumuh_u"]))),
        "luas_kumuh_akhir_ha": float(_ha(int(tot1["kumuh_u"]))),
        "pengurangan_luas_kumuh_ha": float(_ha(int(tot0["kumuh_u"]) - int(tot1["kumuh_u"]))),
        "kontribusi_ha": float(_ha(int(rng["kontribusi_rng_u"].sum()))),
        "ha_setara_awal_ha": float(_ha(ht0["sektoral"], dens["sektoral"])),
        "ha_setara_akhir_ha": float(_ha(ht1["sektoral"], dens["sektoral"])),
        "pengurangan_ha_setara_ha": float(_ha(ht0["sektoral"] - ht1["sektoral"], dens["sektoral"])),
        "kontribusi": int(rng["kontribusi_rng_u"].sum()) / tb if tb else float("nan"),
    }
    return w.reset_index(), totals


def _parameter(sums: _Sums, rules: RuleSet, totals: dict) -> pd.DataFrame:
    """Measure 2 per criterion and aspect for each unit; adds the city totals of each
    column to ``totals`` (:func:`_parameter_totals`)."""
    s0, s1, dens = sums.s0, sums.s1, sums.dens
    cols = {}
    for c in rules.criteria:
        u = f"ha_{c.code}_u"
        cols[f"pengurangan_ha_{c.code}"] = _ha(s0[u].to_numpy() - s1[u].to_numpy())
    for a_ in rules.aspects:
        cols[f"pengurangan_ha_{a_.key}"] = _ha(sums.h0[a_.key] - sums.h1[a_.key], dens[a_.key])
    _parameter_totals(sums, rules, totals)
    return pd.DataFrame(cols, index=s0.index).reset_index()


def _parameter_totals(sums: _Sums, rules: RuleSet, totals: dict) -> None:
    """The city totals of measure 2 per criterion and aspect, into ``totals``."""
    tot0, tot1, dens = sums.tot0, sums.tot1, sums.dens
    for c in rules.criteria:
        totals[f"pengurangan_ha_{c.code}"] = float(
            _ha(int(tot0[f"ha_{c.code}_u"]) - int(tot1[f"ha_{c.code}_u"]))
        )
    for a_ in rules.aspects:
        totals[f"pengurangan_ha_{a_.key}"] = float(
            _ha(sums.ht0[a_.key] - sums.ht1[a_.key], dens[a_.key])
        )


def _kriteria(sums: _Sums, rules: RuleSet) -> pd.DataFrame:
    """City-wide hectare-equivalent (measure 2) per criterion, aspect and sectoral, at Y0
    and Y1 and its reduction."""
    ht0, ht1, dens = sums.ht0, sums.ht1, sums.dens
    rows = []
    for c in rules.criteria:
        v0, v1 = int(sums.tot0[f"ha_{c.code}_u"]), int(sums.tot1[f"ha_{c.code}_u"])
        aspect = rules.aspect(c.aspect).label_id
        rows.append(("kriteria", c.code, aspect, c.label_id, *_three(v0, v1, HA_UNIT)))
    for a_ in rules.aspects:
        uraian = f"Rata-rata aspek {a_.label_id.lower()}"
        rows.append(
            ("aspek", a_.key, a_.label_id, uraian, *_three(ht0[a_.key], ht1[a_.key], dens[a_.key]))
        )
    v0, v1, dn = ht0["sektoral"], ht1["sektoral"], dens["sektoral"]
    rows.append(("sektoral", "sektoral", "Semua aspek", "Rata-rata sektoral", *_three(v0, v1, dn)))
    kriteria = pd.DataFrame(
        rows,
        columns=[
            "jenis",
            "kode",
            "aspek",
            "uraian",
            "ha_setara_awal_ha",
            "ha_setara_akhir_ha",
            "pengurangan_ha_setara_ha",
        ],
    )
    kriteria["pengurangan_persen"] = np.where(
        kriteria["ha_setara_awal_ha"] > 0,
        100
        * kriteria["pengurangan_ha_setara_ha"]
        / kriteria["ha_setara_awal_ha"].where(kriteria["ha_setara_awal_ha"] > 0, 1),
        np.nan,
    )
    for c in ("jenis", "kode", "aspek", "uraian"):
        kriteria[c] = kriteria[c].astype("str")
    return kriteria


def _three(v0: int, v1: int, den: int) -> tuple[float, float, float]:
    """Hectares at Y0, at Y1 and the reduction, from exact integer units over ``den``."""
    return float(_ha(v0, den)), float(_ha(v1, den)), float(_ha(v0 - v1, den))


def _per_tahun(sums: _Sums, rules: RuleSet, y0: int) -> pd.DataFrame:
    """Every year's hectares per level, luas kumuh and its reduction since Y0,
    hectare-equivalent and kontribusi ``t − 1 → t``, per unit."""
    keys, labels, unit_labels, base0 = sums.keys, sums.labels, sums.unit_labels, sums.base0
    dens = sums.dens
    py = sums.per_year.reset_index()
    py_out = pd.DataFrame({k: py[k] for k in keys})
    if unit_labels is not None:
        lab = unit_labels.reindex(
            pd.MultiIndex.from_frame(py[keys]) if len(keys) > 1 else py[keys[0]]
        )
        for c in labels:
            py_out[c] = lab[c].to_numpy()
    py_out["tahun"] = py["tahun"].astype("int64")
    py_out["jumlah_rt"] = py["jumlah_rt"].astype("int64")
    py_out["luas_ha"] = _ha(py["luas_u"])
    for lv in rules.levels:
        py_out[f"jumlah_rt_{lv.code.lower()}"] = py[f"lvl_{lv.code}_n"].astype("int64")
        py_out[f"luas_{lv.code.lower()}_ha"] = _ha(py[f"lvl_{lv.code}_u"])
    py_out["luas_kumuh_ha"] = _ha(py["kumuh_u"])
    k0 = (
        base0["kumuh_u"]
        .reindex(pd.MultiIndex.from_frame(py[keys]) if len(keys) > 1 else py[keys[0]])
        .fillna(0)
    )
    py_out["pengurangan_luas_kumuh_ha"] = _ha(
        k0.to_numpy(dtype=np.int64) - py["kumuh_u"].to_numpy()
    )
    hy, _ = _derived_units(py, rules)
    h_base, _ = _derived_units(base0, rules)
    h_base = pd.Series(h_base["sektoral"], index=base0.index).reindex(
        pd.MultiIndex.from_frame(py[keys]) if len(keys) > 1 else py[keys[0]]
    )
    py_out["ha_setara_ha"] = _ha(hy["sektoral"], dens["sektoral"])
    py_out["pengurangan_ha_setara_ha"] = _ha(
        h_base.fillna(0).to_numpy(dtype=np.int64) - hy["sektoral"], dens["sektoral"]
    )
    py_out["kontribusi_ha"] = np.where(py["tahun"] == y0, np.nan, _ha(py["kontribusi_u"]))
    return py_out


def _target(m: pd.DataFrame, years: list[int], targets: dict, target_kind: str) -> pd.DataFrame:
    """The city's yearly and cumulative reduction of luas kumuh against its targets."""
    city = m.groupby("tahun", sort=True)[["kumuh_u"]].sum().reindex(years, fill_value=0)
    k = city["kumuh_u"].to_numpy(dtype=np.int64)
    yearly = np.concatenate([[0], k[:-1] - k[1:]])
    cumulative = k[0] - k
    t_year, t_cum = target_series(targets, years, kind=target_kind)
    target = pd.DataFrame(
        {
            "tahun": np.array(years, dtype=np.int64),
            "luas_kumuh_ha": _ha(k),
            "pengurangan_tahunan_ha": _ha(yearly),
            "pengurangan_kumulatif_ha": _ha(cumulative),
            "target_tahunan_ha": t_year,
            "target_kumulatif_ha": t_cum,
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        target["capaian_tahunan_persen"] = np.where(
            t_year > 0, 100 * target["pengurangan_tahunan_ha"] / t_year, np.nan
        )
        target["capaian_kumulatif_persen"] = np.where(
            t_cum > 0, 100 * target["pengurangan_kumulatif_ha"] / t_cum, np.nan
        )
    return target


def _jejak(trace: pd.DataFrame | None, y0: int, y1: int) -> pd.DataFrame | None:
    """Trace rows of the years after Y0 up to Y1 where a kolaborasi or a survey changed a
    volume."""
    jejak = None
    if trace is not None and len(trace):
        tr = trace[(trace["tahun"] > y0) & (trace["tahun"] <= y1)]
        changed = (tr["kode_kegiatan"].astype(str) != "") | (
            tr["volume_before"].notna() & (tr["volume_before"] != tr["volume_after"])
        )
        jejak = tr[changed].reset_index(drop=True)
    return jejak
