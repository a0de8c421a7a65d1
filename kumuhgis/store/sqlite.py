"""What the GeoPackage backend does in SQLite itself, where GDAL offers no way: remove a
table with its GeoPackage registrations, and keep the history table (``kumuhgis_riwayat``,
:mod:`kumuhgis.store.history`), whose ``data`` column holds BLOBs that GDAL would write as
text. The history table is registered in ``gpkg_contents`` as an attribute table, so the
file stays a valid GeoPackage and QGIS lists it beside ``kumuhgis_audit``.

Every function works on the transaction's temporary copy (:mod:`kumuhgis.store.geopackage`)
or reads a project read-only; none opens the project file for writing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from kumuhgis.store.history import HISTORY_COLUMNS, HISTORY_TABLE, prune_through

__all__ = ["drop_table", "history_rows", "last_write", "store_history"]

_TYPES = {"int": "INTEGER", "text": "TEXT", "blob": "BLOB"}
_REGISTRIES = (
    "gpkg_contents",
    "gpkg_geometry_columns",
    "gpkg_extensions",
    "gpkg_ogr_contents",
    "gpkg_data_columns",
    "gpkg_metadata_reference",
)
#: VACUUM the copy when more than this share of its pages is free (pruned history).
_FREE_SHARE = 0.25


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def drop_table(path: Path, name: str) -> None:
    """Remove table ``name`` from the GeoPackage: the table, its spatial index and every
    row the GeoPackage keeps about it."""
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        present = _tables(con)
        if "gpkg_geometry_columns" in present:
            for (column,) in con.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                [name],
            ).fetchall():
                con.execute(f"DROP TABLE IF EXISTS {_quoted(f'rtree_{name}_{column}')}")
        con.execute(f"DROP TABLE IF EXISTS {_quoted(name)}")
        for registry in _REGISTRIES:
            if registry in present:
                con.execute(f"DELETE FROM {registry} WHERE lower(table_name) = lower(?)", [name])


def _read_uri(path: Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def history_rows(path: Path, *, data: bool = False, read_only: bool = True) -> list[tuple]:
    """The history table's rows in :data:`HISTORY_COLUMNS` order, oldest first
    (``langkah`` and ``data`` as ``None`` unless ``data``)."""
    names = [
        n if data or n not in ("langkah", "data") else f"NULL AS {n}" for n, _ in HISTORY_COLUMNS
    ]
    connect = (lambda: sqlite3.connect(_read_uri(path), uri=True)) if read_only else (
        lambda: sqlite3.connect(path))  # fmt: skip
    with contextlib.closing(connect()) as con:
        if HISTORY_TABLE not in _tables(con):
            return []
        query = f"SELECT {', '.join(names)} FROM {HISTORY_TABLE} ORDER BY fid"
        return con.execute(query).fetchall()


def last_write(path: Path) -> int:
    """The number of the last write in the history (0 when there is none)."""
    if not Path(path).exists():
        return 0
    with contextlib.closing(sqlite3.connect(path)) as con:
        if HISTORY_TABLE not in _tables(con):
            return 0
        (last,) = con.execute(f"SELECT coalesce(max(nomor), 0) FROM {HISTORY_TABLE}").fetchone()
        return int(last)


def _create(con: sqlite3.Connection) -> None:
    columns = ", ".join(f"{n} {_TYPES[k]}" for n, k in HISTORY_COLUMNS)
    con.execute(f"CREATE TABLE {HISTORY_TABLE} (fid INTEGER PRIMARY KEY AUTOINCREMENT, {columns})")
    if "gpkg_contents" in _tables(con):
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
            "VALUES (?, 'attributes', ?, ?)",
            [HISTORY_TABLE, HISTORY_TABLE, "kumuhgis: keadaan sebelum tiap penulisan / "
             "the state before each write"],
        )  # fmt: skip


def store_history(path: Path, rows: list[dict], *, replace: bool, keep: int) -> None:
    """Add this write's history ``rows`` (or make the history exactly ``rows`` when
    ``replace``), then drop the previous states of all but the last ``keep`` writes."""
    names = [n for n, _ in HISTORY_COLUMNS]
    with contextlib.closing(sqlite3.connect(path)) as con:
        with con:
            if HISTORY_TABLE not in _tables(con):
                _create(con)
            elif replace:
                con.execute(f"DELETE FROM {HISTORY_TABLE}")
            con.executemany(
                f"INSERT INTO {HISTORY_TABLE} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' * len(names))})",
                [[_plain(row.get(n)) for n in names] for row in rows],
            )
            numbers = [r[0] for r in con.execute(f"SELECT DISTINCT nomor FROM {HISTORY_TABLE}")]
            through = prune_through(numbers, keep)
            con.execute(
                f"UPDATE {HISTORY_TABLE} SET langkah = NULL, data = NULL, ukuran = 0, "
                "tersimpan = 0 WHERE nomor <= ? AND tersimpan = 1",
                [through],
            )
        (free,) = con.execute("PRAGMA freelist_count").fetchone()
        (pages,) = con.execute("PRAGMA page_count").fetchone()
        if pages and free / pages > _FREE_SHARE:
            con.execute("VACUUM")


def _plain(value):
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value
