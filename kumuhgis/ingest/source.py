"""The input file a reader opens: its format, what reading it gives back, and the ways
every reader chooses a layer and reports a problem.

:data:`READ_FORMATS` and :class:`ReadResult` are re-exported by
:mod:`kumuhgis.ingest.readers`, where callers import them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import CRS

from kumuhgis.core.errors import Problem, ValidationError, usage_error

__all__ = [
    "READ_FORMATS",
    "ReadResult",
    "choose_layer",
    "insert_row_numbers",
    "listing",
    "unreadable_file",
    "warning_problem",
]

#: extension -> format name, for reading
READ_FORMATS: dict[str, str] = {
    ".zip": "shapefile-zip",
    ".shp": "shapefile",
    ".gpkg": "gpkg",
    ".sqlite": "sqlite",
    ".db": "sqlite",
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".kmz": "kmz",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


@dataclass
class ReadResult:
    """What :func:`kumuhgis.ingest.readers.read_file` found.

    ``frame`` is a GeoDataFrame when the source has geometry, else a DataFrame; its first
    column ``_row`` is the row number as the user sees it (CSV/XLSX: header is row 1, first
    data row is 2; spatial formats: 1-based feature number). ``problems`` holds warnings
    (an encoding assumed, a header renamed) and errors (a coordinate or WKT cell that cannot
    be read; that row's geometry is None). ``source_crs`` is None when the source does not
    say (a Shapefile without .prj, lon/lat columns in a spreadsheet).
    """

    frame: pd.DataFrame
    format: str
    layer: str | None
    source_crs: CRS | None
    problems: list[Problem] = field(default_factory=list)
    has_geometry: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def unreadable_file(
    path: Path | str, id_text: str, en_text: str, fix_id: str = "", fix_en: str = ""
) -> ValidationError:
    """A file that cannot be read at all, as a one-problem :class:`ValidationError`."""
    return ValidationError(
        [
            Problem(
                None,
                None,
                None,
                id_text,
                en_text,
                fix_id or "Periksa berkas atau simpan ulang dari aplikasi GIS/Excel.",
                fix_en or "Check the file or save it again from the GIS/Excel application.",
            )
        ],
        source=str(path),
    )


def warning_problem(
    masalah: str, problem: str, perbaikan: str = "", fix: str = "", **kw
) -> Problem:
    """A warning (``row``, ``column``, ``value`` by keyword): the file was read, but look."""
    return Problem(
        kw.get("row"),
        kw.get("column"),
        kw.get("value"),
        masalah,
        problem,
        perbaikan,
        fix,
        severity="warning",
    )


def listing(names) -> str:
    """``'a', 'b'`` for a message (``-`` when empty)."""
    return ", ".join(f"'{n}'" for n in names) or "-"


def choose_layer(
    names: list[str], layer: str | None, path: Path, what_id: str, what_en: str
) -> str:
    """The layer (sheet, folder, Shapefile) named ``layer`` among ``names`` (case folded when
    that is unambiguous), or the only one; otherwise a :class:`UsageError` listing them."""
    if layer is not None:
        if layer in names:
            return layer
        folded = [n for n in names if n.casefold() == layer.casefold()]
        if len(folded) == 1:
            return folded[0]
        raise usage_error(
            f"{what_id} '{layer}' tidak ada di {path.name}. Pilihan: {listing(names)}",
            f"{what_en} '{layer}' not found in {path.name}. Choose one of: {listing(names)}",
        )
    if len(names) == 1:
        return names[0]
    if not names:
        raise unreadable_file(
            path,
            f"{path.name} tidak berisi {what_id.lower()} apa pun",
            f"{path.name} holds no {what_en.lower()}",
        )
    raise usage_error(
        f"{path.name} berisi {len(names)} {what_id.lower()}: {listing(names)}. "
        f"Pilih salah satu dengan opsi layer",
        f"{path.name} holds {len(names)} {what_en.lower()}s: {listing(names)}. "
        f"Choose one with the layer option",
    )


def insert_row_numbers(frame: pd.DataFrame, rows, problems: list[Problem]) -> pd.DataFrame:
    """A copy of ``frame`` with ``_row`` first (a ``_row`` of the file becomes ``_row_sumber``,
    with a warning added to ``problems``)."""
    if "_row" in frame.columns:
        frame = frame.rename(columns={"_row": "_row_sumber"})
        problems.append(
            warning_problem(
                "Kolom '_row' di berkas diganti nama menjadi '_row_sumber'",
                "Column '_row' in the file was renamed to '_row_sumber'",
                column="_row",
            )
        )
    frame = frame.copy()
    frame.insert(0, "_row", np.asarray(rows, dtype="int64"))
    return frame
