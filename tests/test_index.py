"""The fast spatial index (kumuhgis.geo.index, domain.md §7) against plain geopandas/shapely.

Random kawasan (star polygons, some with holes, some overlapping) and points or features
around them, drawn in metres in SRGI2013 / UTM zone 49S (EPSG:9489); the expected answers
come from geopandas ``sjoin`` and shapely distances and overlays, never from the index.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from kumuhgis.core.errors import CRSError
from kumuhgis.geo.crs import metric_crs
from kumuhgis.geo.index import BATAS, BOUNDARY_M, DALAM, LUAR, SEBAGIAN, KawasanIndex

UTM = "EPSG:9489"
X0, Y0 = 690_000.0, 9_719_000.0  # near Sampit (112.7°E, 2.5°S)
# Two adjacent kawasan sharing the edge x = 100, and a third one apart.
K1 = box(X0, Y0, X0 + 100, Y0 + 100)
K3 = box(X0 + 400, Y0, X0 + 500, Y0 + 100)


def pt(x, y):
    return Point(X0 + x, Y0 + y)


def delineasi(**polys) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"kode_kawasan": list(polys)}, geometry=list(polys.values()), crs=UTM)
    return frame.to_crs(4326)


def _random_kawasan(rng, n):
    """Random star polygons, some with a hole, some overlapping others."""

    def star(cx, cy, radius):
        k = int(rng.integers(3, 15))
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = radius * rng.uniform(0.5, 1.0, k)
        return shapely.make_valid(
            shapely.Polygon(np.column_stack([X0 + cx + r * np.cos(ang), Y0 + cy + r * np.sin(ang)]))
        )

    polys = []
    for _ in range(n):
        cx, cy = rng.uniform(0, 2000, 2)
        radius = rng.uniform(20, 250)
        poly = star(cx, cy, radius)
        if rng.random() < 0.3:  # a hole (an excluded block inside the kawasan)
            poly = poly.difference(star(cx, cy, radius * 0.3))
        polys.append(shapely.make_valid(poly) if not poly.is_valid else poly)
    return np.array(polys, dtype=object)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_poly=st.integers(1, 40),
    n_pts=st.integers(1, 3000),
    tol=st.sampled_from([0.0, 2.5, 10.0]),
)
def test_fast_points_agree_with_geopandas_and_exact_distances(seed, n_poly, n_pts, tol):
    rng = np.random.default_rng(seed)
    polys = _random_kawasan(rng, n_poly)
    x = X0 + rng.uniform(-300, 2300, n_pts)
    y = Y0 + rng.uniform(-300, 2300, n_pts)
    # some points exactly on vertices and edges
    xy = shapely.get_coordinates(polys[0])
    m = min(len(xy), n_pts)
    x[:m], y[:m] = xy[:m, 0], xy[:m, 1]
    index = KawasanIndex(polys, crs=UTM)
    res = index.classify_xy(x, y, tolerance_m=tol)
    # geopandas: points_from_xy + sjoin(within), lowest kawasan per point
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y, crs=UTM))
    joined = gpd.sjoin(
        pts, gpd.GeoDataFrame(geometry=gpd.GeoSeries(polys, crs=UTM)), predicate="within"
    )
    ref = np.full(n_pts, -1)
    if len(joined):
        first = joined.reset_index().groupby("index")["index_right"].min()
        ref[first.index.to_numpy()] = first.to_numpy()
    np.testing.assert_array_equal(res.contained, ref)
    # statuses and distances against plain shapely distances
    d = shapely.distance(np.array(polys)[None, :], shapely.points(x, y)[:, None]).min(axis=1)
    expect = np.where(d <= BOUNDARY_M, DALAM, np.where(d <= tol, BATAS, LUAR))
    np.testing.assert_array_equal(res.status, expect)
    outside = res.status != DALAM
    np.testing.assert_allclose(res.jarak_m[outside], d[outside], rtol=0, atol=1e-6)
    assert np.all(res.jarak_m[~outside] == 0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_poly=st.integers(1, 25), n_feat=st.integers(1, 300))
def test_fast_shares_agree_with_intersecting_every_candidate(seed, n_poly, n_feat):
    rng = np.random.default_rng(seed)
    polys = _random_kawasan(rng, n_poly)
    union = shapely.union_all(polys)
    feats = []
    for _ in range(n_feat):
        cx, cy = X0 + rng.uniform(-200, 2200), Y0 + rng.uniform(-200, 2200)
        if rng.random() < 0.5:
            a = rng.uniform(0, np.pi)
            L = rng.uniform(5, 300)
            feats.append(LineString([(cx, cy), (cx + L * np.cos(a), cy + L * np.sin(a))]))
        else:
            w = rng.uniform(2, 80)
            feats.append(box(cx, cy, cx + w, cy + rng.uniform(2, 80)))
    feats = np.array(feats, dtype=object)
    res = KawasanIndex(polys, crs=UTM).classify_geometries(feats, tolerance_m=10.0)
    dims = shapely.get_dimensions(feats)
    inter = shapely.intersection(feats, union)
    measure = lambda g: np.where(dims == 2, shapely.area(g), shapely.length(g))  # noqa: E731
    share = measure(inter) / measure(feats)
    grown = shapely.buffer(union, BOUNDARY_M)
    by_rule = shapely.covers(grown, feats)  # the 1 cm rule: wholly inside
    expect = np.where(by_rule, 1.0, np.where(share > 1e-6, share, 0.0))
    np.testing.assert_allclose(res.porsi_dalam, expect, atol=1e-7)
    status = np.where(by_rule, DALAM, np.where(share > 1e-6, SEBAGIAN, -9))
    d = shapely.distance(feats, union)
    status = np.where(status == -9, np.where(d <= 10.0, BATAS, LUAR), status)
    np.testing.assert_array_equal(res.status, status)
    out = (status == BATAS) | (status == LUAR)
    np.testing.assert_allclose(res.jarak_m[out], d[out], atol=1e-6)


def test_distances_are_measured_in_the_utm_zone_never_degrees():
    dl = delineasi(K1=K1, K3=K3)  # stored in EPSG:4326
    assert metric_crs(dl).to_epsg() == 9489  # SRGI2013 / UTM 49S, the zone of Sampit
    assert metric_crs(dl.to_crs(32749)).to_epsg() == 32749  # a metric layer keeps its CRS
    index = KawasanIndex.from_frame(dl)
    # points given as lon/lat arrays: 9.5 m west of K1 and 25 m east of K3
    lonlat = gpd.GeoSeries([pt(-9.5, 50), pt(525, 50)], crs=UTM).to_crs(4326)
    res = index.classify_xy(lonlat.x.to_numpy(), lonlat.y.to_numpy(), crs=4326, tolerance_m=10)
    assert res.status.tolist() == [BATAS, LUAR]
    np.testing.assert_allclose(res.jarak_m, [9.5, 25.0], atol=1e-3)
    assert index.kode[res.kawasan].tolist() == ["K1", "K3"]
    with pytest.raises(CRSError):
        KawasanIndex([K1], crs=4326)
