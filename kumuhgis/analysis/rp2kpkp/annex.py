"""The RP2KPKP annex of a city (domain.md §8): every table, from one city snapshot.

:func:`build_annex` chooses the conditions year and the SK version, verifies the SK
(domain.md §6), builds the kawasan profile, the legality and handling pattern per RT,
the priority ranking, the needs and costs by pattern, and takes the memorandum program
the Pokja imported (else a draft phased within the yearly ceilings). :func:`method_lines` says, in
Bahasa Indonesia, how each figure was made, with the rules' sources and values. The
workbooks, maps and PDF that show an :class:`Annex` are in :mod:`kumuhgis.outputs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from kumuhgis.analysis.city import score_city
from kumuhgis.analysis.reduction import rt_units
from kumuhgis.analysis.rp2kpkp.memorandum import draft_memorandum, stored_memorandum
from kumuhgis.analysis.rp2kpkp.needs import cost_by_kawasan, needs
from kumuhgis.analysis.rp2kpkp.pattern import rt_patterns
from kumuhgis.analysis.rp2kpkp.phasing import (
    UNFUNDED_COLUMNS,
    Phasing,
    ceiling_text,
    yearly_totals,
)
from kumuhgis.analysis.rp2kpkp.priority import priority_ranking
from kumuhgis.analysis.rp2kpkp.profile import kawasan_profile
from kumuhgis.analysis.rp2kpkp.rules import (
    LEGALITY_VALUES,
    PERTIMBANGAN_CATEGORIES,
    PlanRules,
    UnitCosts,
    load_plan_rules,
    load_unit_costs,
)
from kumuhgis.analysis.scoring import condition_year
from kumuhgis.analysis.verification import verify_sk
from kumuhgis.core.errors import UsageError
from kumuhgis.core.memorandum import CEILING_SETTINGS_KEY, coerce_memorandum
from kumuhgis.core.numeric import format_number_id, format_rupiah
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.sk import sk_in_force
from kumuhgis.core.snapshot import CitySnapshot

__all__ = ["Annex", "build_annex", "method_lines"]


@dataclass(frozen=True, eq=False)
class Annex:
    """Everything the RP2KPKP annex shows (:func:`build_annex`)."""

    kota: str
    provinsi: str
    tahun: int
    rules: RuleSet
    plan: PlanRules
    costs: UnitCosts
    profil: pd.DataFrame
    ranking: pd.DataFrame
    kebutuhan: pd.DataFrame
    biaya_kawasan: pd.DataFrame
    memorandum: pd.DataFrame
    memorandum_asal: str  # "proyek" (imported) or "draf" (generated)
    memorandum_tahun: list[int]
    rt_pola: pd.DataFrame  # legality and handling pattern per RT (pattern.rt_patterns)
    belum_terdanai: pd.DataFrame  # draft lines the ceilings leave out (phasing)
    tahapan: pd.DataFrame  # yearly totals per funding source against the ceilings
    pagu: dict  # funding source → yearly ceiling (empty: spread by priority only)
    sk: pd.DataFrame  # verified SK table (one row per location)
    sk_info: dict  # no_sk, tanggal_sk, rekomendasi, alasan, luas_terverifikasi_ha
    rt: gpd.GeoDataFrame  # RT polygons with the year's scores and kawasan
    wilayah: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame  # kawasan polygons with the profile columns
    asal: dict  # {"observed": n, "derived": n} RT rows of the data year
    tahun_baseline: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _SkPart:
    rows: pd.DataFrame | None = None  # the rows of the chosen SK version
    info: dict = field(default_factory=dict)
    verified: pd.DataFrame | None = None  # verification per location
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def _kawasan_geometries(
    codes: list[str], delineasi: gpd.GeoDataFrame, rt: gpd.GeoDataFrame, units: pd.DataFrame
) -> gpd.GeoDataFrame:
    """Kawasan polygons: the delineation polygon, else the union of the kawasan's RTs."""
    geoms = []
    dl = (
        delineasi.assign(kode_kawasan=delineasi["kode_kawasan"].astype(str))
        .drop_duplicates("kode_kawasan")
        .set_index("kode_kawasan")
        if len(delineasi)
        else None
    )
    rtg = rt.assign(kode_rt=rt["kode_rt"].astype(str)).set_index("kode_rt") if len(rt) else None
    for k in codes:
        if dl is not None and k in dl.index:
            geoms.append(dl.geometry.loc[k])
            continue
        members = units.loc[units["kode_kawasan"].astype(str) == k, "kode_rt"].astype(str)
        members = [m for m in members if rtg is not None and m in rtg.index]
        geoms.append(rtg.geometry.loc[members].union_all() if members else None)
    return gpd.GeoDataFrame(
        {"kode_kawasan": pd.Series(codes, dtype="str")}, geometry=geoms, crs="EPSG:4326"
    )


def _sk_part(
    snapshot: CitySnapshot,
    *,
    year: int,
    no_sk: str | None,
    units: pd.DataFrame,
    scores: pd.DataFrame,
    rules: RuleSet,
    notes: list[str],
) -> _SkPart:
    """The SK version of the annex (``no_sk``, else the one in force in ``year``), checked
    by the SK verification (domain.md §6)."""
    settings = snapshot.settings
    sk_all = snapshot.sk_kumuh
    if not len(sk_all):
        notes.append("Proyek belum punya SK Kumuh; lampiran memakai semua kawasan delineasi.")
        return _SkPart()
    versions = snapshot.sk_versions
    names = versions["no_sk"].tolist()
    if no_sk is not None and no_sk not in names:
        raise UsageError(
            f"SK '{no_sk}' tidak ada; yang ada: {', '.join(names)} / no such SK version; known: {', '.join(names)}"
        )
    chosen = no_sk or sk_in_force(sk_all, year)
    info = versions[versions["no_sk"] == chosen].iloc[0]
    sk_rows = sk_all[sk_all["no_sk"].astype(str) == chosen]
    sk_info: dict[str, Any] = {
        "no_sk": chosen,
        "tanggal_sk": pd.Timestamp(info["tanggal_sk"]).date().isoformat(),
    }
    ver = verify_sk(
        sk_all, snapshot.delineasi, rt=snapshot.rt, wilayah=snapshot.wilayah, scores=scores,
        no_sk=chosen, year=year, not_kumuh=rules.not_kumuh_codes,
        tolerances=settings.get("verifikasi_sk") or {},
        area_method=str(settings.get("metode_luas", "geodesic")),
    )  # fmt: skip
    if len(ver.summary):
        s = ver.summary.iloc[0]
        keys = ("rekomendasi", "alasan", "luas_terverifikasi_ha", "luas_sk_ha", "jumlah_temuan")
        sk_info.update({k: s.get(k) for k in keys})
    dropped = sorted(
        set(units["kode_kawasan"][units["sumber_kawasan"] == "delineasi"])
        - set(sk_rows["kode_kawasan"].astype(str))
    )
    if dropped:
        notes.append(
            f"Kawasan di delineasi tetapi tidak di SK {chosen}: {', '.join(dropped)} — tidak dimasukkan dalam lampiran ini."
        )
    return _SkPart(rows=sk_rows, info=sk_info, verified=ver.locations, table=ver.locations.copy())


_RT_PATTERN_COLUMNS = ["kode_rt", "dalam_sk", "legalitas_lahan", "pola_penanganan"]


def _map_layers(
    snapshot: CitySnapshot,
    sc: pd.DataFrame,
    units: pd.DataFrame,
    profil: pd.DataFrame,
    rt_pola: pd.DataFrame,
    notes: list[str],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """RT polygons with the year's scores, legality and pattern, and kawasan polygons
    with the profile."""
    rt = snapshot.rt
    rt_scores = sc.merge(units, on="kode_rt", how="left")
    # the pattern's own inside/legality/pattern columns win over same-named unit columns
    rt_scores = rt_scores.drop(columns=[c for c in _RT_PATTERN_COLUMNS[1:] if c in rt_scores])
    rtg = (
        rt[["kode_rt", rt.geometry.name]]
        .assign(kode_rt=rt["kode_rt"].astype(str))
        .merge(rt_scores, on="kode_rt", how="left")
        .merge(rt_pola[_RT_PATTERN_COLUMNS], on="kode_rt", how="left")
    )
    rtg = gpd.GeoDataFrame(rtg, geometry=rt.geometry.name, crs=rt.crs)
    codes = profil["kode_kawasan"].astype(str).tolist()
    kaw = _kawasan_geometries(codes, snapshot.delineasi, rt, units)
    kaw = kaw.merge(profil, on="kode_kawasan", how="left")
    missing_geom = kaw.loc[kaw.geometry.isna(), "kode_kawasan"].tolist()
    if missing_geom:
        notes.append(
            f"Kawasan tanpa poligon dan tanpa RT (tidak digambar di peta): {', '.join(missing_geom)}."
        )
    return rtg, kaw


def _program(
    snapshot: CitySnapshot,
    ranking: pd.DataFrame,
    kebutuhan: pd.DataFrame,
    *,
    plan: PlanRules,
    years: list[int],
    use_stored: bool,
) -> tuple[str, list[int], Phasing]:
    """(origin, years, program): the memorandum the Pokja imported, with its totals
    against the ceilings, else the draft phased within them."""
    memo = stored_memorandum(snapshot) if use_stored else None
    if memo is None:
        return "draf", years, draft_memorandum(ranking, kebutuhan, plan=plan, years=years)
    years = sorted(set(years) | {int(y) for y in memo["tahun"]})
    none = coerce_memorandum(pd.DataFrame(columns=list(UNFUNDED_COLUMNS)))
    phased = Phasing(
        program=memo,
        belum_terdanai=none[list(UNFUNDED_COLUMNS)],
        tahapan=yearly_totals(memo, years=years, ceilings=plan.pagu),
        pagu=plan.pagu,
    )
    return "proyek", years, phased


def build_annex(
    snapshot: CitySnapshot,
    *,
    year: int | None = None,
    rules: RuleSet | str | None = None,
    no_sk: str | None = None,
    use_stored_memorandum: bool = True,
) -> Annex:
    """Compute every table of the RP2KPKP annex from a city snapshot (domain.md §8).

    Conditions of ``year`` (default: the latest year with conditions, observed or
    derived; :func:`kumuhgis.analysis.city.score_city`); kawasan of the SK version ``no_sk``
    (default: the version in force in that year), checked by the SK verification
    (:func:`kumuhgis.analysis.verification.verify_sk`) for the verified luas; legality and
    handling pattern per RT (:func:`kumuhgis.analysis.rp2kpkp.pattern.rt_patterns`); needs
    costed by pattern (:func:`kumuhgis.analysis.rp2kpkp.needs.needs`); the memorandum
    program imported into the project, else a draft phased by priority within the yearly
    ceilings (:func:`kumuhgis.analysis.rp2kpkp.memorandum.draft_memorandum`).

    Raises
    ------
    UsageError
        No baseline, a year without conditions, an unknown SK version, bad settings.
    """
    settings = snapshot.settings
    if not snapshot.has("baseline"):
        raise UsageError(
            "Proyek belum punya layer baseline; impor dulu / the project has no baseline layer; import it first"
        )
    rules = snapshot.rules if rules is None else load_rules(rules, settings=dict(settings))
    plan = load_plan_rules(settings, rules=rules)
    costs = load_unit_costs(settings, rules=rules)
    all_scores = score_city(snapshot, rules=rules).scores
    years = sorted(int(y) for y in all_scores["tahun"].unique())
    year = condition_year(years, year)
    sc = all_scores[all_scores["tahun"] == year].reset_index(drop=True)
    units = rt_units(
        snapshot.rt, snapshot.wilayah, delineasi=snapshot.delineasi, sk_kumuh=snapshot.sk_kumuh
    )
    notes: list[str] = []
    sk = _sk_part(
        snapshot, year=year, no_sk=no_sk, units=units, scores=all_scores, rules=rules, notes=notes
    )
    profil = kawasan_profile(
        sc, units, rules=rules, plan=plan, sk_rows=sk.rows, verified=sk.verified
    )
    ranking = priority_ranking(profil)
    rt_pola = rt_patterns(sc, units, plan=plan, kawasan=profil["kode_kawasan"], rules=rules)
    start = plan.memorandum.get("tahun_mulai") or year + 1
    years_memo = list(range(start, start + int(plan.memorandum["jumlah_tahun"])))
    keb = needs(rt_pola, profil, rules=rules, costs=costs, plan=plan, years=years_memo)
    asal, years_memo, phased = _program(
        snapshot, ranking, keb, plan=plan, years=years_memo, use_stored=use_stored_memorandum
    )
    rtg, kaw = _map_layers(snapshot, sc, units, profil, rt_pola, notes)
    asal_counts = sc["asal"].value_counts().to_dict() if "asal" in sc.columns else {}
    base_year = settings.get("tahun_baseline")
    return Annex(
        kota=snapshot.kota,
        provinsi=str(settings.get("provinsi") or ""),
        tahun=year,
        rules=rules,
        plan=plan,
        costs=costs,
        profil=profil,
        ranking=ranking,
        kebutuhan=keb,
        biaya_kawasan=cost_by_kawasan(keb, profil),
        memorandum=phased.program,
        memorandum_asal=asal,
        memorandum_tahun=years_memo,
        rt_pola=rt_pola,
        belum_terdanai=phased.belum_terdanai,
        tahapan=phased.tahapan,
        pagu=dict(phased.pagu),
        sk=sk.table,
        sk_info=sk.info,
        rt=rtg,
        wilayah=snapshot.wilayah,
        kawasan=kaw,
        asal={str(k): int(v) for k, v in asal_counts.items()},
        tahun_baseline=int(base_year) if base_year is not None else (years[0] if years else None),
        notes=notes,
    )


_AGGREGATION_TEXT = {
    "salah_satu": "bila salah satu RT-nya",
    "semua": "bila semua RT-nya",
    "mayoritas_luas": "bila RT dengan nilai itu mencakup paling sedikit separuh luasnya",
}


def _rule_lines(annex: Annex) -> list[str]:
    """How the conditions and the profile were scored."""
    r = annex.rules
    levels = "; ".join(
        f"{lv.code} ({lv.label_id}) {'–'.join(map(str, r.level_range(lv.code)))}" for lv in r.levels
    )
    bands = "; ".join(f"persen ≥ {b.min_pct} → {b.score}" for b in r.score_bands)
    asal = ", ".join(
        f"{v} RT {'hasil survei' if k == 'observed' else 'turunan (kondisi tahun sebelumnya dikurangi kolaborasi)'}"
        for k, v in sorted(annex.asal.items(), key=lambda kv: kv[0] != "observed")
    )
    return [
        f"Aturan penilaian: {r.title_id}. Persen = 100 × volume ÷ penyebut (maks. 100), dibulatkan setengah ke atas dua desimal; nilai: {bands}; tingkat dari total nilai: {levels}.",
        f"Kondisi tahun {annex.tahun}: {asal or '-'}.",
        "Profil kawasan = jumlah angka RT di dalam kawasan (luas, bangunan, penduduk, KK, panjang jalan dan drainase ideal, volume tiap kriteria); kawasan dinilai sebagai satu kesatuan dari volume yang dijumlahkan, bukan rata-rata persentase RT. Luas kumuh = jumlah luas RT yang tingkatnya bukan TK.",
    ]


def _plan_lines(annex: Annex) -> list[str]:
    """How pertimbangan lain, legality, priority and pattern were decided."""
    p = annex.plan
    lo, hi = p.kepadatan_batas
    agg = _AGGREGATION_TEXT
    return [
        f"Pertimbangan lain ({p.source_id}): lokasi strategis ya {p.strategis['ya']} / tidak {p.strategis['tidak']}; kepadatan penduduk ≤ {format_number_id(lo, 0)} jiwa/ha rendah {p.kepadatan_nilai['rendah']}, ≤ {format_number_id(hi, 0)} sedang {p.kepadatan_nilai['sedang']}, di atasnya tinggi {p.kepadatan_nilai['tinggi']}; potensi sosial ekonomi ya {p.sosial_ekonomi['ya']} / tidak {p.sosial_ekonomi['tidak']}. Jumlah ≥ {p.kategori_min['tinggi']} tinggi, ≥ {p.kategori_min['sedang']} sedang, ≥ {p.kategori_min['rendah']} rendah.",
        "Legalitas lahan ditentukan per RT: legal hanya bila status lahan dan kesesuaian dengan rencana tata ruang (RTR) keduanya positif (kolom legalitas, atau status_lahan dan kesesuaian_rtr bersama); bila hanya salah satu yang diisi, legalitas RT belum diketahui dan tidak pernah dianggap legal. "
        f"Lokasi strategis kawasan {agg[p.agregasi['nilai_strategis']]} bernilai ya; potensi sosial ekonomi {agg[p.agregasi['sosial_ekonomi']]} bernilai ya. Data RT yang kosong tidak pernah diisi dengan nilai bawaan: hasil kawasan hanya ditetapkan bila data yang kosong tidak dapat mengubahnya, selain itu dicatat di kolom 'data kurang'.",
        "Prioritas 1–9 dari matriks pertimbangan lain × tingkat kekumuhan: "
        + "; ".join(
            f"{row} {', '.join(str(p.prioritas[row][k]) for k in p.kumuh_codes)}"
            for row in PERTIMBANGAN_CATEGORIES
        )
        + f" (kolom {', '.join(p.kumuh_codes)}). Dalam satu prioritas: total nilai lebih tinggi dulu, lalu luas kumuh lebih besar.",
        "Pola penanganan per RT, dari legalitas lahan dan tingkat kekumuhan RT itu: "
        + "; ".join(
            f"lahan {row}: " + ", ".join(f"{k} → {p.pola[row][k]}" for k in p.level_codes)
            for row in LEGALITY_VALUES
        )
        + f". Pencegahan meliputi {', '.join(p.pencegahan)}; RT di luar kawasan SK (tidak kumuh, atau kumuh di luar SK) masuk pencegahan. Pola kawasan = campuran pola RT-nya dengan luas dan jumlah RT, sehingga satu RT ilegal tidak pernah membuat seluruh kawasan dipindahkan.",
    ]


def _cost_line(annex: Annex) -> str:
    c = annex.costs
    housing = annex.plan.memorandum["hunian_permukiman_kembali"]
    return (
        f"Biaya mengikuti pola penanganan: pemugaran dan peremajaan — sisa volume tiap kriteria tahun {annex.tahun} dari RT berpola itu × harga satuan per kriteria, peremajaan ditambah penataan kawasan per ha; "
        f"permukiman kembali — per KK tiap RT (pengadaan lahan, {'satuan rusunawa' if housing == 'rusunawa' else 'rumah'}, prasarana di lokasi baru) dan tanpa pekerjaan di tapak yang ditinggalkan; "
        f"pencegahan — pengawasan dan pengendalian serta pemberdayaan masyarakat per kelurahan per tahun. Harga satuan {'INDIKATIF' if c.indicative else 'resmi'} (tahun harga {c.tahun_harga}): {c.sumber}. Biaya tidak disesuaikan dengan inflasi antartahun."
    )


def _program_line(annex: Annex) -> str:
    years = annex.memorandum_tahun
    if annex.memorandum_asal == "proyek":
        need = float(annex.kebutuhan["biaya_rp"].sum())
        prog = float(annex.memorandum["biaya_rp"].sum())
        return f"Memorandum program: isian Pokja yang diimpor ke proyek (kumuhgis memorandum-import); jumlah program {format_rupiah(prog)} dari kebutuhan {format_rupiah(need)}."
    head = f"Memorandum program: DRAF otomatis {years[0]}–{years[-1]} — kawasan menurut peringkat prioritas (lalu pencegahan per kelurahan)"
    if not annex.pagu:
        return (
            head
            + f"; TANPA pagu tahunan (pengaturan {CEILING_SETTINGS_KEY} kosong): kawasan dibagi rata menurut prioritas saja ke {len(years)} tahun. Pokja menyunting memorandum_program.xlsx lalu mengimpornya kembali."
        )
    gap = float(annex.belum_terdanai["biaya_rp"].sum()) if len(annex.belum_terdanai) else 0.0
    return (
        head
        + f", dalam pagu tahunan per sumber dana ({ceiling_text(annex.pagu)}): kebutuhan yang melebihi sisa pagu suatu tahun bergeser ke tahun berikutnya; yang tidak muat dalam {len(years)} tahun tercatat belum terdanai ({format_rupiah(gap)}). "
        + "Sumber dana tanpa pagu dibagi menurut prioritas saja. Pokja menyunting memorandum_program.xlsx lalu mengimpornya kembali."
    )


def method_lines(annex: Annex) -> list[str]:
    """The method summary (Bahasa Indonesia) with the rules' sources and the values used,
    then the annex's notes."""
    return [
        *_rule_lines(annex),
        *_plan_lines(annex),
        _cost_line(annex),
        _program_line(annex),
        *annex.notes,
    ]
