"""The PostgreSQL + PostGIS backend of the project store (contracts.md "The store").

A city server keeps its project in one schema of a PostGIS database (the URL and the
schema: :mod:`kumuhgis.store.database`). The schema holds the same tables as a project
GeoPackage, with the same names, columns and types (:mod:`kumuhgis.store.columns`):

* one table per layer present and per project table, each with a ``fid`` row number
  (the row order) and, for a spatial layer, ``geom geometry(<type>, 4326)`` with a GiST
  index (polygons as MultiPolygon, several kinds as ``Geometry``);
* ``kumuhgis_meta`` (``kunci``, ``nilai``): schema version, city, settings (YAML);
* ``kumuhgis_audit``: one row per write (when, command, layer, operation, source, rows
  in / stored / rejected, user) and the old and new values of the rows it changed
  (``lama``, ``baru``: JSON, see :mod:`kumuhgis.store.changes`);
* ``kumuhgis_versi``: the id of the last transaction that wrote (:meth:`PostGISStore.version`).

Every write is ONE database transaction: writers of a project are serialised by an
advisory lock on its schema, and an exception, a lost connection or a killed process
rolls everything back, so the database stays exactly as before. Row numbers come from
the data, not from sequences, so not even a counter moves. Readers are never blocked by
a writer (they see the last committed state), except for the moment a write that
changes a table's columns commits.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import yaml
from psycopg import sql

from kumuhgis.core.errors import ProjectNotFoundError, StoreError, UsageError
from kumuhgis.core.schema import LAYERS, get_layer
from kumuhgis.store.columns import (
    GEOMETRY,
    column_type,
    copy_rows,
    frame_from_rows,
    select_template,
)
from kumuhgis.store.database import DatabaseLocation, database_errors, engine_for
from kumuhgis.store.history import HISTORY_COLUMNS, HISTORY_TABLE, history_frame, prune_through
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

__all__ = ["PostGISStore", "create_store", "open_store", "project_exists"]

VERSION_TABLE = "kumuhgis_versi"
_AUDIT_TYPES = (
    ("waktu", "text"),
    ("perintah", "text"),
    ("layer", "text"),
    ("operasi", "text"),
    ("sumber", "text"),
    ("baris_masuk", "bigint"),
    ("baris_disimpan", "bigint"),
    ("baris_ditolak", "bigint"),
    ("pengguna", "text"),
    ("lama", "json"),
    ("baru", "json"),
)
_BOOKKEEPING = (
    f"CREATE TABLE {{}}.{META_TABLE} (fid integer PRIMARY KEY, kunci text NOT NULL UNIQUE, nilai text)",
    f"CREATE TABLE {{}}.{AUDIT_TABLE} (fid bigint PRIMARY KEY, "
    + ", ".join(f"{n} {t}" for n, t in _AUDIT_TYPES)
    + ")",
    f"CREATE TABLE {{}}.{VERSION_TABLE} (id integer PRIMARY KEY CHECK (id = 1), xact text NOT NULL)",
    f"INSERT INTO {{}}.{VERSION_TABLE} VALUES (1, pg_current_xact_id()::text)",
)


# -- tables through a cursor -------------------------------------------------------------
def _ident(schema: str, table: str) -> sql.Composed:
    return sql.Identifier(schema, table)


def _columns(cur, schema: str, table: str) -> list[tuple[str, str]] | None:
    """The table's columns (name, type) in order, ``None`` when it does not exist."""
    cur.execute(
        "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p')",
        [schema, table],
    )
    found = cur.fetchone()
    if found is None:
        return None
    cur.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [found[0]],
    )
    return [(str(n), str(t)) for n, t in cur.fetchall()]


def _srid(kind: str) -> int:
    found = re.search(r",\s*(\d+)\)$", kind)
    return int(found.group(1)) if found else 0


def _read(cur, schema: str, table: str) -> pd.DataFrame | None:
    """A whole table in row order as pyogrio reads the same GeoPackage table."""
    if _columns(cur, schema, table) is None:
        return None
    # no writer may drop or widen the table between reading its columns and its rows
    cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(_ident(schema, table)))
    columns = _columns(cur, schema, table) or []
    attrs = [(n, t) for n, t in columns if n != "fid" and not t.startswith("geometry")]
    geoms = [(n, t) for n, t in columns if t.startswith("geometry")]
    chosen = attrs + geoms[:1]
    select = sql.SQL(", ").join(
        sql.SQL(select_template(t)).format(sql.Identifier(n)) for n, t in chosen
    )
    query = sql.SQL("SELECT {} FROM {} ORDER BY fid").format(
        select if chosen else sql.SQL("fid"), _ident(schema, table)
    )
    cur.execute(query)
    rows = cur.fetchall()
    if not chosen:
        return pd.DataFrame(index=pd.RangeIndex(len(rows)))
    return frame_from_rows(attrs, rows, srid=_srid(geoms[0][1]) if geoms else None)


def _project_tables(cur, schema: str) -> list[str]:
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.oid",
        [schema],
    )
    return [str(name) for (name,) in cur.fetchall()]


def _read_meta(cur, schema: str) -> dict[str, str] | None:
    if _columns(cur, schema, META_TABLE) is None:
        return None
    cur.execute(
        sql.SQL("SELECT kunci, nilai FROM {} ORDER BY fid").format(_ident(schema, META_TABLE))
    )
    return {str(k): "" if v is None else str(v) for k, v in cur.fetchall()}


def _copy(cur, schema: str, table: str, names: list[str], rows) -> None:
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        _ident(schema, table), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    with cur.copy(query) as copy:
        for row in rows:
            copy.write_row(row)


def _next_fid(cur, schema: str, table: str) -> int:
    cur.execute(sql.SQL("SELECT coalesce(max(fid), 0) + 1 FROM {}").format(_ident(schema, table)))
    return int(cur.fetchone()[0])


_HISTORY_TYPES = {"int": "bigint", "text": "text", "blob": "bytea"}


def _history_rows(cur, schema: str, *, data: bool) -> list[tuple]:
    """The history rows in :data:`HISTORY_COLUMNS` order, oldest first."""
    if _columns(cur, schema, HISTORY_TABLE) is None:
        return []
    names = sql.SQL(", ").join(
        sql.Identifier(n) if data or n not in ("langkah", "data") else sql.SQL("NULL")
        for n, _ in HISTORY_COLUMNS
    )
    cur.execute(
        sql.SQL("SELECT {} FROM {} ORDER BY fid").format(names, _ident(schema, HISTORY_TABLE))
    )
    return cur.fetchall()


def _store_history(cur, schema: str, rows: list[dict], *, replace: bool, keep: int) -> None:
    """Add this write's history rows (or make the history exactly ``rows``), then drop
    the previous states of all but the last ``keep`` writes."""
    target = _ident(schema, HISTORY_TABLE)
    if _columns(cur, schema, HISTORY_TABLE) is None:
        defs = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(_HISTORY_TYPES[k]))
            for n, k in HISTORY_COLUMNS
        )
        cur.execute(sql.SQL("CREATE TABLE {} (fid bigint PRIMARY KEY, {})").format(target, defs))
    elif replace:
        cur.execute(sql.SQL("DELETE FROM {}").format(target))
    names = ["fid", *(n for n, _ in HISTORY_COLUMNS)]
    first = _next_fid(cur, schema, HISTORY_TABLE)
    values = [
        [first + i, *(_plain(row.get(n)) for n, _ in HISTORY_COLUMNS)] for i, row in enumerate(rows)
    ]
    if values:
        insert = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            target,
            sql.SQL(", ").join(map(sql.Identifier, names)),
            sql.SQL(", ").join(sql.Placeholder() * len(names)),
        )
        cur.executemany(insert, values)
    cur.execute(sql.SQL("SELECT DISTINCT nomor FROM {}").format(target))
    through = prune_through([int(n) for (n,) in cur.fetchall()], keep)
    cur.execute(
        sql.SQL(
            "UPDATE {} SET langkah = NULL, data = NULL, ukuran = 0, tersimpan = 0 "
            "WHERE nomor <= %s AND tersimpan = 1"
        ).format(target),
        [through],
    )


def _plain(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return value.item() if hasattr(value, "item") else value


def _last_write(cur, schema: str) -> int:
    if _columns(cur, schema, HISTORY_TABLE) is None:
        return 0
    cur.execute(
        sql.SQL("SELECT coalesce(max(nomor), 0) FROM {}").format(_ident(schema, HISTORY_TABLE))
    )
    return int(cur.fetchone()[0])


# -- project schema --------------------------------------------------------------------
def _create_project(cur, schema: str) -> None:
    """The schema with its bookkeeping tables (and PostGIS in the database)."""
    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cur.fetchone() is None:
        try:
            cur.execute("CREATE EXTENSION postgis")
        except Exception as exc:  # the transaction is rolled back: nothing was created
            raise StoreError(
                "PostGIS belum terpasang di basis data ini dan pengguna ini tidak boleh "
                "memasangnya; minta admin menjalankan CREATE EXTENSION postgis / PostGIS is "
                f"not installed in this database and this user may not install it: {exc}"
            ) from None
    cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema])
    if cur.fetchone()[0]:
        if _project_tables(cur, schema):
            raise UsageError(
                f"Skema '{schema}' sudah berisi tabel lain; pilih ?schema=NAMA lain / "
                f"schema '{schema}' already holds other tables; choose another ?schema=NAME"
            )
    else:
        cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    for statement in _BOOKKEEPING:
        cur.execute(sql.SQL(statement).format(sql.Identifier(schema)))


class PostGISStore(Store):
    """A city project kept in one schema of a PostGIS database. Use :func:`open_store`
    / :func:`create_store` (or :func:`kumuhgis.store.open_store` with a URL)."""

    def __init__(self, location: str | DatabaseLocation):
        self._where = (
            location if isinstance(location, DatabaseLocation) else DatabaseLocation.parse(location)
        )
        self._engine = engine_for(self._where)

    def __repr__(self) -> str:
        return f"PostGISStore({self._where.shown!r})"

    @property
    def location(self) -> str:
        return self._where.shown

    @property
    def name(self) -> str:
        return self._where.schema

    @property
    def schema(self) -> str:
        return self._where.schema

    @contextlib.contextmanager
    def _cursor(self) -> Iterator:
        """A cursor on a pooled connection for reading (its own snapshot)."""
        with (
            database_errors(self._where),
            self._engine.connect() as conn,
            conn.connection.driver_connection.cursor() as cur,
        ):
            yield cur

    def _missing(self) -> ProjectNotFoundError:
        return ProjectNotFoundError(
            f"Proyek tidak ditemukan di basis data (skema {self.schema}); buat dengan "
            f"`kumuhgis db init` / no kumuhgis project in {self.location} (schema "
            f"{self.schema}); create it with `kumuhgis db init`"
        )

    # -- reading -----------------------------------------------------------------------
    def exists(self) -> bool:
        """Whether the schema holds a kumuhgis project."""
        with self._cursor() as cur:
            return _columns(cur, self.schema, META_TABLE) is not None

    def _present(self) -> list[str]:
        with self._cursor() as cur:
            return _project_tables(cur, self.schema)

    def layers(self) -> list[str]:
        present = set(self._present())
        return [name for name in LAYERS if name in present]

    def tables(self) -> list[str]:
        return [n for n in self._present() if n not in LAYERS and not n.startswith("kumuhgis_")]

    def read(self, layer: str) -> pd.DataFrame:
        get_layer(layer)
        with self._cursor() as cur:
            frame = _read(cur, self.schema, layer)
        return as_layer(frame, layer, source=self.location)

    def read_table(self, name: str) -> pd.DataFrame | None:
        check_table_name(name)
        with self._cursor() as cur:
            return _read(cur, self.schema, name)

    def meta(self) -> dict[str, str]:
        with self._cursor() as cur:
            meta = _read_meta(cur, self.schema)
        if meta is None:
            raise self._missing()
        return meta

    def settings(self) -> dict:
        text = self.meta().get("settings", "")
        return yaml.safe_load(text) or {} if text else {}

    def version(self) -> str:
        """The id of the last transaction that wrote into the project (never reused)."""
        with self._cursor() as cur:
            if _columns(cur, self.schema, VERSION_TABLE) is None:
                raise self._missing()
            cur.execute(sql.SQL("SELECT xact FROM {}").format(_ident(self.schema, VERSION_TABLE)))
            return str(cur.fetchone()[0])

    def audit(self) -> pd.DataFrame:
        with self._cursor() as cur:
            frame = _read(cur, self.schema, AUDIT_TABLE)
        if frame is None:
            return pd.DataFrame(columns=list(AUDIT_COLUMNS))
        return frame

    def history(self, *, data: bool = False) -> pd.DataFrame:
        with self._cursor() as cur:
            if _columns(cur, self.schema, META_TABLE) is None:
                raise self._missing()
            rows = _history_rows(cur, self.schema, data=data)
        return history_frame(rows, data=data)

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
        """Group several writes into ONE database transaction, committed at the end of
        the ``with`` block and rolled back on any exception (see :class:`Store`)."""
        with database_errors(self._where), self._engine.begin() as conn:
            cur = conn.connection.driver_connection.cursor()
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"kumuhgis:{self.schema}"])
            exists = _columns(cur, self.schema, META_TABLE) is not None
            if exists and fresh:  # the tables go, the schema (its owner, its grants) stays
                for table in _project_tables(cur, self.schema):
                    cur.execute(sql.SQL("DROP TABLE {} CASCADE").format(_ident(self.schema, table)))
                exists = False
            if not exists:
                if not create:
                    raise self._missing()
                _create_project(cur, self.schema)
            tx = _Transaction(cur, self.schema, command=command, user=user)
            yield tx
            tx.finish()


class _Transaction(Transaction):
    """Writes through one cursor of the open transaction of :meth:`PostGISStore.transaction`."""

    def __init__(self, cur, schema: str, *, command: str, user: str | None = None):
        super().__init__(command=command, user=user)
        self._cur = cur
        self._schema = schema

    def current(self, name: str, kind: str = "layer") -> pd.DataFrame | None:
        """A layer (in storage form) or a project table (``kind="tabel"``) as this
        transaction sees it; ``None`` when absent."""
        frame = _read(self._cur, self._schema, name)
        if frame is None or kind != "layer":
            return frame
        return as_layer(frame, name)

    def meta(self) -> dict[str, str]:
        """The meta table as this transaction sees it (before its own updates)."""
        return _read_meta(self._cur, self._schema) or {}

    def stored_history(self, *, data: bool = True) -> pd.DataFrame:
        """The history as this transaction sees it."""
        return history_frame(_history_rows(self._cur, self._schema, data=data), data=data)

    def put_layer(
        self, layer: str, data: pd.DataFrame, *, old: pd.DataFrame | None, append: bool
    ) -> None:
        """Store a layer's rows as :meth:`Transaction.write` planned them (``append``: add
        ``data``; else ``data`` is the whole layer)."""
        schema = get_layer(layer)
        geometry = None
        if schema.spatial:
            kind = storage_geometry_type(schema).replace("Unknown", "Geometry")
            geometry = f"geometry({kind}, 4326)"
        self._store(layer, data, "append" if append else "replace", geometry=geometry,
                    srid=4326 if geometry else None)  # fmt: skip

    def write_table(self, name: str, frame: pd.DataFrame, *, mode: str = "replace") -> int:
        """Write a project table other than the seven layers (see :meth:`Store.write_table`)."""
        check_table_name(name)
        check_mode(mode, layer=False)
        data = frame.drop(columns=[c for c in frame.columns if str(c).startswith("_")])
        geometry = srid = None
        if isinstance(data, gpd.GeoDataFrame):
            if data.crs is None:
                raise StoreError(f"Tabel '{name}' tanpa CRS / table without CRS")
            srid = data.crs.to_epsg()
            if srid is None:
                raise StoreError(
                    f"Tabel '{name}': CRS tanpa kode EPSG / CRS without an EPSG code: {data.crs.name}"
                )
            geometry = f"geometry(Geometry, {srid})"
        old = self.current(name, "tabel")
        self.remember(name, "tabel", old)
        rows, change = plan_write(name, old, data, mode)
        self._store(name, data, mode, geometry=geometry, srid=srid)
        self.log_write(change, old=old, new=rows, rows_stored=len(frame))
        return len(frame)

    def drop_stored(self, name: str) -> None:
        """Remove the stored table ``name`` (only through :meth:`Transaction.drop`)."""
        self._cur.execute(sql.SQL("DROP TABLE {}").format(_ident(self._schema, name)))

    def _store(
        self,
        table: str,
        data: pd.DataFrame,
        mode: str,
        *,
        geometry: str | None,
        srid: int | None,
    ) -> None:
        """Replace or append the rows of ``table``, creating or widening it as needed."""
        geom_name = data.geometry.name if isinstance(data, gpd.GeoDataFrame) else None
        attrs = [(str(c), column_type(data[c])) for c in data.columns if c != geom_name]
        clash = {n for n, _ in attrs} & {"fid", GEOMETRY}
        if clash:
            raise StoreError(
                f"Kolom {', '.join(sorted(clash))} dipakai kumuhgis di basis data; ganti namanya / "
                f"column name(s) reserved in the database: {', '.join(sorted(clash))}"
            )
        wanted = [*attrs, *([(GEOMETRY, geometry)] if geometry else [])]
        existing = _columns(self._cur, self._schema, table)
        target = _ident(self._schema, table)
        first = 1
        if existing is not None and mode == "replace" and _same_columns(existing, wanted):
            self._cur.execute(sql.SQL("DELETE FROM {}").format(target))
        elif existing is None or mode == "replace":
            self._create(table, wanted, replace=existing is not None)
        else:
            self._widen(table, existing, attrs, geometry)
            first = _next_fid(self._cur, self._schema, table)
        names = ["fid", *(n for n, _ in attrs), *([GEOMETRY] if geometry else [])]
        rows = copy_rows(data, attrs, srid=srid if geometry else None, first_fid=first)
        _copy(self._cur, self._schema, table, names, rows)

    def _create(self, table: str, columns: list[tuple[str, str]], *, replace: bool) -> None:
        target = _ident(self._schema, table)
        if replace:
            self._cur.execute(sql.SQL("DROP TABLE {}").format(target))
        defs = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in columns
        )
        self._cur.execute(
            sql.SQL("CREATE TABLE {} (fid bigint PRIMARY KEY, {})").format(target, defs)
            if columns
            else sql.SQL("CREATE TABLE {} (fid bigint PRIMARY KEY)").format(target)
        )
        if any(n == GEOMETRY for n, _ in columns):
            self._cur.execute(
                sql.SQL("CREATE INDEX {} ON {} USING GIST ({})").format(
                    sql.Identifier(f"{table[:50]}_geom_idx"), target, sql.Identifier(GEOMETRY)
                )
            )

    def _widen(
        self,
        table: str,
        existing: list[tuple[str, str]],
        attrs: list[tuple[str, str]],
        geometry: str | None,
    ) -> None:
        """Appending: add the columns the stored table lacks; refuse a geometry mismatch."""
        has_geometry = any(n == GEOMETRY for n, _ in existing)
        if has_geometry != (geometry is not None):
            raise StoreError(
                f"Tabel '{table}': geometri tidak cocok dengan yang tersimpan / "
                "geometry does not match the stored table"
            )
        known = {n for n, _ in existing}
        for name, kind in attrs:
            if name not in known:
                self._cur.execute(
                    sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                        _ident(self._schema, table), sql.Identifier(name), sql.SQL(kind)
                    )
                )

    def finish(self) -> None:
        """Store the meta updates, the audit and history rows, and mark the project's new
        version."""
        cur, schema = self._cur, self._schema
        current = _read_meta(cur, schema)
        history, replace_history = self.history_to_write(
            last=_last_write(cur, schema), after=self.current, meta_before=current
        )
        meta = self.meta_to_write(current)
        if history or replace_history:
            keep = self.history_keep(meta if meta is not None else current)
            _store_history(cur, schema, history, replace=replace_history, keep=keep)
        if meta is not None:
            cur.execute(sql.SQL("DELETE FROM {}").format(_ident(schema, META_TABLE)))
            rows = ((i, k, v) for i, (k, v) in enumerate(meta.items(), start=1))
            _copy(cur, schema, META_TABLE, ["fid", "kunci", "nilai"], rows)
        frame, replace = self.audit_to_write(AUDIT_COLUMNS + AUDIT_DETAIL_COLUMNS)
        if frame is not None:
            if replace:
                cur.execute(sql.SQL("DELETE FROM {}").format(_ident(schema, AUDIT_TABLE)))
            frame = frame.reindex(columns=[n for n, _ in _AUDIT_TYPES])
            first = _next_fid(cur, schema, AUDIT_TABLE)
            rows = copy_rows(frame, _AUDIT_TYPES, first_fid=first)
            _copy(cur, schema, AUDIT_TABLE, ["fid", *(n for n, _ in _AUDIT_TYPES)], rows)
        cur.execute(
            sql.SQL("UPDATE {} SET xact = pg_current_xact_id()::text").format(
                _ident(schema, VERSION_TABLE)
            )
        )


def _same_columns(existing: list[tuple[str, str]], wanted: list[tuple[str, str]]) -> bool:
    stored = [(n, t.replace(" ", "").lower()) for n, t in existing if n != "fid"]
    return stored == [(n, t.replace(" ", "").lower()) for n, t in wanted]


def project_exists(location: str) -> bool:
    """Whether ``location`` (a database URL) holds a kumuhgis project."""
    return PostGISStore(location).exists()


def open_store(location: str) -> PostGISStore:
    """Open an existing project in a database. Raises :class:`ProjectNotFoundError` when
    the schema holds none, :class:`StoreError` when the database cannot be reached."""
    store = PostGISStore(location)
    version = int(store.meta().get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{store.location} dibuat oleh kumuhgis yang lebih baru (skema {version}) / made by "
            f"a newer kumuhgis (schema {version} > {SCHEMA_VERSION}); update kumuhgis"
        )
    return store


def create_store(
    location: str,
    *,
    kota: str = "",
    settings: dict | None = None,
    layers: dict[str, pd.DataFrame] | None = None,
    overwrite: bool = False,
    command: str = "create",
) -> PostGISStore:
    """Create a project in a database (PostGIS, the schema, its bookkeeping tables, the
    settings, the first audit row) and write ``layers`` in the same transaction."""
    store = PostGISStore(location)
    if store.exists() and not overwrite:
        raise UsageError(f"Proyek sudah ada / project already exists: {store.location}")
    with store.transaction(command=command, create=True, fresh=True) as tx:
        tx.initialise(kota=kota, settings=settings)
        for name, frame in (layers or {}).items():
            tx.write(name, frame, source="demo" if command.endswith("demo") else "")
    return store
