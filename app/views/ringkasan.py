"""Ringkasan: the city and per-kelurahan dashboard with charts (domain.md §5)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, render_template

from kumuhgis.outputs import dashboard

from ..i18n import current_lang
from ..state import project
from .args import accepts, int_arg, str_arg

bp = Blueprint("ringkasan", __name__)

_CHARTS = ("tingkat", "parameter", "target")


def _dashboard():
    p = project()
    kel, y0, y1 = str_arg("kel"), int_arg("dari"), int_arg("sampai")
    return p.cached(
        ("dashboard", kel, y0, y1),
        lambda: dashboard.dashboard(p.snapshot(), kode_kel=kel, year_from=y0, year_to=y1),
    )


@bp.get("/ringkasan")
@accepts("kel", "dari", "sampai")
def ringkasan():
    d = _dashboard()
    data = project().map_data()
    kelurahan = data.wilayah[["kode_kel", "kelurahan", "kecamatan"]].sort_values(
        ["kecamatan", "kelurahan"]
    )
    return render_template(
        "ringkasan.html",
        d=d,
        kelurahan=kelurahan.to_dict("records"),
        charts=_CHARTS,
        page="ringkasan",
    )


@bp.get("/ringkasan/grafik/<name>.png")
@accepts("kel", "dari", "sampai")
def chart(name: str):
    if name not in _CHARTS:
        abort(404)
    d = _dashboard()
    if d.reduction is None:
        abort(404, description="tanpa baseline tidak ada grafik / no baseline, no chart")
    from kumuhgis.outputs import charts

    lang = current_lang()
    with tempfile.TemporaryDirectory(prefix="kumuhgis-grafik-") as tmp:
        path = Path(tmp) / f"{name}.png"
        if name == "tingkat":
            per = d.reduction.per_tahun
            if d.kode_kel is not None:
                per = per[per["kode_kel"].astype(str) == d.kode_kel]
            charts.chart_levels_by_year(per, path, rules=d.reduction.rules, lang=lang, dpi=110)
        elif name == "parameter":
            charts.chart_reduction_by_parameter(
                d.parameter,
                path,
                rules=d.reduction.rules,
                year_from=d.year_from,
                year_to=d.year_to,
                lang=lang,
                dpi=110,
            )
        else:
            if not len(d.target):
                abort(
                    404,
                    description="target hanya untuk seluruh kota / the target is city-wide only",
                )
            charts.chart_target(d.target, path, lang=lang, dpi=110)
        body = path.read_bytes()
    return Response(body, mimetype="image/png")
