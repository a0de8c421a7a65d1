"""The RP2KPKP print maps and PDF (kumuhgis.outputs.cartography, kumuhgis.outputs.annex_maps,
kumuhgis.outputs.report) and the ``kumuhgis rp2kpkp`` command, all or nothing, on the demo
city.

The PDF is rendered to images with poppler's ``pdftoppm`` and read back with
``pdftotext``/``pdfinfo`` (apt package poppler-utils): pages are counted, the contents page
must give the real page numbers, and every map page must show a drawn map (coloured
pixels of its legend classes), not a blank page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box

from kumuhgis.analysis.rp2kpkp import build_annex
from kumuhgis.cli import main
from kumuhgis.outputs.annex_maps import MAP_KEYS, annex_maps
from kumuhgis.outputs.cartography import choose_scale, nice_scale_bar, print_map
from kumuhgis.outputs.report import write_report
from kumuhgis.store.snapshot import load_snapshot

POPPLER = all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdfinfo"))
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftoppm, pdftotext, pdfinfo) not installed"
)
DPI = 72  # small PNGs keep the tests quick; the layout is the same at any resolution


@pytest.fixture(scope="module")
def demo_store(demo_project):
    return demo_project  # shared, read-only (tests/conftest.py)


@pytest.fixture(scope="module")
def annex(demo_store):
    from kumuhgis.store import open_store

    return build_annex(load_snapshot(open_store(demo_store)))


@pytest.fixture(scope="module")
def built(annex, tmp_path_factory):
    d = tmp_path_factory.mktemp("annex")
    maps = annex_maps(annex, d / "peta", dpi=DPI)
    info = write_report(annex, maps, d / "rp2kpkp.pdf")
    return maps, info


# --------------------------------------------------------------------------- scale


def test_choose_scale_by_hand():
    # A4 map frame: 0.64 × 29.7 = 19.008 cm wide, 0.862 × 21 = 18.102 cm high. A 1 km square
    # with 4 % margin each side needs 1080 m / 18.102 cm = 1 : 5 966 → the next round scale.
    assert choose_scale(1000, 1000, 19.008, 18.102) == 10_000
    assert choose_scale(800, 700, 19.008, 18.102) == 5_000  # 864 m / 19.008 cm = 1 : 4 545
    assert choose_scale(4_000, 4_500, 19.008, 18.102) == 50_000  # 4 860 m / 18.102 cm = 1 : 26 848


def test_scale_bar_lengths_by_hand():
    assert nice_scale_bar(25_000, 4.4) == (1000.0, 4)  # 4.4 cm × 250 m/cm = 1 100 m → 1 km
    assert nice_scale_bar(10_000, 4.4) == (200.0, 4)  # 440 m → 200 m (a 5 would exceed)
    assert nice_scale_bar(50_000, 4.4) == (2000.0, 4)  # 2 200 m → 2 km
    assert nice_scale_bar(5_000, 12.0) == (500.0, 5)  # 600 m → 500 m in 5 parts


def test_print_map_is_saved_at_paper_size_with_a_true_scale(tmp_path):
    # a 1 km × 1 km square near Sampit (UTM 49S), drawn on A4 and A3
    sq = gpd.GeoDataFrame(geometry=[box(715000, 9717000, 716000, 9718000)], crs="EPSG:32749")

    def draw(ax, crs):
        sq.to_crs(crs).plot(ax=ax, color="#d7191c")

    a4 = print_map(
        draw,
        tmp_path / "a4.png",
        bounds_frame=sq,
        title="Uji",
        paper="A4",
        dpi=100,
        caption="Uji",
        number=1,
    )
    a3 = print_map(draw, tmp_path / "a3.png", bounds_frame=sq, title="Uji", paper="A3", dpi=100)
    assert a4.skala == 10_000  # see test_choose_scale_by_hand
    assert (
        a3.skala == 5_000
    )  # A3 frame: 0.64 × 42 = 26.88 cm; 1 080 m / (0.862 × 29.7 cm) = 1 : 4 219
    with Image.open(a4.path) as im:
        assert im.size == (
            int(29.7 / 2.54 * 100),
            int(21.0 / 2.54 * 100),
        )  # 1169 × 826 (Agg truncates)
        red = _count(np.asarray(im.convert("RGB")), (0xD7, 0x19, 0x1C))
    # at 1 : 10 000 the 1 km square is 10 cm = 393.7 px a side at 100 dpi → 155 000 px²
    # (less the anti-aliased edge and the dotted grid lines drawn over it)
    assert 0.95 * 393.7**2 < red <= 393.7**2


def _count(arr: np.ndarray, rgb: tuple[int, int, int], tol: int = 6) -> int:
    return int((np.abs(arr.astype(int) - np.array(rgb)).max(axis=2) <= tol).sum())


# --------------------------------------------------------------------------- annex maps


def test_every_annex_map_is_written_with_its_key(built):
    maps, _ = built
    assert [m.key for m in maps] == list(MAP_KEYS)
    for m in maps:
        assert m.path.exists() and m.path.name.endswith(f"{m.key}.png")
        with Image.open(m.path) as im:
            assert im.size == (int(29.7 / 2.54 * DPI), int(21.0 / 2.54 * DPI))
        assert m.skala == 25_000  # the demo town spans about 4 × 4.5 km


def test_level_map_shows_the_level_colours(built, annex):
    from kumuhgis.outputs.charts import LEVEL_COLORS

    maps, _ = built
    m = {x.key: x for x in maps}["tingkat_rt"]
    with Image.open(m.path) as im:
        arr = np.asarray(im.convert("RGB"))
    counts = annex.rt["tingkat"].value_counts()
    for code in ("TK", "KR", "KS"):
        assert counts[code] > 0
        rgb = tuple(int(LEVEL_COLORS[code][i : i + 2], 16) for i in (1, 3, 5))
        assert _count(arr, rgb) > 50, code


# --------------------------------------------------------------------------- PDF


def _pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    cmd = ["pdftotext", "-layout"]
    if first:
        cmd += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*cmd, str(path), "-"], check=True, capture_output=True, text=True).stdout


@needs_poppler
def test_pdf_pages_contents_and_maps(built, tmp_path):
    maps, info = built
    pdfinfo = subprocess.run(
        ["pdfinfo", str(info.path)], check=True, capture_output=True, text=True
    ).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", pdfinfo).group(1))
    assert pages == info.pages
    # cover + contents + ≥ 1 page per section + one page per map
    assert pages >= 2 + 10 + len(MAP_KEYS)
    assert sorted(info.map_pages) == sorted(MAP_KEYS)
    assert len(set(info.map_pages.values())) == len(MAP_KEYS)
    text = _pdftotext(info.path)
    for heading in (
        "Daftar Isi",
        "1. Metode dan sumber aturan",
        "2. SK Kumuh terverifikasi",
        "3. Profil kawasan kumuh",
        "5. Peta",
        "6. Prioritas penanganan",
        "7. Pola penanganan",
        "8. Kebutuhan penanganan dan biaya indikatif",
        "9. Memorandum program",
    ):
        assert heading in text, heading
    assert "Permen PUPR No. 14/PRT/M/2018" in text  # the rules' source
    assert "INDIKATIF" in text and "DRAF" in text
    # the contents page names the real page of each section
    toc = _pdftotext(info.path, 2)
    for title in ("6. Prioritas penanganan", "9. Memorandum program"):
        line = next(x for x in toc.splitlines() if title in x)
        assert line.rstrip().endswith(str(info.sections[title])), line
    # each section heading is on the page the contents say
    page_text = _pdftotext(info.path, info.sections["6. Prioritas penanganan"])
    assert "6. Prioritas penanganan" in page_text
    # every map page is a drawn map at A4 landscape: render it and look for map colours
    for key, page in info.map_pages.items():
        out = tmp_path / f"p{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "40",
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                str(info.path),
                str(out),
            ],
            check=True,
        )
        png = next(tmp_path.glob(f"p{page}*.png"))
        with Image.open(png) as im:
            assert im.width > im.height, key  # landscape page
            arr = np.asarray(im.convert("RGB")).astype(int)
        # the map body (left two thirds, inside the neat line) is not blank
        h, w, _ = arr.shape
        body = arr[int(0.1 * h) : int(0.9 * h), int(0.05 * w) : int(0.66 * w)]
        coloured = (body.max(axis=2) - body.min(axis=2)) > 40  # saturated pixels
        assert coloured.mean() > 0.05, key
        assert f"Halaman {page}" in _pdftotext(info.path, page), key
        # ... and is visible (drawn over the map image, in the strip right of the caption)
        strip = arr[int(0.955 * h) :, int(0.85 * w) : int(0.98 * w)]
        assert (strip.max(axis=2) < 200).sum() > 5, key


@needs_poppler
def test_pdf_tables_carry_the_annex_figures(built, annex):
    _, info = built
    text = _pdftotext(info.path)
    p = annex.profil
    # the first-ranked kawasan and its priority appear in the ranking table
    top = annex.ranking.iloc[0]
    page = _pdftotext(info.path, info.sections["Peringkat prioritas"])
    assert re.search(rf"\b1\s+{re.escape(top['kode_kawasan'])}\b", page)
    # Indonesian number style for the totals: Σ luas kumuh of the profile
    from kumuhgis.core.numeric import format_number_id

    assert format_number_id(float(p["luas_kumuh_ha"].sum()), 2) in text


def test_a_project_without_sk_delineation_or_optional_columns_still_gets_an_annex(tmp_path):
    """No SK, no delineation, no legalitas/strategis/sosial-ekonomi/tipologi: the annex says
    so instead of inventing values; the maps and the PDF are still made."""
    from kumuhgis.demo import build_demo
    from kumuhgis.store import create_store

    city = build_demo()
    base = city.layers["baseline"].drop(
        columns=["legalitas", "nilai_strategis", "sosial_ekonomi", "tipologi"]
    )
    layers = {
        "wilayah": city.layers["wilayah"],
        "rt": city.layers["rt"],
        "delineasi": city.layers["delineasi"],
        "baseline": base,
    }
    store = create_store(tmp_path / "a.gpkg", kota="Kota Uji", layers=layers)
    annex = build_annex(load_snapshot(store))
    assert len(annex.profil) == 21  # every delineated kawasan (no SK to choose from)
    p = annex.profil
    assert p["prioritas"].isna().all()
    # legality unknown: no pattern for a slum RT; a TK RT is prevention either way
    rt = annex.rt_pola[annex.rt_pola["dalam_sk"]]
    tk = rt["tingkat"] == "TK"
    assert tk.any() and (rt.loc[tk, "pola_penanganan"] == "pencegahan").all()
    assert rt.loc[~tk, "pola_penanganan"].isna().all()
    assert p["pola_penanganan"].str.contains("belum dapat ditentukan").any()
    assert annex.profil["data_kurang"].str.contains("kolom legalitas tidak ada di baseline").all()
    # no RT has a decided on-site or relocation pattern: the program is prevention only
    assert set(annex.memorandum["pola"]) == {"pencegahan"}
    assert any("belum punya SK" in n for n in annex.notes)
    maps = annex_maps(annex, tmp_path / "peta", dpi=DPI)
    info = write_report(annex, maps, tmp_path / "a.pdf")
    assert info.pages > len(maps)
    # and with no kawasan at all
    store2 = create_store(
        tmp_path / "b.gpkg",
        kota="Kota Uji",
        layers={k: layers[k] for k in ("wilayah", "rt", "baseline")},
    )
    empty = build_annex(load_snapshot(store2))
    # no kawasan: every RT is prevention, per kelurahan per year
    assert empty.profil.empty and set(empty.memorandum["pola"]) == {"pencegahan"}
    maps2 = annex_maps(empty, tmp_path / "peta2", dpi=DPI)
    assert len(maps2) == len(MAP_KEYS)
    assert write_report(empty, maps2, tmp_path / "b.pdf").pages > len(maps2)


# --------------------------------------------------------------------------- command


@needs_poppler
def test_rp2kpkp_command_writes_workbook_pdf_memorandum_and_maps(demo_store, tmp_path, capsys):
    out = tmp_path / "lampiran"
    assert (
        main(["rp2kpkp", str(demo_store), "--out", str(out), "--dpi", "72", "--paper", "A3"]) == 0
    )
    for name in ("rp2kpkp.xlsx", "rp2kpkp.pdf", "memorandum_program.xlsx"):
        assert (out / name).stat().st_size > 0
    assert len(list((out / "peta").glob("*.png"))) == len(MAP_KEYS)
    printed = capsys.readouterr().out
    assert "20 kawasan" in printed and "halaman" in printed
    assert "diganti" not in printed  # a new folder: nothing replaced
    # A3 maps sit on A3 pages inside the A4 report
    pdfinfo = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "200", str(out / "rp2kpkp.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", pdfinfo)
    a3 = [s for s in sizes if abs(float(s[0]) - 1190.55) < 1 and abs(float(s[1]) - 841.89) < 1]
    assert len(a3) == len(MAP_KEYS)
    from openpyxl import load_workbook

    wb = load_workbook(out / "rp2kpkp.xlsx", read_only=True)
    for sheet in (
        "Profil kawasan",
        "Prioritas",
        "Pola penanganan",
        "Pola per RT",
        "Kebutuhan & biaya",
        "Biaya satuan",
        "Memorandum program",
        "Pagu tahunan",
        "Belum terdanai",
        "SK terverifikasi",
        "Keterangan",
    ):
        assert sheet in wb.sheetnames
    wb.close()


def test_rp2kpkp_command_refuses_bad_input_and_writes_nothing(demo_store, tmp_path, capsys):
    out = tmp_path / "lampiran"
    assert main(["rp2kpkp", str(demo_store), "--out", str(out), "--year", "1999"]) == 2
    assert "1999" in capsys.readouterr().err
    assert not out.exists()
    assert main(["rp2kpkp", str(demo_store), "--out", str(out), "--sk", "999/XX"]) == 2
    assert not out.exists()
    assert main(["rp2kpkp", str(tmp_path / "tidak-ada.gpkg"), "--out", str(out)]) == 2
    (tmp_path / "berkas.txt").write_text("x")
    assert main(["rp2kpkp", str(demo_store), "--out", str(tmp_path / "berkas.txt")]) == 2


def _contents(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def earlier_annex(demo_store, tmp_path_factory):
    """A folder that already holds the annex files of an earlier run, and a note of the
    Pokja's."""
    out = tmp_path_factory.mktemp("earlier") / "lampiran"
    out.mkdir()
    (out / "catatan.txt").write_text("catatan Pokja", encoding="utf-8")
    assert main(["rp2kpkp", str(demo_store), "--out", str(out), "--dpi", "72"]) == 0
    return out


def test_rp2kpkp_again_replaces_the_annex_files_says_so_and_keeps_the_rest(
    demo_store, earlier_annex, tmp_path, capsys
):
    out = tmp_path / "lampiran"
    shutil.copytree(earlier_annex, out)
    capsys.readouterr()
    argv = ["rp2kpkp", str(demo_store), "--out", str(out), "--dpi", "72"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if x.startswith("Berkas lama di"))
    for name in ("rp2kpkp.xlsx", "rp2kpkp.pdf", "memorandum_program.xlsx"):
        assert name in line
    assert f"peta/ ({len(MAP_KEYS)} berkas)" in line
    assert "catatan.txt" not in line
    assert (out / "catatan.txt").read_text(encoding="utf-8") == "catatan Pokja"
    assert [p.name for p in tmp_path.iterdir()] == ["lampiran"]  # no staging folder left


def test_rp2kpkp_failing_while_moving_files_in_leaves_the_folder_as_it_was(
    demo_store, earlier_annex, tmp_path, capsys
):
    out = tmp_path / "lampiran"
    shutil.copytree(earlier_annex, out)
    capsys.readouterr()
    argv = ["rp2kpkp", str(demo_store), "--out", str(out), "--dpi", "72"]
    # mark every earlier file, so a replaced one would show
    for f in out.rglob("*"):
        if f.is_file():
            f.write_bytes(b"lama " + f.name.encode())
    # a folder stands where the PDF must go: the move fails after the memorandum workbook
    # and the maps were already moved in (files move in name order)
    (out / "rp2kpkp.pdf").unlink()
    (out / "rp2kpkp.pdf").mkdir()
    (out / "rp2kpkp.pdf" / "isi.txt").write_text("isi", encoding="utf-8")
    before = _contents(out)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "rp2kpkp.pdf" in err and "tidak diubah" in err
    assert _contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["lampiran"]  # no staging folder left


def test_a_writer_failing_in_a_staged_folder_leaves_nothing_behind(annex, tmp_path):
    from kumuhgis.core.errors import UsageError
    from kumuhgis.outputs.annex_workbook import write_annex_workbook
    from kumuhgis.outputs.folder import staged_folder

    target = tmp_path / "baru" / "lampiran"
    with pytest.raises(UsageError, match="pdf"), staged_folder(target) as staging:
        write_annex_workbook(annex, staging.path / "rp2kpkp.xlsx")
        write_report(annex, [], staging.path / "rp2kpkp.txt")  # not a .pdf: refused
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its new parent
    with staged_folder(target) as staging:
        xlsx = write_annex_workbook(annex, staging.path / "rp2kpkp.xlsx")
    assert staging.final(xlsx) == target / "rp2kpkp.xlsx" and staging.replaced == []
    assert [p.name for p in target.iterdir()] == ["rp2kpkp.xlsx"]


@pytest.mark.parametrize("command", ["rp2kpkp", "memorandum-import"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "STORE" in capsys.readouterr().out
