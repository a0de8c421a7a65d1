"""The demo city: a synthetic KOTAKU project at Sampit, Kab. Kotawaringin Timur.

Sampit (Kalimantan Tengah) lies on the west bank of the Sungai Mentaya, which runs roughly
north–south there. The demo keeps the real names and Kemendagri codes of three kecamatan
(Baamang, Mentawa Baru Ketapang, and Seranau across the river) and fifteen of their
kelurahan/desa, but **every geometry is synthetic**: a town outline drawn around a
meandering river band, kelurahan and RT polygons made from Voronoi cells, kawasan made of
whole RTs. Numbers (population, volumes, rupiah) are generated to look like a real KOTAKU
baseline and collaboration record, with a few discrepancies planted on purpose so that every
check of domain.md §6 and §7 has something to find. :attr:`DemoCity.planted` names them.

All geometry is built in the metric UTM zone 49S (EPSG:32749) and stored in EPSG:4326
(domain.md §10). RTs tile their kelurahan exactly (one shared, noded edge set), so a
kelurahan or a kawasan is the union of whole RT polygons.

Levels named in this module (TK, KR, KS, KB) follow domain.md §4. The generator steers volumes
with a small private score count (:func:`_total`) so the planted cases really are what they
claim to be; the authoritative scoring lives in the scoring module.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import ops as shapely_ops

from kumuhgis.core.rules import load_rules
from kumuhgis.core.schema import CRITERIA_CODES, LAYERS, STORAGE_CRS, VOLUME_COLUMNS
from kumuhgis.core.vocabulary import SUMBER_DANA
from kumuhgis.geo.area import hectares

__all__ = ["DemoCity", "build_demo", "DEFAULT_SEED", "WORK_CRS"]

#: Seed of ``kumuhgis demo`` when none is given (the KOTAKU baseline year).
DEFAULT_SEED = 2016
#: Metric CRS the geometry is built in (WGS 84 / UTM zone 49S, which holds Sampit).
WORK_CRS = "EPSG:32749"

# The controlled funding vocabulary of domain.md §9 (order matters for the weights below).
_SUMBER_DANA: tuple[str, ...] = SUMBER_DANA

# --------------------------------------------------------------------------- place

_KOTA = "Kabupaten Kotawaringin Timur"
_PROVINSI = "Kalimantan Tengah"
_KODE_KOTA = "6202"
# Town centre of Sampit and the lon of the Mentaya's centre line beside it (lon, lat).
_TOWN_LONLAT = (112.95, -2.54)
_RIVER_LON = 112.962

# Kemendagri codes (Permendagri 72/2019 numbering, dots removed: 62.02.06.1001 → 6202061001).
_KECAMATAN = {"620205": "Baamang", "620206": "Mentawa Baru Ketapang", "620212": "Seranau"}
# kode_kel, name, bank of the river, row (north → south), column (west → river)
_KELURAHAN: tuple[tuple[str, str, str, int, int], ...] = (
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
_MISSPELLED = ("Mentawa Baru Hulu", "MB. Hulu")  # planted: how the SK writes this kelurahan

# Typical RT size (ha) and population density (jiwa/ha) by distance from the river:
# dense old riverside quarters, a middle ring, thin periphery; Seranau across the river.
_RT_SIZE_HA = {("barat", 0): 5.2, ("barat", 1): 3.6, ("barat", 2): 2.4, ("timur", 0): 3.8}
_DENSITY = {("barat", 0): (45, 95), ("barat", 1): (100, 170), ("barat", 2): (160, 240),
            ("timur", 0): (60, 130)}  # fmt: skip

# --------------------------------------------------------------------------- SK Kumuh

_SK_ASLI = ("188.45/287/HUK/2016", "2016-08-22")
_SK_REVISI = ("188.45/112/HUK/2020", "2020-03-16")
_TAHUN_BASELINE = 2016
_TAHUN_AKHIR = 2020
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
_N_KAWASAN = 20  # in the original SK; the revision drops one and adds one

# --------------------------------------------------------------------------- criteria

# domain.md §3: denominator column and volume unit of each criterion, from the default rule set
_RULES = load_rules("permen-14-2018")
_DENOMINATOR = {c.code: c.denominator for c in _RULES.criteria}
_UNIT = {c.denominator: c.unit for c in _RULES.criteria}
_DEN = [_DENOMINATOR[c] for c in CRITERIA_CODES]
_CODE_INDEX = {c: i for i, c in enumerate(CRITERIA_CODES)}

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
_PAIRS = ((_CODE_INDEX["2a"], _CODE_INDEX["2b"]), (_CODE_INDEX["4b"], _CODE_INDEX["4c"]))
_PARTNER = {a: b for a, b in _PAIRS} | {b: a for a, b in _PAIRS}
_P_RANGE = {0: (0.0, 18.0), 1: (30.0, 45.0), 3: (56.0, 70.0), 5: (81.0, 100.0)}
_KUMUH_MIN = 19  # RTs that must stay kumuh never drop below this total
_TK_MAX = 12  # RTs that must stay TK never rise above this total

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
_KEGIATAN_BY_KEY = {k.key: k for k in _KEGIATAN}
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


# =========================================================================== public


@dataclass(frozen=True)
class DemoCity:
    """The demo project: the seven layers of :data:`kumuhgis.core.schema.LAYERS`, the project
    settings and a description of the discrepancies planted on purpose.

    Attributes
    ----------
    layers : dict
        ``{layer name: frame}``; spatial layers are GeoDataFrames in EPSG:4326, the
        ``sk_kumuh`` and ``baseline`` tables are DataFrames.
    settings : dict
        ``kota``, ``provinsi``, ``kode_kota``, ``ibukota``, ``tahun_baseline``,
        ``crs_kerja``, ``luas_kumuh_baseline_ha`` (Σ luas of the RTs not TK in 2016,
        domain.md §5), ``target_pengurangan_ha`` — ``{2017: ha, ..., 2020: ha}``, the
        cumulative reduction of luas kumuh since the baseline year that the city aims for
        by the end of each year — and ``keterangan`` (the demo is synthetic).
    planted : dict
        The planted findings, by the flag names of domain.md §6 and the statuses of §7:
        ``luas_mismatch`` (per SK number), ``nama_tidak_cocok``, ``rt_tidak_kumuh_di_sk``,
        ``rt_kumuh_di_luar_sk``, ``lintas_kelurahan``, ``revisi`` (added, removed and
        re-measured kawasan) and ``kolaborasi`` (works ``sebagian``, ``batas``, ``luar``
        and ``kriteria_tanpa_gap``), plus the two SK numbers ``sk_asli`` and ``sk_revisi``.
    seed : int
        The seed the city was built with.
    """

    layers: dict[str, pd.DataFrame]
    settings: dict
    planted: dict
    seed: int = DEFAULT_SEED


def build_demo(*, seed: int = DEFAULT_SEED) -> DemoCity:
    """Build the synthetic demo city of Sampit (see the module docstring).

    The same ``seed`` always gives identical frames; another seed gives another, equally
    valid town (new shapes, kawasan, surveys and works; same kelurahan names and codes).

    Contents (counts vary a little with the seed): 15 kelurahan/desa in 3 kecamatan, about
    300 RTs of 1–9 ha, 21 kawasan made of whole RTs (20 in the original SK, one removed and
    one added by the 2020 revision, one or two crossing a kelurahan border), a 2016 baseline
    for every RT plus observed 2017–2020 surveys for some RTs, about 150 infrastructure
    features and about 250 collaboration works (2017–2020) of which about a fifth lie
    outside the delineation or straddle it.

    Parameters
    ----------
    seed : int
        Seed of the random generator (keyword only).

    Returns
    -------
    DemoCity
    """
    rng = np.random.default_rng(seed)
    town = _build_town(rng)
    kawasan = _delineate(rng, town)
    plan = _plant(rng, town, kawasan)
    survey = _baseline(rng, town, kawasan, plan)
    kolab, observed = _simulate(rng, town, kawasan, plan, survey)
    infra = _infrastructure(rng, town, kawasan)
    layers = _frames(town, kawasan, plan, survey, observed, kolab, infra)
    sk, sk_planted = _sk_tables(rng, town, kawasan, plan, layers["delineasi"])
    layers["sk_kumuh"] = sk
    layers = {name: layers[name] for name in LAYERS}
    settings = _settings(town, kawasan, plan, survey)
    planted = _planted(town, kawasan, plan, kolab, sk_planted)
    return DemoCity(layers=layers, settings=settings, planted=planted, seed=seed)


# =========================================================================== town geometry


@dataclass
class _Town:
    """Everything about the synthetic town, in the metric work CRS."""

    kel_geom: list  # kelurahan polygons, in _KELURAHAN order
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


def _build_town(rng: np.random.Generator) -> _Town:
    x0, y0, xr = _origin()
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

    # Kelurahan regions: Voronoi cells of a jittered grid of seeds on each bank.
    col_x = {0: xr - 2200, 1: xr - 1300, 2: xr - 520}
    row_y = {0: y0 + 1390, 1: y0 + 465, 2: y0 - 465, 3: y0 - 1390}
    row_y_e = {0: y0 + 350, 1: y0 - 300, 2: y0 - 950}
    faces_all, owner_kel, seeds_all = [], [], []
    for bank, outline in (("barat", west_outline), ("timur", east_outline)):
        idx = [i for i, k in enumerate(_KELURAHAN) if k[2] == bank]
        pts = []
        for i in idx:
            _, _, _, row, col = _KELURAHAN[i]
            if bank == "barat":
                pts.append((col_x[col] + rng.uniform(-100, 100), row_y[row] + rng.uniform(-90, 90)))
            else:
                pts.append(
                    (xr + half + 430 + rng.uniform(-60, 60), row_y_e[row] + rng.uniform(-70, 70))
                )
        regions = _voronoi_clip(np.array(pts), outline)
        seeds, seed_kel = [], []
        for i, region in zip(idx, regions, strict=True):
            _, _, b, _, col = _KELURAHAN[i]
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

    face_adj = _face_adjacency(faces)
    face_owner = _fix_fragments(faces, face_owner, seeds, face_adj)
    cell_kel = _fix_kelurahan(faces, face_owner, cell_kel, face_adj)
    face_owner = _merge_small(faces, face_owner, cell_kel, face_adj, min_ha=1.0)

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
    # order RTs by kelurahan, then north → south, west → east, so ids read naturally
    cent = shapely.get_coordinates(shapely.centroid(np.array(rt_geom, dtype=object)))
    order = np.lexsort((np.round(cent[:, 0]), -np.round(cent[:, 1], -1), rt_kel))
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    rt_geom = [rt_geom[i] for i in order.tolist()]
    rt_kel = rt_kel[order]
    adj = {int(inv[a]): {int(inv[b]): v for b, v in nb.items()} for a, nb in adj.items()}
    for i in range(len(rt_geom)):
        adj.setdefault(i, {})
    kel_geom = [
        shapely.coverage_union_all(
            np.array([rt_geom[j] for j in np.flatnonzero(rt_kel == k)], dtype=object)
        )
        for k in range(len(_KELURAHAN))
    ]
    rt_arr = np.array(rt_geom, dtype=object)
    river_m = shapely.distance(rt_arr, river)
    town = _Town(
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
        for k in range(len(_KELURAHAN)):
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


def _number_rw(rng: np.random.Generator, town: _Town) -> None:
    """Group the RTs of each kelurahan into RWs of 3–8 neighbouring RTs (a leftover joins a
    neighbour, so rarely up to 12) and number them: RW 01, 02, ... per kelurahan and RT 01,
    02, ... per RW (as on the ground)."""
    cent = shapely.get_coordinates(shapely.centroid(np.array(town.rt_geom, dtype=object)))
    for k in range(len(_KELURAHAN)):
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
        f"{_KELURAHAN[town.rt_kel[i]][0]}-RW{town.rt_rw[i]:02d}-RT{town.rt_no[i]:02d}"
        for i in range(town.n_rt)
    ]


# =========================================================================== kawasan


@dataclass
class _Kawasan:
    rts: list[int]
    kel: int  # kelurahan holding most of it
    tahun: int
    kode: str = ""
    nama: str = ""
    geom: object = None


def _delineate(rng: np.random.Generator, town: _Town) -> list[_Kawasan]:
    """Choose about twenty slum kawasan made of whole, contiguous RTs.

    Cores are drawn towards the riverbank and the old centre; each grows through RT
    neighbours inside its kelurahan to a target area. Kawasan never touch each other. Two
    are allowed to cross a kelurahan border. One more kawasan, delineated in 2019, is the
    one the 2020 revision adds.
    """
    area = np.array([g.area / 1e4 for g in town.rt_geom])
    pull = np.where(town.rt_tepi, 4.0, np.where(town.rt_river_m < 700, 1.6, 0.45))
    specs = [("mbhulu", 2016)] + [("lintas", 2016)] * 2 + [("biasa", 2016)] * (_N_KAWASAN - 3)
    specs.append(("biasa", 2019))
    mb_hulu = next(i for i, k in enumerate(_KELURAHAN) if k[1] == _MISSPELLED[0])
    for _attempt in range(30):
        used: set[int] = set()
        out: list[_Kawasan] = []
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
            out.append(_Kawasan(rts=sorted(got), kel=main, tahun=tahun))
        if ok:
            break
    else:
        raise RuntimeError("demo kawasan could not be placed; try another seed")
    # ids: the original twenty by kelurahan code then north → south; the added one last
    cy = [np.mean([town.rt_geom[r].centroid.y for r in k.rts]) for k in out]
    first = sorted(range(_N_KAWASAN), key=lambda i: (_KELURAHAN[out[i].kel][0], -cy[i]))
    ordered = [out[i] for i in first] + out[_N_KAWASAN:]
    unused = list(_NAMA_KAWASAN)
    for n, k in enumerate(ordered, start=1):
        k.kode = f"KWS-{n:02d}"
        k.geom = shapely.coverage_union_all(
            np.array([town.rt_geom[r] for r in k.rts], dtype=object)
        )
        k.nama = _name_kawasan(rng, unused, k, bool(town.rt_tepi[k.rts].any()))
    return ordered


def _name_kawasan(rng, unused: list, k: _Kawasan, tepi: bool) -> str:
    """A name that fits the kawasan's bank, kelurahan and setting; names tied to this
    kelurahan are preferred. The chosen name leaves ``unused``."""
    _, kel_nama, bank, _, _ = _KELURAHAN[k.kel]
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


def _grow_kawasan(rng, town: _Town, area, pull, kind, used, strict, mb_hulu) -> list[int] | None:
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


# =========================================================================== planted choices


@dataclass
class _Plan:
    dihapus: int  # index of the kawasan the 2020 revision removes (handled)
    ditambah: int  # index of the kawasan the revision adds
    rt_tk: int  # RT listed in the SK that is TK in the latest year
    rt_luar: int  # RT scored kumuh outside every SK location
    tingkat: np.ndarray  # 2016 target level per RT
    harus_kumuh: set[int]  # RTs whose level must stay ≥ KR throughout
    harus_tk: set[int]  # RTs whose level must stay TK throughout


def _plant(rng: np.random.Generator, town: _Town, kawasan: list[_Kawasan]) -> _Plan:
    ditambah = len(kawasan) - 1
    candidates = [i for i, k in enumerate(kawasan[:_N_KAWASAN])
                  if len({int(town.rt_kel[r]) for r in k.rts}) == 1
                  and _KELURAHAN[k.kel][1] != _MISSPELLED[0] and 2 <= len(k.rts) <= 4]  # fmt: skip
    if not candidates:
        candidates = [
            i for i in range(_N_KAWASAN) if _KELURAHAN[kawasan[i].kel][1] != _MISSPELLED[0]
        ]
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
    kr = [r for r in listed if tingkat[r] == "KR" and len(_kawasan_of(kawasan, r).rts) > 2]
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
    return _Plan(dihapus, ditambah, rt_tk, rt_luar, tingkat, harus_kumuh, harus_tk)


def _kawasan_of(kawasan: list[_Kawasan], rt: int) -> _Kawasan:
    """The kawasan holding RT index ``rt`` (private helper of the generator)."""
    return next(k for k in kawasan if rt in k.rts)


# =========================================================================== scoring (steering only)


def _pct(volume: float, denominator: float) -> Decimal:
    """domain.md §4 steps 1–2: percentage capped at 100, rounded half up to 2 decimals."""
    if denominator <= 0:
        return Decimal(0)
    p = Decimal(repr(float(volume))) * 100 / Decimal(repr(float(denominator)))
    return min(p, Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _nilai(p: Decimal) -> int:
    """domain.md §4 step 3."""
    return 5 if p >= 76 else 3 if p >= 51 else 1 if p >= 25 else 0


def _total(vol: np.ndarray, hdr: dict) -> int:
    """domain.md §4 step 5 (total nilai) — used only to steer the synthetic data."""
    return sum(_nilai(_pct(v, hdr[d])) for v, d in zip(vol.tolist(), _DEN, strict=True))


def _round_volume(value: float, den: str) -> float:
    return round(value, 2) if _UNIT[den] == "ha" else float(round(value))


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
                room, _round_volume(_draw_p(rng, s, 100.0 * room / hdr[den]) * hdr[den] / 100, den)
            )
            if _nilai(_pct(v, hdr[den])) == s:
                break
        vol[i] = v
    return vol


# =========================================================================== baseline 2016


@dataclass
class _Survey:
    hdr: list[dict]  # RT header per RT (2016)
    vol: np.ndarray  # (n_rt, 16) volumes 2016
    extra: list[dict]  # legalitas, nilai_strategis, sosial_ekonomi, tipologi


def _baseline(rng, town: _Town, kawasan: list[_Kawasan], plan: _Plan) -> _Survey:
    geo = gpd.GeoSeries(town.rt_geom, crs=WORK_CRS).to_crs(STORAGE_CRS)
    luas = hectares(geo).round(2).to_numpy()
    in_kawasan = {r for k in kawasan for r in k.rts}
    hdrs, vols, extra = [], [], []
    for i in range(town.n_rt):
        _, _, bank, _, col = _KELURAHAN[town.rt_kel[i]]
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
    return _Survey(hdr=hdrs, vol=np.array(vols), extra=extra)


# =========================================================================== simulation 2017–2020


@dataclass
class _Work:
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


def _in_force(kawasan: list[_Kawasan], plan: _Plan, tahun: int) -> list[int]:
    if tahun < 2020:
        return [i for i in range(len(kawasan)) if i != plan.ditambah]
    return [i for i in range(len(kawasan)) if i != plan.dihapus]


def _simulate(rng, town: _Town, kawasan: list[_Kawasan], plan: _Plan, survey: _Survey):
    """Years 2017–2020 (domain.md §5): collaboration works reduce the volumes of the RT
    they lie in; some RTs are surveyed again (observed rows: derived volumes plus
    unmapped self-help, and occasionally new gaps)."""
    state = survey.vol.copy()
    hdr = [dict(h) for h in survey.hdr]
    inner = [g.buffer(-4.0) for g in town.rt_geom]
    works: list[_Work] = []
    observed: list[tuple[int, int, dict, np.ndarray]] = []
    rt_kawasan = {r: i for i, k in enumerate(kawasan) for r in k.rts}
    tanpa_gap_left = _N_TANPA_GAP
    snap = {_TAHUN_BASELINE: state.copy()}  # volumes at the end of each year

    for tahun in range(_TAHUN_BASELINE + 1, _TAHUN_AKHIR + 1):
        force = _in_force(kawasan, plan, tahun)
        rts = [r for i in force for r in kawasan[i].rts]
        # worse RTs draw more work (weight grows with the total nilai of domain.md §4)
        boost = np.array([max(_total(state[r], hdr[r]), 10) / 25.0 for r in rts]) ** 1.5
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
                new[_CODE_INDEX[c]] = max(0.0, new[_CODE_INDEX[c]] - w.volume)
            must_stay = r in plan.harus_kumuh or (r == plan.rt_tk and tahun < 2020)
            if must_stay and _total(new, hdr[r]) < _KUMUH_MIN:
                continue
            state[r] = new
            w.kawasan = kawasan[rt_kawasan[r]].kode
            works.append(w)
            made += 1
            if w.tanpa_gap:
                tanpa_gap_left -= 1
                no_gap_due = False
        observed += _surveys(rng, town, kawasan, plan, tahun, state, hdr, force)
        snap[tahun] = state.copy()

    works += _works_outside(rng, town, kawasan, plan, inner, snap)
    # number the works of each year in a shuffled order (a register is not sorted by status)
    numbered = []
    for tahun in range(_TAHUN_BASELINE + 1, _TAHUN_AKHIR + 1):
        year = [w for w in works if w.tahun == tahun]
        for n, j in enumerate(rng.permutation(len(year)).tolist(), start=1):
            year[j].kode = f"KLB-{tahun}-{n:03d}"
            numbered.append(year[j])
    numbered.sort(key=lambda w: w.kode)
    return numbered, observed


def _work_inside(rng, town, r, inner, vol, hdr, tahun, want_no_gap) -> _Work | None:
    """One work inside RT ``r`` addressing a current gap (or, when ``want_no_gap``, a
    criterion that has no gap there: a Korkot flag of domain.md §7)."""
    if inner.is_empty:
        return None
    fits, weights = [], []
    for k in _KEGIATAN:
        gaps = [vol[_CODE_INDEX[c]] for c in k.kriteria]
        den = _DENOMINATOR[k.kriteria[0]]
        minimum = 0.05 if _UNIT[den] == "ha" else (25 if _UNIT[den] == "m" else 3)
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
    gap = min(vol[_CODE_INDEX[c]] for c in keg.kriteria)
    den = _DENOMINATOR[keg.kriteria[0]]
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
    return _Work("", _nama(keg, town, r), tahun, sumber, _nilai_rp(rng, keg, volume),
                 ";".join(keg.kriteria), volume, _UNIT[den], geom, "dalam", r, tanpa_gap=want_no_gap)  # fmt: skip


def _choose_sumber(rng, mix: dict, keg: _Kegiatan, town: _Town, r: int) -> str:
    desa = _KELURAHAN[town.rt_kel[r]][0][6] == "2"
    names = [
        n for n in mix if (n != "Dana Desa" or desa) and (n != "Swadaya masyarakat" or keg.swadaya)
    ]
    p = np.array([mix[n] for n in names])
    return str(names[int(rng.choice(len(names), p=p / p.sum()))])


def _nama(keg: _Kegiatan, town: _Town, r: int) -> str:
    kode, nama = _KELURAHAN[town.rt_kel[r]][:2]
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
        return p, _round_volume(target, den)
    if keg.geom == "line":
        line = _line_in(rng, inner, max(target, 25.0))
        if line is None or line.length < 20:
            return None, 0
        return line, float(round(line.length))
    ha = target if _UNIT[den] == "ha" else rng.uniform(0.08, 0.3)
    poly = _rect_in(rng, inner, min(ha, 0.35 * inner.area / 1e4))
    if poly is None:
        return None, 0
    vol = round(poly.area / 1e4, 2) if _UNIT[den] == "ha" else _round_volume(target, den)
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


def _surveys(rng, town, kawasan, plan: _Plan, tahun, state, hdr, force) -> list:
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
                if _total(v, h) <= 10:
                    break
                v[i] = _round_volume(rng.uniform(0, 0.15) * v[i], _DEN[i])
        else:
            if rng.random() < 0.35:  # unmapped self-help work
                gaps = np.flatnonzero(v > 0)
                if len(gaps):
                    i = int(rng.choice(gaps))
                    trial = v.copy()
                    trial[i] = _round_volume(v[i] * rng.uniform(0.4, 0.8), _DEN[i])
                    if r not in plan.harus_kumuh or _total(trial, h) >= _KUMUH_MIN:
                        v = trial
            if rng.random() < 0.2:  # a new gap: new houses without septic tank, damaged road
                i = int(rng.integers(16))
                d = h[_DEN[i]]
                trial = v.copy()
                room = d - (v[_PARTNER[i]] if i in _PARTNER else 0.0)
                trial[i] = min(room, _round_volume(v[i] + d * rng.uniform(0.05, 0.2), _DEN[i]))
                if r not in plan.harus_tk or _total(trial, h) <= _TK_MAX:
                    v = trial
            if r in plan.harus_kumuh and _total(v, h) < _KUMUH_MIN:
                v = state[r].copy()
                h = dict(hdr[r])
        state[r] = v
        hdr[r] = h
        rows.append((r, tahun, dict(h), v.copy()))
    return rows


def _works_outside(rng, town, kawasan, plan, inner, snap) -> list[_Work]:
    """Works straddling a kawasan border, just outside it (within 10 m) and far outside.

    Each addresses criteria that are a gap, before and in its year, in every RT it
    touches (``snap``: volumes per year), so the only "no gap" works are the planted ones.
    """
    works: list[_Work] = []
    all_union = shapely.union_all([k.geom for k in kawasan])
    tahun_pool = np.arange(_TAHUN_BASELINE + 1, _TAHUN_AKHIR + 1)
    rt_arr = np.array(town.rt_geom, dtype=object)
    rt_tree = shapely.STRtree(rt_arr)

    def rts_of(geom) -> list[int]:
        hit = rt_tree.query(geom, predicate="intersects")
        if shapely.get_type_id(geom) == 1:
            hit = hit[shapely.length(shapely.intersection(rt_arr[hit], geom)) > 0.01]
        return sorted(int(h) for h in hit)

    def pick(tahun, rts, kinds) -> _Kegiatan | None:
        ok = [k for k in kinds
              if all(snap[t][r][_CODE_INDEX[c]] > 0 for t in (tahun - 1, tahun) for r in rts
                     for c in k.kriteria)]  # fmt: skip
        return ok[int(rng.integers(len(ok)))] if ok else None

    def add(tahun, keg, geom, volume, status, r, kaw):
        sumber = _choose_sumber(rng, _DANA_LUAR, keg, town, r)
        den = _DENOMINATOR[keg.kriteria[0]]
        works.append(_Work("", _nama(keg, town, r), int(tahun), sumber,
                           _nilai_rp(rng, keg, volume), ";".join(keg.kriteria), volume,
                           _UNIT[den], geom, status, r, kaw))  # fmt: skip

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
            volume = _round_volume(rng.uniform(*keg.vol), _DENOMINATOR[keg.kriteria[0]])
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
        den = _DENOMINATOR[keg.kriteria[0]]
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


def _infrastructure(rng, town: _Town, kawasan: list[_Kawasan]) -> list[dict]:
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
        sumber = str(
            rng.choice(_SUMBER_DANA, p=[0.25, 0.08, 0.32, 0.1, 0.03, 0.03, 0.07, 0.1, 0.02])
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


# =========================================================================== frames


def _to_storage(geoms: list) -> gpd.GeoSeries:
    return gpd.GeoSeries(geoms, crs=WORK_CRS).to_crs(STORAGE_CRS)


def _text(values) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def _frames(town, kawasan, plan, survey, observed, kolab, infra) -> dict[str, pd.DataFrame]:
    kel = [_KELURAHAN[i] for i in range(len(_KELURAHAN))]
    wilayah = gpd.GeoDataFrame(
        {
            "kode_kel": _text(k[0] for k in kel),
            "kelurahan": _text(k[1] for k in kel),
            "kecamatan": _text(_KECAMATAN[k[0][:6]] for k in kel),
            "kota": _text(_KOTA for _ in kel),
            "kode_kec": _text(k[0][:6] for k in kel),
        },
        geometry=_to_storage(town.kel_geom),
    )
    rt = gpd.GeoDataFrame(
        {
            "kode_rt": _text(town.kode_rt),
            "rt": _text(f"{n:03d}" for n in town.rt_no),
            "rw": _text(f"{n:03d}" for n in town.rt_rw),
            "kode_kel": _text(_KELURAHAN[k][0] for k in town.rt_kel),
        },
        geometry=_to_storage(town.rt_geom),
    )
    delineasi = gpd.GeoDataFrame(
        {
            "kode_kawasan": _text(k.kode for k in kawasan),
            "nama_kawasan": _text(k.nama for k in kawasan),
            "kode_kel": _text(_KELURAHAN[k.kel][0] for k in kawasan),
            "tahun": pd.array([k.tahun for k in kawasan], dtype="Int64"),
        },
        geometry=_to_storage([k.geom for k in kawasan]),
    )
    rows = [(r, _TAHUN_BASELINE, survey.hdr[r], survey.vol[r]) for r in range(town.n_rt)] + observed
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
        },
        geometry=_to_storage([w.geom for w in kolab]),
    )
    return {"wilayah": wilayah, "rt": rt, "delineasi": delineasi, "baseline": base,
            "infrastruktur": infrastruktur, "kolaborasi": kolaborasi}  # fmt: skip


# =========================================================================== SK Kumuh


def _sk_tables(rng, town, kawasan, plan: _Plan, delineasi: gpd.GeoDataFrame):
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
        kode_kel, nama_kel = _KELURAHAN[k.kel][:2]
        if nama_kel == _MISSPELLED[0]:
            nama_kel = _MISSPELLED[1]
        return {
            "no_sk": no_sk, "tanggal_sk": tanggal, "kode_kawasan": k.kode, "nama_lokasi": k.nama,
            "kelurahan": nama_kel, "kecamatan": _KECAMATAN[kode_kel[:6]], "luas_sk_ha": float(luas_sk),
            "kode_rt": ";".join(sorted(town.kode_rt[r] for r in k.rts)),
        }  # fmt: skip

    rows = [row(*_SK_ASLI, i, luas_asli[i]) for i in asli]
    rows += [row(*_SK_REVISI, i, luas_revisi[i]) for i in revisi]
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


# =========================================================================== settings and planted


def _settings(town, kawasan, plan, survey) -> dict:
    """Project settings; yearly targets are cumulative shares of the 2016 luas kumuh (the
    Σ luas of kumuh RTs, domain.md §5) — ambitious, as city targets usually are."""
    luas0 = float(
        sum(survey.hdr[r]["luas_ha"] for r in range(town.n_rt) if plan.tingkat[r] != "TK")
    )
    shares = {2017: 0.10, 2018: 0.25, 2019: 0.45, 2020: 0.70}
    return {
        "kota": _KOTA,
        "provinsi": _PROVINSI,
        "kode_kota": _KODE_KOTA,
        "ibukota": "Sampit",
        "tahun_baseline": _TAHUN_BASELINE,
        "crs_kerja": WORK_CRS,
        "luas_kumuh_baseline_ha": round(luas0, 2),
        "target_pengurangan_ha": {t: round(luas0 * s, 2) for t, s in shares.items()},
        "keterangan": (
            "Proyek demo: nama dan kode wilayah asli (Sampit, Kab. Kotawaringin Timur), "
            "geometri dan angka sintetis / demo project: real place names and codes, "
            "synthetic geometry and figures"
        ),
    }


def _planted(town, kawasan, plan: _Plan, kolab: list[_Work], sk: dict) -> dict:
    kode_mb = next(k[0] for k in _KELURAHAN if k[1] == _MISSPELLED[0])
    lintas = [k.kode for k in kawasan if len({int(town.rt_kel[r]) for r in k.rts}) > 1]
    by_status: dict[str, list[str]] = defaultdict(list)
    for w in kolab:
        by_status[w.status].append(w.kode)
    dihapus = kawasan[plan.dihapus]
    ditambah = kawasan[plan.ditambah]
    return {
        "sk_asli": _SK_ASLI[0],
        "sk_revisi": _SK_REVISI[0],
        "luas_mismatch": {_SK_ASLI[0]: sk["mismatch_asli"], _SK_REVISI[0]: sk["mismatch_revisi"]},
        "nama_tidak_cocok": {
            "kelurahan_sk": _MISSPELLED[1],
            "kelurahan": _MISSPELLED[0],
            "kode_kel": kode_mb,
            "kode_kawasan": [k.kode for k in kawasan if _KELURAHAN[k.kel][0] == kode_mb],
        },
        "rt_tidak_kumuh_di_sk": {
            "no_sk": _SK_REVISI[0],
            "kode_rt": town.kode_rt[plan.rt_tk],
            "kode_kawasan": _kawasan_of(kawasan, plan.rt_tk).kode,
            "tahun": _TAHUN_AKHIR,
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
