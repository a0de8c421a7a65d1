"""Ubah: editing the project in the browser (issue 15), for logged-in users by role
(:mod:`app.accounts`), every form with a CSRF token and the version it was made from.

* ``/ubah/unggah``: upload a file into a layer through the CLI's validator (strict: the
  report on the page, nothing stored; lenient: the rejected rows to download);
* ``POST /kolaborasi/status``: the Korkot's status override with a written reason;
* ``/ubah/memorandum``: add, change or remove memorandum program lines;
* ``/ubah/target``: the yearly reduction targets (``target_pengurangan_ha``).

A write made on an older version than the project's (someone else saved first) stores
nothing: the page shows the current value beside the user's input, with HTTP 409.
"""

from __future__ import annotations

import base64

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from kumuhgis.core.errors import ConflictError, UsageError, ValidationError

from ..accounts import current_user, require
from ..edits import (
    edit_memorandum_line,
    memorandum_lines,
    save_override,
    save_targets,
    targets,
    targets_version,
    upload,
)
from ..i18n import t
from .args import accepts
from .kolaborasi import kolaborasi_page

bp = Blueprint("ubah", __name__)


def _flag(name: str) -> bool:
    return request.form.get(name, "") in ("1", "ya", "on", "true")


@bp.route("/ubah/unggah", methods=["GET", "POST"])
@accepts()
@require("unggah:kolaborasi")
def unggah():
    layers = current_user.upload_layers()
    context = {"layers": layers, "page": "ubah", "outcome": None, "problems": None,
               "rejected": "", "chosen": request.form.get("layer", layers[0])}  # fmt: skip
    if request.method == "GET":
        return render_template("unggah.html", **context)
    layer = context["chosen"]
    if layer not in layers:
        abort(403, description=f"layer {layer}: {t('not_allowed')}")
    file = request.files.get("berkas")
    if file is None or not file.filename:
        raise UsageError("pilih berkas / choose a file")
    try:
        done = upload(current_user, layer, file.filename, file, lenient=_flag("longgar"),
                      append=_flag("tambah"), replace_layer=_flag("ganti_layer"))  # fmt: skip
    except ValidationError as exc:
        context["problems"] = exc.problems
        return render_template("unggah.html", **context), 400
    context["outcome"] = done.outcome
    if done.rejected_csv:
        context["rejected"] = base64.b64encode(done.rejected_csv).decode("ascii")
    return render_template("unggah.html", **context)


@bp.post("/kolaborasi/status")
@require("status")
def status():
    form = {
        "kode": request.form.get("kode_kegiatan", "").strip(),
        "status": request.form.get("status", "").strip(),
        "alasan": request.form.get("alasan", ""),
        "versi": _int(request.form.get("versi")),
        "conflict": None,
    }
    try:
        save_override(current_user, form["kode"], form["status"], form["alasan"],
                            form["versi"])  # fmt: skip
    except ConflictError as exc:
        form["conflict"] = exc.current or {}
        form["versi"] = exc.version
        return kolaborasi_page(form, 409)
    except UsageError as exc:
        form["error"] = str(exc)
        return kolaborasi_page(form, 400)
    flash(f"{t('saved')}: {form['kode']}")
    return redirect(url_for("kolaborasi.kolaborasi", semua=1) + "#riwayat-status", code=303)


def _int(raw: str | None) -> int:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        raise UsageError(
            f"versi formulir tidak sah: {raw!r} / the form's version is not valid"
        ) from None


_MEMO_FIELDS = ("kode_kawasan", "kode_rt", "pola", "kegiatan", "kriteria", "volume", "satuan",
                "biaya_satuan_rp", "biaya_rp", "tahun", "sumber_dana", "keterangan")  # fmt: skip


@bp.route("/ubah/memorandum", methods=["GET", "POST"])
@accepts("baris")
@require("memorandum")
def memorandum():
    lines = memorandum_lines()
    context = {"lines": lines, "fields": _MEMO_FIELDS, "page": "ubah", "problems": None,
               "conflict": None, "draft": {}, "edit": None, "versi": None}  # fmt: skip
    if request.method == "GET":
        edit = request.args.get("baris", "")
        if edit.isdigit() and int(edit) < len(lines):
            line = lines[int(edit)]
            context.update(edit=int(edit), draft=line, versi=line["_versi"])
        return render_template("memorandum.html", **context)
    action = request.form.get("aksi", "tambah")
    index = None if action == "tambah" else _int(request.form.get("baris"))
    values = None if action == "hapus" else {f: request.form.get(f, "") for f in _MEMO_FIELDS}
    try:
        edit_memorandum_line(current_user, index, values, request.form.get("versi"))
    except ValidationError as exc:
        context.update(problems=exc.problems, draft=values or {}, edit=index,
                       versi=request.form.get("versi"))  # fmt: skip
        return render_template("memorandum.html", **context), 400
    except ConflictError as exc:
        edit = index if values is not None and exc.current is not None else None
        context.update(conflict=exc.current or {}, draft=values or {}, edit=edit,
                       versi=exc.version)  # fmt: skip
        return render_template("memorandum.html", **context), 409
    flash(t("saved"))
    return redirect(url_for("ubah.memorandum"), code=303)


@bp.route("/ubah/target", methods=["GET", "POST"])
@accepts()
@require("pengaturan")
def target():
    context = {"targets": targets(), "versi": targets_version(), "page": "ubah",
               "conflict": None, "draft": None, "error": None}  # fmt: skip
    if request.method == "GET":
        return render_template("target.html", **context)
    years = request.form.getlist("tahun")
    values = request.form.getlist("ha")
    draft = {y.strip(): v.strip() for y, v in zip(years, values, strict=False) if y.strip()}
    try:
        save_targets(current_user, draft, request.form.get("versi", ""))
    except ConflictError as exc:
        context.update(conflict=exc.current, draft=draft, versi=exc.version)
        return render_template("target.html", **context), 409
    except UsageError as exc:
        context.update(error=str(exc), draft=draft)
        return render_template("target.html", **context), 400
    flash(t("saved"))
    return redirect(url_for("ubah.target"), code=303)
