"""Query parameters of the views: what each may be, declared once, checked on every request.

:data:`PARAMS` is the one table of the viewer's query parameters, their kind and allowed
range (documented in app/README.md, "Query parameters"). A view names the parameters it
takes with :func:`accepts`; a parameter it does not take, one given twice, or a value of the
wrong kind or out of range is a :class:`UsageError` (HTTP 400 with a message in Bahasa
Indonesia and English, :mod:`app.errors`), never a 500 and never silently ignored. An
empty value (``tahun=``, what a form's "all" option sends) means "not given".
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import request

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.webmap import parse_bbox

from ..i18n import LANGS

__all__ = [
    "PARAMS",
    "Param",
    "accepts",
    "bbox_arg",
    "check_query",
    "choice_arg",
    "flag_arg",
    "float_arg",
    "int_arg",
    "str_arg",
]


@dataclass(frozen=True)
class Param:
    """One query parameter: ``kind`` (int, float, text, choice, flag or bbox), the inclusive
    range ``low``–``high`` of a number, the values of a choice, the longest text."""

    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    max_len: int = 200


_YEAR = Param("int", 1900, 2100)
_TEXT = Param("text")
#: Values of a flag that mean yes / no.
FLAG_YES, FLAG_NO = ("1", "ya", "true"), ("0", "tidak", "false")

#: Every query parameter a view reads (the attribute filters of ``/api/layers/<layer>``
#: are the layer's columns, checked against the layer).
PARAMS: dict[str, Param] = {
    "tahun": _YEAR,  # a year with RT conditions (pages, rt layer, tiles) or a filter value
    "dari": _YEAR,
    "sampai": _YEAR,
    "limit": Param("int", 1, 1_000_000),  # features of a layer, hits of a search
    # decimals of the coordinates: 3 ≈ 110 m (the coarsest the map asks; fewer would round
    # an RT of 100 m away), 15 the last a float64 degree holds
    "precision": Param("int", 3, 15),
    # Douglas–Peucker tolerance in metres; 100 km is more than half a pixel at zoom 0 (78 km)
    "simplify": Param("float", 0, 100_000),
    "lon": Param("float", -180, 180),
    "lat": Param("float", -90, 90),
    "bbox": Param("bbox", -180, 180),  # west,south,east,north: lon and lat ranges as above
    "q": _TEXT,
    "no_sk": _TEXT,
    "kel": _TEXT,
    "sumber_dana": _TEXT,
    "status": _TEXT,
    "pilih": _TEXT,  # LAYER:ID
    "next": _TEXT,  # where the login page returns to (a path of this app only)
    "baris": _TEXT,  # the memorandum row the edit page opens
    "ubah": _TEXT,  # kode_kegiatan whose override form the Kolaborasi page opens (login)
    "ukuran": _TEXT,  # proyektor or a3 (kumuhgis.outputs.webmap.render_map_image)
    "dasar": Param("choice", choices=("none", "osm", "local")),
    "semua": Param("flag", choices=FLAG_YES + FLAG_NO),
    "lang": Param("choice", choices=LANGS),
}

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def accepts(*names: str, columns: bool = False) -> Callable:
    """Decorate a view that takes the query parameters ``names`` (and ``lang``, every page's
    language); with ``columns=True`` any other name is an attribute filter the view checks.

    Refused with a :class:`UsageError`: a name given twice, a name the view does not take.
    """
    for name in names:
        if name not in PARAMS:
            raise KeyError(f"query parameter {name!r} is not declared in app.views.args.PARAMS")
    allowed = (*names, "lang")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            check_query(allowed, columns=columns)
            return view(*args, **kwargs)

        checked.query_params = allowed  # what the view takes, for tests and documentation
        return checked

    return decorate


def check_query(allowed: tuple[str, ...], *, columns: bool = False) -> None:
    """The request's query string against the names a view takes (see :func:`accepts`)."""
    for name, values in request.args.lists():
        if len(values) > 1:
            raise UsageError(
                f"parameter {_shown(name)} diberikan {len(values)} kali; berikan sekali / "
                f"parameter {_shown(name)} given {len(values)} times; give it once"
            )
        if name not in allowed and not columns:
            raise UsageError(
                f"parameter {_shown(name)} tidak dikenal; yang diterima: {', '.join(allowed)} / "
                f"unknown parameter {_shown(name)}; accepted: {', '.join(allowed)}"
            )
    choice_arg("lang")


def _raw(name: str) -> str:
    return request.args.get(name, "").strip()


def _shown(raw: str) -> str:
    """A value as quoted in a message: at most 40 characters."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _span(p: Param) -> str:
    return f"{_number(p.low)}–{_number(p.high)}"


def _in_range(name: str, value: float, raw: str) -> None:
    p = PARAMS[name]
    if (p.low is not None and value < p.low) or (p.high is not None and value > p.high):
        span = _span(p)
        raise UsageError(
            f"{name}={_shown(raw)} di luar {span} / {name}={_shown(raw)} outside {span}"
        )


def int_arg(name: str, *, default: int | None = None) -> int | None:
    """An integer parameter within its range in :data:`PARAMS`."""
    raw = _raw(name)
    if raw == "":
        return default
    if not _INT.fullmatch(raw):
        raise UsageError(
            f"{name}={_shown(raw)} bukan bilangan bulat / {name}={_shown(raw)} is not an integer"
        )
    # more digits than any range needs would only cost time (or exceed int()'s limit)
    value = int(raw) if len(raw) <= 30 else (-math.inf if raw[0] == "-" else math.inf)
    _in_range(name, value, raw)
    return value


def float_arg(name: str, *, required: bool = False) -> float | None:
    """A finite number within its range in :data:`PARAMS`."""
    raw = _raw(name)
    if raw == "":
        if required:
            raise UsageError(f"parameter {name} wajib / parameter {name} is required")
        return None
    value = float(raw) if _FLOAT.fullmatch(raw) else math.nan
    if not math.isfinite(value):
        raise UsageError(f"{name}={_shown(raw)} bukan angka / {name}={_shown(raw)} is not a number")
    _in_range(name, value, raw)
    return value


def str_arg(name: str) -> str | None:
    """A text parameter (``None`` when empty), at most ``max_len`` characters."""
    raw = _raw(name)
    limit = PARAMS[name].max_len
    if len(raw) > limit:
        raise UsageError(
            f"{name} lebih dari {limit} karakter / {name} is longer than {limit} characters"
        )
    return raw or None


def choice_arg(name: str) -> str | None:
    """One of the parameter's choices (``None`` when empty)."""
    raw = _raw(name)
    choices = PARAMS[name].choices
    if raw and raw not in choices:
        raise UsageError(
            f"{name}={_shown(raw)}: pilih {', '.join(choices)} / choose {', '.join(choices)}"
        )
    return raw or None


def flag_arg(name: str) -> bool:
    """A yes/no parameter: ``1``, ``ya``, ``true`` are yes; empty, ``0``, ``tidak``,
    ``false`` are no."""
    return choice_arg(name) in FLAG_YES


def bbox_arg(name: str = "bbox") -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` in degrees: longitudes within the ``bbox`` range, latitudes
    within the ``lat`` range, west ≤ east and south ≤ north."""
    raw = _raw(name)
    box = parse_bbox(raw or None)
    if box is None:
        return None
    lon, lat = PARAMS[name], PARAMS["lat"]
    if not (
        lon.low <= box[0] <= lon.high
        and lon.low <= box[2] <= lon.high
        and lat.low <= box[1] <= lat.high
        and lat.low <= box[3] <= lat.high
    ):
        raise UsageError(
            f"bbox={_shown(raw)} di luar bujur {_span(lon)}, lintang {_span(lat)} / "
            f"bbox={_shown(raw)} outside longitude {_span(lon)}, latitude {_span(lat)}"
        )
    return box
