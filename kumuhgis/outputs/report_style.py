"""The building blocks of the printable RP2KPKP annex: fonts, paragraph styles, the table
that flows over pages, the boxed note and the full-page map (ReportLab platypus).

Fonts: DejaVu Sans from matplotlib's bundled fonts (no download), so every Indonesian
letter and the symbols used (≤, ≥, –, ×, Σ, →) print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from kumuhgis.core.numeric import format_number_id

__all__ = [
    "FONT",
    "MARGIN",
    "MAP_PAGE_SIZES",
    "register_fonts",
    "paragraph_styles",
    "MapPage",
    "Col",
    "table",
    "para",
    "box",
]

FONT = "DejaVuSans"
_HEADER_BG = colors.HexColor("#DDEBF7")
_ZEBRA = colors.HexColor("#F5F8FC")
_TOTAL_BG = colors.HexColor("#F2F2F2")
MARGIN = 1.8 * cm
MAP_PAGE_SIZES = {"A4": landscape(A4), "A3": landscape(A3)}


def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, italic) from matplotlib's fonts; returns the
    family name."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    import matplotlib
    from reportlab.lib.fonts import addMapping

    d = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {
        FONT: "DejaVuSans.ttf",
        f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
        f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
        f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(d / file)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, f"{FONT}-Bold")
    addMapping(FONT, 0, 1, f"{FONT}-Oblique")
    addMapping(FONT, 1, 1, f"{FONT}-BoldOblique")
    return FONT


def paragraph_styles() -> dict[str, ParagraphStyle]:
    """The annex's paragraph styles by name (body, headings H1/H2, cover, table cells,
    contents levels), in DejaVu Sans."""
    f = register_fonts()
    base = ParagraphStyle("body", fontName=f, fontSize=9.5, leading=13, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444")
        ),
        "H1": ParagraphStyle(
            "H1",
            parent=base,
            fontName=f"{f}-Bold",
            fontSize=15,
            leading=19,
            spaceBefore=6,
            spaceAfter=10,
        ),
        "H2": ParagraphStyle(
            "H2",
            parent=base,
            fontName=f"{f}-Bold",
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "cover_title": ParagraphStyle(
            "ct",
            parent=base,
            fontName=f"{f}-Bold",
            fontSize=24,
            leading=30,
            alignment=TA_CENTER,
            spaceAfter=12,
        ),
        "cover_sub": ParagraphStyle(
            "cs", parent=base, fontSize=13, leading=18, alignment=TA_CENTER, spaceAfter=8
        ),
        "cover_small": ParagraphStyle(
            "cm", parent=base, fontSize=10, leading=14, alignment=TA_CENTER
        ),
        "box": ParagraphStyle(
            "box", parent=base, fontSize=9, leading=12.5, textColor=colors.HexColor("#7a3b00")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2, spaceAfter=0),
        "cell_r": ParagraphStyle(
            "cell_r", parent=base, fontSize=7.5, leading=9.2, spaceAfter=0, alignment=TA_RIGHT
        ),
        "head": ParagraphStyle(
            "head",
            parent=base,
            fontName=f"{f}-Bold",
            fontSize=7.5,
            leading=9.2,
            spaceAfter=0,
            alignment=TA_CENTER,
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=base,
            fontName=f"{f}-Oblique",
            fontSize=8.5,
            leading=11,
            spaceBefore=3,
            spaceAfter=8,
        ),
        "toc1": ParagraphStyle(
            "toc1", parent=base, fontName=f"{f}-Bold", fontSize=10, leading=15, leftIndent=0
        ),
        "toc2": ParagraphStyle("toc2", parent=base, fontSize=9, leading=12.5, leftIndent=16),
    }


class MapPage(Flowable):
    """One map PNG drawn full page at its true size (so its printed scale holds)."""

    def __init__(self, path: Path, key: str, title: str, page_size: tuple[float, float]):
        super().__init__()
        self.path, self.key, self.title = path, key, title
        self.width, self.height = page_size

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.drawImage(
            str(self.path), 0, 0, width=self.width, height=self.height, preserveAspectRatio=False
        )


def _num(v, decimals: int) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "-"
    return format_number_id(v, decimals)


@dataclass(frozen=True)
class Col:
    """One column of a :func:`table`: the frame column, its header, its relative width and
    how its cells print (text, int, dec1, dec2, rp, or rp0: rupiah with 0 left blank)."""

    name: str
    header: str
    width: float  # relative
    kind: str = "text"  # text | int | dec1 | dec2 | rp
    bold: bool = False


def _cell(v, kind: str, st) -> Paragraph:
    if kind == "text":
        text = "" if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)
        return Paragraph(escape(text), st["cell"])
    if (
        kind == "rp0"
        and not (v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)))
        and float(v) == 0
    ):
        text = ""
    elif kind in ("rp", "rp0") or kind == "int":
        text = _num(v, 0)
    elif kind == "dec1":
        text = _num(v, 1)
    else:
        text = _num(v, 2)
    return Paragraph(text, st["cell_r"])


def table(
    frame: pd.DataFrame,
    cols: Sequence[Col],
    width: float,
    st,
    *,
    totals: dict | None = None,
    font_size: float | None = None,
) -> Table:
    """A table that flows over pages with its header repeated; wrapped cells, Indonesian
    number style, zebra rows, an optional bold totals row."""
    if font_size:
        st = dict(st)
        st["cell"] = ParagraphStyle(
            "c2", parent=st["cell"], fontSize=font_size, leading=font_size * 1.22
        )
        st["cell_r"] = ParagraphStyle(
            "c3", parent=st["cell_r"], fontSize=font_size, leading=font_size * 1.22
        )
        st["head"] = ParagraphStyle(
            "c4", parent=st["head"], fontSize=font_size, leading=font_size * 1.22
        )
    data = [[Paragraph(escape(c.header), st["head"]) for c in cols]]
    for _, row in frame.iterrows():
        data.append([_cell(row.get(c.name), c.kind, st) for c in cols])
    if totals is not None:
        line = []
        for i, c in enumerate(cols):
            if i == 0:
                line.append(Paragraph("<b>Jumlah</b>", st["cell"]))
            elif c.name in totals:
                p = _cell(totals[c.name], c.kind, st)
                line.append(Paragraph(f"<b>{p.text}</b>", st["cell_r"]))
            else:
                line.append("")
        data.append(line)
    total_w = sum(c.width for c in cols)
    widths = [width * c.width / total_w for c in cols]
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, 0), _HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for r in range(1, len(frame) + 1):
        if r % 2 == 0:
            style.append(("BACKGROUND", (0, r), (-1, r), _ZEBRA))
    if totals is not None:
        style.append(("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), _TOTAL_BG))
    t.setStyle(TableStyle(style))
    return t


def para(text: str, st, style: str = "body") -> Paragraph:
    """Plain text (escaped) as a paragraph of ``style``."""
    return Paragraph(escape(text), st[style])


def box(lines: Sequence[str], st, width: float) -> Table:
    """Lines in an orange box: the warnings a reader must not miss (indicative, draft)."""
    t = Table([[Paragraph("<br/>".join(escape(x) for x in lines), st["box"])]], colWidths=[width])
    t.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#c77c02")),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff4e0")),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return t
