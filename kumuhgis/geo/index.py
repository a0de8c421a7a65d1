"""The fast spatial index: points, lines and polygons against a polygon layer (domain.md §7).

:class:`KawasanIndex` answers the Korkot's question of where each work lies against the
delineation — ``dalam`` (inside; a point on a boundary, or within :data:`BOUNDARY_M`, 1 cm,
counts as inside), ``sebagian`` (a line or polygon partly inside, with its share),
``batas`` (outside but within the tolerance) or ``luar`` (outside, with the distance) —
and which polygon holds a geometry (:meth:`KawasanIndex.locate`, e.g. the RT of a work).
The domain rules built on it (SK version in force, overrides, gap flags, summaries) live in
:mod:`kumuhgis.analysis.kolaborasi`.

All distances are measured in metres in a metric CRS (the caller's, checked to be
projected; :meth:`KawasanIndex.from_frame` picks the SRGI2013 UTM zone of the layer's
centre, :func:`kumuhgis.geo.crs.metric_crs`); never in degrees.

Speed
-----
The index is built once on the delineation side (per SK version). Points are classified
from coordinate arrays without one Python object per point on the hot path: a
block-sparse uniform grid (:mod:`kumuhgis.geo.grid`), rasterised from the polygons' vertex
arrays, labels every cell *inside* one kawasan, *empty* (no kawasan within the tolerance)
or *mixed* (with its candidate kawasan and the boundary pieces within reach); a point takes
its cell's label by integer arithmetic; points in mixed cells are tested with the
vectorised :func:`shapely.contains_xy` on prepared polygons (one polygon after the other)
and, when outside, get their exact distance to the cell's boundary pieces by array
arithmetic. Lines and polygons decide containment first (a prepared ``covers`` test on
the envelope candidates) and compute an intersection only for the features that cross a
boundary. ``benchmarks/bench_kolaborasi.py`` compares both with the plain geopandas way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from kumuhgis.core.errors import CRSError, UsageError
from kumuhgis.geo.crs import metric_crs
from kumuhgis.geo.grid import PointGrid, build_grid, first_of_runs, run_positions

__all__ = [
    "DALAM",
    "SEBAGIAN",
    "BATAS",
    "LUAR",
    "TANPA_GEOMETRI",
    "BOUNDARY_M",
    "DEFAULT_TOLERANCE_M",
    "KawasanIndex",
    "PointClassification",
    "GeometryClassification",
    "check_tolerance",
    "geometry_array",
]

#: Status codes of a classification, in the order of
#: :data:`kumuhgis.core.vocabulary.KOLABORASI_STATUSES` (domain.md §7).
DALAM, SEBAGIAN, BATAS, LUAR = 0, 1, 2, 3
#: Code of a feature without geometry (or with NaN coordinates).
TANPA_GEOMETRI = -1
#: A point (or the part of a line/polygon) this close to a kawasan counts as inside.
BOUNDARY_M = 0.01
#: Default tolerance of the ``batas`` status (domain.md §7, configurable).
DEFAULT_TOLERANCE_M = 10.0
_SHARE_EPS = 1e-6  # a share inside below this is a touch, not a part (rounding of overlays)
_CHUNK = 1 << 20
_POINT = shapely.GeometryType.POINT
_MULTIPOINT = shapely.GeometryType.MULTIPOINT
_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def geometry_array(series: gpd.GeoSeries, crs: CRS) -> np.ndarray:
    """The geometries of ``series`` as a shapely array in ``crs`` (reprojected when needed).

    Raises
    ------
    CRSError
        ``series`` has no CRS.
    """
    if series.crs is None:
        raise CRSError("Layer tanpa CRS / layer without CRS")
    if not CRS.from_user_input(series.crs).equals(crs):
        series = series.to_crs(crs)
    return np.asarray(series.array, dtype=object)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Valid polygonal geometries: invalid ones repaired with ``make_valid`` and collections
    reduced to their polygonal part; missing or empty stay as they are."""
    out = geoms.copy()
    present = ~(shapely.is_missing(out) | shapely.is_empty(out))
    bad = present & ~shapely.is_valid(np.where(present, out, None))
    bad |= present & ~np.isin(shapely.get_type_id(out), _POLYGONAL)
    for i in np.flatnonzero(bad):
        fixed = shapely.make_valid(out[i])
        if shapely.get_type_id(fixed) not in _POLYGONAL:
            parts = shapely.get_parts(fixed)
            parts = parts[np.isin(shapely.get_type_id(parts), _POLYGONAL)]
            fixed = shapely.union_all(parts)
        out[i] = fixed
    return out


def _measure(geoms: np.ndarray, dims: np.ndarray) -> np.ndarray:
    """Length of lines, area of polygons (metres, m²)."""
    return np.where(dims >= 2, shapely.area(geoms), shapely.length(geoms))


# =========================================================================== results


@dataclass(frozen=True)
class PointClassification:
    """Outcome of :meth:`KawasanIndex.classify_xy`, one entry per point.

    ``status``: int8 codes :data:`DALAM`, :data:`SEBAGIAN`, :data:`BATAS`, :data:`LUAR`
    (the order of :data:`kumuhgis.core.vocabulary.KOLABORASI_STATUSES`; never ``SEBAGIAN``
    for a point; :data:`TANPA_GEOMETRI` for NaN coordinates). ``kawasan``: index of the containing
    kawasan (the lowest index when kawasan overlap), else the nearest one when distances
    were computed, else -1. ``jarak_m``: 0 inside, the distance to the nearest kawasan
    outside (NaN for points beyond the tolerance when ``distances="near"``).
    ``contained``: index of the lowest-index kawasan whose interior strictly contains the
    point (what ``geopandas.sjoin(predicate="within")`` finds), else -1.
    """

    status: np.ndarray
    kawasan: np.ndarray
    jarak_m: np.ndarray
    contained: np.ndarray


@dataclass(frozen=True)
class GeometryClassification:
    """Outcome of :meth:`KawasanIndex.classify_geometries`, one entry per feature.

    As :class:`PointClassification` plus ``porsi_dalam`` (share inside, 0–1) and
    ``inside`` (the part of each ``sebagian`` feature inside the delineation, the whole
    feature when ``dalam``, else None; in the index's CRS).
    """

    status: np.ndarray
    porsi_dalam: np.ndarray
    jarak_m: np.ndarray
    kawasan: np.ndarray
    inside: np.ndarray


_PREPARE_AFTER = 8  # point tests against one polygon before preparing it pays off
_FINE_CELLS_PER_SIDE = 10.5  # the fine point grid: 3 × finer than the coarse grid's 3.5


# =========================================================================== the index


class KawasanIndex:
    """A delineation (or any polygon layer) prepared for fast classification (domain.md §7).

    Build it once with :meth:`from_frame`; it keeps the polygons in a metric CRS, valid and
    in an :class:`shapely.STRtree`; polygons are prepared (:func:`shapely.prepare`) when
    first tested often enough, and the point grid of each search radius is built on first
    use (or by :meth:`prepare`) and cached.

    Parameters
    ----------
    polygons
        Polygonal geometries in ``crs`` (missing or empty ones never match).
    crs
        A projected CRS in metres.
    kode
        Labels of the polygons (e.g. ``kode_kawasan``), default ``0..n-1``.
    validate
        Repair invalid polygons (``make_valid``, keeping the polygonal part) — overlays need
        valid input. ``False`` skips the check for polygons known to be valid.
    """

    def __init__(
        self, polygons: Iterable, *, crs, kode: Iterable | None = None, validate: bool = True
    ):
        self.crs = CRS.from_user_input(crs)
        if not self.crs.is_projected:
            raise CRSError(
                "KawasanIndex butuh CRS metrik (UTM); gunakan KawasanIndex.from_frame / "
                "KawasanIndex needs a metric CRS (UTM); use KawasanIndex.from_frame"
            )
        arr = (
            polygons
            if isinstance(polygons, np.ndarray)
            else np.asarray(list(polygons), dtype=object)
        )
        geoms = np.asarray(arr, dtype=object)
        geoms = _polygonal(geoms) if validate else geoms
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        self.polygons = np.where(present, geoms, None)
        self.n = len(geoms)
        self.kode = np.asarray(list(kode) if kode is not None else range(self.n), dtype=object)
        if len(self.kode) != self.n:
            raise UsageError("kode dan poligon berbeda jumlah / kode and polygons differ in length")
        # polygons are prepared lazily, only those tested often enough to pay for it
        self._prepared = np.zeros(self.n, dtype=bool)
        self.tree = shapely.STRtree(self.polygons)
        self.bounds = shapely.bounds(self.polygons)
        self._grids: dict[float, PointGrid] = {}
        self._fine: dict[float, PointGrid | None] = {}

    def __repr__(self) -> str:
        return f"KawasanIndex({self.n} polygons, {self.crs.name})"

    @classmethod
    def from_frame(
        cls,
        frame: gpd.GeoDataFrame | gpd.GeoSeries,
        *,
        kode_column: str | None = "kode_kawasan",
        crs=None,
    ) -> KawasanIndex:
        """Index a polygon layer, reprojected to ``crs`` (default :func:`metric_crs`)."""
        series = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
        target = CRS.from_user_input(crs) if crs is not None else metric_crs(series)
        geoms = geometry_array(series, target)
        kode = None
        if isinstance(frame, gpd.GeoDataFrame) and kode_column and kode_column in frame.columns:
            kode = frame[kode_column].astype(str).to_numpy(dtype=object)
        return cls(geoms, crs=target, kode=kode)

    def _prepare(self, wanted: np.ndarray) -> None:
        """Prepare the polygons flagged in ``wanted`` (once each)."""
        todo = np.flatnonzero(wanted & ~self._prepared & ~shapely.is_missing(self.polygons))
        if len(todo):
            shapely.prepare(self.polygons[todo])
            self._prepared[todo] = True

    def grid(self, reach: float) -> PointGrid:
        """The point grid for the search radius ``reach`` in metres (built once, cached)."""
        key = round(float(reach), 6)
        if key not in self._grids:
            self._grids[key] = build_grid(self.polygons, key)
        return self._grids[key]

    def fine_grid(self, reach: float) -> PointGrid | None:
        """A grid three times finer than :meth:`grid` (:data:`_FINE_CELLS_PER_SIDE`) whose
        cells list :meth:`grid`'s boundary pieces (``build_grid(..., within=...)``): fewer
        points fall in its mixed cells and each tests fewer candidates and pieces, with
        the same results. ``None`` when it would be no finer (the cell is at its minimum,
        ``4 × reach``). Built once, cached."""
        key = round(float(reach), 6)
        if key not in self._fine:
            coarse = self.grid(key)
            fine = None
            if coarse.pieces_xy is not None:
                fine = build_grid(
                    self.polygons, key, cells_per_side=_FINE_CELLS_PER_SIDE, within=coarse
                )
            self._fine[key] = fine if fine is not None and fine.cell < 0.75 * coarse.cell else None
        return self._fine[key]

    def prepare(
        self, *, tolerance_m: float = DEFAULT_TOLERANCE_M, boundary_m: float = BOUNDARY_M
    ) -> KawasanIndex:
        """Build the point grid :meth:`classify_xy` uses for this tolerance now (it is
        otherwise built on the first call); returns the index."""
        self.fine_grid(max(check_tolerance(tolerance_m), float(boundary_m)) + 1e-3)
        return self

    # ------------------------------------------------------------------ points

    def classify_xy(
        self,
        x,
        y,
        *,
        crs=None,
        tolerance_m: float = DEFAULT_TOLERANCE_M,
        boundary_m: float = BOUNDARY_M,
        distances: str = "all",
        chunk_size: int = _CHUNK,
    ) -> PointClassification:
        """Classify points given as coordinate arrays (domain.md §7).

        For a point at distance ``d`` from the nearest kawasan (``d = 0`` inside):
        ``dalam`` if ``d ≤ boundary_m`` (inside, or on a boundary within 1 cm);
        ``batas`` if ``boundary_m < d ≤ tolerance_m``; ``luar`` otherwise.

        No geometry object is made per point: a point takes its grid cell's label by integer
        arithmetic (cells wholly inside one kawasan, or with no kawasan within the
        tolerance, are decided there); points in mixed cells are tested with the vectorised
        :func:`shapely.contains_xy` against the cell's candidate kawasan, and those
        still outside get their exact distance to the cell's boundary pieces by array
        arithmetic. Only ``distances="all"`` makes point objects, for the points beyond
        the tolerance (:meth:`shapely.STRtree.query_nearest`).

        Parameters
        ----------
        x, y
            Coordinates (array-likes of floats) in ``crs``.
        crs
            CRS of ``x``/``y``; default the index's metric CRS. Other CRSs are transformed
            with one vectorised :class:`pyproj.Transformer` call per chunk.
        tolerance_m
            Width of the ``batas`` band in metres (≥ 0).
        boundary_m
            Distance within which a point counts as on the boundary, hence inside.
        distances
            ``"all"``: the distance and nearest kawasan of every outside point;
            ``"near"``: only within the tolerance (beyond: NaN and -1), the fast path for
            millions of points.
        chunk_size
            Points per batch (bounds the memory of temporaries).
        """
        if distances not in ("all", "near"):
            raise UsageError(
                "distances harus 'all' atau 'near' / distances must be 'all' or 'near'"
            )
        tolerance_m, boundary_m = check_tolerance(tolerance_m), float(boundary_m)
        xs = np.asarray(x, dtype=np.float64).ravel()
        ys = np.asarray(y, dtype=np.float64).ravel()
        if xs.shape != ys.shape:
            raise UsageError("x dan y berbeda panjang / x and y differ in length")
        n = len(xs)
        status = np.full(n, LUAR, dtype=np.int8)
        kawasan = np.full(n, -1, dtype=np.int64)
        jarak = np.full(n, np.nan)
        contained = np.full(n, -1, dtype=np.int64)
        transform = None
        if crs is not None and not CRS.from_user_input(crs).equals(self.crs):
            transform = Transformer.from_crs(
                CRS.from_user_input(crs), self.crs, always_xy=True
            ).transform
        reach = max(tolerance_m, boundary_m) + 1e-3
        grid = self.fine_grid(reach) or self.grid(reach)
        for s in range(0, n, chunk_size):
            e = min(n, s + chunk_size)
            cx, cy = xs[s:e], ys[s:e]
            if transform is not None:
                cx, cy = (np.asarray(v, dtype=np.float64) for v in transform(cx, cy))
            self._classify_chunk(
                grid, cx, cy, tolerance_m, boundary_m, distances,
                status[s:e], kawasan[s:e], jarak[s:e], contained[s:e],
            )  # fmt: skip
        return PointClassification(
            status=status, kawasan=kawasan, jarak_m=jarak, contained=contained
        )

    def _classify_chunk(
        self, grid, x, y, tol, boundary, distances, status, kawasan, jarak, contained
    ):
        n = self.n
        code = grid.codes(x, y)
        whole = (code >= 0) & (code < n)
        # masked copies, not masked indexing: no compaction of the (many) whole-cell points
        np.copyto(status, DALAM, where=whole)
        np.copyto(kawasan, code, where=whole)
        np.copyto(jarak, 0.0, where=whole)
        np.copyto(contained, code, where=whole)
        mixed = np.flatnonzero(code >= n)
        if len(mixed):
            m = code[mixed] - n
            pos, owner = run_positions(grid.cand_ptr[m], grid.cand_ptr[m + 1] - grid.cand_ptr[m])
            cand = grid.cand[pos]
            pt = mixed[owner]
            self._prepare(np.bincount(cand, minlength=self.n) >= _PREPARE_AFTER)
            # one polygon after the other: its prepared point locator stays in cache
            by_poly = np.argsort(cand)
            inside = np.empty(len(cand), dtype=bool)
            inside[by_poly] = shapely.contains_xy(
                self.polygons[cand[by_poly]], x[pt[by_poly]], y[pt[by_poly]]
            )
            # pairs are ordered by point, then kawasan ascending: the first hit is the lowest
            ins_pt, first = first_of_runs(pt[inside])
            ins_k = cand[inside][first]
            status[ins_pt], kawasan[ins_pt], jarak[ins_pt], contained[ins_pt] = (
                DALAM,
                ins_k,
                0.0,
                ins_k,
            )
            keep = np.ones(len(mixed), dtype=bool)
            keep[np.searchsorted(mixed, ins_pt)] = False
            rest, mr = mixed[keep], m[keep]
            counts = grid.piece_ptr[mr + 1] - grid.piece_ptr[mr]
            has = counts > 0
            rest, mr, counts = rest[has], mr[has], counts[has]
            if len(rest):
                pos, owner = run_positions(grid.piece_ptr[mr], counts)
                d2 = grid.segment_distance2(x[rest][owner], y[rest][owner], pos)
                start = np.cumsum(counts) - counts
                d2min = np.minimum.reduceat(d2, start)
                is_min = d2 == d2min[owner]
                first_min = first_of_runs(owner[is_min])[1]
                kmin = grid.piece_poly[grid.piece[pos[is_min][first_min]]]
                dmin = np.sqrt(d2min)
                # exact: any boundary point within reach of the point was marked into its cell
                on_edge = dmin <= boundary
                in_band = ~on_edge & (dmin <= tol)
                for mask, code_ in ((on_edge, DALAM), (in_band, BATAS)):
                    idx = rest[mask]
                    status[idx], kawasan[idx], jarak[idx] = code_, kmin[mask], dmin[mask]
                jarak[rest[on_edge]] = 0.0
        nan = np.isnan(x)
        nan |= np.isnan(y)
        np.copyto(status, TANPA_GEOMETRI, where=nan)
        if distances == "all" and self.n:
            far = np.flatnonzero(status == LUAR)
            if len(far):
                idx, dist = self.tree.query_nearest(
                    shapely.points(x[far], y[far]), return_distance=True, all_matches=False
                )
                kawasan[far[idx[0]]] = idx[1]
                jarak[far[idx[0]]] = dist

    # ------------------------------------------------------------------ lines and polygons

    def classify_geometries(
        self,
        geoms,
        *,
        crs=None,
        tolerance_m: float = DEFAULT_TOLERANCE_M,
        boundary_m: float = BOUNDARY_M,
        distances: str = "all",
    ) -> GeometryClassification:
        """Classify points, lines and polygons against the union of all kawasan (§7).

        Points go through :meth:`classify_xy`. For a line or polygon ``g`` with measure
        ``|g|`` (length, or area), ``K`` the kawasan within ``boundary_m`` of it and
        ``U = ∪K``:

        1. containment first: ``dalam`` when one kawasan covers ``g`` (a prepared
           ``covers`` test on the envelope candidates, no overlay), ``porsi_dalam = 1``;
        2. otherwise ``porsi_dalam = |g ∩ U| / |g|`` (one overlay per candidate; the union of
           the parts when there are several, so overlapping kawasan never count twice);
           ``dalam`` when it is 1 (e.g. a line through two adjacent kawasan) or when ``g``
           lies within ``U`` grown by ``boundary_m`` (the 1 cm rule; tested exactly only
           when every vertex of ``g`` is within 1 cm); ``sebagian`` when it is above 10⁻⁶;
        3. otherwise ``jarak_m`` = distance to the nearest kawasan; ``batas`` when it is at
           most ``tolerance_m``, else ``luar``.

        A multipoint counts its points: ``porsi_dalam`` = share of its points inside.

        Parameters
        ----------
        geoms
            A GeoSeries (any CRS), or an array of shapely geometries in ``crs``
            (default: the index's CRS).
        distances
            ``"all"``: the distance to the nearest kawasan of every outside feature;
            ``"near"``: only within the tolerance (beyond: NaN), as in :meth:`classify_xy`.
        """
        if distances not in ("all", "near"):
            raise UsageError(
                "distances harus 'all' atau 'near' / distances must be 'all' or 'near'"
            )
        tolerance_m, boundary_m = check_tolerance(tolerance_m), float(boundary_m)
        if isinstance(geoms, gpd.GeoDataFrame):
            geoms = geoms.geometry
        if isinstance(geoms, gpd.GeoSeries):
            g = geometry_array(geoms, self.crs)
        else:
            g = np.asarray(geoms, dtype=object)
            if crs is not None and not CRS.from_user_input(crs).equals(self.crs):
                g = geometry_array(gpd.GeoSeries(g, crs=crs), self.crs)
        n = len(g)
        status = np.full(n, LUAR, dtype=np.int8)
        porsi = np.zeros(n)
        jarak = np.full(n, np.nan)
        kawasan = np.full(n, -1, dtype=np.int64)
        inside = np.full(n, None, dtype=object)
        missing = shapely.is_missing(g) | shapely.is_empty(g)
        status[missing] = TANPA_GEOMETRI
        porsi[missing] = np.nan
        types = shapely.get_type_id(g)
        pts = np.flatnonzero(~missing & (types == _POINT))
        if len(pts):
            xy = shapely.get_coordinates(g[pts])
            res = self.classify_xy(
                xy[:, 0],
                xy[:, 1],
                tolerance_m=tolerance_m,
                boundary_m=boundary_m,
                distances=distances,
            )
            status[pts], kawasan[pts], jarak[pts] = res.status, res.kawasan, res.jarak_m
            porsi[pts] = (res.status == DALAM).astype(float)
            inside[pts] = np.where(res.status == DALAM, g[pts], None)
        for i in np.flatnonzero(~missing & (types == _MULTIPOINT)):
            self._classify_multipoint(
                g, i, tolerance_m, boundary_m, status, porsi, jarak, kawasan, inside
            )
        other = np.flatnonzero(~missing & (types != _POINT) & (types != _MULTIPOINT))
        if len(other) and self.n:
            self._classify_shapes(
                g, other, tolerance_m, boundary_m, distances, status, porsi, jarak, kawasan, inside
            )
        return GeometryClassification(
            status=status, porsi_dalam=porsi, jarak_m=jarak, kawasan=kawasan, inside=inside
        )

    def _classify_multipoint(self, g, i, tol, boundary, status, porsi, jarak, kawasan, inside):
        xy = shapely.get_coordinates(g[i])
        res = self.classify_xy(xy[:, 0], xy[:, 1], tolerance_m=tol, boundary_m=boundary)
        hit = res.status == DALAM
        share = float(hit.mean())
        porsi[i] = share
        if share > 0:
            status[i], jarak[i] = (DALAM if share == 1.0 else SEBAGIAN), 0.0
            inside[i] = g[i] if share == 1.0 else shapely.multipoints(xy[hit])
            kawasan[i] = int(np.bincount(res.kawasan[hit]).argmax())
        elif np.isfinite(res.jarak_m).any():
            j = int(np.nanargmin(res.jarak_m))
            status[i] = BATAS if res.jarak_m[j] <= tol else LUAR
            jarak[i], kawasan[i] = res.jarak_m[j], res.kawasan[j]

    def _classify_shapes(
        self, g, other, tol, boundary, distances, status, porsi, jarak, kawasan, inside
    ):
        sub = g[other]
        qi, ki = self.tree.query(sub)  # envelope pairs only: cheap; ordered by feature
        if len(qi) > 1 and np.any(qi[1:] <= qi[:-1]):  # several candidates: lowest kawasan first
            order = np.lexsort((ki, qi))
            qi, ki = qi[order], ki[order]
        self._prepare(np.bincount(ki, minlength=self.n) > 0)
        # 1. containment first: one kawasan covers the feature → dalam, no overlay; only a
        #    kawasan whose envelope holds the feature's envelope can cover it
        fb, pb = shapely.bounds(sub)[qi], self.bounds[ki]
        boxed = np.flatnonzero(
            (pb[:, 0] <= fb[:, 0])
            & (pb[:, 1] <= fb[:, 1])
            & (pb[:, 2] >= fb[:, 2])
            & (pb[:, 3] >= fb[:, 3])
        )
        cov = np.zeros(len(qi), dtype=bool)
        cov[boxed] = _by_polygon(shapely.covers, self.polygons, ki[boxed], sub, qi[boxed])
        cov_q, first = first_of_runs(qi[cov])
        o = other[cov_q]
        status[o], porsi[o], jarak[o], kawasan[o], inside[o] = DALAM, 1.0, 0.0, ki[cov][first], g[o]
        rest = ~np.isin(qi, cov_q)
        qi, ki = qi[rest], ki[rest]
        hit = _by_polygon(shapely.intersects, self.polygons, ki, sub, qi)
        qi, ki = qi[hit], ki[hit]
        # 2. features crossing a boundary: overlay with each candidate
        if len(qi):
            dims = shapely.get_dimensions(sub[qi])
            parts = shapely.intersection(self.polygons[ki], sub[qi])
            m = _measure(parts, dims)
            feats, start, count = np.unique(qi, return_index=True, return_counts=True)
            got = np.add.reduceat(m, start)
            positive = np.add.reduceat((m > 0).astype(np.int64), start)
            # several kawasan: against their union, never twice
            for j in np.flatnonzero(positive > 1):
                sl = slice(start[j], start[j] + count[j])
                whole = shapely.intersection(
                    sub[feats[j]], shapely.union_all(self.polygons[ki[sl]])
                )
                got[j] = _measure(np.array([whole]), dims[sl][:1])[0]
            total = _measure(sub[feats], shapely.get_dimensions(sub[feats]))
            share = np.minimum(
                np.divide(got, total, out=np.zeros(len(feats)), where=total > 0), 1.0
            )
            best = np.lexsort((ki, -m, qi))  # the kawasan holding the largest part
            best = best[np.unique(qi[best], return_index=True)[1]]
            full = share >= 1.0 - 1e-9  # e.g. a line through two adjacent kawasan
            maybe = np.flatnonzero(~full)
            if len(maybe):
                full[maybe] = self._covered_grown(sub, feats[maybe], qi, ki, boundary)
            o = other[feats[full]]
            status[o], porsi[o], jarak[o], inside[o] = DALAM, 1.0, 0.0, g[o]
            kawasan[o] = ki[best[full]]
            part = ~full & (share > _SHARE_EPS)
            o = other[feats[part]]
            status[o], porsi[o], jarak[o] = SEBAGIAN, share[part], 0.0
            kawasan[o] = ki[best[part]]
            for j in np.flatnonzero(part):
                sl = slice(start[j], start[j] + count[j])
                pieces = parts[sl][m[sl] > 0]
                inside[other[feats[j]]] = (
                    pieces[0] if len(pieces) == 1 else shapely.union_all(pieces)
                )
        # 3. outside (or only touching): distance to the nearest kawasan within the tolerance
        out = np.flatnonzero(status[other] == LUAR)
        if len(out):
            qo, ko = self.tree.query(sub[out], predicate="dwithin", distance=max(tol, boundary))
            if len(qo):
                order = np.lexsort((ko, qo))
                qo, ko = qo[order], ko[order]
                d = shapely.distance(self.polygons[ko], sub[out][qo])
                feats, start = np.unique(qo, return_index=True)
                dmin = np.minimum.reduceat(d, start)
                is_min = d == dmin[np.searchsorted(feats, qo)]
                kmin = ko[is_min][np.unique(qo[is_min], return_index=True)[1]]
                o = other[out[feats]]
                jarak[o], kawasan[o] = dmin, kmin
                status[o] = np.where(dmin <= tol, BATAS, LUAR)
                edge = np.flatnonzero(dmin <= boundary)
                if len(edge):
                    near = d <= boundary
                    ok = self._covered_grown(sub[out], feats[edge], qo[near], ko[near], boundary)
                    o = other[out[feats[edge[ok]]]]
                    status[o], porsi[o], jarak[o], inside[o] = DALAM, 1.0, 0.0, g[o]
            far = np.flatnonzero(status[other] == LUAR)
            far = far[np.isnan(jarak[other[far]])]
            if distances == "all" and len(far):
                idx, dist = self.tree.query_nearest(
                    sub[far], return_distance=True, all_matches=False
                )
                o = other[far[idx[0]]]
                kawasan[o], jarak[o] = idx[1], dist

    def _covered_grown(self, geoms, feats, pair_q, pair_k, boundary) -> np.ndarray:
        """Whether each ``geoms[feats[j]]`` lies within the union of its candidate kawasan
        (``pair_k`` where ``pair_q == feats[j]``, pairs sorted by ``pair_q``) grown by
        ``boundary`` — the 1 cm rule. The exact test (a buffer and a ``covers``) runs only
        for features whose every vertex is within ``boundary`` of a candidate."""
        out = np.zeros(len(feats), dtype=bool)
        sel = np.isin(pair_q, feats)
        pq, pk = pair_q[sel], pair_k[sel]
        if not len(pq):
            return out
        local = np.searchsorted(feats, pq)
        cnt = np.bincount(local, minlength=len(feats))
        first = np.cumsum(cnt) - cnt
        xy, owner = shapely.get_coordinates(geoms[feats], return_index=True)
        pos, vertex = run_positions(first[owner], cnt[owner])
        # a vertex inside a candidate is fine (array test); the others need their distance
        near = shapely.contains_xy(self.polygons[pk[pos]], xy[vertex, 0], xy[vertex, 1])
        vertex_ok = np.bincount(vertex, weights=near, minlength=len(xy)) > 0
        check = ~vertex_ok[vertex]
        if check.any():
            near_edge = shapely.dwithin(
                self.polygons[pk[pos[check]]], shapely.points(xy[vertex[check]]), boundary
            )
            vertex_ok |= np.bincount(vertex[check], weights=near_edge, minlength=len(xy)) > 0
        bad = np.bincount(owner, weights=~vertex_ok, minlength=len(feats))
        for j in np.flatnonzero((bad == 0) & (cnt > 0)):
            cands = self.polygons[pk[first[j] : first[j] + cnt[j]]]
            grown = shapely.buffer(shapely.union_all(cands), boundary)
            out[j] = bool(shapely.covers(grown, geoms[feats[j]]))
        return out

    def shares(self, geoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """How each geometry splits across the polygons it crosses (domain.md §5).

        A point goes whole (share 1) to the polygon holding it (:meth:`locate`: the one
        with the lowest index on a shared edge). A line or polygon goes to every polygon
        it crosses in proportion to its length or area inside each,
        ``share_p = |g ∩ P_p| / Σ_q |g ∩ P_q|``, so the shares of a geometry add up to 1
        whenever any part of it lies in a polygon; one that only touches polygons goes
        whole to the polygon holding its representative point. One overlay per
        (geometry, candidate) pair, vectorised.

        Returns
        -------
        (geometry index, polygon index, share)
            Three aligned arrays, sorted by geometry then polygon; geometries in no polygon
            are absent.
        """
        g = np.asarray(geoms, dtype=object)
        ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
        types = shapely.get_type_id(g)
        q_out, p_out, w_out = [], [], []
        pts = np.flatnonzero(ok & (types == _POINT))
        rest = np.flatnonzero(ok & (types != _POINT))
        loose = pts
        if len(rest) and self.n:
            qi, pi = self.tree.query(g[rest], predicate="intersects")
            dims = shapely.get_dimensions(g[rest][qi])
            m = _measure(shapely.intersection(self.polygons[pi], g[rest][qi]), dims)
            total = np.bincount(qi, weights=m, minlength=len(rest))
            keep = m > 0
            q_out.append(rest[qi[keep]])
            p_out.append(pi[keep])
            w_out.append(m[keep] / total[qi[keep]])
            loose = np.concatenate([pts, rest[total <= 0]])
        if len(loose):
            where = self.locate(
                np.where(types[loose] == _POINT, g[loose], shapely.point_on_surface(g[loose]))
            )
            hit = where >= 0
            q_out.append(loose[hit])
            p_out.append(where[hit])
            w_out.append(np.ones(int(hit.sum())))
        if not q_out:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        q, p, w = (np.concatenate(a) for a in (q_out, p_out, w_out))
        order = np.lexsort((p, q))
        return q[order].astype(np.int64), p[order].astype(np.int64), w[order]

    def locate(self, geoms) -> np.ndarray:
        """Index of the polygon holding the largest part of each geometry (in the index's
        CRS), -1 when none: a point's containing polygon (or one within
        :data:`BOUNDARY_M`); for a line or polygon the one with the longest or largest
        intersection (ties: the lowest index), else the one its representative point lies in."""
        g = np.asarray(geoms, dtype=object)
        out = np.full(len(g), -1, dtype=np.int64)
        ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
        if not ok.any() or not self.n:
            return out
        types = shapely.get_type_id(g)
        pts = np.flatnonzero(ok & (types == _POINT))
        if len(pts):
            xy = shapely.get_coordinates(g[pts])
            res = self.classify_xy(xy[:, 0], xy[:, 1], tolerance_m=0.0, distances="near")
            out[pts] = np.where(res.status == DALAM, res.kawasan, -1)
        rest = np.flatnonzero(ok & (types != _POINT))
        if len(rest):
            qi, pi = self.tree.query(g[rest], predicate="intersects")
            single = np.bincount(qi, minlength=len(rest)) == 1
            one = single[qi]
            out[rest[qi[one]]] = pi[one]
            many = ~one
            if many.any():
                q, p = qi[many], pi[many]
                dims = shapely.get_dimensions(g[rest][q])
                m = _measure(shapely.intersection(self.polygons[p], g[rest][q]), dims)
                best = np.lexsort((p, -m, q))
                best = best[np.unique(q[best], return_index=True)[1]]
                chosen = m[best] > 0
                out[rest[q[best][chosen]]] = p[best][chosen]
                unresolved = q[best][~chosen]
                if len(unresolved):
                    out[rest[unresolved]] = self.locate(
                        shapely.point_on_surface(g[rest][unresolved])
                    )
        return out


def _by_polygon(
    predicate, polygons: np.ndarray, k: np.ndarray, geoms: np.ndarray, q: np.ndarray
) -> np.ndarray:
    """``predicate(polygons[k], geoms[q])`` elementwise, evaluated one polygon after the other
    (a prepared polygon's index stays in cache: about twice as fast as in pair order)."""
    order = np.argsort(k, kind="stable")
    out = np.empty(len(k), dtype=bool)
    out[order] = predicate(polygons[k[order]], geoms[q[order]])
    return out


def check_tolerance(tolerance_m) -> float:
    """A ``batas`` tolerance in metres, checked (a number ≥ 0)."""
    try:
        tol = float(tolerance_m)
    except (TypeError, ValueError):
        tol = float("nan")
    if not np.isfinite(tol) or tol < 0:
        raise UsageError(
            f"Toleransi harus angka ≥ 0 meter, bukan {tolerance_m!r} / tolerance must be a number ≥ 0 metres"
        )
    return tol
