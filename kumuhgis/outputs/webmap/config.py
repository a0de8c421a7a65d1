"""The settings the browser's map script starts from (``KG.init`` in app/static/kumuhgis/map.js).

Texts, colours, years, SK versions, funding sources and popup fields, plus either the API
URLs of a served page or, for the one-file export, every layer embedded as GeoJSON.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.webmap.data import MapData, as_text
from kumuhgis.outputs.webmap.features import LAYER_KEYS, json_value, layer_geojson
from kumuhgis.outputs.webmap.style import (
    LEVEL_CODES,
    LEVEL_COLORS,
    STATUS_CODES,
    STATUS_COLORS,
    infra_style,
)
from kumuhgis.outputs.webmap.text import field_spec, map_text

__all__ = ["map_config"]


def map_config(
    data: MapData,
    *,
    mode: str = "served",
    lang: str = "id",
    year: int | None = None,
    no_sk: str | None = None,
    select: str | None = None,
    basemaps: Mapping[str, str] | None = None,
    base_default: str = "none",
    urls: Mapping[str, str] | None = None,
) -> dict:
    """The settings the browser script needs (JSON): texts, colours, years, SK versions,
    funding sources, popup fields, and either API URLs (``mode="served"``) or the data
    itself (``mode="embedded"``)."""
    if mode not in ("served", "embedded"):
        raise UsageError(
            f"mode peta harus served|embedded, bukan {mode!r} / map mode must be served|embedded"
        )
    year = data.year_or_latest(year)
    no_sk = data.check_sk(no_sk) if no_sk is not None else data.latest_sk
    infra_styles = {}
    if len(data.infrastruktur):
        for j in sorted(set(as_text(data.infrastruktur["jenis"]))):
            infra_styles[j] = infra_style(j)
    cfg: dict[str, Any] = {
        "mode": mode,
        "lang": "en" if lang == "en" else "id",
        "kota": data.kota,
        "text": map_text(lang),
        "fields": field_spec(lang),
        "levels": [c for c in LEVEL_CODES if c][::-1],
        "level_colors": LEVEL_COLORS,
        "statuses": [s for s in STATUS_CODES if s],
        "status_colors": STATUS_COLORS,
        "classified": data.kolaborasi_classified,
        "infra_styles": infra_styles,
        "years": list(data.years),
        "year": year,
        "kegiatan_years": data.kegiatan_years(),
        "sumber_dana": data.sumber_dana(),
        "sk_versions": [
            {"no_sk": v["no_sk"], "tanggal_sk": v["tanggal_sk"], "lokasi": v["lokasi"]}
            for v in data.sk_versions
        ],
        "no_sk": no_sk,
        "select": select or "",
        "bounds": data.bounds,
        "basemaps": dict(basemaps or {}),
        "base_default": base_default,
        "counts": {k: int(len(getattr(data, k))) for k in LAYER_KEYS},
        "made": _dt.date.today().isoformat(),
    }
    if mode == "served":
        cfg["urls"] = dict(urls or {})
    else:
        cfg["data"] = _embedded_data(data, no_sk=no_sk)
    return cfg


def _embedded_data(data: MapData, *, no_sk: str | None) -> dict:
    """Every layer as GeoJSON for a self-contained page. RT features carry their level
    per year in ``levels``: ``{"2016": ["KS", total, sektoral, asal], ...}``; delineasi
    features carry ``sk``: {no_sk: luas_sk_ha} for every SK version that lists them."""
    out: dict[str, Any] = {}
    simplify = {"wilayah": 1.0, "delineasi": 0.5, "rt": 0.5}
    for layer in ("wilayah", "infrastruktur", "kolaborasi"):
        out[layer] = json.loads(layer_geojson(data, layer, simplify_m=simplify.get(layer)))
    # RT: static attributes + levels per year
    rt = json.loads(layer_geojson(data, "rt", simplify_m=simplify["rt"]))
    sc = data.scores
    per: dict[str, dict[str, list]] = {}
    sek = (
        sc["rata_sektoral"] if "rata_sektoral" in sc.columns else pd.Series(np.nan, index=sc.index)
    )
    for code, tahun, tk, tot, s, asal in zip(
        sc["kode_rt"].astype(str),
        sc["tahun"],
        sc["tingkat"].astype(str),
        sc["total_nilai"],
        sek,
        sc["asal"].astype(str),
        strict=True,
    ):
        per.setdefault(code, {})[str(int(tahun))] = [tk, json_value(tot), json_value(s), asal]
    for f in rt["features"]:
        p = f["properties"]
        for k in ("tahun", "tingkat", "total_nilai", "rata_sektoral", "asal"):
            p.pop(k, None)
        p["levels"] = per.get(str(p["kode_rt"]), {})
    out["rt"] = rt
    dl = json.loads(layer_geojson(data, "delineasi", simplify_m=simplify["delineasi"]))
    membership: dict[str, dict[str, float | None]] = {}
    if len(data.sk):
        for no, code, luas in zip(as_text(data.sk["no_sk"]), as_text(data.sk["kode_kawasan"]),
                                  pd.to_numeric(data.sk["luas_sk_ha"], errors="coerce"), strict=True):  # fmt: skip
            membership.setdefault(code, {})[no] = json_value(luas)
    for f in dl["features"]:
        f["properties"]["sk"] = membership.get(str(f["properties"]["kode_kawasan"]), {})
    out["delineasi"] = dl
    return out
