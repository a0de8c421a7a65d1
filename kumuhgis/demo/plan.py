"""The planted choices of the demo: which kawasan the SK revision removes and adds, which
RT is listed but no longer kumuh, which RT is kumuh outside every SK, and the 2016 level
every RT is drawn towards (domain.md §4 levels TK, KR, KS, KB; §6 flags)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kumuhgis.demo.kawasan import N_KAWASAN, Kawasan, kawasan_of
from kumuhgis.demo.town import KELURAHAN, MISSPELLED, Town

__all__ = ["Plan", "plant"]


@dataclass
class Plan:
    dihapus: int  # index of the kawasan the 2020 revision removes (handled)
    ditambah: int  # index of the kawasan the revision adds
    rt_tk: int  # RT listed in the SK that is TK in the latest year
    rt_luar: int  # RT scored kumuh outside every SK location
    tingkat: np.ndarray  # 2016 target level per RT
    harus_kumuh: set[int]  # RTs whose level must stay ≥ KR throughout
    harus_tk: set[int]  # RTs whose level must stay TK throughout


def plant(rng: np.random.Generator, town: Town, kawasan: list[Kawasan]) -> Plan:
    ditambah = len(kawasan) - 1
    candidates = [i for i, k in enumerate(kawasan[:N_KAWASAN])
                  if len({int(town.rt_kel[r]) for r in k.rts}) == 1
                  and KELURAHAN[k.kel][1] != MISSPELLED[0] and 2 <= len(k.rts) <= 4]  # fmt: skip
    if not candidates:
        candidates = [i for i in range(N_KAWASAN) if KELURAHAN[kawasan[i].kel][1] != MISSPELLED[0]]
    dihapus = int(rng.choice(candidates))
    # kawasan severity drives the 2016 levels of its RTs
    tingkat = np.array(["TK"] * town.n_rt, dtype=object)
    for i, k in enumerate(kawasan):
        tepi = bool(town.rt_tepi[k.rts].any())
        if i == dihapus:
            sev = "KR"
        else:
            sev = str(
                rng.choice(["KR", "KS", "KB"], p=[0.40, 0.46, 0.14] if tepi else [0.55, 0.40, 0.05])
            )
        for r in k.rts:
            u = rng.random()
            if sev == "KB":
                lvl = "KB" if u < 0.45 else "KS"
            elif sev == "KS":
                lvl = "KS" if u < 0.65 else "KR"
            else:
                lvl = "KR" if u < 0.85 or i == dihapus else "KS"
            tingkat[r] = lvl
    listed = [r for i, k in enumerate(kawasan) if i not in (dihapus, ditambah) for r in k.rts]
    # a few kumuh berat RTs (3 to 10 % of the kawasan RTs), on the riverbank when possible
    riverside_first = sorted(listed, key=lambda r: (not town.rt_tepi[r], r))
    kb = [r for r in riverside_first if tingkat[r] == "KB"]
    ks = [r for r in riverside_first if tingkat[r] == "KS"]
    for r in ks[: max(0, 3 - len(kb))]:
        tingkat[r] = "KB"
    n_rt_kawasan = sum(len(k.rts) for k in kawasan)
    for r in kb[max(3, round(0.1 * n_rt_kawasan)) :]:
        tingkat[r] = "KS"
    for k in (kawasan[dihapus], kawasan[ditambah]):  # not in `listed`: keep them light
        for r in k.rts:
            if tingkat[r] == "KB":
                tingkat[r] = "KS"
    kr = [r for r in listed if tingkat[r] == "KR" and len(kawasan_of(kawasan, r).rts) > 2]
    rt_tk = int(rng.choice(kr if kr else listed))
    tingkat[rt_tk] = "KR"
    in_kawasan = {r for k in kawasan for r in k.rts}
    near = set(in_kawasan)
    for r in in_kawasan:
        near |= set(town.adj[r])
    far = [i for i in range(town.n_rt) if i not in near and not town.rt_tepi[i]]
    rt_luar = int(rng.choice(far))
    tingkat[rt_luar] = "KR"
    harus_kumuh = {r for i, k in enumerate(kawasan) if i != dihapus for r in k.rts} | {rt_luar}
    harus_kumuh.discard(rt_tk)
    harus_tk = {i for i in range(town.n_rt) if i not in in_kawasan and i != rt_luar}
    return Plan(dihapus, ditambah, rt_tk, rt_luar, tingkat, harus_kumuh, harus_tk)
