"""The rows a write changed, as JSON for the audit (old values ``lama``, new ``baru``).

A row is a JSON object of its columns; a geometry is written as WKT at full precision,
a missing value as ``null``. Rows are matched by the layer's key (its unique columns,
contracts.md "The store"): a row whose key is in both frames with other values appears
in both lists, a row only in the old frame in ``lama`` (removed), a row only in the new
frame in ``baru`` (added); unchanged rows appear in neither. Tables without a key are
compared row by row as a whole.

:func:`row_hashes` is the exact identity of a row used here and by the history
(:mod:`kumuhgis.store.history`): a 64-bit hash of every value in column order, geometry as
WKB and floats bit for bit; rows of two frames with the same :func:`frame_signature`
(columns, dtypes, CRS) and the same hash are the same row, so only the others are written
out as JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pandas.util import hash_array, hash_pandas_object

__all__ = ["changed_rows", "frame_signature", "row_hashes", "to_json"]

_HASH_STEP = np.uint64(0x100000001B3)


def _column_hash(values: pd.Series) -> np.ndarray:
    if isinstance(values.dtype, gpd.array.GeometryDtype):
        wkb = shapely.to_wkb(np.asarray(values.values, dtype=object))
        return hash_array(np.asarray(wkb, dtype=object))
    if values.dtype.kind == "f" and isinstance(values.dtype, np.dtype):  # bit for bit: -0.0 ≠ 0.0
        bits = np.ascontiguousarray(values.to_numpy()).view(f"u{values.dtype.itemsize}")
        return hash_array(bits.astype("uint64"))
    return hash_pandas_object(values, index=False).to_numpy()


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of all its values in column order."""
    out = np.full(len(frame), 0xCBF29CE484222325, dtype="uint64")
    with np.errstate(over="ignore"):
        for i in range(frame.shape[1]):
            out = (out ^ _column_hash(frame.iloc[:, i])) * _HASH_STEP
    return out


def frame_signature(frame: pd.DataFrame) -> str:
    """Columns, dtypes, index kind, geometry column and CRS of a frame, as text."""
    geo = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    crs = frame.crs.to_string() if geo is not None and frame.crs is not None else None
    return json.dumps(
        {
            "columns": [str(c) for c in frame.columns],
            "dtypes": [str(t) for t in frame.dtypes],
            "geometry": geo,
            "crs": crs,
            "index": type(frame.index).__name__,
        }
    )


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None or frame.empty:
        return []
    data = pd.DataFrame(frame)
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    if geom is not None:
        wkt = shapely.to_wkt(np.asarray(frame.geometry.values, dtype=object), rounding_precision=-1)
        data = data.assign(**{geom: wkt})
    columns = [str(c) for c in data.columns]
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in data.astype(object).itertuples(index=False, name=None)
    ]


def to_json(value) -> str | None:
    """JSON text of a value (``None`` stays ``None``); what a JSON encoder cannot take
    is written as its text."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str)


def _text(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)


def _minus(rows: list[dict], other: list[dict]) -> list[dict]:
    """The rows of ``rows`` not in ``other`` (as a multiset)."""
    left = Counter(_text(r) for r in other)
    out = []
    for r in rows:
        t = _text(r)
        if left[t]:
            left[t] -= 1
        else:
            out.append(r)
    return out


def changed_rows(
    old: pd.DataFrame | None, new: pd.DataFrame | None, key: Sequence[str] = ()
) -> tuple[list[dict], list[dict]]:
    """``(lama, baru)``: the old and the new values of the rows that differ between
    ``old`` and ``new``, matched by ``key`` (all columns when empty)."""
    if key and _comparable(old, new):  # rows equal in every value are not changed: leave
        old, new = _without_equal_rows(old, new)  # them out before writing JSON
    before, after = _records(old), _records(new)
    if key and all(k in r for r in before + after for k in key):
        by_key_old = {tuple(str(r[k]) for k in key): r for r in before}
        by_key_new = {tuple(str(r[k]) for k in key): r for r in after}
        if len(by_key_old) == len(before) and len(by_key_new) == len(after):  # keys unique
            lama = [r for k, r in by_key_old.items() if _text(r) != _text(by_key_new.get(k, {}))]
            baru = [r for k, r in by_key_new.items() if _text(r) != _text(by_key_old.get(k, {}))]
            return lama, baru
    return _minus(before, after), _minus(after, before)


def _comparable(old: pd.DataFrame | None, new: pd.DataFrame | None) -> bool:
    return old is not None and new is not None and frame_signature(old) == frame_signature(new)


def _without_equal_rows(old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames without the rows that are in both (rows with a unique key are unique,
    so sets do)."""
    old_h, new_h = row_hashes(old), row_hashes(new)
    both = pd.Index(old_h).intersection(pd.Index(new_h))
    return old[~pd.Index(old_h).isin(both)], new[~pd.Index(new_h).isin(both)]
