"""RT conditions of the demo by year: the 2016 baseline and the later surveys.

The generator steers volumes with a small score count of its own (:func:`total_nilai`,
domain.md §4) so the planted cases really are what they claim to be; the authoritative
scoring lives in :mod:`kumuhgis.analysis.scoring`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import geopandas as gpd
import numpy as np

from kumuhgis.core.rules import load_rules
from kumuhgis.core.schema import CRITERIA_CODES, STORAGE_CRS
from kumuhgis.demo.kawasan import Kawasan
from kumuhgis.demo.plan import Plan
from kumuhgis.demo.town import KELURAHAN, WORK_CRS, Town
from kumuhgis.geo.area import hectares

__all__ = [
    "CODE_INDEX",
    "DENOMINATOR",
    "KUMUH_MIN",
    "TAHUN_AKHIR",
    "TAHUN_BASELINE",
    "UNIT",
    "Survey",
    "build_baseline",
    "resurvey",
    "round_volume",
    "total_nilai",
]

#: The baseline year of the demo and the last year it simulates (domain.md §5).
TAHUN_BASELINE = 2016
TAHUN_AKHIR = 2020
# Population density (jiwa/ha) by distance from the river: dense old riverside quarters, a
# middle ring, thin periphery; Seranau across the river.
_DENSITY = {("barat", 0): (45, 95), ("barat", 1): (100, 170), ("barat", 2): (160, 240),
            ("timur", 0): (60, 130)}  # fmt: skip

# domain.md §3: denominator column and volume unit of each criterion, from the default rule set
_RULES = load_rules("permen-14-2018")
DENOMINATOR = {c.code: c.denominator for c in _RULES.criteria}
UNIT = {c.denominator: c.unit for c in _RULES.criteria}
_DEN = [DENOMINATOR[c] for c in CRITERIA_CODES]
CODE_INDEX = {c: i for i, c in enumerate(CRITERIA_CODES)}

# How often each criterion is a gap (relative weights) on the riverbank and inland. Fire
# protection and solid waste are gaps almost everywhere in the 2016 baselines; flooding,
# water and wastewater weigh more on the riverbank.
_W_TEPI = np.array([1.0, 0.6, 1.0, 0.8, 1.0, 1.3, 0.8, 1.5, 0.9, 0.9, 1.5, 1.0, 1.2, 1.2, 1.3, 1.3])
_W_DARAT = np.array(
    [0.8, 0.5, 0.9, 0.9, 1.0, 0.8, 0.6, 0.8, 1.0, 1.0, 1.2, 0.9, 1.1, 1.1, 1.3, 1.3]
)
_W_TK = np.array([0.2, 0.1, 0.3, 0.3, 0.4, 0.3, 0.2, 0.2, 0.3, 0.3, 0.4, 0.3, 0.5, 0.6, 2.5, 2.5])
# Total-score bands used to draw a profile, kept clear of the level edges of domain.md §4
# (TK < 16 ≤ KR < 38 ≤ KS < 60 ≤ KB).
_BAND = {"TK": (0, 12), "KR": (19, 34), "KS": (40, 57), "KB": (61, 70)}
# Pairs that share one denominator and describe disjoint stretches: road not built (2a) and
# road built but damaged (2b); no drain (4b) and poor drain (4c). Their volumes never add up
# to more than the ideal length, so their percentages never sum past 100.
_PAIRS = ((CODE_INDEX["2a"], CODE_INDEX["2b"]), (CODE_INDEX["4b"], CODE_INDEX["4c"]))
_PARTNER = {a: b for a, b in _PAIRS} | {b: a for a, b in _PAIRS}
_P_RANGE = {0: (0.0, 18.0), 1: (30.0, 45.0), 3: (56.0, 70.0), 5: (81.0, 100.0)}
KUMUH_MIN = 19  # RTs that must stay kumuh never drop below this total
_TK_MAX = 12  # RTs that must stay TK never rise above this total


def _pct(volume: float, denominator: float) -> Decimal:
    """domain.md §4 steps 1–2: percentage capped at 100, rounded half up to 2 decimals."""
    if denominator <= 0:
        return Decimal(0)
    p = Decimal(repr(float(volume))) * 100 / Decimal(repr(float(denominator)))
    return min(p, Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _nilai(p: Decimal) -> int:
    """domain.md §4 step 3."""
    return 5 if p >= 76 else 3 if p >= 51 else 1 if p >= 25 else 0


def total_nilai(vol: np.ndarray, hdr: dict) -> int:
    """domain.md §4 step 5 (total nilai) — used only to steer the synthetic data."""
    return sum(_nilai(_pct(v, hdr[d])) for v, d in zip(vol.tolist(), _DEN, strict=True))


def round_volume(value: float, den: str) -> float:
    return round(value, 2) if UNIT[den] == "ha" else float(round(value))


def _draw_scores(rng: np.random.Generator, lvl: str, weights: np.ndarray) -> np.ndarray:
    lo, hi = _BAND[lvl]
    target = int(rng.integers(lo, hi + 1))
    s = np.zeros(16, dtype=int)
    step = {0: 1, 1: 3, 3: 5}

    def fits(i: int, v: int) -> bool:
        if v == 5 or s.sum() + step[v] - v > hi:
            return False
        j = _PARTNER.get(i)
        return j is None or _P_RANGE[step[v]][0] + _P_RANGE[int(s[j])][0] <= 100

    while s.sum() < target:
        ok = np.array([fits(i, v) for i, v in enumerate(s.tolist())])
        if not ok.any():
            break
        w = np.where(ok, weights, 0.0)
        i = int(rng.choice(16, p=w / w.sum()))
        s[i] = step[int(s[i])]
    return s


def _draw_p(rng: np.random.Generator, score: int, cap: float = 100.0) -> float:
    """A percentage inside the band of ``score``, clear of the band edges, at most ``cap``."""
    lo, hi = _P_RANGE[score]
    hi = min(hi, cap)
    if score == 0 and rng.random() < 0.45:
        return 0.0
    if score == 5 and hi >= 100 and rng.random() < 0.35:
        return 100.0
    return rng.uniform(lo, max(lo, hi))


def _volumes(rng: np.random.Generator, scores: np.ndarray, hdr: dict) -> np.ndarray:
    """Volumes whose percentages (domain.md §4) land inside the bands of ``scores``."""
    vol = np.zeros(16)
    for i, s in enumerate(scores.tolist()):
        den = _DEN[i]
        j = _PARTNER.get(i)
        room = hdr[den] - vol[j] if j is not None and j < i else hdr[den]
        for _ in range(30):
            v = min(
                room, round_volume(_draw_p(rng, s, 100.0 * room / hdr[den]) * hdr[den] / 100, den)
            )
            if _nilai(_pct(v, hdr[den])) == s:
                break
        vol[i] = v
    return vol


@dataclass
class Survey:
    hdr: list[dict]  # RT header per RT (2016)
    vol: np.ndarray  # (n_rt, 16) volumes 2016
    extra: list[dict]  # legalitas, nilai_strategis, sosial_ekonomi, tipologi


def build_baseline(rng, town: Town, kawasan: list[Kawasan], plan: Plan) -> Survey:
    geo = gpd.GeoSeries(town.rt_geom, crs=WORK_CRS).to_crs(STORAGE_CRS)
    luas = hectares(geo).round(2).to_numpy()
    in_kawasan = {r for k in kawasan for r in k.rts}
    hdrs, vols, extra = [], [], []
    for i in range(town.n_rt):
        _, _, bank, _, col = KELURAHAN[town.rt_kel[i]]
        lo, hi = _DENSITY[(bank, col)]
        dens = rng.uniform(lo, hi) * (1.15 if i in in_kawasan else 1.0)
        penduduk = max(90, round(luas[i] * dens))
        kk = max(24, round(penduduk / rng.uniform(3.5, 4.5)))
        bangunan = max(20, round(kk * rng.uniform(0.78, 0.97)))
        jalan = float(round(luas[i] * rng.uniform(170, 280) * (1.1 if dens > 150 else 1.0)))
        drain = float(round(jalan * rng.uniform(1.1, 1.7)))
        hdr = {"luas_ha": float(luas[i]), "jumlah_bangunan": bangunan, "jumlah_penduduk": penduduk,
               "jumlah_kk": kk, "panjang_jalan_ideal_m": jalan, "panjang_drainase_ideal_m": drain}  # fmt: skip
        lvl = str(plan.tingkat[i])
        weights = _W_TK if lvl == "TK" else (_W_TEPI if town.rt_tepi[i] else _W_DARAT)
        if i == plan.rt_tk:
            lvl_scores = _draw_scores(rng, "KR", weights)
            while lvl_scores.sum() > 24:  # a light case, so work can lift it out
                lvl_scores = _draw_scores(rng, "KR", weights)
        else:
            lvl_scores = _draw_scores(rng, lvl, weights)
        vols.append(_volumes(rng, lvl_scores, hdr))
        hdrs.append(hdr)
        tepi = bool(town.rt_tepi[i])
        extra.append({
            "legalitas": "ilegal" if (tepi and i in in_kawasan and rng.random() < 0.4) else "legal",
            "nilai_strategis": "ya" if rng.random() < (0.45 if town.rt_river_m[i] < 700 else 0.15) else "tidak",
            "sosial_ekonomi": "ya" if rng.random() < 0.5 else "tidak",
            "tipologi": "tepi air" if tepi else "dataran rendah",
        })  # fmt: skip
    return Survey(hdr=hdrs, vol=np.array(vols), extra=extra)


def resurvey(
    rng: np.random.Generator,
    town: Town,
    kawasan: list[Kawasan],
    plan: Plan,
    tahun: int,
    state: np.ndarray,
    hdr: list[dict],
    force: list[int],
) -> list:
    """Observed RT rows for ``tahun``; they update ``state`` and ``hdr`` in place."""
    in_force = {r for i in force for r in kawasan[i].rts}
    rows = []
    for r in range(town.n_rt):
        forced_tk = (r in kawasan[plan.dihapus].rts and tahun == 2019) or (
            r == plan.rt_tk and tahun == 2020
        )
        if r == plan.rt_tk and not forced_tk:
            continue
        if r in kawasan[plan.dihapus].rts and tahun > 2019:
            continue
        chance = 0.22 if r in in_force else 0.04
        if not forced_tk and rng.random() >= chance:
            continue
        h = dict(hdr[r])
        growth = 1 + rng.uniform(0.005, 0.025)
        h["jumlah_penduduk"] = round(h["jumlah_penduduk"] * growth)
        h["jumlah_kk"] = max(h["jumlah_kk"], round(h["jumlah_kk"] * growth))
        h["jumlah_bangunan"] = max(
            h["jumlah_bangunan"], round(h["jumlah_bangunan"] * rng.uniform(1.0, 1.02))
        )
        v = state[r].copy()
        if forced_tk:
            order = np.argsort(-v / np.maximum([h[d] for d in _DEN], 1e-9), kind="stable")
            for i in order.tolist():
                if total_nilai(v, h) <= 10:
                    break
                v[i] = round_volume(rng.uniform(0, 0.15) * v[i], _DEN[i])
        else:
            if rng.random() < 0.35:  # unmapped self-help work
                gaps = np.flatnonzero(v > 0)
                if len(gaps):
                    i = int(rng.choice(gaps))
                    trial = v.copy()
                    trial[i] = round_volume(v[i] * rng.uniform(0.4, 0.8), _DEN[i])
                    if r not in plan.harus_kumuh or total_nilai(trial, h) >= KUMUH_MIN:
                        v = trial
            if rng.random() < 0.2:  # a new gap: new houses without septic tank, damaged road
                i = int(rng.integers(16))
                d = h[_DEN[i]]
                trial = v.copy()
                room = d - (v[_PARTNER[i]] if i in _PARTNER else 0.0)
                trial[i] = min(room, round_volume(v[i] + d * rng.uniform(0.05, 0.2), _DEN[i]))
                if r not in plan.harus_tk or total_nilai(trial, h) <= _TK_MAX:
                    v = trial
            if r in plan.harus_kumuh and total_nilai(v, h) < KUMUH_MIN:
                v = state[r].copy()
                h = dict(hdr[r])
        state[r] = v
        hdr[r] = h
        rows.append((r, tahun, dict(h), v.copy()))
    return rows
