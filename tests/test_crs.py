"""Tests for kumuhgis.geo.crs (domain.md §10).

EPSG codes are checked against pyproj's own CRS names and areas of use (the EPSG database),
never against the tables inside kumuhgis.geo.crs.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import box

from kumuhgis.core.errors import CRSError
from kumuhgis.geo.crs import (
    INDONESIA_BOUNDS_LONLAT,
    STORAGE_EPSG,
    inside_indonesia,
    likely_projected_crs,
    looks_like_lonlat,
    resolve_crs,
    srgi2013_utm_epsg,
    to_storage,
    utm_zone,
    wgs84_utm_epsg,
)

SAMPIT = (112.95, -2.54)
JAYAPURA = (140.72, -2.53)
BANDA_ACEH = (95.32, 5.55)
KUPANG = (123.60, -10.17)
MEDAN = (98.67, 3.59)
PONTIANAK_N = (109.33, 0.02)
DENPASAR = (115.22, -8.65)


def _project(lon: float, lat: float, epsg: int) -> tuple[float, float]:
    return Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)


def _frame_at(x: float, y: float, size: float, crs=None) -> gpd.GeoDataFrame:
    """Two small squares at (x, y) in whatever units the coordinates are."""
    return gpd.GeoDataFrame(
        {"kode_rt": ["001", "002"]},
        geometry=[box(x, y, x + size, y + size), box(x + 2 * size, y, x + 3 * size, y + size)],
        crs=crs,
    )


# --------------------------------------------------------------------------- constants, zones


def test_constants() -> None:
    assert STORAGE_EPSG == 4326
    w, s, e, n = INDONESIA_BOUNDS_LONLAT
    for lon, lat in (SAMPIT, JAYAPURA, BANDA_ACEH, KUPANG, MEDAN, DENPASAR):
        assert w < lon < e and s < lat < n
    # the box is Indonesia plus a small margin, not half of Asia
    assert 93.0 <= w <= 95.0 and 141.0 <= e <= 142.0 and -12.0 <= s <= -11.0 and 6.0 <= n <= 7.0


@pytest.mark.parametrize(
    ("lon", "zone"),
    [(112.95, 49), (113.999, 49), (114.0, 50), (95.32, 46), (140.72, 54), (-180.0, 1), (180.0, 60)],
)
def test_utm_zone_by_hand(lon: float, zone: int) -> None:
    # zone = floor((lon + 180) / 6) + 1, e.g. (112.95 + 180) / 6 = 48.8 -> 49
    assert utm_zone(lon) == zone


@pytest.mark.parametrize("lon", [float("nan"), 181.0, -200.0, float("inf")])
def test_utm_zone_rejects_bad_longitude(lon: float) -> None:
    with pytest.raises(CRSError, match="longitude"):
        utm_zone(lon)


@pytest.mark.parametrize(
    ("point", "expected_epsg", "expected_name"),
    [
        (SAMPIT, 9489, "SRGI2013 / UTM zone 49S"),
        (JAYAPURA, 9494, "SRGI2013 / UTM zone 54S"),
        (BANDA_ACEH, 9476, "SRGI2013 / UTM zone 46N"),
        (KUPANG, 9491, "SRGI2013 / UTM zone 51S"),
        (MEDAN, 9477, "SRGI2013 / UTM zone 47N"),
        (PONTIANAK_N, 9479, "SRGI2013 / UTM zone 49N"),
        ((109.33, -0.02), 9489, "SRGI2013 / UTM zone 49S"),
        (DENPASAR, 9490, "SRGI2013 / UTM zone 50S"),
        # SRGI2013 has no zone 46S: WGS 84 fallback
        ((95.5, -0.5), 32746, "WGS 84 / UTM zone 46S"),
    ],
)
def test_srgi2013_utm_epsg_matches_epsg_database(point, expected_epsg, expected_name) -> None:
    lon, lat = point
    code = srgi2013_utm_epsg(lon, lat)
    assert code == expected_epsg
    crs = CRS.from_epsg(code)
    assert crs.name == expected_name
    w, s, e, n = crs.area_of_use.bounds
    assert w <= lon <= e and s <= lat <= n


@pytest.mark.parametrize("zone", range(46, 53))
def test_every_northern_srgi_zone(zone: int) -> None:
    central = -183 + 6 * zone  # central meridian of the zone
    assert CRS.from_epsg(srgi2013_utm_epsg(central, 2.0)).name == f"SRGI2013 / UTM zone {zone}N"


@pytest.mark.parametrize("zone", range(47, 55))
def test_every_southern_srgi_zone(zone: int) -> None:
    central = -183 + 6 * zone
    assert CRS.from_epsg(srgi2013_utm_epsg(central, -4.0)).name == f"SRGI2013 / UTM zone {zone}S"


def test_wgs84_utm_epsg() -> None:
    assert CRS.from_epsg(wgs84_utm_epsg(*SAMPIT)).name == "WGS 84 / UTM zone 49S"
    assert CRS.from_epsg(wgs84_utm_epsg(*BANDA_ACEH)).name == "WGS 84 / UTM zone 46N"
    assert wgs84_utm_epsg(109.33, 0.0) == 32649  # the equator counts as north
    with pytest.raises(CRSError, match="latitude"):
        wgs84_utm_epsg(112.0, 95.0)


# --------------------------------------------------------------------------- bounds tests


def test_looks_like_lonlat() -> None:
    assert looks_like_lonlat((112.9, -2.6, 113.0, -2.5))
    assert looks_like_lonlat(np.array([-180.0, -90.0, 180.0, 90.0]))
    assert not looks_like_lonlat((716_000.0, 9_718_000.0, 720_000.0, 9_722_000.0))
    assert not looks_like_lonlat((-2.6, 112.9, -2.5, 113.0))  # latitude 112.9 is impossible
    assert not looks_like_lonlat((np.nan, np.nan, np.nan, np.nan))


def test_inside_indonesia() -> None:
    assert inside_indonesia((112.9, -2.6, 113.0, -2.5))
    assert inside_indonesia((95.2, -10.2, 140.8, 5.6))  # Banda Aceh to Jayapura and Kupang
    assert not inside_indonesia((120.9, 14.5, 121.1, 14.7))  # Manila
    assert not inside_indonesia((130.8, -12.5, 130.9, -12.4))  # Darwin
    assert not inside_indonesia((112.9, -2.6, 142.0, -2.5))  # reaches past Papua
    assert not inside_indonesia((np.nan,) * 4)


# --------------------------------------------------------------------------- likely CRS


def test_likely_projected_crs_southern_lists_all_southern_zones() -> None:
    # easting around the central meridian, northing of 2.5°S: fits every zone 47S-54S
    found = likely_projected_crs((499_000.0, 9_718_000.0, 501_000.0, 9_720_000.0))
    text = "\n".join(found)
    for zone in range(47, 55):
        assert f"UTM zone {zone}S" in text
        assert f"EPSG:{9487 + zone - 47}" in text  # SRGI2013 47S = 9487 ... 54S = 9494
        assert f"EPSG:{32700 + zone}" in text
        assert CRS.from_epsg(9487 + zone - 47).name == f"SRGI2013 / UTM zone {zone}S"
    assert "N:" not in text and "TM-3" not in text


def test_likely_projected_crs_sampit_utm() -> None:
    x, y = _project(*SAMPIT, 9489)
    found = likely_projected_crs((x - 500, y - 500, x + 500, y + 500))
    assert any("49S" in c and "EPSG:9489" in c and "EPSG:32749" in c for c in found)
    assert not any("TM-3" in c for c in found)


def test_likely_projected_crs_northern() -> None:
    x, y = _project(*MEDAN, 32647)
    found = likely_projected_crs((x, y, x + 1000, y + 1000))
    assert any("UTM zone 47N" in c and "EPSG:9477" in c and "EPSG:32647" in c for c in found)
    assert not any("S:" in c for c in found)


def test_likely_projected_crs_tm3() -> None:
    # Sampit lies in DGN95 / Indonesia TM-3 zone 49.2 (central meridian 112.5°E)
    assert CRS.from_epsg(23836).name == "DGN95 / Indonesia TM-3 zone 49.2"
    x, y = _project(*SAMPIT, 23836)
    assert 200_000 < x < 300_000 and 1_200_000 < y < 1_250_000
    found = likely_projected_crs((x, y, x + 800, y + 800))
    assert any("EPSG:23836" in c for c in found)
    assert not any("UTM" in c for c in found)


def test_likely_projected_crs_nothing_fits() -> None:
    assert likely_projected_crs((5e6, 6e6, 5.1e6, 6.1e6)) == []
    assert likely_projected_crs((np.nan,) * 4) == []


# --------------------------------------------------------------------------- resolve_crs


def test_resolve_crs_keeps_existing_crs() -> None:
    frame = _frame_at(*SAMPIT, 0.001, crs=4326)
    out, problems = resolve_crs(frame)
    assert out is frame and problems == []


def test_resolve_crs_assumes_4326_in_indonesia_with_warning() -> None:
    frame = _frame_at(*SAMPIT, 0.001)
    out, problems = resolve_crs(frame, source="rt_sampit.shp")
    assert frame.crs is None  # input untouched
    assert out.crs is not None and out.crs.to_epsg() == 4326
    assert out.geometry.equals(frame.geometry)
    assert len(problems) == 1
    p = problems[0]
    assert p.severity == "warning"
    assert "EPSG:4326" in p.masalah and "EPSG:4326" in p.problem
    assert "tidak memiliki CRS" in p.masalah and "no CRS" in p.problem
    assert "rt_sampit.shp" in p.masalah


def test_resolve_crs_projected_southern_is_error_naming_zones() -> None:
    x, y = _project(*SAMPIT, 9489)
    frame = _frame_at(x, y, 100.0)
    out, problems = resolve_crs(frame, source="rt.shp")
    assert out.crs is None
    assert [p.severity for p in problems] == ["error"]
    p = problems[0]
    for zone in ("47S", "49S", "53S"):
        assert zone in p.problem and zone in p.masalah
    assert "EPSG:9489" in p.problem and "EPSG:32749" in p.problem
    assert "cannot be told" in p.problem  # the zone is not guessed
    assert ".prj" in p.fix and "--crs" in p.fix and "QGIS" in p.fix
    assert ".prj" in p.perbaikan and "--crs" in p.perbaikan


def test_resolve_crs_all_southern_zones_named() -> None:
    frame = _frame_at(499_500.0, 9_719_000.0, 100.0)
    _, problems = resolve_crs(frame)
    text = problems[0].problem
    assert all(f"UTM zone {z}S" in text for z in range(47, 55))


def test_resolve_crs_lonlat_outside_indonesia_is_error() -> None:
    frame = _frame_at(121.0, 14.6, 0.001)  # Manila
    out, problems = resolve_crs(frame)
    assert out.crs is None
    assert [p.severity for p in problems] == ["error"]
    assert "outside Indonesia" in problems[0].problem
    assert "luar Indonesia" in problems[0].masalah


def test_resolve_crs_swapped_lonlat_is_error() -> None:
    lon, lat = SAMPIT
    frame = _frame_at(lat, lon, 0.001)  # X = latitude, Y = longitude
    out, problems = resolve_crs(frame)
    assert out.crs is None
    assert [p.severity for p in problems] == ["error"]
    assert "swapped" in problems[0].problem and "tertukar" in problems[0].masalah


def test_resolve_crs_empty_layer() -> None:
    frame = gpd.GeoDataFrame({"kode_rt": []}, geometry=gpd.GeoSeries([]))
    out, problems = resolve_crs(frame)
    assert out.crs.to_epsg() == 4326
    assert [p.severity for p in problems] == ["warning"]


def test_resolve_crs_assume_crs_wins() -> None:
    x, y = _project(*SAMPIT, 9489)
    frame = _frame_at(x, y, 100.0)
    out, problems = resolve_crs(frame, assume_crs="EPSG:9489")
    assert problems == []
    assert out.crs.to_epsg() == 9489 and frame.crs is None
    # a file CRS is replaced by the user's, with a warning
    tagged = _frame_at(x, y, 100.0, crs=32749)
    out, problems = resolve_crs(tagged, assume_crs=9489)
    assert out.crs.to_epsg() == 9489 and tagged.crs.to_epsg() == 32749
    assert [p.severity for p in problems] == ["warning"]
    assert "EPSG:32749" in problems[0].problem and "EPSG:9489" in problems[0].problem
    # the same CRS again: nothing to say
    out, problems = resolve_crs(_frame_at(*SAMPIT, 0.001, crs=4326), assume_crs="EPSG:4326")
    assert problems == [] and out.crs.to_epsg() == 4326


def test_resolve_crs_assume_crs_contradicting_coordinates() -> None:
    x, y = _project(*SAMPIT, 9489)
    metres = _frame_at(x, y, 100.0)
    out, problems = resolve_crs(metres, assume_crs="EPSG:4326")
    assert out.crs is None and [p.severity for p in problems] == ["error"]
    assert "degrees" in problems[0].problem and "metres" in problems[0].problem
    degrees = _frame_at(*SAMPIT, 0.001)
    out, problems = resolve_crs(degrees, assume_crs="EPSG:9489")
    assert out.crs is None and [p.severity for p in problems] == ["error"]
    out, problems = resolve_crs(degrees, assume_crs="EPSG:nonsense", source="a.shp")
    assert out.crs is None and [p.severity for p in problems] == ["error"]
    assert "EPSG:nonsense" in problems[0].problem and "a.shp" in problems[0].problem


# --------------------------------------------------------------------------- to_storage


def test_to_storage_reprojects_without_mutating() -> None:
    x, y = _project(*SAMPIT, 9489)
    frame = _frame_at(x, y, 100.0, crs=9489)
    before = frame.geometry.copy()
    out = to_storage(frame)
    assert out.crs.to_epsg() == 4326
    assert frame.crs.to_epsg() == 9489 and frame.geometry.equals(before)
    # independent: every vertex through pyproj directly
    xy = shapely.get_coordinates(frame.geometry.array)
    lon, lat = Transformer.from_crs(9489, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    got = shapely.get_coordinates(out.geometry.array)
    np.testing.assert_allclose(got[:, 0], lon, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got[:, 1], lat, rtol=0, atol=1e-9)
    assert out["kode_rt"].tolist() == ["001", "002"]


def test_to_storage_already_4326_returns_copy() -> None:
    frame = _frame_at(*SAMPIT, 0.001, crs=4326)
    out = to_storage(frame)
    assert out is not frame and out.geometry.equals(frame.geometry)
    out.loc[0, "kode_rt"] = "changed"
    assert frame.loc[0, "kode_rt"] == "001"


def test_to_storage_refuses_no_crs() -> None:
    with pytest.raises(CRSError, match="no CRS") as info:
        to_storage(_frame_at(*SAMPIT, 0.001))
    assert "tidak memiliki CRS" in str(info.value)


def test_to_storage_geoseries() -> None:
    s = gpd.GeoSeries([shapely.Point(716_816.587, 9_719_088.289)], crs=9489)
    out = to_storage(s)
    assert out.iloc[0].x == pytest.approx(SAMPIT[0], abs=1e-6)
    assert out.iloc[0].y == pytest.approx(SAMPIT[1], abs=1e-6)


def test_resolve_crs_geoseries() -> None:
    series = gpd.GeoSeries([shapely.Point(*SAMPIT)])
    out, problems = resolve_crs(series)
    assert isinstance(out, gpd.GeoSeries) and out.crs.to_epsg() == 4326
    assert [p.severity for p in problems] == ["warning"] and series.crs is None
