"""Golden test: every output of the demo city, frozen.

Written before the package restructuring (kumuhgis/core, geo, store, ingest, analysis,
outputs, cli) so the move can be shown to change no figure. Every command of the list
below runs on a copy of the session's ``demo_project`` and its outputs are compared, after
normalisation, cell by cell with the recordings in ``tests/golden/``:

* ``score`` (CSV, all years), ``explain`` (four RT/year/language cases), ``summary``;
* ``reduction --from 2016 --to 2020`` as XLSX for every ``--by`` value, and as CSV by
  kriteria;
* ``verify-sk`` as CSV and XLSX with the GeoJSON each writes beside it;
* ``kolaborasi`` as XLSX with its ``_korkot.xlsx`` and ``_korkot.geojson``;
* ``rp2kpkp``: every cell of both workbooks, the printed summary (with the PDF's page
  count) and, where poppler's ``pdftotext`` is installed, the PDF's text;
* every GET route of the JSON API under ``/api`` (Flask test client of ``app.create_app``).

Each command's recording also holds its argv, exit status, stdout and stderr, the names of
all files it wrote (the maps and the PDF too) and whether the project file stayed unchanged.

Only public entry points that survive the move are used: ``kumuhgis.cli.main(argv)``,
``app.create_app(config)`` and the ``demo_project`` fixture. No ``kumuhgis.<module>``
import here: those modules are about to move.

Normalisation (the same when recording and when checking): floats rounded to 9 decimals
and then to 12 significant digits (``-0.0`` → ``0.0``, NaN/inf as strings), long float
reprs inside text likewise; today's date → ``<TODAY>``, a time of day after it → ``<NOW>``;
``kumuhgis X.Y.Z`` → ``kumuhgis <VERSION>``; paths made relative to the work folder (the
folder itself → ``<TMP>``); ANSI codes
stripped; rich output at a fixed width of 120 columns; the ``time: N s`` line of
``rp2kpkp`` dropped; geometries of written GeoJSON files as WKT with 7 decimals; PNG tiles
of the tile API as a hash of their decoded pixels. Workbooks are read with openpyxl
(values, formulas as their text; trailing empty cells and rows trimmed).

Regenerate with ``python tests/golden/record.py`` — only for an intended figure change,
explained in the commit (see that script).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import shapely
from openpyxl.utils import get_column_letter
from PIL import Image
from shapely.geometry import shape

from app import create_app
from kumuhgis.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
RECORD_ENV = "KUMUHGIS_GOLDEN_RECORD"  # set by tests/golden/record.py
GZIP_ABOVE = 150_000  # bytes of JSON; larger recordings are stored gzipped
MAX_SHOWN = 25  # differing cells shown on failure

STORE = "demo.gpkg"
PDF_TEXT = "rp2kpkp-pdf-text"  # the one recording that needs poppler's pdftotext

# --------------------------------------------------------------------------- what is run

# name of the recording → (argv, files the command writes, relative to the work folder)
CLI_RUNS: dict[str, tuple[list[str], list[str]]] = {
    "score": (["score", STORE, "--out", "score/skor.csv"], ["score/skor.csv"]),
    "explain-6202051001-RW08-RT03-2018-id": (
        ["explain", STORE, "6202051001-RW08-RT03", "--year", "2018"], []
    ),
    "explain-6202061001-RW04-RT01-2019-en": (
        ["--lang", "en", "explain", STORE, "6202061001-RW04-RT01", "--year", "2019"], []
    ),
    "explain-6202051001-RW06-RT03-2020-id": (
        ["explain", STORE, "6202051001-RW06-RT03", "--year", "2020"], []
    ),
    "explain-6202061001-RW03-RT03-latest-id": (
        ["explain", STORE, "6202061001-RW03-RT03"], []
    ),
    **{
        f"reduction-{by}": (
            ["reduction", STORE, "--from", "2016", "--to", "2020", "--by", by,
             "--out", f"reduction-{by}/pengurangan.xlsx"],
            [f"reduction-{by}/pengurangan.xlsx"],
        )
        for by in ("rt", "kawasan", "kelurahan", "kecamatan", "kota", "kriteria")
    },
    "reduction-kriteria-csv": (
        ["reduction", STORE, "--from", "2016", "--to", "2020", "--by", "kriteria",
         "--out", "reduction-csv/pengurangan.csv"],
        ["reduction-csv/pengurangan.csv"],
    ),
    "verify-sk-csv": (
        ["verify-sk", STORE, "--out", "verify-csv/verifikasi.csv"],
        ["verify-csv/verifikasi.csv", "verify-csv/verifikasi.geojson"],
    ),
    "verify-sk-xlsx": (
        ["verify-sk", STORE, "--out", "verify-xlsx/verifikasi.xlsx"],
        ["verify-xlsx/verifikasi.xlsx", "verify-xlsx/verifikasi.geojson"],
    ),
    "kolaborasi": (
        ["kolaborasi", STORE, "--out", "kolaborasi/kolaborasi.xlsx"],
        ["kolaborasi/kolaborasi.xlsx", "kolaborasi/kolaborasi_korkot.xlsx",
         "kolaborasi/kolaborasi_korkot.geojson"],
    ),
    # --dpi 72: the maps are not recorded, and 72 dpi keeps the run short
    "rp2kpkp": (
        ["rp2kpkp", STORE, "--out", "lampiran", "--dpi", "72"],
        ["lampiran/rp2kpkp.xlsx", "lampiran/memorandum_program.xlsx"],
    ),
    "summary": (["summary", STORE], []),
    "summary-2018-en": (["--lang", "en", "summary", STORE, "--year", "2018"], []),
}  # fmt: skip

# Every GET route under /api with representative parameters, grouped into recordings.
# The demo's bounds are 112.9365..112.9728 E, -2.5567..-2.5230 (centre 112.9547, -2.5398).
API_RUNS: dict[str, list[str]] = {
    "api-index": ["/api"],
    "api-layers-rt": [
        "/api/layers/rt",
        "/api/layers/rt?tahun=2016",
        "/api/layers/rt?tahun=2018&bbox=112.95,-2.545,112.96,-2.535",
        "/api/layers/rt?tahun=2019&tingkat=KB,KS&simplify=20&precision=5",
        "/api/layers/rt?limit=5&kode_kel=6202051001",
    ],
    "api-layers-other": [
        "/api/layers/wilayah",
        "/api/layers/delineasi",
        "/api/layers/delineasi?no_sk=188.45/287/HUK/2016",
        "/api/layers/delineasi?no_sk=188.45/112/HUK/2020",
        "/api/layers/infrastruktur",
        "/api/layers/infrastruktur?jenis=MCK&bbox=112.94,-2.56,112.96,-2.54",
    ],
    "api-layers-kolaborasi": [
        "/api/layers/kolaborasi",
        "/api/layers/kolaborasi?tahun=2019&status=luar",
        "/api/layers/kolaborasi?sumber_dana=APBN,DAK&limit=10",
        "/api/layers/kolaborasi?status_akhir=sebagian,batas&precision=4",
    ],
    "api-tiles": [
        "/api/tiles/rt/12/3333/2076.json",
        "/api/tiles/rt/14/13332/8307.json?tahun=2016",
        "/api/tiles/rt/15/26665/16615.json",
        "/api/tiles/rt/16/53330/33230.json?tahun=2018",
        "/api/tiles/rt/17/106661/66461.json?tahun=2020",
        "/api/tiles/rt/17/0/0.json",
    ],
    "api-rt-at": [
        "/api/rt/at?lon=112.9547&lat=-2.5398",
        "/api/rt/at?lon=112.9547&lat=-2.5398&tahun=2016",
        "/api/rt/at?lon=112.945&lat=-2.53&tahun=2019",
        "/api/rt/at?lon=112.80&lat=-2.60",
    ],
    "api-search": [
        "/api/search?q=Baamang",
        "/api/search?q=MB. Hulu",
        "/api/search?q=RT 3 RW 8 Baamang",
        "/api/search?q=6202051001-RW08-RT03",
        "/api/search?q=KWS-1",
        "/api/search?q=KLB-2019-014",
        "/api/search?q=mck&limit=5",
        "/api/search?q=",
    ],
    "api-ringkasan": [
        "/api/ringkasan",
        "/api/ringkasan?kel=6202051001",
        "/api/ringkasan?dari=2017&sampai=2019",
        "/api/ringkasan?kel=6202061001&dari=2016&sampai=2018",
    ],
    "api-kolaborasi": [
        "/api/kolaborasi",
        "/api/kolaborasi?semua=1",
        "/api/kolaborasi?tahun=2019",
        "/api/kolaborasi?sumber_dana=APBN&status=luar",
        "/api/kolaborasi?kel=6202061001&semua=1",
    ],
    "api-basemap-and-errors": [  # no basemap in the demo: the 404 answers are the outputs
        "/api/basemap",
        "/api/basemap/12/3333/2076",
        "/api/layers/jalan",
        "/api/layers/rt?tahun=abc",
        "/api/layers/rt?bbox=1,2,3",
        "/api/rt/at?lon=112.95",
        "/api/tiles/rt/3/99/0.json",
    ],
}

RUN_NAMES = [*CLI_RUNS, PDF_TEXT, *API_RUNS]

# --------------------------------------------------------------------------- normalising

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{10,}(?:[eE][-+]?\d+)?(?![\w.])")
_VERSION = re.compile(r"\bkumuhgis v?\d+\.\d+(?:\.\d+)?(?:[.+-]\w+)*")


class Normaliser:
    """One place for every rule that makes an output comparable across runs and machines."""

    def __init__(self, work: Path):
        self.work = work
        self.today: list[str] = []

    def note_today(self) -> None:
        day = dt.date.today().isoformat()
        if day not in self.today:
            self.today.append(day)

    def number(self, x: float) -> float | str:
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        v = float(f"{round(x, 9):.12g}")
        return 0.0 if v == 0 else v

    def text(self, s: str) -> str:
        s = _ANSI.sub("", s)
        for p in {str(self.work), str(self.work.resolve())}:
            s = s.replace(p + os.sep, "").replace(p, "<TMP>")
        for day in self.today:
            s = re.sub(
                re.escape(day) + r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?",
                lambda m: "<NOW>" if len(m.group(0)) > 10 else "<TODAY>",
                s,
            )
        s = _VERSION.sub("kumuhgis <VERSION>", s)
        return _LONG_FLOAT.sub(lambda m: repr(self.number(float(m.group(0)))), s)

    def value(self, v: Any) -> Any:
        if v is None or isinstance(v, bool | int):
            return v
        if isinstance(v, float):
            return self.number(v)
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, dt.datetime | dt.date | dt.time):
            return self.text(v.isoformat())
        if isinstance(v, dict):
            return {str(k): self.value(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [self.value(x) for x in v]
        return self.text(str(v))  # formulas (ArrayFormula), timedeltas, ...

    def lines(self, text: str) -> list[str]:
        return [self.text(line).rstrip() for line in text.splitlines()]


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    rows = [list(r) for r in rows]
    for r in rows:
        while r and r[-1] is None:
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_output(path: Path, n: Normaliser) -> dict:
    """One written file as a comparable document."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, data_only=False)
        sheets = {
            ws.title: _trim([[n.value(c) for c in row] for row in ws.iter_rows(values_only=True)])
            for ws in wb.worksheets
        }
        wb.close()
        return {"kind": "workbook", "sheets": sheets}
    if suffix == ".csv":
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
        rows = [[n.text(c) for c in r] for r in csv.reader(io.StringIO(text, newline=""))]
        return {"kind": "csv", "bom": raw.startswith(b"\xef\xbb\xbf"), "sheets": {"csv": rows}}
    if suffix == ".geojson":
        doc = json.loads(path.read_text(encoding="utf-8"))
        features = []
        for f in doc.get("features", []):
            geom = f.get("geometry")
            wkt = (
                None
                if geom is None
                else shapely.to_wkt(shape(geom), rounding_precision=7, trim=True)
            )
            extra = {k: n.value(v) for k, v in f.items() if k not in ("properties", "geometry")}
            features.append({**extra, "properties": n.value(f.get("properties")), "geometry": wkt})
        meta = {k: n.value(v) for k, v in doc.items() if k != "features"}
        return {"kind": "geojson", "meta": meta, "features": features}
    raise AssertionError(f"no reader for {path}")


@contextlib.contextmanager
def _fixed_terminal():
    """rich at 120 columns, no colour, Indonesian unless --lang says otherwise."""
    saved = dict(os.environ)
    for k in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "KUMUHGIS_LANG", "LINES"):
        os.environ.pop(k, None)
    os.environ.update(COLUMNS="120", NO_COLOR="1", TERM="dumb")
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _listing(work: Path) -> set[str]:
    """Every file in the work folder but the project (and its lock)."""
    return {
        p.relative_to(work).as_posix()
        for p in work.rglob("*")
        if p.is_file() and not p.name.startswith((STORE, f".{STORE}"))
    }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(name: str, work: Path, n: Normaliser) -> dict:
    argv, files = CLI_RUNS[name]
    for f in files:
        (work / f).parent.mkdir(parents=True, exist_ok=True)
    before, project = _listing(work), _digest(work / STORE)
    out, err = io.StringIO(), io.StringIO()
    n.note_today()
    with (
        _fixed_terminal(),
        contextlib.chdir(work),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(argv)
    n.note_today()
    assert code == 0, f"kumuhgis {' '.join(argv)} → exit {code}\n{err.getvalue()}"
    stdout = n.lines(out.getvalue())
    if name == "rp2kpkp":  # the run time
        stdout = [line for line in stdout if not re.fullmatch(r"(waktu|time): [\d.]+ s", line)]
    return {
        "argv": argv,
        "exit": code,
        "stdout": stdout,
        "stderr": n.lines(err.getvalue()),
        "project_unchanged": _digest(work / STORE) == project,
        "written": sorted(_listing(work) - before),  # maps and PDF too, by name
        "files": {f: read_output(work / f, n) for f in files},
    }


def pdf_text(work: Path, n: Normaliser) -> dict:
    """The RP2KPKP PDF's text (pdftotext), whitespace and contents-page leaders collapsed."""
    pdf = work / "lampiran" / "rp2kpkp.pdf"
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    pages = []
    for page in text.split("\f"):
        lines = []
        for line in n.lines(page):
            line = re.sub(r"(?:\s*\.){3,}\s*", " … ", line)
            line = " ".join(line.split())
            if line:
                lines.append(line)
        pages.append(lines)
    while pages and not pages[-1]:
        pages.pop()
    return {"pages": len(pages), "text": pages}


def _decode_tile(body: dict) -> dict:
    raster = body.get("raster")
    if raster:
        img = Image.open(io.BytesIO(base64.b64decode(raster)))
        rgba = img.convert("RGBA")
        body = {
            **body,
            "raster": {
                "format": img.format,
                "size": list(img.size),
                "rgba_sha256": hashlib.sha256(rgba.tobytes()).hexdigest(),
            },
        }
    return body


def run_api(name: str, client, n: Normaliser) -> dict:
    answers = {}
    for url in API_RUNS[name]:
        n.note_today()
        resp = client.get(url)
        body = json.loads(resp.get_data(as_text=True))
        if "/api/tiles/" in url and resp.status_code == 200:
            body = _decode_tile(body)
        answer = {"status": resp.status_code, "mimetype": resp.mimetype}
        if resp.headers.get("Cache-Control"):
            answer["cache_control"] = resp.headers["Cache-Control"]
        answer["body"] = n.value(body)
        answers[url] = answer
    return {"requests": answers}


def collect(project: Path, work: Path, *, with_pdf_text: bool) -> dict[str, dict]:
    """Run everything on a copy of ``project`` inside ``work``; recording name → document."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(project, work / STORE)
    n = Normaliser(work)
    docs = {name: run_cli(name, work, n) for name in CLI_RUNS}
    if with_pdf_text:
        docs[PDF_TEXT] = pdf_text(work, n)
    app = create_app({"STORE": str(work / STORE), "TESTING": True})
    with app.test_client() as client:
        docs.update({name: run_api(name, client, n) for name in API_RUNS})
    return docs


# --------------------------------------------------------------------------- storing


def _scalar_list(v) -> bool:
    return isinstance(v, list) and not any(isinstance(x, list | dict) for x in v)


_LINE_KEYS = ("stdout", "stderr", "text")  # lists of text lines: one line per line


def _dumps(v: Any, indent: int = 0, *, lines: bool = False) -> str:
    """JSON with one table row, feature, text line or coordinate ring per line: diffable,
    not huge."""
    compact = json.dumps(v, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(v, list | dict) or not v or len(compact) <= 100:
        return compact
    if _scalar_list(v) and not lines:
        return compact
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(v, list):
        items = [inner + _dumps(x, indent + 1, lines=lines) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    items = []
    for k, x in v.items():
        key = json.dumps(k, ensure_ascii=False)
        if k in ("properties", "geometry", "coordinates"):  # a feature stays on few lines
            items.append(f"{inner}{key}: {json.dumps(x, ensure_ascii=False)}")
        else:
            items.append(f"{inner}{key}: {_dumps(x, indent + 1, lines=k in _LINE_KEYS)}")
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


def golden_path(name: str) -> Path | None:
    for p in (GOLDEN / f"{name}.json", GOLDEN / f"{name}.json.gz"):
        if p.exists():
            return p
    return None


def load_golden(name: str) -> Any:
    path = golden_path(name)
    assert path is not None, f"no recording for {name!r} in {GOLDEN}; run tests/golden/record.py"
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8"))


def save_golden(name: str, doc: Any) -> Path:
    text = _dumps(doc) + "\n"
    data = text.encode("utf-8")
    for old in (GOLDEN / f"{name}.json", GOLDEN / f"{name}.json.gz"):
        old.unlink(missing_ok=True)
    if len(data) > GZIP_ABOVE:
        path = GOLDEN / f"{name}.json.gz"
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="", compresslevel=9) as gz:
            gz.write(data)
        path.write_bytes(buf.getvalue())
    else:
        path = GOLDEN / f"{name}.json"
        path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- comparing


def _where(doc: Any, path: tuple) -> str:
    """A readable location: file, sheet, row (and its first cell), column (and its header),
    request, text line, or else the JSON path."""
    parts, i = [], 0
    while i < len(path):
        k, rest = path[i], path[i + 1 :]
        if k == "sheets" and rest:
            rows = _get(doc, path[: i + 2])
            parts.append(f"sheet {rest[0]!r}")
            if len(rest) > 1:
                row = rows[rest[1]] if rest[1] < len(rows) else []
                key = f" ({row[0]})" if row and isinstance(row[0], str | int) else ""
                parts.append(f"row {rest[1] + 1}{key}")
            if len(rest) > 2:
                head = _header(rows, rest[1], rest[2])
                col = get_column_letter(rest[2] + 1)
                parts.append(f"column {col}" + (f" ({head})" if head else ""))
            i += 4
        elif k in ("files", "requests") and rest:
            parts.append(("file " if k == "files" else "GET ") + str(rest[0]))
            i += 2
        elif k in ("stdout", "stderr") and rest:
            parts.append(f"{k} line {rest[0] + 1}")
            i += 2
        elif k == "text" and len(rest) == 2:  # the PDF: pages of lines
            parts.append(f"page {rest[0] + 1} line {rest[1] + 1}")
            i += 3
        else:
            parts.append(f"[{k}]" if isinstance(k, int) else str(k))
            i += 1
    return " › ".join(parts)


def _get(doc: Any, path: tuple) -> Any:
    try:
        for k in path:
            doc = doc[k]
    except (KeyError, IndexError, TypeError):
        return []
    return doc


def _header(rows: list, row: int, col: int) -> str | None:
    """The column's header: its text in the first row above ``row`` that looks like a
    header row (at least two text cells)."""
    for r in rows[: min(row, 12)]:
        texts = sum(isinstance(c, str) and c != "" for c in r)
        if texts >= 2 and col < len(r) and isinstance(r[col], str) and r[col]:
            return r[col]
    return None


def differences(expected: Any, got: Any, path: tuple = ()):
    """Yield ``(path, expected, got)`` for every difference; lists compare item by item."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for k in expected:
            if k not in got:
                yield path + (k,), expected[k], "<missing>"
            else:
                yield from differences(expected[k], got[k], path + (k,))
        for k in got:
            if k not in expected:
                yield path + (k,), "<missing>", got[k]
        return
    if isinstance(expected, list) and isinstance(got, list):
        for i in range(max(len(expected), len(got))):
            if i >= len(expected):
                yield path + (i,), "<missing>", got[i]
            elif i >= len(got):
                yield path + (i,), expected[i], "<missing>"
            else:
                yield from differences(expected[i], got[i], path + (i,))
        return
    # exact, type included (3 and 3.0 differ in a JSON answer)
    if type(expected) is not type(got) or expected != got:
        yield path, expected, got


def _short(v: Any) -> str:
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) or v != "<missing>" else v
    return s if len(s) <= 160 else s[:157] + "..."


def report(name: str, expected: Any, got: Any) -> str | None:
    diffs = []
    total = 0
    for d in differences(expected, got):
        total += 1
        if len(diffs) < MAX_SHOWN:
            diffs.append(d)
    if not total:
        return None
    lines = [f"{name}: {total} difference(s) from the recording; the first {len(diffs)}:"]
    for path, e, g in diffs:
        lines.append(f"  {_where(expected, path)}")
        lines.append(f"      expected {_short(e)}")
        lines.append(f"      got      {_short(g)}")
    lines.append(
        "A figure change must be intended: regenerate with `python tests/golden/record.py` "
        "and explain it in the commit."
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- the tests

HAVE_PDFTOTEXT = shutil.which("pdftotext") is not None


@pytest.fixture(scope="module")
def outputs(demo_project, tmp_path_factory) -> dict[str, dict]:
    recording = os.environ.get(RECORD_ENV) == "1"
    if recording and not HAVE_PDFTOTEXT:
        raise RuntimeError("recording needs pdftotext (apt package poppler-utils)")
    docs = collect(demo_project, tmp_path_factory.mktemp("golden"), with_pdf_text=HAVE_PDFTOTEXT)
    if recording:
        GOLDEN.mkdir(exist_ok=True)
        for name, doc in docs.items():
            save_golden(name, doc)
        known = set(docs)
        for p in GOLDEN.glob("*.json*"):
            if p.name.split(".json")[0] not in known:
                p.unlink()
    # JSON round trip, as the recording went through it (tuples → lists)
    return json.loads(json.dumps(docs))


def test_every_run_is_recorded(outputs):
    recorded = {p.name.split(".json")[0] for p in GOLDEN.glob("*.json*")}
    assert recorded == set(RUN_NAMES), (
        f"missing: {sorted(set(RUN_NAMES) - recorded)}; stale: {sorted(recorded - set(RUN_NAMES))}"
    )


@pytest.mark.parametrize("name", RUN_NAMES)
def test_golden(name, outputs):
    if name == PDF_TEXT and not HAVE_PDFTOTEXT:
        pytest.skip("pdftotext (poppler-utils) not installed; the PDF's text is not compared")
    expected = load_golden(name)
    problem = report(name, expected, outputs[name])
    if problem is not None:
        pytest.fail(problem, pytrace=False)
