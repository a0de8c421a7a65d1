"""Which stored rows a write replaces: whole layer, by key, or none (contracts.md
``kumuhgis import``: "rows replace the stored rows with the same key and leave the others").

A layer is written in one of three modes:

``replace_key`` (what ``kumuhgis import`` does by default)
    the stored rows whose key comes again in the new rows are replaced by them, every other
    stored row stays as it was. The replacing rows take the place of the first stored row
    of their key; rows with a new key follow the stored rows, in the file's order.
``replace`` (``--replace-layer``)
    the whole layer becomes the new rows; the stored keys that do not come again are the
    rows that go (:attr:`WriteChange.removed_keys`).
``append`` (``--append``)
    the new rows are added; a key already stored is refused.

The keys (:data:`REPLACE_KEYS`):

=================  ====================================================================
layer              key
=================  ====================================================================
``wilayah``        ``kode_kel``
``rt``             ``kode_rt``
``delineasi``      ``kode_kawasan`` + ``versi`` — the delineation version: an SK number
                   or a dated version of its own (issue 11). A polygon without ``versi``
                   (or a layer without the column) is keyed by ``kode_kawasan`` alone, so
                   a file without versions replaces the unversioned polygons of its kawasan
                   and leaves the versioned ones. ``tahun`` is the year a polygon was drawn,
                   not a version: a 2020 redraw of a kawasan replaces its polygon.
``sk_kumuh``       ``no_sk``: a decree's rows are replaced together (a corrected transcript
                   of the same SK), other SK versions stay (domain.md §6: versions side by
                   side)
``baseline``       ``kode_rt`` + ``tahun``: only the RT-years in the file are replaced, so a
                   2017 survey keeps 2016 (domain.md §5)
``infrastruktur``  ``kode_infra``
``kolaborasi``     ``kode_kegiatan``
=================  ====================================================================

A project table (``kolaborasi_status``, ...) has no key: it is replaced whole or appended.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.core.errors import StoreError, UsageError
from kumuhgis.core.schema import LAYERS, get_layer

__all__ = [
    "DELINEATION_VERSION",
    "KEY_SEPARATOR",
    "MODES",
    "REPLACE_KEYS",
    "WriteChange",
    "key_values",
    "merge_by_key",
    "plan_write",
]

#: The column that names a delineation version (issue 11: an SK number or a dated version).
DELINEATION_VERSION = "versi"
#: The columns whose values together say which stored rows a new row replaces.
REPLACE_KEYS: dict[str, tuple[str, ...]] = {
    "wilayah": ("kode_kel",),
    "rt": ("kode_rt",),
    "delineasi": ("kode_kawasan", DELINEATION_VERSION),
    "sk_kumuh": ("no_sk",),
    "baseline": ("kode_rt", "tahun"),
    "infrastruktur": ("kode_infra",),
    "kolaborasi": ("kode_kegiatan",),
}
MODES = ("replace", "append", "replace_key")
KEY_SEPARATOR = " | "
_SHOWN_KEYS = 1000  # removed keys kept on a WriteChange (the count is always exact)


@dataclass(frozen=True)
class WriteChange:
    """What one write does to a layer or table, counted in rows.

    ``added``: new rows whose key was not stored; ``replaced``: stored rows whose key the
    new rows bring again (replaced by key, or by a whole-layer replace); ``removed``:
    stored rows whose key is gone (only a whole-layer replace removes); ``kept``: stored
    rows left as they were. ``rows_before`` = replaced + removed + kept.
    """

    name: str
    mode: str
    key: tuple[str, ...]
    rows_before: int
    rows_after: int
    added: int
    replaced: int
    removed: int
    kept: int
    removed_keys: tuple[str, ...] = field(default=())

    def key_label(self) -> str:
        """The key as a user reads it: ``kode_rt + tahun``."""
        return " + ".join(self.key)


def key_values(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """The key of every row as text (``columns`` joined by :data:`KEY_SEPARATOR`); a key
    column the frame lacks, or an empty cell, counts as ``""``. Whole numbers read as
    floats (``2016.0``) are written ``2016``."""
    if not columns:
        return np.array([""] * len(frame), dtype=object)
    parts = []
    for name in columns:
        if name not in frame.columns:
            parts.append(np.array([""] * len(frame), dtype=object))
            continue
        values = frame[name].astype(object).tolist()
        parts.append(np.array([_key_text(v) for v in values], dtype=object))
    out = parts[0]
    for name, part in zip(columns[1:], parts[1:], strict=True):
        if _optional(name):  # an empty delineation version does not show in the key
            out = np.array([k + KEY_SEPARATOR + p if p else k for k, p in zip(out, part, strict=True)],
                           dtype=object)  # fmt: skip
        else:
            out = out + KEY_SEPARATOR + part
    return out


def _optional(name: str) -> bool:
    return name == DELINEATION_VERSION


def _key_text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _among(values: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``others`` (a hash lookup: ``np.isin`` on text is quadratic)."""
    return pd.Index(values).isin(pd.Index(others))


def merge_by_key(old: pd.DataFrame, new: pd.DataFrame, key: tuple[str, ...]) -> pd.DataFrame:
    """``old`` with the rows whose key ``new`` brings replaced by ``new``'s rows of that
    key (in the place of the first old row of the key), the rows of new keys after the
    old rows, in ``new``'s order. Neither input is changed."""
    old_keys, new_keys = key_values(old, key), key_values(new, key)
    replaced = _among(old_keys, new_keys)
    first: dict[str, int] = {}
    for position in np.flatnonzero(replaced):
        first.setdefault(old_keys[position], int(position))
    order = np.concatenate(
        [
            np.flatnonzero(~replaced).astype("int64"),
            np.array([first.get(k, len(old)) for k in new_keys], dtype="int64"),
        ]
    )
    pieces = [old[~replaced], new]
    merged = pd.concat(pieces, ignore_index=True)
    if isinstance(old, gpd.GeoDataFrame) and isinstance(new, gpd.GeoDataFrame):
        merged = gpd.GeoDataFrame(merged, geometry=old.geometry.name, crs=old.crs)
    merged = merged.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    return merged


def _check_merged_unique(merged: pd.DataFrame, name: str) -> None:
    schema = get_layer(name)
    if not schema.unique:
        return
    keys = pd.Series(key_values(merged, schema.unique))
    clash = sorted(set(keys[keys.duplicated()]))
    if clash:
        raise StoreError(
            f"Setelah mengganti per kunci, layer {name} berisi {len(clash)} "
            f"{' + '.join(schema.unique)} ganda ({', '.join(clash[:5])}); pakai --replace-layer "
            f"atau beri versi / after replacing by key, layer {name} would hold duplicate "
            f"{' + '.join(schema.unique)}; use --replace-layer or give each row its version"
        )


def plan_write(
    name: str, old: pd.DataFrame | None, new: pd.DataFrame, mode: str
) -> tuple[pd.DataFrame, WriteChange]:
    """``(rows to store, change)``: the layer or table ``name`` after writing ``new`` over
    ``old`` (``None``: not stored yet) in ``mode``, and what that changes. For ``append``
    the rows to store are ``new`` alone (the backend adds them to the stored rows).

    Raises
    ------
    UsageError
        An unknown mode, or ``replace_key`` on a project table (which has no key).
    StoreError
        ``replace_key`` would leave two rows with the same unique key.
    """
    if mode not in MODES:
        raise UsageError(f"mode harus / mode must be {'|'.join(MODES)}, not {mode!r}")
    key = REPLACE_KEYS.get(name, ())
    if mode == "replace_key" and name not in LAYERS:
        raise UsageError(
            f"Tabel '{name}' tidak punya kunci; ganti seluruhnya atau tambahkan / "
            f"table '{name}' has no key; replace it whole or append"
        )
    before = 0 if old is None else len(old)
    old_keys = key_values(old, key) if old is not None else np.array([], dtype=object)
    new_keys = key_values(new, key)
    if mode == "append" or old is None:
        after = before + len(new) if mode == "append" else len(new)
        change = WriteChange(name, mode, key, before, after, added=len(new), replaced=0,
                             removed=0, kept=before if mode == "append" else 0)  # fmt: skip
        return new, change
    again = _among(old_keys, new_keys) if key else np.zeros(before, dtype=bool)
    added = int((~_among(new_keys, old_keys)).sum()) if key else len(new)
    if mode == "replace_key":
        merged = merge_by_key(old, new, key)
        _check_merged_unique(merged, name)
        change = WriteChange(name, mode, key, before, len(merged), added=added,
                             replaced=int(again.sum()), removed=0, kept=int((~again).sum()))  # fmt: skip
        return merged, change
    gone = list(dict.fromkeys(old_keys[~again].tolist())) if key else []
    change = WriteChange(name, mode, key, before, len(new), added=added, replaced=int(again.sum()),
                         removed=int((~again).sum()), kept=0,
                         removed_keys=tuple(gone[:_SHOWN_KEYS]))  # fmt: skip
    return new, change
