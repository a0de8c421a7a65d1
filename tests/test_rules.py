"""Rule sets as data (domain.md §3–§4) and per-project overrides."""

from __future__ import annotations

import pytest

from kumuhgis.core.errors import UsageError
from kumuhgis.core.rules import (
    DEFAULT_RULES,
    available_rules,
    load_rules,
    rules_document,
    rules_from_document,
)
from kumuhgis.core.schema import CRITERIA_CODES, CRITERIA_CODES_02_2016


def test_shipped_rule_sets_and_default():
    assert DEFAULT_RULES == "permen-14-2018"
    # only rule-set documents count, not other YAML data files in kumuhgis/data
    assert available_rules() == ["permen-14-2018", "permen-02-2016"]
    assert load_rules().name == "permen-14-2018"


def test_permen_14_2018_has_the_16_criteria_of_domain_md_section_3():
    r = load_rules("permen-14-2018")
    assert r.codes == CRITERIA_CODES
    assert len(r.codes) == 16
    # denominators of the §3 table
    expected = {
        "1a": "jumlah_bangunan", "1b": "luas_ha", "1c": "jumlah_bangunan",
        "2a": "panjang_jalan_ideal_m", "2b": "panjang_jalan_ideal_m",
        "3a": "jumlah_kk", "3b": "jumlah_kk", "4a": "luas_ha",
        "4b": "panjang_drainase_ideal_m", "4c": "panjang_drainase_ideal_m",
        "5a": "jumlah_kk", "5b": "jumlah_kk", "6a": "jumlah_kk", "6b": "jumlah_kk",
        "7a": "jumlah_bangunan", "7b": "jumlah_bangunan",
    }  # fmt: skip
    assert {c.code: c.denominator for c in r.criteria} == expected
    assert [c.volume for c in r.criteria] == [f"v_{c}" for c in CRITERIA_CODES]
    assert [a.column for a in r.aspects] == [
        "rata_bangunan", "rata_jalan", "rata_air_minum", "rata_drainase",
        "rata_air_limbah", "rata_persampahan", "rata_kebakaran",
    ]  # fmt: skip
    assert [len(a.codes) for a in r.aspects] == [3, 2, 2, 3, 2, 2, 2]
    assert r.max_total == 80


def test_permen_14_2018_bands_and_levels():
    r = load_rules("permen-14-2018")
    # §4.3: p ≥ 76 → 5; p ≥ 51 → 3; p ≥ 25 → 1; else 0 (in hundredths of a percent)
    assert [(b.min_hundredths, b.score) for b in r.score_bands] == [
        (7600, 5),
        (5100, 3),
        (2500, 1),
        (0, 0),
    ]
    assert r.score_for_hundredths(7599) == 3
    assert r.score_for_hundredths(2499) == 0
    # §4.5: 60–80 KB; 38–59 KS; 16–37 KR; below 16 TK
    assert [r.level_range(c) for c in ("KB", "KS", "KR", "TK")] == [
        (60, 80),
        (38, 59),
        (16, 37),
        (0, 15),
    ]
    assert r.level_for_total(38).code == "KS"
    assert r.level_for_total(37).code == "KR"
    assert r.not_kumuh_codes == ("TK",)


def test_permen_02_2016_has_19_criteria_and_its_default_bands():
    r = load_rules("permen-02-2016")
    assert r.codes == CRITERIA_CODES_02_2016
    assert r.aspect("drainase").codes == ("4a", "4b", "4c", "4d", "4e")
    assert r.aspect("persampahan").codes == ("6a", "6b", "6c")
    assert r.max_total == 95
    # domain.md §3: 71–95 berat, 45–70 sedang, 19–44 ringan, below 19 tidak kumuh
    assert [r.level_range(c) for c in ("KB", "KS", "KR", "TK")] == [
        (71, 95),
        (45, 70),
        (19, 44),
        (0, 18),
    ]
    assert "levels" in r.configurable


def test_2b_denominator_override_from_project_settings():
    settings = {
        "aturan_override": {
            "permen-14-2018": {"criteria": {"2b": {"denominator": "panjang_jalan_eksisting_m"}}}
        }
    }
    r = load_rules("permen-14-2018", settings=settings)
    assert r.criterion("2b").denominator == "panjang_jalan_eksisting_m"
    assert r.criterion("2a").denominator == "panjang_jalan_ideal_m"
    assert "panjang_jalan_eksisting_m" in r.denominator_columns
    # the other rule set is untouched
    assert (
        load_rules("permen-02-2016", settings=settings).criterion("2b").denominator
        == "panjang_jalan_ideal_m"
    )


def test_02_2016_level_override_and_project_default_rule_set():
    settings = {
        "aturan_penilaian": "permen-02-2016",
        "aturan_override": {
            "permen-02-2016": {"levels": {"KB": {"min_total": 70}, "KS": {"min_total": 44}}}
        },
    }
    r = load_rules(settings=settings)  # name from the project setting
    assert r.name == "permen-02-2016"
    assert r.level_range("KB") == (70, 95)
    assert r.level_range("KS") == (44, 69)
    assert r.level_range("KR") == (19, 43)
    assert r.level("KB").label_id == "kumuh berat"  # merged key by key, labels kept
    # an explicit name wins over the project default
    assert load_rules("permen-14-2018", settings=settings).name == "permen-14-2018"


def test_score_bands_override_replaces_the_list():
    settings = {
        "aturan_override": {
            "permen-14-2018": {
                "score_bands": [{"min_pct": 80.5, "score": 5}, {"min_pct": 0, "score": 0}]
            }
        }
    }
    r = load_rules(settings=settings)
    assert [(b.min_hundredths, b.score) for b in r.score_bands] == [(8050, 5), (0, 0)]
    assert r.max_total == 80


@pytest.mark.parametrize(
    "override, words",
    [
        ({"criteria": {"9z": {"denominator": "luas_ha"}}}, "criteria.9z"),
        ({"levels": {"XX": {"min_total": 3}}}, "levels.XX"),
        ({"kriteria": {}}, "kriteria"),
        ({"criteria": {"2b": {"denominator": "panjang jalan"}}}, "bukan nama kolom"),
        ({"criteria": {"2b": {"aspect": "udara"}}}, "udara"),
        (
            {"score_bands": [{"min_pct": 25.001, "score": 1}, {"min_pct": 0, "score": 0}]},
            "dua desimal",
        ),
        ({"score_bands": [{"min_pct": 25, "score": 1}]}, "terendah harus 0"),
        (
            {
                "score_bands": [
                    {"min_pct": 50, "score": 1},
                    {"min_pct": 25, "score": 3},
                    {"min_pct": 0, "score": 0},
                ]
            },
            "naik",
        ),
        ({"levels": {"KS": {"min_total": 60}}}, "kembar"),
        ({"levels": {"TK": {"min_total": 1}}}, "terendah harus 0"),
        ({"levels": {"KB": {"min_total": -1}}}, "bilangan bulat"),
    ],
)
def test_bad_overrides_are_refused_with_the_key_named(override, words):
    with pytest.raises(UsageError) as exc:
        load_rules(settings={"aturan_override": {"permen-14-2018": override}})
    assert words in str(exc.value)


def test_unknown_rule_set_and_bad_settings_shape():
    with pytest.raises(UsageError, match="permen-14-2018"):
        load_rules("permen-99-2030")
    with pytest.raises(UsageError, match="mapping"):
        load_rules(settings={"aturan_override": ["x"]})


def test_documents_are_fresh_copies():
    doc = rules_document("permen-14-2018")
    doc["criteria"]["2b"]["denominator"] = "jumlah_kk"
    assert load_rules("permen-14-2018").criterion("2b").denominator == "panjang_jalan_ideal_m"
    # a hand-made document validates the same way
    assert rules_from_document(doc).criterion("2b").denominator == "jumlah_kk"


def test_describe_lists_every_criterion_in_indonesian():
    table = load_rules().describe()
    assert list(table["kode"]) == list(CRITERIA_CODES)
    assert table.loc[table["kode"] == "4a", "satuan"].item() == "ha"
    assert table.loc[table["kode"] == "4a", "aspek"].item() == "Kondisi drainase lingkungan"
