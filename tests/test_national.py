"""National scale (issue 17): five cities run nationally on Dask and alone, compared.

The national run (``kumuhgis nasional run``, a LocalCluster of two worker processes) must
give, city by city, exactly what the city entry points give on the city's project (the
functions the ``score``, ``reduction`` and ``kolaborasi`` commands call); the points inside
the delineation in force are checked against geopandas ``sjoin``.
"""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
import yaml

from kumuhgis.analysis.city import classify_city, reduction_city, score_city
from kumuhgis.cli import main
from kumuhgis.demo.national import national_places, write_national_demo
from kumuhgis.geo.crs import metric_crs
from kumuhgis.geo.order import hilbert_key
from kumuhgis.national.dataset import (
    POINTS_DIR,
    kawasan_in_force,
    list_cities,
    point_crs,
    point_files,
    read_city,
    read_points_xy,
)
from kumuhgis.store import open_store
from kumuhgis.store.snapshot import load_snapshot

pytestmark = pytest.mark.slow

N_CITIES = 5
N_POINTS = 60_000


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    base = tmp_path_factory.mktemp("nasional")
    demo_ds, projects = base / "demo_ds", base / "proyek"
    write_national_demo(demo_ds, cities=N_CITIES, points=N_POINTS, seed=11, projects=projects)
    ds = base / "ds"
    assert main(["nasional", "build", str(projects), "--out", str(ds)]) == 0
    shutil.copytree(demo_ds / POINTS_DIR, ds / POINTS_DIR)  # the demo's points, same layout
    out = base / "out"
    assert main(["nasional", "run", str(ds), "--out", str(out), "--workers", "2"]) == 0
    return {"demo_ds": demo_ds, "ds": ds, "projects": projects, "out": out}


def _alone(projects, kode_kota):
    return load_snapshot(open_store(projects / f"{kode_kota}.gpkg"))


def _part(out, kind, city) -> gpd.GeoDataFrame:
    frame = gpd.read_parquet(out / kind / city.key / "part-0.parquet")
    return frame.drop(columns=["kode_prov", "kode_kota"])


def test_hilbert_key_follows_the_curve():
    # the order-2 Hilbert curve over a 4 × 4 grid (rows: y = 0..3, columns: x = 0..3)
    x, y = np.meshgrid(np.arange(4), np.arange(4))
    keys = hilbert_key(x.ravel(), y.ravel(), (0, 0, 3, 3), bits=2).reshape(4, 4)
    expected = [[0, 1, 14, 15], [3, 2, 13, 12], [4, 7, 8, 11], [5, 6, 9, 10]]
    assert keys.tolist() == expected
    assert hilbert_key([np.nan], [1.0], (0, 0, 1, 1))[0] == np.iinfo(np.uint64).max


def test_dataset_holds_each_project_frame_for_frame(national):
    cities = list_cities(national["ds"])
    assert [c.kode_kota for c in cities] == sorted(p.kode_kota for p in national_places(N_CITIES))
    for city in cities:
        from_ds, alone = read_city(city), _alone(national["projects"], city.kode_kota)
        assert from_ds.present == alone.present
        for name in alone.present:
            pd.testing.assert_frame_equal(
                pd.DataFrame(from_ds.layers[name]), pd.DataFrame(alone.layers[name])
            )
        assert dict(from_ds.settings) == dict(alone.settings)
        # the demo writes the same partitions as building from its projects
        demo = read_city(next(c for c in list_cities(national["demo_ds"]) if c.key == city.key))
        for name in alone.present:
            pd.testing.assert_frame_equal(
                pd.DataFrame(demo.layers[name]), pd.DataFrame(alone.layers[name])
            )
        # spatially sorted: Hilbert keys of the RT centres ascend in the file
        rt = gpd.read_parquet(city.path / "rt.parquet")
        b = shapely.bounds(np.asarray(rt.geometry.array, dtype=object))
        keys = hilbert_key((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)
        assert np.all(np.diff(keys.astype(np.float64)) >= 0)


def test_scores_and_kolaborasi_equal_city_by_city(national):
    for city in list_cities(national["ds"]):
        alone = _alone(national["projects"], city.kode_kota)
        scores = score_city(alone).scores.reset_index(drop=True)
        got = pd.DataFrame(_part(national["out"], "skor_rt", city).drop(columns="geometry"))
        pd.testing.assert_frame_equal(got, scores)
        kolab = classify_city(alone).reset_index(drop=True)
        pd.testing.assert_frame_equal(_part(national["out"], "kolaborasi", city), kolab)


def test_reduction_equals_city_by_city(national):
    kota = pd.read_csv(national["out"] / "kota.csv", dtype={"kode_kota": str, "kode_prov": str})
    per_tahun = pd.read_csv(national["out"] / "per_tahun.csv", dtype={"kode_kota": str})
    for city in list_cities(national["ds"]):
        alone = _alone(national["projects"], city.kode_kota)
        years = score_city(alone).scores["tahun"]
        span = {"year_from": years.min(), "year_to": years.max(), "by": "kota"}
        red = reduction_city(alone, **span, scope="kota")
        official = reduction_city(alone, **span)  # the SK scope, as `reduction` gives it
        row = kota.set_index("kode_kota").loc[city.kode_kota]
        for col in ("luas_kumuh_awal_ha", "luas_kumuh_akhir_ha", "pengurangan_luas_kumuh_ha",
                    "pengurangan_ha_setara_ha", "kontribusi_ha", "luas_ha"):  # fmt: skip
            assert row[f"{col}_kota"] == red.totals[col], col
            assert row[f"{col}_sk"] == official.totals[col], col
        mine = per_tahun[(per_tahun["kode_kota"] == city.kode_kota) & (per_tahun["tingkat"] == "kota")
                         & (per_tahun["lingkup"] == "kota")]  # fmt: skip
        for col in ("luas_kumuh_ha", "luas_kb_ha", "luas_ks_ha", "luas_kr_ha", "luas_tk_ha"):
            assert mine[col].tolist() == red.per_tahun[col].tolist(), col
        # SK scope = the kawasan rows of `reduction --by kawasan` (each rounded to 0.01 ha)
        by_kaw = reduction_city(alone, year_from=years.min(), year_to=years.max(), by="kawasan")
        rows = by_kaw.wilayah[by_kaw.wilayah["kode_kawasan"] != "(di luar delineasi)"]
        assert abs(rows["luas_kumuh_awal_ha"].sum() - row["luas_kumuh_awal_ha_sk"]) <= 0.005 * len(
            rows
        )
        assert row["luas_kumuh_awal_ha_sk"] <= row["luas_kumuh_awal_ha_kota"]
    nasional = pd.read_csv(national["out"] / "nasional.csv")
    provinsi = pd.read_csv(national["out"] / "provinsi.csv")
    for col in ("luas_kumuh_awal_ha_kota", "nilai_rp_luar", "titik_dalam", "jumlah_kegiatan"):
        assert nasional[col].iloc[0] == pytest.approx(kota[col].sum(), abs=0.01)
        assert provinsi[col].sum() == pytest.approx(kota[col].sum(), abs=0.01)
    assert int(nasional["jumlah_kota"].iloc[0]) == N_CITIES
    assert (national["out"] / "nasional.xlsx").exists()


def test_points_equal_alone_and_match_sjoin(national):
    kota = pd.read_csv(national["out"] / "kota.csv", dtype={"kode_kota": str}).set_index(
        "kode_kota"
    )
    per_kawasan = gpd.read_parquet(national["out"] / "titik_kawasan.parquet")
    assert int(kota["titik"].sum()) == N_POINTS
    for city in list_cities(national["ds"]):
        alone = _alone(national["projects"], city.kode_kota)
        last = int(pd.read_parquet(city.path / "berlaku.parquet")["tahun"].max())
        _, kawasan = kawasan_in_force(alone.delineasi, alone.sk_kumuh, last)
        crs = metric_crs(kawasan)
        files = point_files(national["ds"] / POINTS_DIR, city)
        x, y = (np.concatenate(a) for a in zip(*[xy for f in files for xy in read_points_xy(f)],
                                                strict=True))  # fmt: skip
        assert point_crs(files[0]).equals(crs)  # stored in the city's metric CRS
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y, crs=point_crs(files[0])))
        kaw = kawasan.to_crs(crs)[["kode_kawasan", "geometry"]]
        within = gpd.sjoin(pts, kaw, predicate="within")
        # dalam = inside, or within 1 cm of a boundary (domain.md §7)
        near = gpd.sjoin(pts, kaw, predicate="dwithin", distance=0.01)
        got = int(kota.loc[city.kode_kota, "titik_dalam"])
        assert got == near.index.nunique()
        assert within.index.nunique() <= got
        # per kawasan: the strictly inside points by the lowest-index kawasan holding them,
        # and at most the few boundary points besides
        counts = per_kawasan[per_kawasan["kode_kota"] == city.kode_kota].set_index("kode_kawasan")
        first = within.reset_index().sort_values(["index", "index_right"]).drop_duplicates("index")
        expected = first["kode_kawasan"].value_counts().reindex(counts.index, fill_value=0)
        extra = counts["jumlah_titik_dalam"] - expected
        assert (extra >= 0).all()
        assert int(extra.sum()) == got - within.index.nunique()


def test_point_file_reader_takes_wkb_and_filters_by_city(tmp_path):
    frame = gpd.GeoDataFrame(
        {"kode_kota": ["6202", "1171", "6202"]},
        geometry=gpd.points_from_xy([112.9, 95.3, 113.0], [-2.5, 5.5, np.nan], crs=4326),
    )
    path = tmp_path / "titik.parquet"
    frame.to_parquet(path)
    assert pq.ParquetFile(path).schema_arrow.field("geometry").type == "binary"
    ((x, y),) = read_points_xy(path, kode_kota="6202")
    assert x[0] == 112.9 and y[0] == -2.5 and len(x) == 2


def test_cli_refuses_bad_input(tmp_path, national):
    assert main(["nasional", "run", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")]) == 2
    twice = tmp_path / "twice"
    twice.mkdir()
    first = sorted(national["projects"].glob("*.gpkg"))[0]
    shutil.copy(first, twice / "a.gpkg")
    shutil.copy(first, twice / "b.gpkg")
    assert main(["nasional", "build", str(twice), "--out", str(tmp_path / "ds")]) == 2
    assert not (tmp_path / "ds").exists()
    assert main(["demo", "--national", "--out", str(tmp_path / "d")]) == 2


def _files(root):
    """Every file of a dataset by path: its bytes, ``kota.yaml`` parsed without the
    project's creation and update times (the only thing that depends on the clock)."""
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name == "kota.yaml":
            doc = yaml.safe_load(path.read_text())
            doc["meta"] = {k: v for k, v in doc["meta"].items() if not k.endswith("_at")}
            out[str(path.relative_to(root))] = doc
        else:
            out[str(path.relative_to(root))] = path.read_bytes()
    return out


def test_demo_on_two_processes_writes_the_same_files(tmp_path, national):
    # the fixture's dataset was written by one process; the command's pool of two must
    # write the same bytes (a city depends only on the seed and its number)
    out = tmp_path / "par"
    args = ["demo", "--national", "--cities", str(N_CITIES), "--points", str(N_POINTS)]
    assert main(args + ["--seed", "11", "--workers", "2", "--out", str(out)]) == 0
    one, two = _files(national["demo_ds"]), _files(out)
    assert sorted(one) == sorted(two) and len(one) > 8 * N_CITIES
    for name in one:
        assert one[name] == two[name], name
    assert main(["demo", "--out", str(tmp_path / "d.gpkg"), "--workers", "2"]) == 2
