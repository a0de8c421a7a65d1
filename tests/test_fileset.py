"""Several output files written together, all or none (kumuhgis.outputs.fileset, issue 10 §5).

Real files in ``tmp_path``; the failures are real ones: a writer that raises, and a folder
standing where a file should go (the move onto it fails in the middle of the commit).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kumuhgis.core.errors import UsageError
from kumuhgis.outputs.fileset import Written, write_together


def _text(value: str):
    def write(path: Path) -> None:
        path.write_text(value, encoding="utf-8")

    return write


def _state(folder: Path) -> dict[str, str]:
    """Every entry of the folder: file contents, ``<folder>`` for folders."""
    return {
        p.name: p.read_text(encoding="utf-8") if p.is_file() else "<folder>"
        for p in sorted(folder.iterdir())
    }


def test_all_files_written_and_existing_siblings_reported(tmp_path):
    (tmp_path / "x_b.txt").write_text("old b", encoding="utf-8")
    (tmp_path / "x.txt").write_text("old x", encoding="utf-8")
    written = write_together(
        {
            tmp_path / "x.txt": _text("new x"),
            tmp_path / "x_b.txt": _text("new b"),
            tmp_path / "sub" / "x_c.txt": _text("new c"),  # a folder that does not exist yet
        }
    )
    assert _state(tmp_path) == {"sub": "<folder>", "x.txt": "new x", "x_b.txt": "new b"}
    assert (tmp_path / "sub" / "x_c.txt").read_text(encoding="utf-8") == "new c"
    assert written.paths == (tmp_path / "x.txt", tmp_path / "x_b.txt", tmp_path / "sub" / "x_c.txt")
    assert set(written.replaced) == {tmp_path / "x.txt", tmp_path / "x_b.txt"}
    # only a sibling is news: the user named the first file
    assert written.describe() == (
        f"{tmp_path / 'x.txt'}, {tmp_path / 'x_b.txt'} (diganti / replaced), "
        f"{tmp_path / 'sub' / 'x_c.txt'}"
    )
    assert written.note(tmp_path / "x_b.txt", "en") == " (replaced)"
    assert written.note(tmp_path / "x.txt") == ""


def test_a_writer_failing_in_the_middle_changes_nothing(tmp_path):
    (tmp_path / "x.txt").write_text("old x", encoding="utf-8")
    (tmp_path / "x_c.txt").write_text("old c", encoding="utf-8")
    before = _state(tmp_path)

    def broken(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise ValueError("disk on fire")

    with pytest.raises(ValueError, match="disk on fire"):
        write_together(
            {
                tmp_path / "x.txt": _text("new x"),
                tmp_path / "x_b.txt": broken,
                tmp_path / "x_c.txt": _text("new c"),
            }
        )
    assert _state(tmp_path) == before  # no target changed, no temporary folder left


def test_a_folder_in_place_of_a_sibling_puts_every_moved_file_back(tmp_path):
    """The named file and the first sibling are already moved when the move onto the
    folder fails: both go back to what they were (the new sibling disappears)."""
    (tmp_path / "x.txt").write_text("old x", encoding="utf-8")
    (tmp_path / "x_c.txt").mkdir()
    (tmp_path / "x_c.txt" / "keep.me").write_text("user data", encoding="utf-8")
    before = _state(tmp_path)
    with pytest.raises(UsageError, match="folder"):
        write_together(
            {
                tmp_path / "x.txt": _text("new x"),
                tmp_path / "x_b.txt": _text("new b"),
                tmp_path / "x_c.txt": _text("new c"),
            }
        )
    assert _state(tmp_path) == before
    assert (tmp_path / "x_c.txt" / "keep.me").read_text(encoding="utf-8") == "user data"


def test_the_same_target_twice_is_refused(tmp_path):
    with pytest.raises(UsageError):
        write_together({tmp_path / "x.txt": _text("a"), str(tmp_path / "x.txt"): _text("b")})
    assert not list(tmp_path.iterdir())


def test_written_siblings():
    w = Written(paths=(Path("a.csv"), Path("a.geojson")))
    assert w.siblings == (Path("a.geojson"),) and w.describe() == "a.csv, a.geojson"
