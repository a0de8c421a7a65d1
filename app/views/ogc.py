"""OGC API – Features at ``/ogc`` (README "Open standards"): each view parses the request,
calls one function of :mod:`kumuhgis.outputs.ogc` and answers JSON/GeoJSON or the HTML
page (``f=html``, or a browser's ``Accept``).

Errors under ``/ogc`` are OGC exception documents, ``{"code": ..., "description": ...}``,
with the message in Bahasa Indonesia and English: 400 for a bad parameter, 404 for an
unknown collection, feature or path, 503 without a project.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, abort, render_template, request
from werkzeug.exceptions import HTTPException

from kumuhgis.core.errors import KumuhgisError
from kumuhgis.outputs import ogc
from kumuhgis.outputs.catalog import Catalog, Collection
from kumuhgis.outputs.ogcquery import CRS84, parse_format, parse_item_query, parse_items_query
from kumuhgis.outputs.openapi import openapi_document

from ..errors import status_for
from ..state import project

__all__ = ["bp", "city_catalog", "service"]

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
log = logging.getLogger("kumuhgis.app")


def city_catalog() -> Catalog:
    """The project's collections, built once per version of the project."""
    p = project()
    return p.cached(("ogc-catalog",), lambda: Catalog(p.snapshot()))


def service() -> ogc.Service:
    catalog = city_catalog()
    root = request.url_root.rstrip("/")
    return ogc.Service(
        catalog, f"{root}/ogc", catalog.snapshot.kota, downloads_url=f"{root}/unduh/data"
    )


def _pairs() -> list[tuple[str, str]]:
    return list(request.args.items(multi=True))


def _wants_html(fmt: str) -> bool:
    if fmt:
        return fmt == "html"
    best = request.accept_mimetypes.best_match(
        [ogc.JSON, ogc.GEOJSON, ogc.HTML, ogc.OPENAPI], default=ogc.JSON
    )
    return best == ogc.HTML


def _json(body: str | dict, media: str = ogc.JSON, *, crs: str | None = None) -> Response:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    resp = Response(text, content_type=media)
    if crs is not None:
        resp.headers["Content-Crs"] = f"<{crs}>"
    return resp


def _html(kind: str, doc: dict, **extra) -> str:
    return render_template("ogc.html", kind=kind, doc=doc, page="ogc", **extra)


def _collection(svc: ogc.Service, name: str) -> Collection:
    if name not in svc.catalog:
        abort(
            404,
            description=(
                f"koleksi '{name}' tidak ada; pilih {', '.join(svc.catalog.names)} / "
                f"no collection '{name}'; choose {', '.join(svc.catalog.names)}"
            ),
        )
    return svc.collection(name)


def _document(kind: str, doc: dict, fmt: str, media: str = ogc.JSON):
    return _html(kind, doc) if _wants_html(fmt) else _json(doc, media)


@bp.get("/")
@bp.get("")
def landing():
    fmt = parse_format(_pairs())
    return _document("landing", ogc.landing_document(service()), fmt)


@bp.get("/conformance")
def conformance():
    fmt = parse_format(_pairs())
    return _document("conformance", ogc.conformance_document(service()), fmt)


@bp.get("/api")
def api():
    fmt = parse_format(_pairs())
    return _document("api", openapi_document(service()), fmt, ogc.OPENAPI)


@bp.get("/collections")
def collections():
    fmt = parse_format(_pairs())
    return _document("collections", ogc.collections_document(service()), fmt)


_METADATA = {
    "collection": (ogc.collection_document, ogc.JSON),
    "queryables": (ogc.queryables_document, ogc.SCHEMA),
    "schema": (ogc.feature_schema, ogc.SCHEMA),
}


@bp.get("/collections/<name>", defaults={"part": "collection"})
@bp.get("/collections/<name>/<any(queryables, schema):part>")
def collection(name: str, part: str):
    """A collection's metadata, its queryables (Part 3) or its feature schema."""
    svc = service()
    _collection(svc, name)
    fmt = parse_format(_pairs())
    build, media = _METADATA[part]
    return _document(
        "collection" if part == "collection" else "schema", build(svc, name), fmt, media
    )


@bp.get("/collections/<name>/items")
def items(name: str):
    svc = service()
    query = parse_items_query(_collection(svc, name), _pairs(), svc.srs)
    text = ogc.items_document(svc, name, query)
    if _wants_html(query.fmt):
        title = svc.collection(name).spec.title
        return _html("items", json.loads(text), name=name, title=title, crs=query.crs, crs84=CRS84)
    return _json(text, ogc.GEOJSON, crs=query.crs)


@bp.get("/collections/<name>/items/<path:feature_id>")
def item(name: str, feature_id: str):
    svc = service()
    _collection(svc, name)
    fmt, crs = parse_item_query(_pairs(), svc.srs)
    text = ogc.item_document(svc, name, feature_id, crs)
    if text is None:
        abort(
            404,
            description=(
                f"fitur '{feature_id}' tidak ada di koleksi '{name}' / "
                f"no feature '{feature_id}' in collection '{name}'"
            ),
        )
    if _wants_html(fmt):
        title = svc.collection(name).spec.title
        return _html("item", json.loads(text), name=name, title=title, crs=crs, crs84=CRS84)
    return _json(text, ogc.GEOJSON, crs=crs)


@bp.get("/<path:rest>")
def unknown(rest: str):
    abort(404, description=f"'/ogc/{rest}' tidak ada / '/ogc/{rest}' does not exist")


_CODES = {
    400: "InvalidParameterValue",
    404: "NotFound",
    405: "MethodNotAllowed",
    503: "ServiceUnavailable",
}


@bp.errorhandler(Exception)
def _error(exc: BaseException):
    code = status_for(exc)
    if isinstance(exc, HTTPException):
        message = exc.description or exc.name
    elif isinstance(exc, KumuhgisError) or code < 500:
        message = str(exc)
    else:
        message = "kesalahan tak terduga di server / unexpected server error"
    if code >= 500:
        log.exception("error on %s", request.path)
    if request.args.get("f") == "html" or (not request.args.get("f") and _wants_html("")):
        return render_template("error.html", code=code, message=message), code
    body = {"code": _CODES.get(code, "ServerError"), "description": message}
    return Response(json.dumps(body, ensure_ascii=False), status=code, content_type=ogc.JSON)
