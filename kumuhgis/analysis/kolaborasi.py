"""Collaboration work inside or outside the slum delineation: the Korkot's rules (domain.md §7).

The Korkot's question is where each kolaborasi lies against the delineation of the SK
version in force in the work's year:

* ``dalam`` — entirely inside the union of all kawasan (a line running through two
  adjacent kawasan is entirely inside); a point on a boundary, or within
  :data:`BOUNDARY_M` (1 cm, to absorb reprojection rounding), counts as inside;
* ``sebagian`` — a line or polygon partly inside; ``porsi_dalam`` is the share inside by
  length (lines) or area (polygons);
* ``batas`` — outside, but within the tolerance (**configurable**, default 10 m);
* ``luar`` — outside; ``jarak_m`` is the distance to the nearest kawasan.

The geometry (distances in metres in a metric CRS, the fast point and shape paths) is
:class:`kumuhgis.geo.index.KawasanIndex`. This module holds the domain rules on top of it:
which SK version is in force (and its own polygons when the delineation is versioned), the
Korkot's overrides, the RT and kelurahan of each work, the share of each work counted in each
RT (:func:`kolaborasi_in_rt`, domain.md §5), the "no gap in its RT" flag, the Korkot list
and the summaries by year, funding source and kelurahan (the prevention report is
:mod:`kumuhgis.analysis.prevention`). The files are written by :mod:`kumuhgis.outputs.kolaborasi_files`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.errors import CRSError, UsageError
from kumuhgis.core.sk import delineation_of, sk_in_force
from kumuhgis.core.vocabulary import KOLABORASI_STATUSES as STATUSES
from kumuhgis.core.vocabulary import work_kriteria
from kumuhgis.geo.crs import metric_crs
from kumuhgis.geo.index import (
    BATAS,
    BOUNDARY_M,
    DALAM,
    DEFAULT_TOLERANCE_M,
    LUAR,
    SEBAGIAN,
    TANPA_GEOMETRI,
    KawasanIndex,
    check_tolerance,
    geometry_array,
)

__all__ = [
    "STATUSES",
    "DALAM",
    "SEBAGIAN",
    "BATAS",
    "LUAR",
    "TANPA_GEOMETRI",
    "BOUNDARY_M",
    "DEFAULT_TOLERANCE_M",
    "SETTINGS_KEY",
    "OUTPUT_COLUMNS",
    "tolerance_from_settings",
    "check_tolerance",
    "classify_kolaborasi",
    "kolaborasi_in_rt",
    "overrides_in_force",
    "korkot_list",
    "summarize",
]

#: Project settings key: ``kolaborasi: {toleransi_m: 10}``.
SETTINGS_KEY = "kolaborasi"
#: Columns the classification adds to the kolaborasi layer (contracts.md "Kolaborasi output").
OUTPUT_COLUMNS: tuple[str, ...] = (
    "status_lokasi",
    "porsi_dalam",
    "jarak_m",
    "kode_kawasan",
    "kode_rt",
    "status_manual",
    "alasan_manual",
    "oleh",
    "waktu",
)


def tolerance_from_settings(settings: dict | None) -> float:
    """The ``batas`` tolerance of a project: ``settings["kolaborasi"]["toleransi_m"]``,
    default 10 m (domain.md §7, configurable)."""
    section = (settings or {}).get(SETTINGS_KEY) or {}
    if not isinstance(section, dict):
        raise UsageError(
            f"Pengaturan '{SETTINGS_KEY}' harus mapping / setting '{SETTINGS_KEY}' must be a mapping"
        )
    return check_tolerance(section.get("toleransi_m", DEFAULT_TOLERANCE_M))


# =========================================================================== classification


def _text(values, index) -> pd.Series:
    return pd.Series(values, index=index, dtype="str")


def _gap_flags(
    frame: pd.DataFrame, conditions: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Work whose criteria are no gap in its RT (domain.md §7).

    For a work of year ``Y`` in RT ``r`` addressing criteria ``C``: the RT's condition of
    year ``Y − 1`` (observed or derived, :mod:`kumuhgis.analysis.years`; the RT's first condition
    when it starts later); criterion ``c`` is no gap when ``v_c = 0``. The work is flagged
    when every criterion of ``C`` that the conditions know is no gap.
    """
    n = len(frame)
    flag = np.full(n, None, dtype=object)
    codes_out = np.full(n, "", dtype=object)
    year_out = np.full(n, None, dtype=object)
    if conditions is not None and len(conditions):
        cond = conditions.assign(
            kode_rt=conditions["kode_rt"].astype(str),
            tahun=pd.to_numeric(conditions["tahun"]).astype("int64"),
        )
        by_rt = {k: g.sort_values("tahun").set_index("tahun") for k, g in cond.groupby("kode_rt")}
        rts = frame["kode_rt"].tolist()
        kriteria = frame["kriteria"].tolist() if "kriteria" in frame.columns else [None] * n
        tahun = pd.to_numeric(frame["tahun"], errors="coerce").tolist()
        for i in range(n):
            rt = rts[i]
            if _missing_text(rt) or str(rt) not in by_rt or not np.isfinite(tahun[i]):
                continue
            hist = by_rt[str(rt)]
            codes = [c for c in work_kriteria(kriteria[i]) if f"v_{c}" in hist.columns]
            if not codes:
                continue
            before = hist.index[hist.index <= int(tahun[i]) - 1]
            year = int(before.max()) if len(before) else int(hist.index.min())
            none = [c for c in codes if not float(hist.at[year, f"v_{c}"]) > 0]
            flag[i] = len(none) == len(codes)
            codes_out[i] = ";".join(none)
            year_out[i] = year
    idx = frame.index
    return (
        pd.Series(pd.array(flag.tolist(), dtype="boolean"), index=idx),
        pd.Series(codes_out, index=idx, dtype="str"),
        pd.Series(pd.array(year_out.tolist(), dtype="Int64"), index=idx),
    )


def _missing_text(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or str(v) == ""


def classify_kolaborasi(
    kolaborasi: gpd.GeoDataFrame,
    delineasi: gpd.GeoDataFrame,
    *,
    sk_kumuh: pd.DataFrame | None = None,
    rt: gpd.GeoDataFrame | None = None,
    wilayah: gpd.GeoDataFrame | None = None,
    conditions: pd.DataFrame | None = None,
    overrides: pd.DataFrame | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    boundary_m: float = BOUNDARY_M,
) -> gpd.GeoDataFrame:
    """Classify every kolaborasi against the delineation in force in its year (domain.md §7).

    For a work of year ``Y`` the SK version in force (:func:`sk_in_force`) names the kawasan
    whose ``delineasi`` polygons count; with no ``sk_kumuh`` every delineasi polygon
    counts. Status, share inside and distance follow
    :meth:`KawasanIndex.classify_geometries` (``tolerance_m`` = the ``batas`` band).

    The effective status ``status_akhir`` is the Korkot's ``status_manual`` when there is
    one (:func:`kumuhgis.ingest.project.set_override`), else ``status_lokasi``; its share inside
    ``porsi_efektif`` is 1 for ``dalam``, ``porsi_dalam`` for ``sebagian`` and 0 for
    ``batas``/``luar``. Rupiah: ``nilai_rp_dalam = nilai_rp × porsi_efektif``,
    ``nilai_rp_luar = nilai_rp − nilai_rp_dalam``.

    Parameters
    ----------
    kolaborasi
        The ``kolaborasi`` layer. Not modified.
    delineasi
        The ``delineasi`` layer (``kode_kawasan`` + polygons).
    sk_kumuh
        The ``sk_kumuh`` table (all versions), optional.
    rt
        The ``rt`` layer, optional: ``kode_rt`` is the RT holding the largest part of the
        work's inside part (``kode_rt_lokasi``: of the whole work, whatever its status).
    wilayah
        The ``wilayah`` layer, optional: the kelurahan where the work lies (its
        representative point), for the summaries.
    conditions
        RT conditions per year (:func:`kumuhgis.analysis.city.city_conditions`), optional:
        ``flag_bukan_kebutuhan`` marks inside work whose criteria are no gap in its RT in the
        year before the work (``kriteria_tanpa_gap`` names them, ``tahun_kondisi`` the year).
    overrides
        Current overrides (:func:`overrides_in_force`), optional.
    tolerance_m, boundary_m
        The ``batas`` band and the on-the-boundary distance, in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        The input columns, then the columns of :data:`OUTPUT_COLUMNS` and ``status_akhir``,
        ``porsi_efektif``, ``no_sk``, ``nama_kawasan``, ``kode_rt_lokasi``, ``kode_kel``,
        ``kelurahan``, ``kecamatan``, ``nilai_rp_dalam``, ``nilai_rp_luar``,
        ``flag_bukan_kebutuhan``, ``kriteria_tanpa_gap``, ``tahun_kondisi``; on the input's
        index, in the input's CRS.
    """
    return _classify(
        kolaborasi, delineasi, sk_kumuh=sk_kumuh, rt=rt, wilayah=wilayah,
        conditions=conditions, overrides=overrides, tolerance_m=tolerance_m,
        boundary_m=boundary_m,
    ).frame  # fmt: skip


@dataclass(frozen=True)
class _Classified:
    """The classified frame with the geometries it was computed on (work CRS): the whole
    works ``g`` and their parts inside the delineation in force ``inside``."""

    frame: gpd.GeoDataFrame
    g: np.ndarray
    inside: np.ndarray
    crs: object


def _classify(
    kolaborasi, delineasi, *, sk_kumuh, rt, wilayah, conditions, overrides, tolerance_m,
    boundary_m,
) -> _Classified:  # fmt: skip
    """:func:`classify_kolaborasi`, keeping the geometries for the RT split."""
    tolerance_m = check_tolerance(tolerance_m)
    if kolaborasi.crs is None:
        raise CRSError("Layer kolaborasi tanpa CRS / kolaborasi layer has no CRS")
    out = kolaborasi.copy()
    idx = out.index
    dl = (
        delineasi[~(delineasi.geometry.isna() | delineasi.geometry.is_empty)]
        if delineasi is not None
        else None
    )
    work_crs = metric_crs(dl) if dl is not None and len(dl) else metric_crs(kolaborasi)
    g = geometry_array(kolaborasi.geometry, work_crs)
    where = _locate_works(
        g, _versions_in_force(out, sk_kumuh), dl, sk_kumuh, work_crs, tolerance_m, boundary_m
    )
    names = np.array([*STATUSES], dtype=object)
    status_text = np.where(where.status >= 0, names[np.clip(where.status, 0, 3)], None)
    out["status_lokasi"] = _text(status_text, idx)
    out["porsi_dalam"] = np.round(where.porsi, 6)
    out["jarak_m"] = np.round(where.jarak, 3)
    out["kode_kawasan"] = _text(where.kode_kawasan, idx)
    rt_lokasi, rt_inside = _rt_of(g, where.inside, rt, work_crs)
    for c, s in _final_status(out, overrides, rt_lokasi, rt_inside).items():
        out[c] = s
    out["no_sk"] = _text(where.no_sk, idx)
    out["nama_kawasan"] = _text(where.nama_kawasan, idx)
    out["kode_rt_lokasi"] = _text(rt_lokasi, idx)
    kel = _kelurahan_of(g, work_crs, wilayah, rt, rt_lokasi)
    for c in ("kode_kel", "kelurahan", "kecamatan"):
        out[c] = _text(kel[c], idx)
    out["nilai_rp_dalam"], out["nilai_rp_luar"] = _rupiah(out)
    flag, no_gap, year = _gap_flags(out, conditions)
    out["flag_bukan_kebutuhan"] = flag
    out["kriteria_tanpa_gap"] = no_gap
    out["tahun_kondisi"] = year
    geom_name = out.geometry.name
    cols = [c for c in out.columns if c != geom_name] + [geom_name]
    return _Classified(out[cols], g, where.inside, work_crs)


def _versions_in_force(works: pd.DataFrame, sk_kumuh: pd.DataFrame | None) -> np.ndarray:
    """The SK version in force in each work's year (:func:`sk_in_force`; the latest for a
    work without a year); None everywhere without an SK table."""
    years = (
        pd.to_numeric(works["tahun"], errors="coerce").to_numpy()
        if "tahun" in works.columns
        else np.full(len(works), np.nan)
    )
    version_of = np.full(len(years), None, dtype=object)
    if sk_kumuh is None or len(sk_kumuh) == 0:
        return version_of
    cache: dict[int, str | None] = {}
    for i, y in enumerate(years):
        if np.isfinite(y):
            yy = int(y)
            if yy not in cache:
                cache[yy] = sk_in_force(sk_kumuh, yy)
            version_of[i] = cache[yy]
        else:
            version_of[i] = sk_in_force(sk_kumuh, 9999)
    return version_of


@dataclass(frozen=True)
class _Where:
    """Where each work lies: status code, share inside, distance, kawasan, SK version and
    the part inside (in the work CRS), one entry per work."""

    status: np.ndarray
    porsi: np.ndarray
    jarak: np.ndarray
    kode_kawasan: np.ndarray
    nama_kawasan: np.ndarray
    no_sk: np.ndarray
    inside: np.ndarray


def _locate_works(
    g: np.ndarray,
    version_of: np.ndarray,
    dl: gpd.GeoDataFrame | None,
    sk_kumuh: pd.DataFrame | None,
    work_crs,
    tolerance_m: float,
    boundary_m: float,
) -> _Where:
    """Classify the works of each SK version against that version's kawasan polygons
    (:func:`kumuhgis.core.sk.delineation_of`: the polygons of that version when the
    delineation is versioned; all unversioned polygons for works without a version);
    without a delineation every work with a geometry is ``luar``."""
    n = len(g)
    where = _Where(
        status=np.full(n, TANPA_GEOMETRI, dtype=np.int8),
        porsi=np.full(n, np.nan),
        jarak=np.full(n, np.nan),
        kode_kawasan=np.full(n, None, dtype=object),
        nama_kawasan=np.full(n, None, dtype=object),
        no_sk=np.full(n, None, dtype=object),
        inside=np.full(n, None, dtype=object),
    )
    if dl is None or not len(dl):
        present = ~(shapely.is_missing(g) | shapely.is_empty(g))
        where.status[present], where.porsi[present] = LUAR, 0.0
        return where
    nama_map = dict(
        zip(
            dl["kode_kawasan"].astype(str),
            dl.get("nama_kawasan", dl["kode_kawasan"]).astype(str),
            strict=True,
        )
    )
    keys = np.array(["" if v is None else str(v) for v in version_of], dtype=object)
    for version in dict.fromkeys(keys.tolist()):
        pos = np.flatnonzero(keys == version)
        # the polygons of the version in force (its own when the delineation is versioned)
        sel = delineation_of(dl, sk_kumuh, version or None)
        index = KawasanIndex.from_frame(sel, crs=work_crs)
        res = index.classify_geometries(g[pos], tolerance_m=tolerance_m, boundary_m=boundary_m)
        where.status[pos], where.porsi[pos] = res.status, res.porsi_dalam
        where.jarak[pos], where.inside[pos] = res.jarak_m, res.inside
        found = res.kawasan >= 0
        kode = index.kode[res.kawasan[found]]
        where.kode_kawasan[pos[found]] = kode
        where.nama_kawasan[pos[found]] = [nama_map.get(str(k)) for k in kode]
        if version != "":
            where.no_sk[pos] = version
    return where


def _rt_of(g, inside_parts, rt, work_crs) -> tuple[np.ndarray, np.ndarray]:
    """The RT holding the largest part of each whole work (``kode_rt_lokasi``) and of its
    part inside the delineation (:meth:`KawasanIndex.locate`)."""
    n = len(g)
    rt_lokasi = np.full(n, None, dtype=object)
    rt_inside = np.full(n, None, dtype=object)
    if rt is not None and len(rt):
        rt_index = KawasanIndex.from_frame(rt, kode_column="kode_rt", crs=work_crs)
        present = np.flatnonzero(~(shapely.is_missing(g) | shapely.is_empty(g)))
        loc = rt_index.locate(g[present])
        rt_lokasi[present[loc >= 0]] = rt_index.kode[loc[loc >= 0]]
        has_part = np.flatnonzero(~shapely.is_missing(inside_parts))
        if len(has_part):
            loc_in = rt_index.locate(inside_parts[has_part])
            rt_inside[has_part[loc_in >= 0]] = rt_index.kode[loc_in[loc_in >= 0]]
    return rt_lokasi, rt_inside


def _manual_columns(out: pd.DataFrame, overrides: pd.DataFrame | None) -> dict[str, pd.Series]:
    """The Korkot's override columns of each work (empty where there is none)."""
    n, idx = len(out), out.index
    manual = {
        c: pd.Series([None] * n, index=idx, dtype="str")
        for c in ("status_manual", "alasan_manual", "oleh", "waktu")
    }
    if overrides is not None and len(overrides):
        ov = overrides.drop_duplicates("kode_kegiatan", keep="last").set_index("kode_kegiatan")
        keys = out["kode_kegiatan"].astype(str)
        for c in manual:
            manual[c] = _text(keys.map(ov[c].astype(str)).to_numpy(dtype=object), idx).where(
                keys.isin(ov.index).to_numpy()
            )
    return manual


def _final_status(
    out: pd.DataFrame, overrides: pd.DataFrame | None, rt_lokasi, rt_inside
) -> dict[str, pd.Series | np.ndarray]:
    """``kode_rt``, the override columns, ``status_akhir`` (the Korkot's ``status_manual``
    when there is one, else ``status_lokasi``) and ``porsi_efektif`` (1 for ``dalam``,
    ``porsi_dalam`` for ``sebagian``, 0 for ``batas``/``luar``, NaN without a status)."""
    idx = out.index
    manual = _manual_columns(out, overrides)
    final = out["status_lokasi"].where(manual["status_manual"].isna(), manual["status_manual"])
    inside_final = final.isin(["dalam", "sebagian"]).to_numpy()
    # an override to dalam/sebagian still needs an RT: the RT the work lies in
    rt_out = np.where(inside_final, np.where(pd.isna(rt_inside), rt_lokasi, rt_inside), None)
    eff = np.select(
        [final.to_numpy() == "dalam", final.to_numpy() == "sebagian"],
        [1.0, np.nan_to_num(out["porsi_dalam"].to_numpy(dtype=float), nan=0.0)],
        0.0,
    )
    return {
        "kode_rt": _text(rt_out, idx),
        **manual,
        "status_akhir": final.astype("str"),
        "porsi_efektif": np.where(final.isna().to_numpy(), np.nan, eff),
    }


def _rupiah(out: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``nilai_rp_dalam = nilai_rp × porsi_efektif`` and ``nilai_rp_luar = nilai_rp −
    nilai_rp_dalam``, to the sen."""
    nilai = (
        pd.to_numeric(out["nilai_rp"], errors="coerce").to_numpy(dtype=float)
        if "nilai_rp" in out.columns
        else np.full(len(out), np.nan)
    )
    dalam = np.round(nilai * out["porsi_efektif"].to_numpy(), 2)
    return dalam, np.round(nilai - dalam, 2)


def _kelurahan_of(g, work_crs, wilayah, rt, rt_lokasi) -> dict[str, np.ndarray]:
    n = len(g)
    out = {c: np.full(n, None, dtype=object) for c in ("kode_kel", "kelurahan", "kecamatan")}
    present = np.flatnonzero(~(shapely.is_missing(g) | shapely.is_empty(g)))
    if wilayah is not None and len(wilayah) and len(present):
        w_index = KawasanIndex.from_frame(wilayah, kode_column="kode_kel", crs=work_crs)
        loc = w_index.locate(shapely.point_on_surface(g[present]))
        found = loc >= 0
        out["kode_kel"][present[found]] = w_index.kode[loc[found]]
    if rt is not None and len(rt) and "kode_kel" in rt.columns:
        rt_kel = dict(zip(rt["kode_rt"].astype(str), rt["kode_kel"].astype(str), strict=False))
        for i in range(n):
            if out["kode_kel"][i] is None and rt_lokasi[i] is not None:
                out["kode_kel"][i] = rt_kel.get(str(rt_lokasi[i]))
    if wilayah is not None and len(wilayah):
        names = wilayah.drop_duplicates("kode_kel").set_index(
            wilayah.drop_duplicates("kode_kel")["kode_kel"].astype(str)
        )
        for i in range(n):
            k = out["kode_kel"][i]
            if k is not None and k in names.index:
                out["kelurahan"][i] = str(names.at[k, "kelurahan"])
                out["kecamatan"][i] = str(names.at[k, "kecamatan"])
    return out


# =========================================================================== store level


def overrides_in_force(history: pd.DataFrame) -> pd.DataFrame:
    """The Korkot overrides in force (domain.md §7): the latest row per ``kode_kegiatan``
    of the override history (:attr:`kumuhgis.core.snapshot.CitySnapshot.override_history`),
    without withdrawn ones (an empty ``status_manual``).

    Columns ``kode_kegiatan, status_manual, alasan_manual, oleh, waktu``.
    """
    latest = history.drop_duplicates("kode_kegiatan", keep="last")
    latest = latest[latest["status_manual"].fillna("").astype(str) != ""]
    return latest.reset_index(drop=True)


def kolaborasi_in_rt(
    kolaborasi: gpd.GeoDataFrame,
    rt: gpd.GeoDataFrame,
    delineasi: gpd.GeoDataFrame,
    *,
    sk_kumuh: pd.DataFrame | None = None,
    overrides: pd.DataFrame | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> pd.DataFrame:
    """Which share of each work counts in which RT (domain.md §5, §7).

    The share inside is the work's ``porsi_efektif`` (:func:`classify_kolaborasi`, the
    Korkot's override first): 1 for ``dalam``, ``porsi_dalam`` for ``sebagian``, 0 for
    ``batas`` and ``luar`` (the outside share is prevention, never reduction). It is split
    across the RTs the counted part crosses in proportion to its length (line) or area
    (polygon) in each (:meth:`KawasanIndex.shares`); a point counts whole in the RT that
    holds it. The counted part is the part inside the delineation in force for a
    ``sebagian`` work, the whole work for a ``dalam`` one (an override to ``dalam`` counts
    the whole work).

    Returns
    -------
    pandas.DataFrame
        ``kode_kegiatan, kode_rt, status_akhir, porsi_efektif, porsi_rt`` — one row per
        work and RT with ``porsi_rt > 0``; Σ ``porsi_rt`` of a work is its
        ``porsi_efektif`` (when an RT holds its counted part).
    """
    cols = ["kode_kegiatan", "kode_rt", "status_akhir", "porsi_efektif", "porsi_rt"]
    c = _classify(
        kolaborasi, delineasi, sk_kumuh=sk_kumuh, rt=rt, wilayah=None, conditions=None,
        overrides=overrides, tolerance_m=check_tolerance(tolerance_m), boundary_m=BOUNDARY_M,
    )  # fmt: skip
    frame = c.frame
    eff = np.nan_to_num(frame["porsi_efektif"].to_numpy(dtype=float), nan=0.0)
    final = frame["status_akhir"].to_numpy(dtype=object)
    counted = np.flatnonzero(eff > 0)
    if rt is None or not len(rt) or not len(counted):
        return pd.DataFrame({k: pd.Series([], dtype="str") for k in cols[:3]}).assign(
            porsi_efektif=pd.Series([], dtype="float64"), porsi_rt=pd.Series([], dtype="float64")
        )
    partial = (final[counted] == "sebagian") & ~shapely.is_missing(c.inside[counted])
    parts = np.where(partial, c.inside[counted], c.g[counted])
    rt_index = KawasanIndex.from_frame(rt, kode_column="kode_rt", crs=c.crs)
    q, p, w = rt_index.shares(parts)
    rows = counted[q]
    return pd.DataFrame(
        {
            "kode_kegiatan": frame["kode_kegiatan"].astype(str).to_numpy()[rows],
            "kode_rt": rt_index.kode[p].astype(str),
            "status_akhir": final[rows].astype(str),
            "porsi_efektif": eff[rows],
            "porsi_rt": np.round(eff[rows] * w, 9),
        }
    ).astype({"kode_kegiatan": "str", "kode_rt": "str", "status_akhir": "str"})


# =========================================================================== summaries


_KORKOT_COLUMNS = (
    "kode_kegiatan", "nama_kegiatan", "tahun", "sumber_dana", "kelurahan", "nilai_rp",
    "nilai_rp_luar", "status_lokasi", "status_akhir", "porsi_dalam", "jarak_m", "kode_kawasan",
    "no_sk", "kode_rt", "kriteria", "flag_bukan_kebutuhan", "kriteria_tanpa_gap", "tahun_kondisi",
    "alasan_flag", "status_manual", "alasan_manual", "oleh", "waktu",
)  # fmt: skip


def _flag_reason(row) -> str:
    parts = []
    s = row["status_lokasi"]
    if s == "sebagian":
        parts.append(
            f"sebagian di luar delineasi ({(1 - float(row['porsi_dalam'])) * 100:.1f}% di luar)"
        )
    elif s == "batas":
        parts.append(
            f"di luar delineasi, {float(row['jarak_m']):.1f} m dari kawasan (dalam toleransi)"
        )
    elif s == "luar":
        parts.append(
            f"di luar delineasi, {float(row['jarak_m']):.1f} m dari kawasan terdekat"
            if pd.notna(row["jarak_m"])
            else "di luar delineasi"
        )
    if row.get("flag_bukan_kebutuhan") is True or (
        pd.notna(row.get("flag_bukan_kebutuhan")) and bool(row.get("flag_bukan_kebutuhan"))
    ):
        parts.append(
            f"kriteria {row['kriteria_tanpa_gap']} bukan kebutuhan di RT {row['kode_rt']} (volume 0 pada {row['tahun_kondisi']})"
        )
    if pd.notna(row.get("status_manual")):
        parts.append(
            f"status diubah Korkot menjadi '{row['status_manual']}': {row['alasan_manual']} ({row['oleh']}, {row['waktu']})"
        )
    return "; ".join(parts)


def korkot_list(classified: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The Korkot's flag list (domain.md §7): every work not wholly inside, every work whose
    criteria are no gap in its RT, and every overridden work, sorted by rupiah outside the
    delineation (``nilai_rp_luar``) then by value, largest first; ``alasan_flag`` says why."""
    fl = classified["flag_bukan_kebutuhan"].fillna(False).astype(bool)
    keep = (
        (classified["status_lokasi"] != "dalam")
        | (classified["status_akhir"] != "dalam")
        | fl
        | classified["status_manual"].notna()
    )
    sub = classified[keep.to_numpy()].copy()
    sub["alasan_flag"] = pd.Series(
        [_flag_reason(r) for _, r in sub.iterrows()], index=sub.index, dtype="str"
    )
    sub = sub.sort_values(
        ["nilai_rp_luar", "nilai_rp", "kode_kegiatan"],
        ascending=[False, False, True],
        kind="stable",
    )
    cols = [c for c in _KORKOT_COLUMNS if c in sub.columns] + [sub.geometry.name]
    return sub[cols].reset_index(drop=True)


def summarize(classified: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Counts and rupiah inside vs outside the delineation (domain.md §7), grouped ``by``
    (``"tahun"``, ``"sumber_dana"``, ``"kelurahan"`` or several).

    Per group: ``jumlah_kegiatan`` and ``jumlah_<status>`` by effective status;
    ``nilai_rp`` (Σ), ``nilai_rp_dalam = Σ nilai_rp × porsi_efektif``,
    ``nilai_rp_luar = nilai_rp − nilai_rp_dalam`` (of which ``nilai_rp_batas`` in the
    tolerance band), ``persen_rp_luar = 100 × nilai_rp_luar / nilai_rp``.
    """
    keys = [by] if isinstance(by, str) else list(by)
    df = pd.DataFrame(
        classified.drop(columns=[classified.geometry.name])
        if isinstance(classified, gpd.GeoDataFrame)
        else classified
    )
    for k in keys:
        if k not in df.columns:
            raise UsageError(f"Kolom '{k}' tidak ada / no column '{k}'")
        if df[k].isna().any():  # text keys then, so that groups still sort
            df[k] = df[k].astype("str").where(df[k].notna(), "(tidak diketahui)")
    nilai = pd.to_numeric(df["nilai_rp"], errors="coerce").fillna(0.0)
    df["_n"] = 1
    for s in STATUSES:
        df[f"jumlah_{s}"] = (df["status_akhir"] == s).astype(int)
    df["_rp"] = nilai
    df["_batas"] = np.where(df["status_akhir"] == "batas", nilai, 0.0)
    g = df.groupby(keys, sort=True, dropna=False)
    out = g.agg(
        jumlah_kegiatan=("_n", "sum"),
        **{f"jumlah_{s}": (f"jumlah_{s}", "sum") for s in STATUSES},
        nilai_rp=("_rp", "sum"),
        nilai_rp_dalam=("nilai_rp_dalam", "sum"),
        nilai_rp_luar=("nilai_rp_luar", "sum"),
        nilai_rp_batas=("_batas", "sum"),
    ).reset_index()
    for c in ("nilai_rp", "nilai_rp_dalam", "nilai_rp_luar", "nilai_rp_batas"):
        out[c] = out[c].round(2)
    out["persen_rp_luar"] = np.round(
        np.divide(
            100 * out["nilai_rp_luar"],
            out["nilai_rp"],
            out=np.zeros(len(out)),
            where=out["nilai_rp"].to_numpy() > 0,
        ),
        2,
    )
    return out
