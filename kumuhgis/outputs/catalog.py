"""The city's data as named collections: the seven layers and three derived tables.

One definition serves OGC API – Features (:mod:`kumuhgis.outputs.ogc`) and the open
downloads (:mod:`kumuhgis.outputs.downloads`), so a feature served and a row downloaded
are the same row, with the same columns and the same id.

=====================  ==========================================================  ====================
collection             rows                                                        feature id
=====================  ==========================================================  ====================
``wilayah`` … ``kolaborasi``  the seven layers of contracts.md, exactly as stored    the layer's key
``skor_rt``            every RT and year scored (domain.md §4, §5): observed and   ``kode_rt_tahun``
                       derived years, ``tingkat`` (level), RT polygon
``kolaborasi_status``  kolaborasi classified against the delineation in force      ``kode_kegiatan``
                       (domain.md §7), Korkot overrides included
``verifikasi_sk``      one row per SK verification finding (domain.md §6), with    the finding's fields
                       the kawasan/RT/overlap geometry where it has one
=====================  ==========================================================  ====================

A derived collection exists when the project holds what it is computed from (a baseline;
kolaborasi and a delineation; an SK table). The derived frames come from
:mod:`kumuhgis.analysis.city` and are computed once per :class:`Catalog`, on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.schema import LAYERS
from kumuhgis.core.snapshot import CitySnapshot

__all__ = ["CATALOG", "Catalog", "Collection", "CollectionSpec", "make_collection", "value_kind"]


@dataclass(frozen=True)
class CollectionSpec:
    """What a collection is: its name, titles, the columns that make a feature's id and the
    column that places a feature in time (``tahun``: the whole year; a date: that day)."""

    name: str
    title_id: str
    title_en: str
    description_id: str
    description_en: str
    id_columns: tuple[str, ...]
    time_column: str | None
    derived: bool = False

    @property
    def title(self) -> str:
        return f"{self.title_id} / {self.title_en}"

    @property
    def description(self) -> str:
        return f"{self.description_id} / {self.description_en}"


def _layer_spec(name: str, description_id: str, description_en: str) -> CollectionSpec:
    schema = LAYERS[name]
    columns = {c.name for c in schema.columns}
    time = "tahun" if "tahun" in columns else ("tanggal_sk" if "tanggal_sk" in columns else None)
    return CollectionSpec(
        name,
        schema.title_id,
        schema.title_en,
        description_id,
        description_en,
        tuple(schema.unique),
        time,
    )


#: Every collection kumuhgis can publish, in the order they are listed.
CATALOG: dict[str, CollectionSpec] = {
    s.name: s
    for s in (
        _layer_spec("wilayah", "Batas kelurahan/desa", "Kelurahan/desa boundaries"),
        _layer_spec("rt", "Poligon RT, satuan terkecil data kumuh", "RT polygons, the slum data unit"),
        _layer_spec("delineasi", "Poligon kawasan kumuh per versi", "Slum-area polygons per version"),
        _layer_spec("sk_kumuh", "Baris lokasi SK Kumuh, semua versi", "SK Kumuh location rows, all versions"),
        _layer_spec("baseline", "Survei kondisi per RT per tahun (volume)", "Surveyed RT conditions per year (volumes)"),
        _layer_spec("infrastruktur", "Prasarana yang ada", "Existing infrastructure"),
        _layer_spec("kolaborasi", "Kegiatan kolaborasi semua sumber dana", "Collaboration works, every funding source"),
        CollectionSpec(
            "skor_rt",
            "Nilai dan tingkat kekumuhan RT per tahun",
            "RT slum scores and level per year",
            "Tiap RT dan tahun (teramati atau turunan): persentase p_*, nilai n_*, rata-rata, total_nilai, tingkat (domain.md §4, §5)",
            "Every RT and year (observed or derived): percentages p_*, scores n_*, averages, total_nilai, tingkat (domain.md §4, §5)",
            ("kode_rt", "tahun"),
            "tahun",
            derived=True,
        ),
        CollectionSpec(
            "kolaborasi_status",
            "Kolaborasi dengan status lokasi",
            "Collaboration works with their location status",
            "Di dalam / sebagian / batas / luar delineasi yang berlaku, dengan koreksi Korkot (domain.md §7)",
            "Inside / partly / boundary / outside the delineation in force, with Korkot overrides (domain.md §7)",
            ("kode_kegiatan",),
            "tahun",
            derived=True,
        ),
        CollectionSpec(
            "verifikasi_sk",
            "Temuan verifikasi SK Kumuh",
            "SK Kumuh verification findings",
            "Satu baris per temuan (flag) dengan angka di baliknya (domain.md §6)",
            "One row per finding (flag) with the figures behind it (domain.md §6)",
            ("no_sk", "kode_kawasan", "kode_rt", "flag", "no_sk_pembanding"),
            None,
            derived=True,
        ),
    )
}  # fmt: skip


# --------------------------------------------------------------------------- one collection


@dataclass(frozen=True, eq=False)
class Collection:
    """One collection's rows, ids and extents.

    ``frame`` is a GeoDataFrame in EPSG:4326 (longitude, latitude) or, for a table without
    geometry, a DataFrame; ``ids`` the unique feature ids in row order; ``start``/``end``
    each row's time interval (``NaT`` when the row has none).
    """

    spec: CollectionSpec
    frame: pd.DataFrame
    ids: np.ndarray
    start: np.ndarray | None
    end: np.ndarray | None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def geometry(self) -> np.ndarray | None:
        """The geometries as a shapely array, or ``None`` for a table."""
        if isinstance(self.frame, gpd.GeoDataFrame):
            return np.asarray(self.frame.geometry.values, dtype=object)
        return None

    @property
    def columns(self) -> list[str]:
        """The attribute columns (every column but the geometry), in order."""
        gname = self.frame.geometry.name if isinstance(self.frame, gpd.GeoDataFrame) else None
        return [c for c in self.frame.columns if c != gname]

    @cached_property
    def value_kinds(self) -> dict[str, str]:
        """Column → ``boolean``, ``integer``, ``number``, ``date``, ``date-time`` or
        ``string``. A text column whose every value is an ISO date (``2016-08-22``) or
        date-time is a ``date``/``date-time``: clients that guess types from values (GDAL's
        GeoJSON reader) then keep them as written."""
        return {c: value_kind(self.frame[c]) for c in self.columns}

    @cached_property
    def bbox(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) in degrees, ``None`` when no row has a geometry."""
        geoms = self.geometry
        if geoms is None or not len(geoms):
            return None
        b = shapely.total_bounds(geoms)
        return tuple(float(v) for v in b) if np.all(np.isfinite(b)) else None

    @cached_property
    def interval(self) -> tuple[str, str] | None:
        """First and last instant of the collection (RFC 3339), ``None`` without time."""
        if self.start is None:
            return None
        valid = ~np.isnat(self.start)
        if not valid.any():
            return None
        return (_rfc3339(self.start[valid].min()), _rfc3339(self.end[valid].max()))

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geometry)

    @cached_property
    def _position(self) -> dict[str, int]:
        return {fid: i for i, fid in enumerate(self.ids)}

    def position_of(self, feature_id: str) -> int | None:
        """Row position of a feature id, ``None`` when there is no such feature."""
        return self._position.get(feature_id)

    def select(
        self,
        *,
        boxes: list[tuple[float, ...]] | None = None,
        interval: tuple[np.datetime64, np.datetime64] | None = None,
        equals: dict[str, object] | None = None,
    ) -> np.ndarray:
        """Row positions (ascending) of the features matching every filter.

        ``boxes`` in degrees (west, south, east, north): features whose geometry intersects
        any of them (a row without geometry never matches); ``interval``: features whose
        time interval intersects it (ends inclusive); ``equals``: column → value, compared
        exactly (the value already of the column's type).
        """
        keep = np.ones(len(self.frame), dtype=bool)
        if boxes is not None:
            hit = np.zeros(len(keep), dtype=bool)
            if self.geometry is not None and len(keep):
                for box in boxes:
                    hit[self._tree.query(shapely.box(*box), predicate="intersects")] = True
            keep &= hit
        if interval is not None:
            if self.start is None:
                keep[:] = False
            else:
                lo, hi = interval
                keep &= ~np.isnat(self.start) & (self.start <= hi) & (self.end >= lo)
        for column, value in (equals or {}).items():
            keep &= (self.frame[column] == value).fillna(False).to_numpy(dtype=bool)
        return np.flatnonzero(keep)


_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_ISO_DATETIME = _ISO_DATE + r"[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"


def value_kind(series: pd.Series) -> str:
    """The JSON kind of a column's values (see :attr:`Collection.value_kinds`)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date-time"
    text = series.dropna()
    if len(text) and all(isinstance(v, str) for v in text):
        text = text.astype("string")
        if text.str.fullmatch(_ISO_DATE).all():
            return "date"
        if text.str.fullmatch(_ISO_DATETIME).all():
            return "date-time"
    return "string"


def _rfc3339(t: np.datetime64) -> str:
    return str(np.datetime_as_string(t.astype("datetime64[s]"), unit="s")) + "Z"


def _feature_ids(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """Ids from the key columns joined by ``_`` (empty parts left out); a repeated id gets
    ``~2``, ``~3`` … in row order, so ids are unique and stable for the same data."""
    if not len(frame):
        return np.array([], dtype=object)
    parts = []
    for c in columns:
        col = frame[c] if c in frame.columns else pd.Series("", index=frame.index)
        parts.append(col.astype("string").fillna("").to_numpy(dtype=object))
    ids = ["_".join(p for p in row if p) for row in zip(*parts, strict=True)]
    seen: dict[str, int] = {}
    out = []
    for fid in ids:
        n = seen.get(fid, 0) + 1
        seen[fid] = n
        out.append(fid if n == 1 else f"{fid}~{n}")
    return np.array(out, dtype=object)


def _time_bounds(frame: pd.DataFrame, column: str | None):
    """Each row's interval: a ``tahun`` covers its whole year, a date its whole day."""
    if column is None or column not in frame.columns:
        return None, None
    values = frame[column]
    if column == "tahun":
        year = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(year)
        text = np.where(ok, np.nan_to_num(year).astype(np.int64).astype(str), "NaT")
        start = np.array(text, dtype="datetime64[Y]").astype("datetime64[s]")
        end = (start.astype("datetime64[Y]") + 1).astype("datetime64[s]") - np.timedelta64(1, "s")
        return start, end
    day = pd.to_datetime(values.astype("string"), errors="coerce", format="mixed")
    start = day.to_numpy(dtype="datetime64[s]")
    return start, start + np.timedelta64(86399, "s")


def make_collection(spec: CollectionSpec, frame: pd.DataFrame) -> Collection:
    """A :class:`Collection` of ``frame`` (rows in the given order, index dropped)."""
    frame = frame.reset_index(drop=True)
    start, end = _time_bounds(frame, spec.time_column)
    return Collection(spec, frame, _feature_ids(frame, spec.id_columns), start, end)


# --------------------------------------------------------------------------- the derived rows


def _score_frame(snapshot: CitySnapshot, scored) -> gpd.GeoDataFrame:
    """Scores of every RT and year with the RT polygon (null where the RT has none)."""
    scores = scored.scores.reset_index(drop=True)
    rt = snapshot.rt
    geom = dict(zip(rt["kode_rt"].astype("string"), rt.geometry.values, strict=True))
    keys = scores["kode_rt"].astype("string")
    geometry = [geom.get(k) for k in keys]
    return gpd.GeoDataFrame(scores, geometry=geometry, crs="EPSG:4326")


def _verification_frame(verification) -> gpd.GeoDataFrame:
    """The findings with the geometry :class:`~kumuhgis.analysis.verification.Verification`
    gives for those that have a place on the map (same rows, same order)."""
    findings = verification.findings.reset_index(drop=True)
    located = verification.geometries
    cols = list(findings.columns)
    key = ["_n", *cols]
    left = findings.assign(_n=findings.groupby(cols, dropna=False).cumcount(), _row=findings.index)
    right = pd.DataFrame(located.drop(columns=located.geometry.name))
    right = right.assign(
        _n=right.groupby(cols, dropna=False).cumcount(), _g=located.geometry.values
    )
    joined = left.merge(right[[*key, "_g"]], on=key, how="left").sort_values("_row")
    geometry = [g if isinstance(g, shapely.Geometry) else None for g in joined["_g"]]
    return gpd.GeoDataFrame(findings, geometry=geometry, crs="EPSG:4326")


class Catalog:
    """The collections of one snapshot; derived ones computed on first use (thread-safe).

    ``names`` lists what this project can publish: the seven layers always (an absent layer
    is an empty collection), the derived ones when their inputs are there.
    """

    def __init__(self, snapshot: CitySnapshot):
        self.snapshot = snapshot
        self._lock = threading.RLock()
        self._built: dict[str, Collection] = {}
        self._scored = None

    @cached_property
    def names(self) -> tuple[str, ...]:
        snap = self.snapshot
        available = {
            "skor_rt": len(snap.baseline) > 0,
            "kolaborasi_status": len(snap.kolaborasi) > 0 and len(snap.delineasi) > 0,
            "verifikasi_sk": len(snap.sk_kumuh) > 0,
        }
        return tuple(n for n, s in CATALOG.items() if not s.derived or available[n])

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def get(self, name: str) -> Collection:
        """The collection ``name`` (:class:`KeyError` when this project has none)."""
        if name not in self.names:
            raise KeyError(name)
        with self._lock:
            if name not in self._built:
                self._built[name] = make_collection(CATALOG[name], self._frame(name))
            return self._built[name]

    def collections(self) -> list[Collection]:
        return [self.get(n) for n in self.names]

    def _frame(self, name: str) -> pd.DataFrame:
        builders: dict[str, Callable[[], pd.DataFrame]] = {
            "skor_rt": lambda: _score_frame(self.snapshot, self._scores()),
            "kolaborasi_status": self._classified,
            "verifikasi_sk": self._verification,
        }
        if name in builders:
            return builders[name]()
        return self.snapshot.layers[name]

    def _scores(self):
        from kumuhgis.analysis.city import score_city

        with self._lock:
            if self._scored is None:
                self._scored = score_city(self.snapshot)
            return self._scored

    def _classified(self) -> gpd.GeoDataFrame:
        from kumuhgis.analysis.city import classify_city

        return classify_city(self.snapshot)

    def _verification(self) -> gpd.GeoDataFrame:
        from kumuhgis.analysis.city import verify_city

        scored = self._scores() if len(self.snapshot.baseline) else None
        return _verification_frame(verify_city(self.snapshot, scored=scored))
