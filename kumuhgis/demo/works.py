"""What was built in the demo city: existing infrastruktur and the 2017–2020 kolaborasi.

Collaboration works reduce the volumes of the RT they lie in (domain.md §5); about a fifth
lie outside the delineation or straddle it, and two address a criterion that is no gap in
their RT, so that every status and flag of domain.md §7 has something to find.

The simulation that draws the works and the later surveys keeps its own running state (it
takes a work's whole volume off every criterion it names, as the demo always did, so that
the random draws — and every other layer — stay what they were). The works it records give
one volume per criterion where the criteria split one ideal length (a paving road, 2a;2b:
:func:`split_volume`, in proportion to the RT's two gaps), as an import requires
(domain.md §5); kumuhgis derives the years from those recorded volumes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import ops as shapely_ops

from kumuhgis.core.rules import load_rules
from kumuhgis.core.vocabulary import SUMBER_DANA
from kumuhgis.demo.baseline import (
    CODE_INDEX,
    DENOMINATOR,
    KUMUH_MIN,
    TAHUN_AKHIR,
    TAHUN_BASELINE,
    UNIT,
    Survey,
    resurvey,
    round_volume,
    total_nilai,
)
from kumuhgis.demo.kawasan import Kawasan
from kumuhgis.demo.plan import Plan
from kumuhgis.demo.town import KELURAHAN, Town

__all__ = ["Work", "build_infrastructure", "simulate"]

# --------------------------------------------------------------------------- kolaborasi

# Funding mix of a Kotawaringin Timur collaboration record (shares sum to 1). Dana Desa only
# for works in a desa; Swadaya only for small works.
_DANA_DALAM = {"APBN": 0.24, "APBD Provinsi": 0.07, "APBD Kab/Kota": 0.28, "DAK": 0.09,
               "Dana Desa": 0.04, "Hibah/donor": 0.03, "Swasta/CSR": 0.09,
               "Swadaya masyarakat": 0.12, "Lainnya": 0.04}  # fmt: skip
# Works outside the delineation come more often from DPRD aspirations (APBD) and CSR.
_DANA_LUAR = {"APBN": 0.08, "APBD Provinsi": 0.08, "APBD Kab/Kota": 0.46, "DAK": 0.08,
              "Dana Desa": 0.08, "Hibah/donor": 0.02, "Swasta/CSR": 0.12,
              "Swadaya masyarakat": 0.06, "Lainnya": 0.02}  # fmt: skip


@dataclass(frozen=True)
class _Kegiatan:
    """One kind of collaboration work: what it addresses, its unit and its cost."""

    key: str
    nama: str
    geom: str  # point | line | polygon
    kriteria: tuple[str, ...]
    vol: tuple[float, float]  # typical volume range in the criterion unit
    rp_per_unit: tuple[float, float] = (0, 0)  # cost per volume unit, or ...
    rp_lump: tuple[float, float] = (0, 0)  # ... a lump sum per work
    swadaya: bool = False  # small enough for community self-help


_KEGIATAN: tuple[_Kegiatan, ...] = (
    _Kegiatan("paving", "Pembangunan jalan paving blok", "line", ("2a", "2b"), (60, 220), (0.8e6, 1.2e6)),
    _Kegiatan("beton", "Peningkatan jalan lingkungan cor beton", "line", ("2b",), (50, 200), (1.0e6, 1.5e6)),
    _Kegiatan("gang", "Perkerasan jalan gang", "line", ("2b",), (25, 60), (0.35e6, 0.55e6), swadaya=True),
    _Kegiatan("drainase", "Pembangunan saluran drainase lingkungan", "line", ("4b",), (60, 220), (0.7e6, 1.1e6)),
    _Kegiatan("rehab_drainase", "Rehabilitasi saluran drainase", "line", ("4c",), (50, 200), (0.45e6, 0.7e6), swadaya=True),
    _Kegiatan("mck", "Pembangunan MCK komunal", "point", ("5a",), (15, 40), rp_lump=(150e6, 250e6)),
    _Kegiatan("ipal", "Pembangunan IPAL komunal", "point", ("5a", "5b"), (30, 60), rp_lump=(300e6, 450e6)),
    _Kegiatan("tangki", "Pembangunan tangki septik individual", "point", ("5a",), (8, 25), (4.5e6, 6.0e6), swadaya=True),
    _Kegiatan("st_komunal", "Pembangunan septic tank komunal", "point", ("5b",), (15, 40), rp_lump=(80e6, 150e6)),
    _Kegiatan("hidran", "Pembangunan hidran umum", "point", ("3a",), (15, 40), rp_lump=(27e6, 33e6)),
    _Kegiatan("sumur", "Pembangunan sumur bor dan menara air", "point", ("3a", "3b"), (20, 50), rp_lump=(60e6, 120e6)),
    _Kegiatan("sr_pdam", "Pemasangan sambungan rumah PDAM", "point", ("3a",), (10, 40), (1.5e6, 2.5e6)),
    _Kegiatan("tps", "Pembangunan TPS", "point", ("6a",), (40, 120), rp_lump=(40e6, 90e6)),
    _Kegiatan("gerobak", "Pengadaan gerobak sampah", "point", ("6b",), (30, 90), rp_lump=(6e6, 12e6), swadaya=True),
    _Kegiatan("motor", "Pengadaan motor sampah roda tiga", "point", ("6a", "6b"), (60, 120), rp_lump=(28e6, 36e6)),
    _Kegiatan("apar", "Pengadaan APAR", "point", ("7b",), (10, 40), (1.35e6, 1.65e6), swadaya=True),
    _Kegiatan("hidran_kebakaran", "Pembangunan hidran kebakaran lingkungan", "point", ("7a",), (30, 80), rp_lump=(60e6, 150e6)),
    _Kegiatan("rtlh", "Rehabilitasi rumah tidak layak huni (RTLH)", "point", ("1c",), (5, 15), (17.5e6, 20e6)),
    _Kegiatan("penataan", "Penataan bangunan dan sempadan", "polygon", ("1a",), (8, 25), (9e6, 14e6)),
    _Kegiatan("genangan", "Penanganan genangan dan peninggian muka tanah", "polygon", ("4a",), (0.15, 0.6), (450e6, 800e6)),
    _Kegiatan("rth", "Penataan kawasan padat dan ruang terbuka publik", "polygon", ("1b",), (0.1, 0.4), (600e6, 900e6)),
)  # fmt: skip
# how often each kind is chosen when it fits (lines and sanitation dominate KOTAKU work)
_KEGIATAN_W = {"paving": 3.0, "beton": 1.5, "gang": 1.6, "drainase": 2.5, "rehab_drainase": 1.2,
               "mck": 1.0, "ipal": 0.4, "tangki": 1.2, "st_komunal": 0.6, "hidran": 0.8,
               "sumur": 0.6, "sr_pdam": 0.8, "tps": 0.8, "gerobak": 0.7, "motor": 0.4,
               "apar": 1.2, "hidran_kebakaran": 0.4, "rtlh": 1.0, "penataan": 0.2,
               "genangan": 0.3, "rth": 0.2}  # fmt: skip
_N_DALAM = {2017: 38, 2018: 48, 2019: 54, 2020: 56}
_N_SEBAGIAN, _N_BATAS_TITIK, _N_BATAS_GARIS, _N_LUAR = 13, 8, 3, 26
_N_TANPA_GAP = 2

# --------------------------------------------------------------------------- infrastruktur

_INFRA_TITIK = (("hidran umum", "3a", 14), ("sumur bor", "3a", 12), ("MCK", "5a", 16),
                ("septic tank komunal", "5b", 10), ("TPS", "6a", 14), ("APAR", "7b", 24))  # fmt: skip
_INFRA_GARIS = (("jalan lingkungan", "2a;2b", 30), ("saluran drainase", "4b;4c", 26))


@dataclass
class Work:
    kode: str
    nama: str
    tahun: int
    sumber: str
    nilai: float
    kriteria: str
    volume: float
    satuan: str
    geom: object
    status: str  # dalam | sebagian | batas | luar (as generated)
    rt: int  # RT the work lies in (start RT for lines)
    kawasan: str = ""
    tanpa_gap: bool = False
    volume_kriteria: str = ""  # one volume per criterion where they split one ideal length


def split_volume(kriteria: str, volume: float, gaps: list[float]) -> str:
    """One volume per criterion for a work whose criteria split one ideal length
    (domain.md §5: a paving road is partly a new road, 2a, partly a repaved one, 2b):
    the volume is shared in proportion to the RT's gaps ``gaps`` (aligned with
    ``kriteria``) in whole units, the last criterion taking the rest; ``""`` when one
    volume counts for every criterion."""
    codes = kriteria.split(";")
    if not load_rules().split_conflicts(codes):
        return ""
    total = float(sum(gaps))
    parts = [round(volume * g / total) if total > 0 else 0 for g in gaps[:-1]]
    parts.append(volume - sum(parts))
    return ";".join(f"{v:g}" for v in parts)


def _in_force(kawasan: list[Kawasan], plan: Plan, tahun: int) -> list[int]:
    if tahun < 2020:
        return [i for i in range(len(kawasan)) if i != plan.ditambah]
    return [i for i in range(len(kawasan)) if i != plan.dihapus]


def simulate(rng, town: Town, kawasan: list[Kawasan], plan: Plan, survey: Survey):
    """Years 2017–2020 (domain.md §5): collaboration works reduce the volumes of the RT
    they lie in; some RTs are surveyed again (observed rows: derived volumes plus
    unmapped self-help, and occasionally new gaps)."""
    state = survey.vol.copy()
    hdr = [dict(h) for h in survey.hdr]
    inner = [g.buffer(-4.0) for g in town.rt_geom]
    works: list[Work] = []
    observed: list[tuple[int, int, dict, np.ndarray]] = []
    rt_kawasan = {r: i for i, k in enumerate(kawasan) for r in k.rts}
    tanpa_gap_left = _N_TANPA_GAP
    snap = {TAHUN_BASELINE: state.copy()}  # volumes at the end of each year

    for tahun in range(TAHUN_BASELINE + 1, TAHUN_AKHIR + 1):
        force = _in_force(kawasan, plan, tahun)
        rts = [r for i in force for r in kawasan[i].rts]
        # worse RTs draw more work (weight grows with the total nilai of domain.md §4)
        boost = np.array([max(total_nilai(state[r], hdr[r]), 10) / 25.0 for r in rts]) ** 1.5
        for j, r in enumerate(rts):
            if rt_kawasan[r] == plan.dihapus and tahun < 2020:
                boost[j] *= 3.0
            if r == plan.rt_tk and tahun >= 2019:
                boost[j] *= 4.0
        made = 0
        tries = 0
        # one work a year from 2018 on addresses a criterion that is no gap in its RT
        no_gap_due = tanpa_gap_left > 0 and tahun >= 2018
        while made < _N_DALAM[tahun] and tries < 4000:
            tries += 1
            j = int(rng.choice(len(rts), p=boost / boost.sum()))
            r = rts[j]
            want_no_gap = no_gap_due and tries < 300
            w = _work_inside(rng, town, r, inner[r], state[r], hdr[r], tahun, want_no_gap)
            if w is None:
                continue
            new = state[r].copy()
            for c in w.kriteria.split(";"):
                new[CODE_INDEX[c]] = max(0.0, new[CODE_INDEX[c]] - w.volume)
            must_stay = r in plan.harus_kumuh or (r == plan.rt_tk and tahun < 2020)
            if must_stay and total_nilai(new, hdr[r]) < KUMUH_MIN:
                continue
            w.volume_kriteria = split_volume(
                w.kriteria,
                w.volume,
                [float(state[r][CODE_INDEX[c]]) for c in w.kriteria.split(";")],
            )
            state[r] = new
            w.kawasan = kawasan[rt_kawasan[r]].kode
            works.append(w)
            made += 1
            if w.tanpa_gap:
                tanpa_gap_left -= 1
                no_gap_due = False
        observed += resurvey(rng, town, kawasan, plan, tahun, state, hdr, force)
        snap[tahun] = state.copy()

    works += _works_outside(rng, town, kawasan, plan, inner, snap)
    # number the works of each year in a shuffled order (a register is not sorted by status)
    numbered = []
    for tahun in range(TAHUN_BASELINE + 1, TAHUN_AKHIR + 1):
        year = [w for w in works if w.tahun == tahun]
        for n, j in enumerate(rng.permutation(len(year)).tolist(), start=1):
            year[j].kode = f"KLB-{tahun}-{n:03d}"
            numbered.append(year[j])
    numbered.sort(key=lambda w: w.kode)
    return numbered, observed


def _work_inside(rng, town, r, inner, vol, hdr, tahun, want_no_gap) -> Work | None:
    """One work inside RT ``r`` addressing a current gap (or, when ``want_no_gap``, a
    criterion that has no gap there: a Korkot flag of domain.md §7)."""
    if inner.is_empty:
        return None
    fits, weights = [], []
    for k in _KEGIATAN:
        gaps = [vol[CODE_INDEX[c]] for c in k.kriteria]
        den = DENOMINATOR[k.kriteria[0]]
        minimum = 0.05 if UNIT[den] == "ha" else (25 if UNIT[den] == "m" else 3)
        if want_no_gap:
            ok = all(g == 0 for g in gaps) and k.geom == "point"
        else:
            ok = all(g >= max(minimum, 0.6 * k.vol[0]) for g in gaps)
        if ok:
            fits.append(k)
            weights.append(_KEGIATAN_W[k.key])
    if not fits:
        return None
    w = np.array(weights)
    keg = fits[int(rng.choice(len(fits), p=w / w.sum()))]
    gap = min(vol[CODE_INDEX[c]] for c in keg.kriteria)
    den = DENOMINATOR[keg.kriteria[0]]
    target = rng.uniform(*keg.vol)
    sumber = _choose_sumber(rng, _DANA_DALAM, keg, town, r)
    if sumber == "Swadaya masyarakat":
        target = min(target, sum(keg.vol) / 2)  # self-help works stay small
    if not want_no_gap:
        # often a work closes the whole gap of the RT ("tuntas"), otherwise part of it
        tuntas = sumber != "Swadaya masyarakat" and gap <= 2 * keg.vol[1] and rng.random() < 0.5
        target = gap if tuntas else min(target, gap)
    geom, volume = _place(rng, keg, inner, target, den)
    if geom is None or volume <= 0:
        return None
    return Work("", _nama(keg, town, r), tahun, sumber, _nilai_rp(rng, keg, volume),
                 ";".join(keg.kriteria), volume, UNIT[den], geom, "dalam", r, tanpa_gap=want_no_gap)  # fmt: skip


def _choose_sumber(rng, mix: dict, keg: _Kegiatan, town: Town, r: int) -> str:
    desa = KELURAHAN[town.rt_kel[r]][0][6] == "2"
    names = [
        n for n in mix if (n != "Dana Desa" or desa) and (n != "Swadaya masyarakat" or keg.swadaya)
    ]
    p = np.array([mix[n] for n in names])
    return str(names[int(rng.choice(len(names), p=p / p.sum()))])


def _nama(keg: _Kegiatan, town: Town, r: int) -> str:
    kode, nama = KELURAHAN[town.rt_kel[r]][:2]
    jenis = "Desa" if kode[6] == "2" else "Kel."
    return f"{keg.nama} RT {town.rt_no[r]:03d}/RW {town.rt_rw[r]:03d} {jenis} {nama}"


def _nilai_rp(rng, keg: _Kegiatan, volume: float) -> float:
    if keg.rp_lump != (0, 0):
        rp = rng.uniform(*keg.rp_lump)
    else:
        rp = volume * rng.uniform(*keg.rp_per_unit)
    return float(round(rp, -3))


def _place(rng, keg: _Kegiatan, inner, target: float, den: str):
    """Geometry of a work of size ``target`` inside ``inner`` and its volume."""
    if keg.geom == "point":
        p = _point_in(rng, inner)
        return p, round_volume(target, den)
    if keg.geom == "line":
        line = _line_in(rng, inner, max(target, 25.0))
        if line is None or line.length < 20:
            return None, 0
        return line, float(round(line.length))
    ha = target if UNIT[den] == "ha" else rng.uniform(0.08, 0.3)
    poly = _rect_in(rng, inner, min(ha, 0.35 * inner.area / 1e4))
    if poly is None:
        return None, 0
    vol = round(poly.area / 1e4, 2) if UNIT[den] == "ha" else round_volume(target, den)
    return poly, vol


def _point_in(rng, poly):
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(100):
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(32, 2))
        ok = shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
        if ok.any():
            x, y = xy[np.argmax(ok)]
            return shapely.Point(round(x, 2), round(y, 2))
    return shapely.point_on_surface(poly)


def _line_in(rng, poly, length: float):
    """A gang-like polyline of about ``length`` m (1–3 legs at right angles) in ``poly``."""
    for _ in range(40):
        start = np.array(_point_in(rng, poly).coords[0])
        heading = rng.uniform(0, 2 * math.pi)
        legs = 1 if length < 80 else int(rng.integers(1, 4 if length < 250 else 5))
        parts = rng.dirichlet(np.ones(legs) * 3) * length
        pts = [start]
        for leg in parts:
            pts.append(pts[-1] + leg * np.array([math.cos(heading), math.sin(heading)]))
            heading += rng.choice([-1, 1]) * math.pi / 2 + rng.normal(0, 0.08)
        line = shapely.LineString(np.round(pts, 2))
        if poly.contains(line):
            return line
        length *= 0.93
    return None


def _rect_in(rng, poly, ha: float):
    for _ in range(40):
        c = np.array(_point_in(rng, poly).coords[0])
        ratio = rng.uniform(0.5, 2.0)
        w = math.sqrt(ha * 1e4 * ratio)
        h = ha * 1e4 / w
        rect = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
        ang = rng.uniform(0, math.pi)
        rect = _rotate(rect, ang)
        rect = shapely.transform(rect, lambda xy, c=c: np.round(xy + c, 2))
        if poly.contains(rect):
            return rect
        ha *= 0.85
    return None


def _rotate(geom, angle: float):
    ca, sa = math.cos(angle), math.sin(angle)
    return shapely.transform(geom, lambda xy: xy @ np.array([[ca, sa], [-sa, ca]]))


def _works_outside(rng, town, kawasan, plan, inner, snap) -> list[Work]:
    """Works straddling a kawasan border, just outside it (within 10 m) and far outside.

    Each addresses criteria that are a gap, before and in its year, in every RT it
    touches (``snap``: volumes per year), so the only "no gap" works are the planted ones.
    """
    works: list[Work] = []
    all_union = shapely.union_all([k.geom for k in kawasan])
    tahun_pool = np.arange(TAHUN_BASELINE + 1, TAHUN_AKHIR + 1)
    rt_arr = np.array(town.rt_geom, dtype=object)
    rt_tree = shapely.STRtree(rt_arr)

    def rts_of(geom) -> list[int]:
        hit = rt_tree.query(geom, predicate="intersects")
        if shapely.get_type_id(geom) == 1:
            hit = hit[shapely.length(shapely.intersection(rt_arr[hit], geom)) > 0.01]
        return sorted(int(h) for h in hit)

    def pick(tahun, rts, kinds) -> _Kegiatan | None:
        ok = [k for k in kinds
              if all(snap[t][r][CODE_INDEX[c]] > 0 for t in (tahun - 1, tahun) for r in rts
                     for c in k.kriteria)]  # fmt: skip
        return ok[int(rng.integers(len(ok)))] if ok else None

    def add(tahun, keg, geom, volume, status, r, kaw):
        sumber = _choose_sumber(rng, _DANA_LUAR, keg, town, r)
        den = DENOMINATOR[keg.kriteria[0]]
        gaps = [float(snap[tahun - 1][r][CODE_INDEX[c]]) for c in keg.kriteria]
        works.append(Work("", _nama(keg, town, r), int(tahun), sumber,
                           _nilai_rp(rng, keg, volume), ";".join(keg.kriteria), volume,
                           UNIT[den], geom, status, r, kaw,
                           volume_kriteria=split_volume(";".join(keg.kriteria), volume, gaps)))  # fmt: skip

    lines = [k for k in _KEGIATAN if k.geom == "line" and not k.swadaya]
    points = [k for k in _KEGIATAN if k.geom == "point"]
    # sebagian: lines that start inside a kawasan in force and run out of it
    made = 0
    while made < _N_SEBAGIAN:
        tahun = int(rng.choice(tahun_pool))
        k = kawasan[int(rng.choice(_in_force(kawasan, plan, tahun)))]
        line = _crossing_line(rng, k.geom, all_union, town.land)
        keg = None if line is None else pick(tahun, rts_of(line), lines)
        if keg is None:
            continue
        r = rts_of(shapely.Point(line.coords[0]))[0]
        add(tahun, keg, line, float(round(line.length)), "sebagian", r, k.kode)
        made += 1
    # batas: just outside (2.5–8.5 m) a kawasan in force
    made = 0
    while made < _N_BATAS_TITIK + _N_BATAS_GARIS:
        tahun = int(rng.choice(tahun_pool))
        k = kawasan[int(rng.choice(_in_force(kawasan, plan, tahun)))]
        as_line = made >= _N_BATAS_TITIK
        geom = _near_boundary(rng, k.geom, all_union, town.land, as_line)
        if geom is None:
            continue
        rts = rts_of(geom)
        keg = pick(tahun, rts, lines if as_line else points)
        if keg is None or len(rts) == 0:
            continue
        if as_line:
            volume = float(round(geom.length))
        else:
            volume = round_volume(rng.uniform(*keg.vol), DENOMINATOR[keg.kriteria[0]])
        add(tahun, keg, geom, volume, "batas", rts[0], k.kode)
        made += 1
    # luar: in RTs at least 40 m from every kawasan
    far = [r for r in range(town.n_rt)
           if shapely.distance(town.rt_geom[r], all_union) > 40 and r != plan.rt_luar]  # fmt: skip
    made = 0
    while made < _N_LUAR:
        tahun = int(rng.choice(tahun_pool))
        r = int(rng.choice(far))
        keg = pick(tahun, [r], _KEGIATAN)
        if keg is None:
            continue
        den = DENOMINATOR[keg.kriteria[0]]
        geom, volume = _place(rng, keg, inner[r], rng.uniform(*keg.vol), den)
        if geom is None:
            continue
        add(tahun, keg, geom, volume, "luar", r, "")
        made += 1
    return works


def _outward(rng, geom):
    """A random point on the exterior of ``geom`` and the outward unit normal there."""
    ring = geom.exterior
    s = rng.uniform(0, ring.length)
    p = np.array(ring.interpolate(s).coords[0])
    q = np.array(ring.interpolate((s + 1.0) % ring.length).coords[0])
    t = (q - p) / max(np.hypot(*(q - p)), 1e-9)
    n = np.array([t[1], -t[0]])
    if geom.contains(shapely.Point(*(p + 2 * n))):
        n = -n
    return s, p, n


def _crossing_line(rng, geom, all_union, land):
    for _ in range(30):
        _, p, n = _outward(rng, geom)
        length = rng.uniform(70, 200)
        share_in = rng.uniform(0.25, 0.75)
        a = p - n * length * share_in
        b = p + n * length * (1 - share_in)
        line = shapely.LineString(np.round([a, b], 2))
        outside = shapely.difference(line, geom)
        if (land.contains(line) and line.crosses(geom)
                and shapely.length(shapely.intersection(outside, all_union)) == 0
                and geom.contains(shapely.Point(*a))):  # fmt: skip
            return line
    return None


def _near_boundary(rng, geom, all_union, land, as_line: bool):
    """A point, or a short line along the border, 2.5–8 m outside ``geom`` (the ``batas``
    band of domain.md §7) and clear of every other kawasan."""
    for _ in range(40):
        s, p, n = _outward(rng, geom)
        d = rng.uniform(3.0, 7.0)
        if not as_line:
            cand = shapely.Point(*np.round(p + d * n, 2))
        else:
            ring = geom.exterior
            piece = shapely_ops.substring(ring, s, min(s + rng.uniform(35, 70), ring.length))
            cand = None
            for off in (d, -d):
                c = shapely.offset_curve(piece, off)
                if shapely.get_type_id(c) == 1 and not c.intersects(geom):
                    cand = shapely.set_precision(c, 0.01)
                    break
            if cand is None:
                continue
        probe = (
            shapely.line_interpolate_point(cand, np.linspace(0, 1, 12), normalized=True)
            if as_line
            else [cand]
        )
        dist = shapely.distance(probe, geom)
        if land.contains(cand) and shapely.distance(cand, all_union) > 2.5 and dist.max() < 8.5:
            return cand
    return None


# =========================================================================== infrastruktur


def build_infrastructure(rng, town: Town, kawasan: list[Kawasan]) -> list[dict]:
    """Existing infrastructure: points inside RTs, roads along RT borders, drains beside them."""
    out: list[dict] = []
    in_kawasan = {r for k in kawasan for r in k.rts}
    weight = np.array([2.0 if r in in_kawasan else 1.0 for r in range(town.n_rt)])
    inner = [g.buffer(-3.0) for g in town.rt_geom]

    def attrs(jenis, kriteria):
        tahun = int(rng.integers(2005, 2021))
        age = 2020 - tahun
        kondisi = str(rng.choice(["baik", "rusak ringan", "rusak berat"],
                                 p=[0.75, 0.2, 0.05] if age < 5 else [0.4, 0.38, 0.22]))  # fmt: skip
        # the controlled funding vocabulary of domain.md §9, in its order (weights follow it)
        sumber = str(
            rng.choice(SUMBER_DANA, p=[0.25, 0.08, 0.32, 0.1, 0.03, 0.03, 0.07, 0.1, 0.02])
        )
        return {
            "jenis": jenis,
            "kriteria": kriteria,
            "tahun": tahun,
            "sumber_dana": sumber,
            "kondisi": kondisi,
        }

    for jenis, kriteria, n in _INFRA_TITIK:
        for _ in range(n):
            r = int(rng.choice(town.n_rt, p=weight / weight.sum()))
            out.append({**attrs(jenis, kriteria), "geometry": _point_in(rng, inner[r])})
    edges = []
    for a in range(town.n_rt):
        for b, length in town.adj[a].items():
            if a < b and 60 < length < 400:
                edges.append((a, b))
    picks = rng.permutation(len(edges))
    for (jenis, kriteria, n), take in zip(_INFRA_GARIS, (picks[:30], picks[30:60]), strict=True):
        for e in take[:n].tolist():
            a, b = edges[e]
            shared = shapely.line_merge(
                shapely.intersection(town.rt_geom[a].boundary, town.rt_geom[b].boundary)
            )
            if shapely.get_type_id(shared) != 1:
                shared = max(shapely.get_parts(shared), key=lambda g: g.length)
            if jenis == "saluran drainase":
                off = shapely.offset_curve(shared, 2.5)
                shared = off if shapely.get_type_id(off) == 1 else shared
            out.append({**attrs(jenis, kriteria), "geometry": shapely.set_precision(shared, 0.01)})
    out.sort(key=lambda d: (d["tahun"], d["jenis"]))
    for n, d in enumerate(out, start=1):
        d["kode_infra"] = f"INF-{n:04d}"
    return out
