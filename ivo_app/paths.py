"""Where the application finds its shipped files, from a source checkout or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

from platformdirs import user_data_dir

from ivo_app import APP_NAME


def _root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


ROOT = _root()
RESOURCES = ROOT / "resources"
MIGRATIONS = ROOT / "migrations"


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)


def data_dir() -> Path:
    """The user's data directory (database, logs, backups); created on demand."""
    path = Path(user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'ivo.sqlite'}"
