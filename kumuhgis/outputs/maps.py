"""The city's slum layers as a web map: data for the viewer, tiles, the Folium page, export.

This module is the core of the web viewer and of ``kumuhgis export-map``; it never
imports Flask (conventions.md "Shape of the code"). The Flask package ``app`` parses
requests, calls one function here and renders the result.

What is here
------------
* **Web-mercator tile math** (EPSG:3857, 256-px tiles, XYZ numbering): :func:`tile_bounds`,
  :func:`lonlat_to_mercator`, :func:`tiles_for_bounds`.
* **Map data** (:class:`MapData`, :func:`load_map_data`): the seven layers of a store read
  once, RT levels per year from :func:`kumuhgis.analysis.city.score_city` (domain.md §4–§5),
  RT → kawasan from :func:`kumuhgis.analysis.reduction.rt_units`, kolaborasi status from
  :mod:`kumuhgis.analysis.kolaborasi` when that module is installed (domain.md §7), and a spatial
  index of the RT polygons in web mercator.
* **Layer GeoJSON with filters** (:func:`layer_geojson`), **RT vector tiles**
  (:func:`rt_tile`: the RT polygons clipped to a tile, simplified to half a pixel, in
  quarter-pixel integer coordinates; RTs under eight pixels as a small PNG raster), the
  RT under a point (:func:`rt_at`) and **search** (:func:`search`).
* **The Folium map** (:func:`build_map`) whose every script and style is a local file
  (:func:`localize_assets`), split into parts for a page template (:func:`map_parts`), and
  the **self-contained HTML export** (:func:`export_map_html`) with every asset and all
  data inlined, which works from a USB stick with the network off.
* **A map image** for a projector or an A3 print (:func:`render_map_image`). The other
  pages' figures (dashboard, Korkot list, downloads) are in :mod:`kumuhgis.outputs.dashboard`.

Offline rule: with no basemap chosen the page requests nothing from any other host.
Folium's default CDN links are either mapped onto the vendored copies in
``app/static/vendor`` or dropped when kumuhgis does not use them (jQuery, Bootstrap,
Font Awesome, awesome-markers); any other external link is an error (:class:`AssetError`).
"""

from __future__ import annotations

import base64
import datetime as _dt
import importlib.util
import io
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.errors import KumuhgisError, UsageError
from kumuhgis.core.snapshot import CitySnapshot

__all__ = [
    "TILE_SIZE",
    "MAX_ZOOM",
    "LEVEL_CODES",
    "LEVEL_COLORS",
    "STATUS_CODES",
    "STATUS_COLORS",
    "LAYER_KEYS",
    "AssetError",
    "MapData",
    "MapParts",
    "load_map_data",
    "lonlat_to_mercator",
    "mercator_to_lonlat",
    "tile_bounds",
    "tile_bounds_lonlat",
    "tiles_for_bounds",
    "check_tile",
    "layer_geojson",
    "rt_tile",
    "rt_at",
    "search",
    "infra_style",
    "map_config",
    "build_map",
    "map_parts",
    "localize_assets",
    "external_urls",
    "inline_assets",
    "static_dir",
    "export_map_html",
    "render_map_image",
    "map_text",
]

# --------------------------------------------------------------------------- constants

#: Size of a web-map tile in pixels.
TILE_SIZE = 256
#: Deepest zoom the viewer serves (about 0.3 m per pixel at the equator).
MAX_ZOOM = 22
#: Half the width of the web-mercator world in metres (EPSG:3857).
_HALF_WORLD = 20037508.342789244
_EARTH_RADIUS = 6378137.0
_MAX_LAT = 85.0511287798066

#: RT levels in the order of the tile palette index; "" = no condition data that year.
LEVEL_CODES: tuple[str, ...] = ("", "TK", "KR", "KS", "KB")
#: Colours of the levels, the usual legend (the same as :data:`kumuhgis.outputs.charts.LEVEL_COLORS`).
LEVEL_COLORS: dict[str, str] = {
    "KB": "#d7191c",
    "KS": "#fdae61",
    "KR": "#ffdf6b",
    "TK": "#1a9641",
    "": "#bdbdbd",
}
#: Kolaborasi status (domain.md §7); "" = not classified.
STATUS_CODES: tuple[str, ...] = ("dalam", "sebagian", "batas", "luar", "")
STATUS_COLORS: dict[str, str] = {
    "dalam": "#1a9641",
    "sebagian": "#e6a100",
    "batas": "#7b3294",
    "luar": "#d7191c",
    "": "#6b6b6b",
}
#: Layers the viewer draws, in drawing order (bottom first).
LAYER_KEYS: tuple[str, ...] = ("rt", "wilayah", "delineasi", "infrastruktur", "kolaborasi")

_Q = 4  # tile coordinates are quarter pixels
_BUFFER_PX = 4  # features are clipped to the tile plus this margin
_RASTER_PX = 8.0  # RTs smaller than this (pixels) in both directions go into the tile raster
_TILE_CACHE_SIZE = 4096
_ID_COLUMN = {
    "wilayah": "kode_kel",
    "rt": "kode_rt",
    "delineasi": "kode_kawasan",
    "infrastruktur": "kode_infra",
    "kolaborasi": "kode_kegiatan",
}
_ASSET_PREFIX = "kumuhgis-asset:"
# Kolaborasi columns the map serves (popup, colour, filters), in this order.
_KOLABORASI_COLUMNS = (
    "kode_kegiatan", "nama_kegiatan", "tahun", "sumber_dana", "nilai_rp", "kriteria", "volume",
    "satuan", "status", "status_lokasi", "status_akhir", "porsi_dalam", "jarak_m", "kode_kawasan",
    "nama_kawasan", "no_sk", "kode_rt", "kode_kel", "kelurahan", "status_manual", "alasan_manual",
    "oleh", "flag_bukan_kebutuhan",
)  # fmt: skip


class AssetError(KumuhgisError, RuntimeError):
    """A map element links a script or style that kumuhgis does not ship (it would need
    the internet)."""


# --------------------------------------------------------------------------- texts

_TEXT: dict[str, dict[str, str]] = {
    "id": {
        "base_none": "Tanpa peta dasar",
        "base_osm": "OpenStreetMap (perlu internet)",
        "base_local": "Peta dasar lokal",
        "wilayah": "Batas kelurahan/desa",
        "rt": "RT per tingkat kekumuhan",
        "delineasi": "Delineasi kawasan kumuh",
        "infrastruktur": "Infrastruktur",
        "kolaborasi": "Kegiatan kolaborasi",
        "legend": "Legenda",
        "level_year": "Tingkat kekumuhan RT tahun",
        "sk_version": "Delineasi menurut SK",
        "sk_all": "Semua kawasan",
        "filter_year": "Tahun kegiatan",
        "filter_source": "Sumber dana",
        "all": "Semua",
        "search": "Cari kelurahan, kawasan atau RT",
        "search_button": "Cari",
        "no_result": "Tidak ditemukan",
        "print": "Cetak A3",
        "projector": "Mode proyektor",
        "image": "Simpan gambar",
        "close": "Tutup",
        "no_data": "tanpa data",
        "unclassified": "belum diklasifikasi",
        "TK": "Tidak kumuh",
        "KR": "Kumuh ringan",
        "KS": "Kumuh sedang",
        "KB": "Kumuh berat",
        "dalam": "Di dalam delineasi",
        "sebagian": "Sebagian di dalam",
        "batas": "Di batas (toleransi)",
        "luar": "Di luar delineasi",
        "observed": "survei",
        "derived": "turunan (kolaborasi)",
        "title": "Peta kawasan kumuh",
        "made": "Dibuat",
        "source": "Sumber: proyek kumuhgis",
        "loading": "Memuat…",
        "north": "U",
    },
    "en": {
        "base_none": "No basemap",
        "base_osm": "OpenStreetMap (needs internet)",
        "base_local": "Local basemap",
        "wilayah": "Kelurahan/desa boundaries",
        "rt": "RT by slum level",
        "delineasi": "Delineated slum areas",
        "infrastruktur": "Infrastructure",
        "kolaborasi": "Collaboration projects",
        "legend": "Legend",
        "level_year": "RT slum level in",
        "sk_version": "Delineation of SK",
        "sk_all": "All kawasan",
        "filter_year": "Project year",
        "filter_source": "Funding source",
        "all": "All",
        "search": "Search kelurahan, kawasan or RT",
        "search_button": "Search",
        "no_result": "Nothing found",
        "print": "Print A3",
        "projector": "Projector mode",
        "image": "Save image",
        "close": "Close",
        "no_data": "no data",
        "unclassified": "not classified",
        "TK": "Not slum",
        "KR": "Light slum",
        "KS": "Medium slum",
        "KB": "Heavy slum",
        "dalam": "Inside the delineation",
        "sebagian": "Partly inside",
        "batas": "On the boundary (tolerance)",
        "luar": "Outside the delineation",
        "observed": "survey",
        "derived": "derived (collaboration)",
        "title": "Slum area map",
        "made": "Made",
        "source": "Source: kumuhgis project",
        "loading": "Loading…",
        "north": "N",
    },
}

# Popup fields per layer: (property, Indonesian label, English label, kind). Kinds tell the
# browser how to format a value: text, int, ha, num, rp, pct, level, status, asal.
_FIELDS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "wilayah": (
        ("kelurahan", "Kelurahan/desa", "Kelurahan/desa", "text"),
        ("kecamatan", "Kecamatan", "Kecamatan (district)", "text"),
        ("kode_kel", "Kode", "Code", "text"),
        ("luas_ha", "Luas (ha)", "Area (ha)", "ha"),
        ("jumlah_rt", "Jumlah RT", "RT units", "int"),
    ),
    "rt": (
        ("kode_rt", "Kode RT", "RT code", "text"),
        ("rt", "RT", "RT", "text"),
        ("rw", "RW", "RW", "text"),
        ("kelurahan", "Kelurahan/desa", "Kelurahan/desa", "text"),
        ("nama_kawasan", "Kawasan", "Kawasan", "text"),
        ("luas_ha", "Luas (ha)", "Area (ha)", "ha"),
        ("tahun", "Tahun kondisi", "Condition year", "text"),
        ("tingkat", "Tingkat", "Level", "level"),
        ("total_nilai", "Total nilai", "Total score", "int"),
        ("rata_sektoral", "Rata-rata sektoral (%)", "Sectoral average (%)", "pct"),
        ("asal", "Asal data", "Data origin", "asal"),
    ),
    "delineasi": (
        ("kode_kawasan", "Kode kawasan", "Kawasan code", "text"),
        ("nama_kawasan", "Nama kawasan", "Kawasan name", "text"),
        ("kelurahan", "Kelurahan/desa", "Kelurahan/desa", "text"),
        ("tahun", "Tahun delineasi", "Delineation year", "text"),
        ("luas_ha", "Luas poligon (ha)", "Polygon area (ha)", "ha"),
        ("no_sk", "SK", "SK", "text"),
        ("luas_sk_ha", "Luas menurut SK (ha)", "Area in the SK (ha)", "ha"),
    ),
    "infrastruktur": (
        ("kode_infra", "Kode", "Code", "text"),
        ("jenis", "Jenis", "Type", "text"),
        ("kriteria", "Kriteria", "Criteria", "text"),
        ("tahun", "Tahun", "Year", "text"),
        ("sumber_dana", "Sumber dana", "Funding source", "text"),
        ("kondisi", "Kondisi", "Condition", "text"),
    ),
    "kolaborasi": (
        ("kode_kegiatan", "Kode kegiatan", "Project code", "text"),
        ("nama_kegiatan", "Kegiatan", "Project", "text"),
        ("tahun", "Tahun", "Year", "text"),
        ("sumber_dana", "Sumber dana", "Funding source", "text"),
        ("nilai_rp", "Nilai", "Value", "rp"),
        ("kriteria", "Kriteria", "Criteria", "text"),
        ("volume", "Volume", "Volume", "num"),
        ("satuan", "Satuan", "Unit", "text"),
        ("kelurahan", "Kelurahan/desa", "Kelurahan/desa", "text"),
        ("status_lokasi", "Lokasi terhadap delineasi", "Location vs delineation", "status"),
        ("porsi_dalam", "Porsi di dalam", "Share inside", "share"),
        ("jarak_m", "Jarak ke kawasan (m)", "Distance to kawasan (m)", "num"),
        ("kode_kawasan", "Kawasan", "Kawasan", "text"),
        ("no_sk", "SK yang berlaku", "SK in force", "text"),
        ("status_manual", "Status diubah Korkot", "Status set by Korkot", "status"),
        ("alasan_manual", "Alasan", "Reason", "text"),
    ),
}


def map_text(lang: str = "id") -> dict[str, str]:
    """The viewer's interface texts in ``lang`` (``id`` or ``en``)."""
    return dict(_TEXT["en" if lang == "en" else "id"])


# --------------------------------------------------------------------------- infrastructure icons

# Keyword of a ``jenis`` (after lower-casing) → icon key and colour. The browser draws each
# icon key with its own inline SVG (app/static/kumuhgis/map.js): no icon font, no image file.
_INFRA_RULES: tuple[tuple[str, str, str], ...] = (
    ("hidran", "hidran", "#0571b0"),
    ("sumur", "sumur", "#2c7fb8"),
    ("air minum", "sumur", "#2c7fb8"),
    ("menara air", "sumur", "#2c7fb8"),
    ("mck", "mck", "#8c510a"),
    ("jamban", "mck", "#8c510a"),
    ("toilet", "mck", "#8c510a"),
    ("septic", "septik", "#5e3c99"),
    ("septik", "septik", "#5e3c99"),
    ("ipal", "septik", "#5e3c99"),
    ("tps", "sampah", "#4d9221"),
    ("sampah", "sampah", "#4d9221"),
    ("apar", "api", "#e31a1c"),
    ("kebakaran", "api", "#e31a1c"),
    ("hydrant", "hidran", "#0571b0"),
    ("jalan", "jalan", "#7f6b4f"),
    ("drainase", "drainase", "#1f78b4"),
    ("saluran", "drainase", "#1f78b4"),
)


def infra_style(jenis: Any) -> dict[str, str]:
    """Icon key and colour for an infrastructure ``jenis`` (type), matched by keyword.

    ``"Sumur bor"`` → ``{"icon": "sumur", "color": "#2c7fb8"}``; an unknown type gets the
    generic icon ``"lain"``.
    """
    text = str(jenis or "").lower()
    for key, icon, color in _INFRA_RULES:
        if key in text:
            return {"icon": icon, "color": color}
    return {"icon": "lain", "color": "#525252"}


# --------------------------------------------------------------------------- tile math


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


def _to_mercator_geoms(geoms: np.ndarray) -> np.ndarray:
    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = lonlat_to_mercator(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)


# --------------------------------------------------------------------------- map data


def _text(values: pd.Series) -> pd.Series:
    return values.astype("str").fillna("").replace({"nan": "", "<NA>": "", "None": ""})


@dataclass
class _RTIndex:
    geoms: np.ndarray  # mercator polygons, oriented (exterior counter-clockwise)
    bounds: np.ndarray  # (n, 4) mercator bounds
    tree: shapely.STRtree


@dataclass
class MapData:
    """Everything the viewer shows, read from a store once (see :func:`load_map_data`).

    Frames are in EPSG:4326. ``scores`` holds one row per RT and year with ``tingkat``,
    ``total_nilai``, ``rata_sektoral``, the aspect averages and ``asal``. ``kolaborasi``
    has ``status_lokasi`` (empty when :mod:`kumuhgis.analysis.kolaborasi` is not available).
    """

    kota: str
    settings: dict
    wilayah: gpd.GeoDataFrame
    rt: gpd.GeoDataFrame
    scores: pd.DataFrame
    years: tuple[int, ...]
    delineasi: gpd.GeoDataFrame
    sk: pd.DataFrame
    sk_versions: list[dict]
    infrastruktur: gpd.GeoDataFrame
    kolaborasi: gpd.GeoDataFrame
    kolaborasi_classified: bool
    bounds: tuple[float, float, float, float] | None
    version_key: str = ""
    _rt_index: _RTIndex | None = field(default=None, repr=False)
    _levels: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    _tiles: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- derived lookups ---------------------------------------------------------------
    @property
    def latest_year(self) -> int | None:
        return self.years[-1] if self.years else None

    @property
    def latest_sk(self) -> str | None:
        return self.sk_versions[-1]["no_sk"] if self.sk_versions else None

    def year_or_latest(self, year: int | None) -> int | None:
        """``year`` if the project has RT conditions for it, the latest year when ``None``."""
        if year is None:
            return self.latest_year
        from kumuhgis.analysis.scoring import condition_year

        return condition_year(self.years, year)

    def check_sk(self, no_sk: str | None) -> str | None:
        if no_sk in (None, ""):
            return None
        if no_sk not in {v["no_sk"] for v in self.sk_versions}:
            raise UsageError(
                f"SK '{no_sk}' tidak ada di proyek / SK '{no_sk}' is not in the project"
            )
        return no_sk

    def rt_index(self) -> _RTIndex:
        with self._lock:
            if self._rt_index is None:
                merc = _to_mercator_geoms(self.rt.geometry.to_numpy())
                merc = shapely.orient_polygons(merc)
                self._rt_index = _RTIndex(
                    geoms=merc, bounds=shapely.bounds(merc), tree=shapely.STRtree(merc)
                )
            return self._rt_index

    def level_index(self, year: int | None) -> np.ndarray:
        """Palette index (:data:`LEVEL_CODES`) of every RT row for ``year``."""
        year = self.year_or_latest(year)
        if year is None:
            return np.zeros(len(self.rt), dtype=np.int8)
        with self._lock:
            if year not in self._levels:
                s = self.scores[self.scores["tahun"] == year]
                lv = pd.Series(s["tingkat"].astype(str).to_numpy(), index=s["kode_rt"].astype(str))
                lv = lv[~lv.index.duplicated()]
                codes = self.rt["kode_rt"].astype(str).map(lv).fillna("")
                lookup = {c: i for i, c in enumerate(LEVEL_CODES)}
                self._levels[year] = np.array([lookup.get(c, 0) for c in codes], dtype=np.int8)
            return self._levels[year]

    def sumber_dana(self) -> list[str]:
        vals = set()
        for frame in (self.infrastruktur, self.kolaborasi):
            if len(frame):
                vals.update(v for v in _text(frame["sumber_dana"]) if v)
        return sorted(vals)

    def kegiatan_years(self) -> list[int]:
        vals = set()
        for frame in (self.infrastruktur, self.kolaborasi):
            if len(frame):
                vals.update(int(v) for v in pd.to_numeric(frame["tahun"], errors="coerce").dropna())
        return sorted(vals)

    def cached_tile(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            hit = self._tiles.get(key)
            if hit is not None:
                self._tiles.move_to_end(key)
                return hit
        value = build()
        with self._lock:
            self._tiles[key] = value
            while len(self._tiles) > _TILE_CACHE_SIZE:
                self._tiles.popitem(last=False)
        return value


def _classify_kolaborasi(snapshot: CitySnapshot) -> tuple[gpd.GeoDataFrame, bool]:
    """Kolaborasi with their status against the delineation (domain.md §7), from
    :func:`kumuhgis.analysis.city.classify_city` (the Korkot's overrides included).

    ``status`` is the effective status (``status_akhir``: the override when there is one,
    else ``status_lokasi``). Returns the frame and whether it was classified; without a
    delineation there is nothing to classify against and the status stays empty.
    """
    from kumuhgis.analysis.city import classify_city

    classified = False
    out = snapshot.kolaborasi
    if len(out) and len(snapshot.delineasi):
        out = classify_city(snapshot)
        classified = True
    out = out.copy()
    for c in ("status_lokasi", "status_akhir", "status_manual", "alasan_manual", "oleh", "kode_kawasan",
              "no_sk", "kode_rt", "kelurahan"):  # fmt: skip
        if c not in out.columns:
            out[c] = pd.Series([None] * len(out), index=out.index, dtype="str")
    for c in ("porsi_dalam", "jarak_m"):
        if c not in out.columns:
            out[c] = np.nan
    akhir, lokasi = _text(out["status_akhir"]), _text(out["status_lokasi"])
    out["status"] = akhir.where(akhir != "", lokasi)
    return out, classified


def load_map_data(snapshot: CitySnapshot) -> MapData:
    """Read a project once for the viewer (every layer, RT levels per year, kolaborasi status).

    RT levels are those of :func:`kumuhgis.analysis.city.score_city` (domain.md §4; derived years
    per §5); hectares are ellipsoidal (:func:`kumuhgis.geo.area.hectares`, domain.md §10) unless
    the baseline gives ``luas_ha``. The snapshot's ``version`` identifies the store version
    the data came from (the app caches by it).
    """
    from kumuhgis.analysis.reduction import rt_units
    from kumuhgis.geo.area import hectares

    settings, meta = snapshot.settings, snapshot.meta
    wilayah, rt, delineasi = snapshot.wilayah, snapshot.rt, snapshot.delineasi
    sk, baseline = snapshot.sk_kumuh, snapshot.baseline
    infra, kolab = snapshot.infrastruktur, snapshot.kolaborasi
    version_key = snapshot.version

    # kelurahan: area, RT count, label point
    wil = wilayah.copy()
    wil["luas_ha"] = hectares(wil.geometry).to_numpy() if len(wil) else np.array([], dtype=float)
    counts = rt["kode_kel"].astype(str).value_counts() if len(rt) else pd.Series(dtype=int)
    wil["jumlah_rt"] = wil["kode_kel"].astype(str).map(counts).fillna(0).astype(int).to_numpy()
    pts = wil.geometry.representative_point() if len(wil) else gpd.GeoSeries([], crs=wil.crs)
    wil["label_lon"] = pts.x.to_numpy() if len(wil) else np.array([], dtype=float)
    wil["label_lat"] = pts.y.to_numpy() if len(wil) else np.array([], dtype=float)

    # RT with its kelurahan and kawasan
    rtd = rt.copy()
    if len(rt):
        units = rt_units(rt, wilayah, delineasi=delineasi, sk_kumuh=sk)
        units = units.drop_duplicates("kode_rt").set_index("kode_rt")
        codes = rtd["kode_rt"].astype(str)
        for c in ("kelurahan", "kecamatan", "kode_kawasan", "nama_kawasan"):
            rtd[c] = codes.map(units[c]).fillna("").astype(str).to_numpy()
        for c in ("kode_kawasan", "nama_kawasan"):
            rtd[c] = rtd[c].where(~rtd[c].str.startswith("("), "")
        rtd["luas_poligon_ha"] = hectares(rtd.geometry).to_numpy()
    else:
        for c in ("kelurahan", "kecamatan", "kode_kawasan", "nama_kawasan"):
            rtd[c] = pd.Series([], dtype="str")
        rtd["luas_poligon_ha"] = pd.Series([], dtype="float64")

    # scores of every RT and year
    if len(baseline):
        from kumuhgis.analysis.city import score_city

        scores = score_city(snapshot).scores
        keep = [
            c
            for c in scores.columns
            if c in ("kode_rt", "tahun", "luas_ha", "tingkat", "total_nilai", "asal")
            or c.startswith("rata_")
        ]
        scores = pd.DataFrame(scores[keep]).copy()
        scores["kode_rt"] = scores["kode_rt"].astype(str)
        scores["tahun"] = pd.to_numeric(scores["tahun"]).astype(int)
        years = tuple(sorted(int(y) for y in scores["tahun"].unique()))
    else:
        scores = pd.DataFrame(
            {
                "kode_rt": pd.Series([], dtype="str"),
                "tahun": pd.Series([], dtype="int64"),
                "luas_ha": pd.Series([], dtype="float64"),
                "tingkat": pd.Series([], dtype="str"),
                "total_nilai": pd.Series([], dtype="int64"),
                "asal": pd.Series([], dtype="str"),
            }
        )
        years = ()

    # delineasi with area, kelurahan name and SK membership
    dl = delineasi.copy()
    dl["luas_ha"] = hectares(dl.geometry).to_numpy() if len(dl) else np.array([], dtype=float)
    kel_name = dict(zip(_text(wilayah["kode_kel"]), _text(wilayah["kelurahan"]), strict=True))
    dl["kelurahan"] = _text(dl["kode_kel"]).map(kel_name).fillna("").to_numpy() if len(dl) else []

    versions = []
    if len(sk):
        sk2 = sk.assign(_t=_text(sk["tanggal_sk"]), no_sk=_text(sk["no_sk"]))
        for no_sk, rows in sk2.groupby("no_sk", sort=False):
            versions.append(
                {
                    "no_sk": str(no_sk),
                    "tanggal_sk": str(rows["_t"].min()),
                    "kawasan": sorted(_text(rows["kode_kawasan"]).unique().tolist()),
                    "lokasi": len(rows),
                    "luas_sk_ha": float(pd.to_numeric(rows["luas_sk_ha"], errors="coerce").sum()),
                }
            )
        versions.sort(key=lambda v: (v["tanggal_sk"], v["no_sk"]))

    kolab2, classified = _classify_kolaborasi(snapshot)

    frames = [f for f in (wilayah, rt, delineasi, infra, kolab) if len(f)]
    if frames:
        b = np.array([f.total_bounds for f in frames])
        bounds = (
            float(b[:, 0].min()),
            float(b[:, 1].min()),
            float(b[:, 2].max()),
            float(b[:, 3].max()),
        )
    else:
        bounds = None

    return MapData(
        kota=str(settings.get("kota") or meta.get("kota") or ""),
        settings=settings,
        wilayah=wil,
        rt=rtd.reset_index(drop=True),
        scores=scores.reset_index(drop=True),
        years=years,
        delineasi=dl,
        sk=sk,
        sk_versions=versions,
        infrastruktur=infra,
        kolaborasi=kolab2,
        kolaborasi_classified=classified,
        bounds=bounds,
        version_key=version_key,
    )


# --------------------------------------------------------------------------- features


def _rt_frame(data: MapData, year: int | None) -> gpd.GeoDataFrame:
    """RT polygons with their kelurahan, kawasan and the level of ``year``."""
    rt = data.rt
    out = rt[
        [
            "kode_rt",
            "rt",
            "rw",
            "kode_kel",
            "kelurahan",
            "kecamatan",
            "kode_kawasan",
            "nama_kawasan",
        ]
    ].copy()
    for c in out.columns:
        out[c] = _text(out[c])
    out["luas_ha"] = rt["luas_poligon_ha"].to_numpy()
    year = data.year_or_latest(year)
    if year is not None:
        s = (
            data.scores[data.scores["tahun"] == year]
            .drop_duplicates("kode_rt")
            .set_index("kode_rt")
        )
        codes = out["kode_rt"]
        out["tahun"] = year
        out["tingkat"] = codes.map(s["tingkat"].astype(str)).fillna("").to_numpy()
        out["total_nilai"] = codes.map(s["total_nilai"]).to_numpy()
        out["rata_sektoral"] = (
            codes.map(s["rata_sektoral"]).to_numpy() if "rata_sektoral" in s else np.nan
        )
        out["asal"] = codes.map(s["asal"].astype(str)).fillna("").to_numpy()
        luas = codes.map(s["luas_ha"])
        out["luas_ha"] = luas.where(luas.notna(), out["luas_ha"]).to_numpy()
    else:
        out["tahun"] = None
        out["tingkat"] = ""
        out["total_nilai"] = np.nan
        out["rata_sektoral"] = np.nan
        out["asal"] = ""
    return gpd.GeoDataFrame(out, geometry=rt.geometry.to_numpy(), crs=rt.crs)


def _delineasi_frame(data: MapData, no_sk: str | None) -> gpd.GeoDataFrame:
    dl = data.delineasi
    cols = ["kode_kawasan", "nama_kawasan", "kode_kel", "kelurahan", "tahun", "luas_ha"]
    out = gpd.GeoDataFrame(dl[cols].copy(), geometry=dl.geometry.to_numpy(), crs=dl.crs)
    out["no_sk"] = ""
    out["luas_sk_ha"] = np.nan
    if len(data.sk) and len(out):
        sk = data.sk.assign(
            no_sk=_text(data.sk["no_sk"]), kode_kawasan=_text(data.sk["kode_kawasan"])
        )
        order = {v["no_sk"]: i for i, v in enumerate(data.sk_versions)}
        sk = sk.assign(_o=sk["no_sk"].map(order)).sort_values("_o")
        if no_sk is not None:
            sk = sk[sk["no_sk"] == no_sk]
        last = sk.drop_duplicates("kode_kawasan", keep="last").set_index("kode_kawasan")
        codes = _text(out["kode_kawasan"])
        out["no_sk"] = codes.map(last["no_sk"]).fillna("").to_numpy()
        out["luas_sk_ha"] = codes.map(pd.to_numeric(last["luas_sk_ha"], errors="coerce")).to_numpy()
        if no_sk is not None:
            out = out[codes.isin(set(last.index)).to_numpy()]
    return out


def _plain_frame(
    data: MapData, layer: str, year: int | None, no_sk: str | None
) -> gpd.GeoDataFrame:
    if layer == "wilayah":
        w = data.wilayah
        cols = [
            "kode_kel",
            "kelurahan",
            "kecamatan",
            "kota",
            "luas_ha",
            "jumlah_rt",
            "label_lon",
            "label_lat",
        ]
        return gpd.GeoDataFrame(w[cols].copy(), geometry=w.geometry.to_numpy(), crs=w.crs)
    if layer == "rt":
        return _rt_frame(data, year)
    if layer == "delineasi":
        return _delineasi_frame(data, data.check_sk(no_sk))
    if layer == "infrastruktur":
        f = data.infrastruktur
        out = pd.DataFrame(f.drop(columns=f.geometry.name)).copy()
        styles = [infra_style(j) for j in _text(out["jenis"])] if len(out) else []
        out["ikon"] = [s["icon"] for s in styles]
        out["warna"] = [s["color"] for s in styles]
        return gpd.GeoDataFrame(out, geometry=f.geometry.to_numpy(), crs=f.crs)
    if layer == "kolaborasi":
        f = data.kolaborasi
        cols = [c for c in _KOLABORASI_COLUMNS if c in f.columns]
        return gpd.GeoDataFrame(
            pd.DataFrame(f[cols]).copy(), geometry=f.geometry.to_numpy(), crs=f.crs
        )
    raise UsageError(
        f"layer '{layer}' tidak ada di peta; pilih {', '.join(LAYER_KEYS)} / "
        f"layer '{layer}' is not on the map; choose {', '.join(LAYER_KEYS)}"
    )


def _parse_bbox(bbox: Any) -> tuple[float, float, float, float] | None:
    if bbox in (None, ""):
        return None
    parts = bbox.split(",") if isinstance(bbox, str) else list(bbox)
    try:
        vals = tuple(float(v) for v in parts)
    except (TypeError, ValueError):
        vals = ()
    if (
        len(vals) != 4
        or not all(math.isfinite(v) for v in vals)
        or vals[0] > vals[2]
        or vals[1] > vals[3]
    ):
        raise UsageError(
            f"bbox harus 'barat,selatan,timur,utara' dalam derajat, bukan {bbox!r} / "
            f"bbox must be 'west,south,east,north' in degrees, not {bbox!r}"
        )
    return vals  # type: ignore[return-value]


def _apply_filters(
    frame: gpd.GeoDataFrame, filters: Mapping[str, Any] | None, layer: str
) -> gpd.GeoDataFrame:
    """Keep rows whose column equals one of the given values (``"a,b"`` means a or b)."""
    if not filters:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    for col, value in filters.items():
        if value in (None, ""):
            continue
        if col not in frame.columns or col == frame.geometry.name:
            raise UsageError(
                f"kolom '{col}' tidak ada di layer {layer}; kolom: "
                f"{', '.join(c for c in frame.columns if c != frame.geometry.name)} / "
                f"column '{col}' is not in layer {layer}"
            )
        wanted = [
            str(v).strip()
            for v in (value if isinstance(value, list | tuple) else str(value).split(","))
        ]
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values):
            nums = pd.to_numeric(pd.Series(wanted), errors="coerce")
            if nums.isna().any():
                raise UsageError(
                    f"nilai filter {col}={value!r} bukan angka / filter value {col}={value!r} is not a number"
                )
            mask &= values.isin(nums.tolist()).to_numpy()
        else:
            mask &= _text(values).str.casefold().isin([w.casefold() for w in wanted]).to_numpy()
    return frame[mask]


def _json_value(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float | np.floating):
        return None if not math.isfinite(float(v)) else round(float(v), 6)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, _dt.date | _dt.datetime | pd.Timestamp):
        return v.isoformat()
    return v


def _properties(frame: pd.DataFrame) -> list[dict]:
    cols = list(frame.columns)
    records = []
    arrays = [frame[c].tolist() for c in cols]
    for i in range(len(frame)):
        records.append({c: _json_value(a[i]) for c, a in zip(cols, arrays, strict=True)})
    return records


def _geometry_json(geoms: np.ndarray, *, simplify_m: float | None, precision: int) -> list[str]:
    g = geoms
    if simplify_m:
        g = shapely.simplify(g, simplify_m / 111320.0, preserve_topology=True)
    g = shapely.transform(g, lambda c: np.round(c, precision))
    out = shapely.to_geojson(g)
    return ["null" if s is None else s for s in out]


def layer_geojson(
    data: MapData,
    layer: str,
    *,
    bbox: Any = None,
    filters: Mapping[str, Any] | None = None,
    year: int | None = None,
    no_sk: str | None = None,
    simplify_m: float | None = None,
    precision: int = 6,
    limit: int | None = None,
) -> str:
    """A layer of the map as a GeoJSON FeatureCollection (RFC 7946, EPSG:4326), as text.

    Parameters
    ----------
    layer
        One of :data:`LAYER_KEYS`.
    bbox
        ``(west, south, east, north)`` degrees or ``"w,s,e,n"``: features whose geometry
        intersects the box.
    filters
        Column → value(s): keeps features whose column equals one of the values
        (``{"tahun": "2019,2020", "sumber_dana": "APBN"}``; text compares without case).
    year
        For ``rt``: the condition year whose ``tingkat``, ``total_nilai`` and
        ``rata_sektoral`` are attached (default: the latest year).
    no_sk
        For ``delineasi``: only the kawasan of that SK version, with its ``luas_sk_ha``.
    simplify_m
        Douglas–Peucker tolerance in metres (converted at 111 320 m per degree, which
        errs by less than 2 % anywhere in Indonesia), topology preserved.
    precision
        Decimals kept (6 ≈ 0.11 m).
    limit
        At most this many features (the response says ``"truncated": true`` when cut).

    The collection carries ``bbox`` (of the returned features), ``count`` and, for ``rt``,
    ``tahun``.
    """
    frame = _plain_frame(data, layer, year, no_sk)
    box = _parse_bbox(bbox)
    if box is not None and len(frame):
        hit = shapely.intersects(frame.geometry.to_numpy(), shapely.box(*box))
        frame = frame[hit]
    frame = _apply_filters(frame, filters, layer)
    truncated = False
    if limit is not None and len(frame) > limit:
        frame = frame.iloc[: int(limit)]
        truncated = True
    geoms = _geometry_json(frame.geometry.to_numpy(), simplify_m=simplify_m, precision=precision)
    props = _properties(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    idcol = _ID_COLUMN[layer]
    feats = [
        '{"type":"Feature","id":'
        + json.dumps(p.get(idcol))
        + ',"geometry":'
        + g
        + ',"properties":'
        + json.dumps(p, ensure_ascii=False, allow_nan=False)
        + "}"
        for g, p in zip(geoms, props, strict=True)
    ]
    head: dict[str, Any] = {"type": "FeatureCollection", "layer": layer, "count": len(feats)}
    if len(frame):
        b = frame.total_bounds
        head["bbox"] = [round(float(v), precision) for v in b]
    if layer == "rt":
        head["tahun"] = data.year_or_latest(year)
    if layer == "delineasi":
        head["no_sk"] = data.check_sk(no_sk)
    if truncated:
        head["truncated"] = True
    text = json.dumps(head, ensure_ascii=False)
    return text[:-1] + ',"features":[' + ",".join(feats) + "]}"


def rt_at(data: MapData, lon: float, lat: float, *, year: int | None = None) -> dict | None:
    """The RT under a point with its attributes for ``year`` (the popup of the tile layer).

    A point on a shared edge belongs to the RT listed first. ``None`` when no RT is there.
    """
    if not len(data.rt):
        return None
    idx = data.rt_index()
    x, y = lonlat_to_mercator(lon, lat)
    hits = idx.tree.query(shapely.points(float(x), float(y)), predicate="intersects")
    if not len(hits):
        return None
    i = int(np.sort(hits)[0])
    frame = _rt_frame(data, year).iloc[[i]]
    props = _properties(pd.DataFrame(frame.drop(columns=frame.geometry.name)))[0]
    b = frame.total_bounds
    props["bbox"] = [float(v) for v in b]
    return props


# --------------------------------------------------------------------------- RT tiles


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

    per_level: dict[int, dict[str, list]] = {}
    big = cand[~small]
    if len(big):
        geoms = shapely.clip_by_rect(idx.geoms[big], minx - buf, miny - buf, maxx + buf, maxy + buf)
        geoms = shapely.simplify(geoms, px / 2, preserve_topology=False)
        parts, owner = shapely.get_parts(geoms, return_index=True)
        keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
        parts, owner = parts[keep], owner[keep]
        if len(parts):
            parts = shapely.orient_polygons(parts)
            _, coords, (ring_off, poly_off) = shapely.to_ragged_array(parts)
            part_level = levels[~small][owner]
            ring_level = np.repeat(part_level, np.diff(poly_off))
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
            for code in np.unique(ring_level[good_ring]):
                rmask = good_ring & (ring_level == code)
                per_level[int(code)] = {
                    "rings": counts[rmask].tolist(),
                    "xy": q[pt_level == code].ravel().tolist(),
                }

    out["levels"] = [{"lv": LEVEL_CODES[code], **per_level[code]} for code in sorted(per_level)]
    return out


# --------------------------------------------------------------------------- search


_RT_RE = re.compile(r"\brt\.?\s*0*(\d+)", re.IGNORECASE)
_RW_RE = re.compile(r"\brw\.?\s*0*(\d+)", re.IGNORECASE)


def _norm(text: Any) -> str:
    from kumuhgis.core.vocabulary import normalize_name

    return normalize_name(text)


def _rank(query: str, target: str) -> int | None:
    """0 exact, 1 prefix, 2 word prefix, 3 substring (normalised, spaces ignored); None no match."""
    if not query or not target:
        return None
    if target == query:
        return 0
    if target.startswith(query):
        return 1
    if any(w.startswith(query) for w in target.split()):
        return 2
    if query.replace(" ", "") in target.replace(" ", ""):
        return 3
    return None


def _bbox_of(geom) -> list[float]:
    return [round(float(v), 7) for v in shapely.bounds(geom)]


def search(data: MapData, query: str, *, limit: int = 20) -> list[dict]:
    """Find kelurahan, kawasan, RT and kolaborasi by name or code.

    Names match without case, accents or "Kel."/"Desa" prefixes
    (:func:`kumuhgis.core.vocabulary.normalize_name`), by prefix or substring; a misspelt or
    abbreviated kelurahan ("MB. Hulu") falls back to
    :func:`kumuhgis.core.vocabulary.closest_name`. ``"RT 3 RW 2 Baamang"`` finds RT 003/RW 002
    in the matching kelurahan. Each hit: ``layer``, ``id``, ``label``, ``detail`` and
    ``bbox`` (west, south, east, north), best first.
    """
    q_raw = str(query or "").strip()
    if not q_raw:
        return []
    q = _norm(q_raw)
    q_code = q_raw.casefold()
    hits: list[tuple[int, int, dict]] = []

    w = data.wilayah
    for i in range(len(w)):
        name = str(w["kelurahan"].iloc[i])
        r = _rank(q, _norm(name))
        if r is None and q_code == str(w["kode_kel"].iloc[i]).casefold():
            r = 0
        if r is not None:
            hits.append(
                (r, 0, {"layer": "wilayah", "id": str(w["kode_kel"].iloc[i]), "label": name,
                        "detail": f"Kec. {w['kecamatan'].iloc[i]}", "bbox": _bbox_of(w.geometry.iloc[i])})
            )  # fmt: skip
    if not hits and len(w):
        from kumuhgis.core.vocabulary import closest_name

        best = closest_name(q_raw, _text(w["kelurahan"]).tolist())
        if best is not None:
            row = w[_text(w["kelurahan"]) == best].iloc[0]
            hits.append(
                (4, 0, {"layer": "wilayah", "id": str(row["kode_kel"]), "label": best,
                        "detail": f"Kec. {row['kecamatan']}", "bbox": _bbox_of(row.geometry)})
            )  # fmt: skip

    d = data.delineasi
    for i in range(len(d)):
        name = str(d["nama_kawasan"].iloc[i])
        code = str(d["kode_kawasan"].iloc[i])
        r = _rank(q, _norm(name))
        if q_code == code.casefold():
            r = 0
        elif r is None and q_code in code.casefold():
            r = 3
        if r is not None:
            hits.append(
                (r, 1, {"layer": "delineasi", "id": code, "label": f"{name} ({code})",
                        "detail": str(d["kelurahan"].iloc[i]), "bbox": _bbox_of(d.geometry.iloc[i])})
            )  # fmt: skip

    rt = data.rt
    if len(rt):
        m_rt, m_rw = _RT_RE.search(q_raw), _RW_RE.search(q_raw)
        codes = _text(rt["kode_rt"])
        by_code = codes.str.casefold().str.contains(q_code, regex=False).to_numpy()
        if by_code.any():
            mask = by_code
            rank = 2
        elif m_rt or m_rw:
            mask = np.ones(len(rt), dtype=bool)
            if m_rt:
                mask &= pd.to_numeric(rt["rt"], errors="coerce").to_numpy() == int(m_rt.group(1))
            if m_rw:
                mask &= pd.to_numeric(rt["rw"], errors="coerce").to_numpy() == int(m_rw.group(1))
            rest = _RW_RE.sub(" ", _RT_RE.sub(" ", q_raw))
            rest = _norm(rest.replace("/", " "))
            if rest:
                kel = _text(rt["kelurahan"]).map(_norm)
                mask &= np.array([_rank(rest, k) is not None for k in kel], dtype=bool)
            rank = 1
        else:
            mask = by_code
            rank = 2
        for i in np.flatnonzero(mask)[: max(limit, 1)]:
            hits.append(
                (rank if codes.iloc[i].casefold() != q_code else 0, 2,
                 {"layer": "rt", "id": codes.iloc[i],
                  "label": f"RT {rt['rt'].iloc[i]} / RW {rt['rw'].iloc[i]}",
                  "detail": f"{rt['kelurahan'].iloc[i]} — {codes.iloc[i]}",
                  "bbox": _bbox_of(rt.geometry.iloc[i])})
            )  # fmt: skip

    k = data.kolaborasi
    if len(k):
        codes = _text(k["kode_kegiatan"])
        names = _text(k["nama_kegiatan"])
        for i in range(len(k)):
            r = 0 if codes.iloc[i].casefold() == q_code else None
            if (
                r is None
                and len(q) >= 3
                and q.replace(" ", "") in _norm(names.iloc[i]).replace(" ", "")
            ):
                r = 3
            if r is not None:
                hits.append(
                    (r, 3, {"layer": "kolaborasi", "id": codes.iloc[i], "label": names.iloc[i],
                            "detail": f"{codes.iloc[i]} — {k['tahun'].iloc[i]}",
                            "bbox": _bbox_of(k.geometry.iloc[i])})
                )  # fmt: skip

    hits.sort(key=lambda h: (h[0], h[1], h[2]["label"]))
    return [h[2] for h in hits[:limit]]


# --------------------------------------------------------------------------- assets


# Folium/branca CDN links → vendored file (relative to app/static), or None: not used by
# the kumuhgis map, dropped. Anything else is refused (AssetError).
_CDN_ASSETS: dict[str, str | None] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "vendor/leaflet-1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "vendor/leaflet-1.9.3/leaflet.css",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": "vendor/leaflet.fullscreen-3.0.0/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": "vendor/leaflet.fullscreen-3.0.0/Control.FullScreen.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": None,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": None,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": None,
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": None,
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": None,
}


def static_dir() -> Path:
    """The folder of the viewer's static files (``app/static``), found without importing
    the Flask package."""
    spec = importlib.util.find_spec("app")
    candidates = []
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "static" for p in spec.submodule_search_locations]
    candidates.append(Path(__file__).resolve().parents[1] / "app" / "static")
    for c in candidates:
        if (c / "kumuhgis" / "map.js").is_file():
            return c
    raise AssetError(
        "berkas statis peta (app/static) tidak ditemukan / the map's static files (app/static) are missing"
    )


def _walk(element) -> Iterable[Any]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def localize_assets(element, asset_url: Callable[[str], str]) -> None:
    """Point every script and style link of a Folium/branca tree at local files.

    Each element's ``default_js``/``default_css`` (the links it adds to the page header)
    is rewritten on the instance: a CDN URL that kumuhgis vendors becomes
    ``asset_url(relative path)``, one it does not use is dropped, a local
    ``kumuhgis-asset:`` path is resolved, anything else raises :class:`AssetError`.
    """
    for el in _walk(element.get_root() if hasattr(element, "get_root") else element):
        for attr in ("default_js", "default_css"):
            links = getattr(el, attr, None)
            if not links:
                continue
            new = []
            for name, url in links:
                if url.startswith(_ASSET_PREFIX):
                    new.append((name, asset_url(url[len(_ASSET_PREFIX) :])))
                    continue
                if url not in _CDN_ASSETS:
                    raise AssetError(
                        f"{type(el).__name__} memuat {url}, yang tidak disertakan kumuhgis / "
                        f"{type(el).__name__} links {url}, which kumuhgis does not ship"
                    )
                local = _CDN_ASSETS[url]
                if local is not None:
                    new.append((name, asset_url(local)))
            setattr(el, attr, new)


_SRC_ATTR = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed|input)\b[^>]*?\bsrc\s*=\s*["']((?:https?:)?//[^"']+)["']""",
    re.IGNORECASE,
)
_LINK_ATTR = re.compile(
    r"""<link\b[^>]*?\bhref\s*=\s*["']((?:https?:)?//[^"']+)["']""", re.IGNORECASE
)
_CSS_URL = re.compile(r"""url\(\s*["']?((?:https?:)?//[^"')]+)""", re.IGNORECASE)
_IMPORT = re.compile(r"""@import\s+["']((?:https?:)?//[^"']+)""", re.IGNORECASE)


def external_urls(html: str) -> list[str]:
    """Every URL on another host that a page would load by itself: the ``src`` of scripts,
    images and frames, ``<link href>``, CSS ``url()`` and ``@import``. Links a user may
    click (``<a href>``) and tile URL templates inside scripts (loaded only when the user
    picks that basemap) are not loads, so they are not listed."""
    found = (
        _SRC_ATTR.findall(html)
        + _LINK_ATTR.findall(html)
        + _CSS_URL.findall(html)
        + _IMPORT.findall(html)
    )
    return sorted(set(found))


def _data_uri(path: Path) -> str:
    mime = {
        ".png": "image/png",
        ".svg": "image/svg+xml",
        ".jpg": "image/jpeg",
        ".gif": "image/gif",
        ".woff2": "font/woff2",
    }.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css(path: Path) -> str:
    text = path.read_text("utf-8")

    def repl(m: re.Match) -> str:
        ref = m.group(1).strip("'\"")
        if ref.startswith(("data:", "#", "http:", "https:", "//")):
            return m.group(0)
        target = (path.parent / ref).resolve()
        if not target.is_file():
            raise AssetError(f"{path.name}: {ref} tidak ada / missing")
        return f"url({_data_uri(target)})"

    return re.sub(r"url\(([^)]+)\)", repl, text)


def _script_safe(text: str) -> str:
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def inline_assets(html: str, *, root: Path | None = None) -> str:
    """Replace ``<script src="kumuhgis-asset:…">`` and ``<link href="kumuhgis-asset:…">``
    by the files' contents (CSS images become ``data:`` URIs): one self-contained page."""
    root = root or static_dir()

    def js(m: re.Match) -> str:
        p = root / m.group(1)
        return "<script>" + _script_safe(p.read_text("utf-8")) + "\n</script>"

    def css(m: re.Match) -> str:
        p = root / m.group(1)
        return "<style>" + _inline_css(p).replace("</style", "<\\/style") + "\n</style>"

    prefix = re.escape(_ASSET_PREFIX)
    html = re.sub(r'<script src="' + prefix + r'([^"]+)"></script>', js, html)
    html = re.sub(r'<link rel="stylesheet" href="' + prefix + r'([^"]+)"\s*/?>', css, html)
    if _ASSET_PREFIX in html:
        raise AssetError("aset lokal tersisa di halaman / a local asset link was not inlined")
    return html


# --------------------------------------------------------------------------- the map


def _js_json(value: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _field_spec(lang: str) -> dict[str, list[dict]]:
    return {
        layer: [
            {"key": k, "label": (li if lang != "en" else le), "kind": kind}
            for k, li, le, kind in fields
        ]
        for layer, fields in _FIELDS.items()
    }


def map_config(
    data: MapData,
    *,
    mode: str = "served",
    lang: str = "id",
    year: int | None = None,
    no_sk: str | None = None,
    select: str | None = None,
    basemaps: Mapping[str, str] | None = None,
    base_default: str = "none",
    urls: Mapping[str, str] | None = None,
) -> dict:
    """The settings the browser script needs (JSON): texts, colours, years, SK versions,
    funding sources, popup fields, and either API URLs (``mode="served"``) or the data
    itself (``mode="embedded"``)."""
    if mode not in ("served", "embedded"):
        raise UsageError(
            f"mode peta harus served|embedded, bukan {mode!r} / map mode must be served|embedded"
        )
    year = data.year_or_latest(year)
    no_sk = data.check_sk(no_sk) if no_sk is not None else data.latest_sk
    infra_styles = {}
    if len(data.infrastruktur):
        for j in sorted(set(_text(data.infrastruktur["jenis"]))):
            infra_styles[j] = infra_style(j)
    cfg: dict[str, Any] = {
        "mode": mode,
        "lang": "en" if lang == "en" else "id",
        "kota": data.kota,
        "text": map_text(lang),
        "fields": _field_spec(lang),
        "levels": [c for c in LEVEL_CODES if c][::-1],
        "level_colors": LEVEL_COLORS,
        "statuses": [s for s in STATUS_CODES if s],
        "status_colors": STATUS_COLORS,
        "classified": data.kolaborasi_classified,
        "infra_styles": infra_styles,
        "years": list(data.years),
        "year": year,
        "kegiatan_years": data.kegiatan_years(),
        "sumber_dana": data.sumber_dana(),
        "sk_versions": [
            {"no_sk": v["no_sk"], "tanggal_sk": v["tanggal_sk"], "lokasi": v["lokasi"]}
            for v in data.sk_versions
        ],
        "no_sk": no_sk,
        "select": select or "",
        "bounds": data.bounds,
        "basemaps": dict(basemaps or {}),
        "base_default": base_default,
        "counts": {k: int(len(getattr(data, k))) for k in LAYER_KEYS},
        "made": _dt.date.today().isoformat(),
    }
    if mode == "served":
        cfg["urls"] = dict(urls or {})
    else:
        cfg["data"] = _embedded_data(data, no_sk=no_sk)
    return cfg


def _embedded_data(data: MapData, *, no_sk: str | None) -> dict:
    """Every layer as GeoJSON for a self-contained page. RT features carry their level
    per year in ``levels``: ``{"2016": ["KS", total, sektoral, asal], ...}``; delineasi
    features carry ``sk``: {no_sk: luas_sk_ha} for every SK version that lists them."""
    out: dict[str, Any] = {}
    simplify = {"wilayah": 1.0, "delineasi": 0.5, "rt": 0.5}
    for layer in ("wilayah", "infrastruktur", "kolaborasi"):
        out[layer] = json.loads(layer_geojson(data, layer, simplify_m=simplify.get(layer)))
    # RT: static attributes + levels per year
    rt = json.loads(layer_geojson(data, "rt", simplify_m=simplify["rt"]))
    sc = data.scores
    per: dict[str, dict[str, list]] = {}
    sek = (
        sc["rata_sektoral"] if "rata_sektoral" in sc.columns else pd.Series(np.nan, index=sc.index)
    )
    for code, tahun, tk, tot, s, asal in zip(
        sc["kode_rt"].astype(str),
        sc["tahun"],
        sc["tingkat"].astype(str),
        sc["total_nilai"],
        sek,
        sc["asal"].astype(str),
        strict=True,
    ):
        per.setdefault(code, {})[str(int(tahun))] = [tk, _json_value(tot), _json_value(s), asal]
    for f in rt["features"]:
        p = f["properties"]
        for k in ("tahun", "tingkat", "total_nilai", "rata_sektoral", "asal"):
            p.pop(k, None)
        p["levels"] = per.get(str(p["kode_rt"]), {})
    out["rt"] = rt
    dl = json.loads(layer_geojson(data, "delineasi", simplify_m=simplify["delineasi"]))
    membership: dict[str, dict[str, float | None]] = {}
    if len(data.sk):
        for no, code, luas in zip(_text(data.sk["no_sk"]), _text(data.sk["kode_kawasan"]),
                                  pd.to_numeric(data.sk["luas_sk_ha"], errors="coerce"), strict=True):  # fmt: skip
            membership.setdefault(code, {})[no] = _json_value(luas)
    for f in dl["features"]:
        f["properties"]["sk"] = membership.get(str(f["properties"]["kode_kawasan"]), {})
    out["delineasi"] = dl
    return out


def _kumuhgis_element(config: dict, base_names: dict[str, str]):
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from folium.template import Template

    class KumuhgisLayers(JSCSSMixin, MacroElement):
        """Loads the kumuhgis map script and starts it on the Folium map."""

        default_js = [("kumuhgis_map_js", _ASSET_PREFIX + "kumuhgis/map.js")]
        default_css = [("kumuhgis_map_css", _ASSET_PREFIX + "kumuhgis/map.css")]
        _template = Template(
            """
            {% macro script(this, kwargs) %}
            window.kumuhgisMap = KG.init({{ this._parent.get_name() }}, {{ this.config_json }}, {
            {%- for label, name in this.base_names.items() %}
                {{ label|tojson }}: {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
            });
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "KumuhgisLayers"
            self.config_json = _js_json(config)
            self.base_names = base_names

    return KumuhgisLayers()


def build_map(
    data: MapData,
    *,
    config: dict,
    asset_url: Callable[[str], str],
    local_basemap: Mapping[str, Any] | None = None,
):
    """The Folium map of the viewer: no default tiles, an OpenStreetMap layer that is only
    loaded when chosen, an optional local basemap (MBTiles/GeoTIFF served by the app),
    fullscreen, and the kumuhgis layers script (layers, legend, metric scale bar, search,
    filters, print layout) started with ``config``
    (:func:`map_config`). Every script and style link goes through ``asset_url``
    (:func:`localize_assets`).

    ``local_basemap``: ``{"url": "/peta/dasar/{z}/{x}/{y}.png", "name": ..., "attribution":
    ..., "min_zoom": .., "max_zoom": .., "bounds": [w, s, e, n]}``.
    """
    import folium
    from folium import plugins

    text = config["text"]
    b = data.bounds
    center = [(b[1] + b[3]) / 2, (b[0] + b[2]) / 2] if b is not None else [-2.5, 118.0]
    m = folium.Map(
        location=center,
        zoom_start=13 if b is not None else 5,
        tiles=None,
        control_scale=False,  # the kumuhgis script adds a metric-only scale bar
        max_zoom=MAX_ZOOM,
        width="100%",
        height="100%",
    )
    bases: dict[str, str] = {}
    osm = folium.TileLayer(
        "OpenStreetMap",
        name=text["base_osm"],
        overlay=False,
        control=False,
        show=config.get("base_default") == "osm",
        max_zoom=MAX_ZOOM,
        max_native_zoom=19,
    )
    osm.add_to(m)
    bases["osm"] = osm.get_name()
    if local_basemap:
        opts: dict[str, Any] = {
            "max_zoom": MAX_ZOOM,
            "max_native_zoom": int(local_basemap.get("max_zoom", 19)),
        }
        if local_basemap.get("bounds"):
            w, s, e, n = local_basemap["bounds"]
            opts["bounds"] = [[s, w], [n, e]]
        if local_basemap.get("min_zoom") is not None:
            opts["min_native_zoom"] = int(local_basemap["min_zoom"])
        local = folium.TileLayer(
            tiles=local_basemap["url"],
            attr=str(local_basemap.get("attribution") or text["base_local"]),
            name=str(local_basemap.get("name") or text["base_local"]),
            overlay=False,
            control=False,
            show=config.get("base_default") == "local",
            **opts,
        )
        local.add_to(m)
        bases["local"] = local.get_name()
    plugins.Fullscreen(
        position="topleft", title="Layar penuh / Full screen", title_cancel=text["close"]
    ).add_to(m)
    _kumuhgis_element(config, bases).add_to(m)
    # Folium's own map defaults we do not use (jQuery, Bootstrap, icon fonts) are dropped here.
    localize_assets(m, asset_url)
    return m


@dataclass(frozen=True)
class MapParts:
    """A rendered Folium map split for a page template: ``header`` (links and styles),
    ``html`` (the map element) and ``script`` (the code that builds the map)."""

    header: str
    html: str
    script: str


def map_parts(m) -> MapParts:
    """Render a Folium map into the three parts a page template places itself."""
    fig = m.get_root()
    fig.render()
    parts = MapParts(header=fig.header.render(), html=fig.html.render(), script=fig.script.render())
    bad = [u for u in external_urls(parts.header + parts.html) if u]
    if bad:
        raise AssetError(f"tautan luar di halaman peta / external links in the map page: {bad}")
    return parts


def export_map_html(
    data: MapData,
    *,
    lang: str = "id",
    year: int | None = None,
    no_sk: str | None = None,
) -> str:
    """One self-contained HTML page of the city map that works with the network off.

    Every script, style and icon is inlined; every layer is embedded as GeoJSON (RT,
    delineasi and kelurahan boundaries simplified to 0.5–1 m) with the RT levels of every
    year, so the year, SK version and filters work without a server. OpenStreetMap stays
    available as a basemap for when the laptop is online.
    """
    config = map_config(data, mode="embedded", lang=lang, year=year, no_sk=no_sk)
    m = build_map(data, config=config, asset_url=lambda p: _ASSET_PREFIX + p)
    fig = m.get_root()
    title = map_text(lang)["title"] + (f" — {data.kota}" if data.kota else "")
    fig.title = title
    html = fig.render()
    html = html.replace(
        "<head>", '<head>\n<meta charset="utf-8">\n<title>' + _escape(title) + "</title>", 1
    )
    html = inline_assets(html)
    bad = external_urls(html)
    if bad:
        raise AssetError(f"tautan luar tersisa / external links left: {bad}")
    return html


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


# --------------------------------------------------------------------------- map image

_IMAGE_SIZES = {
    # name: (width in, height in, dpi)
    "proyektor": (16.0, 9.0, 120),  # 1920 × 1080 px
    "a3": (16.54, 11.69, 200),  # A3 landscape, 3308 × 2338 px
}


def render_map_image(
    data: MapData,
    *,
    year: int | None = None,
    no_sk: str | None = None,
    size: str = "proyektor",
    lang: str = "id",
) -> bytes:
    """A PNG of the city map for a projector (1920 × 1080) or an A3 landscape print.

    RT polygons coloured by level of ``year``, the delineation of SK ``no_sk``, kelurahan
    boundaries with names, kolaborasi by status; title, legend, north arrow, a scale bar
    and the date. Drawn in the city's SRGI2013 UTM zone (true scale), without a basemap.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from kumuhgis.geo.crs import srgi2013_utm_epsg

    if size not in _IMAGE_SIZES:
        raise UsageError(
            f"ukuran gambar harus {' atau '.join(_IMAGE_SIZES)} / image size must be one of {', '.join(_IMAGE_SIZES)}"
        )
    t = map_text(lang)
    year = data.year_or_latest(year)
    no_sk = data.check_sk(no_sk) if no_sk else data.latest_sk
    w_in, h_in, dpi = _IMAGE_SIZES[size]
    fig = Figure(figsize=(w_in, h_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.04, 0.74, 0.86))
    ax.set_axis_off()
    if data.bounds is None:
        ax.text(0.5, 0.5, t["no_data"], ha="center", va="center", transform=ax.transAxes)
    else:
        lon = (data.bounds[0] + data.bounds[2]) / 2
        lat = (data.bounds[1] + data.bounds[3]) / 2
        crs = f"EPSG:{srgi2013_utm_epsg(lon, lat)}"
        rt = _rt_frame(data, year).to_crs(crs) if len(data.rt) else None
        if rt is not None:
            colors = [LEVEL_COLORS.get(v, LEVEL_COLORS[""]) for v in rt["tingkat"]]
            rt.plot(ax=ax, color=colors, edgecolor="white", linewidth=0.2)
        if len(data.wilayah):
            wil = data.wilayah.to_crs(crs)
            wil.boundary.plot(ax=ax, color="#333333", linewidth=1.0)
            for name, pt in zip(wil["kelurahan"], wil.geometry.representative_point(), strict=True):
                ax.annotate(str(name), (pt.x, pt.y), ha="center", va="center", fontsize=7,
                            color="#111111", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})  # fmt: skip
        dl = _delineasi_frame(data, no_sk)
        if len(dl):
            dl.to_crs(crs).boundary.plot(ax=ax, color="#5e3c99", linewidth=1.6, linestyle="--")
        k = data.kolaborasi
        if len(k):
            kk = k.to_crs(crs)
            colors = [STATUS_COLORS.get(s, STATUS_COLORS[""]) for s in _text(kk["status"])]
            kk.plot(ax=ax, color=colors, markersize=10, linewidth=1.2)
        ax.set_aspect("equal")
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        # scale bar: a round length near a fifth of the map width
        span = (x1 - x0) / 5
        exp = 10 ** math.floor(math.log10(span))
        length = max(v * exp for v in (1, 2, 5) if v * exp <= span)
        bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
        ax.plot([bx, bx + length], [by, by], color="black", linewidth=3, solid_capstyle="butt")
        label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
        ax.text(
            bx + length / 2, by + (y1 - y0) * 0.012, label, ha="center", va="bottom", fontsize=9
        )
        nx, ny = x1 - (x1 - x0) * 0.04, y1 - (y1 - y0) * 0.10
        ax.annotate(t["north"], xy=(nx, ny + (y1 - y0) * 0.07), xytext=(nx, ny), ha="center",
                    fontsize=12, fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 2})  # fmt: skip
        ax.text(
            0.0, -0.02, f"{crs} (SRGI2013 UTM)", transform=ax.transAxes, fontsize=7, color="#555555"
        )
    title = t["title"] + (f" — {data.kota}" if data.kota else "")
    fig.text(0.02, 0.95, title, fontsize=18, fontweight="bold", va="center")
    sub = f"{t['level_year']} {year}" if year is not None else ""
    if no_sk:
        sub += f"   ·   {t['sk_version']} {no_sk}"
    fig.text(0.02, 0.915, sub, fontsize=11, va="center", color="#333333")
    handles = [
        Patch(facecolor=LEVEL_COLORS[c], edgecolor="#999999", label=f"{t[c]} ({c})")
        for c in ("KB", "KS", "KR", "TK")
    ]
    handles.append(Patch(facecolor=LEVEL_COLORS[""], edgecolor="#999999", label=t["no_data"]))
    handles.append(
        Line2D([], [], color="#5e3c99", linestyle="--", linewidth=1.6, label=t["delineasi"])
    )
    handles.append(Line2D([], [], color="#333333", linewidth=1.0, label=t["wilayah"]))
    if len(data.kolaborasi):
        for s in ("dalam", "sebagian", "batas", "luar") if data.kolaborasi_classified else ("",):
            handles.append(Line2D([], [], marker="o", linestyle="", color=STATUS_COLORS[s],
                                  label=f"{t['kolaborasi']}: {t[s] if s else t['unclassified']}"))  # fmt: skip
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.775, 0.88),
        fontsize=9,
        title=t["legend"],
        frameon=False,
    )
    fig.text(
        0.775,
        0.06,
        f"{t['source']}\n{t['made']}: {_dt.date.today().isoformat()}",
        fontsize=8,
        color="#555555",
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
