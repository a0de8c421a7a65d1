"""Shared pytest fixtures."""

from __future__ import annotations

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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With KUMUHGIS_REQUIRE_ALL=1 (set by .ci/run) a skipped test fails instead.

    CI installs every real part the suite needs (Chromium, poppler, ../shared/data); a skip
    there means something is missing, and that must not pass silently.
    """
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("KUMUHGIS_REQUIRE_ALL") == "1"
        and not hasattr(report, "wasxfail")
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but KUMUHGIS_REQUIRE_ALL=1 requires every part: {reason}"
