"""The ``kumuhgis`` command line (contracts.md "Command line").

Exit status: 0 done; 2 bad input or usage (the message says what and where, nothing
written); 1 unexpected failure. Each command group lives in its own module with a
``register(subparsers)`` function; this module only wires them together and maps
exceptions onto exit statuses.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from kumuhgis import __version__
from kumuhgis.core.errors import CRSError, KumuhgisError, UsageError, ValidationError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_BAD_INPUT", "EXIT_FAILURE"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

# Modules that add sub-commands, in the order they appear in --help.
_COMMAND_MODULES = (
    "kumuhgis.cli.data",
    "kumuhgis.cli.analysis",
    "kumuhgis.cli.checks",
    "kumuhgis.cli.audit",
    "kumuhgis.cli.web",
    "kumuhgis.cli.plan",
    "kumuhgis.cli.db",
    "kumuhgis.cli.users",
    "kumuhgis.cli.national",
    "kumuhgis.cli.history",
)

log = logging.getLogger("kumuhgis")


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors, which matches our contract."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kumuhgis",
        description=(
            "kumuhgis — data dan analisis kawasan kumuh KOTAKU / "
            "GIS core for KOTAKU slum upgrading."
        ),
    )
    parser.add_argument("--version", action="version", version=f"kumuhgis {__version__}")
    parser.add_argument(
        "--lang",
        choices=("id", "en"),
        default=os.environ.get("KUMUHGIS_LANG", "id"),
        help="bahasa pesan / message language (default: id)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log lebih rinci / verbose log"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command group still being built
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from kumuhgis.cli._console import tolerate_unencodable

    tolerate_unencodable()  # a cp1252 console shows "?" for "→", never a crash
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from kumuhgis.cli._console import console, print_problems

    try:
        return int(args.func(args) or EXIT_OK)
    except ValidationError as exc:
        print_problems(exc, lang=args.lang)
        return EXIT_BAD_INPUT
    except (UsageError, CRSError, FileNotFoundError) as exc:
        console(err=True).print(f"[bold red]Galat / Error:[/] {exc}", highlight=False)
        return EXIT_BAD_INPUT
    except KumuhgisError as exc:
        console(err=True).print(f"[bold red]Galat / Error:[/] {exc}", highlight=False)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # unexpected: exit 1 with a short message, traceback when -v
        log.debug("unexpected failure", exc_info=True)
        console(err=True).print(
            f"[bold red]Kesalahan tak terduga / unexpected failure:[/] {type(exc).__name__}: {exc}\n"
            "Jalankan ulang dengan -v untuk rincian / run again with -v for details.",
            highlight=False,
        )
        if args.verbose:
            import traceback

            traceback.print_exc()
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
