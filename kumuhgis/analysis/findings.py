"""The findings of one SK version, location by location (domain.md §6).

:class:`Evidence` prepares once what every version is checked against (delineation
areas and polygons, RT polygons and levels, kelurahan names and borders);
:func:`version_findings` walks the locations of one version and records each finding with
the numbers behind it (:func:`finding`, contracts.md "Verification output"), then the kumuh
RTs no location covers and the overlapping polygons. The flags, their thresholds and the
recommendations are described in :mod:`kumuhgis.analysis.verification`, which composes
these into a :class:`~kumuhgis.analysis.verification.Verification`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.codes import split_codes
from kumuhgis.core.numeric import format_number_id
from kumuhgis.core.vocabulary import closest_name, normalize_name
from kumuhgis.geo.area import hectares
from kumuhgis.geo.crs import metric_crs

__all__ = [
    "FINDING_COLUMNS",
    "Evidence",
    "finding",
    "finding_number",
    "finding_number_en",
    "findings_frame",
    "version_findings",
]

FINDING_COLUMNS: tuple[str, ...] = (
    "no_sk", "kode_kawasan", "kode_rt", "flag", "luas_sk_ha", "luas_delineasi_ha", "luas_rt_ha", "detail",
)  # fmt: skip
_EXTRA_COLUMNS = ("detail_en", "saran", "no_sk_pembanding", "tahun_tingkat")


def finding_number(x, d: int = 2) -> str:
    """A number as the findings write it: Indonesian separators, ``d`` decimals, rounded
    half up (:func:`kumuhgis.core.numeric.format_number_id`), ∞ for an infinite share."""
    if isinstance(x, float | np.floating) and np.isinf(x):
        return "∞"
    return format_number_id(x, d)


def finding_number_en(x, d: int = 2) -> str:
    """The same number in the English text of a finding (``1,234.56``; ``-`` when missing)."""
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


_ADMIN_PREFIX = re.compile(r"^(?:kelurahan|kel\.?|desa|ds\.?|kecamatan|kec\.?)\s+")


def _written(name) -> str:
    """A name as written, ignoring only letter case, repeated spaces and a leading
    "Kel."/"Desa"/"Kec." — what must equal the official spelling of a legal text."""
    text = " ".join(str(name).casefold().split())
    return _ADMIN_PREFIX.sub("", text)


def _spelling_differs(nm: str, official: str) -> bool:
    """The SK writes ``official`` only after removing spaces or punctuation ("Baruulu"
    for "Baru Ulu", "Mentawa-Baru Hulu"): the SK is a legal text, so it is reported."""
    return _written(nm) != _written(official)


def _exceeds(a: float, b: float, tol_pct: float, tol_ha: float) -> tuple[bool, float, float]:
    """``|a − b| > tol_ha`` and ``100 |a − b| / b > tol_pct`` (b is the reference)."""
    if not (np.isfinite(a) and np.isfinite(b)):
        return False, np.nan, np.nan
    diff = abs(a - b)
    pct = 100.0 * diff / b if b > 0 else (np.inf if diff > 0 else 0.0)
    return bool(diff > tol_ha and pct > tol_pct), diff, pct


def finding(no_sk, flag, detail, detail_en, *, kode_kawasan="", kode_rt="", luas_sk=np.nan, luas_del=np.nan,
             luas_rt=np.nan, saran="", pembanding="", tahun=None, geometry=None) -> dict:  # fmt: skip
    """One finding row: :data:`FINDING_COLUMNS`, the extras and its place on the map
    (``_geometry``, EPSG:4326, or None)."""
    return {
        "no_sk": no_sk, "kode_kawasan": kode_kawasan or "", "kode_rt": kode_rt or "", "flag": flag,
        "luas_sk_ha": luas_sk, "luas_delineasi_ha": luas_del, "luas_rt_ha": luas_rt, "detail": detail,
        "detail_en": detail_en, "saran": saran or "", "no_sk_pembanding": pembanding or "",
        "tahun_tingkat": tahun, "_geometry": geometry,
    }  # fmt: skip


def findings_frame(rows: list[dict]) -> pd.DataFrame:
    """Finding rows (:func:`finding`) as a frame with the output dtypes (text, hectares to
    4 decimals, the level year as a nullable integer); ``_geometry`` kept."""
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


class Evidence:
    """Everything a version is checked against, prepared once: delineation hectares
    (``area_method``) and polygons, the RTs inside each kawasan (representative point),
    RT polygons and hectares, RT levels per year (``scores``), kelurahan names and borders,
    and the tolerances ``tol``."""

    def __init__(self, delineasi, rt, wilayah, scores, not_kumuh, area_method, tol):
        self.delineasi = delineasi
        self._args = (rt, wilayah, scores, not_kumuh, area_method, tol)
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
        #: the luas an office wrote on its delineation (layers/README: luas_tercatat_ha),
        #: shown beside the computed one, never used in place of it
        self.del_recorded: dict[str, float] = {}
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
            if "luas_tercatat_ha" in self.dl.columns:
                recorded = pd.to_numeric(self.dl["luas_tercatat_ha"], errors="coerce").to_numpy()
                self.del_recorded = {
                    c: float(v) for c, v in zip(codes, recorded, strict=True) if np.isfinite(v)
                }
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

    def levels(self, year: int | None) -> dict[str, tuple[str, int, float, int]]:
        """Each RT's level from its latest row up to ``year`` (an RT with none that early is
        not judged): ``kode_rt → (tingkat, total_nilai, luas_ha, tahun)``. With the
        observed rows only, that is the latest survey on or before the SK (domain.md §6)."""
        if self.scores is None or year is None:
            return {}
        s = self.scores
        upto = s[s["tahun"] <= int(year)].sort_values(["kode_rt", "tahun"], kind="stable")
        s = upto.drop_duplicates("kode_rt", keep="last")
        return {
            r.kode_rt: (str(r.tingkat), int(r.total_nilai), float(r.luas_ha), int(r.tahun))
            for r in s.itertuples()
        }

    def with_delineation(self, delineasi) -> Evidence:
        """The same evidence against other delineation polygons (one SK version's)."""
        return Evidence(delineasi, *self._args)

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
    findings.append(finding(
        v, flag, det, det_en, kode_kawasan=base["kode_kawasan"], kode_rt=kode_rt, luas_sk=base["luas_sk"],
        luas_del=base["luas_del"], luas_rt=base["luas_rt"] if luas_rt is None else luas_rt, saran=saran,
        tahun=tahun, geometry=base["geometry"] if geometry is None else geometry,
    ))  # fmt: skip


@dataclass(frozen=True)
class _Location:
    """One location row of an SK version with its three luas figures and its RTs (those
    the SK lists and the rt layer knows, else those inside its polygon)."""

    v: str
    k: str
    nama: str
    row: pd.Series
    luas_sk: float
    luas_del: float
    luas_rt: float
    luas_recorded: float
    has_geom: bool
    geometry: object
    listed: list[str]
    unknown: list[str]
    rts: list[str]

    @property
    def where(self) -> str:
        return f"Lokasi {self.k} ({self.nama})" if self.nama else f"Lokasi {self.k}"

    @property
    def where_en(self) -> str:
        return f"Location {self.k} ({self.nama})" if self.nama else f"Location {self.k}"

    @property
    def base(self) -> dict:
        return {
            "kode_kawasan": self.k,
            "luas_sk": self.luas_sk,
            "luas_del": self.luas_del,
            "luas_rt": self.luas_rt,
            "geometry": self.geometry,
        }


def _location(ctx: Evidence, v: str, r: pd.Series, with_rt_column: bool, levels: dict):
    k = str(r["kode_kawasan"])
    has_geom = k in ctx.del_ha
    listed = split_codes(r.get("kode_rt")) if with_rt_column else []
    unknown = [c for c in listed if ctx.rt is not None and c not in ctx.rt_codes]
    rts = [c for c in listed if c not in unknown] if listed else list(ctx.rt_in_kawasan.get(k, []))
    rt_ha = [ctx.rt_luas(c, levels) for c in rts]
    return _Location(
        v=v,
        k=k,
        nama="" if _missing(r.get("nama_lokasi")) else str(r["nama_lokasi"]),
        row=r,
        luas_sk=float(r["luas_sk_ha"]) if not _missing(r.get("luas_sk_ha")) else np.nan,
        luas_del=float(ctx.del_ha[k]) if has_geom else np.nan,
        luas_rt=float(np.nansum(rt_ha)) if any(np.isfinite(rt_ha)) else np.nan,
        luas_recorded=ctx.del_recorded.get(k, np.nan),
        has_geom=has_geom,
        geometry=ctx.del_geom.get(k),
        listed=listed,
        unknown=unknown,
        rts=rts,
    )


def version_findings(
    ctx: Evidence, v: str, rows: pd.DataFrame, levels: dict, lvl_year
) -> tuple[list[dict], list[dict]]:
    """The findings and the location table of SK version ``v`` (domain.md §6; the flags
    and thresholds are those of :func:`kumuhgis.analysis.verification.verify_sk`).

    Per location, in this order: ``tanpa_geometri``, ``tanpa_rincian_rt``,
    ``luas_mismatch``, ``rt_tidak_kumuh_di_sk``, ``nama_tidak_cocok``,
    ``lintas_kelurahan``; then ``rt_kumuh_di_luar_sk`` for the version and its
    ``tumpang_tindih`` pairs. ``levels`` are the RT levels of ``lvl_year``
    (:meth:`Evidence.levels`).
    """
    findings: list[dict] = []
    locations: list[dict] = []
    covered: set[str] = set()
    for _, r in rows.iterrows():
        loc = _location(ctx, v, r, "kode_rt" in rows.columns, levels)
        covered |= set(loc.rts) | set(ctx.rt_in_kawasan.get(loc.k, []))
        flags: list[str] = []
        add = functools.partial(_add, findings, flags, loc.base, v)
        _check_detail(ctx, loc, add)
        _check_luas(ctx, loc, add)
        tk, kumuh_ha = _check_levels(ctx, loc, levels, lvl_year, add)
        matched_kel: list[str] = []
        if ctx.wil is not None:
            matched_kel = _check_names(ctx, loc, add)
            _check_border(ctx, loc, matched_kel, add)
        locations.append(
            _location_row(ctx, loc, flags, tk, kumuh_ha, levels, matched_kel, lvl_year)
        )
    findings += _outside_rts(ctx, v, covered, levels, lvl_year)
    findings += _overlaps(ctx, v, rows)
    return findings, locations


def _check_detail(ctx: Evidence, loc: _Location, add) -> None:
    """``tanpa_geometri``: no delineation polygon; ``tanpa_rincian_rt``: no RT list, or RT
    codes the rt layer does not have."""
    v, k, where, where_en = loc.v, loc.k, loc.where, loc.where_en
    if ctx.dl is not None and not loc.has_geom:
        add("tanpa_geometri", f"{where} di SK {v} tidak punya poligon delineasi (kode_kawasan {k} tidak ada di layer delineasi); luas SK {finding_number(loc.luas_sk)} ha tidak dapat diverifikasi di peta.",
            f"{where_en} in SK {v} has no delineation polygon (kode_kawasan {k} is not in the delineasi layer); its SK area of {finding_number_en(loc.luas_sk)} ha cannot be checked on the map.")  # fmt: skip
    if ctx.rt is not None and not loc.listed:
        add("tanpa_rincian_rt", f"{where} di SK {v} tidak merinci RT; {len(loc.rts)} RT di dalam poligon delineasi dipakai untuk pemeriksaan.",
            f"{where_en} in SK {v} lists no RTs; the {len(loc.rts)} RTs inside its delineation polygon were used for the checks.",
            saran="cantumkan daftar RT di SK / list the RTs in the SK")  # fmt: skip
    elif loc.unknown:
        unknown = loc.unknown
        add("tanpa_rincian_rt", f"{where} di SK {v} mencantumkan {len(unknown)} kode RT yang tidak ada di layer rt: {', '.join(unknown[:10])}.",
            f"{where_en} in SK {v} lists {len(unknown)} RT codes that are not in the rt layer: {', '.join(unknown[:10])}.",
            saran="perbaiki kode RT / correct the RT codes")  # fmt: skip


def _check_luas(ctx: Evidence, loc: _Location, add) -> None:
    """``luas_mismatch`` when a pair of luas SK, delineation area and Σ RT luas differs by
    more than both tolerances (the second of each pair is the reference)."""
    tol = ctx.tol
    luas_sk, luas_del, luas_rt = loc.luas_sk, loc.luas_del, loc.luas_rt
    pairs = [("luas SK", "SK area", luas_sk, "luas delineasi", "delineation area", luas_del),
             ("luas SK", "SK area", luas_sk, "Σ luas RT", "sum of RT areas", luas_rt),
             ("luas delineasi", "delineation area", luas_del, "Σ luas RT", "sum of RT areas", luas_rt)]  # fmt: skip
    over, over_en = [], []
    for an, an_en, a, bn, bn_en, b in pairs:
        hit, diff, pct = _exceeds(a, b, tol["toleransi_luas_persen"], tol["toleransi_luas_ha"])
        if hit:
            over.append(
                f"{an} {finding_number(a)} ha vs {bn} {finding_number(b)} ha (selisih {finding_number(diff)} ha = {finding_number(pct, 1)} %)"
            )
            over_en.append(
                f"{an_en} {finding_number_en(a)} ha vs {bn_en} {finding_number_en(b)} ha (difference {finding_number_en(diff)} ha = {finding_number_en(pct, 1)} %)"
            )
    if over and np.isfinite(loc.luas_recorded):
        over.append(f"luas tercatat pada berkas delineasi {finding_number(loc.luas_recorded)} ha")
        over_en.append(
            f"area written in the delineation file {finding_number_en(loc.luas_recorded)} ha"
        )
    if over:
        add("luas_mismatch",
            f"{loc.where}: {'; '.join(over)} — melebihi toleransi {finding_number(tol['toleransi_luas_persen'], 1)} % dan {finding_number(tol['toleransi_luas_ha'])} ha.",
            f"{loc.where_en}: {'; '.join(over_en)} — beyond the tolerance of {finding_number_en(tol['toleransi_luas_persen'], 1)} % and {finding_number_en(tol['toleransi_luas_ha'])} ha.",
            saran=f"luas terverifikasi / verified area: {finding_number(luas_del if np.isfinite(luas_del) else luas_rt)} ha")  # fmt: skip


def _check_levels(ctx: Evidence, loc: _Location, levels: dict, lvl_year, add):
    """``rt_tidak_kumuh_di_sk`` for each of the location's RTs whose level is not kumuh;
    returns those RTs and the hectares of the kumuh ones."""
    tk = []
    kumuh_ha = 0.0
    for c in loc.rts:
        if c not in levels:
            continue
        lvl, total, _, rt_year = levels[c]
        year_txt = f"tahun {rt_year}"
        if lvl in ctx.not_kumuh:
            tk.append(c)
            how, how_en = (
                ("tercantum di SK", "is listed in the SK")
                if loc.listed
                else ("berada di dalam poligon delineasi", "lies inside the delineation polygon")
            )
            add("rt_tidak_kumuh_di_sk",
                f"RT {c} {how} untuk lokasi {loc.k} tetapi tidak kumuh pada {year_txt} (total nilai {total}, tingkat {lvl}); luas {finding_number(ctx.rt_luas(c, levels))} ha.",
                f"RT {c} {how_en} for location {loc.k} but is not a slum in {rt_year} (total score {total}, level {lvl}); area {finding_number_en(ctx.rt_luas(c, levels))} ha.",
                kode_rt=c, luas_rt=ctx.rt_luas(c, levels), tahun=rt_year, geometry=ctx.rt_geom.get(c),
                saran="keluarkan RT dari lokasi / remove the RT from the location")  # fmt: skip
        else:
            kumuh_ha += ctx.rt_luas(c, levels)
    return tk, kumuh_ha


def _check_names(ctx: Evidence, loc: _Location, add) -> list[str]:
    """``nama_tidak_cocok`` for each kelurahan or kecamatan name not in the boundary layer
    (with the closest spelling); returns the kode_kel of the listed kelurahan (the
    delineation's own when none matches)."""
    where, where_en = loc.where, loc.where_en
    matched_kel: list[str] = []
    for nm in _split_names(loc.row.get("kelurahan")):
        code = ctx.kel_by_compact.get(_compact(nm))
        if code is None:
            guess = closest_name(nm, ctx.kel_names)
            add("nama_tidak_cocok",
                f"Kelurahan \"{nm}\" ({where}) tidak ada di layer batas wilayah" + (f"; ejaan terdekat: \"{guess}\"." if guess else "; tidak ada ejaan yang mirip."),
                f"Kelurahan \"{nm}\" ({where_en}) is not in the boundary layer" + (f"; closest spelling: \"{guess}\"." if guess else "; no similar spelling."),
                saran=guess or "")  # fmt: skip
            code = ctx.kel_code(nm)
        elif _spelling_differs(nm, official := ctx.kel_name_of.get(code, nm)):
            _official_spelling(add, "Kelurahan", nm, official, where, where_en)
        if code is not None:
            matched_kel.append(code)
    kec_by_compact = {_compact(x): x for x in ctx.kec_names}
    for nm in _split_names(loc.row.get("kecamatan")):
        official = kec_by_compact.get(_compact(nm))
        if official is not None and _spelling_differs(nm, official):
            _official_spelling(add, "Kecamatan", nm, official, where, where_en)
        if official is None:
            guess = closest_name(nm, ctx.kec_names)
            add("nama_tidak_cocok",
                f"Kecamatan \"{nm}\" ({where}) tidak ada di layer batas wilayah" + (f"; ejaan terdekat: \"{guess}\"." if guess else "."),
                f"Kecamatan \"{nm}\" ({where_en}) is not in the boundary layer" + (f"; closest spelling: \"{guess}\"." if guess else "."),
                saran=guess or "")  # fmt: skip
    if not matched_kel and loc.k in ctx.del_kel:
        matched_kel = [ctx.del_kel[loc.k]]
    return matched_kel


def _official_spelling(add, kind: str, nm: str, official: str, where: str, where_en: str):
    add("nama_tidak_cocok",
        f"{kind} \"{nm}\" ({where}) hanya cocok dengan layer batas wilayah bila spasi atau tanda baca diabaikan; ejaan resmi: \"{official}\".",
        f"{kind} \"{nm}\" ({where_en}) matches the boundary layer only when spaces or punctuation are ignored; official spelling: \"{official}\".",
        saran=official)  # fmt: skip


def _check_border(ctx: Evidence, loc: _Location, matched_kel: list[str], add) -> None:
    """``lintas_kelurahan`` when the part of the polygon outside its listed kelurahan
    exceeds both tolerances."""
    tol = ctx.tol
    if not (loc.has_geom and matched_kel and ctx.kel_geom):
        return
    lintas = _outside_kelurahan(ctx, loc.k, matched_kel)
    if lintas is None:
        return
    out_ha, pct, parts, geom_out = lintas
    if not (out_ha > tol["toleransi_lintas_ha"] and pct > tol["toleransi_lintas_persen"]):
        return
    name = ctx.kel_name_of
    listed_names = ", ".join(name.get(c, c) for c in matched_kel)
    where_else = (
        ", ".join(f"{name.get(c, c)} {finding_number(h)} ha" for c, h in parts)
        or "di luar semua kelurahan"
    )
    where_else_en = (
        ", ".join(f"{name.get(c, c)} {finding_number_en(h)} ha" for c, h in parts)
        or "outside every kelurahan"
    )
    add("lintas_kelurahan",
        f"{loc.where} tercantum di kelurahan {listed_names}, tetapi {finding_number(out_ha)} ha ({finding_number(pct, 1)} %) poligonnya berada di luar: {where_else}.",
        f"{loc.where_en} is listed under kelurahan {listed_names}, but {finding_number_en(out_ha)} ha ({finding_number_en(pct, 1)} %) of its polygon lies outside it: {where_else_en}.",
        geometry=geom_out, saran="cantumkan semua kelurahan / list every kelurahan")  # fmt: skip


def _location_row(ctx, loc: _Location, flags, tk, kumuh_ha, levels, matched_kel, lvl_year) -> dict:
    """The location's line of the recommendation table: ``hapus`` when it has RTs with
    levels and all are not kumuh, ``revisi`` with any other finding, else
    ``pertahankan``; verified luas = Σ luas of its kumuh RTs (without levels: the
    delineation's, else the SK's)."""
    rts, r = loc.rts, loc.row
    with_levels = [c for c in rts if c in levels]
    if rts and levels and len(tk) == len(with_levels) and any(c in levels for c in rts):
        rek = "hapus"
    elif flags:
        rek = "revisi"
    else:
        rek = "pertahankan"
    if levels and any(c in levels for c in rts):
        verified = kumuh_ha
    else:
        verified = loc.luas_del if np.isfinite(loc.luas_del) else loc.luas_sk
    luas_del, luas_rt = loc.luas_del, loc.luas_rt
    return {
        "no_sk": loc.v, "kode_kawasan": loc.k, "nama_lokasi": loc.nama,
        "kelurahan": "" if _missing(r.get("kelurahan")) else str(r["kelurahan"]),
        "kelurahan_saran": ", ".join(ctx.kel_name_of.get(c, "") for c in matched_kel),
        "luas_sk_ha": loc.luas_sk, "luas_delineasi_ha": round(luas_del, 4) if np.isfinite(luas_del) else np.nan,
        **_recorded_column(ctx, loc),
        "luas_rt_ha": round(luas_rt, 4) if np.isfinite(luas_rt) else np.nan,
        "jumlah_rt": len(rts), "jumlah_rt_tidak_kumuh": len(tk),
        "luas_terverifikasi_ha": round(float(verified), 4) if np.isfinite(verified) else np.nan,
        "temuan": ";".join(dict.fromkeys(flags)), "rekomendasi": rek, "tahun_tingkat": lvl_year,
    }  # fmt: skip


def _recorded_column(ctx: Evidence, loc: _Location) -> dict:
    """``luas_tercatat_ha`` (the luas the office wrote on its delineation) for the location
    table, only when the delineation carries one for some kawasan: the column stays out of
    a city's tables when its offices never wrote one."""
    if not ctx.del_recorded:
        return {}
    recorded = loc.luas_recorded
    return {"luas_tercatat_ha": round(recorded, 4) if np.isfinite(recorded) else np.nan}


def _outside_kelurahan(ctx: Evidence, k: str, kel_codes: list[str]):
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


def _outside_rts(ctx: Evidence, v: str, covered: set[str], levels: dict, lvl_year) -> list[dict]:
    out = []
    for c in sorted(levels):
        lvl, total, _, rt_year = levels[c]
        if lvl in ctx.not_kumuh or c in covered:
            continue
        ha = ctx.rt_luas(c, levels)
        out.append(finding(
            v, "rt_kumuh_di_luar_sk",
            f"RT {c} kumuh pada tahun {rt_year} (tingkat {lvl}, total nilai {total}, luas {finding_number(ha)} ha) tetapi tidak tercakup lokasi mana pun di SK {v}.",
            f"RT {c} is a slum in {rt_year} (level {lvl}, total score {total}, area {finding_number_en(ha)} ha) but no location of SK {v} covers it.",
            kode_rt=c, luas_rt=ha, tahun=rt_year, geometry=ctx.rt_geom.get(c),
            saran="tambahkan ke SK (lokasi baru atau perluasan) / add it to the SK",
        ))  # fmt: skip
    return out


def _overlaps(ctx: Evidence, v: str, rows: pd.DataFrame) -> list[dict]:
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
        out.append(finding(
            v, "tumpang_tindih",
            f"Poligon delineasi {ki} dan {kj} tumpang tindih seluas {finding_number(ha, 2 if ha >= 0.01 else 4)} ha; luas itu terhitung dua kali.",
            f"Delineation polygons {ki} and {kj} overlap by {finding_number_en(ha, 2 if ha >= 0.01 else 4)} ha; that area is counted twice.",
            kode_kawasan=ki, luas_del=ctx.del_ha.get(ki, np.nan), saran=f"perbaiki batas {ki}/{kj} / fix the shared border",
            pembanding="", geometry=gpd.GeoSeries([inter], crs=ctx.work_crs).to_crs(4326).iloc[0],
        ) | {"saran": f"perbaiki batas dengan {kj} / fix the border with {kj}"})  # fmt: skip
    return out
