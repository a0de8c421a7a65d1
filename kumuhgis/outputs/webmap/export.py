"""The city map as one self-contained HTML file (``kumuhgis export-map``, the Unduh page).

Every script, style and icon is inlined and every layer embedded, so the page opens from a
USB stick with the network off (contracts.md, ``export-map``).
"""

from __future__ import annotations

import html as _html

from kumuhgis.outputs.webmap.assets import ASSET_PREFIX, AssetError, external_urls, inline_assets
from kumuhgis.outputs.webmap.config import map_config
from kumuhgis.outputs.webmap.data import MapData
from kumuhgis.outputs.webmap.page import build_map
from kumuhgis.outputs.webmap.text import map_text

__all__ = ["export_map_html"]


def export_map_html(
    data: MapData,
    *,
    lang: str = "id",
    year: int | None = None,
    no_sk: str | None = None,
) -> str:
    """One self-contained HTML page of the city map that works with the network off.

    Every script, style and icon is inlined; every layer is embedded as GeoJSON (RT,
    delineasi and kelurahan boundaries simplified to 0.5–1 m) with the RT levels of every
    year, so the year, SK version and filters work without a server. OpenStreetMap stays
    available as a basemap for when the laptop is online.
    """
    config = map_config(data, mode="embedded", lang=lang, year=year, no_sk=no_sk)
    m = build_map(data, config=config, asset_url=lambda p: ASSET_PREFIX + p)
    fig = m.get_root()
    title = map_text(lang)["title"] + (f" — {data.kota}" if data.kota else "")
    fig.title = title
    html = fig.render()
    html = html.replace(
        "<head>", '<head>\n<meta charset="utf-8">\n<title>' + _html.escape(title) + "</title>", 1
    )
    html = inline_assets(html)
    bad = external_urls(html)
    if bad:
        raise AssetError(f"tautan luar tersisa / external links left: {bad}")
    return html
