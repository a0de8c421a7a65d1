"""The viewer's interface texts and popup fields, in Bahasa Indonesia and English."""

from __future__ import annotations

__all__ = ["map_text", "field_spec"]


_TEXT: dict[str, dict[str, str]] = {
    "id": {
        "base_none": "Tanpa peta dasar",
        "base_osm": "OpenStreetMap (perlu internet)",
        "base_local": "Peta dasar lokal",
        "wilayah": "Batas kelurahan/desa",
        "rt": "RT per tingkat kekumuhan",
        "delineasi": "Delineasi kawasan kumuh",
        "infrastruktur": "Infrastruktur",
        "kolaborasi": "Kegiatan kolaborasi",
        "legend": "Legenda",
        "level_year": "Tingkat kekumuhan RT tahun",
        "sk_version": "Delineasi menurut SK",
        "sk_all": "Semua kawasan",
        "filter_year": "Tahun kegiatan",
        "filter_source": "Sumber dana",
        "all": "Semua",
        "search": "Cari kelurahan, kawasan atau RT",
        "search_button": "Cari",
        "no_result": "Tidak ditemukan",
        "print": "Cetak A3",
        "projector": "Mode proyektor",
        "image": "Simpan gambar",
        "close": "Tutup",
        "no_data": "tanpa data",
        "unclassified": "belum diklasifikasi",
        "TK": "Tidak kumuh",
        "KR": "Kumuh ringan",
        "KS": "Kumuh sedang",
        "KB": "Kumuh berat",
        "dalam": "Di dalam delineasi",
        "sebagian": "Sebagian di dalam",
        "batas": "Di batas (toleransi)",
        "luar": "Di luar delineasi",
        "observed": "survei",
        "derived": "turunan (kolaborasi)",
        "title": "Peta kawasan kumuh",
        "made": "Dibuat",
        "source": "Sumber: proyek kumuhgis",
        "loading": "Memuat…",
        "north": "U",
    },
    "en": {
        "base_none": "No basemap",
        "base_osm": "OpenStreetMap (needs internet)",
        "base_local": "Local basemap",
        "wilayah": "Kelurahan/desa boundaries",
        "rt": "RT by slum level",
        "delineasi": "Delineated slum areas",
        "infrastruktur": "Infrastructure",
        "kolaborasi": "Collaboration projects",
        "legend": "Legend",
        "level_year": "RT slum level in",
        "sk_version": "Delineation of SK",
        "sk_all": "All kawasan",
        "filter_year": "Project year",
        "filter_source": "Funding source",
        "all": "All",
        "search": "Search kelurahan, kawasan or RT",
        "search_button": "Search",
        "no_result": "Nothing found",
        "print": "Print A3",
        "projector": "Projector mode",
        "image": "Save image",
        "close": "Close",
        "no_data": "no data",
        "unclassified": "not classified",
        "TK": "Not slum",
        "KR": "Light slum",
        "KS": "Medium slum",
        "KB": "Heavy slum",
        "dalam": "Inside the delineation",
        "sebagian": "Partly inside",
        "batas": "On the boundary (tolerance)",
        "luar": "Outside the delineation",
        "observed": "survey",
        "derived": "derived (collaboration)",
        "title": "Slum area map",
        "made": "Made",
        "source": "Source: kumuhgis project",
        "loading": "Loading…",
        "north": "N",
    },
}

# Popup fields per layer: (property, Indonesian label, English label, kind). Kinds tell the
# browser how to format a value: text, int, ha, num, rp, pct, level, status, asal.
_FIELDS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "wilayah": (
        ("kelurahan", "Kelurahan/desa", "Kelurahan/desa", "text"),
        ("kecamatan", "Kecamatan", "Kecamatan (district)", "text"),
        ("kode_kel", "Kode", "Code", "text"),
        ("luas_ha", "Luas (ha)", "Area (ha)", "ha"),
        ("jumlah_rt", "Jumlah RT", "RT units", "int"),
    ),
    "rt": (
        ("kode_rt", "Kode RT", "RT code", "text"),
        ("rt", "RT", "RT", "text"),
        ("rw", "RW", "RW", "text"),
        ("kelurahan", "Kelurahan/desa", "Kelurahan/desa", "text"),
        ("nama_kawasan", "Kawasan", "Kawasan", "text"),
        ("luas_ha", "Luas (ha)", "Area (ha)", "ha"),
        ("tahun", "Tahun kondisi", "Condition year", "text"),
        ("tingkat", "Tingkat", "Level", "level"),
        ("total_nilai", "Total nilai", "Total score", "int"),
        ("rata_sektoral", "Rata-rata sektoral (%)", "Sectoral average (%)", "pct"),
        ("asal", "Asal data", "Data origin", "asal"),
    ),
    "delineasi": (
        ("kode_kawasan", "Kode kawasan", "Kawasan code", "text"),
        ("nama_kawasan", "Nama kawasan", "Kawasan name", "text"),
        ("kelurahan", "Kelurahan/desa", "Kelurahan/desa", "text"),
        ("tahun", "Tahun delineasi", "Delineation year", "text"),
        ("luas_ha", "Luas poligon (ha)", "Polygon area (ha)", "ha"),
        ("no_sk", "SK", "SK", "text"),
        ("luas_sk_ha", "Luas menurut SK (ha)", "Area in the SK (ha)", "ha"),
    ),
    "infrastruktur": (
        ("kode_infra", "Kode", "Code", "text"),
        ("jenis", "Jenis", "Type", "text"),
        ("kriteria", "Kriteria", "Criteria", "text"),
        ("tahun", "Tahun", "Year", "text"),
        ("sumber_dana", "Sumber dana", "Funding source", "text"),
        ("kondisi", "Kondisi", "Condition", "text"),
    ),
    "kolaborasi": (
        ("kode_kegiatan", "Kode kegiatan", "Project code", "text"),
        ("nama_kegiatan", "Kegiatan", "Project", "text"),
        ("tahun", "Tahun", "Year", "text"),
        ("sumber_dana", "Sumber dana", "Funding source", "text"),
        ("nilai_rp", "Nilai", "Value", "rp"),
        ("kriteria", "Kriteria", "Criteria", "text"),
        ("volume", "Volume", "Volume", "num"),
        ("satuan", "Satuan", "Unit", "text"),
        ("kelurahan", "Kelurahan/desa", "Kelurahan/desa", "text"),
        ("status_lokasi", "Lokasi terhadap delineasi", "Location vs delineation", "status"),
        ("porsi_dalam", "Porsi di dalam", "Share inside", "share"),
        ("jarak_m", "Jarak ke kawasan (m)", "Distance to kawasan (m)", "num"),
        ("kode_kawasan", "Kawasan", "Kawasan", "text"),
        ("no_sk", "SK yang berlaku", "SK in force", "text"),
        ("status_manual", "Status diubah Korkot", "Status set by Korkot", "status"),
        ("alasan_manual", "Alasan", "Reason", "text"),
    ),
}


def map_text(lang: str = "id") -> dict[str, str]:
    """The viewer's interface texts in ``lang`` (``id`` or ``en``)."""
    return dict(_TEXT["en" if lang == "en" else "id"])


def field_spec(lang: str) -> dict[str, list[dict]]:
    """Popup fields per layer for the browser: ``{"key", "label", "kind"}`` in ``lang``."""
    return {
        layer: [
            {"key": k, "label": (li if lang != "en" else le), "kind": kind}
            for k, li, le, kind in fields
        ]
        for layer, fields in _FIELDS.items()
    }
