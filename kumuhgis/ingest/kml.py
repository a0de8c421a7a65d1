"""The attributes of a KML/KMZ file, read from its XML: ``ExtendedData``.

GDAL reads a KML's geometry well but loses attributes silently: its LIBKML driver ignores
``SchemaData``/``SimpleData`` inside the folders of a KMZ (the shape every Shapefile
exported to KMZ by QGIS, ArcGIS or Google Earth has: ``<Schema name="x" id="S_x_SSSD">``
at the top, the placemarks in a folder), and its KML driver reads no ``ExtendedData`` at
all. :func:`read_extended_data` reads every placemark's ``SchemaData/SimpleData`` (the
schema found by id or by name) and ``Data/value`` pairs itself, with the container
(Document/Folder) each placemark sits in, so :mod:`kumuhgis.ingest.vector` can join them
to GDAL's geometries by placemark order (and ``id`` where present).

Why lxml and not fastkml: lxml's ``iterparse`` streams the file, so a 200 MB KML is read
in bounded memory (each placemark is dropped once read), while fastkml builds the whole
object tree; lxml also refuses entity expansion and network access (``resolve_entities``,
``no_network``) and keeps libxml2's depth and text-size limits (``huge_tree=False``), which
is what a hostile file needs. The values are kept as the text written in the file (``12,35``
stays ``"12,35"``): typing numbers follows the Indonesian/English rules of
:mod:`kumuhgis.core.numeric` in validation (domain.md §10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from lxml import etree

__all__ = [
    "KmlContainer",
    "KmlPlacemark",
    "KmlAttributes",
    "read_extended_data",
    "placemark_columns",
]

_CONTAINERS = ("Document", "Folder")
_GEOMETRIES = frozenset(
    (
        "Point",
        "LineString",
        "LinearRing",
        "Polygon",
        "MultiGeometry",
        "Track",
        "MultiTrack",
        "Model",
    )
)


@dataclass
class KmlPlacemark:
    """One placemark: its ``id`` and ``name`` (None when absent), whether it has a geometry,
    and its ``ExtendedData`` values by field name (the text as written)."""

    id: str | None
    name: str | None
    has_geometry: bool
    values: dict[str, str | None]


@dataclass
class KmlContainer:
    """A Document or Folder with the placemarks directly inside it, in file order."""

    name: str | None
    placemarks: list[KmlPlacemark] = field(default_factory=list)


@dataclass
class KmlAttributes:
    """What the file declares: ``fields`` in declaration order (schema fields first, then
    names met in ``SimpleData``/``Data``), and every container in document order (the
    order of GDAL's LIBKML layers)."""

    fields: list[str]
    containers: list[KmlContainer]


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(elem, name: str) -> str | None:
    for child in elem:
        if _local(child.tag) == name:
            return None if child.text is None else child.text.strip()
    return None


class _Reader:
    """The state of one streaming pass: open containers, schemas, fields met."""

    def __init__(self):
        self.containers: list[KmlContainer] = []
        self.stack: list[KmlContainer] = []
        self.schemas: dict[str, list[str]] = {}  # schema id and name -> field names
        self.fields: dict[str, None] = {}  # ordered set

    def schema(self, elem) -> None:
        names = [f.get("name") for f in elem if _local(f.tag) == "SimpleField" and f.get("name")]
        for key in (elem.get("id"), elem.get("name")):
            if key:
                self.schemas[key] = names
        for n in names:
            self.fields.setdefault(n)

    def schema_fields(self, url: str | None) -> list[str]:
        """The fields of the schema a ``schemaUrl`` names: ``#id``, ``id``, ``file.kml#id``
        or the schema's name."""
        key = (url or "").rsplit("#", 1)[-1]
        return self.schemas.get(key, [])

    def placemark(self, elem) -> None:
        values: dict[str, str | None] = {}
        has_geometry = False
        for child in elem:
            local = _local(child.tag)
            if local == "ExtendedData":
                self._extended(child, values)
            elif local in _GEOMETRIES:
                has_geometry = True
        pm = KmlPlacemark(elem.get("id"), _child_text(elem, "name"), has_geometry, values)
        if not self.stack:  # a placemark straight under <kml>
            self.stack.append(KmlContainer(None))
            self.containers.append(self.stack[-1])
        self.stack[-1].placemarks.append(pm)

    def _extended(self, ext, values: dict[str, str | None]) -> None:
        for item in ext:
            local = _local(item.tag)
            if local == "SchemaData":
                for name in self.schema_fields(item.get("schemaUrl")):
                    values.setdefault(name, None)
                for sd in item:
                    if _local(sd.tag) == "SimpleData" and sd.get("name"):
                        text = None if sd.text is None else sd.text.strip()
                        values[sd.get("name")] = text or None
            elif local == "Data" and item.get("name"):
                text = _child_text(item, "value")
                values[item.get("name")] = text or None
        for name in values:
            self.fields.setdefault(name)


def _drop(elem) -> None:
    """Free a finished element and the finished siblings before it (bounded memory)."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def read_extended_data(stream: IO[bytes]) -> KmlAttributes:
    """Stream a KML document and collect its placemarks' ``ExtendedData``.

    Parameters
    ----------
    stream
        The KML bytes (a file, or a KMZ member opened with :mod:`zipfile`).

    Returns
    -------
    KmlAttributes

    Raises
    ------
    lxml.etree.XMLSyntaxError
        Not well-formed XML, nesting deeper than libxml2's limit (256), or a text node over
        10 MB; the caller turns it into a message naming the file.
    """
    reader = _Reader()
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth_in_placemark = 0
    for event, elem in events:
        local = _local(elem.tag)
        if event == "start":
            if local == "Placemark":
                depth_in_placemark += 1
            elif local in _CONTAINERS and not depth_in_placemark:
                container = KmlContainer(None)
                reader.containers.append(container)
                reader.stack.append(container)
            continue
        if depth_in_placemark and local != "Placemark":
            continue  # inside a placemark: read when the placemark ends
        parent = elem.getparent()
        in_container = parent is not None and _local(parent.tag) in _CONTAINERS
        if local == "name" and in_container and reader.stack:
            reader.stack[-1].name = None if elem.text is None else elem.text.strip()
        elif local == "Schema":
            reader.schema(elem)
        elif local == "Placemark":
            depth_in_placemark -= 1
            reader.placemark(elem)
        elif local in _CONTAINERS:
            reader.stack.pop()
        if in_container or local in _CONTAINERS:
            _drop(elem)
    return KmlAttributes(list(reader.fields), reader.containers)


# --------------------------------------------------------------------------- joining to GDAL


def _layer_keys(containers: list[KmlContainer]) -> list[str | None]:
    """Container names as GDAL names its layers: a repeated name gets `` (#2)``, `` (#3)``."""
    seen: dict[str, int] = {}
    keys: list[str | None] = []
    for c in containers:
        if not c.name:
            keys.append(None)
            continue
        seen[c.name] = seen.get(c.name, 0) + 1
        keys.append(c.name if seen[c.name] == 1 else f"{c.name} (#{seen[c.name]})")
    return keys


def _same_names(placemarks: list[KmlPlacemark], names: list[str | None]) -> bool:
    def norm(n):
        return (n or "").strip()

    return all(norm(p.name) == norm(n) for p, n in zip(placemarks, names, strict=True))


def _by_id(placemarks: list[KmlPlacemark], ids: list[str | None]) -> list[KmlPlacemark]:
    """``placemarks`` in the order of GDAL's ``id`` column, when every row has a distinct id
    that the placemarks carry; otherwise in file order."""
    mine = {p.id: p for p in placemarks if p.id}
    if len(mine) == len(placemarks) and all(i in mine for i in ids) and len(set(ids)) == len(ids):
        return [mine[i] for i in ids]
    return placemarks


def placemark_columns(
    attrs: KmlAttributes,
    layer: str,
    count: int,
    names: list[str | None] | None,
    ids: list[str | None] | None,
    used: set[int],
) -> dict[str, list[str | None]] | None:
    """The ``ExtendedData`` columns for one GDAL layer, row by row, or None when no
    container of the file matches it.

    A container matches when it is named like the layer (GDAL's `` (#2)`` suffix for a
    repeated folder name included) or, failing that, is the first unused container whose
    placemark names are the layer's ``Name`` column; its placemarks are taken all, or only
    those with a geometry (GDAL's KML driver skips the others). Rows are joined by
    placemark order, or by ``id`` where GDAL gives one for every row. ``used`` collects the
    containers already joined. ``names`` (GDAL's ``Name``
    column) and ``ids`` are None when GDAL gives none.
    """
    keys = _layer_keys(attrs.containers)
    order = [i for i, k in enumerate(keys) if k == layer and i not in used]
    order += [i for i in range(len(keys)) if i not in used and i not in order]
    for i in order:
        container = attrs.containers[i]
        for pms in (container.placemarks, [p for p in container.placemarks if p.has_geometry]):
            if len(pms) != count or not pms:
                continue
            if names is not None and not _same_names(pms, names):
                continue
            used.add(i)
            if ids is not None:
                pms = _by_id(pms, ids)
            return {f: [p.values.get(f) for p in pms] for f in attrs.fields}
    return None
