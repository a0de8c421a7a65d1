"""The national dataset: every city project as a partition of a GeoParquet dataset.

Layout (one folder per city, Hive-style ``key=value`` folder names, so Arrow, DuckDB,
dask and GDAL read the tree as one partitioned dataset)::

    DATASET/
      provinsi=62/kota=6202/
        kota.yaml                  settings, meta, layers present, work CRS
        wilayah.parquet rt.parquet delineasi.parquet infrastruktur.parquet
        kolaborasi.parquet         GeoParquet (WKB, EPSG:4326, bbox covering column)
        sk_kumuh.parquet baseline.parquet kolaborasi_status.parquet ...  (tables)
        berlaku.parquet            the SK version and kawasan in force each year (§6, §7)
      titik/provinsi=62/kota=6202/part-00000.parquet
                                   points (building centroids), GeoParquet point encoding

Every geometry file is sorted along a Hilbert curve (:func:`kumuhgis.geo.order.hilbert_key`)
inside its partition. A layer keeps its project row order in the column ``urutan`` and is
read back in that order: row order decides ties (the lowest-index kawasan holds a point
in overlapping kawasan, domain.md §7), so a city read from the dataset is the city read
from its project, frame for frame (:func:`read_city`).

A partition is written to a temporary folder and renamed into place, so a reader never
sees half a city.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
import yaml

from kumuhgis.core.errors import UsageError
from kumuhgis.core.schema import LAYERS, STORAGE_CRS, get_layer
from kumuhgis.core.sk import sk_in_force
from kumuhgis.core.snapshot import MEMORANDUM_TABLE, OVERRIDE_TABLE, CitySnapshot
from kumuhgis.geo.order import hilbert_key
from kumuhgis.store import coerce_to_schema

__all__ = [
    "CITY_FILE",
    "POINTS_DIR",
    "CityPartition",
    "in_force_table",
    "kawasan_in_force",
    "list_cities",
    "point_crs",
    "point_files",
    "read_city",
    "read_layer",
    "read_settings",
    "read_points_xy",
    "write_city",
    "write_points",
]

CITY_FILE = "kota.yaml"
POINTS_DIR = "titik"
ORDER_COLUMN = "urutan"
_TABLES = (OVERRIDE_TABLE, MEMORANDUM_TABLE)
_BATCH = 1 << 20  # points per row group and per read batch


@dataclass(frozen=True)
class CityPartition:
    """One city of the dataset: its codes, names and folder."""

    kode_prov: str
    provinsi: str
    kode_kota: str
    kota: str
    path: Path

    @property
    def key(self) -> str:
        """``provinsi=PP/kota=KKKK``: the partition's path under the dataset (and under
        :data:`POINTS_DIR`)."""
        return f"provinsi={self.kode_prov}/kota={self.kode_kota}"


def _codes(settings: Mapping, source: str) -> tuple[str, str]:
    kode_kota = str(settings.get("kode_kota") or "").strip()
    if len(kode_kota) != 4 or not kode_kota.isdigit():
        raise UsageError(
            f"{source}: pengaturan 'kode_kota' (4 angka Kemendagri, mis. 6202) tidak ada atau salah: "
            f"{kode_kota!r} / setting 'kode_kota' (4-digit Kemendagri code) missing or wrong"
        )
    return kode_kota[:2], kode_kota


def _sorted_geo(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer with its row order in :data:`ORDER_COLUMN`, sorted along a Hilbert curve
    of its features' bounding-box centres."""
    out = frame.reset_index(drop=True)
    out[ORDER_COLUMN] = np.arange(len(out), dtype=np.int64)
    if len(out):
        b = shapely.bounds(np.asarray(out.geometry.array, dtype=object))
        key = hilbert_key((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)
        out = out.iloc[np.argsort(key, kind="stable")]
    return out


def in_force_table(sk_kumuh: pd.DataFrame, years) -> pd.DataFrame:
    """The SK version in force each year (:func:`kumuhgis.core.sk.sk_in_force`, domain.md
    §7) and its kawasan: one row per ``tahun`` × ``kode_kawasan`` (``no_sk`` and
    ``kode_kawasan`` empty in a year without SK)."""
    rows = []
    for year in sorted({int(y) for y in years}):
        no_sk = sk_in_force(sk_kumuh, year)
        if no_sk is None:
            rows.append((year, "", ""))
            continue
        codes = sk_kumuh.loc[sk_kumuh["no_sk"].astype(str) == no_sk, "kode_kawasan"]
        rows += [(year, no_sk, str(c)) for c in dict.fromkeys(codes.astype(str))]
    frame = pd.DataFrame(rows, columns=["tahun", "no_sk", "kode_kawasan"])
    return frame.astype({"tahun": "int64", "no_sk": "str", "kode_kawasan": "str"})


def kawasan_in_force(
    delineasi: gpd.GeoDataFrame, sk_kumuh: pd.DataFrame | None, year: int
) -> tuple[str | None, gpd.GeoDataFrame]:
    """The SK version in force in ``year`` and its kawasan's delineation polygons (the
    selection :func:`kumuhgis.analysis.kolaborasi.classify_kolaborasi` makes for a work of
    that year, domain.md §7); every polygon when there is no SK."""
    no_sk = sk_in_force(sk_kumuh, year) if sk_kumuh is not None and len(sk_kumuh) else None
    if no_sk is None:
        return None, delineasi
    codes = set(sk_kumuh.loc[sk_kumuh["no_sk"].astype(str) == no_sk, "kode_kawasan"].astype(str))
    return no_sk, delineasi[delineasi["kode_kawasan"].astype(str).isin(codes)]


def _years(layers: Mapping[str, pd.DataFrame]) -> list[int]:
    years: set[int] = set()
    for name in ("baseline", "kolaborasi", "delineasi"):
        if name in layers and "tahun" in layers[name].columns:
            y = pd.to_numeric(layers[name]["tahun"], errors="coerce").dropna()
            years |= {int(v) for v in y}
    sk = layers.get("sk_kumuh")
    if sk is not None and len(sk):
        years |= {int(t.year) for t in pd.to_datetime(sk["tanggal_sk"].astype(str), format="mixed")}
    return list(range(min(years), max(years) + 1)) if years else []


def write_city(
    root: str | os.PathLike,
    layers: Mapping[str, pd.DataFrame],
    *,
    settings: Mapping,
    meta: Mapping[str, str] | None = None,
    tables: Mapping[str, pd.DataFrame | None] | None = None,
    source: str = "",
) -> CityPartition:
    """Write one city as a partition of the dataset at ``root`` (replacing it).

    ``settings`` must hold ``kode_kota`` (4-digit Kemendagri code; its first two digits are
    the province) and should hold ``kota`` and ``provinsi``. Layers are written in storage
    types (:func:`kumuhgis.store.coerce_to_schema`), spatial ones in EPSG:4326.
    """
    kode_prov, kode_kota = _codes(settings, source or "kota")
    root = Path(root)
    part = CityPartition(
        kode_prov, str(settings.get("provinsi", "")), kode_kota, str(settings.get("kota", "")), root
    )
    final = root / part.key
    tmp = root / f".tmp-{kode_kota}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, frame in layers.items():
        frame = coerce_to_schema(frame, name)
        if get_layer(name).spatial:
            frame = frame.to_crs(STORAGE_CRS) if not frame.crs.equals(STORAGE_CRS) else frame
            _sorted_geo(frame).to_parquet(
                tmp / f"{name}.parquet", index=False, write_covering_bbox=True
            )
        else:
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
    for name, table in (tables or {}).items():
        if table is not None:
            pd.DataFrame(table).to_parquet(tmp / f"{name}.parquet", index=False)
    sk = layers.get("sk_kumuh")
    if sk is not None:
        in_force_table(coerce_to_schema(sk, "sk_kumuh"), _years(layers)).to_parquet(
            tmp / "berlaku.parquet", index=False
        )
    doc = {
        "kode_prov": kode_prov,
        "provinsi": part.provinsi,
        "kode_kota": kode_kota,
        "kota": part.kota,
        "layers": [n for n in LAYERS if n in layers],
        "tables": [n for n, t in (tables or {}).items() if t is not None],
        "sumber": source,
        "settings": dict(settings),
        "meta": {str(k): str(v) for k, v in (meta or {}).items()},
    }
    (tmp / CITY_FILE).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    final.parent.mkdir(parents=True, exist_ok=True)
    old = final.with_name(f".old-{kode_kota}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return CityPartition(kode_prov, part.provinsi, kode_kota, part.kota, final)


def _check_root(root: Path) -> None:
    if not root.is_dir():
        raise UsageError(f"Dataset nasional tidak ditemukan / national dataset not found: {root}")


def list_cities(root: str | os.PathLike) -> list[CityPartition]:
    """Every city partition of the dataset, by province then city code."""
    root = Path(root)
    _check_root(root)
    out = []
    for doc_path in sorted(root.glob(f"provinsi=*/kota=*/{CITY_FILE}")):
        doc = yaml.safe_load(doc_path.read_text())
        out.append(
            CityPartition(
                str(doc["kode_prov"]), str(doc.get("provinsi", "")), str(doc["kode_kota"]),
                str(doc.get("kota", "")), doc_path.parent,
            )
        )  # fmt: skip
    if not out:
        raise UsageError(
            f"Tidak ada kota di dataset / no city in the dataset: {root} "
            f"(diharapkan / expected provinsi=*/kota=*/{CITY_FILE})"
        )
    return out


def read_layer(city: CityPartition, name: str) -> pd.DataFrame | None:
    """One layer or table of a city as stored (layers in project order and storage
    types); ``None`` when the city does not hold it."""
    path = city.path / f"{name}.parquet"
    if not path.exists():
        return None
    if name in LAYERS and get_layer(name).spatial:
        frame = gpd.read_parquet(path)
        frame = frame.sort_values(ORDER_COLUMN, kind="stable").drop(columns=[ORDER_COLUMN])
        frame = frame.drop(columns=[c for c in ("bbox",) if c in frame.columns])
        frame = frame.reset_index(drop=True)
        if not frame.crs.equals(STORAGE_CRS):
            frame = frame.set_crs(STORAGE_CRS, allow_override=True)
    else:
        frame = pd.read_parquet(path)
    return coerce_to_schema(frame, name) if name in LAYERS else frame


def read_settings(city: CityPartition) -> dict:
    """The city's project settings (without reading any layer)."""
    return yaml.safe_load((city.path / CITY_FILE).read_text()).get("settings") or {}


def read_city(city: CityPartition) -> CitySnapshot:
    """The city as a :class:`~kumuhgis.core.snapshot.CitySnapshot`
    (:meth:`~kumuhgis.core.snapshot.CitySnapshot.from_frames`), as its project would give it."""
    doc = yaml.safe_load((city.path / CITY_FILE).read_text())
    layers = {name: read_layer(city, name) for name in doc.get("layers", [])}
    tables = {name: read_layer(city, name) for name in _TABLES}
    return CitySnapshot.from_frames(
        layers,
        settings=doc.get("settings") or {},
        meta=doc.get("meta") or {},
        tables=tables,
        source=str(city.path),
    )


# --------------------------------------------------------------------------- points


def _point_schema_metadata(bbox, crs) -> dict[bytes, bytes]:
    import json

    from pyproj import CRS

    geo = {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "point",
                "geometry_types": ["Point"],
                "bbox": [float(v) for v in bbox],
                "crs": CRS.from_user_input(crs).to_json_dict(),
            }
        },
    }
    return {b"geo": json.dumps(geo).encode()}


def write_points(
    directory: str | os.PathLike,
    x: np.ndarray,
    y: np.ndarray,
    *,
    crs,
    part: int = 0,
    first_id: int = 0,
) -> Path:
    """Write points as ``part-NNNNN.parquet`` in ``directory``: GeoParquet 1.1 with the
    native ``point`` encoding (a struct of ``x`` and ``y``, so readers get coordinate arrays
    without decoding WKB), sorted along a Hilbert curve, with their number in ``id_titik``
    (``first_id`` + their order in the arrays).

    ``crs`` is recorded in the file. The national dataset keeps a city's points in its
    metric CRS (the SRGI2013 UTM zone of its delineation, :func:`kumuhgis.geo.crs.metric_crs`):
    they are reprojected once when written instead of at every run, and the run classifies
    them straight from their coordinate arrays (domain.md §10: distances in metres)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    order = np.argsort(hilbert_key(x, y), kind="stable")
    geometry = pa.StructArray.from_arrays(
        [pa.array(x[order]), pa.array(y[order])], names=["x", "y"]
    )
    table = pa.table(
        {"id_titik": pa.array(order.astype(np.int64) + first_id), "geometry": geometry}
    )
    bbox = (x.min(), y.min(), x.max(), y.max()) if len(x) else (0, 0, 0, 0)
    table = table.replace_schema_metadata(_point_schema_metadata(bbox, crs))
    path = directory / f"part-{part:05d}.parquet"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    pq.write_table(table, tmp, row_group_size=_BATCH)
    os.replace(tmp, path)
    return path


def point_crs(path: str | os.PathLike):
    """The CRS of a GeoParquet point file (its ``geo`` metadata; OGC:CRS84 — lon/lat —
    when it names none, as GeoParquet specifies)."""
    import json

    from pyproj import CRS

    meta = pq.ParquetFile(path).schema_arrow.metadata or {}
    geo = json.loads(meta.get(b"geo", b"{}"))
    col = geo.get("columns", {}).get(geo.get("primary_column", "geometry"), {})
    crs = col.get("crs", "OGC:CRS84")
    return CRS.from_user_input("OGC:CRS84" if crs is None else crs)


def point_files(points_root: str | os.PathLike, city: CityPartition) -> list[Path]:
    """The point files of ``city`` under ``points_root`` (a dataset's :data:`POINTS_DIR`
    or a ``--points`` folder laid out the same way); a single file is taken whole."""
    points_root = Path(points_root)
    if points_root.is_file():
        return [points_root]
    return sorted((points_root / city.key).glob("*.parquet"))


def read_points_xy(
    path: str | os.PathLike, *, kode_kota: str | None = None, batch_size: int = _BATCH
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Coordinate arrays (in the file's CRS, :func:`point_crs`) of the points of a GeoParquet file, batch by batch
    (memory bounded by ``batch_size``). Reads the ``point`` encoding without any geometry
    object and WKB through :func:`shapely.from_wkb`. With ``kode_kota``, only rows whose
    ``kode_kota`` column equals it (a file holding several cities)."""
    f = pq.ParquetFile(path)
    names = f.schema_arrow.names
    if "geometry" not in names:
        raise UsageError(f"Berkas titik tanpa kolom geometry / point file without geometry: {path}")
    columns = ["geometry"] + (
        ["kode_kota"] if kode_kota is not None and "kode_kota" in names else []
    )
    for batch in f.iter_batches(batch_size=batch_size, columns=columns):
        geom = batch.column("geometry")
        keep = None
        if len(columns) == 2:
            keep = np.asarray(batch.column("kode_kota").to_numpy(zero_copy_only=False) == kode_kota)
        if pa.types.is_struct(geom.type):
            x = geom.field("x").to_numpy(zero_copy_only=False)
            y = geom.field("y").to_numpy(zero_copy_only=False)
        else:
            g = shapely.from_wkb(geom.to_numpy(zero_copy_only=False))
            x, y = shapely.get_x(g), shapely.get_y(g)
        if keep is not None:
            x, y = x[keep], y[keep]
        yield np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
