"""Reading tables: CSV (Python's ``csv`` module, so encodings, delimiters and row numbers
are under our control) and XLSX (openpyxl), and geometry from their lon/lat, "lat, lon"
or WKT columns.

Cells stay text (``"001"`` and ``"62.02.06.1007"`` keep their zeros); rows keep the number
the user sees in a spreadsheet. Coordinates in Indonesian number formats are read with
:func:`kumuhgis.core.numeric.parse_number_series` (domain.md §10).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io as _stdio
import itertools
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from kumuhgis.core.errors import Problem, usage_error
from kumuhgis.ingest.source import (
    choose_layer,
    insert_row_numbers,
    listing,
    unreadable_file,
    warning_problem,
)

__all__ = ["read_csv", "read_xlsx", "sheet_names", "table_geometry"]

# Header names (normalized, see _norm_header) that hold geometry or coordinates, in order of
# preference. "lintang selatan" (south latitude written positive) is deliberately absent:
# its sign convention cannot be guessed, so the user passes y= explicitly.
_WKT_HEADERS = ("wkt", "geometry", "geom", "the_geom", "shape", "geometri", "wkt_geom")
_X_HEADERS = (
    "lon", "long", "lng", "longitude", "longitud", "bujur", "bujur_timur", "bt",
    "koordinat_x", "koord_x", "x_koordinat", "coord_x", "x_coord", "x", "easting",
)  # fmt: skip
_Y_HEADERS = (
    "lat", "latitude", "lintang", "koordinat_y", "koord_y", "y_koordinat", "coord_y",
    "y_coord", "y", "northing",
)  # fmt: skip
# one cell holding "lat, lon" as copied from Google Maps
_PAIR_HEADERS = (
    "koordinat", "titik_koordinat", "koordinat_lokasi", "lokasi_koordinat", "coordinates",
    "coordinate", "latlong", "lat_long", "latlng", "lat_lng", "lat_lon",
)  # fmt: skip
_PAIR_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*[,;]\s*([+-]?\d+(?:\.\d+)?)\s*$")
_EWKT_RE = re.compile(r"^\s*SRID\s*=\s*(\d+)\s*;\s*(.*)$", re.IGNORECASE | re.DOTALL)


def _norm_header(name: object) -> str:
    """``'Bujur (derajat)'`` → ``'bujur'``, ``'Koordinat X'`` → ``'koordinat_x'``."""
    s = re.sub(r"[\(\[][^\)\]]*[\)\]]", " ", str(name)).strip().lower()
    s = re.sub(r"[^0-9a-z]+", "_", s)
    return s.strip("_")


# --------------------------------------------------------------------------- CSV / XLSX


def _decode_csv(data: bytes, encoding: str | None, name: str) -> tuple[str, list[Problem]]:
    if encoding is not None:
        try:
            return data.decode(encoding), []
        except (UnicodeDecodeError, LookupError) as exc:
            raise usage_error(
                f"{name} tidak dapat dibaca dengan encoding '{encoding}': {exc}",
                f"{name} cannot be decoded as '{encoding}': {exc}",
            ) from exc
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text, used = data.decode("cp1252"), "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        text, used = data.decode("latin-1"), "Latin-1 (ISO-8859-1)"
    return text, [
        warning_problem(
            f"{name} bukan UTF-8; teks dibaca sebagai {used}",
            f"{name} is not UTF-8; text was read as {used}",
            "Periksa huruf khusus; sebaiknya simpan sebagai 'CSV UTF-8' dari Excel",
            "Check special characters; preferably save as 'CSV UTF-8' from Excel",
        )
    ]


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536].splitlines()[:30]
    best, best_key = ",", (-1.0, 0)
    for delim in (",", ";", "\t", "|"):
        rows = [r for r in csv.reader(sample, delimiter=delim) if r]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:-1] if len(rows) > 2 else rows[1:]  # last sampled line may be cut
        consistent = sum(len(r) == width for r in body) / len(body) if body else 1.0
        key = (consistent, width)
        if key > best_key:
            best, best_key = delim, key
    return best


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _make_headers(raw: list[object], label) -> tuple[list[str], list[Problem]]:
    """Header texts; empty ones get a name, duplicates get a suffix (with a warning)."""
    problems: list[Problem] = []
    headers: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(raw):
        text = "" if h is None else str(h).strip()
        if not text:
            text = f"kolom_{label(i)}"
        if text in seen:
            k = 2
            while f"{text}_{k}" in seen:
                k += 1
            new = f"{text}_{k}"
            problems.append(
                warning_problem(
                    f"Judul kolom '{text}' muncul lebih dari sekali; yang ke-{k} dinamai '{new}'",
                    f"Column header '{text}' appears more than once; occurrence {k} renamed '{new}'",
                    column=text,
                )
            )
            text = new
        seen.add(text)
        headers.append(text)
    return headers, problems


_HEADER_SEARCH_ROWS = 20
_SHARED_TEXTS = 50_000  # distinct texts per column shared as one object (bounded memory)


def _split_header(records: Iterator[tuple[int, list[object]]]):
    """Find the header row: the first non-empty row, skipping title lines above a table.

    A title line ("DATA BASELINE KUMUH 2024") has at most one filled cell; it is skipped
    (with a warning) when a row with two or more filled cells follows within 20 rows.
    Row numbers are kept as the spreadsheet shows them. ``records`` is consumed only as far
    as the header search needs; the returned body iterator goes on from there.
    """
    head: list[tuple[int, list[object], int]] = []  # rows read while looking for the header
    filled: list[tuple[int, list[object], int]] = []
    for n, cells in records:
        count = sum(not _blank(c) for c in cells)
        head.append((n, cells, count))
        if count:
            filled.append((n, cells, count))
        if len(filled) >= _HEADER_SEARCH_ROWS or count >= 2:
            break
    if not filled:
        return None, iter(()), []
    first_wide = next((i for i, f in enumerate(filled) if f[2] >= 2), None)
    start = first_wide if first_wide is not None else 0
    skipped = []
    if start > 0:
        titles = [str(next(c for c in f[1] if not _blank(c))) for f in filled[:start]]
        skipped.append(
            warning_problem(
                f"Baris judul di atas tabel diabaikan: {'; '.join(titles)[:200]}; "
                f"judul kolom diambil dari baris {filled[start][0]}",
                f"Title lines above the table were ignored: {'; '.join(titles)[:200]}; "
                f"column headers taken from row {filled[start][0]}",
                row=filled[start][0],
            )
        )
    header_num, header, _ = filled[start]
    rest = ((n, cells) for n, cells, _ in head if n > header_num)
    return header, itertools.chain(rest, records), skipped


def _extra_cells(rownum: int, cells: list[object], width: int) -> Problem | None:
    extra = [c for c in cells[width:] if not _blank(c)]
    if not extra:
        return None
    return Problem(
        rownum,
        None,
        ", ".join(str(c) for c in extra)[:200],
        f"Baris berisi {len(cells)} sel, lebih banyak dari {width} judul kolom; "
        f"sel berlebih diabaikan",
        f"Row has {len(cells)} cells, more than the {width} column headers; "
        f"the extra cells were ignored",
        "Periksa tanda pemisah (koma/titik koma) atau tanda kutip di baris ini",
        "Check the separators (comma/semicolon) or quotes on this row",
    )


def _table_frame(
    header: list[object], records: Iterable[tuple[int, list[object]]], label, name: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Build an all-object frame from a header row and (row number, cells) records, one
    record at a time (a repeated text is kept once per column, so a million rows of the
    same SK number cost one string)."""
    width = len(header)
    columns: list[list[object]] = [[] for _ in range(width)]
    shared: list[dict[object, object]] = [{} for _ in range(width)]
    used = [False] * width  # a column with data (a blank header with data is kept)
    rows: list[int] = []
    problems: list[Problem] = []
    for rownum, cells in records:
        if all(_blank(c) for c in cells):
            continue
        if len(cells) > width and (extra := _extra_cells(rownum, cells, width)):
            problems.append(extra)
        rows.append(rownum)
        for j in range(width):
            v = cells[j] if j < len(cells) else None
            if _blank(v):
                columns[j].append(None)
                continue
            used[j] = True
            if isinstance(v, str) and len(shared[j]) < _SHARED_TEXTS:
                v = shared[j].setdefault(v, v)
            columns[j].append(v)
    # drop trailing columns with neither header nor data
    while width and _blank(header[width - 1]) and not used[width - 1]:
        width -= 1
    headers, named = _make_headers(list(header[:width]), label)
    data = {h: pd.Series(col, dtype=object) for h, col in zip(headers, columns, strict=False)}
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    problems = named + problems
    frame = insert_row_numbers(frame, rows, problems)
    return frame, problems


def read_csv(path: Path, encoding: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    text, problems = _decode_csv(path.read_bytes(), encoding, path.name)
    if not text.strip():
        raise unreadable_file(path, f"{path.name} kosong", f"{path.name} is empty")
    delim = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text)
    old_limit = csv.field_size_limit(2**31 - 1)  # WKT cells can be long
    try:
        reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delim)
        del text
        # record number = the row number Excel shows when it opens the file
        header, body, skipped = _split_header(enumerate(reader, start=1))
        if header is None:
            raise unreadable_file(path, f"{path.name} kosong", f"{path.name} is empty")
        frame, more = _table_frame(header, body, lambda i: str(i + 1), path.name)
    except csv.Error as exc:
        raise unreadable_file(
            path,
            f"{path.name} tidak dapat dibaca sebagai CSV: {exc}",
            f"{path.name} cannot be read as CSV: {exc}",
        ) from exc
    finally:
        csv.field_size_limit(old_limit)
    return frame, problems + skipped + more


def _excel_value(cell) -> object:
    v = cell.value
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        fmt = getattr(cell, "number_format", "") or ""
        # a code shown zero-padded ("000" format): keep what the user sees, "001"
        if re.fullmatch(r"0{2,}", fmt) and float(v).is_integer() and v >= 0:
            return str(int(v)).zfill(len(fmt))
        return v
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return v


def _open_workbook(path: Path):
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (data validation, styles)
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise unreadable_file(
            path,
            f"{path.name} tidak dapat dibuka sebagai Excel .xlsx: {exc}",
            f"{path.name} cannot be opened as an Excel .xlsx file: {exc}",
        ) from exc


def read_xlsx(path: Path, layer: str | None) -> tuple[pd.DataFrame, str, list[Problem]]:
    from openpyxl.utils import get_column_letter

    wb = _open_workbook(path)
    try:
        sheet = choose_layer(
            wb.sheetnames, layer if layer is not None else wb.sheetnames[0], path, "Sheet", "Sheet"
        )
        ws = wb[sheet]
        # read-only mode trusts the sheet's <dimension>; a wrong one (written by some export
        # tools) would drop columns and rows silently: read what is really there
        ws.reset_dimensions()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            records = (
                (i, [_excel_value(c) for c in row]) for i, row in enumerate(ws.iter_rows(), 1)
            )
            header, body, skipped = _split_header(records)
            if header is None:
                raise unreadable_file(
                    path,
                    f"Sheet '{sheet}' di {path.name} kosong",
                    f"Sheet '{sheet}' in {path.name} is empty",
                )
            label = get_column_letter
            frame, problems = _table_frame(header, body, lambda i: label(i + 1), path.name)
    finally:
        wb.close()
    return frame, sheet, skipped + problems


def sheet_names(path: Path) -> list[str]:
    """The sheets of an XLSX workbook, in workbook order."""
    wb = _open_workbook(path)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


# --------------------------------------------------------------------------- geometry from columns


def _find_column(frame: pd.DataFrame, name: str, option: str) -> str:
    cols = [c for c in frame.columns if c != "_row"]
    if name in cols:
        return name
    for c in cols:
        if str(c).strip().casefold() == name.strip().casefold():
            return c
    raise usage_error(
        f"Kolom '{name}' (opsi {option}) tidak ada. Kolom yang ada: {listing(cols)}",
        f"Column '{name}' (option {option}) not found. Columns present: {listing(cols)}",
    )


def _detect(frame: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    norm: dict[str, str] = {}
    for c in frame.columns:
        if c != "_row":
            norm.setdefault(_norm_header(c), c)
    for cand in candidates:
        if cand in norm:
            return norm[cand]
    return None


def _parse_coord_column(
    frame: pd.DataFrame, col: str, limit: float
) -> tuple[list[float | None], dict[int, Exception]]:
    """Parse one coordinate column with :func:`kumuhgis.core.numeric.parse_number_series`.

    The column's number style (decimal comma or dot) is inferred from its unambiguous
    cells. A cell that stays ambiguous (``-2.541``: thousands or decimals?) is read as a
    decimal when that gives a plausible degree (|value| ≤ ``limit``) and every other cell
    of the column is a plausible degree too; otherwise it is an error.
    """
    from kumuhgis.core.numeric import parse_number_series

    parsed, failures = parse_number_series(frame[col].reset_index(drop=True))
    values: list[float | None] = [None if pd.isna(v) else float(v) for v in parsed]
    degrees = all(v is None or abs(v) <= limit for v in values)
    errors: dict[int, Exception] = {}
    for pos, _text, err in failures:
        readings = getattr(err, "readings", None)
        if getattr(err, "ambiguous", False) and readings and degrees:
            decimal = float(readings[1])
            if abs(decimal) <= limit:
                values[pos] = decimal
                continue
        errors[pos] = err
    return values, errors


def _coord_problem(row: int, column: str, value: object, exc: Exception) -> Problem:
    if hasattr(exc, "to_problem"):
        p = exc.to_problem(row, column)
        return Problem(
            row,
            column,
            None if value is None else str(value),
            f"Koordinat tidak dapat dibaca: {p.masalah}",
            f"Coordinate cannot be read: {p.problem}",
            p.perbaikan,
            p.fix,
        )
    return Problem(
        row,
        column,
        None if value is None else str(value),
        "Koordinat tidak dapat dibaca: bukan angka",
        "Coordinate cannot be read: not a number",
        "Tulis angka desimal, mis. 112.9512 atau 112,9512 (bujur) dan -2.5412 (lintang)",
        "Write a decimal number, e.g. 112.9512 or 112,9512 (longitude) and -2.5412 (latitude)",
    )


def _points_from_xy(frame: pd.DataFrame, xcol: str, ycol: str, problems: list[Problem]):
    xs, xerr = _parse_coord_column(frame, xcol, 180.0)
    ys, yerr = _parse_coord_column(frame, ycol, 90.0)
    geoms: list[object] = []
    rows = frame["_row"].tolist()
    xraw, yraw = frame[xcol].tolist(), frame[ycol].tolist()
    for i, rownum in enumerate(rows):
        if xraw[i] is None and yraw[i] is None:
            geoms.append(None)  # no location at all: the validator reports empty geometry
            continue
        ok = True
        for col, raw, vals, errs in ((xcol, xraw, xs, xerr), (ycol, yraw, ys, yerr)):
            if i in errs:
                problems.append(_coord_problem(int(rownum), col, raw[i], errs[i]))
                ok = False
            elif vals[i] is None:
                problems.append(
                    Problem(
                        int(rownum),
                        col,
                        None if raw[i] is None else str(raw[i]),
                        "Koordinat kosong padahal pasangannya terisi",
                        "Coordinate is empty while its pair is filled in",
                        "Isi bujur dan lintang, atau kosongkan keduanya",
                        "Fill in both longitude and latitude, or leave both empty",
                    )
                )
                ok = False
        geoms.append(shapely.Point(xs[i], ys[i]) if ok else None)
    return geoms


def _points_from_pairs(frame: pd.DataFrame, col: str, problems: list[Problem]):
    geoms: list[object] = []
    for rownum, v in zip(frame["_row"], frame[col], strict=True):
        if v is None:
            geoms.append(None)
            continue
        m = _PAIR_RE.match(str(v))
        if not m:
            problems.append(
                Problem(
                    int(rownum),
                    col,
                    str(v),
                    "Koordinat tidak dapat dibaca; harus 'lintang, bujur' dengan titik desimal",
                    "Coordinate cannot be read; expected 'latitude, longitude' with decimal points",
                    "Tulis seperti Google Maps, mis. -2.5412, 112.9512",
                    "Write it as Google Maps does, e.g. -2.5412, 112.9512",
                )
            )
            geoms.append(None)
            continue
        lat, lon = float(m.group(1)), float(m.group(2))
        geoms.append(shapely.Point(lon, lat))
    return geoms


def _geoms_from_wkt(frame: pd.DataFrame, col: str, problems: list[Problem]):
    geoms: list[object] = []
    srids: set[int] = set()
    for rownum, v in zip(frame["_row"], frame[col], strict=True):
        if v is None:
            geoms.append(None)
            continue
        text = str(v)
        m = _EWKT_RE.match(text)
        if m:
            srids.add(int(m.group(1)))
            text = m.group(2)
        try:
            geom = shapely.from_wkt(text)
        except shapely.errors.GEOSException as exc:
            problems.append(
                Problem(
                    int(rownum),
                    col,
                    text[:120] + ("…" if len(text) > 120 else ""),
                    f"Geometri WKT tidak dapat dibaca ({exc})",
                    f"WKT geometry cannot be read ({exc})",
                    "Gunakan WKT dengan titik desimal, mis. POINT (112.9512 -2.5412)",
                    "Use WKT with decimal points, e.g. POINT (112.9512 -2.5412)",
                )
            )
            geoms.append(None)
            continue
        geoms.append(None if geom is None else shapely.force_2d(geom))
    crs = None
    if len(srids) == 1:
        crs = CRS.from_epsg(srids.pop())
    elif len(srids) > 1:
        problems.append(
            Problem(
                None,
                col,
                None,
                "Baris-baris WKT memakai SRID berbeda",
                "WKT rows use different SRIDs",
                "Gunakan satu sistem koordinat untuk semua baris",
                "Use one coordinate system for every row",
            )
        )
    return geoms, crs


def table_geometry(
    frame: pd.DataFrame,
    problems: list[Problem],
    *,
    x: str | None,
    y: str | None,
    wkt: str | None,
) -> tuple[pd.DataFrame, bool, CRS | None]:
    if (x is None) != (y is None):
        raise usage_error(
            "Opsi x dan y harus diberikan bersama",
            "Options x and y must be given together",
        )
    if wkt is not None and x is not None:
        raise usage_error(
            "Pilih salah satu: kolom WKT atau kolom x/y",
            "Choose one: a WKT column or x/y columns",
        )
    wcol = xcol = ycol = None
    if wkt is not None:
        wcol = _find_column(frame, wkt, "wkt")
    elif x is not None:
        xcol, ycol = _find_column(frame, x, "x"), _find_column(frame, y, "y")
    else:
        wcol = _detect(frame, _WKT_HEADERS)
        xcol, ycol = _detect(frame, _X_HEADERS), _detect(frame, _Y_HEADERS)
    crs = None
    if wcol is not None:
        geoms, crs = _geoms_from_wkt(frame, wcol, problems)
        attrs = frame.drop(columns=[wcol])
    elif xcol is not None and ycol is not None:
        geoms = _points_from_xy(frame, xcol, ycol, problems)
        attrs = frame
    elif (pcol := _detect(frame, _PAIR_HEADERS)) is not None and x is None:
        geoms = _points_from_pairs(frame, pcol, problems)
        attrs = frame
    else:
        return frame, False, None
    out = gpd.GeoDataFrame(
        attrs, geometry=gpd.GeoSeries(geoms, index=attrs.index, crs=crs), crs=crs
    )
    return out, True, crs
