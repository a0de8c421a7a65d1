"""Needs and indicative cost of the program, following the handling pattern (domain.md §8).

Every line's cost is volume × a unit cost of the configurable table
(``kumuhgis/core/data/biaya_satuan.yaml``, indicative until the city enters its HSPK/SSH;
the project overrides it under ``biaya_satuan``):

* **pemugaran** and **peremajaan** — on-site work per criterion: the remaining volume of
  the RTs with that pattern in the kawasan (one line per kawasan, pattern and criterion);
  **peremajaan** adds a renewal line per hectare of its RTs;
* **permukiman kembali** — relocation per KK of each resettled RT: land, a house or a
  rusunawa unit, infrastructure at the new site; and **no** on-site work for those RTs;
* **pencegahan** — pengawasan dan pengendalian and pemberdayaan masyarakat, one line each
  per kelurahan per year, for its TK RTs and its kumuh RTs outside the SK's kawasan.

RTs whose pattern cannot be decided (legality unknown) get no line; the profile names them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kumuhgis.analysis.rp2kpkp.rules import POLA_ACTIVITIES, PlanRules, UnitCosts
from kumuhgis.analysis.scoring import MICRO, to_micro
from kumuhgis.core.memorandum import (
    POLA,
    POLA_ON_SITE,
    POLA_PREVENTION,
    POLA_RESETTLEMENT,
    cost_rp,
    pola_key,
)
from kumuhgis.core.numeric import is_missing
from kumuhgis.core.rules import RuleSet, load_rules

__all__ = ["LINE_COLUMNS", "needs", "cost_by_kawasan"]

#: Columns of :func:`needs` and their types (``tahun`` only on prevention lines, which
#: belong to one year; ``aspek`` only on on-site lines).
LINE_COLUMNS = {
    "kode_kawasan": "str",
    "nama_kawasan": "str",
    "kode_kel": "str",
    "kelurahan": "str",
    "kode_rt": "str",
    "pola": "str",
    "kriteria": "str",
    "aspek": "str",
    "kegiatan": "str",
    "volume": "float64",
    "satuan": "str",
    "biaya_satuan_rp": "float64",
    "biaya_rp": "float64",
    "sumber_dana": "str",
    "tahun": "Int64",
    "prioritas": "Int64",
    "keterangan": "str",
}


class _Lines:
    """The program lines of one project, appended one by one."""

    def __init__(self, rules: RuleSet, costs: UnitCosts, plan: PlanRules):
        self.rules, self.costs, self.plan = rules, costs, plan
        self.aspects = {a.key: a for a in rules.aspects}
        self.price = costs.table.set_index("kode")
        self.rows: list[dict] = []

    def activity(self, where: dict, code: str, volume: float, kode_rt: str, **extra) -> None:
        """A pattern activity (:data:`POLA_ACTIVITIES`) of ``volume`` units."""
        pola, unit = POLA_ACTIVITIES[code]
        uraian, price = self.costs.activity(code)
        self.rows.append(
            {**where, "kode_rt": kode_rt, "pola": pola, "kriteria": None, "aspek": None,
             "kegiatan": uraian, "volume": volume, "satuan": unit, "biaya_satuan_rp": price,
             "biaya_rp": cost_rp(volume, price), "sumber_dana": self.plan.source_of(code), **extra}
        )  # fmt: skip

    def on_site(self, where: dict, pola: str, rts: pd.DataFrame) -> None:
        """One line per criterion with a remaining volume in ``rts`` (domain.md §3)."""
        for c in self.rules.criteria:
            if c.volume not in rts.columns:
                continue
            has = rts[rts[c.volume] > 0]
            if not len(has):
                continue
            volume = int(to_micro(has[c.volume].to_numpy()).sum()) / MICRO
            price = float(self.price.at[c.code, "harga_rp"])
            aspect = self.aspects[c.aspect]
            self.rows.append(
                {**where, "kode_rt": "; ".join(has["kode_rt"]), "pola": pola, "kriteria": c.code,
                 "aspek": aspect.label_id, "kegiatan": str(self.price.at[c.code, "uraian"]),
                 "volume": volume, "satuan": c.unit, "biaya_satuan_rp": price,
                 "biaya_rp": cost_rp(volume, price), "sumber_dana": self.plan.source_of(aspect.key)}
            )  # fmt: skip


def _kawasan_lines(lines: _Lines, k: pd.Series, rts: pd.DataFrame) -> None:
    """Relocation, renewal and on-site lines of one kawasan (module docstring)."""
    where = {
        "kode_kawasan": str(k["kode_kawasan"]),
        "nama_kawasan": str(k["nama_kawasan"]),
        "kode_kel": None,
        "kelurahan": k.get("kelurahan"),
        "prioritas": k.get("prioritas"),
        "keterangan": (
            f"Prioritas {int(k['prioritas'])}"
            if not is_missing(k.get("prioritas"))
            else "Tanpa prioritas"
        ),
    }
    for _, r in rts[rts["pola_penanganan"] == POLA_RESETTLEMENT].iterrows():
        kk = r["jumlah_kk"]
        if is_missing(kk) or float(kk) <= 0:
            continue
        for code in ("lahan", lines.plan.housing_activity, "prasarana"):
            lines.activity(where, code, float(kk), str(r["kode_rt"]))
    for pola in (p for p in POLA if p in POLA_ON_SITE):
        sub = rts[rts["pola_penanganan"] == pola]
        if not len(sub):
            continue
        if pola == "peremajaan":
            ha = int(to_micro(sub["luas_ha"].fillna(0).to_numpy()).sum()) / MICRO
            if ha > 0:
                lines.activity(where, "penataan_kawasan", ha, "; ".join(sub["kode_rt"]))
        lines.on_site(where, pola, sub)


def _prevention_lines(lines: _Lines, rt: pd.DataFrame, years: Sequence[int]) -> None:
    """Pengawasan/pengendalian and pemberdayaan per kelurahan per year (module docstring)."""
    prev = rt[rt["pola_penanganan"] == POLA_PREVENTION]
    codes = [c for c, (p, _u) in POLA_ACTIVITIES.items() if p == POLA_PREVENTION]
    for kel, sub in prev.groupby("kode_kel", sort=True):
        outside_kumuh = int((~sub["dalam_sk"] & (sub["catatan_pola"] == "kumuh di luar kawasan SK")).sum())  # fmt: skip
        note = f"{len(sub) - outside_kumuh} RT tidak kumuh" + (
            f"; {outside_kumuh} RT kumuh di luar kawasan SK" if outside_kumuh else ""
        )
        where = {"kode_kawasan": None, "nama_kawasan": None, "kode_kel": str(kel),
                 "kelurahan": str(sub["kelurahan"].iloc[0]), "prioritas": pd.NA, "keterangan": note}  # fmt: skip
        for year in years:
            for code in codes:
                lines.activity(where, code, 1.0, "", tahun=int(year))


def needs(
    rt: pd.DataFrame,
    profil: pd.DataFrame,
    *,
    rules: RuleSet | str | None = None,
    costs: UnitCosts,
    plan: PlanRules,
    years: Sequence[int],
) -> pd.DataFrame:
    """Every costed line of the program, not yet phased (domain.md §8; module docstring).

    ``biaya_rp = volume × biaya_satuan_rp`` rounded half up to whole rupiah
    (:func:`kumuhgis.core.memorandum.cost_rp`); empty where the project left the unit
    cost empty. On-site volumes are the exact sums of the RTs' remaining volumes in the
    data year; relocation volumes are the RT's KK; renewal the RTs' hectares; prevention
    one kelurahan per year of ``years``. The funding source is the one proposed for the
    aspect or activity (``rp2kpkp.memorandum.sumber_dana_awal``).

    Parameters
    ----------
    rt
        :func:`kumuhgis.analysis.rp2kpkp.pattern.rt_patterns`.
    profil
        :func:`kumuhgis.analysis.rp2kpkp.profile.kawasan_profile` (name, kelurahan and
        priority of each kawasan; lines come in its order, prevention last).

    Returns
    -------
    pandas.DataFrame
        :data:`LINE_COLUMNS`.
    """
    lines = _Lines(load_rules(rules), costs, plan)
    by_k = {str(k): sub for k, sub in rt[rt["dalam_sk"]].groupby("kode_kawasan", sort=False)}
    for _, k in profil.iterrows():
        sub = by_k.get(str(k["kode_kawasan"]))
        if sub is not None:
            _kawasan_lines(lines, k, sub)
    _prevention_lines(lines, rt, years)
    out = pd.DataFrame(lines.rows, columns=list(LINE_COLUMNS))
    return out.astype(LINE_COLUMNS)


def cost_by_kawasan(kebutuhan: pd.DataFrame, profil: pd.DataFrame) -> pd.DataFrame:
    """Indicative cost per kawasan and handling pattern, with the total (sums of
    :func:`needs`; prevention is per kelurahan and not in this table)."""
    out = profil[["kode_kawasan", "nama_kawasan", "prioritas", "pola_penanganan"]].copy()
    kaw = kebutuhan[kebutuhan["pola"] != POLA_PREVENTION]
    cols = []
    for pola in (p for p in POLA if p != POLA_PREVENTION):
        sub = kaw[kaw["pola"] == pola]
        s = sub.groupby("kode_kawasan")["biaya_rp"].sum(min_count=1)
        col = f"biaya_{pola_key(pola)}_rp"
        out[col] = out["kode_kawasan"].map(s).fillna(0.0).astype("float64")
        cols.append(col)
    out["biaya_total_rp"] = out[cols].sum(axis=1)
    return out
