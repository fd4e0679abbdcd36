"""Counts behind the indicators (`services.indicators`): grouped queries, cheap on millions of rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from ivo_app.store.models import Extraction, Identity
from ivo_app.store.models.rules import FindingRow


class IdentityCounts(NamedTuple):
    """One extraction's identities counted: all of them, and the active file (a last visit on or
    after `since`, or none)."""

    total: int
    active: int
    by_status: dict[str | None, int]  # None: no status
    active_by_status: dict[str | None, int]
    by_attribute: dict[str, int]
    completed_dates_flagged: int
    with_ins: int
    unknown_birthplace: int


def _active(extraction_id: int, since: date) -> ColumnElement[bool]:
    return and_(
        Identity.extraction_id == extraction_id,
        or_(Identity.last_visit.is_(None), Identity.last_visit >= since),
    )


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Identity).where(*where)) or 0)


def _by_status(session: Session, where: ColumnElement[bool]) -> dict[str | None, int]:
    rows = session.execute(select(Identity.status, func.count()).where(where).group_by(Identity.status))
    return {status: int(n) for status, n in rows.tuples()}


def identity_counts(
    session: Session, extraction_id: int, since: date, attributes: Iterable[str]
) -> IdentityCounts:
    of_extraction = Identity.extraction_id == extraction_id
    active = _active(extraction_id, since)
    return IdentityCounts(
        total=_count(session, of_extraction),
        active=_count(session, active),
        by_status=_by_status(session, of_extraction),
        active_by_status=_by_status(session, active),
        by_attribute={a: _count(session, of_extraction, Identity.attributes.contains(a)) for a in attributes},
        completed_dates_flagged=_count(session, of_extraction, Identity.birth_date_completed.is_(True)),
        with_ins=_count(session, of_extraction, Identity.ins_matricule.is_not(None)),
        unknown_birthplace=_count(session, of_extraction, Identity.birthplace == "99999"),
    )


def active_and_qualified(session: Session, extraction_id: int, since: date) -> tuple[int, int]:
    """(active identities, of which QUAL) of one extraction."""
    active = _active(extraction_id, since)
    return _count(session, active), _count(session, active, Identity.status == "QUAL")


def facility_extractions_until(session: Session, extraction: Extraction) -> Sequence[tuple[int, date]]:
    """(id, extracted_on) of the facility's extractions up to this one, oldest first."""
    return (
        session.execute(
            select(Extraction.id, Extraction.extracted_on)
            .where(Extraction.facility_id == extraction.facility_id, Extraction.id <= extraction.id)
            .order_by(Extraction.id)
        )
        .tuples()
        .all()
    )


def identities_per_extraction(
    session: Session, extraction_ids: Sequence[int], *, status: str | None = None
) -> dict[int, int]:
    """extraction id → its identities (of that status only, when given)."""
    query = select(Identity.extraction_id, func.count()).where(Identity.extraction_id.in_(extraction_ids))
    if status is not None:
        query = query.where(Identity.status == status)
    rows = session.execute(query.group_by(Identity.extraction_id)).tuples()
    return {eid: int(n) for eid, n in rows}


def findings_per_extraction(session: Session, extraction_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(
        select(FindingRow.extraction_id, func.count())
        .where(FindingRow.extraction_id.in_(extraction_ids))
        .group_by(FindingRow.extraction_id)
    ).tuples()
    return {eid: int(n) for eid, n in rows}
