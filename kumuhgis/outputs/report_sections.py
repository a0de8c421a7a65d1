"""The sections of the printable RP2KPKP annex (domain.md §8), one builder each: cover,
contents, method, SK, profile, considerations, maps, priority and data gaps (the program
sections — patterns, needs, memorandum — are :mod:`kumuhgis.outputs.report_program`).

Every builder takes the :class:`SectionContext` and the section's title and returns its
flowables, page breaks and template switches included; :data:`kumuhgis.outputs.report.SECTIONS`
lists them in the order they print.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
)
from reportlab.platypus.tableofcontents import TableOfContents

from kumuhgis import __version__
from kumuhgis.analysis.rp2kpkp import Annex, method_lines, priority_matrix_counts
from kumuhgis.analysis.verification import FLAG_LABELS
from kumuhgis.core.numeric import format_number_id, format_rupiah
from kumuhgis.outputs.cartography import PrintMap
from kumuhgis.outputs.report_style import MAP_PAGE_SIZES, MARGIN, Col, MapPage, box, para, table

__all__ = [
    "SectionContext",
    "cover",
    "contents",
    "method",
    "sk",
    "profile",
    "considerations",
    "maps",
    "priority",
    "gaps",
]


@dataclass(frozen=True)
class SectionContext:
    """What every section builder reads: the annex, its maps and the paragraph styles."""

    annex: Annex
    maps: Sequence[PrintMap]
    st: dict

    @property
    def width(self) -> float:
        """Text width of a portrait A4 page."""
        return A4[0] - 2 * MARGIN

    @property
    def wide(self) -> float:
        """Text width of a landscape A4 page."""
        return landscape(A4)[0] - 3 * cm

    @property
    def level_labels(self) -> dict[str, str]:
        return {lv.code: lv.label_id for lv in self.annex.rules.levels}

    def level_label(self, frame: pd.DataFrame, *, with_code: bool = True) -> list[str]:
        """The level of each row as its Indonesian name (and code)."""
        labels = self.level_labels
        if with_code:
            return [
                f"{labels.get(str(t), t)} ({t})" if not pd.isna(t) else "-"
                for t in frame["tingkat"]
            ]
        return [f"{labels.get(str(t), t)}" if not pd.isna(t) else "-" for t in frame["tingkat"]]


def _flag_labels(value) -> str:
    """SK verification flags ("luas_mismatch;lintas_kelurahan") as their Indonesian titles."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    flags = [f.strip() for f in str(value).split(";") if f.strip()]
    return "; ".join(FLAG_LABELS.get(f, (f, f))[0] for f in flags)


def _gaps(p: pd.DataFrame) -> pd.DataFrame:
    return p[p["data_kurang"].fillna("") != ""]


# --------------------------------------------------------------------------- cover, contents


def _cover_warnings(annex: Annex) -> list[str]:
    warn = []
    if annex.costs.indicative:
        warn.append(
            f"Biaya dalam lampiran ini INDIKATIF (harga satuan {annex.costs.tahun_harga}): {annex.costs.sumber}."
        )
    if annex.memorandum_asal == "draf":
        warn.append(
            "Memorandum program adalah DRAF otomatis untuk disunting Pokja PKP (berkas memorandum_program.xlsx) lalu diimpor kembali."
        )
        if annex.pagu:
            gap = (
                float(annex.belum_terdanai["biaya_rp"].sum()) if len(annex.belum_terdanai) else 0.0
            )
            warn.append(
                f"Program disusun dalam pagu tahunan per sumber dana; kebutuhan yang belum terdanai: {format_rupiah(gap)} (bagian 9)."
            )
    return warn


def cover(ctx: SectionContext, title: str) -> list:
    """The cover page: city, year, SK, kawasan and luas; the warnings in a box."""
    annex, st, p = ctx.annex, ctx.st, ctx.annex.profil
    sk_line = (
        f"SK Kumuh {annex.sk_info['no_sk']} tanggal {annex.sk_info['tanggal_sk']}"
        if annex.sk_info
        else "Tanpa SK Kumuh (semua kawasan delineasi)"
    )
    story = [
        NextPageTemplate("cover"),
        Spacer(1, 3 * cm),
        Paragraph(title, st["cover_title"]),
        para("Rencana Pencegahan dan Peningkatan Kualitas terhadap Perumahan Kumuh dan Permukiman Kumuh", st, "cover_sub"),
        para("Profil, prioritas, pola penanganan dan memorandum program kawasan kumuh", st, "cover_sub"),
        Spacer(1, 1.2 * cm),
        Paragraph(f"<b>{escape(annex.kota or '-')}</b>", st["cover_sub"]),
        para(f"Provinsi {annex.provinsi}" if annex.provinsi else "", st, "cover_small"),
        Spacer(1, 0.6 * cm),
        para(f"Kondisi tahun {annex.tahun}", st, "cover_small"),
        para(sk_line, st, "cover_small"),
        para(
            f"{len(p)} kawasan; luas {format_number_id(float(p['luas_ha'].sum()), 2)} ha (Σ RT); luas kumuh {format_number_id(float(p['luas_kumuh_ha'].sum()), 2)} ha",
            st,
            "cover_small",
        ),
        Spacer(1, 1.5 * cm),
    ]  # fmt: skip
    warn = _cover_warnings(annex)
    if warn:
        story.append(box(warn, st, A4[0] - 5 * cm))
    return [
        *story,
        Spacer(1, 2 * cm),
        para(
            f"Disusun dengan kumuhgis {__version__} pada {_dt.date.today().isoformat()} dari proyek kota (GeoPackage).",
            st,
            "cover_small",
        ),
        NextPageTemplate("portrait"),
        PageBreak(),
    ]


def contents(ctx: SectionContext, title: str) -> list:
    """The contents page (filled with real page numbers by the two-pass build)."""
    st = ctx.st
    toc = TableOfContents(levelStyles=[st["toc1"], st["toc2"]], dotsMinLevel=0)
    return [Paragraph(title, ParagraphStyle("toch", parent=st["H1"])), toc, PageBreak()]


# --------------------------------------------------------------------------- 1, 2


def _matrices(ctx: SectionContext) -> list:
    """The priority matrix and the handling-pattern matrix of the rules in force."""
    plan, st, W, labels_lv = ctx.annex.plan, ctx.st, ctx.width, ctx.level_labels
    mat = pd.DataFrame(
        [
            {"pertimbangan": cat, **{code: plan.prioritas[cat][code] for code in plan.kumuh_codes}}
            for cat in ("tinggi", "sedang", "rendah")
        ]
    )
    mat_cols = [
        Col("pertimbangan", "Pertimbangan lain", 3),
        *(Col(code, f"{labels_lv[code]} ({code})", 2, "int") for code in plan.kumuh_codes),
    ]
    pola = pd.DataFrame(
        [
            {"legalitas": row, **{code: plan.pola[row][code] for code in plan.level_codes}}
            for row in ("legal", "ilegal")
        ]
    )
    pola_cols = [
        Col("legalitas", "Legalitas lahan", 2.4),
        *(Col(code, f"{labels_lv[code]} ({code})", 2.6) for code in plan.level_codes),
    ]
    return [
        Paragraph("Matriks prioritas dan pola penanganan", st["H2"]),
        KeepTogether([table(mat, mat_cols, W * 0.7, st), Spacer(1, 6)]),
        table(pola, pola_cols, W, st),
    ]


def method(ctx: SectionContext, title: str) -> list:
    """Section 1: the method and the rules' sources, the criteria, the matrices."""
    st = ctx.st
    story = [Paragraph(title, st["H1"])]
    story += [para(line, st) for line in method_lines(ctx.annex)]
    story.append(Paragraph("Kriteria penilaian", st["H2"]))
    cols = [
        Col("kode", "Kode", 1),
        Col("aspek", "Aspek", 3),
        Col("kriteria", "Kriteria", 6),
        Col("satuan", "Satuan", 1.2),
        Col("penyebut", "Penyebut", 3),
    ]
    story.append(table(ctx.annex.rules.describe(), cols, ctx.width, st))
    return story + _matrices(ctx)


def sk(ctx: SectionContext, title: str) -> list:
    """Section 2: the verified SK table, with the recommendation."""
    annex, st = ctx.annex, ctx.st
    story = [PageBreak(), Paragraph(title, st["H1"])]
    if not len(annex.sk):
        return [*story, para("Proyek belum punya SK Kumuh.", st)]
    info = annex.sk_info
    if info.get("rekomendasi"):
        story.append(
            para(
                f"SK {info['no_sk']} tanggal {info['tanggal_sk']} diperiksa terhadap delineasi, batas wilayah dan tingkat kekumuhan RT "
                f"tahun {annex.tahun}: {info.get('jumlah_temuan', 0)} temuan; rekomendasi: {info['rekomendasi']} — {info.get('alasan', '')}. "
                f"Luas SK {format_number_id(info.get('luas_sk_ha'), 2)} ha; luas terverifikasi {format_number_id(info.get('luas_terverifikasi_ha'), 2)} ha "
                "(jumlah luas RT kumuh di lokasi yang dipertahankan, ditambah RT kumuh di luar SK).",
                st,
            )
        )
    frame = annex.sk.copy()
    if "temuan" in frame:
        frame["temuan"] = [_flag_labels(v) for v in frame["temuan"]]
    cols = [
        Col("kode_kawasan", "Kode", 1.25),
        Col("nama_lokasi", "Nama lokasi", 2.9),
        Col("kelurahan", "Kelurahan", 2.1),
        Col("luas_sk_ha", "Luas SK (ha)", 1.25, "dec2"),
        Col("luas_delineasi_ha", "Luas deli- neasi (ha)", 1.3, "dec2"),
        Col("luas_rt_ha", "Luas Σ RT (ha)", 1.25, "dec2"),
        Col("luas_terverifikasi_ha", "Luas terveri- fikasi (ha)", 1.4, "dec2"),
        Col("rekomendasi", "Rekomen- dasi", 1.75),
        Col("temuan", "Temuan", 3.4),
    ]
    cols = [c for c in cols if c.name in frame.columns]
    tot = {
        c.name: float(pd.to_numeric(frame[c.name], errors="coerce").sum())
        for c in cols
        if c.kind == "dec2"
    }
    return [*story, table(frame, cols, ctx.width, st, totals=tot, font_size=7)]


# --------------------------------------------------------------------------- 3, 4


def _profile_sizes(ctx: SectionContext) -> list:
    p = ctx.annex.profil
    cols = [
        Col("kode_kawasan", "Kode", 1.2),
        Col("nama_kawasan", "Nama kawasan", 3.2),
        Col("kelurahan", "Kelurahan", 2.3),
        Col("luas_sk_ha", "Luas SK (ha)", 1.2, "dec2"),
        Col("luas_terverifikasi_ha", "Luas terverifi- kasi (ha)", 1.3, "dec2"),
        Col("jumlah_rt", "Jumlah RT", 0.9, "int"),
        Col("luas_ha", "Luas Σ RT (ha)", 1.2, "dec2"),
        Col("luas_kumuh_ha", "Luas kumuh (ha)", 1.2, "dec2"),
        Col("jumlah_bangunan", "Bangunan (unit)", 1.35, "int"),
        Col("jumlah_penduduk", "Penduduk (jiwa)", 1.35, "int"),
        Col("jumlah_kk", "KK", 1.0, "int"),
        Col("kepadatan_jiwa_ha", "Kepadatan (jiwa/ha)", 1.4, "dec1"),
        Col("tipologi", "Tipologi", 1.7),
    ]
    cols = [c for c in cols if c.name in p.columns]
    tot = {
        c.name: float(pd.to_numeric(p[c.name], errors="coerce").sum())
        for c in cols
        if c.kind in ("dec2", "int")
    }
    return [
        Paragraph("3.1 Luas, penduduk dan bangunan", ctx.st["H2"]),
        table(p, cols, ctx.wide, ctx.st, totals=tot),
    ]


def _profile_scores(ctx: SectionContext) -> list:
    p, r, st = ctx.annex.profil, ctx.annex.rules, ctx.st
    cols = [
        Col("kode_kawasan", "Kode", 1.2),
        Col("nama_kawasan", "Nama kawasan", 3.2),
        *(
            Col(a.column, f"{a.label_id.replace('Kondisi ', '').capitalize()} (%)", 1.4, "dec2")
            for a in r.aspects
        ),
        Col("rata_sektoral", "Rata-rata sektoral (%)", 1.4, "dec2"),
        Col("total_nilai", "Total nilai", 1.0, "int"),
        Col("tingkat_label", "Tingkat", 1.6),
    ]
    pp = p.assign(tingkat_label=ctx.level_label(p))
    crit_cols = [
        Col("kode_kawasan", "Kode", 1.4),
        *(Col(c.p_column, c.code, 1, "dec2") for c in r.criteria),
        Col("total_nilai", "Total nilai", 1.1, "int"),
        Col("tingkat", "Tingkat", 1.0),
    ]
    return [
        Paragraph("3.2 Nilai per aspek dan tingkat kekumuhan", st["H2"]),
        table(pp, cols, ctx.wide, st),
        CondPageBreak(8 * cm),
        Paragraph("3.3 Persentase per kriteria", st["H2"]),
        table(p, crit_cols, ctx.wide, st, font_size=6.8),
        para(
            "Persen = 100 × volume ÷ penyebut (jumlah kawasan); nama kriteria: lihat bagian 1.",
            st,
            "note",
        ),
    ]


def _landscape_opening(ctx: SectionContext, title: str, intro: str) -> list:
    """A section that starts on a new landscape page: its title and a short introduction."""
    st = ctx.st
    return [
        NextPageTemplate("landscape"),
        PageBreak(),
        Paragraph(title, st["H1"]),
        para(intro, st, "small"),
    ]


def profile(ctx: SectionContext, title: str) -> list:
    """Section 3 (landscape): sizes, aspect scores and criterion percentages per kawasan."""
    return [
        *_landscape_opening(
            ctx,
            title,
            f"Angka kawasan adalah jumlah angka RT di dalam kawasan, kondisi tahun {ctx.annex.tahun}; tingkat kekumuhan kawasan dinilai dari volume yang dijumlahkan.",
        ),
        *_profile_sizes(ctx),
        *_profile_scores(ctx),
    ]


def considerations(ctx: SectionContext, title: str) -> list:
    """Section 4: pertimbangan lain, land legality and typology per kawasan."""
    p, st = ctx.annex.profil, ctx.st
    cols = [
        Col("kode_kawasan", "Kode", 1.2),
        Col("nama_kawasan", "Nama kawasan", 3.0),
        Col("nilai_strategis", "Lokasi strategis", 1.1),
        Col("skor_strategis", "Nilai", 0.7, "int"),
        Col("kepadatan_jiwa_ha", "Kepadatan (jiwa/ha)", 1.3, "dec1"),
        Col("kelas_kepadatan", "Kelas", 1.0),
        Col("skor_kepadatan", "Nilai", 0.7, "int"),
        Col("sosial_ekonomi", "Potensi sosial ekonomi", 1.2),
        Col("skor_sosial_ekonomi", "Nilai", 0.7, "int"),
        Col("skor_pertimbangan", "Jumlah", 0.9, "int"),
        Col("pertimbangan", "Pertim- bangan lain", 1.2),
        Col("legalitas", "Legalitas lahan", 1.1),
        Col("luas_ilegal_ha", "Luas RT ilegal (ha)", 1.2, "dec2"),
        Col("tipologi_rinci", "Tipologi (bagian luas)", 2.4),
    ]
    story = [
        CondPageBreak(9 * cm),
        Paragraph(title, st["H1"]),
        table(p, cols, ctx.wide, st, font_size=7),
    ]
    kurang = _gaps(p)
    if len(kurang):
        story.append(
            para(f"{len(kurang)} kawasan dengan data kurang — lihat bagian 9.", st, "note")
        )
    return story


# --------------------------------------------------------------------------- 5, 6


def maps(ctx: SectionContext, title: str) -> list:
    """Section 5: the list of maps, then each map on its own page at its paper size."""
    if not ctx.maps:
        return []
    st = ctx.st
    lst = pd.DataFrame(
        [
            {
                "no": i + 1,
                "judul": m.keterangan,
                "skala": f"1 : {format_number_id(m.skala, 0)}",
                "kertas": m.paper,
                "berkas": m.path.name,
            }
            for i, m in enumerate(ctx.maps)
        ]
    )
    cols = [
        Col("no", "Peta", 0.6, "int"),
        Col("judul", "Judul", 8),
        Col("skala", "Skala", 1.6),
        Col("kertas", "Kertas", 0.9),
        Col("berkas", "Berkas", 3.2),
    ]
    story = [
        NextPageTemplate("portrait"),
        PageBreak(),
        Paragraph(title, st["H1"]),
        para(
            "Setiap peta berada pada halaman tersendiri dengan ukuran kertas aslinya, sehingga skala angka berlaku bila halaman dicetak 100% (tanpa 'fit to page'); skala grafis berlaku pada ukuran berapa pun. Berkas PNG yang sama ada di folder peta/.",
            st,
        ),
        table(lst, cols, ctx.width, st),
    ]
    for m in ctx.maps:
        size = MAP_PAGE_SIZES[m.paper]
        story += [
            NextPageTemplate(f"map_{m.paper}"),
            PageBreak(),
            MapPage(m.path, m.key, m.judul[:1].upper() + m.judul[1:], size),
        ]
    return story


def _matrix_cells(ctx: SectionContext) -> list:
    """The priority matrix with the kawasan and luas of each cell."""
    annex, plan, labels_lv = ctx.annex, ctx.annex.plan, ctx.level_labels
    mc = priority_matrix_counts(annex.profil, plan=plan, rules=annex.rules)
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
    cols = [
        Col("pertimbangan", "Pertimbangan lain", 1.4),
        *(Col(code, f"{labels_lv[code]} ({code})", 4) for code in plan.kumuh_codes),
    ]
    return [table(pd.DataFrame(rows), cols, ctx.wide, ctx.st)]


def _ranking(ctx: SectionContext) -> list:
    st, ranking = ctx.st, ctx.annex.ranking
    rk = ranking.assign(tingkat_label=ctx.level_label(ranking, with_code=False))
    cols = [
        Col("peringkat", "Peringkat", 0.9, "int"),
        Col("kode_kawasan", "Kode", 1.2),
        Col("nama_kawasan", "Nama kawasan", 3.2),
        Col("kelurahan", "Kelurahan", 2.4),
        Col("luas_kumuh_ha", "Luas kumuh (ha)", 1.2, "dec2"),
        Col("total_nilai", "Total nilai", 0.9, "int"),
        Col("tingkat_label", "Tingkat", 1.4),
        Col("pertimbangan", "Pertimbangan lain", 1.3),
        Col("prioritas", "Prioritas", 0.9, "int"),
        Col("pola_penanganan", "Pola penanganan", 1.8),
        Col("data_kurang", "Data kurang", 3.0),
    ]
    return [
        Paragraph("Peringkat prioritas", st["H2"]),
        table(rk, cols, ctx.wide, st),
        para(
            "Dalam satu nomor prioritas, kawasan dengan total nilai lebih tinggi didahulukan, lalu luas kumuh lebih besar. Kawasan tanpa nomor: tidak kumuh (pencegahan) atau data kurang.",
            st,
            "note",
        ),
    ]


def priority(ctx: SectionContext, title: str) -> list:
    """Section 6 (landscape): the priority matrix with its kawasan, and the ranking."""
    return [
        *_landscape_opening(
            ctx,
            title,
            "Matriks prioritas: baris pertimbangan lain, kolom tingkat kekumuhan kawasan; setiap sel memuat nomor prioritas, kawasan dan luasnya.",
        ),
        *_matrix_cells(ctx),
        *_ranking(ctx),
    ]


# --------------------------------------------------------------------------- 10


def gaps(ctx: SectionContext, title: str) -> list:
    """Section 10 (portrait): missing data per kawasan, the annex's notes, the total cost."""
    annex, st = ctx.annex, ctx.st
    story = [NextPageTemplate("portrait"), PageBreak(), Paragraph(title, st["H1"])]
    kurang = _gaps(annex.profil)
    if len(kurang):
        cols = [
            Col("kode_kawasan", "Kode", 1.2),
            Col("nama_kawasan", "Nama kawasan", 3),
            Col("data_kurang", "Data kurang (tidak diisi dengan nilai bawaan)", 8),
        ]
        story.append(table(kurang, cols, ctx.width, st))
    else:
        story.append(para("Semua data yang diperlukan tersedia untuk setiap kawasan.", st))
    story += [para(note, st, "small") for note in annex.notes]
    need = float(annex.kebutuhan["biaya_rp"].sum())
    prog = float(annex.memorandum["biaya_rp"].sum()) if len(annex.memorandum) else 0.0
    gap = float(annex.belum_terdanai["biaya_rp"].sum()) if len(annex.belum_terdanai) else 0.0
    story.append(
        para(
            f"Total kebutuhan (biaya indikatif menurut pola): {format_rupiah(need)}; memorandum program {format_rupiah(prog)}"
            + (
                f"; belum terdanai {format_rupiah(gap)}."
                if annex.memorandum_asal == "draf"
                else "."
            ),
            st,
            "small",
        )
    )
    return story
