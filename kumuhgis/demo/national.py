"""A synthetic national dataset: many demo cities at real Indonesian places, with points.

City ``i`` is the demo city of :func:`kumuhgis.demo.build_demo` built with seed
``seed + i`` (so every city has its own shapes, kawasan, surveys and works), moved from
Sampit to a real city's place (:data:`PLACES`, in its own UTM zone: shapes keep their size
in metres) and given that city's name and Kemendagri code (the kelurahan and RT codes take
the new city code as prefix). Beyond the places listed, further cities are put at
synthetic places east of a listed one, with a synthetic code and "(sintetis N)" in the name.

Points stand for building footprint centroids: 85 % in the RTs, drawn in proportion to
each RT's ``jumlah_bangunan``, 15 % scattered over the city's extent; they are written in
the city's metric CRS (:func:`kumuhgis.national.dataset.write_points`).

Everything is generated city by city and written at once
(:func:`kumuhgis.national.dataset.write_city`, :func:`~kumuhgis.national.dataset.write_points`,
points in chunks of at most :data:`POINT_CHUNK`), so memory stays that of one city and one
chunk however many cities and points there are. The same arguments give the same files,
whether one process writes them or several (``workers``: one city per task, each city
drawn from its own seed): 270 cities and 10^8 points took 12 min on 2 loaded cores.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from kumuhgis.core.schema import LAYERS, STORAGE_CRS, get_layer
from kumuhgis.demo import DEFAULT_SEED, build_demo
from kumuhgis.demo.town import KODE_KOTA, WORK_CRS
from kumuhgis.geo.crs import metric_crs, srgi2013_utm_epsg
from kumuhgis.national.build import add_project
from kumuhgis.national.dataset import POINTS_DIR, CityPartition, write_points

__all__ = ["PLACES", "POINT_CHUNK", "NationalPlace", "national_places", "write_national_demo"]

POINT_CHUNK = 1 << 22  # points generated and written at a time

# (kode_kota, name, provinsi, lon, lat): real places and Kemendagri codes (coordinates of
# the city centre, rounded to 0.01°).
PLACES: tuple[tuple[str, str, str, float, float], ...] = (
    ("6202", "Kabupaten Kotawaringin Timur", "Kalimantan Tengah", 112.95, -2.54),
    ("1171", "Kota Banda Aceh", "Aceh", 95.32, 5.55),
    ("1275", "Kota Medan", "Sumatera Utara", 98.67, 3.59),
    ("1371", "Kota Padang", "Sumatera Barat", 100.35, -0.95),
    ("1471", "Kota Pekanbaru", "Riau", 101.45, 0.51),
    ("1571", "Kota Jambi", "Jambi", 103.61, -1.61),
    ("1671", "Kota Palembang", "Sumatera Selatan", 104.75, -2.98),
    ("1771", "Kota Bengkulu", "Bengkulu", 102.26, -3.80),
    ("1871", "Kota Bandar Lampung", "Lampung", 105.26, -5.43),
    ("1971", "Kota Pangkal Pinang", "Kepulauan Bangka Belitung", 106.11, -2.13),
    ("2171", "Kota Batam", "Kepulauan Riau", 104.03, 1.08),
    ("3172", "Kota Jakarta Utara", "DKI Jakarta", 106.90, -6.13),
    ("3273", "Kota Bandung", "Jawa Barat", 107.61, -6.91),
    ("3374", "Kota Semarang", "Jawa Tengah", 110.42, -6.99),
    ("3471", "Kota Yogyakarta", "DI Yogyakarta", 110.37, -7.80),
    ("3578", "Kota Surabaya", "Jawa Timur", 112.75, -7.26),
    ("3671", "Kota Tangerang", "Banten", 106.63, -6.18),
    ("5171", "Kota Denpasar", "Bali", 115.22, -8.65),
    ("5271", "Kota Mataram", "Nusa Tenggara Barat", 116.12, -8.58),
    ("5371", "Kota Kupang", "Nusa Tenggara Timur", 123.60, -10.17),
    ("6171", "Kota Pontianak", "Kalimantan Barat", 109.34, -0.03),
    ("6371", "Kota Banjarmasin", "Kalimantan Selatan", 114.59, -3.32),
    ("6472", "Kota Samarinda", "Kalimantan Timur", 117.15, -0.50),
    ("6571", "Kota Tarakan", "Kalimantan Utara", 117.59, 3.30),
    ("7171", "Kota Manado", "Sulawesi Utara", 124.84, 1.47),
    ("7271", "Kota Palu", "Sulawesi Tengah", 119.87, -0.90),
    ("7371", "Kota Makassar", "Sulawesi Selatan", 119.43, -5.14),
    ("7471", "Kota Kendari", "Sulawesi Tenggara", 122.51, -3.97),
    ("7571", "Kota Gorontalo", "Gorontalo", 123.06, 0.54),
    ("7604", "Kabupaten Mamuju", "Sulawesi Barat", 118.89, -2.68),
    ("8171", "Kota Ambon", "Maluku", 128.18, -3.70),
    ("8271", "Kota Ternate", "Maluku Utara", 127.38, 0.79),
    ("9171", "Kota Sorong", "Papua Barat", 131.25, -0.88),
    ("9471", "Kota Jayapura", "Papua", 140.72, -2.53),
    ("6271", "Kota Palangka Raya", "Kalimantan Tengah", 113.92, -2.21),
    ("6471", "Kota Balikpapan", "Kalimantan Timur", 116.83, -1.24),
    ("3573", "Kota Malang", "Jawa Timur", 112.63, -7.98),
    ("3372", "Kota Surakarta", "Jawa Tengah", 110.82, -7.57),
    ("3275", "Kota Bekasi", "Jawa Barat", 107.00, -6.24),
    ("1272", "Kota Pematangsiantar", "Sumatera Utara", 99.07, 2.96),
    ("7372", "Kota Parepare", "Sulawesi Selatan", 119.63, -4.01),
)
_SHIFT_DEG = 0.25  # synthetic places: this far east of the listed one per round


@dataclass(frozen=True)
class NationalPlace:
    """Where and as whom city ``i`` of the national demo stands."""

    kode_kota: str
    kota: str
    provinsi: str
    lon: float
    lat: float


def national_places(n: int) -> list[NationalPlace]:
    """The places of ``n`` cities: :data:`PLACES` first, then synthetic places (a listed
    place shifted east by ``0.25° × round``, code ``PP`` + an unused number from 30 up)."""
    out, used = [], {p[0] for p in PLACES}
    for i in range(n):
        kode, kota, prov, lon, lat = PLACES[i % len(PLACES)]
        rnd = i // len(PLACES)
        if rnd:
            num = 30
            while f"{kode[:2]}{num:02d}" in used:
                num += 1
            kode = f"{kode[:2]}{num:02d}"
            used.add(kode)
            kota, lon = f"{kota} (sintetis {rnd})", lon + _SHIFT_DEG * rnd
        out.append(NationalPlace(kode, kota, prov, lon, lat))
    return out


def _moved(series: gpd.GeoSeries, shift: tuple[float, float], target: str) -> gpd.GeoSeries:
    work = series.to_crs(WORK_CRS)
    arr = shapely.transform(np.asarray(work.array, dtype=object), lambda c: c + np.asarray(shift))
    return gpd.GeoSeries(arr, crs=target, index=series.index).to_crs(STORAGE_CRS)


_CODE = re.compile(rf"(?<![0-9]){KODE_KOTA}(?=[0-9])")


def place_city(layers: dict[str, pd.DataFrame], settings: dict, place: NationalPlace):
    """The demo city's layers and settings moved to ``place`` (module docstring)."""
    wilayah = layers["wilayah"].to_crs(WORK_CRS)
    b = wilayah.total_bounds
    target = f"EPSG:{srgi2013_utm_epsg(place.lon, place.lat)}"
    tx, ty = Transformer.from_crs(STORAGE_CRS, target, always_xy=True).transform(
        place.lon, place.lat
    )
    shift = (tx - (b[0] + b[2]) / 2, ty - (b[1] + b[3]) / 2)
    out = {}
    for name, frame in layers.items():
        frame = frame.copy()
        for col in frame.columns:
            if col != "geometry" and pd.api.types.is_string_dtype(frame[col]):
                frame[col] = frame[col].str.replace(_CODE, place.kode_kota, regex=True)
        if get_layer(name).spatial:
            frame = frame.set_geometry(_moved(frame.geometry, shift, target))
        out[name] = frame
    out["wilayah"]["kota"] = pd.Series([place.kota] * len(out["wilayah"]), dtype="str").to_numpy()
    new = dict(settings) | {
        "kota": place.kota,
        "provinsi": place.provinsi,
        "kode_kota": place.kode_kota,
        "crs_kerja": target,
        "keterangan": f"Kota demo nasional (benih / seed {settings.get('_seed')}): "
        "geometri dan angka sintetis / synthetic geometry and figures",
    }
    new.pop("_seed", None)
    new.pop("ibukota", None)
    return out, new


def building_points(
    rt: gpd.GeoDataFrame, baseline: pd.DataFrame, n: int, rng: np.random.Generator, crs
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` building centroids (x, y in the metric ``crs``): 85 % in the RTs in proportion
    to their 2016 ``jumlah_bangunan``, 15 % uniform over the RTs' extent grown by 1 km."""
    geoms = np.asarray(rt.to_crs(crs).geometry.array, dtype=object)
    shapely.prepare(geoms)
    first = baseline.sort_values("tahun", kind="stable").drop_duplicates("kode_rt")
    weight = (
        rt[["kode_rt"]].merge(first[["kode_rt", "jumlah_bangunan"]], on="kode_rt", how="left")
        ["jumlah_bangunan"].fillna(0).to_numpy(dtype=float) + 1.0
    )  # fmt: skip
    n_in = int(round(n * 0.85))
    which = rng.choice(len(geoms), size=n_in, p=weight / weight.sum())
    bounds = shapely.bounds(geoms)
    x, y = np.empty(n_in), np.empty(n_in)
    todo = np.arange(n_in)
    while len(todo):
        b = bounds[which[todo]]
        cx = rng.uniform(b[:, 0], b[:, 2])
        cy = rng.uniform(b[:, 1], b[:, 3])
        ok = shapely.contains_xy(geoms[which[todo]], cx, cy)
        x[todo[ok]], y[todo[ok]] = cx[ok], cy[ok]
        todo = todo[~ok]
    tb = shapely.total_bounds(geoms) + np.array([-1000.0, -1000.0, 1000.0, 1000.0])
    n_out = n - n_in
    x = np.concatenate([x, rng.uniform(tb[0], tb[2], n_out)])
    y = np.concatenate([y, rng.uniform(tb[1], tb[3], n_out)])
    return x, y


def _points_of(i: int, cities: int, points: int) -> int:
    return points // cities + (1 if i < points % cities else 0)


def write_national_demo(
    root: str | os.PathLike,
    *,
    cities: int,
    points: int = 0,
    seed: int = DEFAULT_SEED,
    projects: str | os.PathLike | None = None,
    on_city: Callable[[CityPartition], None] | None = None,
    workers: int = 1,
) -> list[CityPartition]:
    """Write a national dataset of ``cities`` demo cities and ``points`` building points in
    all at ``root`` (module docstring); with ``projects``, also each city as a project
    (``<kode_kota>.gpkg``) for the city-by-city commands. Deterministic in ``seed``.

    With ``workers`` > 1, cities are generated by that many processes at once, one city per
    task: a city depends only on ``seed`` and its number, so the files are those of one
    process (only the projects' creation times differ) and memory is one city and one
    point chunk per process. ``on_city`` is called in city order."""
    import tempfile

    root = Path(root)
    written = []
    with tempfile.TemporaryDirectory(prefix="kumuhgis-nasional-") as tmp:
        folder = Path(projects) if projects is not None else Path(tmp)
        tasks = [
            _CityTask(root, folder, projects is not None, i, place, seed, _points_of(i, cities, points))
            for i, place in enumerate(national_places(cities))
        ]  # fmt: skip
        with _pool(workers, len(tasks)) as pool:
            for part in pool.map(_write_city, tasks) if pool else map(_write_city, tasks):
                written.append(part)
                if on_city is not None:
                    on_city(part)
    return written


@contextmanager
def _pool(workers: int, tasks: int):
    """A pool of ``workers`` fresh processes (spawned: no state inherited from the caller's
    threads), or ``None`` for one process."""
    if min(workers, tasks) <= 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    pool = ProcessPoolExecutor(min(workers, tasks), mp_context=get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class _CityTask:
    root: Path
    folder: Path
    keep_project: bool
    i: int
    place: NationalPlace
    seed: int
    points: int


def _write_city(task: _CityTask) -> CityPartition:
    """City ``task.i``: built, stored as a project, written as a partition, with its points."""
    from kumuhgis.store import create_store

    city = build_demo(seed=task.seed + task.i)
    layers, settings = place_city(
        {n: city.layers[n] for n in LAYERS},
        city.settings | {"_seed": task.seed + task.i},
        task.place,
    )
    # through a project, so the partition holds what the store would hold
    project = task.folder / f"{task.place.kode_kota}.gpkg"
    create_store(project, kota=task.place.kota, settings=settings, layers=layers,
                 overwrite=True, command="kumuhgis demo --national")  # fmt: skip
    part = add_project(task.root, project)
    if not task.keep_project:
        project.unlink()
    _write_city_points(task.root, part, layers, task.points, [task.seed, task.i, 1])
    return part


def _write_city_points(root: Path, part: CityPartition, layers, n: int, seed) -> None:
    rng = np.random.default_rng(seed)
    crs = metric_crs(layers["delineasi"])  # the CRS the run's index of this city works in
    for j, s in enumerate(range(0, n, POINT_CHUNK)):
        x, y = building_points(layers["rt"], layers["baseline"], min(POINT_CHUNK, n - s), rng, crs)
        write_points(root / POINTS_DIR / part.key, x, y, crs=crs, part=j, first_id=s)
