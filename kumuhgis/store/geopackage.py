"""The GeoPackage backend of the project store (contracts.md "The store").

One GeoPackage file is one city project: the seven layers of :mod:`kumuhgis.core.schema`,
the project tables and the bookkeeping tables of :mod:`kumuhgis.store.interface`. The file
opens directly in QGIS.

Every write is all-or-nothing. A write works on a copy of the GeoPackage in the same
folder and replaces the original with one atomic ``os.replace`` only when every step
succeeded, so an exception half-way, a full disk or a killed process leaves the
original file byte-for-byte as it was (a stray temporary copy is removed at the next
write). Writers are serialised with a lock file beside the project, ``.<name>.lock``
(:mod:`filelock`: ``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import filelock
import geopandas as gpd
import pandas as pd
import pyogrio
import yaml

from kumuhgis.core.errors import ProjectNotFoundError, StoreError, UsageError
from kumuhgis.core.schema import LAYERS, STORAGE_CRS, empty_frame, get_layer
from kumuhgis.store.history import history_frame
from kumuhgis.store.interface import (
    AUDIT_COLUMNS,
    AUDIT_DETAIL_COLUMNS,
    AUDIT_TABLE,
    META_TABLE,
    SCHEMA_VERSION,
    Store,
    Transaction,
    as_layer,
    check_mode,
    check_table_name,
    storage_geometry_type,
)
from kumuhgis.store.keys import plan_write
from kumuhgis.store.sqlite import drop_table, history_rows, last_write, store_history

__all__ = ["GeoPackageStore", "open_store", "create_store"]

log = logging.getLogger(__name__)


class GeoPackageStore(Store):
    """A city project kept in one GeoPackage file. Use :func:`open_store` / :func:`create_store`."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def name(self) -> str:
        return self.path.stem

    # -- reading -----------------------------------------------------------------------
    def _all_tables(self) -> list[str]:
        return [str(name) for name, _ in pyogrio.list_layers(self.path)]

    def layers(self) -> list[str]:
        present = set(self._all_tables())
        return [name for name in LAYERS if name in present]

    def tables(self) -> list[str]:
        return [
            name
            for name in self._all_tables()
            if name not in LAYERS and not name.startswith("kumuhgis_")
        ]

    def read(self, layer: str) -> pd.DataFrame:
        get_layer(layer)
        if layer not in self._all_tables():
            return empty_frame(layer)
        frame = pyogrio.read_dataframe(self.path, layer=layer, fid_as_index=False)
        return as_layer(frame, layer, source=str(self.path))

    def meta(self) -> dict[str, str]:
        if META_TABLE not in self._all_tables():
            raise StoreError(
                f"{self.path} bukan proyek kumuhgis (tabel {META_TABLE} tidak ada) / "
                f"{self.path} is not a kumuhgis project (no {META_TABLE} table)"
            )
        df = pyogrio.read_dataframe(self.path, layer=META_TABLE)
        return dict(zip(df["kunci"].astype(str), df["nilai"].astype(str), strict=True))

    def settings(self) -> dict:
        text = self.meta().get("settings", "")
        return yaml.safe_load(text) or {} if text else {}

    def read_table(self, name: str) -> pd.DataFrame | None:
        check_table_name(name)
        if name not in self._all_tables():
            return None
        return pyogrio.read_dataframe(self.path, layer=name, fid_as_index=False)

    def version(self) -> str:
        """A token that changes with every write (size and modification time of the file)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise ProjectNotFoundError(
                f"Proyek tidak ditemukan / project not found: {self.path}"
            ) from None
        return f"{st.st_mtime_ns}-{st.st_size}"

    def check(self) -> None:
        """The file is there, is a kumuhgis GeoPackage and SQLite's ``quick_check`` finds
        every page of it readable; otherwise :class:`ProjectNotFoundError` or
        :class:`StoreError` with the reason (reads the whole file once)."""
        self.version()  # ProjectNotFoundError when the file is gone
        try:
            self.meta()
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as con:
                result = [str(r[0]) for r in con.execute("PRAGMA quick_check").fetchall()]
        except (OSError, pyogrio.errors.DataSourceError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"{self.path} tidak bisa dibaca / cannot be read: {exc}") from exc
        if result != ["ok"]:
            raise StoreError(f"{self.path} rusak / is damaged: {'; '.join(result[:3])}")

    def audit(self) -> pd.DataFrame:
        if AUDIT_TABLE not in self._all_tables():
            return pd.DataFrame(columns=list(AUDIT_COLUMNS))
        return pyogrio.read_dataframe(self.path, layer=AUDIT_TABLE)

    def history(self, *, data: bool = False) -> pd.DataFrame:
        self.version()  # ProjectNotFoundError when the file is gone
        return history_frame(history_rows(self.path, data=data), data=data)

    # -- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(
        self,
        *,
        command: str = "",
        create: bool = False,
        fresh: bool = False,
        user: str | None = None,
    ) -> Iterator[_Transaction]:
        """Group several writes into one all-or-nothing change of the file.

        ``create`` makes the project when it does not exist; ``fresh`` starts from an
        empty project, so that what the transaction writes replaces everything; ``user``
        is who writes (the audit's ``pengguna``).

        >>> with store.transaction(command="kumuhgis demo") as tx:   # doctest: +SKIP
        ...     tx.write("wilayah", wilayah)
        ...     tx.write("rt", rt)
        """
        with _locked(self.path):
            _remove_stale_copies(self.path)
            tmp = _temp_copy_path(self.path)
            try:
                if self.path.exists() and not fresh:
                    shutil.copyfile(self.path, tmp)
                elif not create and not self.path.exists():
                    raise StoreError(
                        f"Proyek {self.path} tidak ada; buat dulu dengan `kumuhgis import` atau "
                        f"`kumuhgis demo` / project {self.path} does not exist"
                    )
                tx = _Transaction(tmp, command=command, user=user)
                yield tx
                tx.finish()
                _fsync(tmp)
                os.replace(tmp, self.path)
                _fsync_dir(self.path.parent)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                raise


class _Transaction(Transaction):
    """Writes into the temporary copy; only :meth:`GeoPackageStore.transaction` commits it."""

    def __init__(self, path: Path, *, command: str, user: str | None = None):
        super().__init__(command=command, user=user)
        self.path = path

    def _tables(self) -> list[str]:
        return [n for n, _ in pyogrio.list_layers(self.path)] if self.path.exists() else []

    def current(self, name: str, kind: str = "layer") -> pd.DataFrame | None:
        """A layer (in storage form) or a project table (``kind="tabel"``) as this
        transaction sees it; ``None`` when absent."""
        if name not in self._tables():
            return None
        frame = pyogrio.read_dataframe(self.path, layer=name, fid_as_index=False)
        return as_layer(frame, name, source=str(self.path)) if kind == "layer" else frame

    def meta(self) -> dict[str, str]:
        """The meta table as this transaction sees it (before its own updates)."""
        if META_TABLE not in self._tables():
            return {}
        df = pyogrio.read_dataframe(self.path, layer=META_TABLE)
        return dict(zip(df["kunci"].astype(str), df["nilai"].astype(str), strict=True))

    def stored_history(self, *, data: bool = True) -> pd.DataFrame:
        """The history as this transaction sees it."""
        rows = history_rows(self.path, data=data, read_only=False) if self.path.exists() else []
        return history_frame(rows, data=data)

    def put_layer(
        self, layer: str, data: pd.DataFrame, *, old: pd.DataFrame | None, append: bool
    ) -> None:
        """Store a layer's rows as :meth:`Transaction.write` planned them (``append``: add
        ``data`` to ``old``; else ``data`` is the whole layer)."""
        schema = get_layer(layer)
        gdal_append = False
        if append and old is not None:
            fields = set(pyogrio.read_info(self.path, layer=layer)["fields"])
            attrs = [c for c in data.columns if c != getattr(data, "_geometry_column_name", None)]
            if set(attrs) <= fields:
                gdal_append = True  # same columns: let GDAL add the rows
            else:
                # new extra columns: rewrite the layer so that they are kept too
                data = pd.concat([old, data], ignore_index=True)
                if schema.spatial:
                    data = gpd.GeoDataFrame(data, geometry=old.geometry.name, crs=STORAGE_CRS)
        kwargs = {"layer": layer, "driver": "GPKG", "append": gdal_append}
        if schema.spatial:
            kwargs["geometry_type"] = storage_geometry_type(schema)
            kwargs["promote_to_multi"] = schema.geometry == ("Polygon",)
            if not gdal_append:
                kwargs["layer_options"] = {"SPATIAL_INDEX": "YES"}
        pyogrio.write_dataframe(data, self.path, **kwargs)

    def write_table(self, name: str, frame: pd.DataFrame, *, mode: str = "replace") -> int:
        """Write a project table other than the seven layers (see :meth:`Store.write_table`)."""
        check_table_name(name)
        check_mode(mode, layer=False)
        data = frame.drop(columns=[c for c in frame.columns if str(c).startswith("_")])
        old = self.current(name, "tabel")
        self.remember(name, "tabel", old)
        rows, change = plan_write(name, old, data, mode)
        if mode == "append" and old is not None:
            data = pd.concat([old, data], ignore_index=True)
            if isinstance(old, gpd.GeoDataFrame):
                data = gpd.GeoDataFrame(data, geometry=old.geometry.name, crs=old.crs)
        if isinstance(data, gpd.GeoDataFrame) and data.crs is None:
            raise StoreError(f"Tabel '{name}' tanpa CRS / table without CRS")
        pyogrio.write_dataframe(data, self.path, layer=name, driver="GPKG")
        self.log_write(change, old=old, new=rows, rows_stored=len(frame))
        return len(frame)

    def drop_stored(self, name: str) -> None:
        """Remove the stored table ``name`` (only through :meth:`Transaction.drop`)."""
        drop_table(self.path, name)

    def finish(self) -> None:
        """Write the meta updates, audit rows and history rows, then check the copy is a
        sound GeoPackage."""
        tables = self._tables()
        current = self.meta() if META_TABLE in tables else None
        history, replace_history = self.history_to_write(
            last=last_write(self.path), after=self.current, meta_before=current
        )
        meta = self.meta_to_write(current)
        if meta is not None:
            df = pd.DataFrame({"kunci": list(meta), "nilai": list(meta.values())})
            pyogrio.write_dataframe(df, self.path, layer=META_TABLE, driver="GPKG")
        rows, replace = self.audit_to_write(AUDIT_COLUMNS + AUDIT_DETAIL_COLUMNS)
        if rows is not None:
            self._write_audit(rows, append=AUDIT_TABLE in tables and not replace)
        if history or replace_history:
            keep = self.history_keep(meta if meta is not None else current)
            store_history(self.path, history, replace=replace_history, keep=keep)
        with contextlib.closing(sqlite3.connect(self.path)) as con:
            (ok,) = con.execute("PRAGMA quick_check").fetchone()
        if ok != "ok":  # pragma: no cover - GDAL wrote a broken file
            raise StoreError(f"GeoPackage check failed after write: {ok}")

    def _write_audit(self, rows: pd.DataFrame, *, append: bool) -> None:
        """Add the audit rows; an audit table from before the old and new values were
        kept gets their columns (rewritten once)."""
        if append:
            fields = set(pyogrio.read_info(self.path, layer=AUDIT_TABLE)["fields"])
            if not set(rows.columns) <= fields:
                stored = pyogrio.read_dataframe(self.path, layer=AUDIT_TABLE)
                rows, append = pd.concat([stored, rows], ignore_index=True), False
        pyogrio.write_dataframe(rows, self.path, layer=AUDIT_TABLE, driver="GPKG", append=append)


def _temp_copy_path(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(name)  # GDAL / copyfile create it; we only want a unique name in the same folder
    return Path(name)


def _remove_stale_copies(path: Path) -> None:
    """Remove temporary copies left by a killed writer (we hold the lock, so none is live)."""
    for stale in path.parent.glob(f".{path.name}.tmp-*"):
        log.info("removing stale temporary copy %s", stale)
        with contextlib.suppress(OSError):
            stale.unlink()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the project's writer lock (blocking): one writer at a time, across processes and
    threads, on every platform. The lock file stays; a killed holder's lock is released by
    the operating system."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path.with_name(f".{path.name}.lock"))
    with lock:
        yield


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; Windows cannot open a folder, and NTFS
    journals the rename itself)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_store(path: str | os.PathLike) -> GeoPackageStore:
    """Open an existing city project. Raises :class:`StoreError` if it is missing or not ours."""
    p = Path(path)
    if not p.exists():
        raise ProjectNotFoundError(f"Proyek tidak ditemukan: {p} / project not found: {p}")
    store = GeoPackageStore(p)
    try:
        version = int(store.meta().get("schema_version", "0"))
    except (pyogrio.errors.DataSourceError, sqlite3.DatabaseError) as exc:
        raise StoreError(
            f"{p} bukan GeoPackage yang bisa dibaca / is not a readable GeoPackage: {exc}"
        ) from exc
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{p} dibuat oleh kumuhgis yang lebih baru (skema {version}) / made by a newer kumuhgis "
            f"(schema {version} > {SCHEMA_VERSION}); update kumuhgis"
        )
    return store


def create_store(
    path: str | os.PathLike,
    *,
    kota: str = "",
    settings: dict | None = None,
    layers: dict[str, pd.DataFrame] | None = None,
    overwrite: bool = False,
    command: str = "create",
) -> GeoPackageStore:
    """Create a city project (meta table, schema version, settings, first audit row).

    ``layers`` (name → frame, already valid) are written in the same all-or-nothing step.
    """
    p = Path(path)
    if p.suffix.lower() != ".gpkg":
        raise UsageError(f"Proyek harus berkas .gpkg / the project must be a .gpkg file: {p}")
    if p.exists() and not overwrite:
        raise UsageError(f"Proyek sudah ada / project already exists: {p}")
    store = GeoPackageStore(p)
    with store.transaction(command=command, create=True, fresh=True) as tx:
        tx.initialise(kota=kota, settings=settings)
        for name, frame in (layers or {}).items():
            tx.write(name, frame, source="demo" if command.endswith("demo") else "")
    return store
