"""``python -m offline preview ...``: see :mod:`offline.cli`."""

import sys

from .cli import main

sys.exit(main())
