"""SK place names against the official boundary layer (domain.md §6 ``nama_tidak_cocok``;
issue 13 item 8).

The SK is a legal text: a kelurahan written "Baruulu" where the boundary layer says
"Baru Ulu" still finds its kelurahan (the RT checks go on), but is reported with the official
spelling as the suggestion. Names are real: Kota Balikpapan's kelurahan from
../shared/data/cahyadsn_wilayah_boundaries (MIT; see its README).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from kumuhgis.analysis.verification import verify_sk


@pytest.fixture(scope="module")
def balikpapan(shared_data):
    kel = gpd.read_file(
        shared_data / "cahyadsn_wilayah_boundaries" / "kel_balikpapan_64.71.geojson"
    )
    wilayah = gpd.GeoDataFrame(
        {
            "kode_kel": kel["kode"].astype(str),
            "kelurahan": kel["nama"].astype(str),
            "kecamatan": kel["nama_kec"].astype(str),
            "kota": "Kota Balikpapan",
        },
        geometry=kel.geometry,
        crs=kel.crs,
    )
    assert {"Baru Ulu", "Marga Sari", "Muara Rapak"} <= set(wilayah["kelurahan"])
    return wilayah


def _sk(kelurahan: str, kecamatan: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "no_sk": ["188/1/2021"],
            "tanggal_sk": ["2021-03-01"],
            "kode_kawasan": ["K1"],
            "nama_lokasi": ["Kawasan Satu"],
            "kelurahan": [kelurahan],
            "kecamatan": [kecamatan],
            "luas_sk_ha": [5.0],
        }
    )


def _names(wilayah, kelurahan, kecamatan):
    kec = wilayah.loc[wilayah["kelurahan"] == "Baru Ulu", "kecamatan"].iloc[0]
    res = verify_sk(_sk(kelurahan, kecamatan or kec), None, wilayah=wilayah)
    f = res.findings
    return f[f["flag"] == "nama_tidak_cocok"]


@pytest.mark.parametrize(
    ("written", "official"),
    [
        ("Baruulu", "Baru Ulu"),  # spaces left out
        ("Baru-Ulu", "Baru Ulu"),  # punctuation
        ("Margasari", "Marga Sari"),  # how it is commonly written
        ("Muara  Rapak.", "Muara Rapak"),
    ],
)
def test_a_name_equal_only_without_spaces_or_punctuation_is_reported(balikpapan, written, official):
    found = _names(balikpapan, written, None)
    assert len(found) == 1
    row = found.iloc[0]
    assert row["saran"] == official
    assert "ejaan resmi" in row["detail"] and official in row["detail"]
    assert "official spelling" in row["detail_en"]


@pytest.mark.parametrize(
    "written", ["Baru Ulu", "BARU ULU", "Kel. Baru Ulu", "kelurahan baru  ulu"]
)
def test_the_official_spelling_in_any_case_passes(balikpapan, written):
    assert _names(balikpapan, written, None).empty


def test_a_kecamatan_written_without_its_space_is_reported(balikpapan):
    kec = balikpapan.loc[balikpapan["kelurahan"] == "Baru Ulu", "kecamatan"].iloc[0]
    squeezed = kec.replace(" ", "")
    assert squeezed != kec, "the Balikpapan kecamatan of Baru Ulu has two words"
    found = _names(balikpapan, "Baru Ulu", squeezed)
    assert list(found["saran"]) == [kec]


def test_an_unknown_name_still_gets_the_closest_spelling(balikpapan):
    found = _names(balikpapan, "Barru Ullu", None)  # a typo, not only spacing
    assert len(found) == 1 and "ejaan terdekat" in found.iloc[0]["detail"]
