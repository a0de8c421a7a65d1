"""A kolaborasi's volume per criterion and its unit, checked on import (domain.md §3, §5).

A work's ``volume`` is given per criterion:

* a list aligned with ``kriteria`` — ``kriteria 2a;2b``, ``volume 35;0`` — or one column per
  criterion (``volume_2a``, ``volume_2b``);
* a single volume counts for each criterion named (an IPAL for 30 KK closes 5a and 5b for
  those 30 KK), except inside a group splitting one ideal length (the rule set's
  ``volume_groups``: 2a/2b and 4b/4c under 14/2018, 4b–4e under 02/2016): there a single
  volume is refused (row, column, "give one volume per criterion"); ``--lenient`` gives it
  to the first criterion of the group named and lists the row.

The ``satuan`` must be the criterion's unit, in any spelling of the rule set's
``unit_spellings`` (m / m' / meter; ha / hektar; unit / buah / bh; KK / rumah tangga /
SR); a mismatch is refused; a missing unit is read as the criterion's unit, with a warning.
Criteria of different units need a ``satuan`` list aligned with ``kriteria``.

Stored: ``volume`` (the single volume, or the sum of the list), ``volume_kriteria`` (the
list, ``"35;0"``, when volumes differ by criterion or split one ideal length; empty when
one volume counts for every criterion) and ``satuan`` (the
canonical unit, or a list of them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kumuhgis.core.numeric import is_missing, parse_number_series
from kumuhgis.core.rules import RuleSet
from kumuhgis.core.vocabulary import work_kriteria
from kumuhgis.core.volumes import normalize_unit

__all__ = ["VOLUME_COLUMN_RE", "RowProblem", "check_work_volumes"]

#: Header of a per-criterion volume column of the kolaborasi layer (``volume_2a``).
VOLUME_COLUMN_RE = re.compile(r"^vol(?:ume)?_(\d[a-z])$")


@dataclass(frozen=True)
class RowProblem:
    """One problem of one row: index label, column, value and the bilingual texts."""

    idx: object
    column: str
    value: object
    masalah: str
    problem: str
    perbaikan: str = ""
    fix: str = ""
    severity: str = "error"


def _fmt(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".")


class _Numbers:
    """Every volume cell of the file (single cells, the items of a list, the
    ``volume_<code>`` cells) read at once with :func:`parse_number_series`, so the file's
    number style (``1.234,5`` or ``1,234.5``) is inferred from all of them (domain.md §10)."""

    def __init__(self, data: pd.DataFrame, columns: list[str], problems: list[RowProblem]):
        keys, raws = [], []
        for column in columns:
            if column not in data.columns:
                continue
            for idx, cell in data[column].items():
                parts = str(cell).split(";") if isinstance(cell, str) else [cell]
                for pos, part in enumerate(parts):
                    keys.append((idx, column, pos))
                    raws.append(part.strip() if isinstance(part, str) else part)
        parsed, failures = parse_number_series(pd.Series(raws, dtype=object), kind="float")
        bad = {int(label) for label, _, _ in failures}
        self.values = {
            k: (None if i in bad or pd.isna(v) else float(v))
            for i, (k, v) in enumerate(zip(keys, parsed.tolist(), strict=True))
        }
        for label, text, err in failures:
            idx, column, _ = keys[int(label)]
            problems.append(
                RowProblem(idx, column, text, err.masalah, err.problem, err.perbaikan, err.fix)
            )
        self.problems = problems

    def get(self, idx, column, pos=0) -> float | None:
        """The number, or None (missing or refused: a problem is recorded then)."""
        v = self.values.get((idx, column, pos))
        if v is not None and v < 0:
            self.problems.append(RowProblem(idx, column, v, "nilai harus ≥ 0", "value must be ≥ 0",
                                            "periksa angka ini", "check this number"))  # fmt: skip
            return None
        return v


def _row_volumes(idx, codes, cell, by_column, rules, lenient, numbers) -> list[float] | None:
    """The volume of each code of one row (None when refused)."""
    problems = numbers.problems
    if by_column:
        extra = sorted(set(by_column) - set(codes))
        missing = [c for c in codes if c not in by_column]
        if extra or missing:
            problems.append(RowProblem(
                idx, "volume_" + (extra or missing)[0], None,
                f"kolom volume per kriteria tidak cocok dengan kriteria {';'.join(codes)}",
                f"per-criterion volume columns do not match the criteria {';'.join(codes)}",
                "isi volume_<kode> tepat untuk tiap kriteria kegiatan ini",
                "fill volume_<code> for exactly the criteria of this work",
            ))  # fmt: skip
            return None
        return [by_column[c] for c in codes]
    if is_missing(cell) or not str(cell).strip():
        problems.append(RowProblem(idx, "volume", None, "nilai 'volume' wajib diisi",
                                   "value of 'volume' is required", "isi sel ini", "fill in this cell"))  # fmt: skip
        return None
    parts = str(cell).split(";") if isinstance(cell, str) else [cell]
    values = [numbers.get(idx, "volume", pos) for pos in range(len(parts))]
    if any(v is None for v in values):
        if not any(p.idx == idx and p.column == "volume" for p in problems):
            problems.append(RowProblem(idx, "volume", cell, "volume kosong di daftar",
                                       "an empty volume in the list", "isi setiap volume", "fill every volume"))  # fmt: skip
        return None
    if len(values) > 1:
        if len(values) != len(codes):
            problems.append(RowProblem(
                idx, "volume", cell,
                f"{len(values)} volume untuk {len(codes)} kriteria ({';'.join(codes)})",
                f"{len(values)} volumes for {len(codes)} criteria ({';'.join(codes)})",
                "beri satu volume per kriteria, urut seperti kolom kriteria",
                "give one volume per criterion, in the order of the kriteria column",
            ))  # fmt: skip
            return None
        return values
    single = values[0]
    conflicts = rules.split_conflicts(codes)
    if not conflicts:
        return [single] * len(codes)
    named = ", ".join("/".join(g) for g in conflicts)
    texts = (
        f"satu volume untuk kriteria yang membagi satu panjang ideal ({named})",
        f"one volume for criteria that split one ideal length ({named})",
        "beri satu volume per kriteria (mis. volume 35;0 atau kolom volume_2a, volume_2b)",
        "give one volume per criterion (e.g. volume 35;0 or columns volume_2a, volume_2b)",
    )
    if not lenient:
        problems.append(RowProblem(idx, "volume", cell, *texts))
        return None
    firsts = {g[0] for g in conflicts}
    rest = {c for g in conflicts for c in g[1:]}
    problems.append(RowProblem(
        idx, "volume", cell, texts[0] + f"; diberikan ke {', '.join(sorted(firsts))}",
        texts[1] + f"; given to {', '.join(sorted(firsts))}", texts[2], texts[3], "repaired",
    ))  # fmt: skip
    return [0.0 if c in rest else single for c in codes]


def _row_units(idx, codes, cell, rules, problems) -> str | None:
    """The canonical unit(s) of one row, checked against the criteria's units."""
    want = [rules.criterion(c).unit for c in codes]
    if is_missing(cell) or not str(cell).strip():
        if len(set(want)) > 1:
            problems.append(RowProblem(
                idx, "satuan", None, f"satuan kosong; kriteria {';'.join(codes)} berbeda satuan",
                f"unit missing; criteria {';'.join(codes)} have different units",
                f"isi satuan per kriteria: {';'.join(want)}", f"give one unit per criterion: {';'.join(want)}",
            ))  # fmt: skip
            return None
        problems.append(RowProblem(
            idx, "satuan", None, f"satuan kosong, dibaca sebagai '{want[0]}'",
            f"unit missing, read as '{want[0]}'", severity="warning",
        ))  # fmt: skip
        return want[0]
    parts = [p.strip() for p in str(cell).split(";")] if ";" in str(cell) else [str(cell).strip()]
    if len(parts) == 1:
        parts = parts * len(codes)
    got = [normalize_unit(p, rules.unit_spellings) for p in parts]
    if len(parts) != len(codes) or got != want:
        accepted = "; ".join(f"{u}: {', '.join(n)}" for u, n in rules.unit_spellings)
        problems.append(RowProblem(
            idx, "satuan", cell,
            f"satuan '{cell}' bukan satuan kriteria {';'.join(codes)} ({';'.join(want)})",
            f"unit '{cell}' is not the unit of criteria {';'.join(codes)} ({';'.join(want)})",
            f"pakai satuan kriteria; ejaan yang diterima: {accepted}",
            f"use the criterion's unit; accepted spellings: {accepted}",
        ))  # fmt: skip
        return None
    return want[0] if len(set(want)) == 1 else ";".join(want)


def check_work_volumes(
    data: pd.DataFrame, rules: RuleSet, *, lenient: bool
) -> tuple[pd.DataFrame, list[RowProblem]]:
    """``data`` (kolaborasi rows, ``kriteria`` already parsed) with ``volume``,
    ``volume_kriteria`` and ``satuan`` checked and normalised (module docstring), and the
    problems found. The ``volume_<code>`` columns are folded into ``volume_kriteria``."""
    problems: list[RowProblem] = []
    if "volume_kriteria" in data.columns:  # a file kumuhgis wrote: its list is the volume
        listed_cells = data["volume_kriteria"]
        given = listed_cells.notna() & (listed_cells.astype(str).str.strip() != "")
        if given.any():
            data = data.copy()
            data["volume"] = data["volume"].astype(object).where(~given, listed_cells.astype(str))
    per_col = {m[1]: c for c in data.columns if (m := VOLUME_COLUMN_RE.match(str(c)))}
    numbers = _Numbers(data, ["volume", *per_col.values()], problems)
    out = data.drop(columns=list(per_col.values()))
    n = len(data)
    volume = np.full(n, np.nan)
    listed = np.full(n, None, dtype=object)
    satuan = np.full(n, None, dtype=object)
    cells = data["volume"] if "volume" in data.columns else pd.Series([None] * n, index=data.index)
    units = data["satuan"] if "satuan" in data.columns else pd.Series([None] * n, index=data.index)
    for i, idx in enumerate(data.index):
        codes = work_kriteria(data.at[idx, "kriteria"]) if "kriteria" in data.columns else []
        codes = [c for c in codes if c in rules.codes]
        if not codes:
            continue
        by_column = {}
        for code, column in per_col.items():
            cell = data.at[idx, column]
            if not (is_missing(cell) or not str(cell).strip()):
                by_column[code] = numbers.get(idx, column)
        if any(v is None for v in by_column.values()):
            continue
        values = _row_volumes(idx, codes, cells[idx], by_column, rules, lenient, numbers)
        satuan[i] = _row_units(idx, codes, units[idx], rules, problems)
        if values is None:
            continue
        same = len(set(values)) == 1
        volume[i] = values[0] if same else round(float(np.sum(values)), 6)
        if not same or (len(codes) > 1 and rules.split_conflicts(codes)):
            listed[i] = ";".join(_fmt(v) for v in values)
    out["volume"] = volume
    out["volume_kriteria"] = pd.Series(listed, index=data.index, dtype="str")
    out["satuan"] = pd.Series(satuan, index=data.index, dtype="str")
    return out, problems
