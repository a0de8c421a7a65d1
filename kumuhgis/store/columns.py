"""Columns between pandas and PostgreSQL, typed as a GeoPackage types them.

A frame read from the database has the dtypes that :func:`pyogrio.read_dataframe` gives
for the same table in a GeoPackage, so the code above the store sees one behaviour:

=====================  ==============================  ==================================
pandas (written)       PostgreSQL column               pandas (read back)
=====================  ==============================  ==================================
str / object           ``text``                        ``str`` (``object`` if all empty)
int64, Int64           ``bigint``                      ``int64`` (``float64`` with nulls)
int32 / int16, int8    ``integer`` / ``smallint``      ``int32`` / ``int16`` (idem)
float64 / float32      ``double precision`` / ``real``  ``float64`` / ``float32``
bool                   ``boolean``                     ``bool`` (``float64`` with nulls)
datetime64 (tz)        ``timestamp`` (``timestamptz``)  ``datetime64[ms]`` (``[ms, UTC]``)
geometry               ``geometry(<type>, <srid>)``    geometry named ``geometry``
=====================  ==============================  ==================================

Missing values (``None``, ``NaN``, ``NA``, ``NaT``) are stored as SQL ``NULL``. Floats are
written with Python's shortest round-trip representation and geometries as EWKB, so
values and coordinates come back bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["GEOMETRY", "column_type", "copy_rows", "frame_from_rows", "select_template"]

#: The name of the geometry column in every database table (``fid`` is the row number).
GEOMETRY = "geom"

_INT_TYPES = {"bigint": "int64", "integer": "int32", "smallint": "int16"}
_FLOAT_TYPES = {"double precision": "float64", "real": "float32"}
_TIMESTAMP = "timestamp without time zone"
_TIMESTAMPTZ = "timestamp with time zone"


def column_type(values: pd.Series) -> str:
    """The PostgreSQL type a column of this dtype is stored in."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        size = np.dtype(getattr(dtype, "numpy_dtype", dtype)).itemsize
        if pd.api.types.is_unsigned_integer_dtype(dtype):
            size *= 2
        return "smallint" if size <= 2 else "integer" if size == 4 else "bigint"
    if pd.api.types.is_float_dtype(dtype):
        size = np.dtype(getattr(dtype, "numpy_dtype", dtype)).itemsize
        return "real" if size == 4 else "double precision"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _TIMESTAMPTZ
    if pd.api.types.is_datetime64_dtype(dtype):
        return _TIMESTAMP
    return "text"


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v))


def _python_values(values: pd.Series, kind: str) -> list:
    """The column as plain Python values for COPY, ``None`` where missing."""
    raw = values.astype(object).tolist()
    if kind in ("text", "json", "jsonb"):
        return [None if _missing(v) else str(v) for v in raw]
    if kind == "boolean":
        return [None if _missing(v) else bool(v) for v in raw]
    if kind in _INT_TYPES:
        return [None if _missing(v) else int(v) for v in raw]
    if kind in _FLOAT_TYPES:
        return [None if _missing(v) else float(v) for v in raw]
    return [None if _missing(v) else pd.Timestamp(v).to_pydatetime() for v in raw]


def copy_rows(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str]],
    *,
    srid: int | None = None,
    first_fid: int = 1,
) -> Iterator[tuple]:
    """Rows ``(fid, value, ..., geometry)`` for ``COPY``: the attribute ``columns``
    (name, PostgreSQL type) of ``frame`` and, when ``srid`` is given, its geometry as
    hexadecimal EWKB."""
    cols = [_python_values(frame[name], kind) for name, kind in columns]
    if srid is not None:
        geoms = shapely.set_srid(np.asarray(frame.geometry.values, dtype=object), srid)
        cols.append(shapely.to_wkb(geoms, hex=True, include_srid=True).tolist())
    fids = range(first_fid, first_fid + len(frame))
    return zip(fids, *cols, strict=True)


def select_template(kind: str) -> str:
    """How a column of PostgreSQL type ``kind`` is selected (``{}`` stands for its quoted
    name) so that psycopg hands over what :func:`frame_from_rows` expects: geometry as
    WKB, JSON as its exact text."""
    if kind.startswith("geometry"):
        return "ST_AsBinary({})"
    if kind in ("json", "jsonb"):
        return "{}::text"
    return "{}"


def _series(values: list, kind: str) -> pd.Series:
    has_null = any(v is None for v in values)
    if kind in _INT_TYPES:
        if has_null:
            return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
        return pd.Series(values, dtype=_INT_TYPES[kind])
    if kind in _FLOAT_TYPES:
        return pd.Series([np.nan if v is None else v for v in values], dtype=_FLOAT_TYPES[kind])
    if kind == "boolean":
        if has_null:
            return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
        return pd.Series(values, dtype="bool")
    if kind == _TIMESTAMP:
        return pd.Series(pd.to_datetime(values), dtype="datetime64[ms]")
    if kind == _TIMESTAMPTZ:
        return pd.Series(pd.to_datetime(values, utc=True), dtype="datetime64[ms, UTC]")
    series = pd.Series(values, dtype=object)
    return series.astype("str") if series.notna().any() else series


def frame_from_rows(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence], *, srid: int | None = None
) -> pd.DataFrame:
    """A (Geo)DataFrame from selected rows: attribute ``columns`` (name, PostgreSQL type)
    in order, then the geometry's WKB when ``srid`` is given (0: a geometry without CRS)."""
    data = {name: _series([row[i] for row in rows], kind) for i, (name, kind) in enumerate(columns)}
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    if srid is None:
        return frame
    wkb = [None if row[-1] is None else bytes(row[-1]) for row in rows]
    crs = f"EPSG:{srid}" if srid else None
    geometry = gpd.GeoSeries(shapely.from_wkb(wkb), crs=crs, index=frame.index)
    return gpd.GeoDataFrame(frame, geometry=geometry)
