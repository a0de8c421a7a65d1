"""Benchmark kumuhgis.analysis.scoring.score (domain.md §4) against the obvious alternatives.

N synthetic RT-years (default 200 000) with 16 volumes of two decimals, realistic
denominators and some zero denominators. Compared in the same run:

* ``score()`` — exact integer arithmetic, vectorised over all rows (best of 3);
* a per-row loop with Python ``Decimal`` (the obvious exact implementation), on a sample
  of 5 000 rows, extrapolated — also used to check that both give identical percentages,
  scores and totals;
* a naive vectorised float version (``np.round(100 * v / d, 2)``), which is fast but
  rounds some x.xx5 cases the wrong way: the number of cells where it disagrees is printed.

Then the year pipeline: :func:`kumuhgis.analysis.years.derive_conditions` over 20 000 RTs × 5 years
with 20 000 kolaborasi rows, and :func:`kumuhgis.analysis.reduction.reduction` by kelurahan.

Prints times, ratios, throughput and peak traced memory. Nothing is asserted.
Run: ``python benchmarks/bench_scoring.py [N]``.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from kumuhgis.analysis.reduction import reduction
from kumuhgis.analysis.scoring import score
from kumuhgis.analysis.years import derive_conditions
from kumuhgis.core.rules import load_rules
from kumuhgis.core.schema import CRITERIA_CODES


def make_rows(n: int, seed: int = 2018, tahun: int = 2016) -> pd.DataFrame:
    """``n`` RT rows with the baseline columns; volumes up to the denominators, 2 decimals."""
    rng = np.random.default_rng(seed)
    bangunan = rng.integers(0, 300, n)
    kk = rng.integers(0, 250, n)
    frame = pd.DataFrame(
        {
            "kode_rt": [f"RT{i:06d}" for i in range(n)],
            "tahun": np.full(n, tahun),
            "luas_ha": np.round(rng.uniform(0.5, 12, n), 2),
            "jumlah_bangunan": bangunan,
            "jumlah_penduduk": kk * 4,
            "jumlah_kk": kk,
            "panjang_jalan_ideal_m": np.round(rng.uniform(0, 2500, n), 1),
            "panjang_drainase_ideal_m": np.round(rng.uniform(0, 2500, n), 1),
        }
    )
    rules = load_rules()
    for c in rules.criteria:
        d = frame[c.denominator].to_numpy(dtype=float)
        frame[c.volume] = np.round(d * rng.uniform(0, 1.05, n), 2)
    return frame


def decimal_loop(frame: pd.DataFrame) -> pd.DataFrame:
    """The obvious exact implementation: one Python Decimal computation per cell."""
    rules = load_rules()
    q = Decimal("0.01")
    out = []
    for row in frame.to_dict("records"):
        ps, ns = [], []
        for c in rules.criteria:
            v, d = Decimal(repr(float(row[c.volume]))), Decimal(repr(float(row[c.denominator])))
            p = Decimal(0) if d == 0 else min(Decimal(100), 100 * v / d)
            p = p.quantize(q, rounding=ROUND_HALF_UP)
            ps.append(p)
            ns.append(5 if p >= 76 else 3 if p >= 51 else 1 if p >= 25 else 0)
        aspects = []
        for a in rules.aspects:
            vals = [ps[rules.codes.index(code)] for code in a.codes]
            aspects.append((sum(vals) / len(vals)).quantize(q, rounding=ROUND_HALF_UP))
        sect = (sum(aspects) / len(aspects)).quantize(q, rounding=ROUND_HALF_UP)
        out.append(
            {
                **{f"p_{c}": float(p) for c, p in zip(rules.codes, ps, strict=True)},
                "total_nilai": sum(ns),
                "rata_sektoral": float(sect),
            }
        )
    return pd.DataFrame(out, index=frame.index)


def naive_float(frame: pd.DataFrame) -> pd.DataFrame:
    """Fast but wrong at x.xx5: binary floats and numpy's round-half-even."""
    rules = load_rules()
    out = {}
    for c in rules.criteria:
        v = frame[c.volume].to_numpy(dtype=float)
        d = frame[c.denominator].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(d > 0, np.minimum(100.0, 100 * v / np.where(d > 0, d, 1)), 0.0)
        out[f"p_{c.code}"] = np.round(p, 2)
    return pd.DataFrame(out, index=frame.index)


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main(n: int = 200_000) -> None:
    frame = make_rows(n)
    score(frame.head(100))  # warm-up (rule files, imports)
    t_vec = best_of(lambda: score(frame))
    mem = peak_mb(lambda: score(frame))
    print(
        f"score(): {n:,} RT-years in {t_vec:.3f} s = {n / t_vec:,.0f} RT-years/s; peak {mem:,.0f} MB traced"
    )

    sample = frame.sample(n=min(5_000, n), random_state=1)
    t = time.perf_counter()
    ref = decimal_loop(sample)
    t_dec = time.perf_counter() - t
    dec_rate = len(sample) / t_dec
    print(
        f"Decimal loop: {len(sample):,} rows in {t_dec:.3f} s = {dec_rate:,.0f} rows/s "
        f"→ score() is {n / t_vec / dec_rate:,.0f}× faster"
    )
    got = score(sample)
    cols = [f"p_{c}" for c in CRITERIA_CODES] + ["total_nilai", "rata_sektoral"]
    same = bool((got[cols].to_numpy() == ref[cols].to_numpy()).all())
    print(
        f"identical to the Decimal loop on the sample (16 p, total, sectoral): {'yes' if same else 'NO'}"
    )

    t_flt = best_of(lambda: naive_float(frame))
    exact = score(frame)
    naive = naive_float(frame)
    pcols = [f"p_{c}" for c in CRITERIA_CODES]
    wrong = int((naive[pcols].to_numpy() != exact[pcols].to_numpy()).sum())
    print(
        f"naive float np.round (percentages only): {n / t_flt:,.0f} RT-years/s, score() takes "
        f"{t_vec / t_flt:.1f}× as long for exact rounding and the full output; "
        f"the naive version gets {wrong:,} of {n * 16:,} percentages wrong"
    )

    # ---- years and reduction
    m, years = 20_000, 5
    base = make_rows(m, seed=7)
    rng = np.random.default_rng(3)
    k = 20_000
    codes = np.array(CRITERIA_CODES)
    att = pd.DataFrame(
        {
            "kode_kegiatan": [f"K{i}" for i in range(k)],
            "nama_kegiatan": "kegiatan",
            "tahun": rng.integers(2017, 2016 + years, k),
            "sumber_dana": "APBN",
            "kode_rt": base["kode_rt"].to_numpy()[rng.integers(0, m, k)],
            "kriteria": codes[rng.integers(0, 16, k)],
            "volume": np.round(rng.uniform(0, 50, k), 2),
            "satuan": "m",
        }
    )
    t = time.perf_counter()
    cond = derive_conditions(base, att)
    t_der = time.perf_counter() - t
    rows = len(cond.conditions)
    print(
        f"derive_conditions: {m:,} RTs × {years} years = {rows:,} RT-years (+ {len(cond.trace):,} trace rows) in {t_der:.2f} s = {rows / t_der:,.0f} RT-years/s"
    )
    t = time.perf_counter()
    scored = score(cond.conditions)
    t_sc = time.perf_counter() - t
    units = pd.DataFrame(
        {
            "kode_rt": base["kode_rt"],
            "kode_kel": [f"K{i % 40:02d}" for i in range(m)],
            "kelurahan": "kel",
            "kecamatan": "kec",
            "kota": "kota",
        }
    )
    t = time.perf_counter()
    red = reduction(
        scored, units, year_from=2016, year_to=2016 + years - 1, by="kelurahan", trace=cond.trace
    )
    t_red = time.perf_counter() - t
    print(
        f"score of those: {t_sc:.2f} s; reduction by kelurahan: {t_red:.2f} s = {rows / t_red:,.0f} RT-years/s"
    )
    print(
        f"city reduction of luas kumuh 2016→{2016 + years - 1}: {red.totals['pengurangan_luas_kumuh_ha']:,.2f} ha"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
