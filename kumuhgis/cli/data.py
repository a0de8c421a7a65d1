"""Data commands: ``demo``, ``import``, ``validate``, ``area``, ``summary``, ``layers``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kumuhgis.cli._console import console, print_problems, progress
from kumuhgis.cli.options import (
    add_fill,
    add_map,
    add_rt_sheet,
    add_rules,
    add_store,
    add_year,
    command_line,
    open_project,
    parse_fill,
    parse_map,
    project_location,
)
from kumuhgis.core.errors import UsageError, ValidationError
from kumuhgis.core.schema import LAYERS

_EPILOG_FORMATS = (
    "Format masukan / input formats: Shapefile (.zip atau folder/.shp; DBF tanpa .cpg dibaca "
    "Windows-1252), GeoPackage (.gpkg, pilih --source-layer), GeoJSON, KML/KMZ, CSV/XLSX "
    "(kolom bujur/lintang atau WKT; tanpa geometri untuk sk_kumuh dan baseline)."
)


def _cmd_demo_national(args: argparse.Namespace) -> int:
    from kumuhgis.demo.national import write_national_demo

    if args.cities is None or args.cities < 1 or args.points < 0 or (args.workers or 1) < 1:
        raise UsageError(
            "--cities ≥ 1, --points ≥ 0, --workers ≥ 1 / --cities ≥ 1, --points ≥ 0, --workers ≥ 1"
        )
    with progress(
        "Membangun dataset nasional demo / building national demo", args.cities
    ) as advance:
        cities = write_national_demo(
            args.out, cities=args.cities, points=args.points, seed=args.seed,
            projects=args.projects, on_city=lambda c: advance(description=f"{c.kode_kota} {c.kota}"),
            workers=args.workers or os.cpu_count() or 1,
        )  # fmt: skip
    console().print(
        f"Dataset nasional demo / national demo dataset: [bold]{args.out}[/] — {len(cities)} "
        f"kota/cities, {args.points:,} titik/points"
        + (f"; proyek / projects: {args.projects}" if args.projects else "")
    )
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from kumuhgis.demo import build_demo
    from kumuhgis.store import create_store

    if args.national:
        return _cmd_demo_national(args)
    if args.cities is not None or args.points or args.projects or args.workers is not None:
        raise UsageError(
            "--cities/--points/--projects/--workers hanya dengan --national / only with --national"
        )
    out = Path(args.out)
    if out.suffix.lower() != ".gpkg":
        raise UsageError(f"--out harus berkas .gpkg / --out must be a .gpkg file: {out}")
    with progress("Membangun kota demo / building demo city", total=2) as advance:
        city = build_demo(seed=args.seed)
        advance(description="Menyimpan / writing")
        create_store(
            out,
            kota=city.settings.get("kota", ""),
            settings=city.settings,
            layers=city.layers,
            overwrite=True,
            command="kumuhgis demo",
        )
        advance()
    con = console()
    con.print(f"Proyek demo dibuat / demo project written: [bold]{out}[/]")
    for name, frame in city.layers.items():
        con.print(f"  {name:<14} {len(frame):>6} baris/rows")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from kumuhgis.ingest.load import import_file

    if args.layer not in LAYERS:
        raise UsageError(f"layer '{args.layer}' tidak dikenal; pilih / choose: {', '.join(LAYERS)}")
    con = console()
    lang = args.lang

    def _before_write(change) -> None:  # --replace-layer: say what goes before it goes
        if change.mode == "replace" and change.rows_before:
            _print_going(con, change, lang)

    with progress(f"Impor / importing {Path(args.file).name}", total=None):
        outcome = import_file(
            project_location(args.store),
            args.layer,
            args.file,
            lenient=args.lenient,
            append=args.append,
            replace_layer=args.replace_layer,
            mapping=parse_map(args.map),
            fill=parse_fill(args.fill),
            source_layer=args.source_layer,
            assume_crs=args.crs,
            report=args.report,
            from_published=args.from_published,
            rt_sheet=args.rt_sheet,
            command=command_line("kumuhgis import"),
            on_plan=_before_write,
        )
    for p in outcome.problems:
        if p.severity != "error":
            con.print(f"[yellow]{p.severity}[/]: {p.text(lang)}")
    _print_import(con, outcome, lang)
    if outcome.rejected_file:
        con.print(f"Baris ditolak / rejected rows: {outcome.rejected_file}")
    if outcome.report_file:
        con.print(f"Laporan / report: {outcome.report_file}")
    return 0


_MODE_LABELS = {
    "replace_key": ("ganti per kunci {key}", "replace by key {key}"),
    "replace": ("ganti seluruh layer", "whole layer replaced"),
    "append": ("tambahkan", "append"),
}
_SHOWN_KEYS = 20


def _print_going(con, change, lang: str) -> None:
    """The rows a whole-layer replace removes: how many, and the keys that disappear."""
    gone = change.removed_keys
    if lang == "id":
        con.print(
            f"[yellow]Layer {change.name} diganti seluruhnya: {change.rows_before} baris lama pergi "
            f"({change.replaced} diganti oleh baris berkunci sama, {change.removed} hilang)[/]"
        )
    else:
        con.print(
            f"[yellow]Layer {change.name} replaced whole: {change.rows_before} stored rows go "
            f"({change.replaced} replaced by rows of the same key, {change.removed} disappear)[/]"
        )
    if gone:
        label = "Kunci yang hilang" if lang == "id" else "Keys that disappear"
        more = len(gone) - _SHOWN_KEYS
        tail = f" … (+{more} {'lagi' if lang == 'id' else 'more'})" if more > 0 else ""
        con.print(f"  {label} ({change.key_label()}): {', '.join(gone[:_SHOWN_KEYS])}{tail}")


def _print_import(con, outcome, lang: str) -> None:
    """The line after an import: rows in / stored / rejected, added / replaced / kept."""
    i = 0 if lang == "id" else 1
    label = _MODE_LABELS[outcome.mode][i].format(key=" + ".join(outcome.key))
    if lang == "id":
        counts = (f"{outcome.rows_added} ditambah, {outcome.rows_replaced} diganti, "
                  f"{outcome.rows_kept} tetap")  # fmt: skip
        if outcome.rows_removed:
            counts += f", {outcome.rows_removed} dihapus"
        con.print(
            f"Layer [bold]{outcome.layer}[/] ({label}): {outcome.rows_in} baris masuk, "
            f"{outcome.rows_stored} disimpan, {outcome.rows_rejected} ditolak; {counts} "
            f"→ {outcome.store}"
        )
    else:
        counts = f"{outcome.rows_added} added, {outcome.rows_replaced} replaced, {outcome.rows_kept} kept"
        if outcome.rows_removed:
            counts += f", {outcome.rows_removed} removed"
        con.print(
            f"Layer [bold]{outcome.layer}[/] ({label}): {outcome.rows_in} rows in, "
            f"{outcome.rows_stored} stored, {outcome.rows_rejected} rejected; {counts} "
            f"→ {outcome.store}"
        )


def _cmd_validate(args: argparse.Namespace) -> int:
    from kumuhgis.ingest.load import validate_file

    result = validate_file(
        args.layer,
        args.file,
        lenient=args.lenient,
        mapping=parse_map(args.map),
        source_layer=args.source_layer,
        assume_crs=args.crs,
        rules=args.rules,
        fill=parse_fill(args.fill),
    )
    if result.errors:
        raise ValidationError(result.problems, source=str(args.file), layer=args.layer)
    con = console()
    if result.problems:
        print_problems(
            ValidationError(result.problems, source=str(args.file), layer=args.layer),
            lang=args.lang,
            file=sys.stdout,
        )
    if args.lang == "id":
        con.print(f"OK: {result.rows_in} baris siap diimpor ke layer {args.layer}.")
    else:
        con.print(f"OK: {result.rows_in} rows ready to import into layer {args.layer}.")
    return 0


def _cmd_area(args: argparse.Namespace) -> int:
    from kumuhgis.geo.area import area_table
    from kumuhgis.geo.crs import resolve_crs
    from kumuhgis.ingest.readers import read_file

    read = read_file(args.file, layer=args.source_layer)
    if not read.has_geometry:
        raise UsageError(f"{args.file} tidak punya geometri / has no geometry")
    frame, problems = resolve_crs(read.frame, source=str(args.file), assume_crs=args.crs)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(problems, source=str(args.file), layer="-")
    table = area_table(frame.drop(columns=["_row"], errors="ignore"), method=args.method)
    if args.json:
        rows = json.loads(table.to_json(orient="records", force_ascii=False))
        json.dump(
            {
                "file": str(args.file),
                "method": args.method,
                "total_ha": float(table["luas_ha"].sum()),
                "features": rows,
            },
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        sys.stdout.write("\n")
        return 0
    from rich.table import Table

    con = console()
    for p in problems:
        con.print(f"[yellow]{p.severity}[/]: {p.text(args.lang)}")
    labels = table["metode"].dropna()
    label = labels.iloc[0] if len(labels) else args.method
    t = Table(title=f"Luas / area — {Path(args.file).name} ({label})")
    shown = [c for c in table.columns if c not in ("geometry",)][:6]
    if "luas_ha" not in shown:
        shown.append("luas_ha")
    for c in shown:
        t.add_column(c, justify="right" if c == "luas_ha" else "left")
    for _, row in table.iterrows():
        t.add_row(*[f"{row[c]:.4f}" if c == "luas_ha" else str(row[c]) for c in shown])
    con.print(t)
    con.print(f"Total: {table['luas_ha'].sum():.4f} ha")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from kumuhgis.analysis.summary import city_summary
    from kumuhgis.cli.options import load_project
    from kumuhgis.outputs.terminal import render_summary

    summary = city_summary(load_project(args), year=args.year)
    render_summary(summary, console(), lang=args.lang)
    return 0


def _cmd_layers(args: argparse.Namespace) -> int:
    from rich.table import Table

    store = open_project(args.store)
    meta = store.meta()
    con = console()
    t = Table(
        title=f"{store.location} — kota: {meta.get('kota', '')}, skema v{meta.get('schema_version')}"
    )
    t.add_column("layer")
    t.add_column("baris/rows", justify="right")
    for name in LAYERS:
        t.add_row(name, str(len(store.read(name))) if store.has_layer(name) else "-")
    con.print(t)
    if args.audit:  # the old and new values of changed rows are JSON: too long for a terminal
        audit = store.audit()
        con.print(audit.drop(columns=["lama", "baru"], errors="ignore").to_string(index=False))
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    """Show or change the project settings (configurable rules of domain.md, targets)."""
    import yaml

    store = open_project(args.store)
    settings = store.settings()
    changed = False
    if args.file:
        try:
            loaded = yaml.safe_load(Path(args.file).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise UsageError(
                f"berkas pengaturan tidak terbaca / unreadable settings file {args.file}: {exc}"
            ) from exc
        if not isinstance(loaded, dict):
            raise UsageError(f"{args.file}: harus peta YAML / must be a YAML mapping")
        settings = _merge(settings, loaded)
        changed = True
    for item in args.set or []:
        if "=" not in item:
            raise UsageError(f"--set harus KUNCI=NILAI / --set must be KEY=VALUE, not '{item}'")
        key, value = item.split("=", 1)
        node = settings
        parts = [k for k in key.strip().split(".") if k]
        if not parts:
            raise UsageError(f"--set: kunci kosong / empty key in '{item}'")
        for k in parts[:-1]:
            k = int(k) if k.isdigit() else k
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        last = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
        node[last] = yaml.safe_load(value) if value.strip() else None
        changed = True
    if changed:
        store.save_settings(settings, command=command_line())
    sys.stdout.write(yaml.safe_dump(settings, allow_unicode=True, sort_keys=True))
    return 0


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _input_options(q: argparse.ArgumentParser) -> None:
    """Options of the commands that read an input file (import, validate)."""
    q.add_argument(
        "--lenient",
        action="store_true",
        help="perbaiki geometri, tolak baris buruk / repair and drop bad rows",
    )
    add_map(q)
    add_fill(q)
    q.add_argument(
        "--source-layer",
        help="layer/sheet/folder di berkas masukan / layer or sheet inside the file",
    )
    q.add_argument(
        "--crs",
        help="CRS berkas bila tidak tercatat, mis. EPSG:9489 / CRS of a file that has none",
    )


def _register_demo(sub: argparse._SubParsersAction) -> None:
    """``demo``: one city project, or with ``--national`` a national dataset."""
    p = sub.add_parser("demo", help="buat proyek kota demo / build the demo city project")
    p.add_argument(
        "--out", required=True, help="berkas .gpkg keluaran (--national: folder) / output .gpkg"
    )
    p.add_argument("--seed", type=int, default=2016, help="benih acak / random seed (default 2016)")
    p.add_argument(
        "--national",
        action="store_true",
        help="dataset nasional (GeoParquet) di --out / a national dataset at --out",
    )
    p.add_argument("--cities", type=int, help="jumlah kota (--national) / number of cities")
    p.add_argument(
        "--points", type=int, default=0, help="jumlah titik bangunan (--national) / building points"
    )
    p.add_argument(
        "--projects",
        help="juga tiap kota sebagai proyek .gpkg di folder ini / also each city as a project here",
    )
    p.add_argument(
        "--workers",
        type=int,
        help="proses paralel (--national; bawaan: semua inti) / processes (default: all cores)",
    )
    p.set_defaults(func=_cmd_demo)


def _register_import(sub: argparse._SubParsersAction) -> None:
    """The ``import`` command and its options."""
    layers = ", ".join(LAYERS)
    p = sub.add_parser(
        "import",
        help="validasi dan muat berkas ke layer / validate and load a file into a layer",
        epilog=_EPILOG_FORMATS,
        description=(
            f"LAYER: {layers}. Baris mengganti baris tersimpan berkunci sama, sisanya tetap "
            "(baseline: kode_rt + tahun; sk_kumuh: no_sk; delineasi: kode_kawasan + versi; ...) / "
            "rows replace the stored rows with the same key and leave the others. Ketat secara "
            "bawaan: ada masalah → laporan, status 2, proyek tidak berubah. Tiap penulisan "
            "tercatat di riwayat (kumuhgis history / restore)."
        ),
    )
    p.add_argument(
        "store",
        metavar="STORE",
        help="proyek .gpkg atau URL postgresql://… (dibuat bila belum ada) / project .gpkg or "
        "database URL (created if missing)",
    )
    p.add_argument("layer", help=f"layer tujuan / target layer: {layers}")
    p.add_argument("file", help="berkas masukan / input file")
    _input_options(p)
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--append",
        action="store_true",
        help="tambahkan; tolak kunci yang sudah ada / add rows, refuse keys already stored",
    )
    how.add_argument(
        "--replace-layer",
        action="store_true",
        help="ganti seluruh layer (daftar yang hilang ditampilkan) / replace the whole layer "
        "(lists what goes)",
    )
    p.add_argument(
        "--report", help="nama dasar berkas laporan (mode --lenient) / report file base name"
    )
    p.add_argument(
        "--from-published",
        action="store_true",
        help=(
            "baseline dari tabel terbit (KAWANKU, ekspor aplikasi, rekap Excel; lihat audit-baseline): "
            "volume dan penyebutnya saja / baseline from a published table: its volumes and denominators"
        ),
    )
    add_rt_sheet(p)
    p.set_defaults(func=_cmd_import)


def register(sub: argparse._SubParsersAction) -> None:
    _register_demo(sub)
    _register_import(sub)
    layers = ", ".join(LAYERS)

    p = sub.add_parser(
        "validate",
        help="laporkan semua masalah tanpa memuat / report every problem, load nothing",
        epilog=_EPILOG_FORMATS,
    )
    p.add_argument("layer", help=f"layer: {layers}")
    p.add_argument("file", help="berkas masukan / input file")
    _input_options(p)
    add_rules(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("area", help="luas hektar per fitur / hectares per feature")
    p.add_argument("file")
    p.add_argument("--method", choices=("geodesic", "utm"), default="geodesic",
                   help="geodesic = elipsoid WGS 84 (bawaan); utm = planar di zona UTM SRGI2013 fitur")  # fmt: skip
    p.add_argument("--json", action="store_true", help="keluaran JSON / JSON output")
    p.add_argument("--source-layer", help="layer di berkas / layer inside the file")
    p.add_argument("--crs", help="CRS berkas bila tidak tercatat / CRS of a file that has none")
    p.set_defaults(func=_cmd_area)

    p = sub.add_parser("summary", help="ringkasan kota / city summary")
    add_store(p)
    add_year(p)
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser(
        "settings",
        help="lihat/ubah pengaturan proyek / show or change project settings",
        description=(
            "Pengaturan disimpan di proyek (tabel kumuhgis_meta). Contoh / examples: "
            "--set target_pengurangan_ha.2019=103.95  --set aturan_penilaian=permen-02-2016  "
            "--file pengaturan.yaml"
        ),
    )
    add_store(p)
    p.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="ubah satu nilai (YAML) / set one value"
    )
    p.add_argument("--file", help="gabungkan berkas YAML / merge a YAML file")
    p.set_defaults(func=_cmd_settings)

    p = sub.add_parser("layers", help="daftar layer proyek / list the project's layers")
    add_store(p)
    p.add_argument(
        "--audit", action="store_true", help="tampilkan jejak audit / show the audit trail"
    )
    p.set_defaults(func=_cmd_layers)
