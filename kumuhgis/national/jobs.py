"""The work one Dask worker does for one city (:func:`city_job`) or one point file
(:func:`points_job`).

A job reads its partition, computes, writes its own part of the GeoParquet outputs
(``OUT/skor_rt/provinsi=PP/kota=KKKK/part.parquet`` …) and returns only small tables,
so neither a worker nor the client ever holds more than one city's data. Every result
carries the job's time (wall clock and this process's CPU time) and the worker's peak
resident memory so far, for the run's
performance table.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from kumuhgis.national.dataset import (
    CityPartition,
    kawasan_in_force,
    point_crs,
    read_city,
    read_layer,
    read_points_xy,
    read_settings,
)
from kumuhgis.national.figures import (
    PointCounts,
    city_figures,
    classify_points,
    point_index,
    point_tolerance,
)

__all__ = ["CityResult", "PointsResult", "city_job", "points_job", "peak_memory_mb"]

SCORES_DIR = "skor_rt"
KOLABORASI_DIR = "kolaborasi"


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MiB (``ru_maxrss``; NaN on Windows,
    which has no ``resource`` module)."""
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid-{os.getpid()}"


@dataclass
class CityResult:
    """What :func:`city_job` returns: the city, its reduction per scope (``totals`` and
    ``per_tahun`` of :class:`~kumuhgis.analysis.reduction.Reduction`), its kolaborasi
    summary by year, counts, and the job's time and memory."""

    city: CityPartition
    year_from: int
    year_to: int
    totals: dict[str, dict]
    per_tahun: dict[str, pd.DataFrame]
    kolaborasi_tahun: pd.DataFrame
    jumlah_rt: int
    jumlah_rt_tahun: int
    seconds: float
    peak_mb: float
    worker: str
    cpu_seconds: float = 0.0


@dataclass
class PointsResult:
    """What :func:`points_job` returns for one point file."""

    city: CityPartition
    tahun: int | None
    no_sk: str | None
    counts: dict[str, int]
    per_kawasan: pd.DataFrame
    seconds: float
    classify_seconds: float
    peak_mb: float
    worker: str
    files: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0


def _part_path(out: Path, kind: str, city: CityPartition, name: str = "part-0.parquet") -> Path:
    path = out / kind / city.key / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _with_city(frame: pd.DataFrame, city: CityPartition) -> pd.DataFrame:
    return frame.assign(kode_prov=city.kode_prov, kode_kota=city.kode_kota)


def city_job(city: CityPartition, out: str) -> CityResult:
    """Figures of one city (:func:`kumuhgis.national.figures.city_figures`), its RT scores
    (with the RT polygons) and classified kolaborasi written as GeoParquet parts."""
    t0, c0 = time.perf_counter(), time.process_time()
    snap = read_city(city)
    fig = city_figures(snap)
    out_dir = Path(out)
    rt = snap.rt[["kode_rt", snap.rt.geometry.name]]
    scores = rt.merge(fig.scores, on="kode_rt", how="right")
    _with_city(scores, city).to_parquet(_part_path(out_dir, SCORES_DIR, city), index=False)
    _with_city(fig.kolaborasi, city).to_parquet(
        _part_path(out_dir, KOLABORASI_DIR, city), index=False
    )
    return CityResult(
        city=city,
        year_from=fig.year_from,
        year_to=fig.year_to,
        totals={scope: dict(r.totals) for scope, r in fig.reduction.items()},
        per_tahun={scope: r.per_tahun for scope, r in fig.reduction.items()},
        kolaborasi_tahun=fig.kolaborasi_tahun,
        jumlah_rt=int(len(snap.rt)),
        jumlah_rt_tahun=int(len(fig.scores)),
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
        peak_mb=peak_memory_mb(),
        worker=_worker_name(),
    )


@lru_cache(maxsize=4)
def _city_index(city_path: str, kode_prov: str, kode_kota: str, tahun: int | None):
    """The index of a city's delineation in force (built once per worker and city)."""
    city = CityPartition(kode_prov, "", kode_kota, "", Path(city_path))
    delineasi = read_layer(city, "delineasi")
    sk = read_layer(city, "sk_kumuh")
    berlaku = read_layer(city, "berlaku")
    if tahun is None:
        tahun = int(berlaku["tahun"].max()) if berlaku is not None and len(berlaku) else 9999
    no_sk, selected = kawasan_in_force(delineasi, sk, tahun)
    tol = point_tolerance(read_settings(city))
    return point_index(selected), no_sk, tahun, tol, selected


def points_job(
    city: CityPartition, files: list[str], *, tahun: int | None = None, by_column: bool = False
) -> PointsResult:
    """Classify the points of ``files`` against the delineation of ``city`` in force in
    ``tahun`` (default: the last year of the city's data), batch by batch; with
    ``by_column`` only the rows whose ``kode_kota`` is the city's. Returns the counts and
    the inside points per kawasan of the delineation in force (with its polygons)."""
    t0, c0 = time.perf_counter(), time.process_time()
    index, no_sk, year, tol, selected = _city_index(
        str(city.path), city.kode_prov, city.kode_kota, tahun
    )
    total = PointCounts.empty(index.n)
    t_cls = 0.0
    for f in files:
        crs = point_crs(f)
        for x, y in read_points_xy(f, kode_kota=city.kode_kota if by_column else None):
            t1 = time.perf_counter()
            counts, _, _ = classify_points(index, x, y, crs=crs, tolerance_m=tol)
            t_cls += time.perf_counter() - t1
            total.add(counts)
    geo = selected[["kode_kawasan", "nama_kawasan", selected.geometry.name]].reset_index(drop=True)
    geo = geo.assign(jumlah_titik_dalam=total.per_kawasan)
    return PointsResult(
        city=city,
        tahun=year,
        no_sk=no_sk,
        counts=total.totals(),
        per_kawasan=_with_city(geo, city),
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
        classify_seconds=t_cls,
        peak_mb=peak_memory_mb(),
        worker=_worker_name(),
        files=list(files),
    )
