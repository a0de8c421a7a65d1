"""The viewer's blueprints, one per page group (``ogc``: OGC API – Features at ``/ogc``;
``data``: the open downloads; ``masuk``: login; ``ubah``: the edits)."""

from __future__ import annotations

from .api import bp as api_bp
from .data import bp as data_bp
from .health import bp as health_bp
from .kolaborasi import bp as kolaborasi_bp
from .masuk import bp as masuk_bp
from .ogc import bp as ogc_bp
from .peta import bp as peta_bp
from .ringkasan import bp as ringkasan_bp
from .tentang import bp as tentang_bp
from .ubah import bp as ubah_bp
from .unduh import bp as unduh_bp
from .verifikasi import bp as verifikasi_bp

BLUEPRINTS = (
    peta_bp,
    ringkasan_bp,
    verifikasi_bp,
    kolaborasi_bp,
    unduh_bp,
    tentang_bp,
    api_bp,
    health_bp,
    ogc_bp,
    data_bp,
    masuk_bp,
    ubah_bp,
)

__all__ = ["BLUEPRINTS"]
