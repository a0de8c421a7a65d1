"""What the viewer shows, computed once from a city snapshot: :class:`MapData`.

:func:`load_map_data` takes a :class:`kumuhgis.core.snapshot.CitySnapshot` (read by the
caller: the CLI once per command, the app once per store version) and adds what the map
needs: RT levels per year from :func:`kumuhgis.analysis.city.score_city` (domain.md §4–§5),
RT → kawasan from :func:`kumuhgis.analysis.reduction.rt_units`, the kolaborasi status from
:func:`kumuhgis.analysis.city.classify_city` (domain.md §7), areas per domain.md §10, and
(lazily) a spatial index of the RT polygons in web mercator. It opens no file.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.errors import UsageError
from kumuhgis.core.snapshot import CitySnapshot
from kumuhgis.outputs.webmap.mercator import geoms_to_mercator
from kumuhgis.outputs.webmap.style import LEVEL_CODES

__all__ = ["MapData", "RTIndex", "load_map_data", "as_text"]

_TILE_CACHE_SIZE = 4096
_RT_PLACE_COLUMNS = ("kelurahan", "kecamatan", "kode_kawasan", "nama_kawasan")
_SCORE_COLUMNS = ("kode_rt", "tahun", "luas_ha", "tingkat", "total_nilai", "asal")


def as_text(values: pd.Series) -> pd.Series:
    """A column as text, with every kind of missing value (``None``, NaN, ``<NA>``) as ``""``."""
    return values.astype("str").fillna("").replace({"nan": "", "<NA>": "", "None": ""})


@dataclass
class RTIndex:
    """The RT polygons in web mercator with their bounds and an STR-tree, row for row."""

    geoms: np.ndarray  # mercator polygons, oriented (exterior counter-clockwise)
    bounds: np.ndarray  # (n, 4) mercator bounds
    tree: shapely.STRtree


@dataclass
class MapData:
    """Everything the viewer shows, computed once from a snapshot (see :func:`load_map_data`).

    Frames are in EPSG:4326. ``scores`` holds one row per RT and year with ``tingkat``,
    ``total_nilai``, ``rata_sektoral``, the aspect averages and ``asal``. ``kolaborasi``
    has ``status_lokasi`` (empty when the project has no delineation to classify against).
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
    _rt_index: RTIndex | None = field(default=None, repr=False)
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

    def rt_index(self) -> RTIndex:
        with self._lock:
            if self._rt_index is None:
                merc = geoms_to_mercator(self.rt.geometry.to_numpy())
                merc = shapely.orient_polygons(merc)
                self._rt_index = RTIndex(
                    geoms=merc, bounds=shapely.bounds(merc), tree=shapely.STRtree(merc)
                )
            return self._rt_index

    def level_index(self, year: int | None) -> np.ndarray:
        """Palette index (:data:`~kumuhgis.outputs.webmap.style.LEVEL_CODES`) of every RT
        row for ``year``."""
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
                vals.update(v for v in as_text(frame["sumber_dana"]) if v)
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
    akhir, lokasi = as_text(out["status_akhir"]), as_text(out["status_lokasi"])
    out["status"] = akhir.where(akhir != "", lokasi)
    return out, classified


def _kelurahan(wilayah: gpd.GeoDataFrame, rt: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Kelurahan with their area (domain.md §10), RT count and a label point."""
    from kumuhgis.geo.area import hectares

    wil = wilayah.copy()
    wil["luas_ha"] = hectares(wil.geometry).to_numpy() if len(wil) else np.array([], dtype=float)
    counts = rt["kode_kel"].astype(str).value_counts() if len(rt) else pd.Series(dtype=int)
    wil["jumlah_rt"] = wil["kode_kel"].astype(str).map(counts).fillna(0).astype(int).to_numpy()
    pts = wil.geometry.representative_point() if len(wil) else gpd.GeoSeries([], crs=wil.crs)
    wil["label_lon"] = pts.x.to_numpy() if len(wil) else np.array([], dtype=float)
    wil["label_lat"] = pts.y.to_numpy() if len(wil) else np.array([], dtype=float)
    return wil


def _rt_places(snapshot: CitySnapshot) -> gpd.GeoDataFrame:
    """RT with its kelurahan, kecamatan and kawasan (:func:`kumuhgis.analysis.reduction.rt_units`)
    and its polygon area in hectares (domain.md §10)."""
    from kumuhgis.analysis.reduction import rt_units
    from kumuhgis.geo.area import hectares

    rt = snapshot.rt
    rtd = rt.copy()
    if not len(rt):
        for c in _RT_PLACE_COLUMNS:
            rtd[c] = pd.Series([], dtype="str")
        rtd["luas_poligon_ha"] = pd.Series([], dtype="float64")
        return rtd
    units = rt_units(rt, snapshot.wilayah, delineasi=snapshot.delineasi, sk_kumuh=snapshot.sk_kumuh)
    units = units.drop_duplicates("kode_rt").set_index("kode_rt")
    codes = rtd["kode_rt"].astype(str)
    for c in _RT_PLACE_COLUMNS:
        rtd[c] = codes.map(units[c]).fillna("").astype(str).to_numpy()
    for c in ("kode_kawasan", "nama_kawasan"):
        rtd[c] = rtd[c].where(~rtd[c].str.startswith("("), "")
    rtd["luas_poligon_ha"] = hectares(rtd.geometry).to_numpy()
    return rtd


def _rt_scores(snapshot: CitySnapshot) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """Level, total score, averages and origin of every RT and year
    (:func:`kumuhgis.analysis.city.score_city`, domain.md §4–§5) and the years they cover."""
    if not len(snapshot.baseline):
        empty = pd.DataFrame(
            {
                "kode_rt": pd.Series([], dtype="str"),
                "tahun": pd.Series([], dtype="int64"),
                "luas_ha": pd.Series([], dtype="float64"),
                "tingkat": pd.Series([], dtype="str"),
                "total_nilai": pd.Series([], dtype="int64"),
                "asal": pd.Series([], dtype="str"),
            }
        )
        return empty, ()
    from kumuhgis.analysis.city import score_city

    scores = score_city(snapshot).scores
    keep = [c for c in scores.columns if c in _SCORE_COLUMNS or c.startswith("rata_")]
    scores = pd.DataFrame(scores[keep]).copy()
    scores["kode_rt"] = scores["kode_rt"].astype(str)
    scores["tahun"] = pd.to_numeric(scores["tahun"]).astype(int)
    years = tuple(sorted(int(y) for y in scores["tahun"].unique()))
    return scores, years


def _kawasan(delineasi: gpd.GeoDataFrame, wilayah: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Delineated kawasan with their area (domain.md §10) and kelurahan name."""
    from kumuhgis.geo.area import hectares

    dl = delineasi.copy()
    dl["luas_ha"] = hectares(dl.geometry).to_numpy() if len(dl) else np.array([], dtype=float)
    kel_name = dict(zip(as_text(wilayah["kode_kel"]), as_text(wilayah["kelurahan"]), strict=True))
    dl["kelurahan"] = as_text(dl["kode_kel"]).map(kel_name).fillna("").to_numpy() if len(dl) else []
    return dl


def _sk_versions(snapshot: CitySnapshot) -> list[dict]:
    """The SK versions of :func:`kumuhgis.core.sk.sk_versions` (date-checked, in date order,
    domain.md §6) as the viewer lists them: number, ISO date, kawasan codes, number of
    locations and Σ ``luas_sk_ha`` of its rows."""
    versions = snapshot.sk_versions
    if not len(versions):
        return []
    sk = snapshot.sk_kumuh
    rows = sk.groupby(sk["no_sk"].astype(str).to_numpy(), sort=False)
    out = []
    for v in versions.itertuples(index=False):
        of_sk = rows.get_group(v.no_sk)
        out.append(
            {
                "no_sk": str(v.no_sk),
                "tanggal_sk": v.tanggal_sk.strftime("%Y-%m-%d"),
                "kawasan": sorted(as_text(of_sk["kode_kawasan"]).unique().tolist()),
                "lokasi": int(v.jumlah_lokasi),
                "luas_sk_ha": float(pd.to_numeric(of_sk["luas_sk_ha"], errors="coerce").sum()),
            }
        )
    return out


def _bounds(snapshot: CitySnapshot) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` of every spatial layer, ``None`` when all are empty."""
    layers = (snapshot.wilayah, snapshot.rt, snapshot.delineasi, snapshot.infrastruktur,
              snapshot.kolaborasi)  # fmt: skip
    frames = [f for f in layers if len(f)]
    if not frames:
        return None
    b = np.array([f.total_bounds for f in frames])
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))


def load_map_data(snapshot: CitySnapshot) -> MapData:
    """What the viewer shows of a project (every layer, RT levels per year, kolaborasi status).

    RT levels are those of :func:`kumuhgis.analysis.city.score_city` (domain.md §4; derived years
    per §5); hectares are ellipsoidal (:func:`kumuhgis.geo.area.hectares`, domain.md §10) unless
    the baseline gives ``luas_ha``. The snapshot's ``version`` identifies the store version
    the data came from (the app caches by it).
    """
    settings, meta = snapshot.settings, snapshot.meta
    scores, years = _rt_scores(snapshot)
    kolaborasi, classified = _classify_kolaborasi(snapshot)
    return MapData(
        kota=str(settings.get("kota") or meta.get("kota") or ""),
        settings=settings,
        wilayah=_kelurahan(snapshot.wilayah, snapshot.rt),
        rt=_rt_places(snapshot).reset_index(drop=True),
        scores=scores.reset_index(drop=True),
        years=years,
        delineasi=_kawasan(snapshot.delineasi, snapshot.wilayah),
        sk=snapshot.sk_kumuh,
        sk_versions=_sk_versions(snapshot),
        infrastruktur=snapshot.infrastruktur,
        kolaborasi=kolaborasi,
        kolaborasi_classified=classified,
        bounds=_bounds(snapshot),
        version_key=snapshot.version,
    )
