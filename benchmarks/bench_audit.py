"""Benchmark ``kumuhgis audit-baseline`` (issue 14) on 10⁵ published records.

N synthetic published RT-years (default 100 000) in kumuhgis's own layout: volumes and
denominators, and the percentages, scores, aspect averages, total and level a careful
publisher would write (:func:`kumuhgis.analysis.scoring.score`); 1 % of the records then
get one planted error each (a total, a score, a level, an average, a percentage above
100, a negative volume, a volume above its denominator, a percentage that is not
volume ÷ denominator). Compared in the same run:

* :func:`kumuhgis.analysis.audit.audit_published` over the frame — exact integer
  arithmetic over whole columns (best of 3);
* the obvious alternative: a per-row loop with Python ``Decimal`` doing the same nine
  checks, on a sample of 5 000 records, extrapolated — also used to check that both report
  exactly the same findings on the sample;
* the whole command path from a CSV file: :func:`kumuhgis.ingest.published.read_published`
  (of which the generic CSV reader :func:`kumuhgis.ingest.readers.read_file` is shown apart)
  and the audit.

Prints times, ratios, throughput and peak traced memory. Nothing is asserted.
Run: ``python benchmarks/bench_audit.py [N]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from bench_scoring import best_of, peak_mb  # this folder: same timing and memory helpers

from kumuhgis.analysis.audit import audit_published
from kumuhgis.analysis.scoring import score
from kumuhgis.core.rules import load_rules
from kumuhgis.ingest.published import read_published
from kumuhgis.ingest.readers import read_file

RULES = load_rules()
PLANTS = ("total", "score", "level", "average", "range", "negative", "exceeds", "percent")


def make_published(n: int, seed: int = 14) -> pd.DataFrame:
    """``n`` published records (module docstring), 1 % of them with a planted error."""
    rng = np.random.default_rng(seed)
    kk = rng.integers(1, 250, n)
    frame = pd.DataFrame(
        {
            "id": [f"RT{i:06d}" for i in range(n)],
            "tahun": 2020,
            "luas_ha": np.round(rng.uniform(0.5, 12, n), 2),
            "jumlah_bangunan": rng.integers(1, 300, n),
            "jumlah_penduduk": kk * 4,
            "jumlah_kk": kk,
            "panjang_jalan_ideal_m": np.round(rng.uniform(50, 2500, n), 1),
            "panjang_drainase_ideal_m": np.round(rng.uniform(50, 2500, n), 1),
        }
    )
    for c in RULES.criteria:
        d = frame[c.denominator].to_numpy(dtype=float)
        frame[c.volume] = np.minimum(np.round(d * rng.uniform(0, 1, n) ** 2, 2), d)
    out = score(frame)
    bad = rng.choice(n, size=n // 100, replace=False)
    for k, i in enumerate(bad):
        _plant(out, i, PLANTS[k % len(PLANTS)])
    return out.assign(_row=np.arange(2, n + 2))


def _plant(frame: pd.DataFrame, i: int, kind: str) -> None:
    at = frame.index[i]
    if kind == "total":
        frame.loc[at, "total_nilai"] += 1
    elif kind == "score":
        frame.loc[at, "n_2b"] = 2
    elif kind == "level":
        frame.loc[at, "tingkat"] = "KB" if frame.loc[at, "tingkat"] != "KB" else "TK"
    elif kind == "average":
        frame.loc[at, "rata_jalan"] += 0.01
    elif kind == "range":
        frame.loc[at, "p_7a"] = 100.5
    elif kind == "negative":
        frame.loc[at, "v_1b"] = -0.5
    elif kind == "exceeds":
        frame.loc[at, "v_3a"] = frame.loc[at, "jumlah_kk"] + 5
    else:
        frame.loc[at, "p_2a"] = round(frame.loc[at, "p_2a"] + 0.01, 2)


# --------------------------------------------------------------------------- the obvious way

_Q = Decimal("0.01")


def _d(x) -> Decimal:
    return Decimal(repr(float(x)))


def _round(x: Decimal) -> Decimal:
    return x.quantize(_Q, rounding=ROUND_HALF_UP)


def _band(p: Decimal) -> int:
    return RULES.score_for_hundredths(int(max(p, Decimal(0)) * 100))


def _criteria(r: dict, i: int, out: set) -> dict[str, Decimal]:
    rounded = {}
    for c in RULES.criteria:
        raw, p = _d(r[c.p_column]), _round(_d(r[c.p_column]))
        rounded[c.code] = p
        if _d(r[c.n_column]) != _band(p):
            out.add((i, "nilai_tidak_sesuai", c.code))
        if raw < 0 or raw > 100:
            out.add((i, "persen_di_luar_batas", c.code))
        v, d = _d(r[c.volume]), _d(r[c.denominator])
        if v < 0:
            out.add((i, "volume_negatif", c.code))
        elif d >= 0:
            if v > d:
                out.add((i, "volume_melebihi_penyebut", c.code))
            computed = Decimal(0) if d == 0 else _round(min(Decimal(100), 100 * v / d))
            if computed != p:
                out.add((i, "persen_tidak_sesuai", c.code))
    return rounded


def _averages(r: dict, i: int, rounded: dict, out: set) -> None:
    published = []
    for a in RULES.aspects:
        avg = _round(_d(r[a.column]))
        published.append(avg)
        if _round(sum(rounded[c] for c in a.codes) / len(a.codes)) != avg:
            out.add((i, "rata_rata_tidak_sesuai", a.key))
        if not 0 <= _d(r[a.column]) <= 100:
            out.add((i, "persen_di_luar_batas", a.key))
    if _round(sum(published) / len(published)) != _round(_d(r["rata_sektoral"])):
        out.add((i, "rata_rata_tidak_sesuai", "sektoral"))


def _recompute(r: dict) -> str | None:
    values = {c: _d(r[c]) for c in (*RULES.volume_columns, *RULES.denominator_columns)}
    if any(x < 0 for x in values.values()):
        return None
    total = 0
    for c in RULES.criteria:
        v, d = values[c.volume], values[c.denominator]
        total += _band(Decimal(0) if d == 0 else _round(min(Decimal(100), 100 * v / d)))
    return RULES.level_for_total(total).code


def decimal_audit(frame: pd.DataFrame) -> set[tuple[int, str, str]]:
    """The nine checks, one record at a time, with Python ``Decimal``."""
    out: set[tuple[int, str, str]] = set()
    for i, r in enumerate(frame.to_dict("records")):
        rounded = _criteria(r, i, out)
        _averages(r, i, rounded, out)
        total = _d(r["total_nilai"])
        if sum(_d(r[c.n_column]) for c in RULES.criteria) != total:
            out.add((i, "total_tidak_sesuai", ""))
        if RULES.level_for_total(int(total)).code != r["tingkat"]:
            out.add((i, "tingkat_tidak_sesuai", ""))
        level = _recompute(r)
        if level is not None and level != r["tingkat"]:
            out.add((i, "hitung_ulang_berbeda", ""))
    return out


# --------------------------------------------------------------------------- measuring


def main(n: int = 100_000) -> None:
    frame = make_published(n)
    audit_published(frame.head(100))  # warm-up (rule files, imports)
    t_vec = best_of(lambda: audit_published(frame))
    mem = peak_mb(lambda: audit_published(frame))
    result = audit_published(frame)
    print(
        f"audit_published(): {n:,} published records in {t_vec:.3f} s = {n / t_vec:,.0f} records/s; "
        f"peak {mem:,.0f} MB traced; {len(result.findings):,} findings, "
        f"{result.clean_share:.2%} of records add up"
    )
    sample = frame.sample(n=min(5_000, n), random_state=1).reset_index(drop=True)
    sample["_row"] = np.arange(2, len(sample) + 2)
    t = time.perf_counter()
    ref = decimal_audit(sample)
    t_dec = time.perf_counter() - t
    rate = len(sample) / t_dec
    print(
        f"Decimal loop: {len(sample):,} records in {t_dec:.2f} s = {rate:,.0f} records/s "
        f"→ audit_published() is {n / t_vec / rate:,.0f}× faster"
    )
    got = audit_published(sample).findings
    mine = set(zip(got["baris"] - 2, got["temuan"], got["kriteria"], strict=True))
    print(
        f"same findings as the Decimal loop on the sample ({len(ref):,}): {'yes' if mine == ref else 'NO'}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "terbit.csv"
        frame.drop(columns="_row").rename(columns={"id": "kode_rt"}).to_csv(path, index=False)
        t = time.perf_counter()
        read_file(path)
        t_csv = time.perf_counter() - t
        t = time.perf_counter()
        table = read_published(path)
        t_read = time.perf_counter() - t
    t = time.perf_counter()
    audit_published(table.frame, conventions=table.convention_map)
    t_aud = time.perf_counter() - t
    total = t_read + t_aud
    print(
        f"from a CSV file: read_published {t_read:.2f} s (of which the generic CSV reader "
        f"read_file {t_csv:.2f} s) + audit {t_aud:.2f} s = {total:.2f} s = {n / total:,.0f} records/s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
