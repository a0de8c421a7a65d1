"""Writes into a project's own tables: the Korkot's overrides and the memorandum program.

These are the decisions people make on top of the imported layers (domain.md §7, §8). Each
is checked by the analysis rule it belongs to, then appended or replaced in one audited,
all-or-nothing store write.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from kumuhgis.core.errors import UsageError
from kumuhgis.core.snapshot import OVERRIDE_COLUMNS, OVERRIDE_TABLE
from kumuhgis.core.vocabulary import KOLABORASI_STATUSES as STATUSES
from kumuhgis.store import Store, current_user

__all__ = ["check_override", "set_override"]


def set_override(
    store: Store,
    kode_kegiatan: str,
    status: str | None,
    *,
    alasan: str,
    oleh: str | None = None,
    waktu: str | None = None,
    command: str = "kumuhgis kolaborasi-override",
) -> dict:
    """Record a Korkot's override of one work's status (domain.md §7).

    The row (``kode_kegiatan, status_manual, alasan_manual, oleh, waktu``) is appended to
    the ``kolaborasi_status`` project table, so the history is kept, and the store's audit
    table records the write. ``status=None`` (or ``""``) withdraws the override; a reason
    is required either way.

    Parameters
    ----------
    oleh
        Who decides; default the environment user (``KUMUHGIS_USER``, ``USER``).
    waktu
        When (ISO 8601); default now, in UTC.

    Raises
    ------
    UsageError
        Unknown status, empty reason, or a ``kode_kegiatan`` not in the kolaborasi layer.
    """
    known = store.read("kolaborasi")["kode_kegiatan"].astype(str)
    kode, status, alasan = check_override(status, alasan, kode_kegiatan, known)
    row = {
        "kode_kegiatan": kode,
        "status_manual": status,
        "alasan_manual": alasan,
        "oleh": (oleh or "").strip() or current_user(),
        "waktu": waktu or _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
    }
    frame = pd.DataFrame([row], columns=list(OVERRIDE_COLUMNS)).astype("str")
    store.write_table(OVERRIDE_TABLE, frame, mode="append", command=command)
    return row


def check_override(
    status: str | None, alasan: str, kode_kegiatan: str, known
) -> tuple[str, str, str]:
    """A Korkot override checked against domain.md §7: a known status (or none, to
    withdraw), a written reason, a work that exists. Returns ``(kode, status, alasan)``.

    Raises
    ------
    UsageError
        Unknown status, empty reason, or a ``kode_kegiatan`` not in ``known``.
    """
    status = (status or "").strip().lower()
    if status and status not in STATUSES:
        raise UsageError(
            f"Status '{status}' tidak dikenal; pilih {', '.join(STATUSES)} / unknown status; choose {', '.join(STATUSES)}"
        )
    alasan = (alasan or "").strip()
    if not alasan:
        raise UsageError("Alasan tertulis wajib diisi / a written reason is required")
    kode = str(kode_kegiatan).strip()
    if kode not in set(map(str, known)):
        raise UsageError(
            f"Kegiatan '{kode}' tidak ada di layer kolaborasi / work '{kode}' is not in the kolaborasi layer"
        )
    return kode, status, alasan
