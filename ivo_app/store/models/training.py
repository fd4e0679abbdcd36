"""Training sessions: a group of trainees, one exercise, its answer key sealed in the base."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivo_app.store.models.base import Base, JsonType, utcnow


class TrainingSession(Base):
    """One session: the exercise handed out (questions only) and its key, which never leaves the base."""

    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # names the session in its exercise file
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), index=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id", ondelete="CASCADE"), index=True)
    exercise: Mapped[Any] = mapped_column(JsonType)  # the questions, as handed out
    answer_key: Mapped[Any] = mapped_column(JsonType)  # item id → expected answer and its teaching
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime)

    trainees: Mapped[list[TrainingTrainee]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="TrainingTrainee.id"
    )


class TrainingTrainee(Base):
    """A trainee of a session: one submission, never replaced; scored at the batch correction."""

    __tablename__ = "training_trainee"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    answers: Mapped[Any | None] = mapped_column(JsonType)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    score: Mapped[float | None] = mapped_column(Float)

    session: Mapped[TrainingSession] = relationship(back_populates="trainees")
