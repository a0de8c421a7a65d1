"""The demo as a project: the seven layer frames in EPSG:4326, the project settings and the
list of planted findings (contracts.md "The store")."""

from __future__ import annotations

from collections import defaultdict

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.core.schema import STORAGE_CRS, VOLUME_COLUMNS
from kumuhgis.demo.baseline import TAHUN_AKHIR, TAHUN_BASELINE, Survey
from kumuhgis.demo.kawasan import Kawasan, kawasan_of
from kumuhgis.demo.plan import Plan
from kumuhgis.demo.sk import SK_ASLI, SK_REVISI
from kumuhgis.demo.town import (
    KECAMATAN,
    KELURAHAN,
    KODE_KOTA,
    KOTA,
    MISSPELLED,
    PROVINSI,
    WORK_CRS,
    Town,
)
from kumuhgis.demo.works import Work

__all__ = ["layer_frames", "planted_findings", "project_settings"]


def _to_storage(geoms: list) -> gpd.GeoSeries:
    return gpd.GeoSeries(geoms, crs=WORK_CRS).to_crs(STORAGE_CRS)


def _text(values) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def layer_frames(
    town: Town,
    kawasan: list[Kawasan],
    plan: Plan,
    survey: Survey,
    observed: list,
    kolab: list[Work],
    infra: list[dict],
) -> dict[str, pd.DataFrame]:
    """The six spatial and tabular layers other than ``sk_kumuh``, in EPSG:4326: baseline
    rows are the 2016 survey of every RT plus the observed rows of later years."""
    kel = [KELURAHAN[i] for i in range(len(KELURAHAN))]
    wilayah = gpd.GeoDataFrame(
        {
            "kode_kel": _text(k[0] for k in kel),
            "kelurahan": _text(k[1] for k in kel),
            "kecamatan": _text(KECAMATAN[k[0][:6]] for k in kel),
            "kota": _text(KOTA for _ in kel),
            "kode_kec": _text(k[0][:6] for k in kel),
        },
        geometry=_to_storage(town.kel_geom),
    )
    rt = gpd.GeoDataFrame(
        {
            "kode_rt": _text(town.kode_rt),
            "rt": _text(f"{n:03d}" for n in town.rt_no),
            "rw": _text(f"{n:03d}" for n in town.rt_rw),
            "kode_kel": _text(KELURAHAN[k][0] for k in town.rt_kel),
        },
        geometry=_to_storage(town.rt_geom),
    )
    delineasi = gpd.GeoDataFrame(
        {
            "kode_kawasan": _text(k.kode for k in kawasan),
            "nama_kawasan": _text(k.nama for k in kawasan),
            "kode_kel": _text(KELURAHAN[k.kel][0] for k in kawasan),
            "tahun": pd.array([k.tahun for k in kawasan], dtype="Int64"),
        },
        geometry=_to_storage([k.geom for k in kawasan]),
    )
    rows = [(r, TAHUN_BASELINE, survey.hdr[r], survey.vol[r]) for r in range(town.n_rt)] + observed
    rows.sort(key=lambda x: (x[0], x[1]))
    base = pd.DataFrame({
        "kode_rt": _text(town.kode_rt[r] for r, *_ in rows),
        "tahun": pd.array([t for _, t, *_ in rows], dtype="Int64"),
        "luas_ha": [h["luas_ha"] for _, _, h, _ in rows],
        "jumlah_bangunan": pd.array([h["jumlah_bangunan"] for _, _, h, _ in rows], dtype="Int64"),
        "jumlah_penduduk": pd.array([h["jumlah_penduduk"] for _, _, h, _ in rows], dtype="Int64"),
        "jumlah_kk": pd.array([h["jumlah_kk"] for _, _, h, _ in rows], dtype="Int64"),
        "panjang_jalan_ideal_m": [h["panjang_jalan_ideal_m"] for _, _, h, _ in rows],
        "panjang_drainase_ideal_m": [h["panjang_drainase_ideal_m"] for _, _, h, _ in rows],
    })  # fmt: skip
    vols = np.array([v for *_, v in rows], dtype=float)
    for j, col in enumerate(VOLUME_COLUMNS):
        base[col] = vols[:, j]
    for col in ("legalitas", "nilai_strategis", "sosial_ekonomi", "tipologi"):
        base[col] = _text(survey.extra[r][col] for r, *_ in rows)
    infrastruktur = gpd.GeoDataFrame(
        {
            "kode_infra": _text(d["kode_infra"] for d in infra),
            "jenis": _text(d["jenis"] for d in infra),
            "kriteria": _text(d["kriteria"] for d in infra),
            "tahun": pd.array([d["tahun"] for d in infra], dtype="Int64"),
            "sumber_dana": _text(d["sumber_dana"] for d in infra),
            "kondisi": _text(d["kondisi"] for d in infra),
        },
        geometry=_to_storage([d["geometry"] for d in infra]),
    )
    kolaborasi = gpd.GeoDataFrame(
        {
            "kode_kegiatan": _text(w.kode for w in kolab),
            "nama_kegiatan": _text(w.nama for w in kolab),
            "tahun": pd.array([w.tahun for w in kolab], dtype="Int64"),
            "sumber_dana": _text(w.sumber for w in kolab),
            "nilai_rp": [w.nilai for w in kolab],
            "kriteria": _text(w.kriteria for w in kolab),
            "volume": [float(w.volume) for w in kolab],
            "satuan": _text(w.satuan for w in kolab),
            "volume_kriteria": _text(w.volume_kriteria or None for w in kolab),
        },
        geometry=_to_storage([w.geom for w in kolab]),
    )
    return {"wilayah": wilayah, "rt": rt, "delineasi": delineasi, "baseline": base,
            "infrastruktur": infrastruktur, "kolaborasi": kolaborasi}  # fmt: skip


def project_settings(town: Town, kawasan: list[Kawasan], plan: Plan, survey: Survey) -> dict:
    """Project settings; yearly targets are cumulative shares of the 2016 luas kumuh (the
    Σ luas of kumuh RTs, domain.md §5) — ambitious, as city targets usually are; yearly
    budget ceilings per funding source for the RP2KPKP program (domain.md §8)."""
    luas0 = float(
        sum(survey.hdr[r]["luas_ha"] for r in range(town.n_rt) if plan.tingkat[r] != "TK")
    )
    shares = {2017: 0.10, 2018: 0.25, 2019: 0.45, 2020: 0.70}
    return {
        "kota": KOTA,
        "provinsi": PROVINSI,
        "kode_kota": KODE_KOTA,
        "ibukota": "Sampit",
        "tahun_baseline": TAHUN_BASELINE,
        "crs_kerja": WORK_CRS,
        "luas_kumuh_baseline_ha": round(luas0, 2),
        "target_pengurangan_ha": {t: round(luas0 * s, 2) for t, s in shares.items()},
        # yearly ceilings of the RP2KPKP memorandum program (domain.md §8): tight enough
        # that the draft is phased over the years and leaves a part "belum terdanai"
        "pagu_tahunan": {
            "APBD Kab/Kota": 40_000_000_000,
            "APBN": 35_000_000_000,
            "Swadaya masyarakat": 15_000_000_000,
        },
        "keterangan": (
            "Proyek demo: nama dan kode wilayah asli (Sampit, Kab. Kotawaringin Timur), "
            "geometri dan angka sintetis / demo project: real place names and codes, "
            "synthetic geometry and figures"
        ),
    }


def planted_findings(
    town: Town, kawasan: list[Kawasan], plan: Plan, kolab: list[Work], sk: dict
) -> dict:
    """What was planted, by the flag names of domain.md §6 and the statuses of §7
    (:attr:`kumuhgis.demo.DemoCity.planted`)."""
    kode_mb = next(k[0] for k in KELURAHAN if k[1] == MISSPELLED[0])
    lintas = [k.kode for k in kawasan if len({int(town.rt_kel[r]) for r in k.rts}) > 1]
    by_status: dict[str, list[str]] = defaultdict(list)
    for w in kolab:
        by_status[w.status].append(w.kode)
    dihapus = kawasan[plan.dihapus]
    ditambah = kawasan[plan.ditambah]
    return {
        "sk_asli": SK_ASLI[0],
        "sk_revisi": SK_REVISI[0],
        "luas_mismatch": {SK_ASLI[0]: sk["mismatch_asli"], SK_REVISI[0]: sk["mismatch_revisi"]},
        "nama_tidak_cocok": {
            "kelurahan_sk": MISSPELLED[1],
            "kelurahan": MISSPELLED[0],
            "kode_kel": kode_mb,
            "kode_kawasan": [k.kode for k in kawasan if KELURAHAN[k.kel][0] == kode_mb],
        },
        "rt_tidak_kumuh_di_sk": {
            "no_sk": SK_REVISI[0],
            "kode_rt": town.kode_rt[plan.rt_tk],
            "kode_kawasan": kawasan_of(kawasan, plan.rt_tk).kode,
            "tahun": TAHUN_AKHIR,
        },
        "rt_kumuh_di_luar_sk": {
            "kode_rt": town.kode_rt[plan.rt_luar],
            "tingkat": "KR",
            # RTs of the kawasan added in 2020 are also kumuh outside the original SK
            "di_luar_sk_asli": [town.kode_rt[r] for r in ditambah.rts],
        },
        "lintas_kelurahan": lintas,
        "revisi": {
            "ditambah": [ditambah.kode],
            "dihapus": [dihapus.kode],
            "luas_berubah": sorted(sk["dikoreksi"] + sk["diukur_ulang"]),
            "alasan_dihapus": "semua RT tidak kumuh lagi menurut survei 2019 (sudah tertangani)",
            "alasan_ditambah": "kawasan kumuh sejak baseline 2016 yang belum masuk SK 2016",
        },
        "kolaborasi": {
            "sebagian": by_status["sebagian"],
            "batas": by_status["batas"],
            "luar": by_status["luar"],
            "kriteria_tanpa_gap": [w.kode for w in kolab if w.tanpa_gap],
        },
    }
