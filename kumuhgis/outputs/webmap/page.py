"""The viewer's Folium map: basemaps, fullscreen and the kumuhgis layers script, all local.

:func:`build_map` makes the map from a :func:`~kumuhgis.outputs.webmap.config.map_config`;
:func:`map_parts` renders it into the three parts the app's page template places. The
one-file export (:mod:`kumuhgis.outputs.webmap.export`) renders the same map whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kumuhgis.outputs.webmap.assets import (
    ASSET_PREFIX,
    AssetError,
    external_urls,
    localize_assets,
)
from kumuhgis.outputs.webmap.data import MapData
from kumuhgis.outputs.webmap.mercator import MAX_ZOOM

__all__ = ["MapParts", "build_map", "map_parts"]


def _js_json(value: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _kumuhgis_element(config: dict, base_names: dict[str, str]):
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from folium.template import Template

    class KumuhgisLayers(JSCSSMixin, MacroElement):
        """Loads the kumuhgis map script and starts it on the Folium map."""

        default_js = [("kumuhgis_map_js", ASSET_PREFIX + "kumuhgis/map.js")]
        default_css = [("kumuhgis_map_css", ASSET_PREFIX + "kumuhgis/map.css")]
        _template = Template(
            """
            {% macro script(this, kwargs) %}
            window.kumuhgisMap = KG.init({{ this._parent.get_name() }}, {{ this.config_json }}, {
            {%- for label, name in this.base_names.items() %}
                {{ label|tojson }}: {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
            });
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "KumuhgisLayers"
            self.config_json = _js_json(config)
            self.base_names = base_names

    return KumuhgisLayers()


def _local_basemap(local_basemap: Mapping[str, Any], text: Mapping[str, str], *, show: bool):
    """The app's local basemap (MBTiles/GeoTIFF tiles) as a Folium tile layer, drawn past
    its own deepest zoom up to :data:`MAX_ZOOM` and only inside its bounds."""
    import folium

    opts: dict[str, Any] = {
        "max_zoom": MAX_ZOOM,
        "max_native_zoom": int(local_basemap.get("max_zoom", 19)),
    }
    if local_basemap.get("bounds"):
        w, s, e, n = local_basemap["bounds"]
        opts["bounds"] = [[s, w], [n, e]]
    if local_basemap.get("min_zoom") is not None:
        opts["min_native_zoom"] = int(local_basemap["min_zoom"])
    return folium.TileLayer(
        tiles=local_basemap["url"],
        attr=str(local_basemap.get("attribution") or text["base_local"]),
        name=str(local_basemap.get("name") or text["base_local"]),
        overlay=False,
        control=False,
        show=show,
        **opts,
    )


def build_map(
    data: MapData,
    *,
    config: dict,
    asset_url: Callable[[str], str],
    local_basemap: Mapping[str, Any] | None = None,
):
    """The Folium map of the viewer: no default tiles, an OpenStreetMap layer that is only
    loaded when chosen, an optional local basemap (MBTiles/GeoTIFF served by the app),
    fullscreen, and the kumuhgis layers script (layers, legend, metric scale bar, search,
    filters, print layout) started with ``config``
    (:func:`kumuhgis.outputs.webmap.config.map_config`). Every script and style link goes
    through ``asset_url`` (:func:`kumuhgis.outputs.webmap.assets.localize_assets`).

    ``local_basemap``: ``{"url": "/peta/dasar/{z}/{x}/{y}.png", "name": ..., "attribution":
    ..., "min_zoom": .., "max_zoom": .., "bounds": [w, s, e, n]}``.
    """
    import folium
    from folium import plugins

    text = config["text"]
    b = data.bounds
    center = [(b[1] + b[3]) / 2, (b[0] + b[2]) / 2] if b is not None else [-2.5, 118.0]
    m = folium.Map(
        location=center,
        zoom_start=13 if b is not None else 5,
        tiles=None,
        control_scale=False,  # the kumuhgis script adds a metric-only scale bar
        max_zoom=MAX_ZOOM,
        width="100%",
        height="100%",
    )
    bases: dict[str, str] = {}
    osm = folium.TileLayer(
        "OpenStreetMap",
        name=text["base_osm"],
        overlay=False,
        control=False,
        show=config.get("base_default") == "osm",
        max_zoom=MAX_ZOOM,
        max_native_zoom=19,
    )
    osm.add_to(m)
    bases["osm"] = osm.get_name()
    if local_basemap:
        local = _local_basemap(local_basemap, text, show=config.get("base_default") == "local")
        local.add_to(m)
        bases["local"] = local.get_name()
    plugins.Fullscreen(
        position="topleft", title="Layar penuh / Full screen", title_cancel=text["close"]
    ).add_to(m)
    _kumuhgis_element(config, bases).add_to(m)
    # Folium's own map defaults we do not use (jQuery, Bootstrap, icon fonts) are dropped here.
    localize_assets(m, asset_url)
    return m


@dataclass(frozen=True)
class MapParts:
    """A rendered Folium map split for a page template: ``header`` (links and styles),
    ``html`` (the map element) and ``script`` (the code that builds the map)."""

    header: str
    html: str
    script: str


def map_parts(m) -> MapParts:
    """Render a Folium map into the three parts a page template places itself."""
    fig = m.get_root()
    fig.render()
    parts = MapParts(header=fig.header.render(), html=fig.html.render(), script=fig.script.render())
    bad = [u for u in external_urls(parts.header + parts.html) if u]
    if bad:
        raise AssetError(f"tautan luar di halaman peta / external links in the map page: {bad}")
    return parts
