"""The project behind the app: the store, the map data read from it (cached until the file
changes) and the optional basemap. Held in ``app.extensions["kumuhgis"]``."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from flask import Flask, current_app

from kumuhgis.core.errors import ProjectNotFoundError

__all__ = ["ProjectState", "init_app", "project"]


class ProjectState:
    """Opens the store per request (cheap) and keeps one city snapshot
    (:class:`kumuhgis.core.snapshot.CitySnapshot`) and one :class:`kumuhgis.outputs.maps.MapData`
    per version of the project (:meth:`kumuhgis.store.Store.version`): the project is read
    once per version, whatever the number of pages and tiles asked."""

    def __init__(
        self, store_path: str | os.PathLike | None, basemap_path: str | os.PathLike | None
    ):
        # a .gpkg path, or a postgresql:// URL (kept as text: a URL is not a path)
        self.store_path = _location(store_path) if store_path else None
        self.basemap_path = Path(basemap_path) if basemap_path else None
        self._lock = threading.Lock()
        self._data = None
        self._data_key = None
        self._snapshot = None
        self._basemap = None
        self._cache: dict = {}

    def store(self):
        from kumuhgis.store import open_store

        if self.store_path is None:
            raise ProjectNotFoundError(
                "Aplikasi belum diberi proyek (STORE) / the app was given no project (STORE)"
            )
        return open_store(self.store_path)

    def version_key(self) -> str:
        if self.store_path is None:
            return ""
        if isinstance(self.store_path, Path) and not self.store_path.exists():
            return ""
        return self.store().version()

    def snapshot(self):
        """The project read whole, again only when it changed (a ``stat`` per request)."""
        from kumuhgis.store.snapshot import load_snapshot

        key = self.version_key()
        with self._lock:
            if self._snapshot is not None and self._snapshot.version == key:
                return self._snapshot
        snap = load_snapshot(self.store())
        with self._lock:
            self._snapshot = snap
        return snap

    def map_data(self):
        """The project's map data, built again only when the project changed (tile requests
        must not open the GeoPackage)."""
        from kumuhgis.outputs.maps import load_map_data

        key = self.version_key()
        with self._lock:
            if self._data is not None and self._data_key == key:
                return self._data
        snap = self.snapshot()
        data = load_map_data(snap)
        with self._lock:
            self._data, self._data_key = data, snap.version
            self._cache = {}
        return data

    def cached(self, name: tuple, build):
        """A value computed once per store version (dashboards, reports)."""
        key = (self.version_key(), *name)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = build()
        with self._lock:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = value
        return value

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
