"""Several output files written together: all of them or none (issue 10 §5).

A command such as ``kumuhgis kolaborasi --out x.xlsx`` writes the file the user named and
files beside it (``x_korkot.xlsx``, ``x_korkot.geojson``). :func:`write_together` calls
each file's writer with a path in a temporary folder beside its target, under the target's
own name (so a writer that takes a layer or sheet name from the file name writes the same
bytes); only when every writer has succeeded are the files moved onto their targets, one
after the other, each existing target set aside first. Should a move fail (a folder where a
file should go, a full disk), the targets already moved are put back as they were and the
new ones removed: on any failure no target changes.

The returned :class:`Written` says which targets already existed, so that a command can
tell the user which files it replaced beside the one they named.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kumuhgis.core.errors import UsageError

__all__ = ["Written", "check_format", "commit_moves", "write_together"]


@dataclass(frozen=True)
class Written:
    """The files one command wrote, in order (the named one first), and those of them that
    replaced an existing file."""

    paths: tuple[Path, ...]
    replaced: tuple[Path, ...] = ()

    @property
    def siblings(self) -> tuple[Path, ...]:
        """The files written beside the first (the one the user named)."""
        return self.paths[1:]

    def note(self, path: Path, lang: str = "id") -> str:
        """`` (diganti / replaced)`` when ``path`` is a sibling that replaced a file, else
        nothing (the user named the first file; replacing it is no news)."""
        if path in self.siblings and path in self.replaced:
            return " (diganti / replaced)" if lang == "id" else " (replaced)"
        return ""

    def describe(self, lang: str = "id") -> str:
        """The paths for a terminal line, each with its :meth:`note`:
        ``x.csv, x.geojson (diganti / replaced)``."""
        return ", ".join(f"{p}{self.note(p, lang)}" for p in self.paths)


def check_format(path: Path, formats: tuple[str, ...]) -> str:
    """The lower-case extension of ``path``, refused (:class:`UsageError`) when it is not
    one of ``formats``."""
    ext = path.suffix.lower()
    if ext not in formats:
        raise UsageError(
            f"Format keluaran '{ext or path.name}' tidak didukung; gunakan {', '.join(formats)} / "
            f"unsupported output format; use {', '.join(formats)}"
        )
    return ext


def _folder_error(target: Path) -> UsageError:
    return UsageError(
        f"Tidak dapat menulis {target}: sudah ada folder dengan nama itu; tidak ada berkas "
        f"yang diubah / cannot write {target}: a folder has that name; no file was changed"
    )


def commit_moves(pairs: list[tuple[Path, Path]], aside: Path) -> tuple[Path, ...]:
    """Move each ``(new file, target)`` into place, all or nothing.

    An existing target is first set aside in ``aside`` (same file system); missing parent
    folders of a target are created. Should any step fail, every target already moved is
    taken out again, the set-aside files are put back, the folders created are removed,
    and the error is raised (a folder standing where a file must go raises
    :class:`IsADirectoryError`). Returns the targets that replaced an existing file.
    """
    done: list[tuple[Path, Path | None]] = []  # (target, where the old file was set aside)
    created: list[Path] = []
    try:
        for n, (new, target) in enumerate(pairs):
            missing = [d for d in reversed(target.parents) if not d.exists()]
            for d in missing:
                d.mkdir()
            created += missing
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
            old = None
            if target.exists() or target.is_symlink():
                aside.mkdir(parents=True, exist_ok=True)
                old = aside / f"{n}-{target.name}"
                os.replace(target, old)
            done.append((target, old))
            os.replace(new, target)
    except BaseException:
        for moved, old in reversed(done):
            if old is not None:
                os.replace(old, moved)
            else:
                moved.unlink(missing_ok=True)
        for d in reversed(created):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise
    return tuple(moved for moved, old in done if old is not None)


def write_together(writers: Mapping[str | os.PathLike, Callable[[Path], object]]) -> Written:
    """Write several files all-or-nothing (module docstring).

    Parameters
    ----------
    writers
        ``{target: writer}`` in the order to report them (the file the user named first);
        each ``writer(path)`` writes its file to ``path``, which has the target's name.

    Returns
    -------
    Written
        The targets, and those that replaced an existing file.

    Raises
    ------
    UsageError
        A target is an existing folder (nothing is changed).
    Exception
        Whatever a writer raised; no target has changed.
    """
    targets = [Path(t) for t in writers]
    if len(set(targets)) != len(targets):
        raise UsageError(f"Berkas keluaran ganda / duplicate output files: {targets}")
    work: dict[Path, Path] = {}
    try:
        pairs = []
        for target, write in zip(targets, writers.values(), strict=True):
            if target.parent not in work:
                target.parent.mkdir(parents=True, exist_ok=True)
                work[target.parent] = Path(tempfile.mkdtemp(dir=target.parent, prefix=".kumuhgis-"))
            tmp = work[target.parent] / target.name
            write(tmp)
            pairs.append((tmp, target))
        try:
            replaced = commit_moves(pairs, work[targets[0].parent] / ".lama")
        except OSError as exc:
            if exc.errno in (errno.EISDIR, errno.ENOTEMPTY):
                raise _folder_error(Path(exc.filename or targets[0])) from exc
            raise
    finally:
        for folder in work.values():
            shutil.rmtree(folder, ignore_errors=True)
    return Written(paths=tuple(targets), replaced=replaced)
