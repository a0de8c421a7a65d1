"""Reading spatial files through GDAL (pyogrio): Shapefile (plain, in a folder or zipped),
GeoPackage, SpatiaLite, GeoJSON and KML/KMZ.

A Shapefile's DBF follows its ``.cpg``; without one its encoding is guessed (domain.md §10:
DBFs from Indonesian offices are mostly Windows-1252) and a warning says so.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from lxml import etree
from pyproj import CRS

from kumuhgis.core.errors import Problem, usage_error
from kumuhgis.geo.gdal import gdal_warnings_to_log
from kumuhgis.ingest.fields import dbf_field_names, geojson_property_names, missing_fields
from kumuhgis.ingest.kml import KmlAttributes, placemark_columns, read_extended_data
from kumuhgis.ingest.limits import CappedReader, check_document
from kumuhgis.ingest.source import (
    READ_FORMATS,
    ReadResult,
    choose_layer,
    insert_row_numbers,
    unreadable_file,
    warning_problem,
)

__all__ = [
    "folder_shapefiles",
    "gdal_layers",
    "read_folder",
    "read_geojson",
    "read_kml",
    "read_layer",
    "read_shapefile",
    "read_zip",
    "zip_shapefiles",
]

# LIBKML bookkeeping fields that carry no user data
_KML_DROP_ALWAYS = ("altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon")
_KML_DROP_IF_EMPTY = ("id", "timestamp", "begin", "end", "snippet")
# the fields GDAL makes of every placemark; an ExtendedData field of the same name gets "_data"
_KML_STANDARD = frozenset(("id", "Name", "Description", "description", "timestamp", "begin",
                           "end", "snippet", *_KML_DROP_ALWAYS))  # fmt: skip
_DBF_SCAN_BYTES = 8 * 1024 * 1024


def gdal_layers(source: str) -> list[str]:
    try:
        with gdal_warnings_to_log():
            return [str(n) for n in pyogrio.list_layers(source)[:, 0]]
    except pyogrio.errors.DataSourceError as exc:
        raise unreadable_file(
            source,
            f"Berkas tidak dapat dibaca oleh GDAL: {exc}",
            f"GDAL cannot read the file: {exc}",
        ) from exc


def _gdal_encoding(encoding: str) -> str:
    """A Python codec name as GDAL/iconv spells it: ``latin-1`` → ``ISO-8859-1``."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise usage_error(
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
        raise unreadable_file(
            source,
            f"Teks berkas tidak dapat dibaca dengan encoding {encoding or 'bawaan'}: {exc}",
            f"The file's text cannot be decoded with encoding {encoding or 'default'}: {exc}",
            "Coba opsi encoding lain, mis. cp1252 atau utf-8",
            "Try another encoding option, e.g. cp1252 or utf-8",
        ) from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise unreadable_file(
            source,
            f"Berkas tidak dapat dibaca oleh GDAL: {exc}",
            f"GDAL cannot read the file: {exc}",
        ) from exc


def _finish_spatial(
    raw: pd.DataFrame, fmt: str, layer: str | None, problems: list[Problem]
) -> ReadResult:
    """Add ``_row``, drop Z/M, and wrap a GDAL frame into a ReadResult."""
    frame = raw.reset_index(drop=True)
    problems = list(problems)
    frame = insert_row_numbers(frame, np.arange(1, len(frame) + 1), problems)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name is not None:
        crs = frame.crs
        geom = shapely.force_2d(np.asarray(frame.geometry.values, dtype=object))
        attrs = frame.drop(columns=[frame.geometry.name])
        out = gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geom, index=attrs.index), crs=crs)
        return ReadResult(out, fmt, layer, crs, problems, True)
    return ReadResult(pd.DataFrame(frame), fmt, layer, None, problems, False)


def read_layer(path: Path, layer: str | None, fmt: str) -> ReadResult:
    """One layer of a GeoPackage or SpatiaLite file (``layer`` may be left out when there
    is only one)."""
    names = gdal_layers(str(path))
    chosen = choose_layer(names, layer, path, "Layer", "Layer")
    return _finish_spatial(_read_gdal(str(path), layer=chosen), fmt, chosen, [])


def read_geojson(path: Path, fmt: str = "geojson") -> ReadResult:
    """A GeoJSON file (one layer); a ``properties`` key GDAL did not turn into a field (one
    named ``geometry``, say) is reported."""
    names = gdal_layers(str(path))
    chosen = names[0] if names else None
    raw = _read_gdal(str(path))
    try:
        declared = geojson_property_names(path)
    except ValueError as exc:
        raise unreadable_file(
            path,
            f"{path.name}: GeoJSON tidak dapat dibaca utuh ({exc})",
            f"{path.name}: the GeoJSON cannot be read whole ({exc})",
            "Simpan ulang dari QGIS (Export ▸ Save Features As ▸ GeoJSON)",
            "Save it again from QGIS (Export ▸ Save Features As ▸ GeoJSON)",
        ) from exc
    problems = missing_fields(declared, _attribute_columns(raw), path.name)
    return _finish_spatial(raw, fmt, chosen, problems)


def _attribute_columns(frame: pd.DataFrame) -> list[str]:
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    return [c for c in frame.columns if c != geom]


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
            warning_problem(
                f"{name}: berkas .cpg tidak ada; teks DBF terbaca sebagai UTF-8",
                f"{name}: no .cpg file; DBF text was read as UTF-8",
                "Periksa huruf khusus (mis. ’ – é); jika salah, kirim ulang dengan berkas .cpg",
                "Check special characters (e.g. ’ – é); if wrong, send the file again with its .cpg",
            )
        ]
    return "CP1252", [
        warning_problem(
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
        raise unreadable_file(
            path,
            f"Shapefile {shp_name} tidak lengkap: {names} tidak ada",
            f"Shapefile {shp_name} is incomplete: {names} missing",
            "Kirim semua berkas Shapefile (.shp, .shx, .dbf, .prj, .cpg), sebaiknya dalam satu .zip",
            "Send every Shapefile part (.shp, .shx, .dbf, .prj, .cpg), preferably in one .zip",
        )


def read_shapefile(shp: Path, encoding: str | None, fmt: str = "shapefile") -> ReadResult:
    siblings = {p.name.lower(): p.name for p in shp.parent.iterdir()}
    stem = shp.name[: -len(shp.suffix)]
    _missing_sidecars(siblings, stem, shp, shp.name)
    dbf_name = _sidecar(siblings, stem, ".dbf")
    for part in (shp, shp.parent / dbf_name):
        check_document(part)
    with open(shp.parent / dbf_name, "rb") as fh:
        dbf = fh.read(_DBF_SCAN_BYTES)
    enc, problems = _shp_encoding(
        dbf, _sidecar(siblings, stem, ".cpg") is not None, encoding, shp.name
    )
    raw = _read_gdal(str(shp), encoding=enc)
    problems += missing_fields(dbf_field_names(dbf, enc), _attribute_columns(raw), shp.name)
    return _finish_spatial(raw, fmt, stem, problems)


def _zip_members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise unreadable_file(
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


def zip_shapefiles(path: Path) -> dict[str, str]:
    """layer name (stem) -> member path of every .shp in the zip."""
    shps = [m for m in _zip_members(path) if m.lower().endswith(".shp")]
    stems = [PurePosixPath(m).stem for m in shps]
    if len(set(stems)) == len(stems):
        return dict(zip(stems, shps, strict=True))
    return {m[:-4]: m for m in shps}  # same stem in two folders: use the member path


def _vsizip(path: Path, member: str) -> str:
    return f"/vsizip/{path.resolve().as_posix()}/{member}"


def read_zip(path: Path, layer: str | None, encoding: str | None) -> ReadResult:
    shapefiles = zip_shapefiles(path)
    if not shapefiles:
        others = [
            m
            for m in _zip_members(path)
            if PurePosixPath(m).suffix.lower() in (".gpkg", ".geojson", ".json", ".kml")
        ]
        if len(others) == 1:
            member = others[0]
            fmt = READ_FORMATS[PurePosixPath(member).suffix.lower()]
            if fmt == "kml":
                return read_kml(path, layer, fmt, member=member)
            source = _vsizip(path, member)
            chosen = choose_layer(gdal_layers(source), layer, path, "Layer", "Layer")
            return _finish_spatial(_read_gdal(source, layer=chosen), fmt, chosen, [])
        raise unreadable_file(
            path,
            f"{path.name} tidak berisi Shapefile (.shp)",
            f"{path.name} holds no Shapefile (.shp)",
            "Zip harus berisi .shp beserta .shx, .dbf, .prj (dan .cpg)",
            "The zip must hold the .shp with its .shx, .dbf, .prj (and .cpg)",
        )
    chosen = choose_layer(list(shapefiles), layer, path, "Shapefile", "Shapefile")
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
    declared = dbf_field_names(dbf, enc)
    problems += missing_fields(declared, _attribute_columns(raw), PurePosixPath(member).name)
    return _finish_spatial(raw, "shapefile-zip", chosen, problems)


def folder_shapefiles(path: Path) -> dict[str, Path]:
    return {
        p.stem: p
        for p in sorted(path.iterdir())
        if p.is_file() and p.suffix.lower() == ".shp" and not p.name.startswith("._")
    }


def read_folder(path: Path, layer: str | None, encoding: str | None) -> ReadResult:
    shps = folder_shapefiles(path)
    if not shps:
        raise unreadable_file(
            path,
            f"Folder {path} tidak berisi Shapefile (.shp)",
            f"Folder {path} holds no Shapefile (.shp)",
        )
    chosen = choose_layer(list(shps), layer, path, "Shapefile", "Shapefile")
    return read_shapefile(shps[chosen], encoding, fmt="shapefile")


# --------------------------------------------------------------------------- KML


def kmz_document(members: list[str]) -> str | None:
    """The KML inside a KMZ that GDAL reads: ``doc.kml`` at the root, else the first ``.kml``."""
    kmls = [m for m in members if m.lower().endswith(".kml")]
    root_doc = [m for m in kmls if m.lower() == "doc.kml"]
    return (root_doc or kmls or [None])[0]


def _extended_data(path: Path, fmt: str, member: str | None) -> KmlAttributes:
    """The file's ``ExtendedData`` read with lxml (:mod:`kumuhgis.ingest.kml`)."""
    try:
        if fmt == "kmz" or member is not None:
            with zipfile.ZipFile(path) as zf:
                inner = member or kmz_document(_zip_members(path))
                if inner is None:
                    raise unreadable_file(
                        path,
                        f"{path.name} tidak berisi berkas .kml",
                        f"{path.name} holds no .kml file",
                        "Simpan ulang KMZ dari Google Earth/QGIS",
                        "Save the KMZ again from Google Earth/QGIS",
                    )
                with zf.open(inner) as fh:
                    return read_extended_data(CappedReader(fh, path, inner))
        with open(path, "rb") as fh:
            return read_extended_data(fh)
    except etree.XMLSyntaxError as exc:
        raise unreadable_file(
            path,
            f"{path.name}: KML bukan XML yang sah, terlalu bertingkat, atau memakai entitas "
            f"XML yang mengembang ({exc})",
            f"{path.name}: the KML is not well-formed XML, is nested too deeply, or uses "
            f"expanding XML entities ({exc})",
            "Simpan ulang dari Google Earth/QGIS; bagi berkas yang sangat besar",
            "Save it again from Google Earth/QGIS; split a very large file",
        ) from exc


def _join_extended(
    part: pd.DataFrame, name: str, attrs: KmlAttributes, used: set[int]
) -> tuple[pd.DataFrame, bool]:
    """``part`` with the file's ``ExtendedData`` as text columns (replacing GDAL's reading of
    the same fields, which may have cut ``12,35`` to 12); False when no container matched."""
    if not attrs.fields:
        return part, True
    names = part["Name"].tolist() if "Name" in part.columns else None
    ids = None
    if "id" in part.columns and part["id"].notna().all():
        ids = part["id"].astype(str).tolist()
    columns = placemark_columns(attrs, name, len(part), names, ids, used)
    if columns is None:
        return part, False
    part = part.copy()
    for field_name, values in columns.items():
        target = f"{field_name}_data" if field_name in _KML_STANDARD else field_name
        part[target] = pd.Series(values, index=part.index, dtype=object)
    return part, True


def _tidy_kml(part: pd.DataFrame, name: str) -> pd.DataFrame:
    part = part.rename(columns={c: c.lower() for c in part.columns if c in ("Name", "Description")})
    drop = [c for c in _KML_DROP_ALWAYS if c in part.columns]
    drop += [c for c in _KML_DROP_IF_EMPTY if c in part.columns and part[c].isna().all()]
    part = part.drop(columns=drop)
    part.insert(0, "folder", name)
    return part


def read_kml(path: Path, layer: str | None, fmt: str, member: str | None = None) -> ReadResult:
    """A KML/KMZ file (or a ``.kml`` ``member`` of a zip): every folder flattened into one
    frame with a ``folder`` column (or the one ``layer`` chosen), GDAL's geometries joined
    with the ``ExtendedData`` read by :func:`kumuhgis.ingest.kml.read_extended_data`.
    A declared field that still could not be joined is reported as a warning.

    GDAL is given the KMZ's KML member, not the KMZ: its LIBKML driver would load the whole
    archive into memory, photos and all."""
    attrs = _extended_data(path, fmt, member)  # first: lxml refuses entity bombs and deep nesting
    if fmt == "kmz" and member is None:
        member = kmz_document(_zip_members(path))
    source = _vsizip(path, member) if member is not None else str(path)
    names = gdal_layers(source)
    if layer is not None:
        names = [choose_layer(names, layer, path, "Folder", "Folder")]
    used: set[int] = set()
    parts, unjoined = [], []
    for name in names:
        part = _read_gdal(source, layer=name)
        if len(part) == 0:
            continue
        part, joined = _join_extended(part, name, attrs, used)
        if not joined:
            unjoined.append(name)
        parts.append(_tidy_kml(part, name))
    crs = CRS.from_epsg(4326)
    if not parts:
        empty = gpd.GeoDataFrame(
            {"folder": pd.Series([], dtype=object)}, geometry=gpd.GeoSeries([]), crs=crs
        )
        return _finish_spatial(empty, fmt, layer, [])
    frame = pd.concat(parts, ignore_index=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=parts[0].crs or crs)
    problems = missing_fields(attrs.fields, frame.columns, path.name, where=unjoined)
    return _finish_spatial(frame, fmt, layer, problems)
