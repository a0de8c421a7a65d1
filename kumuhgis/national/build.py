"""``kumuhgis nasional build``: a folder of city projects into the national dataset.

Each project (a ``.gpkg`` store, contracts.md "The store") is read once
(:func:`kumuhgis.store.snapshot.load_snapshot`) and written as its partition
(:func:`kumuhgis.national.dataset.write_city`): layers, settings, the Korkot's overrides and
the memorandum program, the SK versions and the kawasan in force each year. One project at
a time, so memory is that of the largest city.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kumuhgis.core.errors import UsageError
from kumuhgis.core.snapshot import MEMORANDUM_TABLE, OVERRIDE_TABLE
from kumuhgis.national.dataset import CityPartition, write_city
from kumuhgis.store import open_store
from kumuhgis.store.snapshot import load_snapshot

__all__ = ["add_project", "build_dataset", "project_paths"]


def add_project(root: str | os.PathLike, project: str | os.PathLike) -> CityPartition:
    """Write the city project at ``project`` as a partition of the dataset at ``root``
    (replacing the city's partition if it is there). The project's settings must hold
    ``kode_kota`` (and should hold ``kota`` and ``provinsi``)."""
    snap = load_snapshot(open_store(project))
    layers = {name: snap.layers[name] for name in snap.present}
    tables = {OVERRIDE_TABLE: snap.override_history, MEMORANDUM_TABLE: snap.memorandum}
    return write_city(
        root,
        layers,
        settings=dict(snap.settings),
        meta=dict(snap.meta),
        tables=tables,
        source=Path(project).name,
    )


def project_paths(directory: str | os.PathLike) -> list[Path]:
    """The ``.gpkg`` projects in ``directory``, by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UsageError(f"Folder proyek tidak ditemukan / project folder not found: {directory}")
    paths = sorted(directory.glob("*.gpkg"))
    if not paths:
        raise UsageError(f"Tidak ada proyek .gpkg di / no .gpkg project in: {directory}")
    return paths


def build_dataset(
    directory: str | os.PathLike,
    root: str | os.PathLike,
    *,
    on_city: Callable[[CityPartition], None] | None = None,
) -> list[CityPartition]:
    """Write every project of ``directory`` into the dataset at ``root``; two projects of
    one ``kode_kota`` are refused before anything is written over."""
    paths = project_paths(directory)
    seen: dict[str, Path] = {}
    for path in paths:
        code = str(open_store(path).settings().get("kode_kota", "")).strip()
        if code and code in seen:
            raise UsageError(
                f"Dua proyek dengan kode_kota {code}: {seen[code].name} dan {path.name} / "
                f"two projects with kode_kota {code}"
            )
        seen[code] = path
    out = []
    for path in paths:
        part = add_project(root, path)
        out.append(part)
        if on_city is not None:
            on_city(part)
    return out
