"""Conditions per RT and year: observed surveys and derived years (domain.md §5).

Year ``t``'s condition of an RT is **observed** (a baseline row for ``t``) or
**derived**: for every criterion ``c``::

    volume_t = max(0, volume_{t−1} − Σ volume_c of kolaborasi of year t × its share in the RT)

Observed data wins over derived data, and each year's result is the next year's starting
point. Work outside the delineation changes no RT's volumes (it is prevention).

How much of which kolaborasi counts for which RT is decided in one place,
:func:`attribute_kolaborasi`: the work's volume per criterion
(:func:`kumuhgis.core.volumes.work_volumes`: one volume per criterion where they split one
ideal length) times its share in the RT — given by the Korkot's classification
(:func:`kumuhgis.analysis.kolaborasi.kolaborasi_in_rt`: the share inside the delineation in
force, split across RTs by length or area), or by a plain containment test. Every derived
figure is traced to the kolaborasi rows that produced it (:attr:`YearConditions.trace`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.core.errors import CRSError, Problem, ValidationError
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.schema import CRITERIA_CODES_02_2016
from kumuhgis.core.volumes import work_volumes

__all__ = [
    "ATTRIBUTION_SETTING",
    "ATTRIBUTION_COLUMNS",
    "TRACE_COLUMNS",
    "YearConditions",
    "attribute_kolaborasi",
    "derive_conditions",
    "fill_luas_from_polygons",
]

ATTRIBUTION_COLUMNS = (
    "kode_kegiatan",
    "nama_kegiatan",
    "tahun",
    "sumber_dana",
    "kode_rt",
    "kriteria",
    "volume",
    "satuan",
    "porsi",
    "volume_kegiatan",
    "nilai_rp",
)
TRACE_COLUMNS = (
    "kode_rt",
    "tahun",
    "kriteria",
    "asal",
    "volume_before",
    "kode_kegiatan",
    "volume_kolaborasi",
    "volume_subtracted",
    "volume_after",
)
#: Project setting choosing how kolaborasi are attributed to RTs (see kumuhgis.analysis.city.city_conditions).
ATTRIBUTION_SETTING = "atribusi_kolaborasi"
OBSERVED = "observed"
DERIVED = "derived"


@dataclass(frozen=True)
class YearConditions:
    """Outcome of :func:`derive_conditions`.

    ``conditions``: the baseline columns plus ``asal`` (``observed``/``derived``), one row
    per RT and year. ``trace``: one row per RT, year and criterion where a kolaborasi
    applied or the volume changed, with the columns of :data:`TRACE_COLUMNS`
    (``kode_kegiatan`` lists the kolaborasi codes with a volume there, ``;``-separated;
    ``volume_subtracted`` is what was actually taken off, never more than
    ``volume_before``). ``attribution``: the kolaborasi rows attributed to RTs.
    """

    conditions: pd.DataFrame
    trace: pd.DataFrame
    attribution: pd.DataFrame


def _empty_attribution() -> pd.DataFrame:
    text = ("kode_kegiatan", "nama_kegiatan", "sumber_dana", "kode_rt", "kriteria", "satuan")
    return pd.DataFrame(
        {
            c: pd.Series([], dtype="int64" if c == "tahun" else "str" if c in text else "float64")
            for c in ATTRIBUTION_COLUMNS
        }
    )


def _geoms(frame: gpd.GeoDataFrame, **columns) -> gpd.GeoDataFrame:
    """A fresh GeoDataFrame (positional index) with ``frame``'s geometry and ``columns``."""
    return gpd.GeoDataFrame(columns, geometry=frame.geometry.to_numpy(), crs=frame.crs)


def attribute_kolaborasi(
    kolaborasi: gpd.GeoDataFrame,
    rt: gpd.GeoDataFrame,
    *,
    delineasi: gpd.GeoDataFrame | None = None,
    placement: pd.DataFrame | None = None,
    rules: RuleSet | str | None = None,
) -> pd.DataFrame:
    """How much of which kolaborasi reduces which RT's volumes (domain.md §5).

    Each work's volume is read per criterion (:func:`~kumuhgis.core.volumes.work_volumes`:
    the list aligned with ``kriteria``, else one volume for each criterion named, the
    groups splitting one ideal length excepted). The RT row of criterion ``c`` takes
    ``volume = volume_c × porsi`` and ``nilai_rp = nilai_rp × porsi``, ``porsi`` being the
    share of the work counted in that RT.

    ``placement`` gives those shares: a frame of ``kode_kegiatan``, ``kode_rt`` and
    ``porsi_rt`` (:func:`kumuhgis.analysis.kolaborasi.kolaborasi_in_rt`: the share inside
    the delineation in force split across RTs by length or area, the Korkot's overrides
    first); works not listed there count nowhere. Without it, the plain containment test:
    a work counts whole (``porsi`` 1) for the RT polygon that covers it (``covered_by``, a
    point on the boundary counts as inside; on the shared edge of two RTs the one whose
    ``kode_rt`` sorts first) when — with a delineation given and not empty — a delineation
    polygon of ``tahun`` ≤ the work's year covers it too (all polygons when none is that
    old); a line or polygon crossing two RTs counts nowhere there.

    Returns
    -------
    pandas.DataFrame
        One row per work, RT and criterion code of ``rules`` it addresses, with the
        columns of :data:`ATTRIBUTION_COLUMNS` (``volume_kegiatan``: the work's volume for
        that criterion before the share).
    """
    if kolaborasi is None or len(kolaborasi) == 0 or rt is None or len(rt) == 0:
        return _empty_attribution()
    rules = load_rules(rules)
    for name, layer in (("kolaborasi", kolaborasi), ("rt", rt), ("delineasi", delineasi)):
        if layer is not None and len(layer) and layer.crs is None:
            raise CRSError(f"Layer {name} tanpa CRS / layer {name} has no CRS")
    if placement is not None:
        kol = kolaborasi.reset_index(drop=True)
        pos = pd.Series(np.arange(len(kol)), index=kol["kode_kegiatan"].astype(str).to_numpy())
        pos = pos[~pos.index.duplicated()]
        where = placement[placement["kode_rt"].notna()]
        where = where[where["kode_kegiatan"].astype(str).isin(pos.index)]
        share = (
            where["porsi_rt"] if "porsi_rt" in where.columns else pd.Series(1.0, index=where.index)
        )
        return _attribution_rows(
            kol,
            pos.loc[where["kode_kegiatan"].astype(str)].to_numpy(),
            where["kode_rt"].astype(str).to_numpy(),
            share.to_numpy(dtype=float),
            rules,
        )
    return _contained(kolaborasi, rt, delineasi, rules)


def _contained(kolaborasi, rt, delineasi, rules) -> pd.DataFrame:
    """The plain containment test of :func:`attribute_kolaborasi` (whole works, porsi 1)."""
    kol = kolaborasi[kolaborasi.geometry.notna() & ~kolaborasi.geometry.is_empty]
    kol = kol.to_crs(rt.crs) if not kol.crs.equals(rt.crs) else kol
    kol = kol.reset_index(drop=True)
    rts = _geoms(rt, kode_rt=rt["kode_rt"].astype(str).to_numpy())
    joined = gpd.sjoin(_geoms(kol), rts, how="inner", predicate="covered_by")
    joined = joined.reset_index(names="_k").sort_values(["_k", "kode_rt"]).drop_duplicates("_k")
    hit = pd.Series(joined["kode_rt"].to_numpy(), index=joined["_k"].to_numpy(), dtype="str")
    keep = np.zeros(len(kol), dtype=bool)
    keep[hit.index.to_numpy(dtype=int)] = True
    if delineasi is not None and len(delineasi):
        dl = delineasi.to_crs(rt.crs) if not delineasi.crs.equals(rt.crs) else delineasi
        dl = _geoms(dl, _tahun=pd.to_numeric(dl["tahun"], errors="coerce").to_numpy(dtype=float))
        dj = gpd.sjoin(_geoms(kol), dl, how="inner", predicate="covered_by")
        k_year = pd.to_numeric(kol["tahun"], errors="coerce").to_numpy()
        first = (
            np.nanmin(dl["_tahun"].to_numpy(dtype=float)) if dl["_tahun"].notna().any() else np.inf
        )
        dyear = dj["_tahun"].to_numpy(dtype=float)
        kyear = k_year[dj.index.to_numpy(dtype=int)].astype(float)
        in_force = (dyear <= kyear) | np.isnan(dyear) | (kyear < first)
        inside = np.zeros(len(kol), dtype=bool)
        inside[np.unique(dj.index.to_numpy(dtype=int)[in_force])] = True
        keep &= inside
    idx = np.flatnonzero(keep)
    return _attribution_rows(kol, idx, hit.reindex(idx).to_numpy(), np.ones(len(idx)), rules)


def _text_or_none(v) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _attribution_rows(
    kol: pd.DataFrame, idx: np.ndarray, rts: np.ndarray, share: np.ndarray, rules: RuleSet
) -> pd.DataFrame:
    """One row per counted (work ``kol.iloc[idx[i]]``, RT ``rts[i]``, share ``share[i]``)
    and criterion, with the work's volume for that criterion × the share."""
    if len(idx) == 0:
        return _empty_attribution()
    get = {c: kol[c].to_numpy(dtype=object) if c in kol.columns else np.full(len(kol), None)
           for c in ("kode_kegiatan", "nama_kegiatan", "sumber_dana", "kriteria", "volume",
                     "volume_kriteria", "nilai_rp", "tahun")}  # fmt: skip
    volumes = {}
    rows = []
    for i, r, s in zip(idx.tolist(), rts.tolist(), share.tolist(), strict=True):
        if i not in volumes:
            volumes[i] = work_volumes(
                get["kriteria"][i], get["volume"][i], get["volume_kriteria"][i], rules
            )
        nilai = get["nilai_rp"][i]
        nilai = np.nan if nilai is None or pd.isna(nilai) else float(nilai)
        for code, vol in volumes[i].items():
            rows.append((
                str(get["kode_kegiatan"][i]), _text_or_none(get["nama_kegiatan"][i]),
                int(get["tahun"][i]), _text_or_none(get["sumber_dana"][i]), str(r), code,
                round(vol * s, 9), rules.criterion(code).unit, s, vol, round(nilai * s, 2),
            ))  # fmt: skip
    if not rows:
        return _empty_attribution()
    out = pd.DataFrame(rows, columns=list(ATTRIBUTION_COLUMNS))
    for c in ("kode_kegiatan", "nama_kegiatan", "sumber_dana", "kode_rt", "kriteria", "satuan"):
        out[c] = out[c].astype("str")
    return out.astype({"tahun": "int64", "volume": "float64", "porsi": "float64",
                       "volume_kegiatan": "float64", "nilai_rp": "float64"})  # fmt: skip


def _volume_columns(baseline: pd.DataFrame) -> list[str]:
    return [f"v_{c}" for c in CRITERIA_CODES_02_2016 if f"v_{c}" in baseline.columns]


def _check_baseline(baseline: pd.DataFrame) -> None:
    problems = []
    for c in ("kode_rt", "tahun"):
        if c not in baseline.columns:
            problems.append(
                Problem(
                    None,
                    c,
                    None,
                    f"kolom wajib '{c}' tidak ada",
                    f"required column '{c}' is missing",
                )
            )
    if not problems:
        years = pd.to_numeric(baseline["tahun"], errors="coerce")
        for i in np.flatnonzero(years.isna().to_numpy()):
            problems.append(
                Problem(
                    i + 2,
                    "tahun",
                    str(baseline["tahun"].iloc[i]),
                    "tahun kosong/tidak sah",
                    "year empty/invalid",
                )
            )
        key = baseline["kode_rt"].astype(str) + "|" + years.astype(str)
        dup = key.duplicated(keep=False).to_numpy()
        for i in np.flatnonzero(dup):
            problems.append(
                Problem(
                    i + 2, "kode_rt", str(baseline["kode_rt"].iloc[i]),
                    f"RT ini punya lebih dari satu baris untuk tahun {baseline['tahun'].iloc[i]}",
                    f"this RT has more than one row for year {baseline['tahun'].iloc[i]}",
                    "satu baris per RT per tahun", "one row per RT per year",
                )
            )  # fmt: skip
    if problems:
        raise ValidationError(problems, source="baseline", layer="baseline")


def derive_conditions(
    baseline: pd.DataFrame,
    attribution: pd.DataFrame | None = None,
    *,
    until: int | None = None,
) -> YearConditions:
    """Conditions of every RT for every year from its first survey to ``until`` (domain.md §5).

    For each RT and year ``t`` after its first survey: a baseline row for ``t`` is used
    as observed; otherwise the year is derived from ``t − 1`` with, per volume column
    ``v_c``, ``v_c,t = max(0, v_c,t−1 − Σ volume of attributed kolaborasi of year t with
    criterion c)`` (the attribution's ``volume`` is already the work's volume for ``c``
    × its share in the RT); header columns (luas, bangunan, KK, lengths ...) are carried
    over from the RT's latest survey. Results are rounded to 6 decimals.

    Vectorised over RTs: one array step per year (RT × criterion), one ``take`` of the
    baseline rows for the header columns.

    Parameters
    ----------
    baseline
        Observed rows (the ``baseline`` layer): ``kode_rt``, ``tahun`` and the ``v_*``
        columns; one row per RT and year. Not modified.
    attribution
        Kolaborasi attributed to RTs (:func:`attribute_kolaborasi`); ``None`` = none.
    until
        Last year to produce; default the latest year of the baseline or the attribution.

    Returns
    -------
    YearConditions
        ``conditions`` sorted by year then ``kode_rt`` on a fresh index; the ``trace``
        (the RT, year and criterion cells where a kolaborasi applied or the volume changed);
        the ``attribution`` used.

    Raises
    ------
    ValidationError
        Missing ``kode_rt``/``tahun``, an invalid year, or two rows for one RT and year.
    """
    _check_baseline(baseline)
    attribution = _empty_attribution() if attribution is None else attribution
    vol_cols = _volume_columns(baseline)
    codes = [c[2:] for c in vol_cols]
    base = baseline.assign(
        kode_rt=baseline["kode_rt"].astype(str),
        tahun=pd.to_numeric(baseline["tahun"]).astype("int64"),
        asal=OBSERVED,
        **{c: pd.to_numeric(baseline[c]).astype("float64") for c in vol_cols},
    )
    if base.empty:
        return YearConditions(base.reset_index(drop=True), _empty_trace(), attribution)
    first = int(base["tahun"].min())
    years_present = [first, int(base["tahun"].max())]
    if len(attribution):
        years_present.append(int(attribution["tahun"].max()))
    last = int(until) if until is not None else max(years_present)
    base = base[base["tahun"] <= last].reset_index(drop=True)
    if base.empty:
        return YearConditions(base, _empty_trace(), attribution)
    rt_of, rts = pd.factorize(base["kode_rt"], sort=True)
    steps = _Steps.build(base, rt_of, len(rts), first, last, vol_cols)
    kol = _year_sums(attribution, rts, codes, first, last)
    src, vol, derived, tr = _run_years(steps, kol)
    conditions = base.take(src).reset_index(drop=True)
    conditions["tahun"] = (first + tr.t_of_row).astype("int64")
    conditions["asal"] = _origin_text(derived)
    conditions[vol_cols] = vol
    conditions = conditions.astype({c: base[c].dtype for c in base.columns})
    trace = _trace_frame(tr, kol, rts, codes, first)
    return YearConditions(conditions=conditions, trace=trace, attribution=attribution)


def _origin_text(derived: np.ndarray) -> pd.Series:
    """``observed``/``derived`` per row, as text (a take, not one string per row)."""
    return (
        pd.Series([OBSERVED, DERIVED], dtype="str")
        .take(derived.astype(np.int64))
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class _Steps:
    """The observed rows as arrays: ``obs_row[t, r]`` the baseline row of RT ``r`` in year
    ``first + t`` (−1 when not surveyed) and ``volumes`` the baseline's volume columns."""

    obs_row: np.ndarray
    volumes: np.ndarray

    @classmethod
    def build(cls, base, rt_of, n_rt, first, last, vol_cols) -> _Steps:
        obs_row = np.full((last - first + 1, n_rt), -1, dtype=np.int64)
        obs_row[base["tahun"].to_numpy() - first, rt_of] = np.arange(len(base))
        return cls(obs_row, base[vol_cols].to_numpy(dtype=np.float64))


@dataclass(frozen=True)
class _KolSums:
    """Σ attributed volume per year, RT and criterion (``volume[t, r, k]``), and the
    kolaborasi codes behind each cell (``codes``: flat cell key → ``"K1;K2"``)."""

    volume: np.ndarray
    codes: pd.Series
    named: np.ndarray


def _year_sums(attribution, rts, codes, first, last) -> _KolSums:
    n_t, n_r, n_k = last - first + 1, len(rts), len(codes)
    volume = np.zeros((n_t, n_r, n_k))
    att = attribution[attribution["kriteria"].isin(codes)]
    ti = pd.to_numeric(att["tahun"]).to_numpy(dtype=np.int64) - first
    ri = rts.get_indexer(att["kode_rt"].astype(str))
    ki = pd.Index(codes).get_indexer(att["kriteria"])
    ok = (ti >= 0) & (ti < n_t) & (ri >= 0)
    vol = att["volume"].to_numpy(dtype=np.float64)
    np.add.at(volume, (ti[ok], ri[ok], ki[ok]), vol[ok])
    named = ok & (vol > 0)
    key = (ti * n_r + ri) * n_k + ki
    cells = pd.DataFrame(
        {"key": key[named], "k": att["kode_kegiatan"].astype(str).to_numpy()[named]}
    )
    cells = cells.drop_duplicates().sort_values(["key", "k"], kind="stable")
    keys, ks = cells["key"].to_numpy(), cells["k"].to_numpy(dtype=object)
    uniq, start = np.unique(keys, return_index=True)
    ends = np.append(start[1:], len(keys)).tolist() if len(keys) else []
    texts = [
        ks[a] if b - a == 1 else ";".join(ks[a:b])
        for a, b in zip(start.tolist(), ends, strict=True)
    ]
    joined = pd.Series(texts, index=uniq, dtype=object)
    has = np.zeros(volume.shape, dtype=bool)
    has[ti[named], ri[named], ki[named]] = True
    return _KolSums(volume, joined, has)


@dataclass(frozen=True)
class _Trail:
    """Per output row: its year index ``t_of_row`` and RT ``rt_of_row``; per trace cell
    (flat ``row × criterion``) the volumes before and after and the origin."""

    t_of_row: np.ndarray
    rt_of_row: np.ndarray
    before: np.ndarray
    after: np.ndarray
    derived: np.ndarray


def _run_years(steps: _Steps, kol: _KolSums):
    """Walk the years: observed rows where surveyed, else ``max(0, v − Σ kolaborasi)``."""
    n_t, n_r = steps.obs_row.shape
    n_k = steps.volumes.shape[1]
    cur = np.full((n_r, n_k), np.nan)
    src = np.full(n_r, -1, dtype=np.int64)
    present = np.zeros(n_r, dtype=bool)
    out = {k: [] for k in ("src", "vol", "derived", "t", "rt", "before")}
    for t in range(n_t):
        o = steps.obs_row[t]
        seen = o >= 0
        derived = present & ~seen
        before = cur
        cur = cur.copy()
        cur[derived] = np.round(np.maximum(0.0, before[derived] - kol.volume[t][derived]), 6)
        cur[seen] = steps.volumes[o[seen]]
        src[seen] = o[seen]
        present = present | seen
        rows = np.flatnonzero(present)
        out["src"].append(src[rows])
        out["vol"].append(cur[rows])
        out["derived"].append(derived[rows])
        out["t"].append(np.full(len(rows), t, dtype=np.int64))
        out["rt"].append(rows)
        out["before"].append(before[rows])
    cat = {k: np.concatenate(v) for k, v in out.items()}
    trail = _Trail(cat["t"], cat["rt"], cat["before"], cat["vol"], cat["derived"])
    return cat["src"], cat["vol"], cat["derived"], trail


def _trace_frame(tr: _Trail, kol: _KolSums, rts, codes, first) -> pd.DataFrame:
    """The trace cells where a kolaborasi applied or the volume changed."""
    n_r, n_k = len(rts), len(codes)
    kvol = kol.volume[tr.t_of_row, tr.rt_of_row]
    key = ((tr.t_of_row * n_r + tr.rt_of_row) * n_k)[:, None] + np.arange(n_k)
    named = kol.named[tr.t_of_row, tr.rt_of_row]
    moved = ~np.isnan(tr.before) & (tr.before != tr.after)
    row, k = np.nonzero(named | (kvol > 0) | moved)
    if not len(row):
        return _empty_trace()
    before, after = tr.before[row, k], tr.after[row, k]
    derived = tr.derived[row]
    frame = pd.DataFrame(
        {
            "kode_rt": pd.Series(rts, dtype="str").take(tr.rt_of_row[row]).reset_index(drop=True),
            "tahun": (first + tr.t_of_row[row]).astype(np.int64),
            "kriteria": pd.Series(codes, dtype="str").take(k).reset_index(drop=True),
            "asal": _origin_text(derived),
            "volume_before": before,
            "kode_kegiatan": pd.Series(
                kol.codes.reindex(key[row, k]).fillna("").to_numpy(), dtype="str"
            ),
            "volume_kolaborasi": kvol[row, k],
            "volume_subtracted": np.where(derived, np.round(before - after, 6), 0.0),
            "volume_after": after,
        }
    )
    return frame[list(TRACE_COLUMNS)]


def _empty_trace() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kode_rt": pd.Series([], dtype="str"),
            "tahun": pd.Series([], dtype="int64"),
            "kriteria": pd.Series([], dtype="str"),
            "asal": pd.Series([], dtype="str"),
            "volume_before": pd.Series([], dtype="float64"),
            "kode_kegiatan": pd.Series([], dtype="str"),
            "volume_kolaborasi": pd.Series([], dtype="float64"),
            "volume_subtracted": pd.Series([], dtype="float64"),
            "volume_after": pd.Series([], dtype="float64"),
        }
    )


def fill_luas_from_polygons(
    baseline: pd.DataFrame, rt: gpd.GeoDataFrame, *, method: str = "geodesic"
) -> pd.DataFrame:
    """``luas_ha`` from the baseline when given, else the RT polygon's area (domain.md §5, §10).

    Adds ``sumber_luas``: ``"baseline"`` or ``"poligon (geodesic)"`` / ``"poligon (utm)"``.
    Rows whose RT has no polygon keep an empty ``luas_ha`` (scoring then reports them).
    """
    out = baseline.copy()
    luas = (
        pd.to_numeric(out["luas_ha"], errors="coerce")
        if "luas_ha" in out.columns
        else pd.Series(np.nan, index=out.index)
    )
    missing = luas.isna()
    source = pd.Series(np.where(missing, "", "baseline"), index=out.index, dtype="str")
    if missing.any() and rt is not None and len(rt):
        from kumuhgis.geo.area import hectares

        need = set(out.loc[missing, "kode_rt"].astype(str))
        polys = rt[rt["kode_rt"].astype(str).isin(need)]
        area = pd.Series(
            hectares(polys, method=method).to_numpy(), index=polys["kode_rt"].astype(str).to_numpy()
        )
        area = area[~area.index.duplicated()]
        filled = out.loc[missing, "kode_rt"].astype(str).map(area)
        luas = luas.where(~missing, filled.reindex(out.index))
        source = source.where(~(missing & luas.notna()), f"poligon ({method})")
    out["luas_ha"] = luas.astype("float64")
    out["sumber_luas"] = source
    return out
