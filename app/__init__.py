"""kumuhgis web viewer: a thin Flask package over :mod:`kumuhgis.outputs.webmap`.

``create_app(config=None)`` builds the application; nothing is read or built at import
time. Config keys:

``STORE``
    The city project: a GeoPackage path or a ``postgresql://`` URL (a PostGIS project,
    see :mod:`kumuhgis.store.database`). Required to show anything.
``BASEMAP``
    Optional GeoTIFF (``.tif``) or MBTiles (``.mbtiles``) served as a local basemap.
``LANG``
    Default page language, ``id`` (Bahasa Indonesia) or ``en``.

One blueprint per page group (``app/views``): peta (map), ringkasan (dashboard),
verifikasi (SK verification), kolaborasi (the Korkot's list), unduh (downloads), tentang
(about), api (JSON behind the map) and health (``/healthz``). Each view parses the
request, calls one core function and renders; only this package maps exceptions to HTTP
status codes (:mod:`app.errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None):
    """Build the viewer application (Flask) for one city project."""
    from flask import Flask

    from . import errors, i18n, state
    from .views import BLUEPRINTS

    app = Flask(__name__)
    app.config.from_mapping(
        STORE=None,
        BASEMAP=None,
        LANG="id",
        SEARCH_LIMIT=20,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    if config:
        app.config.update(dict(config))
    if app.config["LANG"] not in i18n.LANGS:
        raise ValueError(f"LANG must be one of {i18n.LANGS}, not {app.config['LANG']!r}")
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    state.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    return app
