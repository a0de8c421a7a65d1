"""Units and volumes of a work (domain.md §3, §5): the unit a ``satuan`` spelling stands
for, and a stored kolaborasi's volume per criterion."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kumuhgis.core.numeric import is_missing
from kumuhgis.core.vocabulary import work_kriteria

__all__ = ["normalize_unit", "work_volumes"]


def _unit_key(text: Any) -> str:
    return " ".join(str(text).replace("’", "'").casefold().split())


def normalize_unit(text: Any, spellings: Iterable[tuple[str, Iterable[str]]]) -> str | None:
    """The volume unit a ``satuan`` spelling stands for (domain.md §3), or ``None``.

    ``spellings`` is a rule set's ``unit_spellings`` (:attr:`kumuhgis.core.rules.RuleSet.
    unit_spellings`): ``m`` ← m, m', meter; ``ha`` ← ha, hektar; ``unit`` ← unit, buah,
    bh; ``KK`` ← KK, rumah tangga, SR. Case and spaces do not matter.

    >>> normalize_unit(" Meter ", [("m", ["m", "meter"])])
    'm'
    """
    key = _unit_key(text)
    for unit, names in spellings:
        if key in {_unit_key(n) for n in names}:
            return unit
    return None


def work_volumes(kriteria: Any, volume: Any, volume_kriteria: Any, rules) -> dict[str, float]:
    """A stored kolaborasi's volume per criterion code (domain.md §5).

    ``volume_kriteria`` (``"35;0"``, aligned with ``kriteria``) when given; otherwise the
    single ``volume`` counts for every criterion named (an IPAL for 30 KK closes 5a and 5b
    for those 30 KK), except inside a group splitting one ideal length (``rules.
    volume_groups``: 2a/2b, 4b/4c), where it goes to the first criterion of the group
    named, as ``kumuhgis import --lenient`` stores it. Codes outside ``rules`` are left
    out; a missing volume is 0.
    """
    codes = work_kriteria(kriteria)
    listed = [] if is_missing(volume_kriteria) else str(volume_kriteria).split(";")
    if listed and len(listed) == len(codes):
        values = [0.0 if is_missing(v) or not str(v).strip() else float(v) for v in listed]
    else:
        single = 0.0 if is_missing(volume) else float(volume)
        values, taken = [], set()
        for c in codes:
            group = rules.volume_group(c)
            first = group is None or not (set(group) & taken)
            values.append(single if first else 0.0)
            taken.add(c)
    known = set(rules.codes)
    out: dict[str, float] = {}
    for c, v in zip(codes, values, strict=True):
        if c in known:
            out[c] = v
    return out
