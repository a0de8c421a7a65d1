"""Static print maps for the RP2KPKP annex (domain.md §8): PNG, no internet, A4 or A3.

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
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from pyproj import CRS

from kumuhgis.core.errors import UsageError
from kumuhgis.core.numeric import format_number_id
from kumuhgis.geo.crs import srgi2013_utm_epsg
from kumuhgis.outputs.charts import LEVEL_COLORS

__all__ = [
    "PAPER_SIZES_CM",
    "NICE_SCALES",
    "PrintMap",
    "MapLayout",
    "metric_crs_of",
    "choose_scale",
    "nice_scale_bar",
    "print_map",
    "annex_maps",
    "MAP_KEYS",
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
_BASE_FILL = "#eeeeee"
_EDGE = "#8c8c8c"
_NO_DATA = "#d9d9d9"
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
_KECAMATAN_COLORS = (
    "#fbe3c5",
    "#d4e8c8",
    "#cfe0f0",
    "#f2d0dc",
    "#e8e0c0",
    "#d8d0ec",
    "#c9e6e3",
    "#f6d6b8",
)
_PRIORITY_COLORS = {
    1: "#800026",
    2: "#bd0026",
    3: "#e31a1c",
    4: "#fc4e2a",
    5: "#fd8d3c",
    6: "#feb24c",
    7: "#fed976",
    8: "#ffeda0",
    9: "#ffffcc",
}
_PATTERN_COLORS = {
    "peremajaan": "#d7191c",
    "pemugaran": "#fdae61",
    "permukiman kembali": "#7b3294",
    "pencegahan": "#1a9641",
}
_LEGAL_COLORS = {"legal": "#4393c3", "ilegal": "#d6604d"}
_ASPECT_BAND_COLORS = ("#1a9641", "#ffdf6b", "#fdae61", "#d7191c")  # score 0, 1, 3, 5


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
    """The SRGI2013 UTM zone holding the centre of ``frame`` (domain.md §10)."""
    if frame.crs is None:
        from kumuhgis.core.errors import CRSError

        raise CRSError(
            "Layer tanpa CRS; peta tidak dapat dibuat / layer without CRS; cannot map it"
        )
    b = frame.to_crs(4326).total_bounds
    if not np.all(np.isfinite(b)):
        raise UsageError("Tidak ada geometri untuk dipetakan / nothing to map")
    return CRS.from_epsg(srgi2013_utm_epsg((b[0] + b[2]) / 2, (b[1] + b[3]) / 2))


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
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, format="png", dpi=dpi)  # never cropped: the paper size is the scale
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; give it a new file's mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
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
    # outer neat line and the caption strip under it
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
    ax = fig.add_axes(_FRAME)
    ax.set_facecolor("white")
    draw(ax, crs)
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
    # side panel
    panel = fig.add_axes(_PANEL)
    panel.set_xlim(0, 1)
    panel.set_ylim(0, 1)
    panel.set_xticks([])
    panel.set_yticks([])
    for s in panel.spines.values():
        s.set_linewidth(1.0)
    big = paper == "A3"
    wrap_title = 26 if not big else 32
    y = 0.975
    t = panel.text(
        0.5,
        y,
        _wrap(title.upper(), wrap_title),
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
    # north arrow, numeric scale, bar
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
        f"(dicetak pada kertas {paper})",
        ha="center",
        va="center",
        fontsize=6.5,
    )
    px, _py, pw, ph = _PANEL
    bar_x = px + pw * 0.34
    bar_y = _PANEL[1] + (arrow_y - 0.045) * ph
    _scale_bar(fig, layout, bar_x, bar_y, max_cm=pw * w_cm * 0.55)
    y = arrow_y - 0.095
    panel.axhline(y, color="black", lw=0.8)
    # legend
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
    # notes at the bottom
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
    _save(fig, path, dpi)
    return PrintMap(
        key=key or path.stem,
        path=path,
        judul=title,
        keterangan=caption or title,
        skala=layout.scale,
        paper=paper,
    )


# =========================================================================== annex maps


def _label(
    ax, frame: gpd.GeoDataFrame, column: str, *, fontsize: float = 6.5, bold: bool = False
) -> None:
    if frame.empty:
        return
    pts = frame.geometry.representative_point()
    for p, text in zip(pts, frame[column].astype(str), strict=True):
        if p is None or p.is_empty:
            continue
        ax.text(
            p.x,
            p.y,
            text,
            ha="center",
            va="center",
            fontsize=fontsize,
            fontweight="bold" if bold else "normal",
            path_effects=_HALO,
            zorder=10,
        )


def _kecamatan(wilayah: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if wilayah.empty:
        return wilayah
    return wilayah.dissolve(by="kecamatan", as_index=False)[["kecamatan", "geometry"]]


def _base(ax, w: gpd.GeoDataFrame, *, fill: bool = True) -> None:
    if w.empty:
        return
    w.plot(
        ax=ax, facecolor=_BASE_FILL if fill else "none", edgecolor=_EDGE, linewidth=0.6, zorder=1
    )


def _kawasan_outline(ax, k: gpd.GeoDataFrame) -> None:
    kk = k[k.geometry.notna()]
    if not kk.empty:
        kk.boundary.plot(ax=ax, color="black", linewidth=1.0, zorder=6)


def _count_label(label: str, n: int, ha: float | None = None) -> str:
    return f"{label}: {n} kawasan" + ("" if ha is None else f", {format_number_id(ha, 2)} ha")


#: Map keys of the annex, in report order.
MAP_KEYS: tuple[str, ...] = (
    "administrasi", "delineasi", "tingkat_rt",
    "aspek_bangunan", "aspek_jalan", "aspek_air_minum", "aspek_drainase", "aspek_air_limbah",
    "aspek_persampahan", "aspek_kebakaran",
    "legalitas", "prioritas", "pola_penanganan",
)  # fmt: skip


def annex_maps(
    annex,
    directory: str | os.PathLike,
    *,
    paper: str = "A4",
    dpi: int = 200,
    on_map: Callable[[str], None] | None = None,
) -> list[PrintMap]:
    """Every map of the RP2KPKP annex (domain.md §8) as PNG in ``directory``:
    administration, delineation, slum level per RT, one map per aspect (the RT's aspect
    average in the rule set's score bands), land legality, priority and handling pattern.

    ``annex`` is a :class:`kumuhgis.analysis.rp2kpkp.Annex`; ``on_map(title)`` is called before each
    map (progress display).
    """
    d = Path(directory)
    rules = annex.rules
    w = annex.wilayah
    rt = annex.rt
    k = annex.kawasan
    k_geo = k[k.geometry.notna()]
    frame = w if len(w) else rt if len(rt) else k_geo
    if len(frame) == 0:
        raise UsageError(
            "Proyek tidak punya geometri wilayah, RT atau kawasan untuk dipetakan / nothing to map"
        )
    place = ", ".join(x for x in (annex.kota, annex.provinsi) if x)
    asal = annex.asal
    src_cond = f"kondisi RT tahun {annex.tahun}" + (
        f": {asal.get('observed', 0)} RT hasil survei, {asal.get('derived', 0)} RT turunan"
        if asal
        else ""
    )
    sk = f"delineasi dan SK {annex.sk_info['no_sk']}" if annex.sk_info else "delineasi kawasan"
    source = f"baseline kumuh proyek ({src_cond}); {sk}; batas administrasi proyek."
    subtitle = "\n".join(
        x
        for x in (
            annex.kota,
            f"Provinsi {annex.provinsi}" if annex.provinsi else "",
            f"Tahun {annex.tahun}",
        )
        if x
    )
    maps: list[PrintMap] = []
    n = {"i": 0}

    def emit(key: str, title: str, draw, legend, caption: str, notes: Sequence[str] = ()) -> None:
        if on_map is not None:
            on_map(title)
        n["i"] += 1
        path = d / f"{n['i']:02d}_{key}.png"
        maps.append(
            print_map(
                draw,
                path,
                bounds_frame=frame,
                title=title,
                subtitle=subtitle,
                legend=legend,
                notes=notes,
                source=source,
                paper=paper,
                dpi=dpi,
                key=key,
                caption=caption,
                number=n["i"],
            )
        )

    def to(g: gpd.GeoDataFrame, crs):
        return g.to_crs(crs) if len(g) else g

    # 1. administration
    kec = _kecamatan(w)
    kec_names = sorted(kec["kecamatan"].astype(str)) if len(kec) else []
    colors = {
        name: _KECAMATAN_COLORS[i % len(_KECAMATAN_COLORS)] for i, name in enumerate(kec_names)
    }

    def draw_admin(ax, crs):
        ww = to(w, crs)
        if len(ww):
            ww.plot(
                ax=ax,
                color=[colors[str(c)] for c in ww["kecamatan"]],
                edgecolor=_EDGE,
                linewidth=0.6,
                zorder=1,
            )
            to(kec, crs).boundary.plot(
                ax=ax, color="#333333", linewidth=1.4, linestyle="--", zorder=3
            )
            _label(ax, ww, "kelurahan", fontsize=6)

    emit(
        "administrasi", "Peta administrasi", draw_admin,
        [*(Patch(facecolor=colors[c], edgecolor=_EDGE, label=f"Kecamatan {c}") for c in kec_names),
         Line2D([], [], color=_EDGE, lw=0.8, label="Batas kelurahan/desa"), Line2D([], [], color="#333333", lw=1.4, ls="--", label="Batas kecamatan")],
        f"Peta administrasi: {len(w)} kelurahan/desa di {len(kec_names)} kecamatan" + (f", {place}" if place else ""),
        notes=["Nama pada peta: kelurahan/desa."],
    )  # fmt: skip

    # 2. delineation
    def draw_delineasi(ax, crs):
        _base(ax, to(w, crs))
        rr = to(rt, crs)
        if len(rr):
            rr.boundary.plot(ax=ax, color="#c8c8c8", linewidth=0.25, zorder=2)
        kk = to(k_geo, crs)
        if len(kk):
            kk.plot(
                ax=ax, facecolor="#e34a33", edgecolor="#99000d", linewidth=1.0, alpha=0.55, zorder=5
            )
            _label(ax, kk, "kode_kawasan", fontsize=6.5, bold=True)

    emit(
        "delineasi", "Peta delineasi kawasan permukiman kumuh", draw_delineasi,
        [Patch(facecolor="#e34a33", alpha=0.55, edgecolor="#99000d", label=f"Kawasan kumuh ({len(k_geo)} kawasan; {format_number_id(float(k['luas_ha'].sum()), 2)} ha Σ RT)"),
         Line2D([], [], color="#c8c8c8", lw=0.6, label="Batas RT"), Line2D([], [], color=_EDGE, lw=0.8, label="Batas kelurahan/desa")],
        f"Delineasi kawasan permukiman kumuh ({sk})",
        notes=["Label: kode kawasan (lihat tabel profil kawasan)."],
    )  # fmt: skip

    # 3. level per RT
    levels = list(rules.levels)
    lv_codes = rt["tingkat"].astype(str) if len(rt) else pd.Series([], dtype="str")

    def draw_levels(ax, crs):
        _base(ax, to(w, crs))
        rr = to(rt, crs)
        if len(rr):
            colors_rt = [LEVEL_COLORS.get(c, _NO_DATA) for c in rr["tingkat"].astype(str)]
            rr.plot(ax=ax, color=colors_rt, edgecolor="white", linewidth=0.2, zorder=2)
        _kawasan_outline(ax, to(k_geo, crs))

    legend = []
    for lv in levels:
        m = lv_codes == lv.code
        ha = (
            float(pd.to_numeric(rt.loc[m.to_numpy(), "luas_ha"], errors="coerce").sum())
            if len(rt)
            else 0.0
        )
        legend.append(
            Patch(
                facecolor=LEVEL_COLORS.get(lv.code, _NO_DATA),
                edgecolor="white",
                label=f"{lv.label_id.capitalize()} ({lv.code}): {int(m.sum())} RT, {format_number_id(ha, 2)} ha",
            )
        )
    nodata = int((~lv_codes.isin([lv.code for lv in levels])).sum()) if len(rt) else 0
    if nodata:
        legend.append(Patch(facecolor=_NO_DATA, label=f"Tidak ada data ({nodata} RT)"))
    legend.append(Line2D([], [], color="black", lw=1.0, label="Batas kawasan kumuh"))
    emit("tingkat_rt", "Peta tingkat kekumuhan per RT", draw_levels, legend,
         f"Tingkat kekumuhan per RT tahun {annex.tahun} ({rules.title_id})",
         notes=[f"Tingkat dari total nilai {len(rules.criteria)} kriteria: " + "; ".join(f"{lv.code} {'–'.join(map(str, rules.level_range(lv.code)))}" for lv in levels) + "."])  # fmt: skip

    # 4. one map per aspect: the RT's aspect average in the score bands
    bands = sorted(rules.score_bands, key=lambda b: b.min_hundredths)
    edges = [b.min_hundredths / 100 for b in bands]
    band_labels = []
    for i, b in enumerate(bands):
        lo = format_number_id(b.min_pct, 0)
        hi = (
            format_number_id(float(bands[i + 1].min_pct) - 0.01, 2) if i + 1 < len(bands) else "100"
        )
        band_labels.append(f"{lo}–{hi}% (nilai {b.score})")
    for a in rules.aspects:
        col = a.column

        def draw_aspect(ax, crs, col=col):
            _base(ax, to(w, crs))
            rr = to(rt, crs)
            if len(rr):
                vals = (
                    pd.to_numeric(rr[col], errors="coerce").to_numpy(dtype=float)
                    if col in rr
                    else np.full(len(rr), np.nan)
                )
                idx = np.searchsorted(edges, vals, side="right") - 1
                cols = [
                    _NO_DATA
                    if not np.isfinite(v)
                    else _ASPECT_BAND_COLORS[min(max(i, 0), len(_ASPECT_BAND_COLORS) - 1)]
                    for v, i in zip(vals, idx, strict=True)
                ]
                rr.plot(ax=ax, color=cols, edgecolor="white", linewidth=0.2, zorder=2)
            _kawasan_outline(ax, to(k_geo, crs))

        vals_all = pd.to_numeric(rt[col], errors="coerce") if col in rt else pd.Series(dtype=float)
        idx_all = np.searchsorted(edges, vals_all.to_numpy(dtype=float), side="right") - 1
        legend = [
            Patch(
                facecolor=_ASPECT_BAND_COLORS[min(i, len(_ASPECT_BAND_COLORS) - 1)],
                edgecolor="white",
                label=f"{band_labels[i]}: {int(((idx_all == i) & vals_all.notna().to_numpy()).sum())} RT",
            )
            for i in range(len(bands))
        ]
        if vals_all.isna().any():
            legend.append(
                Patch(facecolor=_NO_DATA, label=f"Tidak ada data ({int(vals_all.isna().sum())} RT)")
            )
        legend.append(Line2D([], [], color="black", lw=1.0, label="Batas kawasan kumuh"))
        crit = ", ".join(f"{c} {rules.criterion(c).label_id.lower()}" for c in a.codes)
        emit(f"aspek_{a.key}", f"Peta {a.label_id.lower()} per RT", draw_aspect, legend,
             f"{a.label_id} per RT tahun {annex.tahun}: rata-rata persentase kriteria {', '.join(a.codes)}",
             notes=[f"Warna: rata-rata kondisi aspek ({crit}), dikelompokkan menurut ambang nilai kriteria."])  # fmt: skip

    # 5–7. kawasan maps: legality, priority, pattern
    def kawasan_map(
        key: str,
        title: str,
        column: str,
        palette: dict,
        caption: str,
        notes: Sequence[str] = (),
        hatch_ilegal_rt: bool = False,
        label_fmt=None,
    ):
        vals = k_geo[column] if column in k_geo else pd.Series([pd.NA] * len(k_geo))

        def draw(ax, crs):
            _base(ax, to(w, crs))
            rr = to(rt, crs)
            if len(rr):
                rr.boundary.plot(ax=ax, color="#c8c8c8", linewidth=0.25, zorder=2)
            kk = to(k_geo, crs)
            if len(kk):
                cols = [palette.get(v if not pd.isna(v) else None, _NO_DATA) for v in kk[column]]
                kk.plot(ax=ax, color=cols, edgecolor="black", linewidth=0.9, zorder=5)
                unknown = kk[kk[column].isna()]
                if len(unknown):
                    unknown.plot(
                        ax=ax,
                        facecolor="none",
                        edgecolor="#555555",
                        hatch="xxx",
                        linewidth=0.0,
                        zorder=6,
                    )
                if hatch_ilegal_rt and "legalitas" in rr:
                    il = rr[rr["legalitas"].astype(str).str.lower() == "ilegal"]
                    if len(il):
                        il.plot(
                            ax=ax,
                            facecolor="none",
                            edgecolor="#67001f",
                            hatch="////",
                            linewidth=0.4,
                            zorder=7,
                        )
                kk = kk.assign(
                    _lab=[label_fmt(r) for _, r in kk.iterrows()]
                    if label_fmt
                    else kk["kode_kawasan"]
                )
                _label(ax, kk, "_lab", fontsize=6, bold=True)

        legend = []
        for value, color in palette.items():
            m = vals == value
            if not m.any():
                continue
            ha = float(k_geo.loc[m.to_numpy(), "luas_ha"].sum())
            text = str(value)
            legend.append(
                Patch(
                    facecolor=color,
                    edgecolor="black",
                    label=_count_label(text[:1].upper() + text[1:], int(m.sum()), ha),
                )
            )
        if vals.isna().any():
            legend.append(
                Patch(
                    facecolor=_NO_DATA,
                    edgecolor="#555555",
                    hatch="xxx",
                    label=_count_label(
                        "Tidak dapat ditentukan (lihat data kurang)", int(vals.isna().sum())
                    ),
                )
            )
        if hatch_ilegal_rt:
            legend.append(
                Patch(
                    facecolor="none",
                    edgecolor="#67001f",
                    hatch="////",
                    label="RT dengan lahan ilegal",
                )
            )
        emit(key, title, draw, legend, caption, notes=notes)

    kawasan_map(
        "legalitas", "Peta legalitas lahan kawasan kumuh", "legalitas", _LEGAL_COLORS,
        f"Legalitas lahan kawasan kumuh tahun {annex.tahun}",
        notes=["Legal hanya bila status tanah dan kesesuaian tata ruang keduanya positif; kawasan ilegal bila salah satu RT-nya ilegal (lihat metode)."],
        hatch_ilegal_rt=True,
    )  # fmt: skip
    pr = {i: c for i, c in _PRIORITY_COLORS.items()}
    pr_palette: dict = {}
    for cat in ("tinggi", "sedang", "rendah"):
        for code in annex.plan.kumuh_codes:
            num = annex.plan.prioritas[cat][code]
            pr_palette[num] = pr.get(num, "#fdd49e")
    k_geo = k_geo.copy()
    k_geo["_prio"] = [
        f"prioritas {int(p)}"
        if not pd.isna(p)
        else ("pencegahan (tidak kumuh)" if str(t) in annex.rules.not_kumuh_codes else pd.NA)
        for p, t in zip(k_geo["prioritas"], k_geo["tingkat"], strict=True)
    ]
    prio_palette = {f"prioritas {num}": color for num, color in sorted(pr_palette.items())}
    prio_palette["pencegahan (tidak kumuh)"] = _PATTERN_COLORS["pencegahan"]
    kawasan_map(
        "prioritas", "Peta prioritas penanganan kawasan kumuh", "_prio", prio_palette,
        f"Prioritas penanganan kawasan kumuh (matriks pertimbangan lain × tingkat kekumuhan), tahun {annex.tahun}",
        notes=["Label: kode kawasan / nomor prioritas (1 = paling mendesak)."],
        label_fmt=lambda r: f"{r['kode_kawasan']}\nP{int(r['prioritas'])}" if not pd.isna(r["prioritas"]) else str(r["kode_kawasan"]),
    )  # fmt: skip
    kawasan_map(
        "pola_penanganan", "Peta pola penanganan kawasan kumuh", "pola_penanganan", _PATTERN_COLORS,
        f"Pola penanganan kawasan kumuh tahun {annex.tahun}",
        notes=["Legal dan kumuh berat/sedang → peremajaan; legal dan kumuh ringan → pemugaran; ilegal → permukiman kembali; tidak kumuh → pencegahan."],
    )  # fmt: skip
    return maps
