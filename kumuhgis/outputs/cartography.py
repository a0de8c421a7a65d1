"""Static print maps (domain.md §8): PNG, no internet, A4 or A3. The RP2KPKP annex's map
set is :mod:`kumuhgis.outputs.annex_maps`.

Every map is laid out the way Indonesian planning documents show thematic maps: the map
body on the left, a side panel on the right with the title, north arrow, numeric scale
and graphic scale bar, the legend (Indonesian captions), the coordinate system and the
source note. Drawing uses matplotlib's Agg canvas (no display, no global pyplot state)
and no basemap — nothing is downloaded.

Scale. Maps are drawn in the project's metric CRS: the SRGI2013 UTM zone
(:func:`kumuhgis.geo.crs.srgi2013_utm_epsg`) of the city's centre. The printed scale is a
round number (1:5.000, 1:10.000, 1:25.000, …): the smallest one from
:data:`NICE_SCALES` at which the city fits the map frame; the frame then shows exactly
``frame width × scale`` metres of ground, so the scale bar and "Skala 1 : N" are true on
paper of the chosen size (the figure is saved at its paper size, never cropped).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from pyproj import CRS

from kumuhgis.core.errors import CRSError, UsageError
from kumuhgis.core.numeric import format_number_id
from kumuhgis.geo.crs import metric_crs
from kumuhgis.outputs.files import atomic_path

__all__ = [
    "PAPER_SIZES_CM",
    "NICE_SCALES",
    "PrintMap",
    "MapLayout",
    "metric_crs_of",
    "choose_scale",
    "nice_scale_bar",
    "print_map",
]

#: Paper sizes (landscape, cm).
PAPER_SIZES_CM: dict[str, tuple[float, float]] = {"A4": (29.7, 21.0), "A3": (42.0, 29.7)}
#: Printed scales a map may take (denominators), smallest first.
NICE_SCALES: tuple[int, ...] = (
    500, 1_000, 2_000, 2_500, 5_000, 10_000, 15_000, 20_000, 25_000, 50_000, 75_000,
    100_000, 150_000, 200_000, 250_000, 500_000, 1_000_000, 2_000_000,
)  # fmt: skip
# Layout in figure fractions (the same on A4 and A3): neat line, map body, side panel, and
# the caption strip under the neat line (map number and caption; the PDF adds the page
# number at its right end).
_NEAT = (0.027, 0.065, 0.946, 0.897)
_FRAME = (0.042, 0.085, 0.64, 0.862)  # map body: left, bottom, width, height
_PANEL = (0.697, 0.085, 0.262, 0.862)
_CAPTION_Y = 0.032


@dataclass(frozen=True)
class PrintMap:
    """One map written: where, what, and the scale it prints at."""

    key: str
    path: Path
    judul: str
    keterangan: str
    skala: int
    paper: str


@dataclass(frozen=True)
class MapLayout:
    """Frame of a map on paper: the CRS, the ground extent and the printed scale."""

    crs: CRS
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    scale: int
    paper: str
    size_cm: tuple[float, float]


def metric_crs_of(frame: gpd.GeoDataFrame) -> CRS:
    """The SRGI2013 UTM zone holding the centre of ``frame`` (domain.md §10).

    :func:`kumuhgis.geo.crs.metric_crs` of the frame in EPSG:4326, with two differences
    kept on purpose: a print map is always drawn in the national UTM zone, even for a
    layer already in another metric CRS (``metric_crs`` would keep that one), and an
    empty frame is an error here (nothing to map) where ``metric_crs`` takes any zone.

    Raises
    ------
    CRSError
        The layer has no CRS.
    UsageError
        The layer has no geometry.
    """
    if frame.crs is None:
        raise CRSError(
            "Layer tanpa CRS; peta tidak dapat dibuat / layer without CRS; cannot map it"
        )
    geographic = frame.to_crs(4326)
    if not np.all(np.isfinite(geographic.total_bounds)):
        raise UsageError("Tidak ada geometri untuk dipetakan / nothing to map")
    return metric_crs(geographic)


def choose_scale(
    ground_w_m: float,
    ground_h_m: float,
    frame_w_cm: float,
    frame_h_cm: float,
    *,
    margin: float = 0.04,
) -> int:
    """The smallest denominator of :data:`NICE_SCALES` at which a ground box of
    ``ground_w_m × ground_h_m`` (plus ``margin`` on each side) fits a frame of
    ``frame_w_cm × frame_h_cm``: ``N ≥ 100 × ground / frame_cm`` in both directions."""
    need = max(
        ground_w_m * (1 + 2 * margin) * 100 / frame_w_cm,
        ground_h_m * (1 + 2 * margin) * 100 / frame_h_cm,
    )
    for n in NICE_SCALES:
        if n >= need:
            return n
    return int(math.ceil(need / 1_000_000) * 1_000_000)


def nice_scale_bar(scale: int, max_cm: float) -> tuple[float, int]:
    """Ground length (m) of a scale bar at most ``max_cm`` long on paper at 1:``scale``,
    a 1, 2 or 5 × 10ᵏ number, and how many segments to draw (4 or 5)."""
    max_m = max_cm / 100 * scale
    k = 10 ** math.floor(math.log10(max_m))
    for lead in (5, 2, 1):
        if lead * k <= max_m:
            length = lead * k
            return float(length), 5 if lead == 5 else 4
    return float(k), 4  # pragma: no cover


def _layout(bounds: Sequence[float], crs: CRS, paper: str) -> MapLayout:
    if paper not in PAPER_SIZES_CM:
        raise UsageError(
            f"Ukuran kertas '{paper}' tidak dikenal; pilih {', '.join(PAPER_SIZES_CM)} / unknown paper size"
        )
    w_cm, h_cm = PAPER_SIZES_CM[paper]
    fw, fh = _FRAME[2] * w_cm, _FRAME[3] * h_cm
    x0, y0, x1, y1 = (float(v) for v in bounds)
    scale = choose_scale(x1 - x0, y1 - y0, fw, fh)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = fw / 100 * scale / 2, fh / 100 * scale / 2
    return MapLayout(
        crs, (cx - half_w, cx + half_w), (cy - half_h, cy + half_h), scale, paper, (w_cm, h_cm)
    )


def _save(fig: Figure, path: Path, dpi: int) -> Path:
    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)  # never cropped: the paper size is the scale
    return path


def _coord(v: float, _pos=None) -> str:
    return format_number_id(v, 0)


def _north_arrow(panel, x: float, y: float, size: float) -> None:
    """A two-tone north arrow with "U" (utara) centred at panel coordinates (x, y)."""
    h, w = size, size * 0.45
    panel.add_patch(
        Polygon(
            [(x, y + h / 2), (x - w / 2, y - h / 2), (x, y - h / 4)],
            closed=True,
            facecolor="black",
            edgecolor="black",
            lw=0.8,
        )
    )
    panel.add_patch(
        Polygon(
            [(x, y + h / 2), (x + w / 2, y - h / 2), (x, y - h / 4)],
            closed=True,
            facecolor="white",
            edgecolor="black",
            lw=0.8,
        )
    )
    panel.text(x, y + h / 2 + 0.006, "U", ha="center", va="bottom", fontsize=11, fontweight="bold")


def _scale_bar(fig: Figure, layout: MapLayout, x_fig: float, y_fig: float, max_cm: float) -> None:
    """Alternating black/white scale bar drawn in figure coordinates at its true size."""
    length_m, segments = nice_scale_bar(layout.scale, max_cm)
    w_cm = layout.size_cm[0]
    total = length_m / layout.scale * 100 / w_cm  # figure fraction
    seg = total / segments
    height = 0.012
    km = length_m >= 2000
    for i in range(segments):
        fig.add_artist(
            Rectangle(
                (x_fig + i * seg, y_fig),
                seg,
                height,
                transform=fig.transFigure,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                lw=0.7,
            )
        )
    for i in range(segments + 1):
        v = length_m * i / segments
        text = (
            format_number_id(v / 1000, 2 if (v / 1000) % 1 else 0).rstrip("0").rstrip(",")
            if km
            else format_number_id(v, 0)
        )
        if i == segments:
            text += " km" if km else " m"
        fig.text(x_fig + i * seg, y_fig - 0.005, text, ha="center", va="top", fontsize=7)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) if text else ""


def _neat_line(fig: Figure, caption: str, number: int | None, paper: str) -> None:
    """The outer neat line and, under it, "Peta {number}. {caption}"."""
    fig.add_artist(
        Rectangle(
            _NEAT[:2],
            _NEAT[2],
            _NEAT[3],
            transform=fig.transFigure,
            fill=False,
            lw=1.4,
            edgecolor="black",
        )
    )
    if caption:
        label = f"Peta {number}. {caption}" if number else caption
        fig.text(
            _NEAT[0],
            _CAPTION_Y,
            _wrap(label, 150 if paper == "A4" else 190),
            ha="left",
            va="center",
            fontsize=8.5 if paper == "A4" else 10,
            style="italic",
        )


def _map_body(fig: Figure, draw: Callable, layout: MapLayout) -> None:
    """The map frame at the layout's extent, with metric grid coordinates."""
    ax = fig.add_axes(_FRAME)
    ax.set_facecolor("white")
    draw(ax, layout.crs)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xlim(*layout.xlim)
    ax.set_ylim(*layout.ylim)
    ax.set_aspect("equal", adjustable="box")
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_linewidth(1.0)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(FuncFormatter(_coord))
    ax.yaxis.set_major_formatter(FuncFormatter(_coord))
    ax.tick_params(labelsize=6, direction="in", length=3, top=True, right=True)
    for lab in ax.get_yticklabels():
        lab.set_rotation(90)
        lab.set_verticalalignment("center")
    ax.grid(color="#bdbdbd", lw=0.3, ls=":")


def _title_block(panel, title: str, subtitle: str, big: bool) -> float:
    """Title and subtitle at the top of the side panel; returns the y under them."""
    y = 0.975
    t = panel.text(
        0.5,
        y,
        _wrap(title.upper(), 26 if not big else 32),
        ha="center",
        va="top",
        fontsize=13 if big else 11,
        fontweight="bold",
    )
    n_lines = t.get_text().count("\n") + 1
    y -= 0.028 * n_lines + 0.008
    if subtitle:
        sub = "\n".join(_wrap(line, 44 if not big else 52) for line in subtitle.split("\n"))
        st = panel.text(0.5, y, sub, ha="center", va="top", fontsize=9 if big else 8)
        y -= 0.022 * (st.get_text().count("\n") + 1) + 0.01
    panel.axhline(y, color="black", lw=0.8)
    return y


def _scale_block(fig: Figure, panel, layout: MapLayout, y: float) -> float:
    """North arrow, numeric scale and scale bar; returns the y under them."""
    arrow_y = y - 0.065
    _north_arrow(panel, 0.18, arrow_y, 0.07)
    panel.text(
        0.62,
        arrow_y + 0.03,
        f"Skala 1 : {format_number_id(layout.scale, 0)}",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
    )
    panel.text(
        0.62,
        arrow_y + 0.005,
        f"(dicetak pada kertas {layout.paper})",
        ha="center",
        va="center",
        fontsize=6.5,
    )
    px, _py, pw, ph = _PANEL
    bar_x = px + pw * 0.34
    bar_y = _PANEL[1] + (arrow_y - 0.045) * ph
    _scale_bar(fig, layout, bar_x, bar_y, max_cm=pw * layout.size_cm[0] * 0.55)
    y = arrow_y - 0.095
    panel.axhline(y, color="black", lw=0.8)
    return y


def _legend_block(panel, y: float, legend: Sequence, legend_title: str) -> None:
    panel.text(0.04, y - 0.012, legend_title, ha="left", va="top", fontsize=9, fontweight="bold")
    if legend:
        n = len(legend)
        size = 7.5 if n <= 10 else 6.5 if n <= 16 else 5.5
        panel.legend(
            handles=list(legend),
            loc="upper left",
            bbox_to_anchor=(0.02, y - 0.035),
            frameon=False,
            fontsize=size,
            handlelength=2.2,
            handleheight=1.2,
            labelspacing=0.45,
            borderaxespad=0.0,
        )


def _notes_block(panel, layout: MapLayout, notes: Sequence[str], source: str, big: bool) -> None:
    """Notes, coordinate system, source and date at the bottom of the side panel."""
    lines: list[str] = []
    for note in [
        *notes,
        f"Sistem koordinat: {layout.crs.name} (EPSG:{layout.crs.to_epsg()}); koordinat dalam meter.",
        f"Sumber: {source}" if source else "",
        f"Dibuat dengan kumuhgis, {_dt.date.today().isoformat()}.",
    ]:
        if note:
            lines.append(_wrap(note, 56 if not big else 62))
    text = "\n".join(lines)
    panel.axhline(0.012 + 0.0175 * (text.count("\n") + 1) + 0.012, color="black", lw=0.8)
    panel.text(
        0.04, 0.015, text, ha="left", va="bottom", fontsize=6.2 if not big else 7, linespacing=1.25
    )


def print_map(
    draw: Callable,
    path: str | os.PathLike,
    *,
    bounds_frame: gpd.GeoDataFrame,
    title: str,
    subtitle: str = "",
    legend: Sequence = (),
    legend_title: str = "Legenda",
    notes: Sequence[str] = (),
    source: str = "",
    paper: str = "A4",
    dpi: int = 200,
    key: str = "",
    caption: str = "",
    number: int | None = None,
) -> PrintMap:
    """Draw one print map and save it as PNG at its paper size (module docstring).

    Parameters
    ----------
    draw
        ``draw(ax, crs)`` draws the map body on ``ax`` in ``crs`` (metres).
    bounds_frame
        The layer whose extent the map shows (any CRS).
    title, subtitle
        Title block (Indonesian, upper-case title as on planning maps).
    legend
        matplotlib handles (``Patch``/``Line2D``) with their Indonesian labels.
    notes, source
        Lines under the legend: extra notes, then "Sumber: …".
    paper
        ``"A4"`` or ``"A3"`` landscape.
    caption, number
        Written under the neat line: "Peta {number}. {caption}".
    """
    path = Path(path)
    crs = metric_crs_of(bounds_frame)
    b = bounds_frame.to_crs(crs).total_bounds
    layout = _layout(b, crs, paper)
    w_cm, h_cm = layout.size_cm
    fig = Figure(figsize=(w_cm / 2.54, h_cm / 2.54))
    fig.patch.set_facecolor("white")
    _neat_line(fig, caption, number, paper)
    _map_body(fig, draw, layout)
    panel = fig.add_axes(_PANEL)
    panel.set_xlim(0, 1)
    panel.set_ylim(0, 1)
    panel.set_xticks([])
    panel.set_yticks([])
    for s in panel.spines.values():
        s.set_linewidth(1.0)
    big = paper == "A3"
    y = _title_block(panel, title, subtitle, big)
    y = _scale_block(fig, panel, layout, y)
    _legend_block(panel, y, legend, legend_title)
    _notes_block(panel, layout, notes, source, big)
    _save(fig, path, dpi)
    return PrintMap(
        key=key or path.stem,
        path=path,
        judul=title,
        keterangan=caption or title,
        skala=layout.scale,
        paper=paper,
    )
