"""The options several commands share, each defined once, and the one way a command loads
its project.

Every command that takes a project calls :func:`add_store` and, to read it,
:func:`load_project`: the store is opened, the ``--settings`` file merged over the stored
settings, ``--rules`` applied, and the whole project read once into a
:class:`~kumuhgis.core.snapshot.CitySnapshot` that the command hands to the analysis.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from kumuhgis.core.errors import UsageError
from kumuhgis.core.snapshot import CitySnapshot

__all__ = [
    "add_fill",
    "add_map",
    "add_out",
    "add_rt_sheet",
    "add_rules",
    "add_settings",
    "add_sk",
    "add_store",
    "add_year",
    "check_out",
    "command_line",
    "load_project",
    "load_settings",
    "is_project",
    "open_project",
    "parse_fill",
    "parse_map",
    "parse_pairs",
    "project_location",
    "shown_location",
]


def add_store(
    p: argparse.ArgumentParser,
    *,
    help: str = "proyek .gpkg atau URL postgresql://… / project .gpkg or database URL",
) -> None:
    """The project argument ``STORE``."""
    p.add_argument("store", metavar="STORE", help=help)


def add_out(
    p: argparse.ArgumentParser,
    formats: tuple[str, ...],
    *,
    required: bool = True,
    metavar: str = "FILE",
    help: str | None = None,
) -> None:
    """``--out FILE``; the formats it takes are named in the help and checked by
    :func:`check_out`."""
    p.add_argument(
        "--out",
        metavar=metavar,
        required=required,
        help=help or f"berkas keluaran / output file ({' '.join(formats)})",
    )


def add_year(
    p: argparse.ArgumentParser,
    *,
    help: str = "tahun kondisi (bawaan: terakhir) / year of conditions (default: latest)",
) -> None:
    """``--year Y`` (also ``--tahun``): a condition year, checked against the years the
    project has by :func:`kumuhgis.analysis.scoring.condition_year`."""
    p.add_argument("--year", "--tahun", dest="year", type=int, default=None, metavar="Y", help=help)


def add_sk(p: argparse.ArgumentParser, *, help: str) -> None:
    """``--sk NO_SK``: one SK version."""
    p.add_argument("--sk", metavar="NO_SK", default=None, help=help)


def add_rules(p: argparse.ArgumentParser) -> None:
    """``--rules`` (a rule set shipped with kumuhgis)."""
    from kumuhgis.core.rules import available_rules

    p.add_argument(
        "--rules",
        choices=available_rules(),
        default=None,
        help="aturan penilaian (bawaan: pengaturan proyek, lalu permen-14-2018) / rule set",
    )


def add_map(p: argparse.ArgumentParser) -> None:
    """``--map SRC=DST [SRC=DST ...]`` (also repeatable): read the input column SRC as DST;
    see :func:`parse_map`. Several pairs after one ``--map`` are how contracts.md writes it
    and how users type it."""
    p.add_argument(
        "--map",
        action="extend",
        nargs="+",
        metavar="SRC=DST",
        help="petakan kolom, satu atau lebih / map columns, one or more (repeatable)",
    )


def parse_map(items: list[str] | None) -> dict[str, str]:
    """The ``--map`` options as ``{SRC: DST}``; refuses an item that is not ``SRC=DST``."""
    return parse_pairs(items, "--map", "SRC=DST")


def add_fill(p: argparse.ArgumentParser) -> None:
    """``--fill COL=VALUE [COL=VALUE ...]``: a value for every empty cell of a layer column,
    or for the whole column when the file lacks it (see
    :func:`kumuhgis.ingest.validation.validate_frame`)."""
    p.add_argument(
        "--fill",
        action="extend",
        nargs="+",
        metavar="COL=VALUE",
        help=(
            "isi kolom yang kosong/tidak ada, mis. tahun=2019 sumber_dana=APBN / fill a column "
            "the file leaves empty or lacks (repeatable)"
        ),
    )


def parse_fill(items: list[str] | None) -> dict[str, str]:
    """The ``--fill`` options as ``{COL: VALUE}`` (VALUE may hold spaces and ``=``; quote it
    on the command line: ``--fill "jenis=hidran umum"``)."""
    return parse_pairs(items, "--fill", "COL=VALUE")


def parse_pairs(items: list[str] | None, option: str, form: str) -> dict[str, str]:
    """``NAME=VALUE`` items of a repeatable option as a dict; refuses an item without ``=``
    or with an empty side, saying where the option goes."""
    pairs = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(
                f"{option} harus {form}, bukan '{item}' (letakkan {option} setelah nama berkas) / "
                f"{option} must be {form}, not '{item}' (put {option} after the file names)"
            )
        pairs[key.strip()] = value.strip()
    return pairs


def add_rt_sheet(p: argparse.ArgumentParser) -> None:
    """``--rt-sheet NAME``: where a published table's denominators are (a sheet or a file)."""
    p.add_argument(
        "--rt-sheet",
        metavar="NAME",
        default=None,
        help=(
            "sheet (atau berkas CSV/XLSX) berisi penyebut per RT (luas, bangunan, KK, panjang ideal), "
            "digabung lewat id RT / sheet (or CSV/XLSX file) with the RT denominators, joined on the RT id"
        ),
    )


def add_settings(p: argparse.ArgumentParser) -> None:
    """``--settings FILE.yaml``: settings for this run, merged over the project's."""
    p.add_argument(
        "--settings",
        metavar="FILE.yaml",
        help="pengaturan tambahan untuk sekali jalan (override aturan, target) / extra settings for this run",
    )


def check_out(out: str | None, formats: tuple[str, ...]) -> Path | None:
    """The ``--out`` path, refused when its extension is not one of ``formats`` or its
    folder does not exist."""
    if out is None:
        return None
    path = Path(out)
    if path.suffix.lower() not in formats:
        raise UsageError(
            f"Format keluaran '{path.suffix or path.name}' tidak didukung; pakai {', '.join(formats)} / "
            f"unsupported output '{path.suffix or path.name}'; use {', '.join(formats)}"
        )
    if not path.parent.exists():
        raise UsageError(f"Folder keluaran tidak ada / output folder does not exist: {path.parent}")
    return path


def load_settings(args: argparse.Namespace, stored: dict | None = None) -> dict:
    """The stored settings with the ``--settings`` file (if any) merged over them."""
    settings = dict(stored or {})
    if getattr(args, "settings", None):
        path = Path(args.settings)
        if not path.exists():
            raise UsageError(f"Berkas pengaturan tidak ada / settings file not found: {path}")
        try:
            extra = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise UsageError(
                f"Berkas pengaturan bukan YAML yang sah / settings file is not valid YAML: {exc}"
            ) from None
        if not isinstance(extra, dict):
            raise UsageError(
                "Berkas pengaturan harus berupa mapping YAML / settings file must be a YAML mapping"
            )
        settings.update(extra)
    return settings


def project_location(text: str) -> str:
    """The ``STORE`` argument checked: a ``.gpkg`` path or a ``postgresql://…`` URL
    (the one place that decides what a project argument may be)."""
    from kumuhgis.store import is_database_url

    if is_database_url(text):
        from kumuhgis.store.database import DatabaseLocation

        DatabaseLocation.parse(text)  # a malformed URL is a usage error, before connecting
        return text
    if Path(text).suffix.lower() != ".gpkg":
        raise UsageError(
            f"STORE harus proyek .gpkg atau URL postgresql://… / STORE must be a .gpkg project "
            f"or a postgresql://… URL: {text}"
        )
    return text


def shown_location(text: str) -> str:
    """A project argument as it may be shown or written to the audit: a database URL
    without its password, anything else as it is."""
    from kumuhgis.store import is_database_url

    if is_database_url(text):
        from kumuhgis.store.database import DatabaseLocation

        return DatabaseLocation.parse(text).shown
    return str(text)


def command_line(default: str = "kumuhgis") -> str:
    """The command as typed (for the audit), passwords in database URLs hidden."""
    import sys

    if not sys.argv:
        return default
    return " ".join(["kumuhgis", *(shown_location(a) for a in sys.argv[1:])])


def is_project(text: str) -> bool:
    """Whether a command's input names a project (``.gpkg`` or database URL) rather
    than a table file."""
    from kumuhgis.store import is_database_url

    return is_database_url(text) or Path(text).suffix.lower() == ".gpkg"


def open_project(location: str):
    """Open the project ``STORE`` (a ``.gpkg`` file or a database URL), refusing a
    missing project or another format."""
    from kumuhgis.store import is_database_url, open_store

    location = project_location(location)
    if not is_database_url(location) and not Path(location).exists():
        raise FileNotFoundError(f"Proyek tidak ditemukan / project not found: {location}")
    return open_store(location)


def load_project(args: argparse.Namespace, store=None) -> CitySnapshot:
    """Read the command's project once: settings (``--settings``), rule set (``--rules``)
    and every layer."""
    from kumuhgis.store.snapshot import load_snapshot

    store = open_project(args.store) if store is None else store
    settings = load_settings(args, store.settings())
    return load_snapshot(store, settings=settings, rules=getattr(args, "rules", None))
