"""Needs and indicative cost of each kawasan (domain.md §8).

Needs per kawasan and criterion = the remaining volume of the data year × the unit cost of
``kumuhgis/core/data/biaya_satuan.yaml`` (indicative, price year stated; the project
overrides it under ``biaya_satuan``).
"""

from __future__ import annotations

import pandas as pd

from kumuhgis.analysis.rp2kpkp.rules import UnitCosts
from kumuhgis.core.memorandum import cost_rp
from kumuhgis.core.numeric import is_missing
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = ["needs", "cost_by_kawasan"]

# columns of :func:`needs` and their types
_NEEDS_DTYPES = {
    "kode_kawasan": "str",
    "nama_kawasan": "str",
    "prioritas": "Int64",
    "pola_penanganan": "str",
    "kriteria": "str",
    "aspek": "str",
    "uraian_kriteria": "str",
    "uraian_kegiatan": "str",
    "volume": "float64",
    "satuan": "str",
    "harga_satuan_rp": "float64",
    "biaya_rp": "float64",
}


def needs(
    profil: pd.DataFrame, *, rules: RuleSet | str | None = None, costs: UnitCosts
) -> pd.DataFrame:
    """Remaining needs and indicative cost per kawasan and criterion (domain.md §8).

    ``biaya_rp = volume × harga_satuan_rp`` (rounded half up to whole rupiah,
    :func:`kumuhgis.core.memorandum.cost_rp`), with ``volume`` the kawasan's summed
    remaining volume of the criterion in the data year. Rows only where the volume is
    above 0; ``biaya_rp`` is empty where the project left the unit cost empty.
    """
    rules = load_rules(rules)
    aspects = {a.key: a for a in rules.aspects}
    price = costs.table.set_index("kode")
    rows = []
    for _, k in profil.iterrows():
        for c in rules.criteria:
            vol = k.get(c.volume)
            if is_missing(vol) or float(vol) <= 0:
                continue
            h = float(price.at[c.code, "harga_rp"])
            rows.append(
                {
                    "kode_kawasan": str(k["kode_kawasan"]),
                    "nama_kawasan": str(k["nama_kawasan"]),
                    "prioritas": k.get("prioritas"),
                    "pola_penanganan": k.get("pola_penanganan"),
                    "kriteria": c.code,
                    "aspek": aspects[c.aspect].label_id,
                    "uraian_kriteria": c.label_id,
                    "uraian_kegiatan": str(price.at[c.code, "uraian"]),
                    "volume": float(vol),
                    "satuan": c.unit,
                    "harga_satuan_rp": h,
                    "biaya_rp": cost_rp(float(vol), h),
                }
            )
    return pd.DataFrame(rows, columns=list(_NEEDS_DTYPES)).astype(_NEEDS_DTYPES)


def cost_by_kawasan(
    kebutuhan: pd.DataFrame, profil: pd.DataFrame, *, rules: RuleSet | str | None = None
) -> pd.DataFrame:
    """Indicative cost per kawasan and aspect, with the total (sums of :func:`needs`)."""
    rules = load_rules(rules)
    labels = {a.label_id: a.key for a in rules.aspects}
    out = profil[["kode_kawasan", "nama_kawasan", "prioritas", "pola_penanganan"]].copy()
    for label, key in labels.items():
        sub = kebutuhan[kebutuhan["aspek"] == label]
        s = sub.groupby("kode_kawasan")["biaya_rp"].sum(min_count=1)
        out[f"biaya_{key}_rp"] = out["kode_kawasan"].map(s).fillna(0.0).astype("float64")
    out["biaya_total_rp"] = out[[f"biaya_{k}_rp" for k in labels.values()]].sum(axis=1)
    return out
