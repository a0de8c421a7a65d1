"""GDAL's own messages: warnings from pyogrio go to the log, not to the user."""

from __future__ import annotations

import contextlib
import logging
import warnings

log = logging.getLogger(__name__)


@contextlib.contextmanager
def gdal_warnings_to_log():
    """GDAL warnings (surfaced by pyogrio as Python warnings) go to the log, not the user."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        log.warning("GDAL: %s", w.message)
