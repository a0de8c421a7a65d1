"""Conditions per RT and year: observed surveys and derived years (domain.md §5).

Year ``t``'s condition of an RT is **observed** (a baseline row for ``t``) or
**derived**: for every criterion ``c``::

    volume_t = max(0, volume_{t−1} − Σ volume of kolaborasi of year t addressing c inside the RT)

Observed data wins over derived data, and each year's result is the next year's starting
point. Work outside the delineation changes no RT's volumes.

Which kolaborasi counts for which RT is decided in one place,
:func:`attribute_kolaborasi` (a plain containment test), so a finer classification
(kumuhgis.analysis.kolaborasi, domain.md §7) can replace it without touching the derivation.
Every derived figure is traced to the kolaborasi rows that produced it
(:attr:`YearConditions.trace`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.core.errors import CRSError, Problem, ValidationError
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.schema import CRITERIA_CODES_02_2016
from kumuhgis.core.vocabulary import work_volumes

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
    per RT and year. ``trace``: one row per RT, year and criterion with the columns of
    :data:`TRACE_COLUMNS` (``kode_kegiatan`` lists the kolaborasi codes, ``;``-separated;
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

    Each work's volume is read per criterion (:func:`~kumuhgis.core.vocabulary.work_volumes`:
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
        share = where["porsi_rt"] if "porsi_rt" in where.columns else pd.Series(1.0, index=where.index)
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
            volumes[i] = work_volumes(get["kriteria"][i], get["volume"][i], get["volume_kriteria"][i], rules)
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
    criterion c)``; header columns (luas, bangunan, KK, lengths ...) are carried over.
    Arithmetic is decimal to 6 places (results are rounded to 6 decimals).

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
        ``conditions`` sorted by year then ``kode_rt`` on a fresh index, the ``trace``
        (every RT, year and criterion; the volume columns of the baseline) and the
        ``attribution`` used.

    Raises
    ------
    ValidationError
        Missing ``kode_rt``/``tahun``, an invalid year, or two rows for one RT and year.
    """
    _check_baseline(baseline)
    attribution = _empty_attribution() if attribution is None else attribution
    vol_cols = _volume_columns(baseline)
    codes = [c[2:] for c in vol_cols]
    base = baseline.copy()
    base["kode_rt"] = base["kode_rt"].astype(str)
    base["tahun"] = pd.to_numeric(base["tahun"]).astype("int64")
    for c in vol_cols:
        base[c] = pd.to_numeric(base[c]).astype("float64")
    base["asal"] = OBSERVED
    if base.empty:
        return YearConditions(base.reset_index(drop=True), _empty_trace(), attribution)
    years_present = [int(base["tahun"].min()), int(base["tahun"].max())]
    if len(attribution):
        years_present.append(int(attribution["tahun"].max()))
    last = int(until) if until is not None else max(years_present)
    first = int(base["tahun"].min())

    att = attribution[attribution["kriteria"].isin(codes)]
    att = att.assign(kode_rt=att["kode_rt"].astype(str), tahun=att["tahun"].astype("int64"))
    sums = att.groupby(["tahun", "kode_rt", "kriteria"], sort=True).agg(
        volume=("volume", "sum"),
        kode_kegiatan=("kode_kegiatan", lambda s: ";".join(sorted(dict.fromkeys(map(str, s))))),
    )

    frames: list[pd.DataFrame] = []
    traces: list[pd.DataFrame] = []
    prev: pd.DataFrame | None = None
    by_year = {int(y): g.set_index("kode_rt", drop=False) for y, g in base.groupby("tahun")}
    for t in range(first, last + 1):
        obs = by_year.get(t, base.iloc[0:0].set_index("kode_rt", drop=False))
        s_t = sums.loc[t] if t in sums.index.get_level_values(0) else None
        sub = (
            s_t["volume"].unstack("kriteria").reindex(columns=codes).fillna(0.0)
            if s_t is not None
            else pd.DataFrame(columns=codes, dtype="float64")
        )
        cur = obs if prev is None else _next_year(prev, obs, sub, t, vol_cols, codes)
        if len(cur) == 0:  # pragma: no cover - the first year always has a survey
            continue
        traces.append(_trace_year(cur, prev, t, vol_cols, codes, s_t))
        frames.append(cur)
        prev = cur
    conditions = pd.concat(frames, ignore_index=True) if frames else base.iloc[0:0]
    conditions = conditions.sort_values(["tahun", "kode_rt"], kind="stable").reset_index(drop=True)
    conditions = conditions.astype(
        {c: base[c].dtype for c in base.columns if c in conditions.columns}
    )
    trace = pd.concat(traces, ignore_index=True) if traces else _empty_trace()
    trace = trace.sort_values(["tahun", "kode_rt"], kind="stable").reset_index(drop=True)
    return YearConditions(conditions=conditions, trace=trace, attribution=attribution)


def _next_year(prev, obs, sub, t: int, vol_cols: list[str], codes: list[str]) -> pd.DataFrame:
    """Year ``t``: the observed rows ``obs``, and every other RT of ``prev`` derived as
    ``max(0, v_{t−1} − Σ kolaborasi volume of t)`` per criterion (``sub``: RT × criterion),
    rounded to 6 decimals."""
    carry_ids = prev.index[~prev.index.isin(obs.index)]
    carry = prev.loc[carry_ids].copy()
    if len(carry):
        before = carry[vol_cols].to_numpy(dtype=np.float64)
        minus = sub.reindex(index=carry_ids, columns=codes).fillna(0.0).to_numpy(dtype=np.float64)
        carry[vol_cols] = np.round(np.maximum(0.0, before - minus), 6)
        carry["tahun"] = t
        carry["asal"] = DERIVED
    return pd.concat([obs, carry]) if len(obs) else carry


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


def _trace_year(cur, prev, t, vol_cols, codes, s_t) -> pd.DataFrame:
    n, k = len(cur), len(codes)
    ids = cur.index.to_numpy()
    after = cur[vol_cols].to_numpy(dtype=np.float64)
    if prev is not None:
        before = prev[vol_cols].reindex(ids).to_numpy(dtype=np.float64)
    else:
        before = np.full((n, k), np.nan)
    derived = (cur["asal"] == DERIVED).to_numpy()
    subtracted = np.where(derived[:, None], np.round(before - after, 6), 0.0)
    frame = pd.DataFrame(
        {
            "kode_rt": np.repeat(ids, k),
            "tahun": np.full(n * k, t, dtype=np.int64),
            "kriteria": np.tile(np.asarray(codes, dtype=object), n),
            "asal": np.repeat(cur["asal"].to_numpy(dtype=object), k),
            "volume_before": before.ravel(),
            "volume_subtracted": subtracted.ravel(),
            "volume_after": after.ravel(),
        }
    )
    frame["kode_rt"] = frame["kode_rt"].astype("str")
    frame["kriteria"] = frame["kriteria"].astype("str")
    frame["asal"] = frame["asal"].astype("str")
    if s_t is not None and len(s_t):
        extra = s_t.reset_index()
        frame = frame.merge(extra, on=["kode_rt", "kriteria"], how="left")
        frame = frame.rename(columns={"volume": "volume_kolaborasi"})
        frame["volume_kolaborasi"] = frame["volume_kolaborasi"].fillna(0.0)
        frame["kode_kegiatan"] = frame["kode_kegiatan"].fillna("").astype("str")
    else:
        frame["volume_kolaborasi"] = 0.0
        frame["kode_kegiatan"] = pd.Series([""] * len(frame), dtype="str")
    return frame[list(TRACE_COLUMNS)]


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
