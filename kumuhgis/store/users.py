"""The logins of a city server, kept in the project itself (issue 15 "Server mode").

The project table ``pengguna`` (a private table: :data:`~kumuhgis.store.interface.PRIVATE_TABLES`)
holds one row per user: ``nama`` (the login name), ``peran`` (a role of
:mod:`kumuhgis.core.roles`), ``kelurahan`` (the ``kode_kel`` codes a facilitator works in,
separated by ``;``), ``rahasia_sandi`` (the password's argon2id hash; never the
password, never in the audit's values, never in a public copy), ``dibuat`` and ``diubah``
(when). It is read and written through the :class:`~kumuhgis.store.interface.Store`
interface, so logins work the same on a GeoPackage and on PostGIS and travel with
``kumuhgis db copy``.

The key that signs the web app's session cookies is kept in the project's meta
(``rahasia_kunci_sesi``), made on first use, so it is never in the repository or a
config file and sessions survive a restart.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from kumuhgis.core.codes import split_codes
from kumuhgis.core.errors import StoreError, UsageError
from kumuhgis.core.roles import check_role, limited_to_kelurahan
from kumuhgis.store.interface import Store, now_iso

__all__ = [
    "MIN_PASSWORD",
    "SESSION_KEY",
    "USERS_TABLE",
    "User",
    "add_user",
    "check_name",
    "check_password",
    "find_user",
    "list_users",
    "remove_user",
    "session_secret",
]

log = logging.getLogger(__name__)

USERS_TABLE = "pengguna"
USER_COLUMNS = ("nama", "peran", "kelurahan", "rahasia_sandi", "dibuat", "diubah")
SESSION_KEY = "rahasia_kunci_sesi"
MIN_PASSWORD = 8
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True)
class User:
    """One login: its name, role, kelurahan codes and a token that changes with the
    password (so a new password ends the sessions opened with the old one)."""

    nama: str
    peran: str
    kelurahan: tuple[str, ...] = ()
    token: str = ""

    @property
    def session_id(self) -> str:
        """What a session remembers: the name and the password token."""
        return f"{self.nama}:{self.token}"


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters


def _token(hashed: str) -> str:
    return hashlib.sha256(hashed.encode()).hexdigest()[:16]


def _table(store_or_tx) -> pd.DataFrame:
    frame = store_or_tx.read_table(USERS_TABLE)
    if frame is None:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in USER_COLUMNS})
    frame = pd.DataFrame(frame)
    for c in USER_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    return frame[list(USER_COLUMNS)].fillna("").astype("str").reset_index(drop=True)


def _user(row: dict) -> User:
    return User(
        nama=row["nama"],
        peran=row["peran"],
        kelurahan=tuple(split_codes(row["kelurahan"])),
        token=_token(row["rahasia_sandi"]),
    )


def list_users(store: Store) -> list[User]:
    """Every login of the project, by name."""
    rows = _table(store).sort_values("nama").to_dict("records")
    return [_user(r) for r in rows]


def find_user(store: Store, name: str) -> User | None:
    """The login called ``name`` (``None`` when there is none)."""
    table = _table(store)
    found = table[table["nama"] == str(name)]
    return _user(found.iloc[0].to_dict()) if len(found) else None


def check_name(name: str) -> str:
    """A login name: letters, digits and ``. _ @ -``, 1–64 characters."""
    name = str(name or "").strip()
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"nama pengguna '{name}' tidak sah: huruf, angka, . _ @ -, paling banyak 64 / "
            f"invalid user name '{name}': letters, digits, . _ @ -, at most 64"
        )
    return name


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise UsageError(
            f"kata sandi minimal {MIN_PASSWORD} karakter / the password needs at least "
            f"{MIN_PASSWORD} characters"
        )


def _check_kelurahan(store: Store, role: str, kelurahan: Iterable[str]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(str(k).strip() for k in kelurahan if str(k).strip()))
    if limited_to_kelurahan(role) and not codes:
        raise UsageError(
            f"peran {role} perlu --kelurahan KODE (kode_kel wilayah kerjanya) / role {role} "
            "needs --kelurahan CODE (the kode_kel it works in)"
        )
    if codes and not limited_to_kelurahan(role):
        raise UsageError(
            f"--kelurahan hanya untuk peran faskel, bukan {role} / --kelurahan is for the "
            f"faskel role only, not {role}"
        )
    if codes and store.has_layer("wilayah"):
        known = set(store.read("wilayah")["kode_kel"].astype(str))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise UsageError(
                f"kode_kel {', '.join(unknown)} tidak ada di layer wilayah / "
                f"kode_kel {', '.join(unknown)} not in the wilayah layer"
            )
    return codes


def add_user(
    store: Store,
    name: str,
    role: str,
    password: str,
    *,
    kelurahan: Iterable[str] = (),
    replace: bool = False,
    user: str | None = None,
    command: str = "kumuhgis user add",
) -> User:
    """Add a login (or, with ``replace``, change an existing one's role, kelurahan and
    password), all or nothing and audited (without the hash).

    Raises
    ------
    UsageError
        An invalid name or role, a password shorter than :data:`MIN_PASSWORD`, a faskel
        without kelurahan (or kelurahan for another role, or an unknown code), a name
        that is taken (without ``replace``).
    """
    name, role = check_name(name), check_role(role)
    _check_password(password)
    codes = _check_kelurahan(store, role, kelurahan)
    hashed = _hasher().hash(password)
    with store.transaction(command=command, user=user) as tx:
        table = _table(tx)
        taken = table["nama"] == name
        if taken.any() and not replace:
            raise UsageError(f"pengguna '{name}' sudah ada / user '{name}' already exists")
        now = now_iso()
        created = table.loc[taken, "dibuat"].iloc[0] if taken.any() else now
        row = {"nama": name, "peran": role, "kelurahan": ";".join(codes),
               "rahasia_sandi": hashed, "dibuat": created, "diubah": now}  # fmt: skip
        table = pd.concat([table[~taken], pd.DataFrame([row])], ignore_index=True)
        tx.write_table(USERS_TABLE, table.astype("str"))
    return _user(row)


def remove_user(
    store: Store, name: str, *, user: str | None = None, command: str = "kumuhgis user remove"
) -> None:
    """Remove a login (its sessions end at the next request).

    Raises
    ------
    UsageError
        No such user.
    """
    with store.transaction(command=command, user=user) as tx:
        table = _table(tx)
        gone = table["nama"] == str(name)
        if not gone.any():
            raise UsageError(f"pengguna '{name}' tidak ada / no user '{name}'")
        tx.write_table(USERS_TABLE, table[~gone].reset_index(drop=True).astype("str"))


_DUMMY: list[str] = []


def check_password(store: Store, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else ``None``. An unknown name costs the same
    time as a wrong password (a hash is checked either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    table = _table(store)
    found = table[table["nama"] == str(name)]
    if not len(found):
        if not _DUMMY:
            _DUMMY.append(hasher.hash(secrets.token_hex(16)))
        hashed, row = _DUMMY[0], None
    else:
        row = found.iloc[0].to_dict()
        hashed = row["rahasia_sandi"]
    try:
        hasher.verify(hashed, str(password or ""))
    except (VerificationError, InvalidHashError):
        return None
    return _user(row) if row is not None else None


def session_secret(store: Store) -> str:
    """The key that signs the web app's sessions, made and kept in the project's meta
    on first use. A project that cannot be written (a read-only file) gets a key for
    this process only, with a warning (sessions then end when the server stops)."""
    key = store.meta().get(SESSION_KEY)
    if key:
        return key
    try:
        with store.transaction(command="kumuhgis serve: kunci sesi") as tx:
            key = tx.meta().get(SESSION_KEY)  # made by another process meanwhile
            if not key:
                key = secrets.token_urlsafe(48)
                tx.set_meta(SESSION_KEY, key)
        return key
    except (StoreError, OSError) as exc:
        log.warning("session key not kept in %s (%s); sessions end with this process", store, exc)
        return secrets.token_urlsafe(48)
