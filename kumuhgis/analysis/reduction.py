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

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.analysis.scoring import LEVEL_COLUMN, MICRO, SECTORAL_COLUMN, to_micro
from kumuhgis.core.codes import split_codes
from kumuhgis.core.errors import Problem, UsageError, ValidationError
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = [
    "HA_UNIT",
    "BY_CHOICES",
    "TARGET_KEY",
    "TARGET_KIND_KEY",
    "targets_from_settings",
    "Reduction",
    "rt_kawasan",
    "rt_units",
    "rt_measures",
    "reduction",
    "column_labels",
    "explanation_lines",
    "reduction_sheets",
    "write_reduction",
]

#: Integer hectare figures count units of 10⁻¹⁰ ha.
HA_UNIT = 10**10
_HA_PER_MICRO = HA_UNIT // MICRO  # 10⁴
_MAX_LUAS_HA = 10_000
BY_CHOICES = ("rt", "kawasan", "kelurahan", "kecamatan", "kota", "kriteria")
#: Project setting holding the reduction targets per year: ``{2019: 103.95, 2020: 120}``.
TARGET_KEY = "target_pengurangan_ha"
#: Project setting saying whether those targets are ``kumulatif`` (default) or ``tahunan``.
TARGET_KIND_KEY = "target_pengurangan_jenis"
TARGET_KINDS = ("kumulatif", "tahunan")
_UNKNOWN = "(tidak diketahui)"
_OUTSIDE = "(di luar delineasi)"

_KEYS = {
    "rt": (["kode_rt"], ["rt", "rw", "kode_kel", "kelurahan", "kode_kawasan"]),
    "kawasan": (["kode_kawasan"], ["nama_kawasan"]),
    "kelurahan": (["kode_kel"], ["kelurahan", "kecamatan"]),
    "kecamatan": (["kecamatan"], ["kota"]),
    "kota": (["kota"], []),
}


# --------------------------------------------------------------------------- RT → units


def rt_kawasan(
    rt: gpd.GeoDataFrame,
    *,
    delineasi: gpd.GeoDataFrame | None = None,
    sk_kumuh: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The kawasan of every RT (domain.md §2; issue rule "RT → kawasan").

    An RT belongs to a kawasan when its representative point lies in (or on the edge of)
    the kawasan's delineation polygon, or, failing that, when an SK row lists its
    ``kode_rt`` (later SK dates win). When several polygons hold the point, the most
    recently delineated one wins, then the smallest ``kode_kawasan``.

    Returns
    -------
    pandas.DataFrame
        ``kode_rt``, ``kode_kawasan``, ``nama_kawasan``, ``sumber_kawasan``
        (``delineasi``/``sk``/empty) — one row per RT, empty codes when outside.
    """
    codes = rt["kode_rt"].astype(str).to_numpy()
    kaw = pd.Series([""] * len(rt), index=codes, dtype="str")
    nama = pd.Series([""] * len(rt), index=codes, dtype="str")
    src = pd.Series([""] * len(rt), index=codes, dtype="str")
    if delineasi is not None and len(delineasi) and len(rt):
        dl = delineasi.to_crs(rt.crs) if not delineasi.crs.equals(rt.crs) else delineasi
        pts = gpd.GeoDataFrame(
            {"kode_rt": codes}, geometry=rt.geometry.representative_point().to_numpy(), crs=rt.crs
        )
        polys = gpd.GeoDataFrame(
            {
                "kode_kawasan": dl["kode_kawasan"].astype(str).to_numpy(),
                "nama_kawasan": dl["nama_kawasan"].astype(str).to_numpy(),
                "_tahun": pd.to_numeric(dl["tahun"], errors="coerce").fillna(0).to_numpy(),
            },
            geometry=dl.geometry.to_numpy(),
            crs=dl.crs,
        )
        j = gpd.sjoin(pts, polys, how="inner", predicate="covered_by")
        j = j.sort_values(["kode_rt", "_tahun", "kode_kawasan"], ascending=[True, False, True])
        j = j.drop_duplicates("kode_rt").set_index("kode_rt")
        kaw.loc[j.index] = j["kode_kawasan"].astype(str)
        nama.loc[j.index] = j["nama_kawasan"].astype(str)
        src.loc[j.index] = "delineasi"
    if sk_kumuh is not None and len(sk_kumuh) and "kode_rt" in sk_kumuh.columns:
        sk = sk_kumuh.assign(_t=sk_kumuh["tanggal_sk"].astype(str)).sort_values("_t", kind="stable")
        for _, row in sk.iterrows():  # later SK rows overwrite earlier ones
            for code in split_codes(row["kode_rt"]):
                if code in kaw.index and src[code] != "delineasi":
                    kaw[code] = str(row["kode_kawasan"])
                    nama[code] = str(row.get("nama_lokasi", "") or "")
                    src[code] = "sk"
    return pd.DataFrame(
        {
            "kode_rt": pd.Series(codes, dtype="str"),
            "kode_kawasan": kaw.to_numpy(),
            "nama_kawasan": nama.to_numpy(),
            "sumber_kawasan": src.to_numpy(),
        }
    ).astype({"kode_kawasan": "str", "nama_kawasan": "str", "sumber_kawasan": "str"})


def rt_units(
    rt: pd.DataFrame,
    wilayah: pd.DataFrame,
    *,
    delineasi: gpd.GeoDataFrame | None = None,
    sk_kumuh: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every RT with its kelurahan, kecamatan, kota and kawasan (domain.md §2).

    RT → kelurahan through ``rt.kode_kel``; kecamatan and kota through ``wilayah``;
    kawasan through :func:`rt_kawasan`. Unknown units are ``"(tidak diketahui)"``, RTs in
    no kawasan ``"(di luar delineasi)"``.

    Returns
    -------
    pandas.DataFrame
        ``kode_rt, rt, rw, kode_kel, kelurahan, kecamatan, kota, kode_kawasan,
        nama_kawasan, sumber_kawasan`` — one row per RT.
    """
    base = pd.DataFrame(
        {
            "kode_rt": rt["kode_rt"].astype(str).to_numpy(),
            "rt": rt["rt"].astype(str).to_numpy() if "rt" in rt.columns else "",
            "rw": rt["rw"].astype(str).to_numpy() if "rw" in rt.columns else "",
            "kode_kel": rt["kode_kel"].astype(str).to_numpy() if "kode_kel" in rt.columns else "",
        }
    )
    wil = pd.DataFrame(wilayah).drop(columns=[c for c in ("geometry",) if c in wilayah.columns])
    wil = wil.assign(kode_kel=wil["kode_kel"].astype(str)).drop_duplicates("kode_kel")
    wil = wil[["kode_kel", "kelurahan", "kecamatan", "kota"]]
    out = base.merge(wil, on="kode_kel", how="left")
    if isinstance(rt, gpd.GeoDataFrame) and len(rt):
        out = out.merge(
            rt_kawasan(rt, delineasi=delineasi, sk_kumuh=sk_kumuh), on="kode_rt", how="left"
        )
    else:
        out["kode_kawasan"] = ""
        out["nama_kawasan"] = ""
        out["sumber_kawasan"] = ""
    return _fill_units(out)


def _fill_units(units: pd.DataFrame) -> pd.DataFrame:
    out = units.copy()
    for c in ("rt", "rw", "kode_kel", "kelurahan", "kecamatan", "kota"):
        if c not in out.columns:
            out[c] = _UNKNOWN
        out[c] = out[c].astype("str").fillna(_UNKNOWN).replace({"": _UNKNOWN, "nan": _UNKNOWN})
    for c in ("kode_kawasan", "nama_kawasan", "sumber_kawasan"):
        if c not in out.columns:
            out[c] = ""
        out[c] = out[c].astype("str").fillna("")
    outside = out["kode_kawasan"] == ""
    out.loc[outside, "kode_kawasan"] = _OUTSIDE
    out.loc[outside, "nama_kawasan"] = _OUTSIDE
    return out


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
    level = scores[LEVEL_COLUMN].astype(str).to_numpy()
    kumuh = ~np.isin(level, rules.not_kumuh_codes)
    cols: dict[str, np.ndarray] = {
        "kode_rt": scores["kode_rt"].astype(str).to_numpy(),
        "tahun": pd.to_numeric(scores["tahun"]).astype("int64").to_numpy(),
        "tingkat": level,
        "luas_u": micro * _HA_PER_MICRO,
        "kumuh_u": np.where(kumuh, micro * _HA_PER_MICRO, 0),
        "S": np.rint(scores[SECTORAL_COLUMN].to_numpy(dtype=np.float64) * 100).astype(np.int64),
    }
    for lv in rules.levels:
        cols[f"lvl_{lv.code}_u"] = np.where(level == lv.code, micro * _HA_PER_MICRO, 0)
        cols[f"lvl_{lv.code}_n"] = (level == lv.code).astype(np.int64)
    for c in rules.criteria:
        p = np.rint(scores[c.p_column].to_numpy(dtype=np.float64) * 100).astype(np.int64)
        cols[f"ha_{c.code}_u"] = micro * p
    return pd.DataFrame(cols, index=scores.index)


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
    volume.
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

    @property
    def view(self) -> pd.DataFrame:
        """The frame a ``--by`` choice asks for (CSV output): units joined with their
        per-parameter reductions, or the per-criterion table for ``by="kriteria"``."""
        if self.by == "kriteria":
            return self.kriteria
        keys = _KEYS[self.by][0]
        return self.wilayah.merge(self.parameter, on=keys, how="left", suffixes=("", "_param"))


def _group_keys(by: str) -> tuple[list[str], list[str]]:
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

    Raises
    ------
    UsageError
        Unknown ``by``; ``year_from > year_to``; a year without scores.
    """
    rules = load_rules(rules)
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
    years = list(range(y0, y1 + 1))
    sel = scores[pd.to_numeric(scores["tahun"]).astype(int).isin(years)]
    dup = sel.duplicated(["kode_rt", "tahun"])
    if dup.any():
        first = sel[dup].iloc[0]
        raise UsageError(
            f"RT {first['kode_rt']} punya lebih dari satu baris tahun {first['tahun']} / "
            f"RT {first['kode_rt']} has more than one row for {first['tahun']}"
        )
    m = rt_measures(sel, rules=rules).reset_index(drop=True)

    # measure 3 per RT-year against the RT's previous year (t-1)
    prev = m[["kode_rt", "tahun", "S"]].assign(tahun=m["tahun"] + 1).rename(columns={"S": "S_prev"})
    m = m.merge(prev, on=["kode_rt", "tahun"], how="left")
    s_prev = m["S_prev"].fillna(0).to_numpy(dtype=np.int64)  # no t−1: S_prev 0 → kontribusi 0
    m["kontribusi_u"] = _kontribusi_u(m["luas_u"].to_numpy(), s_prev, m["S"].to_numpy())

    u = _fill_units(units.assign(kode_rt=units["kode_rt"].astype(str)).drop_duplicates("kode_rt"))
    m = m.merge(u, on="kode_rt", how="left")
    m = _fill_units(m)
    keys, labels = _group_keys(by)
    crit = [f"ha_{c.code}_u" for c in rules.criteria]
    lvl = [f"lvl_{lv.code}_u" for lv in rules.levels] + [f"lvl_{lv.code}_n" for lv in rules.levels]
    sum_cols = ["luas_u", "kumuh_u", "kontribusi_u", *lvl, *crit]

    per_year = m.groupby([*keys, "tahun"], sort=True)[sum_cols].sum()
    per_year["jumlah_rt"] = m.groupby([*keys, "tahun"], sort=True).size()
    unit_labels = m.drop_duplicates(keys).set_index(keys)[labels] if labels else None

    # ---- range Y0 -> Y1 per unit (measure 3 over the whole range)
    a = m.loc[m["tahun"] == y0, ["kode_rt", "S"]].rename(columns={"S": "S0"})
    b = m.loc[m["tahun"] == y1, list(dict.fromkeys(["kode_rt", *keys, "luas_u", "S"]))]
    b = b.merge(a, on="kode_rt", how="left")
    has = b["S0"].notna().to_numpy()
    rng = b[keys].copy()
    rng["kontribusi_rng_u"] = np.where(
        has,
        _kontribusi_u(
            b["luas_u"].to_numpy(), b["S0"].fillna(0).to_numpy(dtype=np.int64), b["S"].to_numpy()
        ),
        0,
    )
    rng["luas_both_u"] = np.where(has, b["luas_u"].to_numpy(), 0)
    rng_sum = rng.groupby(keys, sort=True)[["kontribusi_rng_u", "luas_both_u"]].sum()

    def at(year: int) -> pd.DataFrame:
        try:
            return per_year.xs(year, level="tahun")
        except KeyError:
            return per_year.iloc[0:0].droplevel("tahun")

    s0, s1 = at(y0), at(y1)
    idx = s0.index.union(s1.index)
    s0 = s0.reindex(idx, fill_value=0)
    s1 = s1.reindex(idx, fill_value=0)
    rng_sum = rng_sum.reindex(idx, fill_value=0)

    w = pd.DataFrame(index=idx)
    if unit_labels is not None:
        for c in labels:
            w[c] = unit_labels[c].reindex(idx).astype("str")
    w["jumlah_rt"] = s1["jumlah_rt"].astype("int64")
    w["luas_ha"] = _ha(s1["luas_u"])
    w["luas_kumuh_awal_ha"] = _ha(s0["kumuh_u"])
    w["luas_kumuh_akhir_ha"] = _ha(s1["kumuh_u"])
    w["pengurangan_luas_kumuh_ha"] = _ha(s0["kumuh_u"] - s1["kumuh_u"])
    (h0, dens), (h1, _) = _derived_units(s0, rules), _derived_units(s1, rules)
    w["ha_setara_awal_ha"] = _ha(h0["sektoral"], dens["sektoral"])
    w["ha_setara_akhir_ha"] = _ha(h1["sektoral"], dens["sektoral"])
    w["pengurangan_ha_setara_ha"] = _ha(h0["sektoral"] - h1["sektoral"], dens["sektoral"])
    w["kontribusi_ha"] = _ha(rng_sum["kontribusi_rng_u"])
    both_luas = rng_sum["luas_both_u"].to_numpy(dtype=np.float64)
    w["kontribusi"] = np.where(
        both_luas > 0,
        rng_sum["kontribusi_rng_u"].to_numpy(dtype=np.float64)
        / np.where(both_luas > 0, both_luas, 1),
        np.nan,
    )
    w = w.reset_index()

    # exact totals (city) of the additive columns
    tot0 = s0[sum_cols].sum()
    tot1 = s1[sum_cols].sum()
    totals = {
        "jumlah_rt": int(s1["jumlah_rt"].sum()),
        "luas_ha": float(_ha(int(tot1["luas_u"]))),
        "luas_kumuh_awal_ha": float(_ha(int(tot0["kumuh_u"]))),
        "luas_kumuh_akhir_ha": float(_ha(int(tot1["kumuh_u"]))),
        "pengurangan_luas_kumuh_ha": float(_ha(int(tot0["kumuh_u"]) - int(tot1["kumuh_u"]))),
        "kontribusi_ha": float(_ha(int(rng_sum["kontribusi_rng_u"].sum()))),
    }
    ht0, _ = _derived_units(tot0.to_frame().T, rules)
    ht1, _ = _derived_units(tot1.to_frame().T, rules)
    ht0 = {k: int(v[0]) for k, v in ht0.items()}
    ht1 = {k: int(v[0]) for k, v in ht1.items()}
    totals["ha_setara_awal_ha"] = float(_ha(ht0["sektoral"], dens["sektoral"]))
    totals["ha_setara_akhir_ha"] = float(_ha(ht1["sektoral"], dens["sektoral"]))
    totals["pengurangan_ha_setara_ha"] = float(
        _ha(ht0["sektoral"] - ht1["sektoral"], dens["sektoral"])
    )
    tb = int(rng_sum["luas_both_u"].sum())
    totals["kontribusi"] = int(rng_sum["kontribusi_rng_u"].sum()) / tb if tb else float("nan")

    # ---- per parameter per unit
    p = pd.DataFrame(index=idx)
    for c in rules.criteria:
        p[f"pengurangan_ha_{c.code}"] = _ha(s0[f"ha_{c.code}_u"] - s1[f"ha_{c.code}_u"])
    for a_ in rules.aspects:
        p[f"pengurangan_ha_{a_.key}"] = _ha(h0[a_.key] - h1[a_.key], dens[a_.key])
    p = p.reset_index()
    for c in rules.criteria:
        totals[f"pengurangan_ha_{c.code}"] = float(
            _ha(int(tot0[f"ha_{c.code}_u"]) - int(tot1[f"ha_{c.code}_u"]))
        )
    for a_ in rules.aspects:
        totals[f"pengurangan_ha_{a_.key}"] = float(_ha(ht0[a_.key] - ht1[a_.key], dens[a_.key]))

    # ---- per criterion / aspect / sectoral (city)
    rows = []
    for c in rules.criteria:
        v0, v1 = int(tot0[f"ha_{c.code}_u"]), int(tot1[f"ha_{c.code}_u"])
        rows.append(
            (
                "kriteria",
                c.code,
                rules.aspect(c.aspect).label_id,
                c.label_id,
                float(_ha(v0)),
                float(_ha(v1)),
                float(_ha(v0 - v1)),
            )
        )
    for a_ in rules.aspects:
        v0, v1, dn = ht0[a_.key], ht1[a_.key], dens[a_.key]
        rows.append(
            (
                "aspek",
                a_.key,
                a_.label_id,
                f"Rata-rata aspek {a_.label_id.lower()}",
                float(_ha(v0, dn)),
                float(_ha(v1, dn)),
                float(_ha(v0 - v1, dn)),
            )
        )
    v0, v1, dn = ht0["sektoral"], ht1["sektoral"], dens["sektoral"]
    rows.append(
        (
            "sektoral",
            "sektoral",
            "Semua aspek",
            "Rata-rata sektoral",
            float(_ha(v0, dn)),
            float(_ha(v1, dn)),
            float(_ha(v0 - v1, dn)),
        )
    )
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

    # ---- per year per unit (levels, luas kumuh, ha setara, kontribusi t-1 -> t)
    py = per_year.reset_index()
    base0 = at(y0)
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

    # ---- targets (city)
    city = m.groupby("tahun", sort=True)[["kumuh_u"]].sum().reindex(years, fill_value=0)
    k = city["kumuh_u"].to_numpy(dtype=np.int64)
    yearly = np.concatenate([[0], k[:-1] - k[1:]])
    cumulative = k[0] - k
    t_year, t_cum = _target_series(targets or {}, years, kind=target_kind)
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

    jejak = None
    if trace is not None and len(trace):
        tr = trace[(trace["tahun"] > y0) & (trace["tahun"] <= y1)]
        changed = (tr["kode_kegiatan"].astype(str) != "") | (
            tr["volume_before"].notna() & (tr["volume_before"] != tr["volume_after"])
        )
        jejak = tr[changed].reset_index(drop=True)

    return Reduction(
        year_from=y0,
        year_to=y1,
        by=by,
        rules=rules,
        wilayah=w,
        parameter=p,
        kriteria=kriteria,
        per_tahun=py_out,
        target=target,
        totals=totals,
        jejak=jejak,
    )


def _target_series(targets: dict, years: list[int], *, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Yearly and cumulative targets (since ``years[0]``) for each year; NaN where unknown
    and for the first year (nothing to reduce yet)."""
    if kind not in TARGET_KINDS:
        raise UsageError(
            f"Jenis target harus {' atau '.join(TARGET_KINDS)}, bukan {kind!r} / target kind must be "
            f"{' or '.join(TARGET_KINDS)}, not {kind!r}"
        )
    t = {int(y): float(v) for y, v in targets.items() if v is not None}
    y0 = years[0]
    yearly = np.full(len(years), np.nan)
    cum = np.full(len(years), np.nan)
    if kind == "kumulatif":
        base = t.get(y0, 0.0)
        prev = 0.0
        for i, y in enumerate(years[1:], start=1):
            if y in t:
                cum[i] = t[y] - base
            if not np.isnan(cum[i]) and not np.isnan(prev):
                yearly[i] = cum[i] - prev
            prev = cum[i]
    else:
        acc, seen = 0.0, False
        for i, y in enumerate(years[1:], start=1):
            if y in t:
                yearly[i] = t[y]
                acc += t[y]
                seen = True
            if seen:
                cum[i] = acc
    return yearly, cum


def targets_from_settings(settings) -> dict[int, float]:
    """The yearly targets of the setting ``target_pengurangan_ha`` (domain.md §5), ``{tahun: ha}``."""
    raw = settings.get(TARGET_KEY) or {}
    if not isinstance(raw, dict):
        raise UsageError(
            f"Pengaturan '{TARGET_KEY}' harus berupa {{tahun: ha}} / setting '{TARGET_KEY}' must be {{year: ha}}"
        )
    out = {}
    for y, v in raw.items():
        try:
            out[int(y)] = float(v)
        except (TypeError, ValueError):
            raise UsageError(
                f"Target {y}: {v!r} bukan angka / target {y}: {v!r} is not a number"
            ) from None
    return out


# --------------------------------------------------------------------------- labels


def column_labels(
    rules: RuleSet, *, year_from: int | None = None, year_to: int | None = None
) -> dict[str, tuple[str, str]]:
    """Indonesian header label and unit of every column of the reduction frames."""
    y0 = f" {year_from}" if year_from is not None else " awal"
    y1 = f" {year_to}" if year_to is not None else " akhir"
    labels: dict[str, tuple[str, str]] = {
        "kode_rt": ("Kode RT", ""),
        "rt": ("RT", ""),
        "rw": ("RW", ""),
        "kode_kel": ("Kode kelurahan", ""),
        "kelurahan": ("Kelurahan/desa", ""),
        "kecamatan": ("Kecamatan", ""),
        "kota": ("Kota/kabupaten", ""),
        "kode_kawasan": ("Kode kawasan", ""),
        "nama_kawasan": ("Nama kawasan", ""),
        "tahun": ("Tahun", ""),
        "jumlah_rt": ("Jumlah RT", "RT"),
        "luas_ha": ("Luas RT", "ha"),
        "luas_kumuh_awal_ha": (f"[1] Luas kumuh{y0}", "ha"),
        "luas_kumuh_akhir_ha": (f"[1] Luas kumuh{y1}", "ha"),
        "pengurangan_luas_kumuh_ha": ("[1] Pengurangan luas kumuh", "ha"),
        "ha_setara_awal_ha": (f"[2] Hektar setara{y0} (rata-rata sektoral)", "ha"),
        "ha_setara_akhir_ha": (f"[2] Hektar setara{y1} (rata-rata sektoral)", "ha"),
        "pengurangan_ha_setara_ha": ("[2] Pengurangan hektar setara", "ha"),
        "kontribusi_ha": ("[3] Kontribusi penanganan", "ha"),
        "kontribusi": ("[3] Kontribusi penanganan (proporsi)", "0–1"),
        "luas_kumuh_ha": ("[1] Luas kumuh", "ha"),
        "ha_setara_ha": ("[2] Hektar setara (rata-rata sektoral)", "ha"),
        "jenis": ("Jenis", ""),
        "kode": ("Kode", ""),
        "aspek": ("Aspek", ""),
        "uraian": ("Uraian", ""),
        "pengurangan_persen": ("Pengurangan", "%"),
        "pengurangan_tahunan_ha": ("[1] Pengurangan tahun itu", "ha"),
        "pengurangan_kumulatif_ha": (f"[1] Pengurangan kumulatif sejak{y0}", "ha"),
        "target_tahunan_ha": ("Target tahunan", "ha"),
        "target_kumulatif_ha": ("Target kumulatif", "ha"),
        "capaian_tahunan_persen": ("Capaian tahunan", "%"),
        "capaian_kumulatif_persen": ("Capaian kumulatif", "%"),
        "kriteria": ("Kriteria", ""),
        "asal": ("Asal data", ""),
        "volume_before": ("Volume tahun sebelumnya", ""),
        "kode_kegiatan": ("Kode kegiatan kolaborasi", ""),
        "volume_kolaborasi": ("Volume kolaborasi", ""),
        "volume_subtracted": ("Volume dikurangkan", ""),
        "volume_after": ("Volume tahun ini", ""),
    }
    labels["ha_setara_awal_ha"] = (f"[2] Hektar setara{y0}", "ha")
    labels["ha_setara_akhir_ha"] = (f"[2] Hektar setara{y1}", "ha")
    for lv in rules.levels:
        labels[f"jumlah_rt_{lv.code.lower()}"] = (f"Jumlah RT {lv.label_id} ({lv.code})", "RT")
        labels[f"luas_{lv.code.lower()}_ha"] = (f"Luas {lv.label_id} ({lv.code})", "ha")
    for c in rules.criteria:
        labels[f"pengurangan_ha_{c.code}"] = (f"[2] Pengurangan {c.code} {c.label_id}", "ha")
    for a in rules.aspects:
        labels[f"pengurangan_ha_{a.key}"] = (f"[2] Pengurangan aspek {a.label_id.lower()}", "ha")
    return labels


# --------------------------------------------------------------------------- output

_BY_ID = {
    "rt": "RT",
    "kawasan": "kawasan",
    "kelurahan": "kelurahan/desa",
    "kecamatan": "kecamatan",
    "kota": "kota/kabupaten",
    "kriteria": "kriteria",
}


def explanation_lines(result: Reduction) -> list[str]:
    """The text of the "Keterangan" sheet: what each measure means and how it is computed."""
    r = result.rules
    return [
        f"Pengurangan kawasan kumuh {result.year_from}–{result.year_to} (tahun dasar {result.year_from}); aturan: {r.title_id}.",
        "Tiga ukuran berbeda, selalu diberi label dan tidak boleh dicampur atau dijumlahkan satu sama lain (domain.md §5):",
        "[1] Luas kumuh (resmi, biner per RT): seluruh luas RT dihitung kumuh selama tingkatnya bukan TK. "
        "Luas kumuh kelurahan/kota = jumlah luas RT kumuh. Pengurangan = luas kumuh tahun dasar − luas kumuh tahun t.",
        "[2] Hektar setara per kriteria (per parameter): ha_c = luas RT × persen kriteria c ÷ 100. "
        "Pengurangan = ha_c tahun dasar − ha_c tahun t. Hektar setara aspek = rata-rata kriterianya; sektoral = rata-rata ketujuh aspek.",
        "[3] Kontribusi penanganan (indikator proporsional): (rata-rata sektoral tahun sebelumnya − tahun ini) ÷ rata-rata sektoral "
        "tahun sebelumnya, dibatasi 0–1; hektar = luas RT × kontribusi. Untuk rentang tahun: tahun dasar → tahun akhir.",
        "Angka kawasan, kelurahan, kecamatan dan kota adalah jumlah angka RT (bukan rata-rata persentase); "
        "jumlah angka kelurahan sama persis dengan angka kota. Angka dibulatkan hanya saat ditampilkan.",
        "Kondisi tahun tanpa survei diturunkan dari tahun sebelumnya dikurangi volume kolaborasi di dalam RT dan di dalam delineasi; "
        "kolaborasi di luar delineasi tidak mengurangi volume RT mana pun (lembar 'Jejak kolaborasi').",
        "RT → kawasan: titik representatif RT di dalam poligon delineasi, atau tercantum di kolom kode_rt SK Kumuh.",
        "Target: pengaturan proyek 'target_pengurangan_ha' (ha per tahun; 'target_pengurangan_jenis': kumulatif sejak "
        "tahun dasar, bawaan, atau tahunan), dibandingkan dengan pengurangan luas kumuh [1].",
        "",
        "Three measures, never mixed: [1] official binary slum area, [2] hectare-equivalent per criterion, "
        "[3] handling contribution (proportional indicator). Area figures are exact sums of RT figures.",
    ]


def reduction_sheets(result: Reduction, *, kota: str = ""):
    """The sheets of a reduction workbook, one per view (module docstring)."""
    from kumuhgis.outputs.workbook import Sheet

    labels = column_labels(result.rules, year_from=result.year_from, year_to=result.year_to)
    by = "kota" if result.by == "kriteria" else result.by
    where = f" {kota}" if kota else ""
    head = [
        f"Pengurangan kawasan kumuh{where} {result.year_from}–{result.year_to}, per {_BY_ID[by]}",
        f"Aturan: {result.rules.title_id}. [1] luas kumuh resmi (biner per RT) · [2] hektar setara per kriteria · "
        "[3] kontribusi penanganan — tiga ukuran berbeda, jangan dijumlahkan satu sama lain.",
    ]
    keys, lab = _group_keys(result.by)
    freeze = len(keys) + len(lab)
    additive = {k: v for k, v in result.totals.items() if k in result.wilayah.columns}
    param = result.parameter
    if lab:
        param = result.wilayah[keys + lab].merge(param, on=keys, how="right")
    sheets = [
        Sheet("Ringkasan", result.wilayah, columns=labels, title=head, totals=additive, totals_label="Jumlah kota", freeze_columns=freeze),
        Sheet(
            "Per parameter", param, columns=labels, freeze_columns=freeze,
            title=[f"[2] Pengurangan hektar setara per kriteria dan aspek, {result.year_from}–{result.year_to}, per {_BY_ID[by]}"],
            totals={k: v for k, v in result.totals.items() if k.startswith("pengurangan_ha_")}, totals_label="Jumlah kota",
        ),
        Sheet(
            "Per kriteria", result.kriteria, columns=labels,
            title=[f"[2] Hektar setara per kriteria, aspek dan sektoral (seluruh kota), {result.year_from}–{result.year_to}"],
        ),
        Sheet(
            "Per tingkat per tahun", result.per_tahun, columns=labels, freeze_columns=freeze,
            title=[f"[1] Luas per tingkat kekumuhan per tahun, per {_BY_ID[by]}; [2] hektar setara; [3] kontribusi tahun t−1 → t"],
        ),
        Sheet(
            "Target", result.target, columns=labels,
            title=["Capaian pengurangan luas kumuh [1] terhadap target tahunan proyek (target_pengurangan_ha)"],
        ),
    ]  # fmt: skip
    if result.jejak is not None and len(result.jejak):
        sheets.append(
            Sheet(
                "Jejak kolaborasi", result.jejak.head(1_000_000), columns=labels,
                title=["Jejak perubahan volume: kolaborasi di dalam RT (derived) atau survei baru (observed)"],
            )
        )  # fmt: skip
    sheets.append(Sheet("Keterangan", None, notes=explanation_lines(result)))
    return sheets


def write_reduction(result: Reduction, path, *, kota: str = ""):
    """Write a reduction by extension: ``.csv`` the ``--by`` view (:attr:`Reduction.view`),
    ``.xlsx`` the office workbook (:func:`reduction_sheets`)."""
    from pathlib import Path

    from kumuhgis.outputs.files import write_frame
    from kumuhgis.outputs.workbook import write_workbook

    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".csv":
        return write_frame(result.view, path)
    if ext == ".xlsx":
        return write_workbook(
            path,
            reduction_sheets(result, kota=kota),
            properties={"title": f"Pengurangan kumuh {result.year_from}-{result.year_to}"},
        )
    raise UsageError(
        f"Format keluaran '{ext or path.name}' tidak didukung; pakai .csv atau .xlsx (grafik: --charts DIR) / "
        f"unsupported output '{ext or path.name}'; use .csv or .xlsx (charts: --charts DIR)"
    )
