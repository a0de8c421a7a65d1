"""`python -m kumuhgis`: the same as the `kumuhgis` command."""

import sys

from kumuhgis.cli import main

sys.exit(main())
