"""The JSON API behind the map (documented in the README, "Web map viewer").

=====================================  ===============================================
``GET /api``                           the layers with their feature counts and URLs
``GET /api/layers/<layer>``            GeoJSON; ``bbox=w,s,e,n``, ``tahun``, ``no_sk``,
                                       ``simplify`` (m), ``limit``, ``<column>=v1,v2``
``GET /api/tiles/rt/<z>/<x>/<y>.json`` RT polygons of one tile, coloured by level
``GET /api/rt/at?lon=&lat=&tahun=``    the RT under a point
``GET /api/search?q=``                 kelurahan, kawasan, RT and kolaborasi by name/code
``GET /api/ringkasan?kel=&dari=&sampai=``  the dashboard figures
``GET /api/kolaborasi?...``            the Korkot's list (filters as on the page)
``GET /api/basemap``                   the local basemap's name, bounds and zooms
``GET /api/basemap/<z>/<x>/<y>``       a basemap tile (a transparent PNG with the header
                                       ``X-Kumuhgis-Empty: 1`` where there is none)
=====================================  ===============================================
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, request, url_for

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs import dashboard, webmap

from ..state import project
from .args import accepts, bbox_arg, flag_arg, float_arg, int_arg, str_arg

bp = Blueprint("api", __name__, url_prefix="/api")

_RESERVED = ("bbox", "tahun", "no_sk", "simplify", "limit", "lang", "precision")


def _json(text: str, *, max_age: int = 0) -> Response:
    resp = Response(text, mimetype="application/json")
    if max_age:
        resp.cache_control.public = True
        resp.cache_control.max_age = max_age
    return resp


def _frame_records(frame) -> list[dict]:
    if frame is None or not len(frame):
        return []
    return json.loads(frame.to_json(orient="records", force_ascii=False))


@bp.get("")
@bp.get("/")
@accepts()
def index():
    data = project().map_data()
    resp = jsonify(
        {
            "kota": data.kota,
            "years": list(data.years),
            "sk_versions": [
                {k: v[k] for k in ("no_sk", "tanggal_sk", "lokasi", "luas_sk_ha")}
                for v in data.sk_versions
            ],
            "layers": [
                {
                    "layer": k,
                    "count": int(len(getattr(data, k))),
                    "url": url_for("api.layer", layer=k),
                }
                for k in webmap.LAYER_KEYS
            ],
            "bounds": data.bounds,
        }
    )
    # the open-data services, announced without changing the index body (RFC 8288)
    resp.headers["Link"] = (
        f'<{url_for("ogc.landing")}>; rel="service"; type="application/json", '
        f'<{url_for("data.index")}>; rel="alternate"; type="application/json"'
    )
    return resp


@bp.get("/layers/<layer>")
@accepts(*_RESERVED, columns=True)
def layer(layer: str):
    data = project().map_data()
    if layer not in webmap.LAYER_KEYS:
        abort(
            404,
            description=f"layer '{layer}' tidak ada / no layer '{layer}'; pilih/choose {', '.join(webmap.LAYER_KEYS)}",
        )
    filters = {k: v for k, v in request.args.items() if k not in _RESERVED}
    year = int_arg("tahun") if layer == "rt" else None
    if layer != "rt" and request.args.get("tahun"):
        filters["tahun"] = request.args["tahun"]
    no_sk = str_arg("no_sk")
    if no_sk is not None and layer != "delineasi":
        raise UsageError(
            f"no_sk hanya untuk layer delineasi, bukan {layer} / "
            f"no_sk applies to the delineasi layer only, not {layer}"
        )
    limit = int_arg("limit")
    text = webmap.layer_geojson(
        data,
        layer,
        bbox=bbox_arg(),
        filters=filters,
        year=year,
        no_sk=no_sk,
        simplify_m=float_arg("simplify"),
        precision=int_arg("precision", default=6),
        limit=limit,
    )
    return _json(text)


@bp.get("/tiles/rt/<int:z>/<int:x>/<int:y>.json")
@accepts("tahun")
def rt_tile(z: int, x: int, y: int):
    data = project().map_data()
    year = data.year_or_latest(int_arg("tahun"))
    body = data.cached_tile(
        ("rt", year, z, x, y),
        lambda: json.dumps(
            webmap.rt_tile(data, z, x, y, year=year), separators=(",", ":")
        ).encode(),
    )
    resp = _json(body, max_age=300)
    resp.set_etag(f"{data.version_key}-{year}-{z}-{x}-{y}")
    return resp.make_conditional(request)


@bp.get("/rt/at")
@accepts("lon", "lat", "tahun")
def rt_at():
    data = project().map_data()
    lon = float_arg("lon", required=True)
    lat = float_arg("lat", required=True)
    return jsonify({"rt": webmap.rt_at(data, lon, lat, year=int_arg("tahun"))})


@bp.get("/search")
@accepts("q", "limit")
def search():
    data = project().map_data()
    q = request.args.get("q", "")
    str_arg("q")  # checks its length; the search takes the text as given
    limit = int_arg("limit", default=project_limit())
    return jsonify({"q": q, "results": webmap.search(data, q, limit=limit)})


def project_limit() -> int:
    from flask import current_app

    return int(current_app.config["SEARCH_LIMIT"])


@bp.get("/ringkasan")
@accepts("kel", "dari", "sampai")
def ringkasan():
    p = project()
    kel, y0, y1 = str_arg("kel"), int_arg("dari"), int_arg("sampai")
    d = p.cached(
        ("dashboard", kel, y0, y1),
        lambda: dashboard.dashboard(p.snapshot(), kode_kel=kel, year_from=y0, year_to=y1),
    )
    return jsonify(
        {
            "kota": d.kota,
            "kode_kel": d.kode_kel,
            "kelurahan": d.kelurahan,
            "tahun_awal": d.year_from,
            "tahun_akhir": d.year_to,
            "tahun": list(d.years),
            "totals": d.totals,
            "tingkat_per_tahun": _frame_records(d.levels),
            "per_parameter": _frame_records(d.parameter),
            "target": _frame_records(d.target),
            "per_kelurahan": _frame_records(d.per_kelurahan),
        }
    )


@bp.get("/kolaborasi")
@accepts("tahun", "sumber_dana", "status", "kel", "semua")
def kolaborasi():
    data = project().map_data()
    result = dashboard.kolaborasi_list(
        data,
        tahun=int_arg("tahun"),
        sumber_dana=str_arg("sumber_dana"),
        status=str_arg("status"),
        kode_kel=str_arg("kel"),
        flagged_only=not flag_arg("semua"),
    )
    return jsonify(
        {
            "classified": result.classified,
            "total": result.total,
            "count": len(result.rows),
            "rows": _frame_records(result.rows),
            "per_tahun": _frame_records(result.by_tahun),
            "per_sumber_dana": _frame_records(result.by_sumber),
        }
    )


@bp.get("/basemap")
@accepts()
def basemap_info():
    bm = project().basemap()
    if bm is None:
        abort(404, description="tidak ada peta dasar lokal / no local basemap")
    return jsonify(bm.info())


@bp.get("/basemap/<int:z>/<int:x>/<int:y>")
@accepts()
def basemap_tile(z: int, x: int, y: int):
    bm = project().basemap()
    if bm is None:
        abort(404, description="tidak ada peta dasar lokal / no local basemap")
    tile = bm.tile(z, x, y)
    if tile is None:
        resp = Response(_empty_png(), mimetype="image/png")
        resp.headers["X-Kumuhgis-Empty"] = "1"
    else:
        resp = Response(tile.data, mimetype=tile.media_type)
    resp.cache_control.public = True
    resp.cache_control.max_age = 3600
    return resp


_EMPTY_PNG: list[bytes] = []


def _empty_png() -> bytes:
    """A 256 × 256 fully transparent PNG (an empty answer the browser draws silently)."""
    if not _EMPTY_PNG:
        import io

        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGBA", (webmap.TILE_SIZE, webmap.TILE_SIZE), (0, 0, 0, 0)).save(
            buf, format="PNG"
        )
        _EMPTY_PNG.append(buf.getvalue())
    return _EMPTY_PNG[0]
