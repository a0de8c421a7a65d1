"""City, province and national tables from the jobs' results (domain.md §2, §5, §7).

A province's figure is the sum of its cities' figures as each city reports them, and the
nation's the sum of the provinces' (hectares, counts, rupiah: domain.md §2 "sums, never
averages of percentages"); ratios are recomputed from the sums (``persen_rp_luar``).
Sums of two-decimal hectares are rounded to two decimals again (float noise only).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.national.figures import SCOPE_KOTA, SCOPE_SK
from kumuhgis.national.jobs import CityResult, PointsResult

__all__ = ["NationalTables", "national_tables"]

_CITY_KEYS = ["kode_prov", "provinsi", "kode_kota", "kota"]
_REDUCTION_COLUMNS = (
    "luas_ha",
    "luas_kumuh_awal_ha",
    "luas_kumuh_akhir_ha",
    "pengurangan_luas_kumuh_ha",
    "ha_setara_awal_ha",
    "ha_setara_akhir_ha",
    "pengurangan_ha_setara_ha",
    "kontribusi_ha",
)
_KOLAB_COLUMNS = (
    "jumlah_kegiatan",
    "jumlah_dalam",
    "jumlah_sebagian",
    "jumlah_batas",
    "jumlah_luar",
    "nilai_rp",
    "nilai_rp_dalam",
    "nilai_rp_luar",
    "nilai_rp_batas",
)
_POINT_COLUMNS = ("titik", "titik_dalam", "titik_batas", "titik_luar", "titik_tanpa_geometri")


@dataclass(frozen=True)
class NationalTables:
    """The run's tables: ``kota``, ``provinsi``, ``nasional`` (one row per unit, both
    scopes side by side: ``…_sk`` and ``…_kota``); ``per_tahun`` (unit × scope × year:
    hectares per level, luas kumuh, reductions); ``kolaborasi_tahun`` (unit × year, inside
    vs outside); ``titik_kawasan`` (inside points per kawasan in force, with polygons);
    ``kinerja`` (one row per job: worker, seconds, CPU seconds, peak memory)."""

    kota: pd.DataFrame
    provinsi: pd.DataFrame
    nasional: pd.DataFrame
    per_tahun: pd.DataFrame
    kolaborasi_tahun: pd.DataFrame
    titik_kawasan: gpd.GeoDataFrame | None
    kinerja: pd.DataFrame


def _city_row(r: CityResult) -> dict:
    c = r.city
    row = {"kode_prov": c.kode_prov, "provinsi": c.provinsi, "kode_kota": c.kode_kota,
           "kota": c.kota, "tahun_awal": r.year_from, "tahun_akhir": r.year_to,
           "jumlah_rt": r.jumlah_rt}  # fmt: skip
    for scope in (SCOPE_SK, SCOPE_KOTA):
        t = r.totals.get(scope, {})
        row[f"jumlah_rt_{scope}"] = int(t.get("jumlah_rt", 0))
        for col in _REDUCTION_COLUMNS:
            row[f"{col}_{scope}"] = float(t.get(col, 0.0))
    k = r.kolaborasi_tahun
    for col in _KOLAB_COLUMNS:
        row[col] = k[col].sum() if len(k) and col in k.columns else 0
    return row


def _roll(frame: pd.DataFrame, keys: list[str], labels: list[str]) -> pd.DataFrame:
    """Sum the additive columns of ``frame`` by ``keys`` (``labels`` taken from the first
    row of each group); no keys: one national row."""
    skip = set(_CITY_KEYS) | {"tahun_awal", "tahun_akhir", "persen_rp_luar", "lingkup", "tahun"}
    values = [c for c in frame.columns if c not in skip and c not in keys]
    if keys:
        out = frame.groupby(keys, sort=True).agg(
            **{c: (c, "first") for c in labels}, **{c: (c, "sum") for c in values}
        )
        out = out.reset_index()
    else:
        out = pd.DataFrame([{c: frame[c].sum() for c in values}])
    for c in values:
        if c.endswith("_ha") or c.startswith("nilai_rp") or c.startswith("luas_"):
            out[c] = out[c].astype(float).round(2)
    if "kode_kota" in frame.columns and "kode_kota" not in keys:
        n = (
            frame.groupby(keys)["kode_kota"].nunique().to_numpy()
            if keys
            else [frame["kode_kota"].nunique()]
        )
        out.insert(len(keys) + len(labels), "jumlah_kota", n)
    return _percent(out)


def _percent(frame: pd.DataFrame) -> pd.DataFrame:
    if "nilai_rp_luar" in frame.columns:
        rp = frame["nilai_rp"].to_numpy(dtype=float)
        luar = frame["nilai_rp_luar"].to_numpy(dtype=float)
        frame = frame.assign(
            persen_rp_luar=np.round(
                np.divide(100 * luar, rp, out=np.zeros(len(rp)), where=rp > 0), 2
            )
        )
    return frame


def _per_tahun(results: Sequence[CityResult]) -> pd.DataFrame:
    parts = []
    for r in results:
        for scope, frame in r.per_tahun.items():
            f = frame.drop(columns=[c for c in ("kota",) if c in frame.columns])
            f = f.drop(
                columns=[
                    c for c in f.columns if c.startswith("kontribusi") and c != "kontribusi_ha"
                ]
            )
            c = r.city
            parts.append(f.assign(kode_prov=c.kode_prov, provinsi=c.provinsi, kode_kota=c.kode_kota,
                                  kota=c.kota, lingkup=scope))  # fmt: skip
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    first = [*_CITY_KEYS, "lingkup", "tahun"]
    return out[first + [c for c in out.columns if c not in first]]


def _with_points(kota: pd.DataFrame, points: Sequence[PointsResult]) -> pd.DataFrame:
    if not points:
        return kota
    rows: dict[str, dict] = {}
    for p in points:
        acc = rows.setdefault(p.city.kode_kota, dict.fromkeys(_POINT_COLUMNS, 0))
        for col in _POINT_COLUMNS:
            acc[col] += int(p.counts.get(col, 0))
        acc["tahun_titik"], acc["no_sk_titik"] = p.tahun, p.no_sk or ""
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("kode_kota").reset_index()
    return kota.merge(table, on="kode_kota", how="left")


def _titik_kawasan(points: Sequence[PointsResult]) -> gpd.GeoDataFrame | None:
    if not points:
        return None
    frame = pd.concat([p.per_kawasan for p in points], ignore_index=True)
    keys = ["kode_prov", "kode_kota", "kode_kawasan"]
    geom = frame.geometry.name
    out = frame.groupby(keys, sort=True).agg(
        nama_kawasan=("nama_kawasan", "first"),
        jumlah_titik_dalam=("jumlah_titik_dalam", "sum"),
        **{geom: (geom, "first")},
    )
    return gpd.GeoDataFrame(out.reset_index(), geometry=geom, crs=frame.crs)


def _kinerja(results: Iterable[CityResult], points: Iterable[PointsResult]) -> pd.DataFrame:
    rows = [
        {"pekerjaan": "kota", "kode_kota": r.city.kode_kota, "worker": r.worker,
         "detik": r.seconds, "detik_cpu": r.cpu_seconds, "memori_puncak_mb": r.peak_mb,
         "titik": 0, "detik_klasifikasi": 0.0}
        for r in results
    ] + [
        {"pekerjaan": "titik", "kode_kota": p.city.kode_kota, "worker": p.worker,
         "detik": p.seconds, "detik_cpu": p.cpu_seconds, "memori_puncak_mb": p.peak_mb,
         "titik": p.counts.get("titik", 0),
         "detik_klasifikasi": p.classify_seconds}
        for p in points
    ]  # fmt: skip
    return pd.DataFrame(rows)


def national_tables(
    results: Sequence[CityResult], points: Sequence[PointsResult] = ()
) -> NationalTables:
    """Roll the cities' results up to provinces and the nation (module docstring)."""
    results = sorted(results, key=lambda r: (r.city.kode_prov, r.city.kode_kota))
    kota = _percent(_with_points(pd.DataFrame([_city_row(r) for r in results]), points))
    kota_sum = kota.drop(columns=[c for c in ("no_sk_titik", "tahun_titik") if c in kota.columns])
    per_tahun = _per_tahun(results)
    kolab = pd.concat(
        [r.kolaborasi_tahun.assign(kode_prov=r.city.kode_prov, provinsi=r.city.provinsi,
                                   kode_kota=r.city.kode_kota, kota=r.city.kota)
         for r in results if len(r.kolaborasi_tahun)], ignore_index=True,
    ) if any(len(r.kolaborasi_tahun) for r in results) else pd.DataFrame()  # fmt: skip
    return NationalTables(
        kota=kota,
        provinsi=_roll(kota_sum, ["kode_prov"], ["provinsi"]),
        nasional=_roll(kota_sum, [], []),
        per_tahun=pd.concat(
            [
                per_tahun.assign(tingkat="kota"),
                _roll(per_tahun, ["kode_prov", "lingkup", "tahun"], ["provinsi"]).assign(
                    tingkat="provinsi"
                ),
                _roll(per_tahun, ["lingkup", "tahun"], []).assign(tingkat="nasional"),
            ],
            ignore_index=True,
        )
        if len(per_tahun)
        else per_tahun,  # fmt: skip
        kolaborasi_tahun=pd.concat(
            [
                kolab.assign(tingkat="kota"),
                _roll(kolab, ["kode_prov", "tahun"], ["provinsi"]).assign(tingkat="provinsi"),
                _roll(kolab, ["tahun"], []).assign(tingkat="nasional"),
            ],
            ignore_index=True,
        )
        if len(kolab)
        else kolab,  # fmt: skip
        titik_kawasan=_titik_kawasan(points),
        kinerja=_kinerja(results, points),
    )
