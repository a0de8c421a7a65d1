"""What the viewer's pages show besides the map: dashboard figures, the Korkot list,
SK verification, downloads, the "about" page and software versions.

Each function takes the city snapshot the caller read (:class:`kumuhgis.core.snapshot.CitySnapshot`)
or the :class:`kumuhgis.outputs.webmap.MapData` already computed for the map, and returns plain
data for one page; the Flask package ``app`` only renders it. It never imports Flask and never
opens the store (conventions.md "Shape of the code").
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.errors import UsageError
from kumuhgis.core.snapshot import CitySnapshot
from kumuhgis.outputs.webmap.data import MapData, as_text
from kumuhgis.outputs.webmap.export import export_map_html
from kumuhgis.outputs.webmap.features import layer_frame
from kumuhgis.outputs.webmap.style import STATUS_CODES

__all__ = [
    "Dashboard",
    "dashboard",
    "software_versions",
    "KolaborasiList",
    "kolaborasi_list",
    "kelurahan_name",
    "DOWNLOAD_LAYERS",
    "DOWNLOAD_REPORTS",
    "write_download",
    "project_about",
    "SKReport",
    "sk_verification",
]
# --------------------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class Dashboard:
    """Figures of the Ringkasan page for the city or one kelurahan (``kode_kel``).

    ``levels``: hectares and RT counts per level per year (domain.md §5 measure 1);
    ``parameter``: reduction of hectare-equivalent per criterion and aspect (measure 2)
    from ``year_from`` to ``year_to``; ``target``: the city's cumulative reduction against
    the project targets (city only); ``kelurahan``: the three measures per kelurahan;
    ``totals``: headline figures.
    """

    kota: str
    kode_kel: str | None
    kelurahan: str | None
    year_from: int | None
    year_to: int | None
    years: tuple[int, ...]
    levels: pd.DataFrame
    parameter: pd.DataFrame
    target: pd.DataFrame
    per_kelurahan: pd.DataFrame
    totals: dict
    reduction: Any = dataclasses.field(default=None, repr=False)


def dashboard(
    snapshot: CitySnapshot,
    *,
    kode_kel: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> Dashboard:
    """City (or one kelurahan's) slum figures for the dashboard, from
    :func:`kumuhgis.analysis.city.reduction_city` (domain.md §5, rolled up per §2).

    ``year_from`` defaults to the first year with RT conditions (the baseline), ``year_to``
    to the last. The figures cover every RT of the city or kelurahan (scope ``kota``,
    domain.md §5); the official figures of the SK in force, and the kumuh RTs outside every
    SK, are in ``reduction.lingkup_tabel`` for a page that shows them.
    """
    from kumuhgis.analysis.city import reduction_city, score_city
    from kumuhgis.core.rules import load_rules

    meta = snapshot.meta
    settings = snapshot.settings
    kota = str(settings.get("kota") or meta.get("kota") or "")
    wilayah = snapshot.wilayah
    kel_name = None if kode_kel is None else kelurahan_name(wilayah, kode_kel)
    baseline = snapshot.baseline
    empty = pd.DataFrame()
    if not len(baseline):
        return Dashboard(kota, kode_kel, kel_name, None, None, (), empty, empty, empty, empty, {})
    from kumuhgis.analysis.scoring import condition_year

    scored = score_city(snapshot)
    years = tuple(sorted(int(y) for y in scored.scores["tahun"].unique()))
    y0 = condition_year(years, year_from) if year_from is not None else years[0]
    y1 = condition_year(years, year_to)
    if y1 < y0:
        raise UsageError(f"tahun akhir {y1} sebelum tahun awal {y0} / end year before start year")
    # every RT of the city (or kelurahan); the SK scope is in red.lingkup_tabel
    red = reduction_city(
        snapshot, year_from=y0, year_to=y1, by="kelurahan", scored=scored, scope="kota"
    )
    rules = load_rules(red.rules)
    per = red.per_tahun
    wil = red.wilayah
    param = red.parameter
    if kode_kel is not None:
        per = per[as_text(per["kode_kel"]) == str(kode_kel)]
        wil = wil[as_text(wil["kode_kel"]) == str(kode_kel)]
        param = param[as_text(param["kode_kel"]) == str(kode_kel)]
    level_cols = [f"luas_{lv.code.lower()}_ha" for lv in rules.levels] + [
        f"jumlah_rt_{lv.code.lower()}" for lv in rules.levels
    ]
    levels = per.groupby("tahun", sort=True)[[*level_cols, "luas_kumuh_ha"]].sum().reset_index()
    rows = []
    for c in rules.criteria:
        col = f"pengurangan_ha_{c.code}"
        rows.append({"jenis": "kriteria", "kode": c.code, "aspek": c.aspect, "uraian": c.label_id,
                     "uraian_en": c.label_en, "pengurangan_ha_setara_ha": float(param[col].sum()) if col in param else 0.0})  # fmt: skip
    for a in rules.aspects:
        col = f"pengurangan_ha_{a.key}"
        rows.append({"jenis": "aspek", "kode": a.key, "aspek": a.key, "uraian": a.label_id,
                     "uraian_en": a.label_en, "pengurangan_ha_setara_ha": float(param[col].sum()) if col in param else 0.0})  # fmt: skip
    parameter = pd.DataFrame(rows)
    target = red.target if kode_kel is None else pd.DataFrame()
    if kode_kel is None:
        totals = dict(red.totals)
    else:
        num = wil.select_dtypes("number").sum()
        totals = {k: float(v) for k, v in num.items()}
    totals["luas_kumuh_awal_ha"] = float(levels.loc[levels["tahun"] == y0, "luas_kumuh_ha"].sum())
    totals["luas_kumuh_akhir_ha"] = float(levels.loc[levels["tahun"] == y1, "luas_kumuh_ha"].sum())
    totals["pengurangan_luas_kumuh_ha"] = (
        totals["luas_kumuh_awal_ha"] - totals["luas_kumuh_akhir_ha"]
    )
    return Dashboard(
        kota=kota,
        kode_kel=kode_kel,
        kelurahan=kel_name,
        year_from=y0,
        year_to=y1,
        years=years,
        levels=levels,
        parameter=parameter,
        target=target,
        per_kelurahan=wil.reset_index(drop=True),
        totals=totals,
        reduction=red,
    )


# --------------------------------------------------------------------------- versions


def software_versions() -> dict[str, str]:
    """Versions of kumuhgis and the geospatial stack it runs on (for ``/healthz``)."""
    from importlib.metadata import PackageNotFoundError, version

    import pyogrio
    import pyproj

    from kumuhgis import __version__

    def pkg(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return ""

    out = {
        "kumuhgis": __version__,
        "geopandas": gpd.__version__,
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "proj": pyproj.proj_version_str,
        "gdal": pyogrio.__gdal_version_string__,
        "pyogrio": pyogrio.__version__,
        "folium": pkg("folium"),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    if importlib.util.find_spec("rasterio") is not None:
        import rasterio

        out["rasterio"] = rasterio.__version__
        out["gdal_rasterio"] = rasterio.__gdal_version__
    return out


# --------------------------------------------------------------------------- lists and files


def kelurahan_name(wilayah: pd.DataFrame, kode_kel: str) -> str:
    """The name of kelurahan ``kode_kel``; a code not in ``wilayah`` is a :class:`UsageError`."""
    hit = wilayah[as_text(wilayah["kode_kel"]) == str(kode_kel)]
    if not len(hit):
        raise UsageError(
            f"kelurahan '{kode_kel}' tidak ada / kelurahan '{kode_kel}' is not in the project"
        )
    return str(hit["kelurahan"].iloc[0])


@dataclass(frozen=True)
class KolaborasiList:
    """The Korkot's list for the Kolaborasi page: ``rows`` (one per work, with
    ``alasan_flag`` when classified) and ``by_tahun``/``by_sumber`` summaries
    (:func:`kumuhgis.analysis.kolaborasi.summarize`) of the works shown."""

    rows: pd.DataFrame
    by_tahun: pd.DataFrame
    by_sumber: pd.DataFrame
    classified: bool
    total: int


def kolaborasi_list(
    data: MapData,
    *,
    tahun: int | None = None,
    sumber_dana: str | None = None,
    status: str | None = None,
    kode_kel: str | None = None,
    flagged_only: bool = True,
) -> KolaborasiList:
    """Kolaborasi works for the Korkot (domain.md §7), filtered by year, funding source,
    effective status and kelurahan. ``flagged_only`` keeps the works of
    :func:`kumuhgis.analysis.kolaborasi.korkot_list` (not wholly inside, criteria no gap in the RT,
    or overridden), sorted by rupiah outside the delineation."""
    k = data.kolaborasi
    total = len(k)
    mask = np.ones(len(k), dtype=bool)
    if tahun is not None:
        mask &= pd.to_numeric(k["tahun"], errors="coerce").to_numpy() == int(tahun)
    if sumber_dana:
        mask &= (as_text(k["sumber_dana"]).str.casefold() == str(sumber_dana).casefold()).to_numpy()
    if status:
        if status not in STATUS_CODES or not status:
            raise UsageError(
                f"status harus salah satu dari {', '.join(s for s in STATUS_CODES if s)} / "
                f"status must be one of {', '.join(s for s in STATUS_CODES if s)}"
            )
        mask &= (as_text(k["status"]) == status).to_numpy()
    if kode_kel:
        kelurahan_name(data.wilayah, kode_kel)
        if "kode_kel" not in k.columns:
            raise UsageError("kolaborasi belum punya kelurahan / kolaborasi has no kelurahan yet")
        mask &= (as_text(k["kode_kel"]) == str(kode_kel)).to_numpy()
    sub = k[mask]
    if data.kolaborasi_classified and len(sub):
        from kumuhgis.analysis.kolaborasi import korkot_list, summarize

        by_tahun = summarize(sub, "tahun")
        by_sumber = summarize(sub, "sumber_dana")
        if flagged_only:
            listed = korkot_list(sub)
            listed["status"] = as_text(listed["status_akhir"]).where(
                as_text(listed["status_akhir"]) != "", as_text(listed["status_lokasi"])
            )
        else:
            listed = sub.sort_values(["tahun", "kode_kegiatan"], kind="stable")
    else:
        by_tahun = by_sumber = pd.DataFrame()
        listed = sub.sort_values(["tahun", "kode_kegiatan"], kind="stable") if len(sub) else sub
    rows = pd.DataFrame(listed.drop(columns=[listed.geometry.name])).reset_index(drop=True)
    if "alasan_flag" not in rows.columns:
        rows["alasan_flag"] = ""
    return KolaborasiList(
        rows=rows,
        by_tahun=by_tahun,
        by_sumber=by_sumber,
        classified=data.kolaborasi_classified,
        total=total,
    )


#: Layer downloads: name → (formats). Spatial layers also as zipped Shapefile.
DOWNLOAD_LAYERS: dict[str, tuple[str, ...]] = {
    "wilayah": ("gpkg", "geojson", "zip", "xlsx", "csv"),
    "rt": ("gpkg", "geojson", "zip", "xlsx", "csv"),
    "delineasi": ("gpkg", "geojson", "zip", "xlsx", "csv"),
    "infrastruktur": ("gpkg", "geojson", "zip", "xlsx", "csv"),
    "kolaborasi": ("gpkg", "geojson", "zip", "xlsx", "csv"),
    "sk_kumuh": ("xlsx", "csv"),
    "baseline": ("xlsx", "csv"),
}
#: Report downloads: name → formats.
DOWNLOAD_REPORTS: dict[str, tuple[str, ...]] = {
    "skor": ("xlsx", "csv"),
    "pengurangan": ("xlsx", "csv"),
    "kolaborasi_korkot": ("xlsx",),
    "verifikasi_sk": ("xlsx", "csv"),
    "peta": ("html",),
}


def _download_frame(snapshot: CitySnapshot, data: MapData, layer: str) -> pd.DataFrame:
    if layer in ("sk_kumuh", "baseline"):
        return snapshot.layers[layer]
    if layer == "kolaborasi":
        return data.kolaborasi.drop(columns=["status"])
    frame = layer_frame(data, layer, None, None)
    return frame.drop(
        columns=[c for c in ("label_lon", "label_lat", "ikon", "warna") if c in frame.columns]
    )


def _zip_shapefiles(frame: gpd.GeoDataFrame, path: Path, stem: str) -> Path:
    """A zipped Shapefile set; a layer mixing points, lines and polygons becomes one set
    per kind (``<stem>_titik``, ``<stem>_garis``, ``<stem>_poligon``) in the same zip."""
    import tempfile
    import zipfile

    from kumuhgis.outputs.files import write_frame

    kinds = {"Point": "titik", "MultiPoint": "titik", "LineString": "garis", "MultiLineString": "garis",
             "Polygon": "poligon", "MultiPolygon": "poligon"}  # fmt: skip
    gtype = frame.geom_type.map(kinds).fillna("lain")
    groups = sorted(gtype.unique())
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".unduh-") as tmp:
        files = []
        for g in groups:
            part = frame[(gtype == g).to_numpy()]
            name = stem if len(groups) == 1 else f"{stem}_{g}"
            write_frame(part, Path(tmp) / f"{name}.shp")
            files += sorted(Path(tmp).glob(f"{name}.*"))
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f, f.name)
    return path


def write_download(
    snapshot: CitySnapshot,
    data: MapData,
    name: str,
    fmt: str,
    directory: str | Path,
    *,
    lang: str = "id",
) -> Path:
    """Write one download of the Unduh page into ``directory`` and return its path.

    Layers (:data:`DOWNLOAD_LAYERS`) as GeoPackage, GeoJSON, zipped Shapefile, XLSX or
    CSV (:func:`kumuhgis.outputs.files.write_frame`), with the viewer's extra columns (RT level of the
    latest year, kelurahan and delineation area, kolaborasi status). Reports
    (:data:`DOWNLOAD_REPORTS`): scores (:func:`kumuhgis.outputs.score_files.write_scores`), reduction
    from the baseline to the latest year (:func:`kumuhgis.outputs.reduction_files.write_reduction`), the
    kolaborasi classification and Korkot list (:func:`kumuhgis.outputs.kolaborasi_files.write_kolaborasi`),
    the SK verification (:func:`kumuhgis.outputs.verification_files.write_verification`) and the offline
    map (:func:`export_map_html`).
    """
    from kumuhgis.outputs.files import write_frame

    directory = Path(directory)
    allowed = DOWNLOAD_LAYERS.get(name) or DOWNLOAD_REPORTS.get(name)
    if allowed is None:
        raise UsageError(
            f"unduhan '{name}' tidak ada; pilih {', '.join([*DOWNLOAD_LAYERS, *DOWNLOAD_REPORTS])} / "
            f"no download '{name}'"
        )
    if fmt not in allowed:
        raise UsageError(
            f"{name} tersedia sebagai {', '.join(allowed)}, bukan {fmt} / {name} is available as {', '.join(allowed)}, not {fmt}"
        )
    stem = f"{name}"
    path = directory / f"{stem}.{fmt}"
    if name in DOWNLOAD_LAYERS:
        frame = _download_frame(snapshot, data, name)
        if fmt == "zip":
            return _zip_shapefiles(frame, path, stem)
        return write_frame(frame, path, layer=name)
    if name == "skor":
        from kumuhgis.analysis.city import score_city
        from kumuhgis.outputs.score_files import write_scores

        scored = score_city(snapshot)
        write_scores(scored.scores, path, rules=scored.rules, trace=scored.trace, title=data.kota)
        return path
    if name == "pengurangan":
        from kumuhgis.analysis.city import reduction_city
        from kumuhgis.outputs.reduction_files import write_reduction

        if len(data.years) < 1:
            raise UsageError("proyek belum punya baseline / the project has no baseline")
        red = reduction_city(
            snapshot, year_from=data.years[0], year_to=data.years[-1], by="kelurahan"
        )
        write_reduction(red, path, kota=data.kota)
        return path
    if name == "kolaborasi_korkot":
        if not data.kolaborasi_classified:
            raise UsageError(
                "kolaborasi belum bisa diklasifikasi / collaboration cannot be classified"
            )
        from kumuhgis.analysis.kolaborasi import tolerance_from_settings
        from kumuhgis.outputs.kolaborasi_files import write_kolaborasi

        write_kolaborasi(
            data.kolaborasi.drop(columns=["status"]),
            path,
            tolerance_m=tolerance_from_settings(data.settings),
            rules=snapshot.rules,
        )
        return path
    if name == "verifikasi_sk":
        from kumuhgis.analysis.city import verify_city
        from kumuhgis.outputs.verification_files import write_verification

        if not len(data.sk):
            raise UsageError("proyek belum punya SK Kumuh / the project has no SK Kumuh")
        write_verification(verify_city(snapshot), path, title=data.kota)
        return path
    # peta
    path.write_text(export_map_html(data, lang=lang), encoding="utf-8")
    return path


def project_about(snapshot: CitySnapshot) -> dict:
    """What the Tentang page shows: project meta, settings, layer row counts, the audit
    trail (newest first), the rule set in use and :func:`software_versions`."""
    from kumuhgis.core.schema import LAYERS

    settings = dict(snapshot.settings)
    rules = snapshot.rules
    counts = {name: len(snapshot.layers[name]) if snapshot.has(name) else 0 for name in LAYERS}
    audit = snapshot.audit
    if len(audit):
        audit = audit.iloc[::-1].reset_index(drop=True)
    return {
        "meta": dict(snapshot.meta),
        "settings": settings,
        "counts": counts,
        "audit": audit,
        "rules": rules,
        "versions": software_versions(),
        "path": snapshot.source,
    }


@dataclass(frozen=True)
class SKReport:
    """The Verifikasi SK page (domain.md §6), from :func:`kumuhgis.analysis.city.verify_city`:
    ``summary`` (one row per SK version with its recommendation), ``locations`` (one row
    per version and location with the three luas figures and the verified luas),
    ``findings`` (one row per finding, with ``judul``: the flag's title in the page
    language) and ``notes``."""

    summary: pd.DataFrame
    locations: pd.DataFrame
    findings: pd.DataFrame
    notes: list[str]


def sk_verification(
    snapshot: CitySnapshot, *, no_sk: str | None = None, lang: str = "id"
) -> SKReport:
    """Verify the SK Kumuh versions of a project (or only ``no_sk``) against the
    delineation and the scored baseline (:func:`kumuhgis.analysis.city.verify_city`,
    domain.md §6) for the Verifikasi SK page."""
    from kumuhgis.analysis.city import verify_city
    from kumuhgis.analysis.verification import FLAG_LABELS

    if not len(snapshot.sk_kumuh):
        empty = pd.DataFrame()
        return SKReport(empty, empty, empty, [])
    result = verify_city(snapshot, no_sk=no_sk)
    findings = result.findings.copy()
    i = 1 if lang == "en" else 0
    findings["judul"] = [FLAG_LABELS.get(f, (f, f))[i] for f in findings["flag"]]
    if lang == "en" and "detail_en" in findings.columns:
        findings["detail"] = findings["detail_en"]
    summary = result.summary.copy()
    if lang == "en" and "alasan_en" in summary.columns:
        summary["alasan"] = summary["alasan_en"]
    return SKReport(
        summary=summary, locations=result.locations, findings=findings, notes=list(result.notes)
    )
