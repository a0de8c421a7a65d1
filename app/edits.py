"""The writes the web app makes for its logged-in users (issue 15 "Editing in the
browser"), each one call into the same code the command line uses, with the user named
in the audit:

* an upload goes through :func:`kumuhgis.ingest.load.import_file` (the CLI's validator:
  strict by default, nothing stored on any error; lenient keeps the rejected rows for
  download); a facilitator's features must lie in their kelurahan;
* the Korkot's status override: :func:`kumuhgis.ingest.project.set_override`;
* memorandum lines: :func:`kumuhgis.ingest.memorandum.edit_memorandum`;
* yearly targets: :func:`kumuhgis.ingest.project.set_targets`.

Every form carries the version of what it shows (optimistic versioning); a write made
on an older version raises :class:`~kumuhgis.core.errors.ConflictError` and stores
nothing. The pages reach the store only through here and :mod:`app.state`. After a write
the app reads the new version before answering, so the writer's next page shows it
(other readers get it as soon as it is read, see :meth:`app.state.ProjectState.snapshot`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kumuhgis.core.errors import UsageError

from .state import project

__all__ = [
    "UPLOAD_SUFFIXES",
    "Upload",
    "edit_memorandum_line",
    "memorandum_lines",
    "override_history",
    "override_version",
    "save_override",
    "save_targets",
    "targets",
    "targets_version",
    "upload",
]

#: File kinds an upload may be (what :func:`kumuhgis.ingest.readers.read_file` reads).
UPLOAD_SUFFIXES = (".gpkg", ".geojson", ".json", ".zip", ".kml", ".kmz", ".shp", ".csv",
                   ".xlsx", ".xls", ".fgb", ".parquet")  # fmt: skip


@dataclass
class Upload:
    """What an upload stored (:class:`kumuhgis.ingest.load.ImportOutcome`) and, in lenient
    mode, the rejected rows as CSV bytes (``b""`` when none)."""

    outcome: object
    rejected_csv: bytes = b""


def _written(result):
    """Read the project's new version before answering the writer; ``result`` as it is."""
    project().map_data(wait=True)
    return result


def _area(user):
    """A facilitator's kelurahan as one geometry (``None`` for a city-wide role)."""
    from kumuhgis.ingest.validation import Area

    if not user.by_kelurahan:
        return None
    wilayah = project().snapshot().wilayah
    mine = wilayah[wilayah["kode_kel"].astype(str).isin(user.kelurahan)]
    if mine.empty:
        raise UsageError(
            "kelurahan Anda tidak ada di layer wilayah / your kelurahan is not in the wilayah layer"
        )
    label = ", ".join(mine["kelurahan"].astype(str))
    return Area(geometry=mine.geometry.union_all(), label=label)


def _check_mode(user, *, append: bool, replace_layer: bool) -> None:
    """Refuse a way of writing the user's role may not use (:mod:`kumuhgis.core.roles`)."""
    if replace_layer and not user.can("ganti_layer"):
        raise UsageError(
            "hanya Pokja yang boleh mengganti seluruh layer / only the Pokja may replace a "
            "whole layer"
        )
    if not append and not replace_layer and not user.can("ganti"):
        raise UsageError(
            "peran Anda hanya menambah baris; pilih 'tambahkan' / your role only adds rows; "
            "choose 'append'"
        )


def upload(
    user, layer: str, filename: str, stream, *, lenient: bool, append: bool,
    replace_layer: bool = False,
) -> Upload:  # fmt: skip
    """Validate and store an uploaded file into ``layer`` for ``user``: the rows replace
    the stored rows with the same key (``append``: are added, a stored key refused;
    ``replace_layer``: replace the whole layer), as ``kumuhgis import`` does.

    Raises
    ------
    ValidationError
        Strict mode: any problem (every problem listed); lenient: a problem with the
        whole file. Nothing is stored.
    UsageError
        A file kind that cannot be read, or a way of writing the user's role may not use
        (only the Pokja replaces a whole layer; a facilitator replaces only rows of their
        kelurahan).
    """
    from kumuhgis.ingest.load import import_file

    name = Path(filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UsageError(
            f"berkas '{name}' tidak bisa dibaca; pakai {' '.join(UPLOAD_SUFFIXES)} / "
            f"cannot read '{name}'; use {' '.join(UPLOAD_SUFFIXES)}"
        )
    _check_mode(user, append=append, replace_layer=replace_layer)
    with tempfile.TemporaryDirectory(prefix="kumuhgis-unggah-") as tmp:
        path = Path(tmp) / f"unggah{suffix}"
        stream.save(str(path))
        outcome = import_file(
            project().store_path,
            layer,
            path,
            lenient=lenient,
            append=append,
            replace_layer=replace_layer,
            report=Path(tmp) / "laporan",
            command=f"web: unggah {layer} {name}",
            user=user.nama,
            within=_area(user),
        )
        rejected = outcome.rejected_file.read_bytes() if outcome.rejected_file else b""
    outcome.source = name
    outcome.rejected_file = outcome.report_file = None
    return _written(Upload(outcome=outcome, rejected_csv=rejected))


def override_version(kode_kegiatan: str) -> int:
    """The version of a work's override history as the current snapshot has it."""
    from kumuhgis.ingest.project import override_version as version

    return version(project().snapshot().override_history, kode_kegiatan)


def save_override(user, kode_kegiatan: str, status: str, alasan: str, version: int) -> dict:
    """The Korkot's decision on one work, made on ``version`` of its history."""
    from kumuhgis.ingest.project import set_override

    row = set_override(project().store(), kode_kegiatan, status or None, alasan=alasan,
                       oleh=user.nama, command="web: status kolaborasi",
                       expected_version=version)  # fmt: skip
    return _written(row)


def memorandum_lines() -> list[dict]:
    """The stored memorandum program, one dict per line with its ``_versi``."""
    from kumuhgis.core.memorandum import coerce_memorandum
    from kumuhgis.ingest.memorandum import memorandum_row_version

    memo = project().snapshot().memorandum
    if memo is None or memo.empty:
        return []
    table = coerce_memorandum(memo)
    return [{**row, "_versi": memorandum_row_version(row)} for row in table.to_dict("records")]


def edit_memorandum_line(user, index: int | None, values: dict | None, version: str | None):
    """Add, change or remove (``values=None``) one memorandum line."""
    from kumuhgis.ingest.memorandum import edit_memorandum, project_kawasan

    snap = project().snapshot()
    table = edit_memorandum(project().store(), index=index, values=values, version=version,
                            kawasan=project_kawasan(snap), rules=snap.rules, user=user.nama,
                            command="web: memorandum")  # fmt: skip
    return _written(table)


def targets_version() -> str:
    from kumuhgis.ingest.project import targets_version as version

    return version(dict(project().snapshot().settings))


def save_targets(user, targets: dict, version: str) -> dict[int, float]:
    from kumuhgis.ingest.project import set_targets

    saved = set_targets(project().store(), targets, user=user.nama, command="web: target",
                        expected_version=version)  # fmt: skip
    return _written(saved)


def targets() -> dict[int, float]:
    from kumuhgis.ingest.project import TARGET_SETTING, check_targets

    return check_targets(project().snapshot().settings.get(TARGET_SETTING) or {})


def override_history(limit: int = 200) -> pd.DataFrame:
    """The Korkot's decisions, newest first (who, when, why)."""
    history = project().snapshot().override_history
    return history.iloc[::-1].head(limit).reset_index(drop=True)
