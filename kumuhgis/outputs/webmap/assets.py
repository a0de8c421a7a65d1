"""The map's scripts and styles as local files: nothing is fetched from another host.

Offline rule: with no basemap chosen the page requests nothing from any other host.
Folium's default CDN links are either mapped onto the vendored copies in
``app/static/vendor`` or dropped when kumuhgis does not use them (jQuery, Bootstrap,
Font Awesome, awesome-markers); any other external link is an error (:class:`AssetError`).
:func:`localize_assets` points a Folium map's links at the app's static files (served
page) or at :data:`ASSET_PREFIX` placeholders that :func:`inline_assets` replaces with
the files' contents (one self-contained page).
"""

from __future__ import annotations

import base64
import importlib.util
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kumuhgis.core.errors import KumuhgisError

__all__ = [
    "ASSET_PREFIX",
    "AssetError",
    "static_dir",
    "localize_assets",
    "external_urls",
    "inline_assets",
]

#: A link to a file of ``app/static`` that :func:`inline_assets` replaces by its contents.
ASSET_PREFIX = "kumuhgis-asset:"


class AssetError(KumuhgisError, RuntimeError):
    """A map element links a script or style that kumuhgis does not ship (it would need
    the internet)."""


# Folium/branca CDN links → vendored file (relative to app/static), or None: not used by
# the kumuhgis map, dropped. Anything else is refused (AssetError).
_CDN_ASSETS: dict[str, str | None] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "vendor/leaflet-1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "vendor/leaflet-1.9.3/leaflet.css",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": "vendor/leaflet.fullscreen-3.0.0/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": "vendor/leaflet.fullscreen-3.0.0/Control.FullScreen.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": None,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": None,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": None,
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": None,
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": None,
}


def static_dir() -> Path:
    """The folder of the viewer's static files (``app/static``), found without importing
    the Flask package."""
    spec = importlib.util.find_spec("app")
    candidates = []
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "static" for p in spec.submodule_search_locations]
    candidates.append(Path(__file__).resolve().parents[3] / "app" / "static")  # the source tree
    for c in candidates:
        if (c / "kumuhgis" / "map.js").is_file():
            return c
    raise AssetError(
        "berkas statis peta (app/static) tidak ditemukan / the map's static files (app/static) are missing"
    )


def _walk(element) -> Iterable[Any]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def localize_assets(element, asset_url: Callable[[str], str]) -> None:
    """Point every script and style link of a Folium/branca tree at local files.

    Each element's ``default_js``/``default_css`` (the links it adds to the page header)
    is rewritten on the instance: a CDN URL that kumuhgis vendors becomes
    ``asset_url(relative path)``, one it does not use is dropped, a local
    ``kumuhgis-asset:`` path is resolved, anything else raises :class:`AssetError`.
    """
    for el in _walk(element.get_root() if hasattr(element, "get_root") else element):
        for attr in ("default_js", "default_css"):
            links = getattr(el, attr, None)
            if not links:
                continue
            new = []
            for name, url in links:
                if url.startswith(ASSET_PREFIX):
                    new.append((name, asset_url(url[len(ASSET_PREFIX) :])))
                    continue
                if url not in _CDN_ASSETS:
                    raise AssetError(
                        f"{type(el).__name__} memuat {url}, yang tidak disertakan kumuhgis / "
                        f"{type(el).__name__} links {url}, which kumuhgis does not ship"
                    )
                local = _CDN_ASSETS[url]
                if local is not None:
                    new.append((name, asset_url(local)))
            setattr(el, attr, new)


_SRC_ATTR = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed|input)\b[^>]*?\bsrc\s*=\s*["']((?:https?:)?//[^"']+)["']""",
    re.IGNORECASE,
)
_LINK_ATTR = re.compile(
    r"""<link\b[^>]*?\bhref\s*=\s*["']((?:https?:)?//[^"']+)["']""", re.IGNORECASE
)
_CSS_URL = re.compile(r"""url\(\s*["']?((?:https?:)?//[^"')]+)""", re.IGNORECASE)
_IMPORT = re.compile(r"""@import\s+["']((?:https?:)?//[^"']+)""", re.IGNORECASE)


def external_urls(html: str) -> list[str]:
    """Every URL on another host that a page would load by itself: the ``src`` of scripts,
    images and frames, ``<link href>``, CSS ``url()`` and ``@import``. Links a user may
    click (``<a href>``) and tile URL templates inside scripts (loaded only when the user
    picks that basemap) are not loads, so they are not listed."""
    found = (
        _SRC_ATTR.findall(html)
        + _LINK_ATTR.findall(html)
        + _CSS_URL.findall(html)
        + _IMPORT.findall(html)
    )
    return sorted(set(found))


def _data_uri(path: Path) -> str:
    mime = {
        ".png": "image/png",
        ".svg": "image/svg+xml",
        ".jpg": "image/jpeg",
        ".gif": "image/gif",
        ".woff2": "font/woff2",
    }.get(path.suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css(path: Path) -> str:
    text = path.read_text("utf-8")

    def repl(m: re.Match) -> str:
        ref = m.group(1).strip("'\"")
        if ref.startswith(("data:", "#", "http:", "https:", "//")):
            return m.group(0)
        target = (path.parent / ref).resolve()
        if not target.is_file():
            raise AssetError(f"{path.name}: {ref} tidak ada / missing")
        return f"url({_data_uri(target)})"

    return re.sub(r"url\(([^)]+)\)", repl, text)


def _script_safe(text: str) -> str:
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def inline_assets(html: str, *, root: Path | None = None) -> str:
    """Replace ``<script src="kumuhgis-asset:…">`` and ``<link href="kumuhgis-asset:…">``
    by the files' contents (CSS images become ``data:`` URIs): one self-contained page."""
    root = root or static_dir()

    def js(m: re.Match) -> str:
        p = root / m.group(1)
        return "<script>" + _script_safe(p.read_text("utf-8")) + "\n</script>"

    def css(m: re.Match) -> str:
        p = root / m.group(1)
        return "<style>" + _inline_css(p).replace("</style", "<\\/style") + "\n</style>"

    prefix = re.escape(ASSET_PREFIX)
    html = re.sub(r'<script src="' + prefix + r'([^"]+)"></script>', js, html)
    html = re.sub(r'<link rel="stylesheet" href="' + prefix + r'([^"]+)"\s*/?>', css, html)
    if ASSET_PREFIX in html:
        raise AssetError("aset lokal tersisa di halaman / a local asset link was not inlined")
    return html
