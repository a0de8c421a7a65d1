"""The printable RP2KPKP annex: one PDF with cover, contents, method, tables, maps, priority
ranking, handling patterns and the memorandum program (domain.md §8).

Why ReportLab (platypus) and not matplotlib's ``PdfPages``: the annex is mostly tables
that run over several pages. Platypus flows a ``Table`` across pages and repeats its
header row on each, wraps long cell text, builds the contents page from the headings
with real page numbers (two-pass ``multiBuild``), writes PDF bookmarks, embeds the fonts
and mixes page sizes in one document (A4 portrait text, A4 landscape wide tables, and map
pages at the maps' own paper size so their printed scale stays true). ``PdfPages`` only
stacks whole figures; tables would have to be paginated by hand and the contents page
guessed.

The story is :data:`SECTIONS`: one (title, builder) entry per section, in print order;
the builders are in :mod:`kumuhgis.outputs.report_sections` and (patterns, needs, the
phased memorandum program) :mod:`kumuhgis.outputs.report_program`, the tables, styles and
fonts they use in :mod:`kumuhgis.outputs.report_style`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from kumuhgis import __version__
from kumuhgis.analysis.rp2kpkp import Annex
from kumuhgis.core.errors import UsageError
from kumuhgis.outputs import report_program as program
from kumuhgis.outputs import report_sections as sections
from kumuhgis.outputs.cartography import PrintMap
from kumuhgis.outputs.files import atomic_path
from kumuhgis.outputs.report_sections import SectionContext
from kumuhgis.outputs.report_style import FONT, MAP_PAGE_SIZES, MARGIN, MapPage, paragraph_styles

__all__ = ["ReportInfo", "SECTIONS", "write_report"]

#: The annex PDF, section by section: (title as printed, builder).
SECTIONS: tuple[tuple[str, Callable[[SectionContext, str], list]], ...] = (
    ("LAMPIRAN RP2KPKP", sections.cover),
    ("Daftar Isi", sections.contents),
    ("1. Metode dan sumber aturan", sections.method),
    ("2. SK Kumuh terverifikasi", sections.sk),
    ("3. Profil kawasan kumuh", sections.profile),
    ("4. Pertimbangan lain, legalitas lahan dan tipologi", sections.considerations),
    ("5. Peta", sections.maps),
    ("6. Prioritas penanganan", sections.priority),
    ("7. Pola penanganan", program.patterns),
    ("8. Kebutuhan penanganan dan biaya indikatif", program.needs),
    ("9. Memorandum program", program.memorandum),
    ("10. Data kurang dan catatan", sections.gaps),
)


@dataclass
class ReportInfo:
    """What :func:`write_report` wrote: the file, its page count, the page of each map
    (by key) and of each section (by title)."""

    path: Path
    pages: int
    map_pages: dict[str, int] = field(default_factory=dict)
    sections: dict[str, int] = field(default_factory=dict)


class _Doc(BaseDocTemplate):
    def __init__(self, filename: str, *, footer: str, map_sizes: Sequence[str], **kw):
        super().__init__(
            filename,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            **kw,
        )
        self.footer = footer
        self.map_pages: dict[str, int] = {}
        self.sections: dict[str, int] = {}
        self._n_heading = 0
        pw, ph = A4
        lw, lh = landscape(A4)
        portrait = Frame(MARGIN, MARGIN, pw - 2 * MARGIN, ph - 2 * MARGIN, id="p")
        wide = Frame(1.5 * cm, 1.5 * cm, lw - 3 * cm, lh - 3 * cm, id="l")
        templates = [
            PageTemplate(
                "cover", [Frame(2.5 * cm, 2.5 * cm, pw - 5 * cm, ph - 5 * cm, id="c")], pagesize=A4
            ),
            PageTemplate("portrait", [portrait], onPage=self._decorate, pagesize=A4),
            PageTemplate("landscape", [wide], onPage=self._decorate, pagesize=landscape(A4)),
        ]
        for paper in dict.fromkeys(map_sizes):
            size = MAP_PAGE_SIZES[paper]
            templates.append(
                PageTemplate(
                    f"map_{paper}",
                    [Frame(0, 0, size[0], size[1], 0, 0, 0, 0, id=f"m{paper}")],
                    onPageEnd=self._decorate_map,
                    pagesize=size,
                )
            )
        self.addPageTemplates(templates)

    def _decorate(self, canvas, doc) -> None:
        w, h = canvas._pagesize
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.4)
        canvas.line(
            doc.leftMargin if w < h else 1.5 * cm,
            1.2 * cm,
            w - (doc.rightMargin if w < h else 1.5 * cm),
            1.2 * cm,
        )
        canvas.drawString(doc.leftMargin if w < h else 1.5 * cm, 0.8 * cm, self.footer)
        canvas.drawRightString(
            w - (doc.rightMargin if w < h else 1.5 * cm), 0.8 * cm, f"Halaman {doc.page}"
        )
        canvas.restoreState()

    def _decorate_map(self, canvas, doc) -> None:
        w, h = canvas._pagesize
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        # the maps leave a caption strip under their neat line; its right end takes the page number
        canvas.drawRightString(w * 0.973, h * 0.032 - 3, f"Halaman {doc.page}")
        canvas.restoreState()

    def afterFlowable(self, flowable) -> None:
        if isinstance(flowable, Paragraph) and flowable.style.name in ("H1", "H2"):
            level = 0 if flowable.style.name == "H1" else 1
            text = flowable.getPlainText()
            self._n_heading += 1
            key = f"h{self._n_heading}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
            self.notify("TOCEntry", (level, text, self.page, key))
            self.sections[text] = self.page
        elif isinstance(flowable, MapPage):
            self._n_heading += 1
            key = f"h{self._n_heading}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.title, key, level=1, closed=True)
            self.notify("TOCEntry", (1, flowable.title, self.page, key))
            self.map_pages[flowable.key] = self.page

    def handle_documentBegin(self):
        self._n_heading = 0
        self.map_pages = {}
        self.sections = {}
        super().handle_documentBegin()


def _story(annex: Annex, maps: Sequence[PrintMap], st: dict) -> list:
    ctx = SectionContext(annex=annex, maps=maps, st=st)
    return [flowable for title, build in SECTIONS for flowable in build(ctx, title)]


def write_report(annex: Annex, maps: Sequence[PrintMap], path: str | os.PathLike) -> ReportInfo:
    """Write the annex PDF (module docstring): cover, contents, method and rule sources,
    verified SK, kawasan profile, pertimbangan lain and legality, the maps (full pages at
    their paper size; legality and handling pattern per RT), priority matrix and ranking,
    the pattern mix per pattern and per kawasan, needs and indicative cost by pattern, the
    memorandum program phased with its yearly totals against the ceilings and what is not
    funded, data gaps. Written atomically.

    Parameters
    ----------
    annex
        :class:`kumuhgis.analysis.rp2kpkp.Annex`.
    maps
        :class:`kumuhgis.outputs.cartography.PrintMap` list (may be empty).
    path
        Target ``.pdf``.
    """
    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise UsageError(f"Laporan harus berkas .pdf / the report must be a .pdf file: {path}")
    st = paragraph_styles()
    with atomic_path(path) as tmp:
        doc = _Doc(
            str(tmp),
            footer=f"Lampiran RP2KPKP — {annex.kota} — kondisi tahun {annex.tahun}",
            map_sizes=[m.paper for m in maps],
            title=f"Lampiran RP2KPKP {annex.kota} {annex.tahun}",
            author="kumuhgis",
            subject="Profil, prioritas, pola penanganan dan memorandum program kawasan kumuh",
            creator=f"kumuhgis {__version__}",
        )
        a85 = rl_config.useA85
        rl_config.useA85 = (
            0  # binary streams: the pure-Python ASCII85 encoder is slow and 25 % larger
        )
        try:
            doc.multiBuild(_story(annex, maps, st))
        finally:
            rl_config.useA85 = a85
    return ReportInfo(
        path=path, pages=doc.page, map_pages=dict(doc.map_pages), sections=dict(doc.sections)
    )
