"""The rows a write changed, as JSON for the audit (old values ``lama``, new ``baru``).

A row is a JSON object of its columns; a geometry is written as WKT at full precision,
a missing value as ``null``. Rows are matched by the layer's key (its unique columns,
contracts.md "The store"): a row whose key is in both frames with other values appears
in both lists, a row only in the old frame in ``lama`` (removed), a row only in the new
frame in ``baru`` (added); unchanged rows appear in neither. Tables without a key are
compared row by row as a whole.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["changed_rows", "to_json"]


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
    before, after = _records(old), _records(new)
    if key and all(k in r for r in before + after for k in key):
        by_key_old = {tuple(str(r[k]) for k in key): r for r in before}
        by_key_new = {tuple(str(r[k]) for k in key): r for r in after}
        if len(by_key_old) == len(before) and len(by_key_new) == len(after):  # keys unique
            lama = [r for k, r in by_key_old.items() if _text(r) != _text(by_key_new.get(k, {}))]
            baru = [r for k, r in by_key_new.items() if _text(r) != _text(by_key_old.get(k, {}))]
            return lama, baru
    return _minus(before, after), _minus(after, before)
