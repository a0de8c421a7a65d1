"""kumuhgis on Windows, checked on Linux (issue 13 item 4): no POSIX-only module imported
unguarded, writers serialised by the cross-platform lock, paths with spaces, a cp1252
console."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from kumuhgis.store import create_store, open_store

ROOT = Path(__file__).resolve().parents[1]

#: Modules of one platform only (POSIX, or Windows).
PLATFORM_ONLY = {
    "fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "posix", "syslog", "crypt",
    "spwd", "nis", "curses", "readline", "_posixsubprocess", "_posixshmem",
    "msvcrt", "winreg", "winsound", "_winapi", "nt",
}  # fmt: skip
_PLATFORM_TESTS = ("os.name", "sys.platform", "platform.system")


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name.split(".")[0] for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module.split(".")[0]]
    return []


def _guards(node: ast.AST) -> bool:
    """An ``if`` on the platform, or a ``try`` that catches ImportError."""
    if isinstance(node, ast.If | ast.IfExp):
        return any(t in ast.unparse(node.test) for t in _PLATFORM_TESTS)
    if isinstance(node, ast.Try):
        caught = " ".join(ast.unparse(h.type) for h in node.handlers if h.type is not None)
        return "ImportError" in caught or "ModuleNotFoundError" in caught
    return False


def unguarded_platform_imports(source: str, filename: str = "<source>") -> list[str]:
    """``file:line module`` of every import of a :data:`PLATFORM_ONLY` module that no
    platform test or ImportError handler encloses."""
    tree = ast.parse(source, filename)
    found: list[str] = []

    def visit(node: ast.AST, guarded: bool) -> None:
        for module in _imported_modules(node):
            if module in PLATFORM_ONLY and not guarded:
                found.append(f"{filename}:{node.lineno} {module}")
        for child in ast.iter_child_nodes(node):
            visit(child, guarded or _guards(node))

    visit(tree, False)
    return found


def test_the_guard_check_tells_guarded_from_unguarded():
    source = textwrap.dedent(
        """
        import os, fcntl
        from pwd import getpwuid
        if os.name == "nt":
            import msvcrt
        else:
            import termios
        try:
            import resource
        except ImportError:
            resource = None
        def f():
            import grp
        """
    )
    assert [f.split(" ")[1] for f in unguarded_platform_imports(source)] == [
        "fcntl",
        "pwd",
        "grp",
    ]


def test_no_platform_only_module_is_imported_unguarded():
    """Everything kumuhgis and its web app import must exist on Windows and on Linux."""
    files = sorted([*ROOT.joinpath("kumuhgis").rglob("*.py"), *ROOT.joinpath("app").rglob("*.py")])
    assert len(files) > 50
    found = []
    for path in files:
        found += unguarded_platform_imports(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    assert found == [], "POSIX/Windows-only imports without a guard: " + ", ".join(found)


# --------------------------------------------------------------------------- the writer lock

_WRITER = textwrap.dedent(
    """
    import sys, time
    import geopandas as gpd
    from shapely.geometry import box
    from kumuhgis.store import open_store
    store = open_store(sys.argv[1])
    i = int(sys.argv[2])
    rt = gpd.GeoDataFrame(
        {"kode_rt": [f"W{i}-{k}" for k in range(5)], "rt": ["001"] * 5, "rw": ["001"] * 5,
         "kode_kel": ["1"] * 5},
        geometry=[box(112.9 + k * 0.001, -2.6 + i * 0.001, 112.9005 + k * 0.001,
                      -2.5995 + i * 0.001) for k in range(5)],
        crs=4326,
    )
    with store.transaction(command=f"writer {i}") as tx:
        # the working copy is taken: without the lock, another writer's rows would be
        # lost when this one replaces the file
        time.sleep(0.5)
        tx.write("rt", rt, mode="append")
    """
)


def test_writers_in_several_processes_are_serialised(tmp_path):
    """Four processes append to one project at once: every row of every writer is kept,
    each write audited, and the lock file is ``.<name>.lock`` beside the project."""
    folder = tmp_path / "folder with spaces"
    folder.mkdir()
    path = folder / "kota uji.gpkg"
    store = create_store(path, kota="Kota Uji")
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, str(script), str(path), str(i)], env=env)
        for i in range(4)
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0
    rt = store.read("rt")
    assert sorted(rt["kode_rt"]) == sorted(f"W{i}-{k}" for i in range(4) for k in range(5))
    assert sorted(store.audit()["perintah"].tolist()[-4:]) == [f"writer {i}" for i in range(4)]
    assert (folder / ".kota uji.gpkg.lock").exists()
    assert not list(folder.glob(".kota uji.gpkg.tmp-*"))


def test_writers_in_threads_are_serialised(tmp_path):
    """The same within one process (the web app's threads)."""
    import threading

    store = create_store(tmp_path / "kota.gpkg", kota="Kota Uji")
    errors: list[BaseException] = []

    def write(i: int) -> None:
        rt = gpd.GeoDataFrame(
            {"kode_rt": [f"T{i}"], "rt": ["001"], "rw": ["001"], "kode_kel": ["1"]},
            geometry=[box(112.9, -2.6 + i * 0.001, 112.901, -2.599 + i * 0.001)],
            crs=4326,
        )
        try:
            open_store(store.path).write("rt", rt, mode="append", command=f"thread {i}")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    assert sorted(store.read("rt")["kode_rt"]) == [f"T{i}" for i in range(4)]


# --------------------------------------------------------------------------- paths and consoles


def _cli(*args: str, encoding: str = "cp1252") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": encoding}
    env.pop("KUMUHGIS_LANG", None)
    return subprocess.run(
        [sys.executable, "-m", "kumuhgis", *args], capture_output=True, env=env, timeout=300
    )


@pytest.fixture(scope="module")
def spaced_project(demo_project, tmp_path_factory):
    folder = tmp_path_factory.mktemp("windows") / "folder with spaces"
    folder.mkdir()
    path = folder / "kota demo.gpkg"
    shutil.copyfile(demo_project, path)
    return path


@pytest.mark.parametrize(
    ("lang", "title", "reduction"),
    [
        ("id", "Ringkasan kota — Kabupaten Kotawaringin Timur", "Pengurangan luas kumuh 2016?2020"),
        ("en", "City summary — Kabupaten Kotawaringin Timur", "Slum area reduced 2016?2020"),
    ],
)
def test_summary_on_a_path_with_spaces_in_a_cp1252_console(spaced_project, lang, title, reduction):
    """``kumuhgis summary "<folder with spaces>/kota demo.gpkg"`` in a cp1252 console: the
    tables drawn in ASCII, "→" (not in cp1252) printed as "?", "—" (in cp1252) kept."""
    r = _cli("--lang", lang, "summary", str(spaced_project))
    assert r.returncode == 0, r.stderr.decode("cp1252")
    out = r.stdout.decode("cp1252")
    assert title in out and reduction in out
    assert "| RT" in out  # an ASCII table


def test_explain_with_arrows_in_a_cp1252_console(spaced_project):
    """``explain`` writes "→" on every criterion line: "?" in cp1252, never a crash."""
    r = _cli("explain", str(spaced_project), "6202051001-RW06-RT03")
    assert r.returncode == 0, r.stderr.decode("cp1252")
    out = r.stdout.decode("cp1252")
    assert "1a Ketidakteraturan bangunan" in out and "% ? nilai" in out
    utf8 = _cli("explain", str(spaced_project), "6202051001-RW06-RT03", encoding="utf-8")
    assert "% → nilai" in utf8.stdout.decode("utf-8")  # UTF-8 consoles keep the arrow


def test_error_message_in_a_cp1252_console(spaced_project):
    """A bad path with "≤" and "²" in it: the bilingual error on stderr, exit 2."""
    missing = spaced_project.parent / "tidak ada ≤ ².gpkg"
    r = _cli("summary", str(missing))
    assert r.returncode == 2
    err = r.stderr.decode("cp1252")
    assert "Proyek tidak ditemukan" in err and "tidak ada ? ².gpkg" in err
