"""Benchmark the web map against Folium's default GeoJSON embedding, in a real Chromium.

For 10³, 10⁴ and 10⁵ synthetic RT polygons (a jittered grid of ~1 ha RTs, 8 vertices
each, coloured by a 2016 baseline, grouped in kelurahan strips) this measures, in the same
run and the same browser (Debian's Chromium, every non-local request blocked):

* **kumuhgis viewer** — ``/peta`` served by ``kumuhgis serve`` in its own process: Folium
  shell + local Leaflet + the kumuhgis script; RT polygons as canvas tiles from
  ``/api/tiles/rt/...`` (clipped, simplified to half a pixel, RTs under 8 px burnt into a PNG
  raster). Measured on the second visit (the server reads the project on the first);
* **Folium default** — ``folium.GeoJson(rt, style_function=...)`` on a ``folium.Map`` with
  no tiles, served as a static file (``python -m http.server``): every polygon embedded in
  the page and drawn as SVG. Its CDN links are mapped onto the same local Leaflet and
  jQuery/Bootstrap/Font Awesome are dropped, which makes the Folium page *lighter* than it
  is online.

Reported per size: page weight (all response bodies), time to first complete render
(navigation start → every layer loaded and drawn, after two animation frames), one zoom
step (zoom in, wait for the redraw), the browser's JS heap, and on the server side the time
to read the project (``load_map_data``), RT tile throughput and peak traced Python memory.
Ratios are Folium ÷ kumuhgis (> 1: kumuhgis is lighter/faster). Nothing is asserted.

Run: ``python benchmarks/bench_map.py [N ...]`` (default ``1000 10000 100000``). Needs
Debian's ``chromium`` (``scripts/install_browser.sh``) and ``playwright`` (pip).
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from kumuhgis.outputs import webmap
from kumuhgis.store import create_store, open_store
from kumuhgis.store.snapshot import load_snapshot

UTM = "EPSG:32749"  # Sampit's zone
CELL_M = 100.0
DENOMINATORS = {
    "1a": "jumlah_bangunan", "1b": "luas_ha", "1c": "jumlah_bangunan", "2a": "panjang_jalan_ideal_m",
    "2b": "panjang_jalan_ideal_m", "3a": "jumlah_kk", "3b": "jumlah_kk", "4a": "luas_ha",
    "4b": "panjang_drainase_ideal_m", "4c": "panjang_drainase_ideal_m", "5a": "jumlah_kk", "5b": "jumlah_kk",
    "6a": "jumlah_kk", "6b": "jumlah_kk", "7a": "jumlah_bangunan", "7b": "jumlah_bangunan",
}  # fmt: skip
CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")


# --------------------------------------------------------------------------- synthetic city


def synthetic_city(n: int, path: Path, seed: int = 2016) -> Path:
    """A project with about ``n`` RT polygons (a jittered 100 m grid: shared, moved corners and
    edge midpoints, so the RTs tile the city), kelurahan strips and a 2016 baseline."""
    rng = np.random.default_rng(seed)
    cols = int(math.ceil(math.sqrt(n * 1.5)))
    rows = int(math.ceil(n / cols))
    x0, y0 = 500_000.0 - cols * CELL_M / 2, 9_719_000.0 - rows * CELL_M / 2
    jit = 0.2 * CELL_M
    vx = x0 + np.arange(cols + 1)[None, :] * CELL_M + rng.uniform(-jit, jit, (rows + 1, cols + 1))
    vy = y0 + np.arange(rows + 1)[:, None] * CELL_M + rng.uniform(-jit, jit, (rows + 1, cols + 1))
    vx[:, 0], vx[:, -1] = x0, x0 + cols * CELL_M
    vy[0, :], vy[-1, :] = y0, y0 + rows * CELL_M
    # jittered midpoints of horizontal (h) and vertical (v) edges, shared by neighbours
    hx = (vx[:, :-1] + vx[:, 1:]) / 2 + rng.uniform(-jit / 2, jit / 2, (rows + 1, cols))
    hy = (vy[:, :-1] + vy[:, 1:]) / 2 + rng.uniform(-jit / 2, jit / 2, (rows + 1, cols))
    hy[0, :], hy[-1, :] = y0, y0 + rows * CELL_M
    wx = (vx[:-1, :] + vx[1:, :]) / 2 + rng.uniform(-jit / 2, jit / 2, (rows, cols + 1))
    wy = (vy[:-1, :] + vy[1:, :]) / 2 + rng.uniform(-jit / 2, jit / 2, (rows, cols + 1))
    wx[:, 0], wx[:, -1] = x0, x0 + cols * CELL_M
    r, c = np.divmod(np.arange(rows * cols), cols)
    ring_x = np.stack(
        [
            vx[r, c],
            hx[r, c],
            vx[r, c + 1],
            wx[r, c + 1],
            vx[r + 1, c + 1],
            hx[r + 1, c],
            vx[r + 1, c],
            wx[r, c],
            vx[r, c],
        ],
        axis=1,
    )
    ring_y = np.stack(
        [
            vy[r, c],
            hy[r, c],
            vy[r, c + 1],
            wy[r, c + 1],
            vy[r + 1, c + 1],
            hy[r + 1, c],
            vy[r + 1, c],
            wy[r, c],
            vy[r, c],
        ],
        axis=1,
    )
    to_ll = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform(ring_x, ring_y)
    geoms = shapely.polygons(np.stack([lon, lat], axis=-1))
    n_kel = max(5, min(60, n // 1500))
    strip = np.minimum(c * n_kel // cols, n_kel - 1)
    kode_kel = np.array([f"62029{k:05d}" for k in range(n_kel)])[strip]
    rw = (r // 5) % 99 + 1
    rt_no = r % 5 * 10 + c % 10 + 1
    kode_rt = np.char.add(
        np.char.add(kode_kel.astype(str), "-"), np.char.zfill(np.arange(len(r)).astype(str), 6)
    )
    rt = gpd.GeoDataFrame(
        {
            "kode_rt": kode_rt,
            "rt": [f"{v:03d}" for v in rt_no],
            "rw": [f"{v:03d}" for v in rw],
            "kode_kel": kode_kel,
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    kel_geoms = [shapely.coverage_union_all(geoms[strip == k]) for k in range(n_kel)]
    wilayah = gpd.GeoDataFrame(
        {
            "kode_kel": [f"62029{k:05d}" for k in range(n_kel)],
            "kelurahan": [f"Kelurahan Uji {k + 1}" for k in range(n_kel)],
            "kecamatan": [f"Kecamatan {k // 10 + 1}" for k in range(n_kel)],
            "kota": "Kota Bangku Uji",
        },
        geometry=kel_geoms,
        crs="EPSG:4326",
    )
    p = rng.choice([0.0, 30.0, 60.0, 100.0], size=len(rt), p=[0.55, 0.2, 0.15, 0.1])
    header = {"luas_ha": 1.0, "jumlah_bangunan": 80, "jumlah_penduduk": 300, "jumlah_kk": 75,
              "panjang_jalan_ideal_m": 400.0, "panjang_drainase_ideal_m": 400.0}  # fmt: skip
    base = pd.DataFrame({"kode_rt": kode_rt, "tahun": 2016, **{k: v for k, v in header.items()}})
    for code, den in DENOMINATORS.items():
        base[f"v_{code}"] = header[den] * p / 100.0
    create_store(path, kota="Kota Bangku Uji", settings={"kota": "Kota Bangku Uji"},
                 layers={"wilayah": wilayah, "rt": rt, "baseline": base}, command="bench_map")  # fmt: skip
    return path


# --------------------------------------------------------------------------- servers


class Process:
    """A server in its own process (as a user runs it), answering on 127.0.0.1:<port>."""

    def __init__(self, args: list[str], port: int, ready_path: str):
        import subprocess
        import urllib.request

        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.close()
                    raise RuntimeError(f"server did not start: {args}") from None
                time.sleep(0.2)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_viewer(path: Path) -> Process:
    """``kumuhgis serve STORE --port N``: the README's run command."""
    port = _free_port()
    exe = str(Path(sys.executable).with_name("kumuhgis"))
    return Process([exe, "serve", str(path), "--port", str(port)], port, "/healthz")


def serve_folium(html: str, folder: Path) -> Process:
    """The Folium page as a static file (``python -m http.server``), with the same local
    Leaflet files under ``/static``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "folium.html").write_text(html, encoding="utf-8")
    if not (folder / "static").exists():
        (folder / "static").symlink_to(webmap.static_dir(), target_is_directory=True)
    port = _free_port()
    return Process([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
                   port, "/folium.html")  # fmt: skip


def folium_default_page(data: webmap.MapData) -> str:
    """The same RT layer the obvious way: ``folium.GeoJson`` with a ``style_function``."""
    import folium

    rt = gpd.GeoDataFrame(
        {
            "kode_rt": data.rt["kode_rt"].astype(str),
            "tingkat": [webmap.LEVEL_CODES[i] for i in data.level_index(2016)],
        },
        geometry=data.rt.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    b = rt.total_bounds
    m = folium.Map(location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2], zoom_start=13, tiles=None)
    folium.GeoJson(
        rt,
        name="RT",
        style_function=lambda f: {
            "fillColor": webmap.LEVEL_COLORS[f["properties"]["tingkat"]],
            "color": "#ffffff",
            "weight": 0.5,
            "fillOpacity": 0.8,
        },  # fmt: skip
    ).add_to(m)
    m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    webmap.localize_assets(m, lambda p: "/static/" + p)
    return m.get_root().render()


# --------------------------------------------------------------------------- browser


def _local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1:", "data:", "blob:"))


def measure(browser, url: str, ready_js: str, zoom_js: str, timeout_ms: int) -> dict:
    """Load ``url`` in a fresh context; page weight, render time, zoom step, JS heap."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    responses, blocked, errors = [], [], []

    def route(r):
        if _local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("response", lambda r: responses.append(r))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_default_timeout(timeout_ms)
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    page.wait_for_function(ready_js, timeout=timeout_ms, polling=50)
    render_ms = page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
    )
    page.wait_for_load_state("networkidle", timeout=timeout_ms)
    weight = 0
    for r in responses:
        length = r.headers.get("content-length")  # every response of these two servers has one
        weight += int(length) if length is not None else len(r.body())
    zoom_ms = page.evaluate(zoom_js)
    page.wait_for_load_state("networkidle", timeout=timeout_ms)
    heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
    ctx.close()
    return {
        "weight": weight,
        "render_ms": render_ms,
        "zoom_ms": zoom_ms,
        "heap": heap,
        "blocked": blocked,
        "errors": errors,
    }


VIEWER_READY = "window.kumuhgisReady === true"
VIEWER_ZOOM = """() => new Promise(done => {
    const s = KG.state, t0 = performance.now();
    s.layers.rt.once('load', () => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0))));
    s.map.setZoom(s.map.getZoom() + 1, {animate: false});
})"""
FOLIUM_READY = "(n) => document.querySelectorAll('.leaflet-overlay-pane path').length >= n"
FOLIUM_ZOOM = """() => new Promise(done => {
    const m = window[Object.keys(window).find(k => k.startsWith('map_') && window[k] && window[k].getZoom)];
    const t0 = performance.now();
    m.once('zoomend', () => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0))));
    m.setZoom(m.getZoom() + 1, {animate: false});
})"""


def _mb(b: float) -> str:
    return f"{b / 1e6:8.2f}"


def run(sizes: list[int]) -> int:
    from playwright.sync_api import sync_playwright

    chromium = next((c for c in CHROMIUM if Path(c).exists()), None) or shutil.which("chromium")
    if chromium is None:
        print("chromium not found: run scripts/install_browser.sh", file=sys.stderr)
        return 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_map_") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium)
        for n in sizes:
            t = time.perf_counter()
            path = synthetic_city(n, Path(tmp) / f"kota_{n}.gpkg")
            build_s = time.perf_counter() - t
            t = time.perf_counter()
            data = webmap.load_map_data(load_snapshot(open_store(path)))
            load_s = time.perf_counter() - t
            b = data.rt.total_bounds
            tiles = webmap.tiles_for_bounds(b, 13) + webmap.tiles_for_bounds(b, 15)
            t = time.perf_counter()
            for tile in tiles:
                webmap.rt_tile(data, *tile)
            tile_s = time.perf_counter() - t
            # peak memory in a second pass: tracemalloc slows Python down several times
            tracemalloc.start()
            traced = webmap.load_map_data(load_snapshot(open_store(path)))
            for tile in tiles:
                webmap.rt_tile(traced, *tile)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            del traced
            n_rt = len(data.rt)
            print(
                f"n={n_rt}: store {build_s:.1f} s, load_map_data {load_s:.2f} s, {len(tiles) / tile_s:.0f} RT tiles/s",
                flush=True,
            )

            html = folium_default_page(data)
            del data
            srv = serve_viewer(path)
            fsrv = serve_folium(html, Path(tmp) / f"folium_{n}")
            timeout = 900_000
            try:
                measure(
                    browser, srv.url + "/peta", VIEWER_READY, VIEWER_ZOOM, timeout
                )  # the server reads the project once
                ours = measure(browser, srv.url + "/peta", VIEWER_READY, VIEWER_ZOOM, timeout)
                ready = FOLIUM_READY.replace("(n) =>", "() =>").replace(">= n", f">= {n_rt}")
                fol = measure(browser, fsrv.url + "/folium.html", ready, FOLIUM_ZOOM, timeout)
            finally:
                srv.close()
                fsrv.close()
            rows.append((n_rt, ours, fol, build_s, load_s, len(tiles), tile_s, peak))
            print(
                f"n={n_rt:>7}: kumuhgis {ours['weight'] / 1e6:.2f} MB {ours['render_ms']:.0f} ms | "
                f"folium {fol['weight'] / 1e6:.2f} MB {fol['render_ms']:.0f} ms "
                f"(blocked: {len(ours['blocked']) + len(fol['blocked'])}, console errors: {len(ours['errors']) + len(fol['errors'])})",
                flush=True,
            )
        browser.close()

    print()
    print("Page weight and time to first complete render in Chromium (network blocked)")
    print(f"{'RT':>8} | {'weight MB':>9} {'folium':>8} {'ratio':>6} | {'render s':>8} {'folium':>8} {'ratio':>6} | "
          f"{'zoom ms':>8} {'folium':>8} | {'JS heap MB':>10} {'folium':>8}")  # fmt: skip
    for n_rt, ours, fol, *_ in rows:
        print(
            f"{n_rt:>8} | {_mb(ours['weight']):>9} {_mb(fol['weight']):>8} {fol['weight'] / ours['weight']:6.1f} | "
            f"{ours['render_ms'] / 1000:8.2f} {fol['render_ms'] / 1000:8.2f} {fol['render_ms'] / ours['render_ms']:6.1f} | "
            f"{ours['zoom_ms']:8.0f} {fol['zoom_ms']:8.0f} | {_mb(ours['heap']):>10} {_mb(fol['heap']):>8}"
        )
    print()
    print("Server side (Python)")
    print(
        f"{'RT':>8} | {'build store s':>13} | {'load_map_data s':>15} | {'RT tiles':>8} {'tiles/s':>8} | {'peak MB':>8}"
    )
    for n_rt, _, _, build_s, load_s, n_tiles, tile_s, peak in rows:
        print(
            f"{n_rt:>8} | {build_s:13.2f} | {load_s:15.2f} | {n_tiles:8d} {n_tiles / tile_s:8.1f} | {peak / 1e6:8.1f}"
        )
    print(
        "\nratio = folium ÷ kumuhgis; render = navigation start → all layers drawn (two frames later);"
    )
    print(
        "zoom = one zoom step until redrawn; tiles/s = cold RT tiles at zoom 13 and 15 (no cache)."
    )
    return 0


if __name__ == "__main__":
    args = [int(float(a)) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    sys.exit(run(args))
