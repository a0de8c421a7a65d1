"""Tests for kumuhgis.core.vocabulary: funding sources (domain.md §9), criterion codes (§3) and
place names (§6 nama_tidak_cocok)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kumuhgis.core.errors import KumuhgisError, Problem, UsageError
from kumuhgis.core.schema import CRITERIA_CODES, CRITERIA_CODES_02_2016
from kumuhgis.core.vocabulary import (
    SUMBER_DANA,
    VocabularyError,
    closest_name,
    load_sumber_dana,
    normalize_name,
    normalize_sumber_dana,
    parse_kriteria,
    parse_kriteria_series,
    parse_sumber_dana_series,
    suggest_sumber_dana,
)

# --------------------------------------------------------------------------- sumber dana


def test_canonical_list_is_exactly_domain_section_9():
    assert SUMBER_DANA == (
        "APBN",
        "APBD Provinsi",
        "APBD Kab/Kota",
        "DAK",
        "Dana Desa",
        "Hibah/donor",
        "Swasta/CSR",
        "Swadaya masyarakat",
        "Lainnya",
    )


@pytest.mark.parametrize("name", SUMBER_DANA)
def test_canonical_names_map_to_themselves(name):
    assert normalize_sumber_dana(name) == (name, None)
    assert normalize_sumber_dana(name.upper()) == (name, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("APBN PUPR", ("APBN", "PUPR")),
        ("BPM", ("APBN", "BPM/BDI")),
        ("BDI", ("APBN", "BPM/BDI")),
        ("bdi/bpm", ("APBN", "BPM/BDI")),
        ("NSUP", ("APBN", "NSUP")),
        ("Kotaku", ("APBN", "KOTAKU")),
        ("Dit. PKP", ("APBN", "Dit. PKP")),
        ("Kementerian Sosial", ("APBN", "Kementerian lain")),
        ("APBN Kementerian lain", ("APBN", "Kementerian lain")),
        ("Kementerian PUPR", ("APBN", "PUPR")),
        ("APBD I", ("APBD Provinsi", None)),
        ("APBD Prov", ("APBD Provinsi", None)),
        ("apbd propinsi", ("APBD Provinsi", None)),
        ("Provinsi", ("APBD Provinsi", None)),
        ("Pokir DPRD Provinsi", ("APBD Provinsi", "Pokir/reses DPRD")),
        ("APBD II", ("APBD Kab/Kota", None)),
        ("APBD Kota", ("APBD Kab/Kota", None)),
        ("APBD Kabupaten", ("APBD Kab/Kota", None)),
        ("APBD Kab", ("APBD Kab/Kota", None)),
        ("pokir", ("APBD Kab/Kota", "Pokir/reses DPRD")),
        ("Pokir DPRD", ("APBD Kab/Kota", "Pokir/reses DPRD")),
        ("reses", ("APBD Kab/Kota", "Pokir/reses DPRD")),
        ("Aspirasi DPRD", ("APBD Kab/Kota", "Pokir/reses DPRD")),
        ("DAK Fisik", ("DAK", "Fisik")),
        ("DAK Sanitasi", ("DAK", "Sanitasi")),
        ("DAK Air Minum", ("DAK", "Air Minum")),
        ("DD", ("Dana Desa", None)),
        ("dana desa", ("Dana Desa", None)),
        ("ADD", ("Dana Desa", "ADD")),
        ("Hibah", ("Hibah/donor", None)),
        ("donor", ("Hibah/donor", None)),
        ("Bantuan Luar Negeri", ("Hibah/donor", None)),
        ("CSR", ("Swasta/CSR", None)),
        ("swasta", ("Swasta/CSR", None)),
        ("BUMN", ("Swasta/CSR", "BUMN")),
        ("BUMD", ("Swasta/CSR", "BUMD")),
        ("Perusahaan", ("Swasta/CSR", None)),
        ("Swadaya", ("Swadaya masyarakat", None)),
        ("masyarakat", ("Swadaya masyarakat", None)),
        ("Gotong-royong", ("Swadaya masyarakat", None)),
        ("Partisipasi Masyarakat", ("Swadaya masyarakat", None)),
        ("lain-lain", ("Lainnya", None)),
        ("Lainnya", ("Lainnya", None)),
    ],
)
def test_common_spellings(text, expected):
    assert normalize_sumber_dana(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  apbd-KOTA ", ("APBD Kab/Kota", None)),  # case, punctuation, spaces
        ("APBDKota", ("APBD Kab/Kota", None)),  # no space at all
        ("APBD  Kab / Kota", ("APBD Kab/Kota", None)),
        ("APBD Kota TA 2021", ("APBD Kab/Kota", None)),  # years are ignored
        ("Dana Desa 2020", ("Dana Desa", None)),
        ("Sumber dana: APBN", ("APBN", None)),  # leading filler words
        ("APBN (BPM)", ("APBN", "BPM/BDI")),  # detail in brackets
        ("BPM (APBN)", ("APBN", "BPM/BDI")),
        ("APBD Kota - Pokir", ("APBD Kab/Kota", "Pokir/reses DPRD")),
        ("APBD Provinsi Jawa Timur", ("APBD Provinsi", "Jawa Timur")),  # words kept
        ("CSR - PT. Semen Indonesia", ("Swasta/CSR", "PT. Semen Indonesia")),
        ("Kementerian Agama", ("APBN", "Kementerian lain")),
    ],
)
def test_matching_is_forgiving(text, expected):
    assert normalize_sumber_dana(text) == expected


@pytest.mark.parametrize("text", ["APBD", "Pemda", "xyz", "APBN/APBD", "APBN + CSR", "", None])
def test_unknown_ambiguous_or_two_sources_are_not_mapped(text):
    assert normalize_sumber_dana(text) == (None, None)


def test_suggestions():
    assert suggest_sumber_dana("APBD")[:2] == ["APBD Kab/Kota", "APBD Provinsi"]
    assert suggest_sumber_dana("Swadya")[0] == "Swadaya masyarakat"
    assert suggest_sumber_dana("APBM")[0] == "APBN"
    assert suggest_sumber_dana("hibahh donor", n=1) == ["Hibah/donor"]
    assert suggest_sumber_dana("qqqqqqqq") == []
    assert all(s in SUMBER_DANA for s in suggest_sumber_dana("APBN/APBD", n=5))
    assert len(suggest_sumber_dana("APBN/APBD", n=2)) == 2


def test_parse_sumber_dana_series():
    values = pd.Series(["BPM", None, "APBD", "csr", "zzz", "  "], index=[2, 3, 4, 5, 6, 7])
    canon, detail, failures = parse_sumber_dana_series(values)
    assert canon.index.equals(values.index) and str(canon.dtype) == "string"
    assert canon.tolist() == ["APBN", pd.NA, pd.NA, "Swasta/CSR", pd.NA, pd.NA]
    assert detail.tolist() == ["BPM/BDI", pd.NA, pd.NA, pd.NA, pd.NA, pd.NA]
    assert [(label, text) for label, text, _ in failures] == [(4, "APBD"), (6, "zzz")]
    ambiguous = failures[0][2]
    assert isinstance(ambiguous, VocabularyError)
    assert "APBD Kab/Kota" in ambiguous.masalah and "could mean" in ambiguous.problem
    assert ambiguous.suggestions[:2] == ("APBD Kab/Kota", "APBD Provinsi")
    unknown = failures[1][2]
    assert "tidak dikenal" in unknown.masalah and "Lainnya" in unknown.fix
    problem = unknown.to_problem(8, "sumber_dana")
    assert isinstance(problem, Problem) and problem.text("en").startswith("row 8, column")


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_project_can_supply_its_own_vocabulary(tmp_path):
    path = _write(
        tmp_path / "dana.yaml",
        "sumber_dana:\n"
        "  - nama: Pusat\n    sinonim: [APBN]\n"
        "    rincian:\n      - nama: Bantuan\n        sinonim: [BPM]\n"
        "  - nama: Daerah\n    sinonim: [APBD]\n"
        "ambigu:\n  Pemerintah: [Pusat, Daerah]\n",
    )
    vocab = load_sumber_dana(path)
    assert vocab.names == ("Pusat", "Daerah")
    assert normalize_sumber_dana("bpm", vocabulary=vocab) == ("Pusat", "Bantuan")
    assert normalize_sumber_dana("APBD", vocabulary=vocab) == ("Daerah", None)
    assert normalize_sumber_dana("Pemerintah", vocabulary=vocab) == (None, None)
    assert suggest_sumber_dana("Pemerintah", vocabulary=vocab) == ["Pusat", "Daerah"]
    # the packaged vocabulary is unaffected
    assert normalize_sumber_dana("APBD") == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "sumber_dana: []\n",
        "other: 1\n",
        "sumber_dana:\n  - sinonim: [X]\n",
        # one spelling, two meanings
        "sumber_dana:\n  - nama: A\n    sinonim: [X]\n  - nama: B\n    sinonim: [x]\n",
        # an ambiguous spelling that is also mapped, or names an unknown source
        "sumber_dana:\n  - nama: A\n    sinonim: [X]\nambigu:\n  X: [A]\n",
        "sumber_dana:\n  - nama: A\nambigu:\n  Y: [A, Z]\n",
    ],
)
def test_malformed_vocabulary_files_are_refused(tmp_path, text):
    with pytest.raises(UsageError, match="sumber_dana|vocabulary"):
        load_sumber_dana(_write(tmp_path / "bad.yaml", text))


# --------------------------------------------------------------------------- kriteria


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1a; 2B ,4c", ("1a", "2b", "4c")),
        ("1a;2b;4c", ("1a", "2b", "4c")),
        ("v_1a, V_7B", ("1a", "7b")),
        ("v1a", ("1a",)),
        ("1.a / 1-a / 2.B", ("1a", "2b")),  # duplicates removed, order kept
        ("5b 5a 5b", ("5b", "5a")),
        ("3 a", ("3a",)),
        ("1a dan 2b", ("1a", "2b")),
        ("(1a), [2b]", ("1a", "2b")),
        ("1a|2b+3a&3b", ("1a", "2b", "3a", "3b")),
        ("", ()),
        (" ;  , ", ()),
        (None, ()),
        (float("nan"), ()),
    ],
)
def test_parse_kriteria(text, expected):
    assert parse_kriteria(text) == expected


def test_unknown_codes_are_all_named_with_the_valid_list():
    with pytest.raises(VocabularyError) as info:
        parse_kriteria("1a; 8a; x; 4d")
    err = info.value
    assert isinstance(err, KumuhgisError) and isinstance(err, ValueError)
    assert err.invalid == ("8a", "x", "4d")
    assert "'8a'" in err.masalah and "'x'" in err.problem
    assert "02/PRT/M/2016: 4d" in err.masalah  # the code exists in the older rule set
    assert ", ".join(CRITERIA_CODES) in err.perbaikan and ", ".join(CRITERIA_CODES) in err.fix


def test_other_rule_set_codes():
    assert parse_kriteria("4d; 6c; 4e", codes=CRITERIA_CODES_02_2016) == ("4d", "6c", "4e")
    with pytest.raises(VocabularyError, match="'7b'"):
        parse_kriteria("1a; 7b", codes=("1a", "1b"))


def test_parse_kriteria_series():
    values = pd.Series(["1a; 2B", None, "9z", "", "v_3a,3a"], index=list("abcde"), name="kriteria")
    before = values.copy()
    parsed, failures = parse_kriteria_series(values)
    assert parsed.name == "kriteria" and str(parsed.dtype) == "string"
    assert parsed.tolist() == ["1a;2b", pd.NA, pd.NA, pd.NA, "3a"]
    assert [(label, text) for label, text, _ in failures] == [("c", "9z")]
    assert failures[0][2].invalid == ("9z",)
    pd.testing.assert_series_equal(values, before)


_CODE_FORMS = st.sampled_from(["{}", "{}", "v_{}", "V{}", "{d}.{l}", "{d}-{L}", "{D}"])


@settings(max_examples=100, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(CRITERIA_CODES),
            _CODE_FORMS,
            st.sampled_from([";", ",", " ", " / ", "; "]),
        ),
        max_size=8,
    )
)
def test_kriteria_written_any_way_read_back(picks):
    text = "".join(
        form.format(code, d=code[0], l=code[1], L=code[1].upper(), D=code.upper()) + sep
        for code, form, sep in picks
    )
    expected = tuple(dict.fromkeys(code for code, _, _ in picks))
    assert parse_kriteria(text) == expected
    if expected:
        assert parse_kriteria_series(pd.Series([text]))[0].iloc[0] == ";".join(expected)


# --------------------------------------------------------------------------- place names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kel. Mentawa-Baru  Hulu", "mentawa baru hulu"),
        ("KELURAHAN SUMBERMULYO", "sumbermulyo"),
        ("Desa Sumbermulyo", "sumbermulyo"),
        ("Kel./Desa Sumbermulyo", "sumbermulyo"),
        ("Kecamatan Jogoroto", "jogoroto"),
        ("Kec.Jogoroto", "jogoroto"),
        ("Ma'rang", "marang"),
        ("Désa", "desa"),  # never strips the whole name
        (" Kota  Baru ", "kota baru"),
        (None, ""),
    ],
)
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


KELURAHAN = ["Mentawa Baru Hilir", "Mentawa Baru Hulu", "Baamang Hulu", "Baamang Hilir"]


def test_closest_name_understands_initials_of_multi_word_prefixes():
    # domain.md §6 nama_tidak_cocok: "MB. Hulu" vs "Mentawa Baru Hulu"
    assert closest_name("MB. Hulu", KELURAHAN) == "Mentawa Baru Hulu"
    assert closest_name("MB Hilir", KELURAHAN) == "Mentawa Baru Hilir"
    # and the other way round, when the boundary layer holds the short form
    assert closest_name("Mentawa Baru Hulu", ["MB. Hilir", "MB. Hulu", None]) == "MB. Hulu"
    assert closest_name("M. Baru Hulu", KELURAHAN) == "Mentawa Baru Hulu"


def test_closest_name_other_abbreviations_and_spellings():
    assert closest_name("Tj. Pinang", ["Tanjung Priok", "Tanjung Pinang"]) == "Tanjung Pinang"
    assert closest_name("Sei Raya", ["Sungai Rangas", "Sungai Raya"]) == "Sungai Raya"
    assert closest_name("Kel. Baamang hulu", KELURAHAN) == "Baamang Hulu"
    assert closest_name("Sumber Mulyo", ["Sumbermulyo", "Sumberjo"]) == "Sumbermulyo"
    assert closest_name("Bamang Hulu", KELURAHAN) == "Baamang Hulu"  # typo, via difflib


def test_closest_name_refuses_to_guess():
    assert closest_name("Ketapang", KELURAHAN) is None  # below the cutoff
    assert closest_name("Bamang Hulu", KELURAHAN, cutoff=0.99) is None
    assert closest_name("MB Hulu", ["Mentawa Baru Hulu", "Mekar Baru Hulu"]) is None  # both fit
    assert closest_name("Baamang Hulu", ["Baamang Hulux", "Baamang Huluy"]) is None  # tie
    assert closest_name("", KELURAHAN) is None
    assert closest_name("Baamang Hulu", []) is None
