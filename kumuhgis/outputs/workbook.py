"""Office workbooks: XLSX files laid out for a Pokja PKP or Korkot desk.

Each :class:`Sheet` is one view: an optional title block, one header row of Indonesian
labels with their units (``Luas kumuh 2019 (ha)``), frozen under the header with an
auto-filter, numbers with two decimals (integers with thousands grouping; years and codes
as they are), an optional bold totals row (``Jumlah``) and notes below the table. A sheet
with no frame holds only text (an explanation sheet).

Number formats are stored as format codes, so Excel shows ``1.234,56`` on an Indonesian
system and ``1,234.56`` on an English one. Totals are values, not formulas, so the file
reads back the same in any program; pass exact totals when the caller has them (e.g.
:attr:`kumuhgis.analysis.reduction.Reduction.totals`), otherwise the column is summed.

The file appears only when complete (written to a temporary file, then moved).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.files import atomic_path

__all__ = ["Column", "Sheet", "write_workbook", "FORMAT_DECIMAL", "FORMAT_INTEGER", "FORMAT_PLAIN"]

FORMAT_DECIMAL = "#,##0.00"
FORMAT_INTEGER = "#,##0"
FORMAT_PLAIN = "0"
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
_TOTAL_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
_THIN = Side(style="thin", color="808080")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_PLAIN_INT = re.compile(r"^(tahun|kode.*|no_.*|rt|rw)$")


@dataclass(frozen=True)
class Column:
    """How one column appears: header label, unit, number format, width."""

    label: str
    unit: str = ""
    number_format: str | None = None  # None: chosen from the dtype
    width: float | None = None

    @property
    def header(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass
class Sheet:
    """One sheet of a workbook.

    Parameters
    ----------
    name
        Sheet name (shortened to Excel's 31 characters, forbidden characters replaced).
    frame
        The table; ``None`` for a text-only sheet.
    columns
        ``{column: Column | (label, unit) | label}``; unlisted columns keep their name.
        Only listed columns are written when ``only_listed``.
    title
        Lines written above the table (the first in bold).
    totals
        ``False``: no totals row; ``True``: sum every float column; a sequence: sum these
        columns; a mapping: these exact values (other cells empty).
    totals_label
        Text of the totals row's first cell.
    notes
        Lines written under the table (or the whole content of a text-only sheet).
    freeze_columns
        Columns kept visible when scrolling right (e.g. 1 for the unit name).
    """

    name: str
    frame: pd.DataFrame | None = None
    columns: Mapping[str, Column | tuple[str, str] | str] | None = None
    title: Sequence[str] = ()
    totals: bool | Sequence[str] | Mapping[str, float] = False
    totals_label: str = "Jumlah"
    notes: Sequence[str] = ()
    freeze_columns: int = 0
    only_listed: bool = False


def _column(name: str, spec) -> Column:
    if isinstance(spec, Column):
        return spec
    if isinstance(spec, tuple):
        return Column(*spec)
    if isinstance(spec, str):
        return Column(spec)
    return Column(name)


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("-", str(name)).strip("'") or "Lembar"
    base = base[:31]
    out, n = base, 2
    while out.lower() in used:
        suffix = f" ({n})"
        out = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(out.lower())
    return out


def _cell_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float | np.floating):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, _dt.date | _dt.datetime | int | str):
        return v
    return str(v)


def _default_format(name: str, series: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return FORMAT_PLAIN if _PLAIN_INT.match(name) else FORMAT_INTEGER
    if pd.api.types.is_float_dtype(series):
        return FORMAT_DECIMAL
    return None


def _write_sheet(ws, sheet: Sheet) -> None:
    row = 1
    for i, line in enumerate(sheet.title):
        cell = ws.cell(row=row, column=1, value=str(line))
        cell.font = Font(bold=i == 0, size=13 if i == 0 else 11)
        row += 1
    if sheet.title:
        row += 1
    if sheet.frame is None:
        for line in sheet.notes:
            ws.cell(row=row, column=1, value=str(line)).alignment = Alignment(wrap_text=False)
            row += 1
        ws.column_dimensions["A"].width = 110
        return
    frame = sheet.frame
    specs = dict(sheet.columns or {})
    names = [c for c in frame.columns if not str(c).startswith("_")]
    if sheet.only_listed:
        names = [c for c in names if c in specs]
    cols = [_column(str(c), specs.get(c)) for c in names]
    header_row = row
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(row=header_row, column=j, value=col.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(bottom=_THIN, top=_THIN, left=_THIN, right=_THIN)
    formats = [
        col.number_format or _default_format(str(name), frame[name])
        for name, col in zip(names, cols, strict=True)
    ]
    values = [frame[name].tolist() for name in names]
    for i in range(len(frame)):
        r = header_row + 1 + i
        for j, vals in enumerate(values):
            cell = ws.cell(row=r, column=j + 1, value=_cell_value(vals[i]))
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a note like "=lihat RPLP" is text, never a formula
            if formats[j] and isinstance(cell.value, int | float):
                cell.number_format = formats[j]
    last = header_row + len(frame)
    if sheet.totals is not False and sheet.totals is not None and names:
        last += 1
        if isinstance(sheet.totals, Mapping):
            totals = dict(sheet.totals)
        else:
            wanted = (
                [n for n in names if pd.api.types.is_float_dtype(frame[n])]
                if sheet.totals is True
                else [n for n in sheet.totals if n in names]
            )
            totals = {n: float(pd.to_numeric(frame[n], errors="coerce").sum()) for n in wanted}
        first = ws.cell(row=last, column=1, value=sheet.totals_label)
        for j, name in enumerate(names, start=1):
            cell = ws.cell(row=last, column=j)
            if name in totals:
                cell.value = _cell_value(totals[name])
                cell.number_format = formats[j - 1] or FORMAT_DECIMAL
            cell.font = Font(bold=True)
            cell.fill = _TOTAL_FILL
            cell.border = Border(top=_THIN, bottom=_THIN)
        first.font = Font(bold=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1 + sheet.freeze_columns)
    if names:
        ws.auto_filter.ref = (
            f"A{header_row}:{get_column_letter(len(names))}{header_row + len(frame)}"
        )
    ws.row_dimensions[header_row].height = 45
    for j, (name, col) in enumerate(zip(names, cols, strict=True), start=1):
        if col.width:
            width = col.width
        else:
            sample = [len(str(v)) for v in frame[name].head(200).tolist() if v is not None]
            longest = max([8, *sample]) + 2
            width = min(max(longest, min(len(col.header), 28) * 0.8 + 2, 8), 45)
        ws.column_dimensions[get_column_letter(j)].width = width
    r = last + 2
    for line in sheet.notes:
        ws.cell(row=r, column=1, value=str(line))
        r += 1


def write_workbook(
    path: str | os.PathLike, sheets: Sequence[Sheet], *, properties: Mapping[str, str] | None = None
) -> Path:
    """Write ``sheets`` to an ``.xlsx`` file laid out for an office (module docstring).

    Parameters
    ----------
    path
        Target ``.xlsx`` file; written atomically.
    sheets
        One :class:`Sheet` per view, in order.
    properties
        Document properties (``title``, ``subject``, ``creator``, ``description``).

    Raises
    ------
    UsageError
        ``path`` does not end in ``.xlsx`` or ``sheets`` is empty.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"Berkas buku kerja harus .xlsx / workbook must be .xlsx: {path}")
    if not sheets:
        raise UsageError("Tidak ada lembar untuk ditulis / no sheet to write")
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_name(sheet.name, used))
        _write_sheet(ws, sheet)
    for key, value in (properties or {}).items():
        if hasattr(wb.properties, key):
            setattr(wb.properties, key, str(value))
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
