"""Where the application finds its shipped files, from a source checkout or a PyInstaller bundle."""

from __future__ import annotations

import os
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


# Patient identities: readable by their owner only. The umask covers every file a library creates
# (SQLite's -wal and -shm, reportlab's PDFs, openpyxl's workbooks); explicit modes cover the rest.
FILE_MODE = 0o600
DIR_MODE = 0o700
PRIVATE_UMASK = 0o077


def restrict_umask() -> None:
    """At start-up: files and folders created by this process are private (POSIX; Windows gives
    files the ACL of the user's profile folder, which is private already)."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path, *, ours: bool = False) -> Path:
    """Create `path` (and parents) 0700. An existing folder is brought to 0700 only when it is
    IVO's own (`ours`: the data folder, a base's backup folder), never a folder the user chose."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if ours and os.name == "posix":
        try:
            if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
                path.chmod(DIR_MODE)
        except OSError:
            pass
    return path


def data_dir() -> Path:
    """The user's data directory (database, logs, backups); created on demand, private."""
    return private_dir(Path(user_data_dir(APP_NAME, appauthor=False)), ours=True)


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'ivo.sqlite'}"
