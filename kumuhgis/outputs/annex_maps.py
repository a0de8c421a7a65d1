"""The print maps of the RP2KPKP annex (domain.md §8): administration, delineation, slum
level per RT, one map per aspect, land legality per RT, priority per kawasan and handling
pattern per RT, each a :func:`kumuhgis.outputs.cartography.print_map` PNG numbered in
report order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kumuhgis.analysis.rp2kpkp import Annex
from kumuhgis.core.errors import UsageError
from kumuhgis.core.numeric import format_number_id
from kumuhgis.outputs.cartography import PrintMap, print_map
from kumuhgis.outputs.palette import LEVEL_COLORS

__all__ = ["MAP_KEYS", "annex_maps"]

_BASE_FILL = "#eeeeee"
_EDGE = "#8c8c8c"
_NO_DATA = "#d9d9d9"
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
_KECAMATAN_COLORS = (
    "#fbe3c5",
    "#d4e8c8",
    "#cfe0f0",
    "#f2d0dc",
    "#e8e0c0",
    "#d8d0ec",
    "#c9e6e3",
    "#f6d6b8",
)
_PRIORITY_COLORS = {
    1: "#800026",
    2: "#bd0026",
    3: "#e31a1c",
    4: "#fc4e2a",
    5: "#fd8d3c",
    6: "#feb24c",
    7: "#fed976",
    8: "#ffeda0",
    9: "#ffffcc",
}
_PATTERN_COLORS = {
    "peremajaan": "#d7191c",
    "pemugaran": "#fdae61",
    "permukiman kembali": "#7b3294",
    "pencegahan": "#1a9641",
}
_LEGAL_COLORS = {"legal": "#4393c3", "ilegal": "#d6604d"}
_OUTSIDE_PREVENTION = "#c7e9c0"  # pencegahan of RTs outside the SK's kawasan
_ASPECT_BAND_COLORS = ("#1a9641", "#ffdf6b", "#fdae61", "#d7191c")  # score 0, 1, 3, 5


def _label(
    ax, frame: gpd.GeoDataFrame, column: str, *, fontsize: float = 6.5, bold: bool = False
) -> None:
    if frame.empty:
        return
    pts = frame.geometry.representative_point()
    for p, text in zip(pts, frame[column].astype(str), strict=True):
        if p is None or p.is_empty:
            continue
        ax.text(
            p.x,
            p.y,
            text,
            ha="center",
            va="center",
            fontsize=fontsize,
            fontweight="bold" if bold else "normal",
            path_effects=_HALO,
            zorder=10,
        )


def _kecamatan(wilayah: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if wilayah.empty:
        return wilayah
    return wilayah.dissolve(by="kecamatan", as_index=False)[["kecamatan", "geometry"]]


def _base(ax, w: gpd.GeoDataFrame, *, fill: bool = True) -> None:
    if w.empty:
        return
    w.plot(
        ax=ax, facecolor=_BASE_FILL if fill else "none", edgecolor=_EDGE, linewidth=0.6, zorder=1
    )


def _kawasan_outline(ax, k: gpd.GeoDataFrame) -> None:
    kk = k[k.geometry.notna()]
    if not kk.empty:
        kk.boundary.plot(ax=ax, color="black", linewidth=1.0, zorder=6)


def _count_label(label: str, n: int, ha: float | None = None) -> str:
    return f"{label}: {n} kawasan" + ("" if ha is None else f", {format_number_id(ha, 2)} ha")


#: Map keys of the annex, in report order.
MAP_KEYS: tuple[str, ...] = (
    "administrasi", "delineasi", "tingkat_rt",
    "aspek_bangunan", "aspek_jalan", "aspek_air_minum", "aspek_drainase", "aspek_air_limbah",
    "aspek_persampahan", "aspek_kebakaran",
    "legalitas", "prioritas", "pola_penanganan",
)  # fmt: skip


def _to(g: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    return g.to_crs(crs) if len(g) else g


def _base_and_rt(ax, w: gpd.GeoDataFrame, rt: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    """The wilayah base and the RT outlines; returns the RTs in ``crs``."""
    _base(ax, _to(w, crs))
    rr = _to(rt, crs)
    if len(rr):
        rr.boundary.plot(ax=ax, color="#c8c8c8", linewidth=0.25, zorder=2)
    return rr


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class _AnnexMaps:
    """The maps of one annex, written one after another into one folder."""

    def __init__(self, annex: Annex, directory: Path, *, paper: str, dpi: int, on_map):
        self.annex, self.d, self.paper, self.dpi, self.on_map = annex, directory, paper, dpi, on_map
        self.w, self.rt, self.k = annex.wilayah, annex.rt, annex.kawasan
        self.k_geo = self.k[self.k.geometry.notna()]
        self.frame = self.w if len(self.w) else self.rt if len(self.rt) else self.k_geo
        if len(self.frame) == 0:
            raise UsageError(
                "Proyek tidak punya geometri wilayah, RT atau kawasan untuk dipetakan / nothing to map"
            )
        asal = annex.asal
        src_cond = f"kondisi RT tahun {annex.tahun}" + (
            f": {asal.get('observed', 0)} RT hasil survei, {asal.get('derived', 0)} RT turunan"
            if asal
            else ""
        )
        self.sk = (
            f"delineasi dan SK {annex.sk_info['no_sk']}" if annex.sk_info else "delineasi kawasan"
        )
        self.source = f"baseline kumuh proyek ({src_cond}); {self.sk}; batas administrasi proyek."
        place = (annex.kota, f"Provinsi {annex.provinsi}" if annex.provinsi else "")
        self.subtitle = "\n".join(x for x in (*place, f"Tahun {annex.tahun}") if x)
        self.maps: list[PrintMap] = []

    def emit(self, key: str, title: str, draw, legend, caption: str, notes: Sequence[str] = ()):
        if self.on_map is not None:
            self.on_map(title)
        number = len(self.maps) + 1
        self.maps.append(
            print_map(
                draw,
                self.d / f"{number:02d}_{key}.png",
                bounds_frame=self.frame,
                title=title,
                subtitle=self.subtitle,
                legend=legend,
                notes=notes,
                source=self.source,
                paper=self.paper,
                dpi=self.dpi,
                key=key,
                caption=caption,
                number=number,
            )
        )

    def administration(self) -> None:
        w = self.w
        kec = _kecamatan(w)
        kec_names = sorted(kec["kecamatan"].astype(str)) if len(kec) else []
        colors = {
            name: _KECAMATAN_COLORS[i % len(_KECAMATAN_COLORS)] for i, name in enumerate(kec_names)
        }

        def draw(ax, crs):
            ww = _to(w, crs)
            if len(ww):
                ww.plot(
                    ax=ax,
                    color=[colors[str(c)] for c in ww["kecamatan"]],
                    edgecolor=_EDGE,
                    linewidth=0.6,
                    zorder=1,
                )
                _to(kec, crs).boundary.plot(
                    ax=ax, color="#333333", linewidth=1.4, linestyle="--", zorder=3
                )
                _label(ax, ww, "kelurahan", fontsize=6)

        place = ", ".join(x for x in (self.annex.kota, self.annex.provinsi) if x)
        self.emit(
            "administrasi", "Peta administrasi", draw,
            [*(Patch(facecolor=colors[c], edgecolor=_EDGE, label=f"Kecamatan {c}") for c in kec_names),
             Line2D([], [], color=_EDGE, lw=0.8, label="Batas kelurahan/desa"), Line2D([], [], color="#333333", lw=1.4, ls="--", label="Batas kecamatan")],
            f"Peta administrasi: {len(w)} kelurahan/desa di {len(kec_names)} kecamatan" + (f", {place}" if place else ""),
            notes=["Nama pada peta: kelurahan/desa."],
        )  # fmt: skip

    def delineation(self) -> None:
        w, rt, k, k_geo = self.w, self.rt, self.k, self.k_geo

        def draw(ax, crs):
            _base_and_rt(ax, w, rt, crs)
            kk = _to(k_geo, crs)
            if len(kk):
                kk.plot(
                    ax=ax,
                    facecolor="#e34a33",
                    edgecolor="#99000d",
                    linewidth=1.0,
                    alpha=0.55,
                    zorder=5,
                )
                _label(ax, kk, "kode_kawasan", fontsize=6.5, bold=True)

        self.emit(
            "delineasi", "Peta delineasi kawasan permukiman kumuh", draw,
            [Patch(facecolor="#e34a33", alpha=0.55, edgecolor="#99000d", label=f"Kawasan kumuh ({len(k_geo)} kawasan; {format_number_id(float(k['luas_ha'].sum()), 2)} ha Σ RT)"),
             Line2D([], [], color="#c8c8c8", lw=0.6, label="Batas RT"), Line2D([], [], color=_EDGE, lw=0.8, label="Batas kelurahan/desa")],
            f"Delineasi kawasan permukiman kumuh ({self.sk})",
            notes=["Label: kode kawasan (lihat tabel profil kawasan)."],
        )  # fmt: skip

    def levels(self) -> None:
        w, rt, k_geo, rules = self.w, self.rt, self.k_geo, self.annex.rules
        levels = list(rules.levels)
        lv_codes = rt["tingkat"].astype(str) if len(rt) else pd.Series([], dtype="str")

        def draw(ax, crs):
            _base(ax, _to(w, crs))
            rr = _to(rt, crs)
            if len(rr):
                colors_rt = [LEVEL_COLORS.get(c, _NO_DATA) for c in rr["tingkat"].astype(str)]
                rr.plot(ax=ax, color=colors_rt, edgecolor="white", linewidth=0.2, zorder=2)
            _kawasan_outline(ax, _to(k_geo, crs))

        legend = []
        for lv in levels:
            m = lv_codes == lv.code
            ha = (
                float(pd.to_numeric(rt.loc[m.to_numpy(), "luas_ha"], errors="coerce").sum())
                if len(rt)
                else 0.0
            )
            legend.append(
                Patch(
                    facecolor=LEVEL_COLORS.get(lv.code, _NO_DATA),
                    edgecolor="white",
                    label=f"{lv.label_id.capitalize()} ({lv.code}): {int(m.sum())} RT, {format_number_id(ha, 2)} ha",
                )
            )
        nodata = int((~lv_codes.isin([lv.code for lv in levels])).sum()) if len(rt) else 0
        if nodata:
            legend.append(Patch(facecolor=_NO_DATA, label=f"Tidak ada data ({nodata} RT)"))
        legend.append(Line2D([], [], color="black", lw=1.0, label="Batas kawasan kumuh"))
        self.emit("tingkat_rt", "Peta tingkat kekumuhan per RT", draw, legend,
                  f"Tingkat kekumuhan per RT tahun {self.annex.tahun} ({rules.title_id})",
                  notes=[f"Tingkat dari total nilai {len(rules.criteria)} kriteria: " + "; ".join(f"{lv.code} {'–'.join(map(str, rules.level_range(lv.code)))}" for lv in levels) + "."])  # fmt: skip

    def aspects(self) -> None:
        """One map per aspect: the RT's aspect average in the rule set's score bands."""
        bands = sorted(self.annex.rules.score_bands, key=lambda b: b.min_hundredths)
        edges = [b.min_hundredths / 100 for b in bands]
        band_labels = []
        for i, b in enumerate(bands):
            lo = format_number_id(b.min_pct, 0)
            hi = (
                format_number_id(float(bands[i + 1].min_pct) - 0.01, 2)
                if i + 1 < len(bands)
                else "100"
            )
            band_labels.append(f"{lo}–{hi}% (nilai {b.score})")
        for a in self.annex.rules.aspects:
            self.aspect(a, edges, band_labels)

    def aspect(self, a, edges: list[float], band_labels: list[str]) -> None:
        w, rt, k_geo, rules = self.w, self.rt, self.k_geo, self.annex.rules
        col = a.column

        def draw(ax, crs):
            _base(ax, _to(w, crs))
            rr = _to(rt, crs)
            if len(rr):
                vals = (
                    pd.to_numeric(rr[col], errors="coerce").to_numpy(dtype=float)
                    if col in rr
                    else np.full(len(rr), np.nan)
                )
                idx = np.searchsorted(edges, vals, side="right") - 1
                cols = [
                    _NO_DATA
                    if not np.isfinite(v)
                    else _ASPECT_BAND_COLORS[min(max(i, 0), len(_ASPECT_BAND_COLORS) - 1)]
                    for v, i in zip(vals, idx, strict=True)
                ]
                rr.plot(ax=ax, color=cols, edgecolor="white", linewidth=0.2, zorder=2)
            _kawasan_outline(ax, _to(k_geo, crs))

        vals_all = pd.to_numeric(rt[col], errors="coerce") if col in rt else pd.Series(dtype=float)
        idx_all = np.searchsorted(edges, vals_all.to_numpy(dtype=float), side="right") - 1
        legend = [
            Patch(
                facecolor=_ASPECT_BAND_COLORS[min(i, len(_ASPECT_BAND_COLORS) - 1)],
                edgecolor="white",
                label=f"{band_labels[i]}: {int(((idx_all == i) & vals_all.notna().to_numpy()).sum())} RT",
            )
            for i in range(len(band_labels))
        ]
        if vals_all.isna().any():
            legend.append(
                Patch(facecolor=_NO_DATA, label=f"Tidak ada data ({int(vals_all.isna().sum())} RT)")
            )
        legend.append(Line2D([], [], color="black", lw=1.0, label="Batas kawasan kumuh"))
        crit = ", ".join(f"{c} {rules.criterion(c).label_id.lower()}" for c in a.codes)
        self.emit(f"aspek_{a.key}", f"Peta {a.label_id.lower()} per RT", draw, legend,
                  f"{a.label_id} per RT tahun {self.annex.tahun}: rata-rata persentase kriteria {', '.join(a.codes)}",
                  notes=[f"Warna: rata-rata kondisi aspek ({crit}), dikelompokkan menurut ambang nilai kriteria."])  # fmt: skip

    def _kawasan_draw(self, column: str, palette: dict, label_fmt):
        w, rt, k_geo = self.w, self.rt, self.k_geo

        def draw(ax, crs):
            _base_and_rt(ax, w, rt, crs)
            kk = _to(k_geo, crs)
            if not len(kk):
                return
            cols = [palette.get(v if not pd.isna(v) else None, _NO_DATA) for v in kk[column]]
            kk.plot(ax=ax, color=cols, edgecolor="black", linewidth=0.9, zorder=5)
            unknown = kk[kk[column].isna()]
            if len(unknown):
                unknown.plot(ax=ax, facecolor="none", edgecolor="#555555", hatch="xxx",
                             linewidth=0.0, zorder=6)  # fmt: skip
            labels = [label_fmt(r) for _, r in kk.iterrows()] if label_fmt else kk["kode_kawasan"]
            _label(ax, kk.assign(_lab=labels), "_lab", fontsize=6, bold=True)

        return draw

    def kawasan_map(self, key: str, title: str, column: str, palette: dict, caption: str,
                    notes: Sequence[str] = (), label_fmt=None) -> None:  # fmt: skip
        """A map of one profile column per kawasan, unknown values hatched."""
        k_geo = self.k_geo
        vals = k_geo[column] if column in k_geo else pd.Series([pd.NA] * len(k_geo))
        legend = []
        for value, color in palette.items():
            m = vals == value
            if not m.any():
                continue
            ha = float(k_geo.loc[m.to_numpy(), "luas_ha"].sum())
            label = _count_label(_capitalised(str(value)), int(m.sum()), ha)
            legend.append(Patch(facecolor=color, edgecolor="black", label=label))
        if vals.isna().any():
            label = _count_label(
                "Tidak dapat ditentukan (lihat data kurang)", int(vals.isna().sum())
            )
            legend.append(Patch(facecolor=_NO_DATA, edgecolor="#555555", hatch="xxx", label=label))
        draw = self._kawasan_draw(column, palette, label_fmt)
        self.emit(key, title, draw, legend, caption, notes=notes)

    def _rt_draw(self, column: str, palette: dict, inside: np.ndarray, outside_color):
        w, rt, k_geo = self.w, self.rt, self.k_geo

        def draw(ax, crs):
            _base(ax, _to(w, crs))
            rr = _to(rt, crs)
            if len(rr):
                if outside_color and (~inside).any():
                    rr[~inside].plot(ax=ax, color=outside_color, edgecolor="white", linewidth=0.2, zorder=2)  # fmt: skip
                sk = rr[inside]
                if len(sk):
                    cols = [
                        _NO_DATA if pd.isna(v) else palette.get(v, _NO_DATA) for v in sk[column]
                    ]
                    sk.plot(ax=ax, color=cols, edgecolor="white", linewidth=0.2, zorder=3)
                    unknown = sk[sk[column].isna()]
                    if len(unknown):
                        unknown.plot(ax=ax, facecolor="none", edgecolor="#555555", hatch="xxx",
                                     linewidth=0.0, zorder=4)  # fmt: skip
            kk = _to(k_geo, crs)
            _kawasan_outline(ax, kk)
            _label(ax, kk, "kode_kawasan", fontsize=6, bold=True)

        return draw

    def rt_map(self, key: str, title: str, column: str, palette: dict, caption: str,
               notes: Sequence[str] = (), outside: tuple[str, str] | None = None) -> None:  # fmt: skip
        """A map of one per-RT column for the RTs in the SK's kawasan (unknown values
        hatched); the RTs outside them in ``outside`` = (label, colour), or left blank."""
        rt = self.rt
        inside = (
            rt["dalam_sk"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            if "dalam_sk" in rt
            else np.zeros(len(rt), dtype=bool)
        )
        vals = rt[column] if column in rt else pd.Series([pd.NA] * len(rt), index=rt.index)
        luas = pd.to_numeric(rt["luas_ha"], errors="coerce") if "luas_ha" in rt else vals * 0
        legend = []
        for value, color in palette.items():
            m = inside & (vals == value).fillna(False).to_numpy(dtype=bool)
            if m.any():
                label = f"{_capitalised(str(value))}: {int(m.sum())} RT, {format_number_id(float(luas[m].sum()), 2)} ha"
                legend.append(Patch(facecolor=color, edgecolor="white", label=label))
        unknown = inside & vals.isna().to_numpy()
        if unknown.any():
            legend.append(Patch(facecolor=_NO_DATA, edgecolor="#555555", hatch="xxx",
                                label=f"Belum dapat ditentukan (lihat data kurang): {int(unknown.sum())} RT"))  # fmt: skip
        if outside and (~inside).any():
            legend.append(Patch(facecolor=outside[1], edgecolor="white",
                                label=f"{outside[0]}: {int((~inside).sum())} RT"))  # fmt: skip
        legend.append(Line2D([], [], color="black", lw=1.0, label="Batas kawasan kumuh (SK)"))
        draw = self._rt_draw(column, palette, inside, outside[1] if outside else None)
        self.emit(key, title, draw, legend, caption, notes=notes)

    def legality(self) -> None:
        self.rt_map(
            "legalitas", "Peta legalitas lahan per RT", "legalitas_lahan", _LEGAL_COLORS,
            f"Legalitas lahan RT di kawasan kumuh, tahun {self.annex.tahun}",
            notes=["Legal hanya bila status lahan dan kesesuaian tata ruang keduanya positif; ditentukan per RT (domain.md §8). Label: kode kawasan."],
        )  # fmt: skip

    def priority(self) -> None:
        annex = self.annex
        pr_palette: dict = {}
        for cat in ("tinggi", "sedang", "rendah"):
            for code in annex.plan.kumuh_codes:
                num = annex.plan.prioritas[cat][code]
                pr_palette[num] = _PRIORITY_COLORS.get(num, "#fdd49e")
        self.k_geo = self.k_geo.assign(
            _prio=[
                f"prioritas {int(p)}"
                if not pd.isna(p)
                else (
                    "pencegahan (tidak kumuh)" if str(t) in annex.rules.not_kumuh_codes else pd.NA
                )
                for p, t in zip(self.k_geo["prioritas"], self.k_geo["tingkat"], strict=True)
            ]
        )
        prio_palette = {f"prioritas {num}": color for num, color in sorted(pr_palette.items())}
        prio_palette["pencegahan (tidak kumuh)"] = _PATTERN_COLORS["pencegahan"]
        self.kawasan_map(
            "prioritas", "Peta prioritas penanganan kawasan kumuh", "_prio", prio_palette,
            f"Prioritas penanganan kawasan kumuh (matriks pertimbangan lain × tingkat kekumuhan), tahun {annex.tahun}",
            notes=["Label: kode kawasan / nomor prioritas (1 = paling mendesak)."],
            label_fmt=lambda r: f"{r['kode_kawasan']}\nP{int(r['prioritas'])}" if not pd.isna(r["prioritas"]) else str(r["kode_kawasan"]),
        )  # fmt: skip

    def pattern(self) -> None:
        self.rt_map(
            "pola_penanganan", "Peta pola penanganan per RT", "pola_penanganan", _PATTERN_COLORS,
            f"Pola penanganan per RT tahun {self.annex.tahun}; pola kawasan = campuran pola RT-nya",
            notes=["Per RT: legal dan kumuh berat/sedang → peremajaan; legal dan kumuh ringan → pemugaran; ilegal → permukiman kembali; tidak kumuh → pencegahan. Label: kode kawasan."],
            outside=("Pencegahan — di luar kawasan SK", _OUTSIDE_PREVENTION),
        )  # fmt: skip


def annex_maps(
    annex: Annex,
    directory: str | os.PathLike,
    *,
    paper: str = "A4",
    dpi: int = 200,
    on_map: Callable[[str], None] | None = None,
) -> list[PrintMap]:
    """Every map of the RP2KPKP annex (domain.md §8) as PNG in ``directory``:
    administration, delineation, slum level per RT, one map per aspect (the RT's aspect
    average in the rule set's score bands), land legality per RT, priority per kawasan and
    handling pattern per RT (:data:`MAP_KEYS`, numbered ``NN_<key>.png`` in that order).

    ``on_map(title)`` is called before each map (progress display).

    Raises
    ------
    UsageError
        The project has no wilayah, RT or kawasan geometry to map.
    """
    maker = _AnnexMaps(annex, Path(directory), paper=paper, dpi=dpi, on_map=on_map)
    maker.administration()
    maker.delineation()
    maker.levels()
    maker.aspects()
    maker.legality()
    maker.priority()
    maker.pattern()
    return maker.maps
