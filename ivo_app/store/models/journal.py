"""Append-only journal of user actions: who, when, what, by identifiers (never names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ivo_app.store.models.base import Base, JsonType, utcnow


class JournalEntry(Base):
    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user: Mapped[str] = mapped_column(String(100))
    workstation: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "import", "decision"
    target: Mapped[str | None] = mapped_column(String(200))  # e.g. "extraction:3", "pair:12/45"
    details: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # Hash chain (store.journal): SHA-256 of the previous entry's hash and this entry's content.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
