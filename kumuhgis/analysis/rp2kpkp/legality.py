"""RT inputs of domain.md §8 that are words — land legality, strategic location,
socio-economic potential, typology — read into flags, and their RT → kawasan aggregation.

An RT value that is empty (or not a recognised word) is never replaced by a default: it
stays unknown, and :func:`aggregate_flag` decides a kawasan's value only when the unknown
RTs cannot change it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kumuhgis.analysis.rp2kpkp.rules import AGGREGATION_METHODS
from kumuhgis.analysis.scoring import MICRO, to_micro
from kumuhgis.core.errors import UsageError
from kumuhgis.core.numeric import is_missing

__all__ = ["land_legality", "normal_word", "yes_no_flags", "rt_ilegal", "aggregate_flag"]

_YES = frozenset(
    {"ya", "y", "yes", "1", "true", "benar", "ada", "strategis", "berpotensi", "potensial"}
)
_NO = frozenset({"tidak", "t", "no", "n", "0", "false", "salah", "tidak ada", "tidak strategis", "tidak berpotensi", "bukan"})  # fmt: skip
_LEGAL_WORDS = {"legal": "legal", "sah": "legal", "ilegal": "ilegal", "illegal": "ilegal", "tidak legal": "ilegal", "tidak sah": "ilegal"}  # fmt: skip
_TENURE_OK = frozenset(
    {
        "legal",
        "sah",
        "ya",
        "milik",
        "hak milik",
        "bersertifikat",
        "bersertipikat",
        "shm",
        "hgb",
        "hak pakai",
    }
)
_TENURE_BAD = frozenset(
    {
        "ilegal",
        "illegal",
        "tidak sah",
        "tidak",
        "tanah negara tanpa izin",
        "sengketa",
        "tidak bersertifikat",
        "tidak bersertipikat",
    }
)
_PLAN_OK = frozenset({"sesuai", "ya", "legal"})
_PLAN_BAD = frozenset({"tidak sesuai", "tidak", "ilegal"})


def land_legality(status_tanah_sah: bool | None, sesuai_tata_ruang: bool | None) -> str | None:
    """Land legality (domain.md §8): ``"legal"`` only when both the land tenure status and
    the spatial-plan conformity are positive; ``"ilegal"`` when either is negative;
    ``None`` when neither is negative but one is unknown (a three-valued AND)."""
    if status_tanah_sah is False or sesuai_tata_ruang is False:
        return "ilegal"
    if status_tanah_sah is True and sesuai_tata_ruang is True:
        return "legal"
    return None


def normal_word(value: Any) -> str | None:
    """A cell as a lower-case word with single spaces; ``None`` when empty."""
    if is_missing(value):
        return None
    text = " ".join(str(value).strip().lower().split())
    return text or None


def yes_no_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(flag, unknown word): ``True``/``False``/NA and the unrecognised text (else NA)."""
    flags, bad = [], []
    for v in values.tolist():
        w = normal_word(v)
        if w is None:
            flags.append(pd.NA)
            bad.append(pd.NA)
        elif w in _YES:
            flags.append(True)
            bad.append(pd.NA)
        elif w in _NO:
            flags.append(False)
            bad.append(pd.NA)
        else:
            flags.append(pd.NA)
            bad.append(str(v))
    return (
        pd.Series(flags, index=values.index, dtype="boolean"),
        pd.Series(bad, index=values.index, dtype="str"),
    )


def rt_ilegal(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per RT: is the land ilegal (``True``/``False``/NA) and unrecognised text.

    The ``legalitas`` column when it holds a known word; otherwise, where the frame has
    ``status_tanah`` and ``kesesuaian_tata_ruang``, :func:`land_legality` of the two.
    """
    n = len(frame)
    flag = pd.Series([pd.NA] * n, index=frame.index, dtype="boolean")
    bad = pd.Series([pd.NA] * n, index=frame.index, dtype="str")
    if "legalitas" in frame.columns:
        for i, v in zip(frame.index, frame["legalitas"].tolist(), strict=True):
            w = normal_word(v)
            if w is None:
                continue
            if w in _LEGAL_WORDS:
                flag[i] = _LEGAL_WORDS[w] == "ilegal"
            else:
                bad[i] = str(v)
    if {"status_tanah", "kesesuaian_tata_ruang"} <= set(frame.columns):
        for i, s, p in zip(
            frame.index,
            frame["status_tanah"].tolist(),
            frame["kesesuaian_tata_ruang"].tolist(),
            strict=True,
        ):
            if not pd.isna(flag[i]):
                continue  # the combined legalitas column wins
            ws, wp = normal_word(s), normal_word(p)
            ok_s = True if ws in _TENURE_OK else False if ws in _TENURE_BAD else None
            ok_p = True if wp in _PLAN_OK else False if wp in _PLAN_BAD else None
            legal = land_legality(ok_s, ok_p)
            if legal is not None:
                flag[i] = legal == "ilegal"
    return flag, bad


def _decided(out: pd.DataFrame, method: str) -> tuple[pd.Series, pd.Series]:
    """(yes, no) per group for ``method`` (see :func:`aggregate_flag`)."""
    if method == "salah_satu":
        return out["n_true"] > 0, (out["n_true"] == 0) & (out["n_kosong"] == 0)
    if method == "semua":
        return (out["n_false"] == 0) & (out["n_kosong"] == 0), out["n_false"] > 0
    zero = out["U"] == 0
    total = np.where(zero, out["n_rt"], out["U"])
    a1 = np.where(zero, out["n_true"], out["Ut"])
    ana = np.where(zero, out["n_kosong"], out["Una"])
    yes = pd.Series(2 * a1 >= total, index=out.index)
    no = pd.Series(2 * (a1 + ana) < total, index=out.index)
    return yes, no


def aggregate_flag(
    flag: pd.Series, luas_ha: pd.Series, group: pd.Series, *, method: str
) -> pd.DataFrame:
    """RT flags → one value per group (kawasan), never defaulting a missing RT value
    (domain.md §8).

    With ``A`` the group's luas and ``a₁``/``a?`` the luas of RTs flagged ``True`` /
    unknown:

    * ``salah_satu``: ``True`` when any RT is ``True``; ``False`` when every RT is known
      ``False``; else unknown;
    * ``semua``: ``True`` when every RT is known ``True``; ``False`` when any is ``False``;
      else unknown;
    * ``mayoritas_luas``: ``True`` when ``2 a₁ ≥ A``; ``False`` when ``2 (a₁ + a?) < A``;
      else unknown (RT counts stand in for luas when ``A = 0``).

    Returns
    -------
    pandas.DataFrame
        Indexed by group: ``nilai`` (boolean, NA unknown), ``n_rt``, ``n_true``,
        ``n_false``, ``n_kosong``, ``luas_true_ha``.
    """
    if method not in AGGREGATION_METHODS:
        raise UsageError(
            f"metode agregasi '{method}' tidak dikenal / unknown aggregation method '{method}'"
        )
    f = pd.Series(flag, dtype="boolean").reset_index(drop=True)
    u = to_micro(pd.to_numeric(luas_ha, errors="coerce").fillna(0).to_numpy())
    d = pd.DataFrame(
        {
            "g": pd.Series(group).astype(str).to_numpy(),
            "t": f.fillna(False).to_numpy(dtype=bool),
            "f": (~f.fillna(True)).to_numpy(dtype=bool),
            "na": f.isna().to_numpy(dtype=bool),
            "u": u,
        }
    )
    d["ut"] = np.where(d["t"], d["u"], 0)
    d["una"] = np.where(d["na"], d["u"], 0)
    g = d.groupby("g", sort=True)
    out = pd.DataFrame(
        {
            "n_rt": g.size(),
            "n_true": g["t"].sum(),
            "n_false": g["f"].sum(),
            "n_kosong": g["na"].sum(),
            "U": g["u"].sum(),
            "Ut": g["ut"].sum(),
            "Una": g["una"].sum(),
        }
    )
    yes, no = _decided(out, method)
    value = pd.Series(pd.NA, index=out.index, dtype="boolean")
    value[yes.to_numpy()] = True
    value[no.to_numpy()] = False
    return pd.DataFrame(
        {
            "nilai": value,
            "n_rt": out["n_rt"].astype("int64"),
            "n_true": out["n_true"].astype("int64"),
            "n_false": out["n_false"].astype("int64"),
            "n_kosong": out["n_kosong"].astype("int64"),
            "luas_true_ha": out["Ut"].to_numpy(dtype=np.int64) / MICRO,
        },
        index=out.index,
    )
