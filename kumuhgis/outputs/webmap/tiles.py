"""RT vector tiles: the RT polygons of one XYZ tile coloured by slum level, in compact JSON.

RTs large enough to see are clipped, simplified to half a pixel and written in integer
quarter pixels, delta-encoded; RTs under eight pixels are burnt into a small palette PNG.
A city of 10⁵ RTs seen whole stays a few kB per tile (benchmarks/bench_map.py).
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import shapely

from kumuhgis.outputs.webmap.data import MapData
from kumuhgis.outputs.webmap.mercator import TILE_SIZE, check_tile, tile_bounds
from kumuhgis.outputs.webmap.style import LEVEL_CODES, LEVEL_COLORS

__all__ = ["rt_tile"]

_Q = 4  # tile coordinates are quarter pixels
_BUFFER_PX = 4  # features are clipped to the tile plus this margin
_RASTER_PX = 8.0  # RTs smaller than this (pixels) in both directions go into the tile raster


def _raster_grid(
    geoms: np.ndarray,
    bounds: np.ndarray,
    levels: np.ndarray,
    tile: tuple[float, float, float, float],
) -> np.ndarray:
    """Small RTs burnt into a 256 × 256 grid of palette indices (0 = empty, ``k + 1`` =
    ``LEVEL_CODES[k]``).

    A pixel takes the level of the RT that holds its centre (RTs tile the city, so that is
    one RT); an RT too small to hold any pixel centre marks the pixel under the centre of
    its bounds, and where several such RTs share a pixel the level most of them have wins
    (ties: the more severe). Vectorised: every pixel centre inside an RT's bounds is tested
    with :func:`shapely.contains_xy`.
    """
    minx, _, _, maxy = tile
    px = (tile[2] - tile[0]) / TILE_SIZE
    grid = np.zeros(TILE_SIZE * TILE_SIZE, dtype=np.uint8)
    # pixel index ranges whose centres fall inside each RT's bounds, clipped to the tile
    ix0 = np.maximum(np.ceil((bounds[:, 0] - minx) / px - 0.5), 0).astype(np.int64)
    ix1 = np.minimum(np.floor((bounds[:, 2] - minx) / px - 0.5), TILE_SIZE - 1).astype(np.int64)
    iy0 = np.maximum(np.ceil((maxy - bounds[:, 3]) / px - 0.5), 0).astype(np.int64)
    iy1 = np.minimum(np.floor((maxy - bounds[:, 1]) / px - 0.5), TILE_SIZE - 1).astype(np.int64)
    nx = np.maximum(ix1 - ix0 + 1, 0)
    ny = np.maximum(iy1 - iy0 + 1, 0)
    count = nx * ny
    hit_any = np.zeros(len(geoms), dtype=bool)
    if count.sum():
        owner = np.repeat(np.arange(len(geoms)), count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        cx = ix0[owner] + k % nx[owner]
        cy = iy0[owner] + k // nx[owner]
        inside = shapely.contains_xy(geoms[owner], minx + (cx + 0.5) * px, maxy - (cy + 0.5) * px)
        grid[cy[inside] * TILE_SIZE + cx[inside]] = levels[owner[inside]] + 1
        hit_any[np.unique(owner[inside])] = True
    tiny = ~hit_any
    if tiny.any():
        cx = np.floor(((bounds[tiny, 0] + bounds[tiny, 2]) / 2 - minx) / px).astype(np.int64)
        cy = np.floor((maxy - (bounds[tiny, 1] + bounds[tiny, 3]) / 2) / px).astype(np.int64)
        lv = levels[tiny].astype(np.int64)
        ok = (cx >= 0) & (cx < TILE_SIZE) & (cy >= 0) & (cy < TILE_SIZE)
        pix, lv = cy[ok] * TILE_SIZE + cx[ok], lv[ok]
        if len(pix):
            keys, counts = np.unique(pix * 8 + lv, return_counts=True)
            kpix, klv = keys // 8, keys % 8
            order = np.lexsort((klv, counts, kpix))  # by pixel, then count, then level: last wins
            last = np.r_[kpix[order][1:] != kpix[order][:-1], True]
            chosen_pix, chosen_lv = kpix[order][last], klv[order][last]
            empty = grid[chosen_pix] == 0
            grid[chosen_pix[empty]] = (chosen_lv[empty] + 1).astype(np.uint8)
    return grid.reshape(TILE_SIZE, TILE_SIZE)


def _raster_png(grid: np.ndarray) -> str | None:
    """The grid as a base64 palette PNG in the level colours, transparent where empty."""
    from PIL import Image

    if not grid.any():
        return None
    img = Image.fromarray(grid, "P")
    palette = [0, 0, 0]
    for code in LEVEL_CODES:
        c = LEVEL_COLORS[code]
        palette += [int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)]
    img.putpalette(palette)
    buf = io.BytesIO()
    img.save(buf, format="PNG", transparency=0, optimize=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _encode_rings(
    geoms: np.ndarray,
    levels: np.ndarray,
    tile: tuple[float, float, float, float],
    buf: float,
) -> dict[int, dict[str, list]]:
    """RT polygons clipped to ``tile`` plus ``buf``, simplified to half a pixel, as rings
    of integer quarter pixels from the tile's top-left corner, grouped by level.

    Rings are oriented (outer counter-clockwise in map space); a ring's closing point,
    repeated points and rings left with fewer than three points are dropped; each point
    after a ring's first is the difference from the point before it. Returns
    ``{palette index: {"rings": [points per ring], "xy": [x0, y0, dx1, dy1, ...]}}``.
    """
    if not len(geoms):
        return {}
    minx, miny, maxx, maxy = tile
    px = (maxx - minx) / TILE_SIZE
    geoms = shapely.clip_by_rect(geoms, minx - buf, miny - buf, maxx + buf, maxy + buf)
    geoms = shapely.simplify(geoms, px / 2, preserve_topology=False)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, owner = parts[keep], owner[keep]
    if not len(parts):
        return {}
    parts = shapely.orient_polygons(parts)
    _, coords, (ring_off, poly_off) = shapely.to_ragged_array(parts)
    ring_level = np.repeat(levels[owner], np.diff(poly_off))
    q = np.empty_like(coords)
    q[:, 0] = (coords[:, 0] - minx) / px * _Q
    q[:, 1] = (maxy - coords[:, 1]) / px * _Q
    q = np.rint(q).astype(np.int64)
    n_rings = len(ring_off) - 1
    ring_of_pt = np.repeat(np.arange(n_rings), np.diff(ring_off))
    keep_pt = np.ones(len(q), dtype=bool)
    keep_pt[ring_off[1:] - 1] = False  # the closing point repeats the first
    same = np.zeros(len(q), dtype=bool)
    same[1:] = (q[1:] == q[:-1]).all(axis=1) & (ring_of_pt[1:] == ring_of_pt[:-1])
    keep_pt &= ~same
    counts = np.bincount(ring_of_pt[keep_pt], minlength=n_rings)
    good_ring = counts >= 3
    keep_pt &= good_ring[ring_of_pt]
    q = q[keep_pt]
    pt_ring = ring_of_pt[keep_pt]
    # delta-encode: each point minus the previous one of its ring (first points absolute)
    first = np.r_[True, pt_ring[1:] != pt_ring[:-1]]
    delta = q.copy()
    delta[1:] -= q[:-1]
    q = np.where(first[:, None], q, delta)
    pt_level = ring_level[pt_ring]
    per_level: dict[int, dict[str, list]] = {}
    for code in np.unique(ring_level[good_ring]):
        rmask = good_ring & (ring_level == code)
        per_level[int(code)] = {
            "rings": counts[rmask].tolist(),
            "xy": q[pt_level == code].ravel().tolist(),
        }
    return per_level


def rt_tile(data: MapData, z: int, x: int, y: int, *, year: int | None = None) -> dict:
    """RT polygons of XYZ tile ``z/x/y`` coloured by level, in a compact JSON form.

    Each RT at least 8 pixels wide or high is clipped to the tile plus a 4-pixel margin,
    simplified (Douglas–Peucker) to half a pixel and written in integer quarter pixels
    from the tile's top-left corner, each point after a ring's first as the difference
    from the point before it; rings are oriented (outer counter-clockwise in map space),
    so a "nonzero" fill draws holes. Smaller RTs, whose shape a map at that zoom cannot
    show anyway, are burnt into ``raster``: a 256-px palette PNG in the level colours
    (:func:`_raster_grid`) — a city of 10⁵ RTs seen whole stays a few kB per tile.

    Returns
    -------
    dict
        ``{"z", "x", "y", "tahun", "q": 4, "n": RTs touched, "raster": base64 PNG or None,
        "levels": [{"lv": "KS", "rings": [points per ring], "xy": [x0, y0, dx1, dy1, ...]}]}``.
    """
    check_tile(z, x, y)
    year = data.year_or_latest(year)
    out: dict[str, Any] = {
        "z": z,
        "x": x,
        "y": y,
        "tahun": year,
        "q": _Q,
        "n": 0,
        "raster": None,
        "levels": [],
    }
    if not len(data.rt):
        return out
    idx = data.rt_index()
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    px = (maxx - minx) / TILE_SIZE
    buf = _BUFFER_PX * px
    cand = idx.tree.query(shapely.box(minx - buf, miny - buf, maxx + buf, maxy + buf))
    if not len(cand):
        return out
    cand = np.sort(cand)
    out["n"] = int(len(cand))
    levels = data.level_index(year)[cand]
    bb = idx.bounds[cand]
    small = ((bb[:, 2] - bb[:, 0]) < _RASTER_PX * px) & ((bb[:, 3] - bb[:, 1]) < _RASTER_PX * px)

    if small.any():
        grid = _raster_grid(
            idx.geoms[cand[small]], bb[small], levels[small], (minx, miny, maxx, maxy)
        )
        out["raster"] = _raster_png(grid)

    per_level = _encode_rings(
        idx.geoms[cand[~small]], levels[~small], (minx, miny, maxx, maxy), buf
    )
    out["levels"] = [{"lv": LEVEL_CODES[code], **per_level[code]} for code in sorted(per_level)]
    return out
