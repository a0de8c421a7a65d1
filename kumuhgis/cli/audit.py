"""``audit-baseline``: check a published per-RT slum table (Pokja PKP, domain.md §3–§4)."""

from __future__ import annotations

import argparse

from kumuhgis.cli._console import console, progress
from kumuhgis.cli.options import add_map, add_out, add_rt_sheet, add_rules, check_out, parse_map

_FORMATS = (".csv", ".xlsx")
_EPILOG = (
    "Temuan / findings: total_tidak_sesuai, nilai_tidak_sesuai, tingkat_tidak_sesuai, "
    "rata_rata_tidak_sesuai, persen_di_luar_batas, volume_negatif, volume_melebihi_penyebut, "
    "persen_tidak_sesuai, hitung_ulang_berbeda. Kolom dikenali / recognised columns: "
    "v_1a p_1a n_1a rata_* total_nilai tingkat; 1av 1ap 1an 1r..7r totalNilai tingkatKekumuhan "
    "ratarataKekumuhan; 'Volume 1a' 'Persentase 1a' 'Nilai 1a' 'Total Nilai' 'Tingkat Kekumuhan'; "
    "lainnya dengan --map, mis. --map 'Bobot=total_nilai'."
)


def _cmd_audit(args: argparse.Namespace) -> int:
    from kumuhgis.analysis.audit import audit_published
    from kumuhgis.core.rules import load_rules
    from kumuhgis.ingest.published import read_published
    from kumuhgis.outputs.audit_files import write_audit
    from kumuhgis.outputs.terminal import render_audit

    out = check_out(args.out, _FORMATS)
    rules = load_rules(args.rules)
    with progress("Audit tabel terbit / auditing the published table", total=3) as advance:
        table = read_published(
            args.file,
            sheet=args.sheet,
            rt_sheet=args.rt_sheet,
            mapping=parse_map(args.map),
            rules=rules,
        )
        advance(description="Memeriksa / checking")
        result = audit_published(table.frame, rules=rules, conventions=table.convention_map)
        advance(description="Menulis / writing")
        written = write_audit(result, out, conventions=table.conventions, source=str(args.file))
        advance()
    con = console()
    for p in table.problems:
        con.print(f"[yellow]{p.severity}[/]: {p.text(args.lang)}")
    render_audit(result, con, conventions=table.conventions, lang=args.lang)
    con.print(("Ditulis / written: " if args.lang == "id" else "Written: ") + str(written))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit-baseline",
        help="periksa tabel kekumuhan terbit per RT / check a published per-RT slum table",
        description=(
            "Menghitung ulang tabel KAWANKU, ekspor aplikasi atau rekap Excel dengan aturan dan "
            "pembulatan proyek; satu baris per temuan. Recomputes a published table with the "
            "project's rules and exact rounding; one row per finding."
        ),
        epilog=_EPILOG,
    )
    p.add_argument("file", metavar="FILE", help="tabel terbit CSV/XLSX / published table")
    p.add_argument("--sheet", metavar="NAME", default=None,
                   help="sheet berisi baris RT (bawaan: yang pertama) / sheet of the records")  # fmt: skip
    add_rt_sheet(p)
    add_rules(p)
    add_map(p)
    add_out(p, _FORMATS)
    p.set_defaults(func=_cmd_audit)
