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
``ANONYMOUS_READ``
    Whether pages may be read without a login (default: the project setting
    ``baca_tanpa_login``, else yes for a GeoPackage and no for a database).
``SECRET_KEY``
    The key that signs sessions (default: the project's own, kept in its meta).

Without a ``config`` (a WSGI server calling ``create_app()``, e.g. ``waitress-serve --call
app:create_app``) the keys come from the environment: ``KUMUHGIS_STORE``,
``KUMUHGIS_BASEMAP``, ``KUMUHGIS_LANG``, ``KUMUHGIS_ANONYMOUS_READ`` (``1``/``0``) and
``KUMUHGIS_SECRET_KEY``.

One blueprint per page group (``app/views``): peta (map), ringkasan (dashboard),
verifikasi (SK verification), kolaborasi (the Korkot's list), unduh (downloads), tentang
(about), api (JSON behind the map), health (``/healthz``), masuk (login) and ubah (the
edits: uploads, Korkot decisions, memorandum, targets; :mod:`app.accounts` guards them
with roles and CSRF). Each view parses the
request, calls one core function and renders; only this package maps exceptions to HTTP
status codes (:mod:`app.errors`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["create_app"]

_ENV = {
    "STORE": "KUMUHGIS_STORE",
    "BASEMAP": "KUMUHGIS_BASEMAP",
    "LANG": "KUMUHGIS_LANG",
    "ANONYMOUS_READ": "KUMUHGIS_ANONYMOUS_READ",
    "SECRET_KEY": "KUMUHGIS_SECRET_KEY",
}


def _from_environment() -> dict[str, Any]:
    config: dict[str, Any] = {}
    for key, var in _ENV.items():
        value = os.environ.get(var, "").strip()
        if value:
            config[key] = value
    if "ANONYMOUS_READ" in config:
        config["ANONYMOUS_READ"] = config["ANONYMOUS_READ"].lower() in ("1", "ya", "yes", "true")
    return config


def _flask_class():
    from flask import Flask

    class KumuhgisFlask(Flask):
        """Flask whose session key, unless configured, is the project's own, read (or
        made) only when a session or a CSRF token needs it."""

        @property
        def secret_key(self):
            key = self.config.get("SECRET_KEY")
            if not key:
                from .accounts import project_secret

                key = self.config["SECRET_KEY"] = project_secret(self)
            return key

        @secret_key.setter
        def secret_key(self, value):
            self.config["SECRET_KEY"] = value

    return KumuhgisFlask


def create_app(config: Mapping[str, Any] | None = None):
    """Build the viewer application (Flask) for one city project."""
    from . import accounts, cache, errors, i18n, state
    from .views import BLUEPRINTS

    app = _flask_class()(__name__)
    app.config.from_mapping(
        STORE=None,
        BASEMAP=None,
        LANG="id",
        SEARCH_LIMIT=20,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        MAX_CONTENT_LENGTH=200 * 1024 * 1024,  # an upload (a zipped Shapefile, a GeoPackage)
        SESSION_COOKIE_NAME="kumuhgis_sesi",
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=12 * 3600,
    )
    app.config.update(_from_environment() if config is None else dict(config))
    if app.config["LANG"] not in i18n.LANGS:
        raise ValueError(f"LANG must be one of {i18n.LANGS}, not {app.config['LANG']!r}")
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    state.init_app(app)
    accounts.init_app(app)
    i18n.init_app(app)
    cache.init_app(app)
    errors.init_app(app)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    return app
