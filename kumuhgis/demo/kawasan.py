"""The slum kawasan of the demo: about twenty, each made of whole, contiguous RTs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely

from kumuhgis.demo.town import KELURAHAN, MISSPELLED, Town

__all__ = ["N_KAWASAN", "Kawasan", "delineate", "kawasan_of"]

# Kawasan names: (name, setting, kelurahan it belongs to or None, bank or None). Setting
# "tepi" names go to kawasan on the riverbank, "darat" to inland ones, "semua" to either.
_NAMA_KAWASAN: tuple[tuple[str, str, tuple[str, ...] | None, str | None], ...] = (
    ("Kawasan Tepian Mentaya", "tepi", None, "barat"),
    ("Kawasan Pasar Lama", "tepi", ("Mentawa Baru Hilir", "Mentawa Baru Hulu"), "barat"),
    ("Kawasan Pelabuhan Lama", "tepi", ("Mentawa Baru Hilir", "Ketapang"), "barat"),
    ("Kawasan Dermaga Rakyat", "tepi", None, "barat"),
    ("Kawasan Lanting Mentaya", "tepi", None, None),
    ("Kawasan Muara Sungai Baamang", "tepi", ("Baamang Hilir", "Baamang Tengah", "Tanah Mas"), "barat"),
    ("Kawasan Kampung Nelayan", "tepi", None, None),
    ("Kawasan Sungai Sawahan", "semua", ("Sawahan", "Mentawa Baru Hulu"), "barat"),
    ("Kawasan Tepian Hilir", "tepi", ("Mentawa Baru Hilir", "Baamang Hilir"), "barat"),
    ("Kawasan Tepian Seberang", "tepi", None, "timur"),
    ("Kawasan Dermaga Seranau", "tepi", None, "timur"),
    ("Kawasan Tepian Terantang", "tepi", ("Terantang",), "timur"),
    ("Kawasan Lanting Seberang", "tepi", None, "timur"),
    ("Kawasan Pelabuhan Seberang", "tepi", ("Mentaya Seberang",), "timur"),
    ("Kawasan Tepian Seragam Jaya", "tepi", ("Seragam Jaya",), "timur"),
    ("Kawasan Jalan Pelita", "darat", None, "barat"),
    ("Kawasan Jalan Kapten Mulyono", "darat", None, "barat"),
    ("Kawasan Jalan Iskandar", "darat", None, "barat"),
    ("Kawasan Jalan Tidar", "darat", None, "barat"),
    ("Kawasan Jalan Muchran Ali", "darat", None, "barat"),
    ("Kawasan Jalan Rahadi Usman", "darat", None, "barat"),
    ("Kawasan Jalan Pramuka", "darat", None, "barat"),
    ("Kawasan Jalan Gatot Subroto", "darat", None, "barat"),
    ("Kawasan Jalan Walter Condrad", "darat", None, "barat"),
    ("Kawasan Jalan Ahmad Yani", "darat", None, "barat"),
    ("Kawasan Jalan Suprapto", "darat", None, "barat"),
    ("Kawasan Jalan Sudirman", "darat", None, "barat"),
    ("Kawasan Jalan Tjilik Riwut", "darat", None, "barat"),
    ("Kawasan Jalan Baamang I", "darat", ("Baamang Hulu", "Baamang Tengah", "Baamang Hilir", "Baamang Barat"), "barat"),
    ("Kawasan Kampung Baru", "darat", None, None),
    ("Kawasan Gang Merdeka", "darat", None, None),
    ("Kawasan Jalan Padat Karya", "darat", None, None),
    ("Kawasan Gang Sepakat", "darat", None, None),
    ("Kawasan Jalan Swadaya", "darat", None, None),
    ("Kawasan Gang Damai", "darat", None, None),
    ("Kawasan Kampung Tengah", "darat", None, "timur"),
    ("Kawasan Gang Rukun", "darat", None, "timur"),
    ("Kawasan Jalan Transmigrasi", "darat", None, "timur"),
)  # fmt: skip
N_KAWASAN = 20  # in the original SK; the revision drops one and adds one


@dataclass
class Kawasan:
    rts: list[int]
    kel: int  # kelurahan holding most of it
    tahun: int
    kode: str = ""
    nama: str = ""
    geom: object = None


def delineate(rng: np.random.Generator, town: Town) -> list[Kawasan]:
    """Choose about twenty slum kawasan made of whole, contiguous RTs.

    Cores are drawn towards the riverbank and the old centre; each grows through RT
    neighbours inside its kelurahan to a target area. Kawasan never touch each other. Two
    are allowed to cross a kelurahan border. One more kawasan, delineated in 2019, is the
    one the 2020 revision adds.
    """
    area = np.array([g.area / 1e4 for g in town.rt_geom])
    pull = np.where(town.rt_tepi, 4.0, np.where(town.rt_river_m < 700, 1.6, 0.45))
    specs = [("mbhulu", 2016)] + [("lintas", 2016)] * 2 + [("biasa", 2016)] * (N_KAWASAN - 3)
    specs.append(("biasa", 2019))
    mb_hulu = next(i for i, k in enumerate(KELURAHAN) if k[1] == MISSPELLED[0])
    for _attempt in range(30):
        used: set[int] = set()
        out: list[Kawasan] = []
        ok = True
        for kind, tahun in specs:
            got = None
            for strict in (True, False):
                got = _grow_kawasan(rng, town, area, pull, kind, used, strict, mb_hulu)
                if got:
                    break
            if not got:
                ok = False
                break
            used |= set(got)
            kel_area: dict[int, float] = defaultdict(float)
            for r in got:
                kel_area[int(town.rt_kel[r])] += area[r]
            main = max(sorted(kel_area), key=lambda k: kel_area[k])
            out.append(Kawasan(rts=sorted(got), kel=main, tahun=tahun))
        if ok:
            break
    else:
        raise RuntimeError("demo kawasan could not be placed; try another seed")
    # ids: the original twenty by kelurahan code then north → south; the added one last
    cy = [np.mean([town.rt_geom[r].centroid.y for r in k.rts]) for k in out]
    first = sorted(range(N_KAWASAN), key=lambda i: (KELURAHAN[out[i].kel][0], -cy[i]))
    ordered = [out[i] for i in first] + out[N_KAWASAN:]
    unused = list(_NAMA_KAWASAN)
    for n, k in enumerate(ordered, start=1):
        k.kode = f"KWS-{n:02d}"
        k.geom = shapely.coverage_union_all(
            np.array([town.rt_geom[r] for r in k.rts], dtype=object)
        )
        k.nama = _name_kawasan(rng, unused, k, bool(town.rt_tepi[k.rts].any()))
    return ordered


def _name_kawasan(rng, unused: list, k: Kawasan, tepi: bool) -> str:
    """A name that fits the kawasan's bank, kelurahan and setting; names tied to this
    kelurahan are preferred. The chosen name leaves ``unused``."""
    _, kel_nama, bank, _, _ = KELURAHAN[k.kel]
    setting = "tepi" if tepi else "darat"
    fits = [n for n in unused
            if (n[3] is None or n[3] == bank) and (n[2] is None or kel_nama in n[2])
            and n[1] in (setting, "semua")]  # fmt: skip
    if not fits:
        return f"Kawasan {kel_nama} {k.kode[-2:]}"
    w = np.array([4.0 if n[2] else 1.0 for n in fits])
    pick = fits[int(rng.choice(len(fits), p=w / w.sum()))]
    unused.remove(pick)
    return pick[0]


def _grow_kawasan(rng, town: Town, area, pull, kind, used, strict, mb_hulu) -> list[int] | None:
    blocked = set(used)
    if strict:
        for u in used:
            blocked |= set(town.adj[u])
    free = np.array([i not in blocked for i in range(town.n_rt)])
    cand = free.copy()
    if kind == "mbhulu":
        cand &= (town.rt_kel == mb_hulu) & town.rt_tepi
    elif kind == "lintas":
        cross = np.array([any(town.rt_kel[n] != town.rt_kel[i] and n not in blocked for n in town.adj[i])
                          for i in range(town.n_rt)])  # fmt: skip
        cand &= cross
    if not cand.any():
        return None
    w = np.where(cand, pull, 0.0)
    for _ in range(12):
        core = int(rng.choice(town.n_rt, p=w / w.sum()))
        target = rng.uniform(6, 22) if town.rt_tepi[core] else rng.uniform(4, 14)
        members = [core]
        kel = town.rt_kel[core]
        while sum(area[members]) < target and len(members) < 9:
            frontier = sorted({n for m in members for n in town.adj[m]} - set(members) - blocked)
            if kind != "lintas":
                frontier = [f for f in frontier if town.rt_kel[f] == kel]
            elif all(town.rt_kel[m] == kel for m in members):
                other = [f for f in frontier if town.rt_kel[f] != kel]
                frontier = other or frontier
            else:  # crossing into one neighbouring kelurahan, not two
                two = {int(town.rt_kel[m]) for m in members}
                frontier = [f for f in frontier if int(town.rt_kel[f]) in two]
            if not frontier:
                break
            ww = np.array(
                [pull[f] * (1 + 2 * sum(1 for m in members if m in town.adj[f])) for f in frontier]
            )
            members.append(frontier[int(rng.choice(len(frontier), p=ww / ww.sum()))])
        if kind == "lintas" and len({int(town.rt_kel[m]) for m in members}) < 2:
            continue
        if len(members) < 2 or sum(area[members]) < 2.5:
            continue
        geom = shapely.coverage_union_all(
            np.array([town.rt_geom[m] for m in members], dtype=object)
        )
        if shapely.get_type_id(geom) != 3 or shapely.get_num_interior_rings(geom) > 0:
            continue
        return members
    return None


def kawasan_of(kawasan: list[Kawasan], rt: int) -> Kawasan:
    """The kawasan holding RT index ``rt``."""
    return next(k for k in kawasan if rt in k.rts)
