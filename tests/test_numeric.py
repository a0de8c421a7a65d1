"""Tests for kumuhgis.core.numeric: Indonesian and English number writing (domain.md §10)."""

from __future__ import annotations

import math
import pickle
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kumuhgis.core.errors import KumuhgisError, Problem, UsageError
from kumuhgis.core.numeric import (
    NumberError,
    format_number_id,
    format_rupiah,
    is_missing,
    parse_number,
    parse_number_series,
)

# --------------------------------------------------------------------------- parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", 1234.56),
        ("1,234.56", 1234.56),
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("1.234.567,89", 1234567.89),
        ("1,234,567.89", 1234567.89),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("0,75", 0.75),
        ("0.750", 0.75),  # integer part 0: cannot be thousands
        ("1234,567", 1234.567),  # four integer digits: cannot be a thousands group
        ("1,2345", 1.2345),
        ("4,63", 4.63),
        ("780", 780.0),
        ("-1.234,5", -1234.5),
        ("+12,5", 12.5),
        ("\u22123,5", -3.5),  # Unicode minus sign
        ("  1 234 567,5 ", 1234567.5),
        ("1\u00a0234\u00a0567", 1234567.0),  # non-breaking spaces from Excel
        ("1\u202f234,5", 1234.5),  # narrow no-break space
        ("1'234'567.5", 1234567.5),
        (",5", 0.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("1.5E+03", 1500.0),
        ("1,5e-2", 0.015),
    ],
)
def test_parse_number_reads_both_styles(text, expected):
    assert parse_number(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NA, "", "   ", "-", "\u2013"])
def test_missing_values_are_none(value):
    assert parse_number(value) is None
    assert parse_number(value, kind="int") is None


def test_is_missing():
    assert [is_missing(v) for v in (None, np.nan, pd.NA, pd.NaT, 0, "", "-")] == [
        True, True, True, True, False, False, False,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "kind", "expected", "type_"),
    [
        (3, "float", 3.0, float),
        (2.5, "float", 2.5, float),
        (np.int64(7), "float", 7.0, float),
        (np.float32(0.5), "float", 0.5, float),
        (Decimal("12.25"), "float", 12.25, float),
        (12, "int", 12, int),
        (12.0, "int", 12, int),
        (np.int32(5), "int", 5, int),
        (11.9999999999999, "int", 12, int),  # spreadsheet formula artefact
        (Decimal("40"), "int", 40, int),
        (350000000, "rupiah", 350000000.0, float),
    ],
)
def test_numbers_from_excel_cells_pass_through(value, kind, expected, type_):
    result = parse_number(value, kind=kind)
    assert result == expected
    assert type(result) is type_


@pytest.mark.parametrize("text", ["1.234", "1,234", "12.000", "999,999", "100.000", "-1.234"])
def test_ambiguous_pattern_is_refused_under_auto(text):
    with pytest.raises(NumberError) as info:
        parse_number(text)
    err = info.value
    assert err.ambiguous
    digits = text.lstrip("-")
    int_part, frac = digits[:-4], digits[-3:]
    sign = "-" if text.startswith("-") else ""
    assert err.readings == (float(f"{sign}{int_part}{frac}"), float(f"{sign}{int_part}.{frac}"))
    # both readings are named, in both languages, and the fix says how to write each
    assert f"{sign}{int_part}{frac}" in err.masalah and f"{sign}{int_part},{frac}" in err.masalah
    assert f"{sign}{int_part}{frac}" in err.problem and f"{sign}{int_part}.{frac}" in err.problem
    assert "gaya angka kolom" in err.perbaikan and "number style" in err.fix
    assert f"{sign}{int_part}.{frac},00" in err.perbaikan
    assert err.value == text
    assert " / " in str(err)


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        ("1.234", "id", 1234.0),
        ("1,234", "id", 1.234),
        ("1.234", "en", 1.234),
        ("1,234", "en", 1234.0),
        ("12.000", "id", 12000.0),
        # unambiguous values read the same whatever the style
        ("12.5", "id", 12.5),
        ("12,5", "en", 12.5),
        ("1.234,5", "en", 1234.5),
        ("1,234.5", "id", 1234.5),
        ("1.234.567", "en", 1234567.0),
    ],
)
def test_style_decides_only_the_ambiguous_pattern(text, style, expected):
    assert parse_number(text, style=style) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rp 1.500", 1500.0),
        ("Rp 350.000.000,00", 350000000.0),
        ("350.000.000", 350000000.0),
        ("Rp. 350.000,-", 350000.0),
        ("Rp350.000.-", 350000.0),
        ("rp 1.500,50", 1500.5),
        ("IDR 1,500", 1500.0),
        ("IDR 1,500.75", 1500.75),
        ("1.500", 1500.0),
        ("Rp 12,50", 12.5),
        ("-Rp 1.500", -1500.0),
        ("Rp -1.500", -1500.0),
        ("Rp\u00a02.000.000", 2000000.0),
        ("Rp -", None),
        ("Rp", None),
    ],
)
def test_rupiah(text, expected):
    assert parse_number(text, kind="rupiah") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234", 1234), ("1,234", 1234), ("1.000.000", 1000000), ("12", 12), ("40,00", 40),
     ("1e3", 1000), ("12345678901234567890", 12345678901234567890)],
)  # fmt: skip
def test_int_kind_reads_the_single_three_digit_group_as_thousands(text, expected):
    result = parse_number(text, kind="int")
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value", ["12,5", "0,5", 12.5, "1.5e0", Decimal("2.5")])
def test_int_kind_refuses_fractions(value):
    with pytest.raises(NumberError, match="bilangan bulat") as info:
        parse_number(value, kind="int")
    assert "whole number" in info.value.problem


@pytest.mark.parametrize(
    "text",
    [
        "abc", "12a", "1,2,3,4.5.6", "1..2", "1.,5", "--5", "+-5", "1.23.456", "12.34.567",
        "0.123.456", "1.234,567.8", "1 234.567.8", "12 5", "1.234 567", "1 234'567", "e5",
        "1,5,", ".", "Rp 1.500 Rp", "1-2", "1/2",
    ],
)  # fmt: skip
def test_garbage_is_refused(text):
    with pytest.raises(NumberError) as info:
        parse_number(text)
    err = info.value
    assert isinstance(err, KumuhgisError) and isinstance(err, ValueError)
    assert not err.ambiguous
    assert err.value == text
    assert err.masalah and err.problem and err.perbaikan and err.fix


def test_percent_and_currency_are_refused_outside_their_columns():
    with pytest.raises(NumberError, match="persen"):
        parse_number("12,5%")
    with pytest.raises(NumberError, match="persen"):
        parse_number("12%", kind="rupiah")
    with pytest.raises(NumberError, match="rupiah"):
        parse_number("Rp 1.500")
    with pytest.raises(NumberError, match="rupiah"):
        parse_number("1.500,-", kind="int")


@pytest.mark.parametrize("value", [True, np.bool_(False), float("inf"), "1e999", object(), b"12"])
def test_non_numbers_and_infinities_are_refused(value):
    with pytest.raises(NumberError):
        parse_number(value)


def test_bad_options_are_usage_errors():
    with pytest.raises(UsageError):
        parse_number("1", kind="percent")
    with pytest.raises(UsageError):
        parse_number("1", style="fr")
    with pytest.raises(UsageError):
        parse_number_series(pd.Series(["1"]), kind="decimal")


def test_error_becomes_a_problem_naming_row_and_column():
    with pytest.raises(NumberError) as info:
        parse_number("1.234")
    problem = info.value.to_problem(7, "luas_ha")
    assert isinstance(problem, Problem)
    assert (problem.row, problem.column, problem.value) == (7, "luas_ha", "1.234")
    assert problem.text("id").startswith("baris 7, kolom 'luas_ha', nilai '1.234': ")
    assert problem.text("en").startswith("row 7, column 'luas_ha', value '1.234': ")
    assert "1234" in problem.text("en")


def test_number_error_pickles():
    with pytest.raises(NumberError) as info:
        parse_number("1,234")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is NumberError
    assert (copy.masalah, copy.fix, copy.ambiguous, copy.readings) == (
        info.value.masalah,
        info.value.fix,
        True,
        (1234.0, 1.234),
    )
    assert str(copy) == str(info.value)


# --------------------------------------------------------------------------- series


def test_series_indonesian_column_resolves_ambiguous_values():
    values = pd.Series(["1.234", "2.345,5", None, "12,000", 7, ""], index=list("abcdef"))
    before = values.copy()
    parsed, failures = parse_number_series(values)
    assert failures == []
    assert parsed.dtype == "float64"
    assert parsed.index.equals(values.index)
    assert parsed.iloc[:2].tolist() == [1234.0, 2345.5]
    assert math.isnan(parsed["c"]) and math.isnan(parsed["f"])
    assert parsed["d"] == 12.0 and parsed["e"] == 7.0
    pd.testing.assert_series_equal(values, before)  # input untouched


def test_series_english_column_resolves_ambiguous_values():
    parsed, failures = parse_number_series(pd.Series(["1.234", "12.5", "1,234"], name="luas_ha"))
    assert failures == []
    assert parsed.name == "luas_ha"
    assert parsed.tolist() == [1.234, 12.5, 1234.0]


def test_series_mixed_styles_refuse_ambiguous_values_and_say_why():
    values = pd.Series(["1.234", "2.345,5", "12.5", "abc"], index=[10, 11, 12, 13])
    parsed, failures = parse_number_series(values)
    assert [(label, text) for label, text, _ in failures] == [(10, "1.234"), (13, "abc")]
    err = failures[0][2]
    assert err.ambiguous
    assert "'2.345,5'" in err.masalah and "'12.5'" in err.masalah
    assert "both the Indonesian style" in err.problem
    assert parsed[11] == 2345.5 and parsed[12] == 12.5
    assert math.isnan(parsed[10]) and math.isnan(parsed[13])


def test_series_without_evidence_keeps_ambiguous_values_as_failures():
    parsed, failures = parse_number_series(pd.Series(["1.234", "5", 3.5]))
    assert len(failures) == 1 and failures[0][:2] == (0, "1.234")
    assert parsed.tolist()[1:] == [5.0, 3.5]


def test_series_explicit_style():
    parsed, failures = parse_number_series(pd.Series(["1.234", "12.5"]), style="id")
    assert failures == []
    assert parsed.tolist() == [1234.0, 12.5]


def test_series_int_kind_is_nullable_int64():
    values = pd.Series(["1.234", None, "50", 60.0, "1,5", "99999999999999999999"])
    parsed, failures = parse_number_series(values, kind="int")
    assert str(parsed.dtype) == "Int64"
    assert parsed.iloc[0] == 1234 and parsed.iloc[2] == 50 and parsed.iloc[3] == 60
    assert parsed.isna().tolist() == [False, True, False, False, True, True]
    assert [f[0] for f in failures] == [4, 5]


def test_series_rupiah_and_string_dtype_input():
    values = pd.Series(["Rp 350.000.000,00", "Rp 1.500", pd.NA], dtype="string")
    parsed, failures = parse_number_series(values, kind="rupiah")
    assert failures == []
    assert parsed.iloc[:2].tolist() == [350000000.0, 1500.0]
    assert math.isnan(parsed.iloc[2])


def test_series_accepts_a_plain_list():
    parsed, failures = parse_number_series(["12,5", "x"])
    assert parsed.iloc[0] == 12.5 and failures[0][:2] == (1, "x")


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (1234.56, 2, "1.234,56"),
        (1234.567, 2, "1.234,57"),
        (26.315, 2, "26,32"),  # half up, as domain.md §4 rounds
        (0.5, 0, "1"),
        (1234567, 0, "1.234.567"),
        (-1234.5, 1, "-1.234,5"),
        (-0.001, 2, "0,00"),
        (4.63, 2, "4,63"),
        (Decimal("350000000.005"), 2, "350.000.000,01"),
        (np.float64(999.995), 2, "1.000,00"),
        (1e30, 0, "1" + ".000" * 10),
        (None, 2, "-"),
        (float("nan"), 2, "-"),
    ],
)
def test_format_number_id(x, decimals, expected):
    assert format_number_id(x, decimals) == expected


def test_format_rupiah():
    assert format_rupiah(350000000) == "Rp 350.000.000"
    assert format_rupiah(350000000.0, decimals=2) == "Rp 350.000.000,00"
    assert format_rupiah(1499.5) == "Rp 1.500"
    assert format_rupiah(-1500) == "-Rp 1.500"
    assert format_rupiah(None) == "-"
    for amount in (350000000, 1500, -1500, 0):
        assert parse_number(format_rupiah(amount), kind="rupiah") == amount


def test_format_refuses_bad_input():
    with pytest.raises(UsageError):
        format_number_id(1.0, -1)
    with pytest.raises(TypeError):
        format_number_id("1.234")
    with pytest.raises(ValueError):
        format_number_id(float("inf"))


# --------------------------------------------------------------------------- properties

_SCALED = st.integers(min_value=-(10**11), max_value=10**11)


def _plain(scaled: int, decimals: int) -> str:
    """The exact decimal text of scaled / 10**decimals, English style with grouping."""
    return f"{Decimal(scaled).scaleb(-decimals):,.{decimals}f}"


@settings(max_examples=200, deadline=None)
@given(scaled=_SCALED, decimals=st.sampled_from([1, 2, 4]))
def test_round_trip_indonesian_and_english(scaled, decimals):
    exact = Decimal(scaled).scaleb(-decimals)
    x = float(exact)
    english = _plain(scaled, decimals)
    indonesian = english.translate(str.maketrans(",.", ".,"))
    assert format_number_id(x, decimals) == indonesian
    assert parse_number(indonesian) == x
    assert parse_number(english) == x
    assert parse_number(english.replace(",", "")) == x
    assert parse_number(indonesian.replace(".", "")) == x


@settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=-(10**15), max_value=10**15))
def test_round_trip_whole_numbers_and_rupiah(n):
    indonesian = format_number_id(n, 0)
    assert parse_number(indonesian, kind="int") == n
    assert parse_number(f"{n:,}", kind="int") == n
    assert parse_number(format_rupiah(n), kind="rupiah") == float(n)


@settings(max_examples=100, deadline=None)
@given(
    int_part=st.integers(min_value=1, max_value=999),
    frac=st.integers(min_value=0, max_value=999),
    sep=st.sampled_from([".", ","]),
    negative=st.booleans(),
)
def test_ambiguous_pattern_never_returns_a_silent_guess(int_part, frac, sep, negative):
    text = f"{'-' if negative else ''}{int_part}{sep}{frac:03d}"
    sign = -1 if negative else 1
    thousands = sign * float(int_part * 1000 + frac)
    decimal = sign * float(f"{int_part}.{frac:03d}")
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert info.value.ambiguous and info.value.readings == (thousands, decimal)
    assert parse_number(text, style="id") == (thousands if sep == "." else decimal)
    assert parse_number(text, style="en") == (decimal if sep == "." else thousands)
    assert parse_number(text, kind="rupiah") == thousands
    assert parse_number(text, kind="int") == int(thousands)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789.,' -+Rpe%", max_size=12))
def test_parse_either_returns_a_number_or_raises_number_error(text):
    try:
        result = parse_number(text, kind="rupiah")
    except NumberError as err:
        assert err.masalah and err.problem
    else:
        assert result is None or math.isfinite(result)
