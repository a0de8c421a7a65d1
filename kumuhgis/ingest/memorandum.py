"""Reading the memorandum program the Pokja edited (domain.md §8) and storing it in the
project, all or nothing.

``kumuhgis rp2kpkp`` writes ``memorandum_program.xlsx``; the Pokja edits it in Excel and
``kumuhgis memorandum-import`` brings it back: :func:`read_memorandum_file` reads the sheet
"Memorandum program" (or a CSV), :func:`parse_memorandum` checks every cell and collects
every problem, and :func:`import_memorandum` stores the table
:data:`kumuhgis.core.snapshot.MEMORANDUM_TABLE` (its columns: :mod:`kumuhgis.core.memorandum`).

Besides the cells, an edited row must keep the rules of the program (domain.md §8): no
on-site work (a line with a criterion, or of pattern pemugaran/peremajaan) for an RT
whose pattern is permukiman kembali — by the row's own pattern, by the file's relocation
rows for that RT, and by the project's RT patterns when the caller gives them — and no
funding source over its yearly ceiling (``pagu_tahunan``) in any year.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kumuhgis.core.codes import split_codes
from kumuhgis.core.errors import ConflictError, Problem, UsageError, ValidationError
from kumuhgis.core.memorandum import (
    MEMORANDUM_COLUMNS,
    POLA,
    POLA_ON_SITE,
    POLA_PREVENTION,
    POLA_RESETTLEMENT,
    coerce_memorandum,
    cost_rp,
    load_ceilings,
    normal_pola,
    text_series,
)
from kumuhgis.core.numeric import format_rupiah, is_missing, parse_number_series
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.schema import normalize_header
from kumuhgis.core.snapshot import MEMORANDUM_TABLE, CitySnapshot
from kumuhgis.core.vocabulary import parse_kriteria_series, parse_sumber_dana_series
from kumuhgis.ingest.readers import list_layers, read_file
from kumuhgis.store import Store
from kumuhgis.store.snapshot import load_snapshot

__all__ = [
    "edit_memorandum",
    "import_memorandum",
    "memorandum_row_version",
    "parse_memorandum",
    "project_kawasan",
    "project_kelurahan",
    "read_memorandum_file",
]

_TOLERANCE_RP = 1.0  # biaya may differ from volume × harga by this much without a warning
_TEXT_COLUMNS = (
    "kode_kawasan",
    "nama_kawasan",
    "kode_kel",
    "kelurahan",
    "kode_rt",
    "kegiatan",
    "satuan",
    "rincian_dana",
    "keterangan",
)
_NUMBER_COLUMNS = ("volume", "biaya_satuan_rp", "biaya_rp", "tahun")
_EMPTY = ("sel wajib kosong", "required cell is empty")


def _header(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def _alias_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for name, (_kind, _req, label, unit, aliases) in MEMORANDUM_COLUMNS.items():
        for a in (name, normalize_header(_header(label, unit)), normalize_header(label), *aliases):
            out.setdefault(normalize_header(a), name)
    return out


class _Check:
    """The problems of one file, with the spreadsheet row of each frame position."""

    def __init__(self, frame: pd.DataFrame, rows: list, problems: list[Problem]):
        self.frame, self.rows, self.problems = frame, rows, problems

    def err(self, i: int, col: str, value: Any, masalah: str, problem: str,
            perbaikan: str = "", fix: str = "", severity: str = "error") -> None:  # fmt: skip
        value = None if is_missing(value) else str(value)
        self.problems.append(
            Problem(int(self.rows[i]), col, value, masalah, problem, perbaikan, fix, severity)
        )

    def cell_errors(self, failures, column: str) -> set[int]:
        """Add the parsers' cell errors; the positions that failed."""
        for label, _text, e in failures:
            self.problems.append(e.to_problem(int(self.rows[int(label)]), column))
        return {int(lbl) for lbl, _t, _e in failures}

    def column(self, name: str) -> pd.Series:
        if name in self.frame.columns:
            return self.frame[name].reset_index(drop=True)
        return pd.Series([None] * len(self.frame), dtype=object)


def _rename_headers(frame: pd.DataFrame, problems: list[Problem]) -> tuple[dict, list]:
    """Header → column name (known variants, else the normalised header), the extras."""
    aliases = _alias_map()
    rename: dict[str, str] = {}
    extras: list[str] = []
    for c in frame.columns:
        if c == "_row":
            continue
        key = normalize_header(c)
        target = aliases.get(key)
        if target is None:
            extras.append(c)
            rename[c] = key or str(c)
        elif target in rename.values():
            problems.append(
                Problem(
                    None, str(c), None,
                    f"kolom '{c}' sama artinya dengan kolom lain ({target})",
                    f"column '{c}' means the same as another column ({target})",
                    "hapus salah satu kolom", "remove one of the columns",
                )
            )  # fmt: skip
        else:
            rename[c] = target
    return rename, extras


def _check_shape(frame: pd.DataFrame, problems: list[Problem], extras: list, source: str) -> None:
    """Every required column is there and the table has rows; extras are warned about."""
    for name, (_kind, required, label, unit, _a) in MEMORANDUM_COLUMNS.items():
        if required and name not in frame.columns:
            header = _header(label, unit)
            problems.append(
                Problem(
                    None, name, None,
                    f"kolom wajib '{header}' tidak ada", f"required column '{header}' is missing",
                    "jangan ubah atau hapus judul kolom di baris judul",
                    "do not change or delete the column headers",
                )
            )  # fmt: skip
    if problems:
        raise ValidationError(problems, source=source, layer=MEMORANDUM_TABLE)
    for e in extras:
        problems.append(
            Problem(
                None, str(e), None,
                f"kolom tambahan '{e}' disimpan sebagai teks", f"extra column '{e}' is kept as text",
                severity="warning",
            )
        )  # fmt: skip
    if len(frame) == 0:
        none = Problem(
            None, None, None, "tidak ada baris kegiatan", "no activity rows",
            "isi paling sedikit satu baris", "fill in at least one row",
        )  # fmt: skip
        raise ValidationError([none], source=source, layer=MEMORANDUM_TABLE)


def _pola(check: _Check, out: dict) -> None:
    """The handling pattern of each row: a pattern of domain.md §8, or empty."""
    raw = check.column("pola")
    values = []
    for i, v in enumerate(raw.tolist()):
        p = normal_pola(v)
        if p is None and not is_missing(v) and str(v).strip():
            check.err(
                i, "pola", v, "pola penanganan tidak dikenal", "unknown handling pattern",
                f"tulis salah satu: {', '.join(POLA)}", f"write one of: {', '.join(POLA)}",
            )  # fmt: skip
        values.append(p)
    out["pola"] = pd.Series(values, dtype="str")


def _texts(check: _Check, out: dict, kawasan: Mapping[str, str]) -> None:
    """Text columns (required ones filled: a prevention row names its kelurahan instead
    of a kawasan) and kawasan codes the project knows."""
    frame = check.frame
    prevention = (out["pola"] == POLA_PREVENTION).to_numpy()
    for name in _TEXT_COLUMNS:
        s = text_series(check.column(name)).str.strip()
        s = s.where(s != "", None)
        out[name] = s
        if not MEMORANDUM_COLUMNS[name][1]:
            continue
        for i in np.flatnonzero(s.isna().to_numpy()):
            if name == "kode_kawasan" and prevention[i]:
                continue
            if is_missing(frame[name].iloc[i]) or not str(frame[name].iloc[i]).strip():
                check.err(int(i), name, None, *_EMPTY, "isi sel ini", "fill in this cell")
    for i in np.flatnonzero(prevention & out["kode_kawasan"].isna().to_numpy()):
        if is_missing(out["kode_kel"].iloc[i]):
            check.err(
                int(i), "kode_kel", None, "baris pencegahan tanpa kawasan dan tanpa kode kelurahan",
                "a prevention row with neither kawasan nor kelurahan code",
                "isi kode kelurahan (atau kode kawasan)", "fill in the kelurahan (or kawasan) code",
            )  # fmt: skip
    known = {str(k) for k in kawasan}
    listed = ", ".join(sorted(known))[:300]
    for i, code in enumerate(out["kode_kawasan"].tolist()):
        if is_missing(code) or code in known:
            continue
        close = difflib.get_close_matches(code, sorted(known), n=1, cutoff=0.6)
        hint = f"mungkin maksudnya {close[0]}; " if close else ""
        hint_en = f"did you mean {close[0]}; " if close else ""
        check.err(
            i, "kode_kawasan", code,
            "kode kawasan tidak ada di proyek", "kawasan code not in the project",
            f"{hint}kode yang ada: {listed}", f"{hint_en}known codes: {listed}",
        )  # fmt: skip


def _numbers(check: _Check, out: dict) -> None:
    """Volume, prices, cost and year: readable, filled where required, ≥ 0, years 1990–2100."""
    for name in _NUMBER_COLUMNS:
        kind, required, *_rest = MEMORANDUM_COLUMNS[name]
        col = check.column(name)
        parsed, failures = parse_number_series(col, kind=kind)
        failed = check.cell_errors(failures, name)
        if required:
            for i in np.flatnonzero(parsed.isna().to_numpy()):
                if int(i) not in failed:
                    check.err(int(i), name, None, *_EMPTY,
                              "isi angka (0 bila tidak ada)", "fill in a number (0 when none)")  # fmt: skip
        values = parsed.to_numpy(dtype=float, na_value=np.nan)
        for i in np.flatnonzero(values < 0):
            check.err(int(i), name, col.iloc[i], "angka negatif", "negative number",
                      "isi angka ≥ 0", "write a number ≥ 0")  # fmt: skip
        if name == "tahun":
            for i in np.flatnonzero((values < 1990) | (values > 2100)):
                check.err(int(i), name, col.iloc[i], "tahun di luar 1990–2100",
                          "year outside 1990–2100", "tulis tahun empat angka, mis. 2025",
                          "write a four-digit year, e.g. 2025")  # fmt: skip
        out[name] = parsed


def _criteria_and_funding(check: _Check, out: dict, rules: RuleSet) -> None:
    """One criterion code per row (or none); a known funding source on every row."""
    krit, failures = parse_kriteria_series(check.column("kriteria"), codes=rules.codes)
    check.cell_errors(failures, "kriteria")
    for i, v in enumerate(krit.tolist()):
        if not is_missing(v) and ";" in str(v):
            check.err(
                i, "kriteria", v,
                "lebih dari satu kode kriteria dalam satu baris", "more than one criterion code in a row",
                "pecah menjadi satu baris per kriteria (volume dan biaya masing-masing)",
                "split into one row per criterion (each with its volume and cost)",
            )  # fmt: skip
    out["kriteria"] = krit.astype("str")
    canon, detail, failures = parse_sumber_dana_series(
        check.frame["sumber_dana"].reset_index(drop=True)
    )
    failed = check.cell_errors(failures, "sumber_dana")
    for i in np.flatnonzero(canon.isna().to_numpy()):
        if int(i) not in failed:
            check.err(int(i), "sumber_dana", None, *_EMPTY,
                      "tulis sumber dana, mis. APBD Kab/Kota", "write a funding source, e.g. APBD Kab/Kota")  # fmt: skip
    out["sumber_dana"] = canon.astype("str")
    out["rincian_dana"] = pd.Series(
        [
            d if is_missing(r) and not is_missing(d) else r
            for r, d in zip(out["rincian_dana"].tolist(), detail.tolist(), strict=True)
        ],
        dtype="str",
    )


def _cost_warnings(check: _Check, out: dict) -> None:
    """A warning where biaya differs from volume × harga satuan by more than Rp 1."""
    vol, price, cost = (
        out[c].to_numpy(dtype=float, na_value=np.nan)
        for c in ("volume", "biaya_satuan_rp", "biaya_rp")
    )
    for i in range(len(check.frame)):
        if np.isfinite(vol[i]) and np.isfinite(price[i]) and np.isfinite(cost[i]):
            expect = cost_rp(vol[i], price[i])
            if abs(expect - cost[i]) > _TOLERANCE_RP:
                check.err(
                    i, "biaya_rp", check.frame["biaya_rp"].iloc[i],
                    f"biaya berbeda dengan volume × harga satuan ({format_rupiah(expect)})",
                    f"cost differs from volume × unit cost (Rp {expect:,.0f})",
                    "periksa angkanya (disimpan apa adanya)", "check the figures (stored as written)",
                    severity="warning",
                )  # fmt: skip


def parse_memorandum(
    raw: pd.DataFrame,
    *,
    kawasan: Mapping[str, str],
    rules: RuleSet | str | None = None,
    source: str = "memorandum",
    kelurahan: Mapping[str, str] | None = None,
    rt_pola: Mapping[str, str | None] | None = None,
    pagu: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Validate an edited memorandum program (a raw frame from :func:`kumuhgis.ingest.readers.read_file`).

    Headers are matched after :func:`kumuhgis.core.schema.normalize_header` ("Biaya (Rp)" →
    ``biaya_rp``) and their variants; numbers are read the Indonesian or English way
    (:func:`kumuhgis.core.numeric.parse_number_series`: ``1.234,5``, ``Rp 350.000.000``);
    funding sources are mapped onto domain.md §9 (the detail, e.g. "BPM/BDI", goes to
    ``rincian_dana`` when that is empty); criterion codes onto the rule set (one code per
    row, or empty for a non-physical activity); ``pola`` onto the patterns of domain.md §8;
    ``kode_rt`` lists written as :func:`kumuhgis.core.codes.split_codes` reads them, stored
    as ``"R1; R2"``. Extra columns are kept as text.

    The program's rules (module docstring): ``rt_pola`` (RT code → its pattern, from the
    project's RT patterns) and ``kelurahan`` (kode_kel → name) also check that every RT
    and kelurahan code is the project's; ``pagu`` (funding source → yearly ceiling)
    refuses a year whose rows of one source add up to more than its ceiling, at the row
    where the running total passes it.

    Every problem is collected — row as the spreadsheet shows it, column, value, what is
    wrong, how to fix it — and raised once.

    Raises
    ------
    ValidationError
        A required column is missing; a kawasan, kelurahan or RT code the project does
        not know; an empty required cell; a number that cannot be read or is negative; a
        year outside 1990–2100; an unknown funding source, criterion code or pattern;
        on-site work for a resettled RT; a year over its ceiling.
    """
    rules = load_rules(rules)
    problems: list[Problem] = []
    frame = raw.copy()
    rows = frame["_row"].tolist() if "_row" in frame.columns else list(range(2, len(frame) + 2))
    if "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns=["geometry"]))
    rename, extras = _rename_headers(frame, problems)
    frame = frame.rename(columns=rename)
    _check_shape(frame, problems, extras, source)
    check = _Check(frame.reset_index(drop=True), rows, problems)
    out: dict[str, pd.Series] = {}
    _pola(check, out)
    _texts(check, out, kawasan)
    _places(check, out, kelurahan, rt_pola)
    _numbers(check, out)
    _criteria_and_funding(check, out, rules)
    _cost_warnings(check, out)
    _resettlement(check, out, rt_pola or {})
    _ceilings(check, out, pagu or {})
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems, source=source, layer=MEMORANDUM_TABLE)
    data = pd.DataFrame({name: out[name].reset_index(drop=True) for name in MEMORANDUM_COLUMNS})
    for e in extras:
        data[rename[e]] = text_series(check.frame[rename[e]])
    result = coerce_memorandum(data)
    result.attrs["problems"] = problems
    return result


def _places(
    check: _Check, out: dict, kelurahan: Mapping[str, str] | None, rts: Mapping | None
) -> None:
    """Kelurahan and RT codes the project knows; RT lists as ``"R1; R2"``."""
    if kelurahan is not None:
        known = {str(k) for k in kelurahan}
        for i, code in enumerate(out["kode_kel"].tolist()):
            if not is_missing(code) and code not in known:
                check.err(i, "kode_kel", code, "kode kelurahan tidak ada di proyek",
                          "kelurahan code not in the project",
                          "pakai kode kelurahan dari layer wilayah", "use a kode_kel of the wilayah layer")  # fmt: skip
    lists = []
    for i, cell in enumerate(out["kode_rt"].tolist()):
        codes = list(dict.fromkeys(split_codes(cell)))
        unknown = [c for c in codes if rts is not None and c not in rts]
        if unknown:
            check.err(i, "kode_rt", cell, f"kode RT tidak ada di proyek: {', '.join(unknown[:5])}",
                      f"RT codes not in the project: {', '.join(unknown[:5])}",
                      "pakai kode_rt dari layer RT", "use kode_rt values of the RT layer")  # fmt: skip
        lists.append("; ".join(codes) if codes else None)
    out["kode_rt"] = pd.Series(lists, dtype="str")


def _onsite(out: dict, i: int) -> bool:
    """Is row ``i`` on-site work (a criterion, or pattern pemugaran/peremajaan)?"""
    return not is_missing(out["kriteria"].iloc[i]) or out["pola"].iloc[i] in POLA_ON_SITE


def _resettlement(check: _Check, out: dict, rt_pola: Mapping[str, str | None]) -> None:
    """No on-site work for an RT whose pattern is permukiman kembali (domain.md §8)."""
    pola = out["pola"].tolist()
    moved = {r for r, p in rt_pola.items() if p == POLA_RESETTLEMENT}
    for i, p in enumerate(pola):
        if p == POLA_RESETTLEMENT and not is_missing(out["kriteria"].iloc[i]):
            check.err(
                i, "kriteria", out["kriteria"].iloc[i],
                "baris permukiman kembali dengan pekerjaan di tapak (kriteria)",
                "a resettlement row with on-site work (a criterion)",
                "permukiman kembali hanya lahan, hunian dan prasarana di lokasi baru; kosongkan kriteria",
                "resettlement is land, housing and infrastructure at the new site; clear the criterion",
            )  # fmt: skip
            continue
        if p == POLA_RESETTLEMENT:
            moved.update(split_codes(out["kode_rt"].iloc[i]))
    for i in range(len(pola)):
        if pola[i] == POLA_RESETTLEMENT or not _onsite(out, i):
            continue
        hit = [r for r in split_codes(out["kode_rt"].iloc[i]) if r in moved]
        if hit:
            check.err(
                i, "kode_rt", out["kode_rt"].iloc[i],
                f"pekerjaan di tapak untuk RT berpola permukiman kembali: {', '.join(hit)}",
                f"on-site work for RTs to be resettled: {', '.join(hit)}",
                "hapus baris ini atau RT itu dari daftarnya (RT itu dipindahkan, bukan ditata di tempat)",
                "remove the row or those RTs from it (they move; their site is not upgraded)",
            )  # fmt: skip


def _ceilings(check: _Check, out: dict, pagu: Mapping[str, float]) -> None:
    """No funding source over its yearly ceiling in any year (domain.md §8)."""
    if not pagu:
        return
    running: dict[tuple[str, int], float] = {}
    reported: set[tuple[str, int]] = set()
    cost = out["biaya_rp"].to_numpy(dtype=float, na_value=np.nan)
    for i, (s, y) in enumerate(
        zip(out["sumber_dana"].tolist(), out["tahun"].tolist(), strict=True)
    ):
        if is_missing(s) or is_missing(y) or s not in pagu or not np.isfinite(cost[i]):
            continue
        key = (str(s), int(y))
        running[key] = running.get(key, 0.0) + float(cost[i])
        if running[key] > pagu[s] and key not in reported:
            reported.add(key)
            check.err(
                i, "biaya_rp", check.frame["biaya_rp"].iloc[i],
                f"jumlah {s} tahun {int(y)} sampai baris ini {format_rupiah(running[key])} melebihi pagu tahunan {format_rupiah(pagu[s])}",
                f"{s} in {int(y)} adds up to Rp {running[key]:,.0f} by this row, over the yearly ceiling Rp {pagu[s]:,.0f}",
                "pindahkan sebagian kegiatan ke tahun lain atau sumber dana lain, atau ubah pagu_tahunan di pengaturan proyek",
                "move activities to another year or funding source, or change pagu_tahunan in the project settings",
            )  # fmt: skip


def _memorandum_sheet_name(path: Path) -> str | None:
    for n in list_layers(path):
        if n.strip().lower() == "memorandum program":
            return n
    return None


def read_memorandum_file(
    path: str | os.PathLike,
    *,
    kawasan: Mapping[str, str],
    rules: RuleSet | str | None = None,
    sheet: str | None = None,
    **checks: Any,
) -> pd.DataFrame:
    """Read and validate a memorandum program file (.xlsx: the sheet "Memorandum program"
    when there is one, else the first; or .csv) with :func:`parse_memorandum` (``checks``:
    its ``kelurahan``, ``rt_pola`` and ``pagu``)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Berkas tidak ditemukan / file not found: {path}")
    if sheet is None and path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = _memorandum_sheet_name(path)
    result = read_file(path, layer=sheet)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        raise ValidationError(result.problems, source=path.name, layer=MEMORANDUM_TABLE)
    frame = parse_memorandum(result.frame, kawasan=kawasan, rules=rules, source=path.name, **checks)
    # the title lines above the table are ours; skipping them is not worth a warning
    read_warnings = [
        p
        for p in result.problems
        if p.severity != "error"
        and not (p.column is None and sheet is not None and p.masalah.startswith("Baris judul"))
    ]
    frame.attrs["problems"] = read_warnings + frame.attrs.get("problems", [])
    return frame


def project_kawasan(snapshot: CitySnapshot) -> dict[str, str]:
    """Kawasan code → name, from the delineation, then the SK rows: the codes a
    memorandum row may name."""
    out: dict[str, str] = {}
    dl = snapshot.delineasi
    for k, n in zip(dl["kode_kawasan"].astype(str), dl["nama_kawasan"].astype(str), strict=True):
        out[k] = n
    sk = snapshot.sk_kumuh
    for k, n in zip(sk["kode_kawasan"].astype(str), sk["nama_lokasi"].astype(str), strict=True):
        out.setdefault(k, n)
    return out


def project_kelurahan(snapshot: CitySnapshot) -> dict[str, str]:
    """Kelurahan code → name, from the wilayah layer: the codes a prevention row may name."""
    w = snapshot.wilayah
    return dict(zip(w["kode_kel"].astype(str), w["kelurahan"].astype(str), strict=True))


def import_memorandum(
    store: Store,
    path: str | os.PathLike,
    *,
    sheet: str | None = None,
    settings: dict | None = None,
    rt_pola: Mapping[str, str | None] | None = None,
    command: str = "kumuhgis memorandum-import",
) -> pd.DataFrame:
    """Validate an edited memorandum program and store it as the project table
    ``memorandum_program`` (replacing the previous one), all or nothing.

    Checked against the project: its kawasan and kelurahan codes, the yearly ceilings of
    its settings (``pagu_tahunan``), and, when given, ``rt_pola`` — every RT's handling
    pattern as the annex decides it (``kumuhgis memorandum-import`` passes
    :attr:`kumuhgis.analysis.rp2kpkp.Annex.rt_pola`; the ingest layer cannot compute it).

    Raises
    ------
    ValidationError
        Anything wrong in the file (:func:`parse_memorandum`); the store is untouched.
    """
    snapshot = load_snapshot(store, settings=settings)
    frame = read_memorandum_file(
        path,
        kawasan=project_kawasan(snapshot),
        rules=snapshot.rules,
        sheet=sheet,
        kelurahan=project_kelurahan(snapshot),
        rt_pola=rt_pola,
        pagu=load_ceilings(snapshot.settings),
    )
    store.write_table(MEMORANDUM_TABLE, frame, command=command)
    return frame


def memorandum_row_version(row: Mapping[str, Any]) -> str:
    """The version of one program line: a digest of its values (what an edit form
    carries, see :func:`edit_memorandum`)."""
    plain = {str(k): None if is_missing(v) else str(v) for k, v in row.items()}
    text = json.dumps(plain, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _line(table: pd.DataFrame, index: int | None) -> dict | None:
    if index is None or not 0 <= index < len(table):
        return None
    return table.iloc[index].to_dict()


def edit_memorandum(
    store: Store,
    *,
    index: int | None,
    values: Mapping[str, Any] | None,
    version: str | None = None,
    kawasan: Mapping[str, str],
    rules: RuleSet | str | None = None,
    user: str | None = None,
    command: str = "kumuhgis memorandum",
) -> pd.DataFrame:
    """Add (``index=None``), change or remove (``values=None``) one line of the stored
    memorandum program (domain.md §8), all or nothing, audited; returns the table.

    ``values`` are checked as a line of an imported program (:func:`parse_memorandum`).
    ``version`` is the line's :func:`memorandum_row_version` the edit was made on: when
    the line at ``index`` is no longer that one (someone changed, removed or inserted a
    line meanwhile), nothing is written.

    Raises
    ------
    ValidationError
        A value that does not fit (every problem at once).
    ConflictError
        The line changed since ``version``; ``current`` is the line at ``index`` now (or
        ``None``) and ``version`` its version.
    UsageError
        Removing or changing a line without saying which (``index``).
    """
    line = None
    if values is not None:
        raw = pd.DataFrame([dict(values)]).assign(_row=[index + 2 if index is not None else 2])
        line = parse_memorandum(raw, kawasan=kawasan, rules=rules, source="formulir / form")
    if index is None and line is None:
        raise UsageError("baris mana? / which line?")
    with store.transaction(command=command, user=user) as tx:
        stored = tx.read_table(MEMORANDUM_TABLE)
        empty = pd.DataFrame(columns=list(MEMORANDUM_COLUMNS))
        table = coerce_memorandum(empty if stored is None else stored)
        if index is not None:
            current = _line(table, index)
            now = None if current is None else memorandum_row_version(current)
            if current is None or (version is not None and now != version):
                raise ConflictError(
                    f"Baris {index + 1} program sudah diubah orang lain; tidak ada yang disimpan / "
                    f"line {index + 1} of the program was changed by someone else; nothing was saved",
                    current=current,
                    version=now,
                )
        parts = [table.iloc[:index] if index is not None else table]
        if line is not None:
            parts.append(line)
        if index is not None:
            parts.append(table.iloc[index + 1 :])
        parts = [part for part in parts if len(part)] or [table.iloc[:0]]
        out = coerce_memorandum(pd.concat(parts, ignore_index=True))
        tx.write_table(MEMORANDUM_TABLE, out)
    return out
