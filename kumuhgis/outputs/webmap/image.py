"""The city map as a PNG for a projector (1920 × 1080) or an A3 landscape print.

Drawn with matplotlib's Agg canvas (no display, no global pyplot state) in the city's
SRGI2013 UTM zone, so the scale bar is true; no basemap, so it needs no network.
"""

from __future__ import annotations

import datetime as _dt
import io
import math

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.webmap.data import MapData, as_text
from kumuhgis.outputs.webmap.features import delineasi_frame, rt_frame
from kumuhgis.outputs.webmap.style import LEVEL_COLORS, STATUS_COLORS
from kumuhgis.outputs.webmap.text import map_text

__all__ = ["render_map_image"]

_IMAGE_SIZES = {
    # name: (width in, height in, dpi)
    "proyektor": (16.0, 9.0, 120),  # 1920 × 1080 px
    "a3": (16.54, 11.69, 200),  # A3 landscape, 3308 × 2338 px
}


def _draw_layers(ax, data: MapData, crs: str, year: int | None, no_sk: str | None) -> None:
    """RTs by level, kelurahan boundaries with names, the delineation of SK ``no_sk`` and
    kolaborasi by status, in ``crs``."""
    if len(data.rt):
        rt = rt_frame(data, year).to_crs(crs)
        colors = [LEVEL_COLORS.get(v, LEVEL_COLORS[""]) for v in rt["tingkat"]]
        rt.plot(ax=ax, color=colors, edgecolor="white", linewidth=0.2)
    if len(data.wilayah):
        wil = data.wilayah.to_crs(crs)
        wil.boundary.plot(ax=ax, color="#333333", linewidth=1.0)
        for name, pt in zip(wil["kelurahan"], wil.geometry.representative_point(), strict=True):
            ax.annotate(str(name), (pt.x, pt.y), ha="center", va="center", fontsize=7,
                        color="#111111", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})  # fmt: skip
    dl = delineasi_frame(data, no_sk)
    if len(dl):
        dl.to_crs(crs).boundary.plot(ax=ax, color="#5e3c99", linewidth=1.6, linestyle="--")
    k = data.kolaborasi
    if len(k):
        kk = k.to_crs(crs)
        colors = [STATUS_COLORS.get(s, STATUS_COLORS[""]) for s in as_text(kk["status"])]
        kk.plot(ax=ax, color=colors, markersize=10, linewidth=1.2)


def _draw_scale_and_north(ax, north: str, crs: str) -> None:
    """A scale bar of a round length near a fifth of the map width, a north arrow and the
    CRS the map is drawn in."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = (x1 - x0) / 5
    exp = 10 ** math.floor(math.log10(span))
    length = max(v * exp for v in (1, 2, 5) if v * exp <= span)
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length], [by, by], color="black", linewidth=3, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(bx + length / 2, by + (y1 - y0) * 0.012, label, ha="center", va="bottom", fontsize=9)
    nx, ny = x1 - (x1 - x0) * 0.04, y1 - (y1 - y0) * 0.10
    ax.annotate(north, xy=(nx, ny + (y1 - y0) * 0.07), xytext=(nx, ny), ha="center",
                fontsize=12, fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 2})  # fmt: skip
    ax.text(
        0.0, -0.02, f"{crs} (SRGI2013 UTM)", transform=ax.transAxes, fontsize=7, color="#555555"
    )


def _legend_handles(data: MapData, t: dict[str, str]) -> list:
    """Legend entries: the four levels and "no data", delineation, kelurahan boundaries
    and, when there are kolaborasi, their statuses."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=LEVEL_COLORS[c], edgecolor="#999999", label=f"{t[c]} ({c})")
        for c in ("KB", "KS", "KR", "TK")
    ]
    handles.append(Patch(facecolor=LEVEL_COLORS[""], edgecolor="#999999", label=t["no_data"]))
    handles.append(
        Line2D([], [], color="#5e3c99", linestyle="--", linewidth=1.6, label=t["delineasi"])
    )
    handles.append(Line2D([], [], color="#333333", linewidth=1.0, label=t["wilayah"]))
    if len(data.kolaborasi):
        for s in ("dalam", "sebagian", "batas", "luar") if data.kolaborasi_classified else ("",):
            handles.append(Line2D([], [], marker="o", linestyle="", color=STATUS_COLORS[s],
                                  label=f"{t['kolaborasi']}: {t[s] if s else t['unclassified']}"))  # fmt: skip
    return handles


def render_map_image(
    data: MapData,
    *,
    year: int | None = None,
    no_sk: str | None = None,
    size: str = "proyektor",
    lang: str = "id",
) -> bytes:
    """A PNG of the city map for a projector (1920 × 1080) or an A3 landscape print.

    RT polygons coloured by level of ``year``, the delineation of SK ``no_sk``, kelurahan
    boundaries with names, kolaborasi by status; title, legend, north arrow, a scale bar
    and the date. Drawn in the city's SRGI2013 UTM zone (true scale), without a basemap.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from kumuhgis.geo.crs import srgi2013_utm_epsg

    if size not in _IMAGE_SIZES:
        raise UsageError(
            f"ukuran gambar harus {' atau '.join(_IMAGE_SIZES)} / image size must be one of {', '.join(_IMAGE_SIZES)}"
        )
    t = map_text(lang)
    year = data.year_or_latest(year)
    no_sk = data.check_sk(no_sk) if no_sk else data.latest_sk
    w_in, h_in, dpi = _IMAGE_SIZES[size]
    fig = Figure(figsize=(w_in, h_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.04, 0.74, 0.86))
    ax.set_axis_off()
    if data.bounds is None:
        ax.text(0.5, 0.5, t["no_data"], ha="center", va="center", transform=ax.transAxes)
    else:
        lon = (data.bounds[0] + data.bounds[2]) / 2
        lat = (data.bounds[1] + data.bounds[3]) / 2
        crs = f"EPSG:{srgi2013_utm_epsg(lon, lat)}"
        _draw_layers(ax, data, crs, year, no_sk)
        ax.set_aspect("equal")
        _draw_scale_and_north(ax, t["north"], crs)
    title = t["title"] + (f" — {data.kota}" if data.kota else "")
    fig.text(0.02, 0.95, title, fontsize=18, fontweight="bold", va="center")
    sub = f"{t['level_year']} {year}" if year is not None else ""
    if no_sk:
        sub += f"   ·   {t['sk_version']} {no_sk}"
    fig.text(0.02, 0.915, sub, fontsize=11, va="center", color="#333333")
    fig.legend(
        handles=_legend_handles(data, t),
        loc="upper left",
        bbox_to_anchor=(0.775, 0.88),
        fontsize=9,
        title=t["legend"],
        frameon=False,
    )
    fig.text(
        0.775,
        0.06,
        f"{t['source']}\n{t['made']}: {_dt.date.today().isoformat()}",
        fontsize=8,
        color="#555555",
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
