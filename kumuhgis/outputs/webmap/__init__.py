"""The city's slum layers as a web map: data for the viewer, tiles, the Folium page, export.

This package is the core of the web viewer (``app``) and of ``kumuhgis export-map``; it
never imports Flask and never opens a store or reads an input file (conventions.md "Shape
of the code"; the import contracts of pyproject.toml). The caller reads the project once
into a :class:`kumuhgis.core.snapshot.CitySnapshot`; the app parses requests, calls one
function here and renders the result.

Modules, from the bottom up:

=============  ==========================================================================
``mercator``   web-mercator tile math (EPSG:3857, 256-px tiles, XYZ numbering)
``style``      colours of the RT levels and kolaborasi statuses, infrastructure icons
``text``       interface texts and popup fields (Bahasa Indonesia / English)
``data``       :class:`MapData` and :func:`load_map_data`: what the viewer shows, from a
               snapshot (RT levels per year, RT → kawasan, kolaborasi status, SK versions)
``features``   each layer as a frame and as GeoJSON with filters; the RT under a point
``tiles``      RT vector tiles (quarter-pixel rings; RTs under 8 px as a PNG raster)
``search``     kelurahan, kawasan, RT and kolaborasi by name or code
``assets``     scripts and styles as local files (the offline rule), inlining
``config``     the settings the browser script starts from
``page``       the Folium map and its parts for the app's page template
``export``     one self-contained HTML file that works with the network off
``image``      a PNG for a projector or an A3 print
=============  ==========================================================================

The other pages' figures (dashboard, Korkot list, downloads) are in
:mod:`kumuhgis.outputs.dashboard`; the local basemap in :mod:`kumuhgis.outputs.raster`.
"""

from kumuhgis.outputs.webmap.assets import (
    AssetError,
    external_urls,
    inline_assets,
    localize_assets,
    static_dir,
)
from kumuhgis.outputs.webmap.config import map_config
from kumuhgis.outputs.webmap.data import MapData, load_map_data
from kumuhgis.outputs.webmap.export import export_map_html
from kumuhgis.outputs.webmap.features import (
    ID_COLUMNS,
    LAYER_KEYS,
    check_select,
    layer_geojson,
    parse_bbox,
    rt_at,
)
from kumuhgis.outputs.webmap.image import render_map_image
from kumuhgis.outputs.webmap.mercator import (
    MAX_ZOOM,
    TILE_SIZE,
    check_tile,
    lonlat_to_mercator,
    mercator_to_lonlat,
    tile_bounds,
    tile_bounds_lonlat,
    tiles_for_bounds,
)
from kumuhgis.outputs.webmap.page import MapParts, build_map, map_parts
from kumuhgis.outputs.webmap.search import search
from kumuhgis.outputs.webmap.style import (
    LEVEL_CODES,
    LEVEL_COLORS,
    STATUS_CODES,
    STATUS_COLORS,
    infra_style,
)
from kumuhgis.outputs.webmap.text import map_text
from kumuhgis.outputs.webmap.tiles import rt_tile

__all__ = [
    "TILE_SIZE",
    "MAX_ZOOM",
    "LEVEL_CODES",
    "LEVEL_COLORS",
    "STATUS_CODES",
    "STATUS_COLORS",
    "LAYER_KEYS",
    "ID_COLUMNS",
    "AssetError",
    "MapData",
    "MapParts",
    "load_map_data",
    "lonlat_to_mercator",
    "mercator_to_lonlat",
    "tile_bounds",
    "tile_bounds_lonlat",
    "tiles_for_bounds",
    "check_tile",
    "layer_geojson",
    "parse_bbox",
    "check_select",
    "rt_tile",
    "rt_at",
    "search",
    "infra_style",
    "map_config",
    "build_map",
    "map_parts",
    "localize_assets",
    "external_urls",
    "inline_assets",
    "static_dir",
    "export_map_html",
    "render_map_image",
    "map_text",
]
