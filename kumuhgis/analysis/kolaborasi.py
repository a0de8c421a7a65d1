"""Collaboration work inside or outside the slum delineation (domain.md §7).

The Korkot's question is where each kolaborasi lies against the delineation of the SK
version in force in the work's year:

* ``dalam`` — entirely inside the union of all kawasan (a line running through two
  adjacent kawasan is entirely inside); a point on a boundary, or within
  :data:`BOUNDARY_M` (1 cm, to absorb reprojection rounding), counts as inside;
* ``sebagian`` — a line or polygon partly inside; ``porsi_dalam`` is the share inside by
  length (lines) or area (polygons);
* ``batas`` — outside, but within the tolerance (**configurable**, default 10 m);
* ``luar`` — outside; ``jarak_m`` is the distance to the nearest kawasan.

All distances are measured in metres in a metric CRS: the layer's own CRS when it is
projected in metres, otherwise the SRGI2013 UTM zone of the delineation's centre
(:func:`kumuhgis.geo.crs.srgi2013_utm_epsg`); never in degrees.

Speed
-----
:class:`KawasanIndex` is built once on the delineation side (per SK version). Points are
classified from coordinate arrays without one Python object per point on the hot path: a
block-sparse uniform grid, rasterised from the polygons' vertex arrays, labels every cell
*inside* one kawasan, *empty* (no kawasan within the tolerance) or *mixed* (with its
candidate kawasan and the boundary pieces within reach); a point takes its cell's label by
integer arithmetic; points in mixed cells are tested with the vectorised
:func:`shapely.contains_xy` on prepared polygons (one polygon after the other) and, when
outside, get their exact distance to the cell's boundary pieces by array arithmetic. Lines
and polygons decide containment first (a prepared ``covers`` test on the envelope
candidates) and compute an intersection only for the features that cross a boundary.
``benchmarks/bench_kolaborasi.py`` compares both with the plain geopandas way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from kumuhgis.core.errors import CRSError, UsageError
from kumuhgis.core.sk import sk_in_force
from kumuhgis.core.vocabulary import KOLABORASI_STATUSES as STATUSES
from kumuhgis.core.vocabulary import work_kriteria
from kumuhgis.geo.crs import metric_crs

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
    "KawasanIndex",
    "PointClassification",
    "GeometryClassification",
    "tolerance_from_settings",
    "check_tolerance",
    "classify_kolaborasi",
    "kolaborasi_in_rt",
    "overrides_in_force",
    "korkot_list",
    "summarize",
    "write_kolaborasi",
]

#: Status names, by their integer code (domain.md §7).
DALAM, SEBAGIAN, BATAS, LUAR = 0, 1, 2, 3
#: Code of a feature without geometry (or with NaN coordinates).
TANPA_GEOMETRI = -1
#: A point (or the part of a line/polygon) this close to a kawasan counts as inside.
BOUNDARY_M = 0.01
#: Default tolerance of the ``batas`` status (domain.md §7, configurable).
DEFAULT_TOLERANCE_M = 10.0
#: Project settings key: ``kolaborasi: {toleransi_m: 10}``.
SETTINGS_KEY = "kolaborasi"
#: Project table of the Korkot's overrides (append-only history; the latest row wins).
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
_SHARE_EPS = 1e-6  # a share inside below this is a touch, not a part (rounding of overlays)
_CHUNK = 1 << 20
_POINT = shapely.GeometryType.POINT
_MULTIPOINT = shapely.GeometryType.MULTIPOINT
_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def _to_crs(series: gpd.GeoSeries, crs: CRS) -> np.ndarray:
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

    ``status``: int8 codes of :data:`STATUSES` (never ``SEBAGIAN`` for a point;
    :data:`TANPA_GEOMETRI` for NaN coordinates). ``kawasan``: index of the containing
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


_B_SHIFT = 5  # grid blocks of 32 × 32 cells
_B_MASK = (1 << _B_SHIFT) - 1
_PREPARE_AFTER = 8  # point tests against one polygon before preparing it pays off
_CELLS_PER_SIDE = 3.5  # grid cell ≈ median kawasan size / 3.5
_MAX_CELLS = 30_000_000  # interior cells the grid may hold


@dataclass
class _Grid:
    """A block-sparse uniform grid over a polygon layer, for one search radius.

    Each cell holds a code: -1 empty (no polygon within the radius of any of its points),
    ``k < n`` wholly inside polygon ``k`` (and no other polygon near), ``n + m`` mixed
    cell ``m`` with its candidate polygons (``cand``) and the boundary pieces within the
    radius (``piece``) in CSR form. Pieces are boundary segments cut to at most
    ``cell − 2 × radius``; ``seg_*`` hold them in list order (contiguous per cell),
    ``piece_poly`` their polygon.
    """

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    n: int
    nbx: int
    coarse: np.ndarray
    pool: np.ndarray
    cand_ptr: np.ndarray
    cand: np.ndarray
    piece_ptr: np.ndarray
    piece: np.ndarray
    seg_ax: np.ndarray  # piece start, direction and 1/length², in the cells' list order
    seg_ay: np.ndarray
    seg_dx: np.ndarray
    seg_dy: np.ndarray
    seg_il2: np.ndarray
    piece_poly: np.ndarray  # polygon of each piece (by piece number)

    def codes(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The cell code of every point (-1 outside the grid or for NaN coordinates).

        Points outside the grid are sent to cell (0, 0), which lies in the grid's empty
        margin; an empty block points at slot 0 of the pool, which is all -1."""
        fx = np.floor((x - self.x0) / self.cell)
        fy = np.floor((y - self.y0) / self.cell)
        ok = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        ix = np.where(ok, fx, 0).astype(np.int64)
        iy = np.where(ok, fy, 0).astype(np.int64)
        slot = self.coarse[(iy >> _B_SHIFT) * self.nbx + (ix >> _B_SHIFT)].astype(np.int64)
        return self.pool[
            (slot << (2 * _B_SHIFT)) | ((iy & _B_MASK) << _B_SHIFT) | (ix & _B_MASK)
        ].astype(np.int64)

    def segment_distance2(self, px: np.ndarray, py: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """Squared Euclidean distance from each point to the boundary piece at position
        ``pos`` of the cells' piece lists: ``t = clamp(((p − a)·d) / |d|², 0, 1)``,
        ``|p − a − t d|²``."""
        ux = px - self.seg_ax[pos]
        uy = py - self.seg_ay[pos]
        dx, dy = self.seg_dx[pos], self.seg_dy[pos]
        t = ux * dx
        t += uy * dy
        t *= self.seg_il2[pos]
        np.clip(t, 0.0, 1.0, out=t)
        ux -= t * dx
        uy -= t * dy
        ux *= ux
        uy *= uy
        ux += uy
        return ux


def _first_of_runs(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True)`` for values already sorted (no second sort)."""
    if len(sorted_values) == 0:
        return sorted_values, np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    return sorted_values[first], first


def _ranges(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``starts[i] .. starts[i]+counts[i]-1`` concatenated, and the ``i`` of each."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    offsets = np.cumsum(counts) - counts
    pos = np.repeat(np.asarray(starts, dtype=np.int64) - offsets, counts) + np.arange(
        int(counts.sum())
    )
    return pos, owner


def _empty_grid(n: int) -> _Grid:
    z = np.zeros(0, dtype=np.int64)
    zf = np.zeros(0)
    return _Grid(0.0, 0.0, 1.0, 1, 1, n, 1, np.zeros(1, np.int32), np.full(1 << (2 * _B_SHIFT), -1, np.int32),
                 np.zeros(1, np.int64), z, np.zeros(1, np.int64), z, zf, zf, zf, zf, zf, z)  # fmt: skip


def _build_grid(polygons: np.ndarray, reach: float) -> _Grid:
    """Rasterise a polygon layer for point queries within ``reach`` (see :class:`_Grid`).

    Everything is array arithmetic on the polygons' vertices, no geometry per cell:

    * boundary pieces (segments cut to length ``L = cell − 2·reach``) mark every cell their
      bounding box grown by ``reach`` touches — a superset of the cells holding a point
      within ``reach`` of the boundary (those become *mixed*);
    * an even–odd scanline through each row of cell centres gives the runs of centres
      inside each polygon; a cell whose centre is inside and that no piece of that polygon
      marks lies wholly in its interior, at least ``reach`` from its boundary.
    """
    n = len(polygons)
    present = np.flatnonzero(~shapely.is_missing(polygons))
    if len(present) == 0:
        return _empty_grid(n)
    b = shapely.bounds(polygons[present])
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    cell = max(4.0 * reach, float(np.median(np.maximum(w, h))) / _CELLS_PER_SIDE, 0.05)
    while float(((w / cell + 2) * (h / cell + 2)).sum()) > _MAX_CELLS:
        cell *= 1.5
    # a margin of two empty cells on every side (cell (0, 0) is always empty)
    x0 = float(b[:, 0].min()) - reach - 2 * cell
    y0 = float(b[:, 1].min()) - reach - 2 * cell
    nx = int((float(b[:, 2].max()) + reach + 2 * cell - x0) // cell) + 2
    ny = int((float(b[:, 3].max()) + reach + 2 * cell - y0) // cell) + 2
    # boundary segments: consecutive vertices of one ring
    geoms = polygons[present]
    simple = bool(
        np.all(shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON)
        and not shapely.get_num_interior_rings(geoms).any()
    )
    if simple:  # one ring per polygon: no ring objects needed
        xy, coord_ring = shapely.get_coordinates(geoms, return_index=True)
        ring_of = np.arange(len(geoms))
    else:
        parts, part_of = shapely.get_parts(geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        ring_of = part_of[ring_part]
        xy, coord_ring = shapely.get_coordinates(rings, return_index=True)
        del parts, rings
    same = coord_ring[1:] == coord_ring[:-1]
    sx0, sy0 = xy[:-1, 0][same], xy[:-1, 1][same]
    sx1, sy1 = xy[1:, 0][same], xy[1:, 1][same]
    spoly = present[ring_of[coord_ring[:-1][same]]]
    del xy, coord_ring, same, geoms
    # pieces of length ≤ L, so that a piece grown by reach spans at most 2 × 2 cells
    limit = (cell - 2.0 * reach) * (
        1.0 - 1e-6
    )  # grown by reach, a piece stays narrower than a cell
    k = np.maximum(1, np.ceil(np.hypot(sx1 - sx0, sy1 - sy0) / limit)).astype(np.int64)
    pos, owner = _ranges(np.zeros(len(k), np.int64), k)
    kk = k[owner]
    t0, t1 = pos / kk, (pos + 1) / kk
    dx, dy = (sx1 - sx0)[owner], (sy1 - sy0)[owner]
    last = pos + 1 == kk
    px0, py0 = sx0[owner] + dx * t0, sy0[owner] + dy * t0
    px1 = np.where(last, sx1[owner], sx0[owner] + dx * t1)
    py1 = np.where(last, sy1[owner], sy0[owner] + dy * t1)
    ppoly = spoly[owner]
    del pos, owner, kk, t0, t1, dx, dy, last
    pad = reach + cell * 1e-9
    gx0 = np.floor((np.minimum(px0, px1) - pad - x0) / cell).astype(np.int64)
    gx1 = np.floor((np.maximum(px0, px1) + pad - x0) / cell).astype(np.int64)
    gy0 = np.floor((np.minimum(py0, py1) - pad - y0) / cell).astype(np.int64)
    gy1 = np.floor((np.maximum(py0, py1) + pad - y0) / cell).astype(np.int64)
    # a piece grown by reach spans at most 2 × 2 cells: its four corner cells, without repeats
    gx1 = np.minimum(gx1, gx0 + 1)
    gy1 = np.minimum(gy1, gy0 + 1)
    wide, tall = gx1 > gx0, gy1 > gy0
    corners = np.stack([gy0 * nx + gx0, gy0 * nx + gx1, gy1 * nx + gx0, gy1 * nx + gx1])
    valid = np.stack([np.ones_like(wide), wide, tall, wide & tall])
    mark_cell = corners[valid]
    mark_piece = np.broadcast_to(np.arange(len(gx0)), corners.shape)[valid]
    del corners, valid, wide, tall, gx0, gx1, gy0, gy1
    mark_key = mark_cell * n + ppoly[mark_piece]
    order = np.argsort(mark_key)
    mark_key, mark_cell, mark_piece = mark_key[order], mark_cell[order], mark_piece[order]
    band_key = mark_key[np.r_[True, mark_key[1:] != mark_key[:-1]]] if len(mark_key) else mark_key
    # scanline interior: rows whose centre yc satisfies lo ≤ yc < hi for each segment
    lo, hi = np.minimum(sy0, sy1), np.maximum(sy0, sy1)
    r0 = np.ceil((lo - y0) / cell - 0.5).astype(np.int64)
    r1 = np.ceil((hi - y0) / cell - 0.5).astype(np.int64) - 1
    loc, seg = _ranges(r0, np.maximum(0, r1 - r0 + 1))
    row = loc
    yc = y0 + (row + 0.5) * cell
    xi = sx0[seg] + (yc - sy0[seg]) * (sx1 - sx0)[seg] / (sy1 - sy0)[seg]
    ip = spoly[seg]
    order = np.lexsort((xi, ip * ny + row))
    xi, row, ip = xi[order], row[order], ip[order]
    a, z = slice(0, None, 2), slice(1, None, 2)
    if len(xi) % 2 or not (np.array_equal(ip[a], ip[z]) and np.array_equal(row[a], row[z])):
        raise CRSError(
            "Poligon tidak sah untuk indeks / invalid polygons for the index"
        )  # pragma: no cover
    c0 = np.ceil((xi[a] - x0) / cell - 0.5).astype(np.int64)
    c1 = np.floor((xi[z] - x0) / cell - 0.5).astype(np.int64)
    loc, iv = _ranges(c0, np.maximum(0, c1 - c0 + 1))
    inner_key = (row[a][iv] * nx + loc) * n + ip[a][iv]
    del loc, iv, xi, row, ip, c0, c1, lo, hi, r0, r1, seg, yc
    if len(band_key):
        at = np.minimum(np.searchsorted(band_key, inner_key), len(band_key) - 1)
        inner_key = inner_key[band_key[at] != inner_key]
    keys = np.concatenate([band_key, inner_key])
    is_inner = np.concatenate([np.zeros(len(band_key), bool), np.ones(len(inner_key), bool)])
    order = np.argsort(keys)
    keys, is_inner = keys[order], is_inner[order]
    rel_cell, rel_poly = keys // n, keys % n
    first = (
        np.flatnonzero(np.r_[True, rel_cell[1:] != rel_cell[:-1]])
        if len(rel_cell)
        else np.zeros(0, np.int64)
    )
    counts = np.diff(np.append(first, len(rel_cell)))
    cells = rel_cell[first]
    pure = (counts == 1) & is_inner[first]
    mixed_cells = cells[~pure]
    code = np.where(pure, rel_poly[first], 0)
    code[~pure] = n + np.arange(len(mixed_cells))
    cand = rel_poly[np.repeat(~pure, counts)]
    cand_ptr = np.concatenate([[0], np.cumsum(counts[~pure])]).astype(np.int64)
    piece_ptr = np.searchsorted(mark_cell, np.append(mixed_cells, np.iinfo(np.int64).max)).astype(
        np.int64
    )
    piece_ptr[-1] = len(mark_cell)
    # block-sparse table of codes; slot 0 is an empty block shared by all empty blocks
    nbx = (nx + _B_MASK) >> _B_SHIFT
    nby = (ny + _B_MASK) >> _B_SHIFT
    ix, iy = cells % nx, cells // nx
    block = (iy >> _B_SHIFT) * nbx + (ix >> _B_SHIFT)
    used = np.zeros(nbx * nby, dtype=bool)
    used[block] = True
    blocks = np.flatnonzero(used)
    slot = np.cumsum(used)[block] - 1
    pool = np.full((len(blocks) + 1) << (2 * _B_SHIFT), -1, dtype=np.int32)
    pool[((slot + 1) << (2 * _B_SHIFT)) | ((iy & _B_MASK) << _B_SHIFT) | (ix & _B_MASK)] = code
    coarse = np.zeros(nbx * nby, dtype=np.int32)
    coarse[blocks] = np.arange(1, len(blocks) + 1, dtype=np.int32)
    # pieces copied in list order, so that a cell's pieces are contiguous in memory
    dx, dy = px1 - px0, py1 - py0
    l2 = dx * dx + dy * dy
    il2 = np.divide(1.0, l2, out=np.zeros_like(l2), where=l2 > 0)
    return _Grid(
        x0, y0, cell, nx, ny, n, nbx, coarse, pool, cand_ptr, np.asarray(cand, dtype=np.int64), piece_ptr,
        np.asarray(mark_piece, dtype=np.int64), px0[mark_piece], py0[mark_piece], dx[mark_piece], dy[mark_piece],
        il2[mark_piece], np.asarray(ppoly, dtype=np.int64),
    )  # fmt: skip


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
        self._grids: dict[float, _Grid] = {}

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
        geoms = _to_crs(series, target)
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

    def grid(self, reach: float) -> _Grid:
        """The point grid for the search radius ``reach`` in metres (built once, cached)."""
        key = round(float(reach), 6)
        if key not in self._grids:
            self._grids[key] = _build_grid(self.polygons, key)
        return self._grids[key]

    def prepare(
        self, *, tolerance_m: float = DEFAULT_TOLERANCE_M, boundary_m: float = BOUNDARY_M
    ) -> KawasanIndex:
        """Build the point grid :meth:`classify_xy` uses for this tolerance now (it is
        otherwise built on the first call); returns the index."""
        self.grid(max(check_tolerance(tolerance_m), float(boundary_m)) + 1e-3)
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
        grid = self.grid(max(tolerance_m, boundary_m) + 1e-3)
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
        k = code[whole]
        status[whole], kawasan[whole], jarak[whole], contained[whole] = DALAM, k, 0.0, k
        mixed = np.flatnonzero(code >= n)
        if len(mixed):
            m = code[mixed] - n
            pos, owner = _ranges(grid.cand_ptr[m], grid.cand_ptr[m + 1] - grid.cand_ptr[m])
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
            ins_pt, first = _first_of_runs(pt[inside])
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
                pos, owner = _ranges(grid.piece_ptr[mr], counts)
                d2 = grid.segment_distance2(x[rest][owner], y[rest][owner], pos)
                start = np.cumsum(counts) - counts
                d2min = np.minimum.reduceat(d2, start)
                is_min = d2 == d2min[owner]
                first_min = _first_of_runs(owner[is_min])[1]
                kmin = grid.piece_poly[grid.piece[pos[is_min][first_min]]]
                dmin = np.sqrt(d2min)
                # exact: any boundary point within reach of the point was marked into its cell
                on_edge = dmin <= boundary
                in_band = ~on_edge & (dmin <= tol)
                for mask, code_ in ((on_edge, DALAM), (in_band, BATAS)):
                    idx = rest[mask]
                    status[idx], kawasan[idx], jarak[idx] = code_, kmin[mask], dmin[mask]
                jarak[rest[on_edge]] = 0.0
        status[np.isnan(x) | np.isnan(y)] = TANPA_GEOMETRI
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
            g = _to_crs(geoms, self.crs)
        else:
            g = np.asarray(geoms, dtype=object)
            if crs is not None and not CRS.from_user_input(crs).equals(self.crs):
                g = _to_crs(gpd.GeoSeries(g, crs=crs), self.crs)
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
        cov_q, first = _first_of_runs(qi[cov])
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
        pos, vertex = _ranges(first[owner], cnt[owner])
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
    tolerance_m = check_tolerance(tolerance_m)
    if kolaborasi.crs is None:
        raise CRSError("Layer kolaborasi tanpa CRS / kolaborasi layer has no CRS")
    out = kolaborasi.copy()
    n = len(out)
    idx = out.index
    status = np.full(n, TANPA_GEOMETRI, dtype=np.int8)
    porsi = np.full(n, np.nan)
    jarak = np.full(n, np.nan)
    kode_kaw = np.full(n, None, dtype=object)
    nama_kaw = np.full(n, None, dtype=object)
    no_sk = np.full(n, None, dtype=object)
    inside_parts = np.full(n, None, dtype=object)
    dl = (
        delineasi[~(delineasi.geometry.isna() | delineasi.geometry.is_empty)]
        if delineasi is not None
        else None
    )
    work_crs = metric_crs(dl) if dl is not None and len(dl) else metric_crs(kolaborasi)
    g = _to_crs(kolaborasi.geometry, work_crs)
    years = (
        pd.to_numeric(out["tahun"], errors="coerce").to_numpy()
        if "tahun" in out.columns
        else np.full(n, np.nan)
    )
    has_sk = sk_kumuh is not None and len(sk_kumuh) > 0
    version_of = np.full(n, None, dtype=object)
    if has_sk:
        cache: dict[int, str | None] = {}
        for i, y in enumerate(years):
            if np.isfinite(y):
                yy = int(y)
                if yy not in cache:
                    cache[yy] = sk_in_force(sk_kumuh, yy)
                version_of[i] = cache[yy]
            else:
                version_of[i] = sk_in_force(sk_kumuh, 9999)
    if dl is not None and len(dl):
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
            if version == "":
                sel = dl
            else:
                codes = set(
                    sk_kumuh.loc[sk_kumuh["no_sk"].astype(str) == version, "kode_kawasan"].astype(
                        str
                    )
                )
                sel = dl[dl["kode_kawasan"].astype(str).isin(codes)]
            index = KawasanIndex.from_frame(sel, crs=work_crs)
            res = index.classify_geometries(g[pos], tolerance_m=tolerance_m, boundary_m=boundary_m)
            status[pos], porsi[pos], jarak[pos], inside_parts[pos] = (
                res.status,
                res.porsi_dalam,
                res.jarak_m,
                res.inside,
            )
            found = res.kawasan >= 0
            kode_kaw[pos[found]] = index.kode[res.kawasan[found]]
            nama_kaw[pos[found]] = [nama_map.get(str(k)) for k in index.kode[res.kawasan[found]]]
            if version != "":
                no_sk[pos] = version
    else:
        present = ~(shapely.is_missing(g) | shapely.is_empty(g))
        status[present], porsi[present] = LUAR, 0.0
    names = np.array([*STATUSES], dtype=object)
    status_text = np.where(status >= 0, names[np.clip(status, 0, 3)], None)
    out["status_lokasi"] = _text(status_text, idx)
    out["porsi_dalam"] = np.round(porsi, 6)
    out["jarak_m"] = np.round(jarak, 3)
    out["kode_kawasan"] = _text(kode_kaw, idx)
    # RT of the whole work and of its inside part
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
    # overrides
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
    final = out["status_lokasi"].where(manual["status_manual"].isna(), manual["status_manual"])
    inside_final = final.isin(["dalam", "sebagian"]).to_numpy()
    # an override to dalam/sebagian still needs an RT: the RT the work lies in
    rt_out = np.where(inside_final, np.where(pd.isna(rt_inside), rt_lokasi, rt_inside), None)
    out["kode_rt"] = _text(rt_out, idx)
    for c, s in manual.items():
        out[c] = s
    out["status_akhir"] = final.astype("str")
    eff = np.select(
        [final.to_numpy() == "dalam", final.to_numpy() == "sebagian"],
        [1.0, np.nan_to_num(out["porsi_dalam"].to_numpy(dtype=float), nan=0.0)],
        0.0,
    )
    eff = np.where(final.isna().to_numpy(), np.nan, eff)
    out["porsi_efektif"] = eff
    out["no_sk"] = _text(no_sk, idx)
    out["nama_kawasan"] = _text(nama_kaw, idx)
    out["kode_rt_lokasi"] = _text(rt_lokasi, idx)
    # kelurahan of the work
    kel = _kelurahan_of(g, work_crs, wilayah, rt, rt_lokasi)
    for c in ("kode_kel", "kelurahan", "kecamatan"):
        out[c] = _text(kel[c], idx)
    nilai = (
        pd.to_numeric(out["nilai_rp"], errors="coerce")
        if "nilai_rp" in out.columns
        else pd.Series(np.nan, index=idx)
    )
    out["nilai_rp_dalam"] = np.round(nilai.to_numpy(dtype=float) * eff, 2)
    out["nilai_rp_luar"] = np.round(
        nilai.to_numpy(dtype=float) - out["nilai_rp_dalam"].to_numpy(), 2
    )
    flag, no_gap, year = _gap_flags(out, conditions)
    out["flag_bukan_kebutuhan"] = flag
    out["kriteria_tanpa_gap"] = no_gap
    out["tahun_kondisi"] = year
    geom_name = out.geometry.name
    cols = [c for c in out.columns if c != geom_name] + [geom_name]
    return out[cols]


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
    include_sebagian: bool = False,
) -> pd.DataFrame:
    """Which work counts as inside, and in which RT (domain.md §5, §7).

    A work counts when its effective status (:func:`classify_kolaborasi`, the Korkot's
    override first) is ``dalam`` — or ``sebagian`` too with ``include_sebagian`` — and
    an RT holds it (``kode_rt``: the RT with the largest part of its inside part). Work
    outside the delineation in force in its year never counts (domain.md §5).

    Returns
    -------
    pandas.DataFrame
        ``kode_kegiatan, kode_rt, status_akhir, porsi_efektif``, one row per counted work.
    """
    frame = classify_kolaborasi(
        kolaborasi,
        delineasi,
        sk_kumuh=sk_kumuh,
        rt=rt,
        overrides=overrides,
        tolerance_m=tolerance_m,
    )
    wanted = ["dalam", "sebagian"] if include_sebagian else ["dalam"]
    keep = frame["status_akhir"].isin(wanted) & frame["kode_rt"].notna()
    cols = ["kode_kegiatan", "kode_rt", "status_akhir", "porsi_efektif"]
    return pd.DataFrame(frame.loc[keep, cols]).reset_index(drop=True)


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


# =========================================================================== writing


_SUMMARY_LABELS = {
    "tahun": ("Tahun", ""),
    "sumber_dana": ("Sumber dana", ""),
    "kelurahan": ("Kelurahan/desa", ""),
    "jumlah_kegiatan": ("Jumlah kegiatan", ""),
    "jumlah_dalam": ("Dalam delineasi", "keg."),
    "jumlah_sebagian": ("Sebagian di dalam", "keg."),
    "jumlah_batas": ("Batas (dalam toleransi)", "keg."),
    "jumlah_luar": ("Luar delineasi", "keg."),
    "nilai_rp": ("Nilai", "Rp"),
    "nilai_rp_dalam": ("Nilai di dalam delineasi", "Rp"),
    "nilai_rp_luar": ("Nilai di luar delineasi", "Rp"),
    "nilai_rp_batas": ("… di antaranya batas", "Rp"),
    "persen_rp_luar": ("Nilai di luar", "%"),
}


def _notes(tolerance_m: float) -> list[str]:
    return [
        "Status lokasi (domain.md §7): dalam = seluruhnya di dalam delineasi (titik di batas, ≤ 1 cm, dihitung di dalam); "
        "sebagian = garis/poligon sebagian di dalam (porsi_dalam menurut panjang/luas); "
        f"batas = di luar tetapi ≤ {tolerance_m:g} m dari kawasan; luar = di luar (jarak_m ke kawasan terdekat).",
        "Delineasi yang dipakai: SK Kumuh yang berlaku pada tahun kegiatan (kolom no_sk); tanpa SK, semua poligon delineasi.",
        "status_akhir = status_manual Korkot bila ada (dengan alasan, oleh, waktu), selain itu status_lokasi.",
        "Nilai di dalam = nilai_rp × porsi efektif (dalam 1, sebagian porsi_dalam, batas/luar 0); nilai di luar = sisanya.",
        "flag_bukan_kebutuhan: semua kriteria kegiatan bervolume 0 di RT-nya pada tahun sebelum kegiatan (tahun_kondisi).",
        "Status: in / partly in / border (within tolerance) / outside the slum delineation of the SK in force in the work's year.",
    ]


def write_kolaborasi(
    classified: gpd.GeoDataFrame, path, *, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> list:
    """Write the classification and its companions; returns the paths written.

    ``path`` by extension: ``.csv`` (one row per work, geometry as WKT), ``.geojson``,
    ``.gpkg`` or ``.xlsx`` (sheets: every work, the Korkot list, summaries by year, funding
    source and kelurahan, notes). Always also ``<stem>_korkot.xlsx`` and
    ``<stem>_korkot.geojson`` (the Korkot's flag list sorted by rupiah outside) and, unless
    ``path`` is ``.xlsx``, ``<stem>_ringkasan.xlsx`` (the summaries).
    """
    from pathlib import Path

    from kumuhgis.outputs.files import write_frame
    from kumuhgis.outputs.workbook import Sheet, write_workbook

    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx", ".geojson", ".gpkg"):
        raise UsageError(
            f"Format keluaran '{ext or path.name}' tidak didukung; gunakan .csv, .xlsx, .geojson atau .gpkg / "
            f"unsupported output format; use .csv, .xlsx, .geojson or .gpkg"
        )
    korkot = korkot_list(classified)
    stem = path.with_suffix("")
    written = []
    summary_sheets = [
        Sheet(f"Ringkasan {label}", summarize(classified, key), columns=_SUMMARY_LABELS, totals=[c for c in _SUMMARY_LABELS if c.startswith(("jumlah", "nilai"))],
              title=[f"Kolaborasi di dalam dan di luar delineasi, menurut {label}", f"Toleransi batas {tolerance_m:g} m"])
        for key, label in (("tahun", "tahun"), ("sumber_dana", "sumber dana"), ("kelurahan", "kelurahan"))
    ]  # fmt: skip
    plain = pd.DataFrame(classified.drop(columns=[classified.geometry.name]))
    korkot_plain = pd.DataFrame(korkot.drop(columns=[korkot.geometry.name]))
    korkot_sheet = Sheet(
        "Daftar Korkot", korkot_plain, title=["Daftar tandai Korkot, urut nilai di luar delineasi", "Korkot flag list, by rupiah outside the delineation"],
        totals=["nilai_rp", "nilai_rp_luar"],
    )  # fmt: skip
    notes = Sheet("Keterangan", None, notes=_notes(tolerance_m))
    if ext == ".xlsx":
        write_workbook(
            path,
            [
                Sheet("Kolaborasi", plain, title=["Klasifikasi kolaborasi terhadap delineasi"]),
                korkot_sheet,
                *summary_sheets,
                notes,
            ],
        )
    else:
        write_frame(classified, path)
        ring = Path(f"{stem}_ringkasan.xlsx")
        write_workbook(ring, [*summary_sheets, notes])
        written.append(ring)
    written.insert(0, path)
    kx = Path(f"{stem}_korkot.xlsx")
    write_workbook(kx, [korkot_sheet, notes])
    kg = Path(f"{stem}_korkot.geojson")
    write_frame(korkot, kg)
    written += [kx, kg]
    return written
