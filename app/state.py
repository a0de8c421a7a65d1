"""The project behind the app: the store, the city snapshot and map data read from it (kept
until the project changes) and the optional basemap. Held in ``app.extensions["kumuhgis"]``."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from flask import Flask, current_app

from kumuhgis.core.errors import KumuhgisError, ProjectNotFoundError

__all__ = ["ProjectState", "init_app", "project"]

_CACHE_SIZE = 64

log = logging.getLogger("kumuhgis.app")


class ProjectState:
    """One city snapshot (:class:`kumuhgis.core.snapshot.CitySnapshot`) and one
    :class:`kumuhgis.outputs.webmap.MapData` per version of the project
    (:meth:`kumuhgis.store.Store.version`, a ``stat`` of the GeoPackage): the project is read
    once per version, whatever the number of pages and tiles asked, and one request at a
    time reads it. Pages take what they show from :meth:`snapshot` and :meth:`map_data`,
    never from the store."""

    def __init__(
        self, store_path: str | os.PathLike | None, basemap_path: str | os.PathLike | None
    ):
        # a .gpkg path, or a postgresql:// URL (kept as text: a URL is not a path)
        self.store_path = _location(store_path) if store_path else None
        self.basemap_path = Path(basemap_path) if basemap_path else None
        self._lock = threading.Lock()  # guards the fields below
        self._reading = threading.Lock()  # one request at a time reads the project
        self._store = None
        self._snapshot = None
        self._data = None
        self._basemap = None
        self._cache: dict = {}
        self._checked = ""  # the version of the project last found readable
        self._building: dict = {}  # key -> lock held by the request building it

    def store(self):
        """The project's store, opened (and its schema checked) once; a project file that
        went missing raises :class:`ProjectNotFoundError` (HTTP 404)."""
        from kumuhgis.store import open_store

        if self.store_path is None:
            raise ProjectNotFoundError(
                "Aplikasi belum diberi proyek (STORE) / the app was given no project (STORE)"
            )
        with self._lock:
            gone = isinstance(self.store_path, Path) and not self.store_path.exists()
            if self._store is None or gone:
                self._store = open_store(self.store_path)
            return self._store

    def problem(self) -> str | None:
        """Why the project cannot be read now, in Bahasa Indonesia and English (``None``
        when it can, or when the app was given no project): the file is gone, is not a
        kumuhgis GeoPackage, cannot be opened, or is damaged (:meth:`Store.check`, run
        once per version of the file)."""
        if self.store_path is None:
            return None
        try:
            store = self.store()
            key = store.version()
            with self._lock:
                if self._checked == key:
                    return None
            store.check()
        except KumuhgisError as exc:  # bilingual already
            log.warning("project cannot be read: %s", exc)
            return str(exc)
        except Exception as exc:  # whatever else stops the read is the answer, never a 500
            log.warning("project %s cannot be read: %s", self.store_path, exc)
            return f"{self.store_path} tidak bisa dibaca / cannot be read: {exc}"
        with self._lock:
            self._checked = key
        return None

    def version_key(self) -> str:
        """The project's version ("" when there is no project file)."""
        if self.store_path is None:
            return ""
        if isinstance(self.store_path, Path) and not self.store_path.exists():
            return ""
        return self.store().version()

    def snapshot(self, *, wait: bool = False):
        """The project read whole, again only when it changed (a ``stat`` per request).

        While one request reads a new version, the others are answered from the previous
        one instead of waiting (a few seconds of stale pages after a write, never a stall
        of every reader); ``wait=True`` (a page right after its own write) waits for it."""
        from kumuhgis.store.snapshot import load_snapshot

        snap = self._current_snapshot()
        if snap is not None:
            return snap
        with self._lock:
            previous = self._snapshot
        if not self._reading.acquire(blocking=wait or previous is None):
            return previous
        try:
            snap = self._current_snapshot()  # read by the request this one waited for
            if snap is not None:
                return snap
            snap = load_snapshot(self.store())
            with self._lock:
                self._snapshot, self._cache = snap, {}
            return snap
        finally:
            self._reading.release()

    def _current_snapshot(self):
        key = self.version_key()
        with self._lock:
            snap = self._snapshot
        return snap if snap is not None and snap.version == key else None

    def map_data(self, *, wait: bool = False):
        """The map data of the current snapshot, computed again only when the project
        changed (tile requests must not read the project); the previous version's while
        another request computes it (see :meth:`snapshot`)."""
        from kumuhgis.outputs.webmap import load_map_data

        snap = self.snapshot(wait=wait)
        with self._lock:
            data = self._data
        if data is not None and data.version_key == snap.version:
            return data
        if not self._reading.acquire(blocking=wait or data is None):
            return data
        try:
            with self._lock:
                data = self._data
            if data is None or data.version_key != snap.version:
                data = load_map_data(snap)
                with self._lock:
                    self._data = data
            return data
        finally:
            self._reading.release()

    def cached(self, name: tuple, build):
        """A value computed once per snapshot version (dashboards, reports, users): the
        first request builds it, the others asking for it meanwhile wait for that one."""
        key = (self.snapshot().version, *name)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = build()
            with self._lock:
                if len(self._cache) > _CACHE_SIZE:
                    self._cache.clear()
                self._cache[key] = value
                self._building.pop(key, None)
            return value

    def project_file(self, folder: Path) -> Path:
        """The project as one GeoPackage file for download: the project file itself, or,
        for a project in a database or one holding logins, a public GeoPackage copy
        (without the logins and the session key) written into ``folder``."""
        from kumuhgis.store.transfer import copy_project, has_private_data

        store = self.store()
        path = getattr(store, "path", None)
        if path is not None and not has_private_data(store):
            return Path(path)
        out = folder / f"{store.name}.gpkg"
        copy_project(store, out, command="web: unduh proyek.gpkg", public=True)
        return out

    def basemap(self):
        from kumuhgis.outputs.raster import open_basemap

        if self.basemap_path is None:
            return None
        with self._lock:
            if self._basemap is None:
                self._basemap = open_basemap(self.basemap_path)
            return self._basemap


def _location(store: str | os.PathLike) -> str | Path:
    from kumuhgis.store import is_database_url

    return str(store) if is_database_url(store) else Path(store)


def init_app(app: Flask) -> None:
    app.extensions["kumuhgis"] = ProjectState(app.config.get("STORE"), app.config.get("BASEMAP"))


def project() -> ProjectState:
    return current_app.extensions["kumuhgis"]
