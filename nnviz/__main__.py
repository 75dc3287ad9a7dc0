"""``python -m nnviz`` is the same program as ``nnviz``."""

import sys

from nnviz.cli import main

# Guarded: the training process re-imports the main module when it starts.
if __name__ == "__main__":
    sys.exit(main())
