"""The SK Kumuh of the demo: the 2016 decree and its 2020 revision, with planted
discrepancies for every check of domain.md §6."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.demo.kawasan import Kawasan
from kumuhgis.demo.plan import Plan
from kumuhgis.demo.town import KECAMATAN, KELURAHAN, MISSPELLED, Town
from kumuhgis.geo.area import hectares

__all__ = ["SK_ASLI", "SK_REVISI", "sk_tables"]

SK_ASLI = ("188.45/287/HUK/2016", "2016-08-22")
SK_REVISI = ("188.45/112/HUK/2020", "2020-03-16")


def sk_tables(
    rng: np.random.Generator,
    town: Town,
    kawasan: list[Kawasan],
    plan: Plan,
    delineasi: gpd.GeoDataFrame,
) -> tuple[pd.DataFrame, dict]:
    """The original SK (2016) and its 2020 revision, one row per kawasan (domain.md §6).

    Normal rows carry the delineation area within ±2 % (the office measured it on a UTM
    map). Planted: four original rows with a luas far from the delineation (> 5 % and
    > 0.5 ha), two of which the revision corrects; the kelurahan Mentawa Baru Hulu written
    "MB. Hulu"; the revision removes the kawasan handled by 2019, adds the one delineated
    in 2019 and re-measures two more rows.
    """
    luas = hectares(delineasi).to_numpy()
    asli = [i for i in range(len(kawasan)) if i != plan.ditambah]
    eligible = [i for i in asli if i != plan.dihapus and luas[i] >= 5.0]
    mismatch = sorted(rng.choice(eligible, size=4, replace=False).tolist())
    corrected = sorted(rng.choice(mismatch, size=2, replace=False).tolist())
    remeasured_pool = [i for i in asli if i not in mismatch and i != plan.dihapus]
    remeasured = sorted(rng.choice(remeasured_pool, size=2, replace=False).tolist())

    luas_asli = {}
    for i in asli:
        if i in mismatch:
            sign = 1 if rng.random() < 0.6 else -1
            diff = max(0.15 * luas[i], 1.2) * rng.uniform(1.0, 1.5)
            luas_asli[i] = round(luas[i] + sign * diff, 1)  # a round figure typed into the SK
        else:
            luas_asli[i] = round(luas[i] * (1 + rng.uniform(-0.02, 0.02)), 2)
    revisi = [i for i in range(len(kawasan)) if i != plan.dihapus]
    luas_revisi = {}
    for i in revisi:
        if i in corrected or i == plan.ditambah:
            luas_revisi[i] = round(luas[i], 2)
        elif i in remeasured:
            luas_revisi[i] = round(luas[i] * (1 + rng.uniform(-0.01, 0.01)), 2)
            if luas_revisi[i] == luas_asli[i]:
                luas_revisi[i] = round(luas_asli[i] + 0.05, 2)
        else:
            luas_revisi[i] = luas_asli[i]

    def row(no_sk, tanggal, i, luas_sk):
        k = kawasan[i]
        kode_kel, nama_kel = KELURAHAN[k.kel][:2]
        if nama_kel == MISSPELLED[0]:
            nama_kel = MISSPELLED[1]
        return {
            "no_sk": no_sk, "tanggal_sk": tanggal, "kode_kawasan": k.kode, "nama_lokasi": k.nama,
            "kelurahan": nama_kel, "kecamatan": KECAMATAN[kode_kel[:6]], "luas_sk_ha": float(luas_sk),
            "kode_rt": ";".join(sorted(town.kode_rt[r] for r in k.rts)),
        }  # fmt: skip

    rows = [row(*SK_ASLI, i, luas_asli[i]) for i in asli]
    rows += [row(*SK_REVISI, i, luas_revisi[i]) for i in revisi]
    sk = pd.DataFrame(rows)
    for c in sk.columns:
        if c != "luas_sk_ha":
            sk[c] = sk[c].astype("str")
    info = {
        "mismatch_asli": [kawasan[i].kode for i in mismatch],
        "mismatch_revisi": [kawasan[i].kode for i in mismatch if i not in corrected],
        "dikoreksi": [kawasan[i].kode for i in corrected],
        "diukur_ulang": [kawasan[i].kode for i in remeasured],
        "luas_delineasi": {kawasan[i].kode: round(float(luas[i]), 2) for i in range(len(kawasan))},
        "luas_kumuh_asli": float(sum(luas_asli.values())),
    }
    return sk, info
