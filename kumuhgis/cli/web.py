"""Web map commands: ``serve`` (the viewer) and ``export-map`` (one offline HTML file)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from kumuhgis.cli._console import console, progress
from kumuhgis.cli.options import add_out, add_store, add_year, load_project, open_project
from kumuhgis.core.errors import UsageError


def _cmd_serve(args: argparse.Namespace) -> int:
    store = open_project(args.store)  # missing or unreadable project: exit 2 before serving
    config = {"STORE": args.store, "LANG": args.lang}
    if args.anonymous_read is not None:
        config["ANONYMOUS_READ"] = args.anonymous_read == "ya"
    if args.basemap:
        from kumuhgis.outputs.raster import open_basemap

        with open_basemap(args.basemap) as bm:  # refuse an unreadable basemap now, not per tile
            info = bm.info()
        config["BASEMAP"] = str(Path(args.basemap))
    else:
        info = None
    from app import create_app

    app = create_app(config)
    host = args.host
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    con = console()
    con.print(
        f"Peta kumuhgis / kumuhgis map: [bold]http://{shown}:{args.port}/[/]  (Ctrl+C berhenti / to stop)"
    )
    con.print(f"  proyek / project: {store.location}", markup=False)
    if info:
        con.print(
            f"  peta dasar / basemap: {args.basemap} (zoom {info['min_zoom']}–{info['max_zoom']})"
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        con.print(
            "  [yellow]Terbuka untuk jaringan / open to the network[/]: peserta rapat dapat membuka peta dari laptop mereka."
        )
    if args.production:
        return _serve_production(app, host, args.port, threads=args.threads)
    if not args.verbose:  # no access-log line per map tile on the meeting laptop's terminal
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from werkzeug.serving import run_simple

    run_simple(
        host,
        args.port,
        app,
        threaded=True,
        use_reloader=False,
        use_debugger=False,
        request_handler=_keep_alive_handler(),
    )
    return 0


def _serve_production(app, host: str, port: int, *, threads: int) -> int:
    """Serve with waitress, a production WSGI server (pure Python, on Linux and Windows):
    ``threads`` requests at a time, HTTP/1.1 keep-alive; behind a reverse proxy that
    terminates https, its ``X-Forwarded-Proto`` marks the session cookie ``Secure``."""
    import waitress

    console().print(f"  waitress: {threads} thread", markup=False)
    waitress.serve(app, host=host, port=port, threads=threads, ident="kumuhgis",
                   trusted_proxy="127.0.0.1", trusted_proxy_headers={"x-forwarded-proto"},
                   clear_untrusted_proxy_headers=True)  # fmt: skip
    return 0


def _keep_alive_handler():
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        """HTTP/1.1 with keep-alive: a map page loads dozens of tiles over a few connections."""

        protocol_version = "HTTP/1.1"

    return Handler


def _cmd_export_map(args: argparse.Namespace) -> int:
    from kumuhgis.outputs.webmap import export_map_html, load_map_data

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--out harus berkas .html / --out must be an .html file: {out}")
    snap = load_project(args)
    with progress("Membuat peta / building the map", total=2) as advance:
        data = load_map_data(snap)
        advance()
        html = export_map_html(data, lang=args.lang, year=args.year, no_sk=args.no_sk)
        advance()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    size_mb = out.stat().st_size / 1e6
    console().print(
        f"Peta mandiri ditulis / self-contained map written: [bold]{out}[/] ({size_mb:.1f} MB; "
        "buka dengan peramban, tanpa internet / open in a browser, no internet needed)"
    )
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve",
        help="buka peta web proyek / serve the web map viewer",
        description=(
            "Menjalankan penampil peta web (peta, ringkasan, verifikasi SK, kolaborasi, unduh) "
            "untuk satu proyek; semua berkas dilayani aplikasi sendiri, jadi bekerja tanpa "
            "internet. / Serves the web map viewer for one project; every file comes from the "
            "app itself, so it works with no internet."
        ),
    )
    add_store(p)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="alamat / address (0.0.0.0: open to the LAN; default 127.0.0.1)",
    )
    p.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    p.add_argument(
        "--basemap",
        metavar="FILE",
        help="peta dasar lokal: GeoTIFF ortofoto (CRS apa pun) atau .mbtiles / local basemap: a GeoTIFF orthophoto (any CRS) or an .mbtiles file",
    )
    p.add_argument(
        "--production",
        action="store_true",
        help="server produksi (waitress) untuk server kota dengan login / a production WSGI "
        "server (waitress) for a city server with logins",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=8,
        help="permintaan serentak / concurrent requests (--production)",
    )
    p.add_argument(
        "--anonymous-read",
        choices=("ya", "tidak"),
        default=None,
        help="baca tanpa login / reading without a login (bawaan / default: ya untuk .gpkg, "
        "tidak untuk basis data; pengaturan proyek baca_tanpa_login)",
    )
    p.set_defaults(func=_cmd_serve)

    p = subparsers.add_parser(
        "export-map",
        help="satu berkas HTML peta yang bekerja tanpa internet / one offline HTML map",
        description=(
            "Menulis satu berkas HTML mandiri (semua skrip, gaya dan data di dalamnya) yang bisa "
            "dibuka dari flashdisk tanpa internet. / Writes one self-contained HTML file (every "
            "script, style and layer inside) that opens from a USB stick with the network off."
        ),
    )
    add_store(p)
    add_out(p, (".html",), help="berkas keluaran .html / output .html file")
    add_year(
        p, help="tahun kondisi RT yang dibuka / RT condition year shown first (default: latest)"
    )
    p.add_argument(
        "--sk",
        "--no-sk",
        dest="no_sk",
        metavar="NO_SK",
        help="versi SK delineasi yang dibuka / SK version shown first (default: latest)",
    )
    p.set_defaults(func=_cmd_export_map)
