"""The memorandum program table (domain.md §8): its columns, their storage types, the
handling patterns a line follows, the yearly budget ceilings and the cost rule every
program line follows.

The Pokja edits the draft program of the RP2KPKP annex in Excel and imports it back
(:mod:`kumuhgis.ingest.memorandum`); the project stores it as the table
:data:`kumuhgis.core.snapshot.MEMORANDUM_TABLE`, and the annex reads it back
(:func:`kumuhgis.analysis.rp2kpkp.stored_memorandum`). All three use the column list and
the coercion of this module, so the table has one shape wherever it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from kumuhgis.core.errors import UsageError
from kumuhgis.core.numeric import NumberError, is_missing, parse_number
from kumuhgis.core.vocabulary import normalize_sumber_dana

__all__ = [
    "MEMORANDUM_COLUMNS",
    "FORMER_COLUMN_NAMES",
    "POLA",
    "POLA_ON_SITE",
    "POLA_RESETTLEMENT",
    "POLA_PREVENTION",
    "CEILING_SETTINGS_KEY",
    "normal_pola",
    "pola_key",
    "load_ceilings",
    "cell_text",
    "text_series",
    "coerce_memorandum",
    "cost_rp",
]

#: The handling patterns of domain.md §8, in the order tables show them.
POLA: tuple[str, ...] = ("peremajaan", "pemugaran", "permukiman kembali", "pencegahan")
#: Patterns whose program is on-site work per criterion (peremajaan adds renewal).
POLA_ON_SITE: frozenset[str] = frozenset({"peremajaan", "pemugaran"})
#: The pattern whose program is relocation per KK, with no on-site work.
POLA_RESETTLEMENT = "permukiman kembali"
#: The pattern of areas that are not (or not designated) slums.
POLA_PREVENTION = "pencegahan"
#: Project settings key of the yearly ceilings per funding source (domain.md §8).
CEILING_SETTINGS_KEY = "pagu_tahunan"

#: Columns of the memorandum program (project table ``memorandum_program``): kind,
#: required, header label, unit, accepted header variants (normalised). ``kode_kawasan``
#: is required on every line but prevention lines, which name their kelurahan instead.
MEMORANDUM_COLUMNS: dict[str, tuple[str, bool, str, str, tuple[str, ...]]] = {
    "kode_kawasan": ("str", True, "Kode kawasan", "", ("kode", "kd_kawasan", "kode_lokasi", "id_kawasan")),
    "nama_kawasan": ("str", False, "Nama kawasan", "", ("kawasan", "nama_lokasi", "lokasi")),
    "kode_kel": ("str", False, "Kode kelurahan", "", ("kode_kelurahan", "kd_kel", "kode_desa")),
    "kelurahan": ("str", False, "Kelurahan/desa", "", ("nama_kelurahan", "desa", "kelurahan_desa")),
    "kode_rt": ("str", False, "Kode RT", "", ("rt", "daftar_rt", "kd_rt")),
    "pola": ("pola", False, "Pola penanganan", "", ("pola_penanganan",)),
    "kriteria": ("kriteria", False, "Kriteria", "", ("kode_kriteria",)),
    "kegiatan": ("str", True, "Kegiatan", "", ("uraian_kegiatan", "uraian", "nama_kegiatan", "program", "program_kegiatan")),
    "volume": ("float", True, "Volume", "", ("vol",)),
    "satuan": ("str", False, "Satuan", "", ("sat", "unit")),
    "biaya_satuan_rp": ("rupiah", False, "Biaya satuan", "Rp", ("harga_satuan_rp", "harga_satuan", "harga_rp", "harga", "biaya_satuan")),
    "biaya_rp": ("rupiah", True, "Biaya", "Rp", ("biaya", "nilai_rp", "nilai", "anggaran", "anggaran_rp", "biaya_indikatif_rp", "perkiraan_biaya_rp")),
    "tahun": ("int", True, "Tahun", "", ("tahun_anggaran", "thn", "ta", "tahun_pelaksanaan")),
    "sumber_dana": ("sumber", True, "Sumber dana", "", ("sumber", "sumber_pendanaan", "dana")),
    "rincian_dana": ("str", False, "Rincian dana", "", ("rincian_sumber_dana",)),
    "keterangan": ("str", False, "Keterangan", "", ("catatan", "ket")),
}  # fmt: skip

#: Column names of tables stored before the program followed the pattern → today's name.
FORMER_COLUMN_NAMES = {"uraian_kegiatan": "kegiatan", "harga_satuan_rp": "biaya_satuan_rp"}


def _fold(text: str) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").split())


def normal_pola(value: Any) -> str | None:
    """A handling pattern as its name in :data:`POLA` (case, spaces and ``_`` ignored);
    ``None`` when empty or not a pattern."""
    if is_missing(value):
        return None
    word = _fold(value)
    return word if word in POLA else None


def pola_key(pola: str) -> str:
    """A pattern as a column-name part: ``"permukiman kembali"`` → ``"permukiman_kembali"``."""
    return str(pola).replace(" ", "_")


def _bad_ceiling(key: str, id_: str, en: str) -> UsageError:
    return UsageError(
        f"Pengaturan '{CEILING_SETTINGS_KEY}.{key}' tidak sah: {id_} / invalid setting "
        f"'{CEILING_SETTINGS_KEY}.{key}': {en}"
    )


def load_ceilings(settings: Mapping[str, Any] | None) -> dict[str, float]:
    """The yearly budget ceiling of each funding source (domain.md §8, **configurable**):
    the project setting ``pagu_tahunan``, e.g. ``{"APBD Kab/Kota": 5000000000}``, the same
    ceiling for every year of the program. Sources are mapped onto domain.md §9
    ("APBD II" → "APBD Kab/Kota"); amounts may be written the Indonesian way
    ("Rp 5.000.000.000") and are taken in whole rupiah (rounded down). Empty → no ceilings.

    Raises
    ------
    UsageError
        Not a mapping, an unknown or repeated funding source, an amount that is not a
        number ≥ 0 — naming the key.
    """
    spec = (settings or {}).get(CEILING_SETTINGS_KEY) or {}
    if not isinstance(spec, Mapping):
        raise UsageError(
            f"Pengaturan '{CEILING_SETTINGS_KEY}' harus berupa mapping sumber dana → rupiah / "
            f"'{CEILING_SETTINGS_KEY}' must map funding sources to rupiah"
        )
    out: dict[str, float] = {}
    for raw, amount in spec.items():
        canon, _detail = normalize_sumber_dana(raw)
        if canon is None:
            raise _bad_ceiling(str(raw), "sumber dana tidak dikenal", "unknown funding source")
        if canon in out:
            raise _bad_ceiling(str(raw), f"{canon} disebut dua kali", f"{canon} appears twice")
        try:
            value = parse_number(amount, kind="rupiah")
        except NumberError:
            value = None
        if value is None or not math.isfinite(float(value)) or float(value) < 0:
            raise _bad_ceiling(
                str(raw), f"{amount!r} harus angka rupiah ≥ 0", f"{amount!r} must be rupiah ≥ 0"
            )
        out[canon] = float(math.floor(float(value)))
    return out


def cell_text(value: Any) -> str | None:
    """A cell as text: ``None`` when empty or blank; a whole float without its ``.0``."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def text_series(values: pd.Series) -> pd.Series:
    """:func:`cell_text` of every value, as a text series on a fresh range index."""
    return pd.Series([cell_text(v) for v in values.tolist()], dtype="str")


def coerce_memorandum(frame: pd.DataFrame) -> pd.DataFrame:
    """The memorandum columns in their storage types (extra columns as text, after).

    ``float``/``rupiah`` columns become float64 (unreadable → NaN), ``int`` columns int64
    (an unreadable year raises), every other column text. A table stored under the
    former column names (:data:`FORMER_COLUMN_NAMES`) is read under today's. A new frame
    on a range index; the input is not changed.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    src = frame.reset_index(drop=True)
    src = src.rename(
        columns={
            old: new
            for old, new in FORMER_COLUMN_NAMES.items()
            if old in src.columns and new not in src.columns
        }
    )
    for name, (kind, *_rest) in MEMORANDUM_COLUMNS.items():
        col = src[name] if name in src.columns else pd.Series([None] * len(src), dtype=object)
        if kind in ("float", "rupiah"):
            out[name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif kind == "int":
            out[name] = pd.to_numeric(col).astype("int64")
        elif kind == "pola":
            out[name] = pd.Series([normal_pola(v) or cell_text(v) for v in col], dtype="str")
        else:
            out[name] = text_series(col)
    for c in src.columns:
        if (
            c not in MEMORANDUM_COLUMNS
            and not str(c).startswith("_")
            and c not in ("fid", "geometry")
        ):
            out[str(c)] = text_series(src[c])
    return out


def cost_rp(volume: float, price: float) -> float:
    """Cost of a program line (domain.md §8): ``volume × price`` rounded half up to whole
    rupiah, in decimal arithmetic; NaN when either is missing."""
    if is_missing(volume) or is_missing(price):
        return float("nan")
    d = Decimal(repr(float(volume))) * Decimal(repr(float(price)))
    return float(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))
