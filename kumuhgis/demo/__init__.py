"""The demo city: a synthetic KOTAKU project at Sampit, Kab. Kotawaringin Timur.

Sampit (Kalimantan Tengah) lies on the west bank of the Sungai Mentaya, which runs roughly
north–south there. The demo keeps the real names and Kemendagri codes of three kecamatan
(Baamang, Mentawa Baru Ketapang, and Seranau across the river) and fifteen of their
kelurahan/desa, but **every geometry is synthetic**: a town outline drawn around a
meandering river band, kelurahan and RT polygons made from Voronoi cells, kawasan made of
whole RTs. Numbers (population, volumes, rupiah) are generated to look like a real KOTAKU
baseline and collaboration record, with a few discrepancies planted on purpose so that every
check of domain.md §6 and §7 has something to find. :attr:`DemoCity.planted` names them.

All geometry is built in the metric UTM zone 49S (EPSG:32749) and stored in EPSG:4326
(domain.md §10). RTs tile their kelurahan exactly (one shared, noded edge set), so a
kelurahan or a kawasan is the union of whole RT polygons.

Levels named here (TK, KR, KS, KB) follow domain.md §4. The generator steers volumes with a
small score count of its own (:func:`kumuhgis.demo.baseline.total_nilai`) so the planted cases
really are what they claim to be; the authoritative scoring lives in the scoring module.

The demo is a layer of its own above the outputs (it uses core, geo and the store's
vocabulary, nothing uses it but the command line). Its modules, in the order
:func:`build_demo` calls them:

* :mod:`~kumuhgis.demo.town`: names and codes of the place; kelurahan and RT polygons;
* :mod:`~kumuhgis.demo.kawasan`: the slum kawasan, made of whole RTs;
* :mod:`~kumuhgis.demo.plan`: the planted choices (what the SK revision changes, which RTs
  must stay kumuh or become TK);
* :mod:`~kumuhgis.demo.baseline`: RT conditions, the 2016 baseline and later surveys;
* :mod:`~kumuhgis.demo.works`: existing infrastruktur and the 2017–2020 kolaborasi;
* :mod:`~kumuhgis.demo.sk`: the SK Kumuh and its revision, with planted discrepancies;
* :mod:`~kumuhgis.demo.project`: the seven layer frames, the settings, the planted list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kumuhgis.core.schema import LAYERS
from kumuhgis.demo.baseline import build_baseline
from kumuhgis.demo.kawasan import delineate
from kumuhgis.demo.plan import plant
from kumuhgis.demo.project import layer_frames, planted_findings, project_settings
from kumuhgis.demo.sk import sk_tables
from kumuhgis.demo.town import WORK_CRS, build_town
from kumuhgis.demo.works import build_infrastructure, simulate

__all__ = ["DemoCity", "build_demo", "DEFAULT_SEED", "WORK_CRS"]

#: Seed of ``kumuhgis demo`` when none is given (the KOTAKU baseline year).
DEFAULT_SEED = 2016


@dataclass(frozen=True)
class DemoCity:
    """The demo project: the seven layers of :data:`kumuhgis.core.schema.LAYERS`, the project
    settings and a description of the discrepancies planted on purpose.

    Attributes
    ----------
    layers : dict
        ``{layer name: frame}``; spatial layers are GeoDataFrames in EPSG:4326, the
        ``sk_kumuh`` and ``baseline`` tables are DataFrames.
    settings : dict
        ``kota``, ``provinsi``, ``kode_kota``, ``ibukota``, ``tahun_baseline``,
        ``crs_kerja``, ``luas_kumuh_baseline_ha`` (Σ luas of the RTs not TK in 2016,
        domain.md §5), ``target_pengurangan_ha`` — ``{2017: ha, ..., 2020: ha}``, the
        cumulative reduction of luas kumuh since the baseline year that the city aims for
        by the end of each year — and ``keterangan`` (the demo is synthetic).
    planted : dict
        The planted findings, by the flag names of domain.md §6 and the statuses of §7:
        ``luas_mismatch`` (per SK number), ``nama_tidak_cocok``, ``rt_tidak_kumuh_di_sk``,
        ``rt_kumuh_di_luar_sk``, ``lintas_kelurahan``, ``revisi`` (added, removed and
        re-measured kawasan) and ``kolaborasi`` (works ``sebagian``, ``batas``, ``luar``
        and ``kriteria_tanpa_gap``), plus the two SK numbers ``sk_asli`` and ``sk_revisi``.
    seed : int
        The seed the city was built with.
    """

    layers: dict[str, pd.DataFrame]
    settings: dict
    planted: dict
    seed: int = DEFAULT_SEED


def build_demo(*, seed: int = DEFAULT_SEED) -> DemoCity:
    """Build the synthetic demo city of Sampit (see the module docstring).

    The same ``seed`` always gives identical frames; another seed gives another, equally
    valid town (new shapes, kawasan, surveys and works; same kelurahan names and codes).

    Contents (counts vary a little with the seed): 15 kelurahan/desa in 3 kecamatan, about
    300 RTs of 1–9 ha, 21 kawasan made of whole RTs (20 in the original SK, one removed and
    one added by the 2020 revision, one or two crossing a kelurahan border), a 2016 baseline
    for every RT plus observed 2017–2020 surveys for some RTs, about 150 infrastructure
    features and about 250 collaboration works (2017–2020) of which about a fifth lie
    outside the delineation or straddle it.

    Parameters
    ----------
    seed : int
        Seed of the random generator (keyword only).

    Returns
    -------
    DemoCity
    """
    rng = np.random.default_rng(seed)
    town = build_town(rng)
    kawasan = delineate(rng, town)
    plan = plant(rng, town, kawasan)
    survey = build_baseline(rng, town, kawasan, plan)
    kolab, observed = simulate(rng, town, kawasan, plan, survey)
    infra = build_infrastructure(rng, town, kawasan)
    layers = layer_frames(town, kawasan, plan, survey, observed, kolab, infra)
    sk, sk_planted = sk_tables(rng, town, kawasan, plan, layers["delineasi"])
    layers["sk_kumuh"] = sk
    layers = {name: layers[name] for name in LAYERS}
    settings = project_settings(town, kawasan, plan, survey)
    planted = planted_findings(town, kawasan, plan, kolab, sk_planted)
    return DemoCity(layers=layers, settings=settings, planted=planted, seed=seed)
