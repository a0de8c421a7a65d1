"""Server mode (issue 15): logins, roles, CSRF, cookies, rate limiting and the edits in the
browser, on both backends (a GeoPackage and a real PostgreSQL + PostGIS from the
``postgres_server`` fixture), through ``create_app`` and the ``kumuhgis user`` commands."""

from __future__ import annotations

import io
import re
import shutil
import threading

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from app import create_app
from kumuhgis.cli import main
from kumuhgis.core.errors import ConflictError, UsageError
from kumuhgis.core.roles import ACTIONS, ROLES, allows
from kumuhgis.core.snapshot import OVERRIDE_TABLE
from kumuhgis.ingest.project import set_override
from kumuhgis.store import open_store
from kumuhgis.store.transfer import copy_project
from kumuhgis.store.users import SESSION_KEY, USERS_TABLE, add_user, check_password, list_users

PASSWORD = "sandi-rahasia-1"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(params=["gpkg", "postgis"])
def location(request, demo_project, tmp_path) -> str:
    """The demo city as a project of its own, in a GeoPackage or in PostGIS."""
    if request.param == "gpkg":
        path = tmp_path / "kota.gpkg"
        shutil.copy(demo_project, path)
        return str(path)
    url = request.getfixturevalue("pg_url")
    copy_project(open_store(demo_project), url, command="test: salin demo")
    return url


@pytest.fixture
def kelurahan(location) -> list[str]:
    return sorted(open_store(location).read("wilayah")["kode_kel"].astype(str))


@pytest.fixture
def team(location, kelurahan) -> str:
    """One login per role; the facilitator works in the first kelurahan."""
    store = open_store(location)
    for role in ROLES:
        codes = kelurahan[:1] if role == "faskel" else ()
        add_user(store, role, role, PASSWORD, kelurahan=codes, command="test: tim")
    return location


@pytest.fixture
def app(team):
    return create_app({"STORE": team, "TESTING": True})


def token(client, path: str = "/tentang") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, name: str, password: str = PASSWORD, *, expect: int = 303):
    r = client.post("/masuk", data={"nama": name, "sandi": password,
                                    "csrf_token": token(client, "/masuk")})  # fmt: skip
    assert r.status_code == expect, r.get_data(as_text=True)[:400]
    return r


def as_user(app, name: str):
    client = app.test_client()
    login(client, name)
    return client


def history(location) -> pd.DataFrame:
    table = open_store(location).read_table(OVERRIDE_TABLE)
    return pd.DataFrame() if table is None else table


def kode_of(location, n: int = 0) -> str:
    return str(open_store(location).read("kolaborasi")["kode_kegiatan"].iloc[n])


# --------------------------------------------------------------------------- users and roles


def test_roles_as_data():
    assert allows("viewer", "baca") and not allows("viewer", "unggah:kolaborasi")
    assert allows("faskel", "unggah:kolaborasi") and not allows("faskel", "status")
    assert allows("korkot", "status") and not allows("korkot", "memorandum")
    assert all(allows("pokja", a) for a in ACTIONS)
    assert not allows(None, "baca")
    with pytest.raises(ValueError):
        allows("pokja", "terbang")


def test_user_commands(location, kelurahan, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", location, "sari", "--role", "faskel", "--kelurahan", kelurahan[0],
                 "--password-stdin"]) == 0  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", location, "sari", "--role", "pokja", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))  # faskel without kelurahan
    assert main(["user", "add", location, "rudi", "--role", "faskel", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n"))
    assert main(["user", "add", location, "rudi", "--role", "viewer", "--password-stdin"]) == 2
    capsys.readouterr()
    assert main(["user", "list", location]) == 0
    assert capsys.readouterr().out == f"sari\tfaskel\t{kelurahan[0]}\n"
    store = open_store(location)
    assert check_password(store, "sari", PASSWORD).kelurahan == (kelurahan[0],)
    assert check_password(store, "sari", PASSWORD + "x") is None
    assert check_password(store, "tidakada", PASSWORD) is None
    audit = store.audit()
    assert (audit["layer"] == USERS_TABLE).sum() == 1
    assert not audit.astype(str).apply(lambda c: c.str.contains("argon2")).any().any()
    assert main(["user", "remove", location, "sari"]) == 0
    assert main(["user", "remove", location, "sari"]) == 2
    assert list_users(open_store(location)) == []


def test_public_copy_leaves_logins_and_key_out(team, tmp_path):
    app = create_app({"STORE": team, "TESTING": True})
    client = as_user(app, "viewer")  # a session: the project's key is made and kept
    store = open_store(team)
    assert store.meta().get(SESSION_KEY)
    full = tmp_path / "penuh.gpkg"
    copy_project(store, full)
    assert USERS_TABLE in open_store(full).tables()
    body = client.get("/unduh/proyek.gpkg").data
    public = tmp_path / "publik.gpkg"
    public.write_bytes(body)
    copy = open_store(public)
    assert USERS_TABLE not in copy.tables() and SESSION_KEY not in copy.meta()
    assert set(copy.layers()) == set(store.layers())


# --------------------------------------------------------------------------- login, cookies


def test_login_cookies_and_logout(app):
    client = app.test_client()
    login(client, "viewer", "salah-sandi", expect=401)
    r = login(client, "viewer")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = client.get("/tentang").get_data(as_text=True)
    assert 'id="pengguna-aktif"' in page and 'id="nav-ubah"' not in page
    r = client.post("/keluar", data={"csrf_token": token(client)})
    assert r.status_code == 303
    assert 'id="pengguna-aktif"' not in client.get("/tentang").get_data(as_text=True)
    secure = app.test_client()
    r = secure.post("/masuk", base_url="https://localhost", data={
        "nama": "viewer", "sandi": PASSWORD,
        "csrf_token": TOKEN.search(secure.get("/masuk", base_url="https://localhost").get_data(
            as_text=True)).group(1)},
        headers={"Referer": "https://localhost/masuk"})  # fmt: skip
    assert r.status_code == 303 and "Secure" in r.headers["Set-Cookie"]


def test_login_redirects_only_inside_the_site(app):
    client = app.test_client()
    for target, expected in (("/kolaborasi?semua=1", "/kolaborasi?semua=1"),
                             ("https://jahat.example/", "/peta"), ("//jahat.example", "/peta")):  # fmt: skip
        r = client.post("/masuk", data={"nama": "viewer", "sandi": PASSWORD, "next": target,
                                        "csrf_token": token(client, "/masuk")})  # fmt: skip
        assert r.headers["Location"] == expected
        client.post("/keluar", data={"csrf_token": token(client)})


def test_login_rate_limit_per_name_and_address(app):
    client = app.test_client()
    for _ in range(5):
        login(client, "korkot", "salah-sandi", expect=401)
    login(client, "korkot", expect=429)  # even the right password waits out the window
    other = {"REMOTE_ADDR": "10.1.2.3"}
    r = client.post("/masuk", environ_base=other, data={
        "nama": "korkot", "sandi": PASSWORD, "csrf_token": token(client, "/masuk")})  # fmt: skip
    assert r.status_code == 303  # another address is not locked out
    login(app.test_client(), "pokja")  # nor another name


def test_anonymous_reading_default_by_backend(team):
    client = create_app({"STORE": team, "TESTING": True}).test_client()
    on_database = team.startswith("postgresql")
    r = client.get("/kolaborasi")
    assert r.status_code == (302 if on_database else 200)
    if on_database:
        assert r.headers["Location"].startswith("/masuk?next=/kolaborasi")
        assert client.get("/api/layers/rt").status_code == 401
        assert client.get("/ogc/collections").status_code == 401
    assert client.get("/healthz").status_code == 200 and client.get("/masuk").status_code == 200
    closed = create_app({"STORE": team, "TESTING": True, "ANONYMOUS_READ": False}).test_client()
    assert closed.get("/peta").status_code == 302
    login(closed, "viewer")
    assert closed.get("/peta").status_code == 200


# --------------------------------------------------------------------------- every write guarded


def _write_routes(app) -> list:
    changing = {"POST", "PUT", "PATCH", "DELETE"}
    rules = [r for r in app.url_map.iter_rules() if r.methods & changing]
    assert {r.endpoint for r in rules} >= {"masuk.login", "masuk.logout", "ubah.unggah",
                                           "ubah.status", "ubah.memorandum", "ubah.target"}  # fmt: skip
    return rules


def _path(rule) -> str:
    return rule.rule.replace("<", "").replace(">", "")


def test_no_state_changing_route_without_csrf_token(app, location, fingerprint):
    client = as_user(app, "pokja")  # (logging in made the project's session key)
    before = fingerprint(open_store(location))
    for rule in _write_routes(app):
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            r = client.open(_path(rule), method=method, data={"kode_kegiatan": kode_of(location),
                            "status": "luar", "alasan": "x", "versi": "0"})  # fmt: skip
            assert r.status_code == 400, (rule.rule, method, r.status_code)
            assert "CSRF" in r.get_data(as_text=True)
    assert fingerprint(open_store(location)) == before


def test_no_state_changing_route_without_login(app, location, fingerprint):
    client = app.test_client()
    valid = token(client, "/masuk")  # (a token in the session made the project's key)
    before = fingerprint(open_store(location))
    for rule in _write_routes(app):
        if rule.endpoint == "masuk.login":  # the login itself: CSRF only (test above)
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            r = client.open(_path(rule), method=method, data={"csrf_token": valid,
                            "kode_kegiatan": kode_of(location), "status": "luar", "alasan": "x",
                            "versi": "0"})  # fmt: skip
            assert r.status_code in (303, 401), (rule.rule, method, r.status_code)
            assert r.status_code == 401 or r.headers["Location"].startswith("/masuk")
    assert fingerprint(open_store(location)) == before


def test_roles_on_the_edit_pages(app):
    viewer, faskel, korkot = (as_user(app, n) for n in ("viewer", "faskel", "korkot"))
    assert viewer.get("/ubah/unggah").status_code == 403
    assert faskel.get("/ubah/unggah").status_code == 200
    assert faskel.get("/ubah/target").status_code == 403
    r = faskel.post("/kolaborasi/status", data={"csrf_token": token(faskel)})
    assert r.status_code == 403
    assert korkot.get("/ubah/memorandum").status_code == 403
    page = korkot.get("/ubah/unggah").get_data(as_text=True)
    assert '<option value="kolaborasi"' in page and '<option value="baseline"' not in page
