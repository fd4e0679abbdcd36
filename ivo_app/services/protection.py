"""Encryption at rest of the embedded database, for the laptop that travels to audits.

`encrypt_database` turns the SQLite file and the backups beside it into SQLCipher files under one
passphrase, then journals it. Backups taken afterwards are copies of the encrypted file, so nothing
of the facility stays in clear on the disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ivo_app.errors import IvoError
from ivo_app.store import encryption, journal
from ivo_app.store.db import Database, embedded_file, open_database

MIN_PASSPHRASE = 10  # a passphrase, not a PIN: the file can be attacked offline once stolen


@dataclass
class EncryptionResult:
    database: Path
    backups: list[Path]


def database_file(db: Database) -> Path:
    return embedded_file(
        db.url,
        "Le chiffrement concerne la base embarquée (SQLite) ; une base PostgreSQL partagée se "
        "protège sur son serveur (chiffrement du disque, droits d'accès).",
    )


def is_database_encrypted(db: Database) -> bool:
    return db.dialect == "sqlite" and encryption.is_encrypted(database_file(db))


def encrypt_database(db: Database, passphrase: str) -> EncryptionResult:
    """Encrypt the database of `db` and its clear backups. `db` is closed; reopen it afterwards
    (this process remembers the passphrase, so reopening does not ask again)."""
    path = database_file(db)
    if encryption.is_encrypted(path):
        raise IvoError(f"La base {path.name} est déjà chiffrée.")
    if len(passphrase) < MIN_PASSPHRASE:
        raise IvoError(f"Phrase secrète trop courte : au moins {MIN_PASSPHRASE} caractères.")
    db.dispose()  # no connection may hold the clear file open while it is replaced
    encryption.encrypt_file(path, passphrase)
    backups = list(encryption.plain_files(path.parent / "sauvegardes"))
    for backup in backups:
        encryption.encrypt_file(backup, passphrase)
    encryption.remember(path, passphrase)
    reopened = open_database(db.url, passphrase=passphrase)
    try:
        with reopened.engine.begin() as conn:
            journal.record(conn, "chiffrement", "base", {"sauvegardes_chiffrees": len(backups)})
    finally:
        reopened.dispose()
    return EncryptionResult(path, backups)
