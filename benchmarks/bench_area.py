"""Benchmark kumuhgis.geo.area.hectares against the obvious alternatives.

10 000 synthetic RT-size polygons (0.3–6 ha, 8–40 vertices, 10 % with a courtyard hole, 5 %
in two parts) spread over five Indonesian cities in four UTM zones, Pontianak straddling
the equator. Compared in the same run:

* ``hectares(method="geodesic")`` vs a per-geometry loop of
  ``pyproj.Geod.geometry_area_perimeter`` (after ``shapely.geometry.polygon.orient``, which
  that function needs to subtract holes);
* ``hectares(method="utm")`` vs geopandas ``.to_crs(<SRGI2013 UTM zone>).area`` per zone
  group.

Prints times, time ratios, throughput, peak traced memory and the largest relative
difference between the methods. Run: ``python benchmarks/bench_area.py [N]``.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.polygon import orient

from kumuhgis.geo.area import hectares
from kumuhgis.geo.crs import srgi2013_utm_epsg

CITIES = {  # lon, lat of a centre
    "Sampit": (112.95, -2.54),
    "Surabaya": (112.75, -7.25),
    "Denpasar": (115.22, -8.65),
    "Pontianak": (109.33, 0.0),
    "Jayapura": (140.70, -2.55),
}
M_PER_DEG = 111_320.0


def _star(rng: np.random.Generator, lon: float, lat: float, radius_m: float) -> np.ndarray:
    n = int(rng.integers(8, 41))
    theta = np.sort(rng.uniform(0, 2 * np.pi, n))
    r = radius_m * rng.uniform(0.7, 1.0, n)
    dx = r * np.cos(theta) / (M_PER_DEG * np.cos(np.radians(lat)))
    dy = r * np.sin(theta) / M_PER_DEG
    return np.column_stack([lon + dx, lat + dy])


def make_rt_polygons(n: int, seed: int = 2016) -> gpd.GeoDataFrame:
    """``n`` RT-like polygons in EPSG:4326 with ``kota`` and ``kode_rt`` columns."""
    rng = np.random.default_rng(seed)
    names = list(CITIES)
    geoms, kota = [], []
    for i in range(n):
        name = names[i % len(names)]
        clon, clat = CITIES[name]
        lon = clon + rng.uniform(-0.08, 0.08)
        lat = clat + rng.uniform(-0.08, 0.08)
        radius = rng.uniform(35, 140)
        shell = _star(rng, lon, lat, radius)
        u = rng.uniform()
        if u < 0.10:
            hole = _star(rng, lon, lat, radius * 0.3)[::-1]
            geom = shapely.Polygon(shell, [hole])
        elif u < 0.15:
            other = _star(rng, lon + 3 * radius / M_PER_DEG, lat, radius * 0.5)
            geom = shapely.MultiPolygon([shapely.Polygon(shell), shapely.Polygon(other)])
        else:
            geom = shapely.Polygon(shell if rng.uniform() < 0.5 else shell[::-1])
        geoms.append(geom)
        kota.append(name)
    return gpd.GeoDataFrame(
        {"kode_rt": [f"RT{i:05d}" for i in range(n)], "kota": kota}, geometry=geoms, crs=4326
    )


def geod_loop_ha(frame: gpd.GeoDataFrame) -> np.ndarray:
    geod = Geod(ellps="WGS84")
    out = np.empty(len(frame))
    for i, geom in enumerate(frame.geometry):
        if geom.geom_type == "Polygon":
            area = geod.geometry_area_perimeter(orient(geom, 1.0))[0]
        else:
            area = sum(geod.geometry_area_perimeter(orient(p, 1.0))[0] for p in geom.geoms)
        out[i] = area / 10_000
    return out


def to_crs_area_ha(frame: gpd.GeoDataFrame) -> np.ndarray:
    rep = frame.geometry.representative_point()
    epsg = np.array([srgi2013_utm_epsg(p.x, p.y) for p in rep])
    out = np.empty(len(frame))
    for code in np.unique(epsg):
        sel = epsg == code
        out[sel] = frame.loc[sel].to_crs(int(code)).area.to_numpy() / 10_000
    return out


def timed(fn, *args, repeat: int = 3, **kwargs):
    """Best wall time of ``repeat`` runs, peak traced memory of one run, and the result."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak, np.asarray(result, dtype=float)


def main(n: int = 10_000) -> None:
    frame = make_rt_polygons(n)
    nverts = shapely.get_num_coordinates(frame.geometry.array).sum()
    print(f"{n} RT polygons, {nverts} vertices, cities: {', '.join(CITIES)}")
    hectares(frame.iloc[:10])  # warm caches (CRS database, transformers)
    hectares(frame.iloc[:10], method="utm")
    to_crs_area_ha(frame.iloc[:10])

    rows = []
    t_geo, m_geo, geo = timed(hectares, frame)
    t_loop, m_loop, loop = timed(geod_loop_ha, frame)
    t_utm, m_utm, utm = timed(hectares, frame, method="utm")
    t_gpd, m_gpd, gpd_utm = timed(to_crs_area_ha, frame)
    rows = [
        ("hectares(geodesic)", t_geo, m_geo),
        ("Geod.geometry_area_perimeter loop", t_loop, m_loop),
        ("hectares(utm)", t_utm, m_utm),
        ("to_crs(UTM).area per zone", t_gpd, m_gpd),
    ]
    print(f"{'method':36s} {'time s':>9s} {'features/s':>11s} {'peak MiB':>9s}")
    for name, t, m in rows:
        print(f"{name:36s} {t:9.4f} {n / t:11.0f} {m / 2**20:9.1f}")
    print(f"speed-up geodesic vs Geod loop:          {t_loop / t_geo:6.2f}x")
    print(f"speed-up utm vs to_crs().area:            {t_gpd / t_utm:6.2f}x")
    print(f"geodesic vs Geod loop, max rel diff:      {np.max(np.abs(geo - loop) / loop):.2e}")
    print(
        f"utm vs to_crs().area, max rel diff:       {np.max(np.abs(utm - gpd_utm) / gpd_utm):.2e}"
    )
    print(f"utm vs geodesic (UTM scale), max rel diff: {np.max(np.abs(utm - geo) / geo):.2e}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
