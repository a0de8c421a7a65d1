"""Terminal output shared by the command modules: console, progress, problem reports."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kumuhgis.core.errors import ValidationError

T = TypeVar("T")


def tolerate_unencodable(*streams) -> None:
    """Let an output that cannot show every character print ``?`` for what it cannot encode
    instead of failing with :class:`UnicodeEncodeError` (a Windows console or pipe in
    cp1252, ``PYTHONIOENCODING=cp1252``; our messages have "→", "≤", "²"). UTF-8 outputs are
    left alone. Default: ``sys.stdout`` and ``sys.stderr``."""
    for stream in streams or (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding.replace("_", "") in ("utf8", "utf8sig") or reconfigure is None:
            continue
        with contextlib.suppress(ValueError, io.UnsupportedOperation):
            reconfigure(errors="replace")


def console(*, err: bool = False) -> Console:
    return Console(stderr=err, soft_wrap=True, highlight=False)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[callable]:
    """Progress display on a terminal (stderr); silent when not a terminal.

    Yields an ``advance(n=1, description=None)`` function.
    """
    con = console(err=True)
    if not con.is_terminal:

        def _advance(n: int = 1, description: str | None = None) -> None:
            return None

        yield _advance
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=con,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)

        def _advance(n: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=n, description=description or bar.tasks[task].description)

        yield _advance


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    items = list(items) if total is None else items
    with progress(description, total if total is not None else len(items)) as advance:
        for item in items:
            yield item
            advance()


def print_problems(exc: ValidationError, *, lang: str = "id", file=None) -> None:
    """Print every problem of a failed validation as one table (what, where, how to fix)."""
    con = Console(file=file or sys.stderr, soft_wrap=True, highlight=False, width=160)
    errors = [p for p in exc.problems if p.severity == "error"]
    title = (
        f"{len(errors)} masalah di {exc.source} (layer {exc.layer}); tidak ada yang disimpan"
        if lang == "id"
        else f"{len(errors)} problem(s) in {exc.source} (layer {exc.layer}); nothing was stored"
    )
    table = Table(title=title, show_lines=False)
    for col in ("baris/row", "kolom/column", "nilai/value", "masalah/problem", "perbaikan/fix"):
        table.add_column(col, overflow="fold")
    for p in exc.problems:
        what = f"{p.masalah} / {p.problem}" if lang == "id" else f"{p.problem} / {p.masalah}"
        fix = f"{p.perbaikan} / {p.fix}" if lang == "id" else f"{p.fix} / {p.perbaikan}"
        table.add_row(
            "" if p.row is None else str(p.row),
            p.column or "",
            "" if p.value is None else str(p.value)[:60],
            ("" if p.severity == "error" else f"[{p.severity}] ") + what,
            fix.strip(" /"),
        )
    con.print(table)
