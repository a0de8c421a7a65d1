"""``/healthz``: the app is up, with the versions of kumuhgis and its geospatial stack."""

from __future__ import annotations

from importlib.metadata import version

from flask import Blueprint, jsonify

from kumuhgis.outputs.dashboard import software_versions

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    versions = software_versions()
    versions["flask"] = version("flask")
    return jsonify({"status": "ok", "versions": versions})
