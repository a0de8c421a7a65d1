"""Server mode (issue 15): logins, roles, CSRF, cookies, rate limiting and the edits in the
browser, on both backends (a GeoPackage and a real PostgreSQL + PostGIS from the
``postgres_server`` fixture), through ``create_app`` and the ``kumuhgis user`` commands."""

from __future__ import annotations

import io
import json
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
from kumuhgis.store.restore import list_writes, restore_project
from kumuhgis.store.transfer import copy_project
from kumuhgis.store.users import (
    SESSION_KEY,
    USERS_TABLE,
    add_user,
    check_password,
    list_users,
    session_secret,
)

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
    # no secret anywhere in the file: not the hashes, not the key, not in the history
    secrets = [*store.read_table(USERS_TABLE)["rahasia_sandi"], store.meta()[SESSION_KEY]]
    assert all(s.encode() not in body for s in secrets) and b"argon2" not in body
    assert copy.history().empty and not open_store(full).history().empty


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


# --------------------------------------------------------------------------- edits


def _works(location, kelurahan: list[str], path, *, bad: bool = False):
    """Two new kolaborasi works as GeoJSON: one in the first kelurahan, one in the second
    (``bad``: the second has no year)."""
    wilayah = open_store(location).read("wilayah").set_index("kode_kel")
    points = [shapely.Point(wilayah.loc[k].geometry.representative_point()) for k in kelurahan[:2]]
    frame = gpd.GeoDataFrame({
        "kode_kegiatan": ["WEB-001", "WEB-002"], "nama_kegiatan": ["Sumur bor", "Hidran"],
        "tahun": [2019, None if bad else 2019], "sumber_dana": ["APBD Kab/Kota", "Swasta/CSR"],
        "nilai_rp": [25_000_000, 40_000_000], "kriteria": ["3a", "7a"], "volume": [20, 10],
        "satuan": ["KK", "unit"]}, geometry=points, crs="EPSG:4326")  # fmt: skip
    frame.to_file(path, driver="GeoJSON")
    return path


def _upload(client, path, *, lenient=False, layer="kolaborasi", append=True, replace_layer=False):
    data = {"csrf_token": token(client), "layer": layer,
            "berkas": (io.BytesIO(path.read_bytes()), path.name)}  # fmt: skip
    for name, on in (("tambah", append), ("longgar", lenient), ("ganti_layer", replace_layer)):
        if on:
            data[name] = "1"
    return client.post("/ubah/unggah", data=data, content_type="multipart/form-data")


def test_upload_strict_lenient_and_the_facilitators_kelurahan(app, location, kelurahan, tmp_path,
                                                            fingerprint):  # fmt: skip
    korkot, faskel = as_user(app, "korkot"), as_user(app, "faskel")
    before = fingerprint(open_store(location))
    bad = _works(location, kelurahan, tmp_path / "salah.geojson", bad=True)
    r = _upload(korkot, bad)
    assert r.status_code == 400 and 'id="laporan-masalah"' in r.get_data(as_text=True)
    assert fingerprint(open_store(location)) == before  # strict: nothing stored
    good = _works(location, kelurahan, tmp_path / "kegiatan.geojson")
    r = _upload(faskel, good)  # WEB-002 lies in another kelurahan than the faskel's
    assert r.status_code == 400 and "di luar wilayah Anda" in r.get_data(as_text=True)
    assert fingerprint(open_store(location)) == before
    r = _upload(faskel, good, lenient=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="unduh-ditolak"' in page
    assert re.search(r'id="baris-disimpan">1<', page) and re.search(r'id="baris-ditolak">1<', page)
    store = open_store(location)
    codes = set(store.read("kolaborasi")["kode_kegiatan"])
    assert "WEB-001" in codes and "WEB-002" not in codes
    last = store.audit().iloc[-1]
    assert last["pengguna"] == "faskel" and last["perintah"].startswith("web: unggah kolaborasi")
    r = _upload(faskel, good, layer="baseline")
    assert r.status_code == 403


def test_upload_modes_by_role(app, location, kelurahan, tmp_path, fingerprint):
    """A Korkot's upload replaces the stored rows of the same key (the others stay); a
    facilitator's too, but only rows lying in their kelurahan; only the Pokja replaces a
    whole layer, and the page lists what went. The history names the logged-in user."""
    korkot, faskel, pokja = (as_user(app, n) for n in ("korkot", "faskel", "pokja"))
    forms = {n: c.get("/ubah/unggah").get_data(as_text=True)
             for n, c in (("faskel", faskel), ("korkot", korkot), ("pokja", pokja))}  # fmt: skip
    assert 'id="unggah-ganti-layer"' in forms["pokja"]
    assert 'id="unggah-ganti-layer"' not in forms["korkot"] + forms["faskel"]
    assert not re.search(r'id="unggah-tambah" checked', forms["korkot"] + forms["faskel"])
    works = _works(location, kelurahan, tmp_path / "kegiatan.geojson")
    stored = len(open_store(location).read("kolaborasi"))
    before = fingerprint(open_store(location))
    r = _upload(korkot, works, append=False, replace_layer=True)
    assert r.status_code == 400 and "Pokja" in r.get_data(as_text=True)
    # the facilitator (first kelurahan) sends a work of theirs under the key of a stored
    # work of another kelurahan: replacing it is refused, nothing stored
    layer = open_store(location).read("kolaborasi")
    area = open_store(location).read("wilayah").set_index("kode_kel").loc[kelurahan[0]].geometry
    other = layer[~layer.geometry.intersects(area)].iloc[0]["kode_kegiatan"]
    mine = gpd.read_file(works).iloc[[0]].assign(kode_kegiatan=other)
    mine.to_file(tmp_path / "bukan.geojson", driver="GeoJSON")
    r = _upload(faskel, tmp_path / "bukan.geojson", append=False)
    assert r.status_code == 400 and "di luar wilayah Anda" in r.get_data(as_text=True)
    assert other in r.get_data(as_text=True)
    assert fingerprint(open_store(location)) == before
    # ... their own work, added and then corrected by key
    own = gpd.read_file(works).iloc[[0]].assign(kode_kegiatan="WEB-F01")
    own.to_file(tmp_path / "milik.geojson", driver="GeoJSON")
    assert _upload(faskel, tmp_path / "milik.geojson").status_code == 200  # added
    own.assign(nilai_rp=30_000_000).to_file(tmp_path / "milik.geojson", driver="GeoJSON")
    r = _upload(faskel, tmp_path / "milik.geojson", append=False)
    assert r.status_code == 200 and re.search(r'id="baris-diganti">1<', r.get_data(as_text=True))
    layer = open_store(location).read("kolaborasi").set_index("kode_kegiatan")
    assert layer.loc["WEB-F01", "nilai_rp"] == 30_000_000
    assert list_writes(open_store(location))[-1].pengguna == "faskel"
    stored = len(layer)

    assert _upload(korkot, works).status_code == 200  # added: two new works
    frame = gpd.read_file(works)
    frame["nilai_rp"] = [1, 2]
    frame.iloc[[0]].to_file(tmp_path / "ralat.geojson", driver="GeoJSON")
    r = _upload(korkot, tmp_path / "ralat.geojson", append=False)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="mode-unggah">ganti per kunci<' in page
    assert re.search(r'id="baris-diganti">1<', page) and re.search(r'id="baris-ditambah">0<', page)
    assert re.search(rf'id="baris-tetap">{stored + 1}<', page)
    layer = open_store(location).read("kolaborasi").set_index("kode_kegiatan")
    assert len(layer) == stored + 2 and layer.loc["WEB-001", "nilai_rp"] == 1
    writes = list_writes(open_store(location))
    assert writes[-1].pengguna == "korkot" and writes[-1].changes[0].replaced == 1

    r = _upload(pokja, tmp_path / "ralat.geojson", append=False, replace_layer=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="mode-unggah">ganti seluruh layer<' in page
    assert re.search(rf'id="baris-dihapus">{stored + 1}<', page)
    gone = re.search(r'id="kunci-hilang">([^<]*)<', page).group(1)  # the first 50, then a count
    assert "KLB-" in gone and gone.endswith(f"(+{stored + 1 - 50})")
    assert list(open_store(location).read("kolaborasi")["kode_kegiatan"]) == ["WEB-001"]
    assert list_writes(open_store(location))[-1].pengguna == "pokja"


def test_no_secret_in_the_audit_or_the_history_and_restore_leaves_logins(team, kelurahan,
                                                                         tmp_path):  # fmt: skip
    """Every write on both backends keeps the password hashes and the session key out of the
    audit's old and new values and out of the history; a restore brings back the city's
    data and leaves the logins and the key as they are."""
    store = open_store(team)
    add_user(store, "pokja", "pokja", PASSWORD + "-baru", replace=True, command="test: sandi")
    key = session_secret(store)
    state = list_writes(store)[-1].number
    audit = store.audit()
    assert (audit["layer"] == USERS_TABLE).sum() == len(ROLES) + 1
    values = " ".join(audit[["lama", "baru"]].fillna("").astype(str).sum())
    assert "pokja" in values and "rahasia" not in values and "argon2" not in values
    history = store.history(data=True)
    assert USERS_TABLE not in set(history["nama"])
    for entry in history[history["jenis"] == "meta"].to_dict("records"):
        assert not any(k.startswith("rahasia_") for k in json.loads(bytes(entry["data"])))

    works = gpd.read_file(_works(team, kelurahan, tmp_path / "kegiatan.geojson"))
    store.write("kolaborasi", works, mode="replace_key", command="test: kegiatan")
    add_user(store, "baru", "viewer", PASSWORD, command="test: pengguna baru")
    hashes = store.read_table(USERS_TABLE).set_index("nama")["rahasia_sandi"]
    restore_project(store, state, user="pokja")
    assert "WEB-001" not in set(store.read("kolaborasi")["kode_kegiatan"])
    assert store.read_table(USERS_TABLE).set_index("nama")["rahasia_sandi"].equals(hashes)
    assert store.meta()[SESSION_KEY] == key
    last = list_writes(store)[-1]
    assert last.pengguna == "pokja" and last.perintah == "kumuhgis restore"


def test_override_with_reason_history_and_conflict(app, location):
    kode = kode_of(location)
    first, second = as_user(app, "korkot"), as_user(app, "pokja")
    forms = [
        c.get(f"/kolaborasi?ubah={kode}&semua=1").get_data(as_text=True) for c in (first, second)
    ]
    versi = [re.search(r'name="versi" value="(\d+)"', f).group(1) for f in forms]
    assert versi == ["0", "0"]
    r = first.post("/kolaborasi/status", data={"csrf_token": token(first), "kode_kegiatan": kode,
                   "status": "luar", "alasan": "Dicek di lapangan: di luar delineasi",
                   "versi": versi[0]})  # fmt: skip
    assert r.status_code == 303
    mine = "Menurut foto udara kegiatan ini di dalam"
    r = second.post("/kolaborasi/status", data={"csrf_token": token(second), "kode_kegiatan": kode,
                    "status": "dalam", "alasan": mine, "versi": versi[1]})  # fmt: skip
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and 'id="konflik"' in page
    assert "Dicek di lapangan" in page and "korkot" in page  # the current value, and who
    assert mine in page and 'name="versi" value="1"' in page  # the input is kept, now on v1
    table = history(location)
    assert list(table["oleh"]) == ["korkot"] and list(table["status_manual"]) == ["luar"]
    r = second.post("/kolaborasi/status", data={"csrf_token": token(second), "kode_kegiatan": kode,
                    "status": "dalam", "alasan": mine, "versi": "1"})  # fmt: skip
    assert r.status_code == 303
    page = second.get("/kolaborasi?semua=1").get_data(as_text=True)
    rows = re.search(r'id="tabel-riwayat-status">(.*?)</table>', page, re.S).group(1)
    assert rows.index(mine) < rows.index("Dicek di lapangan")  # newest first
    assert open_store(location).audit().iloc[-1]["pengguna"] == "pokja"
    r = second.post("/kolaborasi/status", data={"csrf_token": token(second), "kode_kegiatan": kode,
                    "status": "luar", "alasan": "  ", "versi": "2"})  # fmt: skip
    assert r.status_code == 400 and 'id="galat-status"' in r.get_data(as_text=True)


def test_two_writers_on_one_version_one_wins(location):
    """The version check and the write are one transaction: of two decisions made on the
    same version at the same moment exactly one is stored."""
    store, kode = open_store(location), kode_of(location, 1)
    outcomes: list = []
    barrier = threading.Barrier(2)

    def decide(who: str):
        barrier.wait()
        try:
            set_override(store, kode, "batas", alasan=f"oleh {who}", oleh=who, expected_version=0)
            outcomes.append("ok")
        except ConflictError as exc:
            outcomes.append(exc.version)

    threads = [threading.Thread(target=decide, args=(w,)) for w in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(map(str, outcomes)) == ["1", "ok"]
    assert len(history(location)) == 1


def test_memorandum_lines_and_conflict(app, location):
    pokja, other = as_user(app, "pokja"), as_user(app, "pokja")
    kawasan = str(open_store(location).read("delineasi")["kode_kawasan"].iloc[0])
    line = {"kode_kawasan": kawasan, "kegiatan": "Perbaikan drainase", "kriteria": "4b",
            "volume": "120", "satuan": "m", "biaya_satuan_rp": "1.500.000", "biaya_rp": "180.000.000",
            "tahun": "2025", "sumber_dana": "APBD Kab/Kota"}  # fmt: skip
    r = pokja.post("/ubah/memorandum", data={"csrf_token": token(pokja), "aksi": "tambah", **line})
    assert r.status_code == 303
    bad = {**line, "kode_kawasan": "TIDAK-ADA", "tahun": "dua ribu"}
    r = pokja.post("/ubah/memorandum", data={"csrf_token": token(pokja), "aksi": "tambah", **bad})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "TIDAK-ADA" in page and "dua ribu" in page  # input kept
    stored = open_store(location).read_table("memorandum_program")
    n = len(stored)
    index = n - 1
    assert stored["biaya_rp"].iloc[index] == 180_000_000
    page = pokja.get(f"/ubah/memorandum?baris={index}").get_data(as_text=True)
    versi = re.search(r'name="versi" value="([0-9a-f]+)"', page).group(1)
    other_page = other.get(f"/ubah/memorandum?baris={index}").get_data(as_text=True)
    r = other.post("/ubah/memorandum", data={"csrf_token": TOKEN.search(other_page).group(1),
                   "aksi": "ubah", "baris": index, "versi": versi, **{**line, "volume": "150",
                   "biaya_rp": "225.000.000"}})  # fmt: skip
    assert r.status_code == 303
    r = pokja.post("/ubah/memorandum", data={"csrf_token": token(pokja), "aksi": "ubah",
                   "baris": index, "versi": versi, **{**line, "volume": "90"}})  # fmt: skip
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and 'id="konflik"' in page and 'value="90"' in page
    assert open_store(location).read_table("memorandum_program")["volume"].iloc[index] == 150
    page = pokja.get(f"/ubah/memorandum?baris={index}").get_data(as_text=True)
    versi = re.search(r'name="versi" value="([0-9a-f]+)"', page).group(1)
    r = pokja.post("/ubah/memorandum", data={"csrf_token": token(pokja), "aksi": "hapus",
                   "baris": index, "versi": versi})  # fmt: skip
    assert r.status_code == 303
    assert len(open_store(location).read_table("memorandum_program")) == n - 1
    assert open_store(location).audit().iloc[-1]["perintah"] == "web: memorandum"


def test_targets_and_conflict(app, location):
    pokja, other = as_user(app, "pokja"), as_user(app, "pokja")
    page = pokja.get("/ubah/target").get_data(as_text=True)
    versi = re.search(r'name="versi" value="([^"]*)"', page).group(1)
    r = other.post("/ubah/target", data={"csrf_token": token(other), "versi": versi,
                   "tahun": ["2024", "2025"], "ha": ["10,5", "-"]})  # fmt: skip
    assert r.status_code == 400  # "-" is not a number of hectares: the input is kept
    assert 'value="10,5"' in r.get_data(as_text=True)
    r = other.post("/ubah/target", data={"csrf_token": token(other), "versi": versi,
                   "tahun": ["2024", "2025"], "ha": ["10,5", "12"]})  # fmt: skip
    assert r.status_code == 303
    assert open_store(location).settings()["target_pengurangan_ha"] == {2024: 10.5, 2025: 12.0}
    r = pokja.post("/ubah/target", data={"csrf_token": token(pokja), "versi": versi,
                   "tahun": ["2024"], "ha": ["99"]})  # fmt: skip
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and 'value="99"' in page and "10.5 ha" in page
    with pytest.raises(UsageError):
        from kumuhgis.ingest.project import check_targets

        check_targets({"1800": 3})
