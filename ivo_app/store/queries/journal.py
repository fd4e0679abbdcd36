"""Reading the journal back (who did what; never read as the state of a run)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivo_app.store.models.journal import JournalEntry


def entries(
    session: Session, *, action: str | None = None, limit: int | None = None, newest_first: bool = False
) -> Sequence[JournalEntry]:
    query = select(JournalEntry).order_by(JournalEntry.id.desc() if newest_first else JournalEntry.id)
    if action:
        query = query.where(JournalEntry.action == action)
    if limit:
        query = query.limit(limit)
    return session.scalars(query).all()
