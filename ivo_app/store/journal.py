"""Writing to the journal inside the caller's transaction, so an action and its trace land together."""

from __future__ import annotations

import getpass
import os
import socket
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from ivo_app.store.models.base import utcnow
from ivo_app.store.models.journal import JournalEntry


def current_user() -> str:
    """The OS account, or IVO_USER when set (shared workstations)."""
    explicit = os.environ.get("IVO_USER")
    if explicit:
        return explicit[:100]
    try:
        return getpass.getuser()[:100]
    except Exception:  # no login name in some containers
        return "inconnu"


def record(
    bind: Session | Connection,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    user: str | None = None,
) -> None:
    """Append one entry. `details` must hold identifiers and counts, never names or traits."""
    values = {
        "at": utcnow(),
        "user": user or current_user(),
        "workstation": socket.gethostname()[:100],
        "action": action,
        "target": target,
        "details": details,
    }
    bind.execute(insert(JournalEntry).values(**values))
