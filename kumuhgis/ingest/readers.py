"""Reading the files users really send.

:func:`read_file` turns a Shapefile (plain, in a folder or zipped), GeoPackage, SpatiaLite,
GeoJSON, KML/KMZ, CSV or XLSX into a *raw* frame: columns as the user named them, cell
values as they were (CSV and XLSX cells stay text, so ``"001"`` and ``"62.02.06.1007"``
keep their zeros), a ``_row`` column with the row number the user sees, and a
``geometry`` column when the source has one. Checking the frame against a layer schema
is :mod:`kumuhgis.ingest.validation`'s job; resolving a missing CRS is :mod:`kumuhgis.geo.crs`'s job.

Writing output files is :mod:`kumuhgis.outputs.files`'s job.

This module chooses the reader by extension; the readers live beside it:
:mod:`kumuhgis.ingest.vector` reads everything GDAL (pyogrio) reads, :mod:`kumuhgis.ingest.tables`
reads CSV (Python's ``csv`` module, so that encodings, delimiters and row numbers are under
our control) and XLSX (openpyxl) and builds geometry from their coordinate or WKT columns;
:mod:`kumuhgis.ingest.source` holds :class:`ReadResult` and what the readers share.
domain.md §10 describes the files that arrive: Shapefiles (often zipped, DBF in
Windows-1252), KML/KMZ, GeoJSON, GeoPackage and Excel with Indonesian number formats.
"""

from __future__ import annotations

import os
from pathlib import Path

from kumuhgis.core.errors import usage_error
from kumuhgis.ingest.limits import MAX_TABLE_BYTES, check_archive, check_document
from kumuhgis.ingest.source import READ_FORMATS, ReadResult
from kumuhgis.ingest.tables import read_csv, read_xlsx, sheet_names, table_geometry
from kumuhgis.ingest.vector import (
    folder_shapefiles,
    gdal_layers,
    read_folder,
    read_geojson,
    read_kml,
    read_layer,
    read_shapefile,
    read_zip,
    zip_shapefiles,
)

__all__ = [
    "ReadResult",
    "read_file",
    "list_layers",
    "READ_FORMATS",
]


_SUPPORTED_TEXT = (
    "Shapefile (.shp, folder, .zip), GeoPackage (.gpkg), GeoJSON (.geojson/.json), "
    "KML/KMZ, CSV, Excel (.xlsx), SpatiaLite (.sqlite)"
)


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise usage_error(f"Berkas tidak ditemukan: {path}", f"File not found: {path}")


def _format_of(path: Path) -> str:
    if path.is_dir():
        return "shapefile-folder"
    ext = path.suffix.lower()
    if ext in READ_FORMATS:
        return READ_FORMATS[ext]
    if ext in (".xls", ".ods"):
        raise usage_error(
            f"Format {ext} tidak didukung: buka di Excel/LibreOffice lalu simpan sebagai .xlsx "
            f"({path.name})",
            f"{ext} is not supported: open it in Excel/LibreOffice and save it as .xlsx "
            f"({path.name})",
        )
    raise usage_error(
        f"Format berkas '{ext or path.name}' tidak dikenal. Format yang didukung: "
        f"{_SUPPORTED_TEXT}",
        f"Unknown file format '{ext or path.name}'. Supported formats: {_SUPPORTED_TEXT}",
    )


def _checked_format(path: Path) -> str:
    """The file's format, after :mod:`kumuhgis.ingest.limits` let it through: an archive's
    paths and sizes, a document's size, before any reader opens it."""
    _check_exists(path)
    fmt = _format_of(path)
    if fmt in ("shapefile-zip", "kmz", "xlsx"):
        check_archive(path)
    elif fmt in ("kml", "geojson"):
        check_document(path)
    elif fmt == "csv":
        check_document(path, limit=MAX_TABLE_BYTES)
    return fmt


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
        The file cannot be read at all (corrupt, empty, a Shapefile without .shx/.dbf), or
        breaks a limit of :mod:`kumuhgis.ingest.limits` (zip-slip paths, a zip bomb, a
        document over 256 MB, a CSV over 160 MB).
    """
    path = Path(path)
    fmt = _checked_format(path)
    if fmt == "shapefile-folder":
        return read_folder(path, layer, encoding)
    if fmt == "shapefile-zip":
        return read_zip(path, layer, encoding)
    if fmt == "shapefile":
        return read_shapefile(path, encoding)
    if fmt in ("gpkg", "sqlite"):
        return read_layer(path, layer, fmt)
    if fmt == "geojson":
        return read_geojson(path, fmt)
    if fmt in ("kml", "kmz"):
        return read_kml(path, layer, fmt)
    if fmt == "csv":
        frame, problems = read_csv(path, encoding)
        sheet = None
    else:  # xlsx
        frame, sheet, problems = read_xlsx(path, layer)
    frame, has_geom, crs = table_geometry(frame, problems, x=x, y=y, wkt=wkt)
    return ReadResult(frame, fmt, sheet, crs, problems, has_geom)


def list_layers(path: str | os.PathLike) -> list[str]:
    """Names accepted by ``read_file(path, layer=...)``.

    GeoPackage/SpatiaLite layers, KML/KMZ folders (each a GDAL layer), XLSX sheets,
    Shapefiles in a zip or folder. A single-layer spatial file (GeoJSON, one .shp) gives
    its one layer name; a CSV has none (``[]``).
    """
    path = Path(path)
    fmt = _checked_format(path)
    if fmt == "shapefile-folder":
        return list(folder_shapefiles(path))
    if fmt == "shapefile-zip":
        shapefiles = zip_shapefiles(path)
        return list(shapefiles)
    if fmt == "shapefile":
        return [path.name[: -len(path.suffix)]]
    if fmt == "csv":
        return []
    if fmt == "xlsx":
        return sheet_names(path)
    return gdal_layers(str(path))
