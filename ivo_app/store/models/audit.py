"""IVO3 audits: the audit, and its items (answers, documents, observations, sample checks, findings,
recommendations, actions) kept as typed JSON payloads keyed per audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivo_app.store.models.base import Base, JsonType, utcnow


class Audit(Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), index=True)
    extraction_id: Mapped[int | None] = mapped_column(ForeignKey("extraction.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    auditors: Mapped[list[str] | None] = mapped_column(JsonType)
    scope: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    grid: Mapped[dict[str, Any]] = mapped_column(JsonType)  # a copy: later grid versions never alter it
    steps: Mapped[dict[str, str]] = mapped_column(JsonType)  # step → a_faire | en_cours | termine
    sample_seed: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditItem(Base):
    __tablename__ = "audit_item"
    __table_args__ = (UniqueConstraint("audit_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # answer, document, observation, sample, finding...
    key: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
