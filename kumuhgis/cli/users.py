"""Logins for the web app of a city server: ``user add``, ``user list``, ``user remove``
(issue 15; the users live in the project, :mod:`kumuhgis.store.users`)."""

from __future__ import annotations

import argparse
import getpass
import sys

from kumuhgis.cli._console import console
from kumuhgis.cli.options import add_store, command_line, open_project
from kumuhgis.core.errors import UsageError
from kumuhgis.core.roles import ROLE_LABELS, ROLES

__all__ = ["register"]


def _password(args: argparse.Namespace) -> str:
    """The password from standard input (``--password-stdin``: its first line) or typed
    twice at a prompt (never an argument: it would stay in the shell history)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError(
            "tidak ada terminal untuk mengetik kata sandi; pakai --password-stdin / "
            "no terminal to type the password; use --password-stdin"
        )
    first = getpass.getpass("Kata sandi / password: ")
    if getpass.getpass("Ulangi / again: ") != first:
        raise UsageError("kata sandi tidak sama / the passwords differ")
    return first


def _cmd_add(args: argparse.Namespace) -> int:
    from kumuhgis.store.users import add_user

    store = open_project(args.store)
    user = add_user(store, args.name, args.role, _password(args), kelurahan=args.kelurahan or (),
                    replace=args.replace, command=command_line())  # fmt: skip
    label = ROLE_LABELS[user.peran][1 if args.lang == "en" else 0]
    where = f" ({', '.join(user.kelurahan)})" if user.kelurahan else ""
    console().print(f"{user.nama}: {label}{where} → {store.location}", markup=False)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from kumuhgis.store.users import list_users

    for user in list_users(open_project(args.store)):
        sys.stdout.write(f"{user.nama}\t{user.peran}\t{';'.join(user.kelurahan)}\n")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from kumuhgis.store.users import remove_user

    store = open_project(args.store)
    remove_user(store, args.name, command=command_line())
    console().print(f"{args.name}: dihapus / removed", markup=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``user add``, ``user list`` and ``user remove`` to the ``kumuhgis`` parser."""
    p = sub.add_parser(
        "user",
        help="login aplikasi web / logins for the web app",
        description=(
            "Pengguna aplikasi web disimpan di proyek (tabel pengguna, sandi sebagai hash "
            "argon2). Peran: pokja (semua), korkot (unggah kolaborasi/infrastruktur, ubah "
            "status kolaborasi), faskel (unggah kolaborasi/infrastruktur di kelurahannya), "
            "viewer (baca). / Web app logins, kept in the project with argon2 hashes."
        ),
    )
    users = p.add_subparsers(dest="user_command", metavar="PERINTAH", parser_class=type(p))
    users.required = True

    q = users.add_parser("add", help="tambah login / add a login")
    add_store(q)
    q.add_argument("name", metavar="NAME", help="nama login / login name")
    q.add_argument("--role", required=True, choices=ROLES, help="peran / role")
    q.add_argument(
        "--kelurahan",
        nargs="+",
        metavar="KODE",
        help="kode_kel wilayah kerja (wajib untuk faskel) / the kode_kel a faskel works in",
    )
    q.add_argument(
        "--password-stdin",
        action="store_true",
        help="baca kata sandi dari stdin / read the password from standard input",
    )
    q.add_argument(
        "--replace",
        action="store_true",
        help="ganti peran dan sandi login yang ada / change an existing login",
    )
    q.set_defaults(func=_cmd_add)

    q = users.add_parser("list", help="daftar login / list the logins")
    add_store(q)
    q.set_defaults(func=_cmd_list)

    q = users.add_parser("remove", help="hapus login / remove a login")
    add_store(q)
    q.add_argument("name", metavar="NAME", help="nama login / login name")
    q.set_defaults(func=_cmd_remove)
