"""The one parser for a list of codes written in one cell.

Office files list several RT codes or criterion codes in one cell in every way a keyboard
allows: ``"R1; R2"``, ``"R1,R2"``, ``"1a/1b"``, ``"1a | 2b"``, ``"1a + 2b"``, one per line
(Alt+Enter in Excel, so ``"R1\\nR2"``), or separated by spaces. Every module that reads such a
cell (SK ``kode_rt`` lists, kolaborasi and infrastruktur ``kriteria``) splits it here, so the
same cell gives the same codes in every command (issue 10: an Alt+Enter SK cell used to be
split by verification and not by reduction).

A code therefore never contains one of the separators; kode_rt values such as
``6202061001-RW01-RT01`` are written with ``-`` or ``.``.
"""

from __future__ import annotations

import re

from kumuhgis.core.numeric import is_missing

__all__ = ["CODE_SEPARATORS", "split_codes"]

#: Characters that separate codes in one cell: ; , / | + & and any white space
#: (space, tab, the line breaks of Alt+Enter in Excel: \n, \r\n).
CODE_SEPARATORS = re.compile(r"[;,/|+&\s]+")


def split_codes(value: object) -> list[str]:
    """The codes written in one cell, in the order written (repeats kept: callers decide).

    Examples
    --------
    >>> split_codes("R1\\nR2; R3,R1")
    ['R1', 'R2', 'R3', 'R1']
    >>> split_codes(None)
    []
    """
    if is_missing(value):
        return []
    return [p for p in CODE_SEPARATORS.split(str(value).strip()) if p]
