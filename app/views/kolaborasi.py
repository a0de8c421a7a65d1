"""Kolaborasi: the Korkot's flag list with filters; each row links to the map."""

from __future__ import annotations

from flask import Blueprint, render_template

from kumuhgis.outputs import dashboard, webmap

from ..state import project
from .args import accepts, flag_arg, int_arg, str_arg

bp = Blueprint("kolaborasi", __name__)


@bp.get("/kolaborasi")
@accepts("tahun", "sumber_dana", "status", "kel", "semua")
def kolaborasi():
    data = project().map_data()
    filters = {
        "tahun": int_arg("tahun"),
        "sumber_dana": str_arg("sumber_dana"),
        "status": str_arg("status"),
        "kode_kel": str_arg("kel"),
    }
    flagged_only = not flag_arg("semua")
    result = dashboard.kolaborasi_list(data, flagged_only=flagged_only, **filters)
    kelurahan = data.wilayah[["kode_kel", "kelurahan"]].sort_values("kelurahan").to_dict("records")
    return render_template(
        "kolaborasi.html",
        result=result,
        rows=result.rows.to_dict("records"),
        filters=filters,
        flagged_only=flagged_only,
        years=data.kegiatan_years(),
        sumber=data.sumber_dana(),
        statuses=[s for s in webmap.STATUS_CODES if s],
        status_colors=webmap.STATUS_COLORS,
        kelurahan=kelurahan,
        text=webmap.map_text,
        page="kolaborasi",
    )
