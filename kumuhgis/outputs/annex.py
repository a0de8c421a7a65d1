"""The RP2KPKP annex as files (domain.md §8): everything ``kumuhgis rp2kpkp`` writes into
one folder, all or nothing.

:func:`write_annex` writes the print maps (``peta/NN_<peta>.png``), the workbook of every
table (``rp2kpkp.xlsx``), the memorandum program for the Pokja to edit
(``memorandum_program.xlsx``) and the PDF (``rp2kpkp.pdf``) into a staging folder beside
the target (:func:`kumuhgis.outputs.folder.staged_folder`) and moves them into place only
when all of them were written. Earlier annex files in the target are replaced and named
in :attr:`AnnexFiles.replaced`; other files there are left alone.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kumuhgis.analysis.rp2kpkp import Annex
from kumuhgis.outputs.annex_maps import MAP_KEYS, annex_maps
from kumuhgis.outputs.annex_workbook import write_annex_workbook, write_memorandum_workbook
from kumuhgis.outputs.cartography import PrintMap
from kumuhgis.outputs.folder import staged_folder
from kumuhgis.outputs.report import write_report

__all__ = ["OUTPUT_FILES", "WRITE_STEPS", "AnnexFiles", "write_annex"]

#: What the annex folder holds: part → file (``maps``: the folder of the PNG maps).
OUTPUT_FILES = {
    "workbook": "rp2kpkp.xlsx",
    "pdf": "rp2kpkp.pdf",
    "memorandum": "memorandum_program.xlsx",
    "maps": "peta",
}
#: How many times :func:`write_annex` reports progress.
WRITE_STEPS = len(MAP_KEYS) + 3


@dataclass(frozen=True)
class AnnexFiles:
    """What :func:`write_annex` wrote, at the paths where the files now are."""

    directory: Path
    workbook: Path
    memorandum: Path
    pdf: Path
    pages: int
    maps: list[PrintMap]
    replaced: list[str]  # earlier files of the folder that were replaced (relative, "/")

    @property
    def maps_directory(self) -> Path:
        return self.directory / OUTPUT_FILES["maps"]


def write_annex(
    annex: Annex,
    directory: str | os.PathLike,
    *,
    paper: str = "A4",
    dpi: int = 200,
    on_step: Callable[[str | None], None] | None = None,
) -> AnnexFiles:
    """Write every file of the annex into ``directory``, all or nothing (module docstring).

    ``on_step(label)`` is called before each map, before the workbooks, before the PDF
    and once at the end (``None``): :data:`WRITE_STEPS` calls in all.

    Raises
    ------
    UsageError
        ``directory`` is a file, a file cannot be moved into place (the folder is then
        left as it was), nothing to map, a bad paper size.
    """
    step = on_step or (lambda label: None)
    target = Path(directory)
    with staged_folder(target) as staging:
        work = staging.path
        maps = annex_maps(
            annex, work / OUTPUT_FILES["maps"], paper=paper, dpi=dpi,
            on_map=lambda title: step(f"Peta / map: {title}"),
        )  # fmt: skip
        step("Buku kerja / workbook")
        write_annex_workbook(annex, work / OUTPUT_FILES["workbook"])
        write_memorandum_workbook(annex, work / OUTPUT_FILES["memorandum"])
        step("PDF")
        info = write_report(annex, maps, work / OUTPUT_FILES["pdf"])
    step(None)
    return AnnexFiles(
        directory=target,
        workbook=target / OUTPUT_FILES["workbook"],
        memorandum=target / OUTPUT_FILES["memorandum"],
        pdf=target / OUTPUT_FILES["pdf"],
        pages=info.pages,
        maps=[dataclasses.replace(m, path=staging.final(m.path)) for m in maps],
        replaced=staging.replaced,
    )
