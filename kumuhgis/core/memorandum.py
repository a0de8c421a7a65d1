"""The memorandum program table (domain.md §8): its columns, their storage types and the
cost rule every program line follows.

The Pokja edits the draft program of the RP2KPKP annex in Excel and imports it back
(:mod:`kumuhgis.ingest.memorandum`); the project stores it as the table
:data:`kumuhgis.core.snapshot.MEMORANDUM_TABLE`, and the annex reads it back
(:func:`kumuhgis.analysis.rp2kpkp.stored_memorandum`). All three use the column list and
the coercion of this module, so the table has one shape wherever it is.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from kumuhgis.core.numeric import is_missing

__all__ = [
    "MEMORANDUM_COLUMNS",
    "cell_text",
    "text_series",
    "coerce_memorandum",
    "cost_rp",
]

#: Columns of the memorandum program (project table ``memorandum_program``): kind,
#: required, header label, unit, accepted header variants (normalised).
MEMORANDUM_COLUMNS: dict[str, tuple[str, bool, str, str, tuple[str, ...]]] = {
    "kode_kawasan": ("str", True, "Kode kawasan", "", ("kode", "kd_kawasan", "kode_lokasi", "id_kawasan")),
    "nama_kawasan": ("str", False, "Nama kawasan", "", ("kawasan", "nama_lokasi", "lokasi")),
    "kriteria": ("kriteria", False, "Kriteria", "", ("kode_kriteria",)),
    "uraian_kegiatan": ("str", True, "Uraian kegiatan", "", ("kegiatan", "uraian", "nama_kegiatan", "program", "program_kegiatan")),
    "volume": ("float", True, "Volume", "", ("vol",)),
    "satuan": ("str", False, "Satuan", "", ("sat", "unit")),
    "harga_satuan_rp": ("rupiah", False, "Harga satuan", "Rp", ("harga_satuan", "harga_rp", "harga")),
    "biaya_rp": ("rupiah", True, "Biaya", "Rp", ("biaya", "nilai_rp", "nilai", "anggaran", "anggaran_rp", "biaya_indikatif_rp", "perkiraan_biaya_rp")),
    "tahun": ("int", True, "Tahun", "", ("tahun_anggaran", "thn", "ta", "tahun_pelaksanaan")),
    "sumber_dana": ("sumber", True, "Sumber dana", "", ("sumber", "sumber_pendanaan", "dana")),
    "rincian_dana": ("str", False, "Rincian dana", "", ("rincian_sumber_dana",)),
    "keterangan": ("str", False, "Keterangan", "", ("catatan", "ket")),
}  # fmt: skip


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
    (an unreadable year raises), every other column text. A new frame on a range index;
    the input is not changed.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    src = frame.reset_index(drop=True)
    for name, (kind, *_rest) in MEMORANDUM_COLUMNS.items():
        col = src[name] if name in src.columns else pd.Series([None] * len(src), dtype=object)
        if kind in ("float", "rupiah"):
            out[name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif kind == "int":
            out[name] = pd.to_numeric(col).astype("int64")
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
