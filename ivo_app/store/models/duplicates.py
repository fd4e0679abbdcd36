"""Candidate duplicate/collision pairs of an extraction, and the cell's decisions (per facility)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ivo_app.store.models.base import Base, JsonType, utcnow


class DuplicatePair(Base):
    __tablename__ = "duplicate_pair"
    __table_args__ = (Index("ix_duplicate_pair_extraction_level", "extraction_id", "level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id", ondelete="CASCADE"))
    identity_a: Mapped[int] = mapped_column(ForeignKey("identity.id", ondelete="CASCADE"))
    identity_b: Mapped[int] = mapped_column(ForeignKey("identity.id", ondelete="CASCADE"))
    ipp_a: Mapped[str] = mapped_column(String(64))  # ipp_a < ipp_b
    ipp_b: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(12))  # probable | a_examiner
    kind: Mapped[str] = mapped_column(String(12))  # doublon | collision
    reasons: Mapped[list[Any] | None] = mapped_column(JsonType)


class PairDecision(Base):
    """A reviewer's decision on a pair of IPPs; kept per facility so the next extraction reuses it."""

    __tablename__ = "pair_decision"
    __table_args__ = (UniqueConstraint("facility_id", "ipp_a", "ipp_b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    ipp_a: Mapped[str] = mapped_column(String(64))
    ipp_b: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(12))  # doublon | non_doublon | a_revoir
    comment: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock between workstations

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class MatchKey(Base):
    """The name-and-date blocking keys of an extraction's identities (rules.matching.columns.search_keys),
    written at duplicate detection, so the desk search reads a few rows instead of scanning the
    extraction. One row per bucket of keys (columns.key_bucket: 262,144 of them), holding its keys and
    identity ids as two arrays (little-endian int64 and int32): fourteen million
    (key, identity) rows per million identities cost the detection more than scoring them did. No
    foreign key on identity: deleting an extraction cascades through extraction_id."""

    __tablename__ = "match_key"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  (the primary key is the index)

    extraction_id: Mapped[int] = mapped_column(
        ForeignKey("extraction.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    keys: Mapped[bytes] = mapped_column(LargeBinary)  # int64 little-endian
    identity_ids: Mapped[bytes] = mapped_column(LargeBinary)  # int32 little-endian, the key's identity


class DetectionRun(Base):
    """One duplicate detection on an extraction: the model as fitted (u measured on the extraction, m as
    EM estimated it, the configuration it started from, thresholds), its counts and its time. A row per
    run, so a detection on another extraction never replaces this one's model, and the desk search
    weighs with the run of the extraction it searches."""

    __tablename__ = "detection_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id", ondelete="CASCADE"), index=True)
    detected_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    seconds: Mapped[float] = mapped_column(Float)
    identities: Mapped[int] = mapped_column(Integer)
    candidate_pairs: Mapped[int] = mapped_column(Integer)
    pairs: Mapped[int] = mapped_column(Integer)
    probable: Mapped[int] = mapped_column(Integer)
    collisions: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[dict[str, Any]] = mapped_column(JsonType)  # columns.parameters: traits, thresholds, em


class DetectionFrequency(Base):
    """How many identities of the extraction bore a birth name or a first first name, as the detection of
    `run_id` counted them to weigh an exact name (term frequency: MARTIN weighs less than a rare name).
    Only names borne by two identities or more: a name the desk search meets in a candidate and does not
    find here was borne once. The desk search reads the two rows of the typed names, so it weighs as the
    detection of the extraction it searches did."""

    __tablename__ = "detection_frequency"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  (the primary key is the index)

    run_id: Mapped[int] = mapped_column(
        ForeignKey("detection_run.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    trait: Mapped[str] = mapped_column(String(12), primary_key=True)  # birth_name | first_name
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
