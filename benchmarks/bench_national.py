"""Benchmark: the national run on Dask (issue 17), with the same-run alternative.

On a national demo dataset (``kumuhgis demo --national --cities N --points P``), measured
in one run; every part records the date, the load average before and after, wall-clock
seconds and CPU seconds (the fair per-core figure on a machine shared with other work):

1. **Point classification per core from x/y arrays** (one process, one thread): every
   city's points read from the dataset (stored in the city's metric CRS), then
   :meth:`KawasanIndex.classify_xy` against the delineation in force (``distances="near"``,
   the national run's call) — points/s per core, by wall clock and by this process's CPU
   time. What a lon/lat reprojection would cost is measured beside (pyproj, one batch per
   city).
2. **Points on Dask, kumuhgis vs dask-geopandas**: the same partitions (one task per point
   file) classified by :func:`kumuhgis.national.jobs.points_job` and by
   ``dask_geopandas.read_parquet`` + ``to_crs`` + ``sjoin(predicate="within")`` per city,
   on the same LocalCluster; time, the workers' CPU time, peak memory per worker, and the
   inside counts compared. ``--sjoin-cities K`` runs this part on the first K cities only.
3. **Scaling**: the point tasks (and with ``--scaling-run`` the full ``nasional run``) on
   the first fractions (``--fractions``, default 1/4, 1/2, 1) of the cities, each on a
   fresh LocalCluster: time and CPU time per partition and the peak resident memory per
   worker (``ru_maxrss`` of each worker process) as partitions grow.
4. **The full national run** (:func:`kumuhgis.national.run.run_national`, what
   ``nasional run`` calls: every city scored, derived, classified, reduced, plus the
   points) and, with ``--check``, every city's figures compared with the city entry points
   on its project (the functions the ``score``, ``reduction`` and ``kolaborasi`` commands
   call) and the ``reduction --by kota`` command's CSV.

The README's figures (section "National scale (Dask)") came from these commands (the
dataset took 12 min to generate on 2 shared cores, 2.2 GB on disk)::

    kumuhgis demo --national --cities 270 --points 100000000 --workers 2 --out /tmp/nat/ds270
    /usr/bin/time -v kumuhgis nasional run /tmp/nat/ds270 --workers 2 --out /tmp/nat/hasil270
    PYTHONPATH=. python benchmarks/bench_national.py --dataset /tmp/nat/ds270 \
        --parts per-core,dask,scaling --workers 2 --scaling-run
    # the 20-city check against the city commands:
    kumuhgis demo --national --cities 20 --points 10000000 --out /tmp/nat/ds20 --projects /tmp/nat/p20
    PYTHONPATH=. python benchmarks/bench_national.py --dataset /tmp/nat/ds20 \
        --projects /tmp/nat/p20 --parts run --check
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pandas as pd
from pyproj import Transformer

from kumuhgis.national.dataset import (
    CITY_FILE,
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


def _when() -> dict:
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": [round(v, 2) for v in os.getloadavg()],
    }


def _in_force(city):
    berlaku = read_layer(city, "berlaku")
    year = int(berlaku["tahun"].max())
    return kawasan_in_force(read_layer(city, "delineasi"), read_layer(city, "sk_kumuh"), year)[1]


def per_core(root: Path, cities) -> dict:
    """Part 1: one process, the cities' points, classify_xy from metric x/y arrays."""
    out = {"start": _when()}
    n = n_ll = 0
    t_read = t_cls = t_index = t_ll = cpu_cls = 0.0
    for city in cities:
        t = time.perf_counter()
        index = point_index(_in_force(city)).prepare(tolerance_m=10.0)
        t_index += time.perf_counter() - t
        tol = point_tolerance(read_settings(city))
        for f in point_files(root / POINTS_DIR, city):
            assert point_crs(f).equals(index.crs)
            t = time.perf_counter()
            for x, y in read_points_xy(f):
                t_read += time.perf_counter() - t
                t, c = time.perf_counter(), time.process_time()
                index.classify_xy(x, y, tolerance_m=tol, distances="near")
                t_cls += time.perf_counter() - t
                cpu_cls += time.process_time() - c
                n += len(x)
                t = time.perf_counter()
        # what reading lon/lat would cost: one reprojection of the city's last batch
        t = time.perf_counter()
        Transformer.from_crs(index.crs, "EPSG:4326", always_xy=True).transform(x, y)
        t_ll += time.perf_counter() - t
        n_ll += len(x)
    return out | {
        "cities": len(cities),
        "points": n,
        "index_build_s": round(t_index, 2),
        "read_s": round(t_read, 2),
        "classify_s": round(t_cls, 2),
        "classify_cpu_s": round(cpu_cls, 2),
        "classify_Mpts_per_s_core": round(n / t_cls / 1e6, 2),
        "classify_Mpts_per_cpu_s": round(n / cpu_cls / 1e6, 2),
        "reproject_utm_Mpts_per_s_core": round(n_ll / t_ll / 1e6, 2) if t_ll else None,
        "end": _when(),
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

    return [round(v) for v in sorted(client.run(peak_memory_mb).values())]


def _worker_cpu(client) -> float:
    """CPU seconds the worker processes have used so far, all together."""
    return float(sum(client.run(time.process_time).values()))


def _timed(client, submit) -> tuple[list, float, float]:
    """Submit with ``submit(client)``, gather: results, wall seconds, workers' CPU seconds."""
    c, t = _worker_cpu(client), time.perf_counter()
    res = client.gather(submit(client))
    return res, time.perf_counter() - t, _worker_cpu(client) - c


def points_on_dask(root: Path, cities, workers: int, *, sjoin: bool) -> dict:
    """Parts 2 and 3: the point tasks of ``cities`` on a fresh cluster (and dask-geopandas)."""
    jobs = point_jobs(root, cities, None)
    out = {"start": _when(), "cities": len(cities), "tasks": len(jobs)}
    cluster, client = _cluster(workers)
    try:
        out["worker_start_mb"] = _worker_peaks(client)
        res, wall, cpu = _timed(
            client, lambda cl: [cl.submit(points_job, c, f, pure=False) for c, f, _ in jobs]
        )
        n = int(sum(r.counts["titik"] for r in res))
        out |= {
            "points": n,
            "dalam": int(sum(r.counts["titik_dalam"] for r in res)),
            "kumuhgis_s": round(wall, 2),
            "kumuhgis_worker_cpu_s": round(cpu, 2),
            "kumuhgis_task_cpu_s": round(sum(r.cpu_seconds for r in res), 2),
            "kumuhgis_s_per_task": round(wall / len(jobs), 3),
            "kumuhgis_cpu_s_per_task": round(cpu / len(jobs), 3),
            "kumuhgis_Mpts_per_s": round(n / wall / 1e6, 2),
            "kumuhgis_Mpts_per_s_per_worker": round(n / wall / workers / 1e6, 2),
            "kumuhgis_Mpts_per_worker_cpu_s": round(n / cpu / 1e6, 2),
            "worker_peak_mb": _worker_peaks(client),
        }
        if sjoin:
            by_city: dict[str, list[str]] = {}
            for c, f, _ in jobs:
                by_city.setdefault(c.kode_kota, []).extend(f)
            res, wall, cpu = _timed(client, lambda cl: [
                cl.submit(_sjoin_city, by_city[c.kode_kota], c, pure=False)
                for c in cities if c.kode_kota in by_city
            ])  # fmt: skip
            out |= {
                "dask_geopandas_s": round(wall, 2),
                "dask_geopandas_worker_cpu_s": round(cpu, 2),
                "dask_geopandas_within": int(sum(res)),
                "ratio_dask_geopandas_over_kumuhgis": round(wall / out["kumuhgis_s"], 2),
                "ratio_cpu": round(cpu / out["kumuhgis_worker_cpu_s"], 2),
                "dask_geopandas_peak_mb": _worker_peaks(client),
            }
    finally:
        client.close()
        cluster.close()
    return out | {"end": _when()}


def subset(root: Path, cities, dest: Path) -> Path:
    """A dataset of ``cities`` only at ``dest``: links to their partitions and points."""
    for c in cities:
        for base in (root, root / POINTS_DIR):
            src = base / c.key
            if src.exists():
                link = dest / base.relative_to(root) / c.key
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(src, target_is_directory=True)
    assert len(list(dest.glob(f"provinsi=*/kota=*/{CITY_FILE}"))) == len(cities)
    return dest


def full_run(root: Path, out: Path, workers: int) -> tuple[dict, object]:
    """Part 4: ``run_national`` as the command runs it (a fresh LocalCluster)."""
    start = _when()
    cluster, client = _cluster(workers)
    try:
        c, t = _worker_cpu(client), time.perf_counter()
        result = run_national(root, out, client=client)
        seconds, cpu = time.perf_counter() - t, _worker_cpu(client) - c
    finally:
        client.close()
        cluster.close()
    k = result.tables.kinerja
    n = result.tables.nasional.iloc[0]
    kota = k[k.pekerjaan == "kota"]
    titik = k[k.pekerjaan == "titik"]
    points = int(n.get("titik", 0))
    return {
        "start": start,
        "seconds": round(seconds, 1),
        "worker_cpu_s": round(cpu, 1),
        "cities": len(result.cities),
        "points": points,
        "rt_years": int(sum(r.jumlah_rt_tahun for r in result.cities)),
        "city_task_s_mean": round(float(kota["detik"].mean()), 2),
        "city_task_cpu_s_mean": round(float(kota["detik_cpu"].mean()), 2),
        "city_tasks_cpu_s": round(float(kota["detik_cpu"].sum()), 1),
        "point_tasks_cpu_s": round(float(titik["detik_cpu"].sum()), 1),
        "point_classify_s": round(float(titik["detik_klasifikasi"].sum()), 1),
        "Mpts_per_point_task_cpu_s": (
            round(points / float(titik["detik_cpu"].sum()) / 1e6, 2) if points else None
        ),
        "s_per_city": round(seconds / len(result.cities), 3),
        "cpu_s_per_city": round(cpu / len(result.cities), 3),
        "worker_peak_mb": {
            w: round(v) for w, v in k.groupby("worker")["memori_puncak_mb"].max().items()
        },
        "end": _when(),
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
        for scope in ("sk", "kota"):  # the official SK scope and the whole city
            red = reduction_city(snap, year_from=y0, year_to=y1, by="kota", scored=scored,
                                 scope=scope)  # fmt: skip
            for col, v in red.totals.items():
                if f"{col}_{scope}" in kota.columns:
                    assert kota.loc[c.kode_kota, f"{col}_{scope}"] == v, (c.kode_kota, scope, col)
        csv = out / f"_cek_{c.kode_kota}.csv"
        args = ["reduction", str(projects / f"{c.kode_kota}.gpkg"), "--from", str(y0), "--to",
                str(y1), "--by", "kota", "--out", str(csv)]  # fmt: skip
        assert main(args) == 0
        cmd = pd.read_csv(csv).iloc[0]
        for col in ("luas_kumuh_awal_ha", "luas_kumuh_akhir_ha", "pengurangan_luas_kumuh_ha"):
            assert float(cmd[col]) == kota.loc[c.kode_kota, f"{col}_sk"], (c.kode_kota, col)
        csv.unlink()
        checked += 1
    return {"cities_identical": checked}


def _fractions(text: str) -> list[Fraction]:
    return [Fraction(f) for f in text.split(",")]


def _scaling(args, cities) -> list[dict]:
    rows = []
    for f in _fractions(args.fractions):
        part = cities[: max(1, int(len(cities) * f))]
        row = {"fraction": str(f),
               "points": points_on_dask(args.dataset, part, args.workers, sjoin=False)}  # fmt: skip
        if args.scaling_run:
            with tempfile.TemporaryDirectory(prefix="bench-nat-", dir=args.out.parent) as tmp:
                ds = args.dataset if len(part) == len(cities) else subset(
                    args.dataset, part, Path(tmp) / "ds")  # fmt: skip
                row["run"] = full_run(ds, Path(tmp) / "out", args.workers)[0]
        print(json.dumps({"scaling": row}), flush=True)
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", required=True, type=Path)
    ap.add_argument("--projects", type=Path, help="the cities as projects (for --check)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/kumuhgis-bench-national"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--parts", default="per-core,dask,scaling,run")
    ap.add_argument("--cities", type=int, help="only the first N cities (parts 1 and 2)")
    ap.add_argument("--sjoin-cities", type=int, help="part 2 on the first K cities only")
    ap.add_argument("--fractions", default="1/4,1/2,1", help="part 3: fractions of the cities")
    ap.add_argument("--scaling-run", action="store_true", help="part 3: also the full run")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report: dict = {"cpu_count": os.cpu_count(), "start": _when()}
    cities = list_cities(args.dataset)[: args.cities]
    if "per-core" in parts:
        report["per_core"] = per_core(args.dataset, cities)
        print(json.dumps({"per_core": report["per_core"]}), flush=True)
    if "dask" in parts:
        part = cities[: args.sjoin_cities]
        report["dask"] = points_on_dask(args.dataset, part, args.workers, sjoin=True)
        print(json.dumps({"dask": report["dask"]}), flush=True)
    if "scaling" in parts:
        report["scaling"] = _scaling(args, cities)
    if "run" in parts:
        report["run"], result = full_run(args.dataset, args.out, args.workers)
        print(json.dumps({"run": report["run"]}), flush=True)
        if args.check:
            report["check"] = check(result, args.projects, args.out)
    report["end"] = _when()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
