"""Every RT with its kelurahan, kecamatan, kota and kawasan, and the scope of the SK in
force (domain.md §2, §5).

RT → kelurahan through ``rt.kode_kel``; kecamatan and kota through ``wilayah``; kawasan
through the delineation polygons or the SK's RT lists (:func:`rt_kawasan`). Scope
(domain.md §5, "always labelled"): ``dalam_sk`` marks the RTs inside the kawasan of the SK
version the figures are official for, ``luar_semua_sk`` the RTs outside the kawasan of
every SK version and every delineation polygon (their kumuh RTs are the candidates for the
next SK).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from kumuhgis.core.codes import split_codes
from kumuhgis.core.sk import delineation_of

__all__ = ["UNKNOWN", "OUTSIDE", "fill_units", "rt_kawasan", "rt_units", "sk_members"]

UNKNOWN = "(tidak diketahui)"
OUTSIDE = "(di luar delineasi)"


def rt_kawasan(
    rt: gpd.GeoDataFrame,
    *,
    delineasi: gpd.GeoDataFrame | None = None,
    sk_kumuh: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The kawasan of every RT (domain.md §2; issue rule "RT → kawasan").

    An RT belongs to a kawasan when its representative point lies in (or on the edge of)
    the kawasan's delineation polygon, or, failing that, when an SK row lists its
    ``kode_rt`` (later SK dates win). When several polygons hold the point, the most
    recently delineated one wins, then the smallest ``kode_kawasan``.

    Returns
    -------
    pandas.DataFrame
        ``kode_rt``, ``kode_kawasan``, ``nama_kawasan``, ``sumber_kawasan``
        (``delineasi``/``sk``/empty) — one row per RT, empty codes when outside.
    """
    codes = rt["kode_rt"].astype(str).to_numpy()
    kaw = pd.Series([""] * len(rt), index=codes, dtype="str")
    nama = pd.Series([""] * len(rt), index=codes, dtype="str")
    src = pd.Series([""] * len(rt), index=codes, dtype="str")
    if delineasi is not None and len(delineasi) and len(rt):
        dl = delineasi.to_crs(rt.crs) if not delineasi.crs.equals(rt.crs) else delineasi
        pts = gpd.GeoDataFrame(
            {"kode_rt": codes}, geometry=rt.geometry.representative_point().to_numpy(), crs=rt.crs
        )
        polys = gpd.GeoDataFrame(
            {
                "kode_kawasan": dl["kode_kawasan"].astype(str).to_numpy(),
                "nama_kawasan": dl["nama_kawasan"].astype(str).to_numpy(),
                "_tahun": pd.to_numeric(dl["tahun"], errors="coerce").fillna(0).to_numpy(),
            },
            geometry=dl.geometry.to_numpy(),
            crs=dl.crs,
        )
        j = gpd.sjoin(pts, polys, how="inner", predicate="covered_by")
        j = j.sort_values(["kode_rt", "_tahun", "kode_kawasan"], ascending=[True, False, True])
        j = j.drop_duplicates("kode_rt").set_index("kode_rt")
        kaw.loc[j.index] = j["kode_kawasan"].astype(str)
        nama.loc[j.index] = j["nama_kawasan"].astype(str)
        src.loc[j.index] = "delineasi"
    if sk_kumuh is not None and len(sk_kumuh) and "kode_rt" in sk_kumuh.columns:
        sk = sk_kumuh.assign(_t=sk_kumuh["tanggal_sk"].astype(str)).sort_values("_t", kind="stable")
        for _, row in sk.iterrows():  # later SK rows overwrite earlier ones
            for code in split_codes(row["kode_rt"]):
                if code in kaw.index and src[code] != "delineasi":
                    kaw[code] = str(row["kode_kawasan"])
                    nama[code] = str(row.get("nama_lokasi", "") or "")
                    src[code] = "sk"
    return pd.DataFrame(
        {
            "kode_rt": pd.Series(codes, dtype="str"),
            "kode_kawasan": kaw.to_numpy(),
            "nama_kawasan": nama.to_numpy(),
            "sumber_kawasan": src.to_numpy(),
        }
    ).astype({"kode_kawasan": "str", "nama_kawasan": "str", "sumber_kawasan": "str"})


def rt_units(
    rt: pd.DataFrame,
    wilayah: pd.DataFrame,
    *,
    delineasi: gpd.GeoDataFrame | None = None,
    sk_kumuh: pd.DataFrame | None = None,
    no_sk: str | None = None,
) -> pd.DataFrame:
    """Every RT with its kelurahan, kecamatan, kota and kawasan (domain.md §2), and its
    scope (domain.md §5).

    RT → kelurahan through ``rt.kode_kel``; kecamatan and kota through ``wilayah``;
    kawasan through :func:`rt_kawasan` (every delineation polygon, every SK row). Unknown
    units are ``"(tidak diketahui)"``, RTs in no kawasan ``"(di luar delineasi)"``.
    ``dalam_sk``: inside a kawasan of SK version ``no_sk`` (:func:`sk_members`; any
    kawasan when ``no_sk`` is ``None``; every RT when the project has neither a
    delineation nor an SK); ``luar_semua_sk``: in no kawasan at all.

    Returns
    -------
    pandas.DataFrame
        ``kode_rt, rt, rw, kode_kel, kelurahan, kecamatan, kota, kode_kawasan,
        nama_kawasan, sumber_kawasan, dalam_sk, luar_semua_sk`` — one row per RT.
    """
    base = pd.DataFrame(
        {
            "kode_rt": rt["kode_rt"].astype(str).to_numpy(),
            "rt": rt["rt"].astype(str).to_numpy() if "rt" in rt.columns else "",
            "rw": rt["rw"].astype(str).to_numpy() if "rw" in rt.columns else "",
            "kode_kel": rt["kode_kel"].astype(str).to_numpy() if "kode_kel" in rt.columns else "",
        }
    )
    wil = pd.DataFrame(wilayah).drop(columns=[c for c in ("geometry",) if c in wilayah.columns])
    wil = wil.assign(kode_kel=wil["kode_kel"].astype(str)).drop_duplicates("kode_kel")
    wil = wil[["kode_kel", "kelurahan", "kecamatan", "kota"]]
    out = base.merge(wil, on="kode_kel", how="left")
    if isinstance(rt, gpd.GeoDataFrame) and len(rt):
        out = out.merge(
            rt_kawasan(rt, delineasi=delineasi, sk_kumuh=sk_kumuh), on="kode_rt", how="left"
        )
    else:
        out["kode_kawasan"] = ""
        out["nama_kawasan"] = ""
        out["sumber_kawasan"] = ""
    out = fill_units(out)
    scoped = (
        isinstance(rt, gpd.GeoDataFrame)
        and len(rt)
        and ((delineasi is not None and len(delineasi)) or (sk_kumuh is not None and len(sk_kumuh)))
    )
    out["dalam_sk"] = sk_members(rt, delineasi, sk_kumuh, no_sk) if scoped else True
    out["luar_semua_sk"] = (out["sumber_kawasan"] == "").to_numpy()
    return out


def sk_members(
    rt: gpd.GeoDataFrame,
    delineasi: gpd.GeoDataFrame | None,
    sk_kumuh: pd.DataFrame | None,
    no_sk: str | None,
):
    """Whether each RT lies inside a kawasan of SK version ``no_sk`` (domain.md §5): its
    representative point in one of the version's polygons
    (:func:`kumuhgis.core.sk.delineation_of`) or its code in the version's ``kode_rt``
    lists; with ``no_sk`` ``None``, of any version (any polygon, any list)."""
    rows = sk_kumuh
    if sk_kumuh is not None and len(sk_kumuh) and no_sk is not None:
        rows = sk_kumuh[sk_kumuh["no_sk"].astype(str) == str(no_sk)]
    polys = delineation_of(delineasi, sk_kumuh, no_sk) if delineasi is not None else None
    kaw = rt_kawasan(rt, delineasi=polys, sk_kumuh=rows)
    return (kaw["kode_kawasan"] != "").to_numpy()


def fill_units(units: pd.DataFrame) -> pd.DataFrame:
    """``units`` with every unit column present: unknown names ``"(tidak diketahui)"``, no
    kawasan ``"(di luar delineasi)"``, the scope flags as booleans."""
    out = units.copy()
    for c in ("rt", "rw", "kode_kel", "kelurahan", "kecamatan", "kota"):
        if c not in out.columns:
            out[c] = UNKNOWN
        out[c] = out[c].astype("str").fillna(UNKNOWN).replace({"": UNKNOWN, "nan": UNKNOWN})
    for c in ("kode_kawasan", "nama_kawasan", "sumber_kawasan"):
        if c not in out.columns:
            out[c] = ""
        out[c] = out[c].astype("str").fillna("")
    outside = out["kode_kawasan"] == ""
    out.loc[outside, "kode_kawasan"] = OUTSIDE
    out.loc[outside, "nama_kawasan"] = OUTSIDE
    # scope: units without it are all in scope; an RT missing from the units is not
    if "dalam_sk" not in out.columns:
        out["dalam_sk"] = True
    if "luar_semua_sk" not in out.columns:
        out["luar_semua_sk"] = (out["kode_kawasan"] == OUTSIDE).to_numpy()
    for c in ("dalam_sk", "luar_semua_sk"):
        out[c] = out[c].astype("boolean").fillna(False).astype(bool)
    return out
