"""One way to name a project, whatever keeps it: a ``.gpkg`` path or a ``postgresql://``
URL (contracts.md "The store": the GeoPackage is the embedded default, PostGIS the
server deployment). Every caller opens, creates or tests a project through these."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

import kumuhgis.store.geopackage as geopackage
from kumuhgis.store.database import is_database_url
from kumuhgis.store.interface import Store

__all__ = ["create_store", "is_database_url", "new_store", "open_store", "project_exists"]


def open_store(location: str | os.PathLike) -> Store:
    """Open an existing project: a GeoPackage file or a database URL.

    Raises :class:`~kumuhgis.core.errors.ProjectNotFoundError` when there is none and
    :class:`~kumuhgis.core.errors.StoreError` when it cannot be read.
    """
    if is_database_url(location):
        import kumuhgis.store.postgis as postgis

        return postgis.open_store(str(location))
    return geopackage.open_store(location)


def create_store(
    location: str | os.PathLike,
    *,
    kota: str = "",
    settings: dict | None = None,
    layers: dict[str, pd.DataFrame] | None = None,
    overwrite: bool = False,
    command: str = "create",
) -> Store:
    """Create a project (meta, settings, first audit row) with ``layers``, all in one
    all-or-nothing write. Refuses an existing project unless ``overwrite``."""
    kwargs = dict(kota=kota, settings=settings, layers=layers, overwrite=overwrite, command=command)
    if is_database_url(location):
        import kumuhgis.store.postgis as postgis

        return postgis.create_store(str(location), **kwargs)
    return geopackage.create_store(location, **kwargs)


def project_exists(location: str | os.PathLike) -> bool:
    """Whether ``location`` holds a project already (a file that exists, a database
    schema with the bookkeeping tables)."""
    if is_database_url(location):
        import kumuhgis.store.postgis as postgis

        return postgis.project_exists(str(location))
    return Path(location).exists()


def new_store(location: str | os.PathLike) -> Store:
    """A handle on a project that may not exist yet, to create it with
    ``transaction(create=True)``."""
    if is_database_url(location):
        import kumuhgis.store.postgis as postgis

        return postgis.PostGISStore(str(location))
    return geopackage.GeoPackageStore(location)
