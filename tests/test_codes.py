"""One code-list parser (kumuhgis.core.codes): the same cell gives the same codes everywhere.

Issue 10's bug: an SK ``kode_rt`` cell typed with Alt+Enter in Excel ("R1\\nR2") was split by
the SK verification but not by the reduction or the RP2KPKP, so the same RTs were inside a
kawasan for one command and outside it for another.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kumuhgis.analysis.city import reduction_city, verify_city
from kumuhgis.analysis.reduction import rt_units
from kumuhgis.analysis.rp2kpkp import build_annex
from kumuhgis.cli import main
from kumuhgis.core.codes import split_codes
from kumuhgis.core.vocabulary import parse_kriteria
from kumuhgis.store import open_store
from kumuhgis.store.snapshot import load_snapshot


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("R1;R2", ["R1", "R2"]),
        ("R1, R2", ["R1", "R2"]),
        ("R1\nR2", ["R1", "R2"]),  # Alt+Enter
        ("R1\r\nR2\r\n", ["R1", "R2"]),  # Alt+Enter, saved on Windows
        ("R1 / R2 | R3", ["R1", "R2", "R3"]),
        ("  R1  ", ["R1"]),
        ("", []),
        (None, []),
        (float("nan"), []),
        (pd.NA, []),
    ],
)
def test_split_codes(cell, codes):
    assert split_codes(cell) == codes


@given(st.lists(st.from_regex(r"[A-Za-z0-9.\-]{1,12}", fullmatch=True), min_size=1, max_size=8))
def test_any_separator_gives_the_same_codes(codes):
    for sep in (";", ",", "\n", "\r\n", " / ", " | ", "; "):
        assert split_codes(sep.join(codes)) == codes


def test_criteria_use_the_same_separators():
    assert parse_kriteria("1a\n2b") == ("1a", "2b")
    assert parse_kriteria("1a / 2b | 4c") == ("1a", "2b", "4c")


@pytest.fixture(scope="module")
def two_projects(demo_project, tmp_path_factory):
    """The demo, and a copy whose SK ``kode_rt`` lists are written with Alt+Enter."""
    folder = tmp_path_factory.mktemp("altenter")
    plain = folder / "plain.gpkg"
    shutil.copy(demo_project, plain)
    alt = folder / "altenter.gpkg"
    shutil.copy(demo_project, alt)
    store = open_store(alt)
    sk = store.read("sk_kumuh")
    listed = sk["kode_rt"].fillna("").astype(str)
    assert listed.str.contains(";").any(), "the demo SK must list RTs"
    sk["kode_rt"] = listed.str.replace(";", "\n", regex=False).where(sk["kode_rt"].notna())
    with store.transaction(command="test: Alt+Enter SK cells") as tx:
        tx.write("sk_kumuh", sk)
    assert open_store(alt).read("sk_kumuh")["kode_rt"].str.contains("\n").any()
    return plain, alt


def test_alt_enter_sk_cell_gives_the_same_rts_in_every_command(two_projects, tmp_path):
    plain, alt = (load_snapshot(open_store(p)) for p in two_projects)
    # RT → kawasan (reduction and RP2KPKP build on it)
    units = [
        rt_units(s.rt, s.wilayah, delineasi=s.delineasi, sk_kumuh=s.sk_kumuh) for s in (plain, alt)
    ]
    pd.testing.assert_frame_equal(units[0], units[1])
    # reduction by kawasan
    red = [reduction_city(s, year_from=2016, year_to=2020, by="kawasan").view for s in (plain, alt)]
    pd.testing.assert_frame_equal(red[0], red[1])
    # SK verification
    ver = [verify_city(s).findings for s in (plain, alt)]
    pd.testing.assert_frame_equal(ver[0], ver[1])
    # RP2KPKP kawasan profile
    prof = [build_annex(s).profil for s in (plain, alt)]
    pd.testing.assert_frame_equal(prof[0], prof[1])


def test_alt_enter_sk_cell_through_the_command_line(two_projects, tmp_path):
    plain, alt = two_projects
    for cmd in (["verify-sk"], ["reduction", "--from", "2016", "--to", "2020", "--by", "kawasan"]):
        outs = []
        for name, project in (("plain", plain), ("alt", alt)):
            out = tmp_path / f"{cmd[0]}_{name}.csv"
            assert main([cmd[0], str(project), *cmd[1:], "--out", str(out)]) == 0
            outs.append(out.read_text("utf-8"))
        assert outs[0] == outs[1], f"{cmd[0]} differs between ';' and Alt+Enter SK cells"
