"""The project store on both backends (a GeoPackage file, a PostGIS database): layers,
settings, audit, and all-or-nothing writes. Every test taking ``location`` or ``store``
runs on both; the database is a real PostgreSQL + PostGIS cluster (conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from kumuhgis.core.errors import StoreError, UsageError
from kumuhgis.core.schema import LAYERS, VOLUME_COLUMNS
from kumuhgis.store import SCHEMA_VERSION, Store, create_store, open_store


def _rt(n: int, start: int = 0) -> gpd.GeoDataFrame:
    """n RT squares of ~1 ha near Sampit."""
    d = 0.0009
    geoms = [box(112.95 + (i % 20) * d, -2.54 + (i // 20) * d, 112.95 + (i % 20 + 1) * d, -2.54 + (i // 20 + 1) * d) for i in range(start, start + n)]  # fmt: skip
    return gpd.GeoDataFrame(
        {
            "kode_rt": [f"RT{i:05d}" for i in range(start, start + n)],
            "rt": [f"{i % 10 + 1:03d}" for i in range(start, start + n)],
            "rw": ["001"] * n,
            "kode_kel": ["6202061007"] * n,
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


def _baseline(codes, tahun=2016) -> pd.DataFrame:
    df = pd.DataFrame({"kode_rt": list(codes), "tahun": tahun, "luas_ha": 1.0, "jumlah_bangunan": 50,
                       "jumlah_penduduk": 200, "jumlah_kk": 60, "panjang_jalan_ideal_m": 400.0,
                       "panjang_drainase_ideal_m": 300.0})  # fmt: skip
    for v in VOLUME_COLUMNS:
        df[v] = 1.0
    return df


@pytest.fixture(params=["gpkg", "postgis"])
def location(request, tmp_path):
    """Where a new project goes: a .gpkg path, or a schema of the test cluster."""
    if request.param == "gpkg":
        return str(tmp_path / "kota.gpkg")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(location):
    s = create_store(
        location,
        kota="Kab. Kotawaringin Timur",
        settings={"target_pengurangan_ha": {2019: 103.95}},
    )
    s.write("rt", _rt(120), command="test")
    s.write("baseline", _baseline(_rt(120)["kode_rt"]), command="test")
    return s


def test_create_records_schema_version_city_and_settings(location):
    s = create_store(location, kota="Sampit", settings={"x": 1})
    assert isinstance(s, Store)
    meta = open_store(location).meta()
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert meta["kota"] == "Sampit"
    assert s.settings() == {"x": 1}
    assert s.layers() == []
    # an absent layer reads as an empty frame with the schema's columns
    empty = s.read("kolaborasi")
    assert len(empty) == 0 and set(LAYERS["kolaborasi"].required) <= set(empty.columns)
    assert empty.crs.to_epsg() == 4326


def test_create_refuses_existing_and_non_gpkg(location, tmp_path):
    create_store(location)
    with pytest.raises(UsageError):
        create_store(location)
    with pytest.raises(UsageError):
        create_store(tmp_path / "a.sqlite")


def test_open_refuses_missing_and_foreign_files(tmp_path):
    with pytest.raises(StoreError, match="tidak ditemukan"):
        open_store(tmp_path / "none.gpkg")
    foreign = tmp_path / "foreign.gpkg"
    pyogrio.write_dataframe(_rt(2), foreign, layer="rt")
    with pytest.raises(StoreError, match="bukan proyek kumuhgis"):
        open_store(foreign)


def test_read_replace_append_roundtrip(store):
    rt = store.read("rt")
    assert len(rt) == 120 and rt.crs.to_epsg() == 4326
    assert rt.geometry.geom_type.unique().tolist() == ["MultiPolygon"]
    assert rt["kode_rt"].iloc[0] == "RT00000"  # text ids keep leading zeros
    store.write("rt", _rt(10, start=500), mode="append", command="test")
    assert len(store.read("rt")) == 130
    store.write("rt", _rt(5), mode="replace", command="test")
    assert store.read("rt")["kode_rt"].tolist() == [f"RT{i:05d}" for i in range(5)]
    base = store.read("baseline")
    assert str(base["tahun"].dtype) == "Int64" and base["v_2b"].dtype == "float64"
    assert store.layers() == ["rt", "baseline"]


def test_append_refuses_existing_ids(store, fingerprint):
    before = fingerprint(store)
    with pytest.raises(StoreError, match="sudah ada"):
        store.write("rt", _rt(3), mode="append", command="test")
    assert fingerprint(store) == before


def test_reprojects_to_storage_crs(location):
    s = create_store(location)
    utm = _rt(4).to_crs(32749)
    s.write("rt", utm, command="test")
    back = s.read("rt")
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].bounds[0] == pytest.approx(112.95, abs=1e-7)


def test_audit_records_every_write(store, monkeypatch):
    monkeypatch.setenv("KUMUHGIS_USER", "pokja.sampit")
    store.write(
        "rt",
        _rt(7),
        command="kumuhgis import kota.gpkg rt rt.shp",
        source="rt.shp",
        rows_in=9,
        rows_rejected=2,
    )
    audit = store.audit()
    assert len(audit) == 4  # create, rt, baseline, rt again
    last = audit.iloc[-1]
    assert last["perintah"] == "kumuhgis import kota.gpkg rt rt.shp"
    assert last["layer"] == "rt" and last["sumber"] == "rt.shp"
    assert (last["baris_masuk"], last["baris_disimpan"], last["baris_ditolak"]) == (9, 7, 2)
    assert last["pengguna"] == "pokja.sampit"
    assert pd.Timestamp(last["waktu"]).year >= 2024


def test_settings_saved_atomically_and_audited(store, location, fingerprint):
    s = store.settings()
    s["target_pengurangan_ha"][2020] = 50.5
    store.save_settings(s, command="settings")
    assert open_store(location).settings()["target_pengurangan_ha"] == {2019: 103.95, 2020: 50.5}
    assert store.audit().iloc[-1]["operasi"] == "settings"
    before = fingerprint(store)
    with pytest.raises(Exception):  # noqa: B017 - any serialisation error, nothing stored
        store.save_settings({"bad": object()})
    assert fingerprint(store) == before


def test_exception_half_way_leaves_store_byte_for_byte(store, fingerprint):
    """Rows are appended chunk by chunk; an exception after two chunks changes nothing."""
    before = fingerprint(store)
    version = store.version()
    rows_before = store.read("rt")
    audit_before = len(store.audit())
    big = _rt(300, start=1000)

    class Injected(RuntimeError):
        pass

    with pytest.raises(Injected), store.transaction(command="inject") as tx:
        tx.write("wilayah", gpd.GeoDataFrame({"kode_kel": ["1"], "kelurahan": ["K"], "kecamatan": ["C"], "kota": ["X"]}, geometry=[box(112.9, -2.6, 113, -2.5)], crs=4326))  # fmt: skip
        for i, start in enumerate(range(0, 300, 100)):
            tx.write("rt", big.iloc[start : start + 100], mode="append")
            if i == 1:  # 200 of 300 rows written into the working copy
                raise Injected("disk full")
    assert fingerprint(store) == before
    assert store.version() == version
    pd.testing.assert_frame_equal(store.read("rt"), rows_before)
    assert store.layers() == ["rt", "baseline"]
    assert len(store.audit()) == audit_before
    if hasattr(store, "path"):
        assert not list(store.path.parent.glob(".kota.gpkg.tmp-*"))


_CHILD = textwrap.dedent(
    """
    import sys, time, pathlib
    import geopandas as gpd
    from shapely.geometry import box
    from kumuhgis.store import open_store
    store = open_store(sys.argv[1])
    marker = pathlib.Path(sys.argv[2])
    n = 20000
    d = 0.0001
    rt = gpd.GeoDataFrame(
        {"kode_rt": [f"K{i}" for i in range(n)], "rt": ["001"] * n, "rw": ["001"] * n, "kode_kel": ["1"] * n},
        geometry=[box(112.9 + (i % 100) * d, -2.6 + (i // 100) * d, 112.9 + (i % 100 + 1) * d, -2.6 + (i // 100 + 1) * d) for i in range(n)],
        crs=4326,
    )
    with store.transaction(command="child") as tx:
        tx.write("rt", rt.iloc[:1000])
        marker.write_text("started")
        for start in range(1000, n, 1000):
            tx.write("rt", rt.iloc[start:start + 1000], mode="append")
        marker.write_text("finished")
        time.sleep(60)
    """
)


def test_killed_writer_leaves_store_unchanged_and_next_write_works(
    store, location, tmp_path, fingerprint
):
    """SIGKILL while a transaction has written 1000s of rows (a database: into the open
    transaction of a live server) leaves the project exactly as before."""
    before = fingerprint(store)
    rows_before = store.read("rt")
    marker = tmp_path / "marker"
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    proc = subprocess.Popen([sys.executable, str(script), location, str(marker)])
    try:
        deadline = time.time() + 120
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.01)
        assert marker.exists(), "child never started writing"
        time.sleep(0.3)  # let it get some chunks into the working copy
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert fingerprint(store) == before
    pd.testing.assert_frame_equal(store.read("rt"), rows_before)
    gpkg = hasattr(store, "path")
    # the killed writer's working copy is cleaned up at the next write, which succeeds
    assert not gpkg or list(store.path.parent.glob(".kota.gpkg.tmp-*"))
    store.write("rt", _rt(3, start=9000), mode="append", command="after-kill")
    assert len(store.read("rt")) == len(rows_before) + 3
    assert not gpkg or not list(store.path.parent.glob(".kota.gpkg.tmp-*"))


def test_extra_tables_are_atomic_and_audited(store):
    overrides = pd.DataFrame({"kode_kegiatan": ["K1"], "status_manual": ["dalam"], "alasan_manual": ["GPS meleset 15 m"],
                              "oleh": ["korkot"], "waktu": ["2026-11-23T10:00:00+00:00"]})  # fmt: skip
    assert store.read_table("kolaborasi_status") is None
    store.write_table("kolaborasi_status", overrides, command="override")
    store.write_table(
        "kolaborasi_status", overrides.assign(kode_kegiatan="K2"), mode="append", command="override"
    )
    back = store.read_table("kolaborasi_status")
    assert back["kode_kegiatan"].tolist() == ["K1", "K2"]
    assert store.audit().iloc[-1]["layer"] == "kolaborasi_status"
    assert "kolaborasi_status" not in store.layers()  # not one of the seven layers
    with pytest.raises(UsageError):
        store.write_table("rt", overrides)
    with pytest.raises(UsageError):
        store.write_table("kumuhgis_audit", overrides)


def test_newer_schema_refused_with_a_clear_message(location):
    s = create_store(location, kota="Sampit")
    with s.transaction(command="future") as tx:
        tx.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="lebih baru"):
        open_store(location)
