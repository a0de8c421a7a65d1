"""The one palette of kumuhgis: the colours of the RT levels and of the kolaborasi statuses.

Every output that colours a level or a status takes it from here: the web map's tiles,
legend and image (:mod:`kumuhgis.outputs.webmap.style`), the charts
(:mod:`kumuhgis.outputs.charts`) and the RP2KPKP annex maps
(:mod:`kumuhgis.outputs.annex_maps`), so a KB RT is the same red everywhere.
"""

from __future__ import annotations

__all__ = ["LEVEL_COLORS", "STATUS_COLORS"]

#: Colours of the levels (domain.md §4), the usual legend: red, orange, yellow, green;
#: "" = no condition data that year.
LEVEL_COLORS: dict[str, str] = {
    "KB": "#d7191c",
    "KS": "#fdae61",
    "KR": "#ffdf6b",
    "TK": "#1a9641",
    "": "#bdbdbd",
}
#: Kolaborasi status (domain.md §7); "" = not classified.
STATUS_COLORS: dict[str, str] = {
    "dalam": "#1a9641",
    "sebagian": "#e6a100",
    "batas": "#7b3294",
    "luar": "#d7191c",
    "": "#6b6b6b",
}
