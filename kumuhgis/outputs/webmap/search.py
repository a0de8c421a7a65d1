"""Search the map: kelurahan, kawasan, RT and kolaborasi by name or code.

Names match without case, accents or "Kel."/"Desa" prefixes
(:func:`kumuhgis.core.vocabulary.normalize_name`); a misspelt or abbreviated kelurahan
falls back to :func:`kumuhgis.core.vocabulary.closest_name`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.vocabulary import closest_name, normalize_name
from kumuhgis.outputs.webmap.data import MapData, as_text

__all__ = ["search"]

_RT_RE = re.compile(r"\brt\.?\s*0*(\d+)", re.IGNORECASE)
_RW_RE = re.compile(r"\brw\.?\s*0*(\d+)", re.IGNORECASE)

# A hit while searching: (rank, layer order, result); best first when sorted.
_Hit = tuple[int, int, dict]


def _rank(query: str, target: str) -> int | None:
    """0 exact, 1 prefix, 2 word prefix, 3 substring (normalised, spaces ignored); None no match."""
    if not query or not target:
        return None
    if target == query:
        return 0
    if target.startswith(query):
        return 1
    if any(w.startswith(query) for w in target.split()):
        return 2
    if query.replace(" ", "") in target.replace(" ", ""):
        return 3
    return None


def _bbox_of(geom) -> list[float]:
    return [round(float(v), 7) for v in shapely.bounds(geom)]


def _kelurahan_hits(data: MapData, q_raw: str, q: str, q_code: str) -> list[_Hit]:
    """Kelurahan by name or code; with no match, the closest spelling of a name."""
    w = data.wilayah
    hits: list[_Hit] = []
    for i in range(len(w)):
        name = str(w["kelurahan"].iloc[i])
        r = _rank(q, normalize_name(name))
        if r is None and q_code == str(w["kode_kel"].iloc[i]).casefold():
            r = 0
        if r is not None:
            hits.append(
                (r, 0, {"layer": "wilayah", "id": str(w["kode_kel"].iloc[i]), "label": name,
                        "detail": f"Kec. {w['kecamatan'].iloc[i]}", "bbox": _bbox_of(w.geometry.iloc[i])})
            )  # fmt: skip
    if not hits and len(w):
        best = closest_name(q_raw, as_text(w["kelurahan"]).tolist())
        if best is not None:
            row = w[as_text(w["kelurahan"]) == best].iloc[0]
            hits.append(
                (4, 0, {"layer": "wilayah", "id": str(row["kode_kel"]), "label": best,
                        "detail": f"Kec. {row['kecamatan']}", "bbox": _bbox_of(row.geometry)})
            )  # fmt: skip
    return hits


def _kawasan_hits(data: MapData, q: str, q_code: str) -> list[_Hit]:
    """Delineated kawasan by name, by whole code (rank 0) or part of the code (rank 3)."""
    d = data.delineasi
    hits: list[_Hit] = []
    for i in range(len(d)):
        name = str(d["nama_kawasan"].iloc[i])
        code = str(d["kode_kawasan"].iloc[i])
        r = _rank(q, normalize_name(name))
        if q_code == code.casefold():
            r = 0
        elif r is None and q_code in code.casefold():
            r = 3
        if r is not None:
            hits.append(
                (r, 1, {"layer": "delineasi", "id": code, "label": f"{name} ({code})",
                        "detail": str(d["kelurahan"].iloc[i]), "bbox": _bbox_of(d.geometry.iloc[i])})
            )  # fmt: skip
    return hits


def _rt_mask(rt: pd.DataFrame, q_raw: str, q_code: str) -> tuple[np.ndarray, int]:
    """Which RTs match and at what rank: part of ``kode_rt`` (rank 2), else "RT n RW m
    <kelurahan>" with each part optional (rank 1)."""
    m_rt, m_rw = _RT_RE.search(q_raw), _RW_RE.search(q_raw)
    by_code = as_text(rt["kode_rt"]).str.casefold().str.contains(q_code, regex=False).to_numpy()
    if by_code.any() or not (m_rt or m_rw):
        return by_code, 2
    mask = np.ones(len(rt), dtype=bool)
    if m_rt:
        mask &= pd.to_numeric(rt["rt"], errors="coerce").to_numpy() == int(m_rt.group(1))
    if m_rw:
        mask &= pd.to_numeric(rt["rw"], errors="coerce").to_numpy() == int(m_rw.group(1))
    rest = _RW_RE.sub(" ", _RT_RE.sub(" ", q_raw))
    rest = normalize_name(rest.replace("/", " "))
    if rest:
        kel = as_text(rt["kelurahan"]).map(normalize_name)
        mask &= np.array([_rank(rest, k) is not None for k in kel], dtype=bool)
    return mask, 1


def _rt_hits(data: MapData, q_raw: str, q_code: str, limit: int) -> list[_Hit]:
    """RTs by code or by "RT 3 RW 2 <kelurahan>"; at most ``limit`` of them."""
    rt = data.rt
    if not len(rt):
        return []
    mask, rank = _rt_mask(rt, q_raw, q_code)
    codes = as_text(rt["kode_rt"])
    return [
        (rank if codes.iloc[i].casefold() != q_code else 0, 2,
         {"layer": "rt", "id": codes.iloc[i],
          "label": f"RT {rt['rt'].iloc[i]} / RW {rt['rw'].iloc[i]}",
          "detail": f"{rt['kelurahan'].iloc[i]} — {codes.iloc[i]}",
          "bbox": _bbox_of(rt.geometry.iloc[i])})
        for i in np.flatnonzero(mask)[: max(limit, 1)]
    ]  # fmt: skip


def _kolaborasi_hits(data: MapData, q: str, q_code: str) -> list[_Hit]:
    """Kolaborasi works by whole code (rank 0) or a name containing the query (rank 3)."""
    k = data.kolaborasi
    if not len(k):
        return []
    codes = as_text(k["kode_kegiatan"])
    names = as_text(k["nama_kegiatan"])
    hits: list[_Hit] = []
    for i in range(len(k)):
        r = 0 if codes.iloc[i].casefold() == q_code else None
        if (
            r is None
            and len(q) >= 3
            and q.replace(" ", "") in normalize_name(names.iloc[i]).replace(" ", "")
        ):
            r = 3
        if r is not None:
            hits.append(
                (r, 3, {"layer": "kolaborasi", "id": codes.iloc[i], "label": names.iloc[i],
                        "detail": f"{codes.iloc[i]} — {k['tahun'].iloc[i]}",
                        "bbox": _bbox_of(k.geometry.iloc[i])})
            )  # fmt: skip
    return hits


def search(data: MapData, query: str, *, limit: int = 20) -> list[dict]:
    """Find kelurahan, kawasan, RT and kolaborasi by name or code.

    Names match without case, accents or "Kel."/"Desa" prefixes
    (:func:`kumuhgis.core.vocabulary.normalize_name`), by prefix or substring; a misspelt or
    abbreviated kelurahan ("MB. Hulu") falls back to
    :func:`kumuhgis.core.vocabulary.closest_name`. ``"RT 3 RW 2 Baamang"`` finds RT 003/RW 002
    in the matching kelurahan. Each hit: ``layer``, ``id``, ``label``, ``detail`` and
    ``bbox`` (west, south, east, north), best first.
    """
    q_raw = str(query or "").strip()
    if not q_raw:
        return []
    q = normalize_name(q_raw)
    q_code = q_raw.casefold()
    hits = (
        _kelurahan_hits(data, q_raw, q, q_code)
        + _kawasan_hits(data, q, q_code)
        + _rt_hits(data, q_raw, q_code, limit)
        + _kolaborasi_hits(data, q, q_code)
    )
    hits.sort(key=lambda h: (h[0], h[1], h[2]["label"]))
    return [h[2] for h in hits[:limit]]
