"""Benchmark: 50 concurrent clients on a city server (issue 15), on both backends.

The demo city is served by ``kumuhgis serve STORE --production`` (waitress, a production
WSGI server) in its own process, once from a GeoPackage and once from PostgreSQL + PostGIS
(a throwaway cluster started here the way the test suite's ``postgres_server`` fixture
does it: ``initdb`` into a temporary folder, a free port on 127.0.0.1, stopped and removed
at the end). ``--clients`` threads (50), each with its own HTTP session logged in as a
Korkot, request for ``--seconds`` per backend, in a mix: the map page (``/peta``), the
JSON API (``/api/layers/kolaborasi``, ``/api/ringkasan``, ``/api/kolaborasi``), map tiles
(``/api/tiles/rt/z/x/y.json``) and one write path, the Korkot's status override (the form
read for its version, then the POST), at most one write every ``--write-every`` seconds
across all clients. Between two requests a client thinks for a random 0–2 × ``--think``
seconds (a person reading the map; ``--think 0`` hammers the server). Every request goes
to 127.0.0.1 only and the run stops by itself.

Reported per backend and kind: requests, p50 / p95 / max in ms, errors (any status other
than the expected one, or a failed connection), and requests per second. The aim (issue
15): p95 < 100 ms for reads, 0 errors. A write changes the project, and the first reads
after it wait while the server reads the new version once; their share shows in p95.

Run::

    .venv/bin/python benchmarks/bench_server.py                 # 50 clients, 20 s per backend
    .venv/bin/python benchmarks/bench_server.py --seconds 5 --backend gpkg
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "sandi-bench-1"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="versi" value="(\d+)"')
#: (kind, weight): the share of each kind of read in a client's requests.
READS = (("peta", 10), ("api", 30), ("tiles", 60))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_project(path: Path) -> list[str]:
    """The demo city with a Korkot login; returns the kolaborasi codes."""
    from kumuhgis.demo import build_demo
    from kumuhgis.store import create_store
    from kumuhgis.store.users import add_user

    city = build_demo()
    store = create_store(path, kota=city.settings["kota"], settings=city.settings,
                         layers=city.layers, command="bench: demo")  # fmt: skip
    add_user(store, "korkot", "korkot", PASSWORD, command="bench")
    return [str(k) for k in city.layers["kolaborasi"]["kode_kegiatan"]]


@contextlib.contextmanager
def postgres_cluster():
    """A throwaway PostgreSQL + PostGIS cluster; yields the URL of database ``bench``."""
    import psycopg

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name))  # fmt: skip
    if not found:
        raise SystemExit("PostgreSQL is not installed (scripts/install_system.sh)")
    bindir = found[-1].parent
    root = Path(tempfile.mkdtemp(prefix="kumuhgis-bench-pg-"))
    as_user = {}
    if os.geteuid() == 0:  # PostgreSQL does not run as root
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = {"user": owner.pw_uid, "group": owner.pw_gid}
    data, port = root / "data", _free_port()

    def run(*argv: str) -> None:
        subprocess.run([str(bindir / argv[0]), *argv[1:]], check=True, capture_output=True,
                       cwd=root, **as_user)  # fmt: skip

    try:
        run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-locale", "--no-sync")  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        run("pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
        dsn = f"host=127.0.0.1 port={port} user=postgres"
        with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as con:
            con.execute("CREATE DATABASE bench")
        with psycopg.connect(f"{dsn} dbname=bench", autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")
        yield f"postgresql://postgres@127.0.0.1:{port}/bench"
        run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def production_server(store: str, *, threads: int):
    """``kumuhgis serve STORE --production`` in its own process; yields its base URL."""
    port = _free_port()
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "kumuhgis.cli", "serve", store, "--production", "--port", str(port),
         "--threads", str(threads)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


class Recorder:
    """Response times (ms) and errors per kind, from every client thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.notes: list[str] = []

    def timed(self, kind: str, call, expect: int = 200):
        started = time.perf_counter()
        try:
            response = call()
            ok = response.status_code == expect
            note = f"{kind}: HTTP {response.status_code}"
        except requests.RequestException as exc:
            response, ok, note = None, False, f"{kind}: {type(exc).__name__}"
        ms = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[kind].append(ms)
            if not ok:
                self.errors[kind] += 1
                if len(self.notes) < 10:
                    self.notes.append(note)
        return response if ok else None


def _login(url: str) -> requests.Session:
    s = requests.Session()
    token = TOKEN.search(s.get(f"{url}/masuk", timeout=30).text).group(1)
    r = s.post(f"{url}/masuk", data={"nama": "korkot", "sandi": PASSWORD, "csrf_token": token},
               allow_redirects=False, timeout=30)  # fmt: skip
    if r.status_code != 303:
        raise RuntimeError(f"login failed: HTTP {r.status_code}")
    return s


def _read(s: requests.Session, url: str, kind: str, rng: random.Random, rec: Recorder) -> None:
    if kind == "peta":
        rec.timed("peta", lambda: s.get(f"{url}/peta", timeout=30))
    elif kind == "api":
        path = rng.choice(("/api/layers/kolaborasi", "/api/ringkasan", "/api/kolaborasi"))
        rec.timed("api", lambda: s.get(f"{url}{path}", timeout=30))
    else:  # a 3 × 3 block of tiles around the demo city (Sampit) at zoom 14
        x, y = 13_331 + rng.randrange(3), 8_307 + rng.randrange(3)
        rec.timed("tiles", lambda: s.get(f"{url}/api/tiles/rt/14/{x}/{y}.json", timeout=30))


def _write(s: requests.Session, url: str, kode: str, n: int, rec: Recorder) -> None:
    form = rec.timed("tulis", lambda: s.get(f"{url}/kolaborasi?ubah={kode}&semua=1", timeout=30))
    if form is None:
        return
    data = {"csrf_token": TOKEN.search(form.text).group(1), "kode_kegiatan": kode,
            "status": ("dalam", "luar")[n % 2], "alasan": f"bench {n}",
            "versi": VERSION.search(form.text).group(1)}  # fmt: skip
    rec.timed("tulis", lambda: s.post(f"{url}/kolaborasi/status", data=data,
                                      allow_redirects=False, timeout=60), expect=303)  # fmt: skip


def run_clients(url: str, codes: list[str], *, clients: int, seconds: float,
                write_every: float, think: float) -> tuple[Recorder, float]:  # fmt: skip
    rec = Recorder()
    sessions = [_login(url) for _ in range(clients)]
    kinds, weights = zip(*READS, strict=True)
    next_write = [time.monotonic() + write_every]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        rng, s, n = random.Random(i), sessions[i], 0
        while time.monotonic() < stop:
            with lock:
                due = time.monotonic() >= next_write[0]
                if due:
                    next_write[0] += write_every
            if due:
                n += 1
                _write(s, url, codes[i % len(codes)], n, rec)
            else:
                _read(s, url, rng.choices(kinds, weights)[0], rng, rec)
            time.sleep(rng.uniform(0, 2 * think))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return rec, time.monotonic() - started


def report(backend: str, rec: Recorder, elapsed: float) -> list[str]:
    lines = [f"\n{backend}: {sum(map(len, rec.times.values()))} requests in {elapsed:.1f} s"]
    lines.append(
        f"  {'kind':<7} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6} {'req/s':>7}"
    )
    reads = [t for k, v in rec.times.items() if k != "tulis" for t in v]
    for kind, times in [*sorted(rec.times.items()), ("reads", reads)]:
        if not times:
            continue
        a = np.asarray(times)
        errors = (
            sum(v for k, v in rec.errors.items() if k != "tulis")
            if kind == "reads"
            else rec.errors[kind]
        )
        lines.append(f"  {kind:<7} {len(a):>6} {np.percentile(a, 50):>8.1f} {np.percentile(a, 95):>8.1f} "
                     f"{a.max():>8.1f} {errors:>6} {len(a) / elapsed:>7.1f}")  # fmt: skip
    lines.extend(f"  error: {n}" for n in rec.notes)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="per backend")
    parser.add_argument("--write-every", type=float, default=10.0, help="seconds between writes")
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between requests")
    parser.add_argument("--threads", type=int, default=16, help="waitress threads")
    parser.add_argument("--backend", choices=("gpkg", "postgis", "both"), default="both")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kumuhgis-bench-server-") as tmp:
        gpkg = Path(tmp) / "demo.gpkg"
        codes = make_project(gpkg)
        with contextlib.ExitStack() as stack:
            stores = []
            if args.backend in ("gpkg", "both"):
                stores.append(("GeoPackage", str(gpkg)))
            if args.backend in ("postgis", "both"):
                from kumuhgis.store import open_store
                from kumuhgis.store.transfer import copy_project

                url = stack.enter_context(postgres_cluster())
                copy_project(open_store(gpkg), url, command="bench: copy")
                stores.append(("PostGIS", url))
            lines = [f"{args.clients} clients, {args.seconds:g} s per backend, think {args.think:g} s, "
                     f"a write every {args.write_every:g} s, waitress with {args.threads} threads"]  # fmt: skip
            for name, store in stores:
                with production_server(store, threads=args.threads) as base:
                    requests.get(f"{base}/healthz", timeout=30)
                    _login(base).get(f"{base}/peta", timeout=120)  # the first read of the project
                    rec, elapsed = run_clients(base, codes, clients=args.clients,
                                               seconds=args.seconds, write_every=args.write_every,
                                               think=args.think)  # fmt: skip
                lines += report(name, rec, elapsed)
                print("\n".join(lines[-8:]), flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
