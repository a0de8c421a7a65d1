"""Layer definitions of a city project (contracts.md "The store").

Each layer lists its geometry kind, its required and optional columns with a type, the
column(s) that must be unique, and the header variants users really send. The
definitions are data: validation, the store and the docs read them from here.

Column types: ``str`` (text), ``int``, ``float`` (parsed with
:func:`kumuhgis.core.numeric.parse_number`, Indonesian or English style), ``rupiah``
(like float, accepts "Rp 350.000.000,00"), ``date`` (ISO date), ``kriteria``
(criterion codes separated by ``;``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

__all__ = [
    "STORAGE_CRS",
    "empty_frame",
    "storage_dtype",
    "Column",
    "LayerSchema",
    "LAYERS",
    "CRITERIA_CODES",
    "CRITERIA_CODES_02_2016",
    "VOLUME_COLUMNS",
    "normalize_header",
    "get_layer",
    "unique_key",
]

# domain.md §3: the 16 criteria of Permen PUPR 14/PRT/M/2018 ...
CRITERIA_CODES: tuple[str, ...] = (
    "1a", "1b", "1c", "2a", "2b", "3a", "3b", "4a", "4b", "4c",
    "5a", "5b", "6a", "6b", "7a", "7b",
)  # fmt: skip
# ... and the three extra codes of Permen 02/PRT/M/2016 (4d, 4e, 6c).
CRITERIA_CODES_02_2016: tuple[str, ...] = (
    "1a", "1b", "1c", "2a", "2b", "3a", "3b", "4a", "4b", "4c", "4d", "4e",
    "5a", "5b", "6a", "6b", "6c", "7a", "7b",
)  # fmt: skip
VOLUME_COLUMNS: tuple[str, ...] = tuple(f"v_{c}" for c in CRITERIA_CODES)
#: Every layer is stored in WGS 84 longitude/latitude (contracts.md "The store", domain.md §10).
STORAGE_CRS = "EPSG:4326"

_EXTRA_VOLUME_COLUMNS = tuple(f"v_{c}" for c in ("4d", "4e", "6c"))


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "str"  # str | int | float | rupiah | date | kriteria
    required: bool = True
    aliases: tuple[str, ...] = ()  # normalized header variants (see normalize_header)
    minimum: float | None = None  # numeric lower bound (inclusive)
    choices: tuple[str, ...] = ()  # allowed values (after lower-casing), if restricted


@dataclass(frozen=True)
class LayerSchema:
    name: str
    geometry: tuple[str, ...]  # allowed geometry kinds; () = no geometry (attribute table)
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # columns whose combination must be unique
    title_id: str = ""
    title_en: str = ""
    notes: dict = field(default_factory=dict)

    @property
    def spatial(self) -> bool:
        return bool(self.geometry)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    def alias_map(self) -> dict[str, str]:
        """normalized header -> canonical column name."""
        out: dict[str, str] = {}
        for c in self.columns:
            out[c.name] = c.name
            for a in c.aliases:
                out.setdefault(normalize_header(a), c.name)
        return out


_UNIT_RE = re.compile(r"[\(\[]\s*([^\)\]]*)\s*[\)\]]")


def normalize_header(name: str) -> str:
    """Normalize a column header: ``'Luas (Ha)'`` → ``'luas_ha'``, ``'LUAS_HA'`` → ``'luas_ha'``,
    ``' Kode RT '`` → ``'kode_rt'``, ``'Nilai (Rp)'`` → ``'nilai_rp'``."""
    s = str(name).strip().lower()
    s = _UNIT_RE.sub(lambda m: "_" + m.group(1), s)
    s = re.sub(r"[^0-9a-z]+", "_", s)
    return s.strip("_")


def _c(name, type="str", required=True, aliases=(), minimum=None, choices=()):
    return Column(name, type, required, tuple(aliases), minimum, tuple(choices))


_KODE_KEL = _c(
    "kode_kel",
    aliases=(
        "kode_kelurahan",
        "kd_kel",
        "kode_desa",
        "kode_kel_desa",
        "kode_wilayah",
        "kdkel",
        "kode",
    ),
)
_TAHUN = _c("tahun", "int", aliases=("year", "thn", "tahun_anggaran", "ta"), minimum=1990)

_VOL_ALIASES = {
    # volume columns also accept the bare code: "1a" or "v1a"
    f"v_{c}": (c, f"v{c}", f"vol_{c}", f"volume_{c}")
    for c in CRITERIA_CODES_02_2016
}

LAYERS: dict[str, LayerSchema] = {
    "wilayah": LayerSchema(
        "wilayah",
        ("Polygon",),
        (
            _KODE_KEL,
            _c(
                "kelurahan",
                aliases=(
                    "nama_kelurahan",
                    "nama_kel",
                    "desa",
                    "nama_desa",
                    "kel",
                    "kelurahan_desa",
                    "desa_kelurahan",
                    "nama",
                ),
            ),
            _c("kecamatan", aliases=("nama_kecamatan", "nama_kec", "kec")),
            _c(
                "kota",
                aliases=("kabupaten", "kab_kota", "kota_kabupaten", "nama_kota", "nama_kab", "kab"),
            ),
            _c("kode_kec", required=False, aliases=("kode_kecamatan", "kd_kec")),
        ),
        unique=("kode_kel",),
        title_id="Batas administrasi kelurahan/desa",
        title_en="Kelurahan/desa boundaries",
    ),
    "rt": LayerSchema(
        "rt",
        ("Polygon",),
        (
            _c("kode_rt", aliases=("kd_rt", "id_rt", "koderti")),
            _c("rt", aliases=("no_rt", "nomor_rt")),
            _c("rw", aliases=("no_rw", "nomor_rw")),
            _KODE_KEL,
        ),
        unique=("kode_rt",),
        title_id="Batas RT",
        title_en="RT (neighbourhood) polygons",
    ),
    "delineasi": LayerSchema(
        "delineasi",
        ("Polygon",),
        (
            _c("kode_kawasan", aliases=("kd_kawasan", "id_kawasan", "kode_lokasi")),
            _c("nama_kawasan", aliases=("kawasan", "nama_lokasi", "lokasi")),
            _KODE_KEL,
            _TAHUN,
            # the luas the office wrote on its delineation (LUAS_HA, "Luas (Ha)"), kept beside
            # the SK's and the polygon's hectares for verify-sk (domain.md §6)
            _c(
                "luas_tercatat_ha",
                "float",
                required=False,
                aliases=(
                    "luas_ha",
                    "luas",
                    "luas_kawasan",
                    "luas_kawasan_ha",
                    "luas_delineasi",
                    "luas_delineasi_ha",
                    "luas_kumuh",
                    "luas_kumuh_ha",
                    "luas_tercatat",
                ),
                minimum=0,
            ),  # fmt: skip
            # the version a polygon belongs to: an SK number, or a dated version of its own
            # (kumuhgis.core.sk.delineation_of); empty = every version
            _c("versi", required=False, aliases=("versi_delineasi", "no_sk", "nomor_sk")),
            _c("tanggal_versi", "date", required=False, aliases=("tanggal_delineasi",)),
        ),
        unique=("kode_kawasan", "versi"),
        title_id="Delineasi kawasan kumuh",
        title_en="Delineated slum areas",
    ),
    "sk_kumuh": LayerSchema(
        "sk_kumuh",
        (),
        (
            _c("no_sk", aliases=("nomor_sk", "no_sk_kumuh", "sk", "nomor")),
            _c("tanggal_sk", "date", aliases=("tgl_sk", "tanggal", "tgl")),
            _c("kode_kawasan", aliases=("kd_kawasan", "id_kawasan", "kode_lokasi")),
            _c("nama_lokasi", aliases=("lokasi", "nama_kawasan", "kawasan")),
            _c(
                "kelurahan",
                aliases=("nama_kelurahan", "desa", "kelurahan_desa", "desa_kelurahan", "kel"),
            ),
            _c("kecamatan", aliases=("nama_kecamatan", "kec")),
            _c(
                "luas_sk_ha",
                "float",
                aliases=("luas_ha", "luas", "luas_sk", "luas_kumuh_ha", "luas_kawasan_ha"),
                minimum=0,
            ),
            _c("kode_rt", required=False, aliases=("daftar_rt", "rt")),
        ),
        unique=("no_sk", "kode_kawasan"),
        title_id="SK Kumuh (semua versi)",
        title_en="SK Kumuh decree rows (all versions)",
    ),
    "baseline": LayerSchema(
        "baseline",
        (),
        (
            _c("kode_rt", aliases=("kd_rt", "id_rt")),
            _TAHUN,
            _c("luas_ha", "float", aliases=("luas", "luas_rt_ha", "luas_wilayah_ha"), minimum=0),
            _c(
                "jumlah_bangunan",
                "int",
                aliases=("jml_bangunan", "bangunan", "jumlah_unit_bangunan"),
                minimum=0,
            ),
            _c(
                "jumlah_penduduk",
                "int",
                aliases=("jml_penduduk", "penduduk", "jumlah_jiwa", "jiwa"),
                minimum=0,
            ),
            _c("jumlah_kk", "int", aliases=("jml_kk", "kk"), minimum=0),
            _c(
                "panjang_jalan_ideal_m",
                "float",
                aliases=("panjang_jalan_ideal", "jalan_ideal_m", "pjg_jalan_ideal_m"),
                minimum=0,
            ),
            _c(
                "panjang_drainase_ideal_m",
                "float",
                aliases=("panjang_drainase_ideal", "drainase_ideal_m", "pjg_drainase_ideal_m"),
                minimum=0,
            ),
            *(_c(v, "float", aliases=_VOL_ALIASES[v], minimum=0) for v in VOLUME_COLUMNS),
            *(
                _c(v, "float", required=False, aliases=_VOL_ALIASES[v], minimum=0)
                for v in _EXTRA_VOLUME_COLUMNS
            ),
            _c(
                "panjang_jalan_eksisting_m",
                "float",
                required=False,
                aliases=("panjang_jalan_eksisting", "jalan_eksisting_m"),
                minimum=0,
            ),
            _c(
                "legalitas",
                required=False,
                aliases=("legalitas_lahan",),
                choices=("legal", "ilegal"),
            ),
            # domain.md §8: legal only when land tenure AND spatial-plan conformity are
            # both positive; either alone leaves an RT's legality unknown
            _c(
                "status_lahan",
                required=False,
                aliases=("status_tanah", "status_kepemilikan_lahan", "status_kepemilikan_tanah"),
            ),
            _c(
                "kesesuaian_rtr",
                required=False,
                aliases=("kesesuaian_tata_ruang", "kesesuaian_rtrw", "kesesuaian_rdtr"),
            ),
            _c("nilai_strategis", required=False, aliases=("lokasi_strategis", "strategis")),
            _c("sosial_ekonomi", required=False, aliases=("potensi_sosial_ekonomi", "sosek")),
            _c("tipologi", required=False, aliases=("tipologi_kawasan",)),
        ),
        unique=("kode_rt", "tahun"),
        title_id="Baseline kondisi kumuh per RT per tahun",
        title_en="Per-RT slum criteria by year",
    ),
    "infrastruktur": LayerSchema(
        "infrastruktur",
        ("Point", "LineString"),
        (
            _c("kode_infra", aliases=("kd_infra", "id_infra", "kode")),
            _c("jenis", aliases=("jenis_infrastruktur", "tipe", "type")),
            _c("kriteria", "kriteria", aliases=("kode_kriteria",)),
            _TAHUN,
            _c("sumber_dana", aliases=("sumber", "sumber_pendanaan", "dana")),
            _c("kondisi", aliases=("keadaan", "status_kondisi")),
        ),
        unique=("kode_infra",),
        title_id="Infrastruktur (titik dan garis)",
        title_en="Infrastructure points and lines",
    ),
    "kolaborasi": LayerSchema(
        "kolaborasi",
        ("Point", "LineString", "Polygon"),
        (
            _c("kode_kegiatan", aliases=("kd_kegiatan", "id_kegiatan", "kode")),
            _c("nama_kegiatan", aliases=("kegiatan", "nama", "uraian_kegiatan")),
            _TAHUN,
            _c("sumber_dana", aliases=("sumber", "sumber_pendanaan", "dana")),
            _c(
                "nilai_rp",
                "rupiah",
                aliases=("nilai", "nilai_rupiah", "anggaran", "anggaran_rp", "biaya", "biaya_rp"),
                minimum=0,
            ),
            _c("kriteria", "kriteria", aliases=("kode_kriteria",)),
            _c("volume", "float", aliases=("vol",), minimum=0),
            _c("satuan", aliases=("unit", "sat")),
            # one volume per criterion, aligned with `kriteria` ("35;0"; domain.md §5)
            _c("volume_kriteria", required=False, aliases=("volume_per_kriteria",)),
        ),
        unique=("kode_kegiatan",),
        title_id="Kegiatan kolaborasi",
        title_en="Collaboration projects",
    ),
}


def unique_key(frame: pd.DataFrame, schema: LayerSchema, *, sep: str = " | ") -> pd.Series:
    """The unique key of every row (``schema.unique`` joined by ``sep``); an optional key
    column the frame lacks, or an empty cell of one, counts as ``""`` (a delineasi polygon
    without ``versi`` is keyed by its ``kode_kawasan`` alone)."""
    parts = []
    for name in schema.unique:
        column = schema.column(name)
        if name in frame.columns:
            values = frame[name].astype("str")
            if column is not None and not column.required:
                values = values.where(frame[name].notna(), "")
        else:
            values = pd.Series([""] * len(frame), index=frame.index, dtype="str")
        parts.append(values)
    if not parts:
        return pd.Series([""] * len(frame), index=frame.index, dtype="str")
    key = parts[0]
    for values in parts[1:]:
        key = key + sep + values
    return key


def get_layer(name: str) -> LayerSchema:
    from kumuhgis.core.errors import UsageError

    try:
        return LAYERS[name]
    except KeyError:
        raise UsageError(
            f"Layer '{name}' tidak dikenal; pilih salah satu: {', '.join(LAYERS)} / "
            f"unknown layer '{name}'; choose one of: {', '.join(LAYERS)}"
        ) from None


def empty_frame(layer: str) -> pd.DataFrame:
    """An empty frame with the layer's columns and types (and geometry for spatial layers)."""
    schema = get_layer(layer)
    df = pd.DataFrame({c.name: pd.Series([], dtype=storage_dtype(c.type)) for c in schema.columns})
    if schema.spatial:
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=STORAGE_CRS))
    return df


def storage_dtype(kind: str):
    """The pandas dtype a column of schema type ``kind`` is stored in."""
    return {"int": "Int64", "float": "float64", "rupiah": "float64"}.get(kind, "str")
