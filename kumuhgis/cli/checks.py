"""Check commands: ``verify-sk`` (Pokja PKP, domain.md §6), ``kolaborasi`` and
``kolaborasi-override`` (Korkot, domain.md §7)."""

from __future__ import annotations

import argparse
import shlex

from kumuhgis.cli._console import console, progress
from kumuhgis.cli.options import (
    add_out,
    add_sk,
    add_store,
    add_year,
    check_out,
    load_project,
    open_project,
    shown_location,
)
from kumuhgis.core.errors import UsageError
from kumuhgis.core.vocabulary import KOLABORASI_STATUSES

_VERIFY_FORMATS = (".csv", ".xlsx", ".html", ".geojson")  # outputs.verification_files.FORMATS
_KOLAB_FORMATS = (".csv", ".xlsx", ".geojson", ".gpkg")  # outputs.kolaborasi_files.FORMATS


def _override_command(args: argparse.Namespace) -> str:
    """The command as typed, for the audit table (rebuilt from the options, so it is right
    whether called from a shell or from Python)."""
    parts = ["kumuhgis", "kolaborasi-override", shown_location(args.store), str(args.kode)]
    parts += ["--hapus"] if args.hapus else ["--status", str(args.status)]
    parts += ["--alasan", args.alasan or ""]
    if args.oleh:
        parts += ["--oleh", args.oleh]
    return shlex.join(parts)


def _fmt_ha(x) -> str:
    from kumuhgis.core.numeric import format_number_id

    return format_number_id(x, 2)


# --------------------------------------------------------------------------- verify-sk


def _cmd_verify_sk(args: argparse.Namespace) -> int:
    from kumuhgis.analysis.city import verify_city
    from kumuhgis.analysis.verification import FLAGS
    from kumuhgis.outputs.verification_files import write_verification

    out = check_out(args.out, _VERIFY_FORMATS)
    snap = load_project(args)
    with progress("Verifikasi SK / verifying the SK", total=2) as advance:
        result = verify_city(
            snap, no_sk=args.sk, compare_with=args.banding, year=args.year, derived=args.turunan
        )
        advance(description="Menulis / writing")
        title = f"Verifikasi SK Kumuh — {snap.meta.get('kota', '')}".rstrip(" —")
        written = write_verification(result, out, title=title)
        advance()
    con = console()
    lang = args.lang
    for _, s in result.summary.iterrows():
        counts = ", ".join(f"{f} {int(s[f'n_{f}'])}" for f in FLAGS if int(s[f"n_{f}"]))
        if lang == "id":
            con.print(
                f"SK [bold]{s['no_sk']}[/] ({s['tanggal_sk']}): {s['jumlah_lokasi']} lokasi, luas SK {_fmt_ha(s['luas_sk_ha'])} ha, "
                f"terverifikasi {_fmt_ha(s['luas_terverifikasi_ha'])} ha (tingkat RT {s['tahun_tingkat']}) → "
                f"[bold]{s['rekomendasi']}[/]"
            )
        else:
            con.print(
                f"SK [bold]{s['no_sk']}[/] ({s['tanggal_sk']}): {s['jumlah_lokasi']} locations, SK area {s['luas_sk_ha']:,.2f} ha, "
                f"verified {s['luas_terverifikasi_ha']:,.2f} ha (RT levels {s['tahun_tingkat']}) → [bold]{s['rekomendasi']}[/]"
            )
        con.print(f"  {counts or ('tidak ada temuan' if lang == 'id' else 'no findings')}")
    for note in result.notes[2:]:
        con.print(f"[yellow]catatan / note:[/] {note}")
    con.print(("Ditulis / written: " if lang == "id" else "Written: ") + written.describe(lang))
    return 0


# --------------------------------------------------------------------------- kolaborasi


def _cmd_kolaborasi(args: argparse.Namespace) -> int:
    import pandas as pd

    from kumuhgis.analysis.city import classify_city
    from kumuhgis.analysis.kolaborasi import STATUSES, tolerance_from_settings
    from kumuhgis.core.numeric import format_rupiah
    from kumuhgis.outputs.kolaborasi_files import write_kolaborasi

    out = check_out(args.out, _KOLAB_FORMATS)
    snap = load_project(args)
    if not snap.has("kolaborasi"):
        raise UsageError(
            "Proyek belum punya layer kolaborasi; impor dulu / the project has no kolaborasi layer; import it first"
        )
    if not snap.has("delineasi"):
        raise UsageError(
            "Proyek belum punya layer delineasi; impor dulu / the project has no delineasi layer; import it first"
        )
    tol = tolerance_from_settings(snap.settings) if args.tolerance_m is None else args.tolerance_m
    with progress("Klasifikasi kolaborasi / classifying", total=2) as advance:
        classified = classify_city(snap, tolerance_m=tol)
        advance(description="Menulis / writing")
        written = write_kolaborasi(classified, out, tolerance_m=tol, rules=snap.rules)
        advance()
    con = console()
    counts = classified["status_akhir"].value_counts()
    total = float(classified["nilai_rp"].sum())
    outside = float(classified["nilai_rp_luar"].sum())
    n_manual = int(classified["status_manual"].notna().sum())
    n_gap = int(classified["flag_bukan_kebutuhan"].fillna(False).astype(bool).sum())
    n_prev = int((pd.to_numeric(classified["porsi_efektif"], errors="coerce") < 1).sum())
    parts = ", ".join(f"{s} {int(counts.get(s, 0))}" for s in STATUSES)
    if args.lang == "id":
        con.print(
            f"{len(classified)} kegiatan (toleransi {tol:g} m): {parts}; {n_manual} diubah Korkot; {n_gap} bukan kebutuhan RT-nya"
        )
        con.print(
            f"Nilai {format_rupiah(total)}, di luar delineasi {format_rupiah(outside)} "
            f"(pencegahan, bukan pengurangan: {n_prev} kegiatan, lembar 'Pencegahan')"
        )
    else:
        con.print(
            f"{len(classified)} works (tolerance {tol:g} m): {parts}; {n_manual} overridden; {n_gap} not a need of their RT"
        )
        con.print(
            f"Value Rp {total:,.0f}, outside the delineation Rp {outside:,.0f} "
            f"(prevention, not reduction: {n_prev} works, sheets 'Pencegahan')"
        )
    con.print(
        ("Ditulis / written: " if args.lang == "id" else "Written: ") + written.describe(args.lang)
    )
    return 0


def _cmd_override(args: argparse.Namespace) -> int:
    from rich.table import Table

    from kumuhgis.ingest.project import set_override

    store = open_project(args.store)
    con = console()
    if args.daftar:
        hist = load_project(args, store).override_history
        if args.kode:
            hist = hist[hist["kode_kegiatan"] == args.kode]
        t = Table(title="Riwayat perubahan status / override history")
        for c in hist.columns:
            t.add_column(c, overflow="fold")
        for _, r in hist.iterrows():
            t.add_row(*["" if v is None or v != v else str(v) for v in r.tolist()])
        con.print(t)
        return 0
    if not args.kode:
        raise UsageError("KODE kegiatan wajib diisi / KODE (kode_kegiatan) is required")
    if args.hapus == bool(args.status):
        raise UsageError(
            "Pilih salah satu: --status atau --hapus / give exactly one of --status or --hapus"
        )
    row = set_override(
        store,
        args.kode,
        None if args.hapus else args.status,
        alasan=args.alasan or "",
        oleh=args.oleh,
        command=_override_command(args),
    )
    if args.hapus:
        con.print(
            f"Status manual {row['kode_kegiatan']} dicabut oleh {row['oleh']} ({row['waktu']}): {row['alasan_manual']}"
        )
    else:
        con.print(
            f"{row['kode_kegiatan']} → [bold]{row['status_manual']}[/] oleh/by {row['oleh']} ({row['waktu']}): {row['alasan_manual']}"
        )
    return 0


# --------------------------------------------------------------------------- register


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``verify-sk``, ``kolaborasi`` and ``kolaborasi-override`` to the parser."""
    _register_verify(sub)
    _register_kolaborasi(sub)


def _register_verify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify-sk",
        help="verifikasi SK Kumuh terhadap delineasi dan baseline / verify the SK Kumuh (domain.md §6)",
        description=(
            "Periksa setiap versi SK Kumuh terhadap delineasi, RT dan tingkat kumuh baseline: luas_mismatch, "
            "rt_tidak_kumuh_di_sk, rt_kumuh_di_luar_sk, tanpa_geometri, tanpa_rincian_rt, tumpang_tindih, "
            "lintas_kelurahan, nama_tidak_cocok, dan perbandingan antarversi (lokasi_ditambah, lokasi_dihapus, "
            "kode_berubah, luas_berubah), dengan rekomendasi (pertahankan / revisi SK / terbitkan SK baru) dan luas terverifikasi. "
            "/ Check every SK version against the delineation, the RTs and their levels, compare versions, recommend."
        ),
        epilog=(
            "Keluaran menurut akhiran --out / output by extension: .csv (satu baris per temuan / one row per finding), "
            ".xlsx (ringkasan + rekomendasi + satu lembar per temuan / summary, recommendation, one sheet per flag), "
            ".html (laporan / report), .geojson (fitur bertanda / flagged features). Selain .geojson, selalu juga "
            "menulis <nama>.geojson di sebelahnya / every format but .geojson also writes <stem>.geojson beside it; "
            "keduanya atau tidak sama sekali, dan berkas lama yang diganti disebut (diganti / replaced) / both or "
            "neither, and a file replaced beside --out is named. "
            "Toleransi di pengaturan proyek / tolerances in the project settings: verifikasi_sk.toleransi_luas_persen "
            "(5), toleransi_luas_ha (0.5), toleransi_lintas_persen (1), toleransi_lintas_ha (0.01), "
            "toleransi_tumpang_tindih_ha (0.0001), toleransi_luas_berubah_ha (0.005)."
        ),
    )
    add_store(p)
    add_sk(p, help="hanya versi SK ini / only this SK version (default: semua / all)")
    p.add_argument(
        "--banding", "--compare", dest="banding", metavar="NO_SK",
        help="bandingkan dengan versi SK ini / compare with this SK version (default: versi sebelumnya / the previous one)",
    )  # fmt: skip
    add_year(
        p,
        help="tahun tingkat RT / year of the RT levels (default: terakhir s.d. tahun SK / latest up to the SK's year)",
    )
    p.add_argument(
        "--turunan", "--derived", dest="turunan", action="store_true",
        help="pakai juga tahun turunan (kondisi dari kolaborasi), diberi label; bawaan: hanya survei teramati "
        "terakhir s.d. tanggal SK / also use derived years, labelled; default: observed surveys only",
    )  # fmt: skip
    add_out(p, _VERIFY_FORMATS)
    p.set_defaults(func=_cmd_verify_sk)


def _register_kolaborasi(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kolaborasi",
        help="kolaborasi di dalam/di luar delineasi / collaboration inside or outside the delineation (domain.md §7)",
        description=(
            "Klasifikasi setiap kegiatan kolaborasi terhadap delineasi SK yang berlaku pada tahun kegiatan: dalam, "
            "sebagian (porsi_dalam), batas (≤ toleransi), luar (jarak_m); tanda bukan kebutuhan RT; status manual "
            "Korkot. / Classify every collaboration work against the delineation of the SK in force in its year."
        ),
        epilog=(
            "Keluaran menurut akhiran --out / output by extension: .csv, .geojson, .gpkg (satu baris per kegiatan / one "
            "row per work) atau .xlsx (kegiatan + daftar Korkot + ringkasan / works, Korkot list, summaries). Selalu juga "
            "<nama>_korkot.xlsx dan <nama>_korkot.geojson (daftar tandai Korkot, urut nilai di luar delineasi / the Korkot "
            "flag list sorted by rupiah outside) dan, bila bukan .xlsx, <nama>_ringkasan.xlsx (rupiah dan jumlah di dalam/di "
            "luar menurut tahun, sumber dana, kelurahan / summaries by year, funding source, kelurahan); semua atau tidak "
            "sama sekali, dan berkas lama yang diganti disebut / all or none, and a file replaced is named. Toleransi bawaan "
            "dari pengaturan proyek kolaborasi.toleransi_m (10) / default tolerance from the project setting."
        ),
    )
    add_store(p)
    p.add_argument(
        "--tolerance-m", "--toleransi-m", dest="tolerance_m", type=float, default=None, metavar="M",
        help="lebar pita 'batas' dalam meter / width of the 'batas' band in metres (default: pengaturan proyek atau 10)",
    )  # fmt: skip
    add_out(p, _KOLAB_FORMATS)
    p.set_defaults(func=_cmd_kolaborasi)

    p = sub.add_parser(
        "kolaborasi-override",
        help="ubah status lokasi satu kegiatan (Korkot) / override one work's status",
        description=(
            "Korkot mengubah status lokasi satu kegiatan dengan alasan tertulis; siapa dan kapan disimpan di tabel "
            "kolaborasi_status proyek (riwayat lengkap) dan di audit, dan tampil di setiap keluaran `kumuhgis kolaborasi`. "
            "/ A Korkot overrides one work's status with a written reason; who and when are kept in the project."
        ),
    )
    add_store(p)
    p.add_argument("kode", nargs="?", help="kode_kegiatan")
    p.add_argument("--status", choices=KOLABORASI_STATUSES, help="status baru / new status")
    p.add_argument(
        "--hapus",
        "--clear",
        dest="hapus",
        action="store_true",
        help="cabut status manual / withdraw the override",
    )
    p.add_argument(
        "--alasan",
        "--reason",
        dest="alasan",
        help="alasan tertulis (wajib) / written reason (required)",
    )
    p.add_argument(
        "--oleh", "--by", dest="oleh", help="nama Korkot / who (default: KUMUHGIS_USER atau USER)"
    )
    p.add_argument(
        "--daftar",
        "--list",
        dest="daftar",
        action="store_true",
        help="tampilkan riwayat / show the history",
    )
    p.set_defaults(func=_cmd_override)
