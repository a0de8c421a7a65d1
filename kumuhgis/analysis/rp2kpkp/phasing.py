"""Phasing the five-year program by priority within yearly ceilings per funding source
(domain.md §8, ceilings **configurable**: the project setting ``pagu_tahunan``).

Kawasan are taken in priority order (the ranking: priority 1 first, then total nilai, then
luas kumuh), each kawasan's lines in their order (relocation, renewal, on-site work by
criterion); the prevention lines of each kelurahan and year are reserved first (or, by
setting, funded from what is left at the end). Each funding source fills its
years in that order: a line goes into the year the source is filling; when what that year
has left is smaller than the line, the part that fits stays there (whole metres, KK,
buildings; hundredths of a hectare) and the rest spills over into the following years —
so a kawasan whose need exceeds what a year has left is spread over the following years,
and a lower-priority line never jumps ahead into a year an earlier line has filled. What
does not fit in the program's years is **belum terdanai**, with its amount. A prevention
line belongs to its own year: it fits in what that year has left or is not funded. Yearly
totals per funding source therefore never exceed the ceiling.

Lines of a funding source without a ceiling — all lines, when the project sets no ceiling —
are spread by priority only: the ``i``-th of ``m`` kawasan with lines goes to year
``start + ⌊i × n / m⌋`` of the ``n`` years (the plan says so).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import pandas as pd

from kumuhgis.core.memorandum import MEMORANDUM_COLUMNS, coerce_memorandum, cost_rp
from kumuhgis.core.numeric import format_rupiah, is_missing
from kumuhgis.core.vocabulary import SUMBER_DANA

__all__ = [
    "UNFUNDED_COLUMNS",
    "Phasing",
    "phase_program",
    "yearly_totals",
    "ceiling_text",
]

#: Columns of :attr:`Phasing.belum_terdanai`: the memorandum's, without year and detail.
UNFUNDED_COLUMNS = tuple(c for c in MEMORANDUM_COLUMNS if c not in ("tahun", "rincian_dana"))
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, eq=False)
class Phasing:
    """A phased program (:func:`phase_program`)."""

    program: pd.DataFrame  # the memorandum table (kumuhgis.core.memorandum columns)
    belum_terdanai: pd.DataFrame  # :data:`UNFUNDED_COLUMNS`: what the ceilings leave out
    tahapan: pd.DataFrame  # :func:`yearly_totals`
    pagu: dict[str, float]  # the ceilings used (empty: spread by priority only)


def _dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


class _Budget:
    """What is left of each funding source's ceiling in each year, and the year each
    source is filling (it only moves forward: a later, lower-priority line never takes
    the room an earlier line left behind in a year it has passed)."""

    def __init__(self, ceilings: Mapping[str, float], years: Sequence[int]):
        self.years = [int(y) for y in years]
        self.room = {(s, y): _dec(c) for s, c in ceilings.items() for y in self.years}
        self.at = {s: 0 for s in ceilings}

    def fill(self, source: str, volume: float, price: float, unit: str, *, year: int | None = None):
        """Parts ``(year, volume, cost)`` of one line and the volume left over (module
        docstring): from the source's current year on, or only ``year`` (a pinned line)."""
        remaining, h = _dec(volume), _dec(price)
        parts: list[tuple[int, float, float]] = []
        span = [year] if year is not None else self.years[self.at[source] :]
        for y in span:
            if (source, y) not in self.room:
                break
            room = self.room[(source, y)]
            full = Decimal(int(cost_rp(float(remaining), price)))
            if full <= room:
                parts.append((y, float(remaining), float(full)))
                self.room[(source, y)] -= full
                return parts, 0.0
            step = _HUNDREDTH if unit == "ha" else Decimal(1)
            units = (room / (h * step)).to_integral_value(rounding=ROUND_FLOOR) if h > 0 else 0
            if units > 0:
                vol = units * step
                cost = Decimal(int(cost_rp(float(vol), price)))
                parts.append((y, float(vol), float(cost)))
                self.room[(source, y)] -= cost
                remaining -= vol
            if year is None:
                self.at[source] += 1  # this year is full for this line: spill over
        return parts, float(remaining)


def _spread_years(codes: Sequence[str], years: Sequence[int]) -> dict[str, int]:
    n, m = len(years), len(codes)
    return {k: int(years[(i * n) // m]) for i, k in enumerate(codes)}


def _ordered(
    lines: pd.DataFrame, order: Sequence[str], *, prevention_first: bool = False
) -> pd.DataFrame:
    """Kawasan lines in priority order (``order``, then others); prevention (the lines
    without a kawasan) first or last."""
    rank = {str(k): i for i, k in enumerate(order)}
    k = lines["kode_kawasan"].fillna("").astype(str)
    prevention = (k == "").astype(int)
    key = pd.DataFrame(
        {
            "a": 1 - prevention if prevention_first else prevention,
            "b": k.map(lambda x: rank.get(x, len(rank))),
            "c": k,
            "d": range(len(lines)),
        },
        index=lines.index,
    )
    return lines.loc[key.sort_values(["a", "b", "c", "d"], kind="stable").index]


def _row(line: pd.Series, **changes) -> dict:
    row = {c: line.get(c) for c in MEMORANDUM_COLUMNS if c in line.index}
    row.update(changes)
    return row


def phase_program(
    lines: pd.DataFrame,
    *,
    order: Sequence[str],
    years: Sequence[int],
    ceilings: Mapping[str, float] | None = None,
    prevention_first: bool = True,
) -> Phasing:
    """Phase costed lines over ``years`` by priority within yearly ceilings (domain.md §8;
    module docstring).

    Parameters
    ----------
    lines
        :func:`kumuhgis.analysis.rp2kpkp.needs.needs` (``tahun`` set on prevention lines).
    order
        Kawasan codes in priority order (:func:`kumuhgis.analysis.rp2kpkp.priority.priority_ranking`).
    ceilings
        Funding source → yearly ceiling in rupiah (:func:`kumuhgis.core.memorandum.load_ceilings`).
    prevention_first
        Reserve each year's prevention lines before the kawasan take their turn (the
        default: a small fixed yearly commitment), else fund them from what is left.

    Returns
    -------
    Phasing
        The program (rows sorted by year, then priority), the unfunded remainder and the
        yearly totals against the ceilings.
    """
    years = [int(y) for y in years]
    ceilings = dict(ceilings or {})
    budget = _Budget(ceilings, years)
    ordered = _ordered(lines, order, prevention_first=prevention_first)
    with_lines = list(dict.fromkeys(c for c in ordered["kode_kawasan"].dropna().astype(str) if c))
    spread = _spread_years(with_lines, years) if with_lines else {}
    program, unfunded = [], []
    for _, line in ordered.iterrows():
        source = str(line["sumber_dana"])
        pinned = None if is_missing(line.get("tahun")) else int(line["tahun"])
        k = line["kode_kawasan"]
        plain_year = pinned if pinned is not None else spread.get(str(k), years[0])
        if source not in ceilings or is_missing(line["biaya_rp"]):
            program.append(_row(line, tahun=plain_year))
            continue
        parts, rest = budget.fill(
            source, line["volume"], line["biaya_satuan_rp"], str(line["satuan"]), year=pinned
        )
        n = len(parts) + (1 if rest > 0 else 0)
        base = "" if is_missing(line.get("keterangan")) else str(line["keterangan"])
        for i, (y, vol, cost) in enumerate(parts, start=1):
            note = base if n == 1 else f"{base}; bagian {i} dari {n}".lstrip("; ")
            program.append(_row(line, tahun=y, volume=vol, biaya_rp=cost, keterangan=note))
        if rest > 0:
            note = f"{base}; belum terdanai: pagu {source} {years[0]}–{years[-1]} tidak cukup"
            cost = cost_rp(rest, line["biaya_satuan_rp"])
            unfunded.append(_row(line, volume=rest, biaya_rp=cost, keterangan=note.lstrip("; ")))
    prog = _sorted_program(pd.DataFrame(program, columns=list(MEMORANDUM_COLUMNS)), order)
    rest_frame = coerce_memorandum(
        pd.DataFrame(unfunded, columns=list(MEMORANDUM_COLUMNS)).assign(tahun=0)
    )[list(UNFUNDED_COLUMNS)]
    return Phasing(
        program=prog,
        belum_terdanai=rest_frame,
        tahapan=yearly_totals(prog, years=years, ceilings=ceilings, unfunded=rest_frame),
        pagu=ceilings,
    )


def _sorted_program(frame: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """The program by year, then in priority order (stable within a kawasan)."""
    memo = coerce_memorandum(frame)
    if not len(memo):
        return memo
    ranked = _ordered(memo, order).index
    pos = pd.Series(range(len(ranked)), index=ranked)
    key = pd.DataFrame({"t": memo["tahun"], "p": pos.reindex(memo.index)})
    return memo.loc[key.sort_values(["t", "p"], kind="stable").index].reset_index(drop=True)


def _source_order(sources) -> list[str]:
    known = {s: i for i, s in enumerate(SUMBER_DANA)}
    return sorted(set(sources), key=lambda s: (known.get(s, len(known)), s))


def yearly_totals(
    program: pd.DataFrame,
    *,
    years: Sequence[int],
    ceilings: Mapping[str, float] | None = None,
    unfunded: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The program's total per funding source and year against its ceiling.

    Returns
    -------
    pandas.DataFrame
        One row per source (the vocabulary's order) and year: ``sumber_dana``,
        ``tahun``, ``pagu_rp`` (NaN: no ceiling), ``program_rp``, ``sisa_rp`` (ceiling −
        program; NaN without a ceiling), ``melebihi_pagu`` (the program is over the
        ceiling: only possible for a program imported before the ceiling was set) and,
        on every row of the source, ``belum_terdanai_rp`` (the source's unfunded total).
    """
    ceilings = dict(ceilings or {})
    sums = program.groupby(["sumber_dana", "tahun"])["biaya_rp"].sum(min_count=1)
    gap = (
        unfunded.groupby("sumber_dana")["biaya_rp"].sum()
        if unfunded is not None and len(unfunded)
        else pd.Series(dtype="float64")
    )
    sources = _source_order([*ceilings, *program["sumber_dana"].dropna().astype(str)])
    rows = []
    for s in sources:
        for y in sorted({int(y) for y in years} | {int(t) for t in program.loc[program["sumber_dana"] == s, "tahun"]}):  # fmt: skip
            total = float(sums.get((s, y), 0.0))
            total = 0.0 if math.isnan(total) else total
            cap = ceilings.get(s, math.nan)
            rows.append(
                {"sumber_dana": s, "tahun": y, "pagu_rp": cap, "program_rp": total,
                 "sisa_rp": cap - total, "melebihi_pagu": bool(total > cap),
                 "belum_terdanai_rp": float(gap.get(s, 0.0))}
            )  # fmt: skip
    cols = ["sumber_dana", "tahun", "pagu_rp", "program_rp", "sisa_rp", "melebihi_pagu", "belum_terdanai_rp"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols).astype(
        {"sumber_dana": "str", "tahun": "int64", "pagu_rp": "float64", "program_rp": "float64",
         "sisa_rp": "float64", "melebihi_pagu": "bool", "belum_terdanai_rp": "float64"}
    )  # fmt: skip


def ceiling_text(ceilings: Mapping[str, float]) -> str:
    """The ceilings as a sentence part: ``"APBD Kab/Kota Rp 5.000.000.000; APBN …"``."""
    return "; ".join(f"{s} {format_rupiah(v)}" for s, v in ceilings.items())
