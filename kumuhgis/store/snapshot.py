"""Reading a whole project into a :class:`~kumuhgis.core.snapshot.CitySnapshot`, once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kumuhgis.core.rules import RuleSet
from kumuhgis.core.schema import LAYERS
from kumuhgis.core.snapshot import MEMORANDUM_TABLE, OVERRIDE_TABLE, CitySnapshot
from kumuhgis.store.interface import Store

__all__ = ["load_snapshot"]


def load_snapshot(
    store: Store,
    *,
    settings: Mapping[str, Any] | None = None,
    rules: RuleSet | str | None = None,
) -> CitySnapshot:
    """Read every layer, the settings, the project tables and the audit of ``store`` once.

    Parameters
    ----------
    settings
        Settings to use instead of the stored ones (the CLI's ``--settings`` file merged
        over them); default the project's own.
    rules
        A rule set name or object overriding the settings' ``aturan_penilaian``.
    """
    version = store.version()
    present = set(store.layers())
    layers = {name: store.read(name) for name in LAYERS if name in present}
    stored = store.settings()
    return CitySnapshot.from_frames(
        layers,
        settings=stored if settings is None else settings,
        meta=store.meta(),
        rules=rules,
        tables={
            OVERRIDE_TABLE: store.read_table(OVERRIDE_TABLE),
            MEMORANDUM_TABLE: store.read_table(MEMORANDUM_TABLE),
        },
        audit=store.audit(),
        source=str(getattr(store, "path", store)),
        version=version,
    )
