"""A lossless copy of a whole project between stores (``kumuhgis db copy``): a
GeoPackage into a database for a city server, a database into a GeoPackage for a laptop,
QGIS or a backup.

Everything is copied through the :class:`~kumuhgis.store.interface.Store` interface in ONE
transaction on the destination: every layer (values, types, geometries, so every SK
version of ``sk_kumuh``), every project table (``kolaborasi_status``,
``memorandum_program`` ...), the meta table with the settings text as it is, and the audit
rows as they are (with the old and new values of the rows each write changed), and the
history of writes with the previous states it keeps (``kumuhgis_riwayat``: a restore works
on the copy as on the source). The copy adds no audit or history row, so that a round trip
gives the same history; the destination's meta records where it came from
(``disalin_dari``) and when (``disalin_pada``).

A *public* copy (``public=True``: the project file the web app offers for download) leaves
out what belongs to the server rather than to the city's data: the logins
(:data:`~kumuhgis.store.interface.PRIVATE_TABLES`), secret meta keys (the session key,
:data:`~kumuhgis.store.interface.SECRET_PREFIX`), the old and new values the audit kept
of those tables, and the whole history of writes (``kumuhgis_riwayat``: the previous states
of the layers are not what the city publishes; the download is the project as it is now).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from kumuhgis.core.errors import UsageError
from kumuhgis.store.backend import new_store, open_store, project_exists
from kumuhgis.store.interface import (
    AUDIT_DETAIL_COLUMNS,
    PRIVATE_TABLES,
    SECRET_PREFIX,
    Store,
    now_iso,
)

__all__ = ["COPY_META_KEYS", "CopyOutcome", "copy_project", "has_private_data"]

#: Meta keys a copy writes itself (besides ``updated_at`` and ``kumuhgis_version``).
COPY_META_KEYS = ("disalin_dari", "disalin_pada")


@dataclass
class CopyOutcome:
    """What :func:`copy_project` copied: rows per layer and per table, audit rows."""

    source: str
    destination: str
    layers: dict[str, int] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    audit_rows: int = 0


def _public_audit(audit: pd.DataFrame) -> pd.DataFrame:
    """The audit without the old and new values of the private tables."""
    if "layer" not in audit.columns:
        return audit
    private = audit["layer"].astype(str).isin(PRIVATE_TABLES)
    details = [c for c in AUDIT_DETAIL_COLUMNS if c in audit.columns]
    if private.any() and details:
        audit = audit.copy()
        audit.loc[private, details] = None
    return audit


def has_private_data(store: Store) -> bool:
    """Whether ``store`` holds logins or secrets a public copy leaves out."""
    return bool(set(store.tables()) & set(PRIVATE_TABLES)) or any(
        k.startswith(SECRET_PREFIX) for k in store.meta()
    )


def _check_destination(destination: str | os.PathLike, *, overwrite: bool) -> None:
    if not project_exists(destination) or overwrite:
        return
    existing = open_store(destination)
    if existing.layers() or existing.tables():
        raise UsageError(
            f"Tujuan {existing.location} sudah berisi data; pakai --overwrite untuk menggantinya / "
            f"the destination already holds data; use --overwrite to replace it"
        )


def copy_project(
    source: Store,
    destination: str | os.PathLike,
    *,
    overwrite: bool = False,
    command: str = "kumuhgis db copy",
    history: bool = True,
    public: bool = False,
) -> CopyOutcome:
    """Copy the project ``source`` to ``destination`` (a ``.gpkg`` path or a database
    URL), all or nothing.

    The destination may be missing or an empty project (just made by ``kumuhgis db
    init``); one that holds layers or tables is refused unless ``overwrite``, and then
    replaced whole. ``history=False`` leaves the history of writes behind (the copy starts
    with an empty one).

    ``public`` leaves out the logins, the secrets, their audit values and the history
    (see above).

    Raises
    ------
    UsageError
        The destination holds data and ``overwrite`` is not given, or it is the source.
    """
    dst = new_store(destination)
    if dst.location == source.location:
        raise UsageError(
            f"Sumber dan tujuan sama / source and destination are the same: {dst.location}"
        )
    _check_destination(destination, overwrite=overwrite)
    outcome = CopyOutcome(source=source.location, destination=dst.location)
    with dst.transaction(command=command, create=True, fresh=True) as tx:
        for layer in source.layers():
            outcome.layers[layer] = tx.write(layer, source.read(layer))
        for name in source.tables():
            if not (public and name in PRIVATE_TABLES):
                outcome.tables[name] = tx.write_table(name, source.read_table(name))
        for key, value in source.meta().items():
            if not (public and key.startswith(SECRET_PREFIX)):
                tx.set_meta(key, value)
        tx.set_meta("disalin_dari", source.location)
        tx.set_meta("disalin_pada", now_iso())
        audit = _public_audit(source.audit()) if public else source.audit()
        tx.replace_audit(audit)
        outcome.audit_rows = len(audit)
        keep = history and not public
        tx.replace_history(source.history(data=True) if keep else source.history().iloc[0:0])
    return outcome
