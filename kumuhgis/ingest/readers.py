"""Reading the files users really send.

:func:`read_file` turns a Shapefile (plain, in a folder or zipped), GeoPackage, SpatiaLite,
GeoJSON, KML/KMZ, CSV or XLSX into a *raw* frame: columns as the user named them, cell
values as they were (CSV and XLSX cells stay text, so ``"001"`` and ``"62.02.06.1007"``
keep their zeros), a ``_row`` column with the row number the user sees, and a
``geometry`` column when the source has one. Checking the frame against a layer schema
is :mod:`kumuhgis.ingest.validation`'s job; resolving a missing CRS is :mod:`kumuhgis.geo.crs`'s job.

Writing output files is :mod:`kumuhgis.outputs.files`'s job.

Everything goes through GDAL (pyogrio) except CSV (Python's ``csv`` module, so that
encodings, delimiters and row numbers are under our control) and XLSX (openpyxl).
domain.md §10 describes the files that arrive: Shapefiles (often zipped, DBF in
Windows-1252), KML/KMZ, GeoJSON, GeoPackage and Excel with Indonesian number formats.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io as _stdio
import logging
import os
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from kumuhgis.core.errors import Problem, UsageError, ValidationError
from kumuhgis.geo.gdal import gdal_warnings_to_log

__all__ = [
    "ReadResult",
    "read_file",
    "list_layers",
    "READ_FORMATS",
]

log = logging.getLogger(__name__)

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

_SUPPORTED_TEXT = (
    "Shapefile (.shp, folder, .zip), GeoPackage (.gpkg), GeoJSON (.geojson/.json), "
    "KML/KMZ, CSV, Excel (.xlsx), SpatiaLite (.sqlite)"
)
_SHP_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")
# LIBKML bookkeeping fields that carry no user data
_KML_DROP_ALWAYS = ("altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon")
_KML_DROP_IF_EMPTY = ("id", "timestamp", "begin", "end", "snippet")
_DBF_SCAN_BYTES = 8 * 1024 * 1024

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


@dataclass
class ReadResult:
    """What :func:`read_file` found.

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


# --------------------------------------------------------------------------- helpers


def _usage(id_text: str, en_text: str) -> UsageError:
    return UsageError(f"{id_text} / {en_text}")


def _unreadable(path: Path | str, id_text: str, en_text: str, fix_id: str = "", fix_en: str = ""):
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


def _warn(masalah: str, problem: str, perbaikan: str = "", fix: str = "", **kw) -> Problem:
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


def _norm_header(name: object) -> str:
    """``'Bujur (derajat)'`` → ``'bujur'``, ``'Koordinat X'`` → ``'koordinat_x'``."""
    s = re.sub(r"[\(\[][^\)\]]*[\)\]]", " ", str(name)).strip().lower()
    s = re.sub(r"[^0-9a-z]+", "_", s)
    return s.strip("_")


def _listing(names) -> str:
    return ", ".join(f"'{n}'" for n in names) or "-"


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise _usage(f"Berkas tidak ditemukan: {path}", f"File not found: {path}")


def _format_of(path: Path) -> str:
    if path.is_dir():
        return "shapefile-folder"
    ext = path.suffix.lower()
    if ext in READ_FORMATS:
        return READ_FORMATS[ext]
    if ext in (".xls", ".ods"):
        raise _usage(
            f"Format {ext} tidak didukung: buka di Excel/LibreOffice lalu simpan sebagai .xlsx "
            f"({path.name})",
            f"{ext} is not supported: open it in Excel/LibreOffice and save it as .xlsx "
            f"({path.name})",
        )
    raise _usage(
        f"Format berkas '{ext or path.name}' tidak dikenal. Format yang didukung: "
        f"{_SUPPORTED_TEXT}",
        f"Unknown file format '{ext or path.name}'. Supported formats: {_SUPPORTED_TEXT}",
    )


def _open_layers(source: str) -> list[str]:
    try:
        with gdal_warnings_to_log():
            return [str(n) for n in pyogrio.list_layers(source)[:, 0]]
    except pyogrio.errors.DataSourceError as exc:
        raise _unreadable(
            source,
            f"Berkas tidak dapat dibaca oleh GDAL: {exc}",
            f"GDAL cannot read the file: {exc}",
        ) from exc


def _gdal_encoding(encoding: str) -> str:
    """A Python codec name as GDAL/iconv spells it: ``latin-1`` → ``ISO-8859-1``."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise _usage(
            f"Encoding '{encoding}' tidak dikenal", f"Unknown encoding '{encoding}'"
        ) from exc
    if name.startswith("iso8859-"):
        return "ISO-8859-" + name.split("-", 1)[1]
    return name.upper()


def _read_gdal(source: str, *, layer: str | None = None, encoding: str | None = None):
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if encoding is not None:
        kwargs["encoding"] = _gdal_encoding(encoding)
    try:
        with gdal_warnings_to_log():
            return pyogrio.read_dataframe(source, **kwargs)
    except UnicodeDecodeError as exc:
        raise _unreadable(
            source,
            f"Teks berkas tidak dapat dibaca dengan encoding {encoding or 'bawaan'}: {exc}",
            f"The file's text cannot be decoded with encoding {encoding or 'default'}: {exc}",
            "Coba opsi encoding lain, mis. cp1252 atau utf-8",
            "Try another encoding option, e.g. cp1252 or utf-8",
        ) from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise _unreadable(
            source,
            f"Berkas tidak dapat dibaca oleh GDAL: {exc}",
            f"GDAL cannot read the file: {exc}",
        ) from exc


def _choose_layer(
    names: list[str], layer: str | None, path: Path, what_id: str, what_en: str
) -> str:
    if layer is not None:
        if layer in names:
            return layer
        folded = [n for n in names if n.casefold() == layer.casefold()]
        if len(folded) == 1:
            return folded[0]
        raise _usage(
            f"{what_id} '{layer}' tidak ada di {path.name}. Pilihan: {_listing(names)}",
            f"{what_en} '{layer}' not found in {path.name}. Choose one of: {_listing(names)}",
        )
    if len(names) == 1:
        return names[0]
    if not names:
        raise _unreadable(
            path,
            f"{path.name} tidak berisi {what_id.lower()} apa pun",
            f"{path.name} holds no {what_en.lower()}",
        )
    raise _usage(
        f"{path.name} berisi {len(names)} {what_id.lower()}: {_listing(names)}. "
        f"Pilih salah satu dengan opsi layer",
        f"{path.name} holds {len(names)} {what_en.lower()}s: {_listing(names)}. "
        f"Choose one with the layer option",
    )


def _finish_spatial(
    raw: pd.DataFrame, fmt: str, layer: str | None, problems: list[Problem]
) -> ReadResult:
    """Add ``_row``, drop Z/M, and wrap a GDAL frame into a ReadResult."""
    frame = raw.reset_index(drop=True)
    problems = list(problems)
    frame = _insert_row_column(frame, np.arange(1, len(frame) + 1), problems)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name is not None:
        crs = frame.crs
        geom = shapely.force_2d(np.asarray(frame.geometry.values, dtype=object))
        attrs = frame.drop(columns=[frame.geometry.name])
        out = gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geom, index=attrs.index), crs=crs)
        return ReadResult(out, fmt, layer, crs, problems, True)
    return ReadResult(pd.DataFrame(frame), fmt, layer, None, problems, False)


def _insert_row_column(frame: pd.DataFrame, rows, problems: list[Problem]) -> pd.DataFrame:
    if "_row" in frame.columns:
        frame = frame.rename(columns={"_row": "_row_sumber"})
        problems.append(
            _warn(
                "Kolom '_row' di berkas diganti nama menjadi '_row_sumber'",
                "Column '_row' in the file was renamed to '_row_sumber'",
                column="_row",
            )
        )
    frame = frame.copy()
    frame.insert(0, "_row", np.asarray(rows, dtype="int64"))
    return frame


# --------------------------------------------------------------------------- shapefile


def _sidecar(siblings: dict[str, str], stem: str, ext: str) -> str | None:
    """Find ``stem + ext`` among ``siblings`` (lower-cased name -> real name)."""
    return siblings.get((stem + ext).lower())


def _dbf_encoding_guess(dbf: bytes) -> str | None:
    """Guess the text encoding of DBF bytes that came without a .cpg.

    Returns None when the records are pure ASCII (the encoding does not matter),
    ``"UTF-8"`` when the non-ASCII bytes form valid UTF-8 (text in Windows-1252 almost
    never does), else ``"CP1252"``.
    """
    if len(dbf) < 32:
        return None
    header_len = int.from_bytes(dbf[8:10], "little")
    body = dbf[header_len:]
    if body.isascii():
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(body, final=len(body) < _DBF_SCAN_BYTES)
    except UnicodeDecodeError:
        return "CP1252"
    return "UTF-8"


def _shp_encoding(
    dbf_head: bytes | None, has_cpg: bool, encoding: str | None, name: str
) -> tuple[str | None, list[Problem]]:
    """Which encoding to force on a Shapefile's DBF (None = let GDAL decide)."""
    if encoding is not None:
        return encoding, []
    if has_cpg or dbf_head is None:
        return None, []
    ldid = dbf_head[29] if len(dbf_head) > 29 else 0
    if ldid not in (0, 0x57):  # a specific code page is declared in the DBF header: GDAL maps it
        return None, []
    guess = _dbf_encoding_guess(dbf_head)
    if guess is None:
        return "CP1252", []
    if guess == "UTF-8":
        return "UTF-8", [
            _warn(
                f"{name}: berkas .cpg tidak ada; teks DBF terbaca sebagai UTF-8",
                f"{name}: no .cpg file; DBF text was read as UTF-8",
                "Periksa huruf khusus (mis. ’ – é); jika salah, kirim ulang dengan berkas .cpg",
                "Check special characters (e.g. ’ – é); if wrong, send the file again with its .cpg",
            )
        ]
    return "CP1252", [
        _warn(
            f"{name}: berkas .cpg tidak ada; teks DBF dianggap Windows-1252 (cp1252)",
            f"{name}: no .cpg file; DBF text assumed to be Windows-1252 (cp1252)",
            "Periksa huruf khusus (mis. ’ – é); jika salah, tambahkan berkas .cpg yang benar",
            "Check special characters (e.g. ’ – é); if wrong, add a .cpg file naming the encoding",
        )
    ]


def _missing_sidecars(siblings: dict[str, str], stem: str, path: Path, shp_name: str) -> None:
    missing = [ext for ext in (".shx", ".dbf") if _sidecar(siblings, stem, ext) is None]
    if missing:
        names = ", ".join(stem + ext for ext in missing)
        raise _unreadable(
            path,
            f"Shapefile {shp_name} tidak lengkap: {names} tidak ada",
            f"Shapefile {shp_name} is incomplete: {names} missing",
            "Kirim semua berkas Shapefile (.shp, .shx, .dbf, .prj, .cpg), sebaiknya dalam satu .zip",
            "Send every Shapefile part (.shp, .shx, .dbf, .prj, .cpg), preferably in one .zip",
        )


def _read_shp_file(shp: Path, encoding: str | None, fmt: str = "shapefile") -> ReadResult:
    siblings = {p.name.lower(): p.name for p in shp.parent.iterdir()}
    stem = shp.name[: -len(shp.suffix)]
    _missing_sidecars(siblings, stem, shp, shp.name)
    dbf_name = _sidecar(siblings, stem, ".dbf")
    with open(shp.parent / dbf_name, "rb") as fh:
        dbf = fh.read(_DBF_SCAN_BYTES)
    enc, problems = _shp_encoding(
        dbf, _sidecar(siblings, stem, ".cpg") is not None, encoding, shp.name
    )
    raw = _read_gdal(str(shp), encoding=enc)
    return _finish_spatial(raw, fmt, stem, problems)


def _zip_members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise _unreadable(
            path,
            f"{path.name} bukan berkas zip yang sah",
            f"{path.name} is not a valid zip file",
        ) from exc
    return [
        n
        for n in names
        if not n.endswith("/")
        and not n.startswith("__MACOSX/")
        and not PurePosixPath(n).name.startswith("._")
    ]


def _zip_shapefiles(path: Path) -> dict[str, str]:
    """layer name (stem) -> member path of every .shp in the zip."""
    shps = [m for m in _zip_members(path) if m.lower().endswith(".shp")]
    stems = [PurePosixPath(m).stem for m in shps]
    if len(set(stems)) == len(stems):
        return dict(zip(stems, shps, strict=True))
    return {m[:-4]: m for m in shps}  # same stem in two folders: use the member path


def _vsizip(path: Path, member: str) -> str:
    return f"/vsizip/{path.resolve().as_posix()}/{member}"


def _read_zip(path: Path, layer: str | None, encoding: str | None) -> ReadResult:
    shapefiles = _zip_shapefiles(path)
    if not shapefiles:
        others = [
            m
            for m in _zip_members(path)
            if PurePosixPath(m).suffix.lower() in (".gpkg", ".geojson", ".json", ".kml")
        ]
        if len(others) == 1:
            member = others[0]
            fmt = READ_FORMATS[PurePosixPath(member).suffix.lower()]
            source = _vsizip(path, member)
            names = _open_layers(source)
            chosen = _choose_layer(names, layer, path, "Layer", "Layer")
            if fmt == "kml":
                return _read_kml(source, path, layer, fmt)
            return _finish_spatial(_read_gdal(source, layer=chosen), fmt, chosen, [])
        raise _unreadable(
            path,
            f"{path.name} tidak berisi Shapefile (.shp)",
            f"{path.name} holds no Shapefile (.shp)",
            "Zip harus berisi .shp beserta .shx, .dbf, .prj (dan .cpg)",
            "The zip must hold the .shp with its .shx, .dbf, .prj (and .cpg)",
        )
    chosen = _choose_layer(list(shapefiles), layer, path, "Shapefile", "Shapefile")
    member = shapefiles[chosen]
    member_stem = member[:-4]
    members = _zip_members(path)
    siblings = {m.lower(): m for m in members}
    _missing_sidecars(siblings, member_stem, path, PurePosixPath(member).name)
    dbf_member = _sidecar(siblings, member_stem, ".dbf")
    with zipfile.ZipFile(path) as zf, zf.open(dbf_member) as fh:
        dbf = fh.read(_DBF_SCAN_BYTES)
    has_cpg = _sidecar(siblings, member_stem, ".cpg") is not None
    enc, problems = _shp_encoding(dbf, has_cpg, encoding, PurePosixPath(member).name)
    raw = _read_gdal(_vsizip(path, member), encoding=enc)
    return _finish_spatial(raw, "shapefile-zip", chosen, problems)


def _folder_shapefiles(path: Path) -> dict[str, Path]:
    return {
        p.stem: p
        for p in sorted(path.iterdir())
        if p.is_file() and p.suffix.lower() == ".shp" and not p.name.startswith("._")
    }


def _read_folder(path: Path, layer: str | None, encoding: str | None) -> ReadResult:
    shps = _folder_shapefiles(path)
    if not shps:
        raise _unreadable(
            path,
            f"Folder {path} tidak berisi Shapefile (.shp)",
            f"Folder {path} holds no Shapefile (.shp)",
        )
    chosen = _choose_layer(list(shps), layer, path, "Shapefile", "Shapefile")
    return _read_shp_file(shps[chosen], encoding, fmt="shapefile")


# --------------------------------------------------------------------------- KML


def _read_kml(source: str, path: Path, layer: str | None, fmt: str) -> ReadResult:
    names = _open_layers(source)
    if layer is not None:
        names = [_choose_layer(names, layer, path, "Folder", "Folder")]
    parts = []
    for name in names:
        part = _read_gdal(source, layer=name)
        if len(part) == 0:
            continue
        part = part.rename(
            columns={c: c.lower() for c in part.columns if c in ("Name", "Description")}
        )
        drop = [c for c in _KML_DROP_ALWAYS if c in part.columns]
        drop += [c for c in _KML_DROP_IF_EMPTY if c in part.columns and part[c].isna().all()]
        part = part.drop(columns=drop)
        part.insert(0, "folder", name)
        parts.append(part)
    crs = CRS.from_epsg(4326)
    if not parts:
        empty = gpd.GeoDataFrame(
            {"folder": pd.Series([], dtype=object)}, geometry=gpd.GeoSeries([]), crs=crs
        )
        return _finish_spatial(empty, fmt, layer, [])
    frame = pd.concat(parts, ignore_index=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=parts[0].crs or crs)
    return _finish_spatial(frame, fmt, layer, [])


# --------------------------------------------------------------------------- CSV / XLSX


def _decode_csv(data: bytes, encoding: str | None, name: str) -> tuple[str, list[Problem]]:
    if encoding is not None:
        try:
            return data.decode(encoding), []
        except (UnicodeDecodeError, LookupError) as exc:
            raise _usage(
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
        _warn(
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
                _warn(
                    f"Judul kolom '{text}' muncul lebih dari sekali; yang ke-{k} dinamai '{new}'",
                    f"Column header '{text}' appears more than once; occurrence {k} renamed '{new}'",
                    column=text,
                )
            )
            text = new
        seen.add(text)
        headers.append(text)
    return headers, problems


def _split_header(records: list[tuple[int, list[object]]]):
    """Find the header row: the first non-empty row, skipping title lines above a table.

    A title line ("DATA BASELINE KUMUH 2024") has at most one filled cell; it is skipped
    (with a warning) when a row with two or more filled cells follows within 20 rows.
    Row numbers are kept as the spreadsheet shows them.
    """
    filled = [(n, cells, sum(not _blank(c) for c in cells)) for n, cells in records]
    filled = [f for f in filled if f[2] > 0]
    first_wide = next((i for i, f in enumerate(filled[:20]) if f[2] >= 2), None)
    start = first_wide if first_wide is not None else 0
    skipped = []
    if start > 0:
        titles = [str(next(c for c in f[1] if not _blank(c))) for f in filled[:start]]
        skipped.append(
            _warn(
                f"Baris judul di atas tabel diabaikan: {'; '.join(titles)[:200]}; "
                f"judul kolom diambil dari baris {filled[start][0]}",
                f"Title lines above the table were ignored: {'; '.join(titles)[:200]}; "
                f"column headers taken from row {filled[start][0]}",
                row=filled[start][0],
            )
        )
    header_num, header, _ = filled[start]
    body = [(n, cells) for n, cells in records if n > header_num]
    return header, body, skipped


def _table_frame(
    header: list[object], records: list[tuple[int, list[object]]], label, name: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Build an all-object frame from a header row and (row number, cells) records."""
    width = len(header)
    # drop trailing columns with neither header nor data
    while (
        width
        and _blank(header[width - 1])
        and all(len(cells) < width or _blank(cells[width - 1]) for _, cells in records)
    ):
        width -= 1
    headers, problems = _make_headers(list(header[:width]), label)
    columns: list[list[object]] = [[] for _ in range(width)]
    rows: list[int] = []
    for rownum, cells in records:
        if all(_blank(c) for c in cells):
            continue
        extra = [c for c in cells[width:] if not _blank(c)]
        if extra:
            problems.append(
                Problem(
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
            )
        rows.append(rownum)
        for j in range(width):
            v = cells[j] if j < len(cells) else None
            columns[j].append(None if _blank(v) else v)
    data = {h: pd.Series(col, dtype=object) for h, col in zip(headers, columns, strict=True)}
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    frame = _insert_row_column(frame, rows, problems)
    return frame, problems


def _read_csv(path: Path, encoding: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    text, problems = _decode_csv(path.read_bytes(), encoding, path.name)
    if not text.strip():
        raise _unreadable(path, f"{path.name} kosong", f"{path.name} is empty")
    delim = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text)
    old_limit = csv.field_size_limit(2**31 - 1)  # WKT cells can be long
    try:
        reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delim)
        all_rows = list(reader)
    except csv.Error as exc:
        raise _unreadable(
            path,
            f"{path.name} tidak dapat dibaca sebagai CSV: {exc}",
            f"{path.name} cannot be read as CSV: {exc}",
        ) from exc
    finally:
        csv.field_size_limit(old_limit)
    # record number = the row number Excel shows when it opens the file
    records = [(i + 1, r) for i, r in enumerate(all_rows)]
    header, body, skipped = _split_header(records)
    frame, more = _table_frame(header, body, lambda i: str(i + 1), path.name)
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
        raise _unreadable(
            path,
            f"{path.name} tidak dapat dibuka sebagai Excel .xlsx: {exc}",
            f"{path.name} cannot be opened as an Excel .xlsx file: {exc}",
        ) from exc


def _read_xlsx(path: Path, layer: str | None) -> tuple[pd.DataFrame, str, list[Problem]]:
    from openpyxl.utils import get_column_letter

    wb = _open_workbook(path)
    try:
        sheet = _choose_layer(
            wb.sheetnames, layer if layer is not None else wb.sheetnames[0], path, "Sheet", "Sheet"
        )
        ws = wb[sheet]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            records = [
                (i + 1, [_excel_value(c) for c in row]) for i, row in enumerate(ws.iter_rows())
            ]
    finally:
        wb.close()
    if not any(not _blank(c) for _, cells in records for c in cells):
        raise _unreadable(
            path,
            f"Sheet '{sheet}' di {path.name} kosong",
            f"Sheet '{sheet}' in {path.name} is empty",
        )
    header, body, skipped = _split_header(records)
    frame, problems = _table_frame(header, body, lambda i: get_column_letter(i + 1), path.name)
    return frame, sheet, skipped + problems


def _find_column(frame: pd.DataFrame, name: str, option: str) -> str:
    cols = [c for c in frame.columns if c != "_row"]
    if name in cols:
        return name
    for c in cols:
        if str(c).strip().casefold() == name.strip().casefold():
            return c
    raise _usage(
        f"Kolom '{name}' (opsi {option}) tidak ada. Kolom yang ada: {_listing(cols)}",
        f"Column '{name}' (option {option}) not found. Columns present: {_listing(cols)}",
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


def _table_geometry(
    frame: pd.DataFrame,
    problems: list[Problem],
    *,
    x: str | None,
    y: str | None,
    wkt: str | None,
) -> tuple[pd.DataFrame, bool, CRS | None]:
    if (x is None) != (y is None):
        raise _usage(
            "Opsi x dan y harus diberikan bersama",
            "Options x and y must be given together",
        )
    if wkt is not None and x is not None:
        raise _usage(
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


# --------------------------------------------------------------------------- public: read


def read_file(
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    x: str | None = None,
    y: str | None = None,
    wkt: str | None = None,
    encoding: str | None = None,
) -> ReadResult:
    """Read any supported input file into a raw frame.

    Parameters
    ----------
    path
        A ``.zip`` (zipped Shapefile; several .shp inside → choose with ``layer``), ``.shp``,
        a folder holding Shapefiles, ``.gpkg``, ``.sqlite``, ``.geojson``/``.json``,
        ``.kml``/``.kmz``, ``.csv``/``.txt``/``.tsv`` or ``.xlsx``.
    layer
        GeoPackage/SpatiaLite layer, Shapefile name inside a zip or folder, XLSX sheet
        (default: first sheet) or a single KML folder (default: all folders flattened).
        Ignored by single-layer formats (GeoJSON, one Shapefile, CSV).
    x, y
        Longitude/easting and latitude/northing columns of a CSV/XLSX. Default: detected
        from headers such as ``lon``/``bujur``/``x`` and ``lat``/``lintang``/``y``
        (case-insensitive, units in brackets ignored). Cells may use a decimal comma;
        they are parsed with :func:`kumuhgis.core.numeric.parse_number`.
    wkt
        WKT geometry column of a CSV/XLSX. Default: a header named ``wkt``, ``geometry``,
        ``geom``, ``the_geom`` or ``shape``. ``SRID=n;`` prefixes (EWKT) set the CRS.
    encoding
        Force the text encoding of a CSV or a Shapefile's DBF. Default: CSV is detected
        (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else Windows-1252 with a warning); a DBF
        follows its ``.cpg``; without one it is read as Windows-1252 (or UTF-8 when its
        non-ASCII bytes are valid UTF-8), with a warning when the text is not pure ASCII.

    Returns
    -------
    ReadResult
        ``frame`` starts with ``_row``: CSV/XLSX row numbers as the user sees them (header
        is row 1; fully empty rows are skipped but keep the numbering), the 1-based
        feature number for spatial formats. CSV/XLSX cells stay as text (``None`` when
        empty); XLSX numeric cells stay Python numbers, except codes formatted with
        leading zeros (number format ``000``), which become the text shown; dates become
        ISO text. Geometry is 2D. A coordinate or WKT cell that cannot be read gives an
        error Problem with row and column and leaves that row's geometry None; a row with
        both coordinates empty simply has no geometry.

    Raises
    ------
    UsageError
        Missing file, unknown extension, ``.xls``, a ``layer``/column that does not exist,
        or several layers with none chosen (the message lists them).
    ValidationError
        The file cannot be read at all (corrupt, empty, a Shapefile without .shx/.dbf).
    """
    path = Path(path)
    _check_exists(path)
    fmt = _format_of(path)
    if fmt == "shapefile-folder":
        return _read_folder(path, layer, encoding)
    if fmt == "shapefile-zip":
        return _read_zip(path, layer, encoding)
    if fmt == "shapefile":
        return _read_shp_file(path, encoding)
    if fmt in ("gpkg", "sqlite"):
        names = _open_layers(str(path))
        chosen = _choose_layer(names, layer, path, "Layer", "Layer")
        return _finish_spatial(_read_gdal(str(path), layer=chosen), fmt, chosen, [])
    if fmt == "geojson":
        names = _open_layers(str(path))
        chosen = names[0] if names else None
        return _finish_spatial(_read_gdal(str(path)), fmt, chosen, [])
    if fmt in ("kml", "kmz"):
        return _read_kml(str(path), path, layer, fmt)
    if fmt == "csv":
        frame, problems = _read_csv(path, encoding)
        sheet = None
    else:  # xlsx
        frame, sheet, problems = _read_xlsx(path, layer)
    frame, has_geom, crs = _table_geometry(frame, problems, x=x, y=y, wkt=wkt)
    return ReadResult(frame, fmt, sheet, crs, problems, has_geom)


def list_layers(path: str | os.PathLike) -> list[str]:
    """Names accepted by ``read_file(path, layer=...)``.

    GeoPackage/SpatiaLite layers, KML/KMZ folders (each a GDAL layer), XLSX sheets,
    Shapefiles in a zip or folder. A single-layer spatial file (GeoJSON, one .shp) gives
    its one layer name; a CSV has none (``[]``).
    """
    path = Path(path)
    _check_exists(path)
    fmt = _format_of(path)
    if fmt == "shapefile-folder":
        return list(_folder_shapefiles(path))
    if fmt == "shapefile-zip":
        shapefiles = _zip_shapefiles(path)
        return list(shapefiles)
    if fmt == "shapefile":
        return [path.name[: -len(path.suffix)]]
    if fmt == "csv":
        return []
    if fmt == "xlsx":
        wb = _open_workbook(path)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    return _open_layers(str(path))
