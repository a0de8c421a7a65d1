"""Where a database project is and how to reach it: the URL, the schema, the pool.

A database project is one PostgreSQL schema (default ``kumuhgis``) in a database with
PostGIS, named by a URL::

    postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]

Several projects (cities, or a copy for training) can share one database under different
schemas. Other query parameters (``sslmode``, ``host=/run/postgresql`` for a local socket
...) go to the driver (psycopg 3) as they are. A password in the URL is never shown: the
project's :attr:`DatabaseLocation.shown` hides it.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from kumuhgis.core.errors import StoreError, UsageError

__all__ = [
    "DEFAULT_SCHEMA",
    "DatabaseLocation",
    "database_errors",
    "dispose_engines",
    "engine_for",
    "is_database_url",
]

DEFAULT_SCHEMA = "kumuhgis"
_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_ENGINES: dict[str, object] = {}
_ENGINES_LOCK = threading.Lock()


def is_database_url(location: object) -> bool:
    """True for ``postgresql://…`` (also ``postgres://``, ``postgresql+psycopg://``)."""
    text = str(location)
    return any(text.startswith(f"{scheme}://") for scheme in _SCHEMES)


@dataclass(frozen=True)
class DatabaseLocation:
    """A parsed database project URL."""

    url: str  # for the driver: postgresql+psycopg://…, without ``schema``
    schema: str
    shown: str  # the URL as the user wrote it, password hidden

    @classmethod
    def parse(cls, location: str) -> DatabaseLocation:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        if not is_database_url(location):
            raise UsageError(
                f"Bukan URL basis data postgresql://… / not a postgresql://… URL: {location}"
            )
        try:
            url = make_url(str(location))
        except ArgumentError as exc:
            raise UsageError(f"URL basis data tidak sah / invalid database URL: {exc}") from None
        if not url.database:
            raise UsageError(
                "URL basis data perlu nama basis data, mis. postgresql://localhost/kota / "
                "the database URL needs a database name, e.g. postgresql://localhost/kota"
            )
        schema = str(url.query.get("schema", DEFAULT_SCHEMA))
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise UsageError(
                f"schema '{schema}' harus huruf kecil, angka, _ / schema must be lower-case letters, digits, _"
            )
        driver = url.set(drivername="postgresql+psycopg").difference_update_query(["schema"])
        return cls(
            url=driver.render_as_string(hide_password=False),
            schema=schema,
            shown=url.render_as_string(hide_password=True),
        )


def engine_for(location: DatabaseLocation):
    """The connection pool for the location's database, one per URL in this process."""
    from sqlalchemy import create_engine

    with _ENGINES_LOCK:
        engine = _ENGINES.get(location.url)
        if engine is None:
            engine = create_engine(location.url, pool_pre_ping=True, pool_size=5, max_overflow=10)
            _ENGINES[location.url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection of this process (before a server is stopped)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.dispose()


@contextlib.contextmanager
def database_errors(location: DatabaseLocation) -> Iterator[None]:
    """Turn driver errors into :class:`StoreError` with a message a user can act on."""
    import psycopg
    from sqlalchemy import exc as sa_exc

    try:
        yield
    except (sa_exc.OperationalError, psycopg.OperationalError) as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise StoreError(
            f"Tidak bisa terhubung ke basis data / cannot reach the database {location.shown}: {detail}"
        ) from exc
    except (sa_exc.DBAPIError, psycopg.Error) as exc:
        detail = str(getattr(exc, "orig", exc)).strip()
        raise StoreError(
            f"Basis data menolak perintah / the database refused: {detail} ({location.shown})"
        ) from exc
