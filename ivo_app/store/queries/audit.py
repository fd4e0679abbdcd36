"""Audits and their items (`audit`, `audit_item`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ivo_app.store.models import Facility
from ivo_app.store.models.audit import Audit, AuditItem


def items(session: Session, audit_id: int) -> Sequence[AuditItem]:
    """The audit's items in the order they were added."""
    return session.scalars(
        select(AuditItem).where(AuditItem.audit_id == audit_id).order_by(AuditItem.id)
    ).all()


def item(session: Session, audit_id: int, kind: str, key: str) -> AuditItem | None:
    return session.scalar(
        select(AuditItem).where(AuditItem.audit_id == audit_id, AuditItem.kind == kind, AuditItem.key == key)
    )


def delete_items(session: Session, audit_id: int, kind: str) -> None:
    session.execute(delete(AuditItem).where(AuditItem.audit_id == audit_id, AuditItem.kind == kind))


def latest_audit(session: Session, facility: str) -> Audit | None:
    """The facility's most recent audit (by its name)."""
    return session.scalar(
        select(Audit)
        .join(Facility, Facility.id == Audit.facility_id)
        .where(Facility.name == facility)
        .order_by(Audit.id.desc())
        .limit(1)
    )


def audits(session: Session, facility_id: int | None = None) -> Sequence[Audit]:
    query = select(Audit).order_by(Audit.id)
    if facility_id is not None:
        query = query.where(Audit.facility_id == facility_id)
    return session.scalars(query).all()
