"""The limits a file must keep before it is read: hostile input is refused up front.

Checked before GDAL, lxml, openpyxl or the CSV reader opens anything, from what the file
declares (a zip's central directory, a file's size), so a refusal costs no memory:

* an archive (``.zip``, ``.kmz``, ``.xlsx``) whose member paths climb out of it (``../``,
  ``/etc/…``, ``C:\\…``: "zip-slip"), or that is encrypted;
* a zip bomb: more than :data:`MAX_ARCHIVE_BYTES` (2 GiB) uncompressed in all, or a member
  of at least :data:`RATIO_FLOOR_BYTES` (1 MiB) uncompressed that is more than
  :data:`MAX_RATIO` (100) times its compressed size;
* one document read whole — a KML, GeoJSON, a Shapefile's ``.shp``/``.dbf``, an XLSX
  sheet — over :data:`MAX_DOCUMENT_BYTES` (256 MiB) uncompressed, or a CSV over
  :data:`MAX_TABLE_BYTES` (160 MiB, about 1.3 million rows of a delineation table). Other
  members of an archive (the photos in a KMZ) are never read, so a 200 MB KMZ of photos
  with a small ``doc.kml`` imports;
* a feature of more than :data:`MAX_VERTICES` (250,000) vertices (checked in validation):
  no RT, kawasan or kelurahan boundary needs that many, and the web map could not draw it.

Every refusal names the file (and member), what was found, the limit, and how to fix it,
in Bahasa Indonesia and English.

The bound these limits keep: an import of a file at the limits peaks near 1.6 GiB resident
(a CSV of 160 MiB, extrapolated from the measurements below; the cases of
``tests/test_bad_input.py`` are asserted below 1.5 GiB). Measured there: a CSV of 10^6 rows (124 MB) with one bad cell
at the end, 1.27 GB (a CSV costs about ten times its size: one Python string per cell);
GDAL's LIBKML holds about five times a KML's size (58 MB of KML, 450 MB); a 200 MB KMZ of
photos, 231 MB; a polygon of 10^6 vertices and a zip declaring 2.1 GiB, 354 MB — of which
the interpreter with kumuhgis imported is about 215 MB.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from kumuhgis.ingest.source import unreadable_file

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "MAX_DOCUMENT_BYTES",
    "MAX_TABLE_BYTES",
    "MAX_RATIO",
    "MAX_VERTICES",
    "RATIO_FLOOR_BYTES",
    "CappedReader",
    "check_archive",
    "check_document",
    "megabytes",
]

MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_DOCUMENT_BYTES = 256 * 1024**2
MAX_TABLE_BYTES = 160 * 1024**2
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024**2
MAX_VERTICES = 250_000

# members that a reader opens (the rest of an archive — photos, styles — is never read)
_READ_SUFFIXES = (".kml", ".shp", ".dbf", ".shx", ".geojson", ".json", ".csv", ".xml", ".gpkg")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def megabytes(n: int) -> str:
    """``n`` bytes as ``"256 MB"`` (MiB, rounded) for a message."""
    return f"{n / 1024**2:,.0f} MB"


def _unsafe_member(name: str) -> bool:
    """A member path that would land outside the folder it is extracted to."""
    if "\x00" in name:
        return True
    path = name.replace("\\", "/")
    if path.startswith("/") or _DRIVE_RE.match(path):
        return True
    return ".." in PurePosixPath(path).parts


def _refuse(path: Path, id_text: str, en_text: str, fix_id: str, fix_en: str):
    return unreadable_file(
        path, f"{path.name}: {id_text}", f"{path.name}: {en_text}", fix_id, fix_en
    )


def _check_member(path: Path, info: zipfile.ZipInfo) -> None:
    if info.flag_bits & 0x1:
        raise _refuse(
            path,
            f"isi '{info.filename}' terkunci kata sandi (terenkripsi)",
            f"member '{info.filename}' is password-protected (encrypted)",
            "Buat ulang zip tanpa kata sandi",
            "Make the zip again without a password",
        )
    size, packed = info.file_size, max(info.compress_size, 1)
    if size >= RATIO_FLOOR_BYTES and size / packed > MAX_RATIO:
        raise _refuse(
            path,
            f"isi '{info.filename}' mengembang {size / packed:,.0f} kali "
            f"({megabytes(packed)} → {megabytes(size)}), lebih dari batas {MAX_RATIO} kali: "
            f"kemungkinan bom zip, tidak dibaca",
            f"member '{info.filename}' expands {size / packed:,.0f} times "
            f"({megabytes(packed)} → {megabytes(size)}), more than the limit of {MAX_RATIO}: "
            f"probably a zip bomb, not read",
            "Kirim berkas aslinya (bukan zip), atau zip ulang berkas GIS yang sebenarnya",
            "Send the original file (not zipped), or zip the real GIS files again",
        )
    if info.filename.lower().endswith(_READ_SUFFIXES):
        check_document(path, size, member=info.filename)


def check_archive(path: Path) -> None:
    """Refuse a zip (``.zip``, ``.kmz``, ``.xlsx``) that is unsafe to open, from its central
    directory alone (nothing is decompressed).

    Raises
    ------
    ValidationError
        Not a zip, a member path outside the archive, an encrypted member, a zip bomb, or a
        member to be read over :data:`MAX_DOCUMENT_BYTES`.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(
            path,
            f"bukan berkas zip yang sah ({exc})",
            f"not a valid zip file ({exc})",
            "Simpan atau zip ulang berkasnya dari aplikasi asalnya",
            "Save or zip the file again from the application that made it",
        ) from exc
    bad = [i.filename for i in infos if _unsafe_member(i.filename)]
    if bad:
        raise _refuse(
            path,
            f"berisi jalur berbahaya yang keluar dari folder zip: {bad[0]!r}"
            f"{f' (dan {len(bad) - 1} lagi)' if len(bad) > 1 else ''}; berkas tidak dibuka",
            f"holds a dangerous path that climbs out of the zip folder: {bad[0]!r}"
            f"{f' (and {len(bad) - 1} more)' if len(bad) > 1 else ''}; the file was not opened",
            "Zip ulang hanya berkas GIS-nya, tanpa '..' atau jalur absolut",
            "Zip only the GIS files again, without '..' or absolute paths",
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_ARCHIVE_BYTES:
        raise _refuse(
            path,
            f"isinya {megabytes(total)} setelah dibuka, lebih dari batas "
            f"{megabytes(MAX_ARCHIVE_BYTES)}: kemungkinan bom zip, tidak dibaca",
            f"it holds {megabytes(total)} uncompressed, more than the limit of "
            f"{megabytes(MAX_ARCHIVE_BYTES)}: probably a zip bomb, not read",
            "Kirim hanya layer yang diperlukan, atau bagi per kecamatan",
            "Send only the layer needed, or split it by kecamatan",
        )
    for info in infos:
        _check_member(path, info)


def check_document(
    path: Path,
    size: int | None = None,
    *,
    member: str | None = None,
    limit: int = MAX_DOCUMENT_BYTES,
) -> None:
    """Refuse one document over ``limit`` bytes (``size`` defaults to the file's)."""
    size = path.stat().st_size if size is None else size
    if size <= limit:
        return
    what = f"isi '{member}'" if member else "berkas ini"
    what_en = f"member '{member}'" if member else "the file"
    raise _refuse(
        path,
        f"{what} berukuran {megabytes(size)}, lebih dari batas {megabytes(limit)} "
        f"untuk satu berkas yang dibaca utuh",
        f"{what_en} is {megabytes(size)}, more than the limit of "
        f"{megabytes(limit)} for one document read whole",
        "Bagi berkas per kecamatan/kelurahan, atau simpan sebagai GeoPackage (.gpkg)",
        "Split the file by kecamatan/kelurahan, or save it as a GeoPackage (.gpkg)",
    )


class CappedReader:
    """A binary stream that stops with a refusal after :data:`MAX_DOCUMENT_BYTES`, whatever
    the zip header declared (a lying size field cannot get past it)."""

    def __init__(self, stream: IO[bytes], path: Path, member: str | None = None):
        self._stream, self._path, self._member, self._read = stream, path, member, 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n if n is not None and n >= 0 else 1024**2)
        self._read += len(data)
        if self._read > MAX_DOCUMENT_BYTES:
            check_document(self._path, self._read, member=self._member)
        return data
