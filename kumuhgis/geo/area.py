"""Hectares of polygons: ellipsoidal (geodesic) by default, planar UTM on request.

domain.md §10: "Hectares are ellipsoidal (geodesic) by default, exact to 0.01% anywhere in
Indonesia; a project may ask for planar UTM hectares (what many offices report), labelled as
such. Never compute an area in degrees."

Both methods accept a layer in any CRS. The geodesic method reprojects the vertices to
EPSG:4326 and measures every ring on the WGS 84 ellipsoid with GeographicLib (through
:class:`pyproj.Geod`), so the result does not depend on the CRS the file came in. The UTM
method projects each feature into the SRGI2013 UTM zone of its representative point.
"""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
import pandas as pd
import shapely
from geopandas import GeoDataFrame, GeoSeries
from pyproj import CRS, Geod, Transformer

from kumuhgis.core.errors import CRSError, UsageError
from kumuhgis.geo.crs import STORAGE_EPSG, _srgi2013_utm_epsg_array, is_storage_crs

__all__ = ["METHODS", "GEODESIC_LABEL", "hectares", "area_table", "utm_label"]

Method = Literal["geodesic", "utm"]
#: The area methods, default first.
METHODS: tuple[str, ...] = ("geodesic", "utm")
#: ``metode`` label of geodesic hectares.
GEODESIC_LABEL = "geodesic (WGS 84 ellipsoid)"

_M2_PER_HA = 10_000.0
_GEOD = Geod(ellps="WGS84")
_POLYGON = shapely.GeometryType.POLYGON
_MULTI_TYPES = (
    shapely.GeometryType.MULTIPOINT,
    shapely.GeometryType.MULTILINESTRING,
    shapely.GeometryType.MULTIPOLYGON,
    shapely.GeometryType.GEOMETRYCOLLECTION,
)


# --------------------------------------------------------------------------- helpers


def _geoseries(geoms: GeoSeries | GeoDataFrame) -> GeoSeries:
    if isinstance(geoms, GeoDataFrame):
        geoms = geoms.geometry
    if not isinstance(geoms, GeoSeries):
        raise TypeError(
            "Masukan harus GeoSeries atau GeoDataFrame / input must be a GeoSeries or GeoDataFrame"
        )
    if geoms.crs is None:
        raise CRSError(
            "Lapisan tidak memiliki CRS sehingga luasnya tidak dapat dihitung; tetapkan CRS dulu "
            "(berkas .prj atau --crs EPSG:xxxx) / the layer has no CRS, so its area cannot be "
            "computed; set its CRS first (.prj file or --crs EPSG:xxxx)"
        )
    return geoms


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise UsageError(
            f"Metode luas '{method}' tidak dikenal; pilih {' atau '.join(METHODS)} / "
            f"unknown area method '{method}'; choose {' or '.join(METHODS)}"
        )


def _lonlat(series: GeoSeries) -> np.ndarray:
    """Geometries of ``series`` in EPSG:4326 as an object array (None for missing)."""
    if not is_storage_crs(series.crs):
        series = series.to_crs(STORAGE_EPSG)
    return np.asarray(series.array, dtype=object)


def _flat_polygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All non-empty Polygon parts of ``geoms`` (any nesting) and the index of their feature."""
    parts = geoms
    index = np.arange(len(geoms))
    while True:
        types = shapely.get_type_id(parts)
        multi = np.isin(types, _MULTI_TYPES)
        if not multi.any():
            break
        sub, sub_idx = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        index = np.concatenate([index[~multi], index[multi][sub_idx]])
    keep = (shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)
    return parts[keep], index[keep]


def _empty_mask(geoms: np.ndarray) -> np.ndarray:
    return shapely.is_missing(geoms) | shapely.is_empty(geoms)


def _geodesic_m2(lonlat: np.ndarray) -> np.ndarray:
    """Ellipsoidal area (m²) per feature of lon/lat geometries; NaN for missing/empty.

    Per ring, GeographicLib's geodesic polygon area ``|S|`` on the WGS 84 ellipsoid (the
    sign only encodes ring orientation); per polygon ``|S_exterior| - Σ |S_hole|``; per
    feature the sum over its polygons. All coordinates are gathered in one array first,
    so the only Python loop is one C call per ring.
    """
    n = len(lonlat)
    polys, poly_feature = _flat_polygons(lonlat)
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    lon = np.ascontiguousarray(coords[:, 0])
    lat = np.ascontiguousarray(coords[:, 1])
    ends = np.cumsum(np.bincount(coord_ring, minlength=len(rings)))
    starts = ends - np.bincount(coord_ring, minlength=len(rings))
    ring_m2 = np.empty(len(rings))
    area = _GEOD.polygon_area_perimeter
    for k, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        # a closed ring repeats its first vertex; GeographicLib closes rings itself
        ring_m2[k] = abs(area(lon[s : e - 1], lat[s : e - 1])[0]) if e - s > 3 else 0.0
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = ring_poly[1:] != ring_poly[:-1]
    signed = np.where(exterior, ring_m2, -ring_m2)
    poly_m2 = np.bincount(ring_poly, weights=signed, minlength=len(polys))
    out = np.bincount(poly_feature, weights=poly_m2, minlength=n).astype(float)
    out[_empty_mask(lonlat)] = np.nan
    return out


@functools.cache
def _to_utm(epsg: int) -> Transformer:
    return Transformer.from_crs(STORAGE_EPSG, epsg, always_xy=True)


@functools.cache
def utm_label(epsg: int) -> str:
    """``metode`` label of planar UTM hectares, e.g.
    ``"UTM planar (SRGI2013 / UTM zone 49S, EPSG:9489)"``."""
    return f"UTM planar ({CRS.from_epsg(epsg).name}, EPSG:{epsg})"


def _utm_m2(series: GeoSeries, lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Planar UTM area (m²) and the EPSG used, per feature; NaN / 0 for missing/empty."""
    n = len(lonlat)
    out = np.full(n, np.nan)
    epsg = np.zeros(n, dtype=np.int64)
    present = ~_empty_mask(lonlat)
    if not present.any():
        return out, epsg
    rep = shapely.point_on_surface(lonlat[present])
    xy = shapely.get_coordinates(rep)
    epsg[present] = _srgi2013_utm_epsg_array(xy[:, 0], xy[:, 1])
    source = CRS.from_user_input(series.crs)
    source_epsg = source.to_epsg()
    original = np.asarray(series.array, dtype=object)
    for code in np.unique(epsg[present]).tolist():
        sel = present & (epsg == code)
        if source_epsg == code:
            projected = original[sel]  # already in this zone: no round trip
        else:
            projected = shapely.transform(lonlat[sel], _to_utm(code).transform, interleaved=False)
        out[sel] = shapely.area(projected)
    return out, epsg


def _area(series: GeoSeries, method: str) -> tuple[np.ndarray, np.ndarray | None]:
    _check_method(method)
    lonlat = _lonlat(series)
    if method == "geodesic":
        return _geodesic_m2(lonlat), None
    return _utm_m2(series, lonlat)


# --------------------------------------------------------------------------- public


def hectares(geoms: GeoSeries | GeoDataFrame, *, method: Method = "geodesic") -> pd.Series:
    """Area of every feature in hectares (domain.md §10).

    ``method="geodesic"`` (default): the ellipsoidal area on WGS 84. Vertices are
    reprojected to EPSG:4326 and each ring is measured with GeographicLib's geodesic
    polygon area ``S`` (Karney 2013, via :meth:`pyproj.Geod.polygon_area_perimeter`),
    accurate far beyond the 0.01 % of domain.md §10; edges are geodesics between the
    vertices. Per polygon ``area = |S(exterior)| - Σ |S(hole)|`` whatever the ring
    orientation; a multi-part feature sums its polygons.

    ``method="utm"``: the planar area in the SRGI2013 UTM zone of the feature's
    representative point (:func:`kumuhgis.geo.crs.srgi2013_utm_epsg`; WGS 84 UTM where SRGI2013
    has no zone), i.e. including the UTM area scale ``k²``: ``k0² = 0.9992`` (-0.08 %) on
    the central meridian, about ``k0²·(1 + x²/R²) ≈ 1.002`` (+0.2 %) at a zone edge, more for a
    feature whose representative point lies in the next zone. Features are grouped by zone, one vectorised
    transform per zone. Use :func:`area_table` to see which zone each feature used.

    ``luas_ha = area_m2 / 10 000``. Missing or empty geometries give NaN; non-polygonal
    geometries (points, lines) give 0. Invalid polygons (self-intersecting rings) are
    measured as given; repair them first.

    Parameters
    ----------
    geoms : GeoSeries or GeoDataFrame
        Polygons in any CRS. Never modified.
    method : {"geodesic", "utm"}
        Keyword only.

    Returns
    -------
    pandas.Series
        Float hectares named ``luas_ha``, on the input's index.

    Raises
    ------
    CRSError
        If the input has no CRS (an area is never computed in degrees or guessed units).
    UsageError
        For an unknown ``method``.
    """
    series = _geoseries(geoms)
    m2, _ = _area(series, method)
    return pd.Series(m2 / _M2_PER_HA, index=series.index, name="luas_ha", dtype=float)


def area_table(frame: GeoDataFrame | GeoSeries, *, method: Method = "geodesic") -> pd.DataFrame:
    """Hectares per feature with the method written beside them (domain.md §10).

    The frame's non-geometry columns come first, then:

    * ``luas_ha`` — as :func:`hectares`;
    * ``metode`` — ``"geodesic (WGS 84 ellipsoid)"``, or for ``method="utm"`` the zone used,
      e.g. ``"UTM planar (SRGI2013 / UTM zone 49S, EPSG:9489)"`` (missing for empty rows);
    * ``epsg`` — only for ``method="utm"``: the EPSG code of the zone (nullable integer).

    Input columns already named ``luas_ha``, ``metode`` or ``epsg`` are replaced.

    Parameters
    ----------
    frame : GeoDataFrame or GeoSeries
        Polygons in any CRS. Never modified.
    method : {"geodesic", "utm"}
        Keyword only.

    Returns
    -------
    pandas.DataFrame
        On the input's index, without geometry.
    """
    series = _geoseries(frame)
    m2, epsg = _area(series, method)
    if isinstance(frame, GeoDataFrame):
        attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        drop = [c for c in attrs.columns if attrs[c].dtype == "geometry"]
        drop += [c for c in ("luas_ha", "metode", "epsg") if c in attrs.columns]
        attrs = attrs.drop(columns=drop)
    else:
        attrs = pd.DataFrame(index=series.index)
    out = attrs.copy()
    out["luas_ha"] = m2 / _M2_PER_HA
    if epsg is None:
        out["metode"] = pd.Series(GEODESIC_LABEL, index=out.index, dtype="str")
    else:
        labels = [utm_label(code) if code else None for code in epsg.tolist()]
        out["metode"] = pd.Series(labels, index=out.index, dtype="str")
        out["epsg"] = pd.array([code if code else None for code in epsg.tolist()], dtype="Int64")
    return out
