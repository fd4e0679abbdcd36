"""Training sessions (`training_session`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivo_app.store.models.training import TrainingSession


def session_by_token(session: Session, token: str) -> TrainingSession | None:
    return session.scalar(select(TrainingSession).where(TrainingSession.token == token))


def sessions(session: Session, *, newest_first: bool = False) -> Sequence[TrainingSession]:
    order = TrainingSession.id.desc() if newest_first else TrainingSession.id
    return session.scalars(select(TrainingSession).order_by(order)).all()
