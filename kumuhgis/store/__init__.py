"""The city project store: one interface, a GeoPackage behind it (contracts.md "The store").

Everything above this layer opens a project through :func:`open_store` / :func:`create_store`
and reads it whole through :func:`kumuhgis.store.snapshot.load_snapshot`.
"""

from kumuhgis.core.schema import STORAGE_CRS
from kumuhgis.store.geopackage import (
    AUDIT_TABLE,
    META_TABLE,
    SCHEMA_VERSION,
    GeoPackageStore,
    Store,
    coerce_to_schema,
    create_store,
    current_user,
    empty_frame,
    open_store,
)

__all__ = [
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
    "open_store",
]
