"""``python -m nnviz`` is the same program as ``nnviz``."""

import sys

from nnviz.cli import main

sys.exit(main())
