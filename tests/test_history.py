"""Imports replace by key, every write keeps the previous state, ``history`` lists the
writes and ``restore`` brings a project back (issue 13 item 3; contracts.md ``import``,
``history``, ``restore``). Every test taking ``location`` runs on a GeoPackage and on a real
PostgreSQL + PostGIS database (conftest.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box
from test_postgis import assert_same_frame

from kumuhgis.cli import main
from kumuhgis.core.errors import StoreError, UsageError
from kumuhgis.core.schema import LAYERS, VOLUME_COLUMNS
from kumuhgis.ingest.load import import_file
from kumuhgis.store import create_store, open_store
from kumuhgis.store.changes import row_hashes
from kumuhgis.store.history import HISTORY_TABLE
from kumuhgis.store.keys import merge_by_key, plan_write
from kumuhgis.store.restore import list_writes, restore_project
from kumuhgis.store.transfer import copy_project

_BOOKKEEPING = ("updated_at", "kumuhgis_version", "disalin_dari", "disalin_pada")


@pytest.fixture(params=["gpkg", "postgis"])
def location(request, tmp_path):
    if request.param == "gpkg":
        return str(tmp_path / "kota.gpkg")
    return request.getfixturevalue("pg_url")


def _rt(codes) -> gpd.GeoDataFrame:
    d = 0.0009
    return gpd.GeoDataFrame(
        {"kode_rt": list(codes), "rt": ["001"] * len(codes), "rw": ["001"] * len(codes),
         "kode_kel": ["6202061007"] * len(codes)},
        geometry=[box(112.95 + i * d, -2.54, 112.95 + (i + 1) * d, -2.54 + d) for i in range(len(codes))],
        crs="EPSG:4326",
    )  # fmt: skip


def _baseline(codes, tahun: int, kk: int = 60) -> pd.DataFrame:
    df = pd.DataFrame({"kode_rt": list(codes), "tahun": tahun, "luas_ha": 1.0, "jumlah_bangunan": 50,
                       "jumlah_penduduk": 200, "jumlah_kk": kk, "panjang_jalan_ideal_m": 400.0,
                       "panjang_drainase_ideal_m": 300.0})  # fmt: skip
    for v in VOLUME_COLUMNS:
        df[v] = 1.0
    return df


def _kolaborasi(codes, nilai: float = 1e8) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kode_kegiatan": list(codes), "nama_kegiatan": [f"Kegiatan {c}" for c in codes],
         "tahun": 2018, "sumber_dana": "APBD Kab/Kota", "nilai_rp": nilai, "kriteria": "2b",
         "volume": 100.0, "satuan": "m"},
        geometry=[Point(112.95 + i * 0.001, -2.54) for i in range(len(codes))],
        crs="EPSG:4326",
    )  # fmt: skip


def _sk(no_sk: str, kawasan) -> pd.DataFrame:
    return pd.DataFrame({"no_sk": no_sk, "tanggal_sk": "2016-08-22", "kode_kawasan": list(kawasan),
                         "nama_lokasi": [f"Kawasan {k}" for k in kawasan], "kelurahan": "Ketapang",
                         "kecamatan": "Mentawa Baru Ketapang", "luas_sk_ha": 5.0})  # fmt: skip


def _file(tmp_path, name: str, frame: pd.DataFrame) -> str:
    path = tmp_path / name
    if isinstance(frame, gpd.GeoDataFrame):
        pyogrio.write_dataframe(frame, path, layer=path.stem)
    else:
        frame.to_csv(path, index=False)
    return str(path)


def _state(store) -> dict:
    """Everything a restore must bring back: layers, project tables, settings, meta."""
    meta = {k: v for k, v in store.meta().items() if k not in _BOOKKEEPING}
    return {
        "layers": store.layers(),
        "tables": store.tables(),
        "frames": {n: store.read(n) for n in LAYERS} | {t: store.read_table(t) for t in store.tables()},
        "settings": store.settings(),
        "meta": meta,
    }  # fmt: skip


def assert_same_state(a: dict, b: dict) -> None:
    """Exactly the same project: every frame's values, dtypes, geometry WKB, row order."""
    assert (a["layers"], a["tables"]) == (b["layers"], b["tables"])
    assert a["frames"].keys() == b["frames"].keys()
    for name, frame in a["frames"].items():
        assert_same_frame(frame, b["frames"][name])
        assert (row_hashes(frame) == row_hashes(b["frames"][name])).all(), name
    assert a["settings"] == b["settings"] and a["meta"] == b["meta"]


# --------------------------------------------------------------------------- key rules
def test_a_2017_baseline_import_keeps_2016(location, tmp_path):
    """The issue's case: without --append, a new year's survey used to wipe the old ones."""
    rts = [f"RT{i:02d}" for i in range(6)]
    import_file(location, "rt", _file(tmp_path, "rt.gpkg", _rt(rts)))
    import_file(location, "baseline", _file(tmp_path, "b2016.csv", _baseline(rts, 2016)))
    out = import_file(location, "baseline", _file(tmp_path, "b2017.csv", _baseline(rts[:4], 2017)))
    assert (out.mode, out.rows_added, out.rows_replaced, out.rows_kept) == ("replace_key", 4, 0, 6)
    stored = open_store(location).read("baseline")
    assert stored.groupby("tahun").size().to_dict() == {2016: 6, 2017: 4}
    # the same year again, corrected: only its RT-years are replaced, in place
    again = _baseline(rts[1:3], 2017, kk=99)
    out = import_file(location, "baseline", _file(tmp_path, "b2017b.csv", again))
    assert (out.rows_added, out.rows_replaced, out.rows_kept, out.key) == (
        0,
        2,
        8,
        ("kode_rt", "tahun"),
    )
    stored = open_store(location).read("baseline")
    assert stored[["kode_rt", "tahun"]].astype(str).agg("-".join, axis=1).tolist() == [
        *(f"{r}-2016" for r in rts), *(f"{r}-2017" for r in rts[:4])]  # fmt: skip
    assert stored.loc[stored["tahun"] == 2017, "jumlah_kk"].tolist() == [60, 99, 99, 60]


@pytest.mark.parametrize(
    ("layer", "first", "second", "expected"),
    [
        ("kolaborasi", _kolaborasi(["K1", "K2", "K3"]), _kolaborasi(["K4", "K2"], 5e8),
         ["K1", "K2", "K3", "K4"]),
        ("rt", _rt(["R1", "R2", "R3"]), _rt(["R2", "R9"]), ["R1", "R2", "R3", "R9"]),
        ("sk_kumuh", pd.concat([_sk("SK-2016", ["A", "B"]), _sk("SK-2020", ["A", "C"])]),
         _sk("SK-2016", ["A", "B", "D"]), ["SK-2016:A", "SK-2016:B", "SK-2016:D", "SK-2020:A", "SK-2020:C"]),
    ],
)  # fmt: skip
def test_each_layer_replaces_by_its_key(location, tmp_path, layer, first, second, expected):
    suffix = "gpkg" if isinstance(first, gpd.GeoDataFrame) else "csv"
    import_file(location, layer, _file(tmp_path, f"a.{suffix}", first))
    out = import_file(location, layer, _file(tmp_path, f"b.{suffix}", second))
    stored = open_store(location).read(layer)
    if layer == "sk_kumuh":  # key no_sk: a decree's rows are replaced together
        assert (stored["no_sk"] + ":" + stored["kode_kawasan"]).tolist() == expected
        assert (out.rows_added, out.rows_replaced, out.rows_kept) == (0, 2, 2)
        return
    column = {"kolaborasi": "kode_kegiatan", "rt": "kode_rt"}[layer]
    assert stored[column].tolist() == expected
    assert (out.rows_added, out.rows_replaced, out.rows_kept, out.rows_removed) == (1, 1, 2, 0)
    if layer == "kolaborasi":
        assert stored.set_index(column)["nilai_rp"].to_dict() == {
            "K1": 1e8,
            "K2": 5e8,
            "K3": 1e8,
            "K4": 5e8,
        }


def test_infrastruktur_wilayah_and_delineasi_keys():
    """The other layers' keys, on frames: kode_infra, kode_kel, kode_kawasan (+ versi)."""
    infra = pd.DataFrame({"kode_infra": ["I1", "I2"], "jenis": ["jalan", "drainase"]})
    merged, change = plan_write(
        "infrastruktur", infra, infra.iloc[[1]].assign(jenis="sumur"), "replace_key"
    )
    assert merged["jenis"].tolist() == ["jalan", "sumur"] and change.kept == 1
    wil = pd.DataFrame({"kode_kel": ["6202061001", "6202061002"], "kelurahan": ["A", "B"]})
    merged, change = plan_write("wilayah", wil, wil.iloc[[0]].assign(kelurahan="A2"), "replace_key")
    assert merged["kelurahan"].tolist() == ["A2", "B"] and change.replaced == 1
    # delineasi: kode_kawasan and, where given, the version; no versi = the kawasan alone
    dl = pd.DataFrame(
        {"kode_kawasan": ["KWS-1", "KWS-2"], "versi": ["SK-2016", "SK-2016"], "tahun": 2016}
    )
    new = pd.DataFrame(
        {"kode_kawasan": ["KWS-2", "KWS-3"], "versi": ["SK-2016", None], "tahun": 2020}
    )
    merged, change = plan_write("delineasi", dl, new, "replace_key")
    assert merged["kode_kawasan"].tolist() == ["KWS-1", "KWS-2", "KWS-3"]
    assert merged["tahun"].tolist() == [2016, 2020, 2020] and (change.added, change.replaced) == (
        1,
        1,
    )
    no_version = pd.DataFrame({"kode_kawasan": ["KWS-3"], "tahun": 2021})  # a file without versi
    merged, change = plan_write("delineasi", merged, no_version, "replace_key")
    assert merged["tahun"].tolist() == [2016, 2020, 2021] and (change.replaced, change.kept) == (
        1,
        2,
    )


def test_merge_keeps_order_and_groups_and_never_changes_inputs():
    old = pd.DataFrame({"no_sk": ["A", "B", "A", "C"], "n": [1, 2, 3, 4]})
    new = pd.DataFrame({"no_sk": ["D", "A", "A", "A"], "n": [10, 11, 12, 13]})
    before = (old.copy(), new.copy())
    merged = merge_by_key(old, new, ("no_sk",))
    # A's three new rows take the place of A's first old row, D comes after the old rows
    assert merged["n"].tolist() == [11, 12, 13, 2, 4, 10]
    pd.testing.assert_frame_equal(old, before[0])
    pd.testing.assert_frame_equal(new, before[1])


def test_append_refuses_a_stored_key_and_leaves_the_store(location, tmp_path, fingerprint):
    import_file(location, "kolaborasi", _file(tmp_path, "a.gpkg", _kolaborasi(["K1", "K2"])))
    store = open_store(location)
    before = fingerprint(store)
    assert main(["import", location, "kolaborasi", _file(tmp_path, "b.gpkg", _kolaborasi(["K2"])),
                 "--append"]) == 2  # fmt: skip
    assert fingerprint(store) == before
    with pytest.raises(SystemExit) as usage:  # argparse: one or the other
        main(["import", location, "kolaborasi", _file(tmp_path, "c.gpkg", _kolaborasi(["K3"])),
              "--append", "--replace-layer"])  # fmt: skip
    assert usage.value.code == 2
    with pytest.raises(UsageError, match="tidak bisa bersama"):
        import_file(location, "kolaborasi", tmp_path / "c.gpkg", append=True, replace_layer=True)
    assert fingerprint(store) == before


def test_replace_layer_lists_what_goes_before_the_result(location, tmp_path, capsys):
    import_file(location, "rt", _file(tmp_path, "a.gpkg", _rt(["R1", "R2", "R3", "R4"])))
    heard = []
    out = import_file(location, "rt", _file(tmp_path, "b.gpkg", _rt(["R2", "R5"])),
                      replace_layer=True, on_plan=heard.append)  # fmt: skip
    assert heard and heard[0].removed_keys == ("R1", "R3", "R4")
    assert (out.rows_added, out.rows_replaced, out.rows_removed, out.rows_kept) == (1, 1, 3, 0)
    assert open_store(location).read("rt")["kode_rt"].tolist() == ["R2", "R5"]
    assert (
        main(["import", location, "rt", _file(tmp_path, "c.gpkg", _rt(["R7"])), "--replace-layer"])
        == 0
    )
    printed = capsys.readouterr().out
    listing = printed.index("2 baris lama pergi")
    assert "Kunci yang hilang (kode_rt): R2, R5" in printed
    assert listing < printed.index("1 ditambah, 0 diganti, 0 tetap, 2 dihapus")


def test_import_message_says_added_replaced_kept(tmp_path, capsys):
    project = str(tmp_path / "k.gpkg")
    rts = ["RT1", "RT2", "RT3"]
    assert (
        main(["import", project, "baseline", _file(tmp_path, "a.csv", _baseline(rts, 2016))]) == 0
    )
    assert main(["--lang", "en", "import", project, "baseline",
                 _file(tmp_path, "b.csv", _baseline(rts[:1], 2016, kk=7))]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "3 ditambah, 0 diganti, 0 tetap" in printed
    assert "replace by key kode_rt + tahun" in printed and "0 added, 1 replaced, 2 kept" in printed


# --------------------------------------------------------------------------- history, restore
@pytest.fixture
def city(demo_project, location):
    """The demo city in this test's own project (a copy of the session's file, or the same
    project copied into the database with its history)."""
    if location.endswith(".gpkg"):
        shutil.copyfile(demo_project, location)
        return open_store(location)
    copy_project(open_store(demo_project), location)
    return open_store(location)


def _several_writes(store, tmp_path) -> list[dict]:
    """Five writes of every kind through the real commands; the state after each."""
    where = store.location  # a file path, or the database URL (no password in tests)
    states = [_state(store)]
    base = store.read("baseline")
    b2017 = base[base["tahun"] == 2017].assign(jumlah_kk=lambda d: d["jumlah_kk"] + 1)
    assert main(["import", where, "baseline", _file(tmp_path, "b2017.csv", b2017)]) == 0
    states.append(_state(store))
    assert main(["settings", where, "--set", "target_pengurangan_ha.2019=50.5"]) == 0
    states.append(_state(store))
    kode = store.read("kolaborasi")["kode_kegiatan"].iloc[0]
    argv = ["kolaborasi-override", where, kode, "--status", "dalam", "--alasan", "GPS meleset"]
    assert main(argv) == 0  # a new project table
    states.append(_state(store))
    rt = store.read("rt").iloc[:50]
    assert main(["import", where, "rt", _file(tmp_path, "rt.gpkg", rt), "--replace-layer"]) == 0
    states.append(_state(store))
    return states


def test_restore_brings_back_every_listed_state_exactly(city, tmp_path):
    states = _several_writes(city, tmp_path)
    first = list_writes(city)[0].number
    assert [r.number for r in list_writes(city)] == list(range(first, first + 5))
    for back in (3, 0, 4, 1, 2):  # each state, in no particular order, all from the latest
        outcome = restore_project(city, first + back, command="test restore")
        assert outcome.number is not None or back == 4
        assert_same_state(_state(city), states[back])
    # the project table made by write 4 is gone when the state before it comes back
    restore_project(city, first + 2)
    assert "kolaborasi_status" not in city.tables() and city.read_table("kolaborasi_status") is None
    assert_same_state(_state(city), states[2])


def test_restore_of_a_restore_and_the_history_listing(city, tmp_path, capsys):
    states = _several_writes(city, tmp_path)
    first = list_writes(city)[0].number
    outcome = restore_project(city, first, command="kumuhgis restore kota --to 1")
    assert_same_state(_state(city), states[0])
    # the restore undone by a restore, from the command line
    assert main(["restore", city.location, "--to", str(outcome.number - 1)]) == 0
    assert f"--to {outcome.number}" in capsys.readouterr().out  # how to undo this one
    assert_same_state(_state(city), states[4])
    writes = list_writes(city)
    assert [w.number for w in writes][-2:] == [outcome.number, outcome.number + 1]
    restore_write = writes[-2]
    assert restore_write.perintah == "kumuhgis restore kota --to 1"
    assert restore_write.sources == (f"riwayat #{first}",)
    rt = next(c for c in restore_write.changes if c.name == "rt")
    assert (rt.rows_before, rt.rows_after) == (50, len(states[0]["frames"]["rt"]))
    settings = next(c for c in restore_write.changes if c.name == "kumuhgis_meta")
    assert settings.replaced == 1  # the settings text came back
    # history LAYER: the writes that changed the layer, with who, the command, the source
    baseline = list_writes(city, "baseline")
    imported = baseline[1]
    assert imported.sources[0].endswith("b2017.csv") and imported.pengguna
    assert imported.perintah.startswith("kumuhgis")  # the command line as typed (here: pytest's)
    (change,) = imported.changes
    assert change.replaced == change.rows_before - change.kept > 0 and change.added == 0
    assert main(["history", city.location, "baseline"]) == 0
    printed = capsys.readouterr().out
    assert f"baseline +0 ~{change.replaced} -0 ={change.kept}" in printed
    assert "b2017.csv" in printed and "dapat dipulihkan / restorable" in printed


def test_a_failed_restore_leaves_the_project_untouched(city, tmp_path, fingerprint):
    states = _several_writes(city, tmp_path)
    first = list_writes(city)[0].number
    before = fingerprint(city)
    with pytest.raises(UsageError, match="tidak ada di riwayat"):
        restore_project(city, first + 99)
    assert fingerprint(city) == before
    # a history that does not match the project (changed behind kumuhgis' back) is refused
    _damage_history(city, first + 4)
    before = fingerprint(city)
    with pytest.raises(StoreError, match="tidak cocok"):
        restore_project(city, first)
    assert fingerprint(city) == before
    assert_same_state(_state(city), states[4])


def _damage_history(store, number: int) -> None:
    """Flip the stored rows of write ``number`` for one layer into another layer's."""
    if store.location.endswith(".gpkg"):
        with sqlite3.connect(store.location) as con:
            con.execute(f"UPDATE {HISTORY_TABLE} SET sidik = 'x' WHERE nomor = ?", [number])
        return
    import psycopg

    url = store._where.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(
            f"UPDATE {store.schema}.{HISTORY_TABLE} SET sidik = 'x' WHERE nomor = %s", [number]
        )


def test_only_the_last_n_writes_keep_their_state(location, tmp_path, fingerprint):
    store = create_store(location, settings={"riwayat_disimpan": 2})
    for i in range(4):
        store.write("rt", _rt([f"R{j}" for j in range(i + 1)]), mode="replace_key", command=f"w{i}")
    writes = list_writes(store)
    assert [w.number for w in writes] == [1, 2, 3, 4, 5]
    assert [w.restorable for w in writes] == [False, False, True, True, False]  # 5 is now
    assert [w.size > 0 for w in writes] == [False, False, False, True, True]
    before = fingerprint(store)
    with pytest.raises(UsageError, match="tidak disimpan lagi"):
        restore_project(store, 2)
    assert fingerprint(store) == before
    restore_project(store, 3)
    assert store.read("rt")["kode_rt"].tolist() == ["R0", "R1"]
    with pytest.raises(UsageError, match="riwayat_disimpan"):
        store.save_settings({"riwayat_disimpan": "semua"})


def test_audit_keeps_old_and_new_values_on_both_backends(location, tmp_path):
    store = create_store(location, settings={"x": 1})
    import_file(location, "rt", _file(tmp_path, "a.gpkg", _rt(["R1", "R2", "R3"])))
    changed = _rt(["R2", "R4"])
    changed.loc[0, "rw"] = "009"
    import_file(location, "rt", _file(tmp_path, "b.gpkg", changed))
    last = store.audit().iloc[-1]
    assert last["operasi"] == "replace_key"
    lama, baru = json.loads(last["lama"]), json.loads(last["baru"])
    assert [r["kode_rt"] for r in lama] == ["R2"]
    assert [(r["kode_rt"], r["rw"]) for r in baru] == [("R2", "009"), ("R4", "001")]
    store.save_settings({"x": 2}, command="settings")
    last = store.audit().iloc[-1]
    assert (json.loads(last["lama"]), json.loads(last["baru"])) == ({"x": 1}, {"x": 2})


def test_a_geopackage_audit_from_before_gets_the_value_columns(tmp_path):
    """A project written before the audit kept values: its audit table gains the columns."""
    path = tmp_path / "lama.gpkg"
    store = create_store(path)
    audit = store.audit().drop(columns=["lama", "baru"])
    pyogrio.write_dataframe(audit, path, layer="kumuhgis_audit", driver="GPKG")
    store.write("rt", _rt(["R1"]), command="x")
    audit = store.audit()
    assert list(audit.columns[-2:]) == ["lama", "baru"] and len(audit) == 2
    assert audit["lama"].isna().all() and json.loads(audit["baru"].iloc[-1])[0]["kode_rt"] == "R1"


def test_the_history_survives_a_copy_and_restores_there(demo_project, pg_url, tmp_path):
    path = tmp_path / "kota.gpkg"
    shutil.copyfile(demo_project, path)
    source = open_store(path)
    states = _several_writes(source, tmp_path)
    assert main(["db", "copy", str(path), pg_url]) == 0
    db = open_store(pg_url)
    pd.testing.assert_frame_equal(db.history(data=True), source.history(data=True))
    restore_project(db, list_writes(db)[2].number)
    assert_same_state(_state(db), {**states[2], "meta": _state(db)["meta"]})
    back = tmp_path / "kembali.gpkg"
    assert main(["db", "copy", pg_url, str(back)]) == 0
    pd.testing.assert_frame_equal(open_store(back).history(data=True), db.history(data=True))


def test_restore_to_before_a_layer_existed_removes_it_cleanly(location, tmp_path):
    store = create_store(location, kota="Sampit")
    before = _state(store)
    store.write("rt", _rt(["R1", "R2"]), mode="replace_key", command="rt")
    store.write("kolaborasi", _kolaborasi(["K1"]), mode="replace_key", command="kolaborasi")
    restore_project(store, 1)
    assert store.layers() == [] and _state(store)["layers"] == []
    assert_same_state(_state(store), before)
    if location.endswith(".gpkg"):  # no trace left for GDAL or QGIS: the file is a sound GeoPackage
        assert [n for n, _ in pyogrio.list_layers(location)] == ["kumuhgis_meta", "kumuhgis_audit",
                                                                 HISTORY_TABLE]  # fmt: skip
        with sqlite3.connect(location) as con:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            assert not {n for n in names if "rt" in n.split("_") or "kolaborasi" in n}
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store.write("rt", _rt(["R3"]), mode="replace_key", command="rt again")  # and it comes back
    assert store.read("rt")["kode_rt"].tolist() == ["R3"]
    assert [w.restorable for w in list_writes(store)] == [True, True, True, True, False]
