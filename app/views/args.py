"""Request argument parsing shared by the views: bad values are a UsageError (HTTP 400)."""

from __future__ import annotations

import math

from flask import request

from kumuhgis.core.errors import UsageError


def int_arg(name: str, *, default: int | None = None) -> int | None:
    raw = request.args.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise UsageError(
            f"{name}={raw!r} bukan bilangan bulat / {name}={raw!r} is not an integer"
        ) from None


def float_arg(name: str, *, required: bool = False) -> float | None:
    raw = request.args.get(name, "")
    if raw.strip() == "":
        if required:
            raise UsageError(f"parameter {name} wajib / parameter {name} is required")
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise UsageError(f"{name}={raw!r} bukan angka / {name}={raw!r} is not a number")
    return value


def str_arg(name: str) -> str | None:
    raw = request.args.get(name, "").strip()
    return raw or None
