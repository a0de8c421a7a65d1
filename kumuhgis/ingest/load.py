"""Import a user's file into a layer of a city project (``kumuhgis import``).

read (:mod:`kumuhgis.ingest.readers`) → validate (:mod:`kumuhgis.ingest.validation`) → one all-or-nothing
write (:mod:`kumuhgis.store`). Strict by default: any problem raises
:class:`~kumuhgis.core.errors.ValidationError` and the store is untouched (not even created).
Lenient: repairs applied, rejected rows written to a report file, and
``rows_in == rows_stored + rows_rejected``.

SK Kumuh versions live side by side (contracts.md "The store"): importing ``sk_kumuh``
always adds the decree numbers in the file and refuses a number that is already stored,
so a revised SK never overwrites an earlier version.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kumuhgis.core.errors import Problem, UsageError, ValidationError
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.schema import get_layer
from kumuhgis.ingest.published import published_baseline, read_published
from kumuhgis.ingest.readers import read_file
from kumuhgis.ingest.validation import Area, ValidationResult, validate_frame
from kumuhgis.store import is_database_url, new_store, open_store, project_exists

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
    rows_replaced: int = 0  # rows the layer held before a replacing import


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
) -> ValidationResult:
    """Read ``path`` and check it against ``layer`` without storing anything (criterion
    codes, units and volume groups of ``rules``, default Permen 14/2018; ``within``: where
    the uploader may put features, see :func:`validate_frame`)."""
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
) -> ValidationResult:
    """A published per-RT table's volumes and denominators checked as ``baseline`` rows.

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
    result = validate_frame(
        published_baseline(table), "baseline", lenient=lenient, source=str(path), existing=existing
    )
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
    user: str | None = None,
    within: Area | None = None,
) -> ImportOutcome:
    """Validate ``path`` and load it into ``layer`` of the project at ``store_path`` (a
    ``.gpkg`` file or a database URL).

    Creates the project when it does not exist. Replaces the layer unless ``append``
    (``sk_kumuh`` always adds versions). Raises :class:`ValidationError` in strict mode
    when anything is wrong, and in lenient mode when nothing can be stored (a file-level
    problem such as a missing column or an unknown CRS).

    ``from_published`` reads ``path`` as a published per-RT table
    (:func:`kumuhgis.ingest.published.read_published`; ``source_layer`` is its sheet,
    ``rt_sheet`` where its denominators are, ``mapping`` its ``--map``) and takes its
    volumes and denominators into the ``baseline`` layer through the same validation.

    ``user`` is who imports (the audit's ``pengguna``; default the terminal's user);
    ``within`` limits where features may lie (a facilitator's kelurahan).
    """
    exists = project_exists(store_path)
    store = open_store(store_path) if exists else new_store(store_path)
    mode = "append" if (append or layer == "sk_kumuh") else "replace"
    existing = store.read(layer) if exists and mode == "append" else None
    rows_replaced = (
        len(store.read(layer)) if exists and mode == "replace" and store.has_layer(layer) else 0
    )
    if from_published:
        result = validate_published(path, layer=layer, lenient=lenient, mapping=mapping,
                                    sheet=source_layer, rt_sheet=rt_sheet, existing=existing)  # fmt: skip
    else:
        result = validate_file(
            layer,
            path,
            lenient=lenient,
            mapping=mapping,
            source_layer=source_layer,
            assume_crs=assume_crs,
            existing=existing,
            rules=load_rules(settings=store.settings()) if exists else None,
            within=within,
        )
    file_errors = [p for p in result.errors if p.row is None]
    if result.errors and (not lenient or file_errors or result.frame.empty):
        raise ValidationError(result.problems, source=str(path), layer=layer)

    rejected_file = report_file = None
    if lenient and (len(result.rejected) or result.problems):
        stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        # beside a project file; in the working folder for a project in a database
        folder = Path.cwd() if is_database_url(store_path) else Path(store_path).parent
        base = Path(report) if report else folder / f"{store.name}.impor-{layer}-{stamp}"
        base = base.with_suffix("")
        report_file = base.with_name(base.name + "-laporan.csv")
        result.problems_frame().to_csv(report_file, index=False, encoding="utf-8-sig")
        if len(result.rejected):
            rejected_file = base.with_name(base.name + "-ditolak.csv")
            result.rejected.to_csv(rejected_file, index=False, encoding="utf-8-sig")

    with store.transaction(command=command, create=not exists, user=user) as tx:
        if not exists:
            kota = ""
            if layer == "wilayah" and "kota" in result.frame.columns and len(result.frame):
                kota = str(result.frame["kota"].mode().iloc[0])
            tx.initialise(kota=kota)
        stored = tx.write(
            layer,
            result.frame,
            mode=mode,
            source=str(path),
            rows_in=result.rows_in,
            rows_rejected=len(result.rejected),
        )
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
        rows_replaced=rows_replaced,
    )


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
