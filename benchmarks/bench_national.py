"""Benchmark: the national run on Dask (issue 17), with the same-run alternative.

On a national demo dataset (``kumuhgis demo --national --cities N --points P --projects
DIR``), measured in one run:

1. **Point classification per core from x/y arrays** (one process, one thread): every
   city's points read as lon/lat arrays, reprojected once to the city's metric CRS
   (timed apart), then :meth:`KawasanIndex.classify_xy` against the delineation in force
   (``distances="near"``, the national run's call) — points/s per core, by wall clock and
   by this process's CPU time (the fair figure on a machine shared with other work). The dataset keeps
   points in the city's metric CRS; what a lon/lat reprojection would cost is measured
   beside (pyproj, one city's last batch).
2. **Points on Dask, kumuhgis vs dask-geopandas**: the same partitions (one task per point
   file) classified by :func:`kumuhgis.national.jobs.points_job` and by
   ``dask_geopandas.read_parquet`` + ``to_crs`` + ``sjoin(predicate="within")`` per city,
   on the same LocalCluster; time, and the inside counts compared.
3. **Scaling**: the point tasks on the first 1/4, 1/2 and all of the cities, each on a
   fresh LocalCluster: time and peak resident memory per worker (``ru_maxrss`` of each
   worker process) as partitions grow.
4. **The full national run** (``nasional run``: every city scored, derived, classified,
   reduced, plus the points) and, with ``--check``, every city's figures compared with
   the city entry points on its project (the functions the ``score``, ``reduction`` and
   ``kolaborasi`` commands call) and the ``reduction --by kota`` command's CSV.

Run (the machine is shared: report the load with the figures)::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_national.py --dataset /tmp/ds \
        --projects /tmp/proj --workers 2 --check
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from kumuhgis.national.dataset import (
    POINTS_DIR,
    kawasan_in_force,
    list_cities,
    point_crs,
    point_files,
    read_layer,
    read_points_xy,
    read_settings,
)
from kumuhgis.national.figures import point_index, point_tolerance
from kumuhgis.national.jobs import points_job
from kumuhgis.national.run import point_jobs, run_national


def _in_force(city):
    berlaku = read_layer(city, "berlaku")
    year = int(berlaku["tahun"].max())
    return kawasan_in_force(read_layer(city, "delineasi"), read_layer(city, "sk_kumuh"), year)[1]


def per_core(root: Path) -> dict:
    """Part 1: one process, every city, classify_xy from metric x/y arrays."""
    n = n_ll = 0
    t_proj = t_cls = t_index = t_ll = cpu_cls = 0.0
    for city in list_cities(root):
        t = time.perf_counter()
        index = point_index(_in_force(city)).prepare(tolerance_m=10.0)
        t_index += time.perf_counter() - t
        tol = point_tolerance(read_settings(city))
        for f in point_files(root / POINTS_DIR, city):
            crs = point_crs(f)
            to_metric = (
                None
                if crs.equals(index.crs)
                else Transformer.from_crs(crs, index.crs, always_xy=True)
            )
            for x, y in read_points_xy(f):
                if to_metric is not None:
                    t = time.perf_counter()
                    x, y = (np.asarray(v) for v in to_metric.transform(x, y))
                    t_proj += time.perf_counter() - t
                t, c = time.perf_counter(), time.process_time()
                index.classify_xy(x, y, tolerance_m=tol, distances="near")
                t_cls += time.perf_counter() - t
                cpu_cls += time.process_time() - c
                n += len(x)
        # what reading lon/lat would cost: one reprojection of the city's points
        t = time.perf_counter()
        to_ll = Transformer.from_crs(index.crs, "EPSG:4326", always_xy=True)
        to_ll.transform(x, y)
        t_ll += (time.perf_counter() - t) * 1.0
        n_ll += len(x)
    return {
        "points": n,
        "index_build_s": round(t_index, 2),
        "classify_s": round(t_cls, 2),
        "reproject_s": round(t_proj, 2),
        "classify_Mpts_per_s_core": round(n / t_cls / 1e6, 2),
        "classify_cpu_s": round(cpu_cls, 2),
        "classify_Mpts_per_cpu_s": round(n / cpu_cls / 1e6, 2),
        "reproject_utm_Mpts_per_s_core": round(n_ll / t_ll / 1e6, 2) if t_ll else None,
    }


def _sjoin_city(files: list[str], city) -> int:
    """dask-geopandas on one city's point files: points within a kawasan in force."""
    import dask_geopandas

    kawasan = _in_force(city)
    crs = point_index(kawasan).crs
    pts = dask_geopandas.read_parquet(files).to_crs(crs)
    joined = dask_geopandas.sjoin(pts, kawasan.to_crs(crs)[["kode_kawasan", "geometry"]],
                                  predicate="within")  # fmt: skip
    return int(joined.index.nunique().compute(scheduler="synchronous"))


def _cluster(workers: int):
    # as `kumuhgis nasional run` does: the workers' profiler off (it grows with every task)
    os.environ.setdefault("DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED", "False")
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)  # fmt: skip
    return cluster, Client(cluster)


def _worker_peaks(client) -> list[float]:
    from kumuhgis.national.jobs import peak_memory_mb

    return sorted(client.run(peak_memory_mb).values())


def points_on_dask(root: Path, cities, workers: int, *, sjoin: bool) -> dict:
    """Parts 2 and 3: the point tasks of ``cities`` on a fresh cluster (and dask-geopandas)."""
    jobs = point_jobs(root, cities, None)
    out = {"cities": len(cities), "tasks": len(jobs)}
    cluster, client = _cluster(workers)
    try:
        base = _worker_peaks(client)
        t = time.perf_counter()
        futs = [client.submit(points_job, c, f, pure=False) for c, f, _ in jobs]
        res = client.gather(futs)
        out["kumuhgis_s"] = round(time.perf_counter() - t, 2)
        out["points"] = int(sum(r.counts["titik"] for r in res))
        out["dalam"] = int(sum(r.counts["titik_dalam"] for r in res))
        out["worker_peak_mb"] = [round(v) for v in _worker_peaks(client)]
        out["worker_start_mb"] = [round(v) for v in base]
        out["kumuhgis_Mpts_per_s"] = round(out["points"] / out["kumuhgis_s"] / 1e6, 2)
        if sjoin:
            by_city: dict[str, list[str]] = {}
            for c, f, _ in jobs:
                by_city.setdefault(c.kode_kota, []).extend(f)
            t = time.perf_counter()
            futs = [client.submit(_sjoin_city, by_city[c.kode_kota], c, pure=False)
                    for c in cities if c.kode_kota in by_city]  # fmt: skip
            within = sum(client.gather(futs))
            out["dask_geopandas_s"] = round(time.perf_counter() - t, 2)
            out["dask_geopandas_within"] = int(within)
            out["ratio_dask_geopandas_over_kumuhgis"] = round(
                out["dask_geopandas_s"] / out["kumuhgis_s"], 2
            )
            out["dask_geopandas_peak_mb"] = [round(v) for v in _worker_peaks(client)]
    finally:
        client.close()
        cluster.close()
    return out


def full_run(root: Path, out: Path, workers: int) -> tuple[dict, object]:
    """Part 4: ``nasional run`` as the command does it."""
    cluster, client = _cluster(workers)
    try:
        t = time.perf_counter()
        result = run_national(root, out, client=client)
        seconds = time.perf_counter() - t
    finally:
        client.close()
        cluster.close()
    k = result.tables.kinerja
    n = result.tables.nasional.iloc[0]
    return {
        "seconds": round(seconds, 1),
        "cities": len(result.cities),
        "points": int(n.get("titik", 0)),
        "rt_years": int(sum(r.jumlah_rt_tahun for r in result.cities)),
        "city_task_s_mean": round(float(k.loc[k.pekerjaan == "kota", "detik"].mean()), 2),
        "worker_peak_mb": {
            w: round(v) for w, v in k.groupby("worker")["memori_puncak_mb"].max().items()
        },
    }, result


def check(result, projects: Path, out: Path) -> dict:
    """Every city's national figures against the city entry points on its project."""
    import geopandas as gpd

    from kumuhgis.analysis.city import classify_city, reduction_city, score_city
    from kumuhgis.cli import main
    from kumuhgis.store import open_store
    from kumuhgis.store.snapshot import load_snapshot

    kota = result.tables.kota.set_index("kode_kota")
    checked = 0
    for r in result.cities:
        c = r.city
        snap = load_snapshot(open_store(projects / f"{c.kode_kota}.gpkg"))
        scored = score_city(snap)
        part = gpd.read_parquet(out / "skor_rt" / c.key / "part-0.parquet")
        got = pd.DataFrame(part.drop(columns=["geometry", "kode_prov", "kode_kota"]))
        pd.testing.assert_frame_equal(got, scored.scores.reset_index(drop=True))
        kol = gpd.read_parquet(out / "kolaborasi" / c.key / "part-0.parquet")
        pd.testing.assert_frame_equal(kol.drop(columns=["kode_prov", "kode_kota"]),
                                      classify_city(snap).reset_index(drop=True))  # fmt: skip
        y0, y1 = int(scored.scores["tahun"].min()), int(scored.scores["tahun"].max())
        red = reduction_city(snap, year_from=y0, year_to=y1, by="kota", scored=scored)
        for col, v in red.totals.items():
            if f"{col}_kota" in kota.columns:
                assert kota.loc[c.kode_kota, f"{col}_kota"] == v, (c.kode_kota, col)
        csv = out / f"_cek_{c.kode_kota}.csv"
        args = ["reduction", str(projects / f"{c.kode_kota}.gpkg"), "--from", str(y0), "--to",
                str(y1), "--by", "kota", "--out", str(csv)]  # fmt: skip
        assert main(args) == 0
        cmd = pd.read_csv(csv).iloc[0]
        for col in ("luas_kumuh_awal_ha", "luas_kumuh_akhir_ha", "pengurangan_luas_kumuh_ha"):
            assert float(cmd[col]) == kota.loc[c.kode_kota, f"{col}_kota"], (c.kode_kota, col)
        csv.unlink()
        checked += 1
    return {"cities_identical": checked}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", required=True, type=Path)
    ap.add_argument("--projects", type=Path, help="the cities as projects (for --check)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/kumuhgis-bench-national"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--parts", default="per-core,dask,scaling,run")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    report: dict = {"cpu_count": os.cpu_count(), "load_before": os.getloadavg()}
    cities = list_cities(args.dataset)
    if "per-core" in parts:
        report["per_core"] = per_core(args.dataset)
        print(json.dumps({"per_core": report["per_core"]}), flush=True)
    if "dask" in parts:
        report["dask"] = points_on_dask(args.dataset, cities, args.workers, sjoin=True)
        print(json.dumps({"dask": report["dask"]}), flush=True)
    if "scaling" in parts:
        report["scaling"] = [
            points_on_dask(args.dataset, cities[: max(1, len(cities) * k // 4)], args.workers,
                           sjoin=False)
            for k in (1, 2, 4)
        ]  # fmt: skip
        print(json.dumps({"scaling": report["scaling"]}), flush=True)
    if "run" in parts:
        report["run"], result = full_run(args.dataset, args.out, args.workers)
        print(json.dumps({"run": report["run"]}), flush=True)
        if args.check:
            report["check"] = check(result, args.projects, args.out)
    report["load_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
