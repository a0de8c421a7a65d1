"""The fields a source declares, beside the fields a reader gave: nothing lost silently.

A reader may yield fewer fields than its file declares (GDAL's LIBKML driver skips a KMZ's
``SchemaData``; a GeoJSON with ``Nama`` and ``nama`` becomes one field). Each reader lists
what its file declares — a Shapefile's DBF header, the union of a GeoJSON's ``properties``,
a KML's schemas and ``ExtendedData`` — and :func:`missing_fields` turns any field that did
not arrive into a warning naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from kumuhgis.core.errors import Problem
from kumuhgis.ingest.source import listing, warning_problem

__all__ = ["dbf_field_names", "geojson_property_names", "missing_fields"]

_FEATURES_RE = re.compile(r'"features"\s*:\s*\[')


def missing_fields(
    declared: Iterable[str], columns: Iterable[str], name: str, *, where: Iterable[str] = ()
) -> list[Problem]:
    """A warning naming the ``declared`` fields absent from ``columns`` (a field stored as
    ``<name>_data`` counts as present), or no problem."""
    have = {str(c) for c in columns}
    lost = [f for f in dict.fromkeys(declared) if f not in have and f"{f}_data" not in have]
    if not lost:
        return []
    folders = list(where)
    at_id = f" (folder {listing(folders)})" if folders else ""
    at_en = f" (folder {listing(folders)})" if folders else ""
    return [
        warning_problem(
            f"{name}: {len(lost)} kolom yang dinyatakan berkas tidak terbaca{at_id}: "
            f"{listing(lost)}",
            f"{name}: {len(lost)} field(s) the file declares could not be read{at_en}: "
            f"{listing(lost)}",
            "Periksa berkas di QGIS; simpan ulang sebagai GeoPackage atau Shapefile bila kolom "
            "ini diperlukan",
            "Check the file in QGIS; save it again as GeoPackage or Shapefile if these fields "
            "are needed",
        )
    ]


def dbf_field_names(head: bytes, encoding: str | None) -> list[str]:
    """The field names in a DBF header (dBase III/IV: 32-byte descriptors after the 32-byte
    file header, ended by ``0x0D``). Empty when the header is cut or malformed."""
    if len(head) < 33:
        return []
    header_len = int.from_bytes(head[8:10], "little")
    end = min(header_len or len(head), len(head))
    names = []
    for start in range(32, end - 31, 32):
        if head[start] == 0x0D:
            break
        raw = head[start : start + 11].split(b"\x00", 1)[0]
        names.append(raw.decode(encoding or "cp1252", errors="replace").strip())
    return [n for n in names if n]


def _features(text: str):
    """Each feature of a FeatureCollection text, decoded one at a time (the largest feature,
    not the whole file, is what memory holds at once); a lone Feature is its one feature."""
    decoder = json.JSONDecoder()
    m = _FEATURES_RE.search(text)
    if m is None:
        obj, _ = decoder.raw_decode(text.lstrip())
        if isinstance(obj, dict) and obj.get("type") == "Feature":
            yield obj
        return
    pos = m.end()
    ws = re.compile(r"[\s,]*")
    while True:
        pos = ws.match(text, pos).end()
        if pos >= len(text) or text[pos] == "]":
            return
        obj, pos = decoder.raw_decode(text, pos)
        yield obj


def geojson_property_names(path: Path) -> list[str]:
    """The union of the ``properties`` keys of every feature, in order of appearance.

    Raises
    ------
    ValueError
        Not JSON (``json.JSONDecodeError``) or nested deeper than Python can decode
        (``RecursionError`` is turned into ``ValueError``).
    """
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    names: dict[str, None] = {}
    try:
        for feature in _features(text):
            props = feature.get("properties") if isinstance(feature, dict) else None
            if isinstance(props, dict):
                for key in props:
                    names.setdefault(str(key))
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    return list(names)
