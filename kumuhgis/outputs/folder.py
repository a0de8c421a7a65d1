"""Writing several files into one folder, all or nothing.

:func:`staged_folder` gives a staging folder beside the target folder; the writers fill
it, and only when every one of them succeeded are its files moved into the target. A
writer that fails leaves the target as it was. The move itself is undone when one of its
steps fails (a folder standing where a file must go, a file that cannot be replaced): the
files already moved are taken out again and the ones they replaced put back.

Files of the target that the writers did not write are never touched. Files they replace
are listed in :attr:`Staging.replaced`, so a command can say which earlier files it
replaced (:mod:`kumuhgis.outputs.files` does the same for one file: ``atomic_path``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.fileset import commit_moves

__all__ = ["Staging", "staged_folder"]


@dataclass
class Staging:
    """A staging folder: write into :attr:`path`; after the ``with`` block the files are
    in :attr:`target` and :attr:`replaced` names (relative, with ``/``) the files of the
    target they replaced."""

    path: Path
    target: Path
    replaced: list[str] = field(default_factory=list)

    def final(self, written: str | os.PathLike) -> Path:
        """Where a file written under :attr:`path` ends up in the target."""
        return self.target / Path(written).relative_to(self.path)


def _make_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the ones created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for d in reversed(missing):
        d.mkdir()
    return list(reversed(missing))


def _remove_dirs(created: list[Path]) -> None:
    for d in reversed(created):
        with contextlib.suppress(OSError):
            d.rmdir()


def _publish(new: Path, target: Path, old: Path) -> list[str]:
    """Move every file of ``new`` to the same place under ``target`` (:func:`commit_moves`,
    the files they replace set aside in ``old``); on failure nothing of ``target`` changes
    and the error names the file."""
    if not target.exists():
        os.rename(new, target)  # a new folder appears whole
        return []
    files = sorted((p for p in new.rglob("*") if not p.is_dir()), key=lambda p: p.as_posix())
    try:
        replaced = commit_moves([(src, target / src.relative_to(new)) for src in files], old)
    except OSError as exc:
        dest = exc.filename or target
        raise UsageError(
            f"Tidak dapat menulis {dest} ({exc.strerror}); {target} tidak diubah / "
            f"cannot write {dest} ({exc.strerror}); {target} left as it was"
        ) from exc
    return [d.relative_to(target).as_posix() for d in replaced]


@contextlib.contextmanager
def staged_folder(target: str | os.PathLike) -> Iterator[Staging]:
    """Yield a :class:`Staging` whose files land in ``target`` only if the block succeeds.

    The staging folder is a hidden folder beside ``target`` (same file system, so the
    final moves are renames). A ``target`` that does not exist yet appears whole, with
    everything in it; an existing one keeps every file the block did not write.

    Raises
    ------
    UsageError
        ``target`` is a file, or a file cannot be moved into place (for example a folder
        stands where a file must go); ``target`` is then left as it was.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UsageError(f"Bukan folder / not a folder: {target}")
    created = _make_dirs(target.parent)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    staging = Staging(path=work / "baru", target=target)
    try:
        staging.path.mkdir()
        yield staging
        staging.replaced = _publish(staging.path, target, work / "lama")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        _remove_dirs(created)
        raise
    shutil.rmtree(work, ignore_errors=True)
