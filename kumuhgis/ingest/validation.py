"""Validate a raw input frame against a layer of the store (contracts.md "The store").

Every problem is collected — row, column, value, what is wrong, how to fix, in Bahasa
Indonesia and English — so a user fixes a file in one pass (conventions.md "Errors").

* Headers: the variants users really send (case, spaces, units in brackets such as
  ``Luas (Ha)``, ``LUAS_HA``, ``luas``) map onto the schema's names; ``mapping``
  (``--map SRC=DST``) wins; unknown columns are kept under a normalised name.
* Numbers: Indonesian and English styles and rupiah strings (domain.md §10).
* CRS: the file's own; none and lon/lat inside Indonesia → EPSG:4326 with a warning;
  none and projected → refused, naming the likely UTM zones (domain.md §10). Stored in
  EPSG:4326.
* Geometry: invalid → repaired only when ``lenient`` and listed; null/empty, wrong type,
  outside Indonesia → rejected.
* Duplicate ids (within the file, or against rows already stored) and missing required
  values → rejected.
* Criterion codes must be codes of the project's rule set (an error naming the rule set;
  ``lenient`` drops the unknown code and lists the row). A kolaborasi's volume per
  criterion and its unit: :mod:`kumuhgis.ingest.volumes` (domain.md §5).

Strict (default): any error means nothing is stored. Lenient: repairs applied, rejected
rows returned separately, and ``rows_in == rows_stored + rows_rejected`` always.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.errors import Problem, ValidationError
from kumuhgis.core.numeric import format_number_id, number_column, parse_number_series
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.schema import (
    STORAGE_CRS,
    LayerSchema,
    get_layer,
    normalize_header,
    unique_key,
)
from kumuhgis.core.vocabulary import (
    normalize_sumber_dana,
    parse_kriteria,
    parse_kriteria_series,
    suggest_sumber_dana,
)
from kumuhgis.geo.crs import INDONESIA_BOUNDS_LONLAT, resolve_crs
from kumuhgis.ingest.limits import MAX_VERTICES
from kumuhgis.ingest.volumes import check_work_volumes
from kumuhgis.store import coerce_to_schema

__all__ = ["Area", "ValidationResult", "validate_frame", "map_columns"]

_GEOM_KINDS = {
    "Point": ("Point", "MultiPoint"),
    "LineString": ("LineString", "MultiLineString"),
    "Polygon": ("Polygon", "MultiPolygon"),
}
_KIND_ID = {
    "Point": "titik",
    "LineString": "garis",
    "Polygon": "poligon",
}


@dataclass
class ValidationResult:
    """Outcome of :func:`validate_frame`."""

    layer: str
    source: str
    frame: pd.DataFrame  # accepted rows, storage types, EPSG:4326
    rejected: pd.DataFrame  # rejected input rows with `_row` and `alasan` (reason)
    problems: list[Problem] = field(default_factory=list)
    rows_in: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def repaired(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "repaired"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.problems, source=self.source, layer=self.layer)

    def problems_frame(self) -> pd.DataFrame:
        cols = ["severity", "row", "column", "value", "masalah", "problem", "perbaikan", "fix"]
        return pd.DataFrame([p.as_dict() for p in self.problems], columns=cols)


class _Collector:
    """Problems by row; a row with an error is rejected, file-level errors reject everything."""

    def __init__(self, rows: pd.Series):
        self.rows = rows  # index label -> user-visible row number
        self.problems: list[Problem] = []
        self.bad: set = set()
        self.file_error = False

    def file(self, column, value, masalah, problem, perbaikan="", fix="", severity="error"):
        self.problems.append(
            Problem(None, column, value, masalah, problem, perbaikan, fix, severity)
        )
        if severity == "error":
            self.file_error = True

    def row(self, idx, column, value, masalah, problem, perbaikan="", fix="", severity="error"):
        shown = None if value is None else str(value)
        self.problems.append(
            Problem(int(self.rows[idx]), column, shown, masalah, problem, perbaikan, fix, severity)
        )
        if severity == "error":
            self.bad.add(idx)


def map_columns(
    columns: list[str], schema: LayerSchema, mapping: dict[str, str] | None = None
) -> tuple[dict[str, str], list[tuple[str, str, str, str, str]]]:
    """Decide the stored name of every input column.

    Returns ``{input name: stored name}`` and a list of notes
    ``(column, masalah, problem, perbaikan, fix)`` for columns that could not be mapped
    as asked (an unknown ``--map`` source, two inputs for one schema column).
    """
    mapping = dict(mapping or {})
    aliases = schema.alias_map()
    result: dict[str, str] = {}
    notes = []
    by_norm = {normalize_header(c): c for c in columns}
    taken: dict[str, str] = {}
    for src, dst in mapping.items():
        col = src if src in columns else by_norm.get(normalize_header(src))
        if col is None:
            notes.append(
                (
                    src,
                    f"kolom '{src}' yang disebut di --map tidak ada di berkas",
                    f"column '{src}' named in --map is not in the file",
                    f"kolom yang ada: {', '.join(columns)}",
                    f"columns present: {', '.join(columns)}",
                )
            )
            continue
        result[col] = dst
        taken[dst] = col
    # exact schema names first, then aliases, so "luas_ha" beats "luas" for luas_ha
    rest = [c for c in columns if c not in result and c != "geometry" and not c.startswith("_")]
    ranked = sorted(
        rest, key=lambda c: 0 if normalize_header(c) in {x.name for x in schema.columns} else 1
    )
    for col in ranked:
        norm = normalize_header(col) or "kolom"
        target = aliases.get(norm, norm)
        if target in taken:
            if target in aliases.values():
                notes.append(
                    (
                        col,
                        f"kolom '{col}' dan '{taken[target]}' sama-sama berarti '{target}'; '{col}' disimpan apa adanya",
                        f"columns '{col}' and '{taken[target]}' both mean '{target}'; '{col}' kept as an extra column",
                        f"pakai --map '{col}={target}' bila '{col}' yang benar",
                        f"use --map '{col}={target}' if '{col}' is the right one",
                    )
                )
            target = norm
            n = 2
            while target in taken:
                target = f"{norm}_{n}"
                n += 1
        result[col] = target
        taken[target] = col
    return result, notes


def validate_frame(
    frame: pd.DataFrame,
    layer: str,
    *,
    lenient: bool = False,
    mapping: dict[str, str] | None = None,
    source: str = "",
    existing: pd.DataFrame | None = None,
    assume_crs: str | None = None,
    rules: RuleSet | str | None = None,
    within: Area | None = None,
    fill: dict[str, str] | None = None,
) -> ValidationResult:
    """Check ``frame`` against ``layer`` and return the rows that can be stored.

    Parameters
    ----------
    frame
        Raw rows as read by :func:`kumuhgis.ingest.readers.read_file` (a ``_row`` column gives the
        row number a user sees; made up from the index when absent).
    layer
        Target layer name (contracts.md "The store").
    lenient
        Repair invalid geometries and drop (not refuse) bad rows.
    mapping
        ``{input column: layer column}`` from ``--map SRC=DST``.
    existing
        Rows already in the store when appending: their ids count for uniqueness.
    assume_crs
        CRS the user says the file is in, used when the file has none.
    rules
        The project's rule set (criterion codes, units, volume groups); default
        Permen 14/2018.
    within
        Where the uploader may put features (a facilitator's kelurahan): a feature of a
        spatial layer that does not touch it is a row error.
    fill
        ``{layer column: value}`` from ``--fill COL=VALUE``: the value of every empty cell of
        that column, or of the whole column when the file lacks it (:func:`_fill_columns`).
    """
    schema = get_layer(layer)
    rules = load_rules(rules)
    raw = frame.copy()
    if "_row" not in raw.columns:
        raw["_row"] = np.arange(2, len(raw) + 2)
    raw = raw.reset_index(drop=True)
    col = _Collector(raw["_row"])
    data = _check_columns(raw, schema, col, mapping, fill, rules)
    data = _layer_geometry(data, schema, col, lenient=lenient, source=source, assume_crs=assume_crs)
    if within is not None and schema.spatial and not col.file_error:
        _check_within(data, col, within)
    works = schema.name == "kolaborasi"
    for c in schema.columns:
        if works and c.name in ("volume", "satuan", "volume_kriteria"):
            continue  # checked per criterion below
        if c.name in data.columns:
            data = _check_layer_column(data, c, schema, col, lenient=lenient, rules=rules)
    data = _type_extras(data, schema)
    if works and not col.file_error:
        data, found = check_work_volumes(data, rules, lenient=lenient)
        for p in found:
            col.row(p.idx, p.column, p.value, p.masalah, p.problem, p.perbaikan, p.fix, p.severity)
    if schema.unique and all(u in data.columns for u in schema.required if u in schema.unique):
        _check_unique(data, schema, col, existing)
    if schema.name == "sk_kumuh" and existing is not None and "no_sk" in data.columns:
        _check_sk_versions(data, col, existing)
    return _outcome(raw, data, col, layer=layer, source=source)


@dataclass(frozen=True)
class Area:
    """Where an uploader may put features: a geometry in EPSG:4326 and its name."""

    geometry: object  # shapely geometry, EPSG:4326
    label: str


def _check_within(data: gpd.GeoDataFrame, col: _Collector, within: Area) -> None:
    """A feature that does not touch ``within`` (a facilitator's kelurahan, issue 15
    roles) is a row error."""
    geoms = data.geometry.values
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    inside = shapely.intersects(geoms, within.geometry)
    for idx in np.flatnonzero(present & ~inside):
        col.row(
            idx,
            "geometry",
            None,
            f"di luar wilayah Anda ({within.label})",
            f"outside your area ({within.label})",
            "unggah hanya kegiatan di kelurahan Anda, atau minta Korkot/Pokja mengunggahnya",
            "upload only works in your kelurahan, or ask the Korkot/Pokja to upload it",
        )


def _check_columns(
    raw: pd.DataFrame,
    schema: LayerSchema,
    col: _Collector,
    mapping: dict[str, str] | None,
    fill: dict[str, str] | None = None,
    rules: RuleSet | None = None,
) -> pd.DataFrame:
    """``raw`` with its columns renamed to the layer's names and ``fill`` applied; a missing
    required column is a file error."""
    geom_name = raw.geometry.name if isinstance(raw, gpd.GeoDataFrame) else None
    in_cols = [c for c in raw.columns if c != geom_name]
    names, notes = map_columns(in_cols, schema, mapping)
    for column, *texts in notes:
        col.file(column, None, *texts, severity="error" if "--map" in texts[0] else "warning")
    data = raw.rename(columns=names)
    if fill:
        data = _fill_columns(data, schema, col, fill, rules)
    for c in schema.required:
        if c not in data.columns and c not in (fill or {}):  # a bad --fill said so already
            col.file(
                c,
                None,
                f"kolom wajib '{c}' tidak ada",
                f"required column '{c}' is missing",
                f"tambahkan kolom '{c}' atau petakan kolom yang ada dengan --map NAMA={c}"
                f" (atau isi semua baris dengan --fill {c}=NILAI)",
                f"add column '{c}' or map an existing one with --map NAME={c}"
                f" (or give every row one value with --fill {c}=VALUE)",
            )
    return data


def _check_layer_column(data: pd.DataFrame, c, schema, col: _Collector, *, lenient, rules):
    """``data`` with its column ``c`` checked and read (a funding source also against the
    controlled list of domain.md §9)."""
    data[c.name] = _check_column(data[c.name], c, schema, col, lenient=lenient, rules=rules)
    if c.name == "sumber_dana":
        data = _check_sumber_dana(data, col, lenient=lenient)
    return data


def _fill_columns(
    data: pd.DataFrame, schema: LayerSchema, col: _Collector, fill: dict[str, str], rules
) -> pd.DataFrame:
    """``--fill COL=VALUE``: what an office file leaves out but the user knows for every
    row — the year of a published table, the funding source and condition of an OSM
    extract of hydrants. A column the file lacks is added with VALUE; a column it has gets
    VALUE in its empty cells, and a filled cell that says otherwise is a row error (the
    file and the command disagree: never overwritten). VALUE is checked as a cell of the
    column (a year must be a year). COL must be a column of the layer."""
    columns = {c.name: c for c in schema.columns}
    names = set(columns)
    out = data.copy()
    for name, value in fill.items():
        if name not in names:
            col.file(name, value, f"--fill: layer '{schema.name}' tidak punya kolom '{name}'",
                     f"--fill: layer '{schema.name}' has no column '{name}'",
                     f"pilih salah satu: {', '.join(sorted(names))}",
                     f"choose one of: {', '.join(sorted(names))}")  # fmt: skip
            continue
        if not _fill_value_ok(value, columns[name], schema, col, rules):
            continue
        if name not in out.columns:
            out[name] = value
            continue
        cells = out[name].astype(object)  # a typed column (Int64) takes the text as a cell
        empty = cells.isna() | cells.astype(str).str.strip().eq("")
        out[name] = cells.where(~empty, value)
        for idx in np.flatnonzero(~empty.to_numpy() & ~_same_cells(cells, value)):
            col.row(idx, name, cells.iloc[idx],
                    f"berkas berisi '{cells.iloc[idx]}', --fill {name}={value} berkata lain",
                    f"the file says '{cells.iloc[idx]}', --fill {name}={value} says otherwise",
                    f"perbaiki sel ini atau jangan pakai --fill {name}",
                    f"correct this cell or leave out --fill {name}")  # fmt: skip
    return out


def _fill_value_ok(value: str, column, schema: LayerSchema, col, rules) -> bool:
    """A ``--fill`` value checked once as a cell of its column: a bad one is one file error
    (not one per row)."""
    name = column.name
    probe = _Collector(pd.Series([0]))
    cell = pd.DataFrame({name: pd.Series([value], dtype=object)})
    _check_layer_column(cell, column, schema, probe, lenient=False, rules=rules)
    errors = [p for p in probe.problems if p.severity == "error"]
    for p in errors:
        col.file(name, value, f"--fill {name}={value}: {p.masalah}", f"--fill {name}={value}: {p.problem}",
                 p.perbaikan, p.fix)  # fmt: skip
    return not errors


def _same_cells(cells: pd.Series, value: str) -> np.ndarray:
    """Which cells say ``value``: the same text, or the same number read the Indonesian or
    English way (``2019`` = ``2019.0``, ``12,5`` = ``12.5``; domain.md §10)."""
    text = cells.astype(str).str.strip()
    same = text.to_numpy() == value.strip()
    wanted = parse_number_series(pd.Series([value.strip()], dtype=object))[0].iloc[0]
    if pd.notna(wanted):
        numbers = parse_number_series(text.astype(object))[0].to_numpy(dtype=float)
        same |= numbers == wanted
    return same


def _type_extras(data: pd.DataFrame, schema: LayerSchema) -> pd.DataFrame:
    """Undeclared text columns whose every value is a number become numbers
    (:func:`kumuhgis.core.numeric.number_column`, domain.md §10): ``LUAS = 12,35`` is stored
    as 12.35, so QGIS and every sum see a number; codes such as ``001`` stay text."""
    declared = {c.name for c in schema.columns}
    geom = data.geometry.name if isinstance(data, gpd.GeoDataFrame) else None
    out = data
    for name in data.columns:
        if name in declared or name == geom or str(name).startswith("_"):
            continue
        if data[name].dtype != object and not pd.api.types.is_string_dtype(data[name]):
            continue
        numbers = number_column(data[name])
        if numbers is not None:
            out = out.copy() if out is data else out
            out[name] = numbers
    return out


def _layer_geometry(
    data: pd.DataFrame, schema: LayerSchema, col: _Collector, *, lenient, source, assume_crs
) -> pd.DataFrame:
    """A spatial layer needs geometry (checked by :func:`_check_geometry`); a table layer
    drops the file's geometry, with a warning when there was any."""
    layer = schema.name
    has_geom = isinstance(data, gpd.GeoDataFrame)
    if schema.spatial:
        if not has_geom:
            col.file(
                "geometry",
                None,
                f"layer '{layer}' perlu geometri, berkas ini tidak punya",
                f"layer '{layer}' needs geometry and this file has none",
                "beri kolom bujur/lintang (lon/lat) atau WKT, atau pakai Shapefile/GeoPackage/GeoJSON/KML",
                "give lon/lat or WKT columns, or use a Shapefile/GeoPackage/GeoJSON/KML",
            )
            return data
        return _check_geometry(
            data, schema, col, lenient=lenient, source=source, assume_crs=assume_crs
        )
    if has_geom:
        if data.geometry.notna().any() and not data.geometry.is_empty.all():
            col.file(
                "geometry",
                None,
                f"layer '{layer}' tanpa geometri; geometri di berkas diabaikan",
                f"layer '{layer}' has no geometry; the file's geometry is ignored",
                severity="warning",
            )
        data = pd.DataFrame(data.drop(columns=data.geometry.name))
    return data


def _outcome(
    raw: pd.DataFrame, data: pd.DataFrame, col: _Collector, *, layer: str, source: str
) -> ValidationResult:
    """Accepted rows in storage types and rejected input rows with their ``alasan``; a file
    error rejects every row."""
    n = len(raw)
    bad = set(range(n)) if col.file_error else col.bad
    keep = [i for i in range(n) if i not in bad]
    rejected = raw.iloc[sorted(bad)].copy()
    if isinstance(rejected, gpd.GeoDataFrame):
        wkt = rejected.geometry.to_wkt()
        rejected = pd.DataFrame(rejected.drop(columns=rejected.geometry.name)).assign(geometry=wkt)
    reasons = defaultdict(list)
    for p in col.problems:
        if p.severity == "error" and p.row is not None:
            reasons[p.row].append(p.text("id"))
    if col.file_error:
        file_reason = "; ".join(
            p.text("id") for p in col.problems if p.row is None and p.severity == "error"
        )
        rejected["alasan"] = [file_reason] * len(rejected)
    else:
        rejected["alasan"] = ["; ".join(reasons[r]) for r in rejected["_row"]]
    accepted = data.iloc[keep] if keep else data.iloc[0:0]
    if not col.file_error:
        accepted = coerce_to_schema(accepted, layer).reset_index(drop=True)
    return ValidationResult(
        layer=layer,
        source=source,
        frame=accepted,
        rejected=rejected.reset_index(drop=True),
        problems=col.problems,
        rows_in=n,
    )


def _check_geometry(data, schema, col: _Collector, *, lenient, source, assume_crs):
    gdf, crs_problems = resolve_crs(data, source=source, assume_crs=assume_crs)
    for p in crs_problems:
        col.problems.append(p)
        if p.severity == "error":
            col.file_error = True
    if col.file_error:
        return gdf
    geoms = gdf.geometry.array
    allowed = set()
    for kind in schema.geometry:
        allowed.update(_GEOM_KINDS[kind])
    kinds_id = "/".join(_KIND_ID[k] for k in schema.geometry)
    kinds_en = "/".join(schema.geometry)
    types = shapely.get_type_id(np.asarray(geoms))
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                      "MultiPolygon", "GeometryCollection"])  # fmt: skip
    arr = np.asarray(geoms, dtype=object).copy()
    for i, g in enumerate(arr):
        if g is None or shapely.is_empty(g):
            col.row(i, "geometry", None, "geometri kosong", "geometry is null or empty",
                    "gambar ulang fitur ini atau hapus barisnya", "redraw the feature or delete the row")  # fmt: skip
            continue
        tname = names[types[i]] if types[i] >= 0 else "?"
        if tname not in allowed:
            col.row(i, "geometry", tname,
                    f"jenis geometri {tname} tidak boleh di layer {schema.name} (harus {kinds_id})",
                    f"geometry type {tname} not allowed in layer {schema.name} (must be {kinds_en})",
                    "simpan fitur ini di layer yang sesuai", "store this feature in the matching layer")  # fmt: skip
            continue
        if (vertices := shapely.get_num_coordinates(g)) > MAX_VERTICES:
            col.row(i, "geometry", f"{vertices:,}",
                    f"fitur ini punya {format_number_id(vertices, 0)} titik sudut, lebih dari "
                    f"batas {format_number_id(MAX_VERTICES, 0)}",
                    f"this feature has {vertices:,} vertices, more than the limit of {MAX_VERTICES:,}",
                    "sederhanakan di QGIS (Vector ▸ Geometry Tools ▸ Simplify, toleransi 0,5 m) lalu impor lagi",
                    "simplify it in QGIS (Vector ▸ Geometry Tools ▸ Simplify, 0.5 m tolerance) and import again")  # fmt: skip
            continue
        if not shapely.is_valid(g):
            reason = shapely.is_valid_reason(g)
            if lenient:
                fixed = _repair(g, tname)
                if fixed is None:
                    col.row(i, "geometry", reason, "geometri tidak valid dan tidak bisa diperbaiki",
                            "invalid geometry that cannot be repaired", "gambar ulang fitur ini",
                            "redraw the feature")  # fmt: skip
                    continue
                arr[i] = fixed
                col.row(i, "geometry", reason, "geometri tidak valid, sudah diperbaiki otomatis",
                        "invalid geometry, repaired", "periksa hasil perbaikan di peta",
                        "check the repaired shape on the map", severity="repaired")  # fmt: skip
            else:
                col.row(i, "geometry", reason,
                        f"geometri tidak valid ({reason})", f"invalid geometry ({reason})",
                        "perbaiki di QGIS (Fix geometries) atau impor dengan --lenient untuk perbaikan otomatis",
                        "fix it in QGIS (Fix geometries) or import with --lenient to repair automatically")  # fmt: skip
    out = gdf.set_geometry(gpd.GeoSeries(arr, index=gdf.index, crs=gdf.crs))
    if out.crs is not None:
        out = out.to_crs(STORAGE_CRS)
    x0, y0, x1, y1 = INDONESIA_BOUNDS_LONLAT
    bounds = out.geometry.bounds.to_numpy()
    for i in range(len(out)):
        if i in col.bad or not np.isfinite(bounds[i]).all():
            continue
        bx0, by0, bx1, by1 = bounds[i]
        if bx0 < x0 or bx1 > x1 or by0 < y0 or by1 > y1:
            where = f"{(bx0 + bx1) / 2:.5f}, {(by0 + by1) / 2:.5f}"
            col.row(i, "geometry", where,
                    "lokasi di luar wilayah Indonesia (bujur, lintang)",
                    "location outside Indonesia (lon, lat)",
                    "periksa CRS berkas dan urutan bujur/lintang (lon/lat tertukar?)",
                    "check the file's CRS and the lon/lat order (swapped?)")  # fmt: skip
    return out


def _repair(geom, tname: str):
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    if tname in ("Polygon", "MultiPolygon"):
        parts = [p for p in shapely.get_parts(fixed) if shapely.get_type_id(p) in (3, 6)]
        flat = []
        for p in parts:
            flat.extend(shapely.get_parts(p))
        if not flat:
            return None
        return flat[0] if len(flat) == 1 else shapely.MultiPolygon(flat)
    return fixed if shapely.is_valid(fixed) and not shapely.is_empty(fixed) else None


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S",
                 "%Y-%m-%dT%H:%M:%S")  # fmt: skip
_BULAN = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11,
    "desember": 12,
}  # fmt: skip


def _parse_date(value) -> str | None:
    """ISO date text from ISO, dd/mm/yyyy, '12 Mei 2016' or an Excel date cell."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, _dt.datetime | _dt.date | pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).strftime("%Y-%m-%d")
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", text)
    if m and m.group(2).lower() in _BULAN:
        try:
            return _dt.date(
                int(m.group(3)), _BULAN[m.group(2).lower()], int(m.group(1))
            ).isoformat()
        except ValueError:
            return None
    raise ValueError(text)


def _blank(v) -> bool:
    if v is None or v is pd.NA:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def _text(v) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _check_column(values: pd.Series, c, schema, col: _Collector, *, lenient, rules) -> pd.Series:
    name = c.name
    required_msg = (
        f"nilai '{name}' wajib diisi",
        f"value of '{name}' is required",
        "isi sel ini",
        "fill in this cell",
    )
    if c.type in ("int", "float", "rupiah"):
        parsed, failures = parse_number_series(values, kind=c.type)
        for idx, text, err in failures:
            col.row(idx, name, text, getattr(err, "masalah", str(err)), getattr(err, "problem", str(err)),
                    getattr(err, "perbaikan", ""), getattr(err, "fix", ""))  # fmt: skip
        failed = values.index.isin([f[0] for f in failures])
        nums = pd.to_numeric(parsed, errors="coerce").astype("float64")
        empty = nums.isna().to_numpy() & ~failed
        low = np.zeros(len(nums), bool) if c.minimum is None else (nums < c.minimum).to_numpy()
        odd_year = ((nums < 1990) | (nums > 2100)).to_numpy() if name == "tahun" else low & False
        # only the rows with something to say are visited (a million good rows cost nothing)
        for pos in np.flatnonzero((empty & c.required) | low | odd_year):
            idx = values.index[pos]
            if empty[pos]:
                col.row(idx, name, None, *required_msg)
                continue
            if low[pos]:
                col.row(idx, name, values[idx], f"nilai harus ≥ {c.minimum:g}", f"value must be ≥ {c.minimum:g}",
                        "periksa angka ini", "check this number")  # fmt: skip
            if odd_year[pos]:
                col.row(idx, name, values[idx], "tahun tidak masuk akal", "implausible year",
                        "tulis tahun empat angka, mis. 2019", "write a four-digit year, e.g. 2019")  # fmt: skip
        return parsed
    if c.type == "kriteria":
        parsed = _check_kriteria(values, col, rules=rules, lenient=lenient)
        failed = {idx for idx in values.index if pd.isna(parsed[idx]) and not _blank(values[idx])}
        for idx in values.index:
            if idx not in failed and c.required and _blank(parsed[idx]):
                col.row(idx, name, None, *required_msg)
        return parsed
    if c.type == "date":
        out = []
        dates: dict = {}  # a decree's date repeats on every row: parse each text once
        for idx, v in values.items():
            try:
                d = dates[v] if isinstance(v, str) and v in dates else _parse_date(v)
                if isinstance(v, str):
                    dates[v] = d
            except ValueError:
                col.row(idx, name, v, "tanggal tidak bisa dibaca", "unreadable date",
                        "tulis sebagai TTTT-BB-HH, mis. 2016-07-12", "write it as YYYY-MM-DD, e.g. 2016-07-12")  # fmt: skip
                d = None
            else:
                if d is None and c.required:
                    col.row(idx, name, None, *required_msg)
            out.append(d)
        return pd.Series(out, index=values.index, dtype="str")
    out = []
    for idx, v in values.items():
        t = _text(v)
        if t is None and c.required:
            col.row(idx, name, None, *required_msg)
        if t is not None and c.choices:
            if t.lower() not in c.choices:
                col.row(idx, name, t, f"nilai harus salah satu dari: {', '.join(c.choices)}",
                        f"value must be one of: {', '.join(c.choices)}", "perbaiki isinya", "correct the value")  # fmt: skip
            else:
                t = t.lower()
        out.append(t)
    return pd.Series(out, index=values.index, dtype="str")


def _check_kriteria(values: pd.Series, col: _Collector, *, rules: RuleSet, lenient) -> pd.Series:
    """Criterion codes of the project's rule set (domain.md §3): an unknown code (say 4d
    under 14/2018) is an error naming the rule set; ``lenient`` leaves it out and lists
    the row (an error still when no known code remains)."""
    parsed, failures = parse_kriteria_series(values, codes=rules.codes, rule_name=rules.name)
    parsed = parsed.copy()
    for idx, text, err in failures:
        kept = parse_kriteria(text, codes=rules.codes, strict=False) if lenient else ()
        texts = (getattr(err, "masalah", str(err)), getattr(err, "problem", str(err)),
                 getattr(err, "perbaikan", ""), getattr(err, "fix", ""))  # fmt: skip
        if kept:
            parsed[idx] = ";".join(kept)
            col.row(idx, "kriteria", text, texts[0] + f"; dibuang, tersisa {';'.join(kept)}",
                    texts[1] + f"; left out, keeping {';'.join(kept)}", texts[2], texts[3],
                    severity="repaired")  # fmt: skip
        else:
            col.row(idx, "kriteria", text, *texts)
    return parsed


def _check_sumber_dana(data: pd.DataFrame, col: _Collector, *, lenient) -> pd.DataFrame:
    """Map funding-source spellings onto the controlled list of domain.md §9."""
    canon, original, details = [], [], []
    for idx, v in data["sumber_dana"].items():
        if _blank(v):
            canon.append(None)
            original.append(None)
            details.append(None)
            continue
        name, detail = normalize_sumber_dana(v)
        details.append(detail)
        if name is None:
            hint = ", ".join(suggest_sumber_dana(v, n=3))
            if lenient:
                col.row(idx, "sumber_dana", v, "sumber dana tidak dikenal, dicatat sebagai 'Lainnya'",
                        "unknown funding source, stored as 'Lainnya'", f"mungkin: {hint}", f"perhaps: {hint}",
                        severity="repaired")  # fmt: skip
                name = "Lainnya"
            else:
                col.row(idx, "sumber_dana", v, "sumber dana tidak dikenal",
                        "unknown funding source",
                        f"pakai salah satu daftar baku (domain §9); mungkin: {hint}",
                        f"use a name from the controlled list (domain §9); perhaps: {hint}")  # fmt: skip
        canon.append(name)
        original.append(str(v).strip())
    out = data.copy()
    out["sumber_dana"] = pd.Series(canon, index=data.index, dtype="str")
    if any(o is not None and o != c for o, c in zip(original, canon, strict=True)):
        out["sumber_dana_asli"] = pd.Series(original, index=data.index, dtype="str")
    if any(
        d is not None for d in details
    ):  # e.g. APBN + "BPM/BDI", APBD Kab/Kota + "Pokir/reses DPRD"
        out["rincian_dana"] = pd.Series(details, index=data.index, dtype="str")
    return out


def _check_unique(data, schema, col: _Collector, existing: pd.DataFrame | None) -> None:
    key_cols = list(schema.unique)
    keys = unique_key(data, schema)
    label = " + ".join(key_cols)
    blank = data[[c for c in key_cols if c in schema.required]].isna().any(axis=1)
    dup = keys.duplicated(keep=False) & ~blank
    if dup.any():
        first_rows = {}
        for idx in keys[dup].index:
            first_rows.setdefault(keys[idx], []).append(int(col.rows[idx]))
        for idx in keys[dup].index:
            others = [r for r in first_rows[keys[idx]] if r != int(col.rows[idx])]
            col.row(idx, label, keys[idx], f"id ganda (juga di baris {', '.join(map(str, others))})",
                    f"duplicate id (also in row(s) {', '.join(map(str, others))})",
                    "beri id unik pada tiap baris", "give every row a unique id")  # fmt: skip
    if existing is not None and len(existing):
        stored = set(unique_key(existing, schema))
        for idx, k in keys[~blank].items():
            if k in stored:
                col.row(idx, label, k, "id sudah ada di proyek", "id already stored in the project",
                        "beri id baru, atau impor tanpa --append untuk mengganti baris berkunci sama",
                        "use a new id, or import without --append to replace the rows with that key")  # fmt: skip


def _check_sk_versions(data, col: _Collector, existing: pd.DataFrame) -> None:
    """Appending: an SK number already stored is an earlier version, never extended (an
    import without ``--append`` replaces that SK's rows, the history keeps the old ones)."""
    stored = set(existing["no_sk"].dropna().astype(str))
    for idx, no in data["no_sk"].items():
        if not _blank(no) and str(no) in stored:
            col.row(idx, "no_sk", no, "SK dengan nomor ini sudah tersimpan; versi lama tidak ditimpa",
                    "an SK with this number is already stored; earlier versions are never overwritten",
                    "impor SK revisi dengan nomor SK barunya (tanpa --append: baris SK ini diganti)",
                    "import the revision under its own SK number (without --append: this SK's rows are replaced)")  # fmt: skip
