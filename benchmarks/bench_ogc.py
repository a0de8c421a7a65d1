"""Benchmark: GDAL paging through a 10^5-feature collection over OGC API – Features.

A synthetic city project with ``--features`` kolaborasi points (10^5 by default) is served
by the web app (werkzeug, threaded, in its own process, as ``kumuhgis serve`` runs it);
GDAL's OAPIF driver (pyogrio) reads the whole ``kolaborasi`` collection page by page, and
the same rows are read straight from the GeoPackage as the obvious alternative. Reported:
features per second, the ratio to the direct read, requests made, and the server's peak
memory. The first OGC read includes the server encoding the collection once (it is kept
for every later page and client); the second read is what every further client sees.

Run::

    .venv/bin/python benchmarks/bench_ogc.py                  # 10^5 points
    .venv/bin/python benchmarks/bench_ogc.py --features 2e4   # quicker
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

ROOT = Path(__file__).resolve().parents[1]

_SERVE = (
    "import sys\n"
    "from werkzeug.serving import WSGIRequestHandler, make_server\n"
    "from app import create_app\n"
    "class Quiet(WSGIRequestHandler):\n"
    "    def log_request(self, *args, **kwargs):\n"
    "        sys.stderr.write('request\\n')\n"
    "server = make_server('127.0.0.1', 0, create_app({'STORE': sys.argv[1]}), threaded=True,\n"
    "                     request_handler=Quiet)\n"
    "print(server.server_port, flush=True)\n"
    "server.serve_forever()\n"
)


def make_project(path: Path, n: int, seed: int = 7) -> None:
    """A city of ``n`` kolaborasi points around Sampit (lon 112.9–113.0, lat -2.6 – -2.5)."""
    from kumuhgis.store import create_store

    rng = np.random.default_rng(seed)
    years = rng.integers(2017, 2024, n)
    sources = np.array(["APBN", "APBD Provinsi", "APBD Kab/Kota", "DAK", "Swasta/CSR"])
    codes = np.array(["1a", "2a", "3a", "4b", "5a", "6a", "7a"])
    units = {"1a": "unit", "2a": "m", "3a": "KK", "4b": "m", "5a": "KK", "6a": "KK", "7a": "unit"}
    crit = codes[rng.integers(0, len(codes), n)]
    kolaborasi = gpd.GeoDataFrame(
        {
            "kode_kegiatan": [f"KLB-{y}-{i:06d}" for i, y in enumerate(years)],
            "nama_kegiatan": [f"Kegiatan sintetis nomor {i}" for i in range(n)],
            "tahun": pd.array(years, dtype="Int64"),
            "sumber_dana": pd.array(sources[rng.integers(0, len(sources), n)], dtype="str"),
            "nilai_rp": np.round(rng.uniform(1e6, 5e8, n), -3),
            "kriteria": pd.array(crit, dtype="str"),
            "volume": np.round(rng.uniform(1, 500, n), 2),
            "satuan": pd.array([units[c] for c in crit], dtype="str"),
        },
        geometry=gpd.points_from_xy(rng.uniform(112.9, 113.0, n), rng.uniform(-2.6, -2.5, n)),
        crs="EPSG:4326",
    )
    create_store(path, kota="Kota Sintetis", layers={"kolaborasi": kolaborasi}, command="bench")


class Server:
    """The web app over ``store`` in its own process (a thread would share pyogrio's GIL)."""

    def __init__(self, store: Path):
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}/ogc"

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> int:
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=30)
        return err.count("request\n")


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", type=float, default=1e5)
    args = ap.parse_args()
    n = int(args.features)
    with tempfile.TemporaryDirectory(prefix="bench-ogc-") as tmp:
        store = Path(tmp) / "kota.gpkg"
        _, t_make = timed(lambda: make_project(store, n))
        print(f"project: {n:,} kolaborasi points written in {t_make:.1f} s")
        direct, t_direct = timed(lambda: pyogrio.read_dataframe(store, layer="kolaborasi"))
        server = Server(store)
        try:
            url = f"OAPIF:{server.url}"
            rows = []
            for label, opts in (
                ("OGC API, first client (server encodes once)", {}),
                ("OGC API, next client (page size 1000)", {}),
                ("OGC API, PAGE_SIZE=10000", {"PAGE_SIZE": 10000}),
            ):
                got, t = timed(lambda o=opts: pyogrio.read_dataframe(url, layer="kolaborasi", **o))
                assert len(got) == n and got["id"].tolist() == direct["kode_kegiatan"].tolist()
                assert shapely.equals_exact(got.geometry.values, direct.geometry.values).all()
                rows.append((label, t))
            peak = server.peak_rss_mb()
        finally:
            requests = server.stop()
    print(f"{'read':48s} {'seconds':>8s} {'features/s':>12s} {'× direct':>9s}")
    print(f"{'GeoPackage, pyogrio direct':48s} {t_direct:8.2f} {n / t_direct:12,.0f} {1:9.1f}")
    for label, t in rows:
        print(f"{label:48s} {t:8.2f} {n / t:12,.0f} {t / t_direct:9.1f}")
    print(f"HTTP requests served: {requests}; server peak memory: {peak:,.0f} MB")
    print(f"GDAL {pyogrio.__gdal_version_string__}, pyogrio {pyogrio.__version__}")


if __name__ == "__main__":
    main()
