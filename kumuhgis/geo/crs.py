"""Coordinate reference systems: the storage CRS, UTM zones, and layers that arrive without one.

domain.md §10: geometry is stored in EPSG:4326. Indonesia uses SRGI2013 (EPSG:9470), whose
UTM zones are EPSG:9476–9482 (46N–52N) and EPSG:9487–9494 (47S–54S); legacy data comes in
DGN95 UTM (EPSG:23866–23872 north, 23877–23884 south) and DGN95 Indonesia TM-3
(EPSG:23830–23845). Indonesia spans UTM zones 46 to 54 and one city can straddle two.

A layer without a CRS is never silently guessed in metres (conventions.md "Functions": a
layer without a CRS is an error). The one forgiving case is a layer whose coordinates are
plainly longitude/latitude inside Indonesia: that is WGS 84 in practice (GPS, KML, GeoJSON)
and is assumed with a warning the user sees.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as _PyprojCRSError
from pyproj.exceptions import ProjError

from kumuhgis.core.errors import CRSError, Problem

__all__ = [
    "STORAGE_EPSG",
    "INDONESIA_BOUNDS_LONLAT",
    "utm_zone",
    "srgi2013_utm_epsg",
    "wgs84_utm_epsg",
    "looks_like_lonlat",
    "inside_indonesia",
    "likely_projected_crs",
    "resolve_crs",
    "to_storage",
    "is_storage_crs",
    "metric_crs",
]

#: Storage CRS of every layer (contracts.md "The store", domain.md §10).
STORAGE_EPSG: int = 4326

#: (min lon, min lat, max lon, max lat) of Indonesia with a small margin: Sabang/Pulau Rondo
#: (~95.0°E) to the Papua New Guinea border (~141.0°E), Rote/Pulau Ndana (~11.0°S) to
#: Miangas (~5.6°N).
INDONESIA_BOUNDS_LONLAT: tuple[float, float, float, float] = (94.0, -11.5, 141.5, 6.5)

# SRGI2013 UTM zones (domain.md §10), checked against pyproj's CRS names
# ("SRGI2013 / UTM zone 49S" is EPSG:9489). Zone 46S and 53N/54N have no SRGI2013 code.
_SRGI2013_UTM_NORTH: dict[int, int] = {z: 9476 + (z - 46) for z in range(46, 53)}  # 46N–52N
_SRGI2013_UTM_SOUTH: dict[int, int] = {z: 9487 + (z - 47) for z in range(47, 55)}  # 47S–54S
# Legacy DGN95 UTM zones (EPSG:23873–23876 do not exist).
_DGN95_UTM_NORTH: dict[int, int] = {z: 23866 + (z - 46) for z in range(46, 53)}  # 46N–52N
_DGN95_UTM_SOUTH: dict[int, int] = {z: 23877 + (z - 47) for z in range(47, 55)}  # 47S–54S
# DGN95 / Indonesia TM-3 zones 46.2 … 54.1 (false easting 200 000, false northing 1 500 000).
_DGN95_TM3: tuple[int, ...] = tuple(range(23830, 23846))

# How far (degrees) a layer may reach past a candidate CRS's published area of use.
_AREA_OF_USE_MARGIN_DEG = 0.5


# --------------------------------------------------------------------------- zones


def utm_zone(lon: float) -> int:
    """UTM zone number (1–60) of a longitude.

    ``zone = floor((lon + 180) / 6) + 1``, with 180°E in zone 60. A longitude on a zone
    border belongs to the zone to its east (114°E is zone 50), as in the EPSG areas of use.
    Indonesia lies in zones 46–54 (domain.md §10).

    Parameters
    ----------
    lon : float
        Longitude in degrees, -180 to 180.

    Raises
    ------
    CRSError
        If ``lon`` is not a finite longitude.
    """
    lon = float(lon)
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise CRSError(
            f"Bujur {lon!r} bukan bujur yang sah (-180 s.d. 180) / "
            f"longitude {lon!r} is not a valid longitude (-180 to 180)"
        )
    return min(int(math.floor((lon + 180.0) / 6.0)) + 1, 60)


def _check_lat(lat: float) -> float:
    lat = float(lat)
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise CRSError(
            f"Lintang {lat!r} bukan lintang yang sah (-90 s.d. 90) / "
            f"latitude {lat!r} is not a valid latitude (-90 to 90)"
        )
    return lat


def wgs84_utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone holding a lon/lat point.

    ``32600 + zone`` north of the equator (``lat >= 0``), ``32700 + zone`` south of it,
    with ``zone`` from :func:`utm_zone` (domain.md §10).
    """
    zone = utm_zone(lon)
    return (32600 if _check_lat(lat) >= 0.0 else 32700) + zone


def srgi2013_utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the SRGI2013 UTM zone holding a lon/lat point (domain.md §10).

    Zones 46N–52N are EPSG:9476–9482 (``9476 + zone - 46``), zones 47S–54S are
    EPSG:9487–9494 (``9487 + zone - 47``); the equator itself counts as north. Where
    SRGI2013 defines no zone (46S, 53N, 54N and anywhere outside Indonesia's zones) the
    WGS 84 UTM zone (:func:`wgs84_utm_epsg`) is returned instead.

    Examples
    --------
    >>> srgi2013_utm_epsg(112.95, -2.54)  # Sampit, SRGI2013 / UTM zone 49S
    9489
    """
    zone = utm_zone(lon)
    north = _check_lat(lat) >= 0.0
    table = _SRGI2013_UTM_NORTH if north else _SRGI2013_UTM_SOUTH
    return table.get(zone, (32600 if north else 32700) + zone)


def _srgi2013_utm_epsg_array(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Vectorised :func:`srgi2013_utm_epsg` for finite lon/lat arrays (same rule)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    zone = np.minimum(np.floor((lon + 180.0) / 6.0).astype(np.int64) + 1, 60)
    north = lat >= 0.0
    out = np.where(north, 32600, 32700) + zone
    srgi_n = north & (zone >= 46) & (zone <= 52)
    srgi_s = ~north & (zone >= 47) & (zone <= 54)
    out[srgi_n] = 9476 + zone[srgi_n] - 46
    out[srgi_s] = 9487 + zone[srgi_s] - 47
    return out


# --------------------------------------------------------------------------- bounds tests


def _bounds(bounds: Any) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) as floats, or None when any is not finite (empty layer)."""
    values = tuple(float(v) for v in bounds)
    if len(values) != 4:
        raise ValueError(
            "bounds harus berisi 4 angka (minx, miny, maxx, maxy) / "
            "bounds must hold 4 numbers (minx, miny, maxx, maxy)"
        )
    if not all(math.isfinite(v) for v in values):
        return None
    return values  # type: ignore[return-value]


def looks_like_lonlat(bounds: Any) -> bool:
    """Whether a bounding box can be longitude/latitude in degrees.

    True when ``-180 <= minx <= maxx <= 180`` and ``-90 <= miny <= maxy <= 90``; False for
    an empty box (NaN bounds). Metre coordinates of any Indonesian projected CRS (UTM,
    TM-3) are far outside these ranges.

    Parameters
    ----------
    bounds : sequence of 4 floats
        ``(minx, miny, maxx, maxy)``, e.g. ``GeoDataFrame.total_bounds``.
    """
    b = _bounds(bounds)
    if b is None:
        return False
    minx, miny, maxx, maxy = b
    return -180.0 <= minx <= maxx <= 180.0 and -90.0 <= miny <= maxy <= 90.0


def inside_indonesia(bounds: Any) -> bool:
    """Whether a lon/lat bounding box lies wholly inside :data:`INDONESIA_BOUNDS_LONLAT`.

    Parameters
    ----------
    bounds : sequence of 4 floats
        ``(min lon, min lat, max lon, max lat)`` in degrees.
    """
    b = _bounds(bounds)
    if b is None:
        return False
    minx, miny, maxx, maxy = b
    w, s, e, n = INDONESIA_BOUNDS_LONLAT
    return w <= minx <= maxx <= e and s <= miny <= maxy <= n


# --------------------------------------------------------------------------- guessing


@dataclass(frozen=True)
class _Candidate:
    text: str  # what the user reads, with EPSG codes
    inverse: Transformer  # projected -> its own geographic CRS (projection only)
    area: tuple[float, float, float, float]  # area of use (w, s, e, n), degrees


def _inverse(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)


@functools.cache
def _candidates() -> tuple[_Candidate, ...]:
    """The projected CRSs Indonesian data arrive in, built once from the EPSG database."""
    out: list[_Candidate] = []
    for hemi, srgi, wgs_base, dgn in (
        ("N", _SRGI2013_UTM_NORTH, 32600, _DGN95_UTM_NORTH),
        ("S", _SRGI2013_UTM_SOUTH, 32700, _DGN95_UTM_SOUTH),
    ):
        for zone, code in srgi.items():
            crs = CRS.from_epsg(code)
            text = (
                f"UTM zone {zone}{hemi}: SRGI2013 EPSG:{code}, WGS 84 EPSG:{wgs_base + zone}, "
                f"DGN95 EPSG:{dgn[zone]}"
            )
            out.append(_Candidate(text, _inverse(crs), tuple(crs.area_of_use.bounds)))
    for code in _DGN95_TM3:
        crs = CRS.from_epsg(code)
        out.append(
            _Candidate(f"{crs.name} (EPSG:{code})", _inverse(crs), tuple(crs.area_of_use.bounds))
        )
    return tuple(out)


def likely_projected_crs(bounds: Any) -> list[str]:
    """Name the CRSs a layer with no CRS but metre coordinates was likely made in.

    Each candidate of domain.md §10 — SRGI2013 UTM zones 46N–52N and 47S–54S (with their
    WGS 84 and DGN95 twins) and DGN95 Indonesia TM-3 zones 46.2–54.1 — is tried by
    projecting the box back to longitude/latitude; it is kept when the result lies within
    the zone's EPSG area of use widened by 0.5°. In effect:

    * UTM: easting about 160 000–840 000; northing above about 8 500 000 gives the southern
      zones 47S–54S (EPSG:9487–9494 / 32747–32754), northing below about 1 000 000 the
      northern zones 46N–52N (EPSG:9476–9482 / 32646–32652);
    * TM-3: easting about 30 000–370 000 around the false easting 200 000, northing
      around the false northing 1 500 000 (EPSG:23830–23845).

    Every UTM (and TM-3) zone uses the same easting range, so the zone **cannot be told
    from the coordinates alone**: all zones of the hemisphere whose latitude range fits are
    listed, and the user must say which one the data are in. Java's TM-3 coordinates also
    fit the northern UTM zones; both are listed then.

    Parameters
    ----------
    bounds : sequence of 4 floats
        ``(minx, miny, maxx, maxy)`` in metres.

    Returns
    -------
    list of str
        One line per candidate zone, e.g.
        ``"UTM zone 49S: SRGI2013 EPSG:9489, WGS 84 EPSG:32749, DGN95 EPSG:23879"`` or
        ``"DGN95 / Indonesia TM-3 zone 49.1 (EPSG:23835)"``; UTM first. Empty when nothing
        fits (or the box is empty).
    """
    b = _bounds(bounds)
    if b is None:
        return []
    m = _AREA_OF_USE_MARGIN_DEG
    found: list[str] = []
    for cand in _candidates():
        try:
            w, s, e, n = cand.inverse.transform_bounds(*b, densify_pts=5)
        except ProjError:
            continue
        if not all(math.isfinite(v) for v in (w, s, e, n)):
            continue
        aw, as_, ae, an = cand.area
        if aw - m <= w <= e <= ae + m and as_ - m <= s <= n <= an + m:
            found.append(cand.text)
    return found


# --------------------------------------------------------------------------- resolving


def _fmt_bounds(b: tuple[float, float, float, float]) -> str:
    return "(" + ", ".join(f"{v:.10g}" for v in b) + ")"


def _parse_crs(value: Any) -> CRS:
    if isinstance(value, int):
        return CRS.from_epsg(value)
    return CRS.from_user_input(value)


def _crs_text(crs: CRS) -> str:
    auth = crs.to_authority()
    code = f"{auth[0]}:{auth[1]}" if auth else crs.to_string()
    return f"{code} ({crs.name})"


_NO_CRS_FIX_ID = (
    "Sertakan berkas .prj dari sumber data, atau sebutkan CRS-nya (mis. --crs EPSG:9489 "
    "untuk SRGI2013 / UTM zona 49S), atau di QGIS tetapkan CRS lapisan (Layer ▸ Set CRS) "
    "lalu simpan ulang dalam EPSG:4326 (Export ▸ Save Features As)."
)
_NO_CRS_FIX_EN = (
    "Include the .prj file from the data source, or name the CRS (e.g. --crs EPSG:9489 "
    "for SRGI2013 / UTM zone 49S), or in QGIS set the layer CRS (Layer ▸ Set CRS) and "
    "save it again in EPSG:4326 (Export ▸ Save Features As)."
)


def _no_crs_problem(b: tuple[float, float, float, float] | None) -> tuple[bool, Problem]:
    """Decide what a layer without CRS is: (assume 4326?, the problem to report)."""
    common_fix_id, common_fix_en = _NO_CRS_FIX_ID, _NO_CRS_FIX_EN
    if b is None:
        return True, Problem(
            row=None,
            column=None,
            value=None,
            masalah="Lapisan tidak memiliki CRS dan tidak berisi koordinat; dianggap EPSG:4326.",
            problem="The layer has no CRS and holds no coordinates; EPSG:4326 was assumed.",
            severity="warning",
        )
    value = _fmt_bounds(b)
    if looks_like_lonlat(b) and inside_indonesia(b):
        return True, Problem(
            row=None,
            column=None,
            value=value,
            masalah=(
                "Lapisan tidak memiliki CRS (mis. berkas .prj hilang); koordinatnya berupa "
                "derajat di wilayah Indonesia sehingga dianggap EPSG:4326 (WGS 84 bujur/lintang)."
            ),
            problem=(
                "The layer has no CRS (e.g. the .prj file is missing); its coordinates are "
                "degrees inside Indonesia, so EPSG:4326 (WGS 84 lon/lat) was assumed."
            ),
            perbaikan=(
                "Periksa letaknya di peta; jika data memakai CRS lain, sebutkan dengan --crs "
                "EPSG:xxxx atau sertakan berkas .prj."
            ),
            fix=(
                "Check the location on a map; if the data use another CRS, name it with "
                "--crs EPSG:xxxx or include the .prj file."
            ),
            severity="warning",
        )
    minx, miny, maxx, maxy = b
    swapped = (miny, minx, maxy, maxx)
    if looks_like_lonlat(swapped) and inside_indonesia(swapped):
        return False, Problem(
            row=None,
            column=None,
            value=value,
            masalah=(
                "Lapisan tidak memiliki CRS dan bujur/lintangnya tampaknya tertukar: koordinat "
                "baru berada di Indonesia jika X dan Y dibalik (X harus bujur, Y lintang)."
            ),
            problem=(
                "The layer has no CRS and its longitude/latitude look swapped: the coordinates "
                "fall inside Indonesia only with X and Y exchanged (X must be longitude, "
                "Y latitude)."
            ),
            perbaikan=(
                "Tukar kolom X dan Y (mis. di Excel atau QGIS) lalu impor kembali dalam EPSG:4326."
            ),
            fix="Exchange the X and Y columns (e.g. in Excel or QGIS) and import again in EPSG:4326.",
        )
    if looks_like_lonlat(b):
        return False, Problem(
            row=None,
            column=None,
            value=value,
            masalah=(
                "Lapisan tidak memiliki CRS; koordinatnya tampak seperti derajat tetapi berada di "
                f"luar Indonesia {INDONESIA_BOUNDS_LONLAT}."
            ),
            problem=(
                "The layer has no CRS; its coordinates look like degrees but lie outside "
                f"Indonesia {INDONESIA_BOUNDS_LONLAT}."
            ),
            perbaikan="Periksa urutan kolom koordinat dan sumber datanya. " + common_fix_id,
            fix="Check the coordinate order and the data source. " + common_fix_en,
        )
    return False, _metric_no_crs_problem(b, value)


def _metric_no_crs_problem(b: tuple[float, float, float, float], value: str) -> Problem:
    """A layer without CRS whose coordinates are metres: refused, naming the likely CRSs."""
    candidates = likely_projected_crs(b)
    if candidates:
        listed = "; ".join(candidates)
        guess_id = (
            f" Kemungkinan CRS: {listed}. Zona tidak dapat ditentukan dari koordinat saja "
            "(setiap zona memakai rentang easting yang sama); pilih zona tempat kota berada."
        )
        guess_en = (
            f" Likely CRSs: {listed}. The zone cannot be told from the coordinates alone "
            "(every zone uses the same easting range); pick the zone the city lies in."
        )
    else:
        guess_id = " Koordinat ini tidak cocok dengan UTM maupun TM-3 di Indonesia."
        guess_en = " These coordinates fit neither UTM nor TM-3 in Indonesia."
    return Problem(
        row=None,
        column=None,
        value=value,
        masalah=(
            "Lapisan tidak memiliki CRS (mis. berkas .prj hilang) dan koordinatnya dalam meter, "
            "bukan derajat; sistem koordinatnya tidak dapat ditebak dengan aman." + guess_id
        ),
        problem=(
            "The layer has no CRS (e.g. the .prj file is missing) and its coordinates are "
            "metres, not degrees; its coordinate system cannot be guessed safely." + guess_en
        ),
        perbaikan=_NO_CRS_FIX_ID,
        fix=_NO_CRS_FIX_EN,
    )


def _assumed_crs_problems(
    crs: CRS, b: tuple[float, float, float, float] | None, given: str
) -> list[Problem]:
    """Errors when a user-given CRS plainly does not fit the coordinates."""
    if b is None:
        return []
    value = _fmt_bounds(b)
    if crs.is_geographic and not looks_like_lonlat(b):
        return [
            Problem(
                row=None,
                column=None,
                value=given,
                masalah=(
                    f"CRS yang diberikan {_crs_text(crs)} memakai derajat, tetapi koordinat "
                    f"lapisan {value} dalam meter."
                ),
                problem=(
                    f"The given CRS {_crs_text(crs)} is in degrees, but the layer's "
                    f"coordinates {value} are metres."
                ),
                perbaikan="Sebutkan CRS proyeksi yang benar, mis. zona UTM SRGI2013 kota.",
                fix="Name the right projected CRS, e.g. the city's SRGI2013 UTM zone.",
            )
        ]
    if crs.is_projected and looks_like_lonlat(b) and inside_indonesia(b):
        return [
            Problem(
                row=None,
                column=None,
                value=given,
                masalah=(
                    f"CRS yang diberikan {_crs_text(crs)} memakai meter, tetapi koordinat "
                    f"lapisan {value} berupa derajat di Indonesia."
                ),
                problem=(
                    f"The given CRS {_crs_text(crs)} is in metres, but the layer's "
                    f"coordinates {value} are degrees inside Indonesia."
                ),
                perbaikan="Gunakan --crs EPSG:4326 atau periksa kembali sumber data.",
                fix="Use --crs EPSG:4326 or check the data source again.",
            )
        ]
    return []


def _prefixed(problem: Problem, src: str) -> Problem:
    """The same problem with the source file named in front of what is wrong."""
    if not src:
        return problem
    return dataclasses.replace(
        problem, masalah=src + problem.masalah, problem=src + problem.problem
    )


def resolve_crs(frame, *, source: str = "", assume_crs: Any = None) -> tuple[Any, list[Problem]]:
    """Make sure a layer has a CRS, or say exactly why it cannot have one (domain.md §10).

    Rules, in order:

    1. ``assume_crs`` (given by the user, e.g. ``--crs EPSG:9489``) wins: it is set on the
       layer (replacing the file's CRS, with a warning if they differ). It is refused with an
       error when it plainly contradicts the coordinates (a geographic CRS for metre
       coordinates, or a projected CRS for degrees inside Indonesia) or cannot be parsed.
    2. A layer with a CRS is returned as is (the same object), with no problem.
    3. No CRS, coordinates in degrees inside :data:`INDONESIA_BOUNDS_LONLAT`: EPSG:4326 is set
       and a ``"warning"`` problem says so.
    4. No CRS, coordinates that fall inside Indonesia only with X and Y exchanged: an
       ``"error"`` saying longitude/latitude are swapped.
    5. No CRS, metre coordinates: an ``"error"`` naming the likely CRSs
       (:func:`likely_projected_crs`) and how to fix it.
    6. No CRS, degrees outside Indonesia: an ``"error"``.

    On an error the layer is returned unchanged (still without CRS).

    Parameters
    ----------
    frame : GeoDataFrame or GeoSeries
        The layer as read. Never modified.
    source : str, optional
        File name, only used in messages.
    assume_crs : str, int or pyproj.CRS, optional
        A CRS the user states, e.g. ``"EPSG:9489"``.

    Returns
    -------
    (GeoDataFrame or GeoSeries, list of Problem)
        The layer (with its CRS set where one was decided) and the problems found. Callers
        reject the layer when any problem has ``severity == "error"``.
    """
    src = f"{source}: " if source else ""
    b = _bounds(frame.total_bounds)
    if assume_crs is not None:
        given = str(assume_crs)
        try:
            crs = _parse_crs(assume_crs)
        except (_PyprojCRSError, ValueError, TypeError):
            return frame, [
                Problem(
                    row=None,
                    column=None,
                    value=given,
                    masalah=f"{src}CRS '{given}' tidak dikenal.",
                    problem=f"{src}CRS '{given}' is not recognised.",
                    perbaikan="Tulis kode EPSG, mis. EPSG:4326 atau EPSG:9489.",
                    fix="Write an EPSG code, e.g. EPSG:4326 or EPSG:9489.",
                )
            ]
        problems = [_prefixed(p, src) for p in _assumed_crs_problems(crs, b, given)]
        if problems:
            return frame, problems
        if frame.crs is not None and not frame.crs.equals(crs):
            problems.append(
                Problem(
                    row=None,
                    column=None,
                    value=given,
                    masalah=(
                        f"{src}CRS berkas {_crs_text(frame.crs)} diganti dengan CRS yang "
                        f"diberikan {_crs_text(crs)}."
                    ),
                    problem=(
                        f"{src}The file's CRS {_crs_text(frame.crs)} was replaced by the given "
                        f"CRS {_crs_text(crs)}."
                    ),
                    severity="warning",
                )
            )
        return frame.set_crs(crs, allow_override=True), problems
    if frame.crs is not None:
        return frame, []
    assume, problem = _no_crs_problem(b)
    problem = _prefixed(problem, src)
    if assume:
        return frame.set_crs(STORAGE_EPSG), [problem]
    return frame, [problem]


def to_storage(frame):
    """Reproject a layer to the storage CRS EPSG:4326 (contracts.md "The store", domain.md §10).

    Returns a new GeoDataFrame/GeoSeries; the input is never modified (a copy is returned
    when it is already in EPSG:4326).

    Raises
    ------
    CRSError
        If the layer has no CRS: it is never guessed here (see :func:`resolve_crs`).
    """
    if frame.crs is None:
        raise CRSError(
            "Lapisan tidak memiliki CRS sehingga tidak dapat diubah ke EPSG:4326; tetapkan CRS "
            "dulu (berkas .prj atau --crs EPSG:xxxx) / the layer has no CRS, so it cannot be "
            "reprojected to EPSG:4326; set its CRS first (.prj file or --crs EPSG:xxxx)"
        )
    if is_storage_crs(frame.crs):
        return frame.copy()
    return frame.to_crs(STORAGE_EPSG)


@functools.cache
def _storage_crs() -> CRS:
    return CRS.from_epsg(STORAGE_EPSG)


def is_storage_crs(crs: Any) -> bool:
    """Whether ``crs`` is the storage CRS (EPSG:4326)."""
    return crs is not None and CRS.from_user_input(crs).equals(_storage_crs())


def metric_crs(geoms: gpd.GeoSeries | gpd.GeoDataFrame) -> CRS:
    """The CRS in which distances of ``geoms`` are measured (domain.md §10).

    The layer's own CRS when it is projected with metre axes; otherwise the SRGI2013 UTM
    zone (:func:`srgi2013_utm_epsg`) of the centre of its bounds. A city that
    straddles two zones is measured in the zone of its centre (scale error below 0.1 %
    within a few tens of kilometres of the zone border).

    Raises
    ------
    CRSError
        The layer has no CRS.
    """
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    if series.crs is None:
        raise CRSError(
            "Layer tanpa CRS; jarak tidak dapat diukur / layer without CRS; distances cannot be measured"
        )
    crs = CRS.from_user_input(series.crs)
    if crs.is_projected and all((ax.unit_name or "").startswith("met") for ax in crs.axis_info):
        return crs
    b = series.total_bounds
    if not np.all(np.isfinite(b)):
        return CRS.from_epsg(srgi2013_utm_epsg(112.95, -2.54))  # empty layer: any zone will do
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    if not crs.is_geographic or crs.to_epsg() != 4326:
        cx, cy = Transformer.from_crs(crs, 4326, always_xy=True).transform(cx, cy)
    return CRS.from_epsg(srgi2013_utm_epsg(cx, cy))
