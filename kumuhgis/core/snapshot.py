"""A city snapshot: one project, read once, handed to every analysis.

:class:`CitySnapshot` holds everything an analysis may look at: the seven layers of
contracts.md as frames, the project's settings, the rule set, the SK versions (one
definition, :func:`kumuhgis.core.sk.sk_versions`), the Korkot's override history and the
memorandum program. It is built by :func:`kumuhgis.store.snapshot.load_snapshot` (a
GeoPackage today, a PostGIS store next) or by :meth:`CitySnapshot.from_frames` (tests,
notebooks, the demo, a national run), and it never reads anything itself.

The snapshot is immutable: its fields cannot be reassigned and its mappings are read-only.
The frames are shared, not copied, so an analysis must never modify one in place (the
conventions' "never mutate inputs"); ``tests/test_architecture.py`` checks that running
every command leaves a snapshot's frames as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import pandas as pd

from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.schema import LAYERS, empty_frame
from kumuhgis.core.sk import sk_versions

__all__ = ["CitySnapshot", "OVERRIDE_COLUMNS", "OVERRIDE_TABLE", "MEMORANDUM_TABLE"]

#: Project table of the Korkot's kolaborasi status overrides (domain.md §7), append-only.
OVERRIDE_TABLE = "kolaborasi_status"
#: Columns of :data:`OVERRIDE_TABLE`.
OVERRIDE_COLUMNS = ("kode_kegiatan", "status_manual", "alasan_manual", "oleh", "waktu")
#: Project table of the edited memorandum program (domain.md §8).
MEMORANDUM_TABLE = "memorandum_program"


def _freeze(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


def _override_history(table: pd.DataFrame | None) -> pd.DataFrame:
    if table is None or len(table) == 0:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in OVERRIDE_COLUMNS})
    table = pd.DataFrame(table).copy()
    for c in OVERRIDE_COLUMNS:
        if c not in table.columns:
            table[c] = None
        table[c] = table[c].astype("str")
    return table[list(OVERRIDE_COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True)
class CitySnapshot:
    """One city project as read at one moment.

    Attributes
    ----------
    layers
        Layer name → frame, for all seven layers of contracts.md (an absent layer is an
        empty frame with the layer's columns).
    present
        The layers the project actually holds (some commands say "import X first").
    settings, meta
        The project's settings (targets, rule overrides …) and meta (city, schema version).
    rules
        The rule set in force (``aturan_penilaian`` with the project's overrides).
    override_history
        Every Korkot override ever written, oldest first (:data:`OVERRIDE_COLUMNS`).
    memorandum
        The stored memorandum program table as written (``None`` when there is none).
    audit
        The store's write log.
    source
        Where it was read from (a path or a database URL), for messages.
    version
        A token that changes whenever the project changes (the web app caches by it).
    """

    layers: Mapping[str, pd.DataFrame]
    present: frozenset[str]
    settings: Mapping[str, Any]
    meta: Mapping[str, str]
    rules: RuleSet
    override_history: pd.DataFrame
    memorandum: pd.DataFrame | None = None
    audit: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: str = ""
    version: str = ""

    @classmethod
    def from_frames(
        cls,
        layers: Mapping[str, pd.DataFrame],
        *,
        settings: Mapping[str, Any] | None = None,
        meta: Mapping[str, str] | None = None,
        rules: RuleSet | str | None = None,
        tables: Mapping[str, pd.DataFrame | None] | None = None,
        audit: pd.DataFrame | None = None,
        source: str = "",
        version: str = "",
    ) -> CitySnapshot:
        """Build a snapshot from frames (the store's loader and tests both come here).

        ``tables`` holds the extra project tables by name (:data:`OVERRIDE_TABLE`,
        :data:`MEMORANDUM_TABLE`). ``rules`` defaults to the settings' rule set.
        """
        settings = dict(settings or {})
        unknown = set(layers) - set(LAYERS)
        if unknown:
            raise KeyError(f"unknown layers: {', '.join(sorted(unknown))}")
        full = {name: layers[name] if name in layers else empty_frame(name) for name in LAYERS}
        tables = tables or {}
        memo = tables.get(MEMORANDUM_TABLE)
        return cls(
            layers=_freeze(full),
            present=frozenset(layers),
            settings=_freeze(settings),
            meta=_freeze(meta),
            rules=load_rules(rules, settings=settings),
            override_history=_override_history(tables.get(OVERRIDE_TABLE)),
            memorandum=None if memo is None else pd.DataFrame(memo),
            audit=pd.DataFrame() if audit is None else audit,
            source=source,
            version=version,
        )

    @cached_property
    def sk_versions(self) -> pd.DataFrame:
        """:func:`kumuhgis.core.sk.sk_versions` of the ``sk_kumuh`` layer, date-checked
        (computed on first use, so a command that needs no SK never stops on one)."""
        return sk_versions(self.sk_kumuh)

    # one property per layer, so code reads ``snap.rt`` rather than ``snap.layers["rt"]``
    @property
    def wilayah(self) -> gpd.GeoDataFrame:
        return self.layers["wilayah"]

    @property
    def rt(self) -> gpd.GeoDataFrame:
        return self.layers["rt"]

    @property
    def delineasi(self) -> gpd.GeoDataFrame:
        return self.layers["delineasi"]

    @property
    def sk_kumuh(self) -> pd.DataFrame:
        return self.layers["sk_kumuh"]

    @property
    def baseline(self) -> pd.DataFrame:
        return self.layers["baseline"]

    @property
    def infrastruktur(self) -> gpd.GeoDataFrame:
        return self.layers["infrastruktur"]

    @property
    def kolaborasi(self) -> gpd.GeoDataFrame:
        return self.layers["kolaborasi"]

    @property
    def kota(self) -> str:
        """The city's name: the ``kota`` setting, else the project's meta."""
        return str(self.settings.get("kota") or self.meta.get("kota", "") or "")

    def get(self, layer: str) -> pd.DataFrame | None:
        """The layer's frame, or ``None`` when the project does not hold it."""
        return self.layers[layer] if layer in self.present else None

    def has(self, layer: str) -> bool:
        """Whether the project holds ``layer`` (even an empty one)."""
        return layer in self.present

    def with_settings(self, settings: Mapping[str, Any], *, rules: RuleSet | str | None = None):
        """The same project seen with other settings (a ``--settings`` file, ``--rules``)."""
        return CitySnapshot(
            layers=self.layers,
            present=self.present,
            settings=_freeze(settings),
            meta=self.meta,
            rules=load_rules(rules, settings=dict(settings)),
            override_history=self.override_history,
            memorandum=self.memorandum,
            audit=self.audit,
            source=self.source,
            version=self.version,
        )
