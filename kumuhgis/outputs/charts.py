"""PNG charts of slum reduction (domain.md §5) for reports, the web map and the RP2KPKP annex.

Three charts, drawn with matplotlib's Agg canvas (no display, no global pyplot state):

* :func:`chart_reduction_by_parameter` — hectare-equivalent reduction per criterion
  (measure 2), coloured by aspect;
* :func:`chart_levels_by_year` — luas kumuh per level (KB/KS/KR) per year (measure 1);
* :func:`chart_target` — cumulative reduction of luas kumuh against the yearly targets.

Labels are in Bahasa Indonesia (``lang="en"`` for English). Each function takes the
frames of :class:`kumuhgis.analysis.reduction.Reduction` and writes one PNG, atomically.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.outputs.files import atomic_path
from kumuhgis.outputs.fileset import write_together
from kumuhgis.outputs.palette import LEVEL_COLORS

__all__ = [
    "LEVEL_COLORS",
    "chart_reduction_by_parameter",
    "chart_levels_by_year",
    "chart_target",
    "reduction_chart_writers",
    "reduction_charts",
]

_ASPECT_COLORS = (
    "#8c564b",
    "#7f7f7f",
    "#1f77b4",
    "#17becf",
    "#2ca02c",
    "#bcbd22",
    "#d62728",
    "#9467bd",
)
_FALLBACK = ("#9e9e9e", "#607d8b", "#795548", "#3f51b5")

_T = {
    "id": {
        "param_title": "Pengurangan hektar setara per kriteria, {y0}–{y1}",
        "param_x": "Pengurangan hektar setara (ha)",
        "levels_title": "Luas kumuh per tingkat kekumuhan per tahun",
        "levels_y": "Luas (ha)",
        "year": "Tahun",
        "target_title": "Pengurangan luas kumuh terhadap target",
        "achieved": "Pengurangan kumulatif (ha)",
        "target": "Target kumulatif (ha)",
        "no_target": "Belum ada target di pengaturan proyek (target_pengurangan_ha)",
        "ha": "ha",
    },
    "en": {
        "param_title": "Hectare-equivalent reduction per criterion, {y0}–{y1}",
        "param_x": "Hectare-equivalent reduction (ha)",
        "levels_title": "Slum area per level per year",
        "levels_y": "Area (ha)",
        "year": "Year",
        "target_title": "Slum area reduction against target",
        "achieved": "Cumulative reduction (ha)",
        "target": "Cumulative target (ha)",
        "no_target": "No target in the project settings (target_pengurangan_ha)",
        "ha": "ha",
    },
}


def _num(v: float, lang: str) -> str:
    """Two decimals, Indonesian separators for ``lang="id"`` (1.234,56)."""
    if lang == "en":
        return f"{v:,.2f}"
    from kumuhgis.core.numeric import format_number_id

    return format_number_id(v, 2)


def _save(fig: Figure, path: str | os.PathLike, dpi: int) -> Path:
    path = Path(path)
    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")
    return path


def chart_reduction_by_parameter(
    kriteria: pd.DataFrame,
    path: str | os.PathLike,
    *,
    rules: RuleSet | str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    lang: str = "id",
    dpi: int = 150,
) -> Path:
    """Horizontal bars: ``pengurangan_ha_setara_ha`` of every criterion (domain.md §5,
    measure 2), one colour per aspect, value written beside each bar.

    ``kriteria`` is :attr:`kumuhgis.analysis.reduction.Reduction.kriteria` (rows with
    ``jenis == "kriteria"`` are drawn).
    """
    t = _T["en" if lang == "en" else "id"]
    rules = load_rules(rules)
    rows = kriteria[kriteria["jenis"] == "kriteria"].iloc[::-1]
    aspect_of = {c.code: c.aspect for c in rules.criteria}
    aspects = [a.key for a in rules.aspects]
    colors = [
        _ASPECT_COLORS[aspects.index(aspect_of.get(k, aspects[0])) % len(_ASPECT_COLORS)]
        for k in rows["kode"]
    ]
    labels = [
        textwrap.shorten(
            f"{k} {rules.criterion(k).label_en if lang == 'en' else rules.criterion(k).label_id}",
            50,
            placeholder=" …",
        )
        if k in aspect_of
        else k
        for k in rows["kode"]
    ]
    values = rows["pengurangan_ha_setara_ha"].to_numpy(dtype=float)
    fig = Figure(figsize=(9, 0.38 * len(rows) + 1.6))
    ax = fig.add_subplot()
    ax.barh(np.arange(len(rows)), values, color=colors)
    ax.set_yticks(np.arange(len(rows)), labels, fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    span = max(float(np.nanmax(np.abs(values))) if len(values) else 0.0, 1e-9)
    for i, v in enumerate(values):
        ax.text(
            v + span * 0.01 * (1 if v >= 0 else -1),
            i,
            _num(v, lang),
            va="center",
            ha="left" if v >= 0 else "right",
            fontsize=7,
        )
    ax.set_xlabel(t["param_x"])
    ax.set_title(
        t["param_title"].format(
            y0=year_from if year_from is not None else "", y1=year_to if year_to is not None else ""
        )
    )
    handles = [
        Patch(
            color=_ASPECT_COLORS[i % len(_ASPECT_COLORS)],
            label=a.label_en if lang == "en" else a.label_id,
        )
        for i, a in enumerate(rules.aspects)
    ]
    ax.legend(
        handles=handles,
        fontsize=7,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        title="Aspek",
        title_fontsize=8,
    )
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path, dpi)


def chart_levels_by_year(
    per_tahun: pd.DataFrame,
    path: str | os.PathLike,
    *,
    rules: RuleSet | str | None = None,
    include_not_kumuh: bool = False,
    lang: str = "id",
    dpi: int = 150,
) -> Path:
    """Stacked bars of luas kumuh per level (KB, KS, KR) per year, the total written on
    top (domain.md §5, measure 1), summed over the units of
    :attr:`kumuhgis.analysis.reduction.Reduction.per_tahun`. ``include_not_kumuh`` adds TK."""
    t = _T["en" if lang == "en" else "id"]
    rules = load_rules(rules)
    levels = [lv for lv in rules.levels if lv.kumuh or include_not_kumuh]
    cols = [f"luas_{lv.code.lower()}_ha" for lv in levels]
    data = per_tahun.groupby("tahun", sort=True)[cols].sum()
    years = data.index.to_numpy().astype(str)
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    bottom = np.zeros(len(years))
    for i, lv in enumerate(reversed(levels)):  # the lightest level at the bottom
        v = data[f"luas_{lv.code.lower()}_ha"].to_numpy(dtype=float)
        color = LEVEL_COLORS.get(lv.code, _FALLBACK[i % len(_FALLBACK)])
        label = f"{lv.label_en if lang == 'en' else lv.label_id} ({lv.code})"
        ax.bar(years, v, bottom=bottom, color=color, label=label, edgecolor="white")
        bottom += v
    for x, v in zip(years, bottom, strict=True):
        ax.text(x, v, _num(v, lang), ha="center", va="bottom", fontsize=7)
    ax.set_xlabel(t["year"])
    ax.set_ylabel(t["levels_y"])
    ax.set_title(t["levels_title"])
    ax.set_ylim(0, max(float(bottom.max()) if len(bottom) else 0.0, 1e-9) * 1.12)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path, dpi)


def chart_target(
    target: pd.DataFrame,
    path: str | os.PathLike,
    *,
    lang: str = "id",
    dpi: int = 150,
) -> Path:
    """Bars of cumulative luas-kumuh reduction per year with the cumulative target as a
    line (domain.md §5 "Targets"); :attr:`kumuhgis.analysis.reduction.Reduction.target`."""
    t = _T["en" if lang == "en" else "id"]
    years = target["tahun"].astype(str).to_numpy()
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    achieved = target["pengurangan_kumulatif_ha"].to_numpy(dtype=float)
    ax.bar(years, achieved, color="#2b83ba", label=t["achieved"])
    for x, v in zip(years, achieved, strict=True):
        ax.text(x, v, _num(v, lang), ha="center", va="bottom", fontsize=7)
    goal = target["target_kumulatif_ha"].to_numpy(dtype=float)
    if np.isfinite(goal).any():
        ax.plot(years, goal, color="#d7191c", marker="o", label=t["target"])
    else:
        ax.text(
            0.5,
            0.9,
            t["no_target"],
            transform=ax.transAxes,
            ha="center",
            fontsize=8,
            color="#555555",
        )
    ax.set_xlabel(t["year"])
    ax.set_ylabel(t["ha"])
    ax.set_title(t["target_title"])
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path, dpi)


def reduction_chart_writers(
    result, directory: str | os.PathLike, *, lang: str = "id", prefix: str = ""
) -> dict[Path, Callable[[Path], Path]]:
    """``{path: writer}`` of the three charts of a :class:`kumuhgis.analysis.reduction.Reduction`
    in ``directory`` (``pengurangan_per_kriteria.png``, ``luas_per_tingkat.png``,
    ``capaian_target.png``), for :func:`kumuhgis.outputs.fileset.write_together`."""
    d = Path(directory)
    return {
        d / f"{prefix}pengurangan_per_kriteria.png": lambda p: chart_reduction_by_parameter(
            result.kriteria, p, rules=result.rules, year_from=result.year_from,
            year_to=result.year_to, lang=lang,
        ),
        d / f"{prefix}luas_per_tingkat.png": lambda p: chart_levels_by_year(
            result.per_tahun, p, rules=result.rules, lang=lang
        ),
        d / f"{prefix}capaian_target.png": lambda p: chart_target(result.target, p, lang=lang),
    }  # fmt: skip


def reduction_charts(
    result, directory: str | os.PathLike, *, lang: str = "id", prefix: str = ""
) -> Sequence[Path]:
    """The three charts of a :class:`kumuhgis.analysis.reduction.Reduction` into ``directory``
    (:func:`reduction_chart_writers`), all three or none."""
    writers = reduction_chart_writers(result, directory, lang=lang, prefix=prefix)
    return list(write_together(writers).paths)
