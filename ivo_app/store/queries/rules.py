"""Per-facility rule configuration rows (`rule_setting`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivo_app.store.models.rules import RuleSetting


def rule_settings(session: Session, facility_id: int | None) -> Sequence[RuleSetting]:
    """The rows for every facility (facility NULL) and the facility's own."""
    return session.scalars(
        select(RuleSetting).where(
            (RuleSetting.facility_id.is_(None)) | (RuleSetting.facility_id == facility_id)
        )
    ).all()


def rule_setting(session: Session, rule_id: str, facility_id: int | None) -> RuleSetting | None:
    """The row of one scope: the facility's, or the one for all (facility_id None)."""
    scope = (
        RuleSetting.facility_id.is_(None) if facility_id is None else RuleSetting.facility_id == facility_id
    )
    return session.scalar(select(RuleSetting).where(RuleSetting.rule_id == rule_id, scope))
