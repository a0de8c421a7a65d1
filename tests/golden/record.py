"""Record the golden outputs of the demo city again: ``python tests/golden/record.py``.

Rewrites every ``tests/golden/*.json`` / ``*.json.gz`` from the current code (and removes
recordings no longer produced). It runs ``tests/test_golden.py`` under pytest with
``KUMUHGIS_GOLDEN_RECORD=1``, so recording and checking share one ``demo_project`` fixture,
one list of commands and API requests, and one normalisation (all in that test module).
Needs poppler's ``pdftotext`` (apt package poppler-utils) for the PDF's text.

RULE: these recordings are the proof that a change moves no figure. Regenerate them ONLY
when a change of some output is intended, and then say in the commit message which
outputs changed and why (``git diff --stat tests/golden`` lists them; ``zdiff`` or
``python -c 'import gzip,sys; sys.stdout.write(gzip.open(sys.argv[1],"rt").read())'``
shows a ``.json.gz``). Never regenerate just to make a failing golden test pass: read its
report (file, sheet, row, column, expected, got) and find the cause first.

Run it from the repository root with the project's environment; extra arguments go to
pytest (for example ``-x``). Afterwards run ``python -m pytest tests/test_golden.py``
twice to see the recordings reproduce.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    env = dict(os.environ, KUMUHGIS_GOLDEN_RECORD="1")
    cmd = [sys.executable, "-m", "pytest", "tests/test_golden.py", "-q", "-p", "no:cacheprovider"]
    code = subprocess.call([*cmd, *argv], cwd=ROOT, env=env)
    if code == 0:
        print(f"recorded into {ROOT / 'tests' / 'golden'}; review `git diff --stat tests/golden`")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
