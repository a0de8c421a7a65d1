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

import yaml

from ..errors import UsageError
from ._console import console, progress

__all__ = ["register"]

_TABLE_INPUTS = (".csv", ".txt", ".tsv", ".xlsx")


def _rules_choices() -> list[str]:
    from ..rules import available_rules

    return available_rules()


def _load_settings(args, store=None) -> dict:
    settings = dict(store.settings()) if store is not None else {}
    if getattr(args, "settings", None):
        path = Path(args.settings)
        if not path.exists():
            raise UsageError(f"Berkas pengaturan tidak ada / settings file not found: {path}")
        try:
            extra = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise UsageError(
                f"Berkas pengaturan bukan YAML yang sah / settings file is not valid YAML: {exc}"
            ) from None
        if not isinstance(extra, dict):
            raise UsageError(
                "Berkas pengaturan harus berupa mapping YAML / settings file must be a YAML mapping"
            )
        settings.update(extra)
    return settings


def _check_out(out: str | None, allowed: tuple[str, ...]) -> Path | None:
    if out is None:
        return None
    path = Path(out)
    if path.suffix.lower() not in allowed:
        raise UsageError(
            f"Format keluaran '{path.suffix or path.name}' tidak didukung; pakai {', '.join(allowed)} / "
            f"unsupported output '{path.suffix or path.name}'; use {', '.join(allowed)}"
        )
    return path


def _is_store(path: Path) -> bool:
    return path.suffix.lower() == ".gpkg"


def _cmd_score(args) -> int:
    from ..rules import load_rules
    from ..scoring import explain, read_rt_table, score, score_store, write_scores
    from ..store import open_store

    src = Path(args.input)
    if not src.exists():
        raise FileNotFoundError(f"Masukan tidak ditemukan / input not found: {src}")
    if args.out is None and args.explain is None:
        raise UsageError(
            "Sebutkan --out FILE (atau --explain KODE_RT) / give --out FILE (or --explain KODE_RT)"
        )
    out_exts = (".csv", ".xlsx", ".geojson", ".gpkg") if _is_store(src) else (".csv", ".xlsx")
    out = _check_out(args.out, out_exts)
    if out is not None and out.resolve() == src.resolve():
        raise UsageError("--out tidak boleh sama dengan masukan / --out must differ from the input")
    trace = rt = kolaborasi = None
    with progress("Menilai kekumuhan / scoring", total=3) as advance:
        if _is_store(src):
            store = open_store(src)
            settings = _load_settings(args, store)
            rules = load_rules(args.rules, settings=settings)
            advance(1, "Menurunkan kondisi per tahun / deriving years")
            # explaining needs the earlier years too; derivation only runs forward
            scored = score_store(
                store, rules=rules, year=None if args.explain else args.year, settings=settings
            )
            scores, trace = scored.scores, scored.trace
            rt = store.read("rt")
            kolaborasi = store.read("kolaborasi")
            title = f"Penilaian kekumuhan per RT — {store.meta().get('kota', '') or src.stem}"
        elif src.suffix.lower() in _TABLE_INPUTS:
            settings = _load_settings(args)
            rules = load_rules(args.rules, settings=settings)
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
    from ..rules import load_rules
    from ..scoring import explain, score_store
    from ..store import open_store

    src = Path(args.store)
    if not src.exists():
        raise FileNotFoundError(f"Proyek tidak ditemukan / project not found: {src}")
    store = open_store(src)
    settings = _load_settings(args, store)
    rules = load_rules(args.rules, settings=settings)
    with progress("Menilai kekumuhan / scoring"):
        scored = score_store(store, rules=rules, year=None, settings=settings)
        scores = scored.scores
        if args.year is not None:
            scores = scores[scores["tahun"] <= args.year]
    text = explain(
        scores,
        kode_rt=args.kode_rt,
        tahun=args.year,
        rules=rules,
        trace=scored.trace,
        kolaborasi=store.read("kolaborasi"),
        rt=store.read("rt"),
        lang=args.lang,
    )
    console().print(text, markup=False)
    return 0


def _cmd_reduction(args) -> int:
    from ..charts import reduction_charts
    from ..reduction import reduction_from_store, write_reduction
    from ..store import open_store

    src = Path(args.store)
    if not src.exists():
        raise FileNotFoundError(f"Proyek tidak ditemukan / project not found: {src}")
    if not _is_store(src):
        raise UsageError(f"STORE harus proyek .gpkg / STORE must be a .gpkg project: {src}")
    out = _check_out(args.out, (".csv", ".xlsx"))
    if args.year_from > args.year_to:
        raise UsageError(
            f"--from {args.year_from} lebih besar dari --to {args.year_to} / --from is after --to"
        )
    store = open_store(src)
    settings = _load_settings(args, store)
    with progress("Menghitung pengurangan / computing reduction", total=3) as advance:
        result = reduction_from_store(
            store,
            year_from=args.year_from,
            year_to=args.year_to,
            by=args.by,
            rules=args.rules,
            settings=settings,
        )
        advance(1, "Menulis / writing")
        kota = store.meta().get("kota", "")
        write_reduction(result, out, kota=kota)
        advance(1, "Grafik / charts")
        charts = reduction_charts(result, args.charts, lang=args.lang) if args.charts else []
        advance(1)
    t = result.totals
    con = console()
    from ..numeric import format_number_id as f

    if args.lang == "id":
        con.print(
            f"Pengurangan {result.year_from}–{result.year_to} (seluruh kota): "
            f"[1] luas kumuh {f(t['luas_kumuh_awal_ha'])} → {f(t['luas_kumuh_akhir_ha'])} ha "
            f"(berkurang {f(t['pengurangan_luas_kumuh_ha'])} ha); "
            f"[2] hektar setara berkurang {f(t['pengurangan_ha_setara_ha'])} ha; "
            f"[3] kontribusi penanganan {f(t['kontribusi_ha'])} ha → {out}",
            markup=False,
        )
    else:
        con.print(
            f"Reduction {result.year_from}–{result.year_to} (whole city): "
            f"[1] slum area {t['luas_kumuh_awal_ha']:,.2f} → {t['luas_kumuh_akhir_ha']:,.2f} ha "
            f"(down {t['pengurangan_luas_kumuh_ha']:,.2f} ha); "
            f"[2] hectare-equivalent down {t['pengurangan_ha_setara_ha']:,.2f} ha; "
            f"[3] handling contribution {t['kontribusi_ha']:,.2f} ha → {out}",
            markup=False,
        )
    for c in charts:
        con.print(f"grafik / chart: {c}", markup=False)
    return 0


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rules",
        choices=_rules_choices(),
        default=None,
        help="aturan penilaian (bawaan: pengaturan proyek, lalu permen-14-2018) / rule set",
    )
    p.add_argument(
        "--settings",
        metavar="FILE.yaml",
        help="pengaturan tambahan untuk sekali jalan (override aturan, target) / extra settings for this run",
    )


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
    p.add_argument(
        "--out", metavar="FILE", help="keluaran .csv, .xlsx, .geojson, .gpkg / output file"
    )
    p.add_argument("--year", type=int, default=None, help="hanya tahun ini / only this year")
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
    p.add_argument("store", metavar="STORE", help="proyek .gpkg / project")
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
    p.add_argument(
        "--out", metavar="FILE", required=True, help="keluaran .csv atau .xlsx / output file"
    )
    p.add_argument(
        "--charts",
        metavar="DIR",
        default=None,
        help="tulis grafik PNG ke folder ini / write PNG charts here",
    )
    _add_common(p)
    p.set_defaults(func=_cmd_reduction)

    p = subparsers.add_parser(
        "explain",
        help="penjelasan nilai satu RT / explain one RT's score",
        description="Penjelasan nilai kumuh satu RT: volume → persen → nilai → total → tingkat, dan perubahannya.",
    )
    p.add_argument("store", metavar="STORE", help="proyek .gpkg / project")
    p.add_argument("kode_rt", metavar="KODE_RT", help="kode RT")
    p.add_argument(
        "--year", type=int, default=None, help="tahun (bawaan: terakhir) / year (default: latest)"
    )
    _add_common(p)
    p.set_defaults(func=_cmd_explain)
