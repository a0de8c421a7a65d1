"""Web-mercator tile math: EPSG:3857, 256-pixel tiles, XYZ numbering (rows from the north).

The RT vector tiles (:mod:`kumuhgis.outputs.webmap.tiles`) and the local basemap
(:mod:`kumuhgis.outputs.raster`) share this grid, so a basemap tile and an RT tile of the
same ``z/x/y`` cover the same ground.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import shapely

from kumuhgis.core.errors import UsageError

__all__ = [
    "TILE_SIZE",
    "MAX_ZOOM",
    "lonlat_to_mercator",
    "mercator_to_lonlat",
    "geoms_to_mercator",
    "check_tile",
    "tile_bounds",
    "tile_bounds_lonlat",
    "tiles_for_bounds",
]

#: Size of a web-map tile in pixels.
TILE_SIZE = 256
#: Deepest zoom the viewer serves (about 0.3 m per pixel at the equator).
MAX_ZOOM = 22
#: Half the width of the web-mercator world in metres (EPSG:3857).
_HALF_WORLD = 20037508.342789244
_EARTH_RADIUS = 6378137.0
_MAX_LAT = 85.0511287798066


def lonlat_to_mercator(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees, WGS 84) → web mercator metres (EPSG:3857).

    ``x = R λ``, ``y = R ln tan(π/4 + φ/2)`` with ``R = 6378137`` m; latitudes are clamped
    to ±85.0511° (the square web-mercator world).
    """
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.clip(np.asarray(lat, dtype=np.float64), -_MAX_LAT, _MAX_LAT)
    x = np.radians(lon) * _EARTH_RADIUS
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * _EARTH_RADIUS
    return x, y


def mercator_to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Web mercator metres → longitude/latitude degrees (inverse of :func:`lonlat_to_mercator`)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    lon = np.degrees(x / _EARTH_RADIUS)
    lat = np.degrees(2 * np.arctan(np.exp(y / _EARTH_RADIUS)) - np.pi / 2)
    return lon, lat


def geoms_to_mercator(geoms: np.ndarray) -> np.ndarray:
    """Shapely geometries in EPSG:4326 → the same geometries in web mercator metres."""

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = lonlat_to_mercator(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)


def check_tile(z: int, x: int, y: int) -> None:
    """Raise :class:`UsageError` unless ``z/x/y`` names a tile of the XYZ scheme."""
    if not (0 <= z <= MAX_ZOOM):
        raise UsageError(f"zoom {z} di luar 0–{MAX_ZOOM} / zoom {z} outside 0–{MAX_ZOOM}")
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise UsageError(
            f"petak {z}/{x}/{y} tidak ada (x, y harus 0–{n - 1}) / tile {z}/{x}/{y} does not exist"
        )


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Bounds ``(minx, miny, maxx, maxy)`` of XYZ tile ``z/x/y`` in web mercator metres.

    Tile width ``w = 2 × 20037508.34 / 2^z``; ``minx = −20037508.34 + x w``,
    ``maxy = 20037508.34 − y w`` (rows count down from the north edge).
    """
    check_tile(z, x, y)
    w = 2 * _HALF_WORLD / (1 << z)
    minx = -_HALF_WORLD + x * w
    maxy = _HALF_WORLD - y * w
    return (minx, maxy - w, minx + w, maxy)


def tile_bounds_lonlat(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Bounds of tile ``z/x/y`` as ``(west, south, east, north)`` degrees."""
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    w, s = mercator_to_lonlat(minx, miny)
    e, n = mercator_to_lonlat(maxx, maxy)
    return (float(w), float(s), float(e), float(n))


def tiles_for_bounds(bounds: Iterable[float], z: int) -> list[tuple[int, int, int]]:
    """Every XYZ tile of zoom ``z`` that touches ``(west, south, east, north)`` degrees."""
    w, s, e, n = (float(v) for v in bounds)
    x0, y1 = lonlat_to_mercator(w, s)
    x1, y0 = lonlat_to_mercator(e, n)
    size = 2 * _HALF_WORLD / (1 << z)
    last = (1 << z) - 1

    def col(v: float) -> int:
        return int(min(max(math.floor((v + _HALF_WORLD) / size), 0), last))

    def row(v: float) -> int:
        return int(min(max(math.floor((_HALF_WORLD - v) / size), 0), last))

    return [
        (z, tx, ty)
        for tx in range(col(float(x0)), col(float(x1)) + 1)
        for ty in range(row(float(y0)), row(float(y1)) + 1)
    ]
