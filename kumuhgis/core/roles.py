"""Who may do what in the web app of a city server (issue 15 "Server mode"): the four
roles of the KOTAKU city team and the actions each may take, as data.

* ``viewer`` reads;
* ``faskel`` (the kelurahan facilitator) also uploads ``kolaborasi`` and ``infrastruktur``
  rows lying in the kelurahan they are assigned to, replacing the stored rows with the same
  key only where those lie in their kelurahan too (a correction of their own works; a file
  that would replace another kelurahan's row stores nothing);
* ``korkot`` (the city coordinator team) also uploads those for the whole city, replacing
  the stored rows with the same key, and decides kolaborasi status overrides (domain.md §7);
* ``pokja`` (the Pokja PKP) does everything: SK, baseline, delineation and every other
  layer (by key or, ``ganti_layer``, a whole layer), settings and targets, the memorandum
  program, users (domain.md §6, §8).
"""

from __future__ import annotations

__all__ = [
    "ACTIONS",
    "ROLES",
    "ROLE_LABELS",
    "allows",
    "check_role",
    "limited_to_kelurahan",
    "upload_layers",
]

from kumuhgis.core.errors import UsageError

ROLES = ("pokja", "korkot", "faskel", "viewer")
ROLE_LABELS = {
    "pokja": ("Pokja PKP", "Pokja PKP (city working group)"),
    "korkot": ("Korkot", "Korkot (city coordinator)"),
    "faskel": ("Fasilitator kelurahan", "Kelurahan facilitator"),
    "viewer": ("Pembaca", "Reader"),
}
#: Every action the app checks: ``baca`` (read), ``unggah:<layer>`` (upload into a layer;
#: the rows are added, stored keys refused), ``ganti`` (an upload replaces the stored rows
#: with the same key, as ``kumuhgis import`` does by default), ``ganti_layer`` (an upload
#: replaces a whole layer, ``--replace-layer``), ``status`` (kolaborasi status override),
#: ``memorandum``, ``pengaturan`` (settings and targets), ``pengguna`` (users).
_LAYERS = ("wilayah", "rt", "delineasi", "sk_kumuh", "baseline", "infrastruktur", "kolaborasi")
ACTIONS = ("baca", *(f"unggah:{x}" for x in _LAYERS), "ganti", "ganti_layer", "status",
           "memorandum", "pengaturan", "pengguna")  # fmt: skip
_FIELD = frozenset({"baca", "unggah:kolaborasi", "unggah:infrastruktur"})
_PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"baca"}),
    # a facilitator replaces by key only rows lying in their kelurahan (ingest.load checks
    # the stored rows a file would replace against their area, inside the write)
    "faskel": _FIELD | {"ganti"},
    "korkot": _FIELD | {"ganti", "status"},
    "pokja": frozenset(ACTIONS),
}
#: Roles whose uploads are limited to the kelurahan they are assigned to.
_BY_KELURAHAN = frozenset({"faskel"})


def check_role(role: str) -> str:
    """``role`` in lower case, refused unless it is one of :data:`ROLES`."""
    name = str(role or "").strip().lower()
    if name not in ROLES:
        raise UsageError(
            f"peran '{role}' tidak dikenal; pilih {', '.join(ROLES)} / "
            f"unknown role '{role}'; choose {', '.join(ROLES)}"
        )
    return name


def allows(role: str | None, action: str) -> bool:
    """Whether ``role`` may take ``action`` (an unknown action or no role: no)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in _PERMISSIONS.get(role or "", frozenset())


def limited_to_kelurahan(role: str) -> bool:
    """Whether the role's uploads must lie in the kelurahan the user is assigned to."""
    return role in _BY_KELURAHAN


def upload_layers(role: str | None) -> list[str]:
    """The layers ``role`` may upload into, in the schema's order."""
    return [x for x in _LAYERS if allows(role, f"unggah:{x}")]
