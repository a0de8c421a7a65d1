"""``/healthz``: the app is up and its project readable, with the versions of kumuhgis and
its geospatial stack.

200 ``{"status": "ok", ...}``; 503 ``{"status": "error", "error": <why>, ...}`` when the
project cannot be read (the file is gone, is not a kumuhgis GeoPackage, cannot be opened or
is damaged), so a monitor sees it before a user does.
"""

from __future__ import annotations

from importlib.metadata import version

from flask import Blueprint, jsonify

from kumuhgis.outputs.dashboard import software_versions

from ..state import project
from .args import accepts

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@accepts()
def healthz():
    versions = software_versions()
    versions["flask"] = version("flask")
    problem = project().problem()
    if problem is not None:
        return jsonify({"status": "error", "error": problem, "versions": versions}), 503
    return jsonify({"status": "ok", "versions": versions})
