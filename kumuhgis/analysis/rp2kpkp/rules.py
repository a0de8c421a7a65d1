"""The rules of domain.md §8 as data: the priority matrix, the handling patterns, the
pertimbangan-lain bands, the RT → kawasan aggregation methods, the memorandum settings
(``kumuhgis/core/data/rp2kpkp.yaml``) and the unit costs (``biaya_satuan.yaml``: per
criterion for on-site work, per activity for renewal, relocation and prevention), each
with the project's settings merged over the shipped file; the yearly budget ceilings
(``pagu_tahunan``, :func:`kumuhgis.core.memorandum.load_ceilings`).
"""

from __future__ import annotations

import copy
import functools
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from kumuhgis.core.errors import UsageError
from kumuhgis.core.memorandum import POLA, load_ceilings
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.vocabulary import normalize_sumber_dana

__all__ = [
    "SETTINGS_KEY",
    "COST_SETTINGS_KEY",
    "AGGREGATION_METHODS",
    "PERTIMBANGAN_CATEGORIES",
    "DENSITY_CLASSES",
    "LEGALITY_VALUES",
    "POLA_ACTIVITIES",
    "HOUSING_CHOICES",
    "PlanRules",
    "UnitCosts",
    "load_plan_rules",
    "load_unit_costs",
]

#: Project settings key overriding ``kumuhgis/core/data/rp2kpkp.yaml``.
SETTINGS_KEY = "rp2kpkp"
#: Project settings key overriding ``kumuhgis/core/data/biaya_satuan.yaml``.
COST_SETTINGS_KEY = "biaya_satuan"
#: RT → kawasan methods (:func:`kumuhgis.analysis.rp2kpkp.legality.aggregate_flag`).
AGGREGATION_METHODS = ("salah_satu", "semua", "mayoritas_luas")
#: Pertimbangan-lain categories, highest first (the rows of the priority matrix).
PERTIMBANGAN_CATEGORIES = ("tinggi", "sedang", "rendah")
#: Density classes, lowest first.
DENSITY_CLASSES = ("rendah", "sedang", "tinggi")
#: Land legality values (the rows of the handling-pattern matrix).
LEGALITY_VALUES = ("legal", "ilegal")
#: The activities of a pattern costed per unit (domain.md §8), in program order:
#: key → (pattern, unit of volume). Renewal per hectare of the peremajaan RTs;
#: relocation per KK of the permukiman-kembali RTs (the housing is a house or a rusunawa
#: unit, ``memorandum.hunian_permukiman_kembali``); prevention per kelurahan per year.
POLA_ACTIVITIES: dict[str, tuple[str, str]] = {
    "penataan_kawasan": ("peremajaan", "ha"),
    "lahan": ("permukiman kembali", "KK"),
    "hunian_rumah": ("permukiman kembali", "KK"),
    "hunian_rusunawa": ("permukiman kembali", "KK"),
    "prasarana": ("permukiman kembali", "KK"),
    "pengawasan_pengendalian": ("pencegahan", "kelurahan"),
    "pemberdayaan_masyarakat": ("pencegahan", "kelurahan"),
}
#: Housing of resettled households: ``memorandum.hunian_permukiman_kembali``.
HOUSING_CHOICES = ("rumah", "rusunawa")
# funding-source keys of memorandum.sumber_dana_awal besides the aspects
_ACTIVITY_SOURCE_KEYS = ("penataan_kawasan", "lahan", "hunian", "prasarana",
                         "pengawasan_pengendalian", "pemberdayaan_masyarakat")  # fmt: skip


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
    pagu: dict[str, float] = field(default_factory=dict)  # funding source → yearly ceiling

    def source_of(self, key: str) -> str:
        """The funding source proposed for an aspect key or a pattern activity
        (:data:`POLA_ACTIVITIES`; both housing kinds share ``hunian``)."""
        sumber = self.memorandum["sumber_dana_awal"]
        return sumber["hunian" if key.startswith("hunian_") else key]

    @property
    def housing_activity(self) -> str:
        """The housing activity of relocation: ``hunian_rumah`` or ``hunian_rusunawa``."""
        return f"hunian_{self.memorandum['hunian_permukiman_kembali']}"


def _yes_no_scores(pl: dict, name: str) -> dict[str, int]:
    key = f"{SETTINGS_KEY}.pertimbangan_lain.{name}"
    spec = pl.get(name) or {}
    if set(spec) != {"ya", "tidak"}:
        raise _bad(key, "perlu tepat kunci ya dan tidak", "needs exactly the keys ya and tidak")
    return {w: _int_value(spec[w], f"{key}.{w}") for w in ("ya", "tidak")}


def _density(pl: dict) -> tuple[tuple[float, float], dict[str, int]]:
    """The density bands (people/ha) and the score of each density class."""
    dens = pl.get("kepadatan") or {}
    batas = dens.get("batas_jiwa_per_ha")
    key = f"{SETTINGS_KEY}.pertimbangan_lain.kepadatan.batas_jiwa_per_ha"
    try:
        lo, hi = (float(x) for x in batas)
    except (TypeError, ValueError):
        raise _bad(
            key, f"{batas!r} harus dua angka [rendah, sedang]", f"{batas!r} must be two numbers"
        ) from None
    if not (0 <= lo < hi) or not (math.isfinite(lo) and math.isfinite(hi)):
        raise _bad(key, f"{batas!r} harus naik dan ≥ 0", f"{batas!r} must rise and be ≥ 0")
    nilai = dens.get("nilai") or {}
    key = f"{SETTINGS_KEY}.pertimbangan_lain.kepadatan.nilai"
    if set(nilai) != set(DENSITY_CLASSES):
        raise _bad(key, "perlu kunci rendah, sedang, tinggi", "needs keys rendah, sedang, tinggi")
    return (lo, hi), {c: _int_value(nilai[c], f"{key}.{c}") for c in DENSITY_CLASSES}


def _categories(pl: dict) -> dict[str, int]:
    """The minimum pertimbangan-lain sum of each category, rising from rendah to tinggi."""
    kat = pl.get("kategori_min") or {}
    key = f"{SETTINGS_KEY}.pertimbangan_lain.kategori_min"
    if set(kat) != set(PERTIMBANGAN_CATEGORIES):
        raise _bad(key, "perlu kunci tinggi, sedang, rendah", "needs keys tinggi, sedang, rendah")
    kategori = {c: _int_value(kat[c], f"{key}.{c}") for c in PERTIMBANGAN_CATEGORIES}
    if not kategori["tinggi"] > kategori["sedang"] > kategori["rendah"]:
        raise _bad(key, "harus tinggi > sedang > rendah", "must be tinggi > sedang > rendah")
    return kategori


def _priority_matrix(
    doc: dict, kumuh: tuple[str, ...], rules: RuleSet
) -> dict[str, dict[str, int]]:
    """One row per pertimbangan category, one column per kumuh level, distinct numbers."""
    k = SETTINGS_KEY
    prio_doc = doc.get("prioritas") or {}
    if set(prio_doc) != set(PERTIMBANGAN_CATEGORIES):
        raise _bad(
            f"{k}.prioritas",
            "perlu baris tinggi, sedang, rendah",
            "needs rows tinggi, sedang, rendah",
        )
    prioritas: dict[str, dict[str, int]] = {}
    for row in PERTIMBANGAN_CATEGORIES:
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
    return prioritas


def _patterns(doc: dict, codes: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """A handling pattern for every level (TK included) and legality."""
    k = SETTINGS_KEY
    pola_doc = doc.get("pola_penanganan") or {}
    if set(pola_doc) != set(LEGALITY_VALUES):
        raise _bad(
            f"{k}.pola_penanganan", "perlu baris legal dan ilegal", "needs rows legal and ilegal"
        )
    pola: dict[str, dict[str, str]] = {}
    for row in LEGALITY_VALUES:
        cells = pola_doc[row] or {}
        missing = [c for c in codes if not str(cells.get(c) or "").strip()]
        if missing:
            raise _bad(
                f"{k}.pola_penanganan.{row}",
                f"tidak ada pola untuk {', '.join(missing)}",
                f"no pattern for {', '.join(missing)}",
            )
        pola[row] = {c: " ".join(str(cells[c]).split()).lower() for c in codes}
        unknown = sorted({v for v in pola[row].values() if v not in POLA})
        if unknown:
            raise _bad(
                f"{k}.pola_penanganan.{row}",
                f"pola {', '.join(unknown)} tidak dikenal; pakai {', '.join(POLA)}",
                f"unknown pattern {', '.join(unknown)}; use {', '.join(POLA)}",
            )
    return pola


def _aggregation(doc: dict) -> dict[str, str]:
    if "legalitas" in (doc.get("agregasi") or {}):
        raise _bad(
            f"{SETTINGS_KEY}.agregasi.legalitas",
            "legalitas dan pola penanganan kini ditentukan per RT (domain.md §8); hapus kunci ini",
            "legality and the handling pattern are now decided per RT (domain.md §8); remove this key",
        )
    agregasi = {}
    for name in ("nilai_strategis", "sosial_ekonomi"):
        method = str((doc.get("agregasi") or {}).get(name, ""))
        if method not in AGGREGATION_METHODS:
            raise _bad(
                f"{SETTINGS_KEY}.agregasi.{name}",
                f"{method!r} bukan salah satu dari {', '.join(AGGREGATION_METHODS)}",
                f"{method!r} is not one of {', '.join(AGGREGATION_METHODS)}",
            )
        agregasi[name] = method
    return agregasi


def _memorandum_settings(doc: dict, rules: RuleSet) -> dict:
    """Number of years, first year, the housing of relocation and the funding source
    proposed per aspect and per pattern activity."""
    k = f"{SETTINGS_KEY}.memorandum"
    memo = dict(doc.get("memorandum") or {})
    memo["jumlah_tahun"] = _int_value(memo.get("jumlah_tahun", 5), f"{k}.jumlah_tahun", minimum=1)
    if memo.get("tahun_mulai") is not None:
        memo["tahun_mulai"] = _int_value(memo["tahun_mulai"], f"{k}.tahun_mulai", minimum=1990)
    housing = str(memo.get("hunian_permukiman_kembali", "")).strip().lower()
    if housing not in HOUSING_CHOICES:
        raise _bad(
            f"{k}.hunian_permukiman_kembali",
            f"{housing!r} bukan salah satu dari {', '.join(HOUSING_CHOICES)}",
            f"{housing!r} is not one of {', '.join(HOUSING_CHOICES)}",
        )
    memo["hunian_permukiman_kembali"] = housing
    first = memo.get("pencegahan_dulu", True)
    if not isinstance(first, bool):
        raise _bad(f"{k}.pencegahan_dulu", f"{first!r} harus true atau false", f"{first!r} must be true or false")  # fmt: skip
    memo["pencegahan_dulu"] = first
    sumber = dict(memo.get("sumber_dana_awal") or {})
    for key in (*(a.key for a in rules.aspects), *_ACTIVITY_SOURCE_KEYS):
        raw = sumber.get(key)
        canon, _ = normalize_sumber_dana(raw)
        if canon is None:
            raise _bad(
                f"{k}.sumber_dana_awal.{key}",
                f"sumber dana {raw!r} tidak ada di daftar sumber dana",
                f"unknown funding source {raw!r}",
            )
        sumber[key] = canon
    memo["sumber_dana_awal"] = sumber
    return memo


def _merged(settings: dict, key: str, shipped: str, *, known_keys: bool) -> dict:
    """The shipped YAML with the project's settings under ``key`` merged over it."""
    doc = _shipped(shipped)
    override = settings.get(key) or {}
    if not isinstance(override, dict):
        raise _bad(key, "harus berupa mapping", "must be a mapping")
    if known_keys:
        for name in override:
            if name not in doc:
                raise _bad(
                    f"{key}.{name}",
                    f"kunci tidak dikenal; yang ada: {', '.join(doc)}",
                    f"unknown key; known: {', '.join(doc)}",
                )
    return _deep_merge(doc, override)


def load_plan_rules(
    settings: dict | None = None, *, rules: RuleSet | str | None = None
) -> PlanRules:
    """The §8 rules of a project: ``kumuhgis/core/data/rp2kpkp.yaml`` with the project's
    ``rp2kpkp`` settings merged over it (mappings key by key, other values replaced).

    Checks that the priority matrix has a cell for every pertimbangan category and every
    kumuh level of the rule set, that its numbers are distinct, that the handling pattern
    names a pattern of :data:`kumuhgis.core.memorandum.POLA` for every level (TK included)
    and legality, that the bands rise, and that the aggregation methods, the housing of
    relocation and the funding sources are known. ``pagu`` holds the yearly ceilings of
    the top-level setting ``pagu_tahunan`` (:func:`kumuhgis.core.memorandum.load_ceilings`).

    Raises
    ------
    UsageError
        An unknown key or an invalid value, naming the key.
    """
    settings = settings or {}
    rules = load_rules(rules, settings=settings)
    doc = _merged(settings, SETTINGS_KEY, "rp2kpkp.yaml", known_keys=True)
    pl = doc.get("pertimbangan_lain") or {}
    strategis, sosek = _yes_no_scores(pl, "nilai_strategis"), _yes_no_scores(pl, "sosial_ekonomi")
    batas, kep_nilai = _density(pl)
    kategori = _categories(pl)
    kumuh = tuple(lv.code for lv in rules.levels if lv.kumuh)
    codes = rules.level_codes
    return PlanRules(
        strategis=strategis,
        sosial_ekonomi=sosek,
        kepadatan_batas=batas,
        kepadatan_nilai=kep_nilai,
        kategori_min=kategori,
        prioritas=_priority_matrix(doc, kumuh, rules),
        pola=_patterns(doc, codes),
        pencegahan=tuple(str(x) for x in doc.get("pencegahan_kegiatan") or ()),
        tipologi=tuple(str(x).strip().lower() for x in doc.get("tipologi") or ()),
        agregasi=_aggregation(doc),
        memorandum=_memorandum_settings(doc, rules),
        level_codes=codes,
        kumuh_codes=kumuh,
        source_id=" ".join(str(doc.get("source_id", "")).split()),
        source_en=" ".join(str(doc.get("source_en", "")).split()),
        document=doc,
        pagu=load_ceilings(settings),
    )


@dataclass(frozen=True, eq=False)
class UnitCosts:
    """Unit costs of one rule set's criteria (:func:`load_unit_costs`).

    ``table``: one row per criterion — ``kode``, ``satuan``, ``harga_rp`` (NaN when the
    project left it empty), ``uraian`` (the activity that closes the gap). ``pola_table``:
    one row per pattern activity (:data:`POLA_ACTIVITIES`) — ``pola``, ``kode``,
    ``satuan``, ``harga_rp``, ``uraian``.
    """

    table: pd.DataFrame
    tahun_harga: int
    status: str
    sumber: str
    sumber_en: str = ""
    pola_table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def indicative(self) -> bool:
        return self.status.strip().lower() != "resmi"

    def price(self, code: str) -> float:
        """Unit cost of a criterion code or a pattern activity (NaN when unknown)."""
        for t in (self.table, self.pola_table):
            row = t[t["kode"] == code] if len(t) else t
            if len(row):
                return float(row["harga_rp"].iloc[0])
        return float("nan")

    def activity(self, code: str) -> tuple[str, float]:
        """(description, unit cost) of a pattern activity."""
        row = self.pola_table[self.pola_table["kode"] == code].iloc[0]
        return str(row["uraian"]), float(row["harga_rp"])


def _price(spec: dict, key: str) -> float:
    price = spec.get("harga_rp")
    if price is None:
        return float("nan")
    try:
        value = float(price)
    except (TypeError, ValueError):
        value = float("nan")
    if not math.isfinite(value) or value < 0:
        raise _bad(
            f"{key}.harga_rp", f"{price!r} harus angka ≥ 0", f"{price!r} must be a number ≥ 0"
        )
    return value


def _activity_costs(doc: dict) -> pd.DataFrame:
    """The unit cost of every pattern activity (:data:`POLA_ACTIVITIES`)."""
    spec_doc = doc.get("pola") or {}
    rows = []
    for code, (pola, unit) in POLA_ACTIVITIES.items():
        key = f"{COST_SETTINGS_KEY}.pola.{code}"
        spec = spec_doc.get(code)
        if not isinstance(spec, dict):
            raise _bad(
                key, "tidak ada harga satuan untuk kegiatan ini", "no unit cost for this activity"
            )
        if str(spec.get("satuan", unit)) != unit:
            raise _bad(key, f"satuan harus '{unit}'", f"the unit must be '{unit}'")
        uraian = " ".join(str(spec.get("uraian") or code.replace("_", " ")).split())
        rows.append({"pola": pola, "kode": code, "satuan": unit, "harga_rp": _price(spec, key), "uraian": uraian})  # fmt: skip
    return pd.DataFrame(rows).astype(
        {"pola": "str", "kode": "str", "satuan": "str", "harga_rp": "float64", "uraian": "str"}
    )


def load_unit_costs(
    settings: dict | None = None, *, rules: RuleSet | str | None = None
) -> UnitCosts:
    """The unit-cost table of a project (domain.md §8, **configurable**):
    ``kumuhgis/core/data/biaya_satuan.yaml`` (indicative, price year 2024) with the project's
    ``biaya_satuan`` settings merged over it: one price per criterion (on-site work) and
    one per pattern activity (renewal per ha, relocation per KK, prevention per kelurahan
    per year).

    Raises
    ------
    UsageError
        A criterion of the rule set or a pattern activity without a cost entry, a unit
        that is not the criterion's volume unit (or the activity's unit), or a price that
        is not a number ≥ 0.
    """
    settings = settings or {}
    rules = load_rules(rules, settings=settings)
    doc = _merged(settings, COST_SETTINGS_KEY, "biaya_satuan.yaml", known_keys=False)
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
        value = _price(spec, key)
        uraian = str(spec.get("uraian") or c.label_id)
        rows.append({"kode": c.code, "satuan": c.unit, "harga_rp": value, "uraian": uraian})
    year = doc.get("tahun_harga")
    return UnitCosts(
        table=pd.DataFrame(rows).astype(
            {"kode": "str", "satuan": "str", "harga_rp": "float64", "uraian": "str"}
        ),
        pola_table=_activity_costs(doc),
        tahun_harga=_int_value(year, f"{COST_SETTINGS_KEY}.tahun_harga", minimum=1990),
        status=str(doc.get("status", "indikatif")),
        sumber=" ".join(str(doc.get("sumber", "")).split()),
        sumber_en=" ".join(str(doc.get("sumber_en", "")).split()),
    )
