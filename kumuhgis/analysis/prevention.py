"""Work outside the delineation as prevention (pencegahan, domain.md §5, §7, §8).

Work outside the delineation in force changes no RT's volumes: it never counts as reduction,
it may count as prevention. Per work, the outside share is ``1 − porsi_efektif`` of
:func:`kumuhgis.analysis.kolaborasi.classify_kolaborasi` (the Korkot's override first):
all of a ``luar`` or ``batas`` work (``batas`` stays outside until a Korkot override, and
the Korkot list names it for review), the outside part of a ``sebagian`` work, nothing of a
``dalam`` work. Its rupiah is ``nilai_rp_luar`` (``nilai_rp × (1 − porsi_efektif)``), its
volume per criterion ``volume_c × (1 − porsi_efektif)``
(:func:`kumuhgis.core.volumes.work_volumes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kumuhgis.core.errors import UsageError
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.volumes import work_volumes

__all__ = ["PREVENTION_KEYS", "prevention", "prevention_works"]

#: The groupings of the prevention report (domain.md §7: year, funding source, kelurahan).
PREVENTION_KEYS: tuple[str, ...] = ("tahun", "sumber_dana", "kelurahan")
_UNKNOWN = "(tidak diketahui)"


def prevention_works(
    classified: pd.DataFrame, *, rules: RuleSet | str | None = None
) -> pd.DataFrame:
    """One row per work with an outside share: ``kode_kegiatan``, the grouping columns,
    ``status_akhir``, ``porsi_luar`` (``1 − porsi_efektif``), ``nilai_rp_pencegahan``
    (its ``nilai_rp_luar``) and ``volume_<c>`` for every criterion of ``rules`` (the work's
    volume for ``c`` × ``porsi_luar``; 0 where it does not address ``c``)."""
    rules = load_rules(rules)
    eff = pd.to_numeric(classified["porsi_efektif"], errors="coerce").to_numpy(dtype=float)
    outside = np.where(np.isnan(eff), 0.0, 1.0 - eff)
    keep = np.flatnonzero(outside > 1e-12)
    sub = classified.iloc[keep]
    get = {
        c: sub[c].to_numpy(dtype=object) if c in sub.columns else np.full(len(sub), None)
        for c in ("kriteria", "volume", "volume_kriteria")
    }
    out = pd.DataFrame(
        {
            "kode_kegiatan": sub["kode_kegiatan"].astype(str).to_numpy(),
            **{k: _keys(sub, k) for k in PREVENTION_KEYS},
            "status_akhir": sub["status_akhir"].astype(str).to_numpy(),
            "porsi_luar": np.round(outside[keep], 6),
            "nilai_rp_pencegahan": pd.to_numeric(sub["nilai_rp_luar"], errors="coerce")
            .fillna(0.0)
            .to_numpy(),
        }
    )
    vol = np.zeros((len(sub), len(rules.codes)))
    index = {c: j for j, c in enumerate(rules.codes)}
    for i in range(len(sub)):
        for code, v in work_volumes(
            get["kriteria"][i], get["volume"][i], get["volume_kriteria"][i], rules
        ).items():
            vol[i, index[code]] = v * outside[keep][i]
    for j, code in enumerate(rules.codes):
        out[f"volume_{code}"] = np.round(vol[:, j], 6)
    return out


def _keys(frame: pd.DataFrame, key: str) -> np.ndarray:
    if key not in frame.columns:
        return np.full(len(frame), _UNKNOWN, dtype=object)
    values = frame[key]
    if key == "tahun":
        return pd.to_numeric(values, errors="coerce").astype("Int64").to_numpy()
    return values.astype("str").where(values.notna(), _UNKNOWN).to_numpy(dtype=object)


def prevention(
    classified: pd.DataFrame, by: str | list[str], *, rules: RuleSet | str | None = None
) -> pd.DataFrame:
    """The prevention report grouped ``by`` (``"tahun"``, ``"sumber_dana"``,
    ``"kelurahan"`` or several; domain.md §5, §7).

    Per group: ``jumlah_kegiatan`` (works with an outside share) and of them
    ``jumlah_sebagian``, ``jumlah_batas`` (outside until a Korkot override: to review),
    ``jumlah_luar``; ``nilai_rp_pencegahan`` (Σ rupiah outside); ``volume_<c>`` (Σ volume
    outside per criterion, in the criterion's unit) for the criteria that have any.
    """
    keys = [by] if isinstance(by, str) else list(by)
    unknown = [k for k in keys if k not in PREVENTION_KEYS]
    if unknown:
        raise UsageError(
            f"Pengelompokan {unknown[0]!r} tidak dikenal; pilih {', '.join(PREVENTION_KEYS)} / unknown grouping"
        )
    works = prevention_works(classified, rules=rules)
    vol_cols = [c for c in works.columns if c.startswith("volume_")]
    for s in ("sebagian", "batas", "luar"):
        works[f"jumlah_{s}"] = (works["status_akhir"] == s).astype(np.int64)
    works["jumlah_kegiatan"] = 1
    counts = ["jumlah_kegiatan", "jumlah_sebagian", "jumlah_batas", "jumlah_luar"]
    out = works.groupby(keys, sort=True, dropna=False)[
        [*counts, "nilai_rp_pencegahan", *vol_cols]
    ].sum()
    out = out.reset_index()
    out["nilai_rp_pencegahan"] = out["nilai_rp_pencegahan"].round(2)
    used = [c for c in vol_cols if (out[c] > 0).any()]
    for c in used:
        out[c] = out[c].round(6)
    return out[[*keys, *counts, "nilai_rp_pencegahan", *used]]
