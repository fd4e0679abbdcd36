"""Encryption at rest of the SQLite file (SQLCipher, through `sqlcipher3`).

An auditor's laptop travels with a facility's identities: `ivo chiffrer` turns the database and its
backups into SQLCipher files (AES-256, key derived from a passphrase by PBKDF2). The passphrase is
asked when the database is opened and kept in this process's memory only, so that reopening the
same file (after a restore, from a worker) does not ask again; it is never written anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3

from ivo_app.errors import WrongPassphraseError

SQLITE_HEADER = b"SQLite format 3\x00"

PassphraseFn = Callable[[Path], str | None]

_known: dict[Path, str] = {}  # file → passphrase, for this process only


def is_encrypted(path: Path) -> bool:
    """A non-empty file that is not a plain SQLite database (SQLCipher files look random)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return len(head) == len(SQLITE_HEADER) and head != SQLITE_HEADER


def remembered(path: Path) -> str | None:
    return _known.get(Path(path).resolve())


def remember(path: Path, passphrase: str) -> None:
    _known[Path(path).resolve()] = passphrase


def forget(path: Path) -> None:
    _known.pop(Path(path).resolve(), None)


def _driver() -> Any:
    return sqlcipher3  # a dependency (wheels for Linux, Windows and macOS), imported with this module


def _quote(passphrase: str) -> str:
    # PRAGMA key takes no bound parameter: the passphrase is a quoted SQL literal.
    return "'" + passphrase.replace("'", "''") + "'"


def connect(path: Path, passphrase: str) -> Any:
    """A DB-API connection to an encrypted file; IvoError if the passphrase does not open it."""
    conn = _driver().connect(str(path), check_same_thread=False)
    conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not SQLCipher's log
    conn.execute(f"PRAGMA key = {_quote(passphrase)}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:
        conn.close()
        raise WrongPassphraseError(
            f"Phrase secrète incorrecte pour la base chiffrée {Path(path).name}."
        ) from exc
    return conn


def plain_connection(path: Path) -> Any:
    """SQLCipher's driver on a clear file (no key): what `sqlcipher_export` runs from."""
    return _driver().connect(str(path), check_same_thread=False)


def check_passphrase(path: Path, passphrase: str) -> None:
    connect(path, passphrase).close()
