"""The writes of a project and the way back to any of the last ones (contracts.md
``kumuhgis history STORE [LAYER]`` / ``kumuhgis restore STORE --to N``).

:func:`list_writes` reads the history table (:mod:`kumuhgis.store.history`) as one
:class:`WriteRecord` per write: who, when, the command, the source files and, per layer or
table, the rows added / replaced / removed / kept. State *N* is the project as write *N*
left it.

:func:`restore_project` brings the project back to state *N*: inside ONE transaction it
reads the history, rebuilds every layer, project table and meta value that a later write
changed — from the project as it is, undoing the later writes newest first, each rebuilt
frame checked against the digest recorded with it — and writes back the ones that differ
(layers and tables whole; a table that did not exist at *N* is removed). The restore is
itself a write: audited, kept in the history (so ``restore --to`` the state before it
undoes it), and all or nothing — a state that is no longer kept, or a history that does not
match the project, raises before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kumuhgis.core.errors import UsageError
from kumuhgis.store.history import frame_digest, undo_meta, undo_step
from kumuhgis.store.interface import META_TABLE, Store, audit_row

__all__ = ["RestoreOutcome", "TableChange", "WriteRecord", "list_writes", "restore_project"]

_COUNTS = ("ditambah", "diganti", "dihapus", "tetap", "baris_sebelum", "baris_sesudah")


@dataclass(frozen=True)
class TableChange:
    """What one write did to one layer, project table or the meta table."""

    name: str
    kind: str  # layer | tabel | meta
    operation: str
    added: int
    replaced: int
    removed: int
    kept: int
    rows_before: int
    rows_after: int


@dataclass(frozen=True)
class WriteRecord:
    """One write of the history. ``restorable``: the project can be brought back to the
    state this write left; ``size``: bytes of previous state the history keeps for it."""

    number: int
    waktu: str
    pengguna: str
    perintah: str
    sources: tuple[str, ...]
    changes: tuple[TableChange, ...]
    restorable: bool
    size: int


@dataclass
class RestoreOutcome:
    """What :func:`restore_project` did: the state it brought back, the write it made
    (``None`` when the project already was that state) and the tables it changed, as
    ``(name, rows before, rows after)`` (``None`` rows: absent)."""

    store: str
    to: int
    number: int | None
    changed: list[tuple[str, int | None, int | None]] = field(default_factory=list)


def _restorable_from(history: pd.DataFrame) -> int:
    """The oldest state that can still be brought back."""
    pruned = history.loc[history["tersimpan"] == 0, "nomor"]
    return int(pruned.max()) if len(pruned) else int(history["nomor"].min())


def list_writes(store: Store, layer: str | None = None) -> list[WriteRecord]:
    """Every write in the project's history, oldest first; with ``layer``, only the
    writes that changed it (and only its change)."""
    history = store.history()
    if history.empty:
        return []
    oldest = _restorable_from(history)
    last = int(history["nomor"].max())
    records = []
    for number, rows in history.groupby("nomor", sort=True):
        if layer is not None:
            rows = rows[rows["nama"] == layer]
            if rows.empty:
                continue
        first = rows.iloc[0]
        sources = tuple(dict.fromkeys(s for v in rows["sumber"] if v for s in str(v).split("; ")))
        changes = tuple(
            TableChange(r["nama"], r["jenis"], r["operasi"], *(int(r[c]) for c in _COUNTS))
            for r in rows.to_dict("records")
        )
        records.append(WriteRecord(number=int(number), waktu=str(first["waktu"]),
                                   pengguna=str(first["pengguna"] or ""), perintah=str(first["perintah"] or ""),
                                   sources=sources, changes=changes, restorable=oldest <= number < last,
                                   size=int(rows["ukuran"].sum())))  # fmt: skip
    return records


def _check_target(history: pd.DataFrame, to: int) -> None:
    numbers = sorted(set(history["nomor"].astype(int)))
    if to not in numbers:
        listed = f"{numbers[0]}–{numbers[-1]}" if numbers else "-"
        raise UsageError(
            f"Keadaan #{to} tidak ada di riwayat (ada: {listed}); lihat `kumuhgis history` / "
            f"state #{to} is not in the history (listed: {listed}); see `kumuhgis history`"
        )
    oldest = _restorable_from(history)
    if to < oldest:
        raise UsageError(
            f"Keadaan #{to} tidak disimpan lagi (hanya #{oldest} ke atas; pengaturan "
            f"riwayat_disimpan) / state #{to} is no longer kept (only #{oldest} onwards; "
            "setting riwayat_disimpan)"
        )


def _rebuild(tx, later: pd.DataFrame) -> tuple[dict, dict, dict | None]:
    """The tables and meta values the writes in ``later`` changed, as they were before
    the oldest of them: ``(frames, kinds, meta)``."""
    frames: dict[str, pd.DataFrame | None] = {}
    kinds: dict[str, str] = {}
    meta = None
    for entry in later.iloc[::-1].to_dict("records"):  # newest first
        if entry["jenis"] == "meta":
            meta = undo_meta(tx.meta() if meta is None else meta, entry)
            continue
        name = entry["nama"]
        if name not in frames:
            kinds[name] = entry["jenis"]
            frames[name] = tx.current(name, entry["jenis"])
        frames[name] = undo_step(frames[name], entry)
    return frames, kinds, meta


def restore_project(
    store: Store, to: int, *, command: str = "kumuhgis restore", user: str | None = None
) -> RestoreOutcome:
    """Bring ``store`` back to state ``to`` of its history, all or nothing (see above);
    ``user`` is who restores (default the terminal's user). The logins and the secrets are
    not in the history (:class:`~kumuhgis.store.history.HistoryRecorder`): they stay as
    they are.

    Raises
    ------
    UsageError
        ``to`` is not in the history, or no longer kept.
    StoreError
        The history does not match the project (nothing is written).
    """
    outcome = RestoreOutcome(store=store.location, to=to, number=None)
    label = f"riwayat #{to}"
    with store.transaction(command=command, user=user) as tx:
        history = tx.stored_history(data=True)
        _check_target(history, to)
        frames, kinds, meta = _rebuild(tx, history[history["nomor"] > to])
        for name, frame in frames.items():
            now = tx.current(name, kinds[name])
            if frame_digest(frame) == frame_digest(now):
                continue
            outcome.changed.append((name, None if now is None else len(now),
                                    None if frame is None else len(frame)))  # fmt: skip
            if frame is None:
                tx.drop(name, source=label)
            elif kinds[name] == "layer":
                tx.write(name, frame, mode="replace", source=label)
            else:
                tx.write_table(name, frame)
        if meta is not None:
            current = tx.meta()
            keys = sorted(k for k in set(current) | set(meta) if current.get(k) != meta.get(k))
            for key in keys:
                tx.set_meta(key, meta.get(key))
            if keys:
                outcome.changed.append((META_TABLE, len(current), len(meta)))
                row = audit_row(command, META_TABLE, "restore", source=label, rows_in=len(keys),
                                rows_stored=len(keys))  # fmt: skip
                tx.record(row, lama={k: current.get(k) for k in keys},
                          baru={k: meta.get(k) for k in keys})  # fmt: skip
        if outcome.changed:
            outcome.number = int(history["nomor"].max()) + 1
    return outcome
