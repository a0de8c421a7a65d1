"""Verifying the SK Kumuh against the delineation and the baseline (domain.md §6).

The Pokja PKP compares every SK version (its location rows: kawasan, kelurahan, kecamatan,
luas in ha, optionally the RTs) with the delineation polygons, the RT polygons and the RT
levels scored from the baseline, and with the previous SK version. Each finding is one row
with the numbers behind it (contracts.md "Verification output"):

======================  =================================================================
flag                    raised when
======================  =================================================================
luas_mismatch           two of luas SK, delineation area, Σ RT luas differ by more than
                        both tolerances (**configurable**, default 5 % and 0.5 ha)
rt_tidak_kumuh_di_sk    an RT listed in a location (or inside its polygon) is ``TK``
rt_kumuh_di_luar_sk     an RT scored kumuh that no location of the version covers
tanpa_geometri          a location with no delineation polygon
tanpa_rincian_rt        a location without RT detail (or with unknown RT codes)
tumpang_tindih          two delineation polygons of the version overlap
lintas_kelurahan        a kawasan reaches beyond the kelurahan it is listed under
nama_tidak_cocok        a kelurahan/kecamatan name not in the boundary layer (with the
                        closest spelling as ``saran``)
lokasi_ditambah         a location in this version but not in the one compared with
lokasi_dihapus          a location in the one compared with but not in this version
luas_berubah            a location whose SK luas changed between the two versions
======================  =================================================================

RT levels are those of :func:`kumuhgis.analysis.city.score_city` (observed and derived years)
for the latest year available up to the SK's year (or a year the caller names); each
finding's ``detail`` names the year used. The outcome per version is a recommendation —
keep the SK (``pertahankan``), revise it (``revisi SK``) or issue a new one
(``terbitkan SK baru``) — with the verified hectares.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.codes import split_codes
from kumuhgis.core.errors import UsageError
from kumuhgis.core.numeric import format_number_id
from kumuhgis.core.sk import sk_versions
from kumuhgis.core.vocabulary import closest_name, normalize_name
from kumuhgis.geo.area import hectares
from kumuhgis.geo.crs import metric_crs

__all__ = [
    "FLAGS",
    "FLAG_LABELS",
    "FINDING_COLUMNS",
    "SETTINGS_KEY",
    "DEFAULT_TOLERANCES",
    "REKOMENDASI",
    "Verification",
    "tolerances_from_settings",
    "verify_sk",
    "compare_sk",
    "write_verification",
]

#: The flags of domain.md §6, in report order.
FLAGS: tuple[str, ...] = (
    "luas_mismatch",
    "rt_tidak_kumuh_di_sk",
    "rt_kumuh_di_luar_sk",
    "tanpa_geometri",
    "tanpa_rincian_rt",
    "tumpang_tindih",
    "lintas_kelurahan",
    "nama_tidak_cocok",
    "lokasi_ditambah",
    "lokasi_dihapus",
    "luas_berubah",
)
#: Short titles of the flags (Bahasa Indonesia, English).
FLAG_LABELS: dict[str, tuple[str, str]] = {
    "luas_mismatch": ("Luas tidak cocok", "Area mismatch"),
    "rt_tidak_kumuh_di_sk": ("RT tidak kumuh di dalam SK", "Non-slum RT inside the SK"),
    "rt_kumuh_di_luar_sk": ("RT kumuh di luar SK", "Slum RT outside the SK"),
    "tanpa_geometri": ("Lokasi tanpa poligon delineasi", "Location without a delineation polygon"),
    "tanpa_rincian_rt": ("Lokasi tanpa rincian RT", "Location without RT detail"),
    "tumpang_tindih": ("Delineasi tumpang tindih", "Overlapping delineation"),
    "lintas_kelurahan": ("Kawasan melewati batas kelurahan", "Kawasan crossing its kelurahan"),
    "nama_tidak_cocok": ("Nama wilayah tidak cocok", "Place name does not match"),
    "lokasi_ditambah": ("Lokasi ditambahkan", "Location added"),
    "lokasi_dihapus": ("Lokasi dihapus", "Location removed"),
    "luas_berubah": ("Luas berubah antarversi", "Area changed between versions"),
}
#: Columns of a finding (contracts.md "Verification output"); extras follow them.
FINDING_COLUMNS: tuple[str, ...] = (
    "no_sk", "kode_kawasan", "kode_rt", "flag", "luas_sk_ha", "luas_delineasi_ha", "luas_rt_ha", "detail",
)  # fmt: skip
_EXTRA_COLUMNS = ("detail_en", "saran", "no_sk_pembanding", "tahun_tingkat")
#: Project settings key: ``verifikasi_sk: {toleransi_luas_persen: 5, ...}``.
SETTINGS_KEY = "verifikasi_sk"
#: Tolerances (domain.md §6; the luas pair is **configurable** there, the rest are ours).
DEFAULT_TOLERANCES: dict[str, float] = {
    "toleransi_luas_persen": 5.0,  # luas_mismatch: relative difference, %
    "toleransi_luas_ha": 0.5,  # luas_mismatch: absolute difference, ha (both must be exceeded)
    "toleransi_lintas_persen": 1.0,  # lintas_kelurahan: share of the kawasan outside, %
    "toleransi_lintas_ha": 0.01,  # lintas_kelurahan: area outside, ha (both must be exceeded)
    "toleransi_tumpang_tindih_ha": 0.0001,  # tumpang_tindih: overlap area (1 m²)
    "toleransi_luas_berubah_ha": 0.005,  # luas_berubah: change in luas SK between versions
}
#: Recommendations, strongest last.
REKOMENDASI: tuple[str, ...] = ("pertahankan", "revisi SK", "terbitkan SK baru")
_COMPARE_FLAGS = ("lokasi_ditambah", "lokasi_dihapus", "luas_berubah")


def tolerances_from_settings(settings: dict | None) -> dict[str, float]:
    """The project's tolerances: ``settings["verifikasi_sk"]`` over :data:`DEFAULT_TOLERANCES`.

    Raises
    ------
    UsageError
        An unknown key or a value that is not a number ≥ 0.
    """
    section = (settings or {}).get(SETTINGS_KEY) or {}
    if not isinstance(section, dict):
        raise UsageError(
            f"Pengaturan '{SETTINGS_KEY}' harus mapping / setting '{SETTINGS_KEY}' must be a mapping"
        )
    out = dict(DEFAULT_TOLERANCES)
    for key, value in section.items():
        if key not in out:
            raise UsageError(
                f"Pengaturan '{SETTINGS_KEY}.{key}' tidak dikenal; yang ada: {', '.join(out)} / unknown setting"
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not np.isfinite(number) or number < 0:
            raise UsageError(
                f"'{SETTINGS_KEY}.{key}' harus angka ≥ 0, bukan {value!r} / must be a number ≥ 0"
            )
        out[key] = number
    return out


# =========================================================================== result


@dataclass(frozen=True)
class Verification:
    """Outcome of :func:`verify_sk`.

    Attributes
    ----------
    findings
        One row per finding: :data:`FINDING_COLUMNS` then ``detail_en``, ``saran``
        (suggested spelling or action), ``no_sk_pembanding`` (the version compared with),
        ``tahun_tingkat`` (year of the RT levels used).
    locations
        One row per SK version and location: the three luas figures, the RTs, the kumuh
        luas, the verified luas (``luas_terverifikasi_ha``), the flags and a
        recommendation (``pertahankan``, ``revisi``, ``hapus``).
    summary
        One row per version: counts per flag, totals and the recommendation.
    geometries
        Findings that have a place on the map (EPSG:4326): the kawasan, the RT, the overlap
        or the part outside the kelurahan.
    tolerances
        The tolerances used.
    notes
        Sentences on what was (not) checked and why.
    """

    findings: pd.DataFrame
    locations: pd.DataFrame
    summary: pd.DataFrame
    geometries: gpd.GeoDataFrame
    tolerances: dict
    notes: list[str] = field(default_factory=list)


# =========================================================================== helpers


def _id(x, d: int = 2) -> str:
    if isinstance(x, float | np.floating) and np.isinf(x):
        return "∞"
    return format_number_id(x, d)


def _en(x, d: int = 2) -> str:
    if x is None or (isinstance(x, float | np.floating) and not np.isfinite(x)):
        return "∞" if x is not None and np.isinf(x) else "-"
    return f"{float(x):,.{d}f}"


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""


def _split_names(value) -> list[str]:
    """Kelurahan names of one SK row: ``"Baamang Hulu, Tinduk"`` or ``"A dan B"`` → two names."""
    if _missing(value):
        return []
    return [p.strip() for p in re.split(r"\s*(?:[;,/&]|\bdan\b)\s*", str(value)) if p.strip()]


def _compact(name) -> str:
    return normalize_name(name).replace(" ", "")


def _exceeds(a: float, b: float, tol_pct: float, tol_ha: float) -> tuple[bool, float, float]:
    """``|a − b| > tol_ha`` and ``100 |a − b| / b > tol_pct`` (b is the reference)."""
    if not (np.isfinite(a) and np.isfinite(b)):
        return False, np.nan, np.nan
    diff = abs(a - b)
    pct = 100.0 * diff / b if b > 0 else (np.inf if diff > 0 else 0.0)
    return bool(diff > tol_ha and pct > tol_pct), diff, pct


def _finding(no_sk, flag, detail, detail_en, *, kode_kawasan="", kode_rt="", luas_sk=np.nan, luas_del=np.nan,
             luas_rt=np.nan, saran="", pembanding="", tahun=None, geometry=None) -> dict:  # fmt: skip
    return {
        "no_sk": no_sk, "kode_kawasan": kode_kawasan or "", "kode_rt": kode_rt or "", "flag": flag,
        "luas_sk_ha": luas_sk, "luas_delineasi_ha": luas_del, "luas_rt_ha": luas_rt, "detail": detail,
        "detail_en": detail_en, "saran": saran or "", "no_sk_pembanding": pembanding or "",
        "tahun_tingkat": tahun, "_geometry": geometry,
    }  # fmt: skip


def _level_year(years: list[int], sk_year: int, forced: int | None) -> int | None:
    if forced is not None:
        return int(forced)
    if not years:
        return None
    before = [y for y in years if y <= sk_year]
    return max(before) if before else min(years)


# =========================================================================== comparison


def compare_sk(
    sk_kumuh: pd.DataFrame,
    old: str,
    new: str,
    *,
    tolerance_ha: float = DEFAULT_TOLERANCES["toleransi_luas_berubah_ha"],
) -> pd.DataFrame:
    """Locations added, removed and changed in luas between two SK versions (domain.md §6).

    Rows are findings of ``new`` (``no_sk``) against ``old`` (``no_sk_pembanding``):
    ``lokasi_ditambah`` (in ``new`` only), ``lokasi_dihapus`` (in ``old`` only; its old
    luas), ``luas_berubah`` when ``|luas_new − luas_old| > tolerance_ha``. Locations are
    matched by ``kode_kawasan``.

    Raises
    ------
    UsageError
        A version not in ``sk_kumuh``.
    """
    known = set(sk_kumuh["no_sk"].astype(str))
    for v in (old, new):
        if v not in known:
            raise UsageError(
                f"SK '{v}' tidak ada; yang ada: {', '.join(sorted(known))} / no such SK version"
            )
    rows = _compare_rows(sk_kumuh, old, new, tolerance_ha)
    return _findings_frame(rows)


def _compare_rows(sk: pd.DataFrame, old: str, new: str, tol: float) -> list[dict]:
    def table(v):
        t = sk[sk["no_sk"].astype(str) == v]
        return {
            str(k): r for k, (_, r) in zip(t["kode_kawasan"].astype(str), t.iterrows(), strict=True)
        }

    a, b = table(old), table(new)
    rows = []
    for k in sorted(set(b) - set(a)):
        r = b[k]
        rows.append(_finding(
            new, "lokasi_ditambah",
            f"Lokasi {k} ({r['nama_lokasi']}, {r['kelurahan']}) ditambahkan pada SK {new}; tidak ada di SK {old}. Luas SK {_id(r['luas_sk_ha'])} ha.",
            f"Location {k} ({r['nama_lokasi']}, {r['kelurahan']}) was added by SK {new}; it is not in SK {old}. SK area {_en(r['luas_sk_ha'])} ha.",
            kode_kawasan=k, luas_sk=float(r["luas_sk_ha"]), pembanding=old,
        ))  # fmt: skip
    for k in sorted(set(a) - set(b)):
        r = a[k]
        rows.append(_finding(
            new, "lokasi_dihapus",
            f"Lokasi {k} ({r['nama_lokasi']}, {r['kelurahan']}) ada di SK {old} ({_id(r['luas_sk_ha'])} ha) tetapi dihapus pada SK {new}.",
            f"Location {k} ({r['nama_lokasi']}, {r['kelurahan']}) is in SK {old} ({_en(r['luas_sk_ha'])} ha) but was removed by SK {new}.",
            kode_kawasan=k, luas_sk=float(r["luas_sk_ha"]), pembanding=old,
        ))  # fmt: skip
    for k in sorted(set(a) & set(b)):
        la, lb = float(a[k]["luas_sk_ha"]), float(b[k]["luas_sk_ha"])
        if abs(lb - la) > tol:
            rows.append(_finding(
                new, "luas_berubah",
                f"Luas lokasi {k} ({b[k]['nama_lokasi']}) berubah dari {_id(la)} ha (SK {old}) menjadi {_id(lb)} ha (SK {new}), selisih {'+' if lb > la else ''}{_id(lb - la)} ha.",
                f"Area of location {k} ({b[k]['nama_lokasi']}) changed from {_en(la)} ha (SK {old}) to {_en(lb)} ha (SK {new}), a change of {lb - la:+,.2f} ha.",
                kode_kawasan=k, luas_sk=lb, pembanding=old,
            ))  # fmt: skip
    return rows


# =========================================================================== verification


def _findings_frame(rows: list[dict]) -> pd.DataFrame:
    cols = [*FINDING_COLUMNS, *_EXTRA_COLUMNS]
    frame = (
        pd.DataFrame(rows, columns=[*cols, "_geometry"])
        if rows
        else pd.DataFrame(columns=[*cols, "_geometry"])
    )
    for c in (
        "no_sk",
        "kode_kawasan",
        "kode_rt",
        "flag",
        "detail",
        "detail_en",
        "saran",
        "no_sk_pembanding",
    ):
        frame[c] = frame[c].astype("str")
    for c in ("luas_sk_ha", "luas_delineasi_ha", "luas_rt_ha"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64").round(4)
    frame["tahun_tingkat"] = pd.array(
        [None if _missing(v) else int(v) for v in frame["tahun_tingkat"].tolist()], dtype="Int64"
    )
    return frame


class _Context:
    """Everything a version is checked against, prepared once."""

    def __init__(self, delineasi, rt, wilayah, scores, not_kumuh, area_method, tol):
        self.tol = tol
        self.not_kumuh = set(not_kumuh)
        self.area_method = area_method
        dl = (
            delineasi[~(delineasi.geometry.isna() | delineasi.geometry.is_empty)]
            if delineasi is not None
            else None
        )
        self.dl = dl if dl is not None and len(dl) else None
        self.work_crs = metric_crs(self.dl) if self.dl is not None else None
        self.del_ha: dict[str, float] = {}
        self.del_geom: dict[str, object] = {}  # EPSG:4326
        self.del_metric: dict[str, object] = {}
        self.del_kel: dict[str, str] = {}
        if self.dl is not None:
            codes = self.dl["kode_kawasan"].astype(str).to_numpy()
            self.del_ha = dict(
                zip(codes, hectares(self.dl, method=area_method).to_numpy(), strict=True)
            )
            geo = self.dl.to_crs(4326).geometry.to_numpy()
            self.del_geom = dict(zip(codes, geo, strict=True))
            self.del_metric = dict(
                zip(codes, self.dl.to_crs(self.work_crs).geometry.to_numpy(), strict=True)
            )
            if "kode_kel" in self.dl.columns:
                self.del_kel = dict(zip(codes, self.dl["kode_kel"].astype(str), strict=True))
        # RTs
        self.rt = rt if rt is not None and len(rt) else None
        self.rt_codes: set[str] = set()
        self.rt_geom: dict[str, object] = {}
        self.rt_poly_ha: dict[str, float] = {}
        self.rt_in_kawasan: dict[str, list[str]] = {}
        if self.rt is not None:
            codes = self.rt["kode_rt"].astype(str).to_numpy()
            self.rt_codes = set(codes)
            self.rt_geom = dict(zip(codes, self.rt.to_crs(4326).geometry.to_numpy(), strict=True))
            self.rt_poly_ha = dict(
                zip(codes, hectares(self.rt, method=area_method).to_numpy(), strict=True)
            )
            if self.dl is not None:
                pts = self.rt.to_crs(self.work_crs).geometry.representative_point().to_numpy()
                polys = self.dl.to_crs(self.work_crs).geometry.to_numpy()
                ri, ki = shapely.STRtree(polys).query(pts, predicate="intersects")
                kcodes = self.dl["kode_kawasan"].astype(str).to_numpy()
                for r, k in zip(ri.tolist(), ki.tolist(), strict=True):
                    self.rt_in_kawasan.setdefault(kcodes[k], []).append(codes[r])
        # levels
        self.scores = None
        self.years: list[int] = []
        if scores is not None and len(scores):
            s = pd.DataFrame(scores)[
                ["kode_rt", "tahun", "tingkat", "total_nilai", "luas_ha"]
            ].copy()
            s["kode_rt"] = s["kode_rt"].astype(str)
            s["tahun"] = pd.to_numeric(s["tahun"]).astype("int64")
            self.scores = s
            self.years = sorted(int(y) for y in s["tahun"].unique())
        # kelurahan names
        self.wil = wilayah if wilayah is not None and len(wilayah) else None
        self.kel_by_compact: dict[str, str] = {}
        self.kel_names: list[str] = []
        self.kec_names: list[str] = []
        self.kel_geom: dict[str, object] = {}
        self.kel_name_of: dict[str, str] = {}
        if self.wil is not None:
            kode = self.wil["kode_kel"].astype(str).to_numpy()
            names = self.wil["kelurahan"].astype(str).to_numpy()
            self.kel_names = list(dict.fromkeys(names))
            self.kec_names = list(dict.fromkeys(self.wil["kecamatan"].astype(str)))
            self.kel_name_of = dict(zip(kode, names, strict=True))
            for k, nm in zip(kode, names, strict=True):
                self.kel_by_compact.setdefault(_compact(nm), k)
            if self.work_crs is not None:
                self.kel_geom = dict(
                    zip(kode, self.wil.to_crs(self.work_crs).geometry.to_numpy(), strict=True)
                )

    def levels(self, year: int | None) -> dict[str, tuple[str, int, float]]:
        if self.scores is None or year is None:
            return {}
        s = self.scores[self.scores["tahun"] == year]
        return {
            r.kode_rt: (str(r.tingkat), int(r.total_nilai), float(r.luas_ha))
            for r in s.itertuples()
        }

    def rt_luas(self, code: str, levels: dict) -> float:
        if code in levels and np.isfinite(levels[code][2]):
            return levels[code][2]
        return float(self.rt_poly_ha.get(code, np.nan))

    def kel_code(self, name: str) -> str | None:
        """The kode_kel of a kelurahan name: exact after normalisation, else the closest spelling."""
        k = self.kel_by_compact.get(_compact(name))
        if k is None:
            guess = closest_name(name, self.kel_names)
            if guess is not None:
                k = self.kel_by_compact.get(_compact(guess))
        return k


def verify_sk(
    sk_kumuh: pd.DataFrame,
    delineasi: gpd.GeoDataFrame | None,
    *,
    rt: gpd.GeoDataFrame | None = None,
    wilayah: gpd.GeoDataFrame | None = None,
    scores: pd.DataFrame | None = None,
    no_sk: str | None = None,
    compare_with: str | None = None,
    year: int | None = None,
    not_kumuh: tuple[str, ...] = ("TK",),
    tolerances: dict | None = None,
    area_method: str = "geodesic",
) -> Verification:
    """Check SK Kumuh versions against the delineation and the baseline (domain.md §6).

    Per location of a version, with ``L_sk`` its luas in the SK, ``L_del`` the hectares of
    its delineation polygon (:func:`kumuhgis.geo.area.hectares`, geodesic unless
    ``area_method="utm"``) and ``L_rt`` the Σ luas of its RTs (those the SK lists, else those
    whose representative point lies in the polygon; an RT's luas is its baseline
    ``luas_ha`` in the level year, else its polygon's hectares):

    * ``luas_mismatch`` when, for a pair ``(a, b)`` among ``(L_sk, L_del)``, ``(L_sk, L_rt)``
      and ``(L_del, L_rt)``, ``|a − b| > toleransi_luas_ha`` **and**
      ``100 |a − b| / b > toleransi_luas_persen`` (``b``, the second, is the reference);
    * ``rt_tidak_kumuh_di_sk`` for each of its RTs whose level is ``TK``;
    * ``tanpa_geometri`` / ``tanpa_rincian_rt`` when the polygon / the RT list is missing
      (or names RT codes the ``rt`` layer does not have);
    * ``lintas_kelurahan`` when the part of the polygon outside the kelurahan it is
      listed under exceeds both ``toleransi_lintas_ha`` and ``toleransi_lintas_persen``;
    * ``nama_tidak_cocok`` for each kelurahan or kecamatan name not found in ``wilayah``
      (after :func:`kumuhgis.core.vocabulary.normalize_name`), with the closest spelling
      (:func:`kumuhgis.core.vocabulary.closest_name`) as ``saran``.

    Per version: ``rt_kumuh_di_luar_sk`` for each RT whose level is not ``TK`` that no
    location covers (neither listed nor inside a polygon); ``tumpang_tindih`` for each pair
    of its polygons overlapping by more than ``toleransi_tumpang_tindih_ha``; and the
    comparison with the previous version by date, or with ``compare_with``
    (:func:`compare_sk`).

    RT levels come from ``scores`` (the score output, :func:`kumuhgis.analysis.city.score_city`)
    of the latest year up to the year of the SK's date, or of ``year`` when given.

    Recommendation per location: ``hapus`` when it has RTs and all are ``TK``;
    ``revisi`` when it has any other finding; else ``pertahankan``. Per version:
    ``terbitkan SK baru`` when a kumuh RT lies outside it or a location should be removed
    (the set of locations changes); ``revisi SK`` when any location needs revising or
    polygons overlap; else ``pertahankan``. Verified luas of a location
    (``luas_terverifikasi_ha``) = Σ luas of its kumuh RTs (without levels: ``L_del``, else
    ``L_sk``); of a version = Σ over its kept locations + the kumuh RTs outside it.

    Parameters
    ----------
    sk_kumuh
        The ``sk_kumuh`` table, all versions. Not modified.
    delineasi, rt, wilayah
        The layers (any CRS); ``rt`` and ``wilayah`` optional (their checks are skipped
        and said so in ``notes``).
    scores
        Score output with ``kode_rt, tahun, tingkat, total_nilai, luas_ha``; optional.
    no_sk
        Check only this version (default: every version).
    compare_with
        The version to compare with (default: the previous one by date).
    year
        Year of the RT levels (default: per SK, the latest up to its year).
    not_kumuh
        Level codes that are not kumuh (the rule set's, ``("TK",)`` by default).
    tolerances
        Overrides of :data:`DEFAULT_TOLERANCES`.

    Raises
    ------
    UsageError
        An unknown ``no_sk``/``compare_with``, an empty ``sk_kumuh``, a bad tolerance.
    """
    tol = dict(DEFAULT_TOLERANCES)
    tol.update(tolerances_from_settings({SETTINGS_KEY: tolerances or {}}))
    if sk_kumuh is None or len(sk_kumuh) == 0:
        raise UsageError(
            "Layer sk_kumuh kosong; tidak ada yang diverifikasi / the sk_kumuh layer is empty"
        )
    versions = sk_versions(sk_kumuh)
    names = versions["no_sk"].tolist()
    for v in (no_sk, compare_with):
        if v is not None and v not in names:
            raise UsageError(
                f"SK '{v}' tidak ada; yang ada: {', '.join(names)} / no such SK version; known: {', '.join(names)}"
            )
    ctx = _Context(delineasi, rt, wilayah, scores, not_kumuh, area_method, tol)
    notes = _notes(ctx, tol)
    chosen = [no_sk] if no_sk is not None else names
    findings: list[dict] = []
    locations: list[dict] = []
    summary: list[dict] = []
    sk = sk_kumuh.assign(
        no_sk=sk_kumuh["no_sk"].astype(str), kode_kawasan=sk_kumuh["kode_kawasan"].astype(str)
    )
    for v in chosen:
        info = versions[versions["no_sk"] == v].iloc[0]
        rows = sk[sk["no_sk"] == v]
        lvl_year = _level_year(ctx.years, int(info["tahun_sk"]), year)
        levels = ctx.levels(lvl_year)
        f_v, loc_v = _check_version(ctx, v, rows, levels, lvl_year)
        i = names.index(v)
        other = compare_with if compare_with is not None else (names[i - 1] if i > 0 else None)
        if other is not None and other != v:
            f_v += _compare_rows(sk, other, v, tol["toleransi_luas_berubah_ha"])
        for f in f_v:
            if f["flag"] in _COMPARE_FLAGS and f["_geometry"] is None:
                f["_geometry"] = ctx.del_geom.get(f["kode_kawasan"])
        findings += f_v
        locations += loc_v
        summary.append(_summarize_version(v, info, f_v, loc_v, levels, ctx, lvl_year, other))
    frame = _findings_frame(findings)
    order = {f: i for i, f in enumerate(FLAGS)}
    vorder = {v: i for i, v in enumerate(names)}
    frame = frame.assign(_o1=frame["no_sk"].map(vorder), _o2=frame["flag"].map(order))
    frame = frame.sort_values(["_o1", "_o2", "kode_kawasan", "kode_rt"], kind="stable").drop(
        columns=["_o1", "_o2"]
    )
    frame = frame.reset_index(drop=True)
    geoms = frame["_geometry"]
    has = geoms.notna().to_numpy()
    gdf = gpd.GeoDataFrame(
        frame.loc[has].drop(columns=["_geometry"]), geometry=list(geoms[has]), crs="EPSG:4326"
    )
    return Verification(
        findings=frame.drop(columns=["_geometry"]),
        locations=pd.DataFrame(locations),
        summary=pd.DataFrame(summary),
        geometries=gdf.reset_index(drop=True),
        tolerances=tol,
        notes=notes,
    )


def _notes(ctx: _Context, tol: dict) -> list[str]:
    notes = [
        f"Toleransi luas: selisih > {_id(tol['toleransi_luas_ha'])} ha dan > {_id(tol['toleransi_luas_persen'])} % "
        f"(keduanya harus terlampaui) / area tolerance: both {_en(tol['toleransi_luas_ha'])} ha and "
        f"{_en(tol['toleransi_luas_persen'])} % must be exceeded.",
        f"Luas delineasi: metode {ctx.area_method} / delineation hectares: {ctx.area_method}.",
    ]
    if ctx.dl is None:
        notes.append(
            "Tidak ada layer delineasi: luas dan geometri tidak diperiksa / no delineasi layer: areas and geometry not checked."
        )
    if ctx.rt is None:
        notes.append(
            "Tidak ada layer rt: rincian RT dan Σ luas RT tidak diperiksa / no rt layer: RT detail not checked."
        )
    if ctx.scores is None:
        notes.append(
            "Tidak ada baseline yang dinilai: rt_tidak_kumuh_di_sk dan rt_kumuh_di_luar_sk tidak diperiksa / "
            "no scored baseline: RT level checks skipped."
        )
    if ctx.wil is None:
        notes.append(
            "Tidak ada layer wilayah: nama dan batas kelurahan tidak diperiksa / no wilayah layer: names and kelurahan borders not checked."
        )
    return notes


def _add(
    findings,
    flags,
    base,
    v,
    flag,
    det,
    det_en,
    *,
    kode_rt="",
    luas_rt=None,
    tahun=None,
    geometry=None,
    saran="",
):
    """Record one finding of a location (``base``: its kawasan, luas figures, polygon)."""
    flags.append(flag)
    findings.append(_finding(
        v, flag, det, det_en, kode_kawasan=base["kode_kawasan"], kode_rt=kode_rt, luas_sk=base["luas_sk"],
        luas_del=base["luas_del"], luas_rt=base["luas_rt"] if luas_rt is None else luas_rt, saran=saran,
        tahun=tahun, geometry=base["geometry"] if geometry is None else geometry,
    ))  # fmt: skip


def _check_version(
    ctx: _Context, v: str, rows: pd.DataFrame, levels: dict, lvl_year
) -> tuple[list[dict], list[dict]]:
    tol = ctx.tol
    findings: list[dict] = []
    locations: list[dict] = []
    covered: set[str] = set()
    year_txt = f"tahun {lvl_year}" if lvl_year is not None else ""
    for _, r in rows.iterrows():
        k = str(r["kode_kawasan"])
        nama = "" if _missing(r.get("nama_lokasi")) else str(r["nama_lokasi"])
        luas_sk = float(r["luas_sk_ha"]) if not _missing(r.get("luas_sk_ha")) else np.nan
        has_geom = k in ctx.del_ha
        luas_del = float(ctx.del_ha[k]) if has_geom else np.nan
        geom = ctx.del_geom.get(k)
        listed = split_codes(r.get("kode_rt")) if "kode_rt" in rows.columns else []
        unknown = [c for c in listed if ctx.rt is not None and c not in ctx.rt_codes]
        rts = (
            [c for c in listed if c not in unknown]
            if listed
            else list(ctx.rt_in_kawasan.get(k, []))
        )
        inside_poly = ctx.rt_in_kawasan.get(k, [])
        covered |= set(rts) | set(inside_poly)
        rt_ha = [ctx.rt_luas(c, levels) for c in rts]
        luas_rt = float(np.nansum(rt_ha)) if any(np.isfinite(rt_ha)) else np.nan
        base = {
            "kode_kawasan": k,
            "luas_sk": luas_sk,
            "luas_del": luas_del,
            "luas_rt": luas_rt,
            "geometry": geom,
        }
        flags: list[str] = []

        add = functools.partial(_add, findings, flags, base, v)

        where = f"Lokasi {k} ({nama})" if nama else f"Lokasi {k}"
        where_en = f"Location {k} ({nama})" if nama else f"Location {k}"
        if ctx.dl is not None and not has_geom:
            add("tanpa_geometri", f"{where} di SK {v} tidak punya poligon delineasi (kode_kawasan {k} tidak ada di layer delineasi); luas SK {_id(luas_sk)} ha tidak dapat diverifikasi di peta.",
                f"{where_en} in SK {v} has no delineation polygon (kode_kawasan {k} is not in the delineasi layer); its SK area of {_en(luas_sk)} ha cannot be checked on the map.")  # fmt: skip
        if ctx.rt is not None and not listed:
            add("tanpa_rincian_rt", f"{where} di SK {v} tidak merinci RT; {len(rts)} RT di dalam poligon delineasi dipakai untuk pemeriksaan.",
                f"{where_en} in SK {v} lists no RTs; the {len(rts)} RTs inside its delineation polygon were used for the checks.",
                saran="cantumkan daftar RT di SK / list the RTs in the SK")  # fmt: skip
        elif unknown:
            add("tanpa_rincian_rt", f"{where} di SK {v} mencantumkan {len(unknown)} kode RT yang tidak ada di layer rt: {', '.join(unknown[:10])}.",
                f"{where_en} in SK {v} lists {len(unknown)} RT codes that are not in the rt layer: {', '.join(unknown[:10])}.",
                saran="perbaiki kode RT / correct the RT codes")  # fmt: skip
        # luas
        pairs = [("luas SK", "SK area", luas_sk, "luas delineasi", "delineation area", luas_del),
                 ("luas SK", "SK area", luas_sk, "Σ luas RT", "sum of RT areas", luas_rt),
                 ("luas delineasi", "delineation area", luas_del, "Σ luas RT", "sum of RT areas", luas_rt)]  # fmt: skip
        over, over_en = [], []
        for an, an_en, a, bn, bn_en, b in pairs:
            hit, diff, pct = _exceeds(a, b, tol["toleransi_luas_persen"], tol["toleransi_luas_ha"])
            if hit:
                over.append(
                    f"{an} {_id(a)} ha vs {bn} {_id(b)} ha (selisih {_id(diff)} ha = {_id(pct, 1)} %)"
                )
                over_en.append(
                    f"{an_en} {_en(a)} ha vs {bn_en} {_en(b)} ha (difference {_en(diff)} ha = {_en(pct, 1)} %)"
                )
        if over:
            add("luas_mismatch",
                f"{where}: {'; '.join(over)} — melebihi toleransi {_id(tol['toleransi_luas_persen'], 1)} % dan {_id(tol['toleransi_luas_ha'])} ha.",
                f"{where_en}: {'; '.join(over_en)} — beyond the tolerance of {_en(tol['toleransi_luas_persen'], 1)} % and {_en(tol['toleransi_luas_ha'])} ha.",
                saran=f"luas terverifikasi / verified area: {_id(luas_del if np.isfinite(luas_del) else luas_rt)} ha")  # fmt: skip
        # RT levels
        tk = []
        kumuh_ha = 0.0
        for c in rts:
            if c not in levels:
                continue
            lvl, total, _ = levels[c]
            if lvl in ctx.not_kumuh:
                tk.append(c)
                how, how_en = (
                    ("tercantum di SK", "is listed in the SK")
                    if listed
                    else (
                        "berada di dalam poligon delineasi",
                        "lies inside the delineation polygon",
                    )
                )
                add("rt_tidak_kumuh_di_sk",
                    f"RT {c} {how} untuk lokasi {k} tetapi tidak kumuh pada {year_txt} (total nilai {total}, tingkat {lvl}); luas {_id(ctx.rt_luas(c, levels))} ha.",
                    f"RT {c} {how_en} for location {k} but is not a slum in {lvl_year} (total score {total}, level {lvl}); area {_en(ctx.rt_luas(c, levels))} ha.",
                    kode_rt=c, luas_rt=ctx.rt_luas(c, levels), tahun=lvl_year, geometry=ctx.rt_geom.get(c),
                    saran="keluarkan RT dari lokasi / remove the RT from the location")  # fmt: skip
            else:
                kumuh_ha += ctx.rt_luas(c, levels)
        # kelurahan names and borders
        kel_names = _split_names(r.get("kelurahan"))
        kec_names = _split_names(r.get("kecamatan"))
        matched_kel: list[str] = []
        if ctx.wil is not None:
            for nm in kel_names:
                code = ctx.kel_by_compact.get(_compact(nm))
                if code is None:
                    guess = closest_name(nm, ctx.kel_names)
                    add("nama_tidak_cocok",
                        f"Kelurahan \"{nm}\" ({where}) tidak ada di layer batas wilayah" + (f"; ejaan terdekat: \"{guess}\"." if guess else "; tidak ada ejaan yang mirip."),
                        f"Kelurahan \"{nm}\" ({where_en}) is not in the boundary layer" + (f"; closest spelling: \"{guess}\"." if guess else "; no similar spelling."),
                        saran=guess or "")  # fmt: skip
                    code = ctx.kel_code(nm)
                if code is not None:
                    matched_kel.append(code)
            for nm in kec_names:
                if _compact(nm) not in {_compact(x) for x in ctx.kec_names}:
                    guess = closest_name(nm, ctx.kec_names)
                    add("nama_tidak_cocok",
                        f"Kecamatan \"{nm}\" ({where}) tidak ada di layer batas wilayah" + (f"; ejaan terdekat: \"{guess}\"." if guess else "."),
                        f"Kecamatan \"{nm}\" ({where_en}) is not in the boundary layer" + (f"; closest spelling: \"{guess}\"." if guess else "."),
                        saran=guess or "")  # fmt: skip
            if not matched_kel and k in ctx.del_kel:
                matched_kel = [ctx.del_kel[k]]
            if has_geom and matched_kel and ctx.kel_geom:
                lintas = _outside_kelurahan(ctx, k, matched_kel)
                if lintas is not None:
                    out_ha, pct, parts, geom_out = lintas
                    if out_ha > tol["toleransi_lintas_ha"] and pct > tol["toleransi_lintas_persen"]:
                        listed_names = ", ".join(ctx.kel_name_of.get(c, c) for c in matched_kel)
                        where_else = (
                            ", ".join(f"{ctx.kel_name_of.get(c, c)} {_id(h)} ha" for c, h in parts)
                            or "di luar semua kelurahan"
                        )
                        where_else_en = (
                            ", ".join(f"{ctx.kel_name_of.get(c, c)} {_en(h)} ha" for c, h in parts)
                            or "outside every kelurahan"
                        )
                        add("lintas_kelurahan",
                            f"{where} tercantum di kelurahan {listed_names}, tetapi {_id(out_ha)} ha ({_id(pct, 1)} %) poligonnya berada di luar: {where_else}.",
                            f"{where_en} is listed under kelurahan {listed_names}, but {_en(out_ha)} ha ({_en(pct, 1)} %) of its polygon lies outside it: {where_else_en}.",
                            geometry=geom_out, saran="cantumkan semua kelurahan / list every kelurahan")  # fmt: skip
        if (
            rts
            and levels
            and len(tk) == len([c for c in rts if c in levels])
            and any(c in levels for c in rts)
        ):
            rek = "hapus"
        elif flags:
            rek = "revisi"
        else:
            rek = "pertahankan"
        if levels and any(c in levels for c in rts):
            verified = kumuh_ha
        else:
            verified = luas_del if np.isfinite(luas_del) else luas_sk
        locations.append({
            "no_sk": v, "kode_kawasan": k, "nama_lokasi": nama,
            "kelurahan": "" if _missing(r.get("kelurahan")) else str(r["kelurahan"]),
            "kelurahan_saran": ", ".join(ctx.kel_name_of.get(c, "") for c in matched_kel),
            "luas_sk_ha": luas_sk, "luas_delineasi_ha": round(luas_del, 4) if np.isfinite(luas_del) else np.nan,
            "luas_rt_ha": round(luas_rt, 4) if np.isfinite(luas_rt) else np.nan,
            "jumlah_rt": len(rts), "jumlah_rt_tidak_kumuh": len(tk),
            "luas_terverifikasi_ha": round(float(verified), 4) if np.isfinite(verified) else np.nan,
            "temuan": ";".join(dict.fromkeys(flags)), "rekomendasi": rek, "tahun_tingkat": lvl_year,
        })  # fmt: skip
    findings += _outside_rts(ctx, v, covered, levels, lvl_year)
    findings += _overlaps(ctx, v, rows)
    return findings, locations


def _outside_kelurahan(ctx: _Context, k: str, kel_codes: list[str]):
    poly = ctx.del_metric.get(k)
    listed = [ctx.kel_geom[c] for c in kel_codes if c in ctx.kel_geom]
    if poly is None or not listed:
        return None
    outside = shapely.difference(poly, shapely.union_all(listed))
    if shapely.is_empty(outside):
        return 0.0, 0.0, [], None
    out_ha = float(hectares(gpd.GeoSeries([outside], crs=ctx.work_crs)).iloc[0])
    total = ctx.del_ha.get(k, np.nan)
    pct = 100.0 * out_ha / total if total and np.isfinite(total) else np.nan
    parts = []
    for code, g in ctx.kel_geom.items():
        if code in kel_codes or not shapely.intersects(g, outside):
            continue
        piece = shapely.intersection(g, outside)
        ha = float(hectares(gpd.GeoSeries([piece], crs=ctx.work_crs)).iloc[0])
        if ha > 0.0001:
            parts.append((code, ha))
    parts.sort(key=lambda t: -t[1])
    geom = gpd.GeoSeries([outside], crs=ctx.work_crs).to_crs(4326).iloc[0]
    return out_ha, pct, parts, geom


def _outside_rts(ctx: _Context, v: str, covered: set[str], levels: dict, lvl_year) -> list[dict]:
    out = []
    for c in sorted(levels):
        lvl, total, _ = levels[c]
        if lvl in ctx.not_kumuh or c in covered:
            continue
        ha = ctx.rt_luas(c, levels)
        out.append(_finding(
            v, "rt_kumuh_di_luar_sk",
            f"RT {c} kumuh pada tahun {lvl_year} (tingkat {lvl}, total nilai {total}, luas {_id(ha)} ha) tetapi tidak tercakup lokasi mana pun di SK {v}.",
            f"RT {c} is a slum in {lvl_year} (level {lvl}, total score {total}, area {_en(ha)} ha) but no location of SK {v} covers it.",
            kode_rt=c, luas_rt=ha, tahun=lvl_year, geometry=ctx.rt_geom.get(c),
            saran="tambahkan ke SK (lokasi baru atau perluasan) / add it to the SK",
        ))  # fmt: skip
    return out


def _overlaps(ctx: _Context, v: str, rows: pd.DataFrame) -> list[dict]:
    codes = [k for k in rows["kode_kawasan"].astype(str) if k in ctx.del_metric]
    if len(codes) < 2:
        return []
    geoms = np.array([ctx.del_metric[k] for k in codes], dtype=object)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = a < b
    out = []
    for i, j in zip(a[keep].tolist(), b[keep].tolist(), strict=True):
        inter = shapely.intersection(geoms[i], geoms[j])
        if shapely.is_empty(inter) or shapely.area(inter) == 0:
            continue
        ha = float(hectares(gpd.GeoSeries([inter], crs=ctx.work_crs)).iloc[0])
        if ha <= ctx.tol["toleransi_tumpang_tindih_ha"]:
            continue
        ki, kj = codes[i], codes[j]
        out.append(_finding(
            v, "tumpang_tindih",
            f"Poligon delineasi {ki} dan {kj} tumpang tindih seluas {_id(ha, 2 if ha >= 0.01 else 4)} ha; luas itu terhitung dua kali.",
            f"Delineation polygons {ki} and {kj} overlap by {_en(ha, 2 if ha >= 0.01 else 4)} ha; that area is counted twice.",
            kode_kawasan=ki, luas_del=ctx.del_ha.get(ki, np.nan), saran=f"perbaiki batas {ki}/{kj} / fix the shared border",
            pembanding="", geometry=gpd.GeoSeries([inter], crs=ctx.work_crs).to_crs(4326).iloc[0],
        ) | {"saran": f"perbaiki batas dengan {kj} / fix the border with {kj}"})  # fmt: skip
    return out


def _summarize_version(v, info, findings, locations, levels, ctx, lvl_year, other) -> dict:
    counts = {f: sum(1 for x in findings if x["flag"] == f) for f in FLAGS}
    recs = [loc["rekomendasi"] for loc in locations]
    outside = [x for x in findings if x["flag"] == "rt_kumuh_di_luar_sk"]
    if outside or "hapus" in recs:
        rek = "terbitkan SK baru"
        why = "lokasi berubah: ada RT kumuh di luar SK atau lokasi yang sudah tidak kumuh"
        why_en = "the locations change: slum RTs outside the SK, or locations no longer slum"
    elif "revisi" in recs or counts["tumpang_tindih"]:
        rek = "revisi SK"
        why = "angka, nama, rincian RT atau batas lokasi perlu diperbaiki"
        why_en = "figures, names, RT lists or borders of locations need correcting"
    else:
        rek = "pertahankan"
        why = "SK sesuai delineasi dan baseline"
        why_en = "the SK matches the delineation and the baseline"
    kept = [loc for loc in locations if loc["rekomendasi"] != "hapus"]
    verified = float(np.nansum([loc["luas_terverifikasi_ha"] for loc in kept]))
    tambahan = float(np.nansum([x["luas_rt_ha"] for x in outside]))
    return {
        "no_sk": v,
        "tanggal_sk": pd.Timestamp(info["tanggal_sk"]).date().isoformat(),
        "tahun_tingkat": lvl_year,
        "dibandingkan_dengan": other or "",
        "jumlah_lokasi": len(locations),
        "luas_sk_ha": round(float(np.nansum([loc["luas_sk_ha"] for loc in locations])), 4),
        "luas_delineasi_ha": round(
            float(np.nansum([loc["luas_delineasi_ha"] for loc in locations])), 4
        ),
        "luas_rt_kumuh_di_luar_ha": round(tambahan, 4),
        "luas_terverifikasi_ha": round(verified + tambahan, 4),
        "jumlah_temuan": sum(counts[f] for f in FLAGS if f not in _COMPARE_FLAGS),
        **{f"n_{f}": counts[f] for f in FLAGS},
        "rekomendasi": rek,
        "alasan": why,
        "alasan_en": why_en,
    }


# =========================================================================== writing

_OUTPUTS = (".csv", ".xlsx", ".html", ".geojson")
_REK_LABEL = {
    "pertahankan": ("Pertahankan SK", "Keep the SK"),
    "revisi SK": ("Revisi SK", "Revise the SK"),
    "terbitkan SK baru": ("Terbitkan SK baru", "Issue a new SK"),
}
_FINDING_LABELS = {
    "no_sk": "No. SK", "kode_kawasan": "Kode kawasan", "kode_rt": "Kode RT", "flag": "Temuan",
    "luas_sk_ha": ("Luas SK", "ha"), "luas_delineasi_ha": ("Luas delineasi", "ha"), "luas_rt_ha": ("Luas RT", "ha"),
    "detail": "Keterangan", "detail_en": "Detail (English)", "saran": "Saran", "no_sk_pembanding": "Dibandingkan dengan SK",
    "tahun_tingkat": "Tahun tingkat RT",
}  # fmt: skip


def write_verification(result: Verification, path, *, title: str = "") -> list[Path]:
    """Write a verification; returns the paths written.

    ``path`` by extension: ``.csv`` — one row per finding (:data:`FINDING_COLUMNS`, then
    ``detail_en, saran, no_sk_pembanding, tahun_tingkat``); ``.xlsx`` — a summary sheet
    with the recommendation, the locations, all findings and one sheet per flag; ``.html``
    — a self-contained report; ``.geojson`` — the flagged features. Every format other
    than ``.geojson`` also writes ``<stem>.geojson`` (the flagged features) beside it.

    Raises
    ------
    UsageError
        An unsupported extension.
    """
    from kumuhgis.outputs.files import write_frame

    path = Path(path)
    ext = path.suffix.lower()
    if ext not in _OUTPUTS:
        raise UsageError(
            f"Format keluaran '{ext or path.name}' tidak didukung; gunakan {', '.join(_OUTPUTS)} / "
            f"unsupported output format; use {', '.join(_OUTPUTS)}"
        )
    written = [path]
    if ext == ".csv":
        write_frame(result.findings, path)
    elif ext == ".xlsx":
        _write_xlsx(result, path, title)
    elif ext == ".html":
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(render_html(result, title=title), encoding="utf-8")
        tmp.replace(path)
    if ext != ".geojson":
        path = path.with_suffix(".geojson")
        written.append(path)
    write_frame(result.geometries, path)
    return written


def _write_xlsx(result: Verification, path: Path, title: str) -> None:
    from kumuhgis.outputs.workbook import Sheet, write_workbook

    head = [
        title or "Verifikasi SK Kumuh",
        f"Dibuat / made {_dt.date.today().isoformat()} — domain.md §6",
    ]
    summary_cols = {
        "no_sk": "No. SK", "tanggal_sk": "Tanggal SK", "tahun_tingkat": "Tahun tingkat RT",
        "dibandingkan_dengan": "Dibandingkan dengan", "jumlah_lokasi": "Jumlah lokasi",
        "luas_sk_ha": ("Luas SK", "ha"), "luas_delineasi_ha": ("Luas delineasi", "ha"),
        "luas_rt_kumuh_di_luar_ha": ("RT kumuh di luar SK", "ha"),
        "luas_terverifikasi_ha": ("Luas terverifikasi", "ha"), "jumlah_temuan": "Jumlah temuan",
        **{f"n_{f}": FLAG_LABELS[f][0] for f in FLAGS}, "rekomendasi": "Rekomendasi", "alasan": "Alasan",
        "alasan_en": "Reason",
    }  # fmt: skip
    loc_cols = {
        "no_sk": "No. SK", "kode_kawasan": "Kode kawasan", "nama_lokasi": "Nama lokasi", "kelurahan": "Kelurahan (SK)",
        "kelurahan_saran": "Kelurahan (batas wilayah)", "luas_sk_ha": ("Luas SK", "ha"),
        "luas_delineasi_ha": ("Luas delineasi", "ha"), "luas_rt_ha": ("Σ luas RT", "ha"), "jumlah_rt": "Jumlah RT",
        "jumlah_rt_tidak_kumuh": "RT tidak kumuh", "luas_terverifikasi_ha": ("Luas terverifikasi", "ha"),
        "temuan": "Temuan", "rekomendasi": "Rekomendasi", "tahun_tingkat": "Tahun tingkat RT",
    }  # fmt: skip
    notes = [
        *result.notes,
        "Rekomendasi lokasi: hapus = semua RT tidak kumuh; revisi = ada temuan; pertahankan = tanpa temuan.",
        "Rekomendasi SK: terbitkan SK baru bila daftar lokasi berubah (RT kumuh di luar SK, lokasi tidak kumuh lagi); "
        "revisi SK bila angka, nama, rincian RT atau batas perlu diperbaiki.",
        "Luas terverifikasi = Σ luas RT kumuh di lokasi yang dipertahankan + RT kumuh di luar SK.",
    ]
    sheets = [
        Sheet("Ringkasan", result.summary, columns=summary_cols, title=head, notes=notes),
        Sheet("Rekomendasi", result.locations, columns=loc_cols, totals=["luas_sk_ha", "luas_delineasi_ha", "luas_rt_ha", "luas_terverifikasi_ha"],
              title=["Rekomendasi per lokasi", "Recommendation per location"]),
        Sheet("Temuan", result.findings, columns=_FINDING_LABELS, title=["Semua temuan", "All findings"]),
    ]  # fmt: skip
    for flag in FLAGS:
        sub = result.findings[result.findings["flag"] == flag]
        label, label_en = FLAG_LABELS[flag]
        sheets.append(Sheet(flag, sub, columns=_FINDING_LABELS, title=[f"{label} ({flag})", label_en],
                            notes=[] if len(sub) else ["Tidak ada temuan / no findings."]))  # fmt: skip
    write_workbook(
        path,
        sheets,
        properties={"title": title or "Verifikasi SK Kumuh", "subject": "domain.md §6"},
    )


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #ccc}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
th,td{border:1px solid #bbb;padding:.3em .5em;vertical-align:top}th{background:#ddebf7;text-align:left}
td.n{text-align:right;white-space:nowrap}.rek{padding:.6em 1em;border-radius:4px;display:inline-block;font-weight:bold}
.pertahankan{background:#e2f0d9}.revisi{background:#fff2cc}.baru{background:#f8cbad}.en{color:#666;font-size:.9em}
"""


def _cell(v, numeric=False) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        text = "-"
    elif numeric and isinstance(v, int | float | np.integer | np.floating):
        text = _id(v)
    else:
        text = str(v)
    return f'<td class="n">{html.escape(text)}</td>' if numeric else f"<td>{html.escape(text)}</td>"


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = []
    for _, r in frame.iterrows():
        cells = "".join(_cell(r[c], numeric=c.endswith("_ha")) for c in columns)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(result: Verification, *, title: str = "") -> str:
    """The verification as one self-contained HTML page (every text escaped)."""
    t = html.escape(title or "Verifikasi SK Kumuh")
    parts = [
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">',
        f"<title>{t}</title><style>{_CSS}</style></head><body>",
        f"<h1>{t}</h1>",
        f'<p class="en">SK Kumuh verification against the delineation and the baseline (domain.md §6). '
        f"Dibuat / made {html.escape(_dt.date.today().isoformat())}.</p>",
        "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes) + "</ul>",
    ]
    for _, s in result.summary.iterrows():
        v = str(s["no_sk"])
        cls = {"pertahankan": "pertahankan", "revisi SK": "revisi", "terbitkan SK baru": "baru"}[
            s["rekomendasi"]
        ]
        lab, lab_en = _REK_LABEL[s["rekomendasi"]]
        parts.append(f"<h2>SK {html.escape(v)} ({html.escape(str(s['tanggal_sk']))})</h2>")
        parts.append(
            f'<p><span class="rek {cls}">{html.escape(lab)} / {html.escape(lab_en)}</span> — '
            f'{html.escape(str(s["alasan"]))} <span class="en">({html.escape(str(s["alasan_en"]))})</span></p>'
        )
        parts.append(
            "<p>"
            f"Lokasi: {int(s['jumlah_lokasi'])}; luas SK {html.escape(_id(s['luas_sk_ha']))} ha; "
            f"luas delineasi {html.escape(_id(s['luas_delineasi_ha']))} ha; "
            f"<b>luas terverifikasi {html.escape(_id(s['luas_terverifikasi_ha']))} ha</b> "
            f"(termasuk RT kumuh di luar SK {html.escape(_id(s['luas_rt_kumuh_di_luar_ha']))} ha); "
            f"tingkat RT tahun {html.escape(str(s['tahun_tingkat']))}"
            + (
                f"; dibandingkan dengan SK {html.escape(str(s['dibandingkan_dengan']))}"
                if s["dibandingkan_dengan"]
                else ""
            )
            + ".</p>"
        )
        locs = (
            result.locations[result.locations["no_sk"] == v]
            if len(result.locations)
            else result.locations
        )
        if len(locs):
            parts.append("<h3>Rekomendasi per lokasi / per location</h3>")
            parts.append(_table(locs, {
                "kode_kawasan": "Kode", "nama_lokasi": "Nama lokasi", "kelurahan": "Kelurahan (SK)",
                "luas_sk_ha": "Luas SK (ha)", "luas_delineasi_ha": "Luas delineasi (ha)", "luas_rt_ha": "Σ luas RT (ha)",
                "luas_terverifikasi_ha": "Luas terverifikasi (ha)", "temuan": "Temuan", "rekomendasi": "Rekomendasi",
            }))  # fmt: skip
        fv = result.findings[result.findings["no_sk"] == v]
        for flag in FLAGS:
            sub = fv[fv["flag"] == flag]
            if not len(sub):
                continue
            lab, lab_en = FLAG_LABELS[flag]
            parts.append(
                f'<h3>{html.escape(lab)} <span class="en">/ {html.escape(lab_en)} — {html.escape(flag)}</span> ({len(sub)})</h3>'
            )
            parts.append(_table(sub, {
                "kode_kawasan": "Kode kawasan", "kode_rt": "Kode RT", "luas_sk_ha": "Luas SK (ha)",
                "luas_delineasi_ha": "Luas delineasi (ha)", "luas_rt_ha": "Luas RT (ha)", "detail": "Keterangan", "saran": "Saran",
            }))  # fmt: skip
    parts.append("</body></html>")
    return "\n".join(parts)
