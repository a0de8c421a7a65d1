"""Writing plain output files, all-or-nothing.

:func:`write_frame` writes a frame to ``.csv``, ``.xlsx``, ``.geojson``, ``.gpkg``,
``.fgb`` (FlatGeobuf), ``.parquet`` (GeoParquet), ``.shp`` or ``.zip`` (zipped Shapefile),
chosen by the extension. :func:`atomic_path`
gives a temporary path beside the target and moves it into place only when the writer
succeeded, so a failed write never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from kumuhgis.core.errors import CRSError, usage_error
from kumuhgis.geo.gdal import gdal_warnings_to_log

__all__ = ["WRITE_FORMATS", "atomic_path", "write_frame"]

log = logging.getLogger(__name__)

_EXCEL_CELL_LIMIT = 32767  # characters in one Excel cell

#: extensions :func:`write_frame` understands
WRITE_FORMATS: tuple[str, ...] = (
    ".csv",
    ".xlsx",
    ".geojson",
    ".gpkg",
    ".fgb",
    ".parquet",
    ".shp",
    ".zip",
)


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the reader's ``_row`` bookkeeping column."""
    return frame.drop(columns=["_row"]) if "_row" in frame.columns else frame


def _geometry_name(frame: pd.DataFrame) -> str | None:
    if isinstance(frame, gpd.GeoDataFrame) and frame.active_geometry_name in frame.columns:
        return frame.geometry.name
    return None


def _wkt_table(frame: pd.DataFrame, *, precision: int) -> pd.DataFrame:
    """Attributes plus the geometry as a WKT text column (in EPSG:4326 when the CRS is known)."""
    gname = _geometry_name(frame)
    if gname is None:
        return pd.DataFrame(frame)
    geo = frame
    if geo.crs is not None and not geo.crs.equals(CRS.from_epsg(4326)):
        geo = geo.to_crs(4326)
    digits = precision if geo.crs is not None else -1
    texts = shapely.to_wkt(np.asarray(geo.geometry.values, dtype=object), rounding_precision=digits)
    out = pd.DataFrame(geo.drop(columns=[gname]))
    col = "wkt" if "wkt" not in out.columns else "geometry_wkt"
    out[col] = pd.Series(list(texts), index=out.index, dtype=object)
    return out


def _require_crs(frame: pd.DataFrame, path: Path) -> None:
    if _geometry_name(frame) is not None and frame.crs is None:
        raise CRSError(
            f"Data tidak punya sistem koordinat (CRS); tidak dapat menulis {path.name} / "
            f"The data has no coordinate reference system (CRS); cannot write {path.name}"
        )


def _excel_cell_value(v: object) -> object:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.isoformat(sep=" ")
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("", v)
    if isinstance(v, int | float | bool | dt.date | dt.time | dt.timedelta):
        return v
    return str(v)


def _sheet_title(name: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "data"
    return title[:31]


def _write_xlsx(frame: pd.DataFrame, tmp: Path, sheet: str) -> None:
    import openpyxl

    table = _wkt_table(frame, precision=7)
    for col in ("wkt", "geometry_wkt"):
        if col in table.columns and _geometry_name(frame) is not None:
            lengths = table[col].map(lambda s: len(s) if isinstance(s, str) else 0)
            too_long = lengths > _EXCEL_CELL_LIMIT
            if too_long.any():
                rows = ", ".join(str(i + 2) for i in np.flatnonzero(too_long.to_numpy())[:20])
                raise usage_error(
                    f"Geometri terlalu rinci untuk satu sel Excel (maks. {_EXCEL_CELL_LIMIT} "
                    f"karakter) di baris {rows}; simpan sebagai .gpkg atau .geojson",
                    f"Geometry too detailed for one Excel cell (max {_EXCEL_CELL_LIMIT} "
                    f"characters) on rows {rows}; save as .gpkg or .geojson",
                )
            break
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _sheet_title(sheet)
    ws.append([str(c) for c in table.columns])
    for r, values in enumerate(table.itertuples(index=False, name=None), start=2):
        for c, v in enumerate(values, start=1):
            value = _excel_cell_value(v)
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    wb.save(tmp)


def _shp_field_names(columns: list[str]) -> dict[str, str]:
    """DBF field names are at most 10 characters; truncate and keep them unique."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for c in columns:
        name = str(c)
        if len(name.encode("utf-8")) <= 10 and name.casefold() not in used:
            new = name
        else:
            base = name.encode("utf-8")[:10].decode("utf-8", errors="ignore")
            new, k = base, 1
            while new.casefold() in used:
                suffix = f"_{k}"
                new = base[: 10 - len(suffix)] + suffix
                k += 1
            log.warning("Shapefile field name %r shortened to %r", name, new)
        used.add(new.casefold())
        mapping[name] = new
    return mapping


def _write_shapefile(frame: pd.DataFrame, directory: Path, stem: str) -> list[Path]:
    gname = _geometry_name(frame)
    if gname is None:
        raise usage_error(
            "Data tanpa geometri tidak dapat disimpan sebagai Shapefile; gunakan .csv atau .xlsx",
            "Data without geometry cannot be saved as a Shapefile; use .csv or .xlsx",
        )
    kinds = {
        t.replace("Multi", "") for t in frame.geometry.geom_type.dropna().unique() if t is not None
    }
    if len(kinds) > 1 or "GeometryCollection" in kinds:
        raise usage_error(
            f"Shapefile hanya menampung satu jenis geometri, data ini berisi {sorted(kinds)}; "
            f"gunakan .gpkg atau .geojson",
            f"A Shapefile holds one geometry type, this data has {sorted(kinds)}; "
            f"use .gpkg or .geojson",
        )
    attrs = [c for c in frame.columns if c != gname]
    renamed = frame.rename(columns=_shp_field_names(attrs))
    target = directory / f"{stem}.shp"
    with gdal_warnings_to_log():
        pyogrio.write_dataframe(
            renamed, target, driver="ESRI Shapefile", encoding="UTF-8", promote_to_multi=None
        )
    cpg = directory / f"{stem}.cpg"
    if not cpg.exists():
        cpg.write_text("UTF-8", encoding="ascii")
    return [p for p in sorted(directory.iterdir()) if p.stem == stem]


def _write_cloud_native(frame: pd.DataFrame, out: Path, layer: str) -> None:
    """FlatGeobuf (``.fgb``) or GeoParquet (``.parquet``; plain Parquet without geometry).

    FlatGeobuf gets its packed R-tree only when every row has a geometry (the format cannot
    index a null one); GeoParquet keeps the CRS (PROJJSON) and the column types.
    """
    gname = _geometry_name(frame)
    if out.suffix == ".parquet":
        frame.to_parquet(out, index=False)
        return
    complete = gname is not None and not (frame.geometry.isna() | frame.geometry.is_empty).any()
    with gdal_warnings_to_log():
        pyogrio.write_dataframe(
            frame,
            out,
            driver="FlatGeobuf",
            layer=layer,
            layer_options={"SPATIAL_INDEX": "YES" if complete else "NO"},
        )


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    A writer that fails (or a process that dies) leaves the previous file as it was and no
    half-written output. The temporary name keeps the real suffix so writers that choose a
    format by extension still work; the file gets the usual permissions (umask).
    """
    import secrets

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}-{secrets.token_hex(4)}.part{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_frame(frame: pd.DataFrame, path: str | os.PathLike, *, layer: str | None = None) -> Path:
    """Write a frame to a plain output file chosen by the extension.

    ``.csv``: UTF-8 with BOM (Excel opens it with the right letters), geometry as a ``wkt``
    column in EPSG:4326. ``.xlsx``: one plain sheet (named ``layer`` or after the file),
    geometry as WKT in EPSG:4326 (7 decimals, ≈1 cm). ``.geojson``: RFC 7946, EPSG:4326.
    ``.gpkg``: layer ``layer`` (default: the file name), added to or replacing that layer
    in an existing GeoPackage, CRS kept. ``.fgb``: FlatGeobuf, CRS kept. ``.parquet``:
    GeoParquet (plain Parquet for a table without geometry), CRS and types kept. ``.shp``: a Shapefile set (.shp .shx .dbf .prj
    .cpg=UTF-8); ``.zip``: the same set zipped. Field names longer than 10 characters are
    shortened for Shapefiles. The reader's ``_row`` column is not written.

    The file appears only when complete (written to a temporary file, then moved).

    Raises
    ------
    UsageError
        Unknown extension; no geometry or mixed geometry types for a Shapefile; a geometry
        too long for an Excel cell.
    CRSError
        Geometry without a CRS for ``.geojson``, ``.gpkg``, ``.shp`` or ``.zip``.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in WRITE_FORMATS:
        raise usage_error(
            f"Format keluaran '{ext or path.name}' tidak dikenal; gunakan "
            f"{', '.join(WRITE_FORMATS)}",
            f"Unknown output format '{ext or path.name}'; use {', '.join(WRITE_FORMATS)}",
        )
    frame = _plain_columns(frame)
    if isinstance(frame, gpd.GeoDataFrame) and _geometry_name(frame) is None:
        frame = pd.DataFrame(frame)
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.name[: -len(path.suffix)]
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".kumuhgis-") as tmpdir:
        tmp = Path(tmpdir)
        if ext == ".csv":
            out = tmp / path.name
            _wkt_table(frame, precision=-1).to_csv(
                out, index=False, encoding="utf-8-sig", lineterminator="\r\n"
            )
            os.replace(out, path)
        elif ext == ".xlsx":
            out = tmp / path.name
            _write_xlsx(frame, out, layer or stem)
            os.replace(out, path)
        elif ext == ".geojson":
            _require_crs(frame, path)
            data = frame
            if _geometry_name(frame) is not None and not frame.crs.equals(CRS.from_epsg(4326)):
                data = frame.to_crs(4326)
            out = tmp / path.name
            with gdal_warnings_to_log():
                pyogrio.write_dataframe(
                    data,
                    out,
                    driver="GeoJSON",
                    layer=layer or stem,
                    layer_options={"RFC7946": "YES"},
                )
            os.replace(out, path)
        elif ext == ".gpkg":
            _require_crs(frame, path)
            out = tmp / path.name
            if path.exists():
                shutil.copy2(path, out)
            with gdal_warnings_to_log():
                pyogrio.write_dataframe(frame, out, driver="GPKG", layer=layer or stem)
            os.replace(out, path)
        elif ext in (".fgb", ".parquet"):
            _require_crs(frame, path)
            out = tmp / path.name
            _write_cloud_native(frame, out, layer or stem)
            os.replace(out, path)
        else:  # .shp or .zip
            _require_crs(frame, path)
            shp_stem = layer or stem
            parts = _write_shapefile(frame, tmp, shp_stem)
            if ext == ".shp":
                for p in parts:
                    os.replace(p, path.parent / f"{stem}{p.suffix}")
            else:
                out = tmp / (path.name + ".part")
                with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                    for p in parts:
                        zf.write(p, p.name)
                os.replace(out, path)
    return path
