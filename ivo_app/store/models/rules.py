"""Findings of the rule engine and per-facility rule settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivo_app.store.models.base import Base, JsonType


class FindingRow(Base):
    """One rule broken by one identity (identity_id NULL: a finding about the whole extraction)."""

    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_extraction_rule", "extraction_id", "rule_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id", ondelete="CASCADE"))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identity.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    fields: Mapped[str | None] = mapped_column(String(200))  # comma separated trait columns
    params: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


class RuleSetting(Base):
    """A rule disabled or given another severity, for one facility (or all when facility_id is NULL)."""

    __tablename__ = "rule_setting"
    __table_args__ = (UniqueConstraint("facility_id", "rule_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(30))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    severity: Mapped[str | None] = mapped_column(String(10))
