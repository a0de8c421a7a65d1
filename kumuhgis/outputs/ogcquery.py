"""The query parameters of OGC API – Features, read and checked.

Every parameter of ``/collections/{id}/items`` and ``/items/{featureId}`` is validated here:
``limit``, ``offset``, ``bbox``, ``bbox-crs``, ``crs``, ``datetime``, ``f`` and the
property filters (one per attribute column, Part 3 "queryables as query parameters"). A bad
value or an unknown parameter raises :class:`~kumuhgis.core.errors.UsageError` with a
message in Bahasa Indonesia and English (the web app answers 400), never anything else.

CRS by reference (OGC API – Features Part 2): a city publishes CRS84 (longitude, latitude;
the default and the storage order, domain.md §10), EPSG:4326 (latitude, longitude, as the
EPSG register defines its axes) and the SRGI2013 UTM zone of the city's centre
(:func:`kumuhgis.geo.crs.srgi2013_utm_epsg`, e.g. EPSG:9489 for zone 49S).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from kumuhgis.core.errors import UsageError
from kumuhgis.geo.crs import srgi2013_utm_epsg
from kumuhgis.outputs.catalog import CATALOG, Catalog, Collection

__all__ = [
    "CRS84",
    "LIMIT_DEFAULT",
    "LIMIT_MAX",
    "CitySRS",
    "ItemsQuery",
    "city_srs",
    "parse_format",
    "parse_item_query",
    "parse_items_query",
    "property_value",
]

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
#: Features per page when ``limit`` is not given (OGC API – Features Part 1 default).
LIMIT_DEFAULT = 10
#: The largest page; a larger ``limit`` is answered with this many features.
LIMIT_MAX = 10_000

_COMMON = ("f", "lang")
_ITEMS = ("limit", "offset", "bbox", "bbox-crs", "crs", "datetime")
_FORMATS = {"json": "json", "geojson": "json", "html": "html"}


def _bad(id_text: str, en_text: str) -> UsageError:
    return UsageError(f"{id_text} / {en_text}")


# --------------------------------------------------------------------------- CRS


@dataclass(frozen=True)
class CitySRS:
    """The CRSs a city's collections are offered in: URI → pyproj CRS, in order."""

    uris: tuple[str, ...]
    utm_epsg: int

    def crs(self, uri: str) -> CRS:
        return CRS.from_user_input("OGC:CRS84") if uri == CRS84 else CRS.from_epsg(_epsg(uri))

    def resolve(self, name: str, raw: str) -> str:
        """The URI of a ``crs``/``bbox-crs`` value (URI, ``[EPSG:n]``, ``EPSG:n``, ``OGC:CRS84``)."""
        text = raw.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        text = text.replace("https://", "http://", 1)
        m = re.fullmatch(r"(?i)EPSG:(\d+)", text)
        if m:
            text = EPSG_URI.format(int(m.group(1)))
        elif text.upper() in ("OGC:CRS84", "CRS84"):
            text = CRS84
        if text not in self.uris:
            raise _bad(
                f"{name}={raw!r} tidak didukung; pilih salah satu: {', '.join(self.uris)}",
                f"{name}={raw!r} is not supported; use one of: {', '.join(self.uris)}",
            )
        return text

    def to_output(self, geoms: np.ndarray, uri: str) -> np.ndarray:
        """Geometries (lon/lat, EPSG:4326) in the CRS ``uri`` with its axis order."""
        if uri == CRS84 or not len(geoms):
            return geoms
        if _epsg(uri) == 4326:
            return shapely.transform(geoms, lambda xy: xy[:, ::-1])
        return np.asarray(gpd.GeoSeries(geoms, crs=4326).to_crs(self.crs(uri)).values, dtype=object)

    def bbox_to_lonlat(self, box: tuple[float, ...], uri: str) -> list[tuple[float, ...]]:
        """A ``bbox`` given in ``uri`` as boxes in longitude/latitude (two when a CRS84 box
        crosses the antimeridian)."""
        if uri == CRS84 or _epsg(uri) == 4326:
            w, s, e, n = box if uri == CRS84 else (box[1], box[0], box[3], box[2])
            if s > n:
                raise _bad(
                    "bbox: batas selatan lebih besar dari batas utara",
                    "bbox: the southern edge is larger than the northern edge",
                )
            if not (-90 <= s <= 90 and -90 <= n <= 90 and -180 <= w <= 180 and -180 <= e <= 180):
                raise _bad(
                    "bbox di luar rentang bujur/lintang (-180..180, -90..90)",
                    "bbox outside the longitude/latitude range (-180..180, -90..90)",
                )
            return [(w, s, e, n)] if w <= e else [(w, s, 180.0, n), (-180.0, s, e, n)]
        w, s, e, n = box
        if w > e or s > n:
            raise _bad(
                "bbox: minimum lebih besar dari maksimum", "bbox: a minimum exceeds its maximum"
            )
        t = Transformer.from_crs(self.crs(uri), 4326, always_xy=True)
        return [tuple(float(v) for v in t.transform_bounds(w, s, e, n, densify_pts=21))]


def _epsg(uri: str) -> int:
    return int(uri.rsplit("/", 1)[1])


def city_srs(catalog: Catalog) -> CitySRS:
    """CRS84, EPSG:4326 and the SRGI2013 UTM zone at the centre of every layer's extent."""
    boxes = [catalog.get(n).bbox for n in catalog.names if not CATALOG[n].derived]
    boxes = [b for b in boxes if b is not None]
    if boxes:
        b = np.array(boxes)
        lon = (b[:, 0].min() + b[:, 2].max()) / 2
        lat = (b[:, 1].min() + b[:, 3].max()) / 2
        epsg = srgi2013_utm_epsg(float(lon), float(lat))
    else:
        epsg = srgi2013_utm_epsg(112.95, -2.54)  # no geometry yet: any zone will do
    return CitySRS((CRS84, EPSG_URI.format(4326), EPSG_URI.format(epsg)), epsg)


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class ItemsQuery:
    """A checked ``items`` request. ``boxes`` are in longitude/latitude; ``interval`` is
    inclusive at both ends (``NaT``-free, open ends at the extremes of ``datetime64[s]``)."""

    fmt: str = "json"
    limit: int = LIMIT_DEFAULT
    offset: int = 0
    boxes: list[tuple[float, ...]] | None = None
    interval: tuple[np.datetime64, np.datetime64] | None = None
    equals: dict[str, object] = field(default_factory=dict)
    crs: str = CRS84
    # the parameters as given (what ``next``/``prev`` links repeat)
    given: tuple[tuple[str, str], ...] = ()


def _single(pairs: Iterable[tuple[str, str]], allowed: Iterable[str]) -> dict[str, str]:
    allowed = list(allowed)
    out: dict[str, str] = {}
    for key, value in pairs:
        if key not in allowed:
            raise _bad(
                f"parameter '{key}' tidak dikenal; yang boleh: {', '.join(allowed)}",
                f"unknown parameter '{key}'; allowed: {', '.join(allowed)}",
            )
        if key in out:
            raise _bad(f"parameter '{key}' diberikan dua kali", f"parameter '{key}' given twice")
        out[key] = value
    return out


def _format(raw: str | None) -> str:
    if raw is None:
        return ""
    fmt = _FORMATS.get(raw.strip().lower())
    if fmt is None:
        raise _bad(
            f"f={raw!r} tidak dikenal; pilih json atau html",
            f"f={raw!r} is unknown; use json or html",
        )
    return fmt


def _int(name: str, raw: str, *, minimum: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise _bad(
            f"{name}={raw!r} bukan bilangan bulat", f"{name}={raw!r} is not an integer"
        ) from None
    if value < minimum:
        raise _bad(
            f"{name}={raw!r} harus paling kecil {minimum}",
            f"{name}={raw!r} must be at least {minimum}",
        )
    return value


def _bbox(raw: str) -> tuple[float, ...]:
    parts = [p.strip() for p in raw.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) not in (4, 6) or not all(math.isfinite(v) for v in values):
        raise _bad(
            f"bbox={raw!r} harus 4 (atau 6) angka: minx,miny,maxx,maxy",
            f"bbox={raw!r} must be 4 (or 6) numbers: minx,miny,maxx,maxy",
        )
    if len(values) == 6:  # minx,miny,minz,maxx,maxy,maxz: heights are not filtered
        values = [values[0], values[1], values[3], values[4]]
    return tuple(values)


_FAR_PAST = np.datetime64("0001-01-01T00:00:00", "s")
_FAR_FUTURE = np.datetime64("9999-12-31T23:59:59", "s")


def _instant(text: str, *, end: bool) -> np.datetime64:
    """One end of a ``datetime``: a date-time (UTC), a date (its whole day) or a year."""
    t = text.strip()
    if t in ("", ".."):
        return _FAR_FUTURE if end else _FAR_PAST
    if re.fullmatch(r"\d{4}", t):
        year = np.datetime64(t, "Y")
        return (
            (year + 1).astype("datetime64[s]") - np.timedelta64(1, "s")
            if end
            else year.astype("datetime64[s]")
        )
    t = t.rstrip("T")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
            day = np.datetime64(dt.date.fromisoformat(t), "s")
            return day + np.timedelta64(86399, "s") if end else day
        stamp = dt.datetime.fromisoformat(t.replace("z", "Z"))
    except ValueError:
        raise ValueError(text) from None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return np.datetime64(stamp, "s")


def _datetime(raw: str) -> tuple[np.datetime64, np.datetime64]:
    parts = raw.split("/")
    try:
        if len(parts) == 1:
            if parts[0].strip() in ("", ".."):
                raise ValueError(raw)
            lo, hi = _instant(parts[0], end=False), _instant(parts[0], end=True)
        elif len(parts) == 2 and any(p.strip() not in ("", "..") for p in parts):
            lo, hi = _instant(parts[0], end=False), _instant(parts[1], end=True)
        else:
            raise ValueError(raw)
    except ValueError:
        raise _bad(
            f"datetime={raw!r} tidak dikenal; contoh: 2019, 2019-05-01, "
            "2018-01-01T00:00:00Z/2019-12-31T23:59:59Z, ../2019-12-31",
            f"datetime={raw!r} is not understood; e.g. 2019, 2019-05-01, "
            "2018-01-01T00:00:00Z/2019-12-31T23:59:59Z, ../2019-12-31",
        ) from None
    if lo > hi:
        raise _bad(
            f"datetime={raw!r}: awal sesudah akhir", f"datetime={raw!r}: the start is after the end"
        )
    return lo, hi


def property_value(collection: Collection, column: str, raw: str) -> object:
    """A property filter's value converted to the column's type (exact comparison)."""
    dtype = collection.frame[column].dtype
    text = raw.strip()
    try:
        if pd.api.types.is_bool_dtype(dtype):
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(raw)
            return text.lower() in ("true", "1")
        if pd.api.types.is_integer_dtype(dtype):
            return int(text)
        if pd.api.types.is_float_dtype(dtype):
            value = float(text)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
    except ValueError:
        raise _bad(
            f"{column}={raw!r} bukan nilai yang sah untuk kolom bertipe {dtype}",
            f"{column}={raw!r} is not a valid value for a column of type {dtype}",
        ) from None
    return raw


def parse_items_query(
    collection: Collection, pairs: Iterable[tuple[str, str]], srs: CitySRS
) -> ItemsQuery:
    """Check the parameters of ``/collections/{id}/items`` (see the module docstring)."""
    pairs = list(pairs)
    columns = collection.columns
    args = _single(pairs, [*_COMMON, *_ITEMS, *[c for c in columns if c not in _ITEMS + _COMMON]])
    limit = (
        min(_int("limit", args["limit"], minimum=1), LIMIT_MAX)
        if "limit" in args
        else LIMIT_DEFAULT
    )
    offset = _int("offset", args["offset"], minimum=0) if "offset" in args else 0
    crs = srs.resolve("crs", args["crs"]) if "crs" in args else CRS84
    bbox_crs = srs.resolve("bbox-crs", args["bbox-crs"]) if "bbox-crs" in args else CRS84
    boxes = srs.bbox_to_lonlat(_bbox(args["bbox"]), bbox_crs) if "bbox" in args else None
    interval = None
    if "datetime" in args:
        interval = _datetime(args["datetime"])
        if collection.spec.time_column is None:
            raise _bad(
                f"koleksi '{collection.name}' tidak punya waktu; datetime tidak berlaku",
                f"collection '{collection.name}' has no time; datetime does not apply",
            )
    equals = {
        c: property_value(collection, c, args[c])
        for c in columns
        if c in args and c not in _ITEMS + _COMMON
    }
    return ItemsQuery(
        fmt=_format(args.get("f")),
        limit=limit,
        offset=offset,
        boxes=boxes,
        interval=interval,
        equals=equals,
        crs=crs,
        given=tuple((k, v) for k, v in pairs if k != "f"),
    )


def parse_item_query(pairs: Iterable[tuple[str, str]], srs: CitySRS) -> tuple[str, str]:
    """``(format, crs URI)`` of a single-feature request (``f``, ``lang``, ``crs``)."""
    args = _single(pairs, [*_COMMON, "crs"])
    crs = srs.resolve("crs", args["crs"]) if "crs" in args else CRS84
    return _format(args.get("f")), crs


def parse_format(pairs: Iterable[tuple[str, str]]) -> str:
    """The format of a metadata request (landing page, conformance, collections, API),
    which takes ``f`` and ``lang`` only; ``""`` when not given."""
    return _format(_single(pairs, _COMMON).get("f"))
