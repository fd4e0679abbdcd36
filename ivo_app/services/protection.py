"""Encryption at rest of the embedded database, for the laptop that travels to audits.

`encrypt_database` turns the SQLite file and every backup of it into SQLCipher files under one
passphrase, then journals it. The base is encrypted under SQLite's exclusive lock (refused while
another program has it open, so no write can land in the clear file being replaced), each copy is
verified before it replaces anything, and the operation can be run again after an interruption: it
then encrypts what is still in clear and removes what the interrupted run left half-written.
Backups taken afterwards are copies of the encrypted file, so nothing stays in clear on the disk.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from ivo_app.errors import IvoError
from ivo_app.store import copies, encryption, journal
from ivo_app.store.db import Database, embedded_file, open_database
from ivo_app.store.uow import UnitOfWork

MIN_PASSPHRASE = 10  # a passphrase, not a PIN: the file can be attacked offline once stolen


@dataclass
class EncryptionResult:
    database: Path
    backups: list[Path]
    resumed: bool = False  # the base was encrypted already: an interrupted run was completed


def database_file(db: Database) -> Path:
    return embedded_file(
        db.url,
        "Le chiffrement concerne la base embarquée (SQLite) ; une base PostgreSQL partagée se "
        "protège sur son serveur (chiffrement du disque, droits d'accès).",
    )


def is_database_encrypted(db: Database) -> bool:
    return db.dialect == "sqlite" and encryption.is_encrypted(database_file(db))


def clear_backups(db: Database) -> list[Path]:
    """Backups of this base still in clear (left by an interrupted `ivo chiffrer`)."""
    return [p for p in copies.backups_of(database_file(db)) if not encryption.is_encrypted(p)]


def encrypt_database(db: Database, passphrase: str) -> EncryptionResult:
    """Encrypt the database of `db` and its clear backups. `db` is closed; reopen it afterwards
    (this process remembers the passphrase, so reopening does not ask again). On a base already
    encrypted with `passphrase`, finishes an interrupted run (backups still in clear)."""
    path = database_file(db)
    folder = copies.backup_folder(path)
    resumed = encryption.is_encrypted(path)
    if resumed:
        encryption.check_passphrase(path, passphrase)
        if not clear_backups(db) and not copies.remove_partials(folder):
            raise IvoError(f"La base {path.name} est déjà chiffrée, ainsi que toutes ses sauvegardes.")
    elif len(passphrase) < MIN_PASSPHRASE:
        raise IvoError(f"Phrase secrète trop courte : au moins {MIN_PASSPHRASE} caractères.")
    db.dispose()  # our own connections closed: the lock below must be the only one
    copies.remove_partials(folder)
    with contextlib.suppress(FileNotFoundError):
        path.with_name(path.name + ".chiffrement").unlink()  # left by versions before this one
    if not resumed:
        with copies.exclusive(path, None, sqlcipher=True, what="Chiffrement") as locked:
            copies.copy_from(locked, path, None, encrypt_with=passphrase)
        for suffix in ("-wal", "-shm", "-journal"):  # what the clear file left beside it
            with contextlib.suppress(FileNotFoundError):
                path.with_name(path.name + suffix).unlink()
    encryption.remember(path, passphrase)
    backups = [p for p in copies.backups_of(path) if not encryption.is_encrypted(p)]
    for backup in backups:
        copies.copy_file(backup, backup, None, encrypt_with=passphrase)
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                backup.with_name(backup.name + suffix).unlink()
    reopened = open_database(db.url, passphrase=passphrase)
    try:
        with UnitOfWork(reopened) as uow:
            journal.record(
                uow.session,
                "chiffrement",
                "base",
                {"sauvegardes_chiffrees": len(backups), "reprise": resumed},
            )
            uow.commit()
    finally:
        reopened.dispose()
    return EncryptionResult(path, backups, resumed)
