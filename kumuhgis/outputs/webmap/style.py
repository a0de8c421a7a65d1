"""The viewer's colours and symbols: RT levels, kolaborasi statuses (from the one palette,
:mod:`kumuhgis.outputs.palette`) and infrastructure icons.

The same palette colours the RT tiles (:mod:`kumuhgis.outputs.webmap.tiles`), the browser
legend (:func:`kumuhgis.outputs.webmap.config.map_config`) and the map image
(:mod:`kumuhgis.outputs.webmap.image`).
"""

from __future__ import annotations

from typing import Any

from kumuhgis.outputs.palette import LEVEL_COLORS, STATUS_COLORS

__all__ = [
    "LEVEL_CODES",
    "LEVEL_COLORS",
    "STATUS_CODES",
    "STATUS_COLORS",
    "infra_style",
]

#: RT levels in the order of the tile palette index; "" = no condition data that year.
LEVEL_CODES: tuple[str, ...] = ("", "TK", "KR", "KS", "KB")
#: Kolaborasi statuses (domain.md §7) in legend order; "" = not classified.
STATUS_CODES: tuple[str, ...] = ("dalam", "sebagian", "batas", "luar", "")


# Keyword of a ``jenis`` (after lower-casing) → icon key and colour. The browser draws each
# icon key with its own inline SVG (app/static/kumuhgis/map.js): no icon font, no image file.
_INFRA_RULES: tuple[tuple[str, str, str], ...] = (
    ("hidran", "hidran", "#0571b0"),
    ("sumur", "sumur", "#2c7fb8"),
    ("air minum", "sumur", "#2c7fb8"),
    ("menara air", "sumur", "#2c7fb8"),
    ("mck", "mck", "#8c510a"),
    ("jamban", "mck", "#8c510a"),
    ("toilet", "mck", "#8c510a"),
    ("septic", "septik", "#5e3c99"),
    ("septik", "septik", "#5e3c99"),
    ("ipal", "septik", "#5e3c99"),
    ("tps", "sampah", "#4d9221"),
    ("sampah", "sampah", "#4d9221"),
    ("apar", "api", "#e31a1c"),
    ("kebakaran", "api", "#e31a1c"),
    ("hydrant", "hidran", "#0571b0"),
    ("jalan", "jalan", "#7f6b4f"),
    ("drainase", "drainase", "#1f78b4"),
    ("saluran", "drainase", "#1f78b4"),
)


def infra_style(jenis: Any) -> dict[str, str]:
    """Icon key and colour for an infrastructure ``jenis`` (type), matched by keyword.

    ``"Sumur bor"`` → ``{"icon": "sumur", "color": "#2c7fb8"}``; an unknown type gets the
    generic icon ``"lain"``.
    """
    text = str(jenis or "").lower()
    for key, icon, color in _INFRA_RULES:
        if key in text:
            return {"icon": icon, "color": color}
    return {"icon": "lain", "color": "#525252"}
