"""Reading published per-RT slum tables: KAWANKU sheets, city app exports, Excel recaps.

Cities and provinces publish one row per RT (and year) with the criteria's volumes,
percentages and scores, aspect averages, a total and a level (domain.md §4). The column
families are recognised by name, whatever the layout:

=====================  ===============  =========================  ======================
what                   kumuhgis's own   compact app export         long headers
=====================  ===============  =========================  ======================
volume of 1a           ``v_1a``         ``1av``                    ``Volume 1a``
percentage of 1a       ``p_1a``         ``1ap``                    ``Persentase 1a``
score of 1a            ``n_1a``         ``1an``                    ``Nilai 1a``
aspect average         ``rata_jalan``   ``2r``                     ``Rata-rata Jalan``
sectoral average       ``rata_sektoral`` ``ratarataKekumuhan``     ``Rata-rata Kekumuhan``
total score            ``total_nilai``  ``totalNilai``             ``Total Nilai``
level                  ``tingkat``      ``tingkatKekumuhan``       ``Tingkat Kekumuhan``
=====================  ===============  =========================  ======================

Case, spaces, camelCase and units in brackets do not matter; the RT header columns
(``luas_ha``, ``jumlah_bangunan``, ``jumlah_kk``, ideal lengths …) are recognised as for
the ``baseline`` layer; ``--map SRC=DST`` maps anything else (``DST`` is a name above, or
any header that would be recognised). The record's id is its id column (``id``,
``kode_rt``) or, failing that, its RT column (``RT/RW``) after its kelurahan/desa.

Numbers are read with :mod:`kumuhgis.core.numeric` (Indonesian and English styles,
domain.md §10). Percentages may be proportions (0–1) or percent (0–100): the convention
is decided per column from its values (:func:`percent_conventions`) and reported. Levels
are read in any of their spellings (:func:`kumuhgis.core.vocabulary.parse_level_series`).
Denominators may sit in the same sheet, in another sheet (``rt_sheet``, joined on the
record's id, and year when both have one) or be absent.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kumuhgis.core.errors import Problem, UsageError, ValidationError
from kumuhgis.core.numeric import parse_number_series
from kumuhgis.core.rules import RuleSet, load_rules
from kumuhgis.core.schema import CRITERIA_CODES_02_2016, get_layer, normalize_header
from kumuhgis.core.vocabulary import parse_level_series
from kumuhgis.ingest.readers import READ_FORMATS, read_file

__all__ = [
    "PERSEN",
    "PROPORSI",
    "PublishedTable",
    "canonical_name",
    "percent_conventions",
    "published_baseline",
    "read_published",
]

#: Percentage convention: values 0–100.
PERSEN = "persen"
#: Percentage convention: values 0–1.
PROPORSI = "proporsi"

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_BRACKETS = re.compile(r"[\(\[][^\)\]]*[\)\]]")
_CODE = r"([1-9])_?([a-z])"
_TAIL = r"(?:_[a-z0-9_]+)?"  # words after the code: "Volume 1a Ketidakteraturan bangunan"
_FAMILIES = (
    ("v", re.compile(rf"(?:v|vol|volume)_?{_CODE}{_TAIL}|{_CODE}_?v|{_CODE}")),
    (
        "p",
        re.compile(
            rf"(?:p|pct|persen|persentase|prosentase|presentase)_?{_CODE}{_TAIL}|{_CODE}_?p"
        ),
    ),
    ("n", re.compile(rf"(?:n|nilai|skor|score)_?{_CODE}{_TAIL}|{_CODE}_?n")),
)
_WORDS = {
    "id": ("id", "idrecord", "kodeidentitas"),  # and kode_rt's own aliases (schema)
    "rt": ("rt", "rtrw", "nort", "nomorrt", "namart"),
    "kelurahan": ("kelurahan", "desa", "keldesa", "kelurahandesa", "desakelurahan", "namakelurahan", "namadesa"),
    "tahun": ("tahundata", "tahunsurvei", "tahunpendataan"),  # and tahun's own aliases (schema)
    "total_nilai": ("totalnilai", "nilaitotal", "totalskor", "skortotal", "jumlahnilai", "jumlahskor", "totalbobot", "bobottotal", "bobotkumuh"),
    "tingkat": ("tingkat", "tingkatkekumuhan", "tingkatkumuh", "tingkatkekumuhanawal", "klasifikasi", "klasifikasikekumuhan", "kategori", "kategorikekumuhan", "kategorikumuh", "level"),
    "rata_sektoral": ("ratasektoral", "rataratasektoral", "reratasektoral", "rataratakekumuhan", "ratakekumuhan", "reratakekumuhan"),
}  # fmt: skip
_LEVEL_TEXT = "tingkat_terbit"


def _squash(header: object, *, units: bool = True) -> str:
    text = _CAMEL.sub("_", str(header))
    if not units:
        text = _BRACKETS.sub(" ", text)
    return re.sub(r"[^0-9a-z]", "", normalize_header(text))


def _aspect_names(rules: RuleSet) -> dict[str, str]:
    """Squashed spellings of every aspect average → its column (``rata_jalan``)."""
    names: dict[str, str] = {}
    for k, a in enumerate(rules.aspects, start=1):
        for prefix in ("rata", "ratarata", "rerata"):
            for tail in (str(k), _squash(a.key), _squash(a.label_id)):
                names.setdefault(prefix + tail, a.column)
        names.setdefault(f"{k}r", a.column)
        names.setdefault(_squash(a.column), a.column)
    return names


def canonical_name(header: object, rules: RuleSet | str | None = None) -> str | None:
    """The canonical column a published header stands for, or ``None`` (module docstring).

    ``"1av"``, ``"Volume 1a"`` and ``"v_1a"`` → ``"v_1a"``; ``"Persentase 1a"`` →
    ``"p_1a"``; ``"2r"`` → ``"rata_jalan"``; ``"totalNilai"`` → ``"total_nilai"``;
    ``"LUAS (Ha)"`` → ``"luas_ha"``; ``"RT/RW"`` → ``"rt"``.
    """
    rules = load_rules(rules)
    key, bare = _squash(header), _squash(header, units=False)
    for name, words in _WORDS.items():
        if key in words or bare in words:
            return name
    aspects = _aspect_names(rules)
    if bare in aspects:
        return aspects[bare]
    text = _CAMEL.sub("_", str(header))
    words = normalize_header(_BRACKETS.sub(" ", text))
    for family, pattern in _FAMILIES:
        m = pattern.fullmatch(words)
        if m is not None:
            code = "".join(g for g in m.groups() if g)
            return f"{family}_{code}" if code in CRITERIA_CODES_02_2016 else None
    aliases = get_layer("baseline").alias_map()
    target = aliases.get(normalize_header(text)) or aliases.get(
        normalize_header(_BRACKETS.sub(" ", text))
    )
    if target is None or target.startswith("v_"):
        return None
    return {"kode_rt": "id"}.get(target, target)


@dataclass(frozen=True)
class PublishedTable:
    """A published table read by :func:`read_published`.

    ``frame`` has one row per record, on a fresh index: ``_row`` (the row number the
    spreadsheet shows, header = 1), ``id``, ``tahun`` (nullable integer), every
    recognised numeric column as ``float64`` in its published units (NaN when empty),
    ``tingkat`` (the level code, ``<NA>`` when empty or not a level) and
    ``tingkat_terbit`` (the level as published).
    """

    frame: pd.DataFrame
    source: str
    sheet: str | None
    headers: dict[str, str]  # canonical column -> header as published
    conventions: pd.DataFrame  # percent_conventions()
    problems: list[Problem] = field(default_factory=list)  # warnings

    @property
    def convention_map(self) -> dict[str, str]:
        """``{percentage column: PERSEN | PROPORSI}``."""
        return dict(zip(self.conventions["kolom"], self.conventions["konvensi"], strict=True))


# --------------------------------------------------------------------------- columns


def _warning(masalah: str, problem: str, *, column: str | None = None, row=None) -> Problem:
    return Problem(row, column, None, masalah, problem, severity="warning")


def _resolve_mapping(
    mapping: dict[str, str], rules: RuleSet, problems: list[Problem]
) -> dict[str, str]:
    """``--map`` targets as canonical names; an unknown target is an error."""
    resolved = {}
    for src, dst in mapping.items():
        name = dst if dst in ("id", "rt", "kelurahan") else canonical_name(dst, rules)
        if name is None:
            problems.append(
                Problem(
                    None, src, dst,
                    f"tujuan --map '{dst}' tidak dikenal",
                    f"--map target '{dst}' is not a known column",
                    "pakai nama seperti v_1a, p_1a, n_1a, rata_jalan, total_nilai, tingkat, luas_ha, id, tahun",
                    "use a name such as v_1a, p_1a, n_1a, rata_jalan, total_nilai, tingkat, luas_ha, id, tahun",
                )
            )  # fmt: skip
            continue
        resolved[src] = name
    return resolved


def _recognise(
    columns: list[str], mapping: dict[str, str], rules: RuleSet, problems: list[Problem]
) -> dict[str, str]:
    """``{published header: canonical name}``: ``--map`` first, then the families."""
    by_norm = {normalize_header(c): c for c in columns}
    names: dict[str, str] = {}
    taken: dict[str, str] = {}
    for src, dst in mapping.items():
        col = src if src in columns else by_norm.get(normalize_header(src))
        if col is not None:
            names[col], taken[dst] = dst, col
    for col in columns:
        if col in names or col.startswith("_") or col == "geometry":
            continue
        name = canonical_name(col, rules)
        if name is None:
            continue
        if name in taken:
            problems.append(
                _warning(
                    f"kolom '{col}' dan '{taken[name]}' sama-sama berarti '{name}'; '{col}' tidak dipakai "
                    f"(pakai --map '{col}={name}' bila '{col}' yang benar)",
                    f"columns '{col}' and '{taken[name]}' both mean '{name}'; '{col}' is not used "
                    f"(use --map '{col}={name}' if '{col}' is the right one)",
                    column=col,
                )
            )  # fmt: skip
            continue
        names[col], taken[name] = name, col
    return names


# --------------------------------------------------------------------------- cells


def _strings(values: pd.Series) -> np.ndarray:
    """Text cells as a stripped numpy string array (empty for a missing cell)."""
    return np.strings.strip(values.fillna("").to_numpy(dtype=str))


def _plain_text_numbers(text: np.ndarray) -> np.ndarray | None:
    """Cells of plain digits with an optional sign and at most one decimal separator, none
    of them what :mod:`kumuhgis.core.numeric` calls ambiguous (``1.234``); else ``None``.
    Vectorised (numpy string functions), so a column of 10⁵ cells takes milliseconds."""
    if text.size and np.ascontiguousarray(text).view(np.uint32).max() >= 128:
        return None  # not plain ASCII: the general parser decides
    dotted = np.strings.replace(text, ",", ".")  # one decimal mark, either way written
    body = np.strings.lstrip(dotted, "+-")
    length = np.strings.str_len(body)
    signs = np.strings.str_len(dotted) - length
    seps = np.strings.count(body, ".")
    sep_at = np.strings.find(body, ".")
    frac = np.where(seps == 1, length - sep_at - 1, 1)
    plain = (signs <= 1) & (seps <= 1) & (frac >= 1)
    plain &= np.strings.isdecimal(np.strings.replace(body, ".", ""))
    ambiguous = (seps == 1) & (frac == 3) & (sep_at >= 1) & (sep_at <= 3)
    ambiguous &= ~np.strings.startswith(body, "0")
    blank = (length == 0) & (signs == 0)
    if not (blank | plain).all() or (ambiguous & plain).any():
        return None
    return np.where(blank, "nan", dotted).astype(np.float64)


def _numbers(
    values: pd.Series, rows: np.ndarray, header: str, problems: list[Problem], *, percent=False
) -> tuple[np.ndarray, bool]:
    """A column as ``float64`` (NaN when empty), and whether a ``%`` sign was stripped
    (only when ``percent``); unreadable cells become error problems.

    Numbers and plain digits are read at once (:func:`_plain_text_numbers`); anything else
    is read by :func:`kumuhgis.core.numeric.parse_number_series`, once per distinct value,
    so a column's writing style is inferred exactly as on import.
    """
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "empty"):
        return pd.to_numeric(values, errors="coerce").to_numpy(np.float64, na_value=np.nan), False
    signed = False
    if kind == "string":
        text = _strings(values)
        if percent and (np.strings.find(text, "%") >= 0).any():
            text, signed = np.strings.strip(np.strings.replace(text, "%", "")), True
        fast = _plain_text_numbers(text)
        if fast is not None:
            return fast, signed
        values = pd.Series(np.where(text == "", None, text), index=values.index, dtype=object)
    elif percent:
        signed = bool(values.map(lambda v: isinstance(v, str) and "%" in v).any())
        values = values.map(lambda v: v.replace("%", "").strip() if isinstance(v, str) else v)
    return _parsed(values, rows, header, problems), signed


def _parsed(values: pd.Series, rows: np.ndarray, header: str, problems: list[Problem]):
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed, failures = parse_number_series(pd.Series(uniques, dtype=object))
    out = np.append(parsed.to_numpy(dtype=np.float64, na_value=np.nan), np.nan)[codes]
    if failures:
        where = pd.Series(np.arange(len(codes))).groupby(codes).indices
        for k, _, err in failures:
            for pos in where.get(k, ())[:50]:
                problems.append(err.to_problem(int(rows[pos]), header))
    return out


def _texts(values: pd.Series) -> pd.Series:
    """Id-like cells as text (``12.0`` from Excel → ``"12"``), ``<NA>`` when empty."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    shown = [
        str(int(u)) if isinstance(u, float) and u.is_integer() else str(u).strip() for u in uniques
    ]
    table = np.array([s or pd.NA for s in shown] + [pd.NA], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype="string")


def _years(values: np.ndarray, rows: np.ndarray, header: str, problems: list[Problem]):
    whole = np.isnan(values) | (values == np.round(values))
    for pos in np.flatnonzero(~whole)[:50]:
        problems.append(
            Problem(int(rows[pos]), header, repr(float(values[pos])), "tahun harus bilangan bulat",
                    "the year must be a whole number", "tulis tahun, mis. 2019", "write a year, e.g. 2019")
        )  # fmt: skip
    years = np.where(whole, values, np.nan)
    return pd.array(np.where(np.isnan(years), None, years), dtype="Int64")


def _is_percentage(name: str) -> bool:
    return name.startswith(("p_", "rata_"))


def _canonical_frame(
    raw: pd.DataFrame, names: dict[str, str], rules: RuleSet, problems: list[Problem]
) -> tuple[pd.DataFrame, dict[str, bool]]:
    """The canonical frame and, per percentage column, whether a ``%`` sign was seen."""
    rows = raw["_row"].to_numpy()
    out: dict[str, object] = {"_row": rows.astype(np.int64)}
    signs: dict[str, bool] = {}
    for header, name in names.items():
        values = raw[header]
        if name in ("id", "rt", "kelurahan"):
            out[name] = _texts(values).to_numpy(dtype=object)
        elif name == "tingkat":
            out[_LEVEL_TEXT] = _texts(values).to_numpy(dtype=object)
            out[name] = parse_level_series(values, rules.levels).to_numpy(dtype=object)
        else:
            pct = _is_percentage(name)
            number, signed = _numbers(values, rows, header, problems, percent=pct)
            out[name] = _years(number, rows, header, problems) if name == "tahun" else number
            if pct:
                signs[name] = signed
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    for col in ("id", "rt", "kelurahan", "tingkat", _LEVEL_TEXT):
        if col in frame.columns:
            frame[col] = frame[col].astype("string")
    return _with_id(frame), signs


def _with_id(frame: pd.DataFrame) -> pd.DataFrame:
    """``id`` from the RT column (after its kelurahan/desa) when the table has no id."""
    if "id" not in frame.columns and "rt" in frame.columns:
        rt = frame["rt"]
        if "kelurahan" in frame.columns:
            kel = frame["kelurahan"]
            rt = (kel.fillna("") + " " + rt.fillna("")).str.strip().replace("", pd.NA)
        frame = frame.assign(id=rt)
    return frame.drop(columns=[c for c in ("rt", "kelurahan") if c in frame.columns])


# --------------------------------------------------------------------------- conventions


def percent_conventions(
    frame: pd.DataFrame,
    *,
    signs: dict[str, bool] | None = None,
    headers: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Whether each percentage column holds proportions (0–1) or percent (0–100).

    Decided from the values: a column with a ``%`` sign, or where at least half of the
    non-zero values exceed 1, is percent. Any other column (all values within 0–1, or a
    few above 1 that are then out of range) follows the whole table: percent when at
    least half of all non-zero percentage values in the table exceed 1, else proportion.

    Returns
    -------
    pandas.DataFrame
        One row per percentage column (``p_*``, ``rata_*``): ``kolom``, ``kolom_terbit``
        (the published header), ``konvensi`` (:data:`PERSEN` or :data:`PROPORSI`),
        ``dasar`` and ``basis`` (why, in Bahasa Indonesia and English).
    """
    signs, headers = signs or {}, headers or {}
    cols = [c for c in frame.columns if _is_percentage(c)]
    nonzero = {c: np.abs(v[np.isfinite(v) & (v != 0)]) for c in cols for v in [frame[c].to_numpy()]}
    pooled = np.concatenate([*nonzero.values(), np.empty(0)])
    share = float(np.mean(pooled > 1)) if pooled.size else 0.0
    table = PERSEN if share >= 0.5 else PROPORSI
    rows = []
    for c in cols:
        big = float(np.mean(nonzero[c] > 1)) if nonzero[c].size else 0.0
        if signs.get(c):
            conv, why = PERSEN, ("ada tanda %", "a % sign is present")
        elif big >= 0.5:
            conv, why = (
                PERSEN,
                (f"{big:.0%} nilai bukan nol > 1", f"{big:.0%} of non-zero values > 1"),
            )
        else:
            conv = table
            why = (
                f"{big:.0%} nilai bukan nol > 1, ikut tabel ({share:.0%} nilai bukan nol > 1)",
                f"{big:.0%} of non-zero values > 1, follows the table ({share:.0%} of non-zero values > 1)",
            )
        rows.append((c, headers.get(c, c), conv, *why))
    return pd.DataFrame(rows, columns=["kolom", "kolom_terbit", "konvensi", "dasar", "basis"])


# --------------------------------------------------------------------------- reading


def _read_sheet(path: Path, sheet: str | None, mapping: dict[str, str], rules: RuleSet, problems):
    """One sheet/file: raw frame, recognised names and the canonical frame."""
    read = read_file(path, layer=sheet)
    problems.extend(read.problems)
    raw = read.frame
    if "geometry" in raw.columns:
        raw = pd.DataFrame(raw.drop(columns="geometry"))
    names = _recognise([str(c) for c in raw.columns], mapping, rules, problems)
    frame, signs = _canonical_frame(raw, names, rules, problems)
    unused = [c for c in raw.columns if c not in names and c != "_row" and c != "geometry"]
    return read.layer, raw, names, frame, signs, unused


def _rt_source(path: Path, rt_sheet: str) -> tuple[Path, str | None]:
    """``--rt-sheet`` is a sheet of FILE, or a file of its own."""
    other = Path(rt_sheet)
    if other.suffix.lower() in READ_FORMATS and other.is_file():
        return other, None
    if READ_FORMATS.get(path.suffix.lower()) != "xlsx":
        raise UsageError(
            f"--rt-sheet '{rt_sheet}': {path.name} tidak punya sheet; sebut berkas CSV/XLSX penyebut / "
            f"--rt-sheet '{rt_sheet}': {path.name} has no sheets; name a CSV/XLSX file of denominators"
        )
    return path, rt_sheet


def _join_keys(frame: pd.DataFrame, rt: pd.DataFrame) -> list[str]:
    keys = ["id"] + (["tahun"] if "tahun" in frame.columns and "tahun" in rt.columns else [])
    if "id" not in frame.columns or "id" not in rt.columns:
        side = "tabel utama" if "id" not in frame.columns else "sheet penyebut"
        side_en = "the main table" if "id" not in frame.columns else "the denominator sheet"
        raise UsageError(
            f"Penyebut di sheet lain perlu kolom id/RT di kedua sheet; {side} tidak punya (pakai --map KOLOM=id) / "
            f"denominators in another sheet need an id/RT column in both sheets; {side_en} has none (use --map COLUMN=id)"
        )
    return keys


def _join_denominators(frame, rt, label: str, problems: list[Problem]) -> pd.DataFrame:
    """Fill the main table's RT header columns from the denominator sheet (id [+ tahun])."""
    keys = _join_keys(frame, rt)
    extra = [
        c
        for c in rt.columns
        if c not in (*keys, "_row") and not c.startswith(("v_", "p_", "n_", "rata_"))
    ]
    extra = [c for c in extra if c not in ("total_nilai", "tingkat", _LEVEL_TEXT)]
    dup = rt.duplicated(keys, keep=False) & rt["id"].notna()
    for r, key in zip(rt.loc[dup, "_row"], rt.loc[dup, "id"], strict=True):
        problems.append(
            Problem(int(r), f"{label}!id", str(key), "id muncul lebih dari sekali di sheet penyebut",
                    "the id appears more than once in the denominator sheet",
                    "satu baris per RT (dan tahun)", "one row per RT (and year)")
        )  # fmt: skip
    if dup.any():
        return frame
    right = rt[[*keys, *extra]].rename(columns={c: f"{c}__rt" for c in extra})
    right = right.assign(__hit=True)
    joined = frame.merge(right, on=keys, how="left", validate="many_to_one")
    for c in extra:
        joined[c] = (
            joined[c].combine_first(joined.pop(f"{c}__rt"))
            if c in frame.columns
            else joined.pop(f"{c}__rt")
        )
    missing = joined.pop("__hit").isna()
    if missing.any():
        ids = ", ".join(map(str, joined.loc[missing, "id"].head(5)))
        problems.append(
            _warning(
                f"{int(missing.sum())} baris tanpa pasangan di sheet penyebut '{label}' (mis. {ids}); pemeriksaan yang perlu penyebut dilewati untuk baris itu",
                f"{int(missing.sum())} rows have no match in the denominator sheet '{label}' (e.g. {ids}); checks that need denominators are skipped for them",
            )
        )  # fmt: skip
    joined.index = frame.index
    return joined


def read_published(
    path: str | os.PathLike,
    *,
    sheet: str | None = None,
    rt_sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    rules: RuleSet | str | None = None,
) -> PublishedTable:
    """Read a published per-RT table (module docstring) into canonical columns.

    Parameters
    ----------
    path
        CSV or XLSX (any format :func:`kumuhgis.ingest.readers.read_file` reads).
    sheet
        The XLSX sheet of the records (default: the first).
    rt_sheet
        Where the denominators are when not in the records' sheet: another sheet of
        ``path``, or a CSV/XLSX file; joined on ``id`` (and ``tahun`` when both have it).
    mapping
        ``{published header: target}`` from ``--map SRC=DST``; a source may be in either
        sheet, a target is a canonical name or any header that would be recognised.
    rules
        The rule set whose aspects number ``1r`` … ``7r``.

    Raises
    ------
    ValidationError
        Cells that are not numbers (or ambiguous), a ``--map`` source or target that
        does not exist, duplicate ids in the denominator sheet: every problem at once.
    UsageError
        ``rt_sheet`` on a file without sheets, or no id to join on.
    """
    path, rules = Path(path), load_rules(rules)
    problems: list[Problem] = []
    mapping = _resolve_mapping(dict(mapping or {}), rules, problems)
    layer, raw, names, frame, signs, unused = _read_sheet(path, sheet, mapping, rules, problems)
    seen = set(raw.columns)
    if rt_sheet is not None:
        src, sheet_name = _rt_source(path, rt_sheet)
        _, rt_raw, _, rt, _, _ = _read_sheet(src, sheet_name, mapping, rules, problems)
        seen |= set(rt_raw.columns)
        frame = _join_denominators(frame, rt, rt_sheet, problems)
    by_norm = {normalize_header(c) for c in seen}
    for src in mapping:
        if src not in seen and normalize_header(src) not in by_norm:
            problems.append(
                Problem(None, src, None, f"kolom '{src}' yang disebut di --map tidak ada di berkas",
                        f"column '{src}' named in --map is not in the file",
                        f"kolom yang ada: {', '.join(map(str, sorted(seen - {'_row'})))}",
                        f"columns present: {', '.join(map(str, sorted(seen - {'_row'})))}")
            )  # fmt: skip
    if any(p.severity == "error" for p in problems):
        problems.sort(key=lambda p: (p.row is not None, p.row or 0))  # by row, as in the file
        raise ValidationError(problems, source=str(path), layer="tabel terbit / published table")
    if unused:
        problems.append(
            _warning(
                f"kolom tidak dikenali, tidak diperiksa: {', '.join(map(str, unused))}",
                f"columns not recognised, not checked: {', '.join(map(str, unused))}",
            )
        )
    headers = {name: header for header, name in names.items()}
    conventions = percent_conventions(frame, signs=signs, headers=headers)
    return PublishedTable(frame, str(path), layer, headers, conventions, problems)


def published_baseline(table: PublishedTable) -> pd.DataFrame:
    """The table's RT header columns and volumes under the ``baseline`` layer's names
    (``id`` → ``kode_rt``), with ``_row``, for :func:`kumuhgis.ingest.validation.validate_frame`.

    Published percentages, scores, averages, totals and levels are left out: the project
    computes its own (domain.md §4).
    """
    schema = get_layer("baseline")
    frame = table.frame.rename(columns={"id": "kode_rt"})
    keep = ["_row", *(c.name for c in schema.columns if c.name in frame.columns)]
    out = frame[keep].copy()
    if "tahun" in out.columns:
        out["tahun"] = out["tahun"].astype("Int64")
    return out
