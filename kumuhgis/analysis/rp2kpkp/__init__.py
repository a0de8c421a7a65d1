"""The RP2KPKP annex: kawasan profile, priority, handling pattern, needs and memorandum
program (domain.md §8), from a city snapshot.

Every function here is pure: it takes a :class:`kumuhgis.core.snapshot.CitySnapshot` or
frames and returns frames or dataclasses. :func:`build_annex` is the entry point; the
modules, one noun each:

========================  ==============================================================
``rules``                 the §8 rules and unit costs as data, with the project's settings
``legality``              RT words → flags (legality, ya/tidak) and RT → kawasan aggregation
``priority``              pertimbangan lain, priority 1–9, handling pattern, ranking
``profile``               the kawasan profile (sums of RT figures, scored as one unit)
``needs``                 remaining volume × unit cost per kawasan and criterion
``memorandum``            the draft memorandum program, the stored one, the per-year view
``annex``                 :class:`Annex`, :func:`build_annex` and the method notes
========================  ==============================================================

Reading an edited memorandum file is :mod:`kumuhgis.ingest.memorandum`; the table's
columns are :mod:`kumuhgis.core.memorandum`; the workbooks, maps and PDF are
:mod:`kumuhgis.outputs.annex_workbook`, :mod:`kumuhgis.outputs.annex_maps`,
:mod:`kumuhgis.outputs.report` and, all of them in one folder, :mod:`kumuhgis.outputs.annex`.
"""

from kumuhgis.analysis.rp2kpkp.annex import Annex, build_annex, method_lines
from kumuhgis.analysis.rp2kpkp.legality import aggregate_flag, land_legality
from kumuhgis.analysis.rp2kpkp.memorandum import (
    draft_memorandum,
    memorandum_pivot,
    stored_memorandum,
)
from kumuhgis.analysis.rp2kpkp.needs import cost_by_kawasan, needs
from kumuhgis.analysis.rp2kpkp.priority import (
    density_class,
    pattern_of,
    pattern_summary,
    pertimbangan_category,
    pertimbangan_lain,
    priority_matrix_counts,
    priority_of,
    priority_ranking,
)
from kumuhgis.analysis.rp2kpkp.profile import kawasan_profile
from kumuhgis.analysis.rp2kpkp.rules import (
    AGGREGATION_METHODS,
    COST_SETTINGS_KEY,
    SETTINGS_KEY,
    PlanRules,
    UnitCosts,
    load_plan_rules,
    load_unit_costs,
)

__all__ = [
    "SETTINGS_KEY",
    "COST_SETTINGS_KEY",
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
    "stored_memorandum",
    "memorandum_pivot",
    "build_annex",
    "method_lines",
]
