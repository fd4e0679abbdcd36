"""Encryption at rest (SQLCipher): unreadable without the passphrase, intact with it, backups too."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ivo_app.errors import IvoError
from ivo_app.services.backup import create_backup, list_backups, restore_backup
from ivo_app.services.demo import create_demo
from ivo_app.services.protection import encrypt_database
from ivo_app.store import encryption
from ivo_app.store.db import open_database
from ivo_app.store.models import Identity
from ivo_app.store.models.journal import JournalEntry

SECRET = "phrase secrète d'essai, assez longue"


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "base" / "ivo.sqlite"
    db = open_database(f"sqlite:///{path}")
    create_demo(db, 300, 4)
    create_backup(db)  # a backup taken before encryption: it must not stay in clear
    db.dispose()
    yield path
    encryption.forget(path)  # the passphrase is remembered per process: tests start without it


def names_in(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [n for (n,) in conn.execute("SELECT birth_name FROM identity WHERE birth_name IS NOT NULL")]


def test_encrypted_base_is_unreadable_without_its_passphrase(demo_file: Path) -> None:
    names = names_in(demo_file)
    db = open_database(f"sqlite:///{demo_file}")
    result = encrypt_database(db, SECRET)
    assert len(result.backups) == 1
    encryption.forget(demo_file)

    for path in (demo_file, *result.backups):
        raw = path.read_bytes()
        assert not raw.startswith(encryption.SQLITE_HEADER)
        # Names of six letters or more: a two-letter name (NG, LY) is found by chance in any 100 KB
        # of ciphertext.
        long_names = [n for n in names if len(n) >= 6][:50]
        assert len(long_names) == 50
        assert not any(name.encode() in raw for name in long_names), "a name is readable in the file"
        with pytest.raises(sqlite3.DatabaseError), contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("SELECT count(*) FROM identity").fetchone()
        assert not Path(f"{path}-wal").exists()

    with pytest.raises(IvoError, match="chiffrée"):
        open_database(f"sqlite:///{demo_file}")
    with pytest.raises(IvoError, match="incorrecte"):
        open_database(f"sqlite:///{demo_file}", passphrase="ce n'est pas la bonne")

    asked: list[Path] = []
    db = open_database(f"sqlite:///{demo_file}", ask_passphrase=lambda p: asked.append(p) or SECRET)
    try:
        assert asked == [demo_file]
        with db.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Identity)) == len(names)
            actions = conn.scalars(select(JournalEntry.action)).all()
        assert "chiffrement" in actions
        # Same process, same file: reopening (after a restore, from a worker) does not ask again.
        open_database(f"sqlite:///{demo_file}").dispose()
    finally:
        db.dispose()


def test_encrypted_backup_restores_and_stays_encrypted(demo_file: Path) -> None:
    db = open_database(f"sqlite:///{demo_file}")
    encrypt_database(db, SECRET)
    db = open_database(f"sqlite:///{demo_file}")
    with db.engine.begin() as conn:
        before = conn.scalar(select(func.count()).select_from(Identity))
        conn.execute(Identity.__table__.delete())
    encrypted_backup = list_backups(db)[0].path
    restore_backup(db, encrypted_backup)
    db = open_database(f"sqlite:///{demo_file}")
    try:
        with db.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Identity)) == before
    finally:
        db.dispose()
    assert all(encryption.is_encrypted(b.path) for b in list_backups(db))


def test_short_passphrase_and_second_encryption_are_refused(demo_file: Path) -> None:
    db = open_database(f"sqlite:///{demo_file}")
    with pytest.raises(IvoError, match="trop courte"):
        encrypt_database(db, "court")
    assert not encryption.is_encrypted(demo_file)
    encrypt_database(open_database(f"sqlite:///{demo_file}"), SECRET)
    with pytest.raises(IvoError, match="déjà chiffrée"):
        encrypt_database(open_database(f"sqlite:///{demo_file}"), SECRET)


def test_cli_encrypts_then_needs_the_passphrase(demo_file: Path) -> None:
    def ivo(*args: str, secret: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "IVO_PHRASE_SECRETE"}
        if secret is not None:
            env["IVO_PHRASE_SECRETE"] = secret
        return subprocess.run(
            [sys.executable, "-m", "ivo_app", *args, "--db", str(demo_file)],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120, check=False,
        )  # fmt: skip

    with contextlib.closing(sqlite3.connect(demo_file)) as conn:  # closed: chiffrer needs the base alone
        rows = conn.execute("SELECT count(*) FROM identity").fetchone()[0]
    done = ivo("chiffrer", secret=SECRET)
    assert done.returncode == 0, done.stderr
    assert "Base chiffrée" in done.stdout
    refused = ivo("extractions")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "chiffrée" in refused.stderr
    wrong = ivo("extractions", secret="une autre phrase fausse")
    assert wrong.returncode == 2 and "incorrecte" in wrong.stderr and "Traceback" not in wrong.stderr
    listed = ivo("extractions", "--format", "json", secret=SECRET)
    assert listed.returncode == 0 and f'"rows": {rows},' in listed.stdout
    log = Path(os.environ["IVO_LOG_FILE"])
    assert SECRET not in (log.read_text(encoding="utf-8") if log.exists() else "")
