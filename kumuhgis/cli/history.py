"""History commands: ``history`` (the list of writes) and ``restore`` (the project back
to a listed state), contracts.md "Command line"."""

from __future__ import annotations

import argparse
import json
import sys

from kumuhgis.cli._console import console
from kumuhgis.cli.options import add_store, command_line, open_project, shown_location


def _change_text(change) -> str:
    """``baseline +304 ~0 -0 =304`` (added, replaced, removed, kept)."""
    if change.kind == "meta":
        return f"{change.name} ~{change.replaced}"
    return f"{change.name} +{change.added} ~{change.replaced} -{change.removed} ={change.kept}"


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


def _cmd_history(args: argparse.Namespace) -> int:
    from kumuhgis.store.restore import list_writes

    store = open_project(args.store)
    records = list_writes(store, args.layer)
    if args.json:
        rows = [
            {**{k: v for k, v in vars(r).items() if k != "changes"},
             "changes": [vars(c) for c in r.changes]}
            for r in records
        ]  # fmt: skip
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=list)
        sys.stdout.write("\n")
        return 0
    con = console()
    where = f" ({args.layer})" if args.layer else ""
    if not records:
        con.print(f"Belum ada riwayat / no history yet{where}")
        return 0
    con.print(f"[bold]Riwayat / history{where}[/] — {store.location}")
    for r in records:
        when = r.waktu.replace("T", " ").replace("+00:00", " UTC")
        mark = "  [green]dapat dipulihkan / restorable[/]" if r.restorable else ""
        con.print(f"[bold]#{r.number}[/]  {when}  {r.pengguna}{mark}")
        con.print(f"    {r.perintah}")
        if r.sources:
            con.print(f"    sumber / source: {'; '.join(r.sources)}")
        for c in r.changes:
            con.print(f"    {_change_text(c)}")
        if r.size:
            con.print(f"    keadaan sebelumnya / previous state: {_size(r.size)}")
    con.print("(+ditambah/added ~diganti/replaced -dihapus/removed =tetap/kept)")
    can = [r.number for r in records if r.restorable]
    if can:
        con.print(
            f"Kembali ke keadaan setelah penulisan N / back to the state after write N: "
            f"kumuhgis restore {shown_location(args.store)} --to N  (N: {can[0]}…{can[-1]})"
        )
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from kumuhgis.store.restore import restore_project

    store = open_project(args.store)
    outcome = restore_project(store, args.to, command=command_line("kumuhgis restore"))
    con = console()
    if outcome.number is None:
        con.print(
            f"Proyek sudah sama dengan keadaan #{outcome.to}; tidak ada yang ditulis / the "
            f"project already is state #{outcome.to}; nothing written"
        )
        return 0
    con.print(
        f"Proyek dipulihkan ke keadaan #{outcome.to} (penulisan #{outcome.number}) / project "
        f"restored to state #{outcome.to} (write #{outcome.number}) → {outcome.store}"
    )
    for name, before, after in outcome.changed:
        shown = ["tidak ada / absent" if n is None else f"{n}" for n in (before, after)]
        con.print(f"  {name:<20} {shown[0]} → {shown[1]} baris/rows")
    con.print(
        f"Batalkan dengan / undo with: kumuhgis restore {shown_location(args.store)} "
        f"--to {outcome.number - 1}"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "history",
        help="daftar penulisan proyek / the list of the project's writes",
        description=(
            "Tiap penulisan: siapa, kapan, perintah, berkas sumber, baris ditambah/diganti/"
            "dihapus/tetap per layer. Keadaan sebelum tiap penulisan disimpan untuk "
            "riwayat_disimpan penulisan terakhir (pengaturan, bawaan 20) / every write with "
            "who, when, command, source and counts; the last riwayat_disimpan (default 20) "
            "keep the state before them."
        ),
    )
    add_store(p)
    p.add_argument("layer", nargs="?", default=None, metavar="LAYER",
                   help="hanya penulisan yang mengubah layer/tabel ini / only writes that changed it")  # fmt: skip
    p.add_argument("--json", action="store_true", help="keluaran JSON / JSON output")
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser(
        "restore",
        help="kembalikan proyek ke keadaan di riwayat / bring the project back to a listed state",
        description=(
            "Mengembalikan semua layer, tabel proyek dan pengaturan ke keadaan setelah "
            "penulisan N (lihat kumuhgis history), sekaligus atau tidak sama sekali; pemulihan "
            "itu sendiri tercatat dan bisa dibatalkan / brings every layer, project table and "
            "setting back to the state after write N, all or nothing; the restore is itself "
            "a write, audited and undoable."
        ),
    )
    add_store(p)
    p.add_argument(
        "--to", type=int, required=True, metavar="N", help="nomor keadaan / state number"
    )
    p.set_defaults(func=_cmd_restore)
