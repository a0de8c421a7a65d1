"""The RP2KPKP annex: kawasan profile, priority, handling pattern, needs and memorandum
program (domain.md §8), straight from a city project.

Everything here is a pure function over frames, except :func:`build_annex`,
:func:`import_memorandum` and :func:`read_memorandum`, which read (and, for the import,
write) a store.

Kawasan profile (domain.md §2, §4, §8)
--------------------------------------
A kawasan is the set of RTs that :func:`kumuhgis.analysis.reduction.rt_units` places in it (its
delineation polygon, else the SK's RT list). Its figures are **sums of RT figures** —
luas, buildings, people, KK, ideal road and drainage lengths and the volume of every
criterion — and the kawasan is **scored as one unit** by :func:`kumuhgis.analysis.scoring.score` on
those summed inputs (percentages recomputed from summed volumes, never averages of
percentages). ``luas_kumuh_ha`` is the official binary measure of domain.md §5 (Σ luas of
its RTs that are not TK).

RT → kawasan for the baseline's optional columns
------------------------------------------------
``legalitas``, ``nilai_strategis`` and ``sosial_ekonomi`` are recorded per RT. A kawasan's
value follows the method set in the project settings (``rp2kpkp.agregasi``; defaults in
``kumuhgis/data/rp2kpkp.yaml``):

* ``legalitas: salah_satu`` — the kawasan is **ilegal when any of its RTs is ilegal**
  (domain.md §8 calls land legal only when *both* tenure and spatial-plan conformity are
  positive; the same strictness applies across RTs). ``luas_ilegal_ha`` shows how much;
* ``nilai_strategis`` / ``sosial_ekonomi: mayoritas_luas`` — "ya" when RTs marked "ya"
  hold at least half of the kawasan's luas.

An RT value that is empty (or not a recognised word) is never replaced by a default: the
kawasan's value is decided only when the missing RTs cannot change it (one ilegal RT
already makes the kawasan ilegal; RTs marked "ya" already hold half of the luas), and is
otherwise unknown. Every missing input is named in the ``data_kurang`` column, with what
could not be determined because of it. An RT without ``legalitas`` but with the extra
columns ``status_tanah`` and ``kesesuaian_tata_ruang`` gets its legality from
:func:`land_legality`.

``tipologi`` is the typology holding the largest share of the kawasan's luas;
``tipologi_rinci`` lists every typology with its share.

Priority and handling pattern (domain.md §8)
-------------------------------------------
pertimbangan lain = strategic (ya 5 / tidak 1) + density class (≤ 150 rendah 1, ≤ 400
sedang 3, above tinggi 5 people/ha) + socio-economic potential (ya 5 / tidak 1); the sum
11–15 → tinggi, 6–10 → sedang, 3–5 → rendah. Priority = the matrix cell of (pertimbangan,
level): tinggi 1 2 3, sedang 4 5 6, rendah 7 8 9 for berat, sedang, ringan. Pattern: legal
and berat/sedang → peremajaan; legal and ringan → pemugaran; ilegal → permukiman kembali;
not a slum (TK) → pencegahan. All numbers are data (``rp2kpkp.yaml``), overridable in the
project settings.

Needs and memorandum program
----------------------------
Needs per kawasan and criterion = the remaining volume of the data year × the unit cost of
``kumuhgis/data/biaya_satuan.yaml`` (indicative, price year stated; the project overrides
it under ``biaya_satuan``). The draft memorandum program places each kawasan's needs in
one year of the five: kawasan in ranking order, spread evenly over the years (the first
fifth of the ranking in year 1, ...), funding source proposed per aspect. The Pokja edits it
in Excel and imports it back (:func:`import_memorandum`); the project's table then
replaces the draft in every output.
"""

from __future__ import annotations

import copy
import difflib
import functools
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml

from kumuhgis.analysis.scoring import (
    LEVEL_COLUMN,
    MICRO,
    SECTORAL_COLUMN,
    TOTAL_COLUMN,
    condition_year,
    score,
    score_columns,
    score_labels,
    to_micro,
)
from kumuhgis.core.errors import Problem, UsageError, ValidationError
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.snapshot import MEMORANDUM_TABLE, CitySnapshot

__all__ = [
    "SETTINGS_KEY",
    "COST_SETTINGS_KEY",
    "MEMORANDUM_TABLE",
    "MEMORANDUM_COLUMNS",
    "AGGREGATION_METHODS",
    "PlanRules",
    "UnitCosts",
    "Annex",
    "load_plan_rules",
    "load_unit_costs",
    "density_class",
    "pertimbangan_category",
    "priority_of",
    "pattern_of",
    "land_legality",
    "aggregate_flag",
    "pertimbangan_lain",
    "kawasan_profile",
    "priority_ranking",
    "priority_matrix_counts",
    "pattern_summary",
    "needs",
    "cost_by_kawasan",
    "draft_memorandum",
    "parse_memorandum",
    "read_memorandum_file",
    "stored_memorandum",
    "import_memorandum",
    "memorandum_pivot",
    "build_annex",
    "column_labels",
    "method_lines",
    "annex_sheets",
    "memorandum_sheets",
    "write_annex_workbook",
    "write_memorandum_workbook",
]

#: Project settings key overriding ``kumuhgis/data/rp2kpkp.yaml``.
SETTINGS_KEY = "rp2kpkp"
#: Project settings key overriding ``kumuhgis/data/biaya_satuan.yaml``.
COST_SETTINGS_KEY = "biaya_satuan"
#: Project table holding the memorandum program the Pokja imported.
#: RT → kawasan methods (module docstring).
AGGREGATION_METHODS = ("salah_satu", "semua", "mayoritas_luas")
_PERTIMBANGAN = ("tinggi", "sedang", "rendah")
_DENSITY = ("rendah", "sedang", "tinggi")
_LEGALITY = ("legal", "ilegal")
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


# =========================================================================== rule data


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            key = str(key)
            out[key] = _deep_merge(out[key], value) if key in out else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


@functools.cache
def _shipped(name: str) -> dict:
    text = resources.files("kumuhgis.core").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


def _bad(key: str, what_id: str, what_en: str) -> UsageError:
    return UsageError(
        f"Pengaturan '{key}' tidak sah: {what_id} / invalid setting '{key}': {what_en}"
    )


def _int_value(value: Any, key: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(
            key,
            f"{value!r} harus bilangan bulat ≥ {minimum}",
            f"{value!r} must be an integer ≥ {minimum}",
        )
    return value


@dataclass(frozen=True, eq=False)
class PlanRules:
    """The rules of domain.md §8 as used by one project (:func:`load_plan_rules`)."""

    strategis: dict[str, int]  # {"ya": 5, "tidak": 1}
    sosial_ekonomi: dict[str, int]
    kepadatan_batas: tuple[float, float]  # people/ha: ≤ first rendah, ≤ second sedang
    kepadatan_nilai: dict[str, int]  # rendah / sedang / tinggi → score
    kategori_min: dict[str, int]  # tinggi / sedang / rendah → minimum sum, highest first
    prioritas: dict[str, dict[str, int]]  # pertimbangan → level code → 1..9
    pola: dict[str, dict[str, str]]  # legal/ilegal → level code → pattern
    pencegahan: tuple[str, ...]
    tipologi: tuple[str, ...]
    agregasi: dict[str, str]
    memorandum: dict
    level_codes: tuple[str, ...]  # every level of the rule set, highest first
    kumuh_codes: tuple[str, ...]  # the levels with a priority
    source_id: str = ""
    source_en: str = ""
    document: dict = field(default_factory=dict)


def load_plan_rules(
    settings: dict | None = None, *, rules: RuleSet | str | None = None
) -> PlanRules:
    """The §8 rules of a project: ``kumuhgis/data/rp2kpkp.yaml`` with the project's
    ``rp2kpkp`` settings merged over it (mappings key by key, other values replaced).

    Checks that the priority matrix has a cell for every pertimbangan category and every
    kumuh level of the rule set, that its numbers are distinct, that the handling pattern
    names a pattern for every level (TK included) and legality, that the bands rise, and
    that the aggregation methods and funding sources are known.

    Raises
    ------
    UsageError
        An unknown key or an invalid value, naming the key.
    """
    from kumuhgis.core.vocabulary import normalize_sumber_dana

    settings = settings or {}
    rules = load_rules(rules, settings=settings)
    doc = _shipped("rp2kpkp.yaml")
    override = settings.get(SETTINGS_KEY) or {}
    if not isinstance(override, dict):
        raise _bad(SETTINGS_KEY, "harus berupa mapping", "must be a mapping")
    for key in override:
        if key not in doc:
            raise _bad(
                f"{SETTINGS_KEY}.{key}",
                f"kunci tidak dikenal; yang ada: {', '.join(doc)}",
                f"unknown key; known: {', '.join(doc)}",
            )
    doc = _deep_merge(doc, override)
    k = SETTINGS_KEY
    pl = doc.get("pertimbangan_lain") or {}

    def yes_no(name: str) -> dict[str, int]:
        spec = pl.get(name) or {}
        if set(spec) != {"ya", "tidak"}:
            raise _bad(
                f"{k}.pertimbangan_lain.{name}",
                "perlu tepat kunci ya dan tidak",
                "needs exactly the keys ya and tidak",
            )
        return {
            w: _int_value(spec[w], f"{k}.pertimbangan_lain.{name}.{w}") for w in ("ya", "tidak")
        }

    strategis, sosek = yes_no("nilai_strategis"), yes_no("sosial_ekonomi")
    dens = pl.get("kepadatan") or {}
    batas = dens.get("batas_jiwa_per_ha")
    key = f"{k}.pertimbangan_lain.kepadatan.batas_jiwa_per_ha"
    try:
        lo, hi = (float(x) for x in batas)
    except (TypeError, ValueError):
        raise _bad(
            key, f"{batas!r} harus dua angka [rendah, sedang]", f"{batas!r} must be two numbers"
        ) from None
    if not (0 <= lo < hi) or not (math.isfinite(lo) and math.isfinite(hi)):
        raise _bad(key, f"{batas!r} harus naik dan ≥ 0", f"{batas!r} must rise and be ≥ 0")
    nilai = dens.get("nilai") or {}
    if set(nilai) != set(_DENSITY):
        raise _bad(
            f"{k}.pertimbangan_lain.kepadatan.nilai",
            "perlu kunci rendah, sedang, tinggi",
            "needs keys rendah, sedang, tinggi",
        )
    kep_nilai = {
        c: _int_value(nilai[c], f"{k}.pertimbangan_lain.kepadatan.nilai.{c}") for c in _DENSITY
    }
    kat = pl.get("kategori_min") or {}
    if set(kat) != set(_PERTIMBANGAN):
        raise _bad(
            f"{k}.pertimbangan_lain.kategori_min",
            "perlu kunci tinggi, sedang, rendah",
            "needs keys tinggi, sedang, rendah",
        )
    kategori = {
        c: _int_value(kat[c], f"{k}.pertimbangan_lain.kategori_min.{c}") for c in _PERTIMBANGAN
    }
    if not kategori["tinggi"] > kategori["sedang"] > kategori["rendah"]:
        raise _bad(
            f"{k}.pertimbangan_lain.kategori_min",
            "harus tinggi > sedang > rendah",
            "must be tinggi > sedang > rendah",
        )
    kumuh = tuple(lv.code for lv in rules.levels if lv.kumuh)
    codes = rules.level_codes
    prio_doc = doc.get("prioritas") or {}
    if set(prio_doc) != set(_PERTIMBANGAN):
        raise _bad(
            f"{k}.prioritas",
            "perlu baris tinggi, sedang, rendah",
            "needs rows tinggi, sedang, rendah",
        )
    prioritas: dict[str, dict[str, int]] = {}
    for row in _PERTIMBANGAN:
        cells = prio_doc[row] or {}
        missing = [c for c in kumuh if c not in cells]
        extra = [c for c in cells if c not in kumuh]
        if missing or extra:
            raise _bad(
                f"{k}.prioritas.{row}",
                f"perlu tepat kolom {', '.join(kumuh)} (tingkat kumuh aturan {rules.name})",
                f"needs exactly the columns {', '.join(kumuh)} (slum levels of {rules.name})",
            )
        prioritas[row] = {
            c: _int_value(cells[c], f"{k}.prioritas.{row}.{c}", minimum=1) for c in kumuh
        }
    flat = [v for row in prioritas.values() for v in row.values()]
    if len(set(flat)) != len(flat):
        raise _bad(f"{k}.prioritas", "ada nomor prioritas kembar", "priority numbers repeat")
    pola_doc = doc.get("pola_penanganan") or {}
    if set(pola_doc) != set(_LEGALITY):
        raise _bad(
            f"{k}.pola_penanganan", "perlu baris legal dan ilegal", "needs rows legal and ilegal"
        )
    pola: dict[str, dict[str, str]] = {}
    for row in _LEGALITY:
        cells = pola_doc[row] or {}
        missing = [c for c in codes if not str(cells.get(c) or "").strip()]
        if missing:
            raise _bad(
                f"{k}.pola_penanganan.{row}",
                f"tidak ada pola untuk {', '.join(missing)}",
                f"no pattern for {', '.join(missing)}",
            )
        pola[row] = {c: str(cells[c]).strip() for c in codes}
    agregasi = {}
    for name in ("legalitas", "nilai_strategis", "sosial_ekonomi"):
        method = str((doc.get("agregasi") or {}).get(name, ""))
        if method not in AGGREGATION_METHODS:
            raise _bad(
                f"{k}.agregasi.{name}",
                f"{method!r} bukan salah satu dari {', '.join(AGGREGATION_METHODS)}",
                f"{method!r} is not one of {', '.join(AGGREGATION_METHODS)}",
            )
        agregasi[name] = method
    memo = dict(doc.get("memorandum") or {})
    memo["jumlah_tahun"] = _int_value(
        memo.get("jumlah_tahun", 5), f"{k}.memorandum.jumlah_tahun", minimum=1
    )
    if memo.get("tahun_mulai") is not None:
        memo["tahun_mulai"] = _int_value(
            memo["tahun_mulai"], f"{k}.memorandum.tahun_mulai", minimum=1990
        )
    sumber = dict(memo.get("sumber_dana_awal") or {})
    for a in rules.aspects:
        raw = sumber.get(a.key)
        canon, _ = normalize_sumber_dana(raw)
        if canon is None:
            raise _bad(
                f"{k}.memorandum.sumber_dana_awal.{a.key}",
                f"sumber dana {raw!r} tidak ada di daftar sumber dana",
                f"unknown funding source {raw!r}",
            )
        sumber[a.key] = canon
    memo["sumber_dana_awal"] = sumber
    return PlanRules(
        strategis=strategis,
        sosial_ekonomi=sosek,
        kepadatan_batas=(lo, hi),
        kepadatan_nilai=kep_nilai,
        kategori_min=kategori,
        prioritas=prioritas,
        pola=pola,
        pencegahan=tuple(str(x) for x in doc.get("pencegahan_kegiatan") or ()),
        tipologi=tuple(str(x).strip().lower() for x in doc.get("tipologi") or ()),
        agregasi=agregasi,
        memorandum=memo,
        level_codes=codes,
        kumuh_codes=kumuh,
        source_id=" ".join(str(doc.get("source_id", "")).split()),
        source_en=" ".join(str(doc.get("source_en", "")).split()),
        document=doc,
    )


@dataclass(frozen=True, eq=False)
class UnitCosts:
    """Unit costs of one rule set's criteria (:func:`load_unit_costs`).

    ``table``: one row per criterion — ``kode``, ``satuan``, ``harga_rp`` (NaN when the
    project left it empty), ``uraian`` (the activity that closes the gap).
    """

    table: pd.DataFrame
    tahun_harga: int
    status: str
    sumber: str
    sumber_en: str = ""

    @property
    def indicative(self) -> bool:
        return self.status.strip().lower() != "resmi"

    def price(self, code: str) -> float:
        row = self.table[self.table["kode"] == code]
        return float(row["harga_rp"].iloc[0]) if len(row) else float("nan")


def load_unit_costs(
    settings: dict | None = None, *, rules: RuleSet | str | None = None
) -> UnitCosts:
    """The unit-cost table of a project (domain.md §8, **configurable**):
    ``kumuhgis/data/biaya_satuan.yaml`` (indicative, price year 2024) with the project's
    ``biaya_satuan`` settings merged over it.

    Raises
    ------
    UsageError
        A criterion of the rule set without a cost entry, a unit that is not the
        criterion's volume unit, or a price that is not a number ≥ 0.
    """
    settings = settings or {}
    rules = load_rules(rules, settings=settings)
    doc = _shipped("biaya_satuan.yaml")
    override = settings.get(COST_SETTINGS_KEY) or {}
    if not isinstance(override, dict):
        raise _bad(COST_SETTINGS_KEY, "harus berupa mapping", "must be a mapping")
    doc = _deep_merge(doc, override)
    table_doc = doc.get(rules.name) or {}
    rows = []
    for c in rules.criteria:
        key = f"{COST_SETTINGS_KEY}.{rules.name}.{c.code}"
        spec = table_doc.get(c.code)
        if not isinstance(spec, dict):
            raise _bad(
                key, "tidak ada harga satuan untuk kriteria ini", "no unit cost for this criterion"
            )
        unit = str(spec.get("satuan", c.unit))
        if unit != c.unit:
            raise _bad(
                key,
                f"satuan '{unit}' berbeda dengan satuan volume kriteria '{c.unit}'",
                f"unit '{unit}' differs from the criterion's volume unit '{c.unit}'",
            )
        price = spec.get("harga_rp")
        if price is None:
            value = float("nan")
        else:
            try:
                value = float(price)
            except (TypeError, ValueError):
                value = float("nan")
            if not math.isfinite(value) or value < 0:
                raise _bad(
                    f"{key}.harga_rp",
                    f"{price!r} harus angka ≥ 0",
                    f"{price!r} must be a number ≥ 0",
                )
        rows.append(
            {
                "kode": c.code,
                "satuan": c.unit,
                "harga_rp": value,
                "uraian": str(spec.get("uraian") or c.label_id),
            }
        )
    year = doc.get("tahun_harga")
    return UnitCosts(
        table=pd.DataFrame(rows).astype(
            {"kode": "str", "satuan": "str", "harga_rp": "float64", "uraian": "str"}
        ),
        tahun_harga=_int_value(year, f"{COST_SETTINGS_KEY}.tahun_harga", minimum=1990),
        status=str(doc.get("status", "indikatif")),
        sumber=" ".join(str(doc.get("sumber", "")).split()),
        sumber_en=" ".join(str(doc.get("sumber_en", "")).split()),
    )


# =========================================================================== scalar rules


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return False


def density_class(kepadatan_jiwa_ha: float | None, *, plan: PlanRules) -> str | None:
    """Density class of a kawasan (domain.md §8, bands **configurable**).

    ``d ≤ b₁ → "rendah"``; ``b₁ < d ≤ b₂ → "sedang"``; ``d > b₂ → "tinggi"``, with
    ``(b₁, b₂)`` = ``plan.kepadatan_batas`` (default 150 and 400 people/ha: "≤150,
    151–400, >400"). ``None`` when the density is unknown.
    """
    if _missing(kepadatan_jiwa_ha) or not math.isfinite(float(kepadatan_jiwa_ha)):
        return None
    d = float(kepadatan_jiwa_ha)
    lo, hi = plan.kepadatan_batas
    return "rendah" if d <= lo else "sedang" if d <= hi else "tinggi"


def pertimbangan_category(total: int | None, *, plan: PlanRules) -> str | None:
    """Category of the pertimbangan-lain sum (domain.md §8, bands **configurable**): the
    highest of tinggi / sedang / rendah whose minimum the sum reaches (default 11, 6, 3,
    i.e. 11–15 tinggi, 6–10 sedang, 3–5 rendah); ``None`` when unknown or below every
    minimum."""
    if _missing(total):
        return None
    for cat in _PERTIMBANGAN:
        if int(total) >= plan.kategori_min[cat]:
            return cat
    return None


def priority_of(pertimbangan: str | None, tingkat: str | None, *, plan: PlanRules) -> int | None:
    """Priority 1–9 of a kawasan (domain.md §8): the cell of the matrix

    ==============  ======  ======  ======
    pertimbangan    berat   sedang  ringan
    ==============  ======  ======  ======
    tinggi          1       2       3
    sedang          4       5       6
    rendah          7       8       9
    ==============  ======  ======  ======

    ``None`` for a level without a column (TK: not a slum → prevention) or an unknown
    input.
    """
    if _missing(pertimbangan) or _missing(tingkat):
        return None
    row = plan.prioritas.get(str(pertimbangan))
    if row is None:
        return None
    return row.get(str(tingkat))


def pattern_of(legalitas: str | None, tingkat: str | None, *, plan: PlanRules) -> str | None:
    """Handling pattern (pola penanganan) of a kawasan (domain.md §8).

    Legal land and berat or sedang → ``peremajaan``; legal and ringan → ``pemugaran``;
    ilegal land at any slum level → ``permukiman kembali``; not a slum (TK) →
    ``pencegahan``. With legality unknown the pattern is known only where both rows of the
    matrix agree (TK); otherwise ``None``.
    """
    if _missing(tingkat):
        return None
    t = str(tingkat)
    if _missing(legalitas):
        values = {plan.pola[row].get(t) for row in _LEGALITY}
        return values.pop() if len(values) == 1 else None
    row = plan.pola.get(str(legalitas))
    return None if row is None else row.get(t)


def land_legality(status_tanah_sah: bool | None, sesuai_tata_ruang: bool | None) -> str | None:
    """Land legality (domain.md §8): ``"legal"`` only when both the land tenure status and
    the spatial-plan conformity are positive; ``"ilegal"`` when either is negative;
    ``None`` when neither is negative but one is unknown (a three-valued AND)."""
    if status_tanah_sah is False or sesuai_tata_ruang is False:
        return "ilegal"
    if status_tanah_sah is True and sesuai_tata_ruang is True:
        return "legal"
    return None


# =========================================================================== RT → kawasan


def _word(value: Any) -> str | None:
    if _missing(value):
        return None
    text = " ".join(str(value).strip().lower().split())
    return text or None


def _yes_no(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(flag, unknown word): ``True``/``False``/NA and the unrecognised text (else NA)."""
    flags, bad = [], []
    for v in values.tolist():
        w = _word(v)
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


def _rt_ilegal(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per RT: is the land ilegal (``True``/``False``/NA) and unrecognised text."""
    n = len(frame)
    flag = pd.Series([pd.NA] * n, index=frame.index, dtype="boolean")
    bad = pd.Series([pd.NA] * n, index=frame.index, dtype="str")
    if "legalitas" in frame.columns:
        for i, v in zip(frame.index, frame["legalitas"].tolist(), strict=True):
            w = _word(v)
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
            ws, wp = _word(s), _word(p)
            ok_s = True if ws in _TENURE_OK else False if ws in _TENURE_BAD else None
            ok_p = True if wp in _PLAN_OK else False if wp in _PLAN_BAD else None
            legal = land_legality(ok_s, ok_p)
            if legal is not None:
                flag[i] = legal == "ilegal"
    return flag, bad


def aggregate_flag(
    flag: pd.Series, luas_ha: pd.Series, group: pd.Series, *, method: str
) -> pd.DataFrame:
    """RT flags → one value per group (kawasan), never defaulting a missing RT value.

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
    if method == "salah_satu":
        yes = out["n_true"] > 0
        no = (out["n_true"] == 0) & (out["n_kosong"] == 0)
    elif method == "semua":
        yes = (out["n_false"] == 0) & (out["n_kosong"] == 0)
        no = out["n_false"] > 0
    else:
        zero = out["U"] == 0
        total = np.where(zero, out["n_rt"], out["U"])
        a1 = np.where(zero, out["n_true"], out["Ut"])
        ana = np.where(zero, out["n_kosong"], out["Una"])
        yes = pd.Series(2 * a1 >= total, index=out.index)
        no = pd.Series(2 * (a1 + ana) < total, index=out.index)
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


def pertimbangan_lain(frame: pd.DataFrame, *, plan: PlanRules) -> pd.DataFrame:
    """Scores of the non-physical considerations per row (domain.md §8).

    From ``nilai_strategis`` and ``sosial_ekonomi`` ("ya"/"tidak"/NA) and
    ``kepadatan_jiwa_ha``: ``skor_strategis`` (ya 5 / tidak 1), ``kelas_kepadatan``
    (:func:`density_class`) and ``skor_kepadatan`` (1 / 3 / 5), ``skor_sosial_ekonomi``
    (ya 5 / tidak 1), ``skor_pertimbangan`` (their sum; NA when any is unknown) and
    ``pertimbangan`` (:func:`pertimbangan_category`). Returns a new frame on the input's
    index.
    """

    def yn(col: str, table: dict[str, int]) -> pd.Series:
        vals = frame[col] if col in frame.columns else pd.Series(pd.NA, index=frame.index)
        return pd.Series(
            [table.get(str(v)) if not _missing(v) else pd.NA for v in vals],
            index=frame.index,
            dtype="Int64",
        )

    s1 = yn("nilai_strategis", plan.strategis)
    s3 = yn("sosial_ekonomi", plan.sosial_ekonomi)
    dens = (
        frame["kepadatan_jiwa_ha"]
        if "kepadatan_jiwa_ha" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    kelas = [density_class(v, plan=plan) for v in dens.tolist()]
    s2 = pd.Series(
        [plan.kepadatan_nilai[k] if k else pd.NA for k in kelas], index=frame.index, dtype="Int64"
    )
    total = s1 + s2 + s3
    cat = [pertimbangan_category(v, plan=plan) for v in total.tolist()]
    return pd.DataFrame(
        {
            "skor_strategis": s1,
            "kelas_kepadatan": pd.Series(kelas, index=frame.index, dtype="str"),
            "skor_kepadatan": s2,
            "skor_sosial_ekonomi": s3,
            "skor_pertimbangan": total,
            "pertimbangan": pd.Series(cat, index=frame.index, dtype="str"),
        },
        index=frame.index,
    )


def _micro_sum(frame: pd.DataFrame, columns: list[str], by: str) -> pd.DataFrame:
    """Exact sums (in millionths) of decimal columns per group, as floats at the end."""
    data = {"_g": frame[by].astype(str).to_numpy()}
    for c in columns:
        data[c] = to_micro(pd.to_numeric(frame[c], errors="coerce").fillna(0).to_numpy())
    sums = pd.DataFrame(data).groupby("_g", sort=True).sum()
    return pd.DataFrame(
        {c: [int(x) / MICRO for x in sums[c].tolist()] for c in columns}, index=sums.index
    )


def _text_join(values: Iterable) -> str:
    seen = [str(v) for v in dict.fromkeys(values) if not _missing(v) and str(v).strip()]
    return ", ".join(seen)


def kawasan_profile(
    scores: pd.DataFrame,
    units: pd.DataFrame,
    *,
    rules: RuleSet | str | None = None,
    plan: PlanRules | None = None,
    sk_rows: pd.DataFrame | None = None,
    verified: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Profile, pertimbangan lain, legality, priority, pattern and typology per kawasan
    (domain.md §2, §4, §8; module docstring).

    For kawasan ``K`` with RTs ``r``: ``X_K = Σ_r X_r`` for ``luas_ha``,
    ``jumlah_bangunan``, ``jumlah_penduduk``, ``jumlah_kk``, every denominator and every
    volume; the percentages, scores, aspect averages, total and level of ``K`` are
    :func:`kumuhgis.analysis.scoring.score` of those sums; ``kepadatan_jiwa_ha =
    jumlah_penduduk / luas_ha``; ``luas_kumuh_ha = Σ luas_ha`` of its RTs not TK.

    Parameters
    ----------
    scores
        Score output of **one** year (kode_rt, the baseline columns, ``tingkat``).
    units
        :func:`kumuhgis.analysis.reduction.rt_units` (``kode_rt`` → ``kode_kawasan``,
        ``kelurahan``, ``kecamatan``).
    sk_rows
        The rows of the SK version in force (``kode_kawasan``, ``nama_lokasi``,
        ``kelurahan``, ``kecamatan``, ``luas_sk_ha``, ``no_sk``): the kawasan of the
        profile, in SK order. ``None``/empty: every delineated kawasan.
    verified
        SK verification per location (:attr:`kumuhgis.analysis.verification.Verification.locations`
        of that version): adds ``luas_delineasi_ha``, ``luas_terverifikasi_ha``,
        ``temuan_sk`` and ``rekomendasi_sk``.

    Returns
    -------
    pandas.DataFrame
        One row per kawasan; see :func:`column_labels` for every column. Inputs that are
        missing leave their outputs empty and are named in ``data_kurang``.
    """
    rules = load_rules(rules)
    plan = plan or load_plan_rules(rules=rules)
    if scores["tahun"].nunique() > 1:
        raise UsageError(
            "kawasan_profile perlu nilai satu tahun saja / needs the scores of one year"
        )
    u = units[
        [
            "kode_rt",
            "kode_kawasan",
            *[c for c in ("nama_kawasan", "kelurahan", "kecamatan") if c in units.columns],
        ]
    ]
    u = u.assign(kode_rt=u["kode_rt"].astype(str)).drop_duplicates("kode_rt")
    df = scores.assign(kode_rt=scores["kode_rt"].astype(str)).merge(u, on="kode_rt", how="inner")
    has_sk = sk_rows is not None and len(sk_rows) > 0
    if has_sk:
        sk = sk_rows.assign(kode_kawasan=sk_rows["kode_kawasan"].astype(str)).drop_duplicates(
            "kode_kawasan"
        )
        codes = sk["kode_kawasan"].tolist()
    else:
        delineated = units.loc[
            units.get("sumber_kawasan", pd.Series("", index=units.index)).astype(str) != "",
            "kode_kawasan",
        ]
        codes = sorted(set(delineated.astype(str)))
        sk = None
    df = df[df["kode_kawasan"].astype(str).isin(codes)].reset_index(drop=True)
    denoms = list(dict.fromkeys([c for c in rules.denominator_columns if c != "luas_ha"]))
    counts = ["jumlah_bangunan", "jumlah_penduduk", "jumlah_kk"]
    sum_cols = list(dict.fromkeys(["luas_ha", *counts, *denoms, *rules.volume_columns]))
    missing_cols = [c for c in sum_cols if c not in df.columns]
    if missing_cols:
        raise UsageError(
            f"Kolom nilai RT tidak lengkap: {', '.join(missing_cols)} / RT scores lack {', '.join(missing_cols)}"
        )
    sums = _micro_sum(df, sum_cols, "kode_kawasan")
    out = pd.DataFrame(index=pd.Index(codes, name="kode_kawasan", dtype="str"))
    if len(sums):
        scored = score(sums.reset_index(drop=True), rules=rules).set_index(sums.index)
        scored.index.name = "kode_kawasan"
    else:
        scored = pd.DataFrame(
            {c: pd.Series([], dtype="float64") for c in score_columns(rules)},
            index=pd.Index([], name="kode_kawasan", dtype="str"),
        )
    # names and places
    first = df.drop_duplicates("kode_kawasan").set_index("kode_kawasan")
    nama, kel, kec = [], [], []
    for k in codes:
        row_sk = sk[sk["kode_kawasan"] == k].iloc[0] if sk is not None else None
        rts = df[df["kode_kawasan"] == k]
        nm = (
            row_sk["nama_lokasi"]
            if row_sk is not None
            else first["nama_kawasan"].get(k, "")
            if "nama_kawasan" in first
            else ""
        )
        nama.append(str(nm) if not _missing(nm) else "")
        kel.append(
            _text_join(rts["kelurahan"])
            if len(rts) and "kelurahan" in rts
            else (str(row_sk["kelurahan"]) if row_sk is not None else "")
        )
        kec.append(
            _text_join(rts["kecamatan"])
            if len(rts) and "kecamatan" in rts
            else (str(row_sk["kecamatan"]) if row_sk is not None else "")
        )
    out["nama_kawasan"] = pd.Series(nama, index=out.index, dtype="str")
    out["kelurahan"] = pd.Series(kel, index=out.index, dtype="str")
    out["kecamatan"] = pd.Series(kec, index=out.index, dtype="str")
    if sk is not None:
        s = sk.set_index("kode_kawasan")
        out["no_sk"] = s["no_sk"].astype(str).reindex(out.index) if "no_sk" in s else ""
        out["luas_sk_ha"] = pd.to_numeric(s["luas_sk_ha"], errors="coerce").reindex(out.index)
    if verified is not None and len(verified):
        v = (
            verified.assign(kode_kawasan=verified["kode_kawasan"].astype(str))
            .drop_duplicates("kode_kawasan")
            .set_index("kode_kawasan")
        )
        for src, dst in (
            ("luas_delineasi_ha", "luas_delineasi_ha"),
            ("luas_terverifikasi_ha", "luas_terverifikasi_ha"),
        ):
            if src in v:
                out[dst] = pd.to_numeric(v[src], errors="coerce").reindex(out.index)
        for src, dst in (("temuan", "temuan_sk"), ("rekomendasi", "rekomendasi_sk")):
            if src in v:
                out[dst] = v[src].astype(str).reindex(out.index).fillna("").astype("str")
    n_rt = df.groupby("kode_kawasan").size()
    out["jumlah_rt"] = n_rt.reindex(out.index).fillna(0).astype("int64")
    for c in sum_cols:
        out[c] = sums[c].reindex(out.index) if c in sums else np.nan
    # levels of the RTs and the official binary luas kumuh (domain.md §5)
    level = df[LEVEL_COLUMN].astype(str)
    kumuh = ~level.isin(rules.not_kumuh_codes)
    lv_micro = to_micro(pd.to_numeric(df["luas_ha"], errors="coerce").fillna(0).to_numpy())
    kum = pd.Series(np.where(kumuh, lv_micro, 0), index=df.index).groupby(df["kode_kawasan"]).sum()
    out["luas_kumuh_ha"] = [
        int(x) / MICRO for x in kum.reindex(out.index).fillna(0).astype("int64").tolist()
    ]
    for lv in rules.levels:
        cnt = (level == lv.code).groupby(df["kode_kawasan"]).sum()
        out[f"jumlah_rt_{lv.code.lower()}"] = cnt.reindex(out.index).fillna(0).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        luas = out["luas_ha"].to_numpy(dtype=float)
        out["kepadatan_jiwa_ha"] = np.where(
            luas > 0,
            out["jumlah_penduduk"].to_numpy(dtype=float) / np.where(luas > 0, luas, 1),
            np.nan,
        )
    score_cols = [
        c
        for c in scored.columns
        if c.startswith(("p_", "n_", "rata_")) or c in (TOTAL_COLUMN, LEVEL_COLUMN)
    ]
    for c in score_cols:
        out[c] = scored[c].reindex(out.index)
    out[TOTAL_COLUMN] = (
        out[TOTAL_COLUMN].astype("Int64")
        if TOTAL_COLUMN in out
        else pd.array([pd.NA] * len(out), dtype="Int64")
    )
    for c in rules.criteria:
        if c.n_column in out:
            out[c.n_column] = out[c.n_column].astype("Int64")
    if LEVEL_COLUMN not in out:
        out[LEVEL_COLUMN] = pd.Series([pd.NA] * len(out), index=out.index, dtype="str")
    out[LEVEL_COLUMN] = out[LEVEL_COLUMN].astype("str")

    # ---- per-RT optional inputs → kawasan (module docstring)
    notes: dict[str, list[str]] = {k: [] for k in codes}
    for k in codes:
        if out.at[k, "jumlah_rt"] == 0:
            notes[k].append(
                "tidak ada RT di kawasan ini (delineasi dan daftar RT SK tidak cocok dengan layer RT/baseline) — profil, prioritas dan pola tidak dapat ditentukan"
            )
    group = df["kode_kawasan"].astype(str)
    luas_rt = df["luas_ha"]
    agg_values: dict[str, pd.Series] = {}
    inputs = (
        ("legalitas", "legalitas", "pola penanganan"),
        ("nilai_strategis", "nilai_strategis", "prioritas"),
        ("sosial_ekonomi", "sosial_ekonomi", "prioritas"),
    )
    for name, column, needed_for in inputs:
        present = column in df.columns or (
            name == "legalitas" and {"status_tanah", "kesesuaian_tata_ruang"} <= set(df.columns)
        )
        if name == "legalitas":
            flag, bad = _rt_ilegal(df)
        else:
            flag, bad = (
                _yes_no(df[column])
                if column in df.columns
                else (
                    pd.Series(pd.NA, index=df.index, dtype="boolean"),
                    pd.Series(pd.NA, index=df.index, dtype="str"),
                )
            )
        agg = aggregate_flag(flag, luas_rt, group, method=plan.agregasi[name]).reindex(out.index)
        agg_values[name] = agg["nilai"]
        if name == "legalitas":
            ilegal_micro = (
                pd.Series(
                    np.where(flag.fillna(False).to_numpy(dtype=bool), lv_micro, 0), index=df.index
                )
                .groupby(group)
                .sum()
            )
            out["luas_ilegal_ha"] = [
                int(x) / MICRO
                for x in ilegal_micro.reindex(out.index).fillna(0).astype("int64").tolist()
            ]
        for k in codes:
            n = int(agg.at[k, "n_rt"]) if not pd.isna(agg.at[k, "n_rt"]) else 0
            if n == 0:
                continue
            kosong = int(agg.at[k, "n_kosong"])
            if not present:
                notes[k].append(
                    f"kolom {column} tidak ada di baseline ({needed_for} tidak dapat ditentukan)"
                )
                continue
            if kosong:
                decided = not pd.isna(agg.at[k, "nilai"])
                words = bad[(group == k).to_numpy()].dropna().unique().tolist()
                what = f"{column} kosong/tidak dikenal di {kosong} dari {n} RT"
                if words:
                    what += f" (nilai tidak dikenal: {', '.join(repr(w) for w in words[:3])})"
                what += (
                    " — tidak mengubah hasil"
                    if decided
                    else f" — {needed_for} tidak dapat ditentukan"
                )
                notes[k].append(what)
    il = agg_values["legalitas"]
    out["legalitas"] = pd.Series(
        [pd.NA if pd.isna(x) else ("ilegal" if x else "legal") for x in il],
        index=out.index,
        dtype="str",
    )
    for name in ("nilai_strategis", "sosial_ekonomi"):
        vals = agg_values[name]
        out[name] = pd.Series(
            [pd.NA if pd.isna(x) else ("ya" if x else "tidak") for x in vals],
            index=out.index,
            dtype="str",
        )
    for k in codes:
        if out.at[k, "jumlah_rt"] > 0 and not (out.at[k, "luas_ha"] > 0):
            notes[k].append("luas_ha = 0 — kepadatan dan prioritas tidak dapat ditentukan")
    # typology: dominant share of luas, every share listed
    tip, rinci = [], []
    if "tipologi" in df.columns:
        w = df["tipologi"].map(_word)
        for k in codes:
            m = (group == k).to_numpy()
            sub = pd.DataFrame({"t": w[m].to_numpy(), "u": lv_micro[m]})
            known = sub.dropna(subset=["t"])
            if len(sub) and len(known) < len(sub):
                notes[k].append(f"tipologi kosong di {len(sub) - len(known)} dari {len(sub)} RT")
            unknown_words = sorted(set(known["t"]) - set(plan.tipologi))
            if unknown_words:
                notes[k].append(
                    f"tipologi di luar daftar ({', '.join(plan.tipologi)}): {', '.join(unknown_words)}"
                )
            if known.empty:
                tip.append(pd.NA)
                rinci.append(pd.NA)
                continue
            order = {t: i for i, t in enumerate(plan.tipologi)}
            shares = known.groupby("t")["u"].sum()
            tot = int(shares.sum())
            ranked = sorted(
                shares.items(), key=lambda kv: (-int(kv[1]), order.get(kv[0], 99), kv[0])
            )
            tip.append(ranked[0][0])
            rinci.append(
                "; ".join(
                    f"{t} {round(100 * int(s) / tot) if tot else round(100 / len(ranked))}%"
                    for t, s in ranked
                )
            )
    else:
        for k in codes:
            tip.append(pd.NA)
            rinci.append(pd.NA)
            if out.at[k, "jumlah_rt"] > 0:
                notes[k].append("kolom tipologi tidak ada di baseline")
    out["tipologi"] = pd.Series(tip, index=out.index, dtype="str")
    out["tipologi_rinci"] = pd.Series(rinci, index=out.index, dtype="str")
    # ---- pertimbangan lain, priority, pattern
    pl = pertimbangan_lain(out, plan=plan)
    for c in pl.columns:
        out[c] = pl[c]
    out["prioritas"] = pd.Series(
        [
            priority_of(p, t, plan=plan)
            for p, t in zip(out["pertimbangan"], out[LEVEL_COLUMN], strict=True)
        ],
        index=out.index,
        dtype="Int64",
    )
    out["pola_penanganan"] = pd.Series(
        [
            pattern_of(lg, t, plan=plan)
            for lg, t in zip(out["legalitas"], out[LEVEL_COLUMN], strict=True)
        ],
        index=out.index,
        dtype="str",
    )
    out["data_kurang"] = pd.Series(
        ["; ".join(notes[k]) for k in codes], index=out.index, dtype="str"
    )
    return out.reset_index()


# =========================================================================== ranking


def priority_ranking(profil: pd.DataFrame) -> pd.DataFrame:
    """The priority ranking (domain.md §8): kawasan with a priority first, by priority
    (1 first), then total nilai (higher first), then luas kumuh (larger first), then code;
    ``peringkat`` numbers them 1, 2, … Kawasan without a priority follow, without rank:
    TK kawasan (``pencegahan``) and those whose priority could not be determined."""
    p = profil.copy()
    has = p["prioritas"].notna()
    key = pd.DataFrame(
        {
            "a": (~has).astype(int),
            "b": p["prioritas"].fillna(99).astype(int),
            "c": -pd.to_numeric(p[TOTAL_COLUMN], errors="coerce").fillna(-1),
            "d": -pd.to_numeric(p["luas_kumuh_ha"], errors="coerce").fillna(0),
            "e": p["kode_kawasan"].astype(str),
        }
    )
    order = key.sort_values(["a", "b", "c", "d", "e"], kind="stable").index
    p = p.loc[order].reset_index(drop=True)
    n = int(has.sum())
    p.insert(
        0, "peringkat", pd.array(list(range(1, n + 1)) + [pd.NA] * (len(p) - n), dtype="Int64")
    )
    return p


def priority_matrix_counts(
    profil: pd.DataFrame, *, plan: PlanRules, rules: RuleSet | str | None = None
) -> pd.DataFrame:
    """The priority matrix (domain.md §8) with, in each cell, the priority number, the
    kawasan codes and their summed luas: one row per pertimbangan category, one column
    group per kumuh level."""
    rules = load_rules(rules)
    rows = []
    for cat in _PERTIMBANGAN:
        row: dict[str, Any] = {"pertimbangan": cat}
        for code in plan.kumuh_codes:
            m = (profil["pertimbangan"].astype(str) == cat) & (
                profil[LEVEL_COLUMN].astype(str) == code
            )
            sub = profil[m]
            row[f"prioritas_{code.lower()}"] = plan.prioritas[cat][code]
            row[f"kawasan_{code.lower()}"] = ", ".join(sub["kode_kawasan"].astype(str))
            row[f"luas_{code.lower()}_ha"] = float(sub["luas_ha"].sum()) if len(sub) else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def pattern_summary(profil: pd.DataFrame) -> pd.DataFrame:
    """Kawasan count and hectares per handling pattern (unknown patterns last)."""
    p = profil.assign(pola=profil["pola_penanganan"].fillna("(tidak dapat ditentukan)").astype(str))
    g = p.groupby("pola", sort=False)
    out = (
        pd.DataFrame(
            {
                "jumlah_kawasan": g.size(),
                "luas_ha": g["luas_ha"].sum(),
                "luas_kumuh_ha": g["luas_kumuh_ha"].sum(),
                "kawasan": g["kode_kawasan"].agg(lambda s: ", ".join(s.astype(str))),
            }
        )
        .reset_index()
        .rename(columns={"pola": "pola_penanganan"})
    )
    return out.astype({"pola_penanganan": "str", "kawasan": "str"})


# =========================================================================== needs


def _rupiah(volume: float, price: float) -> float:
    """``volume × price`` rounded half up to whole rupiah (decimal arithmetic)."""
    if _missing(volume) or _missing(price):
        return float("nan")
    d = Decimal(repr(float(volume))) * Decimal(repr(float(price)))
    return float(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def needs(
    profil: pd.DataFrame, *, rules: RuleSet | str | None = None, costs: UnitCosts
) -> pd.DataFrame:
    """Remaining needs and indicative cost per kawasan and criterion (domain.md §8).

    ``biaya_rp = volume × harga_satuan_rp`` (rounded half up to whole rupiah), with
    ``volume`` the kawasan's summed remaining volume of the criterion in the data year.
    Rows only where the volume is above 0; ``biaya_rp`` is empty where the project left the
    unit cost empty.
    """
    rules = load_rules(rules)
    aspects = {a.key: a for a in rules.aspects}
    price = costs.table.set_index("kode")
    rows = []
    for _, k in profil.iterrows():
        for c in rules.criteria:
            vol = k.get(c.volume)
            if _missing(vol) or float(vol) <= 0:
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
                    "biaya_rp": _rupiah(float(vol), h),
                }
            )
    cols = [
        "kode_kawasan",
        "nama_kawasan",
        "prioritas",
        "pola_penanganan",
        "kriteria",
        "aspek",
        "uraian_kriteria",
        "uraian_kegiatan",
        "volume",
        "satuan",
        "harga_satuan_rp",
        "biaya_rp",
    ]
    out = pd.DataFrame(rows, columns=cols)
    return out.astype({"kode_kawasan": "str", "nama_kawasan": "str", "prioritas": "Int64", "pola_penanganan": "str", "kriteria": "str", "aspek": "str", "uraian_kriteria": "str", "uraian_kegiatan": "str", "volume": "float64", "satuan": "str", "harga_satuan_rp": "float64", "biaya_rp": "float64"})  # fmt: skip


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


# =========================================================================== memorandum

#: Columns of the memorandum program (project table ``memorandum_program``): kind,
#: required, header label, unit, accepted header variants (normalised).
MEMORANDUM_COLUMNS: dict[str, tuple[str, bool, str, str, tuple[str, ...]]] = {
    "kode_kawasan": ("str", True, "Kode kawasan", "", ("kode", "kd_kawasan", "kode_lokasi", "id_kawasan")),
    "nama_kawasan": ("str", False, "Nama kawasan", "", ("kawasan", "nama_lokasi", "lokasi")),
    "kriteria": ("kriteria", False, "Kriteria", "", ("kode_kriteria",)),
    "uraian_kegiatan": ("str", True, "Uraian kegiatan", "", ("kegiatan", "uraian", "nama_kegiatan", "program", "program_kegiatan")),
    "volume": ("float", True, "Volume", "", ("vol",)),
    "satuan": ("str", False, "Satuan", "", ("sat", "unit")),
    "harga_satuan_rp": ("rupiah", False, "Harga satuan", "Rp", ("harga_satuan", "harga_rp", "harga")),
    "biaya_rp": ("rupiah", True, "Biaya", "Rp", ("biaya", "nilai_rp", "nilai", "anggaran", "anggaran_rp", "biaya_indikatif_rp", "perkiraan_biaya_rp")),
    "tahun": ("int", True, "Tahun", "", ("tahun_anggaran", "thn", "ta", "tahun_pelaksanaan")),
    "sumber_dana": ("sumber", True, "Sumber dana", "", ("sumber", "sumber_pendanaan", "dana")),
    "rincian_dana": ("str", False, "Rincian dana", "", ("rincian_sumber_dana",)),
    "keterangan": ("str", False, "Keterangan", "", ("catatan", "ket")),
}  # fmt: skip
_MEMO_DTYPES = {
    "str": "str",
    "kriteria": "str",
    "sumber": "str",
    "float": "float64",
    "rupiah": "float64",
    "int": "int64",
}
_MEMO_TOLERANCE_RP = 1.0


def _coerce_memorandum(frame: pd.DataFrame) -> pd.DataFrame:
    """The memorandum columns in their storage types (extra columns as text, after)."""
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    src = frame.reset_index(drop=True)
    for name, (kind, *_rest) in MEMORANDUM_COLUMNS.items():
        col = src[name] if name in src.columns else pd.Series([None] * len(src), dtype=object)
        if kind in ("float", "rupiah"):
            out[name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif kind == "int":
            out[name] = pd.to_numeric(col).astype("int64")
        else:
            out[name] = _text_series(col)
    for c in src.columns:
        if (
            c not in MEMORANDUM_COLUMNS
            and not str(c).startswith("_")
            and c not in ("fid", "geometry")
        ):
            out[str(c)] = _text_series(src[c])
    return out


def _text(v: Any) -> str | None:
    if _missing(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v)
    return text if text.strip() else None


def _text_series(values: pd.Series) -> pd.Series:
    return pd.Series([_text(v) for v in values.tolist()], dtype="str")


def draft_memorandum(
    ranking: pd.DataFrame,
    kebutuhan: pd.DataFrame,
    *,
    plan: PlanRules,
    rules: RuleSet | str | None = None,
    start_year: int,
) -> pd.DataFrame:
    """A draft 5-year memorandum program (domain.md §8) for the Pokja to edit.

    One row per kawasan × criterion with a remaining need: the volume, unit cost and cost
    of :func:`needs`, the year and a proposed funding source. Kawasan are taken in the order
    of ``ranking`` (:func:`priority_ranking`: ranked kawasan first) and spread evenly over
    the ``n`` years from ``start_year``: the ``i``-th of ``m`` kawasan with needs (0-based)
    goes to ``start_year + ⌊i × n / m⌋``. The funding source is the aspect's
    ``memorandum.sumber_dana_awal``; ``keterangan`` records the kawasan's priority and
    pattern.
    """
    rules = load_rules(rules)
    aspect_key = {a.label_id: a.key for a in rules.aspects}
    n_years = int(plan.memorandum["jumlah_tahun"])
    with_needs = [
        k for k in ranking["kode_kawasan"].astype(str) if (kebutuhan["kode_kawasan"] == k).any()
    ]
    m = len(with_needs)
    year_of = {k: int(start_year) + (i * n_years) // m for i, k in enumerate(with_needs)}
    info = ranking.set_index(ranking["kode_kawasan"].astype(str))
    rows = []
    for k in with_needs:
        p = info.at[k, "prioritas"]
        pola = info.at[k, "pola_penanganan"]
        note = f"Prioritas {int(p)}" if not _missing(p) else "Tanpa prioritas"
        note += f"; pola {pola}" if not _missing(pola) else "; pola belum dapat ditentukan"
        for _, r in kebutuhan[kebutuhan["kode_kawasan"] == k].iterrows():
            rows.append(
                {
                    "kode_kawasan": k,
                    "nama_kawasan": r["nama_kawasan"],
                    "kriteria": r["kriteria"],
                    "uraian_kegiatan": r["uraian_kegiatan"],
                    "volume": r["volume"],
                    "satuan": r["satuan"],
                    "harga_satuan_rp": r["harga_satuan_rp"],
                    "biaya_rp": r["biaya_rp"],
                    "tahun": year_of[k],
                    "sumber_dana": plan.memorandum["sumber_dana_awal"][aspect_key[r["aspek"]]],
                    "rincian_dana": None,
                    "keterangan": note,
                }
            )
    return _coerce_memorandum(pd.DataFrame(rows, columns=list(MEMORANDUM_COLUMNS)))


def _memo_alias_map() -> dict[str, str]:
    from kumuhgis.core.schema import normalize_header

    out: dict[str, str] = {}
    for name, (_kind, _req, label, unit, aliases) in MEMORANDUM_COLUMNS.items():
        header = f"{label} ({unit})" if unit else label
        for a in (name, normalize_header(header), normalize_header(label), *aliases):
            out.setdefault(normalize_header(a), name)
    return out


def parse_memorandum(
    raw: pd.DataFrame,
    *,
    kawasan: Mapping[str, str],
    rules: RuleSet | str | None = None,
    source: str = "memorandum",
) -> pd.DataFrame:
    """Validate an edited memorandum program (a raw frame from :func:`kumuhgis.ingest.readers.read_file`).

    Headers are matched after :func:`kumuhgis.core.schema.normalize_header` ("Biaya (Rp)" →
    ``biaya_rp``) and their variants; numbers are read the Indonesian or English way
    (:func:`kumuhgis.core.numeric.parse_number_series`: ``1.234,5``, ``Rp 350.000.000``);
    funding sources are mapped onto domain.md §9 (the detail, e.g. "BPM/BDI", goes to
    ``rincian_dana`` when that is empty); criterion codes onto the rule set (one code per
    row, or empty for a non-physical activity). Extra columns are kept as text.

    Every problem is collected — row as the spreadsheet shows it, column, value, what is
    wrong, how to fix it — and raised once.

    Raises
    ------
    ValidationError
        A required column is missing; a kawasan code the project does not know; an empty
        required cell; a number that cannot be read or is negative; a year outside
        1990–2100; an unknown funding source or criterion code.
    """
    from kumuhgis.core.numeric import format_rupiah, parse_number_series
    from kumuhgis.core.schema import normalize_header
    from kumuhgis.core.vocabulary import parse_kriteria_series, parse_sumber_dana_series

    rules = load_rules(rules)
    aliases = _memo_alias_map()
    problems: list[Problem] = []
    frame = raw.copy()
    rows = frame["_row"].tolist() if "_row" in frame.columns else list(range(2, len(frame) + 2))
    if "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns=["geometry"]))
    rename: dict[str, str] = {}
    extras: list[str] = []
    for c in frame.columns:
        if c == "_row":
            continue
        key = normalize_header(c)
        target = aliases.get(key)
        if target is None:
            extras.append(c)
            rename[c] = key or str(c)
        elif target in rename.values():
            problems.append(
                Problem(
                    None,
                    str(c),
                    None,
                    f"kolom '{c}' sama artinya dengan kolom lain ({target})",
                    f"column '{c}' means the same as another column ({target})",
                    "hapus salah satu kolom",
                    "remove one of the columns",
                )
            )
        else:
            rename[c] = target
    frame = frame.rename(columns=rename)
    for name, (_kind, required, label, unit, _a) in MEMORANDUM_COLUMNS.items():
        if required and name not in frame.columns:
            header = f"{label} ({unit})" if unit else label
            problems.append(
                Problem(
                    None,
                    name,
                    None,
                    f"kolom wajib '{header}' tidak ada",
                    f"required column '{header}' is missing",
                    "jangan ubah atau hapus judul kolom di baris judul",
                    "do not change or delete the column headers",
                )
            )
    if problems:
        raise ValidationError(problems, source=source, layer=MEMORANDUM_TABLE)
    for e in extras:
        problems.append(
            Problem(
                None,
                str(e),
                None,
                f"kolom tambahan '{e}' disimpan sebagai teks",
                f"extra column '{e}' is kept as text",
                severity="warning",
            )
        )
    if len(frame) == 0:
        raise ValidationError(
            [
                Problem(
                    None,
                    None,
                    None,
                    "tidak ada baris kegiatan",
                    "no activity rows",
                    "isi paling sedikit satu baris",
                    "fill in at least one row",
                )
            ],
            source=source,
            layer=MEMORANDUM_TABLE,
        )
    frame = frame.reset_index(drop=True)
    out: dict[str, pd.Series] = {}

    def err(
        i: int,
        col: str,
        value: Any,
        masalah: str,
        problem: str,
        perbaikan: str = "",
        fix: str = "",
        severity: str = "error",
    ) -> None:
        problems.append(
            Problem(
                int(rows[i]),
                col,
                None if _missing(value) else str(value),
                masalah,
                problem,
                perbaikan,
                fix,
                severity,
            )
        )

    def required_empty(col: str, series: pd.Series) -> None:
        for i in np.flatnonzero(series.isna().to_numpy()):
            if _missing(frame[col].iloc[i]) or not str(frame[col].iloc[i]).strip():
                err(
                    int(i),
                    col,
                    None,
                    "sel wajib kosong",
                    "required cell is empty",
                    "isi sel ini",
                    "fill in this cell",
                )

    # text columns
    for name in (
        "kode_kawasan",
        "nama_kawasan",
        "uraian_kegiatan",
        "satuan",
        "rincian_dana",
        "keterangan",
    ):
        col = frame[name] if name in frame.columns else pd.Series([None] * len(frame), dtype=object)
        s = _text_series(col).str.strip()
        s = s.where(s != "", None)
        out[name] = s
        if MEMORANDUM_COLUMNS[name][1]:
            required_empty(name, s)
    known = {str(k) for k in kawasan}
    for i, code in enumerate(out["kode_kawasan"].tolist()):
        if _missing(code) or code in known:
            continue
        close = difflib.get_close_matches(code, sorted(known), n=1, cutoff=0.6)
        hint = f"mungkin maksudnya {close[0]}; " if close else ""
        hint_en = f"did you mean {close[0]}; " if close else ""
        err(
            i,
            "kode_kawasan",
            code,
            "kode kawasan tidak ada di proyek",
            "kawasan code not in the project",
            f"{hint}kode yang ada: {', '.join(sorted(known))[:300]}",
            f"{hint_en}known codes: {', '.join(sorted(known))[:300]}",
        )
    # numbers
    for name in ("volume", "harga_satuan_rp", "biaya_rp", "tahun"):
        kind = MEMORANDUM_COLUMNS[name][0]
        col = frame[name] if name in frame.columns else pd.Series([None] * len(frame), dtype=object)
        parsed, failures = parse_number_series(
            col.reset_index(drop=True),
            kind={"float": "float", "rupiah": "rupiah", "int": "int"}[kind],
        )
        for label, _text_value, e in failures:
            p = e.to_problem(int(rows[int(label)]), name)
            problems.append(p)
        failed = {int(lbl) for lbl, _t, _e in failures}
        if MEMORANDUM_COLUMNS[name][1]:
            for i in np.flatnonzero(parsed.isna().to_numpy()):
                if int(i) not in failed:
                    err(
                        int(i),
                        name,
                        None,
                        "sel wajib kosong",
                        "required cell is empty",
                        "isi angka (0 bila tidak ada)",
                        "fill in a number (0 when none)",
                    )
        values = parsed.to_numpy(dtype=float, na_value=np.nan)
        for i in np.flatnonzero(values < 0):
            err(
                int(i),
                name,
                col.iloc[i],
                "angka negatif",
                "negative number",
                "isi angka ≥ 0",
                "write a number ≥ 0",
            )
        if name == "tahun":
            for i in np.flatnonzero((values < 1990) | (values > 2100)):
                err(
                    int(i),
                    name,
                    col.iloc[i],
                    "tahun di luar 1990–2100",
                    "year outside 1990–2100",
                    "tulis tahun empat angka, mis. 2025",
                    "write a four-digit year, e.g. 2025",
                )
        out[name] = parsed
    # criterion codes: one per row or empty
    krit, failures = parse_kriteria_series(
        frame["kriteria"].reset_index(drop=True)
        if "kriteria" in frame.columns
        else pd.Series([None] * len(frame), dtype=object),
        codes=rules.codes,
    )
    for label, _t, e in failures:
        problems.append(e.to_problem(int(rows[int(label)]), "kriteria"))
    for i, v in enumerate(krit.tolist()):
        if not _missing(v) and ";" in str(v):
            err(
                i,
                "kriteria",
                v,
                "lebih dari satu kode kriteria dalam satu baris",
                "more than one criterion code in a row",
                "pecah menjadi satu baris per kriteria (volume dan biaya masing-masing)",
                "split into one row per criterion (each with its volume and cost)",
            )
    out["kriteria"] = krit.astype("str")
    # funding source
    sd = frame["sumber_dana"].reset_index(drop=True)
    canon, detail, failures = parse_sumber_dana_series(sd)
    for label, _t, e in failures:
        problems.append(e.to_problem(int(rows[int(label)]), "sumber_dana"))
    failed = {int(lbl) for lbl, _t, _e in failures}
    for i in np.flatnonzero(canon.isna().to_numpy()):
        if int(i) not in failed:
            err(
                int(i),
                "sumber_dana",
                None,
                "sel wajib kosong",
                "required cell is empty",
                "tulis sumber dana, mis. APBD Kab/Kota",
                "write a funding source, e.g. APBD Kab/Kota",
            )
    out["sumber_dana"] = canon.astype("str")
    rincian = out["rincian_dana"]
    out["rincian_dana"] = pd.Series(
        [
            d if _missing(r) and not _missing(d) else r
            for r, d in zip(rincian.tolist(), detail.tolist(), strict=True)
        ],
        dtype="str",
    )
    # consistency warning: biaya vs volume × harga
    vol, price, cost = (
        out[c].to_numpy(dtype=float, na_value=np.nan)
        for c in ("volume", "harga_satuan_rp", "biaya_rp")
    )
    for i in range(len(frame)):
        if np.isfinite(vol[i]) and np.isfinite(price[i]) and np.isfinite(cost[i]):
            expect = _rupiah(vol[i], price[i])
            if abs(expect - cost[i]) > _MEMO_TOLERANCE_RP:
                err(
                    i,
                    "biaya_rp",
                    frame["biaya_rp"].iloc[i],
                    f"biaya berbeda dengan volume × harga satuan ({format_rupiah(expect)})",
                    f"cost differs from volume × unit cost (Rp {expect:,.0f})",
                    "periksa angkanya (disimpan apa adanya)",
                    "check the figures (stored as written)",
                    severity="warning",
                )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(problems, source=source, layer=MEMORANDUM_TABLE)
    data = pd.DataFrame({name: out[name].reset_index(drop=True) for name in MEMORANDUM_COLUMNS})
    for e in extras:
        data[rename[e]] = _text_series(frame[rename[e]])
    result = _coerce_memorandum(data)
    result.attrs["problems"] = problems
    return result


def _memorandum_sheet_name(path: Path) -> str | None:
    from kumuhgis.ingest.readers import list_layers

    names = list_layers(path)
    for n in names:
        if n.strip().lower() == "memorandum program":
            return n
    return None


def read_memorandum_file(
    path: str | os.PathLike,
    *,
    kawasan: Mapping[str, str],
    rules: RuleSet | str | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read and validate a memorandum program file (.xlsx: the sheet "Memorandum program"
    when there is one, else the first; or .csv) with :func:`parse_memorandum`."""
    from kumuhgis.ingest.readers import read_file

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Berkas tidak ditemukan / file not found: {path}")
    if sheet is None and path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = _memorandum_sheet_name(path)
    result = read_file(path, layer=sheet)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        raise ValidationError(result.problems, source=path.name, layer=MEMORANDUM_TABLE)
    frame = parse_memorandum(result.frame, kawasan=kawasan, rules=rules, source=path.name)
    # the title lines above the table are ours; skipping them is not worth a warning
    read_warnings = [
        p
        for p in result.problems
        if p.severity != "error"
        and not (p.column is None and sheet is not None and p.masalah.startswith("Baris judul"))
    ]
    frame.attrs["problems"] = read_warnings + frame.attrs.get("problems", [])
    return frame


def project_kawasan(snapshot: CitySnapshot) -> dict[str, str]:
    """Kawasan code → name, from the delineation, then the SK rows."""
    out: dict[str, str] = {}
    dl = snapshot.delineasi
    for k, n in zip(dl["kode_kawasan"].astype(str), dl["nama_kawasan"].astype(str), strict=True):
        out[k] = n
    sk = snapshot.sk_kumuh
    for k, n in zip(sk["kode_kawasan"].astype(str), sk["nama_lokasi"].astype(str), strict=True):
        out.setdefault(k, n)
    return out


def stored_memorandum(snapshot: CitySnapshot) -> pd.DataFrame | None:
    """The memorandum program imported into a project (``None`` when there is none)."""
    if snapshot.memorandum is None:
        return None
    return _coerce_memorandum(pd.DataFrame(snapshot.memorandum))


def import_memorandum(
    store,
    path: str | os.PathLike,
    *,
    sheet: str | None = None,
    settings: dict | None = None,
    command: str = "kumuhgis memorandum-import",
) -> pd.DataFrame:
    """Validate an edited memorandum program and store it as the project table
    ``memorandum_program`` (replacing the previous one), all or nothing.

    Raises
    ------
    ValidationError
        Anything wrong in the file (:func:`parse_memorandum`); the store is untouched.
    """
    from kumuhgis.store.snapshot import load_snapshot

    snapshot = load_snapshot(store, settings=settings)
    frame = read_memorandum_file(
        path, kawasan=project_kawasan(snapshot), rules=snapshot.rules, sheet=sheet
    )
    store.write_table(MEMORANDUM_TABLE, frame, command=command)
    return frame


def memorandum_pivot(memo: pd.DataFrame, *, years: list[int] | None = None) -> pd.DataFrame:
    """The memorandum program as RP2KPKP documents show it: one row per kawasan, activity
    and funding source, one cost column per year (``rp_<tahun>``) and the total."""
    years = years or sorted(int(y) for y in memo["tahun"].unique())
    keys = ["kode_kawasan", "nama_kawasan", "kriteria", "uraian_kegiatan", "satuan", "sumber_dana"]
    m = memo.assign(**{k: memo[k].fillna("").astype(str) for k in keys})
    g = m.groupby(keys, sort=False, dropna=False)
    base = g.agg(volume=("volume", "sum")).reset_index()
    for y in years:
        s = m[m["tahun"] == y].groupby(keys, sort=False, dropna=False)["biaya_rp"].sum()
        base[f"rp_{y}"] = pd.MultiIndex.from_frame(base[keys]).map(s.to_dict()).astype("float64")
        base[f"rp_{y}"] = base[f"rp_{y}"].fillna(0.0)
    base["rp_total"] = base[[f"rp_{y}" for y in years]].sum(axis=1)
    return base


# =========================================================================== the annex


@dataclass(frozen=True, eq=False)
class Annex:
    """Everything the RP2KPKP annex shows (:func:`build_annex`)."""

    kota: str
    provinsi: str
    tahun: int
    rules: RuleSet
    plan: PlanRules
    costs: UnitCosts
    profil: pd.DataFrame
    ranking: pd.DataFrame
    kebutuhan: pd.DataFrame
    biaya_kawasan: pd.DataFrame
    memorandum: pd.DataFrame
    memorandum_asal: str  # "proyek" (imported) or "draf" (generated)
    memorandum_tahun: list[int]
    sk: pd.DataFrame  # verified SK table (one row per location)
    sk_info: dict  # no_sk, tanggal_sk, rekomendasi, alasan, luas_terverifikasi_ha
    rt: gpd.GeoDataFrame  # RT polygons with the year's scores and kawasan
    wilayah: gpd.GeoDataFrame
    kawasan: gpd.GeoDataFrame  # kawasan polygons with the profile columns
    asal: dict  # {"observed": n, "derived": n} RT rows of the data year
    tahun_baseline: int | None = None
    notes: list[str] = field(default_factory=list)


def _kawasan_geometries(
    codes: list[str], delineasi: gpd.GeoDataFrame, rt: gpd.GeoDataFrame, units: pd.DataFrame
) -> gpd.GeoDataFrame:
    """Kawasan polygons: the delineation polygon, else the union of the kawasan's RTs."""
    geoms = []
    dl = (
        delineasi.assign(kode_kawasan=delineasi["kode_kawasan"].astype(str))
        .drop_duplicates("kode_kawasan")
        .set_index("kode_kawasan")
        if len(delineasi)
        else None
    )
    rtg = rt.assign(kode_rt=rt["kode_rt"].astype(str)).set_index("kode_rt") if len(rt) else None
    for k in codes:
        if dl is not None and k in dl.index:
            geoms.append(dl.geometry.loc[k])
            continue
        members = units.loc[units["kode_kawasan"].astype(str) == k, "kode_rt"].astype(str)
        members = [m for m in members if rtg is not None and m in rtg.index]
        geoms.append(rtg.geometry.loc[members].union_all() if members else None)
    return gpd.GeoDataFrame(
        {"kode_kawasan": pd.Series(codes, dtype="str")}, geometry=geoms, crs="EPSG:4326"
    )


def build_annex(
    snapshot: CitySnapshot,
    *,
    year: int | None = None,
    rules: RuleSet | str | None = None,
    no_sk: str | None = None,
    use_stored_memorandum: bool = True,
) -> Annex:
    """Compute every table of the RP2KPKP annex from a city snapshot (domain.md §8).

    Conditions of ``year`` (default: the latest year with conditions, observed or
    derived; :func:`kumuhgis.analysis.city.score_city`); kawasan of the SK version ``no_sk``
    (default: the version in force in that year), checked by the SK verification
    (:func:`kumuhgis.analysis.verification.verify_sk`) for the verified luas; the memorandum
    program imported into the project, else a draft (:func:`draft_memorandum`).

    Raises
    ------
    UsageError
        No baseline, a year without conditions, an unknown SK version, bad settings.
    """
    from kumuhgis.analysis.city import score_city
    from kumuhgis.analysis.reduction import rt_units
    from kumuhgis.core.sk import sk_in_force

    settings = snapshot.settings
    if not snapshot.has("baseline"):
        raise UsageError(
            "Proyek belum punya layer baseline; impor dulu / the project has no baseline layer; import it first"
        )
    rules = snapshot.rules if rules is None else load_rules(rules, settings=dict(settings))
    plan = load_plan_rules(settings, rules=rules)
    costs = load_unit_costs(settings, rules=rules)
    scored = score_city(snapshot, rules=rules)
    all_scores = scored.scores
    years = sorted(int(y) for y in all_scores["tahun"].unique())
    year = condition_year(years, year)
    sc = all_scores[all_scores["tahun"] == year].reset_index(drop=True)
    rt, wilayah = snapshot.rt, snapshot.wilayah
    delineasi, sk_all = snapshot.delineasi, snapshot.sk_kumuh
    units = rt_units(rt, wilayah, delineasi=delineasi, sk_kumuh=sk_all)
    notes: list[str] = []
    sk_rows = None
    sk_info: dict[str, Any] = {}
    verified = None
    sk_table = pd.DataFrame()
    if len(sk_all):
        versions = snapshot.sk_versions
        names = versions["no_sk"].tolist()
        if no_sk is not None and no_sk not in names:
            raise UsageError(
                f"SK '{no_sk}' tidak ada; yang ada: {', '.join(names)} / no such SK version; known: {', '.join(names)}"
            )
        chosen = no_sk or sk_in_force(sk_all, year)
        info = versions[versions["no_sk"] == chosen].iloc[0]
        sk_rows = sk_all[sk_all["no_sk"].astype(str) == chosen]
        sk_info = {
            "no_sk": chosen,
            "tanggal_sk": pd.Timestamp(info["tanggal_sk"]).date().isoformat(),
        }
        try:
            from kumuhgis.analysis.verification import verify_sk
        except ImportError:  # pragma: no cover - verification not installed
            verify_sk = None
            notes.append("Verifikasi SK tidak tersedia; luas terverifikasi tidak ditampilkan.")
        if verify_sk is not None:
            ver = verify_sk(
                sk_all, delineasi, rt=rt, wilayah=wilayah, scores=all_scores, no_sk=chosen, year=year,
                not_kumuh=rules.not_kumuh_codes, tolerances=settings.get("verifikasi_sk") or {},
                area_method=str(settings.get("metode_luas", "geodesic")),
            )  # fmt: skip
            verified = ver.locations
            sk_table = ver.locations.copy()
            if len(ver.summary):
                s = ver.summary.iloc[0]
                sk_info.update(
                    {
                        k: s.get(k)
                        for k in (
                            "rekomendasi",
                            "alasan",
                            "luas_terverifikasi_ha",
                            "luas_sk_ha",
                            "jumlah_temuan",
                        )
                    }
                )
        else:  # pragma: no cover
            sk_table = sk_rows.copy()
        dropped = sorted(
            set(units["kode_kawasan"][units["sumber_kawasan"] == "delineasi"])
            - set(sk_rows["kode_kawasan"].astype(str))
        )
        if dropped:
            notes.append(
                f"Kawasan di delineasi tetapi tidak di SK {chosen}: {', '.join(dropped)} — tidak dimasukkan dalam lampiran ini."
            )
    else:
        notes.append("Proyek belum punya SK Kumuh; lampiran memakai semua kawasan delineasi.")
    profil = kawasan_profile(sc, units, rules=rules, plan=plan, sk_rows=sk_rows, verified=verified)
    ranking = priority_ranking(profil)
    keb = needs(profil, rules=rules, costs=costs)
    biaya = cost_by_kawasan(keb, profil, rules=rules)
    start = plan.memorandum.get("tahun_mulai") or year + 1
    n_years = int(plan.memorandum["jumlah_tahun"])
    memo = stored_memorandum(snapshot) if use_stored_memorandum else None
    if memo is not None:
        asal = "proyek"
        memo_years = sorted(set(range(start, start + n_years)) | {int(y) for y in memo["tahun"]})
    else:
        asal = "draf"
        memo = draft_memorandum(ranking, keb, plan=plan, rules=rules, start_year=start)
        memo_years = list(range(start, start + n_years))
    # geometry for the maps
    rt_scores = sc.merge(units, on="kode_rt", how="left")
    rtg = (
        rt[["kode_rt", rt.geometry.name]]
        .assign(kode_rt=rt["kode_rt"].astype(str))
        .merge(rt_scores, on="kode_rt", how="left")
    )
    rtg = gpd.GeoDataFrame(rtg, geometry=rt.geometry.name, crs=rt.crs)
    kaw = _kawasan_geometries(profil["kode_kawasan"].astype(str).tolist(), delineasi, rt, units)
    kaw = kaw.merge(profil, on="kode_kawasan", how="left")
    missing_geom = kaw.loc[kaw.geometry.isna(), "kode_kawasan"].tolist()
    if missing_geom:
        notes.append(
            f"Kawasan tanpa poligon dan tanpa RT (tidak digambar di peta): {', '.join(missing_geom)}."
        )
    asal_counts = sc["asal"].value_counts().to_dict() if "asal" in sc.columns else {}
    base_year = settings.get("tahun_baseline")
    return Annex(
        kota=snapshot.kota,
        provinsi=str(settings.get("provinsi") or ""),
        tahun=year,
        rules=rules,
        plan=plan,
        costs=costs,
        profil=profil,
        ranking=ranking,
        kebutuhan=keb,
        biaya_kawasan=biaya,
        memorandum=memo,
        memorandum_asal=asal,
        memorandum_tahun=memo_years,
        sk=sk_table,
        sk_info=sk_info,
        rt=rtg,
        wilayah=wilayah,
        kawasan=kaw,
        asal={str(k): int(v) for k, v in asal_counts.items()},
        tahun_baseline=int(base_year) if base_year is not None else (years[0] if years else None),
        notes=notes,
    )


# =========================================================================== output


def column_labels(rules: RuleSet | str | None = None) -> dict[str, tuple[str, str]]:
    """Indonesian header label and unit of every column of the annex tables."""
    rules = load_rules(rules)
    # the RT/score columns (volumes, percentages, scores, averages, totals) as in the score output
    labels: dict[str, tuple[str, str]] = score_labels(rules)
    labels |= {
        "peringkat": ("Peringkat", ""),
        "kode_kawasan": ("Kode kawasan", ""),
        "nama_kawasan": ("Nama kawasan", ""),
        "kelurahan": ("Kelurahan/desa", ""),
        "kecamatan": ("Kecamatan", ""),
        "no_sk": ("No. SK", ""),
        "luas_sk_ha": ("Luas SK", "ha"),
        "luas_delineasi_ha": ("Luas delineasi", "ha"),
        "luas_terverifikasi_ha": ("Luas terverifikasi", "ha"),
        "temuan_sk": ("Temuan verifikasi SK", ""),
        "rekomendasi_sk": ("Rekomendasi verifikasi", ""),
        "jumlah_rt": ("Jumlah RT", "RT"),
        "luas_ha": ("Luas (Σ RT)", "ha"),
        "luas_kumuh_ha": ("Luas kumuh (RT bukan TK)", "ha"),
        "kepadatan_jiwa_ha": ("Kepadatan penduduk", "jiwa/ha"),
        "skor_strategis": ("Nilai lokasi strategis", ""),
        "kelas_kepadatan": ("Kelas kepadatan", ""),
        "skor_kepadatan": ("Nilai kepadatan", ""),
        "skor_sosial_ekonomi": ("Nilai potensi sosial ekonomi", ""),
        "skor_pertimbangan": ("Jumlah nilai pertimbangan lain", ""),
        "pertimbangan": ("Pertimbangan lain", ""),
        "luas_ilegal_ha": ("Luas RT ilegal", "ha"),
        "tipologi_rinci": ("Tipologi (rincian luas)", ""),
        "prioritas": ("Prioritas", ""),
        "pola_penanganan": ("Pola penanganan", ""),
        "data_kurang": ("Data kurang", ""),
        "kriteria": ("Kriteria", ""),
        "aspek": ("Aspek", ""),
        "uraian_kriteria": ("Uraian kriteria", ""),
        "uraian_kegiatan": ("Uraian kegiatan", ""),
        "volume": ("Volume", ""),
        "satuan": ("Satuan", ""),
        "harga_satuan_rp": ("Harga satuan", "Rp"),
        "biaya_rp": ("Biaya", "Rp"),
        "biaya_total_rp": ("Biaya total", "Rp"),
        "sumber_dana": ("Sumber dana", ""),
        "rincian_dana": ("Rincian dana", ""),
        "keterangan": ("Keterangan", ""),
        "jumlah_kawasan": ("Jumlah kawasan", ""),
        "kawasan": ("Kawasan", ""),
        "kode": ("Kode", ""),
        "harga_rp": ("Harga satuan", "Rp"),
        "uraian": ("Uraian kegiatan", ""),
        "nama_lokasi": ("Nama lokasi", ""),
        "luas_rt_ha": ("Luas Σ RT", "ha"),
        "jumlah_rt_tidak_kumuh": ("Jumlah RT tidak kumuh", "RT"),
        "temuan": ("Temuan", ""),
        "rekomendasi": ("Rekomendasi", ""),
        "tahun_tingkat": ("Tahun tingkat RT", ""),
        "kelurahan_saran": ("Kelurahan (batas wilayah)", ""),
        "rp_total": ("Jumlah", "Rp"),
    }
    for lv in rules.levels:
        labels[f"jumlah_rt_{lv.code.lower()}"] = (f"RT {lv.label_id} ({lv.code})", "RT")
    for a in rules.aspects:
        labels[f"biaya_{a.key}_rp"] = (f"Biaya {a.label_id.lower()}", "Rp")
    return labels


def _fmt(x: Any, decimals: int = 0) -> str:
    from kumuhgis.core.numeric import format_number_id

    return format_number_id(x, decimals)


def method_lines(annex: Annex) -> list[str]:
    """The method summary (Bahasa Indonesia) with the rules' sources and the values used."""
    r, p, c = annex.rules, annex.plan, annex.costs
    lo, hi = p.kepadatan_batas
    levels = "; ".join(
        f"{lv.code} ({lv.label_id}) {'–'.join(map(str, r.level_range(lv.code)))}" for lv in r.levels
    )
    bands = "; ".join(f"persen ≥ {b.min_pct} → {b.score}" for b in r.score_bands)
    asal = ", ".join(
        f"{v} RT {'hasil survei' if k == 'observed' else 'turunan (kondisi tahun sebelumnya dikurangi kolaborasi)'}"
        for k, v in sorted(annex.asal.items(), key=lambda kv: kv[0] != "observed")
    )
    agg = {
        "salah_satu": "bila salah satu RT-nya",
        "semua": "bila semua RT-nya",
        "mayoritas_luas": "bila RT dengan nilai itu mencakup paling sedikit separuh luasnya",
    }
    return [
        f"Aturan penilaian: {r.title_id}. Persen = 100 × volume ÷ penyebut (maks. 100), dibulatkan setengah ke atas dua desimal; nilai: {bands}; tingkat dari total nilai: {levels}.",
        f"Kondisi tahun {annex.tahun}: {asal or '-'}.",
        "Profil kawasan = jumlah angka RT di dalam kawasan (luas, bangunan, penduduk, KK, panjang jalan dan drainase ideal, volume tiap kriteria); kawasan dinilai sebagai satu kesatuan dari volume yang dijumlahkan, bukan rata-rata persentase RT. Luas kumuh = jumlah luas RT yang tingkatnya bukan TK.",
        f"Pertimbangan lain ({p.source_id}): lokasi strategis ya {p.strategis['ya']} / tidak {p.strategis['tidak']}; kepadatan penduduk ≤ {_fmt(lo)} jiwa/ha rendah {p.kepadatan_nilai['rendah']}, ≤ {_fmt(hi)} sedang {p.kepadatan_nilai['sedang']}, di atasnya tinggi {p.kepadatan_nilai['tinggi']}; potensi sosial ekonomi ya {p.sosial_ekonomi['ya']} / tidak {p.sosial_ekonomi['tidak']}. Jumlah ≥ {p.kategori_min['tinggi']} tinggi, ≥ {p.kategori_min['sedang']} sedang, ≥ {p.kategori_min['rendah']} rendah.",
        "Legalitas lahan: legal hanya bila status tanah dan kesesuaian dengan rencana tata ruang keduanya positif. "
        f"Kawasan ilegal {agg[p.agregasi['legalitas']]} ilegal; lokasi strategis {agg[p.agregasi['nilai_strategis']]} bernilai ya; potensi sosial ekonomi {agg[p.agregasi['sosial_ekonomi']]} bernilai ya. Data RT yang kosong tidak pernah diisi dengan nilai bawaan: hasil kawasan hanya ditetapkan bila data yang kosong tidak dapat mengubahnya, selain itu dicatat di kolom 'data kurang'.",
        "Prioritas 1–9 dari matriks pertimbangan lain × tingkat kekumuhan: "
        + "; ".join(
            f"{row} {', '.join(str(p.prioritas[row][k]) for k in p.kumuh_codes)}"
            for row in _PERTIMBANGAN
        )
        + f" (kolom {', '.join(p.kumuh_codes)}). Dalam satu prioritas: total nilai lebih tinggi dulu, lalu luas kumuh lebih besar.",
        "Pola penanganan: "
        + "; ".join(
            f"lahan {row}: " + ", ".join(f"{k} → {p.pola[row][k]}" for k in p.level_codes)
            for row in _LEGALITY
        )
        + f". Pencegahan meliputi {', '.join(p.pencegahan)}.",
        f"Kebutuhan = sisa volume tiap kriteria tahun {annex.tahun} × harga satuan. Harga satuan {'INDIKATIF' if c.indicative else 'resmi'} (tahun harga {c.tahun_harga}): {c.sumber}. Biaya tidak disesuaikan dengan inflasi antartahun.",
        (
            "Memorandum program: isian Pokja yang diimpor ke proyek (kumuhgis memorandum-import)."
            if annex.memorandum_asal == "proyek"
            else f"Memorandum program: DRAF otomatis — kawasan diurutkan menurut peringkat prioritas dan dibagi rata ke {p.memorandum['jumlah_tahun']} tahun mulai {annex.memorandum_tahun[0]}; sumber dana usulan per aspek. Pokja menyunting berkas memorandum_program.xlsx lalu mengimpornya kembali."
        ),
        *annex.notes,
    ]


def _memo_columns() -> dict[str, Any]:
    from kumuhgis.outputs.workbook import FORMAT_INTEGER, Column

    out: dict[str, Any] = {}
    for name, (kind, _req, label, unit, _a) in MEMORANDUM_COLUMNS.items():
        fmt = FORMAT_INTEGER if kind == "rupiah" else None
        out[name] = Column(label, unit, number_format=fmt)
    return out


def memorandum_sheets(annex: Annex) -> list:
    """The sheets of the editable memorandum file: the program (nothing under the table,
    so it imports back as it is), instructions and the valid codes."""
    from kumuhgis.core.vocabulary import SUMBER_DANA
    from kumuhgis.outputs.workbook import Sheet

    memo = annex.memorandum
    title = [
        f"Memorandum program {annex.memorandum_tahun[0]}–{annex.memorandum_tahun[-1]} — {annex.kota}",
        (
            "Isian Pokja dari proyek"
            if annex.memorandum_asal == "proyek"
            else "DRAF otomatis dari kumuhgis"
        )
        + f"; biaya {'indikatif' if annex.costs.indicative else ''} harga {annex.costs.tahun_harga}. Sunting isi sel, tambah atau hapus baris; jangan ubah judul kolom.",
    ]
    kaw = annex.profil[["kode_kawasan", "nama_kawasan", "prioritas", "pola_penanganan"]]
    codes = annex.rules.describe()
    return [
        Sheet("Memorandum program", memo, columns=_memo_columns(), title=title, freeze_columns=2),
        Sheet(
            "Petunjuk",
            None,
            notes=[
                "Cara menyunting memorandum program / how to edit",
                "1. Ubah isi lembar 'Memorandum program': satu baris = satu kegiatan di satu kawasan, satu kriteria, satu tahun, satu sumber dana.",
                "2. Kolom wajib: Kode kawasan, Uraian kegiatan, Volume, Biaya (Rp), Tahun, Sumber dana. Kriteria boleh kosong untuk kegiatan non-fisik.",
                "3. Angka boleh ditulis gaya Indonesia (1.234,5; Rp 350.000.000) atau Inggris (1,234.5).",
                "4. Sumber dana: "
                + ", ".join(SUMBER_DANA)
                + " (ejaan umum seperti 'APBD II', 'BPM', 'CSR' dikenali).",
                "5. Jangan ubah judul kolom; kolom tambahan boleh, disimpan sebagai teks.",
                "6. Impor kembali: kumuhgis memorandum-import PROYEK.gpkg memorandum_program.xlsx — bila ada kesalahan, semuanya dilaporkan dengan baris dan kolom, dan proyek tidak diubah.",
            ],
        ),
        Sheet(
            "Daftar kawasan",
            kaw,
            columns=column_labels(annex.rules),
            title=["Kode kawasan yang berlaku"],
        ),
        Sheet(
            "Daftar kriteria",
            codes,
            columns={
                "kode": "Kode",
                "aspek": "Aspek",
                "kriteria": "Kriteria",
                "satuan": "Satuan volume",
                "kolom_volume": "Kolom volume",
                "penyebut": "Penyebut",
            },
            title=[f"Kriteria {annex.rules.title_id}"],
        ),
    ]


def annex_sheets(annex: Annex) -> list:
    """Every table of the annex as workbook sheets (:mod:`kumuhgis.outputs.workbook`)."""
    from kumuhgis.outputs.workbook import Sheet

    r = annex.rules
    labels = column_labels(r)
    p = annex.profil
    where = f" — {annex.kota}" if annex.kota else ""
    head = f"tahun kondisi {annex.tahun}" + (
        f"; SK {annex.sk_info['no_sk']} ({annex.sk_info['tanggal_sk']})" if annex.sk_info else ""
    )
    prof_cols = [
        c
        for c in (
            "kode_kawasan",
            "nama_kawasan",
            "kelurahan",
            "kecamatan",
            "no_sk",
            "luas_sk_ha",
            "luas_delineasi_ha",
            "luas_terverifikasi_ha",
            "jumlah_rt",
            "luas_ha",
            "luas_kumuh_ha",
            *[f"jumlah_rt_{lv.code.lower()}" for lv in r.levels],
            "jumlah_bangunan",
            "jumlah_penduduk",
            "jumlah_kk",
            "kepadatan_jiwa_ha",
            *r.aspect_columns,
            SECTORAL_COLUMN,
            TOTAL_COLUMN,
            LEVEL_COLUMN,
            "tipologi",
            "data_kurang",
        )
        if c in p.columns
    ]
    crit_cols = [
        "kode_kawasan",
        "nama_kawasan",
        *[c for c in r.denominator_columns if c in p.columns],
        *r.volume_columns,
        *[c.p_column for c in r.criteria],
        *[c.n_column for c in r.criteria],
        TOTAL_COLUMN,
        LEVEL_COLUMN,
    ]
    pert_cols = [
        "kode_kawasan",
        "nama_kawasan",
        "nilai_strategis",
        "skor_strategis",
        "kepadatan_jiwa_ha",
        "kelas_kepadatan",
        "skor_kepadatan",
        "sosial_ekonomi",
        "skor_sosial_ekonomi",
        "skor_pertimbangan",
        "pertimbangan",
        "legalitas",
        "luas_ilegal_ha",
        "tipologi",
        "tipologi_rinci",
        "data_kurang",
    ]
    rank_cols = [
        "peringkat",
        "kode_kawasan",
        "nama_kawasan",
        "kelurahan",
        "luas_ha",
        "luas_kumuh_ha",
        TOTAL_COLUMN,
        LEVEL_COLUMN,
        "skor_pertimbangan",
        "pertimbangan",
        "prioritas",
        "legalitas",
        "pola_penanganan",
        "data_kurang",
    ]
    pola_cols = [
        "kode_kawasan",
        "nama_kawasan",
        LEVEL_COLUMN,
        "legalitas",
        "luas_ilegal_ha",
        "tipologi",
        "pola_penanganan",
        "data_kurang",
    ]
    mat = priority_matrix_counts(p, plan=annex.plan, rules=r)
    mat_labels: dict[str, Any] = {"pertimbangan": "Pertimbangan lain"}
    for code in annex.plan.kumuh_codes:
        lab = r.level(code).label_id
        mat_labels[f"prioritas_{code.lower()}"] = f"Prioritas ({lab})"
        mat_labels[f"kawasan_{code.lower()}"] = f"Kawasan ({lab})"
        mat_labels[f"luas_{code.lower()}_ha"] = (f"Luas ({lab})", "ha")
    sheets = [
        Sheet("Profil kawasan", p[prof_cols], columns=labels, title=[f"Profil kawasan kumuh{where}", head], freeze_columns=2,
              totals={c: float(p[c].sum()) for c in ("luas_sk_ha", "luas_delineasi_ha", "luas_terverifikasi_ha", "luas_ha", "luas_kumuh_ha") if c in p.columns}),
        Sheet("Nilai per kriteria", p[crit_cols], columns=labels, title=[f"Volume, persen dan nilai per kriteria per kawasan{where}", head + f"; {r.title_id}"], freeze_columns=2),
        Sheet("Pertimbangan & legalitas", p[pert_cols], columns=labels, title=[f"Pertimbangan lain, legalitas lahan dan tipologi{where}", head], freeze_columns=2),
        Sheet("Prioritas", annex.ranking[rank_cols], columns=labels, title=[f"Peringkat prioritas penanganan{where}", head], freeze_columns=3),
        Sheet("Matriks prioritas", mat, columns=mat_labels, title=["Matriks prioritas: pertimbangan lain × tingkat kekumuhan (Permen PUPR 14/PRT/M/2018)"]),
        Sheet("Pola penanganan", p[pola_cols], columns=labels, title=[f"Pola penanganan per kawasan{where}", head], freeze_columns=2),
        Sheet("Rekap pola", pattern_summary(p), columns=labels, title=["Jumlah kawasan dan luas per pola penanganan"]),
        Sheet("Kebutuhan & biaya", annex.kebutuhan, columns=labels, title=[f"Kebutuhan penanganan dan biaya indikatif per kawasan dan kriteria{where}", f"Sisa volume tahun {annex.tahun} × harga satuan ({annex.costs.status}, harga {annex.costs.tahun_harga})"], totals=["biaya_rp"], freeze_columns=2),
        Sheet("Biaya per kawasan", annex.biaya_kawasan, columns=labels, title=[f"Biaya indikatif per kawasan dan aspek{where}"], totals=True, freeze_columns=2),
        Sheet("Biaya satuan", annex.costs.table, columns=labels, title=[f"Harga satuan per kriteria — {annex.costs.status.upper()}, tahun harga {annex.costs.tahun_harga}", f"Sumber: {annex.costs.sumber}"]),
        memorandum_sheets(annex)[0],
    ]  # fmt: skip
    if len(annex.sk):
        sk_cols = [
            c
            for c in (
                "no_sk",
                "kode_kawasan",
                "nama_lokasi",
                "kelurahan",
                "luas_sk_ha",
                "luas_delineasi_ha",
                "luas_rt_ha",
                "jumlah_rt",
                "jumlah_rt_tidak_kumuh",
                "luas_terverifikasi_ha",
                "temuan",
                "rekomendasi",
            )
            if c in annex.sk.columns
        ]
        info = annex.sk_info
        line = f"SK {info.get('no_sk', '')} tanggal {info.get('tanggal_sk', '')}"
        if info.get("rekomendasi"):
            line += f"; rekomendasi: {info['rekomendasi']} ({info.get('alasan', '')}); luas terverifikasi {_fmt(info.get('luas_terverifikasi_ha'), 2)} ha"
        sheets.append(
            Sheet(
                "SK terverifikasi",
                annex.sk[sk_cols],
                columns=labels,
                title=[
                    "Tabel SK Kumuh terverifikasi (luas SK, delineasi, Σ RT; tingkat RT; batas dan nama wilayah)",
                    line,
                ],
            )
        )
    kurang = p.loc[
        p["data_kurang"].fillna("") != "", ["kode_kawasan", "nama_kawasan", "data_kurang"]
    ]
    sheets.append(
        Sheet(
            "Data kurang",
            kurang,
            columns=labels,
            title=["Data yang kurang per kawasan (tidak diisi dengan nilai bawaan)"],
            notes=[] if len(kurang) else ["Tidak ada data yang kurang."],
        )
    )
    sheets.append(
        Sheet(
            "Keterangan", None, notes=[f"Lampiran RP2KPKP{where}, {head}", "", *method_lines(annex)]
        )
    )
    return sheets


def write_annex_workbook(annex: Annex, path: str | os.PathLike) -> Path:
    """Write every annex table to one office XLSX (:func:`annex_sheets`)."""
    from kumuhgis.outputs.workbook import write_workbook

    return write_workbook(
        path,
        annex_sheets(annex),
        properties={"title": f"Lampiran RP2KPKP {annex.kota} {annex.tahun}"},
    )


def write_memorandum_workbook(annex: Annex, path: str | os.PathLike) -> Path:
    """Write the editable memorandum program (:func:`memorandum_sheets`)."""
    from kumuhgis.outputs.workbook import write_workbook

    return write_workbook(
        path, memorandum_sheets(annex), properties={"title": f"Memorandum program {annex.kota}"}
    )
