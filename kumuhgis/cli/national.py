"""National commands: ``nasional build`` and ``nasional run`` (contracts.md "Command line").

Dask is imported inside :func:`_cmd_run` only, so ``import kumuhgis.cli`` stays fast. A
``LocalCluster`` starts worker processes that import this package afresh; the console
script and ``python -m kumuhgis.cli`` both run :func:`kumuhgis.cli.main` under an
``if __name__ == "__main__"`` guard (or as an entry point), which is what they need
(stack.md).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from kumuhgis.cli._console import console, progress
from kumuhgis.core.errors import UsageError

__all__ = ["PROFILE_SETTING", "register"]

#: Environment setting of the Dask workers' statistical profiler (README: set it on the
#: machines of a cluster too).
PROFILE_SETTING = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"


def _cmd_build(args: argparse.Namespace) -> int:
    from kumuhgis.national.build import build_dataset, project_paths

    total = len(project_paths(args.projects))
    with progress("Membangun dataset nasional / building the national dataset", total) as advance:
        cities = build_dataset(
            args.projects,
            args.out,
            on_city=lambda c: advance(description=f"{c.kode_kota} {c.kota}"),
        )
    console().print(
        f"Dataset nasional / national dataset: [bold]{args.out}[/] — {len(cities)} kota/cities, "
        f"{len({c.kode_prov for c in cities})} provinsi/provinces"
    )
    return 0


def _client(args: argparse.Namespace):
    """A client of the cluster at ``--scheduler``, or of a new ``LocalCluster`` of
    ``--workers`` single-threaded worker processes."""
    if not args.verbose:  # distributed logs every worker event at INFO; workers inherit this
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    # the workers' statistical profiler keeps growing (about 2 MiB per city task): off, so
    # a worker's memory stays flat however many cities it runs
    os.environ.setdefault(PROFILE_SETTING, "False")
    from distributed import Client, LocalCluster

    if args.scheduler:
        return Client(args.scheduler, timeout="30s"), None
    if args.workers < 1:
        raise UsageError("--workers harus ≥ 1 / --workers must be ≥ 1")
    cluster = LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        processes=not args.threads,
        memory_limit=args.memory_limit,
        dashboard_address=_dashboard_address(),
    )
    return Client(cluster), cluster


def _dashboard_address(port: int = 8787) -> str:
    """Dask's usual dashboard port when it is free, else any free one (another cluster or
    run on this machine holds 8787: the link printed says where this one is)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return ":0"
    return f":{port}"


def _cmd_run(args: argparse.Namespace) -> int:
    from kumuhgis.national.run import run_national, task_count

    root, out = Path(args.dataset), Path(args.out)
    total = task_count(root, args.points)  # checks the dataset before starting a cluster
    client, cluster = _client(args)
    con = console(err=True)
    try:
        con.print(f"Dasbor Dask / Dask dashboard: {client.dashboard_link}")
        t0 = time.perf_counter()
        with progress("Menghitung kota / computing cities", total) as advance:
            result = run_national(
                root, out, client=client, points=args.points, tahun_titik=args.tahun_titik,
                on_done=lambda kind, c: advance(description=f"{kind} {c.kode_kota} {c.kota}"),
            )  # fmt: skip
        seconds = time.perf_counter() - t0
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    _report(result, out, seconds)
    return 0


def _report(result, out: Path, seconds: float) -> None:
    n = result.tables.nasional.iloc[0]
    k = result.tables.kinerja
    con = console()
    con.print(
        f"{len(result.cities)} kota/cities, {int(n.get('jumlah_rt', 0))} RT → [bold]{out}[/] "
        f"({seconds:.1f} s)"
    )
    con.print(
        f"Luas kumuh lingkup SK / SK scope: {n['luas_kumuh_awal_ha_sk']:,.2f} → "
        f"{n['luas_kumuh_akhir_ha_sk']:,.2f} ha; seluruh kota / whole cities: "
        f"{n['luas_kumuh_awal_ha_kota']:,.2f} → {n['luas_kumuh_akhir_ha_kota']:,.2f} ha"
    )
    if "titik" in n and n["titik"]:
        con.print(
            f"Titik / points: {int(n['titik']):,} — dalam {int(n['titik_dalam']):,}, "
            f"batas {int(n['titik_batas']):,}, luar {int(n['titik_luar']):,}"
        )
    con.print(
        f"Memori puncak per worker / peak memory per worker: {k['memori_puncak_mb'].max():,.0f} MiB; "
        f"waktu CPU tugas / task CPU time: {k['detik_cpu'].sum():,.1f} s"
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``nasional build`` and ``nasional run`` to the ``kumuhgis`` parser."""
    p = sub.add_parser("nasional", help="skala nasional / national scale (Dask)")
    nsub = p.add_subparsers(dest="nasional_command", metavar="SUBCOMMAND")
    nsub.required = True
    b = nsub.add_parser(
        "build",
        help="folder proyek → dataset nasional / projects → national dataset",
        description="Menulis setiap proyek .gpkg di DIR sebagai partisi GeoParquet "
        "provinsi=PP/kota=KKKK (pengaturan kode_kota wajib) / writes every .gpkg project "
        "of DIR as a GeoParquet partition (setting kode_kota required).",
    )
    b.add_argument("projects", metavar="DIR", help="folder proyek .gpkg / folder of projects")
    b.add_argument(
        "--out", required=True, metavar="DATASET", help="folder dataset / dataset folder"
    )
    b.set_defaults(func=_cmd_build)
    r = nsub.add_parser(
        "run",
        help="angka setiap kota di Dask / every city's figures on Dask",
        description="Skor setiap RT-tahun, tahun turunan, kolaborasi dan titik di dalam/luar "
        "delineasi yang berlaku, pengurangan (lingkup SK dan kota) per kota, provinsi, "
        "nasional / scores, derived years, kolaborasi and points inside/outside the "
        "delineation in force, reduction per city, province and nation.",
    )
    r.add_argument("dataset", metavar="DATASET", help="dataset nasional / national dataset")
    r.add_argument("--out", required=True, metavar="DIR", help="folder keluaran / output folder")
    r.add_argument("--points", metavar="POINTS", help="GeoParquet titik (berkas dengan kolom "
                   "kode_kota, atau folder provinsi=PP/kota=KKKK) / point dataset")  # fmt: skip
    r.add_argument("--tahun-titik", type=int, help="tahun delineasi untuk titik (bawaan: tahun "
                   "terakhir kota) / year of the delineation for points (default: latest)")  # fmt: skip
    where = r.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="tcp://HOST:8786", help="klaster Dask / Dask scheduler"
    )
    where.add_argument("--workers", type=int, default=2, help="worker lokal / local workers (2)")
    r.add_argument("--threads", action="store_true",
                   help="worker sebagai thread dalam satu proses / workers as threads")  # fmt: skip
    r.add_argument(
        "--memory-limit", default="auto", help="batas memori per worker / per worker (auto)"
    )
    r.set_defaults(func=_cmd_run)
