"""RT inputs of domain.md §8 that are words — land legality, strategic location,
socio-economic potential, typology — read into flags, and their RT → kawasan aggregation.

Land legality is decided per RT (:func:`rt_legality`) and never aggregated into a
kawasan-wide verdict that would drive its pattern; :func:`kawasan_legality` only
describes the mix. An RT value that is empty (or not a recognised word) is never replaced
by a default: it stays unknown, and :func:`aggregate_flag` decides a kawasan's value only
when the unknown RTs cannot change it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kumuhgis.analysis.rp2kpkp.rules import AGGREGATION_METHODS
from kumuhgis.analysis.scoring import MICRO, to_micro
from kumuhgis.core.errors import UsageError
from kumuhgis.core.numeric import is_missing

__all__ = [
    "land_legality",
    "normal_word",
    "yes_no_flags",
    "rt_legality",
    "kawasan_legality",
    "aggregate_flag",
]

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
    """Land legality of an RT (domain.md §8): ``"legal"`` only when both the land tenure
    status and the spatial-plan conformity are positive, ``"ilegal"`` when both are known
    and either is negative, ``None`` ("belum diketahui") while either is unknown — one of
    the two alone never decides, and never gives ``"legal"``."""
    if status_tanah_sah is None or sesuai_tata_ruang is None:
        return None
    return "legal" if status_tanah_sah and sesuai_tata_ruang else "ilegal"


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


def _first_column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((c for c in names if c in frame.columns), None)


def _pair_legality(tenure: Any, plan: Any) -> tuple[str | None, str | None]:
    """(legality, note) of one RT from its tenure and spatial-plan words."""
    ws, wp = normal_word(tenure), normal_word(plan)
    ok_s = True if ws in _TENURE_OK else False if ws in _TENURE_BAD else None
    ok_p = True if wp in _PLAN_OK else False if wp in _PLAN_BAD else None
    legal = land_legality(ok_s, ok_p)
    if legal is not None:
        return legal, None
    if ws is not None and ok_s is None:
        return None, f"status_lahan tidak dikenal: {tenure!r}"
    if wp is not None and ok_p is None:
        return None, f"kesesuaian_rtr tidak dikenal: {plan!r}"
    if ws is None and wp is None:
        return None, None
    missing = "kesesuaian_rtr" if wp is None else "status_lahan"
    return None, f"{missing} kosong — status lahan dan kesesuaian RTR harus keduanya diisi"


def rt_legality(frame: pd.DataFrame) -> pd.DataFrame:
    """Land legality of each RT (domain.md §8) and why it is unknown where it is.

    The ``legalitas`` column (legal / ilegal) when it holds a known word; otherwise
    :func:`land_legality` of ``status_lahan`` (land tenure: SHM, HGB, hak pakai, … /
    sengketa, tanah negara tanpa izin, …) and ``kesesuaian_rtr`` (sesuai / tidak sesuai
    with the spatial plan; the older names ``status_tanah`` and ``kesesuaian_tata_ruang``
    are read too). One of the two alone leaves the legality unknown ("belum diketahui")
    with a note; it is never read as legal.

    Returns
    -------
    pandas.DataFrame
        On the input's index: ``legalitas_lahan`` (``"legal"``, ``"ilegal"`` or NA) and
        ``catatan_legalitas`` (why it is unknown; NA when known or nothing was given).
    """
    value = pd.Series(pd.NA, index=frame.index, dtype="str")
    note = pd.Series(pd.NA, index=frame.index, dtype="str")
    if "legalitas" in frame.columns:
        for i, v in zip(frame.index, frame["legalitas"].tolist(), strict=True):
            w = normal_word(v)
            if w in _LEGAL_WORDS:
                value[i] = _LEGAL_WORDS[w]
            elif w is not None:
                note[i] = f"legalitas tidak dikenal: {v!r}"
    tenure = _first_column(frame, ("status_lahan", "status_tanah"))
    plan = _first_column(frame, ("kesesuaian_rtr", "kesesuaian_tata_ruang"))
    if tenure is None and plan is None:
        return pd.DataFrame({"legalitas_lahan": value, "catatan_legalitas": note})
    none = [None] * len(frame)
    pairs = zip(
        frame.index,
        frame[tenure].tolist() if tenure else none,
        frame[plan].tolist() if plan else none,
        strict=True,
    )
    for i, s, p in pairs:
        if not pd.isna(value[i]):
            continue  # the combined legalitas column wins
        legal, why = _pair_legality(s, p)
        if legal is not None:
            value[i], note[i] = legal, pd.NA
        elif why is not None:
            note[i] = why if pd.isna(note[i]) else f"{note[i]}; {why}"
    return pd.DataFrame({"legalitas_lahan": value, "catatan_legalitas": note})


def kawasan_legality(values: pd.Series) -> str | None:
    """A kawasan's land legality from its RTs' (domain.md §8; legality stays per RT):
    ``"legal"`` / ``"ilegal"`` when every RT is known so; ``"sebagian ilegal"`` when it
    has both legal and ilegal RTs (whatever its unknown RTs are); ``None`` otherwise
    (unknown RTs could change it, or no RT)."""
    v = [x for x in values.tolist()]
    known = {x for x in v if not is_missing(x)}
    if {"legal", "ilegal"} <= known:
        return "sebagian ilegal"
    if len(known) == 1 and all(not is_missing(x) for x in v):
        return known.pop()
    return None


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
