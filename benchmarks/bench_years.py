"""Benchmark: derive + score + reduction of a 20 000-RT city over 5 years (domain.md §4, §5).

The year pipeline every figure of a city goes through: derive the conditions of every RT and
year from the baseline and the attributed kolaborasi
(:func:`kumuhgis.analysis.years.derive_conditions`), score them
(:func:`kumuhgis.analysis.scoring.score`) and compute the three reduction measures by
kelurahan (:func:`kumuhgis.analysis.reduction.reduction`). Compared in the same run with the
code before issue 11 ("before": ``kumuhgis/analysis/years.py`` and ``reduction.py`` of
commit :data:`BEFORE`, read with ``git show`` into a temporary folder and imported from
there; scoring is shared). Both pipelines get the same baseline and the same attribution
(one row per work, RT and criterion with the volume already per criterion × share), and the
derived conditions are checked to be identical.

Prints, for each pipeline, the best of three runs of each step in CPU seconds (this machine
is shared: CPU time is the fair measure; wall time is printed beside), RT-years per second
end to end, the ratio, and the peak traced memory of the new pipeline. Nothing is asserted.
Run: ``python benchmarks/bench_years.py [N_RT] [YEARS]`` (default 20 000 and 5).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from bench_scoring import make_rows

from kumuhgis.analysis import reduction as reduction_now
from kumuhgis.analysis import years as years_now
from kumuhgis.analysis.scoring import score
from kumuhgis.core.schema import CRITERIA_CODES

#: The commit whose year pipeline is "before" (main before issue 11).
BEFORE = "f2ff46d31d3e3ed35451422e6776641473955155"
ROOT = Path(__file__).resolve().parents[1]


def old_module(relpath: str, name: str):
    """``relpath`` as it was at :data:`BEFORE`, imported as module ``name`` (None when git
    or the commit is not at hand)."""
    try:
        text = subprocess.run(
            ["git", "show", f"{BEFORE}:{relpath}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.TemporaryDirectory(prefix="kumuhgis-before-") as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)  # executed now: the file may go afterwards
    return module


def city(n_rt: int, years: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Baseline of ``n_rt`` RTs in the first year, one attributed work per RT on average, and
    the RT → kelurahan units (40 kelurahan)."""
    base = make_rows(n_rt, seed=seed)
    rng = np.random.default_rng(3)
    k = n_rt
    codes = np.array(CRITERIA_CODES)
    att = pd.DataFrame(
        {
            "kode_kegiatan": [f"K{i}" for i in range(k)],
            "nama_kegiatan": "kegiatan",
            "tahun": rng.integers(2017, 2016 + years, k),
            "sumber_dana": "APBN",
            "kode_rt": base["kode_rt"].to_numpy()[rng.integers(0, n_rt, k)],
            "kriteria": codes[rng.integers(0, 16, k)],
            "volume": np.round(rng.uniform(0, 50, k), 2),
            "satuan": "m",
            "porsi": 1.0,
            "volume_kegiatan": 0.0,
            "nilai_rp": 1e8,
        }
    )
    att["volume_kegiatan"] = att["volume"]
    units = pd.DataFrame(
        {
            "kode_rt": base["kode_rt"],
            "kode_kel": [f"K{i % 40:02d}" for i in range(n_rt)],
            "kelurahan": "kel",
            "kecamatan": "kec",
            "kota": "kota",
        }
    )
    return base, att, units


def best(fn, repeat: int = 3):
    """Best CPU and wall seconds of ``repeat`` runs, and the last result."""
    cpu = wall = float("inf")
    out = None
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        out = fn()
        cpu, wall = min(cpu, time.process_time() - c), min(wall, time.perf_counter() - w)
    return cpu, wall, out


def pipeline(
    label: str, years_mod, reduction_mod, base, att, units, y1: int
) -> tuple[float, object]:
    c1, w1, cond = best(lambda: years_mod.derive_conditions(base, att))
    c2, w2, scored = best(lambda: score(cond.conditions))
    c3, w3, _ = best(
        lambda: reduction_mod.reduction(
            scored, units, year_from=2016, year_to=y1, by="kelurahan", trace=cond.trace
        )
    )
    n = len(cond.conditions)
    cpu, wall = c1 + c2 + c3, w1 + w2 + w3
    print(
        f"{label:>6}: derive {c1:.3f} s, score {c2:.3f} s, reduction {c3:.3f} s CPU "
        f"= {cpu:.3f} s for {n:,} RT-years → {n / cpu:,.0f} RT-years/s "
        f"(wall {wall:.3f} s → {n / wall:,.0f}/s; trace {len(cond.trace):,} rows)"
    )
    return cpu, cond


def main(n_rt: int = 20_000, years: int = 5) -> None:
    base, att, units = city(n_rt, years)
    y1 = 2016 + years - 1
    years_now.derive_conditions(base.head(10), att.head(10))  # warm-up (imports, rule files)
    score(base.head(10))
    cpu_now, cond_now = pipeline("now", years_now, reduction_now, base, att, units, y1)
    tracemalloc.start()
    cond = years_now.derive_conditions(base, att)
    reduction_now.reduction(
        score(cond.conditions), units, year_from=2016, year_to=y1, by="kelurahan"
    )
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"        peak traced memory of the new pipeline: {peak:,.0f} MB")
    old_years = old_module("kumuhgis/analysis/years.py", "years_before")
    old_reduction = old_module("kumuhgis/analysis/reduction.py", "reduction_before")
    if old_years is None or old_reduction is None:
        print(f"before: commit {BEFORE[:7]} not available (git), no comparison")
        return
    cpu_old, cond_old = pipeline("before", old_years, old_reduction, base, att, units, y1)
    same = cond_now.conditions.equals(cond_old.conditions)
    print(f"derived conditions identical to before: {'yes' if same else 'NO'}")
    print(f"end to end: {cpu_old / cpu_now:.1f}× faster than commit {BEFORE[:7]}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
