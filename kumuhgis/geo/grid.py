"""A block-sparse uniform grid over a polygon layer: the point fast path of
:class:`kumuhgis.geo.index.KawasanIndex` (domain.md §7).

:func:`build_grid` rasterises the polygons from their vertex arrays (no geometry per
cell): every cell is labelled *inside* one polygon, *empty* (no polygon within the search
radius) or *mixed* (with its candidate polygons and the boundary pieces within reach). A
point then takes its cell's label by integer arithmetic (:meth:`PointGrid.codes`); only
points in mixed cells need a geometric test, and their distance to the boundary pieces is
array arithmetic (:meth:`PointGrid.segment_distance2`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from kumuhgis.core.errors import CRSError

__all__ = ["PointGrid", "build_grid", "first_of_runs", "run_positions"]

_B_SHIFT = 5  # grid blocks of 32 × 32 cells
_B_MASK = (1 << _B_SHIFT) - 1
_CELLS_PER_SIDE = 3.5  # grid cell ≈ median kawasan size / 3.5
_MAX_CELLS = 30_000_000  # interior cells the grid may hold


@dataclass
class PointGrid:
    """A block-sparse uniform grid over a polygon layer, for one search radius.

    Each cell holds a code: -1 empty (no polygon within the radius of any of its points),
    ``k < n`` wholly inside polygon ``k`` (and no other polygon near), ``n + m`` mixed
    cell ``m`` with its candidate polygons (``cand``) and the boundary pieces within the
    radius (``piece``) in CSR form. Pieces are boundary segments cut to at most
    ``cell − 2 × radius``; ``seg_*`` hold them in list order (contiguous per cell),
    ``piece_poly`` their polygon. A grid refined from a coarser one (``build_grid(...,
    within=coarser)``) lists, per cell, the coarser grid's pieces that pass near it:
    ``piece`` and ``seg_*`` are the coarser grid's, so distances are computed exactly as
    the coarser grid computes them.
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
    pieces_xy: np.ndarray | None = None  # x0, y0, x1, y1 of each piece (by piece number)

    def codes(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The cell code of every point (-1 outside the grid or for NaN coordinates), int32.

        Points outside the grid are sent to cell (0, 0), which lies in the grid's empty
        margin; an empty block points at slot 0 of the pool, which is all -1. The cell of
        a point is ``floor((x − x0) / cell)``, computed in place (no temporaries beyond
        two float and two int32 arrays)."""
        fx = np.subtract(x, self.x0)
        fx /= self.cell
        np.floor(fx, out=fx)
        fy = np.subtract(y, self.y0)
        fy /= self.cell
        np.floor(fy, out=fy)
        out = (fx < 0) | (fx >= self.nx) | (fy < 0) | (fy >= self.ny) | np.isnan(fx) | np.isnan(fy)
        fx[out] = 0.0
        fy[out] = 0.0
        ix = fx.astype(np.int32)
        iy = fy.astype(np.int32)
        del fx, fy, out
        slot = self.coarse[(iy >> _B_SHIFT) * self.nbx + (ix >> _B_SHIFT)].astype(np.int64)
        slot <<= 2 * _B_SHIFT
        iy &= _B_MASK
        iy <<= _B_SHIFT
        ix &= _B_MASK
        slot |= iy
        slot |= ix
        return self.pool[slot]

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


def first_of_runs(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_index=True)`` for values already sorted (no second sort)."""
    if len(sorted_values) == 0:
        return sorted_values, np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    return sorted_values[first], first


def run_positions(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``starts[i] .. starts[i]+counts[i]-1`` concatenated, and the ``i`` of each."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    offsets = np.cumsum(counts) - counts
    pos = np.repeat(np.asarray(starts, dtype=np.int64) - offsets, counts) + np.arange(
        int(counts.sum())
    )
    return pos, owner


def _empty_grid(n: int) -> PointGrid:
    z = np.zeros(0, dtype=np.int64)
    zf = np.zeros(0)
    return PointGrid(0.0, 0.0, 1.0, 1, 1, n, 1, np.zeros(1, np.int32), np.full(1 << (2 * _B_SHIFT), -1, np.int32),
                     np.zeros(1, np.int64), z, np.zeros(1, np.int64), z, zf, zf, zf, zf, zf, z)  # fmt: skip


@dataclass(frozen=True)
class _Frame:
    """Origin, cell size and shape of the grid (a margin of two empty cells on every side,
    so cell (0, 0) is always empty)."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int


def _frame(bounds: np.ndarray, reach: float, cells_per_side: float) -> _Frame:
    w, h = bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]
    cell = max(4.0 * reach, float(np.median(np.maximum(w, h))) / cells_per_side, 0.05)
    while float(((w / cell + 2) * (h / cell + 2)).sum()) > _MAX_CELLS:
        cell *= 1.5
    x0 = float(bounds[:, 0].min()) - reach - 2 * cell
    y0 = float(bounds[:, 1].min()) - reach - 2 * cell
    nx = int((float(bounds[:, 2].max()) + reach + 2 * cell - x0) // cell) + 2
    ny = int((float(bounds[:, 3].max()) + reach + 2 * cell - y0) // cell) + 2
    return _Frame(x0, y0, cell, nx, ny)


def _segments(geoms: np.ndarray, present: np.ndarray):
    """Boundary segments (consecutive vertices of one ring): ``sx0, sy0, sx1, sy1`` and the
    polygon of each (``spoly``, an index into the whole layer)."""
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
    return sx0, sy0, sx1, sy1, spoly


def _pieces(sx0, sy0, sx1, sy1, spoly, limit: float):
    """Segments cut into pieces of length ≤ ``limit``: ``px0, py0, px1, py1, ppoly`` and
    the segment of each piece."""
    k = np.maximum(1, np.ceil(np.hypot(sx1 - sx0, sy1 - sy0) / limit)).astype(np.int64)
    pos, owner = run_positions(np.zeros(len(k), np.int64), k)
    kk = k[owner]
    t0, t1 = pos / kk, (pos + 1) / kk
    dx, dy = (sx1 - sx0)[owner], (sy1 - sy0)[owner]
    last = pos + 1 == kk
    px0, py0 = sx0[owner] + dx * t0, sy0[owner] + dy * t0
    px1 = np.where(last, sx1[owner], sx0[owner] + dx * t1)
    py1 = np.where(last, sy1[owner], sy0[owner] + dy * t1)
    return px0, py0, px1, py1, spoly[owner], owner


def _marks(px0, py0, px1, py1, ppoly, f: _Frame, n: int, reach: float):
    """The cells each piece grown by ``reach`` touches (at most 2 × 2: its corner cells,
    without repeats), sorted by cell then polygon: ``mark_cell``, ``mark_piece`` and the
    distinct ``cell × n + polygon`` keys of the boundary band (``band_key``)."""
    pad = reach + f.cell * 1e-9
    gx0 = np.floor((np.minimum(px0, px1) - pad - f.x0) / f.cell).astype(np.int64)
    gx1 = np.floor((np.maximum(px0, px1) + pad - f.x0) / f.cell).astype(np.int64)
    gy0 = np.floor((np.minimum(py0, py1) - pad - f.y0) / f.cell).astype(np.int64)
    gy1 = np.floor((np.maximum(py0, py1) + pad - f.y0) / f.cell).astype(np.int64)
    gx1 = np.minimum(gx1, gx0 + 1)
    gy1 = np.minimum(gy1, gy0 + 1)
    wide, tall = gx1 > gx0, gy1 > gy0
    nx = f.nx
    corners = np.stack([gy0 * nx + gx0, gy0 * nx + gx1, gy1 * nx + gx0, gy1 * nx + gx1])
    valid = np.stack([np.ones_like(wide), wide, tall, wide & tall])
    mark_cell = corners[valid]
    mark_piece = np.broadcast_to(np.arange(len(gx0)), corners.shape)[valid]
    del corners, valid, wide, tall, gx0, gx1, gy0, gy1
    mark_key = mark_cell * n + ppoly[mark_piece]
    order = np.argsort(mark_key)
    mark_key, mark_cell, mark_piece = mark_key[order], mark_cell[order], mark_piece[order]
    band_key = mark_key[np.r_[True, mark_key[1:] != mark_key[:-1]]] if len(mark_key) else mark_key
    return mark_cell, mark_piece, band_key


def _interior(sx0, sy0, sx1, sy1, spoly, f: _Frame, n: int, band_key) -> np.ndarray:
    """Keys ``cell × n + polygon`` of the cells wholly inside a polygon: an even–odd
    scanline through each row of cell centres (rows whose centre ``yc`` satisfies
    ``lo ≤ yc < hi`` for each segment) gives the runs of centres inside each polygon;
    those no piece of that polygon marks (not in ``band_key``) are interior."""
    x0, y0, cell = f.x0, f.y0, f.cell
    lo, hi = np.minimum(sy0, sy1), np.maximum(sy0, sy1)
    r0 = np.ceil((lo - y0) / cell - 0.5).astype(np.int64)
    r1 = np.ceil((hi - y0) / cell - 0.5).astype(np.int64) - 1
    row, seg = run_positions(r0, np.maximum(0, r1 - r0 + 1))
    del lo, hi, r0, r1
    yc = y0 + (row + 0.5) * cell
    xi = sx0[seg] + (yc - sy0[seg]) * (sx1 - sx0)[seg] / (sy1 - sy0)[seg]
    ip = spoly[seg]
    del seg, yc
    order = np.lexsort((xi, ip * f.ny + row))
    xi, row, ip = xi[order], row[order], ip[order]
    a, z = slice(0, None, 2), slice(1, None, 2)
    if len(xi) % 2 or not (np.array_equal(ip[a], ip[z]) and np.array_equal(row[a], row[z])):
        raise CRSError(
            "Poligon tidak sah untuk indeks / invalid polygons for the index"
        )  # pragma: no cover
    c0 = np.ceil((xi[a] - x0) / cell - 0.5).astype(np.int64)
    c1 = np.floor((xi[z] - x0) / cell - 0.5).astype(np.int64)
    loc, iv = run_positions(c0, np.maximum(0, c1 - c0 + 1))
    inner_key = (row[a][iv] * f.nx + loc) * n + ip[a][iv]
    if len(band_key):
        at = np.minimum(np.searchsorted(band_key, inner_key), len(band_key) - 1)
        inner_key = inner_key[band_key[at] != inner_key]
    return inner_key


def _cell_codes(band_key, inner_key, mark_cell, n: int):
    """Every non-empty cell and its code (``k`` inside polygon ``k``; ``n + m`` mixed cell
    ``m``), with the CSR lists of the mixed cells' candidates and pieces."""
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
    return cells, code, np.asarray(cand, dtype=np.int64), cand_ptr, piece_ptr


def _block_table(cells, code, nx: int, ny: int):
    """The block-sparse table of codes: ``coarse`` (slot of each 32 × 32 block) and
    ``pool`` (the blocks' codes); slot 0 is an empty block shared by all empty blocks."""
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
    return nbx, coarse, pool


def build_grid(
    polygons: np.ndarray,
    reach: float,
    *,
    cells_per_side: float = _CELLS_PER_SIDE,
    within: PointGrid | None = None,
) -> PointGrid:
    """Rasterise a polygon layer for point queries within ``reach`` (see :class:`PointGrid`).

    Everything is array arithmetic on the polygons' vertices, no geometry per cell:

    * boundary pieces (segments cut to length ``L = cell − 2·reach``) mark every cell their
      bounding box grown by ``reach`` touches — a superset of the cells holding a point
      within ``reach`` of the boundary (those become *mixed*);
    * an even–odd scanline through each row of cell centres gives the runs of centres
      inside each polygon; a cell whose centre is inside and that no piece of that polygon
      marks lies wholly in its interior, at least ``reach`` from its boundary.

    The cell is about the median polygon size / ``cells_per_side`` (at least ``4 × reach``,
    grown when the grid would hold more than 30 million cells). Every cell size labels
    points exactly; a finer grid leaves fewer points in mixed cells, with shorter lists.

    ``within``: a coarser grid of the same polygons and ``reach`` whose pieces are cut
    further to mark this grid's cells; each cell then lists the coarser pieces (the
    distance from a point to a coarser piece is the minimum over its sub-pieces, and every
    sub-piece within ``reach`` of a point marks the point's cell), so the nearest boundary
    within ``reach`` and its distance are those the coarser grid gives, to the last bit.
    """
    n = len(polygons)
    present = np.flatnonzero(~shapely.is_missing(polygons))
    if len(present) == 0:
        return _empty_grid(n)
    f = _frame(shapely.bounds(polygons[present]), reach, cells_per_side)
    sx0, sy0, sx1, sy1, spoly = _segments(polygons[present], present)
    # pieces of length ≤ L, so that a piece grown by reach spans at most 2 × 2 cells
    limit = (f.cell - 2.0 * reach) * (1.0 - 1e-6)  # grown by reach, narrower than a cell
    if within is None:
        px0, py0, px1, py1, ppoly, _ = _pieces(sx0, sy0, sx1, sy1, spoly, limit)
        cut = (px0, py0, px1, py1, ppoly)
    else:
        px0, py0, px1, py1 = within.pieces_xy.T
        ppoly = within.piece_poly
        *cut, parent = _pieces(px0, py0, px1, py1, ppoly, limit)
    mark_cell, mark_piece, band_key = _marks(*cut, f, n, reach)
    if within is not None:
        mark_piece = parent[mark_piece]
    del cut
    inner_key = _interior(sx0, sy0, sx1, sy1, spoly, f, n, band_key)
    del sx0, sy0, sx1, sy1, spoly
    cells, code, cand, cand_ptr, piece_ptr = _cell_codes(band_key, inner_key, mark_cell, n)
    del band_key, inner_key
    nbx, coarse, pool = _block_table(cells, code, f.nx, f.ny)
    # pieces copied in list order, so that a cell's pieces are contiguous in memory
    dx, dy = px1 - px0, py1 - py0
    l2 = dx * dx + dy * dy
    il2 = np.divide(1.0, l2, out=np.zeros_like(l2), where=l2 > 0)
    own = np.column_stack([px0, py0, px1, py1]) if within is None else None
    return PointGrid(
        f.x0, f.y0, f.cell, f.nx, f.ny, n, nbx, coarse, pool, cand_ptr, cand, piece_ptr,
        np.asarray(mark_piece, dtype=np.int64), px0[mark_piece], py0[mark_piece], dx[mark_piece],
        dy[mark_piece], il2[mark_piece], np.asarray(ppoly, dtype=np.int64), own,
    )  # fmt: skip
