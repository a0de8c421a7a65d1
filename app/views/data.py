"""Open downloads (README "Open standards"): every layer and derived table in GeoPackage,
FlatGeobuf, GeoParquet, GeoJSON, CSV and XLSX.

``/unduh/data`` lists them (linked from the Unduh page) with the OGC API address for QGIS;
``/unduh/data/<name>.<fmt>`` and ``/api/data/<name>.<fmt>`` send one file;
``GET /api/data`` lists the collections with their download URLs as JSON.
"""

from __future__ import annotations

import io
import tempfile

from flask import Blueprint, abort, jsonify, render_template, send_file, url_for

from kumuhgis.outputs.catalog import CATALOG
from kumuhgis.outputs.downloads import DOWNLOAD_FORMATS, FORMAT_NAMES, write_collection
from kumuhgis.outputs.ogc import DOWNLOAD_MEDIA

from .args import accepts
from .ogc import city_catalog

bp = Blueprint("data", __name__)


def _rows() -> list[dict]:
    """One row per collection: name, title, stored row count (derived tables: not counted
    here, they are computed on first download) and the download URLs."""
    catalog = city_catalog()
    rows = []
    for name in catalog.names:
        spec = CATALOG[name]
        rows.append(
            {
                "name": name,
                "title": spec.title,
                "derived": spec.derived,
                "count": None if spec.derived else len(catalog.get(name).frame),
                "ogc": url_for("ogc.collection", name=name, _external=True),
                "downloads": {
                    fmt: url_for("data.download", name=name, fmt=fmt, _external=True)
                    for fmt in DOWNLOAD_FORMATS
                },
            }
        )
    return rows


@bp.get("/unduh/data")
@accepts()
def page():
    return render_template(
        "data.html",
        rows=_rows(),
        formats=FORMAT_NAMES,
        ogc_url=url_for("ogc.landing", _external=True),
        page="unduh",
    )


@bp.get("/api/data")
@accepts()
def index():
    return jsonify({"ogc": url_for("ogc.landing", _external=True), "collections": _rows()})


@bp.get("/unduh/data/<name>.<fmt>")
@bp.get("/api/data/<name>.<fmt>")
@accepts()
def download(name: str, fmt: str):
    catalog = city_catalog()
    if name not in catalog:
        abort(
            404,
            description=(
                f"data '{name}' tidak ada; pilih {', '.join(catalog.names)} / "
                f"no data '{name}'; choose {', '.join(catalog.names)}"
            ),
        )
    with tempfile.TemporaryDirectory(prefix="kumuhgis-data-") as tmp:
        body = write_collection(catalog, name, fmt, tmp).read_bytes()
    stem = (catalog.snapshot.kota or "proyek").replace(" ", "_").replace("/", "_")
    return send_file(
        io.BytesIO(body),
        mimetype=DOWNLOAD_MEDIA[fmt],
        as_attachment=True,
        download_name=f"{stem}_{name}.{fmt}",
    )
