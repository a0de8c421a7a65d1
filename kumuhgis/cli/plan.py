"""Planning commands: ``rp2kpkp`` (the RP2KPKP annex) and ``memorandum-import``.

* ``rp2kpkp STORE --out DIR [--year Y] [--sk NO_SK] [--paper A4|A3] [--dpi N]`` — writes
  ``DIR/rp2kpkp.xlsx`` (every table), ``DIR/rp2kpkp.pdf`` (the printable annex),
  ``DIR/memorandum_program.xlsx`` (the program for the Pokja to edit) and the print maps
  ``DIR/peta/NN_<peta>.png`` (domain.md §8), all or nothing: built beside ``DIR``, moved in
  only when every file was written; earlier annex files in ``DIR`` are replaced and named
  in the output, other files there are left alone.
* ``memorandum-import STORE FILE.xlsx [--sheet NAME] [--year Y] [--sk NO_SK]`` — validates
  an edited memorandum program and stores it in the project (table
  ``memorandum_program``): every cell, and the program's rules — no on-site work for an RT
  whose handling pattern (as the annex of that year and SK decides it) is permukiman
  kembali, no funding source over its yearly ceiling ``pagu_tahunan``; every problem is
  reported with row and column, exit 2, and the project is left untouched.
"""

from __future__ import annotations

import time
from pathlib import Path

from kumuhgis.cli._console import console, progress
from kumuhgis.cli.options import (
    add_out,
    add_rules,
    add_settings,
    add_sk,
    add_store,
    add_year,
    load_project,
    load_settings,
    open_project,
    shown_location,
)
from kumuhgis.core.errors import UsageError

__all__ = ["register"]


def _replaced_names(replaced: list[str], *, en: bool) -> str:
    """Earlier files replaced, a subfolder's many files as one entry."""
    top = [name for name in replaced if "/" not in name]
    sub: dict[str, int] = {}
    for name in replaced:
        if "/" in name:
            folder = name.split("/", 1)[0]
            sub[folder] = sub.get(folder, 0) + 1
    for folder, n in sub.items():
        top.append(f"{folder}/ ({n} {'files' if en else 'berkas'})")
    return ", ".join(top)


def _print_annex(args, annex, files, name: str, seconds: float) -> None:
    from kumuhgis.core.numeric import format_number_id, format_rupiah

    p = annex.profil
    con = console()
    en = args.lang == "en"
    prio = int(p["prioritas"].notna().sum())
    need = format_rupiah(float(annex.kebutuhan["biaya_rp"].sum()))
    prog = format_rupiah(float(annex.memorandum["biaya_rp"].sum()))
    gap = format_rupiah(float(annex.belum_terdanai["biaya_rp"].sum()))
    luas = format_number_id(float(p["luas_kumuh_ha"].sum()), 2)
    years = f"{annex.memorandum_tahun[0]}–{annex.memorandum_tahun[-1]}"
    draft = annex.memorandum_asal != "proyek"
    if en:
        con.print(
            f"RP2KPKP annex for {annex.kota or name}, conditions of {annex.tahun}: {len(p)} kawasan "
            f"({prio} with a priority), {luas} ha slum area, indicative need {need} (costed by handling pattern); "
            f"memorandum program {years}: {'DRAFT' if draft else 'imported'}, {prog}"
            + (f", not funded within the yearly ceilings {gap}." if draft and annex.pagu else "."),
            markup=False,
        )
    else:
        con.print(
            f"Lampiran RP2KPKP {annex.kota or name}, kondisi tahun {annex.tahun}: {len(p)} kawasan "
            f"({prio} berprioritas), luas kumuh {luas} ha, kebutuhan biaya indikatif {need} (menurut pola penanganan); "
            f"memorandum program {years}: {'DRAF' if draft else 'isian Pokja'}, {prog}"
            + (f", belum terdanai dalam pagu tahunan {gap}." if draft and annex.pagu else "."),
            markup=False,
        )
    con.print(f"  {files.workbook}", markup=False)
    con.print(f"  {files.pdf} ({files.pages} {'pages' if en else 'halaman'})", markup=False)
    con.print(f"  {files.memorandum}", markup=False)
    con.print(
        f"  {files.maps_directory}/ ({len(files.maps)} {'maps' if en else 'peta'}, {args.paper}, {args.dpi} dpi)",
        markup=False,
    )
    if files.replaced:
        names = _replaced_names(files.replaced, en=en)
        if en:
            con.print(f"Replaced the earlier files in {files.directory}: {names}", markup=False)
        else:
            con.print(f"Berkas lama di {files.directory} diganti: {names}", markup=False)
    missing = p[p["data_kurang"].fillna("") != ""]
    if len(missing):
        con.print(
            f"{len(missing)} kawasan dengan data kurang (lihat lembar 'Data kurang') / kawasan with missing data: "
            + ", ".join(missing["kode_kawasan"].astype(str)),
            markup=False,
        )
    con.print(f"{'time' if en else 'waktu'}: {seconds:.1f} s", markup=False)


def _cmd_rp2kpkp(args) -> int:
    from kumuhgis.analysis.rp2kpkp import build_annex
    from kumuhgis.outputs.annex import WRITE_STEPS, write_annex

    t0 = time.perf_counter()
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"--out harus folder, bukan berkas / --out must be a folder, not a file: {out}"
        )
    if args.dpi < 72 or args.dpi > 600:
        raise UsageError(f"--dpi harus 72–600, bukan {args.dpi} / --dpi must be 72–600")
    store = open_project(args.store)
    snap = load_project(args, store)
    with progress(
        "Menyusun lampiran RP2KPKP / building the RP2KPKP annex", total=1 + WRITE_STEPS
    ) as advance:
        annex = build_annex(
            snap, year=args.year, no_sk=args.sk, use_stored_memorandum=not args.draf_memorandum
        )
        advance(1, "Peta / maps")
        files = write_annex(
            annex, out, paper=args.paper, dpi=args.dpi, on_step=lambda label: advance(1, label)
        )
    _print_annex(args, annex, files, store.name, time.perf_counter() - t0)
    return 0


def _cmd_memorandum_import(args) -> int:
    from kumuhgis.analysis.rp2kpkp import build_annex
    from kumuhgis.core.numeric import format_rupiah
    from kumuhgis.core.snapshot import MEMORANDUM_TABLE
    from kumuhgis.ingest.memorandum import import_memorandum

    store = open_project(args.store)
    settings = load_settings(args, store.settings())
    command = f"kumuhgis memorandum-import {shown_location(args.store)} {args.file}"
    with progress("Impor memorandum program / importing the memorandum program"):
        # the RT patterns the annex decides: no on-site row for an RT to be resettled;
        # every RT of the project may be named (an RT without conditions has no pattern)
        snap = load_project(args, store)
        annex = build_annex(snap, year=args.year, no_sk=args.sk, use_stored_memorandum=False)
        rt_pola = dict.fromkeys(snap.rt["kode_rt"].astype(str))
        rt_pola.update(zip(annex.rt_pola["kode_rt"], annex.rt_pola["pola_penanganan"], strict=True))
        frame = import_memorandum(
            store, args.file, sheet=args.sheet, settings=settings, rt_pola=rt_pola, command=command
        )
    con = console()
    for prob in frame.attrs.get("problems", []):
        con.print(f"[{prob.severity}] {prob.text(args.lang)}", markup=False)
    per_year = frame.groupby("tahun")["biaya_rp"].sum()
    years = ", ".join(f"{y}: {format_rupiah(v)}" for y, v in per_year.items())
    if args.lang == "en":
        con.print(
            f"{len(frame)} memorandum rows stored in {store.location} (table {MEMORANDUM_TABLE}); {years}",
            markup=False,
        )
    else:
        con.print(
            f"{len(frame)} baris memorandum program disimpan di {store.location} (tabel {MEMORANDUM_TABLE}); {years}",
            markup=False,
        )
    return 0


def register(subparsers) -> None:
    """Add ``rp2kpkp`` and ``memorandum-import`` to the ``kumuhgis`` parser."""
    from kumuhgis.outputs.cartography import PAPER_SIZES_CM

    p = subparsers.add_parser(
        "rp2kpkp",
        help="lampiran RP2KPKP: tabel, peta, PDF / the RP2KPKP annex",
        description=(
            "Menyusun lampiran RP2KPKP dari proyek (Permen PUPR 14/PRT/M/2018): profil kawasan, pertimbangan lain, legalitas, "
            "prioritas 1–9, pola penanganan, kebutuhan dan biaya indikatif, memorandum program 5 tahun, peta cetak. "
            "Menulis DIR/rp2kpkp.xlsx, DIR/rp2kpkp.pdf, DIR/memorandum_program.xlsx dan DIR/peta/*.png, semua atau tidak "
            "sama sekali; berkas lampiran lama di DIR diganti dan disebutkan, berkas lain tidak disentuh. / Writes all of "
            "these or none; earlier annex files in DIR are replaced and listed, other files are left alone."
        ),
    )
    add_store(p)
    add_out(p, (), metavar="DIR", help="folder keluaran / output folder")
    add_year(p)
    add_sk(p, help="versi SK Kumuh (bawaan: yang berlaku tahun itu) / SK version")
    p.add_argument(
        "--paper",
        choices=tuple(PAPER_SIZES_CM),
        default="A4",
        help="ukuran kertas peta / map paper size (A4)",
    )
    p.add_argument(
        "--dpi", type=int, default=200, help="resolusi PNG peta / map PNG resolution (200)"
    )
    p.add_argument(
        "--draf-memorandum",
        action="store_true",
        help="abaikan memorandum yang sudah diimpor, susun draf baru / ignore the imported memorandum, make a new draft",
    )
    add_rules(p)
    add_settings(p)
    p.set_defaults(func=_cmd_rp2kpkp)

    p = subparsers.add_parser(
        "memorandum-import",
        help="impor memorandum program yang disunting / import the edited memorandum program",
        description=(
            "Memeriksa memorandum program yang disunting Pokja (XLSX dari `kumuhgis rp2kpkp`, atau CSV) dan menyimpannya "
            "di proyek (tabel memorandum_program): isi setiap sel, RT berpola permukiman kembali tanpa pekerjaan di tapak, "
            "dan jumlah per sumber dana per tahun tidak melebihi pagu_tahunan. Semua kesalahan dilaporkan dengan baris dan "
            "kolom; bila ada, proyek tidak diubah."
        ),
    )
    add_store(p)
    p.add_argument("file", metavar="FILE", help="berkas .xlsx atau .csv / .xlsx or .csv file")
    p.add_argument(
        "--sheet",
        default=None,
        help="nama lembar (bawaan: 'Memorandum program' atau lembar pertama) / sheet name",
    )
    add_year(p)
    add_sk(p, help="versi SK Kumuh untuk pola per RT (bawaan: yang berlaku) / SK version")
    add_rules(p)
    add_settings(p)
    p.set_defaults(func=_cmd_memorandum_import)
