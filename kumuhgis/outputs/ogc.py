"""OGC API – Features for one city: landing page, conformance, collections, items.

The documents of OGC API – Features Part 1 (core, GeoJSON, HTML, OpenAPI 3.0), Part 2 (CRS
by reference) and Part 3 (queryables, as query parameters), built from a
:class:`~kumuhgis.outputs.catalog.Catalog` (the seven layers and the derived collections of
one snapshot). Everything is plain data: the web app (``app/views/ogc.py``) parses a
request, calls one function here and returns the JSON, or renders it with its HTML
template. Nothing here knows Flask.

Features carry the stored values unchanged: numbers as JSON numbers (floats written with
the shortest text that reads back to the same double), text as text, missing values as
``null``, geometry coordinates in full precision, so a client that copies a collection
gets the store's rows (contracts.md "The store"). Feature ids are the layer's key
(:mod:`kumuhgis.outputs.catalog`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from json.encoder import encode_basestring  # the C encoder json.dumps uses
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd
import shapely

from kumuhgis.outputs.catalog import Catalog, Collection
from kumuhgis.outputs.ogcquery import CRS84, CitySRS, ItemsQuery, city_srs

__all__ = [
    "CONFORMANCE",
    "DOWNLOAD_MEDIA",
    "GEOJSON",
    "HTML",
    "JSON",
    "OPENAPI",
    "SCHEMA",
    "Service",
    "collection_document",
    "collections_document",
    "conformance_document",
    "feature_schema",
    "item_document",
    "items_document",
    "json_type",
    "landing_document",
    "queryables_document",
]

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"

_OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
_TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

#: Conformance classes this service implements.
CONFORMANCE: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
)

#: Open download formats (extension → media type), linked from each collection as
#: ``enclosure`` (:mod:`kumuhgis.outputs.downloads`).
DOWNLOAD_MEDIA: dict[str, str] = {
    "gpkg": "application/geopackage+sqlite3",
    "fgb": "application/flatgeobuf",
    "parquet": "application/vnd.apache.parquet",
    "geojson": GEOJSON,
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Service:
    """One city's OGC API: its collections, the URL it is served at (``…/ogc``, no
    trailing slash), the CRSs it offers and, optionally, where its downloads live
    (``…/unduh/data``; ``{name}.{fmt}`` is appended)."""

    catalog: Catalog
    base_url: str
    title: str
    downloads_url: str | None = None

    @cached_property
    def srs(self) -> CitySRS:
        return city_srs(self.catalog)

    def url(self, path: str = "", **params: str) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{query}"

    def collection(self, name: str) -> Collection:
        return self.catalog.get(name)


def _link(href: str, rel: str, media: str, title: str = "") -> dict:
    link = {"href": href, "rel": rel, "type": media}
    if title:
        link["title"] = title
    return link


def _self_links(svc: Service, path: str, media: str = JSON) -> list[dict]:
    return [
        _link(svc.url(path), "self", media, "dokumen ini / this document"),
        _link(svc.url(path, f="html"), "alternate", HTML, "sebagai HTML / as HTML"),
    ]


# --------------------------------------------------------------------------- metadata


def landing_document(svc: Service) -> dict:
    """The landing page: what the service is and where the API, conformance and data are."""
    return {
        "title": f"kumuhgis — {svc.title}" if svc.title else "kumuhgis",
        "description": (
            "Data kawasan kumuh kota (layer proyek dan tabel turunan) sebagai OGC API – Features / "
            "The city's slum data (project layers and derived tables) as OGC API – Features"
        ),
        "links": [
            *_self_links(svc, "/"),
            _link(svc.url("/api"), "service-desc", OPENAPI, "definisi API / API definition"),
            _link(svc.url("/api", f="html"), "service-doc", HTML, "dokumentasi API / API docs"),
            _link(svc.url("/conformance"), "conformance", JSON, "kelas kesesuaian / conformance"),
            _link(svc.url("/conformance"), _OGC_REL + "conformance", JSON),
            _link(svc.url("/collections"), "data", JSON, "koleksi / collections"),
            _link(svc.url("/collections"), _OGC_REL + "data", JSON),
        ],
    }


def conformance_document(svc: Service) -> dict:
    return {"conformsTo": list(CONFORMANCE), "links": _self_links(svc, "/conformance")}


def _extent(c: Collection) -> dict:
    extent: dict = {}
    if c.bbox is not None:
        extent["spatial"] = {"bbox": [list(c.bbox)], "crs": CRS84}
    if c.interval is not None:
        extent["temporal"] = {"interval": [list(c.interval)], "trs": _TRS}
    return extent


def _collection_links(svc: Service, name: str) -> list[dict]:
    base = f"/collections/{name}"
    links = [
        *_self_links(svc, base),
        _link(svc.url(f"{base}/items"), "items", GEOJSON, "fitur / features"),
        _link(svc.url(f"{base}/items", f="html"), "items", HTML, "fitur (HTML) / features (HTML)"),
        _link(svc.url(f"{base}/schema"), "describedby", SCHEMA, "skema fitur / feature schema"),
        _link(svc.url(f"{base}/queryables"), _OGC_REL + "queryables", SCHEMA, "queryables"),
    ]
    if svc.downloads_url:
        for fmt, media in DOWNLOAD_MEDIA.items():
            href = f"{svc.downloads_url}/{name}.{fmt}"
            links.append(_link(href, "enclosure", media, f"unduh / download ({fmt})"))
    return links


def collection_document(svc: Service, name: str) -> dict:
    """One collection's metadata (Part 1 ``collection`` with Part 2 ``crs``/``storageCrs``)."""
    c = svc.collection(name)
    doc = {
        "id": name,
        "title": c.spec.title,
        "description": c.spec.description,
        "itemType": "feature",
        "links": _collection_links(svc, name),
        "extent": _extent(c),
        "crs": list(svc.srs.uris),
        "storageCrs": CRS84,
    }
    if not doc["extent"]:
        del doc["extent"]
    return doc


def collections_document(svc: Service) -> dict:
    docs = [collection_document(svc, n) for n in svc.catalog.names]
    return {
        "links": _self_links(svc, "/collections"),
        "collections": docs,
        "crs": list(svc.srs.uris),
    }


def json_type(kind: str) -> dict:
    """JSON Schema of a value kind (:attr:`~kumuhgis.outputs.catalog.Collection.value_kinds`)."""
    if kind in ("date", "date-time"):
        return {"type": "string", "format": kind}
    return {"type": kind}


def _property_schemas(c: Collection) -> dict:
    return {col: {"title": col, **json_type(kind)} for col, kind in c.value_kinds.items()}


def queryables_document(svc: Service, name: str) -> dict:
    """The properties a client may filter on with ``?<property>=<value>`` (Part 3)."""
    c = svc.collection(name)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": svc.url(f"/collections/{name}/queryables"),
        "type": "object",
        "title": c.spec.title,
        "properties": _property_schemas(c),
        "additionalProperties": False,
    }


def feature_schema(svc: Service, name: str) -> dict:
    """A JSON Schema of one GeoJSON feature of the collection (the ``describedby`` link; GDAL
    takes the field types from it). Any property may also be ``null``."""
    c = svc.collection(name)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": svc.url(f"/collections/{name}/schema"),
        "title": c.spec.title,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"type": "object"},
            "properties": {"type": "object", "properties": _property_schemas(c)},
        },
    }


# --------------------------------------------------------------------------- features


def _fragments(series: pd.Series) -> list[str]:
    """``"name":value`` JSON text of every value of a column (``null`` for missing and
    non-finite values; floats as ``repr``, the shortest text that reads back exactly)."""
    head = encode_basestring(str(series.name)) + ":"
    null = head + "null"
    missing = series.isna().to_numpy(dtype=bool).tolist()
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        values = series.to_numpy(dtype=object, na_value=False).tolist()
        return [
            null if m else head + ("true" if v else "false")
            for v, m in zip(values, missing, strict=True)
        ]
    if pd.api.types.is_integer_dtype(dtype):
        values = series.to_numpy(dtype="int64", na_value=0).tolist()
        return [null if m else head + str(v) for v, m in zip(values, missing, strict=True)]
    if pd.api.types.is_float_dtype(dtype):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(arr).tolist()
        return [head + repr(v) if o else null for v, o in zip(arr.tolist(), ok, strict=True)]
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return [
            null if m else head + encode_basestring(v.isoformat())
            for v, m in zip(series, missing, strict=True)
        ]
    out = []
    for v, m in zip(series.to_numpy(dtype=object).tolist(), missing, strict=True):
        if m:
            out.append(null)
        elif isinstance(v, str):
            out.append(head + encode_basestring(v))
        elif isinstance(v, bool | int | float):
            out.append(head + json.dumps(v, allow_nan=False))
        else:
            out.append(head + encode_basestring(str(v)))
    return out


_PROPERTIES: weakref.WeakKeyDictionary[Collection, list[str]] = weakref.WeakKeyDictionary()
_PROPERTIES_LOCK = threading.Lock()


def _properties(c: Collection) -> list[str]:
    """The ``properties`` object of every row as JSON text, encoded once per collection
    (a page is then a join of ready strings)."""
    with _PROPERTIES_LOCK:
        texts = _PROPERTIES.get(c)
        if texts is None:
            columns = [_fragments(c.frame[col]) for col in c.columns]
            texts = ["{" + ",".join(parts) + "}" for parts in zip(*columns, strict=True)]
            if not columns:
                texts = ["{}"] * len(c.frame)
            _PROPERTIES[c] = texts
        return texts


def _features(svc: Service, c: Collection, rows: np.ndarray, crs: str) -> list[str]:
    """GeoJSON text of the features at ``rows`` (geometry in ``crs``)."""
    if not len(rows):
        return []
    props = _properties(c)
    geoms = c.geometry
    if geoms is None:
        gtext = ["null"] * len(rows)
    else:
        texts = shapely.to_geojson(svc.srs.to_output(geoms[rows], crs))
        gtext = [t if t is not None else "null" for t in texts]
    return [
        f'{{"type":"Feature","id":{encode_basestring(fid)},"geometry":{g},"properties":{props[r]}}}'
        for fid, g, r in zip(c.ids[rows].tolist(), gtext, rows.tolist(), strict=True)
    ]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _page_url(svc: Service, path: str, given: Iterable[tuple[str, str]], **change) -> str:
    params = [(k, v) for k, v in given if k not in change]
    params += [(k, str(v)) for k, v in change.items() if v is not None]
    return f"{svc.base_url}{path}?{urlencode(params)}" if params else svc.url(path)


def items_document(svc: Service, name: str, query: ItemsQuery) -> str:
    """One page of ``/collections/{name}/items`` as GeoJSON text: the features matching
    the filters, in store order, from ``offset``, at most ``limit``; ``numberMatched``,
    ``numberReturned`` and ``next``/``prev`` links that repeat every other parameter."""
    c = svc.collection(name)
    matched = c.select(boxes=query.boxes, interval=query.interval, equals=query.equals)
    rows = matched[query.offset : query.offset + query.limit]
    path = f"/collections/{name}/items"
    given = query.given
    links = [
        _link(_page_url(svc, path, given), "self", GEOJSON, "halaman ini / this page"),
        _link(_page_url(svc, path, given, f="html"), "alternate", HTML, "sebagai HTML / as HTML"),
        _link(svc.url(f"/collections/{name}"), "collection", JSON, c.spec.title),
    ]
    if query.offset + len(rows) < len(matched):
        nxt = _page_url(svc, path, given, offset=query.offset + len(rows))
        links.append(_link(nxt, "next", GEOJSON, "halaman berikut / next page"))
    if query.offset > 0:
        prev = _page_url(svc, path, given, offset=max(0, query.offset - query.limit))
        links.append(_link(prev, "prev", GEOJSON, "halaman sebelumnya / previous page"))
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "numberMatched": int(len(matched)),
            "numberReturned": int(len(rows)),
            "timeStamp": _now(),
            "links": links,
        },
        ensure_ascii=False,
    )
    features = ",".join(_features(svc, c, rows, query.crs))
    return f'{head[:-1]},"features":[{features}]}}'


def item_document(svc: Service, name: str, feature_id: str, crs: str = CRS84) -> str | None:
    """One feature as GeoJSON text with its links, ``None`` when the id is unknown."""
    c = svc.collection(name)
    pos = c.position_of(feature_id)
    if pos is None:
        return None
    text = _features(svc, c, np.array([pos]), crs)[0]
    path = f"/collections/{name}/items/{quote(feature_id, safe='')}"
    params = {} if crs == CRS84 else {"crs": crs}
    links = [
        _link(svc.url(path, **params), "self", GEOJSON, "fitur ini / this feature"),
        _link(svc.url(path, **params, f="html"), "alternate", HTML, "sebagai HTML / as HTML"),
        _link(svc.url(f"/collections/{name}"), "collection", JSON, c.spec.title),
    ]
    return f'{text[:-1]},"links":{json.dumps(links, ensure_ascii=False)}}}'
