"""Writing to the journal inside the caller's transaction, so an action and its trace land together.

Who: on PostgreSQL, the database login of the connection (the server authenticated it); on SQLite,
the operating system account running IVO (what the OS says, not a name anyone can type in).

Each entry carries the SHA-256 of the previous entry's hash and its own content: `verify_chain`
finds an entry changed, inserted or deleted after the fact. On PostgreSQL the roles shipped in
`scripts/postgresql-roles.sql` give no UPDATE or DELETE on the journal to anyone but its owner.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.orm import Session

from ivo_app.store.models.base import utcnow
from ivo_app.store.models.journal import JournalEntry

GENESIS = "0" * 64
_LOCK_KEY = 0x1F0_7A1  # PostgreSQL advisory lock: journal writers take turns to extend the chain


def current_user() -> str:
    """The operating system account running this process."""
    if os.name == "posix":
        import pwd  # noqa: PLC0415  POSIX only (absent on Windows)

        try:
            return pwd.getpwuid(os.getuid()).pw_name[:100]
        except KeyError:
            return f"uid:{os.getuid()}"
    try:
        return getpass.getuser()[:100]
    except Exception:  # no login name in some containers
        return "inconnu"


def entry_hash(
    previous: str,
    at: datetime,
    user: str,
    workstation: str | None,
    action: str,
    target: str | None,
    details: dict[str, Any] | None,
) -> str:
    content = json.dumps(
        [previous, at.isoformat(timespec="seconds"), user, workstation, action, target, details],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def record(
    bind: Session | Connection,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    user: str | None = None,
) -> None:
    """Append one entry. `details` must hold identifiers and counts, never names or traits.
    `user` (a name typed in a form) is kept in the details; the entry's user is the authenticated one."""
    dialect = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    if dialect == "postgresql":
        bind.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        who = str(bind.execute(text("SELECT session_user")).scalar_one())[:100]
    else:
        who = current_user()
    if user and user != who:
        details = {**(details or {}), "auteur_saisi": user[:100]}
    at = utcnow()
    workstation = socket.gethostname()[:100]
    values = {
        "at": at,
        "user": who,
        "workstation": workstation,
        "action": action,
        "target": target,
        "details": details,
    }
    last = select(JournalEntry.hash).order_by(JournalEntry.id.desc()).limit(1)
    if dialect == "postgresql":
        # The advisory lock above serialises journal writers; the row is written whole, once (no role
        # may UPDATE the journal, not even to fill in its own hash).
        link = bind.execute(last).scalar() or GENESIS
        digest = entry_hash(link, at, who, workstation, action, target, details)
        bind.execute(insert(JournalEntry).values(**values, prev_hash=link, hash=digest))
        return
    # SQLite: the row is written first, which takes the write lock, so the previous entry read next is
    # the last one for good (a read first could be overtaken by another process's commit).
    entry_id = bind.execute(insert(JournalEntry).values(**values).returning(JournalEntry.id)).scalar_one()
    link = bind.execute(last.where(JournalEntry.id < entry_id)).scalar() or GENESIS
    bind.execute(
        update(JournalEntry)
        .where(JournalEntry.id == entry_id)
        .values(prev_hash=link, hash=entry_hash(link, at, who, workstation, action, target, details))
    )


@dataclass
class ChainCheck:
    entries: int
    unchained: int  # entries written before the chain existed (older versions), at the start
    broken_at: int | None  # id of the first entry whose hash or link does not hold
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(entries: Iterable[JournalEntry]) -> ChainCheck:
    """Recompute every hash in id order; the first mismatch is where the journal was altered."""
    count = unchained = 0
    previous: str | None = None
    for entry in entries:
        count += 1
        if entry.hash is None:
            if previous is not None:
                return ChainCheck(count, unchained, entry.id, "entrée sans empreinte au milieu du journal")
            unchained += 1
            continue
        expected_previous = previous or (entry.prev_hash if unchained else GENESIS)
        if entry.prev_hash != expected_previous:
            return ChainCheck(
                count, unchained, entry.id, "lien rompu (entrée précédente supprimée ou insérée)"
            )
        actual = entry_hash(
            entry.prev_hash or "",
            entry.at,
            entry.user,
            entry.workstation,
            entry.action,
            entry.target,
            entry.details,
        )
        if actual != entry.hash:
            return ChainCheck(count, unchained, entry.id, "contenu modifié après coup")
        previous = entry.hash
    return ChainCheck(count, unchained, None)
