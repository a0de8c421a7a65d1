"""What every project store offers, whatever keeps the data (contracts.md "The store").

A city project is the seven layers of :mod:`kumuhgis.core.schema` plus project tables
(``kolaborasi_status``, ``memorandum_program`` ...) and two bookkeeping tables:
``kumuhgis_meta`` (schema version, city, settings) and ``kumuhgis_audit`` (one row per
write: when, command, layer, rows in / stored / rejected, user, and the old and new
values of the rows it changed) and ``kumuhgis_riwayat`` (the previous state of what each
write changed, for ``kumuhgis restore``: :mod:`kumuhgis.store.history`). Two backends implement
:class:`Store`: :class:`kumuhgis.store.geopackage.GeoPackageStore` (one ``.gpkg`` file, the
embedded default) and :class:`kumuhgis.store.postgis.PostGISStore` (a PostgreSQL + PostGIS
schema, for a city server). Both store the same layer names, column names and types, with
geometry in EPSG:4326, and make every write all-or-nothing.

The code above the store only uses this interface, so it runs unchanged on either.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import json
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml

from kumuhgis import __version__
from kumuhgis.core.errors import StoreError, UsageError
from kumuhgis.core.schema import (
    LAYERS,
    STORAGE_CRS,
    LayerSchema,
    empty_frame,
    get_layer,
    storage_dtype,
    unique_key,
)
from kumuhgis.store.changes import changed_rows, to_json
from kumuhgis.store.history import HistoryRecorder, keep_count
from kumuhgis.store.keys import MODES, WriteChange, plan_write

__all__ = [
    "AUDIT_COLUMNS",
    "AUDIT_DETAIL_COLUMNS",
    "AUDIT_TABLE",
    "META_TABLE",
    "PRIVATE_TABLES",
    "SCHEMA_VERSION",
    "SECRET_PREFIX",
    "Store",
    "Transaction",
    "as_layer",
    "audit_row",
    "check_mode",
    "check_table_name",
    "check_unique_against",
    "coerce_to_schema",
    "current_user",
    "now_iso",
    "public_values",
    "storage_geometry",
    "storage_geometry_type",
]

SCHEMA_VERSION = 1
META_TABLE = "kumuhgis_meta"
AUDIT_TABLE = "kumuhgis_audit"
#: The columns of the audit table, in order (every backend).
AUDIT_COLUMNS = (
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
#: Old and new values of the rows a write changed (JSON text, :mod:`kumuhgis.store.changes`),
#: kept by both backends (a GeoPackage made before they were kept gets them at its next write).
AUDIT_DETAIL_COLUMNS = ("lama", "baru")
_RESERVED_PREFIX = "kumuhgis_"
#: Project tables that belong to the server, not to the city's data (the logins of
#: :mod:`kumuhgis.store.users`): copied by ``kumuhgis db copy``, left out of a public copy
#: (:func:`kumuhgis.store.transfer.copy_project` with ``public=True``).
PRIVATE_TABLES = ("pengguna",)
#: Columns and meta keys whose names start with this hold secrets (a password hash, the
#: session key): never written into the audit's old and new values, never in a public copy.
SECRET_PREFIX = "rahasia_"


def public_values(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """``frame`` without its secret columns (:data:`SECRET_PREFIX`), for the audit."""
    if frame is None:
        return None
    secret = [c for c in frame.columns if str(c).startswith(SECRET_PREFIX)]
    return frame.drop(columns=secret) if secret else frame


def current_user() -> str:
    """Who writes from a terminal: ``KUMUHGIS_USER``, else the login name. (A write from
    the web app names its logged-in user: ``transaction(user=...)``.)"""
    for var in ("KUMUHGIS_USER", "USER", "LOGNAME", "USERNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database
        return "unknown"


def now_iso() -> str:
    """Now in UTC, ISO 8601 to the second (the audit's ``waktu``)."""
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def audit_row(
    command: str,
    layer: str,
    operation: str,
    *,
    source: str = "",
    rows_in: int = 0,
    rows_stored: int = 0,
    rows_rejected: int = 0,
) -> dict:
    """One audit row (:data:`AUDIT_COLUMNS`): now, by :func:`current_user`."""
    return {
        "waktu": now_iso(),
        "perintah": command,
        "layer": layer,
        "operasi": operation,
        "sumber": source,
        "baris_masuk": int(rows_in),
        "baris_disimpan": int(rows_stored),
        "baris_ditolak": int(rows_rejected),
        "pengguna": current_user(),
    }


def storage_geometry_type(schema: LayerSchema) -> str:
    """The geometry type a layer is stored with: polygons as MultiPolygon, one kind as
    itself, several kinds as ``Unknown`` (any geometry)."""
    if schema.geometry == ("Polygon",):
        return "MultiPolygon"
    if len(schema.geometry) == 1:
        return schema.geometry[0]
    return "Unknown"


def storage_geometry(data: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """The layer's geometry in EPSG:4326, polygons as MultiPolygon where the layer
    stores them so (as the GeoPackage does)."""
    if data.crs is None:
        raise StoreError(f"Layer '{layer}' tanpa CRS / layer without CRS; refusing to store it")
    if not data.crs.equals(gpd.GeoSeries([], crs=STORAGE_CRS).crs):
        data = data.to_crs(STORAGE_CRS)
    if get_layer(layer).geometry == ("Polygon",):
        geoms = data.geometry.values
        polygons = shapely.get_type_id(geoms) == 3
        if polygons.any():
            data = data.copy()
            promoted = np.asarray(geoms, dtype=object).copy()
            promoted[polygons] = shapely.multipolygons(promoted[polygons].reshape(-1, 1))
            data[data.geometry.name] = gpd.GeoSeries(promoted, index=data.index, crs=data.crs)
    return data


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


def as_layer(frame: pd.DataFrame | None, layer: str, *, source: str = "") -> pd.DataFrame:
    """A layer as read from a backend (``None`` when absent) in the storage form: the
    schema's columns and types, geometry in EPSG:4326 for a spatial layer, none otherwise."""
    schema = get_layer(layer)
    if frame is None:
        return empty_frame(layer)
    if schema.spatial:
        if not isinstance(frame, gpd.GeoDataFrame):  # pragma: no cover - defensive
            raise StoreError(f"Layer '{layer}' tanpa geometri / without geometry in {source}")
        if frame.crs is None:
            frame = frame.set_crs(STORAGE_CRS)
    elif isinstance(frame, gpd.GeoDataFrame):  # pragma: no cover - defensive
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return coerce_to_schema(frame, layer)


def check_mode(mode: str, *, layer: bool = True) -> None:
    """A layer's write mode is ``replace``, ``append`` or ``replace_key``
    (:mod:`kumuhgis.store.keys`); a project table's ``replace`` or ``append``."""
    allowed = MODES if layer else ("replace", "append")
    if mode not in allowed:
        raise UsageError(f"mode harus / mode must be {'|'.join(allowed)}, not {mode!r}")


def check_table_name(name: str) -> None:
    """A project table has a plain lower-case name that is not a layer's nor a
    bookkeeping table's (``kumuhgis_*``)."""
    if (
        name in LAYERS
        or name.startswith(_RESERVED_PREFIX)
        or not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name)
    ):
        raise UsageError(
            f"nama tabel '{name}' tidak boleh dipakai / table name '{name}' is reserved or not a plain lower-case name"
        )


def check_unique_against(current: pd.DataFrame, new: pd.DataFrame, schema: LayerSchema) -> None:
    """Refuse appending rows whose key (the layer's unique columns) is already stored."""
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


class Store(ABC):
    """What the code above the store may ask of a project (GeoPackage or PostGIS).

    Writes go through :meth:`transaction`, which yields an object with ``write`` (modes
    ``replace``, ``replace_key``, ``append``: :mod:`kumuhgis.store.keys`), ``write_table``,
    ``drop``, ``save_settings``, ``initialise``, ``set_meta``, ``replace_audit`` and
    ``replace_history``, and reads what the transaction sees with ``current``, ``meta``
    and ``stored_history``; everything written in one ``with`` block is stored together or
    not at all, and is one write of the history (:mod:`kumuhgis.store.history`). ``write``,
    ``write_table`` and ``save_settings`` on the store itself are one-step transactions.
    """

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the project is, for messages: a file path, or a database URL without
        its password."""

    @property
    @abstractmethod
    def name(self) -> str:
        """A short name for the project (the file's stem, the database schema)."""

    @abstractmethod
    def layers(self) -> list[str]:
        """Names of the schema layers present in the store."""

    def has_layer(self, layer: str) -> bool:
        return layer in self.layers()

    @abstractmethod
    def tables(self) -> list[str]:
        """Names of the project tables present (not the layers, not ``kumuhgis_*``)."""

    @abstractmethod
    def read(self, layer: str) -> pd.DataFrame:
        """The layer as a (Geo)DataFrame in storage types; empty with the schema columns if absent."""

    @abstractmethod
    def transaction(
        self,
        *,
        command: str = "",
        create: bool = False,
        fresh: bool = False,
        user: str | None = None,
    ) -> AbstractContextManager:
        """Group several writes into one all-or-nothing change of the project.

        ``create`` makes the project when it does not exist; ``fresh`` starts from an
        empty project, so that what the transaction writes replaces everything. ``user``
        is who writes, for the audit (default :func:`current_user`). Writers are
        serialised: what ``tx.read_table`` / ``tx.settings`` return inside the block is
        what the writes replace (a check-then-write is safe against a concurrent writer)."""

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
        user: str | None = None,
    ) -> int:
        """Replace or append a layer, all or nothing; returns rows stored."""
        with self.transaction(command=command, user=user) as tx:
            return tx.write(
                layer, frame, mode=mode, source=source, rows_in=rows_in, rows_rejected=rows_rejected
            )

    @abstractmethod
    def read_table(self, name: str) -> pd.DataFrame | None:
        """A project table outside the seven layers (e.g. ``kolaborasi_status`` overrides,
        ``memorandum_program``); ``None`` when absent. Names start with a letter, lower case."""

    def write_table(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        mode: str = "replace",
        command: str = "",
        user: str | None = None,
    ) -> int:
        """Replace or append a project table (attributes, or a GeoDataFrame), all or nothing, audited."""
        with self.transaction(command=command, user=user) as tx:
            return tx.write_table(name, frame, mode=mode)

    @abstractmethod
    def settings(self) -> dict:
        """Project settings (configurable rules of domain.md, targets, ...)."""

    def save_settings(self, settings: dict, *, command: str = "", user: str | None = None) -> None:
        """Replace the project settings, all or nothing, audited."""
        with self.transaction(command=command, user=user) as tx:
            tx.save_settings(settings)

    @abstractmethod
    def meta(self) -> dict[str, str]:
        """Bookkeeping: schema version, city, creation time, kumuhgis version."""

    def version(self) -> str:
        """A token that changes whenever the project changes ("" when unknown)."""
        return ""

    def check(self) -> None:
        """Raise a :class:`~kumuhgis.core.errors.KumuhgisError` saying why the project
        cannot be read now (gone, not a project, damaged); return when it can."""
        self.meta()

    @abstractmethod
    def audit(self) -> pd.DataFrame:
        """Every write so far, oldest first (:data:`AUDIT_COLUMNS`, and
        :data:`AUDIT_DETAIL_COLUMNS` where the backend keeps them)."""

    @abstractmethod
    def history(self, *, data: bool = False) -> pd.DataFrame:
        """The history rows (:data:`kumuhgis.store.history.HISTORY_COLUMNS`, one per
        table a write changed), oldest first; ``langkah`` and ``data`` only with ``data``."""

    def __str__(self) -> str:
        return self.location


class Transaction:
    """The bookkeeping every backend's transaction shares: meta updates, audit rows (with
    old and new values, :meth:`log_write`, never a secret column), the history of what it
    changes (:attr:`history`), removing a table (:meth:`drop`), settings and the record of a
    new project, and the write of a layer (:meth:`write`). Backends add ``put_layer``,
    ``write_table``, ``drop_stored``, ``current`` and
    ``meta`` (what the project holds inside this transaction), ``stored_history`` and a
    ``finish`` that stores :meth:`meta_to_write`, the audit rows and
    :meth:`history_to_write`."""

    def __init__(self, *, command: str, user: str | None = None):
        self.command = command
        self.user = (user or "").strip() or None
        self._audit: list[dict] = []
        self._audit_base: pd.DataFrame | None = None
        self._meta_updates: dict[str, str | None] = {}
        self.history = HistoryRecorder(private=PRIVATE_TABLES, secret_prefix=SECRET_PREFIX)

    def record(self, row: dict, *, lama=None, baru=None) -> None:
        """Add an audit row (:func:`audit_row`) with the old and new values it changed,
        by the transaction's user when it names one."""
        if self.user:
            row = {**row, "pengguna": self.user}
        self._audit.append({**row, "lama": to_json(lama), "baru": to_json(baru)})

    def log_write(
        self,
        change: WriteChange,
        *,
        old: pd.DataFrame | None,
        new: pd.DataFrame,
        key: tuple[str, ...] = (),
        source: str = "",
        rows_in: int | None = None,
        rows_stored: int | None = None,
        rows_rejected: int = 0,
    ) -> None:
        """The audit row of one write (with the old and new values of the rows it changed,
        matched by ``key``, without secret columns: :func:`public_values`; an append
        changes no stored row) and its history count."""
        stored = len(new) if rows_stored is None else rows_stored
        old = None if change.mode == "append" else public_values(old)
        lama, baru = changed_rows(old, public_values(new), key)
        row = audit_row(
            self.command,
            change.name,
            change.mode,
            source=source,
            rows_in=rows_in if rows_in is not None else stored + rows_rejected,
            rows_stored=stored,
            rows_rejected=rows_rejected,
        )
        self.record(row, lama=lama or None, baru=baru or None)
        self.history.note(change, source=source)

    def remember(self, name: str, kind: str, before: pd.DataFrame | None) -> None:
        """Keep the state of ``name`` before this transaction's first write to it, for
        the history (a private table is not kept: see :class:`HistoryRecorder`)."""
        self.history.remember(name, kind, before)

    def drop(self, name: str, *, source: str = "") -> None:
        """Remove a layer or project table, audited and kept in the history (nothing
        when it is absent)."""
        kind = "layer" if name in LAYERS else "tabel"
        if kind == "tabel":
            check_table_name(name)
        old = self.current(name, kind)
        if old is None:
            return
        self.remember(name, kind, old)
        change = WriteChange(name, "drop", (), len(old), 0, added=0, replaced=0,
                             removed=len(old), kept=0)  # fmt: skip
        self.log_write(change, old=old, new=old.iloc[0:0], source=source, rows_stored=0)
        self.drop_stored(name)

    def drop_stored(self, name: str) -> None:  # pragma: no cover - abstract
        """Remove the stored table ``name`` (the backend's part of :meth:`drop`)."""
        raise NotImplementedError

    def replace_history(self, rows: pd.DataFrame) -> None:
        """Make the history exactly ``rows`` (a copied project's, with ``data``); this
        transaction then adds no history row of its own."""
        self.history.copied = rows.to_dict("records")

    def history_to_write(
        self, *, last: int, after, meta_before: dict[str, str] | None
    ) -> tuple[list[dict], bool]:
        """``(rows, replace)``: this write's history rows, numbered after ``last``, or the
        copied history replacing the stored one (:meth:`replace_history`). ``after(name,
        kind)`` reads a table as this transaction leaves it."""
        if self.history.copied is not None:
            return self.history.copied, True
        first = self.user or (self._audit[0]["pengguna"] if self._audit else current_user())
        head = {"waktu": now_iso(), "pengguna": first, "perintah": self.command}
        rows = self.history.entries(number=last + 1, head=head, after=after,
                                    meta_before=meta_before, meta_updates=self._meta_updates)  # fmt: skip
        return rows, False

    @staticmethod
    def history_keep(meta: dict[str, str] | None) -> int:
        """How many writes keep their previous state, by the settings in ``meta``."""
        text = (meta or {}).get("settings") or ""
        return keep_count((yaml.safe_load(text) or {}) if text else {})

    def write(
        self,
        layer: str,
        frame: pd.DataFrame,
        *,
        mode: str = "replace",
        source: str = "",
        rows_in: int | None = None,
        rows_rejected: int = 0,
        on_plan: Callable[[WriteChange], None] | None = None,
    ) -> int:
        """Write ``frame`` into ``layer`` in ``mode`` (:mod:`kumuhgis.store.keys`) on every
        backend alike: coerced to the schema and its storage geometry, the state it replaces
        kept for the history, the rows planned (``on_plan`` hears what the write changes
        before the rows are written), stored by the backend (:meth:`put_layer`) and audited
        with the old and new values."""
        check_mode(mode)
        schema = get_layer(layer)
        data = coerce_to_schema(frame, layer)
        if schema.spatial:  # as stored: EPSG:4326, polygons as MultiPolygon
            data = storage_geometry(data, layer)
        old = self.current(layer)
        self.remember(layer, "layer", old)
        if mode == "append" and old is not None:
            check_unique_against(old, data, schema)
        rows, change = plan_write(layer, old, data, mode)
        if on_plan is not None:
            on_plan(change)
        self.put_layer(layer, rows, old=old, append=mode == "append")
        self.log_write(change, old=old, new=rows, key=schema.unique, source=source,
                       rows_in=rows_in, rows_stored=len(frame), rows_rejected=rows_rejected)  # fmt: skip
        return len(frame)

    def put_layer(
        self, layer: str, data: pd.DataFrame, *, old: pd.DataFrame | None, append: bool
    ) -> None:  # pragma: no cover - abstract
        """Store a layer's rows as :meth:`write` planned them (``append``: add ``data`` to
        the stored ``old``; else ``data`` is the whole layer)."""
        raise NotImplementedError

    def current(self, name: str, kind: str = "layer") -> pd.DataFrame | None:  # pragma: no cover
        """A layer (in storage form) or a project table (``kind="tabel"``) as this
        transaction sees it; ``None`` when absent."""
        raise NotImplementedError

    def read_table(self, name: str) -> pd.DataFrame | None:
        """A project table as this transaction sees it (``None`` when absent), as
        :meth:`Store.read_table` outside a transaction."""
        check_table_name(name)
        return self.current(name, "tabel")

    def meta(self) -> dict[str, str]:  # pragma: no cover - abstract
        """The meta table as this transaction sees it (before its own updates)."""
        raise NotImplementedError

    def settings(self) -> dict:
        """The project settings as this transaction sees them (its own saves included)."""
        text = self._meta_updates.get("settings")
        if text is None:
            text = self.meta().get("settings", "")
        return (yaml.safe_load(text) or {}) if text else {}

    def stored_settings(self) -> dict | None:
        """The settings before this transaction, for the audit."""
        text = self.meta().get("settings", "")
        return (yaml.safe_load(text) or {}) if text else {}

    def save_settings(self, settings: dict) -> None:
        # round-trip through YAML now so that a non-serialisable value fails before commit
        text = yaml.safe_dump(settings, allow_unicode=True, sort_keys=True)
        yaml.safe_load(text)
        old = self.stored_settings()
        self._meta_updates["settings"] = text
        row = audit_row(self.command, META_TABLE, "settings", rows_in=1, rows_stored=1)
        self.record(row, lama=old, baru=None if old is None else settings)

    def initialise(self, *, kota: str = "", settings: dict | None = None) -> None:
        """Record what a new project starts with: schema version, city, settings."""
        self.set_meta("schema_version", str(SCHEMA_VERSION))
        self.set_meta("created_at", now_iso())
        self.set_meta("kota", kota)
        self.set_meta(
            "settings", yaml.safe_dump(settings or {}, allow_unicode=True, sort_keys=True)
        )
        source = json.dumps({"kota": kota})
        self.record(audit_row(self.command or "create", META_TABLE, "create", source=source))

    def set_meta(self, key: str, value: str | None) -> None:
        """Set a meta value (``None`` removes the key)."""
        self._meta_updates[key] = None if value is None else str(value)

    def replace_audit(self, frame: pd.DataFrame) -> None:
        """Make the audit exactly ``frame`` (the history of a copied project); rows
        recorded later in this transaction follow it."""
        self._audit_base = frame.copy()
        self._audit = []

    def meta_to_write(self, current: dict[str, str] | None) -> dict[str, str] | None:
        """The meta table after this transaction, ``None`` when it does not change
        (``current`` is ``None`` for a project without one yet)."""
        if not self._meta_updates and current is not None:
            return None
        meta = dict(current or {})
        for key, value in self._meta_updates.items():
            if value is None:
                meta.pop(key, None)
            else:
                meta[key] = value
        meta["updated_at"] = now_iso()
        meta.setdefault("schema_version", str(SCHEMA_VERSION))
        meta["kumuhgis_version"] = __version__
        return meta

    def audit_to_write(self, columns: tuple[str, ...]) -> tuple[pd.DataFrame | None, bool]:
        """``(rows, replace)``: the audit rows to store with ``columns`` and whether they
        replace the stored audit (after :meth:`replace_audit`) or follow it."""
        new = pd.DataFrame(self._audit, columns=list(columns))
        if self._audit_base is not None:
            base = self._audit_base
            missing = [c for c in columns if c not in base.columns]  # an audit from before
            if missing:
                base = base.reindex(columns=[*base.columns, *missing])
            rows = pd.concat([base, new], ignore_index=True) if len(new) else base
            return rows, True
        return (new if len(new) else None), False
