"""Slum rule sets as data: criteria, aspects, denominators, score bands and levels.

A rule set is a small YAML document shipped in ``kumuhgis/core/data/`` (domain.md §3–§4):

* ``permen-14-2018`` — Permen PUPR 14/PRT/M/2018, 16 criteria (the default);
* ``permen-02-2016`` — Permen PUPR 02/PRT/M/2016, 19 criteria.

Nothing in the scoring code branches on a rule set's name; everything it needs is read
from here. A project overrides any part of a rule set in its settings
(:meth:`kumuhgis.store.Store.settings`), e.g. the 2b denominator that domain.md §3 marks
**configurable** (existing instead of ideal road length) or the 02/2016 level bands::

    aturan_penilaian: permen-14-2018          # the project's default rule set
    aturan_override:
      permen-14-2018:
        criteria:
          2b: {denominator: panjang_jalan_eksisting_m}
      permen-02-2016:
        levels:
          KB: {min_total: 70}
          KS: {min_total: 44}

Mappings (``aspects``, ``criteria``, ``levels``) merge key by key; lists
(``score_bands``) and plain values are replaced whole. The merged document is validated
again, so a bad override fails with a message naming the key.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from kumuhgis.core.errors import UsageError

__all__ = [
    "DEFAULT_RULES",
    "SETTINGS_RULES_KEY",
    "SETTINGS_OVERRIDE_KEY",
    "Criterion",
    "Aspect",
    "Level",
    "ScoreBand",
    "RuleSet",
    "available_rules",
    "rules_document",
    "rules_from_document",
    "load_rules",
]

#: Rule set used when neither the caller nor the project names one (domain.md §3).
DEFAULT_RULES = "permen-14-2018"
#: Settings key naming a project's default rule set.
SETTINGS_RULES_KEY = "aturan_penilaian"
#: Settings key holding per-rule-set overrides (partial rule-set documents).
SETTINGS_OVERRIDE_KEY = "aturan_override"

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_CODE = re.compile(r"^[1-9][a-z]$")


@dataclass(frozen=True)
class Criterion:
    """One slum criterion: its volume column is divided by its denominator column."""

    code: str
    aspect: str
    label_id: str
    label_en: str
    unit: str
    denominator: str
    volume: str

    @property
    def p_column(self) -> str:
        return f"p_{self.code}"

    @property
    def n_column(self) -> str:
        return f"n_{self.code}"


@dataclass(frozen=True)
class Aspect:
    """One of the seven aspects; ``codes`` are its criteria in rule-set order."""

    key: str
    column: str
    label_id: str
    label_en: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ScoreBand:
    """Rounded percentage ≥ ``min_pct`` (in hundredths of a percent: 7600 = 76.00 %) → ``score``."""

    min_hundredths: int
    score: int

    @property
    def min_pct(self) -> Decimal:
        return Decimal(self.min_hundredths) / 100


@dataclass(frozen=True)
class Level:
    """A slum level (tingkat): total score ≥ ``min_total`` → this level."""

    code: str
    min_total: int
    label_id: str
    label_en: str
    kumuh: bool


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set. Build with :func:`load_rules` or :func:`rules_from_document`."""

    name: str
    title_id: str
    title_en: str
    source: str
    criteria: tuple[Criterion, ...]
    aspects: tuple[Aspect, ...]
    score_bands: tuple[ScoreBand, ...]  # highest first
    levels: tuple[Level, ...]  # highest first
    configurable: tuple[str, ...] = ()
    overrides: dict = field(default_factory=dict, compare=False, hash=False)
    volume_groups: tuple[tuple[str, ...], ...] = ()
    unit_spellings: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def volume_group(self, code: str) -> tuple[str, ...] | None:
        """The group of criteria splitting one ideal length that ``code`` belongs to
        (domain.md §5: 2a/2b, 4b/4c under 14/2018), else ``None``."""
        for group in self.volume_groups:
            if code in group:
                return group
        return None

    def split_conflicts(self, codes) -> list[tuple[str, ...]]:
        """The criteria of ``codes`` that share a volume group, per group with two or more
        of them named: such a work needs one volume per criterion (domain.md §5)."""
        out = []
        for group in self.volume_groups:
            named = tuple(c for c in codes if c in group)
            if len(named) > 1:
                out.append(named)
        return out

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria)

    @property
    def volume_columns(self) -> tuple[str, ...]:
        return tuple(c.volume for c in self.criteria)

    @property
    def denominator_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.denominator for c in self.criteria))

    @property
    def aspect_columns(self) -> tuple[str, ...]:
        return tuple(a.column for a in self.aspects)

    @property
    def max_total(self) -> int:
        return max(b.score for b in self.score_bands) * len(self.criteria)

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)

    @property
    def not_kumuh_codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels if not lv.kumuh)

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise UsageError(
            f"Kriteria '{code}' tidak ada di aturan {self.name} / no criterion '{code}' in {self.name}"
        )

    def aspect(self, key: str) -> Aspect:
        for a in self.aspects:
            if a.key == key:
                return a
        raise UsageError(f"Aspek '{key}' tidak ada di aturan {self.name} / no aspect '{key}'")

    def level(self, code: str) -> Level:
        for lv in self.levels:
            if lv.code == code:
                return lv
        raise UsageError(f"Tingkat '{code}' tidak ada di aturan {self.name} / no level '{code}'")

    def level_for_total(self, total: int) -> Level:
        """The level of a total score: the highest level whose ``min_total`` it reaches (§4.5)."""
        for lv in self.levels:
            if total >= lv.min_total:
                return lv
        return self.levels[-1]  # pragma: no cover - validation guarantees a level at 0

    def score_for_hundredths(self, p_hundredths: int) -> int:
        """Score of a rounded percentage given in hundredths (2632 = 26.32 %), domain.md §4.3."""
        for band in self.score_bands:
            if p_hundredths >= band.min_hundredths:
                return band.score
        return 0  # pragma: no cover - validation guarantees a band at 0

    def scores_for(self, p_hundredths) -> np.ndarray:
        """:meth:`score_for_hundredths` of a whole array of rounded percentages (domain.md §4.3).

        ``int64`` scores; a percentage below 0 takes the lowest band.
        """
        p = np.asarray(p_hundredths, dtype=np.int64)
        mins = np.array([b.min_hundredths for b in reversed(self.score_bands)], dtype=np.int64)
        scores = np.array([b.score for b in reversed(self.score_bands)], dtype=np.int64)
        return scores[np.maximum(np.searchsorted(mins, p, side="right") - 1, 0)]

    def levels_for(self, totals) -> np.ndarray:
        """:meth:`level_for_total` of a whole array of totals: level codes (domain.md §4.5).

        An ``object`` array of codes; a total below 0 takes the lowest level.
        """
        t = np.asarray(totals)
        mins = np.array([lv.min_total for lv in reversed(self.levels)], dtype=np.int64)
        codes = np.array([lv.code for lv in reversed(self.levels)], dtype=object)
        return codes[np.maximum(np.searchsorted(mins, t, side="right") - 1, 0)]

    def level_range(self, code: str) -> tuple[int, int]:
        """Inclusive total-score range of a level, e.g. ``KS`` → ``(38, 59)`` under 14/2018."""
        codes = self.level_codes
        i = codes.index(code)
        upper = self.max_total if i == 0 else self.levels[i - 1].min_total - 1
        return self.levels[i].min_total, upper

    def describe(self, *, lang: str = "id") -> pd.DataFrame:
        """One row per criterion: code, aspect, label, unit, denominator, volume column."""
        aspects = {a.key: a for a in self.aspects}
        rows = []
        for c in self.criteria:
            a = aspects[c.aspect]
            rows.append(
                {
                    "kode": c.code,
                    "aspek": a.label_id if lang == "id" else a.label_en,
                    "kriteria": c.label_id if lang == "id" else c.label_en,
                    "satuan": c.unit,
                    "kolom_volume": c.volume,
                    "penyebut": c.denominator,
                }
            )
        return pd.DataFrame(rows)


# --------------------------------------------------------------------------- loading


@functools.cache
def _shipped() -> dict[str, dict]:
    """name → parsed YAML of every rule set in ``kumuhgis/data`` (files with ``criteria``)."""
    found = {}
    for p in resources.files("kumuhgis.core").joinpath("data").iterdir():
        if not p.name.endswith(".yaml"):
            continue
        doc = yaml.safe_load(p.read_text("utf-8"))
        if isinstance(doc, dict) and "criteria" in doc and "levels" in doc:
            found[str(doc.get("name", p.name[: -len(".yaml")]))] = doc
    return found


def available_rules() -> list[str]:
    """Names of the rule sets shipped with kumuhgis (the default first)."""
    names = sorted(_shipped())
    return sorted(names, key=lambda n: n != DEFAULT_RULES)


def rules_document(name: str) -> dict:
    """The raw YAML document of a shipped rule set (a fresh copy, safe to modify)."""
    shipped = _shipped()
    if name not in shipped:
        raise UsageError(
            f"Aturan '{name}' tidak dikenal; pilih {', '.join(available_rules())} / "
            f"unknown rule set '{name}'; choose {', '.join(available_rules())}"
        )
    return copy.deepcopy(shipped[name])


def _merge(base: Any, override: Any, path: str) -> Any:
    """Deep merge for the rule documents: mappings key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            key = str(key)
            if key in out:
                out[key] = _merge(out[key], value, f"{path}.{key}")
            elif path in ("", ".criteria", ".levels", ".aspects"):
                where = f"{path}.{key}".lstrip(".")
                raise UsageError(
                    f"Override '{where}' tidak cocok dengan aturan; kunci yang ada: "
                    f"{', '.join(map(str, base))} / override '{where}' matches nothing; "
                    f"existing keys: {', '.join(map(str, base))}"
                )
            else:
                out[key] = value
        return out
    return copy.deepcopy(override)


def _bad(what_id: str, what_en: str) -> UsageError:
    return UsageError(f"Aturan penilaian tidak sah: {what_id} / invalid rule set: {what_en}")


def _hundredths(value: Any, where: str) -> int:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise _bad(
            f"{where} = {value!r} bukan angka", f"{where} = {value!r} is not a number"
        ) from None
    h = d * 100
    if h != h.to_integral_value() or d < 0:
        raise _bad(
            f"{where} = {value} harus ≥ 0 dengan paling banyak dua desimal",
            f"{where} = {value} must be ≥ 0 with at most two decimals",
        )
    return int(h)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(
            f"{where} = {value!r} harus bilangan bulat ≥ 0",
            f"{where} = {value!r} must be an integer ≥ 0",
        )
    return value


def _criteria(criteria_doc: dict, aspects_doc: dict) -> list[Criterion]:
    """The ``criteria`` section: a known aspect, a unit and column-like names for each."""
    criteria: list[Criterion] = []
    for code, spec in criteria_doc.items():
        code = str(code)
        where = f"criteria.{code}"
        if not _CODE.match(code):
            raise _bad(
                f"kode kriteria '{code}' tidak sah (contoh: 1a)",
                f"criterion code '{code}' is invalid (e.g. 1a)",
            )
        if not isinstance(spec, dict):
            raise _bad(f"{where} harus berupa mapping", f"{where} must be a mapping")
        aspect = str(spec.get("aspect", ""))
        if aspect not in aspects_doc:
            raise _bad(
                f"{where}.aspect '{aspect}' tidak ada di 'aspects'",
                f"{where}.aspect '{aspect}' is not in 'aspects'",
            )
        denominator = str(spec.get("denominator", ""))
        volume = str(spec.get("volume", f"v_{code}"))
        for col, label in ((denominator, "denominator"), (volume, "volume")):
            if not _IDENT.match(col):
                raise _bad(
                    f"{where}.{label} '{col}' bukan nama kolom",
                    f"{where}.{label} '{col}' is not a column name",
                )
        criteria.append(
            Criterion(
                code=code,
                aspect=aspect,
                label_id=str(spec.get("label_id", code)),
                label_en=str(spec.get("label_en", spec.get("label_id", code))),
                unit=str(spec.get("unit", "")),
                denominator=denominator,
                volume=volume,
            )
        )
    return criteria


def _aspects(aspects_doc: dict, criteria: list[Criterion]) -> list[Aspect]:
    """The ``aspects`` section: each with at least one criterion and a column name."""
    aspects: list[Aspect] = []
    for key, spec in aspects_doc.items():
        key = str(key)
        codes = tuple(c.code for c in criteria if c.aspect == key)
        if not codes:
            raise _bad(f"aspek '{key}' tidak punya kriteria", f"aspect '{key}' has no criterion")
        spec = spec or {}
        column = str(spec.get("column", f"rata_{key}"))
        if not _IDENT.match(column):
            raise _bad(
                f"aspects.{key}.column '{column}' bukan nama kolom",
                f"aspects.{key}.column '{column}' is not a column name",
            )
        aspects.append(
            Aspect(
                key=key,
                column=column,
                label_id=str(spec.get("label_id", key)),
                label_en=str(spec.get("label_en", spec.get("label_id", key))),
                codes=codes,
            )
        )
    return aspects


def _bands_and_levels(doc: dict) -> tuple[list[ScoreBand], list[Level]]:
    """Score bands and levels, highest first, with distinct thresholds starting at 0."""
    bands_doc = doc["score_bands"]
    if not isinstance(bands_doc, list):
        raise _bad("'score_bands' harus berupa daftar", "'score_bands' must be a list")
    bands = [
        ScoreBand(
            _hundredths(b.get("min_pct"), f"score_bands[{i}].min_pct"),
            _int(b.get("score"), f"score_bands[{i}].score"),
        )
        for i, b in enumerate(bands_doc)
    ]
    bands.sort(key=lambda b: -b.min_hundredths)
    levels = []
    for code, spec in doc["levels"].items():
        spec = spec or {}
        levels.append(
            Level(
                code=str(code),
                min_total=_int(spec.get("min_total"), f"levels.{code}.min_total"),
                label_id=str(spec.get("label_id", code)),
                label_en=str(spec.get("label_en", spec.get("label_id", code))),
                kumuh=bool(spec.get("kumuh", True)),
            )
        )
    levels.sort(key=lambda lv: -lv.min_total)
    for what, values in (
        ("score_bands.min_pct", [b.min_hundredths for b in bands]),
        ("levels.min_total", [lv.min_total for lv in levels]),
    ):
        if len(set(values)) != len(values):
            raise _bad(f"{what} ada yang kembar", f"{what} has duplicates")
        if values[-1] != 0:
            raise _bad(f"{what} terendah harus 0", f"the lowest {what} must be 0")
    scores = [b.score for b in bands]
    if scores != sorted(scores, reverse=True):
        raise _bad(
            "nilai band harus naik bersama persentase", "band scores must rise with the percentage"
        )
    return bands, levels


def _volume_groups(groups_doc: Any, criteria: list[Criterion]) -> tuple[tuple[str, ...], ...]:
    """``volume_groups``: lists of two or more known criteria of one unit, each criterion
    in at most one group (domain.md §5)."""
    if not isinstance(groups_doc, list):
        raise _bad("'volume_groups' harus berupa daftar", "'volume_groups' must be a list")
    units = {c.code: c.unit for c in criteria}
    seen: set[str] = set()
    out = []
    for i, group in enumerate(groups_doc):
        codes = tuple(str(c) for c in (group or ()))
        where = f"volume_groups[{i}]"
        unknown = [c for c in codes if c not in units]
        if len(codes) < 2 or unknown or seen & set(codes):
            raise _bad(
                f"{where} harus ≥ 2 kriteria yang ada, masing-masing di satu grup saja",
                f"{where} must list ≥ 2 existing criteria, each in one group only",
            )
        if len({units[c] for c in codes}) != 1:
            raise _bad(f"{where}: satuan kriteria berbeda", f"{where}: the criteria's units differ")
        seen |= set(codes)
        out.append(codes)
    return tuple(out)


def _unit_spellings(doc: Any, criteria: list[Criterion]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``unit_spellings``: unit → accepted spellings; every criterion's unit is listed (it
    always spells itself)."""
    if not isinstance(doc, dict):
        raise _bad("'unit_spellings' harus berupa mapping", "'unit_spellings' must be a mapping")
    out = {str(u): tuple(dict.fromkeys([str(u), *map(str, v or ())])) for u, v in doc.items()}
    for c in criteria:
        out.setdefault(c.unit, (c.unit,))
    return tuple(out.items())


def rules_from_document(doc: dict, *, overrides: dict | None = None) -> RuleSet:
    """Validate a rule-set document (optionally with a partial override merged in).

    Checks: every criterion names a known aspect, a unit and an identifier-like
    denominator column; every aspect has at least one criterion; score bands and levels
    have distinct thresholds and one of each starts at 0, so every percentage has a score
    and every total a level.
    """
    if overrides:
        doc = _merge(doc, overrides, "")
    name = str(doc.get("name", ""))
    for key in ("aspects", "criteria", "score_bands", "levels"):
        if not doc.get(key):
            raise _bad(f"'{key}' kosong atau tidak ada", f"'{key}' is missing or empty")
    criteria = _criteria(doc["criteria"], doc["aspects"])
    aspects = _aspects(doc["aspects"], criteria)
    bands, levels = _bands_and_levels(doc)
    return RuleSet(
        name=name,
        title_id=str(doc.get("title_id", name)),
        title_en=str(doc.get("title_en", doc.get("title_id", name))),
        source=str(doc.get("source", "")),
        criteria=tuple(criteria),
        aspects=tuple(aspects),
        score_bands=tuple(bands),
        levels=tuple(levels),
        configurable=tuple(str(x) for x in doc.get("configurable", ()) or ()),
        overrides=copy.deepcopy(overrides or {}),
        volume_groups=_volume_groups(doc.get("volume_groups") or [], criteria),
        unit_spellings=_unit_spellings(doc.get("unit_spellings") or {}, criteria),
    )


def load_rules(name: str | RuleSet | None = None, *, settings: dict | None = None) -> RuleSet:
    """Load a rule set, with the project's overrides applied (domain.md §3–§4).

    Parameters
    ----------
    name
        ``"permen-14-2018"`` or ``"permen-02-2016"``; ``None`` takes the project's
        ``aturan_penilaian`` setting, else :data:`DEFAULT_RULES`. A :class:`RuleSet` is
        returned unchanged.
    settings
        Project settings (:meth:`kumuhgis.store.Store.settings`); its
        ``aturan_override[name]`` partial document is merged over the shipped one.

    Raises
    ------
    UsageError
        Unknown name, or an override that does not validate.
    """
    if isinstance(name, RuleSet):
        return name
    settings = settings or {}
    name = name or settings.get(SETTINGS_RULES_KEY) or DEFAULT_RULES
    all_overrides = settings.get(SETTINGS_OVERRIDE_KEY) or {}
    if not isinstance(all_overrides, dict):
        raise _bad(
            f"'{SETTINGS_OVERRIDE_KEY}' harus berupa mapping",
            f"'{SETTINGS_OVERRIDE_KEY}' must be a mapping",
        )
    overrides = all_overrides.get(name) or {}
    if not isinstance(overrides, dict):
        raise _bad(
            f"'{SETTINGS_OVERRIDE_KEY}.{name}' harus berupa mapping",
            f"'{SETTINGS_OVERRIDE_KEY}.{name}' must be a mapping",
        )
    if not overrides:
        return _shipped_rules(str(name))
    return rules_from_document(rules_document(str(name)), overrides=overrides)


@functools.cache
def _shipped_rules(name: str) -> RuleSet:
    """A shipped rule set without overrides, built once per process (a RuleSet is frozen;
    a demo city or a national run asks for it hundreds of times)."""
    return rules_from_document(rules_document(name))
