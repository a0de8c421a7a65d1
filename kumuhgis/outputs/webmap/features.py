"""The map's layers as frames and GeoJSON: filters, bounding boxes, the RT under a point.

Each layer the viewer draws (:data:`LAYER_KEYS`) becomes a frame with the columns its popup
shows (:func:`layer_frame`: the RT level of the chosen year, the SK of a kawasan, the
kolaborasi status, an infrastructure icon), then GeoJSON text (:func:`layer_geojson`,
RFC 7946, EPSG:4326). Data comes from :class:`~kumuhgis.outputs.webmap.data.MapData`.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.webmap.data import MapData, as_text
from kumuhgis.outputs.webmap.mercator import lonlat_to_mercator
from kumuhgis.outputs.webmap.style import infra_style

__all__ = [
    "LAYER_KEYS",
    "layer_frame",
    "rt_frame",
    "delineasi_frame",
    "layer_geojson",
    "parse_bbox",
    "check_select",
    "ID_COLUMNS",
    "json_value",
    "rt_at",
]

#: Layers the viewer draws, in drawing order (bottom first).
LAYER_KEYS: tuple[str, ...] = ("rt", "wilayah", "delineasi", "infrastruktur", "kolaborasi")
#: The column that identifies a feature of each layer (GeoJSON ``id``, ``pilih=LAYER:ID``).
ID_COLUMNS: dict[str, str] = {
    "wilayah": "kode_kel",
    "rt": "kode_rt",
    "delineasi": "kode_kawasan",
    "infrastruktur": "kode_infra",
    "kolaborasi": "kode_kegiatan",
}
# Kolaborasi columns the map serves (popup, colour, filters), in this order.
_KOLABORASI_COLUMNS = (
    "kode_kegiatan", "nama_kegiatan", "tahun", "sumber_dana", "nilai_rp", "kriteria", "volume",
    "satuan", "status", "status_lokasi", "status_akhir", "porsi_dalam", "jarak_m", "kode_kawasan",
    "nama_kawasan", "no_sk", "kode_rt", "kode_kel", "kelurahan", "status_manual", "alasan_manual",
    "oleh", "flag_bukan_kebutuhan",
)  # fmt: skip


def rt_frame(data: MapData, year: int | None) -> gpd.GeoDataFrame:
    """RT polygons with their kelurahan, kawasan and the level of ``year``."""
    rt = data.rt
    out = rt[
        [
            "kode_rt",
            "rt",
            "rw",
            "kode_kel",
            "kelurahan",
            "kecamatan",
            "kode_kawasan",
            "nama_kawasan",
        ]
    ].copy()
    for c in out.columns:
        out[c] = as_text(out[c])
    out["luas_ha"] = rt["luas_poligon_ha"].to_numpy()
    year = data.year_or_latest(year)
    if year is not None:
        s = (
            data.scores[data.scores["tahun"] == year]
            .drop_duplicates("kode_rt")
            .set_index("kode_rt")
        )
        codes = out["kode_rt"]
        out["tahun"] = year
        out["tingkat"] = codes.map(s["tingkat"].astype(str)).fillna("").to_numpy()
        out["total_nilai"] = codes.map(s["total_nilai"]).to_numpy()
        out["rata_sektoral"] = (
            codes.map(s["rata_sektoral"]).to_numpy() if "rata_sektoral" in s else np.nan
        )
        out["asal"] = codes.map(s["asal"].astype(str)).fillna("").to_numpy()
        luas = codes.map(s["luas_ha"])
        out["luas_ha"] = luas.where(luas.notna(), out["luas_ha"]).to_numpy()
    else:
        out["tahun"] = None
        out["tingkat"] = ""
        out["total_nilai"] = np.nan
        out["rata_sektoral"] = np.nan
        out["asal"] = ""
    return gpd.GeoDataFrame(out, geometry=rt.geometry.to_numpy(), crs=rt.crs)


def delineasi_frame(data: MapData, no_sk: str | None) -> gpd.GeoDataFrame:
    """Delineated kawasan with the SK that lists them: of every version the latest
    (``no_sk`` ``None``), or only the kawasan of SK ``no_sk`` with its ``luas_sk_ha``."""
    dl = data.delineasi
    cols = ["kode_kawasan", "nama_kawasan", "kode_kel", "kelurahan", "tahun", "luas_ha"]
    out = gpd.GeoDataFrame(dl[cols].copy(), geometry=dl.geometry.to_numpy(), crs=dl.crs)
    out["no_sk"] = ""
    out["luas_sk_ha"] = np.nan
    if len(data.sk) and len(out):
        sk = data.sk.assign(
            no_sk=as_text(data.sk["no_sk"]), kode_kawasan=as_text(data.sk["kode_kawasan"])
        )
        order = {v["no_sk"]: i for i, v in enumerate(data.sk_versions)}
        sk = sk.assign(_o=sk["no_sk"].map(order)).sort_values("_o")
        if no_sk is not None:
            sk = sk[sk["no_sk"] == no_sk]
        last = sk.drop_duplicates("kode_kawasan", keep="last").set_index("kode_kawasan")
        codes = as_text(out["kode_kawasan"])
        out["no_sk"] = codes.map(last["no_sk"]).fillna("").to_numpy()
        out["luas_sk_ha"] = codes.map(pd.to_numeric(last["luas_sk_ha"], errors="coerce")).to_numpy()
        if no_sk is not None:
            out = out[codes.isin(set(last.index)).to_numpy()]
    return out


def layer_frame(data: MapData, layer: str, year: int | None, no_sk: str | None) -> gpd.GeoDataFrame:
    """One layer of :data:`LAYER_KEYS` with the columns the viewer serves (popups, colours,
    filters), in EPSG:4326; ``year`` applies to ``rt``, ``no_sk`` to ``delineasi``."""
    if layer == "wilayah":
        w = data.wilayah
        cols = [
            "kode_kel",
            "kelurahan",
            "kecamatan",
            "kota",
            "luas_ha",
            "jumlah_rt",
            "label_lon",
            "label_lat",
        ]
        return gpd.GeoDataFrame(w[cols].copy(), geometry=w.geometry.to_numpy(), crs=w.crs)
    if layer == "rt":
        return rt_frame(data, year)
    if layer == "delineasi":
        return delineasi_frame(data, data.check_sk(no_sk))
    if layer == "infrastruktur":
        f = data.infrastruktur
        out = pd.DataFrame(f.drop(columns=f.geometry.name)).copy()
        styles = [infra_style(j) for j in as_text(out["jenis"])] if len(out) else []
        out["ikon"] = [s["icon"] for s in styles]
        out["warna"] = [s["color"] for s in styles]
        return gpd.GeoDataFrame(out, geometry=f.geometry.to_numpy(), crs=f.crs)
    if layer == "kolaborasi":
        f = data.kolaborasi
        cols = [c for c in _KOLABORASI_COLUMNS if c in f.columns]
        return gpd.GeoDataFrame(
            pd.DataFrame(f[cols]).copy(), geometry=f.geometry.to_numpy(), crs=f.crs
        )
    raise UsageError(
        f"layer '{layer}' tidak ada di peta; pilih {', '.join(LAYER_KEYS)} / "
        f"layer '{layer}' is not on the map; choose {', '.join(LAYER_KEYS)}"
    )


def check_select(data: MapData, select: str | None) -> str | None:
    """``LAYER:ID``, the feature a map opens on, checked: ``LAYER`` one of
    :data:`LAYER_KEYS`, ``ID`` the code of a feature of that layer (:data:`ID_COLUMNS`)."""
    if select in (None, ""):
        return None
    layer, sep, fid = str(select).partition(":")
    if not sep or layer not in LAYER_KEYS:
        raise UsageError(
            f"pilih harus LAYER:KODE dengan LAYER salah satu dari {', '.join(LAYER_KEYS)}, "
            f"bukan {select!r} / pilih must be LAYER:ID with LAYER one of {', '.join(LAYER_KEYS)}"
        )
    frame = getattr(data, layer)
    col = ID_COLUMNS[layer]
    if col not in frame.columns or fid not in set(as_text(frame[col])):
        raise UsageError(f"{layer} '{fid}' tidak ada di proyek / no {layer} '{fid}' in the project")
    return select


def parse_bbox(bbox: Any) -> tuple[float, float, float, float] | None:
    """``"w,s,e,n"`` or four numbers as a tuple of finite floats with ``w <= e`` and
    ``s <= n`` (``None`` when empty); anything else is a :class:`UsageError`."""
    if bbox in (None, ""):
        return None
    parts = bbox.split(",") if isinstance(bbox, str) else list(bbox)
    try:
        vals = tuple(float(v) for v in parts)
    except (TypeError, ValueError):
        vals = ()
    if (
        len(vals) != 4
        or not all(math.isfinite(v) for v in vals)
        or vals[0] > vals[2]
        or vals[1] > vals[3]
    ):
        raise UsageError(
            f"bbox harus 'barat,selatan,timur,utara' dalam derajat, bukan {bbox!r} / "
            f"bbox must be 'west,south,east,north' in degrees, not {bbox!r}"
        )
    return vals  # type: ignore[return-value]


def _apply_filters(
    frame: gpd.GeoDataFrame, filters: Mapping[str, Any] | None, layer: str
) -> gpd.GeoDataFrame:
    """Keep rows whose column equals one of the given values (``"a,b"`` means a or b)."""
    if not filters:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    for col, value in filters.items():
        if value in (None, ""):
            continue
        if col not in frame.columns or col == frame.geometry.name:
            raise UsageError(
                f"kolom '{col}' tidak ada di layer {layer}; kolom: "
                f"{', '.join(c for c in frame.columns if c != frame.geometry.name)} / "
                f"column '{col}' is not in layer {layer}"
            )
        wanted = [
            str(v).strip()
            for v in (value if isinstance(value, list | tuple) else str(value).split(","))
        ]
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values):
            nums = pd.to_numeric(pd.Series(wanted), errors="coerce")
            if not np.isfinite(nums.to_numpy(dtype=float)).all():
                raise UsageError(
                    f"nilai filter {col}={value!r} bukan angka / filter value {col}={value!r} is not a number"
                )
            mask &= values.isin(nums.tolist()).to_numpy()
        else:
            mask &= as_text(values).str.casefold().isin([w.casefold() for w in wanted]).to_numpy()
    return frame[mask]


def json_value(v: Any) -> Any:
    """A cell as a JSON value: NaN/NA → ``None``, floats rounded to 6 decimals, numpy
    scalars as Python numbers, dates in ISO 8601."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float | np.floating):
        return None if not math.isfinite(float(v)) else round(float(v), 6)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, _dt.date | _dt.datetime | pd.Timestamp):
        return v.isoformat()
    return v


def _properties(frame: pd.DataFrame) -> list[dict]:
    cols = list(frame.columns)
    records = []
    arrays = [frame[c].tolist() for c in cols]
    for i in range(len(frame)):
        records.append({c: json_value(a[i]) for c, a in zip(cols, arrays, strict=True)})
    return records


def _geometry_json(geoms: np.ndarray, *, simplify_m: float | None, precision: int) -> list[str]:
    g = geoms
    if simplify_m:
        g = shapely.simplify(g, simplify_m / 111320.0, preserve_topology=True)
    g = shapely.transform(g, lambda c: np.round(c, precision))
    out = shapely.to_geojson(g)
    return ["null" if s is None else s for s in out]


def layer_geojson(
    data: MapData,
    layer: str,
    *,
    bbox: Any = None,
    filters: Mapping[str, Any] | None = None,
    year: int | None = None,
    no_sk: str | None = None,
    simplify_m: float | None = None,
    precision: int = 6,
    limit: int | None = None,
) -> str:
    """A layer of the map as a GeoJSON FeatureCollection (RFC 7946, EPSG:4326), as text.

    Parameters
    ----------
    layer
        One of :data:`LAYER_KEYS`.
    bbox
        ``(west, south, east, north)`` degrees or ``"w,s,e,n"``: features whose geometry
        intersects the box.
    filters
        Column → value(s): keeps features whose column equals one of the values
        (``{"tahun": "2019,2020", "sumber_dana": "APBN"}``; text compares without case).
    year
        For ``rt``: the condition year whose ``tingkat``, ``total_nilai`` and
        ``rata_sektoral`` are attached (default: the latest year).
    no_sk
        For ``delineasi``: only the kawasan of that SK version, with its ``luas_sk_ha``.
    simplify_m
        Douglas–Peucker tolerance in metres (converted at 111 320 m per degree, which
        errs by less than 2 % anywhere in Indonesia), topology preserved.
    precision
        Decimals kept (6 ≈ 0.11 m).
    limit
        At most this many features (the response says ``"truncated": true`` when cut).

    The collection carries ``bbox`` (of the returned features), ``count`` and, for ``rt``,
    ``tahun``.
    """
    frame = layer_frame(data, layer, year, no_sk)
    box = parse_bbox(bbox)
    if box is not None and len(frame):
        hit = shapely.intersects(frame.geometry.to_numpy(), shapely.box(*box))
        frame = frame[hit]
    frame = _apply_filters(frame, filters, layer)
    truncated = False
    if limit is not None and len(frame) > limit:
        frame = frame.iloc[: int(limit)]
        truncated = True
    geoms = _geometry_json(frame.geometry.to_numpy(), simplify_m=simplify_m, precision=precision)
    props = _properties(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    idcol = ID_COLUMNS[layer]
    feats = [
        '{"type":"Feature","id":'
        + json.dumps(p.get(idcol))
        + ',"geometry":'
        + g
        + ',"properties":'
        + json.dumps(p, ensure_ascii=False, allow_nan=False)
        + "}"
        for g, p in zip(geoms, props, strict=True)
    ]
    head: dict[str, Any] = {"type": "FeatureCollection", "layer": layer, "count": len(feats)}
    if len(frame):
        b = frame.total_bounds
        head["bbox"] = [round(float(v), precision) for v in b]
    if layer == "rt":
        head["tahun"] = data.year_or_latest(year)
    if layer == "delineasi":
        head["no_sk"] = data.check_sk(no_sk)
    if truncated:
        head["truncated"] = True
    text = json.dumps(head, ensure_ascii=False)
    return text[:-1] + ',"features":[' + ",".join(feats) + "]}"


def rt_at(data: MapData, lon: float, lat: float, *, year: int | None = None) -> dict | None:
    """The RT under a point with its attributes for ``year`` (the popup of the tile layer).

    A point on a shared edge belongs to the RT listed first. ``None`` when no RT is there.
    """
    if not len(data.rt):
        return None
    idx = data.rt_index()
    x, y = lonlat_to_mercator(lon, lat)
    hits = idx.tree.query(shapely.points(float(x), float(y)), predicate="intersects")
    if not len(hits):
        return None
    i = int(np.sort(hits)[0])
    frame = rt_frame(data, year).iloc[[i]]
    props = _properties(pd.DataFrame(frame.drop(columns=frame.geometry.name)))[0]
    b = frame.total_bounds
    props["bbox"] = [float(v) for v in b]
    return props
