"""``kumuhgis score``, ``kumuhgis reduction`` and ``kumuhgis explain`` (contracts.md "Command line").

* ``score INPUT --out FILE [--rules R] [--year Y] [--explain KODE_RT]`` — INPUT is a project
  (``.gpkg``: every RT, every year observed or derived, or ``--year Y``) or a CSV/XLSX of
  RT rows with the ``baseline`` columns. Output by extension: ``.csv``, ``.xlsx``,
  ``.geojson``/``.gpkg`` (projects only, with the RT polygons).
* ``reduction STORE --from Y0 --to Y1 --by UNIT --out FILE [--charts DIR]`` — the three
  measures of domain.md §5; ``.csv`` holds the ``--by`` view, ``.xlsx`` every view.
* ``explain STORE KODE_RT [--year Y]`` — the plain-language breakdown of one RT's score.

``--settings FILE.yaml`` lays a settings file over the project's own settings for one run
(rule overrides, targets); nothing is written to the project.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kumuhgis.cli._console import console, progress
from kumuhgis.cli.options import (
    add_out,
    add_rules,
    add_settings,
    add_store,
    add_year,
    check_out,
    is_project,
    load_project,
    load_settings,
    open_project,
)
from kumuhgis.core.errors import UsageError

__all__ = ["register"]

_TABLE_INPUTS = (".csv", ".txt", ".tsv", ".xlsx")


def _cmd_score(args) -> int:
    from kumuhgis.analysis.city import score_city
    from kumuhgis.analysis.scoring import explain, score
    from kumuhgis.core.rules import load_rules
    from kumuhgis.ingest.load import read_rt_table
    from kumuhgis.outputs.score_files import write_scores

    src = Path(args.input)
    from_store = is_project(args.input)  # a .gpkg or a database URL
    if not from_store and not src.exists():
        raise FileNotFoundError(f"Masukan tidak ditemukan / input not found: {src}")
    if args.out is None and args.explain is None:
        raise UsageError(
            "Sebutkan --out FILE (atau --explain KODE_RT) / give --out FILE (or --explain KODE_RT)"
        )
    out_exts = (".csv", ".xlsx", ".geojson", ".gpkg") if from_store else (".csv", ".xlsx")
    out = check_out(args.out, out_exts)
    if out is not None and out.resolve() == src.resolve():
        raise UsageError("--out tidak boleh sama dengan masukan / --out must differ from the input")
    trace = rt = kolaborasi = None
    with progress("Menilai kekumuhan / scoring", total=3) as advance:
        if from_store:
            store = open_project(args.input)
            snap = load_project(args, store)
            rules = snap.rules
            advance(1, "Menurunkan kondisi per tahun / deriving years")
            # explaining needs the earlier years too; derivation only runs forward
            scored = score_city(snap, year=None if args.explain else args.year)
            scores, trace = scored.scores, scored.trace
            rt, kolaborasi = snap.rt, snap.kolaborasi
            title = f"Penilaian kekumuhan per RT — {snap.meta.get('kota', '') or store.name}"
        elif src.suffix.lower() in _TABLE_INPUTS:
            rules = load_rules(args.rules, settings=load_settings(args))
            advance(1, "Membaca tabel RT / reading RT table")
            table = read_rt_table(src)
            if args.year is not None:
                table = table[table["tahun"] == args.year]
            scores = score(table, rules=rules)
            title = f"Penilaian kekumuhan per RT — {src.name}"
        else:
            raise UsageError(
                f"Masukan harus proyek .gpkg atau tabel {', '.join(_TABLE_INPUTS)} / "
                f"input must be a .gpkg project or a {', '.join(_TABLE_INPUTS)} table: {src}"
            )
        if args.year is not None and not (scores["tahun"] == args.year).any():
            raise UsageError(
                f"Tidak ada data RT untuk tahun {args.year} / no RT data for year {args.year}"
            )
        advance(1, "Menulis / writing")
        text = None
        if args.explain is not None:
            upto = scores if args.year is None else scores[scores["tahun"] <= args.year]
            text = explain(
                upto, kode_rt=args.explain, tahun=args.year, rules=rules, trace=trace,
                kolaborasi=kolaborasi, rt=rt, lang=args.lang,
            )  # fmt: skip
        if args.year is not None:
            scores = scores[scores["tahun"] == args.year]
            if trace is not None:
                trace = trace[trace["tahun"] <= args.year]
        if out is not None:
            write_scores(scores, out, rules=rules, trace=trace, rt=rt, title=title)
        advance(1)
    con = console()
    if text is not None:
        con.print(text, markup=False)
    if out is not None:
        counts = scores["tingkat"].value_counts()
        summary = ", ".join(f"{code} {int(counts.get(code, 0))}" for code in rules.level_codes)
        con.print(
            f"{len(scores)} baris RT-tahun dinilai ({rules.name}): {summary} → {out}"
            if args.lang == "id"
            else f"{len(scores)} RT-year rows scored ({rules.name}): {summary} → {out}",
            markup=False,
        )
    return 0


def _cmd_explain(args) -> int:
    from kumuhgis.analysis.city import score_city
    from kumuhgis.analysis.scoring import explain

    snap = load_project(args)
    rules = snap.rules
    with progress("Menilai kekumuhan / scoring"):
        scored = score_city(snap)
        scores = scored.scores
        if args.year is not None:
            scores = scores[scores["tahun"] <= args.year]
    text = explain(
        scores,
        kode_rt=args.kode_rt,
        tahun=args.year,
        rules=rules,
        trace=scored.trace,
        kolaborasi=snap.kolaborasi,
        rt=snap.rt,
        lang=args.lang,
    )
    console().print(text, markup=False)
    return 0


def _cmd_reduction(args) -> int:
    from kumuhgis.analysis.city import reduction_city
    from kumuhgis.outputs.charts import reduction_chart_writers
    from kumuhgis.outputs.fileset import write_together
    from kumuhgis.outputs.reduction_files import write_reduction

    store = open_project(args.store)
    out = check_out(args.out, (".csv", ".xlsx"))
    if args.year_from > args.year_to:
        raise UsageError(
            f"--from {args.year_from} lebih besar dari --to {args.year_to} / --from is after --to"
        )
    snap = load_project(args, store)
    with progress("Menghitung pengurangan / computing reduction", total=2) as advance:
        result = reduction_city(
            snap, year_from=args.year_from, year_to=args.year_to, by=args.by,
            scope=args.lingkup, no_sk=args.sk,
        )  # fmt: skip
        advance(1, "Menulis / writing")
        kota = snap.meta.get("kota", "")
        # the table and the charts: all of them or none
        writers = {out: lambda p: write_reduction(result, p, kota=kota)}
        if args.charts:
            writers |= reduction_chart_writers(result, args.charts, lang=args.lang)
        written = write_together(writers)
        advance(1)
    con = console()
    for line in _reduction_lines(result, out, args.lang):
        con.print(line, markup=False)
    for c in written.siblings:
        con.print(f"grafik / chart: {c}{written.note(c, args.lang)}", markup=False)
    return 0


def _reduction_lines(result, out, lang: str) -> list[str]:
    """One line per scope (the SK in force, the whole city, the kumuh RTs outside every SK),
    each measure labelled; a negative reduction reads "bertambah" (domain.md §5)."""
    from kumuhgis.core.numeric import format_number_id as f
    from kumuhgis.outputs.reduction_files import change_words

    lines = []
    for _, t in result.lingkup_tabel.iterrows():
        if not t["jumlah_rt"]:
            continue
        w1, v1 = change_words(t["pengurangan_luas_kumuh_ha"], lang=lang)
        w2, v2 = change_words(t["pengurangan_ha_setara_ha"], lang=lang)
        if lang == "id":
            lines.append(
                f"Pengurangan {result.year_from}–{result.year_to}, {t['uraian']}: "
                f"[1] luas kumuh {f(t['luas_kumuh_awal_ha'])} → {f(t['luas_kumuh_akhir_ha'])} ha ({w1} {f(v1)} ha); "
                f"[2] hektar setara (rata-rata sektoral per kriteria) {w2} {f(v2)} ha; "
                f"[3] kontribusi penanganan {f(t['kontribusi_ha'])} ha"
            )
        else:
            lines.append(
                f"Reduction {result.year_from}–{result.year_to}, {t['lingkup']}: "
                f"[1] slum area {t['luas_kumuh_awal_ha']:,.2f} → {t['luas_kumuh_akhir_ha']:,.2f} ha ({w1} {v1:,.2f} ha); "
                f"[2] hectare-equivalent (sectoral mean of the criteria) {w2} {v2:,.2f} ha; "
                f"[3] handling contribution {t['kontribusi_ha']:,.2f} ha"
            )
    scope = "SK" if result.lingkup == "sk" else ("kota" if lang == "id" else "city")
    lines.append(f"→ {out} (lingkup tabel / table scope: {scope})")
    return lines


def _add_common(p: argparse.ArgumentParser) -> None:
    add_rules(p)
    add_settings(p)


def register(subparsers) -> None:
    """Add ``score``, ``reduction`` and ``explain`` to the ``kumuhgis`` parser."""
    p = subparsers.add_parser(
        "score",
        help="nilai kekumuhan per RT dan tahun / slum score per RT and year",
        description=(
            "Menilai kekumuhan setiap RT per tahun (Permen PUPR 14/2018 atau 02/2016). INPUT adalah proyek "
            ".gpkg (semua tahun, survei dan turunan) atau tabel CSV/XLSX baris RT. / Scores every RT and year."
        ),
    )
    p.add_argument(
        "input", metavar="INPUT", help="proyek .gpkg atau tabel .csv/.xlsx / project or RT table"
    )
    add_out(p, (".csv", ".xlsx", ".geojson", ".gpkg"), required=False)
    add_year(p, help="hanya tahun ini / only this year")
    p.add_argument(
        "--explain",
        metavar="KODE_RT",
        default=None,
        help="jelaskan nilai satu RT / explain one RT's score",
    )
    _add_common(p)
    p.set_defaults(func=_cmd_score)

    p = subparsers.add_parser(
        "reduction",
        help="pengurangan luas kumuh per tahun / slum hectare reduction",
        description=(
            "Tiga ukuran pengurangan (domain.md §5): [1] luas kumuh resmi, [2] hektar setara per kriteria, "
            "[3] kontribusi penanganan; per RT, kawasan, kelurahan, kecamatan, kota atau kriteria."
        ),
    )
    add_store(p)
    p.add_argument(
        "--from", dest="year_from", type=int, required=True, help="tahun dasar / baseline year"
    )
    p.add_argument("--to", dest="year_to", type=int, required=True, help="tahun akhir / final year")
    p.add_argument(
        "--by",
        choices=("rt", "kawasan", "kelurahan", "kecamatan", "kota", "kriteria"),
        default="kelurahan",
        help="satuan rekap (bawaan kelurahan) / roll-up unit",
    )
    add_out(p, (".csv", ".xlsx"))
    p.add_argument(
        "--charts",
        metavar="DIR",
        default=None,
        help="tulis grafik PNG ke folder ini / write PNG charts here",
    )
    p.add_argument(
        "--lingkup",
        choices=("sk", "kota"),
        default="sk",
        help="lingkup tabel: sk = RT di dalam kawasan SK yang berlaku (angka resmi, bawaan), "
        "kota = semua RT; lembar 'Lingkup' selalu memuat keduanya / scope of the tables",
    )
    p.add_argument(
        "--sk",
        default=None,
        metavar="NO_SK",
        help="versi SK untuk lingkup sk (bawaan: SK yang berlaku pada tahun --from) / SK version",
    )
    _add_common(p)
    p.set_defaults(func=_cmd_reduction)

    p = subparsers.add_parser(
        "explain",
        help="penjelasan nilai satu RT / explain one RT's score",
        description="Penjelasan nilai kumuh satu RT: volume → persen → nilai → total → tingkat, dan perubahannya.",
    )
    add_store(p)
    p.add_argument("kode_rt", metavar="KODE_RT", help="kode RT")
    add_year(p)
    _add_common(p)
    p.set_defaults(func=_cmd_explain)
