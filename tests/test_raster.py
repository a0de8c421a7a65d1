"""kumuhgis.outputs.raster: a GeoTIFF in UTM served as web-mercator tiles that line up with the
vector layers, read from overviews; MBTiles with the TMS row flip."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import rasterio
from _viewer_city import UTM, X0, Y0, build_city, rt_polygon_4326, write_mbtiles, write_orthophoto
from affine import Affine
from PIL import Image, ImageDraw
from rasterio.enums import Resampling

from kumuhgis.core.errors import CRSError, UsageError
from kumuhgis.outputs import webmap
from kumuhgis.outputs.raster import GeoTiffBasemap, MBTilesBasemap, open_basemap
from kumuhgis.store import open_store
from kumuhgis.store.snapshot import load_snapshot

# rasterio builds affine transforms with `*`, which affine 3 flags as pending deprecation
pytestmark = pytest.mark.filterwarnings("ignore:Use `@` matmul:PendingDeprecationWarning")


def _write_tif(path, data, *, crs=UTM, origin=(X0 - 100, Y0 + 300), res=0.5, overviews=(2, 4, 8),
               resampling=Resampling.average, nodata=None, photometric=None):  # fmt: skip
    count, h, w = data.shape
    profile = dict(driver="GTiff", width=w, height=h, count=count, dtype=data.dtype.name,
                   transform=Affine(res, 0, origin[0], 0, -res, origin[1]), tiled=True,
                   blockxsize=256, blockysize=256, compress="deflate")  # fmt: skip
    if crs is not None:
        profile["crs"] = crs
    if nodata is not None:
        profile["nodata"] = nodata
    if photometric:
        profile["photometric"] = photometric
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(data)
        if overviews:
            ds.build_overviews(list(overviews), resampling)
    return path


def _centre(bounds):
    """A zero-size box at the centre of (w, s, e, n)."""
    w, s, e, n = bounds
    return ((w + e) / 2, (s + n) / 2, (w + e) / 2, (s + n) / 2)


def _tile_image(tile):
    return np.asarray(Image.open(io.BytesIO(tile.data)).convert("RGBA"))


def _vector_mask(entry, q):
    img = Image.new("L", (256, 256), 0)
    draw = ImageDraw.Draw(img)
    xy = np.asarray(entry["xy"], dtype=float).reshape(-1, 2) / q
    k = 0
    for n in entry["rings"]:
        ring = np.cumsum(xy[k : k + n], axis=0)  # first point absolute, then differences
        draw.polygon([tuple(p) for p in ring], fill=255)
        k += n
    return np.asarray(img) > 0


@pytest.fixture(scope="module")
def city_data(tmp_path_factory):
    return webmap.load_map_data(
        load_snapshot(open_store(build_city(tmp_path_factory.mktemp("raster") / "kota.gpkg")))
    )


@pytest.mark.parametrize("z", [18, 16])
def test_geotiff_tiles_line_up_with_the_rt_vector_tiles(tmp_path, city_data, z):
    """The red RT painted into a UTM orthophoto falls on the RT polygon of the vector tile.

    At zoom 18 (0.6 m/px) tiles come from the full image, at zoom 16 (2.4 m/px) from the
    ×4 overview; the raster's red pixels and the vector tile's KR polygon (K1-RT03 is the
    only KR RT in 2016) must overlap with IoU ≥ 0.9 — a shift of one RT width (100 m) or a
    CRS mix-up gives 0.
    """
    with GeoTiffBasemap(write_orthophoto(tmp_path / "orto.tif")) as bm:
        c = rt_polygon_4326("K1-RT03").centroid
        (tile,) = webmap.tiles_for_bounds((c.x, c.y, c.x, c.y), z)
        t = bm.tile(*tile)
        assert t is not None
        rgba = _tile_image(t)
        red = (rgba[..., 0] > 200) & (rgba[..., 1] < 60) & (rgba[..., 2] < 60) & (rgba[..., 3] > 0)
        vec = webmap.rt_tile(city_data, *tile, year=2016)
        (kr,) = [e for e in vec["levels"] if e["lv"] == "KR"]
        mask = _vector_mask(kr, vec["q"])
        iou = (red & mask).sum() / (red | mask).sum()
        assert red.sum() > 100
        assert iou >= 0.9, iou


def test_geotiff_zoom_range_from_resolution_and_overviews(tmp_path):
    with GeoTiffBasemap(write_orthophoto(tmp_path / "orto.tif")) as bm:
        # one pixel is 0.5 m in UTM (scale 0.9996) → 0.5 / 0.9996 / cos(2.54°) m in mercator;
        # zoom z has 156543.03 / 2^z m per pixel: the first zoom at least that fine is 19
        res = 0.5 / 0.9996 / math.cos(math.radians(2.54))
        assert bm.max_zoom == math.ceil(math.log2(156543.03392804097 / res)) == 19
        # coarsest overview ×8, a tile may read 4× its size: 19 − log2(32) = 14
        assert bm.min_zoom == 14
        assert bm.tile(13, *webmap.tiles_for_bounds(bm.bounds, 13)[0][1:]) is None
        w, s, e, n = bm.bounds
        assert 110.94 < w < e < 110.96 and -2.55 < s < n < -2.53
        assert bm.info()["kind"] == "geotiff"


def test_geotiff_tiles_come_from_the_overviews(tmp_path):
    """A 1-pixel checkerboard whose 'nearest' overviews keep only its white pixels: a tile at
    half resolution is white (read from the ×2 overview), at full resolution half black."""
    n = 1024
    board = ((np.add.outer(np.arange(n), np.arange(n)) % 2) == 0).astype(np.uint8) * 255
    path = _write_tif(tmp_path / "papan.tif", np.stack([board] * 3), origin=(X0, Y0 + 512),
                      res=1.0, overviews=(2, 4), resampling=Resampling.nearest)  # fmt: skip
    with GeoTiffBasemap(path) as bm:
        assert bm.overviews == [2, 4]
        centre = _centre(bm.bounds)
        full = _tile_image(bm.tile(*webmap.tiles_for_bounds(centre, bm.max_zoom)[0]))
        half = _tile_image(bm.tile(*webmap.tiles_for_bounds(centre, bm.max_zoom - 1)[0]))
    assert full[..., 0].mean() < 200  # mixed black and white from the full image
    assert half[..., 0].min() > 240  # only white: the ×2 overview was read


def test_geotiff_edges_transparency_and_format(tmp_path):
    with GeoTiffBasemap(write_orthophoto(tmp_path / "orto.tif")) as bm:
        w, s, e, n = bm.bounds
        t = bm.tile(*webmap.tiles_for_bounds(_centre(bm.bounds), 19)[0])
        assert t.media_type == "image/jpeg"  # fully covered: JPEG
        edge = webmap.tiles_for_bounds((w, n, w, n), 17)[0]
        t = bm.tile(*edge)
        assert t.media_type == "image/png"
        alpha = _tile_image(t)[..., 3]
        assert alpha.min() == 0 and alpha.max() == 255  # outside the image is transparent
        assert bm.tile(17, 0, 0) is None  # far away


def test_geotiff_uint16_is_stretched_and_nodata_is_transparent(tmp_path):
    vals = np.tile(np.linspace(1000, 3000, 400, dtype=np.uint16), (400, 1))
    vals[:, :40] = 0  # nodata strip on the west
    path = _write_tif(
        tmp_path / "satelit.tif", vals[None], res=1.0, origin=(X0, Y0 + 400), nodata=0
    )
    with GeoTiffBasemap(path) as bm:
        (tile,) = webmap.tiles_for_bounds(_centre(bm.bounds), bm.max_zoom - 2)
        rgba = _tile_image(bm.tile(*tile))
    visible = rgba[..., 3] > 0
    assert (
        rgba[..., 0][visible].max() >= 240 and rgba[..., 0][visible].min() <= 15
    )  # 2–98 % stretch
    assert (rgba[..., 3] == 0).any()  # the nodata strip and the outside


def test_geotiff_errors(tmp_path):
    data = np.zeros((1, 64, 64), dtype=np.uint8)
    with pytest.raises(CRSError, match="CRS"):
        GeoTiffBasemap(_write_tif(tmp_path / "tanpa_crs.tif", data, crs=None, overviews=()))
    with pytest.raises(UsageError):
        GeoTiffBasemap(tmp_path / "tidak_ada.tif")
    (tmp_path / "rusak.tif").write_bytes(b"bukan tiff")
    with pytest.raises(UsageError):
        GeoTiffBasemap(tmp_path / "rusak.tif")
    with pytest.raises(UsageError, match=r"\.mbtiles"):
        open_basemap(tmp_path / "peta.jpg")


# --------------------------------------------------------------------------- MBTiles


def test_mbtiles_flips_rows_and_reads_metadata(tmp_path):
    path, png = write_mbtiles(tmp_path / "kota.mbtiles")
    with open_basemap(path) as bm:
        assert isinstance(bm, MBTilesBasemap)
        t = bm.tile(2, 3, 2)
        assert t.data == png and t.media_type == "image/png"
        assert bm.tile(2, 3, 1) is None  # the TMS row number read as XYZ would hit this one
        assert bm.info() == {"kind": "mbtiles", "name": "Citra Kota", "attribution": "Dinas PUPR",
                             "bounds": [110.9, -2.6, 111.0, -2.5], "min_zoom": 1, "max_zoom": 2}  # fmt: skip


def test_mbtiles_without_metadata_bounds(tmp_path):
    path, _ = write_mbtiles(tmp_path / "polos.mbtiles", meta=False)
    with MBTilesBasemap(path) as bm:
        assert (bm.min_zoom, bm.max_zoom) == (2, 2)
        # tile 2/3/2 covers 90–180 E and 0–66.5 S
        assert bm.bounds == pytest.approx((90.0, -66.51326044311186, 180.0, 0.0), abs=1e-9)


def test_mbtiles_errors(tmp_path):
    path, _ = write_mbtiles(tmp_path / "vektor.mbtiles", fmt="pbf")
    with pytest.raises(UsageError, match="pbf"):
        MBTilesBasemap(path)
    (tmp_path / "bukan.mbtiles").write_bytes(b"x" * 200)
    with pytest.raises(UsageError, match="MBTiles"):
        MBTilesBasemap(tmp_path / "bukan.mbtiles")
