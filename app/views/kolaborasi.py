"""Kolaborasi: the Korkot's flag list with filters; each row links to the map. A user
whose role decides overrides (domain.md §7) gets the override form for one work
(``?ubah=KODE``); everyone sees the history of decisions (who, when, why)."""

from __future__ import annotations

from flask import Blueprint, render_template

from kumuhgis.outputs import dashboard, webmap

from ..accounts import current_user
from ..edits import override_history, override_version
from ..state import project
from .args import accepts, flag_arg, int_arg, str_arg

bp = Blueprint("kolaborasi", __name__)


def override_form(kode: str | None) -> dict | None:
    """The override form for one work, as the project has it now (``None``: no form)."""
    if not kode or not current_user.is_authenticated or not current_user.can("status"):
        return None
    history = project().snapshot().override_history
    mine = history[history["kode_kegiatan"].astype(str) == kode]
    last = mine.iloc[-1].to_dict() if len(mine) else {}
    return {
        "kode": kode,
        "status": last.get("status_manual") or "",
        "alasan": "",
        "versi": override_version(kode),
        "conflict": None,
    }


def kolaborasi_page(form: dict | None = None, code: int = 200):
    """The Kolaborasi page, with ``form`` (an override form to show) if any."""
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
    if form is None:
        form = override_form(str_arg("ubah"))
    page = render_template(
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
        history=override_history().to_dict("records"),
        form=form,
        can_decide=current_user.is_authenticated and current_user.can("status"),
        page="kolaborasi",
    )
    return page, code


@bp.get("/kolaborasi")
@accepts("tahun", "sumber_dana", "status", "kel", "semua", "ubah")
def kolaborasi():
    return kolaborasi_page()
