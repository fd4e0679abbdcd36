"""Backups of the embedded SQLite database: made before each migration, on demand, and restored.

A restore keeps a copy of the current file first, so it can itself be undone.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ivo_app.errors import IvoError
from ivo_app.store import encryption
from ivo_app.store.db import Database, embedded_file, open_database
from ivo_app.store.migrate import backup_sqlite_file


@dataclass
class Backup:
    path: Path
    created: datetime
    size: int


def _database_file(db: Database) -> Path:
    return embedded_file(
        db.url,
        "Les sauvegardes concernent la base embarquée (SQLite) ; une base PostgreSQL se "
        "sauvegarde avec les outils du serveur (pg_dump).",
    )


def list_backups(db: Database) -> list[Backup]:
    folder = _database_file(db).parent / "sauvegardes"
    files = sorted(folder.glob("*.sqlite"), key=lambda p: p.stat().st_mtime) if folder.exists() else []
    return [Backup(p, datetime.fromtimestamp(p.stat().st_mtime), p.stat().st_size) for p in files]


def create_backup(db: Database, label: str = "manuelle") -> Path:
    backup = backup_sqlite_file(db.engine, label)
    if backup is None:
        raise IvoError("Rien à sauvegarder : la base est vide.")
    return backup


def restore_backup(db: Database, backup: Path) -> Path:
    """Replace the database file by `backup` (checked first); returns the safety copy of the current file.
    The restored file is opened once (migrated if the backup is older); if that fails the previous file
    is put back. The caller reopens the database afterwards."""
    target = _database_file(db)
    backup = Path(backup)
    _check_backup(backup, encryption.remembered(target))
    safety = create_backup(db, "avant-restauration")
    db.dispose()
    _replace_file(backup, target)
    try:
        open_database(db.url).dispose()  # an older backup is migrated now, so a failure is caught here
    except IvoError as exc:
        _replace_file(safety, target)
        raise IvoError(
            f"Restauration impossible ({exc.message}) ; la base est restée telle qu'elle était."
        ) from exc
    return safety


def _check_backup(backup: Path, passphrase: str | None) -> None:
    """A readable, intact IVO database; an encrypted backup opens with the base's passphrase."""
    try:
        if encryption.is_encrypted(backup):
            if passphrase is None:
                raise IvoError(f"La sauvegarde {backup.name} est chiffrée : ouvrez d'abord la base chiffrée.")
            conn = encryption.connect(backup, passphrase)
        else:
            conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise IvoError(f"Sauvegarde endommagée : {backup.name}")
            conn.execute("SELECT count(*) FROM extraction").fetchone()
        finally:
            conn.close()
    except IvoError:
        raise
    except Exception as exc:  # sqlite3 and sqlcipher3 raise their own DatabaseError classes
        raise IvoError(f"Ce fichier n'est pas une sauvegarde IVO : {backup.name}") from exc


def _replace_file(source: Path, target: Path) -> None:
    """Copy beside the target, then rename: an interrupted copy never leaves half a database."""
    partial = target.with_name(target.name + ".restauration")
    try:
        shutil.copy2(source, partial)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise IvoError(f"Restauration impossible : {exc.strerror or exc}.") from exc
