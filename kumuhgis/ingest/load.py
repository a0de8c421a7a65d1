"""Import a user's file into a layer of a city project (``kumuhgis import``).

read (:mod:`kumuhgis.ingest.readers`) → validate (:mod:`kumuhgis.ingest.validation`) → one all-or-nothing
write (:mod:`kumuhgis.store`). Strict by default: any problem raises
:class:`~kumuhgis.core.errors.ValidationError` and the store is untouched (not even created).
Lenient: repairs applied, rejected rows written to a report file, and
``rows_in == rows_stored + rows_rejected``.

An import replaces by key (contracts.md ``kumuhgis import``; :mod:`kumuhgis.store.keys`):
the stored rows whose key comes again in the file are replaced, every other row stays —
a 2017 baseline keeps 2016 (key ``kode_rt`` + ``tahun``), a revised SK under its own
``no_sk`` sits beside the earlier version, a corrected transcript of the same SK replaces
that decree's rows. ``replace_layer`` replaces the whole layer (and says which keys go
before the rows are written); ``append`` adds and refuses a key that is already stored.
The write keeps the previous state in the project's history (``kumuhgis restore``).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from kumuhgis.core.errors import Problem, UsageError, ValidationError
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.schema import get_layer
from kumuhgis.ingest.published import published_baseline, read_published
from kumuhgis.ingest.readers import read_file
from kumuhgis.ingest.validation import Area, ValidationResult, validate_frame
from kumuhgis.store import is_database_url, new_store, open_store, project_exists
from kumuhgis.store.keys import REPLACE_KEYS, WriteChange, key_values

__all__ = ["ImportOutcome", "import_file", "read_rt_table", "validate_file", "validate_published"]


@dataclass
class ImportOutcome:
    store: Path | str  # the project file, or the database URL without its password
    layer: str
    source: str
    rows_in: int
    rows_stored: int
    rows_rejected: int
    mode: str
    problems: list[Problem] = field(default_factory=list)
    rejected_file: Path | None = None
    report_file: Path | None = None
    rows_added: int = 0  # rows with a key the layer did not hold
    rows_replaced: int = 0  # stored rows replaced by rows of the same key (or the whole layer)
    rows_removed: int = 0  # stored rows whose key is gone (only with replace_layer)
    rows_kept: int = 0  # stored rows left as they were
    key: tuple[str, ...] = ()  # the key rows are matched by
    removed_keys: tuple[str, ...] = ()  # the keys that went (replace_layer)


def validate_file(
    layer: str,
    path: str | os.PathLike,
    *,
    lenient: bool = False,
    mapping: dict[str, str] | None = None,
    source_layer: str | None = None,
    assume_crs: str | None = None,
    existing: pd.DataFrame | None = None,
    rules: RuleSet | str | None = None,
    within: Area | None = None,
    fill: dict[str, str] | None = None,
) -> ValidationResult:
    """Read ``path`` and check it against ``layer`` without storing anything (criterion
    codes, units and volume groups of ``rules``, default Permen 14/2018; ``within``: where
    the uploader may put features; ``fill``: ``--fill``; see :func:`validate_frame`)."""
    get_layer(layer)
    read = read_file(path, layer=source_layer)
    result = validate_frame(
        read.frame,
        layer,
        lenient=lenient,
        mapping=mapping,
        source=str(path),
        existing=existing,
        assume_crs=assume_crs,
        rules=rules,
        within=within,
        fill=fill,
    )
    result.problems[:0] = read.problems
    return result


def validate_published(
    path: str | os.PathLike,
    *,
    layer: str = "baseline",
    lenient: bool = False,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    rt_sheet: str | None = None,
    existing: pd.DataFrame | None = None,
    fill: dict[str, str] | None = None,
) -> ValidationResult:
    """A published per-RT table's volumes and denominators checked as ``baseline`` rows
    (``fill``: ``--fill``, e.g. ``{"tahun": "2019"}`` for a table without a year column).

    Raises
    ------
    UsageError
        ``layer`` is not ``baseline``.
    ValidationError
        Cells of the published table that cannot be read.
    """
    if layer != "baseline":
        raise UsageError(
            f"--from-published hanya untuk layer baseline, bukan '{layer}' / "
            f"--from-published is for the baseline layer only, not '{layer}'"
        )
    table = read_published(path, sheet=sheet, rt_sheet=rt_sheet, mapping=mapping)
    result = validate_frame(published_baseline(table), "baseline", lenient=lenient,
                            source=str(path), existing=existing, fill=fill)  # fmt: skip
    result.problems[:0] = table.problems
    return result


def import_file(
    store_path: str | os.PathLike,
    layer: str,
    path: str | os.PathLike,
    *,
    lenient: bool = False,
    append: bool = False,
    mapping: dict[str, str] | None = None,
    source_layer: str | None = None,
    assume_crs: str | None = None,
    report: str | os.PathLike | None = None,
    command: str = "kumuhgis import",
    from_published: bool = False,
    rt_sheet: str | None = None,
    replace_layer: bool = False,
    on_plan: Callable[[WriteChange], None] | None = None,
    user: str | None = None,
    within: Area | None = None,
    fill: dict[str, str] | None = None,
) -> ImportOutcome:
    """Validate ``path`` and load it into ``layer`` of the project at ``store_path`` (a
    ``.gpkg`` file or a database URL).

    Creates the project when it does not exist. Replaces the stored rows with the keys
    in the file and keeps the others (:mod:`kumuhgis.store.keys`); ``replace_layer``
    replaces the whole layer, ``append`` adds and refuses stored keys; ``on_plan`` hears
    what the write changes (counts, the keys that go) before the rows are written. Raises
    :class:`ValidationError` in strict mode when anything is wrong, and in lenient mode
    when nothing can be stored (a file-level problem such as a missing column or an
    unknown CRS); :class:`UsageError` for ``append`` with ``replace_layer``.

    ``from_published`` reads ``path`` as a published per-RT table
    (:func:`kumuhgis.ingest.published.read_published`; ``source_layer`` is its sheet,
    ``rt_sheet`` where its denominators are, ``mapping`` its ``--map``) and takes its
    volumes and denominators into the ``baseline`` layer through the same validation.

    ``user`` is who imports (the audit's ``pengguna``; default the terminal's user);
    ``within`` limits where features may lie (a facilitator's kelurahan); ``fill`` gives
    values the file leaves out (``--fill COL=VALUE``).
    """
    if append and replace_layer:
        raise UsageError(
            "--append dan --replace-layer tidak bisa bersama / --append and --replace-layer "
            "cannot be used together"
        )
    exists = project_exists(store_path)
    store = open_store(store_path) if exists else new_store(store_path)
    mode = "append" if append else "replace" if replace_layer else "replace_key"
    existing = store.read(layer) if exists and mode == "append" else None
    if from_published:
        result = validate_published(path, layer=layer, lenient=lenient, mapping=mapping,
                                    sheet=source_layer, rt_sheet=rt_sheet, existing=existing,
                                    fill=fill)  # fmt: skip
    else:
        rules = load_rules(settings=store.settings()) if exists else None
        result = validate_file(layer, path, lenient=lenient, mapping=mapping,
                               source_layer=source_layer, assume_crs=assume_crs,
                               existing=existing, rules=rules, within=within, fill=fill)  # fmt: skip
    file_errors = [p for p in result.errors if p.row is None]
    if result.errors and (not lenient or file_errors or result.frame.empty):
        raise ValidationError(result.problems, source=str(path), layer=layer)

    rejected_file = report_file = None
    if lenient and (len(result.rejected) or result.problems):
        report_file, rejected_file = _write_report(result, store_path, store.name, layer, report)

    with store.transaction(command=command, create=not exists, user=user) as tx:
        if not exists:
            _initialise(tx, layer, result.frame)
        if within is not None and mode == "replace_key":
            _check_replaced_within(tx.current(layer), result.frame, layer, within)
        changes: list[WriteChange] = []

        def _heard(change: WriteChange) -> None:
            changes.append(change)
            if on_plan is not None:
                on_plan(change)

        stored = tx.write(layer, result.frame, mode=mode, source=str(path), rows_in=result.rows_in,
                          rows_rejected=len(result.rejected), on_plan=_heard)  # fmt: skip
    change = changes[0]
    assert result.rows_in == stored + len(result.rejected), "rows in must equal stored + rejected"
    return ImportOutcome(
        store=store.location if is_database_url(store_path) else Path(store_path),
        layer=layer,
        source=str(path),
        rows_in=result.rows_in,
        rows_stored=stored,
        rows_rejected=len(result.rejected),
        mode=mode,
        problems=result.problems,
        rejected_file=rejected_file,
        report_file=report_file,
        rows_added=change.added,
        rows_replaced=change.replaced,
        rows_removed=change.removed,
        rows_kept=change.kept,
        key=change.key,
        removed_keys=change.removed_keys,
    )


def _check_replaced_within(
    stored: pd.DataFrame | None, frame: pd.DataFrame, layer: str, within: Area
) -> None:
    """A facilitator replaces by key only rows of their own area: a stored row whose key
    the file brings again and that does not touch ``within`` is refused, with its key (a
    file may correct the facilitator's own works, never another kelurahan's)."""
    if stored is None or not len(stored) or "geometry" not in stored:
        return
    key = REPLACE_KEYS[layer]
    again = stored[np.isin(key_values(stored, key), key_values(frame, key))]
    geoms = again.geometry.values
    elsewhere = again[~shapely.intersects(geoms, within.geometry)]
    if len(elsewhere):
        keys = ", ".join(key_values(elsewhere, key)[:10])
        more = f" (+{len(elsewhere) - 10})" if len(elsewhere) > 10 else ""
        raise UsageError(
            f"berkas ini mengganti baris di luar wilayah Anda ({within.label}): {keys}{more}; "
            f"tidak ada yang disimpan / this file replaces rows outside your area: {keys}{more}; "
            f"nothing was stored"
        )


def _initialise(tx, layer: str, frame: pd.DataFrame) -> None:
    """Record a new project, named after the city of its first ``wilayah``."""
    kota = ""
    if layer == "wilayah" and "kota" in frame.columns and len(frame):
        kota = str(frame["kota"].mode().iloc[0])
    tx.initialise(kota=kota)


def _write_report(
    result: ValidationResult,
    store_path: str | os.PathLike,
    name: str,
    layer: str,
    report: str | os.PathLike | None,
) -> tuple[Path, Path | None]:
    """A lenient import's report (every problem) and its rejected rows, as CSV files."""
    stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    # beside a project file; in the working folder for a project in a database
    folder = Path.cwd() if is_database_url(store_path) else Path(store_path).parent
    base = Path(report) if report else folder / f"{name}.impor-{layer}-{stamp}"
    base = base.with_suffix("")
    report_file = base.with_name(base.name + "-laporan.csv")
    result.problems_frame().to_csv(report_file, index=False, encoding="utf-8-sig")
    rejected_file = None
    if len(result.rejected):
        rejected_file = base.with_name(base.name + "-ditolak.csv")
        result.rejected.to_csv(rejected_file, index=False, encoding="utf-8-sig")
    return report_file, rejected_file


def read_rt_table(path, *, mapping: dict[str, str] | None = None) -> pd.DataFrame:
    """Read a CSV/XLSX of RT rows (the ``baseline`` layer's columns) for scoring.

    Headers, Indonesian/English numbers and required columns are checked as for
    ``kumuhgis import PROJECT baseline FILE`` (:func:`kumuhgis.ingest.load.validate_file`);
    every problem is reported at once with row and column.

    Raises
    ------
    ValidationError
        Anything wrong in the file.
    """
    result = validate_file("baseline", path, mapping=mapping)
    result.raise_if_errors()
    return result.frame
