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
kode_berubah            a location renumbered: a code in one version only whose polygon
                        covers at least half of the other's (matched by overlap)
luas_berubah            a location whose SK luas changed between the two versions
======================  =================================================================

RT levels are those of the latest **observed** survey of each RT on or before the SK (a
survey of the SK's year counts; years after it never do); derived years
(:func:`kumuhgis.analysis.city.score_city`) only when asked, and then labelled
(``sumber_tingkat``). Each finding's ``detail`` names the year used. When the delineation
is versioned (:func:`kumuhgis.core.sk.delineation_of`), each SK is checked against its own
polygons. The outcome per version is a recommendation —
keep the SK (``pertahankan``), revise it (``revisi SK``) or issue a new one
(``terbitkan SK baru``) — with the verified hectares.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.analysis.findings import (
    FINDING_COLUMNS,
    Evidence,
    finding,
    finding_number,
    finding_number_en,
    findings_frame,
    version_findings,
)
from kumuhgis.core.errors import UsageError
from kumuhgis.core.sk import delineation_of, delineation_versions, sk_versions
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
    "finding_number",
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
    "kode_berubah",
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
    "kode_berubah": ("Kode lokasi berubah (poligon sama)", "Location renumbered (same polygon)"),
    "luas_berubah": ("Luas berubah antarversi", "Area changed between versions"),
}
#: Columns of a finding (contracts.md "Verification output"); extras follow them.
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
_COMPARE_FLAGS = ("lokasi_ditambah", "lokasi_dihapus", "kode_berubah", "luas_berubah")
#: Share of the smaller polygon two kawasan of different codes must share to be one
#: location renumbered between two SK versions.
RENUMBER_OVERLAP = 0.5


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
    delineasi: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Locations added, removed and changed in luas between two SK versions (domain.md §6).

    Rows are findings of ``new`` (``no_sk``) against ``old`` (``no_sk_pembanding``):
    ``lokasi_ditambah`` (in ``new`` only), ``lokasi_dihapus`` (in ``old`` only; its old
    luas), ``luas_berubah`` when ``|luas_new − luas_old| > tolerance_ha``. Locations are
    matched by ``kode_kawasan`` and, where codes changed, by polygon overlap (with
    ``delineasi``: each version's polygons, :func:`kumuhgis.core.sk.delineation_of`; a code
    of ``new`` only and one of ``old`` only are one location, ``kode_berubah``, when their
    intersection covers at least :data:`RENUMBER_OVERLAP` of the smaller polygon; pairs
    are taken largest share first).

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
    sk = sk_kumuh.assign(kode_kawasan=sk_kumuh["kode_kawasan"].astype(str))
    rows = _compare_rows(sk, old, new, tolerance_ha, delineasi)
    return findings_frame(rows)


def _version_polygons(delineasi, sk: pd.DataFrame, v: str, crs) -> dict:
    """``kode_kawasan`` → polygon (metric ``crs``) of version ``v``."""
    dl = delineation_of(delineasi, sk, v)
    dl = dl[~(dl.geometry.isna() | dl.geometry.is_empty)]
    return dict(zip(dl["kode_kawasan"].astype(str), dl.to_crs(crs).geometry, strict=True))


def _renumbered(sk, old, new, added, removed, delineasi) -> list[tuple[str, str, float]]:
    """``(new code, old code, share)`` of the locations renumbered between ``old`` and
    ``new``: the largest overlaps first, each code used once."""
    if delineasi is None or not len(delineasi) or not added or not removed:
        return []
    crs = metric_crs(delineasi)
    g_old = _version_polygons(delineasi, sk, old, crs)
    g_new = _version_polygons(delineasi, sk, new, crs)
    pairs = []
    for kn in added:
        for ko in removed:
            a, b = g_new.get(kn), g_old.get(ko)
            if a is None or b is None:
                continue
            small = min(a.area, b.area)
            share = a.intersection(b).area / small if small > 0 else 0.0
            if share >= RENUMBER_OVERLAP:
                pairs.append((share, kn, ko))
    out, used = [], set()
    for share, kn, ko in sorted(pairs, key=lambda x: (-x[0], x[1], x[2])):
        if kn not in used and ko not in used:
            out.append((kn, ko, share))
            used |= {kn, ko}
    return out


def _compare_rows(sk: pd.DataFrame, old: str, new: str, tol: float, delineasi=None) -> list[dict]:
    def table(v):
        t = sk[sk["no_sk"].astype(str) == v]
        return {
            str(k): r for k, (_, r) in zip(t["kode_kawasan"].astype(str), t.iterrows(), strict=True)
        }

    a, b = table(old), table(new)
    rows = []
    moved = _renumbered(sk, old, new, sorted(set(b) - set(a)), sorted(set(a) - set(b)), delineasi)
    for kn, ko, share in moved:
        rows.append(finding(
            new, "kode_berubah",
            f"Lokasi {ko} (SK {old}) menjadi {kn} ({b[kn]['nama_lokasi']}) pada SK {new}: poligonnya bertampalan {finding_number(100 * share, 1)}%; bukan lokasi baru.",
            f"Location {ko} (SK {old}) became {kn} ({b[kn]['nama_lokasi']}) in SK {new}: their polygons overlap {100 * share:.1f}%; not a new location.",
            kode_kawasan=kn, luas_sk=float(b[kn]["luas_sk_ha"]), pembanding=old,
        ))  # fmt: skip
        a[kn] = a.pop(ko)  # compared as one location below
    for k in sorted(set(b) - set(a)):
        r = b[k]
        rows.append(finding(
            new, "lokasi_ditambah",
            f"Lokasi {k} ({r['nama_lokasi']}, {r['kelurahan']}) ditambahkan pada SK {new}; tidak ada di SK {old}. Luas SK {finding_number(r['luas_sk_ha'])} ha.",
            f"Location {k} ({r['nama_lokasi']}, {r['kelurahan']}) was added by SK {new}; it is not in SK {old}. SK area {finding_number_en(r['luas_sk_ha'])} ha.",
            kode_kawasan=k, luas_sk=float(r["luas_sk_ha"]), pembanding=old,
        ))  # fmt: skip
    for k in sorted(set(a) - set(b)):
        r = a[k]
        rows.append(finding(
            new, "lokasi_dihapus",
            f"Lokasi {k} ({r['nama_lokasi']}, {r['kelurahan']}) ada di SK {old} ({finding_number(r['luas_sk_ha'])} ha) tetapi dihapus pada SK {new}.",
            f"Location {k} ({r['nama_lokasi']}, {r['kelurahan']}) is in SK {old} ({finding_number_en(r['luas_sk_ha'])} ha) but was removed by SK {new}.",
            kode_kawasan=k, luas_sk=float(r["luas_sk_ha"]), pembanding=old,
        ))  # fmt: skip
    for k in sorted(set(a) & set(b)):
        la, lb = float(a[k]["luas_sk_ha"]), float(b[k]["luas_sk_ha"])
        if abs(lb - la) > tol:
            rows.append(finding(
                new, "luas_berubah",
                f"Luas lokasi {k} ({b[k]['nama_lokasi']}) berubah dari {finding_number(la)} ha (SK {old}) menjadi {finding_number(lb)} ha (SK {new}), selisih {'+' if lb > la else ''}{finding_number(lb - la)} ha.",
                f"Area of location {k} ({b[k]['nama_lokasi']}) changed from {finding_number_en(la)} ha (SK {old}) to {finding_number_en(lb)} ha (SK {new}), a change of {lb - la:+,.2f} ha.",
                kode_kawasan=k, luas_sk=lb, pembanding=old,
            ))  # fmt: skip
    return rows


# =========================================================================== verification


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
    level_source: str = "survei",
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

    Per version: ``rt_kumuh_di_luar_sk`` for each kumuh RT no location covers;
    ``tumpang_tindih`` for each pair of its polygons overlapping by more than
    ``toleransi_tumpang_tindih_ha``; the comparison with the previous version by date, or
    with ``compare_with``, by code and polygon overlap (:func:`compare_sk`). A versioned
    ``delineasi`` gives each SK its own polygons. RT levels: per RT its latest row of
    ``scores`` up to the SK's year (or ``year``), none later; ``level_source``
    (``"survei"``: observed only; ``"turunan"``: derived years too) labels them.

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
    not_kumuh, tolerances
        Level codes that are not kumuh (``("TK",)`` by default); overrides of
        :data:`DEFAULT_TOLERANCES`.

    Raises
    ------
    UsageError
        An unknown ``no_sk``/``compare_with``, an empty ``sk_kumuh``, a bad tolerance.
    """
    tol = dict(DEFAULT_TOLERANCES)
    tol.update(tolerances_from_settings({SETTINGS_KEY: tolerances or {}}))
    versions = _checked_versions(sk_kumuh, no_sk, compare_with)
    names = versions["no_sk"].tolist()
    ctx = Evidence(delineasi, rt, wilayah, scores, not_kumuh, area_method, tol)
    notes = _notes(ctx, tol) + [_source_note(level_source)]
    sk = sk_kumuh.assign(
        no_sk=sk_kumuh["no_sk"].astype(str), kode_kawasan=sk_kumuh["kode_kawasan"].astype(str)
    )
    checked = [no_sk] if no_sk is not None else names
    contexts = _contexts(ctx, sk, checked, notes)
    per_version = [
        _verify_version(contexts[v], sk, versions, v, compare_with, year, delineasi)
        for v in checked
    ]
    frame, gdf = _ordered([f for f_v, _, _ in per_version for f in f_v], names)
    return Verification(
        findings=frame,
        locations=pd.DataFrame([loc for _, loc_v, _ in per_version for loc in loc_v]),
        summary=pd.DataFrame([s for _, _, s in per_version]).assign(sumber_tingkat=level_source),
        geometries=gdf,
        tolerances=tol,
        notes=notes,
    )


def _contexts(ctx: Evidence, sk: pd.DataFrame, checked: list[str], notes: list[str]) -> dict:
    """The evidence each version is checked against: its own polygons when the
    delineation is versioned (:func:`kumuhgis.core.sk.delineation_of`), else ``ctx``."""
    dl = ctx.delineasi
    if not delineation_versions(dl):
        return {v: ctx for v in checked}
    notes.append(
        "Delineasi berversi: tiap SK diperiksa terhadap poligonnya sendiri / versioned "
        "delineation: each SK is checked against its own polygons."
    )
    return {v: ctx.with_delineation(delineation_of(dl, sk, v)) for v in checked}


def _source_note(level_source: str) -> str:
    if level_source == "turunan":
        return (
            "Tingkat RT: termasuk tahun turunan (kondisi diturunkan dari kolaborasi, diminta dengan --turunan) / "
            "RT levels include derived years (asked for with --derived)."
        )
    return (
        "Tingkat RT: survei teramati terakhir tiap RT pada atau sebelum tahun SK (tahun turunan tidak dipakai) / "
        "RT levels: each RT's latest observed survey on or before the SK's year (no derived years)."
    )


def _verify_version(ctx: Evidence, sk, versions, v: str, compare_with, year, delineasi=None):
    """Findings, locations and the summary line of version ``v``: its own findings
    (:func:`version_findings`) with the RT levels of the latest year up to its date (or
    ``year``), and the comparison with ``compare_with`` or the version before it."""
    names = versions["no_sk"].tolist()
    info = versions[versions["no_sk"] == v].iloc[0]
    rows = sk[sk["no_sk"] == v]
    lvl_year = _level_year(ctx.years, int(info["tahun_sk"]), year)
    levels = ctx.levels(lvl_year)
    f_v, loc_v = version_findings(ctx, v, rows, levels, lvl_year)
    i = names.index(v)
    other = compare_with if compare_with is not None else (names[i - 1] if i > 0 else None)
    if other is not None and other != v:
        f_v += _compare_rows(sk, other, v, ctx.tol["toleransi_luas_berubah_ha"], delineasi)
    for f in f_v:
        if f["flag"] in _COMPARE_FLAGS and f["_geometry"] is None:
            f["_geometry"] = ctx.del_geom.get(f["kode_kawasan"])
    return f_v, loc_v, _summarize_version(v, info, f_v, loc_v, levels, ctx, lvl_year, other)


def _ordered(findings: list[dict], names: list[str]) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The findings sorted by version (by date), flag (report order), kawasan and RT, and
    those with a place on the map as a GeoDataFrame (EPSG:4326)."""
    frame = findings_frame(findings)
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
    return frame.drop(columns=["_geometry"]), gdf.reset_index(drop=True)


def _checked_versions(sk_kumuh: pd.DataFrame | None, *named: str | None) -> pd.DataFrame:
    """The SK versions by date (:func:`kumuhgis.core.sk.sk_versions`), refusing an empty
    table or a named version that is not in it."""
    if sk_kumuh is None or len(sk_kumuh) == 0:
        raise UsageError(
            "Layer sk_kumuh kosong; tidak ada yang diverifikasi / the sk_kumuh layer is empty"
        )
    versions = sk_versions(sk_kumuh)
    names = versions["no_sk"].tolist()
    for v in named:
        if v is not None and v not in names:
            raise UsageError(
                f"SK '{v}' tidak ada; yang ada: {', '.join(names)} / no such SK version; known: {', '.join(names)}"
            )
    return versions


def _notes(ctx: Evidence, tol: dict) -> list[str]:
    notes = [
        f"Toleransi luas: selisih > {finding_number(tol['toleransi_luas_ha'])} ha dan > {finding_number(tol['toleransi_luas_persen'])} % "
        f"(keduanya harus terlampaui) / area tolerance: both {finding_number_en(tol['toleransi_luas_ha'])} ha and "
        f"{finding_number_en(tol['toleransi_luas_persen'])} % must be exceeded.",
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
