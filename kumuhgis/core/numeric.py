"""Numbers written the Indonesian or the English way (domain.md §10).

Indonesian documents write ``1.234,56`` for 1234.56 and ``Rp 350.000.000,00`` for
350 million rupiah; Excel files and CSV exports mix that with the English ``1,234.56``.
This module reads both and refuses what cannot be decided.

Reading rules (applied after removing spaces, ``Rp``/``IDR`` and a trailing ``,-``):

* When both ``.`` and ``,`` appear, the right-most one is the decimal separator and the
  other one groups thousands: ``1.234,56`` → 1234.56, ``1,234.56`` → 1234.56.
* A separator that appears more than once groups thousands: ``1.234.567`` → 1234567.
* Spaces and apostrophes only group thousands: ``1 234 567`` → 1234567.
* A single separator followed by anything but exactly three digits is decimal:
  ``12,5`` → 12.5, ``12.5`` → 12.5, ``0,75`` → 0.75.
* A single separator followed by exactly three digits after a non-zero integer part of one
  to three digits (``1.234``, ``12,000``) is **ambiguous**: it reads 1234 the Indonesian
  way and 1.234 the English way (or the reverse for a comma). Under ``style="auto"`` it is
  refused with :class:`NumberError`; ``style="id"``/``"en"`` decides it. For
  ``kind="rupiah"`` and ``kind="int"`` it is thousands, since neither has a three-decimal
  fraction.
* Thousands groups must hold exactly three digits after a first group of one to three.

:func:`parse_number_series` reads a whole column and decides its style from the values
that are not ambiguous, so that an Indonesian-style column with ``2.345,5`` in it also
reads ``1.234`` as 1234.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import pandas as pd

from kumuhgis.core.errors import KumuhgisError, Problem, UsageError

__all__ = [
    "CellError",
    "NumberError",
    "parse_number",
    "parse_number_series",
    "number_column",
    "format_number_id",
    "format_rupiah",
    "is_missing",
]

Kind = Literal["float", "int", "rupiah"]
Style = Literal["auto", "id", "en"]
_KINDS = ("float", "int", "rupiah")
_STYLES = ("auto", "id", "en")

# Relative tolerance for floats from spreadsheet formulas in integer columns (11.9999999999).
_INT_TOLERANCE = 1e-9


def _rebuild_error(cls: type, state: dict) -> CellError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, err.masalah, err.problem)
    return err


class CellError(KumuhgisError, ValueError):
    """One cell value that cannot be read.

    Carries bilingual texts so that a caller can turn it into a
    :class:`kumuhgis.core.errors.Problem` naming row and column (:meth:`to_problem`).

    Attributes
    ----------
    masalah, problem : str
        What is wrong, in Bahasa Indonesia and in English.
    perbaikan, fix : str
        How to fix it, in Bahasa Indonesia and in English.
    value : str or None
        The value as the user wrote it.
    """

    def __init__(
        self,
        masalah: str,
        problem: str,
        *,
        perbaikan: str = "",
        fix: str = "",
        value: str | None = None,
    ) -> None:
        self.masalah = masalah
        self.problem = problem
        self.perbaikan = perbaikan
        self.fix = fix
        self.value = value
        super().__init__(masalah, problem)

    def __str__(self) -> str:
        msg = f"{self.masalah} / {self.problem}"
        if self.perbaikan or self.fix:
            msg += f" — {self.perbaikan} / {self.fix}"
        return msg

    def __reduce__(self):
        return (_rebuild_error, (type(self), dict(self.__dict__)))

    def to_problem(self, row: int | None, column: str | None) -> Problem:
        """The same message as a :class:`~kumuhgis.core.errors.Problem` at ``row``/``column``."""
        return Problem(
            row=row,
            column=column,
            value=self.value,
            masalah=self.masalah,
            problem=self.problem,
            perbaikan=self.perbaikan,
            fix=self.fix,
        )


class NumberError(CellError):
    """A value that is not a number, or a number whose meaning is ambiguous (domain.md §10).

    ``ambiguous`` is true for the ``1.234`` pattern; ``readings`` then holds the two
    possible values as ``(thousands_reading, decimal_reading)``.
    """

    def __init__(
        self,
        masalah: str,
        problem: str,
        *,
        perbaikan: str = "",
        fix: str = "",
        value: str | None = None,
        ambiguous: bool = False,
        readings: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(masalah, problem, perbaikan=perbaikan, fix=fix, value=value)
        self.ambiguous = ambiguous
        self.readings = readings


# --------------------------------------------------------------------------- parsing

_EXAMPLE_FIX_ID = "Tulis angka seperti 1234,5 atau 1.234,5"
_EXAMPLE_FIX_EN = "Write a number such as 1234.5 or 1,234.5"

_TEXT_RE = re.compile(
    r"(?P<sign1>[-+\u2212]?)\s*(?P<cur>rp\.?|idr)?\s*(?P<sign2>[-+\u2212]?)\s*"
    r"(?P<body>.*?)\s*(?P<tail>[.,]-)?",
    re.IGNORECASE | re.DOTALL,
)
_SCI_RE = re.compile(r"(?P<int>\d*)(?:(?P<sep>[.,])(?P<frac>\d+))?[eE](?P<exp>[+-]?\d+)")
_BODY_RE = re.compile(r"[0-9.,' ]+")
_DASHES = {"-", "\u2013", "\u2014", "\u2212"}


def _not_a_number(text: str) -> NumberError:
    return NumberError(
        f"'{text}' bukan angka",
        f"'{text}' is not a number",
        perbaikan=_EXAMPLE_FIX_ID,
        fix=_EXAMPLE_FIX_EN,
        value=text,
    )


def _bad_grouping(text: str) -> NumberError:
    return NumberError(
        f"pemisah ribuan di '{text}' tidak memisahkan kelompok tiga angka",
        f"the thousands separators in '{text}' do not split groups of three digits",
        perbaikan="Tulis 1.234.567 atau 1234567 (kelompok ribuan selalu tiga angka)",
        fix="Write 1,234,567 or 1234567 (thousands groups always have three digits)",
        value=text,
    )


def _mixed_separators(text: str) -> NumberError:
    return NumberError(
        f"'{text}' mencampur pemisah titik dan koma dengan cara yang tidak bisa dibaca",
        f"'{text}' mixes dots and commas in a way that cannot be read",
        perbaikan="Pakai satu gaya: 1.234.567,5 (Indonesia) atau 1,234,567.5 (Inggris)",
        fix="Use one style: 1.234.567,5 (Indonesian) or 1,234,567.5 (English)",
        value=text,
    )


def _not_integer(text: str) -> NumberError:
    return NumberError(
        f"'{text}' bukan bilangan bulat",
        f"'{text}' is not a whole number",
        perbaikan="Kolom ini hanya menerima bilangan bulat, mis. 12",
        fix="This column takes whole numbers only, e.g. 12",
        value=text,
    )


def _not_finite(text: str) -> NumberError:
    return NumberError(
        f"'{text}' bukan angka terhingga",
        f"'{text}' is not a finite number",
        perbaikan=_EXAMPLE_FIX_ID,
        fix=_EXAMPLE_FIX_EN,
        value=text,
    )


def _ambiguous(text: str, negative: bool, int_part: str, frac: str) -> NumberError:
    sign = "-" if negative else ""
    thousands = float(f"{sign}{int_part}{frac}")
    decimal = float(f"{sign}{int_part}.{frac}")
    t = f"{sign}{int_part}{frac}"
    int_part = sign + int_part
    dec_id = f"{int_part},{frac}"
    dec_en = f"{int_part}.{frac}"
    return NumberError(
        f"'{text}' bisa berarti {t} (ribuan) atau {dec_id} (desimal); gaya angka kolom "
        "tidak dapat ditentukan",
        f"'{text}' could mean {t} (thousands) or {dec_en} (decimal); the column's number "
        "style cannot be determined",
        perbaikan=(
            f"Tulis {t} atau {int_part}.{frac},00 bila maksudnya ribuan, atau "
            f"{dec_id}0 bila maksudnya desimal; atau tetapkan gaya angka kolom: "
            "Indonesia (1.234,56) atau Inggris (1,234.56)"
        ),
        fix=(
            f"Write {t} or {int_part},{frac}.00 for the thousands reading, or "
            f"{dec_en}0 for the decimal reading; or set the column's number style: "
            "Indonesian (1.234,56) or English (1,234.56)"
        ),
        value=text,
        ambiguous=True,
        readings=(thousands, decimal),
    )


def _check_groups(groups: list[str], text: str) -> None:
    """Thousands groups: the first has 1–3 digits (not starting with 0), the rest exactly 3."""
    first, rest = groups[0], groups[1:]
    if not 1 <= len(first) <= 3 or (first[0] == "0") or any(len(g) != 3 for g in rest):
        raise _bad_grouping(text)


def _finish(negative: bool, int_digits: str, frac: str, kind: str, text: str) -> float | int:
    int_digits = int_digits or "0"
    if kind == "int":
        if frac.strip("0"):
            raise _not_integer(text)
        value = int(int_digits)
        return -value if negative else value
    number = float(f"{'-' if negative else ''}{int_digits}.{frac or '0'}")
    if not math.isfinite(number):
        raise _not_finite(text)
    return number


def _parse_text(text: str, kind: str, style: str) -> tuple[float | int | None, str | None]:
    """Parse one string. Returns ``(value, evidence)`` where evidence is ``"id"``, ``"en"``
    or ``None`` and tells which writing style the value proves (used to infer a column's
    style)."""
    s = text.strip()
    if not s or s in _DASHES:
        return None, None
    if "%" in s:
        raise NumberError(
            f"tanda persen (%) tidak diterima: '{text}'",
            f"a percent sign is not accepted here: '{text}'",
            perbaikan="Tulis angkanya saja, mis. 12,5",
            fix="Write the number only, e.g. 12.5",
            value=text,
        )
    m = _TEXT_RE.fullmatch(s)
    if m is None:  # pragma: no cover - the pattern matches every string
        raise _not_a_number(text)
    sign1, cur, sign2, body, tail = m.group("sign1", "cur", "sign2", "body", "tail")
    if (cur or tail) and kind != "rupiah":
        raise NumberError(
            f"simbol mata uang hanya diterima di kolom rupiah: '{text}'",
            f"a currency marker is only accepted in a rupiah column: '{text}'",
            perbaikan="Tulis angkanya saja tanpa 'Rp'",
            fix="Write the number only, without 'Rp'",
            value=text,
        )
    if sign1 and sign2:
        raise _not_a_number(text)
    sign = sign1 or sign2
    negative = sign in ("-", "\u2212")
    if not body:
        if cur or tail:
            return None, None  # "Rp", "Rp -", "Rp ,-": an empty amount
        raise _not_a_number(text)

    sci = _SCI_RE.fullmatch(body)
    if sci is not None:
        return _parse_scientific(sci, negative, kind, text)
    return _parse_grouped(body, negative, kind, style, text)


def _parse_scientific(sci: re.Match, negative: bool, kind: str, text: str):
    """``1,5e3`` / ``2.1E-4``: exact through Decimal; the separator is the evidence."""
    if not (sci["int"] or sci["frac"]):
        raise _not_a_number(text)
    exact = Decimal(f"{sci['int'] or '0'}.{sci['frac'] or '0'}e{sci['exp']}")
    if negative:
        exact = -exact
    evidence = {",": "id", ".": "en"}.get(sci["sep"] or "")
    if kind == "int":
        if abs(exact) > Decimal("1e30"):
            raise _not_finite(text)
        if exact != exact.to_integral_value():
            raise _not_integer(text)
        return int(exact), evidence
    number = float(exact)
    if not math.isfinite(number):
        raise _not_finite(text)
    return number, evidence


def _parse_grouped(body: str, negative: bool, kind: str, style: str, text: str):
    """Digits with thousands groups and/or a decimal mark (domain.md §10: ``1.234,56``,
    ``1,234.56``, ``1 234,56``); an ambiguous ``1.234`` needs the column's style."""
    body = re.sub(r"\s+", " ", body).replace("\u2019", "'")
    if not _BODY_RE.fullmatch(body) or not any(ch.isdigit() for ch in body):
        raise _not_a_number(text)
    parts = re.split(r"([.,' ])", body)
    groups, seps = parts[0::2], parts[1::2]

    # A leading decimal separator: ",5" / ".5".
    if groups[0] == "" and len(seps) == 1 and seps[0] in ".," and groups[1]:
        return _finish(negative, "0", groups[1], kind, text), ("id" if seps[0] == "," else "en")
    if any(g == "" for g in groups):
        raise _not_a_number(text)
    if not seps:
        return _finish(negative, groups[0], "", kind, text), None

    marks = [c for c in seps if c in ".,"]
    spacers = {c for c in seps if c in " '"}
    if len(spacers) > 1:
        raise _bad_grouping(text)

    if len(set(marks)) == 2:
        dec = seps[-1]
        if dec not in ".," or marks.count(dec) != 1 or spacers:
            raise _mixed_separators(text)
        _check_groups(groups[:-1], text)
        value = _finish(negative, "".join(groups[:-1]), groups[-1], kind, text)
        return value, ("id" if dec == "," else "en")

    if not marks:  # spaces or apostrophes only: thousands
        _check_groups(groups, text)
        return _finish(negative, "".join(groups), "", kind, text), None

    mark = marks[0]
    if spacers:  # "1 234,56": spaces group thousands, so the mark is the decimal point
        if len(marks) != 1 or seps[-1] != mark:
            raise _mixed_separators(text)
        _check_groups(groups[:-1], text)
        value = _finish(negative, "".join(groups[:-1]), groups[-1], kind, text)
        return value, ("id" if mark == "," else "en")

    if len(marks) > 1:  # "1.234.567": a repeated mark groups thousands
        _check_groups(groups, text)
        value = _finish(negative, "".join(groups), "", kind, text)
        return value, ("id" if mark == "." else "en")

    int_part, frac = groups
    is_ambiguous = len(frac) == 3 and 1 <= len(int_part) <= 3 and int_part[0] != "0"
    if not is_ambiguous:
        value = _finish(negative, int_part, frac, kind, text)
        return value, ("id" if mark == "," else "en")
    if kind in ("rupiah", "int"):
        as_thousands = True
    elif style == "id":
        as_thousands = mark == "."
    elif style == "en":
        as_thousands = mark == ","
    else:
        raise _ambiguous(text, negative, int_part, frac)
    if as_thousands:
        return _finish(negative, int_part + frac, "", kind, text), None
    return _finish(negative, int_part, frac, kind, text), None


def is_missing(value: Any) -> bool:
    """Whether a cell value means "no value": None, NaN, ``pd.NA`` or ``pd.NaT``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return False


def _parse_any(value: Any, kind: str, style: str) -> tuple[float | int | None, str | None]:
    if is_missing(value):
        return None, None
    if isinstance(value, str):
        return _parse_text(value, kind, style)
    text = str(value)
    if isinstance(value, bool | np.bool_):
        raise NumberError(
            f"'{text}' adalah nilai benar/salah, bukan angka",
            f"'{text}' is a true/false value, not a number",
            perbaikan=_EXAMPLE_FIX_ID,
            fix=_EXAMPLE_FIX_EN,
            value=text,
        )
    if isinstance(value, Integral):
        return (int(value) if kind == "int" else float(value)), None
    if isinstance(value, Decimal | Fraction):
        if isinstance(value, Decimal) and value.is_nan():
            return None, None
        if isinstance(value, Decimal) and value.is_infinite():
            raise _not_finite(text)
        if kind == "int":
            if value != int(value):
                raise _not_integer(text)
            return int(value), None
        number = float(value)
    elif isinstance(value, Real):
        number = float(value)
    else:
        raise _not_a_number(text)
    if math.isnan(number):
        return None, None
    if not math.isfinite(number):
        raise _not_finite(text)
    if kind == "int":
        nearest = round(number)
        if abs(number - nearest) > _INT_TOLERANCE * max(1.0, abs(number)):
            raise _not_integer(text)
        return int(nearest), None
    return number, None


def _check_options(kind: str, style: str) -> None:
    if kind not in _KINDS:
        raise UsageError(
            f"jenis angka '{kind}' tidak dikenal; pilih {', '.join(_KINDS)} / "
            f"unknown number kind '{kind}'; choose {', '.join(_KINDS)}"
        )
    if style not in _STYLES:
        raise UsageError(
            f"gaya angka '{style}' tidak dikenal; pilih {', '.join(_STYLES)} / "
            f"unknown number style '{style}'; choose {', '.join(_STYLES)}"
        )


def parse_number(value: Any, *, kind: Kind = "float", style: Style = "auto") -> float | int | None:
    """Read one number written the Indonesian or the English way (domain.md §10).

    Parameters
    ----------
    value : str, int, float or None
        A cell value. ``None``, NaN, ``""`` and ``"-"`` mean "no value". Numbers from
        Excel cells pass through (for ``kind="int"`` they must be whole, up to a relative
        float error of 1e-9).
    kind : {"float", "int", "rupiah"}
        ``"int"`` returns an ``int`` and refuses fractions; ``"rupiah"`` also accepts
        ``Rp``, ``Rp.``, ``IDR`` and a trailing ``,-`` or ``.-``. For both, a single
        separator before three digits groups thousands (``"Rp 1.500"`` → 1500.0).
    style : {"auto", "id", "en"}
        How to read the ambiguous pattern ``1.234`` / ``1,234`` (see the module
        docstring). ``"auto"`` refuses it; ``"id"`` reads the dot as thousands and the
        comma as decimal; ``"en"`` the reverse. Unambiguous values read the same under
        every style.

    Returns
    -------
    float, int or None

    Raises
    ------
    NumberError
        The value is not a number, is ambiguous (``err.ambiguous``), is not whole for
        ``kind="int"``, or carries a percent sign or (outside rupiah) a currency marker.

    Examples
    --------
    >>> parse_number("1.234,56")
    1234.56
    >>> parse_number("Rp 350.000.000,00", kind="rupiah")
    350000000.0
    >>> parse_number("1.234", style="id")
    1234.0
    """
    _check_options(kind, style)
    return _parse_any(value, kind, style)[0]


def _memo_parse(raw: str, kind: str, style: str) -> tuple:
    try:
        return _parse_any(raw, kind, style), None
    except NumberError as err:
        return None, err


def _raise_or_value(entry: tuple):
    value, err = entry
    if err is not None:
        raise err
    return value


def parse_number_series(
    values: pd.Series, *, kind: Kind = "float", style: Style = "auto"
) -> tuple[pd.Series, list[tuple[Hashable, str, NumberError]]]:
    """Read a whole column of numbers, inferring its writing style (domain.md §10).

    Each value is read as by :func:`parse_number`. Under ``style="auto"`` the column's
    style is inferred from the values that prove a style: a decimal comma (``12,5``) or
    a dot grouping thousands (``1.234.567``, ``2.345,5``) proves Indonesian; a decimal
    dot (``12.5``) or a comma grouping thousands proves English. When the proofs all
    agree, ambiguous values (``1.234``) are read in that style; when the column holds
    both styles, or none, ambiguous values fail.

    Parameters
    ----------
    values : pandas.Series
        The raw column (strings, numbers, missing values). Not modified.
    kind : {"float", "int", "rupiah"}
    style : {"auto", "id", "en"}
        A fixed column style; ``"auto"`` infers it as above.

    Returns
    -------
    parsed : pandas.Series
        On ``values.index`` with ``values.name``: float64 with NaN for missing values and
        failures, or nullable ``Int64`` with ``<NA>`` for ``kind="int"``.
    failures : list of (index label, original text, NumberError)
        In index order; the caller turns them into problems naming row and column
        (:meth:`NumberError.to_problem`).
    """
    _check_options(kind, style)
    if not isinstance(values, pd.Series):
        values = pd.Series(list(values), dtype=object)
    n = len(values)
    parsed: list[float | int | None] = [None] * n
    errors: dict[int, tuple[Hashable, str, NumberError]] = {}
    ambiguous: list[tuple[int, Hashable, Any, NumberError]] = []
    examples: dict[str, str] = {}

    memo: dict[str, tuple] = {}  # texts repeat in a column: read each once
    for pos, (label, raw) in enumerate(values.items()):
        try:
            if isinstance(raw, str):
                if raw not in memo:
                    memo[raw] = _memo_parse(raw, kind, style)
                number, evidence = _raise_or_value(memo[raw])
            else:
                number, evidence = _parse_any(raw, kind, style)
        except NumberError as err:
            if err.ambiguous:
                ambiguous.append((pos, label, raw, err))
            else:
                errors[pos] = (label, str(raw), err)
            continue
        parsed[pos] = number
        if evidence is not None:
            examples.setdefault(evidence, str(raw))

    if ambiguous:
        inferred = next(iter(examples)) if len(examples) == 1 else None
        for pos, label, raw, err in ambiguous:
            if inferred is not None:
                parsed[pos] = _parse_any(raw, kind, inferred)[0]
                continue
            if len(examples) == 2:
                err = NumberError(
                    f"{err.masalah}. Kolom ini memakai gaya Indonesia (mis. "
                    f"'{examples['id']}') dan gaya Inggris (mis. '{examples['en']}') "
                    "sekaligus",
                    f"{err.problem}. This column uses both the Indonesian style (e.g. "
                    f"'{examples['id']}') and the English style (e.g. '{examples['en']}')",
                    perbaikan=err.perbaikan,
                    fix=err.fix,
                    value=err.value,
                    ambiguous=True,
                    readings=err.readings,
                )
            errors[pos] = (label, str(raw), err)

    if kind == "int":
        limit = np.iinfo(np.int64).max
        for pos, number in enumerate(parsed):
            if number is not None and abs(number) > limit:
                text = str(values.iloc[pos])
                errors[pos] = (values.index[pos], text, _not_finite(text))
                parsed[pos] = None
        out = pd.array([pd.NA if v is None else v for v in parsed], dtype="Int64")
        result = pd.Series(out, index=values.index, name=values.name)
    else:
        arr = np.array([np.nan if v is None else v for v in parsed], dtype="float64")
        result = pd.Series(arr, index=values.index, name=values.name)
    failures = [errors[pos] for pos in sorted(errors)]
    return result, failures


_CODE_RE = re.compile(r"^\s*[+-]?0\d")  # "001", "0812…": a code written with its zeros
_WHOLE_RE = re.compile(r"^\s*[+-]?\d+\s*$")
_MAX_DIGITS = 15  # a longer run of digits (an NIK, a parcel id) is an identifier, not a number


def _looks_like_code(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return True
    if not isinstance(value, str):
        return False
    return bool(_CODE_RE.match(value)) or sum(ch.isdigit() for ch in value) > _MAX_DIGITS


def number_column(values: pd.Series) -> pd.Series | None:
    """A column of text as numbers, when every non-empty value is one (domain.md §10).

    The column is read by :func:`parse_number_series` (its style inferred from the values,
    so an ambiguous ``1.234`` is a number only when another value settles the style). It
    stays text — None is returned — when any value fails, when nothing is filled in, or
    when a value is a code rather than a number: a leading zero (``001``, ``0812…``), more
    than 15 digits, a true/false value.

    Returns
    -------
    pandas.Series or None
        On ``values.index``: nullable ``Int64`` when every value is a whole number written
        without a decimal mark (``2016``), else float64 (``12,35`` → 12.35).
    """
    filled = [v for v in values if not is_missing(v) and not (isinstance(v, str) and not v.strip())]
    if not filled or any(_looks_like_code(v) for v in filled):
        return None
    parsed, failures = parse_number_series(values)
    if failures or parsed.isna().all():
        return None
    whole = all(
        isinstance(v, Integral) or (isinstance(v, str) and _WHOLE_RE.match(v)) for v in filled
    )
    if whole:
        return pd.Series(
            pd.array(parsed.round(), dtype="Int64"), index=values.index, name=values.name
        )
    return parsed


# --------------------------------------------------------------------------- formatting


def _to_decimal(x: Any) -> Decimal | None:
    if is_missing(x):
        return None
    if isinstance(x, bool | np.bool_):
        raise TypeError(f"not a number: {x!r}")
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, Integral):
        d = Decimal(int(x))
    elif isinstance(x, Real):
        # repr gives the shortest text that reads back as the same float, so 26.315
        # rounds half up to 26.32 as a reader expects (domain.md §4 rounding).
        d = Decimal(repr(float(x)))
    else:
        raise TypeError(f"not a number: {x!r}")
    if not d.is_finite():
        if d.is_nan():
            return None
        raise ValueError(f"not a finite number: {x!r}")
    return d


def _format(d: Decimal, decimals: int) -> str:
    if decimals < 0:
        raise UsageError(
            f"jumlah desimal harus >= 0, bukan {decimals} / decimals must be >= 0, not {decimals}"
        )
    prec = max(28, d.adjusted() + decimals + 3)
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=Context(prec=prec))
    sign = "-" if q < 0 else ""
    english = f"{abs(q):,.{decimals}f}"
    return sign + english.translate(str.maketrans(",.", ".,"))


def format_number_id(x: Any, decimals: int = 2) -> str:
    """Write a number the Indonesian way for reports: ``1234.56`` → ``"1.234,56"``.

    Rounds half up to ``decimals`` places (domain.md §4 rounding; §10 writing style).
    A missing value (None, NaN) gives ``"-"``, which :func:`parse_number` reads back as
    missing.
    """
    d = _to_decimal(x)
    if d is None:
        return "-"
    return _format(d, decimals)


def format_rupiah(x: Any, *, decimals: int = 0) -> str:
    """Write an amount in rupiah for reports: ``350000000`` → ``"Rp 350.000.000"``.

    Indonesian separators (domain.md §10), rounded half up to ``decimals`` places
    (whole rupiah by default); negative amounts read ``"-Rp 1.500"``; missing → ``"-"``.
    """
    d = _to_decimal(x)
    if d is None:
        return "-"
    text = _format(d, decimals)
    if text.startswith("-"):
        return "-Rp " + text[1:]
    return "Rp " + text
