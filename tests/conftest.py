"""Shared pytest fixtures."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data not found at {SHARED_DATA}")
    return SHARED_DATA


def _require_all() -> bool:
    return os.environ.get("KUMUHGIS_REQUIRE_ALL") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """With KUMUHGIS_REQUIRE_ALL=1 a skip raised while collecting a module (a module-level
    ``pytest.importorskip``, ``pytest.skip(allow_module_level=True)``) fails the run too:
    without this a missing package would skip a whole test file silently."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _require_all():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"{collector.nodeid} skipped while collecting, but KUMUHGIS_REQUIRE_ALL=1 "
            f"requires every part: {reason}"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With KUMUHGIS_REQUIRE_ALL=1 (set by .ci/run) a skipped test fails instead.

    CI installs every real part the suite needs (Chromium, poppler, ../shared/data); a skip
    there means something is missing, and that must not pass silently.
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _require_all() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but KUMUHGIS_REQUIRE_ALL=1 requires every part: {reason}"


@pytest.fixture(scope="session")
def demo_city():
    """The demo city's frames (default seed), built once per test session."""
    from kumuhgis.demo import build_demo

    return build_demo()


@pytest.fixture(scope="session")
def demo_project(demo_city, tmp_path_factory):
    """The demo city as a project file, built once per session. Read it, never write to it:
    tests that change a project copy this file into their own ``tmp_path`` first."""
    from kumuhgis.store import create_store

    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    create_store(
        path,
        kota=demo_city.settings["kota"],
        settings=demo_city.settings,
        layers=demo_city.layers,
        command="kumuhgis demo",
    )
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    yield path
    after = hashlib.sha256(path.read_bytes()).hexdigest()
    assert after == before, "a test wrote into the shared demo project; copy it first"
