"""Tentang: versions, data sources (project meta and audit trail), how the figures are
computed and the scoring rules in force."""

from __future__ import annotations

from flask import Blueprint, render_template

from kumuhgis.core.rules import available_rules, load_rules
from kumuhgis.outputs import dashboard

from ..i18n import current_lang
from ..state import project
from .args import accepts

bp = Blueprint("tentang", __name__)


@bp.get("/tentang")
@accepts()
def tentang():
    about = dashboard.project_about(project().snapshot())
    return render_template("tentang.html", about=about, audit=about["audit"].head(50).to_dict("records"),
                           rule_names=available_rules(), page="tentang")  # fmt: skip


@bp.get("/tentang/aturan/<name>")
@accepts()
def aturan(name: str):
    settings = dict(project().snapshot().settings)
    if name not in available_rules():
        from werkzeug.exceptions import NotFound

        raise NotFound(description=f"aturan '{name}' tidak ada / no rule set '{name}'")
    rules = load_rules(name, settings=settings)
    lang = current_lang()
    table = rules.describe(lang=lang).to_dict("records")
    levels = [{"code": lv.code, "label": lv.label_id if lang == "id" else lv.label_en,
               "range": rules.level_range(lv.code)} for lv in rules.levels]  # fmt: skip
    bands = [{"min_pct": str(b.min_pct), "score": b.score} for b in rules.score_bands]
    return render_template(
        "aturan.html", rules=rules, table=table, levels=levels, bands=bands, page="tentang"
    )
