"""The program sections of the printable RP2KPKP annex (domain.md §8): handling patterns
(the mix per kawasan and per pattern), needs and indicative cost by pattern, and the
memorandum program phased within the yearly ceilings, with what is not funded.

Each builder takes the :class:`kumuhgis.outputs.report_sections.SectionContext` and the
section's title and returns its flowables; :data:`kumuhgis.outputs.report.SECTIONS` lists
them in print order.
"""

from __future__ import annotations

import pandas as pd
from reportlab.lib.units import cm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer

from kumuhgis.analysis.rp2kpkp import ceiling_text, memorandum_pivot, pattern_summary
from kumuhgis.core.memorandum import CEILING_SETTINGS_KEY, POLA, POLA_PREVENTION, pola_key
from kumuhgis.core.numeric import format_rupiah
from kumuhgis.outputs.report_sections import SectionContext
from kumuhgis.outputs.report_style import Col, box, para, table

__all__ = ["patterns", "needs", "memorandum", "program_totals"]

_POLA_TEXT = {
    "peremajaan": "Peremajaan: mewujudkan kondisi rumah, perumahan, permukiman dan lingkungan hunian yang lebih baik untuk melindungi keselamatan dan keamanan penghuni dan masyarakat sekitar; untuk RT dengan lahan legal dan tingkat kumuh berat atau sedang. Biaya: pekerjaan di tapak per kriteria ditambah penataan kawasan per ha.",
    "pemugaran": "Pemugaran: perbaikan dan/atau pembangunan kembali perumahan dan permukiman menjadi layak huni; untuk RT dengan lahan legal dan tingkat kumuh ringan. Biaya: pekerjaan di tapak per kriteria.",
    "permukiman kembali": "Permukiman kembali: memindahkan masyarakat dari lokasi yang tidak mungkin dibangun kembali karena tidak sesuai rencana tata ruang dan/atau rawan bencana; untuk RT dengan lahan ilegal pada semua tingkat kumuh. Biaya: per KK (lahan, hunian, prasarana di lokasi baru); tanpa pekerjaan di tapak yang ditinggalkan.",
    "pencegahan": "Pencegahan: pengawasan dan pengendalian serta pemberdayaan masyarakat, untuk RT yang tidak (lagi) kumuh dan RT kumuh di luar kawasan SK. Biaya: per kelurahan per tahun.",
}


# --------------------------------------------------------------------------- 7


def patterns(ctx: SectionContext, title: str) -> list:
    """Section 7: what each pattern means, RTs and hectares per pattern, each kawasan's
    mix of its RTs' patterns."""
    annex, st = ctx.annex, ctx.st
    p = annex.profil
    story = [CondPageBreak(9 * cm), Paragraph(title, st["H1"])]
    used = {v for row in annex.plan.pola.values() for v in row.values()}
    story += [para(_POLA_TEXT[name], st, "small") for name in POLA if name in used]
    ps = pattern_summary(annex.rt_pola)
    summary_cols = [
        Col("pola_penanganan", "Pola penanganan", 2),
        Col("lingkup", "Lingkup", 1.8),
        Col("jumlah_rt", "Jumlah RT", 0.9, "int"),
        Col("luas_ha", "Luas (ha)", 1.1, "dec2"),
        Col("jumlah_kk", "KK", 1.0, "int"),
        Col("jumlah_kawasan", "Jumlah kawasan", 1, "int"),
        Col("kawasan", "Kawasan", 6),
    ]
    totals = {c: float(ps[c].sum()) for c in ("jumlah_rt", "luas_ha", "jumlah_kk")}
    cols = [
        Col("kode_kawasan", "Kode", 1.1),
        Col("nama_kawasan", "Nama kawasan", 2.8),
        Col("tingkat_label", "Tingkat kawasan", 1.6),
        Col("legalitas", "Legalitas lahan", 1.3),
        Col("luas_ilegal_ha", "Luas RT ilegal (ha)", 1.1, "dec2"),
        Col("pola_penanganan", "Pola penanganan: campuran pola RT (luas, jumlah RT)", 6),
    ]
    return [
        *story,
        Paragraph("Pola penanganan per pola", st["H2"]),
        table(ps, summary_cols, ctx.wide, st, totals=totals),
        Paragraph("Pola penanganan per kawasan", st["H2"]),
        table(p.assign(tingkat_label=ctx.level_label(p)), cols, ctx.wide, st),
        para(
            "Legalitas dan pola ditentukan per RT (peta pola penanganan per RT di bagian 5); pola kawasan adalah campurannya, sehingga satu RT ilegal tidak membuat seluruh kawasan dipindahkan. Rincian per RT: lembar 'Pola per RT' di rp2kpkp.xlsx.",
            st,
            "note",
        ),
    ]


# --------------------------------------------------------------------------- 8


def _cost_tables(ctx: SectionContext) -> list:
    """Cost per kawasan and pattern, and the unit costs (per criterion, per activity)."""
    annex, r, st = ctx.annex, ctx.annex.rules, ctx.st
    bk = annex.biaya_kawasan
    cols = [
        Col("kode_kawasan", "Kode", 1.1),
        Col("nama_kawasan", "Nama kawasan", 2.8),
        Col("prioritas", "Prio- ritas", 0.6, "int"),
        *(
            Col(f"biaya_{pola_key(p)}_rp", f"{p.capitalize()} (Rp)", 1.8, "rp")
            for p in POLA
            if p != POLA_PREVENTION
        ),
        Col("biaya_total_rp", "Jumlah (Rp)", 1.9, "rp"),
    ]
    tot = {c.name: float(bk[c.name].sum()) for c in cols if c.kind == "rp"}
    ct = annex.costs.table.merge(r.describe()[["kode", "kriteria"]], on="kode", how="left")
    ct_cols = [
        Col("kode", "Kode", 0.8),
        Col("kriteria", "Kriteria", 5),
        Col("uraian", "Kegiatan penanganan", 5),
        Col("satuan", "Satuan", 1),
        Col("harga_rp", "Harga satuan (Rp)", 2, "rp"),
    ]
    pt_cols = [
        Col("pola", "Pola", 2),
        Col("uraian", "Kegiatan", 8),
        Col("satuan", "Satuan", 1.4),
        Col("harga_rp", "Harga satuan (Rp)", 2, "rp"),
    ]
    return [
        Paragraph("Biaya per kawasan dan pola", st["H2"]),
        table(bk, cols, ctx.wide, st, totals=tot, font_size=6.8),
        Paragraph("Harga satuan per kriteria (pemugaran, peremajaan)", st["H2"]),
        table(ct, ct_cols, ctx.wide, st),
        Paragraph("Harga satuan kegiatan menurut pola", st["H2"]),
        table(annex.costs.pola_table, pt_cols, ctx.wide, st),
    ]


def _needs_per_activity(ctx: SectionContext) -> list:
    """Volume and cost of the whole program per pattern and activity."""
    st, kb = ctx.st, ctx.annex.kebutuhan
    story = [Paragraph("Volume dan biaya per pola dan kegiatan", st["H2"])]
    if not len(kb):
        return story
    keyed = kb.assign(kriteria=kb["kriteria"].fillna(""))
    per = (
        keyed.groupby(["pola", "kriteria", "kegiatan", "satuan"], sort=False)
        .agg(
            volume=("volume", "sum"),
            biaya_rp=("biaya_rp", "sum"),
            jumlah_kawasan=("kode_kawasan", "nunique"),
            jumlah_kelurahan=("kode_kel", "nunique"),
        )
        .reset_index()
    )
    per["tempat"] = [
        f"{k} kelurahan" if p == POLA_PREVENTION else f"{n} kawasan"
        for p, n, k in zip(per["pola"], per["jumlah_kawasan"], per["jumlah_kelurahan"], strict=True)
    ]
    cols = [
        Col("pola", "Pola", 1.6),
        Col("kriteria", "Kode", 0.6),
        Col("kegiatan", "Kegiatan", 5.6),
        Col("tempat", "Lokasi", 1.2),
        Col("volume", "Volume", 1.4, "dec2"),
        Col("satuan", "Satuan", 1),
        Col("biaya_rp", "Biaya (Rp)", 2.2, "rp"),
    ]
    totals = {"biaya_rp": float(per["biaya_rp"].sum())}
    return [*story, table(per, cols, ctx.wide, st, totals=totals, font_size=7)]


def needs(ctx: SectionContext, title: str) -> list:
    """Section 8: needs and indicative cost by pattern, unit costs, totals per activity."""
    annex, st = ctx.annex, ctx.st
    c = annex.costs
    basis = (
        "Biaya mengikuti pola penanganan: pemugaran dan peremajaan — sisa volume tiap kriteria "
        f"tahun {annex.tahun} dari RT berpola itu × harga satuan (peremajaan ditambah penataan "
        "kawasan per ha); permukiman kembali — per KK (lahan, hunian, prasarana di lokasi baru), "
        "tanpa pekerjaan di tapak; pencegahan — per kelurahan per tahun. Harga satuan "
        f"{'INDIKATIF' if c.indicative else 'resmi'} (tahun harga {c.tahun_harga}). {c.sumber}."
    )
    return [
        PageBreak(),
        Paragraph(title, st["H1"]),
        box([basis], st, ctx.wide),
        Spacer(1, 6),
        *_cost_tables(ctx),
        *_needs_per_activity(ctx),
    ]


# --------------------------------------------------------------------------- 9


def _program(ctx: SectionContext) -> list:
    """The program per kawasan (or kelurahan), pattern and activity, one column per year."""
    memo, years = ctx.annex.memorandum, ctx.annex.memorandum_tahun
    pv = memorandum_pivot(memo, years=years)
    pv = pv.assign(
        tempat=[k or f"Kel. {kel}" for k, kel in zip(pv["kode_kawasan"], pv["kelurahan"], strict=True)],
        kegiatan_kode=[
            f"{k + ' ' if k else ''}{u}" for k, u in zip(pv["kriteria"], pv["kegiatan"], strict=True)
        ],
    )  # fmt: skip
    cols = [
        Col("tempat", "Kawasan / kelurahan", 1.3),
        Col("pola", "Pola", 1.2),
        Col("kegiatan_kode", "Kegiatan", 3.4),
        Col("sumber_dana", "Sumber dana", 1.3),
        *(Col(f"rp_{y}", f"{y} (Rp)", 1.4, "rp0") for y in years),
        Col("rp_total", "Jumlah (Rp)", 1.5, "rp"),
    ]
    tot = {c.name: float(pv[c.name].sum()) for c in cols if c.kind in ("rp", "rp0")}
    return [
        Paragraph("Program per kawasan dan kegiatan", ctx.st["H2"]),
        table(pv, cols, ctx.wide, ctx.st, totals=tot, font_size=6.3),
    ]


def program_totals(tahapan: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """One row per funding source: ``rp_<tahun>`` as "program / pagu" text, the
    five-year program and unfunded totals."""
    rows = []
    for s, sub in tahapan.groupby("sumber_dana", sort=False):
        row = {"sumber_dana": s}
        for y in years:
            t = sub[sub["tahun"] == y]
            prog = float(t["program_rp"].sum()) if len(t) else 0.0
            cap = float(t["pagu_rp"].iloc[0]) if len(t) else float("nan")
            text = format_rupiah(prog).removeprefix("Rp ")
            if cap == cap:  # a ceiling
                text += f" / {format_rupiah(cap).removeprefix('Rp ')}"
                text += " (MELEBIHI)" if prog > cap else ""
            row[f"rp_{y}"] = text
        row["program_rp"] = float(sub["program_rp"].sum())
        row["belum_terdanai_rp"] = float(sub["belum_terdanai_rp"].iloc[0])
        rows.append(row)
    return pd.DataFrame(rows)


def _ceiling_table(ctx: SectionContext) -> list:
    annex, years, st = ctx.annex, ctx.annex.memorandum_tahun, ctx.st
    tt = program_totals(annex.tahapan, years)
    cols = [
        Col("sumber_dana", "Sumber dana", 1.6),
        *(Col(f"rp_{y}", f"{y}: program / pagu (Rp)", 2.0) for y in years),
        Col("program_rp", "Program 5 tahun (Rp)", 1.7, "rp"),
        Col("belum_terdanai_rp", "Belum terdanai (Rp)", 1.7, "rp"),
    ]
    totals = {c: float(tt[c].sum()) for c in ("program_rp", "belum_terdanai_rp")} if len(tt) else None  # fmt: skip
    head = (
        f"Pagu tahunan: {ceiling_text(annex.pagu)}; sumber dana lain tanpa pagu."
        if annex.pagu
        else f"Tanpa pagu tahunan (pengaturan {CEILING_SETTINGS_KEY} kosong): program dibagi menurut prioritas saja."
    )
    return [
        Paragraph("Jumlah per tahun terhadap pagu tahunan", st["H2"]),
        para(head, st, "small"),
        table(tt, cols, ctx.wide, st, totals=totals, font_size=6.8),
    ]


def _pola_recap(ctx: SectionContext) -> list:
    """Five-year totals per pattern and funding source."""
    memo = ctx.annex.memorandum
    rs = memo.assign(pola=memo["pola"].fillna("(tanpa pola)")).pivot_table(
        index="pola", columns="sumber_dana", values="biaya_rp", aggfunc="sum", fill_value=0.0
    )
    order = [p for p in (*POLA, "(tanpa pola)") if p in rs.index]
    rs = rs.reindex(order)
    sources = list(rs.columns)
    rs["rp_total"] = rs.sum(axis=1)
    rs = rs.reset_index()
    cols = [
        Col("pola", "Pola penanganan", 2.2),
        *(Col(s, f"{s} (Rp)", 2.0, "rp") for s in sources),
        Col("rp_total", "Jumlah (Rp)", 2.2, "rp"),
    ]
    totals = {c.name: float(rs[c.name].sum()) for c in cols if c.kind == "rp"}
    return [
        Paragraph("Rekap program per pola dan sumber dana", ctx.st["H2"]),
        table(rs, cols, ctx.wide, ctx.st, totals=totals),
    ]


def _unfunded(ctx: SectionContext) -> list:
    """What the ceilings leave out: per kawasan (or kelurahan), pattern and source."""
    annex, st = ctx.annex, ctx.st
    gap = annex.belum_terdanai
    story = [Paragraph("Belum terdanai", st["H2"])]
    if annex.memorandum_asal == "proyek":
        need, prog = float(annex.kebutuhan["biaya_rp"].sum()), float(annex.memorandum["biaya_rp"].sum())  # fmt: skip
        return [*story, para(f"Program isian Pokja: {format_rupiah(prog)} dari kebutuhan {format_rupiah(need)}; selisih {format_rupiah(max(need - prog, 0.0))}.", st, "small")]  # fmt: skip
    if not len(gap):
        return [*story, para("Semua kebutuhan masuk program dalam pagu tahunan.", st, "small")]
    g = gap.assign(tempat=[k if isinstance(k, str) and k else f"Kel. {kel}" for k, kel in zip(gap["kode_kawasan"], gap["kelurahan"], strict=True)])  # fmt: skip
    per = g.groupby(["tempat", "pola", "sumber_dana"], sort=False)["biaya_rp"].sum().reset_index()
    cols = [
        Col("tempat", "Kawasan / kelurahan", 1.6),
        Col("pola", "Pola", 2.0),
        Col("sumber_dana", "Sumber dana", 2.0),
        Col("biaya_rp", "Belum terdanai (Rp)", 2.2, "rp"),
    ]
    total = float(per["biaya_rp"].sum())
    return [
        *story,
        para(f"Kebutuhan yang tidak muat dalam pagu {annex.memorandum_tahun[0]}–{annex.memorandum_tahun[-1]}: {format_rupiah(total)} (rincian per kegiatan: lembar 'Belum terdanai' di rp2kpkp.xlsx).", st, "small"),
        table(per, cols, ctx.wide, st, totals={"biaya_rp": total}, font_size=7),
    ]  # fmt: skip


def memorandum(ctx: SectionContext, title: str) -> list:
    """Section 9: the memorandum program (the Pokja's, else the phased draft), yearly
    totals against the ceilings, the recap per pattern and source, what is not funded."""
    annex, st = ctx.annex, ctx.st
    memo, years = annex.memorandum, annex.memorandum_tahun
    story = [PageBreak(), Paragraph(title, st["H1"])]
    if annex.memorandum_asal == "draf":
        how = (
            "dalam pagu tahunan per sumber dana; yang melebihi sisa pagu suatu tahun bergeser ke tahun berikutnya, yang tidak muat tercatat belum terdanai"
            if annex.pagu
            else "TANPA pagu tahunan: dibagi menurut prioritas saja"
        )
        story.append(box([
            f"DRAF otomatis {years[0]}–{years[-1]}: kawasan menurut peringkat prioritas (pencegahan per kelurahan per tahun), {how}. "
            "Pokja PKP menyunting memorandum_program.xlsx lalu menjalankan: kumuhgis memorandum-import PROYEK.gpkg memorandum_program.xlsx."
        ], st, ctx.wide))  # fmt: skip
    else:
        story.append(para(f"Isian Pokja PKP yang diimpor ke proyek ({len(memo)} baris kegiatan).", st, "small"))  # fmt: skip
    story.append(Spacer(1, 6))
    story += _ceiling_table(ctx)
    if len(memo):
        story += [*_pola_recap(ctx), *_program(ctx)]
    return story + _unfunded(ctx)
