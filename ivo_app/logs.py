"""Logging to a file in the user's data directory. Never log a patient's name or traits."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ivo_app import paths

_configured = False


def log_file() -> Path:
    return Path(os.environ.get("IVO_LOG_FILE") or paths.data_dir() / "ivo.log")


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    try:
        handler: logging.Handler = RotatingFileHandler(
            log_file(), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("ivo_app")
    root.setLevel(level)
    root.addHandler(handler)
