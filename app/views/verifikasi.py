"""Verifikasi SK: the SK Kumuh versions checked against the delineation and the baseline
(domain.md §6)."""

from __future__ import annotations

from flask import Blueprint, render_template

from kumuhgis.outputs import dashboard

from ..i18n import current_lang
from ..state import project
from .args import accepts, str_arg

bp = Blueprint("verifikasi", __name__)


@bp.get("/verifikasi")
@accepts("no_sk")
def verifikasi():
    p = project()
    data = p.map_data()
    no_sk = str_arg("no_sk")
    data.check_sk(no_sk)
    lang = current_lang()
    report = p.cached(
        ("verifikasi", no_sk, lang),
        lambda: dashboard.sk_verification(p.snapshot(), no_sk=no_sk, lang=lang),
    )
    return render_template(
        "verifikasi.html", report=report, versions=data.sk_versions, no_sk=no_sk, page="verifikasi"
    )
