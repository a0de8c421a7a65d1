"""Page language: Bahasa Indonesia by default, English on request.

``?lang=en`` (or ``id``) switches and is remembered in a cookie; templates call ``t(key)``.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request

__all__ = ["LANGS", "TEXT", "current_lang", "t", "num", "rupiah", "init_app"]

LANGS = ("id", "en")

TEXT: dict[str, dict[str, str]] = {
    "id": {
        "app": "kumuhgis",
        "nav_peta": "Peta",
        "nav_ringkasan": "Ringkasan",
        "nav_verifikasi": "Verifikasi SK",
        "nav_kolaborasi": "Kolaborasi",
        "nav_unduh": "Unduh",
        "nav_tentang": "Tentang",
        "switch_lang": "English",
        "city": "Kota/kabupaten",
        "error": "Galat",
        "back": "Kembali ke peta",
        "ringkasan_title": "Ringkasan kawasan kumuh",
        "kota_label": "Seluruh kota",
        "kelurahan": "Kelurahan/desa",
        "kecamatan": "Kecamatan",
        "choose_kel": "Pilih kelurahan",
        "from": "Dari tahun",
        "to": "Sampai tahun",
        "show": "Tampilkan",
        "luas_awal": "Luas kumuh awal",
        "luas_akhir": "Luas kumuh akhir",
        "pengurangan": "Pengurangan luas kumuh",
        "ha_setara": "Pengurangan hektar setara (per parameter)",
        "kontribusi": "Kontribusi penanganan",
        "scope_title": "Angka per lingkup (domain §5): SK yang berlaku adalah angka resmi",
        "scope_note": "Kartu di atas dan tabel di bawah menghitung seluruh kota (semua RT).",
        "scope": "Lingkup",
        "scope_sk": "SK yang berlaku (RT di dalam kawasannya; angka resmi)",
        "scope_kota": "Seluruh kota (semua RT)",
        "scope_kumuh_di_luar_sk": "Kumuh di luar SK (calon SK berikutnya)",
        "levels_title": "Luas kumuh per tingkat dan tahun (RT utuh, domain §5 ukuran 1)",
        "year": "Tahun",
        "level": "Tingkat",
        "rt_count": "Jumlah RT",
        "luas_kumuh": "Luas kumuh (KB+KS+KR)",
        "param_title": "Pengurangan per parameter (hektar setara, domain §5 ukuran 2)",
        "code": "Kode",
        "criterion": "Kriteria / aspek",
        "reduction_ha": "Pengurangan (ha setara)",
        "target_title": "Capaian terhadap target kota",
        "target_cum": "Target kumulatif (ha)",
        "achieved_cum": "Pengurangan kumulatif (ha)",
        "achievement": "Capaian kumulatif (%)",
        "no_target": "Proyek belum punya target (pengaturan target_pengurangan_ha).",
        "per_kel_title": "Per kelurahan",
        "open_map": "Buka di peta",
        "no_baseline": "Proyek belum punya data baseline RT: belum ada angka kekumuhan.",
        "charts": "Grafik",
        "verif_title": "Verifikasi SK Kumuh",
        "verif_none": "Proyek belum punya tabel SK Kumuh.",
        "sk_versions": "Versi SK",
        "no_sk": "Nomor SK",
        "tanggal_sk": "Tanggal",
        "lokasi": "Lokasi",
        "luas_sk": "Luas SK (ha)",
        "kawasan": "Kawasan",
        "luas_delineasi": "Luas delineasi (ha)",
        "luas_tercatat": "Luas tercatat di berkas delineasi (ha)",
        "findings": "Temuan",
        "flag": "Temuan",
        "detail": "Rincian",
        "recommendation": "Rekomendasi",
        "luas_verified": "Luas terverifikasi (ha)",
        "luas_rt": "Σ luas RT (ha)",
        "rep_verifikasi_sk": "Verifikasi SK Kumuh (temuan dan rekomendasi)",
        "kolab_title": "Daftar periksa kolaborasi (Korkot)",
        "kolab_hint": "Kegiatan yang tidak sepenuhnya di dalam delineasi, yang kriterianya bukan kebutuhan RT-nya, atau yang statusnya diubah Korkot. Urut menurut nilai di luar delineasi.",
        "only_flagged": "Hanya yang ditandai",
        "all_works": "Semua kegiatan",
        "status": "Status",
        "sumber_dana": "Sumber dana",
        "all": "Semua",
        "filter": "Saring",
        "kegiatan": "Kegiatan",
        "nilai": "Nilai",
        "nilai_luar": "Nilai di luar",
        "reason": "Alasan ditandai",
        "distance": "Jarak (m)",
        "count": "Jumlah",
        "total": "Total",
        "not_classified": "Kolaborasi belum bisa diklasifikasi (tanpa delineasi atau modul kolaborasi).",
        "unduh_title": "Unduh data dan laporan",
        "layers": "Layer",
        "reports": "Laporan",
        "project_file": "Berkas proyek lengkap (GeoPackage, terbuka di QGIS)",
        "offline_map": "Peta HTML mandiri (bisa dibuka tanpa internet, dari flashdisk)",
        "rep_skor": "Skor kekumuhan per RT dan tahun",
        "rep_pengurangan": "Pengurangan luas kumuh (tiga ukuran)",
        "rep_kolaborasi": "Klasifikasi kolaborasi dan daftar Korkot",
        "rep_verifikasi": "Verifikasi SK Kumuh",
        "rows": "baris",
        "tentang_title": "Tentang kumuhgis dan proyek ini",
        "versions": "Versi perangkat lunak",
        "sources": "Sumber data",
        "audit": "Riwayat perubahan proyek",
        "method": "Cara angka dihitung",
        "rules": "Aturan penilaian",
        "settings": "Pengaturan proyek",
        "when": "Waktu",
        "command": "Perintah",
        "source_file": "Sumber",
        "stored": "Disimpan",
        "user": "Pengguna",
        "aspect": "Aspek",
        "unit": "Satuan",
        "denominator": "Penyebut",
        "score_bands": "Nilai per persentase",
        "levels": "Tingkat kekumuhan",
        "min_total": "Total nilai minimum",
        "nav_ubah": "Ubah data",
        "login": "Masuk",
        "logout": "Keluar",
        "login_title": "Masuk ke kumuhgis",
        "login_failed": "Nama atau kata sandi salah.",
        "user_name": "Nama pengguna",
        "password": "Kata sandi",
        "login_hint": "Akun dibuat oleh Pokja PKP dengan perintah kumuhgis user add.",
        "welcome": "Selamat datang",
        "not_allowed": "peran Anda tidak boleh",
        "saved": "Tersimpan",
        "upload_title": "Unggah berkas",
        "upload_hint": "Berkas diperiksa dengan aturan yang sama dengan perintah kumuhgis import: mode ketat menolak seluruh berkas bila ada satu masalah (tidak ada yang disimpan); mode longgar menyimpan baris yang sah dan memberi baris yang ditolak untuk diunduh.",
        "upload_own_kel": "Hanya kegiatan di kelurahan Anda",
        "file": "Berkas",
        "upload_append": "Tambahkan ke layer (jangan ganti seluruh layer)",
        "upload_lenient": "Mode longgar (simpan baris yang sah)",
        "upload": "Unggah",
        "upload_refused": "Berkas ditolak; tidak ada yang disimpan. Perbaiki masalah berikut lalu unggah lagi.",
        "row": "Baris",
        "column": "Kolom",
        "value": "Nilai",
        "problem": "Masalah",
        "fix": "Perbaikan",
        "upload_done": "Tersimpan",
        "rows_in": "baris masuk",
        "rows_stored": "disimpan",
        "rows_rejected": "ditolak",
        "rejected_download": "Unduh baris yang ditolak (CSV)",
        "override_title": "Keputusan status Korkot",
        "memo_title": "Memorandum program",
        "target_edit_title": "Target pengurangan per tahun",
        "memo_hint": "Baris program investasi 5 tahun (domain §8); setiap baris diperiksa seperti berkas memorandum yang diimpor.",
        "edit": "Ubah",
        "delete": "Hapus",
        "conflict": "Data ini sudah diubah orang lain sejak formulir dibuka; tidak ada yang disimpan. Isian Anda masih di formulir: periksa nilai sekarang lalu simpan lagi bila tetap perlu.",
        "conflict_now": "Nilai sekarang",
        "conflict_gone": "Baris ini sudah tidak ada.",
        "memo_add": "Tambah baris",
        "save": "Simpan",
        "target_hint": "Target pengurangan luas kumuh (ha) per tahun, pengaturan target_pengurangan_ha (domain §5). Kosongkan tahun untuk menghapus target itu.",
        "override_reason": "Alasan tertulis",
        "no_override": "tanpa keputusan (status hitungan)",
        "override_short": "Ubah status",
        "override_history": "Riwayat keputusan status (siapa, kapan, mengapa)",
        "no_history": "Belum ada keputusan status.",
    },
    "en": {
        "app": "kumuhgis",
        "nav_peta": "Map",
        "nav_ringkasan": "Summary",
        "nav_verifikasi": "SK check",
        "nav_kolaborasi": "Collaboration",
        "nav_unduh": "Download",
        "nav_tentang": "About",
        "switch_lang": "Bahasa Indonesia",
        "city": "City/regency",
        "error": "Error",
        "back": "Back to the map",
        "ringkasan_title": "Slum summary",
        "kota_label": "Whole city",
        "kelurahan": "Kelurahan/desa",
        "kecamatan": "Kecamatan (district)",
        "choose_kel": "Choose a kelurahan",
        "from": "From year",
        "to": "To year",
        "show": "Show",
        "luas_awal": "Slum area at start",
        "luas_akhir": "Slum area at end",
        "pengurangan": "Slum area reduced",
        "ha_setara": "Hectare-equivalent reduced (by parameter)",
        "kontribusi": "Handling contribution",
        "scope_title": "Figures by scope (domain §5): the SK in force is the official figure",
        "scope_note": "The cards above and the tables below count the whole city (every RT).",
        "scope": "Scope",
        "scope_sk": "SK in force (RTs inside its kawasan; official figure)",
        "scope_kota": "Whole city (every RT)",
        "scope_kumuh_di_luar_sk": "Slum outside the SK (candidates for the next SK)",
        "levels_title": "Slum area by level and year (whole RTs, domain §5 measure 1)",
        "year": "Year",
        "level": "Level",
        "rt_count": "RT units",
        "luas_kumuh": "Slum area (KB+KS+KR)",
        "param_title": "Reduction by parameter (hectare-equivalent, domain §5 measure 2)",
        "code": "Code",
        "criterion": "Criterion / aspect",
        "reduction_ha": "Reduction (equivalent ha)",
        "target_title": "Progress against the city's target",
        "target_cum": "Cumulative target (ha)",
        "achieved_cum": "Cumulative reduction (ha)",
        "achievement": "Cumulative achievement (%)",
        "no_target": "The project has no target yet (setting target_pengurangan_ha).",
        "per_kel_title": "By kelurahan",
        "open_map": "Open on the map",
        "no_baseline": "The project has no RT baseline yet: no slum figures.",
        "charts": "Charts",
        "verif_title": "SK Kumuh verification",
        "verif_none": "The project has no SK Kumuh table.",
        "sk_versions": "SK versions",
        "no_sk": "SK number",
        "tanggal_sk": "Date",
        "lokasi": "Locations",
        "luas_sk": "SK area (ha)",
        "kawasan": "Kawasan",
        "luas_delineasi": "Delineated area (ha)",
        "luas_tercatat": "Area written in the delineation file (ha)",
        "findings": "Findings",
        "flag": "Finding",
        "detail": "Detail",
        "recommendation": "Recommendation",
        "luas_verified": "Verified area (ha)",
        "luas_rt": "Σ RT area (ha)",
        "rep_verifikasi_sk": "SK Kumuh verification (findings and recommendation)",
        "kolab_title": "Collaboration check list (Korkot)",
        "kolab_hint": "Works not wholly inside the delineation, works whose criteria are no gap in their RT, and works whose status the Korkot changed. Sorted by value outside the delineation.",
        "only_flagged": "Flagged only",
        "all_works": "All works",
        "status": "Status",
        "sumber_dana": "Funding source",
        "all": "All",
        "filter": "Filter",
        "kegiatan": "Project",
        "nilai": "Value",
        "nilai_luar": "Value outside",
        "reason": "Why flagged",
        "distance": "Distance (m)",
        "count": "Count",
        "total": "Total",
        "not_classified": "Collaboration cannot be classified (no delineation or no kolaborasi module).",
        "unduh_title": "Download data and reports",
        "layers": "Layers",
        "reports": "Reports",
        "project_file": "Whole project file (GeoPackage, opens in QGIS)",
        "offline_map": "Self-contained HTML map (opens with no internet, from a USB stick)",
        "rep_skor": "Slum scores per RT and year",
        "rep_pengurangan": "Slum area reduction (three measures)",
        "rep_kolaborasi": "Collaboration classification and Korkot list",
        "rep_verifikasi": "SK Kumuh verification",
        "rows": "rows",
        "tentang_title": "About kumuhgis and this project",
        "versions": "Software versions",
        "sources": "Data sources",
        "audit": "Project change history",
        "method": "How the figures are computed",
        "rules": "Scoring rules",
        "settings": "Project settings",
        "when": "When",
        "command": "Command",
        "source_file": "Source",
        "stored": "Stored",
        "user": "User",
        "aspect": "Aspect",
        "unit": "Unit",
        "denominator": "Denominator",
        "score_bands": "Score by percentage",
        "levels": "Slum levels",
        "min_total": "Minimum total score",
        "nav_ubah": "Edit data",
        "login": "Log in",
        "logout": "Log out",
        "login_title": "Log in to kumuhgis",
        "login_failed": "Wrong name or password.",
        "user_name": "User name",
        "password": "Password",
        "login_hint": "Accounts are made by the Pokja PKP with kumuhgis user add.",
        "welcome": "Welcome",
        "not_allowed": "your role may not",
        "saved": "Saved",
        "upload_title": "Upload a file",
        "upload_hint": "The file is checked by the same rules as kumuhgis import: strict mode refuses the whole file on any problem (nothing is stored); lenient mode stores the valid rows and gives the rejected ones to download.",
        "upload_own_kel": "Only works in your kelurahan",
        "file": "File",
        "upload_append": "Append to the layer (do not replace the whole layer)",
        "upload_lenient": "Lenient mode (store the valid rows)",
        "upload": "Upload",
        "upload_refused": "File refused; nothing was stored. Fix these problems and upload again.",
        "row": "Row",
        "column": "Column",
        "value": "Value",
        "problem": "Problem",
        "fix": "Fix",
        "upload_done": "Stored",
        "rows_in": "rows in",
        "rows_stored": "stored",
        "rows_rejected": "rejected",
        "rejected_download": "Download the rejected rows (CSV)",
        "override_title": "Korkot status decision",
        "memo_title": "Memorandum program",
        "target_edit_title": "Yearly reduction targets",
        "memo_hint": "Lines of the 5-year investment program (domain §8); each line is checked as an imported memorandum file.",
        "edit": "Edit",
        "delete": "Delete",
        "conflict": "Someone else changed this since the form was opened; nothing was saved. Your input is still in the form: check the current value and save again if it is still needed.",
        "conflict_now": "Current value",
        "conflict_gone": "This line no longer exists.",
        "memo_add": "Add a line",
        "save": "Save",
        "target_hint": "Slum area reduction targets (ha) per year, setting target_pengurangan_ha (domain §5). Empty a year to remove its target.",
        "override_reason": "Written reason",
        "no_override": "no decision (computed status)",
        "override_short": "Change status",
        "override_history": "History of status decisions (who, when, why)",
        "no_history": "No status decision yet.",
    },
}


def current_lang() -> str:
    """The language of this request: ``?lang=``, else the cookie, else the app default."""
    if "kg_lang" in g:
        return g.kg_lang
    lang = request.args.get("lang") or request.cookies.get("lang") or current_app.config["LANG"]
    g.kg_lang = lang if lang in LANGS else current_app.config["LANG"]
    return g.kg_lang


def t(key: str) -> str:
    """The text ``key`` in the current language (the key itself if unknown)."""
    return TEXT[current_lang()].get(key, key)


def num(value, decimals: int = 2) -> str:
    """A number for a page: ``1.234,56`` in Indonesian, ``1,234.56`` in English; ``-`` if missing."""
    from kumuhgis.core.numeric import format_number_id

    try:
        x = float(value)
    except (TypeError, ValueError):
        return "-"
    if x != x:  # NaN
        return "-"
    if current_lang() == "en":
        return f"{x:,.{decimals}f}"
    return format_number_id(x, decimals)


def rupiah(value) -> str:
    """Rupiah for a page: ``Rp 350.000.000`` (``Rp 350,000,000`` in English)."""
    text = num(value, 0)
    return "-" if text == "-" else "Rp " + text


def with_lang(args, lang: str) -> str:
    """The query string of ``args`` with ``lang`` set (for the language switch link)."""
    from urllib.parse import urlencode

    items = [(k, v) for k, v in args.items(multi=True) if k != "lang"]
    return urlencode([*items, ("lang", lang)])


def init_app(app: Flask) -> None:
    app.jinja_env.filters["kg_with_lang"] = with_lang
    app.jinja_env.filters["num"] = num
    app.jinja_env.filters["rp"] = rupiah

    @app.context_processor
    def _inject():
        lang = current_lang()
        return {"t": t, "lang": lang, "other_lang": "en" if lang == "id" else "id"}

    @app.after_request
    def _remember(response):
        lang = request.args.get("lang")
        if lang in LANGS:
            response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
        return response
