"""Reduction targets of a city (domain.md §5: "a city sets a yearly target (e.g. 103.95 ha in
2019); show achieved vs target"): the project setting and the yearly and cumulative target
of each year."""

from __future__ import annotations

import numpy as np

from kumuhgis.core.errors import UsageError

__all__ = [
    "TARGET_KEY",
    "TARGET_KIND_KEY",
    "TARGET_KINDS",
    "target_series",
    "targets_from_settings",
]

#: Project setting holding the reduction targets per year: ``{2019: 103.95, 2020: 120}``.
TARGET_KEY = "target_pengurangan_ha"
#: Project setting saying whether those targets are ``kumulatif`` (default) or ``tahunan``.
TARGET_KIND_KEY = "target_pengurangan_jenis"
TARGET_KINDS = ("kumulatif", "tahunan")


def target_series(targets: dict, years: list[int], *, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Yearly and cumulative targets (since ``years[0]``) for each year; NaN where unknown
    and for the first year (nothing to reduce yet)."""
    if kind not in TARGET_KINDS:
        raise UsageError(
            f"Jenis target harus {' atau '.join(TARGET_KINDS)}, bukan {kind!r} / target kind must be "
            f"{' or '.join(TARGET_KINDS)}, not {kind!r}"
        )
    t = {int(y): float(v) for y, v in targets.items() if v is not None}
    y0 = years[0]
    yearly = np.full(len(years), np.nan)
    cum = np.full(len(years), np.nan)
    if kind == "kumulatif":
        base = t.get(y0, 0.0)
        prev = 0.0
        for i, y in enumerate(years[1:], start=1):
            if y in t:
                cum[i] = t[y] - base
            if not np.isnan(cum[i]) and not np.isnan(prev):
                yearly[i] = cum[i] - prev
            prev = cum[i]
    else:
        acc, seen = 0.0, False
        for i, y in enumerate(years[1:], start=1):
            if y in t:
                yearly[i] = t[y]
                acc += t[y]
                seen = True
            if seen:
                cum[i] = acc
    return yearly, cum


def targets_from_settings(settings) -> dict[int, float]:
    """The yearly targets of the setting ``target_pengurangan_ha`` (domain.md §5), ``{tahun: ha}``."""
    raw = settings.get(TARGET_KEY) or {}
    if not isinstance(raw, dict):
        raise UsageError(
            f"Pengaturan '{TARGET_KEY}' harus berupa {{tahun: ha}} / setting '{TARGET_KEY}' must be {{year: ha}}"
        )
    out = {}
    for y, v in raw.items():
        try:
            out[int(y)] = float(v)
        except (TypeError, ValueError):
            raise UsageError(
                f"Target {y}: {v!r} bukan angka / target {y}: {v!r} is not a number"
            ) from None
    return out
