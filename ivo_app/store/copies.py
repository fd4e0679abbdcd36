"""Verified copies of an SQLite file: backups, safety copies, restores and encryption.

Every copy goes through SQLite itself (the online backup API, or `sqlcipher_export` to change the
encryption), from one read transaction so the copy is one consistent state of the base, whatever
other processes are doing; it is written beside its destination under a temporary name, checked
(`integrity_check`, row counts of every table equal to the source's in that same transaction),
flushed to disk, then renamed. Nothing is deleted or replaced before the copy is proven good.

Replacing the content of a base (restore, encryption) needs the base to itself: `exclusive()`
takes SQLite's exclusive lock and refuses, with the reason, while another connection is open.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ivo_app import paths
from ivo_app.errors import IvoError
from ivo_app.store import encryption

PARTIAL = ".partiel"  # a copy being written: never listed, removed when found
BACKUP_FOLDER = "sauvegardes"
LABELS = ("manuelle", "avant-restauration", "avant-migration", "avant-chiffrement")


def connect(path: Path, passphrase: str | None, timeout: float = 10.0) -> Any:
    """A DB-API connection (autocommit) to a clear file, or to an encrypted one with its key."""
    if passphrase is not None:
        conn = encryption.connect(path, passphrase)
    else:
        conn = sqlite3.connect(str(path), timeout=timeout)
    conn.isolation_level = None
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return conn


def table_counts(conn: Any) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def verify(path: Path, passphrase: str | None, expected: dict[str, int] | None = None) -> dict[str, int]:
    """The file opens (with `passphrase` if encrypted), passes integrity_check and, when given,
    holds exactly `expected` rows per table; IvoError otherwise. Returns its counts."""
    try:
        conn = connect(path, passphrase)
    except IvoError:
        raise
    except Exception as exc:
        raise IvoError(f"Copie illisible : {path.name}.") from exc
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise IvoError(f"Copie endommagée : {path.name} (contrôle d'intégrité en échec).")
        counts = table_counts(conn)
    except IvoError:
        raise
    except Exception as exc:  # sqlite3 and sqlcipher3 raise their own DatabaseError classes
        raise IvoError(f"Ce fichier n'est pas une base IVO lisible : {path.name}.") from exc
    finally:
        conn.close()
    if expected is not None and counts != expected:
        differ = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
        raise IvoError(
            f"Copie incomplète : {path.name} ne contient pas les mêmes lignes que la base "
            f"(tables {', '.join(differ[:5])}) ; rien n'a été remplacé."
        )
    return counts


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _partial(dest: Path) -> Path:
    return dest.with_name(dest.name + PARTIAL)


def _discard(path: Path) -> None:
    for name in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def _finish(temp: Path, dest: Path) -> None:
    """Flush, restrict and move the verified copy into place."""
    os.chmod(temp, paths.FILE_MODE)
    _sync(temp)
    os.replace(temp, dest)
    with contextlib.suppress(OSError):  # the rename itself is durable once the folder is flushed
        fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _copy_error(dest: Path, exc: BaseException) -> IvoError:
    if isinstance(exc, IvoError):
        return exc
    text = str(exc)
    if isinstance(exc, OSError) or "full" in text or "disk" in text:
        reason = getattr(exc, "strerror", None) or "disque plein ou inaccessible"
        return IvoError(
            f"Copie impossible vers {dest.parent} ({reason}) ; aucun fichier incomplet n'est laissé."
        )
    return IvoError(
        f"Copie impossible : {dest.name} ({exc.__class__.__name__}) ; aucun fichier n'est laissé."
    )


def copy_from(
    conn: Any, dest: Path, passphrase: str | None, encrypt_with: str | None = None
) -> dict[str, int]:
    """Copy the base open on `conn` to `dest`, verified. The copy is encrypted with `passphrase`
    when the source is (the backup API keeps the key), or with `encrypt_with` for a clear source."""
    temp = _partial(dest)
    _discard(temp)
    began = False
    try:
        if encrypt_with is None and not conn.in_transaction:
            # One snapshot for the counts and the pages copied. (The export attaches a file, which
            # SQLite allows outside a transaction only: it runs on a locked or unused base.)
            conn.execute("BEGIN")
            began = True
        counts = table_counts(conn)
        if encrypt_with is not None:
            _export_encrypted(conn, temp, encrypt_with)
            key: str | None = encrypt_with
        else:
            target = connect(temp, passphrase)
            try:
                conn.backup(target)
                # The pages copied say "WAL" if the source is: a backup is a single file at rest.
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
            key = passphrase
        if began:
            conn.execute("COMMIT")
            began = False
        verify(temp, key, counts)
        _finish(temp, dest)
        return counts
    except BaseException as exc:
        if began:
            with contextlib.suppress(Exception):
                conn.execute("ROLLBACK")
        _discard(temp)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise _copy_error(dest, exc) from exc


def _export_encrypted(conn: Any, temp: Path, passphrase: str) -> None:
    """A clear base → an encrypted file (SQLCipher's export; needs a sqlcipher3 connection)."""
    quoted = "'" + passphrase.replace("'", "''") + "'"
    conn.execute(f"ATTACH DATABASE ? AS chiffree KEY {quoted}", (str(temp),))
    try:
        conn.execute("SELECT sqlcipher_export('chiffree')")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA chiffree.user_version = {int(version)}")
        conn.execute("PRAGMA chiffree.journal_mode = DELETE")
    finally:
        conn.execute("DETACH DATABASE chiffree")


def copy_file(
    source: Path, dest: Path, passphrase: str | None, encrypt_with: str | None = None
) -> dict[str, int]:
    """`copy_from` for a file that is not open: a clear file to be encrypted is read by SQLCipher's
    driver, which reads clear files too when given no key."""
    if encrypt_with is not None:
        conn = encryption.plain_connection(source)
        conn.isolation_level = None
    else:
        conn = connect(source, passphrase)
    try:
        return copy_from(conn, dest, passphrase, encrypt_with)
    finally:
        conn.close()


@contextlib.contextmanager
def exclusive(path: Path, passphrase: str | None, *, sqlcipher: bool = False, what: str) -> Iterator[Any]:
    """The base to ourselves for the whole block: SQLite's exclusive lock, kept until the end
    (locking_mode EXCLUSIVE), journal switched from WAL to rollback so the file holds everything.
    Refused while any other connection (this process or another) has the base open."""
    if sqlcipher and passphrase is None:
        conn = encryption.plain_connection(path)
        conn.isolation_level = None
    else:
        conn = connect(path, passphrase, timeout=0.5)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except Exception as exc:
            raise IvoError(
                f"{what} refusé(e) : la base {path.name} est ouverte par un autre programme (une autre "
                "fenêtre IVO, une commande en cours) ; fermez-le puis recommencez. Rien n'a été modifié."
            ) from exc
        if str(mode).lower() != "delete":
            raise IvoError(f"{what} refusé(e) : la base {path.name} est en cours d'utilisation.")
        yield conn
    finally:
        conn.close()


def restore_into(conn: Any, source: Path, passphrase: str | None) -> dict[str, int]:
    """Overwrite the base locked on `conn` with `source` (same key), through the backup API: the
    file is rewritten by SQLite under its lock, never swapped under another connection."""
    src = connect(source, passphrase)
    try:
        src.execute("BEGIN")
        counts = table_counts(src)
        src.backup(conn)
        src.execute("COMMIT")
    finally:
        src.close()
    conn.execute("PRAGMA journal_mode = DELETE")
    if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok" or table_counts(conn) != counts:
        raise IvoError("Restauration incomplète : la base ne contient pas les lignes de la sauvegarde.")
    return counts


def remove_partials(folder: Path) -> int:
    """Copies left half-written by an interrupted operation (never valid, may hold clear pages)."""
    removed = 0
    if folder.exists():
        for leftover in folder.glob(f"*{PARTIAL}*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed += 1
    return removed


def backup_folder(database: Path) -> Path:
    return database.parent / BACKUP_FOLDER


def backup_name_pattern(database: Path) -> re.Pattern[str]:
    """What `new_backup_path` names: the base's stem, a known label, a timestamp, its suffix. Matching
    the label list keeps the backups of `a.db` apart from those of `a-b.db` in the same folder."""
    labels = "|".join(re.escape(label) for label in LABELS)
    return re.compile(
        rf"^{re.escape(database.stem)}-(?:{labels})-\d{{8}}-\d{{6}}(?:-\d+)?{re.escape(database.suffix)}$"
    )


def backups_of(database: Path) -> list[Path]:
    """Every backup of this base, whatever its file's suffix (`.sqlite`, `.db`, none)."""
    folder = backup_folder(database)
    if not folder.exists():
        return []
    pattern = backup_name_pattern(database)
    found = [p for p in folder.iterdir() if p.is_file() and pattern.match(p.name)]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def new_backup_path(database: Path, label: str) -> Path:
    folder = paths.private_dir(backup_folder(database), ours=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = folder / f"{database.stem}-{label}-{stamp}{database.suffix}"
    n = 1
    while dest.exists():  # two backups within a second: never overwrite one (it may be about to be restored)
        n += 1
        dest = folder / f"{database.stem}-{label}-{stamp}-{n}{database.suffix}"
    return dest


def backup_file(database: Path, label: str, passphrase: str | None = None) -> Path | None:
    """A verified copy of the base file in its backup folder (None if there is nothing to copy);
    the copy of an encrypted base is encrypted with the same key."""
    if label not in LABELS:
        raise IvoError(f"Type de sauvegarde inconnu : {label}.")
    if not database.exists() or database.stat().st_size == 0:
        return None
    if encryption.is_encrypted(database):
        passphrase = passphrase or encryption.remembered(database)
        if passphrase is None:
            raise IvoError(f"La base {database.name} est chiffrée : sa phrase secrète est nécessaire.")
    else:
        passphrase = None
    dest = new_backup_path(database, label)
    copy_file(database, dest, passphrase)
    return dest
