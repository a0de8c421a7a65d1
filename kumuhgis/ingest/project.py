"""Writes into a project's own tables: the Korkot's overrides, the yearly targets.

These are the decisions people make on top of the imported layers (domain.md §5, §7). Each
is checked by the rule it belongs to, then appended or replaced in one audited,
all-or-nothing store write. A write from a form can carry the version the form was made
from (optimistic versioning): when someone else changed the record meanwhile, nothing is
written and :class:`~kumuhgis.core.errors.ConflictError` gives the record as it is now.
The check and the write happen in one store transaction, so two writers cannot both pass.
"""

from __future__ import annotations

import datetime as _dt
import math

import pandas as pd

from kumuhgis.core.errors import ConflictError, UsageError
from kumuhgis.core.numeric import parse_number
from kumuhgis.core.snapshot import OVERRIDE_COLUMNS, OVERRIDE_TABLE
from kumuhgis.core.vocabulary import KOLABORASI_STATUSES as STATUSES
from kumuhgis.store import Store, current_user

__all__ = [
    "TARGET_SETTING",
    "check_override",
    "check_targets",
    "override_version",
    "set_override",
    "set_targets",
    "targets_version",
]

#: The setting of the yearly reduction targets (``{tahun: ha}``, domain.md §5), read by
#: :func:`kumuhgis.analysis.reduction.targets_from_settings`.
TARGET_SETTING = "target_pengurangan_ha"


def override_version(history: pd.DataFrame | None, kode_kegiatan: str) -> int:
    """The version of one work's override: how many decisions its history holds (the
    history is only ever appended to, so the number grows with every decision)."""
    if history is None or not len(history) or "kode_kegiatan" not in history.columns:
        return 0
    return int((history["kode_kegiatan"].astype(str) == str(kode_kegiatan)).sum())


def _latest(history: pd.DataFrame | None, kode: str) -> dict | None:
    if history is None or not len(history):
        return None
    rows = history[history["kode_kegiatan"].astype(str) == kode]
    return None if rows.empty else rows.iloc[-1].to_dict()


def set_override(
    store: Store,
    kode_kegiatan: str,
    status: str | None,
    *,
    alasan: str,
    oleh: str | None = None,
    waktu: str | None = None,
    command: str = "kumuhgis kolaborasi-override",
    expected_version: int | None = None,
) -> dict:
    """Record a Korkot's override of one work's status (domain.md §7).

    The row (``kode_kegiatan, status_manual, alasan_manual, oleh, waktu``) is appended to
    the ``kolaborasi_status`` project table, so the history is kept, and the store's audit
    table records the write (by ``oleh``). ``status=None`` (or ``""``) withdraws the
    override; a reason is required either way.

    Parameters
    ----------
    oleh
        Who decides; default the environment user (``KUMUHGIS_USER``, ``USER``).
    waktu
        When (ISO 8601); default now, in UTC.
    expected_version
        The work's :func:`override_version` the decision was made on (a form's); when the
        history has moved on since, nothing is written.

    Raises
    ------
    UsageError
        Unknown status, empty reason, or a ``kode_kegiatan`` not in the kolaborasi layer.
    ConflictError
        Another decision on the same work was recorded after ``expected_version``; its
        ``current`` is the latest decision and ``version`` the version now.
    """
    known = store.read("kolaborasi")["kode_kegiatan"].astype(str)
    kode, status, alasan = check_override(status, alasan, kode_kegiatan, known)
    oleh = (oleh or "").strip() or current_user()
    row = {
        "kode_kegiatan": kode,
        "status_manual": status,
        "alasan_manual": alasan,
        "oleh": oleh,
        "waktu": waktu or _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
    }
    frame = pd.DataFrame([row], columns=list(OVERRIDE_COLUMNS)).astype("str")
    with store.transaction(command=command, user=oleh) as tx:
        if expected_version is not None:
            history = tx.read_table(OVERRIDE_TABLE)
            now = override_version(history, kode)
            if now != int(expected_version):
                raise ConflictError(
                    f"Status kegiatan {kode} sudah diubah orang lain; tidak ada yang disimpan / "
                    f"the status of {kode} was changed by someone else; nothing was saved",
                    current=_latest(history, kode),
                    version=now,
                )
        tx.write_table(OVERRIDE_TABLE, frame, mode="append")
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


def check_targets(targets) -> dict[int, float]:
    """Yearly targets ``{tahun: ha}`` (domain.md §5) checked: a year 1990–2100, a finite
    number of hectares ≥ 0, written the Indonesian or English way (``10,5`` or ``10.5``,
    domain.md §10). Returns them sorted by year.

    Raises
    ------
    UsageError
        A year or a number that does not fit, naming it.
    """
    out: dict[int, float] = {}
    for year, ha in dict(targets or {}).items():
        try:
            y, v = int(str(year).strip()), float(parse_number(ha))
        except (TypeError, ValueError):
            raise UsageError(
                f"target {year}: {ha!r} bukan tahun dan angka / is not a year and a number"
            ) from None
        if not 1990 <= y <= 2100 or not math.isfinite(v) or v < 0:
            raise UsageError(
                f"target {year}: tahun 1990–2100 dan luas ≥ 0 ha / target {year}: a year "
                f"1990–2100 and an area ≥ 0 ha"
            )
        out[y] = v
    return dict(sorted(out.items()))


def targets_version(settings: dict) -> str:
    """The version of the targets: their values as text (what a form carries)."""
    try:
        targets = check_targets(settings.get(TARGET_SETTING) or {})
    except UsageError:
        return repr(settings.get(TARGET_SETTING))
    return ";".join(f"{y}={v:g}" for y, v in targets.items())


def set_targets(
    store: Store,
    targets,
    *,
    user: str | None = None,
    command: str = "kumuhgis target",
    expected_version: str | None = None,
) -> dict[int, float]:
    """Replace the yearly reduction targets (setting ``target_pengurangan_ha``), keeping
    every other setting; all or nothing, audited (old and new settings).

    Raises
    ------
    UsageError
        A target that does not fit (:func:`check_targets`).
    ConflictError
        The targets changed since ``expected_version`` (:func:`targets_version`); its
        ``current`` is the targets now.
    """
    targets = check_targets(targets)
    with store.transaction(command=command, user=user) as tx:
        settings = dict(tx.settings())
        if expected_version is not None and targets_version(settings) != expected_version:
            raise ConflictError(
                "Target sudah diubah orang lain; tidak ada yang disimpan / the targets were "
                "changed by someone else; nothing was saved",
                current=settings.get(TARGET_SETTING) or {},
                version=targets_version(settings),
            )
        if targets:
            settings[TARGET_SETTING] = targets
        else:
            settings.pop(TARGET_SETTING, None)
        tx.save_settings(settings)
    return targets
