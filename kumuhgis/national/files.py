"""The national run's files: CSV and XLSX tables, GeoParquet layers.

``OUT/`` holds, beside the per-city GeoParquet parts the workers wrote
(``skor_rt/`` — every RT and year with its polygon, ``kolaborasi/`` — the classified
works):

* ``nasional.csv``, ``provinsi.csv``, ``kota.csv``: the three measures of domain.md §5 in
  both scopes (``…_sk``: RTs inside the SK kawasan, the official figure; ``…_kota``: the
  whole city), kolaborasi inside/outside (§7) and points inside/outside;
* ``per_tahun.csv``: hectares per level and luas kumuh per year, unit and scope;
* ``kolaborasi_tahun.csv``: kolaborasi counts and rupiah inside/outside per year and unit;
* ``titik_kawasan.parquet``: points inside each kawasan in force (GeoParquet);
* ``kinerja.csv``: each task's worker, time (wall clock and CPU) and peak memory;
* ``nasional.xlsx``: all the tables above as sheets.
"""

from __future__ import annotations

from pathlib import Path

from kumuhgis.national.rollup import NationalTables
from kumuhgis.outputs.files import atomic_path, write_frame
from kumuhgis.outputs.workbook import Sheet, write_workbook

__all__ = ["TABLE_FILES", "write_national"]

#: Table name → sheet title, in the order of the workbook.
TABLE_FILES = {
    "nasional": "Nasional",
    "provinsi": "Provinsi",
    "kota": "Kota",
    "per_tahun": "Per tahun",
    "kolaborasi_tahun": "Kolaborasi per tahun",
    "kinerja": "Kinerja",
}

_NOTES = (
    "Lingkup 'sk': RT di dalam kawasan SK (angka resmi); 'kota': seluruh kota "
    "(domain.md §5) / scope 'sk': RTs inside the SK kawasan (official); 'kota': whole city.",
    "Provinsi = Σ kota, nasional = Σ provinsi (hektar, jumlah, rupiah) / "
    "province = Σ cities, nation = Σ provinces.",
)


def write_national(tables: NationalTables, out: Path) -> list[Path]:
    """Write the tables of a national run into ``out`` (module docstring)."""
    out = Path(out)
    written = []
    sheets = []
    for name, title in TABLE_FILES.items():
        frame = getattr(tables, name)
        written.append(write_frame(frame, out / f"{name}.csv"))
        if len(frame.columns):
            sheets.append(Sheet(name=title, frame=frame, title=[title], notes=_NOTES))
    if tables.titik_kawasan is not None:
        path = out / "titik_kawasan.parquet"
        with atomic_path(path) as tmp:
            tables.titik_kawasan.to_parquet(tmp, index=False)
        written.append(path)
    written.append(write_workbook(out / "nasional.xlsx", sheets))
    return written
