"""Basemaps the viewer serves itself: a GeoTIFF orthophoto or an MBTiles file, as XYZ tiles.

Many cities had a drone or satellite orthophoto made for their delineation survey: a
GeoTIFF of several GB in whatever CRS the surveyor used (often SRGI2013 or WGS 84 UTM).
:class:`GeoTiffBasemap` serves it as 256-px web-mercator (EPSG:3857) tiles without ever
loading the image: for each tile it picks the coarsest overview that is still at least as
fine as the tile (``rasterio.open(path, overview_level=i)``), warps only that window into
the tile grid (``WarpedVRT`` with the tile's own transform) and encodes a JPEG (opaque)
or PNG (with transparency outside the image). Memory per tile is a few 256 × 256 arrays.

:class:`MBTilesBasemap` reads raster tiles (PNG/JPEG/WebP) from an MBTiles SQLite file
(TMS row order, flipped to XYZ). :func:`open_basemap` chooses by extension.

The tile grid is the one of :func:`kumuhgis.outputs.webmap.mercator.tile_bounds` (XYZ, rows from the north).
"""

from __future__ import annotations

import io
import logging
import math
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kumuhgis.core.errors import CRSError, UsageError
from kumuhgis.outputs.webmap.mercator import TILE_SIZE, check_tile, mercator_to_lonlat, tile_bounds

__all__ = [
    "Tile",
    "Basemap",
    "GeoTiffBasemap",
    "MBTilesBasemap",
    "open_basemap",
    "BASEMAP_SUFFIXES",
]

log = logging.getLogger(__name__)

BASEMAP_SUFFIXES = (".tif", ".tiff", ".mbtiles")
_HALF_WORLD = 20037508.342789244
_MEDIA = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
# Below min_zoom a tile would read more than (this × 256)² pixels of the coarsest overview.
_MAX_OVERSAMPLE = 4


@dataclass(frozen=True)
class Tile:
    """One encoded tile."""

    data: bytes
    media_type: str


class Basemap(ABC):
    """A tiled basemap the app serves at ``/peta/dasar/{z}/{x}/{y}``."""

    path: Path
    kind: str
    name: str
    attribution: str
    bounds: tuple[float, float, float, float]  # west, south, east, north (degrees)
    min_zoom: int
    max_zoom: int

    @abstractmethod
    def tile(self, z: int, x: int, y: int) -> Tile | None:
        """The tile ``z/x/y``, or ``None`` where the basemap has nothing."""

    def close(self) -> None:  # pragma: no cover - overridden
        return None

    def info(self) -> dict:
        """What the map page needs: name, bounds, zoom range, attribution."""
        return {
            "kind": self.kind,
            "name": self.name,
            "attribution": self.attribution,
            "bounds": [round(v, 7) for v in self.bounds],
            "min_zoom": self.min_zoom,
            "max_zoom": self.max_zoom,
        }

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- GeoTIFF


def _affine(a: float, b: float, c: float, d: float, e: float, f: float):
    from affine import Affine

    return Affine(a, b, c, d, e, f)


class GeoTiffBasemap(Basemap):
    """A GeoTIFF (any CRS, any size) served as web-mercator tiles from its overviews.

    Bands: red/green/blue (by colour interpretation, else the first three), a single grey
    or paletted band, and an alpha band or nodata for transparency. Other data types than
    ``uint8`` are stretched linearly between the 2nd and 98th percentile of a sample read
    from the coarsest overview.

    ``max_zoom`` is the zoom whose pixel is about the image's own pixel; ``min_zoom`` the
    lowest zoom at which one tile reads at most 4 × 4 tiles' worth of pixels of the
    coarsest overview. Without overviews that is only two zooms: build them once with
    ``rio overview --build 2^1..8 --resampling average FILE.tif`` (or ``gdaladdo``).
    """

    kind = "geotiff"

    def __init__(self, path: str | os.PathLike, *, name: str | None = None):
        import rasterio
        from rasterio.errors import RasterioIOError
        from rasterio.warp import transform_bounds

        self.path = Path(path)
        if not self.path.is_file():
            raise UsageError(f"Berkas peta dasar tidak ada / basemap file not found: {self.path}")
        try:
            src = rasterio.open(self.path)
        except RasterioIOError as exc:
            raise UsageError(
                f"{self.path} bukan GeoTIFF yang bisa dibaca / is not a readable GeoTIFF: {exc}"
            ) from exc
        self._lock = threading.Lock()
        self._datasets = {None: src}
        if src.crs is None:
            src.close()
            raise CRSError(
                f"{self.path.name} tidak punya CRS; simpan ulang dengan CRS (mis. EPSG:9489) / "
                f"{self.path.name} has no CRS; save it again with one (e.g. EPSG:9489)"
            )
        self.name = name or self.path.stem
        self.attribution = self.path.name
        self.crs = src.crs
        self.overviews = list(src.overviews(1))
        w, s, e, n = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
        self.bounds = (float(w), float(s), float(e), float(n))
        self._merc_bounds = transform_bounds(src.crs, "EPSG:3857", *src.bounds, densify_pts=21)
        self._bands, self._alpha = self._choose_bands(src)
        self._colormap = None
        if len(self._bands) == 1 and src.colorinterp[self._bands[0] - 1].name == "palette":
            cmap = src.colormap(self._bands[0])
            lut = np.zeros((256, 4), dtype=np.uint8)
            for k, v in cmap.items():
                if 0 <= k < 256:
                    lut[k] = v
            self._colormap = lut
        self._nodata = src.nodata
        self._stretch = self._compute_stretch(src)
        # zoom range from the native resolution (one source pixel, in mercator metres)
        res_merc = self._pixel_size_mercator(src)
        world_px = 2 * _HALF_WORLD / TILE_SIZE
        self.max_zoom = int(min(max(math.ceil(math.log2(world_px / res_merc)), 0), 24))
        coarsest = max(self.overviews) if self.overviews else 1
        self.min_zoom = int(
            max(0, self.max_zoom - math.floor(math.log2(coarsest * _MAX_OVERSAMPLE)))
        )
        if not self.overviews:
            log.warning(
                "%s has no overviews: tiles below zoom %d are not served; build them with "
                "`rio overview --build 2^1..8 --resampling average %s`",
                self.path.name,
                self.min_zoom,
                self.path,
            )

    # -- set-up ------------------------------------------------------------------------
    @staticmethod
    def _choose_bands(src) -> tuple[list[int], int | None]:
        ci = [c.name for c in src.colorinterp]
        alpha = ci.index("alpha") + 1 if "alpha" in ci else None
        if all(c in ci for c in ("red", "green", "blue")):
            return [ci.index("red") + 1, ci.index("green") + 1, ci.index("blue") + 1], alpha
        data_bands = [i + 1 for i in range(src.count) if (i + 1) != alpha]
        if len(data_bands) >= 3:
            return data_bands[:3], alpha
        return data_bands[:1], alpha

    def _pixel_size_mercator(self, src) -> float:
        from rasterio.warp import transform

        t = src.transform
        c, r = src.width / 2, src.height / 2
        x0, y0 = t.c + t.a * c + t.b * r, t.f + t.d * c + t.e * r
        x1, y1 = x0 + t.a, y0 + t.d
        x2, y2 = x0 + t.b, y0 + t.e
        xs, ys = transform(src.crs, "EPSG:3857", [x0, x1, x2], [y0, y1, y2])
        dx = math.hypot(xs[1] - xs[0], ys[1] - ys[0])
        dy = math.hypot(xs[2] - xs[0], ys[2] - ys[0])
        return max(min(dx, dy), 1e-9)

    def _compute_stretch(self, src) -> np.ndarray | None:
        """Per band (low, high) for a linear stretch to 0–255, or None for ``uint8``."""
        if all(src.dtypes[b - 1] == "uint8" for b in self._bands):
            return None
        level = len(self.overviews) - 1 if self.overviews else None
        ds = self._dataset(level)
        scale = max(ds.width, ds.height) / 512
        shape = (max(1, int(ds.height / max(scale, 1))), max(1, int(ds.width / max(scale, 1))))
        if ds.width * ds.height > 4096 * 4096:  # no usable overview: sample a central window
            from rasterio.windows import Window

            win = Window(
                max(0, ds.width // 2 - 512),
                max(0, ds.height // 2 - 512),
                min(1024, ds.width),
                min(1024, ds.height),
            )
            data = ds.read(self._bands, window=win, masked=True)
        else:
            data = ds.read(self._bands, out_shape=(len(self._bands), *shape), masked=True)
        out = np.zeros((len(self._bands), 2), dtype=np.float64)
        for i in range(len(self._bands)):
            vals = np.asarray(data[i].compressed(), dtype=np.float64)
            vals = vals[np.isfinite(vals)]
            if len(vals):
                lo, hi = np.percentile(vals, [2, 98])
                out[i] = (lo, hi if hi > lo else lo + 1)
            else:
                out[i] = (0, 1)
        return out

    def _dataset(self, level: int | None):
        import rasterio

        ds = self._datasets.get(level)
        if ds is None:
            ds = rasterio.open(self.path, overview_level=level)
            self._datasets[level] = ds
        return ds

    def _level_for(self, z: int) -> int | None:
        """Index of the coarsest overview at least as fine as zoom ``z``'s pixel (None: full)."""
        factor = 2.0 ** (self.max_zoom - z)
        best = None
        for i, f in enumerate(self.overviews):
            if f <= factor * 1.0001:
                best = i
        return best

    # -- tiles -------------------------------------------------------------------------
    def tile(self, z: int, x: int, y: int) -> Tile | None:
        """Tile ``z/x/y`` as JPEG (fully covered) or PNG (partly outside the image);
        ``None`` outside the image or below :attr:`min_zoom`."""
        from rasterio.enums import Resampling
        from rasterio.vrt import WarpedVRT

        check_tile(z, x, y)
        if z < self.min_zoom:
            return None
        minx, miny, maxx, maxy = tile_bounds(z, x, y)
        bx0, by0, bx1, by1 = self._merc_bounds
        if maxx <= bx0 or minx >= bx1 or maxy <= by0 or miny >= by1:
            return None
        size = (maxx - minx) / TILE_SIZE
        transform = _affine(size, 0.0, minx, 0.0, -size, maxy)
        level = self._level_for(z)
        resampling = Resampling.nearest if self._colormap is not None else Resampling.bilinear
        with self._lock:
            ds = self._dataset(level)
            opts = {"add_alpha": True} if self._alpha is None else {}
            if self._nodata is not None:
                opts["src_nodata"] = self._nodata
            with WarpedVRT(
                ds,
                crs="EPSG:3857",
                transform=transform,
                width=TILE_SIZE,
                height=TILE_SIZE,
                resampling=resampling,
                **opts,
            ) as vrt:
                data = vrt.read(self._bands)
                alpha_band = self._alpha if self._alpha is not None else vrt.count
                alpha = vrt.read(alpha_band)
        if not alpha.any():
            return None
        rgb = self._to_rgb(data)
        return _encode(rgb, alpha)

    def _to_rgb(self, data: np.ndarray) -> np.ndarray:
        if self._colormap is not None:
            return self._colormap[data[0].astype(np.uint8)][..., :3]
        if self._stretch is not None:
            out = np.empty(data.shape, dtype=np.uint8)
            for i in range(data.shape[0]):
                lo, hi = self._stretch[i]
                v = (data[i].astype(np.float64) - lo) / (hi - lo) * 255.0
                out[i] = np.clip(np.nan_to_num(v), 0, 255).astype(np.uint8)
            data = out
        data = data.astype(np.uint8, copy=False)
        if data.shape[0] == 1:
            data = np.repeat(data, 3, axis=0)
        return np.moveaxis(data, 0, -1)

    def close(self) -> None:
        with self._lock:
            for ds in self._datasets.values():
                ds.close()
            self._datasets.clear()


def _encode(rgb: np.ndarray, alpha: np.ndarray) -> Tile:
    from PIL import Image

    buf = io.BytesIO()
    if alpha.min() == 255:
        Image.fromarray(np.ascontiguousarray(rgb), "RGB").save(buf, format="JPEG", quality=85)
        return Tile(buf.getvalue(), "image/jpeg")
    rgba = np.dstack([rgb, alpha.astype(np.uint8)])
    Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buf, format="PNG", optimize=False)
    return Tile(buf.getvalue(), "image/png")


# --------------------------------------------------------------------------- MBTiles


class MBTilesBasemap(Basemap):
    """Raster tiles from an MBTiles file (SQLite; ``tiles`` table in TMS row order)."""

    kind = "mbtiles"

    def __init__(self, path: str | os.PathLike, *, name: str | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise UsageError(f"Berkas peta dasar tidak ada / basemap file not found: {self.path}")
        self._lock = threading.Lock()
        try:
            self._con = sqlite3.connect(
                self.path.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False
            )
            meta = dict(self._con.execute("SELECT name, value FROM metadata").fetchall())
            zooms = self._con.execute(
                "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise UsageError(
                f"{self.path.name} bukan MBTiles (perlu tabel metadata dan tiles) / is not an MBTiles file: {exc}"
            ) from exc
        fmt = str(meta.get("format", "png")).lower()
        if fmt not in _MEDIA:
            self._con.close()
            raise UsageError(
                f"MBTiles berformat '{fmt}' tidak didukung sebagai peta dasar (hanya png/jpg/webp) / "
                f"MBTiles format '{fmt}' is not supported as a basemap (png/jpg/webp only)"
            )
        self.format = fmt
        self.media_type = _MEDIA[fmt]
        self.name = name or str(meta.get("name") or self.path.stem)
        self.attribution = str(meta.get("attribution") or self.path.name)
        self.min_zoom = int(meta.get("minzoom", zooms[0] if zooms[0] is not None else 0))
        self.max_zoom = int(meta.get("maxzoom", zooms[1] if zooms[1] is not None else 0))
        if meta.get("bounds"):
            w, s, e, n = (float(v) for v in str(meta["bounds"]).split(","))
        else:
            w, s, e, n = self._bounds_from_tiles()
        self.bounds = (w, s, e, n)

    def _bounds_from_tiles(self) -> tuple[float, float, float, float]:
        row = self._con.execute(
            "SELECT MIN(tile_column), MAX(tile_column), MIN(tile_row), MAX(tile_row) FROM tiles WHERE zoom_level = ?",
            (self.max_zoom,),
        ).fetchone()
        if row is None or row[0] is None:
            return (-180.0, -85.0511, 180.0, 85.0511)
        z = self.max_zoom
        x0, x1, r0, r1 = row
        top = (1 << z) - 1 - r1
        bottom = (1 << z) - 1 - r0
        minx, _, _, maxy = tile_bounds(z, x0, top)
        _, miny, maxx, _ = tile_bounds(z, x1, bottom)
        w, s = mercator_to_lonlat(minx, miny)
        e, n = mercator_to_lonlat(maxx, maxy)
        return (float(w), float(s), float(e), float(n))

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        check_tile(z, x, y)
        tms_row = (1 << z) - 1 - y
        with self._lock:
            row = self._con.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, tms_row),
            ).fetchone()
        if row is None:
            return None
        return Tile(bytes(row[0]), self.media_type)

    def close(self) -> None:
        with self._lock:
            self._con.close()


def open_basemap(path: str | os.PathLike) -> Basemap:
    """Open a GeoTIFF (``.tif``/``.tiff``) or MBTiles (``.mbtiles``) basemap."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".tif", ".tiff"):
        return GeoTiffBasemap(p)
    if suffix == ".mbtiles":
        return MBTilesBasemap(p)
    raise UsageError(
        f"Peta dasar harus .tif/.tiff (GeoTIFF) atau .mbtiles, bukan '{p.name}' / "
        f"a basemap must be a .tif/.tiff GeoTIFF or an .mbtiles file, not '{p.name}'"
    )
