"""Shared pytest fixtures."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data not found at {SHARED_DATA}")
    return SHARED_DATA


def _require_all() -> bool:
    return os.environ.get("KUMUHGIS_REQUIRE_ALL") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """With KUMUHGIS_REQUIRE_ALL=1 a skip raised while collecting a module (a module-level
    ``pytest.importorskip``, ``pytest.skip(allow_module_level=True)``) fails the run too:
    without this a missing package would skip a whole test file silently."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _require_all():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"{collector.nodeid} skipped while collecting, but KUMUHGIS_REQUIRE_ALL=1 "
            f"requires every part: {reason}"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With KUMUHGIS_REQUIRE_ALL=1 (set by .ci/run) a skipped test fails instead.

    CI installs every real part the suite needs (Chromium, poppler, ../shared/data); a skip
    there means something is missing, and that must not pass silently.
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _require_all() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but KUMUHGIS_REQUIRE_ALL=1 requires every part: {reason}"


@pytest.fixture(scope="session")
def demo_city():
    """The demo city's frames (default seed), built once per test session."""
    from kumuhgis.demo import build_demo

    return build_demo()


@pytest.fixture(scope="session")
def demo_project(demo_city, tmp_path_factory):
    """The demo city as a project file, built once per session. Read it, never write to it:
    tests that change a project copy this file into their own ``tmp_path`` first."""
    from kumuhgis.store import create_store

    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    create_store(
        path,
        kota=demo_city.settings["kota"],
        settings=demo_city.settings,
        layers=demo_city.layers,
        command="kumuhgis demo",
    )
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    yield path
    after = hashlib.sha256(path.read_bytes()).hexdigest()
    assert after == before, "a test wrote into the shared demo project; copy it first"


# --------------------------------------------------------------------------- PostgreSQL
_PG_MISSING = (
    "PostgreSQL + PostGIS not installed (Debian: apt-get install postgresql "
    "postgresql-15-postgis-3; scripts/install_system.sh does it)"
)


def _pg_bindir() -> Path | None:
    """The folder of initdb/pg_ctl: $KUMUHGIS_PG_BINDIR, else Debian's newest
    /usr/lib/postgresql/N/bin, else the PATH."""
    import shutil

    if os.environ.get("KUMUHGIS_PG_BINDIR"):
        return Path(os.environ["KUMUHGIS_PG_BINDIR"])
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster with PostGIS for the whole session; yields the URL
    of its database ``kumuhgis_test``.

    ``initdb`` into a temporary folder (as the ``postgres`` user when the tests run as
    root: the server refuses to run as root), a free port on 127.0.0.1, the unix socket in
    that folder (so it touches no system cluster), ``pg_ctl -w start``, ``CREATE EXTENSION
    postgis``; stopped (``pg_ctl -m fast stop``) and removed at the end. Skips with the
    reason when the server, PostGIS or the Python driver is missing.
    """
    import shutil
    import subprocess
    import tempfile

    bindir = _pg_bindir()
    if bindir is None or not all((bindir / b).exists() for b in ("pg_ctl", "pg_config")):
        pytest.skip(_PG_MISSING)
    sharedir = subprocess.run(
        [str(bindir / "pg_config"), "--sharedir"], capture_output=True, text=True
    ).stdout.strip()
    if not sharedir or not (Path(sharedir) / "extension" / "postgis.control").exists():
        pytest.skip(_PG_MISSING + f": no postgis extension under {sharedir or bindir}")
    psycopg = pytest.importorskip("psycopg", reason="psycopg 3 missing (pip install -e .)")
    pytest.importorskip("sqlalchemy", reason="SQLAlchemy missing (pip install -e .)")

    root = Path(tempfile.mkdtemp(prefix="kumuhgis-pg-"))
    as_user = {}
    if os.geteuid() == 0:  # PostgreSQL does not run as root
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            pytest.skip(_PG_MISSING + ": no 'postgres' user to run the server as")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = {"user": owner.pw_uid, "group": owner.pw_gid}
    data, log = root / "data", root / "server.log"
    port = _free_port()

    def run(*argv: str) -> None:
        done = subprocess.run([str(bindir / argv[0]), *argv[1:]], capture_output=True, text=True,
                              cwd=root, **as_user)  # fmt: skip
        if done.returncode:
            log_text = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {done.stderr}{done.stdout}\n{log_text}")

    try:
        run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-locale", "--no-sync")  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        run("pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
    except Exception:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres",
                             autocommit=True) as con:  # fmt: skip
            con.execute("CREATE DATABASE kumuhgis_test")
        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=kumuhgis_test",
                             autocommit=True) as con:  # fmt: skip
            con.execute("CREATE EXTENSION postgis")
        yield f"postgresql://postgres@127.0.0.1:{port}/kumuhgis_test"
    finally:
        from kumuhgis.store.database import dispose_engines

        dispose_engines()
        run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server, request):
    """The URL of a project schema of its own for this test (none exists yet)."""
    import re

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40]
    tag = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]
    return f"{postgres_server}?schema=t_{name}_{tag}"


@pytest.fixture(scope="session")
def fingerprint():
    """``fingerprint(store)``: a digest of everything a project holds, to show that a
    failed write changed nothing. A GeoPackage: the file's bytes. A database: the
    ``pg_dump`` of the project's schema (tables, rows, indexes)."""
    import subprocess

    def digest(store) -> str:
        if hasattr(store, "path"):
            return hashlib.sha256(Path(store.path).read_bytes()).hexdigest()
        from kumuhgis.store.database import DatabaseLocation

        where = DatabaseLocation.parse(store.location)
        url = where.url.replace("postgresql+psycopg://", "postgresql://")
        dump = subprocess.run(
            [str(_pg_bindir() / "pg_dump"), "--schema", where.schema, "--no-owner", url],
            capture_output=True,
            check=True,
        ).stdout
        # pg_dump's \restrict line carries a random key per run
        lines = [x for x in dump.splitlines() if not x.startswith((b"\\restrict", b"\\unrestrict"))]
        return hashlib.sha256(b"\n".join(lines)).hexdigest()

    return digest
