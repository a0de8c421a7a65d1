"""Spatial order: a Hilbert curve key, so that rows near each other on the ground lie near
each other in a file (the national dataset sorts every partition by it).

Reading a box of a spatially sorted GeoParquet file touches few row groups, and a run of
points of one kawasan shares the cells of :class:`kumuhgis.geo.grid.PointGrid` in the
processor cache.
"""

from __future__ import annotations

import numpy as np

__all__ = ["hilbert_key"]


def hilbert_key(x, y, bounds=None, *, bits: int = 16) -> np.ndarray:
    """The position of each point along a Hilbert curve over ``bounds``.

    The box ``bounds = (xmin, ymin, xmax, ymax)`` (default: the points' own) is cut into
    ``2^bits × 2^bits`` cells; the key is the cell's distance along the curve (the classic
    iterative ``xy2d``, vectorised over the points: one pass per bit). NaN coordinates get
    the largest key, so they sort last.

    Returns
    -------
    numpy.ndarray
        ``uint64`` keys, one per point.
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    n = 1 << bits
    if bounds is None:
        ok = np.isfinite(xs) & np.isfinite(ys)
        if not ok.any():
            return np.full(len(xs), np.iinfo(np.uint64).max, dtype=np.uint64)
        bounds = (xs[ok].min(), ys[ok].min(), xs[ok].max(), ys[ok].max())
    x0, y0, x1, y1 = (float(b) for b in bounds)
    sx = (n - 1) / (x1 - x0) if x1 > x0 else 0.0
    sy = (n - 1) / (y1 - y0) if y1 > y0 else 0.0
    bad = ~(np.isfinite(xs) & np.isfinite(ys))
    ix = np.clip(np.nan_to_num((xs - x0) * sx), 0, n - 1).astype(np.int64)
    iy = np.clip(np.nan_to_num((ys - y0) * sy), 0, n - 1).astype(np.int64)
    d = np.zeros(len(xs), dtype=np.int64)
    s = n >> 1
    while s > 0:
        rx = (ix & s) > 0
        ry = (iy & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        # rotate the quadrant so the sub-curve is in standard position
        flip = ~ry & rx
        ix = np.where(flip, s - 1 - ix, ix)
        iy = np.where(flip, s - 1 - iy, iy)
        swap = ~ry
        ix, iy = np.where(swap, iy, ix), np.where(swap, ix, iy)
        s >>= 1
    out = d.astype(np.uint64)
    out[bad] = np.iinfo(np.uint64).max
    return out
