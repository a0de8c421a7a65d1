"""The RP2KPKP annex: kawasan profile, priority, handling pattern, needs and memorandum
program (domain.md §8), from a city snapshot.

Every function here is pure: it takes a :class:`kumuhgis.core.snapshot.CitySnapshot` or
frames and returns frames or dataclasses. :func:`build_annex` is the entry point; the
modules, one noun each:

========================  ==============================================================
``rules``                 the §8 rules, unit costs and ceilings as data, with the settings
``legality``              RT words → legality per RT, ya/tidak flags, RT → kawasan aggregation
``priority``              pertimbangan lain, priority 1–9, the pattern matrix, ranking
``pattern``               legality and handling pattern per RT; a kawasan's mix of patterns
``profile``               the kawasan profile (sums of RT figures, scored as one unit)
``needs``                 the program's lines costed by pattern (on-site, renewal, relocation,
                          prevention)
``phasing``               the lines phased by priority within yearly ceilings per source
``memorandum``            the draft memorandum program, the stored one, the per-year view
``annex``                 :class:`Annex`, :func:`build_annex` and the method notes
========================  ==============================================================

Reading an edited memorandum file is :mod:`kumuhgis.ingest.memorandum`; the table's
columns are :mod:`kumuhgis.core.memorandum`; the workbooks, maps and PDF are
:mod:`kumuhgis.outputs.annex_workbook`, :mod:`kumuhgis.outputs.annex_maps`,
:mod:`kumuhgis.outputs.report` and, all of them in one folder, :mod:`kumuhgis.outputs.annex`.
"""

from kumuhgis.analysis.rp2kpkp.annex import Annex, build_annex, method_lines
from kumuhgis.analysis.rp2kpkp.legality import (
    aggregate_flag,
    kawasan_legality,
    land_legality,
    rt_legality,
)
from kumuhgis.analysis.rp2kpkp.memorandum import (
    draft_memorandum,
    memorandum_pivot,
    stored_memorandum,
)
from kumuhgis.analysis.rp2kpkp.needs import LINE_COLUMNS, cost_by_kawasan, needs
from kumuhgis.analysis.rp2kpkp.pattern import (
    UNDECIDED,
    mix_text,
    pattern_mix,
    pattern_summary,
    rt_patterns,
)
from kumuhgis.analysis.rp2kpkp.phasing import (
    UNFUNDED_COLUMNS,
    Phasing,
    ceiling_text,
    phase_program,
    yearly_totals,
)
from kumuhgis.analysis.rp2kpkp.priority import (
    density_class,
    pattern_of,
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
    HOUSING_CHOICES,
    POLA_ACTIVITIES,
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
    "POLA_ACTIVITIES",
    "HOUSING_CHOICES",
    "LINE_COLUMNS",
    "UNFUNDED_COLUMNS",
    "UNDECIDED",
    "PlanRules",
    "UnitCosts",
    "Phasing",
    "Annex",
    "load_plan_rules",
    "load_unit_costs",
    "density_class",
    "pertimbangan_category",
    "priority_of",
    "pattern_of",
    "land_legality",
    "rt_legality",
    "kawasan_legality",
    "aggregate_flag",
    "rt_patterns",
    "pattern_mix",
    "mix_text",
    "pertimbangan_lain",
    "kawasan_profile",
    "priority_ranking",
    "priority_matrix_counts",
    "pattern_summary",
    "needs",
    "cost_by_kawasan",
    "phase_program",
    "yearly_totals",
    "ceiling_text",
    "draft_memorandum",
    "stored_memorandum",
    "memorandum_pivot",
    "build_annex",
    "method_lines",
]
