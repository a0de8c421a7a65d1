"""Controlled words: funding sources, criterion codes and place names.

* Funding sources (sumber dana, domain.md §9): a controlled list read from
  ``kumuhgis/core/data/sumber_dana.yaml``; the spellings seen in office spreadsheets
  ("APBD II", "pokir DPRD", "BPM", "DD", "CSR BUMN", ...) map onto it, with an optional
  detail ("BPM" → APBN, "BPM/BDI").
* Criterion codes (domain.md §3): ``"1a; 2B ,v_4c"`` → ``("1a", "2b", "4c")``.
* Volume units (domain.md §3, §5): ``"m'"``, ``"meter"`` → ``m``; ``"hektar"`` → ``ha``;
  ``"buah"``, ``"bh"`` → ``unit``; ``"rumah tangga"``, ``"SR"`` → ``KK`` (spellings are
  data of the rule set, ``unit_spellings``), and a stored work's volume per criterion.
* Place names (domain.md §6 ``nama_tidak_cocok``): normalisation for matching and the
  closest spelling, including abbreviations such as "MB. Hulu" for "Mentawa Baru Hulu".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from kumuhgis.core.codes import split_codes
from kumuhgis.core.errors import UsageError
from kumuhgis.core.numeric import CellError, is_missing
from kumuhgis.core.schema import CRITERIA_CODES, CRITERIA_CODES_02_2016

__all__ = [
    "KOLABORASI_STATUSES",
    "VocabularyError",
    "SumberDanaVocabulary",
    "load_sumber_dana",
    "SUMBER_DANA",
    "normalize_sumber_dana",
    "suggest_sumber_dana",
    "parse_sumber_dana_series",
    "parse_kriteria",
    "parse_kriteria_series",
    "work_kriteria",
    "normalize_name",
    "closest_name",
    "level_code",
    "parse_level_series",
]

#: Where a kolaborasi lies against the delineation in force (domain.md §7), in this order.
KOLABORASI_STATUSES: tuple[str, ...] = ("dalam", "sebagian", "batas", "luar")


class VocabularyError(CellError):
    """A value outside a controlled vocabulary (a criterion code, a funding source).

    Besides the bilingual texts of :class:`~kumuhgis.core.numeric.CellError`, ``invalid``
    holds the offending words and ``suggestions`` the closest valid ones.
    """

    def __init__(
        self,
        masalah: str,
        problem: str,
        *,
        perbaikan: str = "",
        fix: str = "",
        value: str | None = None,
        invalid: tuple[str, ...] = (),
        suggestions: tuple[str, ...] = (),
    ) -> None:
        super().__init__(masalah, problem, perbaikan=perbaikan, fix=fix, value=value)
        self.invalid = invalid
        self.suggestions = suggestions


# --------------------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(r"[^\W_]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_YEAR_WORDS = {"ta", "th", "thn", "tahun", "tahun anggaran"}


def _fold(text: str) -> str:
    """Unicode-compatible form without accents or apostrophes (case kept)."""
    text = unicodedata.normalize("NFKD", text).translate(_APOSTROPHES)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _spans(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of ``text`` as ``(casefolded token, start, end)`` in the folded text."""
    return [(m.group().casefold(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


# --------------------------------------------------------------------------- sumber dana

_Hit = tuple[str, str | None]  # (canonical name, detail)


@dataclass(frozen=True)
class _Ambiguous:
    candidates: tuple[str, ...]


_FILLERS = {
    "dana", "sumber", "anggaran", "dari", "biaya", "pendanaan", "oleh", "melalui", "via",
    "program", "kegiatan",
}  # fmt: skip


@dataclass(frozen=True)
class SumberDanaVocabulary:
    """The funding-source vocabulary (domain.md §9), built by :func:`load_sumber_dana`.

    Attributes
    ----------
    names : tuple of str
        Canonical names in file order.
    keys : mapping
        Normalised spelling (space-joined lower-case words) → ``(canonical, detail)``.
    ambiguous : mapping
        Normalised spelling → canonical names it could mean (never mapped silently).
    """

    names: tuple[str, ...]
    keys: Mapping[str, _Hit]
    ambiguous: Mapping[str, tuple[str, ...]]
    _compact: dict[str, _Hit] = field(init=False, repr=False, compare=False)
    _compact_ambiguous: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    max_words: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compact: dict[str, _Hit] = {}
        for key, hit in self.keys.items():
            compact.setdefault(key.replace(" ", ""), hit)
        compact_ambiguous: dict[str, tuple[str, ...]] = {}
        for key, cands in self.ambiguous.items():
            compact_ambiguous.setdefault(key.replace(" ", ""), cands)
        object.__setattr__(self, "_compact", compact)
        object.__setattr__(self, "_compact_ambiguous", compact_ambiguous)
        words = max((key.count(" ") + 1 for key in self.keys), default=0)
        object.__setattr__(self, "max_words", words)

    def _exact(self, tokens: list[str]) -> _Hit | _Ambiguous | None:
        key = " ".join(tokens)
        compact = "".join(tokens)
        hit = self.keys.get(key) or self._compact.get(compact)
        if hit is not None:
            return hit
        cands = self.ambiguous.get(key) or self._compact_ambiguous.get(compact)
        return _Ambiguous(cands) if cands else None

    def _match(self, spans: list[tuple[str, int, int]], text: str) -> _Hit | _Ambiguous | None:
        tokens = [t for t, _, _ in spans]
        if not tokens:
            return None
        hit = self._exact(tokens)
        if hit is not None:
            return hit
        for k in range(min(len(tokens) - 1, self.max_words), 0, -1):
            head = self._exact(tokens[:k])
            if head is None:
                continue
            if isinstance(head, _Ambiguous):
                return head
            canon, head_detail = head
            rest_spans = spans[k:]
            rest = self._match(rest_spans, text)
            words = text[rest_spans[0][1] : rest_spans[-1][2]]
            if rest is None or (isinstance(rest, _Ambiguous) and canon in rest.candidates):
                return canon, head_detail or words
            if isinstance(rest, _Ambiguous) or rest[0] != canon:
                return None  # two different sources in one cell
            return canon, head_detail or rest[1]
        return None

    def _prepare(self, text: Any) -> tuple[list[tuple[str, int, int]], str]:
        folded = _fold(str(text))
        spans = _spans(folded)
        kept: list[tuple[str, int, int]] = []
        for tok in spans:
            if _YEAR_RE.fullmatch(tok[0]):
                while kept and kept[-1][0] in _YEAR_WORDS:
                    kept.pop()
                if len(kept) >= 2 and (kept[-2][0], kept[-1][0]) == ("t", "a"):
                    del kept[-2:]
                continue
            kept.append(tok)
        return kept, folded

    def lookup(self, text: Any) -> _Hit | _Ambiguous | None:
        """Match ``text``: a ``(canonical, detail)`` hit, an ambiguity, or ``None``."""
        if is_missing(text):
            return None
        spans, folded = self._prepare(text)
        while spans:
            hit = self._match(spans, folded)
            if hit is not None or spans[0][0] not in _FILLERS:
                return hit
            spans = spans[1:]
        return None

    def normalize(self, text: Any) -> _Hit | tuple[None, None]:
        hit = self.lookup(text)
        if hit is None or isinstance(hit, _Ambiguous):
            return None, None
        return hit

    def suggest(self, text: Any, n: int = 3, *, cutoff: float = 0.4) -> list[str]:
        if is_missing(text):
            return []
        out: list[str] = []
        hit = self.lookup(text)
        if isinstance(hit, _Ambiguous):
            out.extend(hit.candidates)
        elif hit is not None:
            out.append(hit[0])
        spans, _ = self._prepare(text)
        key = " ".join(t for t, _, _ in spans)
        best: dict[str, float] = {}
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        pairs: list[tuple[str, tuple[str, ...]]] = [(k, (h[0],)) for k, h in self.keys.items()]
        pairs += list(self.ambiguous.items())
        for k, canons in pairs:
            matcher.set_seq1(k)
            ratio = matcher.ratio()
            for c in canons:
                if ratio > best.get(c, -1.0):
                    best[c] = ratio
        order = {name: i for i, name in enumerate(self.names)}
        ranked = sorted(best, key=lambda c: (-best[c], order.get(c, len(order))))
        out.extend(c for c in ranked if best[c] >= cutoff)
        unique = list(dict.fromkeys(out))
        return unique[: max(n, 0)]


def _key(text: str) -> str:
    return " ".join(t for t, _, _ in _spans(_fold(text)))


def _vocab_error(message: str, path: str) -> UsageError:
    return UsageError(
        f"berkas kosakata sumber dana {path} tidak valid: {message} / "
        f"invalid funding-source vocabulary file {path}: {message}"
    )


def load_sumber_dana(path: str | Path | None = None) -> SumberDanaVocabulary:
    """Read a funding-source vocabulary file (domain.md §9).

    Parameters
    ----------
    path : str or Path, optional
        A YAML file shaped like ``kumuhgis/core/data/sumber_dana.yaml``; the packaged file
        when omitted (a project may supply its own).

    Raises
    ------
    UsageError
        The file is malformed, or one spelling maps to two different meanings.
    """
    if path is None:
        resource = files("kumuhgis.core").joinpath("data/sumber_dana.yaml")
        label = "kumuhgis/core/data/sumber_dana.yaml"
        data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    else:
        label = str(path)
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entries = data.get("sumber_dana") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise _vocab_error("daftar 'sumber_dana' tidak ada / no 'sumber_dana' list", label)

    names: list[str] = []
    keys: dict[str, _Hit] = {}

    def add(spelling: Any, hit: _Hit) -> None:
        key = _key(str(spelling))
        if not key:
            raise _vocab_error(f"ejaan kosong / empty spelling {spelling!r}", label)
        if keys.get(key, hit) != hit:
            raise _vocab_error(
                f"'{spelling}' berarti {keys[key]} dan {hit} / '{spelling}' means both", label
            )
        keys[key] = hit

    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("nama"):
            raise _vocab_error(f"entri tanpa 'nama' / entry without 'nama': {entry!r}", label)
        name = str(entry["nama"])
        names.append(name)
        add(name, (name, None))
        for spelling in entry.get("sinonim") or ():
            add(spelling, (name, None))
        for detail in entry.get("rincian") or ():
            if not isinstance(detail, dict) or not detail.get("nama"):
                raise _vocab_error(f"rincian tanpa 'nama' / detail without 'nama' in {name}", label)
            for spelling in detail.get("sinonim") or ():
                add(spelling, (name, str(detail["nama"])))

    ambiguous: dict[str, tuple[str, ...]] = {}
    for spelling, cands in (data.get("ambigu") or {}).items():
        key = _key(str(spelling))
        cands = tuple(str(c) for c in cands)
        unknown = [c for c in cands if c not in names]
        if unknown or key in keys:
            raise _vocab_error(
                f"'{spelling}' di 'ambigu' tidak konsisten / inconsistent 'ambigu' entry", label
            )
        ambiguous[key] = cands
    return SumberDanaVocabulary(tuple(names), keys, ambiguous)


@cache
def _default_vocabulary() -> SumberDanaVocabulary:
    return load_sumber_dana()


#: Canonical funding-source names of domain.md §9, in report order.
SUMBER_DANA: tuple[str, ...] = _default_vocabulary().names


def normalize_sumber_dana(
    text: Any, *, vocabulary: SumberDanaVocabulary | None = None
) -> tuple[str | None, str | None]:
    """Map a funding-source spelling onto the controlled list (domain.md §9).

    Matching ignores case, spaces, punctuation and years. A known spelling followed by
    more words keeps the words as the detail; two different sources in one cell, or an
    ambiguous word such as "APBD" alone, are not mapped.

    Returns
    -------
    (canonical, detail)
        ``("APBN", "BPM/BDI")`` for ``"BPM"``; ``("APBD Kab/Kota", "Pokir/reses DPRD")``
        for ``"pokir DPRD"``; ``(None, None)`` when unknown, ambiguous or empty — the
        caller reports it with :func:`suggest_sumber_dana`.
    """
    return (vocabulary or _default_vocabulary()).normalize(text)


def suggest_sumber_dana(
    text: Any,
    n: int = 3,
    *,
    cutoff: float = 0.4,
    vocabulary: SumberDanaVocabulary | None = None,
) -> list[str]:
    """The canonical funding sources closest to ``text`` (domain.md §9), best first.

    The meanings of an ambiguous word ("APBD" → APBD Kab/Kota, APBD Provinsi) come first,
    then names ranked by :class:`difflib.SequenceMatcher` ratio against every known
    spelling, keeping those with ratio ≥ ``cutoff``; at most ``n``.
    """
    return (vocabulary or _default_vocabulary()).suggest(text, n, cutoff=cutoff)


def _sumber_dana_error(text: str, vocab: SumberDanaVocabulary) -> VocabularyError:
    hit = vocab.lookup(text)
    suggestions = tuple(vocab.suggest(text))
    valid = ", ".join(vocab.names)
    if isinstance(hit, _Ambiguous):
        options = " / ".join(hit.candidates)
        masalah = f"sumber dana '{text}' bisa berarti {options}"
        problem = f"funding source '{text}' could mean {options}"
    else:
        masalah = f"sumber dana '{text}' tidak dikenal"
        problem = f"unknown funding source '{text}'"
    hint_id = f"mungkin maksudnya: {', '.join(suggestions)}; " if suggestions else ""
    hint_en = f"did you mean: {', '.join(suggestions)}; " if suggestions else ""
    return VocabularyError(
        masalah,
        problem,
        perbaikan=f"{hint_id}tulis salah satu: {valid}",
        fix=f"{hint_en}write one of: {valid}",
        value=text,
        invalid=(text,),
        suggestions=suggestions,
    )


def parse_sumber_dana_series(
    values: pd.Series, *, vocabulary: SumberDanaVocabulary | None = None
) -> tuple[pd.Series, pd.Series, list[tuple[Hashable, str, VocabularyError]]]:
    """Map a whole ``sumber_dana`` column onto the controlled list (domain.md §9).

    Returns
    -------
    canonical, detail : pandas.Series
        String dtype on ``values.index``; ``<NA>`` for missing values and failures
        (``detail`` also where there is none).
    failures : list of (index label, original text, VocabularyError)
        Unknown or ambiguous values, in index order, with suggestions in the message.
    """
    vocab = vocabulary or _default_vocabulary()
    if not isinstance(values, pd.Series):
        values = pd.Series(list(values), dtype=object)
    canon: list[Any] = []
    detail: list[Any] = []
    failures: list[tuple[Hashable, str, VocabularyError]] = []
    seen: dict[str, _Hit | None] = {}
    for label, raw in values.items():
        if is_missing(raw) or not str(raw).strip():
            canon.append(pd.NA)
            detail.append(pd.NA)
            continue
        text = str(raw).strip()
        if text not in seen:
            hit = vocab.lookup(text)
            seen[text] = None if hit is None or isinstance(hit, _Ambiguous) else hit
        hit = seen[text]
        if hit is None:
            failures.append((label, text, _sumber_dana_error(text, vocab)))
            canon.append(pd.NA)
            detail.append(pd.NA)
        else:
            canon.append(hit[0])
            detail.append(pd.NA if hit[1] is None else hit[1])
    return (
        pd.Series(canon, index=values.index, name=values.name, dtype="string"),
        pd.Series(detail, index=values.index, name="rincian_dana", dtype="string"),
        failures,
    )


# --------------------------------------------------------------------------- kriteria

_KRITERIA_TOKEN = re.compile(r"(?:v_?)?0*(\d{1,2})[.\-_]?([a-z])", re.IGNORECASE)
_KRITERIA_JOINERS = {"dan", "and"}


def _kriteria_error(
    text: str, bad: list[str], codes: tuple[str, ...], rule_name: str = ""
) -> VocabularyError:
    listed = ", ".join(f"'{b}'" for b in bad)
    where_id = f" di aturan {rule_name}" if rule_name else ""
    where_en = f" in rule set {rule_name}" if rule_name else ""
    valid = ", ".join(codes)
    older = []
    for b in bad:
        m = _KRITERIA_TOKEN.fullmatch(b)
        code = f"{int(m[1])}{m[2].lower()}" if m else ""
        if code in CRITERIA_CODES_02_2016 and code not in codes:
            older.append(code)
    note_id = note_en = ""
    if older:
        note_id = f" (hanya ada di Permen PUPR 02/PRT/M/2016: {', '.join(older)})"
        note_en = f" (only in Permen PUPR 02/PRT/M/2016: {', '.join(older)})"
    return VocabularyError(
        f"kode kriteria tidak dikenal{where_id}: {listed}{note_id}",
        f"unknown criterion code(s){where_en}: {listed}{note_en}",
        perbaikan=f"Kode yang berlaku: {valid}; pisahkan dengan titik koma, mis. 1a; 2b",
        fix=f"Valid codes: {valid}; separate them with semicolons, e.g. 1a; 2b",
        value=text,
        invalid=tuple(bad),
        suggestions=tuple(codes),
    )


def parse_kriteria(
    text: Any, *, codes: Iterable[str] = CRITERIA_CODES, strict: bool = True, rule_name: str = ""
) -> tuple[str, ...]:
    """Read a list of criterion codes (domain.md §3), e.g. a ``kriteria`` cell.

    Codes are separated by ``;``, ``,``, ``/``, ``|``, ``+``, ``&`` or spaces, and may
    be written ``1a``, ``1A``, ``v_1a``, ``1.a`` or ``1-a``. Duplicates are removed,
    keeping the first occurrence.

    Parameters
    ----------
    text : str or None
    codes : iterable of str
        The valid codes of the rule set (default Permen PUPR 14/PRT/M/2018; pass
        ``CRITERIA_CODES_02_2016`` for the older one).
    strict : bool
        ``True`` (imports): an unknown code raises. ``False`` (analysis of stored data, whose
        codes the import already checked): unknown tokens are left out.
    rule_name : str
        The rule set ``codes`` come from, named in the error (domain.md §3, issue 11 item 8).

    Returns
    -------
    tuple of str
        Lower-case codes in the order written; ``()`` for an empty or missing value.

    Raises
    ------
    VocabularyError
        Naming every unknown code and listing the valid ones.

    Examples
    --------
    >>> parse_kriteria("1a; 2B ,4c")
    ('1a', '2b', '4c')
    """
    codes = tuple(codes)
    if is_missing(text):
        return ()
    raw = str(text)
    tokens = [t.strip(".()[]{}'\"") for t in split_codes(raw)]
    tokens = [t for t in tokens if t and t.casefold() not in _KRITERIA_JOINERS]
    joined: list[str] = []
    for tok in tokens:  # "1 a" → "1a"
        if joined and joined[-1].isdigit() and len(tok) == 1 and tok.isalpha():
            joined[-1] += tok
        else:
            joined.append(tok)
    valid = set(codes)
    out: list[str] = []
    bad: list[str] = []
    for tok in joined:
        m = _KRITERIA_TOKEN.fullmatch(tok)
        code = f"{int(m[1])}{m[2].lower()}" if m else None
        if code is None or code not in valid:
            bad.append(tok)
        elif code not in out:
            out.append(code)
    if bad and strict:
        raise _kriteria_error(raw, bad, codes, rule_name)
    return tuple(out)


def work_kriteria(text: Any) -> list[str]:
    """The criterion codes of a stored kolaborasi or infrastruktur row, for analysis.

    The same reading as :func:`parse_kriteria`, over the codes of both rule sets
    (14/2018 and 02/2016), leaving out what is not a code instead of raising: the import
    already refused unknown codes, and a derived year must not stop on a stray token.
    """
    return list(parse_kriteria(text, codes=_ALL_CODES, strict=False))


_ALL_CODES: tuple[str, ...] = tuple(dict.fromkeys(CRITERIA_CODES + CRITERIA_CODES_02_2016))


def parse_kriteria_series(
    values: pd.Series, *, codes: Iterable[str] = CRITERIA_CODES, rule_name: str = ""
) -> tuple[pd.Series, list[tuple[Hashable, str, VocabularyError]]]:
    """Read a whole ``kriteria`` column (domain.md §3) as canonical ``"1a;2b"`` strings.

    Returns
    -------
    parsed : pandas.Series
        String dtype on ``values.index`` with ``values.name``; ``<NA>`` for missing or
        empty values and failures.
    failures : list of (index label, original text, VocabularyError)
        In index order.
    """
    codes = tuple(codes)
    if not isinstance(values, pd.Series):
        values = pd.Series(list(values), dtype=object)
    out: list[Any] = []
    failures: list[tuple[Hashable, str, VocabularyError]] = []
    seen: dict[str, tuple[str, ...] | VocabularyError] = {}
    for label, raw in values.items():
        if is_missing(raw):
            out.append(pd.NA)
            continue
        text = str(raw)
        if text not in seen:
            try:
                seen[text] = parse_kriteria(text, codes=codes, rule_name=rule_name)
            except VocabularyError as err:
                seen[text] = err
        result = seen[text]
        if isinstance(result, VocabularyError):
            failures.append((label, text, result))
            out.append(pd.NA)
        else:
            out.append(";".join(result) if result else pd.NA)
    return pd.Series(out, index=values.index, name=values.name, dtype="string"), failures


# --------------------------------------------------------------------------- slum levels

#: Words around a level name that do not decide it ("Tingkat Kekumuhan: Kumuh Berat").
_LEVEL_NOISE = {"kumuh", "kekumuhan", "slum", "tingkat", "kategori", "kawasan", "level", "a"}
#: Words that turn a level name into its negation ("bukan kumuh", "non-slum").
_LEVEL_NEGATION = {"tidak", "tdk", "bukan", "non", "not", "no"}


def _level_words(text: Any) -> tuple[str, ...]:
    words = [t for t, _, _ in _spans(_fold(str(text)))]
    kept = ["tidak" if w in _LEVEL_NEGATION else w for w in words if w not in _LEVEL_NOISE]
    return tuple(dict.fromkeys(kept))


@cache
def _level_table(levels: tuple) -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for lv in levels:
        for spelling in (lv.code, lv.label_id, lv.label_en):
            words = _level_words(spelling)
            if words:
                table.setdefault(words, lv.code)
        if not lv.kumuh:
            table.setdefault(("tidak",), lv.code)
    return table


def level_code(text: Any, levels: Iterable) -> str | None:
    """The level code (domain.md §4.5) a published spelling stands for, or ``None``.

    ``levels`` are a rule set's :class:`~kumuhgis.core.rules.Level` entries. Accepted:
    the code (``KB``), the Indonesian and English labels in any case (``Kumuh Berat``,
    ``KUMUH SEDANG``, ``moderate slum``), the label without "kumuh" (``berat``,
    ``ringan``), and for the level that is not a slum any negation (``TK``,
    ``Tidak Kumuh``, ``bukan kumuh``, ``non-kumuh``). A code in brackets after a label
    (``Kumuh Berat (KB)``) counts once. Missing values and other text give ``None``.
    """
    if is_missing(text):
        return None
    table = _level_table(tuple(levels))
    words = _level_words(text)
    if words in table:
        return table[words]
    codes = {table[(w,)] for w in words if (w,) in table}
    rest = tuple(w for w in words if (w,) not in table or table[(w,)] not in codes)
    if len(codes) == 1 and (not rest or table.get(rest) in codes):
        return codes.pop()
    return None


def parse_level_series(values: pd.Series, levels: Iterable) -> pd.Series:
    """:func:`level_code` of every value (read once per distinct spelling).

    Returns a ``string`` series on ``values.index``: the code, or ``<NA>`` for a missing
    value or a spelling that is not a level (compare with ``values.notna()`` to tell
    them apart).
    """
    levels = tuple(levels)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    read = [level_code(u, levels) for u in uniques]
    table = np.array([pd.NA if c is None else c for c in read] + [pd.NA], dtype=object)
    return pd.Series(table[codes], index=values.index, name=values.name, dtype="string")


# --------------------------------------------------------------------------- place names

_ADMIN_PREFIXES = {"kelurahan", "kel", "desa", "ds", "kecamatan", "kec"}
# Abbreviations that are not a subsequence of the word they stand for.
_PLACE_ABBREVIATIONS = {"sei": "sungai"}


def _name_tokens(text: Any) -> list[str]:
    if is_missing(text):
        return []
    tokens = [t for t, _, _ in _spans(_fold(str(text)))]
    while len(tokens) > 1 and tokens[0] in _ADMIN_PREFIXES:
        tokens = tokens[1:]
    return tokens


def normalize_name(text: Any) -> str:
    """Normalise a place name for matching (domain.md §6 ``nama_tidak_cocok``).

    Case-folds, drops accents and apostrophes, turns punctuation into spaces, collapses
    spaces and strips leading "Kelurahan", "Kel.", "Desa", "Ds.", "Kecamatan", "Kec."
    (never the whole name). ``"Kel. Mentawa-Baru  Hulu"`` → ``"mentawa baru hulu"``.
    Missing values give ``""``.
    """
    return " ".join(_name_tokens(text))


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _abbreviates(short: list[str], long: list[str]) -> bool:
    """Whether ``short`` abbreviates ``long`` word by word.

    Each short word equals a long word, or holds the initials of two or more
    consecutive long words ("mb" = "mentawa baru"), or (up to three letters) shortens
    one long word keeping its first letter ("tj" = "tanjung", "m" = "mentawa").
    At least one abbreviation must be used.
    """

    @cache
    def walk(i: int, j: int, used: bool) -> bool:
        if i == len(short) or j == len(long):
            return i == len(short) and j == len(long) and used
        word = short[i]
        if word == long[j] and walk(i + 1, j + 1, used):
            return True
        k = len(word)
        if (
            k >= 2
            and j + k <= len(long)
            and word == "".join(w[0] for w in long[j : j + k])
            and walk(i + 1, j + k, True)
        ):
            return True
        target = long[j]
        shortens = _PLACE_ABBREVIATIONS.get(word) == target or (
            len(word) <= 3
            and len(word) < len(target)
            and word[0] == target[0]
            and _is_subsequence(word, target)
        )
        return shortens and walk(i + 1, j + 1, True)

    return walk(0, 0, False)


def closest_name(name: Any, candidates: Iterable[Any], *, cutoff: float = 0.6) -> str | None:
    """The candidate spelling that best matches ``name`` (domain.md §6 ``nama_tidak_cocok``).

    In order:

    1. equal after :func:`normalize_name`, ignoring spaces ("Sumber Mulyo" =
       "Sumbermulyo");
    2. one abbreviates the other word by word ("MB. Hulu" ≈ "Mentawa Baru Hulu",
       "Tj. Pinang" ≈ "Tanjung Pinang", "Sei Raya" ≈ "Sungai Raya"); when several
       candidates fit the abbreviation, ``None``;
    3. the highest :class:`difflib.SequenceMatcher` ratio of the normalised names, if
       at least ``cutoff``; a tie between different names gives ``None``.

    Returns
    -------
    str or None
        The candidate as given (not normalised).
    """
    tokens = _name_tokens(name)
    if not tokens:
        return None
    key = " ".join(tokens)
    compact = "".join(tokens)
    by_norm: dict[str, tuple[str, list[str]]] = {}
    for cand in candidates:
        if is_missing(cand):
            continue
        ctoks = _name_tokens(cand)
        if ctoks:
            by_norm.setdefault(" ".join(ctoks), (str(cand), ctoks))
    for original, ctoks in by_norm.values():
        if "".join(ctoks) == compact:
            return original

    def ratio(norm: str) -> float:
        return difflib.SequenceMatcher(None, key, norm, autojunk=False).ratio()

    def best(norms: list[str]) -> str | None:
        scored = sorted(((ratio(n), n) for n in norms), reverse=True)
        if not scored or scored[0][0] < cutoff:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        return by_norm[scored[0][1]][0]

    abbreviated = [
        norm
        for norm, (_, ctoks) in by_norm.items()
        if _abbreviates(tokens, ctoks) or _abbreviates(ctoks, tokens)
    ]
    if abbreviated:
        # two names shortening the same way ("Mentawa Baru", "Mekar Baru") cannot be told apart
        return by_norm[abbreviated[0]][0] if len(abbreviated) == 1 else None
    return best(list(by_norm))
