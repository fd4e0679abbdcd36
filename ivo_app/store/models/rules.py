"""Findings of the rule engine, the checks that produced them, and per-facility rule settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivo_app.store.models.base import Base, JsonType

# The columns a check writes, in the order of its bulk rows (store.dialect.bulk_insert).
FINDING_COLUMNS = ("extraction_id", "identity_id", "rule_id", "severity", "fields", "params")


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


class CheckRun(Base):
    """One run of the rules on an extraction: when, with which rules and settings, what it found.
    "Was it checked?" is the existence of a row (a clean extraction has no finding but was checked).
    Rows migrated from the journal (checks made before this table) have no version, hash nor time."""

    __tablename__ = "check_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime] = mapped_column(DateTime)
    seconds: Mapped[float | None] = mapped_column(Float)
    rules_version: Mapped[str | None] = mapped_column(String(80))  # application version + catalogue digest
    settings_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the facility's rule settings
    identities: Mapped[int] = mapped_column(Integer)
    findings: Mapped[int] = mapped_column(Integer)
    by_severity: Mapped[dict[str, int]] = mapped_column(JsonType)  # {"critique": n, ...} at the check
