"""The synthetic town of Sampit: its kelurahan and RT polygons, in the metric work CRS.

Sampit lies on the west bank of the Sungai Mentaya; Seranau faces it on the east bank. The
names and Kemendagri codes are real, every geometry is synthetic: a town outline drawn
around a meandering river band, kelurahan from Voronoi cells of a jittered grid, RTs from
Voronoi cells inside them. RTs tile their kelurahan exactly (one shared, noded edge set), so
a kelurahan or a kawasan is the union of whole RT polygons (domain.md §10).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer

from kumuhgis.core.schema import STORAGE_CRS

__all__ = [
    "KECAMATAN",
    "KELURAHAN",
    "KODE_KOTA",
    "KOTA",
    "MISSPELLED",
    "PROVINSI",
    "WORK_CRS",
    "Town",
    "build_town",
]

#: Metric CRS the geometry is built in (WGS 84 / UTM zone 49S, which holds Sampit).
WORK_CRS = "EPSG:32749"

# --------------------------------------------------------------------------- place

KOTA = "Kabupaten Kotawaringin Timur"
PROVINSI = "Kalimantan Tengah"
KODE_KOTA = "6202"
# Town centre of Sampit and the lon of the Mentaya's centre line beside it (lon, lat).
_TOWN_LONLAT = (112.95, -2.54)
_RIVER_LON = 112.962

# Kemendagri codes (Permendagri 72/2019 numbering, dots removed: 62.02.06.1001 → 6202061001).
KECAMATAN = {"620205": "Baamang", "620206": "Mentawa Baru Ketapang", "620212": "Seranau"}
# kode_kel, name, bank of the river, row (north → south), column (west → river)
KELURAHAN: tuple[tuple[str, str, str, int, int], ...] = (
    ("6202051003", "Baamang Hulu", "barat", 0, 0),
    ("6202052006", "Tinduk", "barat", 0, 1),
    ("6202051007", "Tanah Mas", "barat", 0, 2),
    ("6202051008", "Baamang Barat", "barat", 1, 0),
    ("6202051002", "Baamang Tengah", "barat", 1, 1),
    ("6202051001", "Baamang Hilir", "barat", 1, 2),
    ("6202061009", "Pasir Putih", "barat", 2, 0),
    ("6202061007", "Sawahan", "barat", 2, 1),
    ("6202061001", "Mentawa Baru Hulu", "barat", 2, 2),
    ("6202062010", "Telaga Baru", "barat", 3, 0),
    ("6202061003", "Ketapang", "barat", 3, 1),
    ("6202061002", "Mentawa Baru Hilir", "barat", 3, 2),
    ("6202122002", "Terantang", "timur", 0, 0),
    ("6202122006", "Seragam Jaya", "timur", 1, 0),
    ("6202121001", "Mentaya Seberang", "timur", 2, 0),
)
MISSPELLED = ("Mentawa Baru Hulu", "MB. Hulu")  # planted: how the SK writes this kelurahan

# Typical RT size (ha) by distance from the river: large RTs on the riverside, smaller ones
# in the middle ring and the periphery; Seranau across the river.
_RT_SIZE_HA = {("barat", 0): 5.2, ("barat", 1): 3.6, ("barat", 2): 2.4, ("timur", 0): 3.8}


@dataclass
class Town:
    """Everything about the synthetic town, in the metric work CRS."""

    kel_geom: list  # kelurahan polygons, in KELURAHAN order
    rt_geom: list  # RT polygons
    rt_kel: np.ndarray  # kelurahan index of each RT
    rt_rw: np.ndarray  # RW number within the kelurahan
    rt_no: np.ndarray  # RT number within the RW
    rt_tepi: np.ndarray  # bool: on the riverbank (tipologi "tepi air")
    rt_river_m: np.ndarray  # distance to the river (m)
    adj: dict  # RT index -> {neighbour RT index: shared edge length (m)}
    river: object  # river polygon
    land: object  # union of both town outlines
    kode_rt: list = field(default_factory=list)

    @property
    def n_rt(self) -> int:
        return len(self.rt_geom)


def _origin() -> tuple[float, float, float]:
    to_utm = Transformer.from_crs(STORAGE_CRS, WORK_CRS, always_xy=True)
    x0, y0 = to_utm.transform(*_TOWN_LONLAT)
    xr, _ = to_utm.transform(_RIVER_LON, _TOWN_LONLAT[1])
    return x0, y0, xr


def build_town(rng: np.random.Generator) -> Town:
    """Draw the town: outlines of both banks, kelurahan, RTs, their RW numbers and codes."""
    x0, y0, xr = _origin()
    west_outline, east_outline, river, half = _outlines(rng, x0, y0, xr)
    faces, face_owner, cell_kel, seeds = _rt_cells(rng, (west_outline, east_outline), y0, xr, half)
    face_adj = _face_adjacency(faces)
    face_owner = _fix_fragments(faces, face_owner, seeds, face_adj)
    cell_kel = _fix_kelurahan(faces, face_owner, cell_kel, face_adj)
    face_owner = _merge_small(faces, face_owner, cell_kel, face_adj, min_ha=1.0)
    rt_geom, rt_kel, adj = _rt_polygons(faces, face_owner, cell_kel, face_adj)
    kel_geom = [
        shapely.coverage_union_all(
            np.array([rt_geom[j] for j in np.flatnonzero(rt_kel == k)], dtype=object)
        )
        for k in range(len(KELURAHAN))
    ]
    rt_arr = np.array(rt_geom, dtype=object)
    river_m = shapely.distance(rt_arr, river)
    town = Town(
        kel_geom=kel_geom,
        rt_geom=rt_geom,
        rt_kel=rt_kel,
        rt_rw=np.zeros(len(rt_geom), dtype=int),
        rt_no=np.zeros(len(rt_geom), dtype=int),
        rt_tepi=river_m < 5.0,
        rt_river_m=river_m,
        adj=adj,
        river=river,
        land=shapely.union(west_outline, east_outline),
    )
    _number_rw(rng, town)
    return town


def _outlines(rng: np.random.Generator, x0: float, y0: float, xr: float):
    """The west-bank town, the east-bank strip and the river band between them, and the
    river's half width (m)."""
    amp = rng.uniform(90, 160)
    wave = rng.uniform(3000, 4200)
    phase = rng.uniform(0, 2 * math.pi)
    half = rng.uniform(190, 230)  # half width of the Mentaya

    def centre(y):
        return xr + amp * np.sin(2 * math.pi * (y - y0) / wave + phase)

    # West bank: the town of Sampit proper.
    yt, yb = y0 + 1850 + rng.uniform(-80, 80), y0 - 1850 + rng.uniform(-80, 80)
    ys = np.linspace(yb, yt, 80)
    bank_w = np.column_stack([centre(ys) - half, ys])
    xw = xr - 2650
    north = [
        (xr - d + rng.uniform(-60, 60), yt + rng.uniform(-120, 120))
        for d in (550, 1100, 1650, 2200)
    ]
    west = [(xw + rng.uniform(-200, 200), y) for y in np.linspace(yt - 100, yb + 100, 9)]
    south = [
        (xr - d + rng.uniform(-60, 60), yb + rng.uniform(-120, 120))
        for d in (2200, 1650, 1100, 550)
    ]
    ring = [*bank_w.tolist(), *north, *west, *south]
    west_outline = shapely.Polygon(ring)
    # East bank: the riverside strip of Seranau opposite the town.
    yt2, yb2 = y0 + 700 + rng.uniform(-60, 60), y0 - 1300 + rng.uniform(-60, 60)
    ys2 = np.linspace(yt2, yb2, 45)
    bank_e = np.column_stack([centre(ys2) + half, ys2])
    xe = xr + half + 850
    east = [(xe + rng.uniform(-150, 150), y) for y in np.linspace(yb2, yt2, 7)]
    east_outline = shapely.Polygon([*bank_e.tolist(), *east])
    yr = np.linspace(y0 - 2600, y0 + 2600, 120)
    river = shapely.Polygon(
        [*np.column_stack([centre(yr) - half, yr]).tolist(),
         *np.column_stack([centre(yr[::-1]) + half, yr[::-1]]).tolist()]
    )  # fmt: skip
    if not (west_outline.is_valid and east_outline.is_valid and river.is_valid):
        raise RuntimeError("demo town outline is invalid; try another seed")
    return west_outline, east_outline, river, half


def _rt_cells(rng: np.random.Generator, outlines: tuple, y0: float, xr: float, half: float):
    """RT cells of both banks as noded faces: kelurahan regions are Voronoi cells of a
    jittered grid of seeds on each bank, RT cells are Voronoi cells of well-spread seeds
    inside each region. Returns the faces, the cell of each face, the kelurahan of each
    cell and the cell seeds."""
    west_outline, east_outline = outlines
    # Kelurahan regions: Voronoi cells of a jittered grid of seeds on each bank.
    col_x = {0: xr - 2200, 1: xr - 1300, 2: xr - 520}
    row_y = {0: y0 + 1390, 1: y0 + 465, 2: y0 - 465, 3: y0 - 1390}
    row_y_e = {0: y0 + 350, 1: y0 - 300, 2: y0 - 950}
    faces_all, owner_kel, seeds_all = [], [], []
    for bank, outline in (("barat", west_outline), ("timur", east_outline)):
        idx = [i for i, k in enumerate(KELURAHAN) if k[2] == bank]
        pts = []
        for i in idx:
            _, _, _, row, col = KELURAHAN[i]
            if bank == "barat":
                pts.append((col_x[col] + rng.uniform(-100, 100), row_y[row] + rng.uniform(-90, 90)))
            else:
                pts.append(
                    (xr + half + 430 + rng.uniform(-60, 60), row_y_e[row] + rng.uniform(-70, 70))
                )
        regions = _voronoi_clip(np.array(pts), outline)
        seeds, seed_kel = [], []
        for i, region in zip(idx, regions, strict=True):
            _, _, b, _, col = KELURAHAN[i]
            size_ha = _RT_SIZE_HA[(b, col)] * rng.uniform(0.9, 1.1)
            n = max(6, round(region.area / 1e4 / size_ha))
            s = _scatter(rng, region, n)
            seeds.append(s)
            seed_kel += [i] * len(s)
        seeds = np.vstack(seeds)
        faces, face_cell = _coverage(seeds, outline)
        faces_all.append((faces, face_cell + sum(len(s) for s in seeds_all)))
        seeds_all.append(seeds)
        owner_kel += seed_kel
    faces = np.concatenate([f for f, _ in faces_all])
    face_owner = np.concatenate([o for _, o in faces_all])
    cell_kel = np.array(owner_kel)
    seeds = np.vstack(seeds_all)
    return faces, face_owner, cell_kel, seeds


def _rt_polygons(faces, face_owner, cell_kel, face_adj):
    """One polygon per RT cell, ordered by kelurahan then north → south, west → east (so
    ids read naturally), its kelurahan, and the RT adjacency ``{rt: {neighbour: shared
    edge length (m)}}``."""
    owners = np.unique(face_owner)
    rt_geom = [shapely.coverage_union_all(faces[face_owner == o]) for o in owners.tolist()]
    rt_kel = cell_kel[owners]
    remap = {o: i for i, o in enumerate(owners.tolist())}
    adj: dict[int, dict[int, float]] = defaultdict(dict)
    for (a, b), length in face_adj.items():
        ra, rb = remap[int(face_owner[a])], remap[int(face_owner[b])]
        if ra != rb and length > 1.0:
            adj[ra][rb] = adj[ra].get(rb, 0.0) + length
            adj[rb][ra] = adj[rb].get(ra, 0.0) + length
    cent = shapely.get_coordinates(shapely.centroid(np.array(rt_geom, dtype=object)))
    order = np.lexsort((np.round(cent[:, 0]), -np.round(cent[:, 1], -1), rt_kel))
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    rt_geom = [rt_geom[i] for i in order.tolist()]
    rt_kel = rt_kel[order]
    adj = {int(inv[a]): {int(inv[b]): v for b, v in nb.items()} for a, nb in adj.items()}
    for i in range(len(rt_geom)):
        adj.setdefault(i, {})
    return rt_geom, rt_kel, adj


def _voronoi_clip(points: np.ndarray, outline) -> list:
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline, ordered=True)
    )
    return [shapely.intersection(c, outline) for c in cells]


def _scatter(rng: np.random.Generator, region, n: int) -> np.ndarray:
    """``n`` well-spread points in ``region``: dart throwing, then three Lloyd steps."""
    minx, miny, maxx, maxy = region.bounds
    r = 0.8 * math.sqrt(region.area / n)
    pts: list[np.ndarray] = []
    rounds = 0
    while len(pts) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(64, 2))
        cand = cand[shapely.contains_xy(region, cand[:, 0], cand[:, 1])]
        for c in cand:
            if not pts or np.min(np.hypot(*(np.asarray(pts) - c).T)) >= r:
                pts.append(c)
                if len(pts) == n:
                    break
        rounds += 1
        if rounds % 30 == 0:
            r *= 0.9
    p = np.asarray(pts)
    for _ in range(3):
        cells = _voronoi_clip(p, region)
        c = shapely.get_coordinates(shapely.centroid(np.array(cells, dtype=object)))
        ok = shapely.contains_xy(region, c[:, 0], c[:, 1])
        p = np.where(ok[:, None], c, p)
    return p


def _coverage(seeds: np.ndarray, outline) -> tuple[np.ndarray, np.ndarray]:
    """Voronoi cells of ``seeds`` cut to ``outline`` as one noded, edge-matched set of faces.

    Every cell boundary and the outline are unioned into one noded line work and
    polygonised, so neighbouring faces share exactly the same vertices (a valid coverage).
    Returns the faces inside the outline and the seed (cell) each belongs to.
    """
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline, ordered=True)
    )
    lines = shapely.union_all(np.append(shapely.boundary(cells), outline.boundary))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    reps = shapely.point_on_surface(faces)
    faces = faces[shapely.within(reps, outline)]
    reps = shapely.point_on_surface(faces)
    hit = shapely.STRtree(cells).query(reps, predicate="within")
    owner = np.full(len(faces), -1)
    owner[hit[0]] = hit[1]
    if (owner < 0).any():
        raise RuntimeError("demo coverage has an unowned face")
    return faces, owner


def _face_adjacency(faces: np.ndarray) -> dict[tuple[int, int], float]:
    tree = shapely.STRtree(faces)
    a, b = tree.query(faces, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(faces[a]), shapely.boundary(faces[b]))
    )
    return {(int(i), int(j)): float(s) for i, j, s in zip(a, b, shared, strict=True) if s > 0}


def _owner_neighbours(face_owner, face_adj, faces_of: set[int]) -> dict[int, float]:
    out: dict[int, float] = defaultdict(float)
    for (i, j), length in face_adj.items():
        if i in faces_of and j not in faces_of:
            out[int(face_owner[j])] += length
        elif j in faces_of and i not in faces_of:
            out[int(face_owner[i])] += length
    return out


def _fix_fragments(faces, face_owner, seeds, face_adj) -> np.ndarray:
    """A Voronoi cell cut in two by the riverbank keeps the piece with its seed; the other
    pieces join the neighbour they share most edge with."""
    owner = face_owner.copy()
    seed_pts = shapely.points(seeds)
    for o in np.unique(owner).tolist():
        idx = np.flatnonzero(owner == o)
        if len(idx) < 2:
            continue
        keep = idx[np.argmax(shapely.area(faces[idx]))]
        holds = idx[shapely.contains(faces[idx], seed_pts[o])]
        if len(holds):
            keep = holds[0]
        for f in idx.tolist():
            if f == keep:
                continue
            nb = _owner_neighbours(owner, face_adj, {f})
            nb.pop(o, None)
            if nb:
                owner[f] = max(sorted(nb), key=lambda k: nb[k])
    return owner


def _fix_kelurahan(faces, face_owner, cell_kel, face_adj) -> np.ndarray:
    """Make every kelurahan one piece without holes by moving stray RT cells to the
    neighbouring kelurahan they share most edge with."""
    kel = cell_kel.copy()
    for _ in range(20):
        changed = False
        for k in range(len(KELURAHAN)):
            cells = np.flatnonzero(kel == k)
            fidx = np.flatnonzero(np.isin(face_owner, cells))
            if not len(fidx):
                continue
            union = shapely.coverage_union_all(faces[fidx])
            parts = list(shapely.get_parts(union))
            if len(parts) > 1:
                parts.sort(key=lambda p: -p.area)
                for part in parts[1:]:
                    inside = fidx[shapely.within(shapely.point_on_surface(faces[fidx]), part)]
                    owners = set(face_owner[inside].tolist())
                    faces_of = set(np.flatnonzero(np.isin(face_owner, list(owners))).tolist())
                    nb = _owner_neighbours(face_owner, face_adj, faces_of)
                    votes: dict[int, float] = defaultdict(float)
                    for o, length in nb.items():
                        if kel[o] != k:
                            votes[int(kel[o])] += length
                    if votes:
                        target = max(sorted(votes), key=lambda v: votes[v])
                        kel[list(owners)] = target
                        changed = True
            for hole in shapely.get_interior_ring(
                parts[0], range(shapely.get_num_interior_rings(parts[0]))
            ):
                hole_poly = shapely.Polygon(hole)
                reps = shapely.point_on_surface(faces)
                inside = np.flatnonzero(shapely.within(reps, hole_poly))
                kel[np.unique(face_owner[inside])] = k
                changed = True
        if not changed:
            return kel
    raise RuntimeError("demo kelurahan could not be made contiguous; try another seed")


def _merge_small(faces, face_owner, cell_kel, face_adj, *, min_ha: float) -> np.ndarray:
    """RT cells under ``min_ha`` (slivers at the outline) join their longest-bordering
    neighbour in the same kelurahan."""
    owner = face_owner.copy()
    area = shapely.area(faces)
    while True:
        sizes = {o: float(area[owner == o].sum()) for o in np.unique(owner).tolist()}
        small = sorted((s, o) for o, s in sizes.items() if s < min_ha * 1e4)
        merged = False
        for _, o in small:
            faces_of = set(np.flatnonzero(owner == o).tolist())
            nb = {t: v for t, v in _owner_neighbours(owner, face_adj, faces_of).items()
                  if cell_kel[t] == cell_kel[o] and v > 1.0}  # fmt: skip
            if nb:
                owner[list(faces_of)] = max(sorted(nb), key=lambda k: nb[k])
                merged = True
                break
        if not merged:
            return owner


def _number_rw(rng: np.random.Generator, town: Town) -> None:
    """Group the RTs of each kelurahan into RWs of 3–8 neighbouring RTs (a leftover joins a
    neighbour, so rarely up to 12) and number them: RW 01, 02, ... per kelurahan and RT 01,
    02, ... per RW (as on the ground)."""
    cent = shapely.get_coordinates(shapely.centroid(np.array(town.rt_geom, dtype=object)))
    for k in range(len(KELURAHAN)):
        todo = [int(i) for i in np.flatnonzero(town.rt_kel == k)]
        groups: list[list[int]] = []
        while todo:
            # start at the north-west-most RT left, grow through neighbours
            start = min(todo, key=lambda i: -cent[i, 1] + cent[i, 0])
            size = int(rng.integers(3, 9))
            group = [start]
            todo.remove(start)
            while len(group) < size:
                frontier = sorted({n for g in group for n in town.adj[g] if n in todo})
                if not frontier:
                    break
                d = [np.hypot(*(cent[f] - cent[start])) for f in frontier]
                group.append(frontier[int(np.argmin(d))])
                todo.remove(group[-1])
            groups.append(group)
        # a leftover of one or two RTs joins the smallest neighbouring RW
        for g in sorted((g for g in groups if len(g) < 3), key=len):
            if len(g) >= 3:  # grew by taking in another leftover
                continue
            border: dict[int, float] = defaultdict(float)
            for j, other in enumerate(groups):
                if other is not g:
                    border[j] += sum(town.adj[a].get(b, 0.0) for a in g for b in other)
            touching = sorted(j for j, length in border.items() if length > 0)
            best = min(touching, key=lambda j: (len(groups[j]), -border[j]), default=None)
            if best is not None:
                groups[best].extend(g)
                groups.remove(g)
        for rw, group in enumerate(groups, start=1):
            for no, i in enumerate(group, start=1):
                town.rt_rw[i] = rw
                town.rt_no[i] = no
    town.kode_rt = [
        f"{KELURAHAN[town.rt_kel[i]][0]}-RW{town.rt_rw[i]:02d}-RT{town.rt_no[i]:02d}"
        for i in range(town.n_rt)
    ]
