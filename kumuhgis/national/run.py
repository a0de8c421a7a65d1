"""``kumuhgis nasional run``: every city's figures on a Dask cluster (domain.md §4, §5, §7).

One task per city (:func:`kumuhgis.national.jobs.city_job`: score every RT-year, derive
the years, classify the kolaborasi, reduce, write its GeoParquet parts) and one per point
file (:func:`~kumuhgis.national.jobs.points_job`); the client collects the small results
as they finish, rolls them up (:func:`kumuhgis.national.rollup.national_tables`) and writes
the tables (:func:`kumuhgis.national.files.write_national`).

The cluster is the caller's :class:`distributed.Client`: a ``LocalCluster`` on one machine
or a scheduler address for several (README "Skala nasional"). Dask is imported only here
and in the command, so ``import kumuhgis`` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from kumuhgis.core.errors import KumuhgisError, UsageError
from kumuhgis.national.dataset import POINTS_DIR, CityPartition, list_cities, point_files
from kumuhgis.national.jobs import CityResult, PointsResult, city_job, points_job
from kumuhgis.national.rollup import NationalTables, national_tables

__all__ = ["NationalRun", "point_jobs", "run_national", "task_count"]


@dataclass(frozen=True)
class NationalRun:
    """The outcome of :func:`run_national`: the tables and the jobs' results."""

    tables: NationalTables
    cities: list[CityResult]
    points: list[PointsResult]


def point_jobs(
    root: Path, cities: list[CityPartition], points: str | os.PathLike | None
) -> list[tuple[CityPartition, list[str], bool]]:
    """One ``(city, files, by_column)`` job per point file: the dataset's own points
    (:data:`~kumuhgis.national.dataset.POINTS_DIR`), a ``--points`` folder laid out the
    same way, or one ``--points`` file with a ``kode_kota`` column (one job per city)."""
    if points is None:
        base = root / POINTS_DIR
        if not base.exists():
            return []
    else:
        base = Path(points)
        if not base.exists():
            raise UsageError(f"Berkas titik tidak ditemukan / point file not found: {base}")
        if base.is_file():
            if "kode_kota" not in pq.ParquetFile(base).schema_arrow.names:
                raise UsageError(
                    f"{base}: berkas titik tunggal perlu kolom kode_kota (atau folder "
                    "provinsi=PP/kota=KKKK/) / a single point file needs a kode_kota column "
                    "(or a provinsi=PP/kota=KKKK/ folder layout)"
                )
            return [(c, [str(base)], True) for c in cities]
    return [(c, [str(f)], False) for c in cities for f in point_files(base, c)]


def run_national(
    root: str | os.PathLike,
    out: str | os.PathLike,
    *,
    client,
    points: str | os.PathLike | None = None,
    tahun_titik: int | None = None,
    on_done: Callable[[str, CityPartition], None] | None = None,
) -> NationalRun:
    """Run every city of the dataset at ``root`` on ``client`` and write the outputs to
    ``out`` (module docstring). ``on_done(kind, city)`` is called as each task finishes
    (``kind`` ``"kota"`` or ``"titik"``), for a progress display.

    Raises
    ------
    KumuhgisError
        A city's task failed (the message names the city and the cause).
    """
    from distributed import as_completed

    from kumuhgis.national.files import write_national

    root, out = Path(root), Path(out)
    cities = list_cities(root)
    jobs = point_jobs(root, cities, points)
    out.mkdir(parents=True, exist_ok=True)
    futures = {}
    for c in cities:
        fut = client.submit(city_job, c, str(out), key=f"kota-{c.kode_kota}", pure=False)
        futures[fut] = ("kota", c)
    for i, (c, files, by_column) in enumerate(jobs):
        fut = client.submit(
            points_job, c, files, tahun=tahun_titik, by_column=by_column,
            key=f"titik-{c.kode_kota}-{i}", pure=False,
        )  # fmt: skip
        futures[fut] = ("titik", c)
    city_results: list[CityResult] = []
    point_results: list[PointsResult] = []
    for fut in as_completed(list(futures)):
        kind, city = futures[fut]
        try:
            result = fut.result()
        except KumuhgisError:
            raise
        except Exception as exc:
            raise KumuhgisError(
                f"Kota {city.kode_kota} {city.kota} gagal / failed ({kind}): "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        (city_results if kind == "kota" else point_results).append(result)
        fut.release()
        if on_done is not None:
            on_done(kind, city)
    tables = national_tables(city_results, point_results)
    write_national(tables, out)
    return NationalRun(tables=tables, cities=city_results, points=point_results)


def task_count(root: str | os.PathLike, points: str | os.PathLike | None = None) -> int:
    """How many tasks :func:`run_national` submits (for a progress bar's total)."""
    cities = list_cities(root)
    return len(cities) + len(point_jobs(Path(root), cities, points))
