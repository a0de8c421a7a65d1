"""The PostGIS store against a real PostgreSQL + PostGIS cluster (conftest.py
``postgres_server``): URLs, types as in a GeoPackage, the audit's old and new values,
readers during a write, ``kumuhgis db init`` / ``db copy`` and a lossless round trip of the
demo, the golden outputs computed from a database, and a ``kumuhgis import`` killed with
SIGKILL half-way through its write."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import box
from test_golden import API_RUNS, CLI_RUNS, STORE, Normaliser, load_golden, read_output

from app import create_app
from kumuhgis.cli import main
from kumuhgis.core.errors import ProjectNotFoundError, StoreError, UsageError
from kumuhgis.store import create_store, open_store
from kumuhgis.store.database import DatabaseLocation
from kumuhgis.store.transfer import COPY_META_KEYS

_WRITTEN_BY_EACH_WRITE = ("updated_at", "kumuhgis_version", *COPY_META_KEYS)


def _rt(n: int, start: int = 0) -> gpd.GeoDataFrame:
    d = 0.0009
    return gpd.GeoDataFrame(
        {
            "kode_rt": [f"RT{i:05d}" for i in range(start, start + n)],
            "rt": [f"{i % 10 + 1:03d}" for i in range(start, start + n)],
            "rw": ["001"] * n,
            "kode_kel": ["6202061007"] * n,
        },
        geometry=[
            box(112.95 + (i % 100) * d, -2.54 + (i // 100) * d,
                112.95 + (i % 100 + 1) * d, -2.54 + (i // 100 + 1) * d)
            for i in range(start, start + n)
        ],
        crs="EPSG:4326",
    )  # fmt: skip


def assert_same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Exactly the same: columns, dtypes, values, CRS and geometry WKB."""
    assert list(a.columns) == list(b.columns)
    assert dict(a.dtypes.astype(str)) == dict(b.dtypes.astype(str))
    assert isinstance(a, gpd.GeoDataFrame) == isinstance(b, gpd.GeoDataFrame)
    if isinstance(a, gpd.GeoDataFrame):
        assert a.crs == b.crs
        wkb = [shapely.to_wkb(f.geometry.values).tolist() for f in (a, b)]
        assert wkb[0] == wkb[1]
        a, b = (
            pd.DataFrame(a.drop(columns=a.geometry.name)),
            pd.DataFrame(b.drop(columns=b.geometry.name)),
        )
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def assert_same_project(a, b) -> None:
    """Two stores hold the same project: layers, tables, settings, meta, audit."""
    assert a.layers() == b.layers() and a.tables() == b.tables()
    for layer in a.layers():
        assert_same_frame(a.read(layer), b.read(layer))
    for name in a.tables():
        assert_same_frame(a.read_table(name), b.read_table(name))
    assert a.settings() == b.settings()
    meta = [{k: v for k, v in s.meta().items() if k not in _WRITTEN_BY_EACH_WRITE} for s in (a, b)]
    assert meta[0] == meta[1]


# --------------------------------------------------------------------------- URLs, errors


def test_url_names_database_and_schema_and_hides_the_password():
    where = DatabaseLocation.parse("postgresql://pokja:rahasia@db.kota:5433/kotaku?schema=sampit")
    assert where.schema == "sampit"
    assert "rahasia" not in where.shown and "***" in where.shown
    assert where.url == "postgresql+psycopg://pokja:rahasia@db.kota:5433/kotaku"
    assert DatabaseLocation.parse("postgres://localhost/kotaku").schema == "kumuhgis"
    for bad in (
        "postgresql://localhost/kotaku?schema=Bad-Name",
        "postgresql://localhost",
        "x.gpkg",
    ):
        with pytest.raises(UsageError):
            DatabaseLocation.parse(bad)


def test_missing_project_and_unreachable_server_are_told_apart(pg_url):
    with pytest.raises(ProjectNotFoundError, match="db init"):
        open_store(pg_url)
    with pytest.raises(StoreError, match="(?i)tidak bisa terhubung"):
        open_store("postgresql://postgres@127.0.0.1:9/kumuhgis_test?connect_timeout=2")
    assert main(["summary", pg_url]) == 2  # a missing project is a usage error


def test_a_schema_holding_other_tables_is_not_taken_over(pg_url):
    import psycopg

    where = DatabaseLocation.parse(pg_url)
    with psycopg.connect(where.url.replace("+psycopg", ""), autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {where.schema}")
        con.execute(f"CREATE TABLE {where.schema}.data_lain (x int)")
    with pytest.raises(ProjectNotFoundError):
        open_store(pg_url)
    with pytest.raises(UsageError, match="tabel lain"):
        create_store(pg_url)
    with psycopg.connect(where.url.replace("+psycopg", "")) as con:
        tables = con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", [where.schema]
        ).fetchall()
    assert tables == [("data_lain",)]


# --------------------------------------------------------------------------- types, audit


def test_project_tables_read_back_with_the_types_a_geopackage_gives(pg_url, tmp_path):
    frame = pd.DataFrame(
        {
            "teks": ["a", None, "Ç ü"], "kosong": [None, None, None], "i64": [1, 2, 3],
            "i32": np.array([1, 2, 3], dtype="int32"), "i16": np.array([1, 2, 3], dtype="int16"),
            "n64": pd.array([1, None, 3], dtype="Int64"), "f": [1 / 3, np.nan, 1e-300],
            "f32": np.array([1.5, 2, 3], dtype="float32"), "b": [True, False, True],
            "dt": pd.to_datetime(["2024-01-01 10:00:00", "2024-01-02", None], format="mixed"),
        }
    )  # fmt: skip
    spatial = gpd.GeoDataFrame({"k": ["x", "y"]}, geometry=[box(0, 0, 1, 1), None], crs=32749)
    stores = [create_store(tmp_path / "a.gpkg"), create_store(pg_url)]
    for s in stores:
        s.write_table("campuran", frame, command="test")
        s.write_table("berpeta", spatial, command="test")
    assert_same_frame(stores[0].read_table("campuran"), stores[1].read_table("campuran"))
    assert_same_frame(stores[0].read_table("berpeta"), stores[1].read_table("berpeta"))
    assert stores[1].tables() == ["campuran", "berpeta"]


def test_audit_keeps_user_and_the_old_and_new_values_of_changed_rows(pg_url, monkeypatch):
    monkeypatch.setenv("KUMUHGIS_USER", "korkot.sampit")
    store = create_store(pg_url, settings={"target_pengurangan_ha": {2019: 10.0}})
    store.write("rt", _rt(4), command="kumuhgis import")
    changed = _rt(5).drop(index=[3])  # RT00003 removed, RT00004 added ...
    changed.loc[0, "rw"] = "009"  # ... and RT00000 changed
    v0 = store.version()
    store.write("rt", changed, command="kumuhgis import lagi", source="rt.shp")
    assert store.version() != v0
    last = store.audit().iloc[-1]
    assert (last["pengguna"], last["perintah"], last["sumber"]) == (
        "korkot.sampit",
        "kumuhgis import lagi",
        "rt.shp",
    )
    lama, baru = json.loads(last["lama"]), json.loads(last["baru"])
    assert [r["kode_rt"] for r in lama] == ["RT00000", "RT00003"]
    assert [(r["kode_rt"], r["rw"]) for r in baru] == [("RT00000", "009"), ("RT00004", "001")]
    assert shapely.from_wkt(baru[1]["geometry"]).equals(changed.geometry.iloc[-1])
    store.save_settings({"target_pengurangan_ha": {2019: 12.5}}, command="settings")
    last = store.audit().iloc[-1]
    assert json.loads(last["lama"]) == {"target_pengurangan_ha": {"2019": 10.0}}
    assert json.loads(last["baru"]) == {"target_pengurangan_ha": {"2019": 12.5}}
    store.write("rt", _rt(2, start=100), mode="append", command="append")
    last = store.audit().iloc[-1]
    assert pd.isna(last["lama"]) and len(json.loads(last["baru"])) == 2


def test_readers_see_the_last_committed_project_during_a_write(pg_url):
    store = create_store(pg_url)
    store.write("rt", _rt(3), command="test")
    with store.transaction(command="test") as tx:
        tx.write("rt", _rt(7))
        reader = open_store(pg_url)  # another connection: not blocked, sees the old rows
        assert len(reader.read("rt")) == 3
    assert len(open_store(pg_url).read("rt")) == 7


# --------------------------------------------------------------------------- db init / copy


@pytest.fixture(scope="module")
def city_project(demo_project, tmp_path_factory):
    """The demo with both project tables filled through the real commands: the memorandum
    program imported from its workbook (``memorandum-import``) and one Korkot override
    (``kolaborasi-override``)."""
    from kumuhgis.analysis.rp2kpkp import build_annex
    from kumuhgis.outputs.annex_workbook import write_memorandum_workbook
    from kumuhgis.store.snapshot import load_snapshot

    work = tmp_path_factory.mktemp("kota")
    path = work / "kota.gpkg"
    shutil.copyfile(demo_project, path)
    memo = write_memorandum_workbook(build_annex(load_snapshot(open_store(path))), work / "m.xlsx")
    assert main(["memorandum-import", str(path), str(memo)]) == 0
    kode = open_store(path).read("kolaborasi")["kode_kegiatan"].iloc[0]
    argv = ["kolaborasi-override", str(path), kode, "--status", "dalam", "--alasan", "GPS meleset"]
    assert main(argv) == 0
    return path


def test_db_init_then_copy_there_and_back_is_lossless(city_project, pg_url, tmp_path, capsys):
    assert main(["db", "init", pg_url, "--kota", "Sampit"]) == 0
    assert main(["db", "init", pg_url]) == 2  # an existing project is never touched
    assert main(["db", "copy", str(city_project), pg_url]) == 0  # into the empty project
    back = tmp_path / "kembali.gpkg"
    assert main(["db", "copy", pg_url, str(back)]) == 0
    src, db, dst = open_store(city_project), open_store(pg_url), open_store(back)
    assert src.tables() == ["memorandum_program", "kolaborasi_status"]
    assert_same_project(src, db)  # the database reads exactly as the file
    assert_same_project(src, dst)
    assert len(src.read("sk_kumuh")["no_sk"].unique()) >= 2  # every SK version
    assert_same_frame(src.audit(), dst.audit())
    assert_same_frame(src.audit(), db.audit())  # old and new values on both backends
    assert db.meta()["disalin_dari"] == str(city_project)
    out = capsys.readouterr().out
    assert "memorandum_program" in out and "audit" in out


def test_database_history_survives_a_copy_through_a_geopackage(pg_url, postgres_server, tmp_path):
    store = create_store(pg_url, kota="Sampit")
    store.write("rt", _rt(3), command="a")
    store.write("rt", _rt(4), command="b")
    store.write_table("kolaborasi_status", pd.DataFrame({"kode_kegiatan": ["K1"], "oleh": ["x"]}))
    gpkg, again = tmp_path / "salinan.gpkg", f"{postgres_server}?schema=lagi_{os.getpid()}"
    assert main(["db", "copy", pg_url, str(gpkg)]) == 0
    assert main(["db", "copy", str(gpkg), again]) == 0
    assert_same_project(store, open_store(again))
    assert_same_frame(store.audit(), open_store(again).audit())  # old and new values too
    assert open_store(gpkg).audit()["baru"].notna().sum() == 3


def test_copy_refuses_a_destination_with_data_unless_overwrite(city_project, pg_url, tmp_path):
    assert main(["db", "copy", str(city_project), pg_url]) == 0
    fresh = create_store(tmp_path / "lain.gpkg")
    fresh.write("rt", _rt(2), command="x")
    assert main(["db", "copy", str(fresh.path), pg_url]) == 2
    assert len(open_store(pg_url).read("rt")) > 2
    assert main(["db", "copy", str(fresh.path), pg_url, "--overwrite"]) == 0
    assert open_store(pg_url).layers() == ["rt"] and open_store(pg_url).tables() == []
    assert main(["db", "copy", pg_url, pg_url]) == 2
    assert main(["db", "init", str(tmp_path / "x.gpkg")]) == 2
    assert main(["db", "copy", pg_url, str(tmp_path / "x.sqlite")]) == 2


def test_import_creates_a_database_project_and_every_store_command_takes_a_url(
    pg_url, tmp_path, capsys
):
    src = tmp_path / "rt.gpkg"
    pyogrio.write_dataframe(_rt(6), src, layer="rt")
    assert main(["import", pg_url, "rt", str(src)]) == 0
    assert "6 disimpan" in capsys.readouterr().out
    assert main(["layers", pg_url, "--audit"]) == 0
    assert main(["settings", pg_url, "--set", "kota_label=Sampit"]) == 0
    assert open_store(pg_url).settings()["kota_label"] == "Sampit"
    audit = open_store(pg_url).audit()
    assert audit["perintah"].str.startswith("kumuhgis").all()


# --------------------------------------------------------------------------- golden outputs


def _run(argv: list[str], work: Path) -> tuple[int, str]:
    out = io.StringIO()
    with (
        contextlib.chdir(work),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        code = main(argv)
    return code, out.getvalue()


@pytest.mark.slow
def test_outputs_from_a_database_copy_equal_the_golden_recordings(
    demo_project, pg_url, tmp_path, monkeypatch
):
    """Every command and API answer of the golden test, run on a database copy of the demo,
    gives the files, printed figures and answers recorded from the GeoPackage
    (tests/golden/, see test_golden.py)."""
    for var in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "KUMUHGIS_LANG", "LINES"):
        monkeypatch.delenv(var, raising=False)
    for var, value in {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}.items():
        monkeypatch.setenv(var, value)
    assert main(["db", "copy", str(demo_project), pg_url]) == 0
    n = Normaliser(tmp_path)
    for name, (argv, files) in CLI_RUNS.items():
        for f in files:
            (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        n.note_today()
        code, out = _run([pg_url if a == STORE else a for a in argv], tmp_path)
        assert code == 0, name
        expected = load_golden(name)
        if name != "rp2kpkp":  # it prints its run time
            assert n.lines(out) == expected["stdout"], name
        for f in files:
            assert read_output(tmp_path / f, n) == expected["files"][f], f"{name}: {f}"
    # anonymous reading is off by default for a database (issue 15): this compares outputs
    app = create_app({"STORE": pg_url, "TESTING": True, "ANONYMOUS_READ": True})
    with app.test_client() as client:
        for name, urls in API_RUNS.items():
            expected = load_golden(name)["requests"]
            for url in urls:
                resp = client.get(url)
                assert resp.status_code == expected[url]["status"], url
                if "/api/tiles/" not in url:
                    body = n.value(json.loads(resp.get_data(as_text=True)))
                    assert body == expected[url]["body"], url
        resp = client.get("/unduh/proyek.gpkg")  # a database project downloads as a GeoPackage
        assert resp.status_code == 200 and resp.data[:16] == b"SQLite format 3\x00"


# --------------------------------------------------------------------------- kill -9


def _writing_rt(url: str, schema: str) -> bool:
    """Whether another session holds a write lock on the project's ``rt`` table."""
    import psycopg

    with psycopg.connect(DatabaseLocation.parse(url).url.replace("+psycopg", "")) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND "
            "c.relname = 'rt' AND l.mode IN ('RowExclusiveLock', 'AccessExclusiveLock') "
            "AND l.pid <> pg_backend_pid()",
            [schema],
        ).fetchone()
    return bool(row[0])


def test_import_killed_during_its_write_leaves_the_database_as_before(
    pg_url, tmp_path, fingerprint
):
    """``kumuhgis import`` of a big file is killed (SIGKILL) once it writes into the open
    transaction: the database is exactly as before, and the next import works."""
    store = create_store(pg_url, kota="Sampit")
    store.write("rt", _rt(50), command="awal")
    big = tmp_path / "rt_besar.gpkg"
    pyogrio.write_dataframe(_rt(20000, start=1000), big, layer="rt")
    before, rows = fingerprint(store), store.read("rt")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    code = "import sys; from kumuhgis.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", code, "import", pg_url, "rt", str(big)], env=env)
    try:
        deadline = time.time() + 300
        while (
            proc.poll() is None and time.time() < deadline and not _writing_rt(pg_url, store.schema)
        ):
            time.sleep(0.005)
        assert proc.poll() is None, "the import ended before it was seen writing"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert fingerprint(store) == before
    assert_same_frame(open_store(pg_url).read("rt"), rows)
    small = tmp_path / "rt_kecil.gpkg"
    pyogrio.write_dataframe(_rt(5, start=90000), small, layer="rt")
    assert main(["import", pg_url, "rt", str(small), "--append"]) == 0
    assert len(open_store(pg_url).read("rt")) == 55
