"""Unduh: layers as GeoPackage, GeoJSON, zipped Shapefile, XLSX, CSV; reports; the
offline map; the whole project file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, render_template, send_file

from kumuhgis.outputs import dashboard, webmap

from ..i18n import current_lang
from ..state import project
from .args import accepts

bp = Blueprint("unduh", __name__)

_MIME = {
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "html": "text/html",
}


@bp.get("/unduh")
@accepts()
def unduh():
    data = project().map_data()
    counts = {k: len(getattr(data, k)) for k in webmap.LAYER_KEYS}
    counts["sk_kumuh"] = len(data.sk)
    counts["baseline"] = (
        int(len(data.scores[data.scores["asal"] == "observed"])) if "asal" in data.scores else 0
    )
    return render_template(
        "unduh.html",
        layers=dashboard.DOWNLOAD_LAYERS,
        reports=dashboard.DOWNLOAD_REPORTS,
        counts=counts,
        classified=data.kolaborasi_classified,
        has_baseline=bool(data.years),
        has_sk=bool(len(data.sk)),
        page="unduh",
    )


@bp.get("/unduh/<name>.<fmt>")
@accepts()
def download(name: str, fmt: str):
    p = project()
    if name not in dashboard.DOWNLOAD_LAYERS and name not in dashboard.DOWNLOAD_REPORTS:
        abort(404)
    data = p.map_data()
    with tempfile.TemporaryDirectory(prefix="kumuhgis-unduh-") as tmp:
        path = dashboard.write_download(
            p.snapshot(), data, name, fmt, Path(tmp), lang=current_lang()
        )
        body = path.read_bytes()
    stem = (data.kota or "proyek").replace(" ", "_").replace("/", "_")
    filename = f"{stem}_{name}.{fmt}"
    import io

    return send_file(
        io.BytesIO(body),
        mimetype=_MIME.get(fmt, "application/octet-stream"),
        as_attachment=True,
        download_name=filename,
    )


@bp.get("/unduh/proyek.gpkg")
@accepts()
def project_file():
    with tempfile.TemporaryDirectory(prefix="kumuhgis-unduh-") as tmp:
        path = project().project_file(Path(tmp))
        if not path.is_relative_to(tmp):  # the project file itself: streamed
            return send_file(
                path, mimetype=_MIME["gpkg"], as_attachment=True, download_name=path.name
            )
        body = path.read_bytes()
    import io

    return send_file(
        io.BytesIO(body), mimetype=_MIME["gpkg"], as_attachment=True, download_name=path.name
    )
