"""SK Kumuh versions: the one list of versions, the version in force and the delineation
polygons of a version (domain.md §6, §7).

An SK version is one decree: a number (``no_sk``), a date and its location rows. Every
command and page that lists versions or picks the one in force uses these two functions,
so a bad date is refused the same way everywhere.
"""

from __future__ import annotations

import pandas as pd

from kumuhgis.core.errors import UsageError

__all__ = [
    "SK_VERSION_COLUMNS",
    "VERSION_COLUMN",
    "VERSION_DATE_COLUMN",
    "delineation_of",
    "delineation_versions",
    "sk_in_force",
    "sk_versions",
]

#: Columns of :func:`sk_versions`.
SK_VERSION_COLUMNS = ("no_sk", "tanggal_sk", "tahun_sk", "jumlah_lokasi", "luas_sk_ha")


def sk_versions(sk_kumuh: pd.DataFrame) -> pd.DataFrame:
    """SK versions in date order: ``no_sk``, ``tanggal_sk`` (Timestamp), ``tahun_sk``,
    ``jumlah_lokasi``, ``luas_sk_ha`` (Σ of the rows).

    Raises
    ------
    UsageError
        A ``tanggal_sk`` that is not a date, or one SK number with two dates.
    """
    cols = list(SK_VERSION_COLUMNS)
    if sk_kumuh is None or len(sk_kumuh) == 0:
        return pd.DataFrame(
            {
                c: pd.Series([], dtype=t)
                for c, t in zip(
                    cols, ["str", "datetime64[ns]", "int64", "int64", "float64"], strict=True
                )
            }
        )
    dates = pd.to_datetime(sk_kumuh["tanggal_sk"].astype(str), errors="coerce", format="mixed")
    bad = sk_kumuh.loc[dates.isna(), "tanggal_sk"]
    if len(bad):
        raise UsageError(
            f"tanggal_sk bukan tanggal: {', '.join(map(str, bad.head(5)))} / tanggal_sk is not a date"
        )
    frame = pd.DataFrame(
        {
            "no_sk": sk_kumuh["no_sk"].astype(str),
            "tanggal_sk": dates,
            "luas": pd.to_numeric(sk_kumuh["luas_sk_ha"], errors="coerce"),
        }
    )
    two = frame.groupby("no_sk")["tanggal_sk"].nunique()
    if (two > 1).any():
        raise UsageError(
            f"SK {', '.join(two[two > 1].index)} punya lebih dari satu tanggal / has more than one date"
        )
    out = frame.groupby("no_sk", sort=False).agg(
        tanggal_sk=("tanggal_sk", "first"),
        jumlah_lokasi=("no_sk", "size"),
        luas_sk_ha=("luas", "sum"),
    )
    out = (
        out.reset_index().sort_values(["tanggal_sk", "no_sk"], kind="stable").reset_index(drop=True)
    )
    out["tahun_sk"] = out["tanggal_sk"].dt.year.astype("int64")
    out["no_sk"] = out["no_sk"].astype("str")
    return out[cols]


def sk_in_force(sk_kumuh: pd.DataFrame | None, year: int) -> str | None:
    """The SK version in force in ``year`` (domain.md §7): the latest version dated on or
    before 31 December of ``year``; before the first SK, the first one. ``None`` when there
    is no SK at all."""
    versions = sk_versions(sk_kumuh)
    if versions.empty:
        return None
    end = pd.Timestamp(year=int(year), month=12, day=31)
    valid = versions[versions["tanggal_sk"] <= end]
    return str((valid if len(valid) else versions).iloc[-1 if len(valid) else 0]["no_sk"])


#: Optional ``delineasi`` columns giving a polygon's version (domain.md §6, §7): ``versi`` is
#: the ``no_sk`` of the SK the polygon belongs to, or a label of a delineation version of
#: its own dated ``tanggal_versi``; empty = a polygon of every version.
VERSION_COLUMN = "versi"
VERSION_DATE_COLUMN = "tanggal_versi"


def delineation_versions(delineasi: pd.DataFrame | None) -> list[str]:
    """The version labels the ``delineasi`` layer holds (empty: not versioned)."""
    if delineasi is None or VERSION_COLUMN not in delineasi.columns:
        return []
    v = delineasi[VERSION_COLUMN]
    return sorted({str(x) for x in v[v.notna()] if str(x).strip()})


def delineation_of(
    delineasi: pd.DataFrame, sk_kumuh: pd.DataFrame | None, no_sk: str | None
) -> pd.DataFrame:
    """The delineation polygons of SK version ``no_sk`` (domain.md §6, §7).

    Polygons whose ``versi`` is ``no_sk`` when there are any; else those of the latest
    delineation version of its own (a ``versi`` that is no SK number) dated on or before
    the SK's date (``tanggal_versi``); else the unversioned polygons (empty ``versi``, or a
    layer without the column). Then only the kawasan the SK lists (all polygons when the
    SK table is empty or ``no_sk`` is ``None``). Returns rows of ``delineasi`` (a subset,
    same columns), never a copy of more.
    """
    if delineasi is None or len(delineasi) == 0:
        return delineasi
    sk = sk_kumuh if sk_kumuh is not None and len(sk_kumuh) else None
    pick = delineasi
    if VERSION_COLUMN in delineasi.columns:
        label = delineasi[VERSION_COLUMN].astype("str").where(delineasi[VERSION_COLUMN].notna(), "")
        label = label.str.strip()
        own = label == str(no_sk) if no_sk is not None else pd.Series(False, index=label.index)
        if own.any():
            pick = delineasi[own.to_numpy()]
        else:
            pick = delineasi[(label == "").to_numpy()]
            sk_numbers = set(sk["no_sk"].astype(str)) if sk is not None else set()
            dated = _dated_version(delineasi, label, sk_numbers, sk, no_sk)
            if dated is not None:
                pick = delineasi[(label == dated).to_numpy()]
    if sk is None or no_sk is None:
        return pick
    codes = set(sk.loc[sk["no_sk"].astype(str) == str(no_sk), "kode_kawasan"].astype(str))
    return pick[pick["kode_kawasan"].astype(str).isin(codes).to_numpy()]


def _dated_version(delineasi, label, sk_numbers, sk, no_sk) -> str | None:
    """The latest own delineation version dated on or before the SK's date."""
    if VERSION_DATE_COLUMN not in delineasi.columns or sk is None or no_sk is None:
        return None
    rows = sk[sk["no_sk"].astype(str) == str(no_sk)]
    if rows.empty:
        return None
    sk_date = pd.to_datetime(str(rows["tanggal_sk"].iloc[0]), errors="coerce")
    dates = pd.to_datetime(delineasi[VERSION_DATE_COLUMN].astype("str"), errors="coerce")
    ok = (label != "") & ~label.isin(sk_numbers) & dates.notna() & (dates <= sk_date)
    if not ok.any():
        return None
    latest = dates[ok].max()
    return str(label[ok & (dates == latest)].iloc[0])
