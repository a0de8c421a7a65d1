"""One city's figures for the national run, from the same functions as the city commands.

:func:`city_figures` takes a :class:`~kumuhgis.core.snapshot.CitySnapshot` (read from its
partition, :func:`kumuhgis.national.dataset.read_city`) and calls the entry points of
:mod:`kumuhgis.analysis.city` the ``score``, ``reduction`` and ``kolaborasi`` commands
call, so a city's national figures are its city-by-city figures by construction
(``tests/test_national.py`` checks it).

:func:`classify_points` classifies a point dataset (building centroids) against the
delineation in force (:func:`kumuhgis.national.dataset.kawasan_in_force`) on the fast path
of :class:`~kumuhgis.geo.index.KawasanIndex`, batch by batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from kumuhgis.analysis.city import city_conditions, classify_city, reduction_city, score_city
from kumuhgis.analysis.kolaborasi import summarize, tolerance_from_settings
from kumuhgis.analysis.reduction import Reduction
from kumuhgis.core.snapshot import CitySnapshot
from kumuhgis.core.vocabulary import KOLABORASI_STATUSES
from kumuhgis.geo.index import BATAS, DALAM, LUAR, TANPA_GEOMETRI, KawasanIndex

__all__ = [
    "CityFigures",
    "PointCounts",
    "SCOPE_KOTA",
    "SCOPE_SK",
    "city_figures",
    "classify_points",
    "point_index",
    "point_tolerance",
]

#: The two scopes of domain.md §5: RTs inside the SK kawasan (official) and the whole city.
SCOPE_SK, SCOPE_KOTA = "sk", "kota"


@dataclass(frozen=True)
class CityFigures:
    """Everything the national run reports for one city.

    ``scores``: every RT and year (:func:`~kumuhgis.analysis.city.score_city`);
    ``kolaborasi``: the classified works (:func:`~kumuhgis.analysis.city.classify_city`);
    ``reduction``: the three measures by kota for each scope (``sk``, ``kota``);
    ``kolaborasi_tahun``: inside/outside counts and rupiah by year
    (:func:`~kumuhgis.analysis.kolaborasi.summarize`).
    """

    scores: pd.DataFrame
    kolaborasi: gpd.GeoDataFrame
    reduction: dict[str, Reduction]
    kolaborasi_tahun: pd.DataFrame
    year_from: int
    year_to: int


def city_figures(snapshot: CitySnapshot) -> CityFigures:
    """Score every RT-year, derive the years, classify the kolaborasi and compute the
    reduction measures of one city (domain.md §4, §5, §7) from ``year_from`` = the first
    scored year (the baseline) to ``year_to`` = the last.

    The conditions are derived once (:func:`~kumuhgis.analysis.city.city_conditions`) and
    handed to the scoring and the classification; the reduction runs twice on the same
    scores, once for the whole city (``scope="kota"``) and once for the RTs inside the SK
    kawasan in force (``scope="sk"``, the official figure), as the ``reduction`` command."""
    conditions = city_conditions(snapshot)
    scored = score_city(snapshot, conditions=conditions)
    years = scored.scores["tahun"]
    y0, y1 = int(years.min()), int(years.max())
    # the two scopes of domain.md §5 as the `reduction` command computes them
    reductions = {
        scope: reduction_city(
            snapshot, year_from=y0, year_to=y1, by="kota", scored=scored, scope=scope
        )
        for scope in (SCOPE_KOTA, SCOPE_SK)
    }
    kolaborasi = classify_city(snapshot, conditions=conditions)
    per_year = summarize(kolaborasi, "tahun") if len(kolaborasi) else pd.DataFrame()
    return CityFigures(
        scores=scored.scores,
        kolaborasi=kolaborasi,
        reduction=reductions,
        kolaborasi_tahun=per_year,
        year_from=y0,
        year_to=y1,
    )


# --------------------------------------------------------------------------- points


def point_index(delineasi: gpd.GeoDataFrame) -> KawasanIndex:
    """The fast index of a delineation in force, in its metric CRS (built once per city)."""
    return KawasanIndex.from_frame(delineasi)


@dataclass
class PointCounts:
    """Points per status (:data:`~kumuhgis.core.vocabulary.KOLABORASI_STATUSES` order;
    ``tanpa_geometri`` for NaN coordinates) and inside points per kawasan of the index."""

    status: np.ndarray
    per_kawasan: np.ndarray

    @classmethod
    def empty(cls, n_kawasan: int) -> PointCounts:
        return cls(np.zeros(5, dtype=np.int64), np.zeros(n_kawasan, dtype=np.int64))

    def add(self, other: PointCounts) -> None:
        self.status += other.status
        self.per_kawasan += other.per_kawasan

    def totals(self) -> dict[str, int]:
        """``titik_<status>`` counts (dalam, batas, luar; tanpa_geometri) and ``titik``."""
        names = [f"titik_{s}" for s in KOLABORASI_STATUSES if s != "sebagian"]
        values = [int(self.status[c]) for c in (DALAM, BATAS, LUAR)]
        out = dict(zip(names, values, strict=True))
        out["titik_tanpa_geometri"] = int(self.status[4])
        out["titik"] = int(self.status.sum())
        return out


def classify_points(
    index: KawasanIndex, x: np.ndarray, y: np.ndarray, *, crs, tolerance_m: float
) -> tuple[PointCounts, np.ndarray, np.ndarray]:
    """Classify points given in ``crs`` against ``index`` (domain.md §7: ``dalam`` within
    1 cm of a kawasan, ``batas`` within ``tolerance_m``, else ``luar``), distances only
    within the tolerance (:meth:`~kumuhgis.geo.index.KawasanIndex.classify_xy` with
    ``distances="near"``).

    Points in the index's CRS (the national dataset's) are classified straight from their
    arrays; others are reprojected batch by batch.

    Returns the counts, the status code and the kawasan index of every point."""
    res = index.classify_xy(x, y, crs=crs, tolerance_m=tolerance_m, distances="near")
    status = res.status
    counts = PointCounts.empty(index.n)
    codes = np.where(status == TANPA_GEOMETRI, 4, status).astype(np.int64)
    counts.status += np.bincount(codes, minlength=5)[:5]
    inside = res.kawasan[(status == DALAM) & (res.kawasan >= 0)]
    counts.per_kawasan += np.bincount(inside, minlength=index.n)[: index.n]
    return counts, status, res.kawasan


def point_tolerance(snapshot_settings) -> float:
    """The ``batas`` tolerance of a city (its ``kolaborasi.toleransi_m`` setting)."""
    return tolerance_from_settings(dict(snapshot_settings))
