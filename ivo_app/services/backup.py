"""Backups of the embedded SQLite database: made before each migration, on demand, and restored.

Every copy is made by SQLite (online backup API) from one consistent state of the base, verified
(integrity, row counts) before it is kept (see `store.copies`). A restore needs the base to itself
(refused while another program has it open), keeps a verified safety copy first, rewrites the base
through SQLite under its lock, and is journaled. A backup of an encrypted base is encrypted with the
same key; a clear backup restored onto an encrypted base is encrypted on the way in.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ivo_app.errors import IvoError
from ivo_app.store import copies, encryption, journal
from ivo_app.store.db import Database, embedded_file, open_database
from ivo_app.store.uow import UnitOfWork

BACKUP_FOLDER = copies.BACKUP_FOLDER
LABELS = copies.LABELS
backup_folder = copies.backup_folder
backups_of = copies.backups_of
new_backup_path = copies.new_backup_path


@dataclass
class Backup:
    path: Path
    created: datetime
    size: int
    encrypted: bool = False


@dataclass
class RestoreResult:
    safety: Path
    encrypted_on_restore: bool  # a clear backup was encrypted with the base's key


def _database_file(db: Database) -> Path:
    return embedded_file(
        db.url,
        "Les sauvegardes concernent la base embarquée (SQLite) ; une base PostgreSQL se "
        "sauvegarde avec les outils du serveur (pg_dump).",
    )


def list_backups(db: Database) -> list[Backup]:
    return [
        Backup(p, datetime.fromtimestamp(p.stat().st_mtime), p.stat().st_size, encryption.is_encrypted(p))
        for p in backups_of(_database_file(db))
    ]


def create_backup(db: Database, label: str = "manuelle") -> Path:
    backup = copies.backup_file(_database_file(db), label)
    if backup is None:
        raise IvoError("Rien à sauvegarder : la base est vide.")
    return backup


def restore_backup(db: Database, backup: Path) -> Path:
    """Replace the content of the base by `backup`; returns the safety copy of the previous state.
    `db` is closed; the caller reopens the database afterwards."""
    return restore(db, backup).safety


def restore(db: Database, backup: Path) -> RestoreResult:
    target = _database_file(db)
    backup = Path(backup)
    key = encryption.remembered(target) if encryption.is_encrypted(target) else None
    if encryption.is_encrypted(target) and key is None:
        raise IvoError(f"La base {target.name} est chiffrée : ouvrez-la d'abord avec sa phrase secrète.")
    backup_key = _check_backup(backup, key)
    db.dispose()  # our own connections closed: the lock below must be the only one
    encrypted_on_restore = key is not None and backup_key is None
    staged: Path | None = None
    with copies.exclusive(target, key, what="Restauration") as locked:
        safety = new_backup_path(target, "avant-restauration")
        copies.copy_from(locked, safety, key)  # verified before anything is overwritten
        try:
            source = backup
            if encrypted_on_restore:
                # A clear backup never lands in clear in an encrypted base: encrypt a copy first.
                staged = safety.with_name(safety.name.replace("avant-restauration", "restauration-chiffree"))
                copies.copy_file(backup, staged, None, encrypt_with=key)
                source = staged
            copies.restore_into(locked, source, key)
        except BaseException as exc:
            copies.restore_into(locked, safety, key)  # the state before, verified above
            if isinstance(exc, IvoError):
                raise IvoError(f"{exc.message} La base est restée telle qu'elle était.") from exc
            raise
        finally:
            if staged is not None:
                with contextlib.suppress(FileNotFoundError):
                    staged.unlink()
    try:
        reopened = open_database(db.url, passphrase=key)  # an older backup is migrated now
    except IvoError as exc:
        with copies.exclusive(target, key, what="Retour à l'état précédent") as locked:
            copies.restore_into(locked, safety, key)
        raise IvoError(
            f"Restauration impossible ({exc.message}) ; la base est restée telle qu'elle était."
        ) from exc
    try:
        with UnitOfWork(reopened) as uow:
            journal.record(
                uow.session,
                "restauration",
                backup.name,
                {"copie_de_securite": safety.name, "chiffree_a_la_restauration": encrypted_on_restore},
            )
            uow.commit()
    finally:
        reopened.dispose()
    return RestoreResult(safety, encrypted_on_restore)


def _check_backup(backup: Path, key: str | None) -> str | None:
    """A readable, intact IVO database; returns the key it opens with (None: in clear)."""
    if not backup.is_file():
        raise IvoError(f"Sauvegarde introuvable : {backup}")
    if encryption.is_encrypted(backup):
        if key is None:
            raise IvoError(
                f"La sauvegarde {backup.name} est chiffrée et la base ne l'est pas : chiffrez d'abord la "
                "base (ivo chiffrer) avec la même phrase secrète."
            )
        backup_key: str | None = key
    else:
        backup_key = None
    try:
        counts = copies.verify(backup, backup_key)
    except IvoError as exc:
        raise IvoError(
            f"Ce fichier n'est pas une sauvegarde IVO intacte : {backup.name} ({exc.message})"
        ) from exc
    if "extraction" not in counts:
        raise IvoError(f"Ce fichier n'est pas une sauvegarde IVO : {backup.name}")
    return backup_key
