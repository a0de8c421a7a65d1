"""Masuk / keluar: the login page and logging out (:mod:`app.accounts`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..accounts import current_user, log_in, log_out, require, safe_next
from ..i18n import t
from .args import accepts

bp = Blueprint("masuk", __name__)


@bp.route("/masuk", methods=["GET", "POST"])
@accepts("next")
def login():
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target)
        return render_template("masuk.html", name="", next=target, failed=False, page="masuk")
    name = request.form.get("nama", "")
    user = log_in(name, request.form.get("sandi", ""))
    if user is None:
        return (
            render_template("masuk.html", name=name, next=target, failed=True, page="masuk"),
            401,
        )
    flash(f"{t('welcome')}, {user.nama}")
    return redirect(target, code=303)


@bp.post("/keluar")
@require("baca")
def logout():
    log_out()
    return redirect(url_for("peta.peta"), code=303)
