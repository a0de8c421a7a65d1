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

Fonts: DejaVu Sans from matplotlib's bundled fonts (no download), so every Indonesian
letter and the symbols used (≤, ≥, –, ×, Σ, →) print.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
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
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from kumuhgis import __version__
from kumuhgis.core.numeric import format_number_id, format_rupiah

__all__ = ["ReportInfo", "write_report", "register_fonts"]

_FONT = "DejaVuSans"
_HEADER_BG = colors.HexColor("#DDEBF7")
_ZEBRA = colors.HexColor("#F5F8FC")
_TOTAL_BG = colors.HexColor("#F2F2F2")
_MARGIN = 1.8 * cm
_PAGES = {"A4": landscape(A4), "A3": landscape(A3)}


@dataclass
class ReportInfo:
    """What :func:`write_report` wrote: the file, its page count, the page of each map
    (by key) and of each section (by title)."""

    path: Path
    pages: int
    map_pages: dict[str, int] = field(default_factory=dict)
    sections: dict[str, int] = field(default_factory=dict)


def register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, italic) from matplotlib's fonts; returns the
    family name."""
    if _FONT in pdfmetrics.getRegisteredFontNames():
        return _FONT
    import matplotlib
    from reportlab.lib.fonts import addMapping

    d = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {
        _FONT: "DejaVuSans.ttf",
        f"{_FONT}-Bold": "DejaVuSans-Bold.ttf",
        f"{_FONT}-Oblique": "DejaVuSans-Oblique.ttf",
        f"{_FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(d / file)))
    addMapping(_FONT, 0, 0, _FONT)
    addMapping(_FONT, 1, 0, f"{_FONT}-Bold")
    addMapping(_FONT, 0, 1, f"{_FONT}-Oblique")
    addMapping(_FONT, 1, 1, f"{_FONT}-BoldOblique")
    return _FONT


def _styles() -> dict[str, ParagraphStyle]:
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


class _MapPage(Flowable):
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


class _Doc(BaseDocTemplate):
    def __init__(self, filename: str, *, footer: str, map_sizes: Sequence[str], **kw):
        super().__init__(
            filename,
            pagesize=A4,
            leftMargin=_MARGIN,
            rightMargin=_MARGIN,
            topMargin=_MARGIN,
            bottomMargin=_MARGIN,
            **kw,
        )
        self.footer = footer
        self.map_pages: dict[str, int] = {}
        self.sections: dict[str, int] = {}
        self._n_heading = 0
        pw, ph = A4
        lw, lh = landscape(A4)
        portrait = Frame(_MARGIN, _MARGIN, pw - 2 * _MARGIN, ph - 2 * _MARGIN, id="p")
        wide = Frame(1.5 * cm, 1.5 * cm, lw - 3 * cm, lh - 3 * cm, id="l")
        templates = [
            PageTemplate(
                "cover", [Frame(2.5 * cm, 2.5 * cm, pw - 5 * cm, ph - 5 * cm, id="c")], pagesize=A4
            ),
            PageTemplate("portrait", [portrait], onPage=self._decorate, pagesize=A4),
            PageTemplate("landscape", [wide], onPage=self._decorate, pagesize=landscape(A4)),
        ]
        for paper in dict.fromkeys(map_sizes):
            size = _PAGES[paper]
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
        canvas.setFont(_FONT, 7.5)
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
        canvas.setFont(_FONT, 7.5)
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
        elif isinstance(flowable, _MapPage):
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


# --------------------------------------------------------------------------- tables


def _num(v, decimals: int) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "-"
    return format_number_id(v, decimals)


@dataclass(frozen=True)
class _Col:
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


def _table(
    frame: pd.DataFrame,
    cols: Sequence[_Col],
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


def _para(text: str, st, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), st[style])


def _box(lines: Sequence[str], st, width: float) -> Table:
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


# --------------------------------------------------------------------------- content


def _flag_labels(value) -> str:
    """SK verification flags ("luas_mismatch;lintas_kelurahan") as their Indonesian titles."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    try:
        from kumuhgis.analysis.verification import FLAG_LABELS
    except ImportError:  # pragma: no cover - verification not installed
        FLAG_LABELS = {}
    flags = [f.strip() for f in str(value).split(";") if f.strip()]
    return "; ".join(FLAG_LABELS.get(f, (f, f))[0] for f in flags)


_POLA_TEXT = {
    "peremajaan": "Peremajaan: mewujudkan kondisi rumah, perumahan, permukiman dan lingkungan hunian yang lebih baik untuk melindungi keselamatan dan keamanan penghuni dan masyarakat sekitar; untuk lahan legal dengan tingkat kumuh berat atau sedang.",
    "pemugaran": "Pemugaran: perbaikan dan/atau pembangunan kembali perumahan dan permukiman menjadi layak huni; untuk lahan legal dengan tingkat kumuh ringan.",
    "permukiman kembali": "Permukiman kembali: memindahkan masyarakat dari lokasi yang tidak mungkin dibangun kembali karena tidak sesuai rencana tata ruang dan/atau rawan bencana; untuk lahan ilegal pada semua tingkat kumuh.",
    "pencegahan": "Pencegahan: pengawasan dan pengendalian serta pemberdayaan masyarakat, untuk kawasan yang tidak (lagi) kumuh.",
}


def _story(annex, maps, st) -> list:
    from kumuhgis.analysis.rp2kpkp import (
        cost_by_kawasan,
        memorandum_pivot,
        method_lines,
        pattern_summary,
        priority_matrix_counts,
    )

    pw, _ = A4
    W = pw - 2 * _MARGIN
    LW = landscape(A4)[0] - 3 * cm
    r = annex.rules
    p = annex.profil
    labels_lv = {lv.code: lv.label_id for lv in r.levels}
    story: list = []
    # ---- cover
    story += [
        NextPageTemplate("cover"),
        Spacer(1, 3 * cm),
        Paragraph("LAMPIRAN RP2KPKP", st["cover_title"]),
        _para(
            "Rencana Pencegahan dan Peningkatan Kualitas terhadap Perumahan Kumuh dan Permukiman Kumuh",
            st,
            "cover_sub",
        ),
        _para(
            "Profil, prioritas, pola penanganan dan memorandum program kawasan kumuh",
            st,
            "cover_sub",
        ),
        Spacer(1, 1.2 * cm),
        Paragraph(f"<b>{escape(annex.kota or '-')}</b>", st["cover_sub"]),
        _para(f"Provinsi {annex.provinsi}" if annex.provinsi else "", st, "cover_small"),
        Spacer(1, 0.6 * cm),
        _para(f"Kondisi tahun {annex.tahun}", st, "cover_small"),
        _para(
            f"SK Kumuh {annex.sk_info['no_sk']} tanggal {annex.sk_info['tanggal_sk']}"
            if annex.sk_info
            else "Tanpa SK Kumuh (semua kawasan delineasi)",
            st,
            "cover_small",
        ),
        _para(
            f"{len(p)} kawasan; luas {format_number_id(float(p['luas_ha'].sum()), 2)} ha (Σ RT); luas kumuh {format_number_id(float(p['luas_kumuh_ha'].sum()), 2)} ha",
            st,
            "cover_small",
        ),
        Spacer(1, 1.5 * cm),
    ]
    warn = []
    if annex.costs.indicative:
        warn.append(
            f"Biaya dalam lampiran ini INDIKATIF (harga satuan {annex.costs.tahun_harga}): {annex.costs.sumber}."
        )
    if annex.memorandum_asal == "draf":
        warn.append(
            "Memorandum program adalah DRAF otomatis untuk disunting Pokja PKP (berkas memorandum_program.xlsx) lalu diimpor kembali."
        )
    if warn:
        story.append(_box(warn, st, pw - 5 * cm))
    story += [
        Spacer(1, 2 * cm),
        _para(
            f"Disusun dengan kumuhgis {__version__} pada {_dt.date.today().isoformat()} dari proyek kota (GeoPackage).",
            st,
            "cover_small",
        ),
        NextPageTemplate("portrait"),
        PageBreak(),
    ]
    # ---- contents
    toc = TableOfContents(levelStyles=[st["toc1"], st["toc2"]], dotsMinLevel=0)
    story += [Paragraph("Daftar Isi", ParagraphStyle("toch", parent=st["H1"])), toc, PageBreak()]

    # ---- 1 method
    story.append(Paragraph("1. Metode dan sumber aturan", st["H1"]))
    for line in method_lines(annex):
        story.append(_para(line, st))
    story.append(Paragraph("Kriteria penilaian", st["H2"]))
    desc = r.describe()
    story.append(
        _table(
            desc,
            [
                _Col("kode", "Kode", 1),
                _Col("aspek", "Aspek", 3),
                _Col("kriteria", "Kriteria", 6),
                _Col("satuan", "Satuan", 1.2),
                _Col("penyebut", "Penyebut", 3),
            ],
            W,
            st,
        )
    )
    story.append(Paragraph("Matriks prioritas dan pola penanganan", st["H2"]))
    plan = annex.plan
    mat = pd.DataFrame(
        [
            {"pertimbangan": cat, **{code: plan.prioritas[cat][code] for code in plan.kumuh_codes}}
            for cat in ("tinggi", "sedang", "rendah")
        ]
    )
    story.append(
        KeepTogether(
            [
                _table(
                    mat,
                    [
                        _Col("pertimbangan", "Pertimbangan lain", 3),
                        *(
                            _Col(code, f"{labels_lv[code]} ({code})", 2, "int")
                            for code in plan.kumuh_codes
                        ),
                    ],
                    W * 0.7,
                    st,
                ),
                Spacer(1, 6),
            ]
        )
    )
    pola = pd.DataFrame(
        [
            {"legalitas": row, **{code: plan.pola[row][code] for code in plan.level_codes}}
            for row in ("legal", "ilegal")
        ]
    )
    story.append(
        _table(
            pola,
            [
                _Col("legalitas", "Legalitas lahan", 2.4),
                *(_Col(code, f"{labels_lv[code]} ({code})", 2.6) for code in plan.level_codes),
            ],
            W,
            st,
        )
    )

    # ---- 2 SK
    story.append(PageBreak())
    story.append(Paragraph("2. SK Kumuh terverifikasi", st["H1"]))
    info = annex.sk_info
    if len(annex.sk):
        if info.get("rekomendasi"):
            story.append(
                _para(
                    f"SK {info['no_sk']} tanggal {info['tanggal_sk']} diperiksa terhadap delineasi, batas wilayah dan tingkat kekumuhan RT "
                    f"tahun {annex.tahun}: {info.get('jumlah_temuan', 0)} temuan; rekomendasi: {info['rekomendasi']} — {info.get('alasan', '')}. "
                    f"Luas SK {format_number_id(info.get('luas_sk_ha'), 2)} ha; luas terverifikasi {format_number_id(info.get('luas_terverifikasi_ha'), 2)} ha "
                    "(jumlah luas RT kumuh di lokasi yang dipertahankan, ditambah RT kumuh di luar SK).",
                    st,
                )
            )
        sk = annex.sk.copy()
        if "temuan" in sk:
            sk["temuan"] = [_flag_labels(v) for v in sk["temuan"]]
        cols = [
            _Col("kode_kawasan", "Kode", 1.25),
            _Col("nama_lokasi", "Nama lokasi", 2.9),
            _Col("kelurahan", "Kelurahan", 2.1),
            _Col("luas_sk_ha", "Luas SK (ha)", 1.25, "dec2"),
            _Col("luas_delineasi_ha", "Luas deli- neasi (ha)", 1.3, "dec2"),
            _Col("luas_rt_ha", "Luas Σ RT (ha)", 1.25, "dec2"),
            _Col("luas_terverifikasi_ha", "Luas terveri- fikasi (ha)", 1.4, "dec2"),
            _Col("rekomendasi", "Rekomen- dasi", 1.75),
            _Col("temuan", "Temuan", 3.4),
        ]
        cols = [c for c in cols if c.name in sk.columns]
        tot = {
            c.name: float(pd.to_numeric(sk[c.name], errors="coerce").sum())
            for c in cols
            if c.kind == "dec2"
        }
        story.append(_table(sk, cols, W, st, totals=tot, font_size=7))
    else:
        story.append(_para("Proyek belum punya SK Kumuh.", st))

    # ---- 3 profile (landscape)
    story += [
        NextPageTemplate("landscape"),
        PageBreak(),
        Paragraph("3. Profil kawasan kumuh", st["H1"]),
    ]
    story.append(
        _para(
            f"Angka kawasan adalah jumlah angka RT di dalam kawasan, kondisi tahun {annex.tahun}; tingkat kekumuhan kawasan dinilai dari volume yang dijumlahkan.",
            st,
            "small",
        )
    )
    story.append(Paragraph("3.1 Luas, penduduk dan bangunan", st["H2"]))
    cols = [
        _Col("kode_kawasan", "Kode", 1.2),
        _Col("nama_kawasan", "Nama kawasan", 3.2),
        _Col("kelurahan", "Kelurahan", 2.3),
        _Col("luas_sk_ha", "Luas SK (ha)", 1.2, "dec2"),
        _Col("luas_terverifikasi_ha", "Luas terverifi- kasi (ha)", 1.3, "dec2"),
        _Col("jumlah_rt", "Jumlah RT", 0.9, "int"),
        _Col("luas_ha", "Luas Σ RT (ha)", 1.2, "dec2"),
        _Col("luas_kumuh_ha", "Luas kumuh (ha)", 1.2, "dec2"),
        _Col("jumlah_bangunan", "Bangunan (unit)", 1.35, "int"),
        _Col("jumlah_penduduk", "Penduduk (jiwa)", 1.35, "int"),
        _Col("jumlah_kk", "KK", 1.0, "int"),
        _Col("kepadatan_jiwa_ha", "Kepadatan (jiwa/ha)", 1.4, "dec1"),
        _Col("tipologi", "Tipologi", 1.7),
    ]
    cols = [c for c in cols if c.name in p.columns]
    tot = {
        c.name: float(pd.to_numeric(p[c.name], errors="coerce").sum())
        for c in cols
        if c.kind in ("dec2", "int")
    }
    story.append(_table(p, cols, LW, st, totals=tot))
    story.append(Paragraph("3.2 Nilai per aspek dan tingkat kekumuhan", st["H2"]))
    cols = [
        _Col("kode_kawasan", "Kode", 1.2),
        _Col("nama_kawasan", "Nama kawasan", 3.2),
        *(
            _Col(a.column, f"{a.label_id.replace('Kondisi ', '').capitalize()} (%)", 1.4, "dec2")
            for a in r.aspects
        ),
        _Col("rata_sektoral", "Rata-rata sektoral (%)", 1.4, "dec2"),
        _Col("total_nilai", "Total nilai", 1.0, "int"),
        _Col("tingkat_label", "Tingkat", 1.6),
    ]
    pp = p.assign(
        tingkat_label=[
            f"{labels_lv.get(str(t), t)} ({t})" if not pd.isna(t) else "-" for t in p["tingkat"]
        ]
    )
    story.append(_table(pp, cols, LW, st))
    story.append(CondPageBreak(8 * cm))
    story.append(Paragraph("3.3 Persentase per kriteria", st["H2"]))
    cols = [
        _Col("kode_kawasan", "Kode", 1.4),
        *(_Col(c.p_column, c.code, 1, "dec2") for c in r.criteria),
        _Col("total_nilai", "Total nilai", 1.1, "int"),
        _Col("tingkat", "Tingkat", 1.0),
    ]
    story.append(_table(p, cols, LW, st, font_size=6.8))
    story.append(
        _para(
            "Persen = 100 × volume ÷ penyebut (jumlah kawasan); nama kriteria: lihat bagian 1.",
            st,
            "note",
        )
    )

    # ---- 4 pertimbangan lain & legalitas
    story.append(CondPageBreak(9 * cm))
    story.append(Paragraph("4. Pertimbangan lain, legalitas lahan dan tipologi", st["H1"]))
    cols = [
        _Col("kode_kawasan", "Kode", 1.2),
        _Col("nama_kawasan", "Nama kawasan", 3.0),
        _Col("nilai_strategis", "Lokasi strategis", 1.1),
        _Col("skor_strategis", "Nilai", 0.7, "int"),
        _Col("kepadatan_jiwa_ha", "Kepadatan (jiwa/ha)", 1.3, "dec1"),
        _Col("kelas_kepadatan", "Kelas", 1.0),
        _Col("skor_kepadatan", "Nilai", 0.7, "int"),
        _Col("sosial_ekonomi", "Potensi sosial ekonomi", 1.2),
        _Col("skor_sosial_ekonomi", "Nilai", 0.7, "int"),
        _Col("skor_pertimbangan", "Jumlah", 0.9, "int"),
        _Col("pertimbangan", "Pertim- bangan lain", 1.2),
        _Col("legalitas", "Legalitas lahan", 1.1),
        _Col("luas_ilegal_ha", "Luas RT ilegal (ha)", 1.2, "dec2"),
        _Col("tipologi_rinci", "Tipologi (bagian luas)", 2.4),
    ]
    story.append(_table(p, cols, LW, st, font_size=7))
    kurang = p[p["data_kurang"].fillna("") != ""]
    if len(kurang):
        story.append(
            _para(f"{len(kurang)} kawasan dengan data kurang — lihat bagian 9.", st, "note")
        )

    # ---- 5 maps
    if maps:
        story += [NextPageTemplate("portrait"), PageBreak(), Paragraph("5. Peta", st["H1"])]
        story.append(
            _para(
                "Setiap peta berada pada halaman tersendiri dengan ukuran kertas aslinya, sehingga skala angka berlaku bila halaman dicetak 100% (tanpa 'fit to page'); skala grafis berlaku pada ukuran berapa pun. Berkas PNG yang sama ada di folder peta/.",
                st,
            )
        )
        lst = pd.DataFrame(
            [
                {
                    "no": i + 1,
                    "judul": m.keterangan,
                    "skala": f"1 : {format_number_id(m.skala, 0)}",
                    "kertas": m.paper,
                    "berkas": m.path.name,
                }
                for i, m in enumerate(maps)
            ]
        )
        story.append(
            _table(
                lst,
                [
                    _Col("no", "Peta", 0.6, "int"),
                    _Col("judul", "Judul", 8),
                    _Col("skala", "Skala", 1.6),
                    _Col("kertas", "Kertas", 0.9),
                    _Col("berkas", "Berkas", 3.2),
                ],
                W,
                st,
            )
        )
        for m in maps:
            size = _PAGES[m.paper]
            story += [
                NextPageTemplate(f"map_{m.paper}"),
                PageBreak(),
                _MapPage(m.path, m.key, m.judul[:1].upper() + m.judul[1:], size),
            ]

    # ---- 6 priority
    story += [
        NextPageTemplate("landscape"),
        PageBreak(),
        Paragraph("6. Prioritas penanganan", st["H1"]),
    ]
    story.append(
        _para(
            "Matriks prioritas: baris pertimbangan lain, kolom tingkat kekumuhan kawasan; setiap sel memuat nomor prioritas, kawasan dan luasnya.",
            st,
            "small",
        )
    )
    mc = priority_matrix_counts(p, plan=plan, rules=r)
    rows = []
    for _, row in mc.iterrows():
        line = {"pertimbangan": row["pertimbangan"]}
        for code in plan.kumuh_codes:
            c = code.lower()
            kaw = row[f"kawasan_{c}"] or "-"
            line[code] = f"Prioritas {row[f'prioritas_{c}']}: {kaw}" + (
                f" ({format_number_id(row[f'luas_{c}_ha'], 2)} ha)" if row[f"kawasan_{c}"] else ""
            )
        rows.append(line)
    story.append(
        _table(
            pd.DataFrame(rows),
            [
                _Col("pertimbangan", "Pertimbangan lain", 1.4),
                *(_Col(code, f"{labels_lv[code]} ({code})", 4) for code in plan.kumuh_codes),
            ],
            LW,
            st,
        )
    )
    story.append(Paragraph("Peringkat prioritas", st["H2"]))
    rk = annex.ranking.assign(
        tingkat_label=[
            f"{labels_lv.get(str(t), t)}" if not pd.isna(t) else "-"
            for t in annex.ranking["tingkat"]
        ]
    )
    cols = [
        _Col("peringkat", "Peringkat", 0.9, "int"),
        _Col("kode_kawasan", "Kode", 1.2),
        _Col("nama_kawasan", "Nama kawasan", 3.2),
        _Col("kelurahan", "Kelurahan", 2.4),
        _Col("luas_kumuh_ha", "Luas kumuh (ha)", 1.2, "dec2"),
        _Col("total_nilai", "Total nilai", 0.9, "int"),
        _Col("tingkat_label", "Tingkat", 1.4),
        _Col("pertimbangan", "Pertimbangan lain", 1.3),
        _Col("prioritas", "Prioritas", 0.9, "int"),
        _Col("pola_penanganan", "Pola penanganan", 1.8),
        _Col("data_kurang", "Data kurang", 3.0),
    ]
    story.append(_table(rk, cols, LW, st))
    story.append(
        _para(
            "Dalam satu nomor prioritas, kawasan dengan total nilai lebih tinggi didahulukan, lalu luas kumuh lebih besar. Kawasan tanpa nomor: tidak kumuh (pencegahan) atau data kurang.",
            st,
            "note",
        )
    )

    # ---- 7 patterns
    story.append(CondPageBreak(9 * cm))
    story.append(Paragraph("7. Pola penanganan", st["H1"]))
    used = list(dict.fromkeys([v for row in plan.pola.values() for v in row.values()]))
    for name in used:
        if name in _POLA_TEXT:
            story.append(_para(_POLA_TEXT[name], st, "small"))
    ps = pattern_summary(p)
    story.append(
        _table(
            ps,
            [
                _Col("pola_penanganan", "Pola penanganan", 2),
                _Col("jumlah_kawasan", "Jumlah kawasan", 1, "int"),
                _Col("luas_ha", "Luas Σ RT (ha)", 1.2, "dec2"),
                _Col("luas_kumuh_ha", "Luas kumuh (ha)", 1.2, "dec2"),
                _Col("kawasan", "Kawasan", 7),
            ],
            LW,
            st,
            totals={
                "jumlah_kawasan": int(ps["jumlah_kawasan"].sum()),
                "luas_ha": float(ps["luas_ha"].sum()),
                "luas_kumuh_ha": float(ps["luas_kumuh_ha"].sum()),
            },
        )
    )
    story.append(Spacer(1, 6))
    pk = p.assign(
        tingkat_label=[
            f"{labels_lv.get(str(t), t)} ({t})" if not pd.isna(t) else "-" for t in p["tingkat"]
        ]
    )
    story.append(
        _table(
            pk,
            [
                _Col("kode_kawasan", "Kode", 1.2),
                _Col("nama_kawasan", "Nama kawasan", 3.2),
                _Col("tingkat_label", "Tingkat kekumuhan", 1.8),
                _Col("legalitas", "Legalitas lahan", 1.2),
                _Col("luas_ilegal_ha", "Luas RT ilegal (ha)", 1.2, "dec2"),
                _Col("tipologi", "Tipologi", 1.6),
                _Col("pola_penanganan", "Pola penanganan", 2.0),
            ],
            LW,
            st,
        )
    )

    # ---- 8 needs and cost
    story += [PageBreak(), Paragraph("8. Kebutuhan penanganan dan biaya indikatif", st["H1"])]
    story.append(
        _box(
            [
                f"Biaya = sisa volume tahun {annex.tahun} × harga satuan {'INDIKATIF' if annex.costs.indicative else 'resmi'} (tahun harga {annex.costs.tahun_harga}). {annex.costs.sumber}."
            ],
            st,
            LW,
        )
    )
    story.append(Spacer(1, 6))
    bk = cost_by_kawasan(annex.kebutuhan, p, rules=r)
    cols = [
        _Col("kode_kawasan", "Kode", 1.1),
        _Col("nama_kawasan", "Nama kawasan", 2.8),
        _Col("prioritas", "Prio- ritas", 0.6, "int"),
        *(
            _Col(
                f"biaya_{a.key}_rp",
                f"{a.label_id.replace('Kondisi ', '').capitalize()} (Rp)",
                1.55,
                "rp",
            )
            for a in r.aspects
        ),
        _Col("biaya_total_rp", "Jumlah (Rp)", 1.75, "rp"),
    ]
    tot = {c.name: float(bk[c.name].sum()) for c in cols if c.kind == "rp"}
    story.append(_table(bk, cols, LW, st, totals=tot, font_size=6.8))
    story.append(Paragraph("Harga satuan per kriteria", st["H2"]))
    ct = annex.costs.table.merge(r.describe()[["kode", "kriteria"]], on="kode", how="left")
    story.append(
        _table(
            ct,
            [
                _Col("kode", "Kode", 0.8),
                _Col("kriteria", "Kriteria", 5),
                _Col("uraian", "Kegiatan penanganan", 5),
                _Col("satuan", "Satuan", 1),
                _Col("harga_rp", "Harga satuan (Rp)", 2, "rp"),
            ],
            LW,
            st,
        )
    )
    story.append(Paragraph("Volume dan biaya seluruh kawasan per kriteria", st["H2"]))
    kb = annex.kebutuhan
    if len(kb):
        per = (
            kb.groupby(["kriteria", "uraian_kegiatan", "satuan"], sort=False)
            .agg(
                volume=("volume", "sum"),
                biaya_rp=("biaya_rp", "sum"),
                jumlah_kawasan=("kode_kawasan", "nunique"),
            )
            .reset_index()
        )
        story.append(
            _table(
                per,
                [
                    _Col("kriteria", "Kode", 0.8),
                    _Col("uraian_kegiatan", "Kegiatan penanganan", 6),
                    _Col("jumlah_kawasan", "Jumlah kawasan", 1.2, "int"),
                    _Col("volume", "Volume", 1.6, "dec2"),
                    _Col("satuan", "Satuan", 1),
                    _Col("biaya_rp", "Biaya (Rp)", 2.4, "rp"),
                ],
                LW,
                st,
                totals={"biaya_rp": float(per["biaya_rp"].sum())},
            )
        )

    # ---- 9 memorandum
    memo = annex.memorandum
    years = annex.memorandum_tahun
    story += [PageBreak(), Paragraph("9. Memorandum program", st["H1"])]
    if annex.memorandum_asal == "draf":
        story.append(
            _box(
                [
                    f"DRAF otomatis: kawasan diurutkan menurut peringkat prioritas dan dibagi rata ke {len(years)} tahun ({years[0]}–{years[-1]}); sumber dana usulan per aspek. Pokja PKP menyunting memorandum_program.xlsx lalu menjalankan: kumuhgis memorandum-import PROYEK.gpkg memorandum_program.xlsx."
                ],
                st,
                LW,
            )
        )
    else:
        story.append(
            _para(
                f"Isian Pokja PKP yang diimpor ke proyek ({len(memo)} baris kegiatan).", st, "small"
            )
        )
    story.append(Spacer(1, 6))
    if len(memo):
        pv = memorandum_pivot(memo, years=years)
        pv = pv.assign(
            kegiatan=[
                f"{k + ' ' if k else ''}{u}"
                for k, u in zip(pv["kriteria"], pv["uraian_kegiatan"], strict=True)
            ],
            vol=[
                f"{format_number_id(v, 2 if v % 1 else 0)} {s}".strip()
                for v, s in zip(pv["volume"], pv["satuan"], strict=True)
            ],
        )
        cols = [
            _Col("kode_kawasan", "Kode", 1.0),
            _Col("kegiatan", "Kegiatan", 3.6),
            _Col("vol", "Volume", 1.1),
            _Col("sumber_dana", "Sumber dana", 1.4),
            *(_Col(f"rp_{y}", f"{y} (Rp)", 1.45, "rp0") for y in years),
            _Col("rp_total", "Jumlah (Rp)", 1.55, "rp"),
        ]
        tot = {c.name: float(pv[c.name].sum()) for c in cols if c.kind in ("rp", "rp0")}
        story.append(_table(pv, cols, LW, st, totals=tot, font_size=6.5))
        story.append(Paragraph("Rekap per sumber dana dan tahun", st["H2"]))
        rs = memo.pivot_table(
            index="sumber_dana", columns="tahun", values="biaya_rp", aggfunc="sum", fill_value=0.0
        )
        rs = rs.reindex(columns=years, fill_value=0.0)
        rs.columns = [f"rp_{y}" for y in rs.columns]
        rs["rp_total"] = rs.sum(axis=1)
        rs = rs.reset_index()
        cols = [
            _Col("sumber_dana", "Sumber dana", 2.4),
            *(_Col(f"rp_{y}", f"{y} (Rp)", 1.6, "rp") for y in years),
            _Col("rp_total", "Jumlah (Rp)", 1.8, "rp"),
        ]
        story.append(
            _table(
                rs,
                cols,
                LW,
                st,
                totals={c.name: float(rs[c.name].sum()) for c in cols if c.kind == "rp"},
            )
        )

    # ---- 10 data gaps and notes
    story += [
        NextPageTemplate("portrait"),
        PageBreak(),
        Paragraph("10. Data kurang dan catatan", st["H1"]),
    ]
    if len(kurang):
        story.append(
            _table(
                kurang,
                [
                    _Col("kode_kawasan", "Kode", 1.2),
                    _Col("nama_kawasan", "Nama kawasan", 3),
                    _Col("data_kurang", "Data kurang (tidak diisi dengan nilai bawaan)", 8),
                ],
                W,
                st,
            )
        )
    else:
        story.append(_para("Semua data yang diperlukan tersedia untuk setiap kawasan.", st))
    for note in annex.notes:
        story.append(_para(note, st, "small"))
    story.append(
        _para(
            f"Total biaya indikatif seluruh kawasan: {format_rupiah(float(annex.kebutuhan['biaya_rp'].sum()))}.",
            st,
            "small",
        )
    )
    return story


def _publish(tmp: str, path: Path) -> None:
    """Give the temporary file the permissions a new file gets (mkstemp makes it 0600),
    then move it into place."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.replace(tmp, path)


def write_report(annex, maps: Sequence, path: str | os.PathLike) -> ReportInfo:
    """Write the annex PDF (module docstring): cover, contents, method and rule sources,
    verified SK, kawasan profile, pertimbangan lain and legality, the maps (full pages at
    their paper size), priority matrix and ranking, handling patterns, needs and indicative
    cost, memorandum program, data gaps. Written atomically.

    Parameters
    ----------
    annex
        :class:`kumuhgis.analysis.rp2kpkp.Annex`.
    maps
        :class:`kumuhgis.outputs.cartography.PrintMap` list (may be empty).
    path
        Target ``.pdf``.
    """
    from kumuhgis.core.errors import UsageError

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise UsageError(f"Laporan harus berkas .pdf / the report must be a .pdf file: {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    st = _styles()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".pdf", dir=path.parent)
    os.close(fd)
    try:
        doc = _Doc(
            tmp,
            footer=f"Lampiran RP2KPKP — {annex.kota} — kondisi tahun {annex.tahun}",
            map_sizes=[m.paper for m in maps],
            title=f"Lampiran RP2KPKP {annex.kota} {annex.tahun}",
            author="kumuhgis",
            subject="Profil, prioritas, pola penanganan dan memorandum program kawasan kumuh",
            creator=f"kumuhgis {__version__}",
        )
        from reportlab import rl_config

        a85 = rl_config.useA85
        rl_config.useA85 = (
            0  # binary streams: the pure-Python ASCII85 encoder is slow and 25 % larger
        )
        try:
            doc.multiBuild(_story(annex, maps, st))
        finally:
            rl_config.useA85 = a85
        pages = doc.page
        _publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ReportInfo(
        path=path, pages=pages, map_pages=dict(doc.map_pages), sections=dict(doc.sections)
    )
