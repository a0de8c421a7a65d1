"""Peta: the map page, its image for a projector or an A3 print."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs import webmap

from ..i18n import current_lang
from ..state import project
from .args import accepts, choice_arg, int_arg, str_arg

bp = Blueprint("peta", __name__)

_SENTINEL = 987654321  # replaced by {z}/{x}/{y} placeholders for the browser


def _tile_template(endpoint: str, suffix: str = "") -> str:
    url = url_for(endpoint, z=_SENTINEL, x=_SENTINEL + 1, y=_SENTINEL + 2)
    return (
        url.replace(str(_SENTINEL + 1), "__x__")
        .replace(str(_SENTINEL + 2), "__y__")
        .replace(str(_SENTINEL), "__z__")
    ) + suffix


@bp.get("/")
@bp.get("/peta")
@accepts("tahun", "no_sk", "pilih", "dasar")
def peta():
    p = project()
    data = p.map_data()
    lang = current_lang()
    basemap = p.basemap()
    base = choice_arg("dasar") or ("local" if basemap is not None else "none")
    if base == "local" and basemap is None:
        raise UsageError(
            f"dasar={base!r}: pilih none, osm{', local' if basemap else ''} / choose none, osm{', local' if basemap else ''}"
        )
    local = None
    if basemap is not None:
        info = basemap.info()
        local = {
            "url": _tile_template("api.basemap_tile")
            .replace("__z__", "{z}")
            .replace("__x__", "{x}")
            .replace("__y__", "{y}"),
            "name": info["name"],
            "attribution": info["attribution"],
            "min_zoom": info["min_zoom"],
            "max_zoom": info["max_zoom"],
            "bounds": info["bounds"],
        }
    key = ("peta", data.version_key, lang, base, request.full_path)
    parts = p.cached(key, lambda: _map_parts(data, lang, base, local))
    return render_template("peta.html", parts=parts, data=data, page="peta")


def _map_parts(data, lang: str, base: str, local: dict | None):
    """The map page's Leaflet parts (kept per map data version, language and query)."""
    config = webmap.map_config(
        data,
        mode="served",
        lang=lang,
        year=int_arg("tahun"),
        no_sk=str_arg("no_sk"),
        select=webmap.check_select(data, str_arg("pilih")),
        basemaps={"local": local["name"]} if local else {},
        base_default=base,
        urls={
            "layer": url_for("api.layer", layer="__layer__"),
            "rt_tile": _tile_template("api.rt_tile"),
            "rt_at": url_for("api.rt_at"),
            "search": url_for("api.search"),
            "image": url_for("peta.image"),
        },
    )
    m = webmap.build_map(
        data,
        config=config,
        asset_url=lambda path: url_for("static", filename=path),
        local_basemap=local,
    )
    return webmap.map_parts(m)


@bp.get("/peta/gambar.png")
@accepts("tahun", "no_sk", "ukuran")
def image():
    data = project().map_data()
    png = webmap.render_map_image(
        data,
        year=int_arg("tahun"),
        no_sk=str_arg("no_sk"),
        size=str_arg("ukuran") or "proyektor",
        lang=current_lang(),
    )
    resp = Response(png, mimetype="image/png")
    resp.headers["Content-Disposition"] = 'inline; filename="peta-kumuh.png"'
    return resp
