"""The OpenAPI 3.0 definition of a city's OGC API – Features (``/ogc/api``).

Every collection gets its own paths (``/collections/rt/items`` …), so its property filters
are listed with their types and clients find the paging limits where they look for them
(GDAL reads ``limit``'s ``default`` and ``maximum`` from the items path to choose its page
size). The document validates with ``openapi-spec-validator`` (tests/test_ogc.py).
"""

from __future__ import annotations

from kumuhgis.outputs.ogc import GEOJSON, HTML, JSON, OPENAPI, SCHEMA, Service, json_type
from kumuhgis.outputs.ogcquery import CRS84, LIMIT_DEFAULT, LIMIT_MAX

__all__ = ["openapi_document"]

_RESERVED = {"f", "lang", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime"}


def _parameters(svc: Service) -> dict:
    uris = list(svc.srs.uris)
    return {
        "f": {
            "name": "f",
            "in": "query",
            "required": False,
            "description": "Format: json (GeoJSON/JSON) atau/or html",
            "schema": {"type": "string", "enum": ["json", "html"]},
        },
        "lang": {
            "name": "lang",
            "in": "query",
            "required": False,
            "description": "Bahasa halaman HTML / language of HTML pages",
            "schema": {"type": "string", "enum": ["id", "en"]},
        },
        "limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": (
                f"Jumlah fitur per halaman (maks. {LIMIT_MAX}; lebih besar dijawab {LIMIT_MAX}) / "
                f"features per page (max {LIMIT_MAX}; a larger value is answered with {LIMIT_MAX})"
            ),
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": LIMIT_MAX,
                "default": LIMIT_DEFAULT,
            },
        },
        "offset": {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Lewati sekian fitur pertama / skip this many features",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
        "bbox": {
            "name": "bbox",
            "in": "query",
            "required": False,
            "description": "minx,miny,maxx,maxy (dalam/in bbox-crs, default CRS84)",
            "style": "form",
            "explode": False,
            "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        },
        "bbox-crs": {
            "name": "bbox-crs",
            "in": "query",
            "required": False,
            "description": "CRS of bbox",
            "schema": {"type": "string", "format": "uri", "enum": uris, "default": CRS84},
        },
        "crs": {
            "name": "crs",
            "in": "query",
            "required": False,
            "description": "CRS keluaran / output CRS",
            "schema": {"type": "string", "format": "uri", "enum": uris, "default": CRS84},
        },
        "datetime": {
            "name": "datetime",
            "in": "query",
            "required": False,
            "description": (
                "Waktu atau selang (RFC 3339; tahun saja boleh) / instant or interval "
                "(RFC 3339; a bare year works): 2019, 2019-05-01, 2018-01-01T00:00:00Z/.."
            ),
            "schema": {"type": "string"},
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "description": "Id fitur / feature id",
            "schema": {"type": "string"},
        },
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _content(*pairs: tuple[str, str]) -> dict:
    return {
        media: {"schema": {"$ref": f"#/components/schemas/{schema}"}} for media, schema in pairs
    }


def _responses(ok: dict, description: str) -> dict:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}
    return {
        "200": {"description": description, "content": ok},
        "400": {"description": "Parameter salah / bad parameter", "content": error},
        "404": {"description": "Tidak ada / not found", "content": error},
        "500": {"description": "Galat server / server error", "content": error},
    }


def _get(summary: str, op_id: str, ok: dict, params: list | None = None, tags=()) -> dict:
    op = {"summary": summary, "operationId": op_id, "responses": _responses(ok, summary)}
    if params:
        op["parameters"] = params
    if tags:
        op["tags"] = list(tags)
    return {"get": op}


def _collection_paths(svc: Service, name: str) -> dict:
    c = svc.collection(name)
    filters = [
        {
            "name": col,
            "in": "query",
            "required": False,
            "description": f"Sama dengan / equal to ({col})",
            "schema": json_type(kind),
        }
        for col, kind in c.value_kinds.items()
        if col not in _RESERVED
    ]
    base = f"/collections/{name}"
    html = (HTML, "html")
    items = [
        _ref(p) for p in ("limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f", "lang")
    ]
    return {
        base: _get(c.spec.title, f"{name}.collection", _content((JSON, "collection"), html), [_ref("f")], [name]),
        f"{base}/items": _get(
            f"Fitur / features: {c.spec.title}",
            f"{name}.items",
            _content((GEOJSON, "featureCollection"), html),
            items + filters,
            [name],
        ),
        f"{base}/items/{{featureId}}": _get(
            f"Satu fitur / one feature: {c.spec.title}",
            f"{name}.item",
            _content((GEOJSON, "feature"), html),
            [_ref("featureId"), _ref("crs"), _ref("f"), _ref("lang")],
            [name],
        ),
        f"{base}/queryables": _get(
            f"Queryables: {c.spec.title}", f"{name}.queryables", _content((SCHEMA, "jsonSchema")), None, [name]
        ),
        f"{base}/schema": _get(
            f"Skema / schema: {c.spec.title}", f"{name}.schema", _content((SCHEMA, "jsonSchema")), None, [name]
        ),
    }  # fmt: skip


def _schemas() -> dict:
    link = {
        "type": "object",
        "required": ["href"],
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
    }
    links = {"type": "array", "items": {"$ref": "#/components/schemas/link"}}
    obj = {"type": "object"}
    return {
        "link": link,
        "exception": {
            "type": "object",
            "required": ["code"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        },
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": links},
        },
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "links": links,
                "extent": obj,
                "itemType": {"type": "string"},
                "crs": {"type": "array", "items": {"type": "string"}},
                "storageCrs": {"type": "string"},
            },
        },
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}},
            },
        },
        "feature": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string"},
                "geometry": {"type": "object", "nullable": True},
                "properties": {"type": "object", "nullable": True},
                "links": links,
            },
        },
        "featureCollection": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": {"$ref": "#/components/schemas/feature"}},
                "links": links,
                "timeStamp": {"type": "string", "format": "date-time"},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
        "jsonSchema": obj,
        "html": {"type": "string"},
    }  # fmt: skip


def openapi_document(svc: Service) -> dict:
    """The OpenAPI 3.0.3 definition of ``svc`` (served as :data:`~kumuhgis.outputs.ogc.OPENAPI`)."""
    html = (HTML, "html")
    paths = {
        "/": _get("Halaman awal / landing page", "landing", _content((JSON, "landingPage"), html), [_ref("f"), _ref("lang")]),
        "/conformance": _get("Kelas kesesuaian / conformance", "conformance", _content((JSON, "confClasses"), html), [_ref("f"), _ref("lang")]),
        "/api": _get("Definisi API ini / this API definition", "api", {OPENAPI: {"schema": {"type": "object"}}, HTML: {"schema": {"type": "string"}}}, [_ref("f")]),
        "/collections": _get("Daftar koleksi / collections", "collections", _content((JSON, "collections"), html), [_ref("f"), _ref("lang")]),
    }  # fmt: skip
    for name in svc.catalog.names:
        paths.update(_collection_paths(svc, name))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"kumuhgis OGC API – Features — {svc.title}" if svc.title else "kumuhgis OGC API – Features",
            "version": "1.0.0",
            "description": (
                "Layer proyek kota kumuh dan tabel turunannya (nilai RT per tahun, status kolaborasi, "
                "temuan verifikasi SK) / the city's slum project layers and derived tables "
                "(RT scores per year, collaboration status, SK verification findings)"
            ),
            "license": {"name": "Data kota; lihat pengaturan proyek / city data; see the project settings"},
        },
        "servers": [{"url": svc.base_url}],
        "tags": [{"name": n, "description": svc.collection(n).spec.title} for n in svc.catalog.names],
        "paths": paths,
        "components": {"parameters": _parameters(svc), "schemas": _schemas()},
    }  # fmt: skip
