"""The city project store: one interface, a GeoPackage or a PostGIS database behind it
(contracts.md "The store").

Everything above this layer opens a project through :func:`open_store` /
:func:`create_store` (a ``.gpkg`` path or a ``postgresql://`` URL) and reads it whole
through :func:`kumuhgis.store.snapshot.load_snapshot`.
"""

from kumuhgis.core.schema import STORAGE_CRS, empty_frame
from kumuhgis.store.backend import (
    create_store,
    is_database_url,
    new_store,
    open_store,
    project_exists,
)
from kumuhgis.store.geopackage import GeoPackageStore
from kumuhgis.store.interface import (
    AUDIT_COLUMNS,
    AUDIT_TABLE,
    META_TABLE,
    SCHEMA_VERSION,
    Store,
    coerce_to_schema,
    current_user,
)

__all__ = [
    "AUDIT_COLUMNS",
    "AUDIT_TABLE",
    "META_TABLE",
    "SCHEMA_VERSION",
    "STORAGE_CRS",
    "GeoPackageStore",
    "Store",
    "coerce_to_schema",
    "create_store",
    "current_user",
    "empty_frame",
    "is_database_url",
    "new_store",
    "open_store",
    "project_exists",
]
