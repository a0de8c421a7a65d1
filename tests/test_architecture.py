"""The architecture as tests (docs/architecture.md): import contracts, small rooms, one reading.

* the import-linter contracts of pyproject.toml hold (layers import downwards only, analysis
  is pure, no cycles inside a layer);
* no module passes 800 lines and no function 100 lines;
* an analysis never changes the snapshot it was given.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kumuhgis", "app")
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 100


def test_import_contracts_hold():
    """`lint-imports` over pyproject.toml's [tool.importlinter]; prints what is broken."""
    from importlinter.application.use_cases import lint_imports
    from importlinter.configuration import configure

    configure()  # what the `lint-imports` command does first (readers, contract types)
    ok = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    assert ok, "import contracts broken (listed above; `lint-imports` shows the same)"


def _modules():
    for pkg in PACKAGES:
        yield from sorted((ROOT / pkg).rglob("*.py"))


def test_no_module_over_800_lines():
    sizes = {
        p.relative_to(ROOT).as_posix(): len(p.read_text("utf-8").splitlines()) for p in _modules()
    }
    big = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not big, f"modules over {MAX_MODULE_LINES} lines: {big}"
    assert max(sizes.values()) <= MAX_MODULE_LINES


def test_no_function_over_100_lines():
    long = []
    for path in _modules():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(
                        f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name} ({n})"
                    )
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def _digest(snapshot) -> str:
    """The content of every frame (columns, dtypes, values, geometry as WKB, index), not its
    in-memory layout: pandas may consolidate blocks or build a spatial index when read."""
    import pandas as pd

    h = hashlib.sha256()
    frames = dict(snapshot.layers, override_history=snapshot.override_history)
    for name, frame in frames.items():
        plain = frame.to_wkb() if hasattr(frame, "to_wkb") else pd.DataFrame(frame)
        h.update(name.encode())
        h.update(repr([(c, str(plain[c].dtype)) for c in plain.columns]).encode())
        h.update(pd.util.hash_pandas_object(plain.astype(object), index=True).to_numpy().tobytes())
    return h.hexdigest()


def test_analysis_never_changes_its_snapshot(demo_project):
    from kumuhgis.analysis.city import classify_city, reduction_city, score_city, verify_city
    from kumuhgis.analysis.rp2kpkp import build_annex
    from kumuhgis.analysis.summary import city_summary
    from kumuhgis.store import open_store
    from kumuhgis.store.snapshot import load_snapshot

    snap = load_snapshot(open_store(demo_project))
    before = _digest(snap)
    score_city(snap)
    reduction_city(snap, year_from=2016, year_to=2020, by="kawasan")
    verify_city(snap)
    classify_city(snap)
    city_summary(snap)
    build_annex(snap)
    assert _digest(snap) == before


def test_snapshot_is_read_only(demo_project):
    import dataclasses

    from kumuhgis.store import open_store
    from kumuhgis.store.snapshot import load_snapshot

    snap = load_snapshot(open_store(demo_project))
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.rules = None
    with pytest.raises(TypeError):
        snap.layers["rt"] = None
    with pytest.raises(TypeError):
        snap.settings["kota"] = "lain"
