"""Entry point of the bundled window (PyInstaller, windowed: no console on Windows)."""

import multiprocessing
import sys

from ivo_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main(["gui", "--demo-if-empty", *sys.argv[1:]]))
