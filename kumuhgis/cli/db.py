"""Database commands for a city server: ``db init`` (a PostGIS project) and ``db copy``
(a lossless copy between a ``.gpkg`` and a database, either way)."""

from __future__ import annotations

import argparse
import time

from kumuhgis.cli._console import console, progress
from kumuhgis.cli.options import command_line, load_settings, open_project, project_location
from kumuhgis.core.errors import UsageError

__all__ = ["register"]

_URL_HELP = (
    "URL basis data / database URL: postgresql://PENGGUNA@HOST[:PORT]/BASISDATA[?schema=NAMA] "
    "(bawaan skema / default schema: kumuhgis)"
)


def _cmd_init(args: argparse.Namespace) -> int:
    from kumuhgis.store import create_store, is_database_url

    if not is_database_url(args.url):
        raise UsageError(
            f"`db init` perlu URL postgresql://…, bukan '{args.url}' (proyek .gpkg dibuat oleh "
            "`kumuhgis import` atau `kumuhgis demo`) / `db init` needs a postgresql://… URL"
        )
    settings = load_settings(args)
    store = create_store(args.url, kota=args.kota, settings=settings, command=command_line())
    con = console()
    if args.lang == "en":
        con.print(f"Empty project ready: {store.location} (schema {store.name})", markup=False)
    else:
        con.print(f"Proyek kosong siap: {store.location} (skema {store.name})", markup=False)
    return 0


def _cmd_copy(args: argparse.Namespace) -> int:
    from kumuhgis.store.transfer import copy_project

    source = open_project(args.source)
    started = time.perf_counter()
    with progress("Menyalin proyek / copying the project"):
        outcome = copy_project(
            source,
            project_location(args.destination),
            overwrite=args.overwrite,
            command=command_line(),
        )
    seconds = time.perf_counter() - started
    con = console()
    en = args.lang == "en"
    con.print(
        f"{outcome.source} → {outcome.destination} ({seconds:.1f} s)"
        if en
        else f"{outcome.source} → {outcome.destination} ({seconds:.1f} dtk)",
        markup=False,
    )
    for name, rows in {**outcome.layers, **outcome.tables}.items():
        con.print(f"  {name:<20} {rows:>7} {'rows' if en else 'baris'}", markup=False)
    con.print(f"  {'audit':<20} {outcome.audit_rows:>7} {'rows' if en else 'baris'}", markup=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``db init`` and ``db copy`` to the ``kumuhgis`` parser."""
    p = sub.add_parser(
        "db",
        help="proyek di basis data PostGIS (server kota) / a project in a PostGIS database",
        description=(
            "Proyek kota di PostgreSQL + PostGIS: satu skema per proyek, nama layer dan kolom "
            "sama dengan GeoPackage. Setiap STORE pada perintah lain menerima .gpkg atau URL. / "
            "A city project in PostgreSQL + PostGIS; every STORE argument takes a .gpkg or a URL."
        ),
    )
    db = p.add_subparsers(dest="db_command", metavar="PERINTAH", parser_class=type(p))
    db.required = True

    q = db.add_parser(
        "init",
        help="buat proyek kosong di basis data / create an empty project in a database",
        description=(
            "Memasang PostGIS (bila belum ada dan pengguna boleh), membuat skema proyek, tabel "
            "meta dan audit. Proyek yang sudah ada tidak disentuh (status 2). / Installs PostGIS "
            "if needed, creates the project schema with its meta and audit tables."
        ),
    )
    q.add_argument("url", metavar="URL", help=_URL_HELP)
    q.add_argument("--kota", default="", help="nama kota/kabupaten / city name")
    q.add_argument(
        "--settings",
        metavar="FILE.yaml",
        help="pengaturan awal proyek / the project's first settings",
    )
    q.set_defaults(func=_cmd_init)

    q = db.add_parser(
        "copy",
        help="salin proyek utuh .gpkg ⇄ basis data / copy a whole project .gpkg ⇄ database",
        description=(
            "Salinan tanpa kehilangan: layer (nilai, tipe, geometri, semua versi SK), tabel "
            "proyek, pengaturan, jejak audit; dalam satu transaksi. Tujuan boleh belum ada atau "
            "kosong (baru dibuat `db init`); yang berisi data perlu --overwrite. / A lossless "
            "copy in one transaction; a destination holding data needs --overwrite."
        ),
    )
    q.add_argument("source", metavar="SRC", help="proyek sumber / source project (.gpkg or URL)")
    q.add_argument("destination", metavar="DST", help="proyek tujuan / destination (.gpkg or URL)")
    q.add_argument(
        "--overwrite",
        action="store_true",
        help="ganti isi tujuan seluruhnya / replace everything in the destination",
    )
    q.set_defaults(func=_cmd_copy)
