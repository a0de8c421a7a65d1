"""The project behind the app: the store, the map data read from it (cached until the file
changes) and the optional basemap. Held in ``app.extensions["kumuhgis"]``."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from flask import Flask, current_app

from kumuhgis.errors import ProjectNotFoundError

__all__ = ["ProjectState", "init_app", "project"]


class ProjectState:
    """Opens the store per request (cheap) and keeps one :class:`kumuhgis.maps.MapData`
    per version of the file (modification time and size)."""

    def __init__(
        self, store_path: str | os.PathLike | None, basemap_path: str | os.PathLike | None
    ):
        self.store_path = Path(store_path) if store_path else None
        self.basemap_path = Path(basemap_path) if basemap_path else None
        self._lock = threading.Lock()
        self._data = None
        self._data_key = None
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
        if self.store_path is None or not self.store_path.exists():
            return ""
        st = self.store_path.stat()
        return f"{st.st_mtime_ns}-{st.st_size}"

    def map_data(self):
        """The project's map data, read again only when the file changed (a ``stat`` per
        request; tile requests must not open the GeoPackage)."""
        from kumuhgis.maps import load_map_data

        key = self.version_key()
        with self._lock:
            if self._data is not None and self._data_key == key:
                return self._data
        data = load_map_data(self.store(), version_key=key)
        with self._lock:
            self._data, self._data_key = data, key
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
        from kumuhgis.raster import open_basemap

        if self.basemap_path is None:
            return None
        with self._lock:
            if self._basemap is None:
                self._basemap = open_basemap(self.basemap_path)
            return self._basemap


def init_app(app: Flask) -> None:
    app.extensions["kumuhgis"] = ProjectState(app.config.get("STORE"), app.config.get("BASEMAP"))


def project() -> ProjectState:
    return current_app.extensions["kumuhgis"]
