"""Open downloads: every collection of the city in six open formats.

The rows are those of :mod:`kumuhgis.outputs.catalog` (the seven layers as stored, RT
scores per year, kolaborasi with their status, SK verification findings), written by
:func:`kumuhgis.outputs.files.write_frame`:

==========  ===================================================================
``gpkg``    GeoPackage (OGC), CRS EPSG:4326; a table without geometry as an
            attribute table
``fgb``     FlatGeobuf, with its spatial index when every row has a geometry
``parquet`` GeoParquet (plain Parquet for a table without geometry)
``geojson`` GeoJSON (RFC 7946)
``csv``     UTF-8 CSV (with BOM, for Excel), geometry as a ``wkt`` column
``xlsx``    one Excel sheet, geometry as WKT (7 decimals, about 1 cm)
==========  ===================================================================
"""

from __future__ import annotations

from pathlib import Path

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.catalog import Catalog
from kumuhgis.outputs.files import write_frame

__all__ = ["DOWNLOAD_FORMATS", "FORMAT_NAMES", "write_collection"]

#: Download formats, in the order the Unduh page lists them.
DOWNLOAD_FORMATS: tuple[str, ...] = ("gpkg", "fgb", "parquet", "geojson", "csv", "xlsx")
#: The name a user knows each format by.
FORMAT_NAMES: dict[str, str] = {
    "gpkg": "GeoPackage",
    "fgb": "FlatGeobuf",
    "parquet": "GeoParquet",
    "geojson": "GeoJSON",
    "csv": "CSV",
    "xlsx": "XLSX",
}


def write_collection(catalog: Catalog, name: str, fmt: str, directory: str | Path) -> Path:
    """Write the collection ``name`` as ``<directory>/<name>.<fmt>`` and return the path.

    Raises
    ------
    UsageError
        Unknown format, or a collection this project does not have.
    """
    if fmt not in DOWNLOAD_FORMATS:
        raise UsageError(
            f"format '{fmt}' tidak tersedia; pilih {', '.join(DOWNLOAD_FORMATS)} / "
            f"format '{fmt}' is not available; use {', '.join(DOWNLOAD_FORMATS)}"
        )
    if name not in catalog:
        raise UsageError(
            f"data '{name}' tidak ada di proyek ini; pilih {', '.join(catalog.names)} / "
            f"this project has no '{name}'; use {', '.join(catalog.names)}"
        )
    path = Path(directory) / f"{name}.{fmt}"
    return write_frame(catalog.get(name).frame, path, layer=name)
