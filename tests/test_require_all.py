"""KUMUHGIS_REQUIRE_ALL=1 turns every skip into a failure, including skips raised while a
module is collected (issue 13 item 7): run a tiny suite with this project's conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")

MODULE_IMPORTORSKIP = """
import pytest

pytest.importorskip("kumuhgis_tidak_ada_modul_ini")


def test_never_runs():
    assert False
"""

MODULE_SKIPIF = """
import pytest

pytestmark = pytest.mark.skipif(True, reason="no browser here")


def test_marked():
    assert True
"""


@pytest.fixture
def suite(pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    return pytester


def test_module_level_importorskip_fails_under_require_all(suite, monkeypatch):
    suite.makepyfile(test_needs_module=MODULE_IMPORTORSKIP)
    monkeypatch.setenv("KUMUHGIS_REQUIRE_ALL", "1")
    result = suite.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.assert_outcomes(errors=1, skipped=0, passed=0)
    result.stdout.fnmatch_lines(
        ["*skipped while collecting, but KUMUHGIS_REQUIRE_ALL=1*kumuhgis_tidak_ada_modul_ini*"]
    )


def test_module_level_importorskip_skips_without_require_all(suite, monkeypatch):
    suite.makepyfile(test_needs_module=MODULE_IMPORTORSKIP)
    monkeypatch.delenv("KUMUHGIS_REQUIRE_ALL", raising=False)
    result = suite.runpytest("-p", "no:cacheprovider")
    # the silent case the variable guards against: nothing ran, nothing failed
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.assert_outcomes(skipped=1)


def test_module_pytestmark_skipif_fails_under_require_all(suite, monkeypatch):
    suite.makepyfile(test_marked=MODULE_SKIPIF)
    monkeypatch.setenv("KUMUHGIS_REQUIRE_ALL", "1")
    result = suite.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.assert_outcomes(errors=1, skipped=0)
    result.stdout.fnmatch_lines(["*KUMUHGIS_REQUIRE_ALL=1 requires every part*no browser here*"])
