"""Benchmark: kolaborasi / infrastructure classification at province scale (domain.md §7).

Two measurements, each against the obvious alternative in the same run:

1. Points (10^6 and 10^7 by default) against 10^4 kawasan polygons, end to end from x/y
   coordinate arrays: :meth:`kumuhgis.geo.index.KawasanIndex.classify_xy` (index built in
   the timing) vs ``geopandas.points_from_xy`` + ``geopandas.sjoin(predicate="within")``.
   The results must be identical: the lowest-index kawasan whose interior holds each point
   (``contained``), compared element by element with the sjoin pairs.
2. Lines and polygons (10^5 features): share inside by length or area with
   :meth:`~kumuhgis.geo.index.KawasanIndex.classify_geometries` (containment decided
   first) vs intersecting every candidate kawasan from an STRtree query.

Each method runs in a fresh forked process so that its peak memory (resident set above the
process's size before the call, from ``/proc/self/status`` VmHWM after resetting it) is its
own. Run::

    .venv/bin/python benchmarks/bench_kolaborasi.py            # 10^6 and 10^7 points
    .venv/bin/python benchmarks/bench_kolaborasi.py --points 1e6 --features 2e4   # quicker
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from kumuhgis.geo.index import DALAM, KawasanIndex

CRS = "EPSG:9489"  # SRGI2013 / UTM zone 49S, metres


# --------------------------------------------------------------------------- data


def make_kawasan(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` irregular, non-overlapping kawasan (radius 120–420 m, 10–40 vertices) on a
    jittered 1.5 km lattice: a province of about (1.5 km × √n)²."""
    side = int(np.ceil(np.sqrt(n)))
    spacing = 1500.0
    ij = np.array([(i, j) for i in range(side) for j in range(side)][:n], dtype=float)
    centres = (ij + 0.5) * spacing + rng.uniform(-200, 200, size=(n, 2))
    polys = []
    for c in centres:
        k = int(rng.integers(10, 41))
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        rad = rng.uniform(120, 420) * rng.uniform(0.6, 1.0, k)
        ring = np.column_stack([c[0] + rad * np.cos(ang), c[1] + rad * np.sin(ang)])
        polys.append(shapely.Polygon(ring))
    return np.array(polys, dtype=object)


def make_points(
    n: int, kawasan: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Half uniform over the province, half clustered around kawasan (settlements)."""
    b = shapely.total_bounds(kawasan)
    half = n // 2
    x = np.empty(n)
    y = np.empty(n)
    x[:half] = rng.uniform(b[0], b[2], half)
    y[:half] = rng.uniform(b[1], b[3], half)
    centres = shapely.get_coordinates(shapely.centroid(kawasan))
    pick = rng.integers(0, len(kawasan), n - half)
    x[half:] = centres[pick, 0] + rng.normal(0, 250, n - half)
    y[half:] = centres[pick, 1] + rng.normal(0, 250, n - half)
    return x, y


def make_features(n: int, kawasan: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Collaboration work as it comes in: 60 % lines (roads, drains; 20–150 m), 40 %
    rectangles (buildings, plots; 10–40 m). Most work is planned inside the delineation:
    70 % are centred well inside a kawasan (within half its radius of the centre), 30 %
    anywhere around it (σ = 400 m), so that some cross a boundary and some lie outside."""
    centres = shapely.get_coordinates(shapely.centroid(kawasan))
    pick = rng.integers(0, len(kawasan), n)
    spread = np.where(rng.random(n) < 0.7, 40.0, 400.0)
    cx = centres[pick, 0] + rng.normal(0, 1, n) * spread
    cy = centres[pick, 1] + rng.normal(0, 1, n) * spread
    ang = rng.uniform(0, np.pi, n)
    out = np.empty(n, dtype=object)
    lines = rng.random(n) < 0.6
    length = rng.uniform(20, 150, n)
    dx, dy = np.cos(ang) * length / 2, np.sin(ang) * length / 2
    li = np.flatnonzero(lines)
    out[li] = shapely.linestrings(
        np.stack(
            [
                np.column_stack([cx[li] - dx[li], cy[li] - dy[li]]),
                np.column_stack([cx[li] + dx[li], cy[li] + dy[li]]),
            ],
            axis=1,
        )
    )
    pi = np.flatnonzero(~lines)
    w = rng.uniform(10, 40, len(pi))
    out[pi] = shapely.box(cx[pi] - w / 2, cy[pi] - w / 2, cx[pi] + w / 2, cy[pi] + w / 2)
    return out


# --------------------------------------------------------------------------- methods


def points_fast(x, y, kawasan):
    # valid by construction; like sjoin, no validity check in the timing
    t = time.perf_counter()
    index = KawasanIndex(kawasan, crs=CRS, validate=False).prepare(
        tolerance_m=10.0
    )  # delineation side, once
    t_index = time.perf_counter() - t
    res = index.classify_xy(x, y, tolerance_m=10.0, distances="near")
    return res.contained, int((res.status == DALAM).sum()), t_index


def points_geopandas(x, y, kawasan):
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y, crs=CRS))
    polys = gpd.GeoDataFrame(geometry=gpd.GeoSeries(kawasan, crs=CRS))
    joined = gpd.sjoin(pts, polys, how="inner", predicate="within")
    out = np.full(len(x), -1, dtype=np.int64)
    # lowest kawasan per point (identical to the fast path's definition when kawasan overlap)
    left = joined.index.to_numpy()
    right = joined["index_right"].to_numpy()
    order = np.lexsort((right, left))
    left, right = left[order], right[order]
    first = np.unique(left, return_index=True)[1]
    out[left[first]] = right[first]
    return out, None, 0.0


def shares_fast(features, kawasan, index=None):
    index = index or KawasanIndex(kawasan, crs=CRS, validate=False)
    return index.classify_geometries(features, tolerance_m=10.0, distances="near").porsi_dalam, None


def shares_naive(features, kawasan):
    tree = shapely.STRtree(kawasan)
    qi, ki = tree.query(features, predicate="intersects")
    dims = shapely.get_dimensions(features)
    parts = shapely.intersection(kawasan[ki], features[qi])
    m = np.where(dims[qi] >= 2, shapely.area(parts), shapely.length(parts))
    got = np.bincount(qi, weights=m, minlength=len(features))
    total = np.where(dims >= 2, shapely.area(features), shapely.length(features))
    return np.minimum(got / total, 1.0), None


# --------------------------------------------------------------------------- harness


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _child(conn, fn, args):
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS (VmHWM)
    base = _status_kb("VmRSS")
    t = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - t
    peak = _status_kb("VmHWM") - base
    conn.send((elapsed, peak, result))
    conn.close()


REPEAT = 3


def _run_once(fn, *args):
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args))
    proc.start()
    elapsed, peak, result = parent.recv()
    proc.join()
    return elapsed, peak / 1024, result


def run(fn, *args):
    """Run ``fn(*args)`` in a fresh forked process, best of :data:`REPEAT` runs (the machine
    is shared): (seconds, peak MiB, result) of the fastest run."""
    return min((_run_once(fn, *args) for _ in range(REPEAT)), key=lambda r: r[0])


def bench_points(n_points: int, kawasan: np.ndarray, rng) -> None:
    x, y = make_points(n_points, kawasan, rng)
    t_fast, m_fast, (fast, n_dalam, t_index) = run(points_fast, x, y, kawasan)
    t_gpd, m_gpd, (ref, _, _) = run(points_geopandas, x, y, kawasan)
    same = bool(np.array_equal(fast, ref))
    t_query = t_fast - t_index
    print(
        f"points {n_points:>12,d} vs {len(kawasan):,d} kawasan | "
        f"kumuhgis {t_fast:7.2f} s end to end (index {t_index:.2f} s + query {t_query:.2f} s; "
        f"{n_points / t_query / 1e6:5.2f} M pt/s; peak {m_fast:6.0f} MiB) | "
        f"geopandas points_from_xy+sjoin {t_gpd:7.2f} s ({n_points / t_gpd / 1e6:5.2f} M pt/s; peak {m_gpd:6.0f} MiB) | "
        f"speed-up {t_gpd / t_fast:4.1f}x end to end, {t_gpd / t_query:4.1f}x per query with the index built once; "
        f"memory {m_gpd / max(m_fast, 1):4.1f}x less | "
        f"identical: {same} ({int((fast >= 0).sum()):,d} inside; {n_dalam:,d} dalam incl. 1 cm boundary)"
    )
    if not same:
        bad = np.flatnonzero(fast != ref)
        print(f"  MISMATCH at {len(bad)} points, e.g. {bad[:10].tolist()}")


def bench_shapes(n_features: int, kawasan: np.ndarray, rng) -> None:
    features = make_features(n_features, kawasan, rng)
    t_idx = time.perf_counter()
    index = KawasanIndex(
        kawasan, crs=CRS, validate=False
    )  # the delineation side, built once per SK version
    t_idx = time.perf_counter() - t_idx
    t_fast, m_fast, (fast, _) = run(shares_fast, features, kawasan, index)
    t_naive, m_naive, (naive, _) = run(shares_naive, features, kawasan)
    diff = np.abs(fast - naive)
    crossing = int(((naive > 0) & (naive < 1 - 1e-9)).sum())
    # the only allowed difference: the 1 cm boundary rule (a feature within 1 cm of the
    # delineation everywhere is wholly inside; plain intersection misses that)
    differ = np.flatnonzero(diff > 1e-9)
    tree = shapely.STRtree(kawasan)
    by_rule = [
        fast[i] == 1.0
        and bool(
            shapely.covers(
                shapely.buffer(shapely.union_all(kawasan[tree.query(features[i])]), 0.01),
                features[i],
            )
        )
        for i in differ
    ]
    print(
        f"shapes {n_features:>12,d} vs {len(kawasan):,d} kawasan | "
        f"kumuhgis {t_fast:7.2f} s (index {t_idx:.2f} s, built once; peak {m_fast:6.0f} MiB) | "
        f"intersect every candidate {t_naive:7.2f} s (peak {m_naive:6.0f} MiB) | "
        f"speed-up {t_naive / t_fast:5.1f}x | "
        f"identical: {len(differ) == sum(by_rule)} ({len(differ)} differ, all by the 1 cm boundary rule: {all(by_rule)}); "
        f"{int((naive >= 1 - 1e-9).sum()):,d} inside, {crossing:,d} crossing"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kawasan", type=float, default=1e4)
    parser.add_argument("--points", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--features", type=float, default=1e5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs per method; the fastest counts")
    args = parser.parse_args(argv)
    global REPEAT
    REPEAT = max(1, args.repeat)
    rng = np.random.default_rng(args.seed)
    kawasan = make_kawasan(int(args.kawasan), rng)
    print(
        f"kumuhgis kolaborasi benchmark — {os.cpu_count()} CPU (load {os.getloadavg()[0]:.1f}), shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}), geopandas {gpd.__version__}; fastest of {REPEAT} runs per method, "
        f"each in a fresh process"
    )
    for n in args.points:
        bench_points(int(n), kawasan, rng)
    if args.features:
        bench_shapes(int(args.features), kawasan, rng)


if __name__ == "__main__":
    main()
