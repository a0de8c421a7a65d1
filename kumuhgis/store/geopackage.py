"""The city project store (contracts.md "The store").

One GeoPackage file is one city project: the seven layers of :mod:`kumuhgis.core.schema`
plus three bookkeeping tables: ``kumuhgis_meta`` (schema version, city, settings),
``kumuhgis_audit`` (one row per write: when, command, layer, rows in / stored /
rejected, user) and nothing else. The file opens directly in QGIS.

Every write is all-or-nothing. A write works on a copy of the GeoPackage in the same
folder and replaces the original with one atomic ``os.replace`` only when every step
succeeded, so an exception half-way, a full disk or a killed process leaves the
original file byte-for-byte as it was (a stray temporary copy is removed at the next
write). Writers are serialised with an advisory lock file.

The analysis code only uses the :class:`Store` interface (``read``, ``write``,
``settings`` ...), so a PostGIS backend with the same layer names can implement it
later without touching the analysis modules.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import getpass
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import yaml

from kumuhgis import __version__
from kumuhgis.core.errors import ProjectNotFoundError, StoreError, UsageError
from kumuhgis.core.schema import (
    LAYERS,
    STORAGE_CRS,
    LayerSchema,
    empty_frame,
    get_layer,
    storage_dtype,
    unique_key,
)

__all__ = [
    "SCHEMA_VERSION",
    "Store",
    "GeoPackageStore",
    "open_store",
    "create_store",
    "coerce_to_schema",
    "empty_frame",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
META_TABLE = "kumuhgis_meta"
AUDIT_TABLE = "kumuhgis_audit"
_AUDIT_COLUMNS = (
    "waktu",
    "perintah",
    "layer",
    "operasi",
    "sumber",
    "baris_masuk",
    "baris_disimpan",
    "baris_ditolak",
    "pengguna",
)


def current_user() -> str:
    for var in ("KUMUHGIS_USER", "USER", "LOGNAME", "USERNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database
        return "unknown"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _geometry_type(schema: LayerSchema) -> str:
    if schema.geometry == ("Polygon",):
        return "MultiPolygon"
    if len(schema.geometry) == 1:
        return schema.geometry[0]
    return "Unknown"


def _as_text(values: pd.Series) -> pd.Series:
    """Text column; integral floats that came from a numeric field keep no '.0'."""
    out = []
    for v in values.tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return pd.Series(out, index=values.index, dtype="str")


def coerce_to_schema(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Return a copy of ``frame`` with the schema's columns in their storage types.

    Schema columns come first in schema order (optional ones only when present), extra
    columns follow, geometry last. Values must already be clean (see
    :mod:`kumuhgis.ingest.validation`); this only fixes dtypes.
    """
    schema = get_layer(layer)
    out = frame.copy()
    for col in schema.columns:
        if col.name not in out.columns:
            if col.required:
                out[col.name] = pd.Series(
                    [None] * len(out), index=out.index, dtype=storage_dtype(col.type)
                )
            continue
        if col.type == "int":
            out[col.name] = pd.to_numeric(out[col.name]).astype("Int64")
        elif col.type in ("float", "rupiah"):
            out[col.name] = pd.to_numeric(out[col.name]).astype("float64")
        else:
            out[col.name] = _as_text(out[col.name])
    names = [c.name for c in schema.columns if c.name in out.columns]
    geom = [out.geometry.name] if isinstance(out, gpd.GeoDataFrame) else []
    extras = [c for c in out.columns if c not in names and c not in geom and not c.startswith("_")]
    out = out[names + extras + geom]
    if schema.spatial and not isinstance(out, gpd.GeoDataFrame):
        raise StoreError(f"Layer '{layer}' perlu geometri / layer '{layer}' needs geometry")
    return out


class Store(ABC):
    """What the analysis code may ask of a project store (GeoPackage now, PostGIS later)."""

    @abstractmethod
    def layers(self) -> list[str]:
        """Names of the schema layers present in the store."""

    def has_layer(self, layer: str) -> bool:
        return layer in self.layers()

    @abstractmethod
    def read(self, layer: str) -> pd.DataFrame:
        """The layer as a (Geo)DataFrame in storage types; empty with the schema columns if absent."""

    @abstractmethod
    def write(
        self,
        layer: str,
        frame: pd.DataFrame,
        *,
        mode: str = "replace",
        command: str = "",
        source: str = "",
        rows_in: int | None = None,
        rows_rejected: int = 0,
    ) -> int:
        """Replace or append a layer, all or nothing; returns rows stored."""

    @abstractmethod
    def read_table(self, name: str) -> pd.DataFrame | None:
        """A project table outside the seven layers (e.g. ``kolaborasi_status`` overrides,
        ``memorandum_program``); ``None`` when absent. Names start with a letter, lower case."""

    @abstractmethod
    def write_table(
        self, name: str, frame: pd.DataFrame, *, mode: str = "replace", command: str = ""
    ) -> int:
        """Replace or append a project table (attributes, or a GeoDataFrame), all or nothing, audited."""

    @abstractmethod
    def settings(self) -> dict:
        """Project settings (configurable rules of domain.md, targets, ...)."""

    @abstractmethod
    def save_settings(self, settings: dict, *, command: str = "") -> None:
        """Replace the project settings, all or nothing, audited."""

    @abstractmethod
    def meta(self) -> dict[str, str]:
        """Bookkeeping: schema version, city, creation time, kumuhgis version."""

    def version(self) -> str:
        """A token that changes whenever the project changes ("" when unknown)."""
        return ""

    @abstractmethod
    def audit(self) -> pd.DataFrame:
        """Every write so far, oldest first."""


class GeoPackageStore(Store):
    """A city project kept in one GeoPackage file. Use :func:`open_store` / :func:`create_store`."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    # -- reading -----------------------------------------------------------------------
    def _all_tables(self) -> list[str]:
        return [str(name) for name, _ in pyogrio.list_layers(self.path)]

    def layers(self) -> list[str]:
        present = set(self._all_tables())
        return [name for name in LAYERS if name in present]

    def read(self, layer: str) -> pd.DataFrame:
        schema = get_layer(layer)
        if layer not in self._all_tables():
            return empty_frame(layer)
        frame = pyogrio.read_dataframe(self.path, layer=layer, fid_as_index=False)
        if schema.spatial:
            if not isinstance(frame, gpd.GeoDataFrame):  # pragma: no cover - defensive
                raise StoreError(
                    f"Layer '{layer}' tanpa geometri / without geometry in {self.path}"
                )
            if frame.crs is None:
                frame = frame.set_crs(STORAGE_CRS)
        elif isinstance(frame, gpd.GeoDataFrame):  # pragma: no cover - defensive
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        return coerce_to_schema(frame, layer)

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
        _check_table_name(name)
        if name not in self._all_tables():
            return None
        return pyogrio.read_dataframe(self.path, layer=name, fid_as_index=False)

    def write_table(
        self, name: str, frame: pd.DataFrame, *, mode: str = "replace", command: str = ""
    ) -> int:
        with self.transaction(command=command) as tx:
            return tx.write_table(name, frame, mode=mode)

    def version(self) -> str:
        """A token that changes with every write (size and modification time of the file)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise ProjectNotFoundError(
                f"Proyek tidak ditemukan / project not found: {self.path}"
            ) from None
        return f"{st.st_mtime_ns}-{st.st_size}"

    def audit(self) -> pd.DataFrame:
        if AUDIT_TABLE not in self._all_tables():
            return pd.DataFrame(columns=list(_AUDIT_COLUMNS))
        return pyogrio.read_dataframe(self.path, layer=AUDIT_TABLE)

    # -- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, command: str = "", create: bool = False) -> Iterator[_Transaction]:
        """Group several writes into one all-or-nothing change of the file.

        >>> with store.transaction(command="kumuhgis demo") as tx:   # doctest: +SKIP
        ...     tx.write("wilayah", wilayah)
        ...     tx.write("rt", rt)
        """
        with _locked(self.path):
            _remove_stale_copies(self.path)
            tmp = _temp_copy_path(self.path)
            try:
                if self.path.exists():
                    shutil.copyfile(self.path, tmp)
                elif not create:
                    raise StoreError(
                        f"Proyek {self.path} tidak ada; buat dulu dengan `kumuhgis import` atau "
                        f"`kumuhgis demo` / project {self.path} does not exist"
                    )
                tx = _Transaction(tmp, command=command)
                yield tx
                tx.finish()
                _fsync(tmp)
                os.replace(tmp, self.path)
                _fsync_dir(self.path.parent)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                raise

    def write(
        self,
        layer: str,
        frame: pd.DataFrame,
        *,
        mode: str = "replace",
        command: str = "",
        source: str = "",
        rows_in: int | None = None,
        rows_rejected: int = 0,
    ) -> int:
        with self.transaction(command=command) as tx:
            return tx.write(
                layer, frame, mode=mode, source=source, rows_in=rows_in, rows_rejected=rows_rejected
            )

    def save_settings(self, settings: dict, *, command: str = "") -> None:
        with self.transaction(command=command) as tx:
            tx.save_settings(settings)


class _Transaction:
    """Writes into the temporary copy; only :meth:`GeoPackageStore.transaction` commits it."""

    def __init__(self, path: Path, *, command: str):
        self.path = path
        self.command = command
        self._audit: list[dict] = []
        self._meta_updates: dict[str, str] = {}

    def write(
        self,
        layer: str,
        frame: pd.DataFrame,
        *,
        mode: str = "replace",
        source: str = "",
        rows_in: int | None = None,
        rows_rejected: int = 0,
    ) -> int:
        if mode not in ("replace", "append"):
            raise UsageError(
                f"mode harus 'replace' atau 'append' / mode must be replace|append, not {mode!r}"
            )
        schema = get_layer(layer)
        data = coerce_to_schema(frame, layer)
        if schema.spatial:
            if data.crs is None:
                raise StoreError(
                    f"Layer '{layer}' tanpa CRS / layer without CRS; refusing to store it"
                )
            if not data.crs.equals(gpd.GeoSeries([], crs=STORAGE_CRS).crs):
                data = data.to_crs(STORAGE_CRS)
        exists = self.path.exists() and layer in [n for n, _ in pyogrio.list_layers(self.path)]
        gdal_append = False
        if mode == "append" and exists:
            fields = set(pyogrio.read_info(self.path, layer=layer)["fields"])
            if schema.unique:
                keys = pyogrio.read_dataframe(
                    self.path, layer=layer, read_geometry=False,
                    columns=[c for c in schema.unique if c in fields],
                )  # fmt: skip
                _check_unique_against(keys, data, schema)
            attrs = [c for c in data.columns if c != getattr(data, "_geometry_column_name", None)]
            if set(attrs) <= fields:
                gdal_append = True  # same columns: let GDAL add the rows
            else:
                # new extra columns: rewrite the layer so that they are kept too
                current = GeoPackageStore(self.path).read(layer)
                data = pd.concat([current, data], ignore_index=True)
                if schema.spatial:
                    data = gpd.GeoDataFrame(data, geometry=current.geometry.name, crs=STORAGE_CRS)
        kwargs = {"layer": layer, "driver": "GPKG", "append": gdal_append}
        if schema.spatial:
            kwargs["geometry_type"] = _geometry_type(schema)
            kwargs["promote_to_multi"] = schema.geometry == ("Polygon",)
            if not gdal_append:
                kwargs["layer_options"] = {"SPATIAL_INDEX": "YES"}
        pyogrio.write_dataframe(data, self.path, **kwargs)
        stored = len(frame)
        self._audit.append(
            {
                "waktu": _now(),
                "perintah": self.command,
                "layer": layer,
                "operasi": mode,
                "sumber": source,
                "baris_masuk": int(rows_in if rows_in is not None else stored + rows_rejected),
                "baris_disimpan": int(stored),
                "baris_ditolak": int(rows_rejected),
                "pengguna": current_user(),
            }
        )
        return stored

    def write_table(self, name: str, frame: pd.DataFrame, *, mode: str = "replace") -> int:
        """Write a project table other than the seven layers (see :meth:`Store.write_table`)."""
        _check_table_name(name)
        if mode not in ("replace", "append"):
            raise UsageError(
                f"mode harus 'replace' atau 'append' / mode must be replace|append, not {mode!r}"
            )
        data = frame.drop(columns=[c for c in frame.columns if str(c).startswith("_")])
        tables = [n for n, _ in pyogrio.list_layers(self.path)] if self.path.exists() else []
        if mode == "append" and name in tables:
            current = pyogrio.read_dataframe(self.path, layer=name, fid_as_index=False)
            data = pd.concat([current, data], ignore_index=True)
            if isinstance(current, gpd.GeoDataFrame):
                data = gpd.GeoDataFrame(data, geometry=current.geometry.name, crs=current.crs)
        if isinstance(data, gpd.GeoDataFrame) and data.crs is None:
            raise StoreError(f"Tabel '{name}' tanpa CRS / table without CRS")
        pyogrio.write_dataframe(data, self.path, layer=name, driver="GPKG")
        self._audit.append(
            {
                "waktu": _now(),
                "perintah": self.command,
                "layer": name,
                "operasi": mode,
                "sumber": "",
                "baris_masuk": len(frame),
                "baris_disimpan": len(frame),
                "baris_ditolak": 0,
                "pengguna": current_user(),
            }
        )
        return len(frame)

    def save_settings(self, settings: dict) -> None:
        # round-trip through YAML now so that a non-serialisable value fails before commit
        text = yaml.safe_dump(settings, allow_unicode=True, sort_keys=True)
        yaml.safe_load(text)
        self._meta_updates["settings"] = text
        self._audit.append(
            {
                "waktu": _now(),
                "perintah": self.command,
                "layer": META_TABLE,
                "operasi": "settings",
                "sumber": "",
                "baris_masuk": 1,
                "baris_disimpan": 1,
                "baris_ditolak": 0,
                "pengguna": current_user(),
            }
        )

    def initialise(self, *, kota: str = "", settings: dict | None = None) -> None:
        """Record what a new project starts with: schema version, city, settings."""
        self.set_meta("schema_version", str(SCHEMA_VERSION))
        self.set_meta("created_at", _now())
        self.set_meta("kota", kota)
        self.set_meta(
            "settings", yaml.safe_dump(settings or {}, allow_unicode=True, sort_keys=True)
        )
        self._audit.append(
            {
                "waktu": _now(),
                "perintah": self.command or "create",
                "layer": META_TABLE,
                "operasi": "create",
                "sumber": json.dumps({"kota": kota}),
                "baris_masuk": 0,
                "baris_disimpan": 0,
                "baris_ditolak": 0,
                "pengguna": current_user(),
            }
        )

    def set_meta(self, key: str, value: str) -> None:
        self._meta_updates[key] = str(value)

    def finish(self) -> None:
        """Write the meta updates and audit rows, then check the copy is a sound GeoPackage."""
        tables = [n for n, _ in pyogrio.list_layers(self.path)] if self.path.exists() else []
        if self._meta_updates or META_TABLE not in tables:
            meta = {}
            if META_TABLE in tables:
                df = pyogrio.read_dataframe(self.path, layer=META_TABLE)
                meta = dict(zip(df["kunci"].astype(str), df["nilai"].astype(str), strict=True))
            meta.update(self._meta_updates)
            meta["updated_at"] = _now()
            meta.setdefault("schema_version", str(SCHEMA_VERSION))
            meta["kumuhgis_version"] = __version__
            df = pd.DataFrame({"kunci": list(meta), "nilai": list(meta.values())})
            pyogrio.write_dataframe(df, self.path, layer=META_TABLE, driver="GPKG")
        if self._audit:
            df = pd.DataFrame(self._audit, columns=list(_AUDIT_COLUMNS))
            append = AUDIT_TABLE in tables
            pyogrio.write_dataframe(df, self.path, layer=AUDIT_TABLE, driver="GPKG", append=append)
        with contextlib.closing(sqlite3.connect(self.path)) as con:
            (ok,) = con.execute("PRAGMA quick_check").fetchone()
        if ok != "ok":  # pragma: no cover - GDAL wrote a broken file
            raise StoreError(f"GeoPackage check failed after write: {ok}")


def _check_table_name(name: str) -> None:
    import re

    if (
        name in LAYERS
        or name in (META_TABLE, AUDIT_TABLE)
        or not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name)
    ):
        raise UsageError(
            f"nama tabel '{name}' tidak boleh dipakai / table name '{name}' is reserved or not a plain lower-case name"
        )


def _check_unique_against(current: pd.DataFrame, new: pd.DataFrame, schema: LayerSchema) -> None:
    if not schema.unique or current.empty:
        return
    key_cur = unique_key(current, schema, sep="|")
    key_new = unique_key(new, schema, sep="|")
    clash = sorted(set(key_new) & set(key_cur))
    if clash:
        raise StoreError(
            f"{len(clash)} id sudah ada di layer {schema.name} ({', '.join(clash[:5])}) / "
            f"ids already in layer {schema.name}"
        )


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
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
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
    with store.transaction(command=command, create=True) as tx:
        if tx.path.exists():  # overwrite: start from an empty file
            tx.path.unlink()
        tx.initialise(kota=kota, settings=settings)
        for name, frame in (layers or {}).items():
            tx.write(name, frame, source="demo" if command.endswith("demo") else "")
    return store
