"""A city's figures from one snapshot: the entry points the CLI and the web app call.

Each function takes a :class:`~kumuhgis.core.snapshot.CitySnapshot` (read once by the
caller) and composes the pure functions of :mod:`years`, :mod:`kolaborasi`,
:mod:`scoring`, :mod:`reduction` and :mod:`verification`, so those modules never import
each other in a circle and never read a store.

The path of one figure, read top to bottom: the baseline and the kolaborasi give each RT's
condition per year (:func:`city_conditions`, domain.md §5); the conditions are scored
(:func:`score_city`, §4); scores and the RT → kawasan units give the reduction
(:func:`reduction_city`, §5) and the SK verification (:func:`verify_city`, §6); the
kolaborasi are classified against the delineation in force (:func:`classify_city`, §7).
"""

from __future__ import annotations

import geopandas as gpd

from kumuhgis.analysis.kolaborasi import (
    check_tolerance,
    classify_kolaborasi,
    kolaborasi_in_rt,
    overrides_in_force,
    tolerance_from_settings,
)
from kumuhgis.analysis.reduction import (
    TARGET_KIND_KEY,
    Reduction,
    reduction,
    targets_from_settings,
)
from kumuhgis.analysis.scoring import ScoredYears, condition_year, score
from kumuhgis.analysis.units import rt_units
from kumuhgis.analysis.verification import SETTINGS_KEY as VERIFICATION_KEY
from kumuhgis.analysis.verification import Verification, verify_sk
from kumuhgis.analysis.years import (
    ATTRIBUTION_SETTING,
    YearConditions,
    attribute_kolaborasi,
    derive_conditions,
    fill_luas_from_polygons,
)
from kumuhgis.core.errors import UsageError
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.sk import sk_in_force
from kumuhgis.core.snapshot import CitySnapshot

__all__ = [
    "city_conditions",
    "classify_city",
    "reduction_city",
    "score_city",
    "verify_city",
]


def city_conditions(snapshot: CitySnapshot, *, until: int | None = None) -> YearConditions:
    """Every RT's condition per year (domain.md §5).

    Baseline rows (``luas_ha`` filled from the RT polygons where empty, geodesic unless
    the project setting ``metode_luas: utm``), kolaborasi attributed by
    :func:`~kumuhgis.analysis.years.attribute_kolaborasi` against the ``rt`` and
    ``delineasi`` layers, then :func:`~kumuhgis.analysis.years.derive_conditions`.

    By default (project setting ``atribusi_kolaborasi: klasifikasi``) the share of each
    work that counts, and in which RTs, comes from the Korkot's classification
    (:func:`~kumuhgis.analysis.kolaborasi.kolaborasi_in_rt`: the share inside the
    delineation of the SK version in force in the work's year, split across the RTs it
    crosses by length or area, Korkot overrides first, domain.md §5, §7); volumes are read
    per criterion with the snapshot's rule set. ``kontainmen`` is the plain containment
    test, also used when the project has no delineation yet.
    """
    settings = snapshot.settings
    rt = snapshot.rt
    method = str(settings.get("metode_luas", "geodesic"))
    baseline = fill_luas_from_polygons(snapshot.baseline, rt, method=method)
    kolaborasi, delineasi = snapshot.kolaborasi, snapshot.delineasi
    mode = str(settings.get(ATTRIBUTION_SETTING, "klasifikasi"))
    if mode not in ("kontainmen", "klasifikasi"):
        raise UsageError(
            f"Pengaturan '{ATTRIBUTION_SETTING}' harus 'kontainmen' atau 'klasifikasi', bukan {mode!r} / "
            f"setting '{ATTRIBUTION_SETTING}' must be 'kontainmen' or 'klasifikasi', not {mode!r}"
        )
    placement = None
    if mode == "klasifikasi" and len(kolaborasi) and len(delineasi) and len(rt):
        placement = kolaborasi_in_rt(
            kolaborasi,
            rt,
            delineasi,
            sk_kumuh=snapshot.sk_kumuh,
            overrides=overrides_in_force(snapshot.override_history),
            tolerance_m=tolerance_from_settings(settings),
        )
    attribution = attribute_kolaborasi(
        kolaborasi, rt, delineasi=delineasi, placement=placement, rules=snapshot.rules
    )
    return derive_conditions(baseline, attribution, until=until)


def score_city(
    snapshot: CitySnapshot,
    *,
    rules: RuleSet | str | None = None,
    year: int | None = None,
    conditions: YearConditions | None = None,
) -> ScoredYears:
    """Score every RT and year: observed surveys and derived years (domain.md §4, §5).

    Years run from the first survey to the latest year with a survey or a kolaborasi;
    ``year`` keeps that year only (:class:`UsageError` when it lies outside). ``rules``
    defaults to the snapshot's rule set; ``conditions`` to :func:`city_conditions`.
    """
    rules = snapshot.rules if rules is None else load_rules(rules, settings=dict(snapshot.settings))
    cond = city_conditions(snapshot) if conditions is None else conditions
    frame, trace = cond.conditions, cond.trace
    if year is not None:
        year = condition_year(frame["tahun"], year)
        frame = frame[frame["tahun"] == year]
        trace = trace[trace["tahun"] <= year]
    return ScoredYears(scores=score(frame, rules=rules), trace=trace, rules=rules)


def reduction_city(
    snapshot: CitySnapshot,
    *,
    year_from: int,
    year_to: int,
    by: str = "kelurahan",
    rules: RuleSet | str | None = None,
    scored: ScoredYears | None = None,
    scope: str = "sk",
    no_sk: str | None = None,
) -> Reduction:
    """The three reduction measures of domain.md §5 for the city: conditions derived up
    to ``year_to`` (:func:`score_city`), units from the ``rt``, ``wilayah``,
    ``delineasi`` and ``sk_kumuh`` layers, targets from ``target_pengurangan_ha``.

    Scope, always labelled (domain.md §5): the SK version ``no_sk`` — by default the one in
    force in ``year_from`` (:func:`kumuhgis.core.sk.sk_in_force`) — gives the official
    figures (its RTs, :func:`kumuhgis.analysis.units.rt_units`); ``scope="kota"`` gives the
    views for every RT; the scope table holds both and the kumuh RTs outside every SK.
    """
    settings = snapshot.settings
    scored = score_city(snapshot, rules=rules) if scored is None else scored
    sk = snapshot.sk_kumuh
    if no_sk is None and len(sk):
        no_sk = sk_in_force(sk, int(year_from))
    elif no_sk is not None and str(no_sk) not in set(sk["no_sk"].astype(str)):
        raise UsageError(f"SK '{no_sk}' tidak ada / no such SK version: {no_sk}")
    units = rt_units(
        snapshot.rt, snapshot.wilayah, delineasi=snapshot.delineasi, sk_kumuh=sk, no_sk=no_sk
    )
    if no_sk is not None:
        label = f"SK {no_sk} (RT di dalam kawasannya; angka resmi)"
    elif len(snapshot.delineasi):
        label = "Delineasi (belum ada SK; RT di dalam kawasan delineasi)"
    else:
        label = "Seluruh kota (belum ada SK maupun delineasi)"
    sc = scored.scores[scored.scores["tahun"] <= int(year_to)]
    return reduction(
        sc,
        units,
        year_from=year_from,
        year_to=year_to,
        by=by,
        rules=scored.rules,
        targets=targets_from_settings(settings),
        target_kind=str(settings.get(TARGET_KIND_KEY, "kumulatif")),
        trace=scored.trace,
        scope=scope,
        scope_label=label,
    )


def classify_city(
    snapshot: CitySnapshot,
    *,
    tolerance_m: float | None = None,
    with_conditions: bool = True,
    conditions: YearConditions | None = None,
) -> gpd.GeoDataFrame:
    """The city's kolaborasi classified inside/outside the delineation in force
    (:func:`~kumuhgis.analysis.kolaborasi.classify_kolaborasi`, domain.md §7), with the
    project's tolerance (``kolaborasi.toleransi_m``) and the Korkot's overrides. Works
    with a project holding only ``delineasi`` and ``kolaborasi``; RT conditions (for the
    "no gap here" flag) come from :func:`city_conditions` when there is a baseline
    (``conditions``: already derived ones, e.g. by a national run that also scores)."""
    settings = snapshot.settings
    tol = tolerance_from_settings(settings) if tolerance_m is None else check_tolerance(tolerance_m)
    if with_conditions and snapshot.has("baseline") and snapshot.has("rt"):
        cond = city_conditions(snapshot) if conditions is None else conditions
        rt_conditions = cond.conditions
    else:
        rt_conditions = None
    return classify_kolaborasi(
        snapshot.kolaborasi,
        snapshot.delineasi,
        sk_kumuh=snapshot.get("sk_kumuh"),
        rt=snapshot.get("rt"),
        wilayah=snapshot.get("wilayah"),
        conditions=rt_conditions,
        overrides=overrides_in_force(snapshot.override_history),
        tolerance_m=tol,
    )


def verify_city(
    snapshot: CitySnapshot,
    *,
    no_sk: str | None = None,
    compare_with: str | None = None,
    year: int | None = None,
    scored: ScoredYears | None = None,
    derived: bool = False,
) -> Verification:
    """The SK verification of domain.md §6 for the city: its layers, its scored RT levels
    (:func:`score_city`), its tolerances (``verifikasi_sk``) and area method
    (``metode_luas``).

    RT levels are those of the observed surveys only (``asal == "observed"``: each RT's
    latest survey on or before the SK), so an SK is never judged on work done after it was
    signed; ``derived=True`` includes the derived years, labelled ``turunan``."""
    settings = snapshot.settings
    if not snapshot.has("sk_kumuh"):
        raise UsageError(
            "Proyek belum punya layer sk_kumuh; impor dulu / the project has no sk_kumuh layer; import it first"
        )
    scores = None
    not_kumuh: tuple[str, ...] = ("TK",)
    if snapshot.has("baseline"):
        scored = score_city(snapshot) if scored is None else scored
        scores = scored.scores
        if not derived and "asal" in scores.columns:
            scores = scores[scores["asal"].astype(str) == "observed"]
        not_kumuh = scored.rules.not_kumuh_codes
    return verify_sk(
        snapshot.sk_kumuh,
        snapshot.get("delineasi"),
        rt=snapshot.get("rt"),
        wilayah=snapshot.get("wilayah"),
        scores=scores,
        no_sk=no_sk,
        compare_with=compare_with,
        year=year,
        not_kumuh=not_kumuh,
        tolerances=(settings.get(VERIFICATION_KEY) or {}),
        area_method=str(settings.get("metode_luas", "geodesic")),
        level_source="turunan" if derived else "survei",
    )
