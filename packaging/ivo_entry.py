"""Entry point of the bundled application (PyInstaller): the `ivo` command of the bundle.

`freeze_support` lets the import's reader process (services.read_ahead) start from the bundle's
executable, which has no Python interpreter of its own to run.
"""

import multiprocessing
import sys

from ivo_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
