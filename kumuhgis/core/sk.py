"""SK Kumuh versions: the one list of versions and the version in force (domain.md §6, §7).

An SK version is one decree: a number (``no_sk``), a date and its location rows. Every
command and page that lists versions or picks the one in force uses these two functions,
so a bad date is refused the same way everywhere.
"""

from __future__ import annotations

import pandas as pd

from kumuhgis.core.errors import UsageError

__all__ = ["SK_VERSION_COLUMNS", "sk_in_force", "sk_versions"]

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
